"""The architecture move keeps every number: all diagnoses, flow metrics and forecasts on every sample.

``tests/snapshot/results.json.gz`` was written by ``python -m tests.snapshot.build`` before the
move; the only differences allowed are the deliberate ones listed in ``DELIBERATE`` (one rule
chosen where two copies disagreed), each with the reason.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("_workfw_snapshot", Path(__file__).parent / "snapshot" / "build.py")
snapshot = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = snapshot
_spec.loader.exec_module(snapshot)

#: part-name prefix -> why its numbers may differ from the stored snapshot.
DELIBERATE: dict[str, str] = {}


@pytest.fixture(scope="module")
def now() -> dict:
    return snapshot.results()


@pytest.fixture(scope="module")
def before() -> dict:
    return snapshot.stored()


def test_every_sample_and_part_is_still_computed(now: dict, before: dict) -> None:
    assert sorted(now) == sorted(before)
    for sample in before:
        assert sorted(now[sample]) == sorted(before[sample]), sample


@pytest.mark.parametrize("sample", sorted(snapshot.stored()))
def test_results_match_the_snapshot(now: dict, before: dict, sample: str) -> None:
    changed = [part for part in before[sample]
               if now[sample].get(part) != before[sample][part]
               and not any(part.startswith(prefix) for prefix in DELIBERATE)]
    assert not changed, f"{sample}: {changed[:8]} differ from the snapshot taken before the move"

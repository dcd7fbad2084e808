"""A workshop of 500 (issue #16 item 6): every valid answer counted once, every invalid one listed with its reason.

The room comes from ``benchmarks/workshop.py`` (seeded): codes in a chat log, answer files and one survey CSV,
with exact duplicates across routes, code typos, an out-of-range survey cell, an unknown statement id and
answer files cut short.  Nothing is timed here: ``python -m benchmarks.workshop`` does that.
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/ is a folder of the checkout

from benchmarks.workshop import FRAMEWORKS, collect_room, generate_room  # noqa: E402
from workfw.assessment import aggregate, load_bank, response_key  # noqa: E402


@pytest.fixture(scope="module")
def room():
    return generate_room(500, seed=16)


@pytest.fixture(scope="module")
def collected(room, tmp_path_factory):
    return collect_room(room, tmp_path_factory.mktemp("load") / "responses")


def _rows(responses) -> Counter:
    """Every answer as (participant, team, framework, statement, answer); "don't know" is -1."""
    return Counter((r.participant, r.team, r.framework, sid, -1 if value is None else value)
                   for r in responses for sid, value in r.answers.items())


def test_the_generated_room_has_every_kind_of_trouble(room):
    assert len({r.participant for r in room.truth}) > 400
    assert len({response_key(r) for r in room.truth}) == len(room.truth)  # the truth holds each response once
    assert room.duplicates >= 20
    assert all(count >= 3 for count in room.rejected.values()), room.rejected
    assert room.codes.count("WF2-") + room.codes.count("wf2-") > 150
    assert len(room.files) > 100 and room.survey.count(b"\r\n") > 100


def test_every_valid_answer_is_counted_exactly_once(room, collected):
    frame = collected.responses
    seen = Counter((p, None if pd.isna(t) else t, f, s, -1 if pd.isna(a) else int(a)) for p, t, f, s, a in
                   frame[["participant", "team", "framework", "statement_id", "answer"]].itertuples(index=False))
    truth = _rows(room.truth)
    assert sum(truth.values()) > 6000
    assert seen == truth
    per_framework = frame.drop_duplicates(["response", "framework"]).groupby("framework").size().to_dict()
    assert per_framework == dict(Counter(r.framework for r in room.truth))
    # A survey row also sent as a code is one response, whichever route came first.
    assert frame.groupby(["participant", "framework"])["response"].nunique().max() == 1


def test_every_invalid_answer_is_listed_with_its_reason(room, collected):
    reasons = Counter()
    for rejected in collected.rejected:
        if "the checksum does not match" in rejected.reason:
            reasons["checksum"] += 1
            assert rejected.source.startswith("code WF2-")
        elif "found '7'" in rejected.reason:
            reasons["out_of_range"] += 1
            assert rejected.source.startswith("workshop-form.csv row ")
            assert "expected an answer 1-5" in rejected.reason
        elif "zzz-9" in rejected.reason and "does not have" in rejected.reason:
            reasons["unknown_statement"] += 1
            assert rejected.source.startswith("answers-") and rejected.source.endswith(".json")
        elif "invalid JSON" in rejected.reason:
            reasons["malformed_json"] += 1
            assert "line 1, column" in rejected.reason and "Next step" in rejected.reason
        else:
            pytest.fail(f"unexpected rejection: {rejected}")
    assert dict(reasons) == room.rejected
    assert len(collected.rejected) == sum(room.rejected.values())


def test_duplicates_are_counted_as_such_by_every_route(room, tmp_path):
    from workfw.assessment import Collection

    collection = Collection(FRAMEWORKS, tmp_path / "responses")
    added = [collection.add_codes(room.codes), collection.add_files(room.files),
             collection.add_survey(room.survey, name="workshop-form.csv")]
    assert sum(a.duplicates for a in added) == room.duplicates
    # Reading the same chat and the same survey download again adds nothing.
    again = [collection.add_codes(room.codes), collection.add_survey(room.survey, name="workshop-form.csv")]
    assert sum(a.accepted for a in again) == 0
    assert len(collection.responses) == sum(_rows(room.truth).values())
    # A new notebook over the same folder finds the same answers (files written, survey kept).
    assert len(Collection(FRAMEWORKS, tmp_path / "responses").responses) == len(collection.responses)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_aggregate_equals_a_numpy_computation_on_the_truth(room, collected, framework):
    bank = load_bank(framework)
    element_of = dict(zip(bank["id"], bank["element"]))
    per_element = bank["element"].value_counts()
    responses = [r for r in room.truth if r.framework == framework]
    table = aggregate(collected.responses, framework=framework)
    assert list(table.index) == list(dict.fromkeys(bank["element"]))
    for element, row in table.iterrows():
        values = np.array([v for r in responses for s, v in r.answers.items()
                           if element_of[s] == element and v is not None], dtype=float)
        dont_know = sum(v is None for r in responses for s, v in r.answers.items() if element_of[s] == element)
        people = sum(any(element_of[s] == element for s in r.answers) for r in responses)
        assert row["count"] == len(values) and row["dont_know"] == dont_know and row["participants"] == people
        assert row["mean"] == pytest.approx(values.mean())
        assert row["spread"] == pytest.approx(values.std())
        assert row["agreement"] == pytest.approx(np.mean(np.abs(values - np.median(values)) <= 1))
        assert row["perceived"] == pytest.approx((values.mean() - 1) / 4 * 100)
        assert row["skipped"] == len(responses) * per_element[element] - len(values) - dont_know


def test_the_benchmark_writes_its_section_into_the_notes_and_keeps_the_rest(tmp_path):
    from benchmarks._report import NOTES_MARKER
    from benchmarks.workshop import HEADING, write_notes

    out = tmp_path / "results.md"
    out.write_text(f"table\n{NOTES_MARKER}\n## Notes\n\n### Issue #14\nkept\n")
    write_notes(out, f"{HEADING}\n\nfirst run\n")
    write_notes(out, f"{HEADING}\n\nsecond run\n")
    assert out.read_text() == f"table\n{NOTES_MARKER}\n## Notes\n\n{HEADING}\n\nsecond run\n\n### Issue #14\nkept\n"

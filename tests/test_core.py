"""The core's own rules: the one cache cannot go stale, running signals leaves the context alone, one severity scale."""
from __future__ import annotations

import gc
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from workfw import core
from workfw.core import cache


def _table(n: int = 3) -> pd.DataFrame:
    return pd.DataFrame({"task_id": [f"T{i}" for i in range(n)]})


def test_cached_builds_once_per_object_and_params() -> None:
    table, calls = _table(), []

    def build() -> int:
        calls.append(1)
        return len(calls)

    assert core.cached(table, "n", build) == 1
    assert core.cached(table, "n", build) == 1
    assert core.cached(table.copy(), "n", build) == 2, "a copy is another table"
    assert core.cached(table, "n", build, params=(5,)) == 3
    assert core.cached(table, "n", build, params=(5,)) == 3
    assert core.cached(table, "n", build) == 4, "one value per name: other params replace it"


def test_a_table_is_compared_with_its_version_once_while_held_still(monkeypatch: pytest.MonkeyPatch) -> None:
    tasks = pd.DataFrame({"a": [1, 2]})
    events = pd.DataFrame({"b": [3]})
    compared: list[int] = []
    original = cache.TableVersion.matches
    monkeypatch.setattr(cache.TableVersion, "matches", lambda self, t: compared.append(1) or original(self, t))
    cache.cached((tasks, events), "x", lambda: 1)
    compared.clear()
    with cache.tables_held_still():
        with cache.tables_held_still():  # nested: the outer block's marks hold
            for _ in range(5):
                assert cache.cached((tasks, events), "x", lambda: 2) == 1
    assert len(compared) == 2, "each entry (tasks, then events under tasks) compared once"
    tasks.loc[0, "a"] = 9  # outside the block an edit is seen again
    assert cache.cached((tasks, events), "x", lambda: 3) == 3


def test_cached_on_several_objects_needs_every_one() -> None:
    tasks, events = _table(), _table(1)
    assert core.cached((tasks, events), "pair", lambda: "first") == "first"
    assert core.cached((tasks, _table(1)), "pair", lambda: "other events") == "other events"
    assert core.cached_value((tasks, events), "pair") == "first"
    assert core.cached_value(tasks, "pair") is None, "a value on (tasks, events) is not one on tasks alone"


def test_cached_values_die_with_their_objects_and_never_reach_a_successor() -> None:
    gc.collect()
    before = len(cache._ROOT)
    for i in range(200):
        # A new frame often reuses the address of the one just freed: its id() alone would hit the old value.
        table = _table()
        assert core.cached_value(table, "mine") is None
        core.cached(table, "mine", lambda i=i: i)
        events = _table(1)
        assert core.cached_value((table, events), "mine") is None
        core.cached((table, events), "mine", lambda i=i: -i)
        del table, events
    gc.collect()
    assert len(cache._ROOT) == before


def test_a_filtered_table_does_not_keep_its_export_alive() -> None:
    base = _table(5)
    sub = base.take([1, 3]).reset_index(drop=True)
    core.rows.link_origin(sub, base, np.array([1, 3]))
    found = core.origin(sub)
    assert found[0] is base and list(found[1]) == [1, 3]
    del found, base
    gc.collect()
    assert core.origin(sub) is None


def test_running_signals_leaves_the_context_alone_and_reruns_only_readers() -> None:
    tasks = pd.DataFrame({"task_id": ["A", "B"], "status_category": ["todo", "done"], "status": ["Open", "Done"]})
    runs: dict[str, int] = {"reads": 0, "ignores": 0}

    def reads(ctx: core.Context) -> core.Measured:
        runs["reads"] += 1
        with pytest.raises(TypeError):
            ctx.options["stale_days"] = 1  # a signal cannot change the options it reads
        return core.Measured(float(ctx.options["stale_days"]), 50.0, 2)

    def ignores(ctx: core.Context) -> core.Measured:
        runs["ignores"] += 1
        return core.Measured(1.0, 100.0, 2)

    specs = (core.SignalSpec("E", "reads", ("status",), "for stale_days", reads),
             core.SignalSpec("E", "ignores", ("status",), "nothing", ignores))
    ctx = core.prepare(tasks)
    options = ctx.options
    core.run_signals(ctx, specs)
    assert ctx.options is options and type(ctx.options) is dict
    core.run_signals(core.prepare(tasks, stale_days=9), specs)
    assert runs == {"reads": 2, "ignores": 2}, "a DataFrame has no history of its own, so each prepare is new"
    ctx = core.prepare(tasks)
    first = core.run_signals(ctx, specs)[0]
    moved = core.run_signals(replace(ctx, options={**ctx.options, "stale_days": 9}), specs)[0]
    assert runs == {"reads": 4, "ignores": 3}, "only the signal that reads stale_days runs again"
    assert list(first["value"]) == [30.0, 1.0] and list(moved["value"]) == [9.0, 1.0]


@pytest.mark.parametrize("score, expected", [(0, "high"), (39.9, "high"), (40, "medium"), (69.9, "medium"),
                                             (70, "low"), (100, "low")])
def test_severity_of_score(score: float, expected: str) -> None:
    assert core.severity_of_score(score) == expected


@pytest.mark.parametrize("share, expected", [(1, "high"), (0.5, "high"), (0.49, "medium"), (0.2, "medium"),
                                             (0.19, "low"), (0, "low")])
def test_severity_of_share(share: float, expected: str) -> None:
    assert core.severity_of_share(share) == expected


def test_spread_severity_keeps_at_most_three_high() -> None:
    spread = core.spread_severity([5, 10, 15, 20, 25, 30, 35, 38], ["high"] * 8)
    assert spread.count("high") == 2 and spread[:2] == ["high", "high"]
    assert core.milder("high", "low") == "low"


def test_gap_days_is_total_seconds_in_days() -> None:
    from workfw.core import gap_days

    rng = np.random.default_rng(20261203)
    whole = rng.integers(-10**8, 10**8, 5000) * 10**9  # whole seconds, as trackers stamp
    any_gap = rng.integers(-10**17, 10**17, 5000)
    for gaps in (whole, any_gap):
        expected = pd.to_timedelta(gaps, unit="ns").total_seconds().to_numpy() / 86400
        np.testing.assert_array_max_ulp(gap_days(gaps), expected, maxulp=1)
    assert np.array_equal(gap_days(whole), pd.to_timedelta(whole, unit="ns").total_seconds().to_numpy() / 86400)
    assert gap_days(np.array([86400 * 10**9 + 1])).item() > 1.0


@pytest.mark.parametrize("kind", ["chunked arrow", "one chunk", "objects"])
def test_values_at_reads_the_cells_at_a_few_rows(kind: str) -> None:
    import pyarrow as pa

    cells = ["a", None, "c", "d", None, "f", "g"]
    if kind == "objects":
        values = pd.Series(cells, dtype=object)
    else:
        parts = [cells[:2], cells[2:5], cells[5:]] if kind == "chunked arrow" else [cells]
        values = pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array(parts, type=pa.large_string())))
    rows = np.array([6, 0, 4, 2, 1, 5, 3])
    assert core.values_at(values, rows) == [cells[r] for r in rows]
    assert core.values_at(values, np.array([], dtype=np.int64)) == []

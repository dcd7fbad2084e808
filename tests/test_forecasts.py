"""Forecasts people trust (issue 15): backlog ranges, split rates, epics, service levels and backtests.

Every fixture is built by hand and every expected value is worked out in the comments.  Constant
throughput makes a Monte Carlo forecast exact; where a range is drawn, the expected percentile is the
smallest value whose share of runs reaches the level, and each share is at least 3 points away from the
level, so 10,000 seeded runs land on it.
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from workfw import flow
from workfw.errors import OptionError, SchemaError
from workfw.export import ImportReport, TaskExport
from workfw.flow import forecast_charts
from workfw.flow.forecast_epics import _deal
from workfw.schema import conform_tasks, empty_events
from workfw.style import house_template

EVIL = "<img src=x onerror=alert(1)>"


def _export(rows: list[dict]) -> TaskExport:
    tasks = conform_tasks(pd.DataFrame(rows))
    return TaskExport(tasks=tasks, events=empty_events(), raw=pd.DataFrame(),
                      report=ImportReport(source="test", file="test.csv", rows_read=len(tasks)))


def _finished(first: str, last: str, per_day: int = 2, prefix: str = "S", **extra) -> list[dict]:
    """``per_day`` tasks finished at midnight UTC on every day from ``first`` to ``last``."""
    return [dict(task_id=f"{prefix}{i}-{k}", title="s", status="Done", status_category="done", created=first,
                 completed=day, **extra)
            for i, day in enumerate(pd.date_range(first, last)) for k in range(per_day)]


@pytest.fixture
def steady() -> TaskExport:
    """Two tasks finished every day 2024-01-01 .. 01-14 (28 tasks); as_of = 2024-01-14, the latest timestamp."""
    return _export(_finished("2024-01-01", "2024-01-14"))


@pytest.fixture
def weekdays() -> TaskExport:
    """One task finished each weekday of 2024-01-01 .. 01-26 (20 tasks): calendar days sample 1s and 0s."""
    rows = [dict(task_id=f"W{i}", title="w", status="Done", status_category="done", created="2024-01-01",
                 completed=d) for i, d in enumerate(pd.bdate_range("2024-01-01", "2024-01-26"))]
    return _export(rows)


# ---------------------------------------------------------------- "when" over a backlog range

def test_when_range_with_constant_throughput_is_exact_and_states_its_window(steady):
    out = flow.forecast_when_range(steady, items=10)
    # 2 a day: 10 tasks take 5 days at every likelihood; 5 days after 2024-01-14 is 01-19.
    assert out["steps"].tolist() == [5, 5, 5, 5]
    assert out["date"].tolist() == [pd.Timestamp("2024-01-19")] * 4
    # The window is the 14 days sampled (it starts at the first completion, not 12 weeks back).
    assert out["window_start"].tolist() == [pd.Timestamp("2024-01-01")] * 4
    assert out["window_end"].tolist() == [pd.Timestamp("2024-01-14")] * 4
    assert out["samples"].tolist() == [14] * 4 and out["completed"].tolist() == [28] * 4
    assert out["reason"].isna().all()
    assert out.attrs["items"] == (10, 10) and out.attrs["split_rate"] == (0.0, 0.0)


def test_when_range_draws_the_backlog_uniformly(steady):
    # N is 10..20 (11 values, each 1/11) and takes ceil(N / 2) days: 5 days for N=10, then 2/11 per day
    # 6..10.  Share of runs done within 5..10 days: 0.09, 0.27, 0.45, 0.64, 0.82, 1.0.
    out = flow.forecast_when_range(steady, items=(10, 20), levels=(1, 50, 70, 85, 99))
    assert out["steps"].tolist() == [5, 8, 9, 10, 10]
    assert out["date"].iloc[-1] == pd.Timestamp("2024-01-24")  # the largest backlog: 10 days


def test_split_rate_grows_the_backlog(steady):
    # 10 items split at 0.2 become ceil(10 * 1.2) = 12 tasks (not 13: 10 * 1.2 is 12.000000000000002): 6 days.
    fixed = flow.forecast_when_range(steady, items=10, split_rate=0.2)
    assert fixed["steps"].tolist() == [6, 6, 6, 6]
    # Split 0..100%: 10 items become 11..20 tasks (10 only at s == 0 exactly), so 6..10 days;
    # 20% of runs have s <= 0.2 (11-12 tasks, 6 days).
    spread = flow.forecast_when_range(steady, items=10, split_rate=(0.0, 1.0), levels=(1, 99))
    assert spread["steps"].tolist() == [6, 10]


def test_range_forecasts_equal_the_single_number_ones_without_the_new_options(weekdays):
    # Daily samples hold 0s (weekends) and 1s, so these really are random; same seed, same numbers.
    when = flow.forecast_when_range(weekdays, items=12, seed=7)
    plain = flow.forecast_when(weekdays, items=12, seed=7)
    assert when["steps"].tolist() == plain["steps"].tolist()
    assert when["date"].tolist() == plain["date"].tolist()
    how = flow.forecast_how_many_range(weekdays, until="2024-02-29", seed=7)
    assert how["items"].tolist() == flow.forecast_how_many(weekdays, until="2024-02-29", seed=7)["items"].tolist()
    assert when["samples"].iloc[0] == plain.attrs["sampled"] == 26


def test_weekly_sampling_counts_whole_weeks(steady):
    # 14 days hold two whole weeks of 14 tasks: 28 items take 2 weeks, to 2024-01-28.
    out = flow.forecast_when_range(steady, items=28, freq="W")
    assert out["steps"].tolist() == [2] * 4 and out["date"].tolist() == [pd.Timestamp("2024-01-28")] * 4
    assert out["samples"].tolist() == [2] * 4 and out["window_start"].iloc[0] == pd.Timestamp("2024-01-01")
    # Five days of history hold no whole week: nothing to sample, and the reason says so.
    short = flow.forecast_when_range(steady, items=5, freq="W", as_of="2024-01-05")
    assert short["steps"].isna().all()
    assert short["reason"].str.startswith("no whole week of throughput to sample by 2024-01-05").all()


def test_range_forecasts_are_seeded_and_monotonic(weekdays):
    first = flow.forecast_when_range(weekdays, items=(20, 40), split_rate=(0.1, 0.5), seed=3)
    pd.testing.assert_frame_equal(first, flow.forecast_when_range(weekdays, items=(20, 40),
                                                                  split_rate=(0.1, 0.5), seed=3))
    assert first["date"].is_monotonic_increasing and first["date"].iloc[0] < first["date"].iloc[-1]
    how = flow.forecast_how_many_range(weekdays, until="2024-03-29", split_rate=(0.1, 0.5), seed=3)
    assert how["items"].tolist() == sorted(how["items"].tolist(), reverse=True)


# ---------------------------------------------------------------- "how many by a date"

def test_how_many_range_counts_original_items(steady):
    # 10 days (01-15 .. 01-24) at 2 a day: 20 tasks; at split 0.25 each item takes 1.25 tasks: 16 items.
    out = flow.forecast_how_many_range(steady, until="2024-01-24", split_rate=0.25)
    assert out["items"].tolist() == [16, 16, 16, 16]
    assert out.attrs["steps"] == 10 and out["completed"].iloc[0] == 28
    # Without a split all 20 count.
    assert flow.forecast_how_many_range(steady, until="2024-01-24")["items"].tolist() == [20] * 4


def test_how_many_range_is_capped_by_the_backlog(steady):
    # 20 tasks could be done, but the backlog is 5..9 (1/5 each): P(N >= 7) = 0.6, P(N >= 6) = 0.8, P(N >= 5) = 1.
    out = flow.forecast_how_many_range(steady, until="2024-01-24", items=(5, 9))
    assert out["items"].tolist() == [7, 6, 5, 5]


# ---------------------------------------------------------------- too little history

def test_too_little_history_says_so_instead_of_forecasting():
    # 9 tasks finished (one a day 01-01 .. 01-09): fewer than the 10 a forecast needs.
    data = _export(_finished("2024-01-01", "2024-01-09", per_day=1))
    when = flow.forecast_when_range(data, items=5)
    assert len(when) == 4 and when["steps"].isna().all() and when["date"].isna().all()
    assert when["reason"].str.contains("only 9 tasks finished in the throughput window 2024-01-01 to 2024-01-09").all()
    assert when["completed"].tolist() == [9] * 4 and when["samples"].tolist() == [9] * 4
    how = flow.forecast_how_many_range(data, until="2024-02-01")
    assert how["items"].isna().all() and how["reason"].str.contains("at least 10").all()
    # The threshold is an option: with 5 the same history forecasts (one a day: 5 tasks in 5 days).
    made = flow.forecast_when_range(data, items=5, min_completed=5)
    assert made["reason"].isna().all() and made["steps"].tolist() == [5, 5, 5, 5]


def test_a_forecast_from_before_any_completion_has_no_window(steady):
    out = flow.forecast_when_range(steady, items=5, as_of="2023-12-01")
    assert out["steps"].isna().all() and out["samples"].tolist() == [0] * 4
    assert out["reason"].str.startswith("no throughput to sample by 2023-12-01: no task was finished").all()
    # The single-number forecast no longer fails on it either: it has nothing to sample.
    assert flow.forecast_when(steady, items=5, as_of="2023-12-01").empty


@pytest.mark.parametrize("options, word", [
    (dict(items=(20, 10)), "items"), (dict(items=0), "items"), (dict(items=2.5), "items"),
    (dict(items=10, split_rate=-0.1), "split_rate"), (dict(items=10, split_rate=(0.3, 0.1)), "split_rate"),
    (dict(items=10, min_completed=-1), "min_completed"), (dict(items=10, levels=(0, 50)), "levels"),
])
def test_range_options_are_checked(steady, options, word):
    with pytest.raises(OptionError, match=word) as caught:
        flow.forecast_when_range(steady, **options)
    assert "expected" in str(caught.value) and "Next step" in str(caught.value)


def test_forecasts_do_not_change_their_input(steady):
    before = steady.tasks.copy()
    flow.forecast_when_range(steady, items=(5, 9), split_rate=0.1)
    flow.forecast_how_many_range(steady, until="2024-02-01", items=(5, 9))
    flow.service_level_expectation(steady)
    pd.testing.assert_frame_equal(steady.tasks, before)


# ---------------------------------------------------------------- epics sharing one throughput

def _epic_rows() -> list[dict]:
    """E1 (in progress, 4 open items), E2 (to do, 6 open), both under I1 (an initiative); E3 done with an open
    item (left out); E4 an epic with no children; P1 a story that is the parent of one finished task (S0-0).
    E2 also has a cancelled item (not remaining); X1 names itself as parent (no epic).

    Throughput: 28 tasks (2 a day 01-01 .. 01-14, as in ``steady``); E3's own completion on 01-10 is
    not throughput.  as_of = 2024-01-14.
    """
    def task(tid, kind, category, parent=None, created="2024-01-01", **extra):
        status = {"todo": "To Do", "in_progress": "In Progress", "done": "Done", "cancelled": "Cancelled"}[category]
        return dict(task_id=tid, title=f"{tid} title", task_type=kind, status=status, status_category=category,
                    parent_id=parent, created=created, **extra)
    rows = _finished("2024-01-01", "2024-01-14")
    rows[0]["parent_id"] = "P1"
    rows += [task("I1", "Initiative", "in_progress"),
             task("E1", "Epic", "in_progress", parent="I1", created="2024-01-03"),
             task("E2", "Epic", "todo", parent="I1", created="2024-01-02"),
             task("E3", "Epic", "done", completed="2024-01-10"), task("E4", "Epic", "todo", created="2024-01-05"),
             task("P1", "Story", "in_progress", created="2024-01-06"),
             task("C31", "Story", "todo", parent="E3"), task("C11", "Story", "in_progress", parent="E1"),
             task("C27", "Story", "cancelled", parent="E2"), task("X1", "Story", "todo", parent="X1")]
    rows += [task(f"C1{i}", "Story", "todo", parent="E1") for i in range(2, 5)]
    rows += [task(f"C2{i}", "Story", "todo", parent="E2") for i in range(1, 7)]
    return rows


@pytest.fixture
def epics() -> TaskExport:
    return _export(_epic_rows())


def test_epic_forecast_shares_throughput_round_robin(epics):
    out = flow.epic_forecast(epics, until="2024-01-18").set_index("epic_id")
    # Rank: under way first (E1 in progress, P1 has a finished item, I1 in progress), then by creation.
    assert list(out.index) == ["I1", "E1", "P1", "E2", "E4"]
    assert out["rank"].tolist() == [1, 2, 3, 4, 5]
    assert "E3" not in out.index  # done: left out even with an open item
    assert out.loc["E1", "remaining"] == 4 and out.loc["E2", "remaining"] == 6
    assert out.loc["E2", "children"] == 7  # the cancelled item is a child, not remaining work
    # E1 and E2 share 2 tasks a day in turn: E1 E2 E1 E2 E1 E2 E1 (E1's 4th at task 7, day 4) E2 E2 E2 (task 10,
    # day 5).  By 01-18 (4 days) E1 is done in every run and E2 in none; the 85% dates are 01-18 and 01-19.
    assert out.loc["E1", "likelihood"] == 100.0 and out.loc["E2", "likelihood"] == 0.0
    assert out.loc["E1", "date"] == pd.Timestamp("2024-01-18")
    assert out.loc["E2", "date"] == pd.Timestamp("2024-01-19")
    # P1's only item is finished: done now.  I1's children are epics, and E4 has none: no scope, no forecast.
    assert out.loc["P1", "likelihood"] == 100.0 and out.loc["P1", "date"] == pd.Timestamp("2024-01-14")
    for epic in ("I1", "E4"):
        assert np.isnan(out.loc[epic, "likelihood"]) and pd.isna(out.loc[epic, "date"])
    assert "no child task records its scope" in out.loc["E4", "reason"]
    assert "under its nested epics (E1, E2)" in out.loc["I1", "reason"]
    assert out["depth"].to_dict() == {"I1": 0, "E1": 1, "P1": 1, "E2": 1, "E4": 0}
    # E3's own completion (01-10) is not throughput: 28 tasks, not 29.
    assert out["completed"].iloc[0] == 28 and out["samples"].iloc[0] == 14
    assert out["window_start"].iloc[0] == pd.Timestamp("2024-01-01")


def test_epic_forecast_with_a_wip_limit_and_an_order(epics):
    # One epic at a time, E2 first: E2 gets tasks 1-6 (day 3), E1 tasks 7-10 (day 5).
    out = flow.epic_forecast(epics, until="2024-01-17", epics=["E2", "E1"], wip=1).set_index("epic_id")
    assert list(out.index) == ["E2", "E1"]
    assert out.loc["E2", "date"] == pd.Timestamp("2024-01-17") and out.loc["E2", "likelihood"] == 100.0
    assert out.loc["E1", "date"] == pd.Timestamp("2024-01-19") and out.loc["E1", "likelihood"] == 0.0


def test_epic_forecast_with_a_split_rate(epics):
    # Split 0.5: E1 needs ceil(4 * 1.5) = 6 tasks, E2 9.  In turn, E1's 6th is task 11 (day 6, 01-20);
    # E2 then has 5 and gets tasks 12-15 (day 8, 01-22).
    out = flow.epic_forecast(epics, until="2024-01-20", epics=["E1", "E2"], split_rate=0.5).set_index("epic_id")
    assert out.loc["E1", "date"] == pd.Timestamp("2024-01-20") and out.loc["E1", "likelihood"] == 100.0
    assert out.loc["E2", "date"] == pd.Timestamp("2024-01-22") and out.loc["E2", "likelihood"] == 0.0


def test_epic_forecast_with_too_little_history_forecasts_no_epic():
    # The first three days' 6 tasks only (as_of is then E3's completion, 01-10).
    rows = [r for r in _epic_rows() if not r["task_id"].startswith("S") or r["completed"] < pd.Timestamp("2024-01-04")]
    out = flow.epic_forecast(_export(rows), until="2024-02-01")
    assert out["likelihood"].isna().all() and out["date"].isna().all()
    assert out.set_index("epic_id").loc["E1", "reason"].startswith(
        "only 6 tasks finished in the throughput window 2024-01-01 to 2024-01-10")


def test_epic_forecast_options_are_checked(epics):
    with pytest.raises(OptionError, match="E9"):
        flow.epic_forecast(epics, until="2024-02-01", epics=["E1", "E9"])
    with pytest.raises(OptionError, match="wip"):
        flow.epic_forecast(epics, until="2024-02-01", wip=0)
    with pytest.raises(OptionError, match="until"):
        flow.epic_forecast(epics, until="2024-01-14")


def _dealt_by_hand(need: list[int], wip: int) -> list[int]:
    """The sharing rule item by item: the next task goes to the next working epic in rank after the last one served."""
    left, at, total, last = list(need), [0] * len(need), 0, -1
    while any(left):
        working = [i for i in range(len(need)) if left[i]][:wip]
        after = [i for i in working if i > last]
        pick = after[0] if after else working[0]
        total += 1
        left[pick] -= 1
        if not left[pick]:
            at[pick] = total
        last = pick
    return at


def test_the_fast_sharing_rule_matches_dealing_task_by_task():
    rng = np.random.default_rng(1)
    for width, wip in itertools.product((1, 2, 3, 5), (1, 2, 3, 10)):
        need = rng.integers(1, 9, size=(20, width))
        fast = _deal(need, wip)
        assert [list(r) for r in fast] == [_dealt_by_hand(list(r), wip) for r in need]


# ---------------------------------------------------------------- service-level expectation

@pytest.fixture
def ages() -> TaskExport:
    """D1..D10 started 2024-01-01 and finished k days later (cycle times 1..10); as_of = 2024-01-11.

    In progress on 01-11: O1 (started 01-02, 9 days old), O2 (01-05 12:00, 5.5), O3 (01-08, 3), O4 (01-10, 1),
    and an epic (left out of open work).
    """
    rows = [dict(task_id=f"D{k}", title="d", status="Done", status_category="done", created="2024-01-01",
                 started="2024-01-01 00:00", started_basis="exact", completed_basis="exact",
                 completed=pd.Timestamp("2024-01-01") + pd.Timedelta(days=k)) for k in range(1, 11)]
    for tid, began in (("O1", "2024-01-02 00:00"), ("O2", "2024-01-05 12:00"), ("O3", "2024-01-08 00:00"),
                       ("O4", "2024-01-10 00:00")):
        rows.append(dict(task_id=tid, title=f"{tid} title", status="In Progress", status_category="in_progress",
                         created="2024-01-01", started=began, started_basis="exact"))
    rows.append(dict(task_id="EP", title="epic", task_type="Epic", status="In Progress",
                     status_category="in_progress", created="2024-01-01", started="2024-01-01 00:00"))
    return _export(rows)


def test_service_level_expectation_from_known_cycle_times(ages):
    out = flow.service_level_expectation(ages)
    # Percentiles of 1..10, linear between ranks: p50 = 5.5, p70 = 7.3, p85 = 8.65, p95 = 9.55.
    assert out["level"].tolist() == [50, 70, 85, 95]
    assert out["days"].tolist() == pytest.approx([5.5, 7.3, 8.65, 9.55])
    # Ages 9, 5.5, 3, 1: only O1 is past 5.5 (O2 is exactly 5.5: not past), 7.3 and 8.65; none past 9.55.
    assert out["open_items"].tolist() == [4] * 4
    assert out["past"].tolist() == [1, 1, 1, 0]
    assert out["past_share"].tolist() == pytest.approx([0.25, 0.25, 0.25, 0.0])
    assert out["samples"].tolist() == [10] * 4 and out["reason"].isna().all()
    assert out["window_start"].iloc[0] == pd.Timestamp("2024-01-02")  # the first completion
    assert out["window_end"].iloc[0] == pd.Timestamp("2024-01-11")


def test_service_level_window_and_too_little_history(ages):
    # One week back from 01-11: D4..D10 (cycle times 4..10), 7 of them: fewer than 10.
    short = flow.service_level_expectation(ages, history_weeks=1)
    assert short["days"].isna().all() and short["past"].isna().all()
    assert short["reason"].str.contains("only 7 finished tasks with a cycle time in 2024-01-05 to 2024-01-11").all()
    # Allowed with 5: p50 of 4..10 is 7.0.
    made = flow.service_level_expectation(ages, history_weeks=1, min_completed=5, levels=(50,))
    assert made["days"].tolist() == [7.0] and made["past"].tolist() == [1]


def test_service_level_items_flags_the_tasks_past_it(ages):
    out = flow.service_level_items(ages, level=85).set_index("task_id")
    assert sorted(out.index) == ["O1", "O2", "O3", "O4"]
    assert out["sle_days"].iloc[0] == pytest.approx(8.65)
    assert out["past_sle"].to_dict() == {"O1": True, "O2": False, "O3": False, "O4": False}
    assert out.attrs["expectation"]["samples"] == 10


# ---------------------------------------------------------------- backtest

def test_backtest_on_constant_throughput_hits_every_time():
    data = _export(_finished("2024-01-01", "2024-04-30"))
    out = flow.backtest_forecasts(data, horizon_weeks=4, every_weeks=2, over_weeks=12, runs=500)
    # Origins: 04-30 minus 4 weeks = 04-02, then every 2 weeks back while within 12 weeks (from 02-06).
    origins = [pd.Timestamp(d) for d in ("2024-02-06", "2024-02-20", "2024-03-05", "2024-03-19", "2024-04-02")]
    assert out["origin"].drop_duplicates().tolist() == origins
    how = out[out["forecast"] == "how many"]
    # 28 days at 2 a day: 56 forecast, 56 finished.  "When": 56 (the 4 weeks before) in 28 days, on the day.
    assert how["predicted_items"].tolist() == [56] * 5 and how["actual_items"].tolist() == [56] * 5
    when = out[out["forecast"] == "when"]
    assert when["items"].tolist() == [56] * 5
    assert when["predicted_date"].tolist() == when["actual_date"].tolist() == [o + pd.Timedelta(days=28)
                                                                               for o in origins]
    assert out["hit"].tolist() == [True] * 10
    rate = flow.backtest_hit_rate(out)
    assert rate.to_dict("records") == [
        dict(forecast="how many", level=85.0, origins=5, scored=5, hits=5, hit_rate=1.0),
        dict(forecast="when", level=85.0, origins=5, scored=5, hits=5, hit_rate=1.0)]


def test_backtest_counts_misses_when_the_team_stops():
    # 2 a day until 03-15, then nothing to 04-30.  Only the 02-06 origin (horizon to 03-05) saw what it
    # forecast; from 02-20 on fewer were finished than the forecast said ("how many"), and the backlog was
    # still not done when its date passed ("when": 56, 56, ~48 and ~20 items, all dates before 04-30).
    data = _export(_finished("2024-01-01", "2024-03-15"))
    out = flow.backtest_forecasts(data, over_weeks=12, as_of="2024-04-30", runs=500)
    assert out.loc[out["forecast"] == "how many", "hit"].tolist() == [True, False, False, False, False]
    assert out.loc[out["forecast"] == "when", "hit"].tolist() == [True, False, False, False, False]
    assert flow.backtest_hit_rate(out)["hit_rate"].tolist() == pytest.approx([0.2, 0.2])


def test_backtest_leaves_forecasts_without_enough_history_unscored():
    # Origins back to 01-09; by then 18 tasks were finished, fewer than the 20 asked for.
    data = _export(_finished("2024-01-01", "2024-04-30"))
    out = flow.backtest_forecasts(data, over_weeks=16, min_completed=20, runs=500)
    first = out[out["origin"] == pd.Timestamp("2024-01-09")]
    assert first["hit"].isna().all() and not first["made"].any()
    assert first["reason"].str.startswith("only 18 tasks finished").all()
    rate = flow.backtest_hit_rate(out)
    assert rate["origins"].tolist() == [7, 7] and rate["scored"].tolist() == [6, 6]
    assert rate["hit_rate"].tolist() == [1.0, 1.0]


def test_backtest_options_are_checked(steady):
    with pytest.raises(OptionError, match="over_weeks"):
        flow.backtest_forecasts(steady, horizon_weeks=8, over_weeks=4)
    with pytest.raises(OptionError, match="every_weeks"):
        flow.backtest_forecasts(steady, every_weeks=0)
    with pytest.raises(OptionError, match="backtest_forecasts"):
        flow.backtest_hit_rate(pd.DataFrame({"x": [1]}))


# ---------------------------------------------------------------- charts

def _texts(fig: go.Figure) -> list[str]:
    found = []

    def walk(node):
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)
    walk(fig.to_plotly_json())
    return found


def test_range_chart_states_the_window_or_the_reason(steady):
    fig = forecast_charts.forecast_range_chart(flow.forecast_when_range(steady, items=(10, 20), split_rate=0.2))
    assert isinstance(fig, go.Figure) and len(fig.data) == 1
    assert "10 to 20 items" in fig.layout.title.text and "20%" in fig.layout.title.text
    assert "2024-01-01 to 2024-01-14: 14 samples, 28 tasks finished" in fig.layout.title.text
    assert fig.layout.template == house_template()  # the house style, as every flow chart
    bars = forecast_charts.forecast_range_chart(flow.forecast_how_many_range(steady, until="2024-01-24"))
    assert list(bars.data[0].y) == [20.0] * 4
    none = forecast_charts.forecast_range_chart(flow.forecast_when_range(steady, items=5, as_of="2023-12-01"))
    assert len(none.data) == 0 and "no task was finished" in none.layout.annotations[0].text
    with pytest.raises(SchemaError, match="forecast_when_range"):
        forecast_charts.forecast_range_chart(pd.DataFrame({"x": [1]}))


def test_epic_chart_escapes_titles_and_shows_every_epic(epics):
    tasks = epics.tasks.copy()
    tasks.loc[tasks["task_id"] == "E1", "title"] = EVIL
    evil = TaskExport(tasks=tasks, events=epics.events, raw=epics.raw, report=epics.report)
    fig = forecast_charts.epic_forecast_chart(flow.epic_forecast(evil, until="2024-01-18"))
    assert len(fig.data) == 1 and len(fig.data[0].y) == 5
    assert list(fig.data[0].y)[-1].startswith("I1: ")  # rank 1 drawn at the top
    assert not any("<img" in s for s in _texts(fig))
    assert any("&lt;img" in s for s in fig.data[0].y)


def test_service_level_and_backtest_charts(ages):
    sle = forecast_charts.service_level_chart(flow.service_level_expectation(ages))
    assert list(sle.data[0].y) == pytest.approx([5.5, 7.3, 8.65, 9.55])
    assert "10 cycle times" in sle.layout.title.text
    data = _export(_finished("2024-01-01", "2024-03-15"))
    bt = flow.backtest_forecasts(data, over_weeks=12, as_of="2024-04-30", runs=500)
    fig = forecast_charts.backtest_chart(bt)
    assert "1 of 5 came true (20%)" in fig.layout.title.text
    assert {t.name for t in fig.data} == {"forecast (85%)", "came true", "missed"}
    when = forecast_charts.backtest_chart(bt, forecast="when")
    assert "missed, still not finished" in {t.name for t in when.data}

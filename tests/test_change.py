"""Scores over time and before/after with bootstrap intervals, on exports whose answers are worked out by hand.

The signal read throughout is Work Visibility's *Private* score: 100 - the share of finished tasks logged
after the fact.  Without history a finished task is "late" when it was completed within an hour of its
creation, so a month's score is set by how many of its tasks finish within the hour.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import workfw as wf
from workfw.all_frameworks import as_export
from workfw.change import (COMPARE_COLUMNS, MOVER_COLUMNS, SCORE_COLUMNS, ChangeError, compare, difference_figure,
                           movers, scores_over_time, trend, trend_figure)
from workfw.errors import OptionError, WorkfwError
from workfw.schema import conform_tasks


def _ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def _done(task_id: str, created: str, late: bool, *, title: str | None = None) -> dict:
    """A finished task: completed 30 minutes after creation when ``late``, else 12 days later."""
    start = _ts(created)
    end = start + (pd.Timedelta(minutes=30) if late else pd.Timedelta(days=12))
    return dict(task_id=task_id, title=title or f"title {task_id}", status="Done", status_category="done",
                team="Platform", created=start, updated=end, completed=end)


def _table(rows: list[dict]) -> pd.DataFrame:
    return conform_tasks(pd.DataFrame(rows))


def _months() -> pd.DataFrame:
    """Jan: 10 tasks, all late (Private 0).  Feb: 10, none late (100).  Mar: 2 (a gap).  Apr: 10, 5 late (50)."""
    rows = [_done(f"J{i}", "2026-01-05", True) for i in range(10)]
    rows += [_done(f"F{i}", "2026-02-02", False) for i in range(10)]
    rows += [_done(f"M{i}", "2026-03-03", False) for i in range(2)]
    rows += [_done(f"A{i}", "2026-04-01", i < 5) for i in range(10)]
    return _table(rows)


def _private(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[(frame["framework"] == "visibility") & (frame["element"] == "Private")].reset_index(drop=True)


# ----------------------------------------------------------------------------------------- scores over time

def test_scores_over_time_gives_each_month_its_own_score_and_a_gap_for_a_thin_month():
    tasks = _months()
    before = tasks.copy()
    scores = scores_over_time(tasks, frameworks="visibility", min_tasks=5)
    assert list(scores.columns) == list(SCORE_COLUMNS)
    private = _private(scores)
    assert [p.strftime("%Y-%m") for p in private["period"]] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    # Each month's window holds its own tasks only: the earlier ones finished before it began.
    assert private["tasks"].tolist() == [10, 10, 2, 10]
    assert private["score"].iloc[[0, 1, 3]].tolist() == [0.0, 100.0, 50.0]
    assert np.isnan(private["score"].iloc[2])
    assert private["reason"].iloc[2] == "only 2 tasks in this period (fewer than min_tasks=5)"
    assert private["reason"].iloc[[0, 1, 3]].isna().all()
    # The last point is as of the export's last activity (Apr 13, 12 days after Apr 1), earlier ones month ends.
    assert private["period_end"].iloc[1] == pd.Period("2026-02", "M").end_time.tz_localize("UTC")
    assert private["period_end"].iloc[3] == _ts("2026-04-13")
    assert scores.attrs["rule"] == "tasks open or active in each month, as they stood at its end; under 5 tasks: a gap"
    pd.testing.assert_frame_equal(tasks, before)


def test_a_point_equals_the_diagnosis_of_its_window():
    tasks = _months()
    scores = _private(scores_over_time(tasks, frameworks="visibility", min_tasks=1))
    end = scores["period_end"].iloc[3]
    direct = wf.visibility.diagnose(wf.change.state_at(tasks, end), as_of=end, window=(_ts("2026-04-01"), end))
    assert direct.summary.at["Private", "score"] == scores["score"].iloc[3] == 50.0


def test_not_measurable_elements_stay_nan_with_their_reason():
    scores = scores_over_time(_months(), frameworks="visibility", min_tasks=5)
    team = scores[(scores["element"] == "Team Visible") & (scores["tasks"] >= 5)]
    assert len(team) == 3 and team["score"].isna().all()
    assert team["reason"].str.startswith("too little of this element is measurable").all()
    # The only 0 is January's Private score, which was measured as 0.
    zero = scores[scores["score"] == 0]
    assert zero[["element", "tasks"]].values.tolist() == [["Private", 10]]


def test_quarters_and_a_trailing_window():
    quarters = _private(scores_over_time(_months(), frameworks="visibility", freq="Q", min_tasks=5))
    # Q1 ends Mar 31: Jan (10 late) and Feb (10 on time) finished inside it, Mar's 2 too: 10 of 22 late.
    assert quarters["tasks"].tolist() == [22, 10]
    assert quarters["score"].round(1).tolist() == [round(100 - 100 * 10 / 22, 1), 50.0]
    trailing = _private(scores_over_time(_months(), frameworks="visibility", window_days=60, min_tasks=5))
    # Feb's point counts the 60 days before Feb 28: January's late tasks too, 10 of 20.
    assert trailing["tasks"].tolist()[:2] == [10, 20] and trailing["score"].tolist()[:2] == [0.0, 50.0]


def test_scores_over_time_refuses_what_it_cannot_do():
    with pytest.raises(ChangeError, match="freq='W'"):
        scores_over_time(_months(), freq="W")
    with pytest.raises(ChangeError, match="min_tasks=0"):
        scores_over_time(_months(), min_tasks=0)
    with pytest.raises(ChangeError, match="expected no window"):
        scores_over_time(_months(), window=("2026-01-01", "2026-02-01"))
    with pytest.raises(OptionError, match="stale_dayz"):
        scores_over_time(_months(), stale_dayz=3)
    assert issubclass(ChangeError, WorkfwError)


def test_an_export_without_creation_dates_gives_no_points_and_says_why():
    tasks = _months().assign(created=pd.NaT)
    scores = scores_over_time(tasks, frameworks="visibility")
    assert scores.empty and "no creation dates" in scores.attrs["reason"]
    fig = trend_figure(scores)
    assert "no creation dates" in fig.layout.annotations[0].text


def test_trend_figure_draws_gaps_not_zeros_with_task_counts():
    scores = scores_over_time(_months(), frameworks="visibility", min_tasks=5)
    fig = trend_figure(scores)
    private = next(t for t in fig.data if t.name == "Private")
    assert private.connectgaps is False
    assert list(private.y[:2]) == [0.0, 100.0] and np.isnan(private.y[2]) and private.y[3] == 50.0
    assert [c[0] for c in private.customdata] == [10, 10, 2, 10]
    bars = next(t for t in fig.data if t.type == "bar")
    assert list(bars.y) == [10, 10, 2, 10]
    assert "Work Visibility: scores over time" in fig.layout.title.text
    assert "under 5 tasks: a gap" in fig.layout.title.text
    with pytest.raises(ChangeError, match="framework='c4_flywheel'"):
        trend_figure(scores, framework="c4_flywheel")


def test_trend_is_one_call_for_a_notebook():
    fig = trend(_months(), framework="visibility", min_tasks=5)
    assert [t.name for t in fig.data][0] == "Private"


# ----------------------------------------------------------------------------------------------- compare

def _shares(late: int, *, n: int = 40, prefix: str = "T", title: str | None = None) -> pd.DataFrame:
    return _table([_done(f"{prefix}{i:02d}", "2026-03-02", i < late, title=title) for i in range(n)])


def test_two_identical_exports_differ_by_nothing_and_within_noise():
    first = _shares(20)
    table = compare(first, first.copy(), frameworks="visibility", n_boot=20)
    assert list(table.columns) == list(COMPARE_COLUMNS)
    row = table.set_index("element").loc["Private"]
    assert (row["before"], row["after"], row["difference"]) == (50.0, 50.0, 0.0)
    assert row["low"] <= 0 <= row["high"] and row["status"] == "within noise"
    assert (row["tasks_before"], row["tasks_after"]) == (40, 40)


def test_a_clear_change_has_an_interval_that_excludes_zero_and_names_the_tasks_behind_it():
    table = compare(_shares(30), _shares(4), frameworks="visibility", n_boot=30)
    row = table.set_index("element").loc["Private"]
    assert (row["before"], row["after"], row["difference"]) == (25.0, 90.0, 65.0)
    assert 0 < row["low"] <= 65.0 <= row["high"] and row["status"] == "changed"
    moved = movers(table)
    assert list(moved.columns) == list(MOVER_COLUMNS)
    private = moved[moved["element"] == "Private"]
    # T04..T29 were late before and are on time after: the first five are listed, none newly flagged.
    assert private["task_id"].tolist() == ["T04", "T05", "T06", "T07", "T08"]
    assert set(private["direction"]) == {"no longer flagged"}
    assert private["title"].iloc[0] == "title T04" and (private["difference"] == 65.0).all()


def test_a_small_move_between_different_tasks_reads_as_noise():
    # 20 of 40 late, then 18 of 40 other tasks: a 5-point move well inside what 40 tasks give.
    table = compare(_shares(20), _shares(18, prefix="U"), frameworks="visibility", n_boot=30, allow_disjoint=True)
    row = table.set_index("element").loc["Private"]
    assert row["difference"] == 5.0
    assert row["low"] < 0 < row["high"] and row["status"] == "within noise"


def test_the_seed_makes_the_intervals_reproducible():
    first, second = _shares(20), _shares(18, prefix="U")
    one = compare(first, second, frameworks="visibility", n_boot=10, seed=3, allow_disjoint=True)
    two = compare(first, second, frameworks="visibility", n_boot=10, seed=3, allow_disjoint=True)
    other = compare(first, second, frameworks="visibility", n_boot=10, seed=4, allow_disjoint=True)
    pd.testing.assert_frame_equal(one, two)
    private = [t.set_index("element").loc["Private", ["low", "high"]].tolist() for t in (one, other)]
    assert private[0] != private[1]


def test_not_measurable_elements_stay_not_measurable():
    table = compare(_shares(30), _shares(4), frameworks="visibility", n_boot=10).set_index("element")
    team = table.loc["Team Visible"]
    assert team["status"] == "not measurable" and np.isnan(team["before"]) and np.isnan(team["low"])
    assert team["reason"].startswith("before: too little of this element is measurable")


def test_split_at_compares_the_work_before_and_after_a_date():
    rows = [_done(f"J{i}", "2026-01-05", True) for i in range(20)]
    rows += [_done(f"N{i}", "2026-06-01", i < 2) for i in range(20)]
    tasks = _table(rows)
    kept = tasks.copy()
    table = compare(tasks, split_at="2026-04-01", frameworks="visibility", n_boot=20)
    row = table.set_index("element").loc["Private"]
    assert (row["before"], row["after"], row["difference"]) == (0.0, 90.0, 90.0)
    assert (row["tasks_before"], row["tasks_after"]) == (20, 20) and row["status"] == "changed"
    assert table.attrs["before_label"] == "the tasks created by 2026-04-01" and table.attrs["mode"] == "split"
    pd.testing.assert_frame_equal(tasks, kept)


def test_compare_keeps_a_task_export_and_its_history_unchanged():
    export = wf.load_sample("jira-api")
    tasks, events = export.tasks.copy(), export.events.copy()
    compare(export, split_at="2026-07-01", frameworks="value_pyramid", n_boot=10, team="Platform")
    pd.testing.assert_frame_equal(export.tasks, tasks)
    pd.testing.assert_frame_equal(export.events, events)


def test_compare_refuses_what_it_cannot_compare():
    tasks = _shares(10)
    with pytest.raises(ChangeError, match="outside the export"):
        compare(tasks, split_at="2027-01-01")
    with pytest.raises(ChangeError, match="got neither"):
        compare(tasks)
    with pytest.raises(ChangeError, match="got both"):
        compare(tasks, tasks, split_at="2026-03-05")
    with pytest.raises(ChangeError, match="share no task id"):
        compare(tasks, _shares(10, prefix="U"))
    other = as_export(_shares(10))
    other = dataclasses.replace(other, report=dataclasses.replace(other.report, source="jira-csv"))
    with pytest.raises(ChangeError, match="different trackers"):
        compare(tasks, other)
    with pytest.raises(ChangeError, match="n_boot=5"):
        compare(tasks, tasks, n_boot=5)
    with pytest.raises(ChangeError, match="movers"):
        movers(pd.DataFrame())


def test_a_round_repeats_drawn_tasks_with_their_history_and_keeps_linked_tasks_once():
    from workfw.change.bootstrap import _pointed_at, _resampled, _Side
    from workfw.schema import conform_events

    tasks = _table([dict(_done("E", "2026-03-02", False), task_type="Epic"),
                    dict(_done("B", "2026-03-02", False), parent_id="E"), _done("C", "2026-03-02", True)])
    events = conform_events(pd.DataFrame({"task_id": ["B", "C"], "at": [_ts("2026-03-03"), _ts("2026-03-04")],
                                          "field": ["status", "status"], "old": ["To Do", "To Do"],
                                          "new": ["Done", "Done"], "author": [None, None]}))
    export = dataclasses.replace(as_export(tasks), events=events)
    side = _Side(export, None, None, "x")
    assert _pointed_at((side, side)) == {"E"}
    # B drawn twice, C not at all; E is not in the draw (it is anchored) and stays once.
    built = _resampled(export, pd.Series({"B": 2, "C": 0}))
    assert built.tasks["task_id"].tolist() == ["E", "B", "B#copy1"]
    assert built.tasks["parent_id"].tolist()[1:] == ["E", "E"]
    assert built.events["task_id"].tolist() == ["B", "B#copy1"]
    assert export.tasks["task_id"].tolist() == ["E", "B", "C"] and len(export.events) == 2


def test_difference_figure_draws_each_interval_around_a_zero_line():
    table = compare(_shares(30), _shares(4), frameworks="visibility", n_boot=10)
    fig = difference_figure(table)
    changed = next(t for t in fig.data if t.name == "changed")
    assert list(changed.x) == [65.0]
    row = table.set_index("element").loc["Private"]
    assert changed.error_x.array[0] == pytest.approx(row["high"] - 65.0)
    assert changed.error_x.arrayminus[0] == pytest.approx(65.0 - row["low"])
    assert any(s.type == "line" and s.x0 == 0 and s.x1 == 0 for s in fig.layout.shapes)
    grey = next(t for t in fig.data if t.name == "not measurable")
    assert len(grey.y) == 4 and set(grey.text) == {"not measurable"}


def test_compare_on_the_sample_with_every_framework_runs_in_reasonable_time():
    import time

    export = wf.load_sample()
    start = time.perf_counter()
    table = compare(export, split_at="2026-06-01", n_boot=10)
    assert time.perf_counter() - start < 60
    assert set(table["framework"]) == {"c4_flywheel", "coordination_stack", "value_pyramid", "visibility"}
    assert set(table["status"]) <= {"changed", "within noise", "not measurable"}

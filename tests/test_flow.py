"""Flow metrics on small hand-built exports; every expected value is worked out in the comments."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workfw import flow
from workfw.errors import OptionError
from workfw.export import ImportReport, TaskExport
from workfw.schema import conform_events, conform_tasks, empty_events


def _export(rows: list[dict], events: list[tuple] | None = None) -> TaskExport:
    tasks = conform_tasks(pd.DataFrame(rows))
    history = (conform_events(pd.DataFrame(events, columns=["task_id", "at", "field", "old", "new", "author"]))
               if events else empty_events())
    return TaskExport(tasks=tasks, events=history, raw=pd.DataFrame(),
                      report=ImportReport(source="test", file="test.csv", rows_read=len(tasks)))


def _day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.fixture
def history() -> TaskExport:
    """Seven tasks; T1-T4 have status history, T5-T7 only timestamps.

    T1 backward move: To Do -> In Progress (Tue 01-02 09:00) -> To Do (01-03 09:00) -> In Progress (01-04 09:00)
       -> Done (Mon 01-08 09:00).  Starts at the first move: cycle 6.0 days, lead 7.0 (created 01-01 09:00).
    T2 skipped stage: To Do -> Review (01-03 09:00, not in the task table: keyword "review" = in progress)
       -> Done (01-05 21:00): cycle 2.5, lead 4.5.
    T3 straight to done (01-09 00:00) from To Do, created 01-02 00:00: no start, cycle = lead = 7.0, approximate.
    T4 in progress: To Do -> In Progress (01-06) -> Blocked (01-08) -> In Progress (01-10 12:00): blocked 2.5 days.
    T5 to do, created 01-12 00:00 (the latest timestamp, so as_of), blocked by T4.
    T6 in progress from explicit start 01-11, label Flagged.  T7 in progress, no start, created 01-01 00:00.
    """
    rows = [
        dict(task_id="T1", title="one", status="Done", status_category="done", assignee="Ann", team="A",
             created="2024-01-01 09:00", updated="2024-01-08 09:00", completed="2024-01-08 09:00",
             completed_basis="exact"),
        dict(task_id="T2", title="two", status="Done", status_category="done", assignee="GitHub Copilot", team="A",
             created="2024-01-01 09:00", updated="2024-01-05 21:00"),
        dict(task_id="T3", title="three", status="Done", status_category="done", assignee="Bob", team="B",
             created="2024-01-02 00:00", updated="2024-01-09 00:00"),
        dict(task_id="T4", title="four", status="In Progress", status_category="in_progress", assignee="Ann",
             team="A", created="2024-01-05 00:00", updated="2024-01-10 12:00"),
        dict(task_id="T5", title="five", status="To Do", status_category="todo", team="B",
             created="2024-01-12 00:00", updated="2024-01-12 00:00", blocked_by=["T4"]),
        dict(task_id="T6", title="six", status="In Progress", status_category="in_progress", assignee="Bob",
             team="B", created="2024-01-10 00:00", updated="2024-01-11 00:00", started="2024-01-11 00:00",
             started_basis="exact", labels=["Flagged"]),
        dict(task_id="T7", title="seven", status="In Progress", status_category="in_progress", assignee="Cy",
             team="B", created="2024-01-01 00:00"),
        dict(task_id="T8", title="blocked state", status="Blocked", status_category="in_progress",
             team="B", created="2024-01-12 00:00", updated="2024-01-12 00:00"),
    ]
    events = [
        ("T1", "2024-01-02 09:00", "status", "To Do", "In Progress", "Ann"),
        ("T1", "2024-01-03 09:00", "status", "In Progress", "To Do", "Ann"),
        ("T1", "2024-01-04 09:00", "status", "To Do", "In Progress", "Ann"),
        ("T1", "2024-01-08 09:00", "status", "In Progress", "Done", "Ann"),
        ("T1", "2024-01-02 08:00", "assignee", None, "Ann", "Ann"),
        ("T2", "2024-01-03 09:00", "status", "To Do", "Review", "GitHub Copilot"),
        ("T2", "2024-01-05 21:00", "status", "Review", "Done", "GitHub Copilot"),
        ("T3", "2024-01-09 00:00", "status", "To Do", "Done", "Bob"),
        ("T4", "2024-01-06 00:00", "status", "To Do", "In Progress", "Ann"),
        ("T4", "2024-01-08 00:00", "status", "In Progress", "Blocked", "Ann"),
        ("T4", "2024-01-10 12:00", "status", "Blocked", "In Progress", "Ann"),
    ]
    return _export(rows, events)


@pytest.fixture
def stamps() -> TaskExport:
    """No history.  U1 Fri 12:00 -> Mon 12:00 exact (3.0 days, 1.0 working day); U2 no start (lead 3.0);
    U3 inferred start 01-02 -> 01-05 (3.0, lead 4.0); U4 done without completion (dropped); U5 open."""
    rows = [
        dict(task_id="U1", title="u1", status="Done", status_category="done", assignee="Ann",
             created="2024-01-05 12:00", started="2024-01-05 12:00", completed="2024-01-08 12:00",
             started_basis="exact", completed_basis="exact"),
        dict(task_id="U2", title="u2", status="Done", status_category="done", assignee="renovate[bot]",
             created="2024-01-01 00:00", completed="2024-01-04 00:00", completed_basis="exact"),
        dict(task_id="U3", title="u3", status="Done", status_category="done", assignee="Ann",
             created="2024-01-01 00:00", started="2024-01-02 00:00", completed="2024-01-05 00:00",
             started_basis="inferred", completed_basis="exact"),
        dict(task_id="U4", title="u4", status="Done", status_category="done", created="2024-01-01 00:00"),
        dict(task_id="U5", title="u5", status="To Do", status_category="todo", created="2024-01-02 00:00"),
    ]
    return _export(rows)


# ---------------------------------------------------------------- cycle time

def test_cycle_times_from_history_backward_move_and_skipped_stage(history):
    out = flow.cycle_times(history).set_index("task_id")
    assert list(out.index) == ["T2", "T1", "T3"]  # by completion: 01-05, 01-08, 01-09
    assert out.loc["T1", "started"] == _day("2024-01-02 09:00")  # first start, not the restart
    assert out.loc["T1", "completed"] == _day("2024-01-08 09:00")
    assert out.loc["T1", "cycle_time_days"] == pytest.approx(6.0)
    assert out.loc["T1", "lead_time_days"] == pytest.approx(7.0)
    assert out.loc["T2", "started"] == _day("2024-01-03 09:00")
    assert out.loc["T2", "cycle_time_days"] == pytest.approx(2.5)
    assert out.loc["T2", "lead_time_days"] == pytest.approx(4.5)
    assert out.loc["T3", "cycle_time_days"] == pytest.approx(7.0)
    assert pd.isna(out.loc["T3", "started"])
    assert out["basis"].tolist() == ["history", "history", "approximate"]
    assert out["kind"].tolist() == ["agent", "person", "person"]


def test_cycle_times_reopened_task_finishes_at_last_done():
    rows = [dict(task_id="R", title="r", status="Done", status_category="done", created="2024-02-01")]
    events = [("R", "2024-02-02", "status", "To Do", "In Progress", None),
              ("R", "2024-02-03", "status", "In Progress", "Done", None),
              ("R", "2024-02-04", "status", "Done", "In Progress", None),
              ("R", "2024-02-06", "status", "In Progress", "Done", None)]
    out = flow.cycle_times(_export(rows, events))
    assert out.loc[0, "completed"] == _day("2024-02-06")
    assert out.loc[0, "cycle_time_days"] == pytest.approx(4.0)


def test_cycle_times_start_options(history):
    created = flow.cycle_times(history, start="created").set_index("task_id")
    assert created.loc["T1", "cycle_time_days"] == pytest.approx(7.0)
    review = flow.cycle_times(history, start="Review").set_index("task_id")
    assert review.loc["T2", "cycle_time_days"] == pytest.approx(2.5)
    assert review.loc["T1", "cycle_time_days"] == pytest.approx(6.0)  # never in Review: first in-progress move
    with pytest.raises(OptionError, match="start"):
        flow.cycle_times(history, start="")


def test_cycle_times_from_timestamps_are_approximate_where_start_is_not_exact(stamps):
    out = flow.cycle_times(stamps).set_index("task_id")
    assert list(out.index) == ["U2", "U3", "U1"]
    assert out.loc["U1", "basis"] == "exact" and out.loc["U1", "cycle_time_days"] == pytest.approx(3.0)
    assert out.loc["U2", "basis"] == "approximate" and out.loc["U2", "cycle_time_days"] == pytest.approx(3.0)
    assert out.loc["U3", "basis"] == "approximate"
    assert out.loc["U3", "cycle_time_days"] == pytest.approx(3.0)
    assert out.loc["U3", "lead_time_days"] == pytest.approx(4.0)
    assert out.attrs["dropped"] == {"done without a completion time": 1}
    assert out.loc["U2", "kind"] == "agent"


def test_working_days_skip_the_weekend(stamps, history):
    out = flow.cycle_times(stamps, working_days=True).set_index("task_id")
    # Fri 12:00 -> Mon 12:00: half of Friday + half of Monday.
    assert out.loc["U1", "cycle_time_days"] == pytest.approx(1.0)
    # Thu 01-04 00:00 lead of U2 from Mon 01-01: Mon, Tue, Wed = 3.0.
    assert out.loc["U2", "cycle_time_days"] == pytest.approx(3.0)
    t1 = flow.cycle_times(history, working_days=True).set_index("task_id").loc["T1"]
    # Tue 09:00 -> Mon 09:00: 15/24 of Tue + Wed, Thu, Fri + 9/24 of Mon = 4.0.
    assert t1["cycle_time_days"] == pytest.approx(4.0)


def test_inputs_are_not_mutated(history):
    before_tasks, before_events = history.tasks.copy(), history.events.copy()
    flow.cycle_times(history)
    flow.cumulative_flow(history)
    flow.aging_wip(history)
    pd.testing.assert_frame_equal(history.tasks, before_tasks)
    pd.testing.assert_frame_equal(history.events, before_events)


# ---------------------------------------------------------------- percentiles

def test_percentiles_linear_between_ranks(history):
    out = flow.percentiles(flow.cycle_times(history))
    # Sorted cycle times 2.5, 6.0, 7.0; rank (n-1)*p: p50 -> 6.0, p70 -> 6.0+0.4, p85 -> 6.7, p95 -> 6.9.
    assert out["level"].tolist() == [50.0, 70.0, 85.0, 95.0]
    assert out["days"].tolist() == pytest.approx([6.0, 6.4, 6.7, 6.9])
    assert out["n"].tolist() == [3, 3, 3, 3]
    by_kind = flow.percentiles(history, levels=(50,), by="kind")
    assert by_kind[["kind", "days"]].values.tolist() == [["agent", 2.5], ["person", 6.5]]
    with pytest.raises(OptionError, match="levels"):
        flow.percentiles(history, levels=(0, 50))


# ---------------------------------------------------------------- throughput and WIP

def test_throughput_zero_fills_weeks_and_splits_by_kind():
    rows = [dict(task_id=f"W{i}", title="w", status="Done", status_category="done", assignee=who,
                 created="2024-01-01", completed=done)
            for i, (who, done) in enumerate([("Ann", "2024-01-03"), ("Copilot", "2024-01-04"), ("Ann", "2024-01-24")])]
    data = _export(rows)
    weekly = flow.throughput(data)
    assert weekly["period"].tolist() == list(pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22"]))
    assert weekly["count"].tolist() == [2, 0, 0, 1]
    split = flow.throughput(data, by="kind")
    assert split.columns.tolist() == ["period", "kind", "count"]
    assert split["count"].tolist() == [1, 1, 0, 0, 0, 0, 0, 1]
    assert split["kind"].tolist() == ["agent", "person"] * 4
    with pytest.raises(OptionError, match="freq"):
        flow.throughput(data, freq="fortnight")
    with pytest.raises(OptionError, match="by"):
        flow.throughput(data, by="labels")


def test_wip_counts_at_end_of_each_day(history):
    out = flow.wip(history).set_index("date")["wip"]
    # End of 01-01: T7. 01-02: T1, T7. 01-03: T1 moved back, T2 in Review, T7. 01-04: T1, T2, T7.
    # 01-05: T2 done. 01-06: T1, T4, T7. 01-08: T1 done, T4 blocked (still in progress). 01-11: T4, T6, T7.
    # 01-12: T4, T6, T7, T8 (created in Blocked).
    expected = {"2024-01-01": 1, "2024-01-02": 2, "2024-01-03": 2, "2024-01-04": 3, "2024-01-05": 2,
                "2024-01-06": 3, "2024-01-08": 2, "2024-01-11": 3, "2024-01-12": 4}
    assert {d: int(out[pd.Timestamp(d)]) for d in expected} == expected
    window = flow.wip(history, window=("2024-01-11", None))
    assert window["wip"].tolist() == [3, 4]  # work started before the window is still counted
    with pytest.raises(OptionError, match="window"):
        flow.wip(history, window="2024-01-11")


def test_wip_by_kind_and_weekly(history):
    by_kind = flow.wip(history, by="kind")
    on_0104 = by_kind[by_kind["date"] == pd.Timestamp("2024-01-04")].set_index("kind")["wip"].to_dict()
    assert on_0104 == {"(none)": 0, "agent": 1, "person": 2}
    weekly = flow.wip(history, freq="W")
    # Snapshot at the end of Sunday 01-07 (T1, T4, T7) and at as_of's week end (T4, T6, T7, T8).
    assert weekly["date"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-08")]
    assert weekly["wip"].tolist() == [3, 4]


# ---------------------------------------------------------------- cumulative flow

def test_cumulative_flow_counts_by_category_with_backward_move(history):
    cfd = flow.cumulative_flow(history)
    table = cfd.pivot(index="date", columns="state", values="count")
    assert cfd.attrs["order"] == ["todo", "in_progress", "done", "cancelled"]
    assert cfd.attrs["basis"] == "history and timestamps"
    # End of 01-03: T1 back in To Do, T3 to do; T2 in Review, T7 in progress.
    assert table.loc[pd.Timestamp("2024-01-03")].to_dict() == {"cancelled": 0, "done": 0, "in_progress": 2, "todo": 2}
    # End of 01-08: T1, T2 done; T3 to do; T4 blocked and T7 in progress.
    assert table.loc[pd.Timestamp("2024-01-08")].to_dict() == {"cancelled": 0, "done": 2, "in_progress": 2, "todo": 1}
    # Every task is in exactly one state once it exists: 8 tasks by the last day.
    assert int(table.loc[pd.Timestamp("2024-01-12")].sum()) == 8
    assert table.index.min() == pd.Timestamp("2024-01-01") and len(table) == 12


def test_cumulative_flow_by_status_name(history):
    cfd = flow.cumulative_flow(history, statuses="all")
    assert cfd.attrs["order"] == ["todo", "To Do", "In Progress", "Review", "Blocked", "Done"]
    day = cfd[cfd["date"] == pd.Timestamp("2024-01-08")].set_index("state")["count"].to_dict()
    assert day == {"todo": 0, "To Do": 1, "In Progress": 1, "Review": 0, "Blocked": 1, "Done": 2}
    listed = flow.cumulative_flow(history, statuses=["To Do", "In Progress", "Done"])
    assert listed.attrs["order"] == ["todo", "To Do", "in_progress", "In Progress", "Done"]
    day = listed[listed["date"] == pd.Timestamp("2024-01-04")].set_index("state")["count"].to_dict()
    # T2 in Review counts under its category.
    assert day == {"todo": 0, "To Do": 1, "In Progress": 2, "in_progress": 1, "Done": 0}


def test_cumulative_flow_without_history(stamps):
    cfd = flow.cumulative_flow(stamps, freq="D")
    assert cfd.attrs["basis"] == "timestamps"
    day = cfd[cfd["date"] == pd.Timestamp("2024-01-04")].set_index("state")["count"].to_dict()
    # U2 done 01-04; U3 started 01-02; U4 is done with no completion or update time, so it counts as
    # done from its creation (01-01); U5 to do.
    assert day == {"todo": 1, "in_progress": 1, "done": 2, "cancelled": 0}


# ---------------------------------------------------------------- aging WIP and blocked time

def test_aging_wip_bands_against_cycle_percentiles(history):
    aging = flow.aging_wip(history)
    assert aging.attrs["as_of"] == _day("2024-01-12")
    assert aging.attrs["percentiles"] == pytest.approx({50.0: 6.0, 70.0: 6.4, 85.0: 6.7, 95.0: 6.9})
    assert aging["task_id"].tolist() == ["T7", "T4", "T6", "T8"]
    assert aging["age_days"].tolist() == pytest.approx([11.0, 6.0, 1.0, 0.0])
    # 6.0 equals p50, so it falls in the band above.
    assert aging["percentile_band"].astype(str).tolist() == ["> p95", "p50-p70", "< p50", "< p50"]
    assert aging["basis"].tolist() == ["approximate", "history", "exact", "approximate"]
    assert aging["stale_days"].iloc[1] == pytest.approx(1.5) and pd.isna(aging["stale_days"].iloc[0])
    later = flow.aging_wip(history, as_of="2024-01-13")
    assert later.set_index("task_id").loc["T4", "age_days"] == pytest.approx(7.0)


def test_aging_wip_without_finished_work_has_no_bands():
    rows = [dict(task_id="A", title="a", status="Doing", status_category="in_progress", created="2024-05-01",
                 updated="2024-05-03")]
    out = flow.aging_wip(_export(rows), working_days=True)
    # Wed 05-01 -> Fri 05-03 (as_of, the latest update): 2 working days; no start, so created stands in.
    assert out["age_days"].tolist() == [2.0] and out["basis"].tolist() == ["approximate"]
    assert pd.isna(out["percentile_band"].iloc[0])
    assert "no finished task" in out.attrs["reason"]


def test_aging_wip_leaves_out_epics_initiatives_and_goals():
    common = dict(status="In Progress", status_category="in_progress", created="2024-03-01",
                  updated="2024-03-10", started="2024-03-02", started_basis="exact")
    rows = [dict(task_id="E1", title="epic", task_type="Epic", **common),
            dict(task_id="I1", title="initiative", task_type=" initiative ", **common),
            dict(task_id="G1", title="goal", task_type="Goal", **common),
            dict(task_id="S1", title="story", task_type="Story", parent_id="E1", **common),
            dict(task_id="B1", title="bug", task_type="Bug", **common),
            dict(task_id="N1", title="no type", **common)]
    export = _export(rows)
    # Only the work items age; the containers stay "in progress" for as long as their children move.
    assert sorted(flow.aging_wip(export)["task_id"]) == ["B1", "N1", "S1"]
    assert sorted(flow.aging_wip(export, exclude_types=())["task_id"]) == ["B1", "E1", "G1", "I1", "N1", "S1"]
    assert sorted(flow.aging_wip(export, exclude_types=["bug"])["task_id"]) == ["E1", "G1", "I1", "N1", "S1"]
    assert {"Epic", "Initiative", "Goal", "Milestone", "Project"} <= set(flow.CONTAINER_TYPES)


def test_blocked_time_from_history_links_and_labels(history):
    out = flow.blocked_time(history).set_index("task_id")
    assert list(out.index) == ["T4", "T5", "T6", "T8"]
    assert out.loc["T4", "blocked_days"] == pytest.approx(2.5)
    assert out.loc["T4", "recorded_by"] == "history" and not out.loc["T4", "currently_blocked"]
    assert out.loc["T5", "blocked_by"] == "T4" and out.loc["T5", "recorded_by"] == "link"
    assert bool(out.loc["T5", "currently_blocked"]) and pd.isna(out.loc["T5", "blocked_days"])
    assert out.loc["T6", "recorded_by"] == "label"
    assert out.loc["T8", "recorded_by"] == "status" and out.loc["T8", "basis"] == "current state only"


def test_blocked_time_open_spell_runs_to_as_of():
    rows = [dict(task_id="B1", title="b", status="Blocked", status_category="in_progress", created="2024-03-01")]
    events = [("B1", "2024-03-02", "status", "To Do", "Blocked", None)]
    out = flow.blocked_time(_export(rows, events), as_of="2024-03-05 12:00")
    assert out["blocked_days"].tolist() == [pytest.approx(3.5)]
    assert out["recorded_by"].tolist() == ["status, history"]


def test_blocked_time_not_recorded(stamps):
    out = flow.blocked_time(stamps)
    assert out.empty
    assert "records no blocking" in out.attrs["reason"]


# ---------------------------------------------------------------- forecasts and Little's law

@pytest.fixture
def steady() -> TaskExport:
    """One task finished each weekday 2024-01-01 .. 01-12 (10 tasks); as_of = Fri 01-12."""
    days = pd.bdate_range("2024-01-01", "2024-01-12")
    rows = [dict(task_id=f"S{i}", title="s", status="Done", status_category="done", created="2024-01-01",
                 completed=d) for i, d in enumerate(days)]
    return _export(rows)


def test_forecast_with_constant_throughput_is_exact(steady):
    how_many = flow.forecast_how_many(steady, until="2024-01-24", working_days=True)
    # Every sampled weekday had exactly 1; weekdays 01-15 .. 01-24 are 8.
    assert how_many["items"].tolist() == [8, 8, 8, 8]
    when = flow.forecast_when(steady, items=5, working_days=True)
    assert when["steps"].tolist() == [5, 5, 5, 5]
    assert when["date"].tolist() == [pd.Timestamp("2024-01-19")] * 4


def test_forecast_weekly_samples_whole_weeks(steady):
    # Window 01-01 .. 01-12 holds one whole 7-day block (01-06 .. 01-12) with 5 finished tasks;
    # 2024-02-02 is 21 days = 3 weeks after as_of.
    out = flow.forecast_how_many(steady, until="2024-02-02", freq="W")
    assert out["items"].tolist() == [15, 15, 15, 15]
    assert out.attrs["steps"] == 3 and out.attrs["sampled"] == 1


def test_forecast_is_seeded_and_monotonic(steady):
    # Speed is measured in benchmarks/ (forecast_when), not asserted here.
    first = flow.forecast_how_many(steady, until="2024-02-29", runs=10000, seed=7)
    again = flow.forecast_how_many(steady, until="2024-02-29", runs=10000, seed=7)
    pd.testing.assert_frame_equal(first, again)
    items = first["items"].tolist()
    assert items == sorted(items, reverse=True) and items[0] > items[-1]
    # Calendar days sample 10 ones and 2 zeros (the weekend): 48 days average 40.
    assert 36 <= items[1] <= 42
    when = flow.forecast_when(steady, items=30, runs=10000, seed=7)
    assert when["date"].is_monotonic_increasing
    pd.testing.assert_frame_equal(when, flow.forecast_when(steady, items=30, runs=10000, seed=7))


def test_forecast_options_are_checked(steady, stamps):
    with pytest.raises(OptionError, match="until"):
        flow.forecast_how_many(steady, until="2024-01-01")
    with pytest.raises(OptionError, match="items"):
        flow.forecast_when(steady, items=0)
    empty = flow.forecast_when(stamps, items=3, as_of="2024-06-01", history_weeks=2)
    assert empty.empty and "no task was finished" in empty.attrs["reason"]


def test_littles_law():
    assert flow.littles_law(wip=10, throughput_per_week=5) == pytest.approx(14.0)
    assert flow.littles_law(wip=3, throughput_per_week=1.5) == pytest.approx(14.0)
    with pytest.raises(OptionError, match="throughput_per_week"):
        flow.littles_law(wip=3, throughput_per_week=0)


def test_cycle_times_order_is_pandas_two_key_sort_even_on_ties_and_accents() -> None:
    from workfw.flow.times import _by_completion

    rng = np.random.default_rng(7)
    n = 3000
    frame = pd.DataFrame({"task_id": pd.array([f"PRJ-{i}" for i in rng.permutation(n)], dtype="string"),
                          "completed": pd.to_datetime(rng.integers(0, 200, n) * 60 * 10**9, utc=True),
                          "x": np.arange(n)})
    frame.loc[[5, 6, 7, 8], "task_id"] = ["Żółw-1", "zebra", "Zebra", "äpfel"]
    frame.loc[[5, 6, 7, 8], "completed"] = frame.loc[9, "completed"]  # ties broken by the id, as Python orders it
    expected = frame.sort_values(["completed", "task_id"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(_by_completion(frame), expected)
    assert _by_completion(frame.iloc[:0]).empty


def _counted_by_strings(spans, state, groups, samples):
    """The counting the flow metrics did before they used codes: one string comparison per (group, state)."""
    group = spans["task_id"].map(groups).to_numpy() if groups is not None else np.full(len(spans), "")
    state = state.to_numpy()
    starts = pd.DatetimeIndex(spans["start"]).as_unit("ns").asi8
    ends = np.where(spans["end"].isna().to_numpy(), np.iinfo(np.int64).max,
                    pd.DatetimeIndex(spans["end"]).as_unit("ns").asi8)
    out = {}
    for g in sorted(pd.unique(group)):
        for st in pd.unique(state[pd.notna(state)]):
            pick = (group == g) & (state == st)
            s, e = np.sort(starts[pick]), np.sort(ends[pick])
            counts = np.searchsorted(s, samples, side="right") - np.searchsorted(e, samples, side="right")
            out[(g, st)] = counts.tolist()
    return out


@pytest.mark.parametrize("by", [None, "team"])
def test_cumulative_flow_by_codes_counts_what_string_comparison_counted(by) -> None:
    from workfw.flow.metrics import _states
    from workfw.flow.inputs import _status_events
    from workfw.flow.times import _intervals

    import workfw as wf

    export = wf.read_export(wf.sample_path("jira"))
    got = flow.cumulative_flow(export, freq="W", statuses="all", by=by)
    spans = _intervals(export.tasks, _status_events(export, export.tasks))
    state, _ = _states(spans, "all")
    groups = None if by is None else pd.Series(export.tasks[by].astype("string").fillna("(none)").to_numpy(),
                                               index=export.tasks["task_id"])
    samples = (pd.DatetimeIndex(got["date"].unique()) + pd.offsets.Week(weekday=6) + pd.Timedelta(days=1)
               - pd.Timedelta(1, "ns")).tz_localize("UTC").as_unit("ns").asi8
    expected = _counted_by_strings(spans, state, groups, samples)
    for (g, st), counts in expected.items():
        rows = got[(got["state"] == st) & ((got[by] == g) if by else True)]
        assert rows["count"].tolist() == counts, (g, st)
    assert len(got) == len(expected) * len(samples)


def test_flow_efficiency_with_history_and_nothing_done_yet() -> None:
    # Spans exist but no task is done: the done tasks' times were mapped through an empty Series (TypeError).
    export = _export([dict(task_id="T1", title="one", status="In Review", status_category="in_progress",
                           created=_day("2024-01-01"))],
                     [("T1", "2024-01-02", "status", "To Do", "In Progress", "Ann"),
                      ("T1", "2024-01-03", "status", "In Progress", "In Review", "Ann")])
    table = flow.flow_efficiency(export, stages={"In Review": "waiting"})
    assert table.empty and list(table.columns)[-1] == "flow_efficiency"  # no finished task to score yet

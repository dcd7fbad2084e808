"""An export wound back to an earlier time (``state_at``), on a hand-built export whose past is known."""
from __future__ import annotations

import pandas as pd
import pytest

import workfw as wf
from workfw.change import state_at
from workfw.errors import OptionError
from workfw.export import ImportReport, TaskExport
from workfw.schema import conform_events, conform_tasks


def _ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def _export() -> TaskExport:
    """Five tasks with a known past.

    - A: To Do (Jan 1) -> In Progress (Jan 10) -> Done (Jan 20); assignee Ann, then Bob on Jan 15.
    - B: created Jan 5, no history, started Jan 12, finished Feb 1.
    - C: created Feb 15, open today, no history, started Mar 10.
    - D: created Mar 5: after Mar 1, so not there then.
    - E: Done Jan 8, Reopened Jan 25, Done again Feb 20.
    """
    tasks = conform_tasks(pd.DataFrame([
        dict(task_id="A", title="a", status="Done", status_category="done", assignee="Bob", assignees=["Bob"],
             created=_ts("2026-01-01"), updated=_ts("2026-01-20"), started=_ts("2026-01-10"),
             completed=_ts("2026-01-20"), resolution="Fixed"),
        dict(task_id="B", title="b", status="Done", status_category="done", created=_ts("2026-01-05"),
             updated=_ts("2026-02-01"), started=_ts("2026-01-12"), completed=_ts("2026-02-01"), resolution="Fixed"),
        dict(task_id="C", title="c", status="In Progress", status_category="in_progress",
             created=_ts("2026-02-15"), updated=_ts("2026-03-10"), started=_ts("2026-03-10")),
        dict(task_id="D", title="d", status="To Do", status_category="todo", created=_ts("2026-03-05"),
             updated=_ts("2026-03-05")),
        dict(task_id="E", title="e", status="Done", status_category="done", created=_ts("2026-01-02"),
             updated=_ts("2026-02-20"), started=_ts("2026-01-03"), completed=_ts("2026-02-20")),
    ]))
    moves = [("A", "2026-01-10", "status", "To Do", "In Progress"), ("A", "2026-01-20", "status", "In Progress", "Done"),
             ("A", "2026-01-15", "assignee", "Ann", "Bob"),
             ("E", "2026-01-08", "status", "In Progress", "Done"), ("E", "2026-01-25", "status", "Done", "Reopened"),
             ("E", "2026-02-20", "status", "Reopened", "Done")]
    events = conform_events(pd.DataFrame([dict(task_id=t, at=_ts(a), field=f, old=o, new=n, author="x")
                                          for t, a, f, o, n in moves]))
    return TaskExport(tasks=tasks, events=events, raw=pd.DataFrame(index=tasks.index),
                      report=ImportReport(source="table", file="past.csv", rows_read=len(tasks)))


def _row(export: TaskExport, task_id: str) -> pd.Series:
    return export.tasks.set_index("task_id").loc[task_id]


def test_statuses_dates_and_people_are_wound_back_from_the_history():
    export = _export()
    before = export.tasks.copy()
    then = state_at(export, "2026-01-12")
    assert list(then.tasks["task_id"]) == ["A", "B", "E"]  # C and D were not created yet
    a = _row(then, "A")
    assert (a["status"], a["status_category"]) == ("In Progress", "in_progress")
    assert pd.isna(a["completed"]) and pd.isna(a["resolution"]) and a["started"] == _ts("2026-01-10")
    assert a["assignee"] == "Ann" and a["assignees"] == ["Ann"]  # Bob took it on Jan 15
    assert a["updated"] == _ts("2026-01-10")  # its last recorded change by then
    e = _row(then, "E")
    # Finished on Jan 8 (reopened later): done then, finished at its move into done.
    assert e["status_category"] == "done" and e["completed"] == _ts("2026-01-08")
    assert (then.events["at"] <= _ts("2026-01-12")).all() and len(then.events) == 2
    pd.testing.assert_frame_equal(export.tasks, before)  # nothing changed in place


def test_a_reopened_task_is_open_while_reopened():
    e = _row(state_at(_export(), "2026-02-01"), "E")
    assert (e["status"], e["status_category"]) == ("Reopened", "in_progress")
    assert pd.isna(e["completed"])


def test_tasks_without_history_are_judged_from_their_dates():
    then = state_at(_export(), "2026-01-08")
    b = _row(then, "B")
    # B finished on Feb 1 and started on Jan 12: on Jan 8 it waited, status name unknown.
    assert b["status_category"] == "todo" and pd.isna(b["status"]) and pd.isna(b["started"])
    assert pd.isna(b["completed"]) and pd.isna(b["resolution"])
    later = _row(state_at(_export(), "2026-01-20"), "B")
    assert later["status_category"] == "in_progress" and later["started"] == _ts("2026-01-12")
    c = _row(state_at(_export(), "2026-03-01"), "C")
    assert c["status_category"] == "todo" and pd.isna(c["started"])  # started on Mar 10
    note = state_at(_export(), "2026-01-08").report.warnings[-1]
    assert "2026-01-08" in note and "2 tasks created later left out" in note
    assert "2 statuses from the history" in note and "1 from the dates alone" in note


def test_the_present_gives_the_export_itself():
    export = _export()
    assert state_at(export, "2026-03-10") is export
    assert state_at(export, "2027-01-01") is export


def test_a_task_table_without_history_is_wound_back_by_its_dates():
    then = state_at(_export().tasks, "2026-01-15")
    assert _row(then, "A")["status_category"] == "in_progress"  # started Jan 10, finished Jan 20
    assert then.events.empty


def test_a_bad_time_is_named():
    with pytest.raises(OptionError, match="when='soon'"):
        state_at(_export(), "soon")
    with pytest.raises(OptionError, match="TaskExport"):
        state_at([1, 2], "2026-01-01")


def test_the_sample_wound_back_to_its_middle_is_consistent():
    export = wf.load_sample()
    middle = export.tasks["created"].quantile(0.5)
    then = state_at(export, middle)
    t = then.tasks
    assert len(t) < len(export.tasks) and (t["created"] <= middle).all()
    for col in ("completed", "started", "updated"):
        assert not (t[col] > middle).any(), col
    assert t.loc[t["status_category"].isin(["todo", "in_progress"]), "completed"].isna().all()
    # Fewer finished then than now, among the tasks that existed then.
    now = export.tasks.set_index("task_id").loc[t["task_id"], "status_category"]
    assert (t["status_category"] == "done").sum() < (now == "done").sum()

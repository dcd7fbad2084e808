"""Workflow stages, time in stage and flow efficiency on hand-built histories; answers worked out in comments."""
from __future__ import annotations

import pandas as pd
import pytest

import workfw as wf
from workfw import flow
from workfw import flow_charts
from workfw.errors import OptionError
from workfw.export import ImportReport, TaskExport
from workfw.schema import conform_events, conform_tasks, empty_events

EVIL = "<img src=x onerror=alert(1)>"


def _export(rows: list[dict], events: list[tuple] | None = None) -> TaskExport:
    tasks = conform_tasks(pd.DataFrame(rows))
    history = (conform_events(pd.DataFrame(events, columns=["task_id", "at", "field", "old", "new", "author"]))
               if events else empty_events())
    return TaskExport(tasks=tasks, events=history, raw=pd.DataFrame(),
                      report=ImportReport(source="test", file="test.csv", rows_read=len(tasks)))


def _day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.fixture
def workflow() -> TaskExport:
    """Eight tasks and an epic, every move at midnight in March 2024; the reference time is E's update, 03-10.

    A  queue:     Backlog (03-01) -> In Progress 03-02 -> Ready for QA 03-04 -> Code Review 03-05 -> Done 03-06.
                  before 1, active 2 + 1 = 3, waiting 1; efficiency over 03-02..03-06: 3 / 4 = 0.75.
    B  backward:  Backlog (03-01) -> In Progress 03-02 -> Backlog 03-03 -> In Progress 03-05 -> Blocked 03-06
                  -> In Progress 03-08 -> Done 03-09.  before 1 + 2 = 3, active 1 + 1 + 1 = 3, waiting 2;
                  efficiency over 03-02..03-09 (7 days): active 3, waiting 2 blocked + 2 back in Backlog = 4 -> 3/7.
    C  skipped:   Backlog (03-01) -> Done 03-03.  before 2, nothing committed: efficiency NA.
    D  reopened:  Backlog (03-01) -> In Progress 03-02 -> Done 03-04 -> In Progress 03-05 -> Done 03-06.
                  before 1, active 2 + 1 = 3, reopened once, finishes 03-06; efficiency 3 / (3 + 1 in Done) = 0.75.
    E  open:      Backlog (03-05) -> In Progress 03-06 -> Blocked 03-08, still there at 03-10: before 1, active 2,
                  waiting 2.
    F, H          no history (In Progress; Selected): left out of time in stage.
    G  cancelled: Backlog (03-02) -> Won't Do 03-04: before 2.
    X  an epic (In Progress): a container, never a work item.
    """
    rows = [
        dict(task_id="A", title="alpha", status="Done", status_category="done", team="T", created="2024-03-01"),
        dict(task_id="B", title="beta", status="Done", status_category="done", team="T", created="2024-03-01"),
        dict(task_id="C", title="gamma", status="Done", status_category="done", team="T", created="2024-03-01"),
        dict(task_id="D", title="delta", status="Done", status_category="done", team="T", created="2024-03-01"),
        dict(task_id="E", title=EVIL, status="Blocked", status_category="in_progress", team="T",
             created="2024-03-05", updated="2024-03-10"),
        dict(task_id="F", title="phi", status="In Progress", status_category="in_progress", team="T",
             created="2024-03-01", started="2024-03-02"),
        dict(task_id="G", title="eta", status="Won't Do", status_category="cancelled", team="T", created="2024-03-02"),
        dict(task_id="H", title="theta", status="Selected", status_category="todo", team="T", created="2024-03-09"),
        dict(task_id="X", title="epic", task_type="Epic", status="In Progress", status_category="in_progress",
             team="T", created="2024-03-01"),
    ]
    moves = {
        "A": [("2024-03-02", "Backlog", "In Progress"), ("2024-03-04", "In Progress", "Ready for QA"),
              ("2024-03-05", "Ready for QA", "Code Review"), ("2024-03-06", "Code Review", "Done")],
        "B": [("2024-03-02", "Backlog", "In Progress"), ("2024-03-03", "In Progress", "Backlog"),
              ("2024-03-05", "Backlog", "In Progress"), ("2024-03-06", "In Progress", "Blocked"),
              ("2024-03-08", "Blocked", "In Progress"), ("2024-03-09", "In Progress", "Done")],
        "C": [("2024-03-03", "Backlog", "Done")],
        "D": [("2024-03-02", "Backlog", "In Progress"), ("2024-03-04", "In Progress", "Done"),
              ("2024-03-05", "Done", "In Progress"), ("2024-03-06", "In Progress", "Done")],
        "E": [("2024-03-06", "Backlog", "In Progress"), ("2024-03-08", "In Progress", "Blocked")],
        "G": [("2024-03-04", "Backlog", "Won't Do")],
    }
    events = [(task, at, "status", old, new, None) for task, steps in moves.items() for at, old, new in steps]
    return _export(rows, events)


# ---------------------------------------------------------------- the stage map

def test_stage_map_learns_stages_order_and_commitment(workflow):
    out = flow.stage_map(workflow)
    # Category first; within in progress by mean first-visit position: In Progress 1, Blocked 2 (B and E),
    # Ready for QA 2 (A; the tie goes by name), Code Review 3.  Selected is never in history: after Backlog.
    assert out["status"].tolist() == ["Backlog", "Selected", "In Progress", "Blocked", "Ready for QA", "Code Review",
                                      "Done", "Won't Do"]
    assert out["stage"].tolist() == ["before commitment", "before commitment", "active", "waiting", "waiting",
                                     "active", "done", "cancelled"]
    assert out["category"].tolist() == ["todo", "todo", "in_progress", "in_progress", "in_progress", "in_progress",
                                        "done", "cancelled"]
    assert out["order"].tolist() == list(range(8))
    assert out.loc[out["commitment"], "status"].tolist() == ["In Progress"]
    assert set(out["source"]) == {"learnt"}
    counts = out.set_index("status")
    # Tasks now: Done A-D; In Progress F and the epic.  Moves into In Progress: A 1, B 3, D 2, E 1.
    assert counts.loc["Done", "tasks"] == 4 and counts.loc["In Progress", "tasks"] == 2
    assert counts.loc["In Progress", "entries"] == 7 and counts.loc["Done", "entries"] == 5
    assert out.attrs["commitment"] == "In Progress"
    assert out.attrs["stages"]["Code Review"] == "active"
    assert "waiting: Blocked, Ready for QA" in out.attrs["stage_definition"]


def test_stage_map_user_stages_override_and_are_checked(workflow):
    out = flow.stage_map(workflow, stages={" code review": "Waiting"}).set_index("status")
    assert out.loc["Code Review", "stage"] == "waiting" and out.loc["Code Review", "source"] == "yours"
    with pytest.raises(OptionError, match="Code Reveiw.*expected names among.*'Code Review'"):
        flow.stage_map(workflow, stages={"Code Reveiw": "waiting"})
    with pytest.raises(OptionError, match="'paused'.*expected one of"):
        flow.stage_map(workflow, stages={"Code Review": "paused"})
    with pytest.raises(OptionError, match="mapping"):
        flow.stage_map(workflow, stages=["Code Review"])


def test_commitment_point_moves_learnt_stages(workflow):
    early = flow.stage_map(workflow, commitment="Selected").set_index("status")
    # Selected becomes a committed queue; Backlog stays before commitment; later statuses keep their stages.
    assert early.loc["Selected", "stage"] == "waiting" and bool(early.loc["Selected", "commitment"])
    assert early.loc["Selected", "source"] == "commitment point"
    assert early.loc["Backlog", "stage"] == "before commitment"
    assert early.loc["In Progress", "stage"] == "active" and not early.loc["In Progress", "commitment"]
    late = flow.stage_map(workflow, commitment="Code Review").set_index("status")
    assert late.loc[["In Progress", "Blocked", "Ready for QA"], "stage"].tolist() == ["before commitment"] * 3
    assert late.loc["Code Review", "stage"] == "active" and late.attrs["commitment"] == "Code Review"
    # A stage you set is kept, even before the commitment point.
    mine = flow.stage_map(workflow, stages={"Blocked": "waiting"}, commitment="Code Review").set_index("status")
    assert mine.loc["Blocked", "stage"] == "waiting"
    with pytest.raises(OptionError, match="'done'"):
        flow.stage_map(workflow, commitment="Done")
    with pytest.raises(OptionError, match="never uses that status"):
        flow.stage_map(workflow, commitment="Doing")
    with pytest.raises(OptionError, match="before commitment"):
        flow.stage_map(workflow, stages={"Selected": "before commitment"}, commitment="Selected")


# ---------------------------------------------------------------- time in stage

def test_time_in_stage_backward_skipped_reopened_and_open(workflow):
    out = flow.time_in_stage(workflow)
    days = out.pivot(index="task_id", columns="stage", values="days")
    assert list(days.index) == ["A", "B", "C", "D", "E", "G"]  # F and H have no history, X is an epic
    assert days.loc["A"].tolist() == pytest.approx([3.0, 1.0, 1.0])  # active, before commitment, waiting
    assert days.loc["B"].tolist() == pytest.approx([3.0, 3.0, 2.0])
    assert days.loc["C"].tolist() == pytest.approx([0.0, 2.0, 0.0])
    assert days.loc["D"].tolist() == pytest.approx([3.0, 1.0, 0.0])
    assert days.loc["E"].tolist() == pytest.approx([2.0, 1.0, 2.0])
    assert days.loc["G"].tolist() == pytest.approx([0.0, 2.0, 0.0])
    per_task = out.drop_duplicates("task_id").set_index("task_id")
    assert per_task["outcome"].to_dict() == {"A": "done", "B": "done", "C": "done", "D": "done", "E": "open",
                                             "G": "cancelled"}
    assert per_task["reopened"].to_dict() == {"A": 0, "B": 0, "C": 0, "D": 1, "E": 0, "G": 0}
    assert out.attrs["left_out"] == {"no status history": 2}
    assert out.attrs["commitment"] == "In Progress" and out.attrs["unplaced_days"] == 0.0


def test_time_in_stage_as_of_cuts_open_spans(workflow):
    out = flow.time_in_stage(workflow, as_of="2024-03-09 12:00")
    e = out[out["task_id"] == "E"].set_index("stage")["days"]
    assert e["waiting"] == pytest.approx(1.5)  # Blocked from 03-08 to 03-09 12:00
    b = out[out["task_id"] == "B"].set_index("stage")["days"]
    assert b["active"] == pytest.approx(3.0)  # B was done at 03-09 00:00


def test_time_in_stage_percentiles_of_finished_work(workflow):
    out = flow.time_in_stage_percentiles(workflow, levels=(50, 85)).set_index(["stage", "level"])
    # Done tasks A-D. Active days 3, 3, 0, 3 -> sorted 0, 3, 3, 3: p50 at rank 1.5 = 3.0, p85 at 2.55 = 3.0.
    assert out.loc[("active", 50.0), "days"] == pytest.approx(3.0)
    # Waiting 1, 2, 0, 0 -> 0, 0, 1, 2: p50 = 0.5; p85 at rank 2.55 = 1 + 0.55 = 1.55.
    assert out.loc[("waiting", 50.0), "days"] == pytest.approx(0.5)
    assert out.loc[("waiting", 85.0), "days"] == pytest.approx(1.55)
    assert out["n"].unique().tolist() == [4]
    opened = flow.time_in_stage_percentiles(flow.time_in_stage(workflow), levels=(50,), outcome="open")
    assert opened.set_index("stage").loc["waiting", "days"] == pytest.approx(2.0)
    with pytest.raises(OptionError, match="outcome"):
        flow.time_in_stage_percentiles(workflow, outcome="finished")


def test_time_in_stage_needs_history():
    rows = [dict(task_id="N", title="n", status="Done", status_category="done", created="2024-01-01",
                 started="2024-01-02", completed="2024-01-03")]
    out = flow.time_in_stage(_export(rows))
    assert out.empty and "no status history" in out.attrs["reason"]
    assert flow.flow_efficiency(_export(rows), stages={"Done": "done"}).empty


# ---------------------------------------------------------------- flow efficiency

def test_flow_efficiency_per_task(workflow):
    out = flow.flow_efficiency(workflow)
    assert out["task_id"].tolist() == ["C", "A", "D", "B"]  # by finish: 03-03, 03-06, 03-06, 03-09
    got = out.set_index("task_id")
    assert got.loc["A", ["active_days", "waiting_days"]].tolist() == pytest.approx([3.0, 1.0])
    assert got.loc["A", "flow_efficiency"] == pytest.approx(0.75)
    assert got.loc["B", ["active_days", "waiting_days"]].tolist() == pytest.approx([3.0, 4.0])
    assert got.loc["B", "flow_efficiency"] == pytest.approx(3 / 7)
    assert got.loc["D", "flow_efficiency"] == pytest.approx(0.75)
    assert got.loc["D", "finished"] == _day("2024-03-06") and got.loc["D", "committed"] == _day("2024-03-02")
    assert pd.isna(got.loc["C", "flow_efficiency"]) and got.loc["C", "committed"] == _day("2024-03-03")
    assert "waiting: Blocked, Ready for QA" in out.attrs["stage_definition"]


def test_flow_efficiency_per_week_is_pooled(workflow):
    out = flow.flow_efficiency(workflow, freq="W")
    # Sun 03-03 ends the week of Mon 02-26 (C alone, nothing committed); A, D and B finish in the next week:
    # active 3 + 3 + 3 = 9, waiting 1 + 1 + 4 = 6 -> 9 / 15 = 0.6.
    assert out["period"].tolist() == [pd.Timestamp("2024-02-26"), pd.Timestamp("2024-03-04")]
    assert out["tasks"].tolist() == [1, 3]
    assert pd.isna(out.loc[0, "flow_efficiency"])
    assert out.loc[1, "flow_efficiency"] == pytest.approx(0.6)
    assert out.loc[1, ["active_days", "waiting_days"]].tolist() == pytest.approx([9.0, 6.0])


def test_flow_efficiency_user_stages_and_no_waiting_stage(workflow):
    review = flow.flow_efficiency(workflow, stages={"Code Review": "waiting"}).set_index("task_id")
    assert review.loc["A", "flow_efficiency"] == pytest.approx(0.5)  # In Progress 2 of 4 days
    assert review.attrs["stages"]["Code Review"] == "waiting"
    none = flow.flow_efficiency(workflow, stages={"Blocked": "active", "Ready for QA": "active"})
    assert none.empty and "waiting" in none.attrs["reason"]
    table = flow.stage_map(workflow, stages={"Code Review": "waiting"})
    again = flow.flow_efficiency(workflow, stages=table).set_index("task_id")
    assert again.loc["A", "flow_efficiency"] == pytest.approx(0.5)
    with pytest.raises(OptionError, match="commitment"):
        flow.flow_efficiency(workflow, stages=table, commitment="In Progress")


def test_stage_metrics_do_not_mutate_inputs(workflow):
    before_tasks, before_events = workflow.tasks.copy(), workflow.events.copy()
    flow.stage_map(workflow, stages={"Code Review": "waiting"}, commitment="Selected")
    flow.time_in_stage(workflow)
    flow.flow_efficiency(workflow, freq="W")
    pd.testing.assert_frame_equal(workflow.tasks, before_tasks)
    pd.testing.assert_frame_equal(workflow.events, before_events)


# ---------------------------------------------------------------- charts on a sample

@pytest.fixture(scope="module")
def sample() -> TaskExport:
    return wf.load_sample("jira-api")  # the Jira sample with status history


def _has_data(fig) -> bool:
    return any(t.y is not None and len(t.y) > 0 for t in fig.data)


def test_time_in_stage_chart_on_the_sample(sample):
    fig = flow_charts.time_in_stage_chart(flow.time_in_stage(sample, stages={"In Review": "waiting"}))
    assert _has_data(fig) and [t.name for t in fig.data] == ["50%", "70%", "85%", "95%"]
    assert "waiting: In Review" in fig.layout.title.text and "commitment at In Progress" in fig.layout.title.text


def test_flow_efficiency_chart_on_the_sample(sample):
    fig = flow_charts.flow_efficiency_chart(flow.flow_efficiency(sample, stages={"In Review": "waiting"}))
    assert _has_data(fig) and [t.name for t in fig.data] == ["tasks", "pooled per period"]
    assert "Stages · active: In Progress · waiting: In Review" in fig.layout.title.text
    empty = flow_charts.flow_efficiency_chart(sample)  # no waiting status by default: the figure says why
    assert not fig.layout.annotations and "waiting" in empty.layout.annotations[0].text


def test_cycle_time_histogram_on_the_sample():
    data = wf.load_sample("jira")
    fig = flow_charts.cycle_time_histogram(data)
    assert _has_data(fig) and fig.data[0].name == "tasks"
    assert sum(fig.data[0].y) == len(flow.cycle_times(data).dropna(subset=["cycle_time_days"]))
    assert [t.name.split(":")[0] for t in fig.data[1:]] == ["50%", "70%", "85%", "95%"]
    assert "Stages" in fig.layout.title.text and "clock from In Progress" in fig.layout.title.text


def test_time_in_stage_chart_escapes_status_names():
    rows = [dict(task_id="Z", title=EVIL, status="Done", status_category="done", created="2024-01-01")]
    events = [("Z", "2024-01-02", "status", "To Do", EVIL + " doing", None),
              ("Z", "2024-01-03", "status", EVIL + " doing", "Done", None)]
    data = _export(rows, events)
    fig = flow_charts.time_in_stage_chart(flow.time_in_stage(data, stages={EVIL + " doing": "active"}))
    assert EVIL not in fig.to_json() and "&lt;img" in fig.layout.title.text


def test_unplaced_status_counts_in_no_stage_until_you_place_it():
    rows = [dict(task_id="U", title="u", status="Done", status_category="done", created="2024-05-01")]
    events = [("U", "2024-05-02", "status", "To Do", "Zork", None),
              ("U", "2024-05-03", "status", "Zork", "In Progress", None),
              ("U", "2024-05-05", "status", "In Progress", "Done", None)]
    data = _export(rows, events)
    smap = flow.stage_map(data).set_index("status")
    assert smap.loc["Zork", "stage"] == "unplaced" and pd.isna(smap.loc["Zork", "category"])
    out = flow.time_in_stage(data)
    # To Do 05-01..05-02 (1 day), Zork 05-02..05-03 (1 day, in no stage), In Progress 05-03..05-05 (2 days).
    assert out.set_index("stage")["days"].to_dict() == pytest.approx({"before commitment": 1.0, "active": 2.0,
                                                                      "waiting": 0.0})
    assert out.attrs["unplaced_days"] == pytest.approx(1.0)
    placed = flow.time_in_stage(data, stages={"zork": "waiting"}).set_index("stage")["days"]
    assert placed["waiting"] == pytest.approx(1.0) and placed.attrs["unplaced_days"] == 0.0
    # Efficiency runs from the first committed stage (Zork, now waiting, 05-02) to done: 2 active of 3 days.
    eff = flow.flow_efficiency(data, stages={"zork": "waiting"})
    assert eff["flow_efficiency"].tolist() == pytest.approx([2 / 3])

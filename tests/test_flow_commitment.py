"""Cycle time, aging WIP and service levels from the commitment point of one stage definition.

Hand-built histories, every move at midnight in March 2024, the answers worked out in comments.
Statuses: To Do and Selected (to do), In Progress and Review (in progress), Done.  With
``commitment="Selected"`` Selected becomes a committed queue (waiting), so the clock starts there.
"""
from __future__ import annotations

import pandas as pd
import pytest

from workfw import flow
from workfw import flow_charts
from workfw.errors import OptionError
from workfw.export import ImportReport, TaskExport
from workfw.schema import conform_events, conform_tasks

AS_OF = "2024-03-10"


def _day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.fixture
def board() -> TaskExport:
    """Six finished tasks and six open ones; every task created 03-01 unless said.

    Finished (staged start -> last move into done; the start without stages in brackets):
    P   plain:        To Do -> Selected 03-02 -> In Progress 03-04 -> Done 03-07.    5 days   (03-04: 3)
    K   skips Selected: To Do -> In Progress 03-03 -> Done 03-05: starts at In Progress. 2   (2)
    BK  backwards:    To Do -> Selected 03-02 -> To Do 03-03 -> Selected 03-05 -> In Progress 03-06
                      -> Done 03-08: the first commitment stands.                       6    (03-06: 2)
    S   skips all:    To Do -> Done 03-04: never committed, no started: lead time 3, approximate (same)
    R   reopened:     To Do -> Selected 03-02 -> In Progress 03-03 -> Done 03-04 -> In Progress 03-06
                      -> Done 03-08: first commitment to last done.                     6    (03-03: 5)
    N   no history:   Done, started 03-03, completed 03-06: the tracker's start, exact.  3    (3)
    Staged cycle times 2, 3, 3, 5, 6, 6: p50 4.0, p70 5.5, p85 6.0, p95 6.0.

    Open on 03-10 (staged age; without stages only the in-progress category is work in progress):
    O1  To Do -> Selected 03-04, still there: committed queue, 6 days         (not WIP)
    O2  To Do -> Selected 03-02 -> In Progress 03-03 -> To Do 03-05: back before commitment, not WIP (not WIP)
    O3  To Do -> In Progress 03-02 -> To Do 03-03 -> In Progress 03-06: first commitment, 8 days (8)
    O4  To Do -> In Progress 03-02 -> Done 03-04 -> Review 03-07: reopened, first commitment, 8 days (8)
    O5  no history, In Progress, started 03-05: 5 days, exact                  (5)
    O6  no history, Selected, created 03-03, no start: from created, 7 days, approximate (not WIP)
    """
    done = dict(status="Done", status_category="done", team="T", created="2024-03-01")
    rows = [dict(task_id=t, title=t.lower(), **done) for t in ("P", "K", "BK", "S", "R")]
    rows += [
        dict(task_id="N", title="n", **done, started="2024-03-03", completed="2024-03-06"),
        dict(task_id="O1", title="o1", status="Selected", status_category="todo", team="T", created="2024-03-01"),
        dict(task_id="O2", title="o2", status="To Do", status_category="todo", team="T", created="2024-03-01"),
        dict(task_id="O3", title="o3", status="In Progress", status_category="in_progress", team="T",
             created="2024-03-01"),
        dict(task_id="O4", title="o4", status="Review", status_category="in_progress", team="T",
             created="2024-03-01"),
        dict(task_id="O5", title="o5", status="In Progress", status_category="in_progress", team="T",
             created="2024-03-01", started="2024-03-05"),
        dict(task_id="O6", title="o6", status="Selected", status_category="todo", team="T", created="2024-03-03"),
    ]
    paths = {
        "P": ["To Do", ("03-02", "Selected"), ("03-04", "In Progress"), ("03-07", "Done")],
        "K": ["To Do", ("03-03", "In Progress"), ("03-05", "Done")],
        "BK": ["To Do", ("03-02", "Selected"), ("03-03", "To Do"), ("03-05", "Selected"), ("03-06", "In Progress"),
               ("03-08", "Done")],
        "S": ["To Do", ("03-04", "Done")],
        "R": ["To Do", ("03-02", "Selected"), ("03-03", "In Progress"), ("03-04", "Done"), ("03-06", "In Progress"),
              ("03-08", "Done")],
        "O1": ["To Do", ("03-04", "Selected")],
        "O2": ["To Do", ("03-02", "Selected"), ("03-03", "In Progress"), ("03-05", "To Do")],
        "O3": ["To Do", ("03-02", "In Progress"), ("03-03", "To Do"), ("03-06", "In Progress")],
        "O4": ["To Do", ("03-02", "In Progress"), ("03-04", "Done"), ("03-07", "Review")],
    }
    events = []
    for task, (first, *moves) in paths.items():
        old = first
        for day, new in moves:
            events.append((task, f"2024-{day}", "status", old, new, None))
            old = new
    history = conform_events(pd.DataFrame(events, columns=["task_id", "at", "field", "old", "new", "author"]))
    tasks = conform_tasks(pd.DataFrame(rows))
    return TaskExport(tasks=tasks, events=history, raw=pd.DataFrame(),
                      report=ImportReport(source="test", file="test.csv", rows_read=len(tasks)))


def _by_id(frame: pd.DataFrame, column: str) -> dict:
    return dict(zip(frame["task_id"], frame[column]))


# ---------------------------------------------------------------- cycle time

def test_cycle_times_start_at_the_commitment_point(board):
    out = flow.cycle_times(board, commitment="Selected")
    assert _by_id(out, "cycle_time_days") == pytest.approx({"P": 5, "K": 2, "BK": 6, "S": 3, "R": 6, "N": 3})
    assert _by_id(out, "started") == {"P": _day("2024-03-02"), "K": _day("2024-03-03"), "BK": _day("2024-03-02"),
                                      "S": pd.NaT, "R": _day("2024-03-02"), "N": _day("2024-03-03")}
    assert _by_id(out, "basis") == {"P": "history", "K": "history", "BK": "history", "S": "approximate",
                                    "R": "history", "N": "exact"}
    # The finish is the last move into done, with or without stages: R finishes 03-08, after its reopen.
    assert _by_id(out, "completed")["R"] == _day("2024-03-08")
    assert out.attrs["commitment"] == "Selected" and out.attrs["stages"]["Selected"] == "waiting"
    assert out.attrs["stage_definition"].endswith("commitment at Selected")


def test_without_a_definition_cycle_times_keep_their_own_clock(board):
    out = flow.cycle_times(board)
    assert _by_id(out, "cycle_time_days") == pytest.approx({"P": 3, "K": 2, "BK": 2, "S": 3, "R": 5, "N": 3})
    assert set(out.attrs) == {"dropped"}


def test_the_learnt_definition_starts_at_in_progress_and_a_table_equals_its_options(board):
    learnt = flow.cycle_times(board, stages={})
    # Learnt commitment: In Progress.  P 03-04, BK 03-06, R 03-03.
    assert _by_id(learnt, "cycle_time_days") == pytest.approx({"P": 3, "K": 2, "BK": 2, "S": 3, "R": 5, "N": 3})
    assert learnt.attrs["commitment"] == "In Progress"
    smap = flow.stage_map(board, commitment="Selected")
    pd.testing.assert_frame_equal(flow.cycle_times(board, stages=smap), flow.cycle_times(board, commitment="Selected"))


def test_a_second_clock_is_refused(board):
    with pytest.raises(OptionError, match="start='created'.*stage definition"):
        flow.cycle_times(board, start="created", commitment="Selected")
    with pytest.raises(OptionError, match="start='In Progress'.*stage definition"):
        flow.aging_wip(board, start="In Progress", stages={})
    with pytest.raises(OptionError, match="cycle-time table"):
        flow.percentiles(flow.cycle_times(board), commitment="Selected")
    with pytest.raises(OptionError, match="never uses that status"):
        flow.cycle_times(board, commitment="Doing")


def test_percentiles_of_an_export_measure_from_the_commitment_point(board):
    out = flow.percentiles(board, commitment="Selected")
    assert out["days"].tolist() == pytest.approx([4.0, 5.5, 6.0, 6.0]) and out["n"].tolist() == [6] * 4
    assert out.attrs["commitment"] == "Selected"


# ---------------------------------------------------------------- aging WIP and service level

def test_aging_wip_is_committed_work_aged_from_its_first_commitment(board):
    out = flow.aging_wip(board, as_of=AS_OF, commitment="Selected")
    assert out["task_id"].tolist() == ["O3", "O4", "O6", "O1", "O5"]  # oldest first; O2 went back to To Do
    assert out["age_days"].tolist() == pytest.approx([8, 8, 7, 6, 5])
    assert out["basis"].tolist() == ["history", "history", "approximate", "history", "exact"]
    # Bands from the staged cycle times: p50 4, p70 5.5, p85 6, p95 6.
    assert out.attrs["percentiles"] == {50.0: 4.0, 70.0: 5.5, 85.0: 6.0, 95.0: 6.0}
    assert out["percentile_band"].astype(str).tolist() == ["> p95", "> p95", "> p95", "> p95", "p50-p70"]
    assert out.attrs["commitment"] == "Selected"


def test_aging_wip_without_a_definition_is_unchanged(board):
    out = flow.aging_wip(board, as_of=AS_OF)
    assert out["task_id"].tolist() == ["O3", "O4", "O5"] and out["age_days"].tolist() == pytest.approx([8, 8, 5])
    assert "stage_definition" not in out.attrs


def test_service_level_reads_cycle_times_and_ages_from_one_commitment_point(board):
    sle = flow.service_level_expectation(board, levels=[85], as_of=AS_OF, min_completed=1, commitment="Selected")
    row = sle.iloc[0]
    # 85% within 6 days; of five items in progress, O3 and O4 (8) and O6 (7) are older.
    assert row["days"] == pytest.approx(6.0) and row["open_items"] == 5 and row["past"] == 3
    assert row["past_share"] == pytest.approx(0.6) and sle.attrs["commitment"] == "Selected"
    items = flow.service_level_items(board, level=85, as_of=AS_OF, min_completed=1, commitment="Selected")
    assert items.loc[items["past_sle"].astype(bool), "task_id"].tolist() == ["O3", "O4", "O6"]
    plain = flow.service_level_expectation(board, levels=[85], as_of=AS_OF, min_completed=1)
    # Without stages: cycle times 2, 2, 3, 3, 3, 5 -> p85 3 + 0.25 * 2 = 3.5; open O3, O4 (8) and O5 (5), all older.
    assert plain["days"].iloc[0] == pytest.approx(3.5) and plain["open_items"].iloc[0] == 3
    assert plain["past"].iloc[0] == 3


# ---------------------------------------------------------------- charts

def test_cycle_time_and_aging_charts_state_the_commitment_point(board):
    scatter = flow_charts.cycle_time_scatter(board, commitment="Selected")
    assert "Clock from the commitment point, Selected" in scatter.layout.title.text
    aging = flow_charts.aging_wip_chart(flow.aging_wip(board, as_of=AS_OF, commitment="Selected"))
    assert "Age since the commitment point, Selected" in aging.layout.title.text
    assert "commitment at Selected" in aging.layout.title.text
    assert "commitment point" not in flow_charts.cycle_time_scatter(board).layout.title.text
    assert "commitment point" not in flow_charts.aging_wip_chart(flow.aging_wip(board, as_of=AS_OF)).layout.title.text


def test_the_clock_note_is_escaped(board):
    cycles = flow.cycle_times(board, commitment="Selected")
    cycles.attrs.update(commitment="<script>x</script>", stage_definition="Stages · active: <b>")
    title = flow_charts.cycle_time_scatter(cycles).layout.title.text
    assert "&lt;script&gt;" in title and "<script>" not in title and "<b>" not in title

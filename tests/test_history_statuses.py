"""Status names only the history holds are placed by the read, with the user's map and rules, everywhere.

A board's tasks all moved on from "Peer Check", so no task holds it now: before, the read never
placed it, the status map editor never listed it, and flow placed its spans with the built-in
keyword rules alone, so a user's ``status_map={"Peer Check": "in_progress"}`` set ``started`` but
left a hole in the cumulative flow.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd
import pytest

import workfw as wf
from workfw import flow
from workfw.errors import SchemaError
from workfw.schema import conform_events
from workfw.statuses import history_categories, known_categories

FIXTURES = Path(__file__).parent / "fixtures"


def _move(at: str, old: str, new: str) -> dict:
    return {"id": at, "created": f"{at}T10:00:00.000+0000", "author": {"displayName": "A"},
            "items": [{"field": "status", "fieldtype": "jira", "from": "1", "fromString": old, "to": "2",
                       "toString": new}]}


def _board(tasks: int = 3, *, first: str = "Backlog", prefix: str = "QQ") -> bytes:
    """A Jira search page whose issues went ``first`` -> Peer Check -> Done; none is in Peer Check now."""
    page = json.loads((FIXTURES / "jira_rest_search.json").read_text(encoding="utf-8"))
    issues = []
    for i in range(tasks):
        issue = copy.deepcopy(page["issues"][0])
        issue["id"], issue["key"] = str(40000 + i), f"{prefix}-{i + 1}"
        issue["fields"]["issuetype"] = {"id": "1", "name": "Story"}
        issue["fields"]["status"] = {"name": "Done", "id": "10",
                                     "statusCategory": {"id": 3, "key": "done", "name": "Done"}}
        issue["fields"]["resolutiondate"] = "2024-03-10T10:00:00.000+0000"
        issue["changelog"] = {"startAt": 0, "maxResults": 2, "total": 2, "histories": [
            _move("2024-03-02", first, "Peer Check"), _move("2024-03-10", "Peer Check", "Done")]}
        issues.append(issue)
    return json.dumps({**page, "issues": issues, "total": tasks}).encode()


def _in_progress_on(export: wf.TaskExport, day: str) -> int:
    cfd = flow.cumulative_flow(export)
    row = cfd[(cfd["date"] == pd.Timestamp(day, tz=cfd["date"].dt.tz)) & (cfd["state"] == "in_progress")]
    return int(row["count"].iloc[0])


def test_a_mapped_history_only_status_is_in_progress_in_every_flow_view() -> None:
    export = wf.read_export(_board(), name="board.json", status_map={"Peer Check": "in_progress"})
    assert _in_progress_on(export, "2024-03-05") == 3  # was 0: the span counted in no state
    cycle = flow.cycle_times(export)
    assert cycle["cycle_time_days"].tolist() == [8.0, 8.0, 8.0]
    assert flow.wip(export)["wip"].max() == 3
    row = export.report.status_map.set_index("status").loc["Peer Check"]
    assert (row["status_category"], row["rule"], row["tasks"]) == ("in_progress", "your map", 0)


def test_an_unplaced_history_only_status_is_listed_and_named_in_a_warning() -> None:
    export = wf.read_export(_board(), name="board.json")
    table = export.report.status_map.set_index("status")
    assert table.loc["Peer Check", "rule"] == "unplaced" and table.loc["Peer Check", "tasks"] == 0
    assert table.loc["Backlog", "status_category"] == "todo"  # history-only too, placed by Jira's defaults
    assert any("['Peer Check'] appear only in the history" in w for w in export.report.warnings)
    assert _in_progress_on(export, "2024-03-05") == 0  # not measurable rather than guessed
    # The task count of the status map still adds up to the tasks.
    assert int(export.report.status_map["tasks"].sum()) == len(export.tasks)


def test_the_rules_a_file_is_read_with_place_its_history_too() -> None:
    rules = wf.io.status_rules()
    rules = pd.concat([pd.DataFrame([{"category": "in_progress", "language": "en", "pattern": "peer check",
                                      "note": "our review lane"}]), rules], ignore_index=True)
    export = wf.read_export(_board(), name="board.json", status_rules=rules)
    moves = export.events[export.events["new"] == "Peer Check"]
    assert moves["new_category"].tolist() == ["in_progress"] * 3
    # Outside the read the built-in rules are back, yet the analyses place the name as the read did.
    assert _in_progress_on(export, "2024-03-05") == 3


def test_new_category_is_recorded_on_status_moves_only_and_survives_a_save(tmp_path: Path) -> None:
    export = wf.read_export(_board(), name="board.json", status_map={"Peer Check": "in_progress"})
    events = export.events
    assert events.loc[events["new"] == "Done", "new_category"].eq("done").all()  # a name a task holds: as the table
    assert history_categories(events) == {"backlog": "todo", "peer check": "in_progress", "done": "done"}
    path = tmp_path / "board.workfw"
    export.save(path)
    again = wf.read_export(path)
    pd.testing.assert_frame_equal(again.events, events)
    assert known_categories(again.tasks, again.events)["peer check"] == "in_progress"


def test_a_history_without_new_category_places_by_the_table_and_rules_as_before() -> None:
    events = conform_events(pd.DataFrame({"task_id": ["A"], "at": ["2024-01-01"], "field": ["status"],
                                          "old": ["To Do"], "new": ["Peer Check"], "author": ["x"]}))
    assert events["new_category"].isna().all() and history_categories(events) == {}
    with pytest.raises(SchemaError, match="new_category"):
        conform_events(events.assign(new_category="doing"))


def test_a_status_tasks_only_left_is_placed_from_their_creation() -> None:
    # "Zarf Lane" is only ever a move's old status (tasks were created into it): its span before the first
    # move was placed by the built-in rules alone, so the user's map counted for nothing there.
    export = wf.read_export(_board(first="Zarf Lane"), name="board.json",
                            status_map={"Zarf Lane": "in_progress", "Peer Check": "in_progress"})
    assert export.events["old_category"].dropna().unique().tolist() == ["in_progress"]
    # In progress from creation (03-01 08:00) to done (03-10 10:00), not from the first move (03-02 10:00).
    assert flow.cycle_times(export)["cycle_time_days"].tolist() == pytest.approx([9 + 2 / 24] * 3)
    assert _in_progress_on(export, "2024-03-01") == 3
    assert known_categories(export.tasks, export.events)["zarf lane"] == "in_progress"


def test_combined_files_keep_their_own_placing_of_a_history_only_status() -> None:
    slow = wf.read_export(_board(3, prefix="QQ"), name="a.json", status_map={"Peer Check": "todo"})
    quick = wf.read_export(_board(1, prefix="AA"), name="b.json", status_map={"Peer Check": "in_progress"})
    both = wf.combine_exports([slow, quick])
    cycle = flow.cycle_times(both).set_index("task_id")["cycle_time_days"]
    # Each file's moves as that file placed them, whatever order the ids sort in.
    # (a file that keeps Peer Check to do has no start: its cycle is its lead time, 9 days 2 hours)
    assert cycle.to_dict() == pytest.approx({"AA-1": 8.0, "QQ-1": 9 + 2 / 24, "QQ-2": 9 + 2 / 24, "QQ-3": 9 + 2 / 24})
    assert history_categories(both.events)["peer check"] == "todo"  # by name: the placing most moves have


def test_a_team_filter_does_not_move_a_status_to_another_category() -> None:
    from workfw.coordination_stack.facts import status_events
    from workfw.core import prepare

    left = wf.read_export(_board(1, first="Zarf Lane", prefix="XX"), name="x.json", team="X",
                          status_map={"Zarf Lane": "in_progress", "Peer Check": "in_progress"})
    entered = wf.read_export(_board(1, prefix="YY"), name="y.json", team="Y",
                             status_map={"Peer Check": "in_progress"})
    both = wf.combine_exports([left, entered])
    whole = status_events(prepare(both)).set_index(["task_id", "old"])["old_cat"]
    team = status_events(prepare(both, team="X")).set_index(["task_id", "old"])["old_cat"]
    assert team.loc[("XX-1", "Zarf Lane")] == whole.loc[("XX-1", "Zarf Lane")] == "in_progress"

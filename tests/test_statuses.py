"""One rule in one place (#13): the status categoriser, the default "now" and text membership.

Each of these had two copies that disagreed; these tests pin the rule that was kept.
"""
from __future__ import annotations

from importlib import resources

import pandas as pd
import pytest

from workfw import flow
from workfw.core.context import member, prepare, reference_time
from workfw.export import ImportReport, TaskExport
from workfw.schema import conform_events, conform_tasks, empty_events
from workfw.statuses import STATUS_CATEGORIES, status_categories, status_key, table_categories


def _export(rows: list[dict], events: list[tuple] | None = None) -> TaskExport:
    tasks = conform_tasks(pd.DataFrame(rows))
    history = (conform_events(pd.DataFrame(events, columns=["task_id", "at", "field", "old", "new", "author"]))
               if events else empty_events())
    return TaskExport(tasks=tasks, events=history, raw=pd.DataFrame(),
                      report=ImportReport(source="test", file="test.csv", rows_read=len(tasks)))


def _day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


# ---------------------------------------------------------------- the categoriser

def test_status_names_are_compared_stripped_and_casefolded() -> None:
    assert status_key("  In Review ") == "in review"
    assert status_key(None) is None and status_key(pd.NA) is None and status_key(float("nan")) is None


def test_the_table_places_its_own_names_first_then_keywords_else_unplaced() -> None:
    tasks = conform_tasks(pd.DataFrame({
        "task_id": list("ABCDEF"),
        # "Ready" is to do by keyword, but this table says in progress (twice against once).
        "status": ["Ready", "ready ", "READY", "Parked", "Parked", "Done"],
        "status_category": ["in_progress", "in_progress", "todo", "todo", "done", "done"],
    }))
    known = table_categories(tasks)
    # "Parked" is split one-one: the earlier category in workflow order wins.
    assert known == {"ready": "in_progress", "parked": "todo", "done": "done"}
    names = pd.Series([" ready", "Code Review", "Limbo", None, "PARKED"], index=[5, 6, 7, 8, 9])
    placed = status_categories(names, known)
    assert list(placed.index) == [5, 6, 7, 8, 9] and str(placed.dtype) == "string"
    assert placed.tolist()[:2] == ["in_progress", "in_progress"]  # the table's pair, then the keyword "review"
    assert pd.isna(placed[7]) and pd.isna(placed[8])  # unplaced and missing: no category, not a guess of to do
    assert placed[9] == "todo"
    assert set(placed.dropna()) <= set(STATUS_CATEGORIES)


def test_a_bare_table_places_status_names_as_read_export_does() -> None:
    tasks = conform_tasks(pd.DataFrame({"task_id": ["A", "B", "C"], "status": [" Done ", "Limbo", "Ready for QA"]}))
    assert tasks["status_category"].astype(object).where(tasks["status_category"].notna(), None).tolist() == [
        "done", None, "in_progress"]


def test_every_category_word_is_placed_alike_by_the_keyword_rules() -> None:
    """A status *named* like a category ("Indeterminate", "В работе") needs no step of its own before the rules."""
    from workfw.statuses import _CATEGORY_WORDS, keyword_category

    assert {word: keyword_category(word) for word in _CATEGORY_WORDS} == _CATEGORY_WORDS


def test_the_status_rules_ship_with_the_categoriser() -> None:
    assert resources.files("workfw").joinpath("status_rules.csv").is_file()


def test_a_filter_does_not_move_a_status_to_another_category() -> None:
    from workfw.coordination_stack.facts import status_events

    rows = [
        # Only team X holds "Ready" now, and the export places it in progress (the keyword alone says to do).
        dict(task_id="X1", title="x", team="X", status="Ready", status_category="in_progress",
             created="2024-01-01"),
        dict(task_id="Y1", title="y", team="Y", status="Done", status_category="done", created="2024-01-01",
             completed="2024-01-04"),
    ]
    events = [("Y1", "2024-01-02", "status", "To Do", "Ready", "Ann"),
              ("Y1", "2024-01-04", "status", "Ready", "Done", "Ann")]
    export = _export(rows, events)
    whole = status_events(prepare(export))
    team = status_events(prepare(export, team="Y"))
    assert whole.loc[whole["task_id"] == "Y1", "new_cat"].tolist() == ["in_progress", "done"]
    assert team["new_cat"].tolist() == ["in_progress", "done"]
    assert team["old_cat"].tolist() == ["todo", "in_progress"]


def test_an_unplaced_status_is_neither_open_nor_done_in_the_history() -> None:
    from workfw.coordination_stack.facts import status_events

    rows = [dict(task_id="T1", title="t", status="Limbo", created="2024-01-01"),
            dict(task_id="T2", title="u", status="Done", created="2024-01-01")]
    events = [("T1", "2024-01-02", "status", "To Do", "Done", "Ann"),
              ("T1", "2024-01-03", "status", "Done", "Limbo", "Ann")]
    moves = status_events(prepare(_export(rows, events)))
    # Done -> Limbo is no reopening: Limbo is not open work.
    assert moves["old_cat"].tolist()[1] == "done" and pd.isna(moves["new_cat"].tolist()[1])


def test_flow_counts_a_span_in_an_unplaced_status_in_no_state() -> None:
    rows = [dict(task_id="T1", title="t", status="Done", status_category="done", created="2024-01-01",
                 updated="2024-01-06")]
    events = [("T1", "2024-01-02", "status", "To Do", "Limbo", "Ann"),
              ("T1", "2024-01-04", "status", "Limbo", "In Progress", "Ann"),
              ("T1", "2024-01-06", "status", "In Progress", "Done", "Ann")]
    export = _export(rows, events)
    cfd = flow.cumulative_flow(export).pivot(index="date", columns="state", values="count")
    assert cfd.loc[pd.Timestamp("2024-01-01")].to_dict() == {"cancelled": 0, "done": 0, "in_progress": 0, "todo": 1}
    # In Limbo on 01-02 and 01-03: neither to do nor in progress.
    assert int(cfd.loc[pd.Timestamp("2024-01-02")].sum()) == 0
    assert cfd.loc[pd.Timestamp("2024-01-04")].to_dict() == {"cancelled": 0, "done": 0, "in_progress": 1, "todo": 0}
    by_name = flow.cumulative_flow(export, statuses="all")
    assert "Limbo" not in by_name.attrs["order"]
    cycle = flow.cycle_times(export).set_index("task_id")
    # The clock starts at the first placed in-progress move, not at the move into Limbo.
    assert cycle.loc["T1", "started"] == _day("2024-01-04")
    assert cycle.loc["T1", "cycle_time_days"] == pytest.approx(2.0)


# ---------------------------------------------------------------- "now"

def test_now_is_the_latest_task_time_or_change_in_the_history() -> None:
    rows = [dict(task_id="T1", title="t", status="In Progress", status_category="in_progress",
                 created="2024-01-01", updated="2024-01-05")]
    # An assignee change after the last update is activity too.
    events = [("T1", "2024-01-07 12:00", "assignee", None, "Ann", "Ann")]
    export = _export(rows, events)
    assert reference_time(export.tasks) == _day("2024-01-05")
    assert reference_time(export.tasks, export.events) == _day("2024-01-07 12:00")
    assert prepare(export).as_of == _day("2024-01-07 12:00")
    assert prepare(export, team="nobody").as_of == _day("2024-01-07 12:00")  # one "now" for every filter
    assert flow.aging_wip(export).attrs["as_of"] == _day("2024-01-07 12:00")


def test_now_of_an_undated_table_is_none() -> None:
    tasks = conform_tasks(pd.DataFrame({"task_id": ["A"], "status": ["Done"]}))
    assert reference_time(tasks, empty_events()) is None


# ---------------------------------------------------------------- text membership

def test_member_is_isin_for_text_with_na_never_a_member() -> None:
    values = pd.Series(["a", "b", None, "c"], dtype="string", index=[3, 4, 5, 6])
    found = member(values, pd.Series(["c", None, "a"], dtype="string"))
    assert found.tolist() == [True, False, False, True] and list(found.index) == [3, 4, 5, 6]
    assert member(values, {"b"}).tolist() == [False, True, False, False]
    assert member(values, []).tolist() == [False] * 4
    assert member(pd.Series([1, 2]), pd.Series(["1"])).tolist() == [False, False]  # 1 is not "1"

"""Epic forecasts over whole trees: epic > story > sub-task, nested epics and parent cycles.

Every table is built by hand.  Throughput is two unparented tasks finished every day 2024-01-01 ..
01-14 (28 tasks, as_of 2024-01-14) unless a test re-parents some of them into a tree, which keeps it
at exactly two a day, so every date below is worked out by hand.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import workfw as wf
from workfw import flow
from workfw.export import ImportReport, TaskExport
from workfw.flow.task_tree import MAX_DEPTH, _epic_tree, _parent_rows
from workfw.schema import conform_tasks, empty_events, tasks_of

_STATUS = {"todo": "To Do", "in_progress": "In Progress", "done": "Done", "cancelled": "Cancelled"}


def _export(rows: list[dict]) -> TaskExport:
    tasks = conform_tasks(pd.DataFrame(rows))
    return TaskExport(tasks=tasks, events=empty_events(), raw=pd.DataFrame(),
                      report=ImportReport(source="test", file="test.csv", rows_read=len(tasks)))


def _finished() -> list[dict]:
    """S<day>-<k>: two tasks finished at midnight UTC each day 2024-01-01 .. 01-14."""
    return [dict(task_id=f"S{i}-{k}", title="s", task_type="Task", status="Done", status_category="done",
                 created="2024-01-01", completed=day)
            for i, day in enumerate(pd.date_range("2024-01-01", "2024-01-14")) for k in range(2)]


def _task(tid: str, kind: str, category: str, parent: str | None = None, **extra) -> dict:
    return dict(task_id=tid, title=f"{tid} title", task_type=kind, status=_STATUS[category],
                status_category=category, parent_id=parent, created=extra.pop("created", "2024-01-01"), **extra)


def _adopt(rows: list[dict], task_id: str, **fields) -> None:
    """Move one finished throughput task into a tree (it stays a finished item, so throughput is unchanged)."""
    next(r for r in rows if r["task_id"] == task_id).update(fields)


def _three_levels() -> list[dict]:
    """E (epic, in progress) > stories A, B, C.

    A (in progress) > A1 done (S0-0), A2 to do, A3 in progress.
    B (done on 01-05, a container: its own completion is not throughput) > B1, B2, B3 done (S0-1, S1-0, S1-1).
    C (to do) has no sub-tasks: one item.
    Items: A1-A3, B1-B3, C = 7; remaining A2, A3, C = 3; two levels deep.
    """
    rows = _finished()
    for sid, new, parent in (("S0-0", "A1", "A"), ("S0-1", "B1", "B"), ("S1-0", "B2", "B"), ("S1-1", "B3", "B")):
        _adopt(rows, sid, parent_id=parent, task_type="Sub-task", title=f"{new} title")
    rows += [_task("E", "Epic", "in_progress"),
             _task("A", "Story", "in_progress", parent="E"), _task("B", "Story", "done", parent="E",
                                                                   completed="2024-01-05"),
             _task("C", "Story", "todo", parent="E"),
             _task("A2", "Sub-task", "todo", parent="A"), _task("A3", "Sub-task", "in_progress", parent="A")]
    return rows


def test_a_three_level_epic_counts_its_sub_tasks_not_its_stories():
    out = flow.epic_forecast(_export(_three_levels()), until="2024-01-16").set_index("epic_id")
    # Stories with sub-tasks are containers inside E, not epics of their own.
    assert list(out.index) == ["E"]
    assert out.loc["E", "children"] == 7 and out.loc["E", "remaining"] == 3 and out.loc["E", "depth"] == 2
    # Throughput is items too: B's own completion would make 29; the 28 are two a day.
    assert out.loc["E", "completed"] == 28 and out.loc["E", "samples"] == 14
    # 3 items at 2 a day: the 3rd is dealt on day 2 (01-16) in every run.
    assert out.loc["E", "likelihood"] == 100.0 and out.loc["E", "date"] == pd.Timestamp("2024-01-16")
    assert out.attrs["parent_cycles"] == [] and out.attrs["unplaced"] == 0


def test_a_story_without_sub_tasks_counts_as_one_item():
    rows = _three_levels()
    # Drop A's open sub-tasks: A then has A1 (done) only and stays a container; C alone is still one item.
    rows = [r for r in rows if r["task_id"] not in ("A2", "A3")]
    out = flow.epic_forecast(_export(rows), until="2024-01-16").set_index("epic_id")
    assert out.loc["E", "children"] == 5 and out.loc["E", "remaining"] == 1  # A1, B1-B3, C; C open
    # Without any sub-task under it, A counts as one open item itself.
    rows = [r for r in rows if r["task_id"] != "S0-0"]
    out = flow.epic_forecast(_export(rows), until="2024-01-16").set_index("epic_id")
    assert out.loc["E", "children"] == 5 and out.loc["E", "remaining"] == 2  # A, B1-B3, C; A and C open
    assert out.loc["E", "depth"] == 2  # B's sub-tasks


def test_a_parent_cycle_neither_hangs_nor_counts_twice():
    rows = _finished()
    # X and Y name each other as parent, Z sits under X: no epic is reached, so none of them is counted.
    # EC (an epic) and W name each other: the walk stops at EC, so W is EC's one item (W's only child is an
    # epic, so W is no container).
    rows += [_task("X", "Story", "todo", parent="Y"), _task("Y", "Story", "todo", parent="X"),
             _task("Z", "Sub-task", "todo", parent="X"),
             _task("EC", "Epic", "todo", parent="W"), _task("W", "Story", "in_progress", parent="EC"),
             _task("F", "Epic", "todo"), _task("F1", "Story", "todo", parent="F")]
    out = flow.epic_forecast(_export(rows), until="2024-01-20").set_index("epic_id")
    assert sorted(out.index) == ["EC", "F"]  # a parent on a cycle is no epic
    assert out.loc["EC", "children"] == 1 and out.loc["EC", "remaining"] == 1 and out.loc["EC", "depth"] == 1
    assert out.loc["F", "remaining"] == 1
    assert out.attrs["parent_cycles"] == ["X", "Y"]
    assert out.attrs["unplaced"] == 3  # X, Y and Z


def test_the_walk_stops_on_long_cycles_and_deep_chains():
    # A cycle of 50 tasks and a chain 30 deep under an epic: both end within MAX_DEPTH levels.
    ring = [dict(task_id=f"R{i}", parent_id=f"R{(i + 1) % 50}") for i in range(50)]
    chain = [dict(task_id="TOP", parent_id=None)] + [dict(task_id=f"D{i}", parent_id=f"D{i - 1}" if i else "TOP")
                                                     for i in range(30)]
    tasks = pd.DataFrame(ring + chain)
    is_epic = (tasks["task_id"] == "TOP").to_numpy()
    tree = _epic_tree(_parent_rows(tasks), is_epic)
    depth = dict(zip(tasks["task_id"], tree.depth))
    assert depth["D0"] == 1 and depth[f"D{MAX_DEPTH - 1}"] == MAX_DEPTH
    assert tree.lost[tasks["task_id"].str.startswith("R").to_numpy()].all()  # longer than the cap: lost
    assert tree.lost[(tasks["task_id"] == f"D{MAX_DEPTH}").to_numpy()].all()
    assert not tree.on_cycle.any()  # a 50-long cycle is past the cap, so it is only lost
    short = _epic_tree(_parent_rows(pd.DataFrame([dict(task_id="A", parent_id="B"), dict(task_id="B", parent_id="A"),
                                                  dict(task_id="C", parent_id="C")])), np.zeros(3, dtype=bool))
    assert short.on_cycle.tolist() == [True, True, False]  # naming itself is no parent at all
    assert short.parent.tolist() == [1, 0, -1]
    # An id given twice resolves to its first row; a parent outside the table is no parent.
    twice = pd.DataFrame([dict(task_id="P", parent_id=None), dict(task_id="K", parent_id="P"),
                          dict(task_id="P", parent_id="K"), dict(task_id="L", parent_id="gone")])
    assert _parent_rows(twice).tolist() == [-1, 0, 1, -1]


def test_a_nested_epic_keeps_its_own_items():
    """I (initiative, top of the tree) > E1 (epic) > E2 (epic): each item counts for its innermost epic only."""
    rows = _finished()
    rows += [_task("I", "Initiative", "in_progress"), _task("D", "Story", "todo", parent="I"),
             _task("E1", "Epic", "todo", parent="I", created="2024-01-02"),
             _task("E1a", "Story", "todo", parent="E1"), _task("E1b", "Story", "todo", parent="E1"),
             _task("E2", "Epic", "todo", parent="E1", created="2024-01-03"),
             _task("E2a", "Story", "todo", parent="E2"), _task("E2a1", "Sub-task", "todo", parent="E2a"),
             _task("E2a2", "Sub-task", "todo", parent="E2a")]
    out = flow.epic_forecast(_export(rows), until="2024-01-16").set_index("epic_id")
    assert list(out.index) == ["I", "E1", "E2"]
    assert out["remaining"].to_dict() == {"I": 1, "E1": 2, "E2": 2}
    assert out["depth"].to_dict() == {"I": 1, "E1": 1, "E2": 2}
    # Every open item is dealt once: 5 items, not 1 + 4 + 2.
    assert out["remaining"].sum() == 5
    # Round robin I E1 E2 E1 E2: I's item is task 1 (day 1, 01-15), E1's 2nd task 4 (day 2), E2's 2nd task 5
    # (day 3).
    assert out["date"].tolist() == [pd.Timestamp("2024-01-15"), pd.Timestamp("2024-01-16"),
                                    pd.Timestamp("2024-01-17")]


def test_burn_up_places_items_under_the_same_innermost_epic():
    rows = _finished()
    rows += [_task("E1", "Epic", "todo"), _task("E2", "Epic", "todo", parent="E1"),
             _task("A", "Story", "todo", parent="E1"), _task("B", "Story", "todo", parent="E2"),
             _task("B1", "Sub-task", "todo", parent="B")]
    bu = flow.burn_up(_export(rows), as_of="2024-01-14")
    last = bu[bu["date"] == bu["date"].max()].set_index("epic")["scope"].to_dict()
    # B has a sub-task, so it counts through B1 only, as in epic_forecast: one item under E2, not two.
    assert last == {"E1": 1, "E2": 1}


def test_the_sample_keeps_every_epics_items():
    data = wf.load_sample()
    tasks = tasks_of(data)
    before = tasks.copy()
    out = flow.epic_forecast(data, until="2027-01-31").set_index("epic_id")
    pd.testing.assert_frame_equal(tasks, before)  # the input is not changed
    assert out["remaining"].le(out["children"]).all() and out["depth"].between(0, MAX_DEPTH).all()
    # The old rule: every parent was an epic, counting its direct children that were neither a parent
    # nor typed Epic.
    parents = set(tasks["parent_id"].dropna())
    typed = tasks["task_type"].astype("string").str.casefold().eq("epic").fillna(False)
    plain = tasks[tasks["parent_id"].notna() & ~tasks["task_id"].isin(parents) & ~typed
                  & tasks["status_category"].notna()]
    old = plain.groupby("parent_id").size()
    kept = [e for e in out.index if old.get(e, 0) > 0]
    assert kept and all(out.loc[e, "children"] >= old[e] for e in kept)
    assert (out["depth"] == 2).any()  # the sample's epics hold stories with sub-tasks
    # An old epic no longer on a row is closed or sits inside a tree: a story with sub-tasks, now a container.
    info = tasks.set_index("task_id")
    dropped = set(old.index) - set(out.index)
    assert dropped and all(info.loc[t, "status_category"] in ("done", "cancelled") or pd.notna(info.loc[t, "parent_id"])
                           for t in dropped)
    assert out.attrs["parent_cycles"] == [] and out.attrs["unplaced"] == 0


@pytest.mark.parametrize("size", [200_000])
def test_the_walk_is_vectorised(size):
    """A forest of epics > stories > sub-tasks, with a cycle, resolves in a handful of numpy passes."""
    ids = np.arange(size)
    # Every 100th task is an epic, the next 9 its stories, the rest sub-tasks of those stories.
    epic_of = ids - ids % 100
    story = epic_of + 1 + (ids % 9)
    parent = np.where(ids % 100 == 0, -1, np.where(ids % 100 < 10, epic_of, story))
    parent[5], parent[6] = 6, 5  # a cycle
    is_epic = ids % 100 == 0
    tree = _epic_tree(parent, is_epic)
    assert tree.on_cycle.sum() == 2 and tree.lost.sum() > 2
    fine = ~tree.lost & ~is_epic
    assert (tree.epic[fine] == epic_of[fine]).all()
    assert set(np.unique(tree.depth[fine])) == {1, 2}

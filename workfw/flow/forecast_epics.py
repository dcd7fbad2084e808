"""Forecasts, part 3: the chance each open epic is done by a date, on one shared throughput (see :mod:`workfw.flow`).

**Epics and their remaining work.**  An epic is a task whose ``task_type``
is "Epic" (any case), or a task that is the ``parent_id`` of another task
and has no parent in the table itself (the top of a tree: a Linear parent
issue, an initiative, a story whose epic was filtered out).  Its work is
its whole subtree, followed down ``parent_id`` at any depth (Jira epic >
story > sub-task, Azure epic > feature > user story > task), up to
:data:`workfw.flow.task_tree.MAX_DEPTH` levels.  Inside the tree, a task
with tasks under it (a story with sub-tasks, a feature) is a *container*:
its children are the work items, not it.  A task with nothing under it is
one *work item*, so a story without sub-tasks counts once, like each
sub-task of its neighbour.  An epic's *remaining* items are its work items
still to do or in progress; ``depth`` says how many levels its tree went
(1: only direct children).  Epics whose own status is done or cancelled
are left out; an item whose status has no category is neither open nor
finished and is not counted.

**Epics inside epics.**  A work item belongs to the *innermost* epic above
it, and to no other: an initiative's epics are forecast on their own rows,
and the initiative counts only the items directly in its own tree (none
when all of its work sits in epics; its ``reason`` then names them).  Each
item is then in one epic's remaining work, so the shared throughput is
never dealt twice to the same item.  :func:`workfw.flow.burn_up` walks
``parent_id`` through the same function (:mod:`workfw.flow.task_tree`).

**Parent cycles.**  Exports do contain parent cycles (A under B under A).
The walk stops when a chain comes back to where it began, so a cycle never
hangs and no item is counted twice.  A cycle through an epic is read as
that epic's tree; tasks on a cycle with no epic, or under one, or deeper
than the cap, belong to no epic and are not counted: ``attrs`` names the
tasks on a cycle (``parent_cycles``) and counts the tasks left out
(``unplaced``), and a parent on a cycle is no epic.

**How the throughput is shared.**  The team's throughput counts the same
unit as the remaining work, work items: every finished task that is
neither an epic nor a container, inside an epic or not (a finished story
counts through its sub-tasks, never as well).  Sampled as in
:func:`workfw.flow.forecast_when`, it is dealt to the epics one finished
task at a time, round-robin: the epics are ranked (in progress first, then by
creation), at most ``wip`` of them are worked on at once (the first
``wip`` unfinished ones in rank order; all by default), and each finished
task goes to the next epic in rank order after the one that got the last
task, wrapping around.  When an epic is done its place goes to the next
unfinished one in rank.  This is the even split of jira-agile-metrics'
progress report, with the remainder of a day passed on in turn rather
than at random, so a run is reproducible by hand: epics of 4 and 6
remaining items at 2 tasks a day finish after 4 and 5 days.  With a split
rate each epic's remaining items grow to ``ceil(r * (1 + s))`` tasks, ``s``
drawn per run and epic (see :mod:`workfw.flow.forecast_range`).

This assumes all of the throughput goes to the epics: filter the export to
the team and the work that competes for it first.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from workfw.errors import OptionError
from workfw.flow.forecast import (_as_of, _check_forecast, _finish_steps, _stamp_day, _step_dates, _step_limit,
                                  _steps_until, _throughput_window)
from workfw.flow.forecast_range import (MIN_COMPLETED, _basis, _check_min, _draw_split, _grown, _split, _whole,
                                        _with_basis)
from workfw.flow.task_tree import _epic_tree, _parent_rows, _work_items
from workfw.flow.times import _check_levels, _cycles_or, _utc, cycle_times
from workfw.schema import tasks_of

__all__ = ["epic_forecast"]

_OPEN = ("todo", "in_progress")
_CLOSED = ("done", "cancelled")


def _epic_table(tasks: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, dict[str, Any]]:
    """Every epic with the work items of its subtree, the mask of the work items, and what the walk left out.

    Returns ``task_id, title, status, status_category, created, children, remaining, depth, nested,
    under_way`` per epic (see the module notes): ``children`` counts the work items under it with a status
    category, ``remaining`` those to do or in progress, ``depth`` the deepest level under it (1: only
    direct children, 0: nothing under it), ``nested`` the epics directly inside it.  The mask marks
    the work items of the whole table, the unit of both remaining work and throughput.
    """
    parent = _parent_rows(tasks)
    linked = parent >= 0
    has_child = np.zeros(len(tasks), dtype=bool)
    has_child[parent[linked]] = True
    typed = tasks["task_type"].astype("string").str.strip().str.casefold().eq("epic").fillna(False)
    # A parent at the top of its tree is an epic (a Linear parent issue, an initiative, a story whose
    # epic was filtered out); a parent further down is a container of its epic's items.
    is_epic = typed.to_numpy(dtype=bool) | (has_child & ~linked)
    tree = _epic_tree(parent, is_epic)
    item = _work_items(parent, is_epic)
    category = tasks["status_category"].astype("string").reset_index(drop=True)
    under = item & (tree.epic >= 0)
    owner, size = tree.epic[under], len(tasks)
    count = lambda mask: np.bincount(owner, weights=mask[under], minlength=size).astype(np.int64)  # noqa: E731
    children = count(category.notna().to_numpy(dtype=bool))
    remaining = count(category.isin(_OPEN).fillna(False).to_numpy(dtype=bool))
    touched = count(category.isin(("in_progress", "done")).fillna(False).to_numpy(dtype=bool))
    deepest = np.zeros(size, dtype=np.int64)
    below = ~is_epic & (tree.epic >= 0)
    np.maximum.at(deepest, tree.epic[below], tree.depth[below])
    rows = np.flatnonzero(is_epic)
    epics = tasks.iloc[rows][["task_id", "title", "status", "status_category", "created"]].reset_index(drop=True)
    ids = tasks["task_id"].astype("string").to_numpy()
    inner = np.flatnonzero(is_epic & (tree.epic >= 0))
    nested = pd.Series(ids[inner]).groupby(tree.epic[inner]).agg(list)
    epics["children"], epics["remaining"], epics["depth"] = children[rows], remaining[rows], deepest[rows]
    epics["nested"] = [nested.get(r, []) for r in rows]
    # An epic is under way when it says so or one of its items was started or finished.
    epics["under_way"] = epics["status_category"].eq("in_progress").fillna(False).to_numpy(dtype=bool) | (
        touched[rows] > 0)
    # An epic on a cycle is still the top of its tree (the walk stops at it): only the others are reported.
    stray = ~is_epic & tree.lost
    left = {"parent_cycles": sorted(str(t) for t in ids[tree.on_cycle & ~is_epic]), "unplaced": int(stray.sum())}
    return epics, item, left


def _ranked(epics: pd.DataFrame, chosen: Sequence[str] | None) -> pd.DataFrame:
    """The open epics in the order they are worked on."""
    open_epics = epics[~epics["status_category"].isin(_CLOSED).fillna(False).to_numpy(dtype=bool)]
    if chosen is None:
        return open_epics.sort_values(["under_way", "created", "task_id"], ascending=[False, True, True],
                                      na_position="last", kind="stable").reset_index(drop=True)
    wanted = [str(e) for e in ([chosen] if isinstance(chosen, str) else chosen)]
    known = dict(zip(open_epics["task_id"].astype(str), range(len(open_epics))))
    missing = [e for e in wanted if e not in known]
    if missing or len(set(wanted)) != len(wanted):
        found = f"{missing} not among the open epics" if missing else "an id given twice"
        raise OptionError(f"epics={wanted!r}: found {found}; expected ids of open epics, each once (the "
                          f"{len(known)} open epics include {sorted(known)[:5]}). Next step: pass those ids, or "
                          "leave epics out to forecast every open epic.")
    return open_epics.iloc[[known[e] for e in wanted]].reset_index(drop=True)


def _deal(need: np.ndarray, wip: int) -> np.ndarray:
    """Round-robin dealing: the running count of finished tasks at which each epic gets its last one.

    ``need`` is ``(runs, epics)`` tasks per epic (each >= 1), epics in rank order.  One pass per epic
    finishing, each over all runs at once: between two finishes the epics worked on are fixed, so the next
    to finish is the one whose turn ``k`` (1 = next) and need ``n`` give the fewest tasks ``(n - 1) * a + k``
    for ``a`` epics worked on.
    """
    runs, width = need.shape
    left = need.astype(np.int64).copy()
    finished = np.zeros((runs, width), dtype=bool)
    at = np.zeros((runs, width), dtype=np.int64)
    dealt = np.zeros(runs, dtype=np.int64)
    last = np.full(runs, -1, dtype=np.int64)  # the epic that got the latest task; -1: the first epic is next
    column = np.arange(width)
    rows = np.arange(runs)
    never = np.iinfo(np.int64).max
    for _ in range(width):
        open_ = ~finished
        active = open_ if wip >= width else open_ & (np.cumsum(open_, axis=1, dtype=np.int32) <= wip)
        upto = np.cumsum(active, axis=1, dtype=np.int64)  # epics worked on up to and including each column
        count = upto[:, -1]
        before = np.where(last >= 0, upto[rows, np.maximum(last, 0)], 0)
        # Turns run through the columns after the last one served, then wrap round to the first.
        turn = np.where(column[None, :] > last[:, None], upto - before[:, None], (count - before)[:, None] + upto)
        span = np.where(active, (left - 1) * count[:, None] + turn, never)
        first = span.argmin(axis=1)
        steps = span[rows, first]
        gets = np.where(active & (turn <= steps[:, None]), (steps[:, None] - turn) // count[:, None] + 1, 0)
        left -= gets
        dealt += steps
        at[rows, first] = dealt
        finished[rows, first] = True
        last = first
    return at


def epic_forecast(data: Any, *, until: Any, epics: Sequence[str] | None = None, wip: int | None = None,
                  split_rate: float | tuple[float, float] = 0.0, level: float = 85, runs: int = 10000,
                  seed: int = 0, working_days: bool = False, history_weeks: int = 12, freq: str = "D",
                  as_of: Any = None, max_years: int = 10, min_completed: int = MIN_COMPLETED,
                  cycles: pd.DataFrame | None = None) -> pd.DataFrame:
    """The chance each open epic is done by ``until``, when the epics share the team's throughput.

    See the module notes for what an epic is, its remaining items and the
    sharing rule.  Each run draws one throughput path (as
    :func:`workfw.flow.forecast_when`) and deals it round-robin to the
    epics; an epic is done on the day its last remaining item is dealt.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table (``parent_id`` and ``task_type`` are read).
    until : date-like
        The date to be done by (UTC calendar day), after ``as_of``.
    epics : sequence of str, optional
        Ids of the open epics to forecast, in the order they are worked on;
        by default every open epic, those under way first, then by creation.
    wip : int, optional
        How many epics are worked on at once; all of them by default.
    split_rate : float or (float, float)
        Extra tasks per remaining item once work starts, or a range drawn
        per run and epic.
    level : float
        The likelihood of the ``date`` column.
    runs, seed : int
        Number of simulated runs and the random seed.
    working_days : bool
        Simulate and sample Monday-Friday only.
    history_weeks : int
        How many recent weeks of throughput to sample.
    freq : {"D", "W"}
        Sample daily or weekly throughput.
    as_of : date-like, optional
        Start of the forecast; defaults to the data's reference time.
    max_years : int
        Runs still short after this long count as not done.
    min_completed : int
        Fewest tasks finished in the window to make a forecast.
    cycles : pandas.DataFrame, optional
        :func:`workfw.flow.cycle_times` of the same ``data`` (only completions are read).

    Returns
    -------
    pandas.DataFrame
        One row per open epic in rank order: ``epic_id, title, status,
        rank, children, remaining, depth, likelihood, level, date,
        window_start, window_end, samples, completed, reason``:
        ``children`` counts the work items of its subtree (neither its
        containers nor its nested epics' items), ``remaining`` those still
        open, ``depth`` the levels its tree went (1: direct children only,
        0: none).  ``likelihood`` is the %
        of runs in which the epic was done by ``until``; ``date`` the day by
        which it was done in ``level`` % of runs (NaT: not within
        ``max_years``).  An epic with no open items is done (100, on
        ``as_of``'s day).  ``likelihood`` and ``date`` are NA, and
        ``reason`` says why, for an epic without children (its scope is
        unknown) and for every epic when the window holds too little
        history.  ``attrs`` holds ``as_of``, ``until``, ``wip``,
        ``split_rate``, ``parent_cycles`` (ids of the tasks on a parent
        cycle) and ``unplaced`` (how many tasks reach no epic because of
        a cycle or a chain deeper than the cap).
    """
    _check_forecast(freq, runs)
    split, least = _split(split_rate), _check_min(min_completed)
    cut = _check_levels([level])[0]
    limit_wip = _whole(wip) if wip is not None else None
    if wip is not None and (limit_wip is None or limit_wip < 1):
        raise OptionError(f"wip={wip!r}; expected a whole number of epics worked on at once, >= 1. "
                          "Next step: pass wip=2, or leave it out to work on every open epic at once.")
    tasks = tasks_of(data)
    stamp = _as_of(data, tasks, as_of)
    target = _utc(until, name="until")
    start_day, end_day = np.datetime64(_stamp_day(stamp)), np.datetime64(_stamp_day(target))
    if end_day <= start_day:
        raise OptionError(f"until={until!r} is not after as_of {_stamp_day(stamp)}; expected a later date. "
                          "Next step: pass a date after the last activity in the export.")
    table, item, left = _epic_table(tasks)
    ranked = _ranked(table, epics)
    done = _cycles_or(cycles, lambda: cycle_times(data, start="created"), where="epic_forecast")
    # Throughput counts what remaining work counts: work items, not epics or containers, whose own
    # completions would count their items twice.
    item_ids = set(tasks["task_id"].astype(str).to_numpy()[item])
    work = done[done["task_id"].astype(str).isin(item_ids).to_numpy(dtype=bool)]
    window = _throughput_window(data, as_of=stamp, history_weeks=history_weeks, working_days=working_days,
                                freq=freq, cycles=work, where="epic_forecast")
    basis = _basis(window, least, weekly=freq == "W")
    width = len(ranked)
    likelihood = np.full(width, np.nan)
    steps: list[int | None] = [None] * width
    reasons: list[str | None] = [basis["reason"]] * width
    scoped = (ranked["children"] > 0).to_numpy()
    pending = scoped & (ranked["remaining"] > 0).to_numpy()
    for i in np.flatnonzero(~scoped):
        inner = ranked["nested"].iloc[i]
        if inner:
            shown = ", ".join(str(e) for e in inner[:5]) + (f" and {len(inner) - 5} more" if len(inner) > 5 else "")
            reasons[i] = (f"its work items all sit under its nested epics ({shown}), which are forecast on their "
                          "own rows. Next step: read those rows, or give it items of its own.")
        else:
            reasons[i] = ("no child task records its scope, so its remaining work is unknown. Next step: set the "
                          "epic as parent_id of its items in the tracker.")
    if basis["reason"] is None:
        for i in np.flatnonzero(scoped & ~pending):
            likelihood[i], steps[i] = 100.0, 0
        if pending.any():
            rng = np.random.default_rng(seed)
            size = int(runs)
            remaining = ranked.loc[pending, "remaining"].to_numpy(dtype=np.int64)
            if split[0] == split[1]:
                # Every run needs the same tasks: deal once and share the result.
                need = _grown(remaining[None, :], np.full((1, len(remaining)), split[0]))
                at = np.repeat(_deal(need, limit_wip or len(remaining)), size, axis=0)
            else:
                need = _grown(np.broadcast_to(remaining, (size, len(remaining))),
                              _draw_split(rng, split, (size, len(remaining))))
                at = _deal(need, limit_wip or len(remaining))
            finish = _finish_steps(window.samples.astype(np.int32), at, rng,
                                   limit=_step_limit(max_years, freq=freq, working_days=working_days))
            horizon = _steps_until(start_day, end_day, freq=freq, working_days=working_days)
            never = np.iinfo(np.int64).max
            ordered = np.sort(np.where(finish < 0, never, finish), axis=0)
            pick = ordered[max(0, int(np.ceil(size * cut / 100)) - 1)]
            for j, i in enumerate(np.flatnonzero(pending)):
                likelihood[i] = float(((finish[:, j] >= 0) & (finish[:, j] <= horizon)).mean() * 100)
                steps[i] = None if pick[j] == never else int(pick[j])
    dates = _step_dates(start_day, steps, freq=freq, working_days=working_days)
    # Where there is no forecast the date is NA, not "never": the reason column says which.
    dates = dates.where(~pd.isna(likelihood))
    frame = pd.DataFrame({
        "epic_id": ranked["task_id"].astype("string"), "title": ranked["title"].astype("string"),
        "status": ranked["status"].astype("string"), "rank": np.arange(1, width + 1, dtype=np.int64),
        "children": ranked["children"].astype("int64"), "remaining": ranked["remaining"].astype("int64"),
        "depth": ranked["depth"].astype("int64"), "likelihood": likelihood, "level": float(cut), "date": dates,
    })
    out = _with_basis(frame, basis)
    out["reason"] = pd.array(reasons, dtype="string")
    out.attrs.update(as_of=stamp, until=target, wip=limit_wip, split_rate=split, **left)
    return out

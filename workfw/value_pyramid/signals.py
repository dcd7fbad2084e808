"""The Work Value Pyramid's signals (Progress, Outcomes, Activities); the C4 Flywheel borrows some by name."""
from __future__ import annotations

import numpy as np
import pandas as pd

from workfw.core import (HISTORY, Context, Links, Measured, NotMeasurable, SignalSpec, cached, ids_at, ids_of,
                         link_arrays, require_goal_links, severity_of_share)
from workfw.value_pyramid.definition import OPTIONS
from workfw.value_pyramid.levels import _level_of

__all__ = ["SIGNALS"]


# --------------------------------------------------------------------------- signals

def _levels(ctx: Context) -> pd.Series:
    """Each task's level (categorical); :func:`workfw.value_pyramid.classify_levels` adds the reasons."""
    return _level_of(ctx.tasks)


def _arrays(ctx: Context) -> Links:
    """The goal links as arrays: what the signals read (:func:`workfw.core.goal_link_table` spells them out)."""
    return link_arrays(ctx.tasks)


def _require_goal_items(ctx: Context) -> pd.Series:
    """Return the mask of epic/goal items; raise when the export cannot tell them apart."""
    if ctx.tasks["task_type"].isna().all():
        raise NotMeasurable("the export has no issue types, so epics and goals cannot be told apart")
    is_goal = _arrays(ctx).is_goal
    if not is_goal.any():
        raise NotMeasurable("the export holds no epic, milestone or goal items")
    return pd.Series(is_goal, index=ctx.tasks.index)


#: Categories of work that can still finish or has: not cancelled, and with a status at all.
_FINISHABLE = ("todo", "in_progress", "done")


def _completed_on_goal(ctx: Context) -> Measured:
    require_goal_links(ctx)
    links = _arrays(ctx)
    done = (ctx.tasks["status_category"] == "done").fillna(False).to_numpy(dtype=bool) & ~links.is_goal
    if not done.any():
        raise NotMeasurable("no completed tasks")
    rolls_up = links.rolls_up
    share = float(rolls_up[done].mean())
    orphans = ids_at(ctx, done & ~rolls_up)
    finding = None
    if orphans:
        finding = (f"{len(orphans)} of {int(done.sum())} completed tasks roll up to no goal, epic or milestone "
                   "(orphan activity)")
    return Measured(share, share * 100, int(done.sum()), orphans, finding, severity_of_share(1 - share))


def _epic_children(ctx: Context) -> pd.DataFrame:
    """Tasks whose parent chain reaches an epic, with ``epic`` coding their epic.

    ``attrs["epics"]`` names the epics in id order (the order a groupby on the ids
    would give), ``attrs["epic_rows"]`` gives each one's row in the table (-1:
    an epic outside it).
    """
    def build(tasks: pd.DataFrame) -> pd.DataFrame:
        links = _arrays(ctx)
        chosen = ~links.is_goal & links.via_parent & (links.epic != -1)
        # Only the columns the epic signals read: copying every column of a large selection is slow.
        work = tasks.loc[chosen, ["task_id", "status_category", "started", "completed", "updated"]]
        # Epics numbered as integers; only the few distinct ones are named, to sort them by id.
        raw, distinct = pd.factorize(links.epic[chosen])
        names = pd.array(ids_of(np.asarray(distinct), tasks, links.outside), dtype="string")
        order = np.argsort(names.to_numpy(dtype=object), kind="stable") if len(names) else np.array([], dtype=int)
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        work = work.assign(epic=rank[raw])
        work.attrs["epics"] = pd.Index(names[order], dtype="string")
        work.attrs["epic_rows"] = np.where(np.asarray(distinct)[order] >= 0, np.asarray(distinct)[order], -1)
        return work

    return cached(ctx.tasks, "epic children", lambda: build(ctx.tasks))


def _per_epic(children: pd.DataFrame, flags: np.ndarray, how: str) -> np.ndarray:
    """``how`` ("mean", "any" or "all") of ``flags`` per epic code of ``children``; epics without rows are NaN."""
    width = len(children.attrs["epics"])
    rows = np.bincount(children["epic"].to_numpy(), minlength=width)
    hits = np.bincount(children["epic"].to_numpy(), weights=flags.astype(float), minlength=width)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = hits / rows if how == "mean" else (hits > 0) if how == "any" else (hits == rows)
    return np.where(rows > 0, value, np.nan)


def _epic_completion(ctx: Context) -> Measured:
    require_goal_links(ctx)
    children = _epic_children(ctx)
    # Cancelled work was never meant to finish, and a task without a status is neither done nor open.
    children = children[children["status_category"].isin(_FINISHABLE).to_numpy(dtype=bool)]
    if children.empty:
        raise NotMeasurable("no task has an epic, milestone or goal as parent")
    per_epic = _per_epic(children, (children["status_category"] == "done").to_numpy(dtype=bool), "mean")
    per_epic = per_epic[~np.isnan(per_epic)]
    value = float(pd.Series(per_epic).mean())
    return Measured(value, value * 100, len(per_epic))


def _epics_moved(ctx: Context) -> Measured:
    require_goal_links(ctx)
    period = pd.Timedelta(days=int(ctx.options.get("period_days", OPTIONS["period_days"])))
    since = ctx.as_of - period
    children = _epic_children(ctx)
    if children.empty:
        raise NotMeasurable("no task has an epic, milestone or goal as parent")
    # Every epic code has children here (the cancelled are not left out), so no epic is NaN below.
    open_child = children["status_category"].isin(["todo", "in_progress"]).to_numpy(dtype=bool)
    has_open_child = pd.Series(_per_epic(children, open_child, "any") > 0, index=children.attrs["epics"])
    # An epic in the table counts when it is itself open; one outside it when it has open tasks.
    rows = children.attrs["epic_rows"]
    is_open = ctx.tasks["status_category"].isin(["todo", "in_progress"]).to_numpy(dtype=bool)
    open_goal = _arrays(ctx).is_goal & is_open
    wanted = np.where(rows >= 0, open_goal[np.where(rows >= 0, rows, 0)], has_open_child.to_numpy(dtype=bool))
    active = has_open_child.index[wanted].tolist()
    if not active:
        raise NotMeasurable("no epic, milestone or goal is open with tasks under it")
    if children[["completed", "started"]].notna().to_numpy().any():
        moved_task = (children["completed"] >= since) | (children["started"] >= since)
    else:
        # Without completion or start dates, a recent update is the only sign of movement.
        moved_task = children["updated"] >= since
    moved_any = _per_epic(children, moved_task.fillna(False).to_numpy(dtype=bool), "any") > 0
    moved = pd.Series(moved_any, index=has_open_child.index).reindex(active)
    still = sorted(moved.index[~moved])
    share = float(moved.mean())
    finding = None
    if still:
        finding = (f"{len(still)} of {len(active)} open epics had no task started or finished in the last "
                   f"{period.days} days")
    return Measured(share, share * 100, len(active), still, finding, severity_of_share(1 - share))


def _goals_completed(ctx: Context) -> Measured:
    is_goal = _require_goal_items(ctx)
    finishable = ctx.tasks["status_category"].isin(_FINISHABLE)
    goals = ctx.tasks.loc[is_goal & finishable, ["task_id", "status_category"]]
    if goals.empty:
        raise NotMeasurable("every epic, milestone or goal item is cancelled or has no status")
    done = goals["status_category"] == "done"
    children = _epic_children(ctx)
    children = children[children["status_category"].isin(_FINISHABLE).to_numpy(dtype=bool)]
    finished = _per_epic(children, (children["status_category"] == "done").to_numpy(dtype=bool), "all")
    kept = ~np.isnan(finished)
    # Epics whose every (finishable) task is done; a membership test, as mapping ids onto an empty table gives
    # a text column that cannot be filled with False (a month's cohort in loop_trend with no epic children).
    all_done = children.attrs["epics"][kept][finished[kept] > 0]
    unclaimed = sorted(goals.loc[~done & goals["task_id"].isin(all_done).to_numpy(dtype=bool), "task_id"])
    finding = None
    if unclaimed:
        finding = (f"{len(unclaimed)} epics or goals have every task done but are still open; close them so the "
                   "outcome is recorded")
    return Measured(float(done.sum()), float(done.mean()) * 100, len(goals), unclaimed, finding, "medium")


def _activity_events(ctx: Context) -> int:
    tasks = ctx.tasks
    events = int(tasks["created"].notna().sum()) + int((tasks["updated"] > tasks["created"]).fillna(False).sum())
    events += int(tasks["comments"].fillna(0).sum())
    if not ctx.events.empty:
        events += int((ctx.events["field"] == "status").sum())
    return events


def _recent_activity(ctx: Context, period: int) -> int:
    since = ctx.as_of - pd.Timedelta(days=period)
    tasks = ctx.tasks
    touched = tasks["updated"].fillna(tasks["created"]) >= since
    events = int((tasks["created"] >= since).sum()) + int(((tasks["updated"] > tasks["created"]) & touched).sum())
    events += int(tasks.loc[touched.fillna(False).astype(bool), "comments"].fillna(0).sum())
    if not ctx.events.empty:
        events += int(((ctx.events["field"] == "status") & (ctx.events["at"] >= since)).sum())
    return events


def _outcomes_per_activity(ctx: Context) -> Measured:
    activity = _activity_events(ctx)
    if activity == 0:
        raise NotMeasurable("the export has no creation or update dates to count activity")
    outcomes = int((_levels(ctx) == "Outcomes").sum())
    ratio = outcomes / activity * 100
    target = float(ctx.options.get("outcome_target", OPTIONS["outcome_target"]))
    finding = None
    if ratio < target / 2:
        finding = (f"{outcomes} outcomes for {activity} activity events ({ratio:.1f} per 100): busy, "
                   "but little of it reaches an outcome")
    return Measured(ratio, min(100.0, ratio / target * 100), activity, [], finding, "medium")


def _open_unaligned(ctx: Context) -> Measured:
    require_goal_links(ctx)
    links = _arrays(ctx)
    open_work = ctx.tasks["status_category"].isin(["todo", "in_progress"]).to_numpy(dtype=bool) & ~links.is_goal
    if not open_work.any():
        raise NotMeasurable("no open tasks")
    unaligned = open_work & ~links.rolls_up
    share = float(unaligned.sum() / open_work.sum())
    ids = ids_at(ctx, unaligned)
    finding = None
    if ids:
        finding = f"{len(ids)} of {int(open_work.sum())} open tasks connect to no goal, epic or milestone"
    return Measured(share, 100 - share * 100, int(open_work.sum()), ids, finding, severity_of_share(share))


# Required fields: without one the signal is NA (see SignalSpec); "a|b" when either will do.
SIGNALS: tuple[SignalSpec, ...] = (
    SignalSpec("Progress", "completed work on a goal", ("status_category", "parent_id|labels"),
               "Share of completed tasks whose parent chain reaches an epic, milestone or goal (or that carry a "
               "goal label); the rest is orphan activity.", _completed_on_goal, optional=("task_type",)),
    SignalSpec("Progress", "epic completion", ("status_category", "parent_id"),
               "Mean over epics of the share of their (non-cancelled) tasks that are done.", _epic_completion,
               optional=("task_type",)),
    SignalSpec("Progress", "active epics that moved", ("status_category", "parent_id"),
               "Share of open epics with a task started or finished in the last period_days (default 30).",
               _epics_moved, optional=("task_type", "completed", "started", "updated")),
    SignalSpec("Outcomes", "goals completed", ("status_category", "task_type"),
               "Epics, milestones and goals completed (value: count; score: share of non-cancelled ones done).",
               _goals_completed, optional=("parent_id",), unit="count",
               rule="score = the share of non-cancelled goals that are done"),
    # An outcome is told by its type, its parent or a label (released, customer): with none of them every
    # finished task would read as mere activity.
    SignalSpec("Outcomes", "outcome events per 100 activity events",
               ("status_category", "created", "task_type|parent_id|labels"),
               "Tasks on the Outcomes level per 100 activity events (created + updated + comments + transitions); "
               "score = ratio / outcome_target x 100, capped at 100.", _outcomes_per_activity,
               optional=("updated", "comments", HISTORY, "blocked_by"), unit="per 100",
               rule="score = rate / outcome target × 100, at most 100"),
    SignalSpec("Activities", "open work tied to a goal", ("status_category", "parent_id|labels"),
               "Share of open tasks that connect to no goal, epic or milestone (lower is better; score = 100 - "
               "share x 100).", _open_unaligned, optional=("task_type",), rule="score = 100 - the share"),
)

"""The Work Visibility Framework's signals, one per level (what each score means: :mod:`workfw.visibility`)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from workfw.core import (HISTORY, OPEN, BY_LATE_CAPTURE, Context, Measured, NotMeasurable, SignalSpec, ids_at,
                         in_category, late_capture, link_arrays, list_counts, require_goal_links, severity_of_share)
from workfw.visibility.definition import HIGH_PRIORITIES, KEY_PREFIX
from workfw.visibility.levels import _dependency_edges, _levels, _priority_in, _unit

__all__ = ["SIGNALS"]


def _require_open(ctx: Context) -> np.ndarray:
    is_open = ctx.tasks["status_category"].isin(OPEN).to_numpy()
    if not is_open.any():
        raise NotMeasurable("no open tasks")
    return is_open


def _private(ctx: Context) -> Measured:
    share, ids = late_capture(ctx)
    if share is None:
        raise NotMeasurable("no finished task has both a creation and a completion time")
    # Counted, not selected: the done tasks' rows are not read here.
    done = int(in_category(ctx, "done").sum())
    finding = None
    if ids:
        finding = (f"{len(ids)} of {done} finished tasks were logged after the fact (created already "
                   "done, done within an hour, or never in progress)")
    severity = BY_LATE_CAPTURE.of_share(share)
    return Measured(share, 100 - share * 100, done, ids, finding, severity)


def _personal(ctx: Context) -> Measured:
    is_open = _require_open(ctx)
    levels = _levels(ctx)
    stuck = is_open & (levels["level"] == "Personal System").to_numpy() & levels["_personal_rule"].to_numpy()
    share = float(stuck.sum() / is_open.sum())
    ids = ids_at(ctx, stuck)
    finding = None
    if ids:
        finding = (f"{len(ids)} of {int(is_open.sum())} open tasks are kept to one person or sit in no shared "
                   "project or team")
    return Measured(share, 100 - share * 100, int(is_open.sum()), ids, finding, severity_of_share(share))


def _team(ctx: Context) -> Measured:
    is_open = _require_open(ctx)
    tasks = ctx.tasks
    owner = tasks["assignee"].notna().to_numpy() | (list_counts(tasks, "assignees") > 0)
    if not owner.any():
        raise NotMeasurable("the export has no assignees")
    dated = tasks["updated"].fillna(tasks["created"])
    if dated.isna().all():
        raise NotMeasurable("the export has no update or creation dates")
    stale_days = int(ctx.options["stale_days"])
    fresh = (dated >= ctx.as_of - pd.Timedelta(days=stale_days)).fillna(False).astype(bool)
    good = is_open & owner & fresh.to_numpy()
    share = float(good.sum() / is_open.sum())
    ids = ids_at(ctx, is_open & ~good)
    finding = None
    if ids:
        finding = f"{len(ids)} of {int(is_open.sum())} open tasks have no owner or no update in {stale_days} days"
    return Measured(share, share * 100, int(is_open.sum()), ids, finding, severity_of_share(1 - share))


def _cross(ctx: Context) -> Measured:
    ctx.require("blocked_by")
    if _unit(ctx.tasks).isna().all() and ctx.tasks["task_id"].str.extract(KEY_PREFIX, expand=False).isna().all():
        raise NotMeasurable("the export has no team or project, so cross-team links cannot be told apart")
    edges = _dependency_edges(ctx.tasks)
    is_open = ctx.tasks["status_category"].isin(OPEN).to_numpy()
    edges = edges[edges["cross"] & is_open[edges["src"].to_numpy()]]
    if edges.empty:
        raise NotMeasurable("no open task waits on another team's or project's item")
    level_rank = _levels(ctx)["level"].cat.codes.to_numpy() + 1
    known = edges["dst"].to_numpy() >= 0
    safe = np.where(known, edges["dst"].to_numpy(), 0)
    both = known & (level_rank[safe] >= 3)
    share = float(both.mean())
    ids = sorted(set(ctx.tasks["task_id"].to_numpy()[edges["src"].to_numpy()[~both]]))
    finding = None
    if ids:
        finding = (f"{int((~both).sum())} of {len(edges)} open cross-team dependencies are visible from one side "
                   "only (the other item is missing from the export, unowned or stale)")
    return Measured(share, share * 100, len(edges), ids, finding, severity_of_share(1 - share))


def _organizational(ctx: Context) -> Measured:
    tasks = ctx.tasks
    require_goal_links(ctx)
    links = link_arrays(tasks)
    high = _priority_in(tasks, HIGH_PRIORITIES)
    if not links.is_goal.any() and tasks["priority"].isna().all():
        raise NotMeasurable("the export has neither issue types (to find epics) nor priorities")
    major = tasks["status_category"].isin(OPEN).to_numpy() & (links.is_goal | high)
    if not major.any():
        raise NotMeasurable("no open epic, goal or high-priority task")
    rolled = major & links.rolls_up
    share = float(rolled.sum() / major.sum())
    ids = ids_at(ctx, major & ~rolled)
    finding = None
    if ids:
        finding = f"{len(ids)} of {int(major.sum())} open epics and high-priority tasks connect to no goal"
    return Measured(share, share * 100, int(major.sum()), ids, finding, severity_of_share(1 - share))


# Required fields: without one the signal is NA (see SignalSpec); "a|b" when either will do.
SIGNALS: tuple[SignalSpec, ...] = (
    SignalSpec("Private", "late capture", ("status_category", "created", "completed"),
               "Score = 100 - share of finished work logged after the fact (created already done, done within an "
               "hour, or never in progress).", _private, optional=(HISTORY,), rule="score = 100 - the share"),
    # Without a team or project every task would "sit in no shared project or team"; comments, watchers and
    # the people named refine "only one person ever touched it" where the export has them.
    SignalSpec("Personal System", "open work kept personal", ("status_category", "team|project"),
               "Score = 100 - share of open tasks at Personal System that only one person ever touched (no "
               "comments, at most one watcher) or that sit in no shared project or team.", _personal,
               optional=("assignee", "assignees", "reporter", "comments", "watchers", "updated", HISTORY),
               rule="score = 100 - the share"),
    SignalSpec("Team Visible", "owner and fresh status", ("status_category", "assignee|assignees",
                                                          "updated|created"),
               "Share of open tasks with an owner and an update in the last stale_days.", _team,
               optional=("team", "project")),
    SignalSpec("Cross-functional Visible", "dependencies visible from both sides", ("status_category", "blocked_by"),
               "Share of open cross-team blocked-by links whose other item is in the export and Team Visible "
               "or above.", _cross, optional=("team", "project", "assignee", "updated")),
    SignalSpec("Organizational Visible", "major work on a goal", ("status_category", "parent_id|labels",
                                                                  "task_type|priority"),
               "Share of open epics/goals and high-priority tasks whose parent chain reaches a goal.",
               _organizational),
)

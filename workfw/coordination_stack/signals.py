"""The Coordination Stack's signals, layer by layer (Why, What, Who, When, How)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from workfw.coordination_stack.definition import (ACCEPTANCE, ASSIGNEE_FIELDS, DEPENDENCY, DUE_FIELDS, FINISHED,
                                                  INTENT, STATUS_FIELDS)
from workfw.coordination_stack.facts import (container_flags, cue_flags, days_score, done_tasks, field_events,
                                             goal_labelled, share_result, status_events, word_counts)
from workfw.coordination_stack.people import _last_seen, _latest_signs, _owner_name, _owner_sign_code
from workfw.coordination_stack.titles import title_codes
from workfw.core import (HISTORY, NAT, OPEN, Context, Measured, NotMeasurable, SignalSpec, as_ns, days_between,
                         days_to_as_of, every_task, gap_days, has_value, ids_at, in_category, large_text, list_counts,
                         member, owned_flags, per_row, require_any, severity_of_score, share_of, stamped_at_or_after,
                         stamped_before)

__all__ = ["SIGNALS"]


# --- Why ------------------------------------------------------------------------------------------

def _linked_to_goal(ctx: Context) -> Measured:
    tasks = ctx.tasks
    labelled = goal_labelled(tasks)
    if tasks["parent_id"].isna().all() and not labelled.any():
        raise NotMeasurable("the export has no parent, epic or milestone link and no goal-like labels")
    linked = has_value(ctx, "parent_id") | labelled.to_numpy(dtype=bool)
    return share_of(ctx, linked, ~container_flags(ctx).to_numpy(dtype=bool), healthy=True,
                     empty="every task is itself an epic or goal",
                     finding="{bad} of {n} tasks link to no parent, epic, milestone or goal label")


def _parent_purpose(ctx: Context) -> Measured:
    ctx.require("description")
    parents = container_flags(ctx).to_numpy(dtype=bool)
    if not parents.any():
        raise NotMeasurable("no parent epic or goal is in the export itself, only ids pointing to them")
    good = word_counts(ctx) >= ctx.options["substantive_words"]
    return share_of(ctx, good, parents, healthy=True, empty="no parent epic in the export",
                     finding="{bad} of {n} parent epics or goals have no substantive description of their purpose")


def _intent_cues(ctx: Context) -> Measured:
    ctx.require("description")
    cue = cue_flags(ctx, "description", INTENT).to_numpy(dtype=bool)
    return share_of(ctx, cue, has_value(ctx, "description"), healthy=True, empty="no task has a description",
                     finding="{bad} of {n} descriptions never say why (no 'so that', 'because', 'goal' or 'outcome')")


# --- What -----------------------------------------------------------------------------------------

def _substantive(ctx: Context) -> Measured:
    ctx.require("description")
    words = ctx.options["substantive_words"]
    return share_of(ctx, word_counts(ctx) >= words, every_task(ctx), healthy=True, empty="no tasks",
                     finding="{bad} of {n} tasks have a description under " + f"{words} words")


def _acceptance(ctx: Context) -> Measured:
    ctx.require("description")
    found = cue_flags(ctx, "description", ACCEPTANCE).to_numpy(dtype=bool)
    return share_of(ctx, found, every_task(ctx), healthy=True, empty="no tasks",
                     finding="{bad} of {n} tasks state no acceptance criteria, checklist or definition of done")


def _estimated(ctx: Context) -> Measured:
    ctx.require("estimate")
    return share_of(ctx, has_value(ctx, "estimate"), every_task(ctx), healthy=True, empty="no tasks",
                     finding="{bad} of {n} tasks carry no estimate")


def _duplicates(ctx: Context) -> Measured:
    tasks = ctx.tasks
    require_any(ctx, "title", "resolution")
    titles = per_row(tasks, "duplicate titles", title_codes)
    # Titles are compared as codes of their normalised text (NA: -1), found once per export.
    code = titles["code"].to_numpy()
    copy = titles["long"].to_numpy() & pd.Series(code).duplicated(keep="first").to_numpy() & (code >= 0)
    return share_of(ctx, titles["said"].to_numpy() | copy, every_task(ctx), healthy=False, empty="no tasks",
                     finding="{bad} of {n} tasks duplicate another (resolved as duplicate or same title)")


def _reopened(ctx: Context) -> Measured:
    events = status_events(ctx)
    tasks = ctx.tasks
    finished_now = tasks["status_category"].isin(FINISHED) & member(tasks["task_id"], events["task_id"])
    ever = finished_now | member(tasks["task_id"], events.loc[events["new_cat"].isin(FINISHED), "task_id"])
    back = events["old_cat"].isin(FINISHED) & events["new_cat"].isin(OPEN)
    pool = tasks[ever]
    return share_result(member(pool["task_id"], events.loc[back, "task_id"]), pool["task_id"], healthy=False,
                  empty="no task with history has been finished",
                  finding="{bad} of {n} finished tasks were reopened (done, then open again)")


# --- Who ------------------------------------------------------------------------------------------

def _open_owned(ctx: Context) -> Measured:
    require_any(ctx, "assignee", "assignees")
    return share_of(ctx, _owned_rows(ctx), in_category(ctx, *OPEN), healthy=True, empty="no open tasks",
                     finding="{bad} of {n} open tasks have no owner")


def _owned_rows(ctx: Context) -> np.ndarray:
    """Where a task has an owner (assignee or assignees), from a per-export fact."""
    return per_row(ctx.tasks, "owned", owned_flags).to_numpy(dtype=bool)


def _single_owner(ctx: Context) -> Measured:
    ctx.require("assignees")
    single = per_row(ctx.tasks, "assignee count", lambda t: list_counts(t, "assignees")) <= 1
    return share_of(ctx, single, in_category(ctx, *OPEN) & _owned_rows(ctx), healthy=True,
                     empty="no open task has an owner",
                     finding="{bad} of {n} owned open tasks are shared by several assignees (no single owner)")


def _orphaned(ctx: Context) -> Measured:
    require_any(ctx, "assignee", "assignees")
    ctx.require("updated")
    owned = in_category(ctx, *OPEN) & _owned_rows(ctx)
    days = ctx.options["stale_days"]
    if ctx.events.empty:
        # Owners and their latest signs as codes: no names are looked up per filter.
        latest, _ = _latest_signs(ctx)
        code = per_row(ctx.tasks, "owner sign code", _owner_sign_code)[owned]
        last = np.where(code >= 0, latest[np.maximum(code, 0)] if len(latest) else NAT, NAT)
        known = last != NAT
        gone = np.zeros(len(last), dtype=bool)
        gone[known] = gap_days(ctx.as_of.as_unit("ns").value - last[known]) > days
    else:
        seen = _last_seen(ctx)
        owner = per_row(ctx.tasks, "owner name", _owner_name)[owned]
        where = pc.fill_null(pc.index_in(large_text(owner), value_set=large_text(seen.index.to_series())), -1)
        last_seen = pd.Series(seen.array.take(where.to_numpy(zero_copy_only=False), allow_fill=True))
        gone = (days_between(ctx.as_of, last_seen) > days).to_numpy(dtype=bool)
    quiet = np.zeros(len(owned), dtype=bool)
    quiet[owned] = gone
    return share_of(ctx, quiet, owned, healthy=False, empty="no open task has an owner",
                     finding="{bad} of {n} owned open tasks are orphaned: their owner has shown no activity for over "
                             f"{days} days")


def _reassigned(ctx: Context) -> Measured:
    events = field_events(ctx, ASSIGNEE_FIELDS, "assignee")
    # A first assignment (nobody -> someone) is not a hand-off; a change away from someone is.
    moved = events.loc[events["old"].notna(), "task_id"]
    return share_result(member(ctx.tasks["task_id"], moved), ctx.tasks["task_id"], healthy=False, empty="no tasks",
                  finding="{bad} of {n} tasks changed owner at least once")


# --- When -----------------------------------------------------------------------------------------

def _open_dated(ctx: Context) -> Measured:
    require_any(ctx, "due", "iteration")
    dated = has_value(ctx, "due") | has_value(ctx, "iteration")
    return share_of(ctx, dated, in_category(ctx, *OPEN), healthy=True, empty="no open tasks",
                     finding="{bad} of {n} open tasks have no due date, sprint or cycle")


def _overdue(ctx: Context) -> Measured:
    ctx.require("due")
    return share_of(ctx, stamped_before(ctx, "due", ctx.as_of), in_category(ctx, *OPEN) & has_value(ctx, "due"),
                     healthy=False, empty="no open task has a due date",
                     finding="{bad} of {n} dated open tasks are past their due date")


def _on_time(ctx: Context) -> Measured:
    ctx.require("due")
    # Due dates are usually whole days, so finishing any time on the due day is on time.
    on_time = per_row(ctx.tasks, "finished by the due day", _finished_by_due_day)
    pool = in_category(ctx, "done") & has_value(ctx, "due") & has_value(ctx, "completed")
    return share_of(ctx, on_time, pool, healthy=True, empty="no finished task has both a due date and a "
                     "completion date", finding="{bad} of {n} dated finished tasks were finished after their due date")


def _finished_by_due_day(tasks: pd.DataFrame) -> np.ndarray:
    """Where the task was completed on or before the day it was due (False where either is empty)."""
    completed, due = tasks["completed"], tasks["due"]
    if not all(str(getattr(column.dtype, "tz", None)) == "UTC" for column in (completed, due)):
        return (completed.dt.floor("D") <= due.dt.floor("D")).fillna(False).to_numpy(dtype=bool)
    # A UTC day starts at a multiple of a day's nanoseconds, so days compare as whole numbers of days: the
    # same as the floor to "D" (which goes through wall times, ~0.1 s at a million tasks).
    done_at, due_at = as_ns(completed), as_ns(due)
    day = 86_400 * 10**9
    return (done_at != NAT) & (due_at != NAT) & (done_at // day <= due_at // day)


def _due_moved(ctx: Context) -> Measured:
    events = field_events(ctx, DUE_FIELDS, "due-date")
    moved = events.loc[events["old"].notna(), "task_id"]
    pool = ctx.tasks[ctx.tasks["due"].notna() | member(ctx.tasks["task_id"], events["task_id"])]
    return share_result(member(pool["task_id"], moved), pool["task_id"], healthy=False, empty="no task has a due date",
                  finding="{bad} of {n} dated tasks had their due date moved")


def _undated_age(ctx: Context) -> Measured:
    require_any(ctx, "due", "iteration")
    ctx.require("created")
    undated = in_category(ctx, *OPEN) & ~has_value(ctx, "due") & ~has_value(ctx, "iteration") & has_value(ctx, "created")
    if not undated.any():
        return Measured(0.0, 100.0, 0)
    age = days_to_as_of(ctx, "created")
    median = float(pd.Series(age[undated]).median())
    score = days_score(median, good=14, bad=180)
    with np.errstate(invalid="ignore"):
        old = ids_at(ctx, undated & (age > 90))
    text = f"{len(old)} undated open tasks are over 90 days old (median age {median:.0f} days)" if old else None
    return Measured(median, score, int(undated.sum()), old, text, severity_of_score(score))


# --- How ------------------------------------------------------------------------------------------

def _fresh(ctx: Context) -> Measured:
    ctx.require("updated")
    days = ctx.options["fresh_days"]
    recent = stamped_at_or_after(ctx, "updated", ctx.as_of - pd.Timedelta(days=days))
    return share_of(ctx, recent, in_category(ctx, *OPEN), healthy=True, empty="no open tasks",
                     finding="{bad} of {n} open tasks were not updated in the last " + f"{days} days")


def _went_through(ctx: Context) -> Measured:
    events = status_events(ctx)
    done = done_tasks(ctx)[member(done_tasks(ctx)["task_id"], events["task_id"])]
    working = events["new_cat"].eq("in_progress").fillna(False) | events["old_cat"].eq("in_progress").fillna(False)
    through = member(done["task_id"], events.loc[working, "task_id"])
    return share_result(through, done["task_id"], healthy=True, empty="no done task has status history",
                  finding="{bad} of {n} done tasks jumped to done without passing through in-progress")


def _statuses_used(ctx: Context) -> Measured:
    ctx.require("status")
    used = {str(c) for c in ctx.tasks["status_category"].dropna().unique()}
    if not ctx.events.empty and ctx.events["field"].isin(STATUS_FIELDS).any():
        history = status_events(ctx)
        # Trackers log transitions, not the first status, so a stage left behind shows only as "old".
        used |= set(history["new_cat"].dropna().unique()) | set(history["old_cat"].dropna().unique())
    stages = ("todo", "in_progress", "done")
    score = 100 * sum(s in used for s in stages) / len(stages)
    names = ctx.tasks["status"].nunique()
    missing = [s.replace("_", "-") for s in stages if s not in used]
    text = (f"No task is or was in a {' or '.join(missing)} status ({names} statuses in use): the workflow's "
            "stages are not all used") if missing else None
    return Measured(float(names), score, len(ctx.tasks), [], text, severity_of_score(score))


def _dependencies(ctx: Context) -> Measured:
    require_any(ctx, "blocked_by", "description")
    linked = per_row(ctx.tasks, "has blockers", lambda t: list_counts(t, "blocked_by") > 0)
    flags = linked | cue_flags(ctx, "description", DEPENDENCY).to_numpy(dtype=bool)
    share = float(flags.mean())
    # Recording dependencies on about one task in ten shows the practice exists (inferred target).
    score = min(1.0, share / 0.10) * 100
    text = None if flags.any() else f"None of {len(flags)} tasks records a blocker or dependency"
    return Measured(share, score, len(flags), [], text, severity_of_score(score))


def _time_in_status(ctx: Context) -> Measured:
    in_progress = in_category(ctx, "in_progress")
    if not in_progress.any():
        raise NotMeasurable("no task is in progress now")
    if ctx.events.empty or not (ctx.events["field"] == "status").any():
        return _time_since_start(ctx, in_progress)
    doing = ctx.tasks.loc[in_progress, ["task_id", "started"]]
    status = ctx.events[ctx.events["field"] == "status"]
    last = status.groupby("task_id")["at"].max()
    since = doing["task_id"].map(last).astype(doing["started"].dtype).fillna(doing["started"])
    if since.isna().all():
        raise NotMeasurable("in-progress tasks have no start time and no status history")
    age = days_between(ctx.as_of, since).dropna()
    median = float(age.median())
    score = days_score(median, good=5, bad=45)
    limit = ctx.options["stale_days"]
    stuck = doing.loc[age.index[age > limit], "task_id"].astype(str).tolist()
    text = f"{len(stuck)} in-progress tasks have sat in their status for over {limit} days" if stuck else None
    return Measured(median, score, len(age), stuck, text, severity_of_score(score))


def _time_since_start(ctx: Context, in_progress: np.ndarray) -> Measured:
    """:func:`_time_in_status` without status history: in-progress tasks have sat there since they started."""
    started = in_progress & has_value(ctx, "started")
    if not started.any():
        raise NotMeasurable("in-progress tasks have no start time and no status history")
    age = days_to_as_of(ctx, "started")
    median = float(pd.Series(age[started]).median())
    score = days_score(median, good=5, bad=45)
    limit = ctx.options["stale_days"]
    with np.errstate(invalid="ignore"):
        stuck = ids_at(ctx, started & (age > limit))
    text = f"{len(stuck)} in-progress tasks have sat in their status for over {limit} days" if stuck else None
    return Measured(median, score, int(started.sum()), stuck, text, severity_of_score(score))


def _spec(element: str, name: str, required: tuple[str, ...], how: str, compute,
          optional: tuple[str, ...] = (), unit: str = "share", rule: str = "") -> SignalSpec:
    return SignalSpec(element=element, name=name, required=required, how=how, compute=compute, optional=optional,
                      unit=unit, rule=rule)


# Required fields: without one the signal is NA (see SignalSpec); "a|b" when either will do.  Signals that split
# open from finished work need the status category.
SIGNALS: tuple[SignalSpec, ...] = (
    _spec("Why", "linked to a goal", ("parent_id|labels",),
          "Share of tasks (epics themselves left out) with a parent/epic/milestone link or a goal-like label.",
          _linked_to_goal, optional=("task_type",)),
    _spec("Why", "parent purpose written", ("description",),
          "Share of parent epics/goals in the export whose description is substantive.", _parent_purpose,
          optional=("parent_id", "task_type", "labels")),
    _spec("Why", "intent stated", ("description",),
          "Share of descriptions with intent cues ('so that', 'because', 'goal', 'outcome', 'in order to').",
          _intent_cues),
    _spec("What", "substantive description", ("description",),
          "Share of tasks whose description has at least substantive_words words.", _substantive),
    _spec("What", "acceptance criteria", ("description",),
          "Share of tasks whose description holds acceptance criteria, a checklist or given/when/then.",
          _acceptance),
    _spec("What", "estimated", ("estimate",), "Share of tasks with an estimate.", _estimated),
    _spec("What", "duplicates", ("title|resolution",),
          "Share of tasks resolved as duplicate or repeating an earlier title of 3+ words; lower is better.",
          _duplicates, optional=("status",)),
    _spec("What", "reopened", (HISTORY,),
          "Share of finished tasks (history) that went from done back to open; lower is better.", _reopened,
          optional=("status", "status_category")),
    _spec("Who", "open with owner", ("status_category", "assignee|assignees"),
          "Share of open tasks with an assignee.", _open_owned),
    _spec("Who", "single owner", ("status_category", "assignees"),
          "Share of owned open tasks with exactly one assignee.", _single_owner, optional=("assignee",)),
    _spec("Who", "orphaned", ("status_category", "assignee|assignees", "updated"),
          "Share of owned open tasks whose owner shows no activity for stale_days; lower is better.", _orphaned,
          optional=("reporter", "created", "completed", HISTORY)),
    _spec("Who", "reassigned", (HISTORY,),
          "Share of tasks whose owner changed at least once (history); lower is better.", _reassigned),
    _spec("When", "open with date", ("status_category", "due|iteration"),
          "Share of open tasks with a due date or a sprint/cycle/milestone.", _open_dated),
    _spec("When", "overdue", ("status_category", "due"),
          "Share of dated open tasks past their due date; lower is better.", _overdue),
    _spec("When", "on time", ("status_category", "due", "completed"),
          "Share of dated done tasks finished on or before the due day.", _on_time),
    _spec("When", "due date moved", (HISTORY,),
          "Share of dated tasks whose due date changed (history); lower is better.", _due_moved, optional=("due",)),
    _spec("When", "undated age", ("status_category", "created", "due|iteration"),
          "Median age of open tasks with no date; 100 up to 14 days, 0 from 180 days.", _undated_age,
          unit="days", rule="100 up to 14 days, falling to 0 at 180 days"),
    _spec("How", "current", ("status_category", "updated"),
          "Share of open tasks updated in the last fresh_days days.", _fresh),
    _spec("How", "went through in-progress", ("status_category", HISTORY),
          "Share of done tasks (history) that passed through an in-progress status.", _went_through),
    _spec("How", "stages used", ("status", "status_category"),
          "Value: statuses in use; score: share of to-do, in-progress and done stages any task is or was in.",
          _statuses_used, optional=(HISTORY,), unit="count",
          rule="score = the share of the to-do, in-progress and done stages in use"),
    _spec("How", "dependencies recorded", ("blocked_by|description",),
          "Share of tasks with a blocked-by link or dependency text; 10% or more scores 100 (inferred target).",
          _dependencies, rule="10% or more scores 100; below, score = share / 10%"),
    _spec("How", "time in status", ("status_category", f"started|{HISTORY}"),
          "Median days in-progress tasks have sat in their current status; 100 up to 5 days, 0 from 45.",
          _time_in_status, unit="days", rule="100 up to 5 days, falling to 0 at 45 days"),
)

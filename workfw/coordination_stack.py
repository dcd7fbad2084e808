"""The Coordination Stack (WMI, Brandon Hatton) measured on a tracker export.

Five layers answer the questions people must settle before they can
coordinate, from the foundation up: Why (purpose), What (definition), Who
(ownership), When (timing) and How (execution).  An upper layer only holds
when the layers beneath it are settled, so :func:`root_cause` points at the
lowest weak layer: a weak When over a weak Why means "fix Why first".

Scores follow the shared contract (:mod:`workfw.diagnosis`): a share maps to
``share * 100`` (``100 - share * 100`` when lower is better); durations map
through :func:`_days_score` (full marks up to a "good" number of days, zero
from a "bad" one, linear between); a signal the export cannot support is
``NA``, never 0.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import pyarrow.compute as pc

from .diagnosis import (DEFAULTS, Context, Diagnosis, Measured, NotMeasurable, SignalSpec, common_caveats,
                        make_findings, prepare, run_signals, summarise)
from .errors import OptionError
from .io._status import keyword_category, normalise_category

__all__ = ["ELEMENTS", "SIGNALS", "STACK_DEFAULTS", "diagnose", "figure", "root_cause", "root_cause_text"]

ELEMENTS: tuple[str, ...] = ("Why", "What", "Who", "When", "How")

#: Options of :func:`diagnose` beyond :data:`workfw.diagnosis.DEFAULTS`.
STACK_DEFAULTS: dict[str, Any] = {
    "fresh_days": 14,     # an open task updated within this many days counts as current (How)
    "weak_below": 60.0,   # a layer scoring below this is weak (root-cause view)
}

_OPEN = ("todo", "in_progress")
_FINISHED = ("done", "cancelled")
# Epics and their kin are goals themselves, so they are not asked to link to a goal.
_CONTAINER_TYPES = r"epic|initiative|objective|goal|milestone|theme|okr"
# "okr" also matches inside "okr-growth"; a bare quarter ("q3") is a timeframe, not a goal, so it is left out.
_GOAL_LABELS = r"\b(?:okrs?|goals?|objectives?|initiatives?|milestones?|epics?|kr)\b|okr"
_INTENT = r"\bso that\b|\bin order to\b|\bbecause\b|\bgoal\b|\boutcome\b|\bobjective\b|\bwhy\b"
_ACCEPTANCE = (r"acceptance criteria|definition of done|\bdod\b|\bAC:|- \[[ xX]\]|\[[ xX]\] |"
               r"\bgiven\b(?s:.)*\bwhen\b(?s:.)*\bthen\b|\bdone when\b")
_DEPENDENCY = r"blocked by|blocked on|depends on|dependent on|waiting (?:on|for)|(?:^|\s)#\d+\b"
_DUE_FIELDS = ("due", "duedate", "due_date", "due date")
_ASSIGNEE_FIELDS = ("assignee", "assignees")
_STATUS_FIELDS = ("status", "created")


# --- small shared helpers (also used by workfw.c4_flywheel) -----------------------------------------

def _severity(score: float) -> str:
    return "high" if score < 40 else "medium" if score < 70 else "low"


def _share(flags: pd.Series, ids: pd.Series, *, healthy: bool, empty: str, finding: str) -> Measured:
    """A share signal: ``flags`` marks each task; ``healthy`` says whether a True flag is good.

    ``finding`` is formatted with ``bad`` (count of problem tasks) and ``n``.
    """
    flags = flags.fillna(False).astype(bool)
    n = len(flags)
    if n == 0:
        raise NotMeasurable(empty)
    share = float(flags.mean())
    score = share * 100 if healthy else 100 - share * 100
    bad_ids = ids[~flags if healthy else flags].astype(str).tolist()
    text = finding.format(bad=len(bad_ids), n=n) if bad_ids else None
    return Measured(share, score, n, bad_ids, text, _severity(score))


def _days_score(days: float, *, good: float, bad: float) -> float:
    """100 up to ``good`` days, 0 from ``bad`` days, linear between."""
    return float(np.clip((bad - days) / (bad - good), 0, 1) * 100)


def _days(later: pd.Series | pd.Timestamp, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.total_seconds() / 86400


def _has_list(series: pd.Series) -> pd.Series:
    return series.str.len().fillna(0).gt(0)


# Signals share derived columns (open tasks, word counts, status history); a one-slot cache per frame keeps
# a diagnosis of a million tasks from recomputing them, and the weak reference keeps it from holding data.
_MEMO: dict[tuple[int, str], tuple[weakref.ref, Any]] = {}


def _memo(frame: pd.DataFrame, name: str, build: Callable[[], Any]) -> Any:
    key = (id(frame), name)
    hit = _MEMO.get(key)
    if hit is not None and hit[0]() is frame:
        return hit[1]
    for stale in [k for k, (ref, _) in _MEMO.items() if ref() is None]:
        del _MEMO[stale]
    value = build()
    _MEMO[key] = (weakref.ref(frame), value)
    return value


def _open(ctx: Context) -> pd.DataFrame:
    return _memo(ctx.tasks, "open", lambda: ctx.open)


def _done(ctx: Context) -> pd.DataFrame:
    return _memo(ctx.tasks, "done", lambda: ctx.done)


def _isin(values: pd.Series, pool: Any) -> pd.Series:
    """``values.isin(pool)`` for text, through pyarrow (pandas' own isin is slow on a million strings)."""
    left = pa.array(values.astype("string").array)
    right = pc.unique(pa.array(pd.Series(pool, dtype="string").dropna().array)).cast(left.type)
    found = pc.is_in(left, value_set=right).fill_null(False)
    return pd.Series(np.asarray(found, dtype=bool), index=values.index)


def _arrow(text: pd.Series) -> pa.Array:
    return pa.array(text.astype("string").array)


def _contains(text: pd.Series, pattern: str) -> pd.Series:
    """Case-blind regex search in pyarrow (RE2).

    pandas falls back to Python's ``re`` row by row for ``case=False``, ``\\b`` on non-ASCII text and ``\\s``,
    which costs minutes on a million descriptions; RE2's ASCII word boundaries are good enough for cue words.
    """
    found = pc.match_substring_regex(_arrow(text), pattern, ignore_case=True).fill_null(False)
    return pd.Series(np.asarray(found, dtype=bool), index=text.index)


def _word_count(text: pd.Series) -> pd.Series:
    counts = pc.list_value_length(pc.utf8_split_whitespace(_arrow(text))).fill_null(0)
    return pd.Series(np.asarray(counts, dtype="int64"), index=text.index)


def _map_unique(values: pd.Series, convert: Callable[[Any], Any]) -> pd.Series:
    """Apply ``convert`` once per distinct value (history repeats a few status names millions of times)."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([convert(v) for v in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=values.index).astype("string")


def _owned(tasks: pd.DataFrame) -> pd.Series:
    return tasks["assignee"].notna() | _has_list(tasks["assignees"])


def _words(ctx: Context, frame: pd.DataFrame) -> pd.Series:
    counts = _memo(ctx.tasks, "words", lambda: _word_count(ctx.tasks["description"]))
    return counts.loc[frame.index]


def _require_any(ctx: Context, *columns: str) -> None:
    """Raise unless at least one of ``columns`` has a value somewhere."""
    reasons = []
    for col in columns:
        try:
            ctx.require(col)
            return
        except NotMeasurable as exc:
            reasons.append(exc.reason)
    raise NotMeasurable("; ".join(reasons))


def _containers(ctx: Context) -> pd.Series:
    def build() -> pd.Series:
        tasks = ctx.tasks
        # A label that is just "epic" (GitHub) marks the item itself; "Epic: Checkout" marks membership.
        labelled = _has_list(tasks["labels"])
        joined = tasks.loc[labelled, "labels"].map("\x1f".join).astype("string")
        by_label = pd.Series(False, index=tasks.index)
        by_label[labelled] = _contains(joined, f"(?:^|\x1f)(?:{_CONTAINER_TYPES})(?:$|\x1f)")
        return (_contains(tasks["task_type"], _CONTAINER_TYPES) | by_label
                | _isin(tasks["task_id"], tasks["parent_id"]))

    return _memo(ctx.tasks, "containers", build)


def _goal_labelled(tasks: pd.DataFrame) -> pd.Series:
    labelled = _has_list(tasks["labels"])
    joined = tasks.loc[labelled, "labels"].map(" ".join).astype("string")
    out = pd.Series(False, index=tasks.index)
    out[labelled] = _contains(joined, _GOAL_LABELS)
    return out


def _status_categories(values: pd.Series, tasks: pd.DataFrame) -> pd.Series:
    """Category of each status name in history, learnt from the tasks' current statuses first."""
    known = tasks[["status", "status_category"]].dropna()
    pairs = (known.assign(key=known["status"].str.casefold(), cat=known["status_category"].astype(str))
             .groupby(["key", "cat"]).size().rename("k").reset_index()
             .sort_values(["key", "k", "cat"], ascending=[True, False, True], kind="stable"))
    learnt = pairs.drop_duplicates("key").set_index("key")["cat"].to_dict()

    def category(name: Any) -> str | None:
        return learnt.get(str(name).casefold()) or normalise_category(name) or keyword_category(str(name))

    return _map_unique(values, category)


def _status_events(ctx: Context) -> pd.DataFrame:
    ctx.require_history()

    def build() -> pd.DataFrame:
        events = ctx.events[ctx.events["field"].isin(_STATUS_FIELDS)]
        return events.assign(old_cat=_status_categories(events["old"], ctx.tasks),
                             new_cat=_status_categories(events["new"], ctx.tasks))

    events = _memo(ctx.events, f"status events of {id(ctx.tasks)}", build)
    if events.empty:
        raise NotMeasurable("the history records no status changes")
    return events


def _field_events(ctx: Context, fields: tuple[str, ...], what: str) -> pd.DataFrame:
    ctx.require_history()
    events = ctx.events[ctx.events["field"].str.casefold().isin(fields)]
    if events.empty:
        raise NotMeasurable(f"the history records no {what} changes (it only tracks "
                            f"{', '.join(sorted(ctx.events['field'].dropna().unique()))})")
    return events


# --- Why ------------------------------------------------------------------------------------------

def _linked_to_goal(ctx: Context) -> Measured:
    tasks = ctx.tasks
    labelled = _goal_labelled(tasks)
    if tasks["parent_id"].isna().all() and not labelled.any():
        raise NotMeasurable("the export has no parent, epic or milestone link and no goal-like labels")
    work = tasks[~_containers(ctx)]
    linked = work["parent_id"].notna() | labelled[work.index]
    return _share(linked, work["task_id"], healthy=True, empty="every task is itself an epic or goal",
                  finding="{bad} of {n} tasks link to no parent, epic, milestone or goal label")


def _parent_purpose(ctx: Context) -> Measured:
    ctx.require("description")
    parents = ctx.tasks[_containers(ctx)]
    if parents.empty:
        raise NotMeasurable("no parent epic or goal is in the export itself, only ids pointing to them")
    good = _words(ctx, parents) >= ctx.options["substantive_words"]
    return _share(good, parents["task_id"], healthy=True, empty="no parent epic in the export",
                  finding="{bad} of {n} parent epics or goals have no substantive description of their purpose")


def _intent_cues(ctx: Context) -> Measured:
    ctx.require("description")
    described = ctx.tasks[ctx.tasks["description"].notna()]
    cue = _contains(described["description"], _INTENT)
    return _share(cue, described["task_id"], healthy=True, empty="no task has a description",
                  finding="{bad} of {n} descriptions never say why (no 'so that', 'because', 'goal' or 'outcome')")


# --- What -----------------------------------------------------------------------------------------

def _substantive(ctx: Context) -> Measured:
    ctx.require("description")
    good = _words(ctx, ctx.tasks) >= ctx.options["substantive_words"]
    words = ctx.options["substantive_words"]
    return _share(good, ctx.tasks["task_id"], healthy=True, empty="no tasks",
                  finding="{bad} of {n} tasks have a description under " + f"{words} words")


def _acceptance(ctx: Context) -> Measured:
    ctx.require("description")
    found = _contains(ctx.tasks["description"], _ACCEPTANCE)
    return _share(found, ctx.tasks["task_id"], healthy=True, empty="no tasks",
                  finding="{bad} of {n} tasks state no acceptance criteria, checklist or definition of done")


def _estimated(ctx: Context) -> Measured:
    ctx.require("estimate")
    return _share(ctx.tasks["estimate"].notna(), ctx.tasks["task_id"], healthy=True, empty="no tasks",
                  finding="{bad} of {n} tasks carry no estimate")


def _duplicates(ctx: Context) -> Measured:
    tasks = ctx.tasks
    _require_any(ctx, "title", "resolution")
    said = _contains(tasks["resolution"], "duplicate") | _contains(tasks["status"], "duplicate")
    words = pc.utf8_split_whitespace(pc.replace_substring_regex(pc.utf8_lower(_arrow(tasks["title"])),
                                                                r"[^\p{L}\p{N}]+", " "))
    norm = pd.Series(pc.binary_join(words, pa.scalar(" ", words.type.value_type)), index=tasks.index, dtype="string")
    # Short titles ("Bug", "Fix login") repeat innocently, so only titles of 3+ words count as copies.
    long_title = pd.Series(np.asarray(pc.list_value_length(words).fill_null(0)), index=tasks.index) >= 3
    copy = long_title & norm.duplicated(keep="first") & norm.notna()
    return _share(said | copy, tasks["task_id"], healthy=False, empty="no tasks",
                  finding="{bad} of {n} tasks duplicate another (resolved as duplicate or same title)")


def _reopened(ctx: Context) -> Measured:
    events = _status_events(ctx)
    tasks = ctx.tasks
    finished_now = tasks["status_category"].isin(_FINISHED) & _isin(tasks["task_id"], events["task_id"])
    ever = finished_now | _isin(tasks["task_id"], events.loc[events["new_cat"].isin(_FINISHED), "task_id"])
    back = events["old_cat"].isin(_FINISHED) & events["new_cat"].isin(_OPEN)
    pool = tasks[ever]
    return _share(_isin(pool["task_id"], events.loc[back, "task_id"]), pool["task_id"], healthy=False,
                  empty="no task with history has been finished",
                  finding="{bad} of {n} finished tasks were reopened (done, then open again)")


# --- Who ------------------------------------------------------------------------------------------

def _open_owned(ctx: Context) -> Measured:
    _require_any(ctx, "assignee", "assignees")
    return _share(_owned(_open(ctx)), _open(ctx)["task_id"], healthy=True, empty="no open tasks",
                  finding="{bad} of {n} open tasks have no owner")


def _single_owner(ctx: Context) -> Measured:
    ctx.require("assignees")
    owned = _open(ctx)[_owned(_open(ctx))]
    single = owned["assignees"].str.len().fillna(0) <= 1
    return _share(single, owned["task_id"], healthy=True, empty="no open task has an owner",
                  finding="{bad} of {n} owned open tasks are shared by several assignees (no single owner)")


def _last_seen(ctx: Context) -> pd.Series:
    """Latest sign of life per person: tasks they own or reported, and history they wrote."""
    tasks = ctx.tasks
    touched = tasks[["updated", "completed", "created"]].max(axis=1)
    listed = _has_list(tasks["assignees"])
    owners = pd.DataFrame({"person": tasks.loc[listed, "assignees"], "at": touched[listed]}).explode("person")
    parts = [owners, pd.DataFrame({"person": tasks["assignee"], "at": touched}),
             pd.DataFrame({"person": tasks["reporter"], "at": tasks["created"]})]
    if not ctx.events.empty:
        parts.append(pd.DataFrame({"person": ctx.events["author"], "at": ctx.events["at"]}))
    seen = pd.concat(parts, ignore_index=True).dropna()
    return seen.groupby(seen["person"].astype("string"))["at"].max()


def _orphaned(ctx: Context) -> Measured:
    _require_any(ctx, "assignee", "assignees")
    ctx.require("updated")
    owned = _open(ctx)[_owned(_open(ctx))]
    seen = _last_seen(ctx)
    owner = owned["assignee"].astype("string").fillna(owned["assignees"].str[0].astype("string"))
    quiet = _days(ctx.as_of, owner.map(seen)) > ctx.options["stale_days"]
    days = ctx.options["stale_days"]
    return _share(quiet, owned["task_id"], healthy=False, empty="no open task has an owner",
                  finding="{bad} of {n} owned open tasks are orphaned: their owner has shown no activity for over "
                          f"{days} days")


def _reassigned(ctx: Context) -> Measured:
    events = _field_events(ctx, _ASSIGNEE_FIELDS, "assignee")
    # A first assignment (nobody -> someone) is not a hand-off; a change away from someone is.
    moved = events.loc[events["old"].notna(), "task_id"]
    return _share(_isin(ctx.tasks["task_id"], moved), ctx.tasks["task_id"], healthy=False, empty="no tasks",
                  finding="{bad} of {n} tasks changed owner at least once")


# --- When -----------------------------------------------------------------------------------------

def _open_dated(ctx: Context) -> Measured:
    _require_any(ctx, "due", "iteration")
    open_ = _open(ctx)
    dated = open_["due"].notna() | open_["iteration"].notna()
    return _share(dated, open_["task_id"], healthy=True, empty="no open tasks",
                  finding="{bad} of {n} open tasks have no due date, sprint or cycle")


def _overdue(ctx: Context) -> Measured:
    ctx.require("due")
    dated = _open(ctx)[_open(ctx)["due"].notna()]
    return _share(dated["due"] < ctx.as_of, dated["task_id"], healthy=False, empty="no open task has a due date",
                  finding="{bad} of {n} dated open tasks are past their due date")


def _on_time(ctx: Context) -> Measured:
    ctx.require("due")
    done = _done(ctx)[_done(ctx)["due"].notna() & _done(ctx)["completed"].notna()]
    # Due dates are usually whole days, so finishing any time on the due day is on time.
    on_time = done["completed"].dt.floor("D") <= done["due"].dt.floor("D")
    return _share(on_time, done["task_id"], healthy=True, empty="no finished task has both a due date and a "
                  "completion date", finding="{bad} of {n} dated finished tasks were finished after their due date")


def _due_moved(ctx: Context) -> Measured:
    events = _field_events(ctx, _DUE_FIELDS, "due-date")
    moved = events.loc[events["old"].notna(), "task_id"]
    pool = ctx.tasks[ctx.tasks["due"].notna() | _isin(ctx.tasks["task_id"], events["task_id"])]
    return _share(_isin(pool["task_id"], moved), pool["task_id"], healthy=False, empty="no task has a due date",
                  finding="{bad} of {n} dated tasks had their due date moved")


def _undated_age(ctx: Context) -> Measured:
    _require_any(ctx, "due", "iteration")
    ctx.require("created")
    open_ = _open(ctx)
    undated = open_[open_["due"].isna() & open_["iteration"].isna() & open_["created"].notna()]
    if undated.empty:
        return Measured(0.0, 100.0, 0)
    age = _days(ctx.as_of, undated["created"])
    median = float(age.median())
    score = _days_score(median, good=14, bad=180)
    old = undated.loc[age > 90, "task_id"].astype(str).tolist()
    text = f"{len(old)} undated open tasks are over 90 days old (median age {median:.0f} days)" if old else None
    return Measured(median, score, len(undated), old, text, _severity(score))


# --- How ------------------------------------------------------------------------------------------

def _fresh(ctx: Context) -> Measured:
    ctx.require("updated")
    days = ctx.options["fresh_days"]
    recent = _open(ctx)["updated"] >= ctx.as_of - pd.Timedelta(days=days)
    return _share(recent, _open(ctx)["task_id"], healthy=True, empty="no open tasks",
                  finding="{bad} of {n} open tasks were not updated in the last " + f"{days} days")


def _went_through(ctx: Context) -> Measured:
    events = _status_events(ctx)
    done = _done(ctx)[_isin(_done(ctx)["task_id"], events["task_id"])]
    working = events["new_cat"].eq("in_progress").fillna(False) | events["old_cat"].eq("in_progress").fillna(False)
    through = _isin(done["task_id"], events.loc[working, "task_id"])
    return _share(through, done["task_id"], healthy=True, empty="no done task has status history",
                  finding="{bad} of {n} done tasks jumped to done without passing through in-progress")


def _statuses_used(ctx: Context) -> Measured:
    ctx.require("status")
    used = {str(c) for c in ctx.tasks["status_category"].dropna().unique()}
    if not ctx.events.empty and ctx.events["field"].isin(_STATUS_FIELDS).any():
        history = _status_events(ctx)
        # Trackers log transitions, not the first status, so a stage left behind shows only as "old".
        used |= set(history["new_cat"].dropna().unique()) | set(history["old_cat"].dropna().unique())
    stages = ("todo", "in_progress", "done")
    score = 100 * sum(s in used for s in stages) / len(stages)
    names = ctx.tasks["status"].nunique()
    missing = [s.replace("_", "-") for s in stages if s not in used]
    text = (f"No task is or was in a {' or '.join(missing)} status ({names} statuses in use): the workflow's "
            "stages are not all used") if missing else None
    return Measured(float(names), score, len(ctx.tasks), [], text, _severity(score))


def _dependencies(ctx: Context) -> Measured:
    _require_any(ctx, "blocked_by", "description")
    linked = _has_list(ctx.tasks["blocked_by"])
    flags = linked | _contains(ctx.tasks["description"], _DEPENDENCY)
    share = float(flags.mean())
    # Recording dependencies on about one task in ten shows the practice exists (inferred target).
    score = min(1.0, share / 0.10) * 100
    text = None if flags.any() else f"None of {len(flags)} tasks records a blocker or dependency"
    return Measured(share, score, len(flags), [], text, _severity(score))


def _time_in_status(ctx: Context) -> Measured:
    doing = ctx.tasks[ctx.tasks["status_category"] == "in_progress"]
    if doing.empty:
        raise NotMeasurable("no task is in progress now")
    since = doing["started"]
    if not ctx.events.empty and (ctx.events["field"] == "status").any():
        status = ctx.events[ctx.events["field"] == "status"]
        last = status.groupby("task_id")["at"].max()
        since = doing["task_id"].map(last).astype(since.dtype).fillna(since)
    if since.isna().all():
        raise NotMeasurable("in-progress tasks have no start time and no status history")
    age = _days(ctx.as_of, since).dropna()
    median = float(age.median())
    score = _days_score(median, good=5, bad=45)
    limit = ctx.options["stale_days"]
    stuck = doing.loc[age.index[age > limit], "task_id"].astype(str).tolist()
    text = f"{len(stuck)} in-progress tasks have sat in their status for over {limit} days" if stuck else None
    return Measured(median, score, len(age), stuck, text, _severity(score))


def _spec(element: str, name: str, fields: tuple[str, ...], how: str, compute) -> SignalSpec:
    return SignalSpec(element=element, name=name, fields=fields, how=how, compute=compute)


SIGNALS: tuple[SignalSpec, ...] = (
    _spec("Why", "linked to a goal", ("parent_id", "labels", "task_type"),
          "Share of tasks (epics themselves left out) with a parent/epic/milestone link or a goal-like label.",
          _linked_to_goal),
    _spec("Why", "parent purpose written", ("description", "parent_id", "task_type"),
          "Share of parent epics/goals in the export whose description is substantive.", _parent_purpose),
    _spec("Why", "intent stated", ("description",),
          "Share of descriptions with intent cues ('so that', 'because', 'goal', 'outcome', 'in order to').",
          _intent_cues),
    _spec("What", "substantive description", ("description",),
          "Share of tasks whose description has at least substantive_words words.", _substantive),
    _spec("What", "acceptance criteria", ("description",),
          "Share of tasks whose description holds acceptance criteria, a checklist or given/when/then.",
          _acceptance),
    _spec("What", "estimated", ("estimate",), "Share of tasks with an estimate.", _estimated),
    _spec("What", "duplicates", ("resolution", "status", "title"),
          "Share of tasks resolved as duplicate or repeating an earlier title of 3+ words; lower is better.",
          _duplicates),
    _spec("What", "reopened", ("events",),
          "Share of finished tasks (history) that went from done back to open; lower is better.", _reopened),
    _spec("Who", "open with owner", ("assignee", "assignees"), "Share of open tasks with an assignee.",
          _open_owned),
    _spec("Who", "single owner", ("assignees",),
          "Share of owned open tasks with exactly one assignee.", _single_owner),
    _spec("Who", "orphaned", ("assignee", "updated", "events"),
          "Share of owned open tasks whose owner shows no activity for stale_days; lower is better.", _orphaned),
    _spec("Who", "reassigned", ("events",),
          "Share of tasks whose owner changed at least once (history); lower is better.", _reassigned),
    _spec("When", "open with date", ("due", "iteration"),
          "Share of open tasks with a due date or a sprint/cycle/milestone.", _open_dated),
    _spec("When", "overdue", ("due",), "Share of dated open tasks past their due date; lower is better.",
          _overdue),
    _spec("When", "on time", ("due", "completed"),
          "Share of dated done tasks finished on or before the due day.", _on_time),
    _spec("When", "due date moved", ("events",),
          "Share of dated tasks whose due date changed (history); lower is better.", _due_moved),
    _spec("When", "undated age", ("created", "due", "iteration"),
          "Median age of open tasks with no date; 100 up to 14 days, 0 from 180 days.", _undated_age),
    _spec("How", "current", ("updated",),
          "Share of open tasks updated in the last fresh_days days.", _fresh),
    _spec("How", "went through in-progress", ("events",),
          "Share of done tasks (history) that passed through an in-progress status.", _went_through),
    _spec("How", "stages used", ("status", "status_category"),
          "Value: statuses in use; score: share of to-do, in-progress and done stages any task is or was in.",
          _statuses_used),
    _spec("How", "dependencies recorded", ("blocked_by", "description"),
          "Share of tasks with a blocked-by link or dependency text; 10% or more scores 100 (inferred target).",
          _dependencies),
    _spec("How", "time in status", ("started", "events"),
          "Median days in-progress tasks have sat in their current status; 100 up to 5 days, 0 from 45.",
          _time_in_status),
)


def _split_options(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    own = {k: options[k] for k in options if k in STACK_DEFAULTS}
    unknown = sorted(set(options) - set(DEFAULTS) - set(STACK_DEFAULTS))
    if unknown:
        raise OptionError(f"coordination_stack.diagnose got unknown options {unknown}; expected some of "
                          f"{sorted(set(DEFAULTS) | set(STACK_DEFAULTS))}. Next step: check the spelling.")
    return {k: v for k, v in options.items() if k in DEFAULTS}, {**STACK_DEFAULTS, **own}


def root_cause(diagnosis: Diagnosis, *, weak_below: float | None = None) -> str | None:
    """The layer to fix first: the lowest weak layer of the stack, or None when no layer is weak.

    A layer is weak when its score is below ``weak_below`` (default: the
    diagnosis' ``weak_below`` option, 60).  Because upper layers rest on lower
    ones, the lowest weak layer is the likely cause of every weak layer above
    it; when it is the only weak layer, it is its own cause.  Layers that are
    not measurable are never named.

    Parameters
    ----------
    diagnosis : Diagnosis
        From :func:`diagnose`.
    weak_below : float, optional
        Threshold below which a layer is weak.

    Returns
    -------
    str or None
    """
    limit = diagnosis.options.get("weak_below", STACK_DEFAULTS["weak_below"]) if weak_below is None else weak_below
    scores = diagnosis.scores()
    weak = [e for e in ELEMENTS if scores.get(e) is not None and scores[e] < limit]
    return weak[0] if weak else None


def root_cause_text(diagnosis: Diagnosis, *, weak_below: float | None = None) -> str | None:
    """A sentence for :func:`root_cause`, e.g. ``"When is weak (41); fix Why (35) first."``."""
    limit = diagnosis.options.get("weak_below", STACK_DEFAULTS["weak_below"]) if weak_below is None else weak_below
    cause = root_cause(diagnosis, weak_below=limit)
    if cause is None:
        return None
    scores = diagnosis.scores()
    above = [e for e in ELEMENTS[ELEMENTS.index(cause) + 1:] if scores[e] is not None and scores[e] < limit]
    unknown = [e for e in ELEMENTS[:ELEMENTS.index(cause)] if scores[e] is None]
    if above:
        layers = " and ".join(f"{e} ({scores[e]:.0f})" for e in above)
        text = (f"{layers} {'is' if len(above) == 1 else 'are'} weak (below {limit:.0f}); the lowest weak layer "
                f"beneath is {cause} ({scores[cause]:.0f}): fix {cause} first.")
    else:
        text = (f"{cause} is weak ({scores[cause]:.0f}, below {limit:.0f}) while the layers beneath it hold: "
                f"fix {cause} itself.")
    if unknown:
        text += f" {' and '.join(unknown)} could not be measured, so the cause may lie there too."
    return text


def diagnose(data: Any, *, as_of: Any = None, **options: Any) -> Diagnosis:
    """Score the five Coordination Stack layers on an export.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export from :func:`workfw.read_export` or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    **options
        The shared options of :data:`workfw.diagnosis.DEFAULTS`
        (``stale_days=30``, ``substantive_words=15``, ``aging_multiple=2.0``,
        ``team=None``, ``project=None``, ``window=None``, ``actors="all"``,
        ``bots=()``), plus ``fresh_days=14`` (an open task updated within this
        many days is current) and ``weak_below=60.0`` (a layer below this
        score is weak in the root-cause view).

    Returns
    -------
    Diagnosis
        ``summary`` indexed by :data:`ELEMENTS`; ``figure()`` draws the stack.
    """
    shared, own = _split_options(options)
    ctx = prepare(data, as_of=as_of, **shared)
    ctx.options.update(own)
    signals, coverage, results = run_signals(ctx, SIGNALS)
    summary = summarise(signals, ELEMENTS)
    draft = Diagnosis("Coordination Stack", ELEMENTS, summary, signals, make_findings(results), coverage,
                      [], ctx.as_of, dict(ctx.options))
    cause, why = root_cause(draft), root_cause_text(draft)
    extra = [{"severity": "high", "element": cause, "signal": "root cause", "finding": why, "tasks": 0,
              "task_ids": []}] if cause else []
    caveats = common_caveats(ctx) + ([why] if why else [])
    if ctx.events.empty:
        caveats.append("The export carries no status history, so reopen rate, reassignments, due-date changes "
                       "and went-through-in-progress are not measurable.")
    from ._stack_figure import figure as draw

    findings = make_findings(results)
    if extra:
        # The root cause is the headline, so it leads the findings rather than sorting by task count.
        findings = pd.concat([make_findings([], extra), findings], ignore_index=True)
        findings["severity"] = findings["severity"].astype(make_findings([], extra)["severity"].dtype)
    return Diagnosis("Coordination Stack", ELEMENTS, summary, signals, findings, coverage,
                     caveats, ctx.as_of, dict(ctx.options), _draw=draw)


def figure(diagnosis: Diagnosis, **kwargs: Any) -> go.Figure:
    """Draw the stack: five layers, Why at the bottom, coloured by score, root cause marked.

    See :func:`workfw._stack_figure.figure` for the keyword arguments.
    """
    from ._stack_figure import figure as draw

    return draw(diagnosis, **kwargs)

"""Work Value Pyramid (WMI, Brandon Hatton): Activities, Progress and Outcomes.

Every task is placed on one level (:func:`classify_levels`), then signals
score each level 0-100 (higher is healthier).  The roll-up from task to epic
to goal (:func:`goal_links`) is the same link that feeds the Coordination
Stack's Why layer and Visibility L5.

The Progress and Outcomes signals in :data:`SIGNALS` are reused by the C4
Flywheel for Completion, so their names and meaning are stable:

- Progress: ``completed work on a goal``, ``epic completion``, ``active epics that moved``.
- Outcomes: ``goals completed``, ``outcome events per 100 activity events``.

Busyness (created + updated + comments + transitions per week) is context,
not value, so it is reported in the caveats and the figure, never scored.
"""
from __future__ import annotations

import re
import weakref
from typing import Any, Callable

import numpy as np
import pandas as pd

from ._pyramid_figure import figure, rollup_figure, scored_figure
from .diagnosis import (
    DEFAULTS, Context, Diagnosis, Measured, NotMeasurable, SignalSpec, common_caveats, make_findings,
    prepare, run_signals, summarise,
)
from .errors import OptionError

__all__ = [
    "ELEMENTS", "SIGNALS", "OPTIONS", "GOAL_TYPES", "diagnose", "classify_levels", "goal_links", "rollup",
    "busyness", "figure", "scored_figure", "rollup_figure", "figures",
]

ELEMENTS: tuple[str, ...] = ("Activities", "Progress", "Outcomes")

#: Framework options of :func:`diagnose` and their defaults.
OPTIONS: dict[str, Any] = {
    "period_days": 30,       # "this period" for epics that moved and for busyness per week
    "outcome_target": 5.0,   # outcome events per 100 activity events that scores 100 (our design choice)
}

#: Issue types that are goals or containers of work (epic, milestone, goal...).
GOAL_TYPES = frozenset({"epic", "initiative", "milestone", "goal", "objective", "okr", "key result", "theme"})
#: Types whose completion is a deliverable (compared with tasks).
_VALUE_TYPES = frozenset({"story", "user story", "feature", "product backlog item", "requirement", "enhancement"})
#: Overhead that stays an activity even under an epic.
_OVERHEAD = re.compile(r"^(?:chore|meeting|admin|housekeeping)s?$", re.IGNORECASE)
#: A goal-like label stands in for a parent link (``okr:q3-growth``, ``Epic: Blue-green deploys``).
_GOAL_LABEL = re.compile(r"^(?:okr|goal|objective|initiative|milestone|epic|kr)(?:\b|[:\-/_ ])", re.IGNORECASE)
_RELEASED_LABEL = re.compile(r"^(?:released|shipped|deployed)\b", re.IGNORECASE)
_CUSTOMER_LABEL = re.compile(r"(?:customer|incident|escalat|zendesk|freshdesk|intercom)", re.IGNORECASE)
_CUSTOMER_TYPES = frozenset({"incident", "customer request", "service request", "support request", "problem"})
_RELEASE_COLUMNS = frozenset({"fixversion", "fixversions", "fixedinversion", "release", "releases"})
_MAX_DEPTH = 8


# --------------------------------------------------------------------------- helpers on the task table

def _per_value(values: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply a string function once per distinct value; tracker fields repeat a handful of values."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series(pd.NA, index=values.index, dtype="object")
    mapped = np.asarray(func(pd.Series(uniques, dtype="string")).astype(object), dtype=object)
    out = np.where(codes >= 0, mapped[np.where(codes >= 0, codes, 0)], None)
    return pd.Series(out, index=values.index, dtype=object)


def _types(tasks: pd.DataFrame) -> pd.Series:
    """Lower-case issue types with ``-``/``_`` as spaces (``Sub-task`` -> ``sub task``)."""
    normal = _per_value(tasks["task_type"], lambda s: s.str.lower().str.replace(r"[-_]+", " ", regex=True).str.strip())
    return normal.astype("string")


def _in_words(values: pd.Series, words: frozenset[str] | re.Pattern | str) -> np.ndarray:
    """True where a (lower-case) value is one of ``words`` or fully matches the pattern; NA is False."""
    if isinstance(words, frozenset):
        hit = _per_value(values, lambda s: s.isin(words))
    else:
        hit = _per_value(values, lambda s: s.str.contains(words, regex=True))
    return hit.fillna(False).astype(bool).to_numpy()


def _label_match(tasks: pd.DataFrame, pattern: re.Pattern | str) -> pd.Series:
    """True where any label of the task matches ``pattern``."""
    labels = tasks["labels"].explode().dropna()
    if labels.empty:
        return pd.Series(False, index=tasks.index)
    hit = pd.Series(_in_words(labels, pattern), index=labels.index)
    return hit.groupby(level=0).any().reindex(tasks.index, fill_value=False)


def _first_label(tasks: pd.DataFrame, pattern: re.Pattern) -> pd.Series:
    labels = tasks["labels"].explode().dropna()
    labels = labels[_in_words(labels, pattern)]
    return labels.groupby(level=0).first().reindex(tasks.index).astype("string")


def _position_of(tasks: pd.DataFrame, ids: Any) -> np.ndarray:
    """Row position of each id in ``tasks`` (-1 when the id is not in the table)."""
    index = pd.Index(tasks["task_id"].to_numpy(dtype=object))
    return index.get_indexer(pd.Index(np.asarray(ids, dtype=object)))


def _member(values: Any, pool: Any) -> np.ndarray:
    """``values.isin(pool)`` through a hash index (``isin`` on large string sets is very slow in pandas 3)."""
    index = pd.Index(pd.unique(np.asarray(pool, dtype=object)))
    return index.get_indexer(pd.Index(np.asarray(values, dtype=object))) >= 0


def _parent_codes(tasks: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Encode each parent as its row position, ``-1`` for none, ``-2 - k`` for the k-th parent outside the table.

    Integer codes let the chain walk run on numpy arrays instead of id lookups.
    """
    parent = tasks["parent_id"].to_numpy(dtype=object, na_value=None)
    parent = np.where(parent == tasks["task_id"].to_numpy(dtype=object), None, parent)
    has = pd.notna(parent)
    pos = np.full(len(tasks), -1, dtype=np.int64)
    if has.any():
        pos[has] = _position_of(tasks, parent[has])
    outside = has & (pos < 0)
    codes, uniques = pd.factorize(parent[outside])
    pos[outside] = -2 - codes
    return pos, np.asarray(uniques, dtype=object)


def _ids_of(codes: np.ndarray, tasks: pd.DataFrame, outside: np.ndarray) -> pd.arrays.StringArray:
    ids = tasks["task_id"].to_numpy(dtype=object)
    out = np.full(len(codes), None, dtype=object)
    inside = codes >= 0
    out[inside] = ids[codes[inside]]
    ext = codes <= -2
    out[ext] = outside[-2 - codes[ext]]
    return pd.array(out, dtype="string")


def _goal_links(tasks: pd.DataFrame) -> pd.DataFrame:
    """Walk each task's parent chain to find the nearest epic and the top goal.

    A parent that is not in the table (a Jira epic outside the filter, a GitHub
    milestone name) is taken as an epic, because that is what such links point
    to in practice.  Chains longer than eight steps or looping stop there.
    """
    n = len(tasks)
    parent, outside = _cached(tasks, "parents", _parent_codes)
    is_goal = _types(tasks).isin(GOAL_TYPES).fillna(False).astype(bool).to_numpy()
    has_label = _label_match(tasks, _GOAL_LABEL).to_numpy()
    rolls = np.zeros(n, dtype=bool)
    epic = np.full(n, -1, dtype=np.int64)
    root = np.full(n, -1, dtype=np.int64)
    current = parent.copy()
    for _ in range(_MAX_DEPTH):
        active = current != -1
        if not active.any():
            break
        known = current >= 0
        safe = np.where(known, current, 0)
        container = (current <= -2) | (known & is_goal[safe])
        rolls |= container | (known & has_label[safe])
        epic = np.where((epic == -1) & container, current, epic)
        root = np.where(active, current, root)
        current = np.where(known, parent[safe], -1)
    label_only = ~rolls & has_label
    via = np.where(rolls, "parent", np.where(label_only, "label", None))
    epic_ids = _ids_of(np.where(is_goal & ~rolls, -1, epic), tasks, outside)
    own_label = _first_label(tasks, _GOAL_LABEL)
    epic_ids = pd.array(np.where(label_only, own_label.to_numpy(dtype=object, na_value=None),
                                 epic_ids.to_numpy(dtype=object, na_value=None)), dtype="string")
    goal = _ids_of(np.where((root != epic) & rolls, root, -1), tasks, outside)
    return pd.DataFrame({
        "task_id": tasks["task_id"].to_numpy(),
        "is_goal": is_goal,
        "rolls_up": rolls | has_label,
        "via": pd.array(via, dtype="string"),
        "epic_id": epic_ids,
        "goal_id": goal,
    })


def _parent_has(tasks: pd.DataFrame, flag: np.ndarray) -> np.ndarray:
    parent, _ = _cached(tasks, "parents", _parent_codes)
    return (parent >= 0) & flag[np.where(parent >= 0, parent, 0)]


def _blocked_by_edges(tasks: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(src, dst_id)``: row of the waiting task and the id it waits on, one per blocked-by link."""
    lengths = tasks["blocked_by"].map(len).to_numpy()
    if not lengths.any():
        return np.array([], dtype=np.int64), np.array([], dtype=object)
    src = np.repeat(np.arange(len(tasks)), lengths)
    dst = np.fromiter((v for items in tasks["blocked_by"] for v in items), dtype=object, count=int(lengths.sum()))
    return src, dst


def _linked_to_customer(tasks: pd.DataFrame, types: pd.Series) -> pd.Series:
    """True where a parent or blocked-by link (either direction) reaches a customer or incident ticket.

    A ticket's own ``customer`` label does not count: answering a ticket is activity until it is
    tied to a change, which is what the link records.
    """
    customer = types.isin(_CUSTOMER_TYPES).fillna(False).astype(bool).to_numpy() | _label_match(
        tasks, _CUSTOMER_LABEL).to_numpy()
    linked = _parent_has(tasks, customer)
    src, dst_id = _blocked_by_edges(tasks)
    if len(src):
        dst = _position_of(tasks, dst_id)
        src, dst = src[dst >= 0], dst[dst >= 0]
        # Either direction counts: the fix blocks the incident, or waits on the customer ticket.
        linked[src[customer[dst]]] = True
        linked[dst[customer[src]]] = True
    return pd.Series(linked, index=tasks.index)


def _released(tasks: pd.DataFrame) -> pd.Series:
    out = _label_match(tasks, _RELEASED_LABEL)
    for col in tasks.columns:
        if re.sub(r"[^a-z]", "", col.lower()) in _RELEASE_COLUMNS:
            values = tasks[col]
            filled = values.map(lambda v: len(v) > 0 if isinstance(v, (list, tuple, np.ndarray)) else pd.notna(v))
            out = out | filled.astype(bool)
    return out


def _classify(tasks: pd.DataFrame) -> pd.DataFrame:
    links = _cached(tasks, "links", _goal_links)
    types = _types(tasks)
    category = tasks["status_category"].astype(object)
    done = (category == "done").to_numpy()
    cancelled = (category == "cancelled").to_numpy()
    is_goal = links["is_goal"].to_numpy()
    parent_done = _parent_has(tasks, done)
    value_type = (types.isin(_VALUE_TYPES) | types.isna()).fillna(False).astype(bool).to_numpy()
    released = _released(tasks).to_numpy()
    customer = _linked_to_customer(tasks, types).to_numpy()
    overhead = _in_words(types, _OVERHEAD) | _label_match(tasks, _OVERHEAD).to_numpy()
    rolls = links["rolls_up"].to_numpy()
    open_goal = is_goal & ~done & ~cancelled
    type_text = types.fillna("goal").to_numpy(dtype=object)
    epic = links["epic_id"].fillna("a goal").to_numpy(dtype=object)

    conditions = [
        done & is_goal, done & released, done & customer, done & ~is_goal & value_type & parent_done,
        cancelled, overhead, open_goal, rolls,
    ]
    outcomes, progress, activities = (ELEMENTS.index(e) for e in ("Outcomes", "Progress", "Activities"))
    levels = [outcomes] * 4 + [activities, activities, progress, progress]
    reasons = [
        "completed " + type_text, np.full(len(tasks), "released (fix version or released label)", dtype=object),
        np.full(len(tasks), "done and linked to a customer or incident ticket", dtype=object),
        np.full(len(tasks), "completed deliverable whose parent is done", dtype=object),
        np.full(len(tasks), "cancelled before any outcome", dtype=object),
        np.full(len(tasks), "chore or meeting (overhead)", dtype=object),
        "open " + type_text, "rolls up to " + epic,
    ]
    level = np.select(conditions, levels, default=activities)
    reason = np.select(conditions, reasons, default="no parent, epic or goal")
    return pd.DataFrame({
        "task_id": tasks["task_id"].to_numpy(),
        "level": pd.Categorical.from_codes(level, categories=list(ELEMENTS)),
        "reason": pd.array(reason, dtype="string"),
    })


# One slot per name: several signals (and the C4 Flywheel) classify the same prepared table.  The
# entry dies with the table, so a large export is not kept alive by the cache.
_CACHE: dict[str, tuple[weakref.ref, tuple, Any]] = {}


def _cached(tasks: pd.DataFrame, name: str, build: Callable[[pd.DataFrame], Any], params: tuple = ()) -> Any:
    entry = _CACHE.get(name)
    if entry is not None and entry[0]() is tasks and entry[1] == params:
        return entry[2]
    result = build(tasks)

    def _drop(ref: weakref.ref, name: str = name) -> None:
        if name in _CACHE and _CACHE[name][0] is ref:
            del _CACHE[name]

    _CACHE[name] = (weakref.ref(tasks, _drop), params, result)
    return result


def _split_options(options: dict[str, Any], own: dict[str, Any], where: str) -> tuple[dict, dict]:
    unknown = sorted(set(options) - set(DEFAULTS) - set(own))
    if unknown:
        raise OptionError(f"{where} got unknown options {unknown}; expected some of "
                          f"{sorted(set(DEFAULTS) | set(own))}. Next step: check the spelling.")
    common = {k: v for k, v in options.items() if k in DEFAULTS}
    framework = {**own, **{k: v for k, v in options.items() if k in own}}
    return common, framework


# --------------------------------------------------------------------------- public tables

def goal_links(data: Any, *, as_of: Any = None, **options: Any) -> pd.DataFrame:
    """Where each task rolls up: its nearest epic and the goal above it.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time (only used by the ``window`` filter).
    **options
        The common filters of :data:`workfw.diagnosis.DEFAULTS` (``team``, ``project``...).

    Returns
    -------
    pandas.DataFrame
        ``task_id, is_goal`` (an epic/milestone/goal item), ``rolls_up`` (a parent
        chain reaches an epic or goal, or the task carries a goal label such as
        ``okr:q3``), ``via`` (``parent`` or ``label``), ``epic_id``, ``goal_id``.
    """
    common, _ = _split_options(options, {}, "goal_links")
    return _goal_links(prepare(data, as_of=as_of, **common).tasks)


def classify_levels(data: Any, *, as_of: Any = None, **options: Any) -> pd.DataFrame:
    """Place every task on one level of the pyramid.

    Rules, first match wins:

    - Outcomes (done only): a completed epic/milestone/goal/initiative; a released
      item (a fix-version column or a ``released``/``shipped`` label); an item linked
      to a customer or incident ticket (a parent or blocked-by link, either direction, to an
      incident-type or ``customer``/``incident``-labelled task; the ticket's own label is not
      enough); a completed story/feature (or untyped item) whose parent is done.
    - Activities: cancelled items; chores and meetings (type or label), even under an epic.
    - Progress: an open epic/goal, or work whose parent chain reaches an epic, milestone
      or goal (or that carries a goal label).
    - Activities: the rest (no parent, epic or goal).

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time (only used by the ``window`` filter).
    **options
        The common filters of :data:`workfw.diagnosis.DEFAULTS`.

    Returns
    -------
    pandas.DataFrame
        ``task_id, level`` (categorical in :data:`ELEMENTS` order), ``reason``.
    """
    common, _ = _split_options(options, OPTIONS, "classify_levels")
    return _classify(prepare(data, as_of=as_of, **common).tasks)


def rollup(data: Any, *, as_of: Any = None, **options: Any) -> pd.DataFrame:
    """Goal -> epic -> tasks counts for the roll-up chart.

    Epic and goal items themselves are not counted as tasks.  Tasks that reach
    no epic or goal form one row with ``epic_id`` and ``goal_id`` missing.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time (only used by the ``window`` filter).
    **options
        The common filters of :data:`workfw.diagnosis.DEFAULTS`.

    Returns
    -------
    pandas.DataFrame
        ``goal_id, goal_title, epic_id, epic_title, tasks, done, open, cancelled,
        done_share`` (done / (tasks - cancelled), NA when all were cancelled),
        largest epics first.
    """
    common, _ = _split_options(options, {}, "rollup")
    tasks = prepare(data, as_of=as_of, **common).tasks
    return _rollup(tasks, _goal_links(tasks))


def _rollup(tasks: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    columns = ["goal_id", "goal_title", "epic_id", "epic_title", "tasks", "done", "open", "cancelled", "done_share"]
    work = links.loc[~links["is_goal"], ["epic_id", "goal_id"]].copy()
    category = tasks.loc[work.index, "status_category"].astype(object)
    work["done"] = (category == "done").astype(int)
    work["cancelled"] = (category == "cancelled").astype(int)
    work["open"] = category.isin(["todo", "in_progress"]).astype(int)
    work["tasks"] = 1
    if work.empty:
        return pd.DataFrame(columns=columns)
    keys = work[["goal_id", "epic_id"]].fillna("\x00")
    grouped = work.groupby([keys["goal_id"], keys["epic_id"]], sort=False)[["tasks", "done", "open", "cancelled"]].sum()
    out = grouped.reset_index().replace({"goal_id": {"\x00": pd.NA}, "epic_id": {"\x00": pd.NA}})
    titles = pd.Series(tasks["title"].to_numpy(), index=tasks["task_id"].astype(object))
    out["goal_title"] = out["goal_id"].astype(object).map(titles).astype("string")
    out["epic_title"] = out["epic_id"].astype(object).map(titles).astype("string")
    finishable = out["tasks"] - out["cancelled"]
    out["done_share"] = (out["done"] / finishable.where(finishable > 0)).astype("Float64")
    out[["goal_id", "epic_id"]] = out[["goal_id", "epic_id"]].astype("string")
    return out[columns].sort_values(["tasks", "epic_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def busyness(data: Any, *, as_of: Any = None, **options: Any) -> pd.DataFrame:
    """Activity events per week: tasks created, tasks updated, comments and status transitions.

    Exports carry a comment *count* per task, not comment dates, so comments are
    placed in the week of the task's last update (creation when never updated).
    Only the last update of each task is visible, so ``updated`` undercounts.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time (only used by the ``window`` filter).
    **options
        The common filters of :data:`workfw.diagnosis.DEFAULTS`.

    Returns
    -------
    pandas.DataFrame
        ``week`` (Monday, UTC), ``created, updated, comments, transitions, total``.
    """
    common, _ = _split_options(options, {}, "busyness")
    ctx = prepare(data, as_of=as_of, **common)
    return _busyness(ctx.tasks, ctx.events)


def _week(stamps: pd.Series) -> pd.Series:
    day = stamps.dt.tz_convert("UTC").dt.floor("D")
    return day - pd.to_timedelta(day.dt.day_of_week, unit="D")


def _busyness(tasks: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    created = tasks["created"].dropna()
    updated = tasks.loc[tasks["updated"] > tasks["created"], "updated"]
    comment_at = tasks["updated"].fillna(tasks["created"])
    comments = tasks["comments"].fillna(0).astype(int)
    transitions = events.loc[events["field"] == "status", "at"].dropna() if not events.empty else pd.Series(
        [], dtype="datetime64[ns, UTC]")
    parts = {
        "created": created.groupby(_week(created)).size(),
        "updated": updated.groupby(_week(updated)).size(),
        "comments": comments[comment_at.notna()].groupby(_week(comment_at.dropna())).sum(),
        "transitions": transitions.groupby(_week(transitions)).size(),
    }
    frame = pd.DataFrame(parts).fillna(0).astype(int).sort_index()
    frame["total"] = frame.sum(axis=1)
    frame.index.name = "week"
    return frame.reset_index()


# --------------------------------------------------------------------------- signals

def _levels(ctx: Context) -> pd.DataFrame:
    return _cached(ctx.tasks, "levels", _classify)


def _links(ctx: Context) -> pd.DataFrame:
    return _cached(ctx.tasks, "links", _goal_links)


def _require_links(ctx: Context) -> None:
    if ctx.tasks["parent_id"].isna().all() and not _label_match(ctx.tasks, _GOAL_LABEL).any():
        raise NotMeasurable("the export has no parent, epic or goal link (and no goal-like labels)")


def _require_goal_items(ctx: Context) -> pd.Series:
    """Return the mask of epic/goal items; raise when the export cannot tell them apart."""
    if ctx.tasks["task_type"].isna().all():
        raise NotMeasurable("the export has no issue types, so epics and goals cannot be told apart")
    is_goal = _links(ctx)["is_goal"]
    if not is_goal.any():
        raise NotMeasurable("the export holds no epic, milestone or goal items")
    return is_goal


def _severity(bad_share: float) -> str:
    return "high" if bad_share >= 0.5 else "medium" if bad_share >= 0.2 else "low"


def _completed_on_goal(ctx: Context) -> Measured:
    _require_links(ctx)
    links = _links(ctx)
    done = (ctx.tasks["status_category"] == "done") & ~links["is_goal"]
    if not done.any():
        raise NotMeasurable("no completed tasks")
    on_goal = links.loc[done, "rolls_up"]
    share = float(on_goal.mean())
    orphans = ctx.tasks.loc[on_goal.index[~on_goal], "task_id"].tolist()
    finding = None
    if orphans:
        finding = (f"{len(orphans)} of {int(done.sum())} completed tasks roll up to no goal, epic or milestone "
                   "(orphan activity)")
    return Measured(share, share * 100, int(done.sum()), orphans, finding, _severity(1 - share))


def _epic_children(ctx: Context) -> pd.DataFrame:
    links = _links(ctx)
    work = ctx.tasks.loc[~links["is_goal"] & links["epic_id"].notna() & (links["via"] == "parent")]
    return work.assign(epic_id=links.loc[work.index, "epic_id"])


def _epic_completion(ctx: Context) -> Measured:
    _require_links(ctx)
    children = _epic_children(ctx)
    children = children[children["status_category"] != "cancelled"]
    if children.empty:
        raise NotMeasurable("no task has an epic, milestone or goal as parent")
    per_epic = (children["status_category"] == "done").groupby(children["epic_id"]).mean()
    value = float(per_epic.mean())
    return Measured(value, value * 100, len(per_epic))


def _epics_moved(ctx: Context) -> Measured:
    _require_links(ctx)
    period = pd.Timedelta(days=int(ctx.options.get("period_days", OPTIONS["period_days"])))
    since = ctx.as_of - period
    children = _epic_children(ctx)
    if children.empty:
        raise NotMeasurable("no task has an epic, milestone or goal as parent")
    category = ctx.tasks["status_category"].astype(object)
    open_goal_ids = set(ctx.tasks.loc[_links(ctx)["is_goal"] & category.isin(["todo", "in_progress"]), "task_id"])
    in_table = set(ctx.tasks["task_id"])
    has_open_child = children["status_category"].isin(["todo", "in_progress"]).groupby(children["epic_id"]).any()
    active = [e for e in has_open_child.index if e in open_goal_ids or (e not in in_table and has_open_child[e])]
    if not active:
        raise NotMeasurable("no epic, milestone or goal is open with tasks under it")
    if children[["completed", "started"]].notna().any().any():
        moved_task = (children["completed"] >= since) | (children["started"] >= since)
    else:
        # Without completion or start dates, a recent update is the only sign of movement.
        moved_task = children["updated"] >= since
    moved = moved_task.fillna(False).astype(bool).groupby(children["epic_id"]).any().reindex(active)
    still = sorted(moved.index[~moved])
    share = float(moved.mean())
    finding = None
    if still:
        finding = (f"{len(still)} of {len(active)} open epics had no task started or finished in the last "
                   f"{period.days} days")
    return Measured(share, share * 100, len(active), still, finding, _severity(1 - share))


def _goals_completed(ctx: Context) -> Measured:
    is_goal = _require_goal_items(ctx)
    goals = ctx.tasks.loc[is_goal & (ctx.tasks["status_category"] != "cancelled")]
    if goals.empty:
        raise NotMeasurable("every epic, milestone or goal item is cancelled")
    done = goals["status_category"] == "done"
    children = _epic_children(ctx)
    children = children[children["status_category"] != "cancelled"]
    all_done = (children["status_category"] == "done").groupby(children["epic_id"]).all()
    unclaimed = sorted(goals.loc[~done & goals["task_id"].map(all_done).fillna(False).astype(bool), "task_id"])
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
    outcomes = int((_levels(ctx)["level"] == "Outcomes").sum())
    ratio = outcomes / activity * 100
    target = float(ctx.options.get("outcome_target", OPTIONS["outcome_target"]))
    finding = None
    if ratio < target / 2:
        finding = (f"{outcomes} outcomes for {activity} activity events ({ratio:.1f} per 100): busy, "
                   "but little of it reaches an outcome")
    return Measured(ratio, min(100.0, ratio / target * 100), activity, [], finding, "medium")


def _open_unaligned(ctx: Context) -> Measured:
    _require_links(ctx)
    links = _links(ctx)
    open_work = ctx.tasks["status_category"].isin(["todo", "in_progress"]) & ~links["is_goal"]
    if not open_work.any():
        raise NotMeasurable("no open tasks")
    unaligned = open_work & ~links["rolls_up"]
    share = float(unaligned.sum() / open_work.sum())
    ids = ctx.tasks.loc[unaligned, "task_id"].tolist()
    finding = None
    if ids:
        finding = f"{len(ids)} of {int(open_work.sum())} open tasks connect to no goal, epic or milestone"
    return Measured(share, 100 - share * 100, int(open_work.sum()), ids, finding, _severity(share))


SIGNALS: tuple[SignalSpec, ...] = (
    SignalSpec("Progress", "completed work on a goal", ("status_category", "parent_id", "labels"),
               "Share of completed tasks whose parent chain reaches an epic, milestone or goal (or that carry a "
               "goal label); the rest is orphan activity.", _completed_on_goal),
    SignalSpec("Progress", "epic completion", ("parent_id", "status_category"),
               "Mean over epics of the share of their (non-cancelled) tasks that are done.", _epic_completion),
    SignalSpec("Progress", "active epics that moved", ("parent_id", "completed", "started"),
               "Share of open epics with a task started or finished in the last period_days (default 30).",
               _epics_moved),
    SignalSpec("Outcomes", "goals completed", ("task_type", "status_category"),
               "Epics, milestones and goals completed (value: count; score: share of non-cancelled ones done).",
               _goals_completed),
    SignalSpec("Outcomes", "outcome events per 100 activity events",
               ("status_category", "created", "updated", "comments"),
               "Tasks on the Outcomes level per 100 activity events (created + updated + comments + transitions); "
               "score = ratio / outcome_target x 100, capped at 100.", _outcomes_per_activity),
    SignalSpec("Activities", "open work tied to a goal", ("status_category", "parent_id", "labels"),
               "Share of open tasks that connect to no goal, epic or milestone (lower is better; score = 100 - "
               "share x 100).", _open_unaligned),
)


# --------------------------------------------------------------------------- diagnose

def diagnose(data: Any, *, as_of: Any = None, **options: Any) -> Diagnosis:
    """Read an export through the Work Value Pyramid.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    **options
        The common options of :data:`workfw.diagnosis.DEFAULTS` (``stale_days=30``,
        ``substantive_words=15``, ``aging_multiple=2.0``, ``team=None``, ``project=None``,
        ``window=None``, ``actors="all"``, ``bots=()``) and:

        period_days : int, default 30
            "This period" for active epics that moved and for busyness per week.
        outcome_target : float, default 5.0
            Outcome events per 100 activity events that scores 100.

    Returns
    -------
    Diagnosis
        ``summary`` has ``score``, ``share`` (fraction of tasks on each level) and
        ``tasks`` (count); the figure is the three-tier pyramid.
    """
    common, framework = _split_options(options, OPTIONS, "value_pyramid.diagnose")
    base = prepare(data, as_of=as_of, **common)
    ctx = Context(tasks=base.tasks, events=base.events, as_of=base.as_of, options={**base.options, **framework})
    signals, coverage, results = run_signals(ctx, SIGNALS)
    summary = summarise(signals, ELEMENTS)
    counts = _levels(ctx)["level"].value_counts().reindex(list(ELEMENTS), fill_value=0)
    total = int(counts.sum())
    summary.insert(1, "share", (counts / total if total else counts * np.nan).astype("Float64").round(3))
    summary.insert(2, "tasks", counts.astype("Int64"))
    return Diagnosis(
        framework="Work Value Pyramid", elements=ELEMENTS, summary=summary, signals=signals,
        findings=make_findings(results), coverage=coverage, caveats=common_caveats(ctx) + _caveats(ctx),
        as_of=ctx.as_of, options=ctx.options, _draw=figure,
    )


def _caveats(ctx: Context) -> list[str]:
    out = []
    period = int(ctx.options["period_days"])
    if not ctx.tasks.empty:
        per_week = _recent_activity(ctx, period) / (period / 7)
        out.append(f"Context, not value: about {per_week:.0f} activity events per week in the last {period} days "
                   "(tasks created and updated, comments, status changes). Busyness is not progress.")
    if not _released(ctx.tasks).any():
        out.append("No fix version or 'released' label was found, so releases do not count as outcomes here.")
    parent, _ = _cached(ctx.tasks, "parents", _parent_codes)
    external = parent <= -2
    if external.any():
        out.append(f"{int(external.sum())} tasks have a parent that is not in this export; those parents are "
                   "taken to be epics or milestones.")
    return out


def figures(data: Any, *, as_of: Any = None, **options: Any) -> list:
    """The Pyramid's charts beyond its diagram, filtered like :func:`diagnose`: the roll-up from goals to tasks.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time (only used by the ``window`` filter).
    **options
        The options of :func:`diagnose` (``period_days`` and ``outcome_target`` are ignored here).

    Returns
    -------
    list of plotly.graph_objects.Figure
        The goal -> epic sunburst of :func:`rollup_figure`.
    """
    common, _ = _split_options(options, OPTIONS, "value_pyramid.figures")
    table = rollup(data, as_of=as_of, **common)
    if table.empty:
        from .charts import message_figure

        return [message_figure("Roll-up from goals to tasks", "No task matches the current filters.")]
    return [rollup_figure(table)]

"""Work Visibility Framework (WMI): five levels from Private to Organizational Visible.

Each task gets the highest level it meets (:func:`visibility_levels`).  Every
captured task is at least Personal System; the levels above build on Team
Visible, so an open task whose status is stale falls back to Personal System
even when it is linked to other teams or to a goal.  Private work is not in
any export: its signal is the late-capture share (work logged after the fact).

What each level's score means (0-100, higher is healthier):

- Private: 100 - late-capture % (finished work created already done, done within
  an hour, or never in progress).
- Personal System: 100 - share of open work stuck at Personal System by the personal rule
  (only one person ever touched it, or it sits in no shared project or team); unowned and
  stale items also sit at Personal System but are scored under Team Visible.
- Team Visible: % of open tasks with an owner and a status updated in the last
  ``stale_days``.
- Cross-functional Visible: % of open cross-team dependencies visible from both
  sides (the other team's item is in the export, owned and current).
- Organizational Visible: % of major open work (epics/goals and high-priority
  tasks) that rolls up to a goal.

The goal is *appropriate* visibility, not the most: each open task is a kind
of work (:data:`KINDS`) with a range of levels that fits it
(:data:`APPROPRIATE`).  The framework's fit check flags under-visible work
(open, high priority or blocking others, yet at most Team Visible) and
over-exposed work (open low-priority chores at Organizational Visible);
:func:`fit_by_kind` tabulates both with how much of each kind sits below or
above the levels that fit it, and the diagram draws it.  Visibility here means
common understanding, not monitoring people.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workfw.visibility.diagrams import figure, late_capture_figure, scored_figure, staleness_figure
from workfw.core.diagnosis import (
    HISTORY, Context, Diagnosis, Measured, NotMeasurable, SignalSpec, common_caveats, late_capture, make_findings,
    prepare, run_signals, summarise,
)
from workfw.core.links import cached_on_tasks, goal_link_table, member_array, split_options
from workfw.value_pyramid.signals import _require_links
# Internals stay importable from here for older code that read visibility._x.
from workfw.visibility.levels import (_HIGH, _KEY_PREFIX, _OPEN, APPROPRIATE, ELEMENTS, KINDS,  # noqa: F401
                                 _at_most_one_person, _dependency_edges, _fit_table, _levels_frame, _priority_in,
                                 _reporter_elsewhere, _unit)
from workfw.errors import OptionError

__all__ = [
    "ELEMENTS", "KINDS", "APPROPRIATE", "SIGNALS", "VisibilityDiagnosis", "diagnose", "visibility_levels",
    "fit_by_kind", "staleness", "late_capture_by_week", "figure", "staleness_figure", "late_capture_figure",
    "scored_figure", "figures",
]


@dataclass
class VisibilityDiagnosis(Diagnosis):
    """A :class:`workfw.core.diagnosis.Diagnosis` that also holds the fit of open work per kind.

    Attributes
    ----------
    fit : pandas.DataFrame or None
        :func:`fit_by_kind` of the same selection: what the diagram draws.
    """

    fit: pd.DataFrame | None = field(default=None, repr=False)


def _levels(ctx: Context) -> pd.DataFrame:
    stale_days = int(ctx.options["stale_days"])
    return cached_on_tasks(ctx.tasks, "visibility", lambda t: _levels_frame(t, ctx.events, ctx.as_of, stale_days),
                   params=(ctx.as_of, stale_days, id(ctx.events)))


def visibility_levels(data: Any, *, as_of: Any = None, **options: Any) -> pd.DataFrame:
    """Assign each task the highest visibility level it meets, its kind of work and the fit check.

    Rules (each level above Personal System needs the one below it):

    - Personal System: every captured task; reasons say why it is not higher (only one
      person ever touched it and it is in no project or team, no owner, a stale open status).
    - Team Visible: in a project or team, with a status and an owner, and (when open)
      updated in the last ``stale_days``.
    - Cross-functional Visible: waits on, or is waited on by, an item of another team or
      project (blocked-by; for items outside the export, a different key prefix), or its
      reporter mostly works in another team.
    - Organizational Visible: an epic/milestone/goal item, or its parent chain reaches one,
      or it carries a goal label (``okr:...``).

    Kinds of work (first match wins; the levels that fit each are :data:`APPROPRIATE`):
    major work (an epic/milestone/goal, high priority, blocks other open work, or waits on
    another team's item), low-priority chores (a chore, task, meeting or admin type or label
    with a low priority), routine work (the rest).

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    **options
        The common options of :data:`workfw.core.diagnosis.DEFAULTS`; ``stale_days`` (default 30)
        sets freshness.

    Returns
    -------
    pandas.DataFrame
        ``task_id, level`` (categorical in :data:`ELEMENTS` order; never Private),
        ``reason``, ``under_visible`` (open, high priority or blocking other open work, yet at
        most Team Visible), ``over_exposed`` (an open low-priority chore, not blocking or
        waiting on other work, at Organizational Visible) and ``kind`` (categorical in
        :data:`KINDS` order).
    """
    common, _ = split_options(options, {}, "visibility_levels")
    levels = _levels(prepare(data, as_of=as_of, **common))
    kind = pd.Categorical.from_codes(levels["_kind"].to_numpy(), categories=list(KINDS))
    return levels.drop(columns=["_personal_rule", "_kind"]).assign(kind=kind)


def fit_by_kind(data: Any, *, as_of: Any = None, **options: Any) -> pd.DataFrame:
    """Open work per kind and level: the share at each level and whether that level fits the kind.

    The shares are of open tasks at their highest level (Personal System to
    Organizational Visible; Private work is not in an export).  Each kind has
    a range of levels that fits it (:data:`APPROPRIATE`, an inferred design
    choice): major work from Cross-functional Visible up, routine work from
    Team Visible up, low-priority chores from Team to Cross-functional Visible.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    **options
        The common options of :data:`workfw.core.diagnosis.DEFAULTS` (``stale_days`` sets freshness).

    Returns
    -------
    pandas.DataFrame
        One row per kind (``All open work``, then :data:`KINDS`) and level: ``kind, level,
        tasks, open, share`` (of the kind's open tasks; each kind's shares sum to 1), ``fit``
        (``below``, ``appropriate`` or ``above`` the kind's range; empty for all open work),
        ``under_visible`` and ``over_exposed`` (the fit check's open tasks in the cell),
        ``example_ids`` and ``example_titles`` (up to five tasks of each cell that does not fit,
        under-visible ones first).
    """
    common, _ = split_options(options, {}, "fit_by_kind")
    return _fit(prepare(data, as_of=as_of, **common))


def _fit(ctx: Context) -> pd.DataFrame:
    if ctx.tasks.empty:
        return _fit_table(ctx.tasks, pd.DataFrame({"level": pd.Categorical([], categories=list(ELEMENTS)),
                                                   "_kind": np.array([], dtype=np.int8),
                                                   "under_visible": np.array([], dtype=bool),
                                                   "over_exposed": np.array([], dtype=bool)}))
    return _fit_table(ctx.tasks, _levels(ctx))


def staleness(data: Any, *, as_of: Any = None, bins: tuple[int, ...] = (7, 14, 30, 60, 90),
              **options: Any) -> pd.DataFrame:
    """Open tasks by days since their last update, for the staleness chart.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    bins : tuple of int, default (7, 14, 30, 60, 90)
        Bucket edges in days, increasing; buckets are ``[0, 7)``, ``[7, 14)`` ... ``[90, inf)``.
    **options
        The common options of :data:`workfw.core.diagnosis.DEFAULTS`; a bucket is ``stale`` when
        it starts at or after ``stale_days`` (default 30).

    Returns
    -------
    pandas.DataFrame
        ``bucket, from_days, to_days, todo, in_progress, tasks, share, stale``; a last
        ``no date`` bucket appears only when some open task has no update or creation date.
    """
    edges = [int(b) for b in bins]
    if not edges or edges[0] <= 0 or any(b <= a for a, b in zip(edges, edges[1:])):
        raise OptionError(f"staleness: bins={tuple(bins)!r}; expected increasing positive day counts such as "
                          "(7, 14, 30, 60, 90). Next step: pass bins in that form.")
    common, _ = split_options(options, {}, "staleness")
    ctx = prepare(data, as_of=as_of, **common)
    work = ctx.open_core
    days = (ctx.as_of - work["updated"].fillna(work["created"])).dt.total_seconds() / 86400
    lower = [0, *edges]
    upper = [*edges, np.inf]
    labels = [f"{a}-{b} days" for a, b in zip(lower, edges)] + [f"{edges[-1]}+ days"]
    bucket = pd.cut(days, bins=[-np.inf, *edges, np.inf], right=False, labels=labels)
    bucket = bucket.cat.add_categories(["no date"]).fillna("no date")
    table = pd.crosstab(bucket, work["status_category"].astype(str)).reindex(
        index=[*labels, "no date"], columns=list(_OPEN), fill_value=0)
    table = table.rename_axis(index="bucket", columns=None).reset_index()
    table["from_days"] = pd.array([*lower, pd.NA], dtype="Float64")
    table["to_days"] = pd.array([*upper, pd.NA], dtype="Float64")
    table["tasks"] = table["todo"] + table["in_progress"]
    total = table["tasks"].sum()
    table["share"] = (table["tasks"] / total if total else table["tasks"] * np.nan).astype("Float64")
    table["stale"] = (table["from_days"] >= int(ctx.options["stale_days"])).fillna(False).astype(bool)
    if table.iloc[-1]["tasks"] == 0:
        table = table.iloc[:-1]
    return table[["bucket", "from_days", "to_days", "todo", "in_progress", "tasks", "share", "stale"]]


def late_capture_by_week(data: Any, *, as_of: Any = None, **options: Any) -> pd.DataFrame:
    """Finished work per completion week and how much of it was logged after the fact.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time (only used by the ``window`` filter).
    **options
        The common options of :data:`workfw.core.diagnosis.DEFAULTS`.

    Returns
    -------
    pandas.DataFrame
        ``week`` (Monday, UTC), ``done``, ``late``, ``late_share``; the rule is
        :func:`workfw.core.diagnosis.late_capture`.  Empty when nothing finished has a completion time.
    """
    common, _ = split_options(options, {}, "late_capture_by_week")
    ctx = prepare(data, as_of=as_of, **common)
    _, late_ids = late_capture(ctx)
    done = ctx.done_core.dropna(subset=["completed"])
    day = done["completed"].dt.floor("D")
    week = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    frame = pd.DataFrame({"week": week, "late": member_array(done["task_id"], late_ids).astype(int)})
    out = frame.groupby("week").agg(done=("late", "size"), late=("late", "sum")).reset_index()
    out["late_share"] = (out["late"] / out["done"]).astype("Float64")
    return out


# --------------------------------------------------------------------------- signals

def _severity(bad_share: float) -> str:
    return "high" if bad_share >= 0.5 else "medium" if bad_share >= 0.2 else "low"


def _require_open(ctx: Context) -> np.ndarray:
    is_open = ctx.tasks["status_category"].isin(_OPEN).to_numpy()
    if not is_open.any():
        raise NotMeasurable("no open tasks")
    return is_open


def _private(ctx: Context) -> Measured:
    share, ids = late_capture(ctx)
    if share is None:
        raise NotMeasurable("no finished task has both a creation and a completion time")
    finding = None
    if ids:
        finding = (f"{len(ids)} of {len(ctx.done_core)} finished tasks were logged after the fact (created already "
                   "done, done within an hour, or never in progress)")
    severity = "high" if share >= 0.15 else "medium" if share >= 0.05 else "low"
    return Measured(share, 100 - share * 100, len(ctx.done_core), ids, finding, severity)


def _personal(ctx: Context) -> Measured:
    is_open = _require_open(ctx)
    levels = _levels(ctx)
    stuck = is_open & (levels["level"] == "Personal System").to_numpy() & levels["_personal_rule"].to_numpy()
    share = float(stuck.sum() / is_open.sum())
    ids = ctx.tasks.loc[stuck, "task_id"].tolist()
    finding = None
    if ids:
        finding = (f"{len(ids)} of {int(is_open.sum())} open tasks are kept to one person or sit in no shared "
                   "project or team")
    return Measured(share, 100 - share * 100, int(is_open.sum()), ids, finding, _severity(share))


def _team(ctx: Context) -> Measured:
    is_open = _require_open(ctx)
    tasks = ctx.tasks
    owner = tasks["assignee"].notna() | tasks["assignees"].map(len).gt(0)
    if not owner.any():
        raise NotMeasurable("the export has no assignees")
    dated = tasks["updated"].fillna(tasks["created"])
    if dated.isna().all():
        raise NotMeasurable("the export has no update or creation dates")
    stale_days = int(ctx.options["stale_days"])
    fresh = (dated >= ctx.as_of - pd.Timedelta(days=stale_days)).fillna(False).astype(bool)
    good = is_open & (owner & fresh).to_numpy()
    share = float(good.sum() / is_open.sum())
    ids = tasks.loc[is_open & ~good, "task_id"].tolist()
    finding = None
    if ids:
        finding = f"{len(ids)} of {int(is_open.sum())} open tasks have no owner or no update in {stale_days} days"
    return Measured(share, share * 100, int(is_open.sum()), ids, finding, _severity(1 - share))


def _cross(ctx: Context) -> Measured:
    ctx.require("blocked_by")
    if _unit(ctx.tasks).isna().all() and ctx.tasks["task_id"].str.extract(_KEY_PREFIX, expand=False).isna().all():
        raise NotMeasurable("the export has no team or project, so cross-team links cannot be told apart")
    edges = cached_on_tasks(ctx.tasks, "edges", _dependency_edges)
    is_open = ctx.tasks["status_category"].isin(_OPEN).to_numpy()
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
    return Measured(share, share * 100, len(edges), ids, finding, _severity(1 - share))


def _organizational(ctx: Context) -> Measured:
    tasks = ctx.tasks
    _require_links(ctx)
    links = cached_on_tasks(tasks, "links", goal_link_table)
    high = _priority_in(tasks, _HIGH)
    if not links["is_goal"].any() and tasks["priority"].isna().all():
        raise NotMeasurable("the export has neither issue types (to find epics) nor priorities")
    major = tasks["status_category"].isin(_OPEN).to_numpy() & (links["is_goal"].to_numpy() | high)
    if not major.any():
        raise NotMeasurable("no open epic, goal or high-priority task")
    rolled = major & links["rolls_up"].to_numpy()
    share = float(rolled.sum() / major.sum())
    ids = tasks.loc[major & ~rolled, "task_id"].tolist()
    finding = None
    if ids:
        finding = f"{len(ids)} of {int(major.sum())} open epics and high-priority tasks connect to no goal"
    return Measured(share, share * 100, int(major.sum()), ids, finding, _severity(1 - share))


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


# --------------------------------------------------------------------------- diagnose

def diagnose(data: Any, *, as_of: Any = None, **options: Any) -> VisibilityDiagnosis:
    """Read an export through the Work Visibility Framework.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    **options
        The common options of :data:`workfw.core.diagnosis.DEFAULTS`: ``stale_days=30`` (open and not
        updated for this long falls back to Personal System), ``substantive_words=15``,
        ``aging_multiple=2.0``, ``team=None``, ``project=None``, ``window=None``,
        ``actors="all"``, ``bots=()``.

    Returns
    -------
    VisibilityDiagnosis
        ``summary`` has ``score``, ``share`` (fraction of all tasks per level; NA for Private,
        which no export can see), ``tasks``, ``under_visible`` and ``over_exposed``; ``fit`` is
        :func:`fit_by_kind` of the selection.  The figure shows the share of open work per level
        for each kind of work against the levels that fit it, with the level scores underneath.
    """
    common, _ = split_options(options, {}, "visibility.diagnose")
    ctx = prepare(data, as_of=as_of, **common)
    signals, coverage, results = run_signals(ctx, SIGNALS)
    summary = summarise(signals, ELEMENTS)
    levels = _levels(ctx) if not ctx.tasks.empty else pd.DataFrame(
        {"level": pd.Categorical([], categories=list(ELEMENTS)), "under_visible": [], "over_exposed": [],
         "task_id": []})
    counts = levels["level"].value_counts().reindex(list(ELEMENTS), fill_value=0).astype("Int64")
    counts["Private"] = pd.NA
    total = int(counts.sum())
    summary.insert(1, "share", (counts.astype("Float64") / total if total else counts.astype("Float64") * np.nan)
                   .round(3))
    summary.insert(2, "tasks", counts)
    for flag in ("under_visible", "over_exposed"):
        summary[flag] = levels.loc[levels[flag].astype(bool), "level"].value_counts().reindex(
            list(ELEMENTS), fill_value=0).astype("Int64")
    findings = make_findings(results, _fit_findings(levels))
    return VisibilityDiagnosis(
        framework="Work Visibility", elements=ELEMENTS, summary=summary, signals=signals, findings=findings,
        coverage=coverage, caveats=common_caveats(ctx) + _caveats(ctx), as_of=ctx.as_of, options=ctx.options,
        _draw=figure, fit=_fit(ctx),
    )


def _fit_findings(levels: pd.DataFrame) -> list[dict]:
    out = []
    under = levels.loc[levels["under_visible"].astype(bool), "task_id"].tolist()
    if under:
        out.append({"severity": "high", "element": "Cross-functional Visible", "signal": "fit check: under-visible",
                    "finding": f"{len(under)} open high-priority or blocking tasks are visible to their team at most",
                    "tasks": len(under), "task_ids": under})
    over = levels.loc[levels["over_exposed"].astype(bool), "task_id"].tolist()
    if over:
        out.append({"severity": "low", "element": "Organizational Visible", "signal": "fit check: over-exposed",
                    "finding": f"{len(over)} open low-priority chores are pushed up to organizational view",
                    "tasks": len(over), "task_ids": over})
    return out


def _caveats(ctx: Context) -> list[str]:
    out = ["Private work never reaches an export, so the Private score rests on the late-capture share; "
           "pair it with the self-assessment."]
    tasks = ctx.tasks
    if not tasks.empty and tasks["updated"].fillna(tasks["created"]).isna().all():
        out.append("The export has no update dates, so stale items could not be told apart from current ones.")
    if not tasks.empty and tasks["assignee"].isna().all() and tasks["assignees"].map(len).eq(0).all():
        out.append("The export has no assignees, so levels ignore ownership and no item is judged kept to one "
                   "person.")
    if not tasks.empty and tasks["priority"].isna().all():
        out.append("The export has no priorities, so major work is only epics, goals and work with blocked-by "
                   "links, and no chore counts as low priority.")
    if not tasks.empty and tasks["blocked_by"].map(len).eq(0).all():
        out.append("No blocked-by links were found, so Cross-functional visibility rests on reporters from other "
                   "teams only.")
    out.append("Exports do not say who watches or comments, so outside watchers cannot lift an item to "
               "Cross-functional Visible.")
    return out


def figures(data: Any, *, as_of: Any = None, **options: Any) -> list:
    """Visibility's charts beyond its diagram, filtered like :func:`diagnose`: staleness and late capture.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the selection.
    **options
        The options of :func:`diagnose`; ``stale_days`` shades the stale buckets.

    Returns
    -------
    list of plotly.graph_objects.Figure
        Open tasks by days since their last update, and finished work per week logged after the fact.
    """
    common, _ = split_options(options, {}, "visibility.figures")
    ctx = prepare(data, as_of=as_of, **common)
    return [staleness_figure(staleness(data, as_of=as_of, **common)),
            late_capture_figure(late_capture_by_week(data, as_of=ctx.as_of, **common))]

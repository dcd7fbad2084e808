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

from workfw.bulk_work import without_huge_pages
from workfw.core import (OPEN, Context, Diagnosis, common_caveats, field_gap, late_capture, make_findings, member,
                         prepare, run_signals, split_options, summarise)
from workfw.errors import OptionError
from workfw.visibility.definition import APPROPRIATE, ELEMENTS, KINDS, TITLE
from workfw.visibility.diagrams import figure, late_capture_figure, scored_figure, staleness_figure
from workfw.visibility.levels import _fit_table, _levels, _reasons
from workfw.visibility.signals import SIGNALS

__all__ = [
    "ELEMENTS", "KINDS", "APPROPRIATE", "SIGNALS", "VisibilityDiagnosis", "diagnose", "visibility_levels",
    "fit_by_kind", "staleness", "late_capture_by_week", "figure", "staleness_figure", "late_capture_figure",
    "scored_figure", "figures",
]


@dataclass
class VisibilityDiagnosis(Diagnosis):
    """A :class:`workfw.core.Diagnosis` that also holds the fit of open work per kind.

    Attributes
    ----------
    fit : pandas.DataFrame or None
        :func:`fit_by_kind` of the same selection: what the diagram draws.
    """

    fit: pd.DataFrame | None = field(default=None, repr=False)


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
        The common options of :data:`workfw.core.DEFAULTS`; ``stale_days`` (default 30)
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
    ctx = prepare(data, as_of=as_of, **common)
    levels = _levels(ctx)
    kind = pd.Categorical.from_codes(levels["_kind"].to_numpy(), categories=list(KINDS))
    out = levels.drop(columns=["_personal_rule", "_kind", "_rule"]).assign(kind=kind)
    out.insert(2, "reason", _reasons(ctx.tasks, levels, int(ctx.options["stale_days"])))
    return out


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
        The common options of :data:`workfw.core.DEFAULTS` (``stale_days`` sets freshness).

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
        The common options of :data:`workfw.core.DEFAULTS`; a bucket is ``stale`` when
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
        index=[*labels, "no date"], columns=list(OPEN), fill_value=0)
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
        The common options of :data:`workfw.core.DEFAULTS`.

    Returns
    -------
    pandas.DataFrame
        ``week`` (Monday, UTC), ``done``, ``late``, ``late_share``; the rule is
        :func:`workfw.core.late_capture`.  Empty when nothing finished has a completion time.
    """
    common, _ = split_options(options, {}, "late_capture_by_week")
    ctx = prepare(data, as_of=as_of, **common)
    _, late_ids = late_capture(ctx)
    done = ctx.done_core.dropna(subset=["completed"])
    day = done["completed"].dt.floor("D")
    week = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    frame = pd.DataFrame({"week": week, "late": member(done["task_id"], late_ids).astype(int)})
    out = frame.groupby("week").agg(done=("late", "size"), late=("late", "sum")).reset_index()
    out["late_share"] = (out["late"] / out["done"]).astype("Float64")
    return out


# --------------------------------------------------------------------------- diagnose

@without_huge_pages()  # a diagnosis makes hundreds of million-value arrays: see workfw.bulk_work
def diagnose(data: Any, *, as_of: Any = None, **options: Any) -> VisibilityDiagnosis:
    """Read an export through the Work Visibility Framework.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    **options
        The common options of :data:`workfw.core.DEFAULTS`: ``stale_days=30`` (open and not
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
        framework=TITLE, elements=ELEMENTS, summary=summary, signals=signals, findings=findings,
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
    # The same test as "the export leaves 'blocked_by' empty on every task", kept per table.
    if not tasks.empty and field_gap(ctx, "blocked_by") is not None:
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

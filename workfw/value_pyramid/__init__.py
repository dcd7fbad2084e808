"""Work Value Pyramid (WMI, Brandon Hatton): Activities, Progress and Outcomes.

Every task is placed on its highest level (:func:`classify_levels`), then
signals score each level 0-100 (higher is healthier).  The levels build on
each other, so the diagram counts them cumulatively: every task is activity,
tasks at Progress or above are progress, tasks at Outcomes are outcomes; the
base is the widest band and each conversion (Progress / Activities, Outcomes /
Progress) is at most 1.  The roll-up from task to epic
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

from typing import Any

import numpy as np
import pandas as pd

from workfw.bulk_work import without_huge_pages
from workfw.charts import message_figure
from workfw.core import (GOAL_TYPES, Context, Diagnosis, common_caveats, goal_link_table, make_findings, parent_codes,
                         prepare, run_signals, split_options, summarise)
from workfw.value_pyramid.definition import ELEMENTS, OPTIONS, TITLE
from workfw.value_pyramid.diagrams import figure, rollup_figure, scored_figure
from workfw.value_pyramid.kinds import released_flags
from workfw.value_pyramid.levels import _classify
from workfw.value_pyramid.signals import SIGNALS, _levels, _recent_activity

__all__ = [
    "ELEMENTS", "SIGNALS", "OPTIONS", "GOAL_TYPES", "diagnose", "classify_levels", "goal_links", "rollup",
    "busyness", "figure", "scored_figure", "rollup_figure", "figures",
]


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
        The common filters of :data:`workfw.core.DEFAULTS` (``team``, ``project``...).

    Returns
    -------
    pandas.DataFrame
        ``task_id, is_goal`` (an epic/milestone/goal item), ``rolls_up`` (a parent
        chain reaches an epic or goal, or the task carries a goal label such as
        ``okr:q3``), ``via`` (``parent`` or ``label``), ``epic_id``, ``goal_id``.
    """
    common, _ = split_options(options, {}, "goal_links")
    return goal_link_table(prepare(data, as_of=as_of, **common).tasks)


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
        The common filters of :data:`workfw.core.DEFAULTS`.

    Returns
    -------
    pandas.DataFrame
        ``task_id, level`` (categorical in :data:`ELEMENTS` order), ``reason``.
    """
    common, _ = split_options(options, OPTIONS, "classify_levels")
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
        The common filters of :data:`workfw.core.DEFAULTS`.

    Returns
    -------
    pandas.DataFrame
        ``goal_id, goal_title, epic_id, epic_title, tasks, done, open, cancelled,
        done_share`` (done / (done + open): NA when all were cancelled; tasks
        without a status count in neither), largest epics first.
    """
    common, _ = split_options(options, {}, "rollup")
    tasks = prepare(data, as_of=as_of, **common).tasks
    return _rollup(tasks, goal_link_table(tasks))


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
    # A task without a status is neither done nor open, so it counts in neither side of the share.
    finishable = out["done"] + out["open"]
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
        The common filters of :data:`workfw.core.DEFAULTS`.

    Returns
    -------
    pandas.DataFrame
        ``week`` (Monday, UTC), ``created, updated, comments, transitions, total``.
    """
    common, _ = split_options(options, {}, "busyness")
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


# --------------------------------------------------------------------------- diagnose

@without_huge_pages()  # a diagnosis makes hundreds of million-value arrays: see workfw.bulk_work
def diagnose(data: Any, *, as_of: Any = None, **options: Any) -> Diagnosis:
    """Read an export through the Work Value Pyramid.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    **options
        The common options of :data:`workfw.core.DEFAULTS` (``stale_days=30``,
        ``substantive_words=15``, ``aging_multiple=2.0``, ``team=None``, ``project=None``,
        ``window=None``, ``actors="all"``, ``bots=()``) and:

        period_days : int, default 30
            "This period" for active epics that moved and for busyness per week.
        outcome_target : float, default 5.0
            Outcome events per 100 activity events that scores 100.

    Returns
    -------
    Diagnosis
        ``summary`` has ``score``, ``share`` (fraction of tasks whose highest level this is),
        ``tasks`` (their count) and ``reached`` (tasks at this level or above: every task for
        Activities, Progress plus Outcomes for Progress); the figure is the three-tier pyramid,
        its bands drawn from ``reached``.
    """
    common, framework = split_options(options, OPTIONS, "value_pyramid.diagnose")
    base = prepare(data, as_of=as_of, **common)
    ctx = Context(tasks=base.tasks, events=base.events, as_of=base.as_of, options={**base.options, **framework},
                  base=base.base, rows=base.rows)
    signals, coverage, results = run_signals(ctx, SIGNALS)
    summary = summarise(signals, ELEMENTS)
    counts = _levels(ctx).value_counts().reindex(list(ELEMENTS), fill_value=0)
    total = int(counts.sum())
    summary.insert(1, "share", (counts / total if total else counts * np.nan).astype("Float64").round(3))
    summary.insert(2, "tasks", counts.astype("Int64"))
    # Each level builds on the ones beneath it: a task that reached Outcomes also made progress and was activity.
    summary.insert(3, "reached", counts.iloc[::-1].cumsum().iloc[::-1].astype("Int64"))
    return Diagnosis(
        framework=TITLE, elements=ELEMENTS, summary=summary, signals=signals,
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
    if not released_flags(ctx.tasks).any():
        out.append("No fix version or 'released' label was found, so releases do not count as outcomes here.")
    parent, _ = parent_codes(ctx.tasks)
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
    common, _ = split_options(options, OPTIONS, "value_pyramid.figures")
    table = rollup(data, as_of=as_of, **common)
    if table.empty:
        return [message_figure("Roll-up from goals to tasks", "No task matches the current filters.")]
    return [rollup_figure(table)]

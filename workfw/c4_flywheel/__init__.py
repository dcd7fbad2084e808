"""The C4 Flywheel (WMI, Brandon Hatton) measured on a tracker export.

Clarity -> Coordination -> Completion -> back to Clarity is a loop, with
Collaboration as the hub that powers it.  Following the cross-framework rules
(``frameworks.md`` section 5), Clarity is measured with the Coordination
Stack's Why and What signals, Coordination with its Who, When and How signals,
and Completion with the Work Value Pyramid's Progress and Outcomes signals:
Completion means value realised, not throughput.  Flow signals (resolved /
created, on time, stale, aging WIP, cancelled) run with the diagnosis as
context under :data:`FLOW_CONTEXT`: they appear in the signal table and the
findings but score no element.  Collaboration is a weak proxy: most of it happens off the
tracker.  :func:`loop_trend` and :func:`loop_correlation` check whether the
loop turns: does clearer work this month come with more completion next month?
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workfw.bulk_work import without_huge_pages
from workfw.c4_flywheel import diagrams
from workfw.c4_flywheel.definition import (C4_DEFAULTS, ELEMENTS, FLOW_CONTEXT, LOOP, MIN_LOOP_PERIODS,
                                           MIN_SHOWN_PAIRS, PYRAMID_TO_C4, STACK_TO_C4, TITLE)
from workfw.c4_flywheel.flow_views import flow_figures, wip_what_if, wip_what_if_figure
from workfw.c4_flywheel.signals import COLLABORATION_SIGNALS, FLOW_SIGNALS, ON_TIME, relabel
from workfw.coordination_stack.signals import SIGNALS as STACK_SIGNALS
from workfw.core import (Context, Diagnosis, SignalSpec, common_caveats, make_findings, prepare, run_signals,
                         split_options, summarise)
from workfw.errors import OptionError

__all__ = ["ELEMENTS", "FLOW_CONTEXT", "SIGNALS", "C4_DEFAULTS", "diagnose", "figure", "scored_figure", "figures",
           "loop_trend", "loop_correlation", "loop_pairs", "MIN_SHOWN_PAIRS", "loop_figure", "wip_what_if",
           "wip_what_if_figure"]


def _pyramid() -> Any:
    """The Work Value Pyramid package, or None while it does not exist.

    Imported here rather than at the top so the flywheel still diagnoses (without Completion) where the
    Pyramid is left out.
    """
    try:
        from workfw import value_pyramid
    except ModuleNotFoundError as exc:
        if exc.name != "workfw.value_pyramid":
            raise
        return None
    return value_pyramid


def _build_signals() -> tuple[tuple[SignalSpec, ...], bool]:
    stack = tuple(relabel(s, STACK_TO_C4[s.element]) for s in STACK_SIGNALS if s is not ON_TIME)
    pyramid = _pyramid()
    borrowed = () if pyramid is None else tuple(
        relabel(s, "Completion") for s in pyramid.SIGNALS if s.element in PYRAMID_TO_C4)
    ordered = sorted(stack, key=lambda s: LOOP.index(s.element))
    return tuple(ordered) + borrowed + FLOW_SIGNALS + COLLABORATION_SIGNALS, pyramid is not None


SIGNALS, _HAS_PYRAMID = _build_signals()


def _split_options(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    pyramid = _pyramid()
    borrowed = dict(getattr(pyramid, "OPTIONS", {})) if pyramid is not None else {}
    shared, own = split_options(options, {**borrowed, **C4_DEFAULTS}, "c4_flywheel")
    if own["flow_days"] is not None and (not isinstance(own["flow_days"], (int, float)) or own["flow_days"] <= 0):
        raise OptionError(f"flow_days={own['flow_days']!r}; expected a positive number of days or None. "
                          "Next step: pass for example flow_days=90.")
    return shared, own


def _context(data: Any, as_of: Any, options: dict[str, Any]) -> Context:
    shared, own = _split_options(options)
    base = prepare(data, as_of=as_of, **shared)
    return replace(base, options={**base.options, **own})


@without_huge_pages()  # a diagnosis makes hundreds of million-value arrays: see workfw.bulk_work
def diagnose(data: Any, *, as_of: Any = None, **options: Any) -> Diagnosis:
    """Score Clarity, Coordination, Completion and Collaboration on an export.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export from :func:`workfw.read_export` or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    **options
        The shared options of :data:`workfw.core.DEFAULTS`
        (``stale_days=30``, ``substantive_words=15``, ``aging_multiple=2.0``,
        ``team=None``, ``project=None``, ``window=None``, ``actors="all"``,
        ``bots=()``); ``flow_days=90`` (the window of resolved / created;
        None for the whole export); ``fresh_days=14`` (the Stack's "current"
        signal); and the Work Value Pyramid's options its borrowed signals
        read (``period_days=30``, ``outcome_target=5.0``).

    Returns
    -------
    Diagnosis
        ``summary`` indexed by :data:`ELEMENTS`; ``figure()`` draws the flywheel.
    """
    ctx = _context(data, as_of, options)
    signals, coverage, results = run_signals(ctx, SIGNALS)
    summary = summarise(signals, ELEMENTS)
    caveats = common_caveats(ctx)
    caveats.append("Collaboration is a weak proxy: comments, hand-offs and cross-team items only hint at how "
                   "people help each other, which mostly happens outside the tracker.")
    if not _HAS_PYRAMID:
        caveats.append("Completion cannot be scored: the Work Value Pyramid (workfw.value_pyramid) is not "
                       "available, so its Progress and Outcomes signals are missing.")
    weakest = summary["score"].dropna()
    if len(weakest):
        element = str(weakest.astype(float).idxmin())
        caveats.append(f"The loop is weakest at {element} ({float(weakest.min()):.0f}); in a flywheel the "
                       "weakest element slows the others.")
    return Diagnosis(TITLE, ELEMENTS, summary, signals, make_findings(results), coverage, caveats,
                     ctx.as_of, dict(ctx.options), _draw=diagrams.figure)


def figure(diagnosis: Diagnosis, **kwargs: Any) -> go.Figure:
    """Draw the flywheel: three arcs coloured by score around the Collaboration hub.

    See :func:`workfw.c4_flywheel.diagrams.figure` for the keyword arguments.
    """
    return diagrams.figure(diagnosis, **kwargs)


def scored_figure(scores: Any = None, *, title: str | None = None, na_label: str = "not answered") -> go.Figure:
    """Draw the flywheel from any element scores (a self-assessment, say), or unscored when ``scores`` is None.

    Same drawing as :meth:`Diagnosis.figure`; an element without a score is
    grey and labelled ``na_label``.  See :func:`workfw.c4_flywheel.diagrams.scored_figure`.
    """
    return diagrams.scored_figure(scores, title=title, na_label=na_label)


def figures(data: Any, *, as_of: Any = None, **options: Any) -> list[go.Figure]:
    """Completion's flow charts, filtered like :func:`diagnose` (see :func:`workfw.c4_flywheel.flow_views.flow_figures`).

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the selection.
    **options
        The options of :func:`diagnose` (the C4-only ones are ignored here).

    Returns
    -------
    list of plotly.graph_objects.Figure
        Cycle-time scatter with percentiles, aging WIP, weekly throughput and a throughput forecast.
    """
    shared, _ = _split_options(options)
    return flow_figures(data, as_of=as_of, **shared)


def loop_trend(data: Any, *, freq: str = "M", as_of: Any = None, **options: Any) -> pd.DataFrame:
    """Clarity, Coordination and Completion per period, each computed on the tasks created in it.

    Every period between the first and the last creation date has a row, so
    consecutive rows are consecutive periods (empty periods have NA scores).
    Each cohort is judged as it stands at ``as_of``.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its canonical task table.
    freq : str, default "M"
        A pandas period frequency: ``"M"`` (months), ``"Q"`` or ``"W"``.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    **options
        As for :func:`diagnose`.

    Returns
    -------
    pandas.DataFrame
        ``period`` (start, UTC), ``tasks`` and one score column per loop element.
    """
    ctx = _context(data, as_of, options)
    columns = ["period", "tasks", *LOOP]
    created = ctx.tasks["created"]
    if created.isna().all():
        return pd.DataFrame(columns=columns)
    try:
        periods = created.dt.tz_convert(None).dt.to_period(freq)
    except ValueError as exc:
        raise OptionError(f"loop_trend: freq={freq!r} is not a pandas period frequency ({exc}); expected 'M', "
                          "'Q' or 'W'. Next step: pass freq='M' for months.") from exc
    loop_specs = tuple(s for s in SIGNALS if s.element in LOOP)
    rows = []
    for period in pd.period_range(periods.min(), periods.max(), freq=periods.dt.freq):
        cohort = ctx.tasks[periods == period].reset_index(drop=True)
        scores = dict.fromkeys(LOOP, np.nan)
        if len(cohort):
            events = ctx.events[ctx.events["task_id"].isin(set(cohort["task_id"]))].reset_index(drop=True)
            signals, _, _ = run_signals(replace(ctx, tasks=cohort, events=events, base=None, rows=None), loop_specs)
            scores = summarise(signals, LOOP)["score"].to_dict()
        rows.append({"period": period.start_time.tz_localize("UTC"), "tasks": len(cohort), **scores})
    out = pd.DataFrame(rows, columns=columns)
    out[list(LOOP)] = out[list(LOOP)].astype("Float64")
    return out


def loop_correlation(trend_or_data: Any, **options: Any) -> float:
    """Correlation of Clarity in one period with Completion in the next (NaN with under 4 periods).

    Parameters
    ----------
    trend_or_data : pandas.DataFrame or TaskExport
        A :func:`loop_trend` table, or data to build one from.
    **options
        Passed to :func:`loop_trend` when data is given.

    Returns
    -------
    float
        Pearson correlation over consecutive period pairs with both scores;
        NaN when the trend has fewer than 4 periods with a Clarity or
        Completion score, fewer than 3 such pairs, or no variation.
    """
    is_trend = isinstance(trend_or_data, pd.DataFrame) and {"Clarity", "Completion"} <= set(trend_or_data.columns)
    trend = trend_or_data if is_trend else loop_trend(trend_or_data, **options)
    scored = trend[["Clarity", "Completion"]].astype(float)
    if int(scored.notna().any(axis=1).sum()) < MIN_LOOP_PERIODS:
        return float("nan")
    pairs = pd.DataFrame({"clarity": scored["Clarity"], "next": scored["Completion"].shift(-1)}).dropna()
    if len(pairs) < MIN_LOOP_PERIODS - 1 or pairs["clarity"].std() == 0 or pairs["next"].std() == 0:
        return float("nan")
    return float(pairs["clarity"].corr(pairs["next"]))


def loop_pairs(trend: pd.DataFrame) -> int:
    """How many periods of a :func:`loop_trend` table have a Clarity score followed by a Completion score."""
    if trend.empty:
        return 0
    scored = trend[["Clarity", "Completion"]].astype(float)
    return int((scored["Clarity"].notna() & scored["Completion"].shift(-1).notna()).sum())


def loop_figure(trend: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Plot a :func:`loop_trend` table: one line per loop element, with the lagged correlation.

    The correlation is shown only over at least :data:`MIN_SHOWN_PAIRS` pairs
    of periods; :func:`workfw.readable.loop_reading` says how to read the chart.
    """
    shown = loop_correlation(trend) if loop_pairs(trend) >= MIN_SHOWN_PAIRS else None
    return diagrams.loop_figure(trend, correlation=shown, title=title)

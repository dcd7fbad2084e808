"""The Coordination Stack (WMI, Brandon Hatton) measured on a tracker export.

Five layers answer the questions people must settle before they can
coordinate, from the foundation up: Why (purpose), What (definition), Who
(ownership), When (timing) and How (execution).  An upper layer only holds
when the layers beneath it are settled, so :func:`root_cause` points at the
lowest weak layer: a weak When over a weak Why means "fix Why first".

Scores follow the shared contract (:mod:`workfw.core`): a share maps to
``share * 100`` (``100 - share * 100`` when lower is better); durations map
through :func:`~workfw.coordination_stack.facts.days_score` (full marks up to a "good" number of days, zero
from a "bad" one, linear between); a signal the export cannot support is
``NA``, never 0.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from workfw.bulk_work import without_huge_pages
from workfw.coordination_stack import diagrams
from workfw.coordination_stack.definition import ELEMENTS, STACK_DEFAULTS, TITLE, root_cause, root_cause_text
from workfw.coordination_stack.signals import SIGNALS
from workfw.coordination_stack.trend import open_work_coverage, open_work_coverage_figure
from workfw.core import Diagnosis, common_caveats, make_findings, prepare, run_signals, split_options, summarise

__all__ = ["ELEMENTS", "SIGNALS", "STACK_DEFAULTS", "diagnose", "figure", "scored_figure", "figures", "root_cause",
           "root_cause_text", "open_work_coverage", "open_work_coverage_figure"]


def _split_options(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    return split_options(options, STACK_DEFAULTS, "coordination_stack.diagnose")


@without_huge_pages()  # a diagnosis makes hundreds of million-value arrays: see workfw.bulk_work
def diagnose(data: Any, *, as_of: Any = None, **options: Any) -> Diagnosis:
    """Score the five Coordination Stack layers on an export.

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
        ``bots=()``), plus ``fresh_days=14`` (an open task updated within this
        many days is current) and ``weak_below=60.0`` (a layer below this
        score is weak in the root-cause view).

    Returns
    -------
    Diagnosis
        ``summary`` indexed by :data:`ELEMENTS`; ``figure()`` draws the stack.
    """
    shared, own = _split_options(options)
    base = prepare(data, as_of=as_of, **shared)
    ctx = replace(base, options={**base.options, **own})
    signals, coverage, results = run_signals(ctx, SIGNALS)
    summary = summarise(signals, ELEMENTS)
    draft = Diagnosis(TITLE, ELEMENTS, summary, signals, make_findings(results), coverage,
                      [], ctx.as_of, dict(ctx.options))
    cause, why = root_cause(draft), root_cause_text(draft)
    extra = [{"severity": "high", "element": cause, "signal": "root cause", "finding": why, "tasks": 0,
              "task_ids": []}] if cause else []
    caveats = common_caveats(ctx) + ([why] if why else [])
    if ctx.events.empty:
        caveats.append("The export carries no status history, so reopen rate, reassignments, due-date changes "
                       "and went-through-in-progress are not measurable.")
    findings = make_findings(results)
    if extra:
        # The root cause is the headline, so it leads the findings rather than sorting by task count.
        findings = pd.concat([make_findings([], extra), findings], ignore_index=True)
        findings["severity"] = findings["severity"].astype(make_findings([], extra)["severity"].dtype)
    return Diagnosis(TITLE, ELEMENTS, summary, signals, findings, coverage,
                     caveats, ctx.as_of, dict(ctx.options), _draw=diagrams.figure)


def figure(diagnosis: Diagnosis, **kwargs: Any) -> go.Figure:
    """Draw the stack: five layers, Why at the bottom, coloured by score, root cause marked.

    See :func:`workfw.coordination_stack.diagrams.figure` for the keyword arguments.
    """
    return diagrams.figure(diagnosis, **kwargs)


def scored_figure(scores: Any = None, *, title: str | None = None, na_label: str = "not answered",
                  weak_below: float | None = 60.0) -> go.Figure:
    """Draw the stack from any layer scores (a self-assessment, say), or unscored when ``scores`` is None.

    Same drawing as :meth:`Diagnosis.figure`; a layer without a score is grey
    and labelled ``na_label``.  See :func:`workfw.coordination_stack.diagrams.scored_figure`.
    """
    return diagrams.scored_figure(scores, title=title, na_label=na_label, weak_below=weak_below)


def figures(data: Any, *, as_of: Any = None, **options: Any) -> list[go.Figure]:
    """The Stack's charts beyond its diagram, filtered like :func:`diagnose`.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    **options
        The options of :func:`diagnose` (the Stack's own ones are ignored here).

    Returns
    -------
    list of plotly.graph_objects.Figure
        Share of open work with an owner (Who) and a due date (When) per week, by team.
    """
    shared, _ = _split_options(options)
    return [open_work_coverage_figure(open_work_coverage(data, as_of=as_of, **shared))]

"""The Coordination Stack (WMI, Brandon Hatton) measured on a tracker export.

Five layers answer the questions people must settle before they can
coordinate, from the foundation up: Why (purpose), What (definition), Who
(ownership), When (timing) and How (execution).  An upper layer only holds
when the layers beneath it are settled, so :func:`root_cause` points at the
lowest weak layer: a weak When over a weak Why means "fix Why first".

Scores follow the shared contract (:mod:`workfw.core.diagnosis`): a share maps to
``share * 100`` (``100 - share * 100`` when lower is better); durations map
through :func:`days_score` (full marks up to a "good" number of days, zero
from a "bad" one, linear between); a signal the export cannot support is
``NA``, never 0.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from workfw.core.diagnosis import DEFAULTS, Diagnosis, common_caveats, make_findings, prepare, run_signals, summarise
from workfw.errors import OptionError
# The helpers stay importable from here: workfw.c4_flywheel and older code read them as coordination_stack._x.
from workfw.core.helpers import days_between, days_score, owned_flags, require_any, severity_of_score, share_result  # noqa: F401
from workfw.coordination_stack.signals import SIGNALS
from workfw.coordination_stack.trend import open_work_coverage, open_work_coverage_figure

__all__ = ["ELEMENTS", "SIGNALS", "STACK_DEFAULTS", "diagnose", "figure", "scored_figure", "figures", "root_cause",
           "root_cause_text", "open_work_coverage", "open_work_coverage_figure"]

ELEMENTS: tuple[str, ...] = ("Why", "What", "Who", "When", "How")

#: Options of :func:`diagnose` beyond :data:`workfw.core.diagnosis.DEFAULTS`.
STACK_DEFAULTS: dict[str, Any] = {
    "fresh_days": 14,     # an open task updated within this many days counts as current (How)
    "weak_below": 60.0,   # a layer scoring below this is weak (root-cause view)
}


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
        The shared options of :data:`workfw.core.diagnosis.DEFAULTS`
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
    from workfw.coordination_stack.diagrams import figure as draw

    findings = make_findings(results)
    if extra:
        # The root cause is the headline, so it leads the findings rather than sorting by task count.
        findings = pd.concat([make_findings([], extra), findings], ignore_index=True)
        findings["severity"] = findings["severity"].astype(make_findings([], extra)["severity"].dtype)
    return Diagnosis("Coordination Stack", ELEMENTS, summary, signals, findings, coverage,
                     caveats, ctx.as_of, dict(ctx.options), _draw=draw)


def figure(diagnosis: Diagnosis, **kwargs: Any) -> go.Figure:
    """Draw the stack: five layers, Why at the bottom, coloured by score, root cause marked.

    See :func:`workfw.coordination_stack.diagrams.figure` for the keyword arguments.
    """
    from workfw.coordination_stack.diagrams import figure as draw

    return draw(diagnosis, **kwargs)


def scored_figure(scores: Any = None, *, title: str | None = None, na_label: str = "not answered",
                  weak_below: float | None = 60.0) -> go.Figure:
    """Draw the stack from any layer scores (a self-assessment, say), or unscored when ``scores`` is None.

    Same drawing as :meth:`Diagnosis.figure`; a layer without a score is grey
    and labelled ``na_label``.  See :func:`workfw.coordination_stack.diagrams.scored_figure`.
    """
    from workfw.coordination_stack.diagrams import scored_figure as draw

    return draw(scores, title=title, na_label=na_label, weak_below=weak_below)


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

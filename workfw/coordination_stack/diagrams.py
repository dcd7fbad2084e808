"""The Coordination Stack diagram: five layers, Why at the bottom, the root cause marked."""
from __future__ import annotations

from typing import Any, Sequence

import plotly.graph_objects as go

from workfw.coordination_stack.definition import ELEMENTS, ROLES, root_cause
from workfw.core import Diagnosis
from workfw.diagram import LABEL, WIDTH, build, fill, heading, ink, score_label, scores_of
from workfw.style import escape_text

__all__ = ["figure", "scored_figure", "draw"]


def figure(diagnosis: Diagnosis, *, title: str | None = None, show_root_cause: bool = True) -> go.Figure:
    """Draw the stack as five centred horizontal layers whose width is the score.

    Parameters
    ----------
    diagnosis : Diagnosis
        From :func:`workfw.coordination_stack.diagnose`.
    title : str, optional
        Chart title; a default names the chart and the root cause.
    show_root_cause : bool, default True
        Draw an arrow to the likely root-cause layer (:func:`~workfw.coordination_stack.root_cause`).

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per layer (named after it, score in ``customdata``).
    """
    summary = diagnosis.summary
    scores = scores_of(summary, diagnosis.elements, where="coordination stack figure")
    hovers = {}
    for element in diagnosis.elements:
        counts = (f"{int(summary.loc[element, 'signals_measured'])} of "
                  f"{int(summary.loc[element, 'signals_total'])} signals measurable")
        hovers[element] = escape_text(f"{element} — {score_label(scores[element], 'not measurable')} ({counts})",
                                      limit=160)
    cause = root_cause(diagnosis) if show_root_cause else None
    text = heading(title or "Coordination Stack: score per layer",
                   "Why is the foundation; width = score (0-100)"
                   + (f"; likely root cause: {cause}" if cause else "; grey = not measurable"))
    return draw(diagnosis.elements, scores, hovers=hovers, title=text, na_label="not measurable", cause=cause)


def scored_figure(scores: Any = None, *, title: str | None = None, na_label: str = "not answered",
                  weak_below: float | None = 60.0) -> go.Figure:
    """Draw the stack from any layer scores (perceived, measured), or unscored when ``scores`` is None.

    Parameters
    ----------
    scores : mapping, Series or DataFrame, optional
        Layer -> 0-100; None draws every layer full width in its own colour with
        the question it answers.
    title : str, optional
        Chart title.
    na_label : str, default "not answered"
        Text for a layer without a score (drawn grey, never red).
    weak_below : float or None, default 60
        Mark the lowest layer under this score as the likely root cause; None to leave it out.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    values = scores_of(scores, ELEMENTS, where="coordination_stack.scored_figure")
    cause = None
    if values is not None and weak_below is not None:
        cause = next((e for e in ELEMENTS if values[e] is not None and values[e] < weak_below), None)
    hovers = {e: escape_text(f"{e}: {ROLES[e]}" + ("" if values is None else f" · {score_label(values[e], na_label)}"),
                             limit=160) for e in ELEMENTS}
    if values is None:
        text = heading(title or "Coordination Stack: five layers",
                       "Why is the foundation; each layer rests on those below")
    else:
        text = heading(title or "Coordination Stack: score per layer", "Why is the foundation; width = score (0-100)"
                       + (f"; lowest weak layer: {cause}" if cause else f"; grey = {na_label}"))
    return draw(ELEMENTS, values, hovers=hovers, title=text, na_label=na_label, cause=cause)


def draw(elements: Sequence[str], scores: dict[str, float | None] | None, *, hovers: dict[str, str], title: str,
         na_label: str, cause: str | None = None) -> go.Figure:
    """The drawing behind :func:`figure` and :func:`scored_figure` (``scores`` None: unscored)."""
    plain = scores is None
    values = scores or dict.fromkeys(elements)
    # Traces and the root-cause note are collected and handed to plotly once: each add_bar / add_annotation
    # re-validates the figure, several times the cost of the drawing itself on every filter change.
    traces: list[go.Bar] = []
    notes: list[dict[str, Any]] = []
    for element in elements:
        score = values[element]
        # A layer without a score keeps full width in grey so the stack still reads as a stack.
        width = 100.0 if score is None else max(float(score), 2.0)
        label = f"{element}: {ROLES.get(element, '')}" if plain else f"{element}: {score_label(score, na_label)}"
        # Text stays horizontal and full size; on a narrow layer it runs past the edges onto the white page.
        colour = ink(element, score, plain=plain) if width >= 40 else "#111"
        traces.append(go.Bar(
            y=[element], x=[width], base=[(100 - width) / 2], orientation="h", name=element,
            marker=dict(color=fill(element, score, plain=plain), line=dict(color="#333", width=1)),
            text=[escape_text(label)], textposition="inside", insidetextanchor="middle", textangle=0,
            constraintext="none", textfont=dict(color=colour, size=LABEL + 1), cliponaxis=False,
            customdata=[score], hovertext=[hovers[element]], hoverinfo="text", width=0.88,
        ))
    right = 100.0
    if cause is not None and values.get(cause) is not None:
        right = 168.0
        # The arrow stops at the layer's edge or at the end of its label, whichever is further out.
        per_unit = (WIDTH - 30) / (right + 2)
        label_end = 50 + len(f"{cause}: {score_label(values[cause], na_label)}") * 0.3 * (LABEL + 1) / per_unit
        notes.append(dict(x=max((100 + float(values[cause])) / 2, label_end) + 2, y=cause, ax=112, ay=cause,
                          xref="x", yref="y", axref="x", ayref="y", showarrow=True, arrowhead=3, arrowsize=1.5,
                          arrowwidth=2, text=f"likely root cause:<br><b>fix {escape_text(cause)} first</b>",
                          xanchor="left", align="left", textangle=0, font=dict(size=LABEL, color="#222"),
                          bgcolor="white"))
    return build(traces, title=title, height=480, margin=dict(l=10, r=10, t=90, b=10), bargap=0.08,
                 annotations=notes or None,  # None leaves the key out when no layer is marked
                 xaxis=dict(range=[-1, right + 1], showgrid=False, zeroline=False, showticklabels=False,
                            fixedrange=True),
                 yaxis=dict(categoryorder="array", categoryarray=list(elements), fixedrange=True,
                            showticklabels=False))

"""The C4 Flywheel diagrams: the ring of three arcs around the Collaboration hub, and the loop trend."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workfw.c4_flywheel.definition import ELEMENTS, ROLES
from workfw.core import Diagnosis
from workfw.diagram import LABEL, NUMBER, build, fill, heading, ink, score_label, scores_of, wrap
from workfw.style import ELEMENT_COLOURS, FONT, escape_text, use_template

__all__ = ["figure", "scored_figure", "draw", "loop_figure"]

_OUTER, _INNER, _HUB = 1.0, 0.56, 0.41
_GAP = 7.0  # degrees left open between arcs, where the direction arrows sit


def _point(radius: float, degrees: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    # Angles run clockwise from 12 o'clock, the way the loop is read.
    rad = np.radians(degrees)
    return radius * np.sin(rad), radius * np.cos(rad)


def _arc(start: float, end: float) -> tuple[np.ndarray, np.ndarray]:
    angles = np.linspace(start, end, 60)
    ox, oy = _point(_OUTER, angles)
    ix, iy = _point(_INNER, angles[::-1])
    return np.concatenate([ox, ix, ox[:1]]), np.concatenate([oy, iy, oy[:1]])


_DEFAULT_TITLE = "C4 Flywheel: score per element"
_LOOP = "Clarity → Coordination → Completion, Collaboration at the hub"


def _hover(diagnosis: Diagnosis, element: str) -> str:
    row = diagnosis.summary.loc[element]
    return escape_text(f"{element}: {score_label(row['score'], 'not measurable')} ({int(row['signals_measured'])} "
                       f"of {int(row['signals_total'])} signals measurable)", limit=160)


def figure(diagnosis: Diagnosis, *, title: str | None = None) -> go.Figure:
    """Draw the flywheel: Clarity -> Coordination -> Completion as a ring, Collaboration as the hub.

    Parameters
    ----------
    diagnosis : Diagnosis
        From :func:`workfw.c4_flywheel.diagnose`.
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
        One filled trace per element (named after it, its score in ``customdata``),
        arrows between the arcs showing the loop's direction.
    """
    scores = scores_of(diagnosis.summary, diagnosis.elements, where="c4 figure")
    hovers = {e: _hover(diagnosis, e) for e in diagnosis.elements}
    return draw(diagnosis.elements, scores, hovers=hovers, na_label="not measurable",
                title=heading(title or _DEFAULT_TITLE, f"{_LOOP}; grey = not measurable"))


def scored_figure(scores: Any = None, *, title: str | None = None, na_label: str = "not answered") -> go.Figure:
    """Draw the flywheel from any element scores (perceived, measured), or unscored when ``scores`` is None.

    Parameters
    ----------
    scores : mapping, Series or DataFrame, optional
        Element -> 0-100 (see :func:`workfw.diagram.scores_of`); None draws the
        diagram in the elements' own colours with what each stands for.
    title : str, optional
        Chart title.
    na_label : str, default "not answered"
        Text for an element without a score (drawn grey, never red).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    values = scores_of(scores, ELEMENTS, where="c4_flywheel.scored_figure")
    if values is None:
        text = heading(title or "C4 Flywheel: the loop and its fuel", _LOOP)
    else:
        text = heading(title or _DEFAULT_TITLE, f"{_LOOP}; grey = {na_label}")
    hovers = {e: escape_text(f"{e}: {ROLES[e]}" + ("" if values is None else f" · {score_label(values[e], na_label)}"),
                             limit=160) for e in ELEMENTS}
    return draw(ELEMENTS, values, hovers=hovers, title=text, na_label=na_label)


def draw(elements: Sequence[str], scores: dict[str, float | None] | None, *, hovers: dict[str, str], title: str,
         na_label: str) -> go.Figure:
    """The drawing behind :func:`figure` and :func:`scored_figure` (``scores`` None: unscored).

    ``title`` is the finished heading (see :func:`workfw.diagram.heading`).
    """
    plain = scores is None
    values = scores or dict.fromkeys(elements)
    loop, hub = list(elements[:3]), elements[3]

    def label(element: str, name: str) -> tuple[str, int]:
        # Unscored: what the element stands for; scored: the score large (the whole annotation at number
        # size, so the lines do not crowd), or the NA label at label size.
        if plain:
            return f"<b>{name}</b><br>{wrap(ROLES.get(element, ''), 16)}", LABEL
        value = values[element]
        if value is None:
            return f"<b>{name}</b><br>{wrap(na_label, 10)}", LABEL  # two short lines stay inside the arc
        number = score_label(value, na_label)
        return f"<span style='font-size:{LABEL}px'><b>{name}</b></span><br><b>{number}</b>", NUMBER

    # Traces and annotations are collected and handed to plotly once: each add_scatter / add_annotation
    # re-validates the figure, several times the cost of the drawing itself on every filter change.
    traces: list[go.Scatter] = []
    notes: list[dict[str, Any]] = []
    span = 360 / len(loop)
    for i, element in enumerate(loop):
        start, end = i * span + _GAP / 2, (i + 1) * span - _GAP / 2
        x, y = _arc(start, end)
        score = values[element]
        traces.append(go.Scatter(x=x, y=y, fill="toself", mode="lines", name=element, hoveron="fills",
                                 fillcolor=fill(element, score, plain=plain), line=dict(color="#333", width=1),
                                 customdata=[score] * len(x), text=hovers[element], hoverinfo="text"))
        lx, ly = _point((_OUTER + _INNER) / 2, (start + end) / 2)
        text, size = label(element, escape_text(element))
        notes.append(dict(x=float(lx), y=float(ly), showarrow=False, textangle=0, text=text,
                          font=dict(size=size, color=ink(element, score, plain=plain))))
        # The arrow leaves this arc's end and enters the next arc: the loop turns clockwise.
        tail = _point((_OUTER + _INNER) / 2, end - 4)
        head = _point((_OUTER + _INNER) / 2, end + _GAP + 4)
        notes.append(dict(x=float(head[0]), y=float(head[1]), ax=float(tail[0]), ay=float(tail[1]),
                          xref="x", yref="y", axref="x", ayref="y", text="", showarrow=True, textangle=0,
                          arrowhead=2, arrowsize=1.6, arrowwidth=3, arrowcolor="#222"))
    hub_score = values[hub]
    hx, hy = _point(_HUB, np.linspace(0, 360, 90))
    traces.append(go.Scatter(x=hx, y=hy, fill="toself", mode="lines", name=hub, hoveron="fills",
                             fillcolor=fill(hub, hub_score, plain=plain) if not plain else "#E8DDED",
                             line=dict(color=ELEMENT_COLOURS.get(hub, "#333"), width=3),
                             customdata=[hub_score] * len(hx), text=hovers[hub], hoverinfo="text"))
    if plain:
        text, size = f"<b>{escape_text(hub)}</b><br>(the fuel)", LABEL
    else:
        text, size = label(hub, f"{escape_text(hub)}</b><br>(the fuel)<b>")
    notes.append(dict(x=0, y=0, showarrow=False, textangle=0, text=text, font=dict(size=size, color=(
        "#111" if plain else ink(hub, hub_score, plain=False)))))
    limit = _OUTER + 0.04
    return build(traces, title=title, height=600, margin=dict(t=90, b=10), annotations=notes,
                 xaxis=dict(range=[-limit, limit], visible=False, fixedrange=True),
                 yaxis=dict(range=[-limit, limit], visible=False, scaleanchor="x", scaleratio=1, fixedrange=True))


def loop_figure(trend: pd.DataFrame, *, correlation: float | None = None, title: str | None = None) -> go.Figure:
    """Plot monthly Clarity, Coordination and Completion together (the loop check).

    Parameters
    ----------
    trend : pandas.DataFrame
        From :func:`workfw.c4_flywheel.loop_trend`.
    correlation : float, optional
        Clarity this period vs Completion next period, shown in the title.
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure()
    for element in ("Clarity", "Coordination", "Completion"):
        values = trend[element].astype(float)
        fig.add_scatter(x=trend["period"], y=values, mode="lines+markers", name=element,
                        line=dict(color=ELEMENT_COLOURS.get(element, "#888"), width=3), customdata=trend["tasks"],
                        hovertemplate=f"{element}: %{{y:.0f}}<br>%{{x|%Y-%m}} (%{{customdata}} tasks created)"
                                      "<extra></extra>")
    lag = ("too few months to read a correlation: compare the lines by eye" if correlation is None
           else "the scores hardly vary: no correlation to read" if pd.isna(correlation)
           else f"clarity this period vs completion next: r = {correlation:.2f}")
    use_template(fig).update_layout(font=FONT, yaxis=dict(range=[0, 105], title="score (0-100)"),
                      xaxis=dict(title="period tasks were created"), legend=dict(orientation="h", y=-0.2),
                      title=heading(title or "C4 loop check: does clarity lead completion?", lag))
    if trend[["Clarity", "Coordination", "Completion"]].isna().all().all():
        fig.add_annotation(text="not measurable", showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
                           font=dict(color="#777", size=20))
    return fig

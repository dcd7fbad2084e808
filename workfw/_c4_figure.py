"""The C4 Flywheel diagrams: the ring of three arcs around the Collaboration hub, and the loop trend."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .diagnosis import Diagnosis
from .style import ELEMENT_COLOURS, FONT, TEMPLATE, escape_text, score_colour

__all__ = ["figure", "loop_figure"]

_OUTER, _INNER, _HUB = 1.0, 0.62, 0.45
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


def _score_text(score: Any) -> str:
    return f"{float(score):.0f}" if pd.notna(score) else "not measurable"


def _hover(diagnosis: Diagnosis, element: str) -> str:
    row = diagnosis.summary.loc[element]
    return escape_text(f"{element}: {_score_text(row['score'])} ({int(row['signals_measured'])} of "
                       f"{int(row['signals_total'])} signals measurable)", limit=160)


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
    loop, hub = list(diagnosis.elements[:3]), diagnosis.elements[3]
    scores = diagnosis.summary["score"]
    fig = go.Figure()
    span = 360 / len(loop)
    for i, element in enumerate(loop):
        start, end = i * span + _GAP / 2, (i + 1) * span - _GAP / 2
        x, y = _arc(start, end)
        score = scores.get(element)
        fig.add_scatter(x=x, y=y, fill="toself", mode="lines", name=element, hoveron="fills",
                        fillcolor=score_colour(score), line=dict(color="#333", width=1),
                        customdata=[None if pd.isna(score) else float(score)] * len(x),
                        text=_hover(diagnosis, element), hoverinfo="text")
        lx, ly = _point((_OUTER + _INNER) / 2, (start + end) / 2)
        fig.add_annotation(x=float(lx), y=float(ly), showarrow=False, font=dict(size=15, color="#111"),
                           text=f"<b>{escape_text(element)}</b><br>{_score_text(score)}")
        # The arrow leaves this arc's end and enters the next arc: the loop turns clockwise.
        tail = _point((_OUTER + _INNER) / 2, end - 4)
        head = _point((_OUTER + _INNER) / 2, end + _GAP + 4)
        fig.add_annotation(x=float(head[0]), y=float(head[1]), ax=float(tail[0]), ay=float(tail[1]),
                           xref="x", yref="y", axref="x", ayref="y", text="", showarrow=True,
                           arrowhead=2, arrowsize=1.6, arrowwidth=3, arrowcolor="#222")
    hub_score = scores.get(hub)
    hx, hy = _point(_HUB, np.linspace(0, 360, 90))
    fig.add_scatter(x=hx, y=hy, fill="toself", mode="lines", name=hub, hoveron="fills",
                    fillcolor=score_colour(hub_score), line=dict(color=ELEMENT_COLOURS.get(hub, "#333"), width=3),
                    customdata=[None if pd.isna(hub_score) else float(hub_score)] * len(hx),
                    text=_hover(diagnosis, hub), hoverinfo="text")
    fig.add_annotation(x=0, y=0, showarrow=False, font=dict(size=15, color="#111"),
                       text=f"<b>{escape_text(hub)}</b><br>(the fuel)<br>{_score_text(hub_score)}")
    limit = _OUTER + 0.15
    fig.update_layout(
        template=TEMPLATE, font=FONT, showlegend=False, width=620, height=620,
        title=escape_text(title or "C4 Flywheel: score per element (Clarity → Coordination → Completion, "
                                   "Collaboration at the hub)", limit=160),
        xaxis=dict(range=[-limit, limit], visible=False),
        yaxis=dict(range=[-limit, limit], visible=False, scaleanchor="x", scaleratio=1),
        margin=dict(l=20, r=20, t=80, b=20),
    )
    return fig


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
    lag = ("not enough periods for a lagged correlation" if correlation is None or pd.isna(correlation)
           else f"clarity this period vs completion next: r = {correlation:.2f}")
    fig.update_layout(template=TEMPLATE, font=FONT, yaxis=dict(range=[0, 105], title="score (0-100)"),
                      xaxis=dict(title="period tasks were created"), legend=dict(orientation="h", y=-0.2),
                      title=escape_text(title or f"C4 loop check per period ({lag})", limit=160))
    if trend[["Clarity", "Coordination", "Completion"]].isna().all().all():
        fig.add_annotation(text="not measurable", showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
                           font=dict(color="#777", size=20))
    return fig

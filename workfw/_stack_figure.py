"""The Coordination Stack diagram: five layers, Why at the bottom, the root cause marked."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .diagnosis import Diagnosis
from .style import FONT, NA_COLOUR, TEMPLATE, escape_text, score_colour

__all__ = ["figure"]


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
    from .coordination_stack import root_cause

    elements = list(diagnosis.elements)
    summary = diagnosis.summary
    fig = go.Figure()
    for element in elements:
        score = summary.loc[element, "score"]
        measured = pd.notna(score)
        # A layer that cannot be measured keeps full width in grey so the stack still reads as a stack.
        width = float(score) if measured else 100.0
        label = f"{element}: {float(score):.0f}" if measured else f"{element}: not measurable"
        counts = (f"{int(summary.loc[element, 'signals_measured'])} of "
                  f"{int(summary.loc[element, 'signals_total'])} signals measurable")
        fig.add_bar(
            y=[element], x=[max(width, 2.0)], base=[(100 - max(width, 2.0)) / 2], orientation="h", name=element,
            marker=dict(color=score_colour(score) if measured else NA_COLOUR, line=dict(color="#333", width=1)),
            text=[escape_text(label)], textposition="inside", insidetextanchor="middle",
            customdata=[float(score) if measured else None],
            hovertext=[escape_text(f"{element} — {label.split(': ', 1)[1]} ({counts})", limit=160)],
            hoverinfo="text", width=0.9,
        )
    cause = root_cause(diagnosis) if show_root_cause else None
    if cause is not None:
        score = float(summary.loc[cause, "score"])
        fig.add_annotation(x=(100 + score) / 2 + 1, y=cause, ax=125, ay=cause, xref="x", yref="y",
                           axref="x", ayref="y", showarrow=True, arrowhead=3, arrowsize=1.5, arrowwidth=2,
                           text=f"likely root cause:<br>fix {escape_text(cause)} first", xanchor="left",
                           font=dict(size=14, color="#222"), bgcolor="white")
    heading = title or ("Coordination Stack: score per layer (Why is the foundation)"
                        + (f"; likely root cause: {cause}" if cause else ""))
    fig.update_layout(
        template=TEMPLATE, font=FONT, title=escape_text(heading, limit=160), showlegend=False, bargap=0.05,
        height=460, margin=dict(l=80, r=40, t=70, b=40),
        xaxis=dict(range=[-2, 150], showgrid=False, zeroline=False, showticklabels=False,
                   title="layer width = score (0-100)"),
        yaxis=dict(categoryorder="array", categoryarray=elements, title=None),
    )
    return fig

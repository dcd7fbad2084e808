"""Charts shared by every framework: perceived against measured, and export coverage."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .style import ELEMENT_COLOURS, FONT, NA_COLOUR, TEMPLATE, escape_text

__all__ = ["gap_figure", "coverage_figure"]


def gap_figure(gap: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Perceived (self-assessment) and measured (data) score per element, side by side.

    Parameters
    ----------
    gap : pandas.DataFrame
        From :func:`workfw.assessment.perception_gap` (``element, perceived, measured, gap``).
    title : str, optional
        Chart title.
    """
    frame = gap.copy()
    order = list(frame["element"])
    fig = go.Figure()
    for column, name, pattern in (("perceived", "How we see it (self-assessment)", ""),
                                  ("measured", "What the data shows", "/")):
        values = pd.to_numeric(frame[column], errors="coerce")
        fig.add_bar(
            x=order, y=values.fillna(0), name=name,
            marker=dict(color=[ELEMENT_COLOURS.get(e, "#888") if pd.notna(v) else NA_COLOUR
                               for e, v in zip(order, values)], pattern_shape=pattern,
                        line=dict(color="#333", width=1)),
            text=[f"{v:.0f}" if pd.notna(v) else "n/a" for v in values], textposition="outside",
            customdata=values, hovertemplate="%{x}<br>" + escape_text(name) + ": %{text}<extra></extra>",
        )
    fig.update_layout(template=TEMPLATE, font=FONT, barmode="group", yaxis=dict(range=[0, 110], title="score (0-100)"),
                      title=title or "Perceived and measured score per element (largest gap first)",
                      legend=dict(orientation="h", y=-0.15))
    return fig


def coverage_figure(coverage: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """A heatmap of which framework elements each export can measure.

    Parameters
    ----------
    coverage : pandas.DataFrame
        Rows are exports (trackers), columns are ``"Framework: Element"``, values
        are the share of that element's signals the export can compute (0-1).
    """
    z = coverage.astype(float).to_numpy()
    text = [[f"{v:.0%}" for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=z, x=[escape_text(c) for c in coverage.columns], y=[escape_text(i) for i in coverage.index],
        text=text, texttemplate="%{text}", colorscale=[[0, "#f0f0f0"], [1, "#1a9850"]], zmin=0, zmax=1,
        colorbar=dict(title="signals<br>measurable"),
        hovertemplate="%{y}<br>%{x}: %{text} of signals measurable<extra></extra>"))
    fig.update_layout(template=TEMPLATE, font=FONT, height=320 + 24 * len(coverage.index),
                      title=title or "What each tracker's export lets each framework element see",
                      xaxis=dict(tickangle=-45))
    return fig

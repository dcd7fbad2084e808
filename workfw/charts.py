"""Charts shared by every framework: perceived against measured, export coverage, and the filtered data they draw."""
from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from workfw.core.diagnosis import member, prepare
from workfw.export import ImportReport, TaskExport
from workfw.style import ELEMENT_COLOURS, FONT, NA_COLOUR, TEMPLATE, escape_text

__all__ = ["gap_figure", "coverage_figure", "message_figure", "subset", "filtered"]


def filtered(data: Any, *, as_of: Any = None, **options: Any) -> tuple[TaskExport, pd.Timestamp]:
    """The data a diagnosis with these options sees, and its reference time.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data (or the
        window's end when that is earlier), as in :func:`workfw.core.diagnosis.prepare`.
    **options
        The common options of :data:`workfw.core.diagnosis.DEFAULTS` (``team``,
        ``project``, ``window``, ``actors``, ``bots``; thresholds are accepted and ignored).

    Returns
    -------
    tuple of (TaskExport, pandas.Timestamp)
        A new export holding the matching tasks, their history and raw rows, and ``as_of``.
    """
    ctx = prepare(data, as_of=as_of, **options)
    raw = getattr(data, "raw", None)
    if raw is None:
        raw = pd.DataFrame({"task_id": ctx.tasks["task_id"]})
    elif "task_id" in raw.columns:
        # Hashed in pyarrow: ``isin`` on a set of a hundred thousand ids costs a second.
        raw = raw[member(raw["task_id"], ctx.tasks["task_id"]).to_numpy()].reset_index(drop=True)
    report = getattr(data, "report", None) or ImportReport(source="table", file="(table)", rows_read=len(ctx.tasks))
    return TaskExport(tasks=ctx.tasks, events=ctx.events, raw=raw, report=report), ctx.as_of


def subset(data: Any, *, as_of: Any = None, **options: Any) -> TaskExport:
    """The export restricted like a diagnosis with these options (see :func:`filtered`)."""
    return filtered(data, as_of=as_of, **options)[0]


def message_figure(title: str, message: str, *, height: int = 320) -> go.Figure:
    """An empty chart that says why there is nothing to draw (no data under these filters...)."""
    fig = go.Figure()
    fig.add_annotation(text=escape_text(message, limit=240), showarrow=False, x=0.5, y=0.5, xref="paper",
                       yref="paper", font=dict(size=16, color="#555"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(template=TEMPLATE, font=FONT, height=height, title=escape_text(title, limit=160))
    return fig


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

"""Figures of the Work Visibility Framework: the staircase, staleness buckets and late capture per week."""
from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .errors import OptionError
from .style import ELEMENT_COLOURS, FONT, NA_COLOUR, TEMPLATE, escape_text, score_colour

__all__ = ["figure", "staleness_figure", "late_capture_figure"]

_TARGET_FILL = "rgba(84,162,75,0.12)"


def _ids_text(diagnosis: Any, signal: str) -> str:
    rows = diagnosis.findings[diagnosis.findings["signal"] == signal]
    if rows.empty:
        return ""
    ids = list(rows.iloc[0]["task_ids"])
    more = f" … and {len(ids) - 10} more" if len(ids) > 10 else ""
    return escape_text(", ".join(map(str, ids[:10])), limit=200) + more


def figure(diagnosis: Any, *, target: tuple[str, str] = ("Team Visible", "Organizational Visible"),
           title: str | None = None, height: int = 520) -> go.Figure:
    """Draw the five-step staircase: step length = tasks at the level, colour = score.

    Parameters
    ----------
    diagnosis : workfw.diagnosis.Diagnosis
        A Work Visibility diagnosis (``summary`` has ``score``, ``tasks``,
        ``under_visible`` and ``over_exposed``).
    target : tuple of str, default ("Team Visible", "Organizational Visible")
        First and last level of the shaded target zone: where most work belongs.
    title : str, optional
        Chart title.
    height : int, default 520
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per level (Private first, drawn hatched because no export
        sees it), then marker traces ``under-visible`` and ``over-exposed``.
    """
    summary = diagnosis.summary
    elements = list(diagnosis.elements)
    if target[0] not in elements or target[1] not in elements:
        raise OptionError(f"visibility figure: target={target!r}; expected two of {elements}. "
                          "Next step: pass level names as written there.")
    counts = [0 if pd.isna(summary.loc[e, "tasks"]) else int(summary.loc[e, "tasks"]) for e in elements]
    total = max(sum(counts), 1)
    floor = max(total * 0.04, 1.0)  # empty levels keep a visible step
    widths = [floor if pd.isna(summary.loc[e, "tasks"]) else max(c, floor) for e, c in zip(elements, counts)]
    starts = [sum(widths[:i]) for i in range(len(widths))]
    fig = go.Figure()
    for rank, (element, count, width, start) in enumerate(zip(elements, counts, widths, starts), start=1):
        score = summary.loc[element, "score"]
        measured = pd.notna(score)
        score_text = f"score {float(score):.0f}" if measured else "not measurable"
        observed = pd.notna(summary.loc[element, "tasks"])
        count_text = f"{count} tasks" if observed else "not observable"
        fig.add_trace(go.Bar(
            x=[start + width / 2], y=[rank], width=[width], name=element,
            marker=dict(color=score_colour(score) if measured else NA_COLOUR,
                        line=dict(color=ELEMENT_COLOURS.get(element, "#444"), width=2),
                        pattern=dict(shape="" if observed else "/")),
            customdata=[[float(score) if measured else None, count if observed else None]],
            text=[f"{escape_text(element)}<br>{count_text}<br>{score_text}"], textposition="inside",
            insidetextanchor="end", hovertemplate=f"<b>{escape_text(element)}</b><br>{count_text}<br>{score_text}"
                                                  "<extra></extra>",
        ))
    low, high = elements.index(target[0]), elements.index(target[1])
    fig.add_shape(type="rect", x0=starts[low], x1=starts[high] + widths[high], y0=0, y1=len(elements) + 0.6,
                  fillcolor=_TARGET_FILL, line=dict(width=0), layer="below")
    fig.add_annotation(x=(starts[low] + starts[high] + widths[high]) / 2, y=len(elements) + 0.45, showarrow=False,
                       text=f"target zone: {escape_text(target[0])} to {escape_text(target[1])}")
    for flag, symbol, colour, label, offset in (
        ("under_visible", "triangle-up", "#D62728", "under-visible", 0.25),
        ("over_exposed", "triangle-down", "#7F3C8D", "over-exposed", -0.25),
    ):
        flagged = [(i, int(summary.loc[e, flag])) for i, e in enumerate(elements)
                   if flag in summary and pd.notna(summary.loc[e, flag]) and int(summary.loc[e, flag]) > 0]
        ids = _ids_text(diagnosis, f"fit check: {label}")
        fig.add_trace(go.Scatter(
            x=[starts[i] + widths[i] * (0.3 if offset > 0 else 0.7) for i, _ in flagged],
            y=[i + 1 + offset for i, _ in flagged], mode="markers+text", name=label,
            marker=dict(symbol=symbol, size=[12 + min(n, 40) ** 0.5 * 3 for _, n in flagged], color=colour),
            text=[f"{n} {label}" for _, n in flagged], textposition="middle right",
            customdata=[[n] for _, n in flagged],
            hovertemplate=f"<b>{label}</b>: %{{customdata[0]}} tasks<br>{ids}<extra></extra>",
        ))
    fig.update_layout(
        title=title or "Work Visibility: tasks per level (step length = tasks, colour = score)",
        template=TEMPLATE, font=FONT, height=height, bargap=0, showlegend=True,
        legend=dict(orientation="h", y=-0.12), margin=dict(l=220, r=40, t=70, b=80),
        xaxis=dict(title="tasks (cumulative)", range=[0, sum(widths)]),
        yaxis=dict(tickvals=list(range(1, len(elements) + 1)), ticktext=[escape_text(e) for e in elements],
                   range=[0, len(elements) + 0.7]),
    )
    return fig


def staleness_figure(table: pd.DataFrame, *, title: str | None = None, height: int = 420) -> go.Figure:
    """Stacked bars of open tasks per days-since-update bucket, with the stale buckets shaded.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`workfw.visibility.staleness`.
    title : str, optional
        Chart title.
    height : int, default 420
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces ``todo`` and ``in_progress``.
    """
    buckets = [escape_text(b) for b in table["bucket"].astype(str)]
    fig = go.Figure()
    for column, colour in (("todo", "#9D9DA1"), ("in_progress", "#4C78A8")):
        fig.add_trace(go.Bar(x=buckets, y=table[column], name=column.replace("_", " "), marker_color=colour,
                             hovertemplate="%{x}: %{y} tasks<extra>" + column + "</extra>"))
    stale = [i for i, flag in enumerate(table["stale"]) if flag]
    if stale:
        fig.add_vrect(x0=stale[0] - 0.5, x1=stale[-1] + 0.5, fillcolor="rgba(228,87,86,0.12)", line_width=0,
                      layer="below", annotation_text="stale", annotation_position="top left")
    fig.update_layout(title=title or "Open tasks by days since last update", barmode="stack", template=TEMPLATE,
                      font=FONT, height=height, xaxis_title="days since last update", yaxis_title="open tasks")
    return fig


def late_capture_figure(table: pd.DataFrame, *, title: str | None = None, height: int = 420) -> go.Figure:
    """Finished tasks per week, the part logged after the fact, and its share.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`workfw.visibility.late_capture_by_week`.
    title : str, optional
        Chart title.
    height : int, default 420
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces ``finished``, ``logged after the fact`` and ``late share`` (right axis).
    """
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=table["week"], y=table["done"], name="finished", marker_color="#BDBDBD"))
    fig.add_trace(go.Bar(x=table["week"], y=table["late"], name="logged after the fact",
                         marker_color=ELEMENT_COLOURS["Private"]))
    share = table["late_share"].astype("Float64").astype(float)
    fig.add_trace(go.Scatter(x=table["week"], y=share, name="late share", mode="lines+markers",
                             line=dict(color="#E45756")), secondary_y=True)
    fig.update_layout(title=title or "Finished work per week and the share logged after the fact",
                      barmode="overlay", template=TEMPLATE, font=FONT, height=height)
    fig.update_yaxes(title_text="tasks", secondary_y=False)
    fig.update_yaxes(title_text="late share", tickformat=".0%", range=[0, 1], secondary_y=True)
    return fig

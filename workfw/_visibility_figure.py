"""Figures of the Work Visibility Framework: the staircase, staleness buckets and late capture per week."""
from __future__ import annotations

from typing import Any, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ._diagram import fill, scores_of
from .errors import OptionError
from .style import CATEGORY_COLOURS, ELEMENT_COLOURS, FONT, TEMPLATE, escape_text

__all__ = ["ROLES", "figure", "scored_figure", "draw", "staleness_figure", "late_capture_figure"]

_TARGET_FILL = "rgba(84,162,75,0.12)"


def _ids_text(diagnosis: Any, signal: str) -> str:
    rows = diagnosis.findings[diagnosis.findings["signal"] == signal]
    if rows.empty:
        return ""
    ids = list(rows.iloc[0]["task_ids"])
    more = f" … and {len(ids) - 10} more" if len(ids) > 10 else ""
    return escape_text(", ".join(map(str, ids[:10])), limit=200) + more


#: One line per level on the unscored diagram: where the work is seen.
ROLES: dict[str, str] = {
    "Private": "only in someone's head", "Personal System": "in a personal tool",
    "Team Visible": "in the team's shared system", "Cross-functional Visible": "shared with teams it touches",
    "Organizational Visible": "tied to goals leaders see",
}


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
    counts = {e: None if pd.isna(summary.loc[e, "tasks"]) else int(summary.loc[e, "tasks"]) for e in elements}
    fig = draw(elements, scores_of(summary, elements, where="visibility figure"), counts=counts, target=target,
               title=title or "Work Visibility: tasks per level (step length = tasks, colour = score)",
               na_label="not measurable", height=height)
    starts = [bar.x[0] - bar.width[0] / 2 for bar in fig.data]
    widths = [bar.width[0] for bar in fig.data]
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
    return fig


def scored_figure(scores: Any = None, *, title: str | None = None, na_label: str = "not answered",
                  target: tuple[str, str] = ("Team Visible", "Organizational Visible"),
                  height: int = 460) -> go.Figure:
    """Draw the staircase from any level scores (perceived, measured), or unscored when ``scores`` is None.

    Steps have equal length (nothing is counted); colour is the score, grey
    where there is none, or each level's own colour when unscored.

    Parameters
    ----------
    scores : mapping, Series or DataFrame, optional
        Level -> 0-100; None draws the levels with where the work is seen.
    title : str, optional
        Chart title.
    na_label : str, default "not answered"
        Text for a level without a score (drawn grey, never red).
    target : tuple of str
        First and last level of the shaded target zone.
    height : int, default 460
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    from .visibility import ELEMENTS

    values = scores_of(scores, ELEMENTS, where="visibility.scored_figure")
    heading = title or ("Work Visibility: five levels, from private effort to organisation-wide" if values is None
                        else "Work Visibility: score per level")
    return draw(ELEMENTS, values, counts=None, target=target, title=heading, na_label=na_label, height=height)


def draw(elements: Sequence[str], scores: dict[str, float | None] | None, *, counts: dict[str, int | None] | None,
         target: tuple[str, str], title: str, na_label: str, height: int = 520) -> go.Figure:
    """The drawing behind :func:`figure` and :func:`scored_figure`.

    ``scores`` None draws unscored; ``counts`` None draws equal steps; a level
    whose count is None (Private) is drawn hatched, as no export sees it.
    """
    elements = list(elements)
    if target[0] not in elements or target[1] not in elements:
        raise OptionError(f"visibility figure: target={target!r}; expected two of {elements}. "
                          "Next step: pass level names as written there.")
    plain = scores is None
    values = scores or dict.fromkeys(elements)
    if counts is None:
        widths = [1.0] * len(elements)
    else:
        total = max(sum(c or 0 for c in counts.values()), 1)
        floor = max(total * 0.04, 1.0)  # empty levels keep a visible step
        widths = [floor if counts[e] is None else max(counts[e], floor) for e in elements]
    starts = [sum(widths[:i]) for i in range(len(widths))]
    fig = go.Figure()
    for rank, (element, width, start) in enumerate(zip(elements, widths, starts), start=1):
        score = values[element]
        score_text = ROLES.get(element, "") if plain else (f"score {score:.0f}" if score is not None else na_label)
        observed = counts is not None and counts[element] is not None
        count_text = f"{counts[element]} tasks<br>" if observed else ("not observable<br>" if counts else "")
        fig.add_trace(go.Bar(
            x=[start + width / 2], y=[rank], width=[width], name=element,
            marker=dict(color=fill(element, score, plain=plain),
                        line=dict(color=ELEMENT_COLOURS.get(element, "#444"), width=2),
                        pattern=dict(shape="/" if counts is not None and not observed else "")),
            customdata=[[score, counts[element] if observed else None]],
            text=[f"{escape_text(element)}<br>{count_text}{escape_text(score_text)}"], textposition="inside",
            insidetextanchor="end",
            hovertemplate=f"<b>{escape_text(element)}</b><br>{count_text}{escape_text(score_text)}<extra></extra>",
        ))
    low, high = elements.index(target[0]), elements.index(target[1])
    fig.add_shape(type="rect", x0=starts[low], x1=starts[high] + widths[high], y0=0, y1=len(elements) + 0.6,
                  fillcolor=_TARGET_FILL, line=dict(width=0), layer="below")
    fig.add_annotation(x=(starts[low] + starts[high] + widths[high]) / 2, y=len(elements) + 0.45, showarrow=False,
                       text=f"target zone: {escape_text(target[0])} to {escape_text(target[1])}")
    fig.update_layout(
        title=escape_text(title, limit=160), template=TEMPLATE, font=FONT, height=height, bargap=0, showlegend=True,
        legend=dict(orientation="h", y=-0.12), margin=dict(l=220, r=40, t=70, b=80),
        xaxis=dict(title="tasks (cumulative)" if counts is not None else "", range=[0, sum(widths)],
                   visible=counts is not None),
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
    for column in ("todo", "in_progress"):
        colour = CATEGORY_COLOURS[column]
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

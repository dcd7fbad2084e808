"""Figures of the Work Visibility Framework: the staircase, staleness buckets and late capture per week."""
from __future__ import annotations

from typing import Any, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ._diagram import LABEL, build, fill, heading, ink, scores_of, wrap
from .errors import OptionError
from .style import CATEGORY_COLOURS, ELEMENT_COLOURS, FONT, TEMPLATE, escape_text

__all__ = ["ROLES", "figure", "scored_figure", "draw", "staleness_figure", "late_capture_figure"]

_TARGET_FILL = "rgba(84,162,75,0.14)"
#: Rows under the level names where the fit check's counts are written (y in step units).
_FLAG_ROWS = {"under_visible": -0.95, "over_exposed": -1.3}
_TOP = 6.0


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
           title: str | None = None, height: int = 600) -> go.Figure:
    """Draw the five-step staircase: equal steps rising to the right, colour = score, tasks written in each step.

    Parameters
    ----------
    diagnosis : workfw.diagnosis.Diagnosis
        A Work Visibility diagnosis (``summary`` has ``score``, ``tasks``,
        ``under_visible`` and ``over_exposed``).
    target : tuple of str, default ("Team Visible", "Organizational Visible")
        First and last level of the shaded target zone: where most work belongs.
    title : str, optional
        Chart title.
    height : int, default 600
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per level (Private first, drawn hatched because no export
        sees it; task count in ``customdata[0][1]``), then text traces
        ``under-visible`` and ``over-exposed`` written under the level names.
    """
    summary = diagnosis.summary
    elements = list(diagnosis.elements)
    counts = {e: None if pd.isna(summary.loc[e, "tasks"]) else int(summary.loc[e, "tasks"]) for e in elements}
    shares = {e: summary.loc[e, "share"] if "share" in summary else None for e in elements}
    flags: list[go.Scatter] = []
    for flag, symbol, colour, label in (("under_visible", "▲", "#B2182B", "under-visible"),
                                        ("over_exposed", "▼", "#6A3D9A", "over-exposed")):
        flagged = [(i, int(summary.loc[e, flag])) for i, e in enumerate(elements)
                   if flag in summary and pd.notna(summary.loc[e, flag]) and int(summary.loc[e, flag]) > 0]
        ids = _ids_text(diagnosis, f"fit check: {label}")
        # Written in their own rows under the level names, so they never cover a step's own words.
        flags.append(go.Scatter(
            x=[i for i, _ in flagged], y=[_FLAG_ROWS[flag]] * len(flagged), mode="text",
            name=label, text=[f"{symbol} {n} {label}" for _, n in flagged], textposition="middle center",
            textfont=dict(size=LABEL - 2, color=colour), cliponaxis=False,
            customdata=[[n] for _, n in flagged],
            hovertemplate=f"<b>{label}</b>: %{{customdata[0]}} tasks<br>{ids}<extra></extra>",
        ))
    return _draw(elements, scores_of(summary, elements, where="visibility figure"), counts=counts, target=target,
                 title=heading(title or "Work Visibility: tasks per level",
                               "colour = score, grey = not measurable; target zone shaded"),
                 na_label="not measurable", height=height, shares=shares, extra=flags)


def scored_figure(scores: Any = None, *, title: str | None = None, na_label: str = "not answered",
                  target: tuple[str, str] = ("Team Visible", "Organizational Visible"),
                  height: int = 520) -> go.Figure:
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
    height : int, default 520
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    from .visibility import ELEMENTS

    values = scores_of(scores, ELEMENTS, where="visibility.scored_figure")
    if values is None:
        text = heading(title or "Work Visibility: five levels",
                       "from private effort to organisation-wide; target zone shaded")
    else:
        text = heading(title or "Work Visibility: score per level",
                       f"colour = score, grey = {na_label}; target zone shaded")
    return draw(ELEMENTS, values, counts=None, target=target, title=text, na_label=na_label, height=height)


def draw(elements: Sequence[str], scores: dict[str, float | None] | None, *, counts: dict[str, int | None] | None,
         target: tuple[str, str], title: str, na_label: str, height: int = 600,
         shares: dict[str, Any] | None = None) -> go.Figure:
    """The drawing behind :func:`figure` and :func:`scored_figure`.

    Every step has the same width and rises one unit to the right, so a level
    with few tasks stays as legible as a full one; the words sit horizontally
    inside each step (score, then tasks and share when ``counts`` is given) and
    the level names under the steps. ``scores`` None draws unscored; a level
    whose count is None (Private) is drawn hatched, as no export sees it.
    ``title`` is the finished heading (see :func:`workfw._diagram.heading`).
    """
    return _draw(elements, scores, counts=counts, target=target, title=title, na_label=na_label, height=height,
                 shares=shares)


def _draw(elements: Sequence[str], scores: dict[str, float | None] | None, *,
          counts: dict[str, int | None] | None, target: tuple[str, str], title: str, na_label: str,
          height: int = 600, shares: dict[str, Any] | None = None, extra: Sequence[go.Scatter] = ()
          ) -> go.Figure:
    # draw() with ``extra`` traces (the fit-check counts of figure()) after the steps, so the whole figure is
    # handed to plotly once: each add_trace / add_annotation / add_shape re-validates the figure, several
    # times the cost of the drawing itself on every filter change.
    elements = list(elements)
    if target[0] not in elements or target[1] not in elements:
        raise OptionError(f"visibility figure: target={target!r}; expected two of {elements}. "
                          "Next step: pass level names as written there.")
    plain = scores is None
    values = scores or dict.fromkeys(elements)
    traces: list[go.Bar] = []
    notes: list[dict[str, Any]] = []
    for i, element in enumerate(elements):
        rank, score = i + 1, values[element]
        score_text = ROLES.get(element, "") if plain else (f"score {score:.0f}" if score is not None else na_label)
        observed = counts is not None and counts[element] is not None
        if observed:
            share = (shares or {}).get(element)
            share_text = "" if share is None or pd.isna(share) else f" · {float(share):.0%}"
            count_text = f"{counts[element]} tasks{share_text}"
        else:
            count_text = "not observable" if counts is not None else ""
        hatched = counts is not None and not observed
        traces.append(go.Bar(
            x=[i], y=[rank], width=[1.0], name=element,
            marker=dict(color=fill(element, score, plain=plain),
                        line=dict(color=ELEMENT_COLOURS.get(element, "#444"), width=2),
                        pattern=dict(shape="/" if hatched else "", fgcolor="#999", solidity=0.15)),
            customdata=[[score, counts[element] if observed else None]],
            text=[escape_text(f"{element}: {count_text + ', ' if count_text else ''}{score_text}")],
            textposition="none",
            hovertemplate=(f"<b>{escape_text(element)}</b><br>{escape_text(count_text) + '<br>' if count_text else ''}"
                           f"{escape_text(score_text)}<extra></extra>"),
        ))
        first = (wrap(score_text, 15) if plain or score is None  # the NA label only just fits a step in bold
                 else f"<b>{escape_text(score_text)}</b>")
        words = first + (f"<br><span style='font-size:{LABEL - 2}px'>{escape_text(count_text)}</span>"
                         if count_text else "")
        colour = "#111" if hatched else ink(element, score, plain=plain)
        notes.append(dict(x=i, y=rank, yanchor="top", yshift=-6, showarrow=False, textangle=0, text=words,
                          font=dict(size=LABEL + (0 if plain or score is None else 2), color=colour),
                          bgcolor="rgba(255,255,255,0.75)" if hatched else None))
        notes.append(dict(x=i, y=0, yanchor="top", yshift=-4, showarrow=False, textangle=0,
                          text=f"<b>{wrap(element, 16)}</b>", font=dict(size=LABEL - 1, color="#222")))
    low, high = elements.index(target[0]), elements.index(target[1])
    notes.append(dict(x=(low + high) / 2, y=_TOP + 0.45, yanchor="top", showarrow=False, textangle=0,
                      text=f"target zone: {escape_text(target[0])} to {escape_text(target[1])}",
                      font=dict(size=LABEL - 2, color="#2E6B2A")))
    bottom = min(_FLAG_ROWS.values()) - 0.25 if counts is not None else -0.75
    return build(traces + list(extra), title=title, height=height, margin=dict(t=90, b=10), bargap=0,
                 annotations=notes,
                 shapes=[dict(type="rect", x0=low - 0.5, x1=high + 0.5, y0=0, y1=_TOP + 0.5,
                              fillcolor=_TARGET_FILL, line=dict(width=0), layer="below")],
                 xaxis=dict(range=[-0.52, len(elements) - 0.48], visible=False, fixedrange=True),
                 yaxis=dict(range=[bottom, _TOP + 0.5], visible=False, fixedrange=True))


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

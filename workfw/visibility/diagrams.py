"""Figures of the Work Visibility Framework: open work per kind and level, the staircase, staleness, late capture.

The diagram of a diagnosis (:func:`figure`) shows where open work sits against
the levels that fit its kind: the framework asks for appropriate visibility,
not the most.  The five-step staircase (:func:`scored_figure`) draws level
scores from any source, such as the team's own answers.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from workfw.diagram import LABEL, build, fill, heading, ink, scores_of, wrap
from workfw.visibility.definition import APPROPRIATE, ELEMENTS, KINDS, ROLES
from workfw.errors import OptionError
from workfw.style import CATEGORY_COLOURS, ELEMENT_COLOURS, FONT, TEMPLATE, escape_text, hover_lines

__all__ = ["MEASURES", "figure", "scored_figure", "draw", "staleness_figure", "late_capture_figure"]

_TARGET_FILL = "rgba(84,162,75,0.16)"
_TOP = 6.0
#: Bar colours of the diagram say how a level fits the kind of work, never how high a score is.
_FIT_COLOURS = {"below": "#D6604D", "appropriate": "#4393C3", "above": "#8073AC", "": "#8C8C8C"}
_UNDER, _OVER = "#B2182B", "#6A3D9A"
#: Row spacing, bar base and tallest bar of the diagram, in row units.
_ROW, _BASE, _TALLEST = 1.4, 0.5, 0.75

#: What each level's score measures: a short phrase and a sentence, ``{p}`` being the signal's share and
#: ``{s}`` the score.  Private and Personal System score 100 minus a share, so a high score there means
#: little work is hidden or personal, not that much of it reached that level.
MEASURES: dict[str, tuple[str, str]] = {
    "Private": ("{p} logged late", "{s} = 100 - {p} of finished work logged after the fact (created already "
                "done, done within an hour, or never in progress)"),
    "Personal System": ("{p} kept personal", "{s} = 100 - {p} of open work kept to one person or in no shared "
                        "project or team"),
    "Team Visible": ("{p} owned, current", "{s} = {p} of open work has an owner and a recent update"),
    "Cross-functional Visible": ("{p} links seen both ways", "{s} = {p} of open cross-team dependencies are "
                                 "visible from both sides"),
    "Organizational Visible": ("{p} epics & high priority on goals", "{s} = {p} of open epics and "
                               "high-priority tasks roll up to a goal"),
}


def _percent(value: float) -> str:
    return "<1%" if 0 < value < 0.005 else f"{value:.0%}"


def _measures(diagnosis: Any, elements: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Each level's score as ``(short, sentence)`` saying what it measures, or the NA label."""
    # Each Visibility level has one signal: its value is the share the score is made of.
    values = dict(zip(diagnosis.signals["element"], diagnosis.signals["value"]))
    scores = diagnosis.summary["score"].to_dict()
    out = {}
    for element in elements:
        score, value = scores.get(element), values.get(element)
        if score is None or pd.isna(score) or value is None or pd.isna(value):
            out[element] = ("not measurable", f"{element}: not measurable")
            continue
        short, sentence = MEASURES.get(element, ("", "{s}"))
        words = dict(p=_percent(float(value)), s=f"{float(score):.0f}")
        out[element] = (short.format(**words), f"{element} score " + sentence.format(**words))
    return out


def figure(diagnosis: Any, *, title: str | None = None, height: int = 700) -> go.Figure:
    """Draw open work per level for each kind of work, against the levels that fit that kind.

    One row per kind (all open work first, then :data:`workfw.visibility.KINDS`);
    in each row a bar per level, its height the share of that kind's open
    tasks whose highest level it is.  The levels that fit the kind
    (:data:`workfw.visibility.APPROPRIATE`) are shaded green; bars below them
    are red, above them purple, within them blue.  Major work below its levels
    is marked ▲ under-visible, low-priority chores above theirs ▼ over-exposed.
    Private work is in no export: its column holds the share of finished work
    logged after the fact.  Each level's score is written under its column with
    what it measures, in neutral ink.

    Parameters
    ----------
    diagnosis : workfw.visibility.VisibilityDiagnosis
        A Work Visibility diagnosis (its ``fit`` is :func:`workfw.visibility.fit_by_kind`).
    title : str, optional
        Chart title.
    height : int, default 700
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per level (Private first, hatched), each with one bar per row;
        ``customdata`` per bar is ``[kind, tasks, open, share, fit]``.
    """
    fit = getattr(diagnosis, "fit", None)
    if fit is None:
        raise OptionError("visibility figure: the diagnosis has no 'fit' table of open work per kind. "
                          "Next step: build it with workfw.visibility.diagnose().")
    elements = list(diagnosis.elements)
    rows = ["All open work", *KINDS]
    tops = {kind: (len(rows) - 1 - r) * _ROW for r, kind in enumerate(rows)}
    # Plain records: the explorer redraws on every filter change, and pandas lookups per cell cost more than
    # the drawing.
    cells = {(c["kind"], c["level"]): c for c in fit.to_dict("records")}
    scores = diagnosis.summary["score"].to_dict()
    traces: list[go.BaseTraceType] = [_private_bars(rows, tops)]
    shares = _Shares()
    for column, element in enumerate(elements[1:], start=1):
        traces.append(_level_bars(element, column, [cells.get((k, element)) for k in rows], rows, tops, shares))
    traces.append(shares.trace())
    notes: list[dict[str, Any]] = [_private_words(diagnosis, tops["All open work"])]
    shapes: list[dict[str, Any]] = [dict(type="line", x0=-0.5, x1=len(elements) - 0.5, y0=tops[rows[0]] - _ROW / 2,
                                         y1=tops[rows[0]] - _ROW / 2, line=dict(color="#BBB", width=1))]
    for kind in rows:
        notes.append(_row_words(kind, [cells.get((kind, e)) for e in elements[1:]], tops[kind]))
        if kind in APPROPRIATE:
            low, high = (elements.index(level) for level in APPROPRIATE[kind])
            shapes.append(dict(type="rect", x0=low - 0.5, x1=high + 0.5, y0=tops[kind] - 0.55, y1=tops[kind] + 0.47,
                               fillcolor=_TARGET_FILL, line=dict(width=0), layer="below"))
    bottom = tops[rows[-1]] - 0.6
    for column, (element, (short, sentence)) in enumerate(_measures(diagnosis, elements).items()):
        score = scores.get(element)
        head = "not measurable" if score is None or pd.isna(score) else f"score {float(score):.0f}"
        lines = head if head == "not measurable" else f"{head}<br>{wrap(short, 18)}"
        notes.append(dict(x=column, y=bottom, yanchor="top", showarrow=False, textangle=0,
                          text=(f"<b>{wrap(element, 16)}</b><br><span style='font-size:{LABEL - 3}px;color:#444'>"
                                f"{lines}</span>"),
                          font=dict(size=LABEL - 1, color="#222"), hovertext=escape_text(sentence, limit=200)))
    return build(traces, title=heading(title or "Work Visibility: open work by level and kind",
                                       "share of open work at its highest level; green = the levels that fit the "
                                       "kind"),
                 height=height, margin=dict(t=90, b=10), barmode="overlay", annotations=notes, shapes=shapes,
                 xaxis=dict(range=[-0.5, len(elements) - 0.5], visible=False, fixedrange=True),
                 yaxis=dict(range=[bottom - 1.25, tops[rows[0]] + 0.8], visible=False, fixedrange=True))


class _Shares:
    """The share written over every bar, collected into one text trace (one trace, not an annotation each)."""

    def __init__(self) -> None:
        self.x: list[float] = []
        self.y: list[float] = []
        self.text: list[str] = []
        self.colour: list[str] = []
        self.size: list[int] = []
        self.hover: list[str] = []

    def add(self, x: float, y: float, text: str, colour: str, size: int, hover: str) -> None:
        for bucket, value in ((self.x, x), (self.y, y), (self.text, text), (self.colour, colour),
                              (self.size, size), (self.hover, hover)):
            bucket.append(value)

    def trace(self) -> go.Scatter:
        # Hovering the share shows the same tasks as its bar: a 0% bar has nothing else to hover.
        return go.Scatter(x=self.x, y=self.y, mode="text", name="shares", text=self.text, textposition="top center",
                          textfont=dict(color=self.colour, size=self.size), hovertext=self.hover,
                          hovertemplate="%{hovertext}<extra></extra>", cliponaxis=False)


def _level_bars(element: str, column: int, cells: list[dict | None], rows: Sequence[str], tops: dict[str, float],
                shares: _Shares) -> go.Bar:
    """One level's bars (one per row); the share over each goes to ``shares``."""
    heights, bases, colours, hovers, data = [], [], [], [], []
    for kind, cell in zip(rows, cells):
        cell = cell or {"tasks": 0, "open": 0, "share": np.nan, "fit": "", "under_visible": 0, "over_exposed": 0,
                        "example_ids": [], "example_titles": []}
        share = 0.0 if pd.isna(cell["share"]) else float(cell["share"])
        tasks, total, verdict = int(cell["tasks"]), int(cell["open"]), str(cell["fit"])
        base = tops[kind] - _BASE
        height = share * _TALLEST
        # Marked on the kind's own row; on all open work the same tasks would be marked twice.
        flag = "▲ " if cell["under_visible"] else "▼ " if cell["over_exposed"] else ""
        flag = flag if kind in APPROPRIATE else ""
        hover = _cell_hover(kind, element, cell, share)
        heights.append(height)
        bases.append(base)
        colours.append(_FIT_COLOURS.get(verdict, "#8C8C8C"))
        data.append([kind, tasks, total, share, verdict])
        hovers.append(hover)
        shares.add(column, base + height, f"{flag}{_percent(share)}" if total else "–",
                   _UNDER if flag.startswith("▲") else _OVER if flag else "#222" if tasks else "#999",
                   LABEL - (0 if flag else 1), hover)
    return go.Bar(x=[column] * len(heights), y=heights, base=bases, width=0.6, name=element,
                  marker=dict(color=colours, line=dict(width=0)), customdata=data, hovertext=hovers,
                  hovertemplate="%{hovertext}<extra></extra>", textposition="none")


def _cell_hover(kind: str, element: str, cell: dict, share: float) -> str:
    tasks, total, verdict = int(cell["tasks"]), int(cell["open"]), str(cell["fit"])
    text = (f"<b>{escape_text(kind)} · {escape_text(element)}</b><br>{tasks:,} of {total:,} open tasks "
            f"({_percent(share)}) have this as their highest level")
    if kind in APPROPRIATE:
        low, high = APPROPRIATE[kind]
        where = {"below": "below", "above": "above"}.get(verdict, "within")
        text += (f"<br>{where} the levels that fit {escape_text(kind.lower())}: "
                 f"{escape_text(low)} to {escape_text(high)}")
    if cell["under_visible"]:
        text += f"<br><b>▲ {int(cell['under_visible']):,} under-visible</b> (high priority or blocking others)"
    if cell["over_exposed"]:
        text += f"<br><b>▼ {int(cell['over_exposed']):,} over-exposed</b> (low-priority chores)"
    ids, titles = list(cell["example_ids"]), list(cell["example_titles"])
    if ids:
        text += "<br>" + hover_lines(ids, titles, limit=len(ids))
        if tasks > len(ids):
            text += f"<br>… and {tasks - len(ids):,} more"
    return text


def _row_words(kind: str, cells: list[dict | None], top: float) -> dict[str, Any]:
    """The row's name, its open tasks and how much of it does not fit, over the row's left end."""
    known = [c for c in cells if c is not None]
    total = int(known[0]["open"]) if known else 0
    below = sum(int(c["tasks"]) for c in known if c["fit"] == "below")
    under = sum(int(c["under_visible"]) for c in known)
    over = sum(int(c["over_exposed"]) for c in known)
    text = f"<b>{escape_text(kind)}</b> · " + (f"{total:,} open" if total else "no open tasks")
    if below:
        text += f" · <span style='color:{_UNDER}'>{below:,} below its levels</span>"
    # The fit check's counts on the rows they belong to (on all open work they would repeat them).
    if total and kind == KINDS[0]:
        text += f" · <span style='color:{_UNDER}'>▲ {under:,} under-visible</span>"
    if total and kind == KINDS[2]:
        text += f" · <span style='color:{_OVER}'>▼ {over:,} over-exposed</span>"
    return dict(x=-0.5, y=top + 0.5, xanchor="left", yanchor="bottom", showarrow=False, textangle=0, align="left",
                text=text, font=dict(size=LABEL - 1, color="#222"))


def _private_bars(rows: Sequence[str], tops: dict[str, float]) -> go.Bar:
    """Private work is in no export: a hatched cell in every row, its share of late capture in words."""
    hover = ("<b>Private</b><br>Work only in someone's head is in no export; the share of finished work "
             "logged after the fact stands in for it.<extra></extra>")
    return go.Bar(x=[0] * len(rows), y=[_TALLEST] * len(rows), base=[tops[k] - _BASE for k in rows], width=0.8,
                  name="Private", marker=dict(color="#F4F4F4", line=dict(color="#BBB", width=1),
                                              pattern=dict(shape="/", fgcolor="#BBB", solidity=0.15)),
                  customdata=[[k, None, None, None, "not observable"] for k in rows], hovertemplate=hover,
                  textposition="none")


def _private_words(diagnosis: Any, top: float) -> dict[str, Any]:
    late = dict(zip(diagnosis.signals["element"], diagnosis.signals["value"])).get("Private")
    text = ("not in any<br>export" if late is None or pd.isna(late)
            else f"<b>{_percent(float(late))}</b> of finished<br>work logged late")
    return dict(x=0, y=top - _BASE + _TALLEST / 2, showarrow=False, textangle=0, text=text,
                font=dict(size=LABEL - 3, color="#222"), bgcolor="rgba(255,255,255,0.85)")


def scored_figure(scores: Any = None, *, title: str | None = None, na_label: str = "not answered",
                  target: tuple[str, str] = ("Team Visible", "Organizational Visible"),
                  height: int = 520) -> go.Figure:
    """Draw the staircase from any level scores (perceived, measured), or unscored when ``scores`` is None.

    Steps have equal length (nothing is counted); colour is the score, grey
    where there is none, or each level's own colour when unscored.  The shaded
    zone is where shared work belongs; how high a piece of work should go
    depends on it (:data:`workfw.visibility.APPROPRIATE`), so it is not a
    target for all work.

    Parameters
    ----------
    scores : mapping, Series or DataFrame, optional
        Level -> 0-100; None draws the levels with where the work is seen.
    title : str, optional
        Chart title.
    na_label : str, default "not answered"
        Text for a level without a score (drawn grey, never red).
    target : tuple of str
        First and last level of the shaded zone.
    height : int, default 520
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    values = scores_of(scores, ELEMENTS, where="visibility.scored_figure")
    if values is None:
        text = heading(title or "Work Visibility: five levels",
                       "from private effort to organisation-wide; shaded: where shared work belongs")
    else:
        text = heading(title or "Work Visibility: score per level",
                       f"colour = score, grey = {na_label}; shaded: where shared work belongs")
    return draw(ELEMENTS, values, target=target, title=text, na_label=na_label, height=height)


def draw(elements: Sequence[str], scores: dict[str, float | None] | None, *, target: tuple[str, str], title: str,
         na_label: str, height: int = 520) -> go.Figure:
    """The staircase behind :func:`scored_figure`.

    Every step has the same width and rises one unit to the right; the words
    sit horizontally inside each step and the level names under the steps.
    ``scores`` None draws unscored.  ``title`` is the finished heading (see
    :func:`workfw.diagram.heading`).
    """
    elements = list(elements)
    if target[0] not in elements or target[1] not in elements:
        raise OptionError(f"visibility figure: target={target!r}; expected two of {elements}. "
                          "Next step: pass level names as written there.")
    plain = scores is None
    values = scores or dict.fromkeys(elements)
    # Traces and annotations are handed to plotly once: each add_trace / add_annotation re-validates the figure.
    traces: list[go.Bar] = []
    notes: list[dict[str, Any]] = []
    for i, element in enumerate(elements):
        rank, score = i + 1, values[element]
        score_text = ROLES.get(element, "") if plain else (f"score {score:.0f}" if score is not None else na_label)
        traces.append(go.Bar(
            x=[i], y=[rank], width=[1.0], name=element,
            marker=dict(color=fill(element, score, plain=plain),
                        line=dict(color=ELEMENT_COLOURS.get(element, "#444"), width=2)),
            customdata=[[score, None]], text=[escape_text(f"{element}: {score_text}")], textposition="none",
            hovertemplate=f"<b>{escape_text(element)}</b><br>{escape_text(score_text)}<extra></extra>",
        ))
        words = (wrap(score_text, 15) if plain or score is None  # the NA label only just fits a step in bold
                 else f"<b>{escape_text(score_text)}</b>")
        notes.append(dict(x=i, y=rank, yanchor="top", yshift=-6, showarrow=False, textangle=0, text=words,
                          font=dict(size=LABEL + (0 if plain or score is None else 2),
                                    color=ink(element, score, plain=plain))))
        notes.append(dict(x=i, y=0, yanchor="top", yshift=-4, showarrow=False, textangle=0,
                          text=f"<b>{wrap(element, 16)}</b>", font=dict(size=LABEL - 1, color="#222")))
    low, high = elements.index(target[0]), elements.index(target[1])
    notes.append(dict(x=(low + high) / 2, y=_TOP + 0.45, yanchor="top", showarrow=False, textangle=0,
                      text="routine work from Team Visible, major work higher",
                      font=dict(size=LABEL - 2, color="#2E6B2A")))
    return build(traces, title=title, height=height, margin=dict(t=90, b=10), bargap=0, annotations=notes,
                 shapes=[dict(type="rect", x0=low - 0.5, x1=high + 0.5, y0=0, y1=_TOP + 0.5,
                              fillcolor=_TARGET_FILL, line=dict(width=0), layer="below")],
                 xaxis=dict(range=[-0.52, len(elements) - 0.48], visible=False, fixedrange=True),
                 yaxis=dict(range=[-0.75, _TOP + 0.5], visible=False, fixedrange=True))


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

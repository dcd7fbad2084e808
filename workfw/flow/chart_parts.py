"""The shared look and plumbing of :mod:`workfw.flow.charts`: colours, point limit, layout, hover text, inputs.

Every flow chart takes its colours, the :data:`MAX_POINTS` limit, the house
template and title layout, escaped hover lines and the check of its input
table from here, so the charts stay consistent.  :mod:`workfw.flow.charts`
re-exports the public constants; the helpers are private to it.
"""
from __future__ import annotations

import html
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workfw.errors import SchemaError
from workfw.style import FONT, NA_COLOUR, escape_text, house_figure

__all__ = ["MAX_POINTS", "KIND_COLOURS", "CATEGORY_COLOURS", "LEVEL_COLOURS", "BAND_COLOURS"]

#: Most points (markers or line vertices) a figure may carry.
MAX_POINTS = 50_000

KIND_COLOURS: dict[str, str] = {"person": "#4C78A8", "agent": "#F58518", "(none)": NA_COLOUR}
CATEGORY_COLOURS: dict[str, str] = {"todo": "#BAB0AC", "in_progress": "#4C78A8", "done": "#54A24B",
                                    "cancelled": NA_COLOUR}
#: Percentile lines: the higher the level, the warmer.
LEVEL_COLOURS: tuple[str, ...] = ("#54A24B", "#B8A53A", "#F58518", "#E45756")
#: Aging bands from "below the lowest percentile" to "above the highest".
BAND_COLOURS: tuple[str, ...] = ("#54A24B", "#A6C36F", "#F2CF5B", "#F58518", "#E45756")
_PALETTE = ("#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2", "#FF9DA6", "#9D755D",
            "#EECA3B", "#79706E")


_LEGEND = dict(orientation="h", yanchor="bottom", y=1.0, x=0)


def _figure(traces: Sequence[Any], title: str, xaxis: str, yaxis: str, *, legend: Mapping[str, Any] | None = None,
            x_axis: Mapping[str, Any] | None = None, y_axis: Mapping[str, Any] | None = None,
            **layout: Any) -> go.Figure:
    """A chart in one plotly pass: ``traces`` plus the house template, title, font, legend and axis titles.

    ``legend``, ``x_axis`` and ``y_axis`` hold settings besides the shared
    ones; ``layout`` any other layout setting (shapes, annotations, barmode).
    """
    # One Layout constructor and :func:`workfw.style.house_figure`: adding traces, shapes and annotations one by
    # one to a figure and then update_layout re-checked them all (a third of the charts' time at 25k tasks).
    return house_figure(traces, go.Layout(
        title=dict(text=title), font=FONT, legend=dict(legend or {}, **_LEGEND), margin=dict(t=110),
        xaxis=dict(x_axis or {}, title=dict(text=xaxis)), yaxis=dict(y_axis or {}, title=dict(text=yaxis)),
        **layout))


# Any character :func:`html.escape` changes.
_SPECIAL = "[&<>\"']"


def _escaped(values: Any, *, limit: int) -> pd.Series:
    """:func:`workfw.style.escape_text` of every value, as column operations (one call per value costs seconds)."""
    text = pd.Series(values).astype("string").reset_index(drop=True)
    long = (text.str.len() > limit).fillna(False).to_numpy(dtype=bool)
    if long.any():
        text = text.where(~long, text.str.slice(0, limit - 1) + "…")
    # Few values hold a character to escape: one pass finds them and only those are escaped
    # (five replace passes over every value took a sixth of the charts' time).
    hit = text.str.contains(_SPECIAL, regex=True).fillna(False).to_numpy(dtype=bool)
    if hit.any():
        rows = np.flatnonzero(hit)
        safe = pd.Series([html.escape(v, quote=True) for v in text.iloc[rows]], index=rows, dtype="string")
        text = text.where(~hit, safe)
    return text.fillna("")


def _task_lines(ids: pd.Series, titles: pd.Series) -> pd.Series:
    """``hover_lines([id], [title])`` for each task: ``"id: title"``, both escaped."""
    return _escaped(ids, limit=30) + ": " + _escaped(titles, limit=60)


def _one_decimal(values: pd.Series) -> pd.Series:
    return pd.Series([f"{v:.1f}" for v in values.to_numpy(dtype="float64").tolist()], dtype="string")


def _empty(title: str, message: str) -> go.Figure:
    note = dict(text=escape_text(message, limit=200), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    return _figure([], title, "", "", annotations=[note], x_axis=dict(visible=False), y_axis=dict(visible=False))


def _need(frame: Any, columns: Sequence[str], *, chart: str, make: Any) -> pd.DataFrame:
    """The metric table a chart draws: ``frame`` itself, or ``make(frame)`` for an export."""
    if isinstance(frame, pd.DataFrame) and all(c in frame.columns for c in columns):
        return frame
    if hasattr(frame, "tasks") or (isinstance(frame, pd.DataFrame) and "status_category" in frame.columns):
        return make(frame)
    found = list(frame.columns) if isinstance(frame, pd.DataFrame) else type(frame).__name__
    raise SchemaError(f"{chart}: found {found}; expected a table with columns {list(columns)} or an export. "
                      f"Next step: pass the result of the matching wf.flow function.")


def _colours(values: Iterable[str], column: str | None) -> dict[str, str]:
    keys = list(dict.fromkeys(values))
    if column == "kind":
        return {k: KIND_COLOURS.get(k, NA_COLOUR) for k in keys}
    if column in ("state", "status_category") and all(k in CATEGORY_COLOURS for k in keys):
        return {k: CATEGORY_COLOURS[k] for k in keys}
    named = sorted(k for k in keys if k != "(none)")
    out = {k: _PALETTE[i % len(_PALETTE)] for i, k in enumerate(named)}
    out["(none)"] = NA_COLOUR
    return {k: out[k] for k in keys}


def _naive(values: pd.Series) -> pd.Series:
    values = pd.to_datetime(values)
    return values.dt.tz_convert("UTC").dt.tz_localize(None) if values.dt.tz is not None else values


def _levels_of(pct: Mapping[float, float] | pd.DataFrame) -> list[tuple[float, float]]:
    if isinstance(pct, pd.DataFrame):
        return [(float(lv), float(d)) for lv, d in zip(pct["level"], pct["days"]) if not pd.isna(d)]
    return [(float(lv), float(d)) for lv, d in pct.items() if not pd.isna(d)]


def _group_column(frame: pd.DataFrame, fixed: Sequence[str]) -> str | None:
    extra = [c for c in frame.columns if c not in fixed]
    return extra[0] if extra else None


def _thin(frame: pd.DataFrame, date: str, series: int, heading: str) -> tuple[pd.DataFrame, str]:
    dates = frame[date].drop_duplicates().sort_values()
    step = int(np.ceil(len(dates) * max(series, 1) / MAX_POINTS))
    if step <= 1:
        return frame, heading
    keep = set(dates.iloc[::step])
    return frame[frame[date].isin(keep)], heading + f" (every {step}th date shown)"


def _series(frame: pd.DataFrame, x: str, y: str, by: str | None, heading: str, ytitle: str, *,
            bar: bool) -> go.Figure:
    groups = frame[by].astype("string").fillna("(none)") if by else pd.Series("all", index=frame.index)
    keys = sorted(groups.unique())
    frame, heading = _thin(frame.assign(_group=groups.to_numpy()), x, len(keys), heading)
    colours = _colours(keys, by) if by else {"all": _PALETTE[0]}
    traces = []
    for key in keys:
        part = frame[frame["_group"] == key]
        # The (escaped) name is read by the template rather than pasted in, so a "%{...}" in a team name is inert.
        hover = "%{fullData.name}<br>" if by else ""
        common = dict(x=part[x], y=part[y], name=escape_text(key),
                      hovertemplate=hover + "%{x|%Y-%m-%d}: %{y}<extra></extra>")
        if bar:
            traces.append(go.Bar(marker_color=colours[key], **common))
        else:
            traces.append(go.Scatter(mode="lines", line=dict(shape="hv", color=colours[key], width=2), **common))
    return _figure(traces, heading, "Period starting" if bar else "Date", ytitle, barmode="stack")

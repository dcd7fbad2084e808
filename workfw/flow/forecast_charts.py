"""Plotly charts of the forecasts of issue 15: backlog ranges, epics, service levels and backtests.

Each function takes the DataFrame the matching forecast returns and returns a
``plotly.graph_objects.Figure`` in the house style (:mod:`workfw.style`,
through :mod:`workfw.flow.chart_parts`).  Every chart's subtitle states the
throughput window and the samples the forecast read; a forecast that was not
made (too little history) is drawn as its reason, never as a fan.  Epic
titles and reasons are escaped.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workfw.errors import SchemaError
from workfw.flow.chart_parts import LEVEL_COLOURS, _empty, _escaped, _figure, _naive
from workfw.style import NA_COLOUR, escape_text, score_colour

__all__ = ["forecast_range_chart", "epic_forecast_chart", "service_level_chart", "backtest_chart"]

_HIT, _MISS = "#54A24B", "#E45756"


def _table(frame: Any, columns: tuple[str, ...], *, chart: str, source: str) -> pd.DataFrame:
    if isinstance(frame, pd.DataFrame) and all(c in frame.columns for c in columns):
        return frame
    found = list(frame.columns) if isinstance(frame, pd.DataFrame) else type(frame).__name__
    raise SchemaError(f"{chart}: found {found}; expected the table of wf.flow.{source} (columns {list(columns)}). "
                      f"Next step: pass wf.flow.{source}(data).")


def _reason(frame: pd.DataFrame) -> str | None:
    """The table's reason for not forecasting, when no row has a forecast."""
    reasons = frame["reason"].dropna() if "reason" in frame.columns else pd.Series(dtype="string")
    return str(reasons.iloc[0]) if len(reasons) and len(reasons) == len(frame) else None


def _basis_line(frame: pd.DataFrame, *, cycle_times: bool = False) -> str:
    """The subtitle: which window and how many samples the forecast read."""
    if frame.empty or "window_start" not in frame.columns:
        return ""
    row = frame.iloc[0]
    span = f"{row['window_start']:%Y-%m-%d} to {row['window_end']:%Y-%m-%d}"
    if cycle_times:
        return f"<br><sup>from {int(row['samples']):,} cycle times of tasks finished {span}</sup>"
    return (f"<br><sup>from throughput {span}: {int(row['samples']):,} samples, "
            f"{int(row['completed']):,} tasks finished</sup>")


def forecast_range_chart(forecast: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """A range forecast: a dot per likelihood on a date axis ("when"), or a bar per likelihood ("how many").

    Parameters
    ----------
    forecast : pandas.DataFrame
        Output of :func:`workfw.flow.forecast_when_range` or
        :func:`workfw.flow.forecast_how_many_range`.
    title : str, optional
        Chart title; by default it names the backlog and split rate.

    Returns
    -------
    plotly.graph_objects.Figure
        One trace with a marker (date) or bar (items) per likelihood, or an
        empty chart stating the reason when no forecast was made.
    """
    if not isinstance(forecast, pd.DataFrame) or not ({"date", "items"} & set(forecast.columns)):
        found = list(forecast.columns) if isinstance(forecast, pd.DataFrame) else type(forecast).__name__
        raise SchemaError(f"forecast_range_chart: found {found}; expected the table of wf.flow.forecast_when_range "
                          "or forecast_how_many_range. Next step: pass that result.")
    frame = _table(forecast, ("likelihood", "reason"), chart="forecast_range_chart", source="forecast_when_range")
    attrs = frame.attrs
    low, high = attrs.get("items") or (None, None)
    backlog = "" if low is None else f"{low}" if low == high else f"{low} to {high}"
    split = attrs.get("split_rate") or (0.0, 0.0)
    grows = "" if split == (0.0, 0.0) else (f", each growing by {split[0]:.0%}" if split[0] == split[1]
                                              else f", each growing by {split[0]:.0%} to {split[1]:.0%}")
    labels = [f"{lv:g}%" for lv in frame["likelihood"]]
    colours = [LEVEL_COLOURS[min(i, len(LEVEL_COLOURS) - 1)] for i in range(len(labels))]
    if "items" in frame.columns:
        until = attrs.get("until")
        heading = title or ("How many " + (f"of {backlog} items " if backlog else "items ") + "will be finished"
                            + (f" by {until:%Y-%m-%d}" if until is not None else "") + grows)
        heading += _basis_line(frame)
        reason = _reason(frame)
        if reason or frame.empty:
            return _empty(heading, reason or "No forecast.")
        bars = go.Bar(x=labels, y=frame["items"].astype("float64"), marker_color=colours,
                      text=frame["items"].astype("string"), textposition="outside", name="items",
                      hovertemplate="In %{x} of runs: at least %{y} items<extra></extra>")
        return _figure([bars], heading, "Likelihood", "At least this many items")
    heading = title or (f"When {backlog or 'the'} items will be finished{grows}")
    heading += _basis_line(frame)
    reason = _reason(frame)
    if reason or frame.empty:
        return _empty(heading, reason or "No forecast.")
    dates = pd.to_datetime(frame["date"])
    text = [f"{d:%Y-%m-%d}" if not pd.isna(d) else "not within the horizon" for d in dates]
    dots = go.Scatter(x=dates, y=labels, mode="markers+text", marker=dict(color=colours, size=14), text=text,
                      textposition="middle right", name="date",
                      hovertemplate="In %{y} of runs: by %{x|%Y-%m-%d}<extra></extra>")
    return _figure([dots], heading, "Finished on or before", "Likelihood")


def epic_forecast_chart(epics: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """The chance each open epic is done by the date: one horizontal bar per epic, in rank order.

    Parameters
    ----------
    epics : pandas.DataFrame
        Output of :func:`workfw.flow.epic_forecast`.
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace: x the likelihood (%), coloured red to green; the text
        gives the date at the table's level.  An epic without a forecast
        gets a grey stub and its reason in the hover.
    """
    frame = _table(epics, ("epic_id", "title", "likelihood", "level", "date", "reason"), chart="epic_forecast_chart",
                   source="epic_forecast")
    until = frame.attrs.get("until")
    heading = title or ("Chance each open epic is done" + (f" by {until:%Y-%m-%d}" if until is not None else ""))
    heading += _basis_line(frame)
    if frame.empty:
        return _empty(heading, "No open epic: no task is an epic or the parent of another.")
    reason = _reason(frame)
    if reason and frame["likelihood"].isna().all():
        return _empty(heading, reason)
    # Rank 1 at the top: plotly draws the first category at the bottom.
    shown = frame.iloc[::-1].reset_index(drop=True)
    names = (_escaped(shown["epic_id"], limit=30) + ": " + _escaped(shown["title"], limit=50)).tolist()
    chance = shown["likelihood"].to_numpy(dtype="float64")
    level = float(shown["level"].iloc[0])
    text, hover, colours = [], [], []
    for value, date, left, why in zip(chance, pd.to_datetime(shown["date"]), shown["remaining"], shown["reason"]):
        if np.isnan(value):
            text.append("no forecast")
            hover.append(escape_text(why, limit=200))
            colours.append(NA_COLOUR)
            continue
        when = f"{date:%Y-%m-%d}" if not pd.isna(date) else "not within the horizon"
        text.append(f"{value:.0f}% · {level:g}% by {when}")
        hover.append(f"{value:.0f}% of runs done by the date · {int(left)} items left · {level:g}% by {when}")
        colours.append(score_colour(value))
    bars = go.Bar(x=np.where(np.isnan(chance), 1.0, chance), y=names, orientation="h", marker_color=colours,
                  text=text, textposition="auto", hovertext=hover, hovertemplate="%{y}<br>%{hovertext}<extra></extra>",
                  name="likelihood")
    return _figure([bars], heading, "Chance done by the date (%)", "", x_axis=dict(range=[0, 105]),
                   y_axis=dict(automargin=True))


def service_level_chart(sle: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Service-level expectations as bars (days per level), each labelled with the open work already past it.

    Parameters
    ----------
    sle : pandas.DataFrame
        Output of :func:`workfw.flow.service_level_expectation`.
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace with a bar per level, or an empty chart with the reason.
    """
    frame = _table(sle, ("level", "days", "open_items", "past", "past_share", "reason"), chart="service_level_chart",
                   source="service_level_expectation")
    heading = title or "Service-level expectation: share of finished tasks within N days"
    heading += _basis_line(frame, cycle_times=True)
    reason = _reason(frame)
    if reason or frame.empty:
        return _empty(heading, reason or "No finished task.")
    labels = [f"{lv:g}%" for lv in frame["level"]]
    colours = [LEVEL_COLOURS[min(i, len(LEVEL_COLOURS) - 1)] for i in range(len(labels))]
    text = [f"{d:.1f} d · {int(p)} of {int(n)} open past" for d, p, n in
            zip(frame["days"], frame["past"].fillna(0), frame["open_items"])]
    bars = go.Bar(x=labels, y=frame["days"], marker_color=colours, text=text, textposition="outside", name="days",
                  hovertemplate="%{x} of tasks finished within %{y:.1f} days<extra></extra>")
    return _figure([bars], heading, "Share of tasks", "Finished within (days)")


def backtest_chart(backtest: pd.DataFrame, *, forecast: str = "how many", title: str | None = None) -> go.Figure:
    """Forecasts from past dates against what happened, hits green and misses red.

    Parameters
    ----------
    backtest : pandas.DataFrame
        Output of :func:`workfw.flow.backtest_forecasts`.
    forecast : {"how many", "when"}
        Which forecast to draw: items finished by the horizon, or days to
        finish the backlog (from the origin).
    title : str, optional
        Chart title; by default it states the hit rate.

    Returns
    -------
    plotly.graph_objects.Figure
        A line of the forecasts and one marker trace each for hits, misses
        and outcomes not scored.
    """
    frame = _table(backtest, ("origin", "forecast", "level", "hit", "predicted_items", "actual_items",
                              "predicted_date", "actual_date"), chart="backtest_chart", source="backtest_forecasts")
    if forecast not in ("how many", "when"):
        raise SchemaError(f"backtest_chart: forecast={forecast!r}; expected 'how many' or 'when'. "
                          "Next step: pass forecast='how many'.")
    part = frame[frame["forecast"] == forecast].reset_index(drop=True)
    level = float(part["level"].iloc[0]) if len(part) else 85.0
    scored = part["hit"].notna()
    hits = int(part.loc[scored, "hit"].astype(bool).sum())
    rate = f"{hits} of {int(scored.sum())} came true ({hits / scored.sum():.0%})" if scored.any() else "none scored yet"
    heading = title or f"Backtest of the {level:g}% '{forecast}' forecast: {rate}"
    made = part[part["made"].to_numpy(dtype=bool)] if "made" in part.columns else part
    if len(made):
        # Each forecast read its own window (the weeks before its day): the subtitle gives their range.
        heading += (f"<br><sup>each from the throughput before its day: {int(made['samples'].min()):,} to "
                    f"{int(made['samples'].max()):,} samples, {int(made['completed'].min()):,} to "
                    f"{int(made['completed'].max()):,} tasks finished</sup>")
    if not scored.any():
        why = part["reason"].dropna()
        return _empty(heading, str(why.iloc[0]) if len(why) else "No forecast could be scored.")
    origin = _naive(part["origin"])
    if forecast == "how many":
        predicted = part["predicted_items"].astype("float64")
        actual = part["actual_items"].astype("float64")
        ytitle = "Tasks finished in the horizon"
    else:
        predicted = (_naive(part["predicted_date"]) - origin).dt.days.astype("float64")
        actual = (_naive(part["actual_date"]) - origin).dt.days.astype("float64")
        ytitle = "Days from the origin to finish the backlog"
    as_of = frame.attrs.get("as_of")
    open_miss = part["hit"].eq(False).fillna(False).to_numpy(dtype=bool) & actual.isna().to_numpy()
    traces = [go.Scatter(x=origin, y=predicted, mode="lines+markers", name=f"forecast ({level:g}%)",
                         line=dict(color=NA_COLOUR, width=2), marker=dict(color=NA_COLOUR, size=7),
                         hovertemplate="%{x|%Y-%m-%d}: forecast %{y}<extra></extra>")]
    for name, pick, colour in (("came true", part["hit"].eq(True).fillna(False), _HIT),
                               ("missed", part["hit"].eq(False).fillna(False), _MISS),
                               ("not scored", ~scored, NA_COLOUR)):
        pick = pick.to_numpy(dtype=bool) & actual.notna().to_numpy()
        if pick.any():
            traces.append(go.Scatter(x=origin[pick], y=actual[pick], mode="markers", name=name,
                                     marker=dict(color=colour, size=11, symbol="circle"),
                                     hovertemplate="%{x|%Y-%m-%d}: actual %{y}<extra>" + name + "</extra>"))
    if open_miss.any() and as_of is not None:
        # A backlog still not finished when the data ends is a miss with no finish day: drawn at the data's end,
        # pointing up (it finished later, if at all).
        waited = (pd.Timestamp(as_of) - origin[open_miss]).dt.days.astype("float64")
        traces.append(go.Scatter(x=origin[open_miss], y=waited, mode="markers", name="missed, still not finished",
                                 marker=dict(color=_MISS, size=11, symbol="triangle-up"),
                                 hovertemplate="%{x|%Y-%m-%d}: not finished after %{y} days<extra></extra>"))
    return _figure(traces, heading, "Forecast made on", ytitle)

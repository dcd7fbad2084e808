"""Plotly charts of the flow metrics in :mod:`workfw.flow`.

Each function takes the DataFrame the matching metric returns (or an export,
which is measured first) and returns a ``plotly.graph_objects.Figure``.
Task titles and names are escaped in hover text; no figure carries more than
:data:`MAX_POINTS` points (larger inputs are sampled or thinned, and the title
says so); people and agents, status categories and percentile levels keep
the same colours in every chart.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workfw import flow
# The colours and the point limit live beside the helpers that read them; they stay public here.
from workfw.flow.chart_parts import (BAND_COLOURS, CATEGORY_COLOURS, KIND_COLOURS, LEVEL_COLOURS, MAX_POINTS, _PALETTE,
                                _colours, _empty, _escaped, _figure, _group_column, _levels_of, _naive, _need,
                                _one_decimal, _series, _task_lines, _thin)
from workfw.errors import SchemaError
from workfw.style import escape_text

__all__ = [
    "MAX_POINTS", "KIND_COLOURS", "CATEGORY_COLOURS", "LEVEL_COLOURS", "BAND_COLOURS",
    "cycle_time_scatter", "aging_wip_chart", "throughput_chart", "wip_chart", "cumulative_flow_chart",
    "forecast_chart",
]

_GL_ABOVE = 5_000  # WebGL markers above this many points keep the browser responsive


def _clock_note(frame: pd.DataFrame, *, aging: bool) -> str:
    """A subtitle naming where the clock starts, when the metric was measured with a stage definition (escaped).

    Status names are the export's text, so the whole line is escaped; without a definition in
    ``frame.attrs`` there is nothing to state and the note is empty.
    """
    if "stage_definition" not in frame.attrs:
        return ""
    point = frame.attrs.get("commitment")
    where = f"the commitment point, {point}" if point else "the first committed status (no commitment point)"
    text = f"Age since {where}" if aging else f"Clock from {where}, to the last move into done"
    return "<br><sup>" + escape_text(f"{text} · {frame.attrs['stage_definition']}", limit=400) + "</sup>"


def cycle_time_scatter(cycle: Any, *, percentiles: Iterable[float] = flow.PERCENTILE_LEVELS,
                       color: str | None = "kind", title: str | None = None, max_points: int = MAX_POINTS,
                       seed: int = 0, stages: Any = None, commitment: str | None = None) -> go.Figure:
    """Scatter of completion date against cycle time, with percentile lines.

    Parameters
    ----------
    cycle : pandas.DataFrame or TaskExport
        Output of :func:`workfw.flow.cycle_times` (an export is measured first).
    percentiles : iterable of float
        Levels of the horizontal lines (computed over all tasks, even when
        the markers are sampled).
    color : str or None
        Column to colour by (``"kind"``, ``"team"``, ``"basis"``) or None.
    title : str, optional
        Chart title; a descriptive one by default.
    max_points : int
        Markers above this are sampled at random (``seed``), and the title says so.
    seed : int
        Seed of that sample.
    stages, commitment : optional
        A stage definition (see :func:`workfw.flow.stage_map`) to measure an export with.

    Returns
    -------
    plotly.graph_objects.Figure
        One marker trace per colour group (hover: escaped id, title, days,
        basis) and one line trace per percentile, named ``"85%: 12.0 days"``.
        When the cycle times were measured with a stage definition, a subtitle
        names the commitment point the clock starts at, and the stages.
    """
    frame = _need(cycle, ("completed", "cycle_time_days"), chart="cycle_time_scatter",
                  make=lambda data: flow.cycle_times(data, stages=stages, commitment=commitment))
    points = frame[frame["cycle_time_days"].notna() & frame["completed"].notna()]
    heading = title or f"Cycle time of {len(points):,} finished tasks, by completion date"
    if points.empty:
        return _empty(heading + _clock_note(frame, aging=False), "No finished task has a cycle time yet.")
    pct = flow.percentiles(points, levels=percentiles)
    shown = points
    if len(points) > max_points:
        shown = points.sample(n=max_points, random_state=seed).sort_values("completed", kind="stable")
        heading += f" (random sample of {max_points:,} of {len(points):,} shown)"
    rough = int((points.get("basis", pd.Series(dtype="string")) == "approximate").sum())
    if rough and title is None:
        heading += f"<br><sup>{rough:,} approximate (start inferred or unknown: lead time used)</sup>"
    heading += _clock_note(frame, aging=False)
    group = shown[color].astype("string").fillna("(none)") if color and color in shown.columns \
        else pd.Series("tasks", index=shown.index)
    colours = _colours(sorted(group.unique()), color) if color else {"tasks": _PALETTE[0]}
    marker_type = go.Scattergl if len(shown) > _GL_ABOVE else go.Scatter
    basis = shown["basis"] if "basis" in shown.columns else pd.Series("", index=shown.index)
    hovers = (_task_lines(shown["task_id"], shown.get("title", shown["task_id"])) + "<br>"
              + _one_decimal(shown["cycle_time_days"]) + " days (" + _escaped(basis, limit=80) + ")").to_numpy(
        dtype=object)
    when = _naive(shown["completed"])
    traces = []
    for key in sorted(group.unique()):
        pick = (group == key).to_numpy(dtype=bool)
        # An array, not a list: plotly checks a list item by item (a second per 50k points). Of objects, not
        # fixed-width text, which plotly would copy thrice at the width of the longest line (~30 ms at 30k).
        hover = hovers[pick]
        traces.append(marker_type(x=when[pick], y=shown["cycle_time_days"][pick], mode="markers",
                                  name=escape_text(key), marker=dict(color=colours.get(key, _PALETTE[0]), size=8,
                                                                     opacity=0.75),
                                  hovertext=hover, hovertemplate="%{hovertext}<extra></extra>"))
    x0, x1 = _naive(points["completed"]).min(), _naive(points["completed"]).max()
    notes = []
    for i, (level, days) in enumerate(_levels_of(pct)):
        colour = LEVEL_COLOURS[min(i, len(LEVEL_COLOURS) - 1)]
        traces.append(go.Scatter(x=[x0, x1], y=[days, days], mode="lines", name=f"{level:g}%: {days:.1f} days",
                                 line=dict(color=colour, dash="dash", width=1.5), hoverinfo="name"))
        notes.append(dict(x=x1, y=days, text=f"{level:g}%", showarrow=False, xanchor="left", font=dict(color=colour)))
    return _figure(traces, heading, "Completed", "Cycle time (days)", annotations=notes)


def aging_wip_chart(aging: Any, *, percentiles: Mapping[float, float] | pd.DataFrame | None = None,
                    statuses: Sequence[str] | None = None, title: str | None = None,
                    max_points: int = MAX_POINTS, stages: Any = None, commitment: str | None = None) -> go.Figure:
    """Age of each task in progress, one column per status, over percentile bands.

    Parameters
    ----------
    aging : pandas.DataFrame or TaskExport
        Output of :func:`workfw.flow.aging_wip` (an export is measured first).
    percentiles : mapping or DataFrame, optional
        Level -> days; defaults to ``aging.attrs["percentiles"]``.
    statuses : sequence of str, optional
        Column order (workflow order); by default statuses sorted by name.
    title : str, optional
        Chart title.
    max_points : int
        Tasks above this are sampled (oldest kept first) and the title says so.
    stages, commitment : optional
        A stage definition (see :func:`workfw.flow.stage_map`) to measure an export with.

    Returns
    -------
    plotly.graph_objects.Figure
        One marker trace per percentile band (colours :data:`BAND_COLOURS`),
        shaded bands between the percentile values, hover with escaped id
        and title.  When the ages were measured with a stage definition, a
        subtitle names the commitment point they are counted from, and the stages.
    """
    frame = _need(aging, ("status", "age_days"), chart="aging_wip_chart",
                  make=lambda data: flow.aging_wip(data, stages=stages, commitment=commitment))
    pct = _levels_of(percentiles if percentiles is not None else frame.attrs.get("percentiles", {}))
    as_of = frame.attrs.get("as_of")
    heading = title or ("Age of work in progress" + (f" on {as_of:%Y-%m-%d}" if as_of is not None else "")
                        + " against cycle-time percentiles of finished work")
    points = frame[frame["age_days"].notna()]
    if points.empty:
        return _empty(heading + _clock_note(frame, aging=True), "No task is in progress.")
    if len(points) > max_points:
        points = points.nlargest(max_points, "age_days")
        heading += f" (oldest {max_points:,} of {len(frame):,} shown)"
    heading += _clock_note(frame, aging=True)
    names = points["status"].astype("string").fillna("(none)")
    order = list(statuses) if statuses else sorted(names.unique())
    order += [s for s in sorted(names.unique()) if s not in order]
    column = names.map({s: i for i, s in enumerate(order)}).astype(float)
    # Spread tasks of one column sideways so equal ages stay visible.
    rank = points.groupby(names.to_numpy()).cumcount().to_numpy()
    x = column.to_numpy() + ((rank % 9) - 4) * 0.05
    top = max(points["age_days"].max(), pct[-1][1] if pct else 0) * 1.1 + 0.5
    bounds = [0.0] + [d for _, d in pct] + [top]
    labels = flow.band_labels([lv for lv, _ in pct]) if pct else ["age"]
    who = points["assignee"].reset_index(drop=True)
    hovers = (_task_lines(points["task_id"], points["title"]) + "<br>" + _one_decimal(points["age_days"])
              + " days old · " + _escaped(points["status"], limit=80)
              + (" · " + _escaped(who, limit=80)).where(who.notna().to_numpy(dtype=bool), "")).to_numpy(dtype=object)
    band = points["percentile_band"].astype("string") if pct else None
    traces, shapes = [], []
    for i, label in enumerate(labels):
        colour = BAND_COLOURS[min(i, len(BAND_COLOURS) - 1)] if pct else _PALETTE[0]
        if pct:
            # What fig.add_hrect adds, without its per-shape pass over the figure's axes.
            shapes.append(dict(type="rect", x0=0, x1=1, xref="x domain", y0=bounds[i], y1=bounds[i + 1],
                               yref="y", fillcolor=colour, opacity=0.12, line=dict(width=0), layer="below"))
        pick = (band == label).fillna(False).to_numpy(dtype=bool) if pct else np.ones(len(points), dtype=bool)
        if not pick.any():
            continue
        traces.append(go.Scatter(x=x[pick], y=points["age_days"][pick], mode="markers", name=label,
                                 marker=dict(color=colour, size=10, line=dict(color="white", width=1)),
                                 hovertext=hovers[pick], hovertemplate="%{hovertext}<extra></extra>"))
    notes = [dict(x=len(order) - 0.5, y=days, text=f"{level:g}%: {days:.1f} d", showarrow=False, xanchor="left",
                  font=dict(size=12)) for level, days in pct]
    ticks = dict(tickvals=list(range(len(order))), ticktext=[escape_text(s) for s in order],
                 range=[-0.6, len(order) - 0.4])
    return _figure(traces, heading, "Status", "Age (days since start)", x_axis=ticks, shapes=shapes,
                   annotations=notes)


def throughput_chart(tp: Any, *, title: str | None = None) -> go.Figure:
    """Finished tasks per period as bars, stacked by group when the table has one.

    Parameters
    ----------
    tp : pandas.DataFrame or TaskExport
        Output of :func:`workfw.flow.throughput`.
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per group (or one trace), ``y`` holding the counts.
    """
    frame = _need(tp, ("period", "count"), chart="throughput_chart", make=flow.throughput)
    by = _group_column(frame, ("period", "count"))
    heading = title or "Finished tasks per period" + (f" by {by}" if by else "")
    if frame.empty:
        return _empty(heading, "No task is finished yet.")
    return _series(frame, "period", "count", by, heading, "Finished tasks", bar=True)


def wip_chart(w: Any, *, title: str | None = None) -> go.Figure:
    """Work in progress over time as a step line per group.

    Parameters
    ----------
    w : pandas.DataFrame or TaskExport
        Output of :func:`workfw.flow.wip`.
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    frame = _need(w, ("date", "wip"), chart="wip_chart", make=flow.wip)
    by = _group_column(frame, ("date", "wip"))
    heading = title or "Tasks in progress at the end of each period" + (f" by {by}" if by else "")
    if frame.empty:
        return _empty(heading, "No task has ever been in progress.")
    return _series(frame, "date", "wip", by, heading, "Tasks in progress", bar=False)


def cumulative_flow_chart(cfd: Any, *, include_cancelled: bool = False, title: str | None = None) -> go.Figure:
    """Cumulative flow diagram: stacked areas in workflow order, finished work at the bottom.

    Parameters
    ----------
    cfd : pandas.DataFrame or TaskExport
        Output of :func:`workfw.flow.cumulative_flow` (a ``by`` column is
        summed over).
    include_cancelled : bool
        Draw the cancelled band too (left out by default: it is not flow).
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
        One area trace per state, ``y`` holding the counts per date.
    """
    frame = _need(cfd, ("date", "state", "count"), chart="cumulative_flow_chart", make=flow.cumulative_flow)
    order = list(frame.attrs.get("order") or list(dict.fromkeys(frame["state"])))
    if not include_cancelled:
        order = [s for s in order if s != "cancelled"]
    basis = frame.attrs.get("basis")
    heading = title or "Cumulative flow: tasks in each state per date" + (
        f"<br><sup>from {basis}</sup>" if basis else "")
    totals = frame.groupby(["date", "state"], as_index=False)["count"].sum()
    totals = totals[totals["state"].isin(order)]
    if totals.empty:
        return _empty(heading, "No task has a date to place it in the flow.")
    totals, heading = _thin(totals, "date", len(order), heading)
    colours = _colours(order, "state")
    traces = []
    for state in reversed(order):
        part = totals[totals["state"] == state].sort_values("date")
        name = escape_text(state)
        traces.append(go.Scatter(x=part["date"], y=part["count"], name=name, mode="lines", stackgroup="flow",
                                 line=dict(width=0.5, color=colours[state]), fillcolor=colours[state],
                                 hovertemplate="%{fullData.name}<br>%{x|%Y-%m-%d}: %{y}<extra></extra>"))
    return _figure(traces, heading, "Date", "Tasks", legend=dict(traceorder="reversed"))


def forecast_chart(forecast: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """A Monte Carlo forecast: bars of items per likelihood, or a dot per likelihood on a date axis.

    Parameters
    ----------
    forecast : pandas.DataFrame
        Output of :func:`workfw.flow.forecast_how_many` or
        :func:`workfw.flow.forecast_when`.
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
        One trace with one bar (items) or dot (date) per likelihood.
    """
    if not isinstance(forecast, pd.DataFrame) or "likelihood" not in forecast.columns or not (
            {"items", "date"} & set(forecast.columns)):
        raise SchemaError("forecast_chart: expected the table of wf.flow.forecast_how_many or forecast_when "
                          "(columns likelihood and items, or likelihood and date). Next step: pass that result.")
    attrs = forecast.attrs
    labels = [f"{lv:g}%" for lv in forecast["likelihood"]]
    colours = [LEVEL_COLOURS[min(i, len(LEVEL_COLOURS) - 1)] for i in range(len(labels))]
    if "items" in forecast.columns:
        until = attrs.get("until")
        heading = title or ("How many tasks will be finished" + (f" by {until:%Y-%m-%d}" if until is not None else ""))
        if forecast.empty:
            return _empty(heading, attrs.get("reason", "No forecast."))
        bars = go.Bar(x=labels, y=forecast["items"], marker_color=colours, text=forecast["items"],
                      textposition="outside", name="items",
                      hovertemplate="In %{x} of runs: at least %{y} tasks<extra></extra>")
        return _figure([bars], heading, "Likelihood", "At least this many tasks")
    items = attrs.get("items")
    heading = title or (f"When {items} more tasks will be finished" if items else "When the work will be finished")
    if forecast.empty:
        return _empty(heading, attrs.get("reason", "No forecast."))
    dates = pd.to_datetime(forecast["date"])
    text = [f"{d:%Y-%m-%d}" if not pd.isna(d) else "not within the horizon" for d in dates]
    dots = go.Scatter(x=dates, y=labels, mode="markers+text", marker=dict(color=colours, size=14),
                      text=text, textposition="middle right", name="date",
                      hovertemplate="In %{y} of runs: by %{x|%Y-%m-%d}<extra></extra>")
    return _figure([dots], heading, "Finished on or before", "Likelihood")

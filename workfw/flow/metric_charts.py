"""Charts of the stage-based flow metrics: one function per metric of stages, trends and sprints.

Each function takes the DataFrame its metric returns (or an export, measured first with the
default options) and returns a ``plotly.graph_objects.Figure`` in the house style.  Every subtitle
states the stage definition the numbers were measured with (``attrs["stage_definition"]``), task
titles and names are escaped, and no figure carries more than :data:`MAX_POINTS` points.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workfw.errors import OptionError
from workfw.style import NA_COLOUR, escape_text
from workfw.flow.chart_parts import (LEVEL_COLOURS, MAX_POINTS, _PALETTE, _empty, _figure, _levels_of, _naive, _need,
                                     _one_decimal, _task_lines)
from workfw.flow.sprints import sprint_completion, velocity
from workfw.flow.stages import _efficiency_by_period, flow_efficiency, stage_map, time_in_stage, \
    time_in_stage_percentiles
from workfw.flow import times as _times
from workfw.flow.times import PERCENTILE_LEVELS, _periods, cycle_times
from workfw.flow.trends import age_run, blocked_stalled, burn_up, net_flow

__all__ = ["STAGE_COLOURS", "time_in_stage_chart", "flow_efficiency_chart", "cycle_time_histogram", "net_flow_chart",
           "burn_up_chart", "age_run_chart", "blocked_stalled_chart", "velocity_chart", "sprint_completion_chart"]

#: One colour per stage (and per blocked/stalled/moving state), the same in every chart.
STAGE_COLOURS: dict[str, str] = {"before commitment": "#BAB0AC", "active": "#4C78A8", "waiting": "#F58518",
                                 "done": "#54A24B", "cancelled": NA_COLOUR, "blocked": "#E45756",
                                 "stalled": "#F2CF5B", "moving": "#4C78A8"}


def _titled(heading: str, frame: pd.DataFrame, extra: str = "") -> str:
    """``heading`` with a subtitle naming the stage definition (escaped: status names are the export's text)."""
    note = frame.attrs.get("stage_definition", "")
    lines = " · ".join(part for part in (escape_text(note, limit=300), escape_text(extra, limit=200)) if part)
    return heading + (f"<br><sup>{lines}</sup>" if lines else "")


def _nothing(heading: str, frame: pd.DataFrame, default: str) -> go.Figure:
    return _empty(_titled(heading, frame), frame.attrs.get("reason", default))


# --------------------------------------------------------------------------- stages

def time_in_stage_chart(tis: Any, *, levels: Iterable[float] = PERCENTILE_LEVELS, outcome: str = "done",
                        title: str | None = None) -> go.Figure:
    """Percentiles of the days spent in each stage, one bar per stage and level.

    Parameters
    ----------
    tis : pandas.DataFrame or TaskExport
        Output of :func:`workfw.flow.time_in_stage` (an export is measured first).
    levels : iterable of float
        Percentile levels.
    outcome : str
        Which tasks (see :func:`workfw.flow.time_in_stage_percentiles`).
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per level (``"85%"``), ``x`` the stages, ``y`` the days.
    """
    frame = _need(tis, ("stage", "days", "outcome"), chart="time_in_stage_chart", make=time_in_stage)
    pct = time_in_stage_percentiles(frame, levels=levels, outcome=outcome)
    n = int(pct["n"].max()) if len(pct) else 0
    heading = title or f"Days in each stage, percentiles of {n:,} {'' if outcome == 'all' else outcome + ' '}tasks"
    if frame.empty or n == 0:
        return _nothing(heading, frame, "No task with status history has that outcome yet.")
    traces = []
    for i, (level, part) in enumerate(pct.groupby("level", sort=True)):
        traces.append(go.Bar(x=part["stage"], y=part["days"], name=f"{level:g}%",
                             marker_color=LEVEL_COLOURS[min(i, len(LEVEL_COLOURS) - 1)],
                             text=_one_decimal(part["days"]), textposition="outside",
                             hovertemplate=f"{level:g}% of tasks: at most %{{y:.1f}} days in %{{x}}<extra></extra>"))
    return _figure(traces, _titled(heading, frame), "Stage", "Days", barmode="group")


def flow_efficiency_chart(fe: Any, *, freq: str = "W", title: str | None = None,
                          max_points: int = MAX_POINTS) -> go.Figure:
    """Flow efficiency of each finished task, and pooled per period.

    Parameters
    ----------
    fe : pandas.DataFrame or TaskExport
        Output of :func:`workfw.flow.flow_efficiency`, per task (markers and a pooled line) or per
        period (the line alone).
    freq : str
        Period of the pooled line when ``fe`` is per task.
    title : str, optional
        Chart title.
    max_points : int
        Task markers above this are left out (the newest kept) and the title says so.

    Returns
    -------
    plotly.graph_objects.Figure
        A marker trace ``"tasks"`` (percent, hover with escaped id and title) when per task, and a
        line ``"pooled per period"``.
    """
    frame = _need(fe, ("flow_efficiency",), chart="flow_efficiency_chart", make=flow_efficiency)
    heading = title or "Flow efficiency: active time over active and waiting time, commitment to done"
    if frame.empty:
        return _nothing(heading, frame, "No finished task has status history.")
    traces = []
    if "task_id" in frame.columns:
        shown = frame[frame["flow_efficiency"].notna()]
        if len(shown) > max_points:
            shown = shown.tail(max_points)
            heading += f" (newest {max_points:,} tasks shown)"
        hover = (_task_lines(shown["task_id"], shown["title"]) + "<br>" + _one_decimal(shown["active_days"])
                 + " active, " + _one_decimal(shown["waiting_days"]) + " waiting days").to_numpy(dtype=object)
        traces.append(go.Scatter(x=_naive(shown["finished"]), y=shown["flow_efficiency"].astype(float) * 100,
                                 mode="markers", name="tasks", marker=dict(color=_PALETTE[0], size=7, opacity=0.5),
                                 hovertext=hover, hovertemplate="%{hovertext}<br>%{y:.0f}%<extra></extra>"))
        pooled = _efficiency_by_period(frame, _periods(freq))
    else:
        pooled = frame
    pooled = pooled[pooled["flow_efficiency"].notna()]
    traces.append(go.Scatter(x=pooled["period"], y=pooled["flow_efficiency"].astype(float) * 100,
                             mode="lines+markers", name="pooled per period",
                             line=dict(color=STAGE_COLOURS["waiting"], width=2), customdata=pooled["tasks"],
                             hovertemplate="%{x|%Y-%m-%d}: %{y:.0f}% over %{customdata} tasks<extra></extra>"))
    return _figure(traces, _titled(heading, frame), "Finished", "Flow efficiency (%)",
                   y_axis=dict(range=[0, 105]))


def cycle_time_histogram(cycle: Any, *, percentiles: Iterable[float] = PERCENTILE_LEVELS, bin_days: float = 1.0,
                         stages: Any = None, commitment: str | None = None, title: str | None = None) -> go.Figure:
    """How many finished tasks took how long: a histogram of cycle times with percentile lines.

    Parameters
    ----------
    cycle : pandas.DataFrame or TaskExport
        Output of :func:`workfw.flow.cycle_times`, or an export: it is then measured from the
        commitment point of its stage map (``cycle_times(stages=...)``: the first move into an
        active or waiting status of that definition) to the last move into done.
    percentiles : iterable of float
        Levels of the vertical lines.
    bin_days : float
        Width of a bar in days.
    stages, commitment : optional
        The stage definition, when ``cycle`` is an export (see :func:`workfw.flow.stage_map`).
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace ``"tasks"`` and one line per percentile, named ``"85%: 12.0 days"``.
    """
    if not (isinstance(bin_days, (int, float)) and not isinstance(bin_days, bool) and bin_days > 0):
        raise OptionError(f"bin_days={bin_days!r}; expected a width in days above 0, such as 1. "
                          "Next step: pass bin_days=1.")
    if isinstance(cycle, pd.DataFrame) and "cycle_time_days" in cycle.columns:
        frame = cycle
        clock = "" if "stage_definition" in frame.attrs else ("clock as cycle_times measured it (by default first "
                                                              "in-progress move to last move into done)")
    else:
        smap = stages if isinstance(stages, pd.DataFrame) else stage_map(cycle, stages=stages, commitment=commitment)
        point = smap.attrs.get("commitment")
        frame = cycle_times(cycle, stages=smap)
        clock = f"clock from {point or 'the first committed status'} to the last move into done"
    values = frame["cycle_time_days"].dropna()
    heading = title or f"Cycle time of {len(values):,} finished tasks"
    if values.empty:
        return _empty(_titled(heading, frame, clock), "No finished task has a cycle time yet.")
    edges = np.arange(0, values.max() + bin_days, bin_days)
    counts, edges = np.histogram(values, bins=np.append(edges, edges[-1] + bin_days))
    traces = [go.Bar(x=edges[:-1] + bin_days / 2, y=counts, width=bin_days * 0.9, name="tasks",
                     marker_color=_PALETTE[0], customdata=np.stack([edges[:-1], edges[1:]], axis=1),
                     hovertemplate="%{customdata[0]:g}-%{customdata[1]:g} days: %{y} tasks<extra></extra>")]
    top = max(int(counts.max()), 1)
    notes = []
    for i, (level, days) in enumerate(_levels_of(_times.percentiles(frame, levels=percentiles))):
        colour = LEVEL_COLOURS[min(i, len(LEVEL_COLOURS) - 1)]
        traces.append(go.Scatter(x=[days, days], y=[0, top * 1.05], mode="lines", name=f"{level:g}%: {days:.1f} days",
                                 line=dict(color=colour, dash="dash", width=1.5), hoverinfo="name"))
        notes.append(dict(x=days, y=top * 1.08, text=f"{level:g}%", showarrow=False, font=dict(color=colour)))
    return _figure(traces, _titled(heading, frame, clock), "Cycle time (days)", "Finished tasks", annotations=notes)


# --------------------------------------------------------------------------- trends

def net_flow_chart(nf: Any, *, title: str | None = None) -> go.Figure:
    """Arrivals up, departures down and net flow as a line, per period.

    Parameters
    ----------
    nf : pandas.DataFrame or TaskExport
        Output of :func:`workfw.flow.net_flow`.
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
        Bar traces ``"arrivals"`` and ``"departures"`` (drawn below zero) and a line ``"net flow"``.
    """
    frame = _need(nf, ("period", "arrivals", "departures", "net_flow"), chart="net_flow_chart", make=net_flow)
    heading = title or "Net flow: work arriving at the commitment point against work leaving"
    if frame.empty:
        return _nothing(heading, frame, "No task ever crossed the commitment point.")
    traces = [
        go.Bar(x=frame["period"], y=frame["arrivals"], name="arrivals", marker_color=STAGE_COLOURS["active"],
               hovertemplate="%{x|%Y-%m-%d}: %{y} arrived<extra></extra>"),
        go.Bar(x=frame["period"], y=-frame["departures"], name="departures", marker_color=STAGE_COLOURS["done"],
               customdata=frame["departures"], hovertemplate="%{x|%Y-%m-%d}: %{customdata} left<extra></extra>"),
        go.Scatter(x=frame["period"], y=frame["net_flow"], name="net flow", mode="lines+markers",
                   line=dict(color="#111", width=2), hovertemplate="%{x|%Y-%m-%d}: net %{y}<extra></extra>"),
    ]
    return _figure(traces, _titled(heading, frame), "Period starting", "Tasks", barmode="relative")


def burn_up_chart(bu: Any, *, top: int = 6, title: str | None = None) -> go.Figure:
    """Scope (dashed) against done (solid) over time, one colour per epic or project.

    Parameters
    ----------
    bu : pandas.DataFrame or TaskExport
        Output of :func:`workfw.flow.burn_up`.
    top : int
        Draw the groups with the most open work at the last date, at most this many (the title says
        how many are left out).
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
        Two line traces per group, named ``"<name>: scope"`` and ``"<name>: done"`` (escaped).
    """
    frame = _need(bu, ("date", "name", "scope", "done"), chart="burn_up_chart", make=burn_up)
    by = frame.attrs.get("by") or next((c for c in ("epic", "project") if c in frame.columns), "group")
    heading = title or f"Burn-up: scope against done work by {by}"
    if frame.empty:
        return _nothing(heading, frame, f"No work item has a {by}.")
    last = frame[frame["date"] == frame["date"].max()]
    ranked = last.assign(left=last["scope"] - last["done"]).sort_values(["left", "scope", by],
                                                                        ascending=[False, False, True])
    keep = list(ranked[by].head(max(int(top), 1)))
    if len(ranked) > len(keep):
        heading += f" (the {len(keep)} with most open work of {len(ranked)})"
    traces = []
    for i, key in enumerate(keep):
        part = frame[frame[by] == key]
        name, colour = escape_text(part["name"].iloc[0], limit=40), _PALETTE[i % len(_PALETTE)]
        for measure, dash in (("scope", "dash"), ("done", "solid")):
            traces.append(go.Scatter(x=part["date"], y=part[measure], mode="lines", name=f"{name}: {measure}",
                                     line=dict(color=colour, dash=dash, shape="hv", width=2),
                                     hovertemplate="%{fullData.name}<br>%{x|%Y-%m-%d}: %{y}<extra></extra>"))
    return _figure(traces, _titled(heading, frame), "Period starting", "Work items")


def age_run_chart(ar: Any, *, title: str | None = None, max_points: int = MAX_POINTS, seed: int = 0) -> go.Figure:
    """The age of every item in progress at each period's end, with the median age as a line.

    Parameters
    ----------
    ar : pandas.DataFrame or TaskExport
        Output of :func:`workfw.flow.age_run`.
    title : str, optional
        Chart title.
    max_points : int
        Markers above this are sampled at random (``seed``) and the title says so; the median
        line uses every item.
    seed : int
        Seed of that sample.

    Returns
    -------
    plotly.graph_objects.Figure
        One marker trace per stage (active, waiting; hover with escaped id and title) and a line
        ``"median age"``.
    """
    frame = _need(ar, ("date", "task_id", "age_days"), chart="age_run_chart", make=age_run)
    heading = title or "Work item age: how old each item in progress was at the end of each period"
    if frame.empty:
        return _nothing(heading, frame, "No task was ever in progress.")
    shown = frame
    if len(frame) > max_points:
        shown = frame.sample(n=max_points, random_state=seed).sort_values("date", kind="stable")
        heading += f" (random sample of {max_points:,} of {len(frame):,} points shown)"
    traces = []
    for stage in ("active", "waiting"):
        part = shown[shown["stage"] == stage]
        if part.empty:
            continue
        hover = (_task_lines(part["task_id"], part["title"]) + "<br>" + _one_decimal(part["age_days"]) + " days old"
                 ).to_numpy(dtype=object)
        traces.append(go.Scatter(x=part["date"], y=part["age_days"], mode="markers", name=stage,
                                 marker=dict(color=STAGE_COLOURS[stage], size=6, opacity=0.5),
                                 hovertext=hover, hovertemplate="%{hovertext}<extra></extra>"))
    median = frame.groupby("date")["age_days"].median()
    traces.append(go.Scatter(x=median.index, y=median.to_numpy(), mode="lines", name="median age",
                             line=dict(color="#111", width=2),
                             hovertemplate="%{x|%Y-%m-%d}: median %{y:.1f} days<extra></extra>"))
    return _figure(traces, _titled(heading, frame), "Period starting", "Age (days since commitment)")


def blocked_stalled_chart(bs: Any, *, title: str | None = None) -> go.Figure:
    """Work in progress per date as stacked areas: blocked, stalled and moving.

    Parameters
    ----------
    bs : pandas.DataFrame or TaskExport
        Output of :func:`workfw.flow.blocked_stalled`.
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
        One area trace per state, blocked at the bottom.
    """
    frame = _need(bs, ("date", "state", "count"), chart="blocked_stalled_chart", make=blocked_stalled)
    days = frame.attrs.get("stalled_days")
    heading = title or "Blocked and stalled work in progress"
    extra = f"stalled: no activity for {days:g} days or more" if days else ""
    if frame.empty:
        return _empty(_titled(heading, frame, extra), frame.attrs.get("reason", "No task was ever in progress."))
    traces = []
    for state in ("blocked", "stalled", "moving"):
        part = frame[frame["state"] == state]
        traces.append(go.Scatter(x=part["date"], y=part["count"], name=state, mode="lines", stackgroup="wip",
                                 line=dict(width=0.5, color=STAGE_COLOURS[state]), fillcolor=STAGE_COLOURS[state],
                                 hovertemplate="%{fullData.name}<br>%{x|%Y-%m-%d}: %{y}<extra></extra>"))
    return _figure(traces, _titled(heading, frame, extra), "Date", "Tasks in progress")


# --------------------------------------------------------------------------- sprints

def _sprint_labels(frame: pd.DataFrame) -> list[str]:
    """Escaped bar labels: the sprint, or ``team · sprint`` for a table by team (project), where two teams' "Sprint
    1" are two bars, not one category drawn twice."""
    group = next((c for c in ("team", "project") if c in frame.columns), None)
    if group is None:
        return [escape_text(s, limit=40) for s in frame["iteration"]]
    return [f"{escape_text(g, limit=30)} · {escape_text(s, limit=40)}" for g, s in zip(frame[group],
                                                                                      frame["iteration"])]


def velocity_chart(v: Any, *, measure: str = "items", title: str | None = None) -> go.Figure:
    """Done work per sprint as bars, in time order.

    Parameters
    ----------
    v : pandas.DataFrame or TaskExport
        Output of :func:`workfw.flow.velocity`.
    measure : str
        ``"items"`` or ``"points"`` (not measurable without estimates: the figure says so).
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace, ``x`` the sprints (escaped; ``team · sprint`` for a table by team or project),
        ``y`` the items or points done.
    """
    if measure not in ("items", "points"):
        raise OptionError(f"measure={measure!r}; expected 'items' or 'points'. Next step: pass measure='items'.")
    frame = _need(v, ("iteration", "items_done", "points_done"), chart="velocity_chart", make=velocity)
    column = f"{measure}_done"
    heading = title or f"Velocity: {measure} done per sprint"
    if frame.empty:
        return _nothing(heading, frame, "No work item has an iteration.")
    if frame[column].isna().all():
        return _empty(_titled(heading, frame), frame.attrs.get("points_reason", "No estimates."))
    bars = go.Bar(x=_sprint_labels(frame), y=frame[column].astype(float),
                  name=measure, marker_color=STAGE_COLOURS["done"],
                  hovertemplate=f"%{{x}}: %{{y:g}} {measure} done<extra></extra>")
    return _figure([bars], _titled(heading, frame, "done by the date of the export; sprints by their current items"),
                   "Sprint", f"{measure.capitalize()} done")


def sprint_completion_chart(sc: Any, *, title: str | None = None) -> go.Figure:
    """The completed share of each sprint's committed scope, as bars labelled ``done/committed``.

    Parameters
    ----------
    sc : pandas.DataFrame or TaskExport
        Output of :func:`workfw.flow.sprint_completion`.
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace, ``x`` the sprints (as in :func:`velocity_chart`), ``y`` the percent done.
    """
    frame = _need(sc, ("iteration", "committed", "done", "completed_share"), chart="sprint_completion_chart",
                  make=sprint_completion)
    heading = title or "Sprint completion: share of each sprint's committed items done"
    if frame.empty:
        return _nothing(heading, frame, "No work item has an iteration.")
    share = frame["completed_share"].astype(float) * 100
    labels = [f"{d}/{c}" for d, c in zip(frame["done"], frame["committed"])]
    bars = go.Bar(x=_sprint_labels(frame), y=share, name="completed",
                  marker_color=STAGE_COLOURS["done"], text=labels, textposition="outside",
                  hovertemplate="%{x}: %{y:.0f}% done (%{text})<extra></extra>")
    return _figure([bars], _titled(heading, frame, frame.attrs.get("scope", "")), "Sprint", "Committed items done (%)",
                   y_axis=dict(range=[0, 110]))

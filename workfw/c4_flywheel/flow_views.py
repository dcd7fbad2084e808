"""The C4 Flywheel's Completion charts and the WIP-limit what-if (Little's law + Monte Carlo)."""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from workfw import flow
from workfw.flow import charts as flow_charts
from workfw.charts import message_figure
from workfw.core import prepare
from workfw.errors import OptionError, WorkfwError
from workfw.export import ImportReport, TaskExport
from workfw.style import FONT, escape_text, use_template

__all__ = ["flow_figures", "wip_what_if", "wip_what_if_figure"]

_SCENARIO_COLOURS = {"today": "#9D9DA1", "WIP limit": "#4C78A8"}


def _safe(title: str, make: Any) -> go.Figure:
    """Draw a chart, or say why it cannot be drawn for this selection (a user's data, not a bug)."""
    try:
        return make()
    except WorkfwError as exc:
        return message_figure(title, str(exc))


def _selection(data: Any, *, as_of: Any, **options: Any) -> tuple[TaskExport, pd.Timestamp]:
    """The tasks and history a diagnosis with ``options`` sees, and its reference time.

    Like :func:`workfw.charts.filtered` without the raw rows, which no flow
    metric reads (filtering a wide raw table costs a fifth of a second per 100k rows).
    """
    ctx = prepare(data, as_of=as_of, **options)
    report = getattr(data, "report", None) or ImportReport(source="table", file="(table)", rows_read=len(ctx.tasks))
    return TaskExport(tasks=ctx.tasks, events=ctx.events, raw=pd.DataFrame({"task_id": ctx.tasks["task_id"]}),
                      report=report), ctx.as_of


def flow_figures(data: Any, *, as_of: Any = None, horizon_days: int = 28, runs: int = 10_000,
                 **options: Any) -> list[go.Figure]:
    """Completion's flow charts on the data a diagnosis with ``options`` sees.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the selection.
    horizon_days : int, default 28
        How far ahead the throughput forecast looks.
    runs : int, default 10000
        Monte Carlo runs of the forecast (seeded, so charts are reproducible).
    **options
        The common options of :data:`workfw.core.DEFAULTS` (``team``, ``window``, ``actors``...).

    Returns
    -------
    list of plotly.graph_objects.Figure
        Cycle-time scatter with percentiles, aging WIP, weekly throughput and
        "how many in the next ``horizon_days`` days"; a chart the selection cannot
        support says why instead.
    """
    sub, stamp = _selection(data, as_of=as_of, **options)
    if sub.tasks.empty:
        return [message_figure("Flow charts", "No task matches the current filters.")]
    # Built once and shared: aging WIP, throughput and the forecast would each rebuild it.
    cycles = flow.cycle_times(sub)
    cycle = cycles[cycles["completed"] <= stamp]
    out = [
        _safe("Cycle time", lambda: flow_charts.cycle_time_scatter(cycle, color="kind")),
        _safe("Aging work in progress", lambda: flow_charts.aging_wip_chart(
            flow.aging_wip(sub, as_of=stamp, cycles=cycles))),
    ]

    def throughput() -> go.Figure:
        weekly = flow.throughput(sub, freq="W", by="kind", cycles=cycles)
        if len(weekly):
            weekly = weekly[pd.to_datetime(weekly["period"]) <= stamp.tz_convert(None)]
        return flow_charts.throughput_chart(weekly,
                                            title="Finished tasks per week, people and agents")

    out.append(_safe("Throughput", throughput))
    until = stamp + pd.Timedelta(days=int(horizon_days))
    out.append(_safe("Forecast", lambda: flow_charts.forecast_chart(
        flow.forecast_how_many(sub, until=until, as_of=stamp, runs=runs, seed=0, cycles=cycles),
        title=f"How many tasks will be finished in the next {int(horizon_days)} days (Monte Carlo)")))
    return out


def _scenario(name: str, wip: int, *, throughput: float, wip_now: int, floor: float) -> dict[str, Any]:
    """Throughput and Little's-law cycle time at a WIP level.

    Raising WIP above today's is assumed not to raise throughput (people are
    already busy), so it only lengthens cycle time.  Lowering it keeps
    throughput until each item would have to finish faster than ``floor`` days
    (a low percentile of today's cycle times); below that, throughput falls.
    """
    if wip <= 0:
        return {"scenario": name, "wip": wip, "throughput_per_week": 0.0, "cycle_time_days": np.nan}
    rate = throughput
    if wip < wip_now and floor > 0:
        rate = min(throughput, wip / floor * 7.0)
    return {"scenario": name, "wip": wip, "throughput_per_week": rate,
            "cycle_time_days": flow.littles_law(wip=float(wip), throughput_per_week=float(rate))}


def wip_what_if(data: Any, *, wip_limit: int, as_of: Any = None, history_weeks: int = 12,
                levels: Iterable[float] = (50, 85, 95), floor_level: float = 25, runs: int = 5000, seed: int = 0,
                **options: Any) -> pd.DataFrame:
    """What a WIP limit implies for cycle time (Little's law) and for finishing today's backlog (Monte Carlo).

    Two rows, ``today`` (the current number of tasks in progress) and ``WIP
    limit``.  Throughput is the mean of the last ``history_weeks`` weeks.  The
    cycle time is ``wip / throughput * 7`` days (:func:`workfw.flow.littles_law`),
    an average over a stable period, not a promise for any one task.  A limit
    at or above today's WIP does not bind (the ``WIP limit`` row repeats today's
    work in progress, and ``attrs["binding"]`` is False; ``attrs["wip_limit"]``
    is the limit asked for).  A limit below today's WIP keeps throughput until
    items would have to finish faster than the ``floor_level`` percentile of recent cycle times; below that
    throughput drops in proportion.  The backlog (open tasks: to do and in
    progress) is forecast with :func:`workfw.flow.forecast_when` on the same
    recent throughput, scaled by the scenario's throughput.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    wip_limit : int
        Tasks in progress allowed at once (>= 1).
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the selection.
    history_weeks : int, default 12
        Recent weeks whose throughput is averaged and sampled.
    levels : iterable of float, default (50, 85, 95)
        Likelihoods of the forecast dates.
    floor_level : float, default 25
        Percentile of recent cycle times (those with a known start) taken as the
        fastest an item realistically finishes.
    runs, seed : int
        Monte Carlo runs and seed (same seed, same dates).
    **options
        The common options of :data:`workfw.core.DEFAULTS` (``team``, ``window``, ``actors``...).

    Returns
    -------
    pandas.DataFrame
        ``scenario, wip, throughput_per_week, cycle_time_days, backlog`` and one
        ``p<level>`` date column per likelihood (NaT when it cannot be forecast).
        ``attrs`` holds ``as_of``, ``measured_cycle_days`` (mean of recent cycle
        times), ``floor_days``, ``history_weeks`` and ``reason`` when nothing was finished recently.
    """
    if not isinstance(wip_limit, (int, np.integer)) or isinstance(wip_limit, bool) or wip_limit < 1:
        raise OptionError(f"wip_what_if: wip_limit={wip_limit!r}; expected a whole number of tasks >= 1. "
                          "Next step: pass for example wip_limit=5.")
    if not 0 < float(floor_level) < 100:
        raise OptionError(f"wip_what_if: floor_level={floor_level!r}; expected a percentile between 0 and 100. "
                          "Next step: pass floor_level=25.")
    wanted = sorted({float(x) for x in levels})
    sub, stamp = _selection(data, as_of=as_of, **options)
    tasks = sub.tasks
    wip_now = int((tasks["status_category"] == "in_progress").sum())
    backlog = int(tasks["status_category"].isin(["todo", "in_progress"]).sum())
    cycle = flow.cycle_times(sub) if len(tasks) else pd.DataFrame(columns=["completed", "cycle_time_days"])
    since = stamp - pd.Timedelta(weeks=int(history_weeks))
    recent = cycle[(cycle["completed"] > since) & (cycle["completed"] <= stamp)]
    first = cycle["completed"].min() if len(cycle) else stamp
    weeks = max(1.0, min(float(history_weeks), (stamp - max(first, since)).total_seconds() / 604800))
    throughput = len(recent) / weeks
    days = recent["cycle_time_days"].dropna().astype(float)
    # Work logged after the fact has a near-zero "cycle time" that says nothing about how fast work can go.
    timed = recent.loc[recent.get("basis", pd.Series(index=recent.index, dtype="string")) != "approximate",
                       "cycle_time_days"].dropna().astype(float)
    timed = timed if len(timed) else days
    floor = float(np.percentile(timed, float(floor_level))) if len(timed) else 0.0
    columns = ["scenario", "wip", "throughput_per_week", "cycle_time_days", "backlog"] + [f"p{lv:g}" for lv in wanted]
    rows = []
    reason = None
    if throughput == 0:
        reason = f"no task was finished in the last {int(history_weeks)} weeks of this selection"
    # A limit is a cap, not a target: above today's WIP it does not bind, so the work in progress (and with it
    # Little's law's cycle time) stays as today's. Reading it as more WIP made a looser limit look slower.
    for name, wip in (("today", wip_now), ("WIP limit", min(int(wip_limit), wip_now))):
        row = _scenario(name, wip, throughput=throughput, wip_now=wip_now, floor=floor) if throughput else {
            "scenario": name, "wip": wip, "throughput_per_week": 0.0, "cycle_time_days": np.nan}
        row["backlog"] = backlog
        dates = dict.fromkeys((f"p{lv:g}" for lv in wanted), pd.NaT)
        if throughput and backlog and row["throughput_per_week"] > 0:
            # Finishing N items at a fraction f of the sampled pace takes as long as N / f items at full pace.
            items = math.ceil(backlog * throughput / row["throughput_per_week"])
            forecast = flow.forecast_when(sub, items=items, as_of=stamp, runs=runs, seed=seed, levels=wanted,
                                          history_weeks=int(history_weeks), cycles=cycle)
            dates.update({f"p{lv:g}": d for lv, d in zip(forecast["likelihood"], forecast["date"])} if len(forecast)
                         else {})
        rows.append({**row, **dates})
    out = pd.DataFrame(rows, columns=columns)
    out[["throughput_per_week", "cycle_time_days"]] = out[["throughput_per_week", "cycle_time_days"]].astype(float)
    for col in columns[5:]:
        out[col] = pd.to_datetime(out[col])
    out.attrs.update(as_of=stamp, measured_cycle_days=float(days.mean()) if len(days) else float("nan"),
                     floor_days=floor, history_weeks=int(history_weeks), wip_limit=int(wip_limit),
                     binding=int(wip_limit) < wip_now)
    if reason:
        out.attrs["reason"] = reason
    return out


def wip_what_if_figure(table: pd.DataFrame, *, title: str | None = None, height: int = 420) -> go.Figure:
    """Expected cycle time per scenario (bars) and when the backlog is done (dots per likelihood).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`wip_what_if`.
    title : str, optional
        Chart title; by default it states the limit's cycle time and 85% date.
    height : int, default 420
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        A bar trace ``cycle time`` and one marker trace per scenario.
    """
    if table.attrs.get("reason"):
        return message_figure(title or "WIP limit what-if", f"Cannot forecast: {table.attrs['reason']}.")
    likelihoods = [c for c in table.columns if c.startswith("p")]
    fig = make_subplots(rows=1, cols=2, column_widths=[0.38, 0.62], horizontal_spacing=0.12,
                        subplot_titles=("Expected cycle time (Little's law)",
                                        f"When the backlog of {int(table['backlog'].iloc[0])} open tasks is done"))
    names = [f"{s} (WIP {w})" for s, w in zip(table["scenario"], table["wip"])]
    cycle = table["cycle_time_days"].astype(float)
    fig.add_trace(go.Bar(x=names, y=cycle, name="cycle time", showlegend=False,
                         marker_color=[_SCENARIO_COLOURS.get(s, "#888") for s in table["scenario"]],
                         text=[f"{c:.1f} d" if pd.notna(c) else "n/a" for c in cycle], textposition="outside",
                         customdata=table["throughput_per_week"].astype(float),
                         hovertemplate="%{x}: %{y:.1f} days at %{customdata:.1f} tasks/week<extra></extra>"),
                  row=1, col=1)
    measured = table.attrs.get("measured_cycle_days")
    if measured is not None and pd.notna(measured):
        fig.add_hline(y=measured, line_dash="dot", line_color="#333", row=1, col=1,
                      annotation_text=f"measured mean {measured:.1f} d", annotation_position="top left")
    for (_, row), name in zip(table.iterrows(), names):
        dates = pd.to_datetime(pd.Series([row[c] for c in likelihoods]))
        fig.add_trace(go.Scatter(x=dates, y=[f"{c[1:]}%" for c in likelihoods], mode="markers+lines",
                                 name=name, marker=dict(size=13, color=_SCENARIO_COLOURS.get(row["scenario"], "#888")),
                                 hovertemplate="In %{y} of runs: done by %{x|%Y-%m-%d}<extra>" + name + "</extra>"),
                      row=1, col=2)
    fig.update_yaxes(title_text="days", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="likelihood", row=1, col=2)
    limit = table[table["scenario"] == "WIP limit"].iloc[0]
    p85 = limit.get("p85")
    heading = title or (f"WIP limit {int(limit['wip'])}: cycle time ≈ {limit['cycle_time_days']:.1f} days"
                        + (f", backlog done by {p85:%Y-%m-%d} (85%)" if p85 is not None and pd.notna(p85) else ""))
    use_template(fig).update_layout(font=FONT, height=height, title=escape_text(heading, limit=160),
                      legend=dict(orientation="h", y=-0.2), margin=dict(t=100))
    return fig

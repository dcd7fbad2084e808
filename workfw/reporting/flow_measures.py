"""The report's stage-based flow measures, the forecast with its track record, and their charts.

:func:`measure` runs, once per report, the :mod:`workfw.flow` measures of
issue 15 on the report's selection: the stage definition (the one kept with the
export from the start notebook, else learnt from the whole export as
notebook 06 does, so every team is read with one definition), time in
stage, flow efficiency, the service-level expectation, net flow, the
"how many" forecast with the throughput it sampled, a bounded
backtest of that forecast and, when the export has sprints, velocity and
sprint completion (per team and sprint when the selection's sprints belong
to more than one team, since teams name their sprints alike).  :func:`workfw.reporting.flow_reading.reading` turns those
tables into sentences and JSON-ready numbers, so the page
(:mod:`workfw.reporting.html`) and the JSON (:mod:`workfw.reporting.analysis`)
say the same thing; :func:`figures` draws the charts of the measures that
could be read.  A measure the export cannot feed is a ``not_measurable``
reason, never a 0.
"""
from __future__ import annotations

from typing import Any, Callable

import pandas as pd
import plotly.graph_objects as go

from workfw import flow
from workfw.errors import WorkfwError
from workfw.flow.forecast_charts import backtest_chart, forecast_range_chart
from workfw.flow.metric_charts import flow_efficiency_chart, net_flow_chart, time_in_stage_chart
from workfw.reporting.parts import FORECAST_DAYS
from workfw.schema import tasks_of

__all__ = ["stage_basis", "WEEKS", "LEVEL", "BACKTEST", "measure", "figures"]

#: Weeks of recent work the stage measures, the service level and the forecast read (as notebook 06's default).
WEEKS = 12
#: The likelihood the sentences read out (85: "85% of tasks finish within N days").
LEVEL = 85
#: The backtest's bounds: six past dates (every four weeks over half a year), 1,000 seeded runs each, so it costs a
#: fraction of the report's time.
BACKTEST = {"horizon_weeks": 4, "every_weeks": 4, "over_weeks": 26, "runs": 1000, "seed": 0}


def _attempt(compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``compute()``, or an empty table whose ``attrs["reason"]`` is the data error it raised.

    A measure the export cannot feed becomes "not measurable" with workfw's own message, rather than
    stopping the report; any other exception is a bug and propagates.
    """
    try:
        return compute()
    except WorkfwError as exc:
        out = pd.DataFrame()
        out.attrs["reason"] = str(exc)
        return out


def _since(as_of: pd.Timestamp) -> pd.Timestamp:
    """The first day (UTC midnight) of the last :data:`WEEKS` weeks up to ``as_of``'s day, as the forecasts count."""
    return as_of.tz_convert("UTC").normalize() - pd.Timedelta(days=7 * WEEKS - 1)


def _sprint_grouping(selection: Any) -> str | None:
    """``"team"`` when the selection's work items with a sprint belong to more than one team, else ``None``.

    Teams name their sprints alike ("Sprint 20"), so an organisation's sprints grouped by name would
    mix teams; one team's sprints keep the table they always had.
    """
    tasks = tasks_of(selection)
    containers = {str(t).strip().casefold() for t in flow.CONTAINER_TYPES}
    kind = tasks["task_type"].astype("string").str.strip().str.casefold()
    planned = (tasks["iteration"].notna() & ~kind.isin(containers).fillna(False)).to_numpy(dtype=bool)
    teams = tasks.loc[planned, "team"].astype("string").str.strip().replace("", pd.NA).dropna()
    return "team" if teams.nunique() > 1 else None


def stage_basis(whole: Any) -> pd.DataFrame:
    """The stage definition every flow measure of a report reads: the one a user kept, else the learnt one.

    Parameters
    ----------
    whole : TaskExport
        The whole export (a filter must not change where a status belongs).

    Returns
    -------
    pandas.DataFrame
        :func:`workfw.flow.stage_map`; empty, with ``attrs["reason"]``, when the export cannot give one.
    """
    return _attempt(lambda: flow.stage_map(whole, **flow.kept_stages(whole)))


def measure(selection: Any, whole: Any, *, as_of: pd.Timestamp, cycles: pd.DataFrame,
            stages: pd.DataFrame | None = None) -> dict[str, Any]:
    """The stage-based measures, the forecast and its backtest of the report's selection.

    Parameters
    ----------
    selection : TaskExport
        The export under the report's filters (team, project, window, people).
    whole : TaskExport
        The whole export, whose statuses define the stages (or whose kept definition,
        :func:`workfw.flow.kept_stages`, does).
    as_of : pandas.Timestamp
        The report's reference time (UTC).
    cycles : pandas.DataFrame
        ``workfw.flow.cycle_times(selection, stages=...)``: the finished work and the throughput the
        forecasts sample.
    stages : pandas.DataFrame, optional
        :func:`stage_basis` of ``whole``, when the caller has it already.

    Returns
    -------
    dict
        Tables: ``stages`` (and ``chosen``: whether a user confirmed it), ``since``, ``time_in_stage,
        efficiency, efficiency_weekly, service_level, net_flow, forecast, backtest, hit_rate`` and ``sprints``
        (sprint completion, whose done column is the velocity; ``by="team"`` when the selection's sprints
        belong to more than one team).
    """
    # The definition a user confirmed in the start notebook travels with the export; without one, the learnt one.
    chosen = flow.kept_stages(whole)
    smap = stage_basis(whole) if stages is None else stages
    staged = smap if not smap.empty else None
    since = _since(as_of)
    tis = _attempt(lambda: flow.time_in_stage(selection, stages=staged, as_of=as_of))
    if not tis.empty:
        # Finished in the window: the work whose whole time in stage is known and recent.
        recent = set(flow.rows_since(cycles, "completed", since)["task_id"])
        kept = tis[(tis["task_id"].isin(recent) & (tis["outcome"] == "done")).to_numpy(dtype=bool)]
        kept = kept.reset_index(drop=True)
        kept.attrs = dict(tis.attrs)
        tis = kept
    until = (as_of + pd.Timedelta(days=FORECAST_DAYS)).normalize()
    backtest = _attempt(lambda: flow.backtest_forecasts(selection, level=LEVEL, history_weeks=WEEKS, as_of=as_of,
                                                        cycles=cycles, **BACKTEST))
    return {
        "stages": smap, "chosen": bool(chosen["stages"] or chosen["commitment"]), "since": since, "time_in_stage": tis,
        "efficiency": flow.rows_since(_attempt(lambda: flow.flow_efficiency(selection, stages=staged, as_of=as_of)),
                                   "finished", since),
        "efficiency_weekly": flow.rows_since(_attempt(lambda: flow.flow_efficiency(
            selection, freq="W", stages=staged, as_of=as_of)), "period", since - pd.Timedelta(days=6)),
        # Cycle times and ages from the commitment point of the definition stated above (one promise, one clock).
        "service_level": _attempt(lambda: flow.service_level_expectation(
            selection, as_of=as_of, history_weeks=WEEKS, stages=staged)),
        "net_flow": flow.rows_since(_attempt(lambda: flow.net_flow(selection, freq="W", stages=staged, as_of=as_of)),
                                 "period", since - pd.Timedelta(days=6)),
        "forecast": _attempt(lambda: flow.forecast_how_many_range(selection, until=until, as_of=as_of, runs=10_000,
                                                                  seed=0, history_weeks=WEEKS, cycles=cycles)),
        "backtest": backtest,
        "hit_rate": flow.backtest_hit_rate(backtest) if "hit" in backtest.columns else backtest,
        "sprints": _attempt(lambda: flow.sprint_completion(selection, stages=staged, as_of=as_of,
                                                           by=_sprint_grouping(selection))),
    }


# --------------------------------------------------------------------------- charts


def _scored(rates: pd.DataFrame, kind: str) -> bool:
    if "scored" not in rates:
        return False
    return bool((rates.loc[rates["forecast"] == kind, "scored"] > 0).any())


def _measurable_stages(tis: pd.DataFrame, read: dict[str, Any]) -> pd.DataFrame:
    """``tis`` without its waiting rows when no status is a queue: a bar of 0 days would read as measured."""
    if read.get("waiting_measurable", True):
        return tis
    kept = tis[(tis["stage"] != "waiting").to_numpy(dtype=bool)].reset_index(drop=True)
    kept.attrs = dict(tis.attrs)
    return kept


def figures(measured: dict[str, Any], read: dict[str, dict[str, Any]]) -> dict[str, go.Figure | None]:
    """The charts of the measures that could be read (None where the block states a reason instead).

    Parameters
    ----------
    measured : dict
        The result of :func:`measure`.
    read : dict
        ``reading(measured, ...)``.

    Returns
    -------
    dict
        ``net_flow, time_in_stage, efficiency, forecast, backtest``: a figure, or None (the page shows the
        reason instead of an empty chart or a fan drawn from too little history).
    """
    def when(name: str, draw: Callable[[], go.Figure]) -> go.Figure | None:
        return draw() if read[name]["reason"] is None else None

    return {
        "net_flow": when("net_flow", lambda: net_flow_chart(
            measured["net_flow"], title="Net flow per week: work arriving at the commitment point against work "
                                        "leaving")),
        "time_in_stage": when("time_in_stage", lambda: time_in_stage_chart(_measurable_stages(
            measured["time_in_stage"], read["time_in_stage"]["json"]), levels=(50, LEVEL))),
        "efficiency": when("efficiency", lambda: flow_efficiency_chart(measured["efficiency"], freq="W")),
        "forecast": when("forecast", lambda: forecast_range_chart(measured["forecast"])),
        # The report's forecast is "how many": its chart only when some of those were scored.
        "backtest": when("backtest", lambda: backtest_chart(measured["backtest"], forecast="how many"))
        if _scored(measured["hit_rate"], "how many") else None,
    }

"""The flow explorer of 06_flow_and_forecasts: stages, flow metrics and forecasts under one set of controls.

:class:`FlowModel` holds the logic: it calls the ``workfw.flow`` functions a
script would, for the chosen team, window of weeks, waiting statuses,
percentile, backlog range and split rate, and keeps the tables and charts.
:class:`FlowExplorer` only links its controls to the model and shows what
the model made, in ``Output`` widgets as plain plotly figures (like every
other view: ``FigureWidget`` is not used).
"""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as W
import pandas as pd
import plotly.graph_objects as go
import traitlets as T

from workfw.charts import subset
from workfw.core.context import reference_time
from workfw.errors import OptionError
from workfw.export import TaskExport
from workfw.flow import (backtest_forecasts, backtest_hit_rate, cycle_times, flow_efficiency, forecast_when_range,
                         kept_stages, net_flow, rows_since, service_level_expectation, service_level_items, stage_map,
                         time_in_stage)
from workfw.flow.forecast_charts import backtest_chart, forecast_range_chart, service_level_chart
from workfw.flow.metric_charts import (cycle_time_histogram, flow_efficiency_chart, net_flow_chart,
                                       time_in_stage_chart)
from workfw.readable import plain_headers
from workfw.style import escape_text
from workfw.widgets._common import ALL, PAGE, STYLE, Markup, frame_html, show

__all__ = ["FlowModel", "FlowExplorer", "PERCENTILES", "CHARTS"]

#: The percentiles the explorer offers.
PERCENTILES = (50, 70, 85, 95)
#: The charts the model draws, in the order the explorer shows them.
CHARTS = ("time_in_stage", "flow_efficiency", "cycle_time", "net_flow", "service_level", "forecast", "backtest")
#: Stages an in-progress status can take in the explorer.
_IN_PROGRESS = ("active", "waiting")
#: Simulated runs per forecast redraw (seeded, so a redraw with the same controls gives the same dates).
_RUNS = 2000


def _team_label(team: str) -> str:
    """Escaped words for the selection, for chart titles (team names are the export's text)."""
    return "all teams" if team == ALL else f"team {escape_text(team, limit=60)}"


class FlowModel(T.HasTraits):
    """Flow metrics and forecasts of one export under the chosen controls; recomputed when any changes.

    Parameters
    ----------
    export : TaskExport
        The data (with status history for the stage-based metrics).
    team : str
        ``"All"`` or one of :attr:`teams`.  Any control passed as None keeps its default.
    weeks : int
        Weeks of history read: the charts show work finished (or arriving) in the last ``weeks`` weeks up
        to the data's reference time, and the forecasts and service levels sample the same weeks.
    waiting : tuple of str, optional
        In-progress statuses where work waits (every other in-progress status is active); by default
        the statuses staged waiting by the export's stage definition: the one confirmed in the start
        notebook's status map and kept with the export (:func:`workfw.flow.kept_stages`), else the
        one learnt from the export.
    percentile : int
        One of :data:`PERCENTILES`: the level read out in the summary, the time-in-stage chart, the
        cycle-time lines, the open items past the service level and the backtest.
    backlog : (int, int)
        The backlog range of the "when" forecast.
    split_rate : float
        Extra tasks per item once work starts (0.2: 10 items become 12 tasks).

    Attributes
    ----------
    kept : dict
        The stage definition kept with the export (:func:`workfw.flow.kept_stages`): the user's stages
        and commitment point, which every table here measures with (the waiting control on top).
    tables : dict of str to pandas.DataFrame
        ``stage_map, time_in_stage, flow_efficiency, cycle_times, net_flow, service_level, past_service_level,
        forecast, backtest, hit_rate`` for the current controls.
    figures : dict of str to plotly.graph_objects.Figure
        One per name of :data:`CHARTS`.
    """

    team = T.Unicode(ALL)
    weeks = T.Int(12)
    waiting = T.Tuple()
    percentile = T.Int(85)
    backlog = T.Tuple(T.Int(), T.Int(), default_value=(40, 60))
    split_rate = T.Float(0.0)
    tables = T.Dict()
    figures = T.Dict()

    def __init__(self, export: TaskExport, **controls: Any) -> None:
        self.export = export
        self.as_of = reference_time(export.tasks, export.events)
        #: The stage definition kept with the export (the user's stages and commitment point), if any.
        self.kept = kept_stages(export)
        learnt = stage_map(export, **self.kept)
        in_progress = learnt[learnt["stage"].isin(_IN_PROGRESS)]
        #: In-progress statuses in workflow order: the ones a user can mark waiting or active.
        self.statuses: list[str] = [str(s) for s in in_progress["status"]]
        self._learnt_waiting = tuple(str(s) for s in in_progress.loc[in_progress["stage"] == "waiting", "status"])
        self._selections: dict[str, TaskExport] = {}
        self._quiet = True
        # None means the default, as a papermill parameter would pass it.
        controls = {k: v for k, v in controls.items() if v is not None}
        super().__init__(waiting=controls.pop("waiting", self._learnt_waiting), **controls)
        self._quiet = False
        self.recompute()

    # ------------------------------------------------------------------ choices

    @property
    def teams(self) -> list[str]:
        """``"All"`` and every team named in the export, sorted."""
        return [ALL, *sorted(str(t) for t in self.export.tasks["team"].dropna().unique())]

    @T.validate("team")
    def _check_team(self, proposal: dict) -> str:
        team = proposal["value"]
        if team not in self.teams:
            raise OptionError(f"FlowModel: team={team!r} is not in the export; expected one of {self.teams}. "
                              "Next step: pick a team from the Team list.")
        return team

    @T.validate("weeks")
    def _check_weeks(self, proposal: dict) -> int:
        weeks = proposal["value"]
        if not 1 <= weeks <= 520:
            raise OptionError(f"FlowModel: weeks={weeks}; expected 1 to 520 weeks of history. Next step: pass 12.")
        return weeks

    @T.validate("waiting")
    def _check_waiting(self, proposal: dict) -> tuple:
        waiting = tuple(proposal["value"])
        unknown = [s for s in waiting if s not in self.statuses]
        if unknown:
            raise OptionError(f"FlowModel: waiting={unknown} are not in-progress statuses of this export; expected "
                              f"some of {self.statuses}. Next step: pick statuses from the Waiting list.")
        return waiting

    @T.validate("percentile")
    def _check_percentile(self, proposal: dict) -> int:
        level = proposal["value"]
        if level not in PERCENTILES:
            raise OptionError(f"FlowModel: percentile={level}; expected one of {list(PERCENTILES)}. "
                              "Next step: pass 85.")
        return level

    @T.validate("backlog")
    def _check_backlog(self, proposal: dict) -> tuple:
        low, high = proposal["value"]
        if not 1 <= low <= high:
            raise OptionError(f"FlowModel: backlog=({low}, {high}); expected a range of items from 1, low first. "
                              "Next step: pass backlog=(40, 60).")
        return (low, high)

    @T.validate("split_rate")
    def _check_split(self, proposal: dict) -> float:
        rate = proposal["value"]
        if not 0 <= rate <= 5:
            raise OptionError(f"FlowModel: split_rate={rate}; expected 0 (no splitting) to 5. Next step: pass 0.2.")
        return float(rate)

    @T.observe("team", "weeks", "waiting", "percentile", "backlog", "split_rate")
    def _changed(self, _: dict) -> None:
        if not self._quiet:
            self.recompute()

    # ------------------------------------------------------------------ computing

    def options(self) -> dict[str, Any]:
        """The filter options of the selection (``{"team": ...}`` or ``{}``), as the diagnoses take them."""
        return {} if self.team == ALL else {"team": self.team}

    def stages(self) -> dict[str, str]:
        """The kept stages, and the stage of every in-progress status under the current choice of waiting statuses."""
        return {**self.kept["stages"], **{s: "waiting" if s in self.waiting else "active" for s in self.statuses}}

    def selection(self) -> TaskExport:
        """The export restricted to the chosen team (kept per team)."""
        if self.team not in self._selections:
            self._selections[self.team] = subset(self.export, as_of=self.as_of, **self.options())
        return self._selections[self.team]

    @property
    def window_start(self) -> pd.Timestamp:
        """The first moment of the window of weeks (UTC)."""
        return self.as_of - pd.Timedelta(weeks=self.weeks)

    def recompute(self) -> None:
        """Measure, forecast and draw again for the current controls (sets :attr:`tables` and :attr:`figures`)."""
        data, start, level = self.selection(), self.window_start, self.percentile
        stages = self.stages()
        # One stage definition for the whole export: a team that never used a status keeps the same map.  Cycle
        # times, ages and service levels start at its commitment point, where time in stage and efficiency do.
        smap = stage_map(self.export, stages=stages, commitment=self.kept["commitment"])
        both = tuple(sorted({50, level}))
        cycles = cycle_times(data, stages=smap)
        common = dict(as_of=self.as_of, history_weeks=self.weeks)
        tables = {
            "stage_map": smap,
            "time_in_stage": self._recent_stages(time_in_stage(data, stages=smap, as_of=self.as_of), cycles, start),
            "flow_efficiency": rows_since(flow_efficiency(data, stages=smap, as_of=self.as_of), "finished", start),
            "cycle_times": rows_since(cycles, "completed", start),
            "net_flow": rows_since(net_flow(data, stages=smap, as_of=self.as_of), "period", start),
            "service_level": service_level_expectation(data, stages=smap, cycles=cycles, **common),
            "past_service_level": service_level_items(data, level=level, stages=smap, cycles=cycles, **common),
            "forecast": forecast_when_range(data, items=self.backlog, split_rate=self.split_rate, runs=_RUNS,
                                            cycles=cycles, **common),
            "backtest": backtest_forecasts(data, level=level, runs=_RUNS // 2, cycles=cycles, **common),
        }
        tables["hit_rate"] = backtest_hit_rate(tables["backtest"])
        who, span = _team_label(self.team), f"last {self.weeks} weeks"
        # Tables first: views observe ``figures`` and read the tables when it changes.
        self.tables = tables
        self.figures = {
            "time_in_stage": time_in_stage_chart(
                tables["time_in_stage"], levels=(level,),
                title=f"Days in each stage, {level}th percentile of finished tasks · {who}, {span}"),
            "flow_efficiency": flow_efficiency_chart(
                tables["flow_efficiency"], title=f"Flow efficiency: active time over cycle time · {who}, {span}"),
            "cycle_time": cycle_time_histogram(
                tables["cycle_times"], percentiles=both,
                title=f"Cycle time of {len(tables['cycle_times']):,} finished tasks · {who}, {span}"),
            "net_flow": net_flow_chart(tables["net_flow"], title=f"Net flow: arriving against leaving · {who}, {span}"),
            "service_level": service_level_chart(tables["service_level"],
                                                 title=f"Service-level expectation · {who}"),
            "forecast": forecast_range_chart(tables["forecast"], title=self._forecast_title(who)),
            "backtest": backtest_chart(tables["backtest"], forecast="when",
                                       title=f"Backtest of the {level}th percentile 'when' forecast · {who}"),
        }

    @staticmethod
    def _recent_stages(tis: pd.DataFrame, cycles: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
        """Time in stage of work finished in the window, and of work still open."""
        if tis.empty:
            return tis
        recent = rows_since(cycles, "completed", start)["task_id"]
        keep = tis["task_id"].isin(recent) | (tis["outcome"] != "done")
        kept = tis[keep.to_numpy(dtype=bool)].reset_index(drop=True)
        kept.attrs = dict(tis.attrs)
        return kept

    def _forecast_title(self, who: str) -> str:
        low, high = self.backlog
        items = f"{low}" if low == high else f"{low} to {high}"
        grows = f", each growing by {self.split_rate:.0%}" if self.split_rate else ""
        return f"When {items} items will be finished{grows} · {who}"

    # ------------------------------------------------------------------ reading

    def selection_text(self) -> str:
        """One line on what is shown: tasks, team, window and the reference date."""
        return (f"{len(self.selection().tasks):,} tasks of {'all teams' if self.team == ALL else 'team ' + self.team}"
                f"; last {self.weeks} weeks to {self.as_of:%Y-%m-%d}")

    def summary_html(self) -> str:
        """The numbers at the chosen percentile in plain words, as escaped HTML."""
        level, t = self.percentile, self.tables
        whose = ("as confirmed in the start notebook" if self.kept["stages"] or self.kept["commitment"]
                 else "learnt from the export; confirm them in 00_start_here's status map")
        lines = [f"Showing <b>{html.escape(self.selection_text())}</b>.",
                 f"<small>{html.escape(t['stage_map'].attrs.get('stage_definition', ''))} ({whose})</small>"]
        sle = t["service_level"]
        row = sle[sle["level"] == level]
        if len(row) and pd.notna(row["days"].iloc[0]):
            r = row.iloc[0]
            lines.append(f"{level}% of the tasks finished in the window took at most <b>{r['days']:.1f} days</b> "
                         f"(from {int(r['samples']):,} cycle times); <b>{int(r['past'])} of {int(r['open_items'])}</b> "
                         "items in progress are already older than that.")
        elif len(sle):
            lines.append(f"No service-level expectation: {html.escape(str(sle['reason'].iloc[0]))}.")
        fc = t["forecast"]
        row = fc[fc["likelihood"] == level]
        if len(row) and pd.notna(row["date"].iloc[0]):
            r = row.iloc[0]
            lines.append(f"In {level}% of {_RUNS:,} simulated runs the backlog is finished by <b>{r['date']:%Y-%m-%d}"
                         f"</b> (throughput from {r['window_start']:%Y-%m-%d} to {r['window_end']:%Y-%m-%d}, "
                         f"{int(r['completed']):,} tasks finished).")
        elif len(fc) and fc["reason"].notna().any():
            lines.append(f"No forecast: {html.escape(str(fc['reason'].dropna().iloc[0]))}.")
        hits = t["hit_rate"]
        when = hits[hits["forecast"] == "when"]
        if len(when) and int(when["scored"].iloc[0]):
            r = when.iloc[0]
            lines.append(f"Forecasts like this one, made from past dates, came true {int(r['hits'])} times out of "
                         f"{int(r['scored'])} (the {level}th percentile should come true about {level}% of the time).")
        return "<p>" + "</p><p>".join(lines) + "</p>"

    def past_html(self, *, limit: int = 10) -> str:
        """The oldest items in progress already past the service level at the chosen percentile (escaped HTML)."""
        items = self.tables["past_service_level"]
        if items.empty or "past_sle" not in items.columns:
            return "<p>No work in progress to compare with the service level.</p>"
        past = items[items["past_sle"].fillna(False).to_numpy(dtype=bool)]
        if past.empty:
            return f"<p>No item in progress is older than the {self.percentile}th percentile.</p>"
        cols = [c for c in ("task_id", "title", "status", "assignee", "age_days", "sle_days") if c in past.columns]
        shown = past[cols].copy()
        for col in ("age_days", "sle_days"):
            if col in shown:
                shown[col] = shown[col].astype("float64").round(1)
        return (f"<p>Items in progress older than the {self.percentile}th percentile, oldest first:</p>"
                + frame_html(plain_headers(shown), limit=limit))


class FlowExplorer(W.VBox):
    """Controls for team, window, waiting statuses, percentile, backlog and split rate above the flow charts.

    Parameters
    ----------
    export : TaskExport
        The data.
    **controls
        Starting values of :class:`FlowModel` (``team``, ``weeks``, ``waiting``, ``percentile``,
        ``backlog``, ``split_rate``).
    """

    def __init__(self, export: TaskExport, **controls: Any) -> None:
        self.model = FlowModel(export, **controls)
        wide = W.Layout(width="420px", max_width="100%")
        self.team = W.Dropdown(options=self.model.teams, value=self.model.team, description="Team", style=STYLE,
                               layout=W.Layout(width="260px"))
        self.weeks = W.IntSlider(value=self.model.weeks, min=2, max=max(52, self.model.weeks),
                                 description="Window (weeks)", style=STYLE, layout=wide, continuous_update=False)
        self.percentile = W.Dropdown(options=[(f"{p}th", p) for p in PERCENTILES], value=self.model.percentile,
                                     description="Percentile", style=STYLE, layout=W.Layout(width="200px"))
        self.waiting = W.SelectMultiple(options=self.model.statuses, value=self.model.waiting,
                                        description="Waiting statuses", style=STYLE,
                                        rows=min(6, max(2, len(self.model.statuses))), layout=wide)
        self.backlog = W.IntRangeSlider(value=self.model.backlog, min=1, max=max(500, self.model.backlog[1]),
                                        description="Backlog (items)", style=STYLE, layout=wide,
                                        continuous_update=False)
        self.split_rate = W.FloatSlider(value=self.model.split_rate, min=0, max=1, step=0.05, readout_format=".0%",
                                        description="Split rate", style=STYLE, layout=wide, continuous_update=False)
        for name in ("team", "weeks", "percentile", "waiting", "backlog", "split_rate"):
            T.link((getattr(self, name), "value"), (self.model, name))
        self.help = W.HTML("<small>Statuses picked under <b>Waiting statuses</b> count as waiting (work sits "
                           "there, nobody is on it); the other in-progress statuses count as active. Hold Ctrl "
                           "(Cmd) to pick several.</small>")
        self.summary = W.HTML()
        self.stages_out, self.flow_out, self.forecast_out, self.past_out = (W.Output() for _ in range(4))
        wrap = W.Layout(flex_flow="row wrap", align_items="flex-start")
        controls = W.VBox([W.HBox([self.team, self.percentile, self.weeks], layout=wrap),
                           W.HBox([self.waiting, W.VBox([self.backlog, self.split_rate])], layout=wrap), self.help])
        super().__init__([controls, self.summary, W.HTML("<h4>Stages</h4>"), self.stages_out,
                          W.HTML("<h4>How work flows</h4>"), self.flow_out,
                          W.HTML("<h4>Service level and forecast</h4>"), self.forecast_out, self.past_out],
                         layout=PAGE)
        self.model.observe(self._render, names="figures")
        self._render()

    @property
    def figures(self) -> dict[str, go.Figure]:
        """The charts as last drawn, by name of :data:`CHARTS`."""
        return dict(self.model.figures)

    def _render(self, _: dict | None = None) -> None:
        m, figs = self.model, self.model.figures
        self.summary.value = m.summary_html()
        smap = m.tables["stage_map"][["status", "stage", "commitment", "source", "tasks"]]
        show(self.stages_out, Markup(frame_html(plain_headers(smap))))
        show(self.flow_out, *(figs[k] for k in ("time_in_stage", "flow_efficiency", "cycle_time", "net_flow")))
        show(self.forecast_out, *(figs[k] for k in ("service_level", "forecast", "backtest")))
        show(self.past_out, Markup(m.past_html()))

"""Flow metrics: cycle time, throughput, WIP, aging WIP, CFD, blocked time and forecasts.

Every metric takes a :class:`~workfw.export.TaskExport` or a canonical task
table plus keyword-only options and returns a new tidy DataFrame; inputs are
never changed.

**Where the clock comes from.**  When the export carries status history
(``TaskExport.events`` with ``field == "status"``), each task's timeline is
rebuilt from it: before its first recorded move the task sat in that move's
``old`` status (from ``created``), and after each move in its ``new`` status.
Status names are placed in categories by the one status categoriser,
:mod:`workfw.statuses`: the task table's own ``status -> status_category``
pairs, then the keyword rules.  Without history the timeline is built from
``created``, ``started`` and ``completed`` (todo, then in progress, then
done/cancelled).  So a task is in exactly one state from its first known time
on, except while it sits in a status no rule places (or one the history does
not name): that span starts no clock, finishes nothing and is counted in no
state, just as a task with no status category is left out, rather than
guessed to be to do.

**Backward moves and skipped stages.**  A task's start is its *first* move into
an in-progress status, even if it went back to todo and was restarted later;
its completion is its *last* move into done (a reopened task finishes when it
is finally done).  A task that skipped some in-progress status (To Do ->
Review -> Done) starts when it entered the first in-progress status it did
visit.  A task that went straight from todo to done has no start: its cycle
time falls back to its lead time and is labelled ``approximate``.

**One stage definition.**  Given ``stages=``/``commitment=`` (a :func:`stage_map`
definition, such as ``**kept_stages(export)``, the one a user confirmed in the
start notebook), :func:`cycle_times`, :func:`aging_wip`, :func:`percentiles` and
the service levels start the clock at its commitment point, the first move into
an active or waiting status of that definition, where :func:`flow_efficiency`
and :func:`time_in_stage` measure from too (see :mod:`workfw.flow.stages`).

**Dates.** Period labels (``period``, ``date``) are tz-naive UTC calendar
days; the count for a period is taken at its end (midnight UTC after its last
day).  ``as_of`` defaults to :func:`workfw.core.context.reference_time`, the
latest task timestamp or recorded change in the history (the same "now" the
diagnoses use), never the clock, so results are reproducible.
"""
from __future__ import annotations

# The implementation lives in three private modules (each a few hundred
# lines); this module is the public import path and keeps every name.
from workfw.flow.forecast import forecast_how_many, forecast_when, littles_law
from workfw.flow.metrics import CONTAINER_TYPES, aging_wip, band_labels, blocked_time, cumulative_flow, throughput, wip
from workfw.flow.times import PERCENTILE_LEVELS, cycle_times, percentiles
# Workflow stages and the metrics built on them (issue 15).
from workfw.flow.stages import STAGES, flow_efficiency, stage_map, time_in_stage, time_in_stage_percentiles
# The definition a user confirmed, kept with the export, and the stage editor's rules (issue 15 item 1).
from workfw.flow.inputs import rows_since
from workfw.flow.stage_choice import commitment_choices, edit_stages, keep_stages, kept_stages, stage_overview
from workfw.flow.trends import age_run, blocked_stalled, burn_up, net_flow
from workfw.flow.sprints import sprint_completion, velocity

__all__ = [
    "PERCENTILE_LEVELS", "cycle_times", "percentiles", "band_labels", "throughput", "wip", "aging_wip",
    "cumulative_flow", "blocked_time", "forecast_how_many", "forecast_when", "littles_law", "CONTAINER_TYPES",
    "STAGES", "stage_map", "time_in_stage", "time_in_stage_percentiles", "flow_efficiency",
    "kept_stages", "keep_stages", "edit_stages", "commitment_choices", "stage_overview",
    "net_flow", "burn_up", "age_run", "blocked_stalled", "velocity", "sprint_completion", "rows_since",
]

# Forecasts people trust (issue 15): backlog ranges and split rates, epics sharing a throughput,
# service-level expectations and backtests.  Their charts are in workfw.flow.forecast_charts.
from workfw.flow.backtest import backtest_forecasts, backtest_hit_rate  # noqa: E402
from workfw.flow.forecast_epics import epic_forecast  # noqa: E402
from workfw.flow.forecast_range import MIN_COMPLETED, forecast_how_many_range, forecast_when_range  # noqa: E402
from workfw.flow.service_level import service_level_expectation, service_level_items  # noqa: E402

__all__ += [
    "MIN_COMPLETED", "forecast_when_range", "forecast_how_many_range", "epic_forecast", "service_level_expectation",
    "service_level_items", "backtest_forecasts", "backtest_hit_rate",
]

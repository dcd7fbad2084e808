"""Workflow stages: where each status sits in the flow, time spent in each stage, and flow efficiency.

**The stage map** (:func:`stage_map`) gives every status name the export uses (on a task or in a
recorded move) one stage:

* ``"before commitment"``: the work is not promised yet (status category *todo*);
* ``"active"``: someone is working on it (category *in progress*);
* ``"waiting"``: it is committed but sits in a queue (an in-progress status whose name says it waits:
  *Ready for QA*, *Waiting for review*, *Awaiting deploy*, *Blocked*, *On hold*, *Paused*, *Parked*,
  *Pending*, *Queued*, *Dev Done*, *Deployed to staging*, and the same words in the languages of the
  status rules);
* ``"done"`` (category *done*) and ``"cancelled"`` (category *cancelled*): the flow has ended.
  Cancelled work is kept apart from done work so that velocity, efficiency and burn-up never count
  it as delivered;
* ``"unplaced"``: a status no rule places (see :mod:`workfw.statuses`); time in it counts in no
  stage, until you give it one with ``stages=``.

*In Review*, *Code Review*, *Testing* and *QA* are **active** by default: the name says someone is
reviewing or testing.  Only a queue word makes a status waiting (*Ready for review*, *Awaiting
QA*).  Teams whose review column is really a queue say so with ``stages={"Code Review": "waiting"}``.

**The commitment point** is the first committed (active or waiting) status in workflow order.
Workflow order is category order (to do, in progress, done, cancelled), then, within a category,
the average position at which tasks first enter the status in their history.  Passing
``commitment="Selected for Development"`` moves the point: that status becomes committed
(*waiting* when it was before commitment), the learnt committed statuses ordered before it become
*before commitment*, and learnt *before commitment* statuses after it become *waiting*.  Stages
you pass in ``stages=`` are never changed by the commitment point.

Every metric built on the map states it in ``DataFrame.attrs``: ``"stages"`` (status -> stage),
``"commitment"`` and ``"stage_definition"`` (one line, for chart subtitles).

**Awkward histories** (time in stage and flow efficiency need status history; tasks without it are
left out and counted in ``attrs["left_out"]``, because start and finish alone cannot be split into
active and waiting time):

* *moving backwards* (In Review -> In Progress, or back to To Do): time is counted in the stage the
  task was in, every time it was there;
* *skipping stages* (To Do -> Done): the skipped stages get 0 days; a task that never entered a
  committed stage has no committed time, so its flow efficiency is NA;
* *reopening* (Done -> In Progress -> Done): the task finishes at its *last* move into done (as
  :func:`workfw.flow.cycle_times` has it); time spent in done before the reopen is not time in any
  stage in :func:`time_in_stage`, and counts as *waiting* in :func:`flow_efficiency`;
* *no history*: see above.

**Cycle time and aging WIP on the same definition.**  Given ``stages=`` or ``commitment=``,
:func:`workfw.flow.cycle_times` and :func:`workfw.flow.aging_wip` (and the percentiles and
service levels built on them) start the clock at the first move into a committed (active or
waiting) status of this definition, which is where :func:`flow_efficiency` starts its window.
Their docstrings say what happens to backward moves, skipped stages, reopened and history-less
tasks.  Without a definition they keep their own clock (the first in-progress move).

**Where the code is.**  :mod:`workfw.flow.stage_rules` (the stage map and the commitment point),
:mod:`workfw.flow.stage_spans` (staged timelines), :mod:`workfw.flow.stage_time` (time in stage),
:mod:`workfw.flow.efficiency` (flow efficiency) and :mod:`workfw.flow.stage_choice` (a definition
kept with an export, and the rules of the loader's stage editor).  This module keeps every name
importable from one place.
"""
from __future__ import annotations

# The private helpers are re-exported for the stage-based modules that read them from here (trends, sprints,
# metric_charts); new code imports them from the module that defines them.
from workfw.flow.efficiency import _efficiency_by_period, flow_efficiency  # noqa: F401
from workfw.flow.stage_rules import (_COMMITTED, _ENDED, _UNPLACED, STAGES, _describe,  # noqa: F401
                                     _span_stages, _stage_table, stage_map)
from workfw.flow.stage_spans import _items, _left_out, _marks, _no_history, _staged_spans  # noqa: F401
from workfw.flow.stage_time import time_in_stage, time_in_stage_percentiles

__all__ = ["STAGES", "stage_map", "time_in_stage", "time_in_stage_percentiles", "flow_efficiency"]

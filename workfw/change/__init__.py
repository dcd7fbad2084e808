"""Did it change? Scores over time, and before/after with intervals that keep noise from reading as change.

- :func:`scores_over_time`: every element's score month by month (or quarter by quarter), with the
  tasks behind each point; a period with too few tasks is a gap (NaN and a reason), never a 0.
  :func:`trend_figure` draws one framework of it.
- :func:`state_at`: an export as it stood at an earlier time, wound back from its history; every
  point over time and the *before* of a split are judged on it.
- :func:`compare`: two exports, or one export split at a date, element by element, each difference
  with an interval from a bootstrap over tasks; :func:`difference_figure` draws it and
  :func:`movers` lists the tasks behind the largest moves.

What a point, a side and an interval mean is written in :mod:`workfw.change.timeline` and
:mod:`workfw.change.bootstrap`.  The package sits above :mod:`workfw.all_frameworks`, whose
``diagnose_all`` it runs.

Examples
--------
>>> import workfw as wf
>>> export = wf.load_sample()                                       # doctest: +SKIP
>>> scores = wf.change.scores_over_time(export, frameworks="visibility")  # doctest: +SKIP
>>> wf.change.trend_figure(scores)                                  # doctest: +SKIP
>>> table = wf.change.compare(export, split_at="2026-07-01")        # doctest: +SKIP
>>> wf.change.difference_figure(table), wf.change.movers(table)     # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from workfw.change._common import SCORE_COLUMNS, ChangeError
from workfw.change.bootstrap import COMPARE_COLUMNS, MOVER_COLUMNS, N_BOOT, STATUSES, compare, movers
from workfw.change.charts import STATUS_COLOURS, difference_figure, trend_figure
from workfw.change.timeline import FREQUENCIES, MIN_TASKS, scores_over_time
from workfw.core.rewind import state_at

__all__ = ["ChangeError", "state_at", "scores_over_time", "trend_figure", "trend", "compare", "movers", "difference_figure",
           "SCORE_COLUMNS", "COMPARE_COLUMNS", "MOVER_COLUMNS", "STATUSES", "STATUS_COLOURS", "FREQUENCIES",
           "MIN_TASKS", "N_BOOT"]


def trend(export: Any, *, framework: str, freq: str = "M", min_tasks: int = MIN_TASKS, **options: Any) -> go.Figure:
    """One framework's scores over time as a chart: :func:`scores_over_time` drawn by :func:`trend_figure`.

    The one call a notebook cell makes.

    Parameters
    ----------
    export : TaskExport, pandas.DataFrame or path
        The export.
    framework : str
        The framework key (``"c4_flywheel"`` ...).
    freq : {"M", "Q"}, default "M"
        Months or quarters.
    min_tasks : int, default :data:`MIN_TASKS`
        Fewer tasks in a period leave a gap.
    **options
        As :func:`scores_over_time`.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    scores = scores_over_time(export, frameworks=[framework], freq=freq, min_tasks=min_tasks, **options)
    return trend_figure(scores, framework=framework)

"""Every element's score period by period over an export's history (:func:`scores_over_time`).

What one point means
--------------------
The point of a period is the framework's ordinary diagnosis with ``as_of`` at the period's end (the
export's "now" for the last, unfinished period) and the shared ``window`` filter set to the period
(or to the ``window_days`` before its end): the tasks created by the period's end that were still
open, or finished or last updated within the window.  That is the work a team had on its plate in
that period, judged as of the period's end, through the very same signals, thresholds and filters
as ``diagnose``; a point therefore equals ``diagnose(export, as_of=end, window=(start, end))``.

Each point judges the export as it stood at the period's end (:func:`workfw.change.state_at`): tasks
created later are not there, a task finished after the period is still open in it, and its status,
owner and dates are wound back from the history (from its dates where it has none).  A point
therefore equals ``diagnose(state_at(export, end), as_of=end, window=(start, end))``; with
``rewind=False`` it is judged on the export as it is today, as the first version did (earlier points
then read healthier than they looked at the time).  What no export records (descriptions, links,
comment counts) is read as it is today either way.

A period with fewer than ``min_tasks`` tasks in its window is not diagnosed: its scores are NaN
with the reason, and a chart shows a gap there, never a 0.

Cost: one diagnosis per period and framework, each on a new filtered table, so the signals run again
per period; what depends only on a task's own row is computed once per export and shared by every
period (:func:`workfw.core.per_row`), and a period under ``min_tasks`` is only counted.  The sample
organisation (2,500 tasks, ten months) takes about 1.4 s for all four frameworks, 0.3-0.7 s for one.
"""
from __future__ import annotations

from typing import Any, Iterable

import pandas as pd

from workfw.all_frameworks import as_export, diagnose_all, route_options
from workfw.change._common import (SCORE_COLUMNS, ChangeError, _check_no_window, _chosen, _elements, _score_rows,
                                   _span, _utc)
from workfw.core.context import prepare
from workfw.core.rewind import state_at
from workfw.core.options import DEFAULTS

__all__ = ["scores_over_time", "FREQUENCIES", "MIN_TASKS"]

#: The period lengths :func:`scores_over_time` accepts: pandas period aliases and their names.
FREQUENCIES: dict[str, str] = {"M": "month", "Q": "quarter"}

#: Default least number of tasks in a period's window for its point to be drawn.
MIN_TASKS = 20


def _empty(reason: str, attrs: dict[str, Any]) -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype="float64" if c == "score" else "int64" if c == "tasks" else object)
                        for c in SCORE_COLUMNS})
    out.attrs.update(attrs, reason=reason)
    return out


def _rule(freq: str, window_days: int | None, min_tasks: int, rewind: bool = True) -> str:
    """The point rule in words, short enough for a chart's subtitle."""
    unit = FREQUENCIES[freq]
    if window_days:
        span = f"the {window_days} days to each {unit}'s end" + (", as they stood then" if rewind else "")
    else:
        span = f"each {unit}, " + ("as they stood at its end" if rewind else "scored at its end")
    return f"tasks open or active in {span}; under {min_tasks} tasks: a gap"


def scores_over_time(export: Any, *, frameworks: str | Iterable[str] | None = None, freq: str = "M",
                     min_tasks: int = MIN_TASKS, window_days: int | None = None, as_of: Any = None,
                     rewind: bool = True, **options: Any) -> pd.DataFrame:
    """Every element's score per month or quarter, with the number of tasks behind each point.

    See the module docstring for what a point means.  Periods run from the month (or quarter) of the
    first creation date to the one holding ``as_of``.

    Parameters
    ----------
    export : TaskExport, pandas.DataFrame or path
        The export (a path is read with :func:`workfw.read_export`).
    frameworks : str or iterable of str, optional
        Framework keys (``"c4_flywheel"`` ...); every framework when None.
    freq : {"M", "Q"}, default "M"
        Months or quarters.
    min_tasks : int, default :data:`MIN_TASKS`
        A period with fewer tasks in its window gets NaN scores (a gap) and a reason.
    window_days : int, optional
        Count the tasks active in this many days before each period's end instead of the period itself
        (a trailing window smooths a short period, e.g. ``freq="M", window_days=90``).
    as_of : timestamp-like, optional
        The last point's date; defaults to the export's reference time.
    rewind : bool, default True
        Judge each point on the export as it stood at the period's end (:func:`workfw.change.state_at`);
        False judges every point on the export as it is today.
    **options
        As :func:`workfw.all_frameworks.diagnose_all` (``team=``, thresholds, a dict per framework), except
        ``window``, which each point sets.

    Returns
    -------
    pandas.DataFrame
        ``period`` (first day, UTC), ``period_end`` (the point's as-of time), ``framework`` (key),
        ``element``, ``score`` (0-100, NaN when not measurable or too few tasks), ``tasks`` (tasks in the
        point's window) and ``reason`` (why a score is NaN, else None).  ``attrs`` hold ``freq``,
        ``window_days``, ``min_tasks`` and ``rule`` (the point rule in words); an export without
        creation dates gives no rows and ``attrs["reason"]``.

    Raises
    ------
    ChangeError
        On a frequency other than ``"M"``/``"Q"``, ``min_tasks`` below 1, a non-positive ``window_days``,
        or a ``window`` option.
    OptionError
        On an unknown framework or option.
    """
    if freq not in FREQUENCIES:
        raise ChangeError(f"scores_over_time: freq={freq!r}; expected one of {list(FREQUENCIES)} (months or "
                          "quarters). Next step: pass freq='M'.")
    if not isinstance(min_tasks, int) or min_tasks < 1:
        raise ChangeError(f"scores_over_time: min_tasks={min_tasks!r}; expected a whole number of at least 1. "
                          f"Next step: pass for example min_tasks={MIN_TASKS}.")
    if window_days is not None and (not isinstance(window_days, int) or window_days < 1):
        raise ChangeError(f"scores_over_time: window_days={window_days!r}; expected None or a positive number "
                          "of days. Next step: pass for example window_days=90.")
    _check_no_window(options, "scores_over_time")
    chosen = _chosen(frameworks, "scores_over_time")
    route_options(chosen, options)
    export = as_export(export)
    attrs = {"freq": freq, "window_days": window_days, "min_tasks": min_tasks, "rewind": rewind,
             "rule": _rule(freq, window_days, min_tasks, rewind)}
    first, now = _span(export)
    if as_of is not None:
        now = _utc(as_of, "as_of", "scores_over_time")
    if first is None or now is None or first > now:
        return _empty("the export has no creation dates up to as_of, so its tasks cannot be placed in periods",
                      attrs)
    filters = {k: v for k, v in options.items() if k in DEFAULTS}
    rows = []
    naive = (first.tz_localize(None), now.tz_localize(None))
    for period in pd.period_range(*naive, freq=freq):
        start = period.start_time.tz_localize("UTC")
        end = min(period.end_time.tz_localize("UTC"), now)
        if window_days:
            start = end - pd.Timedelta(days=window_days)
        window = (start, end)
        then = state_at(export, end) if rewind else export
        tasks = len(prepare(then, as_of=end, **{**filters, "window": window}).tasks)
        if tasks < min_tasks:
            reason = f"only {tasks} task{'s' if tasks != 1 else ''} in this period (fewer than min_tasks={min_tasks})"
            scored = [{"framework": key, "element": e, "score": float("nan"), "reason": reason}
                      for key in chosen for e in _elements(key)]
        else:
            scored = _score_rows(diagnose_all(then, as_of=end, frameworks=chosen, window=window, **options))
        rows += [{"period": period.start_time.tz_localize("UTC"), "period_end": end, **row, "tasks": tasks}
                 for row in scored]
    out = pd.DataFrame(rows, columns=list(SCORE_COLUMNS))
    out["score"] = out["score"].astype("float64")
    out["tasks"] = out["tasks"].astype("int64")
    out.attrs.update(attrs)
    return out

"""Backtests: forecasts made from past dates, scored against what happened (see :mod:`workfw.flow`).

**Origins.**  The latest origin is ``horizon_weeks`` before ``as_of`` (so
every "how many" outcome is known); earlier ones step back ``every_weeks``
at a time while they stay within the last ``over_weeks``.  A forecast from
an origin sees only the tasks finished on or before the origin's day (its
throughput window ends there), exactly as a forecast made that day would
have, except that completions are the ones recorded now: a task reopened
after the origin counts where it was finally done.

**Scoring at one level** (85 by default).

- *How many*: the forecast says "at least N tasks in the ``horizon_weeks``
  after the origin, in 85% of runs"; it is a hit when at least N were
  finished on the days after the origin up to the horizon's end.
- *When*: the forecast says "``items`` tasks finished by date D, in 85% of
  runs"; it is a hit when the ``items``-th task finished after the origin
  was finished on or before D.  ``items`` defaults to the tasks finished in
  the ``horizon_weeks`` before the origin (at least 1), a backlog the size
  of the team's recent work, known on the day.  When that many are not yet
  finished by ``as_of``, the forecast is a miss once D has passed, and not
  yet scored (``hit`` NA) while D is still ahead.

A forecast that was not made (too little history, see
:mod:`workfw.flow.forecast_range`) is not scored either.  A forecast at the
85th percentile that is right about 85% of the time can be trusted as
stated; far less means the future has not looked like the sampled past.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workfw.errors import OptionError
from workfw.flow.forecast import _as_of, _check_forecast, _stamp_day
from workfw.flow.forecast_range import MIN_COMPLETED, _backlog, _whole, forecast_how_many_range, forecast_when_range
from workfw.flow.times import _check_levels, _cycles_or, _naive, cycle_times
from workfw.schema import tasks_of

__all__ = ["backtest_forecasts", "backtest_hit_rate"]

_KINDS = ("how many", "when")


def _weeks(value: Any, name: str, default: int) -> int:
    weeks = _whole(value)
    if weeks is None or weeks < 1:
        raise OptionError(f"{name}={value!r}; expected a whole number of weeks >= 1. Next step: pass {name}={default}.")
    return weeks


def _origins(last: pd.Timestamp, *, horizon: int, every: int, over: int) -> list[pd.Timestamp]:
    if over < horizon:
        raise OptionError(f"over_weeks={over!r} is shorter than horizon_weeks={horizon!r}; expected over_weeks >= "
                          "horizon_weeks, so at least one forecast's outcome is known. "
                          f"Next step: pass over_weeks={max(horizon * 3, 12)}.")
    first = last - pd.Timedelta(weeks=over)
    origins, day = [], last - pd.Timedelta(weeks=horizon)
    while day >= first:
        origins.append(day)
        day -= pd.Timedelta(weeks=every)
    return origins[::-1]


def backtest_forecasts(data: Any, *, horizon_weeks: int = 4, every_weeks: int = 2, over_weeks: int = 26,
                       items: int | None = None, level: float = 85, runs: int = 2000, seed: int = 0,
                       working_days: bool = False, history_weeks: int = 12, freq: str = "D",
                       min_completed: int = MIN_COMPLETED, as_of: Any = None,
                       cycles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Run the "how many" and "when" forecasts from past dates and compare them with what happened.

    See the module notes for the origins and the scoring.  Each forecast is
    :func:`workfw.flow.forecast_how_many_range` or
    :func:`workfw.flow.forecast_when_range` with ``as_of`` at the origin.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    horizon_weeks : int
        How far ahead each "how many" forecast looks; also sizes the default ``items``.
    every_weeks : int
        Weeks between origins.
    over_weeks : int
        How far back the origins go from ``as_of``.
    items : int, optional
        Tasks each "when" forecast must see finished; by default the tasks
        finished in the ``horizon_weeks`` before its origin.
    level : float
        The likelihood scored (85: the 85th percentile).
    runs, seed : int
        Simulated runs per forecast and the random seed.
    working_days, history_weeks, freq, min_completed
        As :func:`workfw.flow.forecast_when_range`.
    as_of : date-like, optional
        The last day outcomes are known; defaults to the data's reference time.
    cycles : pandas.DataFrame, optional
        :func:`workfw.flow.cycle_times` of the same ``data`` (only completions are read).

    Returns
    -------
    pandas.DataFrame
        Two rows per origin (``forecast`` "how many", then "when"), oldest
        first: ``origin, forecast, level, horizon_end, items,
        predicted_items, actual_items, predicted_date, actual_date, hit, made,
        window_start, window_end, samples, completed, reason``.  "How many"
        rows fill ``horizon_end`` and the ``*_items``; "when" rows fill
        ``items`` and the ``*_date`` (UTC calendar days; ``actual_date``
        NaT when not yet reached).  ``made`` is False when there was too
        little history to forecast; ``hit`` is NA then and while the outcome
        is not known yet, and ``reason`` says which.
        :func:`backtest_hit_rate` sums it up.
    """
    _check_forecast(freq, runs)
    horizon = _weeks(horizon_weeks, "horizon_weeks", 4)
    every = _weeks(every_weeks, "every_weeks", 2)
    over = _weeks(over_weeks, "over_weeks", 26)
    if isinstance(items, (tuple, list)):
        raise OptionError(f"items={items!r}; expected one whole number of tasks >= 1 (a backtest scores one "
                          "backlog size). Next step: pass items=20 or leave it out.")
    fixed = None if items is None else _backlog(items)[0]
    cut = _check_levels([level])[0]
    tasks = tasks_of(data)
    last = pd.Timestamp(_stamp_day(_as_of(data, tasks, as_of)))
    done = _cycles_or(cycles, lambda: cycle_times(data, start="created"), where="backtest_forecasts")
    days = np.sort(_naive(done["completed"]).dt.floor("D").to_numpy().astype("datetime64[D]"))
    if working_days:
        # As the throughput is sampled: a weekend completion counts on the Friday before.
        days = np.busday_offset(days, 0, roll="backward")
    span = pd.Timedelta(weeks=horizon)
    common = dict(runs=runs, seed=seed, working_days=working_days, history_weeks=history_weeks, freq=freq,
                  levels=[cut], min_completed=min_completed, cycles=done)
    rows = []
    for origin in _origins(last, horizon=horizon, every=every, over=over):
        stamp = origin.tz_localize("UTC")
        day, end = np.datetime64(origin.date()), np.datetime64((origin + span).date())
        later = days[days > day]
        how = forecast_how_many_range(data, until=origin + span, as_of=stamp, **common).iloc[0]
        actual = int((later <= end).sum())
        made = pd.isna(how["reason"])
        rows.append({"origin": origin, "forecast": _KINDS[0], "horizon_end": origin + span, "items": pd.NA,
                     "predicted_items": how["items"], "actual_items": actual, "predicted_date": pd.NaT,
                     "actual_date": pd.NaT, "hit": bool(actual >= how["items"]) if made else pd.NA, "made": made,
                     **{k: how[k] for k in ("window_start", "window_end", "samples", "completed", "reason")}})
        recent = int(((days > np.datetime64((origin - span).date())) & (days <= day)).sum())
        need = fixed or max(1, recent)
        when = forecast_when_range(data, items=need, as_of=stamp, **common).iloc[0]
        reached = pd.Timestamp(later[need - 1]) if len(later) >= need else pd.NaT
        predicted = when["date"]
        reason = when["reason"]
        if not pd.isna(reason):
            hit = pd.NA
        elif not pd.isna(reached):
            hit = bool(pd.isna(predicted) or reached <= predicted)
        elif not pd.isna(predicted) and predicted < last:
            hit = False
        else:
            hit = pd.NA
            reason = (f"not known yet: {need} tasks were not finished by {last:%Y-%m-%d}, and the forecast date "
                      f"{'is beyond the horizon' if pd.isna(predicted) else f'{predicted:%Y-%m-%d} is still ahead'}")
        rows.append({"origin": origin, "forecast": _KINDS[1], "horizon_end": pd.NaT, "items": need,
                     "predicted_items": pd.NA, "actual_items": pd.NA, "predicted_date": predicted,
                     "actual_date": reached, "hit": hit, "made": bool(pd.isna(when["reason"])),
                     **{k: when[k] for k in ("window_start", "window_end", "samples", "completed")}, "reason": reason})
    out = pd.DataFrame(rows, columns=["origin", "forecast", "horizon_end", "items", "predicted_items", "actual_items",
                                      "predicted_date", "actual_date", "hit", "made", "window_start", "window_end",
                                      "samples", "completed", "reason"])
    out.insert(2, "level", float(cut))
    for column in ("origin", "horizon_end", "predicted_date", "actual_date", "window_start", "window_end"):
        out[column] = pd.to_datetime(out[column])
    for column in ("items", "predicted_items", "actual_items", "samples", "completed"):
        out[column] = pd.array(out[column], dtype="Int64")
    out["forecast"] = out["forecast"].astype("string")
    out["hit"] = pd.array(out["hit"], dtype="boolean")
    out["made"] = out["made"].astype(bool)
    out["reason"] = out["reason"].astype("string")
    out.attrs.update(as_of=last, horizon_weeks=horizon, every_weeks=every, over_weeks=over,
                     history_weeks=history_weeks)
    return out


def backtest_hit_rate(backtest: pd.DataFrame) -> pd.DataFrame:
    """How often each kind of forecast in a backtest came true.

    Parameters
    ----------
    backtest : pandas.DataFrame
        Output of :func:`backtest_forecasts`.

    Returns
    -------
    pandas.DataFrame
        One row per forecast kind ("how many", "when"): ``forecast, level,
        origins, scored, hits, hit_rate``.  ``scored`` counts the forecasts
        made whose outcome is known; ``hit_rate`` is ``hits / scored`` (NaN
        when none was scored), to compare with ``level`` / 100.
    """
    needed = ("forecast", "level", "hit")
    if not isinstance(backtest, pd.DataFrame) or any(c not in backtest.columns for c in needed):
        found = list(backtest.columns) if isinstance(backtest, pd.DataFrame) else type(backtest).__name__
        raise OptionError(f"backtest_hit_rate: found {found}; expected the table of wf.flow.backtest_forecasts "
                          f"(columns {list(needed)}). Next step: pass wf.flow.backtest_forecasts(data).")
    rows = []
    for kind in _KINDS:
        part = backtest[backtest["forecast"] == kind]
        scored = part["hit"].notna()
        hits = int(part.loc[scored, "hit"].astype(bool).sum())
        level = float(part["level"].iloc[0]) if len(part) else np.nan
        rows.append({"forecast": kind, "level": level, "origins": len(part), "scored": int(scored.sum()),
                     "hits": hits, "hit_rate": hits / int(scored.sum()) if scored.any() else np.nan})
    out = pd.DataFrame(rows)
    out["forecast"] = out["forecast"].astype("string")
    return out

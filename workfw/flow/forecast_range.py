"""Forecasts, part 2: Monte Carlo over a backlog range with a split rate (see :mod:`workfw.flow`).

**The model.**  Throughput is sampled as in :func:`workfw.flow.forecast_when`:
each simulated day (weekday, or 7-day block) finishes as many tasks as a
random day of the throughput window did.  On top of that, each run

1. draws a backlog size ``N`` uniformly among the whole numbers of
   ``items=(low, high)`` (both ends included; a single number is a range of one);
2. draws a split rate ``s`` uniformly in ``split_rate=(low, high)`` (a single
   number is used as it is), and grows the backlog to ``ceil(N * (1 + s))``
   tasks: items that are split once started (``s=0.2``: each item becomes on
   average 1.2 tasks).  This is the multiplier model of Focused Objective's
   forecasting spreadsheets; a part of a task is still a task, so it rounds up.

"How many by a date" runs the same model backwards: ``T`` finished tasks in
a run deliver ``floor(T / (1 + s))`` of the original items (those whose
grown size fits in ``T``), capped at the run's backlog ``N`` when ``items`` is given.

**What every forecast states.**  Each row carries the throughput it sampled,
in columns, so a table shown on its own still says how much history it
rests on: ``window_start`` and ``window_end`` (UTC calendar days, the first
and last day sampled), ``samples`` (days, weekdays or weeks sampled),
``completed`` (tasks finished in the window) and ``reason``.  With fewer than
``min_completed`` (10) tasks finished in the window, or none, the forecast
values are left empty (NA) and ``reason`` says why: a fan drawn from three
finished tasks would look as confident as one drawn from three hundred.
``reason`` is NA on a forecast that was made.
"""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np
import pandas as pd

from workfw.errors import OptionError
from workfw.flow.forecast import (_Window, _as_of, _check_forecast, _finish_steps, _items_at_levels, _stamp_day,
                                  _step_dates, _step_limit, _steps_at_levels, _steps_until, _throughput_window)
from workfw.flow.times import PERCENTILE_LEVELS, _check_levels, _utc
from workfw.schema import tasks_of

__all__ = ["MIN_COMPLETED", "forecast_when_range", "forecast_how_many_range"]

#: Fewest tasks finished in the throughput window for a forecast to be made.
MIN_COMPLETED = 10

#: The columns every forecast adds to state the throughput it sampled.
_BASIS_COLUMNS = ("window_start", "window_end", "samples", "completed", "reason")
# Floating-point slack: 10 * 1.2 is 12.000000000000002, which must not round up to 13.
_SLACK = 1e-9


# --------------------------------------------------------------------------- options

def _whole(value: Any) -> int | None:
    """``value`` as an int when it is a whole number (bools are not), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)):
        return None
    return int(value) if float(value).is_integer() else None


def _backlog(items: Any, *, name: str = "items") -> tuple[int, int]:
    """``items`` as ``(low, high)`` whole numbers, 1 <= low <= high."""
    pair = tuple(items) if isinstance(items, (tuple, list)) else (items, items)
    bounds = [_whole(v) for v in pair] if len(pair) == 2 else [None]
    if any(b is None or b < 1 for b in bounds) or bounds[0] > bounds[1]:
        raise OptionError(f"{name}={items!r}; expected a whole number of tasks >= 1 or a range (low, high) with "
                          f"1 <= low <= high. Next step: pass {name}=20 or {name}=(100, 120).")
    return bounds[0], bounds[1]


def _split(split_rate: Any) -> tuple[float, float]:
    """``split_rate`` as ``(low, high)``, 0 <= low <= high, both finite."""
    pair = tuple(split_rate) if isinstance(split_rate, (tuple, list)) else (split_rate, split_rate)
    ok = len(pair) == 2 and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                                and math.isfinite(float(v)) and float(v) >= 0 for v in pair)
    if not ok or float(pair[0]) > float(pair[1]):
        raise OptionError(f"split_rate={split_rate!r}; expected a share >= 0 (0.2: each item becomes 1.2 tasks on "
                          "average) or a range (low, high) with 0 <= low <= high. Next step: pass split_rate=0.2.")
    return float(pair[0]), float(pair[1])


def _check_min(min_completed: Any) -> int:
    count = _whole(min_completed)
    if count is None or count < 0:
        raise OptionError(f"min_completed={min_completed!r}; expected a whole number of tasks >= 0. "
                          f"Next step: pass min_completed={MIN_COMPLETED}.")
    return count


def _draw_backlog(rng: np.random.Generator, bounds: tuple[int, int], size: Any) -> np.ndarray:
    # A range of one draws nothing, so a fixed backlog leaves the random stream as forecast_when uses it.
    if bounds[0] == bounds[1]:
        return np.full(size, bounds[0], dtype=np.int64)
    return rng.integers(bounds[0], bounds[1] + 1, size=size, dtype=np.int64)


def _draw_split(rng: np.random.Generator, bounds: tuple[float, float], size: Any) -> np.ndarray:
    if bounds[0] == bounds[1]:
        return np.full(size, bounds[0], dtype=np.float64)
    return rng.uniform(bounds[0], bounds[1], size=size)


def _grown(backlog: np.ndarray, split: np.ndarray) -> np.ndarray:
    """Tasks a backlog becomes once its items split: ``ceil(N * (1 + s))``."""
    return np.ceil(backlog * (1.0 + split) - _SLACK).astype(np.int64)


def _originals(finished: np.ndarray, split: np.ndarray) -> np.ndarray:
    """Original items delivered by ``finished`` tasks: ``floor(T / (1 + s))``."""
    return np.floor(finished / (1.0 + split) + _SLACK).astype(np.int64)


# --------------------------------------------------------------------------- the window a forecast states

def _only(count: int, noun: str) -> str:
    """"no task", "only 1 task", "only 7 tasks"."""
    return f"no {noun}" if count == 0 else f"only {count} {noun}{'s' if count != 1 else ''}"


def _basis(window: _Window, min_completed: int, *, weekly: bool = False) -> dict[str, Any]:
    """The columns stating the sampled throughput, with ``reason`` set when it is too little to forecast from."""
    completed = int(window.samples.sum())
    first, last = pd.Timestamp(window.first), pd.Timestamp(window.last)
    span = f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"
    reason = None
    if len(window.samples) == 0:
        what = "no whole week of throughput" if weekly else "no throughput"
        why = "no task was finished, or the first less than 7 days before" if weekly else "no task was finished"
        instead = ", sample days (freq='D')" if weekly else ""
        reason = (f"{what} to sample by {last:%Y-%m-%d}: {why}. Next step: forecast from a later date{instead}, "
                  "or wait for finished work.")
    elif completed == 0 or completed < min_completed:
        reason = (f"{_only(completed, 'task')} finished in the throughput window "
                  f"{span} ({len(window.samples)} periods sampled); a forecast needs at least "
                  f"{max(min_completed, 1)}. Next step: widen history_weeks, or wait for more finished work.")
    return {"window_start": first, "window_end": last, "samples": len(window.samples), "completed": completed,
            "reason": reason}


def _with_basis(frame: pd.DataFrame, basis: dict[str, Any]) -> pd.DataFrame:
    """``frame`` plus the basis columns (the same value on every row)."""
    out = frame.copy()
    for column in _BASIS_COLUMNS:
        out[column] = basis[column]
    out["window_start"] = pd.to_datetime(out["window_start"])
    out["window_end"] = pd.to_datetime(out["window_end"])
    out["samples"] = out["samples"].astype("int64")
    out["completed"] = out["completed"].astype("int64")
    out["reason"] = out["reason"].astype("string")
    return out


# --------------------------------------------------------------------------- forecasts

def forecast_when_range(data: Any, *, items: int | tuple[int, int], split_rate: float | tuple[float, float] = 0.0,
                        runs: int = 10000, seed: int = 0, working_days: bool = False, history_weeks: int = 12,
                        freq: str = "D", as_of: Any = None, levels: Iterable[float] = PERCENTILE_LEVELS,
                        max_years: int = 10, min_completed: int = MIN_COMPLETED,
                        cycles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Monte Carlo forecast: by which date a backlog of ``items`` (a range) will be finished, with splitting.

    Each run draws a backlog size in ``items`` and a split rate in
    ``split_rate``, grows the backlog to ``ceil(N * (1 + s))`` tasks, then
    draws a random past day's (week's) throughput for each day after
    ``as_of`` until that many are finished (see the module notes).  With a
    single ``items`` and ``split_rate=0`` it equals
    :func:`workfw.flow.forecast_when`.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    items : int or (int, int)
        Backlog size, or the range ``(low, high)`` it lies in (each run draws
        a whole number uniformly, both ends included).
    split_rate : float or (float, float)
        Extra tasks per item once work starts (``0.2``: 10 items become 12
        tasks), or a range each run draws from uniformly.
    runs, seed : int
        Number of simulated runs and the random seed (same seed, same result).
    working_days : bool
        Simulate and sample Monday-Friday only; dates land on weekdays.
    history_weeks : int
        How many recent weeks of throughput to sample.
    freq : {"D", "W"}
        Sample daily or weekly throughput (weekly counts whole weeks only).
    as_of : date-like, optional
        Start of the forecast; defaults to the data's reference time.
    levels : iterable of float
        Likelihoods to report, strictly between 0 and 100.
    max_years : int
        Runs still short after this long are reported as not finishing (NaT).
    min_completed : int
        Fewest tasks finished in the window to make a forecast (see the module notes).
    cycles : pandas.DataFrame, optional
        :func:`workfw.flow.cycle_times` of the same ``data`` when the caller
        already has it (only completions are read).

    Returns
    -------
    pandas.DataFrame
        ``likelihood, steps, date, window_start, window_end, samples,
        completed, reason``: in ``likelihood`` % of runs the backlog was
        finished within ``steps`` days (weeks), on or before ``date`` (UTC
        calendar day; NaT when not within ``max_years``).  ``steps`` and
        ``date`` are NA, and ``reason`` says why, when the window holds too
        little history.  ``attrs`` holds ``as_of``, ``items`` and
        ``split_rate`` as ``(low, high)`` pairs.
    """
    _check_forecast(freq, runs)
    backlog, split, least = _backlog(items), _split(split_rate), _check_min(min_completed)
    wanted = _check_levels(levels)
    tasks = tasks_of(data)
    stamp = _as_of(data, tasks, as_of)
    window = _throughput_window(data, as_of=stamp, history_weeks=history_weeks, working_days=working_days,
                                freq=freq, cycles=cycles, where="forecast_when_range")
    basis = _basis(window, least, weekly=freq == "W")
    if basis["reason"] is not None:
        steps: list[int | None] = [None] * len(wanted)
    else:
        rng = np.random.default_rng(seed)
        size = int(runs)
        targets = _grown(_draw_backlog(rng, backlog, size), _draw_split(rng, split, size))
        finish = _finish_steps(window.samples.astype(np.int32), targets, rng,
                               limit=_step_limit(max_years, freq=freq, working_days=working_days))
        steps = _steps_at_levels(finish[:, 0], wanted)
    dates = _step_dates(np.datetime64(_stamp_day(stamp)), steps, freq=freq, working_days=working_days)
    out = _with_basis(pd.DataFrame({"likelihood": wanted, "steps": pd.array(steps, dtype="Int64"), "date": dates}),
                      basis)
    out.attrs.update(as_of=stamp, items=backlog, split_rate=split)
    return out


def forecast_how_many_range(data: Any, *, until: Any, items: int | tuple[int, int] | None = None,
                            split_rate: float | tuple[float, float] = 0.0, runs: int = 10000, seed: int = 0,
                            working_days: bool = False, history_weeks: int = 12, freq: str = "D",
                            as_of: Any = None, levels: Iterable[float] = PERCENTILE_LEVELS,
                            min_completed: int = MIN_COMPLETED, cycles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Monte Carlo forecast: how many original items will be finished by ``until``, with splitting.

    Each run adds up one random past day's (week's) throughput for every day
    from the day after ``as_of`` to ``until`` inclusive (as
    :func:`workfw.flow.forecast_how_many`), giving ``T`` finished tasks, then
    counts the original items they deliver: ``floor(T / (1 + s))`` for the
    run's split rate ``s``, at most the run's backlog size when ``items`` is
    given.  With neither ``items`` nor a split rate it equals
    :func:`workfw.flow.forecast_how_many`.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    until : date-like
        The target date (UTC calendar day), after ``as_of``.
    items : int or (int, int), optional
        The backlog (or its range): no run delivers more than its drawn size.
    split_rate : float or (float, float)
        Extra tasks per item once work starts, or a range to draw from.
    runs, seed : int
        Number of simulated runs and the random seed.
    working_days : bool
        Simulate and sample Monday-Friday only.
    history_weeks : int
        How many recent weeks of throughput to sample.
    freq : {"D", "W"}
        Sample daily or weekly throughput.
    as_of : date-like, optional
        Start of the forecast; defaults to the data's reference time.
    levels : iterable of float
        Likelihoods to report.
    min_completed : int
        Fewest tasks finished in the window to make a forecast.
    cycles : pandas.DataFrame, optional
        :func:`workfw.flow.cycle_times` of the same ``data`` (only completions are read).

    Returns
    -------
    pandas.DataFrame
        ``likelihood, items, window_start, window_end, samples, completed,
        reason``: in ``likelihood`` % of runs at least ``items`` original
        items were finished (never rising as likelihood rises).  ``items`` is
        NA, and ``reason`` says why, when the window holds too little
        history.  ``attrs`` holds ``as_of``, ``until``, ``steps``,
        ``items`` (None or ``(low, high)``) and ``split_rate``.
    """
    _check_forecast(freq, runs)
    backlog = None if items is None else _backlog(items)
    split, least = _split(split_rate), _check_min(min_completed)
    wanted = _check_levels(levels)
    tasks = tasks_of(data)
    stamp = _as_of(data, tasks, as_of)
    target = _utc(until, name="until")
    start_day, end_day = np.datetime64(_stamp_day(stamp)), np.datetime64(_stamp_day(target))
    if end_day <= start_day:
        raise OptionError(f"until={until!r} is not after as_of {_stamp_day(stamp)}; expected a later date. "
                          "Next step: pass a date after the last activity in the export.")
    steps = _steps_until(start_day, end_day, freq=freq, working_days=working_days)
    window = _throughput_window(data, as_of=stamp, history_weeks=history_weeks, working_days=working_days,
                                freq=freq, cycles=cycles, where="forecast_how_many_range")
    basis = _basis(window, least, weekly=freq == "W")
    if basis["reason"] is not None:
        delivered: list[int | None] = [None] * len(wanted)
    else:
        rng = np.random.default_rng(seed)
        size = int(runs)
        # Draw order as forecast_how_many's (the totals first), so its result is reproduced without the options.
        values, freqs = np.unique(window.samples, return_counts=True)
        totals = rng.multinomial(steps, freqs / freqs.sum(), size=size) @ values
        count = _originals(totals, _draw_split(rng, split, size))
        if backlog is not None:
            count = np.minimum(count, _draw_backlog(rng, backlog, size))
        delivered = _items_at_levels(np.sort(count), wanted)
    out = _with_basis(pd.DataFrame({"likelihood": wanted, "items": pd.array(delivered, dtype="Int64")}), basis)
    out.attrs.update(as_of=stamp, until=target, steps=steps, items=backlog, split_rate=split)
    return out

"""Flow metrics, part 3: Monte Carlo forecasts and Little's law (see :mod:`workfw.flow`)."""
from __future__ import annotations

import math
from typing import Any, Iterable, NamedTuple

import numpy as np
import pandas as pd

from workfw.errors import OptionError
from workfw.schema import tasks_of
from workfw.flow.times import (_MAX_CELLS, _check_levels, _cycles_or, _naive, _resolve_as_of, _utc,
                          cycle_times)
from workfw.flow.metrics import throughput, wip

__all__ = ["forecast_how_many", "forecast_when", "littles_law"]


# --------------------------------------------------------------------------- forecasts

class _Window(NamedTuple):
    """The throughput a forecast samples: counts per day (or 7-day block) from ``first`` to ``last``."""

    samples: np.ndarray
    first: np.datetime64
    last: np.datetime64


def _throughput_window(data: Any, *, as_of: pd.Timestamp, history_weeks: int, working_days: bool,
                       freq: str, cycles: pd.DataFrame | None, where: str) -> _Window:
    """Finished tasks per day (or per 7-day block) over the sampled window ending on as_of's day."""
    if int(history_weeks) < 1:
        raise OptionError(f"history_weeks={history_weeks!r}; expected a whole number of weeks >= 1. "
                          "Next step: pass history_weeks=12.")
    done = _cycles_or(cycles, lambda: cycle_times(data, start="created"), where=where)
    days = _naive(done["completed"]).dt.floor("D").to_numpy().astype("datetime64[D]")
    last = np.datetime64(_stamp_day(as_of))
    # A team's first weeks in the tool are not zero-throughput weeks: start at its first completion.
    first = max(last - np.timedelta64(7 * int(history_weeks) - 1, "D"), days.min() if len(days) else last)
    if first > last:
        # Nothing was finished by as_of (a forecast from before the first completion): no day to sample.
        return _Window(np.zeros(0, dtype=np.int64), last, last)
    days = days[(days >= first) & (days <= last)]
    if freq == "W":
        # Whole 7-day blocks only: a partial oldest block would read as a slow week.
        blocks = (int((last - first).astype(int)) + 1) // 7
        counts = np.bincount((last - days).astype(int) // 7, minlength=blocks + 1)[:blocks]
        return _Window(counts, last - np.timedelta64(7 * blocks - 1, "D") if blocks else first, last)
    if working_days:
        # Weekend completions are credited to the Friday before, so they still count.
        days = np.busday_offset(days, 0, roll="backward")
        days = days[days >= first]
        size, index = int(np.busday_count(first, last + 1)), np.busday_count(first, days)
    else:
        size, index = int((last - first).astype(int)) + 1, (days - first).astype(int)
    return _Window(np.bincount(index, minlength=size)[:size].astype(np.int64), first, last)


def _throughput_samples(data: Any, *, as_of: pd.Timestamp, history_weeks: int, working_days: bool,
                        freq: str, cycles: pd.DataFrame | None, where: str) -> np.ndarray:
    """Finished tasks per day (or per 7-day block) over the sampled window ending on as_of's day."""
    return _throughput_window(data, as_of=as_of, history_weeks=history_weeks, working_days=working_days,
                              freq=freq, cycles=cycles, where=where).samples


def _steps_until(start_day: np.datetime64, end_day: np.datetime64, *, freq: str, working_days: bool) -> int:
    """Simulated steps from the day after ``start_day`` to ``end_day`` inclusive (days, weekdays or whole weeks)."""
    if freq == "W":
        return int((end_day - start_day).astype(int) // 7)
    if working_days:
        return int(np.busday_count(start_day + 1, end_day + 1))
    return int((end_day - start_day).astype(int))


def _items_at_levels(totals: np.ndarray, wanted: list[float]) -> list[int]:
    """The largest N reached by at least L% of runs, for each level L (``totals`` ascending)."""
    # Index floor(R * (1 - L/100)) of the ascending totals.
    return [int(totals[min(len(totals) - 1, int(math.floor(len(totals) * (1 - lv / 100))))]) for lv in wanted]


def _step_limit(max_years: int, *, freq: str, working_days: bool) -> int:
    return int(max_years * (52 if freq == "W" else 261 if working_days else 365))


def _finish_steps(pool: np.ndarray, targets: np.ndarray, rng: np.random.Generator, *, limit: int) -> np.ndarray:
    """Monte Carlo finishing steps: for each run (row) and target (column), the first step whose running total
    of throughput drawn from ``pool`` reaches the target; -1 when not reached within ``limit`` steps.

    Every run draws one throughput path, shared by all its targets (so an epic needing more items never
    finishes before one needing fewer in the same run).  Paths are drawn in blocks of steps, only for runs
    still short of a target, so memory stays under ``_MAX_CELLS`` cells.
    """
    targets = np.asarray(targets, dtype=np.int64)
    targets = targets.reshape(len(targets), -1)
    finish = np.full(targets.shape, -1, dtype=np.int64)
    runs = len(targets)
    total = np.zeros(runs, dtype=np.int64)
    done_steps = 0
    guess = max(8, int(2 * int(targets.max(initial=0)) / pool.mean()) + 8)
    while done_steps < limit and (finish < 0).any():
        live = np.flatnonzero((finish < 0).any(axis=1))
        block = int(min(limit - done_steps, guess, max(1, _MAX_CELLS // len(live))))
        path = total[live, None] + np.cumsum(pool[rng.integers(0, len(pool), size=(len(live), block))], axis=1)
        # Each row of path never falls, so shifting row r up by r * top sorts the whole block: one binary
        # search finds every target's first step at or above it (a target above its row lands past the row).
        top = int(path[:, -1].max()) + 1
        row = np.arange(len(live), dtype=np.int64)[:, None]
        where = np.searchsorted((path + row * top).ravel(), np.minimum(targets[live], top) + row * top) - row * block
        hit = (where < block) & (finish[live] < 0)
        rows, cols = np.nonzero(hit)
        finish[live[rows], cols] = done_steps + where[rows, cols] + 1
        total[live] = path[:, -1]
        done_steps += block
    return finish


def _steps_at_levels(finish: np.ndarray, wanted: list[float]) -> list[int | None]:
    """Steps within which L% of runs finished, for each level L; None where those runs never finished."""
    never = np.iinfo(np.int64).max
    ordered = np.sort(np.where(finish < 0, never, finish))
    steps = [int(ordered[max(0, math.ceil(len(ordered) * lv / 100) - 1)]) for lv in wanted]
    return [None if n == never else n for n in steps]


def _step_dates(start_day: np.datetime64, steps: list[int | None], *, freq: str,
                working_days: bool) -> pd.Series:
    """The UTC calendar day (tz-naive) ``n`` steps after ``start_day``, NaT where ``n`` is None."""
    dates = []
    for n in steps:
        if n is None:
            dates.append(pd.NaT)
        elif freq == "W":
            dates.append(pd.Timestamp(start_day + np.timedelta64(7 * n, "D")))
        elif working_days:
            dates.append(pd.Timestamp(np.busday_offset(start_day, n, roll="backward")))
        else:
            dates.append(pd.Timestamp(start_day + np.timedelta64(n, "D")))
    return pd.to_datetime(pd.Series(dates, dtype="datetime64[ns]"))


def _as_of(data: Any, tasks: pd.DataFrame, as_of: Any) -> pd.Timestamp:
    return _resolve_as_of(as_of, data, tasks)


def _stamp_day(stamp: pd.Timestamp) -> str:
    """The UTC calendar day of a timestamp as ``YYYY-MM-DD``."""
    return stamp.tz_convert("UTC").strftime("%Y-%m-%d")


def _check_forecast(freq: str, runs: int) -> None:
    if freq not in ("D", "W"):
        raise OptionError(f"freq={freq!r}; expected 'D' (sample days) or 'W' (sample weeks). "
                          "Next step: pass freq='D'.")
    if int(runs) < 100:
        raise OptionError(f"runs={runs!r}; expected at least 100 simulated runs. Next step: pass runs=10000.")


def _no_forecast(columns: list[str], reason: str) -> pd.DataFrame:
    out = pd.DataFrame({c: [] for c in columns})
    out.attrs["reason"] = reason
    return out


def forecast_how_many(data: Any, *, until: Any, runs: int = 10000, seed: int = 0, working_days: bool = False,
                      history_weeks: int = 12, freq: str = "D", as_of: Any = None,
                      levels: Iterable[float] = (50, 70, 85, 95), cycles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Monte Carlo forecast: how many tasks will be finished by ``until``.

    Each run adds up one random past day's (or week's) throughput for every
    day (week) from the day after ``as_of`` to ``until`` inclusive; the
    sampled window is the last ``history_weeks`` weeks ending on ``as_of``'s
    day (shorter when the data starts later).  With ``working_days`` only
    weekdays are simulated and sampled.  Draws per run are counted with one
    multinomial draw, so 10,000 runs take milliseconds.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    until : date-like
        The target date (UTC calendar day), after ``as_of``.
    runs, seed : int
        Number of simulated runs and the random seed (same seed, same result).
    working_days : bool
        Simulate and sample Monday-Friday only.
    history_weeks : int
        How many recent weeks of throughput to sample.
    freq : {"D", "W"}
        Sample daily or weekly throughput (weekly counts whole weeks only).
    as_of : date-like, optional
        Start of the forecast; defaults to the latest timestamp in the data.
    levels : iterable of float
        Likelihoods to report.
    cycles : pandas.DataFrame, optional
        :func:`workfw.flow.cycle_times` of the same ``data`` when the caller
        already has it (any ``start``: only completions are read), so it is
        not rebuilt.

    Returns
    -------
    pandas.DataFrame
        ``likelihood, items``: in ``likelihood`` % of runs at least ``items``
        tasks were finished (items never rise as likelihood rises).
        ``attrs`` holds ``as_of``, ``until``, ``steps`` and ``sampled``.
    """
    _check_forecast(freq, runs)
    tasks = tasks_of(data)
    stamp = _as_of(data, tasks, as_of)
    target = _utc(until, name="until")
    start_day, end_day = np.datetime64(_stamp_day(stamp)), np.datetime64(_stamp_day(target))
    if end_day <= start_day:
        raise OptionError(f"until={until!r} is not after as_of {_stamp_day(stamp)}; expected a later date. "
                          "Next step: pass a date after the last activity in the export.")
    steps = _steps_until(start_day, end_day, freq=freq, working_days=working_days)
    samples = _throughput_samples(data, as_of=stamp, history_weeks=history_weeks, working_days=working_days,
                                  freq=freq, cycles=cycles, where="forecast_how_many")
    wanted = _check_levels(levels)
    if len(samples) == 0 or samples.sum() == 0:
        return _no_forecast(["likelihood", "items"], "no task was finished in the sampled weeks")
    values, freqs = np.unique(samples, return_counts=True)
    rng = np.random.default_rng(seed)
    totals = np.sort(rng.multinomial(steps, freqs / freqs.sum(), size=int(runs)) @ values)
    items = _items_at_levels(totals, wanted)
    out = pd.DataFrame({"likelihood": wanted, "items": items})
    out.attrs.update(as_of=stamp, until=target, steps=steps, sampled=len(samples))
    return out


def forecast_when(data: Any, *, items: int, runs: int = 10000, seed: int = 0, working_days: bool = False,
                  history_weeks: int = 12, freq: str = "D", as_of: Any = None,
                  levels: Iterable[float] = (50, 70, 85, 95), max_years: int = 10,
                  cycles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Monte Carlo forecast: by which date ``items`` more tasks will be finished.

    Each run draws a random past day's (or week's) throughput for each day
    after ``as_of`` until the running total reaches ``items``.  Sampling as in
    :func:`forecast_how_many`.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    items : int
        How many tasks must be finished (at least 1).
    runs, seed : int
        Number of simulated runs and the random seed.
    working_days : bool
        Simulate Monday-Friday only; dates land on weekdays.
    history_weeks : int
        How many recent weeks of throughput to sample.
    freq : {"D", "W"}
        Sample daily or weekly throughput.
    as_of : date-like, optional
        Start of the forecast; defaults to the latest timestamp in the data.
    levels : iterable of float
        Likelihoods to report.
    max_years : int
        Runs still short after this long are reported as not finishing (NaT).
    cycles : pandas.DataFrame, optional
        :func:`workfw.flow.cycle_times` of the same ``data`` when the caller
        already has it (any ``start``: only completions are read), so it is
        not rebuilt.

    Returns
    -------
    pandas.DataFrame
        ``likelihood, steps, date``: in ``likelihood`` % of runs the work was
        finished within ``steps`` days (weeks), i.e. on or before ``date``
        (UTC calendar day).  Dates never fall as likelihood rises.
    """
    _check_forecast(freq, runs)
    if int(items) < 1:
        raise OptionError(f"items={items!r}; expected a whole number of tasks >= 1. Next step: pass items=20.")
    tasks = tasks_of(data)
    stamp = _as_of(data, tasks, as_of)
    samples = _throughput_samples(data, as_of=stamp, history_weeks=history_weeks, working_days=working_days,
                                  freq=freq, cycles=cycles, where="forecast_when")
    wanted = _check_levels(levels)
    if len(samples) == 0 or samples.sum() == 0:
        return _no_forecast(["likelihood", "steps", "date"], "no task was finished in the sampled weeks")
    rng = np.random.default_rng(seed)
    finish = _finish_steps(samples.astype(np.int32), np.full(int(runs), int(items)), rng,
                           limit=_step_limit(max_years, freq=freq, working_days=working_days))
    steps = _steps_at_levels(finish[:, 0], wanted)
    dates = _step_dates(np.datetime64(_stamp_day(stamp)), steps, freq=freq, working_days=working_days)
    out = pd.DataFrame({"likelihood": wanted, "steps": pd.array(steps, dtype="Int64"), "date": dates})
    out.attrs.update(as_of=stamp, items=int(items), sampled=len(samples))
    return out


def littles_law(*, wip: float, throughput_per_week: float) -> float:
    """Expected average cycle time in days for a WIP level: ``wip / throughput_per_week * 7``.

    A what-if helper for choosing a WIP limit: it holds for averages over a
    stable period, not for any single task.

    Parameters
    ----------
    wip : float
        Average number of tasks in progress (>= 0).
    throughput_per_week : float
        Average tasks finished per week (> 0).

    Returns
    -------
    float
        Average cycle time in calendar days.
    """
    if not (isinstance(wip, (int, float)) and wip >= 0):
        raise OptionError(f"wip={wip!r}; expected a number of tasks >= 0. Next step: pass wip=5.")
    if not (isinstance(throughput_per_week, (int, float)) and throughput_per_week > 0):
        raise OptionError(f"throughput_per_week={throughput_per_week!r}; expected a rate above 0. "
                          "Next step: pass the average of wf.flow.throughput(data)['count'].")
    return float(wip) / float(throughput_per_week) * 7.0

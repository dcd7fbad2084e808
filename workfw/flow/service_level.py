"""Service-level expectation: "85% of items finish within N days", and the open work already past it.

The expectation at a level is that percentile of the cycle times of the
tasks finished in the window (linear interpolation between ranks, as
:func:`workfw.flow.percentiles`).  Open work is the work in progress of
:func:`workfw.flow.aging_wip` (epics, initiatives and goals left out), aged
on ``as_of``; a task is *past* the expectation when its age is strictly
greater (a task exactly N days old has not passed it yet).  The window,
the number of cycle times read and, when they are too few, the reason
are columns of every row, as in :mod:`workfw.flow.forecast_range`.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pandas as pd

from workfw.errors import OptionError
from workfw.flow.forecast_range import MIN_COMPLETED, _check_min, _only, _whole, _with_basis
from workfw.flow.aging import CONTAINER_TYPES, aging_wip
from workfw.flow.stage_rules import _describe, _stage_table
from workfw.flow.times import (PERCENTILE_LEVELS, _check_levels, _cycles_or, _naive, _resolve_as_of, cycle_times)
from workfw.schema import tasks_of

__all__ = ["service_level_expectation", "service_level_items"]


def _measure(data: Any, *, levels: Iterable[float], as_of: Any, history_weeks: int | None, start: str,
             working_days: bool, exclude_types: Iterable[str], min_completed: int, bots: Iterable[str],
             cycles: pd.DataFrame | None, stages: Any, commitment: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The expectation table and the aging table it was compared with."""
    wanted = _check_levels(levels)
    least = _check_min(min_completed)
    weeks = None if history_weeks is None else _whole(history_weeks)
    if history_weeks is not None and (weeks is None or weeks < 1):
        raise OptionError(f"history_weeks={history_weeks!r}; expected a whole number of weeks >= 1, or None for "
                          "every finished task. Next step: pass history_weeks=12.")
    tasks = tasks_of(data)
    stamp = _resolve_as_of(as_of, data, tasks)
    # One stage table for the cycle times and the aging, so both read the same commitment point.
    smap = _stage_table(data, stages, commitment) if stages is not None or commitment is not None else None
    cycle = _cycles_or(cycles, lambda: cycle_times(data, start=start, working_days=working_days, bots=bots,
                                                   stages=smap), where="service_level_expectation")
    day = _naive(cycle["completed"]).dt.floor("D")
    last = pd.Timestamp(_naive(pd.Series([stamp])).iloc[0]).floor("D")
    first = last - pd.Timedelta(days=7 * weeks - 1) if weeks else (day.min() if len(day) else last)
    first = min(first, last) if not pd.isna(first) else last
    inside = ((day >= first) & (day <= last)).to_numpy(dtype=bool)
    values = cycle.loc[inside, "cycle_time_days"].dropna().to_numpy(dtype="float64")
    reason = None
    if len(values) == 0 or len(values) < least:
        reason = (f"{_only(len(values), 'finished task')} with a cycle time in "
                  f"{first:%Y-%m-%d} to {last:%Y-%m-%d}; an expectation needs at least {max(least, 1)}. "
                  "Next step: widen history_weeks, or wait for more finished work.")
    days = np.full(len(wanted), np.nan) if reason else np.percentile(values, wanted)
    aging = aging_wip(data, as_of=stamp, start=start, working_days=working_days, bots=bots,
                      exclude_types=exclude_types, cycles=cycle, stages=smap)
    ages = aging["age_days"].dropna().to_numpy(dtype="float64")
    past = [pd.NA if reason else int((ages > d).sum()) for d in days]
    share = [np.nan if reason or len(ages) == 0 else float(n) / len(ages) for n in past]
    frame = pd.DataFrame({"level": wanted, "days": days.astype("float64"), "open_items": len(ages),
                          "past": pd.array(past, dtype="Int64"), "past_share": np.asarray(share, dtype="float64")})
    out = _with_basis(frame, {"window_start": first, "window_end": last, "samples": len(values),
                              "completed": int(inside.sum()), "reason": reason})
    out["open_items"] = out["open_items"].astype("int64")
    out.attrs.update(as_of=stamp, start=start, working_days=bool(working_days))
    if smap is not None:
        _describe(smap, out)
    return out, aging


def service_level_expectation(data: Any, *, levels: Iterable[float] = PERCENTILE_LEVELS, as_of: Any = None,
                              history_weeks: int | None = None, start: str = "started", working_days: bool = False,
                              exclude_types: Iterable[str] = CONTAINER_TYPES, min_completed: int = MIN_COMPLETED,
                              bots: Iterable[str] = (), cycles: pd.DataFrame | None = None, stages: Any = None,
                              commitment: str | None = None) -> pd.DataFrame:
    """Service-level expectations from cycle-time percentiles, and the share of open work already past each.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    levels : iterable of float
        Percent levels, each strictly between 0 and 100.
    as_of : date-like, optional
        The day open work is aged on, and the window's last day; defaults to
        the data's reference time.
    history_weeks : int, optional
        Read the cycle times of tasks finished in the last this many weeks
        up to ``as_of``; every task finished by then when None.
    start : str
        Where the clock starts (see :func:`workfw.flow.cycle_times`).
    working_days : bool
        Count cycle times and ages in Monday-Friday days.
    exclude_types : iterable of str
        Task types left out of the open work (see :func:`workfw.flow.aging_wip`).
    min_completed : int
        Fewest cycle times in the window to state an expectation.
    bots : iterable of str
        Extra names to treat as agents.
    cycles : pandas.DataFrame, optional
        ``cycle_times(data, start=start, working_days=working_days)`` (with the same ``stages``) when
        the caller already has it.
    stages, commitment : optional
        A stage definition (see :func:`workfw.flow.stage_map`): cycle times and the ages of open
        work then start at its commitment point, and open work is the work in its committed
        stages (see :func:`workfw.flow.cycle_times` and :func:`workfw.flow.aging_wip`).
        ``start`` must then stay ``"started"``.

    Returns
    -------
    pandas.DataFrame
        One row per level: ``level, days, open_items, past, past_share,
        window_start, window_end, samples, completed, reason``: ``level`` %
        of the tasks finished in the window took at most ``days``;
        ``past`` of the ``open_items`` in progress are already older
        (``past_share`` of them; NaN with no open work).  ``samples`` is the
        number of cycle times read, ``completed`` the tasks finished in the
        window.  ``days``, ``past`` and ``past_share`` are NA, and
        ``reason`` says why, with too few cycle times.  ``attrs`` holds ``as_of``, ``start``,
        ``working_days`` and, with a stage definition, ``stages``, ``commitment`` and
        ``stage_definition``.
    """
    out, _ = _measure(data, levels=levels, as_of=as_of, history_weeks=history_weeks, start=start,
                      working_days=working_days, exclude_types=exclude_types, min_completed=min_completed, bots=bots,
                      cycles=cycles, stages=stages, commitment=commitment)
    return out


def service_level_items(data: Any, *, level: float = 85, as_of: Any = None, history_weeks: int | None = None,
                        start: str = "started", working_days: bool = False,
                        exclude_types: Iterable[str] = CONTAINER_TYPES, min_completed: int = MIN_COMPLETED,
                        bots: Iterable[str] = (), cycles: pd.DataFrame | None = None, stages: Any = None,
                        commitment: str | None = None) -> pd.DataFrame:
    """The work in progress against one service-level expectation: which tasks are already past it.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    level : float
        The expectation's level (85: "85% of tasks finish within N days").
    as_of, history_weeks, start, working_days, exclude_types, min_completed, bots, cycles, stages, commitment
        As :func:`service_level_expectation`.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`workfw.flow.aging_wip` (oldest first) plus
        ``sle_days`` (the expectation) and ``past_sle`` (age strictly
        greater; NA when there is no expectation).  ``attrs`` holds the
        expectation's row (level, days, window, samples, reason) as the
        dict ``expectation``.
    """
    table, aging = _measure(data, levels=[level], as_of=as_of, history_weeks=history_weeks, start=start,
                            working_days=working_days, exclude_types=exclude_types, min_completed=min_completed,
                            bots=bots, cycles=cycles, stages=stages, commitment=commitment)
    days = float(table["days"].iloc[0])
    out = aging.copy()
    out["sle_days"] = days
    past = out["age_days"] > days
    out["past_sle"] = pd.array(past.where(out["age_days"].notna() & (not np.isnan(days)), None), dtype="boolean")
    # Plain values, not the table: pandas compares attrs when it combines frames, and a frame there cannot be.
    out.attrs = {**aging.attrs, "expectation": {k: (None if pd.isna(v) else v) for k, v in table.iloc[0].items()}}
    return out

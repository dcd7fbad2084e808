"""Values of each task's own row, worked out once per export and taken at a filter's rows.

:func:`workfw.core.prepare` links a filtered table to the table it was taken
from (:func:`origin`); :func:`per_row` then computes a row-wise value on the
whole table once and takes the selected rows, so a new team, window or actor
filter costs a take, not a recomputation.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable

import numpy as np
import pandas as pd

from workfw.core.cache import cached, cached_value
from workfw.table_versions import arrays_of

__all__ = ["NAT", "as_ns", "gap_days", "per_row", "origin", "link_origin", "selected_positions"]

#: The int64 that stands for an empty timestamp in :func:`as_ns` arrays.
NAT = np.iinfo(np.int64).min

# Names no value of per_row can take (those are text).
_ORIGIN = ("filtered from",)
#: Kept on a base table only so that it holds a version (see link_origin).
_WATCHED = ("watched as a base",)


def gap_days(nanoseconds: np.ndarray) -> np.ndarray:
    """Gaps in nanoseconds as days: ``Timedelta.total_seconds() / 86400`` without a Timedelta array.

    Whole seconds and the rest are divided apart, as pandas' ``total_seconds`` does, so whole-second
    gaps (every tracker's stamps) give the same float to the last bit and others agree to within one
    unit in the last place.  A million gaps need no Timedelta array in between (~60 ms).

    Parameters
    ----------
    nanoseconds : numpy.ndarray
        int64 differences of two :func:`as_ns` arrays (taken where both are known).

    Returns
    -------
    numpy.ndarray
        float64, one per gap.
    """
    seconds, rest = np.divmod(np.asarray(nanoseconds, dtype=np.int64), 10**9)
    return (seconds + rest / 10**9) / 86400


def as_ns(values: pd.Series) -> np.ndarray:
    """Timestamps as int64 nanoseconds since the epoch (UTC); :data:`NAT` where empty.

    Parameters
    ----------
    values : pandas.Series
        A datetime column.

    Returns
    -------
    numpy.ndarray
        int64, one per row; read-only (it may share the column's memory).
    """
    array = values.array
    if isinstance(array, pd.arrays.DatetimeArray) and array.unit == "ns":
        # Already nanoseconds: a view of the column instead of a copy (~10 ms and 8 MB per million rows).
        view = array.asi8.view()
    else:
        view = np.asarray(pd.DatetimeIndex(values).as_unit("ns").asi8, dtype=np.int64)
    view.flags.writeable = False
    return view


def link_origin(tasks: pd.DataFrame, base: pd.DataFrame, rows: np.ndarray) -> None:
    """Record that ``tasks`` holds the rows ``rows`` of ``base``, in that order (done by :func:`workfw.core.prepare`).

    Parameters
    ----------
    tasks : pandas.DataFrame
        The filtered table, new and never changed afterwards.
    base : pandas.DataFrame
        The table it was taken from.  Held weakly: a filtered table must not keep a whole export alive.
    rows : numpy.ndarray
        Positions in ``base`` of the rows of ``tasks``.
    """
    # A version of the base is kept on it (core.cache holds one per table it keeps values on), so an edit
    # made to the base in place gives it new arrays, and origin() then no longer sends readers to it.
    cached(base, _WATCHED, lambda: True)
    cached(tasks, _ORIGIN, lambda: (weakref.ref(base), rows, arrays_of(base)))


def origin(tasks: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray] | None:
    """``(unfiltered table, positions)`` of a table :func:`workfw.core.prepare` filtered, or None for any other table.

    Parameters
    ----------
    tasks : pandas.DataFrame
        A task table.

    Returns
    -------
    tuple of (pandas.DataFrame, numpy.ndarray) or None
    """
    found = cached_value(tasks, _ORIGIN)
    if found is None:
        return None
    base = found[0]()
    # A base edited in place since (rows dropped, values changed) no longer holds the rows recorded.
    return None if base is None or arrays_of(base) != found[2] else (base, found[1])


def selected_positions(found: tuple[pd.DataFrame, np.ndarray]) -> np.ndarray:
    """Position in the filtered table of each row of the unfiltered one (-1: not selected).

    Parameters
    ----------
    found : tuple of (pandas.DataFrame, numpy.ndarray)
        From :func:`origin`.

    Returns
    -------
    numpy.ndarray
        int64, one per row of the unfiltered table.
    """
    base, rows = found
    inv = np.full(len(base), -1, dtype=np.int64)
    inv[rows] = np.arange(len(rows))
    return inv


def per_row(tasks: pd.DataFrame, name: str, build: Callable[[pd.DataFrame], Any]) -> Any:
    """``build(tasks)`` for a value that depends only on each task's own row, computed once per table.

    When ``tasks`` was filtered by :func:`workfw.core.prepare`, ``build`` runs
    once on the unfiltered table and the rows are taken by position, so a new
    team, window or actor filter costs a take, not a recomputation.

    Parameters
    ----------
    tasks : pandas.DataFrame
        A task table (usually ``Context.tasks``).
    name : str
        Names the value (one memo slot per table and name).
    build : callable
        ``build(frame)`` returns a Series on ``frame``'s index, a 1-d array or
        a DataFrame with one row per task, in ``frame``'s order.

    Returns
    -------
    Series, numpy.ndarray or DataFrame
        The values of ``tasks``' rows, in its order (a Series on its index).
    """
    found = origin(tasks)
    if found is None:
        return cached(tasks, name, lambda: build(tasks))
    base, rows = found

    def take() -> Any:
        full = cached(base, name, lambda: build(base))
        if isinstance(full, pd.Series):
            return pd.Series(full.to_numpy()[rows] if isinstance(full.dtype, np.dtype) else full.array.take(rows),
                             index=tasks.index, name=full.name)
        if isinstance(full, pd.DataFrame):
            return full.take(rows).set_axis(tasks.index)
        return full[rows]

    # The take is kept on the filtered table too: the signals of one diagnosis ask for the same values
    # (the id strings of every finding) dozens of times, each a copy of the team's rows.
    return cached(tasks, name, take)

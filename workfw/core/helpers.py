"""Small helpers signal authors share: text as pyarrow, list cells, owners, days and alternatives.

What only one framework reads lives in that framework's package (the
Coordination Stack's cue words and history moves are in
:mod:`workfw.coordination_stack.facts`, the Pyramid's kinds of work in
:mod:`workfw.value_pyramid.kinds`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from workfw.core.context import Context, NotMeasurable

__all__ = ["OPEN", "days_between", "list_sizes", "has_list", "large_text", "id_column", "owned_flags",
           "require_any"]

#: Status categories of open work.
OPEN = ("todo", "in_progress")


def days_between(later: pd.Series | pd.Timestamp, earlier: pd.Series) -> pd.Series:
    """Days from ``earlier`` to ``later`` (float; NaN where either is empty).

    Parameters
    ----------
    later : pandas.Series or pandas.Timestamp
        The later times.
    earlier : pandas.Series
        The earlier times.

    Returns
    -------
    pandas.Series
    """
    return (later - earlier).dt.total_seconds() / 86400


def list_sizes(series: pd.Series) -> np.ndarray:
    """Length of each list cell (0 for a missing one), in C rather than through ``.str.len()``.

    Parameters
    ----------
    series : pandas.Series
        A list column (``assignees``, ``labels``, ``blocked_by``).

    Returns
    -------
    numpy.ndarray
        int64, one per row.
    """
    values = series.to_numpy(dtype=object)
    try:
        return np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    except TypeError:  # a missing cell (None, NaN) among the lists
        return np.fromiter((len(v) if isinstance(v, (list, tuple, np.ndarray)) else 0 for v in values),
                           dtype=np.int64, count=len(values))


def has_list(series: pd.Series) -> pd.Series:
    """Where a list cell holds at least one item (boolean, on ``series``' index)."""
    return pd.Series(list_sizes(series) > 0, index=series.index)


def large_text(values: pd.Series) -> pa.Array:
    """A text column as one pyarrow large_string array (nulls kept), for hashing and string kernels."""
    arr = pa.array(values.astype("string").array)
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    return arr.cast(pa.large_string())


def id_column(tasks: pd.DataFrame) -> pd.api.extensions.ExtensionArray:
    """Task ids for a result frame's ``task_id`` column, as ``str``, without a trip through Python objects."""
    return tasks["task_id"].array.astype("str")


def owned_flags(tasks: pd.DataFrame) -> pd.Series:
    """Where a task has an owner: an assignee or at least one of its assignees (boolean, on the table's index)."""
    return tasks["assignee"].notna() | has_list(tasks["assignees"])


def require_any(ctx: Context, *columns: str) -> None:
    """Raise :class:`~workfw.core.NotMeasurable` unless at least one of ``columns`` has a value somewhere.

    Parameters
    ----------
    ctx : Context
        The prepared tasks.
    *columns : str
        Canonical fields, any one of which will do.

    Raises
    ------
    NotMeasurable
        With the reasons of every field, joined.
    """
    reasons = []
    for col in columns:
        try:
            ctx.require(col)
            return
        except NotMeasurable as exc:
            reasons.append(exc.reason)
    raise NotMeasurable("; ".join(reasons))

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
import pyarrow.compute as pc

from workfw.core.cache import cached
from workfw.core.context import Context, NotMeasurable
# List cells live in :mod:`workfw.core.lists` (the field checks below the context read them too); these names
# stay importable from here.
from workfw.core.lists import flat_list, has_list, list_counts, list_sizes

__all__ = ["OPEN", "days_between", "list_sizes", "has_list", "flat_list", "list_counts", "large_text",
           "mostly_repeated", "id_column", "owned_flags", "require_any", "distinct_counts",
           "column_text", "column_codes", "values_at"]

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


def large_text(values: pd.Series) -> pa.Array:
    """A text column as one pyarrow large_string array (nulls kept), for hashing and string kernels."""
    arr = pa.array(values.astype("string").array)
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    return arr.cast(pa.large_string())


def column_text(tasks: pd.DataFrame, column: str) -> pa.Array:
    """:func:`large_text` of ``tasks[column]``, converted once per table (callers must not change it).

    Several frameworks read the same names and ids (reporter, assignee, task id) as pyarrow text; each
    conversion of a million values costs a few milliseconds.

    Parameters
    ----------
    tasks : pandas.DataFrame
        A task table.
    column : str
        A text column.

    Returns
    -------
    pyarrow.Array
        large_string, one per row.
    """
    return cached(tasks, ("large text", column), lambda: large_text(tasks[column]))


def column_codes(tasks: pd.DataFrame, column: str) -> pa.DictionaryArray:
    """``pyarrow.compute.dictionary_encode`` of :func:`column_text`, hashed once per table (callers must not change it).

    Parameters
    ----------
    tasks : pandas.DataFrame
        A task table.
    column : str
        A text column.

    Returns
    -------
    pyarrow.DictionaryArray
        Codes in order of first appearance; null where the cell is empty.
    """
    return cached(tasks, ("text codes", column), lambda: pc.dictionary_encode(column_text(tasks, column)))


def distinct_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_counts=True)`` for non-negative integer keys, by counting rather than sorting.

    Keys made of two codes (``person * groups + group``) span a small range: a count per possible key is
    linear where the sort of a million keys costs ~0.1 s.  A range too wide for that falls back to the sort.

    Parameters
    ----------
    keys : numpy.ndarray
        Non-negative integers.

    Returns
    -------
    values : numpy.ndarray
        The distinct keys, ascending (int64).
    counts : numpy.ndarray
        How many times each occurs (int64).
    """
    keys = np.asarray(keys, dtype=np.int64)
    top = int(keys.max(initial=-1)) + 1
    if top > 4 * len(keys) + 65_536:
        return np.unique(keys, return_counts=True)
    counts = np.bincount(keys, minlength=top)
    values = np.flatnonzero(counts)
    return values.astype(np.int64), counts[values].astype(np.int64)


def mostly_repeated(values: pa.Array, *, sample: int = 4096, share: float = 0.5) -> bool:
    """Whether a spread sample of ``values`` holds fewer distinct values than ``share`` of its size.

    Tells a column of a few repeated values (parents, templated titles) from one of nearly all distinct
    values, to choose how to hash it; either choice gives the same result, only the time differs.

    Parameters
    ----------
    values : pyarrow.Array
        The values (nulls count as one value).
    sample : int, default 4096
        How many values, evenly spread, to look at.
    share : float, default 0.5
        The share of distinct values in the sample below which the column counts as repeated.

    Returns
    -------
    bool
    """
    if len(values) == 0:
        return False
    picked = values.take(pa.array(np.linspace(0, len(values) - 1, min(sample, len(values))).astype(np.int64)))
    return pc.count_distinct(picked, mode="all").as_py() < len(picked) * share


def id_column(tasks: pd.DataFrame) -> pd.api.extensions.ExtensionArray:
    """Task ids for a result frame's ``task_id`` column, as ``str``, without a trip through Python objects."""
    return tasks["task_id"].array.astype("str")


def owned_flags(tasks: pd.DataFrame) -> pd.Series:
    """Where a task has an owner: an assignee or at least one of its assignees (boolean, on the table's index)."""
    return tasks["assignee"].notna() | pd.Series(list_counts(tasks, "assignees") > 0, index=tasks.index)


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


def values_at(values: pd.Series, rows: np.ndarray) -> list:
    """The cells of ``values`` at a few row positions, as Python objects (None where missing).

    pyarrow's ``take`` on a chunked column (every parsed or loaded export has one) first joins the chunks: a
    million titles copied to read twenty of them (~3 ms warm, ~50 ms when the copy touches new memory).
    Here each row is read from its own chunk.

    Parameters
    ----------
    values : pandas.Series
        A column.
    rows : numpy.ndarray
        Integer positions (a few: each is read on its own).

    Returns
    -------
    list
        One value per position, in order.
    """
    data = getattr(values.array, "_pa_array", None)
    if not isinstance(data, pa.ChunkedArray):
        return [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v
                for v in values.iloc[rows].tolist()]
    sizes = np.array([len(chunk) for chunk in data.chunks], dtype=np.int64)
    starts = np.cumsum(sizes) - sizes
    which = np.searchsorted(starts + sizes, rows, side="right")
    return [data.chunk(c)[int(r - starts[c])].as_py() for c, r in zip(which.tolist(), rows.tolist())]

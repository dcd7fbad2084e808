"""List cells (``assignees``, ``labels``, ``blocked_by``): their sizes and items, read in C.

Canonical list columns hold a Python list per task.  Walking a million of
them in Python costs a tenth of a second or more each time, so the items are
converted to pyarrow once per table (:func:`flat_list`), from the Arrow lists
the cells were made from when the table still has them
(:func:`workfw.list_cells.list_items`), and every size and membership is
worked out from that.

Within :mod:`workfw.core` this module sits on :mod:`~workfw.core.cache` only:
the field checks of :mod:`~workfw.core.fields` read it.
"""
from __future__ import annotations

from itertools import chain

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.core.cache import cached
from workfw.list_cells import list_items

__all__ = ["list_sizes", "has_list", "flat_list", "list_counts"]


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


def flat_list(tasks: pd.DataFrame, column: str) -> tuple[np.ndarray, pa.Array]:
    """Every item of every list cell of ``tasks[column]``: its row position and the items as text.

    Worked out once per table (callers must not change what they get).  The
    items keep the table's row order and each cell's own order, as
    ``chain.from_iterable`` over the cells gives them; a missing item is null.

    Parameters
    ----------
    tasks : pandas.DataFrame
        A task table.
    column : str
        A list column (``assignees``, ``labels``, ``blocked_by``).

    Returns
    -------
    rows : numpy.ndarray
        int64, the row position of each item.
    items : pyarrow.Array
        large_string, one per item.
    """
    def build() -> tuple[np.ndarray, pa.Array]:
        known = list_items(tasks, column)
        return known if known is not None else _flat_list(tasks[column])

    return cached(tasks, ("flat list", column), build)


def _flat_list(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    cells = values.to_numpy(dtype=object)
    try:
        # Converted in C: a Python walk over a million cells and their items costs ~0.15 s.
        lists = pa.array(cells, type=pa.list_(pa.large_string()), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # items that are not text: as the Python walk would find them
        sizes = list_sizes(values)
        items = pa.array(list(chain.from_iterable(cells[sizes > 0])), type=pa.large_string(), from_pandas=True)
        return np.repeat(np.arange(len(cells), dtype=np.int64), sizes), items
    rows = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64)
    return rows, pc.list_flatten(lists)


def list_counts(tasks: pd.DataFrame, column: str) -> np.ndarray:
    """:func:`list_sizes` of ``tasks[column]`` from :func:`flat_list`, worked out once per table.

    Parameters
    ----------
    tasks : pandas.DataFrame
        A task table.
    column : str
        A list column.

    Returns
    -------
    numpy.ndarray
        int64, one per row (callers must not change it).
    """
    return cached(tasks, ("list counts", column),
                  lambda: np.bincount(flat_list(tasks, column)[0], minlength=len(tasks)).astype(np.int64))

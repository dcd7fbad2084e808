"""List cells of the task table (``assignees``, ``labels``, ``blocked_by``): built in bulk, flattened from Arrow.

A canonical list cell is a Python list of non-empty strings.  Readers hand
over Arrow lists of text; :func:`as_list_column` turns a million of them into
Python lists in one pass, one list per distinct combination shared by the rows
that hold it.  Analyses mostly want the opposite, every item of every row as
one flat array (:func:`workfw.core.lists.flat_list`): walking a million Python
lists back into Arrow costs ~0.1 s a column, so a conformed table remembers
the Arrow lists its cells were made from (:func:`remember_sources`) and
:func:`list_items` flattens those instead, while the table lives unedited.
"""
from __future__ import annotations

from collections.abc import Mapping
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.table_versions import KeptOn

__all__ = ["as_list_column", "list_items", "remember_sources"]


def _as_list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v) for v in value if v is not None and not (isinstance(v, float) and np.isnan(v)) and str(v) != ""]
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return []
    text = str(value)
    return [text] if text else []


def as_list_column(values: pd.Series) -> pd.Series:
    """Return a list-valued column as canonical cells: a Python list of non-empty strings per row.

    ``NA`` becomes ``[]``, a single value ``[text]``, and empty or missing
    items are dropped.  A column of Arrow lists of text
    (``pd.ArrowDtype(pa.list_(pa.string()))``), as readers build them in
    bulk, is turned into Python lists in one pass without checking each
    cell again.

    Parameters
    ----------
    values : pandas.Series
        Lists, single values or NA; or Arrow lists of text.

    Returns
    -------
    pandas.Series
        Object column of lists, with the index of ``values``.
    """
    cells = _arrow_text_lists(values)
    if cells is None:
        cells = _python_lists(values)
    # Not copied: the cells were built here (pandas would copy a million pointers and count each again).
    return pd.Series(cells, index=values.index, dtype=object, copy=False)


def _arrow_text_lists(values: pd.Series) -> list[list[str]] | np.ndarray | None:
    """Python lists from an Arrow list-of-text column, or None when ``values`` is no such column.

    Arrow has already checked the types, so only empty and missing items are
    dropped (in Arrow).  Items are built once per distinct text and shared by
    the rows that hold it: a million rows of labels hold a handful of texts.
    Where the rows repeat a few combinations (labels, a team's assignees,
    empty blockers), each combination's list is built once and shared by its
    rows (an object array): a million new lists cost 0.1-0.5 s of allocation
    on their own.  Rows hold the same list object
    only when they hold equal lists; canonical cells are never changed in place.
    """
    lists = _text_lists(values)
    if lists is None:
        return None
    n = len(values)
    items, _, counts = _kept_items(lists)
    if not len(items):
        return _shared_lists([[]], n)  # a column no row fills (Jira's blockers, often)
    encoded = pc.dictionary_encode(items)
    texts = np.empty(len(encoded.dictionary), dtype=object)
    texts[:] = encoded.dictionary.to_pylist()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    numbered = _combinations(codes, counts, len(texts), at_most=n // 4)
    if numbered is not None:
        which, combos = numbered
        return _shared_lists([[texts[c] for c in combo] for combo in combos], which)
    codes = codes.astype(np.int64)
    most = int(counts.max(initial=0))
    # list_flatten keeps row order, so each row's items are one run of codes, from starts[row].
    starts = np.cumsum(counts) - counts
    if most <= 2:
        # Mostly distinct lists of one or two items (people): each built whole from its items, about twice as
        # fast as slicing a million runs.
        with_none = np.append(texts, None)
        first = np.full(n, -1, dtype=np.int64)
        first[counts >= 1] = codes[starts[counts >= 1]]
        first_texts = with_none[first].tolist()
        if most <= 1:
            return [[a] if a is not None else [] for a in first_texts]
        second = np.full(n, -1, dtype=np.int64)
        second[counts == 2] = codes[starts[counts == 2] + 1]
        return [([a, b] if b is not None else [a]) if a is not None else []
                for a, b in zip(first_texts, with_none[second].tolist())]
    flat = texts[codes].tolist()
    return [flat[a:b] for a, b in zip(starts.tolist(), (starts + counts).tolist())]


def _combinations(codes: np.ndarray, counts: np.ndarray, texts: int, *,
                  at_most: int) -> tuple[np.ndarray, list[list[int]]] | None:
    """Number each row's run of item codes: ``(which, combos)``, row ``i`` holding ``combos[which[i]]``.

    ``codes`` are the items of every row one after another, ``counts`` how many each row has.  Each
    row's codes become one binary value (one to four bytes an item) over the same buffer, numbered in
    pyarrow's hash table: one pass, whatever the number of items a row holds.  None, without decoding
    any, when there are more than ``at_most`` distinct combinations (rows of mostly different lists).
    """
    kind = np.uint8 if texts <= 1 << 8 else np.uint16 if texts <= 1 << 16 else np.uint32
    data = codes.astype(kind)
    offsets = np.empty(len(counts) + 1, dtype=np.int64)
    offsets[0] = 0
    np.cumsum(counts, out=offsets[1:])
    offsets *= data.itemsize
    rows = pa.LargeBinaryArray.from_buffers(pa.large_binary(), len(counts),
                                            [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    encoded = pc.dictionary_encode(rows)
    if len(encoded.dictionary) > at_most:
        return None
    combos = [np.frombuffer(value, dtype=kind).tolist() for value in encoded.dictionary.to_pylist()]
    return encoded.indices.to_numpy(zero_copy_only=False), combos


def _shared_lists(made: list[list[str]], which: np.ndarray | int) -> np.ndarray:
    """An object array whose row ``i`` is the list ``made[which[i]]`` (one object shared by equal rows).

    ``which`` may be a number of rows instead, all holding ``made[0]``.
    """
    if isinstance(which, int):
        out = np.empty(which, dtype=object)
        out.fill(made[0])
        return out
    distinct = np.empty(len(made), dtype=object)
    for i, cell in enumerate(made):
        distinct[i] = cell  # one at a time: a slice assignment would read the lists as a 2-d shape
    return distinct[which]


def _python_lists(values: pd.Series) -> list[list[str]]:
    """Canonical cells of a column of Python values (lists, single values, NA)."""
    # Readers already hand over lists of non-empty strings; checking that in
    # C-level passes (and passing them through) keeps a million-row import
    # off the per-row path.
    cells = values.tolist()
    if set(map(type, cells)) <= {list}:
        items = list(chain.from_iterable(cells))
        if set(map(type, items)) <= {str} and "" not in items:
            return cells
    return [_as_list(v) for v in cells]


def _text_lists(values: pd.Series) -> pa.Array | pa.ChunkedArray | None:
    """``values``' Arrow lists of text (or of nulls), or None when it is no such column."""
    dtype = values.dtype
    if not isinstance(dtype, pd.ArrowDtype):
        return None
    kind = dtype.pyarrow_dtype
    if not (pa.types.is_list(kind) or pa.types.is_large_list(kind)) or not (
            pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)
            or pa.types.is_null(kind.value_type)):
        return None
    return values.array._pa_array


def _kept_items(lists: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray | None, np.ndarray]:
    """The items a canonical cell keeps (neither empty nor missing), in row order: ``(items, rows, counts)``.

    ``rows`` (the row of each item) is None when no item was dropped, where it is ``counts`` spelled out.
    """
    n = len(lists)
    lists = lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists
    if pa.types.is_null(lists.type.value_type):
        # Parquet writes a column of empty lists as lists of nulls (a saved export's blockers, often).
        return pa.array([], type=pa.large_string()), None, np.zeros(n, dtype=np.int64)
    items = pc.list_flatten(lists)  # null lists hold no items
    if items.null_count or pc.any(pc.equal(pc.binary_length(items), 0)).as_py():
        keep = pc.fill_null(pc.greater(pc.binary_length(items), 0), False)
        rows = pc.list_parent_indices(lists).filter(keep).to_numpy(zero_copy_only=False).astype(np.int64)
        return items.filter(keep), rows, np.bincount(rows, minlength=n)
    # Every item kept: each row's count is the length of its list (nulls hold none).
    return items, None, pc.fill_null(pc.list_value_length(lists), 0).to_numpy(zero_copy_only=False).astype(np.int64)


# The Arrow list columns each conformed table's list cells were made from ({column: Arrow lists}), kept while
# the table lives unedited.
_SOURCES = KeptOn()


def remember_sources(table: pd.DataFrame, columns: Mapping[str, pd.Series]) -> None:
    """Note which Arrow list columns ``table``'s list cells were made from, for :func:`list_items`.

    Parameters
    ----------
    table : pandas.DataFrame
        A table whose list columns were just built with :func:`as_list_column` from ``columns``.
    columns : mapping of str to pandas.Series
        The columns they were built from, one cell per row of ``table`` in order; those that are not
        Arrow lists of text are left out.
    """
    sources = {}
    for column, values in columns.items():
        lists = _text_lists(values)
        if lists is not None and len(lists) == len(table):
            sources[column] = lists
    if sources:
        _SOURCES.put(table, sources)


def list_items(tasks: pd.DataFrame, column: str) -> tuple[np.ndarray, pa.Array] | None:
    """Every item of ``tasks[column]``'s cells and its row, read from the Arrow lists they were made from.

    Parameters
    ----------
    tasks : pandas.DataFrame
        A task table.
    column : str
        A list column.

    Returns
    -------
    tuple of (numpy.ndarray, pyarrow.Array) or None
        ``(rows, items)``: int64 row positions and large_string items in row order, as flattening the
        cells gives them.  None unless :func:`remember_sources` noted the column's Arrow lists for this
        very table and the table has not been edited since.

    Notes
    -----
    An edit is seen when pandas gives the table new arrays (any edit through ``loc``, ``at``, assignment
    or an ``inplace`` method).  Canonical cells are read-only: a list changed in place (``cell.append``)
    or a cell written through ``tasks[column].array`` is not seen, here or by any value kept on the table
    (see :mod:`workfw.table_versions`); assign a new list with ``tasks.at[row, column] = [...]``.
    """
    # An edited table's Arrow lists (and the hold on its arrays before the edit) go at this lookup.
    lists = _SOURCES.get(tasks, {}).get(column)
    if lists is None:
        return None
    items, rows, counts = _kept_items(lists)
    if rows is None:
        rows = np.repeat(np.arange(len(lists), dtype=np.int64), counts)
    return rows, items.cast(pa.large_string())

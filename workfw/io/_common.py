"""Small converters every reader shares: lists in cells, repeated columns, numbers, JSON records.

Rich text (HTML) is read by :mod:`workfw.io._html`.
"""
from __future__ import annotations

import json
import re
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import repeat
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.errors import ExportReadError
from workfw.table_versions import KeptOn
from workfw.text_arrays import blank_or_missing, may_need_trim, prefixed_numbers, repeats

__all__ = ["split_values", "gather_repeated", "to_number", "first_present", "count_values", "strip_formula_guard",
           "as_lists", "arrow_text", "arrow_lists", "first_items", "map_text", "json_text", "json_cell",
           "records_frame", "parse_json_text", "lone_surrogates", "text_codes", "duplicated", "unique_ints",
           "trim_text", "strip_text", "text_column", "coded_text"]

# Arrow text to pandas' "string" dtype, as ``Series.astype("string")`` holds it (large_string).
_AS_STRING = {pa.large_string(): pd.StringDtype()}.get


def text_column(value: str | None, index: pd.Index) -> pd.Series:
    """``pd.Series(value, index=index, dtype="string")`` (all NA for None), built in pyarrow.

    pandas repeats a scalar through a take of a million positions; pyarrow writes the
    column directly (an all-NA one is a bitmap and zeros).
    """
    n = len(index)
    column = (pa.nulls(n, type=pa.large_string()) if value is None
              else pa.repeat(pa.scalar(value, type=pa.large_string()), n))
    return pd.Series(column.to_pandas(types_mapper=_AS_STRING).array, index=index)


def coded_text(codes: np.ndarray, names: tuple[str | None, ...], index: pd.Index) -> pd.Series:
    """A text column (``dtype="string"``) holding ``names[code]`` in each row; a name of None is NA.

    For the few-valued columns a reader builds from masks (``"exact"``, ``"inferred"``...): one
    take in pyarrow instead of a masked copy of a million strings per value.
    """
    column = pa.array(names, type=pa.large_string()).take(pa.array(np.asarray(codes)))
    return pd.Series(column.to_pandas(types_mapper=_AS_STRING).array, index=index)


def trim_text(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``pc.utf8_trim_whitespace(values)``, returning ``values`` itself when no value starts or ends with a blank.

    Exports rarely pad their cells, so the first and last byte of each value are looked at
    (in numpy, over the Arrow buffers) before a trimmed copy of a million strings is made.

    Parameters
    ----------
    values : pyarrow.Array or pyarrow.ChunkedArray
        Text (``string`` or ``large_string``).

    Returns
    -------
    pyarrow.Array or pyarrow.ChunkedArray
        The trimmed text, of the same type.
    """
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    if any(may_need_trim(chunk) for chunk in chunks):
        return pc.utf8_trim_whitespace(values)
    return values


def strip_text(values: pd.Series) -> pd.Series:
    """``values.astype("string").str.strip()``, without the copy when no value starts or ends with a blank."""
    text = values.astype("string")
    data = getattr(text.array, "_pa_array", None)
    if data is not None and trim_text(data) is data:
        return text
    return text.str.strip()


def text_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Number each distinct text of a column in pyarrow's hash table: ``(codes, distinct)``, -1 for NA.

    pandas' own factorize and groupby box every Arrow string as a Python
    object first; a million-row column has a few dozen distinct values.
    """
    codes, distinct = _arrow_codes(values)
    return codes, distinct.to_pylist()


#: Codes worked out during a read, on the Arrow array they number: the status column is numbered for the
#: categories and again for the status map.  Each read (each :func:`keeping_text_codes` block) keeps its own,
#: dropped when the block ends, so an export's columns do not hold a million codes each once it is read.
_KEPT_CODES: ContextVar[KeptOn | None] = ContextVar("workfw_kept_text_codes", default=None)


@contextmanager
def keeping_text_codes() -> Iterator[None]:
    """Let :func:`text_codes` keep each Arrow column's codes until this block ends (a nested block shares them)."""
    if _KEPT_CODES.get() is not None:
        yield
        return
    kept = KeptOn(watch=False)
    token = _KEPT_CODES.set(kept)
    try:
        yield
    finally:
        _KEPT_CODES.reset(token)
        kept.clear()


def _arrow_codes(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """:func:`text_codes` with the distinct texts left in Arrow (a million ids need no Python strings)."""
    arr = getattr(values.array, "_pa_array", None)
    if arr is None:
        arr = pa.array(values.astype(object).where(values.notna(), None).to_numpy(), type=pa.string(),
                       from_pandas=True)
        return _codes_of_text(arr)
    keeper = _KEPT_CODES.get()
    found = keeper.get(arr) if keeper is not None else None
    if found is None:
        found = _codes_of_text(arr)
        found[0].flags.writeable = False  # shared by every caller that numbers this column
        if keeper is not None:
            keeper.put(arr, found)
    return found


def _codes_of_text(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Codes (int64, -1 for null) and the distinct texts of an Arrow array, through pyarrow's hash table."""
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    if isinstance(arr, pa.ChunkedArray) and arr.num_chunks > 1:
        # Encoded chunk by chunk with one hash table, the chunks share one dictionary: the text is not
        # copied into one array first.  Checked by the dictionary's buffer, not assumed.
        encoded = pc.dictionary_encode(arr)
        shared = {(_address(c.dictionary.buffers()[1]), len(c.dictionary)) for c in encoded.chunks}
        if len(shared) == 1 and len(encoded) == len(arr):
            indices = pa.chunked_array([c.indices for c in encoded.chunks])
            return pc.fill_null(indices, -1).to_numpy().astype(np.int64), encoded.chunk(0).dictionary
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    encoded = pc.dictionary_encode(arr)
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, encoded.dictionary


def unique_ints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(values, return_index=True, return_inverse=True, return_counts=True)`` for codes.

    Codes of a few dozen combinations (status and category, say) span a small range of
    non-negative integers: counted in a table indexed by value they need no sort of a
    million rows.  Other values take ``np.unique`` itself.

    Parameters
    ----------
    values : numpy.ndarray
        One-dimensional integers.

    Returns
    -------
    tuple of numpy.ndarray
        ``(distinct, first, inverse, counts)``, as ``np.unique`` returns them.
    """
    values = np.asarray(values)
    n = len(values)
    low = int(values.min()) if n else 0
    span = int(values.max()) + 1 if n else 0
    if not n or low < 0 or span > 4 * n + 1024:
        distinct, first, inverse, counts = np.unique(values, return_index=True, return_inverse=True,
                                                     return_counts=True)
        return distinct, first, inverse.reshape(-1), counts
    counts = np.bincount(values, minlength=span)
    distinct = np.flatnonzero(counts)
    first = np.full(span, n, dtype=np.int64)
    np.minimum.at(first, values, np.arange(n, dtype=np.int64))
    rank = np.cumsum(counts > 0) - 1
    return distinct.astype(values.dtype), first[distinct], rank[values], counts[distinct]


def _address(buffer: pa.Buffer | None) -> int:
    return 0 if buffer is None else buffer.address


def duplicated(values: pd.Series, keep: str = "first") -> pd.Series:
    """``values.duplicated(keep=keep)`` through integer codes (NA rows repeat each other, as in pandas).

    Ids written as a shared prefix and a number (Jira's ``PRJ-17``) are compared as those numbers,
    which needs no hash table of a million strings; other ids are numbered by pyarrow's.
    """
    numbers = prefixed_numbers(getattr(values.array, "_pa_array", None)) if keep == "first" else None
    if numbers is not None:
        return pd.Series(repeats(numbers), index=values.index)
    codes, _ = _arrow_codes(values)
    if keep == "first" and len(codes) and codes.min() >= 0:
        # Codes numbered in order of first appearance make a row a repeat exactly when its code is no
        # higher than every code before it: one running maximum instead of a second hash table.  The
        # numbering is checked (each new code is one more than the highest so far), not assumed.
        before = np.empty_like(codes)
        before[0] = -1
        np.maximum.accumulate(codes[:-1], out=before[1:])
        if (codes <= before + 1).all():
            return pd.Series(codes <= before, index=values.index)
    return pd.Series(pd.Series(codes).duplicated(keep=keep).to_numpy(), index=values.index)


def arrow_text(values: pd.Series) -> pa.Array:
    """A text column as one pyarrow ``large_string`` array, without boxing each cell as a Python string."""
    arr = getattr(values.array, "_pa_array", None)  # Arrow-backed already: no pandas conversion
    if arr is None or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pa.array(values.astype("string"))
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    return arr.cast(pa.large_string())


def arrow_lists(offsets: np.ndarray, values: pa.Array, index: pd.Index) -> pd.Series:
    """A list column held in Arrow (row ``i`` holds ``values[offsets[i]:offsets[i + 1]]``).

    Left in Arrow on purpose: :func:`workfw.schema.conform_tasks` turns it into
    Python lists once, at the end, instead of checking a million lists built here.
    """
    lists = pa.LargeListArray.from_arrays(pa.array(offsets, type=pa.int64()), values)
    return pd.Series(pd.arrays.ArrowExtensionArray(lists), index=index)


def first_items(lists: pd.Series) -> pd.Series:
    """The first item of each list cell as text (NA for an empty list), such as a task's first project.

    Parameters
    ----------
    lists : pandas.Series
        An Arrow list column (:func:`arrow_lists`) or Python lists.

    Returns
    -------
    pandas.Series
        ``dtype="string"``, on ``lists``' index.
    """
    arr = getattr(lists.array, "_pa_array", None)
    if arr is None:
        return pd.Series([v[0] if isinstance(v, (list, tuple)) and v else pd.NA for v in lists], index=lists.index,
                         dtype="string")
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    sizes = pc.fill_null(pc.list_value_length(arr), 0).to_numpy(zero_copy_only=False)
    starts = np.cumsum(sizes) - sizes
    items = pc.list_flatten(arr).cast(pa.large_string())
    first = items.take(pa.array(np.where(sizes > 0, starts, 0), mask=sizes == 0)) if len(items) else \
        pa.nulls(len(arr), type=pa.large_string())
    return pd.Series(first.to_pandas(types_mapper=_AS_STRING).array, index=lists.index)


def map_text(values: pd.Series, fn: Callable[[str], Any]) -> pd.Series:
    """``fn`` applied to each distinct text of ``values`` once, spread back over the rows (NA stays NA).

    People, paths and rich-text descriptions repeat across a large export: worked out per
    distinct text, a few thousand calls serve a few hundred thousand rows.

    Parameters
    ----------
    values : pandas.Series
        Text.
    fn : callable
        ``fn(text)`` returns text, or None or NA for a missing result.

    Returns
    -------
    pandas.Series
        ``dtype="string"``, on ``values``' index.
    """
    codes, distinct = text_codes(values)
    results = [fn(text) for text in distinct]
    answers = pa.array([None if r is None or r is pd.NA else r for r in results] + [None], type=pa.large_string())
    picked = answers.take(pa.array(np.where(codes < 0, len(distinct), codes)))
    return pd.Series(picked.to_pandas(types_mapper=_AS_STRING).array, index=values.index)


def split_values(values: pd.Series, sep: str = ",") -> pd.Series:
    """Split delimited cells (``"a, b"``) into lists of stripped, non-empty strings.

    Split in pyarrow and returned as an Arrow list column (see :func:`arrow_lists`): a Python
    loop over the cells of a few hundred thousand tasks costs a second or more.
    """
    n = len(values)
    lists = pc.split_pattern(arrow_text(values), sep)  # a missing cell is a missing list: no parts
    parts = trim_text(pc.list_flatten(lists))
    rows = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    keep = ~blank_or_missing(parts)
    offsets = np.concatenate([[0], np.cumsum(np.bincount(rows[keep], minlength=n))])
    return arrow_lists(offsets, parts.filter(pa.array(keep)).cast(pa.string()), values.index)


def gather_repeated(frame: pd.DataFrame, columns: list[str], *, sep: str | None = None) -> pd.Series:
    """Join repeated columns (Jira's ``Labels``, ``Labels (2)``...) into one list per row, in pyarrow.

    Values are split on ``sep`` (when given) and stripped; empty ones are
    dropped, and so are repeats (the first is kept, in column order, then in
    order inside a cell).  Worked without a Python loop over cells: an
    export has a million of them per column.  An Arrow list column (see
    :func:`arrow_lists`).
    """
    n = len(frame)
    if sep is None and 0 < len(columns) <= _FEW_COLUMNS:
        return _gather_cells(frame, columns)
    rows_parts, vals_parts = [], []
    for col in columns:
        arr = arrow_text(frame[col])
        rows = np.arange(n)
        if sep is not None:
            lists = pc.split_pattern(arr, sep)
            rows = pc.list_parent_indices(lists).to_numpy()
            arr = pc.list_flatten(lists)
        arr = trim_text(arr)
        keep = pc.fill_null(pc.greater(pc.utf8_length(arr), 0), False)
        rows_parts.append(rows[keep.to_numpy(zero_copy_only=False)])
        vals_parts.append(arr.filter(keep))
    if not columns or not sum(len(r) for r in rows_parts):
        return arrow_lists(np.zeros(n + 1, dtype=np.int64), pa.array([], type=pa.string()), frame.index)
    values = pa.chunked_array(vals_parts, type=pa.large_string()).combine_chunks()
    # Values compared as integer codes; the text itself stays in pyarrow.
    encoded = pc.dictionary_encode(values)
    row = np.concatenate(rows_parts).astype(np.int64)
    pair = row * (len(encoded.dictionary) + 1) + encoded.indices.to_numpy(zero_copy_only=False)
    # The first of each (row, value) pair, in reading order (column order, then order inside a split cell),
    # then grouped by row with a stable sort that keeps that order.
    kept = np.sort(np.unique(pair, return_index=True)[1])
    order = kept[np.argsort(row[kept], kind="stable")]
    offsets = np.concatenate([[0], np.cumsum(np.bincount(row[order], minlength=n))])
    return arrow_lists(offsets, values.take(pa.array(order)).cast(pa.string()), frame.index)


#: Repeated columns compared with each other pairwise (Jira writes a handful of ``Labels`` columns).
_FEW_COLUMNS = 8


def _gather_cells(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """:func:`gather_repeated` for a few columns of one value a cell: each column's codes compared with the ones before.

    A cell whose (stripped) value an earlier column of its row holds already is dropped, so each
    row keeps the first of each value in column order, as the general path keeps it, without
    sorting a million (row, value) pairs.  The kept cells are placed row by row straight into the
    order of the list items, without a row-major copy of every cell.
    """
    n = len(frame)
    texts = [trim_text(arrow_text(frame[col])) for col in columns]
    codes, distinct = _codes_of_text(pa.chunked_array(texts, type=pa.large_string()))
    codes = codes.reshape(len(columns), n)
    blank = np.flatnonzero(pc.equal(pc.binary_length(distinct), 0).to_numpy(zero_copy_only=False))
    kept = []
    for later in range(len(columns)):
        keep = codes[later] >= 0
        if len(blank):
            keep &= codes[later] != blank[0]
        for earlier in range(later):
            keep &= codes[later] != codes[earlier]
        kept.append(keep)
    per_row = np.zeros(n, dtype=np.int64)
    for keep in kept:
        per_row += keep
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(per_row, out=offsets[1:])
    # Each kept cell goes to its row's start plus the cells kept before it in that row (columns in order).
    items = np.empty(int(offsets[-1]), dtype=np.int64)
    before = np.zeros(n, dtype=np.int8)
    for column_codes, keep in zip(codes, kept):
        rows = np.flatnonzero(keep)
        items[offsets[rows] + before[rows]] = column_codes[rows]
        before += keep
    return arrow_lists(offsets, distinct.take(pa.array(items)).cast(pa.string()), frame.index)


def to_number(values: pd.Series, *, column: str, warnings: list[str]) -> pd.Series:
    """Read numbers written as text (``"3"``, ``"2,5"``); unreadable values become NA with a warning."""
    text = values.astype("string").str.strip().str.replace(",", ".", regex=False)
    out = pd.to_numeric(text, errors="coerce").astype("Float64")
    # "inf" and "1e999" parse as numbers but are no estimate or count.
    out = out.mask(out.isin([float("inf"), float("-inf")]))
    bad = out.isna() & text.notna() & (text != "")
    if bad.any():
        warnings.append(f"Column {column!r}: {int(bad.sum())} values are not numbers (e.g. "
                        f"{values[bad].iloc[0]!r}) and were left empty.")
    return out


def first_present(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Return, per row, the first non-empty value among ``columns`` (NA when none)."""
    out = None
    for col in columns:
        if col not in frame:
            continue
        values = frame[col].astype("string")
        if out is None:
            out = values  # filling an all-NA column cell by cell costs ~0.15 s per million rows
        elif out.hasnans:
            out = out.fillna(values)
    return text_column(None, frame.index) if out is None else out


def count_values(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Count non-empty cells across repeated columns (for example ``Comment``); NA when no column exists."""
    if not columns:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    return frame[columns].notna().sum(axis=1).astype("Int64")


# The same characters workfw.safe_csv guards on the way out (OWASP's list).
# A quote a spreadsheet-safe writer put before a formula character, and the character it guards.
_GUARD_ARROW = r"^'[=+\-@\t\r]"


def strip_formula_guard(values: pd.Series) -> pd.Series:
    """Remove the ``'`` some trackers put before text starting with ``=``, ``+``, ``-``, ``@``, a tab or ``\\r``.

    Found in pyarrow: the pattern's look-ahead sends pandas to Python's ``re``, one cell at a
    time (1.2 s for 200,000 cells), while most columns hold no guard at all.
    """
    text = arrow_text(values)
    guarded = pc.fill_null(pc.match_substring_regex(text, _GUARD_ARROW), False)
    if pc.any(guarded).as_py():
        text = pc.if_else(guarded, pc.utf8_slice_codeunits(text, 1), text)
    return pd.Series(text.to_pandas(types_mapper=_AS_STRING).array, index=values.index)


def as_lists(values: pd.Series) -> pd.Series:
    """Wrap each value of a single-valued text column in a list (``[]`` for NA or blank), such as ``assignees``.

    An Arrow list column (see :func:`arrow_lists`), built without a Python loop over the cells.
    """
    text = arrow_text(values)
    has = ~blank_or_missing(text)
    return arrow_lists(np.concatenate([[0], np.cumsum(has)]), text.filter(pa.array(has)).cast(pa.string()),
                       values.index)


def _json_encoders() -> tuple[Callable[[Any], str], Callable[[list[Any]], list[str]] | None]:
    """``json.dumps(value, ensure_ascii=False)`` with the C encoder built once, and a whole-list form of it.

    json.dumps with an option builds a new encoder on each call, and even a kept
    ``JSONEncoder.encode`` builds its C encoder anew per value: on an export's
    nested cells (GitHub, 100,000 issues) that was 3.5 s of 100,000 x 22 cells,
    against 2.1 s with one C encoder.  Parsed JSON holds no cycles, so the
    circular check is left out.  The list form maps the C encoder over the
    values with no Python call per value.  Without CPython's C encoder (or
    should its signature change) the kept ``encode`` is used and there is no
    list form; a probe checks both agree.
    """
    plain = json.JSONEncoder(ensure_ascii=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    quote = json.encoder.encode_basestring
    if make is None:
        return plain.encode, None
    try:
        encode_chunks = make(None, plain.default, quote, None, plain.key_separator, plain.item_separator,
                             False, False, True)
    except TypeError:
        return plain.encode, None

    def _encode(value: Any) -> str:
        if value.__class__ is str:
            return quote(value)
        return "".join(encode_chunks(value, 0))

    def _encode_all(values: list[Any]) -> list[str]:
        return list(map("".join, map(encode_chunks, values, repeat(0))))

    probe = {"a": [1, 2.5, None, True, "\u00e9\n\"", {"b": float("nan")}], "": -0.0}
    if _encode(probe) != plain.encode(probe) or _encode_all([probe, [probe]]) != [plain.encode(probe),
                                                                                  plain.encode([probe])]:
        return plain.encode, None
    return _encode, _encode_all


#: ``json.dumps(value, ensure_ascii=False)`` with one encoder for every cell (see :func:`_json_encoders`).
json_text, _json_texts = _json_encoders()


def json_cell(value: Any) -> Any:
    """Return a JSON value as raw-table text: strings as they are, ``null`` as NA, anything else as JSON text."""
    text = _json_cell_or_none(value)
    return pd.NA if text is None else text


def _json_cell_or_none(value: Any) -> str | None:
    """:func:`json_cell` with None for ``null``, for building an Arrow column."""
    if value is None or isinstance(value, str):
        return value
    return json_text(value)


def _json_column(values: list[Any]) -> pa.Array:
    """One raw-table column of JSON values as Arrow text: :func:`json_cell` of each, built a column at a time.

    Text-only columns go to Arrow as they are; whole-number columns are cast there (JSON writes an int as
    Python's ``str`` does); objects and arrays are encoded by the C encoder over the list.  Anything else
    (floats, booleans, columns of mixed kinds) takes the per-value path.
    """
    try:
        return pa.array(values, type=pa.large_string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        pass
    kinds = set(map(type, values))
    if kinds <= {int, type(None)}:
        try:
            return pa.array(values, type=pa.int64()).cast(pa.large_string())
        except (pa.ArrowInvalid, OverflowError):  # beyond int64: the per-value path writes them exactly
            pass
    elif _json_texts is not None and kinds <= {dict, list, type(None)}:
        out: list[str | None] = [None] * len(values)
        present = [i for i, v in enumerate(values) if v is not None]
        for i, text in zip(present, _json_texts([values[i] for i in present])):
            out[i] = text
        return pa.array(out, type=pa.large_string())
    return pa.array([_json_cell_or_none(v) for v in values], type=pa.large_string())


def records_frame(records: list[Any], *, file: str, where: str, next_step: str) -> pd.DataFrame:
    """Build the raw table of a JSON export: one text row per record, nested values as JSON text, plus ``_row``.

    Parameters
    ----------
    records : list
        The parsed records; each must be a JSON object.
    file : str
        File name for messages.
    where : str
        Where the records sit in the file (``"cards"``, ``"the top-level array"``), for messages.
    next_step : str
        What the user should do when a record is not an object.

    Returns
    -------
    pandas.DataFrame
        All-string columns in first-seen key order, and ``_row`` (1-based record number).
    """
    for pos, rec in enumerate(records):
        if not isinstance(rec, dict):
            raise ExportReadError(file, f"{where}[{pos}] (record {pos + 1})", f"a {type(rec).__name__}",
                                  "an object per record", next_step)
    columns: dict[str, None] = {}
    for rec in records:
        columns.update(dict.fromkeys(k for k in rec if k != "_row"))
    # Each column goes to Arrow whole: pandas' "string" Series checks its cells one by one (0.84 s against 0.25 s
    # for a GitHub export of 100,000 issues).
    frame = pd.DataFrame({c: _json_column([r.get(c) for r in records]).to_pandas(types_mapper=_AS_STRING)
                          for c in columns},
                         index=pd.RangeIndex(len(records)))
    frame["_row"] = range(1, len(records) + 1)
    return frame


_JSON_GAP = re.compile(r"[\s\ufeff]*")
# Half of a UTF-16 surrogate pair written as an escape: legal JSON, but no character, so no UTF-8 text holds it.
_LONE_SURROGATE = re.compile(
    r"(?<!\\)(?:\\\\)*"  # an escape, not an escaped backslash: an odd run of backslashes
    r"(?:\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"  # a high half, no low half next
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2})")  # a low half, no high half before
_SURROGATE_CHAR = re.compile("[\ud800-\udfff]")


def lone_surrogates(text: str) -> int:
    """How many escapes of half a UTF-16 surrogate pair (``\\ud83d`` without its partner) JSON text holds.

    A tool that cuts text by UTF-16 units (an emoji cut in two in a title) writes them; Python parses them
    into strings that no UTF-8 column can hold.  :func:`parse_json_text` shows each as U+FFFD.
    """
    if "\\ud" not in text and "\\uD" not in text:
        return 0
    return sum(1 for _ in _LONE_SURROGATE.finditer(text))


def _without_surrogates(value: Any) -> Any:
    """``value`` with each lone surrogate in its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE_CHAR.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    return value


def parse_json_text(text: str) -> Any:
    """Parse JSON text that may hold several top-level values one after another.

    ``gh api --paginate`` writes one JSON value per page with nothing (``][``)
    or a newline between them.  One value is returned as it is; several
    arrays become one array (the pages joined in order); several values of
    other kinds become an array of those values (for example the pages of a
    search result, ``{"items": [...]}`` each).  Half of a surrogate pair
    (:func:`lone_surrogates`) becomes U+FFFD in the strings.

    Parameters
    ----------
    text : str
        The decoded file.

    Returns
    -------
    Any
        The parsed document.

    Raises
    ------
    json.JSONDecodeError
        When the text is not JSON (positions refer to the whole text).
    """
    decoder = json.JSONDecoder()
    pos = _JSON_GAP.match(text, 0).end()
    values = []
    while True:
        value, pos = decoder.raw_decode(text, pos)
        values.append(value)
        pos = _JSON_GAP.match(text, pos).end()
        if pos >= len(text):
            break
    if lone_surrogates(text):
        values = [_without_surrogates(v) for v in values]
    if len(values) == 1:
        return values[0]
    if all(isinstance(v, list) for v in values):
        return [item for page in values for item in page]
    return values

"""The canonical task table and status-history table every importer produces.

One row per task in ``tasks``; one row per recorded change in ``events``.
Timestamps are tz-aware UTC, missing values are ``NA`` (never ``0`` or ``""``)
and list-valued fields (``assignees``, ``labels``, ``blocked_by``) hold Python
lists of strings, empty when nothing is known.  Rows with equal lists may hold
the same list object (a million rows of a few label sets are a few lists), so
treat the cells as read-only: build a new list rather than change one in place.
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.errors import SchemaError
from workfw.list_cells import as_list_column, remember_sources
from workfw.statuses import STATUS_CATEGORIES, normalise_category, status_categories
from workfw.table_versions import KeptOn
from workfw.text_arrays import blank_or_missing, prefixed_numbers, repeats

__all__ = [
    "TASK_COLUMNS",
    "EVENT_COLUMNS",
    "STATUS_CATEGORIES",
    "LIST_COLUMNS",
    "TIME_COLUMNS",
    "TEXT_COLUMNS",
    "COUNT_COLUMNS",
    "TIMESTAMP_BASIS",
    "empty_tasks",
    "empty_events",
    "conform_tasks",
    "conform_events",
    "as_list_column",
    "validate_tasks",
    "tasks_of",
    "absent_columns",
]


#: Where a ``started`` or ``completed`` value came from.
TIMESTAMP_BASIS: tuple[str, ...] = ("exact", "history", "inferred")

TEXT_COLUMNS: tuple[str, ...] = (
    "task_id", "title", "description", "task_type", "status", "assignee",
    "reporter", "team", "project", "parent_id", "priority", "url", "source",
    "resolution", "iteration", "started_basis", "completed_basis", "source_file",
)
TIME_COLUMNS: tuple[str, ...] = ("created", "updated", "started", "completed", "due")
LIST_COLUMNS: tuple[str, ...] = ("assignees", "labels", "blocked_by")
COUNT_COLUMNS: tuple[str, ...] = ("comments", "watchers")

#: Canonical columns, in order.  The first block is the contract named in the
#: foundation issue; ``resolution`` to ``source_file`` are the extras diagnoses
#: need (duplicate resolution, sprint/cycle/milestone, timestamp provenance).
TASK_COLUMNS: tuple[str, ...] = (
    "task_id", "title", "description", "task_type", "status", "status_category",
    "assignee", "assignees", "reporter", "team", "project", "parent_id", "labels",
    "priority", "estimate", "created", "updated", "started", "completed", "due",
    "comments", "watchers", "blocked_by", "url", "source",
    "resolution", "iteration", "started_basis", "completed_basis", "source_file",
)

#: ``old_category`` and ``new_category`` are the categories the read gave a status move's ``old`` and ``new``
#: statuses (NA for other moves, or where the read could not place them): analyses place each move as its own
#: file placed it (see :func:`workfw.statuses.history_categories`).
EVENT_COLUMNS: tuple[str, ...] = ("task_id", "at", "field", "old", "new", "author", "old_category", "new_category")

_TIME_DTYPE = "datetime64[ns, UTC]"
#: From this many rows conform_tasks builds the list columns in a second thread.
_SIDE_BY_SIDE_ROWS = 200_000


def _text(series: pd.Series) -> pd.Series:
    out = series.astype("string")
    # Blank text means "not given"; keeping "" would read as a value. Readers strip already, so most
    # columns have no blank cell and skip the (costly) masked copy.
    data = getattr(out.array, "_pa_array", None)
    if data is not None:  # asked over the Arrow buffers, without building the stripped strings
        blank = blank_or_missing(data)
        if data.null_count:
            blank &= out.notna().to_numpy(dtype=bool)
    else:
        blank = (out.str.strip() == "").fillna(False).to_numpy(dtype=bool)
    return out.mask(blank) if blank.any() else out


def _timestamps(series: pd.Series, column: str = "at", where: str = "tasks") -> pd.Series:
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert("UTC").astype(_TIME_DTYPE)
    if pd.api.types.is_datetime64_dtype(series.dtype):
        return series.dt.tz_localize("UTC").astype(_TIME_DTYPE)
    if series.isna().all():
        return pd.Series(pd.NaT, index=series.index, dtype=_TIME_DTYPE)
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        # Numbers would be read as nanoseconds since 1970: never what a task table means.
        raise SchemaError(
            f"{where}, column {column!r}: found {series.dtype} values such as {series.dropna().tolist()[0]!r}; "
            "expected dates or timestamps (ISO text such as '2024-03-01T09:00Z', or datetime64). Next step: "
            "convert the column with pd.to_datetime(..., utc=True), or read the file with wf.read_export.")
    try:
        with warnings.catch_warnings():
            # pandas warns that it parses element by element when formats vary; the values are still checked.
            warnings.simplefilter("ignore", UserWarning)
            return pd.to_datetime(series, utc=True, errors="raise").astype(_TIME_DTYPE)
    except (ValueError, TypeError, OverflowError) as exc:
        raise SchemaError(
            f"{where}, column {column!r}: found values that are not dates ({exc}); expected dates or timestamps "
            "(ISO text such as '2024-03-01T09:00Z', or datetime64) or NA. Next step: convert the column with "
            "pd.to_datetime(..., utc=True), or read the file with wf.read_export.") from exc


def _numbers(values: pd.Series, column: str, dtype: str, where: str = "tasks") -> pd.Series:
    kind = "whole numbers" if dtype == "Int64" else "numbers"
    try:
        return pd.to_numeric(values, errors="raise").astype(dtype)
    except (ValueError, TypeError) as exc:
        raise SchemaError(
            f"{where}, column {column!r}: found values that are not {kind} ({exc}); expected {dtype} values or NA. "
            "Next step: convert the column with pd.to_numeric (a reader: workfw.io._common.to_number), or read "
            "the file with wf.read_export."
        ) from exc


def _categories(values: pd.Series, where: str) -> pd.Categorical:
    """Status categories as the canonical categorical; category words (``"Done"``) are read as their category."""
    if isinstance(values.dtype, pd.CategoricalDtype) and set(values.cat.categories) <= set(STATUS_CATEGORIES):
        # Canonical already (a reader's output): recoded through the categories, not hashed row by row.
        return pd.Categorical(values, categories=list(STATUS_CATEGORIES))
    cells = values.astype(object).where(values.notna(), None)
    unknown = cells.notna() & ~cells.isin(STATUS_CATEGORIES)
    if unknown.any():
        cells = cells.where(~unknown, cells[unknown].map(normalise_category))
        bad = values[unknown & cells.isna()]
        if len(bad):
            raise SchemaError(
                f"{where}, column 'status_category': found {sorted(map(str, bad.unique()))[:5]}; expected one of "
                f"{list(STATUS_CATEGORIES)} or NA. Next step: map your statuses to those categories, or drop the "
                "column and keep 'status' (its names are then placed the way wf.read_export places them).")
    return pd.Categorical(cells, categories=list(STATUS_CATEGORIES))


def _categories_from_status(status: pd.Series) -> pd.Series:
    """Categories of status names placed the way :func:`workfw.read_export` places them (keywords); NA without one."""
    # A bare table states no categories and has no tracker map: the keyword rules alone place its names.
    return status_categories(status, {})


def empty_tasks() -> pd.DataFrame:
    """Return an empty canonical task table with the right dtypes."""
    return conform_tasks(pd.DataFrame({c: [] for c in TASK_COLUMNS}))


def empty_events() -> pd.DataFrame:
    """Return an empty status-history table with the right dtypes."""
    return conform_events(pd.DataFrame({c: [] for c in EVENT_COLUMNS}))


def conform_tasks(frame: pd.DataFrame, *, where: str = "tasks",
                  lists: Mapping[str, pd.Series | Future] | None = None) -> pd.DataFrame:
    """Return a copy of ``frame`` with every canonical column, in order and typed.

    Missing canonical columns are added as all-``NA`` (or empty lists), so a
    diagnosis reads them as fields the export does not have; a missing
    ``status_category`` is worked out from ``status`` names when there are
    any.  Columns beyond the canonical set are kept after them.

    Parameters
    ----------
    frame : pandas.DataFrame
        Task rows holding any subset of :data:`TASK_COLUMNS`.
    where : str
        A label for error messages, such as the argument name.
    lists : mapping, optional
        List columns of ``frame`` already made canonical by
        :func:`as_list_column` (or futures of them, such as a reader started
        while it did other work), one cell per row of ``frame`` in order.
        They are taken as they are instead of being converted again.

    Returns
    -------
    pandas.DataFrame
        The conformed table with a fresh ``RangeIndex``.

    Raises
    ------
    SchemaError
        A column holds values of the wrong kind (text in a date or count
        column, an unknown status category), named with what was found.
    """
    n = len(frame)
    out: dict[str, pd.Series | Future] = {}
    source = frame.reset_index(drop=True)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # Building a million Python lists holds the GIL, while the other columns' conversions are mostly Arrow
        # and numpy work that releases it: on a large table the lists are built beside them.
        ready = dict(lists or {})
        ready.update({col: pool.submit(as_list_column, source[col]) for col in LIST_COLUMNS
                      if col in source.columns and col not in ready and n >= _SIDE_BY_SIDE_ROWS})
        for col in TASK_COLUMNS:
            out[col] = ready[col] if col in ready else _typed_column(source, col, n, where)
        out = {col: v.result() if isinstance(v, Future) else v for col, v in out.items()}
        wrong = [col for col in (lists or {}) if len(out[col]) != n]
        if wrong:
            raise SchemaError(f"{where}: conform_tasks(lists=...) column {wrong[0]!r} holds {len(out[wrong[0]])} "
                              f"cells for a table of {n} rows; expected one cell per row. Next step: pass "
                              f"as_list_column(frame[{wrong[0]!r}]) of this very frame, or leave lists out.")
        # Given cells keep the caller's rows; the table's index is a fresh range.
        out = {col: v.reset_index(drop=True) if col in (lists or {}) else v for col, v in out.items()}
    extras = [c for c in source.columns if c not in TASK_COLUMNS]
    # Not copied: pandas' copy-on-write keeps the caller's columns apart from ours, and a dict of a
    # million-row columns is otherwise copied once more (the object and date columns, ~30 MB per million).
    result = pd.DataFrame(out, copy=False)
    for col in extras:
        result[col] = source[col].to_numpy()
    # Analyses flatten the list cells again: from the Arrow lists they were made from, that is ~10x cheaper.
    remember_sources(result, {col: source[col] for col in LIST_COLUMNS if col in source.columns})
    return result


def _typed_column(source: pd.DataFrame, col: str, n: int, where: str) -> pd.Series:
    """One canonical column of ``source``, typed (all NA, or empty lists, when ``source`` lacks it)."""
    if col in source.columns:
        values = source[col]
    elif col in LIST_COLUMNS:
        return pd.Series([[] for _ in range(n)], dtype=object)
    elif col == "status_category" and "status" in source.columns and source["status"].notna().any():
        values = _categories_from_status(source["status"])
    else:
        return _missing_column(col, n)
    if col in TEXT_COLUMNS:
        values = _text(values)
    elif col in TIME_COLUMNS:
        values = _timestamps(values, col, where)
    elif col in LIST_COLUMNS:
        values = as_list_column(values)
    elif col in COUNT_COLUMNS:
        values = _numbers(values, col, "Int64", where)
    elif col == "estimate":
        values = _numbers(values, col, "Float64", where)
    elif col == "status_category":
        values = _categories(values, where)
    return values


def _missing_column(col: str, n: int) -> pd.Series:
    """A canonical column the table lacks: all NA in its own type, built without converting NA values."""
    if col in TEXT_COLUMNS:
        return pd.Series(pd.array(pa.nulls(n, type=pa.large_string()).to_pandas(
            types_mapper={pa.large_string(): pd.StringDtype()}.get)))
    if col in TIME_COLUMNS:
        return pd.Series(np.full(n, np.datetime64("NaT", "ns"))).dt.tz_localize("UTC")
    if col == "estimate":
        return pd.Series(pd.arrays.FloatingArray(np.zeros(n), np.ones(n, dtype=bool)))
    if col in COUNT_COLUMNS:
        return pd.Series(pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)))
    return pd.Series(pd.Categorical([None] * n, categories=list(STATUS_CATEGORIES)))


def conform_events(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a typed, time-sorted copy of a status-history table.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with ``task_id, at, field, old, new`` and optionally ``author``, ``old_category`` and
        ``new_category``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EVENT_COLUMNS`, sorted by ``task_id`` then ``at``.
    """
    n = len(frame)
    source = frame.reset_index(drop=True)
    out = {}
    for col in EVENT_COLUMNS:
        values = source[col] if col in source.columns else pd.Series([pd.NA] * n, dtype=object)
        out[col] = _timestamps(values, col, "events") if col == "at" else values.astype("string")
    for col in ("old_category", "new_category"):
        wrong = out[col].notna() & ~out[col].isin(STATUS_CATEGORIES)
        if wrong.any():
            raise SchemaError(f"events: column {col!r} holds {out[col][wrong].iloc[0]!r}; expected one of "
                              f"{list(STATUS_CATEGORIES)} or empty. Next step: leave the column out, or correct it.")
    result = pd.DataFrame(out)
    return result.sort_values(["task_id", "at"], kind="stable").reset_index(drop=True)


def validate_tasks(tasks: pd.DataFrame, *, where: str = "tasks") -> None:
    """Raise :class:`SchemaError` unless ``tasks`` looks like a canonical task table.

    Parameters
    ----------
    tasks : pandas.DataFrame
        The table to check.
    where : str
        A label for the message, such as the argument name.
    """
    if not isinstance(tasks, pd.DataFrame):
        raise SchemaError(
            f"{where}: found {type(tasks).__name__}; expected a canonical task DataFrame "
            "or a TaskExport. Next step: pass wf.read_export(path) or its .tasks."
        )
    missing = [c for c in ("task_id", "status_category") if c not in tasks.columns]
    if missing:
        raise SchemaError(
            f"{where}: found columns {list(tasks.columns)[:8]}...; expected the canonical "
            f"columns, missing {missing}. Next step: build the table with wf.read_export "
            "or wf.schema.conform_tasks."
        )
    ids = tasks["task_id"]
    if _known_unique(ids):
        return
    repeated = _repeated_ids(ids)
    if repeated.any():
        dup = ids.iloc[int(np.flatnonzero(repeated)[0])]
        raise SchemaError(
            f"{where}, column 'task_id': found duplicate id {dup!r}; expected unique ids. "
            "Next step: read the file with wf.read_export, which merges repeated rows."
        )
    _remember_unique(ids)


def _repeated_ids(ids: pd.Series) -> np.ndarray:
    """``ids.duplicated()`` as booleans: Jira-like ids (``PRJ-17``) as numbers, others through pandas' hash table."""
    numbers = prefixed_numbers(getattr(ids.array, "_pa_array", None))
    return repeats(numbers) if numbers is not None else ids.duplicated().to_numpy(dtype=bool)


# Id columns already found unique, by their Arrow data: that data is immutable (an edit to the column makes
# new data), so a table checked once is not hashed again on every filter change (~60 ms at 100k tasks).
_UNIQUE_IDS = KeptOn(watch=False)


def _known_unique(ids: pd.Series) -> bool:
    data = getattr(ids.array, "_pa_array", None)
    return data is not None and _UNIQUE_IDS.get(data, False)


def _remember_unique(ids: pd.Series) -> None:
    data = getattr(ids.array, "_pa_array", None)
    if data is not None:
        _UNIQUE_IDS.put(data, True)


def tasks_of(data: Any, *, where: str = "data") -> pd.DataFrame:
    """Return the canonical task table from a ``TaskExport`` or a DataFrame.

    A table lacking canonical columns, or holding one in another type
    (dates as text, categories as words), is conformed: missing columns are
    read as fields the export does not have (all ``NA``), so signals that
    need them are not measurable rather than failing.  The caller's frame is
    never changed; the conformed copy is made once per frame.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        What a user passed to an analysis function.
    where : str
        Argument name for error messages.

    Returns
    -------
    pandas.DataFrame
        The task table (not copied when already canonical; callers must not mutate it).

    Raises
    ------
    SchemaError
        ``data`` is no table, has no ``task_id`` column, repeats an id or holds
        values of the wrong kind in a canonical column.
    """
    tasks = getattr(data, "tasks", data)
    if isinstance(tasks, pd.DataFrame) and not _is_canonical(tasks):
        if "task_id" not in tasks.columns:
            raise SchemaError(
                f"{where}: found columns {list(map(str, tasks.columns))[:8]} without 'task_id'; expected one "
                "unique id per task in a 'task_id' column (the other canonical columns may be missing). Next "
                "step: rename your id column to 'task_id', or read the file with wf.read_export.")
        tasks = _conformed(tasks, where)
    validate_tasks(tasks, where=where)
    return tasks


def _is_canonical(tasks: pd.DataFrame) -> bool:
    """True when every canonical column is there in a type the analyses read (checked on dtypes only)."""
    columns = tasks.columns
    if not columns.is_unique or not all(c in columns for c in TASK_COLUMNS):
        return False
    # One dtypes lookup rather than a column selection per check: this runs on every prepare (~0.1 ms).
    dtypes = dict(zip(columns, tasks.dtypes))
    if not all(isinstance(dtypes[c], pd.DatetimeTZDtype) for c in TIME_COLUMNS):
        return False
    if not all(pd.api.types.is_numeric_dtype(dtypes[c]) and not pd.api.types.is_bool_dtype(dtypes[c])
               for c in (*COUNT_COLUMNS, "estimate")):
        return False
    category = dtypes["status_category"]
    if not (isinstance(category, pd.CategoricalDtype) and set(category.categories) <= set(STATUS_CATEGORIES)):
        return False
    if not all(dtypes[c] == object or isinstance(dtypes[c], pd.StringDtype) for c in TEXT_COLUMNS):
        return False
    return all(dtypes[c] == object and (tasks.empty or isinstance(tasks[c].iat[0], list)) for c in LIST_COLUMNS)


# Conformed copies of the plain frames callers passed, kept while the frame lives: every diagnosis and filter
# of one frame then reads the same table, so the per-table caches hold.  A frame edited in place since
# (values, or a column added or retyped) conforms again: see workfw.table_versions.
_CONFORMED = KeptOn()


def _conformed(tasks: pd.DataFrame, where: str) -> pd.DataFrame:
    table = _CONFORMED.get(tasks)
    if table is not None:
        return table
    table = conform_tasks(tasks, where=where)
    _CONFORMED.put(tasks, table)
    # A category worked out from status names is a field the table has.
    derived = {"status_category"} if "status" in tasks.columns else set()
    _ABSENT.put(table, frozenset(c for c in TASK_COLUMNS if c not in tasks.columns and c not in derived))
    return table


# Canonical columns a conformed table got only as NA because the caller's frame had no such column.
_ABSENT = KeptOn(watch=False)


def absent_columns(tasks: pd.DataFrame) -> frozenset[str]:
    """Canonical columns :func:`tasks_of` added (all NA) to ``tasks`` because the caller's frame lacked them.

    Empty for any other table, including an export's (whose readers fill
    every column, NA where the file has none).
    """
    return _ABSENT.get(tasks, frozenset())

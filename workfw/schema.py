"""The canonical task table and status-history table every importer produces.

One row per task in ``tasks``; one row per recorded change in ``events``.
Timestamps are tz-aware UTC, missing values are ``NA`` (never ``0`` or ``""``)
and list-valued fields (``assignees``, ``labels``, ``blocked_by``) hold Python
lists of strings, empty when nothing is known.
"""
from __future__ import annotations

import weakref

from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from .errors import SchemaError

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
    "validate_tasks",
    "tasks_of",
]

STATUS_CATEGORIES: tuple[str, ...] = ("todo", "in_progress", "done", "cancelled")

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

EVENT_COLUMNS: tuple[str, ...] = ("task_id", "at", "field", "old", "new", "author")

_TIME_DTYPE = "datetime64[ns, UTC]"


def _text(series: pd.Series) -> pd.Series:
    out = series.astype("string")
    # Blank text means "not given"; keeping "" would read as a value. Readers strip already, so most
    # columns have no blank cell and skip the (costly) masked copy.
    data = getattr(out.array, "_pa_array", None)
    if data is not None:  # one pass in pyarrow, without building the stripped strings
        blank = pc.fill_null(pc.or_(pc.equal(pc.utf8_length(data), 0), pc.utf8_is_space(data)), False)
        blank = blank.to_numpy(zero_copy_only=False)
    else:
        blank = (out.str.strip() == "").fillna(False).to_numpy(dtype=bool)
    return out.mask(blank) if blank.any() else out


def _as_list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v) for v in value if v is not None and not (isinstance(v, float) and np.isnan(v)) and str(v) != ""]
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return []
    text = str(value)
    return [text] if text else []


def _as_lists(values: pd.Series) -> pd.Series:
    # Readers already hand over lists of non-empty strings; checking that in
    # C-level passes (and passing them through) keeps a million-row import
    # off the per-row path.
    cells = values.tolist()
    if set(map(type, cells)) <= {list}:
        items = list(chain.from_iterable(cells))
        if set(map(type, items)) <= {str} and "" not in items:
            return pd.Series(cells, dtype=object)
    return pd.Series([_as_list(v) for v in cells], dtype=object)


def _timestamps(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert("UTC").astype(_TIME_DTYPE)
    if pd.api.types.is_datetime64_dtype(series.dtype):
        return series.dt.tz_localize("UTC").astype(_TIME_DTYPE)
    return pd.to_datetime(series, utc=True, errors="raise").astype(_TIME_DTYPE)


def _numbers(values: pd.Series, column: str, dtype: str) -> pd.Series:
    try:
        return pd.to_numeric(values, errors="raise").astype(dtype)
    except (ValueError, TypeError) as exc:
        raise SchemaError(
            f"column {column!r}: found values that are not {'whole numbers' if dtype == 'Int64' else 'numbers'} "
            f"({exc}); expected {dtype} values or NA. Next step: convert the column in the reader "
            "(workfw.io._common.to_number) before conforming."
        ) from exc


def empty_tasks() -> pd.DataFrame:
    """Return an empty canonical task table with the right dtypes."""
    return conform_tasks(pd.DataFrame({c: [] for c in TASK_COLUMNS}))


def empty_events() -> pd.DataFrame:
    """Return an empty status-history table with the right dtypes."""
    return conform_events(pd.DataFrame({c: [] for c in EVENT_COLUMNS}))


def conform_tasks(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` with every canonical column, in order and typed.

    Missing canonical columns are added as all-``NA`` (or empty lists); columns
    beyond the canonical set are kept after them.

    Parameters
    ----------
    frame : pandas.DataFrame
        Task rows holding any subset of :data:`TASK_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        The conformed table with a fresh ``RangeIndex``.
    """
    n = len(frame)
    out: dict[str, pd.Series] = {}
    source = frame.reset_index(drop=True)
    for col in TASK_COLUMNS:
        if col in source.columns:
            values = source[col]
        elif col in LIST_COLUMNS:
            values = pd.Series([[] for _ in range(n)], dtype=object)
        else:
            values = pd.Series([pd.NA] * n, dtype=object)
        if col in TEXT_COLUMNS:
            values = _text(values)
        elif col in TIME_COLUMNS:
            values = _timestamps(values)
        elif col in LIST_COLUMNS:
            values = _as_lists(values)
        elif col in COUNT_COLUMNS:
            values = _numbers(values, col, "Int64")
        elif col == "estimate":
            values = _numbers(values, col, "Float64")
        elif col == "status_category":
            values = pd.Categorical(values.astype(object).where(values.notna(), None),
                                    categories=list(STATUS_CATEGORIES))
        out[col] = values
    extras = [c for c in source.columns if c not in TASK_COLUMNS]
    result = pd.DataFrame(out)
    for col in extras:
        result[col] = source[col].to_numpy()
    return result


def conform_events(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a typed, time-sorted copy of a status-history table.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with ``task_id, at, field, old, new`` and optionally ``author``.

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
        out[col] = _timestamps(values) if col == "at" else values.astype("string")
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
    if ids.duplicated().any():
        dup = tasks.loc[ids.duplicated(), "task_id"].iloc[0]
        raise SchemaError(
            f"{where}, column 'task_id': found duplicate id {dup!r}; expected unique ids. "
            "Next step: read the file with wf.read_export, which merges repeated rows."
        )
    _remember_unique(ids)


# Id columns already found unique, by their Arrow data: that data is immutable (an edit to the column makes
# new data), so a table checked once is not hashed again on every filter change (~60 ms at 100k tasks).
_UNIQUE_IDS: dict[int, weakref.ref] = {}


def _known_unique(ids: pd.Series) -> bool:
    data = getattr(ids.array, "_pa_array", None)
    ref = _UNIQUE_IDS.get(id(data)) if data is not None else None
    return ref is not None and ref() is data


def _remember_unique(ids: pd.Series) -> None:
    data = getattr(ids.array, "_pa_array", None)
    if data is None:
        return

    def _forget(_: weakref.ref, ident: int = id(data)) -> None:
        _UNIQUE_IDS.pop(ident, None)

    _UNIQUE_IDS[id(data)] = weakref.ref(data, _forget)


def tasks_of(data: Any, *, where: str = "data") -> pd.DataFrame:
    """Return the canonical task table from a ``TaskExport`` or a DataFrame.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        What a user passed to an analysis function.
    where : str
        Argument name for error messages.

    Returns
    -------
    pandas.DataFrame
        The task table (not copied; callers must not mutate it).
    """
    tasks = getattr(data, "tasks", data)
    validate_tasks(tasks, where=where)
    return tasks


"""The task table a signal reads: filtering, reference time and per-table caches.

:func:`prepare` filters an export by the common options (team, project,
window, actors) and fixes the reference time into a :class:`Context`; the
same filter again returns the very same frames, so every memo keyed on them
hits.  :func:`per_row` computes a row-wise value once on the unfiltered table
and takes the filtered rows; :func:`member` is a fast ``isin`` for text.  A
signal returns :class:`Measured` or raises :class:`NotMeasurable`.

Split from :mod:`workfw.core.diagnosis`, which re-exports every name here; import
them from there.  This module must not import :mod:`workfw.core.diagnosis`.
"""
from __future__ import annotations

import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.errors import OptionError
from workfw.schema import absent_columns, tasks_of

__all__ = ["DEFAULTS", "NotMeasurable", "Measured", "Context", "prepare", "per_row", "origin", "member", "CORE_COLUMNS",
           "HISTORY", "NO_HISTORY", "field_gap"]


#: Documented defaults of the options every ``diagnose`` accepts.
DEFAULTS: dict[str, Any] = {
    "stale_days": 30,          # open and not updated for this many days is stale
    "substantive_words": 15,   # a description with at least this many words is substantive
    "aging_multiple": 2.0,     # in progress longer than this x the median cycle time is aging
    "team": None,              # restrict to one team (or a list of teams)
    "project": None,           # restrict to one project (or a list)
    "window": None,            # (start, end): tasks created or active in this window
    "actors": "all",           # "all", "people" or "agents": whose work to include
    "bots": (),                # extra names to treat as bots/agents
}


class NotMeasurable(Exception):
    """Raised inside a signal function when the export cannot support it.

    Parameters
    ----------
    reason : str
        Plain-language reason, e.g. ``"the export has no due dates"``.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Measured:
    """A signal's result.

    Attributes
    ----------
    value : float
        The raw value (a share 0-1, days, a count...).
    score : float
        The value normalised to 0-100 (higher is healthier).
    n : int
        How many tasks the value is computed over.
    task_ids : list of str
        Tasks behind a problem the signal found (for findings), if any.
    finding : str or None
        A plain-language finding when the signal shows a problem.
    severity : {"high", "medium", "low"}
        How much the finding matters.
    """

    value: float
    score: float
    n: int
    task_ids: list[str] = field(default_factory=list)
    finding: str | None = None
    severity: str = "medium"


@dataclass
class Context:
    """What a signal function receives.

    Attributes
    ----------
    tasks : pandas.DataFrame
        Filtered canonical tasks.
    events : pandas.DataFrame
        History of those tasks (possibly empty).
    as_of : pandas.Timestamp
        The reference time (UTC).
    options : dict
        Resolved options (:data:`DEFAULTS` overridden by the caller's).
    base : pandas.DataFrame or None
        The unfiltered task table ``tasks`` was selected from (None when
        ``tasks`` is that table).  Values that depend only on a task's own row
        are computed once on ``base`` and taken at ``rows``, so a new filter
        does not recompute them.
    rows : numpy.ndarray or None
        Positions in ``base`` of the rows of ``tasks``, in order.
    """

    tasks: pd.DataFrame
    events: pd.DataFrame
    as_of: pd.Timestamp
    options: dict[str, Any]
    base: pd.DataFrame | None = None
    rows: np.ndarray | None = None

    # Cached: signals ask for these a dozen times per diagnosis, and each
    # filter copies every column (a quarter second at a million tasks).
    # Callers must not mutate the frames they get, as with ``tasks``.
    # Kept per table too: diagnoses with other thresholds get a new Context over the same filtered table.
    @cached_property
    def open(self) -> pd.DataFrame:
        """Tasks to do or in progress (a task without a status category is neither open nor done)."""
        return _per_table(self.tasks, "open", lambda t: t[t["status_category"].isin(["todo", "in_progress"])])

    @cached_property
    def done(self) -> pd.DataFrame:
        """Tasks in the done category."""
        return _per_table(self.tasks, "done", lambda t: t[t["status_category"] == "done"])

    # The signals read only ids, status, dates and owners of these rows; leaving the text columns behind
    # makes the two selections ~10x cheaper (1.9 s -> 0.15 s at a million tasks).
    @cached_property
    def open_core(self) -> pd.DataFrame:
        """:attr:`open` with only the columns in :data:`CORE_COLUMNS` (ids, status, dates, owners)."""
        return _per_table(self.tasks, "open core", lambda t: t.loc[
            t["status_category"].isin(["todo", "in_progress"]).to_numpy(dtype=bool), _core(t)])

    @cached_property
    def done_core(self) -> pd.DataFrame:
        """:attr:`done` with only the columns in :data:`CORE_COLUMNS` (ids, status, dates, owners)."""
        return _per_table(self.tasks, "done core", lambda t: t.loc[
            (t["status_category"] == "done").fillna(False).to_numpy(dtype=bool), _core(t)])

    def require(self, *columns: str, frame: pd.DataFrame | None = None) -> None:
        """Raise :class:`NotMeasurable` unless each column has at least one value.

        Each entry may name alternatives, ``"due|iteration"``: one of them must have a value.
        """
        for col in columns:
            reason = field_gap(self, col, frame=frame)
            if reason is not None:
                raise NotMeasurable(reason)

    def require_history(self) -> None:
        """Raise :class:`NotMeasurable` unless the export carries status history."""
        if self.events is None or self.events.empty:
            raise NotMeasurable(NO_HISTORY)


#: The pseudo-field a signal names when it reads the status history (``TaskExport.events``).
HISTORY = "events"
NO_HISTORY = "the export has no status history (only Jira JSON with changelog and Trello carry it)"
# What an empty field means for the reader of a coverage table, where the name alone says little.
_FIELD_NOTES = {"status_category": " (no status, so no task counts as open or done)",
                "task_type": " (no issue types, so epics and goals cannot be told apart)"}


def field_gap(ctx: Context, need: str, *, frame: pd.DataFrame | None = None) -> str | None:
    """Why the tasks cannot give ``need``, or None when they can.

    Parameters
    ----------
    ctx : Context
        The prepared tasks and history.
    need : str
        A canonical field (``"due"``), alternatives (``"due|iteration"``: any
        one with a value will do) or :data:`HISTORY` for the status history.
    frame : pandas.DataFrame, optional
        The table to check instead of ``ctx.tasks``.

    Returns
    -------
    str or None
        A reason naming the field, such as ``"the export has no 'due' field"``
        or ``"the export leaves 'due' empty on every task"``.
    """
    names = need.split("|")
    history = HISTORY in names
    if history:
        if ctx.events is not None and not ctx.events.empty:
            return None
        names = [n for n in names if n != HISTORY]
        if not names:
            return NO_HISTORY
    tasks = ctx.tasks if frame is None else frame
    quoted = [repr(n) for n in names]
    present = [n for n in names if n in tasks.columns]
    # A column the caller's table did not have at all (tasks_of added it) is a field the export lacks.
    lacking = absent_columns(ctx.base if frame is None and ctx.base is not None else tasks)
    # "started|events": the other way to measure is gone too, so the reason names both.
    if all(n not in tasks.columns or n in lacking for n in names):
        return f"the export has no {' or '.join(quoted)} field" + (" and no status history" if history else "")
    # A diagnosis asks about the same few columns of the same table for every signal, and per_row works
    # the cells out once per export, so a new filter only takes its rows.
    if any(_filled_in(tasks, n) for n in present):
        return None
    # The same words with or without a filter: a filtered diagnosis must equal a fresh one of the same tasks.
    note = _FIELD_NOTES.get(names[0], "") if len(names) == 1 else ""
    reason = f"the export leaves {' and '.join(quoted)} empty on every task{note}"
    return reason + (" and has no status history" if history else "")


def _filled_in(tasks: pd.DataFrame, column: str) -> bool:
    """True when at least one task has a value in ``column`` (a list column: a non-empty list)."""
    return _per_table(tasks, f"filled {column}", lambda t: bool(
        per_row(t, f"has value {column}", lambda f: _cells_filled(f[column])).any()))


def _cells_filled(values: pd.Series) -> np.ndarray:
    """Per cell: it holds a value (a list column: a non-empty list)."""
    if values.dtype == object and len(values) and isinstance(values.iloc[0], (list, tuple, np.ndarray)):
        cells = values.to_numpy(dtype=object)
        try:
            return np.fromiter(map(len, cells), dtype=np.int64, count=len(cells)) > 0
        except TypeError:  # a missing cell (None, NaN) among the lists
            return np.array([isinstance(v, (list, tuple, np.ndarray)) and len(v) > 0 for v in cells], dtype=bool)
    return values.notna().to_numpy(dtype=bool)


#: Columns of :attr:`Context.open_core` and :attr:`Context.done_core`.
CORE_COLUMNS: tuple[str, ...] = ("task_id", "status", "status_category", "assignee", "assignees", "team", "project",
                                 "created", "updated", "started", "completed", "due", "iteration")


def _core(tasks: pd.DataFrame) -> list[str]:
    return [c for c in CORE_COLUMNS if c in tasks.columns]


def prepare(data: Any, *, as_of: Any = None, **options: Any) -> Context:
    """Filter an export by the common options and fix the reference time.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data (not the
        clock), so a diagnosis is reproducible.
    **options
        See :data:`DEFAULTS`.

    Returns
    -------
    Context
    """
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise OptionError(f"diagnose got unknown options {unknown}; expected some of {sorted(DEFAULTS)}. "
                          "Next step: check the spelling.")
    opts = {**DEFAULTS, **options}
    tasks = tasks_of(data)
    events = getattr(data, "events", None)
    if events is None:
        from workfw.schema import empty_events

        events = empty_events()
    if opts["actors"] not in ("all", "people", "agents"):
        raise OptionError(f"actors={opts['actors']!r}; expected 'all', 'people' or 'agents'. "
                          "Next step: pass one of those.")
    key = repr((id(events), as_of, *(opts[k] for k in _FILTERS)))
    hit = _PREPARED.get(id(tasks))
    if hit is not None and hit[0]() is tasks and key in hit[1] and hit[1][key][0] is events:
        # The same filter again (a threshold moved, or a view drew its charts): the same frames, so every
        # per-table memo of the signals still holds.
        hit[1].move_to_end(key)
        _, sub, sub_events, stamp, rows = hit[1][key]
        # The whole table is not stored in its own entry (that would keep it alive forever).
        return Context(tasks=tasks if rows is None else sub, events=sub_events, as_of=stamp, options=opts,
                       base=None if rows is None else tasks, rows=rows)
    mask = pd.Series(True, index=tasks.index)
    for col in ("team", "project"):
        if opts[col] is not None:
            wanted = [opts[col]] if isinstance(opts[col], str) else list(opts[col])
            mask &= _one_of(tasks, col, wanted)
    if opts["actors"] != "all":
        from workfw.actors import is_agent

        def agents(table: pd.DataFrame) -> np.ndarray:
            # Once per distinct name: a hundred thousand tasks share a few hundred assignees.
            codes, names = pd.factorize(table["assignee"])
            known = np.array([bool(is_agent(n, extra=opts["bots"])) for n in names] + [False], dtype=bool)
            return known[codes]

        agent = _per_table(tasks, f"agents {opts['bots']!r}", agents)
        mask &= agent if opts["actors"] == "agents" else ~agent
    stamp = _per_table(tasks, "latest", _latest) if as_of is None else pd.Timestamp(as_of)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    if opts["window"] is not None:
        start, end = (pd.Timestamp(x) for x in opts["window"])
        start = start.tz_localize("UTC") if start.tzinfo is None else start
        end = end.tz_localize("UTC") if end.tzinfo is None else end
        created, ended, is_open = _per_table(tasks, "window columns", _window_columns)
        mask &= ((created != NAT) & (created <= end.as_unit("ns").value)
                 & ((ended == NAT) | (ended >= start.as_unit("ns").value) | is_open))
        stamp = min(stamp, end)
    full, given, base, rows = tasks, events, None, None
    if not mask.all():
        base, rows = tasks, np.flatnonzero(mask.to_numpy(dtype=bool))
        tasks = tasks.take(rows).reset_index(drop=True)
        _ORIGIN[id(tasks)] = (weakref.ref(tasks, lambda _, ident=id(tasks), cache=_ORIGIN: cache.pop(ident, None)),
                              weakref.ref(base), rows)
    if len(events):
        events = events[member(events["task_id"], tasks["task_id"]).to_numpy()].reset_index(drop=True)
    _remember(full, key, (given, None if rows is None else tasks, events, stamp, rows))
    return Context(tasks=tasks, events=events, as_of=stamp, options=opts, base=base, rows=rows)


NAT = np.iinfo(np.int64).min


def _window_columns(tasks: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What a date window compares, worked out once per table.

    Created and ended (completed, else updated) as int64 ns (``NAT`` where
    empty), and whether the task is open.
    """
    return (_ns(tasks["created"]), _ns(tasks["completed"].fillna(tasks["updated"])),
            tasks["status_category"].isin(["todo", "in_progress"]).to_numpy(dtype=bool))


def _one_of(tasks: pd.DataFrame, column: str, wanted: list[Any]) -> np.ndarray:
    """``tasks[column].isin(wanted)``, compared as codes of the column's distinct values (coded once per table)."""
    if any(pd.isna(w) for w in wanted):
        return tasks[column].isin(wanted).to_numpy(dtype=bool)
    codes, uniques = _per_table(tasks, f"codes {column}", lambda t: pd.factorize(t[column]))
    chosen = pd.Index(uniques).get_indexer(pd.Index(wanted, dtype=object))
    return np.isin(codes, chosen[chosen >= 0])


# Filtered tables of the last few filters per task table: interactive views move a threshold or come back to
# a team, and reusing the very same frames lets every memo keyed on them hit.  Entries die with the table.
_FILTERS = ("team", "project", "window", "actors", "bots")
_KEEP_FILTERS = 8
_PREPARED: dict[int, tuple[weakref.ref, OrderedDict]] = {}


# Filtered table id -> (filtered table, unfiltered table, positions), for :func:`per_row`.
_ORIGIN: dict[int, tuple[weakref.ref, weakref.ref, np.ndarray]] = {}
_PER_ROW: dict[tuple[int, str], tuple[weakref.ref, Any]] = {}


def per_row(tasks: pd.DataFrame, name: str, build: Callable[[pd.DataFrame], Any]) -> Any:
    """``build(tasks)`` for a value that depends only on each task's own row, computed once per table.

    When ``tasks`` was filtered by :func:`prepare`, ``build`` runs once on the
    unfiltered table and the rows are taken by position, so a new team, window
    or actor filter costs a take, not a recomputation.

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
        return _per_table(tasks, name, build)
    full, rows = _per_table(found[0], name, build), found[1]
    if isinstance(full, pd.Series):
        return pd.Series(full.to_numpy()[rows] if isinstance(full.dtype, np.dtype) else full.array.take(rows),
                         index=tasks.index, name=full.name)
    if isinstance(full, pd.DataFrame):
        return full.take(rows).set_axis(tasks.index)
    return full[rows]


def origin(tasks: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray] | None:
    """``(unfiltered table, positions)`` of a table :func:`prepare` filtered, or None for any other table."""
    found = _ORIGIN.get(id(tasks))
    if found is None or found[0]() is not tasks or found[1]() is None:
        return None
    return found[1](), found[2]


def selected_positions(found: tuple[pd.DataFrame, np.ndarray]) -> np.ndarray:
    """Position in the filtered table of each row of the unfiltered one (-1: not selected); ``found`` from :func:`origin`."""
    base, rows = found
    inv = np.full(len(base), -1, dtype=np.int64)
    inv[rows] = np.arange(len(rows))
    return inv


def _ns(values: pd.Series) -> np.ndarray:
    """Timestamps as int64 nanoseconds since the epoch (UTC); ``NAT`` where empty."""
    return np.asarray(pd.DatetimeIndex(values).as_unit("ns").asi8, dtype=np.int64)


def _per_table(tasks: pd.DataFrame, name: str, build: Callable[[pd.DataFrame], Any]) -> Any:
    key = (id(tasks), name)
    hit = _PER_ROW.get(key)
    if hit is not None and hit[0]() is tasks:
        return hit[1]
    value = build(tasks)
    _PER_ROW[key] = (weakref.ref(tasks, lambda _, k=key, cache=_PER_ROW: cache.pop(k, None)), value)
    return value


def _remember(tasks: pd.DataFrame, key: str, value: tuple) -> None:
    hit = _PREPARED.get(id(tasks))
    if hit is None or hit[0]() is not tasks:
        def _drop(_: weakref.ref, ident: int = id(tasks)) -> None:
            _PREPARED.pop(ident, None)

        hit = _PREPARED[id(tasks)] = (weakref.ref(tasks, _drop), OrderedDict())
    hit[1][key] = value
    while len(hit[1]) > _KEEP_FILTERS:
        hit[1].popitem(last=False)


def member(values: pd.Series, pool: Any) -> pd.Series:
    """``values.isin(pool)`` that stays fast when ``pool`` is large.

    pandas' Arrow-string ``isin`` turns each pool value into a pyarrow scalar
    in Python (a second per 100k task ids); this hashes both sides in pyarrow.

    Parameters
    ----------
    values : pandas.Series
        Values to look up (task ids, names...).
    pool : iterable
        The values to find; a Series, list, set or array.

    Returns
    -------
    pandas.Series
        Boolean, on ``values``' index; NA is never a member.
    """
    pool = pd.Series(list(pool) if isinstance(pool, (set, frozenset, dict)) else pool)
    if len(values) == 0 or len(pool) == 0:
        return pd.Series(False, index=values.index, dtype=bool)
    if not (pd.api.types.is_string_dtype(values.dtype) and pd.api.types.is_string_dtype(pool.dtype)):
        # Only text is compared as text here; 1 and "1" must stay different.
        return values.isin(pool)
    left, right = _arrow_text(values), _arrow_text(pool)
    if isinstance(right, pa.ChunkedArray):
        right = right.combine_chunks()
    found = pc.fill_null(pc.is_in(left, value_set=right.drop_null().cast(left.type)), False)
    return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)


def _arrow_text(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """Text as pyarrow: zero-copy when pandas already holds it in Arrow (a trip through objects costs ~1 s/M)."""
    text = values.astype("string").array
    if isinstance(text, pd.arrays.ArrowStringArray):
        return pa.array(text)
    return pa.array(text.to_numpy(dtype=object, na_value=None), type=pa.string())


def _latest(tasks: pd.DataFrame) -> pd.Timestamp:
    stamps = [tasks[c].max() for c in ("created", "updated", "started", "completed") if c in tasks]
    stamps = [s for s in stamps if s is not None and s is not pd.NaT and not pd.isna(s)]
    if not stamps:
        return pd.Timestamp("1970-01-01", tz="UTC")
    return max(stamps)

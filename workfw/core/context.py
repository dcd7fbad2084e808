"""The task table a signal reads: filtering, reference time and per-table caches.

:func:`prepare` filters an export by the common options (team, project,
window, actors) and fixes the reference time into a :class:`Context`; the
same filter again returns the very same frames, so every memo keyed on them
hits.  :func:`~workfw.core.rows.per_row` computes a row-wise value once on the
unfiltered table and takes the filtered rows; :func:`member` is a fast ``isin``
for text.  A signal returns :class:`Measured` or raises :class:`NotMeasurable`.

Within :mod:`workfw.core` this module sits on :mod:`~workfw.core.options`,
:mod:`~workfw.core.cache` and :mod:`~workfw.core.rows`; everything else builds on it.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.core.cache import cached
from workfw.core.fields import NO_HISTORY, field_gap
from workfw.core.options import DEFAULTS
from workfw.core.rows import NAT, as_ns, link_origin
from workfw.errors import OptionError
from workfw.schema import tasks_of

__all__ = ["NotMeasurable", "Measured", "Context", "prepare", "member", "reference_time", "as_utc", "CORE_COLUMNS"]


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
        Resolved options (:data:`DEFAULTS` overridden by the caller's).  A
        signal run by :func:`workfw.core.run_signals` gets its own copy of the
        context whose options are a read-only mapping that notes what it reads.
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
        Reference time; defaults to :func:`reference_time` of the data (never
        the clock), so a diagnosis is reproducible.
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
    key = repr((as_of, *(opts[k] for k in _FILTERS)))
    recent = cached((tasks, events), _RECENT_FILTERS, OrderedDict)
    hit = recent.get(key)
    if hit is not None:
        # The same filter again (a threshold moved, or a view drew its charts): the same frames, so every
        # per-table memo of the signals still holds.
        recent.move_to_end(key)
        sub, sub_events, stamp, rows = hit
        # Neither the whole table nor its history is stored in its own entry (that would keep them alive forever).
        return Context(tasks=tasks if rows is None else sub, events=events if sub_events is None else sub_events,
                       as_of=stamp, options=opts, base=None if rows is None else tasks, rows=rows)
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
    stamp = reference_time(tasks, events) if as_of is None else pd.Timestamp(as_of)
    stamp = _EPOCH if stamp is None else stamp
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    if opts["window"] is not None:
        start, end = (pd.Timestamp(x) for x in opts["window"])
        start = start.tz_localize("UTC") if start.tzinfo is None else start
        end = end.tz_localize("UTC") if end.tzinfo is None else end
        created, ended, is_open = _per_table(tasks, "window columns", _window_columns)
        mask &= ((created != NAT) & (created <= end.as_unit("ns").value)
                 & ((ended == NAT) | (ended >= start.as_unit("ns").value) | is_open))
        stamp = min(stamp, end)
    given, base, rows = events, None, None
    if not mask.all():
        base, rows = tasks, np.flatnonzero(mask.to_numpy(dtype=bool))
        tasks = tasks.take(rows).reset_index(drop=True)
        link_origin(tasks, base, rows)
    if len(events):
        events = events[member(events["task_id"], tasks["task_id"]).to_numpy()].reset_index(drop=True)
    recent[key] = (None if rows is None else tasks, None if events is given else events, stamp, rows)
    while len(recent) > _KEEP_FILTERS:
        recent.popitem(last=False)
    return Context(tasks=tasks, events=events, as_of=stamp, options=opts, base=base, rows=rows)


def _window_columns(tasks: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What a date window compares, worked out once per table.

    Created and ended (completed, else updated) as int64 ns (``NAT`` where
    empty), and whether the task is open.
    """
    return (as_ns(tasks["created"]), as_ns(tasks["completed"].fillna(tasks["updated"])),
            tasks["status_category"].isin(["todo", "in_progress"]).to_numpy(dtype=bool))


def _one_of(tasks: pd.DataFrame, column: str, wanted: list[Any]) -> np.ndarray:
    """``tasks[column].isin(wanted)``, compared as codes of the column's distinct values (coded once per table)."""
    if any(pd.isna(w) for w in wanted):
        return tasks[column].isin(wanted).to_numpy(dtype=bool)
    codes, uniques = _per_table(tasks, f"codes {column}", lambda t: pd.factorize(t[column]))
    chosen = pd.Index(uniques).get_indexer(pd.Index(wanted, dtype=object))
    return np.isin(codes, chosen[chosen >= 0])


# Filtered tables of the last few filters per task table: interactive views move a threshold or come back to
# a team, and reusing the very same frames lets every memo keyed on them hit.  They are kept on the task table
# and its history (:func:`workfw.core.cache.cached`), so they die with either.
_FILTERS = ("team", "project", "window", "actors", "bots")
_KEEP_FILTERS = 8
_RECENT_FILTERS = ("recent filters",)



def _per_table(tasks: pd.DataFrame, name: str, build: Callable[[pd.DataFrame], Any]) -> Any:
    """``build(tasks)``, kept on ``tasks`` (:func:`workfw.core.cache.cached`)."""
    return cached(tasks, name, lambda: build(tasks))

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


# "Now" of a table with no date at all: every measure of time is then not measurable anyway.
_EPOCH = pd.Timestamp("1970-01-01", tz="UTC")
_TASK_TIMES = ("created", "updated", "started", "completed")


def as_utc(value: Any, *, name: str, caller: str | None = None,
           error: type[OptionError] = OptionError) -> pd.Timestamp:
    """A date or time a caller passed, as a UTC timestamp (a value without a zone is read as UTC).

    Parameters
    ----------
    value : timestamp-like
        What the caller passed (``"2026-06-01"``, a ``Timestamp``, a ``datetime``).
    name : str
        The argument's name, for the message.
    caller : str, optional
        The function's name, put first in the message.
    error : type, default OptionError
        The :class:`~workfw.errors.OptionError` subclass to raise.

    Returns
    -------
    pandas.Timestamp
        Tz-aware, in UTC.

    Raises
    ------
    OptionError
        ``error``, naming the argument and what was found, when ``value`` is no date or is empty.
    """
    where = f"{caller}: " if caller else ""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise error(f"{where}{name}={value!r} is not a date; expected a date such as '2026-06-01'. "
                    "Next step: pass an ISO date or a pandas.Timestamp.") from exc
    if pd.isna(stamp):
        raise error(f"{where}{name} is empty; expected a date such as '2026-06-01'. Next step: pass an ISO date.")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def reference_time(tasks: pd.DataFrame, events: pd.DataFrame | None = None) -> pd.Timestamp | None:
    """The default "now" of every diagnosis and flow metric: the latest time anything happened in the export.

    That is the latest ``created``, ``updated``, ``started`` or ``completed`` of any task, or the latest
    recorded change in the history, whichever is later.  A change in the history (a status move, a new
    assignee) is activity as much as an update is, and a tracker does not always bump ``updated`` for it;
    the clock is never read, so the same export always gives the same results.

    Parameters
    ----------
    tasks : pandas.DataFrame
        The whole canonical task table (before any filter, so every filter of one export shares one "now").
    events : pandas.DataFrame, optional
        The export's history (``TaskExport.events``), every field.

    Returns
    -------
    pandas.Timestamp or None
        A tz-aware UTC timestamp; None when neither a task nor the history holds any time.
    """
    stamps = [_per_table(tasks, "latest", _latest_of_tasks)]
    if events is not None and len(events) and "at" in events.columns:
        stamps.append(_per_table(events, "latest", lambda frame: frame["at"].max()))
    stamps = [s for s in stamps if s is not None and not pd.isna(s)]
    if not stamps:
        return None
    latest = pd.Timestamp(max(stamps))
    return latest.tz_localize("UTC") if latest.tzinfo is None else latest.tz_convert("UTC")


def _latest_of_tasks(tasks: pd.DataFrame) -> pd.Timestamp | None:
    stamps = [tasks[c].max() for c in _TASK_TIMES if c in tasks]
    stamps = [s for s in stamps if s is not None and not pd.isna(s)]
    return max(stamps) if stamps else None

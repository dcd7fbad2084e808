"""Flow metrics, part 1: durations, timelines, cycle times and percentiles (see :mod:`workfw.flow`).

The inputs and options every metric shares live in :mod:`workfw.flow.inputs` and stay importable
from here.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.actors import actor_kind
from workfw.core.context import member
from workfw.errors import OptionError
from workfw.schema import tasks_of
from workfw.statuses import known_categories, move_categories
# Other flow modules import these from here; they moved below the stage definition, which reads them too.
from workfw.flow.inputs import (_check_levels, _group_values, _level_name, _naive, _now, _periods,  # noqa: F401
                                _resolve_as_of, _status_events, _uses_stages, _utc)
from workfw.flow.stage_rules import _committed_start, _describe, _stage_table

__all__ = ["PERCENTILE_LEVELS", "cycle_times", "percentiles"]

#: Default percentile levels of a service-level expectation.
PERCENTILE_LEVELS: tuple[int, ...] = (50, 70, 85, 95)

_DAY = pd.Timedelta(days=1)
_BLOCKED = r"block|flag|imped"
_NO_END = np.iinfo(np.int64).max
_MAX_CELLS = 4_000_000  # simulated steps held in memory at once by forecast_when
# Task columns cycle_times reads (the rest of a wide table is never copied).
_CYCLE_READS = ("task_id", "title", "team", "assignee", "assignees", "status", "status_category", "created",
                "updated", "started", "started_basis", "completed", "completed_basis")

# --------------------------------------------------------------------------- durations

def _days(start: pd.Series, end: pd.Series, *, working_days: bool) -> pd.Series:
    """Days from ``start`` to ``end`` (float, NaN where either is missing).

    Working days count Monday-Friday of the UTC calendar: whole weekdays
    between the two dates (``numpy.busday_count``) plus the fraction of the
    first and last day that falls on a weekday, so the result is exact to the
    nanosecond in UTC but ignores local time zones and public holidays.
    """
    start = pd.to_datetime(pd.Series(start), utc=True).reset_index(drop=True)
    end = pd.to_datetime(pd.Series(end), utc=True).reset_index(drop=True)
    if not working_days:
        return ((end - start) / _DAY).astype("float64")
    valid = (start.notna() & end.notna()).to_numpy()
    sign = np.where((end >= start).fillna(True).to_numpy(), 1.0, -1.0)
    lo = _naive(start.where(end.isna() | (start <= end), end)).to_numpy()
    hi = _naive(end.where(start.isna() | (start <= end), start)).to_numpy()
    filler = np.datetime64("2000-01-03T00:00:00", "ns")
    lo = np.where(valid, lo, filler)
    hi = np.where(valid, hi, filler)
    lo_day, hi_day = lo.astype("datetime64[D]"), hi.astype("datetime64[D]")
    lo_frac = (lo - lo_day.astype("datetime64[ns]")) / np.timedelta64(1, "D")
    hi_frac = (hi - hi_day.astype("datetime64[ns]")) / np.timedelta64(1, "D")
    lo_work, hi_work = np.is_busday(lo_day), np.is_busday(hi_day)
    between = np.busday_count(np.minimum(lo_day + 1, hi_day), hi_day)
    spread = lo_work * (1.0 - lo_frac) + between + hi_work * hi_frac
    same = lo_day == hi_day
    result = np.where(same, lo_work * (hi_frac - lo_frac), spread) * sign
    return pd.Series(np.where(valid, result, np.nan), dtype="float64")


# --------------------------------------------------------------------------- timelines

def _history_intervals(tasks: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    if events.empty:
        return pd.DataFrame({"task_id": pd.Series([], dtype="string"),
                             "start": pd.Series([], dtype="datetime64[ns, UTC]"),
                             "status": pd.Series([], dtype="string"), "recorded": pd.Series([], dtype="string"),
                             "order": pd.Series([], dtype="int64")})
    created = tasks.set_index("task_id")["created"]
    first = events.groupby("task_id", sort=False).head(1).reset_index(drop=True)
    made = first["task_id"].map(created)

    def recorded(frame: pd.DataFrame, col: str) -> pd.Series:
        # The category the read gave that status on this move (NA in a history built without one).
        return frame[col] if col in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="string")

    # Before its first recorded move a task sat in that move's "old" status, from its creation.
    initial = pd.DataFrame({
        "task_id": first["task_id"],
        "start": made.where(made.notna() & (made <= first["at"]), first["at"]),
        "status": first["old"], "recorded": recorded(first, "old_category"), "order": -1,
    })
    moves = pd.DataFrame({"task_id": events["task_id"], "start": events["at"], "status": events["new"],
                          "recorded": recorded(events, "new_category"), "order": np.arange(len(events))})
    out = pd.concat([initial, moves], ignore_index=True)
    out["status"] = out["status"].astype("string")
    out["recorded"] = out["recorded"].astype("string")
    return out


def _timestamp_intervals(tasks: pd.DataFrame) -> pd.DataFrame:
    cat = tasks["status_category"].astype("string").fillna("todo")  # the caller leaves tasks without one out
    status = tasks["status"].astype("string")
    ended = tasks["completed"].fillna(tasks["updated"]).fillna(tasks["started"]).fillna(tasks["created"])
    parts = [
        pd.DataFrame({"task_id": tasks["task_id"], "start": tasks["created"], "category": "todo",
                      "status": status.where(cat == "todo"), "order": 0}),
        pd.DataFrame({"task_id": tasks["task_id"],
                      "start": tasks["started"].where(tasks["started"].notna() | (cat != "in_progress"),
                                                      tasks["created"]),
                      "category": "in_progress", "status": status.where(cat == "in_progress"), "order": 1})
        .loc[cat.isin(["in_progress", "done", "cancelled"])],
        pd.DataFrame({"task_id": tasks["task_id"], "start": ended, "category": cat, "status": status, "order": 2})
        .loc[cat.isin(["done", "cancelled"])],
    ]
    return pd.concat(parts, ignore_index=True)


def _intervals(tasks: pd.DataFrame, events: pd.DataFrame, known: dict[str, str] | None = None, *,
               history_only: bool = False) -> pd.DataFrame:
    """Every task's timeline: ``task_id, start, end, category, status, history``.

    ``end`` is NaT for the state a task is still in; ``status`` is the status
    name where known (history, or the task's current status).  ``category``
    is NA for a span in a status no rule places (see :mod:`workfw.statuses`):
    such a span starts no clock, finishes nothing and is counted in no state.
    ``known`` is :func:`workfw.statuses.known_categories` of the whole export
    (by default of ``tasks`` itself).  With ``history_only`` the timelines
    rebuilt from timestamps are left out: a task has either kind, never both,
    so the history rows come out the same.
    """
    known = known_categories(tasks, events) if known is None else known
    if len(events):
        events = events[member(events["task_id"], tasks["task_id"]).to_numpy()]
    hist = _history_intervals(tasks, events)
    hist["category"] = move_categories(hist["status"], hist.pop("recorded"), known)
    hist["history"] = True
    parts = [hist]
    if not history_only:
        # A task without a status category (an export with no status) has no timeline: it was never seen to be
        # waiting, in progress or done, so it is left out rather than read as to-do.
        plain = _timestamp_intervals(tasks[(~member(tasks["task_id"], events["task_id"])
                                            & tasks["status_category"].notna()).to_numpy(dtype=bool)])
        plain["history"] = False
        parts.append(plain)
    out = pd.concat(parts, ignore_index=True)
    out["start"] = pd.to_datetime(out["start"], utc=True)
    out = out[out["start"].notna()]
    # Sort and group on integer codes of the ids: string sorts and string
    # group keys cost seconds at a million tasks.  Tasks come out in id order.
    codes, ids = pd.factorize(out["task_id"], sort=True)
    order = np.lexsort((out["order"].to_numpy(), codes))
    out, codes = out.iloc[order], codes[order]
    # Timestamps out of order (started before created) must not reorder the states.
    out["start"] = out["start"].groupby(codes, sort=False).cummax()
    out["end"] = out["start"].groupby(codes, sort=False).shift(-1)
    out["category"] = out["category"].astype("string")
    out["status"] = out["status"].astype("string")
    return out[["task_id", "start", "end", "category", "status", "history"]].reset_index(drop=True)


def _lookup(keys: pd.Series, table: pd.Series) -> pd.Series:
    """``table[key]`` for each key (NA when absent), keeping ``keys``' index and ``table``'s dtype."""
    if table.empty:
        # No history: nothing to find, and hashing a million ids to learn that costs a second.
        return pd.Series(index=keys.index, dtype=table.dtype)
    if isinstance(keys.array, pd.arrays.ArrowStringArray) and isinstance(table.index.array, pd.arrays.ArrowStringArray):
        # Task ids hashed in pyarrow; pandas' reindex on Arrow strings goes through Python objects.
        wanted, pool = pa.array(keys.array), pa.array(table.index.array)
        pool = pool.combine_chunks() if isinstance(pool, pa.ChunkedArray) else pool
        found = pc.index_in(wanted, value_set=pool.cast(wanted.type))
        pos = np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
        return pd.Series(table.array.take(pos, allow_fill=True), index=keys.index, name=table.name)
    out = table.reindex(keys.to_numpy())
    out.index = keys.index
    return out


def _marks(intervals: pd.DataFrame, start: str) -> tuple[pd.Series, pd.Series]:
    """Start and completion time per task found in history (indexed by task_id)."""
    hist = intervals[intervals["history"].to_numpy(dtype=bool)] if not intervals["history"].all() else intervals
    active = hist[hist["category"].eq("in_progress").fillna(False).to_numpy(dtype=bool)]
    if start not in ("started", "created"):
        named = hist[hist["status"].str.strip().str.casefold() == start.strip().casefold()]
        fallback = active.groupby("task_id")["start"].min()
        started = named.groupby("task_id")["start"].min().combine_first(fallback)
    else:
        started = active.groupby("task_id")["start"].min()
    completed = hist[hist["category"].eq("done").fillna(False).to_numpy(dtype=bool)].groupby("task_id")["start"].max()
    return started, completed


def _by_completion(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame.sort_values(["completed", "task_id"], kind="stable")`` with a fresh index, sorted in pyarrow.

    pandas numbers a million task ids in Python order before it can sort on two keys (~0.6 s); Arrow
    compares the ids (as UTF-8 bytes, which orders them as Python does) only where completions tie.
    """
    completed, ids = frame["completed"], frame["task_id"]
    if not (isinstance(completed.array, pd.arrays.DatetimeArray) and ids.notna().all()):
        return frame.sort_values(["completed", "task_id"], kind="stable").reset_index(drop=True)
    keys = pa.table({"completed": pa.array(completed.array.asi8, mask=completed.isna().to_numpy()),
                     "task_id": pa.array(ids.astype("string").array)})
    order = pc.sort_indices(keys, sort_keys=[("completed", "ascending"), ("task_id", "ascending")]).to_numpy()
    return frame.take(order).reset_index(drop=True)


def _basis_of(values: pd.Series, basis: pd.Series) -> pd.Series:
    """exact/history/inferred for a timestamp column, 'missing' where it is empty."""
    # Casefold each distinct label once (there are a handful), not every row.
    codes, labels = pd.factorize(basis.astype("string"))
    folded = pd.Series(labels, dtype="string").str.strip().str.casefold().to_numpy(dtype=object, na_value=pd.NA)
    out = pd.Series(np.append(folded, pd.NA)[codes], index=basis.index, dtype="string").fillna("exact")
    return out.where(values.notna(), "missing")


# --------------------------------------------------------------------------- cycle time

def cycle_times(data: Any, *, start: str = "started", working_days: bool = False, bots: Iterable[str] = (),
                stages: Any = None, commitment: str | None = None) -> pd.DataFrame:
    """Lead and cycle time of every finished task.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export (with history when it has some) or its task table.
    start : str
        Where the clock starts without a stage definition: ``"started"``
        (first move into any in-progress status), ``"created"`` (cycle time
        equals lead time) or a status name (first move into that status;
        tasks that skipped it start at their first in-progress move).
    working_days : bool
        Count Monday-Friday only (UTC calendar; see the module notes).
    bots : iterable of str
        Extra names to treat as agents in ``kind``.
    stages : mapping or pandas.DataFrame, optional
        A stage definition (see :func:`workfw.flow.stage_map`): your stages
        for some statuses, or a ``stage_map`` table.  Given this or
        ``commitment``, the clock starts at the commitment point: the first
        move into a committed (active or waiting) status of that definition,
        as :func:`workfw.flow.flow_efficiency` has it.  ``start`` must then
        stay ``"started"``.
    commitment : str, optional
        The commitment status of that definition.

    Returns
    -------
    pandas.DataFrame
        One row per done task with a completion time: ``task_id, title, team,
        assignee, kind, created, started, completed, lead_time_days,
        cycle_time_days, basis``.  ``basis`` is ``"history"`` (a time came
        from status history), ``"exact"`` (explicit timestamps) or
        ``"approximate"`` (start inferred or unknown, in which case
        ``cycle_time_days`` is the lead time).  Sorted by ``completed``.
        ``attrs["dropped"]`` counts done tasks left out, by reason; with a
        stage definition ``attrs`` also holds ``stages``, ``commitment`` and
        ``stage_definition`` (as :func:`workfw.flow.stage_map`).

    Notes
    -----
    Which tasks count (done by their status category) and when they finish
    (the *last* move into a done status, else ``completed``) do not depend on
    the stage definition; only the start does.  With a definition:

    * *moving backwards past the commitment point* (In Progress -> To Do ->
      In Progress): the clock keeps its first start, so the time back before
      commitment is in the cycle time (one promise, one clock);
    * *skipping stages*: a task that skipped the commitment status starts at
      the first committed status it entered (To Do -> In Review -> Done starts
      at In Review); one that went from before commitment straight to done
      never committed, so it falls back to the tracker's ``started`` and else
      to its lead time, with ``basis == "approximate"``;
    * *reopening after done* (Done -> In Progress -> Done): it starts at its
      first commitment and finishes at its last move into done, so the time
      spent done before the reopen is in the cycle time;
    * *no history*: the commitment point cannot be seen, so the tracker's
      ``started`` is used (``basis`` ``"exact"``), else the lead time
      (``"approximate"``), as without a definition.
    """
    if not isinstance(start, str) or not start.strip():
        raise OptionError(f"start={start!r}; expected 'started', 'created' or a status name. "
                          "Next step: pass start='started'.")
    staged = _uses_stages(start, stages, commitment)
    tasks = tasks_of(data)
    events = _status_events(data, tasks)
    smap = _stage_table(data, stages, commitment) if staged else None
    done_mask = (tasks["status_category"] == "done").fillna(False).to_numpy(dtype=bool)
    # Only the columns read here are taken: copying every text column of a wide export costs seconds.
    done = tasks[[c for c in _CYCLE_READS if c in tasks.columns]][done_mask].reset_index(drop=True)
    # Kinds of the whole (canonical) table, then the done rows': a part-table would be conformed first (a million
    # empty lists, 0.6 s), and a task's kind depends on its own row only.
    kinds = actor_kind(tasks, extra=bots)[done_mask].reset_index(drop=True)
    spans = _intervals(done, events, known_categories(tasks, events), history_only=True)
    hist_start, hist_done = _marks(spans, start)
    if smap is not None:
        hist_start = _committed_start(spans, smap)
    ids = done["task_id"]

    if start == "created":
        started, started_src = done["created"], _basis_of(done["created"], pd.Series("exact", index=done.index))
    else:
        from_history = _lookup(ids, hist_start)
        started = from_history.combine_first(done["started"])
        started_src = _basis_of(done["started"], done["started_basis"]).where(from_history.isna(), "history")
    from_history = _lookup(ids, hist_done)
    completed = from_history.combine_first(done["completed"])
    completed_src = _basis_of(done["completed"], done["completed_basis"]).where(from_history.isna(), "history")

    lead = _days(done["created"], completed, working_days=working_days)
    cycle = _days(started, completed, working_days=working_days)
    rough = started_src.isin(["missing", "inferred"]) | (completed_src == "inferred")
    basis = pd.Series(np.where(rough, "approximate",
                               np.where((started_src == "history") | (completed_src == "history"), "history", "exact")),
                      dtype="string")
    cycle = cycle.where(started.notna().to_numpy(), lead)
    backwards = cycle < 0
    out = pd.DataFrame({
        "task_id": ids, "title": done["title"], "team": done["team"], "assignee": done["assignee"], "kind": kinds,
        "created": done["created"], "started": pd.to_datetime(started, utc=True),
        "completed": pd.to_datetime(completed, utc=True),
        "lead_time_days": lead.where(lead >= 0), "cycle_time_days": cycle.where(~backwards), "basis": basis,
    })
    missing = out["completed"].isna()
    out = _by_completion(out.loc[~missing])
    out.attrs["dropped"] = {k: int(v) for k, v in {
        "done without a completion time": missing.sum(),
        "completed before started (cycle time left empty)": (backwards & ~missing).sum()}.items() if v}
    if smap is not None:
        _describe(smap, out)
    return out


def _cycles_or(cycles: pd.DataFrame | None, make: Any, *, where: str) -> pd.DataFrame:
    """A caller's precomputed :func:`cycle_times` table, or ``make()`` when there is none."""
    if cycles is None:
        return make()
    needed = ("task_id", "completed", "cycle_time_days")
    if not isinstance(cycles, pd.DataFrame) or any(c not in cycles.columns for c in needed):
        found = list(cycles.columns) if isinstance(cycles, pd.DataFrame) else type(cycles).__name__
        raise OptionError(f"{where}: cycles= found {found}; expected the table of wf.flow.cycle_times on the "
                          f"same data (columns {list(needed)}). Next step: pass cycles=wf.flow.cycle_times(data) "
                          "or leave cycles out.")
    return cycles


def percentiles(cycle: Any, *, levels: Iterable[float] = PERCENTILE_LEVELS, by: str | None = None,
                stages: Any = None, commitment: str | None = None) -> pd.DataFrame:
    """Cycle-time percentiles (a service-level expectation).

    Parameters
    ----------
    cycle : pandas.DataFrame or TaskExport
        Output of :func:`cycle_times`; anything else is passed through it first.
    levels : iterable of float
        Percent levels, each strictly between 0 and 100.
    by : str, optional
        A column of ``cycle`` (``"kind"``, ``"team"``) to compute them per group.
    stages, commitment : optional
        A stage definition for :func:`cycle_times` when ``cycle`` is an export
        (a cycle-time table already has its clock: passing them with one raises).

    Returns
    -------
    pandas.DataFrame
        ``[by,] level, days, n``: ``days`` is the ``level``-th percentile of
        ``cycle_time_days`` (linear interpolation between ranks, numpy's
        default), NaN when ``n`` (finished tasks) is 0.  With a stage
        definition ``attrs`` holds it (as :func:`workfw.flow.stage_map`).
    """
    measured = isinstance(cycle, pd.DataFrame) and "cycle_time_days" in cycle.columns
    if measured and (stages is not None or commitment is not None):
        raise OptionError("percentiles: stages= or commitment= was given with a cycle-time table, whose clock is "
                          "already set; expected an export to measure. Next step: pass "
                          "wf.flow.cycle_times(data, stages=...) without stages=, or pass the export.")
    frame = cycle if measured else cycle_times(cycle, stages=stages, commitment=commitment)
    wanted = _check_levels(levels)
    if by is not None and by not in frame.columns:
        raise OptionError(f"by={by!r} is not a column of the cycle-time table; expected one of "
                          f"{list(frame.columns)}. Next step: pass by='kind' or by='team'.")
    groups = [(None, frame)] if by is None else list(frame.groupby(frame[by].fillna("(none)"), sort=True))
    rows = []
    for key, part in groups:
        values = part["cycle_time_days"].dropna().to_numpy(dtype="float64")
        days = np.percentile(values, wanted) if len(values) else np.full(len(wanted), np.nan)
        rows += [({by: key} if by else {}) | {"level": lv, "days": float(d), "n": len(values)}
                 for lv, d in zip(wanted, days)]
    columns = ([by] if by else []) + ["level", "days", "n"]
    out = pd.DataFrame(rows, columns=columns)
    if "stage_definition" in frame.attrs:
        out.attrs.update({k: frame.attrs[k] for k in ("stages", "commitment", "stage_definition")})
    return out

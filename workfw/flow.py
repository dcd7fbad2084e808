"""Flow metrics: cycle time, throughput, WIP, aging WIP, CFD, blocked time and forecasts.

Every metric takes a :class:`~workfw.export.TaskExport` or a canonical task
table plus keyword-only options and returns a new tidy DataFrame; inputs are
never changed.

**Where the clock comes from.**  When the export carries status history
(``TaskExport.events`` with ``field == "status"``), each task's timeline is
rebuilt from it: before its first recorded move the task sat in that move's
``old`` status (from ``created``), and after each move in its ``new`` status.
Status names are placed in categories with the task table's own
``status -> status_category`` pairs, then keywords
(:func:`workfw.io._status.keyword_category`), then ``todo``.  Without history
the timeline is built from ``created``, ``started`` and ``completed``
(todo, then in progress, then done/cancelled).  So a task is always in exactly
one state from its first known time on.

**Backward moves and skipped stages.**  A task's start is its *first* move into
an in-progress status, even if it went back to todo and was restarted later;
its completion is its *last* move into done (a reopened task finishes when it
is finally done).  A task that skipped some in-progress status (To Do ->
Review -> Done) starts when it entered the first in-progress status it did
visit.  A task that went straight from todo to done has no start: its cycle
time falls back to its lead time and is labelled ``approximate``.

**Dates.** Period labels (``period``, ``date``) are tz-naive UTC calendar
days; the count for a period is taken at its end (midnight UTC after its last
day).  ``as_of`` defaults to the latest timestamp in the data, never the
clock, so results are reproducible.
"""
from __future__ import annotations

import math
import re
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from .actors import actor_kind
from .errors import OptionError, SchemaError
from .io._status import keyword_category
from .schema import STATUS_CATEGORIES, empty_events, tasks_of

__all__ = [
    "PERCENTILE_LEVELS", "cycle_times", "percentiles", "band_labels", "throughput", "wip", "aging_wip",
    "cumulative_flow", "blocked_time", "forecast_how_many", "forecast_when", "littles_law",
]

#: Default percentile levels of a service-level expectation.
PERCENTILE_LEVELS: tuple[int, ...] = (50, 70, 85, 95)

_DAY = pd.Timedelta(days=1)
_BLOCKED = r"block|flag|imped"
_NO_END = np.iinfo(np.int64).max
_MAX_CELLS = 4_000_000  # simulated steps held in memory at once by forecast_when


# --------------------------------------------------------------------------- inputs and options

def _status_events(data: Any, tasks: pd.DataFrame) -> pd.DataFrame:
    events = getattr(data, "events", None)
    if events is None or len(events) == 0:
        return empty_events()
    keep = (events["field"] == "status") & events["at"].notna() & _member(events["task_id"], tasks["task_id"])
    return events.loc[keep.fillna(False)].sort_values(["task_id", "at"], kind="stable").reset_index(drop=True)


def _member(values: pd.Series, pool: pd.Series) -> pd.Series:
    """``values.isin(pool)``, through object arrays: pandas' Arrow-string ``isin`` is slow on large pools."""
    return values.astype(object).isin(pool.astype(object).to_numpy())


def _categoriser(tasks: pd.DataFrame) -> dict[str, str]:
    """Status name (casefolded) -> category, as the task table itself places it."""
    pairs = pd.DataFrame({"key": tasks["status"].astype("string").str.strip().str.casefold(),
                          "cat": tasks["status_category"].astype("string")}).dropna()
    known: dict[str, str] = {}
    for (key, cat), _ in pairs.value_counts().items():
        known.setdefault(key, cat)
    return known


def _categories_of(names: pd.Series, known: dict[str, str]) -> pd.Series:
    def place(name: Any) -> str:
        if name is None or name is pd.NA:
            return "todo"
        key = str(name).strip().casefold()
        return known.get(key) or keyword_category(str(name)) or "todo"

    lookup = {n: place(n) for n in names.dropna().unique()}
    return names.map(lookup).fillna("todo").astype("string")


def _utc(value: Any, *, name: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise OptionError(f"{name}={value!r} is not a date; expected a date such as '2024-03-31'. "
                          "Next step: pass a date string or pandas.Timestamp.") from exc
    if pd.isna(stamp):
        raise OptionError(f"{name} is missing; expected a date. Next step: pass a date such as '2024-03-31'.")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _latest(tasks: pd.DataFrame, events: pd.DataFrame) -> pd.Timestamp:
    stamps = [tasks[c].max() for c in ("created", "updated", "started", "completed") if c in tasks.columns]
    if len(events):
        stamps.append(events["at"].max())
    stamps = [s for s in stamps if not pd.isna(s)]
    if not stamps:
        raise SchemaError("tasks: found no created, updated, started or completed time on any task; expected "
                          "at least one timestamp to date the metric. Next step: pass as_of='YYYY-MM-DD'.")
    return max(stamps)


def _resolve_as_of(as_of: Any, tasks: pd.DataFrame, events: pd.DataFrame) -> pd.Timestamp:
    return _latest(tasks, events) if as_of is None else _utc(as_of, name="as_of")


def _check_levels(levels: Iterable[float]) -> list[float]:
    out = sorted({float(x) for x in levels})
    if not out or out[0] <= 0 or out[-1] >= 100:
        raise OptionError(f"levels={tuple(levels)!r}; expected percentages strictly between 0 and 100, "
                          "such as (50, 70, 85, 95). Next step: pass levels in that range.")
    return out


def _level_name(level: float) -> str:
    return f"{level:g}"


def _group_values(tasks: pd.DataFrame, by: str | None, bots: Iterable[str]) -> pd.Series | None:
    """The value each task has for ``by`` ("kind" or a task column), "(none)" when missing."""
    if by is None:
        return None
    if by == "kind":
        values = actor_kind(tasks, extra=bots)
    elif by in tasks.columns and tasks[by].map(lambda v: isinstance(v, list)).sum() == 0:
        values = tasks[by].astype("string")
    else:
        allowed = ["kind"] + [c for c in ("team", "project", "assignee", "task_type", "priority", "source")
                              if c in tasks.columns]
        raise OptionError(f"by={by!r}: not a single-valued column of the task table; expected one of {allowed}. "
                          "Next step: pass by='kind' or by='team'.")
    return values.fillna("(none)")


def _periods(freq: str) -> str:
    alias = {"ME": "M", "MS": "M", "QE": "Q", "QS": "Q", "YE": "Y", "YS": "Y"}.get(freq, freq)
    try:
        pd.Period("2024-01-01", freq=alias)
    except (TypeError, ValueError) as exc:
        raise OptionError(f"freq={freq!r} is not a calendar period; expected 'D' (day), 'W' (week from Monday) "
                          "or 'M' (month). Next step: pass one of those.") from exc
    return alias


def _naive(stamps: pd.Series) -> pd.Series:
    return stamps.dt.tz_convert("UTC").dt.tz_localize(None)


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
                             "status": pd.Series([], dtype="string"), "order": pd.Series([], dtype="int64")})
    created = tasks.set_index("task_id")["created"]
    first = events.groupby("task_id", sort=False).head(1).reset_index(drop=True)
    made = first["task_id"].map(created)
    # Before its first recorded move a task sat in that move's "old" status, from its creation.
    initial = pd.DataFrame({
        "task_id": first["task_id"],
        "start": made.where(made.notna() & (made <= first["at"]), first["at"]),
        "status": first["old"], "order": -1,
    })
    moves = pd.DataFrame({"task_id": events["task_id"], "start": events["at"], "status": events["new"],
                          "order": np.arange(len(events))})
    out = pd.concat([initial, moves], ignore_index=True)
    out["status"] = out["status"].astype("string")
    return out


def _timestamp_intervals(tasks: pd.DataFrame) -> pd.DataFrame:
    cat = tasks["status_category"].astype("string").fillna("todo")
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


def _intervals(tasks: pd.DataFrame, events: pd.DataFrame, known: dict[str, str] | None = None) -> pd.DataFrame:
    """Every task's timeline: ``task_id, start, end, category, status, history``.

    ``end`` is NaT for the state a task is still in; ``status`` is the status
    name where known (history, or the task's current status).  ``known`` is
    the status -> category map (by default from ``tasks`` itself).
    """
    known = _categoriser(tasks) if known is None else known
    events = events[_member(events["task_id"], tasks["task_id"])]
    hist = _history_intervals(tasks, events)
    hist["category"] = _categories_of(hist["status"], known)
    hist["history"] = True
    plain = _timestamp_intervals(tasks[~_member(tasks["task_id"], events["task_id"])])
    plain["history"] = False
    out = pd.concat([hist, plain], ignore_index=True)
    out["start"] = pd.to_datetime(out["start"], utc=True)
    out = out[out["start"].notna()].sort_values(["task_id", "order"], kind="stable")
    # Timestamps out of order (started before created) must not reorder the states.
    out["start"] = out.groupby("task_id", sort=False)["start"].cummax()
    out["end"] = out.groupby("task_id", sort=False)["start"].shift(-1)
    out["category"] = out["category"].astype("string")
    out["status"] = out["status"].astype("string")
    return out[["task_id", "start", "end", "category", "status", "history"]].reset_index(drop=True)


def _lookup(keys: pd.Series, table: pd.Series) -> pd.Series:
    """``table[key]`` for each key (NA when absent), keeping ``keys``' index and ``table``'s dtype."""
    out = table.reindex(keys.to_numpy())
    out.index = keys.index
    return out


def _marks(intervals: pd.DataFrame, start: str) -> tuple[pd.Series, pd.Series]:
    """Start and completion time per task found in history (indexed by task_id)."""
    hist = intervals[intervals["history"]]
    active = hist[hist["category"] == "in_progress"]
    if start not in ("started", "created"):
        named = hist[hist["status"].str.strip().str.casefold() == start.strip().casefold()]
        fallback = active.groupby("task_id")["start"].min()
        started = named.groupby("task_id")["start"].min().combine_first(fallback)
    else:
        started = active.groupby("task_id")["start"].min()
    completed = hist[hist["category"] == "done"].groupby("task_id")["start"].max()
    return started, completed


def _basis_of(values: pd.Series, basis: pd.Series) -> pd.Series:
    """exact/history/inferred for a timestamp column, 'missing' where it is empty."""
    out = basis.astype("string").str.strip().str.casefold().fillna("exact")
    return out.where(values.notna(), "missing")


# --------------------------------------------------------------------------- cycle time

def cycle_times(data: Any, *, start: str = "started", working_days: bool = False,
                bots: Iterable[str] = ()) -> pd.DataFrame:
    """Lead and cycle time of every finished task.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export (with history when it has some) or its task table.
    start : str
        Where the clock starts: ``"started"`` (first move into any in-progress
        status), ``"created"`` (cycle time equals lead time) or a status name
        (first move into that status; tasks that skipped it start at their
        first in-progress move).
    working_days : bool
        Count Monday-Friday only (UTC calendar; see the module notes).
    bots : iterable of str
        Extra names to treat as agents in ``kind``.

    Returns
    -------
    pandas.DataFrame
        One row per done task with a completion time: ``task_id, title, team,
        assignee, kind, created, started, completed, lead_time_days,
        cycle_time_days, basis``.  ``basis`` is ``"history"`` (a time came
        from status history), ``"exact"`` (explicit timestamps) or
        ``"approximate"`` (start inferred or unknown, in which case
        ``cycle_time_days`` is the lead time).  Sorted by ``completed``.
        ``attrs["dropped"]`` counts done tasks left out, by reason.
    """
    if not isinstance(start, str) or not start.strip():
        raise OptionError(f"start={start!r}; expected 'started', 'created' or a status name. "
                          "Next step: pass start='started'.")
    tasks = tasks_of(data)
    events = _status_events(data, tasks)
    kind = actor_kind(tasks, extra=bots)
    done_mask = tasks["status_category"] == "done"
    done = tasks.loc[done_mask].reset_index(drop=True)
    kinds = kind.loc[done_mask].reset_index(drop=True)
    hist_start, hist_done = _marks(_intervals(done, events, _categoriser(tasks)), start)
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
    out = out.loc[~missing].sort_values(["completed", "task_id"], kind="stable").reset_index(drop=True)
    out.attrs["dropped"] = {k: int(v) for k, v in {
        "done without a completion time": missing.sum(),
        "completed before started (cycle time left empty)": (backwards & ~missing).sum()}.items() if v}
    return out


def percentiles(cycle: Any, *, levels: Iterable[float] = PERCENTILE_LEVELS, by: str | None = None) -> pd.DataFrame:
    """Cycle-time percentiles (a service-level expectation).

    Parameters
    ----------
    cycle : pandas.DataFrame or TaskExport
        Output of :func:`cycle_times`; anything else is passed through it first.
    levels : iterable of float
        Percent levels, each strictly between 0 and 100.
    by : str, optional
        A column of ``cycle`` (``"kind"``, ``"team"``) to compute them per group.

    Returns
    -------
    pandas.DataFrame
        ``[by,] level, days, n``: ``days`` is the ``level``-th percentile of
        ``cycle_time_days`` (linear interpolation between ranks, numpy's
        default), NaN when ``n`` (finished tasks) is 0.
    """
    frame = cycle if isinstance(cycle, pd.DataFrame) and "cycle_time_days" in cycle.columns else cycle_times(cycle)
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
    return pd.DataFrame(rows, columns=columns)


# --------------------------------------------------------------------------- throughput and WIP

def throughput(data: Any, *, freq: str = "W", by: str | None = None, bots: Iterable[str] = ()) -> pd.DataFrame:
    """Finished tasks per period, with empty periods as zero.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    freq : str
        ``"D"``, ``"W"`` (weeks starting Monday) or ``"M"``.
    by : str, optional
        ``"kind"`` or a task column (``"team"``) to count per group.
    bots : iterable of str
        Extra names to treat as agents.

    Returns
    -------
    pandas.DataFrame
        ``period, [by,] count`` from the first to the last completion, every
        period present (zero-filled) for every group.  Completion times are
        the ones :func:`cycle_times` uses (history first).
    """
    alias = _periods(freq)
    tasks = tasks_of(data)
    groups = _group_values(tasks, by, bots)
    done = cycle_times(data, start="created")
    columns = ["period"] + ([by] if by else []) + ["count"]
    if done.empty:
        return pd.DataFrame({c: [] for c in columns}).astype({"count": "int64"})
    period = _naive(done["completed"]).dt.to_period(alias)
    frame = pd.DataFrame({"period": period})
    if by:
        frame[by] = done["task_id"].map(dict(zip(tasks["task_id"], groups))).to_numpy()
    full = pd.period_range(period.min(), period.max(), freq=alias)
    keys = ["period"] + ([by] if by else [])
    counts = frame.groupby(keys).size()
    index = (pd.MultiIndex.from_product([full, sorted(frame[by].unique())], names=keys) if by
             else pd.Index(full, name="period"))
    out = counts.reindex(index, fill_value=0).rename("count").reset_index()
    out["period"] = out["period"].dt.start_time
    out["count"] = out["count"].astype("int64")
    return out[columns]


def _state_counts(intervals: pd.DataFrame, state: pd.Series, groups: pd.Series | None, *, freq: str,
                  as_of: pd.Timestamp, order: list[str], window: Any, by: str | None) -> pd.DataFrame:
    """Count tasks per (period, group, state) at the end of each period."""
    alias = _periods(freq)
    frame = intervals.assign(state=state.to_numpy())
    if groups is not None:
        frame["group"] = frame["task_id"].map(groups).to_numpy()
    else:
        frame["group"] = ""
    first = frame["start"].min()
    columns = ["date"] + ([by] if by else []) + ["state", "count"]
    if pd.isna(first):
        return pd.DataFrame({c: [] for c in columns})
    periods = pd.period_range(_naive(pd.Series([first])).iloc[0], _naive(pd.Series([as_of])).iloc[0], freq=alias)
    labels = periods.start_time
    # The last nanosecond of each period, so a move at the next midnight belongs to the next period.
    samples = periods.end_time.tz_localize("UTC").as_unit("ns").asi8
    starts_ns = pd.DatetimeIndex(frame["start"]).as_unit("ns").asi8
    ends_ns = np.where(frame["end"].isna().to_numpy(), _NO_END, pd.DatetimeIndex(frame["end"]).as_unit("ns").asi8)
    parts = []
    group_keys = sorted(frame["group"].unique())
    for g in group_keys:
        in_group = (frame["group"] == g).to_numpy()
        for st in order:
            pick = in_group & (frame["state"] == st).to_numpy()
            s, e = np.sort(starts_ns[pick]), np.sort(ends_ns[pick])
            count = np.searchsorted(s, samples, side="right") - np.searchsorted(e, samples, side="right")
            part = pd.DataFrame({"date": labels, "state": st, "count": count.astype("int64")})
            if by:
                part.insert(1, by, g)
            parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    if window is not None:
        if not (isinstance(window, (tuple, list)) and len(window) == 2):
            raise OptionError(f"window={window!r}; expected (start, end) dates, either may be None. "
                              "Next step: pass window=('2024-01-01', '2024-03-31').")
        start, end = window
        if start is not None:
            out = out[out["date"] >= pd.Period(_utc(start, name="window start").tz_localize(None),
                                               freq=alias).start_time]
        if end is not None:
            out = out[out["date"] <= _utc(end, name="window end").tz_localize(None)]
    out["state"] = out["state"].astype("string")
    return out.sort_values(["date"] + ([by] if by else []), kind="stable").reset_index(drop=True)[columns]


def wip(data: Any, *, freq: str = "D", by: str | None = None, window: Any = None,
        bots: Iterable[str] = ()) -> pd.DataFrame:
    """Work in progress: tasks in an in-progress status at the end of each period.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export (history is used when present) or its task table.  Without
        history a task is in progress from ``started`` (or ``created`` when an
        in-progress task has no start) until ``completed`` (or ``updated``).
    freq : str
        ``"D"``, ``"W"`` or ``"M"``; the count is a snapshot at the end of the
        period, labelled with the period's first day.
    by : str, optional
        ``"kind"`` or a task column to count per group.
    window : (date-like, date-like), optional
        ``(start, end)`` dates to return (either may be None); counts always
        come from the full history, so work started before ``start`` is
        still counted.
    bots : iterable of str
        Extra names to treat as agents.

    Returns
    -------
    pandas.DataFrame
        ``date, [by,] wip``.
    """
    tasks = tasks_of(data)
    events = _status_events(data, tasks)
    spans = _intervals(tasks, events)
    groups = _group_values(tasks, by, bots)
    groups = None if groups is None else pd.Series(groups.to_numpy(), index=tasks["task_id"])
    counts = _state_counts(spans, spans["category"], groups, freq=freq, as_of=_latest(tasks, events),
                           order=["in_progress"], window=window, by=by)
    return counts.drop(columns="state").rename(columns={"count": "wip"})


def cumulative_flow(data: Any, *, freq: str = "D", statuses: str | Sequence[str] | None = None,
                    by: str | None = None, window: Any = None, bots: Iterable[str] = ()) -> pd.DataFrame:
    """Cumulative flow: how many tasks were in each state at the end of each period.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    freq : str
        ``"D"``, ``"W"`` or ``"M"`` (snapshot at each period's end).
    statuses : None, "all" or sequence of str
        ``None``: the four status categories.  ``"all"``: every status name
        seen, grouped by category.  A list: those status names, kept in the
        given order within each category (categories in workflow order);
        other names are counted under their category.
        Without history only the current status name of a task is known, so
        its earlier states are counted under their category.
    by : str, optional
        ``"kind"`` or a task column to count per group.
    window : (date-like, date-like), optional
        ``(start, end)`` dates to return (either may be None); counts come
        from the full history, so work in progress at ``start`` does not
        vanish.
    bots : iterable of str
        Extra names to treat as agents.

    Returns
    -------
    pandas.DataFrame
        Tidy ``date, [by,] state, count``: every state on every date (zeros
        included); a task is in exactly one state per date once it exists.
        ``attrs["order"]`` lists states in workflow order (todo first,
        cancelled last) and ``attrs["basis"]`` says ``"history"``,
        ``"timestamps"`` or ``"history and timestamps"``.
    """
    tasks = tasks_of(data)
    events = _status_events(data, tasks)
    spans = _intervals(tasks, events)
    state, order = _states(spans, statuses)
    groups = _group_values(tasks, by, bots)
    groups = None if groups is None else pd.Series(groups.to_numpy(), index=tasks["task_id"])
    out = _state_counts(spans, state, groups, freq=freq, as_of=_latest(tasks, events), order=order,
                        window=window, by=by)
    has_history = spans["history"].any()
    out.attrs["order"] = order
    out.attrs["basis"] = ("history" if spans["history"].all() else "history and timestamps") if has_history \
        else "timestamps"
    return out


def _states(spans: pd.DataFrame, statuses: str | Sequence[str] | None) -> tuple[pd.Series, list[str]]:
    category = spans["category"].fillna("todo")
    if statuses is None:
        return category, list(STATUS_CATEGORIES)
    names = spans["status"].str.strip()
    if isinstance(statuses, str) and statuses == "all":
        seen = spans.assign(name=names, rank=category.map({c: i for i, c in enumerate(STATUS_CATEGORIES)}))
        seen = seen[seen["name"].notna()].sort_values(["rank", "start"], kind="stable")
        listed = list(dict.fromkeys(seen["name"]))
    elif isinstance(statuses, str):
        raise OptionError(f"statuses={statuses!r}; expected None, 'all' or a list of status names. "
                          "Next step: pass statuses=['To Do', 'In Progress', 'Done'].")
    else:
        listed = [str(s).strip() for s in statuses]
    key = {s.casefold(): s for s in listed}
    state = names.str.casefold().map(key).combine_first(category).astype("string")
    leftover = [c for c in STATUS_CATEGORIES if c not in listed and (state == c).any()]
    rank = {c: i for i, c in enumerate(STATUS_CATEGORIES)}
    seen_category = dict(zip(state[::-1], category[::-1]))
    # Sort by category (todo first), leftover category buckets ahead of the
    # named statuses of that category, the caller's order kept within it.
    position = {s: i for i, s in enumerate(listed)}
    order = sorted(listed + leftover, key=lambda s: (
        rank[s] if s in leftover else rank.get(seen_category.get(s, "in_progress"), 1),
        0 if s in leftover else 1, position.get(s, 0)))
    return state, order


# --------------------------------------------------------------------------- aging WIP and blocked time

def band_labels(levels: Iterable[float] = PERCENTILE_LEVELS) -> list[str]:
    """Names of the percentile bands, e.g. ``["< p50", "p50-p70", ..., "> p95"]``."""
    wanted = [_level_name(x) for x in _check_levels(levels)]
    return [f"< p{wanted[0]}"] + [f"p{a}-p{b}" for a, b in zip(wanted, wanted[1:])] + [f"> p{wanted[-1]}"]


def aging_wip(data: Any, *, as_of: Any = None, levels: Iterable[float] = PERCENTILE_LEVELS,
              start: str = "started", working_days: bool = False, bots: Iterable[str] = ()) -> pd.DataFrame:
    """Age of every task in progress, against the cycle times of finished work.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    as_of : date-like, optional
        The "today" of the chart.  Defaults to the latest timestamp in the
        data, never the clock.  Tasks started after it are left out.
    levels : iterable of float
        Percentile levels that bound the bands.
    start : str
        Where the clock starts (see :func:`cycle_times`).
    working_days : bool
        Count ages and staleness in Monday-Friday days.
    bots : iterable of str
        Extra names to treat as agents.

    Returns
    -------
    pandas.DataFrame
        ``task_id, title, team, assignee, kind, status, started, age_days,
        percentile_band, stale_days, basis``, oldest first.  A task whose
        age equals a percentile falls in the band above it (age ``p50``
        exactly is ``"p50-p70"``).  ``started`` falls back to ``created``
        (``basis == "approximate"``) when unknown.  ``attrs`` holds
        ``as_of`` and ``percentiles`` (level -> days), and ``reason`` when
        nothing is finished yet (bands are then NA).
    """
    tasks = tasks_of(data)
    events = _status_events(data, tasks)
    stamp = _resolve_as_of(as_of, tasks, events)
    bands = band_labels(levels)
    pct = percentiles(cycle_times(data, start=start, working_days=working_days, bots=bots), levels=levels)
    kind = actor_kind(tasks, extra=bots)
    open_mask = tasks["status_category"] == "in_progress"
    active = tasks.loc[open_mask].reset_index(drop=True)
    hist_start, _ = _marks(_intervals(active, events, _categoriser(tasks)),
                           start if start != "created" else "started")
    if start == "created":
        began, basis = active["created"], pd.Series("exact", index=active.index, dtype="string")
    else:
        from_history = _lookup(active["task_id"], hist_start)
        began = from_history.combine_first(active["started"])
        basis = _basis_of(active["started"], active["started_basis"]).where(from_history.isna(), "history")
        basis = basis.replace({"inferred": "approximate"})
        basis = basis.where(began.notna(), "approximate")
        began = began.combine_first(active["created"])
    began = pd.to_datetime(began, utc=True)
    as_of_col = pd.Series(stamp, index=active.index)
    age = _days(began, as_of_col, working_days=working_days)
    stale = _days(active["updated"], as_of_col, working_days=working_days)
    cuts = pct["days"].to_numpy()
    if np.isnan(cuts).any():
        band = pd.Series(pd.NA, index=active.index, dtype=object)
    else:
        band = pd.Series(np.array(bands, dtype=object)[np.searchsorted(cuts, age.fillna(-1), side="right")])
        band = band.where(age.notna().to_numpy(), pd.NA)
    out = pd.DataFrame({
        "task_id": active["task_id"], "title": active["title"], "team": active["team"],
        "assignee": active["assignee"], "kind": kind.loc[open_mask].reset_index(drop=True),
        "status": active["status"], "started": began, "age_days": age,
        "percentile_band": pd.Categorical(band, categories=bands, ordered=True),
        "stale_days": stale, "basis": basis.astype("string"),
    })
    out = out[out["started"].isna() | (out["started"] <= stamp)]
    out = out.sort_values(["age_days", "task_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.attrs["as_of"] = stamp
    out.attrs["percentiles"] = {float(lv): float(d) for lv, d in zip(pct["level"], pct["days"])}
    if np.isnan(cuts).any():
        out.attrs["reason"] = "no finished task has a cycle time yet, so ages cannot be placed in percentile bands"
    return out


def blocked_time(data: Any, *, as_of: Any = None, bots: Iterable[str] = ()) -> pd.DataFrame:
    """Tasks the export records as blocked, with days blocked where history allows.

    Blocking is read from ``blocked_by`` links, a status or label whose name
    contains "block", "flag" or "imped" (Blocked, Flagged, Impediment), a
    ``flagged`` column when a reader kept one, and time spent in such a status
    in the history.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    as_of : date-like, optional
        End of a blocked spell still open; defaults to the latest timestamp.
    bots : iterable of str
        Extra names to treat as agents.

    Returns
    -------
    pandas.DataFrame
        ``task_id, title, team, assignee, kind, status, status_category,
        blocked_by, recorded_by, currently_blocked, blocked_days, basis``.
        ``blocked_days`` is the time spent in blocked statuses (history), or
        NA when the history never uses a blocked status (links and labels say
        *that* a task is blocked, not for how long).  When nothing in the
        export records blocking the frame is empty and ``attrs["reason"]``
        says why.
    """
    tasks = tasks_of(data)
    events = _status_events(data, tasks)
    columns = ["task_id", "title", "team", "assignee", "kind", "status", "status_category", "blocked_by",
               "recorded_by", "currently_blocked", "blocked_days", "basis"]
    stamp = _resolve_as_of(as_of, tasks, events) if len(tasks) else None
    links = tasks["blocked_by"].map(lambda v: list(v) if isinstance(v, (list, tuple, np.ndarray)) else [])
    by_link = links.map(len).gt(0)
    by_status = tasks["status"].astype("string").str.contains(_BLOCKED, case=False).fillna(False).astype(bool)
    by_label = tasks["labels"].map(lambda v: any(re.search(_BLOCKED, str(x), re.IGNORECASE) for x in v)
                                   if isinstance(v, (list, tuple, np.ndarray)) else False).astype(bool)
    flagged = (tasks["flagged"] if "flagged" in tasks.columns else pd.Series(pd.NA, index=tasks.index)).astype("string")
    by_flag = (flagged.notna() & ~flagged.str.strip().str.casefold().isin(["", "false", "no", "0"])).fillna(False)
    spans = _intervals(tasks, events)
    hist = spans[spans["history"]]
    blocked_spans = hist[hist["status"].str.contains(_BLOCKED, case=False).fillna(False).astype(bool)]
    history_knows = len(blocked_spans) > 0
    if history_knows:
        ends = blocked_spans["end"].fillna(stamp)
        blocked_days = ((ends - blocked_spans["start"]) / _DAY).clip(lower=0).groupby(blocked_spans["task_id"]).sum()
    else:
        blocked_days = pd.Series(dtype="float64")
    by_history = _member(tasks["task_id"], blocked_spans["task_id"])
    keep = by_link | by_status | by_label | by_flag | by_history
    if not keep.any():
        out = pd.DataFrame({c: [] for c in columns})
        out.attrs["reason"] = ("the export records no blocking: no task has blocked-by links, a Flagged value, "
                               "or a status or label named like Blocked, Flagged or Impediment")
        return out
    sources = pd.DataFrame({"link": by_link, "status": by_status, "label": by_label, "flag": by_flag,
                            "history": by_history})
    recorded = sources.apply(lambda row: ", ".join(k for k, v in row.items() if v), axis=1)
    open_task = tasks["status_category"].isin(["todo", "in_progress"])
    traced = _member(tasks["task_id"], hist["task_id"]) & history_knows
    days = tasks["task_id"].map(blocked_days).astype("Float64")
    out = pd.DataFrame({
        "task_id": tasks["task_id"], "title": tasks["title"], "team": tasks["team"], "assignee": tasks["assignee"],
        "kind": actor_kind(tasks, extra=bots), "status": tasks["status"], "status_category": tasks["status_category"],
        "blocked_by": links.map(", ".join).astype("string"), "recorded_by": recorded.astype("string"),
        "currently_blocked": (by_status | by_flag | (by_label & open_task) | (by_link & open_task)).astype(bool),
        "blocked_days": days.fillna(0.0).where(traced),
        "basis": pd.Series(np.where(traced, "history", "current state only"), index=tasks.index, dtype="string"),
    })[keep.to_numpy()]
    return out.sort_values(["blocked_days", "task_id"], ascending=[False, True], na_position="last",
                           kind="stable").reset_index(drop=True)[columns]


# --------------------------------------------------------------------------- forecasts

def _throughput_samples(data: Any, *, as_of: pd.Timestamp, history_weeks: int, working_days: bool,
                        freq: str) -> np.ndarray:
    """Finished tasks per day (or per 7-day block) over the sampled window ending on as_of's day."""
    if int(history_weeks) < 1:
        raise OptionError(f"history_weeks={history_weeks!r}; expected a whole number of weeks >= 1. "
                          "Next step: pass history_weeks=12.")
    done = cycle_times(data, start="created")
    days = _naive(done["completed"]).dt.floor("D").to_numpy().astype("datetime64[D]")
    last = np.datetime64(_stamp_day(as_of))
    # A team's first weeks in the tool are not zero-throughput weeks: start at its first completion.
    first = max(last - np.timedelta64(7 * int(history_weeks) - 1, "D"), days.min() if len(days) else last)
    days = days[(days >= first) & (days <= last)]
    if freq == "W":
        # Whole 7-day blocks only: a partial oldest block would read as a slow week.
        blocks = (int((last - first).astype(int)) + 1) // 7
        return np.bincount((last - days).astype(int) // 7, minlength=blocks + 1)[:blocks]
    if working_days:
        # Weekend completions are credited to the Friday before, so they still count.
        days = np.busday_offset(days, 0, roll="backward")
        days = days[days >= first]
        size, index = int(np.busday_count(first, last + 1)), np.busday_count(first, days)
    else:
        size, index = int((last - first).astype(int)) + 1, (days - first).astype(int)
    return np.bincount(index, minlength=size)[:size].astype(np.int64)


def _stamp_day(stamp: pd.Timestamp) -> str:
    """The UTC calendar day of a timestamp as ``YYYY-MM-DD``."""
    return stamp.tz_convert("UTC").strftime("%Y-%m-%d")


def _check_forecast(freq: str, runs: int) -> None:
    if freq not in ("D", "W"):
        raise OptionError(f"freq={freq!r}; expected 'D' (sample days) or 'W' (sample weeks). "
                          "Next step: pass freq='D'.")
    if int(runs) < 100:
        raise OptionError(f"runs={runs!r}; expected at least 100 simulated runs. Next step: pass runs=10000.")


def _no_forecast(columns: list[str], reason: str) -> pd.DataFrame:
    out = pd.DataFrame({c: [] for c in columns})
    out.attrs["reason"] = reason
    return out


def forecast_how_many(data: Any, *, until: Any, runs: int = 10000, seed: int = 0, working_days: bool = False,
                      history_weeks: int = 12, freq: str = "D", as_of: Any = None,
                      levels: Iterable[float] = (50, 70, 85, 95)) -> pd.DataFrame:
    """Monte Carlo forecast: how many tasks will be finished by ``until``.

    Each run adds up one random past day's (or week's) throughput for every
    day (week) from the day after ``as_of`` to ``until`` inclusive; the
    sampled window is the last ``history_weeks`` weeks ending on ``as_of``'s
    day (shorter when the data starts later).  With ``working_days`` only
    weekdays are simulated and sampled.  Draws per run are counted with one
    multinomial draw, so 10,000 runs take milliseconds.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    until : date-like
        The target date (UTC calendar day), after ``as_of``.
    runs, seed : int
        Number of simulated runs and the random seed (same seed, same result).
    working_days : bool
        Simulate and sample Monday-Friday only.
    history_weeks : int
        How many recent weeks of throughput to sample.
    freq : {"D", "W"}
        Sample daily or weekly throughput (weekly counts whole weeks only).
    as_of : date-like, optional
        Start of the forecast; defaults to the latest timestamp in the data.
    levels : iterable of float
        Likelihoods to report.

    Returns
    -------
    pandas.DataFrame
        ``likelihood, items``: in ``likelihood`` % of runs at least ``items``
        tasks were finished (items never rise as likelihood rises).
        ``attrs`` holds ``as_of``, ``until``, ``steps`` and ``sampled``.
    """
    _check_forecast(freq, runs)
    tasks = tasks_of(data)
    stamp = _resolve_as_of(as_of, tasks, _status_events(data, tasks))
    target = _utc(until, name="until")
    start_day, end_day = np.datetime64(_stamp_day(stamp)), np.datetime64(_stamp_day(target))
    if end_day <= start_day:
        raise OptionError(f"until={until!r} is not after as_of {_stamp_day(stamp)}; expected a later date. "
                          "Next step: pass a date after the last activity in the export.")
    if freq == "W":
        steps = int((end_day - start_day).astype(int) // 7)
    elif working_days:
        steps = int(np.busday_count(start_day + 1, end_day + 1))
    else:
        steps = int((end_day - start_day).astype(int))
    samples = _throughput_samples(data, as_of=stamp, history_weeks=history_weeks, working_days=working_days,
                                  freq=freq)
    wanted = _check_levels(levels)
    if len(samples) == 0 or samples.sum() == 0:
        return _no_forecast(["likelihood", "items"], "no task was finished in the sampled weeks")
    values, freqs = np.unique(samples, return_counts=True)
    rng = np.random.default_rng(seed)
    totals = np.sort(rng.multinomial(steps, freqs / freqs.sum(), size=int(runs)) @ values)
    # The largest N reached by at least L% of runs: index floor(R * (1 - L/100)) of the ascending totals.
    items = [int(totals[min(len(totals) - 1, int(math.floor(len(totals) * (1 - lv / 100))))]) for lv in wanted]
    out = pd.DataFrame({"likelihood": wanted, "items": items})
    out.attrs.update(as_of=stamp, until=target, steps=steps, sampled=len(samples))
    return out


def forecast_when(data: Any, *, items: int, runs: int = 10000, seed: int = 0, working_days: bool = False,
                  history_weeks: int = 12, freq: str = "D", as_of: Any = None,
                  levels: Iterable[float] = (50, 70, 85, 95), max_years: int = 10) -> pd.DataFrame:
    """Monte Carlo forecast: by which date ``items`` more tasks will be finished.

    Each run draws a random past day's (or week's) throughput for each day
    after ``as_of`` until the running total reaches ``items``.  Sampling as in
    :func:`forecast_how_many`.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    items : int
        How many tasks must be finished (at least 1).
    runs, seed : int
        Number of simulated runs and the random seed.
    working_days : bool
        Simulate Monday-Friday only; dates land on weekdays.
    history_weeks : int
        How many recent weeks of throughput to sample.
    freq : {"D", "W"}
        Sample daily or weekly throughput.
    as_of : date-like, optional
        Start of the forecast; defaults to the latest timestamp in the data.
    levels : iterable of float
        Likelihoods to report.
    max_years : int
        Runs still short after this long are reported as not finishing (NaT).

    Returns
    -------
    pandas.DataFrame
        ``likelihood, steps, date``: in ``likelihood`` % of runs the work was
        finished within ``steps`` days (weeks), i.e. on or before ``date``
        (UTC calendar day).  Dates never fall as likelihood rises.
    """
    _check_forecast(freq, runs)
    if int(items) < 1:
        raise OptionError(f"items={items!r}; expected a whole number of tasks >= 1. Next step: pass items=20.")
    tasks = tasks_of(data)
    stamp = _resolve_as_of(as_of, tasks, _status_events(data, tasks))
    samples = _throughput_samples(data, as_of=stamp, history_weeks=history_weeks, working_days=working_days,
                                  freq=freq)
    wanted = _check_levels(levels)
    if len(samples) == 0 or samples.sum() == 0:
        return _no_forecast(["likelihood", "steps", "date"], "no task was finished in the sampled weeks")
    rng = np.random.default_rng(seed)
    runs = int(runs)
    limit = int(max_years * (52 if freq == "W" else 261 if working_days else 365))
    finish = np.full(runs, -1, dtype=np.int64)
    total = np.zeros(runs, dtype=np.int64)
    pool = samples.astype(np.int32)
    done_steps = 0
    guess = max(8, int(2 * items / samples.mean()) + 8)
    while done_steps < limit and (finish < 0).any():
        live = np.flatnonzero(finish < 0)
        block = int(min(limit - done_steps, guess, max(1, _MAX_CELLS // len(live))))
        path = total[live, None] + np.cumsum(pool[rng.integers(0, len(pool), size=(len(live), block))], axis=1)
        reached = path >= items
        hit = reached.any(axis=1)
        finish[live[hit]] = done_steps + reached[hit].argmax(axis=1) + 1
        total[live] = path[:, -1]
        done_steps += block
    ordered = np.sort(np.where(finish < 0, np.iinfo(np.int64).max, finish))
    steps = [int(ordered[max(0, math.ceil(len(ordered) * lv / 100) - 1)]) for lv in wanted]
    start_day = np.datetime64(_stamp_day(stamp))
    dates = []
    for n in steps:
        if n == np.iinfo(np.int64).max:
            dates.append(pd.NaT)
        elif freq == "W":
            dates.append(pd.Timestamp(start_day + np.timedelta64(7 * n, "D")))
        elif working_days:
            dates.append(pd.Timestamp(np.busday_offset(start_day, n, roll="backward")))
        else:
            dates.append(pd.Timestamp(start_day + np.timedelta64(n, "D")))
    out = pd.DataFrame({"likelihood": wanted, "steps": pd.array([None if n == np.iinfo(np.int64).max else n
                                                                 for n in steps], dtype="Int64"),
                        "date": pd.to_datetime(pd.Series(dates, dtype="datetime64[ns]"))})
    out.attrs.update(as_of=stamp, items=int(items), sampled=len(samples))
    return out


def littles_law(*, wip: float, throughput_per_week: float) -> float:
    """Expected average cycle time in days for a WIP level: ``wip / throughput_per_week * 7``.

    A what-if helper for choosing a WIP limit: it holds for averages over a
    stable period, not for any single task.

    Parameters
    ----------
    wip : float
        Average number of tasks in progress (>= 0).
    throughput_per_week : float
        Average tasks finished per week (> 0).

    Returns
    -------
    float
        Average cycle time in calendar days.
    """
    if not (isinstance(wip, (int, float)) and wip >= 0):
        raise OptionError(f"wip={wip!r}; expected a number of tasks >= 0. Next step: pass wip=5.")
    if not (isinstance(throughput_per_week, (int, float)) and throughput_per_week > 0):
        raise OptionError(f"throughput_per_week={throughput_per_week!r}; expected a rate above 0. "
                          "Next step: pass the average of wf.flow.throughput(data)['count'].")
    return float(wip) / float(throughput_per_week) * 7.0

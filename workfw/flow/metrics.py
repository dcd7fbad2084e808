"""Flow metrics, part 2: throughput, WIP, cumulative flow and blocked time (see :mod:`workfw.flow`).

Aging WIP is in :mod:`workfw.flow.aging`; its names stay importable from here.
"""
from __future__ import annotations

from itertools import chain
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.core.helpers import list_sizes
from workfw.actors import actor_kind
from workfw.errors import OptionError
from workfw.core.context import member
from workfw.schema import STATUS_CATEGORIES, tasks_of
# Aging WIP has its own module; its names stay importable from here.
from workfw.flow.aging import CONTAINER_TYPES, aging_wip, band_labels  # noqa: F401
from workfw.flow.times import (_BLOCKED, _DAY, _NO_END, _cycles_or, _group_values, _intervals,
                               _lookup, _naive, _now, _periods, _resolve_as_of, _status_events, _utc, cycle_times)

__all__ = ["throughput", "wip", "cumulative_flow", "band_labels", "aging_wip", "blocked_time", "CONTAINER_TYPES"]


# --------------------------------------------------------------------------- throughput and WIP

#: Task columns cycle_times copies as they are, so a throughput group can be read from its rows.
_CARRIED = ("team", "assignee", "title")


def throughput(data: Any, *, freq: str = "W", by: str | None = None, bots: Iterable[str] = (),
               cycles: pd.DataFrame | None = None) -> pd.DataFrame:
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
    cycles : pandas.DataFrame, optional
        :func:`cycle_times` of the same ``data`` when the caller already has
        it (any ``start``: only completions, ids and the team, assignee and
        title columns are read), so it is not rebuilt.

    Returns
    -------
    pandas.DataFrame
        ``period, [by,] count`` from the first to the last completion, every
        period present (zero-filled) for every group.  Completion times are
        the ones :func:`cycle_times` uses (history first).
    """
    alias = _periods(freq)
    tasks = tasks_of(data)
    # A carried column is canonical text in every task table: it needs no check, and its values come from the rows.
    groups = None if by in _CARRIED else _group_values(tasks, by, bots)
    done = _cycles_or(cycles, lambda: cycle_times(data, start="created"), where="throughput")
    columns = ["period"] + ([by] if by else []) + ["count"]
    if done.empty:
        return pd.DataFrame({c: [] for c in columns}).astype({"count": "int64"})
    period = _naive(done["completed"]).dt.to_period(alias)
    frame = pd.DataFrame({"period": period})
    if by in _CARRIED:
        # cycle_times carries the task's own column: no lookup of a million ids.  Not its kind (which depends on
        # ``bots``) nor its times (which it reads from history).
        frame[by] = done[by].astype("string").fillna("(none)").to_numpy()
    elif by:
        frame[by] = _lookup(done["task_id"], pd.Series(groups.to_numpy(), index=tasks["task_id"].to_numpy())).to_numpy()
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
    # States and groups as integer codes: comparing two million spans' strings once per (group, state) costs
    # seconds at a million tasks.  A state no rule places (NA) has code -1 and is counted in no state.
    state_code, state_names = pd.factorize(state.array)  # by position, as the spans are
    if groups is not None:
        group_code_of_task, group_names = pd.factorize(groups.array)
        found = _lookup(intervals["task_id"], pd.Series(group_code_of_task, index=groups.index)).to_numpy(dtype=float)
        group_code = np.where(np.isnan(found), -1, found).astype(np.int64)
    else:
        group_code, group_names = np.zeros(len(intervals), dtype=np.int64), pd.Index([""])
    first = intervals["start"].min()
    columns = ["date"] + ([by] if by else []) + ["state", "count"]
    if pd.isna(first):
        return pd.DataFrame({c: [] for c in columns})
    periods = pd.period_range(_naive(pd.Series([first])).iloc[0], _naive(pd.Series([as_of])).iloc[0], freq=alias)
    labels = periods.start_time
    # The last nanosecond of each period, so a move at the next midnight belongs to the next period.
    samples = periods.end_time.tz_localize("UTC").as_unit("ns").asi8
    starts_ns = pd.DatetimeIndex(intervals["start"]).as_unit("ns").asi8
    ends_ns = np.where(intervals["end"].isna().to_numpy(), _NO_END,
                       pd.DatetimeIndex(intervals["end"]).as_unit("ns").asi8)
    parts = []
    state_index = {name: i for i, name in enumerate(state_names)}
    present = np.unique(group_code[group_code >= 0])
    for g_code in sorted(present, key=lambda c: group_names[c]):
        g = group_names[g_code]
        in_group = group_code == g_code
        for st in order:
            pick = in_group & (state_code == state_index.get(st, -2))
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
    spans = _intervals(tasks, _status_events(data, tasks))
    groups = _group_values(tasks, by, bots)
    groups = None if groups is None else pd.Series(groups.to_numpy(), index=tasks["task_id"])
    counts = _state_counts(spans, spans["category"], groups, freq=freq, as_of=_now(data, tasks),
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
        included); a task is in exactly one state per date once it exists,
        except while it sits in a status no rule places (then in none; the
        import report names those statuses, and a ``status_map`` places them).
        ``attrs["order"]`` lists states in workflow order (todo first,
        cancelled last) and ``attrs["basis"]`` says ``"history"``,
        ``"timestamps"`` or ``"history and timestamps"``.
    """
    tasks = tasks_of(data)
    spans = _intervals(tasks, _status_events(data, tasks))
    state, order = _states(spans, statuses)
    groups = _group_values(tasks, by, bots)
    groups = None if groups is None else pd.Series(groups.to_numpy(), index=tasks["task_id"])
    out = _state_counts(spans, state, groups, freq=freq, as_of=_now(data, tasks), order=order,
                        window=window, by=by)
    has_history = spans["history"].any()
    out.attrs["order"] = order
    out.attrs["basis"] = ("history" if spans["history"].all() else "history and timestamps") if has_history \
        else "timestamps"
    return out


def _states(spans: pd.DataFrame, statuses: str | Sequence[str] | None) -> tuple[pd.Series, list[str]]:
    # A span in a status no rule places has no category (NA) and is counted in no state, not even under its
    # name: it is neither open nor done, as the task table has it (see workfw.statuses).
    category = spans["category"]
    if statuses is None:
        return category, list(STATUS_CATEGORIES)
    names = spans["status"].str.strip().where(category.notna())
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


# --------------------------------------------------------------------------- blocked time

def _any_label_matches(labels: pd.Series, pattern: str) -> np.ndarray:
    """True where any label of the task matches ``pattern`` (case-blind): one regex pass over every label."""
    sizes = list_sizes(labels)
    flat = pa.array(list(chain.from_iterable(labels.to_numpy(dtype=object)[sizes > 0])), type=pa.large_string())
    hit = pc.fill_null(pc.match_substring_regex(flat, pattern, ignore_case=True), False).to_numpy(zero_copy_only=False)
    return np.bincount(np.repeat(np.arange(len(labels)), sizes)[hit], minlength=len(labels)) > 0


def _joined(lists: pd.Series, keep: np.ndarray) -> pd.Series:
    """Each kept list cell joined with ", " (others: the empty string), as text."""
    values = lists.to_numpy(dtype=object)
    out = np.full(len(values), "", dtype=object)
    out[keep] = [", ".join(v) if isinstance(v, (list, tuple, np.ndarray)) else "" for v in values[keep]]
    return pd.Series(out, index=lists.index, dtype="string")


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
    stamp = _resolve_as_of(as_of, data, tasks) if len(tasks) else None
    by_link = pd.Series(list_sizes(tasks["blocked_by"]) > 0, index=tasks.index)
    by_status = tasks["status"].astype("string").str.contains(_BLOCKED, case=False).fillna(False).astype(bool)
    by_label = pd.Series(_any_label_matches(tasks["labels"], _BLOCKED), index=tasks.index)
    flagged = (tasks["flagged"] if "flagged" in tasks.columns else pd.Series(pd.NA, index=tasks.index)).astype("string")
    by_flag = (flagged.notna() & ~flagged.str.strip().str.casefold().isin(["", "false", "no", "0"])).fillna(False)
    # Only history says how long a task was blocked: the timelines rebuilt from timestamps are not needed.
    hist = _intervals(tasks, events, history_only=True)
    blocked_spans = hist[hist["status"].str.contains(_BLOCKED, case=False).fillna(False).astype(bool)]
    history_knows = len(blocked_spans) > 0
    if history_knows:
        ends = blocked_spans["end"].fillna(stamp)
        blocked_days = ((ends - blocked_spans["start"]) / _DAY).clip(lower=0).groupby(blocked_spans["task_id"]).sum()
    else:
        blocked_days = pd.Series(dtype="float64")
    by_history = member(tasks["task_id"], blocked_spans["task_id"])
    keep = by_link | by_status | by_label | by_flag | by_history
    if not keep.any():
        out = pd.DataFrame({c: [] for c in columns})
        out.attrs["reason"] = ("the export records no blocking: no task has blocked-by links, a Flagged value, "
                               "or a status or label named like Blocked, Flagged or Impediment")
        return out
    sources = pd.DataFrame({"link": by_link, "status": by_status, "label": by_label, "flag": by_flag,
                            "history": by_history})
    # Name each of the (at most 32) combinations once instead of joining per row.
    code = sources.to_numpy(dtype=bool) @ (1 << np.arange(sources.shape[1]))
    names = {c: ", ".join(k for i, k in enumerate(sources.columns) if c >> i & 1) for c in np.unique(code)}
    recorded = pd.Series(code, index=tasks.index).map(names)
    open_task = tasks["status_category"].isin(["todo", "in_progress"])
    traced = member(tasks["task_id"], hist["task_id"]) & history_knows
    days = tasks["task_id"].map(blocked_days).astype("Float64")
    out = pd.DataFrame({
        "task_id": tasks["task_id"], "title": tasks["title"], "team": tasks["team"], "assignee": tasks["assignee"],
        "kind": actor_kind(tasks, extra=bots), "status": tasks["status"], "status_category": tasks["status_category"],
        "blocked_by": _joined(tasks["blocked_by"], keep.to_numpy(dtype=bool)), "recorded_by": recorded.astype("string"),
        "currently_blocked": (by_status | by_flag | (by_label & open_task) | (by_link & open_task)).astype(bool),
        "blocked_days": days.fillna(0.0).where(traced),
        "basis": pd.Series(np.where(traced, "history", "current state only"), index=tasks.index, dtype="string"),
    })[keep.to_numpy()]
    return out.sort_values(["blocked_days", "task_id"], ascending=[False, True], na_position="last",
                           kind="stable").reset_index(drop=True)[columns]

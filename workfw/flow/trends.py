"""Flow over time: net flow, burn-up, work-item age and blocked or stalled work (see :mod:`workfw.flow.stages`).

Every function here reads the stage map of :func:`workfw.flow.stages.stage_map` (``stages=`` and
``commitment=`` options, stated in ``attrs``) and the task timelines of :mod:`workfw.flow`: status
history where the export has it, else ``created``, ``started`` and ``completed``.  A task *arrives*
when it first enters a committed stage (active or waiting); a task delivered without ever being in
one (To Do -> Done) arrives as it finishes.  It *departs* at the start of its final run of done or
cancelled statuses: a reopened task departs when it finally ends, and a task reopened and still open
at ``as_of`` has not departed.  A task cancelled before it ever arrived neither arrives nor departs.
A task is *in progress* at a time when its stage then is active or waiting; moved back before
commitment it is not (as in :func:`workfw.flow.wip`), and its age still counts from its first
arrival.

Counts for a period are taken at its end (the last nanosecond of its last day, UTC), the last period
at ``as_of``; periods are labelled with their first day.  Epics, initiatives and other container
types are not work items and are left out (``exclude_types``).
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pandas as pd

from workfw.errors import OptionError
from workfw.schema import tasks_of
from workfw.core.helpers import list_sizes
from workfw.flow.metrics import CONTAINER_TYPES, _any_label_matches
from workfw.flow.stages import _COMMITTED, _describe, _items, _marks, _span_stages, _stage_table, _staged_spans
from workfw.flow.task_tree import _epic_tree, _parent_rows, _work_items
from workfw.flow.times import _BLOCKED, _naive, _periods

__all__ = ["net_flow", "burn_up", "age_run", "blocked_stalled"]

_DAY_NS = 86_400 * 10**9
_NO_END = np.iinfo(np.int64).max


def _ns(values: pd.Series) -> np.ndarray:
    """Nanoseconds since the epoch (UTC), NaT as the end of time."""
    stamps = pd.to_datetime(values, utc=True)
    return np.where(stamps.isna().to_numpy(), _NO_END, pd.DatetimeIndex(stamps).as_unit("ns").asi8)


def _samples(first: pd.Timestamp, stamp: pd.Timestamp, alias: str) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Period labels (first day, tz-naive) and sample times (period end, the last one ``stamp``) in ns."""
    periods = pd.period_range(first.tz_convert("UTC").tz_localize(None), stamp.tz_convert("UTC").tz_localize(None),
                              freq=alias)
    ends = periods.end_time.tz_localize("UTC").as_unit("ns").asi8
    return periods.start_time, np.minimum(ends, stamp.value)


def _expand(starts: np.ndarray, ends: np.ndarray, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (span row, sample index) for every sample inside a span (``start <= sample < end``)."""
    lo = np.searchsorted(samples, starts, side="left")
    hi = np.searchsorted(samples, ends, side="left")
    counts = np.maximum(hi - lo, 0)
    rows = np.repeat(np.arange(len(starts)), counts)
    offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return rows, np.repeat(lo, counts) + offset


def _count_at(starts: np.ndarray, ends: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """How many spans ``[start, end)`` hold each sample time."""
    return (np.searchsorted(np.sort(starts), samples, side="right")
            - np.searchsorted(np.sort(ends), samples, side="right")).astype("int64")


def _empty(columns: list[str], reason: str, smap: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({c: [] for c in columns})
    out.attrs["reason"] = reason
    _describe(smap, out)
    return out


# --------------------------------------------------------------------------- net flow

def net_flow(data: Any, *, freq: str = "W", stages: Any = None, commitment: str | None = None, as_of: Any = None,
             exclude_types: Iterable[str] = CONTAINER_TYPES) -> pd.DataFrame:
    """Arrivals (work crossing the commitment point) against departures (work ending) per period.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    freq : str
        ``"W"`` (weeks from Monday), ``"D"`` or ``"M"``.
    stages, commitment : optional
        The stage definition (see :func:`workfw.flow.stage_map`).
    as_of : date-like, optional
        The last date counted; defaults to the data's reference time.
    exclude_types : iterable of str
        Task types left out (containers by default).

    Returns
    -------
    pandas.DataFrame
        ``period, arrivals, departures, cancelled, net_flow`` from the first arrival to ``as_of``,
        every period present.  ``departures`` counts work that arrived and then ended, done or
        cancelled (``cancelled`` says how many of them were cancelled), so the running sum of
        ``net_flow`` is the work in progress (less reopened work still open).  Empty, with
        ``attrs["reason"]``, when no task ever arrived.
    """
    alias = _periods(freq)
    smap = _stage_table(data, stages, commitment)
    columns = ["period", "arrivals", "departures", "cancelled", "net_flow"]
    _, spans, stamp = _staged_spans(data, smap, as_of=as_of, history_only=False, exclude_types=exclude_types)
    marks = _marks(spans)
    arrived = marks["arrived"].dropna()
    if arrived.empty:
        return _empty(columns, "no task ever crossed the commitment point, so nothing arrived", smap)
    left = marks[marks["arrived"].notna() & marks["finished"].notna()]
    full = pd.period_range(_naive(arrived).dt.to_period(alias).min(),
                           pd.Period(stamp.tz_convert("UTC").tz_localize(None), freq=alias), freq=alias)
    count = lambda stamps: _naive(stamps).dt.to_period(alias).value_counts().reindex(full, fill_value=0)  # noqa: E731
    out = pd.DataFrame({"arrivals": count(arrived), "departures": count(left["finished"]),
                        "cancelled": count(left.loc[left["outcome"] == "cancelled", "finished"])}).astype("int64")
    out["net_flow"] = out["arrivals"] - out["departures"]
    out = out.rename_axis("period").reset_index()
    out["period"] = out["period"].dt.start_time
    out = out[columns]
    _describe(smap, out)
    out.attrs["as_of"] = stamp
    return out


# --------------------------------------------------------------------------- burn-up

def _epic_of(tasks: pd.DataFrame, items: pd.DataFrame, containers: set[str]) -> pd.Series:
    """The nearest ancestor of each item whose type is a container (its epic), NA when none.

    The walk is :func:`workfw.flow.task_tree._epic_tree`, shared with :func:`workfw.flow.epic_forecast`:
    any depth up to its cap, and a parent cycle ends the walk instead of looping.
    """
    kind = tasks["task_type"].astype("string").str.strip().str.casefold()
    tree = _epic_tree(_parent_rows(tasks), kind.isin(containers).fillna(False).to_numpy(dtype=bool))
    ids = tasks["task_id"].astype("string").to_numpy()
    epic = pd.Series(np.where(tree.epic >= 0, ids[np.maximum(tree.epic, 0)], None), index=tasks.index,
                     dtype="string")
    return epic.reindex(items.index)


def burn_up(data: Any, *, by: str = "epic", freq: str = "W", stages: Any = None, commitment: str | None = None,
            as_of: Any = None, exclude_types: Iterable[str] = CONTAINER_TYPES) -> pd.DataFrame:
    """Scope against done work per epic or project, at the end of each period.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    by : str
        ``"epic"``: each work item counts under its nearest ancestor of a container type (an Epic;
        an Initiative or Milestone when that is the nearest).  ``"project"``: the ``project`` field.
    freq : str
        ``"W"``, ``"D"`` or ``"M"``.
    stages, commitment : optional
        The stage definition (see :func:`workfw.flow.stage_map`).
    as_of : date-like, optional
        The last date counted; defaults to the data's reference time.
    exclude_types : iterable of str
        The container types: never counted as work items, and the epics for ``by="epic"``.

    Returns
    -------
    pandas.DataFrame
        ``date, epic|project, name, scope, done``: ``scope`` counts the group's work items (a task with
        work items under it, such as a story with sub-tasks, counts through them) created by the
        date and not cancelled then (cancelling takes an item out of scope), ``done`` those in a
        done stage then.  Items count under their *current* parent or project on every date.  Items
        with no group are left out (``attrs["left_out"]``); when none has one the frame is empty
        and ``attrs["reason"]`` says why.
    """
    if by not in ("epic", "project"):
        raise OptionError(f"by={by!r}; expected 'epic' or 'project'. Next step: pass by='epic'.")
    alias = _periods(freq)
    smap = _stage_table(data, stages, commitment)
    columns = ["date", by, "name", "scope", "done"]
    tasks = tasks_of(data)
    containers = {str(t).strip().casefold() for t in exclude_types}
    kind = tasks["task_type"].astype("string").str.strip().str.casefold()
    # A story with sub-tasks counts through its sub-tasks, never as well (as epic_forecast counts it).
    leaf = _work_items(_parent_rows(tasks), kind.isin(containers).fillna(False).to_numpy(dtype=bool))
    items = tasks[leaf]
    if by == "epic":
        group = _epic_of(tasks, items, containers)
        names = tasks.set_index("task_id")["title"].astype("string")
        label = group.map(names).fillna(group)
    else:
        group = items["project"].astype("string")
        label = group
    if group.notna().sum() == 0:
        what = "a parent of a container type (Epic, Initiative...)" if by == "epic" else "a project"
        return _empty(columns, f"no work item has {what}, so there is nothing to burn up by {by}", smap)
    keyed = pd.DataFrame({"task_id": items["task_id"].to_numpy(), "group": group.to_numpy(), "name": label.to_numpy()})
    keyed = keyed.dropna(subset=["group"]).set_index("task_id")
    _, spans, stamp = _staged_spans(data, smap, as_of=as_of, history_only=False, exclude_types=containers)
    spans = spans[spans["task_id"].isin(set(keyed.index))]
    if spans.empty:
        return _empty(columns, f"no work item with a {by} has a date to place it in time", smap)
    spans = spans.assign(group=spans["task_id"].map(keyed["group"]).to_numpy()).reset_index(drop=True)
    title = keyed.groupby("group")["name"].first()
    labels, samples = _samples(spans["start"].min(), stamp, alias)
    starts, ends = _ns(spans["start"]), _ns(spans["end"])
    in_scope = (spans["stage"] != "cancelled").to_numpy()
    done = (spans["stage"] == "done").to_numpy()
    parts = []
    for key, rows in spans.groupby("group", sort=True).indices.items():
        scope_rows, done_rows = rows[in_scope[rows]], rows[done[rows]]
        parts.append(pd.DataFrame({"date": labels, by: key, "name": title[key],
                                   "scope": _count_at(starts[scope_rows], ends[scope_rows], samples),
                                   "done": _count_at(starts[done_rows], ends[done_rows], samples)}))
    out = pd.concat(parts, ignore_index=True).sort_values(["date", by], kind="stable").reset_index(drop=True)
    out[by] = out[by].astype("string")
    out["name"] = out["name"].astype("string")
    out = out[columns]
    _describe(smap, out)
    out.attrs.update(as_of=stamp, by=by, left_out={f"no {by}": int(group.isna().sum())} if group.isna().any() else {})
    return out


# --------------------------------------------------------------------------- work-item age

def age_run(data: Any, *, freq: str = "W", stages: Any = None, commitment: str | None = None, as_of: Any = None,
            exclude_types: Iterable[str] = CONTAINER_TYPES) -> pd.DataFrame:
    """The age of every item in progress at the end of each period (a work-item-age run chart).

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    freq : str
        ``"W"``, ``"D"`` or ``"M"``.
    stages, commitment : optional
        The stage definition (see :func:`workfw.flow.stage_map`).
    as_of : date-like, optional
        The last sample; defaults to the data's reference time.
    exclude_types : iterable of str
        Task types left out (containers by default).

    Returns
    -------
    pandas.DataFrame
        ``date, task_id, title, team, status, stage, age_days``: one row per period and task whose
        stage at the period's end is active or waiting; ``age_days`` counts from the task's first
        arrival.  Sorted by date, oldest first.  Empty, with ``attrs["reason"]``, when nothing was
        ever in progress.
    """
    alias = _periods(freq)
    smap = _stage_table(data, stages, commitment)
    columns = ["date", "task_id", "title", "team", "status", "stage", "age_days"]
    items, spans, stamp = _staged_spans(data, smap, as_of=as_of, history_only=False, exclude_types=exclude_types)
    doing = spans[spans["stage"].isin(_COMMITTED).to_numpy()].reset_index(drop=True)
    if doing.empty:
        return _empty(columns, "no task was ever in an active or waiting stage", smap)
    arrived = _marks(spans)["arrived"]
    labels, samples = _samples(doing["start"].min(), stamp, alias)
    rows, at = _expand(_ns(doing["start"]), _ns(doing["end"]), samples)
    picked = doing.iloc[rows].reset_index(drop=True)
    since = _ns(picked["task_id"].map(arrived))
    info = items.set_index("task_id")
    out = pd.DataFrame({
        "date": labels[at], "task_id": picked["task_id"].astype("string"),
        "title": picked["task_id"].map(info["title"]).astype("string"),
        "team": picked["task_id"].map(info["team"]).astype("string"), "status": picked["status"].astype("string"),
        "stage": picked["stage"].astype("string"), "age_days": (samples[at] - since) / _DAY_NS,
    })
    out = out.sort_values(["date", "age_days", "task_id"], ascending=[True, False, True], kind="stable")
    out = out.reset_index(drop=True)[columns]
    _describe(smap, out)
    out.attrs["as_of"] = stamp
    return out


# --------------------------------------------------------------------------- blocked and stalled

def _blocked_now(tasks: pd.DataFrame, smap: pd.DataFrame) -> pd.Series:
    """Tasks blocked by their current fields: an open blocked-by link, a blocked label or a Flagged value."""
    ended = _span_stages(tasks[["status", "status_category"]].rename(columns={"status_category": "category"}),
                         smap).isin(["done", "cancelled"]).to_numpy()
    closed = set(tasks["task_id"][ended])
    has_link = list_sizes(tasks["blocked_by"]) > 0
    # A link to a blocker that is done or cancelled no longer blocks; one outside the export may still.
    open_link = np.zeros(len(tasks), dtype=bool)
    open_link[has_link] = [any(b not in closed for b in links) for links in tasks["blocked_by"][has_link]]
    label = _any_label_matches(tasks["labels"], _BLOCKED)
    flagged = (tasks["flagged"] if "flagged" in tasks.columns else pd.Series(pd.NA, index=tasks.index)).astype("string")
    flag = (flagged.notna() & ~flagged.str.strip().str.casefold().isin(["", "false", "no", "0"])).fillna(False)
    return pd.Series(open_link | label | flag.to_numpy(dtype=bool), index=tasks["task_id"].to_numpy())


def _activity(data: Any, tasks: pd.DataFrame, stamp: pd.Timestamp) -> pd.DataFrame:
    """Every known moment something happened to a task: recorded changes, created, started, completed, updated."""
    parts = [pd.DataFrame({"task_id": tasks["task_id"], "at": tasks[c]}) for c in ("created", "started", "completed",
                                                                                      "updated")]
    events = getattr(data, "events", None)
    if events is not None and len(events):
        parts.append(events[["task_id", "at"]])
    out = pd.concat(parts, ignore_index=True).dropna()
    out = out[(out["at"] <= stamp).to_numpy(dtype=bool)]
    return pd.DataFrame({"task_id": out["task_id"].astype("string").to_numpy(), "moved": _ns(out["at"])})


def blocked_stalled(data: Any, *, stalled_days: float = 5, freq: str = "D", stages: Any = None,
                    commitment: str | None = None, as_of: Any = None,
                    exclude_types: Iterable[str] = CONTAINER_TYPES) -> pd.DataFrame:
    """Work in progress each day, split into blocked, stalled and moving.

    A task in progress (active or waiting stage) is **blocked** while its status is named like
    Blocked, Flagged or Impediment (as :func:`workfw.flow.blocked_time` reads it); on the last date
    also when it has a blocked-by link to a task that is not done or cancelled, a label named so,
    or a Flagged value (those fields say a task is blocked *now*, not since when, so they count on
    the last date only).  A task not blocked is **stalled** when nothing happened to it for
    ``stalled_days`` or more: no recorded change of any field, and no created, started, completed
    or updated time, since.  The rest is **moving**.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    stalled_days : float
        Days without activity after which work in progress is stalled (5 by default, as the
        peers' charts use).
    freq : str
        ``"D"`` (per day, the default), ``"W"`` or ``"M"``.
    stages, commitment : optional
        The stage definition (see :func:`workfw.flow.stage_map`).
    as_of : date-like, optional
        The last date; defaults to the data's reference time.
    exclude_types : iterable of str
        Task types left out (containers by default).

    Returns
    -------
    pandas.DataFrame
        ``date, state, count`` with ``state`` in ``blocked, stalled, moving`` for every date (zeros
        included).  ``attrs`` holds ``stalled_days``, the stage definition and ``blocked_now`` (task
        ids blocked on the last date).  Empty, with ``attrs["reason"]``, when nothing was ever in
        progress.
    """
    if isinstance(stalled_days, bool) or not isinstance(stalled_days, (int, float)) or not stalled_days > 0:
        raise OptionError(f"stalled_days={stalled_days!r}; expected a number of days above 0, such as 5. "
                          "Next step: pass stalled_days=5.")
    alias = _periods(freq)
    smap = _stage_table(data, stages, commitment)
    columns = ["date", "state", "count"]
    items, spans, stamp = _staged_spans(data, smap, as_of=as_of, history_only=False, exclude_types=exclude_types)
    doing = spans[spans["stage"].isin(_COMMITTED).to_numpy()].reset_index(drop=True)
    if doing.empty:
        return _empty(columns, "no task was ever in an active or waiting stage", smap)
    labels, samples = _samples(doing["start"].min(), stamp, alias)
    rows, at = _expand(_ns(doing["start"]), _ns(doing["end"]), samples)
    pairs = pd.DataFrame({"task_id": doing["task_id"].astype("string").to_numpy()[rows], "at": samples[at],
                          "sample": at,
                          "blocked": doing["status"].str.contains(_BLOCKED, case=False).fillna(False)
                          .to_numpy(dtype=bool)[rows]})
    now = _blocked_now(tasks_of(data), smap)
    last = pairs["sample"] == len(samples) - 1
    pairs.loc[last, "blocked"] |= pairs.loc[last, "task_id"].map(now).fillna(False).to_numpy(dtype=bool)
    activity = _activity(data, items, stamp).sort_values("moved", kind="stable")
    pairs = pd.merge_asof(pairs.sort_values("at", kind="stable"), activity, left_on="at", right_on="moved",
                          by="task_id", direction="backward")
    idle = (pairs["at"] - pairs["moved"].fillna(pairs["at"])) / _DAY_NS
    state = np.where(pairs["blocked"], "blocked", np.where(idle >= stalled_days, "stalled", "moving"))
    order = ["blocked", "stalled", "moving"]
    counts = pd.Series(1, index=pd.MultiIndex.from_arrays([pairs["sample"].to_numpy(), state])).groupby(level=[0, 1])
    grid = pd.MultiIndex.from_product([np.arange(len(samples)), order])
    full = counts.sum().reindex(grid, fill_value=0)
    out = pd.DataFrame({"date": labels[grid.get_level_values(0)], "state": grid.get_level_values(1).astype("string"),
                        "count": full.to_numpy(dtype="int64")})
    _describe(smap, out)
    out.attrs.update(as_of=stamp, stalled_days=float(stalled_days),
                     blocked_now=sorted(pairs.loc[pairs["blocked"] & (pairs["sample"] == len(samples) - 1),
                                                  "task_id"].tolist()))
    return out

"""Flow efficiency of finished work: active time over active plus waiting time (see :mod:`workfw.flow.stages`)."""
from __future__ import annotations

from typing import Any, Iterable

import pandas as pd

from workfw.flow.inputs import _naive, _periods
from workfw.flow.metrics import CONTAINER_TYPES
from workfw.flow.stage_rules import _UNPLACED, _describe, _stage_table
from workfw.flow.stage_spans import _left_out, _marks, _no_history, _staged_spans, _why_empty
from workfw.flow.times import _days, _lookup

__all__ = ["flow_efficiency"]


def flow_efficiency(data: Any, *, freq: str | None = None, stages: Any = None, commitment: str | None = None,
                    as_of: Any = None, working_days: bool = False,
                    exclude_types: Iterable[str] = CONTAINER_TYPES) -> pd.DataFrame:
    """Flow efficiency of finished work: active time over active plus waiting time, from commitment to done.

    For each task that is done at ``as_of`` and has status history, the window runs from its first
    entry into a committed stage to its final move into done (the cycle time).  In that window
    *active* is the time in active statuses and *waiting* everything else but unplaced statuses:
    waiting statuses, and also time moved back before commitment or spent in done before a reopen,
    since the work was promised and not being done.  So ``active + waiting`` is the cycle time
    (less any unplaced time).

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export, with status history.
    freq : str, optional
        None for one row per task; ``"W"`` (weeks from Monday), ``"D"`` or ``"M"`` for one row per
        period of finishing, pooled: the period's active days over its active plus waiting days,
        so long tasks weigh more, as in the peers' flow-efficiency charts.
    stages, commitment : optional
        The stage definition (see :func:`stage_map`).
    as_of : date-like, optional
        Work finished after it is left out; defaults to the data's reference time.
    working_days : bool
        Count Monday-Friday only (UTC calendar).
    exclude_types : iterable of str
        Task types left out (epics and other containers by default).

    Returns
    -------
    pandas.DataFrame
        Per task: ``task_id, title, team, committed, finished, active_days, waiting_days,
        flow_efficiency`` (a share from 0 to 1; NA when the task never spent time committed, such as
        To Do -> Done), sorted by ``finished``.  Per period: ``period, tasks, active_days,
        waiting_days, flow_efficiency``, every period from the first to the last finish
        (``tasks`` 0 and efficiency NA when none finished).  Not measurable without status history
        or when no status is staged *waiting* (every task would score 100%): then the frame is
        empty and ``attrs["reason"]`` says why.  ``attrs`` holds the stage definition and
        ``left_out``.
    """
    alias = _periods(freq) if freq is not None else None
    smap = _stage_table(data, stages, commitment)
    columns = (["task_id", "title", "team", "committed", "finished", "active_days", "waiting_days", "flow_efficiency"]
               if alias is None else ["period", "tasks", "active_days", "waiting_days", "flow_efficiency"])
    if not (smap["stage"] == "waiting").any():
        return _no_history(columns, "no status is staged as waiting, so every task would score 100%; mark the queue "
                                    "statuses, e.g. stages={'In Review': 'waiting'}", smap)
    items, spans, stamp = _staged_spans(data, smap, as_of=as_of, history_only=True, exclude_types=exclude_types)
    if spans.empty:
        return _no_history(columns, _why_empty(data, stamp), smap)
    marks = _marks(spans)
    done = marks[marks["outcome"] == "done"]
    window = spans[spans["task_id"].isin(set(done.index))].copy()
    # Looked up, not mapped: pandas cannot map through an empty Series of times (nothing done yet).
    lo = _lookup(window["task_id"], done["arrived"])
    hi = _lookup(window["task_id"], done["finished"])
    start = window["start"].where(window["start"] > lo, lo)
    stop = window["stop"].where(window["stop"] < hi, hi)
    window["days"] = _days(start, stop, working_days=working_days).clip(lower=0).fillna(0).to_numpy()
    active = window.loc[window["stage"] == "active"].groupby("task_id")["days"].sum()
    other = window.loc[~window["stage"].isin(["active", _UNPLACED])].groupby("task_id")["days"].sum()
    info = items.set_index("task_id")
    per_task = done[["arrived", "finished"]].rename(columns={"arrived": "committed"}).rename_axis("task_id")
    per_task = per_task.assign(active_days=active.reindex(done.index).fillna(0.0),
                               waiting_days=other.reindex(done.index).fillna(0.0)).reset_index()
    per_task["task_id"] = per_task["task_id"].astype("string")
    per_task.insert(1, "title", per_task["task_id"].map(info["title"]).astype("string"))
    per_task.insert(2, "team", per_task["task_id"].map(info["team"]).astype("string"))
    total = per_task["active_days"] + per_task["waiting_days"]
    per_task["flow_efficiency"] = (per_task["active_days"] / total.where(total > 0)).astype("Float64")
    per_task = per_task.sort_values(["finished", "task_id"], kind="stable").reset_index(drop=True)
    out = per_task if alias is None else _efficiency_by_period(per_task, alias)
    _describe(smap, out)
    out.attrs["as_of"] = stamp
    out.attrs["left_out"] = _left_out(items, spans)
    return out


def _efficiency_by_period(per_task: pd.DataFrame, alias: str) -> pd.DataFrame:
    """Pool a per-task efficiency table by period of finishing (``alias`` as from ``_periods``)."""
    columns = ["period", "tasks", "active_days", "waiting_days", "flow_efficiency"]
    if per_task.empty:
        return pd.DataFrame({c: [] for c in columns})
    period = _naive(per_task["finished"]).dt.to_period(alias)
    full = pd.period_range(period.min(), period.max(), freq=alias)
    grouped = per_task.groupby(period.to_numpy())
    out = pd.DataFrame({"tasks": grouped.size(), "active_days": grouped["active_days"].sum(),
                        "waiting_days": grouped["waiting_days"].sum()}).reindex(full, fill_value=0)
    total = out["active_days"] + out["waiting_days"]
    out["flow_efficiency"] = (out["active_days"] / total.where(total > 0)).astype("Float64")
    out["tasks"] = out["tasks"].astype("int64")
    out = out.rename_axis("period").reset_index()
    out["period"] = out["period"].dt.start_time
    return out[columns]

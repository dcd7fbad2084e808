"""Sprints: velocity and the completed share of each sprint's committed scope (see :mod:`workfw.flow.stages`).

**What an export tells about sprints.**  The canonical table keeps one ``iteration`` per task: the
sprint (cycle, iteration path, milestone) it is in *now*, the last one for a task carried over from
sprint to sprint.  No export workfw reads records sprint dates, and none records sprint changes in
its history, so:

* a sprint's **committed scope** is the work items whose ``iteration`` is that sprint, less those
  cancelled (a cancelled item left the plan); an item carried over to a later sprint counts in the
  last one only, so earlier sprints look more complete than they were;
* **done** means in a done stage at ``as_of`` (the sprint's end date is not in the export); the
  latest sprints may still be running;
* sprints are listed in time order: by the median finish of their done items, else the median
  creation of their items, else by name.

**Points** come from the ``estimate`` field.  When no task of the export has an estimate, points
are not measurable: the point columns are NA (never 0) and ``attrs["points_reason"]`` says so.
Items done without an estimate are counted in ``done_without_estimate``.
"""
from __future__ import annotations

from typing import Any, Iterable

import pandas as pd

from workfw.schema import tasks_of
from workfw.flow.metrics import CONTAINER_TYPES
from workfw.flow.stages import _describe, _marks, _span_stages, _stage_table, _staged_spans

__all__ = ["velocity", "sprint_completion"]

_NO_POINTS = "no task in the export has an estimate, so points are not measurable"


def _sprint_items(data: Any, stages: Any, commitment: Any, as_of: Any,
                  exclude_types: Iterable[str]) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """Work items with an iteration: ``task_id, iteration, estimate, outcome, finished, created``; the stage map;
    whether the export has estimates at all."""
    smap = _stage_table(data, stages, commitment)
    items, spans, stamp = _staged_spans(data, smap, as_of=as_of, history_only=False, exclude_types=exclude_types)
    marks = _marks(spans)
    planned = items[items["iteration"].notna().to_numpy(dtype=bool)]
    planned = planned[(planned["created"].isna() | (planned["created"] <= stamp)).to_numpy(dtype=bool)]
    # A task with no timeline (no date at all) is placed by its current status.
    now = _span_stages(planned[["status", "status_category"]].rename(columns={"status_category": "category"}), smap)
    now = now.where(now.isin(["done", "cancelled"]), "open")
    outcome = planned["task_id"].map(marks["outcome"]).astype("string").fillna(now)
    frame = pd.DataFrame({"task_id": planned["task_id"].to_numpy(),
                          "iteration": planned["iteration"].astype("string").str.strip().to_numpy(),
                          "estimate": planned["estimate"].astype("Float64").to_numpy(),
                          "outcome": outcome.to_numpy(), "finished": planned["task_id"].map(marks["finished"]).array,
                          "created": planned["created"].array})
    has_points = bool(tasks_of(data)["estimate"].notna().any())
    frame.attrs["as_of"] = stamp
    return frame, smap, has_points


def _time_order(frame: pd.DataFrame) -> list[str]:
    """Sprint names in time order: median finish of done items, else median creation, else name."""
    done = frame[frame["outcome"] == "done"]
    finish = done.groupby("iteration")["finished"].median()
    made = frame.groupby("iteration")["created"].median()
    keys = pd.DataFrame({"finish": finish, "made": made}).reindex(sorted(frame["iteration"].unique()))
    when = keys["finish"].fillna(keys["made"])
    return list(when.sort_values(kind="stable", na_position="last").index)


def _empty(columns: list[str], smap: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({c: [] for c in columns})
    out.attrs["reason"] = "no work item has an iteration (sprint, cycle or iteration path), so there are no sprints"
    _describe(smap, out)
    return out


def velocity(data: Any, *, stages: Any = None, commitment: str | None = None, as_of: Any = None,
             exclude_types: Iterable[str] = CONTAINER_TYPES) -> pd.DataFrame:
    """Done work items, and their points, per sprint.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    stages, commitment : optional
        The stage definition (see :func:`workfw.flow.stage_map`); an item is done when its stage is.
    as_of : date-like, optional
        Done by this time; defaults to the data's reference time.
    exclude_types : iterable of str
        Task types left out (epics and other containers by default).

    Returns
    -------
    pandas.DataFrame
        ``iteration, items_done, points_done, done_without_estimate``, one row per sprint in time
        order (see the module notes), zeros where nothing is done.  ``points_done`` sums the
        known estimates of done items; it is NA throughout when the export has no estimates
        (``attrs["points_reason"]``).  Empty, with ``attrs["reason"]``, without iterations.
    """
    columns = ["iteration", "items_done", "points_done", "done_without_estimate"]
    frame, smap, has_points = _sprint_items(data, stages, commitment, as_of, exclude_types)
    if frame.empty:
        return _empty(columns, smap)
    order = _time_order(frame)
    done = frame[frame["outcome"] == "done"]
    grouped = done.groupby("iteration")
    out = pd.DataFrame(index=pd.Index(order, name="iteration"))
    out["items_done"] = grouped.size().reindex(order, fill_value=0).astype("int64")
    points = grouped["estimate"].sum(min_count=0).reindex(order, fill_value=0).astype("Float64")
    out["points_done"] = points if has_points else pd.array([pd.NA] * len(order), dtype="Float64")
    out["done_without_estimate"] = done["estimate"].isna().groupby(done["iteration"]).sum().reindex(
        order, fill_value=0).astype("int64")
    out = out.reset_index()
    out["iteration"] = out["iteration"].astype("string")
    _describe(smap, out)
    out.attrs.update(as_of=frame.attrs["as_of"], order=order,
                     scope="items whose current iteration is the sprint; done by as_of (sprint dates are not in "
                           "the export)")
    if not has_points:
        out.attrs["points_reason"] = _NO_POINTS
    return out


def sprint_completion(data: Any, *, stages: Any = None, commitment: str | None = None, as_of: Any = None,
                      exclude_types: Iterable[str] = CONTAINER_TYPES) -> pd.DataFrame:
    """The share of each sprint's committed scope that is done.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its task table.
    stages, commitment : optional
        The stage definition (see :func:`workfw.flow.stage_map`).
    as_of : date-like, optional
        Done by this time; defaults to the data's reference time.
    exclude_types : iterable of str
        Task types left out (epics and other containers by default).

    Returns
    -------
    pandas.DataFrame
        ``iteration, committed, done, open, cancelled, completed_share, points_committed,
        points_done, points_share`` per sprint in time order.  ``committed`` counts items whose
        current iteration is the sprint and that are not cancelled (``cancelled`` counts those that
        are); ``completed_share = done / committed`` (NA when nothing is committed).  Point columns
        are NA when the export has no estimates (``attrs["points_reason"]``); ``points_share`` is
        NA when no committed item has an estimate.  ``attrs["scope"]`` states the definition.
        Empty, with ``attrs["reason"]``, without iterations.
    """
    columns = ["iteration", "committed", "done", "open", "cancelled", "completed_share", "points_committed",
               "points_done", "points_share"]
    frame, smap, has_points = _sprint_items(data, stages, commitment, as_of, exclude_types)
    if frame.empty:
        return _empty(columns, smap)
    order = _time_order(frame)
    kept = frame[frame["outcome"] != "cancelled"]
    done = kept[kept["outcome"] == "done"]

    def per_sprint(values: pd.Series, keys: pd.Series, how: str) -> pd.Series:
        grouped = values.groupby(keys)
        result = grouped.size() if how == "count" else grouped.sum(min_count=1)
        return result.reindex(order)

    out = pd.DataFrame(index=pd.Index(order, name="iteration"))
    out["committed"] = per_sprint(kept["task_id"], kept["iteration"], "count").fillna(0).astype("int64")
    out["done"] = per_sprint(done["task_id"], done["iteration"], "count").fillna(0).astype("int64")
    out["open"] = out["committed"] - out["done"]
    cancelled = frame[frame["outcome"] == "cancelled"]
    out["cancelled"] = per_sprint(cancelled["task_id"], cancelled["iteration"], "count").fillna(0).astype("int64")
    out["completed_share"] = (out["done"] / out["committed"].where(out["committed"] > 0)).astype("Float64")
    if has_points:
        committed_points = per_sprint(kept["estimate"], kept["iteration"], "sum").astype("Float64")
        done_points = per_sprint(done["estimate"], done["iteration"], "sum").astype("Float64")
        out["points_committed"] = committed_points
        out["points_done"] = done_points.where(committed_points.isna(), done_points.fillna(0))
        out["points_share"] = out["points_done"] / committed_points.where(committed_points > 0)
    else:
        for col in ("points_committed", "points_done", "points_share"):
            out[col] = pd.array([pd.NA] * len(order), dtype="Float64")
    out = out.reset_index()
    out["iteration"] = out["iteration"].astype("string")
    out = out[columns]
    _describe(smap, out)
    out.attrs.update(as_of=frame.attrs["as_of"], order=order,
                     scope="committed = items whose current iteration is the sprint, less cancelled ones; done by "
                           "as_of (sprint dates are not in the export, and carried-over items count in their last "
                           "sprint only)")
    if not has_points:
        out.attrs["points_reason"] = _NO_POINTS
    return out


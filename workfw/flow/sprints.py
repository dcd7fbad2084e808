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

**Teams share sprint names.**  Every team of a whole-organisation export may have its own
"Sprint 20"; grouped by name alone (``by=None``, the default) their items fall into one row and
the counts mix teams.  ``attrs["mixed_teams"]`` lists the sprint names whose row holds work items
of more than one team, so a caller can say so.  ``by="team"`` (or ``"project"``) gives one row per
team and sprint instead: teams in name order, each team's sprints in time order (as above, from
that team's items only).  Work items with a sprint but no team (project) are left out then and
counted in ``attrs["left_out"]``, as :func:`workfw.flow.burn_up` does: a sprint of no team has no
committed scope anybody owns, and an "NA" team would read as a team.

**Points** come from the ``estimate`` field.  When no task of the export has an estimate, points
are not measurable: the point columns are NA (never 0) and ``attrs["points_reason"]`` says so.
Items done without an estimate are counted in ``done_without_estimate``.
"""
from __future__ import annotations

from typing import Any, Iterable

import pandas as pd

from workfw.errors import OptionError
from workfw.schema import tasks_of
from workfw.flow.metrics import CONTAINER_TYPES
from workfw.flow.stages import _describe, _marks, _span_stages, _stage_table, _staged_spans
from workfw.flow.times import _lookup

__all__ = ["velocity", "sprint_completion"]

_NO_POINTS = "no task in the export has an estimate, so points are not measurable"
#: The values of ``by``: group sprints by name alone, or by team (project) and name.
_BY = (None, "team", "project")


def _check_by(by: Any) -> None:
    """Fail on a ``by`` that is not one of :data:`_BY`, naming the valid ones."""
    if not (by is None or (isinstance(by, str) and by in _BY)):
        raise OptionError(f"by={by!r}; expected None, 'team' or 'project'. Next step: pass by='team' for one row "
                          "per team and sprint, or leave by out to group by sprint name alone.")


def _label(values: pd.Series) -> pd.Series:
    """Team or project names as stripped strings; blank ones are NA (no team)."""
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _sprint_items(data: Any, stages: Any, commitment: Any, as_of: Any,
                  exclude_types: Iterable[str]) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """Work items with an iteration: ``task_id, iteration, team, project, estimate, outcome, finished, created``;
    the stage map; whether the export has estimates at all."""
    smap = _stage_table(data, stages, commitment)
    items, spans, stamp = _staged_spans(data, smap, as_of=as_of, history_only=False, exclude_types=exclude_types)
    marks = _marks(spans)
    planned = items[items["iteration"].notna().to_numpy(dtype=bool)]
    planned = planned[(planned["created"].isna() | (planned["created"] <= stamp)).to_numpy(dtype=bool)]
    # A task with no timeline (no date at all) is placed by its current status.
    now = _span_stages(planned[["status", "status_category"]].rename(columns={"status_category": "category"}), smap)
    now = now.where(now.isin(["done", "cancelled"]), "open")
    # Looked up, not mapped: pandas cannot map through an empty Series of times (no timeline at all).
    outcome = _lookup(planned["task_id"], marks["outcome"]).astype("string").fillna(now)
    frame = pd.DataFrame({"task_id": planned["task_id"].to_numpy(),
                          "iteration": planned["iteration"].astype("string").str.strip().to_numpy(),
                          "team": _label(planned["team"]).array, "project": _label(planned["project"]).array,
                          "estimate": planned["estimate"].astype("Float64").to_numpy(),
                          "outcome": outcome.to_numpy(), "finished": _lookup(planned["task_id"], marks["finished"]).array,
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


def _group_order(frame: pd.DataFrame, by: str | None) -> list[Any]:
    """The rows' keys in order: sprint names in time order, or ``(group, sprint)`` pairs, groups by name and each
    group's sprints in time order of its own items (another team's "Sprint 3" says nothing of this one's)."""
    if by is None:
        return _time_order(frame)
    groups = sorted(frame[by].unique(), key=lambda g: (str(g).casefold(), str(g)))
    return [(group, name) for group in groups
            for name in _time_order(frame[(frame[by] == group).to_numpy(dtype=bool)])]


def _index(order: list[Any], by: str | None) -> pd.Index:
    if by is None:
        return pd.Index(order, name="iteration")
    return pd.MultiIndex.from_tuples(order, names=[by, "iteration"])


def _mixed_teams(frame: pd.DataFrame, order: list[Any], by: str | None) -> list[str]:
    """Names of the sprints whose row holds work items of more than one team, in row order, once each."""
    if by == "team" or frame.empty:
        return []
    keys: Any = "iteration" if by is None else [by, "iteration"]
    teams = frame.groupby(keys)["team"].nunique()  # nunique leaves items without a team aside
    mixed = set(teams[teams > 1].index)
    names = [key if by is None else key[1] for key in order if key in mixed]
    return list(dict.fromkeys(str(n) for n in names))


def _grouped(frame: pd.DataFrame, by: str | None) -> tuple[pd.DataFrame, dict[str, int]]:
    """``frame`` without the items that have no ``by`` group, and how many were left out."""
    if by is None:
        return frame, {}
    missing = frame[by].isna().to_numpy(dtype=bool)
    kept = frame[~missing]
    kept.attrs = dict(frame.attrs)
    return kept, ({f"no {by}": int(missing.sum())} if missing.any() else {})


def _empty(columns: list[str], smap: pd.DataFrame, by: str | None = None,
           left_out: dict[str, int] | None = None) -> pd.DataFrame:
    out = pd.DataFrame({c: [] for c in columns})
    if by is None or not left_out:
        out.attrs["reason"] = ("no work item has an iteration (sprint, cycle or iteration path), so there are no "
                               "sprints")
    else:
        out.attrs["reason"] = f"no work item with an iteration has a {by}, so there are no sprints by {by}"
    _describe(smap, out)
    if by is not None:
        out.attrs.update(by=by, left_out=dict(left_out or {}))
    out.attrs["mixed_teams"] = []
    return out


def _columns(columns: list[str], by: str | None) -> list[str]:
    return columns if by is None else [by, *columns]


def _flatten(out: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """The index as string columns, the group first."""
    out = out.reset_index()
    out["iteration"] = out["iteration"].astype("string")
    if by is not None:
        out[by] = out[by].astype("string")
    return out


def _finish(out: pd.DataFrame, smap: pd.DataFrame, frame: pd.DataFrame, order: list[Any], by: str | None,
            left_out: dict[str, int], scope: str) -> None:
    """The attributes every sprint table states (in place on the new table)."""
    _describe(smap, out)
    out.attrs.update(as_of=frame.attrs["as_of"], order=order, scope=scope)
    if by is not None:
        out.attrs.update(by=by, left_out=left_out)
    out.attrs["mixed_teams"] = _mixed_teams(frame, order, by)


def velocity(data: Any, *, stages: Any = None, commitment: str | None = None, as_of: Any = None,
             exclude_types: Iterable[str] = CONTAINER_TYPES, by: str | None = None) -> pd.DataFrame:
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
    by : {None, "team", "project"}
        ``None``: one row per sprint name, whatever team its items belong to.  ``"team"`` or
        ``"project"``: one row per group and sprint (see the module notes).

    Returns
    -------
    pandas.DataFrame
        ``iteration, items_done, points_done, done_without_estimate``, one row per sprint in time
        order (see the module notes), zeros where nothing is done; with ``by``, the ``team`` (or
        ``project``) column comes first.  ``points_done`` sums the known estimates of done items;
        it is NA throughout when the export has no estimates (``attrs["points_reason"]``).
        ``attrs["mixed_teams"]`` lists the sprint names whose row holds items of more than one
        team; with ``by``, ``attrs["left_out"]`` counts the items without a group.  Empty, with
        ``attrs["reason"]``, without iterations.

    Raises
    ------
    OptionError
        When ``by`` is not one of the values above.
    """
    _check_by(by)
    columns = _columns(["iteration", "items_done", "points_done", "done_without_estimate"], by)
    frame, smap, has_points = _sprint_items(data, stages, commitment, as_of, exclude_types)
    frame, left_out = _grouped(frame, by)
    if frame.empty:
        return _empty(columns, smap, by, left_out)
    keys = "iteration" if by is None else [by, "iteration"]
    order = _group_order(frame, by)
    index = _index(order, by)
    done = frame[frame["outcome"] == "done"]
    grouped = done.groupby(keys)
    out = pd.DataFrame(index=index)
    out["items_done"] = grouped.size().reindex(index, fill_value=0).astype("int64")
    points = grouped["estimate"].sum(min_count=0).reindex(index, fill_value=0).astype("Float64")
    out["points_done"] = points if has_points else pd.array([pd.NA] * len(order), dtype="Float64")
    out["done_without_estimate"] = done.assign(blank=done["estimate"].isna()).groupby(keys)["blank"].sum().reindex(
        index, fill_value=0).astype("int64")
    out = _flatten(out, by)[columns]
    _finish(out, smap, frame, order, by, left_out,
            "items whose current iteration is the sprint; done by as_of (sprint dates are not in the export)")
    if not has_points:
        out.attrs["points_reason"] = _NO_POINTS
    return out


def sprint_completion(data: Any, *, stages: Any = None, commitment: str | None = None, as_of: Any = None,
                      exclude_types: Iterable[str] = CONTAINER_TYPES, by: str | None = None) -> pd.DataFrame:
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
    by : {None, "team", "project"}
        ``None``: one row per sprint name, whatever team its items belong to (teams that name
        their sprints alike are merged: see ``attrs["mixed_teams"]``).  ``"team"`` or
        ``"project"``: one row per group and sprint, groups by name, each group's sprints in
        time order; items without a group are left out (``attrs["left_out"]``).

    Returns
    -------
    pandas.DataFrame
        ``iteration, committed, done, open, cancelled, completed_share, points_committed,
        points_done, points_share`` per sprint in time order; with ``by``, the ``team`` (or
        ``project``) column comes first.  ``committed`` counts items whose current iteration is
        the sprint and that are not cancelled (``cancelled`` counts those that are);
        ``completed_share = done / committed`` (NA when nothing is committed).  Point columns are
        NA when the export has no estimates (``attrs["points_reason"]``); ``points_share`` is NA
        when no committed item has an estimate.  ``attrs["scope"]`` states the definition;
        ``attrs["mixed_teams"]`` lists the sprint names whose row holds work items of more than
        one team (empty when none does).  Empty, with ``attrs["reason"]``, without iterations.

    Raises
    ------
    OptionError
        When ``by`` is not one of the values above.
    """
    _check_by(by)
    columns = _columns(["iteration", "committed", "done", "open", "cancelled", "completed_share",
                        "points_committed", "points_done", "points_share"], by)
    frame, smap, has_points = _sprint_items(data, stages, commitment, as_of, exclude_types)
    frame, left_out = _grouped(frame, by)
    if frame.empty:
        return _empty(columns, smap, by, left_out)
    keys = "iteration" if by is None else [by, "iteration"]
    order = _group_order(frame, by)
    index = _index(order, by)
    kept = frame[frame["outcome"] != "cancelled"]
    done = kept[kept["outcome"] == "done"]
    cancelled = frame[frame["outcome"] == "cancelled"]

    def per_sprint(rows: pd.DataFrame, column: str, how: str) -> pd.Series:
        grouped = rows.groupby(keys)[column]
        result = grouped.size() if how == "count" else grouped.sum(min_count=1)
        return result.reindex(index)

    out = pd.DataFrame(index=index)
    out["committed"] = per_sprint(kept, "task_id", "count").fillna(0).astype("int64")
    out["done"] = per_sprint(done, "task_id", "count").fillna(0).astype("int64")
    out["open"] = out["committed"] - out["done"]
    out["cancelled"] = per_sprint(cancelled, "task_id", "count").fillna(0).astype("int64")
    out["completed_share"] = (out["done"] / out["committed"].where(out["committed"] > 0)).astype("Float64")
    if has_points:
        committed_points = per_sprint(kept, "estimate", "sum").astype("Float64")
        done_points = per_sprint(done, "estimate", "sum").astype("Float64")
        out["points_committed"] = committed_points
        out["points_done"] = done_points.where(committed_points.isna(), done_points.fillna(0))
        out["points_share"] = out["points_done"] / committed_points.where(committed_points > 0)
    else:
        for col in ("points_committed", "points_done", "points_share"):
            out[col] = pd.array([pd.NA] * len(order), dtype="Float64")
    out = _flatten(out, by)[columns]
    _finish(out, smap, frame, order, by, left_out,
            "committed = items whose current iteration is the sprint, less cancelled ones; done by as_of (sprint "
            "dates are not in the export, and carried-over items count in their last sprint only)")
    if not has_points:
        out.attrs["points_reason"] = _NO_POINTS
    return out

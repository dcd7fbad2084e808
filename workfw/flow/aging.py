"""Aging work in progress: the age of every task in progress against the cycle times of finished work.

Part of the flow metrics (see :mod:`workfw.flow`); :mod:`workfw.flow.metrics` keeps these names
importable too.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pandas as pd

from workfw.actors import actor_kind
from workfw.errors import OptionError
from workfw.schema import tasks_of
from workfw.statuses import known_categories
from workfw.flow.inputs import _uses_stages
from workfw.flow.stage_rules import _COMMITTED, _committed_start, _describe, _stage_table, _task_stages
from workfw.flow.times import (PERCENTILE_LEVELS, _basis_of, _check_levels, _cycles_or, _days, _intervals,
                               _level_name, _lookup, _marks, _resolve_as_of, _status_events, cycle_times, percentiles)

__all__ = ["band_labels", "aging_wip", "CONTAINER_TYPES"]


def band_labels(levels: Iterable[float] = PERCENTILE_LEVELS) -> list[str]:
    """Names of the percentile bands, e.g. ``["< p50", "p50-p70", ..., "> p95"]``."""
    wanted = [_level_name(x) for x in _check_levels(levels)]
    return [f"< p{wanted[0]}"] + [f"p{a}-p{b}" for a, b in zip(wanted, wanted[1:])] + [f"> p{wanted[-1]}"]


# Task columns aging_wip reads (the rest of a wide table is never copied).
_AGING_READS = ("task_id", "title", "team", "assignee", "assignees", "status", "status_category", "created",
                "updated", "started", "started_basis")

#: Task types that hold other work (parents and goals), not work items themselves.
CONTAINER_TYPES: tuple[str, ...] = ("Epic", "Initiative", "Milestone", "Goal", "Project", "Objective", "Theme")


def aging_wip(data: Any, *, as_of: Any = None, levels: Iterable[float] = PERCENTILE_LEVELS,
              start: str = "started", working_days: bool = False, bots: Iterable[str] = (),
              exclude_types: Iterable[str] = CONTAINER_TYPES, cycles: pd.DataFrame | None = None,
              stages: Any = None, commitment: str | None = None) -> pd.DataFrame:
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
        Where the clock starts without a stage definition (see :func:`cycle_times`).
    working_days : bool
        Count ages and staleness in Monday-Friday days.
    bots : iterable of str
        Extra names to treat as agents.
    exclude_types : iterable of str
        ``task_type`` values left out (case-insensitive): epics, initiatives
        and goals stay "in progress" for months while their children move,
        so their age says nothing about the flow of work items.  Pass ``()``
        to keep every task.
    cycles : pandas.DataFrame, optional
        ``cycle_times(data, start=start, working_days=working_days)`` (with the
        same ``stages``) when the caller already has it, so it is not rebuilt
        (only its ``cycle_time_days`` is read, for the percentiles).
    stages : mapping or pandas.DataFrame, optional
        A stage definition (see :func:`workfw.flow.stage_map`).  Given this or
        ``commitment``, work in progress is every task whose current status is
        committed (active or waiting) in that definition, aged from its first
        move into a committed status; the bands come from
        ``cycle_times(data, stages=...)``.  ``start`` must stay ``"started"``.
    commitment : str, optional
        The commitment status of that definition.

    Returns
    -------
    pandas.DataFrame
        ``task_id, title, team, assignee, kind, status, started, age_days,
        percentile_band, stale_days, basis``, oldest first.  A task whose
        age equals a percentile falls in the band above it (age ``p50``
        exactly is ``"p50-p70"``).  ``started`` falls back to ``created``
        (``basis == "approximate"``) when unknown.  ``attrs`` holds
        ``as_of`` and ``percentiles`` (level -> days), and ``reason`` when
        nothing is finished yet (bands are then NA); with a stage definition
        also ``stages``, ``commitment`` and ``stage_definition``.

    Notes
    -----
    With a stage definition:

    * *moved backwards past the commitment point*: a task now in a status
      before commitment is not in progress; one that came back to a committed
      status keeps the age of its first commitment;
    * *skipped stages*: a task ages from the first committed status it
      entered, whichever that was (it need not be the commitment status);
    * *reopened after done*: it is in progress again and ages from its first
      commitment, before it was first done;
    * *no history*: the commitment point cannot be seen, so it ages from the
      tracker's ``started``, else from ``created`` (``basis ==
      "approximate"``); a task in a to-do status moved after the commitment
      point usually has no ``started`` and so ages from ``created``.
    """
    staged = _uses_stages(start, stages, commitment)
    tasks = tasks_of(data)
    events = _status_events(data, tasks)
    stamp = _resolve_as_of(as_of, data, tasks)
    bands = band_labels(levels)
    smap = _stage_table(data, stages, commitment) if staged else None
    cycle = _cycles_or(cycles, lambda: cycle_times(data, start=start, working_days=working_days, bots=bots,
                                                   stages=smap), where="aging_wip")
    pct = percentiles(cycle, levels=levels)
    containers = {str(t).strip().casefold() for t in exclude_types}
    if smap is None:
        doing = (tasks["status_category"] == "in_progress").fillna(False).to_numpy(dtype=bool)
    else:
        doing = _task_stages(tasks, smap).isin(_COMMITTED).to_numpy(dtype=bool)
    # Casefold the task types of the tasks in progress only, each distinct type once.
    types = tasks["task_type"][doing].astype("string")
    codes, names = pd.factorize(types)
    folded = pd.Series(names, dtype="string").str.strip().str.casefold().isin(containers).to_numpy(dtype=bool)
    open_mask = doing.copy()
    open_mask[doing] = ~np.append(folded, False)[codes]
    # Only the columns read here are taken: copying every text column of a wide export costs seconds.
    active = tasks[[c for c in _AGING_READS if c in tasks.columns]][open_mask].reset_index(drop=True)
    kind = actor_kind(tasks, extra=bots)[open_mask].reset_index(drop=True)  # see cycle_times: a task's own row
    spans = _intervals(active, events, known_categories(tasks, events), history_only=True)
    hist_start = _marks(spans, start if start != "created" else "started")[0] if smap is None \
        else _committed_start(spans, smap)
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
        "assignee": active["assignee"], "kind": kind,
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
    if smap is not None:
        _describe(smap, out)
    return out

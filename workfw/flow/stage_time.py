"""Time in stage: the days each work item spent before commitment, active and waiting (see :mod:`workfw.flow.stages`)."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pandas as pd

from workfw.errors import OptionError
from workfw.flow.inputs import _check_levels
from workfw.flow.metrics import CONTAINER_TYPES
from workfw.flow.stage_rules import _UNPLACED, _describe, _stage_table
from workfw.flow.stage_spans import _left_out, _marks, _no_history, _staged_spans, _why_empty
from workfw.flow.times import PERCENTILE_LEVELS, _days

__all__ = ["time_in_stage", "time_in_stage_percentiles"]


def time_in_stage(data: Any, *, stages: Any = None, commitment: str | None = None, as_of: Any = None,
                  working_days: bool = False, exclude_types: Iterable[str] = CONTAINER_TYPES) -> pd.DataFrame:
    """Days each task spent in each stage before the flow ended (from status history).

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export, with status history.
    stages : mapping or pandas.DataFrame, optional
        Your stages for some statuses (see :func:`stage_map`), or a :func:`stage_map` table.
    commitment : str, optional
        The commitment status (see :func:`stage_map`).
    as_of : date-like, optional
        Time stops here (open spans run to it); defaults to the data's reference time.
    working_days : bool
        Count Monday-Friday only (UTC calendar).
    exclude_types : iterable of str
        Task types left out (epics and other containers by default).

    Returns
    -------
    pandas.DataFrame
        ``task_id, title, team, outcome, reopened, stage, days``: one row per task with history and
        per stage among ``before commitment``, ``active`` and ``waiting`` (0 when the task never was
        there).  ``outcome`` is ``done``, ``cancelled`` or ``open`` at ``as_of``; ``reopened`` counts
        moves out of done or cancelled.  Time in done or cancelled (even before a reopen) and in
        unplaced statuses is in no row; ``attrs["unplaced_days"]`` totals the latter.
        ``attrs["left_out"]`` counts tasks without history; with no history at all the frame is
        empty and ``attrs["reason"]`` says why.  The stage definition is in ``attrs`` too.
    """
    smap = _stage_table(data, stages, commitment)
    columns = ["task_id", "title", "team", "outcome", "reopened", "stage", "days"]
    items, spans, stamp = _staged_spans(data, smap, as_of=as_of, history_only=True, exclude_types=exclude_types)
    if spans.empty:
        return _no_history(columns, _why_empty(data, stamp), smap)
    marks = _marks(spans)
    spans["days"] = _days(spans["start"], spans["stop"], working_days=working_days).clip(lower=0).to_numpy()
    counted = ("before commitment", "active", "waiting")
    totals = spans[spans["stage"].isin(counted)].groupby(["task_id", "stage"])["days"].sum()
    grid = pd.MultiIndex.from_product([marks.index, list(counted)], names=["task_id", "stage"])
    out = totals.reindex(grid, fill_value=0.0).rename("days").reset_index()
    info = items.set_index("task_id")
    out.insert(1, "title", out["task_id"].map(info["title"]).astype("string"))
    out.insert(2, "team", out["task_id"].map(info["team"]).astype("string"))
    out.insert(3, "outcome", out["task_id"].map(marks["outcome"]).astype("string"))
    out.insert(4, "reopened", out["task_id"].map(marks["reopened"]).astype("int64"))
    out["stage"] = out["stage"].astype("string")
    out = out[columns]
    _describe(smap, out)
    out.attrs["as_of"] = stamp
    out.attrs["unplaced_days"] = float(spans.loc[spans["stage"] == _UNPLACED, "days"].sum())
    out.attrs["left_out"] = _left_out(items, spans)
    return out


def time_in_stage_percentiles(data: Any, *, levels: Iterable[float] = PERCENTILE_LEVELS, outcome: str = "done",
                              stages: Any = None, commitment: str | None = None, as_of: Any = None,
                              working_days: bool = False) -> pd.DataFrame:
    """Percentiles of the days tasks spent in each stage.

    Parameters
    ----------
    data : pandas.DataFrame or TaskExport
        A :func:`time_in_stage` table, or an export (measured first with the other options).
    levels : iterable of float
        Percent levels, each strictly between 0 and 100.
    outcome : str
        Which tasks: ``"done"`` (finished work, the default: open work has not spent all its time
        yet), ``"open"``, ``"cancelled"`` or ``"all"``.
    stages, commitment, as_of, working_days
        As in :func:`time_in_stage`, when ``data`` is an export.

    Returns
    -------
    pandas.DataFrame
        ``stage, level, days, n`` (linear interpolation between ranks, as
        :func:`workfw.flow.percentiles`); ``days`` is NaN where ``n`` is 0.  Tasks that never
        visited a stage count with 0 days there.
    """
    wanted = _check_levels(levels)
    if outcome not in ("done", "open", "cancelled", "all"):
        raise OptionError(f"outcome={outcome!r}; expected 'done', 'open', 'cancelled' or 'all'. "
                          "Next step: pass outcome='done'.")
    frame = data if isinstance(data, pd.DataFrame) and {"stage", "days", "outcome"} <= set(data.columns) \
        else time_in_stage(data, stages=stages, commitment=commitment, as_of=as_of, working_days=working_days)
    chosen = frame if outcome == "all" else frame[frame["outcome"] == outcome]
    rows = []
    for stage in ("before commitment", "active", "waiting"):
        values = chosen.loc[chosen["stage"] == stage, "days"].dropna().to_numpy(dtype="float64")
        days = np.percentile(values, wanted) if len(values) else np.full(len(wanted), np.nan)
        rows += [{"stage": stage, "level": lv, "days": float(d), "n": len(values)} for lv, d in zip(wanted, days)]
    out = pd.DataFrame(rows, columns=["stage", "level", "days", "n"])
    out.attrs.update({k: v for k, v in frame.attrs.items()})
    out.attrs["outcome"] = outcome
    return out

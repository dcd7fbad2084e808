"""Staged timelines: each work item's status spans with their stage, and when it arrived and finished.

Private helpers of the stage-based metrics (:mod:`workfw.flow.stage_time`,
:mod:`workfw.flow.efficiency`, :mod:`workfw.flow.trends`, :mod:`workfw.flow.sprints`).
"""
from __future__ import annotations

from typing import Any, Iterable

import pandas as pd

from workfw.schema import tasks_of
from workfw.statuses import known_categories
from workfw.flow.inputs import _resolve_as_of, _status_events
from workfw.flow.stage_rules import _COMMITTED, _ENDED, _describe, _span_stages
from workfw.flow.times import _intervals

__all__: list[str] = []


def _items(tasks: pd.DataFrame, exclude_types: Iterable[str]) -> pd.DataFrame:
    """Tasks that are work items: container types (epics, initiatives...) left out, case-blind."""
    containers = {str(t).strip().casefold() for t in exclude_types}
    if not containers:
        return tasks
    kind = tasks["task_type"].astype("string").str.strip().str.casefold()
    return tasks[~kind.isin(containers).fillna(False).to_numpy(dtype=bool)]


def _staged_spans(data: Any, smap: pd.DataFrame, *, as_of: Any, history_only: bool,
                  exclude_types: Iterable[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp]:
    """Work items, their timelines up to ``as_of`` with a ``stage`` column, and ``as_of``.

    Spans that start after ``as_of`` are dropped; ``end`` is NaT while a span is still running at
    ``as_of`` and ``stop`` is ``min(end, as_of)``.
    """
    tasks = tasks_of(data)
    events = _status_events(data, tasks)
    stamp = _resolve_as_of(as_of, data, tasks)
    items = _items(tasks, exclude_types)
    spans = _intervals(items, events, known_categories(tasks, events), history_only=history_only)
    spans = spans[(spans["start"] <= stamp).to_numpy(dtype=bool)].copy()
    running = spans["end"].isna() | (spans["end"] > stamp)
    spans["end"] = spans["end"].mask(running)
    spans["stop"] = spans["end"].fillna(stamp)
    spans["stage"] = _span_stages(spans, smap).to_numpy()
    return items, spans.reset_index(drop=True), stamp


def _marks(spans: pd.DataFrame) -> pd.DataFrame:
    """Per task (index ``task_id``): ``arrived``, ``finished``, ``outcome``, ``status`` and ``reopened``.

    ``arrived`` is the first entry into a committed stage, or the finish of a task finished as done
    without one; ``finished`` starts the final run of done/cancelled spans; ``outcome`` is the stage
    at ``as_of`` read as done, cancelled or open; ``reopened`` counts moves out of an ended stage.
    """
    if spans.empty:
        return pd.DataFrame({"arrived": pd.Series(dtype="datetime64[ns, UTC]"),
                             "finished": pd.Series(dtype="datetime64[ns, UTC]"),
                             "outcome": pd.Series(dtype="string"), "status": pd.Series(dtype="string"),
                             "reopened": pd.Series(dtype="int64")}, index=pd.Index([], name="task_id"))
    ids = spans["task_id"]
    ended = spans["stage"].isin(_ENDED).to_numpy()
    # Spans that are not ended, counted from each row to the task's last span: zero on the final ended run.
    left = pd.Series((~ended).astype(int)[::-1]).groupby(ids.to_numpy()[::-1], sort=False).cumsum().to_numpy()[::-1]
    final = ended & (left == 0)
    finished = spans["start"][final].groupby(ids[final]).min()
    last = spans.groupby("task_id", sort=False).tail(1).set_index("task_id")
    outcome = last["stage"].where(last["stage"].isin(_ENDED), "open").astype("string")
    committed = spans["stage"].isin(_COMMITTED).to_numpy()
    arrived = spans["start"][committed].groupby(ids[committed]).min()
    out = pd.DataFrame({"outcome": outcome, "status": last["status"].astype("string")})
    out["finished"] = finished.reindex(out.index)
    out["arrived"] = arrived.reindex(out.index)
    # Delivered without entering a committed stage (To Do -> Done): it arrives as it finishes.
    skipped = out["arrived"].isna() & (out["outcome"] == "done")
    out["arrived"] = out["arrived"].where(~skipped, out["finished"])
    previous = pd.Series(ended).groupby(ids.to_numpy(), sort=False).shift(1, fill_value=False).to_numpy(dtype=bool)
    reopen = previous & ~ended
    out["reopened"] = pd.Series(reopen.astype(int)).groupby(ids.to_numpy()).sum().reindex(out.index).fillna(0)
    out["reopened"] = out["reopened"].astype("int64")
    out.index.name = "task_id"
    return out[["arrived", "finished", "outcome", "status", "reopened"]]


def _left_out(items: pd.DataFrame, spans: pd.DataFrame) -> dict[str, int]:
    missing = int((~items["task_id"].isin(set(spans["task_id"]))).sum())
    return {"no status history": missing} if missing else {}


def _no_history(columns: list[str], reason: str, smap: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({c: [] for c in columns})
    out.attrs["reason"] = reason
    _describe(smap, out)
    return out


_NO_HISTORY = ("the export has no status history, so time cannot be split into stages (start and finish alone "
               "do not say when work waited); read an export with history, such as Jira's JSON or Trello's")


def _why_empty(data: Any, stamp: pd.Timestamp) -> str:
    """Why a history-only measure found no timeline: no history at all, or none before ``as_of``."""
    if _status_events(data, tasks_of(data)).empty:
        return _NO_HISTORY
    return f"no work item has a status history that starts on or before as_of ({stamp:%Y-%m-%d})"

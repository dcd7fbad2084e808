"""Workflow stages: where each status sits in the flow, time spent in each stage, and flow efficiency.

**The stage map** (:func:`stage_map`) gives every status name the export uses (on a task or in a
recorded move) one stage:

* ``"before commitment"``: the work is not promised yet (status category *todo*);
* ``"active"``: someone is working on it (category *in progress*);
* ``"waiting"``: it is committed but sits in a queue (an in-progress status whose name says it waits:
  *Ready for QA*, *Waiting for review*, *Awaiting deploy*, *Blocked*, *On hold*, *Paused*, *Parked*,
  *Pending*, *Queued*, *Dev Done*, *Deployed to staging*, and the same words in the languages of the
  status rules);
* ``"done"`` (category *done*) and ``"cancelled"`` (category *cancelled*): the flow has ended.
  Cancelled work is kept apart from done work so that velocity, efficiency and burn-up never count
  it as delivered;
* ``"unplaced"``: a status no rule places (see :mod:`workfw.statuses`); time in it counts in no
  stage, until you give it one with ``stages=``.

*In Review*, *Code Review*, *Testing* and *QA* are **active** by default: the name says someone is
reviewing or testing.  Only a queue word makes a status waiting (*Ready for review*, *Awaiting
QA*).  Teams whose review column is really a queue say so with ``stages={"Code Review": "waiting"}``.

**The commitment point** is the first committed (active or waiting) status in workflow order.
Workflow order is category order (to do, in progress, done, cancelled), then, within a category,
the average position at which tasks first enter the status in their history.  Passing
``commitment="Selected for Development"`` moves the point: that status becomes committed
(*waiting* when it was before commitment), the learnt committed statuses ordered before it become
*before commitment*, and learnt *before commitment* statuses after it become *waiting*.  Stages
you pass in ``stages=`` are never changed by the commitment point.

Every metric built on the map states it in ``DataFrame.attrs``: ``"stages"`` (status -> stage),
``"commitment"`` and ``"stage_definition"`` (one line, for chart subtitles).

**Awkward histories** (time in stage and flow efficiency need status history; tasks without it are
left out and counted in ``attrs["left_out"]``, because start and finish alone cannot be split into
active and waiting time):

* *moving backwards* (In Review -> In Progress, or back to To Do): time is counted in the stage the
  task was in, every time it was there;
* *skipping stages* (To Do -> Done): the skipped stages get 0 days; a task that never entered a
  committed stage has no committed time, so its flow efficiency is NA;
* *reopening* (Done -> In Progress -> Done): the task finishes at its *last* move into done (as
  :func:`workfw.flow.cycle_times` has it); time spent in done before the reopen is not time in any
  stage in :func:`time_in_stage`, and counts as *waiting* in :func:`flow_efficiency`;
* *no history*: see above.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from workfw.errors import OptionError
from workfw.schema import tasks_of
from workfw.statuses import STATUS_CATEGORIES, status_categories, status_key, table_categories
from workfw.flow.metrics import CONTAINER_TYPES
from workfw.flow.times import (PERCENTILE_LEVELS, _check_levels, _days, _intervals, _naive, _periods, _resolve_as_of,
                               _status_events)

__all__ = ["STAGES", "stage_map", "time_in_stage", "time_in_stage_percentiles", "flow_efficiency"]

#: The stages a status can be given, in workflow order.
STAGES: tuple[str, ...] = ("before commitment", "active", "waiting", "done", "cancelled")
_COMMITTED = ("active", "waiting")
_ENDED = ("done", "cancelled")
_UNPLACED = "unplaced"
_CATEGORY_STAGE = {"todo": "before commitment", "in_progress": "active", "done": "done", "cancelled": "cancelled"}
# Queue words: an in-progress status named with one of them is committed work nobody is doing yet.  "Review",
# "test" and "QA" alone are not here: the name says someone is reviewing or testing.  "Done"/"complete" inside
# an in-progress status ("Dev Done") is a hand-off queue.
_WAITING = re.compile(
    r"\bready\b|\bwait|\bawait|\bqueue|\bblock|\bon.?hold\b|\bhold\b|\bpaus|\bpark|\bpending\b|\bimped|\bflag"
    r"|\bdone\b|\bcomplete|\bdeployed (?:to|on|in)\b"
    r"|espera|aguard|attente|attesa|warte|wacht|oczek|ожида|очеред|блок|bloque|bloqu|blockiert|geblokkeerd"
    r"|zablokowan|blokován|待",
    re.IGNORECASE)


# --------------------------------------------------------------------------- the stage map

def _keys(names: pd.Series) -> pd.Series:
    """:func:`workfw.statuses.status_key` of each name, worked out once per distinct name."""
    codes, uniques = pd.factorize(names.astype("string"))
    keys = np.array([status_key(n) for n in uniques] + [None], dtype=object)[codes]
    return pd.Series(keys, index=names.index, dtype=object)


def _seen_statuses(tasks: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """One row per status key seen: display name, tasks now in it, moves into it, mean first-visit position."""
    named = [tasks["status"].astype("string")]
    if len(events):
        named += [events["old"].astype("string"), events["new"].astype("string")]
    names = pd.concat(named, ignore_index=True).dropna().str.strip()
    names = names[names != ""]
    if names.empty:
        return pd.DataFrame({"key": [], "status": [], "tasks": [], "entries": [], "position": []})
    counts = names.value_counts(sort=True)  # most common spelling first: it becomes the display name
    keys = pd.Series([status_key(n) for n in counts.index], index=counts.index)
    display = pd.Series(counts.index, index=keys.to_numpy()).groupby(level=0).first()
    now = _keys(tasks["status"]).value_counts()
    entries = _keys(events["new"]).value_counts() if len(events) else pd.Series(dtype="int64")
    position = pd.Series(dtype="float64")
    if len(events):
        # Each task's statuses in the order it first entered them: the first move's "old", then every "new".
        first = events.groupby("task_id", sort=False).head(1)
        seq = pd.concat([pd.DataFrame({"task_id": first["task_id"], "name": first["old"], "step": -1}),
                         pd.DataFrame({"task_id": events["task_id"], "name": events["new"],
                                       "step": np.arange(len(events))})], ignore_index=True)
        seq["key"] = _keys(seq["name"]).to_numpy()
        seq = seq.dropna(subset=["key"]).sort_values(["task_id", "step"], kind="stable")
        seq = seq.drop_duplicates(["task_id", "key"])
        seq["position"] = seq.groupby("task_id").cumcount()
        position = seq.groupby("key")["position"].mean()
    out = pd.DataFrame({"key": display.index, "status": display.to_numpy()})
    out["tasks"] = out["key"].map(now).fillna(0).astype("int64")
    out["entries"] = out["key"].map(entries).fillna(0).astype("int64")
    out["position"] = out["key"].map(position).astype("float64")
    return out


def _stage_word(value: Any, *, status: str) -> str:
    word = str(value).strip().casefold().replace("_", " ").replace("-", " ") if isinstance(value, str) else None
    if word not in STAGES:
        raise OptionError(f"stages: status {status!r} was given the stage {value!r}; expected one of "
                          f"{list(STAGES)}. Next step: pass e.g. stages={{{status!r}: 'waiting'}}.")
    return word


def _default_stage(name: str, category: Any) -> str:
    if category is pd.NA or category is None or category not in _CATEGORY_STAGE:
        return _UNPLACED
    if category == "in_progress" and _WAITING.search(name):
        return "waiting"
    return _CATEGORY_STAGE[category]


def _valid_names(seen: pd.DataFrame) -> str:
    names = seen["status"].tolist()
    shown = ", ".join(repr(n) for n in names[:30])
    return shown + (f" and {len(names) - 30} more" if len(names) > 30 else "")


def stage_map(data: Any, *, stages: Mapping[str, str] | None = None, commitment: str | None = None) -> pd.DataFrame:
    """The workflow stage of every status name the export uses, and the commitment point.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export (its history names statuses too) or its task table.
    stages : mapping of str to str, optional
        Your stage for some statuses, e.g. ``{"Code Review": "waiting"}``; values are among
        :data:`STAGES`.  Names are compared stripped and case-blind.  The other statuses keep their
        learnt stage (see the module notes).
    commitment : str, optional
        The status where work is committed; by default the first active or waiting status in
        workflow order.

    Returns
    -------
    pandas.DataFrame
        ``status, category, stage, order, commitment, source, tasks, entries``, one row per status
        in workflow order.  ``category`` is the status categoriser's (NA when unplaced),
        ``commitment`` is True on the commitment status, ``source`` says where the stage came from
        (``"learnt"``, ``"yours"`` or ``"commitment point"``), ``tasks`` counts tasks in the status
        now and ``entries`` recorded moves into it.  ``attrs`` holds ``stages`` (status -> stage),
        ``commitment`` (a status name or None) and ``stage_definition`` (one line).

    Raises
    ------
    OptionError
        ``stages`` or ``commitment`` names a status the export never uses (the message lists the
        valid names), a stage outside :data:`STAGES`, or a commitment status that is done,
        cancelled, unplaced or that you staged before commitment.
    """
    tasks = tasks_of(data)
    events = _status_events(data, tasks)
    seen = _seen_statuses(tasks, events)
    category = status_categories(seen["status"].astype("string"), table_categories(tasks))
    seen["category"] = category.to_numpy()
    seen["stage"] = [_default_stage(n, c) for n, c in zip(seen["status"], category.astype(object))]
    seen["source"] = "learnt"
    rank = {c: i for i, c in enumerate(STATUS_CATEGORIES)}
    seen["_rank"] = seen["category"].map(rank).fillna(len(rank))
    seen["_name"] = seen["key"]
    seen = seen.sort_values(["_rank", "position", "_name"], na_position="last", kind="stable").reset_index(drop=True)
    seen["order"] = np.arange(len(seen), dtype="int64")
    if stages is not None:
        if not isinstance(stages, Mapping):
            raise OptionError(f"stages: found a {type(stages).__name__}; expected a mapping of status name to stage, "
                              "such as {'Code Review': 'waiting'}. Next step: pass a dict.")
        where = {k: i for i, k in enumerate(seen["key"])}
        unknown = [s for s in stages if status_key(s) not in where]
        if unknown:
            raise OptionError(f"stages: found status names {unknown} that the export never uses; expected names "
                              f"among {_valid_names(seen)}. Next step: correct the spelling or leave them out.")
        for name, value in stages.items():
            pos = where[status_key(name)]
            seen.loc[pos, "stage"] = _stage_word(value, status=str(name))
            seen.loc[pos, "source"] = "yours"
    seen["commitment"] = False
    if commitment is not None:
        _move_commitment(seen, commitment)
    else:
        committed = np.flatnonzero(seen["stage"].isin(_COMMITTED).to_numpy())
        if len(committed):
            seen.loc[committed[0], "commitment"] = True
    out = seen[["status", "category", "stage", "order", "commitment", "source", "tasks", "entries"]].copy()
    out["status"] = out["status"].astype("string")
    out["category"] = out["category"].astype("string")
    out["stage"] = out["stage"].astype("string")
    out["source"] = out["source"].astype("string")
    _describe(out, out)
    return out


def _move_commitment(seen: pd.DataFrame, commitment: Any) -> None:
    """Put the commitment point on ``commitment`` and re-stage the learnt statuses around it (in place)."""
    where = {k: i for i, k in enumerate(seen["key"])}
    key = status_key(commitment) if isinstance(commitment, str) else None
    if key not in where:
        raise OptionError(f"commitment={commitment!r}: the export never uses that status; expected one of "
                          f"{_valid_names(seen)}. Next step: pass the status where work is promised, such as "
                          "'In Progress'.")
    pos = where[key]
    stage = seen.loc[pos, "stage"]
    if stage in (*_ENDED, _UNPLACED) or (stage == "before commitment" and seen.loc[pos, "source"] == "yours"):
        raise OptionError(f"commitment={commitment!r}: that status is {stage!r}; expected a status where work is "
                          "committed (active or waiting, or a to-do status to be moved after the commitment point). "
                          "Next step: pick another status or change its stage in stages=.")
    learnt = (seen["source"] == "learnt").to_numpy()
    order = seen["order"].to_numpy()
    before = learnt & (order < seen.loc[pos, "order"]) & seen["stage"].isin(_COMMITTED).to_numpy()
    after = learnt & (order > seen.loc[pos, "order"]) & (seen["stage"] == "before commitment").to_numpy()
    seen.loc[before, "stage"] = "before commitment"
    seen.loc[after, "stage"] = "waiting"
    seen.loc[before | after, "source"] = "commitment point"
    if stage == "before commitment":
        seen.loc[pos, ["stage", "source"]] = ["waiting", "commitment point"]
    seen.loc[pos, "commitment"] = True


def _describe(smap: pd.DataFrame, target: pd.DataFrame) -> None:
    """Write the stage definition of ``smap`` into ``target.attrs``."""
    stages = dict(zip(smap["status"].astype(str), smap["stage"].astype(str)))
    point = smap.loc[smap["commitment"].astype(bool), "status"]
    commitment = str(point.iloc[0]) if len(point) else None
    parts = []
    for stage in ("active", "waiting", "done"):
        names = [s for s, st in stages.items() if st == stage]
        shown = ", ".join(names[:4]) + (f" +{len(names) - 4} more" if len(names) > 4 else "")
        parts.append(f"{stage}: {shown or '(none)'}")
    text = "Stages · " + " · ".join(parts) + f" · commitment at {commitment or '(none)'}"
    target.attrs.update(stages=stages, commitment=commitment, stage_definition=text)


def _stage_table(data: Any, stages: Any, commitment: Any) -> pd.DataFrame:
    """``stages`` itself when it is a :func:`stage_map` table, else ``stage_map(data, ...)``."""
    if isinstance(stages, pd.DataFrame):
        if not {"status", "stage", "commitment"} <= set(stages.columns):
            raise OptionError(f"stages: found a table with columns {list(stages.columns)}; expected the table of "
                              "wf.flow.stage_map or a mapping of status to stage. Next step: pass "
                              "stages=wf.flow.stage_map(data) or a dict.")
        if commitment is not None:
            raise OptionError("commitment: given together with a stage_map table, which has its own commitment "
                              "point; expected one of them. Next step: pass commitment= to wf.flow.stage_map.")
        return stages
    return stage_map(data, stages=stages, commitment=commitment)


def _span_stages(spans: pd.DataFrame, smap: pd.DataFrame) -> pd.Series:
    """The stage of each timeline span: its status's stage, else its category's default, else unplaced."""
    lookup = dict(zip(smap["status"].map(status_key), smap["stage"].astype(str)))
    codes, names = pd.factorize(spans["status"].astype("string"))
    placed = np.array([lookup.get(status_key(n)) for n in names] + [None], dtype=object)[codes]
    stage = pd.Series(placed, index=spans.index, dtype="string")
    fallback = spans["category"].astype("string").map(_CATEGORY_STAGE).astype("string")
    return stage.fillna(fallback).fillna(_UNPLACED)


# --------------------------------------------------------------------------- staged timelines

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
    spans = _intervals(items, events, table_categories(tasks), history_only=history_only)
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


# --------------------------------------------------------------------------- time in stage

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


# --------------------------------------------------------------------------- flow efficiency

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
    lo = window["task_id"].map(done["arrived"])
    hi = window["task_id"].map(done["finished"])
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

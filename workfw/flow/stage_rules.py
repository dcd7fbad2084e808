"""The stage definition: the workflow stage of every status and the commitment point.

The rules (which stage a status learns, how the commitment point moves the stages around it)
are described in :mod:`workfw.flow.stages`; every stage-based metric and, when given a stage
definition, :func:`workfw.flow.cycle_times` and :func:`workfw.flow.aging_wip` read it from here.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

import numpy as np
import pandas as pd

from workfw.errors import OptionError
from workfw.schema import tasks_of
from workfw.statuses import STATUS_CATEGORIES, known_categories, status_categories, status_key
from workfw.flow.inputs import _status_events

__all__ = ["STAGES", "stage_map"]

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
    category = status_categories(seen["status"].astype("string"), known_categories(tasks, events))
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




def _committed_start(spans: pd.DataFrame, smap: pd.DataFrame) -> pd.Series:
    """Per task (index ``task_id``): the start of its first span in a committed stage of ``smap``.

    ``spans`` are timelines of :func:`workfw.flow.times._intervals`.  The *first* entry is kept even
    when the task later moved back before commitment or reopened after done, so one promise is one
    clock; a task with no committed span is absent.
    """
    if spans.empty:
        return pd.Series(dtype="datetime64[ns, UTC]", index=pd.Index([], name="task_id"), name="start")
    committed = _span_stages(spans, smap).isin(_COMMITTED).to_numpy(dtype=bool)
    return spans["start"][committed].groupby(spans["task_id"][committed]).min()


def _task_stages(tasks: pd.DataFrame, smap: pd.DataFrame) -> pd.Series:
    """The stage of each task's current status under ``smap`` (its category's default for a status not in it)."""
    now = pd.DataFrame({"status": tasks["status"], "category": tasks["status_category"]}, index=tasks.index)
    return _span_stages(now, smap)

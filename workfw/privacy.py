"""Pseudonymised names for screens shared in a workshop."""
from __future__ import annotations

import pandas as pd

from .actors import is_agent
from .export import TaskExport

__all__ = ["pseudonym_map", "pseudonymise"]

_NAME_COLUMNS = ("assignee", "reporter")


def _names(export: TaskExport) -> list[str]:
    tasks = export.tasks
    names: set[str] = set()
    for col in _NAME_COLUMNS:
        names.update(tasks[col].dropna().astype(str))
    for items in tasks["assignees"]:
        names.update(items)
    ev = export.events
    if len(ev):
        names.update(ev["author"].dropna().astype(str))
        people = ev[ev["field"] == "assignee"]
        names.update(people["old"].dropna().astype(str))
        names.update(people["new"].dropna().astype(str))
    return sorted(names)


def pseudonym_map(export: TaskExport) -> dict[str, str]:
    """Return a stable name -> pseudonym map (``Person 01``, ``Agent 01``) in alphabetical order of the real names.

    Agents keep an ``Agent`` pseudonym so people-versus-agent splits still read right.
    """
    out, people, agents = {}, 0, 0
    for name in _names(export):
        if is_agent(name):
            agents += 1
            out[name] = f"Agent {agents:02d}"
        else:
            people += 1
            out[name] = f"Person {people:02d}"
    return out


def pseudonymise(export: TaskExport) -> TaskExport:
    """Return a copy of ``export`` with every person's name replaced by a pseudonym.

    Names are replaced in the task table, the history and every raw cell that
    holds exactly a known name.  Titles and descriptions are left as they are:
    they may still mention people, which the notebooks say when showing them.
    """
    mapping = pseudonym_map(export)
    tasks = export.tasks.copy()
    for col in _NAME_COLUMNS:
        tasks[col] = tasks[col].map(lambda v: mapping.get(v, v), na_action="ignore").astype("string")
    tasks["assignees"] = tasks["assignees"].map(lambda items: [mapping.get(i, i) for i in items])
    events = export.events.copy()
    if len(events):
        events["author"] = events["author"].map(lambda v: mapping.get(v, v), na_action="ignore").astype("string")
        who = events["field"] == "assignee"
        for col in ("old", "new"):
            events.loc[who, col] = events.loc[who, col].map(lambda v: mapping.get(v, v), na_action="ignore")
    raw = export.raw.copy()
    text_cols = [c for c in raw.columns if raw[c].dtype == object or isinstance(raw[c].dtype, pd.StringDtype)]
    for col in text_cols:
        hit = raw[col].isin(list(mapping))
        if hit.any():
            raw[col] = raw[col].where(~hit, raw[col].map(mapping))
    return TaskExport(tasks=tasks, events=events, raw=raw, report=export.report)

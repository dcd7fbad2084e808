"""CSV exports of Asana (one per project), Linear (one per workspace) and Azure DevOps (one query).

What each tool cannot show is left out rather than invented: Asana has no
goals, no history and no start time; Linear has no goal rows (goals are its
*Initiatives*, epics its *Projects*); Azure DevOps has no comments' text.
"""
from __future__ import annotations

import html
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from workfw.samples._model import EXPORT_AT, PERIOD_START, SPRINT_DAYS, Item, Organisation, sprint_of
from workfw.samples._write_common import csv_bytes, day, items_for, stable_hex, team_file

__all__ = ["write_asana", "write_linear", "write_azure", "AZURE_TZ"]

#: The time zone of the Azure DevOps user who ran the query (dates are written in it, without an offset).
AZURE_TZ = "America/New_York"

_ASANA_SECTION = {"To Do": "To do", "In Progress": "In progress", "In Review": "In review", "Done": "Done",
                  "Won't Do": "Won't do"}
_ASANA_PRIORITY = {"Highest": "High", "High": "High", "Medium": "Medium", "Low": "Low", "Lowest": "Low"}


def _asana_id(item: Item) -> str:
    return str(1_207_311_000_000_000 + item.uid * 7919)


def write_asana(org: Organisation) -> dict[str, bytes]:
    """``asana_<team>.csv``: each team project exported from Asana (Export/Print -> CSV).

    Epics are parent tasks in the project; stories and tasks are their
    subtasks, also added to the project so they sit in a board column;
    sub-tasks live only under their story (no section, no project).  An
    unfinished task that was dropped stays open in the "Won't do" column.
    """
    people, by_uid = org.people, org.by_uid()
    header = ["Task ID", "Created At", "Completed At", "Last Modified", "Name", "Section/Column", "Assignee",
              "Assignee Email", "Start Date", "Due Date", "Tags", "Notes", "Projects", "Parent task",
              "Blocked By (Dependencies)", "Blocking (Dependencies)", "Priority", "Type", "Story Points"]
    blocking: dict[int, list[int]] = {}
    for item in org.items:
        for b in item.blocked_by:
            blocking.setdefault(b, []).append(item.uid)
    files = {}
    for team in org.teams:
        rows = []
        for item in items_for(org, team, ("epic", "task", "subtask")):
            assignee = people[item.assignee] if item.assignee else None
            parent = by_uid.get(item.parent) if item.parent else None
            in_project = item.level != "subtask"
            rows.append([
                _asana_id(item), day(item.created), day(item.resolved) if item.category == "done" else "",
                day(item.updated), item.title, _ASANA_SECTION[item.status] if in_project else "",
                assignee.name if assignee else "", assignee.email if assignee else "",
                day(item.started) if item.started and team == "Platform" else "", day(item.due),
                ",".join(item.labels), item.description, team if in_project else "",
                parent.title if parent and parent.level != "goal" else "",
                ",".join(by_uid[b].title for b in item.blocked_by),
                ",".join(by_uid[b].title for b in blocking.get(item.uid, [])),
                _ASANA_PRIORITY.get(item.priority or "", ""), item.kind,
                "" if item.estimate is None else f"{item.estimate:g}",
            ])
        files[team_file("asana", team, "csv")] = csv_bytes(header, rows)
    return files


def _js_date(moment: datetime | None) -> str:
    """JavaScript ``Date.toString()`` in UTC, as Linear's export writes it."""
    if moment is None:
        return ""
    return moment.strftime("%a %b %d %Y %H:%M:%S") + " GMT+0000 (GMT)"


_LINEAR_PRIORITY = {"Highest": "Urgent", "High": "High", "Medium": "Medium", "Low": "Low", "Lowest": "Low"}


def _linear_status(item: Item) -> str:
    if item.status == "To Do":
        return "Todo" if item.assignee else "Backlog"
    return {"Won't Do": "Canceled"}.get(item.status, item.status)


def write_linear(org: Organisation) -> dict[str, bytes]:
    """``linear.csv``: the workspace export (Settings -> Import/Export -> Export CSV), 30 columns.

    Epics are Linear projects, goals are initiatives; neither is a row.
    Bugs, chores and meetings are labels because Linear issues have no type.
    """
    people, by_uid = org.people, org.by_uid()
    header = ["ID", "Team", "Title", "Description", "Status", "Estimate", "Priority", "Project ID", "Project",
              "Creator", "Assignee", "Labels", "Cycle Number", "Cycle Name", "Cycle Start", "Cycle End", "Created",
              "Updated", "Started", "Triaged", "Completed", "Canceled", "Archived", "Due Date", "Parent issue",
              "Initiatives", "Project Milestone ID", "Project Milestone", "SLA Status", "Roadmaps"]
    keys: dict[int, str] = {}
    for team_name, team in org.teams.items():
        for n, item in enumerate(items_for(org, team_name, ("task", "subtask")), start=1):
            keys[item.uid] = f"{team.linear_key}-{n}"
    rows = []
    for item in items_for(org, None, ("task", "subtask")):
        epic = by_uid.get(item.parent) if item.parent else None
        if epic is not None and epic.level == "subtask":
            epic = None
        while epic is not None and epic.level not in ("epic",):
            epic = by_uid.get(epic.parent) if epic.parent else None
        goal = by_uid.get(epic.parent) if epic and epic.parent else None
        parent = by_uid.get(item.parent) if item.level == "subtask" and item.parent else None
        cycle = ["", "", "", ""]
        if org.teams[item.team].uses_sprints and item.started:
            number = sprint_of(item.resolved or EXPORT_AT)
            start = PERIOD_START + timedelta(days=SPRINT_DAYS * (number - 1))
            cycle = [str(number), "", _js_date(start), _js_date(start + timedelta(days=SPRINT_DAYS))]
        labels = list(item.labels) + ([item.kind] if item.kind in ("Bug", "Chore", "Meeting") else [])
        done, cancelled = item.category == "done", item.category == "cancelled"
        rows.append([
            keys[item.uid], item.team, item.title, item.description, _linear_status(item),
            "" if item.estimate is None else f"{item.estimate:g}",
            _LINEAR_PRIORITY.get(item.priority or "", "No priority"),
            stable_hex("project", epic.uid, length=32) if epic else "", epic.title if epic else "",
            people[item.reporter].name, people[item.assignee].name if item.assignee else "",
            ", ".join(labels), *cycle, _js_date(item.created), _js_date(item.updated), _js_date(item.started),
            _js_date(item.created + timedelta(minutes=7)) if item.team == "Support" else "",
            _js_date(item.resolved) if done else "", _js_date(item.resolved) if cancelled else "", "",
            day(item.due), keys.get(parent.uid, "") if parent else "", goal.title if goal else "", "", "", "", "",
        ])
    return {"linear.csv": csv_bytes(header, rows)}


_ADO_STATE = {"To Do": ("New", "New"), "In Progress": ("Active", "Implementation started"),
              "In Review": ("Resolved", "Code complete and unit tests pass"),
              "Done": ("Closed", "Acceptance tests pass"), "Won't Do": ("Removed", "Removed from the backlog")}
_ADO_TYPE = {"Initiative": "Epic", "Epic": "Feature", "Story": "User Story", "Bug": "Bug", "Task": "Task",
             "Chore": "Task", "Meeting": "Task", "Sub-task": "Task"}
_ADO_PRIORITY = {"Highest": "1", "High": "2", "Medium": "3", "Low": "4", "Lowest": "4"}


def _ado_date(moment: datetime | date | None) -> str:
    """``2/12/2026 11:04:23 AM`` in the exporting user's local time, no offset."""
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        return f"{moment.month}/{moment.day}/{moment.year} 12:00:00 AM"
    local = moment.astimezone(ZoneInfo(AZURE_TZ))
    return f"{local.month}/{local.day}/{local.year} {local.hour % 12 or 12}:{local:%M:%S %p}"


def _identity(org: Organisation, key: str | None) -> str:
    if key is None:
        return ""
    person = org.people[key]
    name = person.name if person.is_bot else f"{person.last}, {person.first}"
    return f"{name} <{person.email}>"


def write_azure(org: Organisation) -> dict[str, bytes]:
    """``azure_devops.csv``: a flat query over ``Kestrel\\*`` exported with Export to CSV.

    Agile process: goals are Epics, epics are Features, stories User Stories,
    everything else Tasks or Bugs.  ADO always has a priority (2 when nobody
    chose one) and keeps only the comment count.
    """
    header = ["ID", "Work Item Type", "Title", "Assigned To", "State", "Reason", "Area Path", "Iteration Path",
              "Tags", "Priority", "Story Points", "Created By", "Created Date", "Changed Date", "Activated Date",
              "Resolved Date", "Closed Date", "State Change Date", "Target Date", "Parent", "Comment Count",
              "Description"]
    rows = []
    for item in org.items:
        state, reason = _ADO_STATE[item.status]
        moves = item.status_events()
        resolved_at = next((e.at for e in moves if e.new in ("In Review", "Done")), None)
        iteration = "Kestrel"
        if org.teams[item.team].uses_sprints and item.started and item.level in ("task", "subtask"):
            iteration = f"Kestrel\\{item.team}\\Sprint {sprint_of(item.resolved or EXPORT_AT)}"
        tags = list(item.labels) + ([item.kind.lower()] if item.kind in ("Chore", "Meeting") else [])
        body = "".join(f"<div>{html.escape(line)}</div>" for line in item.description.split("\n")) \
            if item.description else ""
        rows.append([
            str(1000 + item.uid), _ADO_TYPE[item.kind], item.title, _identity(org, item.assignee), state, reason,
            f"Kestrel\\{item.team}", iteration, "; ".join(tags), _ADO_PRIORITY.get(item.priority or "", "2"),
            "" if item.estimate is None or item.kind not in ("Story",) else f"{item.estimate:g}",
            _identity(org, item.reporter), _ado_date(item.created), _ado_date(item.updated), _ado_date(item.started),
            _ado_date(resolved_at) if item.category in ("in_progress", "done") and resolved_at else "",
            _ado_date(item.resolved) if item.category == "done" else "",
            _ado_date(moves[-1].at if moves else item.created), _ado_date(item.due),
            str(1000 + item.parent) if item.parent else "", str(len(item.comments)), body,
        ])
    return {"azure_devops.csv": csv_bytes(header, rows, quote_all=True, quote_header=False, trailing_newline=False)}

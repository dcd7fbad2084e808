"""Jira Cloud: the CSV "all fields" export (one file per project) and the REST search JSON.

Goals are issues of type ``Initiative``, the level above Epic that Jira
Cloud Premium plans add; Epics have an Initiative as ``Parent``, stories and
tasks an Epic, sub-tasks their story.  Each team is one Jira project
(``PLAT``, ``GROW``, ``SUP``, ``DATA``); the CSV is one export per project
because Jira Cloud exports at most 1,000 issues per file.
"""
from __future__ import annotations

from datetime import date, datetime

from workfw.samples._model import EXPORT_AT, ORG_NAME, STATUS_CATEGORY, Item, Organisation, Person, sprint_of
from workfw.samples._write_common import csv_bytes, json_bytes, stable_hex, team_file

__all__ = ["write_jira_csv", "write_jira_api", "SITE", "jira_csv_widths", "jira_csv_header", "jira_csv_row"]

SITE = "https://kestrel.atlassian.net"
_STATUS_ID = {"To Do": "10000", "In Progress": "3", "In Review": "10001", "Done": "10002", "Won't Do": "10003"}
_CATEGORY = {"todo": (2, "new", "To Do"), "in_progress": (4, "indeterminate", "In Progress"),
             "done": (3, "done", "Done"), "cancelled": (3, "done", "Done")}
_RESOLUTION = {"done": ("10000", "Done"), "cancelled": ("10001", "Won't Do")}
_TYPE = {"Initiative": ("10100", 2), "Epic": ("10000", 1), "Story": ("10001", 0), "Task": ("10002", 0),
         "Bug": ("10003", 0), "Chore": ("10004", 0), "Meeting": ("10005", 0), "Sub-task": ("10006", -1)}
_PRIORITY_ID = {"Highest": "1", "High": "2", "Medium": "3", "Low": "4", "Lowest": "5"}
_MAX_SPRINTS = 6


def _key(org: Organisation, item: Item) -> str:
    return f"{org.teams[item.team].jira_key}-{item.number}"


def _issue_id(item: Item) -> str:
    return str(10000 + item.uid)


def _csv_date(moment: datetime | date | None) -> str:
    """``12/Mar/26 4:37 PM``: Jira Cloud's default ``dd/MMM/yy h:mm a`` (date-only fields at 12:00 AM)."""
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        return f"{moment:%d/%b/%y} 12:00 AM"
    hour = moment.hour % 12 or 12
    return f"{moment:%d/%b/%y} {hour}:{moment:%M %p}"


def _api_date(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _sprints(org: Organisation, item: Item) -> list[tuple[int, str]]:
    team = org.teams[item.team]
    if not team.uses_sprints or item.level in ("goal", "epic") or item.started is None:
        return []
    first, last = sprint_of(item.started), sprint_of(item.resolved or EXPORT_AT)
    numbers = list(range(first, last + 1))[-_MAX_SPRINTS:]
    return [(n, f"{team.jira_key} Sprint {n}") for n in numbers]


def _time_in_status(item: Item) -> str:
    """Jira's ``[CHART] Time in Status``: ``statusId_*:*_timesEntered_*:*_ms`` joined by ``_*|*_``."""
    moves = item.status_events()
    if not moves:
        return ""
    visits: dict[str, list[int]] = {"To Do": [1, 0]}
    entered, current = item.created, "To Do"
    for e in moves:
        visits[current][1] += int((e.at - entered).total_seconds() * 1000)
        visits.setdefault(e.new, [0, 0])[0] += 1
        entered, current = e.at, e.new
    return "_*|*_".join(f"{_STATUS_ID[s]}_*:*_{n}_*:*_{ms}" for s, (n, ms) in visits.items())


def _blocks(org: Organisation) -> dict[int, list[int]]:
    """uid -> uids this item blocks (the outward side of each link)."""
    out: dict[int, list[int]] = {}
    for item in org.items:
        for blocker in item.blocked_by:
            out.setdefault(blocker, []).append(item.uid)
    return out


def _padded(values: list[str], width: int) -> list[str]:
    return values + [""] * (width - len(values))


def jira_csv_widths(org: Organisation, items: list[Item], blocks: dict[int, list[int]]) -> dict[str, int]:
    """How many times each repeated header appears: the most values any of ``items`` has."""
    return {
        "Labels": max(1, *(len(i.labels) for i in items)),
        "Watchers": max(1, *(len(i.watchers) for i in items)),
        "Inward": max(1, *(len(i.blocked_by) for i in items)),
        "Outward": max(1, *(len(blocks.get(i.uid, [])) for i in items)),
        "Sprint": max(1, *(len(_sprints(org, i)) for i in items)),
        "Comment": max(1, *(len(i.comments) for i in items)),
    }


def jira_csv_header(widths: dict[str, int]) -> list[str]:
    """The "all fields" header row, with each repeated header ``widths[...]`` times."""
    return ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key", "Project name",
            "Project type", "Project lead", "Project lead id", "Project description", "Priority", "Resolution",
            "Assignee", "Assignee Id", "Reporter", "Reporter Id", "Creator", "Creator Id", "Created", "Updated",
            "Last Viewed", "Resolved", "Due date", "Votes", *["Labels"] * widths["Labels"], "Description",
            "Environment", *["Watchers"] * widths["Watchers"], *["Watchers Id"] * widths["Watchers"],
            "Original estimate", "Remaining Estimate", "Time Spent", "Work Ratio", "Σ Original Estimate",
            "Σ Remaining Estimate", "Σ Time Spent", "Security Level",
            *["Inward issue link (Blocks)"] * widths["Inward"],
            *["Outward issue link (Blocks)"] * widths["Outward"],
            "Custom field (Flagged)", "Custom field (Rank)", *["Sprint"] * widths["Sprint"],
            "Custom field (Start date)", "Custom field (Story Points)",
            "Custom field ([CHART] Date of First Response)", "Custom field ([CHART] Time in Status)",
            *["Comment"] * widths["Comment"], "Parent", "Parent key", "Parent summary", "Status Category",
            "Status Category Changed"]


def jira_csv_row(org: Organisation, item: Item, by_uid: dict[int, Item], blocks: dict[int, list[int]],
                 widths: dict[str, int]) -> list[str]:
    """One issue as a row under :func:`jira_csv_header`."""
    people, team_name = org.people, item.team
    team = org.teams[team_name]
    lead = people[team.lead]
    assignee = people[item.assignee] if item.assignee else None
    reporter = people[item.reporter]
    parent = by_uid[item.parent] if item.parent else None
    category = item.category
    blocked_open = [b for b in item.blocked_by if by_uid[b].category in ("todo", "in_progress")]
    first_reply = next((c.at for c in item.comments if c.author != item.reporter), None)
    return [
        item.title, _key(org, item), _issue_id(item), item.kind, item.status, team.jira_key,
        team_name, "software", lead.name, lead.account_id, f"{team_name} team at {ORG_NAME}",
        item.priority or "", _RESOLUTION[category][1] if category in _RESOLUTION else "",
        assignee.name if assignee else "", assignee.account_id if assignee else "",
        reporter.name, reporter.account_id, reporter.name, reporter.account_id,
        _csv_date(item.created), _csv_date(item.updated), "", _csv_date(item.resolved),
        _csv_date(item.due), "0", *_padded(item.labels, widths["Labels"]), item.description,
        "", *_padded([people[w].name for w in item.watchers], widths["Watchers"]),
        *_padded([people[w].account_id for w in item.watchers], widths["Watchers"]),
        "", "", "", "", "", "", "", "",
        *_padded([_key(org, by_uid[b]) for b in item.blocked_by], widths["Inward"]),
        *_padded([_key(org, by_uid[b]) for b in blocks.get(item.uid, [])], widths["Outward"]),
        "Impediment" if blocked_open and category == "in_progress" else "",
        f"0|i{item.uid:05x}:", *_padded([name for _, name in _sprints(org, item)], widths["Sprint"]),
        _csv_date(item.started.date()) if item.started and team_name == "Platform" else "",
        "" if item.estimate is None else f"{item.estimate:g}",
        _csv_date(first_reply), _time_in_status(item),
        *_padded([f"{_csv_date(c.at)};{people[c.author].account_id};{c.body}" for c in item.comments],
                 widths["Comment"]),
        _issue_id(parent) if parent else "", _key(org, parent) if parent else "",
        parent.title if parent else "", _CATEGORY[category][2], _csv_date(item.category_changed),
    ]


def write_jira_csv(org: Organisation) -> dict[str, bytes]:
    """One "Export Excel CSV (all fields)" file per project: ``jira_<team>.csv``."""
    by_uid, blocks = org.by_uid(), _blocks(org)
    files = {}
    for team_name in org.teams:
        items = org.of_team(team_name)
        widths = jira_csv_widths(org, items, blocks)
        rows = [jira_csv_row(org, item, by_uid, blocks, widths) for item in items]
        files[team_file("jira", team_name, "csv")] = csv_bytes(jira_csv_header(widths), rows)
    return files


def _user(person: Person | None) -> dict | None:
    if person is None:
        return None
    return {"accountId": person.account_id, "displayName": person.name}


def _status(name: str) -> dict:
    cid, key, label = _CATEGORY[STATUS_CATEGORY[name]]
    return {"id": _STATUS_ID[name], "name": name, "statusCategory": {"key": key, "name": label}}


def _sprint_objects(org: Organisation, item: Item) -> list[dict] | None:
    sprints = _sprints(org, item)
    if not sprints:
        return None
    current = sprint_of(EXPORT_AT)
    base = 100 * (list(org.teams).index(item.team) + 1)
    return [{"id": base + number, "name": name, "state": "active" if number == current else "closed"}
            for number, name in sprints]


def _changelog(org: Organisation, item: Item) -> dict:
    people = org.people
    histories = []
    for n, e in enumerate(item.events, start=1):
        if e.field == "status":
            items = [{"field": "status", "fieldtype": "jira", "from": _STATUS_ID[e.old], "fromString": e.old,
                      "to": _STATUS_ID[e.new], "toString": e.new}]
            cat = STATUS_CATEGORY[e.new]
            if cat in _RESOLUTION:
                rid, rname = _RESOLUTION[cat]
                items.append({"field": "resolution", "fieldtype": "jira", "from": None, "fromString": None,
                              "to": rid, "toString": rname})
        else:
            old = people[e.old] if e.old else None
            new = people[e.new] if e.new else None
            items = [{"field": "assignee", "fieldtype": "jira", "from": old.account_id if old else None,
                      "fromString": old.name if old else None, "to": new.account_id if new else None,
                      "toString": new.name if new else None}]
        histories.append({"id": f"{item.uid}{n:03d}", "author": _user(people[e.author]), "created": _api_date(e.at),
                          "items": items})
    for n, at in enumerate(item.touched, start=len(item.events) + 1):
        histories.append({"id": f"{item.uid}{n:03d}", "author": _user(people[item.reporter]),
                          "created": _api_date(at), "items": [{"field": "Rank", "fieldtype": "custom", "from": "",
                                                               "fromString": "", "to": "", "toString": "Ranked higher"}]})
    histories.sort(key=lambda h: h["created"])
    return {"startAt": 0, "maxResults": len(histories), "total": len(histories), "histories": histories}


def _issue(org: Organisation, item: Item, by_uid: dict[int, Item], blocks: dict[int, list[int]]) -> dict:
    people, team = org.people, org.teams[item.team]
    type_id, level = _TYPE[item.kind]
    category = item.category
    parent = by_uid[item.parent] if item.parent else None
    links = [{"id": f"{item.uid}{b}", "type": {"name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
              "inwardIssue": {"id": _issue_id(by_uid[b]), "key": _key(org, by_uid[b])}} for b in item.blocked_by]
    links += [{"id": f"{b}{item.uid}", "type": {"name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
               "outwardIssue": {"id": _issue_id(by_uid[b]), "key": _key(org, by_uid[b])}}
              for b in blocks.get(item.uid, [])]
    fields = {
        "summary": item.title,
        "issuetype": {"id": type_id, "name": item.kind, "subtask": item.kind == "Sub-task", "hierarchyLevel": level},
        "project": {"key": team.jira_key, "name": item.team},
        "status": _status(item.status),
        "priority": {"id": _PRIORITY_ID[item.priority], "name": item.priority} if item.priority else None,
        "resolution": ({"id": _RESOLUTION[category][0], "name": _RESOLUTION[category][1]}
                       if category in _RESOLUTION else None),
        "resolutiondate": _api_date(item.resolved),
        "assignee": _user(people[item.assignee]) if item.assignee else None,
        "reporter": _user(people[item.reporter]),
        "created": _api_date(item.created), "updated": _api_date(item.updated),
        "statuscategorychangedate": _api_date(item.category_changed),
        "duedate": item.due.isoformat() if item.due else None,
        "labels": list(item.labels), "description": item.description or None,
        "issuelinks": links,
        "comment": {"comments": [{"id": f"{item.uid}{n:02d}", "author": _user(people[c.author]), "body": c.body,
                                  "created": _api_date(c.at)}
                                 for n, c in enumerate(item.comments, start=1)],
                    "maxResults": len(item.comments), "total": len(item.comments), "startAt": 0},
        "watches": {"watchCount": len(item.watchers)},
        "customfield_10016": item.estimate,
        "customfield_10020": _sprint_objects(org, item),
        "customfield_10001": {"id": stable_hex("team", item.team, length=8), "name": item.team},
    }
    if parent:
        fields["parent"] = {"id": _issue_id(parent), "key": _key(org, parent),
                            "fields": {"summary": parent.title}}
    return {"id": _issue_id(item), "self": f"{SITE}/rest/api/2/issue/{_issue_id(item)}", "key": _key(org, item),
            "fields": fields, "changelog": _changelog(org, item)}


def write_jira_api(org: Organisation) -> dict[str, bytes]:
    """``jira_api.json``: ``/rest/api/2/search?expand=changelog,names`` for all four projects, pages joined."""
    by_uid, blocks = org.by_uid(), _blocks(org)
    issues = [_issue(org, item, by_uid, blocks) for item in org.items]
    doc = {"expand": "names,schema", "startAt": 0, "maxResults": len(issues), "total": len(issues),
           "issues": issues,
           "names": {"summary": "Summary", "customfield_10016": "Story point estimate",
                     "customfield_10020": "Sprint", "customfield_10001": "Team", "duedate": "Due date"}}
    return {"jira_api.json": json_bytes(doc)}

"""GitHub issue records of one team's repository, in ``gh`` (camelCase) or REST (snake_case) shape.

Goals are milestones; epics are issues labelled ``epic`` whose body is a
task list of their issues; a story's sub-tasks are issues listed in its body.
Blockers are written the way people write them on GitHub, ``Blocked by #12``
in the body.  The REST list also returns pull requests (a ``pull_request``
key): a few merged ones close done issues.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable

from workfw.samples._model import Item, Organisation, Person
from workfw.samples._write_common import iso_z, items_for, stable_hex

__all__ = ["github_records"]

_KIND_LABEL = {"Bug": "bug", "Story": "enhancement", "Chore": "chore", "Meeting": "meeting", "Epic": "epic"}
_STATUS_LABEL = {"In Progress": "in progress", "In Review": "in review"}
_API = "https://api.github.com/repos"
_WEB = "https://github.com"


def _numbers(org: Organisation) -> tuple[dict[int, int], dict[str, list[tuple[datetime, str, object]]]]:
    """Issue number per item uid, and per team the (created, kind, payload) records in number order."""
    numbers: dict[int, int] = {}
    records: dict[str, list[tuple[datetime, str, object]]] = {}
    for team in org.teams:
        entries: list[tuple[datetime, str, object]] = [(i.created, "issue", i) for i in
                                                       items_for(org, team, ("epic", "task", "subtask"))]
        for item in items_for(org, team, ("task",)):
            if item.category == "done" and item.uid % 14 == 0 and item.started:
                opened = max(item.started, item.resolved - timedelta(hours=2 + item.uid % 40))
                entries.append((opened, "pull", item))
        entries.sort(key=lambda e: (e[0], e[1], e[2].uid))
        for n, (_, kind, item) in enumerate(entries, start=1):
            if kind == "issue":
                numbers[item.uid] = n
        records[team] = entries
    return numbers, records


def _milestone(goal: Item, number: int, repo: str, cli: bool) -> dict:
    quarter = int(goal.labels[0][-1]) if goal.labels else 4
    due = datetime(2026 + quarter // 4, 3 * quarter % 12 + 1, 1, 7, tzinfo=timezone.utc) - timedelta(days=1)
    if cli:
        return {"number": number, "title": goal.title, "description": goal.description, "dueOn": iso_z(due)}
    return {"url": f"{_API}/{repo}/milestones/{number}", "html_url": f"{_WEB}/{repo}/milestone/{number}",
            "id": 9_000_000 + goal.uid, "number": number, "title": goal.title, "description": goal.description,
            "state": "closed" if goal.category == "done" else "open", "created_at": iso_z(goal.created),
            "due_on": iso_z(due), "closed_at": iso_z(goal.resolved)}


def _person(person: Person, login: str, cli: bool, *, author: bool = False) -> dict:
    if cli:
        base = {"id": "U_" + stable_hex("user", person.key, length=12), "login": login,
                "name": "" if person.is_bot else person.name}
        return {**base, "is_bot": person.is_bot} if author else base
    return {"login": login, "id": int(stable_hex("uid", person.key, length=7), 16),
            "type": "Bot" if person.is_bot and login.endswith("[bot]") else "User", "site_admin": False}


def github_records(org: Organisation, team: str, *, cli: bool, login: Callable[[Person], str]) -> list[dict]:
    """The issue list of ``team``'s repository, newest first as GitHub returns it."""
    people, by_uid = org.people, org.by_uid()
    repo = org.teams[team].repo
    numbers, records = _numbers(org)
    goals = items_for(org, team, ("goal",))
    milestones = {g.uid: _milestone(g, n, repo, cli) for n, g in enumerate(goals, start=1)}
    children: dict[int, list[Item]] = {}
    for item in items_for(org, team, ("task", "subtask")):
        if item.parent:
            children.setdefault(item.parent, []).append(item)
    out = []
    for number, (created, kind, item) in reversed(list(enumerate(records[team], start=1))):
        if kind == "pull":
            if not cli:
                out.append(_pull(org, item, repo, number, numbers[item.uid], created, login))
            continue
        goal = _goal(by_uid, item)
        label_names = list(item.labels) + ([_KIND_LABEL[item.kind]] if item.kind in _KIND_LABEL else [])
        label_names += [_STATUS_LABEL[item.status]] if item.status in _STATUS_LABEL else []
        label_names += ["priority: high"] if item.priority in ("Highest", "High") else []
        lines = [item.description] if item.description else []
        if item.uid in children:
            lines.append("\n".join(f"- [{'x' if c.category == 'done' else ' '}] #{numbers[c.uid]}"
                                   for c in children[item.uid]))
        for b in item.blocked_by:
            other = by_uid[b]
            ref = f"#{numbers[b]}" if other.team == team else f"{org.teams[other.team].repo}#{numbers[b]}"
            lines.append(f"Blocked by {ref}")
        closed = item.category in ("done", "cancelled")
        reason = {"done": "completed", "cancelled": "not_planned"}.get(item.category)
        assignees = [people[item.assignee]] if item.assignee else []
        author = people[item.reporter]
        if cli:
            out.append({
                "assignees": [_person(p, login(p), True) for p in assignees],
                "author": _person(author, login(author), True, author=True), "body": "\n\n".join(lines),
                "closed": closed, "closedAt": iso_z(item.resolved) if closed else None,
                "comments": [{"id": "IC_" + stable_hex("c", item.uid, n, length=12),
                              "author": {"login": login(people[c.author])}, "authorAssociation": "MEMBER",
                              "body": c.body, "createdAt": iso_z(c.at),
                              "url": f"{_WEB}/{repo}/issues/{number}#issuecomment-{item.uid * 100 + n}"}
                             for n, c in enumerate(item.comments)],
                "createdAt": iso_z(item.created), "id": "I_" + stable_hex("issue", item.uid, length=14),
                "labels": [{"id": "LA_" + stable_hex("label", team, name, length=12), "name": name,
                            "description": "", "color": stable_hex("colour", name, length=6)} for name in label_names],
                "milestone": milestones.get(goal.uid) if goal else None, "number": number,
                "state": "CLOSED" if closed else "OPEN", "stateReason": reason.upper() if reason else None,
                "title": item.title, "updatedAt": iso_z(item.updated), "url": f"{_WEB}/{repo}/issues/{number}",
            })
        else:
            out.append({
                "url": f"{_API}/{repo}/issues/{number}", "repository_url": f"{_API}/{repo}",
                "html_url": f"{_WEB}/{repo}/issues/{number}", "id": 2_000_000_000 + item.uid,
                "node_id": "I_" + stable_hex("issue", item.uid, length=14), "number": number, "title": item.title,
                "user": _person(author, login(author), False),
                "labels": [{"id": int(stable_hex("label", team, name, length=8), 16), "name": name,
                            "color": stable_hex("colour", name, length=6), "default": False, "description": None}
                           for name in label_names],
                "state": "closed" if closed else "open", "locked": False,
                "assignee": _person(assignees[0], login(assignees[0]), False) if assignees else None,
                "assignees": [_person(p, login(p), False) for p in assignees],
                "milestone": milestones.get(goal.uid) if goal else None, "comments": len(item.comments),
                "created_at": iso_z(item.created), "updated_at": iso_z(item.updated),
                "closed_at": iso_z(item.resolved) if closed else None, "author_association": "MEMBER",
                "body": "\n\n".join(lines) or None, "state_reason": reason,
            })
    return out


def _goal(by_uid: dict[int, Item], item: Item) -> Item | None:
    node = item
    while node is not None and node.level != "goal":
        node = by_uid.get(node.parent) if node.parent else None
    return node


def _pull(org: Organisation, item: Item, repo: str, number: int, closes: int, opened: datetime,
          login: Callable[[Person], str]) -> dict:
    author = org.people[item.assignee or item.reporter]
    return {
        "url": f"{_API}/{repo}/issues/{number}", "repository_url": f"{_API}/{repo}",
        "html_url": f"{_WEB}/{repo}/pull/{number}", "id": 3_000_000_000 + item.uid,
        "node_id": "PR_" + stable_hex("pr", item.uid, length=14), "number": number,
        "title": f"Fix: {item.title}", "user": _person(author, login(author), False), "labels": [],
        "state": "closed", "locked": False, "assignee": None, "assignees": [], "milestone": None, "comments": 1,
        "created_at": iso_z(opened), "updated_at": iso_z(item.resolved), "closed_at": iso_z(item.resolved),
        "author_association": "MEMBER", "body": f"Closes #{closes}", "state_reason": None,
        "pull_request": {"url": f"{_API}/{repo}/pulls/{number}", "html_url": f"{_WEB}/{repo}/pull/{number}",
                         "diff_url": f"{_WEB}/{repo}/pull/{number}.diff",
                         "patch_url": f"{_WEB}/{repo}/pull/{number}.patch", "merged_at": iso_z(item.resolved)},
    }

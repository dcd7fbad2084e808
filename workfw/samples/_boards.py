"""JSON exports of Trello (one board per team) and GitHub Issues (one repository per team).

Trello has no hierarchy: epics and goals become labels, sub-tasks become
checklist items, and the board JSON keeps only the newest 1,000 actions.
GitHub has no epics or due dates: goals are milestones (with a due date),
epics are issues labelled ``epic`` whose body lists their issues, and
progress is a label.  Growth was saved with ``gh issue list
--json``; the other teams through the REST API, which also lists pull requests.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from workfw.samples._github import github_records
from workfw.samples._model import Item, Organisation, Person
from workfw.samples._write_common import iso_ms, items_for, json_bytes, stable_hex, team_file

__all__ = ["write_trello", "write_github", "TRELLO_ACTION_CAP", "GH_CLI_TEAMS"]

TRELLO_ACTION_CAP = 1000
#: Teams whose repository was exported with ``gh issue list --json`` (the others through REST).
GH_CLI_TEAMS = ("Growth",)

_LISTS = {"Platform": ("Backlog", "In Progress", "Code Review", "Done"),
          "Growth": ("To Do", "Doing", "Review", "Done"),
          "Support": ("Inbox", "Doing", "Waiting on customer", "Done"),
          "Data": ("To Do", "Doing", "Review", "Done")}
_LIST_INDEX = {"To Do": 0, "In Progress": 1, "In Review": 2, "Done": 3}
_BOARD_BORN = datetime(2025, 12, 15, 9, tzinfo=timezone.utc)
_COLOURS = ("green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black")


def _tid(moment: datetime, *salt: object) -> str:
    """A Trello id: 8 hex digits of Unix time, then 16 stable hex digits."""
    return f"{int(moment.timestamp()):08x}" + stable_hex(*salt, length=16)


def _member(person: Person) -> dict:
    initials = "".join(p[0] for p in person.name.replace("[", " ").split()[:2]).upper()
    return {"id": _tid(_BOARD_BORN, "member", person.key), "fullName": person.name,
            "username": person.username.replace("[", "").replace("]", "").replace("-", "").lower(),
            "initials": initials}


def _creator(member: dict) -> dict:
    return {"id": member["id"], "fullName": member["fullName"], "username": member["username"]}


def _goal_of(by_uid: dict[int, Item], item: Item) -> tuple[Item | None, Item | None]:
    """(epic, goal) above a task, either may be None."""
    epic = by_uid.get(item.parent) if item.parent else None
    if epic is None or epic.level != "epic":
        return None, None
    return epic, by_uid.get(epic.parent) if epic.parent else None


def _trello_board(org: Organisation, team: str) -> dict:
    people, by_uid = org.people, org.by_uid()
    board_id = _tid(_BOARD_BORN, "board", team)
    short = stable_hex("board-short", team, length=8)
    board_ref = {"id": board_id, "name": team, "shortLink": short}
    lists = [{"id": _tid(_BOARD_BORN, "list", team, n), "name": name, "closed": False,
              "idBoard": board_id, "pos": 16384 * (n + 1), "softLimit": None, "subscribed": False}
             for n, name in enumerate(_LISTS[team])]
    tasks = items_for(org, team, ("task",))
    label_names: list[str] = []
    for item in tasks:
        epic, goal = _goal_of(by_uid, item)
        names = list(item.labels) + ([item.kind] if item.kind != "Task" else [])
        names += [f"Epic: {epic.title}"] if epic else []
        names += [f"OKR: {goal.title}"] if goal else []
        label_names.extend(n for n in names if n not in label_names)
    labels = {name: {"id": _tid(_BOARD_BORN, "label", team, name), "idBoard": board_id,
                     "name": name, "color": _COLOURS[n % len(_COLOURS)]} for n, name in enumerate(label_names)}
    member_keys = [p.key for p in people.values() if p.team == team]
    members = {k: _member(people[k]) for k in member_keys}
    subtasks: dict[int, list[Item]] = {}
    for sub in items_for(org, team, ("subtask",)):
        subtasks.setdefault(sub.parent, []).append(sub)
    cards, checklists, actions = [], [], []
    for short_id, item in enumerate(tasks, start=1):
        epic, goal = _goal_of(by_uid, item)
        names = list(item.labels) + ([item.kind] if item.kind != "Task" else [])
        names += ([f"Epic: {epic.title}"] if epic else []) + ([f"OKR: {goal.title}"] if goal else [])
        card_id = _tid(item.created, "card", item.uid)
        link = stable_hex("card-short", item.uid, length=8)
        moves = [e for e in item.status_events() if e.new != "Won't Do"]
        list_idx = _LIST_INDEX[moves[-1].new] if moves else 0
        card_ref = {"id": card_id, "name": item.title, "idShort": short_id, "shortLink": link}
        closed = item.category == "cancelled"
        checklist_ids = []
        if item.uid in subtasks:
            cl_id = _tid(item.created + timedelta(minutes=5), "checklist", item.uid)
            checklist_ids.append(cl_id)
            checklists.append({"id": cl_id, "name": "Sub-tasks", "idBoard": board_id, "idCard": card_id, "pos": 16384,
                               "checkItems": [{"id": _tid(s.created, "item", s.uid), "name": s.title,
                                               "state": "complete" if s.category == "done" else "incomplete",
                                               "idChecklist": cl_id, "pos": 16384 * (n + 1), "due": None}
                                              for n, s in enumerate(subtasks[item.uid])]})
        done_items = sum(s.category == "done" for s in subtasks.get(item.uid, []))
        cards.append({
            "id": card_id, "idShort": short_id, "name": item.title, "desc": item.description, "closed": closed,
            "due": iso_ms(datetime.combine(item.due, datetime.min.time()).replace(hour=17, tzinfo=item.created.tzinfo))
            if item.due else None,
            "dueComplete": bool(item.due and item.category == "done"), "start": None,
            "idList": lists[list_idx]["id"], "idBoard": board_id,
            "idMembers": [members[item.assignee]["id"]] if item.assignee in members else [],
            "idLabels": [labels[n]["id"] for n in names], "labels": [labels[n] for n in names],
            "idChecklists": checklist_ids,
            "badges": {"comments": len(item.comments), "checkItems": len(subtasks.get(item.uid, [])),
                       "checkItemsChecked": done_items, "attachments": 0, "due": iso_ms(None),
                       "dueComplete": bool(item.due and item.category == "done")},
            "dateLastActivity": iso_ms(item.updated, item.uid), "pos": 16384 * short_id,
            "shortLink": link, "shortUrl": f"https://trello.com/c/{link}",
            "url": f"https://trello.com/c/{link}/{short_id}", "subscribed": False,
        })
        actions.extend(_card_actions(org, team, item, board_ref, card_ref, lists, members))
    actions.sort(key=lambda a: (a["date"], a["id"]), reverse=True)
    return {
        "id": board_id, "name": team, "desc": f"{team} team board", "closed": False, "dateClosed": None,
        "idOrganization": stable_hex("org", length=24), "shortLink": short,
        "url": f"https://trello.com/b/{short}/{team.lower()}", "shortUrl": f"https://trello.com/b/{short}",
        "dateLastActivity": actions[0]["date"] if actions else None,
        "labelNames": {c: "" for c in _COLOURS[:6]}, "prefs": {"permissionLevel": "org", "background": "blue"},
        "actions": actions[:TRELLO_ACTION_CAP], "cards": cards, "labels": list(labels.values()), "lists": lists,
        "members": list(members.values()), "checklists": checklists, "customFields": [],
        "memberships": [{"idMember": m["id"], "memberType": "normal", "unconfirmed": False} for m in members.values()],
    }


def _card_actions(org: Organisation, team: str, item: Item, board: dict, card: dict, lists: list[dict],
                  members: dict[str, dict]) -> list[dict]:
    people = org.people
    out = []

    def act(at: datetime, kind: str, who: str, data: dict, salt: object) -> None:
        creator = members.get(who) or _member(people[who])
        out.append({"id": _tid(at, "action", item.uid, salt), "idMemberCreator": creator["id"], "type": kind,
                    "date": iso_ms(at, item.uid + len(out)), "data": {"board": board, "card": dict(card), **data},
                    "memberCreator": _creator(creator)})

    list_ref = [{"id": lst["id"], "name": lst["name"]} for lst in lists]
    act(item.created, "createCard", item.reporter, {"list": list_ref[0]}, "create")
    current = 0
    if item.initial_assignee in members:
        who = item.initial_assignee
        act(item.created + timedelta(seconds=1), "addMemberToCard", item.reporter,
            {"idMember": members[who]["id"], "member": {"id": members[who]["id"], "name": people[who].name}}, "m0")
    # Events and comments in time order, so each comment names the list the card was in at the time.
    timeline = sorted([(e.at, 0, n, e) for n, e in enumerate(item.events)] +
                      [(c.at, 1, n, c) for n, c in enumerate(item.comments)], key=lambda x: x[:3])
    for at, is_comment, n, e in timeline:
        if is_comment:
            act(at, "commentCard", e.author, {"text": e.body, "list": list_ref[current]}, f"c{n}")
        elif e.field == "assignee":
            for kind, who in (("removeMemberFromCard", e.old), ("addMemberToCard", e.new)):
                if who in members:
                    act(e.at, kind, e.author, {"idMember": members[who]["id"],
                                               "member": {"id": members[who]["id"], "name": people[who].name}},
                        f"{kind}{n}")
        elif e.new == "Won't Do":
            act(e.at, "updateCard", e.author, {"list": list_ref[current], "old": {"closed": False},
                                               "card": {**card, "closed": True}}, f"s{n}")
        else:
            new = _LIST_INDEX[e.new]
            act(e.at, "updateCard", e.author, {"old": {"idList": list_ref[current]["id"]},
                                               "listBefore": list_ref[current], "listAfter": list_ref[new]}, f"s{n}")
            out[-1]["data"]["card"]["idList"] = list_ref[new]["id"]
            current = new
    return out


def write_trello(org: Organisation) -> dict[str, bytes]:
    """``trello_<team>.json``: each team's board (Menu -> Print, export and share -> Export as JSON)."""
    return {team_file("trello", team, "json"): json_bytes(_trello_board(org, team)) for team in org.teams}


def _login(person: Person) -> str:
    if not person.is_bot or person.username.endswith("[bot]") or person.username == "Copilot":
        return person.username
    return f"{person.username}[bot]"


def write_github(org: Organisation) -> dict[str, bytes]:
    """``github_<team>.json``: ``gh issue list --state all --json ...`` or the REST issues list, per repository."""
    return {team_file("github", team, "json"): _github_repo(org, team) for team in org.teams}


def _github_repo(org: Organisation, team: str) -> bytes:
    return json_bytes(github_records(org, team, cli=team in GH_CLI_TEAMS, login=_login))


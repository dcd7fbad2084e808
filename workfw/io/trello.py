"""Trello board JSON (``source="trello-json"``): one task per card, history from ``actions``.

Get the file from the board menu: Print, export and share -> Export as JSON.

How the board becomes tasks (the import report repeats what matters):

* ``status`` is the name of the card's list (``idList`` -> ``lists[].name``);
  cards in archived lists keep that list as their status.  List categories
  come from the ``done_lists`` option when given (every list it names is
  done; other lists that look done are read as in progress), otherwise from
  Trello's default lists (To Do, Doing, Done) and the keyword rules (in the
  languages of :func:`workfw.io.status_rules`).  A list no rule places is
  guessed from where it sits on the board (the report names the guess).
  ``status_map`` overrides all of them.
* ``dueComplete`` only says the due-date box was ticked, so it does not make
  a card done: the list decides, and a warning counts ticked cards in lists
  that are not done.
* Archived cards (``closed: true``) are not necessarily finished.  With
  ``archived_as="keep"`` (the default) they keep their list's category and a
  warning counts them; ``"cancelled"`` or ``"done"`` gives them the status
  ``"Archived"`` in that category.
* ``created`` is exact: the first 8 hex digits of a card id are its creation
  time in Unix seconds (the file has no created field).
* ``actions`` become events: list moves (``field="status"``), card creation
  (``"created"``, ``new`` = first list), members added or removed
  (``"assignee"``) and archiving (``"archived"``).  Event list names are the
  lists' current names, so a renamed list stays one status.
* ``started`` is the first entry (creation or move) into an in-progress or
  done list (basis ``history``); it is left unknown when the history starts
  with the card already past to-do.  ``completed`` is when the card began
  its final stretch in done or cancelled lists (``history``), otherwise
  ``dateLastActivity`` (``inferred``).
* Trello embeds only the newest 1,000 actions; the report names the oldest
  action's date when the history is cut or older cards predate it.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from workfw.errors import EmptyExportError, OptionError
from workfw.export import TaskExport
from workfw.io._build import Assembly, assemble
from workfw.io._common import records_frame
from workfw.io._dates import DateParser
from workfw.io._registry import ExportFormat, ReadOptions, register
from workfw.io._status import apply_status_map, keyword_category

__all__ = ["read_trello_json", "ARCHIVED_CHOICES", "ACTION_CAP"]

#: Values of the ``archived_as`` option.
ARCHIVED_CHOICES = ("keep", "cancelled", "done")
#: How many actions Trello embeds in a board export at most.
ACTION_CAP = 1000

_DEFAULT_LISTS = {"to do": "todo", "doing": "in_progress", "done": "done"}
_ARCHIVED_STATUS = "Archived"
_CREATING_ACTIONS = ("createCard", "copyCard", "convertToCardFromCheckItem", "emailCard")
_CARD_ID = re.compile(r"[0-9a-fA-F]{24}")
_UTC = "datetime64[ns, UTC]"


def _sniff(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("cards"), list) and isinstance(doc.get("lists"), list)


def _by_id(items: Any) -> dict[str, dict]:
    """The records of a list by their ``id`` (a value that is no list holds none)."""
    if not isinstance(items, list):
        return {}
    return {str(i["id"]): i for i in items if isinstance(i, dict) and i.get("id") is not None}


def _person(member: dict) -> str:
    return str(member.get("fullName") or member.get("username") or member.get("name") or member.get("id"))


def _created_from_id(card_id: Any) -> pd.Timestamp:
    if not isinstance(card_id, str) or not _CARD_ID.fullmatch(card_id):
        return pd.NaT
    return pd.Timestamp(int(card_id[:8], 16), unit="s", tz="UTC")


def _check_options(options: ReadOptions, names: list[str], file: str) -> tuple[str, set[str] | None]:
    archived_as = options.get("archived_as", "keep")
    if archived_as not in ARCHIVED_CHOICES:
        raise OptionError(f"{file}: archived_as={archived_as!r}; expected one of {list(ARCHIVED_CHOICES)}. "
                          "Next step: pass 'keep' (archived cards keep their list's category), 'cancelled' "
                          "or 'done'.")
    done_lists = options.get("done_lists")
    if done_lists is None:
        return archived_as, None
    if isinstance(done_lists, str):
        done_lists = [done_lists]
    wanted = {str(n).strip().casefold() for n in done_lists}
    missing = sorted(wanted - {n.casefold() for n in names})
    if missing:
        raise OptionError(f"{file}: done_lists names {missing}, which are not lists of this board; its lists are "
                          f"{sorted(set(names))}. Next step: copy the list names exactly as the board shows them.")
    return archived_as, wanted


def _default_map(names: list[str], done_lists: set[str] | None, warnings: list[str]) -> dict[str, str]:
    default = dict(_DEFAULT_LISTS)
    if done_lists is None:
        return default
    demoted = []
    for name in dict.fromkeys(names):
        key = name.casefold()
        if key in done_lists:
            default[key] = "done"
        elif (default.get(key) or keyword_category(name)) == "done":
            # The user named the done lists; a "done"-sounding list left out is a stage before done.
            default[key] = "in_progress"
            demoted.append(name)
    if demoted:
        warnings.append(f"Lists {demoted} look done but are not in done_lists, so they are read as in progress. "
                        "Add them to done_lists, or use status_map, to place them otherwise.")
    return default


def _categories(names: list[str], default_map: dict[str, str], user_map: Any) -> dict[str, str]:
    names = list(dict.fromkeys(names))
    if not names:
        return {}
    cats, _ = apply_status_map(pd.Series(names, dtype="string"), None, default_map=default_map,
                               user_map=user_map, warnings=[])
    # Unplaced names map to None (not NaN), so "no category" is one test everywhere.
    return {name: (cat if isinstance(cat, str) else None) for name, cat in zip(names, cats)}


#: The status map rule of a list placed by where it sits on the board.
BOARD_ORDER_RULE = "board order (a guess to confirm)"


def _order_guesses(lists: dict[str, dict], category: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Place lists no rule places by where they sit: boards run left to right, from to do to done.

    A list left of every list placed in progress or done is to do; one at or
    right of the first done list is done; one in between is in progress.  With
    no list placed at all, the first list is to do, the last done and the
    others in progress.
    """
    ordered = sorted(lists.values(), key=lambda lst: (float(lst.get("pos") or 0) if isinstance(
        lst.get("pos"), (int, float)) else 0.0))
    names = [str(lst.get("name") or lst.get("id")) for lst in ordered]
    unplaced = [i for i, n in enumerate(names) if category.get(n) is None]
    if not unplaced:
        return {}
    placed = [(i, category[n]) for i, n in enumerate(names) if category.get(n) is not None]
    started = [i for i, c in placed if c in ("in_progress", "done", "cancelled")]
    done = [i for i, c in placed if c == "done"]
    guesses = {}
    for i in unplaced:
        if not placed:
            guess = "todo" if i == 0 else "done" if i == len(names) - 1 and len(names) > 1 else "in_progress"
        elif not started or i < min(started):
            guess = "todo"
        elif done and i >= min(done):
            guess = "done"
        else:
            guess = "in_progress"
        guesses[names[i]] = (guess, BOARD_ORDER_RULE)
    return guesses


def _list_name(ref: Any, list_names: dict[str, str]) -> Any:
    if not isinstance(ref, dict):
        return pd.NA
    return list_names.get(str(ref.get("id")), ref.get("name") or pd.NA)


def _member_ref(data: dict, action: dict, members: dict[str, dict]) -> Any:
    mid = data.get("idMember") or (data.get("member") or {}).get("id")
    if mid is not None and str(mid) in members:
        return _person(members[str(mid)])
    for candidate in (action.get("member"), data.get("member")):
        if isinstance(candidate, dict):
            return _person(candidate)
    return mid if mid is not None else pd.NA


def _author(action: dict, members: dict[str, dict]) -> Any:
    creator = action.get("memberCreator")
    if isinstance(creator, dict):
        return _person(creator)
    creator_id = action.get("idMemberCreator")
    if creator_id is not None and str(creator_id) in members:
        return _person(members[str(creator_id)])
    return creator_id if creator_id is not None else pd.NA


def _action_rows(actions: list[dict], list_names: dict[str, str], members: dict[str, dict]) -> list[tuple]:
    rows = []
    for pos, action in enumerate(actions):
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        card = data.get("card") if isinstance(data.get("card"), dict) else {}
        if card.get("id") is None:
            continue
        kind = action.get("type")
        author = _author(action, members)
        old = data.get("old") if isinstance(data.get("old"), dict) else {}
        change = None
        if kind in _CREATING_ACTIONS:
            change = ("created", pd.NA, _list_name(data.get("list"), list_names))
        elif kind == "updateCard" and ("listAfter" in data or "idList" in old):
            change = ("status", _list_name(data.get("listBefore") or {"id": old.get("idList")}, list_names),
                      _list_name(data.get("listAfter") or {"id": card.get("idList")}, list_names))
        elif kind == "updateCard" and "closed" in old:
            change = ("archived", str(bool(old["closed"])).lower(), str(not old["closed"]).lower())
        elif kind == "addMemberToCard":
            change = ("assignee", pd.NA, _member_ref(data, action, members))
        elif kind == "removeMemberFromCard":
            change = ("assignee", _member_ref(data, action, members), pd.NA)
        if change is not None:
            rows.append((pos, str(card["id"]), *change, author))
    return rows


def _history(actions: list[dict], *, list_names: dict[str, str], members: dict[str, dict],
             dates: DateParser) -> tuple[pd.DataFrame, pd.Series]:
    """Return the events table and every action's parsed date (for the coverage window)."""
    when = dates.parse(pd.Series([a.get("date") for a in actions], dtype="string"), column="actions[].date")
    rows = _action_rows(actions, list_names, members)
    events = pd.DataFrame(rows, columns=["_pos", "task_id", "field", "old", "new", "author"])
    events.insert(2, "at", when.loc[events["_pos"]].to_numpy() if len(events) else pd.Series([], dtype=_UTC))
    events = events.drop(columns="_pos").sort_values(["task_id", "at"], kind="stable").reset_index(drop=True)
    return events, when


def _flow_times(card_ids: pd.Series, final: pd.Series, events: pd.DataFrame,
                category: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    """Per card: ``started`` and ``completed`` read from list entries (NaT when history cannot tell).

    A card's moves run in time order.  It started at its first entry into an in-progress or done
    list, unless its history begins after it had left to do.  A card now done or cancelled was
    completed when its last run of done or cancelled lists began, unless that run reaches back
    to the start of a history that began in such a list (it began before the file's window).
    Worked on whole arrays, one segment per card: a board of 100,000 cards took 17 s card by card.
    """
    started = pd.Series(pd.NaT, index=card_ids.index, dtype=_UTC)
    completed = pd.Series(pd.NaT, index=card_ids.index, dtype=_UTC)
    flow = events[events["field"].isin(["created", "status"]) & events["new"].notna()]
    if flow.empty:
        return started, completed
    # events come sorted by card then time, so each card's moves are one segment.
    segment, cards = pd.factorize(flow["task_id"], sort=False)
    n = len(flow)
    starts = np.flatnonzero(np.r_[True, segment[1:] != segment[:-1]])
    ends = np.r_[starts[1:], n]
    cats = flow["new"].map(lambda name: category.get(name, "todo")).to_numpy(dtype=object)
    moved_on = np.isin(cats, ["in_progress", "done"])
    closed = np.isin(cats, ["done", "cancelled"])
    at = flow["at"].to_numpy(dtype="datetime64[ns]")
    pos = np.arange(n)
    has_created = np.maximum.reduceat((flow["field"] == "created").to_numpy(dtype=np.int8), starts) > 0
    first_old = flow["old"].to_numpy(dtype=object)[starts]
    before = np.array(["todo" if made or not isinstance(old, str) else category.get(old, "todo")
                       for made, old in zip(has_created, first_old)], dtype=object)
    first_on = np.minimum.reduceat(np.where(moved_on, pos, n), starts)
    began = (before == "todo") & (first_on < ends)
    last_open = np.maximum.reduceat(np.where(closed, -1, pos), starts)
    run_start = np.maximum(last_open + 1, starts)
    # A closed run that is the whole history counts only when the card was not closed before it.
    ended = (run_start < ends) & ((run_start > starts) | ~np.isin(before, ["done", "cancelled"]))
    nat = np.datetime64("NaT", "ns")
    per_card_start = pd.Series(np.where(began, at[np.minimum(first_on, n - 1)], nat), index=cards)
    per_card_end = pd.Series(np.where(ended, at[np.minimum(run_start, n - 1)], nat), index=cards)
    started = pd.Series(card_ids.map(per_card_start).to_numpy(dtype="datetime64[ns]"),
                        index=card_ids.index).dt.tz_localize("UTC").astype(_UTC)
    is_closed = final.isin(["done", "cancelled"]).to_numpy(dtype=bool)
    ends_at = card_ids.map(per_card_end).to_numpy(dtype="datetime64[ns]")
    completed = pd.Series(np.where(is_closed, ends_at, nat), index=card_ids.index).dt.tz_localize("UTC").astype(_UTC)
    return started, completed


def _archive_times(card_ids: pd.Series, events: pd.DataFrame) -> pd.Series:
    closing = events[(events["field"] == "archived") & (events["new"] == "true")]
    out = pd.Series(pd.NaT, index=card_ids.index, dtype=_UTC)
    if len(closing):
        last = closing.groupby("task_id")["at"].max()
        # Looked up, not mapped: a map of cards without an id gives NaN, which is no time to convert.
        out = pd.Series(last.reindex(card_ids.to_numpy()).array, index=card_ids.index).astype(_UTC)
    return out


def _labels(card: dict, board_labels: dict[str, dict]) -> list[str]:
    items = card.get("labels")
    if not isinstance(items, list):
        items = [board_labels[str(i)] for i in card.get("idLabels") or [] if str(i) in board_labels]
    return [str(lb.get("name") or lb.get("color")) for lb in items
            if isinstance(lb, dict) and (lb.get("name") or lb.get("color"))]


def _checklist_progress(cards: list[dict], checklists: Any) -> list[Any]:
    done_total: dict[str, list[int]] = {}
    for cl in checklists or []:
        if isinstance(cl, dict):
            counts = done_total.setdefault(str(cl.get("idCard")), [0, 0])
            for item in cl.get("checkItems") or []:
                counts[0] += int(isinstance(item, dict) and item.get("state") == "complete")
                counts[1] += 1
    out = []
    for card in cards:
        badges = card.get("badges") if isinstance(card.get("badges"), dict) else {}
        done, total = done_total.get(str(card.get("id")),
                                     [badges.get("checkItemsChecked") or 0, badges.get("checkItems") or 0])
        out.append(f"{done}/{total}" if total else pd.NA)
    return out


def _coverage_warning(when: pd.Series, created: pd.Series, n_actions: int) -> str | None:
    if n_actions == 0:
        return ("The export has no actions, so there is no list-move history: started is unknown and completed "
                "is inferred from each card's last activity.")
    oldest = when.min()
    if pd.isna(oldest):
        return None
    older = int((created < oldest).sum())
    if n_actions < ACTION_CAP and not older:
        return None
    cut = (f"Trello embeds only the newest {ACTION_CAP:,} actions, and this file holds {n_actions:,}"
           if n_actions >= ACTION_CAP else f"The file's {n_actions:,} actions")
    return (f"{cut}: history covers {oldest:%Y-%m-%d %H:%M} UTC onwards. Cards created before "
            f"that: {older}; their earlier list moves are missing (started unknown, completed inferred when needed). "
            "Older actions need Trello's API (/boards/{id}/actions?before=...).")


def read_trello_json(board: dict, *, file: str, options: ReadOptions) -> TaskExport:
    """Read a Trello board export (one task per card).

    Parameters
    ----------
    board : dict
        The parsed board JSON (keys ``cards``, ``lists``, ``actions``, ``members``...).
    file : str
        File name for messages.
    options : ReadOptions
        Common options plus ``done_lists`` (list names that mean done; other
        done-looking lists are then read as in progress) and ``archived_as``
        (``"keep"``, ``"cancelled"`` or ``"done"``; see the module notes).

    Returns
    -------
    TaskExport
        Tasks, list-move and member events, raw cards and the report.
    """
    cards = board["cards"]
    if not cards:
        raise EmptyExportError(file, "key 'cards'", "a board with no cards", "at least one card",
                               "check that you exported the right board (archived cards are included)")
    raw = records_frame(cards, file=file, where="cards", next_step="export the board again from Trello")
    warnings: list[str] = []
    lists, members, board_labels = _by_id(board["lists"]), _by_id(board.get("members")), _by_id(board.get("labels"))
    for key in ("members", "labels"):
        if board.get(key) is not None and not isinstance(board[key], list):
            warnings.append(f"Key {key!r} holds {str(board[key])[:40]!r}, not a list of the board's {key}; cards "
                            f"name their {key} by id instead.")
    list_names = {lid: str(lst.get("name") or lid) for lid, lst in lists.items()}
    raw_actions = board.get("actions")
    actions = [a for a in raw_actions if isinstance(a, dict)] if isinstance(raw_actions, list) else []
    dates = DateParser(file=file, tz=options.tz, date_order=options.date_order, warnings=warnings)
    events, when = _history(actions, list_names=list_names, members=members, dates=dates)
    flow = events.loc[events["field"].isin(["status", "created"]), ["old", "new"]]
    seen_names = list(list_names.values()) + [n for n in flow.stack().tolist() if isinstance(n, str)]
    archived_as, done_lists = _check_options(options, seen_names, file)
    default_map = _default_map(seen_names, done_lists, warnings)
    if archived_as != "keep":
        default_map[_ARCHIVED_STATUS.casefold()] = archived_as

    card_ids = pd.Series([c.get("id") for c in cards], index=raw.index, dtype="string")
    in_list = pd.Series([list_names.get(str(c.get("idList")), pd.NA) for c in cards], index=raw.index, dtype="string")
    archived = pd.Series([c.get("closed") is True for c in cards], index=raw.index)
    replace = archived & (archived_as != "keep")
    status = in_list.mask(replace, _ARCHIVED_STATUS)
    category = _categories(list(status.dropna()) + seen_names, default_map, options.status_map)
    guesses = _order_guesses(lists, category)
    category.update({name: guess for name, (guess, _) in guesses.items()})
    if guesses:
        warnings.append(f"Lists {sorted(guesses)} have names no rule places, so their category is guessed from "
                        "where they sit on the board (left to right, to do to done): "
                        f"{', '.join(f'{n} -> {c}' for n, (c, _) in sorted(guesses.items()))}. Confirm or correct "
                        "them with status_map={...} (the status map editor lists them).")
    final = status.map(category)

    mapped = pd.DataFrame(index=raw.index)
    mapped["task_id"] = card_ids
    mapped["title"] = [c.get("name") for c in cards]
    mapped["description"] = [c.get("desc") for c in cards]
    mapped["task_type"] = "Card"
    mapped["status"] = status
    mapped["assignees"] = [[_person(members[str(m)]) if str(m) in members else str(m) for m in c.get("idMembers") or []]
                           for c in cards]
    mapped["assignee"] = mapped["assignees"].map(lambda v: v[0] if v else pd.NA)
    board_name = board.get("name")
    mapped["project"] = board_name if isinstance(board_name, str) else pd.NA
    mapped["labels"] = [_labels(c, board_labels) for c in cards]
    mapped["created"] = pd.Series([_created_from_id(c) for c in card_ids.fillna("")], index=raw.index, dtype=_UTC)
    mapped["updated"] = dates.parse(raw.get("dateLastActivity", pd.Series(pd.NA, index=raw.index)),
                                    column="dateLastActivity", rows=raw["_row"])
    mapped["due"] = dates.parse(raw.get("due", pd.Series(pd.NA, index=raw.index)), column="due", rows=raw["_row"])
    mapped["comments"] = [(c.get("badges") or {}).get("comments") if isinstance(c.get("badges"), dict) else pd.NA
                          for c in cards]
    mapped["url"] = [c.get("url") or c.get("shortUrl") for c in cards]

    started, completed = _flow_times(card_ids, final, events, category)
    completed = completed.mask(replace, _archive_times(card_ids, events))
    closed_by_list = final.isin(["done", "cancelled"])
    mapped["started"] = started
    mapped["started_basis"] = pd.Series("history", index=raw.index).where(started.notna())
    mapped["completed"] = completed.where(closed_by_list).fillna(mapped["updated"].where(closed_by_list))
    mapped["completed_basis"] = (pd.Series("history", index=raw.index).where(completed.notna() & closed_by_list)
                                 .fillna(pd.Series("inferred", index=raw.index).where(mapped["completed"].notna())))
    mapped["_reject"] = [("template card, not a task" if c.get("isTemplate") is True else
                          "separator card, not a task" if c.get("cardRole") == "separator" else pd.NA) for c in cards]
    raw["checklist_progress"] = pd.Series(_checklist_progress(cards, board.get("checklists")),
                                          index=raw.index, dtype="string")

    _note_board_quirks(warnings, cards=cards, raw=raw, lists=lists, archived=archived, final=final,
                       archived_as=archived_as)
    if (note := _coverage_warning(when, mapped["created"][mapped["_reject"].isna()], len(actions))) is not None:
        warnings.append(note)
    assembly = Assembly(raw=raw, mapped=mapped, source="trello-json", file=file, field_map=_FIELD_MAP,
                        default_status_map=default_map, events=events, warnings=warnings, status_guesses=guesses)
    return assemble(assembly, status_map=options.status_map, team=options.team)


def _note_board_quirks(warnings: list[str], *, cards: list[dict], raw: pd.DataFrame, lists: dict[str, dict],
                       archived: pd.Series, final: pd.Series, archived_as: str) -> None:
    if archived.any() and archived_as == "keep":
        warnings.append(f"Archived cards: {int(archived.sum())}. Archived is not the same as done, so they keep "
                        "their list's category; pass archived_as='cancelled' or archived_as='done' to place them.")
    in_closed = [str(lists[str(c.get("idList"))].get("name")) for c in cards
                 if str(c.get("idList")) in lists and lists[str(c.get("idList"))].get("closed") is True]
    if in_closed:
        warnings.append(f"Cards in archived lists {sorted(set(in_closed))}: {len(in_closed)}. They keep that list "
                        "as their status.")
    ticked = pd.Series([c.get("dueComplete") is True for c in cards], index=raw.index) & ~final.isin(["done", "cancelled"])
    if ticked.any():
        warnings.append(f"Cards with the due date marked complete in a list that is not done: {int(ticked.sum())}. "
                        "The list decides their status. Pass done_lists=[...] or status_map={...} if those "
                        "lists mean done.")
    unknown_list = raw["idList"].notna() & ~raw["idList"].isin(list(lists)) if "idList" in raw else None
    if unknown_list is not None and unknown_list.any():
        warnings.append(f"Cards pointing to lists missing from the file: {int(unknown_list.sum())}. Their status "
                        "is empty.")


_FIELD_MAP = {
    "id": "task_id; created (first 8 hex digits of the id = Unix seconds of creation)",
    "name": "title",
    "desc": "description",
    "idList": "status (the list's name)",
    "closed": "archived cards (see archived_as)",
    "idMembers": "assignees (member full names)",
    "labels": "labels (name, or colour when unnamed)",
    "idLabels": "labels (when card labels are absent)",
    "idBoard": "project (the board's name)",
    "dateLastActivity": "updated; completed of done cards without history (inferred)",
    "due": "due",
    "dueComplete": "warning only: the list decides done",
    "badges": "comments (badges.comments)",
    "url": "url",
    "shortUrl": "url when url is absent",
    "isTemplate": "template cards are rejected",
    "cardRole": "separator cards are rejected",
    "checklist_progress": "added by workfw: checked/total checklist items",
}


register(ExportFormat(
    name="trello-json", label="Trello board JSON", kind="json", sniff=_sniff, read=read_trello_json,
    how_to_export="Trello board menu -> Print, export and share -> Export as JSON",
    options=("done_lists", "archived_as"),
))

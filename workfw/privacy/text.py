"""Spellings of people inside one piece of text: normalising, matching and JSON person objects.

Helpers of :mod:`workfw.privacy`, shared by the collecting pass
(:mod:`workfw.privacy.people`) and the replacing pass (:mod:`workfw.privacy.replace`).
"""
from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from typing import Any, Iterable

__all__: list[str] = []

#: An e-mail address anywhere in a cell (no URL-style scheme before it).
EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
#: URLs are left as they are: a link must keep working, even when its path holds a login.
URL = re.compile(r"\b(?:https?|ftp)://[^\s\"'<>]+|\bwww\.[^\s\"'<>]+", re.IGNORECASE)
#: A value that is already a pseudonym, so pseudonymising twice changes nothing.
PSEUDONYM = re.compile(r"(?:Person|Agent) \d{2,}|\[person\]|\[e-mail\]")
#: A mention of an account in text: Jira's ``[~accountid:5b10…]`` or ``[~jsmith]``, GitHub's ``@login``.
MENTION = re.compile(r"\[~(?:accountid:)?(?P<jira>[^\]\s]+)\]|(?<![\w.@/-])@(?P<login>\w[\w.-]*\w|\w)")
#: JSON text that can hold people (RE2 syntax): person objects, history items, escaped characters.
JSON_HINT = (r'^\s*[\[{].*(?:\\u|"(?:displayName|accountId|emailAddress|login|fullName|username|email|field|'
             r'author|assignees?|user|creator|reporter)")')
#: An identity such as Azure DevOps' ``Doe, Jane <jane@x.com>``.
IDENTITY = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<email>[^<>\s]+@[^<>\s]+)>$")
#: Characters that end one value of a cell holding several (``"a, b"``, ``"a; b"``, ``"Name <mail>"``).
DELIMITERS = ",;|<>()[]{}\"\n\r\t"

#: Keys of a JSON object that make it a person (Jira, GitHub, Trello, Asana, Linear API shapes).
PERSON_KEYS = frozenset({"displayName", "emailAddress", "accountId", "login", "fullName", "username", "email",
                         "is_bot"})
#: Keys of a person object whose values are spellings of that person (replaced as a whole).
SPELLING_KEYS = {"displayName": "name", "fullName": "name", "name": "name", "login": "login", "username": "login",
                 "key": "login", "emailAddress": "email", "email": "email", "accountId": "id", "id": "id",
                 "initials": "initials", "nickname": "login"}
#: Keys whose plain-string (or list of strings) value names a person.
PERSON_VALUE_KEYS = frozenset({"author", "assignee", "assignees", "reporter", "creator", "user", "owner", "owners",
                               "closed_by", "closedBy", "member", "members", "memberCreator", "lead", "watchers",
                               "createdBy", "created_by", "updateAuthor", "requester", "approver", "reviewer",
                               "reviewers", "followers", "collaborators", "subscribers", "participants"})
#: History fields whose old and new values are people (Jira changelog items, canonical events).
PERSON_FIELDS = frozenset({"assignee", "assignees", "reporter", "creator", "author", "owner", "watchers",
                           "watcher", "lead", "members", "member", "reviewer", "approver"})

#: First or family names that are also everyday words, left alone inside free text.
COMMON_WORDS = frozenset("""
will may mark grant bill rose page long young king hope summer june april august frank art miles rich joy faith
dawn gray grey green brown white black bell hall ward wood woods lane park stone hill field fisher cook baker price
major chase cash case lead reed rice early love star sun snow storm west north south east new best small little
strong power noble sharp wise english french jordan victoria austin china sierra autumn winter spring march can
don jack ray sky guy pat sue max lee ash ivy iris lily daisy amber ruby pearl crystal penny sunny happy gay glen
dean royal earl duke prince bishop carter mason hunter archer porter turner walker taylor smith miller clay hunt
""".split())

_NOT_JSON = object()


@lru_cache(maxsize=65_536)
def norm(text: str) -> str:
    """The comparison form of a spelling: NFKC, casefolded, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def strip_accents(text: str) -> str:
    """``text`` without combining accents (``Tomás`` -> ``Tomas``), case and spacing kept."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """:func:`norm` without accents (``Tomás`` and ``Tomas`` compare equal)."""
    return strip_accents(norm(text))


def words(text: str) -> list[str]:
    """Accent-free lower-case letter/digit runs (``"Maya-Okafor"`` -> ``["maya", "okafor"]``)."""
    return re.findall(r"[^\W_]+", fold(text))


def is_email(text: str) -> bool:
    """Whether the whole text is one e-mail address."""
    return EMAIL.fullmatch(text.strip()) is not None


def looks_json(text: str) -> bool:
    """Whether the text starts like a JSON object or array."""
    return text.lstrip()[:1] in ("{", "[")


def loads(text: str) -> Any:
    """The parsed JSON of ``text``, or ``_NOT_JSON`` when it is not JSON."""
    try:
        return json.loads(text)
    except ValueError:
        return _NOT_JSON


def is_person(obj: dict) -> bool:
    """Whether a JSON object describes a person (has a display name, login, e-mail or account id)."""
    return not PERSON_KEYS.isdisjoint(obj)


def person_spellings(obj: dict) -> tuple[tuple[str, str], ...]:
    """``(text, kind)`` of each spelling a person object holds; ``name`` beside ``displayName`` is a login."""
    out = []
    for key, value in obj.items():
        kind = SPELLING_KEYS.get(key)
        # initials are too short to be a spelling elsewhere; they go with their object
        if kind is None or kind == "initials" or type(value) not in (str, int) or value == "":
            continue
        if key == "name" and "displayName" in obj:
            kind = "login"  # Jira Server: name is the username, displayName the person
        out.append((str(value), kind))
    return tuple(out)


def person_change(obj: dict) -> bool:
    """Whether a JSON object is a history item whose from/to values are people (Jira changelog)."""
    field = obj.get("field")
    return isinstance(field, str) and field.casefold() in PERSON_FIELDS and (
        "fromString" in obj or "toString" in obj)


def split_people(cell: str) -> list[list[tuple[str, str]]]:
    """The people in a person column's cell: per person, ``(text, kind)`` of each spelling it gives.

    Several people are separated by ``;``, ``|`` or new lines, or by commas
    between multi-word names (``"Alice Smith, Bob Jones"``).  ``"Doe, Jane"``
    (two single words) is one person written family name first, and
    ``"Doe, Jane <jane@x.com>"`` gives the name, the address and the cell.
    """
    people = []
    cell = cell.strip()
    if cell.startswith("[") and cell.endswith("]"):  # ClickUp's bracketed lists: [Ann Lee, Bob Day]
        cell = cell[1:-1]
    for part in re.split(r"\s*[;|\n]\s*", cell):
        part = part.strip().strip("'\"")
        if not part:
            continue
        if m := IDENTITY.match(part):
            name = _first_last(m["name"].strip().strip("'\""))
            spellings = [(m["email"], "email"), (part, "variant")]
            people.append(([(name, "name"), (m["name"].strip(), "variant")] if name else []) + spellings)
            continue
        pieces = [p.strip() for p in part.split(",")]
        if len(pieces) == 2 and all(pieces) and not any(" " in p or "@" in p for p in pieces):
            people.append([(f"{pieces[1]} {pieces[0]}", "name"), (part, "variant")])
        else:
            people.extend([[(p, "email" if is_email(p) else "name")] for p in pieces if p])
    return people


def _first_last(name: str) -> str:
    pieces = [p.strip() for p in name.split(",")]
    return f"{pieces[1]} {pieces[0]}" if len(pieces) == 2 and all(pieces) else name


_CAPITALISED = re.compile(r"[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){1,3}")


def plausible(text: str, kind: str, *, strict: bool) -> bool:
    """Whether a person column's value can be a spelling of a person.

    ``strict`` (a column guessed from its header only) accepts e-mails and
    capitalised two-to-four-word names; otherwise single words (logins) are
    accepted as well.  Dates, numbers and sentences are never spellings.
    """
    text = text.strip()
    if not text or len(text) > 100 or URL.search(text) or PSEUDONYM.fullmatch(text) or looks_json(text):
        return False
    if kind in ("email", "id", "variant"):
        return True
    if is_email(text):
        return True
    if strict:
        return bool(_CAPITALISED.fullmatch(text)) and all(w[:1].isupper() for w in text.split())
    if " " in text:
        return not any(ch.isdigit() for ch in text) and len(text.split()) <= 5
    return any(ch.isalpha() for ch in text)


def variants(name: str) -> list[str]:
    """Other ways of writing a display name: ``Last, First`` and without accents."""
    parts = name.split()
    out = []
    if len(parts) >= 2 and "," not in name:
        out.append(f"{parts[-1]}, {' '.join(parts[:-1])}")
    stripped = strip_accents(name)
    if stripped != name:
        out.append(stripped)
        if len(parts) >= 2 and "," not in name:
            sp = stripped.split()
            out.append(f"{sp[-1]}, {' '.join(sp[:-1])}")
    return out


def trie_pattern(spellings: Iterable[str], *, re2: bool = False) -> str:
    """One regular expression matching any of ``spellings`` (normalised), longest first at each position.

    Built as a trie so a thousand names cost one pass; whitespace matches any
    run of whitespace.  ``re2`` escapes for pyarrow's RE2 engine.
    """
    trie: dict = {}
    for text in spellings:
        node = trie
        for ch in text:
            node = node.setdefault(ch, {})
        node[""] = {}

    def esc(ch: str) -> str:
        if ch.isspace():
            return r"\s+"
        if re2:
            return "\\" + ch if ch in r"\.^$|?*+()[]{}/-" else ch
        return re.escape(ch)

    def build(node: dict) -> str:
        alts = [esc(ch) + build(sub) for ch, sub in sorted(node.items()) if ch != ""]
        if not alts:
            return ""
        optional = "" in node
        body = alts[0] if len(alts) == 1 and not optional else "(?:" + "|".join(alts) + ")"
        return body + "?" if optional else body

    return build(trie)


def url_spans(text: str) -> list[tuple[bool, str]]:
    """``text`` cut into ``(is_url, piece)`` pieces."""
    out, pos = [], 0
    for m in URL.finditer(text):
        if m.start() > pos:
            out.append((False, text[pos:m.start()]))
        out.append((True, m.group()))
        pos = m.end()
    if pos < len(text):
        out.append((False, text[pos:]))
    return out

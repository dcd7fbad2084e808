"""Who is in an export: every spelling of every person, linked into one entry per person.

The collecting pass of :mod:`workfw.privacy`.  Spellings come from the
canonical people columns, from the raw columns trackers use for people
(mapped or not: Jira ``Creator``, ``Watchers``, user-picker custom fields,
Asana ``Followers``...), from person objects in JSON cells and from e-mail
addresses anywhere.  Spellings the export ties together (a name and its
account id on one row, a JSON object's login and name, an e-mail whose words
are a known name) become one person.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.privacy.text import (_NOT_JSON, EMAIL, JSON_HINT, PERSON_FIELDS, PERSON_VALUE_KEYS, PSEUDONYM, is_email,
                            is_person, loads, looks_json, norm, person_change, person_spellings, plausible,
                            split_people, url_spans, variants, words)
from workfw.actors import is_agent

__all__: list[str] = []

_KIND_ORDER = {"name": 0, "login": 1, "email": 2, "variant": 3, "id": 4}
#: Raw columns workfw adds itself; none holds a name.
INTERNAL = frozenset({"_file", "_row", "_outcome", "_reason", "task_id"})
#: Headers (casefolded, repeat number removed) that hold people in some tracker's export.
PERSON_HEADERS = frozenset({
    "assignee", "assignees", "reporter", "creator", "project lead", "watchers", "watcher",  # Jira
    "followers", "created by", "completed by", "collaborators", "last modified by",  # Asana
    "assigned to", "changed by", "closed by", "activated by", "resolved by", "state changed by",  # Azure DevOps
    "author", "authors", "reviewers", "members", "owner", "owners", "person", "people", "subscribers",
    "исполнитель", "автор", "создатель", "наблюдатели", "руководитель проекта",  # Russian Jira
})
#: Words that make any other header (a custom field such as ``Custom field (Approver)``) a guess.
_PERSON_WORDS = frozenset({
    "assignee", "assignees", "reporter", "creator", "watcher", "watchers", "owner", "owners", "author", "authors",
    "approver", "approvers", "reviewer", "reviewers", "requester", "requestor", "follower", "followers",
    "collaborator", "collaborators", "subscriber", "subscribers", "participant", "participants", "member",
    "members", "lead", "person", "people", "responsible", "sponsor", "tester", "testers", "developer",
    "developers", "manager", "contact",
})
_REPEAT = re.compile(r"\s*\(\d+\)$")
#: ``Assignee Id``, ``Watchers Id``, ``Assignee Email``: the stem names the people the ids belong to.
_ID_SUFFIX = re.compile(r"^(?P<stem>.+?)\s*(?:account\s*id|id|ids|e-?mail|e-?mail address)$", re.IGNORECASE)
#: Fields of the import's field map that say a column holds people.
_PERSON_FIELD_WORDS = ("assignee", "reporter", "author", "watchers")


class Directory:
    """Spellings keyed by :func:`norm`, joined into people with a union-find."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.texts: dict[str, list[str]] = {}
        self.kind: dict[str, str] = {}
        self.rank: dict[str, tuple[int, int, int]] = {}
        self.found: set[str] = set()
        self._objects: set[tuple] = set()

    def person(self, spellings: tuple[tuple[str, str], ...]) -> None:
        """Add one person object's spellings as one person (once per distinct object: authors repeat)."""
        if spellings not in self._objects:
            self._objects.add(spellings)
            self.link([self.add(t, k) for t, k in spellings])

    def add(self, text: Any, kind: str, *, canonical: bool = False, derived: bool = False) -> str | None:
        """Record one spelling; returns its key (None for blanks and pseudonyms)."""
        text = str(text).strip()
        if not text or PSEUDONYM.fullmatch(text):
            return None
        if kind == "name" and " " not in text:
            kind = "email" if is_email(text) else "login"
        key = norm(text)
        rank = (_KIND_ORDER[kind], 0 if canonical else 1, len(self.parent))
        if key not in self.parent:
            self.parent[key], self.texts[key], self.kind[key], self.rank[key] = key, [text], kind, rank
        else:
            if text not in self.texts[key] and len(self.texts[key]) < 8:
                self.texts[key].append(text)
            if rank < self.rank[key]:
                self.rank[key], self.kind[key] = rank, kind
        if not derived:
            self.found.add(key)
        return key

    def key(self, text: str) -> str | None:
        """The key of a spelling already recorded, else None."""
        key = norm(text)
        return key if key in self.parent else None

    def root(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def link(self, keys: Iterable[str | None]) -> None:
        """Make the given spellings one person."""
        roots = [self.root(k) for k in keys if k is not None]
        for other in roots[1:]:
            self.parent[other] = roots[0]

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key in self.parent:
            out.setdefault(self.root(key), []).append(key)
        return out

    def pseudonyms(self, salt: bytes) -> dict[str, str]:
        """Spelling key -> ``Person NN`` / ``Agent NN``, numbered in the order of a salted hash per person."""
        people, agents = [], []
        for members in self.groups().values():
            best = min(members, key=self.rank.__getitem__)
            digest = hmac.new(salt, best.encode("utf-8"), hashlib.sha256).hexdigest()
            agent = any(is_agent(t) for k in members if self.kind[k] != "id" for t in self.texts[k])
            (agents if agent else people).append((digest, members))
        out: dict[str, str] = {}
        for label, entries in (("Person", people), ("Agent", agents)):
            width = max(2, len(str(len(entries))))
            for number, (_, members) in enumerate(sorted(entries), start=1):
                out.update(dict.fromkeys(members, f"{label} {number:0{width}d}"))
        return out


def text_array(values: pd.Series) -> pa.Array | None:
    """A text column as one pyarrow array (None for numbers, dates, or object cells that are not all text)."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype) or not (dtype == object or pd.api.types.is_string_dtype(dtype)):
        return None
    if dtype == object:
        cells = values.to_numpy(dtype=object)
        if set(map(type, cells)) - {str, type(None), float, type(pd.NA)}:
            return None
        return pa.array(cells, from_pandas=True, type=pa.large_string())
    arr = pa.array(values.array)
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    return arr if arr.type == pa.large_string() else arr.cast(pa.large_string())


def distinct_array(values: pd.Series) -> pa.Array:
    """The distinct non-blank strings of a column as a pyarrow array (list cells flattened)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = pd.Series(values.cat.categories)
    arr = text_array(values)
    if arr is None:
        arr = list_items(values) if values.dtype == object else pa.array([], type=pa.large_string())
    arr = pc.unique(arr).drop_null()
    return arr.filter(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(arr)), 0))


def list_items(values: pd.Series) -> pa.Array:
    """The text items of an object column's list cells (and its text cells), flattened."""
    cells = values.to_numpy(dtype=object)
    try:  # canonical list columns (assignees, labels) hold lists of strings: flattened in C
        return pc.list_flatten(pa.array(cells, type=pa.list_(pa.large_string()), from_pandas=True))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    flat: list[str] = []
    for v in cells:
        if isinstance(v, (list, tuple, np.ndarray)):
            flat.extend(x for x in v if isinstance(x, str))
        elif isinstance(v, str):
            flat.append(v)
    return pa.array(flat, type=pa.large_string())


def distinct_text(values: pd.Series) -> list[str]:
    """:func:`distinct_array` as Python strings (for the small people columns)."""
    return distinct_array(values).to_pylist()


def header_role(header: str, field: str | None) -> tuple[str | None, bool]:
    """``(role, strict)`` of a raw column: role ``name``, ``email``, ``id`` or None; strict for guesses."""
    base = _REPEAT.sub("", str(header)).strip().casefold()
    inner = re.fullmatch(r"(?:custom field|пользовательское поле) \((.*)\)", base)
    base = inner.group(1).strip() if inner else base
    mapped = field is not None and any(w in str(field).casefold() for w in _PERSON_FIELD_WORDS)
    if m := _ID_SUFFIX.match(base):
        stem = m["stem"].strip()
        if stem in PERSON_HEADERS or set(stem.split()) & _PERSON_WORDS:
            return ("email" if "mail" in base[len(stem):] else "id"), False
    if base in ("email", "e-mail", "email address"):
        return "email", False
    if mapped or (base in PERSON_HEADERS and not inner):
        return "name", False
    if base in PERSON_HEADERS or set(re.findall(r"[\w-]+", base)) & _PERSON_WORDS or base.endswith(" by"):
        return "name", True
    return None, False


def _pair_stem(header: str) -> str | None:
    """For ``Watchers Id (2)`` the header of its names, ``Watchers (2)``."""
    repeat = _REPEAT.search(header)
    m = _ID_SUFFIX.match(_REPEAT.sub("", header).strip())
    return (m["stem"].strip() + (repeat.group() if repeat else "")) if m else None


def _cell_people(d: Directory, cell: str, role: str, strict: bool) -> list[list[str]]:
    """Add the people of one person-column cell; returns their keys, per person."""
    if looks_json(cell) and (obj := loads(cell)) is not _NOT_JSON:
        walk(d, obj)
        return []
    out = []
    for person in ([[(cell.strip(), role)]] if role in ("id", "email") else split_people(cell)):
        keys = [d.add(t, k) for t, k in person if plausible(t, k, strict=strict) or d.key(t)]
        keys = [k for k in keys if k]
        d.link(keys)
        out.append(keys)
    return out


def walk(d: Directory, obj: Any) -> None:
    """Add the people a parsed JSON value holds: person objects, history items, person-named keys."""
    kind = type(obj)
    if kind is list:
        for item in obj:
            if type(item) in (dict, list):
                walk(d, item)
        return
    if kind is not dict:
        return
    if is_person(obj):
        d.person(person_spellings(obj))
    elif person_change(obj):
        for side in ("from", "to"):
            name, ident = obj.get(f"{side}String"), obj.get(side)
            d.link([d.add(name, "name") if isinstance(name, str) else None,
                    d.add(ident, "id") if isinstance(ident, (str, int)) and not isinstance(ident, bool) else None])
    for key, value in obj.items():
        kind = type(value)
        # A bare string under "lead" or "owner" may be a word ("high"), so only names and addresses count.
        if key in PERSON_VALUE_KEYS and kind is str and plausible(value, "name", strict=True):
            d.add(value, "name")
        elif key in PERSON_VALUE_KEYS and kind is list and all(isinstance(v, str) for v in value):
            for v in value:
                if plausible(v, "name", strict=True):
                    d.add(v, "name")
        elif kind is dict or kind is list:
            walk(d, value)


def _arrow(values: list[str]) -> pa.Array:
    return pa.array(values, type=pa.large_string())


def _canonical(d: Directory, tasks: pd.DataFrame, events: pd.DataFrame) -> None:
    for col in ("assignee", "reporter", "assignees"):
        if col in tasks.columns:
            for text in distinct_text(tasks[col]):
                d.add(text, "name", canonical=True)
    if len(events) and "field" in events.columns:
        who = events["field"].astype("string").str.casefold().isin(PERSON_FIELDS).fillna(False).to_numpy(bool)
        for values in (events["author"], events.loc[who, "old"], events.loc[who, "new"]):
            for text in distinct_text(values):
                d.add(text, "name", canonical=True)


def _person_columns(d: Directory, raw: pd.DataFrame, fields: dict[str, str]) -> dict[str, tuple[str, bool]]:
    roles = {}
    for col in raw.columns:
        if col not in INTERNAL:
            role, strict = header_role(col, fields.get(col))
            if role:
                roles[col] = (role, strict)
    for col, (role, strict) in roles.items():
        for cell in distinct_text(raw[col]):
            _cell_people(d, cell, role, strict)
    for col, (role, _) in roles.items():
        stem = _pair_stem(col) if role in ("id", "email") else None
        if stem and stem in roles and roles[stem][0] == "name":
            _link_rows(d, raw, names=stem, ids=col, role=role)
    return roles


def _link_rows(d: Directory, raw: pd.DataFrame, *, names: str, ids: str, role: str) -> None:
    """Join a name column and its id (or e-mail) column row by row, e.g. ``Assignee`` and ``Assignee Id``."""
    pairs = pd.DataFrame({"n": raw[names].astype("string"), "i": raw[ids].astype("string")}).dropna()
    for name_cell, id_cell in pairs.drop_duplicates().itertuples(index=False):
        people = split_people(name_cell)
        id_parts = [p.strip() for p in re.split(r"[;|,\n]", id_cell) if p.strip()]
        if len(people) == len(id_parts):
            for person, ident in zip(people, id_parts):
                d.link([d.key(t) for t, _ in person] + [d.add(ident, role)])


def _json_cells(d: Directory, values: pd.Series, distinct: pa.Array) -> None:
    """Walk the person objects of a raw column's JSON text (or parsed JSON) cells."""
    if values.dtype == object and text_array(values) is None:
        for cell in values:
            if isinstance(cell, (dict, list)):
                walk(d, cell)
    if len(distinct):
        for text in distinct.filter(pc.match_substring_regex(distinct, JSON_HINT)).to_pylist():
            if (obj := loads(text)) is not _NOT_JSON:
                walk(d, obj)


def _listed_members(d: Directory, raw: pd.DataFrame, tasks: pd.DataFrame, fields: dict[str, str]) -> None:
    """Trello: ``idMembers`` lists member ids in the order ``assignees`` lists their names."""
    cols = [c for c, f in fields.items() if c in raw.columns and "assignees" in str(f) and "member" in str(f)]
    if not cols or "task_id" not in raw.columns:
        return
    names = pd.Series(tasks["assignees"].to_numpy(), index=tasks["task_id"].to_numpy())
    names = names[~names.index.duplicated()]
    for col in cols:
        rows = raw[["task_id", col]].dropna()
        for task_id, cell in rows.itertuples(index=False):
            ids, people = loads(str(cell)), names.get(task_id)
            if isinstance(ids, list) and isinstance(people, (list, np.ndarray)) and len(ids) == len(people):
                for ident, person in zip(ids, people):
                    if isinstance(ident, str) and (key := d.key(str(person))):
                        d.link([key, d.add(ident, "id")])


def _emails(d: Directory, texts: Iterable[str]) -> None:
    for text in texts:
        for is_url, piece in url_spans(text):
            if not is_url:
                for address in EMAIL.findall(piece):
                    d.add(address, "email")


def _link_by_words(d: Directory) -> None:
    """Join an e-mail or login to the one known name its words spell (``maya.okafor@``, ``mokafor``, ``ana@``)."""
    groups = d.groups()
    named = {root: [k for k in keys if d.kind[k] == "name" and len(k.split()) >= 2] for root, keys in groups.items()}
    index: dict[str, set[str]] = {}
    first: dict[str, set[str]] = {}
    for root, names in named.items():
        for key in names:
            w = words(key)
            if len(w) < 2:
                continue
            for form in ("".join(w), "".join(reversed(w)), w[0][0] + w[-1], w[0] + w[-1][0], w[0] + w[-1]):
                index.setdefault(form, set()).add(root)
            first.setdefault(w[0], set()).add(root)
    for root, keys in groups.items():
        if named[root]:
            continue
        for key in keys:
            if d.kind[key] not in ("email", "login"):
                continue
            local = key.split("@")[0].split("+")[0] if d.kind[key] == "email" else key
            w = words(local)
            found = index.get("".join(w), set()) or (first.get(w[0], set()) if len(w) == 1 else set())
            if len(found) == 1:
                d.link([key, next(iter(found))])
                break


def collect(export: Any) -> tuple[Directory, dict[str, tuple[str, bool]]]:
    """Every person of ``export`` with all their spellings, and the raw columns that hold people.

    Returns
    -------
    tuple
        The :class:`Directory` and ``{raw column: (role, strict)}`` of the
        raw columns recognised as person columns.
    """
    d = Directory()
    tasks, events, raw = export.tasks, export.events, export.raw
    fields = {}
    field_map = getattr(export.report, "field_map", None)
    if isinstance(field_map, pd.DataFrame) and {"column", "field"} <= set(field_map.columns):
        fields = {str(c): str(f) for c, f in zip(field_map["column"], field_map["field"])}
    _canonical(d, tasks, events)
    roles = _person_columns(d, raw, fields)
    # One pass over every column's distinct values: e-mails anywhere, JSON person objects in raw cells,
    # and the small raw columns kept for the known-people test below.
    addresses, small = list(map(str, export.report.warnings)), {}
    for table, frame in (("tasks", tasks), ("events", events), ("raw", raw)):
        for col in frame.columns:
            distinct = distinct_array(frame[col])
            addresses.extend(distinct.filter(pc.match_substring(distinct, "@")).to_pylist())
            if table == "raw" and col not in INTERNAL and col not in roles:
                _json_cells(d, frame[col], distinct)
                if 0 < len(distinct) <= _KNOWN_LIMIT:
                    small[col] = distinct
    _listed_members(d, raw, tasks, fields)
    roles.update(_known_columns(d, small))
    _emails(d, addresses)
    _link_by_words(d)
    for key in list(d.found):
        if d.kind[key] == "name":
            for text in d.texts[key]:
                d.link([key] + [d.add(v, "variant", derived=True) for v in variants(text)])
    return d, roles


#: Distinct values above which a column is not tested for holding people (titles, dates, ids).
_KNOWN_LIMIT = 50_000


def _known_columns(d: Directory, columns: dict[str, pa.Array]) -> dict[str, tuple[str, bool]]:
    """Columns no header names as people, but whose values are mostly known people (at least half)."""
    known = _arrow(sorted(d.parent))
    out = {}
    for col, values in columns.items():
        keys = pc.utf8_lower(pc.utf8_trim_whitespace(values))
        hits = int(pc.sum(pc.is_in(keys, value_set=known)).as_py() or 0)
        if hits and hits * 2 >= len(values):
            out[col] = ("name", True)
            for cell in values.to_pylist():
                _cell_people(d, cell, "name", True)
    return out

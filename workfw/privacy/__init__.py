"""Pseudonymised names for screens shared in a workshop.

:func:`pseudonymise` replaces every person's name everywhere a name can
surface: the task table, the history, every raw column of the import (of any
dtype, mapped or not: Jira ``Creator``, ``Project lead``, ``Watchers``,
user-picker custom fields, Asana ``Followers``, Linear e-mail addresses,
GitHub and Jira JSON person objects...), and the import report's warnings.
Diagnoses, findings, charts and reports computed from the result therefore
show only pseudonyms.

How people are found
--------------------
Spellings are collected from the canonical people columns (``assignee``,
``assignees``, ``reporter``, the history's authors and assignee changes),
from raw columns trackers use for people (recognised by header, by the field
they were mapped to, or because most of their values are known people), from
person objects in JSON text (``displayName``, ``emailAddress``,
``accountId``, ``login``, ``fullName``, ``username``...) and from e-mail
addresses anywhere.  Spellings the export ties together are one person, with
one pseudonym: a Jira name and its account id on one row, a GitHub login and
name in one object, an Azure DevOps ``Doe, Jane <jane@x.com>``, an Asana
assignee and its e-mail, an e-mail or login whose words spell a known name
(``maya.okafor@``, ``mokafor``, ``ana@`` when one person is called Ana).

Each known spelling is then replaced where it is a whole cell, a list item
or a delimited part of a cell (``"Ann Lee, Bob Day"``, ``"a; b"``,
``"date;accountId;text"``), and every e-mail address is replaced wherever it
stands.  URLs are left as they are (a link keeps working even when it holds
a login).  Free text (titles, descriptions, comments) keeps names written
inside sentences unless ``in_text=True``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workfw.privacy.people import collect
from workfw.privacy.replace import Replacer
from workfw.privacy.salt import pseudonym_salt
from workfw.privacy.text import PERSON_FIELDS
from workfw.errors import OptionError
from workfw.export import TaskExport

__all__ = ["pseudonym_map", "pseudonymise", "pseudonym_salt"]

#: Task columns that hold ids, never names.
_ID_COLUMNS = ("task_id", "parent_id", "blocked_by")
_PERSON_TASK_COLUMNS = ("assignee", "assignees", "reporter")


def _salt(salt: str | bytes | None) -> bytes:
    if salt is None:
        return pseudonym_salt()
    if isinstance(salt, str):
        return salt.encode("utf-8")
    if isinstance(salt, (bytes, bytearray)):
        return bytes(salt)
    raise OptionError(f"pseudonymise: salt is a {type(salt).__name__}; expected None (the workspace's salt), "
                      "str or bytes. Next step: pass salt=None, or a fixed string to repeat the same pseudonyms.")


def _check(export: Any) -> TaskExport:
    if not isinstance(export, TaskExport):
        raise OptionError(f"pseudonymise: found a {type(export).__name__}; expected a TaskExport (from "
                          "wf.read_export or wf.load_sample). Next step: read the file first.")
    return export


def _directory(export: TaskExport, salt: str | bytes | None) -> tuple[Any, dict, dict[str, str]]:
    people, roles = collect(export)
    return people, roles, people.pseudonyms(_salt(salt))


def pseudonym_map(export: TaskExport, *, salt: str | bytes | None = None) -> dict[str, str]:
    """Return each spelling of each person in ``export`` -> their pseudonym.

    Pseudonyms are ``Person 01``, ``Person 02``... for people and ``Agent 01``...
    for bots and AI agents (:func:`workfw.actors.is_agent`), so people-versus-
    agent splits still read right.  Numbers follow the order of a salted hash
    of each person's name (HMAC-SHA256 of the normalised name, keyed by the
    salt), not the order of the names: with the team's roster in hand one
    still cannot tell who ``Person 01`` is.  Numbers were kept rather than
    short random codes because a workshop reads them aloud ("Person 7 holds
    twelve tasks"), and they stay stable for one export and one salt, so
    every notebook of a workspace agrees.  All spellings of one person (name,
    login, e-mail, account id) share one pseudonym.

    Parameters
    ----------
    export : TaskExport
        The export as read.
    salt : str or bytes, optional
        Secret that orders the numbers.  None (default) uses the workspace's
        salt (:func:`workfw.workspace.pseudonym_salt`, created on first use);
        pass a fixed value to repeat the same pseudonyms elsewhere.

    Returns
    -------
    dict of str to str
        Spelling as written in the export -> pseudonym (derived spellings
        such as ``Okafor, Maya`` are replaced too but not listed).

    Examples
    --------
    >>> import workfw as wf
    >>> names = wf.privacy.pseudonym_map(wf.load_sample("linear"), salt="workshop")  # doctest: +SKIP
    >>> names["Maya Okafor"]  # doctest: +SKIP
    'Person 17'
    """
    people, _, names = _directory(_check(export), salt)
    return {text: names[key] for key in people.found for text in people.texts[key]}


def pseudonymise(export: TaskExport, *, salt: str | bytes | None = None, in_text: bool = False) -> TaskExport:
    """Return a copy of ``export`` with every person's name, login and e-mail replaced by a pseudonym.

    Replaced in every column of the task table, the history and the raw rows
    (any dtype: object, ``StringDtype``, Arrow strings, categorical; list
    cells; JSON text), and in the import report's warnings.  See the module
    docstring for how people are found, and :func:`pseudonym_map` for the
    pseudonyms.  Running it twice changes nothing more.

    Parameters
    ----------
    export : TaskExport
        The export as read; it is not changed.
    salt : str or bytes, optional
        As in :func:`pseudonym_map`; None uses the workspace's salt.
    in_text : bool
        Also replace names written inside free text (titles, descriptions,
        comments, any other text): full names, ``Last, First``, logins,
        e-mail addresses and account ids as whole words (3 characters or
        more), and a person's single first or family name when capitalised,
        at least 3 letters long and not an everyday word (``Grant``, ``Will``
        stay).  A single name two people share becomes ``[person]``.  Off by
        default: titles are the team's words, and a diagnosis never reads
        names from them.

    Returns
    -------
    TaskExport
        New tables; a list column that held no name shares its lists with ``export``.

    Notes
    -----
    A saved export reads its raw rows on first use; pseudonymising reads
    them, because names can hide in columns no framework uses.
    """
    export = _check(export)
    people, roles, names = _directory(export, salt)
    replace = Replacer(names, people.texts, people.kind, in_text=bool(in_text))
    tasks = replace.frame(export.tasks, person=_PERSON_TASK_COLUMNS, skip=_ID_COLUMNS)
    events = export.events
    if len(events):
        events = replace.frame(events, person=("author",), skip=("task_id", "old", "new"))
        who = _person_rows(events)
        for col in ("old", "new"):
            events[col] = _split_column(replace, events[col], who).array
    raw = replace.frame(export.raw, person=roles, skip=("task_id", "_row"))
    return TaskExport(tasks=tasks, events=events, raw=raw, report=replace.report(export.report))


def _person_rows(events: pd.DataFrame) -> np.ndarray:
    return events["field"].astype("string").str.casefold().isin(PERSON_FIELDS).fillna(False).to_numpy(dtype=bool)


def _split_column(replace: Replacer, values: pd.Series, who: np.ndarray) -> pd.Series:
    """History ``old``/``new``: people on assignee rows, any other value (a status) elsewhere."""
    cells = values.to_numpy(dtype=object, copy=True)
    changed = False
    for rows, person in ((who, True), (~who, False)):
        new = replace.column(values[rows], person=person) if rows.any() else None
        if new is not None:
            cells[rows] = new.to_numpy(dtype=object)
            changed = True
    if not changed:
        return values
    dtype = "category" if isinstance(values.dtype, pd.CategoricalDtype) else values.dtype
    return pd.Series(cells, index=values.index, name=values.name).astype(dtype)

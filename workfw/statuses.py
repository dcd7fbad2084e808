"""The one status categoriser: which of workfw's four categories a status name belongs to.

Every part of workfw places status names the same way.  :func:`status_categories` places
names (a task's status, or the ``old`` and ``new`` of a recorded move) with, in order:

1. the task table's own ``status -> status_category`` pairs (:func:`table_categories`), which
   already carry the user's status map, the categories an export states and the trackers'
   defaults; then, for names only the history holds, how the read placed them, recorded on each
   status move as ``old_category`` and ``new_category`` (:func:`history_categories`), with the same
   map, rules and defaults; :func:`known_categories` joins both.  Analyses of moves (flow
   timelines, the Stack's status moves) read each move's recorded categories first
   (:func:`move_categories`), so files combined keep their own placing;
2. the keyword rules (:func:`status_rules`, ``status_rules.csv``: ``category, language,
   pattern, note`` in English and the languages of Jira's UI), the first rule whose pattern is
   found in the name placing it;
3. else no category (NA): the name is *unplaced*.

Names are compared stripped and casefolded (:func:`status_key`), so ``" Done"`` and ``"done"``
are one status.  An unplaced status counts as neither open nor done anywhere: ``read_export``
leaves its tasks without a category and warns, the diagnoses leave its moves out of reopen and
progress counts, and flow leaves its spans out of WIP and the cumulative flow.  A guess of
*to do* would put unknown work in a band the user never chose; the read warning names the
statuses to map instead.

The keyword rules put queue states between commitment and delivery ("Ready for QA",
"Awaiting review", "Deployed to staging") and "Reopened" before the to-do words, and read
"not done" as to do before "done" matches.  :func:`normalise_category` reads the category
*words* an export states (Jira's ``Status Category``: ``"To Do"``, ``"В работе"``...).
"""
from __future__ import annotations

import io
import re
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from importlib import resources
from typing import Any, Iterator, Mapping

import numpy as np
import pandas as pd

from workfw.errors import OptionError

__all__ = ["STATUS_CATEGORIES", "status_key", "status_rules", "check_status_rules", "use_status_rules",
           "keyword_rule", "keyword_category", "normalise_category", "table_categories", "history_categories",
           "known_categories", "status_categories", "move_categories"]

#: The four status categories, in workflow order.
STATUS_CATEGORIES: tuple[str, ...] = ("todo", "in_progress", "done", "cancelled")

_RULE_COLUMNS = ("category", "language", "pattern", "note")
_MISSING = (None, pd.NA, pd.NaT)


def status_key(name: Any) -> str | None:
    """The form in which status names are compared: stripped and casefolded.

    Parameters
    ----------
    name : object
        A status name (text, or anything printable).

    Returns
    -------
    str or None
        ``str(name).strip().casefold()``; None for a missing name (None, NA, NaN).
    """
    if any(name is m for m in _MISSING) or (isinstance(name, float) and name != name):
        return None
    return str(name).strip().casefold()


# --------------------------------------------------------------------------- the keyword rules

@lru_cache(maxsize=1)
def _builtin_rules() -> pd.DataFrame:
    text = resources.files("workfw").joinpath("status_rules.csv").read_text(encoding="utf-8")
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


# The rules a read_export(status_rules=...) call reads with, for the length of that call only.
_ACTIVE: ContextVar[pd.DataFrame | None] = ContextVar("workfw_status_rules", default=None)


def status_rules() -> pd.DataFrame:
    """Return the keyword rules that place status names: ``category, language, pattern, note``, in order.

    The first rule whose ``pattern`` (a regular expression, matched anywhere
    in the status name, ignoring case) is found places the status.  Pass an
    edited copy as ``read_export(..., status_rules=table)`` to read with it.

    Returns
    -------
    pandas.DataFrame
        A copy; changing it changes nothing until it is passed back.
    """
    active = _ACTIVE.get()
    return (active if active is not None else _builtin_rules()).copy()


def check_status_rules(table: Any, *, file: str | None = None) -> pd.DataFrame:
    """Check a rules table (categories known, patterns valid) and return it with every column as text.

    Parameters
    ----------
    table : pandas.DataFrame
        A table like :func:`status_rules` (``category`` and ``pattern`` at least).
    file : str, optional
        The file being read, named in error messages.

    Returns
    -------
    pandas.DataFrame
        ``category, language, pattern, note``, every cell text.

    Raises
    ------
    OptionError
        ``table`` is no such table, names an unknown category or holds a pattern that is not a
        regular expression.
    """
    where = f"{file}: " if file else ""
    if not isinstance(table, pd.DataFrame) or not {"category", "pattern"} <= set(table.columns):
        raise OptionError(f"{where}option status_rules is a {type(table).__name__} without columns 'category' and "
                          "'pattern'; expected a table like workfw.io.status_rules(). Next step: edit a copy of "
                          "status_rules() and pass it back.")
    out = table.copy()
    for col in _RULE_COLUMNS:
        out[col] = out[col].fillna("").astype(str) if col in out else ""
    for pos, (category, pattern) in enumerate(zip(out["category"], out["pattern"])):
        if category not in STATUS_CATEGORIES:
            raise OptionError(f"{where}option status_rules, row {pos + 1}: category {category!r}; expected one of "
                              f"{list(STATUS_CATEGORIES)}. Next step: correct the category of that rule.")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise OptionError(f"{where}option status_rules, row {pos + 1}: pattern {pattern!r} is not a regular "
                              f"expression ({exc}). Next step: correct the pattern (escape '(' as '\\(').") from exc
    return out[list(_RULE_COLUMNS)].reset_index(drop=True)


@contextmanager
def use_status_rules(table: pd.DataFrame | None) -> Iterator[None]:
    """Place status names with ``table`` instead of the built-in rules inside the ``with`` block.

    Parameters
    ----------
    table : pandas.DataFrame or None
        A rules table (checked with :func:`check_status_rules`); None keeps the current rules.
    """
    if table is None:
        yield
        return
    token = _ACTIVE.set(check_status_rules(table))
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def _fold(text: str) -> str:
    # Turkish dotted and dotless i lower differently ("YAPILACAK" -> "yapilacak", "İ" -> "i" + dot above),
    # so both become a plain "i"; the rest of the case is left to re.IGNORECASE.  Stripped, so that rules
    # anchored at both ends ("^listo$") hold for a name typed with a trailing space.
    return unicodedata.normalize("NFC", text).strip().lower().replace("\u0307", "").replace("ı", "i")


class _CompiledRules:
    """A rules table's patterns, each compiled the first time a search reaches it.

    Most status names are placed by one of the first rules, and compiling all of them (several hundred
    patterns across the languages) cost ~25 ms at the start of every import.
    """

    def __init__(self, rules: tuple[tuple[str, str, str], ...]) -> None:
        self._rules = rules
        self._patterns: dict[int, re.Pattern] = {}

    def __iter__(self) -> Iterator[tuple[str, str, re.Pattern]]:
        for i, (category, language, pattern) in enumerate(self._rules):
            compiled = self._patterns.get(i)
            if compiled is None:
                # Patterns are not lowered as the text is: a pattern's \W lowered would become \w.
                compiled = self._patterns.setdefault(i, re.compile(
                    unicodedata.normalize("NFC", pattern).replace("İ", "i").replace("ı", "i"), re.IGNORECASE))
            yield category, language, compiled


@lru_cache(maxsize=8)
def _compile(key: tuple) -> _CompiledRules:
    return _CompiledRules(key)


def _compiled() -> _CompiledRules:
    table = _ACTIVE.get()
    table = _builtin_rules() if table is None else table
    return _compile(tuple(zip(table["category"], table["language"], table["pattern"])))


def keyword_rule(status: str) -> tuple[str, str] | None:
    """The category and language of the first keyword rule that places ``status``.

    Parameters
    ----------
    status : str
        A status name.

    Returns
    -------
    tuple of (str, str) or None
        ``(category, language)``; None when no rule places the name.
    """
    low = _fold(status)
    for category, language, pattern in _compiled():
        if pattern.search(low):
            return category, language
    return None


def keyword_category(status: str) -> str | None:
    """Place a status name by the keyword rules alone; None when no rule does.

    Parameters
    ----------
    status : str
        A status name.

    Returns
    -------
    str or None
        One of :data:`STATUS_CATEGORIES`, or None.
    """
    found = keyword_rule(status)
    return found[0] if found else None


# --------------------------------------------------------------------------- category words of an export

_CATEGORY_WORDS = {
    "to do": "todo", "todo": "todo", "new": "todo", "open": "todo", "backlog": "todo", "unstarted": "todo",
    "in progress": "in_progress", "in_progress": "in_progress", "indeterminate": "in_progress", "started": "in_progress",
    "doing": "in_progress", "done": "done", "complete": "done", "completed": "done", "closed": "done",
    "cancelled": "cancelled", "canceled": "cancelled",
    # Jira's three status categories as its UI languages write them.
    "к выполнению": "todo", "в работе": "in_progress", "готово": "done",
    "zu erledigen": "todo", "in arbeit": "in_progress", "fertig": "done",
    "à faire": "todo", "en cours": "in_progress", "terminé": "done", "terminée": "done",
    "tareas por hacer": "todo", "por hacer": "todo", "en curso": "in_progress", "en progreso": "in_progress",
    "listo": "done", "hecho": "done",
    "a fazer": "todo", "itens pendentes": "todo", "em andamento": "in_progress", "em progresso": "in_progress",
    "concluído": "done", "concluido": "done", "feito": "done",
    "da fare": "todo", "in corso": "in_progress", "completata": "done", "completato": "done", "fatto": "done",
    "te doen": "todo", "bezig": "in_progress", "in uitvoering": "in_progress", "gereed": "done", "klaar": "done",
    "do zrobienia": "todo", "w toku": "in_progress", "w trakcie": "in_progress", "gotowe": "done",
    "úkoly": "todo", "k řešení": "todo", "probíhá": "in_progress", "hotovo": "done",
    "teendő": "todo", "teendők": "todo", "folyamatban": "in_progress", "kész": "done",
    "tehtävä": "todo", "tehtävät": "todo", "työn alla": "in_progress", "valmis": "done",
    "att göra": "todo", "pågår": "in_progress", "klart": "done", "klar": "done",
    "yapılacaklar": "todo", "yapılacak": "todo", "devam ediyor": "in_progress", "bitti": "done",
    "tamamlandı": "done",
    "未着手": "todo", "進行中": "in_progress", "完了": "done",
    "待办": "todo", "待辦": "todo", "待辦事項": "todo", "处理中": "in_progress", "處理中": "in_progress",
    "进行中": "in_progress", "完成": "done", "已完成": "done",
    "해야 할 일": "todo", "진행 중": "in_progress", "완료": "done",
}


def normalise_category(value: object) -> str | None:
    """Read a category word an export states (``"To Do"``, ``"Done"``, ``"В работе"``...) as a category.

    This reads a *category* column, not status names (those go through :func:`status_categories`).

    Parameters
    ----------
    value : object
        The stated category.

    Returns
    -------
    str or None
        One of :data:`STATUS_CATEGORIES`; None when missing or not a category word.
    """
    key = status_key(value)
    return None if key is None else _CATEGORY_WORDS.get(key)


# --------------------------------------------------------------------------- the categoriser

def table_categories(tasks: pd.DataFrame) -> dict[str, str]:
    """How the task table itself places each status name it holds.

    Parameters
    ----------
    tasks : pandas.DataFrame
        A task table with ``status`` and ``status_category``.  Pass the whole export's table, not a
        filtered selection: a filter must not change where a status belongs.

    Returns
    -------
    dict
        :func:`status_key` of each status name -> the category most of its tasks have (ties go to
        the earlier category in workflow order).  Names whose tasks have no category are absent.
    """
    if "status" not in tasks.columns or "status_category" not in tasks.columns or tasks.empty:
        return {}
    # Each distinct name keyed once, not every row (a few dozen names, a million rows).
    codes, names = pd.factorize(tasks["status"].astype("string"))
    keys = [status_key(n) for n in names]
    key_index = {key: pos for pos, key in enumerate(dict.fromkeys(keys))}
    key_code = np.array([key_index[k] for k in keys] + [-1], dtype=np.int64)[codes]
    stated = tasks["status_category"]
    if isinstance(stated.dtype, pd.CategoricalDtype):
        # The canonical column is categorical already: recoding it costs far less than reading a million words.
        category = stated.cat.set_categories(list(STATUS_CATEGORIES)).cat.codes.to_numpy()
    else:
        category = pd.Categorical(stated.astype(object), categories=list(STATUS_CATEGORIES)).codes
    both = (key_code >= 0) & (category >= 0)
    width = len(STATUS_CATEGORIES)
    counts = np.bincount(key_code[both] * width + category[both], minlength=len(key_index) * width)
    counts = counts.reshape(len(key_index), width)
    best = counts.argmax(axis=1)  # the first maximum: the earlier category in workflow order
    return {key: STATUS_CATEGORIES[best[pos]] for key, pos in key_index.items() if counts[pos].any()}


def history_categories(events: pd.DataFrame | None) -> dict[str, str]:
    """How the read placed each status name its history moves out of and into (``old_category``, ``new_category``).

    A read places every status its history names, with the user's ``status_map``, the rules it
    was read with and the tracker's defaults, and records on each status move the categories of
    the statuses it leaves and enters.  Names no current task holds are known only this way.
    Where files combined placed a name differently, the category most moves give it wins (ties
    go to the earlier category in workflow order); analyses of moves read each move's own.

    Parameters
    ----------
    events : pandas.DataFrame or None
        A status history (:data:`workfw.schema.EVENT_COLUMNS`); a table without the category columns
        (one built by hand, or saved before workfw recorded them) places nothing.

    Returns
    -------
    dict
        :func:`status_key` of each name -> its category.
    """
    if events is None or not len(events):
        return {}
    status = ((events["field"] == "status").fillna(False).to_numpy(dtype=bool) if "field" in events.columns
              else np.ones(len(events), dtype=bool))
    moves: dict[tuple[str, str], int] = {}
    for side in ("old", "new"):
        col = f"{side}_category"
        if side in events.columns and col in events.columns:
            for pair, count in _pair_counts(events[side], events[col], status).items():
                moves[pair] = moves.get(pair, 0) + count
    best: dict[str, tuple[int, int, str]] = {}
    for (name, category), count in moves.items():
        key = status_key(name)
        # Most moves first, then the earlier category in workflow order.
        rank = (-count, STATUS_CATEGORIES.index(category), category)
        if key and category in STATUS_CATEGORIES and (key not in best or rank < best[key]):
            best[key] = rank
    return {key: rank[2] for key, rank in best.items()}


def _pair_counts(names: pd.Series, categories: pd.Series, rows: np.ndarray) -> dict[tuple[str, str], int]:
    """How many of ``rows`` hold each (name, category) pair, both present; numbered, not hashed as text pairs."""
    name_codes, name_values = pd.factorize(names)
    category_codes, category_values = pd.factorize(categories)
    keep = rows & (name_codes >= 0) & (category_codes >= 0)
    if not keep.any():
        return {}
    width = len(category_values)
    counts = np.bincount(name_codes[keep].astype(np.int64) * width + category_codes[keep],
                         minlength=len(name_values) * width)
    return {(str(name_values[at // width]), str(category_values[at % width])): int(counts[at])
            for at in np.flatnonzero(counts)}


def known_categories(tasks: pd.DataFrame, events: pd.DataFrame | None) -> dict[str, str]:
    """:func:`table_categories` of ``tasks``, with :func:`history_categories` of ``events`` for the other names.

    Parameters
    ----------
    tasks : pandas.DataFrame
        The whole export's task table (see :func:`table_categories`).
    events : pandas.DataFrame or None
        Its status history.

    Returns
    -------
    dict
        :func:`status_key` of each name -> its category; a name a task holds is placed as the table places it.
    """
    return {**history_categories(events), **table_categories(tasks)}


def status_categories(names: pd.Series, known: Mapping[str, str]) -> pd.Series:
    """Place status names in categories: the table's own pairs, then the keyword rules, else NA.

    Parameters
    ----------
    names : pandas.Series
        Status names (a task's status, or a move's ``old`` or ``new``).
    known : mapping
        :func:`known_categories` of the export (``{}`` for the keyword rules alone).

    Returns
    -------
    pandas.Series
        A ``string`` Series on ``names``' index: one of :data:`STATUS_CATEGORIES`, or NA where the
        name is missing or unplaced (no pair and no rule places it).
    """
    codes, uniques = pd.factorize(names.astype("string"))

    def place(name: str) -> Any:
        return known.get(status_key(name)) or keyword_category(name) or pd.NA

    # Placed once per distinct name: history repeats a few dozen names a million times.
    placed = np.array([place(name) for name in uniques] + [pd.NA], dtype=object)
    return pd.Series(placed[codes], index=names.index, dtype="string")


def move_categories(names: pd.Series, recorded: pd.Series | None, known: Mapping[str, str]) -> pd.Series:
    """Categories of the statuses of recorded moves: each as its own read placed it, by name where none was.

    Parameters
    ----------
    names : pandas.Series
        The statuses (a history's ``old`` or ``new``).
    recorded : pandas.Series or None
        The categories the read recorded for them (``old_category`` or ``new_category``), on the same
        index; None for a history built without them.
    known : mapping
        :func:`known_categories` of the export, for :func:`status_categories` where nothing was recorded.

    Returns
    -------
    pandas.Series
        A ``string`` Series on ``names``' index (NA where unplaced).
    """
    by_name = status_categories(names, known)
    return by_name if recorded is None else recorded.astype("string").fillna(by_name)

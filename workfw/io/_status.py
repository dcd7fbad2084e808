"""Placing tracker status names into workfw's four status categories.

The keyword rules live in one table, ``data/status_rules.csv`` (``category,
language, pattern, note``), in English and the languages of Jira's UI; the
first rule whose pattern is found in a status name places it.  Queue states
between commitment and delivery ("Ready for QA", "Awaiting review",
"Deployed to staging") and "Reopened" come before the to-do words, and "not
done" is read as to do before "done" matches.  :func:`status_rules` returns
the table; ``read_export(..., status_rules=table)`` reads with another one.
A status no rule places gets no category (neither open nor done) rather
than a guess of to do.
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
from workfw.schema import STATUS_CATEGORIES
from workfw.io._common import text_codes

__all__ = ["keyword_category", "keyword_rule", "apply_status_map", "normalise_category", "status_rules",
           "use_status_rules", "check_status_rules", "UNPLACED"]

#: The status map rule of tasks with no status and no stated category.
_NO_STATUS = "no status, left without a category"
#: The status map rule of status names no rule places (their tasks get no category).
UNPLACED = "unplaced"
_RULE_COLUMNS = ("category", "language", "pattern", "note")


@lru_cache(maxsize=1)
def _builtin_rules() -> pd.DataFrame:
    text = resources.files("workfw.io").joinpath("data", "status_rules.csv").read_text(encoding="utf-8")
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


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
    """Check a rules table (categories known, patterns valid) and return it with every column as text."""
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
    """Read status names with ``table`` instead of the built-in rules inside the ``with`` block."""
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
    # so both become a plain "i"; the rest of the case is left to re.IGNORECASE.
    return unicodedata.normalize("NFC", text).lower().replace("\u0307", "").replace("ı", "i")


@lru_cache(maxsize=8)
def _compile(key: tuple) -> list[tuple[str, str, re.Pattern]]:
    # Patterns are not lowered as the text is: a pattern's \W lowered would become \w.
    return [(category, language, re.compile(unicodedata.normalize("NFC", pattern).replace("İ", "i").replace("ı", "i"),
                                            re.IGNORECASE))
            for category, language, pattern in key]


def _compiled() -> list[tuple[str, str, re.Pattern]]:
    table = _ACTIVE.get()
    table = _builtin_rules() if table is None else table
    return _compile(tuple(zip(table["category"], table["language"], table["pattern"])))


def keyword_rule(status: str) -> tuple[str, str] | None:
    """The category and language of the first rule that places ``status``; None when no rule does."""
    low = _fold(status)
    for category, language, pattern in _compiled():
        if pattern.search(low):
            return category, language
    return None


def keyword_category(status: str) -> str | None:
    """Guess a status name's category from the keyword rules; None when nothing matches."""
    found = keyword_rule(status)
    return found[0] if found else None


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
    """Map a category word from an export (``"To Do"``, ``"Done"``, ``"В работе"``...) to a canonical category."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return _CATEGORY_WORDS.get(str(value).strip().casefold())


def _check_user_map(user_map: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for status, category in user_map.items():
        if category not in STATUS_CATEGORIES:
            raise OptionError(f"status_map[{status!r}] = {category!r}; expected one of {list(STATUS_CATEGORIES)}. "
                              "Next step: map each status name to one of those categories.")
        out[str(status).strip().casefold()] = category
    return out


def apply_status_map(status: pd.Series, from_export: pd.Series | None, *, default_map: Mapping[str, str],
                     user_map: Mapping[str, str] | None, warnings: list[str],
                     guesses: Mapping[str, tuple[str, str]] | None = None) -> tuple[pd.Series, pd.DataFrame]:
    """Give every task a status category and explain how each status name was placed.

    Precedence: the user's map, then a category the export itself states
    (Jira's ``Status Category``, GitHub's state), then the tracker's default
    map, then the keyword rules (:func:`status_rules`), then a reader's
    ``guesses`` from other evidence (a board's list order), else no category:
    the rule says ``"unplaced"`` and a warning names the statuses, so signals
    that split open from done work leave those tasks out until the user maps
    them.  A task with neither a status nor a stated category gets none too.

    Parameters
    ----------
    guesses : mapping, optional
        Status name -> ``(category, rule text)`` for names no rule places.

    Returns
    -------
    tuple
        The category per task (NA where unknown), and the status map table
        (``status, status_category, rule, tasks``).
    """
    user = _check_user_map(user_map or {})
    default = {k.casefold(): v for k, v in default_map.items()}
    guessed = {str(k).strip().casefold(): v for k, v in (guesses or {}).items()}
    exported = from_export if from_export is not None else pd.Series(pd.NA, index=status.index, dtype=object)
    # Every row's (status, stated category) pair as one integer: a million rows hold a few dozen pairs.
    status_codes, status_names = text_codes(status.astype("string"))
    exported_codes, exported_names = text_codes(exported.astype("string"))
    pair = (status_codes + 1) * (len(exported_names) + 1) + exported_codes + 1
    distinct, first, inverse, counts = np.unique(pair, return_index=True, return_inverse=True, return_counts=True)
    order = np.argsort(first, kind="stable")  # pairs in order of first appearance, as groupby(sort=False)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    codes = rank[inverse.reshape(-1)]
    first_rows = first[order]
    combos = pd.DataFrame({
        "status": pd.Series([status_names[c] if c >= 0 else "(none)" for c in status_codes[first_rows]],
                            dtype=pd.StringDtype()),
        "exported": pd.Series([exported_names[c] if c >= 0 else "" for c in exported_codes[first_rows]],
                              dtype=pd.StringDtype()),
        "tasks": counts[order].astype(np.int64)})
    cats, rules, unknown = [], [], []
    missing = dict(zip(zip(combos["status"], combos["exported"]), status_codes[first_rows] < 0))
    for st, ex in zip(combos["status"], combos["exported"]):
        key = st.strip().casefold()
        if bool(missing.get((st, ex), False)) and ex not in STATUS_CATEGORIES:
            cats.append(None); rules.append(_NO_STATUS)
        elif key in user:
            cats.append(user[key]); rules.append("your map")
        elif ex in STATUS_CATEGORIES:
            cats.append(ex); rules.append("stated in the export")
        elif key in default:
            cats.append(default[key]); rules.append("tracker default")
        elif (kw := keyword_rule(st)) is not None:
            cats.append(kw[0]); rules.append("keyword" if kw[1] in ("en", "") else f"keyword ({kw[1]})")
        elif key in guessed:
            cats.append(guessed[key][0]); rules.append(guessed[key][1])
        else:
            cats.append(None); rules.append(UNPLACED); unknown.append(st)
    combos["status_category"] = cats
    combos["rule"] = rules
    no_status = int(combos.loc[combos["rule"] == _NO_STATUS, "tasks"].sum())
    if no_status and no_status == len(status):
        warnings.append("The export has no status (no status column, or it is empty on every task) and states no "
                        "status category, so no task counts as open or done: signals that split open from finished "
                        "work are not measurable. Next step: export the Status column too.")
    elif no_status:
        warnings.append(f"{no_status} tasks have no status (and the export states no category); they count as "
                        "neither open nor done.")
    if unknown:
        unplaced = int(combos.loc[combos["rule"] == UNPLACED, "tasks"].sum())
        most = " Most tasks are unplaced, so" if unplaced * 2 > len(status) else " So"
        warnings.append(f"Status names {unknown[:8]} match no rule, so their {unplaced} tasks count as neither open "
                        f"nor done.{most} signals that split open from finished work leave them out until you "
                        "map them: pass status_map={'Name': 'in_progress'} to read_export, or use the status map "
                        "editor (the status map table lists them with rule 'unplaced').")
    category = pd.Series(combos["status_category"].to_numpy(dtype=object)[codes], index=status.index)
    table = (combos.groupby(["status", "status_category", "rule"], as_index=False, sort=False, dropna=False)["tasks"]
             .sum()
             .sort_values("tasks", ascending=False, kind="stable").reset_index(drop=True))
    return category, table

"""Jira CSV headers in the languages of Jira's UI, read back to the English names the reader uses.

A localised Jira writes its CSV headers in the exporting user's language
(``Ключ проблемы`` for ``Issue key``).  The translations live in
``data/jira_headers.csv`` (``field, language, header``; several rows per field
when Jira's wording changed between versions), written from Jira's UI
wording: Atlassian's translation files cannot be downloaded, so only the
Russian ``Ключ проблемы``, ``Тема``, ``Компоненты`` and
``Пользовательское поле (...)`` were seen in real files.  A file is read in
the one language whose headers match most of its columns, so a word that
means different fields in two languages never mixes them.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

__all__ = ["header_translations", "english_headers"]

_CUSTOM = "Custom field ("


@lru_cache(maxsize=1)
def header_translations() -> dict[str, dict[str, str]]:
    """Language -> {casefolded translated header: English header}; ``"Custom field ("`` rows give prefixes."""
    text = resources.files("workfw.io").joinpath("data", "jira_headers.csv").read_text(encoding="utf-8")
    out: dict[str, dict[str, str]] = {}
    for row in csv.DictReader(text.splitlines()):
        out.setdefault(row["language"], {})[row["header"].strip().casefold()] = row["field"]
    return out


def _translate(header: str, table: dict[str, str]) -> str:
    text = header.strip()
    low = text.casefold()
    if low in table:
        return table[low]
    for translated, english in table.items():
        if english == _CUSTOM and low.startswith(translated):
            return _CUSTOM + text[len(translated):]
    return text


@lru_cache(maxsize=1)
def _english_names() -> frozenset[str]:
    """Every English header name the translations lead to, casefolded (built once, not per file)."""
    return frozenset(field.casefold() for table in header_translations().values() for field in table.values())


def english_headers(headers: list[str]) -> tuple[list[str], str | None]:
    """The English name of each header, and the language the file was read in (None: English).

    Parameters
    ----------
    headers : list of str
        The header row as written.

    Returns
    -------
    tuple
        ``(names, language)``; headers no translation knows stay as written.
    """
    tables = header_translations()
    best, best_hits = None, 0
    for language, table in tables.items():
        hits = sum(h.strip().casefold() in table for h in headers)
        if hits > best_hits:
            best, best_hits = language, hits
    # Headers spelled as in English ("Status", "Sprint") count for English too: a tie stays English.
    english = _english_names()
    english_hits = sum(h.strip().casefold() in english for h in headers)
    if best is None or best_hits <= english_hits:
        return [h.strip() for h in headers], None
    return [_translate(h, tables[best]) for h in headers], best

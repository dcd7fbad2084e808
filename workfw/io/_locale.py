"""Month names and day periods in the languages Jira's UI offers, from CLDR through Babel.

Jira writes dates in the exporting user's UI language (``25/lut/26 10:17 PM``
in Polish, ``25/2月/26 10:17 午後`` in Japanese).  The names come from the
CLDR data Babel ships, abbreviated and full, in both the format and the
stand-alone forms, so no language is typed in by hand.  A few spellings of
older Java locale data (``Mrz`` in German, ``июл`` in Russian) differ from
CLDR; a token is also matched by dropping its final dot and by being the
start of a full month name.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Iterable

__all__ = ["JIRA_LANGUAGES", "month_table", "period_table", "resolve_words", "normalise_word", "CJK_MONTH_MARKS"]

#: Languages Jira Cloud's UI offers (and so its exports' dates), as CLDR locale codes, English first.
JIRA_LANGUAGES = ("en", "cs", "da", "de", "es", "et", "fi", "fr", "hu", "is", "it", "ja", "ko", "nb", "nl", "pl",
                  "pt", "pt_PT", "ro", "ru", "sk", "sv", "tr", "uk", "zh", "zh_Hant")
#: Characters that follow a month number in CJK dates (``2月``, ``2월``).
CJK_MONTH_MARKS = ("月", "월")

# Spellings of older Java (JRE) locale data that CLDR no longer uses; Jira Server/Data Center still
# writes them.  Only forms that are not a start of a CLDR name are needed here.
_JAVA_LEGACY = {"de": {"mrz": 3}, "fr": {"fév": 2}, "pl": {"paź": 10}}


def normalise_word(word: str) -> str:
    """Casefold, NFC, no dots or inner blanks: ``"p.\\u202fm."`` and ``"P.M."`` both become ``"pm"``."""
    text = unicodedata.normalize("NFC", word).casefold()
    return "".join(ch for ch in text if ch not in ". \u00a0\u202f\u2009")


@lru_cache(maxsize=None)
def _locale(code: str):  # -> babel.Locale
    from babel import Locale  # imported late: only exports with words in their dates need it

    return Locale.parse(code)


@lru_cache(maxsize=None)
def month_table(code: str) -> dict[str, int]:
    """Normalised month word -> month number (1-12) for one locale.

    Parameters
    ----------
    code : str
        A CLDR locale code such as ``"pl"``.

    Returns
    -------
    dict
        Abbreviated and full names, format and stand-alone forms, and every
        start of at least three letters of a full name that no other month
        shares (``"sept"``, ``"juil"``).
    """
    loc = _locale(code)
    table: dict[str, int] = {}
    full: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for width in ("abbreviated", "wide"):
            for month, name in loc.months[context][width].items():
                table[normalise_word(name)] = month
                if width == "wide":
                    full[normalise_word(name)] = month
    starts: dict[str, set[int]] = {}
    for name, month in full.items():
        for end in range(3, len(name)):
            starts.setdefault(name[:end], set()).add(month)
    for prefix, months in starts.items():
        if len(months) == 1 and prefix not in table:
            table[prefix] = next(iter(months))
    table.update(_JAVA_LEGACY.get(code, {}))
    return table


@lru_cache(maxsize=None)
def period_table(code: str) -> dict[str, str]:
    """Normalised day-period word (``"pm"``, ``"午後"``, ``"odp"``) -> ``"am"`` or ``"pm"`` for one locale."""
    loc = _locale(code)
    table: dict[str, str] = {}
    for context in ("format", "stand-alone"):
        for width in ("abbreviated", "wide", "narrow"):
            periods = loc.day_periods.get(context, {}).get(width, {})
            for key in ("am", "pm"):
                if key in periods:
                    table.setdefault(normalise_word(periods[key]), key)
    return table


def resolve_words(words: Iterable[str], table_of: str) -> tuple[dict[str, int | str], str | None]:
    """Read a column's distinct month (or day-period) words in the one language that explains most of them.

    Parameters
    ----------
    words : iterable of str
        Distinct words as written in the column.
    table_of : {"month", "period"}
        Which names to look the words up in.

    Returns
    -------
    tuple
        ``({word: value}, language)``: the words the chosen language (or,
        for words it lacks, any language with one meaning for it) knows, and
        the chosen language's code (None when no word was known).
    """
    build = month_table if table_of == "month" else period_table
    keys = {w: normalise_word(w) for w in words}
    english = build("en")
    if all(k in english for k in keys.values()):
        return {w: english[k] for w, k in keys.items()}, "en" if keys else None
    best, best_hits = None, 0
    for code in JIRA_LANGUAGES:
        hits = sum(k in build(code) for k in keys.values())
        if hits > best_hits:  # ties keep the earlier language, English first
            best, best_hits = code, hits
    if best is None:
        return {}, None
    chosen = build(best)
    out: dict[str, int | str] = {w: chosen[k] for w, k in keys.items() if k in chosen}
    for word, key in keys.items():
        if word in out:
            continue
        meanings = {build(code)[key] for code in JIRA_LANGUAGES if key in build(code)}
        if len(meanings) == 1:
            out[word] = meanings.pop()
    return out, best

"""Replacing every known spelling of a person, in cells of any type, a distinct value at a time.

The replacing pass of :mod:`workfw.privacy`.  A column is factorised and only
its distinct values are looked at; pyarrow's RE2 picks the few values that
can hold a spelling (one pass over the whole column), and Python's ``re``
rewrites only those.  A cell is rewritten when it is a known spelling as a
whole, holds one as a delimited part (``"Ann Lee, Bob Day"``, ``"a; b"``,
``"Doe, Jane <jane@x.com>"``), holds an e-mail address anywhere, or is JSON
text with person objects; with ``in_text`` also when a name, login or
address appears as words of free text.
"""
from __future__ import annotations

import dataclasses
import json
import re
from itertools import chain
from typing import Any, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.privacy.people import text_array
from workfw.privacy.text import (_NOT_JSON, COMMON_WORDS, DELIMITERS, EMAIL, JSON_HINT, MENTION, PERSON_KEYS,
                            PERSON_VALUE_KEYS, SPELLING_KEYS, loads, looks_json, norm, person_change,
                            person_spellings, strip_accents, trie_pattern, url_spans)

__all__: list[str] = []

_DELIM = "[" + re.escape(DELIMITERS) + "]"
#: Spellings per RE2 prefilter pattern; one huge alternation can exceed RE2's memory budget.
_CHUNK = 400
_TOKEN = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W\d_])?")


class Replacer:
    """Rewrites text, JSON, list cells and whole columns with each spelling's pseudonym.

    Parameters
    ----------
    names : dict of str to str
        Normalised spelling -> pseudonym (every spelling of every person).
    texts : dict of str to list of str
        Normalised spelling -> the spellings as written (for single names in text, whose case counts).
    kinds : dict of str to str
        Normalised spelling -> ``name``, ``login``, ``email``, ``variant`` or ``id``.
    in_text : bool
        Also replace names, logins and addresses written inside free text,
        and single first or family names (capitalised, 3+ letters, not an
        everyday word such as ``Grant``).
    """

    def __init__(self, names: dict[str, str], texts: dict[str, list[str]], kinds: dict[str, str], *,
                 in_text: bool) -> None:
        self.names, self.in_text = names, in_text
        self.usable = {k for k in names if len(k) >= 3 and not k.isdigit()}
        people = {k for k in self.usable if not names[k].startswith("Agent")}
        wordy = {k for k in self.usable if " " in k or "@" in k or k.casefold() not in COMMON_WORDS}
        self._delim = _delimited(self.usable)
        self._delim_all = _delimited({k for k in names if not k.isdigit()})
        self._quick = re.compile(trie_pattern({k for k in names if not k.isdigit()}), re.IGNORECASE) if names else None
        self._cache: dict[tuple[str, bool], str] = {}
        self._words_all = _worded(wordy)
        self._words_people = _worded(wordy & people)
        self.tokens = _tokens(names, texts, kinds) if in_text else {}
        self._token_re = (re.compile(r"(?<![\w-])(" + trie_pattern(self.tokens) + r")(?![\w-])")
                          if self.tokens else None)
        spellings = sorted(self.usable)
        # '@' (addresses, mentions) and JSON person objects ride along with the first chunk: one RE2 pass.
        chunks = [trie_pattern(spellings[i:i + _CHUNK], re2=True) for i in range(0, len(spellings), _CHUNK)]
        self._prefilter = ["@|" + JSON_HINT + "".join("|" + c for c in chunks[:1])] + chunks[1:]
        self._token_prefilter = trie_pattern(self.tokens, re2=True) if self.tokens else None

    # ------------------------------------------------------------------ one value

    def text(self, value: str, *, person: bool = False) -> str:
        """``value`` with every spelling replaced (``person``: the cell is in a person column)."""
        key = (value, person)
        done = self._cache.get(key)
        if done is None:
            done = self._text(value, person)
            # JSON leaves repeat (statuses, authors); long free text rarely does and would only hold memory
            if len(value) <= 256 and len(self._cache) < 500_000:
                self._cache[key] = done
        return done

    def _text(self, value: str, person: bool) -> str:
        key = norm(value)
        hit = self.names.get(key)
        if hit is not None and (person or key in self.usable):
            return hit
        if looks_json(value) and (obj := loads(value)) is not _NOT_JSON and isinstance(obj, (dict, list)):
            new = self.walk(obj)
            return value if new == obj else json.dumps(new, ensure_ascii=False)
        if "@" not in value and not (self._quick and self._quick.search(value)) and not (
                self._token_re and self._token_re.search(value)):
            return value
        delimited = self._delim_all if person else self._delim
        pieces = []
        for is_url, piece in url_spans(value):
            if not is_url:
                piece = MENTION.sub(self._mention, EMAIL.sub(self._email, piece))
                if delimited is not None:
                    piece = delimited.sub(self._delimited_hit, piece)
                if self.in_text:
                    piece = self._free(piece, self._words_people)
            pieces.append(piece)
        return "".join(pieces)

    def sentence(self, value: str) -> str:
        """A sentence workfw wrote (an import warning): names replaced wherever they stand as words."""
        return "".join(piece if is_url else self._free(EMAIL.sub(self._email, piece), self._words_all)
                       for is_url, piece in url_spans(value))

    def walk(self, obj: Any) -> Any:
        """A parsed JSON value with person objects and people's spellings replaced."""
        kind = type(obj)
        if kind is str:
            return self.text(obj)
        if kind is list:
            return [self.walk(v) for v in obj]
        if kind is not dict:
            return obj
        if not PERSON_KEYS.isdisjoint(obj):
            hit = next((self.names[k] for t, _ in person_spellings(obj) if (k := norm(t)) in self.names), None)
            if hit is not None:
                return {k: hit if k in SPELLING_KEYS and _scalar(v) else self.walk(v) for k, v in obj.items()}
        out = {}
        change = person_change(obj)
        for key, value in obj.items():
            if change and key in ("from", "to", "fromString", "toString") and _scalar(value):
                out[key] = self.names.get(norm(str(value)), value)
            elif key in PERSON_VALUE_KEYS and isinstance(value, str):
                out[key] = self.text(value, person=True)
            elif key in PERSON_VALUE_KEYS and isinstance(value, list):
                out[key] = [self.text(v, person=True) if isinstance(v, str) else self.walk(v) for v in value]
            else:
                out[key] = self.walk(value)
        return out

    def _free(self, piece: str, worded: re.Pattern | None) -> str:
        if worded is not None:
            piece = worded.sub(lambda m: self.names.get(norm(m.group(1)), m.group(1)), piece)
        if self._token_re is not None:
            piece = self._token_re.sub(lambda m: self.tokens.get(m.group(1), m.group(1)), piece)
        return piece

    def _mention(self, m: re.Match) -> str:
        name = m.group("jira") or m.group("login")
        hit = self.names.get(norm(name))
        if hit is None:
            return m.group()
        return f"[~{hit}]" if m.group("jira") else f"@{hit}"

    def _email(self, m: re.Match) -> str:
        return self.names.get(norm(m.group()), "[e-mail]")

    def _delimited_hit(self, m: re.Match) -> str:
        return m.group(1) + m.group(2) + self.names.get(norm(m.group(3)), m.group(3))

    # ------------------------------------------------------------------ many values

    def strings(self, values: list[str], *, person: bool) -> tuple[list[str], bool]:
        """Distinct values rewritten (same order), and whether any changed."""
        arr = pa.array(values, type=pa.large_string())
        picked = range(len(values)) if person else np.flatnonzero(self._candidates(arr))
        out, changed = list(values), False
        for i in picked:
            new = self.text(values[i], person=person)
            if new != values[i]:
                out[i], changed = new, True
        return out, changed

    def _candidates(self, arr: pa.Array) -> np.ndarray:
        """Which values of a text array can hold a spelling (RE2, one pass per pattern)."""
        mask = pc.match_substring_regex(arr, self._prefilter[0], ignore_case=True)
        for pattern in self._prefilter[1:]:
            mask = pc.or_(mask, pc.match_substring_regex(arr, pattern, ignore_case=True))
        if self._token_prefilter:
            mask = pc.or_(mask, pc.match_substring_regex(arr, self._token_prefilter))
        return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)

    def column(self, series: pd.Series, *, person: bool = False) -> pd.Series | None:
        """``series`` with spellings replaced, keeping its dtype; None when nothing changed.

        Text of any dtype (object, ``StringDtype``, Arrow strings, categorical)
        is rewritten per distinct value; list cells item by item; dict cells
        as JSON.  Numbers, dates and booleans hold no names and are skipped.
        """
        if isinstance(series.dtype, pd.CategoricalDtype):
            return self._categorical(series, person=person)
        arr = text_array(series)
        if arr is None:
            return self._mixed(series, person=person) if series.dtype == object else None
        encoded = pc.dictionary_encode(arr)
        dictionary = encoded.dictionary
        picked = (np.arange(len(dictionary)) if person
                  else np.flatnonzero(self._candidates(dictionary)))
        if not len(picked):
            return None
        before = dictionary.take(pa.array(picked)).to_pylist()
        after = [self.text(v, person=person) for v in before]
        changed = np.array([a != b for a, b in zip(after, before)], dtype=bool)
        if not changed.any():
            return None
        mask = np.zeros(len(dictionary), dtype=bool)
        mask[picked[changed]] = True
        replaced = pa.array([a for a, c in zip(after, changed) if c], type=dictionary.type)
        result = pc.replace_with_mask(dictionary, pa.array(mask), replaced).take(encoded.indices)
        if series.dtype == object:
            out = np.where(series.isna().to_numpy(), series.to_numpy(dtype=object),
                           result.to_numpy(zero_copy_only=False))
            return pd.Series(out, index=series.index, name=series.name, dtype=object)
        return pd.Series(pd.array(result, dtype=series.dtype), index=series.index, name=series.name)

    def _categorical(self, series: pd.Series, *, person: bool) -> pd.Series | None:
        cats = list(series.cat.categories)
        if not cats or not all(isinstance(c, str) for c in cats):
            return None
        new, changed = self.strings(cats, person=person)
        if not changed:
            return None
        kept = list(dict.fromkeys(new))
        where = {v: i for i, v in enumerate(kept)}
        remap = np.array([where[v] for v in new] + [-1])
        codes = remap[series.cat.codes.to_numpy()]  # code -1 picks the trailing -1
        return pd.Series(pd.Categorical.from_codes(codes, categories=kept, ordered=series.cat.ordered),
                         index=series.index, name=series.name)

    def _mixed(self, series: pd.Series, *, person: bool) -> pd.Series | None:
        """Object cells holding lists, dicts or text: each list item and text value replaced once."""
        cells = series.to_numpy(dtype=object)
        try:  # canonical list columns hold lists of strings: rewritten through pyarrow
            lists = pa.array(cells, type=pa.list_(pa.large_string()), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return self._cells(series, cells, person=person)
        items = pc.list_flatten(lists)
        new = self.column(pd.Series(pd.array(items, dtype=pd.ArrowDtype(pa.large_string()))), person=person)
        if new is None:
            return None
        values = pa.array(new.array)
        values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
        rebuilt = pa.ListArray.from_arrays(lists.offsets, values, mask=lists.is_null()).to_pylist()
        out = np.empty(len(cells), dtype=object)
        for i, (cell, items_after) in enumerate(zip(cells, rebuilt)):
            # two spellings of one person in one cell become one pseudonym, listed once
            out[i] = (cell if items_after is None else items_after if len(items_after) < 2
                      else list(dict.fromkeys(items_after)))
        return pd.Series(out, index=series.index, name=series.name, dtype=object)

    def _cells(self, series: pd.Series, cells: np.ndarray, *, person: bool) -> pd.Series | None:
        """Cells of mixed kinds (lists with other items, dicts, text) one at a time."""
        lists = [c for c in cells if isinstance(c, (list, tuple, np.ndarray))]
        items = list(dict.fromkeys(x for x in chain(chain.from_iterable(lists), cells) if isinstance(x, str)))
        new, _ = self.strings(items, person=person) if items else ([], False)
        lookup = {a: b for a, b in zip(items, new) if a != b}
        if not lookup and not any(isinstance(c, dict) for c in cells):
            return None
        out = np.empty(len(cells), dtype=object)
        for i, cell in enumerate(cells):
            if isinstance(cell, (list, tuple, np.ndarray)):
                out[i] = (list(dict.fromkeys(lookup.get(x, x) if isinstance(x, str) else x for x in cell))
                          if any(isinstance(x, str) and x in lookup for x in cell) else cell)
            elif isinstance(cell, str):
                out[i] = lookup.get(cell, cell)
            elif isinstance(cell, dict):
                out[i] = self.walk(cell)
            else:
                out[i] = cell
        return pd.Series(out, index=series.index, name=series.name, dtype=object)

    def frame(self, frame: pd.DataFrame, *, person: Iterable[str] = (), skip: Iterable[str] = ()) -> pd.DataFrame:
        """A copy of ``frame`` with every column but ``skip`` rewritten (``person`` columns as people)."""
        person, skip = set(person), set(skip)
        out = frame.copy(deep=False)
        for col in frame.columns:
            if col not in skip:
                new = self.column(frame[col], person=col in person)
                if new is not None:
                    out[col] = new.array  # by position: the frame's index may repeat
        return out

    def report(self, report: Any) -> Any:
        """An import report with names replaced in its warnings and status names."""
        status_map = report.status_map.copy()
        if "status" in status_map.columns and (new := self.column(status_map["status"])) is not None:
            status_map["status"] = new.array
        # A kept stage definition names statuses too: rename them as the status column is renamed.
        kept, point = dict(report.stages), report.commitment
        names = pd.Series([*kept, "" if point is None else point], dtype=object)
        renamed = self.column(names)
        renamed = names if renamed is None else renamed
        return dataclasses.replace(report, warnings=[self.sentence(str(w)) for w in report.warnings],
                                   status_map=status_map, field_map=report.field_map.copy(),
                                   unmapped_columns=list(report.unmapped_columns),
                                   stages=dict(zip(renamed.iloc[:-1], kept.values())),
                                   commitment=None if point is None else renamed.iloc[-1])


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool)


def _delimited(spellings: set[str]) -> re.Pattern | None:
    if not spellings:
        return None
    return re.compile(rf"(^|{_DELIM})(\s*)({trie_pattern(spellings)})(?=\s*(?:{_DELIM}|$))", re.IGNORECASE)


def _worded(spellings: set[str]) -> re.Pattern | None:
    if not spellings:
        return None
    return re.compile(rf"(?<![\w-])({trie_pattern(spellings)})(?![\w-])", re.IGNORECASE)


def _tokens(names: dict[str, str], texts: dict[str, list[str]], kinds: dict[str, str]) -> dict[str, str]:
    """Single first and family names of people -> pseudonym (``[person]`` when several people share one).

    Only capitalised words of three letters or more count, as written in the
    export (names are proper nouns: ``Grant`` is a name, ``grant`` a verb),
    and never an everyday word from :data:`COMMON_WORDS`.
    """
    owners: dict[str, set[str]] = {}
    for key, pseudonym in names.items():
        if kinds.get(key) not in ("name", "variant") or pseudonym.startswith("Agent") or "@" in key:
            continue
        for text in texts.get(key, ()):
            for token in _TOKEN.findall(text):
                if len(token) >= 3 and token[:1].isupper() and token.casefold() not in COMMON_WORDS:
                    plain = strip_accents(token)
                    for form in (token, plain):
                        owners.setdefault(form, set()).add(pseudonym)
    return {t: next(iter(p)) if len(p) == 1 else "[person]" for t, p in owners.items()}

"""Small converters every reader shares: lists in cells, repeated columns, numbers, JSON records, HTML."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.errors import ExportReadError

__all__ = ["split_values", "gather_repeated", "to_number", "first_present", "count_values", "strip_formula_guard",
           "as_lists", "json_cell", "records_frame", "parse_json_text", "html_to_text", "text_codes", "duplicated"]


def text_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Number each distinct text of a column in pyarrow's hash table: ``(codes, distinct)``, -1 for NA.

    pandas' own factorize and groupby box every Arrow string as a Python
    object first; a million-row column has a few dozen distinct values.
    """
    arr = getattr(values.array, "_pa_array", None)
    if arr is None:
        arr = pa.array(values.astype(object).where(values.notna(), None).to_numpy(), type=pa.string(),
                       from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    encoded = pc.dictionary_encode(arr)
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, encoded.dictionary.to_pylist()


def duplicated(values: pd.Series, keep: str = "first") -> pd.Series:
    """``values.duplicated(keep=keep)`` through integer codes (NA rows repeat each other, as in pandas)."""
    codes, _ = text_codes(values)
    return pd.Series(pd.Series(codes).duplicated(keep=keep).to_numpy(), index=values.index)


def split_values(values: pd.Series, sep: str = ",") -> pd.Series:
    """Split delimited cells (``"a, b"``) into lists of stripped, non-empty strings."""
    text = values.astype("string")
    return pd.Series([[p.strip() for p in str(v).split(sep) if p.strip()] if v is not pd.NA else [] for v in text],
                     index=values.index, dtype=object)


def gather_repeated(frame: pd.DataFrame, columns: list[str], *, sep: str | None = None) -> pd.Series:
    """Join repeated columns (Jira's ``Labels``, ``Labels (2)``...) into one list per row."""
    if not columns:
        return pd.Series([[] for _ in range(len(frame))], index=frame.index, dtype=object)
    parts = frame[columns].astype("string")
    out = []
    for row in parts.itertuples(index=False, name=None):
        items: list[str] = []
        for v in row:
            if v is pd.NA or v is None:
                continue
            items.extend(p.strip() for p in (v.split(sep) if sep else [v]) if p.strip())
        out.append(list(dict.fromkeys(items)))
    return pd.Series(out, index=frame.index, dtype=object)


def to_number(values: pd.Series, *, column: str, warnings: list[str]) -> pd.Series:
    """Read numbers written as text (``"3"``, ``"2,5"``); unreadable values become NA with a warning."""
    text = values.astype("string").str.strip().str.replace(",", ".", regex=False)
    out = pd.to_numeric(text, errors="coerce").astype("Float64")
    # "inf" and "1e999" parse as numbers but are no estimate or count.
    out = out.mask(out.isin([float("inf"), float("-inf")]))
    bad = out.isna() & text.notna() & (text != "")
    if bad.any():
        warnings.append(f"Column {column!r}: {int(bad.sum())} values are not numbers (e.g. "
                        f"{values[bad].iloc[0]!r}) and were left empty.")
    return out


def first_present(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Return, per row, the first non-empty value among ``columns`` (NA when none)."""
    out = None
    for col in columns:
        if col not in frame:
            continue
        values = frame[col].astype("string")
        if out is None:
            out = values  # filling an all-NA column cell by cell costs ~0.15 s per million rows
        elif out.hasnans:
            out = out.fillna(values)
    return pd.Series(pd.NA, index=frame.index, dtype="string") if out is None else out


def count_values(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Count non-empty cells across repeated columns (for example ``Comment``); NA when no column exists."""
    if not columns:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    return frame[columns].notna().sum(axis=1).astype("Int64")


# The same characters workfw.safe_csv guards on the way out (OWASP's list).
_GUARD = re.compile(r"^'(?=[=+\-@\t\r])")


def strip_formula_guard(values: pd.Series) -> pd.Series:
    """Remove the ``'`` some trackers put before text starting with ``=``, ``+``, ``-``, ``@``, a tab or ``\\r``."""
    return values.astype("string").str.replace(_GUARD, "", regex=True)


def as_lists(values: pd.Series) -> pd.Series:
    """Wrap each value of a single-valued column in a list (``[]`` for NA), for list fields such as ``assignees``."""
    # Built by hand: Series.map returning lists gives a pyarrow list dtype in pandas 3.
    return pd.Series([[] if pd.isna(v) else [v] for v in values], index=values.index, dtype=object)


def json_cell(value: Any) -> Any:
    """Return a JSON value as raw-table text: strings as they are, ``null`` as NA, anything else as JSON text."""
    if value is None:
        return pd.NA
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def records_frame(records: list[Any], *, file: str, where: str, next_step: str) -> pd.DataFrame:
    """Build the raw table of a JSON export: one text row per record, nested values as JSON text, plus ``_row``.

    Parameters
    ----------
    records : list
        The parsed records; each must be a JSON object.
    file : str
        File name for messages.
    where : str
        Where the records sit in the file (``"cards"``, ``"the top-level array"``), for messages.
    next_step : str
        What the user should do when a record is not an object.

    Returns
    -------
    pandas.DataFrame
        All-string columns in first-seen key order, and ``_row`` (1-based record number).
    """
    for pos, rec in enumerate(records):
        if not isinstance(rec, dict):
            raise ExportReadError(file, f"{where}[{pos}] (record {pos + 1})", f"a {type(rec).__name__}",
                                  "an object per record", next_step)
    columns: dict[str, None] = {}
    for rec in records:
        columns.update(dict.fromkeys(k for k in rec if k != "_row"))
    frame = pd.DataFrame({c: pd.Series([json_cell(r.get(c)) for r in records], dtype="string") for c in columns},
                         index=pd.RangeIndex(len(records)))
    frame["_row"] = range(1, len(records) + 1)
    return frame


_JSON_GAP = re.compile(r"[\s\ufeff]*")


def parse_json_text(text: str) -> Any:
    """Parse JSON text that may hold several top-level values one after another.

    ``gh api --paginate`` writes one JSON value per page with nothing (``][``)
    or a newline between them.  One value is returned as it is; several
    arrays become one array (the pages joined in order); several values of
    other kinds become an array of those values (for example the pages of a
    search result, ``{"items": [...]}`` each).

    Parameters
    ----------
    text : str
        The decoded file.

    Returns
    -------
    Any
        The parsed document.

    Raises
    ------
    json.JSONDecodeError
        When the text is not JSON (positions refer to the whole text).
    """
    decoder = json.JSONDecoder()
    pos = _JSON_GAP.match(text, 0).end()
    values = []
    while True:
        value, pos = decoder.raw_decode(text, pos)
        values.append(value)
        pos = _JSON_GAP.match(text, pos).end()
        if pos >= len(text):
            break
    if len(values) == 1:
        return values[0]
    if all(isinstance(v, list) for v in values):
        return [item for page in values for item in page]
    return values


class _TextOnly(HTMLParser):
    """Collect the text of an HTML fragment, with a line break for each block element."""

    _BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table",
                         "blockquote", "pre", "hr"})
    _HIDDEN = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._cells = 0  # cells seen in the current table row

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag in ("td", "th"):
            # Cells of one row stay on one line, apart: "Owner | Alice", not "OwnerAlice".
            if self._cells:
                self.parts.append(" | ")
            self._cells += 1
        elif tag in self._BREAKS:
            if tag == "tr":
                self._cells = 0
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(self._hidden - 1, 0)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


_LOOKS_HTML = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*\b[^<>]*|/[a-zA-Z][a-zA-Z0-9]*\s*|!--.*?--)>", re.DOTALL)


def html_to_text(values: pd.Series) -> pd.Series:
    """Turn HTML cells (Azure DevOps rich text) into plain text; other cells only lose surrounding blanks.

    Tags are dropped, entities decoded (``&amp;`` -> ``&``), block elements
    (``<p>``, ``<div>``, ``<br>``, ``<li>``, table rows...) become line breaks,
    the cells of a table row are joined with ``" | "`` and runs of blanks
    collapse.  A cell with no tag (``"a < b"``) is left as written.
    Cells left empty become NA.
    """
    out = []
    for value in values.astype("string"):
        if value is pd.NA or not _LOOKS_HTML.search(value):
            out.append(value if value is pd.NA else value.strip())
            continue
        parser = _TextOnly()
        parser.feed(value)
        parser.close()
        lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
        out.append("\n".join(line for line in lines if line))
    text = pd.Series(out, index=values.index, dtype="string")
    return text.mask(text == "")

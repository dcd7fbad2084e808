"""Bytes to a table of strings: encoding, delimiter, header row and CSV quirks.

Every value comes out as text (``NA`` for empty cells); readers parse types.
Repeated headers (Jira's ``Labels``, ``Comment``...) are kept: the frame gets
unique names (``Labels``, ``Labels (2)``...) and :attr:`CsvTable.headers`
keeps the original name of every column.

Clean files go through pyarrow's multi-threaded parser; only files pyarrow
rejects (rows of the wrong width, broken quoting) take the slower ``csv``
module path (in :mod:`workfw.io._csv_records`, with decoding and header
sniffing), which repairs what it can and says so in ``warnings``.
"""
from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from workfw.errors import EmptyExportError
from workfw.text_arrays import blank_or_missing
# Re-exported: other modules and tests import these from here.  _python_parse
# is looked up in this module's namespace so tests can swap it out.
from workfw.io._csv_records import (_HEAD_CHARS, _LINE_END, _python_parse, _quote_open_at_end,  # noqa: F401
                           _skip_preamble, _sniff, decode, sniff_header)

__all__ = ["CsvTable", "decode", "read_csv_table", "sniff_header", "RESERVED_COLUMNS"]

_STRING = pd.StringDtype()
#: Raw cells stay Arrow strings with 32-bit offsets, as pyarrow parsed them: pandas' own string dtype
#: would copy every column to 64-bit offsets (~0.4 GB and ~2 s more at a million rows of 90 columns).
_RAW_TEXT = pd.ArrowDtype(pa.string())
#: Raw columns a reader turns into canonical text: 64-bit offsets from the parse, so the task table's
#: ``string`` column shares them (0.5 ms) instead of copying them (~25 ms per million rows each).
_WIDE_TEXT = pd.ArrowDtype(pa.large_string())
# Anything but a byte-order mark, NUL or blank: a file without one has no content.
_CONTENT = re.compile(r"[^\ufeff\x00 \t\r\n]")
_BLOCK_BYTES = 1 << 24
#: Blocks a file is cut into at least (down to 1 MiB blocks): a 44 MB file in three 16 MiB blocks left one core
#: idle for the last (0.20 s against 0.14 s in 4 MiB blocks).  Each block is a chunk of every column, which
#: later steps go through one by one, so not more than the cores need.
_BLOCKS = 8

#: Column names workfw adds to ``TaskExport.raw``; an original column with one of
#: these names is renamed ``"<name> (original)"`` so it is neither lost nor overwritten.
RESERVED_COLUMNS = ("_file", "_row", "_outcome", "_reason", "task_id")


@dataclass
class CsvTable:
    """A CSV file read as text.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per data record, string columns with unique names, plus
        ``_row``: the record's row number as a spreadsheet shows it.
    headers : list of str
        The original header of each column of ``frame`` (repeats included).
    encoding, delimiter : str
        What the file turned out to use.
    warnings : list of str
        Repairs made while reading (padded rows, fallback encoding...).
    """

    frame: pd.DataFrame
    headers: list[str]
    encoding: str
    delimiter: str
    warnings: list[str] = field(default_factory=list)

    def columns_named(self, header: str) -> list[str]:
        """Return the frame columns whose original header is ``header`` (case-insensitive)."""
        want = header.strip().casefold()
        return [c for c, h in zip(self.frame.columns[:-1], self.headers) if h.strip().casefold() == want]

    def has(self, header: str) -> bool:
        """Return True when some column's original header is ``header``."""
        return bool(self.columns_named(header))


def _unique_names(headers: list[str]) -> list[str]:
    used = {r.casefold() for r in RESERVED_COLUMNS}
    out = []
    for i, h in enumerate(headers):
        base = h.strip() or f"(unnamed {i + 1})"
        if base.casefold() in {r.casefold() for r in RESERVED_COLUMNS}:
            base = f"{base} (original)"
        candidate, n = base, 1
        # Loop because a generated "X (2)" may itself be a header further on.
        while candidate.casefold() in used:
            n += 1
            candidate = f"{base} ({n})"
        used.add(candidate.casefold())
        out.append(candidate)
    return out


def read_csv_table(data: bytes, *, name: str, encoding: str | None = None,
                   delimiter: str | None = None) -> CsvTable:
    """Read CSV bytes into a :class:`CsvTable` of strings.

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str
        File name for messages.
    encoding, delimiter : str, optional
        Override detection.

    Raises
    ------
    EmptyExportError
        When the file has no header or no data rows.
    ExportReadError
        When the file is a workbook or zip, or the named encoding is wrong.
    """
    text, enc, warnings = decode(data, name=name, encoding=encoding)
    return _table_from_text(text, name=name, encoding=enc, delimiter=delimiter, warnings=warnings)


def _has_content(text: str) -> bool:
    """Whether ``text`` holds more than byte-order marks, NULs and blanks (found without copying it)."""
    return _CONTENT.search(text) is not None


def _table_from_text(text: str, *, name: str, encoding: str, delimiter: str | None,
                     warnings: list[str]) -> CsvTable:
    if not _has_content(text):
        raise EmptyExportError(name, "the whole file", "no content", "a header row and task rows",
                               "export again from the tracker; the file may have been saved before the download finished")
    raw_headers, idx, delim = _sniff(text, delimiter)
    headers = list(raw_headers)
    while headers and not headers[-1].strip() and len(headers) > 1:
        headers = headers[:-1]
    if len([h for h in headers if h.strip()]) < 2:
        first_line = next((ln for ln in _LINE_END.split(text) if ln.strip()), "")
        raise EmptyExportError(name, f"row {idx + 1}", f"no header row (first line: {first_line[:80]!r})",
                               "a header row naming at least two columns",
                               "check that this is a CSV export of tasks, not a report or a single list; "
                               "pass delimiter=... if the file uses an unusual separator")
    names = _unique_names(headers)
    body = _skip_preamble(text, idx, delim)
    first_row = idx + 2
    # Trailing delimiters give every row empty fields past the last header;
    # naming them lets pyarrow keep the fast path.
    trailing = _unique_extra(names, len(raw_headers) - len(headers))
    frame = _arrow_parse(body, delim, names + trailing)
    if frame is not None:
        frame, headers = _drop_empty_extras(frame, trailing, headers, warnings)
    else:
        records, widest = _python_parse(body, delim, len(names), name, first_row, warnings)
        records = records[1:]  # drop the header record itself
        cols = names + _unique_extra(names, widest - len(names))
        headers = headers + cols[len(headers):]
        padded = [r + [None] * (len(cols) - len(r)) if len(r) < len(cols) else r[:len(cols)] for r in records]
        frame = pd.DataFrame(padded, columns=cols, dtype=_RAW_TEXT) if padded else pd.DataFrame(
            {c: pd.Series([], dtype=_RAW_TEXT) for c in cols})
    if len(frame) == 0:
        raise EmptyExportError(name, f"row {first_row}", "a header but no task rows",
                               "at least one task row under the header",
                               "widen the tracker's filter or search before exporting")
    frame["_row"] = pd.RangeIndex(first_row, first_row + len(frame))
    return CsvTable(frame=frame, headers=list(headers), encoding=encoding, delimiter=delim, warnings=warnings)


def _unique_extra(names: list[str], count: int) -> list[str]:
    used = {n.casefold() for n in names}
    out, i = [], 0
    while len(out) < count:
        i += 1
        candidate = f"(extra {i})"
        if candidate.casefold() not in used:
            out.append(candidate)
    return out


def _drop_empty_extras(frame: pd.DataFrame, extras: list[str], headers: list[str],
                       warnings: list[str]) -> tuple[pd.DataFrame, list[str]]:
    filled = [c for c in extras if frame[c].notna().any()]
    frame = frame.drop(columns=[c for c in extras if c not in filled])
    if filled:
        rows = int(frame[filled].notna().any(axis=1).sum())
        warnings.append(f"{rows} rows had more fields than the header; the extra fields are kept in columns "
                        "named '(extra N)' in the raw table.")
    return frame, headers + filled


def _arrow_parse(body: str, delim: str, names: list[str]) -> pd.DataFrame | None:
    """Parse with pyarrow; return None when a row is malformed so the careful path takes over."""
    data = body.encode("utf-8")
    if data.count(b'"') % 2 and _quote_open_at_end(body, delim):
        # pyarrow would accept a quote that is never closed and swallow the tail;
        # an even quote count rules that out without a Python-speed scan.
        return None
    return _arrow_parse_buffer(data, delim, names)


def _parse_block(whole: int) -> int:
    """The block size pyarrow parses ``whole`` bytes of CSV in: at least 8 blocks of 1-16 MiB (``whole`` if less)."""
    return min(max(whole // _BLOCKS, 1 << 20), _BLOCK_BYTES, whole)


def _arrow_parse_buffer(data: bytes | memoryview | tuple[str, int, int], delim: str,
                        names: list[str], *, wide: Collection[str] = (),
                        long_tail: list[bool] | None = None) -> pd.DataFrame | None:
    """Parse UTF-8 CSV (header record first) with pyarrow; None when pyarrow rejects a row or the bytes.

    ``data`` is the bytes, or ``(path, offset, size)`` for pyarrow to read the
    file itself from ``offset`` (the file's bytes then never sit in Python).
    Columns named in ``wide`` are parsed as ``large_string`` (``_WIDE_TEXT``), the others as ``string``.
    ``long_tail``, when given, receives whether the parse's very last cell (before blank records are
    dropped) runs over a line end, as a cell opened by a quote never closed does.
    """
    bad: list[int] = []

    def _on_bad(row: object) -> str:
        bad.append(1)
        return "skip"

    def _source() -> pa.NativeFile:
        if isinstance(data, tuple):
            stream = pa.OSFile(data[0], "r")
            stream.seek(data[1])
            return stream
        return pa.BufferReader(pa.py_buffer(data))

    def _read(block: int) -> pa.Table:
        return pacsv.read_csv(
            _source(),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=block),
            parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True,
                                             invalid_row_handler=_on_bad),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.large_string() if n in wide else pa.string()
                                                               for n in names},
                                                 strings_can_be_null=True, null_values=[""],
                                                 quoted_strings_can_be_null=True),
        )

    # Blocks of at most 16 MiB parse on every core and keep the parser's working copies
    # small (one block for a 1 GB file held ~3 GB at once); a smaller file is still cut
    # into several, so both cores stay busy to its end.  A record longer
    # than a block (a description of megabytes) makes pyarrow refuse; the
    # retry then reads the whole file as one block.
    whole = min((data[2] - data[1] if isinstance(data, tuple) else len(data)) + 1, 2**31 - 1)
    block = _parse_block(whole)
    try:
        try:
            table = _read(block)
        except pa.ArrowInvalid:
            if whole <= block:
                return None
            bad.clear()
            table = _read(whole)
    except pa.ArrowException:
        return None
    if bad:
        return None
    if long_tail is not None:
        long_tail.append(_long_last_cell(table))
    if len(table):
        filled = _filled_rows(table)
        # Filtering copies every column; a clean export has no blank record to drop.
        if not pc.all(filled).as_py():
            table = table.filter(filled)
    frame = table.to_pandas(types_mapper={pa.string(): _RAW_TEXT, pa.large_string(): _WIDE_TEXT}.get,
                            self_destruct=True)
    del table
    return frame


def _long_last_cell(table: pa.Table) -> bool:
    """Whether the table's last cell holds a line end (False for an empty table)."""
    if not len(table) or not table.num_columns:
        return False
    last = table.column(table.num_columns - 1)[len(table) - 1].as_py()
    return isinstance(last, str) and ("\n" in last or "\r" in last)


def _filled_rows(table: pa.Table) -> pa.Array:
    """Mask of rows with at least one non-blank cell (",,," or spaces is not a record)."""
    filled = None
    for col in table.columns:
        # Text left after trimming, asked without building the trimmed strings: not empty, not all blanks.
        has_text = pa.array(~blank_or_missing(col))
        filled = has_text if filled is None else pc.or_(filled, has_text)
        # Most records fill their first column: stop once every row is known to hold text.
        if pc.all(filled).as_py():
            break
    return filled

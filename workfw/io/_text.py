"""Bytes to a table of strings: encoding, delimiter, header row and CSV quirks.

Every value comes out as text (``NA`` for empty cells); readers parse types.
Repeated headers (Jira's ``Labels``, ``Comment``...) are kept: the frame gets
unique names (``Labels``, ``Labels (2)``...) and :attr:`CsvTable.headers`
keeps the original name of every column.

Clean files go through pyarrow's multi-threaded parser; only files pyarrow
rejects (rows of the wrong width, broken quoting) take the slower ``csv``
module path, which repairs what it can and says so in ``warnings``.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import EmptyExportError, ExportReadError

__all__ = ["CsvTable", "decode", "read_csv_table", "sniff_header", "RESERVED_COLUMNS"]

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

_STRING = pd.StringDtype()
_HEADER_SCAN_ROWS = 25
_HEAD_CHARS = 65536  # the start of a file that header and delimiter detection read
_BLOCK_BYTES = 1 << 24
_DELIMITERS = (",", ";", "\t", "|")
# Only these end a CSV record; str.splitlines would also split on \x0b, \x1c, \u2028...
_LINE_END = re.compile(r"\r\n|\r|\n")

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


def _reject_binary(data: bytes, name: str) -> None:
    if data.startswith(b"PK\x03\x04"):
        found = "a ZIP archive (an Excel .xlsx workbook or a zipped export)"
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        found = "an Excel 97-2003 .xls workbook"
    else:
        return
    raise ExportReadError(name, "the whole file", found, "a CSV or JSON export",
                          "open it in Excel and use File > Save As > CSV UTF-8, or unzip it first")


def decode(data: bytes, *, name: str, encoding: str | None = None) -> tuple[str, str, list[str]]:
    """Decode file bytes, detecting BOMs, UTF-16 and Excel's Windows-1252.

    Returns
    -------
    tuple
        ``(text, encoding, warnings)``.

    Raises
    ------
    ExportReadError
        When the bytes are a spreadsheet workbook or zip rather than text, or
        do not decode in the encoding the user named.
    """
    warnings: list[str] = []
    _reject_binary(data, name)
    if encoding:
        try:
            return data.decode(encoding), encoding, warnings
        except (UnicodeDecodeError, LookupError) as exc:
            raise ExportReadError(name, "the whole file", f"bytes that are not {encoding} ({exc})",
                                  "text in the encoding you named",
                                  "leave encoding unset so workfw detects it, or name the right one") from exc
    if data.startswith(codecs.BOM_UTF8):
        text, enc = data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # A cut-short download can leave an odd byte; replace it rather than fail.
        text, enc = data.decode("utf-16", errors="replace"), "utf-16"
    elif (head := data[:4000]) and head.count(b"\x00") > len(head) // 4:
        enc = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        text = data.decode(enc, errors="replace")
    else:
        try:
            text, enc = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, enc = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                text, enc = data.decode("latin-1"), "latin-1"
            warnings.append(f"The file is not UTF-8; it was read as {enc} (as Excel saves CSV on Windows). "
                            "If accented letters look wrong, pass encoding=... to read_export.")
    if "\ufffd" in text and enc.startswith(("utf-8-sig", "utf-16")):
        warnings.append(f"Some bytes are not valid {enc} and were replaced by '\ufffd'; the file may be "
                        "cut short or damaged.")
    return text, enc, warnings


def _records(text: str, delim: str, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    out = []
    for rec in reader:
        out.append(rec)
        if limit is not None and len(out) >= limit:
            break
    return out


def _sniff_delimiter(sample: str) -> str:
    # The delimiter is the one that splits most records into the same number
    # (>1) of fields; raw per-character counts are fooled by commas in text.
    best, best_score = ",", (0, 0)
    for delim in _DELIMITERS:
        widths = [len(r) for r in _records(sample, delim, _HEADER_SCAN_ROWS) if any(c.strip() for c in r)]
        widths = [w for w in widths if w > 1]
        if not widths:
            continue
        width, freq = Counter(widths).most_common(1)[0]
        score = (freq, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def _header_index(rows: list[list[str]]) -> int:
    filled = [sum(1 for c in r if c.strip()) for r in rows]
    widest = max(filled, default=0)
    for i, n in enumerate(filled):
        if n >= max(2, widest // 2):
            return i
    return 0


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


def _sniff(text: str, delimiter: str | None, *, truncated: bool = False) -> tuple[list[str], int, str]:
    sample = text[:_HEAD_CHARS]
    delim = delimiter or _sniff_delimiter(sample)
    rows = _records(sample, delim, _HEADER_SCAN_ROWS + 1)
    if (truncated or len(text) > len(sample)) and len(rows) > 1:
        rows = rows[:-1]  # the last sampled row may be cut
    rows = rows[:_HEADER_SCAN_ROWS]
    idx = _header_index(rows)
    return (rows[idx] if rows else []), idx, delim


def sniff_header(text: str, *, delimiter: str | None = None) -> tuple[list[str], int, str]:
    """Return ``(headers, header_row_index, delimiter)`` from the start of a CSV text."""
    headers, idx, delim = _sniff(text, delimiter)
    while headers and not headers[-1].strip() and len(headers) > 1:
        headers = headers[:-1]  # a trailing delimiter adds an empty header
    return headers, idx, delim


def _record_end(text: str, start: int, delim: str) -> int:
    """Offset just past the record starting at ``start``, following the csv module's quoting rules."""
    i, n, at_field_start, quoted = start, len(text), True, False
    while i < n:
        ch = text[i]
        if quoted:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 1
                else:
                    quoted = False
        elif ch == '"' and at_field_start:
            quoted = True
        elif ch in "\r\n":
            return i + 2 if text.startswith("\r\n", i) else i + 1
        at_field_start = ch == delim and not quoted
        i += 1
    return n


def _skip_preamble(text: str, header_index: int, delim: str) -> str:
    pos = 0
    for _ in range(header_index):
        pos = _record_end(text, pos, delim)
    return text[pos:]


def _is_blank(rec: list) -> bool:
    return all(c is None or not str(c).strip() for c in rec)


def _python_parse(body: str, delim: str, n_cols: int, name: str, first_row: int,
                  warnings: list[str]) -> tuple[list[list[str | None]], int]:
    """Parse with the csv module, repairing short, long and unclosed-quote rows."""
    lines = [m for m in re.split(r"(?<=\r\n)|(?<=\r)(?!\n)|(?<=\n)", body) if m]
    records: list[list[str | None]] = []
    short = long_ = 0
    widest = n_cols
    unclosed: list[int] = []
    start = 0
    while start < len(lines):
        reader = csv.reader(lines[start:], delimiter=delim)
        begun = start
        for rec in reader:
            rec_first_line = begun
            begun = start + reader.line_num
            if begun >= len(lines) and rec and _quote_open_at_end("".join(lines[rec_first_line:]), delim):
                # A quote opened and never closed swallowed the rest of the file:
                # read that one line with the quote as a plain character instead.
                rec = next(csv.reader([lines[rec_first_line]], delimiter=delim, quoting=csv.QUOTE_NONE), [])
                unclosed.append(first_row - 1 + len(records))
                begun = rec_first_line + 1
            if _is_blank(rec):
                continue
            if len(rec) < n_cols:
                short += 1
                rec = rec + [""] * (n_cols - len(rec))
            elif len(rec) > n_cols and any(c.strip() for c in rec[n_cols:]):
                long_ += 1
                widest = max(widest, len(rec))
            records.append([c if c != "" else None for c in rec])
            if begun != start + reader.line_num:
                break  # resume after the repaired line
        start = begun if begun > start else len(lines)
    if short:
        warnings.append(f"{short} rows had fewer fields than the header; the missing trailing fields were left empty.")
    if long_:
        warnings.append(f"{long_} rows had more fields than the header; the extra fields are kept in columns "
                        "named '(extra N)' in the raw table.")
    if unclosed:
        warnings.append(f"Row {unclosed[0]} has a double quote that is never closed; that line was read with the "
                        "quote as a plain character so the rows after it are not lost. Check that row's cells.")
    return records, widest


def _quote_open_at_end(text: str, delim: str) -> bool:
    at_field_start, quoted, i, n = True, False, 0, len(text)
    while i < n:
        ch = text[i]
        if quoted:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 1
                else:
                    quoted = False
        elif ch == '"' and at_field_start:
            quoted = True
        at_field_start = (ch == delim or ch in "\r\n") and not quoted
        i += 1
    return quoted


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


def _table_from_text(text: str, *, name: str, encoding: str, delimiter: str | None,
                     warnings: list[str]) -> CsvTable:
    if not text.strip("\ufeff\x00 \t\r\n"):
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
        frame = pd.DataFrame(padded, columns=cols, dtype=_STRING) if padded else pd.DataFrame(
            {c: pd.Series([], dtype=_STRING) for c in cols})
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


def _arrow_parse_buffer(data: bytes | memoryview | tuple[str, int, int], delim: str,
                        names: list[str]) -> pd.DataFrame | None:
    """Parse UTF-8 CSV (header record first) with pyarrow; None when pyarrow rejects a row or the bytes.

    ``data`` is the bytes, or ``(path, offset, size)`` for pyarrow to read the
    file itself from ``offset`` (the file's bytes then never sit in Python).
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
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=True, null_values=[""],
                                                 quoted_strings_can_be_null=True),
        )

    # 16 MiB blocks parse on every core and keep the parser's working copies
    # small (one block for a 1 GB file held ~3 GB at once).  A record longer
    # than a block (a description of megabytes) makes pyarrow refuse; the
    # retry then reads the whole file as one block.
    whole = min((data[2] - data[1] if isinstance(data, tuple) else len(data)) + 1, 2**31 - 1)
    try:
        try:
            table = _read(min(_BLOCK_BYTES, whole))
        except pa.ArrowInvalid:
            if whole <= _BLOCK_BYTES:
                return None
            bad.clear()
            table = _read(whole)
    except pa.ArrowException:
        return None
    if bad:
        return None
    if len(table):
        filled = _filled_rows(table)
        # Filtering copies every column; a clean export has no blank record to drop.
        if not pc.all(filled).as_py():
            table = table.filter(filled)
    frame = table.to_pandas(types_mapper={pa.string(): _STRING, pa.large_string(): _STRING}.get,
                            self_destruct=True)
    del table
    return frame


def _filled_rows(table: pa.Table) -> pa.Array:
    """Mask of rows with at least one non-blank cell (",,," or spaces is not a record)."""
    filled = None
    for col in table.columns:
        has_text = pc.fill_null(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(col)), 0), False)
        filled = has_text if filled is None else pc.or_(filled, has_text)
        # Most records fill their first column: stop once every row is known to hold text.
        if pc.all(filled).as_py():
            break
    return filled

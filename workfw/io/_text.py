"""Bytes to a table of strings: encoding, delimiter, header row and CSV quirks.

Every value comes out as text (``NA`` for empty cells); readers parse types.
Repeated headers (Jira's ``Labels``, ``Comment``...) are kept: the frame gets
unique names (``Labels``, ``Labels (2)``...) and :attr:`CsvTable.headers`
keeps the original name of every column.
"""
from __future__ import annotations

import codecs
import csv
import io
import sys
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import EmptyExportError, ExportReadError

__all__ = ["CsvTable", "decode", "read_csv_table", "sniff_header"]

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

_STRING = pd.StringDtype()
_HEADER_SCAN_ROWS = 25


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


def decode(data: bytes, *, name: str, encoding: str | None = None) -> tuple[str, str, list[str]]:
    """Decode file bytes, detecting BOMs, UTF-16 and Excel's Windows-1252.

    Returns
    -------
    tuple
        ``(text, encoding, warnings)``.
    """
    warnings: list[str] = []
    if encoding:
        try:
            return data.decode(encoding), encoding, warnings
        except (UnicodeDecodeError, LookupError) as exc:
            raise ExportReadError(name, "the whole file", f"bytes that are not {encoding} ({exc})",
                                  "text in the encoding you named",
                                  "leave encoding unset so workfw detects it, or name the right one") from exc
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig", warnings
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16", warnings
    head = data[:4000]
    if head and head.count(b"\x00") > len(head) // 4:
        enc = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        return data.decode(enc, errors="replace"), enc, warnings
    try:
        return data.decode("utf-8"), "utf-8", warnings
    except UnicodeDecodeError:
        pass
    try:
        text, enc = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, enc = data.decode("latin-1"), "latin-1"
    warnings.append(f"The file is not UTF-8; it was read as {enc} (as Excel saves CSV on Windows). "
                    "If accented letters look wrong, pass encoding=... to read_export.")
    return text, enc, warnings


def _sniff_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:_HEADER_SCAN_ROWS] if ln.strip(" ,;\t")]
    if not lines:
        return ","
    best, best_score = ",", -1
    for delim in (",", ";", "\t", "|"):
        counts = [len(next(csv.reader([ln], delimiter=delim), [])) for ln in lines[:10]]
        score = max(counts)
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
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(headers):
        base = h.strip() or f"(unnamed {i + 1})"
        key = base.casefold()
        seen[key] = seen.get(key, 0) + 1
        out.append(base if seen[key] == 1 else f"{base} ({seen[key]})")
    return out


def sniff_header(text: str, *, delimiter: str | None = None) -> tuple[list[str], int, str]:
    """Return ``(headers, header_row_index, delimiter)`` from the start of a CSV text."""
    sample = text[:65536]
    delim = delimiter or _sniff_delimiter(sample)
    rows = list(csv.reader(io.StringIO(sample), delimiter=delim))[:_HEADER_SCAN_ROWS]
    if rows and not sample.endswith(("\n", "\r")) and len(text) > len(sample):
        rows = rows[:-1]  # the last sampled row may be cut
    idx = _header_index(rows)
    headers = rows[idx] if rows else []
    while headers and not headers[-1].strip() and len(headers) > 1:
        headers = headers[:-1]  # a trailing delimiter adds an empty header
    return headers, idx, delim


def _skip_preamble(text: str, header_index: int, delim: str) -> str:
    if header_index == 0:
        return text
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    for _ in range(header_index):
        next(reader)
    # csv.reader consumed whole records; locate the header record's start.
    lines_consumed = reader.line_num
    pos = 0
    for _ in range(lines_consumed):
        pos = text.index("\n", pos) + 1
    return text[pos:]


def _python_parse(body: str, delim: str, n_cols: int, name: str, first_row: int,
                  warnings: list[str]) -> tuple[list[list[str | None]], int]:
    records: list[list[str | None]] = []
    short = long_ = 0
    widest = n_cols
    try:
        for rec in csv.reader(io.StringIO(body, newline=""), delimiter=delim):
            if not rec or (len(rec) == 1 and not rec[0].strip()):
                continue
            if len(rec) < n_cols:
                short += 1
                rec = rec + [""] * (n_cols - len(rec))
            elif len(rec) > n_cols and any(c.strip() for c in rec[n_cols:]):
                long_ += 1
                widest = max(widest, len(rec))
            records.append([c if c != "" else None for c in rec])
    except csv.Error as exc:
        raise ExportReadError(name, f"row {first_row + len(records)}", f"broken CSV quoting ({exc})",
                              "RFC-4180 CSV with balanced double quotes",
                              "re-export the file from the tracker, or open and re-save it as CSV") from exc
    if short:
        warnings.append(f"{short} rows had fewer fields than the header; the missing trailing fields were left empty.")
    if long_:
        warnings.append(f"{long_} rows had more fields than the header; the extra fields are kept in columns "
                        "named '(extra N)' in the raw table.")
    return records, widest


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
        When the quoting is broken beyond repair.
    """
    text, enc, warnings = decode(data, name=name, encoding=encoding)
    if not text.strip():
        raise EmptyExportError(name, "the whole file", "no content", "a header row and task rows",
                               "export again from the tracker; the file may have been saved before the download finished")
    headers, idx, delim = sniff_header(text, delimiter=delimiter)
    if len([h for h in headers if h.strip()]) < 2:
        raise EmptyExportError(name, "row 1", f"no header row (first line: {text.strip().splitlines()[0][:80]!r})",
                               "a header row naming at least two columns",
                               "check that this is a CSV export of tasks, not a report or a single list")
    names = _unique_names(headers)
    body = _skip_preamble(text, idx, delim)
    first_row = idx + 2
    frame = _arrow_parse(body, delim, names)
    if frame is None:
        records, widest = _python_parse(body, delim, len(names), name, first_row, warnings)
        records = records[1:]  # drop the header record itself
        cols = names + [f"(extra {i})" for i in range(1, widest - len(names) + 1)]
        headers = headers + cols[len(headers):]
        padded = [r + [None] * (len(cols) - len(r)) if len(r) < len(cols) else r[:len(cols)] for r in records]
        frame = pd.DataFrame(padded, columns=cols, dtype=_STRING) if padded else pd.DataFrame(
            {c: pd.Series([], dtype=_STRING) for c in cols})
    if len(frame) == 0:
        raise EmptyExportError(name, f"row {first_row}", "a header but no task rows",
                               "at least one task row under the header",
                               "widen the tracker's filter or search before exporting")
    frame["_row"] = pd.RangeIndex(first_row, first_row + len(frame))
    return CsvTable(frame=frame, headers=list(headers), encoding=enc, delimiter=delim, warnings=warnings)


def _arrow_parse(body: str, delim: str, names: list[str]) -> pd.DataFrame | None:
    """Parse with pyarrow; return None when a row is malformed so the careful path takes over."""
    bad: list[int] = []

    def _on_bad(row: object) -> str:
        bad.append(1)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(body.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 26),
            parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True,
                                             invalid_row_handler=_on_bad),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=True, null_values=[""],
                                                 quoted_strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError):
        return None
    if bad:
        return None
    frame = table.to_pandas(types_mapper={pa.string(): _STRING, pa.large_string(): _STRING}.get)
    # pyarrow keeps whitespace-only lines as rows of nulls; a blank line is not a record.
    return frame.loc[frame.notna().any(axis=1)].reset_index(drop=True)

"""CSV text to records: encoding, delimiter and header sniffing, record scanning, careful parsing.

The slow-but-forgiving half of :mod:`workfw.io._text`: decoding bytes,
finding the delimiter and header row from the start of a file, walking
records with the csv module's quoting rules, and the ``csv`` module parser
that repairs rows pyarrow rejects.  The pyarrow fast path and the table
assembly stay in :mod:`workfw.io._text`.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from collections import Counter

from workfw.errors import ExportReadError

__all__ = ["decode", "sniff_header"]

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

_HEADER_SCAN_ROWS = 25
_HEAD_CHARS = 65536  # the start of a file that header and delimiter detection read
_DELIMITERS = (",", ";", "\t", "|")
# Only these end a CSV record; str.splitlines would also split on \x0b, \x1c, \u2028...
_LINE_END = re.compile(r"\r\n|\r|\n")


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
            mostly = _mostly_utf8(data)
            if mostly is not None:
                text, enc, note = *mostly[:1], "utf-8", mostly[1]
                warnings.append(note)
            else:
                text, enc, note = _detect_encoding(data)
                warnings.append(f"The file is not UTF-8; it was read as {enc} ({note}). "
                                "If letters look wrong, pass encoding=... to read_export.")
    if "\ufffd" in text and enc.startswith(("utf-8-sig", "utf-16")):
        warnings.append(f"Some bytes are not valid {enc} and were replaced by '\ufffd'; the file may be "
                        "cut short or damaged.")
    return text, enc, warnings


#: A file is read as UTF-8 with a few bytes replaced when its valid multi-byte letters outnumber its broken
#: bytes this many times: text in a one-byte encoding (cp1252, cp1251...) breaks at nearly every letter
#: outside ASCII, while a UTF-8 file with a pasted or cut-in-two character breaks once or twice.
_UTF8_EVIDENCE = 20


def _mostly_utf8(data: bytes) -> tuple[str, str] | None:
    """``(text, warning)`` for UTF-8 bytes with a few broken sequences (replaced by U+FFFD), else None.

    Handing such a file to encoding detection would read every letter outside ASCII wrongly (a
    Czech "é" as "├®" in cp857) to spare the one broken character.
    """
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    letters = len(text) - len(text.encode("ascii", errors="ignore")) - broken
    if broken <= 0 or letters < _UTF8_EVIDENCE * broken:
        return None
    line = text.count("\n", 0, text.index("\ufffd")) + 1
    return text, (f"{broken} byte sequence{'s are' if broken != 1 else ' is'} not valid UTF-8 (the first on line "
                  f"{line}) while the rest of the file is UTF-8: read as UTF-8 with each shown as '\ufffd'. "
                  "If letters look wrong throughout, pass encoding=... to read_export.")


#: Bytes of the file start the encoding is detected from (detection time grows with the sample).
_DETECT_BYTES = 1 << 17
# Encodings exports are saved in, most common first: when several decode the sample equally cleanly
# (a mostly-ASCII cp1252 file is also clean cp1250 or ISO-8859-10), the commoner one wins.
_PREFERRED = ("cp1252", "cp1250", "iso8859_2", "cp1251", "koi8_r", "cp932", "shift_jis", "gb18030", "gbk",
              "gb2312", "big5", "cp949", "euc_kr", "euc_jp", "iso8859_15", "cp1253", "cp1254", "cp1257",
              "iso8859_5", "iso8859_7", "iso8859_9", "iso8859_13", "cp1255", "cp1256", "cp1258", "mac_roman")


def _detect_encoding(data: bytes) -> tuple[str, str, str]:
    """Decode bytes that are not UTF-8: charset-normalizer on the file's start, then cp1252, then latin-1.

    Returns
    -------
    tuple
        ``(text, encoding, note)``; the note says how the encoding was chosen and how sure it was.
    """
    from charset_normalizer import from_bytes  # imported late: only non-UTF-8 files need it

    matches = list(from_bytes(data[:_DETECT_BYTES]))
    if matches:
        least = min(m.chaos for m in matches)
        clean = [m for m in matches if m.chaos <= least + 0.01]
        rank = {name: i for i, name in enumerate(_PREFERRED)}
        clean.sort(key=lambda m: (min((rank.get(c, len(rank)) for c in [m.encoding, *m.could_be_from_charset]),
                                      default=len(rank)), -m.coherence))
        for match in clean:
            names = [match.encoding, *match.could_be_from_charset]
            encoding = min(names, key=lambda c: rank.get(c, len(rank)))
            try:
                text = data.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                continue  # the rest of the file holds bytes the start did not
            sure = round(100 * (1 - match.chaos))
            language = f", text in {match.language}" if match.language and match.language != "Unknown" else ""
            return text, encoding, f"detected from the first {min(len(data), _DETECT_BYTES) // 1024 or 1} KB " \
                                   f"by charset-normalizer, {sure}% sure{language}"
    try:
        return data.decode("cp1252"), "cp1252", "no encoding fitted better; as Excel saves CSV on Windows"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1", "no encoding fitted better; every byte read as one letter"


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


def _scan_quotes(text: str, delim: str, start: int = 0, *, stop_at_line_end: bool) -> tuple[int, bool]:
    """Walk ``text`` from ``start`` with the csv module's quoting rules.

    A double quote opens a quoted field only at the start of a field; inside
    one, ``""`` is a literal quote and a lone ``"`` closes it.  A CR, LF or
    CRLF outside quotes ends the record.

    Parameters
    ----------
    text : str
        The CSV text.
    delim : str
        The one-character field delimiter.
    start : int, optional
        Offset of the first character of a record.
    stop_at_line_end : bool
        True to stop at the first unquoted line end; False to carry on
        through it, as the start of a new field, to the end of ``text``.

    Returns
    -------
    tuple of (int, bool)
        ``(end, quoted)``: the offset just past the line end that stopped the
        walk (CRLF counts as one), or ``len(text)``; and whether a quoted field
        is still open at ``end`` (always False when stopped at a line end).
    """
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
            if stop_at_line_end:
                return (i + 2 if text.startswith("\r\n", i) else i + 1), False
            at_field_start = True
            i += 1
            continue
        at_field_start = ch == delim and not quoted
        i += 1
    return n, quoted


def _record_end(text: str, start: int, delim: str) -> int:
    """Offset just past the record starting at ``start``, following the csv module's quoting rules."""
    return _scan_quotes(text, delim, start, stop_at_line_end=True)[0]


def _quote_open_at_end(text: str, delim: str) -> bool:
    """Whether a quoted field opened in ``text`` is still open at its end."""
    return _scan_quotes(text, delim, stop_at_line_end=False)[1]


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

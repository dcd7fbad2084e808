"""The fast path for large, clean UTF-8 CSV files: pyarrow parses the bytes (or the file) directly.

Only the start of the file is decoded, to find the delimiter and the header
row with the same rules as :mod:`workfw.io._text`; anything unusual returns
None and the careful path in ``_text`` reads the file instead.
"""
from __future__ import annotations

import codecs
import mmap
import os
from collections.abc import Callable

import numpy as np
import pandas as pd

from workfw.io._text import (_HEAD_CHARS, CsvTable, _arrow_parse_buffer, _drop_empty_extras, _skip_preamble, _sniff,
                    _unique_extra, _unique_names)

__all__ = ["table_from_utf8"]


def table_from_utf8(data: bytes | str | os.PathLike, *, name: str, delimiter: str | None = None,
                    text_columns: Callable[[list[str]], set[int]] | None = None) -> CsvTable | None:
    """Read UTF-8 CSV straight into a :class:`CsvTable` without decoding the whole file.

    The fast path for large exports: only the first 256 KiB are decoded (to
    find the delimiter and header row); pyarrow parses and checks the rest as
    bytes, so no copy of the file exists as Python text.  Given a path,
    pyarrow reads the file itself and its bytes never sit in Python either.
    ``text_columns(headers)`` names the positions of the columns to parse as
    ``large_string`` (see :class:`~workfw.io._registry.ExportFormat`).

    Returns
    -------
    CsvTable or None
        None when the bytes are not clean UTF-8 CSV (another encoding, a
        malformed row, a quote never closed...): the caller then takes the
        careful path, :func:`decode` then ``_table_from_text``.
    """
    if isinstance(data, (bytes, bytearray, memoryview)):
        first, size = bytes(data[:4 * _HEAD_CHARS + 8]), len(data)
    else:
        path = os.fspath(data)
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            first = fh.read(4 * _HEAD_CHARS + 8)
    start = 3 if first.startswith(codecs.BOM_UTF8) else 0
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in first[:4000]:
        return None
    raw_head = first[start:start + 4 * _HEAD_CHARS]
    try:
        head = codecs.getincrementaldecoder("utf-8")().decode(raw_head, final=len(raw_head) == size - start)
    except UnicodeDecodeError:
        return None
    truncated = start + len(raw_head) < size
    if not head.strip("\ufeff\x00 \t\r\n"):
        return None
    raw_headers, idx, delim = _sniff(head, delimiter, truncated=truncated)
    headers = list(raw_headers)
    while headers and not headers[-1].strip() and len(headers) > 1:
        headers = headers[:-1]
    if len([h for h in headers if h.strip()]) < 2:
        return None
    preamble = len(head) - len(_skip_preamble(head, idx, delim))
    offset = start + len(head[:preamble].encode("utf-8"))
    names = _unique_names(headers)
    trailing = _unique_extra(names, len(raw_headers) - len(headers))
    warnings: list[str] = []
    source = memoryview(data)[offset:] if isinstance(data, (bytes, bytearray, memoryview)) else (path, offset, size)
    wide = text_columns(headers) if text_columns is not None else set()
    long_tail: list[bool] = []
    frame = _arrow_parse_buffer(source, delim, names + trailing, wide={names[i] for i in wide if i < len(names)},
                                long_tail=long_tail)
    if frame is None or len(frame) == 0:
        return None
    if (long_tail[0] or not _ends_with_a_line_end(data, size)) and _count_quotes(data, offset) % 2:
        return None  # maybe a quote never closed: the careful path finds and repairs it
    frame, headers = _drop_empty_extras(frame, trailing, headers, warnings)
    first_row = idx + 2
    frame["_row"] = pd.RangeIndex(first_row, first_row + len(frame))
    return CsvTable(frame=frame, headers=list(headers), encoding="utf-8-sig" if start else "utf-8",
                    delimiter=delim, warnings=warnings)


def _ends_with_a_line_end(data: bytes | bytearray | memoryview | str | os.PathLike, size: int) -> bool:
    """Whether the file's last byte ends a line.

    pyarrow reads a quote that never closes as a field running to the end of the file.  Inside any
    column but the last, that row then lacks fields and is refused; in the last column it swallows
    every line after it into the parse's last cell (seen by ``long_tail``), or, when the file ends
    without a line end (a download cut short), only the rest of its last line.  Only then are the
    whole file's quotes counted, which spares reading a clean file a second time.
    """
    if not size:
        return True
    if isinstance(data, (bytes, bytearray, memoryview)):
        last = bytes(data[size - 1:size])
    else:
        with open(data, "rb") as fh:
            fh.seek(size - 1)
            last = fh.read(1)
    return last in (b"\n", b"\r")


def _count_quotes(data: bytes | memoryview | str | os.PathLike, offset: int) -> int:
    """Count ``"`` bytes from ``offset`` on, reading a file in 64 MiB pieces."""
    if isinstance(data, (bytes, bytearray)):
        return data.count(b'"', offset)
    if isinstance(data, memoryview):
        return bytes(data[offset:]).count(b'"')
    size = os.path.getsize(data)
    if size <= offset:
        return 0
    total = 0
    # Mapped, not read: counting in place spares copying the file through Python bytes (~1 s at 870 MB).
    # Compared 4 MiB at a time into one reused mask, which stays in cache instead of paging in a new one.
    piece = 1 << 22
    mask = np.empty(piece, dtype=bool)
    with open(data, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        view = np.frombuffer(mapped, dtype=np.uint8)
        for lo in range(offset, size, piece):
            part = view[lo:lo + piece]
            total += int(np.count_nonzero(np.equal(part, 34, out=mask[:len(part)])))  # 34 == ord('"')
        del view, part  # the map cannot close while an array still points into it
    return total

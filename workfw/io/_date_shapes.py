"""Date shapes: a column's values reduced to a few templates, read with integer arithmetic.

A minute-stamped export has a distinct date in almost every cell, so parsing
each distinct text in Python (or through ``strptime`` with ``%b``) costs
seconds per million values.  Here every value becomes its *shape*, in one
numpy pass over the Arrow string buffer: the text with each digit replaced
by ``\\x01``.  A column holds a few dozen shapes at most (months, day
periods, one- or two-digit hours), so each shape is understood once in
Python: which field each run of digits is (:func:`template_of`, on the shape
with runs collapsed) and at which bytes it sits.  The digits of every row are
then read from those bytes and combined into timestamps with numpy.  Values
whose shape is not understood, or whose numbers are out of range, are left
for the caller's careful per-value path.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workfw.io._locale import CJK_MONTH_MARKS, resolve_words

__all__ = ["Shapes", "shapes_of", "Template", "template_of", "numeric_order_votes", "has_numeric", "to_utc_ns"]

_RUN = "\x01"
_POW10 = 10 ** np.arange(19, dtype=np.int64)
_MAX_RUN = 9  # longer digit runs are no part of a date (and would overflow the arithmetic)

_WORD = r"[^\x01\s/,\-:]+"
_MARKS = "".join(CJK_MONTH_MARKS)
# Date parts, on the shape.  Named groups hold a run (\x01) or a word.
_DATE_PATTERNS = (
    ("numeric", re.compile(r"(?P<a>\x01)(?P<s>[/.\-])(?P<b>\x01)(?P=s)(?P<c>\x01)\.?")),
    ("numeric", re.compile(r"(?P<a>\x01)\. (?P<b>\x01)\. (?P<c>\x01)\.?")),
    ("dmy_cjk", re.compile(rf"(?P<d>\x01)[/.\- ](?P<mo>\x01)[{_MARKS}][/.\- ](?P<y>\x01)")),
    ("d_word_y", re.compile(rf"(?P<d>\x01)(?:[/\- ]|\. ?)(?P<w>{_WORD})[/\- ]+(?P<y>\x01)")),
    ("word_d_y", re.compile(rf"(?:{_WORD},? )?(?P<w>{_WORD}) (?P<d>\x01)(?:,? | )(?P<y>\x01)")),
)
_TIME = re.compile(
    r"(?:T| +|, ?)(?:(?P<p1>[^\x01\s:]+) ?)?(?P<H>\x01):(?P<M>\x01)(?::(?P<S>\x01)(?:[.,](?P<f>\x01))?)?"
    r"(?:(?P<z>Z| ?(?:GMT|UTC)?(?P<sign>[+-])(?P<zh>\x01)(?::(?P<zm>\x01))?(?: \(.*\))?| ?(?:GMT|UTC))"
    r"| ?(?P<p2>[^\x01]+))?")


@dataclass
class Template:
    """How one shape reads: which digit run is which field, and the constants its words give.

    Run indices are positions among the value's digit runs (-1: absent).
    ``kind`` is ``"numeric"`` when the first three runs are a date whose
    order (day or month first, or year first when four digits) the column
    decides, else the fields are fixed.
    """

    kind: str
    runs: dict[str, int]
    month_word: str | None = None
    period_word: str | None = None
    zone: str = "naive"  # "naive", "utc" or "offset"
    sign: int = 1


@lru_cache(maxsize=4096)
def template_of(shape: str) -> Template | None:
    """Understand one shape, or None when it is no date workfw reads in bulk."""
    for kind, pattern in _DATE_PATTERNS:
        date = pattern.match(shape)
        if date is not None:
            break
    else:
        return None
    rest = shape[date.end():]
    time = _TIME.fullmatch(rest) if rest else None
    if rest and time is None:
        return None

    def run_index(text: str, pos: int) -> int:
        return text[:pos].count(_RUN)

    runs = {name: run_index(shape, date.start(name)) for name in ("a", "b", "c", "d", "mo", "y")
            if name in date.groupdict() and date.group(name) is not None}
    out = Template(kind="numeric" if kind == "numeric" else "fixed", runs=runs)
    if kind in ("d_word_y", "word_d_y"):
        out.month_word = date.group("w")
    if time is not None:
        base = date.end()
        for name in ("H", "M", "S", "f", "zh", "zm"):
            if time.group(name) is not None:
                out.runs[name] = run_index(shape, base + time.start(name))
        period = time.group("p1") or time.group("p2")
        if period is not None:
            out.period_word = period.strip()
        if time.group("z") is not None:
            out.zone = "offset" if time.group("sign") else "utc"
            out.sign = -1 if time.group("sign") == "-" else 1
    return out


@dataclass
class Shapes:
    """A text column as shapes (see the module notes) over its bytes.

    Attributes
    ----------
    codes : numpy.ndarray
        Shape number of each value (int32).
    shapes : list of str
        The distinct shapes, digits as ``\\x01``.
    starts : numpy.ndarray
        Offset of each value's first byte in ``data`` (int32 or int64, often a view of the Arrow offsets).
    data : numpy.ndarray
        The column's bytes (uint8).
    """

    codes: np.ndarray
    shapes: list[str]
    starts: np.ndarray
    data: np.ndarray

    def digits(self, position: np.ndarray, length: np.ndarray, rows: np.ndarray,
               taken: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """The number written at byte ``position[shape]`` with ``length[shape]`` digits, for ``rows``.

        ``taken`` is ``(codes, starts)`` already taken at ``rows``, when several fields are read.
        """
        codes, starts = taken if taken is not None else (self.codes[rows], self.starts[rows].astype(np.int64))
        at = starts + position[codes]
        size = length[codes]
        longest = int(size.max(initial=0))
        if longest == int(size.min(initial=0)):
            # Every row has as many digits (a two-digit day, minute or year): no masks needed.
            return _digits_forward(self.data, at, longest, longest)
        value = np.zeros(len(rows), dtype=np.int32)
        for i in range(longest):
            # One digit place at a time across all rows: a date's longest run is four digits.
            more = size > i
            digit = self.data[np.where(more, at + i, 0)] - np.uint8(48)
            np.copyto(value, value * 10 + digit, where=more)
        return value


def shapes_of(values: pa.Array) -> Shapes:
    """Reduce a string array to shapes (null rows get the empty shape)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if values.type not in (pa.string(), pa.large_string()):
        values = values.cast(pa.string())
    large = values.type == pa.large_string()
    n = len(values)
    bufs = values.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64 if large else np.int32)[values.offset:values.offset + n + 1]
    lo, hi = int(offsets[0]), int(offsets[-1])
    data = (np.frombuffer(bufs[2], dtype=np.uint8)[lo:hi] if bufs[2] is not None and hi > lo
            else np.zeros(0, dtype=np.uint8))
    # The Arrow offsets themselves when they start at 0 (a whole column): no copy of a million of them.
    offs = offsets if lo == 0 else offsets - offsets.dtype.type(lo)
    # Same offsets, digits replaced: the shapes need no new offsets and no work per run of digits.
    shape_bytes = _digits_as_runs(data)
    kind = pa.LargeStringArray if large else pa.StringArray
    shape_arr = kind.from_buffers(n, pa.py_buffer(offs), pa.py_buffer(shape_bytes))
    encoded = pc.dictionary_encode(shape_arr)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    return Shapes(codes=codes, shapes=encoded.dictionary.to_pylist(), starts=offs[:-1], data=data)


_RUNS = re.compile("\x01+")
#: Bytes turned into shape bytes at a time, through two small reused buffers that stay in the CPU's cache.
_PIECE_BYTES = 1 << 18


def _digits_as_runs(data: np.ndarray) -> np.ndarray:
    """A copy of ``data`` with every ASCII digit byte replaced by ``\\x01``.

    Worked as uint8 arithmetic (``byte - is_digit * (byte - 1)``) a piece at a time: about ten times
    as fast as ``np.where`` with a scalar, and its two buffers are reused instead of three new arrays
    the size of the column.
    """
    out = np.empty_like(data)
    size = min(len(data), _PIECE_BYTES)
    shifted, digit = np.empty(size, dtype=np.uint8), np.empty(size, dtype=bool)
    for lo in range(0, len(data), _PIECE_BYTES):
        part, into = data[lo:lo + _PIECE_BYTES], out[lo:lo + _PIECE_BYTES]
        n = len(part)
        np.subtract(part, np.uint8(48), out=shifted[:n])  # uint8 wraps below '0'
        np.less(shifted[:n], 10, out=digit[:n])
        np.subtract(part, np.uint8(1), out=into)
        np.multiply(into, digit[:n].view(np.uint8), out=into)
        np.subtract(part, into, out=into)
    return out


def _month_table() -> tuple[np.ndarray, np.ndarray]:
    """Day number (since 1970) of the first of each month from 1678 to 2261, and the month's length.

    Looked up per value instead of converting a million values through datetime64[M] and [D].
    """
    months = np.arange((1678 - 1970) * 12, (2262 - 1970) * 12 + 1).astype("datetime64[M]")
    days = months.astype("datetime64[D]").astype(np.int64)
    return days[:-1], np.diff(days)


_MONTH_TABLE = _month_table()
_NAMES = ("a", "b", "c", "d", "mo", "y", "H", "M", "S", "f", "zh", "zm")


@dataclass
class _Layout:
    """Where each field of each shape sits: byte position and digit count (-1 and 0: absent)."""

    template: list[Template | None]
    position: dict[str, np.ndarray]
    length: dict[str, np.ndarray]
    #: Bytes of each shape (and so of each value of that shape).
    size: np.ndarray


@lru_cache(maxsize=64)
def _layout(shapes: tuple[str, ...]) -> _Layout:
    width = len(shapes) + 1  # the last slot stands for "no shape"
    position = {name: np.full(width, -1, dtype=np.int64) for name in _NAMES}
    length = {name: np.zeros(width, dtype=np.int64) for name in _NAMES}
    templates: list[Template | None] = []
    for i, shape in enumerate(shapes):
        runs = [(m.start(), m.end() - m.start()) for m in _RUNS.finditer(shape)]
        template = template_of(_RUNS.sub("\x01", shape)) if shape and len(shape) <= 80 else None
        if template is not None and any(size > _MAX_RUN for _, size in runs):
            template = None
        templates.append(template)
        if template is None:
            continue
        byte_at = _byte_offsets(shape)  # month words may be non-ASCII: positions are in UTF-8 bytes
        for name, k in template.runs.items():
            position[name][i] = byte_at[runs[k][0]]
            length[name][i] = runs[k][1]
    size = np.array([len(shape.encode("utf-8")) for shape in shapes] + [0], dtype=np.int64)
    return _Layout(template=templates, position=position, length=length, size=size)


def _byte_offsets(text: str) -> list[int]:
    """UTF-8 byte offset of each character of ``text``."""
    out, at = [], 0
    for ch in text:
        out.append(at)
        at += len(ch.encode("utf-8"))
    return out


def _numeric_rows(shapes: Shapes, rows: np.ndarray) -> tuple[np.ndarray, _Layout]:
    """The rows among ``rows`` holding numeric dates whose order is open (not four digits first)."""
    layout = _layout(tuple(shapes.shapes))
    open_order = np.array([t is not None and t.kind == "numeric" for t in layout.template] + [False])
    open_order &= layout.length["a"] < 3
    return rows[open_order[shapes.codes[rows]]], layout


def numeric_order_votes(shapes: Shapes, rows: np.ndarray) -> tuple[bool, bool]:
    """Whether some numeric date among ``rows`` has a first part over 12, and whether some has a second.

    Year-first values (four digits first) say nothing about day or month order.
    """
    rows, layout = _numeric_rows(shapes, rows)
    if not len(rows):
        return False, False
    a = shapes.digits(layout.position["a"], layout.length["a"], rows)
    b = shapes.digits(layout.position["b"], layout.length["b"], rows)
    return bool((a > 12).any()), bool((b > 12).any())


def has_numeric(shapes: Shapes, rows: np.ndarray) -> tuple[bool, str | None]:
    """Whether ``rows`` hold numeric dates whose order is open (not year first), and one such shape."""
    rows, _ = _numeric_rows(shapes, rows)
    return bool(len(rows)), (shapes.shapes[shapes.codes[rows[0]]] if len(rows) else None)


def _fields_by_order(layout: _Layout, i: int, order: str | None) -> dict[str, str] | None:
    """Which field the runs ``a, b, c`` of numeric shape ``i`` are; None when the order is still open."""
    if layout.length["a"][i] == 4 or order == "ymd":
        return {"a": "y", "b": "mo", "c": "d"}
    if order is None:
        return None
    return {"a": "d", "b": "mo", "c": "y"} if order == "dmy" else {"a": "mo", "b": "d", "c": "y"}


def to_utc_ns(shapes: Shapes, rows: np.ndarray, order: str | None,
              tz: str) -> tuple[np.ndarray, np.ndarray, dict[str, str | None]]:
    """Read the values at ``rows`` whose shape is understood.

    Parameters
    ----------
    shapes : Shapes
        The column as shapes.
    rows : numpy.ndarray
        Positions of the values to read (the present ones).
    order : {"dmy", "mdy", "ymd"} or None
        Order of numeric dates whose first part is not a four-digit year;
        None leaves such values unread.
    tz : str
        Zone of values written without one.

    Returns
    -------
    tuple
        ``(read_rows, ns, languages)``: the positions read, their int64
        nanoseconds since the epoch in UTC, and the languages of the month
        and day-period words (``{"month": "pl", "period": "en"}``).
    """
    layout = _layout(tuple(shapes.shapes))
    templates = layout.template
    months, month_lang = resolve_words({t.month_word for t in templates if t and t.month_word}, "month")
    periods, period_lang = resolve_words({t.period_word for t in templates if t and t.period_word}, "period")
    width = len(templates) + 1
    pos = {name: values.copy() for name, values in layout.position.items()}
    size = {name: values.copy() for name, values in layout.length.items()}
    # Small types: a value per shape becomes a value per row (a million of them) whenever shapes differ.
    const_month = np.zeros(width, dtype=np.int32)
    period = np.zeros(width, dtype=np.int8)  # 0 none, 1 am, 2 pm
    zone = np.zeros(width, dtype=np.int8)  # 0 naive, 1 utc, 2 offset
    sign = np.ones(width, dtype=np.int64)
    usable = np.zeros(width, dtype=bool)
    for i, t in enumerate(templates):
        if t is None or (t.month_word and t.month_word not in months) or (
                t.period_word and t.period_word not in periods):
            continue
        if t.kind == "numeric":
            parts = _fields_by_order(layout, i, order)
            if parts is None:
                continue
            for part, name in parts.items():
                pos[name][i], size[name][i] = layout.position[part][i], layout.length[part][i]
        usable[i] = True
        const_month[i] = int(months[t.month_word]) if t.month_word else 0
        period[i] = {"am": 1, "pm": 2}[periods[t.period_word]] if t.period_word else 0
        zone[i] = {"naive": 0, "utc": 1, "offset": 2}[t.zone]
        sign[i] = t.sign
    # Digit counts are the same for every row of a shape, so they are checked once per shape.
    has = {name: size[name] > 0 for name in _NAMES}
    usable &= ((size["y"] == 2) | (size["y"] == 4)) & (size["d"] >= 1) & (size["d"] <= 2)
    usable &= (const_month > 0) | ((size["mo"] >= 1) & (size["mo"] <= 2))
    usable &= ~has["H"] | ((size["H"] <= 2) & (size["M"] == 2))
    usable &= ~has["S"] | (size["S"] == 2)
    usable &= (period == 0) | has["H"]
    usable &= (zone != 2) | (has["zh"] & ((size["zh"] == 2) | ((size["zh"] == 4) & ~has["zm"])))
    usable &= ~has["zm"] | (size["zm"] == 2)
    usable[-1] = False
    codes = shapes.codes[rows]
    keep = usable[codes]
    if not keep.all():
        rows, codes = rows[keep], codes[keep]
    # The shapes the rows hold: a value every one of them shares is one number, not a column of them.
    seen = np.bincount(codes, minlength=width).astype(bool)
    read = _FieldReader(shapes, rows, codes, seen, layout.size, pos, size, has)

    def per_row(table: np.ndarray) -> np.ndarray | np.integer:
        one = read.shared(table)
        return table[codes] if one is None else one

    cm = per_row(const_month)
    day, year = read("d"), read("y")
    month = np.full(len(rows), cm) if np.ndim(cm) == 0 and cm > 0 else np.where(cm > 0, cm, read("mo"))
    hour, minute, second, frac = read("H"), read("M"), read("S"), read("f")
    # Two-digit years as Python's %y reads them: 69-99 are 1900s, 00-68 2000s.
    two_digit = per_row(size["y"]) == 2
    if np.ndim(two_digit) or two_digit:
        year = np.where(two_digit, year + np.where(year < 69, np.int32(2000), np.int32(1900)), year)
    per = per_row(period)
    ok = (month >= 1) & (month <= 12) & (day >= 1) & (year >= 1678) & (year <= 2261)
    ok &= (minute <= 59) & (second <= 59)
    ok &= np.where(per > 0, (hour >= 1) & (hour <= 12), hour <= 23)
    if np.ndim(per) or per:
        # 12 AM is hour 0 and 12 PM hour 12 (hour % 12 for the hours 1-12 the check above lets through).
        hour = np.where(per == 0, hour, np.where(hour == 12, 0, hour) + np.where(per == 2, np.int32(12), np.int32(0)))
    first_day, month_days = _MONTH_TABLE
    at = (np.clip(year, 1678, 2261) - 1678) * 12 + np.clip(month, 1, 12) - 1
    ok &= day <= month_days[at]
    # Fields are int32; the sum is int64 from the first term on, built in place (one array, not eight).
    ns = first_day[at]
    ns += day - 1
    ns *= 86400
    ns += hour * 3600
    ns += minute * 60
    ns += second
    ns *= 1_000_000_000
    frac_size = per_row(size["f"])
    if np.any(frac_size):
        ns += np.where(frac_size > 0, frac * _POW10[np.clip(9 - frac_size, 0, 18)], 0)
    zones = per_row(zone)
    if np.any(zones == 2):
        zh, zm = read("zh"), read("zm")
        # "+0530" is one run of four digits; "+05:30" two runs.
        four = per_row(size["zh"]) == 4
        offset_h, offset_m = np.where(four, zh // 100, zh), np.where(four, zh % 100, zm)
        ok &= (zones != 2) | ((offset_h <= 23) & (offset_m <= 59))
        ns -= np.where(zones == 2, sign[codes] * (offset_h * 3600 + offset_m * 60) * 1_000_000_000, 0)
    naive = ok & (zones == 0)
    if tz != "UTC" and naive.any():
        ns = _localise(ns, naive, tz)
    if not ok.all():
        rows, ns = rows[ok], ns[ok]
    return rows, ns, {"month": month_lang, "period": period_lang}


class _FieldReader:
    """Reads one field's digits for every row, by the cheapest way the shapes present allow.

    :meth:`Shapes.digits` looks up each row's byte position and digit count through its shape.
    When every shape present puts the field at the same byte from the value's start (or from its
    end) those lookups are one number; when only the digit count differs (``9:05`` and ``10:17``)
    the digits are read until the first byte that is no digit, which is where a run of digits
    ends (a shape's runs are whole runs).  Same numbers, without a position gathered per row.
    """

    def __init__(self, shapes: Shapes, rows: np.ndarray, codes: np.ndarray, seen: np.ndarray,
                 shape_bytes: np.ndarray, pos: dict[str, np.ndarray], size: dict[str, np.ndarray],
                 has: dict[str, np.ndarray]) -> None:
        self.shapes, self.rows, self.codes, self.seen = shapes, rows, codes, seen
        self.shape_bytes, self.pos, self.size, self.has = shape_bytes, pos, size, has
        self.starts = shapes.starts[rows].astype(np.int64, copy=False)
        self._ends: np.ndarray | None = None

    def shared(self, table: np.ndarray) -> np.integer | None:
        """The one value ``table`` gives every shape present, or None when they differ."""
        values = table[self.seen]
        return values[0] if len(values) and (values == values[0]).all() else None

    def __call__(self, name: str) -> np.ndarray:
        n = len(self.rows)
        has = self.seen & self.has[name]
        if not has.any():
            return np.zeros(n, dtype=np.int32)
        if (has == self.seen).all():
            at, count = self.pos[name][has], self.size[name][has]
            after = self.shape_bytes[has] - at - count  # bytes of the value after the run
            fewest, most = int(count.min()), int(count.max())
            if (at == at[0]).all() and (fewest == most or after.min() > 0):
                return _digits_forward(self.shapes.data, self.starts + int(at[0]), fewest, most)
            if (after == after[0]).all() and (fewest == most or at.min() > 0):
                if self._ends is None:
                    self._ends = self.starts + self.shape_bytes[self.codes]
                return _digits_backward(self.shapes.data, self._ends - int(after[0]) - 1, fewest, most)
        return self.shapes.digits(self.pos[name], self.size[name], self.rows, (self.codes, self.starts))


def _digit(data: np.ndarray, at: np.ndarray, shift: int = 0) -> np.ndarray:
    """The digit of each byte at ``at + shift`` (0-9); a byte that is no digit gives a number over 9 (uint8 wraps).

    A forward shift indexes a view that starts ``shift`` bytes on, so no shifted copy of ``at`` is made.
    """
    return (data[shift:][at] if shift >= 0 else data[at + shift]) - np.uint8(48)


def _digits_forward(data: np.ndarray, at: np.ndarray, fewest: int, most: int) -> np.ndarray:
    """The number whose first digit is at byte ``at``: ``fewest`` digits, or up to ``most`` while bytes are digits.

    int32 (a field has at most nine digits), worked in place: a million values are read without an array
    of a million int64 per digit.
    """
    value = _digit(data, at).astype(np.int32)
    for i in range(1, fewest):
        value *= 10
        value += _digit(data, at, i)
    if most > fewest:
        going = np.ones(len(at), dtype=bool)
        # A run shorter than ``most`` is followed by a byte of its own value that is no digit, where the row
        # stops; reads past the buffer's end can only come after that byte, and are clipped.
        clip = bool(len(at)) and int(at.max()) + most - 1 >= len(data)
        for i in range(fewest, most):
            digit = _digit(data, np.minimum(at + i, len(data) - 1)) if clip else _digit(data, at, i)
            going &= digit <= 9
            np.copyto(value, value * 10 + digit, where=going)
    return value


def _digits_backward(data: np.ndarray, last: np.ndarray, fewest: int, most: int) -> np.ndarray:
    """The number whose last digit is at byte ``last``, read back to its first digit (see :func:`_digits_forward`)."""
    if fewest == most:
        return _digits_forward(data, last - (fewest - 1), fewest, most)
    value = _digit(data, last).astype(np.int32)
    scale = 10
    for i in range(1, fewest):
        value += _digit(data, last, -i).astype(np.int32) * scale
        scale *= 10
    going = np.ones(len(last), dtype=bool)
    clip = bool(len(last)) and int(last.min()) - (most - 1) < 0  # a read before the buffer's start
    for i in range(fewest, most):
        digit = _digit(data, np.maximum(last - i, 0)) if clip else _digit(data, last, -i)
        going &= digit <= 9
        np.copyto(value, value + digit.astype(np.int32) * scale, where=going)
        scale *= 10
    return value


def _localise(ns: np.ndarray, rows: np.ndarray, tz: str) -> np.ndarray:
    import pandas as pd

    local = pd.DatetimeIndex(ns[rows].view("datetime64[ns]"))
    # In the autumn hour that occurs twice, read the time as the first (summer-time) one rather than
    # losing it; spring's missing hour moves on.
    utc = local.tz_localize(tz, ambiguous=np.ones(len(local), dtype=bool), nonexistent="shift_forward")
    out = ns.copy()
    out[rows] = utc.asi8
    return out

"""Date and time parsing for tracker exports.

Exports write dates in the exporting user's locale and often without a time
zone.  :class:`DateParser` reads a whole column in bulk (numpy over the Arrow
buffer, see :mod:`workfw.io._date_shapes`), with month names and day periods
of every language Jira offers (:mod:`workfw.io._locale`), works out
day-first or month-first order from whole columns, and localises naive values
in the user's time zone before converting to UTC.  Values the bulk reading
cannot place go, once per distinct text, through an explicit list of formats
(never pandas' guessing).
"""
from __future__ import annotations

import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.errors import ExportReadError, OptionError
from workfw.io._common import trim_text
from workfw.io._date_shapes import Shapes, has_numeric, numeric_order_votes, shapes_of, to_utc_ns
from workfw.io._locale import resolve_words

__all__ = ["DateParser", "DATE_ORDERS"]

DATE_ORDERS = ("dmy", "mdy", "ymd")
_UTC = "datetime64[ns, UTC]"
# The span datetime64[ns] can hold, less a day so a time-zone shift stays inside it.
_EARLIEST = pd.Timestamp("1677-09-23", tz="UTC")
_LATEST = pd.Timestamp("2262-04-10", tz="UTC")

# A word between separators in a date (``25/lut/26``, ``25-févr.-2026``), for the per-value path.
_WORD_RE = re.compile(r"(?<=[/\-\s])([^\W\d_]+)\.?(?=[/\-\s])")
_MISSING = ["", "null", "None", "NaT", "nan"]
_MISSING_BYTES = max(len(m.encode("utf-8")) for m in _MISSING)

_NAMED_FORMATS = (
    "%d/%b/%y %I:%M %p", "%d/%b/%Y %I:%M %p", "%d/%b/%y %H:%M", "%d/%b/%Y %H:%M", "%d/%b/%y",
    "%d/%b/%Y", "%d-%b-%Y", "%d-%b-%y", "%b %d, %Y %I:%M %p", "%B %d, %Y %I:%M %p", "%B %d, %Y",
    "%b %d, %Y", "%d %b %Y", "%d %B %Y",
)
_TIME_PARTS = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p", ", %I:%M %p", ", %I:%M:%S %p")
_NUMERIC_RE = re.compile(r"^\s*(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{2,4})\b")
_JS_RE = re.compile(r"^\w{3} \w{3} \d{1,2} \d{4} \d{2}:\d{2}:\d{2} GMT[+-]\d{4}")


#: Below this many values in all, parse_columns parses one column after another: threads would cost more.
_PARALLEL_VALUES = 200_000


class _Plan(NamedTuple):
    """A cut column ready for its bulk reading: trimmed text, shapes, positions of values, and the order."""

    text: pa.Array
    shapes: Shapes
    present: np.ndarray
    order: str | None


#: Values read by shape at a time: the reading's dozen temporaries then stay in the CPU's cache and in
#: memory the process already has, instead of a dozen fresh arrays of a million values per column.
_BULK_PIECE = 1 << 16
_NAT = np.iinfo(np.int64).min


def _bulk(plan: _Plan, tz: str) -> tuple[np.ndarray, int] | None:
    """UTC nanoseconds of the values the shapes read, NaT elsewhere, and how many were read.

    None when the column holds no value.  A value read by shape is never NaT.
    """
    if len(plan.present) == 0:
        return None
    ns = np.full(len(plan.text), _NAT, dtype=np.int64)
    read = 0
    for lo in range(0, len(plan.present), _BULK_PIECE):
        at, values, _ = to_utc_ns(plan.shapes, plan.present[lo:lo + _BULK_PIECE], plan.order, tz)
        ns[at] = values
        read += len(at)
    return ns, read


def _numeric_formats(order: str) -> list[str]:
    dates = {"dmy": ["%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d.%m.%y", "%d-%m-%Y"],
             "mdy": ["%m/%d/%Y", "%m/%d/%y", "%m.%d.%Y", "%m-%d-%Y"],
             "ymd": ["%Y/%m/%d", "%Y.%m.%d"]}[order]
    return [d + t for d in dates for t in _TIME_PARTS]


@dataclass
class DateParser:
    """Parse the date columns of one file consistently.

    Parameters
    ----------
    file : str
        File name for messages.
    tz : str
        Time zone of values that carry none (IANA name such as ``"Europe/Berlin"``).
    date_order : {"dmy", "mdy", "ymd"} or None
        Order of numeric dates such as ``03/04/2024``; ``None`` infers it from
        the data and warns when nothing decides it.
    warnings : list of str
        Where warnings are appended (the import report's list).
    """

    file: str
    tz: str = "UTC"
    date_order: str | None = None
    warnings: list[str] = field(default_factory=list)
    _decided: str | None = field(default=None, init=False)
    _cache: dict = field(default_factory=dict, init=False, repr=False)
    # parse_columns cuts columns in threads: the cache is changed under this lock.
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.date_order is not None and self.date_order not in DATE_ORDERS:
            raise OptionError(f"date_order={self.date_order!r}; expected one of {list(DATE_ORDERS)} or None. "
                              "Next step: pass 'dmy' for 31/12/2024 or 'mdy' for 12/31/2024.")
        try:
            pd.Timestamp("2024-01-01").tz_localize(self.tz)
        except (KeyError, ValueError, TypeError) as exc:
            raise OptionError(f"tz={self.tz!r} is not a time zone name; expected an IANA name such as "
                              "'UTC' or 'Europe/London'. Next step: pass the zone your tracker profile uses.") from exc
        self._decided = self.date_order

    def learn_order(self, *columns: pd.Series) -> str | None:
        """Decide day-first or month-first from several columns at once; return the order."""
        if self._decided:
            return self._decided
        first_big = second_big = False
        for col in columns:
            _, _, shapes, present = self._cut(col)
            big_a, big_b = numeric_order_votes(shapes, present)
            first_big, second_big = first_big or big_a, second_big or big_b
        if first_big and not second_big:
            self._decided = "dmy"
        elif second_big and not first_big:
            self._decided = "mdy"
        return self._decided

    def _cut(self, values: pd.Series) -> tuple[tuple | None, pa.Array, Shapes, np.ndarray]:
        """Key, trimmed text, shapes and positions of present values, kept until :meth:`parse` takes them."""
        arr, key = _arrow_strings(values)
        with self._lock:
            hit = self._cache.get(key) if key is not None else None
        if hit is not None:
            return (key, *hit[:3])
        text = trim_text(arr)
        missing = pc.is_null(text)
        # Only short texts can be a placeholder: a column of dates has none, and skips hashing every value.
        if pc.any(pc.less_equal(pc.binary_length(text), _MISSING_BYTES)).as_py():
            missing = pc.or_(missing, pc.fill_null(pc.is_in(text, value_set=pa.array(_MISSING, type=pa.string())),
                                                   True))
        present = np.flatnonzero(~missing.to_numpy(zero_copy_only=False))
        shapes = shapes_of(text)
        if key is None:  # a column converted here has new buffers on every call: nothing to find again
            return key, text, shapes, present
        with self._lock:
            # Only the last few columns are kept: learn_order cuts them all, parse takes them one by one.
            while len(self._cache) >= 8:
                self._cache.pop(next(iter(self._cache)))
            # The source array stays referenced while cached, so no other column can reuse its buffers' addresses.
            self._cache[key] = (text, shapes, present, arr, values)
        return key, text, shapes, present

    def parse(self, values: pd.Series, *, column: str, rows: pd.Series | None = None) -> pd.Series:
        """Parse one column of date strings into tz-aware UTC timestamps.

        Parameters
        ----------
        values : pandas.Series
            Text values; NA stays NA.
        column : str
            Original column name, for messages.
        rows : pandas.Series, optional
            Spreadsheet row number of each value, for messages.

        Returns
        -------
        pandas.Series
            ``datetime64[ns, UTC]`` with the same index.
        """
        plan = self._plan(values, column)
        return self._finish(plan, _bulk(plan, self.tz), values, column, rows)

    def parse_columns(self, columns: dict[str, pd.Series], *, rows: pd.Series | None = None,
                      threads: bool = True) -> dict[str, pd.Series]:
        """Parse several date columns of one file, as :meth:`parse` each, their bulk work side by side.

        The order is learnt from all of them first (:meth:`learn_order`).  Cutting each column into
        shapes and turning shapes into times is numpy and Arrow work that releases the GIL, so it runs
        in one thread per core; deciding the order, warning and the careful per-value path stay in
        this thread, column by column, so warnings come in the same order as with :meth:`parse`.

        Parameters
        ----------
        columns : dict
            Original column name -> its text values.
        rows : pandas.Series, optional
            Spreadsheet row number of each value, for messages.
        threads : bool
            Whether the bulk work may run in threads.  A caller that already runs this
            parse beside other work passes False: a thread per core on top of its own
            left the caller's work waiting for a core, and each new thread's allocator
            arena paged in fresh memory (1M-row Jira read: 1.45-2.47 s with, 1.19-1.38 s without).

        Returns
        -------
        dict
            Column name -> ``datetime64[ns, UTC]`` Series, in the order given.
        """
        if not threads or len(columns) < 2 or sum(len(v) for v in columns.values()) < _PARALLEL_VALUES:
            self.learn_order(*columns.values())
            return {name: self.parse(values, column=name, rows=rows) for name, values in columns.items()}
        with ThreadPoolExecutor(max_workers=min(len(columns), os.cpu_count() or 1)) as pool:
            list(pool.map(self._cut, columns.values()))
            self.learn_order(*columns.values())
            plans = {name: self._plan(values, name) for name, values in columns.items()}
            bulk = dict(zip(plans, pool.map(lambda plan: _bulk(plan, self.tz), plans.values())))
        return {name: self._finish(plans[name], bulk[name], columns[name], name, rows) for name in columns}

    def _plan(self, values: pd.Series, column: str) -> "_Plan":
        """Cut a column and settle its order (warning when nothing decides it): all but the bulk reading."""
        key, text, shapes, present = self._cut(values)
        with self._lock:
            self._cache.pop(key, None)
        if len(present) == 0:
            return _Plan(text, shapes, present, None)
        order = self._decided
        open_order, example = has_numeric(shapes, present)
        if open_order and order is None:
            big_a, big_b = numeric_order_votes(shapes, present)
            if big_a != big_b:
                order = self._decided = "dmy" if big_a else "mdy"
            else:
                order = self._decided = "mdy"
                self.warnings.append(
                    f"Column {column!r}: numeric dates such as {_unshape(text, shapes, present, example)!r} could "
                    "be day-first or month-first and no value decides it; read as month/day/year. Pass "
                    "date_order='dmy' if your tracker writes day first.")
        return _Plan(text, shapes, present, order)

    def _finish(self, plan: "_Plan", bulk: tuple[np.ndarray, int] | None, values: pd.Series, column: str,
                rows: pd.Series | None) -> pd.Series:
        """Read the values the bulk reading left over, one distinct text at a time; warn or raise."""
        text, present = plan.text, plan.present
        if bulk is None:
            ns = np.full(len(text), _NAT, dtype=np.int64)
            return _utc_series(ns, values.index)
        ns, read = bulk
        # A value read by shape is never NaT, so only columns with values left over can have failures.
        failed_at = present[:0]
        if read < len(present):
            left = present[ns[present] == _NAT]
            # The careful path, once per distinct text, for the values no shape explained.
            encoded = pc.dictionary_encode(text.take(pa.array(left)))
            uniques = pd.Series(encoded.dictionary.to_pylist(), dtype="string")
            parsed = self._parse_uniques(uniques, column=column)
            codes = encoded.indices.to_numpy(zero_copy_only=False)
            ns[left] = parsed.array.asi8[codes] if len(parsed) else ns[left]
            failed_at = present[np.isnat(ns[present].view("datetime64[ns]"))]
        out = _utc_series(ns, values.index)
        if len(failed_at):
            bad_vals = pd.Series(text.take(pa.array(failed_at[:5])).to_pylist())
            share = len(failed_at) / len(present)
            where = (f"row{'s' if len(failed_at) > 1 else ''} "
                     f"{', '.join(str(int(r)) for r in rows.iloc[failed_at[:5]])}"
                     if rows is not None else f"{len(failed_at)} value(s)")
            if share > 0.05 or len(failed_at) > 50 and share > 0.01:
                raise ExportReadError(self.file, f"column {column!r}, {where}",
                                      f"dates workfw cannot read, such as {bad_vals.iloc[0]!r}",
                                      "ISO dates, the tracker's own date format (month names in any language "
                                      "Jira offers), or numeric day/month/year dates",
                                      "re-export with the tracker's default date format, or convert the column "
                                      "to YYYY-MM-DD HH:MM in a spreadsheet")
            self.warnings.append(f"Column {column!r}: {len(failed_at)} dates could not be read and were left "
                                 f"empty ({where}, e.g. {bad_vals.iloc[0]!r}); the original text is kept in raw.")
        return out

    def _parse_uniques(self, uniques: pd.Series, *, column: str) -> pd.Series:
        # Every test looks at all unique values: a pattern seen only in the
        # first rows must not send a later odd value into a failing cast.
        if uniques.str.fullmatch(r"\d{12,13}").all():
            return self._localise(pd.to_datetime(uniques.astype("int64"), unit="ms", utc=True))
        if uniques.str.fullmatch(r"\d{5}(\.\d+)?").all():
            days = uniques.astype(float)
            if days.between(20000, 80000).all():
                return self._localise(pd.to_datetime("1899-12-30") + pd.to_timedelta(days, unit="D"))
        if uniques.iloc[:500].str.match(_JS_RE).mean() > 0.5:
            cleaned = uniques.str.replace(r"\s*\(.*\)\s*$", "", regex=True)
            return _in_range(pd.to_datetime(cleaned, format="%a %b %d %Y %H:%M:%S GMT%z", errors="coerce", utc=True))
        iso = self._parse_iso(uniques)
        if iso.notna().mean() > 0.95:
            return iso
        work = _english_months(uniques)
        candidates = list(_NAMED_FORMATS)
        numeric_first = work.str.extract(_NUMERIC_RE)[0]
        day_or_month_first = numeric_first.str.len() < 3
        if numeric_first.notna().any() and not day_or_month_first.any():
            # Only year-first numeric dates (2024/03/05): no order to learn, but
            # the ymd formats must still be tried or the column fails to read.
            candidates = _numeric_formats("ymd") + candidates
        if day_or_month_first.any():
            order = self.learn_order(work)
            if order is None:
                order = "mdy"
                self._decided = order
                example = work[day_or_month_first.fillna(False)].iloc[0]
                self.warnings.append(
                    f"Column {column!r}: numeric dates such as {example!r} could be day-first or "
                    "month-first and no value decides it; read as month/day/year. Pass date_order='dmy' "
                    "if your tracker writes day first.")
            candidates = _numeric_formats(order) + _numeric_formats("ymd") + candidates
        result = pd.Series(pd.NaT, index=uniques.index, dtype="datetime64[us]")
        remaining = work[iso.isna()]
        for fmt in candidates:
            if remaining.empty:
                break
            got = pd.to_datetime(remaining, format=fmt, errors="coerce")
            hit = got.notna()
            if hit.any():
                result.loc[got.index[hit]] = got[hit].astype("datetime64[us]")
                remaining = remaining[~hit]
        # Values in ISO form keep their ISO reading (zone included) in a mixed column.
        return self._localise(result).where(iso.isna(), iso)

    def _parse_iso(self, uniques: pd.Series) -> pd.Series:
        out = pd.Series(pd.NaT, index=uniques.index, dtype=_UTC)
        looks_iso = uniques.str.match(r"\d{4}-\d{2}-\d{2}")
        if not looks_iso.any():
            return out
        has_zone = looks_iso & uniques.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True)
        naive = looks_iso & ~has_zone
        if has_zone.any():
            out[has_zone] = _in_range(pd.to_datetime(uniques[has_zone], format="ISO8601", errors="coerce", utc=True))
        if naive.any():
            out[naive] = self._localise(pd.to_datetime(uniques[naive], format="ISO8601", errors="coerce"))
        return out

    def _localise(self, stamps: pd.Series) -> pd.Series:
        stamps = pd.Series(stamps)
        if isinstance(stamps.dtype, pd.DatetimeTZDtype):
            return _in_range(stamps)
        if stamps.dtype == object:
            return _in_range(pd.to_datetime(stamps, utc=True, errors="coerce"))
        # In the autumn hour that occurs twice, read the time as the first
        # (summer-time) one rather than losing it; spring's missing hour moves on.
        first = np.ones(len(stamps), dtype=bool)
        local = stamps.dt.tz_localize(self.tz, ambiguous=first, nonexistent="shift_forward")
        return _in_range(local)


def _in_range(stamps: pd.Series) -> pd.Series:
    """Convert tz-aware stamps to ``datetime64[ns, UTC]``; years nanoseconds cannot hold become NaT."""
    utc = stamps.dt.tz_convert("UTC")
    return utc.where((utc >= _EARLIEST) & (utc <= _LATEST)).astype(_UTC)


def _english_months(uniques: pd.Series) -> pd.Series:
    """Replace month words of any language Jira offers by English abbreviations (``lut`` -> ``Feb``)."""
    words = uniques.str.extractall(_WORD_RE)[0].unique() if len(uniques) else []
    found, _ = resolve_words(list(words), "month")
    if not found:
        return uniques
    english = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return uniques.str.replace(_WORD_RE, lambda m: english[found[m.group(1)] - 1] if m.group(1) in found
                               else m.group(0), regex=True)


def _utc_series(ns: np.ndarray, index: pd.Index) -> pd.Series:
    """UTC timestamps from int64 nanoseconds (NaT as int64's least): a series over ``ns``, then made UTC.

    Through a Series, not a DatetimeIndex: ~2 ms per million values against ~8 ms.
    """
    return pd.Series(ns.view("datetime64[ns]"), index=index, copy=False).dt.tz_localize("UTC")


def _arrow_strings(values: pd.Series) -> tuple[pa.Array, tuple | None]:
    """A text column as one pyarrow string array, and a key naming its buffers (the same column, the same key).

    The key is None for a column that is not held in Arrow already: its conversion is new on every call.
    """
    arr = getattr(values.array, "_pa_array", None)
    if arr is None:
        arr = pa.array(values.astype("string").to_numpy(dtype=object, na_value=None), type=pa.string(),
                       from_pandas=True)
        return arr, None
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    # Keyed before combining: combine_chunks copies, so the combined buffers are new on every call.
    key = tuple((tuple(b.address if b is not None else 0 for b in c.buffers()), c.offset, len(c)) for c in chunks)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return (arr.cast(pa.string()) if arr.type != pa.string() else arr), key


def _unshape(text: pa.Array, shapes: Shapes, present: np.ndarray, shape: str | None) -> str:
    """The first value of ``shape`` as written, for a message."""
    if shape is None:
        return ""
    code = shapes.shapes.index(shape)
    at = present[shapes.codes[present] == code]
    return text[int(at[0])].as_py() if len(at) else shape

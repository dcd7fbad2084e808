"""Date and time parsing for tracker exports.

Exports write dates in the exporting user's locale and often without a time
zone.  :class:`DateParser` tries an explicit list of formats (never pandas'
guessing), works out day-first or month-first order from a whole column, and
localises naive values in the user's time zone before converting to UTC.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ExportReadError, OptionError

__all__ = ["DateParser", "DATE_ORDERS"]

DATE_ORDERS = ("dmy", "mdy", "ymd")
_UTC = "datetime64[ns, UTC]"
# The span datetime64[ns] can hold, less a day so a time-zone shift stays inside it.
_EARLIEST = pd.Timestamp("1677-09-23", tz="UTC")
_LATEST = pd.Timestamp("2262-04-10", tz="UTC")

# Localised month abbreviations seen in Jira exports, mapped to English.
_MONTHS = {
    "янв": "Jan", "фев": "Feb", "мар": "Mar", "апр": "Apr", "май": "May", "мая": "May", "июн": "Jun",
    "июл": "Jul", "авг": "Aug", "сен": "Sep", "окт": "Oct", "ноя": "Nov", "дек": "Dec",
    "mär": "Mar", "mrz": "Mar", "mai": "May", "okt": "Oct", "dez": "Dec",
    "janv": "Jan", "févr": "Feb", "mars": "Mar", "avr": "Apr", "juin": "Jun", "juil": "Jul",
    "août": "Aug", "sept": "Sep", "déc": "Dec", "ene": "Jan", "abr": "Apr", "ago": "Aug",
    "dic": "Dec", "fev": "Feb", "set": "Sep", "out": "Oct",
}
_MONTH_RE = re.compile(r"(?<=/)(" + "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True)) + r")\.?(?=/)",
                       re.IGNORECASE)

_NAMED_FORMATS = (
    "%d/%b/%y %I:%M %p", "%d/%b/%Y %I:%M %p", "%d/%b/%y %H:%M", "%d/%b/%Y %H:%M", "%d/%b/%y",
    "%d/%b/%Y", "%d-%b-%Y", "%d-%b-%y", "%b %d, %Y %I:%M %p", "%B %d, %Y %I:%M %p", "%B %d, %Y",
    "%b %d, %Y", "%d %b %Y", "%d %B %Y",
)
_TIME_PARTS = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p", ", %I:%M %p", ", %I:%M:%S %p")
_NUMERIC_RE = re.compile(r"^\s*(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{2,4})\b")
_JS_RE = re.compile(r"^\w{3} \w{3} \d{1,2} \d{4} \d{2}:\d{2}:\d{2} GMT[+-]\d{4}")


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
        firsts, seconds = [], []
        for col in columns:
            m = pd.Series(col.dropna().astype(str).unique(), dtype=object).str.extract(_NUMERIC_RE).dropna()
            m = m[m[0].str.len() < 3]  # year-first values (2024/03/04) say nothing about d/m order
            if len(m):
                firsts.append(m[0].astype(int))
                seconds.append(m[1].astype(int))
        if not firsts:
            return None
        first, second = pd.concat(firsts), pd.concat(seconds)
        if (first > 12).any() and not (second > 12).any():
            self._decided = "dmy"
        elif (second > 12).any() and not (first > 12).any():
            self._decided = "mdy"
        return self._decided

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
        text = values.astype("string").str.strip()
        text = text.mask(text.isin(["", "null", "None", "NaT", "nan"]))
        # Parse each distinct text once; a million rows hold a few thousand distinct dates.
        codes, distinct = pd.factorize(text, use_na_sentinel=True)
        if len(distinct) == 0:
            return pd.Series(pd.NaT, index=values.index, dtype=_UTC)
        uniques = pd.Series(np.asarray(distinct, dtype=object))
        parsed = pd.Series(self._parse_uniques(uniques, column=column).to_numpy(), dtype=_UTC)
        # take() on the DatetimeArray stays in int64 nanoseconds (no Timestamp objects); -1 becomes NaT.
        out = pd.Series(parsed.array.take(codes, allow_fill=True), index=values.index)
        present_mask = codes >= 0
        present = text[present_mask]
        result = out[present_mask]
        failed = result.isna()
        if failed.any():
            bad_vals = present[failed]
            where = (f"row{'s' if len(bad_vals) > 1 else ''} "
                     f"{', '.join(str(int(r)) for r in rows.loc[bad_vals.index[:5]])}"
                     if rows is not None else f"{len(bad_vals)} value(s)")
            if failed.mean() > 0.05 or failed.sum() > 50 and failed.mean() > 0.01:
                raise ExportReadError(self.file, f"column {column!r}, {where}",
                                      f"dates workfw cannot read, such as {bad_vals.iloc[0]!r}",
                                      "ISO dates, the tracker's own date format, or numeric day/month/year dates",
                                      "re-export with the tracker's default date format, or convert the column "
                                      "to YYYY-MM-DD HH:MM in a spreadsheet")
            self.warnings.append(f"Column {column!r}: {int(failed.sum())} dates could not be read and were left "
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
        work = uniques.str.replace(_MONTH_RE, lambda m: _MONTHS[m.group(1).lower()], regex=True)
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

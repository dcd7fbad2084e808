"""The list of export formats workfw reads, and the options they accept."""
from __future__ import annotations

import codecs
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

import pandas as pd

from workfw.errors import OptionError
from workfw.export import TaskExport
from workfw.schema import STATUS_CATEGORIES

__all__ = ["ExportFormat", "ReadOptions", "COMMON_OPTIONS", "FORMATS", "register", "ProgressCallback",
           "report_progress", "progress_scope", "progress_slice", "check_progress"]

#: Options every reader accepts (see :func:`workfw.read_export`).
COMMON_OPTIONS = ("tz", "date_order", "status_map", "status_rules", "encoding", "delimiter", "team", "name")


@dataclass
class ReadOptions:
    """Options of one ``read_export`` call, checked against what the format accepts.

    Attributes
    ----------
    tz : str
        Time zone of dates written without one (default ``"UTC"``).
    date_order : {"dmy", "mdy", "ymd"} or None
        Order of ambiguous numeric dates; None infers it.
    status_map : dict or None
        Status name -> category overrides.
    status_rules : pandas.DataFrame or None
        Keyword rules replacing :func:`workfw.io.status_rules` for this read.
    encoding, delimiter : str or None
        Override detection for CSV files.
    team : str or None
        Team to record on tasks whose export names none.
    extra : dict
        Format-specific options (for example ``mapping`` for generic CSV).
    """

    tz: str = "UTC"
    date_order: str | None = None
    status_map: Mapping[str, str] | None = None
    status_rules: Any = None
    encoding: str | None = None
    delimiter: str | None = None
    team: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        """Return a format-specific option."""
        return self.extra.get(key, default)


@dataclass(frozen=True)
class ExportFormat:
    """One export format.

    Attributes
    ----------
    name : str
        The ``source=`` value, such as ``"jira-csv"``.
    label : str
        Human name, such as ``"Jira CSV (all fields or current fields)"``.
    kind : {"csv", "json"}
        How the file is parsed before ``sniff`` and ``read`` see it.
    sniff : callable
        ``csv``: receives a :class:`~workfw.io._text.CsvTable`-like header list
        (original names); ``json``: the parsed document.  Returns True when the
        content is this format.
    read : callable
        ``read(doc, *, file, options) -> TaskExport`` where ``doc`` is a
        :class:`~workfw.io._text.CsvTable` or the parsed JSON.
    how_to_export : str
        One line telling a user how to get this file from the tracker.
    options : tuple of str
        Format-specific option names accepted on top of :data:`COMMON_OPTIONS`.
    text_columns : callable, optional
        ``csv`` only: ``text_columns(headers)`` gives the positions of the
        columns ``read`` turns into canonical text fields.  A large file's
        parse writes those with 64-bit offsets, the layout of the task
        table's text, which then shares them instead of copying each column
        (the other raw columns keep the parse's smaller 32-bit offsets).
    """

    name: str
    label: str
    kind: str
    sniff: Callable[[Any], bool]
    read: Callable[..., TaskExport]
    how_to_export: str
    options: tuple[str, ...] = ()
    text_columns: Callable[[list[str]], set[int]] | None = None


FORMATS: dict[str, ExportFormat] = {}


def register(fmt: ExportFormat) -> ExportFormat:
    """Add a format to :data:`FORMATS` (readers call this at import)."""
    FORMATS[fmt.name] = fmt
    return fmt


def build_options(fmt: ExportFormat, options: Mapping[str, Any], *, file: str | None = None) -> ReadOptions:
    """Split ``read_export`` keyword options into a :class:`ReadOptions`, rejecting unknown names.

    Common options are checked here, before any parsing, so a typo fails fast
    with the valid choices instead of after reading a large file.

    Parameters
    ----------
    fmt : ExportFormat
        The format being read.
    options : mapping
        The keyword options given to ``read_export``.
    file : str, optional
        File name for messages.
    """
    where = f"{file}: " if file else ""
    allowed = set(COMMON_OPTIONS) | set(fmt.options)
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise OptionError(f"{where}read_export(source={fmt.name!r}) got unknown options {unknown}; expected some of "
                          f"{sorted(allowed)}. Next step: remove them or check the spelling.")
    common = {k: v for k, v in options.items() if k in COMMON_OPTIONS and k != "name"}
    if common.get("tz") is None:
        common.pop("tz", None)  # None means the default, UTC
    check_common_options(common, file=file)
    extra = {k: v for k, v in options.items() if k not in COMMON_OPTIONS}
    return ReadOptions(**common, extra=extra)


def check_common_options(common: Mapping[str, Any], *, file: str | None = None) -> None:
    """Raise :class:`OptionError` when a common option (tz, date_order, status_map...) is invalid."""
    where = f"{file}: " if file else ""
    order = common.get("date_order")
    if order is not None and order not in ("dmy", "mdy", "ymd"):
        raise OptionError(f"{where}option date_order={order!r}; expected 'dmy', 'mdy', 'ymd' or None. "
                          "Next step: pass 'dmy' for 31/12/2024 or 'mdy' for 12/31/2024.")
    tz = common.get("tz", "UTC")
    try:
        valid_tz = isinstance(tz, str) and bool(_zone(tz))
    except (KeyError, ValueError, TypeError):
        valid_tz = False
    if not valid_tz:
        raise OptionError(f"{where}option tz={tz!r} is not a time zone name; expected an IANA name such as "
                          "'UTC' or 'Europe/London'. Next step: pass the zone your tracker profile uses.")
    status_map = common.get("status_map")
    if status_map is not None:
        if not isinstance(status_map, Mapping):
            raise OptionError(f"{where}option status_map is a {type(status_map).__name__}; expected a dict of "
                              "status name -> category. Next step: pass status_map={'Name': 'done'}.")
        for status, category in status_map.items():
            if not isinstance(category, str) or category not in STATUS_CATEGORIES:
                raise OptionError(f"{where}option status_map[{status!r}] = {category!r}; expected one of "
                                  f"{list(STATUS_CATEGORIES)}. Next step: map each status name to one of those "
                                  "categories.")
    if common.get("status_rules") is not None:
        from workfw.io._status import check_status_rules  # _status reads the schema, which this module's callers load

        check_status_rules(common["status_rules"], file=file)
    for key in ("encoding", "delimiter", "team"):
        value = common.get(key)
        if value is not None and not isinstance(value, str):
            raise OptionError(f"{where}option {key}={value!r}; expected a string or None. "
                              "Next step: pass text, or leave the option out.")
    delim = common.get("delimiter")
    if delim is not None and (len(delim) != 1 or delim in '"\r\n'):
        raise OptionError(f"{where}option delimiter={delim!r}; expected one character such as ',', ';' or '\\t'. "
                          "Next step: pass the single character between the columns, or leave it out to detect it.")
    encoding = common.get("encoding")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise OptionError(f"{where}option encoding={encoding!r} is not an encoding Python knows; expected "
                              "a name such as 'utf-8', 'cp1252' or 'utf-16'. Next step: correct the name or leave "
                              "it out to detect it.") from exc


def _zone(tz: str) -> object:
    return pd.Timestamp("2024-01-01").tz_localize(tz).tzinfo


#: ``progress(stage, fraction)``: a short stage label and the fraction of the
#: whole import done so far (0..1, never decreasing; the last call is 1.0).
ProgressCallback = Callable[[str, float], None]

# A context variable rather than a parameter on every reader: the readers and
# ``assemble`` report stages without each format's signature changing, and a
# notebook running two imports in two threads keeps their bars apart.
_PROGRESS: ContextVar["_Span | None"] = ContextVar("workfw_progress", default=None)


@dataclass
class _Span:
    """Maps a stage's own 0..1 onto the slice ``[start, stop]`` of the caller's bar."""

    callback: ProgressCallback
    start: float = 0.0
    stop: float = 1.0
    last: list[float] = field(default_factory=lambda: [0.0])  # shared by nested spans

    def emit(self, stage: str, fraction: float) -> None:
        value = self.start + (self.stop - self.start) * min(max(float(fraction), 0.0), 1.0)
        # Never step back: a nested import (a list of files) may report a
        # stage that starts below what an outer stage already said.
        value = max(value, self.last[0])
        self.last[0] = value
        self.callback(stage, value)


def report_progress(stage: str, fraction: float) -> None:
    """Tell the current ``read_export`` caller how far the import is.

    Parameters
    ----------
    stage : str
        Short label such as ``"parsing"``, ``"dates"`` or ``"assembling"``.
    fraction : float
        Fraction of the whole import done (0..1); values that would move the
        bar backwards are raised to the last one reported.

    Notes
    -----
    A no-op when no ``progress`` callback was given, so readers call it freely.
    """
    span = _PROGRESS.get()
    if span is not None:
        span.emit(stage, fraction)


@contextmanager
def progress_scope(callback: ProgressCallback | None) -> Iterator[None]:
    """Route :func:`report_progress` calls to ``callback`` (None silences them) until the block ends."""
    token = _PROGRESS.set(_Span(callback) if callback is not None else None)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


@contextmanager
def progress_slice(start: float, stop: float) -> Iterator[None]:
    """Within the block, a reported 0..1 fills only ``start..stop`` of the current bar (one file of several)."""
    outer = _PROGRESS.get()
    span = None
    if outer is not None:
        width = outer.stop - outer.start
        span = _Span(outer.callback, outer.start + width * start, outer.start + width * stop, outer.last)
    token = _PROGRESS.set(span)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


def check_progress(progress: Any, *, file: str | None = None) -> None:
    """Raise :class:`OptionError` when ``progress`` is neither None nor callable."""
    if progress is not None and not callable(progress):
        where = f"{file}: " if file else ""
        raise OptionError(f"{where}read_export(progress={progress!r}); expected None or a function called as "
                          "progress(stage: str, fraction: float). Next step: pass a function, or leave it out.")

"""The list of export formats workfw reads, and the options they accept."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..errors import OptionError
from ..export import TaskExport

__all__ = ["ExportFormat", "ReadOptions", "COMMON_OPTIONS", "FORMATS", "register"]

#: Options every reader accepts (see :func:`workfw.read_export`).
COMMON_OPTIONS = ("tz", "date_order", "status_map", "encoding", "delimiter", "team", "name")


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
    """

    name: str
    label: str
    kind: str
    sniff: Callable[[Any], bool]
    read: Callable[..., TaskExport]
    how_to_export: str
    options: tuple[str, ...] = ()


FORMATS: dict[str, ExportFormat] = {}


def register(fmt: ExportFormat) -> ExportFormat:
    """Add a format to :data:`FORMATS` (readers call this at import)."""
    FORMATS[fmt.name] = fmt
    return fmt


def build_options(fmt: ExportFormat, options: Mapping[str, Any]) -> ReadOptions:
    """Split ``read_export`` keyword options into a :class:`ReadOptions`, rejecting unknown names."""
    allowed = set(COMMON_OPTIONS) | set(fmt.options)
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise OptionError(f"read_export(source={fmt.name!r}) got unknown options {unknown}; expected some of "
                          f"{sorted(allowed)}. Next step: remove them or check the spelling.")
    common = {k: v for k, v in options.items() if k in COMMON_OPTIONS and k != "name"}
    extra = {k: v for k, v in options.items() if k not in COMMON_OPTIONS}
    return ReadOptions(**common, extra=extra)

"""What every sample writer shares: stable ids, date formats, file names and CSV / JSON bytes.

The tracker writers (:mod:`._jira`, :mod:`._sheets`, :mod:`._boards`,
:mod:`._github`) import these, and :mod:`._writers` imports the tracker
writers, so the helpers sit below both.  None reads a clock or a random
source: the same organisation gives the same bytes on every run.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, datetime
from typing import Any, Iterable

from workfw.samples._model import Item, Organisation

__all__ = ["csv_bytes", "json_bytes", "stable_hex", "iso_z", "iso_ms", "day", "team_file", "items_for"]


def stable_hex(*parts: object, length: int = 24) -> str:
    """A hex id derived from ``parts`` (ids look random but never change between runs)."""
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:length]


def iso_z(moment: datetime | None) -> str | None:
    """``2026-03-12T10:15:32Z`` (GitHub)."""
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(moment: datetime | None, salt: int = 0) -> str | None:
    """``2026-03-12T10:15:32.123Z`` (Trello); the milliseconds come from ``salt``."""
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{salt % 1000:03d}Z"


def day(value: date | datetime | None) -> str:
    """``2026-03-12`` or an empty string."""
    return "" if value is None else value.strftime("%Y-%m-%d")


def team_file(prefix: str, team: str, suffix: str) -> str:
    """``trello_platform.json`` style file names."""
    return f"{prefix}_{team.lower()}.{suffix}"


def csv_bytes(header: list[str], rows: Iterable[list[Any]], *, line_end: str = "\n", quote_all: bool = False,
              quote_header: bool = True, trailing_newline: bool = True) -> bytes:
    """RFC-4180 CSV as UTF-8 bytes; ``None`` cells are written empty."""
    buf = io.StringIO(newline="")
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    if quote_header:
        csv.writer(buf, lineterminator=line_end, quoting=quoting).writerow(header)
    else:
        buf.write(",".join(header) + line_end)
    writer = csv.writer(buf, lineterminator=line_end, quoting=quoting)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    text = buf.getvalue()
    if not trailing_newline and text.endswith(line_end):
        text = text[: -len(line_end)]
    return text.encode("utf-8")


def json_bytes(doc: Any, *, indent: int | None = None) -> bytes:
    """JSON as UTF-8 bytes: minified (as the tools save it) unless ``indent`` is given."""
    separators = (",", ":") if indent is None else (",", ": ")
    return (json.dumps(doc, ensure_ascii=False, indent=indent, separators=separators) + "\n").encode("utf-8")


def items_for(org: Organisation, team: str | None = None, levels: tuple[str, ...] = ("goal", "epic", "task", "subtask")
              ) -> list[Item]:
    """Items (of one team, of some levels) in creation order."""
    return [i for i in org.items if (team is None or i.team == team) and i.level in levels]

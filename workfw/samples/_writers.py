"""Write the sample organisation in every tracker's native export format.

One writer per format lives in :mod:`._jira`, :mod:`._sheets` (Asana,
Linear, Azure DevOps) and :mod:`._boards` (Trello, GitHub).  Each returns
``{file name: bytes}``; :func:`write_samples` puts them on disk.  Writers use
only the model and these helpers, never a clock, so the bytes are the same on
every run.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from workfw.samples._model import Item, Organisation

__all__ = ["WRITERS", "write_samples", "render_samples", "csv_bytes", "json_bytes", "stable_hex", "iso_z",
           "iso_ms", "day", "team_file"]


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


def _writers() -> dict[str, Callable[[Organisation], dict[str, bytes]]]:
    from workfw.samples import _boards, _jira, _sheets

    return {
        "jira": _jira.write_jira_csv, "jira-api": _jira.write_jira_api, "asana": _sheets.write_asana,
        "trello": _boards.write_trello, "github": _boards.write_github, "linear": _sheets.write_linear,
        "azure-devops": _sheets.write_azure,
    }


#: Sample name -> writer; filled lazily so the writer modules can import these helpers.
WRITERS: dict[str, Callable[[Organisation], dict[str, bytes]]] = {}


def render_samples(org: Organisation, names: Iterable[str] | None = None) -> dict[str, bytes]:
    """Render the organisation as ``{file name: bytes}`` for the named samples (all by default)."""
    if not WRITERS:
        WRITERS.update(_writers())
    out: dict[str, bytes] = {}
    for name in (list(WRITERS) if names is None else list(names)):
        out.update(WRITERS[name](org))
    return out


def write_samples(out_dir: str | Path, *, names: Iterable[str] | None = None, seed: int | None = None) -> list[Path]:
    """Generate the organisation and write its sample files into ``out_dir``.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Target folder (created when missing); existing files of the same name
        are replaced, other files are left alone.
    names : iterable of str, optional
        Sample names to write (``"jira"``, ``"linear"``...); all by default.
    seed : int, optional
        Seed of the organisation; the default is the shipped one.

    Returns
    -------
    list of pathlib.Path
        The files written, in writing order.
    """
    from workfw.samples._generator import generate_organisation
    from workfw.samples._profiles import SEED

    org = generate_organisation(SEED if seed is None else seed)
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for fname, data in render_samples(org, names).items():
        path = target / fname
        path.write_bytes(data)
        written.append(path)
    return written


def items_for(org: Organisation, team: str | None = None, levels: tuple[str, ...] = ("goal", "epic", "task", "subtask")
              ) -> list[Item]:
    """Items (of one team, of some levels) in creation order."""
    return [i for i in org.items if (team is None or i.team == team) and i.level in levels]

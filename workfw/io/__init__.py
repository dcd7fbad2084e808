"""Reading tracker exports: :func:`read_export` and the format registry."""
from __future__ import annotations


import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import EmptyExportError, ExportReadError, OptionError, UnknownFormatError
from ..export import TaskExport, combine_exports, is_saved_export, load_saved_export
from ._registry import FORMATS, ExportFormat, ReadOptions, build_options
from ._text import decode, read_csv_table, sniff_header

# Importing the reader modules registers their formats.
from . import jira, asana, trello, github, linear, azure, generic  # noqa: F401,E402

__all__ = ["read_export", "list_formats", "FORMATS", "ExportFormat", "ReadOptions"]


def list_formats() -> pd.DataFrame:
    """Return the formats workfw reads: name, label, kind and how to export each."""
    return pd.DataFrame([(f.name, f.label, f.kind, f.how_to_export) for f in FORMATS.values()],
                        columns=["source", "format", "kind", "how to export"])


def _load_bytes(path_or_file: Any, name: str | None) -> tuple[bytes, str]:
    if isinstance(path_or_file, (str, os.PathLike)):
        path = Path(path_or_file)
        if not path.exists():
            raise ExportReadError(str(path), "the path", "no such file", "an export file",
                                  "check the path; relative paths start from the notebook's folder")
        if path.is_dir():
            raise ExportReadError(str(path), "the path", "a folder", "one export file",
                                  "pass a file, or a list of files to combine them")
        return path.read_bytes(), name or path.name
    if isinstance(path_or_file, (bytes, bytearray, memoryview)):
        return bytes(path_or_file), name or "uploaded file"
    if isinstance(path_or_file, dict) and "content" in path_or_file:  # ipywidgets FileUpload entry
        return bytes(path_or_file["content"]), name or str(path_or_file.get("name", "uploaded file"))
    if hasattr(path_or_file, "read"):
        data = path_or_file.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        return bytes(data), name or str(getattr(path_or_file, "name", "uploaded file"))
    raise OptionError(f"read_export: found {type(path_or_file).__name__}; expected a path, bytes, a file object "
                      "or a FileUpload value. Next step: pass the path of the exported file.")


def _known_formats_text(kind: str | None = None) -> str:
    return "; ".join(f"{f.label} ({f.how_to_export})" for f in FORMATS.values() if kind in (None, f.kind))


def _json_doc(data: bytes, name: str) -> Any:
    text, _, _ = decode(data, name=name)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportReadError(name, f"line {exc.lineno}, column {exc.colno}", f"broken JSON ({exc.msg})",
                              "a complete JSON export", "download the export again; it may be cut short") from exc


def _detect(data: bytes, name: str, options: dict) -> tuple[ExportFormat, Any]:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        doc = _json_doc(data, name)
        for fmt in FORMATS.values():
            if fmt.kind == "json" and fmt.sniff(doc):
                return fmt, doc
        keys = list(doc)[:10] if isinstance(doc, dict) else (
            list(doc[0])[:10] if isinstance(doc, list) and doc and isinstance(doc[0], dict) else [])
        raise UnknownFormatError(name, "the top level", f"JSON with keys {keys}",
                                 f"one of the JSON exports workfw knows: {_known_formats_text('json')}",
                                 "export the file as described, or convert it to CSV and pass "
                                 "source='generic-csv' with mapping={...}")
    text, _, _ = decode(data, name=name, encoding=options.get("encoding"))
    headers, _, _ = sniff_header(text, delimiter=options.get("delimiter"))
    for fmt in FORMATS.values():
        if fmt.kind == "csv" and fmt.name != "generic-csv" and fmt.sniff(headers):
            return fmt, None
    if "mapping" in options:
        return FORMATS["generic-csv"], None
    raise UnknownFormatError(name, "the header row", f"columns {[h for h in headers][:12]}",
                             f"the columns of a known export: {_known_formats_text('csv')}",
                             "pass source='generic-csv' and mapping={'task_id': 'Your id column', "
                             "'title': ..., 'status': ..., 'created': ...} to read_export")


def read_export(path_or_file: Any, *, source: str = "auto", **options: Any) -> TaskExport:
    """Read a tracker export into workfw's canonical tables.

    Parameters
    ----------
    path_or_file : str, path, bytes, file object, FileUpload value, or a list of them
        The export.  A list reads each and combines them (one file per team
        or project).  A ``.workfw`` file saved by :meth:`TaskExport.save` is
        read back unchanged.
    source : str
        ``"auto"`` detects the format from the content (never the file name);
        otherwise one of :func:`list_formats`'s ``source`` values.
    **options
        ``tz`` (time zone of dates written without one, default ``"UTC"``),
        ``date_order`` (``"dmy"``/``"mdy"``/``"ymd"`` for ambiguous numeric
        dates), ``status_map`` (status name -> ``todo``/``in_progress``/
        ``done``/``cancelled``), ``encoding``, ``delimiter``, ``team``,
        ``name`` (file label for uploads), and format-specific options such
        as ``mapping`` for ``source="generic-csv"``.

    Returns
    -------
    TaskExport
        ``.tasks``, ``.events``, ``.raw`` and ``.report``.

    Raises
    ------
    workfw.errors.WorkfwError
        Subclasses of ``ValueError`` naming the file, the row or column,
        what was found and what to do next.

    Examples
    --------
    >>> import workfw as wf
    >>> export = wf.read_export(wf.sample_path("jira"))  # doctest: +SKIP
    >>> export.report.rows_read == len(export.tasks) + export.report.merged + export.report.rejected  # doctest: +SKIP
    True
    """
    if isinstance(path_or_file, (list, tuple)):
        return combine_exports(read_export(p, source=source, **options) for p in path_or_file)
    data, name = _load_bytes(path_or_file, options.get("name"))
    if is_saved_export(data):
        return load_saved_export(data, name=name)
    if not data.strip():
        raise EmptyExportError(name, "the whole file", "an empty file", "a tracker export",
                               "export again; the download may not have finished")
    if source == "auto":
        fmt, doc = _detect(data, name, options)
    elif source in FORMATS:
        fmt = FORMATS[source]
        doc = _json_doc(data, name) if fmt.kind == "json" else None
    else:
        raise OptionError(f"read_export: source={source!r}; expected 'auto' or one of {sorted(FORMATS)}. "
                          "Next step: leave source='auto' to detect the format.")
    opts = build_options(fmt, options)
    if fmt.kind == "csv":
        doc = read_csv_table(data, name=name, encoding=opts.encoding, delimiter=opts.delimiter)
    return fmt.read(doc, file=name, options=opts)



"""Reading tracker exports: :func:`read_export` and the format registry."""
from __future__ import annotations

import codecs
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from workfw.errors import EmptyExportError, ExportReadError, OptionError, UnknownFormatError, WorkfwError
from workfw.export import TaskExport, combine_exports, is_saved_export, load_saved_export
from workfw.bulk_work import gc_paused, quick_thread_switches, without_huge_pages
from workfw.io._common import keeping_text_codes, lone_surrogates, parse_json_text
from workfw.io._dates import DateParser
from workfw.io._registry import (COMMON_OPTIONS, FORMATS, ExportFormat, ProgressCallback, ReadOptions, build_options,
                        check_common_options, check_progress, progress_scope, progress_slice, report_progress)
from workfw.io._status import check_status_rules, status_rules, use_status_rules
from workfw.io._text import CsvTable, _has_content, _table_from_text, decode, read_csv_table, sniff_header  # noqa: F401
from workfw.io._utf8 import table_from_utf8

# Importing the reader modules registers their formats.
from workfw.io import jira, asana, trello, github, linear, azure, generic  # noqa: F401,E402

__all__ = ["read_export", "list_formats", "status_rules", "FORMATS", "ExportFormat", "ReadOptions",
           "ProgressCallback",
           # The CSV and date readers, for other files workfw reads (survey downloads): one parser for all.
           "CsvTable", "read_csv_table", "DateParser"]

# Where each stage of one file's import starts on the progress bar (0..1).
# Rough shares of the time a large Jira CSV spends in each (benchmarks/).
_STAGE_AT = {"reading": 0.0, "parsing": 0.05, "mapping": 0.35, "assembling": 0.75}
_HEAD_BYTES = 1 << 18  # enough of a file to detect its format and header row
# From this size on pyarrow reads a CSV path itself, so the file's bytes are never held in Python.
_LARGE_FILE = 1 << 25


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
    known = [f for f in FORMATS.values() if kind in (None, f.kind) and f.name != "generic-csv"]
    if not known:
        return f"(no {kind or ''} tracker format is registered yet)".replace("  ", " ")
    return "; ".join(f"{f.label} ({f.how_to_export})" for f in known)


_MAPPING_HINT = ("pass source='generic-csv' and mapping={'task_id': 'Your id column', 'title': ..., "
                 "'status': ..., 'created': ...} to read_export")


def _json_doc(text: str, name: str) -> Any:
    # gh api --paginate writes one JSON value per page back to back; parse_json_text
    # joins them, and its error positions refer to the whole file like json.loads's.
    try:
        return parse_json_text(text)
    except json.JSONDecodeError as exc:
        raise ExportReadError(name, f"line {exc.lineno}, column {exc.colno}", f"broken JSON ({exc.msg})",
                              "a complete JSON export", "download the export again; it may be cut short") from exc
    except RecursionError as exc:
        raise ExportReadError(name, "the whole file", "JSON nested too deeply to read",
                              "a tracker's JSON export", "check that this is the export file") from exc


def _looks_like_json(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[")


def _detect(text: str, name: str, options: dict) -> tuple[ExportFormat, Any]:
    if _looks_like_json(text):
        try:
            doc = _json_doc(text, name)
        except ExportReadError:
            # A CSV whose first header starts with "[" is still a CSV; only
            # call it broken JSON when no CSV reading fits either.
            if "mapping" in options or _csv_format(text, options) is not None:
                return _csv_format(text, options) or FORMATS["generic-csv"], None
            raise
        for fmt in FORMATS.values():
            if fmt.kind == "json" and fmt.sniff(doc):
                return fmt, doc
        keys = list(doc)[:10] if isinstance(doc, dict) else (
            list(doc[0])[:10] if isinstance(doc, list) and doc and isinstance(doc[0], dict) else [])
        raise UnknownFormatError(name, "the whole file (top level of the JSON)",
                                 f"JSON {type(doc).__name__} with keys {keys}",
                                 f"one of the JSON exports workfw knows: {_known_formats_text('json')}",
                                 "export the file as described, or convert it to CSV and " + _MAPPING_HINT)
    if "mapping" in options:
        # A mapping is the user saying "read my columns this way"; honour it
        # even when a tracker reader would also claim the header.
        return FORMATS["generic-csv"], None
    fmt = _csv_format(text, options)
    if fmt is not None:
        return fmt, None
    headers, idx, _ = sniff_header(text, delimiter=options.get("delimiter"))
    raise UnknownFormatError(name, f"the header row (row {idx + 1})", f"columns {headers[:12]}",
                             f"the columns of a known export: {_known_formats_text('csv')}",
                             _MAPPING_HINT)


def _csv_format(text: str, options: dict) -> ExportFormat | None:
    headers, _, _ = sniff_header(text, delimiter=options.get("delimiter"))
    for fmt in FORMATS.values():
        if fmt.kind == "csv" and fmt.name != "generic-csv" and fmt.sniff(headers):
            return fmt
    return None


def read_export(path_or_file: Any, *, source: str = "auto", progress: ProgressCallback | None = None,
                **options: Any) -> TaskExport:
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
    progress : callable, optional
        Called as ``progress(stage, fraction)`` while a long import runs:
        ``stage`` is a short label (``"reading"``, ``"parsing"``,
        ``"mapping"``, ``"dates"``, ``"assembling"``, ``"combining"``) and
        ``fraction`` the share of the whole import done so far, from 0 to 1,
        never decreasing.  It is called at least at the start and end of each
        stage, and the last call is always ``("done", 1.0)``.  For a list of
        files each file fills its share of the bar.
    **options
        ``tz`` (time zone of dates written without one, default ``"UTC"``),
        ``date_order`` (``"dmy"``/``"mdy"``/``"ymd"`` for ambiguous numeric
        dates), ``status_map`` (status name -> ``todo``/``in_progress``/
        ``done``/``cancelled``), ``status_rules`` (a keyword rules table
        like :func:`status_rules`, used instead of the built-in one),
        ``encoding``, ``delimiter``, ``team``,
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
    >>> wf.read_export(path, progress=lambda stage, done: print(f"{stage} {done:.0%}"))  # doctest: +SKIP
    """
    check_progress(progress, file=options.get("name"))
    rules = options.get("status_rules")
    if rules is not None:
        rules = check_status_rules(rules, file=options.get("name"))
    # Ordinary memory pages for the import's hundreds of million-value arrays, and quick hand-overs
    # between its threads: see workfw.bulk_work.
    with progress_scope(progress), use_status_rules(rules), without_huge_pages(), quick_thread_switches(), \
            keeping_text_codes():
        if isinstance(path_or_file, (list, tuple)):
            parts = []
            for i, item in enumerate(path_or_file):
                # The last 5% is for combining the files into one export.
                with progress_slice(0.95 * i / len(path_or_file), 0.95 * (i + 1) / len(path_or_file)):
                    parts.append(_read_one(item, source, options))
            report_progress("combining", 0.95)
            export = combine_exports(parts)
        else:
            export = _read_one(path_or_file, source, options)
        report_progress("done", 1.0)
    return export


def _read_utf8_csv(box: list[Any], name: str, source: str, options: dict[str, Any]) -> TaskExport | None:
    """The fast path for clean UTF-8 CSV: pyarrow parses the bytes, no full-text copy is made.

    Returns None whenever anything is unusual (JSON, another encoding, an
    unknown header, a malformed row); the careful path then reads the file
    and raises the usual errors.  On success ``box`` is emptied.  ``box``
    holds the file's bytes, or the path of a large file that pyarrow then
    reads itself.
    """
    data = box[0]
    if isinstance(data, Path):
        with data.open("rb") as fh:
            first = fh.read(_HEAD_BYTES)
    else:
        first = data[:_HEAD_BYTES]
    if first.startswith(b"PK"):
        return None  # a zip: a saved .workfw export or a workbook, for the careful path
    encoding = options.get("encoding")
    if encoding is not None and codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig"):
        return None
    if source != "auto" and FORMATS[source].kind != "csv":
        return None
    head = first.decode("utf-8", errors="ignore")
    if not head.strip("\ufeff\x00 \t\r\n") or _looks_like_json(head):
        return None
    try:
        fmt = _detect(head, name, options)[0] if source == "auto" else FORMATS[source]
        opts = build_options(fmt, options, file=name)
    except WorkfwError:
        return None
    report_progress("parsing", _STAGE_AT["parsing"])
    table = table_from_utf8(data, name=name, delimiter=opts.delimiter, text_columns=fmt.text_columns)
    if table is None:
        return None
    del data
    box.clear()
    report_progress("parsing", _STAGE_AT["mapping"])
    report_progress("mapping", _STAGE_AT["mapping"])
    with gc_paused():  # a reader builds millions of small objects that live on: see workfw.bulk_work
        return fmt.read(table, file=name, options=opts)


def _read_one(path_or_file: Any, source: str, options: dict[str, Any]) -> TaskExport:
    if isinstance(path_or_file, (list, tuple)):
        return combine_exports(_read_one(p, source, options) for p in path_or_file)
    report_progress("reading", _STAGE_AT["reading"])
    if isinstance(path_or_file, (str, os.PathLike)) and Path(path_or_file).is_file() \
            and Path(path_or_file).stat().st_size >= _LARGE_FILE:
        check_common_options({k: v for k, v in options.items() if k in COMMON_OPTIONS and k != "name"},
                             file=options.get("name") or Path(path_or_file).name)
        fast = _read_utf8_csv([Path(path_or_file)], options.get("name") or Path(path_or_file).name, source, options)
        if fast is not None:
            return fast
    data, name = _load_bytes(path_or_file, options.get("name"))
    if is_saved_export(data):
        with gc_paused():
            return load_saved_export(data, name=name)
    if source != "auto" and source not in FORMATS:
        raise OptionError(f"{name}: read_export(source={source!r}); expected 'auto' or one of {sorted(FORMATS)}. "
                          "Next step: leave source='auto' to detect the format.")
    # Check tz, date_order, status_map... before parsing, so a typo fails fast.
    check_common_options({k: v for k, v in options.items() if k in COMMON_OPTIONS and k != "name"}, file=name)
    report_progress("reading", _STAGE_AT["parsing"])
    # The bytes travel in a box so the fast path can drop the last reference
    # once pyarrow has parsed them (a 1M-task file is ~1 GB).
    box = [data]
    del data
    fast = _read_utf8_csv(box, name, source, options)
    if fast is not None:
        return fast
    # From the parse on, millions of parsed records and cells live until the export is built: no collector
    # passes over them (Jira JSON, 100,000 issues: json.loads alone 9-11 s with them, 2.3-3.2 s without).
    with gc_paused():
        return _read_text(box, name, source, options)


def _read_text(box: list[bytes], name: str, source: str, options: dict[str, Any]) -> TaskExport:
    """The careful path: decode the bytes in ``box`` (taken out, so they can go), detect the format, read it."""
    data = box.pop()
    text, enc, decode_warnings = decode(data, name=name, encoding=options.get("encoding"))
    empty = not data
    del data  # the decoded text replaces the bytes; a 1M-task file is ~1 GB of each
    report_progress("reading", _STAGE_AT["parsing"])
    if not _has_content(text):
        raise EmptyExportError(name, "the whole file", "an empty file" if empty else "only blank space",
                               "a tracker export", "export again; the download may not have finished")
    report_progress("parsing", _STAGE_AT["parsing"])
    if source == "auto":
        fmt, doc = _detect(text, name, options)
    else:
        fmt = FORMATS[source]
        doc = _json_doc(text, name) if fmt.kind == "json" else None
    opts = build_options(fmt, options, file=name)
    notes = []
    if fmt.kind == "csv":
        doc = _table_from_text(text, name=name, encoding=enc, delimiter=opts.delimiter,
                               warnings=list(decode_warnings))
    else:
        # A JSON reader has no table to carry these: they join its report, first, as a CSV's would.
        notes = list(decode_warnings)
        if broken := lone_surrogates(text):
            notes.append(f"Half of a UTF-16 character pair (such as an emoji cut in two, written as \\udXXX) was "
                         f"found {broken} time{'s' if broken != 1 else ''} in the file; each is shown as \ufffd, "
                         "and the rest of each text is kept.")
    del text
    report_progress("parsing", _STAGE_AT["mapping"])
    report_progress("mapping", _STAGE_AT["mapping"])
    export = fmt.read(doc, file=name, options=opts)
    export.report.warnings[:0] = notes
    return export

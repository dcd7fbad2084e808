"""The result of reading an export: tasks, events, raw rows and the import report."""
from __future__ import annotations

import html
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from workfw.errors import ExportReadError, OptionError
from workfw.files import FileWriteError, atomic_writer
from workfw.schema import conform_events, conform_tasks, empty_events

__all__ = ["ImportReport", "TaskExport", "combine_exports", "SAVED_SUFFIX"]

#: File suffix of a saved canonical export (a zip of parquet tables and JSON).
SAVED_SUFFIX = ".workfw"
_FORMAT_TAG = "workfw-export/1"


@dataclass
class ImportReport:
    """What happened to every row and column of an import.

    Attributes
    ----------
    source : str
        The format read, for example ``"jira-csv"``.
    file : str
        The file name (or ``"a, b"`` for a combined export).
    rows_read : int
        Data rows (records) found in the file.
    merged : int
        Rows folded into another row of the same task.
    rejected : int
        Rows that became no task (each has a reason in ``TaskExport.raw``).
    synthetic : int
        Tasks that come from no row of the file (Linear's project rows), so
        ``rows_read + synthetic == len(tasks) + merged + rejected``.
    unmapped_columns : list of str
        Columns kept only in ``TaskExport.raw``.
    warnings : list of str
        Things a user should know, in plain words.
    status_map : pandas.DataFrame
        ``status, status_category, rule, tasks``: how each status name was placed.
    field_map : pandas.DataFrame
        ``column, field``: which canonical field each original column fed.
    stages : dict of str to str
        The workflow stages a user confirmed for some statuses (status -> stage, see
        :func:`workfw.flow.stage_map`); empty while the stages are the guess learnt from the export.
        Plain data, kept with the export so every notebook measures with the same definition.
    commitment : str or None
        The commitment status the user chose; None for the learnt one.
    """

    source: str
    file: str
    rows_read: int
    merged: int = 0
    rejected: int = 0
    synthetic: int = 0
    unmapped_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    status_map: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["status", "status_category", "rule", "tasks"]))
    field_map: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["column", "field"]))
    stages: dict[str, str] = field(default_factory=dict)
    commitment: str | None = None

    def summary(self) -> pd.DataFrame:
        """Return the counts as a one-column table for display."""
        return pd.DataFrame(
            {"value": [self.source, self.file, self.rows_read,
                       self.rows_read - self.merged - self.rejected + self.synthetic,
                       self.merged, self.rejected, self.synthetic, len(self.unmapped_columns), len(self.warnings)]},
            index=["format", "file", "rows read", "tasks", "rows merged", "rows rejected", "synthetic tasks",
                   "columns kept only in raw", "warnings"],
        )

    def to_dict(self) -> dict:
        """Return a JSON-ready dictionary of the report."""
        return {
            "source": self.source, "file": self.file, "rows_read": self.rows_read,
            "merged": self.merged, "rejected": self.rejected, "synthetic": self.synthetic,
            "unmapped_columns": list(self.unmapped_columns), "warnings": list(self.warnings),
            "status_map": self.status_map.astype(object).where(self.status_map.notna(), None).to_dict("records"),
            "field_map": self.field_map.astype(object).where(self.field_map.notna(), None).to_dict("records"),
            "stages": dict(self.stages), "commitment": self.commitment,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ImportReport":
        """Rebuild a report written by :meth:`to_dict`."""
        status_map = pd.DataFrame(data.get("status_map") or [], columns=["status", "status_category", "rule", "tasks"])
        field_map = pd.DataFrame(data.get("field_map") or [], columns=["column", "field"])
        return cls(source=data["source"], file=data["file"], rows_read=int(data["rows_read"]),
                   merged=int(data["merged"]), rejected=int(data["rejected"]),
                   # Reports saved before synthetic rows existed have no such key.
                   synthetic=int(data.get("synthetic", 0)),
                   unmapped_columns=list(data["unmapped_columns"]), warnings=list(data["warnings"]),
                   status_map=status_map, field_map=field_map,
                   # Reports saved before stage definitions were kept have neither key.
                   stages={str(k): str(v) for k, v in (data.get("stages") or {}).items()},
                   commitment=None if data.get("commitment") is None else str(data["commitment"]))

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings) or "<li>none</li>"
        return (f"<b>Import of {html.escape(self.file)}</b> ({html.escape(self.source)})"
                f"{self.summary().to_html(escape=True)}<p>Warnings:</p><ul>{items}</ul>")


class _Deferred:
    """A table that is read the first time it is asked for (the raw rows of a saved export)."""

    def __init__(self, load: Callable[[], pd.DataFrame]) -> None:
        self.load = load


class _RawTable:
    """Descriptor for :attr:`TaskExport.raw`: loads a deferred table once, on first access.

    A million-task export's raw rows take ~1.5 GB in memory and no diagnosis
    reads them, so a saved export loads them only when a user (or the import
    view) looks.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}"

    def __get__(self, obj: object, objtype: type | None = None) -> pd.DataFrame:
        if obj is None:
            raise AttributeError("raw")  # the dataclass field has no default
        value = obj.__dict__[self._slot]
        if isinstance(value, _Deferred):
            value = obj.__dict__[self._slot] = value.load()
        return value

    def __set__(self, obj: object, value: "pd.DataFrame | _Deferred") -> None:
        obj.__dict__[self._slot] = value


@dataclass
class TaskExport:
    """A tracker export read into workfw's canonical tables.

    Attributes
    ----------
    tasks : pandas.DataFrame
        One row per task, columns :data:`workfw.schema.TASK_COLUMNS`.
    events : pandas.DataFrame
        Status and assignee history (``task_id, at, field, old, new, author, old_category,
        new_category``: the last two are the categories the read gave a status move's statuses);
        empty when the export carries none.
    raw : pandas.DataFrame
        Every row as read with every original column, plus ``_file``, ``_row``
        (the spreadsheet row number, header = 1), ``_outcome`` (``task``,
        ``merged`` or ``rejected``), ``_reason`` and the ``task_id`` it became.
    report : ImportReport
        Counts, warnings, the status map and the field map.

    Notes
    -----
    Analyses keep what they work out from a table for as long as that table
    lives.  A table edited in place (``export.tasks.loc[rows, "status"] =
    ...``) is seen as a new one and worked out again (see
    :mod:`workfw.table_versions`); the first edit of each column after an
    analysis copies that column once.  Changing a list inside a cell
    (``tasks.at[0, "labels"].append(...)``) is not seen: assign a new list.
    """

    tasks: pd.DataFrame
    events: pd.DataFrame
    raw: pd.DataFrame = _RawTable()
    report: ImportReport

    def __repr__(self) -> str:
        r = self.report
        return (f"TaskExport({r.source}, {r.file!r}: {len(self.tasks)} tasks, {len(self.events)} events, "
                f"{r.rows_read} rows read, {r.merged} merged, {r.rejected} rejected, "
                + (f"{r.synthetic} synthetic, " if r.synthetic else "")
                + f"{len(r.warnings)} warnings)")

    def with_report(self, report: ImportReport) -> "TaskExport":
        """The same tables under another import report (raw rows not yet read stay unread).

        Parameters
        ----------
        report : ImportReport
            The report of the new export, such as a copy keeping a stage definition.

        Returns
        -------
        TaskExport
            A new export sharing ``tasks``, ``events`` and ``raw`` with this one.
        """
        return TaskExport(tasks=self.tasks, events=self.events, raw=self.__dict__["_raw"], report=report)

    def save(self, path: str | Path) -> Path:
        """Write the export to one ``.workfw`` file that :func:`workfw.read_export` reads back.

        Parameters
        ----------
        path : str or pathlib.Path
            Target file; ``.workfw`` is appended when missing.

        Returns
        -------
        pathlib.Path
            The file written.

        Raises
        ------
        workfw.files.FileWriteError
            When the file cannot be written; an earlier file of that name is then kept as it was.
        """
        target = Path(path)
        if target.suffix != SAVED_SUFFIX:
            target = target.with_name(target.name + SAVED_SUFFIX)
        # Streamed into the temporary file, so a notebook reading the workspace meanwhile sees the old export.
        try:
            with atomic_writer(target) as handle, zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as zf:
                zf.writestr("manifest.json", json.dumps({"format": _FORMAT_TAG}))
                zf.writestr("report.json", json.dumps(self.report.to_dict()))
                for name, frame in (("tasks", self.tasks), ("events", self.events),
                                    ("raw", _raw_for_parquet(self.raw))):
                    buf = io.BytesIO()
                    frame.to_parquet(buf, index=False)
                    zf.writestr(f"{name}.parquet", buf.getvalue())
        except FileWriteError:
            raise
        except OSError as exc:  # the disk filled up while writing: name the export, not the temporary file
            raise FileWriteError.from_os_error(target, exc) from exc
        return target


def _unique_labels(stems: list[str]) -> list[str]:
    counts: dict[str, int] = {}
    out = []
    for stem in stems:
        counts[stem] = counts.get(stem, 0) + 1
        out.append(stem if counts[stem] == 1 else f"{stem}#{counts[stem]}")
    return out


def _prefixer(label: str) -> Callable[[object], object]:
    def add(value: object) -> object:
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            return pd.NA
        return f"{label}:{value}"
    return add


def _raw_for_parquet(raw: pd.DataFrame) -> pd.DataFrame:
    out = raw.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: v if v is None or v is pd.NA or isinstance(v, str) else json.dumps(v, default=str))
            out[col] = out[col].astype("string")
    return out


def is_saved_export(data: bytes) -> bool:
    """Return True when ``data`` is a file written by :meth:`TaskExport.save`."""
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return json.loads(zf.read("manifest.json")).get("format") == _FORMAT_TAG
    except (zipfile.BadZipFile, KeyError, ValueError):
        return False


def load_saved_export(data: bytes, *, name: str) -> TaskExport:
    """Read a ``.workfw`` file's bytes back into a :class:`TaskExport`."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            report = ImportReport.from_dict(json.loads(zf.read("report.json")))
            # List columns stay Arrow lists, which conform_tasks turns into Python lists in bulk; pandas'
            # default hands them over as numpy arrays, converted cell by cell (1M tasks: 7.8-8.1 s -> 0.7-2.1 s).
            frames = {k: pq.read_table(io.BytesIO(zf.read(f"{k}.parquet"))).to_pandas(types_mapper=_arrow_lists)
                      for k in ("tasks", "events")}
            zf.getinfo("raw.parquet")  # present, read on first use of .raw
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ExportReadError(name, "the whole file", f"a damaged saved export ({exc})",
                              "a complete .workfw file written by TaskExport.save",
                              "save the export again, or read the original tracker file") from exc
    return TaskExport(tasks=conform_tasks(frames["tasks"]), events=conform_events(frames["events"]),
                      raw=_Deferred(lambda: _read_saved_raw(data, name=name)), report=report)


def _arrow_lists(kind: pa.DataType) -> pd.ArrowDtype | None:
    """Keep a saved table's list columns as Arrow lists (every other type as pandas' metadata says)."""
    return pd.ArrowDtype(kind) if pa.types.is_list(kind) or pa.types.is_large_list(kind) else None


def _read_saved_raw(data: bytes, *, name: str) -> pd.DataFrame:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            table = pq.read_table(io.BytesIO(zf.read("raw.parquet")))
        # Columns saved from Arrow strings come back as Arrow strings (pandas' metadata names both
        # string dtypes "string[pyarrow]"); pandas strings were written as large_string.
        return table.to_pandas(types_mapper={pa.string(): pd.ArrowDtype(pa.string())}.get)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ExportReadError(name, "raw.parquet", f"damaged raw rows ({exc})",
                              "a complete .workfw file written by TaskExport.save",
                              "save the export again, or read the original tracker file") from exc


def combine_exports(exports: Iterable[TaskExport], *, id_prefix: str = "auto") -> TaskExport:
    """Combine several exports (one per team or project) into one.

    Parameters
    ----------
    exports : iterable of TaskExport
        Exports to combine, in order.
    id_prefix : {"auto", "always", "never"}
        When to prefix task ids with the file name: ``"auto"`` only when ids
        of different exports collide (a warning says so), ``"always"``, or
        ``"never"`` (collisions then raise).

    Returns
    -------
    TaskExport
        Tasks, events and raw rows of all exports; the report adds their counts.
    """
    exports = list(exports)
    if id_prefix not in ("auto", "always", "never"):
        raise OptionError(f"combine_exports: id_prefix={id_prefix!r}; expected one of "
                          "'auto', 'always', 'never'. Next step: pass one of those.")
    if not exports:
        raise OptionError("combine_exports: found no exports; expected at least one. "
                          "Next step: pass a list of wf.read_export(...) results.")
    if len(exports) == 1:
        return exports[0]
    seen: dict[str, int] = {}
    shared: list[str] = []
    # Compare by position, not file name: two uploads can share a name.
    for pos, exp in enumerate(exports):
        for tid in exp.tasks["task_id"].dropna():
            if seen.setdefault(tid, pos) != pos:
                shared.append(tid)
    collide = bool(shared)
    prefix = id_prefix == "always" or (collide and id_prefix == "auto")
    if collide and id_prefix == "never":
        raise OptionError(f"combine_exports: found task ids shared by different files (e.g. {shared[0]!r} in "
                          f"{[e.report.file for e in exports if shared[0] in set(e.tasks['task_id'])]}); expected "
                          "unique ids with id_prefix='never'. Next step: use id_prefix='auto'.")
    labels = _unique_labels([Path(e.report.file).stem or "file" for e in exports])
    tasks, events, raws, warnings = [], [], [], []
    for exp, label in zip(exports, labels):
        t, e, r = exp.tasks.copy(), exp.events.copy(), exp.raw.copy()
        if prefix:
            add = _prefixer(label)
            t["task_id"] = t["task_id"].map(add)
            t["parent_id"] = t["parent_id"].map(add)
            t["blocked_by"] = t["blocked_by"].map(lambda ids, add=add: [add(i) for i in ids])
            e["task_id"] = e["task_id"].map(add)
            if "task_id" in r.columns:
                r["task_id"] = r["task_id"].map(add)
        tasks.append(t)
        events.append(e)
        raws.append(r)
        warnings += [f"{exp.report.file}: {w}" for w in exp.report.warnings]
    if prefix and collide:
        warnings.append(f"Task ids repeat across files ({len(set(shared))} ids, e.g. {shared[0]!r}), so each id is "
                        "prefixed with its file name ('file:id'), parents and blockers included.")
    reports = [x.report for x in exports]
    status_map = (pd.concat([r.status_map for r in reports], ignore_index=True)
                  .groupby(["status", "status_category", "rule"], as_index=False, observed=True, dropna=False)["tasks"]
                  .sum())  # dropna=False keeps the tasks that have no status (no category)
    report = ImportReport(
        source="+".join(dict.fromkeys(r.source for r in reports)),
        file=", ".join(r.file for r in reports),
        rows_read=sum(r.rows_read for r in reports), merged=sum(r.merged for r in reports),
        rejected=sum(r.rejected for r in reports), synthetic=sum(r.synthetic for r in reports),
        unmapped_columns=list(dict.fromkeys(c for r in reports for c in r.unmapped_columns)),
        warnings=warnings, status_map=status_map,
        field_map=pd.concat([r.field_map for r in reports], ignore_index=True).drop_duplicates(),
    )
    all_events = [e for e in events if len(e)]
    return TaskExport(
        tasks=conform_tasks(pd.concat(tasks, ignore_index=True)),
        events=conform_events(pd.concat(all_events, ignore_index=True)) if all_events else empty_events(),
        raw=pd.concat(raws, ignore_index=True),
        report=report,
    )

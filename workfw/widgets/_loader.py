"""Choosing the data: a sample, an uploaded file or a path; the import report; the status map."""
from __future__ import annotations

import html
from typing import Any, Callable

import ipywidgets as W
import pandas as pd

from .. import workspace
from ..errors import WorkfwError
from ..export import TaskExport
from ..io import read_export
from ..schema import STATUS_CATEGORIES
from ._explorer import Markup, show

__all__ = ["DataLoader", "StatusMapEditor", "report_html"]


def report_html(export: TaskExport) -> str:
    """The import report as escaped HTML: counts, warnings and what became of every column."""
    r = export.report
    warnings = "".join(f"<li>{html.escape(w)}</li>" for w in r.warnings) or "<li>none</li>"
    unmapped = ", ".join(html.escape(c) for c in r.unmapped_columns) or "none"
    return (f"<h4>Import of {html.escape(r.file)} ({html.escape(r.source)})</h4>"
            f"<p><b>{r.rows_read}</b> rows read → <b>{len(export.tasks)}</b> tasks, {r.merged} rows merged "
            f"into another row's task, {r.rejected} rows rejected (each with its reason in "
            f"<code>export.raw</code>). {len(export.events)} history entries.</p>"
            f"<p>Columns kept only in the raw table: {unmapped}</p><p>Warnings:</p><ul>{warnings}</ul>")


class DataLoader(W.VBox):
    """Pick the data every notebook uses: a sample (default), an uploaded file, or a path.

    The chosen export is saved to the workspace, so notebooks 01-05 show it
    without uploading again.

    Parameters
    ----------
    path : str, optional
        A file to load first (the notebook's ``DATA_PATH`` parameter).
    sample : str, optional
        Sample to load first when no path is given (default sample when None).
    pseudonymise : bool
        Initial state of the pseudonymised-names switch.
    **read_options
        Passed to :func:`workfw.read_export` (``tz``, ``date_order``...).
    """

    def __init__(self, *, path: str | None = None, sample: str | None = None, pseudonymise: bool = False,
                 **read_options: Any) -> None:
        from ..samples import list_samples

        self.read_options = dict(read_options)
        self.export: TaskExport | None = None
        self._source: dict[str, Any] = {}
        self._callbacks: list[Callable[[TaskExport], None]] = []
        names = list(list_samples()["name"])
        self.sample = W.Dropdown(options=names, value=sample or names[0], description="Sample")
        self.sample_button = W.Button(description="Use sample", icon="database")
        self.upload = W.FileUpload(accept=".csv,.json,.tsv,.txt,.workfw", multiple=True,
                                   description="Upload export")
        self.path = W.Text(value=path or "", placeholder="path/to/export.csv", description="Path")
        self.path_button = W.Button(description="Load path", icon="folder-open")
        self.pseudonymise = W.Checkbox(value=pseudonymise, description="Pseudonymise names on screen")
        self.status = W.HTML()
        self.report_out = W.Output()
        self.sample_button.on_click(lambda _: self.load_sample(self.sample.value))
        self.path_button.on_click(lambda _: self.load_path(self.path.value))
        self.upload.observe(self._uploaded, names="value")
        self.pseudonymise.observe(lambda _: self._save(), names="value")
        super().__init__([W.HBox([self.sample, self.sample_button]), W.HBox([self.path, self.path_button]),
                          self.upload, self.pseudonymise, self.status, self.report_out])
        if path:
            self.load_path(path)
        else:
            self.load_sample(self.sample.value)

    def on_load(self, callback: Callable[[TaskExport], None]) -> None:
        """Call ``callback(export)`` after each successful load."""
        self._callbacks.append(callback)

    def load_sample(self, name: str, **extra: Any) -> None:
        """Load a sample organisation export."""
        from ..samples import load_sample

        self._load(lambda opts: load_sample(name, **opts), {"sample": name}, extra)

    def load_path(self, path: str, **extra: Any) -> None:
        """Load an export from a path."""
        self._load(lambda opts: read_export(path, **{**self.read_options, **opts}), {"path": path}, extra)

    def load_files(self, files: list[dict], **extra: Any) -> None:
        """Load uploaded files (FileUpload values: dicts with ``name`` and ``content``)."""
        items = [{"name": f["name"], "content": bytes(f["content"])} for f in files]
        reader = (lambda opts: read_export(items[0], name=items[0]["name"], **{**self.read_options, **opts})) \
            if len(items) == 1 else (lambda opts: read_export(items, **{**self.read_options, **opts}))
        self._load(reader, {"upload": [i["name"] for i in items]}, extra)

    def reload(self, **extra: Any) -> None:
        """Read the current source again with extra options (for example a ``status_map``)."""
        if self._reader is not None:
            self._load(self._reader, self._source, extra)

    _reader: Callable[[dict], TaskExport] | None = None

    def _uploaded(self, change: dict) -> None:
        if change["new"]:
            self.load_files(list(change["new"]))

    def _load(self, reader: Callable[[dict], TaskExport], source: dict, extra: dict) -> None:
        try:
            export = reader(extra)
        except WorkfwError as exc:  # a user's file: show the message, keep the previous data
            self.status.value = f"<p style='color:#b00'><b>Could not read it.</b> {html.escape(str(exc))}</p>"
            return
        self.export, self._reader, self._source = export, reader, source
        self._save()
        what = html.escape(str(source.get("sample") or source.get("path") or ", ".join(source.get("upload", []))))
        self.status.value = (f"<p style='color:#060'>Loaded <b>{what}</b>: {len(export.tasks)} tasks. "
                             "Notebooks 01-05 will use this data.</p>")
        show(self.report_out, Markup(report_html(export)))
        for callback in self._callbacks:
            callback(export)

    def _save(self) -> None:
        if self.export is not None:
            workspace.save(self.export, pseudonymise=bool(self.pseudonymise.value), **self._source)

    @property
    def shown(self) -> TaskExport:
        """The export as it should appear on screen (pseudonymised when the switch is on)."""
        from ..privacy import pseudonymise

        assert self.export is not None
        return pseudonymise(self.export) if self.pseudonymise.value else self.export


class StatusMapEditor(W.VBox):
    """Edit how each status name maps to todo / in progress / done / cancelled, then re-read."""

    def __init__(self, loader: DataLoader) -> None:
        self.loader = loader
        self.rows = W.VBox()
        self.apply = W.Button(description="Apply status map", icon="check")
        self.apply.on_click(lambda _: self.loader.reload(status_map=self.status_map()))
        loader.on_load(lambda _: self._build())
        super().__init__([W.HTML("<p>How each status name was placed. Change a category and apply to "
                                 "re-read the data.</p>"), self.rows, self.apply])
        self._build()

    def _build(self) -> None:
        table: pd.DataFrame = self.loader.export.report.status_map if self.loader.export else pd.DataFrame()
        self.dropdowns: dict[str, W.Dropdown] = {}
        rows = []
        for status, category, rule, count in table[["status", "status_category", "rule", "tasks"]].itertuples(index=False):
            dd = W.Dropdown(options=list(STATUS_CATEGORIES), value=category, layout=W.Layout(width="140px"))
            self.dropdowns[status] = dd
            rows.append(W.HBox([W.HTML(f"<code>{html.escape(str(status))}</code>", layout=W.Layout(width="220px")),
                                dd, W.HTML(f"<small>{html.escape(str(rule))}, {int(count)} tasks</small>")]))
        self.rows.children = rows

    def status_map(self) -> dict[str, str]:
        """The map as edited: status name -> category."""
        return {status: dd.value for status, dd in self.dropdowns.items()}

"""Choosing the data: a sample, an uploaded file or a path; the import report; the status map; coverage."""
from __future__ import annotations

import html
import inspect
from typing import Any, Callable

import ipywidgets as W
import pandas as pd

from workfw import flow, workspace
from workfw.coverage import coverage_matrix, coverage_table
from workfw.errors import WorkfwError
from workfw.files import FileWriteError
from workfw.export import TaskExport
from workfw.io import read_export
from workfw.schema import STATUS_CATEGORIES
from workfw.widgets._common import PAGE, STYLE, Markup, frame_html, show
from workfw.widgets._stages import StageEditor

__all__ = ["DataLoader", "StatusMapEditor", "report_html", "stages_html", "rejected_rows", "coverage_html"]

_INTERNAL = ("_file", "_row", "_outcome", "_reason", "task_id")


def rejected_rows(export: TaskExport, *, columns: int = 4) -> pd.DataFrame:
    """Rows of the file that became no task: row number, reason and the first few original columns."""
    raw = export.raw
    if "_outcome" not in raw.columns:
        return pd.DataFrame(columns=["_row", "_reason"])
    rows = raw[raw["_outcome"] == "rejected"]
    original = [c for c in raw.columns if c not in _INTERNAL][:columns]
    keep = [c for c in ("_file", "_row", "_reason") if c in raw.columns] + original
    return rows[keep].reset_index(drop=True)


def stages_html(export: TaskExport) -> str:
    """The workflow stages of ``export`` as escaped HTML, marked as a guess until the user confirms them.

    The stages are :func:`workfw.flow.stage_map` of the definition kept with the export
    (:func:`workfw.flow.kept_stages`): the user's when they kept one in the status map tab, else the
    one learnt from the export.  The import report itself stays plain data of the table layer; the
    definition comes from the flow layer, so the loader shows it beside the report.
    """
    kept = flow.kept_stages(export)
    try:
        smap = flow.stage_map(export, **kept)
    except WorkfwError as exc:  # a kept definition that no longer fits the data: say so, keep the rest of the page
        return f"<h4>Workflow stages</h4><p style='color:#b00'>{html.escape(str(exc))}</p>"
    confirmed = bool(kept["stages"]) or kept["commitment"] is not None
    note = ("<p>As you kept them in the <b>Status map</b> tab: every flow metric starts its clock at the "
            "commitment point.</p>" if confirmed else
            "<p><b>A guess learnt from the export, to confirm:</b> check each status's stage and the commitment "
            "point in the <b>Status map</b> tab and keep them there. Cycle time, aging WIP and flow efficiency "
            "all use this one definition.</p>")
    return "<h4>Workflow stages</h4>" + note + frame_html(flow.stage_overview(smap))


def report_html(export: TaskExport, *, stages: bool = True) -> str:
    """The import report as escaped HTML: counts, warnings, unmapped columns, the rejected rows and the stages.

    ``stages=False`` leaves out the workflow stages (:func:`stages_html`).
    """
    r = export.report
    warnings = "".join(f"<li>{html.escape(str(w))}</li>" for w in r.warnings) or "<li>none</li>"
    unmapped = ", ".join(html.escape(str(c)) for c in r.unmapped_columns) or "none"
    rejected = rejected_rows(export)
    table = frame_html(rejected, limit=20) if len(rejected) else "<p>No row was rejected.</p>"
    return (f"<h4>Import of {html.escape(str(r.file))} ({html.escape(str(r.source))})</h4>"
            f"<p><b>{r.rows_read}</b> rows read → <b>{len(export.tasks)}</b> tasks; {r.merged} rows merged "
            f"into another row's task; {r.rejected} rows rejected; {len(export.events)} history entries."
            + (f" {r.synthetic} tasks were added with no row of their own (for example Linear projects as "
               "parents)." if getattr(r, "synthetic", 0) else "") + "</p>"
            f"<p>Columns kept only in the raw table (not used by any framework): {unmapped}</p>"
            f"<p>Warnings:</p><ul>{warnings}</ul><p>Rejected rows:</p>{table}"
            + (stages_html(export) if stages else ""))


def coverage_html(table: pd.DataFrame) -> str:
    """A :func:`workfw.coverage.coverage_table` as an escaped table: what this export lets each element see."""
    shown = pd.DataFrame({
        "framework": table["framework"], "element": table["element"],
        "measurable": [f"{m} of {n} signals" for m, n in zip(table["measurable"], table["signals"])],
        "what is missing": table["missing"].str.replace("; ", " · ", regex=False),
    })
    return frame_html(shown)


def _accepts_progress(func: Callable) -> bool:
    return "progress" in inspect.signature(func).parameters


class DataLoader(W.VBox):
    """Pick the data every notebook uses: a sample (default), an uploaded file, or a path.

    Each load shows the import report (rows in and out, merged, rejected,
    warnings, unmapped columns, the rejected rows, the workflow stages), the
    editable status map with the stage of each status and the commitment point
    (:class:`workfw.widgets._stages.StageEditor`), and what this export lets
    each framework see, and saves the export to the workspace so notebooks
    01-07 show it without loading again.  Stages you keep travel with the
    export (its report's ``stages`` and ``commitment``), and are kept again
    when the same source is re-read with another status map.

    Parameters
    ----------
    path : str, optional
        A file to load first (the notebook's ``DATA_PATH`` parameter).
    sample : str, optional
        Sample to load first when no path is given (default sample when None).
    pseudonymise : bool
        Initial state of the pseudonymised-names switch (saved with the data).
    pseudonymise_text : bool
        Initial state of the second switch: names inside titles and
        descriptions too (``in_text`` of :func:`workfw.privacy.pseudonymise`;
        it pseudonymises even when the first switch is off).
    **read_options
        Passed to :func:`workfw.read_export` (``tz``, ``date_order``...).
    """

    def __init__(self, *, path: str | None = None, sample: str | None = None, pseudonymise: bool = False,
                 pseudonymise_text: bool = False, **read_options: Any) -> None:
        from workfw.samples import list_samples

        self.read_options = dict(read_options)
        self.export: TaskExport | None = None
        self.coverage = pd.DataFrame()
        self._reader: Callable[[dict], TaskExport] | None = None
        self._source: dict[str, Any] = {}
        self._extra: dict[str, Any] = {}
        self._callbacks: list[Callable[[TaskExport], None]] = []
        self._shown: tuple[TaskExport, bool, TaskExport] | None = None
        catalog = list_samples()
        names = list(catalog["name"])
        labels = [(f"{n} ({t})" if t else n, n) for n, t in zip(names, catalog.get("tracker", names))]
        self.sample = W.Dropdown(options=labels, value=sample or names[0], description="Sample", style=STYLE,
                                 layout=W.Layout(width="340px"))
        self.sample_button = W.Button(description="Use sample", icon="database")
        self.upload = W.FileUpload(accept=".csv,.json,.tsv,.txt,.workfw", multiple=True,
                                   description="Upload export", layout=W.Layout(width="200px"))
        self.path = W.Text(value=path or "", placeholder="path/to/export.csv", description="Path", style=STYLE,
                           layout=W.Layout(width="420px"))
        self.path_button = W.Button(description="Load path", icon="folder-open")
        self.pseudonymise = W.Checkbox(value=pseudonymise, description="Pseudonymise names on screen",
                                       style=STYLE, indent=False)
        self.pseudonymise_text = W.Checkbox(value=pseudonymise_text, description="also in titles and descriptions",
                                            style=STYLE, indent=False)
        self.bar = W.FloatProgress(value=0, min=0, max=1, description="", layout=W.Layout(width="300px"))
        self.stage = W.HTML()
        self.status = W.HTML()
        self.report_out, self.coverage_out = W.Output(), W.Output()
        self.status_editor = StatusMapEditor(self)
        self.stage_editor = StageEditor(self)
        self.tabs = W.Tab(children=[self.report_out, W.VBox([self.status_editor, self.stage_editor]),
                                    self.coverage_out])
        for i, title in enumerate(("Import report", "Status map", "What each framework can see")):
            self.tabs.set_title(i, title)
        self.sample_button.on_click(lambda _: self.load_sample(self.sample.value))
        self.path_button.on_click(lambda _: self.load_path(self.path.value))
        self.upload.observe(self._uploaded, names="value")
        self.pseudonymise.observe(lambda _: self._pseudonymise_changed(), names="value")
        self.pseudonymise_text.observe(lambda _: self._pseudonymise_changed(), names="value")
        wrap = W.Layout(flex_flow="row wrap", align_items="center")
        super().__init__([W.HBox([self.sample, self.sample_button], layout=wrap),
                          W.HBox([self.path, self.path_button], layout=wrap),
                          W.HBox([self.upload, self.pseudonymise, self.pseudonymise_text], layout=wrap),
                          W.HBox([self.bar, self.stage], layout=wrap), self.status, self.tabs], layout=PAGE)
        if path:
            self.load_path(path)
        else:
            self.load_sample(self.sample.value)

    def on_load(self, callback: Callable[[TaskExport], None]) -> None:
        """Call ``callback(export)`` after each successful load."""
        self._callbacks.append(callback)

    def load_sample(self, name: str, **extra: Any) -> None:
        """Load a sample organisation export (``extra``: read options such as ``status_map``)."""
        from workfw.samples import load_sample

        self._load(lambda opts: load_sample(name, **opts), {"sample": name}, extra)

    def load_path(self, path: str, **extra: Any) -> None:
        """Load an export from a path."""
        self._load(lambda opts: read_export(path, **self._with_progress({**self.read_options, **opts})),
                   {"path": path}, extra)

    def load_files(self, files: list[dict], **extra: Any) -> None:
        """Load uploaded files (FileUpload values: dicts with ``name`` and ``content``)."""
        items = [{"name": f["name"], "content": bytes(f["content"])} for f in files]
        if len(items) == 1:
            def reader(opts: dict) -> TaskExport:
                return read_export(items[0], name=items[0]["name"],
                                   **self._with_progress({**self.read_options, **opts}))
        else:
            def reader(opts: dict) -> TaskExport:
                return read_export(items, **self._with_progress({**self.read_options, **opts}))
        self._load(reader, {"upload": [i["name"] for i in items]}, extra)

    def keep_stages(self, *, stages: dict[str, str] | None = None, commitment: str | None = None) -> None:
        """Keep a stage definition with the loaded data (and in the workspace) for every notebook.

        Raises
        ------
        OptionError
            The definition is one :func:`workfw.flow.stage_map` refuses (the message says why).
        """
        if self.export is None:
            raise WorkfwError("DataLoader: no data is loaded yet; expected a loaded export. "
                              "Next step: pick a sample, upload a file or load a path.")
        self.export = flow.keep_stages(self.export, stages=stages, commitment=commitment)
        unsaved = self._save()
        self.status.value = unsaved or ("<p style='color:#060'>Stages kept with the data; notebook 06 and every flow "
                                        "chart measure with them.</p>")
        self._render()

    def reload(self, **extra: Any) -> None:
        """Read the current source again with extra options (for example a ``status_map``)."""
        if self._reader is not None:
            self._load(self._reader, self._source, {**self._extra, **extra})

    @property
    def shown(self) -> TaskExport:
        """The export as it should appear on screen (pseudonymised when the switch is on).

        Pseudonyms use the workspace's salt, so they match what notebooks 01-05
        show through :func:`workfw.workspace.current`.
        """
        from workfw.privacy import pseudonymise

        if self.export is None:
            raise WorkfwError("DataLoader: no data is loaded yet; expected a loaded export. "
                              "Next step: pick a sample, upload a file or load a path.")
        in_text = bool(self.pseudonymise_text.value)
        if not (self.pseudonymise.value or in_text):
            return self.export
        cached = self._shown
        if cached is None or cached[0] is not self.export or cached[1] != in_text:  # seconds on a large export
            self._shown = cached = (self.export, in_text, pseudonymise(self.export, in_text=in_text))
        return cached[2]

    def _progress(self, stage: str, fraction: float) -> None:
        self.bar.value = max(0.0, min(1.0, float(fraction)))
        self.stage.value = f"<small>{html.escape(str(stage))}</small>"

    def _with_progress(self, options: dict) -> dict:
        # read_export reports progress only in versions that accept the callback.
        return {**options, "progress": self._progress} if _accepts_progress(read_export) else options

    def _uploaded(self, change: dict) -> None:
        if change["new"]:
            self.load_files(list(change["new"]))

    def _load(self, reader: Callable[[dict], TaskExport], source: dict, extra: dict) -> None:
        self._progress("reading", 0.0)
        try:
            export = reader(extra)
        except WorkfwError as exc:  # a user's file: show the message, keep the previous data
            self._progress("failed", 0.0)
            self.status.value = f"<p style='color:#b00'><b>Could not read it.</b> {html.escape(str(exc))}</p>"
            return
        self._progress("measuring what each framework can see", 0.9)
        export, lost = self._carry_stages(export, source)
        self.export, self._reader, self._source, self._extra = export, reader, source, dict(extra)
        self.coverage = coverage_table(export)
        unsaved = self._save()
        what = html.escape(str(source.get("sample") or source.get("path") or ", ".join(source.get("upload", []))))
        self.status.value = (f"<p style='color:#060'>Loaded <b>{what}</b>: {len(export.tasks)} tasks."
                             + (f"</p>{unsaved}" if unsaved else " Notebooks 01-04 will use this data.</p>") + lost)
        self._render()
        self._progress("done", 1.0)
        for callback in self._callbacks:
            callback(export)

    def _carry_stages(self, export: TaskExport, source: dict) -> tuple[TaskExport, str]:
        """Keep the stages chosen for this source on a re-read of it; an escaped note when they no longer fit."""
        before = self.export
        kept = flow.kept_stages(before) if before is not None and source == self._source else None
        if not kept or not (kept["stages"] or kept["commitment"] is not None) or any(flow.kept_stages(export).values()):
            return export, ""
        try:
            return flow.keep_stages(export, **kept), ""
        except WorkfwError as exc:  # a status was renamed or re-placed: fall back to the learnt stages, and say so
            return export, (f"<p style='color:#b00'><b>The stages you kept no longer fit this data</b>, so the "
                            f"learnt ones are shown: {html.escape(str(exc))}</p>")

    def _render(self) -> None:
        from workfw.charts import coverage_figure

        show(self.report_out, Markup(report_html(self.shown)))
        label = str(self._source.get("sample") or self._source.get("path") or "this export")
        matrix = coverage_matrix({label: self.coverage})
        show(self.coverage_out, coverage_figure(matrix, title="What this export lets each framework element see"),
             Markup(coverage_html(self.coverage)))

    def _pseudonymise_changed(self) -> None:
        unsaved = self._save()
        if unsaved:
            self.status.value = unsaved
        if self.export is not None:
            self._render()

    def _save(self) -> str:
        """Keep the data for the other notebooks; return an escaped warning when the workspace cannot be written."""
        if self.export is None:
            return ""
        try:
            workspace.save(self.export, pseudonymise=bool(self.pseudonymise.value),
                           pseudonymise_text=bool(self.pseudonymise_text.value), **self._source)
        except FileWriteError as exc:  # this notebook can still show the data; only the others cannot
            return f"<p style='color:#b00'><b>Not kept for notebooks 01-04.</b> {html.escape(str(exc))}</p>"
        return ""


class StatusMapEditor(W.VBox):
    """Edit how each status name maps to todo / in progress / done / cancelled, then re-read.

    Parameters
    ----------
    loader : DataLoader
        The loader whose data is re-read with the edited map.
    """

    def __init__(self, loader: DataLoader) -> None:
        self.loader = loader
        self.rows = W.VBox()
        self.dropdowns: dict[str, W.Dropdown] = {}
        self.apply = W.Button(description="Apply status map", icon="check")
        self.apply.on_click(lambda _: self.loader.reload(status_map=self.status_map()))
        loader.on_load(lambda _: self._build())
        super().__init__([W.HTML("<p>How each status name was placed. Change a category and apply to "
                                 "re-read the data.</p>"), self.rows, self.apply])
        self._build()

    def _build(self) -> None:
        export = self.loader.export
        table: pd.DataFrame = export.report.status_map if export is not None else pd.DataFrame(
            columns=["status", "status_category", "rule", "tasks"])
        self.dropdowns = {}
        rows = []
        for status, category, rule, count in table[["status", "status_category", "rule", "tasks"]].itertuples(
                index=False):
            value = category if category in STATUS_CATEGORIES else None
            dd = W.Dropdown(options=list(STATUS_CATEGORIES), value=value, layout=W.Layout(width="150px"))
            self.dropdowns[str(status)] = dd
            rows.append(W.HBox([W.HTML(f"<code>{html.escape(str(status))}</code>", layout=W.Layout(width="240px")),
                                dd, W.HTML(f"<small>{html.escape(str(rule))}, {int(count)} tasks</small>")]))
        self.rows.children = rows

    def status_map(self) -> dict[str, str]:
        """The map as edited: status name -> category."""
        return {status: dd.value for status, dd in self.dropdowns.items() if dd.value is not None}

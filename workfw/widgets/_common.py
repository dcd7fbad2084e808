"""Pieces every view shares: the framework registry, rendering into Output widgets, escaped tables."""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as W
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.io._base_renderers import MimetypeRenderer

from workfw.core.diagnosis import Diagnosis
from workfw.frameworks import REGISTRY, get_framework
from workfw.html_table import html_table
from workfw.readable import plain_headers

__all__ = ["FRAMEWORKS", "FRAMEWORK_NAMES", "ALL", "framework_module", "show", "Markup", "tasks_html",
           "findings_html", "frame_html", "STYLE", "PAGE"]

#: Framework key -> module implementing ``diagnose``, ``figures`` and ``scored_figure`` (from the registry).
FRAMEWORKS = {f.key: f.module_name for f in REGISTRY}
#: Framework key -> display name.
FRAMEWORK_NAMES = {f.key: f.title for f in REGISTRY}
ALL = "All"
#: Labels wide enough to read, for every control.
STYLE = {"description_width": "initial"}
#: Views never grow wider than a 1280 px projector screen minus the notebook's margins.
PAGE = W.Layout(max_width="1180px", width="100%")


def framework_module(framework: str) -> Any:
    """The module of a framework key of :data:`FRAMEWORKS`."""
    return get_framework(framework).module()


def _bundle(obj: Any) -> dict[str, Any]:
    """The mime bundle of a figure or an HTML-able object, built the same with or without a running kernel."""
    if isinstance(obj, go.Figure):
        # Honour a renderer the user chose (e.g. "plotly_mimetype+notebook" for a static HTML export).
        names = [n for n in (pio.renderers.default or "").split("+") if n]
        data: dict[str, Any] = {}
        for name in names:
            renderer = pio.renderers[name]
            if isinstance(renderer, MimetypeRenderer):
                data.update(renderer.to_mimebundle(obj.to_dict()))
        if "application/vnd.plotly.v1+json" not in data:
            data.update(pio.renderers["plotly_mimetype"].to_mimebundle(obj.to_dict()))
        title = obj.layout.title.text or "figure"
        data["text/plain"] = f"<plotly figure: {title}>"
        return data
    if hasattr(obj, "_repr_html_"):
        return {"text/html": obj._repr_html_(), "text/plain": type(obj).__name__}
    return {"text/plain": str(obj)}


def show(out: W.Output, *objects: Any) -> None:
    """Replace what an Output widget shows with ``objects`` (figures, tables, HTML).

    Outputs are set as mime bundles rather than through ``display()``, so a
    view shows the same in JupyterLab, Voila, a late-connecting browser and a test.
    """
    out.outputs = tuple({"output_type": "display_data", "data": _bundle(obj), "metadata": {}} for obj in objects)


class Markup:
    """Trusted HTML (already escaped by workfw) for an Output widget."""

    def __init__(self, markup: str) -> None:
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup


def frame_html(frame: pd.DataFrame, *, index: bool = False, limit: int | None = None, na_rep: str = "") -> str:
    """A DataFrame as an escaped HTML table that wraps long text instead of overflowing."""
    shown = frame if limit is None else frame.head(limit)
    # Text reads left-aligned from the top of its cell; a long word may wrap (overflow-wrap) but a column is never
    # squeezed below its longest word, which word-break did ("Coordi-nation", "49-8").  Inline styles: no style
    # sheet reaches a widget's output.
    table = html_table(shown, index=index, na_rep=na_rep, classes="dataframe", empty=None,
                       cell_style="text-align:left;vertical-align:top",
                       header_style="text-align:left;vertical-align:bottom")
    more = f"<p>… and {len(frame) - limit} more rows.</p>" if limit is not None and len(frame) > limit else ""
    return (f'<div style="max-width:100%;overflow-x:auto"><div style="font-size:14px;overflow-wrap:break-word">'
            f"{table}</div></div>{more}")


def tasks_html(tasks: pd.DataFrame, ids: list[str], *, limit: int = 25) -> str:
    """An escaped HTML table of the tasks behind a finding (id, title, team, status, assignee, updated)."""
    cols = [c for c in ["task_id", "title", "team", "status", "assignee", "updated"] if c in tasks.columns]
    rows = tasks.loc[tasks["task_id"].isin(ids), cols]
    return frame_html(plain_headers(rows), limit=limit)


def findings_html(diagnosis: Diagnosis, *, limit: int = 12) -> str:
    """The findings as an escaped HTML list, most severe first, each with example task ids."""
    if diagnosis.findings.empty:
        return "<p>No findings: nothing in this selection crosses a threshold.</p>"
    items = []
    for row in diagnosis.findings.head(limit).itertuples():
        ids = ", ".join(html.escape(str(i)) for i in row.task_ids[:6])
        more = f" … (+{len(row.task_ids) - 6})" if len(row.task_ids) > 6 else ""
        items.append(f"<li><b>{html.escape(str(row.severity))}</b> · {html.escape(str(row.element))}: "
                     f"{html.escape(str(row.finding))}<br><small>{ids}{more}</small></li>")
    extra = (f"<p><small>{len(diagnosis.findings) - limit} more findings: pick them in the findings browser."
             "</small></p>" if len(diagnosis.findings) > limit else "")
    return "<ol>" + "".join(items) + "</ol>" + extra

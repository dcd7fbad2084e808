"""The framework explorer: filters and thresholds linked to a model that re-runs the diagnosis.

Each view links its controls to a ``traitlets`` model (logic in the model,
widgets only link to it, as the ipywidgets tutorial teaches); the model calls
the same ``workfw`` functions a script would.  Charts are rendered into
``Output`` widgets as plain plotly figures, which Voila and a late-connecting
browser show correctly (``FigureWidget`` deltas can be missed).
"""
from __future__ import annotations

import html

import ipywidgets as W
import pandas as pd
import plotly.graph_objects as go
import traitlets as T

from workfw.export import TaskExport
from workfw.widgets._assessment import AssessmentForm, FrameworkDiagram, GapView, PerceivedDiagram
from workfw.widgets._common import ALL, FRAMEWORKS, PAGE, STYLE, Markup, findings_html, frame_html, show, tasks_html
# Re-exported: the model and its thresholds were defined here before they moved below the views.
from workfw.widgets._model import THRESHOLD_HELP, ChartMaker, ExplorerModel, thresholds_read

__all__ = ["FRAMEWORKS", "ExplorerModel", "Explorer", "THRESHOLD_HELP", "thresholds_read", "AssessmentForm", "GapView", "FrameworkDiagram",
           "PerceivedDiagram", "findings_html", "tasks_html", "show", "Markup"]


def _summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The element scores as shown beside the diagram: short headers that fit a 320 px column."""
    table = summary.reset_index()
    measured = table["signals_measured"].astype("Int64").astype(str) + " of " + table["signals_total"].astype(str)
    score = table["score"].astype("Float64").round(0).astype("Int64")
    return pd.DataFrame({"Element": table["element"], "Score": score, "Signals measured": measured})


def _unscored_html(summary: pd.DataFrame) -> str:
    """Why each element without a score has none, as small escaped lines under the score table."""
    if "reason" not in summary:
        return ""
    reasons = summary["reason"][summary["score"].isna() & summary["reason"].notna()]
    return "".join(f"<p><small><b>{html.escape(str(element))}</b>: {html.escape(str(reason))}</small></p>"
                   for element, reason in reasons.items())


class Explorer(W.VBox):
    """Controls for team, project, date window, people or agents and thresholds, above the diagram and findings.

    Parameters
    ----------
    export : TaskExport
        The data.
    framework : str
        Key of :data:`FRAMEWORKS`.
    extra_charts : callable, optional
        ``extra_charts(diagnosis, export, options) -> list of figures`` drawn
        below the findings whenever the diagnosis changes; by default the
        framework's own charts (C4: cycle time, aging WIP, throughput, forecast;
        Stack: owner and due-date coverage over time; Pyramid: roll-up;
        Visibility: staleness and late capture), filtered like the diagnosis.
    """

    def __init__(self, export: TaskExport, framework: str, *, extra_charts: ChartMaker | None = None) -> None:
        self.model = ExplorerModel(export, framework, extra_charts=extra_charts)
        self.team = W.Dropdown(options=self.model.teams, value=ALL, description="Team", style=STYLE,
                               layout=W.Layout(width="260px"))
        self.project = W.Dropdown(options=self.model.projects, value=ALL, description="Project", style=STYLE,
                                  layout=W.Layout(width="300px"))
        months = self.model.months
        labels = [(m.strftime("%b %Y"), m) for m in months] or [("all", None)]
        self.window = W.SelectionRangeSlider(options=labels, index=(0, len(labels) - 1), description="Created",
                                             layout=W.Layout(width="560px", max_width="100%"), style=STYLE)
        self.actors = W.ToggleButtons(options=[("Everyone", "all"), ("People", "people"), ("Agents", "agents")],
                                      value="all", description="Work by", style={**STYLE, "button_width": "90px"})
        self.stale_days = W.IntSlider(value=self.model.stale_days, min=7, max=120, step=1,
                                      description="Stale after (days)", style=STYLE, layout=W.Layout(width="370px"))
        self.substantive_words = W.IntSlider(value=self.model.substantive_words, min=3, max=60,
                                             description="Description counts from (words)", style=STYLE,
                                             layout=W.Layout(width="370px"))
        self.aging_multiple = W.FloatSlider(value=self.model.aging_multiple, min=1.0, max=5.0, step=0.5,
                                            readout_format=".1f", description="Aging at (× usual cycle time)",
                                            style=STYLE, layout=W.Layout(width="370px"))
        # A control shows only where it changes something: the thresholds this framework's signals read.
        self.thresholds = thresholds_read(self.model.module)
        for name in THRESHOLD_HELP:
            getattr(self, name).layout.display = None if name in self.thresholds else "none"
        help_lines = "".join(f"<li>{html.escape(THRESHOLD_HELP[name])}</li>" for name in self.thresholds)
        self.help = W.HTML(f"<small><ul style='margin:0'>{help_lines}</ul></small>" if help_lines else "")
        for name in ("team", "project", "actors", "stale_days", "substantive_words", "aging_multiple"):
            T.link((getattr(self, name), "value"), (self.model, name))
        self.team.observe(self._team_changed, names="value")
        self.window.observe(self._window_changed, names="value")
        self.selection = W.HTML()
        self.figure_out, self.summary_out, self.findings_out, self.extra_out = (W.Output() for _ in range(4))
        self.summary_out.layout = W.Layout(flex="1 1 380px", min_width="320px")
        self.figure_out.layout = W.Layout(flex="0 1 640px")
        self.diagram: go.Figure | None = None
        self.model.observe(self._render, names="diagnosis")
        wrap = W.Layout(flex_flow="row wrap", align_items="center")
        controls = W.VBox([W.HBox([self.team, self.project, self.actors], layout=wrap), self.window,
                           W.HBox([self.stale_days, self.substantive_words, self.aging_multiple], layout=wrap),
                           self.help, self.selection])
        super().__init__([controls, W.HBox([self.figure_out, self.summary_out], layout=wrap),
                          W.HTML("<h4>Findings</h4>"), self.findings_out, self.extra_out], layout=PAGE)
        self._render()

    @property
    def charts(self) -> list[go.Figure]:
        """The framework's charts as last drawn (filtered like the diagnosis)."""
        return list(self.model.charts)

    def _team_changed(self, _: dict) -> None:
        # Projects of another team would give an empty selection, so the list follows the team.
        keep = self.project.value
        options = self.model.projects
        self.project.options = options
        self.project.value = keep if keep in options else ALL

    def _window_changed(self, change: dict) -> None:
        start, end = change["new"]
        full = self.window.options[0][1], self.window.options[-1][1]
        self.model.window = (None, None) if (start, end) == full else (start, end)

    def _render(self, _: dict | None = None) -> None:
        d = self.model.diagnosis
        self.diagram = d.figure()
        self.selection.value = f"<p>Showing <b>{html.escape(self.model.selection_text())}</b>.</p>"
        caveats = "".join(f"<li>{html.escape(c)}</li>" for c in d.caveats)
        show(self.figure_out, self.diagram)
        show(self.summary_out, Markup(frame_html(_summary_table(d.summary), na_rep="not measurable")
                                      + _unscored_html(d.summary) + (f"<ul>{caveats}</ul>" if caveats else "")))
        show(self.findings_out, Markup(findings_html(d)))
        # The diagram, summary and findings are on screen before the (slower) charts are drawn.
        show(self.extra_out, *self.model.charts)

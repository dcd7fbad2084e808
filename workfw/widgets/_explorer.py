"""The framework explorer: filters and thresholds linked to a model that re-runs the diagnosis.

Each view links its controls to a ``traitlets`` model (logic in the model,
widgets only link to it, as the ipywidgets tutorial teaches); the model calls
the same ``workfw`` functions a script would.  Charts are rendered into
``Output`` widgets as plain plotly figures, which Voila and a late-connecting
browser show correctly (``FigureWidget`` deltas can be missed).
"""
from __future__ import annotations

import html
from collections import OrderedDict
from typing import Any, Callable

import ipywidgets as W
import pandas as pd
import plotly.graph_objects as go
import traitlets as T

from workfw.core.diagnosis import DEFAULTS, prepare
from workfw.export import TaskExport
from workfw.widgets._assessment import AssessmentForm, FrameworkDiagram, GapView, PerceivedDiagram
from workfw.widgets._common import (ALL, FRAMEWORKS, PAGE, STYLE, Markup, findings_html, framework_module, frame_html, show,
                      tasks_html)

__all__ = ["FRAMEWORKS", "ExplorerModel", "Explorer", "THRESHOLD_HELP", "thresholds_read", "AssessmentForm", "GapView", "FrameworkDiagram",
           "PerceivedDiagram", "findings_html", "tasks_html", "show", "Markup"]

ChartMaker = Callable[[Any, TaskExport, dict], list]


#: Selections remembered per model (diagnoses and their charts).
_REMEMBER = 12


def _keep(cache: OrderedDict, key: str) -> None:
    cache.move_to_end(key)
    while len(cache) > _REMEMBER:
        cache.popitem(last=False)


def _summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The element scores as shown beside the diagram: short headers that fit a 320 px column."""
    table = summary.reset_index()
    measured = table["signals_measured"].astype("Int64").astype(str) + " of " + table["signals_total"].astype(str)
    score = table["score"].astype("Float64").round(0).astype("Int64")
    return pd.DataFrame({"Element": table["element"], "Score": score, "Signals measured": measured})


#: The thresholds the explorer offers, with the line that explains each under the sliders.
THRESHOLD_HELP: dict[str, str] = {
    "stale_days": "Stale after: open work not updated for this many days counts as stale, and an owner "
                  "silent this long as absent.",
    "substantive_words": "Description counts from: a description needs this many words to say what is wanted.",
    "aging_multiple": "Aging at: work in progress longer than this many times the usual (median) cycle time "
                      "counts as aging.",
}


def thresholds_read(module: Any) -> list[str]:
    """The thresholds of :data:`THRESHOLD_HELP` that some signal of a framework module reads.

    Each signal's ``how`` names the options it reads (``"... for stale_days"``), so a framework whose signals
    never mention a threshold gets no control for it.
    """
    return [name for name in THRESHOLD_HELP if any(name in spec.how for spec in module.SIGNALS)]


def _unscored_html(summary: pd.DataFrame) -> str:
    """Why each element without a score has none, as small escaped lines under the score table."""
    if "reason" not in summary:
        return ""
    reasons = summary["reason"][summary["score"].isna() & summary["reason"].notna()]
    return "".join(f"<p><small><b>{html.escape(str(element))}</b>: {html.escape(str(reason))}</small></p>"
                   for element, reason in reasons.items())


def _default_charts(module: Any) -> ChartMaker:
    def charts(_diagnosis: Any, export: TaskExport, options: dict) -> list:
        return module.figures(export, **options)

    return charts


class ExplorerModel(T.HasTraits):
    """Filters and thresholds of one framework's diagnosis; recomputes when any changes.

    The diagnosis is recomputed on every change; the framework's charts only
    when :attr:`charts` is read (a view reads them after it has redrawn the
    diagram).  Both are kept per set of options, so coming back to an earlier
    selection is instant, and a threshold change re-runs only the signals that
    read it (see :func:`workfw.core.diagnosis.run_signals`).

    Parameters
    ----------
    export : TaskExport
        The data.
    framework : str
        Key of :data:`FRAMEWORKS`.
    extra_charts : callable or None
        ``extra_charts(diagnosis, export, options) -> list of figures``; None
        draws the framework's own charts (``module.figures``), filtered alike.
    """

    team = T.Unicode(ALL)
    project = T.Unicode(ALL)
    window = T.Tuple((None, None))
    actors = T.Enum(["all", "people", "agents"], default_value="all")
    stale_days = T.Int(DEFAULTS["stale_days"])
    substantive_words = T.Int(DEFAULTS["substantive_words"])
    aging_multiple = T.Float(DEFAULTS["aging_multiple"])
    diagnosis = T.Any(None)

    def __init__(self, export: TaskExport, framework: str, *, extra_charts: ChartMaker | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.export = export
        self.framework = framework
        self.module = framework_module(framework)
        self.extra_charts = _default_charts(self.module) if extra_charts is None else extra_charts
        self._diagnoses: OrderedDict[str, tuple[int, Any]] = OrderedDict()
        self._charts: OrderedDict[str, list] = OrderedDict()
        self.recompute()

    @property
    def teams(self) -> list[str]:
        """Team names present in the data, for the team control."""
        return [ALL] + sorted(self.export.tasks["team"].dropna().astype(str).unique().tolist())

    @property
    def projects(self) -> list[str]:
        """Project names present in the data (within the chosen team), for the project control."""
        tasks = self.export.tasks
        if self.team != ALL:
            tasks = tasks[tasks["team"] == self.team]
        return [ALL] + sorted(tasks["project"].dropna().astype(str).unique().tolist())

    @property
    def months(self) -> list[pd.Timestamp]:
        """Month starts spanned by the data, for the date-window control."""
        created = self.export.tasks["created"].dropna()
        if created.empty:
            return []
        start = created.min().tz_convert(None).to_period("M").to_timestamp()
        end = created.max().tz_convert(None).to_period("M").to_timestamp()
        return list(pd.date_range(start, end, freq="MS", tz="UTC"))

    def options(self) -> dict[str, Any]:
        """The keyword options passed to ``diagnose`` and to the framework's charts."""
        opts: dict[str, Any] = {"stale_days": self.stale_days, "substantive_words": self.substantive_words,
                                "aging_multiple": self.aging_multiple, "actors": self.actors}
        if self.team != ALL:
            opts["team"] = self.team
        if self.project != ALL:
            opts["project"] = self.project
        if self.window[0] is not None:
            start, end = self.window
            opts["window"] = (start, end + pd.offsets.MonthEnd(1))
        return opts

    @T.observe("team", "project", "window", "actors", "stale_days", "substantive_words", "aging_multiple")
    def _changed(self, _: dict) -> None:
        self.recompute()

    def _key(self) -> str:
        return repr(sorted(self.options().items()))

    def recompute(self) -> None:
        """Run the framework's diagnosis with the current options (or take it from an earlier run)."""
        key = self._key()
        if key not in self._diagnoses:
            opts = self.options()
            # ``prepare`` keeps the filtered table, so the diagnosis below filters nothing again.
            selected = len(prepare(self.export, **opts).tasks)
            self._diagnoses[key] = (selected, self.module.diagnose(self.export, **opts))
        _keep(self._diagnoses, key)
        self.selected, diagnosis = self._diagnoses[key]
        self.diagnosis = diagnosis

    @property
    def charts(self) -> list:
        """The framework's charts for the current options, drawn when first asked for."""
        key = self._key()
        if key not in self._charts:
            self._charts[key] = list(self.extra_charts(self.diagnosis, self.export, self.options()))
        _keep(self._charts, key)
        return self._charts[key]

    def selection_text(self) -> str:
        """One line on what is shown: tasks in the selection and the reference date."""
        d = self.diagnosis
        opts = self.options()
        parts = [f"team {opts['team']}" if "team" in opts else "all teams"]
        if "project" in opts:
            parts.append(f"project {opts['project']}")
        if self.actors != "all":
            parts.append(f"work by {self.actors}")
        return f"{self.selected} tasks of {', '.join(parts)}; as of {d.as_of:%Y-%m-%d}"


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

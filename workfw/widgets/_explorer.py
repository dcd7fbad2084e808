"""Thin ipywidgets views over testable models.

Each view links its controls to a ``traitlets`` model (logic in the model,
widgets only link to it, as the ipywidgets tutorial teaches); the model calls
the same ``workfw`` functions a script would.  Charts are rendered into
``Output`` widgets as plain plotly figures, which Voila and a late-connecting
browser show correctly (``FigureWidget`` deltas can be missed).
"""
from __future__ import annotations

import html
import importlib
from typing import Any, Callable

import ipywidgets as W
import pandas as pd
import traitlets as T

from ..assessment import load_bank, perceived_scores, perception_gap
from ..charts import gap_figure
from ..diagnosis import DEFAULTS, Diagnosis
from ..errors import OptionError
from ..export import TaskExport

__all__ = ["FRAMEWORKS", "ExplorerModel", "Explorer", "AssessmentForm", "GapView", "findings_html", "tasks_html", "show", "Markup"]

#: Framework key -> module implementing ``diagnose``.
FRAMEWORKS = {
    "c4_flywheel": "workfw.c4_flywheel",
    "coordination_stack": "workfw.coordination_stack",
    "value_pyramid": "workfw.value_pyramid",
    "visibility": "workfw.visibility",
}
ALL = "All"


def _module(framework: str) -> Any:
    if framework not in FRAMEWORKS:
        raise OptionError(f"framework={framework!r}; expected one of {list(FRAMEWORKS)}. "
                          "Next step: pass for example 'c4_flywheel'.")
    return importlib.import_module(FRAMEWORKS[framework])


def show(out: W.Output, *objects: Any) -> None:
    """Replace what an Output widget shows with ``objects`` (figures, tables, HTML)."""
    out.clear_output(wait=True)
    for obj in objects:
        out.append_display_data(obj)


class Markup:
    """Trusted HTML (already escaped by workfw) for an Output widget."""

    def __init__(self, markup: str) -> None:
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup


def tasks_html(tasks: pd.DataFrame, ids: list[str], *, limit: int = 25) -> str:
    """An escaped HTML table of the tasks behind a finding (id, title, status, assignee, updated)."""
    cols = ["task_id", "title", "team", "status", "assignee", "updated"]
    rows = tasks.loc[tasks["task_id"].isin(ids), cols].head(limit)
    more = f"<p>… and {len(ids) - limit} more.</p>" if len(ids) > limit else ""
    return rows.to_html(index=False, escape=True, na_rep="") + more


def findings_html(diagnosis: Diagnosis, *, limit: int = 12) -> str:
    """The findings as an escaped HTML list, most severe first, each with example task ids."""
    if diagnosis.findings.empty:
        return "<p>No findings: nothing in this selection crosses a threshold.</p>"
    items = []
    for row in diagnosis.findings.head(limit).itertuples():
        ids = ", ".join(html.escape(str(i)) for i in row.task_ids[:6])
        more = f" … (+{len(row.task_ids) - 6})" if len(row.task_ids) > 6 else ""
        items.append(f"<li><b>{html.escape(str(row.severity))}</b> · {html.escape(row.element)}: "
                     f"{html.escape(row.finding)}<br><small>{ids}{more}</small></li>")
    return "<ol>" + "".join(items) + "</ol>"


class ExplorerModel(T.HasTraits):
    """Filters and thresholds of one framework's diagnosis; recomputes when any changes.

    Parameters
    ----------
    export : TaskExport
        The data.
    framework : str
        Key of :data:`FRAMEWORKS`.
    """

    team = T.Unicode(ALL)
    window = T.Tuple((None, None))
    actors = T.Enum(["all", "people", "agents"], default_value="all")
    stale_days = T.Int(DEFAULTS["stale_days"])
    substantive_words = T.Int(DEFAULTS["substantive_words"])
    aging_multiple = T.Float(DEFAULTS["aging_multiple"])
    diagnosis = T.Any(None)

    def __init__(self, export: TaskExport, framework: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.export = export
        self.framework = framework
        self.module = _module(framework)
        self.recompute()

    @property
    def teams(self) -> list[str]:
        """Team names present in the data, for the team control."""
        return [ALL] + sorted(self.export.tasks["team"].dropna().unique().tolist())

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
        """The keyword options passed to ``diagnose``."""
        opts: dict[str, Any] = {"stale_days": self.stale_days, "substantive_words": self.substantive_words,
                                "aging_multiple": self.aging_multiple, "actors": self.actors}
        if self.team != ALL:
            opts["team"] = self.team
        if self.window[0] is not None:
            start, end = self.window
            opts["window"] = (start, end + pd.offsets.MonthEnd(1))
        return opts

    @T.observe("team", "window", "actors", "stale_days", "substantive_words", "aging_multiple")
    def _changed(self, _: dict) -> None:
        self.recompute()

    def recompute(self) -> None:
        """Run the framework's diagnosis with the current options."""
        self.diagnosis = self.module.diagnose(self.export, **self.options())


class Explorer(W.VBox):
    """Controls for team, date window, people or agents and thresholds, above the diagram and findings.

    Parameters
    ----------
    export : TaskExport
        The data.
    framework : str
        Key of :data:`FRAMEWORKS`.
    extra_charts : callable, optional
        ``extra_charts(diagnosis, export, options) -> list of figures`` drawn
        below the diagram whenever the diagnosis changes.
    """

    def __init__(self, export: TaskExport, framework: str, *,
                 extra_charts: Callable[..., list] | None = None) -> None:
        self.model = ExplorerModel(export, framework)
        self.extra_charts = extra_charts
        style = {"description_width": "initial"}
        self.team = W.Dropdown(options=self.model.teams, value=ALL, description="Team", style=style)
        months = self.model.months
        labels = [(m.strftime("%b %Y"), m) for m in months] or [("all", None)]
        self.window = W.SelectionRangeSlider(options=labels, index=(0, len(labels) - 1), description="Created",
                                             layout=W.Layout(width="520px"), style=style)
        self.actors = W.ToggleButtons(options=[("Everyone", "all"), ("People", "people"), ("Agents", "agents")],
                                      value="all", description="Work by", style=style)
        self.stale_days = W.IntSlider(value=self.model.stale_days, min=7, max=120, step=1,
                                      description="Stale after (days)", style=style)
        self.substantive_words = W.IntSlider(value=self.model.substantive_words, min=3, max=60,
                                             description="Substantive description (words)", style=style)
        self.aging_multiple = W.FloatSlider(value=self.model.aging_multiple, min=1.0, max=5.0, step=0.5,
                                            description="Aging at × median cycle time", style=style)
        for name in ("team", "actors", "stale_days", "substantive_words", "aging_multiple"):
            T.link((getattr(self, name), "value"), (self.model, name))
        self.window.observe(self._window_changed, names="value")
        self.figure_out, self.summary_out, self.findings_out, self.extra_out = (W.Output() for _ in range(4))
        self.model.observe(self._render, names="diagnosis")
        controls = W.VBox([W.HBox([self.team, self.actors]), self.window,
                           W.HBox([self.stale_days, self.substantive_words, self.aging_multiple],
                                  layout=W.Layout(flex_flow="row wrap"))])
        super().__init__([controls, self.figure_out, W.HBox([self.summary_out, self.findings_out]), self.extra_out])
        self._render()

    def _window_changed(self, change: dict) -> None:
        start, end = change["new"]
        full = self.window.options[0][1], self.window.options[-1][1]
        self.model.window = (None, None) if (start, end) == full else (start, end)

    def _render(self, _: dict | None = None) -> None:
        d = self.model.diagnosis
        show(self.figure_out, d.figure())
        show(self.summary_out, d.summary)
        show(self.findings_out, Markup(findings_html(d)))
        if self.extra_charts is not None:
            show(self.extra_out, *self.extra_charts(d, self.model.export, self.model.options()))


class AssessmentForm(W.VBox):
    """The framework's statements, each answered 1 to 5 or "don't know"."""

    def __init__(self, framework: str) -> None:
        self.bank = load_bank(framework)
        self.framework = framework
        self.buttons: dict[str, W.ToggleButtons] = {}
        rows = []
        for element, group in self.bank.groupby("element", sort=False):
            rows.append(W.HTML(f"<h4>{html.escape(element)}</h4>"))
            for sid, text in zip(group["id"], group["text"]):
                buttons = W.ToggleButtons(options=[("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5), ("?", None)],
                                          value=None, style={"button_width": "34px"},
                                          tooltips=["strongly disagree", "disagree", "neither", "agree",
                                                    "strongly agree", "don't know"])
                self.buttons[sid] = buttons
                rows.append(W.HBox([W.HTML(html.escape(text), layout=W.Layout(width="460px")), buttons]))
        super().__init__([W.HTML("<p>1 = strongly disagree … 5 = strongly agree, ? = don't know.</p>"), *rows])

    @property
    def answers(self) -> dict[str, int | None]:
        """Statement id -> answer (None for don't know or unanswered)."""
        return {sid: b.value for sid, b in self.buttons.items()}

    def set_answers(self, answers: dict[str, int | None]) -> None:
        """Fill the form, for example from a saved participant file."""
        for sid, value in answers.items():
            self.buttons[sid].value = value

    def scores(self) -> pd.DataFrame:
        """Perceived score per element (0-100)."""
        return perceived_scores(self.bank, self.answers)

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` whenever an answer changes."""
        for b in self.buttons.values():
            b.observe(lambda _: callback(), names="value")


class GapView(W.VBox):
    """Perceived against measured, redrawn when the answers or the diagnosis change."""

    def __init__(self, explorer: Explorer, form: AssessmentForm) -> None:
        self.explorer, self.form = explorer, form
        self.out = W.Output()
        self.table_out = W.Output()
        explorer.model.observe(lambda _: self.render(), names="diagnosis")
        form.on_change(self.render)
        super().__init__([self.out, self.table_out])
        self.render()

    def gap(self) -> pd.DataFrame:
        """The current perception-gap table."""
        return perception_gap(self.explorer.model.diagnosis, self.form.scores())

    def render(self) -> None:
        """Redraw the chart and the discussion prompts."""
        gap = self.gap()
        show(self.out, gap_figure(gap))
        show(self.table_out, gap[["element", "perceived", "measured", "gap", "prompt"]])

"""The findings browser and the next steps, both redrawn with the explorer."""
from __future__ import annotations

import html

import ipywidgets as W
import pandas as pd

from workfw.advice import next_steps
from workfw.readable import plain_headers
from workfw.widgets._common import PAGE, STYLE, Markup, frame_html, show, tasks_html
from workfw.widgets._model import ExplorerLike

__all__ = ["FindingsBrowser", "NextSteps", "finding_options", "finding_tasks"]


def finding_options(findings: pd.DataFrame) -> list[tuple[str, int]]:
    """Dropdown options for a findings table: ``("high · Who: 12 of 40 open tasks ... (12 tasks)", row)``.

    Labels are plain text (a Dropdown shows text, not HTML), cut to fit a projector screen.
    """
    out = []
    for i, row in enumerate(findings.itertuples()):
        label = f"{row.severity} · {row.element}: {row.finding} ({row.tasks} tasks)"
        out.append((label if len(label) <= 140 else label[:139] + "…", i))
    return out


def finding_tasks(tasks: pd.DataFrame, findings: pd.DataFrame, choice: int | None) -> pd.DataFrame:
    """The tasks behind finding number ``choice`` (id, title, team, status, assignee, updated)."""
    if choice is None or findings.empty:
        return tasks.iloc[0:0]
    ids = list(findings.iloc[int(choice)]["task_ids"])
    cols = [c for c in ["task_id", "title", "team", "status", "assignee", "updated"] if c in tasks.columns]
    return tasks.loc[tasks["task_id"].isin(ids), cols]


class FindingsBrowser(W.VBox):
    """Pick a finding of the explorer's diagnosis and see the tasks behind it (escaped table).

    Parameters
    ----------
    explorer : Explorer
        Supplies the findings; the list follows its filters.
    limit : int, default 40
        Most tasks listed at once.
    """

    def __init__(self, explorer: ExplorerLike, *, limit: int = 40) -> None:
        self.explorer = explorer
        self.limit = limit
        self.choice = W.Dropdown(description="Finding", style=STYLE, layout=W.Layout(width="100%"))
        self.detail = W.HTML()
        self.out = W.Output()
        self.table = pd.DataFrame()
        self.choice.observe(lambda _: self.render(), names="value")
        explorer.model.observe(lambda _: self._refresh(), names="diagnosis")
        super().__init__([self.choice, self.detail, self.out], layout=PAGE)
        self._refresh()

    def _refresh(self) -> None:
        findings = self.explorer.model.diagnosis.findings
        options = finding_options(findings)
        with self.hold_trait_notifications():
            self.choice.options = options or [("No findings in this selection", None)]
            self.choice.value = options[0][1] if options else None
        self.render()

    def render(self) -> None:
        """Show the tasks behind the chosen finding."""
        findings = self.explorer.model.diagnosis.findings
        self.table = finding_tasks(self.explorer.model.export.tasks, findings, self.choice.value)
        if self.choice.value is None:
            self.detail.value = "<p>Nothing in this selection crosses a threshold.</p>"
            show(self.out)
            return
        row = findings.iloc[int(self.choice.value)]
        self.detail.value = (f"<p><b>{html.escape(str(row['severity']))}</b> · {html.escape(str(row['element']))}"
                             f" ({html.escape(str(row['signal']))}): {html.escape(str(row['finding']))}</p>")
        if self.table.empty:
            show(self.out, Markup("<p>This finding is about the whole selection, not particular tasks.</p>"))
        else:
            show(self.out, Markup(tasks_html(self.table, list(self.table["task_id"]), limit=self.limit)))


class NextSteps(W.VBox):
    """What to try next for each weak element (:func:`workfw.advice.next_steps`), redrawn with the explorer.

    Parameters
    ----------
    explorer : Explorer
        Supplies the diagnosis.
    weak_below : float, default 60
        Initial threshold under which an element counts as weak (a slider changes it).
    """

    def __init__(self, explorer: ExplorerLike, *, weak_below: float = 60.0) -> None:
        self.explorer = explorer
        self.slider = W.FloatSlider(value=weak_below, min=10, max=100, step=5, readout_format=".0f", description="Weak below",
                                    style=STYLE, layout=W.Layout(width="380px"))
        self.out = W.Output()
        self.table = pd.DataFrame()
        self.slider.observe(lambda _: self.render(), names="value")
        explorer.model.observe(lambda _: self.render(), names="diagnosis")
        super().__init__([self.slider, self.out], layout=PAGE)
        self.render()

    def render(self) -> None:
        """Recompute the advice for the current diagnosis and threshold."""
        self.table = next_steps(self.explorer.model.diagnosis, weak_below=float(self.slider.value))
        if self.table.empty:
            show(self.out, Markup(f"<p>No element scores below {self.slider.value:.0f}: keep what works, and "
                                  "check the perceived-measured gap.</p>"))
            return
        shown = self.table.assign(score=self.table["score"].astype("Float64").round(0).astype("Int64"))
        show(self.out, Markup(frame_html(plain_headers(shown), na_rep="n/a")))

"""The C4 what-if: a WIP limit, its cycle time by Little's law and when today's backlog would be done."""
from __future__ import annotations

import html

import ipywidgets as W
import pandas as pd
import plotly.graph_objects as go

from workfw.charts import subset
from workfw.c4_flywheel import wip_what_if, wip_what_if_figure
from workfw.errors import OptionError
from workfw.readable import plain_headers
from workfw.widgets._common import PAGE, STYLE, Markup, frame_html, show
from workfw.widgets._model import ExplorerLike

__all__ = ["WipWhatIf", "what_if_text"]


def what_if_text(table: pd.DataFrame) -> str:
    """Plain-language reading of a :func:`workfw.c4_flywheel.wip_what_if` table, as escaped HTML."""
    if table.attrs.get("reason"):
        return f"<p>Cannot forecast: {html.escape(table.attrs['reason'])}.</p>"
    today, limit = table.iloc[0], table.iloc[1]
    p85 = limit.get("p85")
    when = f"{p85:%d %b %Y}" if p85 is not None and pd.notna(p85) else "not within the forecast horizon"
    lines = [f"Today <b>{int(today['wip'])}</b> tasks are in progress and about "
             f"<b>{today['throughput_per_week']:.1f}</b> finish per week, so Little's law gives an average cycle "
             f"time of <b>{today['cycle_time_days']:.0f} days</b>."]
    measured = table.attrs.get("measured_cycle_days")
    if measured is not None and pd.notna(measured) and today["cycle_time_days"] > 2 * measured:
        lines.append(f"Finished work actually took {measured:.0f} days on average: much of today's work in progress "
                     "is not moving (look at aging WIP).")
    asked = int(table.attrs.get("wip_limit", limit["wip"]))
    if not table.attrs.get("binding", True):
        lines.append(f"A limit of <b>{asked}</b> is at or above today's {int(today['wip'])} tasks in progress, so it "
                     "changes nothing: a limit only helps below what the team carries now.")
    lines.append(f"With a limit of <b>{asked}</b>: about <b>{limit['cycle_time_days']:.1f} days</b> per "
                 f"task at {limit['throughput_per_week']:.1f} per week; the {int(limit['backlog'])} open tasks would "
                 f"be done by <b>{when}</b> in 85% of simulated runs.")
    if limit["throughput_per_week"] < today["throughput_per_week"]:
        lines.append("This limit is below what the current pace needs: throughput would fall, so the backlog takes "
                     "longer.")
    lines.append("Little's law: on average, time in progress = work in progress ÷ finishing rate, so fewer things "
                 "at once at the same pace means each finishes sooner. It holds for averages over a stable period; "
                 "treat this as a conversation starter.")
    lines.append("The dates come from a Monte Carlo forecast: the team's recent weeks are replayed in random order "
                 "thousands of times, and a date is given once that share of the replays has finished the work.")
    return "<p>" + "</p><p>".join(lines) + "</p>"


class WipWhatIf(W.VBox):
    """C4 Completion what-if: move a WIP limit and see cycle time and the backlog forecast against today.

    Parameters
    ----------
    explorer : Explorer
        A ``c4_flywheel`` explorer; its filters (team, window, people or agents) apply.
    runs : int, default 2000
        Monte Carlo runs per redraw (seeded).
    """

    def __init__(self, explorer: ExplorerLike, *, runs: int = 2000) -> None:
        if explorer.model.framework != "c4_flywheel":
            raise OptionError(f"WipWhatIf: the explorer shows {explorer.model.framework!r}; expected a "
                              "'c4_flywheel' explorer. Next step: pass ww.Explorer(export, 'c4_flywheel').")
        self.explorer = explorer
        self.runs = runs
        self.limit = W.IntSlider(value=1, min=1, max=10, description="WIP limit", style=STYLE,
                                 layout=W.Layout(width="480px"), continuous_update=False)
        self.text = W.HTML()
        self.out = W.Output()
        self.table_out = W.Output()
        self.table = pd.DataFrame()
        self.figure: go.Figure | None = None
        self._quiet = False
        self.limit.observe(lambda _: None if self._quiet else self.render(), names="value")
        explorer.model.observe(lambda _: self._rescale(), names="diagnosis")
        super().__init__([self.limit, self.text, self.out, self.table_out], layout=PAGE)
        self._rescale()

    def _rescale(self) -> None:
        # Today's WIP depends on the explorer's filters: size the slider to it, keep the user's value if it fits.
        selection = subset(self.explorer.model.export, **self.explorer.model.options()).tasks
        today = int((selection["status_category"] == "in_progress").sum())
        top = max(10, 2 * today)
        # A new selection starts again from half of its own WIP: the last value belonged to other work
        # (a limit of 161 against a team's 89 reads as a recommendation).
        value = max(1, today // 2)
        self._quiet = True
        try:
            self.limit.max = top
            self.limit.value = value
        finally:
            self._quiet = False
        self.render()

    def render(self) -> None:
        """Recompute the what-if for the current limit and filters."""
        self.table = wip_what_if(self.explorer.model.export, wip_limit=int(self.limit.value), runs=self.runs,
                                 **self.explorer.model.options())
        self.figure = wip_what_if_figure(self.table)
        self.text.value = what_if_text(self.table)
        show(self.out, self.figure)
        shown = self.table.copy()
        for col in ("throughput_per_week", "cycle_time_days"):
            shown[col] = shown[col].round(1)
        for col in [c for c in shown.columns if c.startswith("p")]:
            shown[col] = shown[col].dt.strftime("%Y-%m-%d")
        show(self.table_out, Markup(frame_html(plain_headers(shown), na_rep="n/a")))

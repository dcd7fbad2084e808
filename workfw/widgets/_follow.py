"""Views below the explorer that follow its filters, so every number on a page answers the same question.

The signal table, the C4 loop chart and the Stack's root-cause sentence each
redraw when the explorer's diagnosis changes (team, project, window, people or
agents, thresholds); before, they were computed once over the whole export and
disagreed with the diagram above them as soon as a team was chosen.
"""
from __future__ import annotations

import html
from collections import OrderedDict
from typing import Callable

import ipywidgets as W
import pandas as pd
import plotly.graph_objects as go

from workfw.errors import OptionError
from workfw.readable import loop_reading, signal_view
from workfw.widgets._common import PAGE, Markup, frame_html, show
from workfw.widgets._model import ExplorerLike

__all__ = ["SignalTable", "LoopTrend", "RootCause"]


def _follow(explorer: ExplorerLike, render: Callable[[], None]) -> None:
    explorer.model.observe(lambda _: render(), names="diagnosis")


class SignalTable(W.VBox):
    """Every signal of the explorer's diagnosis, readable: units, whole numbers, the rule and the reason.

    Parameters
    ----------
    explorer : Explorer
        Supplies the diagnosis; the table follows its filters.
    """

    def __init__(self, explorer: ExplorerLike) -> None:
        self.explorer = explorer
        self.heading = W.HTML()
        self.out = W.Output()
        self.table = pd.DataFrame()
        _follow(explorer, self.render)
        super().__init__([self.heading, self.out], layout=PAGE)
        self.render()

    def render(self) -> None:
        """Redraw the table for the explorer's current selection."""
        model = self.explorer.model
        self.table = signal_view(model.diagnosis)
        self.heading.value = f"<p>For <b>{html.escape(model.selection_text())}</b>.</p>"
        show(self.out, Markup(frame_html(self.table)))


class LoopTrend(W.VBox):
    """The C4 loop month by month for the explorer's selection, with a plain reading of it.

    Parameters
    ----------
    explorer : Explorer
        A ``c4_flywheel`` explorer; the chart follows its filters.
    freq : str, default "M"
        Months (``"M"``) or quarters (``"Q"``).
    """

    def __init__(self, explorer: ExplorerLike, *, freq: str = "M") -> None:
        if explorer.model.framework != "c4_flywheel":
            raise OptionError(f"LoopTrend: the explorer shows {explorer.model.framework!r}; expected a "
                              "'c4_flywheel' explorer. Next step: pass ww.Explorer(export, 'c4_flywheel').")
        self.explorer = explorer
        self.freq = freq
        self.reading = W.HTML()
        self.out = W.Output()
        self.trend = pd.DataFrame()
        self.figure: go.Figure | None = None
        # Coming back to a team shown before redraws at once: the trend runs every loop signal per month.
        self._trends: OrderedDict[str, pd.DataFrame] = OrderedDict()
        _follow(explorer, self.render)
        super().__init__([self.out, self.reading], layout=PAGE)
        self.render()

    def render(self) -> None:
        """Recompute the trend for the explorer's current selection and redraw it."""
        from workfw.c4_flywheel import loop_figure, loop_trend

        model = self.explorer.model
        key = repr(sorted(model.options().items()))
        if key not in self._trends:
            self._trends[key] = loop_trend(model.export, freq=self.freq, **model.options())
        self._trends.move_to_end(key)
        while len(self._trends) > 8:
            self._trends.popitem(last=False)
        self.trend = self._trends[key]
        self.figure = loop_figure(self.trend)
        self.reading.value = f"<p>{html.escape(loop_reading(self.trend))}</p>"
        show(self.out, self.figure)


class RootCause(W.HTML):
    """The Coordination Stack's root-cause sentence for the explorer's selection.

    Parameters
    ----------
    explorer : Explorer
        A ``coordination_stack`` explorer; the sentence follows its filters.
    """

    def __init__(self, explorer: ExplorerLike) -> None:
        if explorer.model.framework != "coordination_stack":
            raise OptionError(f"RootCause: the explorer shows {explorer.model.framework!r}; expected a "
                              "'coordination_stack' explorer. Next step: pass ww.Explorer(export, "
                              "'coordination_stack').")
        super().__init__()
        self.explorer = explorer
        _follow(explorer, self.render)
        self.render()

    def render(self) -> None:
        """Rewrite the sentence for the explorer's current selection."""
        from workfw.coordination_stack import root_cause_text

        model = self.explorer.model
        text = root_cause_text(model.diagnosis) or "No weak layer has a weaker one beneath it."
        self.value = f"<p><b>{html.escape(text)}</b> <small>({html.escape(model.selection_text())})</small></p>"

"""How trackers compare: what each sample export lets each framework element see."""
from __future__ import annotations

from typing import Iterable

import ipywidgets as W
import pandas as pd
import plotly.graph_objects as go

from workfw.charts import coverage_figure
from workfw.coverage import FRAMEWORK_MODULES, compare_trackers
from workfw.readable import plain_headers
from workfw.widgets._common import PAGE, STYLE, Markup, frame_html, show

__all__ = ["TrackerComparison", "tracker_columns"]

ALL_FRAMEWORKS = "All frameworks"


def tracker_columns(matrix: pd.DataFrame, framework: str) -> pd.DataFrame:
    """The columns of a :func:`workfw.coverage.compare_trackers` matrix that belong to one framework."""
    if framework == ALL_FRAMEWORKS:
        return matrix
    prefix = framework.replace("Work ", "", 1) + ": "
    return matrix[[c for c in matrix.columns if c.startswith(prefix)]]


class TrackerComparison(W.VBox):
    """Chart and table of what each tracker's sample export can show, per framework element.

    The samples hold the same organisation exported from each tracker, so the
    differences come from the trackers' exports alone.

    Parameters
    ----------
    samples : iterable of str, optional
        Sample names (default: every sample; the first comparison takes a
        while, later ones in the same session are instant).
    """

    def __init__(self, samples: Iterable[str] | None = None) -> None:
        self.framework = W.Dropdown(options=[ALL_FRAMEWORKS, *FRAMEWORK_MODULES], value=ALL_FRAMEWORKS,
                                    description="Framework", style=STYLE, layout=W.Layout(width="360px"))
        self.bar = W.FloatProgress(value=0, min=0, max=1, layout=W.Layout(width="300px"))
        self.stage = W.HTML()
        self.out, self.table_out = W.Output(), W.Output()
        self.figure: go.Figure | None = None
        self.table = pd.DataFrame()
        super().__init__([self.framework, W.HBox([self.bar, self.stage]), self.out, self.table_out], layout=PAGE)
        self.matrix = compare_trackers(samples, progress=self._progress)
        self.framework.observe(lambda _: self.render(), names="value")
        self.render()

    def _progress(self, stage: str, fraction: float) -> None:
        self.bar.value = fraction
        self.stage.value = "<small>compared</small>" if stage == "done" else f"<small>reading {stage}…</small>"

    def render(self) -> None:
        """Redraw for the chosen framework."""
        self.table = tracker_columns(self.matrix, self.framework.value)
        self.figure = coverage_figure(self.table)
        show(self.out, self.figure)
        shown = (self.table * 100).round(0).astype("Int64").astype("string") + "%"
        show(self.table_out, Markup("<p>Share of each element's signals the export can compute:</p>"
                                    + frame_html(plain_headers(shown.rename_axis("sample").reset_index()))))

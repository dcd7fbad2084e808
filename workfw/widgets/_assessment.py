"""The self-assessment views: the framework's diagram, the form, the perceived diagram and the gap to the data."""
from __future__ import annotations

import html
from typing import Callable

import ipywidgets as W
import pandas as pd
import plotly.graph_objects as go

from workfw.assessment import load_bank, perceived_scores, perception_gap
from workfw.charts import gap_figure
from workfw.readable import plain_headers
from workfw.widgets._common import FRAMEWORK_NAMES, PAGE, Markup, frame_html, framework_module, show
from workfw.widgets._model import ExplorerLike

__all__ = ["AssessmentForm", "FrameworkDiagram", "PerceivedDiagram", "GapView"]

# "Don't know" needs a value of its own: a ToggleButtons value of None means no button pressed (skipped).
_DONT_KNOW = "?"
_ANSWERS = [("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5), ("?", _DONT_KNOW)]
_TIPS = ["strongly disagree", "disagree", "neither", "agree", "strongly agree", "don't know"]


class FrameworkDiagram(W.VBox):
    """The framework's own diagram, unscored: each element named in its colour, for the explanation.

    Parameters
    ----------
    framework : str
        Key of :data:`workfw.widgets.FRAMEWORKS`.
    """

    def __init__(self, framework: str) -> None:
        self.framework = framework
        self.module = framework_module(framework)
        self.figure: go.Figure = self.module.scored_figure(None)
        self.out = W.Output()
        show(self.out, self.figure)
        names = ", ".join(html.escape(e) for e in self.module.ELEMENTS)
        caption = W.HTML(f"<p><b>{html.escape(FRAMEWORK_NAMES[framework])}</b>: {names}. Hover an element for "
                         "what it stands for.</p>")
        super().__init__([caption, self.out], layout=PAGE)


class AssessmentForm(W.VBox):
    """The framework's statements, each answered 1 to 5 or "don't know", or left unanswered (skipped).

    Parameters
    ----------
    framework : str
        Key of :data:`workfw.widgets.FRAMEWORKS` (or a path to a statement bank).
    """

    def __init__(self, framework: str) -> None:
        self.bank = load_bank(framework)
        self.framework = framework
        self.buttons: dict[str, W.ToggleButtons] = {}
        rows: list[W.Widget] = []
        for element, group in self.bank.groupby("element", sort=False):
            rows.append(W.HTML(f"<h4 style='margin-bottom:2px'>{html.escape(str(element))}</h4>"))
            for sid, text in zip(group["id"], group["text"]):
                buttons = W.ToggleButtons(options=_ANSWERS, value=None, tooltips=_TIPS,
                                          style={"button_width": "38px"}, layout=W.Layout(flex="0 0 auto"))
                self.buttons[sid] = buttons
                label = W.HTML(f"<span style='font-size:15px'>{html.escape(str(text))}</span>",
                               layout=W.Layout(flex="1 1 420px", min_width="280px"))
                rows.append(W.HBox([label, buttons], layout=W.Layout(flex_flow="row wrap", align_items="center")))
        self.progress = W.HTML()
        super().__init__([W.HTML("<p>1 = strongly disagree … 5 = strongly agree, ? = don't know.</p>"), *rows,
                          self.progress], layout=PAGE)
        self.on_change(self._count)
        self._count()

    @property
    def answers(self) -> dict[str, int | None]:
        """Statement id -> answer 1-5, or None for "don't know"; skipped statements are left out."""
        return {sid: (None if b.value == _DONT_KNOW else b.value) for sid, b in self.buttons.items()
                if b.value is not None}

    def set_answers(self, answers: dict[str, int | None]) -> None:
        """Fill the form, for example from a saved participant file (None is "don't know")."""
        for sid, value in answers.items():
            self.buttons[sid].value = _DONT_KNOW if value is None else value

    def clear(self) -> None:
        """Unpress every answer, for the next participant."""
        for b in self.buttons.values():
            b.value = None

    def scores(self) -> pd.DataFrame:
        """Perceived score per element (0-100; NA where nothing was answered)."""
        return perceived_scores(self.bank, self.answers)

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` whenever an answer changes."""
        for b in self.buttons.values():
            b.observe(lambda _: callback(), names="value")

    def _count(self) -> None:
        answers = self.answers
        dont_know = sum(v is None for v in answers.values())
        note = f", {dont_know} of them \"don't know\"" if dont_know else ""
        self.progress.value = (f"<p><small>{len(answers)} of {len(self.buttons)} statements answered"
                               f"{html.escape(note)}.</small></p>")


class PerceivedDiagram(W.VBox):
    """The framework's diagram coloured by the form's perceived scores, redrawn on each answer.

    Elements nobody answered are grey and labelled "not answered", never red.

    Parameters
    ----------
    form : AssessmentForm
        The form whose answers colour the diagram.
    """

    def __init__(self, form: AssessmentForm) -> None:
        self.form = form
        self.module = framework_module(form.framework)
        self.out = W.Output()
        self.figure: go.Figure | None = None
        form.on_change(self.render)
        super().__init__([self.out], layout=PAGE)
        self.render()

    def render(self) -> None:
        """Redraw from the form's current answers."""
        scores = self.form.scores()["perceived"]
        self.figure = self.module.scored_figure(
            scores, na_label="not answered",
            title=f"{FRAMEWORK_NAMES.get(self.form.framework, '')}: how we see it (self-assessment)")
        show(self.out, self.figure)


class GapView(W.VBox):
    """Perceived against measured, redrawn when the answers or the diagnosis change.

    Parameters
    ----------
    explorer : Explorer
        Supplies the measured diagnosis (with its filters).
    form : AssessmentForm
        Supplies the perceived scores.
    """

    def __init__(self, explorer: ExplorerLike, form: AssessmentForm) -> None:
        self.explorer, self.form = explorer, form
        self.out = W.Output()
        self.table_out = W.Output()
        self.figure: go.Figure | None = None
        explorer.model.observe(lambda _: self.render(), names="diagnosis")
        form.on_change(self.render)
        super().__init__([self.out, self.table_out], layout=PAGE)
        self.render()

    def gap(self) -> pd.DataFrame:
        """The current perception-gap table."""
        return perception_gap(self.explorer.model.diagnosis, self.form.scores())

    def render(self) -> None:
        """Redraw the chart and the discussion prompts."""
        gap = self.gap()
        self.figure = gap_figure(gap)
        show(self.out, self.figure)
        shown = gap[["element", "perceived", "measured", "gap", "prompt"]].copy()
        for col in ("perceived", "measured", "gap"):
            shown[col] = shown[col].astype("Float64").round(0).astype("Int64")
        show(self.table_out, Markup(frame_html(plain_headers(shown), na_rep="n/a")))



"""Shared pieces of the framework diagrams: reading a score mapping, the unscored look, and a projector layout."""
from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from workfw.errors import OptionError
from workfw.style import ELEMENT_COLOURS, FONT, escape_text, house_figure, score_colour, text_colour

if TYPE_CHECKING:
    from plotly.basedatatypes import BaseTraceType

__all__ = ["scores_of", "fill", "ink", "score_label", "heading", "build", "wrap", "WIDTH", "LABEL", "NUMBER",
           "TITLE_LIMIT", "SUBTITLE_LIMIT"]

#: Diagram width in pixels: the Explorer shows the diagram in a 640px box beside the summary table, and
#: the same width sits comfortably in a ~1100px notebook output area, so one drawing fits both.
WIDTH = 640
#: Label and number sizes: a projector at the back of a room needs at least ~13px.
LABEL, NUMBER = 16, 24
#: A 20px title of this many characters fits the width above; the subtitle is drawn at ~14px.
TITLE_LIMIT, SUBTITLE_LIMIT = 56, 88


def scores_of(scores: Any, elements: Sequence[str], *, where: str) -> dict[str, float | None] | None:
    """Read ``scores`` as element -> 0-100 score (None where missing); None means "draw unscored".

    Accepts a mapping, a Series indexed by element, or a DataFrame indexed by
    element with a ``score``, ``perceived`` or ``measured`` column (the
    summary of a diagnosis, :func:`workfw.assessment.perceived_scores`).
    """
    if scores is None:
        return None
    if isinstance(scores, pd.DataFrame):
        column = next((c for c in ("score", "perceived", "measured") if c in scores.columns), None)
        if column is None:
            raise OptionError(f"{where}: the scores table has columns {list(scores.columns)}; expected a 'score' or "
                              "'perceived' column indexed by element. Next step: pass diagnosis.summary or "
                              "form.scores().")
        scores = scores[column]
    items = dict(scores.items()) if isinstance(scores, (pd.Series, Mapping)) else None
    if items is None:
        raise OptionError(f"{where}: scores={type(scores).__name__}; expected a mapping or Series of element -> "
                          "score. Next step: pass for example {'Clarity': 70}.")
    unknown = sorted(str(k) for k in set(items) - set(elements))
    if unknown:
        raise OptionError(f"{where}: scores name unknown elements {unknown}; expected some of {list(elements)}. "
                          "Next step: use the framework's ELEMENTS.")
    out: dict[str, float | None] = {}
    for element in elements:
        value = items.get(element)
        out[element] = None if value is None or pd.isna(value) else float(value)
    return out


def fill(element: str, score: float | None, *, plain: bool) -> str:
    """Fill colour: the element's own colour on an unscored diagram, else the score colour (grey for NA)."""
    return ELEMENT_COLOURS.get(element, "#888") if plain else score_colour(score)


def ink(element: str, score: float | None, *, plain: bool) -> str:
    """Text colour that reads on :func:`fill` (white on dark fills, near-black on light ones)."""
    return text_colour(fill(element, score, plain=plain))


def score_label(score: float | None, na_label: str) -> str:
    """``"72"`` or the NA label (``"not measurable"``, ``"not answered"``)."""
    return na_label if score is None or pd.isna(score) else f"{float(score):.0f}"


def wrap(text: str, width: int) -> str:
    """Escape ``text`` and break it into ``<br>``-separated lines of at most ``width`` characters."""
    return "<br>".join(escape_text(line, limit=width) for line in textwrap.wrap(str(text), width) or [""])


def heading(title: str, subtitle: str | None = None) -> str:
    """A short escaped title with an optional explanation line under it (``<br><sup>…</sup>``).

    Both parts are cut to fit :data:`WIDTH`, so a long title given by a caller
    ends in "…" instead of running past the right edge.
    """
    text = escape_text(title, limit=TITLE_LIMIT)
    return text + (f"<br><sup>{escape_text(subtitle, limit=SUBTITLE_LIMIT)}</sup>" if subtitle else "")


def build(traces: Sequence[BaseTraceType], *, title: str, height: int, margin: dict[str, int],
          **layout: Any) -> go.Figure:
    """Build a diagram in one plotly pass: fixed width, left-aligned two-line title, no legend, house template.

    Parameters
    ----------
    traces : sequence of plotly trace objects
        The drawing, built with the trace constructors (``go.Scatter(...)``).
    title : str
        The finished heading (see :func:`heading`).
    height : int
        Figure height in pixels.
    margin : dict
        Margins that differ from ``l=10, r=10, t=90, b=10``.
    **layout
        Further layout settings (axes, annotations, shapes).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    # Every setting goes to one Layout constructor: update_layout on a built figure costs ~12 ms a diagram,
    # and go.Figure() would first copy plotly's default template only for the house one to replace it.
    return house_figure(traces, go.Layout(
        font=FONT, width=WIDTH, height=height, showlegend=False,
        title=dict(text=title, x=0.02, xanchor="left", font=dict(size=20)),
        margin=dict(dict(l=10, r=10, t=90, b=10), **margin), **layout,
    ))

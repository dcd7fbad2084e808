"""Shared pieces of the framework diagrams: reading a score mapping, and the unscored look."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import pandas as pd

from .errors import OptionError
from .style import ELEMENT_COLOURS, score_colour

__all__ = ["scores_of", "fill", "score_label"]


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


def score_label(score: float | None, na_label: str) -> str:
    """``"72"`` or the NA label (``"not measurable"``, ``"not answered"``)."""
    return na_label if score is None or pd.isna(score) else f"{float(score):.0f}"

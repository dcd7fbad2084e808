"""Shared chart styling: one colour per framework element, one score scale, escaped hover text."""
from __future__ import annotations

import html
from typing import Iterable

import pandas as pd

__all__ = ["ELEMENT_COLOURS", "NA_COLOUR", "score_colour", "escape_text", "hover_lines", "FONT", "TEMPLATE"]

#: Fixed colours per element across every chart of the workbook.
ELEMENT_COLOURS: dict[str, str] = {
    # C4 Flywheel
    "Clarity": "#4C78A8", "Coordination": "#F58518", "Completion": "#54A24B", "Collaboration": "#B279A2",
    # Coordination Stack
    "Why": "#2E4057", "What": "#4C78A8", "Who": "#F58518", "When": "#E45756", "How": "#72B7B2",
    # Work Value Pyramid
    "Activities": "#9D9DA1", "Progress": "#F2CF5B", "Outcomes": "#54A24B",
    # Work Visibility
    "Private": "#6B6B6B", "Personal System": "#9D755D", "Team Visible": "#4C78A8",
    "Cross-functional Visible": "#72B7B2", "Organizational Visible": "#54A24B",
}

#: Colour for "not measurable": a neutral grey, never a red.
NA_COLOUR = "#D9D9D9"
FONT = dict(family="Liberation Sans, DejaVu Sans, Arial, sans-serif", size=15)
TEMPLATE = "plotly_white"

_SCALE = ((0, (215, 48, 39)), (50, (254, 224, 139)), (100, (26, 152, 80)))


def score_colour(score: float | None) -> str:
    """Map a 0-100 score to a red-amber-green colour; NA gets :data:`NA_COLOUR`."""
    if score is None or pd.isna(score):
        return NA_COLOUR
    s = max(0.0, min(100.0, float(score)))
    (x0, c0), (x1, c1) = (_SCALE[0], _SCALE[1]) if s <= 50 else (_SCALE[1], _SCALE[2])
    t = (s - x0) / (x1 - x0)
    r, g, b = (round(a + (b_ - a) * t) for a, b_ in zip(c0, c1))
    return f"rgb({r},{g},{b})"


def escape_text(value: object, *, limit: int = 80) -> str:
    """Escape untrusted text (titles, names) for plotly hover labels and HTML, cut to ``limit`` characters."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text, quote=True)


def hover_lines(ids: Iterable[object], titles: Iterable[object], *, limit: int = 8) -> str:
    """Build escaped hover text listing up to ``limit`` tasks as ``ID: title`` lines."""
    pairs = list(zip(ids, titles))
    lines = [f"{escape_text(i, limit=30)}: {escape_text(t, limit=60)}" for i, t in pairs[:limit]]
    if len(pairs) > limit:
        lines.append(f"… and {len(pairs) - limit} more")
    return "<br>".join(lines)

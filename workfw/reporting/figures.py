"""Figures in the offline report: sanitised, numbered, and without a copy of plotly.js each.

Every string of a figure passes through :func:`sanitise_text` before it is
embedded, so a task title can never become markup in a chart, whatever made
the chart.  The result is :class:`markupsafe.Markup`: it is our own output, and
the page template must not escape it again.
"""
from __future__ import annotations

import re
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup

__all__ = ["PLOTLY_CONFIG", "sanitise_text", "sanitise_figure", "figure_html", "FigureNumbers"]

#: Passed to every embedded figure: no plotly logo link, charts resize with the page.
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}

# Plotly renders a small set of tags in its text (hover, labels, titles); anything
# else that looks like a tag is turned into text.  Attributes are only allowed on
# <span style=...>, which plotly uses for colours.
_ALLOWED_TAG = re.compile(r"<(?:/?(?:br|b|i|em|sup|sub|extra|s|u)\s*/?|/span|span(?:\s+style=\"[^\"<>]*\")?)>",
                          re.IGNORECASE)


def sanitise_text(text: str) -> str:
    """Escape every ``<`` in ``text`` that does not open a tag plotly is meant to render.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    if "<" not in text:
        return text
    out, pos = [], 0
    for match in _ALLOWED_TAG.finditer(text):
        out.append(text[pos:match.start()].replace("<", "&lt;"))
        out.append(match.group(0))
        pos = match.end()
    out.append(text[pos:].replace("<", "&lt;"))
    return "".join(out)


def sanitise_figure(value: Any) -> Any:
    """A copy of a plotly JSON structure with :func:`sanitise_text` applied to every string value.

    Parameters
    ----------
    value : Any
        ``fig.to_plotly_json()`` or any part of it.

    Returns
    -------
    Any
    """
    if isinstance(value, str):
        return sanitise_text(value)
    if isinstance(value, dict):
        return {k: sanitise_figure(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [sanitise_figure(v) for v in value]
    if hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in ("O", "U", "T"):
        return [sanitise_figure(v) for v in value.tolist()]
    return value


def figure_html(fig: go.Figure, *, div_id: str) -> Markup:
    """``fig`` as a div and a script, without plotly.js (the page carries it once).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    div_id : str
        The div's id; fixed ids make the same input give the same file.

    Returns
    -------
    markupsafe.Markup
    """
    spec = sanitise_figure(fig.to_plotly_json())
    height = fig.layout.height or 460
    # Markup: plotly writes the figure as JSON inside a script, escaping "<" itself; the strings were sanitised.
    return Markup(pio.to_html(spec, full_html=False, include_plotlyjs=False, include_mathjax=False, validate=False,
                              div_id=div_id, config=PLOTLY_CONFIG, default_width="100%",
                              default_height=f"{height}px"))


class FigureNumbers:
    """Numbers figure divs in page order so the same input gives the same file.

    Call it with each figure in the order the page shows them.
    """

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, fig: go.Figure) -> Markup:
        """The next figure's ``<div class="figure">`` block."""
        self.count += 1
        return Markup('<div class="figure">{}</div>').format(figure_html(fig, div_id=f"figure-{self.count}"))

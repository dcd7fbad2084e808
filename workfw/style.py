"""Shared chart styling: one colour per framework element, one score scale, escaped hover text."""
from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Iterable

import pandas as pd

if TYPE_CHECKING:
    from typing import Sequence

    import plotly.graph_objects as go
    from plotly.basedatatypes import BaseTraceType

__all__ = ["ELEMENT_COLOURS", "NA_COLOUR", "KIND_COLOURS", "CATEGORY_COLOURS", "PALETTE", "series_colours",
           "score_colour", "text_colour", "escape_text", "hover_lines", "FONT", "TEMPLATE",
           "use_template", "house_template", "house_figure"]

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
#: People and agents (``workfw.actors.actor_kind``) keep these colours in every chart.
KIND_COLOURS: dict[str, str] = {"person": "#4C78A8", "agent": "#F58518", "(none)": NA_COLOUR}
#: Status categories keep these colours in every chart.
CATEGORY_COLOURS: dict[str, str] = {"todo": "#BAB0AC", "in_progress": "#4C78A8", "done": "#54A24B",
                                    "cancelled": NA_COLOUR}
#: Colours for other groups (teams, projects), assigned in sorted order of the names.
PALETTE: tuple[str, ...] = ("#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2", "#FF9DA6",
                            "#9D755D", "#EECA3B", "#79706E")
FONT = dict(family="Liberation Sans, DejaVu Sans, Arial, sans-serif", size=15)
TEMPLATE = "plotly_white"

_SCALE = ((0, (215, 48, 39)), (50, (254, 224, 139)), (100, (26, 152, 80)))

# The house template, validated once: plotly deep-copies and re-validates a named template on every
# figure (~60 ms each, a third of a filter change's redraw at 100k tasks).
_TEMPLATES: dict[Any, Any] = {}


def house_template() -> "go.layout.Template":
    """Return the house template (:data:`TEMPLATE`) as a plotly Template, validated once per session.

    Returns
    -------
    plotly.graph_objects.layout.Template
        The shared object: read it or hand it to plotly, which copies it; do not change it.
    """
    import plotly.graph_objects as go
    import plotly.io as pio

    key = TEMPLATE if isinstance(TEMPLATE, str) else id(TEMPLATE)
    if key not in _TEMPLATES:
        _TEMPLATES[key] = go.layout.Template(pio.templates[TEMPLATE] if isinstance(TEMPLATE, str) else TEMPLATE)
    return _TEMPLATES[key]


def use_template(fig: "go.Figure") -> "go.Figure":
    """Give ``fig`` the house template (:data:`TEMPLATE`), checked once per session, and return it.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure to style; changed in place (a figure the caller is building).

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig``.
    """
    # Set as plotly sets its own default template: unvalidated (it was checked when built). `_validate` is
    # plotly's private switch; were a future plotly to drop it, this still works, only slower.
    layout = fig.layout
    layout._validate = False
    try:
        layout.template = house_template()
    finally:
        layout._validate = getattr(fig, "_validate", True)
    return fig


def house_figure(data: "Sequence[BaseTraceType]", layout: "go.Layout") -> "go.Figure":
    """Build a figure from checked traces and layout plus the house template, in one plotly pass.

    ``go.Figure(data, layout)`` followed by :func:`use_template` would copy
    plotly's default template only to replace it, and re-checks every trace
    and setting that was checked when the objects were built; here the
    figure takes them as they are and copies the house template once.

    Parameters
    ----------
    data : sequence of plotly trace objects
        Traces built with their constructors (``go.Scatter(...)``), so already checked; left unchanged.
    layout : plotly.graph_objects.Layout
        Layout built with its constructor; its own ``template``, if any, is replaced by the house template.

    Returns
    -------
    plotly.graph_objects.Figure
        A new figure that checks later changes as any other does.
    """
    import plotly.graph_objects as go

    # `_props` is what a trace or layout holds once plotly checked it; `_validate=False` makes the figure take
    # it as is, as plotly itself sets its default template. Checking is switched back on before returning.
    fig = go.Figure(data=list(data), layout=dict(layout._props, template=house_template()._props),
                    _validate=False)
    fig._validate = True
    fig.layout._validate = True
    for trace in fig.data:
        trace._validate = True
    return fig


def score_colour(score: float | None) -> str:
    """Map a 0-100 score to a red-amber-green colour; NA gets :data:`NA_COLOUR`."""
    if score is None or pd.isna(score):
        return NA_COLOUR
    s = max(0.0, min(100.0, float(score)))
    (x0, c0), (x1, c1) = (_SCALE[0], _SCALE[1]) if s <= 50 else (_SCALE[1], _SCALE[2])
    t = (s - x0) / (x1 - x0)
    r, g, b = (round(a + (b_ - a) * t) for a, b_ in zip(c0, c1))
    return f"rgb({r},{g},{b})"


def text_colour(fill: str) -> str:
    """White or near-black, whichever reads better on ``fill`` (``"#RRGGBB"`` or ``"rgb(r,g,b)"``)."""
    if fill.startswith("#") and len(fill) == 7:
        rgb = [int(fill[i:i + 2], 16) for i in (1, 3, 5)]
    elif fill.startswith("rgb("):
        rgb = [int(float(v)) for v in fill[4:-1].split(",")[:3]]
    else:
        return "#111"
    # Relative luminance (WCAG): white text only on fills dark enough to keep it readable.
    lin = [(c / 255) / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "white" if luminance < 0.18 else "#111"


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


def series_colours(keys: Iterable[object]) -> dict[str, str]:
    """Give each group name (a team, a project) a colour, stable for the same set of names.

    Names are coloured in sorted order, so a team keeps its colour across the
    charts of one export; ``"(none)"`` is grey.
    """
    names = sorted({str(k) for k in keys} - {"(none)"})
    out = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(names)}
    out["(none)"] = NA_COLOUR
    return out

"""The charts of :mod:`workfw.change`: scores over time (:func:`trend_figure`) and before/after
(:func:`difference_figure`)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from workfw.change._common import ChangeError
from workfw.diagram import heading
from workfw.frameworks import FRAMEWORKS
from workfw.style import ELEMENT_COLOURS, FONT, NA_COLOUR, escape_text, use_template

__all__ = ["trend_figure", "difference_figure", "STATUS_COLOURS"]

#: Marker colour per :data:`workfw.change.bootstrap.STATUSES` value.
STATUS_COLOURS: dict[str, str] = {"changed": "#4C78A8", "within noise": "#9D9DA1", "not measurable": NA_COLOUR}


def _one_framework(frame: pd.DataFrame, framework: str | None, caller: str) -> str:
    present = list(dict.fromkeys(frame["framework"]))
    if framework is None and len(present) == 1:
        return present[0]
    if framework is None or framework not in present:
        raise ChangeError(f"{caller}: framework={framework!r}; expected one of the frameworks in the table "
                          f"{present}. Next step: pass framework='{present[0] if present else 'c4_flywheel'}'.")
    return framework


def trend_figure(scores: pd.DataFrame, *, framework: str | None = None, title: str | None = None) -> go.Figure:
    """One line per element of a :func:`workfw.change.scores_over_time` table, with gaps where not measured.

    Parameters
    ----------
    scores : pandas.DataFrame
        From :func:`workfw.change.scores_over_time`.
    framework : str, optional
        The framework key to draw; may be left out when the table holds one framework.
    title : str, optional
        Chart title; the subtitle states the rule behind each point.

    Returns
    -------
    plotly.graph_objects.Figure
        Periods on x, scores 0-100 on y; a period without a score is a gap (``connectgaps=False``), never
        a 0.  Hover gives the score and the tasks behind the point.
    """
    rule = scores.attrs.get("rule", "")
    if scores.empty:
        fig = go.Figure()
        fig.add_annotation(text=escape_text(scores.attrs.get("reason", "no periods to draw"), limit=200),
                           showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font=dict(color="#777"))
        use_template(fig).update_layout(font=FONT, title=heading(title or "Scores over time", "not measurable"))
        return fig
    key = _one_framework(scores, framework, "trend_figure")
    mine = scores[scores["framework"] == key]
    fig = go.Figure()
    for element, part in mine.groupby("element", sort=False):
        reason = part["reason"].map(lambda r: "" if r is None or pd.isna(r) else f"<br>{escape_text(r, limit=90)}")
        fig.add_scatter(x=part["period"], y=part["score"].astype(float), mode="lines+markers",
                        name=escape_text(element), connectgaps=False,
                        line=dict(color=ELEMENT_COLOURS.get(str(element), "#888"), width=3),
                        customdata=list(zip(part["tasks"].astype(int).tolist(), reason.tolist())),
                        hovertemplate=f"{escape_text(element)}: %{{y:.0f}}<br>%{{x|%Y-%m}}, "
                                      "%{customdata[0]} tasks%{customdata[1]}<extra></extra>")
    counts = mine.drop_duplicates("period")
    fig.add_bar(x=counts["period"], y=counts["tasks"], name="tasks", yaxis="y2", marker_color=NA_COLOUR,
                opacity=0.35, hovertemplate="%{x|%Y-%m}: %{y} tasks<extra></extra>")
    name = FRAMEWORKS.get(key, key)
    use_template(fig).update_layout(
        font=FONT, title=heading(title or f"{name}: scores over time", rule),
        yaxis=dict(range=[0, 105], title="score (0-100)"),
        yaxis2=dict(overlaying="y", side="right", title="tasks", showgrid=False, rangemode="tozero"),
        legend=dict(orientation="h", y=-0.2), margin=dict(t=90))
    if mine["score"].isna().all():
        fig.add_annotation(text="not measurable in any period", showarrow=False, xref="paper", yref="paper",
                           x=0.5, y=0.5, font=dict(color="#777", size=18))
    return fig


def difference_figure(comparison: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """The difference per element of a :func:`workfw.change.compare` table, with its interval and a zero line.

    Parameters
    ----------
    comparison : pandas.DataFrame
        From :func:`workfw.change.compare`.
    title : str, optional
        Chart title; the subtitle states the interval level and the bootstrap rounds.

    Returns
    -------
    plotly.graph_objects.Figure
        One row per element (framework first); a dot at the difference with error bars from ``low`` to
        ``high``, coloured by status; elements not measurable are named at 0 in grey, without a dot.
    """
    frame = comparison.iloc[::-1].reset_index(drop=True)
    label = [f"{escape_text(FRAMEWORKS.get(f, f), limit=30)} · {escape_text(e, limit=40)}"
             for f, e in zip(frame["framework"], frame["element"])]
    frame = frame.assign(label=label)
    fig = go.Figure()
    for status, colour in STATUS_COLOURS.items():
        part = frame[frame["status"] == status]
        if part.empty:
            continue
        if status == "not measurable":
            fig.add_scatter(x=[0] * len(part), y=part["label"], mode="text", text=["not measurable"] * len(part),
                            textfont=dict(color="#777"), name=status, hoverinfo="skip")
            continue
        diff = part["difference"].astype(float)
        hover = [f"before {b:.0f} ({nb} tasks), after {a:.0f} ({na} tasks)"
                 for b, a, nb, na in zip(part["before"], part["after"], part["tasks_before"], part["tasks_after"])]
        fig.add_scatter(x=diff, y=part["label"], mode="markers", name=status,
                        marker=dict(color=colour, size=12),
                        error_x=dict(type="data", symmetric=False, array=(part["high"].astype(float) - diff),
                                     arrayminus=(diff - part["low"].astype(float)), color=colour, thickness=2),
                        customdata=list(zip(part["low"].astype(float).tolist(),
                                            part["high"].astype(float).tolist(), hover)),
                        hovertemplate="%{y}: %{x:+.1f} (interval %{customdata[0]:+.1f} to %{customdata[1]:+.1f})"
                                      "<br>%{customdata[2]}<extra></extra>")
    fig.add_vline(x=0, line=dict(color="#333", width=1))
    attrs = comparison.attrs
    interval = (f"{attrs['level']:.0%} intervals from {attrs['n_boot']} bootstrap rounds over tasks; grey holds 0"
                if {"level", "n_boot"} <= set(attrs) else "")
    use_template(fig).update_layout(
        font=FONT, title=heading(title or "Did it change? After minus before", interval),
        xaxis=dict(title="difference in score (after - before)", zeroline=False),
        yaxis=dict(type="category", categoryorder="array", categoryarray=label, automargin=True),
        height=max(320, 60 + 28 * len(frame)), legend=dict(orientation="h", y=-0.15), margin=dict(t=90))
    return fig

"""How a group's answers spread per element: one dot per answer, the mean marked."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from workfw.style import ELEMENT_COLOURS, FONT, TEMPLATE, escape_text
from workfw.assessment._aggregate import aggregate, answered_text, select_framework
from workfw.assessment._bank import FRAMEWORKS
from workfw.assessment._response import _Banks, pseudonymise_participants

__all__ = ["spread_figure"]

_ROW_HEIGHT = 0.7  # share of the gap between two elements the dots of one answer may fill


def _offsets(count: int) -> list[float]:
    step = min(0.09, _ROW_HEIGHT / max(count, 1))
    return [(j - (count - 1) / 2) * step for j in range(count)]


def _answered(summary: pd.DataFrame, element: str) -> str:
    return answered_text(summary.at[element, "count"], summary.at[element, "dont_know"],
                         summary.at[element, "skipped"])


def _tick_note(summary: pd.DataFrame, element: str) -> str:
    notes = [_answered(summary, element)] if summary.at[element, "skipped"] else []
    if summary.at[element, "dont_know"]:
        notes.append(f"{summary.at[element, 'dont_know']} don't know")
    return f"<br><sup>{', '.join(notes)}</sup>" if notes else ""


def spread_figure(responses: pd.DataFrame, *, framework: str | None = None,
                  bank: pd.DataFrame | str | Path | None = None, pseudonymise: bool = False,
                  title: str | None = None) -> go.Figure:
    """Plot every answer per element as a dot on the 1-5 scale, with the group mean as a diamond.

    Dots with the same answer are stacked vertically, so the height of a
    stack counts the people who gave it.  Hover shows the participant
    (escaped), the statement and the answer.  Beside the element name:
    "N of M answered" when statements were skipped (a skipped statement is
    no answer, not "don't know") and the number of "don't know" answers.

    Parameters
    ----------
    responses : pandas.DataFrame
        The long answer table.
    framework : str, optional
        Needed only when the table mixes frameworks.
    bank : DataFrame or path, optional
        An edited or translated bank (statement texts and scale labels).
    pseudonymise : bool
        Show ``Participant 01``... instead of names, for a shared screen.
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    rows, key = select_framework(responses, framework, "spread_figure")
    if pseudonymise:
        rows = pseudonymise_participants(rows)
    statements = _Banks(bank)(key)
    summary = aggregate(rows, framework=key, bank=bank)
    text_of = dict(zip(statements["id"], statements["text"]))
    labels = {int(k): v for k, v in ((statements.attrs.get("scale") or {}).get("labels") or {}).items()}
    elements = list(summary.index)
    position = {e: len(elements) - 1 - i for i, e in enumerate(elements)}
    fig = go.Figure()
    for element in elements:
        part = rows[(rows["element"] == element) & rows["answer"].notna()].sort_values(
            ["answer", "participant", "statement_id"], kind="stable")
        xs, ys, hover = [], [], []
        for answer, group in part.groupby("answer", sort=True):
            for offset, (_, row) in zip(_offsets(len(group)), group.iterrows()):
                xs.append(int(answer))
                ys.append(position[element] + offset)
                hover.append(f"{escape_text(row['participant'], limit=40)}<br>"
                             f"{escape_text(text_of.get(row['statement_id'], row['statement_id']))}<br>"
                             f"answer {int(answer)} {escape_text(labels.get(int(answer), ''))}")
        fig.add_scatter(x=xs, y=ys, mode="markers", name=escape_text(element), showlegend=False,
                        marker=dict(size=9, color=ELEMENT_COLOURS.get(element, "#888"), opacity=0.75,
                                    line=dict(color="#333", width=0.5)),
                        hovertext=hover, hovertemplate="%{hovertext}<extra></extra>")
    means = summary["mean"]
    shown = [e for e in elements if pd.notna(means[e])]
    fig.add_scatter(
        x=[float(means[e]) for e in shown], y=[position[e] for e in shown], mode="markers+text", name="group mean",
        marker=dict(symbol="diamond", size=16, color="white", line=dict(color="black", width=2)),
        text=[f"{means[e]:.1f}" for e in shown], textposition="top center",
        hovertext=[f"{escape_text(e)}: mean {means[e]:.2f}, spread {summary.at[e, 'spread']:.2f}, "
                   f"{_answered(summary, e)}, {summary.at[e, 'count']} rated 1-5, "
                   f"{summary.at[e, 'dont_know']} don't know" for e in shown],
        hovertemplate="%{hovertext}<extra></extra>")
    ticks = [escape_text(e) + _tick_note(summary, e) for e in elements]
    fig.update_layout(
        template=TEMPLATE, font=FONT, height=160 + 90 * len(elements),
        title=title or f"{FRAMEWORKS[key]}: how our answers spread (dots) and the group mean (diamond)",
        xaxis=dict(range=[0.5, 5.5], tickvals=[1, 2, 3, 4, 5], title="answer",
                   ticktext=[f"{v}<br>{escape_text(labels.get(v, ''))}" for v in range(1, 6)]),
        yaxis=dict(tickvals=[position[e] for e in elements], ticktext=ticks, range=[-0.6, len(elements) - 0.4],
                   zeroline=False, showgrid=False),
        legend=dict(orientation="h", y=-0.2))
    return fig

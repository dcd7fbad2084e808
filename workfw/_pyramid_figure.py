"""Figures of the Work Value Pyramid: the three-tier pyramid and the goal roll-up sunburst."""
from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from .style import ELEMENT_COLOURS, FONT, NA_COLOUR, TEMPLATE, escape_text, score_colour

__all__ = ["figure", "rollup_figure"]


def _ratio(top: int, bottom: int) -> str:
    return f"{top / bottom:.2f}" if bottom else "n/a"


def figure(diagnosis: Any, *, title: str | None = None, height: int = 480) -> go.Figure:
    """Draw the pyramid: one band per level, width = task count, colour = score.

    Parameters
    ----------
    diagnosis : workfw.diagnosis.Diagnosis
        A Work Value Pyramid diagnosis (its ``summary`` has ``score`` and ``tasks``).
    title : str, optional
        Chart title; a default says what the chart shows.
    height : int, default 480
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        One horizontal bar trace per level (Activities at the base), with the
        conversion ratios Progress/Activities and Outcomes/Progress annotated.
    """
    summary = diagnosis.summary
    elements = list(diagnosis.elements)
    counts = [int(summary.loc[e, "tasks"]) if pd.notna(summary.loc[e, "tasks"]) else 0 for e in elements]
    widest = max(counts + [1])
    fig = go.Figure()
    for element, count in zip(elements, counts):
        score = summary.loc[element, "score"]
        share = summary.loc[element, "share"]
        measured = pd.notna(score)
        score_text = f"score {float(score):.0f}" if measured else "not measurable"
        share_text = f"{float(share):.0%}" if pd.notna(share) else "n/a"
        fig.add_trace(go.Bar(
            y=[element], x=[count], base=[-count / 2], orientation="h", width=0.92, name=element,
            marker=dict(color=score_colour(score) if measured else NA_COLOUR,
                        line=dict(color=ELEMENT_COLOURS.get(element, "#444"), width=3)),
            customdata=[[float(score) if measured else None, count, share_text]],
            text=[f"{count} tasks · {score_text}"], textposition="none",
            hovertemplate=f"<b>{escape_text(element)}</b><br>%{{customdata[1]}} tasks (%{{customdata[2]}})"
                          f"<br>{score_text}<extra></extra>",
        ))
        fig.add_annotation(x=widest / 2 * 1.04, y=element, xanchor="left", showarrow=False,
                           text=f"<b>{escape_text(element)}</b><br>{count} tasks ({share_text}) · {score_text}")
    by_name = dict(zip(elements, counts))
    pairs = (("Progress", "Activities"), ("Outcomes", "Progress"))
    for upper, lower in pairs:
        if upper in by_name and lower in by_name:
            middle = (elements.index(upper) + elements.index(lower)) / 2
            fig.add_annotation(x=-widest / 2 * 1.04, y=middle, xanchor="right", showarrow=False,
                               text=f"{upper} / {lower} = {_ratio(by_name[upper], by_name[lower])}")
    context = next((c for c in diagnosis.caveats if c.startswith("Context, not value")), None)
    if context:
        fig.add_annotation(x=0.5, y=-0.14, xref="paper", yref="paper", showarrow=False,
                           text=escape_text(context.split(". Busyness")[0], limit=140), font=dict(size=12))
    fig.update_layout(
        title=title or "Work Value Pyramid: tasks per level (band width = count, colour = score)",
        template=TEMPLATE, font=FONT, height=height, barmode="overlay", showlegend=False,
        margin=dict(l=200, r=260, t=70, b=80),
        xaxis=dict(visible=False, range=[-widest / 2 * 1.9, widest / 2 * 1.9]),
        yaxis=dict(categoryorder="array", categoryarray=elements, showticklabels=False),
    )
    return fig


def rollup_figure(table: pd.DataFrame, *, max_epics: int = 30, title: str | None = None,
                  height: int = 560) -> go.Figure:
    """Sunburst of goal -> epic, sized by tasks and coloured by done share.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`workfw.value_pyramid.rollup`.
    max_epics : int, default 30
        Largest epics drawn one by one; the rest are merged into "Other epics" so
        the chart stays readable on large exports.
    title : str, optional
        Chart title.
    height : int, default 560
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        One sunburst trace; labels and hover text are escaped.
    """
    rows = table.copy()
    tied = rows[rows["epic_id"].notna()].sort_values("tasks", ascending=False, kind="stable")
    orphan = rows[rows["epic_id"].isna()]
    keep, rest = tied.iloc[:max_epics], tied.iloc[max_epics:]
    nodes: list[dict] = []
    goals = keep.dropna(subset=["goal_id"]).groupby("goal_id", sort=False)
    for goal_id, group in goals:
        title_text = group["goal_title"].iloc[0]
        nodes.append(_node(f"g:{goal_id}", "", goal_id, title_text, group))
    for _, row in keep.iterrows():
        parent = f"g:{row['goal_id']}" if pd.notna(row["goal_id"]) else ""
        nodes.append(_node(f"e:{row['goal_id']}/{row['epic_id']}", parent, row["epic_id"], row["epic_title"],
                           row.to_frame().T))
    if not rest.empty:
        nodes.append(_node("other", "", f"Other epics ({len(rest)})", None, rest))
    if not orphan.empty:
        nodes.append(_node("orphan", "", "Not tied to a goal", None, orphan, colour=ELEMENT_COLOURS["Activities"]))
    frame = pd.DataFrame(nodes, columns=["id", "parent", "label", "value", "colour", "hover"])
    fig = go.Figure(go.Sunburst(
        ids=frame["id"], parents=frame["parent"], labels=frame["label"], values=frame["value"],
        branchvalues="total", marker=dict(colors=frame["colour"]), hovertext=frame["hover"],
        hoverinfo="text", customdata=frame["value"],
    ))
    fig.update_layout(title=title or "Roll-up: goal -> epic, sized by tasks, coloured by share done",
                      template=TEMPLATE, font=FONT, height=height, margin=dict(l=10, r=10, t=60, b=10))
    return fig


def _node(node_id: str, parent: str, name: Any, title: Any, group: pd.DataFrame,
          colour: str | None = None) -> dict:
    tasks = int(group["tasks"].sum())
    done = int(group["done"].sum())
    finishable = tasks - int(group["cancelled"].sum())
    share = done / finishable if finishable else None
    label = escape_text(title if isinstance(title, str) and title else name, limit=40)
    hover = (f"<b>{escape_text(name, limit=40)}</b> {escape_text(title, limit=60)}<br>{tasks} tasks, {done} done"
             f" ({'n/a' if share is None else format(share, '.0%')})")
    return {"id": escape_text(node_id, limit=200), "parent": escape_text(parent, limit=200), "label": label,
            "value": tasks, "colour": colour or score_colour(None if share is None else share * 100),
            "hover": hover}

"""Figures of the Work Value Pyramid: the three-tier pyramid and the goal roll-up sunburst."""
from __future__ import annotations

from typing import Any, Sequence

import pandas as pd
import plotly.graph_objects as go

from workfw.diagram import LABEL, build, fill, heading, scores_of, wrap
from workfw.style import ELEMENT_COLOURS, FONT, escape_text, score_colour, use_template
from workfw.value_pyramid.definition import ELEMENTS, ROLES

__all__ = ["figure", "scored_figure", "draw", "rollup_figure"]


def _ratio(top: int, bottom: int) -> str:
    return f"{top / bottom:.2f}" if bottom else "n/a"


_PLAIN_WIDTHS = (90.0, 60.0, 30.0)  # a triangle when nothing is counted


def figure(diagnosis: Any, *, title: str | None = None, height: int = 500) -> go.Figure:
    """Draw the pyramid: one band per level, width = tasks at that level or above, colour = score.

    The levels build on each other, so the bands count cumulatively: every
    task is activity, tasks at Progress or above are progress, tasks at
    Outcomes are outcomes.  The base is the widest band and the conversions
    between bands are at most 1; how many tasks stop at each level (their
    highest, :func:`workfw.value_pyramid.classify_levels`) is in the words
    beside the band and its hover.

    Parameters
    ----------
    diagnosis : workfw.core.Diagnosis
        A Work Value Pyramid diagnosis (its ``summary`` has ``score`` and ``tasks``;
        ``reached`` when present, else worked out from ``tasks``).
    title : str, optional
        Chart title; a default says what the chart shows.
    height : int, default 500
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        One horizontal bar trace per level (Activities at the base; ``x`` is the
        cumulative count, ``customdata[0]`` is ``[score, reached, share of all tasks,
        tasks whose highest level this is]``), with the conversion ratios
        Progress / Activities and Outcomes / Progress annotated.
    """
    summary = diagnosis.summary
    elements = list(diagnosis.elements)
    own = {e: int(summary.loc[e, "tasks"]) if pd.notna(summary.loc[e, "tasks"]) else 0 for e in elements}
    context = next((c for c in diagnosis.caveats if c.startswith("Context, not value")), None)
    return draw(elements, scores_of(summary, elements, where="pyramid figure"), counts=_reached(summary, own),
                own=own, title=heading(title or "Work Value Pyramid: tasks reaching each level",
                                       "band = tasks at this level or above; colour = score, grey = not measurable"),
                na_label="not measurable", height=height,
                note=context.split(". Busyness")[0] if context else None)


def _reached(summary: pd.DataFrame, own: dict[str, int]) -> dict[str, int]:
    """Tasks at each level or above: the summary's ``reached``, or summed from the top down."""
    if "reached" in summary:
        return {e: int(summary.loc[e, "reached"]) if pd.notna(summary.loc[e, "reached"]) else 0 for e in own}
    out, running = {}, 0
    for element in reversed(list(own)):
        running += own[element]
        out[element] = running
    return {e: out[e] for e in own}


def scored_figure(scores: Any = None, *, title: str | None = None, na_label: str = "not answered",
                  height: int = 420) -> go.Figure:
    """Draw the pyramid from any level scores (perceived, measured), or unscored when ``scores`` is None.

    The bands form a triangle (nothing is counted); colour is the score, grey
    where there is none, or each level's own colour when unscored.

    Parameters
    ----------
    scores : mapping, Series or DataFrame, optional
        Level -> 0-100; None draws the levels with what each holds.
    title : str, optional
        Chart title.
    na_label : str, default "not answered"
        Text for a level without a score (drawn grey, never red).
    height : int, default 420
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    values = scores_of(scores, ELEMENTS, where="value_pyramid.scored_figure")
    if values is None:
        text = heading(title or "Work Value Pyramid: three levels", "Activities at the base, Outcomes at the top")
    else:
        text = heading(title or "Work Value Pyramid: score per level", f"colour = score; grey = {na_label}")
    return draw(ELEMENTS, values, title=text, na_label=na_label, height=height)


def draw(elements: Sequence[str], scores: dict[str, float | None] | None, *, title: str, na_label: str,
         counts: dict[str, int] | None = None, own: dict[str, int] | None = None, height: int = 480,
         note: str | None = None) -> go.Figure:
    """The drawing behind :func:`figure` and :func:`scored_figure`.

    ``scores`` None draws unscored; ``counts`` (tasks at each level or above,
    base first) None draws a fixed triangle without task counts or conversion
    ratios; ``own`` (tasks whose highest level each is) adds "n stop here".
    """
    plain = scores is None
    values = scores or dict.fromkeys(elements)
    widths = ({e: float(counts[e]) for e in elements} if counts is not None
              else dict(zip(elements, _PLAIN_WIDTHS)))
    widest = max(list(widths.values()) + [1.0])
    total = max(counts.values()) if counts else 0
    # The bands take the left half; the right half holds each level's words and the ratios between levels,
    # so no label has to fit inside a band (a level with few tasks is a sliver).
    half = widest / 2 * 1.04
    right = half + widest * 1.15
    # Traces and annotations are collected and handed to plotly once: each add_trace / add_annotation
    # re-validates the figure, several times the cost of the drawing itself on every filter change.
    traces: list[go.Bar] = []
    notes: list[dict[str, Any]] = []
    for position, element in enumerate(elements):
        score = values[element]
        # A narrow level keeps a band wide enough to show its score's colour (22 of 2,524 tasks would be a line);
        # the words beside it give the real count.
        drawn = max(widths[element], widest * 0.06)
        score_text = ROLES.get(element, "") if plain else (
            f"score {score:.0f}" if score is not None else na_label)
        if counts is not None:
            reached = counts[element]
            share_text = f"{reached / total:.0%}" if total else "n/a"
            lines = f"{reached:,} tasks ({share_text})" if position else f"{reached:,} tasks (all)"
            stop = (own or {}).get(element)
            # The top band's tasks all stop there; below it, the words say how many go no higher.
            stops = f"{stop:,} stop here" if stop is not None and position < len(elements) - 1 else ""
            above = (f"{reached:,} tasks at {element} or above ({share_text} of all)" if position
                     else f"{reached:,} tasks: every task is activity")
            detail = f"{above} · {score_text}"
            data = [[score, reached, share_text, stop]]
            hover = (f"<b>{escape_text(element)}</b><br>{escape_text(above)}"
                     + (f"<br>{stop:,} with {escape_text(element)} as their highest level" if stop is not None
                        else "") + f"<br>{escape_text(score_text)}<extra></extra>")
            if stops:
                lines += f"<br><span style='font-size:{LABEL - 2}px;color:#555'>{stops}</span>"
        else:
            detail, lines, data = score_text, "", [[score, None, None, None]]
            hover = f"<b>{escape_text(element)}</b><br>{escape_text(score_text)}<extra></extra>"
        traces.append(go.Bar(
            y=[element], x=[drawn],
            base=[-drawn / 2], orientation="h", width=0.9, name=element,
            marker=dict(color=fill(element, score, plain=plain),
                        line=dict(color=ELEMENT_COLOURS.get(element, "#444"), width=3)),
            customdata=data, text=[escape_text(detail)], textposition="none", hovertemplate=hover,
        ))
        first = f"<b>{escape_text(element)}</b>" + ("" if plain else f" · {escape_text(score_text)}")
        second = wrap(score_text, 26) if plain else lines
        notes.append(dict(x=half + widest * 0.04, y=element, xanchor="left", showarrow=False, textangle=0,
                          align="left", font=dict(size=LABEL), text=first + (f"<br>{second}" if second else "")))
    if counts is not None:
        for upper, lower in (("Progress", "Activities"), ("Outcomes", "Progress")):
            if upper in counts and lower in counts:
                middle = (elements.index(upper) + elements.index(lower)) / 2
                notes.append(dict(x=half + widest * 0.04, y=middle, xanchor="left", showarrow=False,
                                  textangle=0, align="left", font=dict(size=LABEL - 2, color="#555"),
                                  text=f"{upper} / {lower} = {_ratio(counts[upper], counts[lower])}"))
    if note:
        notes.append(dict(x=0, y=0, xref="paper", yref="paper", yanchor="top", yshift=-6, xanchor="left",
                          align="left", showarrow=False, textangle=0, text=wrap(note, 80),
                          font=dict(size=LABEL - 2, color="#555")))
    return build(traces, title=title, height=height, margin=dict(t=90, b=60 if note else 10), barmode="overlay",
                 annotations=notes, xaxis=dict(visible=False, range=[-half, right], fixedrange=True),
                 yaxis=dict(categoryorder="array", categoryarray=list(elements), showticklabels=False,
                            fixedrange=True))


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
    use_template(fig).update_layout(title=title or "Roll-up: goal -> epic, sized by tasks, coloured by share done",
                                    font=FONT, height=height, margin=dict(l=10, r=10, t=60, b=10))
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

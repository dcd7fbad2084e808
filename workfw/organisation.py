"""The organisation at a glance: every team scored by every framework, as one table, one heatmap, one drill-down.

:func:`team_scores` runs each framework's own ``diagnose`` once per team and
keeps the element scores in a tidy table; :func:`heatmap_figure` draws it
(teams down, elements across, grouped by framework); :func:`team_findings`
lists one team's findings for a room.  A team with fewer than ``min_tasks``
tasks is not scored: its cells stay empty and say "too few tasks to score"
(:func:`mark_small_teams`), because a share of a handful of tasks moves by
tens of points with one task.

Several exports
---------------
Pass one export, or a list or dict of exports.  A list or dict keeps each
export apart as its own *source*: a team found in two exports gets two rows,
one per source, each scored on its own export.  Two exports of one team are
usually two trackers or two snapshots, with different fields and reference
times; pooling them would mix a field one lacks with one the other has, and
count a task exported twice twice.  To score one organisation spread over
several files (one file per team or project), combine them first, with
``wf.read_export([file, ...])`` or :func:`workfw.combine_exports`, and pass
the one export.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from workfw.all_frameworks import as_export, diagnose_all, route_options
from workfw.assessment import require_columns
from workfw.core.context import prepare
from workfw.core.options import DEFAULTS
from workfw.core.severity import SEVERITIES
from workfw.errors import OptionError
from workfw.export import TaskExport
from workfw.frameworks import FRAMEWORKS, check_frameworks, get_framework
from workfw.style import FONT, NA_COLOUR, escape_text, use_template

__all__ = ["SCORE_COLUMNS", "FINDING_COLUMNS", "GROUPINGS", "NO_TEAM", "SCORE_SCALE", "MIN_TASKS", "as_sources",
           "too_few_reason", "team_scores", "mark_small_teams", "team_findings", "heatmap_figure"]

#: Columns of :func:`team_scores`.
SCORE_COLUMNS: tuple[str, ...] = ("source", "by", "team", "framework", "framework_title", "element", "score",
                                  "tasks", "reason")
#: Columns of :func:`team_findings`, as a room reads them.
FINDING_COLUMNS: tuple[str, ...] = ("Framework", "Severity", "Element", "Finding", "Tasks", "Example tasks")
#: The columns a team can be read from; each is also a filter every ``diagnose`` takes.
GROUPINGS: tuple[str, ...] = ("team", "project")
#: The row of tasks that name no team (a team filter cannot select them, so they are scored in no row).
NO_TEAM = "(no team)"
#: Default fewest tasks a team needs to be scored.
MIN_TASKS = 30
#: Low scores orange-red, the middle pale yellow, high scores blue (ColorBrewer RdYlBu, safe for the common
#: colour-vision deficiencies, unlike red-green); not measurable cells are grey and carry a word.
SCORE_SCALE: tuple[tuple[float, str], ...] = ((0.0, "#D73027"), (0.25, "#FC8D59"), (0.5, "#FFFFBF"),
                                               (0.75, "#91BFDB"), (1.0, "#4575B4"))
_TOO_FEW_COLOUR = "#A6A6A6"
_TOO_FEW = "too few tasks to score"
_SOURCE_LABEL = 48


def too_few_reason(tasks: int, min_tasks: int) -> str:
    """The reason of a team left unscored: ``"too few tasks to score (12 < 30)"``."""
    return f"{_TOO_FEW} ({int(tasks)} < {int(min_tasks)})"


def _label(text: str) -> str:
    return text if len(text) <= _SOURCE_LABEL else text[: _SOURCE_LABEL - 1] + "…"


def as_sources(exports: Any) -> dict[str, TaskExport]:
    """Label each export: a dict keeps its keys, a list or one export uses the file names (made unique).

    Parameters
    ----------
    exports : TaskExport, pandas.DataFrame, path, or a list or dict of them
        A path is read with :func:`workfw.read_export`; a list is *not* combined (see the module notes).

    Returns
    -------
    dict of str to TaskExport
        Source label -> export, in the order given.

    Raises
    ------
    OptionError
        When no export is given, or a dict key is not a non-empty text.
    """
    if isinstance(exports, Mapping):
        bad = [k for k in exports if not isinstance(k, str) or not k.strip()]
        if bad or not exports:
            raise OptionError(f"team_scores: found the source labels {list(exports)!r}; expected one or more "
                              "non-empty texts, e.g. {'Jira': export, 'Asana': other}. Next step: name each export.")
        return {k: as_export(v) for k, v in exports.items()}
    items = list(exports) if isinstance(exports, (list, tuple)) else [exports]
    if not items:
        raise OptionError("team_scores: found an empty list of exports; expected at least one export. "
                          "Next step: pass wf.read_export(path) or wf.load_sample().")
    parsed = [as_export(e) for e in items]
    out: dict[str, TaskExport] = {}
    for export in parsed:
        base = _label(Path(export.report.file).name if "," not in export.report.file else export.report.file)
        label, n = base, 2
        while label in out:
            label, n = f"{base} ({n})", n + 1
        out[label] = export
    return out


def _check(by: str, min_tasks: Any, options: Mapping[str, Any], caller: str = "team_scores") -> None:
    if by not in GROUPINGS:
        raise OptionError(f"{caller}: by={by!r}; expected one of {list(GROUPINGS)}. Next step: pass "
                          "by='project' when the export names projects but no teams.")
    if isinstance(min_tasks, bool) or not isinstance(min_tasks, (int, np.integer)) or min_tasks < 1:
        raise OptionError(f"{caller}: min_tasks={min_tasks!r}; expected a whole number of at least 1. "
                          f"Next step: pass for example min_tasks={MIN_TASKS}.")
    if options.get(by) is not None:
        raise OptionError(f"{caller}: found {by}={options[by]!r}; expected no {by} filter, because every {by} "
                          f"gets its own row. Next step: drop {by}=, and pick the row in the heatmap.")


def _group_counts(export: TaskExport, by: str, as_of: Any, shared: Mapping[str, Any]) -> tuple[pd.Series, int]:
    """Tasks per group after the shared filters (window, actors, the other grouping), and tasks in no group."""
    tasks = prepare(export, as_of=as_of, **shared).tasks
    # Values as written: a diagnose filter selects a team by its exact text.
    values = tasks[by].astype("string")
    counts = values.value_counts(dropna=True)
    counts.index = counts.index.astype(str)
    return counts.sort_index(), int(values.isna().sum())


def _elements(key: str) -> tuple[str, ...]:
    return tuple(get_framework(key).module().ELEMENTS)


def _rows(source: str, by: str, team: str, key: str, tasks: int, summary: pd.DataFrame | None,
          reason: str | None) -> list[tuple]:
    title = FRAMEWORKS[key]
    if summary is None:
        return [(source, by, team, key, title, element, np.nan, tasks, reason) for element in _elements(key)]
    return [(source, by, team, key, title, element, np.nan if pd.isna(row.score) else float(row.score), tasks,
             None if pd.isna(row.reason) else str(row.reason)) for element, row in summary.iterrows()]


def team_scores(exports: Any, *, by: str = "team", frameworks: Iterable[str] | None = None,
                min_tasks: int = MIN_TASKS, as_of: Any = None, **options: Any) -> pd.DataFrame:
    """Every framework's element scores for every team of one export or several.

    Parameters
    ----------
    exports : TaskExport, pandas.DataFrame, path, or a list or dict of them
        One export, or several kept apart as sources (:func:`as_sources`; the module notes say why).
    by : {"team", "project"}
        The column a row is read from; ``"project"`` for exports that name no team (one Jira CSV per project).
    frameworks : iterable of str, optional
        Keys of :data:`workfw.frameworks.FRAMEWORKS`; all four by default.
    min_tasks : int, default :data:`MIN_TASKS`
        A team with fewer tasks (after the filters) is not diagnosed: NaN scores, reason
        :func:`too_few_reason`.
    as_of : timestamp-like, optional
        Reference time; by default each export's own (the same for all its teams, as ``diagnose`` does).
    **options
        As :func:`workfw.diagnose_all`: shared options (thresholds, ``window``, ``actors``, the other grouping)
        and a dict per framework key.

    Returns
    -------
    pandas.DataFrame
        :data:`SCORE_COLUMNS`, one row per source, team, framework and element, teams in sorted order per
        source.  ``score`` (0-100) is ``wf.<framework>.diagnose(export, <by>=team, ...)``'s element score;
        NaN with ``reason`` where not measurable, too small, or for the :data:`NO_TEAM` row of tasks naming
        no team.  ``tasks`` counts the team's tasks after the filters.

    Raises
    ------
    OptionError
        On an unknown framework or option, a bad ``by`` or ``min_tasks``, or a filter on ``by`` itself.
    """
    chosen = check_frameworks(tuple(FRAMEWORKS) if frameworks is None else frameworks, caller="team_scores")
    _check(by, min_tasks, options)
    route_options(chosen, options)  # names a misspelt option before any work is done
    shared = {k: v for k, v in options.items() if k in DEFAULTS}
    rows: list[tuple] = []
    for source, export in as_sources(exports).items():
        counts, unplaced = _group_counts(export, by, as_of, shared)
        for team, n in counts.items():
            if n < min_tasks:
                rows += [r for key in chosen for r in _rows(source, by, team, key, int(n), None,
                                                             too_few_reason(n, min_tasks))]
                continue
            found = diagnose_all(export, as_of=as_of, frameworks=chosen, **options, **{by: team})
            rows += [r for key in chosen for r in _rows(source, by, team, key, int(n), found[key].summary, None)]
        if unplaced:
            why = (f"{unplaced:,} task{'s' if unplaced != 1 else ''} name{'s' if unplaced == 1 else ''} no {by}; "
                   f"a {by} filter cannot select {'it' if unplaced == 1 else 'them'}, so no row scores "
                   f"{'it' if unplaced == 1 else 'them'}")
            rows += [r for key in chosen for r in _rows(source, by, NO_TEAM, key, unplaced, None, why)]
    out = pd.DataFrame(rows, columns=list(SCORE_COLUMNS))
    out["score"] = out["score"].astype(float)
    out["tasks"] = out["tasks"].astype(int)
    out["reason"] = out["reason"].astype("string")
    return out


def mark_small_teams(scores: pd.DataFrame, *, min_tasks: int) -> pd.DataFrame:
    """A copy of :func:`team_scores`' table with the teams under ``min_tasks`` tasks unscored.

    Lets a view move the threshold without diagnosing again: score once with ``min_tasks=1``, then mark.
    The :data:`NO_TEAM` row keeps its own reason.

    Parameters
    ----------
    scores : pandas.DataFrame
        From :func:`team_scores`.
    min_tasks : int
        Fewest tasks a team needs to keep its scores.

    Returns
    -------
    pandas.DataFrame
    """
    _check("team", min_tasks, {}, caller="mark_small_teams")
    _require(scores, ("team", "score", "tasks", "reason"))
    out = scores.copy()
    small = ((out["tasks"] < min_tasks) & (out["team"] != NO_TEAM)).to_numpy(dtype=bool)
    out.loc[small, "score"] = np.nan
    out.loc[small, "reason"] = [too_few_reason(n, min_tasks) for n in out.loc[small, "tasks"]]
    return out


def _require(frame: Any, columns: Iterable[str]) -> None:
    require_columns(frame, columns, caller="organisation", table="table of scores",
                    source="the DataFrame of team_scores(...)", expected=SCORE_COLUMNS,
                    fix="pass wf.organisation.team_scores(export).")


def team_findings(export: Any, *, team: str, by: str = "team", frameworks: Iterable[str] | None = None,
                  as_of: Any = None, examples: int = 5, **options: Any) -> pd.DataFrame:
    """One team's findings from every framework, most severe first, as a room reads them.

    Parameters
    ----------
    export : TaskExport, pandas.DataFrame or path
        One export (for a source of several, the export of that source).
    team : str
        A value of the ``by`` column of the export.
    by : {"team", "project"}
        As in :func:`team_scores`.
    frameworks : iterable of str, optional
        Keys of :data:`workfw.frameworks.FRAMEWORKS`; all four by default.
    as_of : timestamp-like, optional
        Reference time; by default the export's own.
    examples : int, default 5
        Task ids listed per finding.
    **options
        As :func:`team_scores`.

    Returns
    -------
    pandas.DataFrame
        :data:`FINDING_COLUMNS`: the framework's title, the severity, element and finding of
        ``wf.<framework>.diagnose(export, <by>=team)``, the number of tasks behind it and a few of their ids.

    Raises
    ------
    OptionError
        When ``team`` is not in the export (the message lists the teams), or on a bad option.
    """
    chosen = check_frameworks(tuple(FRAMEWORKS) if frameworks is None else frameworks, caller="team_findings")
    _check(by, 1, options, caller="team_findings")
    export = as_export(export)
    known = [str(t) for t in export.tasks[by].dropna().unique()]
    if not isinstance(team, str) or team not in known:
        raise OptionError(f"team_findings: {by}={team!r} is not in {export.report.file}; expected one of "
                          f"{sorted(known)[:20]}. Next step: pick a {by} from the heatmap's rows.")
    found = diagnose_all(export, as_of=as_of, frameworks=chosen, **options, **{by: team})
    parts = [d.findings.assign(Framework=FRAMEWORKS[key]) for key, d in found.items() if not d.findings.empty]
    if not parts:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    every = pd.concat(parts, ignore_index=True)
    every["severity"] = pd.Categorical(every["severity"].astype(str), categories=list(SEVERITIES), ordered=True)
    every = every.sort_values(["severity", "tasks"], ascending=[True, False], kind="stable")
    ids = [", ".join(str(i) for i in list(t)[:examples]) + (" …" if len(t) > examples else "")
           for t in every["task_ids"]]
    return pd.DataFrame({"Framework": every["Framework"].to_numpy(),
                         "Severity": every["severity"].astype(str).to_numpy(), "Element": every["element"].to_numpy(),
                         "Finding": every["finding"].to_numpy(), "Tasks": every["tasks"].astype(int).to_numpy(),
                         "Example tasks": ids})


def _row_labels(rows: pd.DataFrame, several: bool) -> list[str]:
    """``Platform (634 tasks)``, with the source when there are several, and "too few" for a small team."""
    labels = []
    for r in rows.itertuples(index=False):
        name = escape_text(r.team, limit=40) + (f" · {escape_text(r.source, limit=30)}" if several else "")
        few = ", too few" if str(r.reason).startswith(_TOO_FEW) else ""
        labels.append(f"{name} ({int(r.tasks):,} task{'s' if int(r.tasks) != 1 else ''}{few})")
    return labels


def _grid(part: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """One framework's rows of the table in row-major order of the heatmap (a missing cell is NaN)."""
    position = {(s, t): j for j, (s, t) in enumerate(zip(rows["source"], rows["team"]))}
    elements = list(dict.fromkeys(part["element"]))
    placed = part.assign(row=[position[(s, t)] for s, t in zip(part["source"], part["team"])])
    grid = pd.MultiIndex.from_product([range(len(rows)), elements], names=["row", "element"])
    full = placed.drop(columns=["source", "team", "tasks"]).set_index(["row", "element"]).reindex(grid).reset_index()
    full[["source", "team", "tasks"]] = rows.loc[full["row"], ["source", "team", "tasks"]].to_numpy()
    return full


def _cells(block: pd.DataFrame, title: str) -> tuple[np.ndarray, np.ndarray, list[str], list[str], list[str]]:
    """Scores, grey-cell codes (0 not measurable, 1 too few), the words of each trace and the hover text."""
    score = block["score"].to_numpy(dtype=float)
    reasons = block["reason"].fillna("").astype(str).tolist()
    few = np.array([r.startswith(_TOO_FEW) for r in reasons], dtype=bool)
    scored = ~np.isnan(score)
    grey = np.where(scored, np.nan, few.astype(float))
    numbers = [f"{v:.0f}" if ok else "" for v, ok in zip(score, scored)]
    greys = ["" if ok else ("too few" if f else "n/a") for ok, f in zip(scored, few)]
    hover = [f"<b>{escape_text(t, limit=40)}</b> · {escape_text(s, limit=40)}<br>{escape_text(title)}: "
             f"{escape_text(e)}<br>" + (f"score {v:.0f} of 100" if ok else f"not scored: {escape_text(r, limit=160)}")
             + f"<br>{int(n):,} task{'s' if int(n) != 1 else ''}"
             for t, s, e, v, ok, r, n in zip(block["team"], block["source"], block["element"], score, scored, reasons,
                                             block["tasks"])]
    return score, grey, numbers, greys, hover


def heatmap_figure(scores: pd.DataFrame, *, highlight: str | tuple[str, str] | None = None,
                   title: str | None = None) -> go.Figure:
    """Teams down, framework elements across (grouped by framework), each cell coloured by its score.

    Parameters
    ----------
    scores : pandas.DataFrame
        From :func:`team_scores` (or :func:`mark_small_teams`).
    highlight : str or (str, str), optional
        A team, or ``(source, team)``, outlined and in bold (the team a view drills into).
    title : str, optional
        The figure's title; by default says what the colours mean.

    Returns
    -------
    plotly.graph_objects.Figure
        One heatmap per framework sharing the rows and one colour scale (:data:`SCORE_SCALE`).  Scores are
        written as whole numbers; a cell without a score is grey with "too few" (the team has too few tasks)
        or "n/a" (not measurable), and its hover says why.  Team and source names are escaped.

    Raises
    ------
    SchemaError
        When ``scores`` lacks a column of :data:`SCORE_COLUMNS`.
    """
    _require(scores, SCORE_COLUMNS)
    rows = scores.drop_duplicates(["source", "team"])[["source", "team", "tasks", "reason"]].reset_index(drop=True)
    labels = _row_labels(rows, rows["source"].nunique() > 1)
    picked = _highlighted(rows, highlight)
    if picked is not None:
        labels[picked] = f"<b>{labels[picked]}</b>"
    keys = list(dict.fromkeys(scores["framework"]))
    widths = [scores.loc[scores["framework"] == k, "element"].nunique() for k in keys]
    fig = make_subplots(rows=1, cols=max(1, len(keys)), shared_yaxes=True, column_widths=widths or None,
                        horizontal_spacing=0.012, subplot_titles=[escape_text(FRAMEWORKS.get(k, k)) for k in keys])
    for i, key in enumerate(keys, start=1):
        block = _grid(scores[scores["framework"] == key], rows)
        elements = list(dict.fromkeys(block["element"]))
        score, grey, numbers, greys, hover = _cells(block, FRAMEWORKS.get(key, key))
        shape = (len(rows), len(elements))
        common = dict(x=[escape_text(e) for e in elements], y=labels, xgap=2, ygap=2, texttemplate="%{text}",
                      customdata=np.array(hover, dtype=object).reshape(shape),
                      hovertemplate="%{customdata}<extra></extra>")
        fig.add_trace(go.Heatmap(z=score.reshape(shape), coloraxis="coloraxis", name=FRAMEWORKS.get(key, key),
                                 text=np.array(numbers, dtype=object).reshape(shape), **common), row=1, col=i)
        fig.add_trace(go.Heatmap(z=grey.reshape(shape), zmin=0, zmax=1, showscale=False, name="not scored",
                                 colorscale=[[0, NA_COLOUR], [1, _TOO_FEW_COLOUR]], textfont=dict(color="#111"),
                                 text=np.array(greys, dtype=object).reshape(shape), **common), row=1, col=i)
    if picked is not None:
        fig.add_shape(type="rect", xref="paper", yref="y", x0=0, x1=1, y0=picked - 0.5, y1=picked + 0.5,
                      line=dict(color="#111", width=3), fillcolor="rgba(0,0,0,0)")
    fig.update_yaxes(autorange="reversed", automargin=True)
    # Seventeen columns share a projector's width: element names slant so none overlaps its neighbour.
    fig.update_xaxes(tickangle=-35, automargin=True)
    fig.update_layout(
        font=FONT, height=300 + 50 * len(rows), margin=dict(l=10, r=10, t=110, b=10),
        title=dict(text=title or "Every team's scores (0-100, higher is healthier); grey cells are not scored: "
                   "hover for why", font=dict(size=17)),
        coloraxis=dict(colorscale=[list(p) for p in SCORE_SCALE], cmin=0, cmax=100,
                       colorbar=dict(title="score", thickness=14, len=0.8)))
    return use_template(fig)


def _highlighted(rows: pd.DataFrame, highlight: str | tuple[str, str] | None) -> int | None:
    """Position of the outlined row, or None (a team no row has is not outlined)."""
    if highlight is None:
        return None
    source, team = (None, highlight) if isinstance(highlight, str) else highlight
    hits = [i for i, (s, t) in enumerate(zip(rows["source"], rows["team"])) if t == team and source in (None, s)]
    return hits[0] if hits else None

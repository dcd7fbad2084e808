"""The organisation view of 07_organisation: every team's scores in one heatmap, and one team's findings.

:class:`OrganisationModel` holds the logic: it scores every team once
(:func:`workfw.organisation.team_scores`), marks the teams under the chosen
fewest tasks (:func:`~workfw.organisation.mark_small_teams`, no new diagnosis),
draws the heatmap with the chosen team outlined and lists that team's
findings (:func:`~workfw.organisation.team_findings`).
:class:`OrganisationView` only links a **Team** dropdown and a **Fewest
tasks to score** box to the model and shows what it made.  Clicking a row
would need ``FigureWidget`` (anywidget), which workfw does not use, so the
dropdown picks the team.
"""
from __future__ import annotations

import html
from typing import Any, Iterable

import ipywidgets as W
import pandas as pd
import plotly.graph_objects as go
import traitlets as T

from workfw.errors import OptionError
from workfw.organisation import (FINDING_COLUMNS, MIN_TASKS, NO_TEAM, as_sources, heatmap_figure,
                                 mark_small_teams, team_findings, team_scores)
from workfw.widgets._common import PAGE, STYLE, Markup, frame_html, show

__all__ = ["OrganisationModel", "OrganisationView"]

#: Findings listed under the heatmap at once.
_SHOWN = 25


class OrganisationModel(T.HasTraits):
    """Every team's scores, the teams too small to score, and the findings of the chosen team.

    Parameters
    ----------
    exports : TaskExport, or a list or dict of exports
        One export, or several kept apart as sources (see :mod:`workfw.organisation`).
    by : {"team", "project"}
        The column a row is read from.
    min_tasks : int
        Fewest tasks a team needs to be scored.
    team : str or (str, str), optional
        The team to drill into first, or ``(source, team)``; by default the first row.
    frameworks : iterable of str, optional
        Framework keys; all four by default.
    **options
        Diagnose options, as :func:`workfw.organisation.team_scores`.

    Attributes
    ----------
    choices : list of (str, (str, str))
        Dropdown options: a label and ``(source, team)`` per team (the row of tasks naming no team is left out).
    scores : pandas.DataFrame
        The heatmap's table under the current ``min_tasks``.
    findings : pandas.DataFrame
        The chosen team's findings (:data:`workfw.organisation.FINDING_COLUMNS`).
    figure : plotly.graph_objects.Figure
        The heatmap, the chosen team outlined.
    """

    min_tasks = T.Int(MIN_TASKS)
    choice = T.Tuple()
    scores = T.Instance(pd.DataFrame, allow_none=True)
    findings = T.Instance(pd.DataFrame, allow_none=True)
    figure = T.Instance(go.Figure, allow_none=True)

    def __init__(self, exports: Any, *, by: str = "team", min_tasks: int = MIN_TASKS,
                 team: str | tuple[str, str] | None = None, frameworks: Iterable[str] | None = None,
                 **options: Any) -> None:
        self.sources = as_sources(exports)
        self.by = by
        self.frameworks = None if frameworks is None else tuple(frameworks)
        self.options = dict(options)
        # Scored once for every team; moving the threshold only marks rows (no diagnosis runs again).
        self.all_scores = team_scores(self.sources, by=by, frameworks=self.frameworks, min_tasks=1, **options)
        rows = self.all_scores.drop_duplicates(["source", "team"])
        rows = rows[rows["team"] != NO_TEAM]
        several = len(self.sources) > 1
        self.choices: list[tuple[str, tuple[str, str]]] = [
            (f"{t} · {s}" if several else str(t), (str(s), str(t))) for s, t in zip(rows["source"], rows["team"])]
        self._tasks = dict(zip(zip(rows["source"], rows["team"]), rows["tasks"].astype(int)))
        self._quiet = True
        super().__init__(min_tasks=int(min_tasks), choice=self._initial(team))
        self._quiet = False
        self.scores = mark_small_teams(self.all_scores, min_tasks=self.min_tasks)
        self._drill()

    def _initial(self, team: str | tuple[str, str] | None) -> tuple:
        if not self.choices:
            return ()
        if team is None:
            return self.choices[0][1]
        hits = [v for _, v in self.choices if (v == tuple(team) if isinstance(team, tuple) else v[1] == team)]
        if not hits:
            raise OptionError(f"OrganisationView: team={team!r} is not a {self.by} of the export; expected one of "
                              f"{[v[1] for _, v in self.choices][:20]}. Next step: pick one of those, or leave "
                              "team=None.")
        return hits[0]

    @T.observe("min_tasks")
    def _on_min_tasks(self, _: dict) -> None:
        if not self._quiet:
            self._rescore()

    @T.observe("choice")
    def _on_choice(self, _: dict) -> None:
        if not self._quiet:
            self._drill()

    def _rescore(self) -> None:
        self.scores = mark_small_teams(self.all_scores, min_tasks=self.min_tasks)
        self._draw()

    def _drill(self) -> None:
        if self.choice:
            source, team = self.choice
            self.findings = team_findings(self.sources[source], team=team, by=self.by, frameworks=self.frameworks,
                                          **self.options)
        else:
            self.findings = pd.DataFrame(columns=list(FINDING_COLUMNS))
        self._draw()

    def _draw(self) -> None:
        self.figure = heatmap_figure(self.scores, highlight=self.choice or None)

    def selection_html(self) -> str:
        """One escaped line on the chosen team: its tasks, its findings, and a word when it is too small."""
        if not self.choice:
            return (f"<p>No task names a {html.escape(self.by)}, so there is no row to pick. If your files are "
                    "one per project, score by project instead (<code>by=\"project\"</code>).</p>")
        source, team = self.choice
        n = self._tasks[(source, team)]
        where = f" in {html.escape(source)}" if len(self.sources) > 1 else ""
        line = (f"<p><b>{html.escape(team)}</b>{where}: {n:,} tasks, {len(self.findings)} findings, most severe "
                "first.")
        if n < self.min_tasks:
            line += (f" Fewer than {self.min_tasks} tasks, so the heatmap leaves this {html.escape(self.by)} "
                     "unscored; these findings rest on very few tasks.")
        return line + "</p>"


class OrganisationView(W.VBox):
    """The heatmap of every team, a **Team** dropdown and a **Fewest tasks to score** box, the team's findings.

    Parameters
    ----------
    exports : TaskExport, or a list or dict of exports
        As :class:`OrganisationModel`.
    **settings
        ``by``, ``min_tasks``, ``team``, ``frameworks`` and diagnose options, as :class:`OrganisationModel`.
    """

    def __init__(self, exports: Any, **settings: Any) -> None:
        self.model = OrganisationModel(exports, **settings)
        m = self.model
        self.team = W.Dropdown(options=m.choices or [(f"No {m.by} in this export", ())], value=m.choice,
                               description="Team" if m.by == "team" else "Project", style=STYLE,
                               layout=W.Layout(width="380px", max_width="100%"))
        self.min_tasks = W.BoundedIntText(value=m.min_tasks, min=1, max=1_000_000, description="Fewest tasks to score",
                                          style=STYLE, continuous_update=False, layout=W.Layout(width="260px"))
        if m.choices:
            T.link((self.team, "value"), (m, "choice"))
        T.link((self.min_tasks, "value"), (m, "min_tasks"))
        self.chart = W.Output()
        self.detail = W.HTML()
        self.table = W.Output()
        super().__init__([W.HBox([self.team, self.min_tasks], layout=W.Layout(flex_flow="row wrap")), self.chart,
                          W.HTML("<h4>Findings of the chosen team</h4>"), self.detail, self.table], layout=PAGE)
        m.observe(self._render, names="figure")
        self._render()

    def _render(self, _: dict | None = None) -> None:
        m = self.model
        show(self.chart, m.figure)
        self.detail.value = m.selection_html()
        if m.findings.empty:
            show(self.table, Markup("<p>No findings: nothing for this team crosses a threshold.</p>"
                                    if m.choice else ""))
        else:
            show(self.table, Markup(frame_html(m.findings, limit=_SHOWN)))

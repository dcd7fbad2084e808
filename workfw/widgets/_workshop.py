"""Workshop widgets for the facilitator's notebook (05_workshop): collect answers, show the group, report.

Thin views: participants' answers, the room's collection, the team whose data
the answers meet, the gap to that data and the report are all computed by
:mod:`workfw.assessment` and :mod:`workfw.reporting`; these classes only lay
out controls and show results.
Every name, label and file name shown is escaped.  A view given a
:class:`FrameworkPicker` instead of a list follows the picker's choice, which
keeps a Voila page (where every cell runs before anyone clicks) in step.
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import ipywidgets as W
import pandas as pd
import traitlets as T

from workfw import assessment as A
from workfw.errors import WorkfwError
from workfw.widgets._common import ALL, show
# Re-exported so this module's __all__ stays the one list workfw.widgets takes the workshop views from.
from workfw.widgets._workshop_participant import (_STYLE, _WIDE, FrameworkPicker, ParticipantForm, _download_link, _error, _follow,
                                    _ok)
from workfw.widgets._workshop_sessions import SessionPanel

__all__ = ["FrameworkPicker", "ParticipantForm", "Collector", "GroupResults", "ReportButton", "SessionPanel"]


class Collector(W.VBox):
    """The facilitator gathers the room's answers: response files, pasted codes and survey CSVs.

    Also reads the files already in the responses folder (participants who
    saved on the same JupyterHub).  Shows how many responses arrived per
    framework and every rejected file, code, row or cell with its reason.

    Parameters
    ----------
    frameworks : sequence of str or FrameworkPicker, optional
        Framework keys of the workshop (default: all four).
    directory : str or pathlib.Path, optional
        The responses folder (default :func:`workfw.assessment.responses_dir`).

    Attributes
    ----------
    collection : workfw.assessment.Collection
        The model holding the answers.
    revision : int
        Goes up whenever the answers shown change; observe it to redraw.
    """

    revision = T.Int(0)

    def __init__(self, frameworks: Sequence[str] | FrameworkPicker | None = None,
                 directory: str | Path | None = None) -> None:
        self.collection = A.Collection(_follow(frameworks, self.set_frameworks), directory)
        self.files = W.FileUpload(accept=".json", multiple=True, description="Response files")
        self.survey = W.FileUpload(accept=".csv,.txt", multiple=True, description="Survey CSV")
        self.codes = W.Textarea(placeholder="Paste codes here: the whole chat is fine, one code or many.",
                                rows=4, layout=_WIDE)
        self.codes_button = W.Button(description="Add codes", icon="plus")
        self.refresh_button = W.Button(description="Read the folder again", icon="refresh",
                                       layout=W.Layout(width="auto"))
        self.count = W.HTML()
        self.messages = W.HTML()
        self.templates = W.HTML()
        self.files.observe(lambda change: self._uploaded(change, self.files), names="value")
        self.survey.observe(lambda change: self._uploaded(change, self.survey), names="value")
        self.codes_button.on_click(lambda _: self.add_codes(self.codes.value))
        self.refresh_button.on_click(lambda _: self.refresh())
        super().__init__([self.count, W.HBox([self.files, self.survey, self.refresh_button]), self.codes,
                          self.codes_button, self.messages, self.templates])
        self._report(A.Added(rejected=list(self.collection.rejected)), "")  # what the first read refused

    @property
    def frameworks(self) -> list[str]:
        """The chosen framework keys."""
        return self.collection.frameworks

    @property
    def responses(self) -> pd.DataFrame:
        """Every answer collected so far (the long table of :data:`workfw.assessment.RESPONSE_COLUMNS`)."""
        return self.collection.responses

    def set_frameworks(self, frameworks: Iterable[str]) -> None:
        """Change the workshop's frameworks; the count and the group's results follow."""
        self.collection.frameworks = frameworks
        self._report(A.Added(), "")
        self.revision += 1

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` whenever the answers shown change."""
        self.observe(lambda _: callback(), names="revision")

    def add_files(self, files: Any) -> A.Added:
        """Add uploads (a FileUpload value): response ``.json`` files or survey ``.csv`` downloads."""
        return self._run(lambda: self.collection.add_files(files), "The upload")

    def add_codes(self, text: str) -> A.Added:
        """Add every code in pasted text."""
        return self._run(lambda: self.collection.add_codes(text), "The pasted codes")

    def refresh(self) -> A.Added:
        """Read the responses folder again."""
        return self._run(self.collection.refresh, "The responses folder")

    def _uploaded(self, change: dict, upload: W.FileUpload) -> None:
        if change["new"]:
            self.add_files(change["new"])
            upload.value = ()  # so the same file can be chosen again after fixing it

    def _run(self, action: Callable[[], A.Added], what: str) -> A.Added:
        try:
            added = action()
        except (WorkfwError, OSError) as exc:  # a user's input or folder: say so, keep what we have
            added = A.Added(rejected=[A.Rejected(what, str(exc))])
        self._report(added, what)
        if added.accepted:
            self.revision += 1
        return added

    def _report(self, added: A.Added, what: str) -> None:
        summary = self.collection.summary()
        parts = ", ".join(f"{html.escape(n)} {r}" for n, r in zip(summary["name"], summary["responses"]))
        total = int(summary["responses"].sum())
        self.count.value = f"<h4>{total} response{'' if total == 1 else 's'} so far ({parts})</h4>"
        lines = []
        if what and (added.accepted or added.duplicates or not added.rejected):
            lines.append(_ok(f"{what}: {added.accepted} new, {added.duplicates} already collected."))
        lines += [f"<p class='note'>{html.escape(n)}</p>" for n in added.notes]
        if added.rejected:
            items = "".join(f"<li><b>{html.escape(r.source)}</b>: {html.escape(r.reason)}</li>"
                            for r in added.rejected[:30])
            more = f"<li>… and {len(added.rejected) - 30} more</li>" if len(added.rejected) > 30 else ""
            lines.append(f"<div style='color:#b00'><b>Not used:</b><ul>{items}{more}</ul></div>")
        self.messages.value = "".join(lines)
        self.templates.value = self._template_links()

    def _template_links(self) -> str:
        links = []
        for key in self.collection.frameworks:
            links.append(_download_link(f"{key}-survey-headers.csv", A.survey_headers_csv(key), "text/csv",
                                        A.FRAMEWORKS[key]))
        return ("<p class='note'>Building a survey form instead? Statement headers to paste into Google Forms or "
                "Microsoft Forms: " + " · ".join(links) + "</p>")


class GroupResults(W.VBox):
    """Per framework: how the group's answers spread, and the gap to one team's data, largest gaps as prompts.

    The results start hidden (:class:`workfw.assessment.RevealState`), so early
    answers on the projector do not anchor later ones: the page shows only how
    many people answered, per framework and team, until **Reveal results** is
    clicked.  **Hide** puts them away again for a next round.

    A **Team** control sets whose tasks the answers are compared with.  It
    starts at the team most participants entered, if the export has it, else
    All (:class:`workfw.assessment.TeamSelection`), and follows arriving answers
    until the facilitator picks a team.  Any change redraws every view from
    the same selection, and a line above them says which it is.  Participants
    are shown as ``Participant 01``… on the shared screen.

    Parameters
    ----------
    collector : Collector
        Where the answers come from.
    export : TaskExport
        The data the gaps are measured against.
    prompts : int
        How many of the largest gaps to list as discussion prompts.
    team : str, optional
        Start with this team chosen (None: follow the room's answers).
    revealed : bool
        Start with the results shown (default hidden until **Reveal results**).

    Attributes
    ----------
    selection : workfw.assessment.TeamSelection
        The team shown; pass it to :class:`ReportButton` so the report uses it too.
    reveal : workfw.assessment.RevealState
        Whether the results are shown; the buttons only call its ``reveal()`` and ``hide()``.
    """

    def __init__(self, collector: Collector, export: Any, *, prompts: int = 3, team: str | None = None,
                 revealed: bool = False) -> None:
        self.collector, self.export, self.prompts = collector, export, prompts
        self.reveal = A.RevealState(revealed=revealed)
        self.reveal_button = W.Button(description="Reveal results", icon="eye", button_style="primary")
        self.hide_button = W.Button(description="Hide", icon="eye-slash")
        self.reveal_button.on_click(lambda _: self.reveal.reveal())
        self.hide_button.on_click(lambda _: self.reveal.hide())
        self.reveal.on_change(self.render)
        self.selection = A.TeamSelection(export, team=team)
        self.selection.follow(collector.responses)
        self.figures: dict[str, dict[str, Any]] = {}
        self.gaps: dict[str, pd.DataFrame] = {}
        self.team = W.Dropdown(options=[ALL, *self.selection.teams], value=self._label(), description="Team",
                               style=_STYLE)
        self.heading = W.HTML()
        self.body = W.VBox()
        self._syncing = False
        self.team.observe(self._team_changed, names="value")
        super().__init__([W.HBox([self.team, self.reveal_button, self.hide_button]), self.heading, self.body])
        collector.on_change(self._answers_changed)
        self.render()

    def diagnosis(self, framework: str) -> Any:
        """The framework's diagnosis of the chosen team's tasks (computed once per team)."""
        return self.selection.diagnosis(framework)

    def _label(self) -> str:
        return ALL if self.selection.team is None else self.selection.team

    def _team_changed(self, change: dict) -> None:
        if self._syncing:
            return
        self.selection.choose(None if change["new"] == ALL else change["new"])
        self.render()

    def _answers_changed(self) -> None:
        self.selection.follow(self.collector.responses)
        self._syncing = True  # the room moved the team, not the facilitator: it keeps following
        try:
            self.team.value = self._label()
        finally:
            self._syncing = False
        self.render()

    def render(self) -> None:
        """Redraw: while hidden only how many answered; once revealed every framework's spread, gaps and prompts."""
        from workfw.charts import gap_figure

        responses = self.collector.responses
        self.reveal_button.layout.display = "none" if self.reveal.revealed else None
        self.hide_button.layout.display = None if self.reveal.revealed else "none"
        if not self.reveal.revealed:
            self._render_hidden(responses)
            return
        where = self.selection.selection_text()
        people = responses["participant"].nunique() if len(responses) else 0
        note = f"<br><span class='note'>{html.escape(self.selection.note)}</span>" if self.selection.note else ""
        self.heading.value = (f"<p>The room's answers ({people} participant{'' if people == 1 else 's'}) beside "
                              f"the data of <b>{html.escape(where)}</b>.{note}</p>")
        children, self.figures, self.gaps = [], {}, {}
        for key in self.collector.frameworks:
            name = A.FRAMEWORKS[key]
            rows = responses[responses["framework"] == key]
            children.append(W.HTML(f"<h3>{html.escape(name)}</h3>"))
            if not len(rows):
                children.append(W.HTML(f"<p>No answers for {html.escape(name)} yet; they appear here as they "
                                       "arrive.</p>"))
                continue
            try:
                spread = A.spread_figure(rows, framework=key, pseudonymise=True)
                gap = A.group_gap(self.diagnosis(key), rows, framework=key)
            except WorkfwError as exc:
                children.append(W.HTML(_error(str(exc))))
                continue
            figure = gap_figure(gap, title=f"{name}: how we see it and what the data shows ({where})")
            self.figures[key], self.gaps[key] = {"spread": spread, "gap": figure}, gap
            spread_out, gap_out = W.Output(), W.Output()
            show(spread_out, spread)
            show(gap_out, figure)
            children += [spread_out, gap_out, W.HTML(self.prompts_html(gap))]
        self.body.children = children

    def _render_hidden(self, responses: pd.DataFrame) -> None:
        # Nothing computed from the answers themselves reaches the page: no chart, no mean, no gap.
        self.figures, self.gaps = {}, {}
        lines = "".join(f"<li>{html.escape(line)}</li>"
                        for line in A.waiting_text(responses, frameworks=self.collector.frameworks))
        round_note = f"Round {self.reveal.round}. " if self.reveal.round > 1 else ""
        self.heading.value = (f"<p><b>{round_note}Results hidden</b> so that early answers do not steer later "
                              f"ones. Answers collected so far:</p><ul>{lines}</ul>")
        self.body.children = [W.HTML("<p class='note'>Click <b>Reveal results</b> when everyone has answered.</p>")]

    def prompts_html(self, gap: pd.DataFrame) -> str:
        """Every element's prompt, escaped: the ``prompts`` largest gaps to discuss first, then the others."""
        items = [f"<li><b>{html.escape(str(row.element))}</b> "
                 f"({html.escape(A.gap_label(row.perceived, row.measured))}): {html.escape(str(row.prompt))}</li>"
                 for row in gap.itertuples(index=False)]
        first, rest = items[:self.prompts], items[self.prompts:]
        where = html.escape(self.selection.selection_text())
        out = f"<p><b>To discuss, largest gap first</b> (data: {where}):</p><ol>" + "".join(first) + "</ol>"
        if rest:
            out += "<p><b>The other elements:</b></p><ul>" + "".join(rest) + "</ul>"
        return out


class ReportButton(W.VBox):
    """Write the offline report (:func:`workfw.report`) into the workspace and show where it is.

    Parameters
    ----------
    export : TaskExport
        The data.
    collector : Collector, optional
        Adds the group's answers and the perception gaps to the report.
    path : str or pathlib.Path, optional
        Where to write (default ``<workspace>/report.html``).
    selection : workfw.assessment.TeamSelection, optional
        The team shown on the page (``GroupResults.selection``): the report's
        diagnoses and gaps use the team chosen there when the button is
        clicked.  None: all teams.
    """

    def __init__(self, export: Any, collector: Collector | None = None, path: str | Path | None = None, *,
                 selection: A.TeamSelection | None = None) -> None:
        from workfw import workspace

        self.export, self.collector, self.selection = export, collector, selection
        self.path = Path(path) if path is not None else workspace.workspace_dir() / "report.html"
        self.button = W.Button(description="Write the report", icon="file", button_style="primary")
        self.pseudonymise = W.Checkbox(value=bool(workspace.settings().get("pseudonymise")), indent=False,
                                       description="Pseudonymise names in the report")
        self.progress = W.IntProgress(value=0, min=0, max=100, layout=W.Layout(width="300px", visibility="hidden"))
        self.status = W.HTML()
        self.button.on_click(lambda _: self.write())
        super().__init__([W.HBox([self.button, self.pseudonymise]), self.progress, self.status])

    def write(self) -> Path | None:
        """Write the report; returns its path, or None when it could not be written (the reason is shown)."""
        from workfw.reporting import report

        answers = self.collector.responses if self.collector is not None else None
        options = self.selection.options() if self.selection is not None else {}
        self.progress.layout.visibility = "visible"
        try:
            path = report(self.export, assessment=answers if answers is not None and len(answers) else None,
                          path=self.path, pseudonymise=bool(self.pseudonymise.value), progress=self._step,
                          **options)
        except (WorkfwError, OSError) as exc:
            self.status.value = _error(f"Could not write the report: {exc}")
            return None
        finally:
            self.progress.layout.visibility = "hidden"
        where = html.escape(str(path))
        scope = ""
        if options:
            # report() filters the diagnoses by team; its flow charts read the whole export.
            scope = (f" Scores and gaps are for {html.escape(self.selection.selection_text())}; the flow charts "
                     "cover the whole export.")
        self.status.value = (f"<p style='color:#060'>Wrote <a href=\"{html.escape(_relative(path))}\" "
                             f"target=\"_blank\">{html.escape(path.name)}</a> ({path.stat().st_size / 1e6:.1f} MB): "
                             f"<code>{where}</code>.{scope} It opens offline in any browser; share it only with the "
                             "people the data is about.</p>")
        return path

    def _step(self, step: str, done: int, total: int) -> None:
        self.progress.value = int(100 * done / max(total, 1))
        self.progress.description = step[:20]


def _relative(path: Path) -> str:
    """The path relative to the notebook's folder, as a link target Jupyter resolves to the file."""
    import os

    try:
        return Path(os.path.relpath(path.resolve(), Path.cwd())).as_posix()
    except ValueError:  # another drive on Windows
        return path.resolve().as_uri()


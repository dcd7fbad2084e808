"""Which team's data a workshop sets the room's answers beside.

The workshop used to score the whole export while the framework notebooks
scored the team chosen there, so one room saw two different numbers for the
same element.  :class:`TeamSelection` holds one choice of team for every view
of the workshop page and for the report written from it.  By default it
follows the room: the team most participants typed, when the export has that
team; otherwise all teams.  Once the facilitator picks a team by hand, new
answers no longer move it.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from workfw.errors import OptionError
from workfw.all_frameworks import diagnose_all

__all__ = ["TeamSelection", "default_team", "export_teams"]


def export_teams(export: Any) -> list[str]:
    """The teams named in an export's tasks, sorted.

    Parameters
    ----------
    export : TaskExport
        The data (needs ``tasks["team"]``).

    Returns
    -------
    list of str
        Distinct non-empty team names, sorted.
    """
    teams = export.tasks["team"].dropna().astype(str)
    return sorted(t for t in teams.unique().tolist() if t.strip())


def _key(team: Any) -> str:
    """Typed team names compare without case or extra spaces: "platform " is the export's "Platform"."""
    return " ".join(str(team).split()).casefold()


def _room(responses: pd.DataFrame) -> tuple[Counter, dict[str, str]]:
    """Participants per team they typed (normalised), and each team as first typed; no team, no count."""
    if not isinstance(responses, pd.DataFrame) or not {"participant", "team"} <= set(responses.columns):
        return Counter(), {}
    typed = responses[["participant", "team"]].dropna()
    typed = typed.assign(key=typed["team"].map(_key), team=typed["team"].map(lambda t: " ".join(str(t).split())))
    typed = typed[typed["key"] != ""].drop_duplicates(["participant", "key"])
    return Counter(typed["key"].tolist()), dict(zip(typed["key"].iloc[::-1], typed["team"].iloc[::-1]))


def _reading(responses: pd.DataFrame, teams: list[str]) -> tuple[str | None, str]:
    """The room's team spelled as in the export (None: all teams) and one sentence on why."""
    counts, typed = _room(responses)
    if not counts:
        answered = isinstance(responses, pd.DataFrame) and len(responses) > 0
        return None, ("No participant entered a team, so the data covers all teams." if answered else "")
    spelled = {**typed, **{_key(t): t for t in teams}}
    ranked = counts.most_common()
    top, n = ranked[0]
    total = sum(counts.values())
    tied = [spelled[team] for team, m in ranked if m == n]
    if len(tied) > 1:
        return None, (f"Participants entered {' and '.join(tied)} equally often ({n} each), so the data "
                      "covers all teams.")
    if top not in {_key(t) for t in teams}:
        return None, (f"{n} of {total} participants entered team {spelled[top]}, which the export does not "
                      f"have (its teams: {', '.join(teams) or 'none'}), so the data covers all teams.")
    return spelled[top], f"{n} of {total} participants entered team {spelled[top]}."


def default_team(responses: pd.DataFrame, teams: list[str]) -> str | None:
    """The team most participants entered, if the export has it; None (all teams) otherwise.

    Parameters
    ----------
    responses : pandas.DataFrame
        The long answer table (:data:`~workfw.assessment.RESPONSE_COLUMNS`);
        each participant counts once per team typed, whatever the number of
        frameworks or statements answered.
    teams : list of str
        The export's teams (:func:`export_teams`).

    Returns
    -------
    str or None
        The team as the export spells it (typed names match without case or
        extra spaces), or None when nobody entered a team, when two teams are
        entered equally often, or when the most common one is not in the export.
    """
    return _reading(responses, teams)[0]


class TeamSelection:
    """One team choice for a workshop page: its diagnoses, the number of tasks and a line saying so.

    Parameters
    ----------
    export : TaskExport
        The data.
    team : str, optional
        Start with this team chosen by hand (None: all teams, until
        :meth:`follow` reads the room's answers).

    Attributes
    ----------
    export : TaskExport
        The data (never modified).
    teams : list of str
        The export's teams.
    by_hand : bool
        True once :meth:`choose` was called: :meth:`follow` then changes nothing.
    note : str
        Why the team is what it is, when it follows the room (empty once chosen by hand).
    """

    def __init__(self, export: Any, *, team: str | None = None) -> None:
        self.export = export
        self.teams = export_teams(export)
        self.by_hand = False
        self.note = ""
        self._team: str | None = None
        self._diagnoses: dict[tuple[str | None, str], Any] = {}
        self._sizes: dict[str | None, int] = {}
        if team is not None:
            self.choose(team)

    @property
    def team(self) -> str | None:
        """The chosen team, or None for all teams."""
        return self._team

    def choose(self, team: str | None) -> None:
        """Choose a team by hand (None: all teams); later answers no longer change it.

        Raises
        ------
        workfw.errors.OptionError
            When the export has no such team.
        """
        if team is not None and team not in self.teams:
            raise OptionError(f"TeamSelection: team={team!r} is not a team of the export; expected one of "
                              f"{self.teams} or None for all teams. Next step: pick a team from that list.")
        self._team, self.by_hand, self.note = team, True, ""

    def follow(self, responses: pd.DataFrame) -> bool:
        """Take the room's team from its answers (:func:`default_team`) unless a team was chosen by hand.

        Returns
        -------
        bool
            True when the team changed.
        """
        if self.by_hand:
            return False
        team, self.note = _reading(responses, self.teams)
        changed = team != self._team
        self._team = team
        return changed

    def options(self) -> dict[str, Any]:
        """The ``diagnose`` options of this selection: ``{"team": team}``, or nothing for all teams."""
        return {} if self._team is None else {"team": self._team}

    def diagnosis(self, framework: str) -> Any:
        """The framework's diagnosis of the chosen team (computed once per team)."""
        key = (self._team, framework)
        if key not in self._diagnoses:
            self._diagnoses[key] = diagnose_all(self.export, frameworks=[framework], **self.options())[framework]
        return self._diagnoses[key]

    @property
    def tasks(self) -> int:
        """How many tasks the chosen team's diagnoses read."""
        if self._team not in self._sizes:
            from workfw.core.diagnosis import prepare  # the same filter the diagnoses apply (and cache)

            self._sizes[self._team] = len(prepare(self.export, **self.options()).tasks)
        return self._sizes[self._team]

    def selection_text(self) -> str:
        """``"634 tasks of team Platform"`` or ``"2,524 tasks of all teams"``."""
        n = self.tasks
        where = "all teams" if self._team is None else f"team {self._team}"
        return f"{n:,} task{'' if n == 1 else 's'} of {where}"

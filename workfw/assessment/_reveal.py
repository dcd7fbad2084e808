"""The reveal step: the group's results stay off the projector until the facilitator shows them.

People who answer late should not see how the early ones answered: a mean on
the screen anchors everyone still answering.  :class:`RevealState` holds
whether the results are shown, and :func:`answer_counts` / :func:`waiting_text`
say what the room may see meanwhile: how many people answered, per framework
and per team, and nothing of what they answered.
"""
from __future__ import annotations

from typing import Callable, Iterable

import pandas as pd

from workfw.assessment._bank import FRAMEWORKS

__all__ = ["RevealState", "answer_counts", "waiting_text", "NO_TEAM"]

#: How :func:`answer_counts` names the participants who typed no team.
NO_TEAM = "no team given"


class RevealState:
    """Whether the group's results are on the screen, and which round of answers this is.

    Parameters
    ----------
    revealed : bool
        Start with the results shown (default hidden).

    Attributes
    ----------
    revealed : bool
        True while the results are shown.
    round : int
        1 for the first round; :meth:`hide` starts the next one.
    """

    def __init__(self, *, revealed: bool = False) -> None:
        self.revealed = bool(revealed)
        self.round = 1
        self._callbacks: list[Callable[[], None]] = []

    def reveal(self) -> None:
        """Show the results (nothing changes when they are shown already)."""
        if not self.revealed:
            self.revealed = True
            self._changed()

    def hide(self) -> None:
        """Hide the results again and start the next round of answers."""
        if self.revealed:
            self.revealed = False
            self.round += 1
            self._changed()

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` after every :meth:`reveal` or :meth:`hide` that changed something."""
        self._callbacks.append(callback)

    def _changed(self) -> None:
        for callback in self._callbacks:
            callback()


def answer_counts(responses: pd.DataFrame, *, frameworks: Iterable[str] | None = None) -> pd.DataFrame:
    """How many people answered each framework, per team: what the room may see before the reveal.

    Parameters
    ----------
    responses : pandas.DataFrame
        The long answer table (:data:`~workfw.assessment.RESPONSE_COLUMNS`).
    frameworks : iterable of str, optional
        Framework keys to list, in this order, with 0 where nobody answered (default: those answered).

    Returns
    -------
    pandas.DataFrame
        ``framework, name, team, responses``: one row per framework and team typed (:data:`NO_TEAM` for
        none, teams sorted), plus a row with ``team`` None holding the framework's total.
    """
    keys = list(frameworks) if frameworks is not None else [k for k in FRAMEWORKS if k in
                                                             set(responses["framework"])]
    rows = []
    for key in keys:
        part = responses.loc[responses["framework"] == key, ["response", "team"]].drop_duplicates("response")
        rows.append({"framework": key, "name": FRAMEWORKS[key], "team": None, "responses": len(part)})
        teams = part["team"].astype("string").str.strip().fillna(NO_TEAM).replace("", NO_TEAM)
        for team, count in sorted(teams.value_counts().items(), key=lambda kv: (kv[0] == NO_TEAM, kv[0])):
            rows.append({"framework": key, "name": FRAMEWORKS[key], "team": str(team), "responses": int(count)})
    out = pd.DataFrame(rows, columns=["framework", "name", "team", "responses"])
    # object, so the total row's team stays None (pandas would make it NaN when every team is missing).
    out["team"] = pd.Series([r["team"] for r in rows], index=out.index, dtype=object)
    return out


def waiting_text(responses: pd.DataFrame, *, frameworks: Iterable[str] | None = None) -> list[str]:
    """One line per framework saying how many answered, and from which teams; no answer or score in it.

    Returns
    -------
    list of str
        E.g. ``"C4 Flywheel: 8 people answered (Platform 5, Data 2, no team given 1)"``; plain text, to be
        escaped by whoever shows it.
    """
    counts = answer_counts(responses, frameworks=frameworks)
    lines = []
    for key, part in counts.groupby("framework", sort=False):
        total = int(part.loc[part["team"].isna(), "responses"].iloc[0])
        teams = ", ".join(f"{t} {n}" for t, n in zip(part["team"], part["responses"]) if not pd.isna(t))
        people = "1 person" if total == 1 else f"{total} people"
        lines.append(f"{FRAMEWORKS[key]}: {people} answered" + (f" ({teams})" if teams else ""))
    return lines

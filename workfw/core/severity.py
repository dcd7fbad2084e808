"""How much a finding matters: the one severity scale every framework uses.

A finding is ``"high"``, ``"medium"`` or ``"low"`` (:data:`SEVERITIES`, most
severe first).  Where a signal's own number sets it, the thresholds are one of
the named :class:`SeverityScale` objects here, so a reader finds every cut-off
in one place:

- :data:`BY_SCORE`: a 0-100 score (lower is worse), for scores that are not
  plain shares (days, ratios) and for the share signals of the Coordination
  Stack and the C4 Flywheel (:func:`severity_of_score`).
- :data:`BY_BAD_SHARE`: the share of tasks with the problem, for the Work Value
  Pyramid's and Work Visibility's share signals (:func:`severity_of_share`).
- :data:`BY_LATE_CAPTURE`: the share of finished work logged after the fact,
  which skews every other score (Visibility's Private level and the caveat
  every diagnosis carries).

:func:`spread_severity` then spreads the findings of one diagnosis so that only
the worst few stay high.  The scales differ because they read different numbers;
they are kept as they were before they were gathered here, so no finding moved.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

__all__ = ["SEVERITIES", "SeverityScale", "BY_SCORE", "BY_BAD_SHARE", "BY_LATE_CAPTURE", "severity_of_score",
           "severity_of_share", "milder", "spread_severity"]

#: The severities, most severe first.
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")


@dataclass(frozen=True)
class SeverityScale:
    """Where a number turns a finding ``"medium"`` and ``"high"``.

    Attributes
    ----------
    high : float
        The threshold of ``"high"``.
    medium : float
        The threshold of ``"medium"``.
    """

    high: float
    medium: float

    def of_score(self, score: float) -> str:
        """Severity of a score where lower is worse: high strictly below :attr:`high`, medium below :attr:`medium`.

        Parameters
        ----------
        score : float
            A 0-100 score (higher is healthier).

        Returns
        -------
        {"high", "medium", "low"}
        """
        return "high" if score < self.high else "medium" if score < self.medium else "low"

    def of_share(self, bad_share: float) -> str:
        """Severity of a share of problem cases: high at or above :attr:`high`, medium at or above :attr:`medium`.

        Parameters
        ----------
        bad_share : float
            The share (0-1) of tasks with the problem.

        Returns
        -------
        {"high", "medium", "low"}
        """
        return "high" if bad_share >= self.high else "medium" if bad_share >= self.medium else "low"


#: A 0-100 score: high below 40, medium below 70.
BY_SCORE = SeverityScale(high=40.0, medium=70.0)
#: A share of tasks with the problem: high from a half, medium from a fifth.
BY_BAD_SHARE = SeverityScale(high=0.5, medium=0.2)
#: A share of finished work logged after the fact: high from 15%, medium from 5%.
BY_LATE_CAPTURE = SeverityScale(high=0.15, medium=0.05)


def severity_of_score(score: float) -> str:
    """Severity of a finding from its signal's 0-100 score on :data:`BY_SCORE`.

    Parameters
    ----------
    score : float
        The signal's score (higher is healthier).

    Returns
    -------
    {"high", "medium", "low"}
    """
    return BY_SCORE.of_score(score)


def severity_of_share(bad_share: float) -> str:
    """Severity of a finding from the share of tasks with the problem on :data:`BY_BAD_SHARE`.

    Parameters
    ----------
    bad_share : float
        Share (0-1) of the signal's tasks that have the problem.

    Returns
    -------
    {"high", "medium", "low"}
    """
    return BY_BAD_SHARE.of_share(bad_share)


def milder(*severities: str) -> str:
    """The mildest of the given severities (``milder("high", "medium") == "medium"``)."""
    return max(severities, key=SEVERITIES.index)


#: Most findings of one diagnosis that may be "high", and the share of them that may be "high" or "medium":
#: when nearly every finding is high, nothing stands out in a room.
MOST_HIGH, SHARE_HIGH, SHARE_MEDIUM = 3, 0.25, 0.4


def spread_severity(scores: Sequence[float], own: Sequence[str]) -> list[str]:
    """Severities that spread: a few high, some medium, the rest low.

    A finding keeps its own severity (from its score) or a milder one set by
    its rank among the diagnosis' findings, worst score first: at most
    :data:`MOST_HIGH` and a quarter of them may be high, and 40% high or
    medium.  So a finding is high only when it is both bad and among the worst.

    Parameters
    ----------
    scores : sequence of float
        Each finding's signal score (0-100, lower is worse).
    own : sequence of str
        Each finding's severity from its score alone.

    Returns
    -------
    list of str
        The severity of each finding, in the given order.
    """
    n = len(scores)
    high = min(MOST_HIGH, max(1, round(n * SHARE_HIGH)))
    medium = max(high, round(n * SHARE_MEDIUM))
    order = sorted(range(n), key=lambda i: (float(scores[i]), i))
    out = list(own)
    for rank, i in enumerate(order):
        cap = "high" if rank < high else "medium" if rank < medium else "low"
        out[i] = milder(own[i], cap)
    return out

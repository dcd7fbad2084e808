"""What the Coordination Stack is: its five layers, its options, what its signals look for, its root-cause rule.

The bottom of the package: the signals, the trend and the diagram read this
module, and it reads only :mod:`workfw.core`.
"""
from __future__ import annotations

from typing import Any

from workfw.core import Diagnosis
from workfw.frameworks import get_framework

__all__ = ["TITLE", "ELEMENTS", "STACK_DEFAULTS", "ROLES", "INTENT", "ACCEPTANCE", "DEPENDENCY", "DUE_FIELDS",
           "ASSIGNEE_FIELDS", "STATUS_FIELDS", "FINISHED", "CONTAINER_TYPES", "GOAL_LABELS", "root_cause",
           "root_cause_text"]

#: The framework's display name, from the one registry (:mod:`workfw.frameworks`).
TITLE: str = get_framework("coordination_stack").title

#: The layers from the foundation up: each rests on those beneath it.
ELEMENTS: tuple[str, ...] = ("Why", "What", "Who", "When", "How")

#: Options of :func:`workfw.coordination_stack.diagnose` beyond :data:`workfw.core.DEFAULTS`.
STACK_DEFAULTS: dict[str, Any] = {
    "fresh_days": 14,     # an open task updated within this many days counts as current (How)
    "weak_below": 60.0,   # a layer scoring below this is weak (root-cause view)
}

#: One line per layer on the unscored diagram: the question it answers.
ROLES: dict[str, str] = {
    "Why": "purpose and intent", "What": "definition and scope", "Who": "ownership",
    "When": "timing", "How": "execution and alignment",
}

# --- what the signals look for (case-blind RE2 patterns, field names of the history) -------------------

#: Intent cues in a description (Why).
INTENT = r"\bso that\b|\bin order to\b|\bbecause\b|\bgoal\b|\boutcome\b|\bobjective\b|\bwhy\b"
#: Acceptance criteria, a checklist or given/when/then in a description (What).
ACCEPTANCE = (r"acceptance criteria|definition of done|\bdod\b|\bAC:|- \[[ xX]\]|\[[ xX]\] |"
              r"\bgiven\b(?s:.)*\bwhen\b(?s:.)*\bthen\b|\bdone when\b")
#: A blocker or dependency named in a description (How).
DEPENDENCY = r"blocked by|blocked on|depends on|dependent on|waiting (?:on|for)|(?:^|\s)#\d+\b"
#: History fields that record a due date (lower case).
DUE_FIELDS = ("due", "duedate", "due_date", "due date")
#: History fields that record an owner (lower case).
ASSIGNEE_FIELDS = ("assignee", "assignees")
#: History fields that record a status move.
STATUS_FIELDS = ("status", "created")
#: Status categories of finished work.
FINISHED = ("done", "cancelled")
#: Types of epics and their kin: goals themselves, so they are not asked to link to a goal.
CONTAINER_TYPES = r"epic|initiative|objective|goal|milestone|theme|okr"
#: Goal-like labels.  "okr" also matches inside "okr-growth"; a bare quarter ("q3") is a timeframe, not a goal.
GOAL_LABELS = r"\b(?:okrs?|goals?|objectives?|initiatives?|milestones?|epics?|kr)\b|okr"


# --- the root-cause rule ---------------------------------------------------------------------------------

def root_cause(diagnosis: Diagnosis, *, weak_below: float | None = None) -> str | None:
    """The layer to fix first: the lowest weak layer of the stack, or None when no layer is weak.

    A layer is weak when its score is below ``weak_below`` (default: the
    diagnosis' ``weak_below`` option, 60).  Because upper layers rest on lower
    ones, the lowest weak layer is the likely cause of every weak layer above
    it; when it is the only weak layer, it is its own cause.  Layers that are
    not measurable are never named.

    Parameters
    ----------
    diagnosis : Diagnosis
        From :func:`workfw.coordination_stack.diagnose`.
    weak_below : float, optional
        Threshold below which a layer is weak.

    Returns
    -------
    str or None
    """
    limit = diagnosis.options.get("weak_below", STACK_DEFAULTS["weak_below"]) if weak_below is None else weak_below
    scores = diagnosis.scores()
    weak = [e for e in ELEMENTS if scores.get(e) is not None and scores[e] < limit]
    return weak[0] if weak else None


def root_cause_text(diagnosis: Diagnosis, *, weak_below: float | None = None) -> str | None:
    """A sentence for :func:`root_cause`, e.g. ``"When is weak (41); fix Why (35) first."``.

    Parameters
    ----------
    diagnosis : Diagnosis
        From :func:`workfw.coordination_stack.diagnose`.
    weak_below : float, optional
        Threshold below which a layer is weak (default: the diagnosis' ``weak_below`` option, 60).

    Returns
    -------
    str or None
        None when no layer is weak.
    """
    limit = diagnosis.options.get("weak_below", STACK_DEFAULTS["weak_below"]) if weak_below is None else weak_below
    cause = root_cause(diagnosis, weak_below=limit)
    if cause is None:
        return None
    scores = diagnosis.scores()
    above = [e for e in ELEMENTS[ELEMENTS.index(cause) + 1:] if scores[e] is not None and scores[e] < limit]
    unknown = [e for e in ELEMENTS[:ELEMENTS.index(cause)] if scores[e] is None]
    if above:
        layers = " and ".join(f"{e} ({scores[e]:.0f})" for e in above)
        text = (f"{layers} {'is' if len(above) == 1 else 'are'} weak (below {limit:.0f}); the lowest weak layer "
                f"beneath is {cause} ({scores[cause]:.0f}): fix {cause} first.")
    else:
        text = (f"{cause} is weak ({scores[cause]:.0f}, below {limit:.0f}) while the layers beneath it hold: "
                f"fix {cause} itself.")
    if unknown:
        text += f" {' and '.join(unknown)} could not be measured, so the cause may lie there too."
    return text

"""What the Work Visibility Framework is: five levels, the kinds of open work and the levels that fit each.

The bottom of the package: the levels, the signals and the figures read this
module, and it reads nothing of workfw.  The framework asks for *appropriate*
visibility, not the most: each open task is one kind of work (our inferred
design choice, :data:`KINDS`), and each kind has a range of levels that fits it
(:data:`APPROPRIATE`).
"""
from __future__ import annotations

import numpy as np

from workfw.frameworks import get_framework

__all__ = ["TITLE", "ELEMENTS", "ROLES", "KINDS", "APPROPRIATE", "FIT_LOW", "FIT_HIGH", "HIGH_PRIORITIES", "LOW_PRIORITIES",
           "CHORE_TYPES", "CHORE_LABEL", "KEY_PREFIX"]

#: The framework's display name, from the one registry (:mod:`workfw.frameworks`).
TITLE: str = get_framework("visibility").title

#: The levels from private effort to organisation-wide.
ELEMENTS: tuple[str, ...] = (
    "Private", "Personal System", "Team Visible", "Cross-functional Visible", "Organizational Visible",
)

#: One line per level on the unscored diagram: where the work is seen.
ROLES: dict[str, str] = {
    "Private": "only in someone's head", "Personal System": "in a personal tool",
    "Team Visible": "in the team's shared system", "Cross-functional Visible": "shared with teams it touches",
    "Organizational Visible": "tied to goals leaders see",
}

#: Kinds of open work, first match wins: major work is an epic/milestone/goal, high priority, blocks other
#: open work or waits on another team's item; a low-priority chore is a chore-like type or label with a low
#: priority; routine work is the rest.
KINDS: tuple[str, ...] = ("Major work", "Routine work", "Low-priority chores")

#: The lowest and highest level that fit each kind of work (*inferred*: the framework sets visibility by
#: value, dependencies and decision needs; its fit check flags major work at Team Visible or below and
#: low-priority chores at Organizational Visible).
APPROPRIATE: dict[str, tuple[str, str]] = {
    "Major work": ("Cross-functional Visible", "Organizational Visible"),
    "Routine work": ("Team Visible", "Organizational Visible"),
    "Low-priority chores": ("Team Visible", "Cross-functional Visible"),
}
#: Lowest and highest rank (1 Private ... 5 Organizational) that fit each kind, in :data:`KINDS` order.
FIT_LOW = np.array([ELEMENTS.index(APPROPRIATE[k][0]) + 1 for k in KINDS])
FIT_HIGH = np.array([ELEMENTS.index(APPROPRIATE[k][1]) + 1 for k in KINDS])

#: Priorities (lower case, or their first word: ``P1 - Critical``) that make work major.
HIGH_PRIORITIES = frozenset({"highest", "high", "critical", "urgent", "blocker", "p0", "p1", "0", "1"})
#: Priorities that make a chore low-priority.
LOW_PRIORITIES = frozenset({"low", "lowest", "minor", "trivial", "p3", "p4", "p5", "4"})
#: Issue types of chores (as :func:`workfw.core.type_words` spells them).
CHORE_TYPES = frozenset({"chore", "task", "sub task", "subtask", "meeting", "admin", "maintenance", "housekeeping"})
#: Labels of chores.
CHORE_LABEL = r"(?i)^(?:chore|maintenance|housekeeping|meeting|admin)s?$"
#: An issue key (``ABC-12``), whose prefix names the project of an item outside the export.
KEY_PREFIX = r"^([A-Za-z][A-Za-z0-9_]*)-\d+$"

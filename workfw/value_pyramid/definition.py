"""What the Work Value Pyramid is: its three levels, its options and what places a task on a level.

The bottom of the package: the kinds of work, the levels, the signals and the
figures read this module, and it reads only :mod:`workfw.core`.  The goal links
(task -> epic -> goal, :data:`workfw.core.GOAL_TYPES`) are shared with the
Coordination Stack and Visibility, so they live in :mod:`workfw.core.links`.
"""
from __future__ import annotations

import re
from typing import Any

from workfw.frameworks import get_framework

__all__ = ["TITLE", "ELEMENTS", "OPTIONS", "ROLES", "VALUE_TYPES", "OVERHEAD", "RELEASED_LABEL", "RELEASE_COLUMNS",
           "CUSTOMER_LABEL", "CUSTOMER_TYPES"]

#: The framework's display name, from the one registry (:mod:`workfw.frameworks`).
TITLE: str = get_framework("value_pyramid").title

#: The levels from the base up: every task is activity, some make progress, a few reach outcomes.
ELEMENTS: tuple[str, ...] = ("Activities", "Progress", "Outcomes")

#: Framework options of :func:`workfw.value_pyramid.diagnose` and their defaults.
OPTIONS: dict[str, Any] = {
    "period_days": 30,       # "this period" for epics that moved and for busyness per week
    "outcome_target": 5.0,   # outcome events per 100 activity events that scores 100 (our design choice)
}

#: One line per level on the unscored diagram: what the level holds.
ROLES: dict[str, str] = {
    "Activities": "what people do", "Progress": "movement toward a goal", "Outcomes": "realised change",
}

# --- what places a task on a level (see workfw.value_pyramid.classify_levels for the rules in order) --------

#: Types whose completion is a deliverable (compared with tasks).
VALUE_TYPES = frozenset({"story", "user story", "feature", "product backlog item", "requirement", "enhancement"})
#: Overhead that stays an activity even under an epic.
OVERHEAD = re.compile(r"^(?:chore|meeting|admin|housekeeping)s?$", re.IGNORECASE)
#: A label that marks an item as released.
RELEASED_LABEL = re.compile(r"^(?:released|shipped|deployed)\b", re.IGNORECASE)
#: Columns (lower case, letters only) whose value marks an item as released.
RELEASE_COLUMNS = frozenset({"fixversion", "fixversions", "fixedinversion", "release", "releases"})
#: A label of a customer or incident ticket.
CUSTOMER_LABEL = re.compile(r"(?:customer|incident|escalat|zendesk|freshdesk|intercom)", re.IGNORECASE)
#: Types of customer or incident tickets.
CUSTOMER_TYPES = frozenset({"incident", "customer request", "service request", "support request", "problem"})

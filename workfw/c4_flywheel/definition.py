"""What the C4 Flywheel is: its loop and hub, its options and how it borrows the other frameworks' signals.

The bottom of the package: the signals, the flow views and the figures read
this module, and it reads nothing of workfw.  Clarity -> Coordination ->
Completion is the loop and Collaboration the hub that powers it; following
the cross-framework rules (``frameworks.md`` section 5), Clarity and
Coordination are measured with the Coordination Stack's layers
(:data:`STACK_TO_C4`) and Completion with the Work Value Pyramid's Progress and
Outcomes (:data:`PYRAMID_TO_C4`).
"""
from __future__ import annotations

from typing import Any

from workfw.frameworks import get_framework

__all__ = ["TITLE", "ELEMENTS", "LOOP", "FLOW_CONTEXT", "C4_DEFAULTS", "ROLES", "STACK_TO_C4", "PYRAMID_TO_C4",
           "MIN_LOOP_PERIODS", "MIN_SHOWN_PAIRS"]

#: The framework's display name, from the one registry (:mod:`workfw.frameworks`).
TITLE: str = get_framework("c4_flywheel").title

#: The loop in order, then the hub.
ELEMENTS: tuple[str, ...] = ("Clarity", "Coordination", "Completion", "Collaboration")
#: The elements that form the loop.
LOOP: tuple[str, ...] = ELEMENTS[:3]
#: The label of the flow signals: measured and shown beside the elements, never part of an element's score.
FLOW_CONTEXT = "Flow (context)"

#: Options of :func:`workfw.c4_flywheel.diagnose` beyond :data:`workfw.core.DEFAULTS` (and the Pyramid's own).
C4_DEFAULTS: dict[str, Any] = {
    "flow_days": 90,      # resolved / created is compared over this many days before as_of (None: whole export)
    "fresh_days": 14,     # passed to the Stack's "current" signal (Coordination)
}

#: One line per element on the unscored diagram: what the element stands for.
ROLES: dict[str, str] = {
    "Clarity": "what and why", "Coordination": "who, when, how it connects",
    "Completion": "finished, value realised", "Collaboration": "the fuel",
}

#: The C4 element each Coordination Stack layer's signals measure.
STACK_TO_C4: dict[str, str] = {"Why": "Clarity", "What": "Clarity", "Who": "Coordination", "When": "Coordination",
                               "How": "Coordination"}
#: The Work Value Pyramid levels whose signals measure Completion (value realised, not throughput).
PYRAMID_TO_C4: tuple[str, ...] = ("Progress", "Outcomes")

#: Fewest periods with a score before the loop's correlation is computed.
MIN_LOOP_PERIODS = 4
#: Fewest (Clarity, next Completion) pairs before the loop chart shows a correlation: over fewer, one odd
#: month decides it, and a room reads r = -0.56 over ten points as a verdict.
MIN_SHOWN_PAIRS = 12

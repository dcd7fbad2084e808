"""Workshop widgets for the facilitator's notebook (05_workshop): collect answers, show the group, report."""
from __future__ import annotations

__all__: list[str] = []

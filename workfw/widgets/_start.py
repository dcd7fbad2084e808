"""The start notebook's readable views: the environment check and what an export lets each framework see."""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as W

from workfw.coverage import coverage_table
from workfw.readable import coverage_view, environment_view
from workfw.setup_check import check_environment
from workfw.widgets._common import PAGE, frame_html

__all__ = ["EnvironmentCheck", "CoverageView"]


class EnvironmentCheck(W.HTML):
    """One sentence (ready, or how many checks failed) over the checks, failures and their fixes first."""

    def __init__(self) -> None:
        self.checks = check_environment()
        sentence, self.table = environment_view(self.checks)
        super().__init__(f"<p><b>{html.escape(sentence)}</b></p>{frame_html(self.table)}", layout=PAGE)

    @property
    def ready(self) -> bool:
        """True when every check passed."""
        return bool(self.checks["ok"].all())


class CoverageView(W.HTML):
    """Per framework element, how many of its signals the export can measure and what it lacks.

    Parameters
    ----------
    export : TaskExport
        The data (the workspace's current export in ``00_start_here``).
    """

    def __init__(self, export: Any) -> None:
        self.table = coverage_view(coverage_table(export))
        super().__init__(frame_html(self.table), layout=PAGE)

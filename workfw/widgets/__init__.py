"""ipywidgets views for the notebooks: thin layers over testable models and functions."""
from __future__ import annotations

from ._explorer import (FRAMEWORKS, AssessmentForm, Explorer, ExplorerModel, GapView, Markup, findings_html, show,
                        tasks_html)
from ._loader import DataLoader, StatusMapEditor, report_html
from ._workshop import *  # noqa: F401,F403  (workshop views; their names are in _workshop.__all__)
from ._workshop import __all__ as _workshop_all

__all__ = ["FRAMEWORKS", "AssessmentForm", "Explorer", "ExplorerModel", "GapView", "Markup", "findings_html", "show",
           "tasks_html", "DataLoader", "StatusMapEditor", "report_html", *_workshop_all]

"""ipywidgets views for the notebooks: thin layers over testable models and functions."""
from __future__ import annotations

from ._explorer import (FRAMEWORKS, AssessmentForm, Explorer, ExplorerModel, GapView, Markup, findings_html, show,
                        tasks_html)
from ._loader import DataLoader, StatusMapEditor, report_html

__all__ = ["FRAMEWORKS", "AssessmentForm", "Explorer", "ExplorerModel", "GapView", "Markup", "findings_html", "show",
           "tasks_html", "DataLoader", "StatusMapEditor", "report_html"]

"""ipywidgets views for the notebooks: thin layers over testable models and functions.

00_start_here: :class:`EnvironmentCheck`, :class:`DataLoader` (with :class:`StatusMapEditor`),
:class:`CoverageView`, :class:`TrackerComparison`.
01-04 (one framework each): :class:`FrameworkDiagram`, :class:`AssessmentForm`, :class:`PerceivedDiagram`,
:class:`Explorer`, :class:`FindingsBrowser`, :class:`GapView`, :class:`NextSteps`, :class:`SignalTable`, and
for the C4 Flywheel :class:`WipWhatIf` and :class:`LoopTrend`, for the Stack :class:`RootCause`.  Every view
below an explorer follows its filters.  Framework keys are in :data:`FRAMEWORKS`.
"""
from __future__ import annotations

from workfw.widgets._assessment import AssessmentForm, FrameworkDiagram, GapView, PerceivedDiagram
from workfw.widgets._common import FRAMEWORK_NAMES, FRAMEWORKS, Markup, findings_html, show, tasks_html
from workfw.widgets._explorer import Explorer
from workfw.widgets._findings import FindingsBrowser, NextSteps
from workfw.widgets._follow import LoopTrend, RootCause, SignalTable
from workfw.widgets._start import CoverageView, EnvironmentCheck
from workfw.widgets._loader import DataLoader, StatusMapEditor, report_html
from workfw.widgets._model import ExplorerModel
from workfw.widgets._trackers import TrackerComparison
from workfw.widgets._whatif import WipWhatIf
from workfw.widgets._workshop import *  # noqa: F401,F403  (workshop views; their names are in _workshop.__all__)
from workfw.widgets._workshop import __all__ as _workshop_all

__all__ = ["FRAMEWORKS", "FRAMEWORK_NAMES", "AssessmentForm", "Explorer", "ExplorerModel", "GapView", "Markup",
           "findings_html", "show", "tasks_html", "DataLoader", "StatusMapEditor", "report_html",
           "FrameworkDiagram", "PerceivedDiagram", "FindingsBrowser", "NextSteps", "WipWhatIf", "TrackerComparison",
           "SignalTable", "LoopTrend", "RootCause", "EnvironmentCheck", "CoverageView",
           *_workshop_all]

# 06_flow_and_forecasts: stages, flow metrics and forecasts under one set of controls (issue 15).
from workfw.widgets._flow import FlowExplorer, FlowModel  # noqa: E402

__all__ += ["FlowExplorer", "FlowModel"]
from workfw.widgets._participant_form import OfflineFormButton  # noqa: E402  (05_workshop: the offline form)

__all__ += ["OfflineFormButton"]
from workfw.widgets._organisation import OrganisationModel, OrganisationView  # noqa: E402  (07_organisation)

__all__ += ["OrganisationModel", "OrganisationView"]

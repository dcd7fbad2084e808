"""The explorer's model: one framework's diagnosis under the chosen filters and thresholds.

:class:`ExplorerModel` holds the logic (it calls the same ``workfw``
functions a script would); :class:`~workfw.widgets.Explorer` and every view
that follows it only observe the model.  It sits below both, so the views
that follow an explorer (:class:`~workfw.widgets.GapView`, the findings, the
C4 loop...) need only this module, not the explorer's.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Protocol

import pandas as pd
import traitlets as T

from workfw.core.diagnosis import DEFAULTS, prepare
from workfw.export import TaskExport
from workfw.widgets._common import ALL, framework_module

__all__ = ["ExplorerModel", "ExplorerLike", "ChartMaker", "THRESHOLD_HELP", "thresholds_read"]

#: ``extra_charts(diagnosis, export, options) -> list of figures``: the charts drawn under a diagnosis.
ChartMaker = Callable[[Any, TaskExport, dict], list]


#: Selections remembered per model (diagnoses and their charts).
_REMEMBER = 12


def _keep(cache: OrderedDict, key: str) -> None:
    cache.move_to_end(key)
    while len(cache) > _REMEMBER:
        cache.popitem(last=False)


#: The thresholds the explorer offers, with the line that explains each under the sliders.
THRESHOLD_HELP: dict[str, str] = {
    "stale_days": "Stale after: open work not updated for this many days counts as stale, and an owner "
                  "silent this long as absent.",
    "substantive_words": "Description counts from: a description needs this many words to say what is wanted.",
    "aging_multiple": "Aging at: work in progress longer than this many times the usual (median) cycle time "
                      "counts as aging.",
}


def thresholds_read(module: Any) -> list[str]:
    """The thresholds of :data:`THRESHOLD_HELP` that some signal of a framework module reads.

    Each signal's ``how`` names the options it reads (``"... for stale_days"``), so a framework whose signals
    never mention a threshold gets no control for it.
    """
    return [name for name in THRESHOLD_HELP if any(name in spec.how for spec in module.SIGNALS)]


def _default_charts(module: Any) -> ChartMaker:
    def charts(_diagnosis: Any, export: TaskExport, options: dict) -> list:
        return module.figures(export, **options)

    return charts


class ExplorerModel(T.HasTraits):
    """Filters and thresholds of one framework's diagnosis; recomputes when any changes.

    The diagnosis is recomputed on every change; the framework's charts only
    when :attr:`charts` is read (a view reads them after it has redrawn the
    diagram).  Both are kept per set of options, so coming back to an earlier
    selection is instant, and a threshold change re-runs only the signals that
    read it (see :func:`workfw.core.diagnosis.run_signals`).

    Parameters
    ----------
    export : TaskExport
        The data.
    framework : str
        Key of :data:`workfw.widgets.FRAMEWORKS`.
    extra_charts : callable or None
        ``extra_charts(diagnosis, export, options) -> list of figures``; None
        draws the framework's own charts (``module.figures``), filtered alike.
    """

    team = T.Unicode(ALL)
    project = T.Unicode(ALL)
    window = T.Tuple((None, None))
    actors = T.Enum(["all", "people", "agents"], default_value="all")
    stale_days = T.Int(DEFAULTS["stale_days"])
    substantive_words = T.Int(DEFAULTS["substantive_words"])
    aging_multiple = T.Float(DEFAULTS["aging_multiple"])
    diagnosis = T.Any(None)

    def __init__(self, export: TaskExport, framework: str, *, extra_charts: ChartMaker | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.export = export
        self.framework = framework
        self.module = framework_module(framework)
        self.extra_charts = _default_charts(self.module) if extra_charts is None else extra_charts
        self._diagnoses: OrderedDict[str, tuple[int, Any]] = OrderedDict()
        self._charts: OrderedDict[str, list] = OrderedDict()
        self.recompute()

    @property
    def teams(self) -> list[str]:
        """Team names present in the data, for the team control."""
        return [ALL] + sorted(self.export.tasks["team"].dropna().astype(str).unique().tolist())

    @property
    def projects(self) -> list[str]:
        """Project names present in the data (within the chosen team), for the project control."""
        tasks = self.export.tasks
        if self.team != ALL:
            tasks = tasks[tasks["team"] == self.team]
        return [ALL] + sorted(tasks["project"].dropna().astype(str).unique().tolist())

    @property
    def months(self) -> list[pd.Timestamp]:
        """Month starts spanned by the data, for the date-window control."""
        created = self.export.tasks["created"].dropna()
        if created.empty:
            return []
        start = created.min().tz_convert(None).to_period("M").to_timestamp()
        end = created.max().tz_convert(None).to_period("M").to_timestamp()
        return list(pd.date_range(start, end, freq="MS", tz="UTC"))

    def options(self) -> dict[str, Any]:
        """The keyword options passed to ``diagnose`` and to the framework's charts."""
        opts: dict[str, Any] = {"stale_days": self.stale_days, "substantive_words": self.substantive_words,
                                "aging_multiple": self.aging_multiple, "actors": self.actors}
        if self.team != ALL:
            opts["team"] = self.team
        if self.project != ALL:
            opts["project"] = self.project
        if self.window[0] is not None:
            start, end = self.window
            opts["window"] = (start, end + pd.offsets.MonthEnd(1))
        return opts

    @T.observe("team", "project", "window", "actors", "stale_days", "substantive_words", "aging_multiple")
    def _changed(self, _: dict) -> None:
        self.recompute()

    def _key(self) -> str:
        return repr(sorted(self.options().items()))

    def recompute(self) -> None:
        """Run the framework's diagnosis with the current options (or take it from an earlier run)."""
        key = self._key()
        if key not in self._diagnoses:
            opts = self.options()
            # ``prepare`` keeps the filtered table, so the diagnosis below filters nothing again.
            selected = len(prepare(self.export, **opts).tasks)
            self._diagnoses[key] = (selected, self.module.diagnose(self.export, **opts))
        _keep(self._diagnoses, key)
        self.selected, diagnosis = self._diagnoses[key]
        self.diagnosis = diagnosis

    @property
    def charts(self) -> list:
        """The framework's charts for the current options, drawn when first asked for."""
        key = self._key()
        if key not in self._charts:
            self._charts[key] = list(self.extra_charts(self.diagnosis, self.export, self.options()))
        _keep(self._charts, key)
        return self._charts[key]

    def selection_text(self) -> str:
        """One line on what is shown: tasks in the selection and the reference date."""
        d = self.diagnosis
        opts = self.options()
        parts = [f"team {opts['team']}" if "team" in opts else "all teams"]
        if "project" in opts:
            parts.append(f"project {opts['project']}")
        if self.actors != "all":
            parts.append(f"work by {self.actors}")
        return f"{self.selected} tasks of {', '.join(parts)}; as of {d.as_of:%Y-%m-%d}"


class ExplorerLike(Protocol):
    """What a view that follows an explorer needs of it: its :class:`ExplorerModel` (an ``Explorer`` has one)."""

    model: ExplorerModel

"""The offline report: every diagnosis and flow chart of an export in one HTML file, or as JSON.

:func:`report` writes one self-contained HTML page (plotly.js inlined once,
no network reference) that a facilitator can open in a workshop room without
wifi.  :func:`report_json` returns the same reading as plain JSON-ready data
for scripts and AI agents; :func:`diagnose_all` runs the four frameworks.

Both go through one analysis (``_analyse`` in :mod:`workfw.reporting.analysis`),
so the page and the JSON always agree.  Names are pseudonymised before
anything is computed when asked (:func:`workfw.privacy.pseudonymise`, with
the workspace's salt), so findings, hover text and tables show only
pseudonyms; ``pseudonymise_text`` also replaces names inside titles and
descriptions.
"""
from __future__ import annotations

import importlib
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from workfw.errors import OptionError, WorkfwError

if TYPE_CHECKING:
    from workfw.reporting.analysis import _Steps

__all__ = ["FRAMEWORKS", "ReportPartMissingError", "ReportWriteError", "diagnose_all", "export_summary",
           "report_json", "report_html", "report", "write_text"]

#: Framework module name -> display name, in report order.
FRAMEWORKS: dict[str, str] = {
    "c4_flywheel": "C4 Flywheel",
    "coordination_stack": "Coordination Stack",
    "value_pyramid": "Work Value Pyramid",
    "visibility": "Work Visibility",
}

#: Days ahead of ``as_of`` the report's "how many" forecast looks.
FORECAST_DAYS = 28

Progress = Callable[[str, int, int], None]


class ReportPartMissingError(WorkfwError):
    """A part of the report needs a workfw module or function this installation does not have."""


class ReportWriteError(WorkfwError):
    """The report file could not be written."""


def _part(module: str, what: str, *names: str) -> Any:
    """Import ``workfw.<module>`` (and check ``names`` exist) or raise :class:`ReportPartMissingError`."""
    full = f"workfw.{module}"
    try:
        mod = importlib.import_module(full)
    except ModuleNotFoundError as exc:
        if exc.name != full:
            raise
        raise ReportPartMissingError(
            f"report: the {what} needs {full}; found no such module in this workfw installation; expected it "
            "to ship with workfw. Next step: update workfw, or leave that part out.") from exc
    missing = [n for n in names if not hasattr(mod, n)]
    if missing:
        raise ReportPartMissingError(
            f"report: the {what} needs {full}.{missing[0]}; found a {full} without it; expected "
            f"{', '.join(names)}. Next step: update workfw, or leave that part out.")
    return mod


def _check_frameworks(frameworks: Iterable[str]) -> list[str]:
    chosen = [frameworks] if isinstance(frameworks, str) else list(frameworks)
    unknown = [f for f in chosen if f not in FRAMEWORKS]
    if unknown or not chosen:
        raise OptionError(f"report: frameworks={chosen!r}; expected one or more of {list(FRAMEWORKS)}. "
                          "Next step: pass for example frameworks=('c4_flywheel', 'visibility').")
    return list(dict.fromkeys(chosen))


def _route_options(frameworks: list[str], options: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Shared options go to every framework; ``<framework>={...}`` only to that one."""
    from workfw.core.diagnosis import DEFAULTS

    unknown = sorted(k for k in options if k not in DEFAULTS and k not in FRAMEWORKS)
    if unknown:
        raise OptionError(f"diagnose_all got unknown options {unknown}; expected the shared options "
                          f"{sorted(DEFAULTS)}, or a framework name with a dict of its own options "
                          "(e.g. coordination_stack={'fresh_days': 7}). Next step: check the spelling.")
    shared = {k: v for k, v in options.items() if k in DEFAULTS}
    routed = {}
    for name in frameworks:
        own = options.get(name) or {}
        if not isinstance(own, Mapping):
            raise OptionError(f"diagnose_all: {name}={own!r}; expected a dict of that framework's options. "
                              f"Next step: pass {name}={{'option': value}}.")
        routed[name] = {**shared, **own}
    return routed


def diagnose_all(export: Any, *, as_of: Any = None, frameworks: Iterable[str] = tuple(FRAMEWORKS),
                 progress: Progress | None = None, **options: Any) -> dict[str, Any]:
    """Run every framework's ``diagnose`` on one export.

    Parameters
    ----------
    export : TaskExport or pandas.DataFrame
        From :func:`workfw.read_export` (or its task table).
    as_of : timestamp-like, optional
        Reference time for all frameworks; defaults to the latest timestamp in the data.
    frameworks : iterable of str
        Module names from :data:`FRAMEWORKS`, in the order wanted.
    progress : callable, optional
        ``progress(step, done, total)`` called before each framework.
    **options
        Shared diagnose options (:data:`workfw.core.diagnosis.DEFAULTS`), and a
        dict per framework name for its own options.

    Returns
    -------
    dict of str to Diagnosis
        Keyed by module name, in ``frameworks`` order.
    """
    chosen = _check_frameworks(frameworks)
    routed = _route_options(chosen, options)
    export = _as_export(export)
    out = {}
    for i, name in enumerate(chosen):
        if progress is not None:
            progress(f"diagnosing {FRAMEWORKS[name]}", i, len(chosen))
        module = _part(name, f"{FRAMEWORKS[name]} diagnosis", "diagnose")
        out[name] = module.diagnose(export, as_of=as_of, **routed[name])
    return out


def _as_export(export: Any) -> Any:
    from workfw.export import ImportReport, TaskExport
    from workfw.schema import conform_events, tasks_of

    if isinstance(export, TaskExport):
        return export
    if isinstance(export, (str, Path)):
        from workfw.io import read_export

        return read_export(export)
    tasks = tasks_of(export, where="export")
    return TaskExport(tasks=tasks, events=conform_events(pd.DataFrame(columns=["task_id", "at"])),
                      raw=pd.DataFrame(index=tasks.index),
                      report=ImportReport(source="table", file="(a task table)", rows_read=len(tasks)))


# --------------------------------------------------------------------------- JSON


def _plain(value: Any) -> Any:
    """Turn pandas/numpy values into JSON types (NaN/NA -> None, timestamps -> ISO text)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return [_plain(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, pd.Timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    return value if isinstance(value, str) else str(value)


def export_summary(export: Any) -> dict[str, Any]:
    """Rows, tasks, date span and warnings of an export, as JSON-ready data."""
    tasks, rep = export.tasks, export.report
    stamps = pd.concat([tasks[c] for c in ("created", "updated", "started", "completed")]).dropna()
    return {
        "source": rep.source, "file": rep.file, "rows_read": rep.rows_read, "tasks": len(tasks),
        "events": len(export.events), "merged": rep.merged, "rejected": rep.rejected,
        "first": _plain(stamps.min()) if len(stamps) else None, "last": _plain(stamps.max()) if len(stamps) else None,
        "unmapped_columns": list(rep.unmapped_columns), "warnings": list(rep.warnings),
    }


def report_json(export: Any, *, assessment: Any = None, pseudonymise: bool = False,
                pseudonymise_text: bool = False, frameworks: Iterable[str] = tuple(FRAMEWORKS), as_of: Any = None,
                progress: Progress | None = None, **options: Any) -> dict[str, Any]:
    """A machine-readable diagnosis of an export: plain dicts and lists, ready for ``json.dumps``.

    Parameters
    ----------
    export : TaskExport, pandas.DataFrame or path
        The export (a path is read with :func:`workfw.read_export`).
    assessment : pandas.DataFrame or dict, optional
        Responses from :func:`workfw.assessment.load_responses`, or a dict
        framework -> :func:`workfw.assessment.perceived_scores` table.
    pseudonymise : bool
        Replace people's names with pseudonyms before anything is computed.
    pseudonymise_text : bool
        Also replace names written inside titles, descriptions and other free
        text (``in_text`` of :func:`workfw.privacy.pseudonymise`); implies
        ``pseudonymise``.
    frameworks : iterable of str
        Which of :data:`FRAMEWORKS` to run.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    progress : callable, optional
        ``progress(step, done, total)``.
    **options
        As :func:`diagnose_all`.

    Returns
    -------
    dict
        ``format, workfw_version, as_of, pseudonymised, pseudonymised_text, export`` (the import
        summary), ``diagnoses`` (each :meth:`Diagnosis.to_dict`), ``flow``
        (cycle-time percentiles, aging, throughput, forecast) and ``assessment``.
    """
    from workfw.reporting.analysis import _analyse, _to_json  # imported here: that module imports this one

    analysis = _analyse(export, assessment=assessment, pseudonymise=pseudonymise, frameworks=frameworks,
                        as_of=as_of, progress=progress, options=options, extra_steps=[],
                        pseudonymise_text=pseudonymise_text)
    analysis.steps.finish()
    return _to_json(analysis)


def report_html(export: Any, *, assessment: Any = None, pseudonymise: bool = False,
                pseudonymise_text: bool = False, frameworks: Iterable[str] = tuple(FRAMEWORKS), as_of: Any = None,
                progress: Progress | None = None, **options: Any) -> str:
    """The page :func:`report` writes, as a string (same parameters, without ``path``)."""
    return _html(export, assessment=assessment, pseudonymise=pseudonymise, pseudonymise_text=pseudonymise_text,
                 frameworks=frameworks, as_of=as_of, progress=progress, options=options, writing=False)[0]


def _html(export: Any, *, assessment: Any, pseudonymise: bool, pseudonymise_text: bool, frameworks: Iterable[str],
          as_of: Any, progress: Progress | None, options: Mapping[str, Any], writing: bool) -> tuple[str, _Steps]:
    from workfw.reporting.analysis import _analyse
    from workfw.reporting.html import render

    analysis = _analyse(export, assessment=assessment, pseudonymise=pseudonymise, frameworks=frameworks,
                        as_of=as_of, progress=progress, options=options,
                        extra_steps=["flow charts"] + (["writing"] if writing else []),
                        pseudonymise_text=pseudonymise_text)
    analysis.steps("flow charts")
    text = render(analysis)
    if not writing:
        analysis.steps.finish()
    return text, analysis.steps



def write_text(path: str | Path, text: str) -> Path:
    """Write a report (HTML or JSON text) to ``path``, creating its folder; a failure names the file and the fix.

    Raises
    ------
    ReportWriteError
        When the file cannot be written.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ReportWriteError(f"{target}: could not write the report ({exc.strerror or exc}); expected a "
                               "writable file path. Next step: choose another folder with -o / path=.") from exc
    return target


def report(export: Any, *, assessment: Any = None, path: str | Path = "report.html", pseudonymise: bool = False,
           pseudonymise_text: bool = False, frameworks: Iterable[str] = tuple(FRAMEWORKS), as_of: Any = None,
           progress: Progress | None = None, **options: Any) -> Path:
    """Write one self-contained HTML report of an export: diagnoses, flow charts, self-assessment.

    The file inlines plotly.js once and refers to nothing on the network, so
    it opens offline in any browser.  Every title, name and label is escaped.

    Parameters
    ----------
    export : TaskExport, pandas.DataFrame or path
        The export (a path is read with :func:`workfw.read_export`).
    assessment : pandas.DataFrame or dict, optional
        Responses from :func:`workfw.assessment.load_responses`, or a dict
        framework -> :func:`workfw.assessment.perceived_scores` table; adds
        the group's assessment and the perception gaps.
    path : str or pathlib.Path
        Where to write the page (folders are created).
    pseudonymise : bool
        Replace people's names with pseudonyms (:func:`workfw.privacy.pseudonymise`)
        before anything is drawn.
    pseudonymise_text : bool
        Also replace names written inside titles, descriptions and other free
        text; implies ``pseudonymise``.
    frameworks : iterable of str
        Which of :data:`FRAMEWORKS` to include.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    progress : callable, optional
        ``progress(step, done, total)`` before each step, for a progress bar.
    **options
        As :func:`diagnose_all`.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    text, steps = _html(export, assessment=assessment, pseudonymise=pseudonymise,
                        pseudonymise_text=pseudonymise_text, frameworks=frameworks, as_of=as_of, progress=progress,
                        options=options, writing=True)
    steps("writing")
    target = write_text(path, text)
    steps.finish()
    return target

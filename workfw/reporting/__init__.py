"""The offline report: every diagnosis and flow chart of an export in one HTML file, or as JSON.

:func:`report` writes one self-contained HTML page (plotly.js inlined once,
no network reference) that a facilitator can open in a workshop room without
wifi.  :func:`report_json` returns the same reading as plain JSON-ready data
for scripts and AI agents; :func:`diagnose_all` (from :mod:`workfw.frameworks`,
re-exported here) runs the four frameworks.

Both go through one analysis (``_analyse`` in :mod:`workfw.reporting.analysis`),
so the page and the JSON always agree; the page is laid out by the Jinja2
templates of :mod:`workfw.reporting.html`.  This package only imports its
submodules, which share what they need through :mod:`workfw.reporting.parts`.

Names are pseudonymised before anything is computed when asked
(:func:`workfw.privacy.pseudonymise`, with the workspace's salt), so findings,
hover text and tables show only pseudonyms; ``pseudonymise_text`` also
replaces names inside titles and descriptions.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

from workfw.all_frameworks import Progress, diagnose_all
from workfw.frameworks import FRAMEWORKS
from workfw.reporting.analysis import _analyse, _Steps, _to_json
from workfw.reporting.html import render
from workfw.reporting.parts import (FORECAST_DAYS, ReportPartMissingError, ReportWriteError, export_summary,
                                    require_part, write_text)

__all__ = ["FRAMEWORKS", "FORECAST_DAYS", "ReportPartMissingError", "ReportWriteError", "diagnose_all",
           "export_summary", "report_json", "report_html", "report", "require_part", "write_text"]


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
    analysis = _analyse(export, assessment=assessment, pseudonymise=pseudonymise, frameworks=frameworks,
                        as_of=as_of, progress=progress, options=options,
                        extra_steps=["flow charts"] + (["writing"] if writing else []),
                        pseudonymise_text=pseudonymise_text)
    analysis.steps("flow charts")
    text = render(analysis)
    if not writing:
        analysis.steps.finish()
    return text, analysis.steps


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

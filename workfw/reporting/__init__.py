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
                progress: Progress | None = None, compare_to: Any = None, split_at: Any = None,
                compare_options: Mapping[str, Any] | None = None,
                **options: Any) -> dict[str, Any]:
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
    compare_to : TaskExport or path, optional
        An earlier export of the same work: adds ``change``, each element before (``compare_to``) and
        after (``export``) with a bootstrap interval (:func:`workfw.change.compare`).
    split_at : timestamp-like, optional
        Instead of ``compare_to``: split ``export`` at this date for ``change``.
    compare_options : mapping, optional
        ``n_boot``, ``seed``, ``level`` or ``allow_disjoint`` for :func:`workfw.change.compare` (for
        example ``{"n_boot": 200, "level": 0.95}`` for a decision that matters).
    **options
        As :func:`diagnose_all`.

    Returns
    -------
    dict
        ``format, workfw_version, as_of, pseudonymised, pseudonymised_text, export`` (the import
        summary), ``diagnoses`` (each :meth:`Diagnosis.to_dict`), ``flow``
        (cycle-time percentiles, aging, throughput, forecast), ``assessment``, and ``change`` when
        ``compare_to`` or ``split_at`` is given.
    """
    analysis = _analyse(export, assessment=assessment, pseudonymise=pseudonymise, frameworks=frameworks,
                        as_of=as_of, progress=progress, options=options, extra_steps=[],
                        pseudonymise_text=pseudonymise_text, compare_to=compare_to, split_at=split_at,
                        compare_options=compare_options)
    analysis.steps.finish()
    return _to_json(analysis)


def report_html(export: Any, *, assessment: Any = None, pseudonymise: bool = False,
                pseudonymise_text: bool = False, frameworks: Iterable[str] = tuple(FRAMEWORKS), as_of: Any = None,
                progress: Progress | None = None, compare_to: Any = None, split_at: Any = None,
                compare_options: Mapping[str, Any] | None = None,
                **options: Any) -> str:
    """The page :func:`report` writes, as a string (same parameters, without ``path``)."""
    return _html(export, assessment=assessment, pseudonymise=pseudonymise, pseudonymise_text=pseudonymise_text,
                 frameworks=frameworks, as_of=as_of, progress=progress, options=options, writing=False,
                 compare_to=compare_to, split_at=split_at, compare_options=compare_options)[0]


def _html(export: Any, *, assessment: Any, pseudonymise: bool, pseudonymise_text: bool, frameworks: Iterable[str],
          as_of: Any, progress: Progress | None, options: Mapping[str, Any], writing: bool, compare_to: Any = None,
          split_at: Any = None, compare_options: Mapping[str, Any] | None = None) -> tuple[str, _Steps]:
    analysis = _analyse(export, assessment=assessment, pseudonymise=pseudonymise, frameworks=frameworks,
                        as_of=as_of, progress=progress, options=options,
                        extra_steps=["flow charts"] + (["writing"] if writing else []),
                        pseudonymise_text=pseudonymise_text, compare_to=compare_to, split_at=split_at,
                        compare_options=compare_options)
    analysis.steps("flow charts")
    text = render(analysis)
    if not writing:
        analysis.steps.finish()
    return text, analysis.steps


def report(export: Any, *, assessment: Any = None, path: str | Path = "report.html", pseudonymise: bool = False,
           pseudonymise_text: bool = False, frameworks: Iterable[str] = tuple(FRAMEWORKS), as_of: Any = None,
           progress: Progress | None = None, compare_to: Any = None, split_at: Any = None,
                compare_options: Mapping[str, Any] | None = None,
           **options: Any) -> Path:
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
    compare_to : TaskExport or path, optional
        An earlier export of the same work: adds a "Did it change?" section, each element before
        (``compare_to``, pseudonymised like ``export``) and after (``export``), the difference with a
        bootstrap interval and the tasks behind the largest moves (:func:`workfw.change.compare`).
    split_at : timestamp-like, optional
        Instead of ``compare_to``: the same section for ``export`` split at this date.
    compare_options : mapping, optional
        ``n_boot``, ``seed``, ``level`` or ``allow_disjoint`` for :func:`workfw.change.compare`: more
        rounds (``{"n_boot": 200}``) give steadier interval ends, ``level`` sets how wide they are.
    **options
        As :func:`diagnose_all`.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    text, steps = _html(export, assessment=assessment, pseudonymise=pseudonymise,
                        pseudonymise_text=pseudonymise_text, frameworks=frameworks, as_of=as_of, progress=progress,
                        options=options, writing=True, compare_to=compare_to, split_at=split_at,
                        compare_options=compare_options)
    steps("writing")
    target = write_text(path, text)
    steps.finish()
    return target

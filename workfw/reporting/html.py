"""The offline report's page: what each section shows, laid out by the Jinja2 templates beside this module.

Python gathers the values (tables as DataFrames, figures, sentences); the
templates in ``workfw/reporting/templates/`` write the markup.  Autoescaping
is on and undefined names fail, so a template can only output text, or
:class:`markupsafe.Markup` that workfw built from escaped parts: the tables of
:func:`workfw.html_table.html_table`, the score chips, the id lists and the
figures of :mod:`workfw.reporting.figures`.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable

import jinja2
import pandas as pd
import plotly.offline
from markupsafe import Markup

from workfw.assessment import spread_figure
from workfw.charts import gap_figure
from workfw.errors import WorkfwError
from workfw.flow import charts
from workfw.frameworks import FRAMEWORKS
from workfw.html_table import html_table
from workfw.readable import signal_view
from workfw.reporting.change import change_view
from workfw.reporting.figures import FigureNumbers, figure_html, sanitise_figure, sanitise_text
from workfw.reporting.flow_measures import figures as flow_figures
from workfw.reporting.parts import export_summary
from workfw.style import FONT, NA_COLOUR, score_colour
from workfw.version import __version__

__all__ = ["render", "score_chip", "figure_html", "sanitise_text", "sanitise_figure", "environment"]

#: Import warnings listed in the header; the rest are counted.
_MAX_WARNINGS = 50
#: Task ids listed in one findings cell; the rest are counted.
_MAX_IDS = 25


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The report's Jinja2 environment: its templates, autoescaping on, undefined names an error.

    Returns
    -------
    jinja2.Environment
        With ``table`` (:func:`workfw.html_table.html_table`) as a global.
    """
    env = jinja2.Environment(loader=jinja2.PackageLoader("workfw.reporting", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.globals["table"] = html_table
    return env


def score_chip(score: object) -> Markup:
    """A coloured score label; ``not measurable`` in grey for NA.

    Parameters
    ----------
    score : float or None

    Returns
    -------
    markupsafe.Markup
    """
    if score is None or pd.isna(score):
        return Markup('<span class="chip" style="background:{}">not measurable</span>').format(NA_COLOUR)
    value = float(score)
    return Markup('<span class="chip" style="background:{}">{:.0f}</span>').format(score_colour(value), value)


def _markup(values: Iterable[Markup], index: pd.Index) -> pd.Series:
    """A column of markup cells; ``object`` dtype, since pandas' ``str`` dtype would drop the Markup type."""
    return pd.Series(list(values), index=index, dtype=object)


def _date(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def _ids(ids: object) -> Markup:
    items = [str(i) for i in (ids if isinstance(ids, (list, tuple)) else list(ids or []))]
    text = ", ".join(items[:_MAX_IDS])
    if len(items) > _MAX_IDS:
        text += f" … and {len(items) - _MAX_IDS} more"
    return Markup('<span class="ids">{}</span>').format(text)


def _header(analysis: Any) -> dict[str, Any]:
    info = export_summary(analysis.export)
    span = f"{_date(info['first'])} to {_date(info['last'])}" if info["first"] else "no dates"
    names = ("as in the export" if not analysis.pseudonymised
             else "pseudonymised (Person 01, Agent 01...), in titles and descriptions too"
             if analysis.pseudonymised_text
             else "pseudonymised (Person 01, Agent 01...); titles may still mention people")
    facts = pd.DataFrame({"": ["File", "Format", "Rows read", "Tasks", "Rows merged", "Rows rejected",
                               "History events", "Dates", "As of", "Names"],
                          "value": [info["file"], info["source"], info["rows_read"], info["tasks"], info["merged"],
                                    info["rejected"], info["events"], span, _date(analysis.as_of), names]})
    warnings = info["warnings"]
    return {"file": info["file"], "as_of": _date(analysis.as_of), "facts": facts, "warning_count": len(warnings),
            "warnings": warnings[:_MAX_WARNINGS], "more_warnings": max(len(warnings) - _MAX_WARNINGS, 0)}


def _overview(analysis: Any) -> pd.DataFrame:
    titles, chips, counts = [], [], []
    for name, diag in analysis.diagnoses.items():
        titles.append(FRAMEWORKS[name])
        scores = diag.summary["score"].items()
        chips.append(Markup(" ").join(Markup("{} {}").format(element, score_chip(s)) for element, s in scores))
        counts.append(len(diag.findings))
    index = pd.RangeIndex(len(titles))
    return pd.DataFrame({"framework": titles, "scores": _markup(chips, index), "findings": counts}, index=index)


def _summary(diag: Any) -> tuple[pd.DataFrame, list[str]]:
    """The framework's score table and its headers: the Pyramid and Visibility add columns of their own."""
    summary = diag.summary.reset_index()
    frame = pd.DataFrame({"element": summary["element"],
                          "score": _markup(map(score_chip, summary["score"]), summary.index)})
    headers = ["Element", "Score"]
    if "reached" in summary:  # the Pyramid: a band counts the tasks at its level or above, as the diagram draws
        frame["reached"] = summary["reached"]
        headers.append("Tasks at this level or above")
    if "share" in summary:
        frame["share"] = summary["share"].map(lambda v: "" if pd.isna(v) else f"{float(v):.0%}")
        headers.append("Share whose highest level this is")
    if "tasks" in summary:
        frame["tasks"] = summary["tasks"]
        headers.append("Tasks")
    frame["signals"] = [f"{m} of {t}" for m, t in zip(summary["signals_measured"], summary["signals_total"])]
    headers.append("Signals measurable")
    if "reason" in summary and summary["reason"].notna().any():
        frame["reason"] = summary["reason"].fillna("")
        headers.append("Why no score")
    return frame, headers


def _framework(name: str, diag: Any, draw: FigureNumbers) -> dict[str, Any]:
    summary, headers = _summary(diag)
    try:
        figure, error = draw(diag.figure()), None
    except WorkfwError as exc:  # a diagram the export cannot feed: say why in its place
        figure, error = None, str(exc)
    found = diag.findings
    findings = found.assign(
        severity=_markup((Markup('<span class="sev-{0}">{0}</span>').format(s) for s in found["severity"].astype(str)),
                         found.index),
        task_ids=_markup(map(_ids, found["task_ids"]), found.index))
    return {"key": name, "title": diag.framework, "summary": summary, "summary_headers": headers,
            "figure": figure, "figure_error": error, "findings": findings,
            "blind": diag.coverage[~diag.coverage["measurable"].astype(bool)], "caveats": list(diag.caveats),
            "signals": signal_view(diag)}


def _flow(analysis: Any, draw: FigureNumbers) -> dict[str, Any]:
    flow = analysis.flow
    if "reason" in flow:
        return {"reason": flow["reason"]}
    pct, aging, read = flow["percentiles"], flow["aging"], flow["reading"]
    known = pct.dropna(subset=["days"])
    cycle_sentence = None
    if len(known):
        top = known.iloc[min(2, len(known) - 1)]
        cycle_sentence = f"{top.level:g}% of the {int(top.n)} finished tasks took {top.days:.1f} days or less."
    more = flow_figures(flow["more"], read)
    # Drawn in the order the page shows them, so the figure numbers follow the page; a measure the export
    # cannot feed has its reason on the page instead of a chart.
    shown = {"cycle": charts.cycle_time_scatter(flow["cycle"]), "aging": charts.aging_wip_chart(aging),
             "throughput": charts.throughput_chart(flow["throughput"]), "net_flow": more["net_flow"],
             "cfd": charts.cumulative_flow_chart(flow["cfd"]), "time_in_stage": more["time_in_stage"],
             "efficiency": more["efficiency"], "forecast": more["forecast"], "backtest": more["backtest"]}
    figures = {name: None if fig is None else draw(fig) for name, fig in shown.items()}
    return {"reason": None, "selection": ", ".join(f"{k} {v}" for k, v in analysis.flow_filters.items()),
            "cycle_sentence": cycle_sentence, "percentiles": pct.assign(level=pct["level"].map(lambda v: f"{v:g}%")),
            "in_progress": len(aging), "oldest": aging.head(10), "figures": figures, **read}


def _assessment(analysis: Any, draw: FigureNumbers) -> list[dict[str, Any]]:
    parts = []
    for name, part in analysis.assessment.items():
        group, shown = part.get("group"), None
        if isinstance(group, pd.DataFrame) and len(group):
            shown = group.reset_index()
            shown["agreement"] = shown["agreement"].map(lambda v: "" if pd.isna(v) else f"{float(v):.0%}")
        responses, spread = part.get("responses"), None
        if isinstance(responses, pd.DataFrame) and len(responses):
            spread = draw(spread_figure(responses, framework=name, pseudonymise=True))
        gap = part["gap"]
        parts.append({"title": FRAMEWORKS[name], "group": shown, "spread": spread, "gap": gap,
                      "gap_figure": draw(gap_figure(gap, title=f"{FRAMEWORKS[name]}: perceived and measured "
                                                               "(largest gap first)"))})
    return parts


def render(analysis: Any) -> str:
    """The whole report page of an analysis (:func:`workfw.reporting.analysis._analyse`).

    Parameters
    ----------
    analysis : workfw.reporting.analysis._Analysis

    Returns
    -------
    str
        The HTML document, plotly.js inlined once.
    """
    draw = FigureNumbers()
    frameworks = [_framework(name, diag, draw) for name, diag in analysis.diagnoses.items()]
    change = change_view(analysis.change, draw) if analysis.change is not None else None
    flow = _flow(analysis, draw)
    assessment = _assessment(analysis, draw) if analysis.assessment else None
    nav = ([("overview", "At a glance")] + [(name, FRAMEWORKS[name]) for name in analysis.diagnoses]
           + ([("change", "Did it change?")] if change is not None else []) + [("flow", "Flow")]
           + ([("assessment", "Self-assessment")] if assessment is not None else []))
    return environment().get_template("page.html.j2").render(
        title=f"workfw report: {analysis.export.report.file}", version=__version__, nav=nav,
        header=_header(analysis), overview=_overview(analysis), frameworks=frameworks, flow=flow,
        assessment=assessment, change=change,
        # Markup: both are workfw's own constants (the font list) or plotly's own bundle, never user data.
        font=Markup(FONT["family"]), plotly_js=Markup(plotly.offline.get_plotlyjs()))

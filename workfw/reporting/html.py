"""HTML building blocks of the offline report (:mod:`workfw.reporting`).

Everything here escapes what it is given: callers pass plain text and
DataFrames, never markup.  Figures are embedded without plotly.js (the page
carries one copy), with fixed div ids so the same input gives the same file,
and with every string of the figure passed through :func:`sanitise_text` so a
task title can never become markup in a chart, whatever made the chart.
"""
from __future__ import annotations

import html
import re
from typing import Any, Iterable, Sequence

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from workfw.errors import WorkfwError
from workfw.readable import signal_view
from workfw.style import FONT, NA_COLOUR, score_colour

__all__ = ["esc", "table", "score_chip", "figure_html", "sanitise_text", "sanitise_figure", "page", "render",
           "PLOTLY_CONFIG"]

#: Passed to every embedded figure: no plotly logo link, charts resize with the page.
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}

# Plotly renders a small set of tags in its text (hover, labels, titles); anything
# else that looks like a tag is turned into text.  Attributes are only allowed on
# <span style=...>, which plotly uses for colours.
_ALLOWED_TAG = re.compile(r"<(?:/?(?:br|b|i|em|sup|sub|extra|s|u)\s*/?|/span|span(?:\s+style=\"[^\"<>]*\")?)>",
                          re.IGNORECASE)


def esc(value: object) -> str:
    """Escape any value for HTML text or an attribute; NA becomes an empty string."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value), quote=True)


def sanitise_text(text: str) -> str:
    """Escape every ``<`` in ``text`` that does not open a tag plotly is meant to render."""
    if "<" not in text:
        return text
    out, pos = [], 0
    for match in _ALLOWED_TAG.finditer(text):
        out.append(text[pos:match.start()].replace("<", "&lt;"))
        out.append(match.group(0))
        pos = match.end()
    out.append(text[pos:].replace("<", "&lt;"))
    return "".join(out)


def sanitise_figure(value: Any) -> Any:
    """Return a copy of a plotly JSON structure with :func:`sanitise_text` applied to every string value."""
    if isinstance(value, str):
        return sanitise_text(value)
    if isinstance(value, dict):
        return {k: sanitise_figure(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [sanitise_figure(v) for v in value]
    if hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in ("O", "U", "T"):
        return [sanitise_figure(v) for v in value.tolist()]
    return value


def figure_html(fig: go.Figure, *, div_id: str) -> str:
    """Embed ``fig`` as a div and a script, without plotly.js (the page carries it once)."""
    spec = sanitise_figure(fig.to_plotly_json())
    height = fig.layout.height or 460
    return pio.to_html(spec, full_html=False, include_plotlyjs=False, include_mathjax=False, validate=False,
                       div_id=div_id, config=PLOTLY_CONFIG, default_width="100%", default_height=f"{height}px")


def _cell(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return esc(", ".join(str(v) for v in value))
    if isinstance(value, float):
        return "" if value != value else esc(f"{value:,.1f}")
    return esc(value)


def table(frame: pd.DataFrame, *, columns: Sequence[str] | None = None, headers: Sequence[str] | None = None,
          css: str = "", raw_columns: Iterable[str] = ()) -> str:
    """An escaped HTML table of ``frame``.

    ``raw_columns`` names columns whose cells the caller has already built as
    safe markup (from :func:`esc`-ed parts); every other cell is escaped here.
    """
    columns = list(columns or frame.columns)
    headers = list(headers or columns)
    raw = set(raw_columns)
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    thead = f"<thead><tr>{head}</tr></thead>" if any(headers) else ""
    rows = []
    for record in frame[columns].astype(object).itertuples(index=False, name=None):
        cells = "".join(f"<td>{v if c in raw else _cell(v)}</td>" for c, v in zip(columns, record))
        rows.append(f"<tr>{cells}</tr>")
    body = "".join(rows) or f'<tr><td colspan="{len(columns)}" class="none">none</td></tr>'
    return f'<table class="{esc(css)}">{thead}<tbody>{body}</tbody></table>'


def score_chip(score: object) -> str:
    """A coloured score label; ``not measurable`` in grey for NA."""
    if score is None or pd.isna(score):
        return f'<span class="chip" style="background:{NA_COLOUR}">not measurable</span>'
    return f'<span class="chip" style="background:{score_colour(float(score))}">{float(score):.0f}</span>'


_CSS = """
body{font-family:%(font)s;margin:0;color:#222;background:#fafafa;line-height:1.45}
header,main,footer{max-width:1180px;margin:0 auto;padding:0 24px}
header{padding-top:24px}
h1{font-size:1.8em;margin:.2em 0}
h2{margin-top:2em;border-bottom:2px solid #ddd;padding-bottom:.2em}
h3{margin-top:1.4em}
section{background:#fff;border:1px solid #e4e4e4;border-radius:6px;padding:8px 20px 20px;margin:20px 0}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f2f2f2}
td.none{color:#777;font-style:italic}
.chip{display:inline-block;min-width:2.4em;padding:1px 8px;border-radius:10px;text-align:center}
.sev-high{color:#b2182b;font-weight:bold}.sev-medium{color:#b35806}.sev-low{color:#4d4d4d}
.ids{font-family:monospace;font-size:.9em;word-break:break-word}
.warn{background:#fff8e1;border-left:4px solid #f2cf5b;padding:6px 12px}
.note{color:#555;font-size:.92em}
nav ul{columns:2;list-style:none;padding-left:0}
.figure{margin:1em 0;min-height:300px}
"""


def page(*, title: str, header: str, nav: Sequence[tuple[str, str]], sections: Sequence[str], footer: str,
         plotly_js: str) -> str:
    """Assemble the whole document: one inline plotly.js, then the sections.

    ``header``, ``sections`` and ``footer`` are already-safe markup; ``title``
    and the ``nav`` labels are escaped here.
    """
    links = "".join(f'<li><a href="#{esc(anchor)}">{esc(label)}</a></li>' for anchor, label in nav)
    css = _CSS % {"font": FONT["family"]}
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        # No network at all: the page must open from a USB stick in a room without wifi.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; "
        "font-src data:; worker-src blob:\">"
        f"<title>{esc(title)}</title><style>{css}</style>\n"
        f'<script type="text/javascript" id="plotly-js">{plotly_js}</script>\n'
        f"</head><body><header>{header}<nav><ul>{links}</ul></nav></header>"
        f"<main>{''.join(sections)}</main><footer>{footer}</footer></body></html>\n"
    )


# --------------------------------------------------------------------------- the page of a report


class _Figures:
    """Numbers figure divs in page order so the same input gives the same file."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, fig: go.Figure) -> str:
        self.count += 1
        return f'<div class="figure">{figure_html(fig, div_id=f"figure-{self.count}")}</div>'


def _date(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def _ids(ids: object, *, limit: int = 25) -> str:
    items = [str(i) for i in (ids if isinstance(ids, (list, tuple)) else list(ids or []))]
    text = esc(", ".join(items[:limit]))
    if len(items) > limit:
        text += esc(f" … and {len(items) - limit} more")
    return f'<span class="ids">{text}</span>'


def _header(analysis: Any) -> str:
    from workfw import __version__
    from workfw.reporting import export_summary

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
    shown = "".join(f"<li>{esc(w)}</li>" for w in warnings[:50])
    if len(warnings) > 50:
        shown += f"<li>{esc(f'… and {len(warnings) - 50} more')}</li>"
    warn = (f'<div class="warn"><b>Import warnings ({len(warnings)})</b><ul>{shown}</ul></div>' if warnings
            else '<p class="note">The import raised no warnings.</p>')
    return (f"<h1>Work management report: {esc(info['file'])}</h1>"
            f'<p class="note">Made with workfw {esc(__version__)} as of {esc(_date(analysis.as_of))}. '
            "Scores run from 0 to 100 (higher is healthier); grey means the export cannot show it.</p>"
            f"{table(facts, headers=['', ''])}{warn}")


def _overview(analysis: Any) -> str:
    from workfw.reporting import FRAMEWORKS

    rows = []
    for name, diag in analysis.diagnoses.items():
        chips = " ".join(f"{esc(e)} {score_chip(s)}" for e, s in diag.summary["score"].items())
        rows.append({"framework": esc(FRAMEWORKS[name]), "scores": chips, "findings": len(diag.findings)})
    frame = pd.DataFrame(rows, columns=["framework", "scores", "findings"])
    return ('<section id="overview"><h2>At a glance</h2>'
            + table(frame, headers=["Framework", "Score per element", "Findings"], raw_columns=["framework", "scores"])
            + "</section>")


def _framework(name: str, diag: Any, draw: _Figures) -> str:
    summary = diag.summary.reset_index()
    frame = pd.DataFrame({"element": summary["element"].map(esc), "score": summary["score"].map(score_chip)})
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
    parts = [f'<section id="{esc(name)}"><h2>{esc(diag.framework)}</h2>',
             table(frame, headers=headers, raw_columns=["element", "score"])]
    try:
        parts.append(draw(diag.figure()))
    except WorkfwError as exc:
        parts.append(f'<p class="warn">{esc(exc)}</p>')
    findings = diag.findings.assign(
        severity=[f'<span class="sev-{esc(s)}">{esc(s)}</span>' for s in diag.findings["severity"].astype(str)],
        task_ids=[_ids(ids) for ids in diag.findings["task_ids"]])
    parts.append(f"<h3>Findings ({len(findings)})</h3>")
    parts.append(table(findings, columns=["severity", "element", "signal", "finding", "tasks", "task_ids"],
                       headers=["Severity", "Element", "Signal", "Finding", "Tasks", "Task ids"],
                       raw_columns=["severity", "task_ids"]))
    blind = diag.coverage[~diag.coverage["measurable"].astype(bool)]
    parts.append("<h3>What this export could not show</h3>")
    parts.append(table(blind, columns=["element", "signal", "reason"], headers=["Element", "Signal", "Why not"])
                 if len(blind) else '<p class="note">Every signal was measurable.</p>')
    caveats = "".join(f"<li>{esc(c)}</li>" for c in diag.caveats) or "<li>none</li>"
    parts.append(f"<h3>Caveats</h3><ul>{caveats}</ul>")
    # The same readable table as the notebooks: values in their units, whole scores, the rule, the reason.
    parts.append("<details><summary>Every signal and how it is computed</summary>"
                 + table(signal_view(diag)) + "</details></section>")
    return "".join(parts)


def _flow_section(analysis: Any, draw: _Figures) -> str:
    from workfw.reporting import _part

    charts = _part("flow_charts", "flow charts", "cycle_time_scatter", "aging_wip_chart", "throughput_chart",
                   "cumulative_flow_chart", "forecast_chart")
    flow = analysis.flow
    if "reason" in flow:
        return f'<section id="flow"><h2>Flow</h2><p class="note">Not measurable: {esc(flow["reason"])}.</p></section>'
    pct, aging, forecast = flow["percentiles"], flow["aging"], flow["forecast"]
    parts = ['<section id="flow"><h2>Flow</h2>']
    if analysis.flow_filters:
        chosen = ", ".join(f"{k} {v}" for k, v in analysis.flow_filters.items())
        parts.append(f"<p>For the same selection as the scores above: {esc(chosen)}.</p>")
    parts.append("<h3>Cycle time of finished work</h3>")
    known = pct.dropna(subset=["days"])
    if len(known):
        top = known.iloc[min(2, len(known) - 1)]
        sentence = f"{top.level:g}% of the {int(top.n)} finished tasks took {top.days:.1f} days or less."
        parts.append(f"<p>{esc(sentence)}</p>")
    parts.append(table(pct.assign(level=pct["level"].map(lambda v: f"{v:g}%")), columns=["level", "days", "n"],
                       headers=["Percentile", "Days", "Finished tasks"]))
    parts.append(draw(charts.cycle_time_scatter(flow["cycle"])))
    parts.append(f"<h3>Work in progress ({len(aging)} tasks) and its age</h3>")
    parts.append(draw(charts.aging_wip_chart(aging)))
    oldest = aging.head(10)
    parts.append("<p>The oldest work in progress:</p>" + table(
        oldest, columns=["task_id", "title", "status", "assignee", "age_days", "percentile_band"],
        headers=["Task", "Title", "Status", "Assignee", "Age (days)", "Band"]))
    parts.append("<h3>Throughput</h3>" + draw(charts.throughput_chart(flow["throughput"])))
    parts.append("<h3>Cumulative flow</h3>" + draw(charts.cumulative_flow_chart(flow["cfd"])))
    parts.append("<h3>Forecast</h3>")
    if len(forecast):
        row = forecast[forecast["likelihood"] == 85]
        row = row if len(row) else forecast.iloc[[-1]]
        until = forecast.attrs.get("until")
        likelihood, items = float(row["likelihood"].iloc[0]), int(row["items"].iloc[0])
        sentence = (f"In {likelihood:g}% of 10,000 simulated runs at least {items} tasks are finished by "
                    f"{_date(until)}, if the pace of the last weeks holds.")
        parts.append(f"<p>{esc(sentence)}</p>")
    else:
        parts.append(f'<p class="note">{esc(forecast.attrs.get("reason", "No forecast."))}</p>')
    parts.append(draw(charts.forecast_chart(forecast)) + "</section>")
    return "".join(parts)


def _assessment_section(analysis: Any, draw: _Figures) -> str:
    from workfw.assessment import spread_figure
    from workfw.charts import gap_figure
    from workfw.reporting import FRAMEWORKS

    parts = ['<section id="assessment"><h2>Self-assessment and perception gaps</h2>',
             '<p class="note">Perceived scores come from the group\'s answers (1 to 5, mapped to 0-100); measured '
             "scores from the export. A gap is perceived minus measured; discuss the largest first.</p>"]
    if not analysis.assessment:
        parts.append('<p class="note">The assessment answers none of the frameworks in this report.</p>')
    for name, part in analysis.assessment.items():
        parts.append(f"<h3>{esc(FRAMEWORKS[name])}</h3>")
        group = part.get("group")
        if isinstance(group, pd.DataFrame) and len(group):
            shown = group.reset_index()
            shown["agreement"] = shown["agreement"].map(lambda v: "" if pd.isna(v) else f"{float(v):.0%}")
            parts.append("<p>The group's answers per element:</p>" + table(
                shown, columns=["element", "participants", "count", "dont_know", "mean", "spread", "agreement",
                                "perceived"],
                headers=["Element", "Participants", "Answers", "Don't know", "Mean (1-5)", "Spread",
                         "Agreement", "Perceived (0-100)"]))
        responses = part.get("responses")
        if isinstance(responses, pd.DataFrame) and len(responses):
            # Individual answers are opinions: the report may travel beyond the room, so never with names.
            parts.append("<p>How the answers spread (participants as Participant 01…):</p>" + draw(spread_figure(
                responses, framework=name, pseudonymise=True)))
        gap = part["gap"]
        parts.append(draw(gap_figure(gap, title=f"{FRAMEWORKS[name]}: perceived and measured (largest gap first)")))
        parts.append(table(gap, columns=["element", "perceived", "measured", "gap", "prompt"],
                           headers=["Element", "Perceived", "Measured", "Gap", "To discuss"]))
    parts.append("</section>")
    return "".join(parts)


def render(analysis: Any) -> str:
    """The whole report page of an analysis from :mod:`workfw.reporting`."""
    import plotly.offline

    from workfw import __version__
    from workfw.reporting import FRAMEWORKS

    draw = _Figures()
    sections = [_overview(analysis)]
    nav = [("overview", "At a glance")]
    for name, diag in analysis.diagnoses.items():
        sections.append(_framework(name, diag, draw))
        nav.append((name, FRAMEWORKS[name]))
    sections.append(_flow_section(analysis, draw))
    nav.append(("flow", "Flow"))
    if analysis.assessment:
        sections.append(_assessment_section(analysis, draw))
        nav.append(("assessment", "Self-assessment"))
    footer = (f'<p class="note">Made by workfw {esc(__version__)}. This page works offline: it loads nothing '
              "from the network.</p>")
    return page(title=f"workfw report: {analysis.export.report.file}", header=_header(analysis), nav=nav,
                sections=sections, footer=footer, plotly_js=plotly.offline.get_plotlyjs())

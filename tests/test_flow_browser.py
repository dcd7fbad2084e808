"""06_flow_and_forecasts as `make present` shows it (Voila), in a real headless Chromium: controls redraw charts.

The page is served by the same Voila server as tests/test_browser_voila.py
(its fixtures: the Makefile's ``present`` command on a free port). The test
moves the **Percentile** dropdown and checks that the time-in-stage chart is
redrawn at the new level, then marks a status as waiting and checks that the
flow-efficiency chart gets its task markers; the browser console, the page's
error handler, dialogs, outside requests and the server log stay clean.
"""
from __future__ import annotations

from typing import Any

from browser_helpers import wait_chart_changed, wait_until
from test_browser_voila import open_page, rendered_page, voila, voila_context  # noqa: F401  (fixtures)

NAME = "06_flow_and_forecasts.ipynb"

# Title and trace names of every drawn chart, in page order.
_CHARTS = """() => [...document.querySelectorAll('.js-plotly-plot')].filter(gd => gd.layout && gd.data).map(gd => ({
    title: (gd.layout.title && gd.layout.title.text) || '',
    traces: gd.data.map(t => t.name || ''),
    y: gd.data.length ? JSON.stringify(gd.data[0].y || gd.data[0].x || []) : ''}))"""


def _chart(page: Any, heading: str) -> dict:
    found = [c for c in page.evaluate(_CHARTS) if c["title"].startswith(heading)]
    assert len(found) == 1, f"expected one chart titled {heading!r}: {[c['title'][:60] for c in page.evaluate(_CHARTS)]}"
    return found[0]


def _wait_for(page: Any, heading: str, check: Any, *, what: str) -> dict:
    """The chart titled ``heading`` once ``check`` holds on it (``what``: the action that should change it)."""
    charts = wait_until(page, lambda: [c for c in page.evaluate(_CHARTS) if c["title"].startswith(heading)],
                        lambda found: len(found) == 1 and check(found[0]),
                        what=f"the chart {heading!r} to change after {what}")
    return charts[0]


def test_flow_notebook_controls_redraw_its_charts_in_voila(voila, voila_context):  # noqa: F811
    rendering = open_page(voila_context, voila, NAME)
    page = rendering.page
    try:
        state = rendered_page(rendering)
        assert state["plots"] >= 7, f"{NAME} draws {state['plots']} charts; expected the explorer's seven"
        before = _chart(page, "Days in each stage")
        assert "85th percentile" in before["title"] and before["traces"] == ["85%"]
        efficiency = _chart(page, "Flow efficiency")
        assert "tasks" not in efficiency["traces"], "no status is waiting yet: flow efficiency is not measurable"

        select = page.locator('.widget-dropdown:has(label:text-is("Percentile")) select').first
        select.scroll_into_view_if_needed()
        select.select_option(label="95th")
        after = _wait_for(page, "Days in each stage", lambda c: "95th percentile" in c["title"],
                          what="choosing the 95th percentile")
        assert after["traces"] == ["95%"] and after["y"] != before["y"]
        wait_chart_changed(page, state["charts"], what="choosing the 95th percentile")

        waiting = page.locator('.widget-select-multiple:has(label:text-is("Waiting statuses")) select').first
        waiting.scroll_into_view_if_needed()
        waiting.select_option(label="In Review")
        marked = _wait_for(page, "Flow efficiency", lambda c: "tasks" in c["traces"],
                           what="marking In Review as waiting")
        assert "waiting: In Review" in marked["title"]
        tracebacks = voila.tracebacks(rendering.log_start)
    finally:
        page.close(run_before_unload=True)
    assert rendering.watch.problems() == []
    assert tracebacks == [], "a kernel or the server logged a traceback"

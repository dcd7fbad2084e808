"""The report with a group's self-assessment, opened offline in headless Chromium: every chart drawn, no dialog.

Debian's /usr/bin/chromium through the Python playwright package (never a
downloaded browser); skipped when either is missing.  Complements
tests/test_report_browser.py, which checks the report without answers.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from test_report import EVIL, build_export

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and shutil.which("chromium") is None,
                                reason="Debian chromium is not installed")

# Hover every point of every chart in turn and gather what the hover layer shows.
_HOVER_ALL = """() => {
  const seen = [];
  let images = 0;
  for (const div of document.querySelectorAll('.js-plotly-plot')) {
    for (const [c, trace] of div.data.entries()) {
      // calcdata: the points plotly computed (trace.x may still be base64-packed numbers).
      const n = (div.calcdata && div.calcdata[c]) ? div.calcdata[c].length : 0;
      for (let i = 0; i < Math.min(n, 40); i++) {
        Plotly.Fx.hover(div, [{curveNumber: c, pointNumber: i}]);
        const layer = div.querySelector('.hoverlayer');
        if (layer) { seen.push(layer.textContent); images += layer.querySelectorAll('img, image').length; }
      }
    }
  }
  return {text: seen.join('\\n'), images: images};
}"""


def _open(path: Path) -> dict:
    """Load the page offline and return what a person would see, plus every request, error and dialog."""
    errors, requests, dialogs = [], [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(path.as_uri())
            expected = page.evaluate("document.querySelectorAll('.plotly-graph-div').length")
            page.wait_for_function(
                f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {expected}", timeout=60_000)
            seen = {
                "expected": expected,
                "drawn": page.evaluate("document.querySelectorAll('.js-plotly-plot .main-svg').length"),
                # A chart with data draws at least one point, bar or line.
                "empty": page.evaluate("""[...document.querySelectorAll('.js-plotly-plot')].filter(d =>
                    d.querySelectorAll('.point, .bars path, .scatterlayer path, .barlayer path').length === 0
                  ).map(d => d.id)"""),
                "titles": page.evaluate("[...document.querySelectorAll('.js-plotly-plot .gtitle')]"
                                        ".map(t => t.textContent)"),
                "evil_cells": page.locator("td", has_text=EVIL).count(),
                "evil_text": page.locator("td", has_text=EVIL).first.inner_text(),
                "images": page.evaluate("document.querySelectorAll('main img').length"),
                "hover": page.evaluate(_HOVER_ALL),
            }
        finally:
            browser.close()
    return {**seen, "errors": errors, "requests": requests, "dialogs": dialogs}


@pytest.fixture(scope="module")
def opened(tmp_path_factory) -> tuple[dict, Path]:
    from workfw.assessment import Response, load_bank, responses_frame
    from workfw.reporting import report

    ids = load_bank("coordination_stack")["id"]
    answers = responses_frame([
        Response(participant=EVIL, framework="coordination_stack", answers={s: 5 for s in ids}),
        Response(participant="Dan <b>Bold</b>", framework="coordination_stack", answers={s: 2 for s in ids},
                 team="<script>alert(3)</script>"),
        Response(participant="Eve", framework="coordination_stack", answers={s: None for s in ids}),
    ])
    path = report(build_export(), assessment=answers, path=tmp_path_factory.mktemp("offline") / "report.html")
    return _open(path), path


def test_every_chart_is_drawn_with_no_network_and_no_errors(opened):
    seen, path = opened
    # 4 framework diagrams + 5 flow charts + the answers' spread and the gap chart.
    assert seen["expected"] == 11 and seen["drawn"] >= 11
    assert seen["empty"] == []
    assert seen["errors"] == [] and seen["requests"] == [path.as_uri()]
    titles = " | ".join(seen["titles"])
    assert "Coordination Stack: how our answers spread" in titles
    assert "Coordination Stack: perceived and measured (largest gap first)" in titles


def test_hostile_titles_and_names_stay_text_and_fire_nothing(opened):
    seen, _ = opened
    assert seen["dialogs"] == [] and seen["images"] == 0
    assert seen["evil_cells"] >= 1 and seen["evil_text"] == EVIL
    hover = seen["hover"]
    assert hover["images"] == 0 and "T5:" in hover["text"] and EVIL in hover["text"]
    # The answers are shown without names; the hostile participant name never reaches the page.
    assert "Participant 0" in hover["text"] and "Dan" not in hover["text"]
    assert "alert(3)" not in hover["text"]

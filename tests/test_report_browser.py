"""The offline report in a real headless Chromium: every chart renders, nothing fires, nothing loads.

Uses Debian's /usr/bin/chromium through the Python playwright package (never a
downloaded browser), from the ``chromium_browser`` fixture in conftest.py: skipped
when either is missing, except under CI, where that fails.
"""
from __future__ import annotations

from test_report import EVIL, build_export


# Find the aging-WIP marker whose hover names T5, hover it, and read the hover layer back.
_HOVER_T5 = """() => {
  for (const div of document.querySelectorAll('.js-plotly-plot')) {
    for (const [c, trace] of div.data.entries()) {
      const texts = trace.hovertext || [];
      for (let i = 0; i < texts.length; i++) {
        if (String(texts[i]).startsWith('T5:')) {
          Plotly.Fx.hover(div, [{curveNumber: c, pointNumber: i}]);
          const layer = div.querySelector('.hoverlayer');
          return {text: layer.textContent, images: layer.querySelectorAll('img, image').length};
        }
      }
    }
  }
  return {text: '', images: -1};
}"""


def test_report_renders_offline_with_no_errors_requests_or_dialogs(tmp_path, chromium_browser):
    from workfw.reporting import report

    path = report(build_export(), path=tmp_path / "report.html", pseudonymise=True)
    errors, failed, requests, dialogs = [], [], [], []
    context = chromium_browser.new_context(viewport={"width": 1300, "height": 1000})
    try:
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(path.as_uri())
        expected = page.evaluate("document.querySelectorAll('.plotly-graph-div').length")
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {expected}", timeout=30_000)
        rendered = page.evaluate("document.querySelectorAll('.js-plotly-plot').length")
        cell = page.locator("td", has_text=EVIL)
        visible_text = cell.first.inner_text()
        images = page.evaluate("document.querySelectorAll('main img').length")
        hover = page.evaluate(_HOVER_T5)
    finally:
        context.close()
    assert expected == 9 and rendered == 9
    assert errors == [] and failed == [] and dialogs == []
    assert requests == [path.as_uri()]
    assert visible_text == EVIL and images == 0
    # Hovering T5's marker in the aging chart shows its title as text, not as an image tag.
    assert hover["images"] == 0 and EVIL in hover["text"]

"""07_organisation as `make present` shows it (Voila), in a real headless Chromium: pick a team, mark small teams.

The page is served by the same Voila server as tests/test_browser_voila.py
(its fixtures: the Makefile's ``present`` command on a free port). The test
picks another team in the first view's **Team** dropdown and checks that its
row is outlined and its findings replace the first team's; then it raises
**Fewest tasks to score** above two of the sample's teams (Growth 563 tasks,
Data 522) and checks the heatmap marks them "too few" instead of colouring
them. The browser console, the page's error handler, dialogs, outside
requests and the server log stay clean.
"""
from __future__ import annotations

import pytest

from browser_helpers import wait_until
from test_browser_voila import open_page, rendered_page, voila, voila_context  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAME = "07_organisation.ipynb"
HEATMAP = "Every team's scores"

# Per heatmap, in page order: the row labels, the outlined row and every cell's word.
_HEATMAPS = """(heading) => [...document.querySelectorAll('.js-plotly-plot')]
    .filter(gd => gd.layout && gd.data && ((gd.layout.title && gd.layout.title.text) || '').startsWith(heading))
    .map(gd => ({rows: [...(gd.data[0].y || [])],
                 outlined: (gd.layout.shapes || []).map(s => s.y0),
                 words: gd.data.flatMap(t => (t.text || []).flat())}))"""
# The line above the first view's findings, and the first findings table's text.
_FINDINGS = """() => ({line: ([...document.querySelectorAll('.widget-html')].map(e => e.innerText)
                              .find(t => t.includes('findings, most severe first')) || ''),
                       table: (document.querySelector('.widget-output table') || {innerText: ''}).innerText})"""


def test_organisation_heatmap_drills_into_a_team_and_marks_small_teams_in_voila(voila, voila_context):  # noqa: F811
    rendering = open_page(voila_context, voila, NAME)
    page = rendering.page
    try:
        rendered_page(rendering)
        maps = page.evaluate(_HEATMAPS, HEATMAP)
        assert len(maps) == 2, f"expected the sample's heatmap and the combined files' heatmap: {maps}"
        first = maps[0]
        assert [r.split(" (")[0].replace("<b>", "") for r in first["rows"]] == ["Data", "Growth", "Platform",
                                                                              "Support"]
        assert first["outlined"] == [-0.5] and "too few" not in first["words"]
        assert [r.split(" (")[0].replace("<b>", "") for r in maps[1]["rows"]] == ["DATA", "GROW", "PLAT", "SUP"]
        before = page.evaluate(_FINDINGS)
        assert before["line"].startswith("Data: 522 tasks"), before["line"]

        select = page.locator('.widget-dropdown:has(label:text-is("Team")) select').first
        select.scroll_into_view_if_needed()
        select.select_option(label="Growth")
        # The line and the table arrive as two widget updates: wait for both.
        after = wait_until(page, _FINDINGS,
                           lambda f: f["line"].startswith("Growth: 563 tasks") and f["table"] != before["table"],
                           what="Growth's findings after choosing Growth")
        assert "563 of 563 tasks" in after["table"] and "522 of 522" not in after["table"], after["table"][:300]
        outlined = wait_until(page, lambda: page.evaluate(_HEATMAPS, HEATMAP)[0], lambda m: m["outlined"] == [0.5],
                              what="Growth's heatmap row outlined after choosing Growth")
        assert outlined["rows"][1].startswith("<b>Growth")

        box = page.locator('.widget-text:has(label:text-is("Fewest tasks to score")) input').first
        box.scroll_into_view_if_needed()
        box.fill("600")
        box.press("Enter")
        marked = wait_until(page, lambda: page.evaluate(_HEATMAPS, HEATMAP)[0], lambda m: "too few" in m["words"],
                            what='"too few" in the heatmap after raising Fewest tasks to score to 600')
        assert [r for r in marked["rows"] if "too few" in r] == ["Data (522 tasks, too few)",
                                                                "<b>Growth (563 tasks, too few)</b>"]
        assert marked["words"].count("too few") == 2 * 17, "every element of the two small teams, none else"
        line = page.evaluate(_FINDINGS)["line"]
        assert "Fewer than 600 tasks" in line
        tracebacks = voila.tracebacks(rendering.log_start)
    finally:
        page.close(run_before_unload=True)
    assert rendering.watch.problems() == []
    assert tracebacks == [], "a kernel or the server logged a traceback"

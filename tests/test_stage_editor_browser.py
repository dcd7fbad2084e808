"""The status map's stage editor in 00_start_here as `make present` shows it (Voila), in a real headless Chromium.

The page is served by the same kind of Voila server as tests/test_browser_voila.py
(its fixtures: the Makefile's ``present`` command on a free port, with its own
workspace). On the sample organisation the learnt definition has *In Review*
active and the commitment point on *In Progress*. The test opens the
**Status map** tab, stages *In Review* as waiting and moves the
**Commitment point** to *In Review* through the page's own dropdowns, and
checks the editor redraws (In Progress is moved before commitment) while the
import report still calls the stages a guess; then it clicks **Keep these
stages** and checks what a user sees change: the editor and the loader say the
stages are kept, the **Import report** tab's workflow stages say "As you kept
them" with In Review as waiting and as the commitment point, and
06_flow_and_forecasts, opened next on the same server, measures its cycle
times from In Review "as confirmed in the start notebook". The browser
console, the page's error handler, dialogs, outside requests and the server log
stay clean.
"""
from __future__ import annotations

from typing import Any

import pytest

from browser_helpers import wait_until
from test_browser_voila import open_page, rendered_page, voila, voila_context  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAME = "00_start_here.ipynb"
FLOW = "06_flow_and_forecasts.ipynb"
STATUS, STAGE, POINT = "In Review", "waiting", "In Review"

# What the stage editor and the loader show: each status row's stage and note (the rows whose dropdown offers the
# stages, not the status map's categories), the commitment point, the editor's and the loader's messages, and the
# import report's note and workflow-stages table (stage -> statuses).
_EDITOR = """() => {
  // ipywidgets writes option labels with no-break spaces.
  const label = o => o.textContent.replace(/\u00a0/g, ' ');
  const chosen = sel => sel && sel.selectedIndex >= 0 ? label(sel.options[sel.selectedIndex]) : null;
  const rows = {};
  for (const box of document.querySelectorAll('.widget-hbox')) {
    const code = box.querySelector(':scope > .widget-html code');
    const sel = box.querySelector(':scope > .widget-dropdown select');
    if (!code || !sel || ![...sel.options].some(o => o.textContent === 'waiting')) continue;
    const note = box.querySelector('small');
    rows[code.textContent] = {stage: chosen(sel), note: note ? note.textContent : ''};
  }
  const point = [...document.querySelectorAll('.widget-dropdown')]
      .find(d => (d.querySelector('label') || {}).textContent === 'Commitment point');
  const texts = [...document.querySelectorAll('.widget-html')].map(e => e.textContent);
  const report = [...document.querySelectorAll('.widget-output')]
      .find(o => [...o.querySelectorAll('h4')].some(h => h.textContent === 'Workflow stages'));
  const table = report && [...report.querySelectorAll('table')].find(t =>
      [...t.querySelectorAll('thead th')].map(th => th.textContent.trim()).join('|') === 'stage|statuses');
  return {
    rows,
    point: point ? chosen(point.querySelector('select')) : null,
    choices: point ? [...point.querySelectorAll('option')].map(label) : [],
    kept: texts.filter(t => t.startsWith('Kept:') || t.startsWith('Not changed')),
    loader: texts.filter(t => t.startsWith('Stages kept') || t.startsWith('Not kept')),
    reportNote: report
        ? ((report.innerText.match(/(As you kept them|A guess learnt from the export)[^\\n]*/) || [''])[0]) : '',
    overview: table ? Object.fromEntries([...table.querySelectorAll('tbody tr')]
        .map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent.trim()))) : {},
  };
}"""

# 06's summary line naming the stage definition, and the cycle-time chart's title with its subtitle.
_FLOW = """() => ({
  definition: ([...document.querySelectorAll('.widget-html small')].map(e => e.textContent)
               .find(t => t.startsWith('Stages ·')) || ''),
  cycle: ([...document.querySelectorAll('.js-plotly-plot')].filter(gd => gd.layout && gd.data)
          .map(gd => (gd.layout.title && gd.layout.title.text) || '').find(t => t.startsWith('Cycle time')) || ''),
})"""


def _choose(select: Any, label: str) -> None:
    """Pick the option shown as ``label`` in a dropdown (ipywidgets writes its spaces as no-break spaces)."""
    select.scroll_into_view_if_needed()
    labels = [t.replace("\u00a0", " ") for t in select.locator("option").all_text_contents()]
    assert label in labels, f"no option {label!r} in {labels}"
    select.select_option(index=labels.index(label))


def _tab(page: Any, title: str) -> None:
    tab = page.get_by_role("tab", name=title).first
    tab.scroll_into_view_if_needed()
    tab.click()


def test_stage_editor_keeps_a_new_stage_and_commitment_point_for_every_flow_chart_in_voila(voila,  # noqa: F811
                                                                                          voila_context):  # noqa: F811
    rendering = open_page(voila_context, voila, NAME)
    page = rendering.page
    try:
        rendered_page(rendering)
        _tab(page, "Status map")
        learnt = wait_until(page, _EDITOR, lambda s: STATUS in s["rows"] and s["point"] is not None,
                            what="the stage editor's rows and commitment point in the Status map tab")
        # The sample's learnt definition: the change below is a change.
        assert learnt["rows"][STATUS]["stage"] == "active" and learnt["rows"]["In Progress"]["stage"] == "active"
        assert learnt["point"] == "In Progress" and POINT in learnt["choices"], learnt
        assert learnt["kept"] == [] and learnt["reportNote"].startswith("A guess learnt from the export"), learnt
        assert learnt["overview"]["commitment point"] == "In Progress", learnt["overview"]

        # The status's row in the stage editor (the status map above has a row per status too, with categories).
        stage = page.locator(f'.widget-hbox:has(code:text-is("{STATUS}")):has(option:text-is("{STAGE}")) select').first
        _choose(stage, STAGE)
        wait_until(page, _EDITOR, lambda s: s["rows"].get(STATUS, {}).get("stage") == STAGE,
                   what=f"{STATUS}'s stage dropdown to show {STAGE} after the editor redraws")

        point = page.locator('.widget-dropdown:has(label:text-is("Commitment point")) select').first
        _choose(point, POINT)
        draft = wait_until(page, _EDITOR, lambda s: s["point"] == POINT
                           and s["rows"].get("In Progress", {}).get("stage") == "before commitment",
                           what=f"the commitment point on {POINT}, In Progress moved before commitment")
        assert draft["rows"][STATUS]["note"].startswith("yours,"), draft["rows"]
        assert draft["rows"]["In Progress"]["note"].startswith("moved by the commitment point"), draft["rows"]
        # A draft until kept: nothing says kept, and the import report still calls the stages a guess.
        assert draft["kept"] == [] and draft["loader"] == [], draft
        assert draft["reportNote"].startswith("A guess learnt from the export"), draft["reportNote"]

        keep = page.locator('button:has-text("Keep these stages")').first
        keep.scroll_into_view_if_needed()
        keep.click()
        kept = wait_until(page, _EDITOR, lambda s: s["kept"] != [] and s["reportNote"].startswith("As you kept them"),
                          what="the editor and the import report to say the stages are kept")
        assert kept["kept"] == ["Kept: every flow metric now uses these stages."], kept["kept"]
        assert kept["loader"] == ["Stages kept with the data; notebook 06 and every flow chart measure with them."]
        # The editor starts again from the kept definition: the same choices, no longer a draft.
        assert kept["point"] == POINT and kept["rows"][STATUS]["stage"] == STAGE, kept
        _tab(page, "Import report")
        shown = wait_until(page, _EDITOR, lambda s: s["overview"].get("commitment point") == POINT,
                           what=f"the import report's workflow stages to name {POINT} as the commitment point")
        assert shown["overview"][STAGE] == STATUS and shown["overview"]["active"] == "(none)", shown["overview"]
        assert shown["overview"]["before commitment"] == "To Do, In Progress", shown["overview"]
        tracebacks = voila.tracebacks(rendering.log_start)
    finally:
        page.close(run_before_unload=True)
    assert rendering.watch.problems() == []
    assert tracebacks == [], "a kernel or the server logged a traceback"

    # Downstream: the flow notebook reads the workspace the loader saved to, and measures from the kept point.
    flow = open_page(voila_context, voila, FLOW)
    page = flow.page
    try:
        rendered_page(flow)
        seen = wait_until(page, _FLOW, lambda s: s["definition"] and s["cycle"],
                          what="06's stage definition line and cycle-time chart")
        tracebacks = voila.tracebacks(flow.log_start)
    finally:
        page.close(run_before_unload=True)
    assert seen["definition"].endswith(f"commitment at {POINT} (as confirmed in the start notebook)"), seen
    assert f"waiting: {STATUS}" in seen["definition"], seen
    assert f"commitment at {POINT}" in seen["cycle"], seen["cycle"]
    assert flow.watch.problems() == []
    assert tracebacks == [], "a kernel or the server logged a traceback"

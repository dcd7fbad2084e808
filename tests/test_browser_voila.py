"""The notebooks as `make present` shows them (Voila, code hidden), in a real headless Chromium.

The server is started with the exact command of the Makefile's ``present``
target (read with ``make -n present``; only the port is changed to a free
one), so these tests cover ``make present`` itself. For 01-05: the page
renders with no code cell visible, every widget and chart renders, moving a
control redraws a chart, and nothing reaches the browser console, the page's
error handler, a dialog, the network, or the server log's tracebacks. A task
titled with an HTML payload shows as text and fires nothing.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
from playwright.sync_api import Error as PlaywrightError

import workfw as wf
from browser_helpers import wait_chart_changed, wait_rendered, wait_until
from conftest import (FONT_AWESOME, NOTEBOOK_DIR, REPO, SAVE_SCREENSHOTS, Harmless, PageWatch, Pipeline, Server,
                      free_port, save_screenshot, selected_params, server_env, start_server, stop_server)
from test_browser_lab import interact

NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb") if p.stem != "00_start_here")
WIDGET = "application/vnd.jupyter.widget-view+json"
PLOTLY = "application/vnd.plotly.v1+json"
EVIL = "<img src=x onerror=alert(1)>"
# A page renders in 5-20 s here (2 cores, shared with the test run).
VOILA_TIMEOUT_MS = 90_000

#: Known-harmless messages under Voila 0.5, each documented in /work/shared/toolchain.md section 4.
VOILA_HARMLESS = (
    FONT_AWESOME,
    Harmless("pageerror", r"^\w+\.setData is not a function$",
             "jupyterlab-plotly caches a PNG of each chart in its output model after drawing it; Voila's output "
             "model has no setData. The chart itself is drawn (checked)."),
)
#: Voila 0.5.13's file list (the page `make present` opens first) reports these by itself: no kernel and no
#: workfw code runs on that page.
VOILA_TREE_HARMLESS = (
    *VOILA_HARMLESS,
    Harmless("request", r"^https://cdn\.jsdelivr\.net/npm/font-awesome@4\.5\.0/css/font-awesome\.min\.css$",
             "the tree template links Font Awesome 4.5's CSS from a CDN (icons only); answered with an empty "
             "stylesheet here."),
    Harmless("console", r"^Failed to load resource: the server responded with a status of 404 \(Not Found\) "
             r"\[http://127\.0\.0\.1:\d+/api/kernels\?\d+\]$",
             "the tree page asks for running kernels; Voila serves no /api/kernels listing."),
    Harmless("console", r"^Plugin '(anywidget:plugin|@jupyter-widgets/jupyterlab-manager:[\w.-]+)' failed to "
             r"activate\. Error: The model for kernel id  does not exist",
             "the widget manager plugins load on the tree page too, where there is no kernel to attach to."),
)


# Voila 0.5 scrolls inside a panel, not the document: the tallest scrolling element holds the notebook.
_SCROLLERS = """[...document.querySelectorAll('*')].filter(e => e.scrollHeight > e.clientHeight + 10
                 && /(auto|scroll)/.test(getComputedStyle(e).overflowY))"""
_PAGE_HEIGHT = f"() => Math.max(1000, ...{_SCROLLERS}.map(e => e.getBoundingClientRect().top + e.scrollHeight + 40))"
_TO_TOP = f"() => {_SCROLLERS}.forEach(e => {{ e.scrollTop = 0; }})"


def present_command(port: int) -> str:
    """The Makefile's ``present`` recipe (its voila line), on ``port`` instead of 8866."""
    make = shutil.which("make")
    if make is None:
        pytest.fail("`make` is not installed; it is needed to read the present target", pytrace=False)
    dry = subprocess.run([make, "--no-print-directory", "-n", "present"], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout
    lines = [line for line in dry.replace("\\\n", " ").splitlines() if re.search(r"(^|/)voila\s", line)]
    assert len(lines) == 1, f"expected one voila command in `make -n present`, found:\n{dry}"
    command, found = re.subn(r"--port[ =]8866\b", f"--port {port}", lines[0])
    assert found == 1, f"`make present` no longer passes --port 8866; update this test: {lines[0]}"
    return command


@pytest.fixture(scope="module")
def voila(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`make present`'s Voila server on a free port, with its own workspace."""
    home = tmp_path_factory.mktemp("voila-home")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(present_command(port), ready_url=f"{url}/", url=url, env=server_env(home / "workspace", home),
                          cwd=REPO, log=home / "voila.log", workspace=home / "workspace")
    try:
        yield server
    finally:
        stop_server(server)


@dataclass
class Rendering:
    """A Voila page on its way: Voila runs the notebook while it sends the page."""

    page: Any
    watch: PageWatch
    response: Any
    log_start: int


def open_page(context: Any, server: Server, name: str) -> Rendering:
    watch = PageWatch(harmless=VOILA_HARMLESS)
    page = watch.attach(context.new_page())
    log_start = server.log_size()
    response = page.goto(f"{server.url}/voila/render/{name}", wait_until="commit")
    return Rendering(page, watch, response, log_start)


def rendered_page(rendering: Rendering) -> dict:
    """Wait for the page, its widgets and charts; check no code shows. Returns the rendered state."""
    page = rendering.page
    page.wait_for_load_state("load", timeout=VOILA_TIMEOUT_MS)
    assert rendering.response.status == 200, rendering.response.status
    html = rendering.response.text()
    hidden = page.evaluate("""() => ({
        code: document.querySelectorAll('.jp-CodeCell .cm-editor, .jp-CodeCell .jp-InputPrompt, '
                                        + '.jp-CodeCell .jp-InputArea').length,
        cells: document.querySelectorAll('.jp-CodeCell').length,
        text: document.body.innerText})""")
    assert hidden["cells"] > 0 and hidden["code"] == 0, f"{hidden['code']} code inputs are visible"
    assert "import workfw" not in hidden["text"] and "import workfw" not in html
    # Voila sends each output as JSON in the page: every widget view in it must render.
    state = wait_rendered(page, min_views=html.count(WIDGET), min_plots=html.count(PLOTLY),
                          timeout_ms=VOILA_TIMEOUT_MS, watch=rendering.watch)
    assert state["errors"] == [], f"the page shows errors: {state['errors']}; browser: {rendering.watch.problems()}"
    return state


@pytest.fixture(scope="module")
def voila_context(chromium_browser: Any) -> Iterator[Any]:
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 1000})
    yield context
    context.close()


@pytest.fixture(scope="module")
def voila_pages(request: pytest.FixtureRequest, voila: Server, voila_context: Any) -> Pipeline:
    """Notebook pages requested one at a time, as each test starts.

    One at a time so that the server log read after each page belongs to that
    page alone, and so a page's timings do not depend on its neighbour's.
    """
    return Pipeline(selected_params(request, "name"), lambda name: open_page(voila_context, voila, name), width=1)


def test_present_lists_every_notebook(voila, voila_context):
    watch = PageWatch(harmless=VOILA_TREE_HARMLESS)
    page = watch.attach(voila_context.new_page())
    try:
        page.goto(f"{voila.url}/")
        items = page.locator('.jp-DirListing-item[data-file-type="notebook"] .jp-DirListing-itemText')
        items.first.wait_for(timeout=30_000)
        listed = items.all_inner_texts()
    finally:
        page.close()
    assert sorted(listed) == sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))
    assert watch.problems() == []


# Every page must render on the first load. Voila renders outputs before the page's kernel connection is
# up; ipywidgets 8.1.9 then gave up on models that arrived near its 2 s get_model poll's end (3 of 5 loads of
# 01 showed "model not found"). pyproject.toml holds ipywidgets below 8.1.9 for that reason; this test is
# what fails if a release brings the race back.
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_presents_with_live_widgets_in_voila(voila, voila_pages, name):
    stem = Path(name).stem
    rendering = voila_pages.take(name)
    try:
        state = rendered_page(rendering)
    except BaseException:
        rendering.page.close()
        voila_pages.release(name)
        raise
    page = rendering.page
    try:
        assert state["views"] >= 1, f"{name} shows no widgets"
        if stem != "05_workshop":  # the workshop draws its charts once answers arrive (checked below)
            assert state["plots"] >= 1, f"{name} draws no chart"
        what = interact(page, stem)
        after = wait_chart_changed(page, state["charts"], what=what)
        assert after["errors"] == [], f"{name} shows errors after {what}: {after['errors']}"
        if stem in AGREEING:
            assert_one_answer_per_page(page, stem, team=what)
        if SAVE_SCREENSHOTS:
            save_screenshot(page, f"voila_{stem}", full_height=page.evaluate(_PAGE_HEIGHT), after_resize=_TO_TOP)
        tracebacks = voila.tracebacks(rendering.log_start)
    finally:
        page.close(run_before_unload=True)
        voila_pages.release(name)
    assert rendering.watch.problems() == []
    assert tracebacks == [], "a kernel or the server logged a traceback"


#: Notebooks whose diagram scores each element as the mean of that element's signals in the signal table.
AGREEING = {"01_c4_flywheel": wf.c4_flywheel.ELEMENTS, "02_coordination_stack": wf.coordination_stack.ELEMENTS}

# The explorer's diagram (the chart whose traces are the elements, each with its score in customdata) and the
# signal table (the table with a "Not measurable because" column) with the selection line above it.
_SCORES_ON_PAGE = """elements => {
    const plots = [...document.querySelectorAll('.js-plotly-plot')].filter(gd => gd.data && gd.data.length
        && gd.data.every(t => elements.includes(t.name) && t.customdata && typeof t.customdata[0] === 'number'));
    const diagram = plots.length ? Object.fromEntries(plots[0].data.map(
        t => [t.name, t.customdata[0]])) : null;
    const tables = [...document.querySelectorAll('table')].filter(
        t => [...t.querySelectorAll('th')].some(th => th.innerText.trim() === 'Not measurable because'));
    if (!tables.length) return {diagram, rows: null, heading: null};
    const table = tables[tables.length - 1];
    const heads = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
    const rows = [...table.querySelectorAll('tbody tr')].map(tr => {
        const cells = [...tr.querySelectorAll('td')].map(td => td.innerText.trim());
        return {element: cells[heads.indexOf('Element')], score: cells[heads.indexOf('Score')]};
    });
    const widget = table.closest('.widget-vbox');
    const heading = widget ? widget.innerText.split('\\n')[0] : null;
    return {diagram, rows, heading};
}"""


def assert_one_answer_per_page(page: Any, stem: str, *, team: str, timeout_ms: int = 60_000) -> None:
    """After choosing ``team``, the diagram's scores and the signal table below it tell the same story."""
    elements = list(AGREEING[stem])
    seen = wait_until(page, _SCORES_ON_PAGE, arg=elements, timeout_ms=timeout_ms,
                      check=lambda s: s["rows"] and s["diagram"] and f"team {team}" in (s["heading"] or ""),
                      what=f"{stem}'s signal table to show team {team}")
    for element in elements:
        scores = [float(r["score"]) for r in seen["rows"] if r["element"] == element and r["score"].isdigit()]
        shown = seen["diagram"].get(element)
        if scores and shown is not None:
            # Signal scores are shown rounded to whole numbers, so their mean is within 0.5 of the exact one.
            assert abs(sum(scores) / len(scores) - float(shown)) <= 0.6, (stem, team, element, shown, scores)


def _evil_export() -> wf.TaskExport:
    """Twelve tasks, all titled with an HTML payload; stale open work makes findings that list them."""
    rows = ["ID,Title,Status,Created,Updated,Completed,Team,Assignee"]
    for i in range(1, 13):
        status = ["To Do", "In Progress", "Done"][i % 3]
        updated = f"2026-0{2 + i % 3}-1{i % 9}T09:00:00Z"
        rows.append(f'T{i},"{EVIL}",{status},2026-0{1 + i % 3}-0{1 + i % 7}T09:00:00Z,{updated},'
                    f"{updated if status == 'Done' else ''},Ops,")
    mapping = {"task_id": "ID", "title": "Title", "status": "Status", "created": "Created", "updated": "Updated",
               "completed": "Completed", "team": "Team", "assignee": "Assignee"}
    return wf.read_export("\n".join(rows).encode(), source="generic-csv", name="evil.csv", mapping=mapping)


def test_task_title_with_html_shows_as_text_and_fires_nothing(voila, voila_context, monkeypatch):
    monkeypatch.setenv("WORKFW_WORKSPACE", str(voila.workspace))
    wf.workspace.save(_evil_export())
    try:
        rendering = open_page(voila_context, voila, "01_c4_flywheel.ipynb")
        page = rendering.page
        try:
            rendered_page(rendering)
            # The findings browser lists the tasks behind the first finding, titles included.
            shown = page.get_by_text(EVIL, exact=True)
            shown.first.wait_for(state="visible", timeout=30_000)
            count = shown.count()
            injected = page.evaluate("document.querySelectorAll('img[src=\"x\"], [onerror]').length")
            page.wait_for_timeout(1000)  # time for an onerror handler to fire, were there an image
        finally:
            page.close(run_before_unload=True)
    finally:
        wf.workspace.clear()
    assert count >= 1 and injected == 0
    assert rendering.watch.dialogs == [] and rendering.watch.problems() == []

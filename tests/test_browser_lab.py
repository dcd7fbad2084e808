"""Every notebook in JupyterLab, in a real headless Chromium: runs, draws, reacts, and reports nothing broken.

One JupyterLab server (the venv's, as ``make lab`` starts it) serves the
checkout for the whole module, with a private workspace, settings and
runtime folder. For each notebook the test opens it, runs all cells, waits
until every cell has run and every chart and widget has rendered, moves one
control and checks a chart was redrawn. Any browser console error, page
error, dialog, outside request, error output, or a traceback in the server's
log (where widget callbacks report) fails the test. Autosave is off, and the
test checks that the notebooks on disk are unchanged.

Screenshots (1280 wide, the whole notebook) are written to
docs/screenshots/<notebook>.png only with WORKFW_SCREENSHOTS=1.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from playwright.sync_api import Error as PlaywrightError

from browser_helpers import wait_chart_changed, wait_rendered
from conftest import (NOTEBOOK_DIR, REPO, SAVE_SCREENSHOTS, VENV_BIN, PageWatch, Pipeline, Server, free_port,
                      save_screenshot, selected_params, server_env, start_server, stop_server)

NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))
RUN_TIMEOUT_MS = 240_000

#: User settings for the server under test (a private JUPYTERLAB_SETTINGS_DIR).
LAB_SETTINGS = {
    # No "Would you like to get notified about official Jupyter news?" popup, no update check.
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    # Render every cell, not only those in view: off-screen outputs must exist to be checked.
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    # Never write executed notebooks (5 MB of widget state) back into notebooks/.
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
}

# Runs all cells of the notebook at `path` through JupyterLab's own command, as the Run menu does.
_RUN_ALL = """async (path) => {
  const app = window.jupyterapp;
  await app.started; await app.restored;
  let panel;
  for (let i = 0; i < 600 && !panel; i++) {
    panel = [...app.shell.widgets('main')].find(w => w.context && w.context.path === path);
    if (!panel) await new Promise(r => setTimeout(r, 100));
  }
  if (!panel) return {ok: false, reason: 'notebook never opened'};
  await panel.context.ready; await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  const ok = await app.commands.execute('notebook:run-all-cells');
  for (let i = 0; i < 600 && panel.sessionContext.session.kernel.status !== 'idle'; i++)
    await new Promise(r => setTimeout(r, 100));
  return {ok, kernel: panel.sessionContext.session.kernel.status};
}"""

# What the notebook model holds: unexecuted cells, errors and stderr, and how many outputs are widgets.
_STATE = """(path) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.context.path === path);
  const found = {cells: 0, unexecuted: 0, errors: [], widgets: 0, plotly: 0};
  for (const cell of panel.content.widgets) {
    if (cell.model.type !== 'code') continue;
    found.cells += 1;
    if (cell.model.executionCount === null) found.unexecuted += 1;
    const head = cell.model.sharedModel.getSource().slice(0, 80);
    for (const out of cell.model.outputs.toJSON()) {
      if (out.output_type === 'error') found.errors.push(`${head} raised ${out.ename}: ${out.evalue}`);
      if (out.output_type === 'stream' && out.name === 'stderr') found.errors.push(`${head} wrote to stderr: ${out.text}`);
      const data = out.data || {};
      if (data['application/vnd.jupyter.widget-view+json']) found.widgets += 1;
      if (data['application/vnd.plotly.v1+json']) found.plotly += 1;
    }
  }
  return found;
}"""

# Stop the notebook's kernel, so finished notebooks do not hold memory while the next ones run.
_SHUTDOWN = """async (path) => {
  const app = window.jupyterapp;
  const panel = app && [...app.shell.widgets('main')].find(w => w.context && w.context.path === path);
  if (panel) await panel.sessionContext.shutdown();
}"""

# Hide the file browser, and measure how tall a window must be to show the whole notebook at once.
_SCREENSHOT_HEIGHT = """(path) => {
  const app = window.jupyterapp;
  app.shell.collapseLeft();
  const panel = [...app.shell.widgets('main')].find(w => w.context && w.context.path === path);
  const outer = panel.content.node.querySelector('.jp-WindowedPanel-outer');
  const inner = panel.content.node.querySelector('.jp-WindowedPanel-inner');
  return Math.ceil(outer.getBoundingClientRect().top + inner.scrollHeight + 60);
}"""


def select_next(page: Any, label: str) -> str:
    """Pick the option after the current one in the dropdown labelled ``label``; returns the option."""
    select = page.locator(f'.widget-dropdown:has(label:text-is("{label}")) select').first
    select.scroll_into_view_if_needed()
    options = select.locator("option").all_inner_texts()
    current = select.evaluate("s => s.selectedIndex")
    choice = options[(current + 1) % len(options)]
    select.select_option(label=choice)
    return choice


def answer_and_collect(page: Any) -> str:
    """05: answer a few statements as a participant, save, and read the responses folder again."""
    buttons = page.locator('.widget-toggle-buttons button:text-is("4"):visible')
    for i in range(min(4, buttons.count())):
        buttons.nth(i).click()
    page.locator('button:has-text("Save my answers")').first.click()
    # The kernel handles clicks in order: the save is on disk before the folder is read again.
    page.locator('button:has-text("Read the folder again")').first.click()
    page.locator('button:has-text("Reveal results")').first.click()  # the results start hidden (issue #16)
    return "answered 4 statements, saved, read the folder again, revealed the results"


#: The control each notebook's test moves, and the chart it must redraw.
INTERACTIONS: dict[str, Callable[[Any], str]] = {
    "00_start_here": lambda page: select_next(page, "Framework"),  # the tracker comparison
    "05_workshop": answer_and_collect,  # the group's results appear
}


def interact(page: Any, stem: str) -> str:
    """Move the notebook's control (default: the Explorer's Team dropdown)."""
    return INTERACTIONS.get(stem, lambda p: select_next(p, "Team"))(page)


def _digest() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(NOTEBOOK_DIR.glob("*.ipynb"))}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """JupyterLab serving the checkout, with its own workspace and settings, for this module."""
    home = tmp_path_factory.mktemp("lab-home")
    for plugin, values in LAB_SETTINGS.items():
        path = home / "lab-settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    token, port = secrets.token_hex(16), free_port()
    cmd = [str(VENV_BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", "--allow-root", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={REPO}", "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    url = f"http://127.0.0.1:{port}"
    before = _digest()
    server = start_server(cmd, ready_url=f"{url}/api/status?token={token}", url=url,
                          env=server_env(home / "workspace", home), cwd=REPO, log=home / "lab.log",
                          workspace=home / "workspace", token=token)
    try:
        yield server
    finally:
        stop_server(server)
    assert _digest() == before, "JupyterLab wrote into notebooks/ (autosave must stay off in LAB_SETTINGS)"


_RELOADED = "Execution context was destroyed"


def _set_running(page: Any, path: str) -> None:
    """Wait for Lab to start and set every cell running, again if Lab reloads the page meanwhile.

    A new named workspace sometimes makes JupyterLab reload its page once while it restores; the
    running cells of the first load are then lost with it, so they are set running on the new page.
    """
    for attempt in range(3):
        try:
            page.wait_for_function("window.jupyterapp !== undefined", timeout=60_000)
            page.evaluate("async () => { await window.jupyterapp.restored; }")
            page.evaluate(f"path => {{ window.__workfwRun = ({_RUN_ALL})(path); }}", path)
            return
        except PlaywrightError as exc:
            if _RELOADED not in str(exc) or attempt == 2:
                raise
            page.wait_for_load_state()


def _run_result(page: Any, path: str) -> Any:
    """What the run of all cells returned, setting it running again if the page was reloaded."""
    try:
        result = page.evaluate("() => window.__workfwRun")
    except PlaywrightError as exc:
        if _RELOADED not in str(exc):
            raise
        result = None
    if result is None:
        page.wait_for_load_state()
        _set_running(page, path)
        result = page.evaluate("() => window.__workfwRun")
    return result


@dataclass
class Opened:
    """A notebook page whose cells were set running, and what it reported."""

    page: Any
    watch: PageWatch
    path: str
    log_start: int


@pytest.fixture(scope="module")
def lab_pages(request: pytest.FixtureRequest, lab: Server, chromium_browser: Any) -> Iterator[Pipeline]:
    """Notebook pages opened and set running two at a time, ahead of the tests that check them."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 1000})

    def start(name: str) -> Opened:
        stem, path = Path(name).stem, f"notebooks/{name}"
        watch = PageWatch()
        page = watch.attach(context.new_page())
        log_start = lab.log_size()
        # A new workspace per notebook: Lab opens just this notebook, not another test's tabs.
        page.goto(f"{lab.url}/lab/workspaces/{stem}/tree/{path}?token={lab.token}")
        _set_running(page, path)
        return Opened(page, watch, path, log_start)

    pipeline = Pipeline(selected_params(request, "name"), start)
    yield pipeline
    context.close()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_draws_and_reacts_in_jupyterlab(lab, lab_pages, name):
    stem = Path(name).stem
    opened = lab_pages.take(name)
    page, path = opened.page, opened.path
    try:
        ran = _run_result(page, path)
        state = page.evaluate(_STATE, path)
        assert state["errors"] == [], f"{name} shows errors: {state['errors']}"
        assert ran["ok"] and state["unexecuted"] == 0 and ran["kernel"] == "idle", (ran, state)
        rendered = wait_rendered(page, min_views=state["widgets"], min_plots=state["plotly"],
                                 timeout_ms=RUN_TIMEOUT_MS, watch=opened.watch)
        assert rendered["errors"] == [], f"{name} shows errors: {rendered['errors']}"
        assert rendered["views"] >= 1, f"{name} shows no widgets"
        if stem != "05_workshop":  # the workshop draws its charts once answers arrive (checked below)
            assert rendered["plots"] >= 1, f"{name} draws no chart"
        what = interact(page, stem)
        after = wait_chart_changed(page, rendered["charts"], what=what)
        assert after["errors"] == [], f"{name} shows errors after {what}: {after['errors']}"
        if SAVE_SCREENSHOTS:
            save_screenshot(page, stem, full_height=page.evaluate(_SCREENSHOT_HEIGHT, path), after_resize=(
                "document.querySelectorAll('.jp-WindowedPanel-outer').forEach(e => { e.scrollTop = 0; })"))
        tracebacks = lab.tracebacks(opened.log_start)
        # Read before the kernel is shut down: shutting it down while widget views are open makes the
        # page log "Comm not found" for comms the test itself just ended, which says nothing about us.
        problems = opened.watch.problems()
    finally:
        page.evaluate(_SHUTDOWN, path)
        page.close()
        lab_pages.release(name)
    assert problems == []
    # The log is shared with the notebook running alongside: a traceback here may be from either.
    assert tracebacks == [], "a kernel or the server logged a traceback"

"""Shared test setup: an isolated workspace so notebooks and tests never touch the user's.

Also the real-browser harness shared by the browser tests: Debian's
``/usr/bin/chromium`` driven by the Python playwright package (never a
downloaded browser), a page watcher that turns console errors, page errors,
dialogs and outside requests into test failures, and a helper that runs a
Jupyter server (JupyterLab or Voila) for one test module.
"""
from __future__ import annotations

import os
import tempfile

# Set before any kernel starts: nbval and nbclient kernels inherit this environment.
os.environ.setdefault("WORKFW_WORKSPACE", tempfile.mkdtemp(prefix="workfw-test-workspace-"))

import re  # noqa: E402  (the workspace line above must run first)
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Iterator  # noqa: E402

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
#: The venv's bin folder: the servers under test are the ones `make lab` / `make present` run.
VENV_BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
#: Screenshots go to docs/screenshots only on request, so CI never rewrites tracked files.
SAVE_SCREENSHOTS = os.environ.get("WORKFW_SCREENSHOTS") == "1"
SCREENSHOT_DIR = REPO / "docs" / "screenshots"


def _missing_browser(reason: str) -> None:
    """Fail under CI (a browser test must never vanish there); skip with the reason on a laptop."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser tests (.ci/run installs Debian's chromium)", pytrace=False)
    pytest.skip(f"{reason}: install it with `apt-get install chromium` to run the browser tests")


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    """A headless Debian chromium for one test module.

    Module scope rather than session: playwright's sync API owns an event loop
    while it runs, and the nbclient tests in other modules need theirs.
    """
    if not Path(CHROMIUM).exists():
        _missing_browser(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_browser("the playwright Python package is missing (pip install -e '.[test]')")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# ---------------------------------------------------------------------------------------------- page watcher

@dataclass(frozen=True)
class Harmless:
    """A browser message known to be harmless, with the reason it may be ignored."""

    kind: str  # "console", "pageerror" or "request"
    pattern: str  # regex searched in the message (for requests: in the URL)
    why: str

    def matches(self, kind: str, text: str) -> bool:
        return kind == self.kind and re.search(self.pattern, text) is not None


#: Outside requests are answered locally instead of going to the network, so a test behaves the same
#: online and offline. These few are expected; any other outside request fails the test.
FONT_AWESOME = Harmless(
    "request", r"^https://cdn\.jsdelivr\.net/npm/@fortawesome/fontawesome-free@",
    "Voila 0.5's template links Font Awesome's CSS from a CDN (only icons use it); toolchain.md section 4. "
    "It is answered with an empty stylesheet here.")


@dataclass
class PageWatch:
    """Everything a page reported that a user would call broken: errors, dialogs, outside requests.

    Console messages of type ``error``, uncaught page errors, any ``alert``/
    ``confirm``/``prompt`` dialog (dismissed at once) and every request that
    leaves 127.0.0.1 are recorded; :meth:`problems` lists those not covered
    by ``harmless``.
    """

    harmless: tuple[Harmless, ...] = ()
    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> Any:
        """Start watching ``page`` (before its first navigation) and return it."""
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.page_errors.append(f"{exc}"))
        page.on("dialog", self._on_dialog)
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.route(re.compile(r"^https?://(?!(127\.0\.0\.1|localhost)[:/])"), self._outside)
        return page

    def _on_console(self, msg: Any) -> None:
        if msg.type == "error":
            where = msg.location.get("url", "") if isinstance(msg.location, dict) else ""
            self.console.append(f"{msg.text} [{where}]")

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _outside(self, route: Any) -> None:
        url = route.request.url
        self.outside.append(url)
        if any(h.matches("request", url) for h in self.harmless):
            route.fulfill(status=200, content_type="text/css", body="")
        else:
            route.abort()

    def problems(self) -> list[str]:
        """Messages not covered by ``harmless``, each prefixed with its kind."""
        found = [("console", m) for m in self.console] + [("pageerror", m) for m in self.page_errors]
        found += [("request", u) for u in self.outside]
        out = [f"{kind}: {text}" for kind, text in found
               if not any(h.matches(kind, text) for h in self.harmless)]
        out += [f"dialog: {d}" for d in self.dialogs]
        out += [f"request failed: {u}" for u in self.failed
                if not any(h.matches("request", u.split(" ")[0]) for h in self.harmless)]
        return out

    def clear(self) -> None:
        """Forget what was recorded so far (for example after page set-up that is checked separately)."""
        for bucket in (self.console, self.page_errors, self.dialogs, self.outside, self.failed):
            bucket.clear()


# ---------------------------------------------------------------------------------------------- servers

def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A Jupyter server process started by a test module, with its log file."""

    process: subprocess.Popen
    url: str
    log: Path
    workspace: Path
    token: str = ""

    def log_text(self, start: int = 0) -> str:
        """The server's output (its kernels' stderr included) from byte ``start``."""
        with self.log.open("rb") as fh:
            fh.seek(start)
            return fh.read().decode("utf-8", "replace")

    def log_size(self) -> int:
        return self.log.stat().st_size

    def tracebacks(self, start: int = 0) -> list[str]:
        """Python tracebacks the server or a kernel logged since byte ``start`` (widget callbacks log here).

        Tornado's ``WebSocketClosedError`` is left out: the server logs it when
        a test closes a page while messages are still on their way to it.
        """
        found = re.finditer(r"Traceback \(most recent call last\):.*?(?=\n\[[A-Z]|\Z)", self.log_text(start),
                            flags=re.S)
        return [m.group(0)[:3000] for m in found if "tornado.websocket.WebSocketClosedError" not in m.group(0)]


def start_server(cmd: list[str] | str, *, ready_url: str, url: str, env: dict[str, str], cwd: Path,
                 log: Path, workspace: Path, token: str = "", timeout: float = 90) -> Server:
    """Start ``cmd`` in its own process group and wait until ``ready_url`` answers HTTP 200."""
    with log.open("wb") as fh:
        process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                   shell=isinstance(cmd, str), start_new_session=True)
    server = Server(process, url, log, workspace, token)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{server.log_text()[-3000:]}")
        try:
            with urllib.request.urlopen(ready_url, timeout=5) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    stop_server(server)
    raise RuntimeError(f"server not ready after {timeout} s at {ready_url}:\n{server.log_text()[-3000:]}")


def stop_server(server: Server) -> None:
    """Stop the server and the kernels it started (its own process group, by id)."""
    if server.process.poll() is None:
        # SIGINT twice is how jupyter servers shut down cleanly, kernels included.
        for _ in range(2):
            try:
                os.killpg(server.process.pid, signal.SIGINT)
            except ProcessLookupError:
                break
            time.sleep(0.3)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark notebook runs ``slow`` and the Chromium-driven modules ``browser``, for ``-m "not slow and not browser"``."""
    for item in items:
        name = item.path.name
        if name.endswith(".ipynb"):
            item.add_marker(pytest.mark.slow)
        elif name.startswith("test_browser_") or name.endswith("_browser.py"):
            item.add_marker(pytest.mark.browser)


def server_env(workspace: Path, home: Path) -> dict[str, str]:
    """Environment for a server under test: its own workspace, runtime and settings folders, no user state."""
    env = dict(os.environ)
    env.update({
        "WORKFW_WORKSPACE": str(workspace),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "lab-workspaces"),
        "PYTHONUNBUFFERED": "1",
    })
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def save_screenshot(page: Any, name: str, *, full_height: int | None = None, after_resize: str | None = None
                    ) -> Path | None:
    """Save a 1280-wide screenshot to docs/screenshots/<name>.png when WORKFW_SCREENSHOTS=1.

    ``full_height`` makes the window that tall first (for apps that scroll
    inside a panel, like JupyterLab); ``after_resize`` is a script run then.
    """
    if not SAVE_SCREENSHOTS:
        return None
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    if full_height is None:
        page.screenshot(path=str(path), full_page=True)
    else:
        size = page.viewport_size
        page.set_viewport_size({"width": 1280, "height": full_height})
        page.wait_for_timeout(1000)
        if after_resize:
            page.evaluate(after_resize)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(path))
        page.set_viewport_size(size)
    return path



class Pipeline:
    """Start slow page loads ahead of the tests that check them, ``width`` at a time.

    The machine has two cores: while one notebook's kernel computes, the next
    one's can start. Tests call :meth:`take` for their item (starting it if
    needed) and :meth:`release` when done, which starts the next one.

    Parameters
    ----------
    names : list of str
        Items in the order the tests will take them (only the selected tests').
    start : callable
        ``start(name)`` begins the work and returns a handle for the test.
    width : int
        How many items may be started and not yet released.
    """

    def __init__(self, names: list[str], start: Any, *, width: int = 2) -> None:
        self.pending = list(names)
        self.start = start
        self.width = width
        self.handles: dict[str, Any] = {}
        self.open: set[str] = set()

    def _fill(self) -> None:
        while self.pending and len(self.open) < self.width:
            name = self.pending.pop(0)
            self.handles[name] = self.start(name)
            self.open.add(name)

    def take(self, name: str) -> Any:
        """The handle for ``name``, started now if it was not yet (the next ones start too)."""
        if name not in self.handles:
            if name in self.pending:
                self.pending.remove(name)
            self.handles[name] = self.start(name)
            self.open.add(name)
        self._fill()
        return self.handles[name]

    def release(self, name: str) -> None:
        """``name`` is checked: let the next item start."""
        self.open.discard(name)
        self._fill()


def selected_params(request: pytest.FixtureRequest, param: str) -> list[Any]:
    """Values of ``param`` for the tests of the requesting module that this run selected, in run order."""
    values = []
    for item in request.session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if getattr(item, "module", None) is request.module and param in params and params[param] not in values:
            values.append(params[param])
    return values


def assert_reads_on_a_projector(fig):
    """Short title (the explanation goes in the subtitle), horizontal text, within the 640px diagram width."""
    title = fig.layout.title.text.split("<br>")[0]
    assert 0 < len(title) <= 70, title
    assert all(a.textangle in (None, 0) for a in fig.layout.annotations)
    assert all(getattr(t, "textangle", None) in (None, 0) for t in fig.data)
    assert fig.layout.width <= 1100

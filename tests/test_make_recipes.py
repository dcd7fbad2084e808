"""`make lab` and `make present` start where a new user runs them, root included (a container, a cloud shell)."""
from __future__ import annotations

import os
import shlex
import subprocess
import time
from pathlib import Path

import pytest

from conftest import REPO, free_port, server_env

#: The last line of each recipe is the server command; the lines before it set the venv up.
_SERVER = {"lab": "jupyter lab", "present": "voila"}


def _recipe(target: str, uid: int, tmp_path: Path) -> list[str]:
    """The server command `make TARGET` runs for a user with ``uid`` (``id`` answered by a stand-in)."""
    fake = tmp_path / f"bin-{uid}"
    fake.mkdir(exist_ok=True)
    (fake / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (fake / "id").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"}
    # -W: treat the venv as up to date, so only the server line is printed, never the pip lines.
    out = subprocess.run(["make", "-s", "-n", "-W", "pyproject.toml", "-o", ".venv/.installed", target],
                         cwd=REPO, env=env, capture_output=True, text=True, check=True).stdout
    lines = [line for line in out.replace("\\\n", " ").splitlines() if _SERVER[target] in line]
    assert len(lines) == 1, out
    return shlex.split(lines[0])


def test_lab_passes_allow_root_only_for_root(tmp_path):
    assert "--allow-root" in _recipe("lab", 0, tmp_path)
    assert "--allow-root" not in _recipe("lab", 1000, tmp_path)
    assert _recipe("lab", 1000, tmp_path)[-1] == "notebooks/00_start_here.ipynb"
    # Voila has no root check, and refuses an --allow-root it does not know.
    assert "--allow-root" not in _recipe("present", 0, tmp_path)


def _starts(command: list[str], tmp_path: Path) -> str:
    """Run a server command from the repository root until it says it is running; return its log."""
    log = tmp_path / "server.log"
    env = server_env(tmp_path / "workspace", tmp_path / "home")
    with log.open("w") as sink:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if "running at" in log.read_text(errors="replace"):
                return log.read_text(errors="replace")
            time.sleep(0.5)
        pytest.fail(f"{command[0]} did not start (exit {process.poll()}):\n{log.read_text(errors='replace')[-2000:]}")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 15)
            process.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.parametrize("target", ["lab", "present"])
def test_the_recipe_starts_its_server_as_this_user(target, tmp_path):
    """Run as CI runs (root there): the very command make would run, with the browser kept closed."""
    command = _recipe(target, os.getuid(), tmp_path)
    extra = ["--no-browser", f"--port={free_port()}", "--ServerApp.token=", "--ServerApp.ip=127.0.0.1"]
    if target == "present":  # the recipe already names its port and stays on 127.0.0.1
        port = command.index("--port")
        command[port + 1], extra = str(free_port()), []
    log = _starts(command + extra, tmp_path)
    assert "Running as root is not recommended" not in log

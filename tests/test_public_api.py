"""The public API never surprises: names keep their type, and the README's snippet runs as written."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

import workfw as wf

ROOT = Path(__file__).resolve().parents[1]
JIRA_FILE = wf.sample_path("jira")[0]

#: The public names that are modules; every other name in ``workfw.__all__`` is a function or a class.
MODULES = {"c4_flywheel", "coordination_stack", "value_pyramid", "visibility", "flow", "assessment", "workspace",
           "widgets", "coverage", "advice", "actors", "change",
           "organisation"}

# Run in a fresh interpreter: this test process has imported half the package already, so the order of
# imports (the thing that used to turn ``wf.report`` into a module) cannot be controlled here.
_PROBE = textwrap.dedent("""
    import importlib, json, pkgutil, sys, types
    import workfw
    first = {}
    if sys.argv[1] == "names-first":
        first = {n: type(getattr(workfw, n)).__name__ for n in workfw.__all__}
    for info in pkgutil.walk_packages(workfw.__path__, "workfw."):
        if info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)
    after = {n: type(getattr(workfw, n)).__name__ for n in workfw.__all__}
    print(json.dumps({"first": first, "after": after}))
""")


def _types(order: str) -> dict[str, dict[str, str]]:
    done = subprocess.run([sys.executable, "-c", _PROBE, order], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("order", ["submodules-first", "names-first"])
def test_every_public_name_keeps_its_type_after_every_submodule_is_imported(order):
    seen = _types(order)
    after = seen["after"]
    assert set(after) == set(wf.__all__)
    for name, kind in after.items():
        expected = "module" if name in MODULES else ("function", "type", "ABCMeta")
        assert (kind == expected) if isinstance(expected, str) else (kind in expected), (name, kind)
    if seen["first"]:
        assert seen["first"] == after


def test_report_stays_the_function_after_the_reporting_module_is_imported(tmp_path):
    import workfw.reporting  # noqa: F401  (the CLI and the workshop button import it)

    assert isinstance(wf.report, types.FunctionType)
    path = wf.report(wf.load_sample(), path=tmp_path / "r.html")
    assert Path(path).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    again = wf.report(wf.load_sample(), path=tmp_path / "r2.html")
    assert Path(again).exists()


def test_each_public_function_answers_on_the_sample(tmp_path):
    export = wf.read_export(JIRA_FILE)
    assert isinstance(export, wf.TaskExport) and len(export.tasks) > 0
    assert isinstance(export.report, wf.ImportReport)
    assert {"jira-csv", "github-json", "generic-csv"} <= set(wf.list_formats()["source"])
    asana = wf.read_export(wf.sample_path("asana")[0])
    assert len(wf.combine_exports([export, asana]).tasks) == len(export.tasks) + len(asana.tasks)
    assert len(wf.load_sample("jira").tasks) > len(export.tasks)
    assert "jira" in set(wf.list_samples()["name"])
    assert isinstance(wf.report_json(export), dict)
    assert set(wf.diagnose_all(export)) == {"c4_flywheel", "coordination_stack", "value_pyramid", "visibility"}
    assert isinstance(wf.check_environment(), pd.DataFrame)
    hidden = wf.pseudonymise(export)
    assert len(hidden.tasks) == len(export.tasks)
    assert issubclass(wf.WorkfwError, ValueError)


def _readme_python() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks, "the README has no Python snippet"
    return blocks[0]


def test_readme_python_snippet_runs_as_written_on_sample_files(tmp_path, monkeypatch):
    """The README's snippet, with its file names pointed at sample files of the same formats."""
    code = _readme_python()
    # The generic-csv example maps columns by name: give it a sheet that has them.
    sheet = pd.DataFrame({"Ref": ["A-1", "A-2"], "Summary": ["Plan", "Ship"], "State": ["Open", "Closed"]})
    sheet.to_csv(tmp_path / "sheet.csv", index=False)
    for written, path in {'"jira.csv"': JIRA_FILE, '"sheet.csv"': tmp_path / "sheet.csv"}.items():
        assert written in code, f"the README snippet no longer reads {written}; update this test"
        code = code.replace(written, repr(str(path)))
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    d = namespace["d"]
    assert isinstance(d.figure(), go.Figure)
    assert list(d.summary.index) == list(wf.coordination_stack.ELEMENTS)
    assert d.options["team"] == "Platform" and d.options["stale_days"] == 21

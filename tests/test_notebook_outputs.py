"""The notebooks executed headless (nbclient, fresh kernels): what they put on screen, not just that they run.

nbval (pytest's notebook collection) proves each notebook runs; these tests
check what a reader gets:

* each framework notebook (01-04) on the default sample draws plotly charts
  and live widgets, and no cell shows an error or writes to stderr;
* a Jira CSV loaded in 00_start_here (its ``DATA_PATH`` parameter, as a user
  would set it) is what 01-04 then show, not the sample (00 runs without its
  tracker-comparison cell, which reads every sample and ignores the choice;
  01-04 run their data cells: load, Explorer, signal table);
* 01's data cells work on one file of every other tracker format the
  samples ship (papermill-style ``DATA_PATH`` parameter).

Each chain of executions gets its own empty workspace (``WORKFW_WORKSPACE``
in the kernel's environment); each execution runs once, two kernels at a
time, and is shared by the tests that read it.
"""
from __future__ import annotations

import json
import os
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import nbformat
import pytest
from nbclient import NotebookClient
from papermill.parameterize import parameterize_notebook

import workfw as wf
from conftest import selected_params

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
FRAMEWORK_NOTEBOOKS = ["01_c4_flywheel", "02_coordination_stack", "03_work_value_pyramid", "04_work_visibility"]
PLOTLY = "application/vnd.plotly.v1+json"
WIDGET = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: What 01-04 print first: "Showing 2,524 tasks from jira-json (jira_api.json)."
SHOWING = re.compile(r"Showing ([\d,]+) tasks from (\S+) \((.*)\)\.")
#: One file of each tracker format the samples ship, by reader name.
FORMAT_FILES = {"jira-json": "jira_api.json", "jira-csv": "jira_data.csv", "asana-csv": "asana_data.csv",
                "trello-json": "trello_data.json", "github-json": "github_data.json", "linear-csv": "linear.csv",
                "azure-devops-csv": "azure_devops.csv"}


def _sample_file(name: str) -> Path:
    """A shipped sample file by file name, found through the public sample_path (one path or a list)."""
    for sample in wf.list_samples()["name"]:
        paths = wf.sample_path(sample)
        for path in paths if isinstance(paths, list) else [paths]:
            if path.name == name:
                return path
    raise LookupError(f"no shipped sample file named {name}")


def _execute(stem: str, workspace: Path, *, parameters: dict[str, Any] | None = None,
             keep: Callable[[str], bool] | None = None) -> nbformat.NotebookNode:
    """Run notebooks/<stem>.ipynb in a fresh kernel whose workspace is ``workspace``.

    ``parameters`` are injected after the ``parameters`` cell as papermill
    does; ``keep(source)`` selects the code cells to run (all by default).
    """
    nb = nbformat.read(NOTEBOOK_DIR / f"{stem}.ipynb", as_version=4)
    if keep is not None:
        nb.cells = [c for c in nb.cells if c.cell_type == "code" and
                    ("parameters" in c.metadata.get("tags", []) or keep(c.source))]
    if parameters:
        # What papermill's own loader adds before parameterising: a tags list per cell, a papermill record.
        for cell in nb.cells:
            cell.metadata.setdefault("tags", [])
        nb.metadata.setdefault("papermill", {})
        nb = parameterize_notebook(nb, parameters)
    env = {**os.environ, "WORKFW_WORKSPACE": str(workspace)}
    client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    client.execute(env=env)
    return nb


def _widget_states(nb: nbformat.NotebookNode) -> dict[str, dict]:
    return nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def _outputs(nb: nbformat.NotebookNode) -> Iterator[dict]:
    """Every output: the cells' own and those held in Output widgets (where the Explorer draws)."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.outputs
    for model in _widget_states(nb).values():
        yield from model.get("state", {}).get("outputs", [])


def _mimes(nb: nbformat.NotebookNode) -> set[str]:
    return {mime for out in _outputs(nb) for mime in out.get("data", {})}


def _errors(nb: nbformat.NotebookNode) -> list[str]:
    """Error outputs and stderr text, each with the start of the cell that made it."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            if out.output_type == "error":
                found.append(f"{cell.source[:80]!r} raised {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                found.append(f"{cell.source[:80]!r} wrote to stderr: {out.text[:500]}")
    for model in _widget_states(nb).values():
        for out in model.get("state", {}).get("outputs", []):
            if out.get("output_type") == "error" or out.get("name") == "stderr":
                found.append(f"an Output widget shows {out.get('ename') or 'stderr'}: "
                             f"{out.get('evalue') or out.get('text', '')[:500]}")
    return found


def _stdout(nb: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in _outputs(nb) if o.get("name") == "stdout")


def _showing(nb: nbformat.NotebookNode) -> tuple[int, str, str]:
    """(task count, reader, file) from the notebook's "Showing N tasks from ..." line."""
    match = SHOWING.search(_stdout(nb))
    assert match, f"no 'Showing N tasks from ...' line in the output; stdout was {_stdout(nb)[:300]!r}"
    return int(match.group(1).replace(",", "")), match.group(2), match.group(3)


def _team_options(nb: nbformat.NotebookNode) -> list[str]:
    """The options of the Explorer's Team dropdown, as the kernel left them."""
    teams = [m["state"]["_options_labels"] for m in _widget_states(nb).values()
             if m.get("model_name") == "DropdownModel" and m["state"].get("description") == "Team"]
    assert len(teams) == 1, f"expected one Team dropdown in the widget state, found {len(teams)}"
    return list(teams[0])


def _expected(path: Path | None = None) -> tuple[int, str, list[str]]:
    """Task count, reader and Team options the notebooks should show for ``path`` (None: the default sample)."""
    export = wf.read_export(path) if path is not None else wf.load_sample()
    return len(export.tasks), export.report.source, ["All", *sorted(export.tasks["team"].dropna().unique())]


def _data_cell(source: str) -> bool:
    """01-04's data cells: load the export, build the Explorer, show its signal table."""
    return "wf.workspace.current(" in source or "ww.Explorer(" in source or "ww.SignalTable(" in source


def _not_tracker_comparison(source: str) -> bool:
    """00 without its last cell, which compares the shipped samples and ignores the loaded data."""
    return "TrackerComparison(" not in source


@dataclass(frozen=True)
class Job:
    """One notebook execution; ``after`` names a job whose workspace it shares and waits for."""

    stem: str
    parameters: dict[str, Any] | None = None
    keep: Callable[[str], bool] | None = None
    after: str | None = None


JIRA_CSV = _sample_file(FORMAT_FILES["jira-csv"])
#: jira-json is the default sample (the full runs) and jira-csv is what 00 loads (the chain).
OTHER_FORMATS = [r for r in FORMAT_FILES if r not in ("jira-json", "jira-csv")]
#: In start order: 00 first, as the longest and the one the "-jira" jobs wait for.
JOBS: dict[str, Job] = {
    "00-jira": Job("00_start_here", {"DATA_PATH": str(JIRA_CSV)}, _not_tracker_comparison),
    **{stem: Job(stem) for stem in FRAMEWORK_NOTEBOOKS},
    "06_flow_and_forecasts": Job("06_flow_and_forecasts"),
    **{f"{stem}-jira": Job(stem, keep=_data_cell, after="00-jira") for stem in FRAMEWORK_NOTEBOOKS},
    **{f"01-{r}": Job("01_c4_flywheel", {"DATA_PATH": str(_sample_file(FORMAT_FILES[r]))}, _data_cell)
       for r in OTHER_FORMATS},
}


@pytest.fixture(scope="module")
def executed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[Callable[[str], tuple[nbformat.NotebookNode, Path]]]:
    """``executed(key)`` -> (executed notebook, its workspace) for a key of :data:`JOBS`.

    The jobs the selected tests need start at once, two kernels at a time (the
    machine has two cores), in :data:`JOBS` order, so a job runs after the one
    it depends on has started; each runs once however many tests read it.
    """
    wanted = set(selected_params(request, "key"))
    wanted |= {JOBS[k].after for k in wanted if JOBS[k].after}
    futures: dict[str, Future] = {}

    def _job(key: str) -> tuple[nbformat.NotebookNode, Path]:
        job = JOBS[key]
        if job.after:
            _, workspace = futures[job.after].result()
        else:
            workspace = tmp_path_factory.mktemp(f"ws-{key}")
        return _execute(job.stem, workspace, parameters=job.parameters, keep=job.keep), workspace

    with ThreadPoolExecutor(max_workers=2) as pool:
        for key in JOBS:
            if key in wanted:
                futures[key] = pool.submit(_job, key)
        yield lambda key: futures[key].result()
        for future in futures.values():
            future.cancel()


@pytest.mark.parametrize("key", FRAMEWORK_NOTEBOOKS)
def test_framework_notebook_draws_charts_and_live_widgets_on_the_sample(executed, key):
    nb, _ = executed(key)
    assert _errors(nb) == []
    mimes = _mimes(nb)
    assert PLOTLY in mimes, f"no plotly chart in {key}'s outputs or its Output widgets; found {sorted(mimes)}"
    assert WIDGET in mimes, f"no widget view in {key}'s outputs; found {sorted(mimes)}"
    tasks, reader, teams = _expected()
    assert _showing(nb)[:2] == (tasks, reader)
    assert _team_options(nb) == teams == ["All", "Data", "Growth", "Platform", "Support"]


@pytest.mark.parametrize("key", ["06_flow_and_forecasts"])
def test_flow_notebook_draws_its_charts_and_controls_on_the_sample(executed, key):
    """06: the flow explorer's charts (stages, flow, service level, forecast) and its Team control."""
    nb, _ = executed(key)
    assert _errors(nb) == []
    mimes = _mimes(nb)
    assert PLOTLY in mimes and WIDGET in mimes, sorted(mimes)
    titles = [o["data"]["text/plain"] for o in _outputs(nb) if PLOTLY in o.get("data", {})]
    for heading in ("Days in each stage", "Flow efficiency", "Cycle time of", "Net flow", "Service-level expectation",
                    "When 40 to 60 items will be finished", "Backtest"):
        assert any(heading in t for t in titles), (heading, titles)
    tasks, reader, teams = _expected()
    assert _showing(nb)[:2] == (tasks, reader)
    assert _team_options(nb) == teams


@pytest.mark.parametrize("key", ["00-jira"])
def test_start_notebook_loads_the_file_given_as_its_parameter(executed, key):
    nb, workspace = executed(key)
    assert _errors(nb) == []
    tasks, reader, _ = _expected(JIRA_CSV)
    assert f"{tasks:,} tasks" in _stdout(nb) and f"from {reader}" in _stdout(nb)
    # What 00 leaves for 01-05: the export itself and where it came from.
    saved = json.loads((workspace / "settings.json").read_text())
    assert saved["path"] == str(JIRA_CSV) and saved["source"] == reader and saved["pseudonymise"] is False
    assert len(wf.read_export(workspace / "current.workfw").tasks) == tasks


@pytest.mark.parametrize("key", [f"{stem}-jira" for stem in FRAMEWORK_NOTEBOOKS])
def test_data_loaded_in_00_is_what_framework_notebooks_show(executed, key):
    """01-04's data cells, run after 00 loaded the Data team's Jira CSV into the same workspace."""
    nb, _ = executed(key)
    assert _errors(nb) == []
    tasks, reader, teams = _expected(JIRA_CSV)
    sample_tasks, _, sample_teams = _expected()
    assert _showing(nb) == (tasks, reader, JIRA_CSV.name) and tasks != sample_tasks
    # One project's CSV names no team, so the Team control offers only "All", not the sample's four teams.
    assert _team_options(nb) == teams == ["All"] != sample_teams


@pytest.mark.parametrize("key", [f"01-{r}" for r in OTHER_FORMATS])
def test_c4_data_cells_run_on_every_tracker_format(executed, key):
    """01's load, Explorer and signal-table cells with ``DATA_PATH`` set to one file of a format.

    The other two formats run in full above: jira-json is the default sample,
    jira-csv the file 00 loads.
    """
    nb, _ = executed(key)
    reader = key.removeprefix("01-")
    path = _sample_file(FORMAT_FILES[reader])
    assert _errors(nb) == []
    tasks, source, teams = _expected(path)
    assert _showing(nb) == (tasks, reader, path.name) and source == reader
    assert _team_options(nb) == teams
    assert PLOTLY in _mimes(nb) and WIDGET in _mimes(nb)

"""The notebook widgets, driven from code: every control moves the data and redraws the figure.

Each view is built on the bundled sample and on the small hand-built export of
test_coordination_stack, then its controls are set the way a click would set
them; the assertions compare the model's data and the figures' JSON before and after.
"""
from __future__ import annotations

from pathlib import Path

import ipywidgets as W
import pandas as pd
import pytest

import workfw as wf
from test_coordination_stack import build_export
from workfw import widgets as ww
from workfw.errors import OptionError
from workfw.style import ELEMENT_COLOURS, NA_COLOUR

FIXTURES = Path(__file__).parent / "fixtures"
EVIL = "<script>alert('x')</script>"


@pytest.fixture(autouse=True)
def _workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WORKFW_WORKSPACE", str(tmp_path / "ws"))
    return tmp_path / "ws"


@pytest.fixture(scope="module")
def sample() -> wf.TaskExport:
    return wf.load_sample()


@pytest.fixture()
def small() -> wf.TaskExport:
    export = build_export()
    tasks = export.tasks.copy()
    tasks.loc[tasks["task_id"] == "T4", "title"] = EVIL
    return wf.TaskExport(tasks=tasks, events=export.events, raw=export.raw, report=export.report)


def _html(out: W.Output) -> str:
    return "".join(o.get("data", {}).get("text/html", "") for o in out.outputs)


def _figures(out: W.Output) -> list[dict]:
    return [o["data"]["application/vnd.plotly.v1+json"] for o in out.outputs
            if "application/vnd.plotly.v1+json" in o.get("data", {})]


def _state(explorer: ww.Explorer) -> tuple[str, str, str]:
    d = explorer.model.diagnosis
    return (d.signals[["value", "n"]].to_json(), explorer.diagram.to_json(),
            "".join(f.to_json() for f in explorer.charts))


# ------------------------------------------------------------------------------------------ diagrams and form

@pytest.mark.parametrize("framework", list(ww.FRAMEWORKS))
def test_framework_diagram_is_unscored_and_names_every_element(framework):
    view = ww.FrameworkDiagram(framework)
    module = view.module
    names = [t.name for t in view.figure.data if t.name in module.ELEMENTS]
    assert names == list(module.ELEMENTS)
    colours = {t.name: (t.fillcolor if t.type == "scatter" else t.marker.color) for t in view.figure.data
               if t.name in module.ELEMENTS}
    # Unscored: each element in its own colour, none in the score scale or the NA grey.
    assert all(colours[e] in (ELEMENT_COLOURS[e], "#E8DDED") for e in module.ELEMENTS)
    assert len(_figures(view.out)) == 1


@pytest.mark.parametrize("framework", list(ww.FRAMEWORKS))
def test_perceived_diagram_redraws_on_each_answer_and_greys_unanswered(framework):
    form = ww.AssessmentForm(framework)
    view = ww.PerceivedDiagram(form)
    first_element = form.bank["element"].iloc[0]
    assert "not answered" in view.figure.to_json()
    before = view.figure.to_json()
    ids = form.bank.loc[form.bank["element"] == first_element, "id"]
    form.set_answers({sid: 1 for sid in ids})
    after = view.figure.to_json()
    assert after != before
    score = {t.name: t.customdata[0] for t in view.figure.data if t.name == first_element}[first_element]
    score = score[0] if isinstance(score, (list, tuple)) else score
    assert score == pytest.approx(0.0)
    others = [t for t in view.figure.data if t.name in view.module.ELEMENTS and t.name != first_element]
    fills = [(t.fillcolor if t.type == "scatter" else t.marker.color) for t in others]
    assert all(f == NA_COLOUR for f in fills)
    assert "answered" in form.progress.value


@pytest.mark.parametrize("module", [wf.c4_flywheel, wf.coordination_stack, wf.value_pyramid, wf.visibility])
def test_scored_figure_rejects_unknown_elements_and_draws_na_grey(module):
    with pytest.raises(OptionError, match="unknown elements"):
        module.scored_figure({"Nonsense": 10})
    fig = module.scored_figure({module.ELEMENTS[0]: None, module.ELEMENTS[1]: 90})
    traces = {t.name: t for t in fig.data}
    na = traces[module.ELEMENTS[0]]
    assert (na.fillcolor if na.type == "scatter" else na.marker.color) == NA_COLOUR
    assert "not answered" in fig.to_json()


# ------------------------------------------------------------------------------------------ explorer

def test_c4_explorer_every_control_changes_the_diagnosis_and_charts(sample):
    explorer = ww.Explorer(sample, "c4_flywheel")
    assert [c.layout.title.text.split(" ")[0] for c in explorer.charts] == ["Cycle", "Age", "Finished", "How"]
    moves = [
        ("project", lambda: setattr(explorer.project, "value", "GROW")),
        # Another team's project would leave nothing selected, so the project falls back to All.
        ("team", lambda: setattr(explorer.team, "value", "Data")),
        ("window", lambda: setattr(explorer.window, "index", (3, len(explorer.window.options) - 3))),
        ("actors", lambda: setattr(explorer.actors, "value", "people")),
        ("stale_days", lambda: setattr(explorer.stale_days, "value", 8)),
        ("substantive_words", lambda: setattr(explorer.substantive_words, "value", 40)),
        ("aging_multiple", lambda: setattr(explorer.aging_multiple, "value", 4.5)),
    ]
    for name, move in moves:
        before = _state(explorer)
        move()
        after = _state(explorer)
        assert after[0] != before[0], f"{name} did not change the diagnosis"
        assert after != before
    opts = explorer.model.options()
    assert opts["team"] == "Data" and "project" not in opts and explorer.project.value == "All"
    assert opts["actors"] == "people" and opts["stale_days"] == 8
    assert opts["window"][0] > explorer.window.options[0][1]
    assert "Data" in explorer.selection.value
    assert len(_figures(explorer.extra_out)) == 4 and len(_figures(explorer.figure_out)) == 1


def test_explorer_team_filters_the_framework_charts(sample):
    explorer = ww.Explorer(sample, "c4_flywheel")
    everyone = explorer.charts[0].layout.title.text
    explorer.team.value = "Support"
    support = explorer.charts[0].layout.title.text
    done = wf.flow.cycle_times(sample.tasks[sample.tasks["team"] == "Support"])
    assert everyone != support and f"{done['cycle_time_days'].notna().sum():,} finished" in support


def test_project_list_follows_the_team(sample):
    explorer = ww.Explorer(sample, "coordination_stack")
    all_projects = list(explorer.project.options)
    explorer.team.value = "Growth"
    growth = set(sample.tasks.loc[sample.tasks["team"] == "Growth", "project"].dropna())
    assert set(explorer.project.options) - {"All"} == growth and len(explorer.project.options) < len(all_projects)


def test_stack_charts_show_owner_and_due_coverage_by_team_and_follow_filters(sample):
    explorer = ww.Explorer(sample, "coordination_stack")
    fig = explorer.charts[0]
    teams = {t.name for t in fig.data}
    assert teams == set(sample.tasks["team"].dropna())
    explorer.team.value = "Platform"
    assert {t.name for t in explorer.charts[0].data} == {"Platform"}


def test_visibility_stale_days_moves_the_staleness_chart(sample):
    explorer = ww.Explorer(sample, "visibility")
    before = explorer.charts[0].to_json()
    explorer.stale_days.value = 10
    assert explorer.charts[0].to_json() != before
    assert explorer.model.diagnosis.options["stale_days"] == 10


def test_pyramid_rollup_follows_the_team(sample):
    explorer = ww.Explorer(sample, "value_pyramid")
    total = sum(explorer.charts[0].data[0]["values"][i] for i, p in enumerate(explorer.charts[0].data[0]["parents"])
                if p == "")
    explorer.team.value = "Data"
    data_total = sum(explorer.charts[0].data[0]["values"][i]
                     for i, p in enumerate(explorer.charts[0].data[0]["parents"]) if p == "")
    assert 0 < data_total < total


@pytest.mark.parametrize("framework", list(ww.FRAMEWORKS))
def test_explorer_on_a_small_export_filters_and_escapes(framework, small):
    explorer = ww.Explorer(small, framework)
    assert explorer.team.options == ("All", "growth", "platform")
    before = _state(explorer)
    explorer.team.value = "growth"
    assert _state(explorer)[0] != before[0]
    assert explorer.charts, "every framework draws at least one chart of its own"
    for out in (explorer.summary_out, explorer.findings_out):
        assert "<script>" not in _html(out)


def test_explorer_with_no_matching_task_says_so(small):
    explorer = ww.Explorer(small, "c4_flywheel")
    explorer.actors.value = "agents"
    assert explorer.model.selected == 0
    assert explorer.model.diagnosis.summary["score"].isna().all()
    assert "No task matches" in explorer.charts[0].to_json()


# ------------------------------------------------------------------------------------------ findings, gap, advice

def test_findings_browser_lists_the_tasks_behind_the_chosen_finding_escaped(small):
    explorer = ww.Explorer(small, "coordination_stack")
    browser = ww.FindingsBrowser(explorer)
    findings = explorer.model.diagnosis.findings
    pick = next(i for i, ids in enumerate(findings["task_ids"]) if "T4" in ids)
    browser.choice.value = pick
    assert set(browser.table["task_id"]) == set(findings.iloc[pick]["task_ids"])
    shown = _html(browser.out)
    assert "&lt;script&gt;" in shown and "<script>" not in shown
    other = next(i for i, ids in enumerate(findings["task_ids"]) if ids and "T4" not in ids)
    browser.choice.value = other
    assert "T4" not in set(browser.table["task_id"])
    explorer.team.value = "platform"
    assert len(browser.choice.options) == len(explorer.model.diagnosis.findings) or browser.choice.value is None


def test_gap_view_redraws_on_answers_and_on_filters(sample):
    explorer = ww.Explorer(sample, "coordination_stack")
    form = ww.AssessmentForm("coordination_stack")
    gap = ww.GapView(explorer, form)
    empty = gap.figure.to_json()
    form.set_answers({sid: 5 for sid in form.bank["id"]})
    assert gap.figure.to_json() != empty
    assert gap.gap()["perceived"].eq(100).all()
    measured = gap.gap().set_index("element")["measured"].to_dict()
    explorer.team.value = "Support"
    assert gap.gap().set_index("element")["measured"].to_dict() != measured


def test_next_steps_follow_the_threshold_and_the_explorer(sample):
    explorer = ww.Explorer(sample, "coordination_stack")
    steps = ww.NextSteps(explorer, weak_below=100)
    everything = len(steps.table)
    assert everything > 0
    steps.slider.value = 10
    assert len(steps.table) < everything
    steps.slider.value = 60
    before = steps.table.to_json()
    explorer.team.value = "Growth"
    after = steps.table
    expected = wf.advice.next_steps(explorer.model.diagnosis, weak_below=60)
    pd.testing.assert_frame_equal(after, expected)
    assert before != after.to_json() or explorer.model.diagnosis.scores() != {}


# ------------------------------------------------------------------------------------------ WIP what-if

def test_wip_what_if_slider_changes_cycle_time_and_forecast(sample):
    explorer = ww.Explorer(sample, "c4_flywheel")
    what_if = ww.WipWhatIf(explorer, runs=500)
    today = int(what_if.table.iloc[0]["wip"])
    assert today == int((sample.tasks["status_category"] == "in_progress").sum())
    assert what_if.limit.max == max(10, 2 * today)
    what_if.limit.value = today
    same = what_if.table.iloc[1]
    assert same["cycle_time_days"] == pytest.approx(what_if.table.iloc[0]["cycle_time_days"])
    before = what_if.figure.to_json()
    what_if.limit.value = max(1, today // 4)
    lower = what_if.table.iloc[1]
    assert lower["cycle_time_days"] < same["cycle_time_days"]
    assert what_if.figure.to_json() != before
    assert "Little's law" in what_if.text.value
    what_if.limit.value = what_if.limit.max
    assert "changes nothing" in what_if.text.value
    assert what_if.table.iloc[1]["cycle_time_days"] == pytest.approx(what_if.table.iloc[0]["cycle_time_days"])
    explorer.team.value = "Growth"
    growth = int((sample.tasks.loc[sample.tasks["team"] == "Growth", "status_category"] == "in_progress").sum())
    assert int(what_if.table.iloc[0]["wip"]) == growth and what_if.limit.max == max(10, 2 * growth)
    # The old team's limit is not carried over: the slider starts again from half of this team's WIP.
    assert what_if.limit.value == max(1, growth // 2)


def test_wip_what_if_needs_a_c4_explorer(small):
    with pytest.raises(OptionError, match="c4_flywheel"):
        ww.WipWhatIf(ww.Explorer(small, "visibility"))


# ------------------------------------------------------------------------------------------ data loader

def test_loader_loads_a_sample_saves_it_and_reports(_workspace):
    loader = ww.DataLoader(sample="azure-devops")
    assert loader.export is not None and len(loader.export.tasks) > 0
    assert wf.workspace.settings()["sample"] == "azure-devops"
    assert len(wf.workspace.load().tasks) == len(loader.export.tasks)
    report = _html(loader.report_out)
    assert f"<b>{loader.export.report.rows_read}</b> rows read" in report
    assert set(loader.coverage["framework"]) == set(wf.coverage.FRAMEWORK_MODULES)
    assert "What this export lets" in str(_figures(loader.coverage_out)[0]["layout"]["title"])
    assert loader.bar.value == 1.0
    before = len(loader.export.tasks), loader.export.report.source
    loader.sample.value = "linear"
    loader.sample_button.click()
    assert loader.export.report.source != before[1]
    assert wf.workspace.settings()["sample"] == "linear"


def test_loader_pseudonymise_switch_saves_and_hides_names(_workspace):
    loader = ww.DataLoader(sample="azure-devops")
    real = set(loader.export.tasks["assignee"].dropna())
    loader.pseudonymise.value = True
    assert wf.workspace.settings()["pseudonymise"] is True
    shown = set(loader.shown.tasks["assignee"].dropna())
    assert shown.isdisjoint(real) and all(n.startswith(("Person", "Agent")) for n in shown)
    assert set(wf.workspace.current().tasks["assignee"].dropna()) == shown
    loader.pseudonymise.value = False
    assert wf.workspace.settings()["pseudonymise"] is False


def test_loader_shows_the_data_even_when_the_workspace_cannot_be_written(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the workspace folder should be", encoding="utf-8")
    monkeypatch.setenv("WORKFW_WORKSPACE", str(blocker / "ws"))
    loader = ww.DataLoader(sample="azure-devops")
    assert loader.export is not None and len(loader.export.tasks) > 0
    assert "Not kept for notebooks 01-04" in loader.status.value and "Next step" in loader.status.value
    assert "Notebooks 01-04 will use this data" not in loader.status.value


def test_loader_status_map_edit_rereads_the_data():
    loader = ww.DataLoader(sample="azure-devops")
    editor = loader.status_editor
    table = loader.export.report.status_map
    status = table.loc[table["status_category"] == "in_progress", "status"].iloc[0]
    moved = int((loader.export.tasks["status"] == status).sum())
    todo_before = int((loader.export.tasks["status_category"] == "todo").sum())
    editor.dropdowns[str(status)].value = "todo"
    editor.apply.click()
    assert int((loader.export.tasks["status_category"] == "todo").sum()) == todo_before + moved
    assert editor.dropdowns[str(status)].value == "todo"


def test_loader_reads_uploads_and_paths_and_keeps_data_on_a_bad_file(tmp_path):
    loader = ww.DataLoader(sample="azure-devops")
    content = (FIXTURES / "github_rest_issues.json").read_bytes()
    loader.load_files([{"name": "issues.json", "content": memoryview(content)}])
    assert len(loader.export.tasks) == 3 and loader.export.report.rejected == 1
    assert "pull request" in _html(loader.report_out).lower()
    assert wf.workspace.settings()["upload"] == ["issues.json"]
    target = tmp_path / "linear.csv"
    target.write_bytes((FIXTURES / "linear_short.csv").read_bytes())
    loader.path.value = str(target)
    loader.path_button.click()
    assert len(loader.export.tasks) == 2 and wf.workspace.settings()["path"] == str(target)
    loader.load_path(str(FIXTURES / "core_excel_cp1252.csv"))
    assert "Could not read it" in loader.status.value and len(loader.export.tasks) == 2


def test_tracker_comparison_filters_by_framework():
    view = ww.TrackerComparison(["jira", "azure-devops"])
    assert list(view.table.index) == ["jira", "azure-devops"]
    everything = view.figure.to_json()
    view.framework.value = "Work Value Pyramid"
    assert all(c.startswith("Value Pyramid: ") for c in view.table.columns) and len(view.table.columns) == 3
    assert view.figure.to_json() != everything
    assert "%" in _html(view.table_out)


# ------------------------------------------------------------------------------------------ layout

def _fixed_px(widget: W.Widget) -> int:
    width = getattr(widget.layout, "width", None) or ""
    return int(width[:-2]) if width.endswith("px") else 0


def _overflowing(widget: W.Widget, limit: int = 1180) -> list[str]:
    bad = []
    if isinstance(widget, W.HBox) and "wrap" not in (widget.layout.flex_flow or ""):
        total = sum(_fixed_px(c) for c in widget.children)
        if total > limit:
            bad.append(f"{type(widget).__name__} children {total}px")
    if _fixed_px(widget) > limit:
        bad.append(f"{type(widget).__name__} {widget.layout.width}")
    for child in getattr(widget, "children", ()):
        bad += _overflowing(child, limit)
    return bad


def test_views_fit_a_1280px_projector(small):
    explorer = ww.Explorer(small, "c4_flywheel")
    form = ww.AssessmentForm("c4_flywheel")
    views = [explorer, form, ww.FindingsBrowser(explorer), ww.NextSteps(explorer), ww.WipWhatIf(explorer, runs=200),
             ww.GapView(explorer, form), ww.FrameworkDiagram("c4_flywheel"), ww.DataLoader(sample="azure-devops")]
    for view in views:
        assert _overflowing(view) == [], type(view).__name__
        assert view.layout.max_width == "1180px"
    assert explorer.diagram.layout.width <= 1180

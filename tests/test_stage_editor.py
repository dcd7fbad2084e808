"""The stage definition a user confirms: the editor's rules, keeping it with the export, and the loader's widgets."""
from __future__ import annotations

from pathlib import Path

import ipywidgets as W
import pandas as pd
import pytest

import workfw as wf
from workfw import flow
from workfw import widgets as ww
from workfw.errors import OptionError
from workfw.export import ImportReport, TaskExport
from workfw.privacy import pseudonymise
from workfw.schema import conform_events, conform_tasks
from workfw.widgets._loader import report_html
from test_flow_commitment import board  # noqa: F401  (the hand-built board: To Do, Selected, In Progress, Review, Done)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WORKFW_WORKSPACE", str(tmp_path / "ws"))
    return tmp_path / "ws"


def _html(out: W.Output) -> str:
    return "".join(o.get("data", {}).get("text/html", "") for o in out.outputs)


# ---------------------------------------------------------------- the rules

def test_a_kept_definition_travels_in_the_report_and_drives_the_metrics(board):
    assert flow.kept_stages(board) == {"stages": {}, "commitment": None}
    kept = flow.keep_stages(board, stages={" review": "waiting"}, commitment="selected")
    # Spelled as the export spells each status; the input export is not changed, its tables are shared.
    assert kept.report.stages == {"Review": "waiting"} and kept.report.commitment == "Selected"
    assert board.report.stages == {} and board.report.commitment is None
    assert kept.tasks is board.tasks and kept.events is board.events
    assert flow.kept_stages(kept) == {"stages": {"Review": "waiting"}, "commitment": "Selected"}
    pd.testing.assert_frame_equal(flow.cycle_times(kept, **flow.kept_stages(kept)),
                                  flow.cycle_times(board, stages={"Review": "waiting"}, commitment="Selected"))
    # Keeping only stages leaves the learnt commitment point (None), not a copy of it.
    assert flow.keep_stages(board, stages={"Review": "waiting"}).report.commitment is None


def test_keep_stages_refuses_what_stage_map_refuses_and_survives_a_save(board, tmp_path):
    with pytest.raises(OptionError, match="'done'"):
        flow.keep_stages(board, commitment="Done")
    with pytest.raises(OptionError, match="expected a TaskExport"):
        flow.keep_stages(board.tasks)
    with pytest.raises(OptionError, match="expected a mapping"):
        flow.keep_stages(board, stages=flow.stage_map(board))
    kept = flow.keep_stages(board, stages={"Review": "waiting"}, commitment="Selected")
    again = wf.read_export(kept.save(tmp_path / "kept"))
    assert again.report.stages == {"Review": "waiting"} and again.report.commitment == "Selected"
    old = kept.report.to_dict()
    del old["stages"], old["commitment"]  # a report saved before definitions were kept
    assert ImportReport.from_dict(old).stages == {} and ImportReport.from_dict(old).commitment is None


def test_edit_stages_sets_and_clears_one_status(board):
    mine = flow.edit_stages(board, status="review", stage="waiting")
    assert mine == {"Review": "waiting"}
    assert flow.edit_stages(board, stages=mine, status="REVIEW", stage=None) == {}
    assert flow.edit_stages(board, stages=mine, status="To Do", stage="before commitment") == {
        "To Do": "before commitment", "Review": "waiting"}
    # Staging the commitment status done would leave the commitment point on finished work.
    with pytest.raises(OptionError, match="'done'"):
        flow.edit_stages(board, commitment="Selected", status="Selected", stage="done")
    with pytest.raises(OptionError, match="expected one of"):
        flow.edit_stages(board, status="Review", stage="paused")
    with pytest.raises(OptionError, match="never uses"):
        flow.edit_stages(board, status="Doing", stage="active")


def test_commitment_choices_and_the_overview(board):
    assert flow.commitment_choices(flow.stage_map(board)) == ["To Do", "Selected", "In Progress", "Review"]
    # A status you put before commitment cannot be the commitment point; done never can.
    mine = flow.stage_map(board, stages={"To Do": "before commitment"})
    assert flow.commitment_choices(mine) == ["Selected", "In Progress", "Review"]
    out = flow.stage_overview(flow.stage_map(board, commitment="Selected"))
    assert out.values.tolist() == [["before commitment", "To Do"], ["active", "In Progress, Review"],
                                   ["waiting", "Selected"], ["done", "Done"], ["cancelled", "(none)"],
                                   ["commitment point", "Selected"]]
    with pytest.raises(OptionError, match="stage_map"):
        flow.commitment_choices(board.tasks)


def test_the_import_report_states_the_stages_as_a_guess_until_kept(board):
    page = report_html(board)
    assert "A guess learnt from the export, to confirm" in page and "Workflow stages" in page
    assert "commitment point" in page and "Selected" in page and "In Progress, Review" in page
    kept = report_html(flow.keep_stages(board, commitment="Selected"))
    assert "As you kept them" in kept and "A guess" not in kept
    assert "Workflow stages" not in report_html(board, stages=False)


@pytest.mark.parametrize("status, in_text", [("Alice Smith", False), ("Waiting for Alice Smith", True)])
def test_pseudonyms_rename_the_statuses_of_a_kept_definition(status, in_text):
    # A list named after a person (a Trello column "Alice Smith") is renamed as a name; a name inside a longer
    # status only with in_text, exactly as the status column itself is.
    tasks = conform_tasks(pd.DataFrame([
        dict(task_id="A", title="a", status=status, status_category="in_progress", assignee="Alice Smith",
             created="2024-03-01"),
        dict(task_id="B", title="b", status="Doing", status_category="in_progress", assignee="Alice Smith",
             created="2024-03-01")]))
    export = TaskExport(tasks=tasks, events=conform_events(pd.DataFrame(
        columns=["task_id", "at", "field", "old", "new", "author"])), raw=pd.DataFrame(),
        report=ImportReport(source="test", file="t.csv", rows_read=2))
    kept = flow.keep_stages(export, stages={status: "waiting"}, commitment=status)
    hidden = pseudonymise(kept, salt="test", in_text=in_text)
    assert "Alice" not in str(hidden.report.to_dict()["stages"]) and "Alice" not in str(hidden.report.commitment)
    renamed = hidden.tasks.loc[hidden.tasks["task_id"] == "A", "status"].iloc[0]
    assert "Person" in renamed
    assert hidden.report.stages == {renamed: "waiting"} and hidden.report.commitment == renamed
    assert flow.stage_map(hidden, **flow.kept_stages(hidden)).attrs["commitment"] == renamed
    assert kept.report.stages == {status: "waiting"}  # the export given is not changed


# ---------------------------------------------------------------- the widgets

def test_loader_stage_editor_keeps_the_definition_for_every_notebook(workspace):
    loader = ww.DataLoader(sample="azure-devops")
    editor = loader.stage_editor
    assert "A guess learnt from the export, to confirm" in _html(loader.report_out)
    learnt = flow.stage_map(loader.export)
    assert editor.table["stage"].tolist() == learnt["stage"].tolist()
    assert editor.point.value == learnt.attrs["commitment"]
    assert list(editor.point.options) == flow.commitment_choices(learnt)
    assert [dd.value for dd in editor.dropdowns.values()] == [s if s in flow.STAGES else None for s in learnt["stage"]]
    status = str(learnt.loc[learnt["stage"] == "active", "status"].iloc[-1])
    editor.dropdowns[status].value = "waiting"
    assert editor.stages == {status: "waiting"} and editor.dropdowns[status].value == "waiting"
    point = flow.commitment_choices(editor.table)[0]
    editor.point.value = point
    assert editor.commitment == point and editor.table.attrs["commitment"] == point
    assert loader.export.report.stages == {}  # a draft until kept
    editor.keep_button.click()
    assert loader.export.report.stages == {status: "waiting"} and loader.export.report.commitment == point
    assert "As you kept them" in _html(loader.report_out)
    saved = wf.workspace.load()
    assert flow.kept_stages(saved) == {"stages": {status: "waiting"}, "commitment": point}
    model = ww.FlowModel(saved)
    assert model.tables["stage_map"].attrs["commitment"] == point
    assert model.tables["stage_map"].set_index("status").loc[status, "stage"] == "waiting"
    assert model.tables["cycle_times"].attrs["commitment"] == point
    # Re-reading the same source with another status map keeps the stages.
    loader.status_editor.apply.click()
    assert loader.export.report.stages == {status: "waiting"} and loader.export.report.commitment == point
    editor.learnt_button.click()
    assert flow.kept_stages(loader.export) == {"stages": {}, "commitment": None}
    assert flow.kept_stages(wf.workspace.load()) == {"stages": {}, "commitment": None}
    assert "A guess learnt from the export" in _html(loader.report_out)


def test_stage_editor_undoes_a_change_the_rules_refuse(workspace):
    loader = ww.DataLoader(sample="azure-devops")
    editor = loader.stage_editor
    point = editor.point.value
    editor.set_commitment(point)  # chosen, not learnt: the commitment point stays on this status
    assert editor.commitment == point
    before = editor.dropdowns[point].value
    editor.dropdowns[point].value = "done"
    assert "Not changed" in editor.message.value and "&#x27;done&#x27;" in editor.message.value
    assert editor.stages == {} and editor.dropdowns[point].value == before

"""Linear CSV reader: both layouts, lifecycle categories, JS dates, short rows, formula guard."""
from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd
import pytest

import workfw as wf
from workfw.io import linear
from workfw.io.linear import sniff_linear_csv

FIXTURES = Path(__file__).parent / "fixtures"

JIRA_HEADER = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Created", "Resolved", "Status Category"]
ASANA_HEADER = ["Task ID", "Created At", "Completed At", "Last Modified", "Name", "Section/Column", "Projects"]
ADO_HEADER = ["ID", "Work Item Type", "Title", "Assigned To", "State", "Created Date", "Closed Date"]
GITHUB_PROJECT_HEADER = ["Title", "URL", "Assignees", "Status", "Labels", "Milestone", "Repository"]


def _utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def _check_invariant(export: wf.TaskExport) -> None:
    r = export.report
    assert r.rows_read + r.synthetic == len(export.tasks) + r.merged + r.rejected


def _by_id(export: wf.TaskExport) -> pd.DataFrame:
    return export.tasks.set_index("task_id")


def test_30_column_layout_fields():
    export = wf.read_export(FIXTURES / "linear_30col.csv")
    _check_invariant(export)
    assert export.report.source == "linear-csv"
    assert (export.report.rows_read, export.report.merged, export.report.rejected) == (5, 0, 0)
    assert export.report.synthetic == 1
    t = _by_id(export)
    # The project is the one task row that is no row of the file; it comes last.
    assert list(t.index) == ["ENG-1", "ENG-2", "ENG-3", "ENG-4", "OPS-7", "project:Auth revamp"]
    one = t.loc["ENG-1"]
    assert (one["team"], one["project"], one["title"]) == ("Engineering", "Auth revamp", "Login page")
    assert one["assignee"] == "ben@example.com" and one["assignees"] == ["ben@example.com"]
    assert one["reporter"] == "ana@example.com"
    assert one["labels"] == ["Bug", "Frontend"]
    assert one["priority"] == "High" and one["estimate"] == 3.0
    assert one["iteration"] == "Cycle 12"  # the cycle has no name
    assert t.loc["ENG-2", "iteration"] == "Sprint Falcon"
    assert pd.isna(t.loc["ENG-2", "priority"])  # "No priority"
    assert t.loc["ENG-2", "parent_id"] == "ENG-1"
    assert t.loc["OPS-7", "team"] == "Operations"
    assert t.loc["OPS-7", "due"] == _utc("2024-06-01")
    # ENG-1 names a project and no parent issue, so the project becomes its parent.
    assert t.loc["ENG-1", "parent_id"] == "project:Auth revamp"
    assert len(export.report.warnings) == 1
    assert export.report.warnings[0].startswith("Linear exports no project rows. Issues with a Project and no "
                                                "Parent issue: 1; their parent_id is 'project:<name>' for 1 projects")


def test_javascript_dates_in_utc():
    t = _by_id(wf.read_export(FIXTURES / "linear_30col.csv"))
    assert t.loc["ENG-1", "created"] == _utc("2024-05-14 08:53:33")
    # "Wed May 15 2024 09:00:00 GMT+0200 (Central European Summer Time)"
    assert t.loc["ENG-1", "started"] == _utc("2024-05-15 07:00:00")
    assert t.loc["ENG-1", "completed"] == _utc("2024-05-21 16:30:00")
    assert (t.loc["ENG-1", "started_basis"], t.loc["ENG-1", "completed_basis"]) == ("exact", "exact")
    # Dates carrying their own offset do not move with tz.
    shifted = _by_id(wf.read_export(FIXTURES / "linear_30col.csv", tz="America/New_York"))
    assert shifted.loc["ENG-1", "created"] == _utc("2024-05-14 08:53:33")


def test_category_from_lifecycle_columns():
    export = wf.read_export(FIXTURES / "linear_30col.csv")
    t = _by_id(export)
    assert dict(t["status_category"]) == {"ENG-1": "done", "ENG-2": "in_progress", "ENG-3": "cancelled",
                                          "ENG-4": "todo", "OPS-7": "todo",
                                          "project:Auth revamp": "in_progress"}  # from ENG-1 done, ENG-2 started
    # A cancelled issue has no completion time; the cancel time stays in raw.
    assert pd.isna(t.loc["ENG-3", "completed"]) and pd.isna(t.loc["ENG-3", "completed_basis"])
    assert t.loc["ENG-3", "started"] == _utc("2024-05-16 09:00")
    raw = export.raw.set_index("ID")
    assert raw.loc["ENG-3", "Canceled"] == "Fri May 17 2024 08:00:00 GMT+0000 (GMT)"
    assert set(export.report.status_map["rule"]) == {"stated in the export"}


def test_user_status_map_overrides_stated_category():
    export = wf.read_export(FIXTURES / "linear_34col.csv", status_map={"In Review": "done"})
    t = _by_id(export)
    assert t.loc["WEB-10", "status_category"] == "done"
    rules = export.report.status_map.set_index("status")["rule"]
    assert rules["In Review"] == "your map" and rules["Done"] == "stated in the export"


def test_formula_guard_stripped():
    export = wf.read_export(FIXTURES / "linear_30col.csv")
    t = _by_id(export)
    assert t.loc["ENG-4", "title"] == "=SUM(A1) shows in export"
    assert t.loc["ENG-4", "description"] == "-1 means unset"
    assert t.loc["ENG-4", "reporter"] == "@carla"
    assert export.raw.set_index("ID").loc["ENG-4", "Title"] == "'=SUM(A1) shows in export"


def test_34_column_layout_iso_dates_and_blocked_by():
    export = wf.read_export(FIXTURES / "linear_34col.csv")
    _check_invariant(export)
    assert export.report.source == "linear-csv"
    t = _by_id(export)
    assert list(t.index) == ["WEB-10", "WEB-11", "WEB-13", "project:Shop"]
    assert t.loc["WEB-10", "blocked_by"] == ["WEB-11", "WEB-12"]
    assert t.loc["WEB-10", "description"] == "Multi-step\ncheckout"
    assert t.loc["WEB-10", "labels"] == ["Feature", "Payments"]
    assert t.loc["WEB-10", "iteration"] == "Cycle 3"
    assert t.loc["WEB-10", "started"] == _utc("2024-06-04 10:00")
    assert t.loc["WEB-11", "completed"] == _utc("2024-06-07 15:00")
    assert dict(t["status_category"]) == {"WEB-10": "in_progress", "WEB-11": "done", "WEB-13": "cancelled",
                                          "project:Shop": "in_progress"}
    assert t.loc["WEB-13", "title"] == "+1 button"
    assert t.loc["WEB-13", "parent_id"] == "WEB-10"
    # "Duplicate of" is how Linear states a duplicate; other issues have no resolution.
    assert t.loc["WEB-13", "resolution"] == "duplicate" and t.loc[["WEB-10", "WEB-11"], "resolution"].isna().all()
    assert "UUID" in export.report.unmapped_columns


def test_short_rows_padded_with_warning():
    export = wf.read_export(FIXTURES / "linear_short.csv")
    _check_invariant(export)
    assert export.report.source == "linear-csv"
    t = _by_id(export)
    assert list(t.index) == ["DES-1", "DES-2"]
    assert t.loc["DES-1", "status_category"] == "done"
    assert t.loc["DES-1", "completed"] == _utc("2024-05-15 08:00")
    assert t.loc["DES-2", "parent_id"] == "DES-1"
    assert export.raw["Roadmaps"].isna().all()
    assert any("2 rows had fewer fields than the header" in w for w in export.report.warnings)


def test_bom_and_cp1252_bytes():
    text = (FIXTURES / "linear_short.csv").read_text(encoding="utf-8").replace("Icon set", "Icône set")
    for data in (codecs.BOM_UTF8 + text.encode("utf-8"), text.encode("cp1252")):
        export = wf.read_export(data, name="linear.csv")
        _check_invariant(export)
        assert export.report.source == "linear-csv"
        assert list(export.tasks["task_id"]) == ["DES-1", "DES-2"]
        assert export.tasks["title"].iloc[0] == "Icône set"


def test_team_option_only_fills_missing_team():
    text = (FIXTURES / "linear_short.csv").read_text(encoding="utf-8").replace("DES-2,Design,", "DES-2,,")
    t = _by_id(wf.read_export(text.encode(), name="linear.csv", team="Platform"))
    assert (t.loc["DES-1", "team"], t.loc["DES-2", "team"]) == ("Design", "Platform")


def test_sniff_is_specific():
    header = (FIXTURES / "linear_short.csv").read_text().splitlines()[0].split(",")
    assert sniff_linear_csv(header)
    for other in (JIRA_HEADER, ASANA_HEADER, ADO_HEADER, GITHUB_PROJECT_HEADER):
        assert not sniff_linear_csv(other)


def test_a_trimmed_linear_export_is_still_linear_and_reads() -> None:
    # Columns taken out of an export (for privacy, or an older export) used to make it no known format at all.
    frame = pd.read_csv(FIXTURES / "linear_short.csv", dtype=str, keep_default_na=False)
    emptied = {"Started": "started", "Completed": "completed", "Canceled": None, "Team": "team",
               "Created": "created", "Status": "status"}
    for gone, field in emptied.items():
        trimmed = frame.drop(columns=[gone])
        assert sniff_linear_csv(list(trimmed.columns)), gone
        export = wf.read_export(trimmed.to_csv(index=False).encode(), name=f"no_{gone}.csv")
        assert export.report.source == "linear-csv" and len(export.tasks) == len(frame)
        if field is not None:  # what the file lacks is missing, never made up
            assert export.tasks[field].isna().all(), gone


PROJECTS = FIXTURES / "linear_projects.csv"


def test_project_becomes_parent_of_top_level_issues():
    export = wf.read_export(PROJECTS)
    t = _by_id(export)
    issues = t.loc[t["task_type"].ne("Project").fillna(True)]
    assert dict(issues["parent_id"].fillna("-")) == {
        "COR-1": "project:Alpha", "COR-2": "project:Alpha",
        "COR-3": "COR-1",  # a sub-issue keeps its parent issue and reaches the project through it
        "COR-4": "project:Beta", "WEB-1": "project:Beta", "WEB-2": "project:Gamma",
        "WEB-3": "-",  # no project
        "WEB-4": "MOB-9",  # a parent issue outside the file still wins over the project
    }
    # The project column itself is unchanged.
    assert issues.loc["WEB-4", "project"] == "Beta" and pd.isna(issues.loc["WEB-3", "project"])
    assert any("Issues with a Project and no Parent issue: 5; their parent_id is 'project:<name>' for 3 projects"
               in w for w in export.report.warnings)


def test_value_pyramid_sees_project_goal_links():
    links = wf.value_pyramid.goal_links(wf.read_export(PROJECTS)).set_index("task_id")
    assert links.loc["COR-1", "rolls_up"] and links.loc["COR-1", "epic_id"] == "project:Alpha"
    assert links.loc["COR-3", "rolls_up"] and links.loc["COR-3", "epic_id"] == "project:Alpha"
    assert links.loc["WEB-2", "epic_id"] == "project:Gamma"
    assert not links.loc["WEB-3", "rolls_up"]


def test_project_rows_derive_category_and_shared_team():
    export = wf.read_export(PROJECTS)
    raw = export.raw.set_index("ID")
    mapped = pd.DataFrame({"project": raw["Project"], "team": raw["Team"]})
    category = _by_id(export).loc[raw.index, "status_category"].astype("string")
    rows = linear._project_rows(mapped.reset_index(drop=True), category.reset_index(drop=True)).set_index("task_id")
    assert list(rows.index) == ["project:Alpha", "project:Beta", "project:Gamma"]
    # Alpha: done, done, cancelled -> done; Beta: in progress + to do -> in progress; Gamma: all cancelled.
    assert dict(rows["status_category"]) == {"project:Alpha": "done", "project:Beta": "in_progress",
                                             "project:Gamma": "cancelled"}
    assert list(rows["title"]) == ["Alpha", "Beta", "Gamma"] and set(rows["task_type"]) == {"Project"}
    assert rows["status"].isna().all()
    assert rows.loc["project:Alpha", "team"] == "Core" and pd.isna(rows.loc["project:Beta", "team"])
    assert rows.loc["project:Gamma", "assignees"] == [] and rows.loc["project:Gamma", "blocked_by"] == []


def test_project_rows_follow_the_users_status_map():
    mapped = pd.DataFrame({"project": ["P", "P"], "team": ["T", "T"]})
    todo = linear._project_rows(mapped, pd.Series(["todo", "todo"], dtype="string"))
    started = linear._project_rows(mapped, pd.Series(["todo", "done"], dtype="string"))
    assert (todo["status_category"].iloc[0], started["status_category"].iloc[0]) == ("todo", "in_progress")
    # The reader hands each issue's final category (user status_map included) to _project_rows.
    export = wf.read_export(PROJECTS, status_map={"Todo": "done", "In Progress": "done"})
    assert set(_by_id(export).loc[["COR-4", "WEB-1"], "status_category"]) == {"done"}


def test_synthetic_project_rows_are_tasks_but_not_rows_read():
    export = wf.read_export(PROJECTS)
    t = _by_id(export)
    assert "project:Alpha" in t.index, "no synthetic project rows yet"
    r = export.report
    assert (r.rows_read, r.synthetic, len(export.tasks), r.merged, r.rejected) == (8, 3, 11, 0, 0)
    assert r.rows_read + r.synthetic == len(export.tasks) + r.merged + r.rejected
    assert len(export.raw) == 8 and not export.raw["task_id"].str.startswith("project:").any()
    projects = t.loc[t["task_type"] == "Project"]
    assert dict(projects["status_category"].astype(str)) == {
        "project:Alpha": "done", "project:Beta": "in_progress", "project:Gamma": "cancelled"}
    assert set(projects["source"]) == {"linear-csv"} and projects["created"].isna().all()


def _assemble_with(synthetic: pd.DataFrame, **options) -> wf.TaskExport:
    from workfw.io._build import Assembly, assemble
    raw = pd.DataFrame({"Key": ["A-1", "A-2"], "_row": [2, 3]})
    mapped = pd.DataFrame({"task_id": ["A-1", "A-2"], "title": ["One", "Two"], "status": ["Done", "Todo"],
                           "labels": [["x"], []]})
    return assemble(Assembly(raw=raw, mapped=mapped, source="test", file="t.csv", synthetic=synthetic), **options)


def test_assembler_keeps_only_synthetic_rows_with_a_new_id():
    synthetic = pd.DataFrame({"task_id": ["project:P", "A-1", None, " ", "project:P", "project:Q"],
                              "title": ["P", "clash", "no id", "blank", "again", "Q"],
                              "status_category": ["done", "todo", "todo", "todo", "todo", "cancelled"],
                              "labels": [None, [], [], [], [], "solo"]})
    export = _assemble_with(synthetic, team="Core")
    r, t = export.report, export.tasks.set_index("task_id")
    assert (r.rows_read, r.synthetic, len(export.tasks), r.merged, r.rejected) == (2, 2, 4, 0, 0)
    assert list(t.index) == ["A-1", "A-2", "project:P", "project:Q"]
    assert t.loc["A-1", "title"] == "One"  # the file's row keeps its id
    assert t.loc["project:P", "status_category"] == "done" and t.loc["project:Q", "status_category"] == "cancelled"
    assert t.loc["project:P", "labels"] == [] and t.loc["project:Q", "labels"] == ["solo"]
    assert t.loc["A-1", "labels"] == ["x"] and t["assignees"].map(len).tolist() == [0, 0, 0, 0]
    assert set(t["team"]) == {"Core"} and set(t["source"]) == {"test"}
    # Synthetic rows have no status name, so the status table counts the file's rows only.
    assert r.status_map["tasks"].sum() == 2
    assert any("4 task rows the reader adds" in w and "2 have no id" in w and "2 repeat the id" in w
               and "'A-1'" in w for w in r.warnings)
    assert len(export.raw) == 2


def test_synthetic_count_in_summary_saved_file_and_combined_exports(tmp_path):
    export = wf.read_export(PROJECTS)
    summary = export.report.summary()["value"]
    assert (summary["rows read"], summary["tasks"], summary["synthetic tasks"]) == (8, 11, 3)
    back = wf.read_export(export.save(tmp_path / "p"))
    assert back.report.synthetic == 3 and len(back.tasks) == 11
    old = export.report.to_dict()
    del old["synthetic"]  # a report saved before synthetic rows existed
    assert wf.ImportReport.from_dict(old).synthetic == 0
    both = wf.read_export([PROJECTS, FIXTURES / "linear_30col.csv"])
    r = both.report
    assert (r.rows_read, r.synthetic, len(both.tasks)) == (13, 4, 17)
    assert r.rows_read + r.synthetic == len(both.tasks) + r.merged + r.rejected

"""Linear CSV reader: both layouts, lifecycle categories, JS dates, short rows, formula guard."""
from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd

import workfw as wf
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
    assert r.rows_read == len(export.tasks) + r.merged + r.rejected


def _by_id(export: wf.TaskExport) -> pd.DataFrame:
    return export.tasks.set_index("task_id")


def test_30_column_layout_fields():
    export = wf.read_export(FIXTURES / "linear_30col.csv")
    _check_invariant(export)
    assert export.report.source == "linear-csv"
    assert (export.report.rows_read, export.report.merged, export.report.rejected) == (5, 0, 0)
    t = _by_id(export)
    assert list(t.index) == ["ENG-1", "ENG-2", "ENG-3", "ENG-4", "OPS-7"]
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
    assert export.report.warnings == []


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
                                          "ENG-4": "todo", "OPS-7": "todo"}
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
    assert list(t.index) == ["WEB-10", "WEB-11", "WEB-13"]
    assert t.loc["WEB-10", "blocked_by"] == ["WEB-11", "WEB-12"]
    assert t.loc["WEB-10", "description"] == "Multi-step\ncheckout"
    assert t.loc["WEB-10", "labels"] == ["Feature", "Payments"]
    assert t.loc["WEB-10", "iteration"] == "Cycle 3"
    assert t.loc["WEB-10", "started"] == _utc("2024-06-04 10:00")
    assert t.loc["WEB-11", "completed"] == _utc("2024-06-07 15:00")
    assert dict(t["status_category"]) == {"WEB-10": "in_progress", "WEB-11": "done", "WEB-13": "cancelled"}
    assert t.loc["WEB-13", "title"] == "+1 button"
    assert t.loc["WEB-13", "parent_id"] == "WEB-10"
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

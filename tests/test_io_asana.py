"""Asana CSV reader: layouts, status, name-based parents, Excel damage and encodings."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import workfw as wf
from workfw.errors import OptionError
from workfw.io.asana import sniff_asana_csv

FIXTURES = Path(__file__).parent / "fixtures"

JIRA_HEADER = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key", "Created", "Resolved"]
CLICKUP_HEADER = ["Task ID", "Task Link", "Task Type", "Task Name", "Task Content", "Status", "Date Created",
                  "Due Date", "Parent ID", "Assignees", "Tags", "Priority", "List Name"]
LINEAR_HEADER = ["ID", "Team", "Title", "Description", "Status", "Created", "Started", "Completed", "Canceled",
                 "Triaged", "Parent issue"]
ADO_HEADER = ["ID", "Work Item Type", "Title", "Assigned To", "State", "Tags"]


def _utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def _check_invariant(export: wf.TaskExport) -> None:
    r = export.report
    assert r.rows_read == len(export.tasks) + r.merged + r.rejected


def _by_id(export: wf.TaskExport) -> pd.DataFrame:
    return export.tasks.set_index("task_id")


def test_current_layout_fields():
    export = wf.read_export(FIXTURES / "asana_current.csv")
    _check_invariant(export)
    assert export.report.source == "asana-csv"
    assert (export.report.rows_read, export.report.merged, export.report.rejected) == (10, 0, 0)
    t = _by_id(export)
    first = t.loc["1206000000000001"]
    assert first["title"] == "Design login page"
    assert first["description"] == "Mockups for the login page.\nTwo variants."
    assert first["assignee"] == "Ana Silva" and first["assignees"] == ["Ana Silva"]
    assert first["labels"] == ["frontend", "ux"]
    assert first["project"] == "Web App"
    assert first["priority"] == "High" and first["estimate"] == 3.0
    assert first["created"] == _utc("2024-03-01") and first["completed"] == _utc("2024-03-10")
    assert first["updated"] == _utc("2024-03-10") and first["due"] == _utc("2024-03-09")
    assert first["completed_basis"] == "exact"
    # Asana has no start: the planned Start Date is not used.
    assert t["started"].isna().all() and t["started_basis"].isna().all()
    assert t["team"].isna().all()
    # A task in two projects: the first is the project.
    assert t.loc["1206000000000002", "project"] == "Web App"
    fm = dict(zip(export.report.field_map["column"], export.report.field_map["field"]))
    assert fm["Start Date"].startswith("(planned start")
    assert fm["Section/Column"] == "status"
    assert "Start Date" not in export.report.unmapped_columns


def test_status_from_section_and_completion():
    t = _by_id(wf.read_export(FIXTURES / "asana_current.csv"))
    expected = {
        "1206000000000001": ("Done", "done"),
        "1206000000000002": ("In Progress", "in_progress"),
        "1206000000000003": (pd.NA, "todo"),           # subtask with no section
        "1206000000000004": ("To do", "todo"),
        "1206000000000005": ("In Progress", "done"),   # completed beats the section name
        "1206000000000006": ("Backlog", "todo"),
        "1206000000000009": ("Waiting on client", "in_progress"),
        "1206000000000010": ("Untitled section", "todo"),
    }
    for task_id, (status, category) in expected.items():
        got = t.loc[task_id, "status"]
        assert (pd.isna(got) and pd.isna(status)) or got == status, task_id
        assert t.loc[task_id, "status_category"] == category, task_id
    # The custom field Status ("On track") does not replace the section.
    assert t.loc["1206000000000001", "status"] == "Done"


def test_status_column_option_and_user_map():
    export = wf.read_export(FIXTURES / "asana_current.csv", status_column="Status",
                            status_map={"On track": "in_progress"})
    t = _by_id(export)
    assert t.loc["1206000000000001", "status"] == "On track"
    assert t.loc["1206000000000001", "status_category"] == "in_progress"  # the user's map wins
    assert pd.isna(t.loc["1206000000000002", "status"])
    with pytest.raises(OptionError, match="status_column='Stage'"):
        wf.read_export(FIXTURES / "asana_current.csv", status_column="Stage")


def test_parent_names_resolved_within_project():
    export = wf.read_export(FIXTURES / "asana_current.csv")
    t = _by_id(export)
    assert t.loc["1206000000000003", "parent_id"] == "1206000000000002"   # no project: unique name
    assert t.loc["1206000000000010", "parent_id"] == "1206000000000009"   # 'Release' in Mobile App
    assert pd.isna(t.loc["1206000000000007", "parent_id"])                # two 'Polish' in Web App
    assert pd.isna(t.loc["1206000000000004", "parent_id"])                # 'Cleanup' not in the file
    warnings = export.report.warnings
    ambiguous = [w for w in warnings if "several tasks share" in w]
    assert len(ambiguous) == 1 and "row 8 names 'Polish', held by rows 6, 7" in ambiguous[0]
    missing = [w for w in warnings if "not in this file" in w]
    assert len(missing) == 1 and missing[0].startswith("Column 'Parent task': 1 rows") and "'Cleanup'" in missing[0]
    assert export.raw.loc[export.raw["Task ID"] == "1206000000000004", "Parent task"].iloc[0] == "Cleanup"


def test_dependencies_resolved_to_ids_or_kept():
    t = _by_id(wf.read_export(FIXTURES / "asana_current.csv"))
    assert t.loc["1206000000000002", "blocked_by"] == ["1206000000000001"]
    assert t.loc["1206000000000009", "blocked_by"] == ["1206000000000004", "External vendor"]
    assert t.loc["1206000000000001", "blocked_by"] == []


def test_2016_layout():
    export = wf.read_export(FIXTURES / "asana_2016.csv")
    _check_invariant(export)
    assert export.report.source == "asana-csv"
    t = _by_id(export)
    assert list(t.index) == ["112233445566701", "112233445566702", "112233445566703"]
    assert t.loc["112233445566702", "parent_id"] == "112233445566701"  # 'Parent Task', capital T
    assert t["status"].isna().all()
    assert list(t["status_category"]) == ["done", "todo", "todo"]
    assert t.loc["112233445566701", "completed"] == _utc("2016-04-20")
    assert t.loc["112233445566702", "labels"] == ["pr", "writing"]
    assert export.report.warnings == []


def test_google_sheets_preamble_skipped():
    export = wf.read_export(FIXTURES / "asana_sheets.csv")
    _check_invariant(export)
    assert export.report.source == "asana-csv"
    t = _by_id(export)
    assert list(t.index) == ["1206000000000101", "1206000000000102"]
    assert list(t["status_category"]) == ["in_progress", "done"]
    assert list(export.raw["_row"]) == [5, 6]


def test_excel_damaged_file():
    export = wf.read_export(FIXTURES / "asana_excel.csv")
    _check_invariant(export)
    r = export.report
    assert (r.rows_read, r.merged, r.rejected) == (5, 1, 0)
    t = _by_id(export)
    assert list(t.index) == ["row-2", "row-4", "row-5", "row-6"]
    plan = t.loc["row-2"]
    assert plan["title"] == "Plan sprint"
    assert plan["assignees"] == ["Ana Silva", "Ben Okafor"]  # one row per assignee, merged
    assert plan["created"] == _utc("2016-04-17") and plan["completed"] == _utc("2016-04-20")
    assert t.loc["row-4", "title"] == "Ship build"  # same damaged id, other title: another task
    assert t.loc["row-5", "parent_id"] == "row-4"
    assert t.loc["row-6", "blocked_by"] == ["row-4"]
    assert any("scientific notation" in w and "'7.18656E+14'" in w for w in r.warnings)
    assert any("1 rows repeat a task" in w for w in r.warnings)
    assert list(export.raw["_outcome"]) == ["task", "merged", "task", "task", "task"]
    assert export.raw["_reason"].iloc[1] == "same task as row 2"


def test_cp1252_file():
    export = wf.read_export(FIXTURES / "asana_cp1252.csv")
    _check_invariant(export)
    t = _by_id(export)
    assert t.loc["1206000000000201", "title"] == "Café menu"
    assert t.loc["1206000000000201", "assignee"] == "Jürgen Groß"
    assert t.loc["1206000000000201", "labels"] == ["küche", "café"]
    assert t.loc["1206000000000201", "description"] == "\u201cQuoted\u201d note"
    assert t.loc["1206000000000202", "assignee"] == "Zoë Brontë"
    assert any("read as cp1252" in w for w in export.report.warnings)


def test_utf8_bom_file():
    export = wf.read_export(FIXTURES / "asana_bom.csv")
    _check_invariant(export)
    assert export.report.source == "asana-csv"
    t = _by_id(export)
    assert list(t.index) == ["112233445566801", "112233445566802"]  # no BOM left in the first header
    assert t.loc["112233445566802", "title"] == "Call référence"
    assert t.loc["112233445566802", "parent_id"] == "112233445566801"


def test_team_option_and_timezone():
    export = wf.read_export(FIXTURES / "asana_2016.csv", team="Growth", tz="Europe/Berlin")
    t = _by_id(export)
    assert set(t["team"]) == {"Growth"}
    # Date-only values are midnight in the given zone (CEST in April = UTC+2).
    assert t.loc["112233445566701", "created"] == _utc("2016-03-31 22:00")


def test_sniff_is_specific():
    header = (FIXTURES / "asana_current.csv").read_text().splitlines()[0].split(",")
    assert sniff_asana_csv(header)
    for other in (JIRA_HEADER, CLICKUP_HEADER, LINEAR_HEADER, ADO_HEADER):
        assert not sniff_asana_csv(other)


def test_a_trimmed_asana_export_is_still_asana_and_reads() -> None:
    # An export with its dates or names taken out used to be no known format at all.
    frame = pd.read_csv(FIXTURES / "asana_current.csv", dtype=str, keep_default_na=False)
    for gone, field in {"Created At": "created", "Completed At": "completed", "Name": "title"}.items():
        trimmed = frame.drop(columns=[gone])
        assert sniff_asana_csv(list(trimmed.columns)), gone
        export = wf.read_export(trimmed.to_csv(index=False).encode(), name=f"no_{gone}.csv")
        assert export.report.source == "asana-csv" and len(export.tasks) == len(frame)
        assert export.tasks[field].isna().all(), gone

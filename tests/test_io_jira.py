"""Jira CSV and REST JSON readers, read through ``wf.read_export`` with auto-detection."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

import workfw as wf
from workfw.errors import EmptyExportError, ExportReadError, WorkfwError
from workfw.io.jira import sniff_jira_csv, sniff_jira_json

FIXTURES = Path(__file__).parent / "fixtures"
CLOUD = FIXTURES / "jira_cloud_all_fields.csv"
SERVER = FIXTURES / "jira_server_current_fields.csv"
RUSSIAN = FIXTURES / "jira_ru.csv"
REST = FIXTURES / "jira_rest_search.json"


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def by_id(export: wf.TaskExport) -> pd.DataFrame:
    return export.tasks.set_index("task_id")


def assert_invariant(export: wf.TaskExport) -> None:
    r = export.report
    assert r.rows_read == len(export.tasks) + r.merged + r.rejected


# ------------------------------------------------------------------ Cloud CSV

@pytest.fixture(scope="module")
def cloud() -> wf.TaskExport:
    return wf.read_export(CLOUD)


def test_cloud_detected_and_counted(cloud):
    assert cloud.report.source == "jira-csv"
    assert list(cloud.tasks["task_id"]) == ["WEB-1", "WEB-2", "WEB-3", "WEB-4", "WEB-5", "WEB-6"]
    assert (cloud.report.rows_read, cloud.report.merged, cloud.report.rejected) == (6, 0, 0)
    assert_invariant(cloud)
    assert not any("not UTF-8" in w for w in cloud.report.warnings)


def test_cloud_status_categories_and_cancelled(cloud):
    t = by_id(cloud)
    assert t["status"].to_dict() == {"WEB-1": "In Progress", "WEB-2": "Done", "WEB-3": "In Review",
                                     "WEB-4": "Won't Do", "WEB-5": "To Do", "WEB-6": "Done"}
    # WEB-4's Status Category is Done, but "Won't Do" is cancelled work.
    assert t["status_category"].astype(str).to_dict() == {
        "WEB-1": "in_progress", "WEB-2": "done", "WEB-3": "in_progress", "WEB-4": "cancelled",
        "WEB-5": "todo", "WEB-6": "done"}


def test_cloud_hierarchy_from_parent_key_and_numeric_parent(cloud):
    t = by_id(cloud)
    assert t.loc["WEB-2", "parent_id"] == "WEB-1"          # Parent key
    assert t.loc["WEB-3", "parent_id"] == "WEB-2"          # Parent 10002 resolved through Issue id
    assert t.loc["WEB-6", "parent_id"] == "WEB-1"
    assert t["parent_id"].isna().to_dict() == {"WEB-1": True, "WEB-2": False, "WEB-3": False,
                                               "WEB-4": True, "WEB-5": True, "WEB-6": False}


def test_cloud_repeated_columns(cloud):
    t = by_id(cloud)
    assert t.loc["WEB-1", "labels"] == ["checkout", "q1"]
    assert t.loc["WEB-2", "labels"] == ["checkout", "payments", "q1"]
    assert t.loc["WEB-3", "labels"] == []
    assert t.loc["WEB-2", "blocked_by"] == ["WEB-4", "WEB-9"]
    assert t.loc["WEB-4", "blocked_by"] == []               # only an outward link
    assert t.loc["WEB-2", "iteration"] == "Sprint 2"        # last of Sprint 1, Sprint 2
    assert t.loc["WEB-3", "iteration"] == "Sprint 2"
    assert pd.isna(t.loc["WEB-1", "iteration"])
    assert t.loc["WEB-2", "comments"] == 2 and t.loc["WEB-1", "comments"] == 0
    assert t.loc["WEB-2", "watchers"] == 2 and t.loc["WEB-5", "watchers"] == 0
    assert t.loc["WEB-2", "estimate"] == 5.0                # Story Points
    assert t.loc["WEB-3", "estimate"] == 2.0                # Story point estimate
    assert pd.isna(t.loc["WEB-1", "estimate"])


def test_cloud_text_fields_kept_verbatim(cloud):
    t = by_id(cloud)
    assert t.loc["WEB-2", "title"] == "Pay with \u201csaved card\u201d"
    assert t.loc["WEB-5", "title"] == "Update privacy page \u00a6 legal"
    # LF inside a cell of a CRLF file; the pasted mojibake is not "repaired".
    assert t.loc["WEB-2", "description"] == ("As a returning customer\nI want to pay with a saved card.\n\n"
                                             "Don\u00e2\u20ac\u2122t charge twice.")
    assert t.loc["WEB-1", "description"] == "h2. Goal\n*Faster* checkout for returning customers."
    assert t.loc["WEB-2", "assignee"] == "Ana Silva" and t.loc["WEB-2", "assignees"] == ["Ana Silva"]
    assert pd.isna(t.loc["WEB-3", "assignee"]) and t.loc["WEB-3", "assignees"] == []
    assert t.loc["WEB-2", "reporter"] == "Ben Okoro"
    assert t.loc["WEB-2", "project"] == "WEB" and t.loc["WEB-4", "priority"] == "High"
    assert t.loc["WEB-4", "resolution"] == "Won't Do" and t.loc["WEB-3", "task_type"] == "Sub-task"
    assert t["team"].isna().all() and t["url"].isna().all()


def test_cloud_timestamps_and_basis(cloud):
    t = by_id(cloud)
    assert t.loc["WEB-1", "created"] == utc("2024-01-02 09:00")
    assert t.loc["WEB-1", "updated"] == utc("2024-03-20 16:37")
    assert t.loc["WEB-1", "due"] == utc("2024-03-24 00:00")
    # In progress: started = Status Category Changed, exact.
    assert (t.loc["WEB-1", "started"], t.loc["WEB-1", "started_basis"]) == (utc("2024-01-05 10:00"), "exact")
    assert (t.loc["WEB-3", "started"], t.loc["WEB-3", "started_basis"]) == (utc("2024-03-10 14:05"), "exact")
    # Done with Resolved: exact; started from Time in Status = created + 86,400,000 ms in To Do.
    assert (t.loc["WEB-2", "completed"], t.loc["WEB-2", "completed_basis"]) == (utc("2024-03-12 10:15"), "exact")
    assert (t.loc["WEB-2", "started"], t.loc["WEB-2", "started_basis"]) == (utc("2024-01-04 09:15"), "inferred")
    # Won't Do without Resolved: Status Category Changed, inferred; it never was in progress.
    assert (t.loc["WEB-4", "completed"], t.loc["WEB-4", "completed_basis"]) == (utc("2024-02-15 16:37"),
                                                                                  "inferred")
    assert pd.isna(t.loc["WEB-4", "started"]) and pd.isna(t.loc["WEB-4", "started_basis"])
    assert pd.isna(t.loc["WEB-5", "completed"]) and pd.isna(t.loc["WEB-5", "started"])
    # WEB-6 went through status 10005, which no issue is in now: no guess.
    assert pd.isna(t.loc["WEB-6", "started"])
    assert sum("1 done issues passed through statuses" in w for w in cloud.report.warnings) == 1
    assert str(cloud.tasks["created"].dtype) == "datetime64[ns, UTC]"


def test_cloud_field_map_and_raw(cloud):
    fm = dict(zip(cloud.report.field_map["column"], cloud.report.field_map["field"]))
    assert fm["Issue key"] == "task_id" and fm["Labels (3)"] == "labels" and fm["Sprint (2)"] == "iteration"
    assert fm["Comment (2)"] == "comments" and fm["Inward issue link (Blocks) (2)"] == "blocked_by"
    assert fm["Parent"] == "parent_id" and fm["Issue id"] == "parent_id (resolves Parent)"
    assert fm["Custom field (Flagged)"].startswith("(raw only")
    assert fm["Custom field ([CHART] Time in Status)"].startswith("started")
    unmapped = cloud.report.unmapped_columns
    assert {"Parent summary", "Outward issue link (Blocks)", "Custom field (Category) (2)", "Log Work"} <= set(unmapped)
    assert "Custom field (Flagged)" not in unmapped and "Status Category Changed" not in unmapped
    flagged = cloud.raw.set_index("task_id")["Custom field (Flagged)"]
    assert flagged["WEB-3"] == "Impediment" and pd.isna(flagged["WEB-2"])
    assert list(cloud.raw["_row"]) == [2, 3, 4, 5, 6, 7]


def test_status_map_option_overrides_stated_category():
    export = wf.read_export(CLOUD, status_map={"Won't Do": "done"})
    assert by_id(export).loc["WEB-4", "status_category"] == "done"


# --------------------------------------------------------- Server / current

@pytest.fixture(scope="module")
def server() -> wf.TaskExport:
    return wf.read_export(SERVER)


def test_server_day_first_dates(server):
    t = by_id(server)
    # 11/01/2023 is ambiguous alone; 24/01/2023 in another column decides day first.
    assert t.loc["OPS-10", "created"] == utc("2023-01-11 15:22")
    assert t.loc["OPS-11", "updated"] == utc("2023-01-25 17:40")
    assert t.loc["OPS-11", "due"] == utc("2023-02-28 00:00")
    assert not any("month/day/year" in w for w in server.report.warnings)


def test_server_hierarchy_from_parent_id_and_epic_link(server):
    t = by_id(server)
    assert t["parent_id"].astype(object).where(t["parent_id"].notna(), None).to_dict() == {
        "OPS-10": None, "OPS-11": "OPS-10", "OPS-12": "OPS-11", "OPS-13": "OPS-10", "OPS-14": None}
    assert any("numeric id ('Parent id')" in w for w in server.report.warnings)   # OPS-14 -> 29999


def test_server_categories_and_completion(server):
    t = by_id(server)
    assert t["status_category"].astype(str).to_dict() == {
        # Reopened is work between commitment and delivery again: in progress (issue #14).
        "OPS-10": "todo", "OPS-11": "in_progress", "OPS-12": "done", "OPS-13": "cancelled", "OPS-14": "in_progress"}
    assert (t.loc["OPS-12", "completed"], t.loc["OPS-12", "completed_basis"]) == (utc("2023-01-24 16:00"), "exact")
    assert t.loc["OPS-13", "completed"] == utc("2023-02-13 08:30")        # Won't Fix: closed, cancelled
    assert pd.isna(t.loc["OPS-14", "completed"])                          # Reopened keeps a Resolved date
    assert any("Resolved date but a status that is not done" in w for w in server.report.warnings)
    assert t["started"].isna().all()                                      # no Status Category Changed column


def test_server_other_fields(server):
    t = by_id(server)
    assert t.loc["OPS-13", "url"] == "https://jira.example.com/browse/OPS-13"
    assert t.loc["OPS-11", "comments"] == 1 and t.loc["OPS-10", "comments"] == 0
    assert t["watchers"].isna().all()                                    # no Watchers column at all
    assert t.loc["OPS-11", "estimate"] == 3.0 and t.loc["OPS-11", "iteration"] == "Ops Sprint 4"
    assert t.loc["OPS-11", "labels"] == ["alerts"] and t["project"].isna().all()
    assert set(server.report.unmapped_columns) == {"Custom field (Category)", "Project lead", "Creator",
                                                   "Custom field (Epic Name)"}
    assert_invariant(server)


def test_tz_option_changes_naive_times():
    berlin = by_id(wf.read_export(SERVER, tz="Europe/Berlin"))
    assert berlin.loc["OPS-10", "created"] == utc("2023-01-11 14:22")     # CET = UTC+1
    assert berlin.loc["OPS-12", "completed"] == utc("2023-01-24 15:00")
    rest = by_id(wf.read_export(REST, tz="America/New_York"))
    assert rest.loc["PAY-2", "created"] == utc("2024-03-04 09:00")       # written with +0000: unchanged
    assert rest.loc["PAY-2", "due"] == utc("2024-03-15 04:00")           # date only: EDT midnight


def test_repeated_and_keyless_rows_are_merged_and_rejected():
    lines = SERVER.read_bytes().decode("utf-8").splitlines()
    # Two exports pasted together repeat OPS-12; a stray row has no key.
    data = "\n".join(lines + [lines[3], ",,Task,Orphan row" + "," * 21]) + "\n"
    export = wf.read_export(data.encode("utf-8"), name="joined.csv")
    assert (export.report.rows_read, export.report.merged, export.report.rejected) == (7, 1, 1)
    assert len(export.tasks) == 5
    assert_invariant(export)
    assert list(export.raw["_outcome"]) == ["task"] * 5 + ["merged", "rejected"]


# ------------------------------------------------------------------ Russian

def test_russian_localised_export():
    export = wf.read_export(RUSSIAN)
    assert export.report.source == "jira-csv"
    t = by_id(export)
    assert list(t.index) == ["DEV-1", "DEV-2", "DEV-3"]
    assert t.loc["DEV-1", "title"] == "Настроить CI"
    assert t["status_category"].astype(str).to_dict() == {"DEV-1": "done", "DEV-2": "in_progress", "DEV-3": "todo"}
    assert t.loc["DEV-1", "created"] == utc("2026-07-29 09:59")
    assert t.loc["DEV-3", "created"] == utc("2026-05-15 14:00")
    assert (t.loc["DEV-1", "completed"], t.loc["DEV-1", "completed_basis"]) == (utc("2026-07-30 09:15"), "exact")
    assert t.loc["DEV-1", "labels"] == ["ci", "инфраструктура"]
    assert t.loc["DEV-1", "estimate"] == 3.0 and t.loc["DEV-2", "assignee"] == "Ольга Смирнова"
    assert set(export.report.unmapped_columns) == {"Идентификатор проблемы", "Компоненты"}
    assert_invariant(export)


# ------------------------------------------------------------------ REST JSON

@pytest.fixture(scope="module")
def rest() -> wf.TaskExport:
    return wf.read_export(REST)


def test_rest_tasks(rest):
    assert rest.report.source == "jira-json"
    t = by_id(rest)
    assert list(t.index) == ["PAY-1", "PAY-2", "PAY-3", "PAY-4", "PAY-5"]
    assert t["status_category"].astype(str).to_dict() == {
        "PAY-1": "in_progress", "PAY-2": "done", "PAY-3": "in_progress", "PAY-4": "todo", "PAY-5": "cancelled"}
    assert t.loc["PAY-2", "parent_id"] == "PAY-1" and t.loc["PAY-3", "parent_id"] == "PAY-1"
    assert t.loc["PAY-2", "blocked_by"] == ["PAY-3"]       # outward Blocks and Relates links ignored
    assert t.loc["PAY-2", "labels"] == ["backend", "payments"]
    assert t.loc["PAY-2", "description"] == "Support refunds.\nSee runbook."   # ADF to text
    assert t.loc["PAY-3", "description"] == "Plain text description\nfrom API v2."
    assert t.loc["PAY-2", "estimate"] == 5.0 and t.loc["PAY-3", "estimate"] == 3.0   # via names
    assert t.loc["PAY-2", "iteration"] == "Sprint 8"
    assert (t.loc["PAY-2", "comments"], t.loc["PAY-3", "comments"]) == (3, 2)
    assert (t.loc["PAY-2", "watchers"], t.loc["PAY-1", "watchers"]) == (4, 1)
    assert t.loc["PAY-2", "url"] == "https://example.atlassian.net/browse/PAY-2"
    assert t.loc["PAY-2", "task_type"] == "Story" and t.loc["PAY-2", "priority"] == "High"
    assert t.loc["PAY-2", "reporter"] == "Eli Moss" and t.loc["PAY-2", "project"] == "PAY"
    assert t.loc["PAY-5", "resolution"] == "Won't Do"
    assert_invariant(rest)


def test_rest_timestamps_from_history(rest):
    t = by_id(rest)
    assert t.loc["PAY-3", "created"] == utc("2024-03-06 17:00")           # -0500 offset
    # First move into In Progress; last move into Done (after a reopen).
    assert (t.loc["PAY-2", "started"], t.loc["PAY-2", "started_basis"]) == (utc("2024-03-05 09:30"), "history")
    assert (t.loc["PAY-2", "completed"], t.loc["PAY-2", "completed_basis"]) == (utc("2024-03-12 10:15:30"),
                                                                                  "history")
    assert (t.loc["PAY-3", "started"], t.loc["PAY-3", "started_basis"]) == (utc("2024-03-07 09:00"), "history")
    # No history: statuscategorychangedate for in-progress work, resolutiondate for done work.
    assert (t.loc["PAY-1", "started"], t.loc["PAY-1", "started_basis"]) == (utc("2024-03-02 09:00"), "exact")
    assert (t.loc["PAY-5", "completed"], t.loc["PAY-5", "completed_basis"]) == (utc("2024-03-10"), "exact")
    assert pd.isna(t.loc["PAY-4", "started"]) and pd.isna(t.loc["PAY-4", "completed"])


def test_rest_events(rest):
    ev = rest.events
    assert len(ev) == 7
    pay2 = ev[ev["task_id"] == "PAY-2"]
    status = pay2[pay2["field"] == "status"]
    assert list(status["new"]) == ["In Progress", "In Review", "Done", "In Progress", "Done"]
    assert list(status["old"]) == ["To Do", "In Progress", "In Review", "Done", "In Progress"]
    assign = pay2[pay2["field"] == "assignee"].iloc[0]
    assert (assign["at"], pd.isna(assign["old"]), assign["new"], assign["author"]) == (
        utc("2024-03-05 09:30"), True, "Dana Lee", "Dana Lee")
    assert ev[ev["task_id"] == "PAY-3"]["at"].tolist() == [utc("2024-03-07 09:00")]
    assert "labels" not in set(ev["field"])


def test_rest_raw_and_field_map(rest):
    raw = rest.raw
    assert list(raw["_row"]) == [1, 2, 3, 4, 5]
    assert list(raw["key"]) == ["PAY-1", "PAY-2", "PAY-3", "PAY-4", "PAY-5"]
    assert json.loads(raw.loc[1, "issuetype"]) == {"id": "10001", "name": "Story"}
    assert raw.loc[1, "customfield_10016"] == "5.0" and pd.isna(raw.loc[0, "customfield_10016"])
    fm = dict(zip(rest.report.field_map["column"], rest.report.field_map["field"]))
    assert fm["customfield_10016"] == "estimate" and fm["customfield_10020"] == "iteration"
    assert fm["customfield_10021"].startswith("(raw only")
    assert set(rest.report.unmapped_columns) == {"expand", "id"}


def test_rest_bare_list_of_issues_and_page_warning():
    doc = json.loads(REST.read_text(encoding="utf-8"))
    issues = [i for i in doc["issues"] if i["key"] in ("PAY-3", "PAY-4")]
    export = wf.read_export(json.dumps(issues).encode("utf-8"), name="list.json")
    assert export.report.source == "jira-json"
    assert list(export.tasks["task_id"]) == ["PAY-3", "PAY-4"]
    assert pd.isna(by_id(export).loc["PAY-3", "estimate"])       # no names mapping, no guess
    page = dict(doc, total=250)
    export = wf.read_export(json.dumps(page).encode("utf-8"), name="page1.json")
    assert any("matched 250 issues but the file holds 5" in w for w in export.report.warnings)


# ----------------------------------------------------------- sniffs, errors

def test_sniffs_are_specific():
    assert sniff_jira_csv(["Summary", "Issue key", "Issue id"])
    assert sniff_jira_csv(["Тема", "Ключ проблемы"])
    assert not sniff_jira_csv(["ID", "Title", "Status", "Summary"])            # Linear-like
    assert not sniff_jira_csv(["Issue key", "Title"])
    assert not sniff_jira_json([{"number": 1, "title": "x", "state": "open"}])  # GitHub
    assert not sniff_jira_json({"cards": [], "lists": [], "actions": []})        # Trello
    assert not sniff_jira_json({"issues": [{"number": 1, "title": "x"}]})
    assert not sniff_jira_json({"issues": []})
    assert sniff_jira_json({"startAt": 0, "maxResults": 50, "total": 0, "issues": []})


def test_forced_jira_csv_on_other_csv_raises():
    with pytest.raises(ExportReadError, match=r"other\.csv, the header row.*'Issue key'"):
        wf.read_export(b"ID,Title,Status\n1,a,Done\n", source="jira-csv", name="other.csv")


def test_empty_search_result_raises():
    with pytest.raises(EmptyExportError, match="empty.json"):
        wf.read_export(b'{"startAt": 0, "maxResults": 50, "total": 0, "issues": []}', name="empty.json")


def test_malformed_issue_raises_naming_file_and_issue():
    doc = json.loads(REST.read_text(encoding="utf-8"))
    doc["issues"][2] = {"key": "PAY-3", "fields": "oops"}
    with pytest.raises(ExportReadError, match=r"broken\.json, record 3 of 'issues'"):
        wf.read_export(json.dumps(doc).encode("utf-8"), name="broken.json")


def test_truncated_json_raises_naming_file():
    with pytest.raises(WorkfwError, match="cut.json"):
        wf.read_export(REST.read_bytes()[:500], name="cut.json")


def test_unreadable_dates_raise_naming_file_and_column():
    text = SERVER.read_text(encoding="utf-8").replace("11/01/2023 15:22,11/01/2023", "soon,11/01/2023")
    text = text.replace("12/01/2023 09:05", "later").replace("13/01/2023 10:00", "never")
    with pytest.raises(ExportReadError, match=r"bad_dates\.csv, column 'Created'") as info:
        wf.read_export(text.encode("utf-8"), name="bad_dates.csv")
    assert "soon" in str(info.value)


def test_a_status_no_rule_places_stays_unplaced_with_a_warning(tmp_path) -> None:
    """Jira's read-time placement follows the one rule: an unknown status is not measurable, never *to do*."""
    path = tmp_path / "jira.csv"
    path.write_text("Issue key,Issue id,Summary,Status,Created,Updated\n"
                    "WEB-1,10001,Known,In Progress,04/Mar/24 10:00 AM,05/Mar/24 10:00 AM\n"
                    "WEB-2,10002,Unknown,Frobnicating,04/Mar/24 10:00 AM,05/Mar/24 10:00 AM\n", encoding="utf-8")
    export = wf.read_export(path)
    category = export.tasks.set_index("task_id")["status_category"]
    assert category["WEB-1"] == "in_progress"
    assert pd.isna(category["WEB-2"])
    assert "Frobnicating" in " ".join(map(str, export.report.warnings))


@pytest.mark.parametrize("layout", ["back to back", "a list"])
def test_search_pages_saved_in_one_file_read_as_the_whole_search(tmp_path: Path, layout: str) -> None:
    # The search returns 100 issues a page: a project is saved page by page, often into one file.
    source = wf.sample_path("jira-api")
    doc = json.loads(Path(source).read_text(encoding="utf-8"))
    issues, half = doc["issues"], len(doc["issues"]) // 2
    pages = [dict(doc, issues=issues[:half], startAt=0, total=len(issues) + 5),
             dict(doc, issues=issues[half:], startAt=half, total=len(issues) + 5)]
    path = tmp_path / "pages.json"
    path.write_text("\n".join(json.dumps(p) for p in pages) if layout == "back to back" else json.dumps(pages),
                    encoding="utf-8")
    whole, paged = wf.read_export(source), wf.read_export(path)
    pd.testing.assert_frame_equal(paged.tasks.drop(columns="source_file"), whole.tasks.drop(columns="source_file"))
    assert len(paged.events) == len(whole.events)
    assert any(f"matched {len(issues) + 5} issues but the file holds {len(issues)} (2 pages)" in w
               for w in paged.report.warnings), paged.report.warnings


@pytest.mark.parametrize("odd_id", [None, "010004", " 10004", "x10004"])
def test_numeric_parents_resolve_the_same_whether_or_not_every_id_is_a_plain_number(tmp_path, odd_id) -> None:
    """Plain ids take a whole-column shortcut; one id written otherwise sends the file the careful way."""
    rows = [("WEB-1", "10001", ""), ("WEB-2", "10002", "10001"), ("WEB-3", "10003", "10002"),
            ("WEB-4", odd_id or "10004", "10009"), ("WEB-5", "10005", "10001"), ("WEB-6", "10002", "")]
    path = tmp_path / "parents.csv"
    path.write_text("Issue key,Issue id,Summary,Status,Parent,Created\n" + "".join(
        f'{key},"{ident}",Task {key},To Do,{parent},04/Mar/24 10:00 AM\n' for key, ident, parent in rows),
        encoding="utf-8")
    export = wf.read_export(path)
    parent = export.tasks.set_index("task_id")["parent_id"]
    # 10002 names WEB-2 and WEB-6: the last row wins; 10009 is in no row, so WEB-4's parent stays empty.
    assert parent["WEB-2"] == "WEB-1" and parent["WEB-5"] == "WEB-1"
    assert parent["WEB-3"] == "WEB-6"
    assert pd.isna(parent["WEB-4"]) and pd.isna(parent["WEB-1"])
    assert any("not in this file" in w for w in export.report.warnings)


def test_time_in_status_without_a_status_category_column() -> None:
    # A file with '[CHART] Time in Status' but without 'Status Category' (left out of the export, or deleted)
    # stopped with "boolean value of NA is ambiguous"; its categories now come from the status names.
    rows = list(csv.reader(io.StringIO((FIXTURES / "jira_cloud_all_fields.csv").read_text(encoding="utf-8-sig"))))
    keep = [i for i, name in enumerate(rows[0]) if name != "Status Category"]
    assert len(keep) < len(rows[0]) and "Custom field ([CHART] Time in Status)" in rows[0]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([[row[i] for i in keep] for row in rows])
    export = wf.read_export(out.getvalue().encode(), name="no_category.csv")
    expected = wf.read_export(FIXTURES / "jira_cloud_all_fields.csv")
    assert len(export.tasks) == len(expected.tasks) and export.tasks["status_category"].notna().all()
    # Done issues still get a start from Time in Status, placed by their status names.
    assert export.tasks["started"].notna().sum() == expected.tasks["started"].notna().sum()

"""Azure DevOps query CSV reader: identities, local dates, area paths, states, tree queries."""
from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd

import workfw as wf
from workfw.io.azure import display_name, sniff_azure_devops_csv

FIXTURES = Path(__file__).parent / "fixtures"

JIRA_HEADER = ["Issue key", "Issue id", "Issue Type", "Summary", "Status", "Created", "Resolved"]
ASANA_HEADER = ["Task ID", "Created At", "Completed At", "Last Modified", "Name", "Section/Column", "Projects"]
LINEAR_HEADER = ["ID", "Team", "Title", "Status", "Created", "Started", "Completed", "Canceled", "Triaged"]
GITHUB_PROJECT_HEADER = ["Title", "URL", "Assignees", "Status", "Labels", "Milestone", "Repository"]


def _utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def _check_invariant(export: wf.TaskExport) -> None:
    r = export.report
    assert r.rows_read == len(export.tasks) + r.merged + r.rejected


def _by_id(export: wf.TaskExport) -> pd.DataFrame:
    return export.tasks.set_index("task_id")


def test_display_name():
    assert display_name("Doe, Jane <jane.doe@contoso.com>") == "Jane Doe"
    assert display_name("Raj Smith <raj.smith@contoso.com>") == "Raj Smith"
    assert display_name("Doe, Jane") == "Jane Doe"
    assert display_name("<bot@contoso.com>") == "bot@contoso.com"
    assert pd.isna(display_name(pd.NA)) and pd.isna(display_name("  "))


def test_default_column_set():
    export = wf.read_export(FIXTURES / "azure_default.csv")
    _check_invariant(export)
    assert export.report.source == "azure-devops-csv"
    t = _by_id(export)
    assert list(t.index) == ["101", "102", "103"]
    assert list(t["task_type"]) == ["Epic", "Issue", "Task"]
    assert list(t["status_category"]) == ["in_progress", "todo", "done"]
    assert t.loc["101", "assignees"] == ["Jane Doe"]
    assert t.loc["102", "assignee"] == "Raj Smith"
    assert t.loc["101", "labels"] == ["payments", "q3"]
    assert t["team"].isna().all() and t["created"].isna().all()
    assert export.report.warnings == []


def test_agile_query_fields():
    export = wf.read_export(FIXTURES / "azure_agile.csv")
    _check_invariant(export)
    assert (export.report.rows_read, export.report.merged, export.report.rejected) == (5, 0, 0)
    t = _by_id(export)
    story = t.loc["201"]
    assert (story["team"], story["project"], story["iteration"]) == ("Web Team", "Shop", "Shop\\Sprint 4")
    assert story["assignee"] == "Jane Doe" and story["reporter"] == "Kim Lee"
    assert story["labels"] == ["search", "ui"]
    assert story["estimate"] == 5.0 and story["priority"] == "2"
    assert story["resolution"] == "Acceptance tests pass"
    assert story["created"] == _utc("2026-02-03 09:15")
    assert story["started"] == _utc("2026-02-05 10:00")
    assert story["completed"] == _utc("2026-02-20 16:30")  # Closed Date
    assert (story["started_basis"], story["completed_basis"]) == ("exact", "exact")
    assert t.loc["202", "parent_id"] == "201"
    assert pd.isna(t.loc["202", "resolution"])  # "Implementation started" is no resolution
    assert t.loc["203", "team"] == "Mobile Team"
    assert pd.isna(t.loc["204", "team"]) and t.loc["204", "project"] == "Shop"  # area path is the project only
    assert t.loc["205", "reporter"] == "Kim Lee"
    # 2/13 and 2/20 decide month-first, so no warning about the date order.
    assert export.report.warnings == []
    fm = dict(zip(export.report.field_map["column"], export.report.field_map["field"]))
    assert fm["Board Column"] == "(board column; kept in raw)"


def test_state_categories_and_resolved():
    export = wf.read_export(FIXTURES / "azure_agile.csv")
    t = _by_id(export)
    assert dict(t["status_category"]) == {"201": "done", "202": "in_progress", "203": "in_progress",
                                          "204": "cancelled", "205": "todo"}
    # Resolved is in progress by default, so its Resolved Date is no completion.
    assert pd.isna(t.loc["203", "completed"]) and t.loc["203", "started"] == _utc("2026-02-11 09:00")
    counted = _by_id(wf.read_export(FIXTURES / "azure_agile.csv", status_map={"Resolved": "done"}))
    assert counted.loc["203", "status_category"] == "done"
    assert counted.loc["203", "completed"] == _utc("2026-02-16 17:00")  # Resolved Date, no Closed Date
    assert counted.loc["203", "completed_basis"] == "exact"


def test_timezone_moves_local_dates():
    utc = _by_id(wf.read_export(FIXTURES / "azure_agile.csv"))
    ny = _by_id(wf.read_export(FIXTURES / "azure_agile.csv", tz="America/New_York"))
    # "2/12/2026 11:04:23 AM" in New York (EST, UTC-5).
    assert utc.loc["202", "started"] == _utc("2026-02-12 11:04:23")
    assert ny.loc["202", "started"] == _utc("2026-02-12 16:04:23")
    assert ny.loc["201", "completed"] == _utc("2026-02-20 21:30")


def test_undecided_date_order_warns_and_option_decides():
    export = wf.read_export(FIXTURES / "azure_scrum.csv")
    _check_invariant(export)
    t = _by_id(export)
    assert t.loc["401", "created"] == _utc("2026-03-04 09:00")  # month first
    assert t.loc["401", "completed"] == _utc("2026-05-06 10:30")
    assert any("read as month/day/year" in w for w in export.report.warnings)
    dmy = wf.read_export(FIXTURES / "azure_scrum.csv", date_order="dmy")
    d = _by_id(dmy)
    assert d.loc["401", "created"] == _utc("2026-04-03 09:00")
    assert d.loc["403", "created"] == _utc("2026-05-04 09:00")
    assert not any("month/day/year" in w for w in dmy.report.warnings)
    assert list(t["status_category"]) == ["done", "in_progress", "todo"]
    assert list(t["reporter"]) == ["Jane Doe", "Raj Smith", "Raj Smith"]


def test_tree_query_parents():
    export = wf.read_export(FIXTURES / "azure_tree.csv")
    _check_invariant(export)
    assert export.report.source == "azure-devops-csv"
    t = _by_id(export)
    assert dict(t["title"]) == {"301": "Onboarding", "302": "Signup", "303": "Email verification",
                                "304": "Password rules", "305": "Welcome tour", "306": "Billing", "307": "Invoices"}
    parents = t["parent_id"].astype(object).where(t["parent_id"].notna(), None).to_dict()
    assert parents == {"301": None, "302": "301", "303": "302", "304": "302", "305": "301", "306": None,
                       "307": "306"}
    assert t.loc["302", "assignees"] == ["Jane Doe"]
    assert t.loc["307", "status_category"] == "todo"  # Proposed


def test_bom_and_cp1252_bytes():
    text = (FIXTURES / "azure_default.csv").read_text(encoding="utf-8").replace("Doe, Jane", "Müller, Jörg")
    for data in (codecs.BOM_UTF8 + text.encode("utf-8"), text.encode("cp1252")):
        export = wf.read_export(data, name="query.csv")
        _check_invariant(export)
        assert export.report.source == "azure-devops-csv"
        assert list(export.tasks["task_id"]) == ["101", "102", "103"]
        assert export.tasks["assignee"].iloc[0] == "Jörg Müller"


def test_sniff_is_specific():
    assert sniff_azure_devops_csv(["ID", "Work Item Type", "Title", "Assigned To", "State", "Tags"])
    assert sniff_azure_devops_csv(["ID", "Work Item Type", "Title 1", "Title 2", "State"])
    for other in (JIRA_HEADER, ASANA_HEADER, LINEAR_HEADER, GITHUB_PROJECT_HEADER):
        assert not sniff_azure_devops_csv(other)


def test_html_description_becomes_plain_text():
    export = wf.read_export(FIXTURES / "azure_html.csv")
    _check_invariant(export)
    assert export.report.source == "azure-devops-csv"
    desc = _by_id(export)["description"]
    assert desc["301"] == "Steps: open the cart\nAdd an item\nPay & confirm"
    assert len(desc["301"].split()) == 10  # the words a description-length signal counts, no tags or styles
    assert desc["302"] == "Compare a < b and b > c"  # no tag: left as written
    assert pd.isna(desc["303"]) and pd.isna(desc["305"])  # only markup, or nothing, is no description
    assert desc["304"] == "Keep this"  # script and style content is not text
    # raw keeps what the file says.
    assert export.raw.set_index("ID").loc["303", "Description"] == "<div><br></div>"
    fields = dict(zip(export.report.field_map["column"], export.report.field_map["field"]))
    assert fields["Description"] == "description (HTML turned into plain text)"

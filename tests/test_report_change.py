"""The report's "Did it change?" section: wired into the page and the JSON, escaped, and pseudonymised."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from workfw.change import ChangeError
from workfw.export import ImportReport, TaskExport
from workfw.reporting import report, report_html, report_json
from workfw.schema import conform_events, conform_tasks

EVIL = "<img src=x onerror=alert(1)>"
EVIL_TEXT = "&lt;img src=x onerror=alert(1)&gt;"
NAMED = "Call Ann Smith about refunds"


def _export(late: int, file: str) -> TaskExport:
    """20 finished tasks of 2026-03-02, the first ``late`` of them done within the hour (logged after the fact)."""
    rows = []
    for i in range(20):
        start = pd.Timestamp("2026-03-02", tz="UTC")
        end = start + (pd.Timedelta(minutes=30) if i < late else pd.Timedelta(days=9))
        title = EVIL if i == 4 else NAMED if i == 5 else f"task {i}"
        rows.append(dict(task_id=f"T{i:02d}", title=title, status="Done", status_category="done", team="billing",
                         assignee="Ann Smith" if i % 2 else "Bob Jones", reporter="Ann Smith", created=start,
                         updated=end, completed=end))
    tasks = conform_tasks(pd.DataFrame(rows))
    events = conform_events(pd.DataFrame(columns=["task_id", "at", "field", "old", "new", "author"]))
    return TaskExport(tasks=tasks, events=events, raw=pd.DataFrame({"ID": tasks["task_id"]}),
                      report=ImportReport(source="generic-csv", file=file, rows_read=20))


@pytest.fixture(scope="module")
def before() -> TaskExport:
    return _export(12, "march.csv")


@pytest.fixture(scope="module")
def after() -> TaskExport:
    return _export(2, "april.csv")


def test_the_page_gains_the_section_with_escaped_tasks_behind_the_move(before, after):
    page = report_html(after, compare_to=before, frameworks=["visibility"])
    assert '<a href="#change">Did it change?</a>' in page
    section = page[page.index('<section id="change">'):page.index('<section id="flow">')]
    assert "Before: march.csv. After: april.csv." in section
    # Private: 12 of 20 late (40) -> 2 of 20 (90); the other four elements are not measurable.
    assert ("1 of 5 elements changed beyond noise, 0 moved within noise and 4 are not measurable on one side or "
            "both.") in section
    assert "<td>Work Visibility</td><td>Private</td><td>40</td><td>90</td><td>+50.0</td>" in section
    # No longer flagged: T02..T06, titles from the earlier export, escaped.
    for task in ("T02", "T03", "T04", "T05", "T06"):
        assert f"<td>{task}</td>" in section
    assert "<td>T07</td>" not in section
    assert EVIL_TEXT in section and EVIL not in page
    assert NAMED in section
    assert section.count('<div class="figure">') == 1


def test_a_pseudonymised_report_hides_names_in_the_other_export_too(before, after):
    page = report_html(after, compare_to=before, frameworks=["visibility"], pseudonymise_text=True)
    section = page[page.index('<section id="change">'):page.index('<section id="flow">')]
    assert "<td>T05</td>" in section
    assert "Ann Smith" not in page and "Bob Jones" not in page


def test_the_json_carries_the_same_comparison(before, after):
    data = report_json(after, compare_to=before, frameworks=["visibility"])
    change = json.loads(json.dumps(data))["change"]
    assert (change["mode"], change["before"], change["after"], change["n_boot"], change["level"]) == (
        "two exports", "march.csv", "april.csv", 40, 0.9)
    private = next(e for e in change["elements"] if e["element"] == "Private")
    assert (private["before"], private["after"], private["difference"], private["status"]) == (
        40.0, 90.0, 50.0, "changed")
    assert private["low"] > 0
    team = next(e for e in change["elements"] if e["element"] == "Team Visible")
    assert team["status"] == "not measurable" and team["before"] is None and team["difference"] is None
    assert [m["task_id"] for m in change["movers"]] == ["T02", "T03", "T04", "T05", "T06"]
    assert "change" not in report_json(after, frameworks=["visibility"])


def test_split_at_in_the_report_and_its_errors(after, tmp_path):
    with pytest.raises(ChangeError, match="outside the export"):
        report_json(after, split_at="2030-01-01", frameworks=["visibility"])
    with pytest.raises(ChangeError, match="both compare_to= and split_at="):
        report_json(after, compare_to=after, split_at="2026-03-05", frameworks=["visibility"])
    path = report(after, path=tmp_path / "r.html", split_at="2026-03-05", frameworks=["visibility"])
    text = path.read_text(encoding="utf-8")
    assert "Before: the tasks created by 2026-03-05. After: the tasks open or active after 2026-03-05." in text


def test_compare_options_reach_the_bootstrap_and_a_typo_is_named(before, after):
    data = report_json(after, compare_to=before, frameworks=["visibility"],
                       compare_options={"n_boot": 15, "level": 0.8, "seed": 4})
    change = data["change"]
    assert (change["n_boot"], change["level"], change["seed"]) == (15, 0.8, 4)
    with pytest.raises(ChangeError, match=r"\['nboot'\]; expected some of \['n_boot'"):
        report_json(after, compare_to=before, frameworks=["visibility"], compare_options={"nboot": 15})

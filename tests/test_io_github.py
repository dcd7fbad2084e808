"""GitHub issues JSON (REST and gh CLI) through wf.read_export (auto detection)."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import workfw as wf
from workfw.errors import ExportReadError, OptionError, UnknownFormatError
from workfw.io import FORMATS

FIXTURES = Path(__file__).parent / "fixtures"
REST = FIXTURES / "github_rest_issues.json"
GH = FIXTURES / "github_gh_issues.json"
MINIMAL = FIXTURES / "github_gh_minimal.json"


def _utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def _task(export: wf.TaskExport, task_id: str) -> pd.Series:
    rows = export.tasks.loc[export.tasks["task_id"] == task_id]
    assert len(rows) == 1
    return rows.iloc[0]


def _write(tmp_path: Path, text: str, name: str = "issues.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def rest() -> wf.TaskExport:
    return wf.read_export(REST)


@pytest.fixture(scope="module")
def gh() -> wf.TaskExport:
    return wf.read_export(GH)


def test_rest_issues_and_pull_request_rejected(rest):
    assert rest.report.source == "github-json"
    assert rest.tasks["task_id"].tolist() == ["octocat/Hello-World#1347", "octocat/Hello-World#1348",
                                              "octocat/Hello-World#1349"]
    assert (rest.report.rows_read, rest.report.merged, rest.report.rejected) == (4, 0, 1)
    assert rest.report.rows_read == len(rest.tasks) + rest.report.merged + rest.report.rejected
    pr = rest.raw.loc[rest.raw["_outcome"] == "rejected"]
    assert pr[["_row", "number", "_reason"]].values.tolist() == [[4, "1350", "pull request, not an issue"]]
    assert pd.isna(pr["task_id"].iloc[0])


def test_rest_status_and_completion(rest):
    got = {t: (s, c, r) for t, s, c, r in rest.tasks[["task_id", "status", "status_category", "resolution"]]
           .itertuples(index=False)}
    assert got["octocat/Hello-World#1347"][:2] == ("In progress", "in_progress")
    assert got["octocat/Hello-World#1348"] == ("Closed", "done", "completed")
    assert got["octocat/Hello-World#1349"] == ("Closed (not planned)", "cancelled", "not_planned")
    done = _task(rest, "octocat/Hello-World#1348")
    assert (done["completed"], done["completed_basis"]) == (_utc("2011-04-25 09:00"), "exact")
    assert pd.isna(_task(rest, "octocat/Hello-World#1347")["completed"])
    assert rest.tasks["started"].isna().all()


def test_rest_people_labels_milestone(rest):
    first, bot, wontfix = (_task(rest, f"octocat/Hello-World#{n}") for n in (1347, 1348, 1349))
    assert first["assignees"] == ["octocat", "hubot"] and first["assignee"] == "octocat"
    assert bot["assignees"] == ["hubot"]  # older records carry only `assignee`
    assert wontfix["assignees"] == []
    assert bot["reporter"] == "dependabot[bot]"
    assert first["labels"] == ["bug", "In Progress"]
    assert (first["parent_id"], first["iteration"]) == ("milestone:v1.0", "v1.0")
    assert first["due"] == _utc("2012-10-09 23:39:01")
    assert pd.isna(bot["parent_id"]) and pd.isna(bot["due"])
    assert (first["comments"], wontfix["comments"]) == (3, 5)
    assert first["created"] == _utc("2011-04-22 13:33:48")
    assert wontfix["created"] == _utc("2011-04-26 08:00")  # written with +02:00
    assert first["updated"] == _utc("2011-04-23 09:10")
    assert first["url"] == "https://github.com/octocat/Hello-World/issues/1347"
    assert (first["project"], first["task_type"], first["title"]) == ("octocat/Hello-World", "Issue", "Found a bug")
    assert first["description"] == "I'm having a problem with this."
    fields = dict(zip(rest.report.field_map["column"], rest.report.field_map["field"]))
    assert "due (milestone due date)" in fields["milestone"]


def test_gh_cli_camel_case(gh):
    assert gh.tasks["task_id"].tolist() == ["acme/widgets#12", "acme/widgets#11", "acme/widgets#10", "acme/widgets#9"]
    assert gh.tasks["status"].tolist() == ["In progress", "Closed", "Closed (not planned)", "In progress"]
    assert gh.tasks["status_category"].tolist() == ["in_progress", "done", "cancelled", "in_progress"]
    doing, bot, dup, blocked = (_task(gh, f"acme/widgets#{n}") for n in (12, 11, 10, 9))
    assert doing["comments"] == 2  # gh lists the comments themselves
    assert (doing["reporter"], bot["reporter"]) == ("mona", "app/dependabot")
    assert blocked["assignees"] == ["ravi", "mona"]
    assert blocked["labels"] == ["status: blocked"]
    assert (doing["parent_id"], doing["due"]) == ("milestone:Sprint 3", _utc("2024-03-15"))
    assert (bot["completed"], bot["completed_basis"]) == (_utc("2024-03-05 16:30"), "exact")
    assert (dup["completed"], dup["resolution"]) == (_utc("2024-02-20 11:00"), "not_planned")
    assert gh.report.warnings == []
    assert gh.raw["_row"].tolist() == [1, 2, 3, 4]


def test_pretty_and_minified_read_the_same(tmp_path, rest, gh):
    minified = wf.read_export(_write(tmp_path, json.dumps(json.loads(REST.read_text()), separators=(",", ":"))))
    pretty = wf.read_export(_write(tmp_path, json.dumps(json.loads(GH.read_text()), indent=2), "pretty.json"))
    for again, first in ((minified, rest), (pretty, gh)):
        pd.testing.assert_frame_equal(again.tasks.drop(columns="source_file"), first.tasks.drop(columns="source_file"))


def test_file_without_dates_still_imports():
    export = wf.read_export(MINIMAL)
    assert export.tasks["task_id"].tolist() == ["acme/widgets#7", "acme/widgets#8"]
    assert export.tasks["title"].tolist() == ["Crash on start", "Add dark mode"]
    assert export.tasks["labels"].tolist() == [["bug"], []]
    assert export.tasks[["created", "updated", "completed"]].isna().all().all()
    # No state: unknown, neither open nor done (issue #11), not read as to do.
    assert export.tasks["status_category"].isna().all()
    warnings = export.report.warnings
    assert any(w.startswith("The file has no dates ['createdAt', 'updatedAt', 'closedAt']") for w in warnings)
    assert any(w.startswith("The file has no state") and "no issue counts as open or done" in w for w in warnings)
    assert any(w.startswith("The export has no status") for w in warnings)


def test_in_progress_labels_option():
    export = wf.read_export(GH, in_progress_labels=["bug"])
    assert export.tasks["status"].tolist() == ["In progress", "Closed", "Closed (not planned)", "Open"]
    assert _task(export, "acme/widgets#9")["status_category"] == "todo"
    with pytest.raises(OptionError, match="in_progress_labels='doing'"):
        wf.read_export(GH, in_progress_labels="doing")


def test_status_map_overrides_stated_state():
    export = wf.read_export(REST, status_map={"Closed (not planned)": "done"})
    assert _task(export, "octocat/Hello-World#1349")["status_category"] == "done"


def test_ids_without_repository(tmp_path):
    doc = [{"number": 5, "title": "No link", "state": "open"},
           {"number": 6, "title": "Also none", "state": "closed", "closed_at": "2024-01-02T03:04:05Z"}]
    export = wf.read_export(_write(tmp_path, json.dumps(doc)))
    assert export.tasks["task_id"].tolist() == ["#5", "#6"]
    assert export.tasks["status"].tolist() == ["Open", "Closed"]
    assert _task(export, "#6")["completed"] == _utc("2024-01-02 03:04:05")


def test_two_repositories_combine_without_prefixes(rest, gh):
    both = wf.read_export([REST, GH])
    assert len(both.tasks) == 7
    assert both.tasks["task_id"].is_unique
    assert "acme/widgets#12" in set(both.tasks["task_id"])
    assert not any("prefixed" in w for w in both.report.warnings)
    assert both.report.rows_read == len(both.tasks) + both.report.merged + both.report.rejected


def test_one_page_warning(tmp_path):
    doc = [{"number": n, "title": f"Issue {n}", "state": "OPEN", "createdAt": "2024-01-01T00:00:00Z",
            "url": f"https://github.com/acme/widgets/issues/{n}"} for n in range(1, 31)]
    export = wf.read_export(_write(tmp_path, json.dumps(doc)))
    assert len(export.tasks) == 30
    assert any(w.startswith("The file holds exactly 30 records") for w in export.report.warnings)


def test_broken_json_names_file_and_line(tmp_path):
    text = GH.read_text(encoding="utf-8")
    path = _write(tmp_path, text[:500], "cut.json")
    with pytest.raises(ExportReadError, match=r"cut\.json, line 1, column \d+: found broken JSON") as info:
        wf.read_export(path)
    assert isinstance(info.value, wf.WorkfwError)


@pytest.mark.parametrize("text", ["[1, 2, 3]", "[]", '{"foo": 1}', '[{"title": "no number, no url"}]'])
def test_json_that_is_not_an_export(tmp_path, text):
    with pytest.raises(UnknownFormatError, match="odd.json"):
        wf.read_export(_write(tmp_path, text, "odd.json"))


def test_sniff_is_specific():
    sniff = FORMATS["github-json"].sniff
    assert sniff(json.loads(REST.read_text()))
    assert sniff(json.loads(MINIMAL.read_text()))
    assert not sniff({"issues": [{"key": "ABC-1", "fields": {"summary": "x"}}], "total": 1})
    assert not sniff([{"key": "ABC-1", "fields": {"summary": "x", "status": {"name": "Done"}}}])
    assert not sniff([{"title": "t", "url": "https://gitlab.com/a/b/-/issues/1"}])


BLOCKERS = FIXTURES / "github_blockers.json"
SEARCH = FIXTURES / "github_search_items.json"
# Not .json: test_io_properties seeds from every *.json fixture with json.loads, which reads one page only.
PAGINATED = FIXTURES / "github_paginated.jsonl"


def test_body_blockers_become_blocked_by_ids():
    export = wf.read_export(BLOCKERS)
    got = dict(zip(export.tasks["task_id"], export.tasks["blocked_by"]))
    assert got == {
        # "#2" is in the issue's own repository; "#99" is not in the file.
        "acme/widgets#1": ["acme/widgets#2", "acme/widgets#3"],
        # owner/repo is matched without case and written as the file spells it.
        "acme/widgets#2": ["acme/widgets#4"],
        "acme/widgets#3": ["acme/widgets#5"],  # "Depends on <issue URL>"
        "acme/widgets#4": [],  # "Unblocked by" and a bare "see #2" are no blockers
        "acme/widgets#5": ["other/repo#1"],  # not itself; another repository's issue keeps its full id
    }
    notes = [w for w in export.report.warnings if "blockers" in w]
    assert len(notes) == 2
    assert notes[0].startswith("Issue bodies name 1 blockers in other repositories (e.g. acme/widgets#5 is "
                               "blocked by other/repo#1)")
    assert notes[1].startswith("Issue bodies name 1 blockers of their own repository that are not issues of this "
                               "file (e.g. acme/widgets#1 names acme/widgets#99")


def test_blockers_across_repositories_match_when_files_are_combined(tmp_path):
    doc = json.loads(SEARCH.read_text())["items"][:1]
    doc[0]["body"] = "Depends on acme/widgets#2"
    combined = wf.read_export([_write(tmp_path, json.dumps(doc), "hello.json"), BLOCKERS])
    assert _task(combined, "octocat/Hello-World#1")["blocked_by"] == ["acme/widgets#2"]
    assert "acme/widgets#2" in set(combined.tasks["task_id"])


def test_blocker_that_is_a_pull_request_is_no_task(tmp_path):
    doc = json.loads(SEARCH.read_text())["items"]
    doc[0]["body"] = "Blocked by #3 and #2"  # #3 is a pull request (a rejected row)
    export = wf.read_export(_write(tmp_path, json.dumps(doc)))
    assert _task(export, "octocat/Hello-World#1")["blocked_by"] == ["octocat/Hello-World#2"]
    assert any(w.startswith("Issue bodies name 1 blockers of their own repository") and "#3" in w
               for w in export.report.warnings)


def test_search_api_items_wrapper():
    export = wf.read_export(SEARCH)
    assert export.report.source == "github-json"
    assert export.tasks["task_id"].tolist() == ["octocat/Hello-World#1", "octocat/Hello-World#2"]
    assert (export.report.rows_read, export.report.rejected) == (3, 1)
    assert export.raw["_row"].tolist() == [1, 2, 3]
    assert "total_count" not in export.raw.columns  # the wrapper is no record
    assert _task(export, "octocat/Hello-World#2")["status_category"] == "done"


def test_slurped_pages_read_as_one_list(tmp_path):
    from workfw.io._common import parse_json_text
    pages = parse_json_text(PAGINATED.read_text())
    assert [p["number"] for p in pages] == [1, 2, 3, 4]
    slurped = [pages[:2], pages[2:3], pages[3:]]  # gh api --paginate --slurp
    export = wf.read_export(_write(tmp_path, json.dumps(slurped)))
    assert export.tasks["task_id"].tolist() == [f"octocat/Hello-World#{n}" for n in (1, 2, 3, 4)]
    assert export.raw["_row"].tolist() == [1, 2, 3, 4]
    search_pages = [{"total_count": 4, "items": pages[:2]}, {"total_count": 4, "items": pages[2:]}]
    assert wf.read_export(_write(tmp_path, json.dumps(search_pages), "s.json")).tasks["task_id"].tolist() == \
        export.tasks["task_id"].tolist()


def test_concatenated_pages_parse_as_one_array():
    from workfw.io._common import parse_json_text
    assert parse_json_text("[1, 2][3]\n[4]\n") == [1, 2, 3, 4]
    assert parse_json_text('\ufeff {"items": [1]}\n{"items": [2]}') == [{"items": [1]}, {"items": [2]}]
    assert parse_json_text('{"a": 1}\n') == {"a": 1}
    with pytest.raises(json.JSONDecodeError) as info:
        parse_json_text('[1]\n[2, oops]')
    assert (info.value.lineno, info.value.colno) == (2, 5)  # positions in the whole text


def test_gh_api_paginate_file_reads_end_to_end():
    export = wf.read_export(PAGINATED)
    assert export.tasks["task_id"].tolist() == [f"octocat/Hello-World#{n}" for n in (1, 2, 3, 4)]


def test_forced_source_on_json_without_issues(tmp_path):
    with pytest.raises(ExportReadError, match=r"odd\.json, the top level of the JSON: found a JSON dict without issues"):
        wf.read_export(_write(tmp_path, '{"issues": 3}', "odd.json"), source="github-json")

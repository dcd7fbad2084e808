"""The offline report and the JSON diagnosis, on a seven-task export whose flow numbers are worked out below."""
from __future__ import annotations

import json
from pathlib import Path
import re

import pandas as pd
import plotly.offline
import pytest
from markupsafe import escape

import workfw as wf

from workfw import c4_flywheel, coordination_stack, value_pyramid, visibility
from workfw.core.diagnosis import Diagnosis
from workfw.errors import OptionError
from workfw.export import ImportReport, TaskExport
from workfw.privacy import pseudonym_map
from workfw.reporting import (FRAMEWORKS, ReportPartMissingError, diagnose_all, report, report_html, report_json,
                              require_part)
from workfw.reporting.html import sanitise_text
from workfw.schema import conform_events, conform_tasks

EVIL = "<img src=x onerror=alert(1)>"
EVIL_TEXT = "&lt;img src=x onerror=alert(1)&gt;"
FILE = "team <b>board</b>.csv"
WARNING = "Column 'Due': value '<script>alert(2)</script>' is not a date and was left empty."
REAL_NAMES = ("Ann Smith", "Bob Jones", "Cara Diaz")
MODULES = {"c4_flywheel": c4_flywheel, "coordination_stack": coordination_stack,
           "value_pyramid": value_pyramid, "visibility": visibility}
PLOTLY_JS = plotly.offline.get_plotlyjs()


def _t(text):
    return pd.Timestamp(text, tz="UTC") if text else pd.NaT


def build_export() -> TaskExport:
    """Four done tasks with cycle times 2, 4, 6 and 8 days; T5 (the hostile title) and E1 in progress.

    The latest timestamp is E1's update on 2024-03-16, so that is ``as_of``.
    """
    rows = [  # id, type, title, status, category, assignee, parent, created, started, completed, updated
        ("E1", "Epic", "Billing", "In Progress", "in_progress", "Ann Smith", None,
         "2024-02-20", "2024-03-01", None, "2024-03-16"),
        ("T1", "Task", "Invoice page", "Done", "done", "Ann Smith", "E1",
         "2024-03-01", "2024-03-02", "2024-03-04", None),
        ("T2", "Task", "Tax rules", "Done", "done", "Bob Jones", "E1", "2024-03-01", "2024-03-03", "2024-03-07", None),
        ("T3", "Task", "Refunds", "Done", "done", "Ann Smith", None, "2024-03-02", "2024-03-04", "2024-03-10", None),
        ("T4", "Task", "Receipts", "Done", "done", "Cara Diaz", None, "2024-03-05", "2024-03-06", "2024-03-14", None),
        ("T5", "Task", EVIL, "In Progress", "in_progress", "Bob Jones", "E1", "2024-03-10", "2024-03-12", None,
         "2024-03-15"),
        ("T6", "Task", "Dunning emails", "To Do", "todo", None, None, "2024-03-12", None, None, "2024-03-12"),
    ]
    frame = pd.DataFrame(rows, columns=["task_id", "task_type", "title", "status", "status_category", "assignee",
                                        "parent_id", "created", "started", "completed", "updated"])
    for col in ("created", "started", "completed", "updated"):
        frame[col] = frame[col].map(_t)
    frame["updated"] = frame["updated"].fillna(frame["completed"])
    frame["assignees"] = frame["assignee"].map(lambda n: [n] if isinstance(n, str) else [])
    frame["reporter"] = "Ann Smith"
    frame["team"] = "billing"
    tasks = conform_tasks(frame)
    raw = pd.DataFrame({"ID": tasks["task_id"], "Owner": tasks["assignee"], "_row": range(2, 9)})
    events = conform_events(pd.DataFrame(columns=["task_id", "at", "field", "old", "new", "author"]))
    rep = ImportReport(source="generic-csv", file=FILE, rows_read=7, warnings=[WARNING])
    return TaskExport(tasks=tasks, events=events, raw=raw, report=rep)


@pytest.fixture(scope="module")
def export() -> TaskExport:
    return build_export()


@pytest.fixture(scope="module")
def written(export, tmp_path_factory):
    calls = []
    path = report(export, path=tmp_path_factory.mktemp("rep") / "sub" / "report.html",
                  progress=lambda step, done, total: calls.append((step, done, total)))
    return path, path.read_text(encoding="utf-8"), calls


@pytest.fixture(scope="module")
def pseudonymised(export):
    return report_html(export, pseudonymise=True)


def _outside_plotly(text: str) -> str:
    """The page without its plotly.js copy, with the JSON escapes of figure data decoded."""
    rest = text.replace(PLOTLY_JS, "")
    for code, char in (("\\u003c", "<"), ("\\u003e", ">"), ("\\u0026", "&"), ("\\u002f", "/")):
        rest = rest.replace(code, char)
    return rest


def test_report_is_one_self_contained_file(written):
    path, text, _ = written
    assert path.name == "report.html" and path.parent.name == "sub"
    assert text.count(PLOTLY_JS) == 1
    assert text.count(PLOTLY_JS[:300]) == 1
    assert len(re.findall(r"<script\b", text)) == 1 + text.count('class="plotly-graph-div"')
    rest = _outside_plotly(text)
    assert "http://" not in rest and "https://" not in rest and "cdn." not in rest
    assert not re.search(r"<(?:link|img|iframe)\b", rest, flags=re.I)
    assert not re.search(r"""<[a-z][^<>]*\b(?:src|href)\s*=\s*(?!["']?#)""", rest, flags=re.I)
    assert text.count('class="plotly-graph-div"') == 4 + 5  # one figure per framework, five flow charts


def test_report_shows_every_framework_and_its_elements(written):
    text = written[1]
    for name, module in MODULES.items():
        assert f'<section id="{name}"><h2>{FRAMEWORKS[name]}</h2>' in text
        for element in module.ELEMENTS:
            assert f"<td>{element}</td>" in text
    for heading in ("Findings (", "What this export could not show", "Caveats", "Cycle time of finished work",
                    "Throughput", "Cumulative flow", "Forecast"):
        assert heading in text


def test_findings_list_their_task_ids_and_coverage_its_reasons(written, export):
    text = written[1]
    diagnoses = diagnose_all(export)
    checked = 0
    for diag in diagnoses.values():
        for ids in diag.findings["task_ids"]:
            if ids:
                assert f'<span class="ids">{", ".join(ids[:25])}</span>' in text
                checked += 1
        for reason in diag.coverage.loc[~diag.coverage["measurable"].astype(bool), "reason"]:
            assert str(escape(reason)) in text
    assert checked >= 4


def test_hostile_title_file_name_and_warning_stay_text(written):
    text = written[1]
    assert f"<td>T5</td><td>{EVIL_TEXT}</td>" in text
    rest = _outside_plotly(text)
    assert EVIL not in rest
    assert "<b>board</b>" not in rest and "team &lt;b&gt;board&lt;/b&gt;.csv" in text
    assert "<script>alert(2)" not in rest and "&lt;script&gt;alert(2)&lt;/script&gt;" in text
    # The aging chart's hover names the task, escaped, not as markup.
    assert f'"hovertext":["T5: {EVIL_TEXT}' in rest or f'T5: {EVIL_TEXT}' in rest


def test_header_states_rows_tasks_dates_and_as_of(written):
    text = written[1]
    for label, value in (("Rows read", "7"), ("Tasks", "7"), ("Dates", "2024-02-20 to 2024-03-16"),
                         ("As of", "2024-03-16"), ("Names", "as in the export")):
        assert f"<td>{label}</td><td>{value}</td>" in text
    assert "Import warnings (1)" in text


def test_progress_reports_each_step_in_order(written):
    assert written[2] == [("diagnosing C4 Flywheel", 0, 7), ("diagnosing Coordination Stack", 1, 7),
                          ("diagnosing Work Value Pyramid", 2, 7), ("diagnosing Work Visibility", 3, 7),
                          ("flow metrics", 4, 7), ("flow charts", 5, 7), ("writing", 6, 7), ("done", 7, 7)]


def test_pseudonymised_report_hides_every_real_name(pseudonymised, export):
    for name in REAL_NAMES:
        assert name not in pseudonymised
    # Numbered in the workspace salt's hash order, not alphabetically (see tests/test_privacy.py).
    bob = pseudonym_map(export)["Bob Jones"]
    assert f"<td>T5</td><td>{EVIL_TEXT}</td><td>In Progress</td><td>{bob}</td>" in pseudonymised
    assert "<td>Names</td><td>pseudonymised" in pseudonymised
    assert export.tasks.loc[export.tasks["task_id"] == "T5", "assignee"].item() == "Bob Jones"


def test_json_holds_four_diagnoses_and_flow_numbers(export):
    data = json.loads(json.dumps(report_json(export), allow_nan=False))
    assert list(data["diagnoses"]) == list(FRAMEWORKS)
    for name, module in MODULES.items():
        assert data["diagnoses"][name]["elements"] == list(module.ELEMENTS)
        assert data["diagnoses"][name]["as_of"] == "2024-03-16T00:00:00+00:00"
    assert data["as_of"] == "2024-03-16T00:00:00+00:00"
    assert data["export"] | {"warnings": None} == {
        "source": "generic-csv", "file": FILE, "rows_read": 7, "tasks": 7, "events": 0, "merged": 0, "rejected": 0,
        "first": "2024-02-20T00:00:00+00:00", "last": "2024-03-16T00:00:00+00:00", "unmapped_columns": [],
        "warnings": None}
    flow = data["flow"]
    # Cycle times 2, 4, 6, 8 days; numpy's linear percentiles: p50 5.0, p70 6.2, p85 7.1, p95 7.7.
    assert [(p["level"], round(p["days"], 6), p["n"]) for p in flow["cycle_time_percentiles"]] == [
        (50, 5.0, 4), (70, 6.2, 4), (85, 7.1, 4), (95, 7.7, 4)]
    # The epic E1 is a container, not work in progress (flow.aging_wip leaves such types out).
    assert flow["finished_tasks"] == 4 and flow["in_progress"] == 1
    # T5 started on 2024-03-12: 4 days before as_of, below the p50 of 5 days.
    assert [(r["task_id"], r["age_days"], r["percentile_band"]) for r in flow["oldest_in_progress"]] == [
        ("T5", 4.0, "< p50")]
    assert flow["oldest_in_progress"][0]["title"] == EVIL
    # Weeks start on Monday: 4, 7 and 10 March fall in the week of the 4th, 14 March in the next.
    assert [(w["period"][:10], w["count"]) for w in flow["throughput_per_week"]] == [
        ("2024-03-04", 3), ("2024-03-11", 1)]
    assert flow["forecast"]["until"] == "2024-04-13T00:00:00+00:00"
    assert data["pseudonymised"] is False and data["assessment"] == {}


def test_json_pseudonymised_carries_no_real_name(export):
    text = json.dumps(report_json(export, pseudonymise=True, frameworks=["coordination_stack"]))
    assert not any(name in text for name in REAL_NAMES)
    assert json.loads(text)["pseudonymised"] is True


def test_diagnose_all_routes_shared_and_own_options(export):
    out = diagnose_all(export, stale_days=10, coordination_stack={"fresh_days": 7},
                       frameworks=("coordination_stack", "visibility"))
    assert list(out) == ["coordination_stack", "visibility"]
    assert all(isinstance(d, Diagnosis) for d in out.values())
    assert out["coordination_stack"].options["fresh_days"] == 7
    assert out["coordination_stack"].options["stale_days"] == 10 and out["visibility"].options["stale_days"] == 10
    with pytest.raises(OptionError, match=r"unknown options \['fresh_day'\]"):
        diagnose_all(export, fresh_day=7)
    with pytest.raises(OptionError, match="frameworks=\\['kanban'\\]"):
        report_json(export, frameworks=["kanban"])


def test_assessment_adds_perception_gaps(export):
    from workfw.assessment import load_bank, perceived_scores

    bank = load_bank("coordination_stack")
    perceived = perceived_scores(bank, {sid: 4 for sid in bank["id"]})  # 4 of 5 -> 75 for every element
    data = report_json(export, assessment={"coordination_stack": perceived}, frameworks=["coordination_stack"])
    measured = diagnose_all(export, frameworks=["coordination_stack"])["coordination_stack"].scores()
    gaps = {row["element"]: row for row in data["assessment"]["coordination_stack"]["gap"]}
    assert set(gaps) == set(coordination_stack.ELEMENTS)
    for element, row in gaps.items():
        assert row["perceived"] == 75.0
        expected = None if measured[element] is None else round(75.0 - measured[element], 1)
        assert row["gap"] == (pytest.approx(expected) if expected is not None else None)
    page = report_html(export, assessment={"coordination_stack": perceived}, frameworks=["coordination_stack"])
    assert '<section id="assessment"><h2>Self-assessment and perception gaps</h2>' in page
    assert page.count('class="plotly-graph-div"') == 1 + 5 + 1


def test_a_missing_part_is_a_clear_workfw_error():
    with pytest.raises(ReportPartMissingError, match=r"needs workfw\.no_such_part; found no such module"):
        require_part("no_such_part", "imaginary chart")
    with pytest.raises(ReportPartMissingError, match=r"needs workfw\.flow\.no_such_metric"):
        require_part("flow", "flow metrics", "cycle_times", "no_such_metric")


def test_sanitise_keeps_plotly_markup_and_turns_other_tags_into_text():
    assert sanitise_text("A-2: <b>bold</b><br>x <img src=x onerror=alert(1)> <extra></extra>") == (
        "A-2: <b>bold</b><br>x &lt;img src=x onerror=alert(1)> <extra></extra>")
    assert sanitise_text('<span style="color:red">a</span><script>') == '<span style="color:red">a</span>&lt;script>'
    assert sanitise_text("&lt;already escaped&gt;") == "&lt;already escaped&gt;"


def test_group_answers_give_the_group_table_and_gaps(export):
    from workfw.assessment import Response, load_bank, responses_frame

    bank = load_bank("coordination_stack")
    responses = responses_frame([
        Response(participant="Ann Smith", framework="coordination_stack", answers={s: 5 for s in bank["id"]}),
        Response(participant="Bob Jones", framework="coordination_stack", answers={s: 3 for s in bank["id"]}),
    ])
    data = report_json(export, assessment=responses, frameworks=["coordination_stack", "visibility"])
    assert list(data["assessment"]) == ["coordination_stack"]  # nobody answered the Visibility statements
    per_element = bank.groupby("element").size()
    for row in data["assessment"]["coordination_stack"]["gap"]:
        # Answers 5 and 3: mean 4 (75 on 0-100), spread 1, both within one point of the median 4.
        assert (row["perceived"], row["mean"], row["spread"], row["agreement"]) == (75.0, 4.0, 1.0, 1.0)
        assert row["count"] == 2 * per_element[row["element"]] and row["dont_know"] == 0
    page = report_html(export, assessment=responses, frameworks=["coordination_stack"], pseudonymise=True)
    assert "<td>Why</td><td>2</td>" in page and "<th>Agreement</th>" in page
    assert "Ann Smith" not in page and "Bob Jones" not in page


def test_sample_organisation_report_json():
    from workfw.samples import load_sample

    sample = load_sample()
    data = report_json(sample, frameworks=["coordination_stack"], pseudonymise=True)
    assert data["export"]["tasks"] == len(sample.tasks) and data["export"]["file"] == sample.report.file
    assert data["as_of"][:10] == "2026-10-30"
    assert data["flow"]["finished_tasks"] == int((sample.tasks["status_category"] == "done").sum())
    names = set(sample.tasks["assignee"].dropna()) | set(sample.tasks["reporter"].dropna())
    text = json.dumps(data)
    assert len(names) > 10 and not [n for n in names if n in text]


def test_group_answers_spread_is_drawn_without_participant_names(export):
    from workfw.assessment import Response, load_bank, responses_frame

    ids = load_bank("value_pyramid")["id"]
    responses = responses_frame([
        Response(participant=EVIL, framework="value_pyramid", answers={s: 2 for s in ids}),
        Response(participant="Cara Diaz", framework="value_pyramid", answers={s: 4 for s in ids}),
    ])
    page = report_html(export, assessment=responses, frameworks=["value_pyramid"])
    assert "how our answers spread" in page and "Participant 02" in page
    assert "Cara Diaz" not in page.split('id="assessment"')[1] and "<img src=x" not in page
    assert report_json(export, assessment=responses, frameworks=["value_pyramid"])[
        "assessment"]["value_pyramid"]["participants"] == 2


@pytest.mark.parametrize("fixture", ["jira_default_columns.csv", "jira_status_assignee.csv"])
def test_report_on_a_sparse_export_says_flow_is_not_measurable(tmp_path, fixture):
    """A saved filter's default columns (no dates) still gets its report; flow is named not measurable."""
    export = wf.read_export(Path(__file__).parent / "fixtures" / fixture)
    page = Path(wf.report(export, path=tmp_path / "sparse.html")).read_text(encoding="utf-8")
    assert "Not measurable: the export has no created, updated, started or completed dates" in page
    data = wf.report_json(export)
    assert "no created, updated, started or completed dates" in data["flow"]["not_measurable"]


def test_report_flow_follows_the_team_of_the_scores():
    sample = wf.load_sample()
    growth = wf.report_json(sample, team="Growth")["flow"]
    whole = wf.report_json(sample)["flow"]
    assert growth["selection"] == {"team": "Growth"} and whole["selection"] == {}
    expected = len(wf.flow.cycle_times(wf.charts.subset(sample, team="Growth")))
    assert growth["finished_tasks"] == expected < whole["finished_tasks"]


def test_report_reads_like_the_notebooks(tmp_path):
    """The handout shows the readable signal table and the Pyramid's cumulative counts, as the diagrams do."""
    page = report_html(wf.load_sample("trello"))
    assert "<th>Scored as</th>" in page and "<th>Not measurable because</th>" in page
    assert "<th>Tasks at this level or above</th>" in page
    # Trello has no parent links: Progress has no score, and the overview says why.
    assert "<th>Why no score</th>" in page and "too little of this element is measurable" in page
    assert not re.search(r"<td>\d+\.\d{4,}</td>", page)


def test_the_page_is_built_by_autoescaping_strict_templates():
    import jinja2

    from workfw.reporting.html import environment

    env = environment()
    assert env.autoescape is True and env.undefined is jinja2.StrictUndefined
    assert env.from_string("<p>{{ title }}</p>").render(title=EVIL) == f"<p>{EVIL_TEXT}</p>"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()
    assert {"page.html.j2", "framework.html.j2", "flow.html.j2"} <= set(env.list_templates())

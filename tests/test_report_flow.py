"""The report's flow section: stages, service level, net flow, time in stage, efficiency, forecast trust, sprints.

A steady export whose answers are worked out by hand: from Monday 2024-01-01 (day 0) one task is finished
every day at 09:00 up to day 279 (Sunday 2024-10-06, the reference time).  Task ``i`` is created on day
``i - 6``, moves To Do -> In Progress on day ``i - 5``, In Progress -> a waiting status with a hostile name on
day ``i - 3`` and -> Done on day ``i``: one day before commitment, two active, three waiting, a cycle time of
five days and a flow efficiency of 2 / 5 = 40%.  Two tasks are open: O1 in progress since day 259 (20 days
old) and O2 committed on day 275 (4 days old), sitting in the waiting status.  Sprints are fortnights of done
work (Sprint 01 to 20); both open tasks are in Sprint 20.  Even tasks and O1 are team ``billing``, the others
``ops``: both teams name their sprints alike, so the sprints are read per team.
"""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from test_report import EVIL, _outside_plotly, build_export
from workfw.export import ImportReport, TaskExport
from workfw.reporting import report_html, report_json
from workfw.schema import conform_events, conform_tasks

HOSTILE = "<script>alert(1)</script> Ready for QA"
HOSTILE_TEXT = "&lt;script&gt;alert(1)&lt;/script&gt; Ready for QA"
NAMES = ("Ann Smith", "Bob Jones", "Cara Diaz")
DAY0 = pd.Timestamp("2024-01-01 09:00", tz="UTC")


def _day(n: int) -> pd.Timestamp:
    return DAY0 + pd.Timedelta(days=n)


def steady_export(teams: tuple[str, str] = ("billing", "ops")) -> TaskExport:
    """The steady export; ``teams`` names the team of the even tasks and O1, then of the others."""
    rows, events = [], []
    for i in range(280):
        task = f"T{i:03d}"
        rows.append({"task_id": task, "task_type": "Task", "title": f"Task {i}", "status": "Done",
                     "status_category": "done", "assignee": NAMES[i % 2], "team": teams[i % 2],
                     "created": _day(i - 6), "started": _day(i - 5), "completed": _day(i), "updated": _day(i),
                     "iteration": f"Sprint {i // 14 + 1:02d}"})
        events += [(task, _day(i - 5), "To Do", "In Progress"), (task, _day(i - 3), "In Progress", HOSTILE),
                   (task, _day(i), HOSTILE, "Done")]
    rows.append({"task_id": "O1", "task_type": "Task", "title": "Open one", "status": "In Progress",
                 "status_category": "in_progress", "assignee": "Ann Smith", "team": teams[0], "created": _day(258),
                 "started": _day(259), "completed": pd.NaT, "updated": _day(259), "iteration": "Sprint 20"})
    rows.append({"task_id": "O2", "task_type": "Task", "title": "Open two", "status": HOSTILE,
                 "status_category": "in_progress", "assignee": "Bob Jones", "team": teams[1], "created": _day(274),
                 "started": _day(275), "completed": pd.NaT, "updated": _day(277), "iteration": "Sprint 20"})
    events += [("O1", _day(259), "To Do", "In Progress"), ("O2", _day(275), "To Do", "In Progress"),
               ("O2", _day(277), "In Progress", HOSTILE)]
    frame = pd.DataFrame(rows)
    frame["assignees"] = frame["assignee"].map(lambda n: [n])
    frame["reporter"] = "Cara Diaz"
    history = pd.DataFrame(events, columns=["task_id", "at", "old", "new"]).assign(field="status", author="Cara Diaz")
    rep = ImportReport(source="generic-csv", file="steady.csv", rows_read=len(frame))
    raw = pd.DataFrame({"ID": frame["task_id"], "Owner": frame["assignee"], "_row": range(2, len(frame) + 2)})
    return TaskExport(tasks=conform_tasks(frame), events=conform_events(history), raw=raw, report=rep)


@pytest.fixture(scope="module")
def steady() -> TaskExport:
    return steady_export()


@pytest.fixture(scope="module")
def flow(steady) -> dict:
    data = report_json(steady, frameworks=["coordination_stack"])
    assert data["as_of"] == "2024-10-06T09:00:00+00:00"
    return json.loads(json.dumps(data, allow_nan=False))["flow"]


@pytest.fixture(scope="module")
def page(steady) -> str:
    return report_html(steady, frameworks=["coordination_stack"])


def _section(page: str) -> str:
    return page[page.index('<section id="flow">'):page.index("</section>", page.index('<section id="flow">'))]


def test_stage_definition_is_stated_as_the_basis(flow, page):
    stages = flow["stages"]
    assert stages["commitment"] == "In Progress" and stages["source"] == "learnt from the whole export"
    assert {(s["status"], s["stage"]) for s in stages["statuses"]} == {
        ("To Do", "before commitment"), ("In Progress", "active"), (HOSTILE, "waiting"), ("Done", "done")}
    assert "Work counts as committed from the moment it enters “In Progress”" in stages["sentence"]
    section = _section(page)
    assert "<td>active</td><td>In Progress</td>" in section
    assert f"<td>waiting</td><td>{HOSTILE_TEXT}</td>" in section
    assert "<td>cancelled</td><td>(none)</td>" in section


def test_service_level_and_work_already_past_it(flow):
    sle = flow["service_level"]
    # 84 tasks finished on days 196-279, each five days from In Progress to Done; O1 is 20 days old, O2 four.
    assert (sle["samples"], sle["open_items"]) == (84, 2)
    assert [(r["level"], r["days"], r["past"]) for r in sle["levels"]] == [
        (50, 5.0, 1), (70, 5.0, 1), (85, 5.0, 1), (95, 5.0, 1)]
    assert sle["sentence"] == (
        "85% of the 84 tasks finished from 2024-07-15 to 2024-10-06 took 5.0 days or less from commitment to done "
        "(half took 5.0 days or less): plan with “85% within 5.0 days”. 1 of the 2 tasks in progress (50%) is "
        "already older than that: look at those first.")


def test_time_in_stage_and_flow_efficiency(flow, page):
    tis = flow["time_in_stage"]
    assert tis["tasks"] == 84 and tis["left_out"] == 0
    assert {(p["stage"], p["level"]): p["days"] for p in tis["percentiles"]} == {
        ("before commitment", 50): 1.0, ("before commitment", 85): 1.0, ("active", 50): 2.0, ("active", 85): 2.0,
        ("waiting", 50): 3.0, ("waiting", 85): 3.0}
    assert tis["sentence"] == (
        "The 84 tasks finished in the last 12 weeks (2024-07-15 to 2024-10-06) spent a median of 2.0 days active "
        "and 3.0 days waiting after commitment (1.0 days before it); 85% of them waited 3.0 days or less.")
    eff = flow["flow_efficiency"]
    assert (eff["tasks"], round(eff["median"], 9), round(eff["pooled"], 9)) == (84, 0.4, 0.4)
    # Twelve whole weeks from Monday 2024-07-15, seven tasks finished in each, all at 40%.
    assert [(w["period"][:10], w["tasks"], round(w["flow_efficiency"], 9)) for w in eff["per_week"]][:2] == [
        ("2024-07-15", 7, 0.4), ("2024-07-22", 7, 0.4)]
    assert len(eff["per_week"]) == 12
    assert eff["sentence"].startswith("Of the time the 84 tasks finished in the last 12 weeks (2024-07-15 to "
                                      "2024-10-06) spent between commitment and done, 40% was active work and 60% "
                                      "waiting; the median task was worked on 40% of its time.")
    assert "<h3>Time in each stage</h3>\n<p>The 84 tasks finished" in page


def test_net_flow_per_week(flow):
    net = flow["net_flow"]
    # Arrivals: tasks 201-279 (committed on days 196-274), O1 (day 259) and O2 (day 275); departures: days 196-279.
    assert (net["arrivals"], net["departures"], net["cancelled"], net["net_flow"]) == (81, 84, 0, -3)
    assert len(net["per_week"]) == 12 and net["per_week"][-1]["period"][:10] == "2024-09-30"
    assert net["sentence"] == ("In the 12 weeks from 2024-07-15, 81 tasks crossed the commitment point and 84 left "
                               "it, done or cancelled (0 cancelled): work in progress shrank by 3.")


def test_forecast_states_its_window_and_the_backtest_its_hit_rate(flow, page):
    forecast = flow["forecast"]
    # One task a day: every run finishes 28 tasks in the 28 days to 2024-11-03.
    assert forecast["reason"] is None and forecast["until"] == "2024-11-03T00:00:00+00:00"
    assert (forecast["samples"], forecast["completed"]) == (84, 84)
    assert [r["items"] for r in forecast["items"]] == [28, 28, 28, 28]
    assert forecast["sentence"] == (
        "In 85% of 10,000 simulated runs at least 28 tasks are finished by 2024-11-03, if the pace of the last 12 "
        "weeks holds. The runs sample the daily throughput of 2024-07-15 to 2024-10-06: 84 days in which 84 tasks "
        "were finished.")
    backtest = forecast["backtest"]
    # Origins every four weeks from 2024-09-08 back to 2024-04-21: six, each right about a steady team (28 tasks
    # in the four weeks after it; the 28 tasks finished in the four weeks before it done 28 days later).
    assert [(r["forecast"], r["origins"], r["scored"], r["hits"], r["hit_rate"]) for r in backtest["hit_rate"]] == [
        ("how many", 6, 6, 6, 1.0), ("when", 6, 6, 6, 1.0)]
    assert backtest["settings"] == {"level": 85, "history_weeks": 12, "horizon_weeks": 4, "every_weeks": 4,
                                    "over_weeks": 26, "runs": 1000, "seed": 0}
    assert "came true 6 of 6 times (100%) for “how many” and 6 of 6 times (100%) for “when”" in \
        backtest["sentence"]
    assert backtest["sentence"].endswith("trust it as stated.")
    section = _section(page)
    assert "<h4>How far to trust it</h4>\n<p>How far to trust it:" in section
    assert "<td>how many</td><td>6</td><td>6</td><td>6</td><td>100%</td>" in section


def test_sprints_when_the_export_has_them(flow, page):
    """Two teams each with Sprint 01 to 20: one row per team and sprint, each team's last six in the table."""
    sprints = flow["sprints"]
    assert sprints["sentence"].startswith(
        "Sprints are counted per team, as teams name their sprints alike. Over up to the last 6 sprints of each of "
        "the 2 teams (12 sprints) a median of 7 items were done per sprint, and a median of 100% of a sprint's "
        "committed scope was completed. Points: no task in the export has an estimate")
    assert (sprints["by"], sprints["groups"], sprints["left_out"]) == ("team", 2, 0)
    assert sprints["points_not_measurable"].startswith("no task in the export has an estimate")
    # Sprint 20 of each team: seven done tasks and one open one (O1 in billing, O2 in ops).
    rows = [(r["team"], r["iteration"], r["committed"], r["done"], r["completed_share"])
            for r in sprints["completion"] if r["iteration"] == "Sprint 20"]
    assert rows == [("billing", "Sprint 20", 8, 7, 0.875), ("ops", "Sprint 20", 8, 7, 0.875)]
    assert [r["team"] for r in sprints["completion"]] == ["billing"] * 20 + ["ops"] * 20
    assert [v["points_done"] for v in sprints["velocity"]] == [None] * 40  # not measurable, never 0
    assert sprints["velocity"][0] == {"team": "billing", "iteration": "Sprint 01", "items_done": 7,
                                      "points_done": None}
    section = _section(page)
    assert "<th>Team</th><th>Sprint</th>" in section
    for team in ("billing", "ops"):
        assert f"<td>{team}</td><td>Sprint 20</td><td>8</td><td>7</td><td>88%</td><td></td>" in section
        assert f"<td>{team}</td><td>Sprint 15</td>" in section and f"<td>{team}</td><td>Sprint 14</td>" not in section


def test_one_team_sprints_are_read_as_before():
    """The same export with one team: the table and JSON it always had (no team column, no grouping keys)."""
    one = steady_export(teams=("billing", "billing"))
    sprints = json.loads(json.dumps(report_json(one, frameworks=["coordination_stack"]), allow_nan=False))[
        "flow"]["sprints"]
    assert sprints["sentence"].startswith(
        "Over the last 6 sprints (Sprint 15 to Sprint 20) a median of 14 items were done per sprint, and a median "
        "of 100% of a sprint's committed scope was completed. Points: no task in the export has an estimate")
    assert set(sprints) == {"sentence", "points_not_measurable", "velocity", "completion"}
    last = sprints["completion"][-1]
    assert (last["iteration"], last["committed"], last["done"], last["completed_share"]) == ("Sprint 20", 16, 14, 0.875)
    assert "team" not in last and [v["points_done"] for v in sprints["velocity"]] == [None] * 20
    section = _section(report_html(one, frameworks=["coordination_stack"]))
    assert "<tr><td>Sprint 20</td><td>16</td><td>14</td><td>88%</td><td></td></tr>" in section
    assert "<th>Team</th>" not in section


def test_a_report_filtered_to_one_team_lists_its_sprints_alone(steady):
    sprints = report_json(steady, frameworks=["coordination_stack"], team="billing")["flow"]["sprints"]
    assert "by" not in sprints and "team" not in sprints["completion"][-1]
    last = sprints["completion"][-1]
    assert (last["iteration"], last["committed"], last["done"]) == ("Sprint 20", 8, 7)


def test_team_names_in_the_sprint_table_stay_text():
    hostile = steady_export(teams=("<b>x</b>", "ops"))
    section = _section(report_html(hostile, frameworks=["coordination_stack"]))
    assert "<td>&lt;b&gt;x&lt;/b&gt;</td><td>Sprint 20</td><td>8</td><td>7</td>" in section
    assert "<b>x</b>" not in section
    data = report_json(hostile, frameworks=["coordination_stack"])["flow"]["sprints"]
    assert data["completion"][0]["team"] == "<b>x</b>"  # JSON keeps the name; only the page escapes it


def test_the_section_follows_the_team(steady):
    flow = report_json(steady, frameworks=["coordination_stack"], team="billing")["flow"]
    # Even days only: 42 of the 84 finished in the window; O1 is the team's only open task, and past the level.
    sle = flow["service_level"]
    assert (sle["samples"], sle["open_items"], sle["levels"][2]["past"]) == (42, 1, 1)
    assert flow["stages"]["commitment"] == "In Progress" and flow["forecast"]["completed"] == 42


def test_hostile_status_stays_text_everywhere(page):
    rest = _outside_plotly(page)
    assert "<script>alert(1)" not in rest
    assert HOSTILE_TEXT in _section(page)
    assert len(re.findall(r"<script\b", page)) == 1 + page.count('class="plotly-graph-div"')


def test_pseudonymised_flow_section_shows_no_real_name(steady):
    page = report_html(steady, frameworks=["coordination_stack"], pseudonymise=True)
    data = json.dumps(report_json(steady, frameworks=["coordination_stack"], pseudonymise=True))
    for name in NAMES:
        assert name not in page and name not in data
    assert "Person 0" in page


def test_a_thin_export_says_why_instead_of_zeros():
    """Seven tasks, no history, no sprints (tests/test_report.py): each new part names what it lacks."""
    data = report_json(build_export(), frameworks=["coordination_stack"])
    flow = data["flow"]
    assert "no status history" in flow["time_in_stage"]["not_measurable"]
    assert flow["flow_efficiency"]["not_measurable"].startswith("no status is staged as waiting")
    assert flow["service_level"]["not_measurable"].startswith("only 4 finished tasks with a cycle time")
    assert flow["forecast"]["reason"].startswith("only 4 tasks finished in the throughput window")
    assert [r["items"] for r in flow["forecast"]["items"]] == [None] * 4
    assert flow["forecast"]["backtest"]["not_measurable"].startswith("none of the forecasts made from past dates")
    assert flow["sprints"] == {"not_measurable": "velocity and sprint completion: no work item has an iteration "
                                                 "(sprint, cycle or iteration path), so there are no sprints"}
    page = report_html(build_export(), frameworks=["coordination_stack"])
    section = _section(page)
    assert "Not measurable: velocity and sprint completion: no work item has an iteration" in section
    assert "<h3>Forecast</h3>\n<p class=\"note\">Not measurable: only 4 tasks finished" in section
    # No fan, no empty chart: cycle time, aging, throughput, net flow and cumulative flow only.
    assert section.count('class="plotly-graph-div"') == 5
    assert EVIL not in _outside_plotly(page)


def test_a_kept_definition_is_the_basis_and_without_a_queue_waiting_is_not_measured(steady):
    """The start notebook's stages travel with the export; staging the queue active leaves no waiting status."""
    from workfw import flow as wf_flow

    chosen = wf_flow.keep_stages(steady, stages={HOSTILE: "active"})
    data = report_json(chosen, frameworks=["coordination_stack"])["flow"]
    assert data["stages"]["source"] == "kept with the export"
    assert "chosen in the start notebook's status map" in data["stages"]["sentence"]
    tis = data["time_in_stage"]
    # In Progress (2 days) and the former queue (3 days) are both active now: 5 days, and no waiting time at all.
    days = {(p["stage"], p["level"]): p["days"] for p in tis["percentiles"]}
    assert (days[("active", 50)], days[("waiting", 50)], days[("waiting", 85)]) == (5.0, None, None)
    assert tis["waiting_measurable"] is False and "Waiting time is not measurable" in tis["sentence"]
    assert data["flow_efficiency"]["not_measurable"].startswith("no status is staged as waiting")
    page = report_html(chosen, frameworks=["coordination_stack"])
    assert "<td>waiting</td><td>not measurable</td><td>not measurable</td>" in _section(page)


def test_cycle_times_ages_and_the_service_level_share_one_clock(steady):
    """With the commitment point kept at the queue, every cycle time on the page starts there, not at `started`."""
    from workfw import flow as wf_flow

    later = wf_flow.keep_stages(steady, commitment=HOSTILE)
    data = report_json(later, frameworks=["coordination_stack"])["flow"]
    # Each finished task entered the queue 3 days before Done (and started 5 days before): 3 days everywhere.
    percentiles = {p["level"]: p["days"] for p in data["cycle_time_percentiles"]}
    assert percentiles[85] == 3.0 == data["service_level"]["levels"][2]["days"]
    # O2 entered the queue on day 277 (as_of 279): 2 days old from commitment; O1 never reached it.
    ages = {r["task_id"]: r for r in data["oldest_in_progress"]}
    assert set(ages) == {"O2"}

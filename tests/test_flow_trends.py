"""Net flow, burn-up, work-item age, blocked and stalled work, velocity and sprint completion on a hand-built
export; every answer is worked out in the comments."""
from __future__ import annotations

import pandas as pd
import pytest

import workfw as wf
from workfw import flow
from workfw import flow_charts
from workfw.errors import OptionError
from workfw.export import ImportReport, TaskExport
from workfw.schema import conform_events, conform_tasks, empty_events

EVIL = "<img src=x onerror=alert(1)>"
AS_OF = "2024-04-17"


def _export(rows: list[dict], events: list[tuple] | None = None) -> TaskExport:
    tasks = conform_tasks(pd.DataFrame(rows))
    history = (conform_events(pd.DataFrame(events, columns=["task_id", "at", "field", "old", "new", "author"]))
               if events else empty_events())
    return TaskExport(tasks=tasks, events=history, raw=pd.DataFrame(),
                      report=ImportReport(source="test", file="test.csv", rows_read=len(tasks)))


def _week(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


@pytest.fixture
def team() -> TaskExport:
    """Weeks W1 = Mon 04-01..04-07, W2 = 04-08..04-14, W3 = 04-15..; counted at each week's end, W3 at 04-17.

    Under epic E1 "Checkout" (project Shop):
    S1  To Do (04-01) -> In Progress 04-02 -> Done 04-09.                       Sprint 1, 3 points.
    S2  To Do (04-01) -> In Progress 04-03 -> Blocked 04-04 -> In Progress 04-10 -> Done 04-16.  Sprint 1, 5 points.
    S3  a sub-task of S1 (so under E1 too): To Do (04-08) -> Done 04-10, skipping every committed stage.
                                                                                Sprint 2, 2 points.
    S4  To Do (04-02) -> In Progress 04-03 -> Done 04-05 -> In Progress 04-11 (reopened, still open);
        blocked by S1, which is done, so the link no longer blocks.             Sprint 2, no estimate.
    S5  To Do (04-10) -> Won't Do 04-12: cancelled before commitment.           Sprint 2, 8 points.
    S8  To Do (04-01) -> In Progress 04-02 -> Won't Do 04-04: cancelled after commitment.  Sprint 1, 2 points.
    Project Ops, no epic, no history:
    S6  In Progress, created 04-08, started 04-15, labelled Blocked.
    S7  Done, created 04-01, completed 04-05, no start.                         Sprint 1, 1 point.
    """
    shop = dict(project="Shop", team="T", task_type="Story", parent_id="E1")
    rows = [
        dict(task_id="E1", title="Checkout", task_type="Epic", status="In Progress", status_category="in_progress",
             project="Shop", team="T", created="2024-04-01"),
        dict(shop, task_id="S1", title="one", status="Done", status_category="done", created="2024-04-01",
             updated="2024-04-09", iteration="Sprint 1", estimate=3),
        dict(shop, task_id="S2", title="two", status="Done", status_category="done", created="2024-04-01",
             updated="2024-04-16", iteration="Sprint 1", estimate=5),
        dict(shop, task_id="S3", title="three", task_type="Sub-task", parent_id="S1", status="Done",
             status_category="done", created="2024-04-08", updated="2024-04-10", iteration="Sprint 2", estimate=2),
        dict(shop, task_id="S4", title=EVIL, status="In Progress", status_category="in_progress",
             created="2024-04-02", updated="2024-04-11", iteration="Sprint 2", blocked_by=["S1"]),
        dict(shop, task_id="S5", title="five", status="Won't Do", status_category="cancelled", created="2024-04-10",
             updated="2024-04-12", iteration="Sprint 2", estimate=8),
        dict(shop, task_id="S8", title="eight", status="Won't Do", status_category="cancelled", created="2024-04-01",
             updated="2024-04-04", iteration="Sprint 1", estimate=2),
        dict(task_id="S6", title="six", project="Ops", team="T", status="In Progress", status_category="in_progress",
             created="2024-04-08", started="2024-04-15", updated="2024-04-15", labels=["Blocked"]),
        dict(task_id="S7", title="seven", project="Ops", team="T", status="Done", status_category="done",
             created="2024-04-01", completed="2024-04-05", iteration="Sprint 1", estimate=1),
    ]
    moves = {
        "S1": [("04-02", "To Do", "In Progress"), ("04-09", "In Progress", "Done")],
        "S2": [("04-03", "To Do", "In Progress"), ("04-04", "In Progress", "Blocked"),
               ("04-10", "Blocked", "In Progress"), ("04-16", "In Progress", "Done")],
        "S3": [("04-10", "To Do", "Done")],
        "S4": [("04-03", "To Do", "In Progress"), ("04-05", "In Progress", "Done"), ("04-11", "Done", "In Progress")],
        "S5": [("04-12", "To Do", "Won't Do")],
        "S8": [("04-02", "To Do", "In Progress"), ("04-04", "In Progress", "Won't Do")],
    }
    events = [(task, f"2024-{at}", "status", old, new, None) for task, steps in moves.items() for at, old, new in steps]
    return _export(rows, events)


# ---------------------------------------------------------------- net flow

def test_net_flow_arrivals_departures_and_awkward_tasks(team):
    out = flow.net_flow(team, as_of=AS_OF)
    assert out["period"].tolist() == [_week("2024-04-01"), _week("2024-04-08"), _week("2024-04-15")]
    # Arrivals: W1 S1, S2, S4, S8 (first commitment) and S7 (done without a start: arrives as it finishes);
    # W2 S3 (skipped to done on 04-10); W3 S6 (started 04-15).  S5 was cancelled before it ever arrived.
    assert out["arrivals"].tolist() == [5, 1, 1]
    # Departures: W1 S7 (done 04-05) and S8 (cancelled); W2 S1 and S3; W3 S2.  S4 was reopened and is still open,
    # so its first finish on 04-05 is no departure.
    assert out["departures"].tolist() == [2, 2, 1]
    assert out["cancelled"].tolist() == [1, 0, 0]
    assert out["net_flow"].tolist() == [3, -1, 0]
    # The running sum is the work in progress at AS_OF: S4 and S6.
    assert out["net_flow"].sum() == 2
    assert out.attrs["commitment"] == "In Progress"


def test_net_flow_with_nothing_committed():
    rows = [dict(task_id="Q", title="q", status="To Do", status_category="todo", created="2024-01-01")]
    out = flow.net_flow(_export(rows))
    assert out.empty and "commitment point" in out.attrs["reason"]


# ---------------------------------------------------------------- burn-up

def test_burn_up_by_epic(team):
    out = flow.burn_up(team, as_of=AS_OF)
    assert out["epic"].unique().tolist() == ["E1"] and out["name"].unique().tolist() == ["Checkout"]
    # S1 has a sub-task (S3), so it counts through S3, never as well (as epic_forecast counts work items).
    # W1 end: created S2, S4, S8; S8 cancelled 04-04 leaves scope -> 2; S4 done (04-05) -> 1.
    # W2 end: S3 and S5 created, S5 cancelled 04-12 -> scope 3; done S3 (S4 reopened 04-11) -> 1.
    # At 04-17: scope 3; done S2, S3 -> 2.
    assert out["scope"].tolist() == [2, 3, 3]
    assert out["done"].tolist() == [1, 1, 2]
    assert out.attrs["left_out"] == {"no epic": 2}  # S6 and S7


def test_burn_up_by_project_and_options(team):
    out = flow.burn_up(team, by="project", as_of=AS_OF)
    ops = out[out["project"] == "Ops"]
    # Ops: S7 created 04-01 and done 04-05; S6 created 04-08, in progress.
    assert ops["scope"].tolist() == [1, 2, 2] and ops["done"].tolist() == [1, 1, 1]
    shop = out[out["project"] == "Shop"]
    assert shop["scope"].tolist() == [2, 3, 3]  # S1 counts through its sub-task S3
    with pytest.raises(OptionError, match="by='team'.*'epic' or 'project'"):
        flow.burn_up(team, by="team")
    bare = flow.burn_up(_export([dict(task_id="Q", title="q", status="To Do", status_category="todo",
                                      created="2024-01-01")]))
    assert bare.empty and "no work item has a parent" in bare.attrs["reason"]


# ---------------------------------------------------------------- work-item age

def test_age_run_weekly(team):
    out = flow.age_run(team, as_of=AS_OF)
    got = {(d.strftime("%m-%d"), t): a for d, t, a in zip(out["date"], out["task_id"], out["age_days"])}
    # W1 end (04-07 24:00): S1 from 04-02 -> 6 days, S2 (Blocked, waiting) from 04-03 -> 5 days; S4 is done.
    # W2 end: S2 back in progress -> 12 days; S4 reopened, aged from its first commitment 04-03 -> 12 days.
    # 04-17: S4 14 days; S6 (started 04-15) 2 days.  The epic E1 is never an item.
    assert got == pytest.approx({("04-01", "S1"): 6.0, ("04-01", "S2"): 5.0, ("04-08", "S2"): 12.0,
                                 ("04-08", "S4"): 12.0, ("04-15", "S4"): 14.0, ("04-15", "S6"): 2.0}, abs=1e-6)
    stages = dict(zip(zip(out["date"].dt.strftime("%m-%d"), out["task_id"]), out["stage"]))
    assert stages[("04-01", "S2")] == "waiting" and stages[("04-01", "S1")] == "active"


# ---------------------------------------------------------------- blocked and stalled

def test_blocked_stalled_per_day(team):
    out = flow.blocked_stalled(team, as_of=AS_OF)
    table = out.pivot(index="date", columns="state", values="count")
    day = lambda text: table.loc[pd.Timestamp(f"2024-{text}"), ["blocked", "stalled", "moving"]].tolist()  # noqa
    # 04-02: S1 and S8 just started.
    assert day("04-02") == [0, 0, 2]
    # 04-06 end: S1 idle since 04-02, 4.99 days (< 5): moving; S2 Blocked.
    assert day("04-06") == [1, 0, 1]
    # 04-07 end: S1 idle 5.99 days: stalled.
    assert day("04-07") == [1, 1, 0]
    # 04-15 end: S2 idle since 04-10 (5.99 days) stalled; S4 (moved 04-11) and S6 (started 04-15) moving.
    assert day("04-15") == [0, 1, 2]
    # 04-17 (as_of): S6 is labelled Blocked (counted on the last date only); S4 idle 6 days: stalled, and its
    # blocked-by link points at S1, which is done.
    assert day("04-17") == [1, 1, 0]
    assert out.attrs["blocked_now"] == ["S6"] and out.attrs["stalled_days"] == 5.0
    assert table.index[0] == pd.Timestamp("2024-04-02") and table.index[-1] == pd.Timestamp("2024-04-17")
    longer = flow.blocked_stalled(team, as_of=AS_OF, stalled_days=7).pivot(index="date", columns="state",
                                                                           values="count")
    assert longer.loc[pd.Timestamp("2024-04-07"), "stalled"] == 0
    with pytest.raises(OptionError, match="stalled_days"):
        flow.blocked_stalled(team, stalled_days=0)


# ---------------------------------------------------------------- sprints

def test_velocity_items_and_points(team):
    out = flow.velocity(team, as_of=AS_OF)
    # Sprint 1 done: S1, S2, S7 (3 + 5 + 1 points; S8 cancelled); Sprint 2 done: S3 (2 points).
    # Time order: Sprint 1's done items finish at a median of 04-09, Sprint 2's at 04-10.
    assert out["iteration"].tolist() == ["Sprint 1", "Sprint 2"]
    assert out["items_done"].tolist() == [3, 1]
    assert out["points_done"].tolist() == [9.0, 2.0]
    assert out["done_without_estimate"].tolist() == [0, 0]
    early = flow.velocity(team, as_of="2024-04-12").set_index("iteration")
    assert early.loc["Sprint 1", "items_done"] == 2  # S2 finished on 04-16


def test_sprint_completion(team):
    out = flow.sprint_completion(team, as_of=AS_OF).set_index("iteration")
    # Sprint 1: S1, S2, S7 committed and done, S8 cancelled.  Sprint 2: S3 done, S4 open, S5 cancelled.
    assert out.loc["Sprint 1", ["committed", "done", "open", "cancelled"]].tolist() == [3, 3, 0, 1]
    assert out.loc["Sprint 2", ["committed", "done", "open", "cancelled"]].tolist() == [2, 1, 1, 1]
    assert out["completed_share"].tolist() == pytest.approx([1.0, 0.5])
    # Points: Sprint 2 commits 2 (S4 has no estimate) and S3 did them all.
    assert out.loc["Sprint 1", ["points_committed", "points_done"]].tolist() == [9.0, 9.0]
    assert out.loc["Sprint 2", ["points_committed", "points_done", "points_share"]].tolist() == [2.0, 2.0, 1.0]
    assert "current iteration" in out.attrs["scope"]


def test_sprints_without_estimates_or_iterations_are_not_measurable():
    rows = [dict(task_id="P", title="p", status="Done", status_category="done", created="2024-01-01",
                 completed="2024-01-02", iteration="Sprint 9")]
    v = flow.velocity(_export(rows))
    assert v["items_done"].tolist() == [1] and v["points_done"].isna().all()
    assert "no task in the export has an estimate" in v.attrs["points_reason"]
    sc = flow.sprint_completion(_export(rows))
    assert sc["points_share"].isna().all() and sc["completed_share"].tolist() == [1.0]
    rows[0]["iteration"] = None
    assert flow.velocity(_export(rows)).empty and "iteration" in flow.sprint_completion(_export(rows)).attrs["reason"]


@pytest.fixture
def two_teams() -> TaskExport:
    """Teams A and B each name a sprint "Sprint 1"; no history, so outcomes are the current statuses.

    A1, A2  team A, Sprint 1, done 01-05 and 01-06, 3 and 2 points.   A3  team A, Sprint 1, in progress, 5 points.
    A4      team A, Sprint 2, done 01-20.
    B1      team B, Sprint 1, done 01-30, 1 point.                      B2  team B, Sprint 1, cancelled.
    B3      team B, Sprint 3, done 01-12 (B's sprints are named out of time order).
    N1      no team, Sprint 1, done 01-07.
    Projects: Shop for team A and N1, Ops for team B.
    """
    def item(task_id, team, iteration, status, completed=None, estimate=None):
        category = {"Done": "done", "Won't Do": "cancelled"}.get(status, "in_progress")
        return dict(task_id=task_id, title=task_id, task_type="Story", team=team, iteration=iteration,
                    project="Ops" if team == "B" else "Shop", status=status, status_category=category,
                    created="2024-01-01", completed=completed, estimate=estimate)
    return _export([item("A1", "A", "Sprint 1", "Done", "2024-01-05", 3),
                    item("A2", "A", "Sprint 1", "Done", "2024-01-06", 2),
                    item("A3", "A", "Sprint 1", "In Progress", estimate=5),
                    item("A4", "A", "Sprint 2", "Done", "2024-01-20"),
                    item("B1", "B", "Sprint 1", "Done", "2024-01-30", 1),
                    item("B2", "B", "Sprint 1", "Won't Do"),
                    item("B3", "B", "Sprint 3", "Done", "2024-01-12"),
                    item("N1", None, "Sprint 1", "Done", "2024-01-07")])


def test_sprints_of_two_teams_with_one_name_merge_and_say_so(two_teams):
    out = flow.sprint_completion(two_teams)
    # Sprint 1 by name: A1, A2, A3, B1, N1 committed, A3 open, B2 cancelled; finishes 01-05/06/07/30 -> first.
    assert out["iteration"].tolist() == ["Sprint 1", "Sprint 3", "Sprint 2"]
    assert out.iloc[0][["committed", "done", "open", "cancelled"]].tolist() == [5, 4, 1, 1]
    assert out.attrs["mixed_teams"] == ["Sprint 1"]
    assert "team" not in out.columns and "left_out" not in out.attrs
    assert flow.velocity(two_teams).attrs["mixed_teams"] == ["Sprint 1"]


def test_sprints_by_team(two_teams):
    out = flow.sprint_completion(two_teams, by="team")
    assert list(out.columns[:2]) == ["team", "iteration"]
    # Teams by name; within a team, time order: B's Sprint 3 (01-12) before its Sprint 1 (01-30).
    assert list(zip(out["team"], out["iteration"])) == [("A", "Sprint 1"), ("A", "Sprint 2"), ("B", "Sprint 3"),
                                                        ("B", "Sprint 1")]
    assert out[["committed", "done", "open", "cancelled"]].values.tolist() == [[3, 2, 1, 0], [1, 1, 0, 0],
                                                                                 [1, 1, 0, 0], [1, 1, 0, 1]]
    assert out["completed_share"].tolist() == pytest.approx([2 / 3, 1.0, 1.0, 1.0])
    assert out.loc[0, ["points_committed", "points_done", "points_share"]].tolist() == [10.0, 5.0, 0.5]
    assert out.attrs["left_out"] == {"no team": 1} and out.attrs["mixed_teams"] == [] and out.attrs["by"] == "team"
    assert out.attrs["order"][-1] == ("B", "Sprint 1")
    v = flow.velocity(two_teams, by="team")
    assert list(v.columns) == ["team", "iteration", "items_done", "points_done", "done_without_estimate"]
    assert v["items_done"].tolist() == [2, 1, 1, 1] and v["done_without_estimate"].tolist() == [0, 1, 1, 0]
    assert v.attrs["left_out"] == {"no team": 1}


def test_sprints_by_project(two_teams):
    out = flow.sprint_completion(two_teams, by="project")
    assert list(zip(out["project"], out["iteration"])) == [("Ops", "Sprint 3"), ("Ops", "Sprint 1"),
                                                           ("Shop", "Sprint 1"), ("Shop", "Sprint 2")]
    # Shop's Sprint 1 holds A1, A2, A3 and N1: one team and an item without one, so not mixed.
    assert out.loc[2, ["committed", "done"]].tolist() == [4, 3] and out.attrs["mixed_teams"] == []
    assert out.attrs["left_out"] == {}


def test_sprints_by_team_without_teams_say_why():
    rows = [dict(task_id="P", title="p", status="Done", status_category="done", created="2024-01-01",
                 completed="2024-01-02", iteration="Sprint 9")]
    out = flow.sprint_completion(_export(rows), by="team")
    assert out.empty and list(out.columns[:2]) == ["team", "iteration"]
    assert out.attrs["reason"] == "no work item with an iteration has a team, so there are no sprints by team"
    assert out.attrs["left_out"] == {"no team": 1}


@pytest.mark.parametrize("metric", [flow.sprint_completion, flow.velocity])
def test_sprints_by_an_unknown_grouping_fail_with_the_choices(two_teams, metric):
    with pytest.raises(OptionError, match=r"by='sprint'; expected None, 'team' or 'project'\. Next step: pass "
                                          r"by='team'"):
        metric(two_teams, by="sprint")


def test_sprint_charts_by_team_give_each_team_its_own_bar(two_teams):
    hostile = two_teams.tasks.assign(team=two_teams.tasks["team"].replace({"B": EVIL}))
    for fig in (flow_charts.sprint_completion_chart(flow.sprint_completion(hostile, by="team")),
                flow_charts.velocity_chart(flow.velocity(hostile, by="team"))):
        labels = list(fig.data[0].x)
        # Teams by name: "<img..." sorts before "A".
        assert labels[2:] == ["A · Sprint 1", "A · Sprint 2"] and len(set(labels)) == 4
        assert [label.endswith(" · Sprint 3") for label in labels[:2]] == [True, False]
        assert all(EVIL not in label and label.startswith("&lt;img") for label in labels[:2])
    merged = flow_charts.sprint_completion_chart(flow.sprint_completion(two_teams))
    assert list(merged.data[0].x) == ["Sprint 1", "Sprint 3", "Sprint 2"]


def test_sprints_by_team_do_not_mutate_inputs(two_teams):
    before = two_teams.tasks.copy()
    flow.sprint_completion(two_teams, by="team")
    flow.velocity(two_teams, by="project")
    pd.testing.assert_frame_equal(two_teams.tasks, before)


def test_trends_do_not_mutate_inputs(team):
    before_tasks, before_events = team.tasks.copy(), team.events.copy()
    for metric in (flow.net_flow, flow.burn_up, flow.age_run, flow.blocked_stalled, flow.velocity,
                   flow.sprint_completion):
        metric(team)
    pd.testing.assert_frame_equal(team.tasks, before_tasks)
    pd.testing.assert_frame_equal(team.events, before_events)


# ---------------------------------------------------------------- charts on a sample

@pytest.fixture(scope="module")
def jira() -> TaskExport:
    return wf.load_sample("jira")


def _check(fig, *names: str) -> None:
    assert any(t.y is not None and len(t.y) > 0 for t in fig.data)
    title = fig.layout.title.text
    assert "Stages · active: In Progress, In Review" in title and "commitment at In Progress" in title
    for name in names:
        assert name in [t.name for t in fig.data]


def test_net_flow_chart_on_the_sample(jira):
    fig = flow_charts.net_flow_chart(flow.net_flow(jira))
    _check(fig, "arrivals", "departures", "net flow")
    assert min(fig.data[1].y) <= 0  # departures are drawn below zero


def test_burn_up_chart_on_the_sample(jira):
    fig = flow_charts.burn_up_chart(flow.burn_up(jira), top=3)
    _check(fig)
    assert len(fig.data) == 6 and "the 3 with most open work" in fig.layout.title.text


def test_age_run_chart_on_the_sample(jira):
    fig = flow_charts.age_run_chart(flow.age_run(jira))
    _check(fig, "median age")


def test_blocked_stalled_chart_on_the_sample(jira):
    fig = flow_charts.blocked_stalled_chart(flow.blocked_stalled(jira))
    _check(fig, "blocked", "stalled", "moving")
    assert "no activity for 5 days" in fig.layout.title.text


def test_velocity_and_sprint_completion_charts_on_the_sample(jira):
    _check(flow_charts.velocity_chart(flow.velocity(jira)), "items")
    _check(flow_charts.velocity_chart(flow.velocity(jira), measure="points"), "points")
    _check(flow_charts.sprint_completion_chart(flow.sprint_completion(jira)), "completed")


def test_age_run_chart_escapes_titles(team):
    fig = flow_charts.age_run_chart(flow.age_run(team, as_of=AS_OF))
    text = fig.to_json()
    assert EVIL not in text and "&lt;img" in text


def test_backward_move_is_one_arrival_and_leaves_the_age_run_while_back():
    rows = [dict(task_id="K", title="k", status="Done", status_category="done", created="2024-05-01")]
    events = [("K", "2024-05-02", "status", "To Do", "In Progress", None),
              ("K", "2024-05-03", "status", "In Progress", "To Do", None),
              ("K", "2024-05-06", "status", "To Do", "In Progress", None),
              ("K", "2024-05-08", "status", "In Progress", "Done", None)]
    data = _export(rows, events)
    net = flow.net_flow(data)  # weeks of Mon 04-29 and Mon 05-06
    assert net["arrivals"].tolist() == [1, 0] and net["departures"].tolist() == [0, 1]
    ages = flow.age_run(data, freq="D")
    # In progress at the end of 05-02 (1 day old), back in To Do 05-03..05-05, in progress again at the end of
    # 05-06 and 05-07, aged from the first commitment on 05-02; done at 05-08 00:00, the last sample.
    assert ages["date"].dt.strftime("%m-%d").tolist() == ["05-02", "05-06", "05-07"]
    assert ages["age_days"].tolist() == pytest.approx([1.0, 5.0, 6.0], abs=1e-6)

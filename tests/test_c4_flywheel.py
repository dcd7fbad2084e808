"""The C4 Flywheel on the hand-built export of test_coordination_stack, every value worked out by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from conftest import assert_reads_on_a_projector
from test_coordination_stack import AS_OF, build_export, build_tasks
from workfw import c4_flywheel as c4
from workfw import coordination_stack as cs
from workfw.errors import OptionError
from workfw.schema import conform_tasks
from workfw.style import NA_COLOUR, score_colour


@pytest.fixture(scope="module")
def flywheel():
    return c4.diagnose(build_export(), as_of=AS_OF)


def _row(diagnosis, name):
    return diagnosis.signals.set_index("signal").loc[name]


# name -> (value, score, n)
OWN = {
    # created since 2024-04-02: T3, T5, T6; finished since then: T2.
    "resolved / created": (1 / 3, 100 / 3, 3),
    "When: on time": (0.5, 50.0, 2),
    "stale": (0.4, 60.0, 5),                  # E2 and T4 not updated since 2024-06-01
    # cycle times T1 5.625 days, T2 19.5 days (from creation): limit 2 x 12.5625; T3 at 60 days is aging.
    "aging WIP": (0.5, 50.0, 2),
    "cancelled": (1 / 3, 200 / 3, 3),          # T6 of T1, T2, T6
    "commented": (0.5, 50.0, 6),              # E1, T1, T3 of six with a known count
    "reporter is not owner": (0.5, 50.0, 6),  # T1, T2, T5 of E1, T1, T2, T3, T4, T5
    # people: E1 1, E2 1, T1 2, T2 2, T3 3 (cat, dan, fay), T4 1, T5 2, T6 1 -> 13 / 8
    "people per item": (13 / 8, 31.25, 8),
    # bob's home is platform (he owns T1, T2) but he raised E2 for growth: 1 of 8, target 20%
    "cross-team items": (1 / 8, 62.5, 8),
}


@pytest.mark.parametrize("name", list(OWN))
def test_own_signals_match_hand_worked_values(flywheel, name):
    value, score, n = OWN[name]
    row = _row(flywheel, name)
    assert float(row["value"]) == pytest.approx(value)
    assert float(row["score"]) == pytest.approx(score)
    assert int(row["n"]) == n


def test_clarity_and_coordination_reuse_the_stack_signals(flywheel):
    stack = cs.diagnose(build_export(), as_of=AS_OF).signals.set_index("signal")
    ours = flywheel.signals
    clarity = ours[ours["element"] == "Clarity"]
    assert list(clarity["signal"]) == [f"{s.element}: {s.name}" for s in cs.SIGNALS if s.element in ("Why", "What")]
    coordination = ours[ours["element"] == "Coordination"]
    assert "When: on time" not in set(coordination["signal"])  # C4 counts on-time under Completion
    assert len(coordination) == 13
    for _, row in pd.concat([clarity, coordination]).iterrows():
        source = stack.loc[row["signal"].split(": ", 1)[1]]
        assert float(row["score"]) == pytest.approx(float(source["score"]))


def test_summary_by_hand(flywheel):
    scores = flywheel.scores()
    # Clarity: 66.67, 50, 40, 25, 25, 12.5, 87.5, 50 -> 44.58
    assert scores["Clarity"] == pytest.approx(44.6)
    # Coordination: Who 80, 75, 75, 87.5; When 60, 50, 75, 35.54; How 60, 50, 100, 100, 25 -> 67.16
    assert scores["Coordination"] == pytest.approx(67.2)
    assert scores["Collaboration"] == pytest.approx(48.4)  # 50, 50, 31.25, 62.5
    assert list(flywheel.summary.index) == ["Clarity", "Coordination", "Completion", "Collaboration"]
    assert any("weak proxy" in c for c in flywheel.caveats)


def test_completion_borrows_the_pyramid_progress_and_outcomes_signals(flywheel):
    from workfw import value_pyramid

    pyramid = value_pyramid.diagnose(build_export(), as_of=AS_OF).signals
    borrowed = pyramid[pyramid["element"].isin(["Progress", "Outcomes"])]
    ours = flywheel.signals.set_index("signal")
    assert len(borrowed) >= 1
    for _, row in borrowed.iterrows():
        mine = ours.loc[f"{row['element']}: {row['signal']}"]
        assert mine["element"] == "Completion"
        assert pd.isna(mine["score"]) == pd.isna(row["score"])
        if pd.notna(row["score"]):
            assert float(mine["score"]) == pytest.approx(float(row["score"]))
    assert not any(s.element == "Activities" for s in c4.SIGNALS)


def test_flow_signals_are_context_and_never_score_completion(flywheel):
    """Completion means outcomes, not throughput: the flow signals are measured beside it, in no element."""
    flow = flywheel.signals[flywheel.signals["element"] == c4.FLOW_CONTEXT].set_index("signal")
    assert list(flow.index) == ["resolved / created", "When: on time", "stale", "aging WIP", "cancelled"]
    assert [float(x) for x in flow["score"]] == pytest.approx([33.33, 50, 60, 50, 66.67], abs=0.01)
    completion = flywheel.signals[flywheel.signals["element"] == "Completion"]
    assert completion["signal"].str.startswith(("Progress: ", "Outcomes: ")).all()
    measured = completion["score"].dropna().astype(float)
    assert flywheel.scores()["Completion"] == pytest.approx(round(measured.mean(), 1))
    assert c4.FLOW_CONTEXT not in flywheel.summary.index


def test_completion_cannot_be_scored_without_the_pyramid(monkeypatch):
    monkeypatch.setattr(c4, "_pyramid", lambda: None)
    specs, present = c4._build_signals()
    assert not present
    assert [s.name for s in specs if s.element == "Completion"] == []
    monkeypatch.setattr(c4, "SIGNALS", specs)
    monkeypatch.setattr(c4, "_HAS_PYRAMID", False)
    result = c4.diagnose(build_export(), as_of=AS_OF)
    assert result.scores()["Completion"] is None
    assert any("Work Value Pyramid" in c for c in result.caveats)


def test_findings_name_the_tasks(flywheel):
    found = flywheel.findings.set_index("signal")
    assert found.loc["aging WIP", "task_ids"] == ["T3"]
    assert found.loc["stale", "task_ids"] == ["E2", "T4"]
    assert found.loc["cancelled", "task_ids"] == ["T6"]
    assert found.loc["people per item", "task_ids"] == ["E1", "E2", "T4", "T6"]
    assert found.loc["resolved / created", "finding"].startswith("3 tasks were created and 1 finished")


@pytest.mark.parametrize("columns, signals", [
    (("comments",), ("commented",)),
    (("reporter",), ("reporter is not owner", "cross-team items")),
    (("completed",), ("resolved / created", "aging WIP", "When: on time")),
    (("updated",), ("stale",)),
])
def test_an_empty_field_turns_its_signals_into_na(columns, signals):
    tasks = build_tasks()
    for col in columns:
        tasks[col] = pd.NA
    result = c4.diagnose(conform_tasks(tasks), as_of=AS_OF)
    cover = result.coverage.set_index("signal")
    for name in signals:
        assert pd.isna(_row(result, name)["score"]), name
        assert not cover.loc[name, "measurable"]
        assert cover.loc[name, "reason"]


def test_without_history_people_per_item_is_not_measurable():
    result = c4.diagnose(build_export(events=False), as_of=AS_OF)
    assert pd.isna(_row(result, "people per item")["score"])
    assert "no status history" in result.coverage.set_index("signal").loc["people per item", "reason"]


def test_options():
    whole = c4.diagnose(build_export(), as_of=AS_OF, flow_days=None)
    assert float(_row(whole, "resolved / created")["value"]) == pytest.approx(2 / 8)
    stricter = c4.diagnose(build_export(), as_of=AS_OF, aging_multiple=0.5)
    assert float(_row(stricter, "aging WIP")["value"]) == pytest.approx(1.0)  # limit 6.3 days: E1 and T3
    with pytest.raises(OptionError, match="flow_days"):
        c4.diagnose(build_export(), flow_days=-3)
    with pytest.raises(OptionError, match="weak_below"):
        c4.diagnose(build_export(), weak_below=50)


def test_diagnose_is_deterministic():
    first, second = c4.diagnose(build_export()), c4.diagnose(build_export())
    pd.testing.assert_frame_equal(first.signals, second.signals)
    pd.testing.assert_frame_equal(first.findings, second.findings)
    assert first.caveats == second.caveats


def test_figure_ring_and_hub(flywheel):
    fig = flywheel.figure()
    assert [t.name for t in fig.data] == ["Clarity", "Coordination", "Completion", "Collaboration"]
    scores = flywheel.scores()
    for trace in fig.data:
        assert trace.customdata[0] == pytest.approx(scores[trace.name])
        assert trace.fillcolor == score_colour(scores[trace.name])
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrows) == 3
    labels = [a.text for a in fig.layout.annotations if not a.showarrow]
    # The score is drawn large beside the element's name (markup around both is layout).
    assert labels[0].startswith("<span style='font-size:16px'><b>Clarity</b>") and labels[0].endswith("<b>45</b>")
    assert "Collaboration</b><br>(the fuel)" in labels[-1] and labels[-1].endswith("<b>48</b>")
    # Clarity's arc starts at 12 o'clock and runs clockwise (to the right).
    assert fig.data[0].x[0] > 0 and fig.data[0].y[0] > 0.9


def test_figure_draws_na_grey():
    result = c4.diagnose(build_export(events=False).tasks.assign(comments=pd.NA, reporter=pd.NA), as_of=AS_OF)
    assert result.scores()["Collaboration"] is None
    fig = result.figure()
    assert fig.data[3].fillcolor == NA_COLOUR
    assert fig.data[3].customdata[0] is None
    assert any(a.text.endswith("not<br>measurable") for a in fig.layout.annotations)  # wrapped to fit the hub


@pytest.mark.parametrize("draw", [lambda d: d.figure(), lambda d: c4.scored_figure(None),
                                  lambda d: c4.scored_figure({"Clarity": 5}),
                                  lambda d: d.figure(title="A caller's very long title " * 5)])
def test_figure_title_is_short_and_no_text_is_rotated(flywheel, draw):
    fig = draw(flywheel)
    assert_reads_on_a_projector(fig)
    na = c4.scored_figure({"Clarity": 5})
    assert sum(a.text.endswith("not<br>answered") for a in na.layout.annotations) == 3


def test_loop_trend_scores_each_monthly_cohort():
    trend = c4.loop_trend(build_export(), as_of=AS_OF)
    assert list(trend.columns) == ["period", "tasks", "Clarity", "Coordination", "Completion"]
    assert list(trend["period"]) == list(pd.date_range("2024-01-01", "2024-06-01", freq="MS", tz="UTC"))
    assert list(trend["tasks"]) == [1, 1, 1, 2, 1, 2]
    # March is T1 alone: linked, intent, substantive, acceptance, estimated, not a duplicate (all 100), but
    # reopened (0); parent purpose is not measurable within the cohort -> 600 / 7.
    assert float(trend.loc[2, "Clarity"]) == pytest.approx(85.7)


def test_loop_trend_keeps_empty_months():
    tasks = build_tasks()
    trend = c4.loop_trend(tasks[tasks["task_id"].isin(["E1", "T1"])], as_of=AS_OF)
    assert list(trend["tasks"]) == [1, 0, 1]
    assert trend.loc[1, ["Clarity", "Coordination", "Completion"]].isna().all()
    with pytest.raises(OptionError, match="freq"):
        c4.loop_trend(tasks, freq="fortnight")


def test_loop_correlation_is_lagged_and_needs_four_months():
    months = pd.date_range("2024-01-01", periods=4, freq="MS", tz="UTC")
    trend = pd.DataFrame({"period": months, "tasks": 5, "Clarity": [10.0, 40, 20, 30],
                          "Coordination": 50.0, "Completion": [0.0, 10, 40, 20]})
    # Pairs (10, 10), (40, 40), (20, 20): clarity this month predicts completion next month exactly.
    assert c4.loop_correlation(trend) == pytest.approx(1.0)
    assert pd.isna(c4.loop_correlation(trend.iloc[:3]))
    fig = c4.loop_figure(trend)
    assert [t.name for t in fig.data] == ["Clarity", "Coordination", "Completion"]
    # Three pairs give r = 1.00, but the chart shows no r under MIN_SHOWN_PAIRS (12): a room would read it as proof.
    assert "r =" not in fig.layout.title.text and "too few months" in fig.layout.title.text


# --- the sample organisation ---------------------------------------------------------------------------

samples = pytest.importorskip("workfw.samples")


@pytest.fixture(scope="module")
def teams():
    export = samples.load_sample()
    return {team: c4.diagnose(export, team=team) for team in ("Platform", "Growth", "Support", "Data")}


def _signal_scores(teams, name):
    return {team: float(_row(d, name)["score"]) for team, d in teams.items()}


def test_sample_platform_is_clear_but_slow(teams):
    clarity = {team: d.scores()["Clarity"] for team, d in teams.items()}
    assert max(clarity, key=clarity.get) == "Platform"
    platform = teams["Platform"].scores()
    assert platform["Clarity"] - platform["Completion"] > 20


def test_sample_growth_has_ownership_gaps(teams):
    owners = _signal_scores(teams, "Who: open with owner")
    assert min(owners, key=owners.get) == "Growth"
    handoffs = _signal_scores(teams, "Who: reassigned")
    assert min(handoffs, key=handoffs.get) == "Growth"
    overdue = _signal_scores(teams, "When: overdue")
    assert min(overdue, key=overdue.get) == "Growth"


def test_sample_support_work_is_tied_to_no_goal(teams):
    linked = _signal_scores(teams, "Why: linked to a goal")
    assert min(linked, key=linked.get) == "Support"


def test_sample_data_has_the_most_stale_work(teams):
    stale = _signal_scores(teams, "stale")
    assert min(stale, key=stale.get) == "Data"


def test_diagnose_runs_on_every_sample_format():
    for name in samples.list_samples()["name"]:
        result = c4.diagnose(samples.load_sample(name))
        assert list(result.summary.index) == list(c4.ELEMENTS), name
        assert result.scores()["Clarity"] is not None, name
        # Trello has no parent links: Completion (Progress and Outcomes) is then too little measurable to score.
        assert (result.scores()["Completion"] is None) == (name == "trello"), name
        assert [t.name for t in result.figure().data] == list(c4.ELEMENTS), name


# --- WIP-limit what-if ----------------------------------------------------------------------------------

def _flow_tasks() -> pd.DataFrame:
    """20 tasks finished over 4 weeks (5 a week), each in progress for 2 days; 6 in progress, 4 to do."""
    start = pd.Timestamp("2024-05-06", tz="UTC")
    rows = []
    for i in range(20):
        done = start + pd.Timedelta(days=i * 7 / 5 + 1)
        rows.append((f"D{i}", "Done", "done", done - pd.Timedelta(days=5), done - pd.Timedelta(days=2), done))
    for i in range(6):
        rows.append((f"W{i}", "In Progress", "in_progress", start, start + pd.Timedelta(days=1), pd.NaT))
    for i in range(4):
        rows.append((f"T{i}", "To Do", "todo", start, pd.NaT, pd.NaT))
    frame = pd.DataFrame(rows, columns=["task_id", "status", "status_category", "created", "started", "completed"])
    frame["title"] = frame["task_id"]
    frame["updated"] = frame["completed"].fillna(frame["created"])
    frame["team"] = "t"
    return conform_tasks(frame)


def test_wip_what_if_little_law_worked_out_by_hand():
    tasks = _flow_tasks()
    as_of = pd.Timestamp("2024-06-03", tz="UTC")  # 4 weeks after the first week started
    table = c4.wip_what_if(tasks, wip_limit=12, as_of=as_of, runs=500)
    today, limit = table.iloc[0], table.iloc[1]
    weeks = (as_of - tasks["completed"].min()).total_seconds() / 604800
    assert today["wip"] == 6 and today["backlog"] == 10
    assert today["throughput_per_week"] == pytest.approx(20 / weeks)
    assert today["cycle_time_days"] == pytest.approx(6 / (20 / weeks) * 7)
    # A limit of 12 over today's 6 is a cap that does not bind: nothing changes (it used to read as 12 in
    # progress, doubling the cycle time, as if loosening a limit slowed work down).
    assert limit["wip"] == 6 and not table.attrs["binding"] and table.attrs["wip_limit"] == 12
    assert limit["throughput_per_week"] == pytest.approx(today["throughput_per_week"])
    assert limit["cycle_time_days"] == pytest.approx(today["cycle_time_days"])
    assert limit["p85"] == today["p85"]
    assert table.attrs["floor_days"] == pytest.approx(2.0) and table.attrs["measured_cycle_days"] == pytest.approx(2.0)
    assert (table["p50"] <= table["p95"]).all()


def test_wip_what_if_low_limit_starves_throughput_and_delays_the_backlog():
    tasks = _flow_tasks()
    as_of = pd.Timestamp("2024-06-03", tz="UTC")
    base = c4.wip_what_if(tasks, wip_limit=6, as_of=as_of, runs=500)
    low = c4.wip_what_if(tasks, wip_limit=1, as_of=as_of, runs=500)
    # One item at a time at 2 days each is 3.5 a week, below today's pace: cycle time sits at the 2-day floor.
    assert low.iloc[1]["throughput_per_week"] == pytest.approx(3.5)
    assert low.iloc[1]["cycle_time_days"] == pytest.approx(2.0)
    assert low.iloc[1]["p85"] > base.iloc[1]["p85"]
    fig = c4.wip_what_if_figure(low)
    assert [t.name for t in fig.data][0] == "cycle time" and "WIP limit 1" in fig.layout.title.text


def test_wip_what_if_rejects_bad_limits_and_explains_no_throughput():
    with pytest.raises(OptionError, match="wip_limit"):
        c4.wip_what_if(_flow_tasks(), wip_limit=0)
    tasks = _flow_tasks()
    idle = c4.wip_what_if(tasks, wip_limit=3, as_of="2025-06-01", runs=200)
    assert "no task was finished" in idle.attrs["reason"] and idle["p85"].isna().all()
    assert "Cannot forecast" in c4.wip_what_if_figure(idle).to_json()


def test_c4_figures_are_filtered_like_the_diagnosis():
    tasks = _flow_tasks()
    figs = c4.figures(tasks, as_of="2024-06-03", flow_days=30)
    assert len(figs) == 4 and "20 finished" in figs[0].layout.title.text
    none = c4.figures(tasks, team="other")
    assert len(none) == 1 and "No task matches" in none[0].to_json()

"""Work Value Pyramid: levels, roll-up, signals worked out by hand, coverage, figures, samples."""
from __future__ import annotations

import pandas as pd
import pytest

from conftest import assert_reads_on_a_projector
from workfw import value_pyramid as vp
from workfw.errors import OptionError
from workfw.schema import conform_tasks
from workfw.style import NA_COLOUR

AS_OF = pd.Timestamp("2026-03-31", tz="UTC")
CREATED = pd.Timestamp("2026-01-05 09:00", tz="UTC")
UPDATED = pd.Timestamp("2026-03-28", tz="UTC")


def _t(task_id, task_type, category, parent=None, completed=None, **extra):
    row = dict(task_id=task_id, title=f"title {task_id}", task_type=task_type, status_category=category,
               parent_id=parent, created=CREATED, updated=UPDATED, team="Growth",
               completed=pd.Timestamp(completed, tz="UTC") if completed else None)
    row.update(extra)
    return row


def _tasks() -> pd.DataFrame:
    rows = [
        _t("G-1", "Initiative", "in_progress"),
        _t("E-1", "Epic", "done", "G-1", "2026-03-20"),
        _t("E-2", "Epic", "in_progress", title="<script>x</script> checkout"),
        _t("E-3", "Epic", "in_progress"),
        _t("S-1", "Story", "done", "E-1", "2026-03-10", comments=3),
        _t("S-2", "Story", "done", "E-2", "2026-03-25"),
        _t("S-3", "Story", "in_progress", "E-2", started=pd.Timestamp("2026-01-10", tz="UTC")),
        _t("T-1", "Task", "done", completed="2026-03-15", labels=["released"]),
        _t("T-2", "Task", "done", completed="2026-03-16", blocked_by=["INC-1"]),
        _t("INC-1", "Incident", "todo"),
        _t("T-3", "Task", "done", completed="2026-03-17", comments=5),
        _t("T-4", "Task", "todo", labels=["okr:growth"]),
        _t("M-1", "Meeting", "done", "E-2", "2026-02-10"),
        _t("X-1", "Task", "cancelled", "E-2"),
        _t("S-5", "Story", "done", "E-3", "2026-02-01"),
        _t("T-5", "Task", "todo"),
    ]
    return conform_tasks(pd.DataFrame(rows))


def _signal(diagnosis, name):
    return diagnosis.signals.set_index("signal").loc[name]


def test_classify_levels_places_each_task_with_its_reason():
    levels = vp.classify_levels(_tasks()).set_index("task_id")
    expected = {
        "G-1": ("Progress", "open initiative"), "E-1": ("Outcomes", "completed epic"),
        "E-2": ("Progress", "open epic"), "E-3": ("Progress", "open epic"),
        "S-1": ("Outcomes", "completed deliverable whose parent is done"),
        "S-2": ("Progress", "rolls up to E-2"), "S-3": ("Progress", "rolls up to E-2"),
        "T-1": ("Outcomes", "released (fix version or released label)"),
        "T-2": ("Outcomes", "done and linked to a customer or incident ticket"),
        "INC-1": ("Activities", "no parent, epic or goal"), "T-3": ("Activities", "no parent, epic or goal"),
        "T-4": ("Progress", "rolls up to okr:growth"), "M-1": ("Activities", "chore or meeting (overhead)"),
        "X-1": ("Activities", "cancelled before any outcome"), "S-5": ("Progress", "rolls up to E-3"),
        "T-5": ("Activities", "no parent, epic or goal"),
    }
    assert {k: (str(r.level), r.reason) for k, r in levels.iterrows()} == expected
    assert list(levels["level"].cat.categories) == ["Activities", "Progress", "Outcomes"]


def test_a_customer_label_on_the_ticket_itself_is_not_an_outcome():
    tasks = conform_tasks(pd.DataFrame([_t("C-1", "Task", "done", completed="2026-03-01", labels=["customer"])]))
    assert vp.classify_levels(tasks)["level"].tolist() == ["Activities"]


def test_goal_links_walk_the_parent_chain():
    links = vp.goal_links(_tasks()).set_index("task_id")
    assert links.loc["S-1", ["epic_id", "goal_id", "via"]].tolist() == ["E-1", "G-1", "parent"]
    assert links.loc["S-2", ["epic_id", "via"]].tolist() == ["E-2", "parent"]
    assert pd.isna(links.loc["S-2", "goal_id"])
    assert links.loc["T-4", ["epic_id", "via"]].tolist() == ["okr:growth", "label"]
    assert not links.loc["T-3", "rolls_up"] and links.loc["E-1", "rolls_up"] and not links.loc["G-1", "rolls_up"]
    assert links["is_goal"].sum() == 4


def test_a_parent_outside_the_export_counts_as_an_epic():
    tasks = conform_tasks(pd.DataFrame([_t("A-1", "Task", "todo", "EPIC-99"), _t("A-2", "Sub-task", "todo", "A-1")]))
    links = vp.goal_links(tasks).set_index("task_id")
    assert links.loc["A-2", ["rolls_up", "epic_id"]].tolist() == [True, "EPIC-99"]
    assert "1 tasks have a parent that is not in this export" in " ".join(vp.diagnose(tasks).caveats)


def test_rollup_counts_goal_epic_and_orphan_rows():
    table = vp.rollup(_tasks())
    rows = {(r.goal_id if pd.notna(r.goal_id) else None, r.epic_id if pd.notna(r.epic_id) else None):
            (r.tasks, r.done, r.open, r.cancelled, round(float(r.done_share), 4)) for r in table.itertuples()}
    assert rows == {
        (None, None): (5, 3, 2, 0, 0.6),          # INC-1, T-1, T-2, T-3, T-5
        (None, "E-2"): (4, 2, 1, 1, 0.6667),      # S-2, M-1 done; S-3 open; X-1 cancelled
        ("G-1", "E-1"): (1, 1, 0, 0, 1.0),
        (None, "E-3"): (1, 1, 0, 0, 1.0),
        (None, "okr:growth"): (1, 0, 1, 0, 0.0),
    }
    assert table["tasks"].tolist() == [5, 4, 1, 1, 1]
    assert table.loc[table["epic_id"] == "E-1", "goal_title"].tolist() == ["title G-1"]


def test_busyness_counts_events_per_week():
    weekly = vp.busyness(_tasks())
    assert weekly["week"].tolist() == [pd.Timestamp("2026-01-05", tz="UTC"), pd.Timestamp("2026-03-23", tz="UTC")]
    assert weekly[["created", "updated", "comments", "transitions", "total"]].values.tolist() == [
        [16, 0, 0, 0, 16], [0, 16, 8, 0, 24]]


def test_signals_match_hand_computed_values():
    d = vp.diagnose(_tasks(), as_of=AS_OF)
    # Done non-goal tasks: S-1, S-2, T-1, T-2, T-3, M-1, S-5; on a goal: S-1, S-2, M-1, S-5.
    on_goal = _signal(d, "completed work on a goal")
    assert on_goal["value"] == pytest.approx(4 / 7) and on_goal["n"] == 7
    # Epics: E-1 1/1, E-2 2/3 (S-2, M-1 of S-2, S-3, M-1), E-3 1/1.
    assert _signal(d, "epic completion")["score"] == pytest.approx((1 + 2 / 3 + 1) / 3 * 100)
    # Open epics E-2 (S-2 finished 03-25) and E-3 (S-5 finished 02-01, before 03-01).
    assert _signal(d, "active epics that moved")["score"] == pytest.approx(50.0)
    # Goal items G-1, E-1, E-2, E-3; one done.
    goals = _signal(d, "goals completed")
    assert (goals["value"], goals["score"], goals["n"]) == (1.0, 25.0, 4)
    # 4 outcomes / (16 created + 16 updated + 8 comments) = 10 per 100; target 5 caps at 100.
    ratio = _signal(d, "outcome events per 100 activity events")
    assert (ratio["value"], ratio["score"], ratio["n"]) == (10.0, 100.0, 40)
    # Open non-goal: S-3, INC-1, T-4, T-5; INC-1 and T-5 tie to nothing.
    assert _signal(d, "open work tied to a goal")["score"] == pytest.approx(50.0)
    assert d.summary["score"].tolist() == [50.0, 65.3, 62.5]
    assert d.summary["tasks"].tolist() == [5, 7, 4]
    assert d.summary["share"].tolist() == [0.312, 0.438, 0.25]


def test_findings_carry_the_task_ids():
    d = vp.diagnose(_tasks(), as_of=AS_OF)
    by_signal = d.findings.set_index("signal")
    assert by_signal.loc["completed work on a goal", "task_ids"] == ["T-1", "T-2", "T-3"]
    assert by_signal.loc["completed work on a goal", "finding"].startswith("3 of 7 completed tasks roll up to no goal")
    assert by_signal.loc["active epics that moved", "task_ids"] == ["E-3"]
    assert by_signal.loc["goals completed", "task_ids"] == ["E-3"]
    assert by_signal.loc["open work tied to a goal", "task_ids"] == ["INC-1", "T-5"]


def test_framework_options_change_the_scores():
    d = vp.diagnose(_tasks(), as_of=AS_OF, outcome_target=20.0, period_days=90)
    assert _signal(d, "outcome events per 100 activity events")["score"] == pytest.approx(50.0)
    assert _signal(d, "active epics that moved")["score"] == pytest.approx(100.0)
    with pytest.raises(OptionError, match="perod_days"):
        vp.diagnose(_tasks(), perod_days=3)


def test_missing_parent_links_make_progress_not_measurable_not_zero():
    tasks = _tasks().assign(parent_id=pd.NA, labels=[[] for _ in range(16)])
    d = vp.diagnose(conform_tasks(tasks), as_of=AS_OF)
    cover = d.coverage.set_index("signal")
    for name in ("completed work on a goal", "epic completion", "active epics that moved", "open work tied to a goal"):
        assert not cover.loc[name, "measurable"]
        # The reason names the empty field (issue #11): labels stand in for parents where a signal allows it.
        assert cover.loc[name, "reason"].startswith("the export leaves 'parent_id'")
        assert pd.isna(_signal(d, name)["score"])
    assert pd.isna(d.summary.loc["Progress", "score"]) and pd.isna(d.summary.loc["Activities", "score"])
    assert _signal(d, "goals completed")["score"] == 25.0


def test_missing_types_and_dates_make_outcome_signals_not_measurable():
    tasks = _tasks().assign(task_type=pd.NA, created=pd.NaT, updated=pd.NaT, comments=pd.NA)
    d = vp.diagnose(conform_tasks(tasks), as_of=AS_OF)
    cover = d.coverage.set_index("signal")
    assert cover.loc["goals completed", "reason"] == (
        "the export leaves 'task_type' empty on every task (no issue types, so epics and goals cannot be told apart)")
    assert not cover.loc["outcome events per 100 activity events", "measurable"]
    assert pd.isna(d.summary.loc["Outcomes", "score"])


def test_diagnose_is_deterministic():
    first, second = vp.diagnose(_tasks()), vp.diagnose(_tasks())
    assert first.to_dict() == second.to_dict()


def test_progress_and_outcome_signals_stay_stable_for_the_c4_flywheel():
    names = [(s.element, s.name) for s in vp.SIGNALS if s.element in ("Progress", "Outcomes")]
    assert names == [("Progress", "completed work on a goal"), ("Progress", "epic completion"),
                     ("Progress", "active epics that moved"), ("Outcomes", "goals completed"),
                     ("Outcomes", "outcome events per 100 activity events")]


def test_pyramid_figure_has_levels_in_order_scores_and_ratios():
    d = vp.diagnose(_tasks(), as_of=AS_OF)
    fig = d.figure()
    assert [t.name for t in fig.data] == ["Activities", "Progress", "Outcomes"]
    assert [t.customdata[0][0] for t in fig.data] == pytest.approx([50.0, 65.3, 62.5])
    # Bands count cumulatively: all 16 tasks are activity, 7 + 4 reach Progress, 4 reach Outcomes.
    assert [t.x[0] for t in fig.data] == [16, 11, 4]
    assert [t.customdata[0][1:] for t in fig.data] == [[16, "100%", 5], [11, "69%", 7], [4, "25%", 4]]
    texts = [a.text for a in fig.layout.annotations]
    assert "Progress / Activities = 0.69" in texts and "Outcomes / Progress = 0.36" in texts
    assert "reaching each level" in fig.layout.title.text and "at this level or above" in fig.layout.title.text
    assert "7 with Progress as their highest level" in fig.data[1].hovertemplate
    progress_words = next(a.text for a in fig.layout.annotations if a.text.startswith("<b>Progress"))
    assert "11 tasks (69%)" in progress_words and "7 stop here" in progress_words


def test_summary_keeps_the_highest_level_and_adds_the_cumulative_count():
    summary = vp.diagnose(_tasks(), as_of=AS_OF).summary
    assert summary["tasks"].tolist() == [5, 7, 4] and summary["reached"].tolist() == [16, 11, 4]


def test_cumulative_counts_of_a_hand_built_table():
    rows = [_t("A-1", "Task", "todo"), _t("A-2", "Task", "done", completed="2026-03-01"),
            _t("A-3", "Meeting", "done", completed="2026-03-02"),                       # 3 at Activities
            _t("E-9", "Epic", "in_progress"), _t("S-9", "Story", "todo", "E-9"),         # 2 at Progress
            _t("R-1", "Task", "done", completed="2026-03-03", labels=["released"])]      # 1 at Outcomes
    d = vp.diagnose(conform_tasks(pd.DataFrame(rows)), as_of=AS_OF)
    assert d.summary["tasks"].tolist() == [3, 2, 1] and d.summary["reached"].tolist() == [6, 3, 1]
    fig = d.figure()
    assert [t.x[0] for t in fig.data] == [6, 3, 1]
    texts = [a.text for a in fig.layout.annotations]
    assert "Progress / Activities = 0.50" in texts and "Outcomes / Progress = 0.33" in texts


def test_pyramid_figure_draws_unmeasurable_levels_grey():
    tasks = _tasks().assign(parent_id=pd.NA, labels=[[] for _ in range(16)])
    fig = vp.diagnose(conform_tasks(tasks), as_of=AS_OF).figure()
    progress = fig.data[1]
    assert progress.marker.color == NA_COLOUR and progress.customdata[0][0] is None
    assert "not measurable" in progress.text[0]


def test_pyramid_figure_title_is_short_and_no_text_is_rotated():
    d = vp.diagnose(_tasks(), as_of=AS_OF)
    for fig in (d.figure(), vp.scored_figure(None), vp.scored_figure({"Outcomes": 20})):
        assert_reads_on_a_projector(fig)
    # Each level's words sit beside the pyramid, never inside a band that may be a sliver.
    assert all(t.textposition == "none" for t in d.figure().data)


def test_rollup_figure_escapes_labels_and_aggregates_small_epics():
    table = vp.rollup(_tasks())
    fig = vp.rollup_figure(table)
    labels = list(fig.data[0].labels)
    assert "&lt;script&gt;x&lt;/script&gt; checkout" in labels and not any("<script>" in x for x in labels)
    assert "Not tied to a goal" in labels
    small = vp.rollup_figure(table, max_epics=1)
    assert "Other epics (3)" in list(small.data[0].labels)
    values = dict(zip(small.data[0].ids, small.data[0].values))
    assert values["other"] == 3 and values["orphan"] == 5


samples = pytest.importorskip("workfw.samples")


@pytest.mark.parametrize("name", list(samples.list_samples()["name"]))
def test_diagnose_runs_on_every_sample(name):
    d = vp.diagnose(samples.load_sample(name))
    assert list(d.summary.index) == list(vp.ELEMENTS)
    assert d.summary["share"].sum() == pytest.approx(1.0, abs=0.002)
    # The base is the widest band and no conversion between bands exceeds 1.
    fig = d.figure()
    widths = [t.x[0] for t in fig.data]
    assert widths[0] == int(d.summary["tasks"].sum())
    assert all(lower >= upper for lower, upper in zip(widths, widths[1:])), widths
    ratios = [float(a.text.rsplit("= ", 1)[1]) for a in fig.layout.annotations if " / " in a.text]
    assert len(ratios) == 2 and all(0 <= r <= 1 for r in ratios), ratios


def test_sample_support_is_busy_with_work_tied_to_no_goal():
    export = samples.load_sample("jira-api")
    on_goal = {team: float(_signal(vp.diagnose(export, team=team), "completed work on a goal")["value"])
               for team in ("Platform", "Growth", "Support", "Data")}
    assert min(on_goal, key=on_goal.get) == "Support" and on_goal["Support"] < 0.2
    shares = vp.diagnose(export, team="Support").summary["share"]
    assert shares["Activities"] > 0.6


def test_figures_draw_the_rollup_of_the_selection():
    figs = vp.figures(_tasks(), as_of=AS_OF, period_days=10)
    assert len(figs) == 1 and figs[0].data[0].type == "sunburst"
    assert "No task matches" in vp.figures(_tasks(), as_of=AS_OF, team="nobody")[0].to_json()


def test_scored_figure_is_a_triangle_coloured_by_score():
    fig = vp.scored_figure({"Outcomes": 20})
    assert [t.x[0] for t in fig.data] == [90.0, 60.0, 30.0]
    assert fig.data[0].marker.color == NA_COLOUR and fig.data[2].marker.color != NA_COLOUR
    assert "not answered" in fig.data[0].text[0] and "score 20" in fig.data[2].text[0]

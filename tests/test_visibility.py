"""Work Visibility: levels, fit check, staleness, late capture, signals worked out by hand, figures, samples."""
from __future__ import annotations

import pandas as pd
import pytest

from conftest import assert_reads_on_a_projector
from workfw import visibility as vis
from workfw.errors import OptionError
from workfw.schema import conform_tasks
from workfw.style import NA_COLOUR

AS_OF = pd.Timestamp("2026-03-31", tz="UTC")
ELEMENTS = ["Private", "Personal System", "Team Visible", "Cross-functional Visible", "Organizational Visible"]


def _ts(text):
    return pd.Timestamp(text, tz="UTC")


def _t(task_id, task_type, category, team, assignee, reporter, updated, **extra):
    row = dict(task_id=task_id, title=f"title {task_id}", task_type=task_type, status_category=category, team=team,
               assignee=assignee, reporter=reporter, created=_ts("2026-01-05"), updated=_ts(updated))
    row.update(extra)
    return row


def _tasks() -> pd.DataFrame:
    rows = [
        _t("PE-1", "Epic", "in_progress", "Platform", "ann", "ann", "2026-03-20", priority="High"),
        _t("P-1", "Story", "in_progress", "Platform", "bob", "ann", "2026-03-25", parent_id="PE-1"),
        _t("P-2", "Task", "todo", "Platform", "bob", "bob", "2026-01-10", priority="High"),
        _t("P-3", "Chore", "todo", "Platform", "bob", "ann", "2026-03-25", parent_id="PE-1", priority="Low"),
        _t("G-1", "Task", "in_progress", "Growth", "cat", "cat", "2026-03-28", blocked_by=["P-2", "OPS-7", "P-1"]),
        _t("G-2", "Task", "todo", "Growth", "cat", "bob", "2026-03-28"),
        _t("G-3", "Task", "in_progress", "Growth", None, "cat", "2026-03-28", comments=2, parent_id="PE-1",
           priority="High"),
        _t("X-1", "Task", "todo", None, "dan", "dan", "2026-02-01"),
        _t("D-1", "Task", "done", "Growth", "cat", None, "2026-03-10 10:20", created=_ts("2026-03-10 10:00"),
           completed=_ts("2026-03-10 10:20")),
        _t("D-2", "Task", "done", "Platform", "ann", None, "2026-02-20", created=_ts("2026-02-01"),
           started=_ts("2026-02-02"), completed=_ts("2026-02-20")),
    ]
    return conform_tasks(pd.DataFrame(rows))


def _signal(diagnosis, element):
    return diagnosis.signals.set_index("element").loc[element]


def test_each_task_gets_the_highest_level_it_meets():
    levels = vis.visibility_levels(_tasks(), as_of=AS_OF).set_index("task_id")
    assert list(levels.columns) == ["level", "reason", "under_visible", "over_exposed"]
    assert {k: (str(r.level), r.reason) for k, r in levels.iterrows()} == {
        "PE-1": ("Organizational Visible", "is an epic, milestone or goal item"),
        "P-1": ("Organizational Visible", "rolls up to PE-1"),
        "P-2": ("Personal System", "stale: open and not updated for over 30 days"),
        "P-3": ("Organizational Visible", "rolls up to PE-1"),
        "G-1": ("Cross-functional Visible", "depends on another team's item"),
        "G-2": ("Cross-functional Visible", "reported from another team"),
        "G-3": ("Personal System", "no owner"),
        "X-1": ("Personal System", "one person only, in no shared project or team"),
        "D-1": ("Team Visible", "shared project, owner and current status"),
        "D-2": ("Team Visible", "shared project, owner and current status"),
    }
    assert levels.index[levels["under_visible"]].tolist() == ["P-2", "G-3"]
    assert levels.index[levels["over_exposed"]].tolist() == ["P-3"]


def test_a_longer_stale_window_lifts_the_blocking_task_to_cross_functional():
    levels = vis.visibility_levels(_tasks(), as_of=AS_OF, stale_days=90).set_index("task_id")
    assert (str(levels.loc["P-2", "level"]), levels.loc["P-2", "reason"]) == (
        "Cross-functional Visible", "another team's item depends on it")
    assert str(levels.loc["X-1", "level"]) == "Personal System"
    assert not levels.loc["P-2", "under_visible"]


def test_signals_match_hand_computed_values():
    d = vis.diagnose(_tasks(), as_of=AS_OF)
    # D-1 was done 20 minutes after it was created; D-2 was not.
    private = _signal(d, "Private")
    assert (private["value"], private["score"], private["n"]) == (0.5, 50.0, 2)
    # Open: PE-1 P-1 P-2 P-3 G-1 G-2 G-3 X-1; kept to one person or unshared at L2: P-2, X-1.
    assert (_signal(d, "Personal System")["score"], _signal(d, "Personal System")["n"]) == (75.0, 8)
    # Owner and update since 03-01: all open but P-2 (stale), G-3 (no owner), X-1 (stale).
    assert _signal(d, "Team Visible")["score"] == 62.5
    # G-1 waits on P-2 (L2), OPS-7 (not in export) and P-1 (L5): one of three seen from both sides.
    assert _signal(d, "Cross-functional Visible")["score"] == pytest.approx(100 / 3)
    # Major open work: PE-1 (epic, high), P-2 (high), G-3 (high, under PE-1): one rolls up.
    assert _signal(d, "Organizational Visible")["score"] == pytest.approx(100 / 3)
    summary = d.summary
    assert summary["score"].tolist() == [50.0, 75.0, 62.5, 33.3, 33.3]
    assert summary["tasks"].tolist()[1:] == [3, 2, 2, 3] and pd.isna(summary.loc["Private", "tasks"])
    assert summary["share"].tolist()[1:] == [0.3, 0.2, 0.2, 0.3] and pd.isna(summary.loc["Private", "share"])
    assert summary["under_visible"].tolist() == [0, 2, 0, 0, 0]
    assert summary["over_exposed"].tolist() == [0, 0, 0, 0, 1]


def test_findings_name_the_tasks():
    found = vis.diagnose(_tasks(), as_of=AS_OF).findings.set_index("signal")
    assert found.loc["late capture", "task_ids"] == ["D-1"]
    assert found.loc["open work kept personal", "task_ids"] == ["P-2", "X-1"]
    assert found.loc["owner and fresh status", "task_ids"] == ["P-2", "G-3", "X-1"]
    assert found.loc["dependencies visible from both sides", "task_ids"] == ["G-1"]
    assert found.loc["dependencies visible from both sides", "finding"].startswith(
        "2 of 3 open cross-team dependencies")
    assert found.loc["major work on a goal", "task_ids"] == ["PE-1", "P-2"]
    assert found.loc["fit check: under-visible", ["task_ids", "severity"]].tolist() == [["P-2", "G-3"], "high"]
    assert found.loc["fit check: over-exposed", "task_ids"] == ["P-3"]


def test_removed_fields_turn_their_signals_not_measurable():
    tasks = _tasks().assign(assignee=pd.NA, blocked_by=[[] for _ in range(10)], completed=pd.NaT)
    d = vis.diagnose(conform_tasks(tasks), as_of=AS_OF)
    cover = d.coverage.set_index("element")
    # Reasons name the empty fields (issue #11), checked before the signal runs.
    assert cover.loc["Team Visible", "reason"] == "the export leaves 'assignee' and 'assignees' empty on every task"
    assert cover.loc["Cross-functional Visible", "reason"] == "the export leaves 'blocked_by' empty on every task"
    assert cover.loc["Private", "reason"] == "the export leaves 'completed' empty on every task"
    for element in ("Private", "Team Visible", "Cross-functional Visible"):
        assert pd.isna(d.summary.loc[element, "score"])
    # Without assignees nobody is judged "kept to one person"; only X-1 (no team) stays personal.
    assert d.summary.loc["Personal System", "score"] == 87.5
    assert any("no assignees" in c for c in d.caveats)


def test_missing_goal_links_make_organizational_not_measurable():
    d = vis.diagnose(conform_tasks(_tasks().assign(parent_id=pd.NA)), as_of=AS_OF)
    assert not d.coverage.set_index("element").loc["Organizational Visible", "measurable"]
    assert pd.isna(d.summary.loc["Organizational Visible", "score"])


def test_staleness_buckets_open_tasks_by_days_since_update():
    table = vis.staleness(_tasks(), as_of=AS_OF)
    assert table["bucket"].astype(str).tolist() == ["0-7 days", "7-14 days", "14-30 days", "30-60 days",
                                                    "60-90 days", "90+ days"]
    assert table["todo"].tolist() == [2, 0, 0, 1, 1, 0]
    assert table["in_progress"].tolist() == [3, 1, 0, 0, 0, 0]
    assert table["share"].tolist() == [0.625, 0.125, 0.0, 0.125, 0.125, 0.0]
    assert table["stale"].tolist() == [False, False, False, True, True, True]
    with pytest.raises(OptionError, match="increasing positive"):
        vis.staleness(_tasks(), bins=(30, 7))


def test_late_capture_by_week():
    table = vis.late_capture_by_week(_tasks())
    assert table["week"].tolist() == [_ts("2026-02-16"), _ts("2026-03-09")]
    assert table[["done", "late"]].values.tolist() == [[1, 0], [1, 1]]
    assert table["late_share"].tolist() == [0.0, 1.0]


def test_diagnose_is_deterministic():
    assert vis.diagnose(_tasks()).to_dict() == vis.diagnose(_tasks()).to_dict()


def test_staircase_figure_has_levels_in_order_scores_and_fit_markers():
    fig = vis.diagnose(_tasks(), as_of=AS_OF).figure()
    assert [t.name for t in fig.data] == ELEMENTS + ["under-visible", "over-exposed"]
    assert [t.customdata[0][0] for t in fig.data[:5]] == pytest.approx([50.0, 75.0, 62.5, 33.3, 33.3])
    # Equal steps rising to the right; the task counts are written, not drawn as step lengths.
    assert [t.y[0] for t in fig.data[:5]] == [1, 2, 3, 4, 5]
    assert [t.width[0] for t in fig.data[:5]] == [1.0] * 5
    assert [t.customdata[0][1] for t in fig.data[1:5]] == [3, 2, 2, 3]
    assert fig.data[0].marker.pattern.shape == "/"
    under, over = fig.data[5], fig.data[6]
    assert (list(under.x), under.customdata[0][0], under.text[0]) == ([1], 2, "▲ 2 under-visible")
    assert (list(over.x), over.customdata[0][0], over.text[0]) == ([4], 1, "▼ 1 over-exposed")
    # The counts sit in their own rows below the steps, clear of every step's words.
    assert under.y[0] < 0 and over.y[0] < 0 and under.y[0] != over.y[0]
    assert "P-2, G-3" in under.hovertemplate
    zone = fig.layout.shapes[0]
    assert (zone.x0, zone.x1) == (fig.data[2].x[0] - 0.5, fig.data[4].x[0] + 0.5)


def test_staircase_draws_unmeasurable_levels_grey():
    tasks = _tasks().assign(assignee=pd.NA)
    fig = vis.diagnose(conform_tasks(tasks), as_of=AS_OF).figure()
    team = fig.data[2]
    assert team.marker.color == NA_COLOUR and "not measurable" in team.text[0]


def test_staircase_title_is_short_and_no_text_is_rotated():
    figs = [vis.diagnose(_tasks(), as_of=AS_OF).figure(), vis.scored_figure(None),
            vis.scored_figure({"Team Visible": 80})]
    for fig in figs:
        assert_reads_on_a_projector(fig)
        assert all(t.textposition == "none" for t in fig.data[:5])  # words are annotations, never squeezed
    words = [a.text for a in figs[2].layout.annotations]
    assert words.count("not answered") == 4 and "<b>score 80</b>" in words


def test_chart_figures_build():
    stale = vis.staleness_figure(vis.staleness(_tasks(), as_of=AS_OF))
    assert [t.name for t in stale.data] == ["todo", "in progress"] and list(stale.data[0].y) == [2, 0, 0, 1, 1, 0]
    late = vis.late_capture_figure(vis.late_capture_by_week(_tasks()))
    assert [t.name for t in late.data] == ["finished", "logged after the fact", "late share"]
    assert list(late.data[2].y) == [0.0, 1.0]


samples = pytest.importorskip("workfw.samples")


@pytest.mark.parametrize("name", list(samples.list_samples()["name"]))
def test_diagnose_runs_on_every_sample(name):
    d = vis.diagnose(samples.load_sample(name))
    assert list(d.summary.index) == ELEMENTS
    assert d.summary["share"].sum() == pytest.approx(1.0, abs=0.002)


def test_sample_data_team_logs_late_and_lets_work_go_stale():
    export = samples.load_sample("jira-api")
    by_team = {team: vis.diagnose(export, team=team).summary["score"]
               for team in ("Platform", "Growth", "Support", "Data")}
    private = {team: float(s["Private"]) for team, s in by_team.items()}
    team_visible = {team: float(s["Team Visible"]) for team, s in by_team.items()}
    assert min(private, key=private.get) == "Data"
    assert min(team_visible, key=team_visible.get) == "Data"


def test_figures_follow_stale_days_and_filters():
    loose = vis.figures(_tasks(), as_of=AS_OF, stale_days=90)
    strict = vis.figures(_tasks(), as_of=AS_OF, stale_days=7)
    assert [f.layout.title.text for f in strict] == ["Open tasks by days since last update",
                                                    "Finished work per week and the share logged after the fact"]
    # The shaded stale zone starts at the bucket that begins at stale_days.
    assert strict[0].layout.shapes[0].x0 < loose[0].layout.shapes[0].x0
    assert sum(sum(t.y) for t in vis.figures(_tasks(), as_of=AS_OF, team="nobody")[0].data) == 0


def test_scored_figure_draws_equal_steps_and_grey_for_unanswered():
    fig = vis.scored_figure({"Team Visible": 80})
    bars = fig.data[:5]
    assert [b.width[0] for b in bars] == [1.0] * 5 and bars[0].marker.color == NA_COLOUR
    assert "not answered" in bars[0].text[0] and "score 80" in bars[2].text[0]
    plain = vis.scored_figure()
    assert "shared system" in plain.data[2].text[0]

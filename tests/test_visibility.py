"""Work Visibility: levels, fit check, staleness, late capture, signals worked out by hand, figures, samples."""
from __future__ import annotations

import dataclasses

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
    assert list(levels.columns) == ["level", "reason", "under_visible", "over_exposed", "kind"]
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
    # Major: an epic, high priority, blocking G-1 (P-1, P-2) or waiting on another team (G-1).
    assert levels["kind"].astype(str).to_dict() == {
        "PE-1": "Major work", "P-1": "Major work", "P-2": "Major work", "P-3": "Low-priority chores",
        "G-1": "Major work", "G-2": "Routine work", "G-3": "Major work", "X-1": "Routine work",
        "D-1": "Routine work", "D-2": "Routine work"}
    assert list(levels["kind"].cat.categories) == list(vis.KINDS)


def test_fit_by_kind_counts_open_work_per_kind_and_level():
    fit = vis.fit_by_kind(_tasks(), as_of=AS_OF)
    assert list(fit.columns) == ["kind", "level", "tasks", "open", "share", "fit", "under_visible", "over_exposed",
                                 "example_ids", "example_titles"]
    cells = {kind: group["tasks"].tolist() for kind, group in fit.groupby("kind", sort=False)}
    # Levels Personal System, Team, Cross-functional, Organizational; D-1 and D-2 are done, so not counted.
    assert cells == {"All open work": [3, 0, 2, 3], "Major work": [2, 0, 1, 2], "Routine work": [1, 0, 1, 0],
                     "Low-priority chores": [0, 0, 0, 1]}
    assert fit.groupby("kind", sort=False)["share"].sum().tolist() == pytest.approx([1.0] * 4)
    assert fit.loc[fit["kind"] == "Major work", "share"].tolist() == pytest.approx([0.4, 0.0, 0.2, 0.4])
    # The levels that fit differ by kind of work.
    verdicts = {kind: group["fit"].tolist() for kind, group in fit.groupby("kind", sort=False)}
    assert verdicts == {"All open work": [""] * 4,
                        "Major work": ["below", "below", "appropriate", "appropriate"],
                        "Routine work": ["below", "appropriate", "appropriate", "appropriate"],
                        "Low-priority chores": ["below", "appropriate", "appropriate", "above"]}
    under = fit[(fit["kind"] == "Major work") & (fit["fit"] == "below")]
    assert under["under_visible"].tolist() == [2, 0] and fit["under_visible"].sum() == 2 * 2  # and in all work
    assert under["example_ids"].tolist() == [["P-2", "G-3"], []]
    assert under["example_titles"].tolist()[0] == ["title P-2", "title G-3"]
    over = fit[(fit["kind"] == "Low-priority chores") & (fit["fit"] == "above")]
    assert over["example_ids"].tolist() == [["P-3"]] and over["over_exposed"].tolist() == [1]


def test_a_stale_epic_is_major_work_below_its_levels_but_not_flagged_by_the_fit_check():
    tasks = conform_tasks(pd.DataFrame([
        _t("E-1", "Epic", "in_progress", "Growth", "cat", "cat", "2026-01-10"),
        _t("S-1", "Story", "in_progress", "Growth", "cat", "dan", "2026-03-28", parent_id="E-1"),
    ]))
    levels = vis.visibility_levels(tasks, as_of=AS_OF).set_index("task_id")
    assert (str(levels.loc["E-1", "level"]), str(levels.loc["E-1", "kind"])) == ("Personal System", "Major work")
    # The framework's fit check names high-priority or blocking work only; the kind's levels count the epic.
    assert not levels["under_visible"].any()
    fit = vis.fit_by_kind(tasks, as_of=AS_OF).set_index(["kind", "level"])
    assert fit.loc[("Major work", "Personal System"), ["tasks", "fit", "under_visible"]].tolist() == [1, "below", 0]
    label = next(a.text for a in vis.diagnose(tasks, as_of=AS_OF).figure().layout.annotations
                 if a.text.startswith("<b>Major work"))
    assert "1 below its levels" in label and "▲ 0 under-visible" in label


def _routine(task_id, **extra):
    return _t(task_id, "Story", "in_progress", "Growth", "cat", "dan", "2026-03-28", priority="Medium", **extra)


def test_routine_work_at_team_visible_is_not_under_visible():
    tasks = conform_tasks(pd.DataFrame([_routine(f"R-{i}") for i in range(4)]))
    levels = vis.visibility_levels(tasks, as_of=AS_OF)
    assert levels["level"].astype(str).unique().tolist() == ["Team Visible"]
    assert levels["kind"].astype(str).unique().tolist() == ["Routine work"]
    assert not levels["under_visible"].any() and not levels["over_exposed"].any()
    d = vis.diagnose(tasks, as_of=AS_OF)
    fit = d.fit.set_index(["kind", "level"])
    assert fit.loc[("Routine work", "Team Visible"), ["tasks", "share", "fit"]].tolist() == [4, 1.0, "appropriate"]
    assert (fit.loc[fit["fit"] == "below", "tasks"] == 0).all()
    assert d.summary["under_visible"].sum() == 0 and "fit check: under-visible" not in set(d.findings["signal"])
    words = [a.text for a in d.figure().layout.annotations]
    assert any("Major work</b> · no open tasks" in w for w in words)
    assert not any("below its levels" in w for w in words)


def test_a_high_priority_task_kept_personal_is_under_visible():
    tasks = conform_tasks(pd.DataFrame([
        _routine("R-1"),
        # One person only, in no shared team or project: Personal System, yet high priority.
        _t("H-1", "Task", "todo", None, "eve", "eve", "2026-03-28", priority="Highest",
           title="<script>alert(1)</script> & co"),
    ]))
    levels = vis.visibility_levels(tasks, as_of=AS_OF).set_index("task_id")
    assert (str(levels.loc["H-1", "level"]), str(levels.loc["H-1", "kind"])) == ("Personal System", "Major work")
    assert levels["under_visible"].to_dict() == {"R-1": False, "H-1": True}
    d = vis.diagnose(tasks, as_of=AS_OF)
    assert d.summary.loc["Personal System", "under_visible"] == 1
    fig = d.figure()
    cell = fig.data[1]  # Personal System: one bar per row, Major work second
    assert list(cell.customdata[1][:2]) == ["Major work", 1]
    assert "H-1: &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in cell.hovertext[1]
    assert "<script>" not in fig.to_json()
    assert any("▲ 1 under-visible" in a.text for a in fig.layout.annotations)


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


def test_figure_shows_shares_per_kind_against_the_levels_that_fit_it():
    d = vis.diagnose(_tasks(), as_of=AS_OF)
    fig = d.figure()
    assert [t.name for t in fig.data] == ELEMENTS + ["shares"]
    assert fig.data[0].marker.pattern.shape == "/"  # Private: in no export
    rows = ["All open work", "Major work", "Routine work", "Low-priority chores"]
    # Bar heights are shares of each row's open work, drawn to the same scale in every row.
    heights = {t.name: [h / 0.75 for h in t.y] for t in fig.data[1:5]}
    assert [heights[e][1] for e in ELEMENTS[1:]] == pytest.approx([0.4, 0.0, 0.2, 0.4])
    assert [list(t.customdata[1][:2]) for t in fig.data[1:5]] == [["Major work", n] for n in (2, 0, 1, 2)]
    # Colour says how a level fits the kind: red below, blue within, purple above; grey for all work.
    assert list(fig.data[1].marker.color) == ["#8C8C8C", "#D6604D", "#D6604D", "#D6604D"]
    assert list(fig.data[4].marker.color) == ["#8C8C8C", "#4393C3", "#4393C3", "#8073AC"]
    # The shaded levels differ by kind: Cross-functional up for major work, Team Visible up for routine work,
    # Team to Cross-functional for low-priority chores.
    zones = [(z.x0, z.x1) for z in fig.layout.shapes if z.type == "rect"]
    assert zones == [(2.5, 4.5), (1.5, 4.5), (1.5, 3.5)]
    written = list(fig.data[-1].text)  # the share over each bar, row by row within each level
    assert written[:4] == ["38%", "▲ 40%", "50%", "0%"] and written[-4:] == ["38%", "40%", "0%", "▼ 100%"]
    assert "P-2: title P-2" in fig.data[-1].hovertext[1]
    words = [a.text for a in fig.layout.annotations]
    labels = [w for w in words if any(w.startswith(f"<b>{r}</b>") for r in rows)]
    assert len(labels) == 4 and "2 below its levels" in labels[1] and "▲ 2 under-visible" in labels[1]
    assert "▼ 1 over-exposed" in labels[3]
    assert "1 below its levels" in labels[2]
    assert "P-2: title P-2<br>G-3: title G-3" in fig.data[1].hovertext[1]


def test_figure_says_what_each_level_score_measures_in_neutral_ink():
    fig = vis.diagnose(_tasks(), as_of=AS_OF).figure()
    footer = {a.text.split("</b>")[0].replace("<b>", "").replace("<br>", " "): a for a in fig.layout.annotations
              if "score" in a.text or "not measurable" in a.text}
    assert "score 75<br>25% kept personal" in footer["Personal System"].text
    assert footer["Personal System"].hovertext == (
        "Personal System score 75 = 100 - 25% of open work kept to one person or in no shared project or team")
    assert "score 50<br>50% logged late" in footer["Private"].text
    assert "score 62<br>62% owned, current" in footer["Team Visible"].text
    assert "score 33<br>33% links seen<br>both ways" in footer["Cross-functional Visible"].text
    # No level is painted in the score colours: the scores are words, the colours are the fit.
    bar_colours = {c for t in fig.data[1:5] for c in t.marker.color}
    assert bar_colours <= {"#8C8C8C", "#D6604D", "#4393C3", "#8073AC"}
    assert {a.font.color for a in footer.values()} == {"#222"}


def test_figure_says_not_measurable_for_a_level_without_a_score():
    tasks = _tasks().assign(assignee=pd.NA)
    fig = vis.diagnose(conform_tasks(tasks), as_of=AS_OF).figure()
    team = next(a for a in fig.layout.annotations if a.text.startswith("<b>Team Visible</b>"))
    assert "not measurable" in team.text and team.hovertext == "Team Visible: not measurable"


def test_figure_needs_the_fit_table():
    d = vis.diagnose(_tasks(), as_of=AS_OF)
    with pytest.raises(OptionError, match="no 'fit' table"):
        vis.figure(dataclasses.replace(d, fit=None))


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
    # Each kind's shares cover its open work; the figure's fit counts are the summary's fit check.
    counted = d.fit[d.fit["open"] > 0].groupby("kind")["share"].sum()
    assert counted.tolist() == pytest.approx([1.0] * len(counted))
    assert d.fit.loc[d.fit["kind"] == "All open work", "tasks"].sum() == d.fit.loc[
        d.fit["kind"] != "All open work", "tasks"].sum()
    kinds = d.fit[d.fit["kind"] != "All open work"]
    flagged = (kinds["under_visible"].sum(), kinds["over_exposed"].sum())
    assert flagged == (d.summary["under_visible"].sum(), d.summary["over_exposed"].sum())
    # Under-visible work is major work below its levels; over-exposed work is chores above theirs.
    assert kinds.loc[kinds["fit"] != "below", "under_visible"].sum() == 0
    assert kinds.loc[kinds["fit"] != "above", "over_exposed"].sum() == 0
    assert_reads_on_a_projector(d.figure())


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

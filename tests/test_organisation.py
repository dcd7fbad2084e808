"""The organisation at a glance: team scores equal each framework's own diagnosis, small teams are marked, the
heatmap shows what the table says (escaped), the drill-down lists a team's findings, and the view is wired."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import workfw as wf
from workfw import organisation as org
from workfw.errors import OptionError, SchemaError
from workfw.export import ImportReport, TaskExport
from workfw.frameworks import FRAMEWORKS, get_framework
from workfw.schema import conform_tasks, empty_events
from workfw.widgets import OrganisationModel, OrganisationView

EVIL = "<b>Beta</b>"
ELEMENTS = {key: list(get_framework(key).module().ELEMENTS) for key in FRAMEWORKS}
N_ELEMENTS = sum(len(v) for v in ELEMENTS.values())


def _ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def _team(prefix: str, team: str | None, n: int, *, project: str = "P") -> list[dict]:
    rows = []
    for i in range(n):
        done = i % 3 == 0
        rows.append(dict(
            task_id=f"{prefix}-{i}", title=f"task {prefix} {i}", description=" ".join(["word"] * (5 + 3 * i)),
            task_type="Epic" if i == 0 else "Task", status="Done" if done else ("In Progress" if i % 3 == 1 else "To Do"),
            status_category="done" if done else ("in_progress" if i % 3 == 1 else "todo"),
            assignee=None if i % 4 == 3 else f"{prefix.lower()}{i % 2}", reporter=f"{prefix.lower()}0", team=team,
            project=project, parent_id=None if i == 0 else f"{prefix}-0", priority="High" if i % 2 else "Low",
            created=_ts("2026-01-05") + pd.Timedelta(days=i), updated=_ts("2026-03-01") + pd.Timedelta(days=2 * i),
            started=_ts("2026-01-10") + pd.Timedelta(days=i) if i % 3 != 2 else pd.NaT,
            completed=_ts("2026-02-01") + pd.Timedelta(days=i) if done else pd.NaT,
            due=_ts("2026-04-01") + pd.Timedelta(days=i) if i % 2 else pd.NaT))
    return rows


def _export(rows: list[dict], file: str) -> TaskExport:
    tasks = conform_tasks(pd.DataFrame(rows))
    return TaskExport(tasks=tasks, events=empty_events(), raw=pd.DataFrame(index=tasks.index),
                      report=ImportReport(source="table", file=file, rows_read=len(tasks)))


@pytest.fixture
def export() -> TaskExport:
    """Three teams: Alpha (9 tasks), an HTML-named team (8) and Tiny (2), and one task naming no team."""
    return _export(_team("A", "Alpha", 9) + _team("B", EVIL, 8) + _team("T", "Tiny", 2) + _team("X", None, 1),
                   "org.csv")


def _scores_of(scores: pd.DataFrame, team: str, source: str | None = None) -> dict[tuple[str, str], float]:
    rows = scores[(scores["team"] == team) & ((scores["source"] == source) if source else True)]
    return {(r.framework, r.element): r.score for r in rows.itertuples()}


def _own(export: TaskExport, team: str) -> dict[tuple[str, str], float]:
    out = {}
    for key in FRAMEWORKS:
        diagnosis = getattr(wf, key).diagnose(export, team=team)
        out.update({(key, e): (math.nan if s is None else s) for e, s in diagnosis.scores().items()})
    return out


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all((math.isnan(a[k]) and math.isnan(b[k])) or a[k] == b[k] for k in a)


def test_team_scores_equal_each_frameworks_own_diagnosis_and_mark_the_small_team(export):
    scores = org.team_scores(export, min_tasks=5)
    assert list(scores.columns) == list(org.SCORE_COLUMNS)
    assert N_ELEMENTS == 17 and len(scores) == 4 * 17
    assert list(dict.fromkeys(scores["team"])) == [EVIL, "Alpha", "Tiny", org.NO_TEAM]  # sorted, then no team
    assert scores.groupby("team", sort=False)["tasks"].first().to_dict() == {EVIL: 8, "Alpha": 9, "Tiny": 2,
                                                                           org.NO_TEAM: 1}
    assert set(scores["source"]) == {"org.csv"} and set(scores["by"]) == {"team"}
    for team in ("Alpha", EVIL):
        mine = _scores_of(scores, team)
        assert _same(mine, _own(export, team))
        assert sum(not math.isnan(v) for v in mine.values()) >= 5, "the comparison must cover real scores"
        assert scores.loc[(scores["team"] == team) & scores["score"].notna(), "reason"].isna().all()
    tiny = scores[scores["team"] == "Tiny"]
    assert tiny["score"].isna().all() and set(tiny["reason"]) == {"too few tasks to score (2 < 5)"}
    nobody = scores[scores["team"] == org.NO_TEAM]
    assert nobody["score"].isna().all()
    assert set(nobody["reason"]) == {"1 task names no team; a team filter cannot select it, so no row scores it"}
    assert list(scores.loc[scores["team"] == "Alpha", "element"]) == [e for k in FRAMEWORKS for e in ELEMENTS[k]]
    assert list(scores.loc[scores["team"] == "Alpha", "framework_title"].unique()) == list(FRAMEWORKS.values())


def test_team_scores_never_change_their_input(export):
    before = export.tasks.copy()
    scores = org.team_scores(export, min_tasks=5)
    kept = scores.copy()
    org.mark_small_teams(scores, min_tasks=10)
    org.heatmap_figure(scores, highlight="Alpha")
    org.team_findings(export, team="Alpha")
    pd.testing.assert_frame_equal(export.tasks, before)
    pd.testing.assert_frame_equal(scores, kept)


def test_mark_small_teams_moves_the_threshold_without_diagnosing_again(export):
    scores = org.team_scores(export, min_tasks=1)
    assert scores.loc[scores["team"] == "Tiny", "score"].notna().any(), "scored with min_tasks=1"
    marked = org.mark_small_teams(scores, min_tasks=9)
    assert set(marked.loc[marked["team"] == "Tiny", "reason"]) == {"too few tasks to score (2 < 9)"}
    assert set(marked.loc[marked["team"] == EVIL, "reason"]) == {"too few tasks to score (8 < 9)"}
    assert marked.loc[marked["team"].isin(["Tiny", EVIL]), "score"].isna().all()
    assert _same(_scores_of(marked, "Alpha"), _scores_of(scores, "Alpha"))  # 9 tasks: kept
    assert marked.loc[marked["team"] == org.NO_TEAM, "reason"].str.startswith("1 task names no team").all()
    # The same table team_scores gives with that threshold.
    pd.testing.assert_frame_equal(marked, org.team_scores(export, min_tasks=9))


def test_several_exports_keep_each_source_apart(export):
    other = _export(_team("C", "Alpha", 6) + _team("D", "Gamma", 7), "org.csv")
    scores = org.team_scores([export, other], min_tasks=5)
    assert list(dict.fromkeys(scores["source"])) == ["org.csv", "org.csv (2)"]
    pairs = list(dict.fromkeys(zip(scores["source"], scores["team"])))
    assert pairs == [("org.csv", EVIL), ("org.csv", "Alpha"), ("org.csv", "Tiny"), ("org.csv", org.NO_TEAM),
                     ("org.csv (2)", "Alpha"), ("org.csv (2)", "Gamma")]
    # Alpha twice: each row scored on its own export, never pooled.
    assert _same(_scores_of(scores, "Alpha", "org.csv"), _own(export, "Alpha"))
    assert _same(_scores_of(scores, "Alpha", "org.csv (2)"), _own(other, "Alpha"))
    assert scores.loc[scores["source"] == "org.csv (2)"].groupby("team")["tasks"].first().to_dict() == {
        "Alpha": 6, "Gamma": 7}
    named = org.team_scores({"Jira": export, "Asana": other}, frameworks=["visibility"], min_tasks=5)
    assert list(dict.fromkeys(named["source"])) == ["Jira", "Asana"] and set(named["framework"]) == {"visibility"}
    # Combined into one export first, the two Alphas are one team of 15 tasks.
    combined = org.team_scores(wf.combine_exports([export, other], id_prefix="always"), min_tasks=5)
    assert combined.groupby("team")["tasks"].first()["Alpha"] == 15


def test_by_project_reads_exports_that_name_no_team():
    export = _export(_team("P", None, 7, project="PLAT") + _team("G", None, 6, project="GROW"), "jira.csv")
    by_team = org.team_scores(export, min_tasks=5)
    assert set(by_team["team"]) == {org.NO_TEAM} and by_team["tasks"].eq(13).all()
    by_project = org.team_scores(export, by="project", min_tasks=5)
    assert list(dict.fromkeys(by_project["team"])) == ["GROW", "PLAT"] and set(by_project["by"]) == {"project"}
    plat = {(r.framework, r.element): r.score for r in by_project[by_project["team"] == "PLAT"].itertuples()}
    own = {}
    for key in FRAMEWORKS:
        own.update({(key, e): (math.nan if s is None else s)
                    for e, s in getattr(wf, key).diagnose(export, project="PLAT").scores().items()})
    assert _same(plat, own)


@pytest.mark.parametrize("call, words", [
    (lambda e: org.team_scores(e, by="squad"), "by='squad'"),
    (lambda e: org.team_scores(e, min_tasks=0), "min_tasks=0"),
    (lambda e: org.team_scores(e, min_tasks=2.5), "min_tasks=2.5"),
    (lambda e: org.team_scores(e, team="Alpha"), "team='Alpha'"),
    (lambda e: org.team_scores(e, stale_dayz=3), "stale_dayz"),
    (lambda e: org.team_scores(e, frameworks=["c5"]), "c5"),
    (lambda e: org.team_scores([]), "empty list"),
    (lambda e: org.team_scores({"": e}), "source labels"),
    (lambda e: org.team_findings(e, team="Omega"), "'Omega' is not in org.csv"),
])
def test_bad_options_raise_workfw_errors_that_say_what_to_do(export, call, words):
    with pytest.raises(OptionError) as raised:
        call(export)
    assert words in str(raised.value) and "Next step" in str(raised.value)


def test_heatmap_draws_scores_grey_cells_and_escaped_names(export):
    scores = org.team_scores(export, min_tasks=5)
    fig = org.heatmap_figure(scores, highlight="Alpha")
    assert len(fig.data) == 2 * len(FRAMEWORKS)
    names = [a.text for a in fig.layout.annotations]
    assert names == list(FRAMEWORKS.values())
    c4, grey = fig.data[0], fig.data[1]
    labels = list(c4.y)
    assert labels == ["&lt;b&gt;Beta&lt;/b&gt; (8 tasks)", "<b>Alpha (9 tasks)</b>", "Tiny (2 tasks, too few)",
                      "(no team) (1 task)"]
    z = np.array(c4.z, dtype=float)
    alpha = scores[(scores["team"] == "Alpha") & (scores["framework"] == "c4_flywheel")]["score"].to_numpy()
    np.testing.assert_array_equal(z[1], alpha)
    assert np.isnan(z[2]).all() and np.isnan(z[3]).all()
    # Numbers are whole; grey cells carry a word, and only the grey trace draws them.
    words = np.array(c4.text)
    assert all(w == "" or w.isdigit() for w in words.ravel())
    assert list(np.array(grey.text)[2]) == ["too few"] * 4 and list(np.array(grey.text)[3]) == ["n/a"] * 4
    assert list(np.array(grey.z, dtype=float)[2]) == [1.0] * 4 and list(np.array(grey.z, dtype=float)[3]) == [0.0] * 4
    hover = np.array(c4.customdata)
    assert "too few tasks to score (2 &lt; 5)" in hover[2][0] and "2 tasks" in hover[2][0]
    assert hover[0][0].startswith("<b>&lt;b&gt;Beta&lt;/b&gt;</b> · org.csv<br>C4 Flywheel: Clarity<br>")
    shape = fig.layout.shapes[0]
    assert (shape.y0, shape.y1, shape.xref, shape.yref) == (0.5, 1.5, "paper", "y")
    assert [list(p) for p in fig.layout.coloraxis.colorscale] == [list(p) for p in org.SCORE_SCALE]
    assert (fig.layout.coloraxis.cmin, fig.layout.coloraxis.cmax) == (0, 100)
    assert "<b>Beta" not in json.dumps(fig.to_plotly_json(), default=str)


def test_heatmap_names_sources_when_there_are_several(export):
    other = _export(_team("C", "Alpha", 6), "asana.csv")
    fig = org.heatmap_figure(org.team_scores({"Jira": export, "Asana": other}, frameworks=["visibility"],
                                             min_tasks=5), highlight=("Asana", "Alpha"))
    assert list(fig.data[0].y)[1] == "Alpha · Jira (9 tasks)"
    assert list(fig.data[0].y)[-1] == "<b>Alpha · Asana (6 tasks)</b>"
    assert len(fig.data) == 2 and fig.layout.shapes[0].y0 == 3.5


def test_heatmap_refuses_another_table():
    with pytest.raises(SchemaError, match="team_scores"):
        org.heatmap_figure(pd.DataFrame({"team": ["A"], "score": [1.0]}))


def test_team_findings_list_every_frameworks_findings_most_severe_first(export):
    found = org.team_findings(export, team="Alpha")
    assert list(found.columns) == list(org.FINDING_COLUMNS)
    expected = []
    for key, title in FRAMEWORKS.items():
        f = getattr(wf, key).diagnose(export, team="Alpha").findings
        expected += [(title, str(r.severity), r.element, r.finding, int(r.tasks)) for r in f.itertuples()]
    assert len(expected) > 0
    assert sorted(map(tuple, found[["Framework", "Severity", "Element", "Finding", "Tasks"]].to_numpy().tolist())) \
        == sorted(expected)
    rank = found["Severity"].map({"high": 0, "medium": 1, "low": 2})
    assert rank.is_monotonic_increasing
    ids = found["Example tasks"].str.split(", ").map(len)
    assert (ids <= 5).all()


def test_model_scores_once_and_follows_threshold_and_team(export):
    model = OrganisationModel(export, min_tasks=5)
    assert [v for _, v in model.choices] == [("org.csv", EVIL), ("org.csv", "Alpha"), ("org.csv", "Tiny")]
    assert [label for label, _ in model.choices] == [EVIL, "Alpha", "Tiny"]
    assert model.choice == ("org.csv", EVIL) and model.figure.layout.shapes[0].y0 == -0.5
    assert "too few" in list(model.figure.data[1].text[2])
    scored = model.all_scores
    model.min_tasks = 9
    assert model.all_scores is scored, "moving the threshold diagnoses nothing again"
    assert list(model.figure.data[0].y)[0] == "<b>&lt;b&gt;Beta&lt;/b&gt; (8 tasks, too few)</b>"
    assert "Fewer than 9 tasks" in model.selection_html()
    model.choice = ("org.csv", "Alpha")
    pd.testing.assert_frame_equal(model.findings, org.team_findings(export, team="Alpha"))
    assert model.figure.layout.shapes[0].y0 == 0.5
    assert model.selection_html().startswith(f"<p><b>Alpha</b>: 9 tasks, {len(model.findings)} findings")
    with pytest.raises(OptionError, match="'Omega' is not a team"):
        OrganisationModel(export, team="Omega")


def test_view_links_its_controls_to_the_model(export):
    view = OrganisationView(export, min_tasks=5, team="Alpha")
    assert view.team.description == "Team" and view.team.value == ("org.csv", "Alpha")
    first = view.chart.outputs[0]["data"]["application/vnd.plotly.v1+json"]
    view.team.value = ("org.csv", "Tiny")
    assert view.model.choice == ("org.csv", "Tiny")
    after = view.chart.outputs[0]["data"]["application/vnd.plotly.v1+json"]
    assert after != first and after["layout"]["shapes"][0]["y0"] == 1.5
    assert "<b>Tiny</b>: 2 tasks" in view.detail.value and "Fewer than 5 tasks" in view.detail.value
    table = view.table.outputs[0]["data"]["text/html"]
    assert ("Finding" in table) == (not view.model.findings.empty)
    view.min_tasks.value = 10
    assert view.model.min_tasks == 10
    marked = view.chart.outputs[0]["data"]["application/vnd.plotly.v1+json"]
    assert "(9 tasks, too few)" in json.dumps(marked["data"][0]["y"])


def test_view_of_an_export_naming_no_team_says_what_to_do():
    export = _export(_team("P", None, 7, project="PLAT"), "jira.csv")
    view = OrganisationView(export)
    assert view.team.options[0][0] == "No team in this export" and view.model.choice == ()
    assert 'by="project"' in view.detail.value
    by_project = OrganisationView(export, by="project", min_tasks=5)
    assert by_project.team.description == "Project" and by_project.model.choice == ("jira.csv", "PLAT")

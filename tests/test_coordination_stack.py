"""The Coordination Stack on a hand-built export whose every signal is worked out below."""
from __future__ import annotations

import pandas as pd
import pytest

from conftest import assert_reads_on_a_projector
from workfw import coordination_stack as cs
from workfw.core.diagnosis import Diagnosis
from workfw.errors import OptionError
from workfw.export import ImportReport, TaskExport
from workfw.schema import conform_events, conform_tasks
from workfw.style import NA_COLOUR, score_colour

AS_OF = pd.Timestamp("2024-07-01", tz="UTC")
LONG = ("This epic exists so that customers can sign in on every device without calling support "
        "and we can measure it")  # 20 words
STORY = ("Acceptance criteria: the page loads in two seconds because users leave when it is slow "
         "and we lose them")  # 18 words


def _t(text):
    return pd.Timestamp(text, tz="UTC") if text else pd.NaT


def build_tasks() -> pd.DataFrame:
    """Eight tasks: two epics (E1, E2) and six pieces of work (T1-T6)."""
    rows = [
        # id, type, status, category, description, parent, labels, assignee, assignees, reporter, team,
        # created, updated, started, completed, due, iteration, estimate, blocked_by, comments, resolution, title
        ("E1", "Epic", "In Progress", "in_progress", LONG, None, [], "ann", ["ann"], "ann", "platform",
         "2024-01-01", "2024-06-25", "2024-06-21", None, None, "Q3", None, [], 2, None, "Sign in everywhere"),
        ("E2", "Epic", "To Do", "todo", "Grow revenue", None, [], None, [], "bob", "growth",
         "2024-02-01", "2024-02-01", None, None, None, None, None, [], None, None, "Grow revenue"),
        ("T1", "Story", "Done", "done", STORY, "E1", [], "bob", ["bob"], "ann", "platform",
         "2024-03-01", "2024-03-10 15:00", "2024-03-05", "2024-03-10 15:00", "2024-03-10", None, 3.0, [], 1, None,
         "Fast sign in page"),
        ("T2", "Story", "Done", "done", None, "E1", [], "bob", ["bob"], "ann", "platform",
         "2024-04-01", "2024-04-20 12:00", None, "2024-04-20 12:00", "2024-04-15", None, None, [], 0, None,
         "Sign in with Google"),
        ("T3", "Task", "In Progress", "in_progress", "- [ ] step one", "E2", [], "cat", ["cat", "dan"], "dan",
         "growth", "2024-05-01", "2024-06-28", "2024-05-02", None, "2024-06-01", None, None, ["T4"], 4, None,
         "Price test"),
        ("T4", "Task", "To Do", "todo", None, None, ["okr-growth"], "eve", ["eve"], "eve", "growth",
         "2024-04-01", "2024-04-01", None, None, None, None, None, [], 0, None, "Survey churned users"),
        ("T5", "Task", "To Do", "todo", "Depends on the auth rewrite", None, [], "ann", ["ann"], "bob", "platform",
         "2024-06-20", "2024-06-20", None, None, "2024-08-01", None, None, [], None, None,
         "Fix the login page bug"),
        ("T6", "Task", "Cancelled", "cancelled", None, None, [], None, [], "fay", "platform",
         "2024-06-21", "2024-06-22", None, None, None, None, None, [], 0, "Duplicate", "Fix the login page bug!"),
    ]
    cols = ["task_id", "task_type", "status", "status_category", "description", "parent_id", "labels", "assignee",
            "assignees", "reporter", "team", "created", "updated", "started", "completed", "due", "iteration",
            "estimate", "blocked_by", "comments", "resolution", "title"]
    frame = pd.DataFrame(rows, columns=cols)
    for col in ("created", "updated", "started", "completed", "due"):
        frame[col] = frame[col].map(_t)
    frame["project"] = "WEB"
    return conform_tasks(frame)


def build_events() -> pd.DataFrame:
    rows = [
        ("T1", "2024-03-05", "status", "To Do", "In Progress", "bob"),
        ("T1", "2024-03-08", "status", "In Progress", "Done", "bob"),
        ("T1", "2024-03-09", "status", "Done", "In Progress", "bob"),  # reopened
        ("T1", "2024-03-10 15:00", "status", "In Progress", "Done", "bob"),
        ("T2", "2024-04-20 12:00", "status", "To Do", "Done", "bob"),  # jumped straight to done
        ("T3", "2024-05-01", "assignee", None, "fay", "fay"),          # first assignment: not a hand-off
        ("T3", "2024-05-02", "assignee", "fay", "cat", "fay"),         # reassigned
        ("T3", "2024-05-02", "status", "To Do", "In Progress", "cat"),
        ("T5", "2024-06-25", "due", "2024-07-15", "2024-08-01", "ann"),  # due date moved
    ]
    frame = pd.DataFrame(rows, columns=["task_id", "at", "field", "old", "new", "author"])
    frame["at"] = pd.to_datetime(frame["at"], utc=True, format="ISO8601")
    return conform_events(frame)


def build_export(*, events: bool = True) -> TaskExport:
    tasks = build_tasks()
    history = build_events() if events else conform_events(pd.DataFrame(columns=["task_id", "at", "field"]))
    return TaskExport(tasks=tasks, events=history, raw=pd.DataFrame(),
                      report=ImportReport(source="hand", file="hand.csv", rows_read=len(tasks)))


@pytest.fixture(scope="module")
def stack() -> Diagnosis:
    return cs.diagnose(build_export(), as_of=AS_OF)


def _signal(diagnosis: Diagnosis, name: str) -> pd.Series:
    row = diagnosis.signals.set_index("signal").loc[name]
    return row


# name -> (value, score, n), each worked out by hand from build_tasks/build_events.
EXPECTED = {
    # Why: work = T1..T6; linked by parent T1, T2, T3 and by the okr label T4.
    "linked to a goal": (4 / 6, 400 / 6, 6),
    "parent purpose written": (0.5, 50.0, 2),          # E1 substantive, E2 two words
    "intent stated": (2 / 5, 40.0, 5),                 # E1 "so that", T1 "because" of 5 described
    # What
    "substantive description": (2 / 8, 25.0, 8),       # E1 and T1
    "acceptance criteria": (2 / 8, 25.0, 8),           # T1 text, T3 checklist
    "estimated": (1 / 8, 12.5, 8),                     # T1
    "duplicates": (1 / 8, 87.5, 8),                    # T6 resolved duplicate (and repeats T5's title)
    "reopened": (0.5, 50.0, 2),                        # T1 reopened, T2 not
    # Who: open = E1, E2, T3, T4, T5
    "open with owner": (0.8, 80.0, 5),                 # E2 has none
    "single owner": (0.75, 75.0, 4),                   # T3 shared by cat and dan
    "orphaned": (0.25, 75.0, 4),                       # eve last seen 2024-04-01, 91 days ago
    "reassigned": (1 / 8, 87.5, 8),                    # T3 fay -> cat
    # When
    "open with date": (0.6, 60.0, 5),                  # E1 sprint, T3 and T5 due
    "overdue": (0.5, 50.0, 2),                         # T3 due 2024-06-01
    "on time": (0.5, 50.0, 2),                         # T1 finished on its due day, T2 late
    "due date moved": (0.25, 75.0, 4),                 # T5 of dated T1, T2, T3, T5
    "undated age": (121.0, 59 / 166 * 100, 2),         # E2 151 days, T4 91 days: median 121
    # How
    "current": (0.6, 60.0, 5),                         # E1, T3, T5 updated since 2024-06-17
    "went through in-progress": (0.5, 50.0, 2),        # T1 yes, T2 no
    "stages used": (4.0, 100.0, 8),                    # 4 status names; to-do, in-progress and done used
    "dependencies recorded": (0.25, 100.0, 8),         # T3 link, T5 text; above the 10% target
    "time in status": (35.0, 25.0, 2),                 # E1 10 days (started), T3 60 days (history)
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_signal_matches_the_hand_worked_value(stack, name):
    value, score, n = EXPECTED[name]
    row = _signal(stack, name)
    assert float(row["value"]) == pytest.approx(value)
    assert float(row["score"]) == pytest.approx(score)
    assert int(row["n"]) == n


def test_every_signal_is_covered_by_a_hand_worked_value():
    assert [s.name for s in cs.SIGNALS] == list(EXPECTED)
    assert [s.element for s in cs.SIGNALS][:3] == ["Why"] * 3


def test_summary_is_the_mean_per_layer_in_stack_order(stack):
    assert list(stack.summary.index) == ["Why", "What", "Who", "When", "How"]
    assert stack.scores() == {
        "Why": pytest.approx(52.2), "What": pytest.approx(40.0), "Who": pytest.approx(79.4),
        "When": pytest.approx(54.1), "How": pytest.approx(67.0)}
    assert stack.summary.loc["What", "signals_measured"] == 5


def test_root_cause_points_below_the_weak_layers(stack):
    assert cs.root_cause(stack) == "Why"
    text = cs.root_cause_text(stack)
    assert text == ("What (40) and When (54) are weak (below 60); the lowest weak layer beneath is Why (52): "
                    "fix Why first.")
    assert text in stack.caveats
    first = stack.findings.iloc[0]
    assert (first["element"], first["signal"], first["severity"]) == ("Why", "root cause", "high")
    assert cs.root_cause(stack, weak_below=45) == "What"


def _fake(scores: dict) -> Diagnosis:
    summary = pd.DataFrame({"score": pd.array([scores.get(e) for e in cs.ELEMENTS], dtype="Float64"),
                            "signals_measured": 1, "signals_total": 1}, index=pd.Index(cs.ELEMENTS, name="element"))
    empty = pd.DataFrame()
    return Diagnosis("Coordination Stack", cs.ELEMENTS, summary, empty, empty, empty, [], AS_OF,
                     {"weak_below": 60.0}, _draw=cs.figure)


def test_root_cause_variants():
    assert cs.root_cause(_fake({"Why": 80, "What": 70, "Who": 50, "When": 30, "How": None})) == "Who"
    assert cs.root_cause(_fake({"Why": 80, "What": 70, "Who": 60, "When": 90, "How": 61})) is None
    alone = _fake({"Why": 80, "What": 70, "Who": 65, "When": 90, "How": 20})
    assert cs.root_cause(alone) == "How"
    assert cs.root_cause_text(alone) == "How is weak (20, below 60) while the layers beneath it hold: fix How itself."
    unknown = _fake({"Why": None, "What": 40, "Who": 65, "When": 50, "How": 90})
    assert cs.root_cause(unknown) == "What"
    assert cs.root_cause_text(unknown).endswith("Why could not be measured, so the cause may lie there too.")


def test_findings_name_the_tasks_behind_them(stack):
    found = stack.findings.set_index("signal")
    assert found.loc["orphaned", "task_ids"] == ["T4"]
    assert found.loc["orphaned", "finding"].startswith("1 of 4 owned open tasks are orphaned")
    assert found.loc["overdue", "task_ids"] == ["T3"]
    assert found.loc["open with owner", "task_ids"] == ["E2"]
    assert found.loc["undated age", "task_ids"] == ["E2", "T4"]
    assert found.loc["time in status", "task_ids"] == ["T3"]
    assert found.loc["went through in-progress", "task_ids"] == ["T2"]


def test_without_history_the_history_signals_are_not_measurable():
    result = cs.diagnose(build_export(events=False), as_of=AS_OF)
    cover = result.coverage.set_index("signal")
    for name in ("reopened", "reassigned", "due date moved", "went through in-progress"):
        assert not cover.loc[name, "measurable"]
        assert "no status history" in cover.loc[name, "reason"]
        assert pd.isna(_signal(result, name)["score"])
    # Time in status falls back to the start time: T3 started 2024-05-02, 60 days; E1 10 days.
    assert float(_signal(result, "time in status")["value"]) == pytest.approx(35.0)
    assert any("no status history" in c for c in result.caveats)


@pytest.mark.parametrize("columns, signals", [
    (("parent_id", "labels"), ("linked to a goal",)),
    (("description",), ("parent purpose written", "intent stated", "substantive description",
                        "acceptance criteria")),
    (("assignee", "assignees"), ("open with owner", "single owner", "orphaned")),
    (("due", "iteration"), ("open with date", "overdue", "on time", "undated age")),
    (("updated",), ("current", "orphaned")),
    (("estimate",), ("estimated",)),
])
def test_an_empty_field_turns_its_signals_into_na_not_zero(columns, signals):
    tasks = build_tasks()
    for col in columns:
        tasks[col] = [[] for _ in range(len(tasks))] if col in ("labels", "assignees") else pd.NA
    result = cs.diagnose(conform_tasks(tasks), as_of=AS_OF)
    cover = result.coverage.set_index("signal")
    for name in signals:
        assert pd.isna(_signal(result, name)["score"]), name
        assert not cover.loc[name, "measurable"]
        assert cover.loc[name, "reason"].startswith(("the export", "no "))


def test_a_layer_with_nothing_measurable_is_na():
    tasks = build_tasks()
    tasks["assignee"] = pd.NA
    tasks["assignees"] = [[] for _ in range(len(tasks))]
    result = cs.diagnose(conform_tasks(tasks), as_of=AS_OF)
    assert result.scores()["Who"] is None
    assert result.summary.loc["Who", "signals_measured"] == 0


def test_diagnose_is_deterministic_and_does_not_mutate_input():
    export = build_export()
    before = export.tasks.copy()
    first = cs.diagnose(export)
    second = cs.diagnose(export)
    pd.testing.assert_frame_equal(first.signals, second.signals)
    pd.testing.assert_frame_equal(first.findings, second.findings)
    pd.testing.assert_frame_equal(export.tasks, before)
    assert first.as_of == pd.Timestamp("2024-06-28", tz="UTC")  # latest timestamp in the data


def test_options_are_checked_and_used():
    with pytest.raises(OptionError, match="fresh_dayz"):
        cs.diagnose(build_export(), fresh_dayz=3)
    wider = cs.diagnose(build_export(), as_of=AS_OF, fresh_days=100)
    assert float(_signal(wider, "current")["value"]) == pytest.approx(0.8)  # only E2 not updated in 100 days
    assert wider.options["fresh_days"] == 100
    platform = cs.diagnose(build_export(), as_of=AS_OF, team="platform")
    assert int(_signal(platform, "open with owner")["n"]) == 2  # E1 and T5


def test_figure_draws_five_layers_why_at_the_bottom(stack):
    fig = stack.figure()
    assert [t.name for t in fig.data] == ["Why", "What", "Who", "When", "How"]
    assert list(fig.layout.yaxis.categoryarray) == ["Why", "What", "Who", "When", "How"]
    assert [t.customdata[0] for t in fig.data] == pytest.approx([52.2, 40.0, 79.4, 54.1, 67.0])
    assert fig.data[1].marker.color == score_colour(40.0)
    assert fig.data[0].x[0] == pytest.approx(52.2) and fig.data[0].base[0] == pytest.approx(23.9)
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrows) == 1 and arrows[0].y == "Why" and "fix Why first" in arrows[0].text
    assert "root cause: Why" in fig.layout.title.text


def test_figure_draws_not_measurable_layers_grey():
    fig = cs.figure(_fake({"Why": None, "What": 40, "Who": 65, "When": 50, "How": 90}))
    assert fig.data[0].marker.color == NA_COLOUR
    assert fig.data[0].text[0] == "Why: not measurable"
    assert fig.data[0].customdata[0] is None
    assert [a.y for a in fig.layout.annotations if a.showarrow] == ["What"]


@pytest.mark.parametrize("scores", [{"Why": 3, "What": 40, "Who": 65, "When": 50, "How": 90},
                                    {"Why": None, "What": None, "Who": None, "When": None, "How": None}])
def test_figure_title_is_short_and_no_text_is_rotated(scores):
    for fig in (cs.figure(_fake(scores)), cs.scored_figure(None), cs.scored_figure(scores)):
        assert_reads_on_a_projector(fig)
    # A narrow layer keeps its words at full size: they run past its edges instead of shrinking or turning.
    narrow = cs.figure(_fake({"Why": 3, "What": 40, "Who": 65, "When": 50, "How": 90}))
    assert narrow.data[0].constraintext == "none" and narrow.data[0].textangle == 0
    arrow = [a for a in narrow.layout.annotations if a.showarrow][0]
    assert arrow.x > 50 + 3 / 2  # it stops after the label "Why: 3", not on it


def test_hover_text_is_escaped():
    fig = cs.figure(_fake({"Why": 10, "What": 40, "Who": 65, "When": 50, "How": 90}))
    assert all("<" not in t.hovertext[0] for t in fig.data)


# --- the sample organisation ---------------------------------------------------------------------------

samples = pytest.importorskip("workfw.samples")


@pytest.fixture(scope="module")
def teams():
    export = samples.load_sample()
    return {team: cs.diagnose(export, team=team) for team in ("Platform", "Growth", "Support", "Data")}


def _lowest(teams, element):
    scores = {team: d.scores()[element] for team, d in teams.items()}
    return min(scores, key=scores.get)


def test_sample_teams_fail_where_they_were_designed_to(teams):
    assert _lowest(teams, "Why") == "Support"        # busy with work tied to no goal
    assert _lowest(teams, "Who") == "Growth"         # ownership gaps
    assert cs.root_cause(teams["Support"]) == "Why"
    current = {team: float(_signal(d, "current")["score"]) for team, d in teams.items()}
    assert min(current, key=current.get) == "Data"   # stale work
    platform = teams["Platform"].scores()
    assert platform["Why"] > 90 and platform["What"] > 80  # clear but slow
    assert all(teams["Platform"].scores()["Why"] > d.scores()["Why"] for t, d in teams.items() if t != "Platform")


def test_diagnose_runs_on_every_sample_format():
    for name in samples.list_samples()["name"]:
        result = cs.diagnose(samples.load_sample(name))
        assert list(result.summary.index) == list(cs.ELEMENTS), name
        assert all(result.scores()[e] is not None for e in cs.ELEMENTS), name
        assert [t.name for t in result.figure().data] == list(cs.ELEMENTS), name


# --- open work with an owner and a due date over time ----------------------------------------------

def test_open_work_coverage_counts_worked_out_by_hand():
    table = cs.open_work_coverage(build_export(), freq="M", by=None, as_of=AS_OF)
    by_month = table.set_index(table["period"].dt.strftime("%Y-%m"))
    # End of April: E1, E2 and T4 open (T2 closed on the 20th, T3 created on 1 May); E1 and T4 owned; none dated.
    assert by_month.loc["2024-04", ["open", "with_owner", "with_due"]].tolist() == [3, 2, 0]
    # End of May: T3 joins (owned by cat since 2 May, due 1 June).
    assert by_month.loc["2024-05", ["open", "with_owner", "with_due"]].tolist() == [4, 3, 1]
    # At AS_OF: E1, E2, T3, T4, T5 open; E2 unowned; T3 and T5 dated.
    assert by_month.loc["2024-07", ["open", "with_owner", "with_due"]].tolist() == [5, 4, 2]
    assert by_month.loc["2024-07", "owner_share"] == pytest.approx(0.8)
    assert table.attrs["basis"] == "history"


def test_open_work_coverage_reads_owners_back_from_history():
    tasks = conform_tasks(pd.DataFrame({
        "task_id": ["A"], "title": ["a"], "status": ["To Do"], "status_category": ["todo"], "assignee": ["ann"],
        "team": ["t"], "created": [pd.Timestamp("2024-01-01", tz="UTC")],
        "updated": [pd.Timestamp("2024-03-15", tz="UTC")]}))
    events = conform_events(pd.DataFrame({"task_id": ["A"], "at": [pd.Timestamp("2024-03-15", tz="UTC")],
                                          "field": ["assignee"], "old": [None], "new": ["ann"], "author": ["bob"]}))
    export = TaskExport(tasks=tasks, events=events, raw=pd.DataFrame({"task_id": ["A"]}),
                        report=ImportReport(source="test", file="t", rows_read=1))
    with_history = cs.open_work_coverage(export, freq="M", as_of="2024-03-31")
    assert with_history["with_owner"].tolist() == [0, 0, 1] and with_history["team"].tolist() == ["t"] * 3
    today_only = cs.open_work_coverage(tasks, freq="M", as_of="2024-03-31")
    assert today_only["with_owner"].tolist() == [1, 1, 1] and today_only.attrs["basis"] == "current values"


def test_open_work_coverage_figure_and_options():
    table = cs.open_work_coverage(build_export(), as_of=AS_OF)
    assert set(table["team"]) == {"growth", "platform"}
    fig = cs.open_work_coverage_figure(table)
    assert [t.name for t in fig.data] == ["growth", "growth", "platform", "platform"]
    assert fig.data[0].yaxis == "y" and fig.data[1].yaxis == "y2"
    with pytest.raises(OptionError, match="freq"):
        cs.open_work_coverage(build_export(), freq="D")
    with pytest.raises(OptionError, match="by="):
        cs.open_work_coverage(build_export(), by="nope")
    only = cs.figures(build_export(), as_of=AS_OF, team="growth", fresh_days=3)[0]
    assert {t.name for t in only.data} == {"growth"}


@pytest.mark.parametrize("repeats", [1, 40])
def test_word_counts_per_distinct_text_equal_splitting_every_row(repeats):
    """Repeated descriptions are split once per distinct text: the counts are those of splitting each row."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from workfw.coordination_stack.facts import _word_count

    from workfw.core import mostly_repeated

    pool = ["one two", "  three  four five ", None, "", "a\u00a0b c", "x\ty\nz", "日本 語", "\u3000lead"]
    rng = np.random.default_rng(repeats)
    # Every tenth row from the awkward pool, the rest "w<i> v<i> ..." texts each written `repeats` times.
    cells = [pool[i % len(pool)] if i % 10 == 0 else f"w{i // repeats} v{i // repeats} " + "u " * (i % 7)
             for i in range(4000)]
    text = pd.Series([cells[i] for i in rng.permutation(4000)], dtype="string", index=range(3, 4003))
    assert mostly_repeated(pa.array(text.array), share=0.8) == (repeats > 1)  # both paths are taken
    expected = pc.list_value_length(pc.utf8_split_whitespace(pa.array(text.array))).fill_null(0)
    got = _word_count(text)
    assert got.index.equals(text.index) and got.tolist() == expected.to_pylist()
    assert got.max() >= 3

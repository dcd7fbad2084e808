"""Missing is not measurable (issue #11): a field the export lacks makes every signal that needs it NA, never 0.

Covers the declared fields of every signal (blanked one by one on the sample), the two sparse Jira
exports users sent (a saved filter's default columns, and one with only Status and Assignee), an export
without a status column, element scores that rest on too few signals, and plain DataFrames lacking
canonical columns or holding the wrong types.
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import workfw as wf
from workfw import c4_flywheel, coordination_stack, value_pyramid, visibility
from workfw.core.diagnosis import HISTORY, TOO_LITTLE, SignalSpec, prepare, run_signals, summarise
from workfw.errors import SchemaError, WorkfwError
from workfw.schema import LIST_COLUMNS, TASK_COLUMNS, conform_tasks, empty_events

FIXTURES = Path(__file__).parent / "fixtures"
DEFAULT_COLUMNS = FIXTURES / "jira_default_columns.csv"  # Issue Type, Issue key, Issue id, Summary, Reporter
STATUS_ASSIGNEE = FIXTURES / "jira_status_assignee.csv"  # Summary, Issue key, Issue id, Status, Assignee
MODULES = (c4_flywheel, coordination_stack, value_pyramid, visibility)
AS_OF = pd.Timestamp("2026-03-31", tz="UTC")


@pytest.fixture(scope="module")
def sample():
    return wf.load_sample()


# --------------------------------------------------------------------------- every declared field, blanked

def _blank(tasks: pd.DataFrame, fields: tuple[str, ...]) -> pd.DataFrame:
    """A copy of ``tasks`` without ``fields``: NA, or empty lists; blanking status blanks its category too."""
    out = tasks.copy()
    for name in fields:
        for col in ((name, "status_category") if name == "status" else (name,)):
            if col in LIST_COLUMNS:
                out[col] = pd.Series([[] for _ in range(len(out))], index=out.index, dtype=object)
            else:
                out[col] = pd.Series(pd.NA, index=out.index).astype(out[col].dtype)
    return out


def _requirement_sets() -> list[tuple[str, ...]]:
    """Each canonical field alone, each set of alternatives a signal declares ("due|iteration"), and history."""
    single = [(c,) for c in TASK_COLUMNS if c != "task_id"]  # the id is the key, not a field a signal reads
    groups = {tuple(need.split("|")) for m in MODULES for s in m.SIGNALS for need in s.required if "|" in need}
    return single + sorted(groups) + [(HISTORY,)]


def test_every_signal_declares_known_fields():
    known = set(TASK_COLUMNS) | {HISTORY}
    for module in MODULES:
        for spec in module.SIGNALS:
            assert spec.required, (module.__name__, spec.name)
            for need in (*spec.required, *spec.optional):
                assert set(need.split("|")) <= known, (module.__name__, spec.name, need)
            assert spec.fields[: len(spec.required[0].split("|"))] == tuple(spec.required[0].split("|"))


def test_signals_that_split_open_from_done_require_the_status_category():
    for name in ("open with owner", "overdue", "current", "goals completed", "open work kept personal",
                 "late capture", "owner and fresh status", "stale", "cancelled", "resolved / created"):
        specs = [s for m in MODULES for s in m.SIGNALS if s.name == name]
        assert specs, name
        assert all("status_category" in s.required for s in specs), name


@pytest.mark.parametrize("blanked", _requirement_sets(), ids="+".join)
def test_blanking_a_required_field_makes_its_signals_not_measurable(sample, blanked):
    tasks = _blank(sample.tasks, tuple(f for f in blanked if f != HISTORY))
    events = empty_events() if HISTORY in blanked else sample.events
    data = SimpleNamespace(tasks=tasks, events=events)
    gone = set(blanked) | ({"status_category"} if "status" in blanked else set())
    for module in MODULES:
        d = module.diagnose(data)
        cover = d.coverage.set_index("signal")
        scores = d.signals.set_index("signal")["score"]
        for spec in module.SIGNALS:
            needs = [set(n.split("|")) for n in spec.required]
            if not any(n <= gone for n in needs):
                continue
            name = spec.name
            assert not cover.loc[name, "measurable"], (module.__name__, name, blanked)
            assert pd.isna(scores[name]), (module.__name__, name, blanked)
            reason = cover.loc[name, "reason"]
            named = [f for n in needs if n <= gone for f in n]
            words = ["history" if f == HISTORY else repr(f) for f in named]
            assert any(w in reason for w in words), (module.__name__, name, reason)
        # No element score rests on less than half of its signals, blank or not.
        summary = d.summary
        thin = summary["signals_measured"] * 2 < summary["signals_total"]
        assert summary.loc[thin, "score"].isna().all()


def test_blanking_status_leaves_nothing_open_or_done(sample):
    tasks = _blank(sample.tasks, ("status",))
    ctx = prepare(SimpleNamespace(tasks=tasks, events=sample.events))
    assert ctx.open.empty and ctx.done.empty and ctx.open_core.empty and ctx.done_core.empty
    d = visibility.diagnose(SimpleNamespace(tasks=tasks, events=sample.events))
    assert d.summary["score"].isna().all()
    assert (d.summary["reason"].str.startswith(TOO_LITTLE)).all()


# --------------------------------------------------------------------------- the sparse Jira exports

@pytest.mark.parametrize("path", [DEFAULT_COLUMNS, STATUS_ASSIGNEE], ids=["default-columns", "status-assignee"])
def test_sparse_jira_exports_are_not_measurable_rather_than_0_or_100(path):
    export = wf.read_export(path)
    assert len(export.tasks) == 20
    vis = visibility.diagnose(export)
    pyramid = value_pyramid.diagnose(export)
    c4 = c4_flywheel.diagnose(export)
    assert pd.isna(vis.summary.loc["Personal System", "score"])
    assert pd.isna(pyramid.signals.set_index("signal").loc["goals completed", "score"])
    assert pd.isna(c4.summary.loc["Clarity", "score"])
    assert pd.isna(vis.signals.set_index("signal").loc["open work kept personal", "score"])
    # Clarity has one measurable signal (duplicates: titles) of eight, so it is not scored at all.
    assert c4.summary.loc["Clarity", ["signals_measured", "signals_total"]].tolist() == [1, 8]
    assert c4.summary.loc["Clarity", "reason"].startswith(f"{TOO_LITTLE} (1 of 8 signals; not measurable: ")
    for d in (vis, pyramid, c4, coordination_stack.diagnose(export)):
        figure = d.figure()  # NA elements draw grey, labelled "not measurable"
        assert "not measurable" in figure.to_json()


def test_export_without_status_column_reads_no_task_as_open(sample):
    export = wf.read_export(DEFAULT_COLUMNS)
    assert export.tasks["status_category"].isna().all()
    assert export.report.status_map[["status", "rule", "tasks"]].values.tolist() == [
        ["(none)", "no status, left without a category", 20]]
    assert any(w.startswith("The export has no status (no status column") for w in export.report.warnings)
    cover = {(r.element, r.signal): r.reason for r in visibility.diagnose(export).coverage.itertuples()}
    assert cover[("Personal System", "open work kept personal")] == (
        "the export leaves 'status_category' empty on every task (no status, so no task counts as open or done)")
    pyramid = value_pyramid.diagnose(export).coverage.set_index("signal")
    assert pyramid.loc["goals completed", "reason"].startswith("the export leaves 'status_category' empty")
    c4 = c4_flywheel.diagnose(export).signals.set_index("signal")
    # Nothing finished and nothing created in the window used to read as ratio 0 and "0% cancelled" = 100.
    assert c4.loc[["resolved / created", "cancelled", "stale"], "score"].isna().all()


def test_an_export_without_status_gets_its_report_and_sprint_table(tmp_path: Path) -> None:
    # No status means no timeline at all: the sprint table and efficiency looked task ids up in an empty table
    # of times, which pandas cannot map through (TypeError), and the whole report failed with it.
    export = wf.read_export(b"Issue key,Summary,Created,Resolved,Assignee\nAB-1,one,2024-01-02 10:00,,Ana\n"
                            b"AB-2,two,2024-01-03 11:30,2024-01-09 09:15,Ben\n", name="no_status.csv")
    assert export.tasks["status_category"].isna().all()
    assert "<html" in wf.report(export, path=tmp_path / "report.html").read_text(encoding="utf-8").lower()
    assert isinstance(wf.flow.sprint_completion(export), pd.DataFrame)
    assert isinstance(wf.flow.flow_efficiency(export), pd.DataFrame)


def test_combined_exports_keep_the_tasks_without_status_in_the_status_map():
    both = wf.combine_exports([wf.read_export(DEFAULT_COLUMNS), wf.read_export(STATUS_ASSIGNEE)])
    table = both.report.status_map.set_index("status")
    assert table.loc["(none)", "tasks"] == 20 and pd.isna(table.loc["(none)", "status_category"])
    assert int(both.tasks["status_category"].isna().sum()) == 20


def test_status_assignee_export_names_team_and_project_for_kept_personal():
    export = wf.read_export(STATUS_ASSIGNEE)
    assert export.tasks["status_category"].value_counts().to_dict() == {
        "todo": 7, "done": 7, "in_progress": 5, "cancelled": 1}
    cover = visibility.diagnose(export).coverage.set_index("signal")
    assert cover.loc["open work kept personal", "reason"] == (
        "the export leaves 'team' and 'project' empty on every task")
    assert value_pyramid.diagnose(export).coverage.set_index("signal").loc["goals completed", "reason"] == (
        "the export leaves 'task_type' empty on every task (no issue types, so epics and goals cannot be told "
        "apart)")
    who = coordination_stack.diagnose(export).summary.loc["Who"]
    # Two of Who's four signals are measurable (owner and single owner): half is enough for a score.
    assert who["score"] == 87.5 and who["signals_measured"] == 2 and pd.isna(who["reason"])


def test_rows_without_a_status_are_neither_open_nor_done():
    text = "Issue key,Summary,Status\r\nA-1,One thing,Done\r\nA-2,Another thing,\r\nA-3,Third thing,In Progress\r\n"
    export = wf.read_export(text.encode(), name="partial.csv")
    category = export.tasks["status_category"]
    assert category.astype(object).where(category.notna(), None).tolist() == ["done", None, "in_progress"]
    assert "1 tasks have no status (and the export states no category); they count as neither open nor done." \
        in export.report.warnings


# --------------------------------------------------------------------------- element scores need enough signals

def _signals(element_scores: dict[str, list[float | None]]) -> pd.DataFrame:
    rows = [(e, f"s{i}", s) for e, scores in element_scores.items() for i, s in enumerate(scores)]
    frame = pd.DataFrame(rows, columns=["element", "signal", "score"])
    frame["score"] = frame["score"].astype("Float64")
    return frame


def test_an_element_needs_half_of_its_signals():
    summary = summarise(_signals({"A": [80, None, None], "B": [80, 40, None, None], "C": [None], "D": [10]}),
                        ["A", "B", "C", "D"])
    assert pd.isna(summary.loc["A", "score"]) and summary.loc["B", "score"] == 60.0
    assert pd.isna(summary.loc["C", "score"]) and summary.loc["D", "score"] == 10.0
    assert summary.loc["A", "reason"] == f"{TOO_LITTLE} (1 of 3 signals; not measurable: s1, s2)"
    assert summary.loc["C", "reason"] == f"{TOO_LITTLE} (0 of 1 signal; not measurable: s0)"
    assert summary["reason"].isna().tolist() == [False, True, False, True]
    assert summary[["signals_measured", "signals_total"]].values.tolist() == [[1, 3], [2, 4], [0, 1], [1, 1]]


# --------------------------------------------------------------------------- field checks in run_signals

def _spec(required: tuple[str, ...], calls: list[str]) -> SignalSpec:
    def compute(ctx):
        calls.append("ran")
        from workfw.core.diagnosis import Measured

        return Measured(1.0, 100.0, len(ctx.tasks))

    return SignalSpec("E", "probe", required, "test probe", compute)


def _table(**columns) -> pd.DataFrame:
    base = {"task_id": ["T-1", "T-2"], "status_category": ["todo", "done"]}
    return conform_tasks(pd.DataFrame({**base, **columns}))


@pytest.mark.parametrize("required, reason", [
    (("due",), "the export leaves 'due' empty on every task"),
    (("due|iteration",), "the export leaves 'due' and 'iteration' empty on every task"),
    ((HISTORY,), "the export has no status history (only Jira JSON with changelog and Trello carry it)"),
    (("started|events",), "the export leaves 'started' empty on every task and has no status history"),
    (("labels",), "the export leaves 'labels' empty on every task"),
])
def test_run_signals_checks_required_fields_before_computing(required, reason):
    calls: list[str] = []
    ctx = prepare(_table(), as_of=AS_OF)
    _, coverage, _ = run_signals(ctx, [_spec(required, calls)])
    assert coverage["reason"].tolist() == [reason] and calls == []


def test_a_field_filled_on_one_task_is_enough():
    calls: list[str] = []
    ctx = prepare(_table(due=[None, "2026-03-01"], labels=[[], ["x"]]), as_of=AS_OF)
    signals, coverage, _ = run_signals(ctx, [_spec(("due", "labels", "iteration|due"), calls)])
    assert coverage["measurable"].tolist() == [True] and calls == ["ran"] and signals["score"].tolist() == [100.0]


def test_fields_lists_required_then_optional():
    spec = SignalSpec("E", "probe", ("status_category", "due|iteration"), "how", lambda ctx: None,
                      optional=("events", "due"))
    assert spec.fields == ("status_category", "due", "iteration", "events")


# --------------------------------------------------------------------------- plain frames

def test_plain_frame_missing_canonical_columns_gives_na_not_key_error():
    frame = pd.DataFrame({"task_id": ["A-1", "A-2", "A-3"], "title": ["Fix login page", "Add export", "Docs"],
                          "status": ["Done", "In Progress", "To Do"], "assignee": ["ann", "bob", None]})
    before = frame.copy()
    for module in MODULES:
        d = module.diagnose(frame, as_of=AS_OF)
        assert d.summary["score"].isna().all(), module.__name__
        d.figure()
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is left as it was
    cover = visibility.diagnose(frame, as_of=AS_OF).coverage.set_index("signal")
    assert cover.loc["open work kept personal", "reason"] == "the export has no 'team' or 'project' field"
    assert cover.loc["late capture", "reason"] == "the export has no 'created' field"
    # The status names were placed the way read_export places them.
    ctx = prepare(frame, as_of=AS_OF)
    assert ctx.tasks["status_category"].astype(str).tolist() == ["done", "in_progress", "todo"]
    assert prepare(frame, as_of=AS_OF).tasks is ctx.tasks  # conformed once per frame: the caches hold


def test_plain_frame_with_only_ids_reads_every_field_as_missing():
    d = coordination_stack.diagnose(pd.DataFrame({"task_id": ["A-1", "A-2"]}), as_of=AS_OF)
    assert d.coverage["measurable"].sum() == 0
    assert d.coverage.set_index("signal").loc["overdue", "reason"] == "the export has no 'status_category' field"


@pytest.mark.parametrize("column, values, found", [
    ("due", ["soon", "2026-01-01"], "column 'due': found values that are not dates"),
    ("created", [1, 2], "column 'created': found int64 values such as 1"),
    ("comments", ["many", "2"], "column 'comments': found values that are not whole numbers"),
    ("status_category", ["done", "finished-ish"], "column 'status_category': found ['finished-ish']"),
])
def test_plain_frame_with_wrong_types_gets_a_workfw_error(column, values, found):
    frame = pd.DataFrame({"task_id": ["A-1", "A-2"], column: values})
    with pytest.raises(SchemaError, match="Next step") as caught:
        visibility.diagnose(frame, as_of=AS_OF)
    assert found in str(caught.value) and "expected" in str(caught.value)
    assert isinstance(caught.value, WorkfwError) and isinstance(caught.value, ValueError)


def test_plain_frame_without_ids_is_told_what_to_add():
    with pytest.raises(SchemaError, match=r"without 'task_id'.*Next step: rename your id column"):
        value_pyramid.diagnose(pd.DataFrame({"title": ["x"]}))


def test_category_words_are_read_as_their_category():
    frame = pd.DataFrame({"task_id": ["A-1", "A-2"], "status_category": ["Done", "In Progress"]})
    ctx = prepare(frame, as_of=AS_OF)
    assert ctx.tasks["status_category"].astype(str).tolist() == ["done", "in_progress"]
    assert len(ctx.done) == 1 and len(ctx.open) == 1


def test_canonical_tables_pass_through_uncopied(sample):
    assert prepare(sample).tasks is sample.tasks
    assert prepare(sample.tasks).tasks is sample.tasks
    assert np.array_equal(prepare(sample, team="Growth").rows, prepare(sample.tasks, team="Growth").rows)

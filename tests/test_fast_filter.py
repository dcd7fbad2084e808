"""The fast path of a filter change gives the same diagnosis as diagnosing the filtered tasks afresh.

``prepare`` links a filtered table to the whole export (``Context.base`` and
``rows``) so per-task facts are computed once and taken at the selected rows,
keeps the filtered tables of recent filters, and ``run_signals`` re-runs only
the signals whose options changed.  Each test here compares a diagnosis made
through those paths with one made on a fresh copy of the filtered tasks (no
link, no memo), so a speed-up cannot silently change a value or a finding.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import workfw as wf
from test_coordination_stack import build_export
from workfw.core import diagnosis as dg
from workfw.widgets import ExplorerModel

FRAMEWORKS = [wf.c4_flywheel, wf.coordination_stack, wf.value_pyramid, wf.visibility]


@pytest.fixture(scope="module")
def sample() -> wf.TaskExport:
    return wf.load_sample()


def _fresh(export: wf.TaskExport, module, **options) -> dg.Diagnosis:
    """The reference: diagnose a new copy of the filtered tasks and history, unlinked to the export."""
    shared = {k: v for k, v in options.items() if k in ("team", "project", "window", "actors")}
    ctx = dg.prepare(export, **shared)
    copy = wf.TaskExport(tasks=ctx.tasks.copy(), events=ctx.events.copy(), raw=export.raw, report=export.report)
    assert dg.origin(copy.tasks) is None
    rest = {k: v for k, v in options.items() if k not in shared}
    return module.diagnose(copy, as_of=ctx.as_of, **rest)


def _same(fast: dg.Diagnosis, ref: dg.Diagnosis) -> None:
    pd.testing.assert_frame_equal(fast.signals, ref.signals)
    pd.testing.assert_frame_equal(fast.summary, ref.summary)
    pd.testing.assert_frame_equal(fast.findings, ref.findings)
    pd.testing.assert_frame_equal(fast.coverage, ref.coverage)
    assert fast.caveats == ref.caveats and fast.as_of == ref.as_of


def _filters(export: wf.TaskExport) -> list[dict]:
    created = export.tasks["created"]
    teams = sorted(export.tasks["team"].dropna().unique())
    return [
        {"team": teams[0]},
        {"team": teams[-1], "stale_days": 9, "aging_multiple": 4.0},
        {"window": (created.min() + pd.Timedelta(days=45), created.max() - pd.Timedelta(days=45))},
        {"actors": "people", "substantive_words": 40},
        {"actors": "agents"},
    ]


@pytest.mark.parametrize("module", FRAMEWORKS, ids=lambda m: m.__name__.split(".")[-1])
def test_filtered_diagnosis_equals_a_fresh_one_on_the_sample(sample, module):
    module.diagnose(sample)  # the whole export first, as a view does: its per-task facts are then reused
    for options in _filters(sample):
        fast = module.diagnose(sample, **options)
        assert dg.prepare(sample, **{k: v for k, v in options.items() if k in ("team", "window", "actors")}).rows \
            is not None
        _same(fast, _fresh(sample, module, **options))


@pytest.mark.parametrize("module", FRAMEWORKS, ids=lambda m: m.__name__.split(".")[-1])
def test_filtered_diagnosis_equals_a_fresh_one_on_a_small_export(module):
    export = build_export()
    module.diagnose(export)
    for team in sorted(export.tasks["team"].dropna().unique()):
        _same(module.diagnose(export, team=team), _fresh(export, module, team=team))


def test_moving_a_threshold_back_and_forth_reuses_nothing_stale(sample):
    team = sorted(sample.tasks["team"].dropna().unique())[1]
    for stale in (30, 8, 60, 8, 30):
        fast = wf.c4_flywheel.diagnose(sample, team=team, stale_days=stale)
        _same(fast, _fresh(sample, wf.c4_flywheel, team=team, stale_days=stale))
    values = {s: wf.c4_flywheel.diagnose(sample, team=team, stale_days=s).signals.set_index("signal")["value"]
              for s in (8, 60)}
    assert values[8]["stale"] > values[60]["stale"]


def test_prepare_links_a_filter_to_the_whole_table(sample):
    team = sorted(sample.tasks["team"].dropna().unique())[0]
    ctx = dg.prepare(sample, team=team)
    assert ctx.base is sample.tasks
    expected = np.flatnonzero((sample.tasks["team"] == team).to_numpy())
    np.testing.assert_array_equal(ctx.rows, expected)
    assert dg.prepare(sample, team=team).tasks is ctx.tasks, "the same filter gives the same frame"
    whole = dg.prepare(sample)
    assert whole.tasks is sample.tasks and whole.base is None and whole.rows is None


def test_per_row_takes_whole_table_values_at_the_selected_rows(sample):
    team = sorted(sample.tasks["team"].dropna().unique())[-1]
    ctx = dg.prepare(sample, team=team)
    calls = []

    def words(frame: pd.DataFrame) -> pd.Series:
        calls.append(len(frame))
        return frame["title"].str.len()

    got = dg.per_row(ctx.tasks, "test title length", words)
    pd.testing.assert_series_equal(got, ctx.tasks["title"].str.len(), check_names=False)
    assert dg.per_row(ctx.tasks, "test title length", words) is got, "the team's take is kept, not made again"
    assert calls == [len(sample.tasks)], "computed once, on the whole export"
    own = ctx.tasks.copy()
    assert dg.origin(own) is None
    pd.testing.assert_series_equal(dg.per_row(own, "test title length", words), own["title"].str.len())


def test_explorer_keeps_selections_and_draws_charts_only_when_read(sample):
    drawn = []

    def charts(diagnosis, export, options):
        drawn.append(dict(options))
        return [wf.charts.message_figure("n", f"{diagnosis.options.get('team')}")]

    model = ExplorerModel(sample, "c4_flywheel", extra_charts=charts)
    assert drawn == []
    first = model.diagnosis
    team = model.teams[1]
    model.team = team
    _same(model.diagnosis, _fresh(sample, wf.c4_flywheel, team=team))
    assert drawn == []
    assert team in model.charts[0].to_json() and len(drawn) == 1
    model.charts
    assert len(drawn) == 1, "charts of a selection are drawn once"
    model.stale_days = 9
    _same(model.diagnosis, _fresh(sample, wf.c4_flywheel, team=team, stale_days=9))
    model.stale_days = 30
    model.team = "All"
    assert model.diagnosis is first, "coming back to a selection is instant"

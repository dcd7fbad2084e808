"""One answer per page: the signal table, loop chart and root cause follow the explorer's filters."""
from __future__ import annotations

import html

import pandas as pd
import pytest

import workfw as wf
from workfw import widgets as ww
from workfw.c4_flywheel import MIN_SHOWN_PAIRS
from workfw.readable import format_value, loop_reading, signal_view


@pytest.fixture(scope="module")
def sample():
    return wf.load_sample()


def _element_means(table: pd.DataFrame) -> dict[str, float]:
    """Element scores recomputed from the readable table alone (what a reader of the page could do)."""
    scored = table[table["Score"] != "not measurable"].assign(Score=lambda t: t["Score"].astype(float))
    return scored.groupby("Element")["Score"].mean().to_dict()


@pytest.mark.parametrize("framework", ["c4_flywheel", "coordination_stack", "visibility"])
def test_signal_table_follows_the_team_and_agrees_with_the_diagram(sample, framework):
    explorer = ww.Explorer(sample, framework)
    table = ww.SignalTable(explorer)
    whole = table.table.copy()
    explorer.team.value = "Growth"
    assert "team Growth" in table.heading.value
    assert not table.table.equals(whole)
    expected = wf.__getattr__(framework).diagnose(sample, team="Growth")
    assert table.table["Score"].tolist() == signal_view(expected)["Score"].tolist()
    # Each element's mean of the shown (rounded) signal scores sits within rounding of the diagram's score.
    diagram = explorer.model.diagnosis.scores()
    for element, mean in _element_means(table.table).items():
        if diagram.get(element) is not None and framework != "visibility":
            assert mean == pytest.approx(diagram[element], abs=1.0), element


def test_loop_trend_follows_the_team_and_says_how_to_read_it(sample):
    explorer = ww.Explorer(sample, "c4_flywheel")
    loop = ww.LoopTrend(explorer)
    explorer.team.value = "Platform"
    expected = wf.c4_flywheel.loop_trend(sample, team="Platform")
    pd.testing.assert_frame_equal(loop.trend, expected)
    assert "a correlation needs at least 12" in loop.reading.value
    with pytest.raises(wf.WorkfwError, match="c4_flywheel"):
        ww.LoopTrend(ww.Explorer(sample, "visibility"))


def test_root_cause_follows_the_team(sample):
    explorer = ww.Explorer(sample, "coordination_stack")
    cause = ww.RootCause(explorer)
    assert "all teams" in cause.value
    explorer.team.value = "Support"
    text = wf.coordination_stack.root_cause_text(wf.coordination_stack.diagnose(sample, team="Support"))
    assert "team Support" in cause.value
    assert html.escape(text or "No weak layer has a weaker one beneath it.") in cause.value


@pytest.mark.parametrize(("value", "unit", "text"), [
    (0.531763, "share", "53%"), (0.003, "share", "under 1%"), (0.997, "share", "over 99%"), (0.0, "share", "0%"),
    (1.0, "share", "100%"), (12.4, "days", "12 days"), (1.2, "days", "1 day"), (4.0, "count", "4"),
    (1234.0, "count", "1,234"), (0.8333, "ratio", "0.83×"), (2.44, "people", "2.4 people"), (None, "share", ""),
])
def test_values_are_written_in_their_unit(value, unit, text):
    assert format_value(value, unit) == text


def test_signal_view_has_no_raw_floats_and_explains_what_is_not_measurable(sample):
    bare = sample.tasks.drop(columns=["due"]).assign(due=pd.NaT)
    view = signal_view(wf.coordination_stack.diagnose(bare))
    assert list(view.columns)[:5] == ["Element", "Signal", "Measured", "Tasks", "Score"]
    assert isinstance(view.index, pd.RangeIndex)
    missing = view[view["Score"] == "not measurable"]
    assert len(missing) and (missing["Not measurable because"].str.len() > 0).all()
    measured = view[view["Score"] != "not measurable"]
    assert measured["Score"].str.fullmatch(r"\d{1,3}").all()
    assert not measured["Measured"].str.contains(r"\.\d{3}").any()


def test_loop_reading_shows_a_correlation_only_over_enough_months():
    months = pd.date_range("2024-01-01", periods=MIN_SHOWN_PAIRS + 3, freq="MS", tz="UTC")
    rising = pd.Series(range(len(months)), dtype=float) * 5
    trend = pd.DataFrame({"period": months, "tasks": 20, "Clarity": rising, "Coordination": 50.0,
                          "Completion": rising + 3})
    assert "r = 1.00" in loop_reading(trend) and "not proof" in loop_reading(trend)
    assert "r = 1.00" in wf.c4_flywheel.loop_figure(trend).layout.title.text
    short = trend.head(6)
    assert "correlation needs at least 12" in loop_reading(short) and "r =" not in loop_reading(short)
    assert "r =" not in wf.c4_flywheel.loop_figure(short).layout.title.text


def test_explorer_says_why_an_element_has_no_score():
    explorer = ww.Explorer(wf.load_sample("trello"), "value_pyramid")
    shown = "".join(o["data"].get("text/html", "") for o in explorer.summary_out.outputs)
    # Trello has no parent links: Progress stands on one signal of three, too little to score.
    assert "<b>Progress</b>: too little of this element is measurable (1 of 3 signals" in shown
    assert "not measurable" in shown


def test_findings_severity_spreads_a_few_high_some_medium(sample):
    from workfw.core.diagnosis import spread_severity

    # Eight findings all "high" on their own scores: the two worst stay high, the next (40% of 8 = 3) medium.
    assert spread_severity([5, 30, 10, 20, 35, 25, 15, 38], ["high"] * 8) == [
        "high", "low", "high", "low", "low", "low", "medium", "low"]
    # A mild finding never becomes more severe than its own score says.
    assert spread_severity([90], ["low"]) == ["low"]
    counts = wf.c4_flywheel.diagnose(sample).findings["severity"].value_counts()
    assert 1 <= counts["high"] <= 3 and counts["high"] < counts["medium"] < counts["low"] + counts["medium"]


@pytest.mark.parametrize("team", ["Data", "Growth", "Platform", "Support"])
def test_loop_trend_runs_for_every_team(sample, team):
    """A month whose cohort has goals but no epic children used to stop the loop chart (found in Voila)."""
    trend = wf.c4_flywheel.loop_trend(sample, team=team)
    assert len(trend) >= 6 and trend["tasks"].sum() == int((sample.tasks["team"] == team).sum())


@pytest.mark.parametrize("framework", ["c4_flywheel", "coordination_stack", "value_pyramid", "visibility"])
def test_a_threshold_control_shows_only_where_it_changes_something(sample, framework):
    from workfw.widgets._explorer import THRESHOLD_HELP

    explorer = ww.Explorer(sample, framework)
    module = wf.__getattr__(framework)
    base = module.diagnose(sample).signals
    moved = {"stale_days": 8, "substantive_words": 40, "aging_multiple": 4.0}
    for name in THRESHOLD_HELP:
        shown = getattr(explorer, name).layout.display != "none"
        assert shown == (name in explorer.thresholds)
        if not shown:
            # Hidden means it would change nothing: the signals are identical with the threshold moved.
            pd.testing.assert_frame_equal(module.diagnose(sample, **{name: moved[name]}).signals, base)
        else:
            assert THRESHOLD_HELP[name].split(":")[0] in explorer.help.value
    assert {"value_pyramid": [], "visibility": ["stale_days"]}.get(framework, explorer.thresholds) == \
        explorer.thresholds


def test_start_notebook_views_read_as_sentences_not_tracebacks(sample, monkeypatch):
    from workfw.readable import coverage_view, environment_view

    checks = wf.check_environment()
    broken = checks.copy()
    broken.loc[0, ["ok", "fix"]] = [False, "install Python 3.11+"]
    sentence, table = environment_view(broken)
    assert sentence.startswith("1 of") and table.iloc[0]["Fix"] == "install Python 3.11+"
    assert environment_view(checks)[0] == "Everything is ready."
    view = coverage_view(wf.coverage.coverage_table(sample))
    assert list(view.columns) == ["Framework", "Element", "Measurable", "What the export lacks"]
    assert view["Measurable"].str.fullmatch(r"\d+ of \d+ signals \(\d+%\)").all()
    assert any(len(text) > 50 for text in view["What the export lacks"])  # never cut short
    assert "<b>Everything is ready.</b>" in ww.EnvironmentCheck().value


def test_workfw_tables_have_plain_headers(sample):
    explorer = ww.Explorer(sample, "c4_flywheel")
    what_if = ww.WipWhatIf(explorer, runs=200)
    shown = "".join(o["data"].get("text/html", "") for o in what_if.table_out.outputs)
    assert ">Finished per week</th>" in shown and "throughput_per_week" not in shown
    assert "Done by (85% likely)" in shown

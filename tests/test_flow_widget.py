"""The flow explorer of 06_flow_and_forecasts, driven from code: each control changes the tables and charts.

The model (:class:`workfw.widgets.FlowModel`) is checked against the
``workfw.flow`` functions it calls, on the bundled sample; the view
(:class:`workfw.widgets.FlowExplorer`) is moved the way a click would move it
and its Output widgets are read back. Team names, task titles and status
names holding HTML must reach the page escaped.
"""
from __future__ import annotations

import json

import ipywidgets as W
import pandas as pd
import pytest

import workfw as wf
from workfw import widgets as ww
from workfw.errors import OptionError
from workfw.widgets._flow import CHARTS

PLOTLY = "application/vnd.plotly.v1+json"
EVIL = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def sample() -> wf.TaskExport:
    return wf.load_sample()


@pytest.fixture(scope="module")
def explorer(sample: wf.TaskExport) -> ww.FlowExplorer:
    return ww.FlowExplorer(sample)


def _plots(out: W.Output) -> list[dict]:
    return [o["data"][PLOTLY] for o in out.outputs if PLOTLY in o.get("data", {})]


def _title(fig) -> str:
    return fig.layout.title.text


def _snapshot(model: ww.FlowModel) -> dict[str, str]:
    return {name: fig.to_json() for name, fig in model.figures.items()}


def test_model_starts_from_the_learnt_stages_and_draws_every_chart(sample):
    model = ww.FlowModel(sample)
    assert model.teams == ["All", "Data", "Growth", "Platform", "Support"]
    assert model.statuses == ["In Progress", "In Review"] and model.waiting == ()
    assert set(model.figures) == set(CHARTS)
    assert model.tables["stage_map"].attrs["commitment"] == "In Progress"
    # The window: the service level and the forecast read the same 12 weeks up to the data's reference time.
    sle, forecast = model.tables["service_level"], model.tables["forecast"]
    assert str(sle["window_end"].iloc[0].date()) == str(forecast["window_end"].iloc[0].date()) == "2026-10-30"
    assert model.as_of == pd.Timestamp("2026-10-30 16:48:17", tz="UTC")
    # Charts of finished work show only the window's tasks.
    assert (model.tables["cycle_times"]["completed"] >= model.window_start).all()
    # No waiting status yet: flow efficiency says it cannot be measured rather than scoring every task 100%.
    assert model.tables["flow_efficiency"].empty and model.tables["flow_efficiency"].attrs["reason"]


def test_the_model_equals_the_flow_functions_it_calls(sample):
    model = ww.FlowModel(sample, team="Data", weeks=8, percentile=70, backlog=(20, 30), split_rate=0.25)
    data = wf.charts.subset(sample, team="Data")
    expected = wf.flow.forecast_when_range(data, items=(20, 30), split_rate=0.25, runs=2000, history_weeks=8,
                                           as_of=model.as_of)
    pd.testing.assert_frame_equal(model.tables["forecast"], expected)
    sle = wf.flow.service_level_expectation(data, history_weeks=8, as_of=model.as_of, start="In Progress")
    pd.testing.assert_frame_equal(model.tables["service_level"], sle)
    assert set(model.tables["cycle_times"]["team"]) == {"Data"}
    assert model.tables["backtest"]["level"].eq(70).all()


def test_changing_the_team_changes_every_table_and_the_titles(sample):
    model = ww.FlowModel(sample)
    before = _snapshot(model)
    n_all = len(model.tables["cycle_times"])
    model.team = "Platform"
    after = _snapshot(model)
    assert all(before[k] != after[k] for k in CHARTS)
    assert set(model.tables["cycle_times"]["team"]) == {"Platform"} and len(model.tables["cycle_times"]) < n_all
    assert "team Platform" in _title(model.figures["forecast"])
    assert "all teams" not in _title(model.figures["net_flow"])
    assert model.selection_text().startswith("634 tasks of team Platform")


def test_percentile_moves_the_stage_bars_the_cycle_lines_and_the_past_items(sample):
    model = ww.FlowModel(sample, team="Support")
    stage_85 = model.figures["time_in_stage"].data[0]
    lines_85 = [t.name for t in model.figures["cycle_time"].data[1:]]
    sle_85 = float(model.tables["past_service_level"]["sle_days"].iloc[0])
    model.percentile = 50
    stage_50 = model.figures["time_in_stage"].data[0]
    assert stage_85.name == "85%" and stage_50.name == "50%" and list(stage_50.y) != list(stage_85.y)
    assert [n.split(":")[0] for n in lines_85] == ["50%", "85%"]
    assert [n.split(":")[0] for n in (t.name for t in model.figures["cycle_time"].data[1:])] == ["50%"]
    # The open work is compared with the median now, a shorter expectation than the 85th percentile.
    sle_50 = model.tables["past_service_level"]["sle_days"]
    assert float(sle_50.iloc[0]) < sle_85 and sle_50.nunique() == 1
    assert "50% of the tasks finished in the window took at most" in model.summary_html()


def test_marking_a_status_waiting_gives_flow_efficiency_and_waiting_time(sample):
    model = ww.FlowModel(sample, team="Growth")
    model.waiting = ("In Review",)
    assert model.stages() == {"In Progress": "active", "In Review": "waiting"}
    fe = model.tables["flow_efficiency"]
    assert len(fe) > 0 and fe["flow_efficiency"].between(0, 1).all() and (fe["flow_efficiency"] < 1).any()
    assert "waiting: In Review" in _title(model.figures["flow_efficiency"])
    tis = model.tables["time_in_stage"]
    assert tis.loc[tis["stage"] == "waiting", "days"].sum() > 0
    row = model.tables["stage_map"].set_index("status").loc["In Review"]
    assert row["stage"] == "waiting" and row["source"] == "yours"


def test_window_and_forecast_controls(sample):
    model = ww.FlowModel(sample, team="Data")
    start_12 = model.window_start
    model.weeks = 4
    assert model.window_start == start_12 + pd.Timedelta(weeks=8)
    assert (model.tables["net_flow"]["period"] >= model.window_start.tz_localize(None).normalize()
            - pd.Timedelta(days=6)).all()
    assert model.tables["forecast"]["window_start"].iloc[0] == (start_12 + pd.Timedelta(weeks=8)).tz_localize(None)\
        .normalize() + pd.Timedelta(days=1)
    p85_small = model.tables["forecast"].set_index("likelihood").loc[85.0, "date"]
    model.backlog = (200, 240)
    p85_big = model.tables["forecast"].set_index("likelihood").loc[85.0, "date"]
    assert p85_big > p85_small
    model.split_rate = 0.5
    assert model.tables["forecast"].set_index("likelihood").loc[85.0, "date"] > p85_big
    assert "each growing by 50%" in _title(model.figures["forecast"])


def test_none_keeps_a_control_at_its_default(sample):
    model = ww.FlowModel(sample, team=None, waiting=None, percentile=None)
    assert (model.team, model.waiting, model.percentile) == ("All", (), 85)


@pytest.mark.parametrize("controls", [{"team": "Nobody"}, {"percentile": 80}, {"waiting": ("Done",)},
                                      {"backlog": (10, 5)}, {"weeks": 0}, {"split_rate": -0.1}])
def test_bad_controls_are_refused_with_the_valid_choices(sample, controls):
    with pytest.raises(OptionError, match="Next step"):
        ww.FlowModel(sample, **controls)


def test_the_view_redraws_when_a_control_moves(explorer):
    before = [json.dumps(p) for p in _plots(explorer.flow_out) + _plots(explorer.forecast_out)]
    assert len(before) == 7
    explorer.percentile.value = 95
    assert explorer.model.percentile == 95
    after = [json.dumps(p) for p in _plots(explorer.flow_out) + _plots(explorer.forecast_out)]
    assert after != before and "95th percentile" in after[0]
    explorer.team.value = "Data"
    assert explorer.model.team == "Data" and "team Data" in explorer.summary.value
    explorer.waiting.value = ("In Review",)
    stages = "".join(o["data"].get("text/html", "") for o in explorer.stages_out.outputs)
    assert "waiting" in stages and "yours" in stages
    assert set(explorer.figures) == set(CHARTS)


def _evil(sample: wf.TaskExport) -> wf.TaskExport:
    """The sample with team Data renamed to a script, an old task titled with one, and In Review too."""
    tasks = sample.tasks.copy()
    tasks["team"] = tasks["team"].replace({"Data": EVIL})
    tasks["status"] = tasks["status"].replace({"In Review": EVIL})
    oldest = tasks.loc[(tasks["team"] == EVIL) & (tasks["status_category"] == "in_progress")].sort_values("created")
    tasks.loc[oldest.index[:3], "title"] = EVIL
    events = sample.events.copy()
    for col in ("old", "new"):
        events[col] = events[col].replace({"In Review": EVIL})
    return wf.TaskExport(tasks=tasks, events=events, raw=sample.raw, report=sample.report)


def test_team_titles_and_status_names_are_escaped(sample):
    view = ww.FlowExplorer(_evil(sample), team=EVIL, waiting=(EVIL,))
    texts = [view.summary.value]
    for out in (view.stages_out, view.flow_out, view.forecast_out, view.past_out):
        texts += [json.dumps(o["data"]) for o in out.outputs]
    page = "".join(texts)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "team &lt;script&gt;" in _title(view.model.figures["forecast"])
    assert "&lt;script&gt;" in "".join(o["data"].get("text/html", "") for o in view.past_out.outputs)

"""Flow charts carry the metric numbers, escape untrusted text and stay within the point budget."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from workfw import flow
from workfw.flow import charts as flow_charts
from workfw.errors import SchemaError
from workfw.export import ImportReport, TaskExport
from workfw.schema import conform_events, conform_tasks, empty_events

EVIL = "<img src=x onerror=alert(1)>"


def _export(rows: list[dict], events: list[tuple] | None = None) -> TaskExport:
    tasks = conform_tasks(pd.DataFrame(rows))
    history = (conform_events(pd.DataFrame(events, columns=["task_id", "at", "field", "old", "new", "author"]))
               if events else empty_events())
    return TaskExport(tasks=tasks, events=history, raw=pd.DataFrame(),
                      report=ImportReport(source="test", file="t.csv", rows_read=len(tasks)))


def _strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


@pytest.fixture
def data() -> TaskExport:
    """Cycle times: D1 2.0 (Ann), D2 4.0 (Copilot), D3 6.0 (Ann, evil title); W1 and W2 in progress."""
    rows = [
        dict(task_id="D1", title="first", status="Done", status_category="done", assignee="Ann",
             created="2024-01-01", started="2024-01-01", completed="2024-01-03", started_basis="exact"),
        dict(task_id="D2", title="second", status="Done", status_category="done", assignee="Copilot",
             created="2024-01-01", started="2024-01-02", completed="2024-01-06", started_basis="exact"),
        dict(task_id="D3", title=EVIL, status="Done", status_category="done", assignee="Ann",
             created="2024-01-01", started="2024-01-16", completed="2024-01-22", started_basis="exact"),
        dict(task_id="W1", title="third", status="Review <b>", status_category="in_progress", assignee="Ann",
             created="2024-01-20", started="2024-01-21", started_basis="exact", updated="2024-01-22"),
        dict(task_id="W2", title=EVIL, status="Doing", status_category="in_progress", assignee="Bob",
             created="2024-01-10", started="2024-01-12", started_basis="exact", updated="2024-01-12"),
    ]
    return _export(rows)


def test_cycle_time_scatter_points_lines_and_escaping(data):
    fig = flow_charts.cycle_time_scatter(flow.cycle_times(data))
    names = [t.name for t in fig.data]
    # Percentiles of 2, 4, 6: p50 4.0, p70 4.8, p85 5.4, p95 5.8.
    assert names == ["agent", "person", "50%: 4.0 days", "70%: 4.8 days", "85%: 5.4 days", "95%: 5.8 days"]
    assert list(fig.data[0].y) == [4.0] and list(fig.data[1].y) == [2.0, 6.0]
    assert list(fig.data[3].y) == pytest.approx([4.8, 4.8])
    assert fig.layout.title.text == "Cycle time of 3 finished tasks, by completion date"
    text = _strings(json.loads(fig.to_json()))
    assert any("D3: &lt;img src=x onerror=alert(1)&gt;" in s for s in text)
    assert not any("<img" in s for s in text)


def test_cycle_time_scatter_samples_above_the_budget(data):
    fig = flow_charts.cycle_time_scatter(data, max_points=2, color="team")
    markers = [t for t in fig.data if t.mode == "markers"]
    assert sum(len(t.y) for t in markers) == 2
    assert "random sample of 2 of 3 shown" in fig.layout.title.text
    assert [t.name for t in markers] == ["(none)"]


def test_aging_wip_chart_bands_and_escaped_statuses(data):
    aging = flow.aging_wip(data)
    # as_of = 2024-01-22 (latest timestamp): W2 started 01-12 is 10.0 days old (> p95), W1 1.0 (< p50).
    assert aging["age_days"].tolist() == [10.0, 1.0]
    fig = flow_charts.aging_wip_chart(aging)
    assert [(t.name, list(t.y)) for t in fig.data] == [("< p50", [1.0]), ("> p95", [10.0])]
    assert len(fig.layout.shapes) == 5
    assert list(fig.layout.xaxis.ticktext) == ["Doing", "Review &lt;b&gt;"]
    assert "on 2024-01-22" in fig.layout.title.text
    text = _strings(json.loads(fig.to_json()))
    assert not any("<img" in s or "<b>" in s for s in text)


def test_throughput_and_wip_charts_carry_counts(data):
    fig = flow_charts.throughput_chart(flow.throughput(data))
    # Completions 01-03, 01-06 (week of 01-01), none in the week of 01-08 and 01-15, 01-22.
    assert [list(t.y) for t in fig.data] == [[2, 0, 0, 1]]
    split = flow_charts.throughput_chart(flow.throughput(data, by="kind"))
    assert [(t.name, list(t.y)) for t in split.data] == [("agent", [1, 0, 0, 0]), ("person", [1, 0, 0, 1])]
    assert split.layout.title.text == "Finished tasks per period by kind"
    wip_fig = flow_charts.wip_chart(flow.wip(data, freq="W"))
    # End of each week: 01-07 none; 01-14 W2; 01-21 D3, W1, W2; 01-22 (as_of) W1, W2.
    assert list(wip_fig.data[0].y) == [0, 1, 3, 2]


def test_cumulative_flow_chart_stacks_done_at_the_bottom(data):
    cfd = flow.cumulative_flow(data, freq="W")
    fig = flow_charts.cumulative_flow_chart(cfd)
    assert [t.name for t in fig.data] == ["done", "in_progress", "todo"]
    # Week ends 01-07: D1, D2 done, D3 to do.  01-14: W2 started.  01-21: D3, W1, W2 in progress.
    # Week of 01-22: D3 done.
    assert list(fig.data[0].y) == [2, 2, 2, 3]
    assert list(fig.data[1].y) == [0, 1, 3, 2]
    assert list(fig.data[2].y) == [1, 1, 0, 0]
    assert all(t.stackgroup == "flow" for t in fig.data)


def test_forecast_charts(data):
    how_many = flow.forecast_how_many(data, until="2024-02-05", runs=500)
    fig = flow_charts.forecast_chart(how_many)
    assert list(fig.data[0].y) == how_many["items"].tolist()
    assert list(fig.data[0].x) == ["50%", "70%", "85%", "95%"]
    assert fig.layout.title.text == "How many tasks will be finished by 2024-02-05"
    when = flow.forecast_when(data, items=3, runs=500)
    fig = flow_charts.forecast_chart(when)
    assert fig.layout.title.text == "When 3 more tasks will be finished"
    assert list(fig.data[0].text) == [f"{d:%Y-%m-%d}" for d in when["date"]]


def test_charts_reject_other_tables_and_draw_empty_states(data):
    with pytest.raises(SchemaError, match="cycle_time_scatter"):
        flow_charts.cycle_time_scatter(pd.DataFrame({"x": [1]}))
    with pytest.raises(SchemaError, match="forecast_chart"):
        flow_charts.forecast_chart(pd.DataFrame({"x": [1]}))
    nothing_done = _export([dict(task_id="A", title="a", status="To Do", status_category="todo",
                                 created="2024-01-01")])
    fig = flow_charts.cycle_time_scatter(nothing_done)
    assert len(fig.data) == 0 and fig.layout.annotations[0].text == "No finished task has a cycle time yet."


def _points(fig) -> int:
    return sum(len(t.x) if t.x is not None else 0 for t in fig.data)


def test_no_chart_carries_more_than_the_point_budget_on_big_tables():
    n = flow_charts.MAX_POINTS + 10_000
    idx = pd.RangeIndex(n)
    ids = "T" + pd.Series(idx).astype(str)
    completed = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(idx % 700, unit="D")
    cycle = pd.DataFrame({"task_id": ids, "title": ids, "completed": completed, "cycle_time_days": (idx % 40) + 0.5,
                          "basis": "exact", "kind": "human", "team": ["A", "B"] * (n // 2)})
    scatter = flow_charts.cycle_time_scatter(cycle, color="team")
    markers = sum(len(t.x) for t in scatter.data if t.mode == "markers")
    assert markers == flow_charts.MAX_POINTS
    assert f"random sample of {flow_charts.MAX_POINTS:,} of {n:,} shown" in scatter.layout.title.text
    # The percentile lines still describe every task, not the sample: p50 of 0.5..39.5 repeated.
    assert any(t.name.startswith("50%: 20.0 days") for t in scatter.data if t.mode == "lines")

    aging = pd.DataFrame({"task_id": ids, "title": ids, "status": ["Doing", "Review"] * (n // 2),
                          "age_days": (idx % 90).astype(float), "assignee": "Ann",
                          "percentile_band": pd.Categorical(["< p50"] * n, categories=flow.band_labels())})
    aging.attrs["percentiles"] = {50.0: 100.0, 70.0: 120.0, 85.0: 130.0, 95.0: 140.0}
    aged = flow_charts.aging_wip_chart(aging)
    assert _points(aged) == flow_charts.MAX_POINTS and "oldest 50,000 of 60,000 shown" in aged.layout.title.text

    dates = pd.date_range("1990-01-01", periods=n // 4)
    cfd = pd.DataFrame({"date": dates.repeat(4), "state": ["done", "in_progress", "todo", "cancelled"] * (n // 4),
                        "count": 1})
    drawn = flow_charts.cumulative_flow_chart(cfd, include_cancelled=True)
    assert 0 < _points(drawn) <= flow_charts.MAX_POINTS
    assert "th date shown" in drawn.layout.title.text


def test_c4_chart_set_builds_cycle_times_once(data, monkeypatch):
    import workfw.c4_flywheel.flow_views as c4_flow
    import workfw.flow.forecast as forecast_module
    import workfw.flow.metrics as metrics_module
    import workfw.flow.times as times_module

    calls = []
    real = times_module.cycle_times

    def counted(*args, **kwargs):
        calls.append(kwargs.get("start", "started"))
        return real(*args, **kwargs)

    for module in (flow, times_module, metrics_module, forecast_module):
        monkeypatch.setattr(module, "cycle_times", counted)
    figures = c4_flow.flow_figures(data, horizon_days=14, runs=200)
    assert calls == ["started"]
    # All four charts were drawn from it, none fell back to a "cannot draw" message.
    assert [len(f.data) > 0 for f in figures] == [True, True, True, True]


def test_precomputed_cycles_give_the_same_tables(data):
    cycles = flow.cycle_times(data)
    pd.testing.assert_frame_equal(flow.aging_wip(data, cycles=cycles), flow.aging_wip(data))
    pd.testing.assert_frame_equal(flow.throughput(data, by="kind", cycles=cycles), flow.throughput(data, by="kind"))
    until = "2024-02-15"
    pd.testing.assert_frame_equal(flow.forecast_how_many(data, until=until, runs=200, cycles=cycles),
                                  flow.forecast_how_many(data, until=until, runs=200))
    pd.testing.assert_frame_equal(flow.forecast_when(data, items=3, runs=200, cycles=cycles),
                                  flow.forecast_when(data, items=3, runs=200))
    with pytest.raises(ValueError, match="cycles="):
        flow.aging_wip(data, cycles=pd.DataFrame({"x": [1]}))


def test_hover_text_is_escaped_like_escape_text_for_long_and_hostile_titles():
    from workfw.style import escape_text, hover_lines

    titles = [EVIL * 5, "é" * 59 + "😀" * 3, "a & b \"q\" 'r'", None, "%{x}"]
    rows = [dict(task_id=f"T{i}", title=t, status="Done", status_category="done", assignee="Ann",
                 created="2024-01-01", started="2024-01-02", completed=f"2024-01-{3 + i:02d}", started_basis="exact")
            for i, t in enumerate(titles)]
    fig = flow_charts.cycle_time_scatter(flow.cycle_times(_export(rows)))
    hover = list(fig.data[0].hovertext)
    expected = [f"{hover_lines([f'T{i}'], [t])}<br>{i + 1:.1f} days ({escape_text('exact')})"
                for i, t in enumerate(titles)]
    assert hover == expected
    assert not any("<img" in h for h in hover)

"""Results of every diagnosis, flow metric and forecast on every sample, with filters.

The architecture move (issue 13) must not change a number except where it
chose one rule over two that disagreed.  :func:`results` computes everything
through public import paths only, so it runs unchanged before and after a
move; ``python -m tests.snapshot.build`` writes the stored copy that
``tests/test_snapshot.py`` compares with.
"""
from __future__ import annotations

import gzip
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

import workfw as wf

STORED = Path(__file__).with_name("results.json.gz")
FRAMEWORKS = ("c4_flywheel", "coordination_stack", "value_pyramid", "visibility")


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, float) or hasattr(value, "dtype") and getattr(value, "ndim", 0) == 0:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return str(value)
        if math.isnan(number):
            return None
        return round(number, 6)
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    return value if isinstance(value, (int, str, bool)) else str(value)


def _frame(frame: pd.DataFrame) -> list[dict]:
    frame = frame.reset_index(drop=not isinstance(frame.index, pd.MultiIndex) and frame.index.name is None)
    return [{column: _plain(value) for column, value in row.items()} for row in frame.to_dict("records")]


def _filters(export: Any) -> dict[str, dict]:
    tasks = export.tasks
    teams = tasks["team"].dropna().value_counts()
    latest = pd.to_datetime(tasks["created"], utc=True).max()
    filters: dict[str, dict] = {"all": {}, "people": {"actors": "people"},
                                "window": {"window": (latest - pd.Timedelta(days=120), latest)}}
    if len(teams):
        filters["team"] = {"team": str(teams.index[0])}
    return filters


def results() -> dict[str, Any]:
    """Compute the snapshot: ``{sample: {part: records}}``."""
    out: dict[str, Any] = {}
    for name in wf.list_samples()["name"]:
        export = wf.load_sample(name)
        parts: dict[str, Any] = {}
        for label, options in _filters(export).items():
            for framework in FRAMEWORKS:
                found = getattr(wf, framework).diagnose(export, **options)
                parts[f"{framework}/{label}/signals"] = _frame(found.signals.drop(columns=["how"], errors="ignore"))
                parts[f"{framework}/{label}/summary"] = _frame(found.summary)
                parts[f"{framework}/{label}/findings"] = _frame(found.findings)
        cycles = wf.flow.cycle_times(export)
        parts["flow/cycle_times"] = _frame(cycles)
        parts["flow/percentiles"] = _frame(wf.flow.percentiles(cycles))
        parts["flow/throughput"] = _frame(wf.flow.throughput(export))
        parts["flow/wip"] = _frame(wf.flow.wip(export, freq="W"))
        parts["flow/aging_wip"] = _frame(wf.flow.aging_wip(export))
        parts["flow/cumulative_flow"] = _frame(wf.flow.cumulative_flow(export, freq="W"))
        parts["flow/blocked_time"] = _frame(wf.flow.blocked_time(export))
        until = pd.Timestamp(export.tasks["created"].max()) + pd.Timedelta(days=28)
        parts["flow/forecast_how_many"] = _frame(wf.flow.forecast_how_many(export, until=until, runs=2000))
        parts["flow/forecast_when"] = _frame(wf.flow.forecast_when(export, items=40, runs=2000))
        out[name] = parts
    return out


def write() -> None:
    """Store the current results as the snapshot to compare with."""
    STORED.write_bytes(gzip.compress(json.dumps(results(), sort_keys=True).encode(), mtime=0))


def stored() -> dict[str, Any]:
    """The stored snapshot."""
    return json.loads(gzip.decompress(STORED.read_bytes()))


if __name__ == "__main__":
    write()

"""One measured step, run in a child process: ``python -m benchmarks._steps STEP IN [OUT]``.

Prints one JSON line (``{"seconds": ..., "parts": {...}, "rss_before_mb": ...}``)
as its last output.  The parent reads the child's peak RSS from ``wait4``.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

__all__ = ["STEPS", "main"]

FRAMEWORKS = ("c4_flywheel", "coordination_stack", "value_pyramid", "visibility")


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    """Start the peak (VmHWM) again from the current RSS, so a step's peak leaves out loading its inputs."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass  # not Linux, or not allowed: the peak then includes loading


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _load(saved: str) -> Any:
    import workfw as wf

    return wf.read_export(saved)


def generate(path: str, tasks: str, seed: str, shape: str = "wide") -> dict:
    if shape == "narrow":
        from ._narrow import generate_narrow_jira_csv as make
    else:
        from workfw.samples import generate_jira_csv as make

    seconds, _ = _timed(lambda: make(path, tasks=int(tasks), seed=int(seed)))
    return {"seconds": seconds, "parts": {"bytes": Path(path).stat().st_size}}


def parse_floor(path: str) -> dict:
    import pyarrow.csv as pacsv

    from workfw.io._text import _parse_block

    before = _rss_mb()
    # The block size read_export's own parse uses for this file (at least 8 blocks of 1-16 MiB, parsed on every
    # core), so the floor is that parse.
    opts = pacsv.ReadOptions(block_size=_parse_block(Path(path).stat().st_size + 1))
    parse = pacsv.ParseOptions(newlines_in_values=True)
    seconds, table = _timed(lambda: pacsv.read_csv(path, read_options=opts, parse_options=parse))
    return {"seconds": seconds, "rss_before_mb": before, "parts": {"rows": table.num_rows}}


def read_export(path: str, saved: str) -> dict:
    import workfw as wf

    before = _rss_mb()
    stages: dict[str, float] = {}  # seconds spent under each label, summed over its spells
    last = ["", time.perf_counter()]

    def progress(stage: str, fraction: float) -> None:
        now = time.perf_counter()
        if last[0]:
            stages[last[0]] = stages.get(last[0], 0.0) + now - last[1]
        last[:] = [stage, now]

    seconds, export = _timed(lambda: wf.read_export(path, progress=progress))
    peak = _peak_mb()  # before saving, which is no part of the import
    export.save(saved)
    return {"seconds": seconds, "rss_before_mb": before, "step_peak_mb": peak,
            "parts": {"tasks": len(export.tasks), "stage_seconds": stages}}


def diagnoses(saved: str) -> dict:
    import importlib

    export = _load(saved)
    before = _rss_mb()
    _reset_peak()
    parts = {}
    for name in FRAMEWORKS:
        module = importlib.import_module(f"workfw.{name}")
        parts[name], _ = _timed(lambda m=module: m.diagnose(export))
    return {"seconds": sum(parts.values()), "rss_before_mb": before, "step_peak_mb": _peak_mb(), "parts": parts}


def flow(saved: str) -> dict:
    from workfw import flow as fl

    export = _load(saved)
    before = _rss_mb()
    _reset_peak()
    calls = {
        "cycle_times": lambda: fl.percentiles(fl.cycle_times(export)),
        "throughput": lambda: fl.throughput(export, by="team"),
        "wip": lambda: fl.wip(export),
        "cumulative_flow": lambda: fl.cumulative_flow(export),
        "aging_wip": lambda: fl.aging_wip(export),
        "blocked_time": lambda: fl.blocked_time(export),
        "forecast_when": lambda: fl.forecast_when(export, items=50, runs=10000),
    }
    parts = {name: _timed(call)[0] for name, call in calls.items()}
    return {"seconds": sum(parts.values()), "rss_before_mb": before, "step_peak_mb": _peak_mb(), "parts": parts}


#: Times the explorer's data is loaded afresh (every team is new again each time): more samples of a new team.
_EXPLORER_LOADS = 2


def explorer(saved: str) -> dict:
    """Filter changes in the framework explorer: set a control, redraw the diagram.

    Per load: the explorer opens (diagnosis and diagram of every task, as the
    widget draws them before anyone touches a control), then each team is
    chosen for the first time, then again; then a threshold, people or agents,
    and a date window on the whole table.  ``seconds`` is the median of the
    first choices of a team, the common filter change.
    """
    from workfw.widgets import ExplorerModel

    kinds: dict[str, list[float]] = {"new team": [], "team seen before": [], "threshold": [],
                                     "people or agents": [], "date window": []}
    before, tasks = None, 0
    for _ in range(_EXPLORER_LOADS):
        export = _load(saved)
        tasks = len(export.tasks)
        model = ExplorerModel(export, "c4_flywheel")
        model.diagnosis.figure()
        before = _rss_mb() if before is None else before

        def change(kind: str, **controls: Any) -> None:
            t0 = time.perf_counter()
            for name, value in controls.items():
                setattr(model, name, value)
            model.diagnosis.figure()
            kinds[kind].append(time.perf_counter() - t0)

        teams = model.teams[1:]
        for team in teams:
            change("new team", team=team)
        for team in teams:
            change("team seen before", team=team)
        model.team = "All"
        for days in (14, 60):
            change("threshold", stale_days=days)
        for actors in ("people", "agents"):
            change("people or agents", actors=actors)
        model.actors = "all"
        months = model.months
        if len(months) > 6:
            change("date window", window=(months[-6], months[-1]))
            change("date window", window=(months[0], months[-7]))
        del model, export
    runs = kinds["new team"] or kinds["team seen before"]
    return {"seconds": statistics.median(runs) if runs else None, "rss_before_mb": before,
            "parts": {"kinds": kinds, "loads": _EXPLORER_LOADS, "tasks": tasks}}


def notebook(path: str) -> dict:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=1800, kernel_name="python3",
                            resources={"metadata": {"path": str(Path(path).parent)}})
    seconds, _ = _timed(client.execute)
    return {"seconds": seconds, "parts": {"cells": len(nb.cells)}}


def tracker_generate(tracker: str, path: str, rows: str) -> dict:
    from ._tiled import write_tiled

    seconds, written = _timed(lambda: write_tiled(tracker, path, int(rows)))
    return {"seconds": seconds, "parts": {"bytes": Path(path).stat().st_size, "rows": written}}


def tracker_parse(path: str) -> dict:
    """The format's own parse: pyarrow's CSV reader on every core, or the standard JSON parser."""
    before = _rss_mb()
    if path.endswith(".json"):
        seconds, doc = _timed(lambda: json.loads(Path(path).read_bytes()))
        return {"seconds": seconds, "rss_before_mb": before, "parts": {"kind": "json.loads"}}
    return {**parse_floor(path), "parts": {"kind": "pyarrow.csv"}}


def tracker_read(path: str) -> dict:
    import workfw as wf

    before = _rss_mb()
    seconds, export = _timed(lambda: wf.read_export(path))
    return {"seconds": seconds, "rss_before_mb": before, "step_peak_mb": _peak_mb(),
            "parts": {"tasks": len(export.tasks), "warnings": len(export.report.warnings)}}


STEPS: dict[str, Callable[..., dict]] = {
    "generate": generate, "parse_floor": parse_floor, "read_export": read_export, "diagnoses": diagnoses,
    "flow": flow, "explorer": explorer, "notebook": notebook,
    "tracker_generate": tracker_generate, "tracker_parse": tracker_parse, "tracker_read": tracker_read,
}


def main(argv: list[str]) -> int:
    """Run ``STEPS[argv[0]](*argv[1:])`` and print its JSON result."""
    result = STEPS[argv[0]](*argv[1:])
    result["rss_end_mb"] = _rss_mb()
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

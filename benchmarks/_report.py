"""Render benchmark results as the Markdown of ``benchmarks/results.md``."""
from __future__ import annotations

import math
import platform
from pathlib import Path
from typing import Any

__all__ = ["MAIN_COLUMNS", "RUN_COLUMNS", "SHAPE_NOTES", "render", "machine", "NOTES_MARKER"]

#: Columns of the main table, one row per size and shape.
MAIN_COLUMNS = ("tasks", "shape", "file MB", "generate s", "pyarrow parse s (median)", "read_export s (median)",
                "read / parse", "read_export peak MB (max)", "4 diagnoses s", "diagnoses / parse",
                "diagnoses peak MB", "flow s", "flow peak MB")
#: Columns of the table of every parse and read_export run, one row per size and shape.
RUN_COLUMNS = ("tasks", "shape", "pyarrow parse, each run (s)", "read_export, each run (s)",
               "read / parse, each pair")
#: What each export shape is, for the reader of the table.
SHAPE_NOTES = {
    "narrow": "20 columns as a Jira current-fields export writes them, timestamps to the minute and nearly all "
              "distinct (benchmarks/_narrow.py)",
    "wide": "the all-fields export of the generated organisation (~100 columns, repeated rows, so its "
            "timestamps repeat; workfw.samples.generate_jira_csv)",
}
#: Text after this line in an existing results file is kept (hand-written analysis).
NOTES_MARKER = "<!-- notes: everything below this line is kept when the benchmark rewrites the file -->"
_FRAMEWORKS = ("c4_flywheel", "coordination_stack", "value_pyramid", "visibility")
_FLOW = ("cycle_times", "throughput", "wip", "cumulative_flow", "aging_wip", "blocked_time", "forecast_when")


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "failed"
    return f"{value:,.{digits}f}"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [_row(header), _row(["---"] * len(header)), *(_row(r) for r in rows)]


def machine() -> str:
    """One line naming the CPU, cores, memory and library versions."""
    import numpy
    import pandas
    import pyarrow

    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo.read_text().splitlines()
                    if ln.startswith("model name")), cpu)
    mem = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        mem = f", {kib / 2**20:.0f} GiB RAM"
    import os

    return (f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, pandas {pandas.__version__}, pyarrow {pyarrow.__version__}, "
            f"numpy {numpy.__version__}")


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def _each(results: dict[str, Any]):
    for n, shapes in results["sizes"].items():
        for shape, steps in shapes.items():
            yield n, shape, steps


def _main_rows(results: dict[str, Any]) -> list[list[str]]:
    rows = []
    for n, shape, s in _each(results):
        parse, read, diag = s["parse_floor"].seconds, s["read_export"].seconds, s["diagnoses"].seconds
        size = s["generate"].parts.get("bytes")
        rows.append([f"{n:,}", shape, _fmt(size / 1e6 if size else None, 1), _fmt(s["generate"].seconds),
                     _fmt(parse), _fmt(read), _fmt(_ratio(read, parse)), _fmt(s["read_export"].peak_mb, 0),
                     _fmt(diag), _fmt(_ratio(diag, parse)), _fmt(s["diagnoses"].peak_mb, 0), _fmt(s["flow"].seconds),
                     _fmt(s["flow"].peak_mb, 0)])
    return rows


def _runs_of(r: Any) -> list[Any]:
    # A step run once has no ``runs``; it is then its own single run.
    return list(r.runs) or [r]


def _run_rows(results: dict[str, Any]) -> list[list[str]]:
    rows = []
    for n, shape, s in _each(results):
        parses, reads = _runs_of(s["parse_floor"]), _runs_of(s["read_export"])
        pairs = [_fmt(_ratio(read.seconds, parse.seconds)) for parse, read in zip(parses, reads)]
        rows.append([f"{n:,}", shape, ", ".join(_fmt(r.seconds) for r in parses),
                     ", ".join(_fmt(r.seconds) for r in reads), ", ".join(pairs)])
    return rows


def _detail_rows(results: dict[str, Any]) -> list[list[str]]:
    rows = []
    for n, shape, s in _each(results):
        stages = s["read_export"].parts.get("stage_seconds", {})
        spans = "; ".join(f"{stage} {sec:.2f}" for stage, sec in stages.items())
        diag = "; ".join(f"{k} {_fmt(s['diagnoses'].parts.get(k))}" for k in _FRAMEWORKS)
        flow = "; ".join(f"{k} {_fmt(s['flow'].parts.get(k))}" for k in _FLOW)
        rows.append([f"{n:,}", shape, spans or "failed", diag, flow])
    return rows


def _targets(results: dict[str, Any]) -> list[list[str]]:
    sizes = results["sizes"]
    big = max(sizes)
    out = []
    for n, shape, s in _each(results):
        parse, read = s["parse_floor"].seconds, s["read_export"].seconds
        if parse and read:
            out.append([f"read_export within 3x the pyarrow parse ({n:,}, {shape})", f"{read / parse:.2f}x",
                        "met" if read <= 3 * parse else "missed"])
    for shape, s in sizes[big].items():
        parse, diag = s["parse_floor"].seconds, s["diagnoses"].seconds
        if parse and diag:
            out.append([f"4 diagnoses within 5x the pyarrow parse ({big:,}, {shape})", f"{diag / parse:.2f}x",
                        "met" if diag <= 5 * parse else "missed"])
    if "narrow" in sizes[big]:
        peak = max((r.peak_mb or 0) for r in sizes[big]["narrow"].values())
        out.append([f"peak memory under 2 GB ({big:,}, narrow, largest step)", f"{peak:,.0f} MB",
                    "met" if peak < 2000 else "missed"])
    if results.get("explorer"):
        n, r = results["explorer"]
        out.append([f"filter change (new team) to redrawn chart under 200 ms ({n:,})",
                     f"{_fmt(r.seconds * 1000 if r.seconds is not None else None, 0)} ms",
                     "met" if r.seconds is not None and r.seconds < 0.2 else "missed"])
    small = min(sizes)
    if big > small:
        limit = 1.2 * big / small
        for shape in sizes[big]:
            for step in ("read_export", "diagnoses", "flow"):
                a, b = sizes[small][shape][step].seconds, sizes[big][shape][step].seconds
                if a and b:
                    out.append([f"{step} grows linearly ({shape}: {big:,} within {limit:.0f}x of {small:,})",
                                f"{b / a:.1f}x", "met" if b <= limit * a else "missed"])
    return out


def _explorer_lines(n: int, r: Any) -> list[str]:
    if r.error is not None:
        return [f"failed: {r.error}", ""]
    loads = r.parts.get("loads", 1)
    rows = []
    for kind, runs in r.parts.get("kinds", {}).items():
        if runs:
            ms = sorted(x * 1000 for x in runs)
            median = (ms[(len(ms) - 1) // 2] + ms[len(ms) // 2]) / 2
            rows.append([kind, str(len(ms)), f"{median:.0f}", ", ".join(f"{x * 1000:.0f}" for x in runs)])
    return [f"`ExplorerModel(export, \"c4_flywheel\")` on {n:,} tasks, loaded {loads} times (each load makes every "
            "team new again). It opens with the diagnosis and diagram of every task, as the widget does; each "
            "timing is setting one control and building `.diagnosis.figure()`. The target is the median of "
            "\"new team\" (a team not chosen before, the common filter change); the other kinds are for context.",
            "", *_table(["filter change", "runs", "median ms", "each run (ms, in order)"], rows), ""]


def _tracker_lines(results: dict[str, Any]) -> list[str]:
    rows = []
    for tracker, steps in results["trackers"].items():
        gen, parse, read = steps["generate"], steps["parse"], steps["read"]
        size = gen.parts.get("bytes")
        rows.append([tracker, f"{read.parts.get('tasks', gen.parts.get('rows', 0)):,}",
                     _fmt(size / 1e6, 1) if size else "failed", parse.parts.get("kind", ""), _fmt(parse.seconds),
                     _fmt(read.seconds), _fmt(_ratio(read.seconds, parse.seconds)), _fmt(read.peak_mb, 0),
                     gen.error or parse.error or read.error or "ok"])
    return [f"Each shipped sample repeated to {results.get('tracker_rows', 0):,} tasks with fresh ids "
            "(benchmarks/_tiled.py): links stay inside each copy, and its dates and texts repeat, so per-distinct "
            "work is cheaper than on a real export of that size. One run each, in fresh processes; the parse is "
            "the format's own (pyarrow's CSV reader, or json.loads), so the JSON ratio is what reading the "
            "records costs beyond Python's parser.", "",
            *_table(["tracker", "tasks", "file MB", "parse", "parse s", "read_export s", "read / parse",
                     "read_export peak MB", "status"], rows), ""]


def render(results: dict[str, Any], *, command: str, notes: str) -> str:
    """The whole results file: command, machine, tables, then the kept notes."""
    repeats = results.get("repeats", 1)
    lines = ["# workfw benchmark results", "",
             "Generated by the benchmark script; figures, not tests. Times are wall-clock seconds on a machine",
             "shared with other work, where a single fresh-process run varies by up to 2-3x. Each step runs in",
             f"its own child process. The pyarrow parse, read_export and the diagnoses run {repeats} times each",
             "at every size and shape, interleaved (parse, read, diagnoses, parse, ...) so all see the same",
             "machine conditions; the main table gives the median of each, \"read / parse\" and \"diagnoses /",
             "parse\" are ratios of those medians, and \"Each run\" lists every parse and read in order. The",
             "stage split of read_export and of the diagnoses is that of the run nearest the median. Generate",
             "and flow run once. Peak MB is that process's peak resident memory (VmHWM) while the step ran, the",
             "largest over the runs of a repeated step: for read_export from start to the returned export (not",
             "the saving that follows);",
             "for diagnoses and flow it is reset after the export is loaded from a saved `.workfw` file, so it",
             "counts the loaded export plus the step's working memory. Other steps: the whole process",
             "(`wait4`). Sizes, peaks and the rss_before values include Python, pandas and pyarrow",
             "(~100-200 MB).", "",
             f"Command: `{command}`", "", f"Machine: {machine()}", "",
             "Shapes: " + "; ".join(f"**{k}**: {v}" for k, v in SHAPE_NOTES.items()) + ".", "",
             "## Main figures", "", *_table(list(MAIN_COLUMNS), _main_rows(results)), "",
             "## Each run of the parse and read_export", "",
             f"In the order they ran; the main table's figures are the medians of these {repeats} runs.", "",
             *_table(list(RUN_COLUMNS), _run_rows(results)), "",
             "## Where the time goes", "",
             *_table(["tasks", "shape", "read_export stages (s)", "diagnoses (s)", "flow analytics (s)"],
                     _detail_rows(results)), ""]
    lines += ["## Other trackers", ""]
    if results.get("trackers"):
        lines += _tracker_lines(results)
    else:
        lines += ["not measured (`--tracker-rows 0`)", ""]
    lines += ["## Filter change to redrawn chart", ""]
    if results.get("explorer"):
        n, r = results["explorer"]
        lines += _explorer_lines(n, r)
    else:
        lines += ["not measured", ""]
    lines += ["## Notebooks", ""]
    if results.get("notebooks") is None:
        lines += ["not run (`--no-notebooks`)", ""]
    elif not results["notebooks"]:
        lines += ["not yet: no notebooks/*.ipynb", ""]
    else:
        lines += _table(["notebook", "run s (nbclient, sample data)", "peak MB", "status"],
                        [[name, _fmt(r.seconds), _fmt(r.peak_mb, 0), "ok" if r.error is None else r.error]
                         for name, r in results["notebooks"].items()]) + [""]
    lines += ["## Targets", "", *_table(["target", "measured", "status"], _targets(results)), ""]
    failed = [f"{n:,} {shape} {step}: {r.error}" for n, shape, s in _each(results) for step, r in s.items()
              if r.error]
    if failed:
        lines += ["## Failures", "", *(f"- {f}" for f in failed), ""]
    return "\n".join(lines) + "\n" + NOTES_MARKER + "\n" + notes

"""Run the benchmark steps in child processes and collect their times and peak memory."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["StepResult", "run_step", "run_all", "SHAPES", "REPEATED", "DEFAULT_REPEATS"]

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class StepResult:
    """What one child process measured."""

    step: str
    seconds: float | None
    peak_mb: float | None
    parts: dict[str, Any] = field(default_factory=dict)
    rss_before_mb: float | None = None
    error: str | None = None
    #: Every run, in order, when the step was repeated; empty for a single run.
    runs: list[StepResult] = field(default_factory=list)


def run_step(step: str, *args: str, log: Path) -> StepResult:
    """Run ``python -m benchmarks._steps step *args`` and read its peak RSS from ``wait4``.

    ``wait4`` reports the peak of that one child, unlike
    ``getrusage(RUSAGE_CHILDREN)``, which keeps the largest child so far.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as err:
        err.write(f"\n== {step} {' '.join(args)}\n".encode())
        err.flush()
        proc = subprocess.Popen([sys.executable, "-m", "benchmarks._steps", step, *args], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=err)
        out = proc.stdout.read() if proc.stdout else b""
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.stdout:
            proc.stdout.close()
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    if proc.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
        return StepResult(step, None, peak, error=f"exit {proc.returncode}: {tail[0][:200]}")
    data = json.loads(out.decode().strip().splitlines()[-1])
    # A step that knows its own peak (without saving or loading files around it) reports it.
    peak = data.get("step_peak_mb") or peak
    return StepResult(step, data["seconds"], peak, data.get("parts", {}), data.get("rss_before_mb"))


#: Steps run ``repeats`` times, interleaved, because their ratio is the headline figure and a single
#: fresh-process run of either varies by 2x or more on a shared machine.
REPEATED = ("parse_floor", "read_export", "diagnoses")
#: Default number of runs of each step in ``REPEATED``.
DEFAULT_REPEATS = 3


def _combine(step: str, runs: list[StepResult]) -> StepResult:
    """One result standing for ``runs`` of ``step``: median seconds, largest peak.

    Parameters
    ----------
    step : str
        Name of the step.
    runs : list of StepResult
        Every run of the step, in order.

    Returns
    -------
    StepResult
        ``seconds`` is the median over the runs that succeeded (None if none did), ``peak_mb`` the
        largest peak of any run, ``parts`` and ``rss_before_mb`` those of the run nearest the median,
        ``error`` that of the first run that failed (if any), and ``runs`` the runs themselves.
    """
    ok = [r for r in runs if r.seconds is not None]
    peaks = [r.peak_mb for r in runs if r.peak_mb is not None]
    error = next((r.error for r in runs if r.error is not None), None)
    if not ok:
        return StepResult(step, None, max(peaks, default=None), error=error, runs=runs)
    median = statistics.median(r.seconds for r in ok)
    # The stage split comes from one real run, so its stages still add up to that run's time.
    nearest = min(ok, key=lambda r: abs(r.seconds - median))
    return StepResult(step, median, max(peaks, default=None), nearest.parts, nearest.rss_before_mb,
                      error=error, runs=runs)


#: Export shapes measured at every size: a narrow ~20-column export with minute stamps (as real Jira
#: exports are) and the wide all-fields export of the generated organisation.
SHAPES = ("narrow", "wide")


def run_all(sizes: list[int], *, cache: Path, seed: int, explorer_size: int,
            notebooks: list[Path] | None, shapes: tuple[str, ...] = SHAPES,
            repeats: int = DEFAULT_REPEATS, tracker_rows: int = 0) -> dict[str, Any]:
    """Measure every step at every size and shape.

    Parameters
    ----------
    sizes : list of int
        Numbers of tasks.
    cache : Path
        Folder for the generated exports and the log.
    seed : int
        Seed of the generated organisation.
    explorer_size : int
        The explorer is timed at the largest size not above this.
    notebooks : list of Path or None
        Notebooks to run, or None to skip them.
    shapes : tuple of str
        Export shapes to measure (some of ``SHAPES``).
    repeats : int
        Runs of each step in ``REPEATED``, interleaved (parse, read, parse, read, ...), each in a
        fresh child process (diagnoses after the read that saved their input); the other steps run once.
    tracker_rows : int
        Size of the other trackers' exports (each sample repeated, see ``benchmarks._tiled``), each
        parsed and read once; 0 skips them.

    Returns
    -------
    dict
        ``{"sizes": {n: {shape: {step: StepResult}}}, "explorer": (n, StepResult), "notebooks": ...,
        "repeats": repeats, "trackers": {tracker: {step: StepResult}}}``; a repeated step's result is
        the combination of its runs (see ``_combine``).
    """
    if repeats < 1:
        raise ValueError(f"repeats must be 1 or more, not {repeats}")
    cache.mkdir(parents=True, exist_ok=True)
    log = cache / "benchmark.log"
    log.write_text("")
    results: dict[str, Any] = {"sizes": {}, "explorer": None, "notebooks": None, "repeats": repeats,
                               "trackers": {}, "tracker_rows": tracker_rows}
    explorer_at = max((n for n in sizes if n <= explorer_size), default=min(sizes))
    for n in sizes:
        results["sizes"][n] = {}
        for shape in shapes:
            prefix = "jira" if shape == "wide" else f"jira_{shape}"
            csv_path = cache / f"{prefix}_{n}_seed{seed}.csv"
            saved = cache / f"{prefix}_{n}_seed{seed}.workfw"
            steps: dict[str, StepResult] = {}
            _say(f"{n:,} tasks, {shape}: generating")
            steps["generate"] = run_step("generate", str(csv_path), str(n), str(seed), shape, log=log)
            args = {"parse_floor": (str(csv_path),), "read_export": (str(csv_path), str(saved)),
                    "diagnoses": (str(saved),), "flow": (str(saved),)}
            # Interleaved so that a busy spell of the shared machine falls on both steps of a pair alike,
            # rather than on all the parses or all the reads.
            runs: dict[str, list[StepResult]] = {step: [] for step in REPEATED}
            for i in range(repeats):
                for step in REPEATED:
                    _say(f"{n:,} tasks, {shape}: {step} (run {i + 1} of {repeats})")
                    runs[step].append(run_step(step, *args[step], log=log))
            for step in REPEATED:
                steps[step] = _combine(step, runs[step])
            for step in ("flow",):
                _say(f"{n:,} tasks, {shape}: {step}")
                steps[step] = run_step(step, *args[step], log=log)
            if n == explorer_at and shape == "wide":
                _say(f"{n:,} tasks: explorer filter change")
                results["explorer"] = (n, run_step("explorer", str(saved), log=log))
            results["sizes"][n][shape] = steps
    if tracker_rows:
        from ._tiled import TRACKERS

        for tracker, (suffix, _) in TRACKERS.items():
            path = cache / f"tiled_{tracker}_{tracker_rows}{suffix}"
            _say(f"{tracker}, {tracker_rows:,} tasks: generating, parsing, reading")
            results["trackers"][tracker] = {
                "generate": run_step("tracker_generate", tracker, str(path), str(tracker_rows), log=log),
                "parse": run_step("tracker_parse", str(path), log=log),
                "read": run_step("tracker_read", str(path), log=log),
            }
    if notebooks is not None:
        results["notebooks"] = {}
        for nb in notebooks:
            _say(f"notebook {nb.name}")
            results["notebooks"][nb.name] = run_step("notebook", str(nb), log=log)
    return results


def _say(text: str) -> None:
    # Progress for the person at the terminal; the table is the result.
    sys.stderr.write(f"[benchmark] {text}\n")
    sys.stderr.flush()

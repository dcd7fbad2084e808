"""The benchmark script keeps working: a tiny run writes a table with every row and column (no timings asserted)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

# benchmarks/ is a top-level folder of the checkout, not part of the installed package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.__main__ import main  # noqa: E402
from benchmarks._report import MAIN_COLUMNS, NOTES_MARKER, RUN_COLUMNS  # noqa: E402
from benchmarks._run import StepResult, _combine  # noqa: E402


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "results.md"
    out.write_text("old table\n" + NOTES_MARKER + "\nHand-written analysis stays.\n")
    assert main(["--sizes", "2000", "--explorer-size", "2000", "--no-notebooks", "--tracker-rows", "700",
                 "--repeats", "2", "--out", str(out), "--cache", str(tmp / "cache")]) == 0
    assert sorted(p.name for p in (tmp / "cache").glob("jira_*.csv")) == ["jira_2000_seed20261030.csv",
                                                                          "jira_narrow_2000_seed20261030.csv"]

    return out.read_text()


def _main_table(text: str, heading: str = "## Main figures") -> list[list[str]]:
    block = text.split(heading, 1)[1].split("##", 1)[0]
    return [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in block.splitlines() if ln.startswith("|")]


def test_main_table_has_every_column_and_one_row_per_size(results: str) -> None:
    header, rule, *rows = _main_table(results)
    assert tuple(header) == MAIN_COLUMNS
    assert [r[:2] for r in rows] == [["2,000", "narrow"], ["2,000", "wide"]]
    for row in rows:
        assert len(row) == len(MAIN_COLUMNS)
        assert "failed" not in row
        # Every cell is a figure; a step of a 2,000-task file can take under 5 ms and show as 0.00.
        assert all(float(c.replace(",", "")) >= 0 for c in row[:1] + row[2:])
        assert float(row[2].replace(",", "")) > 0  # the file's size


def test_each_run_table_lists_every_parse_and_read_in_order(results: str) -> None:
    header, rule, *rows = _main_table(results, "## Each run of the parse and read_export")
    assert tuple(header) == RUN_COLUMNS
    assert [r[:2] for r in rows] == [["2,000", "narrow"], ["2,000", "wide"]]
    for row in rows:
        assert [len(cell.split(", ")) for cell in row[2:]] == [2, 2, 2]
    assert "run 2 times each" in results


def test_repeated_step_is_median_time_and_largest_peak() -> None:
    runs = [StepResult("read_export", 3.0, 500.0, {"run": 1}), StepResult("read_export", 1.0, 700.0, {"run": 2}),
            StepResult("read_export", 2.0, 600.0, {"run": 3})]
    combined = _combine("read_export", runs)
    assert (combined.seconds, combined.peak_mb, combined.parts, combined.error) == (2.0, 700.0, {"run": 3}, None)
    assert combined.runs == runs
    failed = _combine("read_export", [*runs[:2], StepResult("read_export", None, 90.0, error="exit 1: boom")])
    assert (failed.seconds, failed.peak_mb, failed.error) == (2.0, 700.0, "exit 1: boom")
    assert _combine("read_export", [StepResult("read_export", None, None, error="exit 1")]).seconds is None


def test_details_explorer_targets_and_kept_notes(results: str) -> None:
    assert "## Failures" not in results
    for framework in ("c4_flywheel", "coordination_stack", "value_pyramid", "visibility"):
        assert framework in results
    for part in ("cycle_times", "aging_wip", "forecast_when", "parsing", "assembling"):
        assert part in results
    assert "on 2,000 tasks, loaded 2 times" in results
    explorer = results.split("## Filter change to redrawn chart", 1)[1].split("##", 1)[0]
    for kind in ("| new team |", "| team seen before |", "| threshold |", "| people or agents |"):
        assert kind in explorer
    targets = results.split("## Targets", 1)[1]
    for target in ("read_export within 3x the pyarrow parse (2,000, narrow)",
                   "read_export within 3x the pyarrow parse (2,000, wide)", "4 diagnoses within 5x",
                   "peak memory under 2 GB (2,000, narrow", "filter change"):
        assert target in targets
    assert "not run (`--no-notebooks`)" in results
    assert results.rstrip().endswith("Hand-written analysis stays.")
    assert results.count(NOTES_MARKER) == 1


def test_other_trackers_are_tiled_to_size_and_read(results: str) -> None:
    rows = {r[0]: r for r in _main_table(results, "## Other trackers")[2:]}
    assert set(rows) == {"asana", "linear", "azure-devops", "github", "jira-api", "trello"}
    for tracker, row in rows.items():
        assert row[-1] == "ok", (tracker, row)
        # Rows a reader leaves out (templates) or adds (Linear projects) move the count a little, no more.
        assert 600 <= int(row[1].replace(",", "")) <= 760, (tracker, row)
        assert row[3] == ("json.loads" if tracker in ("github", "jira-api", "trello") else "pyarrow.csv")

"""``python -m benchmarks [--sizes 200000,1000000] [--shapes narrow,wide] [--repeats 3] [--tracker-rows 100000]``.

Writes benchmarks/results.md (or ``--out``), keeping the hand-written notes at its end.
"""
from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from ._report import NOTES_MARKER, render
from ._run import DEFAULT_REPEATS, ROOT, SHAPES, run_all

__all__ = ["main"]

DEFAULT_SIZES = "200000,1000000"
#: Tasks in each of the other trackers' exports: JSON exports of this size take 10-25 s to read.
DEFAULT_TRACKER_ROWS = 100_000


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--sizes {text!r}: expected whole numbers such as 10000,100000") from exc
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError(f"--sizes {text!r}: expected at least one size of 1 or more")
    return sizes


def _repeats(text: str) -> int:
    try:
        repeats = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--repeats {text!r}: expected a whole number such as 3") from exc
    if repeats < 1:
        raise argparse.ArgumentTypeError(f"--repeats {text!r}: expected 1 or more")
    return repeats


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the results table; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--sizes", type=_sizes, default=_sizes(DEFAULT_SIZES),
                        help=f"numbers of tasks, comma-separated (default {DEFAULT_SIZES})")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md", help="results file")
    parser.add_argument("--cache", type=Path, default=ROOT / "benchmarks" / "out",
                        help="folder for generated exports (git-ignored)")
    parser.add_argument("--seed", type=int, default=20261030, help="seed of the generated organisation")
    parser.add_argument("--explorer-size", type=int, default=100_000,
                        help="size at which to time a filter change in the explorer (largest size not above it)")
    parser.add_argument("--repeats", type=_repeats, default=DEFAULT_REPEATS,
                        help="runs of the pyarrow parse, read_export and the diagnoses at each size and shape, "
                             "interleaved, "
                             f"each in a fresh process; the table shows their medians (default {DEFAULT_REPEATS})")
    parser.add_argument("--no-notebooks", action="store_true", help="skip running notebooks/*.ipynb")
    parser.add_argument("--tracker-rows", type=int, default=DEFAULT_TRACKER_ROWS,
                        help="size of the Asana, Linear, Azure DevOps, GitHub, Jira JSON and Trello exports "
                             f"(each sample repeated with fresh ids); 0 skips them (default {DEFAULT_TRACKER_ROWS})")
    parser.add_argument("--shapes", default=",".join(SHAPES),
                        help=f"export shapes to measure, comma-separated (default {','.join(SHAPES)})")
    args = parser.parse_args(argv)
    notebooks = None if args.no_notebooks else sorted((ROOT / "notebooks").glob("*.ipynb"))
    shapes = tuple(part.strip() for part in args.shapes.split(",") if part.strip())
    if not shapes or set(shapes) - set(SHAPES):
        parser.error(f"--shapes {args.shapes!r}: expected some of {','.join(SHAPES)}")
    results = run_all(args.sizes, cache=args.cache, seed=args.seed, explorer_size=args.explorer_size,
                      notebooks=notebooks, shapes=shapes, repeats=args.repeats, tracker_rows=args.tracker_rows)
    notes = ""
    if args.out.exists() and NOTES_MARKER in (old := args.out.read_text()):
        notes = old.split(NOTES_MARKER, 1)[1].lstrip("\n")
    command = "python -m benchmarks " + shlex.join(argv if argv is not None else sys.argv[1:])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(results, command=command.strip(), notes=notes))
    sys.stderr.write(f"[benchmark] wrote {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

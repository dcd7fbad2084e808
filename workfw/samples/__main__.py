"""Regenerate the sample files: ``python -m workfw.samples [--out DIR] [--only NAME ...]``."""
from __future__ import annotations

import argparse
from pathlib import Path

from workfw.samples import _data_root
from workfw.samples._catalog import SAMPLES
from workfw.samples._writers import write_samples

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Write the sample organisation's export files; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m workfw.samples", description=__doc__)
    parser.add_argument("--out", type=Path, default=None,
                        help="target folder (default: the installed sample folder, data/samples in a checkout)")
    parser.add_argument("--only", nargs="+", choices=sorted(SAMPLES), help="write only these samples")
    args = parser.parse_args(argv)
    out = args.out if args.out is not None else Path(str(_data_root()))
    written = write_samples(out, names=args.only)
    total = sum(p.stat().st_size for p in written)
    print(f"Wrote {len(written)} files ({total / 1e6:.1f} MB) to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

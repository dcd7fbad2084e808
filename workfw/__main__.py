"""``python -m workfw`` and the ``workfw`` console script (see :mod:`workfw.cli`)."""
from __future__ import annotations

import sys
from typing import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``workfw`` command; returns the exit status (the console script exits with it)."""
    from workfw.cli import main as run

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())

"""Jira CSV exports of any size, for benchmarks: the sample organisation tiled.

Generating a million distinct items one by one would take the generator
minutes; instead the seeded organisation (about 2,500 items) is rendered
once and repeated with fresh issue keys and ids, so parents, sub-tasks and
blocking links stay inside each copy.  Dates and titles repeat across copies,
which the readers and diagnoses do not care about but a reader of the
numbers should know.
"""
from __future__ import annotations

import csv
from pathlib import Path

from workfw.errors import OptionError
from workfw.files import atomic_writer
from workfw.samples._generator import generate_organisation
from workfw.samples._jira import _blocks, jira_csv_header, jira_csv_row, jira_csv_widths
from workfw.samples._profiles import SEED

__all__ = ["generate_jira_csv"]

# Columns that hold an issue key (PLAT-12) or a numeric issue id (10012); the
# copies renumber exactly these.
_KEY_HEADERS = ("Issue key", "Inward issue link (Blocks)", "Outward issue link (Blocks)", "Parent key")
_ID_HEADERS = ("Issue id", "Parent")
_TEAM_HEADER = "Custom field (Team)"


def _split_key(cell: str) -> tuple[str, int] | None:
    prefix, _, number = cell.rpartition("-")
    return (prefix, int(number)) if prefix and number.isdigit() else None


def generate_jira_csv(path: str | Path, *, tasks: int, seed: int = SEED) -> Path:
    """Write a Jira "all fields" CSV export of ``tasks`` issues to ``path``.

    Parameters
    ----------
    path : str or pathlib.Path
        File to write (its folder is created when missing).
    tasks : int
        Number of issue rows, at least 1.
    seed : int
        Seed of the organisation that is repeated (the shipped one by default).

    Returns
    -------
    pathlib.Path
        The file written.  It carries a ``Custom field (Team)`` column (the
        shipped samples have none) so that team filters have teams to pick.

    Examples
    --------
    >>> from workfw.samples import generate_jira_csv
    >>> generate_jira_csv("big.csv", tasks=100_000, seed=7)  # doctest: +SKIP
    """
    if not isinstance(tasks, int) or tasks < 1:
        raise OptionError(f"generate_jira_csv(tasks={tasks!r}); expected a whole number of at least 1. "
                          "Next step: pass tasks=10_000, for example.")
    org = generate_organisation(seed)
    by_uid, blocks = org.by_uid(), _blocks(org)
    widths = jira_csv_widths(org, org.items, blocks)
    header = jira_csv_header(widths) + [_TEAM_HEADER]
    base = [jira_csv_row(org, item, by_uid, blocks, widths) + [item.team] for item in org.items]
    key_cols = [i for i, h in enumerate(header) if h in _KEY_HEADERS]
    id_cols = [i for i, h in enumerate(header) if h in _ID_HEADERS]
    # Per row: (column, prefix, number) for each key cell and (column, id) for each id cell.
    keys = [[(c, *k) for c in key_cols if (k := _split_key(row[c]))] for row in base]
    ids = [[(c, int(row[c])) for c in id_cols if row[c].isdigit()] for row in base]
    key_step = 10 ** len(str(max(n for row in keys for _, _, n in row) + 1))
    id_step = 10 ** len(str(max(n for row in ids for _, n in row) + 1))
    target = Path(path)
    # Streamed (the file can be gigabytes) and moved into place at the end, so a benchmark never reads half a file.
    with atomic_writer(target, encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        written, copy = 0, 0
        while written < tasks:
            take = min(len(base), tasks - written)
            rows = []
            for row, row_keys, row_ids in zip(base[:take], keys, ids):
                if copy:
                    row = list(row)
                    for c, prefix, number in row_keys:
                        row[c] = f"{prefix}-{number + copy * key_step}"
                    for c, number in row_ids:
                        row[c] = str(number + copy * id_step)
                rows.append(row)
            writer.writerows(rows)
            written, copy = written + take, copy + 1
    return target

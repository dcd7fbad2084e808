"""Parent links read as trees: the nearest epic above each task, how deep it sits, and parent cycles.

:func:`workfw.flow.epic_forecast` and :func:`workfw.flow.burn_up` both place a task under an epic
through this one walk, so they cannot disagree on how ``parent_id`` chains are followed.  Each caller
says which tasks are its epics; the walk goes up from every task one level at a time (one numpy
gather per level over the tasks still climbing, never a Python loop over rows) and stops at the
first epic, at a task with no parent in the table, after :data:`MAX_DEPTH` levels, or when it comes
back to where it started.  A task is under the *nearest* epic above it, so an epic inside another
epic keeps its own work.

Real exports hold parent cycles (A is the parent of B and B of A).  A cycle through an epic is
harmless: the walk stops at the epic.  Without one, the tasks on the cycle and under it reach no
epic; they are flagged (``on_cycle``, ``lost``) rather than followed round forever or counted twice.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["MAX_DEPTH"]

#: Levels followed up from a task before giving up (Azure's epic > feature > story > task is 3).
MAX_DEPTH = 20


class _Tree(NamedTuple):
    """Per task, in the table's row order (row positions, -1 for none)."""

    parent: np.ndarray    # row of the task's parent in the table; -1 when none, outside the table, or itself
    epic: np.ndarray      # row of the nearest epic above it, -1 when none is reached
    depth: np.ndarray     # levels below that epic (1: a direct child), 0 when none
    on_cycle: np.ndarray  # its parent chain comes back to it without passing another epic
    lost: np.ndarray      # the walk did not end: under a cycle, or deeper than ``max_depth``


def _parent_rows(tasks: pd.DataFrame) -> np.ndarray:
    """Row position of each task's parent: -1 when it has none, names a task not in the table, or itself.

    A ``task_id`` given twice resolves to its first row, so a messy export still gives one parent.
    """
    ids = tasks["task_id"].astype("string")
    size = len(ids)
    # One hash pass over ids and parents together; NA gets code -1 and so matches nothing.
    codes = pd.factorize(pd.concat([ids, tasks["parent_id"].astype("string")], ignore_index=True))[0]
    own, named = codes[:size], codes[size:]
    first = np.full(codes.max(initial=-1) + 1, -1, dtype=np.int64)
    known = np.flatnonzero(own >= 0)
    code, at = np.unique(own[known], return_index=True)  # the first row of a repeated id
    first[code] = known[at]
    rows = np.where(named >= 0, first[named], -1)
    return np.where(rows == np.arange(size), -1, rows).astype(np.int64)


def _epic_tree(parent: np.ndarray, is_epic: np.ndarray, *, max_depth: int = MAX_DEPTH) -> _Tree:
    """Walk every task up its parent chain to the nearest epic (see the module notes).

    Parameters
    ----------
    parent : numpy.ndarray
        :func:`_parent_rows` of the table.
    is_epic : numpy.ndarray
        Boolean mask of the tasks that are epics, in the same order.
    max_depth : int
        Levels followed before a chain counts as lost.

    Returns
    -------
    _Tree
        The epic each task is under, its depth and the cycle flags.
    """
    size = len(parent)
    epic = np.full(size, -1, dtype=np.int64)
    depth = np.zeros(size, dtype=np.int64)
    on_cycle = np.zeros(size, dtype=bool)
    rows = np.flatnonzero(parent >= 0)
    current = parent[rows]
    for step in range(1, max_depth + 1):
        if not rows.size:
            break
        back = current == rows
        hit = is_epic[current] & ~back  # an epic on a cycle is not its own parent epic
        epic[rows[hit]], depth[rows[hit]] = current[hit], step
        on_cycle[rows[back]] = True
        above = parent[current]
        keep = ~hit & ~back & (above >= 0)
        rows, current = rows[keep], above[keep]
    lost = np.zeros(size, dtype=bool)
    lost[rows] = True
    return _Tree(parent=parent, epic=epic, depth=depth, on_cycle=on_cycle, lost=lost | on_cycle)


def _work_items(parent: np.ndarray, is_epic: np.ndarray) -> np.ndarray:
    """Which tasks are work items: neither an epic nor a container of other work.

    A non-epic task with non-epic tasks under it (a story with sub-tasks, a feature) is a container:
    its work is counted through the tasks under it, never as well.  A child that is an epic starts a
    tree of its own, so it does not make its parent a container.
    """
    linked = parent >= 0
    container = np.zeros(len(parent), dtype=bool)
    container[parent[linked & ~is_epic]] = True
    return ~is_epic & ~container

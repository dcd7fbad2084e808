"""Whether an export can give a field: the reasons a signal is not measurable for want of data.

A signal names the fields it needs (:attr:`workfw.core.SignalSpec.required`);
:func:`field_gap` says why the tasks cannot give one (the export has no such
column, or leaves it empty on every task), in the words the coverage table shows.
"""
from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd

from workfw.core.cache import cached
from workfw.core.lists import list_counts
from workfw.core.rows import per_row
from workfw.schema import absent_columns

__all__ = ["HISTORY", "NO_HISTORY", "Tables", "field_gap"]


class Tables(Protocol):
    """What :func:`field_gap` reads of a :class:`workfw.core.Context`."""

    tasks: pd.DataFrame
    events: pd.DataFrame
    base: pd.DataFrame | None


#: The pseudo-field a signal names when it reads the status history (``TaskExport.events``).
HISTORY = "events"
NO_HISTORY = "the export has no status history (only Jira JSON with changelog and Trello carry it)"
# What an empty field means for the reader of a coverage table, where the name alone says little.
_FIELD_NOTES = {"status_category": " (no status, so no task counts as open or done)",
                "task_type": " (no issue types, so epics and goals cannot be told apart)"}


def field_gap(ctx: Tables, need: str, *, frame: pd.DataFrame | None = None) -> str | None:
    """Why the tasks cannot give ``need``, or None when they can.

    Parameters
    ----------
    ctx : Context
        The prepared tasks and history (anything with ``tasks``, ``events`` and ``base``).
    need : str
        A canonical field (``"due"``), alternatives (``"due|iteration"``: any
        one with a value will do) or :data:`HISTORY` for the status history.
    frame : pandas.DataFrame, optional
        The table to check instead of ``ctx.tasks``.

    Returns
    -------
    str or None
        A reason naming the field, such as ``"the export has no 'due' field"``
        or ``"the export leaves 'due' empty on every task"``.
    """
    names = need.split("|")
    history = HISTORY in names
    if history:
        if ctx.events is not None and not ctx.events.empty:
            return None
        names = [n for n in names if n != HISTORY]
        if not names:
            return NO_HISTORY
    tasks = ctx.tasks if frame is None else frame
    quoted = [repr(n) for n in names]
    present = [n for n in names if n in tasks.columns]
    # A column the caller's table did not have at all (tasks_of added it) is a field the export lacks.
    lacking = absent_columns(ctx.base if frame is None and ctx.base is not None else tasks)
    # "started|events": the other way to measure is gone too, so the reason names both.
    if all(n not in tasks.columns or n in lacking for n in names):
        return f"the export has no {' or '.join(quoted)} field" + (" and no status history" if history else "")
    # A diagnosis asks about the same few columns of the same table for every signal, and per_row works
    # the cells out once per export, so a new filter only takes its rows.
    if any(_filled_in(tasks, n) for n in present):
        return None
    # The same words with or without a filter: a filtered diagnosis must equal a fresh one of the same tasks.
    note = _FIELD_NOTES.get(names[0], "") if len(names) == 1 else ""
    reason = f"the export leaves {' and '.join(quoted)} empty on every task{note}"
    return reason + (" and has no status history" if history else "")


def _filled_in(tasks: pd.DataFrame, column: str) -> bool:
    """True when at least one task has a value in ``column`` (a list column: a non-empty list)."""
    return cached(tasks, f"filled {column}", lambda: bool(
        per_row(tasks, f"has value {column}", lambda f: _cells_filled(f, column)).any()))


def _cells_filled(tasks: pd.DataFrame, column: str) -> np.ndarray:
    """Per cell of ``tasks[column]``: it holds a value (a list column: a non-empty list)."""
    values = tasks[column]
    if values.dtype == object and len(values) and isinstance(values.iloc[0], (list, tuple, np.ndarray)):
        # The sizes other signals read too (owners, blockers), from the list items converted once per table.
        return list_counts(tasks, column) > 0
    return values.notna().to_numpy(dtype=bool)

"""Per-task facts as numpy arrays, for signals that are shares of tasks.

A share signal ("open tasks without an owner") is a pool of tasks and a flag on
each.  Both are row-local facts, so they are worked out once per export (with
:func:`workfw.core.diagnosis.per_row`) and a team or project filter only takes them
at its rows; the signal itself is then a few numpy operations instead of
selecting a pandas frame.  The results are the same as computing on the
selected frame: same rows, same order, same comparisons.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from workfw.core.context import NAT, Context, Measured, NotMeasurable, _ns, _per_table, per_row
from workfw.core.helpers import _shared

__all__: list[str] = []



def _stamps(ctx: Context, column: str) -> np.ndarray:
    """``column`` as int64 nanoseconds since the epoch (UTC); ``NAT`` where empty."""
    return per_row(ctx.tasks, f"ns {column}", lambda t: _ns(t[column]))


def stamped_before(ctx: Context, column: str, cutoff: pd.Timestamp) -> np.ndarray:
    """``ctx.tasks[column] < cutoff`` (False where empty), compared as integers."""
    values = _stamps(ctx, column)
    return (values != NAT) & (values < cutoff.as_unit("ns").value)


def stamped_at_or_after(ctx: Context, column: str, cutoff: pd.Timestamp) -> np.ndarray:
    """``ctx.tasks[column] >= cutoff`` (False where empty), compared as integers."""
    values = _stamps(ctx, column)
    return (values != NAT) & (values >= cutoff.as_unit("ns").value)


def has_value(ctx: Context, column: str) -> np.ndarray:
    """Where ``ctx.tasks[column]`` has a value."""
    return per_row(ctx.tasks, f"has {column}", lambda t: t[column].notna().to_numpy(dtype=bool))


def every_task(ctx: Context) -> np.ndarray:
    """A pool of every task in the table."""
    return np.ones(len(ctx.tasks), dtype=bool)


def in_category(ctx: Context, *categories: str) -> np.ndarray:
    """Where the task's status category is one of ``categories``."""
    wanted = list(categories)
    return _per_table(ctx.tasks, f"category in {wanted}",
                      lambda t: t["status_category"].isin(wanted).to_numpy(dtype=bool))


def days_to_as_of(ctx: Context, column: str) -> np.ndarray:
    """Days from ``column`` (or the start fallback, see :func:`started_or_created`) to ``ctx.as_of``; NaN if empty.

    Worked out on the table's own rows from the per-export timestamps, so a new
    reference time (a date window) does not recompute the whole export.
    """
    def build(_: pd.DataFrame) -> np.ndarray:
        if column == "started or created":
            started = _stamps(ctx, "started")
            since = np.where(started != NAT, started, _stamps(ctx, "created"))
        else:
            since = _stamps(ctx, column)
        known = since != NAT
        days = np.full(len(since), np.nan)
        # The same arithmetic as ``(as_of - since).dt.total_seconds() / 86400`` on the column.
        gap = pd.to_timedelta(ctx.as_of.as_unit("ns").value - since[known], unit="ns")
        days[known] = gap.total_seconds().to_numpy() / 86400
        return days

    return _per_table(ctx.tasks, f"days from {column} to {ctx.as_of.value}", build)


def started_or_created(tasks: pd.DataFrame) -> pd.Series:
    # Without a start time, creation stands in (frameworks.md: started = created).
    return tasks["started"].fillna(tasks["created"])


def _id_strings(tasks: pd.DataFrame) -> np.ndarray:
    """A task table's ids as Python strings, made once per export and shared by every finding."""
    return per_row(tasks, "id objects", lambda t: t["task_id"].astype("string").to_numpy(dtype=object))


def ids_at(ctx: Context, rows: np.ndarray) -> list[str]:
    """Task ids where ``rows`` is True, in table order."""
    # Picking shared string objects costs a reference each; making new ones costs ~100 ns per id.
    return _id_strings(ctx.tasks)[rows].tolist()


def share_of(ctx: Context, flags: np.ndarray, pool: np.ndarray, *, healthy: bool, empty: str,
              finding: str) -> Measured:
    """A share signal over the tasks in ``pool``: ``flags`` marks each; ``healthy`` says whether True is good.

    ``finding`` is formatted with ``bad`` (count of problem tasks) and ``n``.
    """
    n = int(pool.sum())
    if n == 0:
        raise NotMeasurable(empty)
    bad_ids = ids_at(ctx, pool & (~flags if healthy else flags))
    return _shared(float(flags[pool].mean()), n, bad_ids, healthy=healthy, finding=finding)


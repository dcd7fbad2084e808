"""Per-task facts as numpy arrays, for signals that are shares of tasks.

A share signal ("open tasks without an owner") is a pool of tasks and a flag on
each.  Both are row-local facts, so they are worked out once per export (with
:func:`workfw.core.per_row`) and a team or project filter only takes them
at its rows; the signal itself is then a few numpy operations instead of
selecting a pandas frame.  The results are the same as computing on the
selected frame: same rows, same order, same comparisons.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from workfw.core.cache import cached
from workfw.core.context import Context, Measured, NotMeasurable
from workfw.core.rows import NAT, as_ns, gap_days, per_row
from workfw.core.severity import severity_of_score

__all__ = ["stamped_before", "stamped_at_or_after", "has_value", "every_task", "in_category", "days_to_as_of",
           "started_or_created", "id_strings", "ids_at", "share_of", "share_measured"]


def _stamps(ctx: Context, column: str) -> np.ndarray:
    """``column`` as int64 nanoseconds since the epoch (UTC); ``NAT`` where empty."""
    return per_row(ctx.tasks, f"ns {column}", lambda t: as_ns(t[column]))


def stamped_before(ctx: Context, column: str, cutoff: pd.Timestamp) -> np.ndarray:
    """``ctx.tasks[column] < cutoff`` (False where empty), compared as integers.

    Parameters
    ----------
    ctx : Context
        The prepared tasks.
    column : str
        A datetime column.
    cutoff : pandas.Timestamp
        A tz-aware time.

    Returns
    -------
    numpy.ndarray
        Boolean, one per task.
    """
    values = _stamps(ctx, column)
    return (values != NAT) & (values < cutoff.as_unit("ns").value)


def stamped_at_or_after(ctx: Context, column: str, cutoff: pd.Timestamp) -> np.ndarray:
    """``ctx.tasks[column] >= cutoff`` (False where empty), compared as integers.

    Parameters
    ----------
    ctx : Context
        The prepared tasks.
    column : str
        A datetime column.
    cutoff : pandas.Timestamp
        A tz-aware time.

    Returns
    -------
    numpy.ndarray
        Boolean, one per task.
    """
    values = _stamps(ctx, column)
    return (values != NAT) & (values >= cutoff.as_unit("ns").value)


def has_value(ctx: Context, column: str) -> np.ndarray:
    """Where ``ctx.tasks[column]`` has a value (boolean, one per task)."""
    return per_row(ctx.tasks, f"has {column}", lambda t: t[column].notna().to_numpy(dtype=bool))


def every_task(ctx: Context) -> np.ndarray:
    """A pool of every task in the table."""
    return np.ones(len(ctx.tasks), dtype=bool)


def in_category(ctx: Context, *categories: str) -> np.ndarray:
    """Where the task's status category is one of ``categories`` (``"todo"``, ``"in_progress"``, ``"done"``...)."""
    wanted = list(categories)
    return cached(ctx.tasks, f"category in {wanted}",
                  lambda: ctx.tasks["status_category"].isin(wanted).to_numpy(dtype=bool))


def days_to_as_of(ctx: Context, column: str) -> np.ndarray:
    """Days from ``column`` to ``ctx.as_of``; NaN where empty.

    ``column`` may also be ``"started or created"`` (see :func:`started_or_created`).
    Worked out on the table's own rows from the per-export timestamps, so a new
    reference time (a date window) does not recompute the whole export.

    Parameters
    ----------
    ctx : Context
        The prepared tasks.
    column : str
        A datetime column, or ``"started or created"``.

    Returns
    -------
    numpy.ndarray
        float, one per task.
    """
    def build() -> np.ndarray:
        if column == "started or created":
            started = _stamps(ctx, "started")
            since = np.where(started != NAT, started, _stamps(ctx, "created"))
        else:
            since = _stamps(ctx, column)
        known = since != NAT
        days = np.full(len(since), np.nan)
        # The same arithmetic as ``(as_of - since).dt.total_seconds() / 86400`` on the column.
        days[known] = gap_days(ctx.as_of.as_unit("ns").value - since[known])
        return days

    return cached(ctx.tasks, f"days from {column} to {ctx.as_of.value}", build)


def started_or_created(tasks: pd.DataFrame) -> pd.Series:
    """Each task's start time, its creation time where it has none.

    Without a start time, creation stands in (frameworks.md: started = created).
    """
    return tasks["started"].fillna(tasks["created"])


def id_strings(tasks: pd.DataFrame) -> np.ndarray:
    """A task table's ids as Python strings (an object array), made once per export and shared by every finding."""
    return per_row(tasks, "id objects", lambda t: t["task_id"].astype("string").to_numpy(dtype=object))


def ids_at(ctx: Context, rows: np.ndarray) -> list[str]:
    """Task ids where ``rows`` is True, in table order.

    Parameters
    ----------
    ctx : Context
        The prepared tasks.
    rows : numpy.ndarray
        Boolean, one per task.

    Returns
    -------
    list of str
    """
    # Picking shared string objects costs a reference each; making new ones costs ~100 ns per id.
    return id_strings(ctx.tasks)[rows].tolist()


def share_of(ctx: Context, flags: np.ndarray, pool: np.ndarray, *, healthy: bool, empty: str,
             finding: str) -> Measured:
    """A share signal over the tasks in ``pool``: ``flags`` marks each; ``healthy`` says whether True is good.

    Parameters
    ----------
    ctx : Context
        The prepared tasks.
    flags : numpy.ndarray
        Boolean, one per task of ``ctx.tasks``.
    pool : numpy.ndarray
        Boolean, one per task: the tasks the share is taken over.
    healthy : bool
        True when a True flag is good (the score is the share), False when it is the problem.
    empty : str
        The reason the signal is not measurable when ``pool`` is empty.
    finding : str
        Formatted with ``bad`` (count of problem tasks) and ``n``.

    Returns
    -------
    Measured

    Raises
    ------
    NotMeasurable
        When ``pool`` holds no task.
    """
    n = int(pool.sum())
    if n == 0:
        raise NotMeasurable(empty)
    bad_ids = ids_at(ctx, pool & (~flags if healthy else flags))
    return share_measured(float(flags[pool].mean()), n, bad_ids, healthy=healthy, finding=finding)


def share_measured(share: float, n: int, bad_ids: list[str], *, healthy: bool, finding: str) -> Measured:
    """The result of a share signal: its score, finding and severity.

    Parameters
    ----------
    share : float
        The share (0-1) of tasks whose flag is True.
    n : int
        How many tasks the share is taken over.
    bad_ids : list of str
        The tasks with the problem; the finding is None when there are none.
    healthy : bool
        True when the share is good (score = share x 100), False when it is the problem (score = 100 - that).
    finding : str
        Formatted with ``bad`` (``len(bad_ids)``) and ``n``.

    Returns
    -------
    Measured
        Its severity from the score (:func:`workfw.core.severity_of_score`).
    """
    score = share * 100 if healthy else 100 - share * 100
    text = finding.format(bad=len(bad_ids), n=n) if bad_ids else None
    return Measured(share, score, n, bad_ids, text, severity_of_score(score))

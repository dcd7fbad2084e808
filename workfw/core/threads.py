"""Work on a large table spread over the machine's cores: one policy for every part of a diagnosis that does it.

Most of a diagnosis's time goes to numpy and Arrow calls that let go of the
interpreter lock, so independent pieces of work run side by side on two or more
cores.  :func:`side_by_side` runs them on worker threads when the table is large
enough to pay for the threads (:data:`PARALLEL_FROM_TASKS`), and one after the
other otherwise, with the same results either way:

* each call runs in a copy of the caller's context, so settings held in context
  variables (:func:`workfw.statuses.use_status_rules`, numpy's ``errstate``)
  reach the threads as they would the caller;
* pandas wraps some operations in ``warnings.catch_warnings``, which saves and
  puts back the process-wide warning filters: on two threads at once one
  thread's "ignore" can outlive its block, so the caller's filters and warning
  display are put back once the threads are done;
* values two calls share are built once (see :mod:`workfw.core.cache`).

Within :mod:`workfw.core` this module sits on nothing but :mod:`workfw.bulk_work`.
"""
from __future__ import annotations

import contextvars
import os
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from functools import lru_cache
from pathlib import Path
from typing import Any

from workfw.bulk_work import quick_thread_switches

__all__ = ["PARALLEL_FROM_TASKS", "side_by_side"]

#: Tasks from which work is spread over threads: below it the threads' start and their turns at the interpreter
#: lock cost more than they save (a C4 Flywheel diagnosis of 20,000 tasks: 102 ms on one thread, 117 ms on two;
#: of 50,000: 176 against 149 ms).
PARALLEL_FROM_TASKS = 50_000
#: Threads at most: the signals share a few large values, so more threads mostly wait for the same ones.
_MOST_THREADS = 4


def _threads() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    quota = _cpu_quota()
    if quota is not None:
        # A container may see every core of its host yet be allowed one or two of them (Binder, CI runners).
        cores = min(cores, max(int(quota), 1))
    return min(cores, _MOST_THREADS)


@lru_cache(maxsize=1)
def _cpu_quota(root: str = "/sys/fs/cgroup") -> float | None:
    """The cores the process's control group may use (its CPU quota), or None without a limit."""
    for quota_file, period_file in (("cpu.max", None), ("cpu/cpu.cfs_quota_us", "cpu/cpu.cfs_period_us")):
        try:
            quota_text = Path(root, quota_file).read_text().split()
            period_text = Path(root, period_file).read_text().split() if period_file else quota_text[1:]
        except (OSError, IndexError):
            continue
        try:
            quota, period = int(quota_text[0]), int(period_text[0])
        except (ValueError, IndexError):  # "max": no limit
            return None
        return quota / period if quota > 0 and period > 0 else None
    return None


def side_by_side(calls: Sequence[Callable[[], Any]], *, tasks: int) -> list[Any]:
    """``[call() for call in calls]``, the calls run on worker threads when the table is large.

    Parameters
    ----------
    calls : sequence of callables
        Independent pieces of work; none may change what another reads.
    tasks : int
        Rows of the table they work on: below :data:`PARALLEL_FROM_TASKS` (or on one core, or while the
        interpreter shuts down, when no thread can start) the calls run one after the other on this thread.

    Returns
    -------
    list
        Each call's result, in order.  The first error in the calls' order is raised after every call ended.
    """
    threads = min(_threads(), len(calls))
    if threads < 2 or tasks < PARALLEL_FROM_TASKS or sys.is_finalizing():
        return [call() for call in calls]
    # The interpreter lock changes hands often, so a thread back from a numpy call waits little: see bulk_work.
    # Nested (a call that spreads its own work further): the outermost caller puts the filters back.
    with nullcontext() if getattr(_WORKER, "inside", False) else warnings.catch_warnings(), \
            quick_thread_switches(), ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(contextvars.copy_context().run, _as_worker, call) for call in calls]
        return [future.result() for future in futures]


# Marks the threads side_by_side runs its calls on.
_WORKER = threading.local()


def _as_worker(call: Callable[[], Any]) -> Any:
    _WORKER.inside = True
    return call()

"""Process settings held for the span of workfw's bulk work, then put back as they were.

Reading an export or diagnosing it makes millions of small Python objects
and hundreds of arrays of a million values each.  Three defaults of the process
cost more there than the work itself:

* **Python's cyclic garbage collector** (:func:`gc_paused`).  CPython counts
  each new container and every few hundred starts a collection; as the
  survivors pile up, the full collections walk every live object again.
  Measured on a million-task Jira export: building its canonical table took
  1.47 s with the collector running and 0.68 s with it held back, and a
  million empty lists 0.25 s against 0.08 s.  workfw's own work makes almost
  no reference cycles, so holding the collector back frees the same memory,
  only later.
* **numpy's request for transparent huge pages** (:func:`without_huge_pages`).
  On Linux numpy asks the kernel (``madvise``) to back every array of 4 MiB or
  more with 2 MiB pages.  Where the kernel compacts memory to find them when
  asked (``/sys/kernel/mm/transparent_hugepage/defrag`` set to ``madvise``,
  the kernel's default) and in virtual machines whose host backs guest memory
  with small pages, each first touch of such a page stalls.  On the 2-core VM
  the benchmarks run on, a fresh ``read_export`` of a million-task Jira CSV
  took 1.5-2.4 s with the request (0.6-2.2 s of it kernel time) and
  1.40-1.45 s without (0.4 s kernel time); the four diagnoses 2.7-2.85 s
  against 2.43-2.52 s.  Ordinary pages cost a few more page faults on
  machines where huge pages come cheap, so the setting is only held while
  workfw works, and a user who set ``NUMPY_MADVISE_HUGEPAGE`` chose for
  themselves: workfw then leaves numpy alone.

* **Python's thread switch interval** (:func:`quick_thread_switches`).  An
  import reads its dates in worker threads beside the field mapping; each
  step of either is a numpy or Arrow call that lets the other thread run, and
  then waits for the interpreter lock to come back.  With the default 5 ms
  interval a thread that wants the lock waits up to 5 ms each time the other
  is in Python code; at 0.5 ms the 1M-task Jira read took 1.55 s median
  against 1.67 s (seven alternating fresh runs each).

All are counted across nested and concurrent holders (threads): the setting
returns to what it was when the last holder ends, never to what workfw
would prefer.
"""
from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["gc_paused", "without_huge_pages", "quick_thread_switches"]

#: Seconds between forced hand-overs of the interpreter lock while :func:`quick_thread_switches` holds.
SWITCH_INTERVAL = 0.0005


class _HeldSetting:
    """A process-wide setting changed while anyone holds it, restored when the last holder lets go."""

    def __init__(self, read: Callable[[], Any], write: Callable[[Any], object],
                 hold: Callable[[Any], Any]) -> None:
        """``hold(before)`` is the value held, given the one the setting had when the first holder came."""
        self._read, self._write, self._hold = read, write, hold
        self._lock = threading.Lock()
        self._holders = 0
        self._before: Any = None

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._before = self._read()
                self._write(self._hold(self._before))
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0:
                    self._write(self._before)


def _collector_enabled(enabled: bool) -> None:
    if enabled:
        gc.enable()
    else:
        gc.disable()


_COLLECTOR = _HeldSetting(gc.isenabled, _collector_enabled, hold=lambda before: False)


def _numpy_huge_page_switch() -> Callable[[bool], bool] | None:
    """numpy's setter of its huge-page request (returns the previous value), or None when there is none."""
    import numpy as np

    for module in ("_core", "core"):
        multiarray = getattr(getattr(np, module, None), "multiarray", None)
        setter = getattr(multiarray, "_set_madvise_hugepage", None)
        if setter is not None:
            return setter
    return None


def _huge_pages_setting() -> _HeldSetting | None:
    setter = _numpy_huge_page_switch()
    if setter is None or "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        return None

    def read() -> bool:
        # numpy offers no getter: setting a value returns the previous one, which is set back at once.
        before = bool(setter(False))
        setter(before)
        return before

    return _HeldSetting(read, setter, hold=lambda before: False)


_HUGE_PAGES = _huge_pages_setting()


# Never longer than the user's own: one who shortened it further keeps theirs.
_SWITCHES = _HeldSetting(sys.getswitchinterval, sys.setswitchinterval,
                         hold=lambda before: min(before, SWITCH_INTERVAL))


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector back for the ``with`` block (or a decorated call).

    Nested and concurrent uses are counted: the collector runs again when the
    last of them ends, and only if it was running when the first began (a
    user who turned it off keeps it off).

    Examples
    --------
    >>> import gc
    >>> from workfw.bulk_work import gc_paused
    >>> with gc_paused():
    ...     rows = [[] for _ in range(3)]
    ...     gc.isenabled()
    False
    """
    with _COLLECTOR.held():
        yield


@contextmanager
def without_huge_pages() -> Iterator[None]:
    """Let numpy allocate with ordinary pages for the block (see the module notes for why).

    A no-op when the user set ``NUMPY_MADVISE_HUGEPAGE`` or numpy has no such
    switch.  Counted across nested and concurrent uses like :func:`gc_paused`;
    also a decorator.

    Examples
    --------
    >>> import workfw as wf
    >>> from workfw.bulk_work import without_huge_pages
    >>> with without_huge_pages():
    ...     export = wf.read_export(wf.sample_path("jira"))
    """
    if _HUGE_PAGES is None:
        yield
        return
    with _HUGE_PAGES.held():
        yield


@contextmanager
def quick_thread_switches() -> Iterator[None]:
    """Hand the interpreter lock between threads every 0.5 ms for the block (see the module notes).

    Counted across nested and concurrent uses like :func:`gc_paused`; a
    user's own interval, if already shorter, is kept.

    Examples
    --------
    >>> import sys
    >>> from workfw.bulk_work import quick_thread_switches
    >>> with quick_thread_switches():
    ...     sys.getswitchinterval() <= 0.0005
    True
    """
    with _SWITCHES.held():
        yield

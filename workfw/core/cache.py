"""The one memo of values worked out from task tables: keyed on every object it depends on, held weakly.

Signals ask for the same derived values many times (open tasks, goal links,
word counts), and the explorer diagnoses the same filtered table again on every
threshold move, so those values are kept.  :func:`cached` keeps a value *on*
the objects it was built from: it lives as long as every one of them does, and
it is found again only for those very objects.  Objects are held weakly and
compared by identity, never by an ``id()`` alone, so a table that dies and a new
one that happens to get its address cannot share a value.  Settings a value
also depends on (a date, a threshold) are its ``params``: a lookup with other
params builds the value again and replaces the old one, so moving a slider does
not pile up copies.

pandas DataFrames are weak-referenceable but not hashable, so the memo is a tree
of small dicts keyed by ``id()``, each entry holding a weak reference that is
checked on every hit and whose callback drops the entry when the object dies.

A table edited in place stays the same object, so each entry on a DataFrame or
Series also holds its :class:`~workfw.table_versions.TableVersion`: a hit on a
table that has been changed since drops every value kept on it (a few
microseconds a lookup; see :mod:`workfw.table_versions`).

A diagnosis of a large table works out its signals on several threads
(:func:`workfw.core.threads.side_by_side`), and two signals often need the same
value at once.  So a value is built by one thread only: a thread that asks for
a value another thread is building waits for it instead of building it again.
Values depend on other values, never on themselves, so the waits cannot form a
circle.
"""
from __future__ import annotations

import threading
import weakref
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Hashable, Iterator, TypeVar

from workfw.table_versions import TableVersion, can_watch

__all__ = ["cached", "cached_value", "tables_held_still"]

T = TypeVar("T")


class _Slots(dict):
    """Values cached on one object (keyed by name) and the slots of the objects beside it (keyed by ``id``)."""

    __slots__ = ("__weakref__",)


_ROOT = _Slots()
_GONE = (None, None, None)
# Held only to find or make slots and to claim a value to build, never while a value is built (re-entrant:
# dropping the slots of an edited table may free values whose clean-up asks the memo again).
_LOCK = threading.RLock()


class _Building:
    """Stands in a slot for a value one thread is building; other threads wait on it."""

    __slots__ = ("thread", "done")

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.done = threading.Event()


#: Inside :func:`tables_held_still`: ids of the tables whose arrays were compared already.
_STILL: ContextVar[set[tuple[int, int]] | None] = ContextVar("workfw_tables_held_still", default=None)


@contextmanager
def tables_held_still() -> Iterator[None]:
    """Compare each table's arrays with its version once inside the block, not at every lookup.

    For the length of one diagnosis, whose signals never edit the tables they read: a wide table's
    comparison reads ~100 blocks, and a team change looked values up ~650 times (~15 ms).  Worker
    threads started inside (:func:`workfw.core.side_by_side`) share the block.
    """
    if _STILL.get() is not None:
        yield
        return
    token = _STILL.set(set())
    try:
        yield
    finally:
        _STILL.reset(token)


def _slots_on(parent: _Slots, obj: Any, create: bool) -> _Slots | None:
    """The slots of ``obj`` under ``parent`` (made when ``create``), or None.

    A table changed in place since its slots were made gets new, empty ones.
    """
    key = id(obj)
    hit = parent.get(key)
    if hit is not None and hit[0]() is obj:
        still = _STILL.get()
        # Marked per entry: the same table under another parent has its own version, taken at another time.
        mark = (id(parent), key)
        if hit[2] is None or (still is not None and mark in still):
            return hit[1]
        if hit[2].matches(obj):
            if still is not None:
                still.add(mark)
            return hit[1]
        # Edited in place: what was kept on it goes now, with the version's hold on the arrays before the edit.
        del parent[key]
    if not create:
        return None
    slots = _Slots()
    holder = weakref.ref(parent)

    def drop(ref: weakref.ref, key: int = key, holder: weakref.ref = holder) -> None:
        # Only this object's own entry goes: a newer object with the same id may have replaced it already.
        found = holder()
        if found is not None and found.get(key, _GONE)[0] is ref:
            del found[key]

    parent[key] = (weakref.ref(obj, drop), slots, TableVersion(obj) if can_watch(obj) else None)
    return slots


def _slots(on: Any, create: bool) -> _Slots | None:
    slots: _Slots | None = _ROOT
    for obj in on if type(on) is tuple else (on,):
        slots = _slots_on(slots, obj, create)
        if slots is None:
            return None
    return slots


def cached(on: Any, name: str | tuple, build: Callable[[], T], *, params: Hashable = ()) -> T:
    """``build()``, computed once per ``on`` and ``params`` and kept while every object of ``on`` lives.

    Parameters
    ----------
    on : object or tuple of objects
        What the value is worked out from: a task table, or ``(tasks, events)``.
        Each must be weak-referenceable (DataFrames, arrays); it is compared by
        identity, so a copy of a table does not share the value.
    name : str or tuple
        Names the value among those kept on the same objects.  Put in the name
        what tells values apart for good (a column, a pattern).
    build : callable
        ``build()`` returns the value.  Callers must not mutate what they get.
    params : hashable, default ()
        Settings the value also depends on.  One value is kept per name: a
        call with other params builds it again and replaces the old one.

    Returns
    -------
    object
        The kept value, or the one ``build`` just made.
    """
    claim = slots = None
    kept = False
    try:
        while True:
            with _LOCK:
                slots = _slots(on, True)
                hit = slots.get(name)
                if hit is None or not hit[0] == params:
                    claim = (params, _Building())
                    slots[name] = claim
                    break
                if not isinstance(hit[1], _Building):
                    return hit[1]
                building = hit[1]
            if building.thread == threading.get_ident():
                # Asked again for a value this very thread is still building: only a build that asks for
                # itself does that, and it would recurse the same way without the memo.
                return build()
            building.done.wait()
            # Built (a hit now), or its build failed or was replaced by other params: look again.
        value = build()
        with _LOCK:
            if slots.get(name) is claim:
                slots[name] = (params, value)
        kept = True
        return value
    finally:
        if claim is not None:
            # A build that failed or was interrupted (Ctrl-C may land anywhere) leaves no claim behind: a
            # thread waiting for it looks again and builds the value itself.
            if not kept:
                with _LOCK:
                    if slots.get(name) is claim:
                        del slots[name]
            claim[1].done.set()


def cached_value(on: Any, name: str | tuple, default: Any = None, *, params: Hashable = ()) -> Any:
    """The value :func:`cached` keeps on ``on`` under ``name`` and ``params``, or ``default`` (nothing is built).

    Parameters
    ----------
    on : object or tuple of objects
        As for :func:`cached`.
    name : str or tuple
        As for :func:`cached`.
    default : object, optional
        Returned when no value is kept.
    params : hashable, default ()
        As for :func:`cached`.

    Returns
    -------
    object
    """
    with _LOCK:
        slots = _slots(on, False)
        hit = None if slots is None else slots.get(name)
    return hit[1] if hit is not None and hit[0] == params and not isinstance(hit[1], _Building) else default

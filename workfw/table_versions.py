"""Whether a pandas table was changed in place since workfw last looked at it.

workfw keeps values worked out from a task table for as long as that table
object lives (:mod:`workfw.core.cache`, the conformed copies in
:mod:`workfw.schema`), so a diagnosis run again on the same table, or the
explorer moving a slider, does not build them again.  A user who edits the
table in place (``tasks.loc[rows, "status_category"] = "done"``,
``tasks.at[0, "team"] = "Core"``, ``tasks["team"] = ...``) keeps the same
object, so identity alone would hand back the values of the table as it was.

:class:`TableVersion` notes the identity of the arrays a table holds now and
keeps a shallow copy of it.  Under pandas' copy-on-write, a write into data
that another frame also refers to copies that data first, so every edit made
in place after the note (through ``loc``, ``at``, ``iloc``, assignment, any
``inplace=True`` method) leaves the table holding a new array, and
:meth:`TableVersion.matches` is False.  Checking costs a few microseconds
(one ``id`` per block), never a pass over the values; the first edit of each
column after a note copies that column once.  Changing a Python object inside
a cell (``tasks.at[0, "labels"].append("x")``) is not seen: canonical list
cells are never changed in place.
"""
from __future__ import annotations

import weakref
from typing import Any

import pandas as pd

__all__ = ["TableVersion", "can_watch", "arrays_of", "KeptOn"]


class TableVersion:
    """The arrays a table holds now, kept so that an edit made in place shows as new ones.

    Parameters
    ----------
    table : pandas.DataFrame or pandas.Series
        The table to watch.

    Examples
    --------
    >>> import pandas as pd
    >>> from workfw.table_versions import TableVersion
    >>> tasks = pd.DataFrame({"task_id": ["A", "B"], "team": ["x", "y"]})
    >>> version = TableVersion(tasks)
    >>> version.matches(tasks)
    True
    >>> tasks.loc[0, "team"] = "z"
    >>> version.matches(tasks)
    False
    """

    __slots__ = ("_arrays", "_hold")

    def __init__(self, table: pd.DataFrame | pd.Series) -> None:
        self._arrays = arrays_of(table)
        # Refers to every block: pandas then copies a block before writing into it, so the edit shows.
        self._hold = table.copy(deep=False)

    def matches(self, table: pd.DataFrame | pd.Series) -> bool:
        """Whether ``table`` holds the same arrays (and axes) as when this version was taken."""
        return arrays_of(table) == self._arrays


def can_watch(obj: Any) -> bool:
    """Whether ``obj`` is a table whose edits :class:`TableVersion` can see (a DataFrame or Series)."""
    return isinstance(obj, (pd.DataFrame, pd.Series)) and hasattr(obj, "_mgr")


def arrays_of(table: pd.DataFrame | pd.Series) -> tuple[int, ...]:
    """Identities of the table's axes, block arrays and, for Arrow-backed arrays, their Arrow data.

    Equal while the table holds the same arrays.  Without a :class:`TableVersion` of the table alive (whose
    shallow copy makes pandas copy before writing), a write into data nothing else refers to keeps them.
    """
    found = [id(axis) for axis in table.axes]
    for block in table._mgr.blocks:
        values = block.values
        # An Arrow-backed array written to without a copy swaps its (immutable) Arrow data instead.
        found += (id(values), id(getattr(values, "_pa_array", None)))
    return tuple(found)


class KeptOn:
    """One value kept per object, found again by that object's identity while it lives.

    For modules below :mod:`workfw.core`, whose memo (:func:`workfw.core.cached`) they cannot use.  Objects
    are held weakly and compared by identity, never by an ``id()`` alone, so an object that dies and a new one
    at its address cannot share a value.  With ``watch`` (the default), a table edited in place since its
    value was kept is seen (:class:`TableVersion`) and the value goes at the next lookup.

    Parameters
    ----------
    watch : bool, default True
        Whether an edit of a DataFrame or Series drops what was kept on it.
    """

    __slots__ = ("_entries", "_watch")

    def __init__(self, *, watch: bool = True) -> None:
        self._entries: dict[int, tuple[weakref.ref, TableVersion | None, Any]] = {}
        self._watch = watch

    def put(self, obj: Any, value: Any) -> None:
        """Keep ``value`` on ``obj`` (weak-referenceable), replacing what was kept on it."""
        ident, entries = id(obj), self._entries

        def forget(ref: weakref.ref) -> None:
            # Only this object's own entry goes: a newer object at the same address may have one already.
            if entries.get(ident, (None,))[0] is ref:
                del entries[ident]

        version = TableVersion(obj) if self._watch and can_watch(obj) else None
        entries[ident] = (weakref.ref(obj, forget), version, value)

    def clear(self) -> None:
        """Forget every kept value."""
        self._entries.clear()

    def get(self, obj: Any, default: Any = None) -> Any:
        """The value kept on ``obj``, or ``default`` (also once ``obj`` was edited in place, when watched)."""
        hit = self._entries.get(id(obj))
        if hit is None or hit[0]() is not obj:
            return default
        if hit[1] is not None and not hit[1].matches(obj):
            del self._entries[id(obj)]  # with the version's hold on the arrays before the edit
            return default
        return hit[2]

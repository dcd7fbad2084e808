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

from typing import Any

import pandas as pd

__all__ = ["TableVersion", "can_watch", "arrays_of"]


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

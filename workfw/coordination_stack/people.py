"""Who is still around: each person's latest sign of life, for the Coordination Stack's "orphaned" signal.

A person shows life on a task they own or reported (its latest update,
completion or creation) and in history they wrote.  The signs are found once
per export; a filter keeps its own rows.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.core import NAT, Context, as_ns, cached, column_codes, flat_list, large_text, origin

__all__: list[str] = []


class _Signs(NamedTuple):
    """Signs of life by where they were found: the task's owners listed, its assignee, its reporter.

    ``sources`` holds ``(row, person, at)`` per place: the task's ``row`` (None: one sign per task, in table
    order), the ``person`` (a code into ``people``; -1: nobody named) and when (``at``, ns; ``NAT``: no time).
    """

    sources: tuple[tuple[np.ndarray | None, np.ndarray, np.ndarray], ...]
    people: pd.Index


def _signs_of_life(tasks: pd.DataFrame) -> _Signs:
    """Each task's owners (at its latest update, completion or creation) and its reporter (at its creation)."""
    # Times as UTC nanoseconds; an empty time is the smallest integer (NaT's own), so it never wins a maximum
    # over a time and stays empty when all three are (a row-wise pandas max over tz-aware columns is slow).
    stamps = [as_ns(tasks[col]) for col in ("updated", "completed", "created")]
    touched = np.maximum(np.maximum(stamps[0], stamps[1]), stamps[2])
    listed_rows, listed = flat_list(tasks, "assignees")
    # Each place's names are coded on its own (a few thousand distinct names each: cheaper than coding three
    # million names at once), then their distinct names once, in the order they count in.
    coded = [pc.dictionary_encode(listed), column_codes(tasks, "assignee"), column_codes(tasks, "reporter")]
    people = pc.dictionary_encode(pa.chunked_array([c.dictionary for c in coded], type=pa.large_string())
                                  .combine_chunks())
    person_of = people.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    ends = np.cumsum([len(c.dictionary) for c in coded])
    person = [np.append(person_of[end - len(c.dictionary):end], -1)[pc.fill_null(c.indices, -1).to_numpy(
        zero_copy_only=False)] for c, end in zip(coded, ends)]
    sources = ((listed_rows, person[0], touched[listed_rows]), (None, person[1], touched), (None, person[2], stamps[2]))
    # Every distinct name is a person; one never seen with a time has no latest time (NAT), as if never named.
    return _Signs(sources, pd.Index(people.dictionary.to_pylist(), dtype="string"))


def _latest_signs(ctx: Context) -> tuple[np.ndarray, pd.Index]:
    """``(latest, people)``: each person's latest sign of life on the table's tasks (ns; ``NAT`` for none)."""
    found = origin(ctx.tasks)
    table = ctx.tasks if found is None else found[0]
    signs = cached(table, "signs of life", lambda: _signs_of_life(table))
    if found is not None:
        # Found once per export; a filter keeps its own rows.
        keep = np.zeros(len(table), dtype=bool)
        keep[found[1]] = True
    # The latest time per person code; the slot after the last person collects the signs that name nobody.
    latest = np.full(len(signs.people) + 1, NAT)
    for row, person, at in signs.sources:
        if found is not None:
            chosen = keep if row is None else keep[row]
            person, at = person[chosen], at[chosen]
        np.maximum.at(latest, person, at)
    return latest[:-1], signs.people


def _last_seen(ctx: Context) -> pd.Series:
    """Latest sign of life per person: tasks they own or reported, and history they wrote."""
    latest, people = _latest_signs(ctx)
    named = np.flatnonzero(latest != NAT)
    seen = pd.Series(pd.DatetimeIndex(latest[named].view("datetime64[ns]"), tz="UTC"), index=people[named], name="at")
    if not ctx.events.empty:
        authors = pd.DataFrame({"person": ctx.events["author"], "at": ctx.events["at"]}).dropna()
        seen = pd.concat([seen, authors.groupby(authors["person"].astype("string"))["at"].max()])
        seen = seen.groupby(level=0).max()
    return seen


def _owner_sign_code(tasks: pd.DataFrame) -> np.ndarray:
    """Each task's owner as a code into the people of :func:`_signs_of_life` (-1: no owner)."""
    people = cached(tasks, "signs of life", lambda: _signs_of_life(tasks)).people
    where = pc.index_in(large_text(_owner_name(tasks)), value_set=large_text(people.to_series()))
    return pc.fill_null(where, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _owner_name(tasks: pd.DataFrame) -> pd.Series:
    """The task's owner: the assignee, else the first of its assignees."""
    owner = tasks["assignee"].astype("string")
    # The first of the lists only where there is no assignee: ``.str[0]`` over a million lists costs ~0.2-1 s.
    missing = np.flatnonzero(owner.isna().to_numpy())
    if not len(missing):
        return owner
    names = owner.array.copy()
    names[missing] = tasks["assignees"].iloc[missing].str[0].astype("string").array
    return pd.Series(names, index=tasks.index, name=owner.name)

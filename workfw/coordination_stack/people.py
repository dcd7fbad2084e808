"""Who is still around: each person's latest sign of life, for the Coordination Stack's "orphaned" signal.

A person shows life on a task they own or reported (its latest update,
completion or creation) and in history they wrote.  The signs are found once
per export; a filter keeps its own rows.
"""
from __future__ import annotations

from itertools import chain

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.core import NAT, Context, cached, large_text, list_sizes, origin

__all__: list[str] = []


def _signs_of_life(tasks: pd.DataFrame) -> pd.DataFrame:
    """``row``, ``person`` (a code into ``attrs["people"]``) and ``at``: each task's owners and reporter, and when."""
    # Times as plain UTC datetime64 (a tz-aware column turns into Timestamp objects on the way).
    touched = tasks[["updated", "completed", "created"]].max(axis=1).dt.tz_convert(None).to_numpy()
    created = tasks["created"].dt.tz_convert(None).to_numpy()
    sizes = list_sizes(tasks["assignees"])
    rows = np.arange(len(tasks))
    listed_rows = np.repeat(rows, sizes)
    listed = pa.array(list(chain.from_iterable(tasks["assignees"].to_numpy(dtype=object)[sizes > 0])),
                      type=pa.large_string())
    # Names coded once in pyarrow (owners listed, then assignee, then reporter: the order they count in).
    names = pa.chunked_array([listed, *(large_text(tasks[col]) for col in ("assignee", "reporter"))]).combine_chunks()
    coded = pc.dictionary_encode(names)
    row = np.concatenate([listed_rows, rows, rows])
    at = np.concatenate([touched[listed_rows], touched, created])
    index = pc.fill_null(coded.indices, -1).to_numpy()
    keep = (index >= 0) & ~np.isnat(at)
    codes, used = pd.factorize(index[keep])
    out = pd.DataFrame({"row": row[keep], "person": codes, "at": at[keep]})
    out.attrs["people"] = pd.Index(coded.dictionary.take(pa.array(used)).to_pylist(), dtype="string")
    return out


def _latest_signs(ctx: Context) -> tuple[np.ndarray, pd.Index]:
    """``(latest, people)``: each person's latest sign of life on the table's tasks (ns; ``NAT`` for none)."""
    found = origin(ctx.tasks)
    table = ctx.tasks if found is None else found[0]
    signs = cached(table, "signs of life", lambda: _signs_of_life(table))
    person, at = signs["person"].to_numpy(), signs["at"].to_numpy().astype("datetime64[ns]").view(np.int64)
    if found is not None:
        # Found once per export; a filter keeps its own rows.
        keep = np.zeros(len(table), dtype=bool)
        keep[found[1]] = True
        chosen = keep[signs["row"].to_numpy()]
        person, at = person[chosen], at[chosen]
    # The latest time per person code (times as integers: no NaT is left in ``signs``).
    latest = np.full(len(signs.attrs["people"]), NAT)
    np.maximum.at(latest, person, at)
    return latest, signs.attrs["people"]


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
    people = cached(tasks, "signs of life", lambda: _signs_of_life(tasks)).attrs["people"]
    where = pc.index_in(large_text(_owner_name(tasks)), value_set=large_text(people.to_series()))
    return pc.fill_null(where, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _owner_name(tasks: pd.DataFrame) -> pd.Series:
    """The task's owner: the assignee, else the first of its assignees."""
    return tasks["assignee"].astype("string").fillna(tasks["assignees"].str[0].astype("string"))

"""Goal links (task -> epic -> goal) and blocked-by links, shared by the Stack, the Pyramid and Visibility.

A task rolls up to a goal when its parent chain reaches an epic, milestone or
goal (:func:`link_arrays`, :func:`goal_link_table`) or when it carries a
goal-like label (:data:`GOAL_LABEL`).  Parents and blocked-by targets are
found once per export as row codes, so a filter only remaps them.  Text
helpers on task kinds and labels (:func:`type_words`, :func:`label_match`) are
here because the links read them.
"""
from __future__ import annotations

import re
from itertools import chain
from typing import Any, Callable, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.core.cache import cached
from workfw.core.context import Context, NotMeasurable
from workfw.core.facts import id_strings
from workfw.core.helpers import column_text, id_column, large_text
from workfw.core.lists import flat_list, list_sizes
from workfw.core.rows import origin, per_row, selected_positions

__all__ = ["GOAL_TYPES", "GOAL_LABEL", "per_value", "value_flags", "type_words", "in_words", "any_label", "label_match",
           "position_of", "parent_codes", "ids_of", "Links", "link_arrays", "goal_link_table", "cached_goal_link_table",
           "require_goal_links", "blocked_by_links"]

#: Issue types that are goals or containers of work (epic, milestone, goal...).
GOAL_TYPES = frozenset({"epic", "initiative", "milestone", "goal", "objective", "okr", "key result", "theme",
                        "project"})
#: A goal-like label stands in for a parent link (``okr:q3-growth``, ``Epic: Blue-green deploys``).
GOAL_LABEL = re.compile(r"^(?:okr|goal|objective|initiative|milestone|epic|kr)(?:\b|[:\-/_ ])", re.IGNORECASE)
_MAX_DEPTH = 8


# --------------------------------------------------------------------------- helpers on the task table

def per_value(values: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply a string function once per distinct value; tracker fields repeat a handful of values."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series(pd.NA, index=values.index, dtype="object")
    mapped = np.asarray(func(pd.Series(uniques, dtype="string")).astype(object), dtype=object)
    out = np.where(codes >= 0, mapped[np.where(codes >= 0, codes, 0)], None)
    return pd.Series(out, index=values.index, dtype=object)


def value_flags(values: pd.Series, test: Callable[[pd.Series], Any]) -> np.ndarray:
    """``per_value(values, test)`` as booleans (NA and a missing value are False), without a Python object per row.

    Parameters
    ----------
    values : pandas.Series
        Values that repeat (types, priorities, labels).
    test : callable
        Gets the distinct values as a string Series and returns one boolean-like value each.

    Returns
    -------
    numpy.ndarray
        Boolean, one per value.
    """
    # Several tests read the same column (a framework's priorities, types): its values are coded once.
    codes, uniques = cached(values.array, "factorized", lambda: pd.factorize(values, use_na_sentinel=True))
    if len(uniques) == 0:
        return np.zeros(len(values), dtype=bool)
    mapped = pd.Series(np.asarray(test(pd.Series(uniques, dtype="string")).astype(object), dtype=object))
    return np.append(mapped.fillna(False).astype(bool).to_numpy(), False)[codes]


def type_words(tasks: pd.DataFrame) -> pd.Series:
    """Lower-case issue types with ``-``/``_`` as spaces (``Sub-task`` -> ``sub task``)."""
    def build(frame: pd.DataFrame) -> pd.Series:
        codes, uniques = pd.factorize(frame["task_type"], use_na_sentinel=True)
        normal = pd.Series(uniques, dtype="string").str.lower().str.replace(r"[-_]+", " ", regex=True).str.strip()
        # Spelled out in pyarrow from the few distinct types: a million Python strings cost ~0.1 s.
        words = large_text(normal)
        return pd.Series(pd.array(words.take(pa.array(codes, mask=codes < 0)), dtype="string"), index=frame.index)

    return per_row(tasks, "pyramid types", build)


def in_words(values: pd.Series, words: frozenset[str] | re.Pattern | str) -> np.ndarray:
    """True where a (lower-case) value is one of ``words`` or fully matches the pattern; NA is False."""
    if isinstance(words, frozenset):
        return value_flags(values, lambda s: s.isin(words))
    return value_flags(values, lambda s: s.str.contains(words, regex=True))


def _flat_labels(frame: pd.DataFrame) -> tuple[np.ndarray, pd.Series]:
    """Every label of every task: its row position and its text (built without ``explode``, ~5x faster)."""
    try:
        rows, items = flat_list(frame, "labels")
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # labels that are not text are read as their text
        values = frame["labels"].to_numpy(dtype=object)
        sizes = list_sizes(frame["labels"])
        rows = np.repeat(np.arange(len(values)), sizes)
        labels = pd.Series(list(chain.from_iterable(values[sizes > 0])), dtype="string")
        keep = labels.notna().to_numpy()
        return rows[keep], labels[keep].reset_index(drop=True)
    keep = items.is_valid().to_numpy(zero_copy_only=False)
    return rows[keep], pd.Series(pd.array(items.filter(pa.array(keep)), dtype="string"))


def _label_codes(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """``(rows, codes, distinct)``: each label's row, its code, and the distinct labels the codes name."""
    rows, labels = cached(frame, "flat labels", lambda: _flat_labels(frame))
    codes, distinct = pd.factorize(labels)
    return rows, codes, pd.Series(distinct, dtype="string")


def any_label(tasks: pd.DataFrame, name: str, test: Callable[[pd.Series], Any]) -> pd.Series:
    """True where any label of the task passes ``test``, worked out once per export (:func:`per_row`).

    Parameters
    ----------
    tasks : pandas.DataFrame
        A task table.
    name : str
        Names the value (one memo slot per table and name, as for :func:`per_row`).
    test : callable
        ``test(labels)`` gets the distinct labels of the whole table (a string
        Series, each label once) and returns one boolean per label.  Labels
        repeat across tasks, so it runs on a few hundred values, not a million.

    Returns
    -------
    pandas.Series
        Boolean, on the table's index.
    """
    def build(frame: pd.DataFrame) -> pd.Series:
        rows, codes, distinct = cached(frame, "label codes", lambda: _label_codes(frame))  # once for every test
        if len(codes) == 0:
            return pd.Series(False, index=frame.index)
        passed = np.asarray(test(distinct), dtype=bool)
        return pd.Series(np.bincount(rows[passed[codes]], minlength=len(frame)) > 0, index=frame.index)

    return per_row(tasks, name, build)


def label_match(tasks: pd.DataFrame, pattern: re.Pattern | str) -> pd.Series:
    """True where any label of the task matches ``pattern``."""
    return any_label(tasks, f"label match {getattr(pattern, 'pattern', pattern)}",
                     lambda distinct: in_words(distinct, pattern))


def _first_label(tasks: pd.DataFrame, pattern: re.Pattern) -> pd.Series:
    def build(frame: pd.DataFrame) -> pd.Series:
        rows, codes, distinct = cached(frame, "label codes", lambda: _label_codes(frame))  # once for every pattern
        hit = in_words(distinct, pattern)[codes] if len(codes) else np.zeros(0, dtype=bool)
        labels = distinct.to_numpy()[codes[hit]]
        first = pd.Series(labels, index=rows[hit]).groupby(level=0).first()
        out = pd.Series(pd.NA, index=range(len(frame)), dtype="string")
        out.iloc[first.index.to_numpy()] = first.to_numpy()
        return pd.Series(out.array, index=frame.index)

    return per_row(tasks, f"first label {pattern.pattern}", build)


def position_of(tasks: pd.DataFrame, ids: Any) -> np.ndarray:
    """Row position of each id in ``tasks`` (-1 when the id is not in the table)."""
    # pyarrow's hash table on the Arrow ids: a pandas Index of a million Python strings costs ~0.5 s per call.
    ids = np.asarray(ids, dtype=object)
    try:
        wanted = pa.array(ids, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # ids that are not text (numbers) match nothing as text
        index = pd.Index(tasks["task_id"].to_numpy(dtype=object))
        return index.get_indexer(pd.Index(ids))
    return pc.fill_null(pc.index_in(wanted, value_set=column_text(tasks, "task_id")), -1).to_numpy().astype(np.int64)


def parent_codes(tasks: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Encode each parent as its row position, ``-1`` for none, ``-2 - k`` for the k-th parent outside the table.

    Integer codes let the chain walk run on numpy arrays instead of id lookups.  Worked out once per
    table (callers must not change the arrays).

    Parameters
    ----------
    tasks : pandas.DataFrame
        A task table.

    Returns
    -------
    codes : numpy.ndarray
        int64, one per task.
    outside : numpy.ndarray
        The ids of the parents outside the table, in code order (object).
    """
    return cached(tasks, "parent codes", lambda: _parent_codes(tasks))


def _parent_codes(tasks: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    found = origin(tasks)
    if found is None:
        return per_row(tasks, "parents", _parent_codes_of)
    # A filtered table: parents are looked up once in the whole export, then placed in this selection;
    # a parent the filter left out is outside, exactly as if the selection were the whole table.
    base, rows = found
    full, outside_full = per_row(base, "parents", _parent_codes_of)
    parent = full[rows]
    inv = selected_positions(found)
    pos = np.full(len(rows), -1, dtype=np.int64)
    inside = parent >= 0
    here = np.where(inside, inv[np.where(inside, parent, 0)], -1)
    pos[inside & (here >= 0)] = here[inside & (here >= 0)]
    names = np.full(len(rows), None, dtype=object)
    left = inside & (here < 0)
    names[left] = id_strings(base)[parent[left]]
    ext = parent <= -2
    names[ext] = outside_full[-2 - parent[ext]]
    outside = left | ext
    codes, uniques = pd.factorize(names[outside])
    pos[outside] = -2 - codes
    return pos, np.asarray(uniques, dtype=object)


def _parent_codes_of(tasks: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    # In pyarrow throughout: object arrays of a million ids cost a second here.
    ids = column_text(tasks, "task_id")
    parent = column_text(tasks, "parent_id")
    parent = pc.if_else(pc.fill_null(pc.equal(parent, ids), False), pa.scalar(None, pa.large_string()), parent)
    pos = _rows_of(parent, ids)
    outside = (parent.is_valid().to_numpy(zero_copy_only=False) & (pos < 0))
    if not outside.any():
        return pos, np.array([], dtype=object)
    coded = pc.dictionary_encode(parent.filter(pa.array(outside)))
    pos[outside] = -2 - coded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return pos, coded.dictionary.to_numpy(zero_copy_only=False).astype(object)


def _rows_of(wanted: pa.Array, ids: pa.Array) -> np.ndarray:
    """``index_in(wanted, value_set=ids)`` as row positions (-1: not found), looked up once per distinct value.

    Parents repeat (a few epics hold many tasks).  When there are far fewer of them than ids, the ids are
    looked up among them rather than the other way round: hashing a million ids costs ~4x more than
    probing a small table with them.
    """
    coded = pc.dictionary_encode(wanted)
    distinct = coded.dictionary
    if 2 * len(distinct) < len(ids):
        hit = pc.index_in(ids, value_set=distinct)
        found = hit.is_valid().to_numpy(zero_copy_only=False)
        value = hit.filter(pa.array(found)).to_numpy(zero_copy_only=False).astype(np.int64)
        # The first row of each id, as index_in finds it (ids are unique in a task table anyway).
        value, first = np.unique(value, return_index=True)
        row_of = np.full(len(distinct) + 1, -1, dtype=np.int64)  # the last: a missing value
        row_of[value] = np.flatnonzero(found)[first]
    else:
        row_of = np.append(pc.fill_null(pc.index_in(distinct, value_set=ids), -1).to_numpy(zero_copy_only=False), -1)
    return row_of.astype(np.int64)[pc.fill_null(coded.indices, -1).to_numpy(zero_copy_only=False)]


def ids_of(codes: np.ndarray, tasks: pd.DataFrame, outside: np.ndarray) -> pa.Array:
    """The id each code names (a row of ``tasks``, or ``-2 - k``: the k-th outside id); null for -1."""
    ids = column_text(tasks, "task_id")
    pool = pa.concat_arrays([ids, pa.array(outside, type=pa.large_string(), from_pandas=True)])
    at = np.where(codes >= 0, codes, len(ids) - 2 - codes)
    return pool.take(pa.array(at, mask=codes == -1))


class Links(NamedTuple):
    """Goal links of a task table as arrays (what :func:`goal_link_table` spells out as text).

    ``epic`` and ``goal`` are codes: a row of the table, ``-2 - k`` for the k-th id in
    ``outside`` (a parent not in the table), -1 for none.  ``via_parent``: the parent chain
    reaches a goal; ``label_only``: only the task's own goal-like label ties it to one.
    """

    is_goal: np.ndarray
    via_parent: np.ndarray
    label_only: np.ndarray
    has_label: np.ndarray
    epic: np.ndarray
    goal: np.ndarray
    outside: np.ndarray

    @property
    def rolls_up(self) -> np.ndarray:
        return self.via_parent | self.has_label


def link_arrays(tasks: pd.DataFrame) -> Links:
    """Walk each task's parent chain to find the nearest epic and the top goal (once per table).

    A parent that is not in the table (a Jira epic outside the filter, a GitHub
    milestone name) is taken as an epic, because that is what such links point
    to in practice.  Chains longer than eight steps or looping stop there.

    Parameters
    ----------
    tasks : pandas.DataFrame
        A task table.

    Returns
    -------
    Links
        Kept per table: callers must not change its arrays.
    """
    return cached(tasks, "link arrays", lambda: _link_arrays(tasks))


def _link_arrays(tasks: pd.DataFrame) -> Links:
    n = len(tasks)
    parent, outside = parent_codes(tasks)
    is_goal = per_row(tasks, "goal type", lambda t: type_words(t).isin(GOAL_TYPES).fillna(False).astype(bool).to_numpy())
    has_label = label_match(tasks, GOAL_LABEL).to_numpy()
    rolls = np.zeros(n, dtype=bool)
    epic = np.full(n, -1, dtype=np.int64)
    root = np.full(n, -1, dtype=np.int64)
    # Only the rows whose chain goes on are walked (``at``, with their ``current`` step): a row whose chain
    # ended never changes again, and most chains end after a step or two.
    at = np.flatnonzero(parent != -1)
    current = parent[at]
    for _ in range(_MAX_DEPTH):
        if not len(at):
            break
        known = current >= 0
        safe = np.where(known, current, 0)
        container = (current <= -2) | (known & is_goal[safe])
        rolls[at] |= container | (known & has_label[safe])
        first = (epic[at] == -1) & container
        epic[at[first]] = current[first]
        root[at] = current
        current = np.where(known, parent[safe], -1)
        going = current != -1
        at, current = at[going], current[going]
    return Links(is_goal=is_goal, via_parent=rolls, label_only=~rolls & has_label, has_label=has_label,
                  epic=np.where(is_goal & ~rolls, -1, epic), goal=np.where((root != epic) & rolls, root, -1),
                  outside=outside)


def goal_link_table(tasks: pd.DataFrame) -> pd.DataFrame:
    """:func:`link_arrays` as a new table: ``task_id, is_goal, rolls_up, via, epic_id, goal_id``.

    :func:`cached_goal_link_table` gives the same table kept per task table.
    """
    links = link_arrays(tasks)
    rolls, label_only = links.via_parent, links.label_only
    # Text is built in pyarrow: object arrays of a million ids cost a second.
    via = pa.DictionaryArray.from_arrays(pa.array(np.where(rolls, 0, 1), mask=~(rolls | label_only)),
                                         pa.array(["parent", "label"], type=pa.large_string()))
    own_label = pa.array(_first_label(tasks, GOAL_LABEL).array)
    own_label = (own_label.combine_chunks() if isinstance(own_label, pa.ChunkedArray) else own_label)
    epic_ids = pc.if_else(pa.array(label_only), own_label.cast(pa.large_string()),
                          ids_of(links.epic, tasks, links.outside))
    return pd.DataFrame({
        "task_id": id_column(tasks),
        "is_goal": links.is_goal,
        "rolls_up": links.rolls_up,
        "via": pd.array(via.cast(pa.large_string()), dtype="string"),
        "epic_id": pd.array(epic_ids, dtype="string"),
        "goal_id": pd.array(ids_of(links.goal, tasks, links.outside), dtype="string"),
    })


def blocked_by_links(tasks: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(src, dst_id, dst)``: each blocked-by link's waiting row, the id it waits on and that id's row (-1: none).

    Found once per export; a filtered table keeps the links of its selected rows, and a target the
    filter left out is -1, as if the selection were the whole table.
    """
    found = origin(tasks)
    if found is None:
        return per_row(tasks, "blocked-by links", _links_of)
    base, rows = found
    src, dst_id, dst = per_row(base, "blocked-by links", _links_of)
    inv = selected_positions(found)
    keep = inv[src] >= 0
    dst = dst[keep]
    return inv[src[keep]], dst_id[keep], np.where(dst >= 0, inv[np.where(dst >= 0, dst, 0)], -1)


def _links_of(tasks: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    try:
        src, items = flat_list(tasks, "blocked_by")
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # ids that are not text (numbers) match nothing as text
        values = tasks["blocked_by"].to_numpy(dtype=object)
        lengths = list_sizes(tasks["blocked_by"])
        src = np.repeat(np.arange(len(tasks)), lengths)
        dst_id = np.empty(int(lengths.sum()), dtype=object)
        dst_id[:] = list(chain.from_iterable(values[lengths > 0]))
    else:
        dst_id = np.empty(len(items), dtype=object)
        dst_id[:] = items.to_pylist()
    if not len(src):
        empty = np.array([], dtype=np.int64)
        return empty, np.array([], dtype=object), empty
    return src, dst_id, position_of(tasks, dst_id)


def cached_goal_link_table(tasks: pd.DataFrame) -> pd.DataFrame:
    """:func:`goal_link_table`, kept per task table and shared by every framework (callers must not change it)."""
    return cached(tasks, "goal link table", lambda: goal_link_table(tasks))


def require_goal_links(ctx: Context) -> None:
    """Raise :class:`~workfw.core.NotMeasurable` unless some task has a parent link or a goal-like label.

    Parameters
    ----------
    ctx : Context
        The prepared tasks.
    """
    if ctx.tasks["parent_id"].isna().all() and not label_match(ctx.tasks, GOAL_LABEL).any():
        raise NotMeasurable("the export has no parent, epic or goal link (and no goal-like labels)")

"""What the Coordination Stack's signals read that no other framework does.

Cue words in descriptions (:func:`cue_flags`, :func:`word_counts`), epics and
goals (:func:`container_flags`, :func:`goal_labelled`), the status, owner and
due-date history (:func:`status_events`, :func:`field_events`), and the scoring
of shares of a pandas selection (:func:`share_result`) and of durations
(:func:`days_score`).  Every per-task value is worked out once per export
(:func:`workfw.core.per_row`) or once per table (:func:`workfw.core.cached`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.coordination_stack.definition import CONTAINER_TYPES, GOAL_LABELS, STATUS_FIELDS
from workfw.core import (Context, Measured, NotMeasurable, any_label, cached, column_text, large_text, mostly_repeated,
                         parent_codes, per_row, share_measured)
from workfw.statuses import known_categories, move_categories

__all__ = ["share_result", "days_score", "done_tasks", "contains_pattern", "word_counts", "cue_flags",
           "container_flags", "goal_labelled", "status_events", "field_events"]


def share_result(flags: pd.Series, ids: pd.Series, *, healthy: bool, empty: str, finding: str) -> Measured:
    """A share signal over a pandas selection: ``flags`` marks each task; ``healthy`` says whether True is good.

    The numpy counterpart over pools of the whole table is :func:`workfw.core.share_of`.

    Parameters
    ----------
    flags : pandas.Series
        One boolean per task of the selection (NA counts as False).
    ids : pandas.Series
        The selection's task ids, in the same order.
    healthy : bool
        True when a True flag is good (the score is the share), False when it is the problem.
    empty : str
        The reason the signal is not measurable when the selection is empty.
    finding : str
        Formatted with ``bad`` (count of problem tasks) and ``n``.

    Returns
    -------
    Measured
    """
    flags = flags.fillna(False).to_numpy(dtype=bool)
    n = len(flags)
    if n == 0:
        raise NotMeasurable(empty)
    # Filtered in pyarrow: a filter's findings name thousands of tasks, and pandas' mask and str casts cost more.
    bad_ids = large_text(ids).filter(pa.array(~flags if healthy else flags)).to_pylist()
    return share_measured(float(flags.mean()), n, bad_ids, healthy=healthy, finding=finding)


def days_score(days: float, *, good: float, bad: float) -> float:
    """100 up to ``good`` days, 0 from ``bad`` days, linear between.

    Parameters
    ----------
    days : float
        The measured duration.
    good, bad : float
        The durations that score 100 and 0.

    Returns
    -------
    float
    """
    return float(np.clip((bad - days) / (bad - good), 0, 1) * 100)


def done_tasks(ctx: Context) -> pd.DataFrame:
    """The done tasks, with only the columns of :data:`workfw.core.CORE_COLUMNS`."""
    return ctx.done_core


def _arrow(text: pd.Series) -> pa.Array:
    return pa.array(text.astype("string").array)


def contains_pattern(text: pd.Series, pattern: str) -> pd.Series:
    """Case-blind regex search in pyarrow (RE2).

    pandas falls back to Python's ``re`` row by row for ``case=False``, ``\\b`` on non-ASCII text and ``\\s``,
    which costs minutes on a million descriptions; RE2's ASCII word boundaries are good enough for cue words.

    Parameters
    ----------
    text : pandas.Series
        Text to search (NA never matches).
    pattern : str
        An RE2 pattern.

    Returns
    -------
    pandas.Series
        Boolean, on ``text``'s index.
    """
    found = pc.match_substring_regex(_arrow(text), pattern, ignore_case=True).fill_null(False)
    return pd.Series(np.asarray(found, dtype=bool), index=text.index)


def _contains_per_value(text: pd.Series, pattern: str) -> pd.Series:
    """:func:`contains_pattern` searched once per distinct value, for columns of a few values (types, statuses)."""
    coded = pc.dictionary_encode(large_text(text))
    found = pc.match_substring_regex(coded.dictionary, pattern, ignore_case=True).fill_null(False)
    hit = np.append(np.asarray(found, dtype=bool), False)  # the last: a missing value never matches
    return pd.Series(hit[pc.fill_null(coded.indices, -1).to_numpy(zero_copy_only=False)], index=text.index)


def _word_count(text: pd.Series) -> pd.Series:
    values = _arrow(text)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    # Descriptions repeat (templates, bots, copied issues): each distinct text is split once then.  Splitting
    # writes out every word, so a million long descriptions cost a second.
    if mostly_repeated(values, share=0.8):
        coded = pc.dictionary_encode(values)
        per_text = np.asarray(pc.list_value_length(pc.utf8_split_whitespace(coded.dictionary)), dtype="int64")
        which = pc.fill_null(coded.indices, -1).to_numpy(zero_copy_only=False)
        return pd.Series(np.append(per_text, 0)[which], index=text.index)
    counts = pc.list_value_length(pc.utf8_split_whitespace(values)).fill_null(0)
    return pd.Series(np.asarray(counts, dtype="int64"), index=text.index)


def word_counts(ctx: Context) -> np.ndarray:
    """Words in each task's description (0 without one), counted once per export."""
    return per_row(ctx.tasks, "words", lambda t: _word_count(t["description"])).to_numpy()


def cue_flags(ctx: Context, column: str, pattern: str) -> pd.Series:
    """``contains_pattern(ctx.tasks[column], pattern)``, searched once per export rather than once per filter."""
    return per_row(ctx.tasks, f"cue {column} {pattern}", lambda t: contains_pattern(t[column], pattern))


def _container_type(tasks: pd.DataFrame) -> pd.Series:
    """An epic or goal by its own type or label (a row's own fields; being a parent is added per table)."""
    # A label that is just "epic" (GitHub) marks the item itself; "Epic: Checkout" marks membership.  Each
    # distinct label is tested once; a label matches here exactly when the task's labels joined by \x1f would.
    by_label = any_label(tasks, "container label",
                         lambda labels: contains_pattern(labels, f"(?:^|\x1f)(?:{CONTAINER_TYPES})(?:$|\x1f)"))
    return _contains_per_value(tasks["task_type"], CONTAINER_TYPES) | by_label


def container_flags(ctx: Context) -> pd.Series:
    """Epics and goals: by their own type or label, or as the parent of a task in the table."""
    def build() -> pd.Series:
        tasks = ctx.tasks
        # Parents found as row codes once per table; a task named as its own parent is still a parent here.
        parent, _ = parent_codes(tasks)
        is_parent = np.bincount(parent[parent >= 0], minlength=len(tasks)) > 0
        own = per_row(tasks, "own parent", lambda t: pc.fill_null(pc.equal(
            column_text(t, "task_id"), column_text(t, "parent_id")), False).to_numpy(zero_copy_only=False))
        return per_row(tasks, "container type", _container_type) | (is_parent | own)

    return cached(ctx.tasks, "containers", build)


def goal_labelled(tasks: pd.DataFrame) -> pd.Series:
    """Where a task carries a goal-like label (:data:`~workfw.coordination_stack.definition.GOAL_LABELS`)."""
    # Each distinct label is tested once.  No match can span two labels of the task's labels joined by spaces
    # (the pattern's words hold no space), so testing each label alone finds the same tasks.
    return any_label(tasks, "goal labelled", lambda labels: contains_pattern(labels, GOAL_LABELS))


def status_events(ctx: Context) -> pd.DataFrame:
    """The status moves of the history, each end placed in a category (``old_cat``, ``new_cat``).

    Raises :class:`~workfw.core.NotMeasurable` without history or without a status move.
    """
    ctx.require_history()

    # A status is placed as the whole export places it: a team or date filter must not move it to another category.
    table = ctx.tasks if ctx.base is None else ctx.base

    def build() -> pd.DataFrame:
        events = ctx.events[ctx.events["field"].isin(STATUS_FIELDS)]
        known = known_categories(table, events)
        return events.assign(**{f"{side}_cat": move_categories(events[side], events.get(f"{side}_category"), known)
                                for side in ("old", "new")})

    events = cached((ctx.events, table), "status events", build)
    if events.empty:
        raise NotMeasurable("the history records no status changes")
    return events


def field_events(ctx: Context, fields: tuple[str, ...], what: str) -> pd.DataFrame:
    """The history's changes of ``fields`` (lower case names); ``what`` names them in the reason when there are none."""
    ctx.require_history()
    events = ctx.events[ctx.events["field"].str.casefold().isin(fields)]
    if events.empty:
        raise NotMeasurable(f"the history records no {what} changes (it only tracks "
                            f"{', '.join(sorted(ctx.events['field'].dropna().unique()))})")
    return events

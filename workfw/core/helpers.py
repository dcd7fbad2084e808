"""Shared helpers of the Coordination Stack signals (also used by :mod:`workfw.c4_flywheel`).

Shares, day scores, pyarrow text search and a one-slot memo of derived
columns; the signals themselves are in :mod:`workfw.coordination_stack.signals`.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.core.diagnosis import Context, Measured, NotMeasurable, per_row
from workfw.io._status import keyword_category, normalise_category

OPEN = ("todo", "in_progress")
FINISHED = ("done", "cancelled")
# Epics and their kin are goals themselves, so they are not asked to link to a goal.
_CONTAINER_TYPES = r"epic|initiative|objective|goal|milestone|theme|okr"
# "okr" also matches inside "okr-growth"; a bare quarter ("q3") is a timeframe, not a goal, so it is left out.
_GOAL_LABELS = r"\b(?:okrs?|goals?|objectives?|initiatives?|milestones?|epics?|kr)\b|okr"
INTENT = r"\bso that\b|\bin order to\b|\bbecause\b|\bgoal\b|\boutcome\b|\bobjective\b|\bwhy\b"
ACCEPTANCE = (r"acceptance criteria|definition of done|\bdod\b|\bAC:|- \[[ xX]\]|\[[ xX]\] |"
               r"\bgiven\b(?s:.)*\bwhen\b(?s:.)*\bthen\b|\bdone when\b")
DEPENDENCY = r"blocked by|blocked on|depends on|dependent on|waiting (?:on|for)|(?:^|\s)#\d+\b"
DUE_FIELDS = ("due", "duedate", "due_date", "due date")
ASSIGNEE_FIELDS = ("assignee", "assignees")
STATUS_FIELDS = ("status", "created")



# --- small shared helpers (also used by workfw.c4_flywheel) -----------------------------------------

def severity_of_score(score: float) -> str:
    return "high" if score < 40 else "medium" if score < 70 else "low"


def share_result(flags: pd.Series, ids: pd.Series, *, healthy: bool, empty: str, finding: str) -> Measured:
    """A share signal: ``flags`` marks each task; ``healthy`` says whether a True flag is good.

    ``finding`` is formatted with ``bad`` (count of problem tasks) and ``n``.
    """
    flags = flags.fillna(False).to_numpy(dtype=bool)
    n = len(flags)
    if n == 0:
        raise NotMeasurable(empty)
    # Filtered in pyarrow: a filter's findings name thousands of tasks, and pandas' mask and str casts cost more.
    bad_ids = large_text(ids).filter(pa.array(~flags if healthy else flags)).to_pylist()
    return _shared(float(flags.mean()), n, bad_ids, healthy=healthy, finding=finding)


def _shared(share: float, n: int, bad_ids: list[str], *, healthy: bool, finding: str) -> Measured:
    """The result of a share signal: score, finding text (``bad``, ``n``) and severity from the share."""
    score = share * 100 if healthy else 100 - share * 100
    text = finding.format(bad=len(bad_ids), n=n) if bad_ids else None
    return Measured(share, score, n, bad_ids, text, severity_of_score(score))


def days_score(days: float, *, good: float, bad: float) -> float:
    """100 up to ``good`` days, 0 from ``bad`` days, linear between."""
    return float(np.clip((bad - days) / (bad - good), 0, 1) * 100)


def days_between(later: pd.Series | pd.Timestamp, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.total_seconds() / 86400


def list_sizes(series: pd.Series) -> np.ndarray:
    """Length of each list cell (0 for a missing one), in C rather than through ``.str.len()``."""
    values = series.to_numpy(dtype=object)
    try:
        return np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    except TypeError:  # a missing cell (None, NaN) among the lists
        return np.fromiter((len(v) if isinstance(v, (list, tuple, np.ndarray)) else 0 for v in values),
                           dtype=np.int64, count=len(values))


def large_text(values: pd.Series) -> pa.Array:
    """A text column as one pyarrow large_string array (nulls kept), for hashing and string kernels."""
    arr = pa.array(values.astype("string").array)
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    return arr.cast(pa.large_string())


def id_column(tasks: pd.DataFrame) -> pd.api.extensions.ExtensionArray:
    """Task ids for a result frame's ``task_id`` column, as ``str``, without a trip through Python objects."""
    return tasks["task_id"].array.astype("str")


def _has_list(series: pd.Series) -> pd.Series:
    return pd.Series(list_sizes(series) > 0, index=series.index)


# Signals share derived columns (open tasks, word counts, status history); a one-slot cache per frame keeps
# a diagnosis of a million tasks from recomputing them, and the weak reference keeps it from holding data.
_MEMO: dict[tuple[int, str], tuple[weakref.ref, Any]] = {}


def memo_on_frame(frame: pd.DataFrame, name: str, build: Callable[[], Any]) -> Any:
    key = (id(frame), name)
    hit = _MEMO.get(key)
    if hit is not None and hit[0]() is frame:
        return hit[1]
    for stale in [k for k, (ref, _) in _MEMO.items() if ref() is None]:
        del _MEMO[stale]
    value = build()
    _MEMO[key] = (weakref.ref(frame), value)
    return value


def done_tasks(ctx: Context) -> pd.DataFrame:
    return ctx.done_core


def text_isin(values: pd.Series, pool: Any) -> pd.Series:
    """``values.isin(pool)`` for text, through pyarrow (pandas' own isin is slow on a million strings)."""
    left = pa.array(values.astype("string").array)
    right = pc.unique(pa.array(pd.Series(pool, dtype="string").dropna().array)).cast(left.type)
    found = pc.is_in(left, value_set=right).fill_null(False)
    return pd.Series(np.asarray(found, dtype=bool), index=values.index)


def _arrow(text: pd.Series) -> pa.Array:
    return pa.array(text.astype("string").array)


def contains_pattern(text: pd.Series, pattern: str) -> pd.Series:
    """Case-blind regex search in pyarrow (RE2).

    pandas falls back to Python's ``re`` row by row for ``case=False``, ``\\b`` on non-ASCII text and ``\\s``,
    which costs minutes on a million descriptions; RE2's ASCII word boundaries are good enough for cue words.
    """
    found = pc.match_substring_regex(_arrow(text), pattern, ignore_case=True).fill_null(False)
    return pd.Series(np.asarray(found, dtype=bool), index=text.index)


def _word_count(text: pd.Series) -> pd.Series:
    counts = pc.list_value_length(pc.utf8_split_whitespace(_arrow(text))).fill_null(0)
    return pd.Series(np.asarray(counts, dtype="int64"), index=text.index)


def _map_unique(values: pd.Series, convert: Callable[[Any], Any]) -> pd.Series:
    """Apply ``convert`` once per distinct value (history repeats a few status names millions of times)."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([convert(v) for v in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=values.index).astype("string")


def owned_flags(tasks: pd.DataFrame) -> pd.Series:
    return tasks["assignee"].notna() | _has_list(tasks["assignees"])


def word_counts(ctx: Context) -> np.ndarray:
    """Words in each task's description (0 without one), counted once per export."""
    return per_row(ctx.tasks, "words", lambda t: _word_count(t["description"])).to_numpy()


def cue_flags(ctx: Context, column: str, pattern: str) -> pd.Series:
    """``contains_pattern(ctx.tasks[column], pattern)``, searched once per export rather than once per filter."""
    return per_row(ctx.tasks, f"cue {column} {pattern}", lambda t: contains_pattern(t[column], pattern))


def require_any(ctx: Context, *columns: str) -> None:
    """Raise unless at least one of ``columns`` has a value somewhere."""
    reasons = []
    for col in columns:
        try:
            ctx.require(col)
            return
        except NotMeasurable as exc:
            reasons.append(exc.reason)
    raise NotMeasurable("; ".join(reasons))


def _container_type(tasks: pd.DataFrame) -> pd.Series:
    """An epic or goal by its own type or label (a row's own fields; being a parent is added per table)."""
    # A label that is just "epic" (GitHub) marks the item itself; "Epic: Checkout" marks membership.
    labelled = _has_list(tasks["labels"])
    joined = tasks.loc[labelled, "labels"].map("\x1f".join).astype("string")
    by_label = pd.Series(False, index=tasks.index)
    by_label[labelled] = contains_pattern(joined, f"(?:^|\x1f)(?:{_CONTAINER_TYPES})(?:$|\x1f)")
    return contains_pattern(tasks["task_type"], _CONTAINER_TYPES) | by_label


def container_flags(ctx: Context) -> pd.Series:
    """Epics and goals: by their own type or label, or as the parent of a task in the table."""
    from workfw.core.links import cached_on_tasks, parent_codes  # that module builds on this one

    def build() -> pd.Series:
        tasks = ctx.tasks
        # Parents found as row codes once per table; a task named as its own parent is still a parent here.
        parent, _ = cached_on_tasks(tasks, "parents", parent_codes)
        is_parent = np.bincount(parent[parent >= 0], minlength=len(tasks)) > 0
        own = per_row(tasks, "own parent", lambda t: pc.fill_null(pc.equal(
            large_text(t["task_id"]), large_text(t["parent_id"])), False).to_numpy(zero_copy_only=False))
        return per_row(tasks, "container type", _container_type) | (is_parent | own)

    return memo_on_frame(ctx.tasks, "containers", build)


def goal_labelled(tasks: pd.DataFrame) -> pd.Series:
    def build(frame: pd.DataFrame) -> pd.Series:
        labelled = _has_list(frame["labels"])
        joined = frame.loc[labelled, "labels"].map(" ".join).astype("string")
        out = pd.Series(False, index=frame.index)
        out[labelled] = contains_pattern(joined, _GOAL_LABELS)
        return out

    return per_row(tasks, "goal labelled", build)


def _status_categories(values: pd.Series, tasks: pd.DataFrame) -> pd.Series:
    """Category of each status name in history, learnt from the tasks' current statuses first."""
    known = tasks[["status", "status_category"]].dropna()
    pairs = (known.assign(key=known["status"].str.casefold(), cat=known["status_category"].astype(str))
             .groupby(["key", "cat"]).size().rename("k").reset_index()
             .sort_values(["key", "k", "cat"], ascending=[True, False, True], kind="stable"))
    learnt = pairs.drop_duplicates("key").set_index("key")["cat"].to_dict()

    def category(name: Any) -> str | None:
        return learnt.get(str(name).casefold()) or normalise_category(name) or keyword_category(str(name))

    return _map_unique(values, category)


def status_events(ctx: Context) -> pd.DataFrame:
    ctx.require_history()

    def build() -> pd.DataFrame:
        events = ctx.events[ctx.events["field"].isin(STATUS_FIELDS)]
        return events.assign(old_cat=_status_categories(events["old"], ctx.tasks),
                             new_cat=_status_categories(events["new"], ctx.tasks))

    events = memo_on_frame(ctx.events, f"status events of {id(ctx.tasks)}", build)
    if events.empty:
        raise NotMeasurable("the history records no status changes")
    return events


def field_events(ctx: Context, fields: tuple[str, ...], what: str) -> pd.DataFrame:
    ctx.require_history()
    events = ctx.events[ctx.events["field"].str.casefold().isin(fields)]
    if events.empty:
        raise NotMeasurable(f"the history records no {what} changes (it only tracks "
                            f"{', '.join(sorted(ctx.events['field'].dropna().unique()))})")
    return events

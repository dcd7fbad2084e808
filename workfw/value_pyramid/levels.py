"""Work Value Pyramid internals: the level each task is on (Activities, Progress, Outcomes) and why.

The rules come first as integer codes per task (what the signals count); the
reason texts are spelled out only for :func:`workfw.value_pyramid.classify_levels`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.core import (cached, cached_goal_link_table, id_column, in_words, label_match, large_text, link_arrays,
                         per_row, type_words)
from workfw.value_pyramid.definition import ELEMENTS, OVERHEAD, VALUE_TYPES
from workfw.value_pyramid.kinds import linked_to_customer, parent_has, released_flags

__all__: list[str] = []


def _own_kinds(tasks: pd.DataFrame) -> pd.DataFrame:
    """What each task's own fields say: a value type (story...), overhead (chore, meeting), released."""
    def build(frame: pd.DataFrame) -> pd.DataFrame:
        types = type_words(frame)
        return pd.DataFrame({
            "value_type": (types.isin(VALUE_TYPES) | types.isna()).fillna(False).astype(bool).to_numpy(),
            "overhead": in_words(types, OVERHEAD) | label_match(frame, OVERHEAD).to_numpy(),
            "released": released_flags(frame).to_numpy(dtype=bool),
        }, index=frame.index)

    return per_row(tasks, "own kinds", build)


def _level_rules(tasks: pd.DataFrame) -> np.ndarray:
    """The first classification rule each task meets (0-7, 8: none); :data:`_RULE_LEVELS` maps it to a level."""
    links = link_arrays(tasks)
    category = tasks["status_category"]
    done = (category == "done").fillna(False).to_numpy(dtype=bool)
    cancelled = (category == "cancelled").fillna(False).to_numpy(dtype=bool)
    is_goal = links.is_goal
    own = _own_kinds(tasks)
    parent_done = parent_has(tasks, done)
    customer = linked_to_customer(tasks, type_words(tasks)).to_numpy()
    open_goal = is_goal & ~done & ~cancelled
    conditions = [
        done & is_goal, done & own["released"].to_numpy(), done & customer,
        done & ~is_goal & own["value_type"].to_numpy() & parent_done,
        cancelled, own["overhead"].to_numpy(), open_goal, links.rolls_up,
    ]
    return np.select(conditions, list(range(8)), default=8)


_OUTCOMES, _PROGRESS, _ACTIVITIES = (ELEMENTS.index(e) for e in ("Outcomes", "Progress", "Activities"))
#: Level (index into :data:`ELEMENTS`) of each rule of :func:`_level_rules`.
_RULE_LEVELS = np.array([_OUTCOMES] * 4 + [_ACTIVITIES, _ACTIVITIES, _PROGRESS, _PROGRESS, _ACTIVITIES])


def _level_of(tasks: pd.DataFrame) -> pd.Series:
    """Each task's level, a categorical in :data:`ELEMENTS` order (the signals need no reasons)."""
    rules = cached(tasks, "level rules", lambda: _level_rules(tasks))
    return pd.Series(pd.Categorical.from_codes(_RULE_LEVELS[rules], categories=list(ELEMENTS)), index=tasks.index)


def _classify(tasks: pd.DataFrame) -> pd.DataFrame:
    rule = cached(tasks, "level rules", lambda: _level_rules(tasks))
    links = cached_goal_link_table(tasks)
    fixed = pa.array([None, "released (fix version or released label)",
                      "done and linked to a customer or incident ticket", "completed deliverable whose parent is done",
                      "cancelled before any outcome", "chore or meeting (overhead)", None, None,
                      "no parent, epic or goal"], type=pa.large_string())
    reason = pa.DictionaryArray.from_arrays(pa.array(rule, type=pa.int8()), fixed).cast(pa.large_string())
    # The other reasons name the task's type or epic, joined in pyarrow where their rule matched.
    kind = pc.fill_null(large_text(type_words(tasks)), "goal")
    epic = pc.fill_null(large_text(links["epic_id"]), "a goal")
    for which, prefix, values in ((0, "completed ", kind), (6, "open ", kind), (7, "rolls up to ", epic)):
        at = rule == which
        if at.any():
            joined = pc.binary_join_element_wise(pa.scalar(prefix, pa.large_string()), values.filter(pa.array(at)),
                                                 pa.scalar("", pa.large_string()))
            reason = pc.replace_with_mask(reason, pa.array(at), joined)
    return pd.DataFrame({
        "task_id": id_column(tasks),
        "level": pd.Categorical.from_codes(_RULE_LEVELS[rule], categories=list(ELEMENTS)),
        "reason": pd.array(reason, dtype="string"),
    })

"""What a task's own fields and links say about its kind of work, for the Pyramid's level rules.

Released items, items linked to a customer or incident ticket, and items whose
parent has a property; the rules that combine them are in
:mod:`workfw.value_pyramid.levels`.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from workfw.core import blocked_by_links, label_match, parent_codes, per_row
from workfw.value_pyramid.definition import CUSTOMER_LABEL, CUSTOMER_TYPES, RELEASE_COLUMNS, RELEASED_LABEL

__all__ = ["parent_has", "linked_to_customer", "released_flags"]


def parent_has(tasks: pd.DataFrame, flag: np.ndarray) -> np.ndarray:
    """Where a task's parent is in the table and has ``flag`` (boolean, one per task).

    Parameters
    ----------
    tasks : pandas.DataFrame
        A task table.
    flag : numpy.ndarray
        Boolean, one per task of ``tasks``.

    Returns
    -------
    numpy.ndarray
    """
    parent, _ = parent_codes(tasks)
    return (parent >= 0) & flag[np.where(parent >= 0, parent, 0)]


def _blocked_by_rows(tasks: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(src, dst)`` row positions of each blocked-by link whose both ends are in ``tasks``."""
    src, _, dst = blocked_by_links(tasks)
    return src[dst >= 0], dst[dst >= 0]


def linked_to_customer(tasks: pd.DataFrame, types: pd.Series) -> pd.Series:
    """True where a parent or blocked-by link (either direction) reaches a customer or incident ticket.

    A ticket's own ``customer`` label does not count: answering a ticket is activity until it is
    tied to a change, which is what the link records.

    Parameters
    ----------
    tasks : pandas.DataFrame
        A task table.
    types : pandas.Series
        Its issue types as :func:`workfw.core.type_words` spells them.

    Returns
    -------
    pandas.Series
        Boolean, on the table's index.
    """
    customer = types.isin(CUSTOMER_TYPES).fillna(False).astype(bool).to_numpy() | label_match(
        tasks, CUSTOMER_LABEL).to_numpy()
    linked = parent_has(tasks, customer)
    src, dst = _blocked_by_rows(tasks)
    if len(src):
        # Either direction counts: the fix blocks the incident, or waits on the customer ticket.
        linked[src[customer[dst]]] = True
        linked[dst[customer[src]]] = True
    return pd.Series(linked, index=tasks.index)


def released_flags(tasks: pd.DataFrame) -> pd.Series:
    """Where an item is released: a ``released``/``shipped`` label or a filled fix-version column (once per export).

    Parameters
    ----------
    tasks : pandas.DataFrame
        A task table.

    Returns
    -------
    pandas.Series
        Boolean, on the table's index.
    """
    def build(frame: pd.DataFrame) -> pd.Series:
        out = label_match(frame, RELEASED_LABEL)
        for col in frame.columns:
            if re.sub(r"[^a-z]", "", col.lower()) in RELEASE_COLUMNS:
                values = frame[col]
                filled = values.map(lambda v: len(v) > 0 if isinstance(v, (list, tuple, np.ndarray)) else pd.notna(v))
                out = out | filled.astype(bool)
        return out

    return per_row(tasks, "released", build)

"""Giving every task read from a file a status category, and saying how each status name was placed.

The placing rules themselves (keyword rules, category words, the table's own pairs) live in
:mod:`workfw.statuses`, the one status categoriser; this module adds what only a read knows:
the user's ``status_map``, the category the export states, the tracker's default map and a
reader's guesses, and the status map table and warnings of the import report.  The rules
table is :func:`workfw.io.status_rules`; ``read_export(..., status_rules=table)`` reads with
another one.  A status no rule places gets no category (neither open nor done) rather than a
guess of to do.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from workfw.errors import OptionError
from workfw.io._common import text_codes, unique_ints
# The readers import the rules from here; they are the categoriser's, re-exported unchanged.
from workfw.statuses import (STATUS_CATEGORIES, check_status_rules, keyword_category, keyword_rule,
                             normalise_category, status_key, status_rules, use_status_rules)

__all__ = ["keyword_category", "keyword_rule", "apply_status_map", "normalise_category", "status_rules",
           "use_status_rules", "check_status_rules", "UNPLACED"]

#: The status map rule of tasks with no status and no stated category.
_NO_STATUS = "no status, left without a category"
#: The status map rule of status names no rule places (their tasks get no category).
UNPLACED = "unplaced"


def _check_user_map(user_map: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for status, category in user_map.items():
        if category not in STATUS_CATEGORIES:
            raise OptionError(f"status_map[{status!r}] = {category!r}; expected one of {list(STATUS_CATEGORIES)}. "
                              "Next step: map each status name to one of those categories.")
        out[status_key(status)] = category
    return out


def _codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Number each distinct text of ``values`` as :func:`text_codes` does (-1 for NA): ``(codes, texts)``.

    A categorical of strings is numbered already, and an object column of strings (a reader's
    categories) is numbered by pandas' hash table on the objects themselves, rather than copied
    to text first.  The numbering differs from :func:`text_codes`'s, which the caller never relies on.
    """
    if isinstance(values.dtype, pd.CategoricalDtype) and all(isinstance(c, str) for c in values.cat.categories):
        # Numbered already; categories no row holds are never looked up.
        return values.cat.codes.to_numpy().astype(np.int64), list(values.cat.categories)
    if values.dtype == object:
        codes, uniques = pd.factorize(values)
        if all(isinstance(u, str) for u in uniques):
            return codes.astype(np.int64), list(uniques)
    return text_codes(values.astype("string"))


def apply_status_map(status: pd.Series, from_export: pd.Series | None, *, default_map: Mapping[str, str],
                     user_map: Mapping[str, str] | None, warnings: list[str],
                     guesses: Mapping[str, tuple[str, str]] | None = None,
                     as_category: bool = False) -> tuple[pd.Series, pd.DataFrame]:
    """Give every task a status category and explain how each status name was placed.

    Precedence: the user's map, then a category the export itself states
    (Jira's ``Status Category``, GitHub's state), then the tracker's default
    map, then the keyword rules (:func:`status_rules`), then a reader's
    ``guesses`` from other evidence (a board's list order), else no category:
    the rule says ``"unplaced"`` and a warning names the statuses, so signals
    that split open from done work leave those tasks out until the user maps
    them.  A task with neither a status nor a stated category gets none too.

    Parameters
    ----------
    guesses : mapping, optional
        Status name -> ``(category, rule text)`` for names no rule places.
    as_category : bool
        Return the categories as a categorical of :data:`STATUS_CATEGORIES`
        (as the task table holds them) rather than as text, so a million
        rows are not hashed again.

    Returns
    -------
    tuple
        The category per task (NA where unknown), and the status map table
        (``status, status_category, rule, tasks``).
    """
    user = _check_user_map(user_map or {})
    default = {status_key(k): v for k, v in default_map.items()}
    guessed = {status_key(k): v for k, v in (guesses or {}).items()}
    exported = from_export if from_export is not None else pd.Series(pd.NA, index=status.index, dtype=object)
    # Every row's (status, stated category) pair as one integer: a million rows hold a few dozen pairs.
    status_codes, status_names = _codes(status)
    exported_codes, exported_names = _codes(exported)
    pair = (status_codes + 1) * (len(exported_names) + 1) + exported_codes + 1
    distinct, first, inverse, counts = unique_ints(pair)
    order = np.argsort(first, kind="stable")  # pairs in order of first appearance, as groupby(sort=False)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    codes = rank[inverse.reshape(-1)]
    first_rows = first[order]
    combos = pd.DataFrame({
        "status": pd.Series([status_names[c] if c >= 0 else "(none)" for c in status_codes[first_rows]],
                            dtype=pd.StringDtype()),
        "exported": pd.Series([exported_names[c] if c >= 0 else "" for c in exported_codes[first_rows]],
                              dtype=pd.StringDtype()),
        "tasks": counts[order].astype(np.int64)})
    cats, rules, unknown = [], [], []
    missing = dict(zip(zip(combos["status"], combos["exported"]), status_codes[first_rows] < 0))
    for st, ex in zip(combos["status"], combos["exported"]):
        key = status_key(st)
        if bool(missing.get((st, ex), False)) and ex not in STATUS_CATEGORIES:
            cats.append(None); rules.append(_NO_STATUS)
        elif key in user:
            cats.append(user[key]); rules.append("your map")
        elif ex in STATUS_CATEGORIES:
            cats.append(ex); rules.append("stated in the export")
        elif key in default:
            cats.append(default[key]); rules.append("tracker default")
        elif (kw := keyword_rule(st)) is not None:
            cats.append(kw[0]); rules.append("keyword" if kw[1] in ("en", "") else f"keyword ({kw[1]})")
        elif key in guessed:
            cats.append(guessed[key][0]); rules.append(guessed[key][1])
        else:
            cats.append(None); rules.append(UNPLACED); unknown.append(st)
    combos["status_category"] = cats
    combos["rule"] = rules
    no_status = int(combos.loc[combos["rule"] == _NO_STATUS, "tasks"].sum())
    if no_status and no_status == len(status):
        warnings.append("The export has no status (no status column, or it is empty on every task) and states no "
                        "status category, so no task counts as open or done: signals that split open from finished "
                        "work are not measurable. Next step: export the Status column too.")
    elif no_status:
        warnings.append(f"{no_status} tasks have no status (and the export states no category); they count as "
                        "neither open nor done.")
    if unknown:
        unplaced = int(combos.loc[combos["rule"] == UNPLACED, "tasks"].sum())
        most = " Most tasks are unplaced, so" if unplaced * 2 > len(status) else " So"
        warnings.append(f"Status names {unknown[:8]} match no rule, so their {unplaced} tasks count as neither open "
                        f"nor done.{most} signals that split open from finished work leave them out until you "
                        "map them: pass status_map={'Name': 'in_progress'} to read_export, or use the status map "
                        "editor (the status map table lists them with rule 'unplaced').")
    per_combo = combos["status_category"].to_numpy(dtype=object)
    if as_category and all(pd.isna(c) or c in STATUS_CATEGORIES for c in per_combo):
        order = list(STATUS_CATEGORIES)
        combo_codes = np.array([-1 if pd.isna(c) else order.index(c) for c in per_combo], dtype=np.int64)
        category = pd.Series(pd.Categorical.from_codes(combo_codes[codes], categories=order), index=status.index)
    else:
        category = pd.Series(per_combo[codes], index=status.index)
    table = (combos.groupby(["status", "status_category", "rule"], as_index=False, sort=False, dropna=False)["tasks"]
             .sum()
             .sort_values("tasks", ascending=False, kind="stable").reset_index(drop=True))
    return category, table

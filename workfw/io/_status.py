"""Placing tracker status names into workfw's four status categories."""
from __future__ import annotations

import re
from typing import Mapping

import pandas as pd

from ..errors import OptionError
from ..schema import STATUS_CATEGORIES

__all__ = ["keyword_category", "apply_status_map", "normalise_category"]

#: The status map rule of tasks with no status and no stated category.
_NO_STATUS = "no status, left without a category"

# Order matters: "not done" must be read as todo before "done" matches.
_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("cancelled", r"cancel|won'?t|wont|duplicate|reject|abandon|declin|not.?planned|obsolete|invalid|discard|descoped"),
    ("todo", r"\bnot\b|to.?do|backlog|\bopen\b|\bnew\b|selected|ready|triage|planned|icebox|idea|proposed|"
             r"requested|intake|inbox|unstarted|pending|later|next|queue"),
    ("done", r"done|closed|resolved|complete|finished|shipped|released|merged|deployed|\blive\b|accepted|delivered"),
    ("in_progress", r"progress|doing|review|test|\bqa\b|\bdev|active|start|working|block|verif|implement|"
                    r"in.?flight|wip|staging|building|waiting|hold|design|draft"),
)

_CATEGORY_WORDS = {
    "to do": "todo", "todo": "todo", "new": "todo", "open": "todo", "backlog": "todo", "unstarted": "todo",
    "in progress": "in_progress", "in_progress": "in_progress", "indeterminate": "in_progress", "started": "in_progress",
    "doing": "in_progress", "done": "done", "complete": "done", "completed": "done", "closed": "done",
    "cancelled": "cancelled", "canceled": "cancelled",
    # Localised Jira status categories.
    "к выполнению": "todo", "в работе": "in_progress", "готово": "done",
    "zu erledigen": "todo", "in arbeit": "in_progress", "fertig": "done",
    "à faire": "todo", "en cours": "in_progress", "terminé": "done",
}


def normalise_category(value: object) -> str | None:
    """Map a category word from an export (``"To Do"``, ``"Done"``...) to a canonical category."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return _CATEGORY_WORDS.get(str(value).strip().casefold())


def keyword_category(status: str) -> str | None:
    """Guess a status name's category from keywords; None when nothing matches."""
    low = status.casefold()
    for category, pattern in _KEYWORDS:
        if re.search(pattern, low):
            return category
    return None


def _check_user_map(user_map: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for status, category in user_map.items():
        if category not in STATUS_CATEGORIES:
            raise OptionError(f"status_map[{status!r}] = {category!r}; expected one of {list(STATUS_CATEGORIES)}. "
                              "Next step: map each status name to one of those categories.")
        out[str(status).strip().casefold()] = category
    return out


def apply_status_map(status: pd.Series, from_export: pd.Series | None, *, default_map: Mapping[str, str],
                     user_map: Mapping[str, str] | None, warnings: list[str]) -> tuple[pd.Series, pd.DataFrame]:
    """Give every task a status category and explain how each status name was placed.

    Precedence: the user's map, then a category the export itself states
    (Jira's ``Status Category``, GitHub's state), then the tracker's default
    map, then keywords, then ``todo`` with a warning.  A task with neither a
    status nor a stated category gets none (NA: neither open nor done), with
    a warning; so does every task of an export without a status column.

    Returns
    -------
    tuple
        The category per task (NA where unknown), and the status map table
        (``status, status_category, rule, tasks``).
    """
    user = _check_user_map(user_map or {})
    default = {k.casefold(): v for k, v in default_map.items()}
    exported = from_export if from_export is not None else pd.Series(pd.NA, index=status.index, dtype=object)
    frame = pd.DataFrame({"status": status.astype("string").fillna("(none)"),
                          "exported": exported.astype("string").fillna("")})
    combos = frame.groupby(["status", "exported"], dropna=False, sort=False).size().reset_index(name="tasks")
    cats, rules, unknown = [], [], []
    missing = status.isna().groupby([frame["status"], frame["exported"]], dropna=False, sort=False).all()
    for st, ex in zip(combos["status"], combos["exported"]):
        key = st.strip().casefold()
        if bool(missing.get((st, ex), False)) and ex not in STATUS_CATEGORIES:
            cats.append(None); rules.append(_NO_STATUS)
        elif key in user:
            cats.append(user[key]); rules.append("your map")
        elif ex in STATUS_CATEGORIES:
            cats.append(ex); rules.append("stated in the export")
        elif key in default:
            cats.append(default[key]); rules.append("tracker default")
        elif (kw := keyword_category(st)) is not None:
            cats.append(kw); rules.append("keyword")
        else:
            cats.append("todo"); rules.append("unknown, read as todo"); unknown.append(st)
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
        warnings.append(f"Status names {unknown[:8]} match no known category and were read as 'todo'. "
                        "Pass status_map={'Name': 'in_progress'} to read_export to place them.")
    # ngroup numbers the groups in the order combos lists them (same keys, sort=False).
    codes = frame.groupby(["status", "exported"], dropna=False, sort=False).ngroup().to_numpy()
    category = pd.Series(combos["status_category"].to_numpy(dtype=object)[codes], index=status.index)
    table = (combos.groupby(["status", "status_category", "rule"], as_index=False, sort=False, dropna=False)["tasks"]
             .sum()
             .sort_values("tasks", ascending=False, kind="stable").reset_index(drop=True))
    return category, table

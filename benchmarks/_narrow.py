"""A narrow Jira export shaped like real ones: about 20 columns, timestamps to the minute.

Real Jira exports stamp every issue to the minute, so almost every value in
``Created``, ``Updated`` and ``Resolved`` is distinct; the wide generated
export (:func:`workfw.samples.generate_jira_csv`) repeats a small organisation,
so its timestamps repeat and date parsing looks cheaper than it is.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

__all__ = ["generate_narrow_jira_csv", "NARROW_HEADERS"]

#: The columns, in the order a Jira "current fields" export writes them (Labels twice: a repeated header).
NARROW_HEADERS = ("Issue key", "Issue id", "Summary", "Issue Type", "Status", "Status Category", "Priority",
                  "Resolution", "Assignee", "Reporter", "Created", "Updated", "Resolved", "Due date", "Labels",
                  "Labels", "Sprint", "Parent", "Project name", "Custom field (Team)")

_STATUSES = (("To Do", "To Do"), ("Backlog", "To Do"), ("In Progress", "In Progress"), ("In Review", "In Progress"),
             ("Ready for QA", "In Progress"), ("Blocked", "In Progress"), ("Done", "Done"), ("Closed", "Done"))
_STATUS_WEIGHTS = (0.12, 0.08, 0.1, 0.05, 0.03, 0.02, 0.45, 0.15)
_TYPES = ("Story", "Task", "Bug", "Sub-task", "Epic")
_PRIORITIES = ("Highest", "High", "Medium", "Low", "Lowest")
_TEAMS = ("Platform", "Growth", "Data", "Support", "Mobile", "Payments", "Search", "Identity")
_WORDS = ("fix", "add", "update", "remove", "refactor", "login", "export", "billing", "search", "report", "cache",
          "timeout", "dashboard", "mobile", "api", "onboarding", "invoice", "alert", "latency", "migration")


def _jira_stamp(minutes: np.ndarray) -> np.ndarray:
    """Minutes since 2020-01-01 as Jira Cloud's default ``dd/MMM/yy h:mm a`` text."""
    stamps = pd.DatetimeIndex(np.datetime64("2020-01-01T00:00", "m") + minutes.astype("timedelta64[m]"))
    return np.asarray(stamps.strftime("%d/%b/%y %-I:%M %p"), dtype=object)


def generate_narrow_jira_csv(path: str | Path, *, tasks: int, seed: int) -> Path:
    """Write a ~20-column Jira CSV of ``tasks`` issues whose timestamps are nearly all distinct.

    Parameters
    ----------
    path : str or pathlib.Path
        File to write (its folder is created when missing).
    tasks : int
        Number of issue rows.
    seed : int
        Seed of the random values.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    rng = np.random.default_rng(seed)
    n = int(tasks)
    span = 6 * 365 * 24 * 60  # six years of minutes: a million tasks still get nearly all distinct stamps
    created = rng.integers(0, span, n)
    status = rng.choice(len(_STATUSES), size=n, p=_STATUS_WEIGHTS)
    done = np.isin(status, [6, 7])
    resolved = created + rng.integers(60, 60 * 24 * 40, n)
    updated = np.where(done, resolved, created) + rng.integers(0, 60 * 24 * 10, n)
    due_day = (created // (24 * 60) + rng.integers(3, 60, n)) * 24 * 60
    has_due = rng.random(n) < 0.4
    teams = rng.integers(0, len(_TEAMS), n)
    keys = np.char.add("PRJ-", np.arange(1, n + 1).astype(str)).astype(object)
    words = np.asarray(_WORDS, dtype=object)
    summary = words[rng.integers(0, len(words), n)] + " " + words[rng.integers(0, len(words), n)] + " " + \
        np.arange(n).astype(str).astype(object)
    people = np.asarray([f"Person {i:04d}" for i in range(2000)], dtype=object)
    parent = np.where(rng.random(n) < 0.6, (rng.integers(1, max(n // 20, 2), n) * 20 + 10000).astype(str), None)
    label_a = np.asarray(["backend", "frontend", "infra", "ux", None, None], dtype=object)[rng.integers(0, 6, n)]
    label_b = np.asarray(["tech-debt", "customer", None, None, None], dtype=object)[rng.integers(0, 5, n)]
    columns = [
        keys, (10000 + np.arange(n)).astype(str).astype(object), summary,
        np.asarray(_TYPES, dtype=object)[rng.integers(0, len(_TYPES), n)],
        np.asarray([s for s, _ in _STATUSES], dtype=object)[status],
        np.asarray([c for _, c in _STATUSES], dtype=object)[status],
        np.asarray(_PRIORITIES, dtype=object)[rng.integers(0, len(_PRIORITIES), n)],
        np.where(done, "Done", None), people[rng.integers(0, len(people), n)],
        people[rng.integers(0, len(people), n)], _jira_stamp(created), _jira_stamp(updated),
        np.where(done, _jira_stamp(resolved), None), np.where(has_due, _jira_stamp(due_day), None),
        label_a, label_b, np.char.add("Sprint ", (created // (14 * 24 * 60)).astype(str)).astype(object),
        parent, np.asarray(["Product"], dtype=object)[np.zeros(n, dtype=int)],
        np.asarray(_TEAMS, dtype=object)[teams],
    ]
    names = [f"c{i}" for i in range(len(columns))]
    table = pa.table({name: pa.array(col, type=pa.string(), from_pandas=True) for name, col in zip(names, columns)})
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    header = ",".join(f'"{h}"' if "," in h else h for h in NARROW_HEADERS) + "\n"
    with target.open("wb") as fh:
        fh.write(header.encode("utf-8"))
        pacsv.write_csv(table, fh, write_options=pacsv.WriteOptions(include_header=False))
    return target

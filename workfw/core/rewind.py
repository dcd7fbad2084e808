"""An export as it stood at an earlier time (:func:`state_at`), rebuilt from its history.

An export is a snapshot of today: a task finished last week reads as finished even when the
question is how the work looked three months ago.  :func:`state_at` winds the task table back:

- tasks created after the time are left out (a task without a creation date is kept);
- the status is the last recorded move at or before the time, else the status a task left at its
  first later move; its category comes from the export's own status pairs, then the keyword rules
  (:func:`workfw.statuses.status_categories`), as everywhere else;
- a task without status history is judged from its dates: finished after the time means it was
  still open then (*in progress* when it had started, else *to do*), started after the time means
  it was still *to do*; its status name is then unknown (NA), since no record says which it was;
- ``completed``, ``resolution`` and ``started`` are cleared where they lie after the time (a task
  that was finished by then but finished again later keeps the time of its last move into done);
- ``updated`` after the time becomes the task's last recorded change by then, else its creation;
- the assignee (and ``assignees``) and any other text field the history records (``priority``,
  ``team``, ``iteration``...) are rebuilt like the status;
- the history keeps the changes at or before the time.

What no export records stays as it is today: descriptions, labels, links, due dates without a
history, comment and watcher counts.  The import report of the result gains one line saying how
many tasks were left out and how many states came from history or from dates.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from workfw.core.context import as_utc
from workfw.errors import OptionError
from workfw.export import ImportReport, TaskExport
from workfw.schema import TEXT_COLUMNS, empty_events, tasks_of
from workfw.statuses import known_categories, status_categories

__all__ = ["state_at"]

_OPEN = ("todo", "in_progress")
_FINISHED = ("done", "cancelled")
#: History fields rebuilt besides the status: text columns a tracker records changes of.
_SKIP_FIELDS = {"status", "created", "archived", "task_id", "title", "description"}


def _as_export(data: Any) -> TaskExport:
    """An export of what the caller passed; a task table gets an empty history, as the diagnoses give it."""
    if isinstance(data, TaskExport):
        return data
    if not isinstance(data, pd.DataFrame):
        raise OptionError(f"state_at: got {type(data).__name__}; expected a TaskExport (wf.read_export) or a "
                          "canonical task table. Next step: read the file with wf.read_export first.")
    tasks = tasks_of(data, where="state_at")
    return TaskExport(tasks=tasks, events=empty_events(), raw=pd.DataFrame(index=tasks.index),
                      report=ImportReport(source="table", file="(a task table)", rows_read=len(tasks)))


def _value_then(moves: pd.DataFrame, task_ids: pd.Series, stamp: pd.Timestamp) -> tuple[pd.Series, np.ndarray]:
    """Each task's value at ``stamp`` from its recorded changes, and which tasks the history speaks for.

    The value is the ``new`` of the last change at or before ``stamp``; for a task whose changes all
    come later, the ``old`` of the first one (what it held until then).  ``moves`` is sorted by time.
    """
    earlier = moves[(moves["at"] <= stamp).to_numpy(dtype=bool)]
    later = moves[(moves["at"] > stamp).to_numpy(dtype=bool)]
    last_new = earlier.drop_duplicates("task_id", keep="last").set_index("task_id")["new"]
    first_old = later.drop_duplicates("task_id", keep="first").set_index("task_id")["old"]
    first_old = first_old[~first_old.index.isin(last_new.index)]
    value = pd.concat([last_new, first_old]).astype("string")
    value = value[value.notna() & (value.str.strip() != "")]
    known = task_ids.isin(value.index).to_numpy(dtype=bool)
    return task_ids.map(value).astype("string"), known


def _changes(events: pd.DataFrame, field: str) -> pd.DataFrame:
    moves = events[(events["field"] == field).fillna(False).to_numpy(dtype=bool) & events["at"].notna().to_numpy()]
    return moves.sort_values("at", kind="stable")


def _unchanged(export: TaskExport, stamp: pd.Timestamp) -> bool:
    """Nothing in the export happens after ``stamp``: winding back would give the same tables."""
    tasks, events = export.tasks, export.events
    for col in ("created", "updated", "started", "completed"):
        if col in tasks.columns and (tasks[col] > stamp).any():
            return False
    return not (len(events) and (events["at"] > stamp).any())


def state_at(export: Any, when: Any) -> TaskExport:
    """The export as it stood at ``when``: later tasks left out, statuses and dates wound back.

    See the module docstring for the rules.  Nothing is changed in place: the result holds new tables
    (or is ``export`` itself when nothing in it happens after ``when``).

    Parameters
    ----------
    export : TaskExport or pandas.DataFrame
        An export from :func:`workfw.read_export`, or a canonical task table (no history: every state
        then comes from the dates).
    when : timestamp-like
        The time to wind back to; a date without a zone is read as UTC.

    Returns
    -------
    TaskExport
        The wound-back export, sharing the import report's other fields, with one line added to its
        warnings that counts what was rebuilt.

    Raises
    ------
    OptionError
        When ``when`` is not a date, or ``export`` is neither an export nor a task table.

    Examples
    --------
    >>> import workfw as wf
    >>> export = wf.load_sample()
    >>> march = wf.change.state_at(export, "2026-03-31")
    >>> len(march.tasks) <= len(export.tasks)
    True
    """
    stamp = as_utc(when, name="when", caller="state_at")
    export = _as_export(export)
    if _unchanged(export, stamp):
        return export
    whole, history = export.tasks, export.events
    created = whole["created"]
    keep = ~(created > stamp).fillna(False).to_numpy(dtype=bool)
    tasks = whole[keep].reset_index(drop=True).copy()
    ids = tasks["task_id"]

    # Status: from the history where it speaks, else from the dates.  The moves and the table's own status
    # pairs are read once, for the status and for the time a finished task last moved into done.
    moves = _changes(history, "status") if len(history) else history
    known = known_categories(whole, history)
    status, from_history = _value_then(moves, ids, stamp) if len(moves) else (
        pd.Series(pd.NA, index=tasks.index, dtype="string"), np.zeros(len(tasks), dtype=bool))
    category = tasks["status_category"].astype("string")
    placed = status_categories(status, known) if from_history.any() else status
    started, completed = tasks["started"], tasks["completed"]
    finished_later = (category.isin(_FINISHED) & (completed > stamp)).fillna(False).to_numpy(dtype=bool)
    started_later = (category.eq("in_progress") & (started > stamp)).fillna(False).to_numpy(dtype=bool)
    by_dates = ~from_history & (finished_later | started_later)
    had_started = (started <= stamp).fillna(False).to_numpy(dtype=bool) & ~started_later
    new_category = category.copy()
    new_category[from_history] = placed[from_history]
    new_category[by_dates] = np.where(had_started[by_dates], "in_progress", "todo")
    new_status = tasks["status"].astype("string").copy()
    new_status[from_history] = status[from_history]
    new_status[by_dates] = pd.NA
    tasks["status"] = new_status.astype(whole["status"].dtype)
    tasks["status_category"] = new_category.astype(whole["status_category"].dtype)

    # Dates after the time had not happened yet; a task finished by then keeps its last move into done.
    is_finished = new_category.isin(_FINISHED).fillna(False).to_numpy(dtype=bool)
    into_done = _last_move_into(moves, ids, stamp, known)
    late_finish = (completed > stamp).fillna(False).to_numpy(dtype=bool)
    new_completed = completed.copy()
    new_completed[late_finish] = pd.NaT
    refill = late_finish & is_finished
    new_completed[refill] = into_done[refill]
    new_completed[~is_finished & (completed.notna().to_numpy())] = pd.NaT
    cleared = completed.notna().to_numpy() & new_completed.isna().to_numpy()
    tasks["completed"] = new_completed
    for col in ("resolution", "completed_basis"):
        if col in tasks.columns:
            tasks.loc[cleared, col] = pd.NA
    late_start = (started > stamp).fillna(False).to_numpy(dtype=bool)
    tasks.loc[late_start, "started"] = pd.NaT
    if "started_basis" in tasks.columns:
        tasks.loc[late_start, "started_basis"] = pd.NA

    kept_history = history[(history["at"] <= stamp).fillna(False).to_numpy(dtype=bool)].reset_index(drop=True) \
        if len(history) else history
    late_update = (tasks["updated"] > stamp).fillna(False).to_numpy(dtype=bool)
    if late_update.any():
        last_change = kept_history.groupby("task_id")["at"].max() if len(kept_history) else pd.Series(dtype=object)
        then = pd.to_datetime(ids.map(last_change), utc=True).astype(tasks["updated"].dtype)
        then = then.where(then.notna(), tasks["created"])
        tasks.loc[late_update, "updated"] = then[late_update]

    rebuilt_fields = _rebuild_fields(tasks, history, stamp)
    note = (f"Wound back to {stamp:%Y-%m-%d %H:%M} UTC (workfw.change.state_at): {int((~keep).sum())} tasks created "
            f"later left out; {int(from_history.sum())} statuses from the history, {int(by_dates.sum())} from the "
            "dates alone (status name unknown)"
            + (f"; {', '.join(rebuilt_fields)} rebuilt from the history" if rebuilt_fields else "")
            + ". Descriptions, labels, links and counts are as the export holds them today.")
    report = dataclasses.replace(export.report, warnings=[*export.report.warnings, note])
    return TaskExport(tasks=tasks, events=kept_history, raw=export.__dict__.get("_raw", pd.DataFrame()), report=report)


def _last_move_into(moves: pd.DataFrame, ids: pd.Series, stamp: pd.Timestamp, known: dict[str, str]) -> pd.Series:
    """Per task, the time of its last status move into a finished status at or before ``stamp`` (else NaT).

    ``moves`` are the status moves (:func:`_changes`), ``known`` the table's own status pairs.
    """
    out = pd.Series(pd.NaT, index=ids.index, dtype="datetime64[ns, UTC]")
    moves = moves[(moves["at"] <= stamp).to_numpy(dtype=bool)] if len(moves) else moves
    if not len(moves):
        return out
    finishing = status_categories(moves["new"], known).isin(_FINISHED).fillna(False)
    last = moves[finishing.to_numpy(dtype=bool)].groupby("task_id")["at"].max()
    return pd.to_datetime(ids.map(last), utc=True).astype(out.dtype)


def _rebuild_fields(tasks: pd.DataFrame, history: pd.DataFrame, stamp: pd.Timestamp) -> list[str]:
    """Wind back each text field the history records (in place on the new table); return their names."""
    if not len(history):
        return []
    fields = [f for f in pd.unique(history["field"].dropna().astype(str))
              if f not in _SKIP_FIELDS and f in TEXT_COLUMNS and f in tasks.columns]
    done = []
    for field in fields:
        value, known = _value_then(_changes(history, field), tasks["task_id"], stamp)
        changed = known & (value.ne(tasks[field].astype("string")).fillna(True).to_numpy(dtype=bool))
        if not changed.any():
            continue
        column = tasks[field].astype("string").copy()
        column[changed] = value[changed]
        tasks[field] = column.astype(tasks[field].dtype)
        if field == "assignee" and "assignees" in tasks.columns:
            lists = tasks["assignees"].to_numpy(dtype=object, copy=True)
            for row, name in zip(np.flatnonzero(changed), value[changed].tolist()):
                lists[row] = [name] if isinstance(name, str) else []
            tasks["assignees"] = pd.Series(lists, index=tasks.index, dtype=object)
        done.append(field)
    return done

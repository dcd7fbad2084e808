"""Reader for Linear CSV exports (``source="linear-csv"``).

Linear's CSV (Settings → Import/Export → Export CSV, or a view's menu) comes
in a 30-column layout ending in ``Roadmaps`` and a newer 34-column layout
ending in ``UUID, Time in status (minutes), Related to, Blocked by,
Duplicate of``.  Rows one field short (``Roadmaps`` missing) are padded by
the shared CSV reader, which warns.  Choices this reader makes:

* **Status category** is not in the file, so it is inferred from which
  lifecycle column is filled: ``Canceled`` → cancelled, else ``Completed`` →
  done, else ``Started`` → in_progress, else todo.  It counts as stated by
  the export, so it beats status-name keywords but a ``status_map`` the user
  passes still wins.  A file without any of those columns falls back to the
  status names.
* **Timestamps**: ``Started`` → ``started`` and ``Completed`` → ``completed``
  (basis ``exact``).  A cancelled issue has no ``completed``; its
  ``Canceled`` time stays in ``raw``.  Dates may be ISO or JavaScript
  ``Date.toString()`` text; both carry their zone, so ``tz`` does not move them.
* ``Cycle Name`` (or ``Cycle <Cycle Number>`` when the cycle has no name) is
  the ``iteration``; ``Priority`` ``No priority`` is empty; ``Creator`` is the
  ``reporter``; the ``'`` Linear puts before text starting with ``= + - @``
  (or a tab or carriage return) is removed.
* ``Duplicate of`` (newer exports) gives ``resolution = "duplicate"``.
* **Projects as parents**: Linear's CSV has no row for a project, yet the
  project is the goal its issues serve.  Every issue with a ``Project`` and
  no ``Parent issue`` gets ``parent_id = "project:<name>"`` (sub-issues reach
  the project through their parent), so the Work Value Pyramid sees the
  link.  One task row per project is added (``Assembly.synthetic``):
  ``task_type`` ``"Project"``, the name as title, no status and a
  ``status_category`` derived from its issues (all cancelled: cancelled;
  all done or cancelled: done; any started: in progress; else to do), no
  dates.  Those rows come from no row of the file,
  and the report's warnings say how many there are.
"""
from __future__ import annotations

import pandas as pd

from workfw.io._build import Assembly, assemble
from workfw.io._common import as_lists, split_values, strip_formula_guard, to_number
from workfw.io._dates import DateParser
from workfw.io._registry import ExportFormat, ReadOptions, register
from workfw.io._status import apply_status_map
from workfw.io._text import CsvTable

__all__ = ["read_linear_csv", "sniff_linear_csv", "PROJECT_PREFIX"]

#: Prefix of the parent id that stands for a Linear project (``project:<name>``).
PROJECT_PREFIX = "project:"

_LIFECYCLE = (("Canceled", "cancelled"), ("Completed", "done"), ("Started", "in_progress"))

#: Linear's default workflow state names.
_DEFAULT_STATUS_MAP = {
    "triage": "todo", "backlog": "todo", "todo": "todo", "in progress": "in_progress",
    "in review": "in_progress", "done": "done", "canceled": "cancelled", "duplicate": "cancelled",
}

_FIELD_MAP = {
    "ID": "task_id", "Team": "team", "Title": "title", "Description": "description", "Status": "status",
    "Estimate": "estimate", "Priority": "priority", "Project": "project", "Creator": "reporter",
    "Assignee": "assignee, assignees", "Labels": "labels", "Cycle Number": "iteration (when Cycle Name is empty)",
    "Cycle Name": "iteration", "Created": "created", "Updated": "updated",
    "Started": "started; status_category in_progress when set",
    "Completed": "completed; status_category done when set",
    "Canceled": "status_category cancelled when set (time kept in raw)", "Due Date": "due",
    "Parent issue": "parent_id (else 'project:<Project>')", "Blocked by": "blocked_by",
    "Duplicate of": "resolution 'duplicate' when set (the original's id kept in raw)",
}


#: Columns only a Linear export writes: a file with ``ID``, ``Status`` or ``Title``, and two of these is one, even
#: with other columns taken out (a trimmed export still reads; what it lacks is not measurable).
_MARKS = ("Triaged", "Canceled", "Cycle Number", "Cycle Name", "Cycle Start", "Cycle End", "Project Milestone",
          "Project Milestone ID", "SLA Status", "Parent issue", "Initiatives", "Roadmaps", "Archived", "Project ID")


def sniff_linear_csv(headers: list[str]) -> bool:
    """Return True for a Linear CSV header: ``ID``, ``Status`` or ``Title``, and two columns only Linear writes."""
    names = {h.strip() for h in headers}
    return "ID" in names and ("Status" in names or "Title" in names) and sum(m in names for m in _MARKS) >= 2


def _column(table: CsvTable, header: str) -> str | None:
    found = table.columns_named(header)
    return found[0] if found else None


def _text(table: CsvTable, header: str) -> pd.Series:
    column = _column(table, header)
    if column is None:
        return pd.Series(pd.NA, index=table.frame.index, dtype="string")
    values = strip_formula_guard(table.frame[column]).str.strip()
    return values.mask(values == "")


def _stated_category(table: CsvTable) -> pd.Series:
    stated = pd.Series(pd.NA, index=table.frame.index, dtype=object)
    present = [(h, cat) for h, cat in _LIFECYCLE if _column(table, h)]
    if not present:
        return stated
    # Fill from the weakest signal to the strongest so the strongest wins.
    stated[:] = "todo"
    for header, category in reversed(present):
        stated[_text(table, header).notna().to_numpy()] = category
    return stated


def read_linear_csv(table: CsvTable, *, file: str, options: ReadOptions) -> "TaskExport":  # noqa: F821
    """Read a Linear CSV export into a :class:`~workfw.export.TaskExport`.

    Parameters
    ----------
    table : CsvTable
        The file read as text.
    file : str
        File name for messages.
    options : ReadOptions
        Common options (``tz`` only affects dates written without a zone).

    Returns
    -------
    TaskExport
    """
    raw = table.frame
    warnings = list(table.warnings)
    mapped = pd.DataFrame(index=raw.index)
    for fld, header in (("task_id", "ID"), ("team", "Team"), ("title", "Title"), ("description", "Description"),
                        ("status", "Status"), ("project", "Project"), ("reporter", "Creator"),
                        ("assignee", "Assignee"), ("parent_id", "Parent issue")):
        mapped[fld] = _text(table, header)
    mapped["assignees"] = as_lists(mapped["assignee"])
    mapped["labels"] = split_values(_text(table, "Labels"), ",")
    mapped["blocked_by"] = split_values(_text(table, "Blocked by"), ",")
    # Linear states a duplicate only through this link (its "Duplicate" status can be renamed).
    duplicate = _text(table, "Duplicate of")
    mapped["resolution"] = pd.Series("duplicate", index=raw.index, dtype="string").where(duplicate.notna())
    priority = _text(table, "Priority")
    mapped["priority"] = priority.mask(priority.str.casefold() == "no priority")
    cycle_number = _text(table, "Cycle Number")
    mapped["iteration"] = _text(table, "Cycle Name").fillna("Cycle " + cycle_number)
    estimate = _column(table, "Estimate")
    if estimate:
        mapped["estimate"] = to_number(raw[estimate], column=estimate, warnings=warnings)

    dates = DateParser(file=file, tz=options.tz, date_order=options.date_order, warnings=warnings)
    date_fields = {"created": "Created", "updated": "Updated", "started": "Started", "completed": "Completed",
                   "due": "Due Date"}
    present = {fld: _column(table, h) for fld, h in date_fields.items() if _column(table, h)}
    dates.learn_order(*(raw[c] for c in present.values()))
    for fld, column in present.items():
        mapped[fld] = dates.parse(raw[column], column=column, rows=raw["_row"])

    mapped["status_category"] = _stated_category(table)
    if "completed" in mapped:
        # A cancelled issue was not delivered, so it gets no completion time.
        mapped["completed"] = mapped["completed"].mask(mapped["status_category"] == "cancelled")
    for fld in ("started", "completed"):
        if fld in mapped:
            mapped[f"{fld}_basis"] = pd.Series("exact", index=raw.index, dtype="string").where(mapped[fld].notna())

    category, _ = apply_status_map(mapped["status"], mapped["status_category"], default_map=_DEFAULT_STATUS_MAP,
                                   user_map=options.status_map, warnings=[])
    projects = _project_rows(mapped, category)
    under_project = mapped["project"].notna() & mapped["parent_id"].isna()
    mapped["parent_id"] = mapped["parent_id"].fillna(PROJECT_PREFIX + mapped["project"].where(under_project))
    if len(projects):
        warnings.append(f"Linear exports no project rows. Issues with a Project and no Parent issue: "
                        f"{int(under_project.sum())}; their parent_id is 'project:<name>' for {len(projects)} "
                        "projects; each is added as a task row of type 'Project' that is no row of the file "
                        "(rows_read does not count it; report.synthetic does).")

    field_map = {c: _FIELD_MAP[h] for h in _FIELD_MAP if (c := _column(table, h))}
    assembly = Assembly(raw=raw, mapped=mapped, source="linear-csv", file=file, field_map=field_map,
                        default_status_map=_DEFAULT_STATUS_MAP, warnings=warnings, synthetic=projects)
    return assemble(assembly, status_map=options.status_map, team=options.team)


def _project_rows(mapped: pd.DataFrame, category: pd.Series) -> pd.DataFrame:
    """One canonical task row per project named in ``mapped`` (ids ``project:<name>``), in first-seen order.

    ``category`` is each issue's final status category; a project's is
    derived from its issues (all cancelled: cancelled; all done or
    cancelled: done; any started or done: in progress; none with a
    category: NA; otherwise to do).
    Its team is the issues' team when they share one.
    """
    issues = mapped.assign(_category=category.astype("string"))
    if "_reject" in issues:
        issues = issues.loc[issues["_reject"].isna()]
    issues = issues.loc[issues["project"].notna()]
    rows = []
    for name, group in issues.groupby("project", sort=False):
        cats = set(group["_category"].dropna())
        if not cats:
            derived = pd.NA  # no issue of the project has a status: neither is the project open nor done
        elif cats <= {"cancelled"}:
            derived = "cancelled"
        elif cats and cats <= {"done", "cancelled"}:
            derived = "done"
        elif cats & {"in_progress", "done"}:
            derived = "in_progress"
        else:
            derived = "todo"
        teams = group["team"].dropna().unique() if "team" in group else []
        rows.append({"task_id": PROJECT_PREFIX + name, "title": name, "task_type": "Project", "status": pd.NA,
                     "status_category": derived, "project": name, "team": teams[0] if len(teams) == 1 else pd.NA,
                     "assignees": [], "labels": [], "blocked_by": []})
    return pd.DataFrame(rows, columns=["task_id", "title", "task_type", "status", "status_category", "project",
                                       "team", "assignees", "labels", "blocked_by"])


register(ExportFormat(
    name="linear-csv", label="Linear CSV (workspace, team or view export)", kind="csv",
    sniff=sniff_linear_csv, read=read_linear_csv,
    how_to_export="Linear: Settings, Import/Export, Export CSV (or a view's menu, Export CSV)",
))

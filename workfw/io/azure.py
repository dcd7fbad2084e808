"""Reader for Azure DevOps Boards query CSV exports (``source="azure-devops-csv"``).

The file is whatever columns the query shows (Boards → Queries → Export to
CSV): at least ``ID, Work Item Type, Title`` (or ``Title 1, Title 2…`` for a
tree query).  Choices this reader makes:

* **Identities** ``Last, First <email>`` become ``First Last``; the email is
  kept in ``raw`` only.
* **Dates** are local time with no zone (``2/12/2026 11:04:23 AM``): pass
  ``tz=`` for the zone of the exporting user's profile and ``date_order=``
  when no value decides day-first or month-first (otherwise month-first,
  with a warning).
* **Team and project**: ``Area Path`` ``Project\\Team`` gives ``project``
  (first segment, unless a ``Team Project`` column says otherwise) and
  ``team`` (last segment; none when the path is only the project).
  ``iteration`` is the full ``Iteration Path``.
* **Status** is ``State``.  Defaults: New/Proposed/Approved/To Do → todo;
  Active/Committed/In Progress/Doing → in_progress; Closed/Done/Completed →
  done; Removed → cancelled.  ``Resolved`` is **in_progress**: ADO puts it in
  its own *Resolved* category (fixed but not yet verified; the item is still
  on the board).  Pass ``status_map={"Resolved": "done"}`` to count it done.
* **Timestamps**: ``started`` = ``Activated Date``; ``completed`` =
  ``Closed Date``, else ``Resolved Date``, for tasks whose category is done
  (both ``exact``).
* **Description** is HTML in ADO; it becomes plain text (block elements
  as line breaks, entities decoded); ``raw`` keeps the HTML.
* **Hierarchy**: a ``Parent`` id column, or in a tree query the nearest
  earlier row one ``Title N`` level up.
"""
from __future__ import annotations

import re

import pandas as pd

from workfw.io._build import Assembly, assemble
from workfw.io._common import as_lists, map_text, split_values, to_number
from workfw.io._html import html_to_text
from workfw.io._dates import DateParser
from workfw.io._registry import ExportFormat, ReadOptions, register
from workfw.io._status import apply_status_map
from workfw.io._text import CsvTable

__all__ = ["read_azure_devops_csv", "sniff_azure_devops_csv", "display_name"]

_TREE_TITLE = re.compile(r"^Title (\d+)$")
_EMAIL = re.compile(r"\s*<([^<>]*)>\s*$")

_DEFAULT_STATUS_MAP = {
    "new": "todo", "proposed": "todo", "approved": "todo", "to do": "todo", "design": "todo",
    "active": "in_progress", "committed": "in_progress", "in progress": "in_progress", "doing": "in_progress",
    "resolved": "in_progress",
    "closed": "done", "done": "done", "completed": "done",
    "removed": "cancelled",
}

_FIELD_MAP = {
    "ID": "task_id", "Work Item Type": "task_type", "Title": "title", "Assigned To": "assignee, assignees",
    "State": "status", "Tags": "labels", "Created By": "reporter", "Created Date": "created",
    "Changed Date": "updated", "Activated Date": "started", "Resolved Date": "completed (when not closed)",
    "Closed Date": "completed", "Area Path": "team (last segment), project (first segment)",
    "Team Project": "project", "Iteration Path": "iteration", "Story Points": "estimate", "Effort": "estimate",
    "Size": "estimate", "Parent": "parent_id", "Description": "description (HTML turned into plain text)", "Priority": "priority",
    "Reason": "resolution (done and cancelled items)", "Due Date": "due", "Target Date": "due (when Due Date is empty)",
    "State Change Date": "(last state change; kept in raw)", "Board Column": "(board column; kept in raw)",
}


def sniff_azure_devops_csv(headers: list[str]) -> bool:
    """Return True for an Azure DevOps query export (``ID``, ``Work Item Type`` and a title column)."""
    names = {h.strip() for h in headers}
    return "ID" in names and "Work Item Type" in names and (
        "Title" in names or any(_TREE_TITLE.match(n) for n in names))


def display_name(identity: object) -> object:
    """Return the person's name in an ADO identity such as ``"Doe, Jane <jane@x.com>"`` (``"Jane Doe"``).

    Parameters
    ----------
    identity : str or NA
        The cell text.

    Returns
    -------
    str or NA
        ``First Last``; the email alone when there is no name; NA for empty cells.
    """
    if identity is None or pd.isna(identity) or not str(identity).strip():
        return pd.NA
    text = str(identity).strip()
    email = _EMAIL.search(text)
    name = text[:email.start()].strip() if email else text
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and all(parts):
        name = f"{parts[1]} {parts[0]}"
    return name or (email.group(1).strip() if email else pd.NA) or pd.NA


def _column(table: CsvTable, header: str) -> str | None:
    found = table.columns_named(header)
    return found[0] if found else None


def _text(table: CsvTable, header: str) -> pd.Series:
    column = _column(table, header)
    if column is None:
        return pd.Series(pd.NA, index=table.frame.index, dtype="string")
    values = table.frame[column].astype("string").str.strip()
    return values.mask(values == "")


def _people(values: pd.Series) -> pd.Series:
    return map_text(values, display_name)


def _tree(table: CsvTable, ids: pd.Series) -> tuple[pd.Series, pd.Series, list[str]]:
    """Title and parent id of each row of a tree query (``Title 1``, ``Title 2``...)."""
    levels = sorted((int(m.group(1)), h) for h in table.headers if (m := _TREE_TITLE.match(h.strip())))
    columns = [(level, _column(table, h)) for level, h in levels]
    n = len(ids)
    titles: list[str | None] = [None] * n
    parents: list[str | None] = [None] * n
    if columns:
        # Plain lists, read by position: a lookup per cell in pandas costs more than the walk itself.
        cells = [(lvl, table.frame[col].astype(object).where(table.frame[col].notna(), None).tolist())
                 for lvl, col in columns]
        id_list = ids.astype(object).where(ids.notna(), None).tolist()
        last_at: dict[int, str] = {}
        for pos in range(n):
            level = None
            for lvl, column in cells:
                cell = column[pos]
                if cell is not None and str(cell).strip():
                    level, titles[pos] = lvl, str(cell).strip()
                    break
            if level is None or id_list[pos] is None:
                continue
            if level - 1 in last_at:
                parents[pos] = last_at[level - 1]
            last_at[level] = id_list[pos]
            for deeper in [k for k in last_at if k > level]:
                del last_at[deeper]  # a new branch starts here
    return (pd.Series(titles, index=ids.index, dtype="string"), pd.Series(parents, index=ids.index, dtype="string"),
            [c for _, c in columns])


def _path_segments(path: str) -> list[str]:
    return [s.strip() for s in path.split("\\") if s.strip()]


def _area_team(path: str) -> str | None:
    """The team an area path names: its last segment below the project (``Project\\Team``)."""
    parts = _path_segments(path)
    return parts[-1] if len(parts) > 1 else None


def _area_project(path: str) -> str | None:
    parts = _path_segments(path)
    return parts[0] if parts else None


#: The status map rule of a state placed by the dates its work items carry.
DATE_EVIDENCE_RULE = "dates of its items (a guess to confirm)"


def _date_guesses(status: pd.Series, category: pd.Series, started: pd.Series, finished: pd.Series,
                  warnings: list[str]) -> dict[str, tuple[str, str]]:
    """Place states no rule places by their items' dates: mostly closed is done, mostly activated in progress.

    A workflow's columns run from new to closed, and ADO stamps ``Activated
    Date`` and ``Closed Date`` as items move along them; with neither column
    in the export there is no evidence and the state stays unplaced.
    """
    if started.isna().all() and finished.isna().all():
        return {}
    unplaced = category.isna() & status.notna()
    if not unplaced.any():
        return {}
    facts = pd.DataFrame({"status": status[unplaced], "closed": finished[unplaced].notna(),
                          "active": started[unplaced].notna()}).groupby("status")[["closed", "active"]].mean()
    guesses = {name: ("done" if row.closed > 0.5 else "in_progress" if row.active > 0.5 else "todo",
                      DATE_EVIDENCE_RULE) for name, row in facts.iterrows()}
    warnings.append(f"States {sorted(guesses)} have names no rule places, so their category is guessed from their "
                    "items' Activated and Closed dates: "
                    f"{', '.join(f'{n} -> {c}' for n, (c, _) in sorted(guesses.items()))}. Confirm or correct "
                    "them with status_map={...} (the status map editor lists them).")
    return guesses


def read_azure_devops_csv(table: CsvTable, *, file: str, options: ReadOptions) -> "TaskExport":  # noqa: F821
    """Read an Azure DevOps Boards query export into a :class:`~workfw.export.TaskExport`.

    Parameters
    ----------
    table : CsvTable
        The file read as text.
    file : str
        File name for messages.
    options : ReadOptions
        Common options; ``tz`` and ``date_order`` matter most here.

    Returns
    -------
    TaskExport
    """
    raw = table.frame
    warnings = list(table.warnings)
    field_map = {c: _FIELD_MAP[h] for h in _FIELD_MAP if (c := _column(table, h))}
    mapped = pd.DataFrame(index=raw.index)
    mapped["task_id"] = _text(table, "ID")
    mapped["task_type"] = _text(table, "Work Item Type")
    mapped["status"] = _text(table, "State")
    # ADO stores rich text as HTML; word counts and previews need the words, not the tags.
    mapped["description"] = html_to_text(_text(table, "Description"))
    mapped["priority"] = _text(table, "Priority")
    mapped["iteration"] = _text(table, "Iteration Path")
    mapped["assignee"] = _people(_text(table, "Assigned To"))
    mapped["assignees"] = as_lists(mapped["assignee"])
    mapped["reporter"] = _people(_text(table, "Created By"))
    mapped["labels"] = split_values(_text(table, "Tags"), ";")

    area = _text(table, "Area Path")
    mapped["team"] = map_text(area, _area_team)
    mapped["project"] = _text(table, "Team Project").fillna(map_text(area, _area_project))

    tree_titles, tree_parents, tree_columns = _tree(table, mapped["task_id"])
    for col in tree_columns:
        field_map[col] = "title; parent_id from the level above"
    mapped["title"] = _text(table, "Title").fillna(tree_titles)
    mapped["parent_id"] = _text(table, "Parent").fillna(tree_parents)

    estimate = next((c for h in ("Story Points", "Effort", "Size") if (c := _column(table, h))), None)
    if estimate:
        mapped["estimate"] = to_number(raw[estimate], column=estimate, warnings=warnings)

    dates = DateParser(file=file, tz=options.tz, date_order=options.date_order, warnings=warnings)
    headers = ("Created Date", "Changed Date", "Activated Date", "Resolved Date", "Closed Date",
               "State Change Date", "Due Date", "Target Date")
    present = {h: c for h in headers if (c := _column(table, h))}
    read = dates.parse_columns({c: raw[c] for c in present.values()}, rows=raw["_row"])
    parsed = {h: read[c] for h, c in present.items()}
    nat = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
    mapped["created"] = parsed.get("Created Date", nat)
    mapped["updated"] = parsed.get("Changed Date", nat)
    mapped["started"] = parsed.get("Activated Date", nat)
    mapped["due"] = parsed.get("Due Date", nat).fillna(parsed.get("Target Date", nat))
    # Placed the way assemble will place it, so completion times go to done tasks only.
    finished = parsed.get("Closed Date", nat).fillna(parsed.get("Resolved Date", nat))
    category, _ = apply_status_map(mapped["status"], None, default_map=_DEFAULT_STATUS_MAP,
                                   user_map=options.status_map, warnings=[])
    guesses = _date_guesses(mapped["status"], category, mapped["started"], finished, warnings)
    if guesses:
        category, _ = apply_status_map(mapped["status"], None, default_map=_DEFAULT_STATUS_MAP,
                                       user_map=options.status_map, warnings=[], guesses=guesses)
    mapped["completed"] = finished.where(category == "done")
    # Reason is why the state last changed; only for finished items is it a resolution.
    mapped["resolution"] = _text(table, "Reason").where(category.isin(["done", "cancelled"]))
    for fld in ("started", "completed"):
        mapped[f"{fld}_basis"] = pd.Series("exact", index=raw.index, dtype="string").where(mapped[fld].notna())

    assembly = Assembly(raw=raw, mapped=mapped, source="azure-devops-csv", file=file, field_map=field_map,
                        default_status_map=_DEFAULT_STATUS_MAP, warnings=warnings, status_guesses=guesses)
    return assemble(assembly, status_map=options.status_map, team=options.team)


register(ExportFormat(
    name="azure-devops-csv", label="Azure DevOps Boards query (CSV)", kind="csv",
    sniff=sniff_azure_devops_csv, read=read_azure_devops_csv,
    how_to_export="Azure DevOps: Boards, Queries, run the query, the ... menu, Export to CSV (add Activated, "
                  "Resolved and Closed Date, Area Path, Iteration Path and Parent in Column options first)",
))

"""Reader for Asana CSV exports (``source="asana-csv"``).

Asana's CSV (project or search results → Export/Print → CSV) has one row per
task, subtasks included.  Choices this reader makes:

* **Status** is the board column ``Section/Column``.  Where a row has no
  section (subtasks, search results) a custom field named ``Status`` fills
  in.  Pass ``status_column="Status"`` (or any other column) to use that
  column instead.  The only state Asana itself states is complete/incomplete:
  a task with ``Completed At`` is ``done`` (stated, so it beats the section
  name), an open task with no status is ``todo``; other open tasks are placed
  by their section name (tracker defaults, then keywords).
* **Timestamps**: ``Completed At`` is ``completed`` (basis ``exact``).  Asana
  records no start, so ``started`` stays empty; ``Start Date`` is a planned
  date and is kept in ``raw`` only.  Native dates are date-only.
* **Projects**: a task may list several; the first is ``project`` and the
  full list stays in ``raw``.  There is no team in the file (``team=`` fills it).
* **Parent task** holds the parent's *name*.  It is resolved to the task id
  of the task with that name, within the child's projects when they share
  one.  Ambiguous names and parents missing from the file leave
  ``parent_id`` empty with a warning.  ``Blocked By (Dependencies)`` entries
  that name or id a task of the file become its id; others stay as text.
* **Excel damage** (ids such as ``7.18656E+14``) is handled by the shared
  assembler, which names those tasks ``row-N``; parent and dependency links
  are resolved to the same ``row-N`` ids.
"""
from __future__ import annotations

import pandas as pd
import pyarrow.compute as pc

from workfw.errors import OptionError
from workfw.io._build import Assembly, assemble, final_task_ids
from workfw.io._common import as_lists, first_items, split_values, to_number
from workfw.io._dates import DateParser
from workfw.io._registry import ExportFormat, ReadOptions, register
from workfw.io._text import CsvTable

__all__ = ["read_asana_csv", "sniff_asana_csv"]

_ESTIMATE_FIELDS = ("Estimated time", "Estimate", "Story Points", "Points")

#: Asana's own section names and common board columns.
_DEFAULT_STATUS_MAP = {
    "untitled section": "todo", "to do": "todo", "todo": "todo", "backlog": "todo", "not started": "todo",
    "doing": "in_progress", "in progress": "in_progress", "in review": "in_progress",
    "done": "done", "complete": "done", "completed": "done",
}


#: Columns an Asana export writes beside ``Task ID``: three of them (one ``Section/Column`` or ``Projects``) make
#: one, even with others taken out.
_MARKS = ("Name", "Created At", "Completed At", "Last Modified", "Section/Column", "Projects", "Parent task",
          "Assignee Email", "Blocked By (Dependencies)", "Blocking (Dependencies)")


def sniff_asana_csv(headers: list[str]) -> bool:
    """Return True for an Asana CSV header: ``Task ID`` with ``Section/Column`` or ``Projects`` and two more of its columns."""
    names = {h.strip() for h in headers}
    return ("Task ID" in names and ("Projects" in names or "Section/Column" in names)
            and sum(m in names for m in _MARKS) >= 3)


def _column(table: CsvTable, *headers: str) -> str | None:
    for header in headers:
        found = table.columns_named(header)
        if found:
            return found[0]
    return None


def _values(table: CsvTable, column: str | None) -> pd.Series:
    if column is None:
        return pd.Series(pd.NA, index=table.frame.index, dtype="string")
    return table.frame[column].astype("string").str.strip().replace("", pd.NA)


class _Resolver:
    """Find the task a name (or id) in a link column refers to.

    Worked on plain lists by row position, and each (name, child's projects) answered once: an
    export of a few hundred thousand tasks has many children naming the same parent, and looking
    rows up one by one in pandas made a 20,000-row file take ten seconds.
    """

    def __init__(self, final: pd.Series, titles: pd.Series, projects: pd.Series, rows: pd.Series) -> None:
        self._final = final.astype(object).where(final.notna(), None).tolist()
        # Each row's projects as one code (rows listing the same projects share it); the projects themselves
        # are read only for the rows a lookup compares.
        self._project_lists = projects
        # projects is split_values' Arrow list column: joined in pyarrow, never walked row by row.
        joined = pc.binary_join(projects.array._pa_array, "\x1f")
        self._project_code = pd.factorize(pd.Series(joined.to_pandas(), index=projects.index))[0].tolist()
        self._project_memo: dict[int, tuple[str, ...]] = {}
        self._rows = [int(r) for r in rows.tolist()]
        # Damaged ids (7.18656E+14) name no single task, so only real and row-N ids are looked up.
        self._by_id = {f for f in self._final if f is not None}
        self._titles = titles.astype(object).where(titles.notna(), None).tolist()
        self._by_name: dict[str, list[int]] = {}
        for pos, title in enumerate(self._titles):
            if title is not None:
                self._by_name.setdefault(title, []).append(pos)
        self._answers: dict[tuple[str, tuple[str, ...]], tuple[list[str], list[int]]] = {}

    def by_id(self, text: str) -> str | None:
        return text if text in self._by_id else None

    def by_name(self, name: str, *, child: int) -> tuple[list[str], list[int]]:
        """The distinct task ids named ``name`` (narrowed to the child's projects) and their rows.

        ``child`` is the row position of the task that names it, never a candidate itself.
        """
        held = self._by_name.get(name, [])
        if self._titles[child] == name:  # a task naming itself (rare): answered on its own
            return self._answer([i for i in held if i != child], child)
        key = (name, self._project_code[child])
        if key not in self._answers:
            self._answers[key] = self._answer(held, child)
        return self._answers[key]

    def _projects(self, pos: int) -> tuple[str, ...]:
        # Rows listing the same projects share a code: each list is read from the column once.
        code = self._project_code[pos]
        if code not in self._project_memo:
            cell = self._project_lists.iat[pos]
            self._project_memo[code] = tuple(cell) if isinstance(cell, list) else ()
        return self._project_memo[code]

    def _answer(self, candidates: list[int], child: int) -> tuple[list[str], list[int]]:
        own = self._projects(child)
        if own and len(candidates) > 1:
            mine = set(own)
            shared = [i for i in candidates if mine.intersection(self._projects(i))]
            candidates = shared or candidates
        ids = list(dict.fromkeys(self._final[i] for i in candidates))
        return ids, [self._rows[i] for i in candidates]


def _row_list(rows: list[int]) -> str:
    """Row numbers for a message: the first ten, and how many more."""
    shown = ", ".join(map(str, rows[:10]))
    return shown if len(rows) <= 10 else f"{shown} and {len(rows) - 10} more"


def _resolve_parents(names: pd.Series, resolver: _Resolver, rows: pd.Series, column: str,
                     warnings: list[str]) -> pd.Series:
    out: list[str | None] = [None] * len(names)
    ambiguous: list[str] = []
    missing: list[str] = []
    row_numbers = rows.tolist()
    for pos, name in enumerate(names.astype(object).where(names.notna(), None).tolist()):
        if name is None:
            continue
        direct = resolver.by_id(name)
        if direct is not None:
            out[pos] = direct
            continue
        ids, cand_rows = resolver.by_name(name, child=pos)
        if len(ids) == 1:
            out[pos] = ids[0]
        elif ids:
            ambiguous.append(f"row {int(row_numbers[pos])} names {name!r}, held by rows {_row_list(cand_rows)}")
        else:
            missing.append(f"row {int(row_numbers[pos])}: {name!r}")
    if ambiguous:
        warnings.append(f"Column {column!r}: {len(ambiguous)} rows name a parent task that several tasks share "
                        f"({'; '.join(ambiguous[:5])}); their parent_id was left empty. Give those tasks unique "
                        "names in Asana and export again.")
    if missing:
        warnings.append(f"Column {column!r}: {len(missing)} rows name a parent task that is not in this file "
                        f"(e.g. {missing[0]}); their parent_id was left empty and the name is kept in raw. "
                        "Export the parent's project as well if the hierarchy matters.")
    return pd.Series(out, index=names.index, dtype="string")


def _resolve_dependencies(cells: pd.Series, resolver: _Resolver) -> pd.Series:
    def one(pos: int, text: str) -> str:
        direct = resolver.by_id(text)
        if direct is not None:
            return direct
        ids, _ = resolver.by_name(text, child=pos)
        # An ambiguous name stays as text: a guess would invent a blocker.
        return ids[0] if len(ids) == 1 else text

    out = []
    for pos, cell in enumerate(cells.astype(object).where(cells.notna(), None).tolist()):
        if cell is None:
            out.append([])
            continue
        whole = one(pos, cell)
        if whole != cell:  # the whole cell is one task, even if its name has commas
            out.append([whole])
            continue
        parts = [p.strip() for p in cell.split(",") if p.strip()]
        out.append(list(dict.fromkeys(one(pos, p) for p in parts)))
    return pd.Series(out, index=cells.index, dtype=object)


def _status(table: CsvTable, options: ReadOptions, file: str, field_map: dict[str, str]) -> pd.Series:
    chosen = options.get("status_column")
    if chosen is not None:
        column = _column(table, str(chosen))
        if column is None:
            raise OptionError(f"{file}: status_column={chosen!r} is not a column of this file; expected one of "
                              f"{table.headers}. Next step: pass the exact column name, or leave status_column "
                              "unset to use 'Section/Column'.")
        field_map[column] = "status"
        return _values(table, column)
    section, custom = _column(table, "Section/Column"), _column(table, "Status")
    if section:
        field_map[section] = "status"
    if custom:
        field_map[custom] = "status (where Section/Column is empty)" if section else "status"
    return _values(table, section).fillna(_values(table, custom))


def read_asana_csv(table: CsvTable, *, file: str, options: ReadOptions) -> "TaskExport":  # noqa: F821
    """Read an Asana CSV export into a :class:`~workfw.export.TaskExport`.

    Parameters
    ----------
    table : CsvTable
        The file read as text (preamble rows of Google-Sheets exports skipped).
    file : str
        File name for messages.
    options : ReadOptions
        Common options, plus ``status_column`` (the column holding the status;
        default ``Section/Column`` with the custom field ``Status`` as fallback).

    Returns
    -------
    TaskExport
    """
    raw = table.frame
    warnings = list(table.warnings)
    field_map: dict[str, str] = {}
    col = {name: _column(table, name) for name in (
        "Task ID", "Name", "Notes", "Assignee", "Assignee Email", "Created At", "Last Modified", "Completed At",
        "Due Date", "Start Date", "Tags", "Projects", "Parent task", "Blocked By (Dependencies)",
        "Blocking (Dependencies)", "Priority", "Type")}
    estimate_col = _column(table, *_ESTIMATE_FIELDS)
    notes = {"Task ID": "task_id", "Name": "title", "Notes": "description", "Assignee": "assignee, assignees",
             "Assignee Email": "(assignee's email; kept in raw)", "Created At": "created",
             "Last Modified": "updated", "Completed At": "completed; status_category done when set",
             "Due Date": "due", "Start Date": "(planned start; kept in raw, not used as started)",
             "Tags": "labels", "Projects": "project (the first; all are kept in raw)",
             "Parent task": "parent_id (name resolved to a task id)",
             "Blocked By (Dependencies)": "blocked_by", "Blocking (Dependencies)": "(kept in raw)",
             "Priority": "priority", "Type": "task_type"}
    field_map.update({col[k]: v for k, v in notes.items() if col[k]})
    if estimate_col:
        field_map[estimate_col] = "estimate"

    mapped = pd.DataFrame(index=raw.index)
    ids = _values(table, col["Task ID"])
    titles = _values(table, col["Name"])
    mapped["task_id"] = ids
    mapped["title"] = titles
    mapped["description"] = _values(table, col["Notes"])
    mapped["task_type"] = _values(table, col["Type"])
    mapped["priority"] = _values(table, col["Priority"])
    mapped["assignee"] = _values(table, col["Assignee"])
    mapped["assignees"] = as_lists(mapped["assignee"])
    mapped["labels"] = split_values(_values(table, col["Tags"]), ",")
    projects = split_values(_values(table, col["Projects"]), ",")
    mapped["project"] = first_items(projects)
    if estimate_col:
        mapped["estimate"] = to_number(raw[estimate_col], column=estimate_col, warnings=warnings)

    dates = DateParser(file=file, tz=options.tz, date_order=options.date_order, warnings=warnings)
    date_fields = {"created": "Created At", "updated": "Last Modified", "completed": "Completed At",
                   "due": "Due Date", "_planned_start": "Start Date"}
    dates.learn_order(*(raw[col[h]] for h in date_fields.values() if col[h]))
    for fld, header in date_fields.items():
        if col[header] and not fld.startswith("_"):
            mapped[fld] = dates.parse(raw[col[header]], column=col[header], rows=raw["_row"])
    if "completed" not in mapped:
        mapped["completed"] = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
    completed = mapped["completed"].notna()
    if col["Completed At"]:
        completed |= _values(table, col["Completed At"]).notna()  # an unreadable date still means complete
    mapped["completed_basis"] = pd.Series("exact", index=raw.index, dtype="string").where(mapped["completed"].notna())

    mapped["status"] = _status(table, options, file, field_map)
    mapped["status_category"] = pd.Series(pd.NA, index=raw.index, dtype=object)
    mapped.loc[mapped["status"].isna(), "status_category"] = "todo"
    mapped.loc[completed, "status_category"] = "done"

    # Links are resolved to the ids the assembler will give (Excel-damaged ids become row-N).
    final = final_task_ids(ids, titles, raw["_row"])
    resolver = _Resolver(final, titles, projects, raw["_row"])
    parent_col = col["Parent task"]
    if parent_col:
        mapped["parent_id"] = _resolve_parents(_values(table, parent_col), resolver, raw["_row"],
                                               parent_col, warnings)
    if col["Blocked By (Dependencies)"]:
        mapped["blocked_by"] = _resolve_dependencies(_values(table, col["Blocked By (Dependencies)"]), resolver)

    assembly = Assembly(raw=raw, mapped=mapped, source="asana-csv", file=file, field_map=field_map,
                        default_status_map=_DEFAULT_STATUS_MAP, warnings=warnings)
    return assemble(assembly, status_map=options.status_map, team=options.team)


register(ExportFormat(
    name="asana-csv", label="Asana CSV (project or search export)", kind="csv",
    sniff=sniff_asana_csv, read=read_asana_csv,
    how_to_export="Asana project: click the project name's dropdown, Export/Print, CSV",
    options=("status_column",),
))

"""Any CSV, read through an explicit column mapping (``source="generic-csv"``).

This module is also the reference for how a reader is built: map columns to
canonical fields in a DataFrame with the raw table's index, then hand an
:class:`~workfw.io._build.Assembly` to :func:`~workfw.io._build.assemble`.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from ..errors import MappingError
from ..schema import LIST_COLUMNS, TIME_COLUMNS
from ._build import Assembly, assemble
from ._common import split_values, to_number
from ._dates import DateParser
from ._registry import ExportFormat, ReadOptions, register
from ._status import normalise_category
from ._text import CsvTable

__all__ = ["MAPPABLE_FIELDS", "read_generic_csv"]

#: Canonical fields a mapping may name.
MAPPABLE_FIELDS = (
    "task_id", "title", "description", "task_type", "status", "status_category", "assignee", "assignees",
    "reporter", "team", "project", "parent_id", "labels", "priority", "estimate", "created", "updated",
    "started", "completed", "due", "comments", "watchers", "blocked_by", "url", "resolution", "iteration",
)


def _check_mapping(mapping: Mapping[str, str] | None, table: CsvTable, file: str) -> dict[str, str]:
    if not mapping:
        raise MappingError(f"{file}: source='generic-csv' needs mapping={{canonical field: column}}; found none. "
                           f"Columns in this file: {table.headers[:20]}. Next step: pass for example "
                           "mapping={'task_id': 'ID', 'title': 'Name', 'status': 'State', 'created': 'Opened'}.")
    unknown = sorted(set(mapping) - set(MAPPABLE_FIELDS))
    if unknown:
        raise MappingError(f"{file}: mapping names unknown fields {unknown}; expected some of "
                           f"{list(MAPPABLE_FIELDS)}. Next step: rename those keys.")
    missing = [col for col in mapping.values() if col not in table.frame.columns]
    if missing:
        raise MappingError(f"{file}: mapping names columns {missing} that the file does not have; its columns "
                           f"are {table.headers}. Next step: correct the column names (they are case-sensitive).")
    if "task_id" not in mapping:
        raise MappingError(f"{file}: mapping has no 'task_id'; expected the column that identifies each task. "
                           "Next step: add 'task_id': 'Your id column' (use the title column if there is no id).")
    return dict(mapping)


def read_generic_csv(table: CsvTable, *, file: str, options: ReadOptions) -> "TaskExport":  # noqa: F821
    """Read a CSV through ``options.extra['mapping']`` (canonical field -> column name).

    Format-specific options: ``mapping`` (required) and ``list_separator``
    (default ``","``) for ``assignees``, ``labels`` and ``blocked_by``.
    """
    mapping = _check_mapping(options.get("mapping"), table, file)
    sep = options.get("list_separator", ",")
    raw = table.frame
    warnings = list(table.warnings)
    dates = DateParser(file=file, tz=options.tz, date_order=options.date_order, warnings=warnings)
    dates.learn_order(*(raw[mapping[f]] for f in TIME_COLUMNS if f in mapping))
    mapped = pd.DataFrame(index=raw.index)
    for fld, col in mapping.items():
        values = raw[col]
        if fld in TIME_COLUMNS:
            mapped[fld] = dates.parse(values, column=col, rows=raw["_row"])
        elif fld in LIST_COLUMNS:
            mapped[fld] = split_values(values, sep)
        elif fld in ("estimate", "comments", "watchers"):
            mapped[fld] = to_number(values, column=col, warnings=warnings)
        elif fld == "status_category":
            mapped[fld] = values.map(normalise_category, na_action="ignore")
        else:
            mapped[fld] = values
    if "assignee" in mapped and "assignees" not in mapped:
        mapped["assignees"] = split_values(mapped["assignee"], sep)
        mapped["assignee"] = mapped["assignees"].map(lambda v: v[0] if v else pd.NA)
    for fld, basis in (("started", "exact"), ("completed", "exact")):
        if fld in mapped:
            mapped[f"{fld}_basis"] = pd.Series(basis, index=raw.index).where(mapped[fld].notna())
    assembly = Assembly(raw=raw, mapped=mapped, source="generic-csv", file=file,
                        field_map={col: fld for fld, col in mapping.items()}, warnings=warnings)
    return assemble(assembly, status_map=options.status_map, team=options.team)


register(ExportFormat(
    name="generic-csv", label="Any CSV with a column mapping", kind="csv",
    sniff=lambda headers: False, read=read_generic_csv,
    how_to_export="any spreadsheet saved as CSV, read with source='generic-csv' and mapping={...}",
    options=("mapping", "list_separator"),
))

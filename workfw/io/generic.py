"""Any CSV, read through an explicit column mapping (``source="generic-csv"``).

This module is also the reference for how a reader is built: map columns to
canonical fields in a DataFrame with the raw table's index, then hand an
:class:`~workfw.io._build.Assembly` to :func:`~workfw.io._build.assemble`.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from workfw.errors import MappingError
from workfw.schema import LIST_COLUMNS, TIME_COLUMNS
from workfw.io._build import Assembly, assemble
from workfw.io._common import first_items, gather_repeated, split_values, to_number
from workfw.io._dates import DateParser
from workfw.io._registry import ExportFormat, ReadOptions, register
from workfw.io._status import normalise_category
from workfw.io._text import CsvTable

__all__ = ["MAPPABLE_FIELDS", "read_generic_csv"]

#: Canonical fields a mapping may name.
MAPPABLE_FIELDS = (
    "task_id", "title", "description", "task_type", "status", "status_category", "assignee", "assignees",
    "reporter", "team", "project", "parent_id", "labels", "priority", "estimate", "created", "updated",
    "started", "completed", "due", "comments", "watchers", "blocked_by", "url", "resolution", "iteration",
)


def _resolve_column(wanted: str, table: CsvTable) -> str | None:
    """Find the frame column a mapping value means: its unique name, then its original header."""
    columns = list(table.frame.columns[:-1])
    if wanted in columns:
        return wanted
    for col, header in zip(columns, table.headers):
        if header == wanted:
            return col
    matches = table.columns_named(wanted)
    return matches[0] if matches else None


def _check_mapping(mapping: Mapping[str, str] | None, table: CsvTable, file: str) -> dict[str, str]:
    """Return the mapping as canonical field -> frame column, or raise a :class:`MappingError`."""
    if not mapping:
        raise MappingError(f"{file}: source='generic-csv' needs mapping={{canonical field: column}}; found none. "
                           f"Columns in this file: {table.headers[:20]}. Next step: pass for example "
                           "mapping={'task_id': 'ID', 'title': 'Name', 'status': 'State', 'created': 'Opened'}.")
    if not isinstance(mapping, Mapping) or not all(isinstance(v, str) for v in mapping.values()):
        raise MappingError(f"{file}: mapping must be a dict of canonical field -> column name (text); found "
                           f"{mapping!r:.200}. Next step: pass for example mapping={{'task_id': 'ID'}}.")
    unknown = sorted(str(k) for k in set(mapping) - set(MAPPABLE_FIELDS))
    if unknown:
        raise MappingError(f"{file}: mapping names unknown fields {unknown}; expected some of "
                           f"{list(MAPPABLE_FIELDS)}, each mapped to a column of the file. "
                           "Next step: rename those keys.")
    resolved = {fld: _resolve_column(col, table) for fld, col in mapping.items()}
    missing = [mapping[fld] for fld, col in resolved.items() if col is None]
    if missing:
        raise MappingError(f"{file}: mapping names columns {missing} that the file does not have; its columns "
                           f"are {table.headers}. Next step: correct the column names as the header row writes them.")
    if "task_id" not in mapping:
        raise MappingError(f"{file}: mapping has no 'task_id'; expected the column that identifies each task. "
                           "Next step: add 'task_id': 'Your id column' (use the title column if there is no id).")
    return resolved  # type: ignore[return-value]


def _whole_numbers(values: pd.Series, *, column: str, warnings: list[str]) -> pd.Series:
    numbers = to_number(values, column=column, warnings=warnings)
    # Past 2**53 a float is no exact count and would not fit Int64 either.
    fractional = numbers.notna() & ((numbers % 1 != 0) | (numbers < 0) | (numbers > 2**53)).fillna(False)
    if fractional.any():
        warnings.append(f"Column {column!r}: {int(fractional.sum())} values are not whole counts (e.g. "
                        f"{values[fractional].iloc[0]!r}) and were left empty.")
        numbers = numbers.mask(fractional)
    return numbers


def read_generic_csv(table: CsvTable, *, file: str, options: ReadOptions) -> "TaskExport":  # noqa: F821
    """Read a CSV through ``options.extra['mapping']`` (canonical field -> column name).

    Format-specific options: ``mapping`` (required) and ``list_separator``
    (default ``","``) for ``assignees``, ``labels`` and ``blocked_by``.  A
    mapping value is a header as the file writes it (or its unique name such
    as ``"Labels (2)"``); a list field mapped to a repeated header gathers
    every column of that name.
    """
    mapping = _check_mapping(options.get("mapping"), table, file)
    sep = options.get("list_separator", ",")
    if not isinstance(sep, str) or not sep:
        raise MappingError(f"{file}: option list_separator={sep!r}; expected a non-empty string such as ',' or ';'. "
                           "Next step: pass the text between values in list columns (labels, assignees).")
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
            mapped[fld] = gather_repeated(raw, _same_header(table, col), sep=sep)
        elif fld == "estimate":
            mapped[fld] = to_number(values, column=col, warnings=warnings)
        elif fld in ("comments", "watchers"):
            mapped[fld] = _whole_numbers(values, column=col, warnings=warnings)
        elif fld == "status_category":
            mapped[fld] = values.map(normalise_category, na_action="ignore")
        else:
            mapped[fld] = values
    if "assignee" in mapped and "assignees" not in mapped:
        mapped["assignees"] = split_values(mapped["assignee"], sep)
        mapped["assignee"] = first_items(mapped["assignees"])
    for fld, basis in (("started", "exact"), ("completed", "exact")):
        if fld in mapped:
            mapped[f"{fld}_basis"] = pd.Series(basis, index=raw.index).where(mapped[fld].notna())
    assembly = Assembly(raw=raw, mapped=mapped, source="generic-csv", file=file,
                        field_map=_field_map(mapping, table), warnings=warnings)
    return assemble(assembly, status_map=options.status_map, team=options.team)


def _same_header(table: CsvTable, column: str) -> list[str]:
    header = table.headers[list(table.frame.columns).index(column)]
    return table.columns_named(header) or [column]


def _field_map(mapping: dict[str, str], table: CsvTable) -> dict[str, str]:
    out: dict[str, str] = {}
    for fld, col in mapping.items():
        for c in (_same_header(table, col) if fld in LIST_COLUMNS else [col]):
            out[c] = f"{out[c]}, {fld}" if c in out else fld
    return out


register(ExportFormat(
    name="generic-csv", label="Any CSV with a column mapping", kind="csv",
    sniff=lambda headers: False, read=read_generic_csv,
    how_to_export="any spreadsheet saved as CSV, read with source='generic-csv' and mapping={...}",
    options=("mapping", "list_separator"),
))

"""What the report's analysis, its page and its JSON share: the errors, the forecast horizon, JSON values.

The bottom of :mod:`workfw.reporting`: :mod:`workfw.reporting.analysis` and
:mod:`workfw.reporting.html` import from here, never from the package itself,
so the package can import them without a cycle.
"""
from __future__ import annotations

import importlib
import math
from pathlib import Path
from types import ModuleType
from typing import Any, Mapping

import numpy as np
import pandas as pd

from workfw.errors import WorkfwError
from workfw.files import FileWriteError, atomic_write_text

__all__ = ["FORECAST_DAYS", "ReportPartMissingError", "ReportWriteError", "require_part", "plain",
           "export_summary", "write_text"]

#: Days ahead of ``as_of`` the report's "how many" forecast looks.
FORECAST_DAYS = 28


class ReportPartMissingError(WorkfwError):
    """A part of the report needs a workfw module or function this installation does not have."""


class ReportWriteError(WorkfwError):
    """The report file could not be written."""


def require_part(module: str, what: str, *names: str) -> ModuleType:
    """Import ``workfw.<module>`` and check it has ``names``, or say which part of workfw is missing.

    Parameters
    ----------
    module : str
        The module under ``workfw``, e.g. ``"flow"`` or ``"assessment"``.
    what : str
        What needs it, for the message (``"flow metrics"``).
    *names : str
        Attributes the caller is going to use.

    Returns
    -------
    module

    Raises
    ------
    ReportPartMissingError
        When the module or one of ``names`` is missing (a partial or outdated installation).
    """
    full = f"workfw.{module}"
    try:
        mod = importlib.import_module(full)
    except ModuleNotFoundError as exc:
        if exc.name != full:
            raise
        raise ReportPartMissingError(
            f"report: the {what} needs {full}; found no such module in this workfw installation; expected it "
            "to ship with workfw. Next step: update workfw, or leave that part out.") from exc
    missing = [n for n in names if not hasattr(mod, n)]
    if missing:
        raise ReportPartMissingError(
            f"report: the {what} needs {full}.{missing[0]}; found a {full} without it; expected "
            f"{', '.join(names)}. Next step: update workfw, or leave that part out.")
    return mod


def plain(value: Any) -> Any:
    """Turn pandas/numpy values into JSON types (NaN/NA -> None, timestamps -> ISO text, days as floats).

    Parameters
    ----------
    value : Any
        A scalar, mapping or sequence, nested as deep as needed.

    Returns
    -------
    Any
        The same structure of ``dict``, ``list``, ``str``, ``int``, ``float``, ``bool`` and ``None``.
    """
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return [plain(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, pd.Timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    return value if isinstance(value, str) else str(value)


def export_summary(export: Any) -> dict[str, Any]:
    """Rows, tasks, date span and warnings of an export, as JSON-ready data.

    Parameters
    ----------
    export : TaskExport

    Returns
    -------
    dict
        ``source, file, rows_read, tasks, events, merged, rejected, first, last, unmapped_columns, warnings``.
    """
    tasks, rep = export.tasks, export.report
    stamps = pd.concat([tasks[c] for c in ("created", "updated", "started", "completed")]).dropna()
    return {
        "source": rep.source, "file": rep.file, "rows_read": rep.rows_read, "tasks": len(tasks),
        "events": len(export.events), "merged": rep.merged, "rejected": rep.rejected,
        "first": plain(stamps.min()) if len(stamps) else None, "last": plain(stamps.max()) if len(stamps) else None,
        "unmapped_columns": list(rep.unmapped_columns), "warnings": list(rep.warnings),
    }


def write_text(path: str | Path, text: str) -> Path:
    """Write a report (HTML or JSON text) to ``path``, creating its folder; a failure names the file and the fix.

    Parameters
    ----------
    path : str or pathlib.Path
    text : str

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ReportWriteError
        When the file cannot be written.
    """
    target = Path(path)
    # Atomic, so a browser tab reloading the report mid-write never shows half of it.
    try:
        atomic_write_text(target, text)
    except FileWriteError as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
        raise ReportWriteError(f"{target}: could not write the report ({cause.strerror or cause}); expected a "
                               "writable file path. Next step: choose another folder with -o / path=.") from exc
    return target

"""Checks the assessment modules (and :mod:`workfw.organisation`) share: a table's columns, a saved file's header.

:func:`require_columns` is public as ``workfw.assessment.require_columns``
because :mod:`workfw.organisation`, a sibling package, checks its score
tables with it.
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Sequence

import pandas as pd

from workfw.errors import SchemaError, WorkfwError
from workfw.assessment._errors import AssessmentFileError

__all__ = ["require_columns", "json_document"]

#: How many of the columns found a message lists before it says how many more there are.
_SHOWN = 20


def _listed(columns: Sequence[Any]) -> str:
    names = [str(c) for c in columns]
    return str(names) if len(names) <= _SHOWN else f"{names[:_SHOWN]} and {len(names) - _SHOWN} more"


def require_columns(frame: Any, needed: Iterable[str], *, caller: str, table: str, source: str,
                    expected: Sequence[str], fix: str, error: type[WorkfwError] = SchemaError) -> pd.DataFrame:
    """Return ``frame`` if it is a DataFrame with every column of ``needed``; otherwise raise ``error``.

    Parameters
    ----------
    frame : Any
        What the caller was handed.
    needed : iterable of str
        The columns the caller reads.
    caller : str
        The function (or module) named first in the message, e.g. ``"aggregate"``.
    table : str
        What the table is called in the message, e.g. ``"answer table"``.
    source : str
        What was expected instead of something that is no DataFrame, e.g. ``"the answer table of load_responses"``.
    expected : sequence of str
        The columns of the table as workfw builds it (listed in the message).
    fix : str
        The next step, for both messages.
    error : type
        The :class:`~workfw.errors.WorkfwError` to raise (default :class:`~workfw.errors.SchemaError`).

    Returns
    -------
    pandas.DataFrame
        ``frame``, unchanged.

    Raises
    ------
    WorkfwError
        ``error``: ``"<caller>: found a list; expected <source>. Next step: <fix>"`` for something that is
        no DataFrame, and ``"<caller>: the <table> lacks columns [...]; found [...]; expected [...]. Next
        step: <fix>"`` for a table without a needed column.
    """
    if not isinstance(frame, pd.DataFrame):
        raise error(f"{caller}: found a {type(frame).__name__}; expected {source}. Next step: {fix}")
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise error(f"{caller}: the {table} lacks columns {missing}; found {_listed(list(frame.columns))}; "
                    f"expected {list(expected)}. Next step: {fix}")
    return frame


def json_document(text: str, *, name: str, form: str, version: int, written_by: str, fix: str,
                  fix_format: str, fix_version: str) -> dict:
    """Parse a file workfw wrote as ``{"format": form, "version": version, ...}``; return it as a dict.

    Raises :class:`~workfw.assessment.AssessmentFileError` naming ``name`` and the place: the line and
    column of invalid JSON (``fix``), the top level when the format is another (``fix_format``), key
    ``'version'`` when the version is another (``fix_version``).  ``written_by`` is what the file should be,
    e.g. ``"a response file written by save_response"``.
    """
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AssessmentFileError(name, f"line {exc.lineno}, column {exc.colno}", f"invalid JSON ({exc.msg})",
                                  written_by, fix) from exc
    if not isinstance(doc, dict) or doc.get("format") != form:
        found = f"format={doc.get('format')!r}" if isinstance(doc, dict) else f"a JSON {type(doc).__name__}"
        raise AssessmentFileError(name, "the top level", found, f"format='{form}'", fix_format)
    if doc.get("version") != version:
        raise AssessmentFileError(name, "key 'version'", repr(doc.get("version")), str(version), fix_version)
    return doc

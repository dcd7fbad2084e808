"""Write CSV files that spreadsheets cannot run as formulas.

Tracker titles, participant names and survey answers are typed by other
people.  A cell such as ``=HYPERLINK("http://evil", "click")`` or
``@SUM(1+1)*cmd|' /C calc'!A0`` becomes a live formula when the CSV is opened
in Excel, LibreOffice or Google Sheets ("CSV injection", OWASP).
:func:`to_safe_csv` puts a single quote before every *text* cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return; spreadsheets then
show the cell as text, with the quote hidden.

The choice about numbers: columns with a numeric dtype (``int``, ``float``,
``Int64``, ``Float64``...) are written unchanged, so ``-2`` in a score column
stays the number -2.  In a text column every cell starting with one of those
characters is guarded, even ``"-2"`` or ``"+1"``: text that looks like a
number is rare there, a value such as ``-2+3`` or ``+1+cmd|...`` is a formula,
and a guarded number only shows a hidden quote.  Python numbers inside an
``object`` column are not text and stay as they are.  Column headers and
index labels are guarded like text cells.  workfw's CSV readers remove the
quote again (``workfw.io._common.strip_formula_guard``).
"""
from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype, is_timedelta64_dtype

__all__ = ["FORMULA_PREFIXES", "guard_cell", "guard_formulas", "to_safe_csv"]

#: A text cell starting with one of these is prefixed with ``'``.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(value: Any) -> Any:
    """Return ``value`` with a leading ``'`` when it is text starting with a formula character."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _is_text_column(values: pd.Series) -> bool:
    dtype = values.dtype
    return not (is_numeric_dtype(dtype) or is_bool_dtype(dtype) or is_datetime64_any_dtype(dtype)
                or is_timedelta64_dtype(dtype))


def _guard_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_tuples([tuple(guard_cell(v) for v in labels) for labels in index],
                                         names=[guard_cell(n) for n in index.names])
    if not _is_text_column(index.to_series()):
        return index.rename(guard_cell(index.name))
    return pd.Index([guard_cell(v) for v in index], name=guard_cell(index.name), dtype=object)


def guard_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` with text cells, headers and index labels guarded against formulas.

    Parameters
    ----------
    frame : pandas.DataFrame
        Left unchanged.

    Returns
    -------
    pandas.DataFrame
        Text columns become ``object`` columns; numeric, boolean and date
        columns keep their dtype and values.
    """
    out = frame.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if _is_text_column(column):
            out.isetitem(position, column.astype(object).map(guard_cell))
    out.columns = _guard_index(out.columns)
    out.index = _guard_index(out.index)
    return out


def to_safe_csv(frame: pd.DataFrame, path_or_buf: str | Path | IO[str] | None = None,
                **kwargs: Any) -> str | None:
    """Write ``frame`` as CSV like :meth:`pandas.DataFrame.to_csv`, guarded against formula injection.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; left unchanged.
    path_or_buf : str, pathlib.Path, file-like or None
        Where to write; ``None`` returns the CSV text.
    **kwargs
        Passed to :meth:`~pandas.DataFrame.to_csv` (``index=False``,
        ``encoding="utf-8-sig"`` for Excel...).  A ``header`` list of names is
        guarded too.  Lines end in ``\r\n`` (RFC 4180) unless
        ``lineterminator`` is given: with it, cells holding a carriage return
        are quoted, so no spreadsheet or reader splits a row in two.

    Returns
    -------
    str or None
        The CSV text when ``path_or_buf`` is None.
    """
    if isinstance(kwargs.get("header"), (list, tuple)):
        kwargs["header"] = [guard_cell(h) for h in kwargs["header"]]
    if isinstance(kwargs.get("index_label"), str):
        kwargs["index_label"] = guard_cell(kwargs["index_label"])
    kwargs.setdefault("lineterminator", "\r\n")
    return guard_formulas(frame).to_csv(path_or_buf, **kwargs)

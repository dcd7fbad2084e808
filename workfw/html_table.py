"""One HTML table renderer for the offline report and the notebook views.

:func:`html_table` escapes every header, caption and cell it is given, except
cells that are already :class:`markupsafe.Markup` (workfw's own score chips
and id lists, built from escaped parts), and returns ``Markup`` itself, so it
can go into a Jinja2 template with autoescaping on without being escaped twice.

Keep a column of ``Markup`` cells at ``dtype=object``: pandas 3 stores plain
strings in its ``str`` dtype, which drops the ``Markup`` type, so such cells
would be escaped (safe, but shown as tags).
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Mapping, Sequence

import pandas as pd
from markupsafe import Markup, escape

from workfw.errors import OptionError

__all__ = ["html_table", "format_cell", "FLOAT_FORMAT", "TIME_FORMAT", "DATE_FORMAT"]

#: How a float cell is written unless ``formats`` says otherwise: one decimal is what a room can read.
FLOAT_FORMAT = "{:,.1f}"
#: How a date-time cell is written; a column whose times are all midnight shows only the dates.
TIME_FORMAT, DATE_FORMAT = "{:%Y-%m-%d %H:%M}", "{:%Y-%m-%d}"

Format = str | Callable[[Any], Any]


def _is_na(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_cell(value: object, *, fmt: Format | None = None, float_format: str = FLOAT_FORMAT,
                na_rep: str = "") -> Markup:
    """One cell's text, escaped (a :class:`~markupsafe.Markup` value passes as it is).

    Parameters
    ----------
    value : object
        The cell; NA gives ``na_rep``, a list or tuple is joined with ``", "``, a timestamp is
        written to the minute (:data:`TIME_FORMAT`).
    fmt : str or callable, optional
        A ``str.format`` pattern (``"{:.0%}"``) or a function of the value; NA never reaches it.
    float_format : str
        The pattern for floats when ``fmt`` is not given.
    na_rep : str
        What an empty (NA) cell shows.

    Returns
    -------
    markupsafe.Markup
    """
    if isinstance(value, Markup):
        return value
    if isinstance(value, (list, tuple)):
        return escape(", ".join(str(v) for v in value))
    if _is_na(value):
        return escape(na_rep)
    if fmt is not None:
        return escape(fmt.format(value) if isinstance(fmt, str) else fmt(value))
    if isinstance(value, float):
        return escape(float_format.format(value))
    if isinstance(value, pd.Timestamp):
        return escape(TIME_FORMAT.format(value))
    return escape(value)


def _column_format(column: pd.Series) -> str | None:
    """Dates alone for a date-time column whose times are all midnight (a day, not an instant)."""
    if not pd.api.types.is_datetime64_any_dtype(column):
        return None
    known = column.dropna()
    return DATE_FORMAT if len(known) and (known == known.dt.normalize()).all() else TIME_FORMAT


def _attribute(name: str, value: str | None) -> str:
    return f' {name}="{escape(value)}"' if value else ""


def html_table(frame: pd.DataFrame, *, columns: Sequence[str] | None = None, headers: Sequence[str] | None = None,
               caption: str | None = None, formats: Mapping[str, Format] | None = None,
               float_format: str = FLOAT_FORMAT, na_rep: str = "", classes: str | Iterable[str] = (),
               index: bool = False, empty: str | None = "none", cell_style: str | None = None,
               header_style: str | None = None) -> Markup:
    """An escaped HTML ``<table>`` of a DataFrame.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to show, in order.
    columns : sequence of str, optional
        Which columns, in which order (default: all).
    headers : sequence of str, optional
        The header text of each shown column (default: the column names); when
        every header is empty the table has no header row.
    caption : str, optional
        A ``<caption>`` above the table.
    formats : mapping of str to str or callable, optional
        Column -> ``str.format`` pattern or function for its non-empty cells.  Date-time columns
        default to :data:`TIME_FORMAT`, or :data:`DATE_FORMAT` when every time is midnight.
    float_format : str
        Pattern for float cells of columns without a format.
    na_rep : str
        What an empty (NA) cell shows.
    classes : str or iterable of str
        CSS classes of the ``<table>``.
    index : bool
        Show the index as the first column(s).
    empty : str or None
        The single row shown when ``frame`` has no rows (``None``: no row).
    cell_style, header_style : str, optional
        Inline ``style`` of every ``<td>`` / ``<th>``, for outputs where no style sheet reaches (a widget).

    Returns
    -------
    markupsafe.Markup
        The table; every value not already ``Markup`` is escaped.

    Raises
    ------
    OptionError
        When ``columns`` names a column the frame lacks, or ``headers`` does not match ``columns`` in length.
    """
    if index:
        frame = frame.reset_index(names=[n if n is not None else "" for n in frame.index.names])
    shown = list(frame.columns if columns is None else columns)
    missing = [c for c in shown if c not in frame.columns]
    if missing:
        raise OptionError(f"html_table: columns {missing} are not in the table; found {list(frame.columns)}. "
                          "Next step: pass columns= that the table has.")
    labels = [str(c) for c in shown] if headers is None else list(headers)
    if len(labels) != len(shown):
        raise OptionError(f"html_table: {len(labels)} headers for {len(shown)} columns; expected one header per "
                          "column. Next step: pass as many headers= as columns=.")
    formats = dict(formats or {})
    classes = [classes] if isinstance(classes, str) else list(classes)
    # Built as plain strings from escaped parts, and wrapped in Markup once: Markup.format per cell costs a
    # report's whole rendering time again, and "<td>" + Markup(...) would escape the tag.
    td = f"<td{_attribute('style', cell_style)}>"
    th = f"<th{_attribute('style', header_style)}>"
    parts = [f"<table{_attribute('class', ' '.join(c for c in classes if c))}>"]
    if caption:
        parts.append(f"<caption>{escape(caption)}</caption>")
    if any(labels):
        parts.append("<thead><tr>" + "".join(f"{th}{escape(h)}</th>" for h in labels) + "</tr></thead>")
    data = frame[shown]
    # One column at a time: the format is looked up once per column, not once per cell.
    columns_data = [data.iloc[:, i] for i in range(len(shown))]
    cells = [[str(format_cell(v, fmt=formats.get(c) or _column_format(col), float_format=float_format, na_rep=na_rep))
              for v in col.astype(object)] for c, col in zip(shown, columns_data)]
    rows = ["<tr>" + "".join(f"{td}{v}</td>" for v in row) + "</tr>" for row in zip(*cells)]
    if not rows and empty is not None:
        rows.append(f'<tr><td colspan="{len(shown)}" class="none">{escape(empty)}</td></tr>')
    parts.append("<tbody>" + "".join(rows) + "</tbody></table>")
    return Markup("".join(parts))

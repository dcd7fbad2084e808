"""Turn a reader's per-row mapping into a :class:`~workfw.export.TaskExport`.

A format reader does the format-specific part: it maps each raw row to
canonical fields (a DataFrame ``mapped`` with the same index as ``raw``) and
may say why a row is rejected (``mapped["_reject"]``).  :func:`assemble` does
everything shared: Excel-damaged ids, one task spread over several rows,
status categories, typing, the raw table's outcome columns and the report,
with the invariant ``rows_read + synthetic == len(tasks) + merged + rejected``
(``synthetic``: task rows a reader adds that come from no row of the file,
such as Linear's projects).
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.export import ImportReport, TaskExport
from workfw.schema import LIST_COLUMNS, TASK_COLUMNS, as_list_column, conform_events, conform_tasks, empty_events
from workfw.io._common import arrow_text, coded_text, duplicated, strip_text, text_column
from workfw.io._registry import report_progress
from workfw.io._status import UNPLACED, apply_status_map
from workfw.statuses import status_key, table_categories
from workfw.text_arrays import blank_or_missing

__all__ = ["Assembly", "assemble", "final_task_ids", "SCI_ID"]

#: An id Excel turned into scientific notation, such as ``7.18656E+14``.
SCI_ID = r"\d(?:\.\d+)?[eE]\+\d+"


@dataclass
class Assembly:
    """What a reader hands to :func:`assemble`.

    Attributes
    ----------
    raw : pandas.DataFrame
        Rows as read (original columns, unique names) with ``_row``.
    mapped : pandas.DataFrame
        Same index as ``raw``; any canonical columns, plus optionally
        ``status_category`` stated by the export and ``_reject`` (a reason).
    source : str
        Format name, such as ``"jira-csv"``.
    file : str
        File name.
    field_map : dict
        Original column -> canonical field it fed (or a short note).
    default_status_map : dict
        The tracker's status name -> category defaults.
    events : pandas.DataFrame, optional
        History rows (``task_id, at, field, old, new, author``).
    warnings : list of str
        Warnings gathered while reading.
    synthetic : pandas.DataFrame, optional
        Task rows that come from no row of the file (Linear's projects), in
        canonical columns with ``status_category`` already set.  They are not
        counted in ``rows_read`` and have no row in ``raw``.
    status_guesses : dict
        Status name -> ``(category, rule text)`` from other evidence (a
        board's list order) for names no rule places; shown as that rule.
    """

    raw: pd.DataFrame
    mapped: pd.DataFrame
    source: str
    file: str
    field_map: dict[str, str] = field(default_factory=dict)
    default_status_map: Mapping[str, str] = field(default_factory=dict)
    events: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    synthetic: pd.DataFrame | None = None
    status_guesses: Mapping[str, tuple[str, str]] = field(default_factory=dict)


def final_task_ids(ids: pd.Series, titles: pd.Series, rows: pd.Series) -> pd.Series:
    """Return the task ids :func:`assemble` will assign, for readers that resolve links before assembling.

    Ids are stripped.  An id Excel turned into scientific notation
    (:data:`SCI_ID`, such as ``7.18656E+14``) names no task any more, so it
    becomes ``"row-<N>"``: ``N`` is the first spreadsheet row among rows
    sharing that damaged id *and* the title (Excel also repeats a task once per
    assignee; different titles stay distinct tasks).  No warning is made here;
    :func:`assemble` adds it.

    Parameters
    ----------
    ids : pandas.Series
        Task id of each row as read.
    titles : pandas.Series
        Title of each row (same index); NA counts as an empty title.
    rows : pandas.Series
        Spreadsheet row number of each row (``raw["_row"]``, same index).

    Returns
    -------
    pandas.Series
        String ids with the same index.
    """
    return _final_ids(ids, titles, rows)[0]


def _final_ids(ids: pd.Series, titles: pd.Series, rows: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`final_task_ids` and which rows had a damaged id (one regex pass over a large column)."""
    ids = strip_text(ids)
    # Scientific notation always has a "+": a plain substring pass spares the regex on a million clean ids.
    sci = ids.str.contains("+", regex=False).fillna(False).astype(bool)
    if not sci.any():
        return ids, sci
    sci = ids.str.fullmatch(SCI_ID).fillna(False).astype(bool)
    if not sci.any():
        return ids, sci
    key = ids[sci] + "\x1f" + titles.astype("string").fillna("")[sci]
    first_row = rows[sci].groupby(key).transform("min")
    return ids.mask(sci, "row-" + first_row.astype(int).astype(str)), sci


def _fix_excel_ids(mapped: pd.DataFrame, raw: pd.DataFrame, warnings: list[str]) -> pd.Series:
    titles = mapped["title"] if "title" in mapped else pd.Series(pd.NA, index=mapped.index, dtype="string")
    ids, sci = _final_ids(mapped["task_id"], titles, raw["_row"])
    if not sci.any():
        return ids
    warnings.append(f"{int(sci.sum())} task ids look like Excel scientific notation (e.g. "
                    f"{mapped.loc[sci, 'task_id'].iloc[0]!r}), so the real ids are lost; those tasks are "
                    "identified by their spreadsheet row ('row-N'). Export the file again without opening it "
                    "in Excel to keep real ids.")
    return ids


def _blank(values: pd.Series) -> pd.Series:
    """Which values are NA or blank once stripped (text held in Arrow is asked without stripping it)."""
    data = getattr(values.array, "_pa_array", None)
    if data is None or not (pa.types.is_string(data.type) or pa.types.is_large_string(data.type)):
        return values.isna() | (values.astype("string").str.strip() == "")
    return pd.Series(blank_or_missing(data), index=values.index)


def _list_cells(values: pd.Series) -> pd.Series:
    """Make every cell of a list column a list (``[]`` for empty, ``[text]`` for one value).

    A column of Arrow lists (a reader's bulk output) is left as it is: :func:`conform_tasks` turns it
    into Python lists once, at the end.
    """
    if _is_arrow_lists(values):
        return values
    cells = values.tolist()
    if not set(map(type, cells)) - {list}:
        # Already lists: rebuilding an object array from a million lists costs more than the check.
        return values if values.dtype == object else pd.Series(cells, index=values.index, dtype=object)
    cells = [v if isinstance(v, list) else ([] if v is None or v is pd.NA else [str(v)]) for v in cells]
    return pd.Series(cells, index=values.index, dtype=object)


#: From this many rows assemble starts turning the reader's Arrow list columns into Python lists at once, in a
#: second thread, while it numbers duplicates and places statuses (GIL-bound list building beside Arrow work).
_EARLY_LISTS_ROWS = 100_000


def _start_lists(mapped: pd.DataFrame) -> dict[str, Future]:
    """:func:`as_list_column` of each Arrow list column of a large ``mapped``, running in a worker thread."""
    columns = [c for c in LIST_COLUMNS if c in mapped and _is_arrow_lists(mapped[c])]
    if len(mapped) < _EARLY_LISTS_ROWS or not columns:
        return {}
    pool = ThreadPoolExecutor(max_workers=1)
    started = {col: pool.submit(as_list_column, mapped[col]) for col in columns}
    pool.shutdown(wait=False)  # the thread ends once its work is done; nothing more is sent to it
    return started


def _is_arrow_lists(values: pd.Series) -> bool:
    kind = getattr(values.dtype, "pyarrow_dtype", None) if isinstance(values.dtype, pd.ArrowDtype) else None
    return kind is not None and (pa.types.is_list(kind) or pa.types.is_large_list(kind))


def _python_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its Arrow list columns as Python lists, for the steps that work on lists row by row."""
    arrow = [c for c in LIST_COLUMNS if c in frame and _is_arrow_lists(frame[c])]
    if not arrow:
        return frame
    frame = frame.copy(deep=False)
    for col in arrow:
        frame[col] = as_list_column(frame[col])
    return frame


def _synthetic_rows(synthetic: pd.DataFrame | None, real_ids: pd.Series, team: str | None,
                    warnings: list[str]) -> pd.DataFrame:
    """The reader's synthetic task rows that can join the table: a unique id that no real task has."""
    if synthetic is None or len(synthetic) == 0:
        return pd.DataFrame()
    rows = synthetic.reset_index(drop=True)
    ids = (rows["task_id"] if "task_id" in rows else pd.Series(pd.NA, index=rows.index)).astype("string").str.strip()
    bad = ids.isna() | (ids == "")
    # Looked up in pyarrow's hash table: a Python set of a few hundred thousand ids costs a second.
    known = pc.fill_null(pc.is_in(arrow_text(ids), value_set=arrow_text(real_ids.dropna())), False)
    taken = ~bad & (pd.Series(known.to_numpy(zero_copy_only=False), index=ids.index) | ids.duplicated())
    if (bad | taken).any():
        example = ids[taken].iloc[0] if taken.any() else None
        why = ([f"{int(bad.sum())} have no id"] if bad.any() else []) + (
            [f"{int(taken.sum())} repeat the id of a task already read (e.g. {example!r}), which keeps it"]
            if taken.any() else [])
        warnings.append(f"{int((bad | taken).sum())} task rows the reader adds (no row of the file has them, such "
                        f"as Linear projects) were left out: {'; '.join(why)}.")
    rows = rows.loc[~(bad | taken)].copy()
    rows["task_id"] = ids[~(bad | taken)]
    for col in LIST_COLUMNS:
        rows[col] = _list_cells(rows[col]) if col in rows else pd.Series([[] for _ in range(len(rows))],
                                                                         index=rows.index, dtype=object)
    if team is not None:
        current = rows["team"] if "team" in rows else pd.Series(pd.NA, index=rows.index, dtype="string")
        rows["team"] = current.astype("string").fillna(team)
    return rows


def _merge_group(group: pd.DataFrame) -> dict:
    row = {}
    for col in group.columns:
        if col in LIST_COLUMNS:
            seen: dict[str, None] = {}
            for items in group[col]:
                for item in items if isinstance(items, list) else []:
                    seen[item] = None
            row[col] = list(seen)
        else:
            present = group[col].dropna()
            row[col] = present.iloc[0] if len(present) else pd.NA
    return row


def assemble(a: Assembly, *, status_map: Mapping[str, str] | None = None, team: str | None = None) -> TaskExport:
    """Build the canonical export from a reader's :class:`Assembly`.

    Parameters
    ----------
    a : Assembly
        The reader's output.
    status_map : dict, optional
        The user's status name -> category overrides.
    team : str, optional
        Team to record on tasks whose export names none.

    Returns
    -------
    TaskExport
    """
    report_progress("mapping", 0.75)
    report_progress("assembling", 0.75)
    # Shallow copies: pandas' copy-on-write keeps the reader's frames unchanged, and a deep copy of a
    # million-row table would be the import's memory peak.
    raw, mapped, warnings = _keep_original_columns(a.raw), a.mapped.copy(deep=False), list(a.warnings)
    rows_read = len(raw)
    reason = mapped["_reject"].astype("string") if "_reject" in mapped else text_column(None, raw.index)
    if "task_id" not in mapped:
        mapped["task_id"] = pd.NA
    no_id = _blank(mapped["task_id"])
    reason = reason.mask(reason.isna() & no_id, "no task id in this row")
    mapped["task_id"] = _fix_excel_ids(mapped, raw, warnings)
    for col in LIST_COLUMNS:
        if col in mapped:
            mapped[col] = _list_cells(mapped[col])
    keep = reason.isna()
    # Rejected rows leave the table, so lists started for every row would be thrown away.
    early = _start_lists(mapped) if keep.all() else {}
    kept = mapped if keep.all() else mapped.loc[keep]
    dup = duplicated(kept["task_id"], keep="first")
    # Each row's outcome as a small code (an index into _OUTCOMES): counted and compared as numbers, and
    # written out as text once.
    outcome = pd.Series(np.int8(0), index=raw.index)
    outcome[keep] = _OUTCOMES.index("task")
    if dup.any():
        kept = _python_lists(kept)  # merging joins lists row by row
        first_row = raw.loc[kept.index, "_row"].groupby(kept["task_id"]).transform("min")
        merged_idx = kept.index[dup]
        outcome[merged_idx] = _OUTCOMES.index("merged")
        reason[merged_idx] = "same task as row " + first_row[dup].astype(int).astype(str)
        groups = kept[kept["task_id"].isin(kept.loc[dup, "task_id"])].groupby("task_id", sort=False)
        merged_rows = {tid: _merge_group(g) for tid, g in groups}
        singles = kept[~kept["task_id"].isin(merged_rows)]
        merged_frame = pd.DataFrame(list(merged_rows.values()))
        order = kept.loc[~dup, "task_id"]
        tasks = pd.concat([singles, merged_frame], ignore_index=True)
        tasks = tasks.set_index("task_id").loc[order.to_numpy()].reset_index()
        warnings.append(f"{int(dup.sum())} rows repeat a task already read (for example one row per assignee); "
                        "they were merged into one task each, joining their list fields.")
    else:
        tasks = kept.reset_index(drop=True)
    exported = tasks["status_category"] if "status_category" in tasks else None
    status = tasks["status"] if "status" in tasks else pd.Series(pd.NA, index=tasks.index, dtype="string")
    tasks["status_category"], status_table = apply_status_map(
        status, exported, default_map=a.default_status_map, user_map=status_map, warnings=warnings,
        guesses=a.status_guesses, as_category=True)
    tasks["status_category"] = _withhold_when_most_unplaced(tasks["status_category"], status_table, warnings)
    if team is not None:
        current = tasks["team"] if "team" in tasks else pd.Series(pd.NA, index=tasks.index, dtype="string")
        tasks["team"] = current.fillna(team)
    # Synthetic rows skip the status map: their reader set the category (a
    # project's comes from its issues) and they have no status name to count.
    extra = _synthetic_rows(a.synthetic, tasks["task_id"], team, warnings)
    if len(extra):
        tasks = _python_lists(tasks)  # joined with the reader's rows, which hold Python lists
        for col in LIST_COLUMNS:
            if col not in tasks:
                tasks[col] = pd.Series([[] for _ in range(len(tasks))], index=tasks.index, dtype=object)
        tasks = pd.concat([tasks, extra], ignore_index=True)
    # Typed as text here: an object column of a million equal strings costs conform_tasks a conversion.
    tasks["source"] = text_column(a.source, tasks.index)
    # One column of the file's name for the tasks and the raw rows when they line up (as they do unless rows
    # merged or were rejected): a million copies of a long name are ~40 MB each time.
    file_column = text_column(a.file, raw.index)
    tasks["source_file"] = (pd.Series(file_column.array, index=tasks.index) if len(tasks) == len(raw)
                            else text_column(a.file, tasks.index))
    # The early lists stand for the rows as the reader made them: only when every row became a task in order.
    same_rows = len(tasks) == len(mapped) and keep.all() and not dup.any() and not len(extra)
    if not same_rows:
        for started in early.values():
            started.cancel()  # those not begun yet; the table's own lists are converted by conform_tasks
    tasks = conform_tasks(tasks.drop(columns=[c for c in tasks.columns if c.startswith("_")]),
                          lists=early if same_rows else None)
    if len(tasks.columns) > len(TASK_COLUMNS):
        # Only when there is something to drop: a new frame would lose what conform_tasks noted on this one.
        tasks = tasks[[c for c in tasks.columns if c in TASK_COLUMNS]]
    raw.insert(0, "_file", file_column)
    rejected_rows = outcome == _OUTCOMES.index("rejected")
    raw["task_id"] = (mapped["task_id"] if not rejected_rows.any() else mapped["task_id"].where(~rejected_rows)
                      ).astype("string")
    raw["_outcome"] = coded_text(outcome.to_numpy(), _OUTCOMES, raw.index)
    raw["_reason"] = reason.astype("string")
    events = _events(a.events, tasks["task_id"], warnings)
    events, history_table = _place_history(events, tasks, default_map=a.default_status_map, user_map=status_map,
                                           guesses=a.status_guesses, warnings=warnings)
    if len(history_table):
        status_table = pd.concat([status_table, history_table], ignore_index=True)
    internal = {"_file", "_row", "_outcome", "_reason", "task_id"}
    original = [c for c in raw.columns if c not in internal]
    unmapped = [c for c in original if c not in a.field_map]
    field_map = pd.DataFrame(
        [(c, a.field_map.get(c, "(kept in raw only)")) for c in original],
        columns=["column", "field"])
    merged, rejected = int((outcome == _OUTCOMES.index("merged")).sum()), int(rejected_rows.sum())
    if rejected:
        examples = raw.loc[rejected_rows, ["_row", "_reason"]].head(3)
        warnings.append(f"{rejected} rows became no task; see export.raw where _outcome == 'rejected' "
                        f"(e.g. row {int(examples['_row'].iloc[0])}: {examples['_reason'].iloc[0]}).")
    report = ImportReport(source=a.source, file=a.file, rows_read=rows_read, merged=merged, rejected=rejected,
                          synthetic=len(extra), unmapped_columns=unmapped, warnings=warnings, status_map=status_table,
                          field_map=field_map)
    assert rows_read + len(extra) == len(tasks) + merged + rejected, "import invariant broken"
    report_progress("assembling", 1.0)
    return TaskExport(tasks=tasks, events=events, raw=raw, report=report)


#: What became of a row of the file, as ``raw["_outcome"]`` names it.
_OUTCOMES = ("rejected", "task", "merged")


def _withhold_when_most_unplaced(category: pd.Series, table: pd.DataFrame, warnings: list[str]) -> pd.Series:
    """No category for any task when most tasks have a status no rule places.

    Scores computed on the few placed tasks would stand for the whole export;
    with every category withheld, the signals that split open from done work
    are not measurable until the user maps the statuses.
    """
    unplaced = int(table.loc[table["rule"] == UNPLACED, "tasks"].sum())
    if unplaced * 2 <= len(category) or category.isna().all():
        return category
    warnings.append(f"{unplaced} of {len(category)} tasks have a status no rule places, so no task is counted as "
                    "open or done until the statuses are mapped (the status map table shows how each name would "
                    "be placed). Next step: pass status_map={...} to read_export, or use the status map editor.")
    return pd.Series(None, index=category.index, dtype=object)


def _keep_original_columns(raw: pd.DataFrame) -> pd.DataFrame:
    """Copy ``raw``, renaming original columns that clash with the ones assemble adds."""
    clash = {c: f"{c} (original)" for c in ("_file", "_outcome", "_reason", "task_id") if c in raw.columns}
    return raw.rename(columns=clash) if clash else raw.copy(deep=False)


def _place_history(events: pd.DataFrame, tasks: pd.DataFrame, *, default_map: Mapping[str, str],
                   user_map: Mapping[str, str] | None, guesses: Mapping[str, tuple[str, str]] | None,
                   warnings: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Record on each status move the categories of the statuses it leaves and enters; place the history-only names.

    A name a task holds is placed as the task table places it.  A name only the history holds
    is placed as a task's would be (the user's map, the tracker's default, the keyword rules
    the read uses, a reader's guesses) and joins the status map table with no tasks, so the
    status map editor lists it too; analyses then place each move as the read did
    (:func:`workfw.statuses.history_categories`) rather than by the built-in rules alone.

    Returns
    -------
    tuple
        The events with ``old_category`` and ``new_category``, and the status map rows of the history-only names.
    """
    moves = (events["field"] == "status").fillna(False).to_numpy(dtype=bool) if len(events) else np.zeros(0, bool)
    if not moves.any():
        return events, pd.DataFrame()
    known = table_categories(tasks)
    held = {status_key(n) for n in pd.unique(tasks["status"].dropna())} if "status" in tasks else set()
    named = pd.concat([events.loc[moves, "old"], events.loc[moves, "new"]]).dropna()
    only_history = list({status_key(n): str(n).strip() for n in pd.unique(named)
                         if status_key(n) not in held and status_key(n)}.values())
    table = pd.DataFrame()
    if only_history:
        placed, table = apply_status_map(pd.Series(only_history, dtype="string"), None, default_map=default_map,
                                         user_map=user_map, guesses=guesses, warnings=[])
        table["tasks"] = 0
        known.update({status_key(n): c for n, c in zip(only_history, placed) if isinstance(c, str)})
        unplaced = [n for n, c in zip(only_history, placed) if not isinstance(c, str)]
        if unplaced:
            warnings.append(f"Status names {unplaced[:8]} appear only in the history and match no rule, so time "
                            "spent in them counts in no state (a gap in the cumulative flow). Next step: map them "
                            "with status_map={'Name': 'in_progress'} or in the status map editor, where they are "
                            "listed with no tasks.")
    placed = {}
    for side in ("old", "new"):
        codes, names = pd.factorize(events[side].astype("string"))
        per_name = np.array([known.get(status_key(n)) for n in names] + [None], dtype=object)
        placed[f"{side}_category"] = pd.Series(per_name[codes], index=events.index, dtype="string").where(moves)
    return events.assign(**placed), table


def _events(events: pd.DataFrame | None, task_ids: pd.Series, warnings: list[str]) -> pd.DataFrame:
    if events is None or len(events) == 0:
        return empty_events()
    events = conform_events(events)
    # pyarrow's hash lookup: pandas' isin on Arrow strings boxes each id in Python.
    known = pd.Series(pc.fill_null(pc.is_in(pa.array(events["task_id"].astype(object), type=pa.string()),
                                            value_set=pa.array(task_ids.astype(object), type=pa.string())),
                                   False).to_numpy(zero_copy_only=False), index=events.index)
    if not known.all():
        warnings.append(f"{int((~known).sum())} history entries belong to tasks not in the table and were left out.")
    return events.loc[known].reset_index(drop=True)

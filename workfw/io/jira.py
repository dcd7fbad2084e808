"""Jira readers: CSV "all fields" / "current fields" (``jira-csv``) and REST search JSON (``jira-json``).

Columns are found by header name, never by position, and repeated headers
(``Labels``, ``Sprint``, ``Comment``, ``Watchers``, ``Inward issue link (Blocks)``...)
are read by name.  Headers in another of Jira's UI languages are read back
to English first (:mod:`workfw.io._jira_headers`).

``Custom field (Flagged)`` (``Impediment`` on flagged issues) has no canonical
field: it is not a label the team chose and carries no history, so it is named
in the field map and kept in ``raw`` for a blocked-work diagnosis to read.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.errors import ExportReadError
from workfw.io._build import Assembly, assemble
from workfw.io._common import (arrow_lists, arrow_text, coded_text, count_values, first_present,
                               gather_repeated, strip_text, text_codes, text_column, to_number, trim_text)
from workfw.io._dates import DateParser
from workfw.io._jira_headers import english_headers
from workfw.io._jira_json import JIRA_STATUS_MAP, category_per_row, name_category, read_jira_json, sniff_jira_json
from workfw.io._registry import ExportFormat, ReadOptions, register, report_progress
from workfw.io._status import normalise_category
from workfw.io._text import CsvTable
from workfw.text_arrays import ascii_digits, blank_or_missing, int64_digits, plain_int64

__all__ = ["read_jira_csv", "sniff_jira_csv", "read_jira_json", "sniff_jira_json", "JIRA_STATUS_MAP"]

_STORY_POINTS = ("Custom field (Story Points)", "Custom field (Story point estimate)")
_TIS_HEADER = "Custom field ([CHART] Time in Status)"
_DONE_LIKE = ("done", "cancelled")
#: ``completed_basis`` and ``started_basis`` by code.
_BASES = (None, "inferred", "exact")


class _Columns:
    """Frame columns by English Jira header, whatever language the export used."""

    def __init__(self, table: CsvTable) -> None:
        self._by_header: dict[str, list[str]] = {}
        english, self.language = english_headers(table.headers)
        # Frame columns line up with headers (the frame's last column is _row).
        for column, name in zip(table.frame.columns[:-1], english):
            self._by_header.setdefault(name.casefold(), []).append(column)

    def named(self, header: str) -> list[str]:
        return list(self._by_header.get(header.casefold(), []))

    def first(self, *headers: str) -> str | None:
        for header in headers:
            if found := self.named(header):
                return found[0]
        return None


#: Canonical text fields and the English headers _map_fields reads each from (the first present wins).
_TEXT_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("task_id", ("Issue key",)), ("title", ("Summary",)), ("description", ("Description",)),
    ("task_type", ("Issue Type",)), ("status", ("Status",)), ("assignee", ("Assignee",)),
    ("reporter", ("Reporter",)), ("team", ("Team", "Custom field (Team)")),
    ("project", ("Project key", "Project name")), ("priority", ("Priority",)),
    ("resolution", ("Resolution",)), ("url", ("Custom field (Issue URL)",)))
#: Headers whose columns become canonical text (casefolded English names): those above, and the sprints.
_TEXT_HEADERS = frozenset(h.casefold() for _, headers in _TEXT_FIELDS for h in (*headers, "Sprint"))


def _text_columns(headers: list[str]) -> set[int]:
    """Positions of the headers read into canonical text fields, whatever language the export used."""
    return {i for i, name in enumerate(english_headers(headers)[0]) if name.casefold() in _TEXT_HEADERS}


def sniff_jira_csv(headers: list[str]) -> bool:
    """Return True when the header row has Jira's ``Issue key`` and ``Summary`` (or their translations)."""
    names = {h.casefold() for h in english_headers(headers)[0]}
    return "issue key" in names and "summary" in names


def _per_value(values: pd.Series, fn: Callable[[Any], str | None]) -> pd.Series:
    """``values.map(fn)`` skipping NA, calling ``fn`` once per distinct value; a categorical of its texts.

    Categorical because the callers number and compare the result row by row: a million rows hold
    the few texts ``fn`` returns.  ``fn`` returns text or None (NA).
    """
    codes, distinct = text_codes(values)
    out_codes, texts = pd.factorize(pd.Series([fn(u) for u in distinct] + [None], dtype=object))
    return pd.Series(pd.Categorical.from_codes(out_codes[codes], categories=pd.Index(list(texts), dtype=object)),
                     index=values.index)


def _last_present(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    out = None
    for col in columns:  # later columns win, so the result is the last filled one
        values = frame[col].astype("string")
        filled = _has_text(arrow_text(values)).to_numpy(zero_copy_only=False)
        if out is None:
            # Nothing before to keep: a column filled on every row is the result as it is.
            out = values if filled.all() else values.where(filled)
        else:
            out = values.where(filled, out)
    return text_column(None, frame.index) if out is None else out


def _parents(raw: pd.DataFrame, cols: _Columns, key: pd.Series, field_map: dict[str, str],
             warnings: list[str]) -> pd.Series:
    """``Parent key``, else ``Parent``/``Parent id`` resolved through ``Issue id``, else ``Epic Link``.

    Worked in pyarrow: a million rows of ids are hashed once, never boxed as Python strings.
    """
    parent = pa.nulls(len(raw), type=pa.large_string())
    if col := cols.first("Parent key"):
        parent = _blank_as_null(trim_text(arrow_text(raw[col])))
        field_map[col] = "parent_id"
    numeric_col = cols.first("Parent", "Parent id")
    if numeric_col:
        numbers = _blank_as_null(trim_text(arrow_text(raw[numeric_col])))
        field_map[numeric_col] = "parent_id"
        plain = plain_int64(numbers)  # the usual export: every parent a plain number, read in two passes
        is_number = pc.is_valid(numbers) if plain is not None else ascii_digits(numbers)
        resolved = pa.nulls(len(raw), type=pa.large_string())
        if id_col := cols.first("Issue id"):
            field_map[id_col] = "parent_id (resolves Parent)"
            issue_ids = trim_text(arrow_text(raw[id_col]))
            row = _row_of_id(numbers, is_number, issue_ids, plain)
            # Rows that name no number have row -1, so what was found is already empty there.
            resolved = arrow_text(key).take(pa.array(row, mask=row < 0))
        if plain is None and not _only_numbers(numbers, is_number):
            resolved = pc.if_else(is_number, resolved, numbers)
        outside = pc.sum(pc.and_(pc.and_(pc.is_null(parent), is_number), pc.is_null(resolved))).as_py() or 0
        if outside:
            warnings.append(f"{outside} issues name a parent by numeric id ({numeric_col!r}) that is not in this "
                            "file, so their parent is left empty; export the parents too to keep the hierarchy.")
        parent = _coalesce(parent, resolved)
    if col := cols.first("Custom field (Epic Link)"):
        parent = _coalesce(parent, _blank_as_null(trim_text(arrow_text(raw[col]))))
        field_map[col] = "parent_id (epic)"
    return pd.Series(parent.to_pandas(types_mapper={pa.large_string(): pd.StringDtype()}.get).array, index=raw.index)


def _coalesce(first: pa.Array, then: pa.Array) -> pa.Array:
    """``pc.coalesce(first, then)``, without copying ``then`` when ``first`` is all empty."""
    return then if first.null_count == len(first) else pc.coalesce(first, then)


def _only_numbers(values: pa.Array, is_number: pa.Array) -> bool:
    """Whether every value present is a number (``is_number`` is False for missing values)."""
    return bool(pc.all(pc.or_(pc.is_null(values), is_number)).as_py())


def _row_of_id(numbers: pa.Array, is_number: pa.Array, issue_ids: pa.Array,
               plain_numbers: np.ndarray | None = None) -> np.ndarray:
    """Row of the issue whose ``Issue id`` each number names (-1: none); the last such row wins.

    Ids are numbers, so they are compared as int64 in numpy (a table indexed by id, or a sort and a
    binary search) rather than hashed as a million strings.  ``plain_numbers`` is
    :func:`~workfw.text_arrays.plain_int64` of ``numbers`` when the caller has it: when the ids are plain
    numbers too, both are compared as they are.  Otherwise ids that int64 cannot hold exactly as written
    (leading zeros, more than 18 digits) send the whole column to the text comparison.
    """
    n = len(issue_ids)
    plain_ids = plain_int64(issue_ids) if plain_numbers is not None else None
    if plain_ids is not None:
        # Every id and every number present is a plain number: no check per value.
        rows_with_id = np.flatnonzero(pc.is_valid(issue_ids).to_numpy(zero_copy_only=False))
        asked = pc.is_valid(numbers).to_numpy(zero_copy_only=False)
        return _rows_by_number(plain_ids[rows_with_id], rows_with_id, plain_numbers, asked)
    id_ok = int64_digits(issue_ids)
    number_ok = int64_digits(numbers, is_number)
    blank_id = pc.fill_null(pc.equal(pc.utf8_length(issue_ids), 0), True)
    asked = is_number.to_numpy(zero_copy_only=False)
    if not (pc.all(pc.or_(pc.invert(is_number), number_ok)).as_py()
            and pc.all(pc.or_(blank_id, id_ok)).as_py()):
        # Looked up in the ids reversed: index_in finds the first match, so later rows win.
        pos = pc.fill_null(pc.index_in(numbers, value_set=issue_ids[::-1]), -1).to_numpy(zero_copy_only=False)
        return np.where(asked & (pos >= 0), n - 1 - pos, -1).astype(np.int64)
    # Cast straight to numbers when every id present is one (no blank id), sparing a copy of the text.
    castable = issue_ids if _only_numbers(issue_ids, id_ok) else pc.if_else(id_ok, issue_ids,
                                                                            pa.nulls(n, type=issue_ids.type))
    ids = pc.fill_null(pc.cast(castable, pa.int64()), 0).to_numpy()
    rows_with_id = np.flatnonzero(id_ok.to_numpy(zero_copy_only=False))
    valued = ids[rows_with_id]
    castable = numbers if _only_numbers(numbers, is_number) else pc.if_else(is_number, numbers,
                                                                           pa.nulls(n, type=numbers.type))
    target = pc.fill_null(pc.cast(castable, pa.int64()), 0).to_numpy()
    return _rows_by_number(valued, rows_with_id, target, asked)


def _rows_by_number(valued: np.ndarray, rows_with_id: np.ndarray, target: np.ndarray,
                    asked: np.ndarray) -> np.ndarray:
    """For each ``target`` (where ``asked``), the last of ``rows_with_id`` whose id ``valued`` equals it; else -1."""
    if not len(rows_with_id):
        return np.full(len(target), -1, dtype=np.int64)
    low = int(valued.min())
    span = int(valued.max()) - low + 1
    if span <= 4 * len(rows_with_id) + 1024:
        # Ids of one export are nearly contiguous: a table indexed by id is a lookup without a sort.
        # maximum.at keeps the highest row of a repeated id, which is the last one in the file.
        table = np.full(span, -1, dtype=np.int64)
        np.maximum.at(table, valued - low, rows_with_id)
        inside = asked & (target >= low) & (target < low + span)
        return np.where(inside, table[np.where(inside, target - low, 0)], -1)
    # Reversed, np.unique keeps each id's first occurrence: the last row in file order.
    distinct, first_rev = np.unique(valued[::-1], return_index=True)
    last_row = rows_with_id[::-1][first_rev]
    at = np.clip(np.searchsorted(distinct, target), 0, len(distinct) - 1)
    return np.where(asked & (distinct[at] == target), last_row[at], -1).astype(np.int64)


def _has_text(values: pa.Array) -> pa.Array:
    """Which values keep some text once stripped (neither empty nor all blanks), without stripping them."""
    return pa.array(~blank_or_missing(values))


def _blank_as_null(values: pa.Array) -> pa.Array:
    empty = pc.equal(pc.binary_length(values), 0)
    if not pc.any(empty).as_py():
        # The CSV parse reads empty cells as missing, so only blanks stripped away leave empty text:
        # most columns need no copy.
        return values
    return pc.if_else(empty, pa.nulls(len(values), type=values.type), values)


#: Rows split at a time: the split's temporaries (three copies of the text, nine million parts at a
#: million rows) would otherwise set the import's memory peak.
_SEGMENT_BATCH = 200_000


def _segments(cells: pd.Series) -> pd.DataFrame:
    """Explode Time-in-Status cells into one row per segment: ``row, pos, last, sid, ms``.

    Cells are ``statusId_*:*_timesEntered_*:*_ms`` segments joined by ``_*|*_``; a row with any
    malformed segment is left out whole.  Split in pyarrow, a batch of rows at a time: a
    million-row export has several million segments.  ``sid`` is categorical (a few dozen
    status ids shared by millions of segments).
    """
    rows, sids, ms = [], [], []
    for lo in range(0, len(cells), _SEGMENT_BATCH):
        pos, sid, millis = _split_segments(cells.iloc[lo:lo + _SEGMENT_BATCH])
        rows.append(pos + lo)
        sids.append(sid)
        ms.append(millis)
    if not rows:
        rows, ms = [np.array([], dtype=np.int64)], [np.array([], dtype=np.int64)]
        sids = [pa.array([], type=pa.large_string())]
    sid = pc.dictionary_encode(pa.chunked_array(sids, type=pa.large_string()).combine_chunks())
    names = pd.Index(sid.dictionary.cast(pa.string()).to_pylist(), dtype=object)
    at = np.concatenate(rows)
    starts, sizes = _runs(at)
    first = np.repeat(starts, sizes)
    pos = np.arange(len(at)) - first
    return pd.DataFrame({"row": cells.index.to_numpy()[at],
                         "sid": pd.Categorical.from_codes(sid.indices.to_numpy(zero_copy_only=False), categories=names),
                         "ms": np.concatenate(ms), "pos": pos, "last": pos == np.repeat(sizes, sizes) - 1,
                         "size": np.repeat(sizes, sizes)})


def _runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of each run of equal neighbours (a row's segments lie next to each other)."""
    if not len(values):
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    new = np.empty(len(values), dtype=bool)
    new[0] = True
    np.not_equal(values[1:], values[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    return starts, np.diff(np.append(starts, len(values)))


def _split_segments(cells: pd.Series) -> tuple[np.ndarray, pa.Array, np.ndarray]:
    """Positions (in ``cells``), status ids and milliseconds of the well-formed rows' segments."""
    text = trim_text(arrow_text(cells))
    present = np.flatnonzero(pc.fill_null(pc.greater(pc.utf8_length(text), 0), False).to_numpy(zero_copy_only=False))
    lists = pc.split_pattern(text.take(present), "_*|*_")
    seg_row = present[pc.list_parent_indices(lists).to_numpy()]
    parts = pc.split_pattern(pc.list_flatten(lists), "_*:*_")
    n_parts = pc.list_value_length(parts)
    # list_element needs every list long enough; pad the malformed ones before taking parts.
    padded = pc.if_else(pc.equal(n_parts, 3), parts, pa.scalar(["", "", ""], type=pa.list_(pa.large_string())))
    sid = trim_text(pc.list_element(padded, 0))
    ms_text = trim_text(pc.list_element(padded, 2))
    good = (n_parts.to_numpy(zero_copy_only=False) == 3) & pc.fill_null(
        pc.utf8_is_digit(ms_text), False).to_numpy(zero_copy_only=False)
    keep = ~np.isin(seg_row, np.unique(seg_row[~good]))
    mask = pa.array(keep)
    return seg_row[keep], sid.filter(mask), pc.cast(ms_text.filter(mask), pa.int64()).to_numpy()


def _started_from_time_in_status(cells: pd.Series, status: pd.Series, created: pd.Series,
                                 completed: pd.Series, done: pd.Series, category_of_name: dict[str, str],
                                 warnings: list[str]) -> pd.Series:
    """Infer when done issues started: created + time spent in to-do statuses before the first start.

    Status ids are not named in the file: an id is given the status name of the
    issues whose current status is its last (or only) segment.  The first
    segment is the status an issue was created in, taken as to-do when no issue
    names it.  Segments are in the order first visited.  Vectorised: a
    million-row export has several million segments.
    """
    started = pd.Series(pd.NaT, index=status.index, dtype="datetime64[ns, UTC]")
    seg = _segments(cells)
    if seg.empty:
        return started
    single = seg["size"] == 1
    votes = seg.loc[seg["last"], ["row", "sid"]].assign(weight=single[seg["last"]].map({True: 2, False: 1}))
    votes["name"] = status.reindex(votes["row"].to_numpy()).to_numpy()
    votes = votes[votes["name"].notna()]
    votes["order"] = range(len(votes))
    # Counter.most_common: the highest count wins, ties go to the name seen first.
    tally = votes.groupby(["sid", "name"], sort=False).agg(weight=("weight", "sum"), first=("order", "min"))
    tally = tally.reset_index().sort_values(["sid", "weight", "first"], ascending=[True, False, True])
    winners = tally.drop_duplicates("sid")
    id_category = dict(zip(winners["sid"], winners["name"].map(category_of_name)))
    eligible = (done & created.notna() & completed.notna()).reindex(seg["row"].to_numpy()).to_numpy(dtype=bool)
    seg = seg[eligible]
    if seg.empty:
        return started
    # Map the few status ids, then spread them over the segments by code.
    per_id = np.array([id_category.get(name) for name in seg["sid"].cat.categories], dtype=object)
    cat = pd.Series(per_id[seg["sid"].cat.codes.to_numpy()], index=seg.index, dtype=object)
    cat = cat.where(cat.notna() | (seg["pos"] != 0), "todo")
    # A row's segments are neighbours: each row's any/sum is one reduceat over its run.
    starts, _ = _runs(seg["row"].to_numpy())
    by_row = pd.DataFrame({
        "unknown": np.logical_or.reduceat(cat.isna().to_numpy(dtype=bool), starts),
        "worked": np.logical_or.reduceat((cat == "in_progress").to_numpy(dtype=bool), starts),
        "todo_ms": np.add.reduceat(seg["ms"].where(cat == "todo", 0).to_numpy(dtype=np.int64), starts)},
        index=seg["row"].to_numpy()[starts])
    unknown = int(by_row["unknown"].sum())
    known_rows = by_row[~by_row["unknown"]]
    rows = known_rows.index.to_numpy()
    guess = created.reindex(rows) + pd.to_timedelta(known_rows["todo_ms"].to_numpy(), unit="ms")
    ok = known_rows["worked"].to_numpy(dtype=bool) & (guess <= completed.reindex(rows)).to_numpy(dtype=bool)
    # Through the datetime array itself: to_numpy() would box each tz-aware value as a Timestamp.
    started = pd.Series(guess[ok].array, index=rows[ok]).reindex(status.index).astype(started.dtype)
    if unknown:
        warnings.append(f"{unknown} done issues passed through statuses that no issue in the file is in now, so "
                        f"{_TIS_HEADER!r} could not tell when they started; their started time is left empty.")
    return started


def _map_fields(raw: pd.DataFrame, cols: _Columns, field_map: dict[str, str], warnings: list[str]) -> pd.DataFrame:
    """The fields read straight from their columns (all but dates and what follows from them)."""
    mapped = pd.DataFrame(index=raw.index)

    def take(field: str, *headers: str) -> None:
        present = [c for h in headers if (c := cols.first(h))]
        field_map.update(dict.fromkeys(present, field))
        mapped[field] = first_present(raw, present)

    for field, headers in _TEXT_FIELDS:
        take(field, *headers)
    mapped["task_id"] = strip_text(mapped["task_id"])
    assignee = arrow_text(mapped["assignee"])
    has_assignee = _has_text(assignee)
    mapped["assignees"] = arrow_lists(np.concatenate([[0], np.cumsum(has_assignee.to_numpy(zero_copy_only=False))]),
                                       assignee.filter(has_assignee), raw.index)
    mapped["parent_id"] = _parents(raw, cols, mapped["task_id"], field_map, warnings)

    repeated = {"labels": "Labels", "iteration": "Sprint", "comments": "Comment", "watchers": "Watchers",
                "blocked_by": "Inward issue link (Blocks)"}
    for field, header in repeated.items():
        field_map.update(dict.fromkeys(cols.named(header), field))
    mapped["labels"] = gather_repeated(raw, cols.named("Labels"))
    mapped["blocked_by"] = gather_repeated(raw, cols.named("Inward issue link (Blocks)"), sep=",")
    mapped["iteration"] = _last_present(raw, cols.named("Sprint"))
    mapped["comments"] = count_values(raw, cols.named("Comment"))
    mapped["watchers"] = count_values(raw, cols.named("Watchers"))
    points = [c for h in _STORY_POINTS if (c := cols.first(h))]
    field_map.update(dict.fromkeys(points, "estimate"))
    # Without a story-point column there is nothing to read: skip the text pass over a million NA cells.
    mapped["estimate"] = (to_number(first_present(raw, points), column=" / ".join(points), warnings=warnings)
                          if points else pd.Series(pd.NA, index=raw.index, dtype="Float64"))
    if flag := cols.first("Custom field (Flagged)"):
        field_map[flag] = "(raw only: board flag 'Impediment', no canonical field)"
    return mapped


def read_jira_csv(table: CsvTable, *, file: str, options: ReadOptions) -> "TaskExport":  # noqa: F821
    """Read a Jira CSV export ("all fields" or "current fields", Cloud or Server/Data Center).

    Parameters
    ----------
    table : CsvTable
        The file read as text.
    file : str
        File name for messages.
    options : ReadOptions
        Common options; ``tz`` is the exporting user's profile time zone
        (Jira writes none) and ``date_order`` settles ``03/04/2024``.

    Returns
    -------
    TaskExport
    """
    raw = table.frame
    cols = _Columns(table)
    warnings = list(table.warnings)
    field_map: dict[str, str] = {}
    if cols.first("Issue key") is None:
        raise ExportReadError(file, "the header row", f"columns {table.headers[:10]} without 'Issue key'",
                              "a Jira CSV export, which always has 'Issue key' and 'Summary'",
                              "leave source='auto', or export again with Export Excel CSV (all fields)")
    # The dates' warnings are kept apart and joined after the mapping's, in the order a reading one after
    # the other gives them.
    dates = DateParser(file=file, tz=options.tz, date_order=options.date_order, warnings=[])
    date_cols = {name: cols.first(header) for name, header in (
        ("created", "Created"), ("updated", "Updated"), ("due", "Due date"), ("resolved", "Resolved"),
        ("changed", "Status Category Changed"))}
    with ThreadPoolExecutor(max_workers=1) as pool:
        # Reading dates is mostly Arrow and numpy work that releases the GIL: it runs beside the mapping,
        # which is single-threaded Arrow work, so both cores stay busy after the parse.  One thread for the
        # dates, not one per core: the mapping is the longer path and needs its core.
        reading = pool.submit(dates.parse_columns, {c: raw[c] for c in date_cols.values() if c}, rows=raw["_row"],
                              threads=False)
        mapped = _map_fields(raw, cols, field_map, warnings)
        # The categories need no date: worked out while the dates may still be being read.
        stated_col = cols.first("Status Category")
        stated = (_per_value(raw[stated_col], normalise_category) if stated_col
                  else pd.Series(pd.NA, index=raw.index, dtype=object))
        if stated_col:
            field_map[stated_col] = "status_category"
        category, mapped["status_category"] = category_per_row(mapped["status"], stated, mapped["resolution"],
                                                               options.status_map)
        report_progress("dates", 0.45)
        read = reading.result()
    warnings.extend(dates.warnings)
    parsed = {name: read[c] if c else pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
              for name, c in date_cols.items()}
    report_progress("dates", 0.65)
    report_progress("mapping", 0.65)
    for name in ("created", "updated", "due"):
        mapped[name] = parsed[name]
    field_map.update({c: f for f, c in (("created", date_cols["created"]), ("updated", date_cols["updated"]),
                                         ("due", date_cols["due"]), ("completed", date_cols["resolved"]),
                                         ("started, completed", date_cols["changed"])) if c})

    done, in_progress = category.isin(_DONE_LIKE), category == "in_progress"
    resolved, changed = parsed["resolved"], parsed["changed"]
    # A task without a status is neither open nor done, so its Resolved date contradicts nothing.
    placed = (mapped["status"].notna() | pd.Series(stated, index=raw.index).notna()).to_numpy(dtype=bool)
    stray = int((resolved.notna() & ~done & placed).sum())
    if stray:
        warnings.append(f"{stray} issues have a Resolved date but a status that is not done (a workflow that "
                        "keeps the resolution on reopen); their completed time is left empty.")
    mapped["completed"] = resolved.where(done).fillna(changed.where(done))
    # Bases as codes into (NA, "inferred", "exact"); a Resolved date outranks the category change.
    done_at, changed_at = done.to_numpy(dtype=bool), changed.notna().to_numpy()
    basis = np.where(done_at & resolved.notna().to_numpy(), 2, np.where(done_at & changed_at, 1, 0))
    mapped["completed_basis"] = coded_text(basis, _BASES, raw.index)
    mapped["started"] = changed.where(in_progress)
    mapped["started_basis"] = coded_text(np.where(in_progress.to_numpy(dtype=bool) & changed_at, 2, 0), _BASES,
                                         raw.index)

    if tis_col := cols.first(_TIS_HEADER):
        field_map[tis_col] = "started (inferred for done issues)"
        user = {str(k).strip().casefold(): v for k, v in (options.status_map or {}).items()}
        pairs = pd.DataFrame({"s": mapped["status"].astype("string").str.strip().str.casefold(),
                              "c": pd.Series(stated, index=raw.index, dtype=object)})
        # Compared only where present: a file without 'Status Category' holds NA, which == "" cannot answer.
        named = pairs["c"].notna().to_numpy(dtype=bool, copy=True)
        named[named] = pairs["c"].to_numpy(dtype=object)[named] != ""
        pairs = pairs[pairs["s"].notna().to_numpy(dtype=bool) & named]
        # The last row naming a status wins, as a dict built row by row would keep it.
        pairs = pairs.drop_duplicates("s", keep="last")
        known = dict(zip(pairs["s"], pairs["c"]))
        names = mapped["status"].dropna().unique()
        inferred = _started_from_time_in_status(
            raw[tis_col], mapped["status"], mapped["created"],
            mapped["completed"], done, {n: name_category(n, user, known) for n in names}, warnings)
        mapped["started"] = mapped["started"].fillna(inferred)
        mapped["started_basis"] = mapped["started_basis"].mask(inferred.notna() & mapped["started_basis"].isna(),
                                                                "inferred")
    return assemble(Assembly(raw=raw, mapped=mapped, source="jira-csv", file=file, field_map=field_map,
                             default_status_map=JIRA_STATUS_MAP, warnings=warnings),
                    status_map=options.status_map, team=options.team)


register(ExportFormat(
    name="jira-csv", label="Jira CSV (all fields or current fields)", kind="csv",
    sniff=sniff_jira_csv, read=read_jira_csv, text_columns=_text_columns,
    how_to_export="Jira issue search or filter -> Export -> Export Excel CSV (all fields), at most 1,000 issues a file",
))

register(ExportFormat(
    name="jira-json", label="Jira REST search JSON (with changelog)", kind="json",
    sniff=sniff_jira_json, read=read_jira_json,
    how_to_export="open <site>/rest/api/2/search?jql=project=KEY&expand=changelog&maxResults=100 in the "
                  "browser while logged in and save the page as .json (past 100 issues, add &startAt=100, 200, "
                  "... and save each page, into one file one after another or into files read together)",
))

"""Property-based tests: whatever bytes arrive, read_export either works or says clearly why not.

The contract checked on every generated input:

* the only exceptions are :class:`workfw.errors.WorkfwError` subclasses, whose
  message names the file and the place (row, column, line, header or whole file);
* on success ``rows_read + synthetic == len(tasks) + merged + rejected``, every merged or
  rejected row has a reason, ``task_id`` is unique and every original column
  is in ``raw``.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workfw as wf
from workfw.errors import WorkfwError
from workfw.io._text import read_csv_table

NAME = "fuzz.csv"
FIXTURES = Path(__file__).parent / "fixtures"
PLACES = ("row", "column", "line", "header", "whole file", "record")  # record: a JSON row
SETTINGS = settings(max_examples=80, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# For tests that reach other engineers' readers: one (shrunk) failure at a time,
# so a failure shrinks to one clear example.
TRACKER_SETTINGS = settings(SETTINGS, max_examples=60, report_multiple_bugs=False)
MAPPING = {"task_id": "ID", "title": "Title", "status": "Status", "created": "Created", "labels": "Labels",
           "assignee": "Owner", "estimate": "Points", "comments": "Comments", "parent_id": "Parent"}

# --- strategies ------------------------------------------------------------

KNOWN_HEADERS = ["ID", "Title", "Status", "Created", "Labels", "Owner", "Points", "Comments", "Parent",
                 "_row", "task_id", "_reason", "Labels (2)", "(extra 1)", "", " ID "]
TRICKY_TEXT = st.text(alphabet=st.sampled_from(list('ab ,;\t|"\'\n\r=+-@éß–😀\u2028\x0b\ufeff0123456789:/.TZ')),
                      max_size=12)
DATEISH = st.sampled_from(["2024-01-02", "2024-03-04 10:00", "03/04/2024", "13/04/2024", "04/13/2024 5:00 PM",
                           "2024-07-01T10:00:00+02:00", "0001-01-01", "9999-12-31", "1700000000000", "45000",
                           "17/Apr/24 10:15 AM", "Mon Apr 01 2024 10:00:00 GMT+0200", "not a date", ""])
CELL = st.one_of(TRICKY_TEXT, DATEISH, st.sampled_from(["7.18656E+14", "1", "1", "2", "Done", "In Progress",
                                                        "a, b", "-1", "2.5", "inf", "row-2"]))
HEADER = st.one_of(st.sampled_from(KNOWN_HEADERS), TRICKY_TEXT)
# Cells that mostly fit their column, so that many files get past date and id checks.
COLUMN_CELLS = {
    "ID": st.one_of(st.sampled_from(["1", "2", "3", "A-1", "A-1", "7.18656E+14", "7.18657E+14", "", " ", "row-2"]),
                    TRICKY_TEXT),
    "Created": st.one_of(st.sampled_from(["2024-01-02", "2024-03-04 10:00", "03/04/2024", "13/04/2024", ""]),
                         DATEISH),
    "Status": st.sampled_from(["Done", "In Progress", "To Do", "Parked", "", "(none)"]),
    "Labels": st.sampled_from(["a, b", "a", "", ",", "b,,c"]),
    "Points": st.sampled_from(["1", "2.5", "x", "", "inf", "1e400", "-3"]),
    "Comments": st.sampled_from(["1", "2.5", "x", "", "-1", "99999999999999999999"]),
}


@st.composite
def csv_files(draw: st.DrawFn, required: tuple[str, ...] = ()) -> bytes:
    """A CSV file as some tool might write it: any headers, cells, delimiter, quoting and encoding.

    ``required`` headers are included (in random order, among random extra
    headers) in most files, so a mapping naming them gets past the header check.
    """
    headers = draw(st.lists(HEADER, min_size=1, max_size=8))
    if required and draw(st.integers(0, 9)) > 0:
        headers = draw(st.permutations(list(required) + headers[:3]))
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        row = [draw(COLUMN_CELLS.get(h.strip(), CELL)) for h in headers]
        ragged = draw(st.integers(-2, 2)) if draw(st.integers(0, 4)) == 0 else 0
        rows.append(row[:len(row) + ragged] if ragged < 0 else row + [draw(CELL) for _ in range(ragged)])
    delim = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if draw(st.integers(0, 3)) > 0:
        buf = io.StringIO()
        quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
        writer = csv.writer(buf, delimiter=delim, lineterminator=newline, quoting=quoting)
        for row in [headers, *rows]:
            writer.writerow(row)
        text = buf.getvalue()
    else:  # no quoting at all: delimiters and quotes inside cells break the structure
        text = "".join(delim.join(row) + newline for row in [headers, *rows])
    if draw(st.booleans()):
        text = draw(st.sampled_from(["", ",,\n,,https://app.asana.com/x\n,,\n", "Report\n\n", "\n\n\n"])) + text
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"]))
    return text.encode(encoding, errors="replace")


VALID = ("ID,Title,Status,Created,Labels,Labels,Owner,Points,Parent\r\n"
         "A-1,Login page,In Progress,2024-05-01 09:00,ui,auth,Ana,3,\r\n"
         "A-2,\"Logout, then redirect\",Done,2024-05-02,ui,,\"Ana, Ben\",2.5,A-1\r\n"
         "A-3,\"Two\nline title\",To Do,03/05/2024,,,Cy,,A-1\r\n"
         "7.18656E+14,Excel damaged,Done,13/05/2024,,,Dee,1,\r\n"
         "A-1,Login page,In Progress,,api,,Ben,,\r\n").encode("utf-8")


# Real tracker exports written by the reader authors (read only, never edited here),
# so auto-detection fuzzing reaches the tracker readers and not only "unknown format".
TRACKER_FILES = sorted(p for p in FIXTURES.glob("*.*") if not p.name.startswith("core_")
                       and p.suffix in (".csv", ".json", ".txt"))
TRACKER_SEEDS = [p.read_bytes() for p in TRACKER_FILES]


def _tracker_headers() -> list[tuple[str, ...]]:
    out = []
    for data in TRACKER_SEEDS:
        try:
            out.append(tuple(read_csv_table(data, name="seed").headers))
        except WorkfwError:
            continue  # a JSON seed
    return out


TRACKER_HEADERS = _tracker_headers()
OWN_SEEDS = [VALID, codecs.BOM_UTF8 + VALID, codecs.BOM_UTF16_LE + VALID.decode().encode("utf-16-le")]


@st.composite
def mutated_files(draw: st.DrawFn, seeds: tuple[bytes, ...] = tuple(OWN_SEEDS)) -> bytes:
    """A valid export damaged the ways downloads and spreadsheets damage files."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "drop", "duplicate", "delimiter", "garbage", "flip", "quote"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        size = draw(st.integers(1, 40))
        if kind == "truncate":
            del data[pos:]
        elif kind == "drop":
            del data[pos:pos + size]
        elif kind == "duplicate":
            data[pos:pos] = data[pos:pos + size]
        elif kind == "delimiter":
            data = bytearray(bytes(data).replace(b",", draw(st.sampled_from([b";", b"\t", b"|", b""]))))
        elif kind == "garbage":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=30)) + b"\n"
        elif kind == "flip":
            data[pos:pos + 1] = bytes([draw(st.integers(0, 255))])
        else:
            data[pos:pos] = b'"'
    return bytes(data)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TRICKY_TEXT | DATEISH,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "key", "fields", "issues", "cards", "lists", "title", "state", "created_at",
                         "name", "status", "labels", "number", "actions", "type", "data", "idList", "closed"])
        | TRICKY_TEXT, children, max_size=5),
    max_leaves=25)

JSON_SEEDS = [json.loads(d) for p, d in zip(TRACKER_FILES, TRACKER_SEEDS) if p.suffix == ".json"]


@st.composite
def mutated_json(draw: st.DrawFn) -> object:
    """A real tracker JSON export with a few values swapped for random JSON of any type."""
    if not JSON_SEEDS:
        return draw(JSON_VALUES)
    doc = json.loads(json.dumps(draw(st.sampled_from(JSON_SEEDS))))
    for _ in range(draw(st.integers(1, 3))):
        node, path = doc, []
        while isinstance(node, (dict, list)) and node and draw(st.integers(0, 5)) > 0:
            key = draw(st.sampled_from(list(node) if isinstance(node, dict) else list(range(len(node)))))
            path.append((node, key))
            node = node[key]
        if path:
            parent, key = path[-1]
            parent[key] = draw(JSON_VALUES)
    return doc


# --- the contract ----------------------------------------------------------


def check_contract(data: bytes, **options: object) -> wf.TaskExport | None:
    """Read ``data``; assert the error or success contract; return the export when it read."""
    try:
        export = wf.read_export(data, name=NAME, **options)
    except WorkfwError as exc:
        message = str(exc)
        assert NAME in message, message
        assert any(place in message for place in PLACES), message
        return None
    report, raw, tasks = export.report, export.raw, export.tasks
    assert report.rows_read + report.synthetic == len(tasks) + report.merged + report.rejected
    assert report.rows_read == len(raw)
    assert tasks["task_id"].is_unique
    assert tasks["task_id"].notna().all()
    assert raw.loc[raw["_outcome"] != "task", "_reason"].notna().all()
    assert set(raw["_outcome"]) <= {"task", "merged", "rejected"}
    if report.source.endswith("csv"):
        columns = [c for c in read_csv_table(data, name=NAME, encoding=options.get("encoding"),
                                             delimiter=options.get("delimiter")).frame.columns if c != "_row"]
        assert set(columns) <= set(raw.columns)
    return export


# --- properties ------------------------------------------------------------


@SETTINGS
@given(csv_files(required=tuple(MAPPING.values())))
def test_random_csv_through_generic_mapping(data: bytes) -> None:
    check_contract(data, source="generic-csv", mapping=MAPPING)


SMALL_MAPPINGS = [{"task_id": "ID"}, {"task_id": "Title", "labels": "Labels"},
                  {"task_id": "ID", "created": "Created", "status": "Status"}]


@SETTINGS
@given(csv_files(required=("ID", "Title", "Labels", "Created", "Status")), st.sampled_from(SMALL_MAPPINGS))
def test_random_csv_with_small_mappings(data: bytes, mapping: dict) -> None:
    check_contract(data, source="generic-csv", mapping=mapping, tz="Europe/Berlin")


@SETTINGS
@given(st.one_of(csv_files(), *(csv_files(required=h) for h in TRACKER_HEADERS[:12])))
def test_random_csv_auto_detection(data: bytes) -> None:
    check_contract(data)


@SETTINGS
@given(mutated_files())
def test_mutated_valid_file_through_generic_mapping(data: bytes) -> None:
    check_contract(data, source="generic-csv", mapping={"task_id": "ID", "title": "Title", "status": "Status",
                                                        "created": "Created", "labels": "Labels"})


CSV_SEEDS = [d for p, d in zip(TRACKER_FILES, TRACKER_SEEDS) if p.suffix != ".json"]


@TRACKER_SETTINGS
@given(mutated_files(seeds=tuple(OWN_SEEDS + CSV_SEEDS)))
def test_mutated_tracker_files_auto_detection(data: bytes) -> None:
    check_contract(data)


@SETTINGS
@given(JSON_VALUES)
def test_random_json(doc: object) -> None:
    data = json.dumps(doc).encode()
    check_contract(data)
    check_contract(data, source="generic-csv", mapping={"task_id": "id"})


@TRACKER_SETTINGS
@given(mutated_json())
def test_mutated_tracker_json_auto_detection(doc: object) -> None:
    check_contract(json.dumps(doc).encode())


def test_valid_file_reads_with_the_expected_outcome() -> None:
    export = check_contract(VALID, source="generic-csv", mapping={"task_id": "ID", "title": "Title",
                                                                  "status": "Status", "created": "Created",
                                                                  "labels": "Labels", "assignees": "Owner"})
    assert export is not None
    assert export.tasks["task_id"].tolist() == ["A-1", "A-2", "A-3", "row-5"]
    assert export.tasks["labels"].tolist() == [["ui", "auth", "api"], ["ui"], [], []]
    assert export.tasks["assignees"].tolist()[0] == ["Ana", "Ben"]
    assert export.raw["_outcome"].tolist() == ["task", "task", "task", "task", "merged"]

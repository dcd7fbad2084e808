"""The bulk paths of the readers (issue #14): dates read by shape, parents looked up as numbers."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import workfw as wf
from workfw.errors import ExportReadError
from workfw.io._date_shapes import shapes_of, template_of, to_utc_ns
from workfw.io._dates import DateParser
from workfw.io.jira import _row_of_id

FIXTURES = Path(__file__).parent / "fixtures"


def _parse(values: list, **options) -> list:
    parser = DateParser(file="t.csv", **options)
    column = pd.Series(values, dtype=pd.ArrowDtype(pa.string()))
    parser.learn_order(column)
    return parser.parse(column, column="Created").tolist()


def _ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_every_minute_of_a_day_in_jira_form_matches_strftime() -> None:
    stamps = pd.date_range("2024-02-28 00:00", "2024-03-01 23:59", freq="7min")
    text = list(stamps.strftime("%d/%b/%y %-I:%M %p"))
    assert _parse(text) == [s.tz_localize("UTC") for s in stamps]


@pytest.mark.parametrize("text, expected", [
    ("2024-05-14T08:53:33.123456Z", "2024-05-14 08:53:33.123456"),
    ("2024-05-14T08:53:33+0530", "2024-05-14 03:23:33"),
    ("2024-05-14 08:53:33-04:00", "2024-05-14 12:53:33"),
    ("2024/05/14", "2024-05-14"),
    ("14.05.2024 08:53", "2024-05-14 08:53"),
    ("14. 5. 2024", "2024-05-14"),
    ("May 14, 2024 8:53 PM", "2024-05-14 20:53"),
    ("14 May 2024", "2024-05-14"),
    ("14-May-24", "2024-05-14"),
    ("Tue May 14 2024 08:53:33 GMT+0200 (Central European Summer Time)", "2024-05-14 06:53:33"),
    ("14/5月/24 8:53 午後", "2024-05-14 20:53"),
    ("14/maj/24 20:53", "2024-05-14 20:53"),
])
def test_shapes_read_the_formats_exports_use(text: str, expected: str) -> None:
    assert _parse([text, "31/01/2024"]) == [_ts(expected), _ts("2024-01-31")]


@pytest.mark.parametrize("form", ["%Y-%m-%dT%H:%M:%S.%fZ", "%d/%b/%y %-I:%M %p", "%d.%m.%Y %H:%M:%S",
                                  "%b %-d, %Y %-I:%M %p", "%Y-%m-%d %H:%M:%S+0000"])
def test_stamps_across_three_centuries_read_as_written(form: str) -> None:
    """Years 1700-2199, every hour and leap days: the int32 field arithmetic against pandas' own reading."""
    rng = np.random.default_rng(14)
    seconds = rng.integers(pd.Timestamp("1700-01-01").value // 10**9, pd.Timestamp("2199-12-31").value // 10**9, 3000)
    stamps = pd.to_datetime(seconds * 10**9 + rng.integers(0, 10**6, 3000) * 1000)
    stamps = stamps.append(pd.DatetimeIndex(["2024-02-29 12:00", "1900-02-28 00:00", "2000-02-29 23:59"]))
    if "%y" in form:  # two-digit years: 1969-2068, as Python's %y reads them
        stamps = stamps[(stamps.year >= 1969) & (stamps.year <= 2068)]
    text = list(stamps.strftime(form))
    expected = pd.to_datetime(text, format=form.replace("%-", "%"), utc=True)
    assert _parse(text) == list(expected)


def test_impossible_values_fall_to_the_careful_path_and_are_named() -> None:
    good = ["01/Feb/24 9:00 AM"] * 40
    with pytest.raises(ExportReadError, match=r"row 2.*'30/Feb/24 9:00 AM'"):
        DateParser(file="t.csv").parse(pd.Series(["01/Feb/24 9:00 AM", "30/Feb/24 9:00 AM"]), column="Created",
                                       rows=pd.Series([1, 2]))
    parser = DateParser(file="t.csv")
    out = parser.parse(pd.Series(good + ["13:00 PM 1/Feb/24"]), column="Created", rows=pd.Series(range(2, 43)))
    assert out.iloc[0] == _ts("2024-02-01 09:00") and pd.isna(out.iloc[-1])
    assert "row 42" in parser.warnings[0] and "'13:00 PM 1/Feb/24'" in parser.warnings[0]


def test_blank_and_placeholder_cells_are_missing_not_errors() -> None:
    assert [pd.isna(v) for v in _parse(["  ", "null", None, "NaT", " 01/02/2024 "], date_order="dmy")] == [
        True, True, True, True, False]


def test_time_zone_and_day_order_apply_to_the_bulk_path() -> None:
    parser = DateParser(file="t.csv", tz="America/New_York", date_order="dmy")
    out = parser.parse(pd.Series(["03/11/2024 01:30", "10/03/2024 02:30"]), column="Created")
    # Autumn's 01:30 happens twice: the first (EDT) is kept; spring's 02:30 never happens: it moves on to 03:00.
    assert out.tolist() == [_ts("2024-11-03 05:30"), _ts("2024-03-10 07:00")]


def test_unknown_order_warns_once_and_reads_month_first() -> None:
    parser = DateParser(file="t.csv")
    out = parser.parse(pd.Series(["03/04/2024", "05/06/2024"]), column="Due")
    assert out.tolist() == [_ts("2024-03-04"), _ts("2024-05-06")]
    assert len(parser.warnings) == 1 and "'03/04/2024'" in parser.warnings[0]


def test_a_shape_is_understood_once_and_reused() -> None:
    shapes = shapes_of(pa.array(["25/Feb/26 10:17 PM", "26/Feb/26 11:18 PM", "1/Mar/26 9:05 AM"]))
    assert len(shapes.shapes) == 2        # the one-digit day and hour make the second shape
    template = template_of("\x01/Feb/\x01 \x01:\x01 PM")
    assert (template.month_word, template.period_word, template.runs) == ("Feb", "PM", {"d": 0, "y": 1, "H": 2,
                                                                                         "M": 3})
    rows, ns, languages = to_utc_ns(shapes, np.arange(3), None, "UTC")
    assert rows.tolist() == [0, 1, 2] and languages == {"month": "en", "period": "en"}
    assert pd.to_datetime(ns, utc=True).tolist() == [_ts("2026-02-25 22:17"), _ts("2026-02-26 23:18"),
                                                     _ts("2026-03-01 09:05")]


def test_a_column_read_in_pieces_reads_as_one(monkeypatch) -> None:
    """Pieces of three values and of 64 shape bytes: every boundary falls inside runs, shapes and fallbacks."""
    import workfw.io._date_shapes as date_shapes
    import workfw.io._dates as dates

    rng = np.random.default_rng(3)
    stamps = pd.to_datetime(rng.integers(1.6e9, 1.8e9, 200) * 10**9)
    forms = ["%d/%b/%y %-I:%M %p", "%Y-%m-%dT%H:%M:%SZ", "%b %-d, %Y %-I:%M %p", "%d.%m.%Y %H:%M"]
    text = [s.strftime(forms[i % 4]) for i, s in enumerate(stamps)]
    text[7], text[50], text[51] = "  ", "2024-02-29", "Thu Feb 29 2024 10:00:00 GMT+0100 (CET)"  # blank, two fallbacks
    whole = _parse(text, date_order="dmy")
    monkeypatch.setattr(dates, "_BULK_PIECE", 3)
    monkeypatch.setattr(date_shapes, "_PIECE_BYTES", 64)
    assert _parse(text, date_order="dmy") == whole
    assert pd.isna(whole[7]) and whole[50] == _ts("2024-02-29") and whole[51] == _ts("2024-02-29 09:00")


def test_digits_become_run_marks_and_nothing_else_changes(monkeypatch) -> None:
    import workfw.io._date_shapes as date_shapes

    data = np.random.default_rng(4).integers(0, 256, 10_000, dtype=np.uint8)
    expected = np.where((data >= 48) & (data <= 57), np.uint8(1), data)
    assert np.array_equal(date_shapes._digits_as_runs(data), expected)
    monkeypatch.setattr(date_shapes, "_PIECE_BYTES", 33)
    assert np.array_equal(date_shapes._digits_as_runs(data), expected)
    assert len(date_shapes._digits_as_runs(data[:0])) == 0


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
def test_shapes_of_a_slice_or_of_large_text_read_as_the_whole(kind: pa.DataType) -> None:
    text = ["25/Feb/26 10:17 PM", None, "1/Mar/26 9:05 AM", "2024-05-14T08:53:33Z", "", "26/Feb/26 11:18 PM"]
    whole = pa.array(text * 3, type=pa.string())
    for values in (pa.array(text * 3, type=kind), pa.array(text * 3, type=kind)[5:14]):
        shapes = shapes_of(values)
        start = 0 if len(values) == len(whole) else 5
        expected = shapes_of(whole[start:start + len(values)].cast(pa.string()))
        assert [shapes.shapes[c] for c in shapes.codes] == [expected.shapes[c] for c in expected.codes]
        present = np.flatnonzero(pc.fill_null(pc.greater(pc.binary_length(values), 0), False).to_numpy(
            zero_copy_only=False))
        rows, ns, _ = to_utc_ns(shapes, present, "dmy", "UTC")
        assert [values[int(r)].as_py() for r in rows] == [t for t in values.to_pylist() if t]
        assert pd.to_datetime(ns, utc=True)[0] == pd.Timestamp(
            {"25/Feb/26 10:17 PM": "2026-02-25 22:17", "1/Mar/26 9:05 AM": "2026-03-01 09:05",
             "26/Feb/26 11:18 PM": "2026-02-26 23:18", "2024-05-14T08:53:33Z": "2024-05-14 08:53:33"}[
                values[int(rows[0])].as_py()], tz="UTC")


def _numbers(values: list) -> tuple[pa.Array, pa.Array]:
    arr = pa.array(values, type=pa.large_string())
    return arr, pc.fill_null(pc.match_substring_regex(arr, r"^\d+$"), False)


def test_parent_ids_are_found_as_numbers_and_the_last_row_wins() -> None:
    ids = pa.array(["10", "11", "10", "12", None, ""], type=pa.large_string())
    numbers, is_number = _numbers(["10", "12", "99", None, "x", "11"])
    assert _row_of_id(numbers, is_number, ids).tolist() == [2, 3, -1, -1, -1, 1]
    sparse = pa.array(["5", "90000000000", "5"], type=pa.large_string())   # far apart: searched, not tabled
    numbers, is_number = _numbers(["90000000000", "5", "6"])
    assert _row_of_id(numbers, is_number, sparse).tolist() == [1, 2, -1]


def test_ids_written_with_leading_zeros_are_compared_as_text() -> None:
    ids = pa.array(["010", "11", "10"], type=pa.large_string())
    numbers, is_number = _numbers(["10", "010", "11"])
    assert _row_of_id(numbers, is_number, ids).tolist() == [2, 0, 1]


def test_a_read_numbers_each_text_column_once_and_keeps_no_codes_after(monkeypatch: pytest.MonkeyPatch) -> None:
    import workfw.io._common as common

    numbered: list[int] = []
    original = common._codes_of_text

    def counting(arr: pa.Array) -> tuple[np.ndarray, pa.Array]:
        numbered.append(id(arr))
        return original(arr)

    monkeypatch.setattr(common, "_codes_of_text", counting)
    export = wf.read_export(FIXTURES / "jira_cloud_all_fields.csv")
    # The status column is numbered for the categories and for the status map: worked out once.
    assert len(numbered) == len(set(numbered)), "a column was numbered twice in one read"
    assert len(export.tasks) and common._KEPT_CODES.get() is None  # nothing outlives the read


def test_kept_text_codes_are_read_only() -> None:
    from workfw.io._common import keeping_text_codes, text_codes

    values = pd.Series(["a", "b", "a", None], dtype="string[pyarrow]")
    with keeping_text_codes():
        codes, distinct = text_codes(values)
        again, _ = text_codes(values)
    assert again is codes and distinct == ["a", "b"]
    with pytest.raises(ValueError):
        codes[0] = 5  # shared by every caller: a write would change the others' numbering


def test_kept_codes_belong_to_their_own_read() -> None:
    import threading

    from workfw.io._common import _KEPT_CODES, keeping_text_codes, text_codes

    values = pd.Series(["a", "b"], dtype="string[pyarrow]")
    inside, finished = threading.Event(), threading.Event()
    seen: list = []

    def other_read() -> None:
        with keeping_text_codes():
            text_codes(values)
            seen.append(_KEPT_CODES.get())
            inside.set()
            finished.wait(5)

    worker = threading.Thread(target=other_read)
    worker.start()
    inside.wait(5)
    arr = values.array._pa_array
    with keeping_text_codes():  # a read in this thread while the other is still running
        mine = _KEPT_CODES.get()
        text_codes(values)
        assert mine is not seen[0] and mine.get(arr) is not None
    # This read's codes went with its block; the other read still has its own.
    assert mine.get(arr) is None and seen[0].get(arr) is not None
    finished.set()
    worker.join(5)
    assert seen[0].get(arr) is None

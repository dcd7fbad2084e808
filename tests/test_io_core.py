"""The shared CSV core: encodings, delimiters, header rows, record shapes, errors.

Everything goes through the generic CSV reader (``source="generic-csv"``) so
these tests do not depend on the tracker readers.
"""
from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd
import pytest

import workfw as wf
from workfw.errors import EmptyExportError, ExportReadError, MappingError, OptionError, UnknownFormatError
from workfw.io._text import read_csv_table

FIXTURES = Path(__file__).parent / "fixtures"
MAP = {"task_id": "ID", "title": "Title", "status": "Status", "created": "Created"}
BASIC = "ID,Title,Status,Created\n1,Café,Done,2024-01-02\n2,Naïve,To Do,2024-01-03\n"
UTC = "UTC"


def read(data: bytes, mapping: dict | None = None, **options) -> wf.TaskExport:
    return wf.read_export(data, source="generic-csv", mapping=mapping or MAP, name="t.csv", **options)


def assert_invariant(export: wf.TaskExport, columns: list[str]) -> None:
    """The import contract every read must keep."""
    r, raw = export.report, export.raw
    assert r.rows_read + r.synthetic == len(export.tasks) + r.merged + r.rejected
    assert r.rows_read == len(raw)
    assert export.tasks["task_id"].is_unique
    assert export.tasks["task_id"].notna().all()
    assert set(columns) <= set(raw.columns)
    not_task = raw["_outcome"] != "task"
    assert raw.loc[not_task, "_reason"].notna().all()
    assert int((raw["_outcome"] == "merged").sum()) == r.merged
    assert int((raw["_outcome"] == "rejected").sum()) == r.rejected


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=UTC)


# --- encodings -------------------------------------------------------------

def test_utf8_with_bom_reads_first_header_and_accents() -> None:
    export = read(codecs.BOM_UTF8 + BASIC.encode())
    assert list(export.tasks["task_id"]) == ["1", "2"]
    assert list(export.tasks["title"]) == ["Café", "Naïve"]
    assert export.report.warnings == []
    assert_invariant(export, ["ID", "Title", "Status", "Created"])


def test_utf16_le_excel_unicode_text_tab_delimited() -> None:
    export = read(FIXTURES.joinpath("core_excel_unicode.txt").read_bytes(),
                  {"task_id": "Key", "title": "Summary", "status": "State", "created": "Opened"})
    assert list(export.tasks["title"]) == ["Café menu", "Straße – Plan"]
    assert list(export.tasks["status_category"]) == ["done", "in_progress"]
    assert list(export.tasks["created"]) == [ts("2024-02-01 09:30"), ts("2024-02-02 14:00")]
    table = read_csv_table(FIXTURES.joinpath("core_excel_unicode.txt").read_bytes(), name="u.txt")
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")


def test_cp1252_semicolon_excel_file_warns_and_keeps_accents() -> None:
    export = read(FIXTURES.joinpath("core_excel_cp1252.csv").read_bytes(),
                  {"task_id": "ID", "title": "Titel", "status": "Status", "created": "Erstellt"},
                  status_map={"Erledigt": "done", "Offen": "todo"})
    assert list(export.tasks["title"]) == ["Größe prüfen", "Café öffnen"]
    # 15.04 decides day-first for the whole column, so 03.04 is 3 April.
    assert list(export.tasks["created"]) == [ts("2024-04-03 10:15"), ts("2024-04-15 08:00")]
    assert list(export.tasks["status_category"]) == ["done", "todo"]
    assert any("read as cp1252" in w for w in export.report.warnings)


def test_named_encoding_that_does_not_fit_names_the_file() -> None:
    with pytest.raises(ExportReadError, match=r"t\.csv, the whole file: found bytes that are not ascii"):
        read("ID,Title\n1,Café\n".encode("utf-8"), {"task_id": "ID"}, encoding="ascii")


def test_xlsx_workbook_is_refused_with_save_as_csv_hint() -> None:
    with pytest.raises(ExportReadError, match=r"t\.csv, the whole file: found a ZIP archive .*Save As > CSV"):
        read(b"PK\x03\x04" + b"\x00" * 40)


# --- records ---------------------------------------------------------------

def test_semicolon_delimiter_with_commas_inside_text() -> None:
    data = b'ID;Title;Status;Created\n1;"Fix a, b and c";Done;2024-01-02\n2;Plan, then act;Done;2024-01-03\n'
    export = read(data)
    assert list(export.tasks["title"]) == ["Fix a, b and c", "Plan, then act"]


def test_crlf_records_with_newlines_inside_quoted_cells() -> None:
    data = (b'ID,Title,Status,Created,Notes\r\n1,"two\nlines",Done,2024-01-02,"a\r\nb"\r\n'
            b'2,plain,Done,2024-01-03,\r\n')
    export = read(data, {**MAP, "description": "Notes"})
    assert list(export.tasks["title"]) == ["two\nlines", "plain"]
    assert export.tasks["description"].iloc[0] == "a\r\nb"
    assert list(export.raw["_row"]) == [2, 3]


def test_short_rows_are_padded_with_a_warning() -> None:
    export = read(b"ID,Title,Status,Created\n1,a,Done\n2,b,Done,2024-01-03\n")
    assert export.tasks["created"].isna().tolist() == [True, False]
    assert export.tasks["status"].tolist() == ["Done", "Done"]
    assert "1 rows had fewer fields than the header" in export.report.warnings[0]


def test_long_rows_keep_extra_fields_in_extra_columns() -> None:
    export = read(b"ID,Title,Status,Created\n1,a,Done,2024-01-02,x,y\n2,b,Done,2024-01-03\n")
    raw = export.raw
    assert raw["(extra 1)"].tolist()[0] == "x" and raw["(extra 2)"].tolist()[0] == "y"
    assert raw["(extra 1)"].isna().tolist() == [False, True]
    assert "(extra 1)" in export.report.unmapped_columns
    assert any("more fields than the header" in w for w in export.report.warnings)
    assert_invariant(export, ["ID", "Title", "Status", "Created", "(extra 1)", "(extra 2)"])


def test_trailing_delimiter_on_every_line_adds_no_column() -> None:
    table = read_csv_table(b"ID,Title,\n1,a,\n2,b,\n", name="t.csv")
    assert list(table.frame.columns) == ["ID", "Title", "_row"]
    assert table.warnings == []


def test_blank_and_delimiter_only_lines_are_not_records() -> None:
    table = read_csv_table(b"ID,Title\n1,a\n\n,\n  ,  \n2,b\n", name="t.csv")
    assert table.frame["ID"].tolist() == ["1", "2"]


def test_repeated_headers_get_unique_names_and_columns_named() -> None:
    data = b"ID,Title,Labels,Labels,Status,Created,labels\n1,a,x,y,Done,2024-01-02,z\n2,b,,w,Done,2024-01-02,\n"
    table = read_csv_table(data, name="t.csv")
    assert list(table.frame.columns) == ["ID", "Title", "Labels", "Labels (2)", "Status", "Created",
                                         "labels (3)", "_row"]
    assert table.headers == ["ID", "Title", "Labels", "Labels", "Status", "Created", "labels"]
    assert table.columns_named("Labels") == ["Labels", "Labels (2)", "labels (3)"]
    export = read(data, {**MAP, "labels": "Labels"})
    assert export.tasks["labels"].tolist() == [["x", "y", "z"], ["w"]]
    assert_invariant(export, ["Labels", "Labels (2)", "labels (3)"])


def test_generated_name_that_collides_with_a_later_header_stays_unique() -> None:
    table = read_csv_table(b"a,a,a (2),\n1,2,3,4\n", name="t.csv")
    assert list(table.frame.columns) == ["a", "a (2)", "a (2) (2)", "(extra 1)", "_row"]


def test_columns_named_like_workfw_columns_are_kept_as_original() -> None:
    data = b"task_id,_row,Title\nA,9,x\nB,8,y\n"
    export = read(data, {"task_id": "task_id", "title": "Title"})
    assert export.tasks["task_id"].tolist() == ["A", "B"]
    assert export.raw["_row"].tolist() == [2, 3]
    assert export.raw["_row (original)"].tolist() == ["9", "8"]
    assert export.raw["task_id (original)"].tolist() == ["A", "B"]


def test_asana_google_sheets_preamble_is_skipped() -> None:
    export = read(FIXTURES.joinpath("core_asana_sheets.csv").read_bytes(),
                  {"task_id": "Task ID", "title": "Name", "status": "Section/Column", "created": "Created At",
                   "completed": "Completed At", "labels": "Tags"})
    assert export.tasks["task_id"].tolist() == ["1206000000000001", "1206000000000002"]
    assert export.tasks["labels"].tolist() == [["copy", "web"], []]
    assert export.tasks["completed"].tolist()[0] == ts("2024-03-05")
    assert export.raw["_row"].tolist() == [5, 6]  # three preamble rows, then the header on row 4


def test_huge_description_cell_survives_pyarrow_blocks() -> None:
    big = "x" * 2_000_000 + "\nend"
    data = f'ID,Title,Status,Created,Description\n1,a,Done,2024-01-02,"{big}"\n2,b,Done,2024-01-03,short\n'
    export = read(data.encode(), {**MAP, "description": "Description"})
    assert len(export.tasks["description"].iloc[0]) == 2_000_004
    assert export.tasks["description"].iloc[1] == "short"


def test_unclosed_quote_is_repaired_and_rows_after_it_kept() -> None:
    export = read(b'ID,Title,Status,Created\n1,"a,Done,2024-01-02\n2,b,Done,2024-01-03\n')
    assert export.tasks["task_id"].tolist() == ["1", "2"]
    assert export.tasks["title"].tolist() == ['"a', "b"]
    assert export.tasks["created"].tolist() == [ts("2024-01-02"), ts("2024-01-03")]
    assert "Row 2 has a double quote that is never closed" in export.report.warnings[0]


def test_stray_quotes_inside_unquoted_cells_are_text() -> None:
    export = read(b'ID,Title,Status,Created\n1,12" screen,Done,2024-01-02\n2,say "hi" now,Done,2024-01-03\n')
    assert export.tasks["title"].tolist() == ['12" screen', 'say "hi" now']


# --- empty and unknown files ----------------------------------------------

@pytest.mark.parametrize(("data", "where"), [
    (b"", "the whole file"),
    (b"  \r\n\t\n ", "the whole file"),
    (codecs.BOM_UTF8 + b"\n\n", "the whole file"),
    (codecs.BOM_UTF16_LE + " \r\n".encode("utf-16-le"), "the whole file"),
    (b"ID,Title,Status,Created\n", "row 2"),
    (b"ID,Title,Status,Created\r\n\r\n,,,\r\n", "row 2"),
    (b"just one line of text\n", "row 1"),
])
def test_empty_whitespace_and_header_only_files(data: bytes, where: str) -> None:
    with pytest.raises(EmptyExportError, match=rf"^t\.csv, {where}: found"):
        read(data)


def test_csv_that_is_no_known_export_lists_formats_and_mapping_hint() -> None:
    with pytest.raises(UnknownFormatError) as info:
        wf.read_export(b"alpha,beta\n1,2\n", name="t.csv")
    message = str(info.value)
    assert message.startswith("t.csv, the header row (row 1): found columns ['alpha', 'beta']")
    assert "source='generic-csv' and mapping={'task_id'" in message
    for fmt in wf.list_formats().query("kind == 'csv' and source != 'generic-csv'")["format"]:
        assert fmt in message


def test_json_that_is_no_known_export_lists_formats_and_mapping_hint() -> None:
    with pytest.raises(UnknownFormatError) as info:
        wf.read_export(b'{"rows": [{"a": 1}]}', name="t.json")
    message = str(info.value)
    assert message.startswith("t.json, the whole file (top level of the JSON): found JSON dict with keys ['rows']")
    assert "mapping={'task_id'" in message
    for fmt in wf.list_formats().query("kind == 'json'")["format"]:
        assert fmt in message


def test_broken_json_names_line_and_column() -> None:
    with pytest.raises(ExportReadError, match=r"^t\.json, line 2, column 7: found broken JSON"):
        wf.read_export(b'{"a":\n  [1, }', name="t.json")


def test_csv_whose_first_header_starts_with_a_bracket_is_not_json() -> None:
    export = wf.read_export(b"[Key],Title\nA-1,x\n", mapping={"task_id": "[Key]", "title": "Title"}, name="t.csv")
    assert export.tasks["task_id"].tolist() == ["A-1"]


# --- mapping and options ---------------------------------------------------

def test_mapping_naming_missing_columns_lists_the_file_columns() -> None:
    with pytest.raises(MappingError) as info:
        read(BASIC.encode(), {"task_id": "ID", "title": "Name", "status": "State"})
    assert str(info.value).startswith(
        "t.csv: mapping names columns ['Name', 'State'] that the file does not have; its columns are "
        "['ID', 'Title', 'Status', 'Created']")


def test_mapping_accepts_original_header_with_spaces_and_other_case() -> None:
    export = read(b" ID ,TITLE\n1,a\n", {"task_id": " ID ", "title": "title"})
    assert export.tasks[["task_id", "title"]].values.tolist() == [["1", "a"]]


def test_unknown_option_lists_valid_ones() -> None:
    with pytest.raises(OptionError) as info:
        read(BASIC.encode(), timezone="Europe/Berlin")
    message = str(info.value)
    assert message.startswith("t.csv: read_export(source='generic-csv') got unknown options ['timezone']")
    for valid in ("'tz'", "'date_order'", "'status_map'", "'mapping'", "'list_separator'"):
        assert valid in message


@pytest.mark.parametrize(("option", "fragment"), [
    ({"tz": "Mars/Olympus"}, "option tz='Mars/Olympus' is not a time zone name"),
    ({"date_order": "dym"}, "option date_order='dym'; expected 'dmy', 'mdy', 'ymd' or None"),
    ({"status_map": {"Done": "finished"}}, "option status_map['Done'] = 'finished'; expected one of ['todo'"),
    ({"status_map": ["Done"]}, "option status_map is a list"),
    ({"delimiter": ";;"}, "option delimiter=';;'; expected one character"),
    ({"encoding": "klingon"}, "option encoding='klingon' is not an encoding"),
])
def test_bad_option_values_fail_before_parsing(option: dict, fragment: str) -> None:
    with pytest.raises(OptionError, match=r"^t\.csv: ") as info:
        read(BASIC.encode(), **option)
    assert fragment in str(info.value)


def test_unknown_source_is_an_option_error() -> None:
    with pytest.raises(OptionError, match=r"^t\.csv: read_export\(source='jira'\); expected 'auto' or one of"):
        wf.read_export(BASIC.encode(), source="jira", name="t.csv")


# --- performance shape -----------------------------------------------------

def _big_csv(rows: int) -> bytes:
    lines = ["Key,Summary,Status,Created,Description,Labels,Labels"]
    for i in range(rows):
        desc = '"two\nlines, and ""quotes"""' if i % 7 == 0 else "plain"
        lines.append(f"P-{i},Task {i},In Progress,2024-01-{i % 28 + 1:02d} 10:00,{desc},a,b")
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.mark.parametrize("variant", ["clean", "bom", "trailing-delimiter", "cp1252"])
def test_clean_50k_row_files_never_take_the_python_path(monkeypatch: pytest.MonkeyPatch, variant: str) -> None:
    import workfw.io._text as text_module

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("clean file fell back to the csv-module path")

    monkeypatch.setattr(text_module, "_python_parse", refuse)
    data = _big_csv(50_000)
    data = {"clean": data, "bom": codecs.BOM_UTF8 + data, "trailing-delimiter": data.replace(b"\r\n", b",\r\n"),
            "cp1252": data.replace(b"plain", "plaîn".encode("cp1252"))}[variant]
    table = read_csv_table(data, name="big.csv")
    assert len(table.frame) == 50_000
    assert table.frame["Description"].iloc[0] == 'two\nlines, and "quotes"'
    assert table.frame["_row"].iloc[-1] == 50_001
    assert list(table.frame.columns) == ["Key", "Summary", "Status", "Created", "Description", "Labels",
                                         "Labels (2)", "_row"]


def test_one_bad_row_in_a_big_file_takes_the_careful_path() -> None:
    table = read_csv_table(_big_csv(2_000) + b"P-x,only two\r\n", name="big.csv")
    assert len(table.frame) == 2_001
    assert table.frame["Summary"].iloc[-1] == "only two"
    assert table.frame["Status"].iloc[-1] is pd.NA


def _progress_calls(path_or_data, **options) -> list[tuple[str, float]]:
    calls: list[tuple[str, float]] = []
    wf.read_export(path_or_data, progress=lambda stage, fraction: calls.append((stage, fraction)), **options)
    return calls


def test_progress_reports_each_stage_and_ends_at_one() -> None:
    calls = _progress_calls(FIXTURES / "jira_cloud_all_fields.csv")
    stages = [s for s, _ in calls]
    fractions = [f for _, f in calls]
    assert calls[0] == ("reading", 0.0)
    assert calls[-1] == ("done", 1.0)
    assert fractions == sorted(fractions) and all(0.0 <= f <= 1.0 for f in fractions)
    for stage in ("parsing", "mapping", "dates", "assembling"):
        assert stages.count(stage) >= 2, stage  # at least its start and its end
    assert stages.index("parsing") < stages.index("dates") < stages.index("assembling")


def test_progress_for_a_list_of_files_fills_one_bar_once() -> None:
    calls = _progress_calls([BASIC.encode(), BASIC.replace("1,", "3,").replace("2,", "4,").encode()],
                            source="generic-csv", mapping=MAP)
    fractions = [f for _, f in calls]
    assert fractions == sorted(fractions)
    assert [s for s, _ in calls].count("done") == 1 and calls[-1] == ("done", 1.0)
    # The second file starts where the first one's share ends, not at 0.
    second_start = [f for s, f in calls if s == "reading"][2]
    assert 0.4 < second_start < 0.6
    assert ("combining", 0.95) in calls


def test_progress_none_and_a_failing_import_report_nothing_more() -> None:
    assert len(read(BASIC.encode(), progress=None).tasks) == 2
    calls: list[tuple[str, float]] = []
    with pytest.raises(EmptyExportError):
        wf.read_export(b"ID,Title\n", source="generic-csv", mapping=MAP, progress=lambda s, f: calls.append((s, f)))
    assert calls and ("done", 1.0) not in calls


def test_progress_that_is_not_callable_is_an_option_error() -> None:
    with pytest.raises(OptionError, match="progress"):
        read(BASIC.encode(), progress="yes")


@pytest.mark.parametrize("fixture", ["jira_cloud_all_fields.csv", "jira_ru.csv", "asana_sheets.csv"])
def test_large_file_path_route_reads_the_same_tables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                     fixture: str) -> None:
    import workfw.io as wio

    options: dict = {}
    path = tmp_path / fixture
    path.write_bytes((FIXTURES / fixture).read_bytes())
    expected = wf.read_export(path.read_bytes(), name=fixture, **options)
    # Every file counts as large: pyarrow reads the path itself (or the careful path takes over).
    monkeypatch.setattr(wio, "_LARGE_FILE", 0)
    got = wf.read_export(path, **options)
    pd.testing.assert_frame_equal(got.tasks, expected.tasks)
    pd.testing.assert_frame_equal(got.raw, expected.raw)
    assert got.report.warnings == expected.report.warnings


@pytest.mark.parametrize("as_path", [True, False])
def test_quote_never_closed_in_the_last_column_is_repaired_on_the_fast_path_too(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, as_path: bool) -> None:
    import workfw.io as wio

    # pyarrow reads the quote as a Notes cell running to the end of the file, swallowing rows 2 and 3.
    data = b'ID,Title,Status,Created,Notes\n1,a,Done,2024-01-02,"oops\n2,b,Done,2024-01-03,x\n3,c,Done,2024-01-04,y\n'
    monkeypatch.setattr(wio, "_LARGE_FILE", 0)
    path = tmp_path / "open_quote.csv"
    path.write_bytes(data)
    export = wf.read_export(path if as_path else data, source="generic-csv", mapping={**MAP, "description": "Notes"})
    assert export.tasks["task_id"].tolist() == ["1", "2", "3"]
    assert export.tasks["description"].tolist() == ['"oops', "x", "y"]
    assert any("never closed" in w for w in export.report.warnings)


@pytest.mark.parametrize("tail", [b'2,b,Done,2024-01-03,"oops', b'2,b,Done,2024-01-03,y\n,,,,"\n\n'])
def test_quote_never_closed_at_the_very_end_is_repaired_on_the_fast_path(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path, tail: bytes) -> None:
    import workfw.io as wio

    # A download cut short right after a quote (no line end follows), or a quote left in a blank last record:
    # nothing runs over a line end, so the last cell alone cannot tell.
    data = b"ID,Title,Status,Created,Notes\n1,a,Done,2024-01-02,x\n" + tail
    monkeypatch.setattr(wio, "_LARGE_FILE", 0)
    path = tmp_path / "cut.csv"
    path.write_bytes(data)
    for source in (path, data):
        export = wf.read_export(source, source="generic-csv", mapping={**MAP, "description": "Notes"})
        assert any("never closed" in w for w in export.report.warnings)


def test_clean_large_file_is_not_read_twice_for_its_quotes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import workfw.io as wio
    import workfw.io._utf8 as utf8

    def _no_second_read(*args: object) -> int:
        raise AssertionError("the quotes of a clean file were counted")

    monkeypatch.setattr(wio, "_LARGE_FILE", 0)
    monkeypatch.setattr(utf8, "_count_quotes", _no_second_read)
    path = tmp_path / "clean.csv"
    # Quotes in an odd number, one of them mid-cell (a literal), and a last cell on one line.
    path.write_bytes(b'ID,Title,Status,Created\n1,"12"" screen",Done,2024-01-02\n2,5" wide,Done,2024-01-03\n')
    export = wf.read_export(path, source="generic-csv", mapping=MAP)
    assert export.tasks["title"].tolist() == ['12" screen', '5" wide']
    assert export.report.warnings == []


def test_large_file_whose_last_cell_spans_lines_keeps_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import workfw.io as wio

    monkeypatch.setattr(wio, "_LARGE_FILE", 0)
    path = tmp_path / "multiline.csv"
    path.write_bytes(b'ID,Title,Status,Created,Notes\n1,a,Done,2024-01-02,x\n2,b,Done,2024-01-03,"two\nlines"\n')
    export = wf.read_export(path, source="generic-csv", mapping={**MAP, "description": "Notes"})
    assert export.tasks["description"].tolist() == ["x", "two\nlines"]


def test_large_cp1252_file_falls_back_to_the_careful_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import workfw.io as wio

    monkeypatch.setattr(wio, "_LARGE_FILE", 0)
    path = tmp_path / "excel.csv"
    path.write_bytes(BASIC.encode("cp1252"))
    export = wf.read_export(path, source="generic-csv", mapping=MAP)
    assert export.tasks["title"].tolist() == ["Café", "Naïve"]
    assert any("cp1252" in w for w in export.report.warnings)

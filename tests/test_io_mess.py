"""Real-world damage the shared assembly repairs: Excel ids, repeated rows, dates, zones, statuses."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workfw as wf
from workfw.errors import ExportReadError, OptionError

FIXTURES = Path(__file__).parent / "fixtures"
MAP = {"task_id": "ID", "title": "Title", "status": "Status", "created": "Created"}


def read(data: bytes, mapping: dict | None = None, **options) -> wf.TaskExport:
    return wf.read_export(data, source="generic-csv", mapping=mapping or MAP, name="t.csv", **options)


def assert_invariant(export: wf.TaskExport, columns: list[str]) -> None:
    r, raw = export.report, export.raw
    assert r.rows_read == len(export.tasks) + r.merged + r.rejected == len(raw)
    assert export.tasks["task_id"].is_unique
    assert set(columns) <= set(raw.columns)
    assert raw.loc[raw["_outcome"] != "task", "_reason"].notna().all()


def ts(text: str, tz: str = "UTC") -> pd.Timestamp:
    return pd.Timestamp(text, tz=tz).tz_convert("UTC")


# --- Excel-damaged ids and repeated rows ------------------------------------

def test_excel_scientific_ids_keep_distinct_tasks_and_merge_identical_rows() -> None:
    export = read(FIXTURES.joinpath("core_excel_sci_ids.csv").read_bytes(),
                  {"task_id": "Task ID", "title": "Name", "assignee": "Assignee", "status": "Section/Column",
                   "created": "Created At"})
    tasks = export.tasks
    assert tasks["task_id"].tolist() == ["row-2", "row-4", "row-5"]
    assert tasks["title"].tolist() == ["Launch page", "Fix footer", "Plan Q3"]
    assert tasks["assignees"].tolist() == [["Ana", "Ben"], ["Ana"], ["Cy"]]
    assert tasks["assignee"].tolist() == ["Ana", "Ana", "Cy"]
    # 4/17/16: the 17 can only be a day, so the whole column is month-first.
    assert tasks["created"].tolist() == [ts("2016-04-17"), ts("2016-04-18"), ts("2016-04-19")]
    raw = export.raw
    assert raw["_outcome"].tolist() == ["task", "merged", "task", "task"]
    assert raw["_reason"].tolist()[1] == "same task as row 2"
    assert raw["task_id"].tolist() == ["row-2", "row-2", "row-4", "row-5"]
    assert (export.report.rows_read, export.report.merged, export.report.rejected) == (4, 1, 0)
    assert "4 task ids look like Excel scientific notation (e.g. '7.18656E+14')" in export.report.warnings[0]
    assert_invariant(export, ["Task ID", "Created At", "Name", "Assignee", "Section/Column"])


def test_final_task_ids_match_what_assemble_assigns_without_warning() -> None:
    from workfw.io._build import final_task_ids
    ids = pd.Series([" 7.18656E+14", "7.18656E+14", "7.18656E+14", "A-1 ", pd.NA], index=[10, 11, 12, 13, 14])
    titles = pd.Series(["Plan", "Plan", "Ship", None, "x"], index=ids.index)
    rows = pd.Series([2, 3, 4, 5, 6], index=ids.index)
    final = final_task_ids(ids, titles, rows)
    # Same damaged id and title: one task named after its first row; another title is another task.
    assert final.tolist()[:4] == ["row-2", "row-2", "row-4", "A-1"] and pd.isna(final.iloc[4])
    assert list(final.index) == [10, 11, 12, 13, 14]
    assert ids.iloc[0] == " 7.18656E+14"  # input untouched
    export = read(FIXTURES.joinpath("core_excel_sci_ids.csv").read_bytes(),
                  {"task_id": "Task ID", "title": "Name", "status": "Section/Column", "created": "Created At"})
    raw = export.raw
    assert final_task_ids(raw["Task ID"], raw["Name"], raw["_row"]).tolist() == raw["task_id"].tolist()


def test_one_task_over_several_rows_is_merged_with_lists_joined() -> None:
    data = (b"ID,Title,Status,Created,Owner,Tags\n"
            b"A-1,Login,Doing,2024-05-01,Ana,\"ui, auth\"\n"
            b"A-2,Logout,Done,2024-05-02,Ben,ui\n"
            b"A-1,,Doing,,Ben,\"auth, api\"\n"
            b",orphan,Done,2024-05-03,Cy,\n")
    export = read(data, {**MAP, "assignees": "Owner", "labels": "Tags"})
    tasks = export.tasks.set_index("task_id")
    assert list(tasks.index) == ["A-1", "A-2"]
    assert tasks.loc["A-1", "assignees"] == ["Ana", "Ben"]
    assert tasks.loc["A-1", "labels"] == ["ui", "auth", "api"]
    assert tasks.loc["A-1", "title"] == "Login"
    assert tasks.loc["A-1", "created"] == ts("2024-05-01")
    raw = export.raw
    assert raw["_outcome"].tolist() == ["task", "task", "merged", "rejected"]
    assert raw["_reason"].tolist()[2:] == ["same task as row 2", "no task id in this row"]
    assert raw["task_id"].isna().tolist() == [False, False, False, True]
    assert (export.report.rows_read, export.report.merged, export.report.rejected) == (4, 1, 1)
    assert_invariant(export, ["ID", "Title", "Status", "Created", "Owner", "Tags"])


def test_ids_differing_only_by_surrounding_spaces_are_one_task() -> None:
    export = read(b"ID,Title\n 7 ,a\n7,a\n", {"task_id": "ID", "title": "Title"})
    assert export.tasks["task_id"].tolist() == ["7"]
    assert export.report.merged == 1


# --- dates -----------------------------------------------------------------

def test_day_first_inferred_from_one_value_above_twelve_in_any_date_column() -> None:
    data = b"ID,Title,Created,Resolved\n1,a,03/04/2024,05/04/2024\n2,b,06/04/2024,25/04/2024 17:30\n"
    export = read(data, {"task_id": "ID", "title": "Title", "created": "Created", "completed": "Resolved"})
    assert export.tasks["created"].tolist() == [ts("2024-04-03"), ts("2024-04-06")]
    assert export.tasks["completed"].tolist() == [ts("2024-04-05"), ts("2024-04-25 17:30")]
    assert export.tasks["completed_basis"].tolist() == ["exact", "exact"]
    assert not any("day-first or month-first" in w for w in export.report.warnings)


def test_month_first_inferred_from_second_part_above_twelve() -> None:
    export = read(b"ID,Title,Created\n1,a,03/04/2024\n2,b,12/13/2024\n", {"task_id": "ID", "created": "Created"})
    assert export.tasks["created"].tolist() == [ts("2024-03-04"), ts("2024-12-13")]


def test_undecidable_dates_warn_and_date_order_is_honoured() -> None:
    data = b"ID,Created\n1,03/04/2024\n2,05/06/2024 10:00\n"
    mapping = {"task_id": "ID", "created": "Created"}
    guessed = read(data, mapping)
    assert guessed.tasks["created"].tolist() == [ts("2024-03-04"), ts("2024-05-06 10:00")]
    assert any("could be day-first or month-first" in w and "date_order='dmy'" in w
               for w in guessed.report.warnings)
    stated = read(data, mapping, date_order="dmy")
    assert stated.tasks["created"].tolist() == [ts("2024-04-03"), ts("2024-06-05 10:00")]
    assert not any("day-first" in w for w in stated.report.warnings)


def test_mixed_iso_and_numeric_dates_keep_both() -> None:
    rows = "".join(f"{i},2024-01-{i:02d}\n" for i in range(1, 11)) + "11,25/12/2024\n"
    export = read(("ID,Created\n" + rows).encode(), {"task_id": "ID", "created": "Created"})
    assert export.tasks["created"].tolist()[0] == ts("2024-01-01")
    assert export.tasks["created"].tolist()[-1] == ts("2024-12-25")


def test_unreadable_dates_raise_naming_column_and_rows() -> None:
    with pytest.raises(ExportReadError, match=r"^t\.csv, column 'Created', rows 2, 3: found dates workfw cannot"):
        read(b"ID,Created\n1,someday\n2,later\n", {"task_id": "ID", "created": "Created"})


def test_dates_nanoseconds_cannot_hold_are_left_empty_with_a_warning() -> None:
    rows = "".join(f"{i},2024-02-{i:02d}\n" for i in range(1, 26)) + "26,0001-01-01\n"
    export = read(("ID,Created\n" + rows).encode(), {"task_id": "ID", "created": "Created"})
    assert export.tasks["created"].isna().sum() == 1
    assert any("Column 'Created': 1 dates could not be read" in w and "row 27" in w
               for w in export.report.warnings)


# --- time zones ------------------------------------------------------------

def test_tz_option_shifts_naive_times_but_not_values_with_offsets() -> None:
    data = (b"ID,Created\n1,2024-07-01 10:00\n2,2024-07-01T10:00:00+02:00\n3,2024-01-15 10:00\n"
            b"4,2024-07-01T10:00:00Z\n")
    export = read(data, {"task_id": "ID", "created": "Created"}, tz="Europe/Berlin")
    assert export.tasks["created"].tolist() == [
        pd.Timestamp("2024-07-01 08:00", tz="UTC"),  # summer time, UTC+2
        pd.Timestamp("2024-07-01 08:00", tz="UTC"),  # offset stated, not shifted again
        pd.Timestamp("2024-01-15 09:00", tz="UTC"),  # winter time, UTC+1
        pd.Timestamp("2024-07-01 10:00", tz="UTC"),
    ]
    default = read(data, {"task_id": "ID", "created": "Created"})
    assert default.tasks["created"].tolist()[0] == pd.Timestamp("2024-07-01 10:00", tz="UTC")


def test_tz_twice_occurring_autumn_hour_is_read_not_lost() -> None:
    export = read(b"ID,Created\n1,2024-10-27 02:30\n", {"task_id": "ID", "created": "Created"}, tz="Europe/Berlin")
    assert export.tasks["created"].tolist() == [pd.Timestamp("2024-10-27 00:30", tz="UTC")]


# --- status categories -----------------------------------------------------

def test_status_map_overrides_keywords_and_is_reported() -> None:
    data = b"ID,Status\n1,Shipped\n2,Parked\n3,Parked\n4,In Review\n"
    plain = read(data, {"task_id": "ID", "status": "Status"})
    # A status no rule places is neither open nor done (issue #14), never read as to do.
    assert plain.tasks["status_category"].astype(object).where(plain.tasks["status_category"].notna(), None).tolist() \
        == ["done", None, None, "in_progress"]
    assert any("['Parked'] match no rule" in w for w in plain.report.warnings)
    assert plain.report.status_map.set_index("status").loc["Parked", "rule"] == "unplaced"
    mapped = read(data, {"task_id": "ID", "status": "Status"},
                  status_map={"parked": "cancelled", "In Review": "done"})
    assert mapped.tasks["status_category"].tolist() == ["done", "cancelled", "cancelled", "done"]
    table = mapped.report.status_map.set_index("status")
    assert table.loc["Parked", ["status_category", "rule", "tasks"]].tolist() == ["cancelled", "your map", 2]
    assert table.loc["Shipped", "rule"] == "keyword"
    assert not any("match no rule" in w for w in mapped.report.warnings)


def test_bad_category_in_status_map_names_file_status_and_choices() -> None:
    with pytest.raises(OptionError) as info:
        read(b"ID,Status\n1,Done\n", {"task_id": "ID", "status": "Status"}, status_map={"Done": "closed"})
    assert str(info.value).startswith("t.csv: option status_map['Done'] = 'closed'; expected one of "
                                      "['todo', 'in_progress', 'done', 'cancelled']")


def test_stated_status_category_column_wins_over_keywords() -> None:
    data = b"ID,Status,Cat\n1,Weird,Done\n2,Weird,To Do\n"
    export = read(data, {"task_id": "ID", "status": "Status", "status_category": "Cat"})
    assert export.tasks["status_category"].tolist() == ["done", "todo"]


# --- numbers ---------------------------------------------------------------

def test_counts_and_estimates_that_are_not_numbers_are_left_empty() -> None:
    data = b"ID,Pts,Comments\n1,2.5,3\n2,inf,1.5\n3,x,-1\n"
    export = read(data, {"task_id": "ID", "estimate": "Pts", "comments": "Comments"})
    assert export.tasks["estimate"].tolist() == [2.5, pd.NA, pd.NA]
    assert export.tasks["comments"].tolist() == [3, pd.NA, pd.NA]
    assert any("Column 'Pts': 2 values are not numbers" in w for w in export.report.warnings)
    assert any("Column 'Comments': 2 values are not whole counts" in w for w in export.report.warnings)


# --- shared helpers of the readers (workfw/io/_common.py) ----------------------

def test_formula_guard_is_removed_before_tab_and_carriage_return_too() -> None:
    from workfw.io._common import strip_formula_guard
    cells = pd.Series(["'=1+1", "'\tindented", "'\rreturn", "'@me", "'plain", "it's", "''=x", None])
    assert strip_formula_guard(cells).tolist() == ["=1+1", "\tindented", "\rreturn", "@me", "'plain", "it's",
                                                   "''=x", pd.NA]


def test_as_lists_wraps_single_values() -> None:
    from workfw.io._common import as_lists
    from workfw.schema import as_list_column
    out = as_lists(pd.Series(["ana", pd.NA, "ben"], index=[5, 6, 7], dtype="string"))
    # An Arrow list column: the assembler turns it into Python lists once, with the other list columns.
    assert as_list_column(out).tolist() == [["ana"], [], ["ben"]] and list(out.index) == [5, 6, 7]


def test_json_records_frame_keeps_nested_values_as_text_and_names_bad_records() -> None:
    from workfw.io._common import records_frame
    frame = records_frame([{"id": 1, "tags": ["a"], "who": None}, {"id": "2", "extra": {"k": "é"}}],
                          file="x.json", where="cards", next_step="export again")
    assert list(frame.columns) == ["id", "tags", "who", "extra", "_row"]
    assert frame["id"].tolist() == ["1", "2"] and frame["tags"].iloc[0] == '["a"]'
    assert frame["extra"].iloc[1] == '{"k": "é"}' and frame["who"].isna().all()
    assert frame["_row"].tolist() == [1, 2]
    with pytest.raises(ExportReadError, match=r"x\.json, cards\[1\] \(record 2\): found a list; expected an object "
                                              r"per record\. Next step: export again"):
        records_frame([{"id": 1}, [1]], file="x.json", where="cards", next_step="export again")


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES)
def test_json_text_writes_what_json_dumps_writes(value) -> None:
    # json_text keeps one C encoder for every cell; its text must stay json.dumps's, NaN and -0.0 included.
    import json

    from workfw.io._common import json_text
    assert json_text(value) == json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize("values", [
    ["a", None, "é"], [1, None, -7], [2 ** 70, 1], [True, None], [1.5, None, 1e300], [{"k": [1, None]}, None, []],
    [None, None], [], ["a", 1, {"b": 2}, [3], None, False, 2.5]])
def test_json_columns_are_written_a_column_at_a_time_as_cell_by_cell(values: list) -> None:
    from workfw.io._common import _json_cell_or_none, _json_column
    assert _json_column(values).to_pylist() == [_json_cell_or_none(v) for v in values]


# --- year-first slash dates in every reader that parses dates through _dates.DateParser ----------

def _linear_ymd() -> bytes:
    header = (FIXTURES / "linear_projects.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    rows = [dict(ID=f"L-{i}", Team="T", Title="A", Status="Todo", Created=created) for i, created in enumerate(YMD)]
    lines = [",".join(header)] + [",".join(r.get(h, "") for h in header) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def _trello_ymd() -> bytes:
    import json
    cards = [{"id": f"65e6a1c0{i:016x}", "name": f"Card {i}", "idList": "l1", "dateLastActivity": when}
             for i, when in enumerate(YMD)]
    return json.dumps({"name": "Board", "cards": cards, "lists": [{"id": "l1", "name": "To Do"}],
                       "actions": []}).encode()


def _github_ymd() -> bytes:
    import json
    return json.dumps([{"number": i + 1, "title": f"Issue {i}", "state": "open", "createdAt": when,
                        "url": f"https://github.com/acme/w/issues/{i + 1}"} for i, when in enumerate(YMD)]).encode()


YMD = ("2024/03/05", "2024/03/05 14:30")
YMD_FILES = {
    "generic-csv": (lambda: b"ID,Title,Status,Created\n1,A,Done,2024/03/05\n2,B,Done,2024/03/05 14:30\n", "created",
                    {"source": "generic-csv", "mapping": MAP}),
    "linear-csv": (_linear_ymd, "created", {}),
    "azure-devops-csv": (lambda: b"ID,Work Item Type,Title,State,Created Date\n1,Task,A,New,2024/03/05\n"
                                 b"2,Task,B,New,2024/03/05 14:30\n", "created", {}),
    "asana-csv": (lambda: b"Task ID,Created At,Completed At,Last Modified,Name,Section/Column,Projects\n"
                          b"1,2024/03/05,,,A,To do,P\n2,2024/03/05 14:30,,,B,To do,P\n", "created", {}),
    "github-json": (_github_ymd, "created", {}),
    "trello-json": (_trello_ymd, "updated", {}),
}


@pytest.mark.parametrize("source", list(YMD_FILES))
def test_year_first_slash_dates_parse_in_every_reader(source: str) -> None:
    make, column, options = YMD_FILES[source]
    export = wf.read_export(make(), name=f"ymd-{source}", **options)
    assert export.report.source == source
    assert export.tasks[column].tolist() == [ts("2024-03-05"), ts("2024-03-05 14:30")]


def test_year_first_slash_dates_parse_beside_a_day_first_value() -> None:
    # What works today: one value that is not year-first brings the ymd formats in.
    data = b"ID,Title,Status,Created\n1,A,Done,2024/03/05 14:30\n2,B,Done,25/03/2024\n"
    assert read(data).tasks["created"].tolist() == [ts("2024-03-05 14:30"), ts("2024-03-25")]


def test_half_an_emoji_in_json_reads_as_a_replacement_character_with_a_warning(tmp_path: Path) -> None:
    # "\ud83d" alone is legal JSON but no character: GitHub titles cut by UTF-16 length carry them.
    issue = ('{{"number": {n}, "title": "{title}", "state": "open", "created_at": "2024-01-02T00:00:00Z", '
             '"html_url": "https://github.com/o/r/issues/{n}", "user": {{"login": "ana"}}}}')
    path = tmp_path / "issues.json"
    path.write_text("[" + ", ".join([issue.format(n=1, title="Fix \\ud83d"),
                                     issue.format(n=2, title="Ship \\ud83d\\ude80 \\\\ud800 as text")]) + "]",
                    encoding="utf-8")
    export = wf.read_export(path)
    assert export.tasks["title"].tolist() == ["Fix \ufffd", "Ship \U0001F680 \\ud800 as text"]
    assert any("found 1 time in the file" in w for w in export.report.warnings), export.report.warnings
    from workfw.io._common import lone_surrogates
    assert lone_surrogates('"\\ud83d\\ude80"') == 0 and lone_surrogates('"\\ude80 \\uD83D"') == 2


def test_a_utf8_file_with_one_broken_character_keeps_its_other_letters(tmp_path: Path) -> None:
    # One pasted or cut character used to send the whole file to encoding detection: "é" read as "├®".
    rows = "".join(f"A-{i},Café résumé naïve {i},Done,01/Feb/24 10:00 AM\n" for i in range(3, 30)).encode()
    path = tmp_path / "mostly.csv"
    path.write_bytes(b"Issue key,Summary,Status,Created\nA-1,Fix \xed\xa0\x80 emoji,Done,01/Feb/24 10:00 AM\n"
                     b"A-2,Ok \xc3\xa9,To Do,02/Feb/24 10:00 AM\n" + rows)
    export = wf.read_export(path)
    assert export.tasks["title"].tolist()[:3] == ["Fix \ufffd\ufffd\ufffd emoji", "Ok é", "Café résumé naïve 3"]
    assert any("not valid UTF-8 (the first on line 2)" in w for w in export.report.warnings), export.report.warnings
    # A file in a one-byte encoding breaks at every accented letter: still detected, not replaced.
    latin = tmp_path / "latin.csv"
    latin.write_bytes(("Issue key,Summary,Status,Created\n" + rows.decode()).encode("cp1252"))
    assert wf.read_export(latin).tasks["title"].iloc[0] == "Café résumé naïve 3"

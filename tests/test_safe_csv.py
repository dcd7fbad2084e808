"""Formula-injection guard for every CSV workfw writes."""
from __future__ import annotations

import csv
import io

import pandas as pd

from workfw.safe_csv import guard_cell, guard_formulas, to_safe_csv


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_text_cells_starting_with_formula_characters_get_a_quote():
    frame = pd.DataFrame({
        "title": ["=SUM(A1)", "+1", "-2", "@x", "\tindent", "\rreturn", "plain", "a=b", " =spaced"],
        "points": [-2, -1, 0, 1, 2, 3, 4, 5, 6],
    })
    rows = _rows(to_safe_csv(frame, index=False))
    assert rows[0] == ["title", "points"]
    assert [r[0] for r in rows[1:]] == ["'=SUM(A1)", "'+1", "'-2", "'@x", "'\tindent", "'\rreturn", "plain", "a=b",
                                        " =spaced"]
    # A numeric column keeps its negative numbers as numbers.
    assert [r[1] for r in rows[1:]] == ["-2", "-1", "0", "1", "2", "3", "4", "5", "6"]


def test_numeric_columns_read_back_as_numbers_and_input_is_untouched():
    frame = pd.DataFrame({"name": ["-Ana", "Ben"], "gap": [-12.5, 3.0], "count": pd.array([-2, None], dtype="Int64")})
    before = frame.copy()
    back = pd.read_csv(io.StringIO(to_safe_csv(frame, index=False)))
    assert back["name"].tolist() == ["'-Ana", "Ben"]
    assert back["gap"].tolist() == [-12.5, 3.0]
    assert back["count"].iloc[0] == -2 and pd.isna(back["count"].iloc[1])
    pd.testing.assert_frame_equal(frame, before)


def test_string_categorical_object_columns_headers_and_index_are_guarded():
    frame = pd.DataFrame({
        "=head": pd.array(["=1+1", "ok"], dtype="string"),
        "cat": pd.Categorical(["@cmd", "ok"]),
        "mixed": pd.array([-3, "-3"], dtype=object),
    }, index=pd.Index(["+idx", "row"], name="-name"))
    rows = _rows(to_safe_csv(frame))
    assert rows == [["'-name", "'=head", "cat", "mixed"],
                    ["'+idx", "'=1+1", "'@cmd", "-3"],
                    ["row", "ok", "ok", "'-3"]]
    assert guard_formulas(frame).index.name == "'-name"


def test_writes_to_a_path_and_guards_a_header_list(tmp_path):
    target = tmp_path / "out.csv"
    assert to_safe_csv(pd.DataFrame({"a": ["=x"]}), target, index=False, header=["=evil"]) is None
    assert target.read_bytes() == b"'=evil\r\n'=x\r\n"


def test_carriage_returns_inside_cells_are_quoted_so_rows_stay_whole():
    text = to_safe_csv(pd.DataFrame({"a": ["x\ry", "\rz"], "b": [1, 2]}), index=False)
    assert text == 'a,b\r\n"x\ry",1\r\n"\'\rz",2\r\n'
    assert _rows(text)[1:] == [["x\ry", "1"], ["'\rz", "2"]]


def test_guard_cell_leaves_non_text_alone():
    assert guard_cell(-2) == -2
    assert guard_cell(None) is None
    assert guard_cell("-") == "'-"
    assert guard_cell("") == ""

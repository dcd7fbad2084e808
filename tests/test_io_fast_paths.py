"""The bulk paths behind a fast import (issue #14) give what the per-value paths they replace give."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import workfw as wf
from workfw.io._common import as_lists, duplicated, first_items, gather_repeated, split_values, trim_text, unique_ints
from workfw.schema import as_list_column

_CELLS = [None, [], ["a"], ["a", "b"], ["", "c", None], [" ", "é"], ["x", "y", "z", "x"]]


def _arrow_lists(cells: list, kind: pa.DataType) -> pd.Series:
    return pd.Series(pd.arrays.ArrowExtensionArray(pa.array(cells, type=kind)), index=range(10, 10 + len(cells)))


@pytest.mark.parametrize("kind", [pa.list_(pa.string()), pa.large_list(pa.large_string())])
@pytest.mark.parametrize("cells", [_CELLS, [None, [], ["a"]], [["a", "b"], ["c"], []], [[], None]])
def test_arrow_list_columns_become_the_same_python_lists(kind: pa.DataType, cells: list) -> None:
    out = as_list_column(_arrow_lists(cells, kind))
    assert out.tolist() == as_list_column(pd.Series(cells, index=range(10, 10 + len(cells)), dtype=object)).tolist()
    assert out.dtype == object and list(out.index) == list(range(10, 10 + len(cells)))
    assert all(type(cell) is list for cell in out) and all(type(item) is str for cell in out for item in cell)
    # Rows may share one list object (built once per combination), but only rows whose lists are equal.
    by_object: dict[int, list] = {}
    for cell in out:
        assert by_object.setdefault(id(cell), cell) == cell


def test_trim_text_matches_pyarrow_trim_on_every_kind_of_edge() -> None:
    values = ["a", " a", "a ", "\u00a0x", "x\u3000", "é", "", None, "\x1cq", "a b", "\t", "z\n", "日本", "x\u2028",
              "\x7f", "!x!", "\x01a"]
    for kind in (pa.string(), pa.large_string()):
        arr = pa.array(values, type=kind)
        for text in (arr, arr.slice(2, 9), pa.chunked_array([arr.slice(0, 3), arr.slice(3)]), pa.array(["a", "b"])):
            assert trim_text(text).to_pylist() == pc.utf8_trim_whitespace(text).to_pylist()
    clean = pa.array(["PRJ-1", None, "", "x y"])
    assert trim_text(clean) is clean  # nothing to trim: no copy


@pytest.mark.parametrize("ids", [
    ["PRJ-1", "PRJ-2", "PRJ-1", "PRJ-10", "PRJ-2"],            # a shared prefix: compared as numbers
    ["PRJ-1", "PRJ-01", "PRJ-1 ", "prj-1", "PRJ-1"],           # leading zero, blank, case: compared as text
    ["17", "900000000000000017", "17", "5"],                    # far apart: sorted, not tabled
    ["K-1", None, "K-1", None, "K-2"],                          # NA rows repeat each other
    ["É-1", "É-1"],
])
def test_duplicated_matches_pandas(ids: list) -> None:
    values = pd.Series(ids, dtype="string", index=range(3, 3 + len(ids)))
    for keep in ("first", "last", False):
        got = duplicated(values, keep=keep)
        assert got.tolist() == values.duplicated(keep=keep).tolist() and list(got.index) == list(values.index)


def test_unique_ints_matches_numpy() -> None:
    rng = np.random.default_rng(0)
    for values in (rng.integers(0, 40, 500), rng.integers(0, 10**9, 50), np.array([], dtype=np.int64),
                   np.array([-1, 3, -1])):
        for got, expected in zip(unique_ints(values),
                                 np.unique(values, return_index=True, return_inverse=True, return_counts=True)):
            assert got.tolist() == expected.reshape(-1).tolist()


def _gathered_row_by_row(frame: pd.DataFrame, columns: list[str], sep: str | None) -> list[list[str]]:
    """What the readers built cell by cell before the Arrow paths: the reference the bulk paths must give."""
    out = []
    for row in frame[columns].astype("string").itertuples(index=False, name=None):
        items: list[str] = []
        for v in row:
            if v is not pd.NA and v is not None:
                items.extend(p.strip() for p in (v.split(sep) if sep else [v]) if p.strip())
        out.append(list(dict.fromkeys(items)))
    return out


_POOL = ["a", "b", " a", "a ", "", "  ", None, "c", "é", "a, b", " b ,a,, c ", ",", "x,y,x", "\u00a0d"]


@pytest.mark.parametrize("sep", [None, ","])
def test_repeated_columns_gather_as_the_row_by_row_reader_did(sep: str | None) -> None:
    rng = np.random.default_rng(1)
    for width in (1, 2, 3, 9):
        frame = pd.DataFrame({f"L{i}": pd.Series([_POOL[k] for k in rng.integers(0, len(_POOL), 40)],
                                                 dtype=pd.ArrowDtype(pa.string())) for i in range(width)})
        got = as_list_column(gather_repeated(frame, list(frame.columns), sep=sep))
        assert got.tolist() == _gathered_row_by_row(frame, list(frame.columns), sep)
    assert as_list_column(gather_repeated(frame, [])).tolist() == [[]] * len(frame)



@pytest.mark.parametrize("texts", [8, 3000])  # few texts: pairs counted in a table; many: pairs hashed
@pytest.mark.parametrize("most", [1, 2, 3, 6])
def test_repeated_list_cells_are_built_once_per_combination(texts: int, most: int) -> None:
    rng = np.random.default_rng(texts + most)
    pool = [None, "", " "] + [f"t{i}" for i in range(texts)]
    combos = [None, []] + [[pool[k] for k in rng.integers(0, len(pool), rng.integers(1, most + 1))]
                           for _ in range(40 if texts < 100 else 900)]
    cells = [combos[k] for k in rng.integers(0, len(combos), 4000)]
    out = as_list_column(_arrow_lists(cells, pa.list_(pa.string())))
    assert out.tolist() == [[t for t in (c or []) if t] for c in cells]
    assert all(type(cell) is list for cell in out) and list(out.index) == list(range(10, 4010))
    # At most a quarter as many combinations as rows here, so each combination's list is built once, however
    # many items a row holds and however many texts there are.
    assert len(combos) <= len(cells) // 4
    assert len({id(cell) for cell in out}) <= len(combos), "each combination's list is built once"
    by_object: dict[int, list] = {}
    for cell in out:
        assert by_object.setdefault(id(cell), cell) == cell, "rows share a list object only when their lists are equal"

@pytest.mark.parametrize("texts", [5, 300, 70_000])  # one, two and four bytes an item
def test_each_rows_items_are_numbered_as_a_whole(texts: int) -> None:
    from workfw.list_cells import _combinations

    rng = np.random.default_rng(texts)
    counts = rng.integers(0, 4, 3000)
    codes = rng.integers(0, texts, int(counts.sum())).astype(np.int32)
    codes[:3] = texts - 1  # the largest code, which a narrower byte width would wrap
    which, combos = _combinations(codes, counts, texts, at_most=len(counts))
    starts = np.cumsum(counts) - counts
    rows = [codes[a:a + c].tolist() for a, c in zip(starts, counts)]
    assert [combos[w] for w in which] == rows
    assert len(combos) == len({tuple(r) for r in rows}), "equal runs share a number, different ones do not"
    assert _combinations(codes, counts, texts, at_most=len(combos) - 1) is None, "more combinations than asked"


def test_list_columns_given_to_conform_tasks_must_have_a_cell_per_row() -> None:
    from workfw.errors import SchemaError
    from workfw.schema import conform_tasks

    frame = pd.DataFrame({"task_id": list("ABC"), "labels": [["x"], [], ["y"]]})
    assert conform_tasks(frame, lists={"labels": as_list_column(frame["labels"])})["labels"].tolist() == [
        ["x"], [], ["y"]]
    with pytest.raises(SchemaError, match=r"'labels' holds 4 cells for a table of 3 rows"):
        conform_tasks(frame, lists={"labels": pd.Series([["a"]] * 4)})


@pytest.mark.parametrize("dtype", [pd.ArrowDtype(pa.string()), "string", object])
def test_split_values_and_as_lists_give_the_row_by_row_answer(dtype: object) -> None:
    rng = np.random.default_rng(2)
    values = pd.Series([_POOL[k] for k in rng.integers(0, len(_POOL), 60)], dtype=dtype, index=range(5, 65))
    split = split_values(values, ",")
    assert split.index.equals(values.index)
    expected = [[p.strip() for p in v.split(",") if p.strip()] if isinstance(v, str) else [] for v in values]
    assert as_list_column(split).tolist() == expected  # repeats inside a cell are kept
    assert as_list_column(split_values(values, ";")).tolist() == [[v.strip()] if isinstance(v, str) and v.strip()
                                                                  else [] for v in values]
    assert as_list_column(as_lists(values)).tolist() == [[v] if isinstance(v, str) and v.strip() else []
                                                         for v in values]
    firsts = first_items(split)
    assert firsts.dtype == "string" and firsts.index.equals(values.index)
    assert [None if pd.isna(v) else v for v in firsts] == [e[0] if e else None for e in expected]
    assert first_items(pd.Series([["p"], []], dtype=object)).tolist() == ["p", pd.NA]


@pytest.mark.parametrize("pattern, unit", [
    ("%-d/%b/%y %-I:%M %p", "min"), ("%Y/%m/%-d", "D"), ("%-d.%-m.%Y %-H:%M", "min"), ("%d/%m/%Y %H:%M:%S", "s"),
    ("%b %-d, %Y %-I:%M %p", "min"), ("%Y-%m-%dT%H:%M:%S+05:30", "s"),
])
def test_fields_of_varying_width_read_by_position_match_strftime(pattern: str, unit: str) -> None:
    stamps = pd.date_range("2023-12-30 00:00", "2024-01-12 23:59", freq="97min") + pd.Timedelta(seconds=7)
    column = pd.Series(list(stamps.strftime(pattern)), dtype=pd.ArrowDtype(pa.string()))
    out = wf.io.DateParser(file="t.csv", date_order="dmy").parse(column, column="Created")
    offset = pd.Timedelta(hours=5, minutes=30) if pattern.endswith("+05:30") else pd.Timedelta(0)
    assert out.tolist() == [(s - offset).floor(unit).tz_localize("UTC") for s in stamps]


def test_jira_rows_merged_from_bulk_lists_join_their_lists(tmp_path) -> None:
    path = tmp_path / "jira.csv"
    path.write_text("Issue key,Summary,Status,Created,Assignee,Labels,Labels\n"
                    "A-1,one,Done,01/Feb/24 9:00 AM,Ann,x,y\n"
                    "A-2,two,To Do,01/Feb/24 9:05 AM,,,\n"
                    "A-1,one,Done,01/Feb/24 9:00 AM,Bob,y,z\n", encoding="utf-8")
    tasks = wf.read_export(path).tasks.set_index("task_id")
    assert tasks.loc["A-1", "assignees"] == ["Ann", "Bob"] and tasks.loc["A-1", "labels"] == ["x", "y", "z"]
    assert tasks.loc["A-2", "assignees"] == [] and tasks.loc["A-2", "labels"] == []
    assert all(type(cell) is list for col in ("assignees", "labels", "blocked_by") for cell in tasks[col])


def test_date_columns_parsed_side_by_side_match_one_at_a_time() -> None:
    """parse_columns (threads over columns) gives the values and warnings of parse, column by column."""
    from workfw.io._dates import _PARALLEL_VALUES, DateParser
    from workfw.io._text import _RAW_TEXT

    rng = np.random.default_rng(7)
    n = _PARALLEL_VALUES // 2 + 10  # three columns: over the threshold together
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    minutes = pd.to_timedelta(rng.integers(0, 1440, n), unit="min")
    stamps = days + minutes
    named = pd.Series(stamps.strftime("%d/%b/%y %I:%M %p"), dtype=_RAW_TEXT)
    numeric = pd.Series(stamps.strftime("%d/%m/%Y %H:%M"), dtype=_RAW_TEXT)  # day 13+ decides day-first
    odd = numeric.copy()
    odd.iloc[::40] = None
    odd.iloc[5] = "not a date"  # one value no format reads: a warning naming its row
    columns = {"Created": named, "Updated": numeric, "Resolved": odd}
    rows = pd.Series(np.arange(2, n + 2))
    one, together = DateParser(file="f.csv", warnings=[]), DateParser(file="f.csv", warnings=[])
    one.learn_order(*columns.values())
    expected = {c: one.parse(v, column=c, rows=rows) for c, v in columns.items()}
    got = together.parse_columns(columns, rows=rows)
    assert list(got) == list(columns)
    for c in columns:
        pd.testing.assert_series_equal(got[c], expected[c])
    assert together.warnings == one.warnings and "row 7" in together.warnings[0]
    assert got["Created"].notna().all() and got["Resolved"].isna().sum() == len(odd.iloc[::40]) + 1


_HTML_PIECES = ["<p>", "</p>", "<div class=\"x\">", "</div>", "<br>", "<br/>", "<b>", "</b>", "<i>", "</i>",
                "<span title='a>b'>", "</span>", "<ul>", "<li>", "</li>", "</ul>", "<h2>", "</h2>", "<a href=\"u?a=1&amp;b\">",
                "</a>", "&amp;", "&lt;", "&gt;", "&nbsp;", "&#233;", "&eacute;", "&quot;", "&bogus;", "&", "a < b",
                "x > y", "word", "two words", "  ", "\n", "\t", "é", "<IMG SRC=x>", "<hr>", "<pre>", "</pre>",
                "<table>", "<tr>", "<td>", "</td>", "<th>", "</tr>", "</table>", "<script>x=1</script>",
                "<style>p{}</style>", "<!-- c -->", "<", "<3", "</", "<p", "<!DOCTYPE html>", "<?xml?>",
                "<blockquote>", "</blockquote>", "<P>", "</DIV>", "<p >", "<p\n>", "<br />", "<b\tclass=x>", "</p >",
                "<a href=x/>", "<img/>", "&#x41;", "&#65", "&amp", "&AMP;", "<ñ>", "<p-x>", "\x00", "<em>",
                "<P CLASS='A'>", "</two words", "<hr", "\"", "'", "<a b='", "\">"]


def test_html_text_by_expressions_equals_the_parser() -> None:
    """The regular-expression reading of rich text gives what html.parser gives, or hands the cell over."""
    from workfw.io._html import _LOOKS_HTML, _html_cell, _plain_html, _TextOnly

    def parsed(value: str) -> str | None:
        parser = _TextOnly()
        parser.feed(value)
        parser.close()
        lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
        return "\n".join(line for line in lines if line) or None

    rng = np.random.default_rng(3)
    fast = 0
    for _ in range(20000):
        value = "".join(_HTML_PIECES[k] for k in rng.integers(0, len(_HTML_PIECES), int(rng.integers(1, 12))))
        if "<" not in value:
            continue
        if not _LOOKS_HTML.search(value):
            continue
        fast += _plain_html(value) is not None
        assert _html_cell(value) == parsed(value), value
    assert fast > 4000  # most cells took the fast reading, so the comparison covers it


def test_a_record_longer_than_a_parse_block_is_read_whole(tmp_path) -> None:
    """A 3 MiB description in a 4 MB file: longer than the 1 MiB blocks the file is cut into, so the retry reads it."""
    from workfw.io._utf8 import table_from_utf8

    long_text = ("line one of a long description\n" + "x" * 99 + ",") * 30_000
    rows = [f'WF-{i},Task {i},"{long_text if i == 700 else "short"}"' for i in range(1, 1501)]
    path = tmp_path / "long.csv"
    path.write_text("Issue key,Summary,Description\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert 1 << 20 < len(long_text) < path.stat().st_size
    table = table_from_utf8(path, name="long.csv")
    assert table is not None and len(table.frame) == 1500
    assert table.frame["Description"].iloc[699] == long_text
    assert table.frame["Issue key"].iloc[-1] == "WF-1500"


@pytest.mark.parametrize("sample", ["jira", "linear", "azure-devops"])
def test_lists_started_early_give_the_same_table(monkeypatch, sample: str) -> None:
    """Large imports turn list columns into Python lists in a thread while assemble works; small ones do not."""
    import workfw.io._build as build

    path = wf.sample_path(sample)
    before = wf.read_export(path).tasks
    monkeypatch.setattr(build, "_EARLY_LISTS_ROWS", 0)
    started: list[int] = []
    original = build._start_lists

    def counted(mapped: pd.DataFrame) -> dict:
        early = original(mapped)
        started.append(len(early))
        return early

    monkeypatch.setattr(build, "_start_lists", counted)
    after = wf.read_export(path).tasks
    assert started and started[0] > 0, "no list column was started early"
    pd.testing.assert_frame_equal(after, before)
    assert all(type(cell) is list for col in ("assignees", "labels", "blocked_by") for cell in after[col])


def test_lists_started_early_are_left_when_rows_merge(monkeypatch, tmp_path) -> None:
    """Rows repeating a task merge their lists: the early lists stand for the rows before, so they are not used."""
    import workfw.io._build as build

    path = tmp_path / "repeats.csv"
    path.write_text("Issue key,Summary,Status,Assignee,Labels\nWF-1,One,Done,Ann,a\nWF-1,One,Done,Bo,b\n"
                    "WF-2,Two,To Do,,c\n", encoding="utf-8")
    before = wf.read_export(path)
    monkeypatch.setattr(build, "_EARLY_LISTS_ROWS", 0)
    after = wf.read_export(path)
    pd.testing.assert_frame_equal(after.tasks, before.tasks)
    assert after.tasks["assignees"].tolist() == [["Ann", "Bo"], []]
    assert after.report.merged == 1

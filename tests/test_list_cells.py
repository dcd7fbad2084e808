"""List cells flattened from the Arrow lists they were made from equal the cells flattened one by one."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import workfw as wf
from workfw.core.lists import _flat_list, flat_list
from workfw import list_cells
from workfw.list_cells import list_items
from workfw.schema import conform_tasks

LISTS = [["a", "b"], [], None, ["", "c", None], ["b"], [None], ["a", "b"], ["d", "e", "f", "g"]]


def _arrow_column(values: list, *, chunks: int = 1, large: bool = False) -> pd.Series:
    kind = pa.list_(pa.large_string() if large else pa.string())
    cut = np.array_split(np.arange(len(values)), chunks)
    arrays = [pa.array([values[i] for i in part], type=kind) for part in cut]
    return pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array(arrays, type=kind)))


def _conformed(column: pd.Series) -> pd.DataFrame:
    return conform_tasks(pd.DataFrame({"task_id": [f"T-{i}" for i in range(len(column))], "labels": column}))


@pytest.mark.parametrize("chunks", [1, 3])
@pytest.mark.parametrize("large", [False, True])
def test_items_read_from_arrow_equal_the_cells_flattened(chunks: int, large: bool) -> None:
    tasks = _conformed(_arrow_column(LISTS, chunks=chunks, large=large))
    assert tasks["labels"].tolist() == [["a", "b"], [], [], ["c"], ["b"], [], ["a", "b"], ["d", "e", "f", "g"]]
    known = list_items(tasks, "labels")
    assert known is not None, "a freshly conformed table keeps its Arrow lists"
    rows, items = known
    expected_rows, expected_items = _flat_list(tasks["labels"])
    assert rows.dtype == np.int64 and items.type == pa.large_string()
    np.testing.assert_array_equal(rows, expected_rows)
    assert items.equals(expected_items)
    assert rows.tolist() == [0, 0, 3, 4, 6, 6, 7, 7, 7, 7]


def test_a_column_of_empty_lists_saved_as_nulls_flattens_to_nothing() -> None:
    kind = pa.list_(pa.null())
    column = pd.Series(pd.arrays.ArrowExtensionArray(pa.array([[], [None], None], type=kind)))
    tasks = _conformed(column)
    rows, items = list_items(tasks, "labels")
    assert len(rows) == 0 and len(items) == 0 and items.type == pa.large_string()
    assert tasks["labels"].tolist() == [[], [], []]


def test_an_edited_table_and_other_tables_flatten_their_own_cells() -> None:
    tasks = _conformed(_arrow_column(LISTS))
    assert list_items(tasks.copy(), "labels") is None, "a copy is another table"
    assert list_items(tasks[tasks.index < 4], "labels") is None, "a filtered table is another table"
    assert list_items(tasks, "assignees") is None, "a column made from no Arrow lists"
    tasks.at[1, "labels"] = ["new"]
    assert list_items(tasks, "labels") is None, "the cells changed since they were made"
    assert id(tasks) not in list_cells._SOURCES._entries, "what was noted on the edited table goes at once"
    rows, items = flat_list(tasks, "labels")
    assert 1 in rows.tolist() and "new" in items.to_pylist()


def test_a_saved_export_flattens_its_lists_from_arrow(tmp_path) -> None:
    export = wf.read_export(wf.sample_path("jira"))
    path = tmp_path / "saved.workfw"
    export.save(path)
    loaded = wf.read_export(path)
    for column in ("assignees", "labels"):
        known = list_items(loaded.tasks, column)
        assert known is not None, column
        expected = _flat_list(loaded.tasks[column])
        np.testing.assert_array_equal(known[0], expected[0])
        assert known[1].equals(expected[1])
        assert sum(map(len, loaded.tasks[column])) == len(known[1]) > 0

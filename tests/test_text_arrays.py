"""The byte-level blank and padding checks give pyarrow's own answer on awkward text."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import pandas as pd

from workfw.errors import SchemaError
from workfw.schema import conform_tasks, validate_tasks
from workfw.text_arrays import blank_or_missing, may_need_trim, prefixed_numbers, repeats

_AWKWARD = ["", " ", "\t\n", "\u00a0", "\u3000", "\u2003x", "x\u00a0", "é", "日本", " a", "a ", "a", None,
            "\x7f", "~", "!", "  \u00a0  ", "\u200b", "ok", "\r", "Ключ", "x\u3000", "\u0085"]


def _expected_blank(values: pa.Array) -> np.ndarray:
    full = pc.or_(pc.equal(pc.binary_length(values), 0), pc.utf8_is_space(values))
    return pc.fill_null(full, True).to_numpy(zero_copy_only=False)


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
def test_blank_or_missing_matches_pyarrow_on_awkward_text(kind: pa.DataType) -> None:
    rng = np.random.default_rng(7)
    values = pa.array([_AWKWARD[i] for i in rng.integers(0, len(_AWKWARD), 5000)], type=kind)
    got = blank_or_missing(values)
    assert got.dtype == bool and len(got) == len(values)
    np.testing.assert_array_equal(got, _expected_blank(values))
    assert got.any() and not got.all()


def test_blank_or_missing_on_slices_and_chunks() -> None:
    values = pa.array(_AWKWARD * 3)
    sliced = values.slice(5, 40)
    np.testing.assert_array_equal(blank_or_missing(sliced), _expected_blank(sliced))
    chunked = pa.chunked_array([values.slice(0, 10), pa.array([], type=pa.string()), values.slice(10)])
    np.testing.assert_array_equal(blank_or_missing(chunked), _expected_blank(values))
    assert not blank_or_missing(pa.array(["a", "b"])).any()
    assert blank_or_missing(pa.nulls(3, type=pa.string())).all()
    assert len(blank_or_missing(pa.chunked_array([], type=pa.string()))) == 0


def test_blank_or_missing_refuses_other_types() -> None:
    with pytest.raises(TypeError, match="text arrays"):
        blank_or_missing(pa.array([1, 2]))


@pytest.mark.parametrize("text", _AWKWARD)
def test_may_need_trim_is_true_whenever_a_trim_changes_something(text: str | None) -> None:
    values = pa.array(["plain", text, "also"])
    changes = not pc.all(pc.fill_null(pc.equal(pc.utf8_trim_whitespace(values), values), True)).as_py()
    if changes:
        assert may_need_trim(values)
    assert not may_need_trim(pa.array(["plain", "also", None, ""]))


@pytest.mark.parametrize("ids, expected", [
    (["PRJ-1", "PRJ-2", "PRJ-10"], [1, 2, 10]),
    (["12", "7", "300"], [12, 7, 300]),
    (["PRJ-1", "PRJ-01"], None),  # a leading zero: "01" and "1" are different ids
    (["PRJ-1", "ABC-2"], None),
    (["PRJ-1", None], None),
    (["PRJ-1", "PRJ-1a"], None),
    (["ÄB-1", "ÄB-2"], None),  # prefixes are compared as ASCII only
])
def test_prefixed_numbers_reads_only_ids_whose_numbers_tell_them_apart(ids, expected) -> None:
    numbers = prefixed_numbers(pa.array(ids, type=pa.large_string()))
    assert (numbers is None) if expected is None else numbers.tolist() == expected


def test_prefixed_numbers_of_no_arrow_column_or_no_ids_is_none_and_repeats_of_none_is_empty() -> None:
    assert prefixed_numbers(None) is None
    assert prefixed_numbers(pa.array([], type=pa.string())) is None
    assert repeats(np.zeros(0, dtype=np.int64)).tolist() == []


@pytest.mark.parametrize("numbers", [[5, 3, 5, 9, 3, 3], [10**15, 7, 10**15, 2]])  # close and far apart
def test_repeats_is_pandas_duplicated(numbers) -> None:
    values = np.array(numbers, dtype=np.int64)
    assert repeats(values).tolist() == pd.Series(values).duplicated().tolist()


@pytest.mark.parametrize("ids", [["PRJ-1", "PRJ-2", "PRJ-3", "PRJ-2", "PRJ-1"], ["b", "a", "c", "a", "b"]])
def test_validate_tasks_names_the_first_repeated_id_by_either_path(ids) -> None:
    tasks = conform_tasks(pd.DataFrame({"task_id": ids, "status_category": "todo"}))
    with pytest.raises(SchemaError, match=repr(ids[3])):
        validate_tasks(tasks)
    validate_tasks(tasks.iloc[:3])


@pytest.mark.parametrize("values, expected", [
    (["1", "20", None, "0"], [1, 20, 0, 0]),
    (["9223372036854775807"], [9223372036854775807]),
    (["9223372036854775808"], None),  # past int64
    (["01"], None), (["+5"], None), (["-5"], None), (["5 "], None), ([""], None), (["1e3"], None),
    (["abc"], None), (["\u0661\u0662"], None),  # Arabic-Indic digits are no plain number here
    ([None, None], [0, 0]),
])
def test_plain_int64_reads_only_numbers_written_plainly(values, expected) -> None:
    from workfw.text_arrays import int64_digits, plain_int64

    for kind in (pa.string(), pa.large_string()):
        arr = pa.array(values, type=kind)
        got = plain_int64(arr)
        assert (got is None) if expected is None else got.tolist() == expected
        if got is not None:  # plain numbers are what int64_digits accepts (up to its 18 digits)
            short = pc.less_equal(pc.binary_length(arr), 18)
            assert pc.all(pc.or_kleene(pc.or_kleene(pc.is_null(arr), pc.invert(short)), int64_digits(arr)),
                          skip_nulls=False).as_py()

"""A table edited in place is seen as changed: values kept on it are worked out again, never handed back stale."""
from __future__ import annotations

import warnings

import pandas as pd
import pytest

import workfw as wf
from workfw import c4_flywheel, flow
from workfw.core import cache
from workfw.table_versions import TableVersion, can_watch


@pytest.fixture(scope="module")
def export():
    return wf.read_export(wf.sample_path("jira"))


def _signals(data) -> pd.DataFrame:
    return c4_flywheel.diagnose(data).signals[["signal", "value", "score"]].reset_index(drop=True)


EDITS = {
    "loc on a whole column": lambda t: t.loc.__setitem__((slice(None), "status_category"), "done"),
    "loc on some rows": lambda t: t.loc.__setitem__((t.index < 40, "team"), "Moved"),
    "at on one date": lambda t: t.at.__setitem__((3, "created"), pd.Timestamp("2001-01-01", tz="UTC")),
    "iat on one estimate": lambda t: t.iat.__setitem__((0, list(t.columns).index("estimate")), 99.0),
    "a column assigned": lambda t: t.__setitem__("assignee", pd.Series(pd.NA, index=t.index, dtype="string")),
    "fillna in place": lambda t: t.fillna({"team": "Filled"}, inplace=True),
    "a list cell replaced": lambda t: t.at.__setitem__((0, "labels"), ["new"]),
    "rows dropped in place": lambda t: t.drop(index=t.index[:10], inplace=True),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_version_sees_each_kind_of_edit_in_place(export, edit: str) -> None:
    tasks = export.tasks.copy()
    version = TableVersion(tasks)
    assert version.matches(tasks)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 3.1 deprecates some inplace=True methods
        EDITS[edit](tasks)
    assert not version.matches(tasks), f"{edit} left the table looking unchanged"


def test_a_version_holds_while_nothing_changes_and_reading_does_not_count(export) -> None:
    tasks = export.tasks.copy()
    version = TableVersion(tasks)
    _ = tasks["title"].str.len(), tasks.loc[tasks["team"].notna()], tasks.copy()
    assert version.matches(tasks)
    series = tasks["team"].copy()
    series_version = TableVersion(series)
    series.iloc[0] = "Other"
    assert not series_version.matches(series)
    assert can_watch(tasks) and can_watch(series) and not can_watch(tasks["team"].to_numpy())


def test_a_diagnosis_after_an_edit_in_place_reads_the_edited_table(export) -> None:
    tasks = export.tasks.copy()
    before = _signals(tasks)
    tasks.loc[:, "status_category"] = "done"
    after = _signals(tasks)
    fresh = _signals(tasks.copy())
    pd.testing.assert_frame_equal(after, fresh)
    assert not after.equals(before), "the edit changes the C4 signals, so an unchanged answer is a stale one"


def test_a_plain_frame_conformed_once_is_conformed_again_after_an_edit(export) -> None:
    plain = export.tasks[["task_id", "title", "status", "status_category", "team", "created", "completed"]].copy()
    plain["status_category"] = plain["status_category"].astype(str)
    first = flow.throughput(plain, freq="W")
    pd.testing.assert_frame_equal(first, flow.throughput(plain, freq="W"))
    assert first["count"].sum() > 0
    plain.loc[:, "completed"] = pd.NaT
    emptied = flow.throughput(plain, freq="W")
    assert emptied["count"].sum() == 0, "throughput still counted the completions the edit removed"
    pd.testing.assert_frame_equal(emptied, flow.throughput(plain.copy(), freq="W"))


def test_kept_values_survive_lookups_until_the_table_changes() -> None:
    table = pd.DataFrame({"task_id": ["A", "B"], "team": ["x", "y"]})
    builds: list[int] = []

    def build() -> int:
        builds.append(1)
        return len(builds)

    assert cache.cached(table, "count", build) == 1
    assert cache.cached(table, "count", build) == 1
    table.at[1, "team"] = "z"
    assert cache.cached_value(table, "count") is None, "a value kept on the table as it was came back"
    assert cache.cached(table, "count", build) == 2
    assert cache.cached(table, "count", build) == 2


def test_a_filtered_table_stops_reading_its_base_once_the_base_drops_rows_in_place(export) -> None:
    """Row-wise values of a filtered table are taken from its base by position: not after the base changed."""
    from workfw.core import prepare
    from workfw.core.rows import origin, per_row

    tasks = export.tasks.copy()
    ctx = prepare(tasks, project=tasks["project"].dropna().iloc[0])
    ids = lambda table: table["task_id"]  # noqa: E731
    assert origin(ctx.tasks) is not None
    assert (per_row(ctx.tasks, "ids", ids).to_numpy() == ctx.tasks["task_id"].to_numpy()).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tasks.drop(index=tasks.index[:5], inplace=True)
    assert origin(ctx.tasks) is None, "the positions recorded no longer point at the same rows"
    assert (per_row(ctx.tasks, "ids", ids).to_numpy() == ctx.tasks["task_id"].to_numpy()).all()


def test_what_was_kept_on_an_edited_table_goes_at_the_next_lookup() -> None:
    table = pd.DataFrame({"task_id": ["A", "B"], "n": [1.0, 2.0]})
    cache.cached(table, "sum", lambda: table["n"].sum())
    table.loc[0, "n"] = 5.0
    assert cache.cached_value(table, "sum") is None
    assert id(table) not in cache._ROOT, "the stale entry, and its hold on the old arrays, stayed"


def test_kept_on_finds_a_value_by_identity_until_the_object_dies_or_is_edited() -> None:
    import gc

    from workfw.table_versions import KeptOn

    kept, unwatched = KeptOn(), KeptOn(watch=False)
    table = pd.DataFrame({"team": ["a", "b"]})
    kept.put(table, "value")
    unwatched.put(table, "value")
    assert kept.get(table) == "value" and kept.get(table.copy(), "none") == "none", "a copy is another table"
    table.loc[0, "team"] = "c"
    assert kept.get(table, "none") == "none", "an edit made in place drops the value"
    assert unwatched.get(table) == "value", "unless edits are not watched"
    assert id(table) not in kept._entries
    ident = id(table)
    del table
    gc.collect()
    assert ident not in unwatched._entries, "the value goes with its object"

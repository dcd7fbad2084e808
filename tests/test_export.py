"""TaskExport save/read round trip and combine_exports."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import workfw as wf
from workfw.errors import ExportReadError, OptionError

MAP = {"task_id": "ID", "title": "Title", "status": "Status", "created": "Created", "parent_id": "Parent",
       "blocked_by": "Blocked by", "assignees": "Owner"}
TEAM_A = (b"ID,Title,Status,Created,Parent,Blocked by,Owner\n"
          b"1,Epic,In Progress,2024-01-01 09:00,,,\"Ana, Ben\"\n"
          b"2,Child,Done,2024-01-02,1,3,Ana\n"
          b"3,Other,To Do,2024-01-03,,,\n"
          b"3,Other,To Do,,,,Cy\n"
          b",no id,Done,,,,\n")
TEAM_B = (b"ID,Title,Status,Created,Parent,Blocked by,Owner\n"
          b"1,B epic,Done,2024-02-01,,,Dee\n"
          b"9,B child,Doing,2024-02-02,1,1,Dee\n")


def read(data: bytes, name: str) -> wf.TaskExport:
    return wf.read_export(data, source="generic-csv", mapping=MAP, name=name)


def test_team_a_reads_as_expected() -> None:
    a = read(TEAM_A, "team_a.csv")
    assert a.tasks["task_id"].tolist() == ["1", "2", "3"]
    assert a.tasks["parent_id"].tolist() == [pd.NA, "1", pd.NA]
    assert a.tasks["blocked_by"].tolist() == [[], ["3"], []]
    assert a.tasks["assignees"].tolist() == [["Ana", "Ben"], ["Ana"], ["Cy"]]
    assert (a.report.rows_read, a.report.merged, a.report.rejected) == (5, 1, 1)


def test_save_then_read_export_gives_equal_tables_and_report(tmp_path: Path) -> None:
    original = read(TEAM_A, "team_a.csv")
    path = original.save(tmp_path / "team_a")
    assert path.name == "team_a.workfw"
    again = wf.read_export(path)
    pd.testing.assert_frame_equal(again.tasks, original.tasks)
    pd.testing.assert_frame_equal(again.events, original.events)
    pd.testing.assert_frame_equal(again.raw, original.raw)
    assert again.report.to_dict() == original.report.to_dict()
    pd.testing.assert_frame_equal(again.report.status_map, original.report.status_map, check_dtype=False)
    assert again.tasks["created"].tolist()[0] == pd.Timestamp("2024-01-01 09:00", tz="UTC")
    assert again.tasks["assignees"].tolist()[0] == ["Ana", "Ben"]


def test_a_failed_save_keeps_the_earlier_file_and_names_the_export(tmp_path: Path, monkeypatch) -> None:
    import errno
    import zipfile

    from workfw.files import FileWriteError

    export = read(TEAM_A, "team_a.csv")
    path = export.save(tmp_path / "a.workfw")
    before = path.read_bytes()
    real_writestr = zipfile.ZipFile.writestr

    def full_halfway(self, name, data, *args, **kwargs):  # the disk fills up halfway through the zip
        if name == "events.parquet":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_writestr(self, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", full_halfway)
    with pytest.raises(FileWriteError, match=r"a\.workfw: could not write the file \(No space left on device\).*Next step"):
        export.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.workfw"]


def test_damaged_saved_export_is_an_export_read_error(tmp_path: Path) -> None:
    path = read(TEAM_A, "team_a.csv").save(tmp_path / "a.workfw")
    data = path.read_bytes()
    damaged = data.replace(b"PAR1", b"XXXX")
    with pytest.raises(ExportReadError, match=r"^a\.workfw, the whole file: found a damaged saved export"):
        wf.read_export(damaged, name="a.workfw")


def test_combine_prefixes_colliding_ids_and_remaps_links() -> None:
    a, b = read(TEAM_A, "team_a.csv"), read(TEAM_B, "team_b.csv")
    both = wf.combine_exports([a, b])
    tasks = both.tasks.set_index("task_id")
    assert list(tasks.index) == ["team_a:1", "team_a:2", "team_a:3", "team_b:1", "team_b:9"]
    assert tasks.loc["team_a:2", "parent_id"] == "team_a:1"
    assert tasks.loc["team_a:2", "blocked_by"] == ["team_a:3"]
    assert tasks.loc["team_b:9", "parent_id"] == "team_b:1"
    assert tasks.loc["team_b:9", "blocked_by"] == ["team_b:1"]
    assert tasks["parent_id"].isna().sum() == 3
    r = both.report
    assert (r.rows_read, r.merged, r.rejected) == (7, 1, 1)
    assert r.rows_read == len(both.tasks) + r.merged + r.rejected
    assert r.file == "team_a.csv, team_b.csv"
    assert any("Task ids repeat across files (1 ids, e.g. '1')" in w for w in r.warnings)
    assert both.raw["task_id"].tolist() == ["team_a:1", "team_a:2", "team_a:3", "team_a:3", pd.NA,
                                            "team_b:1", "team_b:9"]
    assert both.raw["_file"].tolist() == ["team_a.csv"] * 5 + ["team_b.csv"] * 2
    status = r.status_map.set_index("status")["tasks"]
    assert int(status.sum()) == 5


def test_combine_without_collisions_keeps_ids() -> None:
    b = read(TEAM_B, "team_b.csv")
    c = read(b"ID,Title,Status,Created,Parent,Blocked by,Owner\nC-1,x,Done,2024-03-01,,,\n", "team_c.csv")
    both = wf.combine_exports([b, c])
    assert both.tasks["task_id"].tolist() == ["1", "9", "C-1"]
    assert not any("prefixed" in w for w in both.report.warnings)


def test_combine_two_uploads_with_the_same_name_still_gets_unique_ids() -> None:
    first, second = read(TEAM_B, "uploaded file"), read(TEAM_B, "uploaded file")
    both = wf.combine_exports([first, second])
    assert both.tasks["task_id"].tolist() == ["uploaded file:1", "uploaded file:9",
                                              "uploaded file#2:1", "uploaded file#2:9"]
    assert both.tasks["task_id"].is_unique


def test_combine_never_prefix_names_the_clash() -> None:
    with pytest.raises(OptionError, match=r"e\.g\. '1' in \['team_a\.csv', 'team_b\.csv'\]"):
        wf.combine_exports([read(TEAM_A, "team_a.csv"), read(TEAM_B, "team_b.csv")], id_prefix="never")


def test_read_export_of_a_list_combines_files(tmp_path: Path) -> None:
    (tmp_path / "team_a.csv").write_bytes(TEAM_A)
    (tmp_path / "team_b.csv").write_bytes(TEAM_B)
    both = wf.read_export([tmp_path / "team_a.csv", tmp_path / "team_b.csv"], source="generic-csv", mapping=MAP)
    assert len(both.tasks) == 5
    assert both.tasks["task_id"].tolist()[3] == "team_b:1"

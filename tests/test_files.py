"""workfw.files: atomic writes, create-once files and the workspace folder."""
from __future__ import annotations

import errno
import multiprocessing
import os
from pathlib import Path

import pytest

from workfw.errors import WorkfwError
from workfw.files import (FileWriteError, atomic_write_bytes, atomic_write_text, atomic_writer, create_once,
                          workspace_dir)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_atomic_write_creates_the_folder_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "new" / "deeper" / "data.bin"
    assert atomic_write_bytes(target, b"first") == target
    assert atomic_write_bytes(target, b"second") == target
    assert target.read_bytes() == b"second"
    assert _leftovers(target.parent) == []


def test_atomic_write_text_keeps_line_ends_and_encodes(tmp_path):
    target = atomic_write_text(tmp_path / "t.csv", "é,a\r\nb\n", encoding="utf-8-sig")
    assert target.read_bytes() == "\ufeffé,a\r\nb\n".encode("utf-8")


def test_atomic_writer_streams_text_and_a_failure_inside_keeps_the_old_file(tmp_path):
    target = tmp_path / "big.csv"
    with atomic_writer(target, encoding="utf-8", newline="") as fh:
        for i in range(3):
            fh.write(f"{i},ü\n")
    assert target.read_text(encoding="utf-8") == "0,ü\n1,ü\n2,ü\n"
    with pytest.raises(KeyError):  # the caller's own error comes through unchanged
        with atomic_writer(target) as fh:
            fh.write(b"half")
            raise KeyError("stop")
    assert target.read_text(encoding="utf-8") == "0,ü\n1,ü\n2,ü\n"
    assert _leftovers(tmp_path) == []


def test_a_folder_that_cannot_be_made_names_the_file_and_the_next_step(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    target = blocker / "out.json"
    with pytest.raises(FileWriteError, match=r"out\.json: could not write the file .*Next step: check") as info:
        atomic_write_text(target, "{}")
    # Callers that catch OSError (the collector, the participant form) or WorkfwError both see it.
    assert isinstance(info.value, OSError) and isinstance(info.value, WorkfwError)
    assert isinstance(info.value.__cause__, OSError)


def test_a_failed_rename_keeps_the_old_content_and_removes_the_temporary_file(tmp_path, monkeypatch):
    target = atomic_write_bytes(tmp_path / "keep.txt", b"old")

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(FileWriteError, match="No space left on device"):
        atomic_write_bytes(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_create_once_never_replaces_a_file(tmp_path):
    target = tmp_path / "sub" / "salt"
    assert create_once(target, b"one") is True
    assert create_once(target, b"two") is False
    assert target.read_bytes() == b"one"
    assert _leftovers(target.parent) == []


def test_create_once_without_hard_links_still_lets_only_one_writer_win(tmp_path, monkeypatch):
    def no_links(*_args: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")  # what FAT answers on Linux

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "salt"
    assert create_once(target, b"one") is True
    assert create_once(target, b"two") is False
    assert target.read_bytes() == b"one"
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_modes_ask_for_private_files_and_otherwise_follow_the_umask(tmp_path):
    secret = tmp_path / "secret"
    create_once(secret, b"x", mode=0o600)
    assert secret.stat().st_mode & 0o077 == 0
    umask = os.umask(0o022)
    try:
        shared = atomic_write_bytes(tmp_path / "shared", b"x")
    finally:
        os.umask(umask)
    assert shared.stat().st_mode & 0o777 == 0o644


def _race(args: tuple[str, int]) -> tuple[bool, bytes]:
    path, worker = args
    won = create_once(path, f"worker {worker}".encode())
    return won, Path(path).read_bytes()


def test_create_once_across_processes_has_exactly_one_winner(tmp_path):
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    path = str(tmp_path / "shared")
    with multiprocessing.get_context(method).Pool(4) as pool:
        results = pool.map(_race, [(path, w) for w in range(16)])
    assert sum(won for won, _ in results) == 1
    assert len({content for _, content in results}) == 1
    assert _leftovers(tmp_path) == []


def test_workspace_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKFW_WORKSPACE", str(tmp_path / "ws"))
    assert workspace_dir() == tmp_path / "ws"
    monkeypatch.delenv("WORKFW_WORKSPACE")
    checkout = tmp_path / "checkout"
    (checkout / "notebooks").mkdir(parents=True)
    (checkout / "workfw").mkdir()
    monkeypatch.chdir(checkout / "notebooks")
    assert workspace_dir() == checkout / "workspace"

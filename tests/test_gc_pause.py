"""The collector pause: counted across nested and concurrent holders, and never left off by workfw."""
from __future__ import annotations

import gc
import threading

import pytest

import workfw as wf
from workfw.gc_pause import gc_paused


@pytest.fixture(autouse=True)
def _collector_running():
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_pause_holds_for_the_block_and_nested_blocks() -> None:
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "the inner block ended while the outer still holds the collector back"
    assert gc.isenabled()


def test_pause_ends_even_when_the_block_raises() -> None:
    with pytest.raises(KeyError):
        with gc_paused():
            raise KeyError("x")
    assert gc.isenabled()


def test_a_collector_the_user_turned_off_stays_off() -> None:
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def test_concurrent_holders_release_only_when_the_last_ends() -> None:
    entered, release = threading.Event(), threading.Event()

    def _hold() -> None:
        with gc_paused():
            entered.set()
            release.wait(5)

    worker = threading.Thread(target=_hold)
    worker.start()
    entered.wait(5)
    with gc_paused():
        pass
    assert not gc.isenabled(), "another thread still holds the collector back"
    release.set()
    worker.join(5)
    assert gc.isenabled()


def test_reading_an_export_leaves_the_collector_as_it_found_it(tmp_path) -> None:
    wf.read_export(wf.sample_path("github"))
    assert gc.isenabled()
    broken = tmp_path / "broken.json"
    broken.write_text('[{"number": 1, "title": "x"', encoding="utf-8")
    with pytest.raises(wf.errors.ExportReadError):
        wf.read_export(broken)
    assert gc.isenabled()

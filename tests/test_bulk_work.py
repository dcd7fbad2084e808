"""Settings held during bulk work: counted across nested and concurrent holders, and left as workfw found them."""
from __future__ import annotations

import gc
import sys
import threading

import pytest

import workfw as wf
from workfw import bulk_work
from workfw.bulk_work import gc_paused, quick_thread_switches, without_huge_pages


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


def _huge_pages_asked() -> bool:
    setter = bulk_work._numpy_huge_page_switch()
    before = bool(setter(False))
    setter(before)
    return before


@pytest.fixture()
def _huge_pages_on():
    setter = bulk_work._numpy_huge_page_switch()
    if setter is None or bulk_work._HUGE_PAGES is None:
        pytest.skip("numpy has no huge-page switch here, or NUMPY_MADVISE_HUGEPAGE is set")
    was = bool(setter(True))
    yield
    setter(was)


@pytest.mark.usefixtures("_huge_pages_on")
def test_huge_pages_are_off_for_the_block_and_back_after_it() -> None:
    with without_huge_pages():
        assert not _huge_pages_asked()
        with without_huge_pages():
            assert not _huge_pages_asked()
        assert not _huge_pages_asked(), "the inner block ended while the outer still holds the setting"
    assert _huge_pages_asked()


def test_huge_pages_a_user_turned_off_stay_off() -> None:
    setter = bulk_work._numpy_huge_page_switch()
    if setter is None or bulk_work._HUGE_PAGES is None:
        pytest.skip("numpy has no huge-page switch here, or NUMPY_MADVISE_HUGEPAGE is set")
    was = bool(setter(False))
    try:
        with without_huge_pages():
            pass
        assert not _huge_pages_asked()
    finally:
        setter(was)


def test_a_user_who_set_numpy_madvise_hugepage_keeps_numpy_as_set(monkeypatch) -> None:
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    assert bulk_work._huge_pages_setting() is None
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE")
    assert bulk_work._huge_pages_setting() is not None or bulk_work._numpy_huge_page_switch() is None


@pytest.mark.usefixtures("_huge_pages_on")
def test_an_import_and_a_diagnosis_run_without_huge_pages_and_put_them_back(monkeypatch) -> None:
    seen: list[bool] = []
    export = wf.read_export(wf.sample_path("jira"), progress=lambda stage, done: seen.append(_huge_pages_asked()))
    assert seen and not any(seen), "numpy still asked for huge pages during the import"
    assert _huge_pages_asked()

    import workfw.c4_flywheel as c4_flywheel

    during: list[bool] = []
    original = c4_flywheel.run_signals

    def watched(*args, **kwargs):
        during.append(_huge_pages_asked())
        return original(*args, **kwargs)

    monkeypatch.setattr(c4_flywheel, "run_signals", watched)
    c4_flywheel.diagnose(export)
    assert during and not any(during), "numpy still asked for huge pages during the diagnosis"
    assert _huge_pages_asked()


@pytest.fixture()
def _default_switch_interval():
    was = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    yield
    sys.setswitchinterval(was)


@pytest.mark.usefixtures("_default_switch_interval")
def test_an_import_hands_the_lock_over_quickly_and_puts_the_interval_back() -> None:
    seen: list[float] = []
    wf.read_export(wf.sample_path("jira"), progress=lambda stage, done: seen.append(sys.getswitchinterval()))
    assert seen and max(seen) <= bulk_work.SWITCH_INTERVAL, f"the import ran with switch intervals {set(seen)}"
    assert sys.getswitchinterval() == pytest.approx(0.005, rel=0.05)


@pytest.mark.usefixtures("_default_switch_interval")
def test_a_shorter_interval_of_the_users_own_is_kept() -> None:
    sys.setswitchinterval(0.0001)
    with quick_thread_switches():
        assert sys.getswitchinterval() == pytest.approx(0.0001, rel=0.05)
        with quick_thread_switches():
            pass
        assert sys.getswitchinterval() == pytest.approx(0.0001, rel=0.05)
    assert sys.getswitchinterval() == pytest.approx(0.0001, rel=0.05)

"""Signals of a large table worked out on several threads: each shared value built once, the same results."""
from __future__ import annotations

import threading
import time
import warnings

import pandas as pd
import pytest

import workfw as wf
from workfw import c4_flywheel, coordination_stack, value_pyramid, visibility
from workfw.core import cache, diagnosis, threads


def _table(n: int = 3) -> pd.DataFrame:
    return pd.DataFrame({"x": range(n)})


def test_a_value_asked_for_by_two_threads_at_once_is_built_once() -> None:
    table = _table()
    builds = []
    started = threading.Event()

    def slow_build() -> str:
        builds.append(threading.get_ident())
        started.set()
        time.sleep(0.2)
        return "value"

    got = {}

    def ask(name: str) -> None:
        got[name] = cache.cached(table, "shared", slow_build)

    first = threading.Thread(target=ask, args=("first",))
    first.start()
    assert started.wait(5)
    second = threading.Thread(target=ask, args=("second",))
    second.start()
    first.join(5)
    second.join(5)
    assert got == {"first": "value", "second": "value"}
    assert len(builds) == 1, "the second thread waited for the first one's build instead of building again"


def test_a_value_being_built_is_not_handed_out_as_kept() -> None:
    table = _table()
    seen = []

    def build() -> int:
        seen.append(cache.cached_value(table, "mine", "nothing kept"))
        return 7

    assert cache.cached(table, "mine", build) == 7
    assert seen == ["nothing kept"]
    assert cache.cached_value(table, "mine") == 7


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_failed_build_lets_the_waiting_thread_build_again(error: type[BaseException]) -> None:
    table = _table()
    started, release = threading.Event(), threading.Event()
    calls = []

    def failing() -> int:
        calls.append("failing")
        started.set()
        release.wait(5)
        raise error("no value")

    def working() -> int:
        calls.append("working")
        return 3

    errors = []

    def ask_failing() -> None:
        try:
            cache.cached(table, "v", failing)
        except error as exc:
            errors.append(str(exc))

    first = threading.Thread(target=ask_failing)
    first.start()
    assert started.wait(5)
    got = []
    second = threading.Thread(target=lambda: got.append(cache.cached(table, "v", working)))
    second.start()
    time.sleep(0.05)
    assert not got, "the second thread waits while the first builds"
    release.set()
    first.join(5)
    second.join(5)
    assert errors == ["no value"]
    assert got == [3] and calls == ["failing", "working"]
    assert cache.cached_value(table, "v") == 3


def _results(data) -> dict:
    out = {}
    for module in (c4_flywheel, coordination_stack, value_pyramid, visibility):
        result = module.diagnose(data)
        out[module.__name__] = (result.signals, result.coverage, pd.DataFrame(result.findings), result.summary)
    return out


def test_signals_worked_out_on_threads_equal_those_worked_out_on_one(monkeypatch) -> None:
    export = wf.read_export(wf.sample_path("jira"))
    monkeypatch.setattr(threads, "PARALLEL_FROM_TASKS", 10**9)
    alone = _results(export.tasks.copy())
    ran_on = set()
    compute = diagnosis._computed

    def noting(ctx, spec):
        ran_on.add(threading.current_thread().name)
        return compute(ctx, spec)

    monkeypatch.setattr(threads, "PARALLEL_FROM_TASKS", 1)
    monkeypatch.setattr(threads, "_threads", lambda: 2)
    monkeypatch.setattr(diagnosis, "_computed", noting)
    together = _results(export.tasks.copy())
    assert any(name != threading.current_thread().name for name in ran_on), "no signal ran on a worker thread"
    for name, (signals, coverage, findings, summary) in alone.items():
        other = together[name]
        pd.testing.assert_frame_equal(signals, other[0], obj=f"{name} signals")
        pd.testing.assert_frame_equal(coverage, other[1], obj=f"{name} coverage")
        pd.testing.assert_frame_equal(findings, other[2], obj=f"{name} findings")
        pd.testing.assert_frame_equal(summary, other[3], obj=f"{name} summary")


def test_an_error_in_a_signal_on_a_thread_reaches_the_caller(monkeypatch) -> None:
    export = wf.read_export(wf.sample_path("jira"))
    monkeypatch.setattr(threads, "PARALLEL_FROM_TASKS", 1)
    monkeypatch.setattr(threads, "_threads", lambda: 2)
    spec = c4_flywheel.SIGNALS[3]

    def broken(ctx):
        raise KeyError("a column the signal expected")

    broken_specs = [*c4_flywheel.SIGNALS[:3], diagnosis.SignalSpec(spec.element, spec.name, spec.required, spec.how,
                                                                   broken), *c4_flywheel.SIGNALS[4:]]
    ctx = diagnosis.prepare(export.tasks.copy())
    with pytest.raises(KeyError, match="a column the signal expected"):
        diagnosis.run_signals(ctx, broken_specs)


def test_small_tables_stay_on_one_thread(monkeypatch) -> None:
    export = wf.read_export(wf.sample_path("jira"))
    assert len(export.tasks) < threads.PARALLEL_FROM_TASKS
    seen = set()
    compute = diagnosis._computed

    def noting(ctx, spec):
        seen.add(threading.current_thread().name)
        return compute(ctx, spec)

    monkeypatch.setattr(diagnosis, "_computed", noting)
    c4_flywheel.diagnose(export.tasks.copy())
    assert seen == {threading.current_thread().name}


def test_status_rules_held_by_the_caller_reach_the_worker_threads(monkeypatch) -> None:
    export = wf.read_export(wf.sample_path("jira-api"))
    events = export.events.copy()
    # A status name only the history holds, placed only by a rule of the caller's.
    for column in ("old", "new"):
        events[column] = events[column].where(events[column] != "In Progress", "Zarfing")
    # Not placed by the read (as in a history built by hand): only the rules can place it.
    for column in ("old", "new"):
        events[f"{column}_category"] = events[f"{column}_category"].where(events[column] != "Zarfing")
    rules = pd.concat([pd.DataFrame([{"category": "in_progress", "language": "en", "pattern": "zarf", "note": ""}]),
                       wf.io.status_rules()], ignore_index=True)
    monkeypatch.setattr(threads, "_threads", lambda: 2)

    def signals(parallel_from: int) -> pd.DataFrame:
        monkeypatch.setattr(threads, "PARALLEL_FROM_TASKS", parallel_from)
        data = type("Export", (), {"tasks": export.tasks.copy(), "events": events.copy()})()
        with wf.io.use_status_rules(rules):
            return coordination_stack.diagnose(data).signals

    alone, together = signals(10**9), signals(1)
    pd.testing.assert_frame_equal(alone, together)
    with wf.io.use_status_rules(None):
        plain = coordination_stack.diagnose(type("Export", (), {"tasks": export.tasks.copy(),
                                                                "events": events.copy()})()).signals
    assert not plain["value"].equals(alone["value"]), "the caller's rule changes a signal (else this test shows nothing)"


def test_warning_filters_left_by_overlapping_threads_are_put_back(monkeypatch) -> None:
    """pandas' catch_warnings blocks on two threads at once can leave one's filter behind: run_signals mends it."""
    export = wf.read_export(wf.sample_path("jira"))
    monkeypatch.setattr(threads, "PARALLEL_FROM_TASKS", 1)
    monkeypatch.setattr(threads, "_threads", lambda: 2)
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    spec = c4_flywheel.SIGNALS[0]

    def first(ctx):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            first_in.set()
            second_in.wait(5)
        first_out.set()  # its block has put back the filters it found
        raise diagnosis.NotMeasurable("first")

    def second(ctx):
        first_in.wait(5)
        with warnings.catch_warnings():  # saves the filters with the first block's "ignore" in them ...
            warnings.simplefilter("ignore", DeprecationWarning)
            second_in.set()
            first_out.wait(5)
        # ... and puts them back: the first block's "ignore" now outlives it
        raise diagnosis.NotMeasurable("second")

    specs = [diagnosis.SignalSpec(spec.element, "first", (), "", first),
             diagnosis.SignalSpec(spec.element, "second", (), "", second)]
    before = list(warnings.filters)
    diagnosis.run_signals(diagnosis.prepare(export.tasks.copy()), specs)
    assert first_out.is_set() and second_in.is_set(), "the two blocks overlapped"
    assert list(warnings.filters) == before


@pytest.mark.parametrize(("files", "cores"), [
    ({"cpu.max": "max 100000"}, None),
    ({"cpu.max": "150000 100000"}, 1.5),
    ({"cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000"}, None),
    ({"cpu/cpu.cfs_quota_us": "100000", "cpu/cpu.cfs_period_us": "100000"}, 1.0),
    ({}, None),
])
def test_a_container_cpu_quota_is_read_from_its_control_group(tmp_path, files: dict, cores) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text + "\n")
    assert threads._cpu_quota.__wrapped__(str(tmp_path)) == cores


def test_a_quota_of_one_core_keeps_the_work_on_one_thread(monkeypatch) -> None:
    monkeypatch.setattr(threads, "_cpu_quota", lambda: 1.0)
    assert threads._threads() == 1
    seen = set()
    assert threads.side_by_side([lambda: seen.add(threading.current_thread().name)] * 3,
                                tasks=threads.PARALLEL_FROM_TASKS) == [None, None, None]
    assert seen == {threading.current_thread().name}

"""The scan's priority (:mod:`crane_ctrl.runtime.scan_priority`): the station's loop thread, and
what it starts, go ahead of ordinary work; nothing else in the process is raised; a process that
may not raise a priority runs on and says why, with the fix; the planning worker goes back."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

import pytest

from crane_ctrl.runtime.scan_priority import (
    SCAN_NICE,
    ScanPriority,
    back_to,
    raise_process,
    raise_this_thread,
    raised,
)

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="per-thread nice is Linux's")

T = TypeVar("T")


def in_a_thread(work: Callable[[], T]) -> T:
    """``work()`` in a new thread (a raised priority then dies with it); its result."""
    out: list[T] = []
    thread = threading.Thread(target=lambda: out.append(work()))
    thread.start()
    thread.join(10)
    return out[0]


def nice_of_this_thread() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def may_raise() -> bool:
    def trial() -> bool:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice_of_this_thread() - 1)
        except PermissionError:
            return False
        return True

    return in_a_thread(trial)


needs_cap_sys_nice = pytest.mark.skipif(not may_raise(), reason="needs CAP_SYS_NICE")


@needs_cap_sys_nice
def test_the_calling_thread_and_what_it_starts_are_raised_and_nothing_else() -> None:
    main_before = nice_of_this_thread()

    def raised() -> tuple[ScanPriority, int, int]:
        got = raise_this_thread(SCAN_NICE)
        return got, nice_of_this_thread(), in_a_thread(nice_of_this_thread)

    got, own, child = in_a_thread(raised)
    assert got == ScanPriority(main_before, SCAN_NICE)
    assert got.sentence() == f"scan priority: nice {SCAN_NICE} (was {main_before})"
    assert own == child == SCAN_NICE
    assert nice_of_this_thread() == main_before  # the HMI's thread, in the demo


def test_a_priority_is_never_lowered() -> None:
    def at_minus_20_already() -> ScanPriority:
        if may_raise():
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), -20)
            return raise_this_thread(SCAN_NICE)
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        return raise_this_thread(19)

    got = in_a_thread(at_minus_20_already)
    assert got.before == got.now
    assert not got.why_not


def test_without_cap_sys_nice_the_station_runs_on_and_says_why_with_the_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused(which: int, who: int, nice: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "setpriority", refused)
    got = in_a_thread(lambda: raise_this_thread(SCAN_NICE))
    assert got.now == got.before
    sentence = got.sentence()
    assert sentence.startswith("scan priority not raised: nice -10 needs CAP_SYS_NICE")
    assert "AmbientCapabilities=CAP_SYS_NICE" in sentence
    assert "--cap-add SYS_NICE" in sentence


def test_back_to_lowers_a_raised_process_and_never_raises_one() -> None:
    def lowered() -> tuple[int, int]:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 5)
        back_to(0)  # would raise it: not done
        first = nice_of_this_thread()
        back_to(7)
        return first, nice_of_this_thread()

    assert in_a_thread(lowered) == (5, 7)


@pytest.mark.parametrize("text", ["-21", "20", "high", "1.5", ""])
def test_crane_ctrl_station_refuses_a_nice_value_that_is_not_one_and_says_the_range(
    text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from crane_ctrl.cli.main import main

    with pytest.raises(SystemExit) as stopped:
        main(["station", "--profile", "p.toml", "--plc", "modbus://127.0.0.1:1", "--scan-nice",
              text])  # fmt: skip
    assert stopped.value.code == 2
    assert "a nice value is a whole number from -20 to 19" in capsys.readouterr().err


@needs_cap_sys_nice
def test_the_whole_process_is_raised_for_the_run_and_left_as_it_was_found_after_it() -> None:
    """Every thread: one left at an ordinary priority could hold the interpreter lock while a
    busy core's other work preempts it, and keep the scan waiting. ``crane-ctrl run`` and a
    station started in-process (by a test, a bench) leave the process as they found it."""
    other_started, other_stop = threading.Event(), threading.Event()
    other_nice: list[int] = []

    def other() -> None:
        other_nice.append(nice_of_this_thread())
        other_started.set()
        other_stop.wait(10)
        other_nice.append(nice_of_this_thread())

    bystander = threading.Thread(target=other)
    bystander.start()
    other_started.wait(10)
    before = nice_of_this_thread()
    try:
        with raised(SCAN_NICE) as got:
            assert got == ScanPriority(before, SCAN_NICE)
            assert nice_of_this_thread() == SCAN_NICE
            assert os.getpriority(os.PRIO_PROCESS, bystander.native_id or 0) == SCAN_NICE
            assert in_a_thread(nice_of_this_thread) == SCAN_NICE  # started now: inherits
        assert nice_of_this_thread() == before
        assert os.getpriority(os.PRIO_PROCESS, bystander.native_id or 0) == other_nice[0]
    finally:
        other_stop.set()
        bystander.join(10)


@needs_cap_sys_nice
def test_a_raise_says_the_priority_before_it_for_the_planning_worker() -> None:
    def raise_and_undo() -> tuple[int | None, int]:
        before = nice_of_this_thread()
        done = raise_process(SCAN_NICE)
        try:
            return done.base, before
        finally:
            done.restore()

    base, before = in_a_thread(raise_and_undo)
    assert base == before


def test_the_default_comes_from_the_environment_and_a_bad_one_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from crane_ctrl.errors import CraneCtrlError
    from crane_ctrl.runtime.scan_priority import SCAN_NICE_ENV, default_scan_nice

    monkeypatch.delenv(SCAN_NICE_ENV, raising=False)
    assert default_scan_nice() == SCAN_NICE
    monkeypatch.setenv(SCAN_NICE_ENV, " 5 ")
    assert default_scan_nice() == 5
    for bad in ("-30", "fast"):
        monkeypatch.setenv(SCAN_NICE_ENV, bad)
        with pytest.raises(CraneCtrlError, match=r"\$CRANE_CTRL_SCAN_NICE is .*from -20 to 19"):
            default_scan_nice()

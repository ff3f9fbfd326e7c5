"""``crane-ctrl bench realtime``: a short idle run reports every figure, sane; the processes it
starts (the simulator, the stressors) are gone when it ends, however it ends."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator

import pytest

from crane_ctrl.bench.realtime import bench_realtime
from crane_ctrl.bench.realtime_cases import RealtimeOptions
from crane_ctrl.bench.stress import Stress
from crane_ctrl.cli.main import main
from crane_ctrl.runtime.children import group_alive, processes
from crane_ctrl.runtime.scan_priority import SCAN_NICE
from crane_ctrl.testing import wait_until

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")


@pytest.fixture
def switch_interval() -> Iterator[None]:
    """The station makes the thread switch interval small; give the test process its own back."""
    interval = sys.getswitchinterval()
    yield
    sys.setswitchinterval(interval)


def _children() -> list[int]:
    """This process's living children (a zombie not yet reaped does not count, nor
    multiprocessing's resource tracker, which lives as long as this process)."""
    return [pid for pid, state, parent, _ in processes()
            if parent == os.getpid() and state != "Z" and not _resource_tracker(pid)]  # fmt: skip


def _resource_tracker(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return b"multiprocessing.resource_tracker" in cmdline.read()
    except OSError:  # it ended meanwhile
        return False


def test_an_idle_run_reports_every_figure_and_leaves_no_process(
    switch_interval: None, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = bench_realtime(RealtimeOptions(seconds=5.0, conditions=("idle",)))
    json.dumps(figures)  # the command prints it as its last line
    assert "idle, gc paced, asyncio, planning pool" in capsys.readouterr().out
    [case] = figures["cases"]
    assert case["scans"] >= 80  # 100 in 5 s at 20 Hz; a slow scan makes run() skip some
    for name in ("scan_lateness_ms", "scan_interval_ms", "scan_duration_ms", "scan_io_ms",
                 "scan_work_ms",
                 "sequencer_ms", "planning_ms", "planning_scan_ms"):  # fmt: skip
        assert set(case[name]) >= {"p50", "p99", "max"}, name
        assert 0 <= case[name]["p50"] <= case[name]["p99"] <= case[name]["max"], name
    assert 0 < case["scan_duration_ms"]["p50"] < 50
    assert 40 < case["scan_interval_ms"]["p50"] < 60
    assert case["longest_write_gap_ms"] > 0  # (its size is the benchmark's to report)
    assert case["watchdog_margin_ms"] == pytest.approx(500 - case["longest_write_gap_ms"], abs=0.2)
    assert case["planning_ms"]["legs"] >= 1  # the first job plans its collect leg at once
    assert case["watchdog_trips"] >= 0
    assert case["watchdog_polls_missed"] == 0
    assert case["link_failures"] >= 0
    assert case["link_reconnects"] >= 0
    assert case["jobs_completed"] >= 0
    assert case["jobs_failed"] == 0
    assert 0 < case["cpu_s"] < 5
    assert 0 < case["station_thread_cpu_s"] <= case["cpu_s"]
    assert case["stress"] is None
    assert case["priority"] == "raised"
    base = os.getpriority(os.PRIO_PROCESS, os.getpid())
    assert case["station_nice"] in (SCAN_NICE, base)  # base: no CAP_SYS_NICE here
    assert set(case["targets"]) == {
        "write_gap_le_150ms", "p99_lateness_le_10ms", "no_watchdog_trip_in_run",
        "no_watchdog_trip_in_30_min", "max_scan_le_10ms_idle", "max_scan_work_le_10ms_idle",
    }  # fmt: skip
    assert case["targets"]["no_watchdog_trip_in_30_min"] is None  # a 5 s run cannot say
    assert _children() == []


async def test_stressors_run_inside_the_block_and_are_gone_after_it() -> None:
    groups: list[int] = []

    async def interrupted() -> None:
        async with Stress(workers=2) as stress:
            groups.extend(stress.group.pids)  # stress-ng (it forks two workers) or two Pythons

            def spinning() -> bool:
                return sum(1 for *_, group in processes() if group in groups) >= 2

            await wait_until(spinning, within=10, what="two stressors running")
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        await interrupted()
    assert groups
    assert not any(group_alive(pgid) for pgid in groups)
    assert _children() == []


def test_an_unknown_condition_is_refused_with_a_suggestion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["bench", "realtime", "--conditions", "idle,stres"])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert "no 'stres' (one of idle, stress, stress+hmi, or all); did you mean 'stress'?" in error

"""``crane-ctrl bench hmi``: does the HMI delay the scan? Scan lateness without and with it.

Two runs of the demo (simulator on loopback, station in its own thread, jobs running), each for
``seconds``: first with nothing watching, then with the HMI running headless in the main thread
and refreshing the Overview at 10 Hz. For each: the scan's p99 lateness (how late a scan starts
after its deadline, over the run) and p99 scan time; for the HMI run also the share of one core
the HMI's thread used (``time.thread_time``) and the whole process (``resource.getrusage``).
Each run measures after a warm-up (:data:`WARM_UP_S`), scan by scan.
Targets: the HMI at 10 Hz takes at most 15 % of a core (issue 16); p99 lateness moves by at most
2 ms.
"""

from __future__ import annotations

import asyncio
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.shipped import GENERIC_MODBUS
from crane_ctrl.runtime.bridge import ThreadBridge
from crane_ctrl.runtime.demo import Demo, DemoOptions
from crane_ctrl.runtime.supervisor import Supervisor, SupervisorView
from simulators.site_file import load_site

__all__ = ["CPU_TARGET", "LATENESS_TARGET_S", "bench_hmi"]

CPU_TARGET = 0.15
"""At most this share of one core for the HMI at 10 Hz."""
LATENESS_TARGET_S = 0.002
"""Scan p99 lateness with the HMI within this of the run without it."""
PROFILE = GENERIC_MODBUS
SIZE = (120, 40)
"""The headless terminal the HMI draws into."""
WARM_UP_S = 3.0
"""Before measuring: the demo's jobs under way, the HMI started and drawn once."""


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Lateness:
    """Every scan's lateness from the moment :meth:`start` is called (bench instrumentation:
    wraps the supervisor's ``scan_once``, which ``run`` calls with each scan's lateness)."""

    def __init__(self, supervisor: Supervisor) -> None:
        self.samples: list[float] = []
        self._recording = False
        scan_once = supervisor.scan_once

        async def recorded(lateness_s: float = 0.0) -> SupervisorView:
            if self._recording:
                self.samples.append(lateness_s)
            return await scan_once(lateness_s)

        supervisor.scan_once = recorded  # type: ignore[method-assign]

    def start(self) -> None:
        self._recording = True

    def p99_ms(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000 if ordered else 0.0


def _run(
    seconds: float, watch: Callable[[ThreadBridge, _Lateness, float], None]
) -> dict[str, float]:
    """One demo run: ``watch`` in the main thread for ``seconds`` after a warm-up."""
    journal = Path(tempfile.mkdtemp(prefix="crane-ctrl-bench-")) / "journal.sqlite"
    demo = Demo(DemoOptions(load_profile(PROFILE), PROFILE, load_site(), journal))
    bridge = demo.start()
    try:
        lateness = _Lateness(bridge.station.supervisor)
        cpu0, wall0 = _cpu_s(), time.monotonic()
        watch(bridge, lateness, seconds)
        cpu, wall = _cpu_s() - cpu0, time.monotonic() - wall0
        stats = bridge.view.supervisor.stats
    finally:
        demo.stop()
    return {
        "p99_lateness_ms": lateness.p99_ms(),
        "scans": float(len(lateness.samples)),
        "p99_scan_ms": stats.p99_scan_s * 1000,
        "process_cpu_share": cpu / wall,
    }


def _idle(bridge: ThreadBridge, lateness: _Lateness, seconds: float) -> None:
    del bridge
    time.sleep(WARM_UP_S)
    lateness.start()
    time.sleep(seconds)


class _HmiWatch:
    """Runs the HMI headless for the run; measures its thread's CPU time."""

    def __init__(self) -> None:
        self.cpu_share = 0.0
        self.refreshes = 0

    def __call__(self, bridge: ThreadBridge, lateness: _Lateness, seconds: float) -> None:
        asyncio.run(self._run(bridge, lateness, seconds))

    async def _run(self, bridge: ThreadBridge, lateness: _Lateness, seconds: float) -> None:
        from crane_ctrl.operation.machine import Role
        from hmi.app import CraneHmi

        user = await bridge.call(bridge.station.sessions.issue, "bench", Role.OPERATOR,
                                 client="bench hmi")  # fmt: skip
        app = CraneHmi(bridge, user=user)
        original = app.refresh_view

        def counted() -> None:
            self.refreshes += 1
            original()

        app.refresh_view = counted  # type: ignore[method-assign]
        async with app.run_test(size=SIZE):
            await asyncio.sleep(WARM_UP_S)
            lateness.start()
            refreshes, cpu0, wall0 = self.refreshes, time.thread_time(), time.monotonic()
            await asyncio.sleep(seconds)
            self.cpu_share = (time.thread_time() - cpu0) / (time.monotonic() - wall0)
            self.refreshes -= refreshes


def bench_hmi(seconds: float = 20.0) -> dict[str, Any]:
    """Print the figures; return them (the command prints them as the last line, JSON)."""
    print(f"demo without the HMI, {seconds:g} s ...", flush=True)
    without = _run(seconds, _idle)
    print(f"demo with the HMI headless at {SIZE[0]}x{SIZE[1]}, 10 Hz, {seconds:g} s ...",
          flush=True)  # fmt: skip
    watch = _HmiWatch()
    with_hmi = _run(seconds, watch)
    difference = with_hmi["p99_lateness_ms"] - without["p99_lateness_ms"]
    result = {
        "seconds": seconds,
        "p99_lateness_ms_without_hmi": round(without["p99_lateness_ms"], 3),
        "p99_lateness_ms_with_hmi": round(with_hmi["p99_lateness_ms"], 3),
        "p99_lateness_difference_ms": round(difference, 3),
        "p99_scan_ms_without_hmi": round(without["p99_scan_ms"], 3),
        "p99_scan_ms_with_hmi": round(with_hmi["p99_scan_ms"], 3),
        "scans_measured": int(without["scans"] + with_hmi["scans"]),
        "hmi_thread_cpu_share": round(watch.cpu_share, 3),
        "hmi_refreshes_per_s": round(watch.refreshes / seconds, 1),
        "process_cpu_share_without_hmi": round(without["process_cpu_share"], 3),
        "process_cpu_share_with_hmi": round(with_hmi["process_cpu_share"], 3),
        "cpu_target_met": watch.cpu_share <= CPU_TARGET,
        "lateness_target_met": difference <= LATENESS_TARGET_S * 1000,
    }
    print(f"scan p99 lateness: {result['p99_lateness_ms_without_hmi']} ms without the HMI, "
          f"{result['p99_lateness_ms_with_hmi']} ms with it ({difference:+.2f} ms; target "
          f"<= +{LATENESS_TARGET_S * 1000:g} ms)")  # fmt: skip
    print(f"HMI thread: {watch.cpu_share:.1%} of a core at {result['hmi_refreshes_per_s']} "
          f"refreshes/s (target <= {CPU_TARGET:.0%})")  # fmt: skip
    return result

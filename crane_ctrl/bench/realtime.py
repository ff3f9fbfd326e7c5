"""``crane-ctrl bench realtime``: does the scan keep time on a busy machine? Progress on stderr,
a summary per case on stdout, and the last line of stdout one JSON object.

Each case runs the production station (:class:`~crane_ctrl.runtime.host.StationRuntime`: the
supervisor's real scan loop ``Supervisor.run`` at 20 Hz on the real clock, in its own thread,
the journal, the automation) in this process, against the bundled simulator served by
``crane-ctrl sim`` in another process over loopback Modbus TCP, with a PLC watchdog of
:data:`WATCHDOG_S` (a personality file, ``watchdog_s``). The crane works the reference jobs
(:mod:`crane_ctrl.bench.realtime_jobs`: truck -> stack and back, 40 ft and 20 ft) for
``seconds`` at 1x. Cases are the product of:

* condition: ``idle`` (nothing else runs); ``stress`` (every core kept busy by other processes,
  :class:`~crane_ctrl.bench.stress.Stress`); ``stress+hmi`` (the same, and the Textual HMI
  headless in this process's main thread at 10 Hz, as ``crane-ctrl demo`` runs it);
* garbage collection: ``paced`` (the station's :class:`~crane_ctrl.runtime.gc_pacing.GcPacer`:
  automatic collection off, collected after each scan), ``paced+freeze`` (and ``gc.freeze()``
  once start-up is over), ``auto`` (Python's automatic collection), ``auto+freeze``;
* event loop: ``asyncio``, or ``uvloop`` when it is installed (it is not a dependency);
* scan priority: ``raised`` (the station's loop thread at nice -10, as the station runs where
  it may: :mod:`crane_ctrl.runtime.scan_priority`), or ``normal`` (the priority it started with).

Per case (bench instrumentation, :mod:`crane_ctrl.bench.realtime_probe`, from outside the
supervisor's and the sequencer's code): scan lateness (on the loop's clock), the interval from
one scan's start to the next (on ``time.perf_counter``), scan duration and the link's read +
write time in it, p50/p99/max; the longest gap between two successful PLC writes and its margin
to the watchdog; the sequencer hook's time per scan, in the scans that planned a leg, and each
``LegPlan.plan``; the link's failed requests and reconnects; PLC watchdog trips the simulator
latched (its ``plc.watchdog_trip``, polled every :data:`~crane_ctrl.bench.realtime_jobs.
TEND_EVERY_S`); jobs done and failed; CPU seconds of this process and of the station's thread;
the machine's 1-minute load average at the end (anything else running shows there: ``idle`` is
idle only on an idle machine). ``targets``: the issue's, each true or false (``None`` where it
does not apply): write gap <= 150 ms, p99 lateness <= 10 ms, no watchdog trip in the run (and
in 30 minutes, only for runs that long), max scan <= 10 ms when idle.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import os
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from crane_ctrl.bench.realtime_cases import (
    WATCHDOG_S,
    Case,
    RealtimeOptions,
    targets,
    uvloop_installed,
)
from crane_ctrl.bench.realtime_jobs import TEND_EVERY_S, JobCycle
from crane_ctrl.bench.realtime_probe import ScanProbe, percentiles
from crane_ctrl.bench.sim_process import SimulatorProcess
from crane_ctrl.bench.stress import Stress, cores
from crane_ctrl.link_report import LinkHealth
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.shipped import GENERIC_MODBUS
from crane_ctrl.runtime.bridge import ThreadBridge
from crane_ctrl.runtime.gc_pacing import GcPacer
from crane_ctrl.runtime.host import StationConfig, StationRuntime
from crane_ctrl.runtime.scan_priority import SCAN_NICE
from simulators.site_file import load_site

__all__ = ["HMI_WARM_UP_S", "bench_realtime", "run_case"]

PROFILE = GENERIC_MODBUS
HMI_WARM_UP_S = 3.0
"""The HMI started and drawn before measuring (its first frames build every screen)."""
HMI_SIZE = (120, 40)
COMMS_WITHIN_S = 20.0
"""The station must trust the simulator's data within this long."""


def bench_realtime(options: RealtimeOptions) -> dict[str, Any]:
    """Run every case; print a summary of each; the JSON object."""
    results = []
    for case in options.cases():
        print(f"{case}: {options.seconds:g} s of reference jobs ...", flush=True)
        figures = run_case(case, options.seconds)
        print(_summary(figures), flush=True)
        results.append(figures)
    uvloop = "installed" if uvloop_installed() else "not installed"
    if "uvloop" in options.loops and not uvloop_installed():
        print("uvloop is not installed: its cases were left out", flush=True)
    return {
        "bench": "realtime", "seconds": options.seconds, "cores": cores(),
        "watchdog_ms": WATCHDOG_S * 1000, "uvloop": uvloop, "cases": results,
    }  # fmt: skip


def run_case(case: Case, seconds: float) -> dict[str, Any]:
    """One case, in a fresh event loop of the case's kind; its figures."""
    with _loop_policy(case.loop):
        return asyncio.run(_case(case, seconds))


@contextlib.contextmanager
def _loop_policy(loop: str) -> Iterator[None]:
    """uvloop's policy for every loop started inside (the station's thread too)."""
    if loop == "uvloop":
        asyncio.set_event_loop_policy(importlib.import_module("uvloop").EventLoopPolicy())
    try:
        yield
    finally:
        asyncio.set_event_loop_policy(None)


async def _case(case: Case, seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="crane-ctrl-realtime-") as tmp:
        personality = Path(tmp) / "watchdog.toml"
        personality.write_text(f'based_on = "level"\nname = "bench-realtime"\n'
                               f"watchdog_s = {WATCHDOG_S}\n")  # fmt: skip
        async with SimulatorProcess(PROFILE, personality) as sim:
            config = StationConfig(
                load_profile(PROFILE), PROFILE, load_site(), Path(tmp) / "journal.sqlite",
                plc=sim.plc, gc_pacing=case.gc.startswith("paced"),
                planning_pool=case.planning == "pool",
                scan_nice=SCAN_NICE if case.priority == "raised" else None,
            )  # fmt: skip
            runtime = StationRuntime(config)
            try:
                bridge = await asyncio.to_thread(runtime.start)
                run = _Run(case, seconds, bridge, runtime, sim)
                return await run.measure()
            finally:
                runtime.stop()
                gc.unfreeze()


class _Run:
    """One case's measurement, the station up and its link to the simulator open."""

    def __init__(
        self,
        case: Case,
        seconds: float,
        bridge: ThreadBridge,
        runtime: StationRuntime,
        sim: SimulatorProcess,
    ) -> None:
        self.case, self.seconds = case, seconds
        self.bridge, self.runtime, self.sim = bridge, runtime, sim
        self.probe = ScanProbe(bridge.station.supervisor)
        self.cycle = JobCycle(bridge)
        self.trips = 0
        self.missed_polls = 0
        self.stress = ""
        self.link0 = self._link()

    async def measure(self) -> dict[str, Any]:
        await self._comms()
        await self.bridge.call(self.probe.install)
        async with _hmi(self.case, self.bridge), _stress(self.case) as how:
            self.stress = how
            _freeze(self.case)
            cpu0, thread0, wall0 = _cpu_s(), self._thread_cpu_s(), time.monotonic()
            self.link0 = self._link()
            self.probe.start()
            await self.cycle.start()
            await self._watch()
            self.probe.stop()
            cpu, wall = _cpu_s() - cpu0, time.monotonic() - wall0
            thread = self._thread_cpu_s() - thread0
        return self._figures(cpu, thread, wall)

    async def _comms(self) -> None:
        deadline = time.monotonic() + COMMS_WITHIN_S
        while not self.bridge.view.supervisor.snapshot.comms_ok:
            if time.monotonic() > deadline or not self.runtime.thread.alive:
                raise TimeoutError(f"no trusted data from the simulator at {self.sim.plc} "
                                   f"within {COMMS_WITHIN_S:g} s")  # fmt: skip
            await asyncio.sleep(0.05)

    async def _watch(self) -> None:
        """Tend the jobs and count watchdog trips until the run is over; a progress bar."""
        progress = _Progress(self.case, self.seconds)
        started = time.monotonic()
        tripped = False
        while (elapsed := time.monotonic() - started) < self.seconds:
            await self.cycle.tend()
            try:
                now_tripped = await self.sim.watchdog_tripped()
            except (OSError, TimeoutError):
                self.missed_polls += 1
            else:
                if now_tripped and not tripped:
                    self.trips += 1
                tripped = now_tripped
            progress(elapsed, len(self.cycle.done), self.trips)
            await asyncio.sleep(min(TEND_EVERY_S, max(0.0, self.seconds - elapsed)))
        progress.close()

    def _link(self) -> LinkHealth:
        return self.bridge.station.supervisor.link.health

    def _link_figures(self) -> dict[str, Any]:
        """Failed requests and reconnects over the run, and the last error if any failed."""
        now, before = self._link(), self.link0
        failures = now.failures - before.failures
        return {
            "link_failures": failures, "link_reconnects": now.reconnects - before.reconnects,
            "link_last_error": now.last_error if failures else "",
        }  # fmt: skip

    @property
    def station_nice(self) -> int | None:
        """The station's loop thread's nice value (Linux), as it scans."""
        native = self.runtime.thread.native_id
        if native is None or not sys.platform.startswith("linux"):
            return None
        return os.getpriority(os.PRIO_PROCESS, native)

    def _thread_cpu_s(self) -> float:
        ident = self.runtime.thread.ident
        return time.clock_gettime(time.pthread_getcpuclockid(ident)) if ident else 0.0

    def _figures(self, cpu_s: float, thread_cpu_s: float, wall_s: float) -> dict[str, Any]:
        s = self.probe.samples
        gap_s = s.longest_write_gap_s()
        figures: dict[str, Any] = {
            "condition": self.case.condition, "gc": self.case.gc, "loop": self.case.loop,
            "priority": self.case.priority, "station_nice": self.station_nice,
            "seconds": round(wall_s, 1), "stress": self.stress or None,
            "simulator_nice": self.sim.nice, "scans": len(s.lateness_s),
            "scan_lateness_ms": percentiles(s.lateness_s),
            "scan_interval_ms": percentiles(s.scan_intervals_s()),
            "scan_duration_ms": percentiles(s.scan_s),
            "scan_io_ms": percentiles(s.io_s),
            "scan_work_ms": percentiles(s.work_s()),
            "longest_write_gap_ms": round(gap_s * 1000, 1),
            "watchdog_margin_ms": round((WATCHDOG_S - gap_s) * 1000, 1),
            "sequencer_ms": percentiles(s.sequencer_s),
            "planning_ms": {**percentiles(s.plan_s), "legs": len(s.plan_s)},
            "planning_scan_ms": {**percentiles(s.planning_scan_s),
                                 "scans": len(s.planning_scan_s)},
            "watchdog_trips": self.trips, "watchdog_polls_missed": self.missed_polls,
            "jobs_completed": len(self.cycle.done), "jobs_failed": len(self.cycle.failed),
            "operator_recoveries": self.cycle.recoveries, **self._link_figures(),
            "cpu_s": round(cpu_s, 2), "station_thread_cpu_s": round(thread_cpu_s, 2),
            "cpu_share": round(cpu_s / wall_s, 3) if wall_s > 0 else 0.0,
            "load_average_1m": round(os.getloadavg()[0], 2),
        }  # fmt: skip
        if self.cycle.stuck:
            figures["jobs_stuck"] = self.cycle.stuck
        figures["targets"] = targets(
            self.case, write_gap_s=gap_s, p99_lateness_s=figures["scan_lateness_ms"]["p99"] / 1000,
            max_scan_s=figures["scan_duration_ms"]["max"] / 1000,
            max_work_s=figures["scan_work_ms"]["max"] / 1000, trips=self.trips, run_s=wall_s,
        )  # fmt: skip
        return figures


@contextlib.asynccontextmanager
async def _stress(case: Case) -> AsyncIterator[str]:
    """Every core busy for the block in a ``stress`` condition; what keeps them busy."""
    if not case.condition.startswith("stress"):
        yield ""
        return
    async with Stress() as stress:
        yield stress.how


@contextlib.asynccontextmanager
async def _hmi(case: Case, bridge: ThreadBridge) -> AsyncIterator[None]:
    """The HMI headless in this thread for the block, warmed up, in a ``+hmi`` condition."""
    if not case.condition.endswith("+hmi"):
        yield
        return
    from crane_ctrl.bench.realtime_jobs import BENCH_USER
    from hmi.app import CraneHmi

    user = await bridge.call(bridge.station.sessions.issue, BENCH_USER.name, BENCH_USER.role,
                             client="bench hmi")  # fmt: skip
    app = CraneHmi(bridge, user=user)
    async with app.run_test(size=HMI_SIZE):
        await asyncio.sleep(HMI_WARM_UP_S)
        yield


def _freeze(case: Case) -> None:
    """``gc.freeze()`` now that start-up is over, in the ``+freeze`` modes."""
    if case.gc == "paced+freeze":
        GcPacer.freeze()
    elif case.gc == "auto+freeze":
        gc.freeze()


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Progress:
    """A bar on stderr, redrawn in place on a terminal, else a line every tenth of the run."""

    WIDTH = 30

    def __init__(self, case: Case, seconds: float) -> None:
        self.case, self.seconds = case, seconds
        self.tty = sys.stderr.isatty()
        self.shown = -1

    def __call__(self, elapsed: float, done: int, trips: int) -> None:
        tenth = int(10 * elapsed / self.seconds) if self.seconds > 0 else 10
        if not self.tty and tenth == self.shown:
            return
        self.shown = tenth
        filled = round(self.WIDTH * min(1.0, elapsed / self.seconds)) if self.seconds else 0
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        text = (f"[{bar}] {elapsed:.0f}/{self.seconds:g} s  {self.case}  jobs done {done}, "
                f"watchdog trips {trips}")  # fmt: skip
        print("\r\x1b[K" + text if self.tty else text, end="" if self.tty else "\n",
              file=sys.stderr, flush=True)  # fmt: skip

    def close(self) -> None:
        if self.tty:
            print(file=sys.stderr, flush=True)


def _met(ok: bool | None) -> str:
    return "-" if ok is None else ("ok" if ok else "MISSED")


def _summary(f: dict[str, Any]) -> str:
    late, scan, plan = f["scan_lateness_ms"], f["scan_duration_ms"], f["planning_scan_ms"]
    work, t = f["scan_work_ms"], f["targets"]
    return (
        f"  lateness p50/p99/max {late['p50']}/{late['p99']}/{late['max']} ms "
        f"[{_met(t['p99_lateness_le_10ms'])}]; scan {scan['p50']}/{scan['p99']}/{scan['max']} ms "
        f"[{_met(t['max_scan_le_10ms_idle'])}], of it the scan's own work (the link's waits "
        f"left out) {work['p50']}/{work['p99']}/{work['max']} ms "
        f"[{_met(t['max_scan_work_le_10ms_idle'])}]\n"
        f"  longest write gap {f['longest_write_gap_ms']} ms [{_met(t['write_gap_le_150ms'])}], "
        f"margin to the {WATCHDOG_S * 1000:g} ms watchdog {f['watchdog_margin_ms']} ms; "
        f"watchdog trips {f['watchdog_trips']} [{_met(t['no_watchdog_trip_in_run'])}]\n"
        f"  planning scans ({plan['scans']}) p50/p99/max {plan['p50']}/{plan['p99']}/"
        f"{plan['max']} ms; jobs done {f['jobs_completed']}, failed {f['jobs_failed']}; "
        f"CPU {f['cpu_s']} s ({f['cpu_share']:.0%} of a core)"
    )

"""Run scenarios: in lock-step (default), in real time over loopback sockets, or against a PLC.

* Lock-step: the bundled simulator and the supervisor on a manual clock
  (:class:`~crane_ctrl.testing.LockStep`): deterministic, hundreds of times faster than real time.
  Several scenarios run in parallel processes, each as deterministic as alone.
* Real (``--real``): the same simulator behind its real Modbus or OPC UA server on 127.0.0.1, the
  supervisor's :meth:`~crane_ctrl.runtime.supervisor.Supervisor.run` scanning it over the profile's
  link, all in real time (a scenario takes its crane time in wall time; nothing is scaled).
* PLC (``--plc URL``): the supervisor scans an external PLC or simulator in real time. Faults go
  over a crane-ctrl simulator's control channel (``--control HOST:PORT``) or are skipped, and what
  only the bundled simulator shows (PLC-held references, the yard, model faults) is skipped.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Literal

from crane_ctrl.errors import CraneCtrlError
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.model import ModbusProfile, Profile
from crane_ctrl.realtime import MonotonicClock
from crane_ctrl.rig.expectations import Verdict, judge
from crane_ctrl.rig.injection import ControlChannelInjector, Injector, NoInjector, SimulatorInjector
from crane_ctrl.rig.loading import Scenario, load_scenario
from crane_ctrl.rig.report import write_csv
from crane_ctrl.rig.result import RunResult
from crane_ctrl.rig.session import Session
from crane_ctrl.rig.timeline import Observed
from crane_ctrl.runtime.supervisor import Supervisor, SupervisorSettings, SupervisorView

__all__ = ["Options", "RunResult", "run_many", "run_observed", "run_one"]

Mode = Literal["lockstep", "real", "plc"]


@dataclass(frozen=True, slots=True)
class Options:
    mode: Mode = "lockstep"
    plc: str | None = None
    """The external PLC's URL (``plc`` mode)."""
    control: tuple[str, int] | None = None
    """An external simulator's control channel (``plc`` mode)."""
    csv_dir: Path | None = None
    plot_dir: Path | None = None


def run_one(path: str, options: Options) -> RunResult:
    """Load, run and judge one scenario, and write its CSV and plot if asked."""
    started = time.perf_counter()
    scenario = load_scenario(path)
    try:
        observed = asyncio.run(run_observed(scenario, options))
    except (CraneCtrlError, OSError, TimeoutError) as exc:
        crashed = Verdict("the scenario runs", False, f"{type(exc).__name__}: {exc}")
        return RunResult(path, scenario.name, (crashed,), 0.0, time.perf_counter() - started, "")
    verdicts = judge(scenario.spec, scenario.conditions, observed)
    files = _write_files(scenario, observed, options)
    wall = time.perf_counter() - started
    return RunResult(path, scenario.name, tuple(verdicts), observed.end_s, wall,
                     observed.ended_by, files, _notes(observed))  # fmt: skip


def _notes(observed: Observed) -> tuple[str, ...]:
    skipped = [f for f in observed.faults if f.skipped]
    if not skipped:
        return ()
    return (f"{len(skipped)} of {len(observed.faults)} fault injections skipped "
            f"({skipped[0].note.removeprefix('skipped: ')}): expectations that rest on them "
            f"cannot pass",)  # fmt: skip


def run_many(
    paths: Sequence[str],
    options: Options,
    *,
    workers: int = 1,
    on_result: Callable[[int, RunResult], None] | None = None,
) -> list[RunResult]:
    """Run ``paths``; results in the order given. ``workers`` > 1 runs them in that many
    processes (spawned: nothing leaks between scenarios); ``on_result(index, result)`` as each
    finishes."""
    results: dict[int, RunResult] = {}
    if workers <= 1 or len(paths) <= 1:
        for i, path in enumerate(paths):
            results[i] = run_one(path, options)
            if on_result is not None:
                on_result(i, results[i])
        return [results[i] for i in range(len(paths))]
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(run_one, path, options): i for i, path in enumerate(paths)}
        for future in as_completed(futures):
            i = futures[future]
            results[i] = future.result()
            if on_result is not None:
                on_result(i, results[i])
    return [results[i] for i in range(len(paths))]


async def run_observed(scenario: Scenario, options: Options) -> Observed:
    """Run ``scenario`` the way ``options`` say and return what was observed."""
    profile = load_profile(scenario.profile_path)
    if options.mode == "lockstep":
        return await _lockstep(scenario, profile)
    if options.mode == "real":
        return await _real(scenario, profile)
    return await _external(scenario, profile, options)


def _settings(scenario: Scenario) -> SupervisorSettings:
    return SupervisorSettings(crane=scenario.site.crane, site=scenario.site.site)


# --- lock-step ----------------------------------------------------------------------------------


async def _lockstep(scenario: Scenario, profile: Profile) -> Observed:
    from crane_ctrl.testing import LockStep

    sim = scenario.site.simulator(personality=scenario.personality)
    session = Session(scenario, SimulatorInjector(sim), sim)
    rig = LockStep(
        profile, sim, _settings(scenario), sequencer=session.automation, journal=session.journal
    )
    session.attach(rig.supervisor)
    async with rig:
        while not session.done():
            if await session.before_scan():
                session.after_scan(await rig.scan())
            else:  # the supervisor is frozen: the crane and its PLC go on
                rig.sim.run(rig.period_s, rig.sim_dt)
                rig.clock.advance(rig.period_s)
    return session.finish()


# --- real time ----------------------------------------------------------------------------------


class _ScriptedSupervisor(Supervisor):
    """The supervisor with the session's script around each scan; stops when it is done."""

    session: Session
    stop: asyncio.Event

    async def scan_once(self, lateness_s: float = 0.0) -> SupervisorView:
        if await self.session.before_scan():
            self.session.after_scan(await super().scan_once(lateness_s))
        if self.session.done():
            self.stop.set()
        return self.view


async def _supervise(scenario: Scenario, profile: Profile, session: Session, plc: str) -> None:
    clock = MonotonicClock()
    from crane_ctrl.links.url import make_link

    async with make_link(profile, scenario.profile_path, clock, plc) as link:
        supervisor = _ScriptedSupervisor(
            profile,
            link,
            clock,
            _settings(scenario),
            sequencer=session.automation,
            journal=session.journal,
        )
        supervisor.session, supervisor.stop = session, asyncio.Event()
        session.attach(supervisor)
        limit = scenario.spec.duration_s + 30.0  # done() ends it; this only bounds a hang
        async with asyncio.timeout(limit):
            await supervisor.run(supervisor.stop)


async def _real(scenario: Scenario, profile: Profile) -> Observed:
    from simulators.runner import run_realtime, serve

    sim = scenario.site.simulator(personality=scenario.personality)
    session = Session(scenario, SimulatorInjector(sim), sim)
    stop = asyncio.Event()
    async with serve(sim, profile) as served, asyncio.TaskGroup() as tasks:
        tasks.create_task(run_realtime(sim, served, stop=stop))
        modbus = isinstance(profile, ModbusProfile)
        plc = f"modbus://{served.endpoint}" if modbus else served.endpoint
        try:
            await _supervise(scenario, profile, session, plc)
        finally:
            stop.set()
    return session.finish()


async def _external(scenario: Scenario, profile: Profile, options: Options) -> Observed:
    assert options.plc is not None, "plc mode needs a URL"
    injector: Injector = NoInjector()
    if options.control is not None:
        injector = ControlChannelInjector(*options.control)
    session = Session(scenario, injector)
    await _supervise(scenario, profile, session, options.plc)
    observed = session.finish()
    if options.control is not None:
        observed.model_faults = await _model_faults(options.control, observed.end_s)
    return observed


async def _model_faults(control: tuple[str, int], end_s: float) -> list[tuple[float, str]] | None:
    """The external simulator's model faults at the end (times unknown: stamped at the end)."""
    from simulators.control import request

    try:
        answer = await request(*control, {"op": "status"})
    except (OSError, TimeoutError):
        return None
    return [(end_s, str(f)) for f in answer.get("model_faults", [])] if answer.get("ok") else None


# --- files --------------------------------------------------------------------------------------


def _write_files(scenario: Scenario, observed: Observed, options: Options) -> tuple[str, ...]:
    files = []
    stem = Path(scenario.path).stem
    if options.csv_dir is not None:
        files.append(str(write_csv(observed, options.csv_dir / f"{stem}.csv")))
    if options.plot_dir is not None:
        from crane_ctrl.rig.plot import write_plot

        files.append(str(write_plot(scenario.name, observed, options.plot_dir / f"{stem}.png")))
    return tuple(files)

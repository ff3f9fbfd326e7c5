"""The hostile tester's S7-1500 crane PLC, "ARMG-S7" (its manual: ``MANUAL.md`` here).

The maintenance engineer's files, written from ``plc_profiles/README.md`` and
``simulators/sites/README.md`` only: ``armg-s7-opcua.toml`` and ``armg-s7-mbserver.toml``
(profiles), ``site.toml`` (the crane and its yard). The test rig's: ``armg-s7-personality.toml``
(the simulated PLC, a personality file: no Python).

The jobs and commissioning run on the simulator's own twistlock enumeration (F2, fixed: the
simulator solves ``twl_1 == 2`` and ``twl_1 == 1`` together). :func:`serve_twistlock_states`,
which stood in for it (a raw force per corner, from the plant's twistlocks), is kept for tests
that want the PLC program's values forced past the simulator's solver.

:func:`commission_and_jobs` is the promise end to end: ``crane-ctrl commission`` against the
simulated PLC over each interface (real time, in this process) while a child process
(``python -m tests.hostile_s7.armg job opcua OUT.json``) runs the truck -> stack job over OPC
UA in socket lock-step (the longest part: about 850 scans of an OPC UA read, write and publish);
the Modbus job runs here once commissioning is done.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crane_ctrl.cli.main import main
from crane_ctrl.clock import ManualClock
from crane_ctrl.link_report import LinkState
from crane_ctrl.links.base import Link
from crane_ctrl.links.modbus import ModbusLink
from crane_ctrl.links.opcua import OpcUaLink
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.model import ModbusProfile, OpcUaProfile, Profile
from crane_ctrl.runtime.supervisor import Supervisor, SupervisorSettings
from crane_ctrl.sequencer.automatic_move import Sequencer, Transfer
from crane_ctrl.site import parse_slot
from crane_ctrl.testing import wait_until
from simulators.personality import PlcPersonality
from simulators.personality_file import load_personality
from simulators.raw_places import RawForce
from simulators.runner import Served, run_realtime, serve
from simulators.simulator import CraneSimulator
from simulators.site_file import load_site, yard_model_of
from tests.integration.test_personality_jobs_over_sockets import Journal

HERE = Path(__file__).resolve().parent
OPCUA = HERE / "armg-s7-opcua.toml"
MODBUS = HERE / "armg-s7-mbserver.toml"
SITE = HERE / "site.toml"
PERSONALITY_FILE = HERE / "armg-s7-personality.toml"
PROFILES = {"opcua": OPCUA, "modbus": MODBUS}
PERIOD_S = 0.05
JOB_LIMIT_S = 300.0
BOX = "HLBU1234563"
"""The 20-ft box on truck T2 (the spreader starts at 40 ft: the job telescopes first)."""
DESTINATION = "stack:6:1:1"

TWISTLOCK_CODES = {"unknown": 0, "unlocked": 1, "locked": 2}


def personality() -> PlcPersonality:
    return load_personality(str(PERSONALITY_FILE))


def simulator(site: Path = SITE) -> CraneSimulator:
    return load_site(site).simulator(personality=personality())


def serve_twistlock_states(sim: CraneSimulator) -> None:
    """The manual's twistlock enumeration (``TwlState``, one Int per corner) forced raw from
    the plant's twistlocks, as the PLC program would serve it (the stand-in for F2, fixed)."""
    spreader = sim.plant.spreader
    for corner, (locked, unlocked) in enumerate(
        zip(spreader.locked(), spreader.unlocked(), strict=True), start=1
    ):
        state = "locked" if locked else "unlocked" if unlocked else "unknown"
        point = f"twl_{corner}"
        sim.link_faults.raw[point] = RawForce(point, TWISTLOCK_CODES[state])


def link_to(profile: Profile, served: Served, clock: ManualClock) -> Link:
    if isinstance(profile, ModbusProfile):
        return ModbusLink(profile, clock, host=served.host, port=served.port)
    assert isinstance(profile, OpcUaProfile)
    return OpcUaLink(profile, clock, endpoint=served.endpoint)


def url_of(served: Served) -> str:
    return f"modbus://127.0.0.1:{served.port}" if served.protocol == "modbus" else served.endpoint


@dataclass
class Job:
    sim: CraneSimulator
    sequencer: Sequencer
    journal: Journal
    supervisor: Supervisor | None = None
    clock: ManualClock = field(default_factory=ManualClock)
    scans: int = 0
    written: list[dict[str, object]] = field(default_factory=list)
    negative_magnitudes: int = 0


async def run_job(
    protocol: str,
    *,
    watchdog_latched: bool = False,
    on_scan: Callable[[Job], object] | None = None,
    limit_s: float = JOB_LIMIT_S,
) -> Job:
    """The site's job (the 20-ft box on truck T2 -> stack bay 6 row 1) with the ARMG-S7 profile
    of ``protocol`` over real loopback sockets, the supervisor and the simulated PLC in
    lock-step (a scan, then a PLC period, then the server publishes); ``on_scan`` after each
    scan's write. ``watchdog_latched``: the PLC's watchdog tripped before the supervisor
    starts, as any stop of the supervisor (commissioning's end included) leaves it."""
    profile = load_profile(PROFILES[protocol])
    site = load_site(SITE)
    yard = yard_model_of(site)
    sim = site.simulator(personality=personality())
    sim.plc.watchdog_trip = watchdog_latched
    job = Job(sim, Sequencer(site.crane, yard), Journal())
    settings = SupervisorSettings(crane=site.crane, site=site.site)
    async with serve(sim, profile) as served, link_to(profile, served, job.clock) as link:
        await wait_until(lambda: link.health.state is LinkState.UP, within=10, what="link up")
        supervisor = Supervisor(
            profile, link, job.clock, settings, sequencer=job.sequencer, journal=job.journal
        )
        job.supervisor = supervisor

        async def scan() -> None:
            await supervisor.scan_once()
            job.scans += 1
            if on_scan is not None:
                on_scan(job)
            sim.run(PERIOD_S, 0.01)
            await served.server.publish()
            job.clock.advance(PERIOD_S)

        for _ in range(200):  # comms trusted, a latched watchdog reset, the restart over: 10 s
            await scan()
            snapshot = supervisor.view.snapshot
            if snapshot.comms_ok and not snapshot.flag("plc.restart_inhibit", unsafe=True):
                break
        assert supervisor.view.snapshot.comms_ok, supervisor.view.snapshot.comms_reason
        transfer = Transfer("J1", yard.boxes[BOX], parse_slot(DESTINATION))
        job.sequencer.start(transfer, job.clock.now())
        for _ in range(int(limit_s / PERIOD_S)):
            await scan()
            if job.sequencer.outcome is not None:
                break
    return job


def summary(job: Job) -> dict[str, Any]:
    """What the job tests look at, as JSON (the jobs run in a child process)."""
    plc = Counter(f"{s} {v.get('event')}" for k, s, v in job.journal.events if k == "plc")
    directions: set[str] = set()
    for name in ("gantry.forward", "gantry.reverse", "trolley.forward", "trolley.reverse",
                 "hoist.up", "hoist.down"):  # fmt: skip
        if any(bool(v.get(name)) for v in job.written):
            directions.add(name)
    return {
        "outcome": list(job.sequencer.outcome) if job.sequencer.outcome else None,
        "box_at": str(job.sim.plant.yard.containers[BOX].location),
        "model_faults": [str(f) for f in job.sim.model_faults],
        "plc_events": dict(plc),
        "written_back": job.sim.plc.written_back()[0],
        "watchdog_trip_at_end": job.sim.plc.watchdog_trip,
        "directions": sorted(directions),
        "negative_magnitudes": job.negative_magnitudes,
        "scans": job.scans,
    }


async def _job_summary(protocol: str) -> dict[str, Any]:
    return summary(await run_job(protocol, watchdog_latched=True, on_scan=_watch_writes))


def _watch_writes(job: Job) -> None:
    """Keeps what the supervisor wrote (direction bits; a magnitude never negative)."""
    assert job.supervisor is not None
    written = job.supervisor.view.written
    job.written.append(dict(written))
    for axis in ("gantry", "trolley", "hoist"):
        if float(written.get(f"{axis}.speed_ref", 0.0)) < 0:
            job.negative_magnitudes += 1


@dataclass
class Commissioned:
    """What ``crane-ctrl commission`` reported."""

    code: int
    markdown: str
    """commission.md"""
    report: dict[str, Any]
    """commission.json"""
    seconds: float

    @property
    def checks(self) -> dict[str, dict[str, Any]]:
        return {f"{s['id']}/{c['id']}": c for s in self.report["stages"] for c in s["checks"]}


def commission_argv(protocol: str, url: str, report: Path) -> list[str]:
    """The command as the engineer types it (no --plc-watchdog: the profile says 0.8 s)."""
    return ["commission", "--profile", str(PROFILES[protocol]), "--plc", url,
            "--site", str(SITE), "--yes", "--report", str(report)]  # fmt: skip


@dataclass
class Results:
    commissioned: dict[str, Commissioned]
    jobs: dict[str, dict[str, Any]]
    """:func:`summary` of each interface's job."""
    after_commissioning: dict[str, tuple[float, float]]
    """The empty spreader's swing amplitude (gantry, trolley direction), rad, when each
    command ended."""


async def commission_and_jobs(folder: Path) -> Results:
    """``crane-ctrl commission`` against both interfaces at once (each command in a thread, as
    from a terminal; the simulated PLCs stepping in real time in this process) while a child
    process runs the OPC UA job; then the Modbus job here. Every server here is up before anything runs in real time
    (starting an OPC UA server holds the event loop for seconds)."""
    out = folder / "job-opcua.json"
    child = await _job_process("opcua", out)
    try:
        commissioned, swings = await _commission_both(folder)
        jobs = {"modbus": json.loads(json.dumps(await _job_summary("modbus")))}  # as the child
        async with asyncio.timeout(300):
            _, err = await child.communicate()
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    assert child.returncode == 0, err.decode()[-3000:]
    jobs["opcua"] = json.loads(out.read_text(encoding="utf-8"))
    return Results(commissioned, jobs, swings)


async def _job_process(protocol: str, out: Path) -> asyncio.subprocess.Process:
    """``python -m tests.hostile_s7.armg job PROTOCOL OUT.json``: one job, in a process of its
    own (a job keeps a core busy)."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.hostile_s7.armg", "job", protocol, str(out),
        env={**os.environ, "PYTHONPATH": str(HERE.parents[1])},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def _commission_both(
    folder: Path,
) -> tuple[dict[str, Commissioned], dict[str, tuple[float, float]]]:
    sims = {p: simulator() for p in PROFILES}
    profiles = {p: load_profile(path) for p, path in PROFILES.items()}
    async with (
        serve(sims["opcua"], profiles["opcua"]) as opcua,
        serve(sims["modbus"], profiles["modbus"]) as modbus,
    ):
        served = {"opcua": opcua, "modbus": modbus}
        stop = asyncio.Event()
        async with asyncio.TaskGroup() as tasks:
            for p, sim in sims.items():
                tasks.create_task(run_realtime(sim, served[p], stop=stop))
            try:
                runs = await asyncio.gather(
                    *(_commission(p, url_of(served[p]), folder / p) for p in PROFILES)
                )
            finally:
                stop.set()
    swings = {p: _swing(sim) for p, sim in sims.items()}
    return {p: Commissioned(*run) for p, run in zip(PROFILES, runs, strict=True)}, swings


def _swing(sim: CraneSimulator) -> tuple[float, float]:
    """The empty spreader's swing amplitude (gantry, trolley direction), rad: from the angle
    and its rate on the pendulum's length (sheaves to the spreader's centre of mass)."""
    crane, pendulum = sim.params, sim.plant.pendulum
    hoist_m = float(sim.plant.sensors()["hoist.position"])
    length_m = crane.suspension_height_m - hoist_m - crane.spreader_cog_above_twistlocks_m
    omega = math.sqrt(crane.gravity_mps2 / length_m)
    return (
        math.hypot(pendulum.angle_x, pendulum.rate_x / omega),
        math.hypot(pendulum.angle_y, pendulum.rate_y / omega),
    )


async def _commission(
    protocol: str, url: str, report: Path
) -> tuple[int, str, dict[str, Any], float]:
    started = time.monotonic()
    code = await asyncio.to_thread(main, commission_argv(protocol, url, report))
    markdown = (report / "commission.md").read_text(encoding="utf-8")
    found = json.loads((report / "commission.json").read_text(encoding="utf-8"))
    return code, markdown, found, time.monotonic() - started


if __name__ == "__main__":
    if sys.argv[1:2] != ["job"] or len(sys.argv) != 4 or sys.argv[2] not in PROFILES:
        sys.exit("usage: python -m tests.hostile_s7.armg job opcua|modbus OUT.json")
    found = asyncio.run(_job_summary(sys.argv[2]))
    Path(sys.argv[3]).write_text(json.dumps(found, indent=1), encoding="utf-8")

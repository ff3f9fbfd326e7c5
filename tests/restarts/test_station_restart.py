"""The station killed mid-job and started again, in lock-step: the crane and its PLC go on (the
PLC's watchdog trips without a supervisor), the journal file is what the next start reads.

Station A runs a job until the box hangs on the spreader (mid-travel, or mid-landing), or the
twistlocks turn on it; then it is dropped without a word, as a SIGKILL leaves it (its journal
holds what it committed). Station B starts as ``crane-ctrl run`` does (:mod:`crane_ctrl.runtime.host`:
the kept yard from the journal, a new supervisor on the same PLC) and must: start no motion, not
believe the yard that still has the box at its source, say what it found and what to do, and
reach IDLE on RESET. The process-kill version over sockets is ``test_station_kill.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from crane_ctrl.clock import ManualClock
from crane_ctrl.operation.machine import Mode, PackCommand, PackState, Role
from crane_ctrl.operation.roles import DEMO_ROLES, Roles
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.runtime.journal import Journal
from crane_ctrl.runtime.sessions import Sessions, User
from crane_ctrl.runtime.station import CraneStation, StationView
from crane_ctrl.runtime.supervisor import SupervisorSettings
from crane_ctrl.runtime.yard_record import kept_yard
from crane_ctrl.site import Slot, parse_slot
from crane_ctrl.testing import LockStep
from simulators.simulator import CraneSimulator
from simulators.site_file import SiteFile, load_site
from tests.profile_texts import PROFILES

PROFILE = load_profile(PROFILES / "generic-modbus.toml")
BOX = "MSKU1234565"
SOURCE, DESTINATION = Slot.truck("T1"), parse_slot("stack:7:3:1")


@dataclass
class Run:
    """One life of the station on the crane."""

    rig: LockStep
    station: CraneStation
    journal: Journal
    operator: User

    @property
    def view(self) -> StationView:
        return self.station.view

    async def until(self, condition: object, within_s: float, what: str) -> StationView:
        assert callable(condition)
        for _ in range(round(within_s / self.rig.period_s)):
            await self.rig.scan()
            if condition(self.view):
                return self.view
        raise TimeoutError(f"{what} not within {within_s} s of crane time")


@asynccontextmanager
async def station_life(
    site: SiteFile, sim: CraneSimulator, path: Path, clock: ManualClock
) -> AsyncIterator[Run]:
    """A station on ``sim`` as the host builds one (kept yard from ``path``), scanning in
    lock-step; leaving the block drops it without stopping anything (a kill)."""
    journal = Journal(path, clock=clock, crane=PROFILE.name)
    journal.__enter__()
    settings = SupervisorSettings(crane=site.crane, site=site.site)
    rig = LockStep(PROFILE, sim, settings, journal=journal, clock=clock)
    sessions = Sessions(Roles.load(DEMO_ROLES), clock, journal)
    yard = await kept_yard(site, path, journal)
    station = CraneStation(rig.supervisor, site.site, yard, mode=Mode.FULLAUTOMATIC,
                           sessions=sessions)  # fmt: skip
    operator = sessions.issue("operator", Role.OPERATOR, client="test")
    async with rig:
        run = Run(rig, station, journal, operator)
        await run.until(lambda v: v.supervisor.snapshot.comms_ok, 5, "comms")
        yield run
    journal.flush()
    journal.close()  # what it committed is all the next start reads


async def killed_at(
    tmp_path: Path, when: str
) -> tuple[SiteFile, CraneSimulator, Path, ManualClock]:
    """Station A runs job J1 (truck T1 -> stack 7:3:1) until ``when`` and is killed there; the
    crane stands 5 s without a supervisor (the PLC's watchdog stops it)."""
    site, path, clock = load_site(), tmp_path / "journal.sqlite", ManualClock()
    sim = site.simulator()
    conditions = {
        "travel": lambda v: (
            v.step == "travel"
            and v.job is not None
            and v.job.state == "moving_to_deliver"
            and abs(sim.plant.gantry.speed_mps) > 1.0
        ),
        "landing": lambda v: (
            v.step == "lower"
            and v.job is not None
            and v.job.state == "moving_to_deliver"
            and sim.plant.hoist.position_m < 7.0
        ),
        "locking": lambda v: v.step == "lock",
    }
    async with station_life(site, sim, path, clock) as a:
        a.station.add_job(a.operator, SOURCE, DESTINATION, 40, job_id="J1")
        a.station.pack(a.operator, PackCommand.RESET)
        await a.until(lambda v: v.machine is PackState.IDLE, 2, "IDLE")
        a.station.pack(a.operator, PackCommand.START)
        await a.until(conditions[when], 200, when)
    for _ in range(100):  # 5 s of the crane alone
        sim.run(0.05)
        clock.advance(0.05)
    return site, sim, path, clock


@pytest.mark.parametrize("when", ["travel", "landing"])
async def test_restarted_station_with_a_box_hanging_moves_nothing_and_says_what_it_found(
    tmp_path: Path, when: str
) -> None:
    site, sim, path, clock = await killed_at(tmp_path, when)
    assert sim.plc.watchdog_trip
    assert sim.plant.load_t > 20  # the box hangs
    async with station_life(site, sim, path, clock) as b:
        view = await b.until(lambda v: v.hanging is not None, 2, "the hanging box seen")
        # The yard no longer believes the box stands at its source.
        assert b.station.yard.at(SOURCE) is None
        assert view.hanging is not None
        assert view.hanging.id == BOX
        assert BOX not in {p.id for p in view.boxes}
        # The operator is told what was found and what to do.
        assert "J1" in view.found_at_start
        assert "MANUAL" in view.found_at_start
        # Nothing moves by itself; STOP + RESET reaches IDLE; START starts no job with it.
        assert view.machine is PackState.STOPPED
        b.station.pack(b.operator, PackCommand.RESET)
        await b.until(lambda v: v.machine is PackState.IDLE, 2, "IDLE")
        b.station.add_job(b.operator, parse_slot("stack:3:2:2"), Slot.agv("A1"), 40, job_id="J2")
        b.station.pack(b.operator, PackCommand.START)
        for _ in range(200):
            await b.rig.scan()
            assert all(
                getattr(b.view.supervisor.commands, f"{a}_speed_ref") == 0.0
                for a in ("gantry", "trolley", "hoist")
            )
        assert any("hangs on the spreader" in w for w in b.view.why_not_start)
    # A third start (the operator restarts again before setting it down) still knows it.
    async with station_life(site, sim, path, clock) as c:
        view = await c.until(lambda v: v.hanging is not None, 2, "still known")
        assert view.hanging is not None
        assert view.hanging.id == BOX
        assert c.station.yard.at(SOURCE) is None


async def test_restarted_station_after_a_kill_mid_lock_reaches_idle_and_moves_nothing(
    tmp_path: Path,
) -> None:
    site, sim, path, clock = await killed_at(tmp_path, "locking")
    async with station_life(site, sim, path, clock) as b:
        await b.rig.scan(20)
        view = b.view
        assert view.machine is PackState.STOPPED
        assert view.found_at_start  # job J1 was unfinished: said
        b.station.pack(b.operator, PackCommand.RESET)
        await b.until(lambda v: v.machine is PackState.IDLE, 2, "IDLE")
        assert sim.plant.hoist.speed_mps == 0.0

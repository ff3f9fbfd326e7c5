"""A full truck-to-stack job against each shipped vendor profile and its PLC personality, over
real loopback sockets in socket lock-step (as ``test_jobs_over_sockets``).

The simulated PLC takes lock, unlock and telescope as its vendor's manual says (edge-triggered
handshakes: TwinCAT function blocks over OPC UA, S7 request bits it clears itself over Modbus);
the job must complete with exactly one lock and one unlock request, not one per scan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from crane_ctrl.clock import ManualClock
from crane_ctrl.link_report import LinkState
from crane_ctrl.links.base import Link
from crane_ctrl.links.modbus import ModbusLink
from crane_ctrl.links.opcua import OpcUaLink
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.model import ModbusProfile, OpcUaProfile, Profile
from crane_ctrl.runtime.journal import EventKind
from crane_ctrl.runtime.supervisor import Supervisor
from crane_ctrl.sequencer.automatic_move import Outcome, Sequencer, Transfer
from crane_ctrl.sequencer.model import Step
from crane_ctrl.site import Slot
from crane_ctrl.testing import wait_until
from simulators.personality import PERSONALITIES, S7_MB_SERVER, PlcPersonality
from simulators.raw_places import RawForce
from simulators.runner import Served, serve
from simulators.simulator import CraneSimulator
from simulators.site_file import load_site, yard_model_of
from tests.profile_texts import PROFILES

PERIOD_S = 0.05
JOB_LIMIT_S = 400.0
PAIRS = [("siemens-s7-1200-mbserver", "s7-mbserver"), ("beckhoff-twincat-opcua", "twincat")]


@dataclass
class Journal:
    """The supervisor's journal as a list: ``(kind, subject, values)``."""

    events: list[tuple[str, str, dict[str, object]]] = field(default_factory=list)

    def record(self, kind: str, subject: str, **values: object) -> None:
        if kind != "sequencer":
            EventKind(kind)
        self.events.append((kind, subject, values))

    def plc(self, subject: str, event: str) -> list[dict[str, object]]:
        return [
            v for k, s, v in self.events if (k, s) == ("plc", subject) and v.get("event") == event
        ]


def _link(profile: Profile, served: Served, clock: ManualClock) -> Link:
    if isinstance(profile, ModbusProfile):
        return ModbusLink(profile, clock, host=served.host, port=served.port)
    assert isinstance(profile, OpcUaProfile)
    return OpcUaLink(profile, clock, endpoint=served.endpoint)


@dataclass
class Job:
    """One truck-to-stack job in socket lock-step: what it left behind."""

    sim: CraneSimulator
    sequencer: Sequencer
    journal: Journal
    scans_in_lock: int = 0
    """Scans the sequencer spent in its LOCK step."""


async def run_job(
    name: str,
    personality: str,
    *,
    on_scan: Callable[[Job], None] | None = None,
    profile: Profile | None = None,
    plc: PlcPersonality | None = None,
) -> Job:
    """The border-gate site's job J1 (truck -> stack 7/3/1) with ``name``'s profile against
    the ``personality`` PLC; ``on_scan`` after each scan's write, before the PLC's cycle.
    ``profile`` and ``plc``: a variant of either instead."""
    profile = profile or load_profile(PROFILES / f"{name}.toml")
    site = load_site()
    yard = yard_model_of(site)
    job = Job(site.simulator(personality=plc or PERSONALITIES[personality]),
              Sequencer(site.crane, yard), Journal())  # fmt: skip
    sim, sequencer, clock = job.sim, job.sequencer, ManualClock()
    async with serve(sim, profile) as served, _link(profile, served, clock) as link:
        await wait_until(lambda: link.health.state is LinkState.UP, within=10, what="link up")
        supervisor = Supervisor(profile, link, clock, sequencer=sequencer, journal=job.journal)

        async def scan() -> None:
            await supervisor.scan_once()
            run = sequencer.run
            job.scans_in_lock += run is not None and run.step is Step.LOCK
            if on_scan is not None:
                on_scan(job)
            sim.run(PERIOD_S, 0.01)
            await served.server.publish()
            clock.advance(PERIOD_S)

        for _ in range(60):
            await scan()
            if supervisor.view.snapshot.comms_ok:
                break
        assert supervisor.view.snapshot.comms_ok, supervisor.view.snapshot.comms_reason
        sequencer.start(Transfer("J1", yard.boxes["MSKU1234565"], Slot.stack(7, 3, 1)), clock.now())
        for _ in range(int(JOB_LIMIT_S / PERIOD_S)):
            await scan()
            if sequencer.outcome is not None:
                break
    assert sequencer.outcome is not None
    return job


@pytest.mark.parametrize(("name", "personality"), PAIRS)
async def test_truck_to_stack_job_with_the_vendor_personality_over_real_sockets(
    name: str, personality: str
) -> None:
    job = await run_job(name, personality)
    sim, journal = job.sim, job.journal
    assert job.sequencer.outcome is not None
    assert job.sequencer.outcome[1] is Outcome.DONE, job.sequencer.outcome
    assert sim.plant.yard.containers["MSKU1234565"].location == Slot.stack(7, 3, 1)
    assert sim.model_faults == ()
    assert len(journal.plc("spreader.lock", "requested")) == 1
    assert len(journal.plc("spreader.unlock", "requested")) == 1
    assert len(journal.plc("spreader.lock", "taken over")) == 1
    assert len(journal.plc("spreader.unlock", "taken over")) == 1
    if PERSONALITIES[personality].clears_requests:
        assert sim.plc.written_back()[0] >= 2  # the PLC cleared the lock and unlock requests


def _unseat_corner_1_for_the_plc(job: Job) -> None:
    """Once the sequencer asks for the lock: corner 1's pin reads released to the PLC, while the
    wire still tells the supervisor it is pressed (a sensor the PLC reads through another
    card): the PLC alone sees the spreader not seated."""
    run = job.sequencer.run
    if run is not None and run.step is Step.LOCK and 1 not in job.sim.plant.spreader.stuck_pins:
        job.sim.plant.spreader.stuck_pins[1] = False
        job.sim.link_faults.raw["spreader.landed_1"] = RawForce("spreader.landed_1", True)


@pytest.mark.parametrize(("name", "personality"), PAIRS)
async def test_lock_refused_by_the_plc_while_not_seated_gives_the_pick_up_up_at_once(
    name: str, personality: str
) -> None:
    job = await run_job(name, personality, on_scan=_unseat_corner_1_for_the_plc)
    refused = job.journal.plc("spreader.lock", "refused")
    assert [r["detail"] for r in refused] == ["3 (spreader not seated)"]
    assert len(job.journal.plc("spreader.lock", "requested")) == 1
    assert job.scans_in_lock <= 3  # requested, refused, given up: no waiting for a time-out
    assert job.sequencer.outcome is not None
    assert job.sequencer.outcome[1] is not Outcome.DONE
    assert "spreader not seated" in job.sequencer.outcome[2], job.sequencer.outcome
    assert job.sim.plant.spreader.all_free()  # no twistlock turned
    assert job.sim.model_faults == ()


S7_SPEEDS = {  # INT % x100 signed -> UINT magnitude, and the six direction bits in DBW200
    '"gantry.speed_ref"     = { table = "holding", address = 106, type = "int16",': '"gantry.forward" = { table = "holding", address = 100, type = "bool", bit = 5 }\n'
    '"gantry.reverse" = { table = "holding", address = 100, type = "bool", bit = 6 }\n'
    '"trolley.forward" = { table = "holding", address = 100, type = "bool", bit = 7 }\n'
    '"trolley.reverse" = { table = "holding", address = 100, type = "bool", bit = 8 }\n'
    '"hoist.up" = { table = "holding", address = 100, type = "bool", bit = 9 }\n'
    '"hoist.down" = { table = "holding", address = 100, type = "bool", bit = 10 }\n'
    '"gantry.speed_ref"     = { table = "holding", address = 106, type = "uint16", magnitude = true,',
    '"trolley.speed_ref"    = { table = "holding", address = 107, type = "int16",': '"trolley.speed_ref"    = { table = "holding", address = 107, type = "uint16", magnitude = true,',
    '"hoist.speed_ref"      = { table = "holding", address = 108, type = "int16",': '"hoist.speed_ref"      = { table = "holding", address = 108, type = "uint16", magnitude = true,',
}


def s7_with_direction_bits(tmp: Path) -> Profile:
    """The S7 profile of a PLC whose drives take a speed magnitude (UINT) and direction bits."""
    text = (PROFILES / "siemens-s7-1200-mbserver.toml").read_text(encoding="utf-8")
    for old, new in S7_SPEEDS.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp / "s7-direction-bits.toml"
    path.write_text(text, encoding="utf-8")
    return load_profile(path)


async def test_a_plc_taking_speed_magnitudes_and_direction_bits_runs_the_job(
    tmp_path: Path,
) -> None:
    plc = replace(S7_MB_SERVER, direction_bits=True)
    reversed_seen: set[str] = set()

    def watch(job: Job) -> None:
        for name in ("gantry.reverse", "trolley.reverse", "hoist.down"):
            if job.sim.plc.commands.get(name):
                reversed_seen.add(name)
        for axis in ("gantry", "trolley", "hoist"):  # never a negative magnitude on the wire
            assert float(job.sim.plc.commands[f"{axis}.speed_ref"]) >= 0.0

    job = await run_job("siemens-s7-1200-mbserver", "s7-mbserver", profile=s7_with_direction_bits(
        tmp_path), plc=plc, on_scan=watch)  # fmt: skip
    assert job.sequencer.outcome is not None
    assert job.sequencer.outcome[1] is Outcome.DONE, job.sequencer.outcome
    assert job.sim.plant.yard.containers["MSKU1234565"].location == Slot.stack(7, 3, 1)
    assert job.sim.model_faults == ()
    assert "hoist.down" in reversed_seen  # the load went down on a direction bit


async def test_a_plc_whose_watchdog_wants_its_life_counter_echoed_runs_the_job(
    tmp_path: Path,
) -> None:
    text = (PROFILES / "siemens-s7-1200-mbserver.toml").read_text(encoding="utf-8")
    old = '"sup.heartbeat"        = { table = "holding", address = 105, type = "uint16" }'
    assert old in text
    path = tmp_path / "s7-echo.toml"
    echo = old.replace(" }", ', echo = "plc.heartbeat" }')
    path.write_text(text.replace(old, echo), encoding="utf-8")
    plc = replace(S7_MB_SERVER, heartbeat_echo=True)
    echoed: list[bool] = []

    def watch(job: Job) -> None:
        echoed.append(not job.sim.plc.watchdog_trip)

    job = await run_job("siemens-s7-1200-mbserver", "s7-mbserver", profile=load_profile(path),
                        plc=plc, on_scan=watch)  # fmt: skip
    assert job.sequencer.outcome is not None
    assert job.sequencer.outcome[1] is Outcome.DONE, job.sequencer.outcome
    assert all(echoed)
    assert job.sim.model_faults == ()

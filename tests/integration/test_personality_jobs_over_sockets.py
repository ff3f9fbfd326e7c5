"""A full truck-to-stack job against each shipped vendor profile and its PLC personality, over
real loopback sockets in socket lock-step (as ``test_jobs_over_sockets``).

The simulated PLC takes lock, unlock and telescope as its vendor's manual says (edge-triggered
handshakes: TwinCAT function blocks over OPC UA, S7 request bits it clears itself over Modbus);
the job must complete with exactly one lock and one unlock request, not one per scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
from crane_ctrl.site import Slot
from crane_ctrl.testing import wait_until
from simulators.personality import PERSONALITIES
from simulators.runner import Served, serve
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


@pytest.mark.parametrize(("name", "personality"), PAIRS)
async def test_truck_to_stack_job_with_the_vendor_personality_over_real_sockets(
    name: str, personality: str
) -> None:
    profile = load_profile(PROFILES / f"{name}.toml")
    site = load_site()
    sim = site.simulator(personality=PERSONALITIES[personality])
    yard = yard_model_of(site)
    sequencer = Sequencer(site.crane, yard)
    clock = ManualClock()
    journal = Journal()
    async with serve(sim, profile) as served, _link(profile, served, clock) as link:
        await wait_until(lambda: link.health.state is LinkState.UP, within=10, what="link up")
        supervisor = Supervisor(profile, link, clock, sequencer=sequencer, journal=journal)

        async def scan() -> None:
            await supervisor.scan_once()
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
    assert sequencer.outcome[1] is Outcome.DONE, sequencer.outcome
    assert sim.plant.yard.containers["MSKU1234565"].location == Slot.stack(7, 3, 1)
    assert sim.model_faults == ()
    assert len(journal.plc("spreader.lock", "requested")) == 1
    assert len(journal.plc("spreader.unlock", "requested")) == 1
    assert len(journal.plc("spreader.lock", "taken over")) == 1
    assert len(journal.plc("spreader.unlock", "taken over")) == 1
    if PERSONALITIES[personality].clears_requests:
        assert sim.plc.written_back()[0] >= 2  # the PLC cleared the lock and unlock requests

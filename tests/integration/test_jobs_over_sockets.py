"""A full automatic job over real loopback sockets, Modbus and OPC UA, in socket lock-step.

Every scan's reads and writes cross a real socket to the simulator's real server; between scans
the crane and a manual clock move on by one scan period. The whole truck-to-stack move (about
90 s of crane time) takes a few seconds of wall time and is the same every run.
"""

from __future__ import annotations

import pytest

from crane_ctrl.clock import ManualClock
from crane_ctrl.link_report import LinkState
from crane_ctrl.links.base import Link
from crane_ctrl.links.modbus import ModbusLink
from crane_ctrl.links.opcua import OpcUaLink
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.model import ModbusProfile
from crane_ctrl.runtime.supervisor import Supervisor
from crane_ctrl.sequencer.automatic_move import Outcome, Sequencer, Transfer
from crane_ctrl.site import Slot
from crane_ctrl.testing import wait_until
from simulators.runner import Served, serve
from simulators.site_file import load_site, yard_model_of
from tests.profile_texts import PROFILES

PERIOD_S = 0.05
JOB_LIMIT_S = 400.0


def _link(profile: object, served: Served, clock: ManualClock) -> Link:
    if isinstance(profile, ModbusProfile):
        return ModbusLink(profile, clock, port=served.port)
    return OpcUaLink(profile, clock, endpoint=served.endpoint)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["generic-modbus", "generic-opcua"])
async def test_truck_to_stack_job_over_real_sockets(name: str) -> None:
    profile = load_profile(PROFILES / f"{name}.toml")
    site = load_site()
    sim = site.simulator()
    yard = yard_model_of(site)
    sequencer = Sequencer(site.crane, yard)
    clock = ManualClock()
    async with serve(sim, profile) as served, _link(profile, served, clock) as link:
        await wait_until(lambda: link.health.state is LinkState.UP, within=10, what="link up")
        supervisor = Supervisor(profile, link, clock, sequencer=sequencer)

        async def scan() -> None:
            await supervisor.scan_once()
            sim.run(PERIOD_S, 0.01)
            await served.server.publish()
            clock.advance(PERIOD_S)

        for _ in range(40):
            await scan()
            if supervisor.view.snapshot.comms_ok:
                break
        assert supervisor.view.snapshot.comms_ok
        sequencer.start(Transfer("J1", yard.boxes["MSKU1234565"], Slot.stack(7, 3, 1)), clock.now())
        for _ in range(int(JOB_LIMIT_S / PERIOD_S)):
            await scan()
            if sequencer.outcome is not None:
                break
    assert sequencer.outcome is not None
    assert sequencer.outcome[1] is Outcome.DONE, sequencer.outcome
    assert sim.plant.yard.containers["MSKU1234565"].location == Slot.stack(7, 3, 1)
    assert sim.model_faults == ()

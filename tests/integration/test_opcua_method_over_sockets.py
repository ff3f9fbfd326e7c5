"""``plc.reset`` as an OPC UA method over a real loopback socket (issue 15): the simulator's server
makes ``Reset()`` under ``s=Crane``, the supervisor's OPC UA link calls it on the reset pulse's
rising edge, and the simulated PLC's latched watchdog clears.
"""

from __future__ import annotations

import asyncio

from crane_ctrl.links.opcua import OpcUaLink
from crane_ctrl.realtime import MonotonicClock
from crane_ctrl.runtime.supervisor import Supervisor, SupervisorSettings
from crane_ctrl.testing import wait_until
from simulators.opcua_server import OpcUaPlcServer
from simulators.runner import run_realtime, serve
from simulators.simulator import CraneSimulator
from tests.unit.test_opcua_method_profile import method_profile


async def test_the_reset_pulse_calls_the_servers_method_once_and_clears_the_watchdog() -> None:
    profile = method_profile()
    sim = CraneSimulator()
    clock = MonotonicClock()
    stop_sim, stop_supervisor = asyncio.Event(), asyncio.Event()
    async with serve(sim, profile) as served, asyncio.TaskGroup() as tasks:
        server = served.server
        assert isinstance(server, OpcUaPlcServer)
        tasks.create_task(run_realtime(sim, served, stop=stop_sim))
        async with OpcUaLink(profile, clock, endpoint=served.endpoint) as link:
            settings = SupervisorSettings(watchdog_auto_reset=False)
            supervisor = Supervisor(profile, link, clock, settings)
            task = tasks.create_task(supervisor.run(stop_supervisor))
            try:
                await wait_until(lambda: supervisor.view.snapshot.comms_ok, within=10, what="comms")
                sim.plc.watchdog_trip = True
                await wait_until(
                    lambda: supervisor.view.snapshot.flag("plc.watchdog_trip", unsafe=False),
                    within=5, what="watchdog seen",
                )  # fmt: skip
                assert server.calls == []
                supervisor.request_reset()
                await wait_until(lambda: not sim.plc.watchdog_trip, within=5, what="cleared")
                assert server.calls == ["plc.reset"]
                await wait_until(
                    lambda: not sim.plc.commands["plc.reset"], within=2, what="press released"
                )
                assert server.calls == ["plc.reset"], "one pulse, one call"
            finally:
                stop_supervisor.set()
                await task
                stop_sim.set()

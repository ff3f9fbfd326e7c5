"""A profile's own alarm over real loopback sockets: the simulator's Modbus or OPC UA server
serves the PLC's own status point, a raw force sets it as the PLC would, the supervisor's link
reads it in the same scan as the signals, and the profile's alarm raises, is acknowledged and
clears like a built-in alarm; the point's changes are journaled."""

from __future__ import annotations

import asyncio

import pytest

from crane_ctrl.alarms.states import AlarmState
from crane_ctrl.links.base import Link
from crane_ctrl.links.modbus import ModbusLink
from crane_ctrl.links.opcua import OpcUaLink
from crane_ctrl.profile.loader import load_profile, parse_profile
from crane_ctrl.profile.model import ModbusProfile, Profile
from crane_ctrl.realtime import MonotonicClock
from crane_ctrl.runtime.supervisor import Supervisor
from crane_ctrl.snapshot import Quality
from crane_ctrl.testing import wait_until
from simulators.runner import Served, run_realtime, serve
from simulators.simulator import CraneSimulator
from tests.profile_texts import GENERIC_OPCUA, PROFILES
from tests.unit.test_supervisor_lockstep import EventList

ALARM = "PLC_WIND_TRIP"
UA_POINTS_AND_ALARM = """
[points]
plc_wind_trip = { node = "s=Plc.Status.WindTrip", type = "Boolean", text = "the PLC's own wind trip" }
refusal_reason = { node = "s=Plc.Status.Refusal", type = "UInt16", texts = { 0 = "none", 3 = "wind too high" } }

[alarms.PLC_WIND_TRIP]
condition = "plc_wind_trip"
priority = "high"
text = "The PLC's own anemometer stopped the crane"
"""


def profiles() -> list[Profile]:
    ua = parse_profile(GENERIC_OPCUA + UA_POINTS_AND_ALARM, "aux-points-opcua.toml")
    return [load_profile(PROFILES / "generic-modbus-sway-angle.toml"), ua]


def _link(profile: Profile, served: Served, clock: MonotonicClock) -> Link:
    if isinstance(profile, ModbusProfile):
        return ModbusLink(profile, clock, host="127.0.0.1", port=served.port)
    return OpcUaLink(profile, clock, endpoint=served.endpoint)


def state(supervisor: Supervisor) -> AlarmState:
    return supervisor.alarms.alarm(ALARM).state


@pytest.mark.parametrize("profile", profiles(), ids=lambda p: p.name)
async def test_a_point_set_in_the_simulator_raises_the_profile_alarm(profile: Profile) -> None:
    sim = CraneSimulator()
    clock = MonotonicClock()
    sink = EventList()
    stop_sim, stop_supervisor = asyncio.Event(), asyncio.Event()
    async with serve(sim, profile) as served, asyncio.TaskGroup() as tasks:
        tasks.create_task(run_realtime(sim, served, stop=stop_sim))
        async with _link(profile, served, clock) as link:
            supervisor = Supervisor(profile, link, clock, journal=sink)
            task = tasks.create_task(supervisor.run(stop_supervisor))
            try:
                await wait_until(lambda: supervisor.view.snapshot.comms_ok, within=10, what="comms")
                point = supervisor.view.snapshot.point("plc_wind_trip")
                assert (point.value, point.quality) == (False, Quality.GOOD)
                assert state(supervisor) is AlarmState.NORMAL

                sim.faults.inject("force_raw", signal="plc_wind_trip", raw=1)
                sim.faults.inject("force_raw", signal="refusal_reason", raw=3)
                await wait_until(
                    lambda: state(supervisor) is AlarmState.UNACK, within=5, what="alarm raised"
                )
                raised = supervisor.alarms.alarm(ALARM)
                supervisor.acknowledge(ALARM, "operator")
                sim.faults.clear("force_raw:plc_wind_trip")
                await wait_until(
                    lambda: state(supervisor) is AlarmState.NORMAL, within=5, what="alarm cleared"
                )
            finally:
                stop_supervisor.set()
                await task
                stop_sim.set()
    assert raised.priority.label == "high"
    assert raised.message.endswith("(plc_wind_trip = true)")
    events = [v["event"] for v in sink.of("alarm", ALARM)]
    assert events == ["activated", "acknowledged", "cleared"]
    assert [v["value"] for v in sink.of("point", "plc_wind_trip")] == [False, True, False]
    assert [v["text"] for v in sink.of("point", "refusal_reason")] == [
        "0 (none)", "3 (wind too high)",
    ]  # fmt: skip

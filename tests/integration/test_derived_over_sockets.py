"""Derived signals over real loopback sockets: the simulator's Modbus and OPC UA servers serve the
raw points, the supervisor's links read them and compute the canonical sway in metres."""

from __future__ import annotations

import asyncio

import pytest

from crane_ctrl.commands import Commands
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
from tests.profile_texts import GENERIC_OPCUA, PROFILES, with_signal

TRAVEL_HEIGHT_M = 17.95
UA_POINTS = """
[points]
angle_trolley_deg = { node = "s=Sway.Trolley.AngleDeg", type = "Double" }
angle_gantry_deg  = { node = "s=Sway.Gantry.AngleDeg", type = "Double" }
rope_length_m     = { node = "s=Rope.Length", type = "Double" }
"""


def sway_angle_opcua() -> Profile:
    text = GENERIC_OPCUA
    for axis in ("trolley", "gantry"):
        expression = f"rope_length_m * sin(radians(angle_{axis}_deg))"
        text = with_signal(text, f"sway.{axis}", f'{{ derived = "{expression}" }}')
    return parse_profile(text + UA_POINTS, "sway-angle-opcua.toml")


def profiles() -> list[Profile]:
    return [load_profile(PROFILES / "generic-modbus-sway-angle.toml"), sway_angle_opcua()]


def _link(profile: Profile, served: Served, clock: MonotonicClock) -> Link:
    if isinstance(profile, ModbusProfile):
        return ModbusLink(profile, clock, host="127.0.0.1", port=served.port)
    return OpcUaLink(profile, clock, endpoint=served.endpoint)


@pytest.mark.parametrize("profile", profiles(), ids=lambda p: p.name)
async def test_sway_derived_from_served_angles_follows_the_plant(profile: Profile) -> None:
    sim = CraneSimulator(hoist_m=TRAVEL_HEIGHT_M)
    clock = MonotonicClock()
    stop_sim, stop_supervisor = asyncio.Event(), asyncio.Event()
    async with serve(sim, profile) as served, asyncio.TaskGroup() as tasks:
        tasks.create_task(run_realtime(sim, served, stop=stop_sim))
        async with _link(profile, served, clock) as link:
            supervisor = Supervisor(profile, link, clock)
            task = tasks.create_task(supervisor.run(stop_supervisor))
            try:
                await wait_until(lambda: supervisor.view.snapshot.comms_ok, within=10, what="comms")
                supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=0.8))
                await wait_until(
                    lambda: abs(sim.plant.sensors()["sway.trolley"]) > 0.05, within=10, what="sway"
                )
                reading = supervisor.view.snapshot.reading("sway.trolley")
                plant = float(sim.plant.sensors()["sway.trolley"])
            finally:
                stop_supervisor.set()
                await task
                stop_sim.set()
    assert reading.quality is Quality.GOOD, reading
    assert isinstance(reading.value, float)
    assert reading.value == pytest.approx(plant, abs=0.05)  # read one scan (50 ms) earlier

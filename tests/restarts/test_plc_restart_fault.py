"""The simulator's ``plc_restart`` fault: the PLC goes down and comes back initialised, the crane
unchanged. In lock-step through a shipped profile's places (Modbus and OPC UA), from a fault
schedule and from the control channel's names; the socket servers in ``test_restart_sockets``."""

from __future__ import annotations

from pathlib import Path

import pytest

from crane_ctrl.errors import FaultError
from crane_ctrl.profile.modbus_map import RegisterImage
from crane_ctrl.profile.model import ModbusMapping
from crane_ctrl.signals import Direction
from crane_ctrl.site import Slot
from simulators.fault_schedule import load_schedule
from simulators.faults import FAULTS
from simulators.memory import Disconnected, NoAnswer
from simulators.simulator import CraneSimulator
from simulators.yard import ContainerSpec, YardContents
from tests.unit.simplc.driver import CommandDriver, ModbusWire, wire_for

BOX_T = 25.0


def hanging(profile: str) -> CommandDriver:
    """A 25 t box locked on the spreader and lifted 2 m off truck lane T1, drives enabled,
    written through ``profile``'s places."""
    sim = CraneSimulator()
    x, y = sim.site.slot_centre(Slot.truck("T1"), 40)
    contents = YardContents(containers=(ContainerSpec("BOX", 40, BOX_T, Slot.truck("T1")),))
    sim = CraneSimulator(contents=contents, gantry_m=x, trolley_m=y, hoist_m=6.0)
    d = CommandDriver(sim, wire_for(sim, profile), sim.plant.params)
    d.enable()
    d.command({"hoist.speed_ref": -0.1})
    d.wait_until(lambda s: all(d.corners("landed")), 60, "landed on the box")
    d.command({"hoist.speed_ref": 0.0, "spreader.lock": True})
    d.wait_until(lambda s: all(d.corners("locked")), 5, "locked")
    d.command({"spreader.lock": False, "hoist.speed_ref": 0.2})
    d.wait_until(lambda s: float(s["hoist.load"]) > BOX_T - 1, 20, "box weighed")
    d.run(2.0)
    d.command({"hoist.speed_ref": 0.0})
    d.run(2.0)
    return d


def test_plc_restart_is_a_catalogued_fault_with_a_checked_down_time() -> None:
    fault = FAULTS["plc_restart"]
    assert "restart" in fault.help
    assert fault.clear is None
    sim = CraneSimulator()
    with pytest.raises(FaultError, match=r"seconds must be a finite number from 0\.05"):
        sim.faults.inject("plc_restart", seconds=0)
    sim.faults.inject("plc_restart", seconds="1.5")  # text, as the control channel sends it
    assert sim.plc.down


@pytest.mark.parametrize("profile", ["generic-modbus", "generic-opcua"])
def test_restart_leaves_the_box_hanging_and_comes_up_initialised_and_latched(
    profile: str,
) -> None:
    d = hanging(profile)
    plc, plant = d.sim.plc, d.sim.plant
    z, beat_before = plant.hoist.position_m, int(d.status["plc.heartbeat"])
    d.command({"hoist.speed_ref": 0.3})
    d.run(0.5)
    d.sim.faults.inject("plc_restart", seconds=2.0)
    with pytest.raises(Disconnected):  # every connection closed at once
        d.scan()
    with pytest.raises(NoAnswer):  # then no answer while it is down
        d.scan()
    d.sim.run(0.1)
    assert not plant.inputs.drives_enabled  # outputs off: brakes on
    d.sim.run(1.9)
    assert not plc.down
    d.command({"hoist.speed_ref": 0.0})
    d.scan()
    # The crane is unchanged: the box hangs locked, the hoist where the brakes held it.
    assert all(d.corners("locked"))
    assert float(d.status["hoist.load"]) > BOX_T - 1
    assert not plant.faults, plant.faults
    assert abs(plant.hoist.position_m - z) < 0.3
    # The PLC is initialised: life counter from 0, its watchdog latched.
    assert int(d.status["plc.heartbeat"]) < beat_before
    assert d.status["plc.watchdog_trip"] is True
    d.command({"hoist.speed_ref": 0.2})
    d.run(1.0)
    assert abs(plant.hoist.speed_mps) < 1e-6  # nothing moves before a reset
    d.reset()
    d.run(1.0)
    assert d.status["plc.watchdog_trip"] is False
    assert plant.hoist.speed_mps > 0.1  # after the reset, the supervisor's reference moves it


def test_restart_sets_the_command_places_to_their_initial_values() -> None:
    """What the supervisor wrote before the restart is gone from the PLC's places: read back,
    ``drives.enable`` is false and every reference zero until the supervisor writes again."""
    sim = CraneSimulator(hoist_m=8.0)
    d = CommandDriver(sim, wire_for(sim, "generic-modbus"), sim.plant.params)
    d.enable()
    d.command({"trolley.speed_ref": 0.3})
    d.run(1.0)
    sim.faults.inject("plc_restart", seconds=0.5)
    sim.run(0.6)
    wire = d.wire
    assert isinstance(wire, ModbusWire)
    with pytest.raises(Disconnected):  # the connection the restart closed
        wire.read_status()
    image = RegisterImage()
    for m in wire.codec.profile.signals.values():
        if isinstance(m, ModbusMapping) and m.table in ("coil", "holding"):
            words = wire.plc.read(m.table, m.address, m.register_count)
            image.put(m.table, m.address, words)
    places = wire.codec.decode(image, Direction.COMMAND).values
    assert places["drives.enable"] is False
    assert places["trolley.speed_ref"] == 0.0
    assert sim.plc.commands["drives.enable"] is False


def test_restart_from_a_fault_schedule(tmp_path: Path) -> None:
    path = tmp_path / "restart.toml"
    path.write_text('[[faults]]\nat_s = 1.0\nfault = "plc_restart"\nparams = { seconds = 2 }\n')
    schedule = load_schedule(path)
    sim = CraneSimulator()
    sim.run(1.2)
    schedule.apply(sim)
    assert sim.plc.down

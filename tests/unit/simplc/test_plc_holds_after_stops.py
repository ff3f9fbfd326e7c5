"""The PLC holds everything after a stop: no restart without reset, brakes on a tripped drive."""

from __future__ import annotations

from crane_ctrl.profile.opcua_map import OpcUaCodec
from crane_ctrl.signals import Direction
from simulators.memory import MemoryPlc
from simulators.simulator import CraneSimulator
from tests.unit.simplc.driver import (
    SCAN_S,
    STANDSTILL_MPS,
    CommandDriver,
    shipped_profile,
    wire_for,
)


def make_driver(**pose: float) -> CommandDriver:
    sim = CraneSimulator(**pose)  # type: ignore[arg-type]
    return CommandDriver(sim, wire_for(sim, "generic-modbus"), sim.plant.params)


def test_closing_the_estop_chain_does_not_restart_motion_without_a_reset() -> None:
    d = make_driver(hoist_m=8.0)
    d.enable()
    d.command({"gantry.speed_ref": 1.0})
    d.run(6.0)
    d.sim.faults.inject("estop")
    d.run(3.0)
    assert d.standing()
    d.sim.faults.clear("estop")
    d.run(2.0)  # supervisor still writes enable + 1.0 m/s, as it did before the stop
    assert d.standing(), "released e-stop restarted the gantry by itself"
    assert not d.status["gantry.ready"]


def test_estop_stops_a_telescope_move() -> None:
    d = make_driver(hoist_m=8.0)
    d.enable()
    d.command({"spreader.size_ref": 20})
    d.run(1.0)
    d.sim.faults.inject("estop")
    d.run(15.0)
    assert d.status["spreader.size"] == 0, "telescoped to 20 ft with the e-stop chain open"


def test_watchdog_trip_stops_a_telescope_move() -> None:
    d = make_driver(hoist_m=8.0)
    d.enable()
    d.command({"spreader.size_ref": 20})
    d.run(1.0)
    d.beating = False
    d.run(15.0)
    assert d.status["plc.watchdog_trip"]
    assert d.status["spreader.size"] == 0, "telescope kept moving after the watchdog trip"


def test_local_mode_stops_a_telescope_move_commanded_in_remote() -> None:
    d = make_driver(hoist_m=8.0)
    d.enable()
    d.command({"spreader.size_ref": 20})
    d.run(1.0)
    d.sim.faults.inject("local")
    d.run(15.0)
    assert d.status["spreader.size"] == 0, "telescope kept following the supervisor in local"


def test_estop_stops_the_twistlocks() -> None:
    from tests.unit.simplc.test_plc_logic import landed_on_a_truck_box

    d = landed_on_a_truck_box()
    d.sim.faults.inject("estop")
    d.scan()
    assert d.twistlocks(lock=True) is None, "twistlocks turned with the e-stop chain open"


def test_a_tripped_hoist_drive_sets_its_brake() -> None:
    d = make_driver(hoist_m=12.0)
    d.enable()
    d.command({"hoist.speed_ref": -1.0})
    d.run(4.0)
    d.sim.faults.inject("drive_fault", axis="hoist")
    brake_s = 1.0 / d.params.hoist_brake_decel_mps2
    assert (
        d.wait_for(lambda s: abs(float(s["hoist.speed"])) < STANDSTILL_MPS, brake_s + 2 * SCAN_S)
        is not None
    ), "the tripped hoist ramps down at its drive's deceleration instead of braking"


def test_modbus_exception_fault_leaves_an_opcua_memory_plc_answering() -> None:
    sim = CraneSimulator()
    profile = shipped_profile("generic-opcua")
    plc = MemoryPlc(sim, profile)
    sim.faults.inject("modbus_exception", code=4)
    plc.read_nodes(OpcUaCodec(profile).nodes(Direction.STATUS))  # the OPC UA server ignores it

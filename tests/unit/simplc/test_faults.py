"""Every fault of the catalogue, injected and cleared at run time, shows where a real one would:
on the weather, the PLC, the yard and spreader, or the link. Seen through a profile's registers,
as a supervisor sees them; link faults on the memory PLC itself. Then the ways to ask wrongly."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crane_ctrl.signals import Direction
from crane_ctrl.site import CONTAINER_HEIGHT_M, SiteLayout, Slot
from simulators.faults import FAULTS, FaultError
from simulators.memory import Disconnected, ExceptionReply, NoAnswer
from simulators.simulator import CraneSimulator
from simulators.yard import ContainerSpec, YardContents
from tests.unit.simplc.driver import STANDSTILL_MPS, CommandDriver, ModbusWire, wire_for

SITE = SiteLayout()
TRUCK_X, TRUCK_Y = SITE.slot_centre(Slot.truck("T1"), 40)
TRUCK_TOP_M = SITE.lane("truck", "T1").deck_height_m + CONTAINER_HEIGHT_M
BOX_T = 25.0


@pytest.fixture
def d() -> CommandDriver:
    """An empty spreader hanging 8 m up over the empty AGV lane, drives enabled."""
    sim = CraneSimulator(hoist_m=8.0)
    driver = CommandDriver(sim, wire_for(sim, "generic-modbus"), sim.plant.params)
    driver.enable()
    return driver


def over_a_truck_box() -> CommandDriver:
    """The empty spreader hanging 1 m above a 25 t, 40-ft box on truck lane T1, drives enabled."""
    contents = YardContents(containers=(ContainerSpec("BOX", 40, BOX_T, Slot.truck("T1")),))
    sim = CraneSimulator(contents=contents, gantry_m=TRUCK_X, trolley_m=TRUCK_Y, hoist_m=5.0)
    driver = CommandDriver(sim, wire_for(sim, "generic-modbus"), sim.plant.params)
    driver.enable()
    return driver


def pick(d: CommandDriver) -> None:
    """Land on the box, lock all four, lift it clear of the truck."""
    d.land(TRUCK_TOP_M)
    assert d.twistlocks(lock=True) is not None
    d.lift_clear()


# --- the catalogue, whole -----------------------------------------------------------------------

SAMPLES: dict[str, dict[str, Any]] = {
    "wind": {"speed_mps": 10.0},
    "estop": {},
    "local": {},
    "drive_fault": {"axis": "gantry"},
    "force": {"signal": "hoist.load", "value": 3.0},
    "force_raw": {"signal": "hoist.load", "raw": "nan"},
    "stuck": {"signal": "hoist.position"},
    "person_in_lane": {},
    "storm_pins": {},
    "overweight": {"container": "BOX", "mass_t": 30.0},
    "misaligned": {"container": "BOX", "dx_m": 0.2},
    "twistlock_jammed": {"corner": 1},
    "landed_pin_stuck": {"corner": 1},
    "truck_lifted": {"lane": "T1"},
    "link_drop": {},
    "plc_restart": {"seconds": 1.0},  # tests/restarts/test_plc_restart_fault.py
    "link_freeze": {},
    "link_latency": {"seconds": 0.2},
    "modbus_exception": {},
}
"""Parameters for each fault; a fault added to the catalogue needs its line here and a test."""


def test_every_catalogued_fault_has_a_sample_here() -> None:
    assert set(SAMPLES) == set(FAULTS)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_every_fault_injects_and_clearable_ones_clear(name: str) -> None:
    d = over_a_truck_box()
    key = d.sim.faults.inject(name, **SAMPLES[name])
    clearable = FAULTS[name].clear is not None
    assert (key in d.sim.faults.active) is clearable
    if clearable:
        d.sim.faults.clear(key)
    assert d.sim.faults.active == {}
    assert d.sim.plc.faults.forced == {}


# --- weather ------------------------------------------------------------------------------------


def test_wind_reads_on_the_anemometer_and_pushes_the_load_downwind(d: CommandDriver) -> None:
    d.sim.faults.inject("wind", speed_mps=12.0)
    d.run(8.0)
    assert float(d.status["env.wind"]) == pytest.approx(12.0, abs=1e-4)
    assert float(d.status["sway.trolley"]) > 0.005, "the default wind blows along +y"
    d.sim.faults.clear("wind")
    d.scan()
    assert float(d.status["env.wind"]) == 0.0


def test_gusts_rise_and_fall_over_their_period_on_top_of_the_wind(d: CommandDriver) -> None:
    d.sim.faults.inject("wind", speed_mps=12.0, gust_mps=6.0, gust_period_s=4.0)
    readings = []
    for _ in range(80):
        d.scan()
        readings.append(float(d.status["env.wind"]))
    assert min(readings) == pytest.approx(12.0, abs=0.05)
    assert max(readings) == pytest.approx(18.0, abs=0.05)
    d.sim.faults.clear("wind")
    d.scan()
    assert float(d.status["env.wind"]) == 0.0


# --- the PLC ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "signal", "faulted"),
    [
        ("estop", {}, "plc.estop_ok", False),
        ("local", {}, "plc.remote", False),
        ("drive_fault", {"axis": "hoist"}, "hoist.fault", True),
        ("person_in_lane", {}, "lane.clear", False),
        ("storm_pins", {}, "gantry.storm_pins_up", False),
    ],
)
def test_plc_fault_shows_on_its_signal_until_cleared(
    d: CommandDriver, name: str, params: dict[str, Any], signal: str, faulted: bool
) -> None:
    assert d.status[signal] is not faulted
    key = d.sim.faults.inject(name, **params)
    d.scan()
    assert d.status[signal] is faulted
    d.sim.faults.clear(key)
    d.reset()  # a drive fault stays latched until reset
    assert d.status[signal] is not faulted


def test_storm_pins_hold_the_gantry_while_the_trolley_travels(d: CommandDriver) -> None:
    d.sim.faults.inject("storm_pins")
    d.command({"gantry.speed_ref": 1.0, "trolley.speed_ref": 0.5})
    d.run(3.0)
    assert float(d.status["gantry.position"]) == pytest.approx(30.0)
    assert float(d.status["trolley.speed"]) == pytest.approx(0.5, abs=1e-3)
    d.sim.faults.clear("storm_pins")
    d.run(1.0)
    assert float(d.status["gantry.speed"]) > 0.1


def test_force_sets_a_status_signal_to_a_value_until_cleared(d: CommandDriver) -> None:
    d.sim.faults.inject("force", signal="hoist.load", value=12)
    d.sim.faults.inject("force", signal="plc.estop_ok", value="false")
    d.scan()
    assert d.status["hoist.load"] == 12.0
    assert d.status["plc.estop_ok"] is False
    assert d.sim.plc.estop_ok, "a forced reading, not an open chain"
    d.sim.faults.clear("force:hoist.load")
    d.scan()
    assert d.status["hoist.load"] == 0.0
    assert d.status["plc.estop_ok"] is False
    d.sim.faults.clear("force")
    d.scan()
    assert d.status["plc.estop_ok"] is True


def test_stuck_signal_keeps_the_value_it_had_while_the_crane_moves(d: CommandDriver) -> None:
    stuck_at = float(d.status["hoist.position"])
    d.sim.faults.inject("stuck", signal="hoist.position")
    d.command({"hoist.speed_ref": 0.5})
    d.run(3.0)
    assert float(d.status["hoist.position"]) == pytest.approx(stuck_at)
    assert float(d.status["hoist.speed"]) == pytest.approx(0.5, abs=1e-3)
    d.sim.faults.clear("stuck")
    d.scan()
    assert float(d.status["hoist.position"]) > stuck_at + 1.0


# --- yard and spreader --------------------------------------------------------------------------


def test_overweight_box_reads_its_real_mass_on_the_load_cell_once_lifted() -> None:
    d = over_a_truck_box()
    d.sim.faults.inject("overweight", container="BOX", mass_t=36.0)
    pick(d)
    assert float(d.status["hoist.load"]) == pytest.approx(36.0, abs=1e-3)
    d.sim.faults.clear("overweight")
    d.scan()
    assert float(d.status["hoist.load"]) == pytest.approx(BOX_T, abs=1e-3)
    assert d.sim.model_faults == ()


def test_misaligned_box_does_not_press_the_landing_pins() -> None:
    d = over_a_truck_box()
    key = d.sim.faults.inject("misaligned", container="BOX", dx_m=0.12)
    assert key not in d.sim.faults.active, "one-shot: the box stays where it was pushed"
    d.land(TRUCK_TOP_M)
    assert d.status["hoist.slack_rope"], "the spreader rests on the box"
    assert not any(d.corners("landed"))
    assert d.twistlocks(lock=True) is None
    assert all(d.corners("unlocked"))
    assert d.sim.plant.yard.containers["BOX"].x_m == pytest.approx(TRUCK_X + 0.12)


def test_jammed_twistlock_never_locks_and_leaves_a_mixed_state() -> None:
    d = over_a_truck_box()
    d.sim.faults.inject("twistlock_jammed", corner=2)
    d.land(TRUCK_TOP_M)
    assert d.twistlocks(lock=True) is None
    assert d.corners("locked") == (True, False, True, True)
    assert d.corners("unlocked") == (False, True, False, False)
    d.sim.faults.clear("twistlock_jammed:2")
    assert d.twistlocks(lock=True) is not None
    assert all(d.corners("locked"))


def test_landed_pin_stuck_pressed_reads_landed_while_hanging(d: CommandDriver) -> None:
    d.sim.faults.inject("landed_pin_stuck", corner=3)
    d.scan()
    assert d.corners("landed") == (False, False, True, False)
    d.sim.faults.clear("landed_pin_stuck")
    d.scan()
    assert not any(d.corners("landed"))


def test_landed_pin_stuck_released_blocks_the_twistlocks() -> None:
    d = over_a_truck_box()
    d.sim.faults.inject("landed_pin_stuck", corner=3, value="false")
    d.land(TRUCK_TOP_M)
    assert d.corners("landed") == (True, True, False, True)
    assert d.twistlocks(lock=True) is None, "the hardwired interlock reads the pins"
    d.sim.faults.clear("landed_pin_stuck:3")
    d.scan()
    assert all(d.corners("landed"))
    assert d.twistlocks(lock=True) is not None


def test_truck_lifted_trips_when_lifting_from_that_lane() -> None:
    d = over_a_truck_box()
    d.sim.faults.inject("truck_lifted", lane="T1")
    d.land(TRUCK_TOP_M)
    assert d.twistlocks(lock=True) is not None
    assert not d.status["lane.truck_lifted"]
    d.lift_clear()
    assert d.status["lane.truck_lifted"]
    assert float(d.status["hoist.load"]) > BOX_T, "part of the trailer hangs on the box"
    d.sim.faults.clear("truck_lifted")
    d.scan()
    assert not d.status["lane.truck_lifted"]
    assert float(d.status["hoist.load"]) == pytest.approx(BOX_T, abs=1e-3)
    assert d.sim.model_faults == ()


def test_lifting_from_a_truck_without_the_fault_never_trips() -> None:
    d = over_a_truck_box()
    pick(d)
    assert not any(t.signal == "lane.truck_lifted" for t in d.timeline)
    assert not d.status["lane.truck_lifted"]


# --- the link -----------------------------------------------------------------------------------


@pytest.fixture
def wire() -> ModbusWire:
    sim = CraneSimulator()
    w = wire_for(sim, "generic-modbus")
    assert isinstance(w, ModbusWire)
    return w


def test_link_drop_fails_one_request_then_the_plc_answers_again(wire: ModbusWire) -> None:
    key = wire.plc.sim.faults.inject("link_drop")
    assert key not in wire.plc.sim.faults.active
    with pytest.raises(Disconnected):
        wire.read_status()
    assert wire.read_status()["plc.remote"] is True


def test_link_freeze_answers_nothing_until_cleared(wire: ModbusWire) -> None:
    sim = wire.plc.sim
    sim.faults.inject("link_freeze")
    with pytest.raises(NoAnswer):
        wire.read_status()
    with pytest.raises(NoAnswer):
        wire.write_commands({"drives.enable": True})
    sim.faults.clear("link_freeze")
    wire.write_commands({"drives.enable": True})
    assert sim.plc.commands["drives.enable"] is True


def test_modbus_exception_answers_every_request_with_the_code(wire: ModbusWire) -> None:
    sim = wire.plc.sim
    sim.faults.inject("modbus_exception", code="2")
    with pytest.raises(ExceptionReply) as read_error:
        wire.read_status()
    with pytest.raises(ExceptionReply) as write_error:
        wire.write_commands({"drives.enable": True})
    assert read_error.value.code == write_error.value.code == 2
    sim.faults.clear("modbus_exception")
    sim.faults.inject("modbus_exception")
    with pytest.raises(ExceptionReply) as default_error:
        wire.read_status()
    assert default_error.value.code == 4, "device failure by default"
    sim.faults.clear("modbus_exception")
    assert wire.read_status()["plc.remote"] is True


def test_link_latency_is_stored_for_the_servers_and_costs_nothing_in_memory(
    wire: ModbusWire,
) -> None:
    """The in-memory PLC answers at once whatever the latency (lock-step tests have no wall
    clock); the setting is what the protocol servers delay their answers by."""
    sim = wire.plc.sim
    sim.faults.inject("link_latency", seconds="0.3")
    assert sim.link_faults.latency_s == 0.3
    assert wire.read_status()["plc.remote"] is True
    sim.faults.clear("link_latency")
    assert sim.link_faults.latency_s == 0.0


def test_link_faults_hit_commands_and_status_alike(wire: ModbusWire) -> None:
    sim = wire.plc.sim
    plan = wire.codec.read_plan(Direction.COMMAND)
    sim.faults.inject("link_freeze")
    for block in plan:
        with pytest.raises(NoAnswer):
            wire.plc.read(block.table, block.start, block.count)


# --- asking wrongly -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("wnd", "wind"), ("drive_falt", "drive_fault"), ("link_freze", "link_freeze")],
)
def test_unknown_fault_name_suggests_the_closest(name: str, suggestion: str) -> None:
    sim = CraneSimulator()
    with pytest.raises(FaultError, match=f"unknown fault '{name}'; did you mean '{suggestion}'"):
        sim.faults.inject(name)


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        (
            "wind",
            {"speed_mps": 10, "direction": 90},
            "fault wind: unknown parameter 'direction' (takes: speed_mps, gust_mps, gust_period_s)",
        ),
        ("estop", {"axis": "hoist"}, "fault estop: unknown parameter 'axis' (takes: none)"),
        ("wind", {}, "fault wind: missing parameter 'speed_mps' (steady wind, m/s)"),
        ("drive_fault", {}, "fault drive_fault: missing parameter 'axis'"),
        ("wind", {"speed_mps": "strong"}, "fault wind: speed_mps must be a float, not 'strong'"),
        (
            "twistlock_jammed",
            {"corner": "2.5"},
            "fault twistlock_jammed: corner must be a int, not 2.5",
        ),
        ("drive_fault", {"axis": "boom"}, "axis must be gantry, trolley or hoist, not 'boom'"),
        ("twistlock_jammed", {"corner": 5}, "corner must be 1, 2, 3 or 4, not 5"),
        (
            "overweight",
            {"container": "NOPE", "mass_t": 30},
            "no container 'NOPE' in the yard (there are: BOX)",
        ),
        ("truck_lifted", {"lane": "T2"}, "no vehicle in lane 'T2' (lanes with one: T1)"),
        (
            "force",
            {"signal": "hoist.lod", "value": 1},
            "'hoist.lod' is not a status signal; did you mean 'hoist.load'",
        ),
        ("stuck", {"signal": "hoist.speed_ref"}, "'hoist.speed_ref' is not a status signal"),
    ],
    ids=[
        "unknown-parameter",
        "parameter-of-a-bare-fault",
        "missing-parameter",
        "missing-key-parameter",
        "text-not-a-number",
        "not-an-integer",
        "unknown-axis",
        "unknown-corner",
        "unknown-container",
        "lane-without-vehicle",
        "signal-typo",
        "command-not-status",
    ],
)
def test_bad_fault_parameters_are_refused_by_name(
    name: str, params: dict[str, Any], message: str
) -> None:
    d = over_a_truck_box()
    with pytest.raises(FaultError, match=re.escape(message)):
        d.sim.faults.inject(name, **params)
    assert d.sim.faults.active == {}


def test_text_parameters_are_converted_to_their_kind() -> None:
    """The control channel and scenario files send text."""
    d = over_a_truck_box()
    d.sim.faults.inject("wind", speed_mps="22", gust_mps="1.5")
    assert d.sim.plc.faults.wind_mps == 22.0
    assert isinstance(d.sim.plc.faults.wind_mps, float)
    assert d.sim.plc.faults.gust_mps == 1.5
    d.sim.faults.inject("twistlock_jammed", corner="2")
    assert d.sim.plant.spreader.jammed == {2}
    d.sim.faults.inject("landed_pin_stuck", corner="4", value="false")
    assert d.sim.plant.spreader.stuck_pins == {4: False}
    d.sim.faults.inject("force", signal="env.wind", value="7")
    assert d.sim.status()["env.wind"] == 7.0
    assert isinstance(d.sim.status()["env.wind"], float)


def test_faults_clear_by_key_by_name_when_unambiguous_or_all_at_once() -> None:
    sim = CraneSimulator()
    faults = sim.faults
    assert faults.inject("drive_fault", axis="hoist") == "drive_fault:hoist"
    assert faults.inject("drive_fault", axis="gantry") == "drive_fault:gantry"
    faults.inject("estop")
    with pytest.raises(FaultError, match="no single active fault 'drive_fault' to clear"):
        faults.clear("drive_fault")
    faults.clear("drive_fault:hoist")
    assert sim.plc.faults.drive_faults == {"gantry"}
    faults.clear("drive_fault")
    assert sim.plc.faults.drive_faults == set()
    with pytest.raises(
        FaultError, match=re.escape("no single active fault 'local' to clear (active: estop)")
    ):
        faults.clear("local")
    faults.inject("person_in_lane")
    faults.clear()
    assert faults.active == {}
    assert not sim.plc.faults.estop
    assert not sim.plc.faults.person_in_lane


def test_a_forced_reading_moves_nothing(d: CommandDriver) -> None:
    d.sim.faults.inject("force", signal="gantry.speed", value=1.0)
    d.run(1.0)
    assert float(d.status["gantry.speed"]) == 1.0
    assert abs(d.sim.plant.gantry.speed_mps) < STANDSTILL_MPS, "a forced reading moves nothing"

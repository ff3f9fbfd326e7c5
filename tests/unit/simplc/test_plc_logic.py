"""The simulated PLC program behaves towards a supervisor as a real crane PLC does: watchdog,
e-stop chain, local mode, drive faults, life counter, fault code, the twistlocks' hardwired
interlock and the telescope. Driven only by commands written through a profile, scan by scan."""

from __future__ import annotations

from itertools import pairwise

import pytest

from crane_ctrl.site import CONTAINER_HEIGHT_M, CONTAINER_LENGTH_M, SiteLayout, Slot
from simulators.simulator import CraneSimulator
from simulators.yard import ContainerSpec, YardContents
from tests.unit.simplc.driver import SCAN_S, STANDSTILL_MPS, CommandDriver, Status, wire_for

AXES = ("gantry", "trolley", "hoist")
ONE_SCAN = SCAN_S + 1e-6
CRUISE = {"gantry": 1.0, "trolley": 0.8, "hoist": 0.5}
"""Speeds the axes run at before something stops them, m/s."""


SITE = SiteLayout()
TRUCK_X, TRUCK_Y = SITE.slot_centre(Slot.truck("T1"), 40)
TRUCK_TOP_M = SITE.lane("truck", "T1").deck_height_m + CONTAINER_HEIGHT_M


def make_driver(profile: str = "generic-modbus") -> CommandDriver:
    """An empty spreader hanging 8 m up over the empty AGV lane, driven through ``profile``."""
    sim = CraneSimulator(hoist_m=8.0)
    return CommandDriver(sim, wire_for(sim, profile), sim.plant.params)


@pytest.fixture
def d() -> CommandDriver:
    return make_driver()


def landed_on_a_truck_box() -> CommandDriver:
    """The empty spreader landed on a 40-ft box on truck lane T1, drives enabled."""
    contents = YardContents(containers=(ContainerSpec("BOX", 40, 20.0, Slot.truck("T1")),))
    sim = CraneSimulator(contents=contents, gantry_m=TRUCK_X, trolley_m=TRUCK_Y, hoist_m=5.0)
    d = CommandDriver(sim, wire_for(sim, "generic-modbus"), sim.plant.params)
    d.enable()
    d.land(TRUCK_TOP_M)
    assert all(d.corners("landed"))
    return d


def at_cruise(s: Status) -> bool:
    return all(float(s[f"{a}.speed"]) == pytest.approx(v, abs=1e-3) for a, v in CRUISE.items())


def tripped(s: Status) -> bool:
    return bool(s["plc.watchdog_trip"])


def run_all_axes(d: CommandDriver) -> None:
    """Enable and bring every axis to its cruise speed."""
    d.enable()
    d.command({f"{a}.speed_ref": v for a, v in CRUISE.items()})
    d.wait_until(at_cruise, 10.0, "all axes at cruise speed")


def decel_rates(d: CommandDriver, *, braking: bool) -> dict[str, float]:
    """How fast each axis slows down: under drive control, or on its brakes, m/s^2."""
    p = d.params
    return {
        "gantry": p.gantry_brake_decel_mps2 if braking else p.gantry_decel_mps2,
        "trolley": p.trolley_brake_decel_mps2 if braking else p.trolley_decel_mps2,
        "hoist": p.hoist_brake_decel_mps2 if braking else p.hoist_decel_mps2,
    }


def stopping_time_s(d: CommandDriver, *, braking: bool) -> float:
    """Time for the slowest axis to stop from cruise speed, s."""
    rates = decel_rates(d, braking=braking)
    return max(CRUISE[a] / rates[a] for a in AXES)


def speeds(d: CommandDriver) -> dict[str, float]:
    return {a: float(d.status[f"{a}.speed"]) for a in AXES}


# --- watchdog -----------------------------------------------------------------------------------


def test_watchdog_ramps_every_axis_to_zero_when_the_heartbeat_freezes_mid_motion(
    d: CommandDriver,
) -> None:
    """Must show. The speed references stay written at cruise; only the heartbeat stops. The PLC
    trips after ``watchdog_s`` and ramps every axis down at its own deceleration limit (drives
    stay enabled: a controlled stop, not the brakes), so within watchdog_s plus the slowest
    axis's deceleration time everything stands."""
    run_all_axes(d)
    watchdog_s = d.sim.plc.params.watchdog_s
    d.beating = False
    frozen_at = d.time_s

    trip_s = d.wait_until(tripped, watchdog_s + ONE_SCAN, "trip")
    assert trip_s == pytest.approx(watchdog_s, abs=ONE_SCAN)
    assert d.status["plc.fault_code"] == d.sim.plc.params.fault_code_watchdog

    d.run(1.0)
    for axis, rate in decel_rates(d, braking=False).items():
        expected = max(0.0, CRUISE[axis] - rate * (trip_s + 1.0 - watchdog_s))
        assert speeds(d)[axis] == pytest.approx(expected, abs=rate * ONE_SCAN), axis
    assert all(d.status[f"{a}.ready"] for a in AXES), "a controlled ramp, drives still enabled"

    ramp_s = stopping_time_s(d, braking=False)
    d.wait_until(d.standing, ramp_s, "standstill")
    assert d.time_s - frozen_at <= watchdog_s + ramp_s + ONE_SCAN
    assert all(abs(v) < STANDSTILL_MPS for v in speeds(d).values())
    assert d.status["plc.watchdog_trip"]


def test_watchdog_trip_latches_after_the_heartbeat_resumes(d: CommandDriver) -> None:
    run_all_axes(d)
    d.beating = False
    d.wait_until(tripped, 2.0, "trip")
    d.beating = True
    d.run(8.0)
    assert d.status["plc.watchdog_trip"]
    assert d.standing(), "speed references still at cruise are ignored"
    assert d.status["plc.fault_code"] == d.sim.plc.params.fault_code_watchdog


def test_watchdog_trip_clears_only_on_a_reset_edge_while_the_heartbeat_runs(
    d: CommandDriver,
) -> None:
    d.enable()  # beats while enabling: the watchdog is armed
    d.beating = False
    d.run(1.5)
    assert d.status["plc.watchdog_trip"]

    d.reset()
    assert d.status["plc.watchdog_trip"], "a reset while the heartbeat is frozen does nothing"

    d.command({"plc.reset": True})
    d.run(0.5)
    d.beating = True
    d.run(1.0)
    assert d.status["plc.watchdog_trip"], "a reset held through the restart is no rising edge"
    d.command({"plc.reset": False})
    d.scan()
    assert d.status["plc.watchdog_trip"]

    d.reset()
    assert not d.status["plc.watchdog_trip"]
    assert d.status["plc.fault_code"] == 0
    d.command({"gantry.speed_ref": 0.5})
    d.run(1.0)
    assert float(d.status["gantry.speed"]) > 0.1, "commands obeyed again"


def test_watchdog_is_not_armed_before_the_supervisors_first_heartbeat_change() -> None:
    """Chosen behaviour: the PLC guards a heartbeat it has seen running. A PLC powered up before
    its supervisor (``sup.heartbeat`` still at its start value) must not latch a trip that the
    supervisor would first have to reset; the first change of the heartbeat arms the watchdog,
    and from then on a heartbeat unchanged for ``watchdog_s`` trips it."""
    d = make_driver()
    d.beating = False
    d.run(5.0)
    assert not d.status["plc.watchdog_trip"]

    changed_at = d.time_s
    d.command({"sup.heartbeat": 1})
    d.wait_until(tripped, 2.0, "trip once armed")
    assert d.time_s - changed_at == pytest.approx(d.sim.plc.params.watchdog_s, abs=ONE_SCAN)


def test_a_wrapping_supervisor_heartbeat_keeps_the_watchdog_quiet(d: CommandDriver) -> None:
    d.command({"sup.heartbeat": 65530})
    d.run(2.0)
    assert int(d.commands["sup.heartbeat"]) < 65530, "the counter wrapped"
    assert not d.status["plc.watchdog_trip"]


def test_twistlocks_do_not_turn_while_the_watchdog_is_tripped() -> None:
    d = landed_on_a_truck_box()
    d.beating = False
    d.wait_until(tripped, 2.0, "trip")
    d.beating = True
    assert d.twistlocks(lock=True) is None
    assert all(d.corners("unlocked"))


# --- e-stop, local, drive faults ------------------------------------------------------------


def test_estop_opens_the_chain_and_the_brakes_stop_every_axis(d: CommandDriver) -> None:
    run_all_axes(d)
    opened_at = d.time_s
    d.sim.faults.inject("estop")
    d.scan()
    assert not d.status["plc.estop_ok"]
    assert not any(d.status[f"{a}.ready"] for a in AXES)
    assert d.status["plc.fault_code"] == d.sim.plc.params.fault_code_estop
    d.wait_until(d.standing, 10.0, "standstill")
    assert d.time_s - opened_at == pytest.approx(stopping_time_s(d, braking=True), abs=ONE_SCAN)
    assert d.time_s - opened_at < stopping_time_s(d, braking=False), "brakes, not a ramp"

    d.run(2.0)
    assert d.standing(), "brakes hold against the speed references still written"
    d.sim.faults.clear("estop")
    d.scan()
    assert d.status["plc.estop_ok"]


def test_local_mode_ignores_every_command(d: CommandDriver) -> None:
    d.sim.faults.inject("local")
    d.command({"drives.enable": True, **{f"{a}.speed_ref": v for a, v in CRUISE.items()}})
    d.run(3.0)
    assert not d.status["plc.remote"]
    assert not any(d.status[f"{a}.ready"] for a in AXES)
    assert d.standing()
    assert float(d.status["gantry.position"]) == pytest.approx(30.0)

    d.sim.faults.clear("local")
    d.scan()
    assert d.status["plc.remote"]


def test_drive_fault_latches_for_that_axis_only_until_reset_after_it_clears(
    d: CommandDriver,
) -> None:
    run_all_axes(d)
    d.sim.faults.inject("drive_fault", axis="trolley")
    d.run(3.0)
    assert d.status["trolley.fault"]
    assert not d.status["trolley.ready"]
    assert float(d.status["trolley.speed"]) == pytest.approx(0.0, abs=STANDSTILL_MPS)
    for healthy in ("gantry", "hoist"):
        assert d.status[f"{healthy}.ready"]
        assert not d.status[f"{healthy}.fault"]
    assert float(d.status["gantry.speed"]) == pytest.approx(CRUISE["gantry"], abs=1e-3)
    assert d.status["plc.fault_code"] == d.sim.plc.params.fault_code_trolley_drive

    d.reset()
    assert d.status["trolley.fault"], "reset while the drive still reports its fault"
    d.sim.faults.clear("drive_fault")
    d.run(1.0)
    assert d.status["trolley.fault"], "latched after the drive's fault went away"
    assert float(d.status["trolley.speed"]) == pytest.approx(0.0, abs=STANDSTILL_MPS)
    d.reset()
    assert not d.status["trolley.fault"]
    assert d.status["trolley.ready"]
    assert d.status["plc.fault_code"] == 0
    d.run(1.0)
    assert float(d.status["trolley.speed"]) > 0.1


def test_fault_code_names_the_first_fault_by_priority(d: CommandDriver) -> None:
    codes = d.sim.plc.params
    d.enable()
    assert d.status["plc.fault_code"] == 0
    d.sim.faults.inject("drive_fault", axis="hoist")
    d.scan()
    assert d.status["plc.fault_code"] == codes.fault_code_hoist_drive
    d.sim.faults.inject("estop")
    d.scan()
    assert d.status["plc.fault_code"] == codes.fault_code_estop
    d.sim.faults.clear()
    d.scan()
    d.reset()
    assert d.status["plc.fault_code"] == 0


# --- life counter -------------------------------------------------------------------------------


def test_plc_heartbeat_counts_at_the_plcs_own_pace(d: CommandDriver) -> None:
    start = int(d.status["plc.heartbeat"])
    d.run(2.0)
    period = d.sim.plc.params.heartbeat_period_s
    assert int(d.status["plc.heartbeat"]) - start == pytest.approx(2.0 / period, abs=1)


@pytest.mark.parametrize("profile", ["generic-modbus", "modicon-m580-modbus", "generic-opcua"])
def test_plc_heartbeat_wraps_to_zero(profile: str) -> None:
    d = make_driver(profile)
    modulus = d.sim.plc.params.heartbeat_modulus
    d.sim.plc.heartbeat = modulus - 3
    seen = []
    for _ in range(12):
        d.scan()
        seen.append(int(d.status["plc.heartbeat"]))
    steps = {(b - a) % modulus for a, b in pairwise(seen)}
    assert steps <= {0, 1}
    assert modulus - 1 in seen
    assert 0 in seen
    assert max(seen) < modulus


def test_plc_heartbeat_keeps_counting_through_estop_and_local(d: CommandDriver) -> None:
    d.sim.faults.inject("estop")
    d.sim.faults.inject("local")
    start = int(d.status["plc.heartbeat"])
    d.run(1.0)
    assert int(d.status["plc.heartbeat"]) > start


# --- spreader -----------------------------------------------------------------------------------


def test_twistlocks_do_not_turn_unless_landed(d: CommandDriver) -> None:
    """The PLC's hardwired interlock: the lock command of a hanging spreader does nothing."""
    d.enable()
    assert d.twistlocks(lock=True) is None
    assert all(d.corners("unlocked"))
    assert not any(d.corners("locked"))
    assert not [t for t in d.timeline if "locked" in t.signal]


def test_twistlocks_turn_once_landed() -> None:
    d = landed_on_a_truck_box()
    assert d.twistlocks(lock=True) == pytest.approx(d.params.twistlock_turn_time_s, abs=ONE_SCAN)
    assert all(d.corners("locked"))


@pytest.mark.parametrize("profile", ["generic-modbus", "modicon-m580-modbus"])
def test_telescope_20_40_45_reads_size_0_while_moving(profile: str) -> None:
    d = make_driver(profile)
    p = d.params
    d.enable()
    took = [d.telescope(20), d.telescope(40), d.telescope(45)]
    length = CONTAINER_LENGTH_M
    stroke_40_45 = (length[45] - length[40]) / (length[40] - length[20])
    assert took == pytest.approx(
        [p.telescope_time_s, p.telescope_time_s, p.telescope_time_s * stroke_40_45], abs=ONE_SCAN
    )
    assert all(t <= p.telescope_timeout_s for t in took)
    sizes = [t.value for t in d.timeline if t.signal == "spreader.size"]
    assert sizes == [0, 20, 0, 40, 0, 45]

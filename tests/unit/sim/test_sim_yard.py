"""Containers move with the spreader and stay where they are set down; the model records what a
real crane must never do (drop, damage, collide, lift a truck)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import pytest

from crane_ctrl.crane import CraneParams
from crane_ctrl.site import CONTAINER_HEIGHT_M, SiteLayout, Slot
from simulators.plant import Plant
from simulators.yard import Container, ContainerSpec, FaultKind, YardContents

if TYPE_CHECKING:
    from conftest import Rig

SITE = SiteLayout()
TRUCK_X, TRUCK_Y = SITE.slot_centre(Slot.truck("T1"), 40)
TRUCK_TOP = SITE.lane("truck", "T1").deck_height_m + CONTAINER_HEIGHT_M
STACK_X, STACK_Y = SITE.slot_centre(Slot.stack(3, 2), 40)
TRAVEL_Z = 12.0


def _where(box: Container) -> object:
    """Where a container is (a fresh read: its location changes as the crane works)."""
    return box.location


def _kinds(rig: Rig) -> list[FaultKind]:
    return [f.kind for f in rig.plant.faults]


def _all(rig: Rig, what: str) -> bool:
    s = rig.s
    return all(s[f"spreader.{what}_{k}"] for k in (1, 2, 3, 4))


def _pick_from_truck(rig: Rig) -> None:
    rig.go(TRUCK_X, TRUCK_Y)
    rig.move("hoist", TRUCK_TOP + 0.5)
    rig.land()
    rig.twistlocks(lock=True)
    rig.move("hoist", TRAVEL_Z)


def _deliver(rig: Rig, x: float, y: float, landing_z: float) -> None:
    rig.go(x, y)
    rig.move("hoist", landing_z + 0.5)
    rig.land()


@pytest.fixture
def rig(make_rig: Callable[..., Rig], truck_and_stack: tuple[ContainerSpec, ...]) -> Rig:
    return make_rig(truck_and_stack, gantry_m=TRUCK_X, trolley_m=8.0, hoist_m=TRAVEL_Z)


PINS_PRESSED_WHILE_CARRYING = [
    ("spreader.landed_1", True),
    ("spreader.unlocked_1", False),
    ("spreader.locked_1", True),  # lifted: the box's roof keeps the pins pressed
    ("spreader.locked_1", False),  # set down on STACK1
    ("spreader.unlocked_1", True),
    ("spreader.landed_1", False),  # the empty spreader leaves
]
PINS_RELEASED_WHILE_CARRYING = [
    ("spreader.landed_1", True),
    ("spreader.unlocked_1", False),
    ("spreader.locked_1", True),
    ("spreader.landed_1", False),  # lifted: the twistlocks carry the box
    ("spreader.landed_1", True),  # set down on STACK1
    ("spreader.locked_1", False),
    ("spreader.unlocked_1", True),
    ("spreader.landed_1", False),  # the empty spreader leaves
]


@pytest.mark.parametrize(
    ("pins", "events"),
    [("pressed", PINS_PRESSED_WHILE_CARRYING), ("released", PINS_RELEASED_WHILE_CARRYING)],
)
def test_pick_from_a_truck_and_set_down_on_the_stack_moves_the_container(
    make_rig: Callable[..., Rig],
    truck_and_stack: tuple[ContainerSpec, ...],
    pins: Literal["pressed", "released"],
    events: list[tuple[str, bool]],
) -> None:
    params = CraneParams(landing_pins_carrying=pins)
    rig = make_rig(truck_and_stack, params, gantry_m=TRUCK_X, trolley_m=8.0, hoist_m=TRAVEL_Z)
    rig.watch("spreader.landed_1", "spreader.locked_1", "spreader.unlocked_1")
    box = rig.plant.yard.containers["TRUCK1"]
    rig.go(TRUCK_X, TRUCK_Y)
    rig.move("hoist", TRUCK_TOP + 0.5)
    rig.land()
    assert _all(rig, "landed")
    assert rig.s["hoist.load"] == 0.0
    rig.twistlocks(lock=True)
    rig.move("hoist", TRAVEL_Z)
    assert rig.plant.carrying
    assert _where(box) == "spreader"
    assert rig.s["hoist.load"] == pytest.approx(25.0)
    assert _all(rig, "landed") is (pins == "pressed")

    rig.go(STACK_X, STACK_Y)
    assert abs(rig.s["sway.trolley"]) < 0.005
    assert abs(rig.s["sway.gantry"]) < 0.005
    rig.move("hoist", 2 * CONTAINER_HEIGHT_M + 0.5)
    rig.land()
    assert _all(rig, "landed")
    assert rig.s["hoist.load"] == 0.0
    rig.twistlocks(lock=False)
    rig.move("hoist", TRAVEL_Z)

    assert _where(box) == Slot.stack(3, 2, 2)
    assert (box.x_m, box.y_m) == pytest.approx((STACK_X, STACK_Y), abs=1e-3)
    assert box.z_m == pytest.approx(CONTAINER_HEIGHT_M)
    assert rig.plant.engaged is None
    assert not rig.plant.faults
    assert rig.events == events
    rig.move("gantry", 100.0)
    assert _where(box) == Slot.stack(3, 2, 2)
    assert box.z_m == pytest.approx(CONTAINER_HEIGHT_M)


def test_load_cell_reads_the_mass_when_hanging_and_zero_when_landed(rig: Rig) -> None:
    rig.go(TRUCK_X, TRUCK_Y)
    rig.move("hoist", TRUCK_TOP + 0.5)
    rig.land()
    rig.twistlocks(lock=True)
    assert rig.s["hoist.load"] == 0.0
    loads = []
    rig.plant.inputs.hoist_speed_ref_mps = rig.plant.params.creep_speed_mps
    for _ in range(150):
        rig.step()
        loads.append(float(rig.s["hoist.load"]))
    assert loads == sorted(loads), "the load comes onto the ropes steadily"
    assert loads[-1] == pytest.approx(25.0)
    assert rig.plant.carrying
    rig.plant.inputs.hoist_speed_ref_mps = -rig.plant.params.creep_speed_mps
    rig.run_until(lambda: rig.s["hoist.load"] < 20.0, 5.0, "touchdown")
    assert not rig.plant.carrying
    rig.run_until(lambda: rig.landed() and rig.s["hoist.load"] == 0.0, 1.0, "landed")
    rig.run_until(lambda: bool(rig.s["hoist.slack_rope"]), 1.0, "slack rope")


def test_an_overweight_container_shows_its_real_mass(rig: Rig) -> None:
    rig.plant.yard.override_mass("TRUCK1", 47.5)
    _pick_from_truck(rig)
    assert rig.s["hoist.load"] == pytest.approx(47.5)
    assert rig.s["hoist.load"] > rig.plant.params.overload_trip_t


def test_hoist_runs_at_loaded_speed_with_a_container(rig: Rig) -> None:
    _pick_from_truck(rig)
    rig.plant.inputs.hoist_speed_ref_mps = 1.0
    rig.run(2.0)
    assert rig.s["hoist.speed"] == pytest.approx(rig.plant.params.hoist_speed_loaded_mps)


def test_unlock_of_a_suspended_load_is_refused_by_the_hardwired_interlock(rig: Rig) -> None:
    _pick_from_truck(rig)
    rig.plant.inputs.unlock = True
    rig.run(3.0)
    assert _all(rig, "locked")
    assert rig.plant.carrying
    assert not rig.plant.faults


def test_releasing_a_suspended_load_records_a_dropped_load(rig: Rig) -> None:
    """Even with the landed interlock bypassed, twistlocks under load do not turn (their
    castings hold them); a twistlock that gives way anyway (here: forced open) drops the box."""
    _pick_from_truck(rig)
    rig.plant.spreader.interlock_bypassed = True
    rig.plant.inputs.unlock = True
    rig.run(2.0)
    assert _all(rig, "locked")
    assert not rig.plant.faults
    rig.plant.inputs.unlock = False
    rig.plant.spreader.twistlocks[:] = [0.0, 0.0, 0.0, 0.0]
    rig.run(0.5)
    assert _kinds(rig) == [FaultKind.DROPPED_LOAD]
    fault = rig.plant.faults[0]
    assert fault.container == "TRUCK1"
    stretch = 25.0 / rig.plant.params.rope_stiffness_tpm
    fall = TRAVEL_Z - stretch - CONTAINER_HEIGHT_M - SITE.lane("truck", "T1").deck_height_m
    assert f"fell {fall:.2f} m" in fault.reason
    box = rig.plant.yard.containers["TRUCK1"]
    assert box.z_m == pytest.approx(SITE.lane("truck", "T1").deck_height_m)
    assert not rig.plant.carrying
    assert rig.s["hoist.load"] == 0.0


def test_landing_on_a_misaligned_container_presses_no_pins_and_locks_nothing(rig: Rig) -> None:
    rig.plant.yard.misalign("TRUCK1", 0.2, 0.0)
    rig.go(TRUCK_X, TRUCK_Y)
    rig.move("hoist", TRUCK_TOP + 0.5)
    rig.land()
    assert not any(rig.s[f"spreader.landed_{k}"] for k in (1, 2, 3, 4))
    assert rig.s["hoist.slack_rope"] is True
    rig.plant.inputs.lock = True
    rig.run(3.0)
    assert _all(rig, "unlocked")
    assert not rig.plant.faults


def test_setting_down_off_the_castings_damages_the_load(rig: Rig) -> None:
    _pick_from_truck(rig)
    _deliver(rig, STACK_X + 0.2, STACK_Y, 2 * CONTAINER_HEIGHT_M)
    assert _kinds(rig) == [FaultKind.DAMAGED_LOAD]
    assert "off the castings of STACK1" in rig.plant.faults[0].reason
    assert rig.plant.yard.containers["TRUCK1"].location is None


def test_setting_down_on_open_ground_outside_the_block_damages_the_load(rig: Rig) -> None:
    _pick_from_truck(rig)
    _deliver(rig, 250.0, 20.0, CONTAINER_HEIGHT_M)
    assert _kinds(rig) == [FaultKind.DAMAGED_LOAD]
    assert "outside the stack slots" in rig.plant.faults[0].reason


@pytest.mark.parametrize(
    ("slot", "landing_z"),
    [
        (Slot.stack(5, 1, 1), CONTAINER_HEIGHT_M),
        (Slot.agv("A1"), SITE.lane("agv", "A1").deck_height_m + CONTAINER_HEIGHT_M),
    ],
)
def test_set_down_on_ground_slot_or_agv_is_proper(rig: Rig, slot: Slot, landing_z: float) -> None:
    if slot.area == "agv":
        rig.plant.yard.add_vehicle("agv", "A1")
    _pick_from_truck(rig)
    _deliver(rig, *SITE.slot_centre(slot, 40), landing_z)
    rig.twistlocks(lock=False)
    rig.move("hoist", TRAVEL_Z)
    assert rig.plant.yard.containers["TRUCK1"].location == slot
    assert not rig.plant.faults


def test_lifting_on_three_twistlocks_damages_the_load(rig: Rig) -> None:
    rig.plant.spreader.jammed.add(2)
    rig.go(TRUCK_X, TRUCK_Y)
    rig.move("hoist", TRUCK_TOP + 0.5)
    rig.land()
    rig.plant.inputs.lock = True
    rig.run(2.0)
    rig.plant.inputs.lock = False
    assert [rig.s[f"spreader.locked_{k}"] for k in (1, 2, 3, 4)] == [True, False, True, True]
    rig.move("hoist", 6.0)
    assert _kinds(rig) == [FaultKind.DAMAGED_LOAD]
    assert "3 of 4 twistlocks" in rig.plant.faults[0].reason


def test_a_truck_lifted_with_its_container_trips_the_sensor_then_is_damaged(rig: Rig) -> None:
    p = rig.plant.params
    rig.plant.yard.lock_chassis("T1")
    rig.go(TRUCK_X, TRUCK_Y)
    rig.move("hoist", TRUCK_TOP + 0.5)
    rig.land()
    rig.twistlocks(lock=True)
    rig.plant.inputs.hoist_speed_ref_mps = p.creep_speed_mps
    rig.run_until(lambda: bool(rig.s["lane.truck_lifted"]), 5.0, "truck-lift trip")
    rig.plant.inputs.hoist_speed_ref_mps = 0.0
    rig.run(0.5)
    assert rig.s["hoist.load"] == pytest.approx(25.0 + p.trailer_lift_mass_t)
    assert not rig.plant.faults, "stopped at the trip: no damage"
    rig.plant.inputs.hoist_speed_ref_mps = p.creep_speed_mps
    rig.run(4.0)
    assert _kinds(rig) == [FaultKind.TRUCK_LIFTED]
    rig.plant.inputs.hoist_speed_ref_mps = -p.creep_speed_mps
    rig.run_until(rig.landed, 10.0, "back on the trailer")
    assert rig.s["lane.truck_lifted"] is False


def test_swinging_a_low_load_into_a_stack_is_a_collision(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(
        (
            ContainerSpec("TRUCK1", 40, 25.0, Slot.truck("T1")),
            ContainerSpec("WALL", 20, 10.0, Slot.stack(1, 1, 1)),
        ),
        gantry_m=TRUCK_X,
        trolley_m=8.0,
        hoist_m=TRAVEL_Z,
    )
    _pick_from_truck(rig)
    rig.move("trolley", SITE.stack.origin_y_m)
    rig.move("hoist", 4.0)
    assert not rig.plant.faults
    rig.plant.inputs.gantry_speed_ref_mps = 0.5
    rig.run(10.0)
    assert _kinds(rig)[0] is FaultKind.COLLISION
    assert "container TRUCK1" in rig.plant.faults[0].reason


# --- placing the starting contents ------------------------------------------------------------


@pytest.mark.parametrize(
    ("specs", "error"),
    [
        (
            (
                ContainerSpec("A", 40, 20.0, Slot.stack(1, 1, 1)),
                ContainerSpec("B", 20, 10.0, Slot.stack(1, 1, 2)),
            ),
            "a 20-ft set down on 40-ft A",
        ),
        ((ContainerSpec("A", 40, 20.0, Slot.stack(5, 1, 2)),), "would stand at stack bay 5"),
        ((ContainerSpec("A", 40, 20.0, Slot.stack(20, 1, 1)),), "does not fit"),
        (
            (
                ContainerSpec("A", 45, 20.0, Slot.stack(1, 1, 1)),
                ContainerSpec("B", 20, 10.0, Slot.stack(3, 1, 1)),
            ),
            "a 20-ft set down on 45-ft A",  # a 45 overhangs its bay pair
        ),
        (
            (
                ContainerSpec("A", 40, 20.0, Slot.stack(1, 1, 1)),
                ContainerSpec("A", 40, 20.0, Slot.stack(1, 2, 1)),
            ),
            "used twice",
        ),
        ((ContainerSpec("A", 30, 20.0, Slot.stack(1, 1, 1)),), "20, 40 or 45"),
        ((ContainerSpec("A", 40, 0.0, Slot.stack(1, 1, 1)),), "positive"),
    ],
)
def test_impossible_starting_contents_are_refused(
    specs: tuple[ContainerSpec, ...], error: str
) -> None:
    with pytest.raises(ValueError, match=error):
        Plant(contents=YardContents(containers=specs))


def test_an_unknown_lane_is_refused_with_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"T9.*known: T1, T2"):
        Plant(contents=YardContents(containers=(ContainerSpec("A", 40, 20.0, Slot.truck("T9")),)))


def test_stacked_contents_stand_on_each_other() -> None:
    specs = tuple(ContainerSpec(f"C{t}", 40, 20.0, Slot.stack(7, 3, t), t == 2) for t in (3, 1, 2))
    yard = Plant(contents=YardContents(containers=specs)).yard
    top = yard.containers["C3"]
    assert top.z_m == pytest.approx(2 * CONTAINER_HEIGHT_M + 0.305)
    assert top.location == Slot.stack(7, 3, 3)


def test_a_vehicle_drives_away_with_its_container(rig: Rig) -> None:
    assert rig.plant.yard.remove_vehicle("T1") == ("TRUCK1",)
    assert "TRUCK1" not in rig.plant.yard.containers
    rig.go(TRUCK_X, TRUCK_Y)
    rig.move("hoist", 1.0)  # nothing there any more
    assert not rig.plant.faults

"""The motion planner against the physics: plans driven scan by scan (50 ms) into the simulator's
plant (10 ms steps), whose drives follow the references within their limits and whose load
swings as the exact pendulum. Sway, positions and landings are read from the plant.

Figures at the time of writing (this file's scenarios): open-loop travel, hoist 8/12/17 m, empty
and 25 t: residual sway at arrival 0.0-5.4 mm (unshaped: 30-1040 mm), arrival within 0.05 mm
before fine positioning, ZV plan 1.07-1.13x the unshaped time-optimal move for the 41.8 m move,
1.21-1.40x for the 6.7 m one. Two overlapped legs over a real stack: sway at touchdown 5 and 8 mm,
landing error 1 and 9 mm, touchdown within 0.1 s of the prediction.
"""

from __future__ import annotations

import math

import pytest

from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.planner import (
    LegPlan,
    MotionLimits,
    Obstacle,
    TravelPlan,
    fine_position,
    hoist_reference,
    pendulum_length_m,
    pendulum_period_s,
)
from crane_ctrl.site import CONTAINER_HEIGHT_M, CONTAINER_LENGTH_M, CONTAINER_WIDTH_M, Slot
from simulators.plant import Plant
from simulators.yard import ContainerSpec, YardContents

P = CraneParams()
DT = 0.01
STEPS = 5
SCAN = DT * STEPS
"""Scan period of the sequencer these tests play, s."""
MASS_T = 25.0
TRUCK_X, TRUCK_Y = 30.0, 2.0
"""Lane T1's stop position: where the truck's container stands."""
ON_TRUCK_M = 1.4 + CONTAINER_HEIGHT_M
"""Twistlock plane of a spreader seated on the truck's container, m."""
HALF_40 = (CONTAINER_LENGTH_M[40] / 2, CONTAINER_WIDTH_M / 2)
LONG = (70.0, 14.0)
"""41.8 m from the truck: 40 m of gantry, 12 m of trolley."""
SHORT = (33.0, 8.0)
"""6.7 m from the truck, mostly trolley."""


def _scan(plant: Plant) -> None:
    for _ in range(STEPS):
        plant.step(DT)


def _hoist_to(plant: Plant, z: float, limits: MotionLimits) -> None:
    for _ in range(round(120 / SCAN)):
        ref = hoist_reference(
            plant.hoist.position_m, z, limits.hoist, creep_from_m=None, creep_mps=0.1
        )
        plant.inputs.hoist_speed_ref_mps = ref
        _scan(plant)
        if ref == 0.0 and plant.hoist.speed_mps == 0.0:
            return
    raise AssertionError(f"hoist did not reach {z} m")


def _landed(plant: Plant) -> bool:
    """Seated (the pins pressed and nothing on the ropes: a hanging box's roof keeps the pins
    pressed), or slack ropes."""
    sensors = plant.sensors()
    seated = all(plant.spreader.landed_sensed()) and float(sensors["hoist.load"]) < 1.0
    return seated or bool(sensors["hoist.slack_rope"])


def _lock(plant: Plant) -> None:
    plant.inputs.lock = True
    for _ in range(round(P.twistlock_confirm_timeout_s / DT)):
        plant.step(DT)
        if plant.spreader.all_locked():
            plant.inputs.lock = False
            return
    raise AssertionError("twistlocks did not lock")


def _plant(*, loaded: bool, hoist_m: float, contents: YardContents | None = None) -> Plant:
    """The spreader over the truck; ``loaded``: with its 25 t box picked up; at ``hoist_m``."""
    truck = ContainerSpec("TRUCK1", 40, MASS_T, Slot.truck("T1"))
    contents = contents or YardContents(containers=(truck,))
    plant = Plant(P, None, contents, gantry_m=TRUCK_X, trolley_m=TRUCK_Y, hoist_m=ON_TRUCK_M + 0.3)
    plant.inputs.drives_enabled = True
    if loaded:
        plant.inputs.hoist_speed_ref_mps = -P.creep_speed_mps
        while not _landed(plant):
            plant.step(DT)
        plant.inputs.hoist_speed_ref_mps = 0.0
        _lock(plant)
    _hoist_to(plant, hoist_m, MotionLimits.from_params(P, loaded=loaded))
    assert plant.carrying == loaded
    return plant


def _length(plant: Plant) -> float:
    return pendulum_length_m(
        plant.hoist.position_m, P, loaded=plant.carrying, container_mass_t=MASS_T
    )


def _sway_amplitude_m(plant: Plant) -> float:
    """Amplitude of the load's free swing now (both directions together), m."""
    length = _length(plant)
    omega = math.sqrt(P.gravity_mps2 / length)
    pend = plant.pendulum
    x = length * math.hypot(pend.angle_x, pend.rate_x / omega)
    y = length * math.hypot(pend.angle_y, pend.rate_y / omega)
    return math.hypot(x, y)


def _drive(plant: Plant, plan: TravelPlan) -> None:
    """Command the plan every scan, one scan ahead, then zero."""
    for k in range(math.ceil(plan.duration_s / SCAN) + 1):
        vx, vy = plan.reference(k * SCAN + SCAN)
        plant.inputs.gantry_speed_ref_mps, plant.inputs.trolley_speed_ref_mps = vx, vy
        _scan(plant)
    plant.inputs.gantry_speed_ref_mps = plant.inputs.trolley_speed_ref_mps = 0.0


def _fine_position(plant: Plant, goal: tuple[float, float], limits: MotionLimits) -> float:
    """Trim both axes onto ``goal`` with :func:`fine_position`; the largest overshoot, m."""
    overshoot = 0.0
    signs = [math.copysign(1.0, goal[0] - plant.gantry.position_m),
             math.copysign(1.0, goal[1] - plant.trolley.position_m)]  # fmt: skip
    for _ in range(round(20 / SCAN)):
        errors = (goal[0] - plant.gantry.position_m, goal[1] - plant.trolley.position_m)
        overshoot = max(overshoot, *(-s * e for s, e in zip(signs, errors, strict=True)))
        refs = (
            fine_position(errors[0], plant.gantry.speed_mps, limits.gantry),
            fine_position(errors[1], plant.trolley.speed_mps, limits.trolley),
        )
        plant.inputs.gantry_speed_ref_mps, plant.inputs.trolley_speed_ref_mps = refs
        if refs == (0.0, 0.0) and plant.gantry.speed_mps == plant.trolley.speed_mps == 0.0:
            return overshoot
        _scan(plant)
    raise AssertionError("fine positioning did not settle within 20 s")


# --- travel ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("goal", [LONG, SHORT], ids=["long", "short"])
@pytest.mark.parametrize("hoist_m", [8.0, 12.0, 17.0])
@pytest.mark.parametrize("loaded", [False, True], ids=["empty", "25t"])
def test_a_shaped_travel_plan_arrives_without_sway_on_target_in_zv_time(
    loaded: bool, hoist_m: float, goal: tuple[float, float]
) -> None:
    plant = _plant(loaded=loaded, hoist_m=hoist_m)
    limits = MotionLimits.from_params(P, loaded=loaded)
    assert _sway_amplitude_m(plant) < 1e-3, "hangs still before travel"
    period = pendulum_period_s(hoist_m, P, loaded=loaded, container_mass_t=MASS_T)
    start = (plant.gantry.position_m, plant.trolley.position_m)
    plan = TravelPlan.plan(
        start, goal, limits.gantry, limits.trolley, period, damping_ratio=P.sway_damping_ratio
    )
    _drive(plant, plan)
    assert _sway_amplitude_m(plant) <= P.sway_acceptance_m
    arrival = math.hypot(goal[0] - plant.gantry.position_m, goal[1] - plant.trolley.position_m)
    assert arrival <= 0.02
    assert _fine_position(plant, goal, limits) == 0.0
    after = math.hypot(goal[0] - plant.gantry.position_m, goal[1] - plant.trolley.position_m)
    assert after <= 0.02
    half_period = period / 2 / math.sqrt(1 - P.sway_damping_ratio**2)
    # ZV time at most: a move whose speed changes fit in half a period splits them (faster)
    assert plan.duration_s <= plan.unshaped_s + half_period + 1e-6
    path = plan.limits  # each axis's limits over its share of the direction, the least
    assert max(abs(a) for a in plan.path.accels) <= path.accel_mps2 * (1 + 1e-6)
    if goal == LONG:
        assert plan.duration_s <= 1.15 * plan.unshaped_s
    assert not plant.faults


@pytest.mark.parametrize("hoist_m", [8.0, 17.0])
def test_the_same_travel_unshaped_leaves_the_load_swinging(hoist_m: float) -> None:
    """The measure is sensitive: without shaping the arrival sway is far over acceptance."""
    plant = _plant(loaded=True, hoist_m=hoist_m)
    limits = MotionLimits.from_params(P, loaded=True)
    start = (plant.gantry.position_m, plant.trolley.position_m)
    plan = TravelPlan.plan(start, LONG, limits.gantry, limits.trolley, 5.0, shaper="none")
    _drive(plant, plan)
    assert _sway_amplitude_m(plant) > 3 * P.sway_acceptance_m


def test_the_planned_period_is_the_period_the_load_swings_with() -> None:
    plant = _plant(loaded=True, hoist_m=12.0)
    plant.inputs.trolley_speed_ref_mps = 0.4
    for _ in range(100):
        plant.step(DT)
    plant.inputs.trolley_speed_ref_mps = 0.0
    ups = []
    last = plant.sensors()["sway.trolley"]
    for _ in range(round(40 / DT)):
        plant.step(DT)
        now = plant.sensors()["sway.trolley"]
        if float(last) < 0.0 <= float(now):
            ups.append(plant.time_s)
        last = now
    measured = (ups[-1] - ups[1]) / (len(ups) - 2)
    period = pendulum_period_s(12.0, P, loaded=True, container_mass_t=MASS_T)
    assert measured == pytest.approx(period / math.sqrt(1 - P.sway_damping_ratio**2), rel=5e-3)


@pytest.mark.parametrize("offset", [(0.4, -0.05), (-0.03, 0.15), (0.025, 0.0)])
def test_fine_positioning_brings_a_small_error_inside_20_mm_without_overshoot(
    offset: tuple[float, float],
) -> None:
    plant = _plant(loaded=False, hoist_m=12.0)
    limits = MotionLimits.from_params(P, loaded=False)
    goal = (TRUCK_X + offset[0], TRUCK_Y + offset[1])
    start = plant.time_s
    assert _fine_position(plant, goal, limits) == 0.0
    error = math.hypot(goal[0] - plant.gantry.position_m, goal[1] - plant.trolley.position_m)
    assert error <= 0.01
    assert plant.time_s - start < 6.0


# --- hoist ----------------------------------------------------------------------------------------


def test_hoist_lands_at_creep_speed_over_the_last_creep_distance_and_stops_on_the_pins() -> None:
    plant = _plant(loaded=False, hoist_m=12.0)
    hoist = MotionLimits.from_params(P, loaded=False).hoist
    overtravel = 0.2
    fastest_in_creep = 0.0
    for _ in range(round(60 / SCAN)):
        plant.inputs.hoist_speed_ref_mps = hoist_reference(
            plant.hoist.position_m,
            ON_TRUCK_M - overtravel,
            hoist,
            creep_from_m=P.creep_distance_m + overtravel,
            creep_mps=P.creep_speed_mps,
        )
        for _ in range(STEPS):
            plant.step(DT)
            if plant.hoist.position_m <= ON_TRUCK_M + P.creep_distance_m:
                fastest_in_creep = max(fastest_in_creep, -plant.hoist.speed_mps)
        if all(plant.spreader.landed_sensed()):
            break
    else:
        raise AssertionError("never landed")
    plant.inputs.hoist_speed_ref_mps = 0.0
    _scan(plant)
    assert 0.0 < fastest_in_creep <= P.creep_speed_mps + 1e-9
    assert plant.engaged is not None
    assert plant.engaged.id == "TRUCK1"
    assert plant.hoist.position_m == pytest.approx(ON_TRUCK_M, abs=0.02)
    assert not plant.faults


@pytest.mark.parametrize(
    ("loaded", "target"), [(False, 15.0), (False, 5.0), (True, 16.0), (True, 6.0)]
)
def test_hoist_reaches_a_height_within_tolerance_without_overshoot(
    loaded: bool, target: float
) -> None:
    plant = _plant(loaded=loaded, hoist_m=10.0)
    hoist = MotionLimits.from_params(P, loaded=loaded).hoist
    sign = math.copysign(1.0, target - plant.hoist.position_m)
    overshoot = 0.0
    for _ in range(round(60 / SCAN)):
        ref = hoist_reference(
            plant.hoist.position_m, target, hoist, creep_from_m=None, creep_mps=0.1
        )
        plant.inputs.hoist_speed_ref_mps = ref
        _scan(plant)
        overshoot = max(overshoot, sign * (plant.hoist.position_m - target))
        if ref == 0.0 and plant.hoist.speed_mps == 0.0:
            break
    assert abs(plant.hoist.position_m - target) <= 0.01 + 1e-9
    assert overshoot == 0.0


# --- a whole leg, overlapped, over a real stack ---------------------------------------------------

BASE = ContainerSpec("BASE", 40, 20.0, Slot.stack(5, 3, 1))
"""The box the carried one lands on: bay 5-6, row 3 (x 69.25, y 19.6)."""
TOWER = tuple(ContainerSpec(f"T{k}", 40, 20.0, Slot.stack(3, 1, k)) for k in range(1, 5))
"""Four high at bay 3-4, row 1 (x 56.25, y 14.0): right under the straight path."""
NEIGHBOURS = tuple(ContainerSpec(f"N{k}", 40, 20.0, Slot.stack(5, 2, k)) for k in range(1, 4))
"""Three high in the next row beside the landing place (footprints 0.36 m apart)."""


def _obstacles(plant: Plant) -> list[Obstacle]:
    """What the sequencer's yard model would give: vehicles and boxes not on the spreader."""
    yard = plant.yard
    found = [Obstacle(*v.rect(), v.deck_height_m) for v in yard.vehicles.values()]
    found += [Obstacle(*c.rect(), c.top_m) for c in yard.containers.values() if not c.attached]
    return found


def _run_leg(plant: Plant, leg: LegPlan, limits: MotionLimits) -> dict[str, float]:
    """Play the sequencer: start travel when allowed, hoist by the leg, trim travel once the
    plan ends, stop lowering on the pins or slack rope. Checks the interlock's path-clear
    height every scan that travel is commanded."""
    t, travel_t = 0.0, None
    goal = leg.goal_xyz[:2]
    sway = error = math.nan
    miss, peak = 0.0, 0.0  # the plan's expected sway against the plant's, over travel
    for _ in range(round(200 / SCAN)):
        if travel_t is not None and travel_t < leg.travel.duration_s:
            ex, ey = leg.expected_sway_m(travel_t)
            sx, sy = (
                plant.load_position()[0] - plant.gantry.position_m,
                (plant.load_position()[1] - plant.trolley.position_m),
            )
            miss, peak = max(miss, abs(sx - ex), abs(sy - ey)), max(peak, abs(ex), abs(ey))
        if travel_t is None and leg.may_start_travel(
            t, plant.hoist.position_m, plant.hoist.speed_mps
        ):
            travel_t = 0.0
        refs = leg.travel_reference(travel_t, lead_s=SCAN)
        if travel_t is not None and travel_t >= leg.travel.duration_s:
            refs = (
                fine_position(
                    goal[0] - plant.gantry.position_m, plant.gantry.speed_mps, limits.gantry
                ),
                fine_position(
                    goal[1] - plant.trolley.position_m, plant.trolley.speed_mps, limits.trolley
                ),
            )
        if refs != (0.0, 0.0):
            clear = leg.path_clear_height_m(travel_t)
            assert plant.hoist.position_m >= clear - 1e-9, (
                f"travel interlock would trip at {t:.2f} s"
            )
        plant.inputs.gantry_speed_ref_mps, plant.inputs.trolley_speed_ref_mps = refs
        plant.inputs.hoist_speed_ref_mps = leg.hoist_reference(plant.hoist.position_m, travel_t)
        for _ in range(STEPS):
            plant.step(DT)
            if leg.lowering(travel_t) and _landed(plant) and math.isnan(sway):
                sway = _sway_amplitude_m(plant)
                lx, ly, _ = plant.load_position()
                error = math.hypot(goal[0] - lx, goal[1] - ly)
        t += SCAN
        if travel_t is not None:
            travel_t += SCAN
        if not math.isnan(sway):
            plant.inputs.hoist_speed_ref_mps = 0.0
            plant.inputs.gantry_speed_ref_mps = plant.inputs.trolley_speed_ref_mps = 0.0
            _scan(plant)
            return {"time": t, "sway": sway, "error": error, "predicted": leg.touchdown_s,
                    "miss": miss, "peak": peak}  # fmt: skip
    raise AssertionError("the leg did not land within 200 s")


def test_two_overlapped_legs_land_on_the_stack_without_sway_collision_or_interlock_trip() -> None:
    truck = ContainerSpec("TRUCK1", 40, MASS_T, Slot.truck("T1"))
    contents = YardContents(containers=(truck, BASE, *TOWER, *NEIGHBOURS))
    plant = Plant(P, None, contents, gantry_m=120.0, trolley_m=30.0, hoist_m=17.0)
    plant.inputs.drives_enabled = True

    # empty: from over the far end of the block down onto the truck's box
    empty = MotionLimits.from_params(P, loaded=False)
    start = (plant.gantry.position_m, plant.trolley.position_m, plant.hoist.position_m)
    leg = LegPlan.plan(
        start,
        (TRUCK_X, TRUCK_Y, ON_TRUCK_M),
        _obstacles(plant),
        P,
        loaded=False,
        half_size_m=HALF_40,
    )
    first = _run_leg(plant, leg, empty)
    assert plant.engaged is not None
    assert plant.engaged.id == "TRUCK1", "pins on the right box"
    _lock(plant)

    # loaded: lift the first centimetres slowly, then over the tower onto the base box
    plant.inputs.hoist_speed_ref_mps = P.creep_speed_mps
    while not plant.carrying:  # (the box keeps the pins pressed as it hangs)
        plant.step(DT)
    plant.inputs.hoist_speed_ref_mps = 0.0
    _scan(plant)
    loaded = MotionLimits.from_params(P, loaded=True)
    start = (plant.gantry.position_m, plant.trolley.position_m, plant.hoist.position_m)
    base = plant.yard.containers["BASE"]
    goal = (base.x_m, base.y_m, base.top_m + CONTAINER_HEIGHT_M)
    leg = LegPlan.plan(
        start, goal, _obstacles(plant), P, loaded=True, container_mass_t=MASS_T, half_size_m=HALF_40
    )
    assert leg.clear_height_m == pytest.approx(4 * CONTAINER_HEIGHT_M + CONTAINER_HEIGHT_M + 0.5)
    assert leg.travel_start_s < leg.rise.duration_s, "travel starts while the hoist still rises"
    second = _run_leg(plant, leg, loaded)

    assert not plant.faults, plant.faults
    carried = plant.yard.containers["TRUCK1"]
    assert carried.location == Slot.stack(5, 3, 2)
    for run in (first, second):
        assert run["sway"] <= P.sway_acceptance_m
        assert run["error"] <= 0.02
        assert run["time"] == pytest.approx(run["predicted"], abs=0.5)
        # the swing the travel itself gives, as planned, is the swing the load has
        assert run["peak"] > 0.1
        assert run["miss"] <= 0.03 * run["peak"] + 0.003, (run["miss"], run["peak"])

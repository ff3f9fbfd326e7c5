"""Lift-off and landing overlapped with travel over the load's own places, the split shaping of
short speed changes, and the sway a travel plan expects (pure motion planning; the plant checks
are in ``test_motion_plant``)."""

from __future__ import annotations

import math

import pytest

from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.leg import APPROACH_MARGIN_M, leg_clearance
from crane_ctrl.motion.planner import LegPlan, MotionLimits, Obstacle, TravelPlan, pendulum_period_s
from crane_ctrl.motion.shaping import varying_umzv
from crane_ctrl.sequencer.sway import SwayWatch
from crane_ctrl.site import CONTAINER_HEIGHT_M, CONTAINER_WIDTH_M

P = CraneParams()
TIER = CONTAINER_HEIGHT_M
HALF_40 = (12.192 / 2, CONTAINER_WIDTH_M / 2)
LOADED = MotionLimits.from_params(P, loaded=True)


def _column(x: float, y: float, tiers: int) -> Obstacle:
    return Obstacle(x - HALF_40[0], x + HALF_40[0], y - HALF_40[1], y + HALF_40[1], tiers * TIER)


# a row along the gantry: the landing column (1 high) at x=100, a same-level neighbour one bay
# short of it, a 3-high one two bays short; the load comes from x=40 over all of them
LANDING = _column(100.0, 10.0, 1)
SAME_LEVEL = _column(87.0, 10.0, 1)
HIGHER = _column(74.0, 10.0, 3)
ROW = (HIGHER, SAME_LEVEL, LANDING)
START = (40.0, 10.0, 3 * TIER + TIER + 0.2)  # hanging loaded just over the row's height
GOAL = (100.0, 10.0, TIER + TIER)  # on the landing column


def _spans(half: tuple[float, float]) -> list[tuple[float, float, float]]:
    spans = leg_clearance(
        ((START[0], START[1]), (GOAL[0], GOAL[1])), (START[2], GOAL[2]), ROW, P, TIER, half
    ).all.spans
    return [(s.from_m, s.to_m, s.height_m) for s in spans]


def test_over_its_landing_place_the_load_may_come_down_to_the_approach_clearance() -> None:
    """The last stretch (the footprint overlapping the landing place, a box length here): what
    stands no higher than the landing level needs only ``approach_clearance_m`` over it."""
    length = GOAL[0] - START[0]
    stretch = 2 * HALF_40[0]
    clearance = leg_clearance(
        ((START[0], START[1]), (GOAL[0], GOAL[1])), (START[2], GOAL[2]), ROW, P, TIER, HALF_40
    ).all
    low = GOAL[2] + P.approach_clearance_m
    assert clearance.height_m(length - stretch + 0.01, length) == pytest.approx(low)
    assert clearance.height_m(length, length) == pytest.approx(low)
    # before the stretch, the same-level neighbour and the ground keep the full clearance
    assert clearance.height_m(length - stretch - 0.5, length - stretch - 0.01) == pytest.approx(
        SAME_LEVEL.top_m + TIER + P.safe_clearance_m
    )


def test_anything_higher_than_the_landing_place_keeps_the_full_clearance_everywhere() -> None:
    higher = [s for s in _spans(HALF_40) if s[2] > GOAL[2] + P.safe_clearance_m + 1e-9]
    over_higher = HIGHER.top_m + TIER + P.safe_clearance_m
    assert any(h == pytest.approx(over_higher) for *_, h in higher)
    assert all(h >= over_higher - 1e-9 for *_, h in higher if h > GOAL[2] + 1.0)


def test_without_a_footprint_nothing_is_let_down() -> None:
    """A load of no size overlaps its places nowhere: every span keeps ``safe_clearance_m``."""
    assert min(h for *_, h in _spans((0.0, 0.0))) >= TIER + P.safe_clearance_m - 1e-9
    end = [h for a, b, h in _spans((0.0, 0.0)) if a == b == GOAL[0] - START[0]]
    assert end == [pytest.approx(GOAL[2] + P.safe_clearance_m)]


def test_a_planned_leg_finishes_travel_low_over_its_landing_and_lands_sooner() -> None:
    leg = LegPlan.plan(START, GOAL, ROW, P, loaded=True, half_size_m=HALF_40)
    arrival = leg.travel_start_s + leg.travel.duration_s
    over = leg.height_m(arrival) - GOAL[2]
    # the same-level neighbour holds the load up until the last box length: a little higher
    assert P.approach_clearance_m + APPROACH_MARGIN_M - 1e-6 <= over < P.safe_clearance_m
    remaining = leg.touchdown_s - arrival
    full_creep = P.creep_distance_m / P.creep_speed_mps
    assert remaining < 0.8 * full_creep, "the creep overlaps the end of travel"
    t = leg.travel_start_s
    while t < arrival:  # and the plan never goes under what the interlock will be told
        assert leg.height_m(t) >= leg.path_clear_height_m(t - leg.travel_start_s) - 1e-6
        t += 0.05


def test_lift_off_starts_travel_once_the_load_is_the_approach_clearance_over_its_place() -> None:
    on_truck = Obstacle(-6.0, 6.0, 0.8, 3.2, 1.5)
    start = (0.0, 2.0, 1.5 + TIER)
    leg = LegPlan.plan(start, (60.0, 2.0, TIER), (on_truck,), P, loaded=True, half_size_m=HALF_40)
    at_start = leg.height_m(leg.travel_start_s) - start[2]
    assert at_start == pytest.approx(P.approach_clearance_m, abs=0.05)
    assert at_start < P.safe_clearance_m


def test_the_approach_clearance_may_not_exceed_the_safe_clearance() -> None:
    with pytest.raises(ValueError, match="approach_clearance_m must not exceed"):
        CraneParams(approach_clearance_m=0.6)


# --- split shaping --------------------------------------------------------------------------------


@pytest.mark.parametrize("distance", [8.0, 15.0, 22.0])
def test_a_short_gantry_move_splits_its_speed_changes_and_beats_zv_within_the_limits(
    distance: float,
) -> None:
    period = 7.8
    plan = TravelPlan.plan((0.0, 0.0), (distance, 0.0), LOADED.gantry, LOADED.trolley, period)
    assert plan.duration_s < plan.unshaped_s + period / 2 - 1.0
    assert max(abs(a) for a in plan.path.accels) <= LOADED.gantry.accel_mps2 * (1 + 1e-6)
    assert plan.path.distance_m == pytest.approx(distance)
    assert min(plan.path.speeds) >= -1e-9
    # and the load is left at rest: the swing each split change starts, the other cancels
    omega = 2 * math.pi / period
    re = sum(
        a * (math.sin(omega * t1) - math.sin(omega * t0))
        for a, t0, t1 in zip(plan.path.accels, plan.path.times, plan.path.times[1:], strict=False)
    )
    im = sum(
        a * (math.cos(omega * t0) - math.cos(omega * t1))
        for a, t0, t1 in zip(plan.path.accels, plan.path.times, plan.path.times[1:], strict=False)
    )
    assert math.hypot(re, im) / omega < 1e-6


def test_a_long_gantry_move_keeps_the_zv_shaping() -> None:
    period = 6.0
    plan = TravelPlan.plan((0.0, 0.0), (120.0, 0.0), LOADED.gantry, LOADED.trolley, period)
    assert plan.duration_s == pytest.approx(plan.unshaped_s + period / 2, abs=1e-6)


# --- the sway the travel expects ------------------------------------------------------------------


def test_a_leg_expects_the_swing_its_travel_gives_and_none_once_it_arrives() -> None:
    leg = LegPlan.plan(START, GOAL, ROW, P, loaded=True, half_size_m=HALF_40)
    duration = leg.travel.duration_s
    peak = max(abs(x) for x, _ in leg.expected_sway)
    assert peak > 0.05, "a gantry move of 60 m swings the load by centimetres on the way"
    assert leg.expected_sway_m(None) == (0.0, 0.0)
    assert leg.expected_sway_m(duration + 0.1) == (0.0, 0.0)
    end = leg.expected_sway_m(duration - 1e-3)
    assert math.hypot(*end) < 0.005, "the shaping leaves (almost) nothing at arrival"


def _watch(swing_m: float, delay_s: float) -> SwayWatch:
    """A window of readings: a planned swing, read ``delay_s`` late, plus a free swing of
    ``swing_m``; the watch is given the planned swing at the three candidate delays."""
    period = pendulum_period_s(8.0, P, loaded=True)
    omega = 2 * math.pi / period

    def planned(t: float) -> float:
        return 0.3 * math.sin(1.3 * omega * t)  # not at the pendulum's frequency

    watch = SwayWatch()
    t = 0.0
    while t < period:
        reading = planned(t - delay_s) + swing_m * math.cos(omega * t)
        candidates = [(planned(t - d), 0.0) for d in (0.0, 0.05, 0.1)]
        watch.observe(t, (reading, 0.0), (0.0, 0.0), omega)  # as the sequencer does, each scan
        watch.sample(t, (reading, 0.0), (0.0, 0.0), 0.5 * period, omega, candidates)
        t += 0.05
    return watch


@pytest.mark.parametrize("delay_s", [0.0, 0.05, 0.1])
def test_the_swing_is_judged_less_what_the_travel_gives_read_at_its_delay(delay_s: float) -> None:
    assert _watch(0.0, delay_s).calm(0.005)
    assert not _watch(0.03, delay_s).calm(0.01), "a real swing still counts"


def test_without_the_travel_taken_off_the_planned_swing_counts_as_swing() -> None:
    watch = SwayWatch()
    period = pendulum_period_s(8.0, P, loaded=True)
    omega = 2 * math.pi / period
    t = 0.0
    while t < period:
        watch.sample(t, (0.3 * math.sin(1.3 * omega * t), 0.0), (0.0, 0.0), period / 2, omega)
        t += 0.05
    assert not watch.calm(0.01)


# --- unity-magnitude shaping ----------------------------------------------------------------------


def test_unity_magnitude_zv_on_a_constant_rope_is_a_sixth_and_a_third_of_the_period() -> None:
    period = 7.8
    length = P.gravity_mps2 * (period / (2 * math.pi)) ** 2
    impulses = varying_umzv(0.0, 10.0, lambda t: length, period, gravity_mps2=P.gravity_mps2)
    assert [i.amplitude for i in impulses] == [1.0, -1.0, 1.0]
    assert impulses[1].delay_s == pytest.approx(period / 6, abs=0.01)
    assert impulses[2].delay_s == pytest.approx(period / 3, abs=0.01)

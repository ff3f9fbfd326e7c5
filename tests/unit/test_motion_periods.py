"""Speed changes split into whole periods and a shaped rest, and unity-magnitude shaping of short
speed changes: the shapes travel plans take on the rope the hoist gives them (pure planning,
checked against an independent integration of the pendulum and against the plant)."""

from __future__ import annotations

import math

import pytest

from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.planner import LegPlan, MotionLimits, TravelPlan, pendulum_period_s
from crane_ctrl.motion.profiles import Pulse
from crane_ctrl.motion.shaping import (
    PeriodSplit,
    SwayModel,
    shape,
    varying_period_zv,
    varying_umzv,
    varying_zv,
)
from crane_ctrl.site import CONTAINER_HEIGHT_M, CONTAINER_LENGTH_M, CONTAINER_WIDTH_M
from tests.unit.pendulum_rk4 import swing_m

P = CraneParams()
G = P.gravity_mps2
TIER = CONTAINER_HEIGHT_M
HALF_40 = (CONTAINER_LENGTH_M[40] / 2, CONTAINER_WIDTH_M / 2)
LOADED = MotionLimits.from_params(P, loaded=True)


def _constant(period: float) -> float:
    return G * (period / (2 * math.pi)) ** 2


def _pulses(split: PeriodSplit, duration: float, rate: float) -> list[Pulse]:
    """The split change as the travel planner lays it out (from time 0)."""
    rest = duration - split.whole_s
    if not split.whole_last:
        return [Pulse(0.0, split.whole_s, rate),
                *shape([Pulse(split.whole_s, duration, rate)], split.impulses)]  # fmt: skip
    begin = max(i.delay_s for i in split.impulses) + rest
    return [*shape([Pulse(0.0, rest, rate)], split.impulses),
            Pulse(begin, begin + split.whole_s, rate)]  # fmt: skip


# --- the split ------------------------------------------------------------------------------------


@pytest.mark.parametrize("whole_last", [False, True], ids=["speed-up", "braking"])
def test_on_a_constant_rope_the_whole_part_is_a_period_and_the_rest_gets_plain_zv(
    whole_last: bool,
) -> None:
    period = 8.0
    length = _constant(period)
    split = varying_period_zv(0.0, 10.0, lambda t: length, gravity_mps2=G, whole_last=whole_last)
    assert split is not None
    assert split.whole_s == pytest.approx(period, abs=0.01)
    assert [i.amplitude for i in split.impulses] == pytest.approx([0.5, 0.5], abs=1e-3)
    assert split.impulses[1].delay_s == pytest.approx(period / 2, abs=0.01)
    assert split.whole_last is whole_last


def test_two_whole_periods_where_the_change_lasts_two() -> None:
    split = varying_period_zv(0.0, 11.0, lambda t: _constant(5.0), gravity_mps2=G)
    assert split is not None
    assert split.whole_s == pytest.approx(10.0, abs=0.01)


def test_a_change_shorter_than_a_period_is_not_split() -> None:
    assert varying_period_zv(0.0, 5.0, lambda t: _constant(8.0), gravity_mps2=G) is None


@pytest.mark.parametrize("whole_last", [False, True], ids=["speed-up", "braking"])
@pytest.mark.parametrize("rate", [-0.4, 0.4], ids=["shortening", "lengthening"])
def test_a_split_change_leaves_no_swing_on_a_rope_the_hoist_moves(
    whole_last: bool, rate: float
) -> None:
    """The whole periods leave some swing where the rope changes; the rest's impulses cancel it
    with their own: what is left is millimetres, where the change unshaped leaves decimetres."""

    def rope(t: float) -> float:
        return min(max(6.0, 16.0 + rate * t), 20.0)

    accel, duration = 0.2, 10.0
    split = varying_period_zv(0.0, duration, rope, gravity_mps2=G, whole_last=whole_last)
    assert split is not None
    unshaped = swing_m([Pulse(0.0, duration, accel)], rope, G)
    shaped = swing_m(_pulses(split, duration, accel), rope, G)
    assert unshaped > 0.3
    assert shaped < 0.005


# --- travel plans that use it ---------------------------------------------------------------------


def test_a_long_leg_takes_whole_periods_a_tenth_of_a_period_on_and_arrives_without_swing() -> None:
    """On the rope the hoist gives it (rising, then lowering), the long gantry travel takes the
    whole-period split: under a tenth of a period over the unshaped move (unity-magnitude ZV
    takes a third, ZV a half), within the limits, and the swing it expects at arrival is nil."""
    start, goal = (0.0, 10.0, TIER + 0.3), (120.0, 10.0, TIER)
    leg = LegPlan.plan(start, goal, (), P, loaded=True, half_size_m=HALF_40)
    period = pendulum_period_s(leg.travel_height_m, P, loaded=True)
    extra = leg.travel.duration_s - leg.travel.unshaped_s
    assert 0.0 < extra < period / 10
    path = leg.travel.path
    assert max(abs(a) for a in path.accels) <= LOADED.gantry.accel_mps2 * (1 + 1e-6)
    assert min(path.speeds) >= -1e-9
    assert max(path.speeds) <= LOADED.gantry.vmax_mps * (1 + 1e-6)
    assert path.distance_m == pytest.approx(120.0, abs=1e-6)
    assert math.hypot(*leg.expected_sway[-1]) < 0.002


def test_a_trolley_leg_shapes_its_short_speed_changes_unity_magnitude_in_steps() -> None:
    """The trolley's speed changes (2 s) are shorter than a period's third: unity-magnitude ZV
    makes each in steps (up, part back, up again), a third of a period on top instead of ZV's
    half less half the change; the speed never leaves 0..rated, no swing at arrival."""
    start, goal = (60.0, 22.4, 3.0), (60.0, 14.0, 3.0)
    leg = LegPlan.plan(start, goal, (), P, loaded=True, half_size_m=HALF_40)
    period = pendulum_period_s(leg.travel_height_m, P, loaded=True)
    extra = leg.travel.duration_s - leg.travel.unshaped_s
    change = LOADED.trolley.vmax_mps / LOADED.trolley.accel_mps2
    assert extra < period / 2 - change / 2 - 0.2  # what split ZV would take
    assert extra == pytest.approx(period / 3, abs=0.3)
    path = leg.travel.path
    assert min(path.accels) < 0.0 < max(path.accels[: len(path.accels) // 2])
    assert min(path.speeds) >= -1e-9
    assert max(path.speeds) <= LOADED.trolley.vmax_mps * (1 + 1e-6)
    assert max(abs(a) for a in path.accels) <= LOADED.trolley.accel_mps2 * (1 + 1e-6)
    assert math.hypot(*leg.expected_sway[-1]) < 0.002


def test_a_travel_plan_without_a_rope_model_keeps_the_plain_shapers() -> None:
    """The split and unity-magnitude shapes need the rope over time (a leg gives it); a bare
    travel plan on a period takes ZV, half a period on top."""
    period = 6.0
    plan = TravelPlan.plan((0.0, 0.0), (120.0, 0.0), LOADED.gantry, LOADED.trolley, period)
    assert plan.duration_s == pytest.approx(plan.unshaped_s + period / 2, abs=1e-6)


# --- one sway model per plan ----------------------------------------------------------------------


@pytest.mark.parametrize("start", [0.0, 3.37, 21.0])
def test_shapers_on_the_plans_shared_sway_model_solve_as_on_their_own(start: float) -> None:
    """A plan builds the rope's swing response once, seen at one late horizon, and every shaper
    reads it: the cancellations they solve for do not depend on when the swing is seen, so the
    impulses come out as from a response of their own (to the interpolation within a step)."""

    def rope(t: float) -> float:
        return min(max(6.0, 12.0 + 0.3 * (t - 10.0)), 18.0)

    model = SwayModel(rope, 80.0, gravity_mps2=G, damping_ratio=P.sway_damping_ratio)
    period = 2 * math.pi * math.sqrt(rope(start) / G)
    kwargs = {"gravity_mps2": G, "damping_ratio": P.sway_damping_ratio}
    for solve in (varying_zv, varying_umzv):
        own = solve(start, 3.0, rope, period, **kwargs)
        shared = solve(start, 3.0, rope, period, model=model, **kwargs)
        assert [i.delay_s for i in shared] == pytest.approx([i.delay_s for i in own], abs=0.01)
        assert [i.amplitude for i in shared] == pytest.approx([i.amplitude for i in own], abs=2e-3)
    own_split = varying_period_zv(start, 12.0, rope, **kwargs)
    shared_split = varying_period_zv(start, 12.0, rope, model=model, **kwargs)
    assert own_split is not None
    assert shared_split is not None
    assert shared_split.whole_s == pytest.approx(own_split.whole_s, abs=0.01)


# --- the site's choice ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("anti_sway", "periods_on_top"),
    [("fastest", (0.0, 0.1)), ("zv", (0.45, 0.55)), ("zvd", (0.95, 1.05))],
)
def test_the_site_chooses_how_fast_and_how_robust_the_shaping_is(
    anti_sway: str, periods_on_top: tuple[float, float]
) -> None:
    """``anti_sway``: the fastest shapes need the rope model close to the real rope; ZV costs
    half a period on a long move, ZVD a whole one (and tolerates a rope model 10 % off)."""
    params = P.model_copy(update={"anti_sway": anti_sway})
    start, goal = (0.0, 10.0, TIER + 0.3), (120.0, 10.0, TIER)
    leg = LegPlan.plan(start, goal, (), params, loaded=True, half_size_m=HALF_40)
    period = pendulum_period_s(leg.travel_height_m, P, loaded=True)
    extra = (leg.travel.duration_s - leg.travel.unshaped_s) / period
    assert periods_on_top[0] <= extra <= periods_on_top[1]
    assert math.hypot(*leg.expected_sway[-1]) < 0.005


def test_an_unknown_anti_sway_choice_is_refused() -> None:
    with pytest.raises(ValueError, match="fastest"):
        CraneParams(anti_sway="quick")  # type: ignore[arg-type]

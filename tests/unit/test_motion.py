"""The motion planner on paper: profiles within limits and time-optimal, shapers that cancel sway,
travel plans that never exceed an axis's limits and end on the goal, the per-scan speed laws,
clearance over a stack profile, overlap timing that keeps the load above every obstacle, and
the benchmark's lower bound worked by hand. The physics proofs are in test_motion_plant.py."""

from __future__ import annotations

import cmath
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.planner import (
    CREEP_ENTRY_MARGIN_M,
    FINE_SETTLE_FRACTION,
    PLAN_STOP_DELAY_S,
    SLOWDOWN_FRACTION,
    AxisLimits,
    ClearanceSpan,
    HoistMove,
    LegPlan,
    MotionLimits,
    Obstacle,
    PathClearance,
    Profile1D,
    TravelPlan,
    clearance_height_m,
    fine_position,
    hoist_reference,
    lower_bound_s,
    lowering_start_s,
    pendulum_length_m,
    pendulum_period_s,
    shaper_impulses,
    trapezoid,
    travel_start_s,
    varying_zv,
)
from crane_ctrl.motion.profiles import Pulse
from crane_ctrl.site import CONTAINER_HEIGHT_M, CONTAINER_WIDTH_M
from tests.unit.pendulum_rk4 import swing_m

P = CraneParams()
EMPTY = MotionLimits.from_params(P, loaded=False)
LOADED = MotionLimits.from_params(P, loaded=True)
EXAMPLES = settings(max_examples=150, deadline=None)
TIGHT = 1e-9

limits_st = st.builds(
    AxisLimits,
    st.floats(0.1, 4.0),
    st.floats(0.05, 1.5),
    st.floats(0.05, 1.5),
)


def _samples(profile: Profile1D, n: int = 200) -> list[float]:
    times = {*profile.times, *(profile.duration_s * k / n for k in range(n + 1))}
    return sorted(times)


def _check_within(profile: Profile1D, limits: AxisLimits, scale: float = 1.0) -> None:
    """Speed within vmax; each constant-acceleration piece within accel when speeding up and
    decel when slowing down (``scale``: the axis's share of a path)."""
    vmax, accel, decel = (
        scale * x for x in (limits.vmax_mps, limits.accel_mps2, limits.decel_mps2)
    )
    for t in _samples(profile):
        assert abs(profile.velocity(t)) <= vmax * (1 + TIGHT) + TIGHT
    for k, a in enumerate(profile.accels):
        mid = 0.5 * (profile.times[k] + profile.times[k + 1])
        speeding_up = profile.velocity(mid) * a > 0.0
        assert abs(a) <= (accel if speeding_up else decel) * (1 + TIGHT) + TIGHT


# --- trapezoid ------------------------------------------------------------------------------------


@EXAMPLES
@given(distance=st.floats(-300.0, 300.0), limits=limits_st)
def test_trapezoid_stays_within_limits_covers_the_distance_and_takes_the_closed_form_time(
    distance: float, limits: AxisLimits
) -> None:
    profile = trapezoid(distance, limits)
    _check_within(profile, limits)
    assert profile.position(profile.duration_s) == pytest.approx(distance, abs=1e-9)
    assert profile.velocity(profile.duration_s) == 0.0
    a, d, v, dist = limits.accel_mps2, limits.decel_mps2, limits.vmax_mps, abs(distance)
    if dist >= v * v / 2 * (1 / a + 1 / d):
        optimum = dist / v + v / (2 * a) + v / (2 * d)
    else:
        optimum = math.sqrt(2 * dist * (a + d) / (a * d))
    if optimum < 1e-8:  # a rounding error's distance: its segments are under the numerical zero
        optimum = 0.0 if profile.duration_s == 0.0 else optimum
    assert profile.duration_s == pytest.approx(optimum, rel=1e-9, abs=1e-9)


@EXAMPLES
@given(distance=st.floats(0.01, 300.0), limits=limits_st, fraction=st.floats(0.0, 1.0))
def test_trapezoid_is_bang_cruise_bang_so_nothing_within_the_limits_is_faster(
    distance: float, limits: AxisLimits, fraction: float
) -> None:
    """Full acceleration from rest, then rated speed or braking at the limit to rest: at every
    moment the profile is as far as the limits allow from both ends."""
    profile = trapezoid(distance, limits)
    t = fraction * profile.duration_s
    a, d = limits.accel_mps2, limits.decel_mps2
    from_start = min(0.5 * a * t * t, limits.vmax_mps * t)  # farthest reachable by t
    to_go = profile.duration_s - t
    to_end = min(0.5 * d * to_go * to_go, limits.vmax_mps * to_go)
    x = profile.position(t)
    assert x <= from_start + 1e-9
    assert distance - x <= to_end + 1e-9
    assert x >= min(from_start, distance - to_end) - 1e-6


def test_a_short_move_is_a_triangle_below_rated_speed() -> None:
    profile = trapezoid(1.0, AxisLimits(2.0, 0.2, 0.2))
    assert max(profile.speeds) == pytest.approx(math.sqrt(0.2), rel=1e-12)
    assert profile.duration_s == pytest.approx(2 * math.sqrt(5.0), rel=1e-12)


def test_profile_time_at_finds_when_a_distance_is_covered() -> None:
    profile = trapezoid(-10.0, AxisLimits(1.0, 0.5, 0.5))
    t = profile.time_at(-4.0)
    assert profile.position(t) == pytest.approx(-4.0, abs=1e-9)
    assert profile.time_at(0.0) == 0.0
    assert profile.time_at(-11.0) == math.inf


# --- shapers --------------------------------------------------------------------------------------


def _residual(impulses: tuple[tuple[float, float], ...], omega: float, zeta: float) -> float:
    """Vibration left by the impulses in a damped oscillator, as a share of one unit impulse."""
    wd = omega * math.sqrt(1 - zeta**2)
    last = max(t for t, _ in impulses)
    total = sum(a * cmath.exp(zeta * omega * t + 1j * wd * t) for t, a in impulses)
    return abs(total) * math.exp(-zeta * omega * last)


@pytest.mark.parametrize("kind", ["zv", "zvd"])
@pytest.mark.parametrize("zeta", [0.0, P.sway_damping_ratio, 0.05])
def test_shapers_sum_to_one_and_leave_no_vibration_at_their_period(kind: str, zeta: float) -> None:
    period = 6.3
    impulses = shaper_impulses(kind, period, zeta)  # type: ignore[arg-type]
    assert sum(i.amplitude for i in impulses) == pytest.approx(1.0)
    assert all(i.amplitude > 0 for i in impulses)
    assert _residual(tuple(impulses), 2 * math.pi / period, zeta) < 1e-12


def test_zvd_tolerates_a_wrong_rope_length_far_better_than_zv() -> None:
    period = 6.3
    omega = 2 * math.pi / period * 1.1  # the rope is about 17 % shorter than planned
    zv = _residual(tuple(shaper_impulses("zv", period)), omega, 0.0)
    zvd = _residual(tuple(shaper_impulses("zvd", period)), omega, 0.0)
    assert zv > 0.1
    assert zvd < zv / 5


@pytest.mark.parametrize("duration", [1.0, 2.0, 10.0])
def test_zv_on_a_constant_rope_is_the_plain_zv_shaper(duration: float) -> None:
    length = 10.0
    period = 2 * math.pi * math.sqrt(length / P.gravity_mps2)
    got = varying_zv(
        3.0, duration, lambda t: length, period, gravity_mps2=P.gravity_mps2, damping_ratio=0.005
    )
    want = shaper_impulses("zv", period, 0.005)
    assert [i.delay_s for i in got] == pytest.approx([i.delay_s for i in want], abs=1e-4)
    assert [i.amplitude for i in got] == pytest.approx([i.amplitude for i in want], abs=1e-4)


def test_a_speed_change_lasting_a_whole_period_needs_no_shaping() -> None:
    length = 10.0
    period = 2 * math.pi * math.sqrt(length / P.gravity_mps2)
    got = varying_zv(0.0, period, lambda t: length, period, gravity_mps2=P.gravity_mps2)
    assert got == ((0.0, 1.0),)


def test_zv_on_a_shortening_rope_cancels_the_swing_of_the_exact_pendulum() -> None:
    """Simulate th'' + 2 (L'/L) th' + (g/L) th = -a/L with a fine RK4, independent of the
    planner's exact discretisation: the shaped speed change leaves almost no swing."""

    def rope(t: float) -> float:
        return max(5.0, 16.0 - 0.5 * t)

    accel, duration = 0.2, 10.0
    period = 2 * math.pi * math.sqrt(rope(0.0) / P.gravity_mps2)
    shaped = varying_zv(0.0, duration, rope, period, gravity_mps2=P.gravity_mps2)
    plain = shaper_impulses("zv", period)

    def swing(impulses: tuple[tuple[float, float], ...]) -> float:
        pulses = [Pulse(d, d + duration, amp * accel) for d, amp in impulses]
        return swing_m(pulses, rope, P.gravity_mps2)

    assert swing(tuple(shaped)) < 0.01
    assert swing(tuple(plain)) > 5 * swing(tuple(shaped))


# --- travel plans ---------------------------------------------------------------------------------

xy_st = st.tuples(st.floats(0.0, P.gantry_travel_m), st.floats(0.0, P.trolley_travel_m))


@EXAMPLES
@given(
    start=xy_st,
    goal=xy_st,
    period=st.floats(3.5, 9.0),
    arrival=st.none() | st.floats(3.5, 9.0),
    shaper=st.sampled_from(["zv", "zvd", "none"]),
    loaded=st.booleans(),
)
def test_travel_plans_never_exceed_either_axis_limits_and_end_at_rest_on_the_goal(
    start: tuple[float, float],
    goal: tuple[float, float],
    period: float,
    arrival: float | None,
    shaper: str,
    loaded: bool,
) -> None:
    lim = LOADED if loaded else EMPTY
    plan = TravelPlan.plan(
        start,
        goal,
        lim.gantry,
        lim.trolley,
        period,
        shaper=shaper,
        arrival_period_s=arrival,  # type: ignore[arg-type]
    )
    ux, uy = plan.direction
    for share, axis in ((abs(ux), lim.gantry), (abs(uy), lim.trolley)):
        if share > 1e-9:
            _check_within(plan.path, axis, 1.0 / share)
    end = plan.position(plan.duration_s)
    assert end == pytest.approx(goal, abs=1e-6)
    assert plan.reference(plan.duration_s) == (0.0, 0.0)
    assert min(plan.path.speeds) >= -1e-9, "never backwards"
    assert plan.duration_s >= plan.unshaped_s - 1e-9


@pytest.mark.parametrize(("kind", "periods"), [("zv", 0.5), ("zvd", 1.0), ("none", 0.0)])
def test_shaping_adds_half_a_period_zv_or_a_whole_one_zvd(kind: str, periods: float) -> None:
    period = 6.0
    plan = TravelPlan.plan(
        (30.0, 2.0), (70.0, 14.0), EMPTY.gantry, EMPTY.trolley, period, shaper=kind
    )  # type: ignore[arg-type]
    assert plan.duration_s == pytest.approx(plan.unshaped_s + periods * period, abs=1e-9)


def test_gantry_and_trolley_start_and_arrive_together_on_a_straight_line() -> None:
    plan = TravelPlan.plan((30.0, 2.0), (70.0, 14.0), EMPTY.gantry, EMPTY.trolley, 6.0)
    for k in range(1, 50):
        t = plan.duration_s * k / 50
        x, y = plan.position(t)
        assert (x - 30.0) * 12.0 == pytest.approx((y - 2.0) * 40.0, abs=1e-9)
        vx, vy = plan.reference(t)
        assert vx * 12.0 == pytest.approx(vy * 40.0, abs=1e-9)


def test_a_move_of_no_length_is_an_empty_plan() -> None:
    plan = TravelPlan.plan((5.0, 5.0), (5.0, 5.0), EMPTY.gantry, EMPTY.trolley, 6.0)
    assert plan.duration_s == 0.0
    assert plan.reference(0.0) == (0.0, 0.0)
    assert plan.position(3.0) == (5.0, 5.0)


# --- the pendulum ---------------------------------------------------------------------------------


def test_pendulum_length_runs_from_the_sheaves_to_the_centre_of_mass() -> None:
    z = 12.0
    assert pendulum_length_m(z, P, loaded=False) == pytest.approx(21.5 - 12.0 - 0.5)
    m_c, m_s = 25.0, P.spreader_mass_t
    below = (m_c * CONTAINER_HEIGHT_M / 2 - m_s * 0.5) / (m_s + m_c)
    stretch = m_c / P.rope_stiffness_tpm
    got = pendulum_length_m(z, P, loaded=True, container_mass_t=m_c)
    assert got == pytest.approx(21.5 - 12.0 + below + stretch)
    period = pendulum_period_s(z, P, loaded=True, container_mass_t=m_c)
    assert period == pytest.approx(2 * math.pi * math.sqrt(got / 9.81))


def test_pendulum_length_refuses_a_hoist_above_the_sheaves() -> None:
    with pytest.raises(ValueError, match="leaves no rope"):
        pendulum_length_m(25.0, P, loaded=False)


# --- per-scan laws --------------------------------------------------------------------------------


@EXAMPLES
@given(
    position=st.floats(-0.5, 18.0),
    target=st.floats(-0.5, 18.0),
    creep_from=st.none() | st.floats(0.1, 1.0),
    loaded=st.booleans(),
)
def test_hoist_reference_is_rated_far_away_slows_down_creeps_and_stops_within_tolerance(
    position: float, target: float, creep_from: float | None, loaded: bool
) -> None:
    lim = (LOADED if loaded else EMPTY).hoist
    creep = P.creep_speed_mps
    v = hoist_reference(position, target, lim, creep_from_m=creep_from, creep_mps=creep)
    distance = abs(target - position)
    if distance <= 0.01:
        assert v == 0.0
        return
    assert v * (target - position) > 0, "towards the target"
    assert abs(v) <= lim.vmax_mps
    braking = SLOWDOWN_FRACTION * lim.decel_mps2
    if creep_from is None:
        assert v * v <= 2 * braking * distance + 1e-12
    elif distance <= creep_from + CREEP_ENTRY_MARGIN_M:
        assert abs(v) == creep
    else:
        assert v * v <= creep * creep + 2 * braking * (distance - creep_from) + 1e-12


@EXAMPLES
@given(error=st.floats(-2.0, 2.0), speed=st.floats(-2.0, 2.0))
def test_fine_position_heads_for_the_target_on_a_braking_curve_and_rests_near_it(
    error: float, speed: float
) -> None:
    lim = EMPTY.gantry
    v = fine_position(error, speed, lim, tolerance_m=0.02)
    if abs(error) <= FINE_SETTLE_FRACTION * 0.02:
        assert v == 0.0
    elif speed * error > 0 and speed * speed / (2 * lim.decel_mps2) >= abs(error):
        assert v == 0.0, "already too fast to stop in time: brake"
    else:
        assert v * error > 0
        assert v * v <= 2 * SLOWDOWN_FRACTION * lim.decel_mps2 * abs(error) + 1e-12
        assert abs(v) <= lim.vmax_mps


# --- clearance over a stack profile ---------------------------------------------------------------

TIER = CONTAINER_HEIGHT_M
HALF_40 = (12.192 / 2, CONTAINER_WIDTH_M / 2)


def _column(x: float, y: float, tiers: int) -> Obstacle:
    """A 40-ft stack column of ``tiers`` boxes centred on (x, y)."""
    return Obstacle(x - HALF_40[0], x + HALF_40[0], y - HALF_40[1], y + HALF_40[1], tiers * TIER)


# rows 2.8 m apart, bays 13 m apart (40 ft)
PROFILE = (
    _column(50.0, 14.0, 2),
    _column(50.0, 16.8, 5),
    _column(63.0, 14.0, 3),
    _column(63.0, 19.6, 1),
)


@pytest.mark.parametrize(
    ("path", "carrying", "needed"),
    [
        # along row 1 over bays 50 and 63: the 3-high column counts, the 5-high one beside not
        (((30.0, 14.0), (80.0, 14.0)), TIER, 3 * TIER + TIER + 0.5),
        # empty spreader along the same row
        (((30.0, 14.0), (80.0, 14.0)), 0.0, 3 * TIER + 0.5),
        # across the rows at x 50: over the 2-high and the 5-high column
        (((50.0, 2.0), (50.0, 25.0)), TIER, 5 * TIER + TIER + 0.5),
        # along the gap side of row 3 at x 63 only: the lone 1-high box
        (((63.0, 19.6), (63.0, 25.0)), 0.0, TIER + 0.5),
        # over nothing but the ground
        (((10.0, 2.0), (10.0, 30.0)), TIER, TIER + 0.5),
        # diagonally: from the truck lane to row 3 at x 76, clipping the 3-high column
        (((30.0, 2.0), (76.0, 19.6)), TIER, 3 * TIER + TIER + 0.5),
    ],
)
def test_clearance_height_is_the_highest_obstacle_under_the_load_plus_load_plus_clearance(
    path: tuple[tuple[float, float], tuple[float, float]], carrying: float, needed: float
) -> None:
    got = clearance_height_m(
        path, PROFILE, carrying_height_m=carrying, clearance_m=0.5, half_size_m=HALF_40
    )
    assert got == pytest.approx(needed)


def test_the_load_footprint_counts_not_just_its_centre() -> None:
    beside = ((30.0, 11.4), (80.0, 11.4))  # one row pitch below row 1: footprints 0.36 m apart
    clear = clearance_height_m(
        beside, PROFILE, carrying_height_m=0.0, clearance_m=0.5, half_size_m=HALF_40
    )
    assert clear == pytest.approx(0.5)
    closer = ((30.0, 11.6), (80.0, 11.6))  # 0.2 m closer: the spreader would touch row 1
    clear = clearance_height_m(
        closer, PROFILE, carrying_height_m=0.0, clearance_m=0.5, half_size_m=HALF_40
    )
    assert clear == pytest.approx(3 * TIER + 0.5)
    centre_only = clearance_height_m(closer, PROFILE, carrying_height_m=0.0, clearance_m=0.5)
    assert centre_only == pytest.approx(0.5)


def test_clearance_spans_say_where_along_the_path_each_obstacle_is() -> None:
    spans = PathClearance.along(
        ((30.0, 14.0), (80.0, 14.0)), PROFILE, carrying_height_m=0.0, clearance_m=0.5
    )
    assert spans.length_m == 50.0
    assert ClearanceSpan(0.0, 50.0, 0.5) in spans.spans
    lo, hi = 50.0 - HALF_40[0] - 30.0, 50.0 + HALF_40[0] - 30.0
    assert ClearanceSpan(lo, hi, 2 * TIER + 0.5) in spans.spans
    assert spans.height_m(0.0, lo + 0.1) == pytest.approx(2 * TIER + 0.5)
    assert spans.height_m(0.0, lo - 0.1) == pytest.approx(0.5)


# --- overlapping the hoist with travel ------------------------------------------------------------


def _sampled_clear(  # type: ignore[no-untyped-def]
    plan: TravelPlan, clearance: PathClearance, height, start: float, *, ahead: bool = False
) -> float:
    """Least margin of the load over the spans it is over (``ahead``: or would pass over if
    travel were stopped, as :func:`travel_start_s` plans it), sampled every 10 ms."""
    brake = plan.limits.decel_mps2
    worst = math.inf
    for k in range(int(plan.duration_s / 0.01) + 1):
        t = k * 0.01
        s = plan.progress_m(t)
        reach = plan.path.reach(t, stop_delay_s=PLAN_STOP_DELAY_S, brake_mps2=brake) if ahead else s
        z = height(start + t)
        for span in clearance.spans:
            if span.from_m - 1e-9 <= max(s, reach) and s <= span.to_m + 1e-9:
                worst = min(worst, z - span.height_m)
    return worst


def _scene() -> tuple[TravelPlan, PathClearance]:
    path = ((30.0, 2.0), (76.0, 19.6))
    clearance = PathClearance.along(
        path, PROFILE, carrying_height_m=TIER, clearance_m=0.5, half_size_m=HALF_40
    )
    plan = TravelPlan.plan(*path, LOADED.gantry, LOADED.trolley, 6.0)
    return plan, clearance


def test_travel_starts_behind_a_rising_hoist_as_soon_as_it_stays_clear() -> None:
    plan, clearance = _scene()
    rise = HoistMove.rise(4.0, clearance.height_m(), LOADED.hoist)
    start = travel_start_s(plan, clearance, rise)
    assert 0.0 < start < rise.duration_s, "overlapped, not after the rise"
    assert _sampled_clear(plan, clearance, rise.height_m, start, ahead=True) >= -1e-6
    assert _sampled_clear(plan, clearance, rise.height_m, start - 0.2, ahead=True) < 0.0


def test_lowering_starts_before_travel_ends_but_never_below_what_the_load_is_over() -> None:
    plan, clearance = _scene()
    top = clearance.height_m()
    descent = HoistMove.descent(top, 2 * TIER, LOADED.hoist)
    start = lowering_start_s(plan, clearance, descent)
    assert 0.0 < start < plan.duration_s

    def height(t: float) -> float:
        return top if t < start else descent.height_m(t - start)

    assert _sampled_clear(plan, clearance, height, 0.0) >= -1e-6
    assert (
        _sampled_clear(
            plan,
            clearance,
            lambda t: top if t < start - 1.0 else descent.height_m(t - start + 1.0),
            0.0,
        )
        < 0.0
    )


def test_a_rise_predicted_from_a_hoist_still_going_down_first_stops_it() -> None:
    rise = HoistMove.rise(10.0, 12.0, EMPTY.hoist, speed_mps=-0.6)
    assert rise.profile.velocity(0.0) == -0.6
    assert min(rise.height_m(t / 10) for t in range(100)) == pytest.approx(10.0 - 0.36 / 1.2)
    assert rise.to_m == pytest.approx(12.0)


def test_a_leg_keeps_its_load_above_every_span_within_its_stopping_distance() -> None:
    leg = LegPlan.plan(
        (30.0, 2.0, 4.0),
        (76.0, 19.6, 2 * TIER),
        PROFILE,
        P,
        loaded=True,
        container_mass_t=25.0,
        half_size_m=HALF_40,
    )
    assert leg.travel_start_s > 0.0
    assert leg.lowering_start_s < leg.travel_start_s + leg.travel.duration_s
    assert leg.touchdown_s > leg.travel_start_s + leg.travel.duration_s, "lands after arriving"
    t = 0.0
    while t < leg.touchdown_s:
        if t >= leg.travel_start_s:
            assert leg.height_m(t) >= leg.path_clear_height_m(t - leg.travel_start_s) - 1e-6, t
        t += 0.01


columns_st = st.lists(
    st.builds(_column, st.floats(40.0, 160.0), st.floats(14.0, 28.0), st.integers(1, 5)),
    max_size=6,
)


@settings(max_examples=40, deadline=None)
@given(
    columns=columns_st,
    start=st.tuples(st.floats(10.0, 200.0), st.floats(0.0, 38.0), st.floats(3.0, 14.0)),
    goal=st.tuples(st.floats(10.0, 200.0), st.floats(0.0, 38.0), st.floats(1.0, 14.0)),
    loaded=st.booleans(),
)
def test_any_leg_stays_above_its_interlock_height_while_travelling_and_lands_after_arriving(
    columns: list[Obstacle],
    start: tuple[float, float, float],
    goal: tuple[float, float, float],
    loaded: bool,
) -> None:
    leg = LegPlan.plan(start, goal, columns, P, loaded=loaded, half_size_m=HALF_40)
    arrival = leg.travel_start_s + leg.travel.duration_s
    assert leg.lowering_start_s >= leg.rise.duration_s - 1e-9, "no lowering before the rise ends"
    assert leg.touchdown_s >= arrival
    assert leg.travel_height_m >= leg.clear_height_m
    t = leg.travel_start_s
    while t < arrival:
        travel_t = t - leg.travel_start_s
        assert leg.height_m(t) >= leg.path_clear_height_m(travel_t) - 1e-6, t
        t += 0.05


def test_a_leg_refuses_a_path_it_cannot_clear_under_the_lift_height() -> None:
    tower = (Obstacle(40.0, 60.0, 0.0, 30.0, 17.0),)
    with pytest.raises(ValueError, match="above the lift height"):
        LegPlan.plan((30.0, 2.0, 4.0), (76.0, 19.6, 2.0), tower, P, loaded=True)


# --- the lower bound ------------------------------------------------------------------------------


def test_lower_bound_of_a_travel_bound_leg_is_the_slower_axis_time_optimal() -> None:
    got = lower_bound_s(
        (30.0, 2.0, 5.0),
        (70.0, 12.0, 5.0),
        5.0,
        EMPTY,
        creep_distance_m=0.5,
        creep_mps=0.1,
        landing=False,
    )
    assert got == pytest.approx(40 / 2.2 + 2.2 / 0.2)  # gantry: 18.2 + 11.0; trolley: 14.5


def test_lower_bound_of_a_hoist_bound_leg_worked_by_hand() -> None:
    """Loaded, 10 m up and 10 m down onto a landing: up 10/0.5 + 0.5/(2 0.5) + 0.5/(2 0.6);
    down: speed up to 0.5, brake to creep 0.1 at 0.5 m above touchdown, creep 0.5 m."""
    got = lower_bound_s(
        (30.0, 2.0, 5.0), (31.0, 2.0, 5.0), 15.0, LOADED, creep_distance_m=0.5, creep_mps=0.1
    )
    up = 20.0 + 0.5 + 0.5 / 1.2
    ramps = 0.25 + (0.25 - 0.01) / 1.2
    down = 1.0 + 0.4 / 0.6 + (9.5 - ramps) / 0.5 + 5.0
    assert got == pytest.approx(up + down)

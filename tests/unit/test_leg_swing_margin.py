"""A leg keeps its swinging load clear of what it passes beside, not only of what it passes over.

Bench safety case 1000938: a leg's straight path passed a 2-high stack's corner a centimetre off
the box's footprint; the crane 1.2 cm off its line and a swing left from a hold put the box's
corner on the stack while it lowered. The planner now grows every obstacle by a margin (how far
the load may stray from where the plan puts it) and follows the load's own swing along the path
(ahead of the crane while travel slows down, behind it while it speeds up).

The property's oracle shares no code with the planner: the load's swing is integrated with RK4
on the plan's travel and hoist motion (``tests/unit/pendulum_rk4.py``), and the load's footprint,
grown by the margin, is checked against every obstacle at every moment of travel.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.planner import ClearanceSpan, LegPlan, Obstacle, PathClearance
from crane_ctrl.motion.shaping import pendulum_length_m
from crane_ctrl.site import CONTAINER_HEIGHT_M, CONTAINER_LENGTH_M, CONTAINER_WIDTH_M
from tests.unit.pendulum_rk4 import offsets_m

P = CraneParams()
HALF = (CONTAINER_LENGTH_M[40] / 2, CONTAINER_WIDTH_M / 2)
TIER = CONTAINER_HEIGHT_M
STACK = Obstacle(50.0, 62.0, 15.6, 18.0, 2 * TIER)
"""Two high, as in case 1000938."""
GAP_M = 0.002
"""How far the box's footprint on the straight path passes beside :data:`STACK`'s corner."""


def _path_beside_the_corner() -> tuple[tuple[float, float], tuple[float, float]]:
    """A diagonal path whose box footprint passes :data:`STACK`'s lower right corner
    :data:`GAP_M` off (the corner of the grown stack, (x_max + hx, y_min - hy), lies that far
    above the line in y)."""
    corner = (STACK.x_max + HALF[0], STACK.y_min - HALF[1] - GAP_M)
    start = (corner[0] - 30.0, corner[1] - 10.0)
    return start, (corner[0] + 15.0, corner[1] + 5.0)


def test_a_path_2_mm_beside_a_stack_corner_needs_the_stack_height_once_a_margin_counts() -> None:
    path = _path_beside_the_corner()
    bare = PathClearance.along(
        path, [STACK], carrying_height_m=TIER, clearance_m=0.5, half_size_m=HALF
    )
    assert bare.height_m() == pytest.approx(TIER + 0.5), "2 mm beside: not over it"
    grown = PathClearance.along(
        path, [STACK], carrying_height_m=TIER, clearance_m=0.5, half_size_m=HALF, margin_m=0.05
    )
    assert grown.height_m() == pytest.approx(STACK.top_m + TIER + 0.5)
    (span,) = [s for s in grown.spans if s.height_m > TIER + 0.5]
    assert 0.0 < span.from_m < span.to_m < grown.length_m


def test_a_leg_past_a_stack_corner_keeps_its_box_above_the_stack_while_within_the_margin() -> None:
    path = _path_beside_the_corner()
    start, goal = (*path[0], 2 * TIER), (*path[1], TIER)
    margin = 0.08
    leg = LegPlan.plan(
        start, goal, [STACK], P, loaded=True, container_mass_t=25.0, half_size_m=HALF,
        margin_m=margin,
    )  # fmt: skip
    needed = STACK.top_m + TIER + P.safe_clearance_m
    assert leg.travel_height_m >= needed, "routed over the stack"
    ignored = LegPlan.plan(
        start, goal, [STACK], P, loaded=True, container_mass_t=25.0, half_size_m=HALF
    )
    assert ignored.travel_height_m < needed, "without the margin it passes low beside it"
    _assert_clear(leg, [STACK], margin - 0.005, loaded=True)


def test_spans_follow_a_load_ahead_of_the_crane_back_and_one_behind_it_on() -> None:
    clearance = PathClearance(10.0, (ClearanceSpan(4.0, 6.0, 3.0),))
    crane = [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    ahead = [0.0, 2.5, 4.5, 6.5, 8.5, 10.0]
    (span,) = clearance.swung(crane, ahead).spans
    assert span.from_m == pytest.approx(3.5), "reached with the crane at 3.5"
    assert (span.to_m, span.height_m) == (6.0, 3.0)
    behind = [0.0, 1.5, 3.5, 5.5, 7.5, 10.0]
    (span,) = clearance.swung(crane, behind).spans
    assert span.to_m == pytest.approx(6.5), "left with the crane at 6.5"
    assert (span.from_m, span.height_m) == (4.0, 3.0)
    (span,) = clearance.swung(crane, crane).spans
    assert span == ClearanceSpan(4.0, 6.0, 3.0), "no swing, no change"


def _column(x: float, y: float, tiers: int) -> Obstacle:
    """A 40-ft stack column ``tiers`` high with its centre at (x, y)."""
    return Obstacle(x - HALF[0], x + HALF[0], y - HALF[1], y + HALF[1], tiers * TIER)


columns = st.lists(
    st.builds(_column, st.floats(20.0, 120.0), st.floats(10.0, 30.0), st.integers(1, 4)),
    max_size=6,
)


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(
    stack=columns,
    start=st.tuples(st.floats(15.0, 125.0), st.floats(2.0, 32.0)),
    goal=st.tuples(st.floats(15.0, 125.0), st.floats(2.0, 32.0)),
    loaded=st.booleans(),
    margin=st.sampled_from([0.0, 0.05, 0.2]),
)
def test_the_swinging_load_stays_clear_of_what_it_passes_within_the_margin(
    stack: list[Obstacle],
    start: tuple[float, float],
    goal: tuple[float, float],
    loaded: bool,
    margin: float,
) -> None:
    carrying = TIER if loaded else 0.0
    start_z = _top_under(stack, *start, 0.0) + carrying + 0.3
    goal_z = _top_under(stack, *goal, 0.0) + carrying
    try:
        leg = LegPlan.plan(
            (*start, start_z), (*goal, goal_z), stack, P, loaded=loaded, half_size_m=HALF,
            margin_m=margin,
        )  # fmt: skip
    except ValueError:
        return  # more than the crane can lift over: refused, nothing moves
    _assert_clear(
        leg, stack, margin - 0.005, loaded=loaded, places=((start, start_z), (goal, goal_z))
    )


def _top_under(obstacles: list[Obstacle], x: float, y: float, grow: float) -> float:
    return max((o.top_m for o in obstacles if _touching(o, x, y, grow)), default=0.0)


def _touching(o: Obstacle, x: float, y: float, grow: float) -> bool:
    hx, hy = HALF[0] + grow, HALF[1] + grow
    return o.x_min <= x + hx and o.x_max >= x - hx and o.y_min <= y + hy and o.y_max >= y - hy


def _assert_clear(
    leg: LegPlan,
    obstacles: list[Obstacle],
    grow: float,
    *,
    loaded: bool,
    places: tuple[tuple[tuple[float, float], float], ...] = (),
) -> None:
    """Every moment of travel: the load (where the crane is, plus its swing along the path as
    RK4 integrates it) clears every obstacle its footprint, grown by ``grow``, touches, by the
    safe clearance (the approach clearance over an obstacle no higher than one of its own
    ``places``, while the load still overlaps that place)."""
    carrying = TIER if loaded else 0.0
    ux, uy = leg.travel.direction
    begin = leg.travel_start_s

    def rope(t: float) -> float:
        z = leg.height_m(begin + t)
        return pendulum_length_m(z, P, loaded=loaded, container_mass_t=25.0 if loaded else None)

    swings = offsets_m(leg.travel.path.acceleration, rope, P.gravity_mps2,
                       P.sway_damping_ratio, leg.travel.duration_s, 0.05)  # fmt: skip
    for t, swing in swings:
        x, y = leg.travel.position(t)
        x, y = x + swing * ux, y + swing * uy
        underside = leg.height_m(begin + t) - carrying
        for o in obstacles:
            if not _touching(o, x, y, max(0.0, grow)):
                continue
            needed = o.top_m + P.safe_clearance_m
            for (cx, cy), level in places:
                over = abs(x - cx) < 2 * HALF[0] and abs(y - cy) < 2 * HALF[1]
                if over and o.top_m <= level - carrying + 1e-6:
                    needed = min(needed, level - carrying + P.approach_clearance_m)
            assert underside >= needed - 1e-6, (t, o, underside, swing)

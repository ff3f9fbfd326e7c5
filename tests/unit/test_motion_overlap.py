"""Hoist/travel overlap never breaks the clearance rule: a property over random stack profiles.

The oracle shares no code with the planner: at every moment travel is under way, the load's
footprint (the container's, at the plan's x-y) is checked against every obstacle's footprint it
touches, and the load's underside (twistlock plane less the carried container) must be at least
``safe_clearance_m`` over that obstacle's top. Before travel starts and after it ends the load
only moves up or down (the rise from its support, the landing onto its goal).
"""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.planner import LegPlan, Obstacle
from crane_ctrl.site import CONTAINER_HEIGHT_M, CONTAINER_LENGTH_M, CONTAINER_WIDTH_M

P = CraneParams()
HALF = (CONTAINER_LENGTH_M[40] / 2, CONTAINER_WIDTH_M / 2)
STEP_S = 0.05
TOUCH_M = 1e-9


def column(x: float, y: float, tiers: int) -> Obstacle:
    """A 40-ft stack column ``tiers`` high with its centre at (x, y)."""
    hx, hy = HALF
    return Obstacle(x - hx, x + hx, y - hy, y + hy, tiers * CONTAINER_HEIGHT_M)


def touching(obstacle: Obstacle, x: float, y: float) -> bool:
    hx, hy = HALF
    return (
        obstacle.x_min <= x + hx + TOUCH_M
        and obstacle.x_max >= x - hx - TOUCH_M
        and obstacle.y_min <= y + hy + TOUCH_M
        and obstacle.y_max >= y - hy - TOUCH_M
    )


def top_under(obstacles: list[Obstacle], x: float, y: float) -> float:
    return max((o.top_m for o in obstacles if touching(o, x, y)), default=0.0)


columns = st.lists(
    st.builds(column, st.floats(20.0, 120.0), st.floats(10.0, 30.0), st.integers(1, 5)),
    max_size=8,
)
places = st.tuples(st.floats(15.0, 125.0), st.floats(2.0, 32.0))


def _needed_over(
    o: Obstacle, at: tuple[float, float], *places: tuple[tuple[float, float], float]
) -> float:
    """The underside the load needs over ``o`` at ``at``: ``safe_clearance_m`` over it, but
    while the load's footprint overlaps one of its own ``places`` (where it starts, where it
    lands: centre and underside level) and ``o`` is no higher than that level,
    ``approach_clearance_m`` over the level."""
    needed = o.top_m + P.safe_clearance_m
    for (cx, cy), level in places:
        over = abs(at[0] - cx) < 2 * HALF[0] and abs(at[1] - cy) < 2 * HALF[1]
        if over and o.top_m <= level + 1e-6:
            needed = min(needed, level + P.approach_clearance_m)
    return needed


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(
    stack=columns,
    start=places,
    goal=places,
    hang_m=st.floats(0.1, 3.0),
    loaded=st.booleans(),
)
def test_the_load_stays_a_safe_clearance_over_every_obstacle_while_it_travels(
    stack: list[Obstacle],
    start: tuple[float, float],
    goal: tuple[float, float],
    hang_m: float,
    loaded: bool,
) -> None:
    carrying = CONTAINER_HEIGHT_M if loaded else 0.0
    start_z = top_under(stack, *start) + carrying + hang_m
    goal_z = top_under(stack, *goal) + carrying
    try:
        leg = LegPlan.plan((*start, start_z), (*goal, goal_z), stack, P, loaded=loaded,
                           half_size_m=HALF)  # fmt: skip
    except ValueError:
        return  # more than the crane can lift over: refused, nothing moves
    arrival = leg.travel_start_s + leg.travel.duration_s
    t = leg.travel_start_s
    while t <= arrival:
        x, y = leg.travel.position(t - leg.travel_start_s)
        underside = leg.height_m(t) - carrying
        for o in stack:
            if touching(o, x, y):
                needed = _needed_over(
                    o, (x, y), (start, start_z - carrying), (goal, goal_z - carrying)
                )
                assert underside >= needed - 1e-6, (t, o, underside)
        assert leg.height_m(t) >= leg.path_clear_height_m(t - leg.travel_start_s) - 1e-6, t
        t += STEP_S
    assert leg.touchdown_s >= arrival, "the landing proper is straight down"
    assert math.isclose(leg.height_m(leg.touchdown_s), goal_z, abs_tol=1e-6)

"""The motion planner of automatic moves: what the sequencer imports.

Pure: no I/O, no clock; time comes in as arguments (seconds from the start of a plan or leg).
The parts live in their own modules and are re-exported here:

- :mod:`crane_ctrl.motion.profiles`: axis limits, :func:`trapezoid` (time-optimal rest to rest),
  and the per-scan laws :func:`hoist_reference` (fast, slow down, creep) and
  :func:`fine_position` (the last centimetres of travel);
- :mod:`crane_ctrl.motion.shaping`: the pendulum (:func:`pendulum_period_s`), ZV / ZVD input
  shapers, and ZV on a rope whose length changes;
- :mod:`crane_ctrl.motion.travel`: :class:`TravelPlan`, gantry and trolley together on a straight
  line, shaped against sway;
- :mod:`crane_ctrl.motion.clearance`: obstacles, the height needed along a path, and when travel
  may start behind a rising hoist or lowering start before travel ends;
- :mod:`crane_ctrl.motion.leg`: :class:`LegPlan`, one leg of a move from a load hanging free
  above its start to touchdown at its goal, hoist and travel overlapped, the shaping computed on
  the rope length the overlap produces.

Here: :func:`lower_bound_s`, the benchmark's physical lower bound of a leg.

Using a :class:`LegPlan`, every scan (``t`` = time since the leg started, ``travel_t`` = time
since travel started, ``None`` before)::

    if travel_t is None and leg.may_start_travel(t, hoist_position, hoist_speed):
        travel_t = 0.0                      # start travel this scan
    refs = leg.travel_reference(travel_t, lead_s=scan)   # (gantry, trolley), m/s
    hoist = leg.hoist_reference(hoist_position, travel_t)
    clear = leg.path_clear_height_m(travel_t)  # for the travel interlock

then stop lowering on the landing pins or slack rope, and trim travel with
:func:`fine_position` once ``travel_t >= leg.travel.duration_s``.
"""

from __future__ import annotations

from crane_ctrl.motion.clearance import (
    PLAN_STOP_DELAY_S,
    STOP_DELAY_S,
    ClearanceSpan,
    Footprint,
    HoistMove,
    Obstacle,
    PathClearance,
    clearance_height_m,
    lowering_start_s,
    path_clear_height_m,
    travel_start_s,
)
from crane_ctrl.motion.leg import LANDING_OVERTRAVEL_M, XYZ, LegPlan
from crane_ctrl.motion.profiles import (
    CREEP_ENTRY_MARGIN_M,
    FINE_SETTLE_FRACTION,
    HOIST_TOLERANCE_M,
    POSITION_GAIN_PER_S,
    SLOWDOWN_FRACTION,
    AxisLimits,
    MotionLimits,
    Profile1D,
    fine_position,
    hoist_reference,
    landing_descent_s,
    trapezoid,
)
from crane_ctrl.motion.shaping import (
    Impulse,
    Shaper,
    pendulum_length_m,
    pendulum_period_s,
    shaper_impulses,
    varying_zv,
)
from crane_ctrl.motion.travel import XY, TravelPlan

__all__ = [
    "CREEP_ENTRY_MARGIN_M",
    "FINE_SETTLE_FRACTION",
    "HOIST_TOLERANCE_M",
    "LANDING_OVERTRAVEL_M",
    "PLAN_STOP_DELAY_S",
    "POSITION_GAIN_PER_S",
    "SLOWDOWN_FRACTION",
    "STOP_DELAY_S",
    "XY",
    "XYZ",
    "AxisLimits",
    "ClearanceSpan",
    "Footprint",
    "HoistMove",
    "Impulse",
    "LegPlan",
    "MotionLimits",
    "Obstacle",
    "PathClearance",
    "Profile1D",
    "Shaper",
    "TravelPlan",
    "clearance_height_m",
    "fine_position",
    "hoist_reference",
    "landing_descent_s",
    "lower_bound_s",
    "lowering_start_s",
    "path_clear_height_m",
    "pendulum_length_m",
    "pendulum_period_s",
    "shaper_impulses",
    "trapezoid",
    "travel_start_s",
    "varying_zv",
]


def lower_bound_s(
    start_xyz: XYZ,
    goal_xyz: XYZ,
    clear_height_m: float,
    limits: MotionLimits,
    *,
    creep_distance_m: float,
    creep_mps: float,
    landing: bool = True,
) -> float:
    """The physical lower bound of one leg of a move, s: same limits, perfect overlap, no
    settling.

    Travel: gantry and trolley each time-optimal on its own (:func:`trapezoid`), the longer
    counts: no shared straight path, no shaping. Hoist: from rest at the start height up to
    ``max(clear_height_m, start z, goal z)`` time-optimal, then down to the goal height
    time-optimal but at no more than ``creep_mps`` over the last ``creep_distance_m``, ending at
    touchdown (:func:`landing_descent_s`; with ``landing=False`` a plain :func:`trapezoid` to
    rest). The leg takes the longer of the two: hoist and travel overlap perfectly, and nothing
    waits for sway, for an obstacle to pass or for a scan. A whole move is the sum of its legs
    and its twistlock turns.
    """
    dx, dy = goal_xyz[0] - start_xyz[0], goal_xyz[1] - start_xyz[1]
    travel = max(trapezoid(dx, limits.gantry).duration_s, trapezoid(dy, limits.trolley).duration_s)
    top = max(clear_height_m, start_xyz[2], goal_xyz[2])
    up = trapezoid(top - start_xyz[2], limits.hoist).duration_s
    drop = top - goal_xyz[2]
    if landing:
        down = landing_descent_s(
            drop, limits.hoist, creep_distance_m=creep_distance_m, creep_mps=creep_mps
        )
    else:
        down = trapezoid(drop, limits.hoist).duration_s
    return max(travel, up + down)

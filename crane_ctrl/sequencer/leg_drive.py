"""A leg under way: the plan it follows and the clocks it follows it by. Pure.

:class:`LegDrive` follows a :class:`~crane_ctrl.motion.leg.LegPlan` scan by scan: the plan keeps
the load at least ``safe_clearance_m`` over every obstacle on the path, and
``approach_clearance_m`` over the places it leaves and lands on; :meth:`LegDrive.clear_below_m`
is what the travel-height interlock must accept for the travel commanded at the next scan, so
the interlock never refuses the plan, and the hoist is never lowered past it. The leg's clock
starts with the rise (``started_s``, when the plan is put to use), travel's when travel starts.
The steps that drive it are in :mod:`crane_ctrl.sequencer.leg`.

A leg is planned from a :class:`LegRequest` by :func:`plan_leg`, in a planner's worker
(:mod:`crane_ctrl.sequencer.planning`): the scan never waits for it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.planner import XY, XYZ, Footprint, LegPlan
from crane_ctrl.motion.rope_calibration import Sample

__all__ = [
    "READING_DELAYS_S",
    "SAME_MASS_T",
    "SCAN_LEAD_S",
    "STALE_START_M",
    "STALE_START_XY_M",
    "LegDrive",
    "LegRequest",
    "plan_leg",
]

SCAN_LEAD_S = 0.05
"""References are taken one scan ahead so the drives follow the profile, not lag it; the
path-clear height is given for the next scan (the interlocks read it then)."""

READING_DELAYS_S = (0.0, SCAN_LEAD_S, 2 * SCAN_LEAD_S)
"""How much older than the plan time a sway reading may be (it is read before the scan writes,
and a link adds its latency): the travel's own swing is taken at each, and the one that
explains the readings best is taken off them (see ``SwayWatch.sample``)."""


STALE_START_M = 0.05
"""A plan is for the crane where it was asked from: one that comes back after the hoist has
moved further than this is thrown away and asked for again, m."""

STALE_START_XY_M = 0.005
"""The same for gantry and trolley, m: the plan's path starts where it was asked from, and
the crane follows it from where it stands, so it travels up to this much off the line (the
leg's margin counts it: :data:`~crane_ctrl.sequencer.leg_margin.PATH_TOLERANCE_M`). A crane
waiting for its plan stands still."""

SAME_MASS_T = 1.0
"""A plan asked for with the box's mass this close to the weight now measured serves: a tonne
moves the loaded pendulum's length by about 2 cm (the ropes' stretch and the common centre of
mass), a hundredth of a percent of its period on a 15 m rope. A leg planned ahead, while the
load cell still settles, is taken then (see :func:`crane_ctrl.sequencer.leg.plan_ahead`), t."""


@dataclass(frozen=True, slots=True)
class LegRequest:
    """What a leg is planned from (everything :meth:`LegPlan.plan` reads): picklable, for a
    planner in another process."""

    start_xyz: XYZ
    goal_xyz: XYZ
    obstacles: tuple[Footprint, ...]
    params: CraneParams
    loaded: bool
    container_height_m: float
    container_mass_t: float | None
    half_size_m: XY
    margin_m: float = 0.0
    """How far the load may stray from where the plan puts it (any direction), m: the
    obstacles grow by it (:mod:`crane_ctrl.sequencer.leg_margin`)."""
    wind_mps: float | None = None
    """The wind read when the margin was worked out (``None``: not good then), m/s: the margin
    holds for a wind up to :data:`~crane_ctrl.motion.wind_swing.GUST_MARGIN_MPS` more
    (:func:`~crane_ctrl.sequencer.leg_margin.wind_allowed_mps`)."""

    def still_holds_for(self, newer: LegRequest) -> bool:
        """A plan asked for by this request serves ``newer``: the same leg, from a start no
        further than :data:`STALE_START_XY_M` (gantry, trolley) and :data:`STALE_START_M`
        (hoist) off, with at least the margin ``newer`` asks for."""
        (x0, y0, z0), (x1, y1, z1) = self.start_xyz, newer.start_xyz
        here = max(abs(x0 - x1), abs(y0 - y1)) <= STALE_START_XY_M
        here = here and abs(z0 - z1) <= STALE_START_M
        return here and newer.margin_m <= self.margin_m and self.same_leg(newer)

    def same_leg(self, other: LegRequest) -> bool:
        return _same_mass(self.container_mass_t, other.container_mass_t) and (
            self.goal_xyz, self.obstacles, self.params, self.loaded, self.container_height_m,
            self.half_size_m) == (
            other.goal_xyz, other.obstacles, other.params, other.loaded,
            other.container_height_m, other.half_size_m)  # fmt: skip


def _same_mass(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= SAME_MASS_T


def plan_leg(request: LegRequest) -> LegPlan:
    """Plan the leg ``request`` asks for (in a planner's worker); ``ValueError`` if the path
    cannot be cleared."""
    r = request
    return LegPlan.plan(
        r.start_xyz, r.goal_xyz, r.obstacles, r.params, loaded=r.loaded,
        container_height_m=r.container_height_m, container_mass_t=r.container_mass_t,
        half_size_m=r.half_size_m, margin_m=r.margin_m,
    )  # fmt: skip


@dataclass
class LegDrive:
    """A leg under way: its plan, when it started, and when travel started."""

    plan: LegPlan
    started_s: float
    wind_allowed_mps: float = math.inf
    """The most wind its path was cleared for, m/s
    (:func:`~crane_ctrl.sequencer.leg_margin.wind_allowed_mps`): its travel gives up beyond."""
    travel_started_s: float | None = None
    sway_log: list[Sample] = field(default_factory=list)
    """The sway sensor's readings during travel (travel time, gantry, trolley), for
    :func:`~crane_ctrl.motion.rope_calibration.fit_rope_offset`."""

    @property
    def goal_xyz(self) -> XYZ:
        return self.plan.goal_xyz

    def travel_t(self, now: float) -> float | None:
        """Time since travel started, s (``None`` before)."""
        return None if self.travel_started_s is None else now - self.travel_started_s

    def try_start_travel(self, now: float, hoist_m: float, hoist_mps: float) -> bool:
        """Start travel now if the plan allows it from the hoist's measured height and speed;
        whether travel is under way."""
        if self.travel_started_s is None:
            t = now - self.started_s
            if self.plan.may_start_travel(t, hoist_m, hoist_mps):
                self.travel_started_s = now
        return self.travel_started_s is not None

    def arrived(self, now: float) -> bool:
        """The travel plan has run out (fine positioning trims what is left)."""
        t = self.travel_t(now)
        return t is not None and t >= self.plan.travel.duration_s

    def travel_refs(self, now: float) -> XY:
        """(gantry, trolley) speed references for this scan, m/s."""
        return self.plan.travel_reference(self.travel_t(now), lead_s=SCAN_LEAD_S)

    def hoist_ref(self, now: float, hoist_m: float) -> float:
        """Hoist speed reference for this scan: rise, hold the travel height, lower, m/s."""
        return self.plan.hoist_reference(hoist_m, self.travel_t(now))

    def lowering(self, now: float) -> bool:
        return self.plan.lowering(self.travel_t(now))

    def clear_below_m(self, now: float) -> float:
        """The travel interlock's path-clear height for the next scan's travel, m."""
        t = self.travel_t(now)
        return self.plan.path_clear_height_m(None if t is None else t + SCAN_LEAD_S)

    def overdue(self, now: float, factor: float, allowance_s: float) -> bool:
        """The leg has taken ``factor`` times its predicted touchdown plus ``allowance_s``."""
        return now - self.started_s > self.plan.touchdown_s * factor + allowance_s

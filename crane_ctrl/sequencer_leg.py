"""One leg of the automatic move as the sequencer drives it, scan by scan, from a LegPlan.

A leg takes the load from hanging free above where it stands to touchdown at its goal: the hoist
rises, gantry and trolley start as soon as the load stays clear of everything within its stopping
distance (while the hoist still rises), the hoist starts lowering before travel ends wherever the
rest of the path is clear, and the last part of the descent is straight down with creep. The plan
(:class:`~crane_ctrl.motion_leg.LegPlan`) keeps the load at least ``safe_clearance_m`` over every
obstacle on the path; :meth:`LegDrive.clear_below_m` is what the travel-height interlock must
accept for the travel commanded at the next scan, so the interlock never refuses the plan.

Times: the leg's clock starts with the rise (``started_s``), travel's when travel starts. After a
hold or any departure from the plan, the sequencer plans the rest again from where the crane is.
Pure: no I/O, time comes in as an argument.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crane_ctrl.crane import CraneParams
from crane_ctrl.motion import XY, XYZ, Footprint, LegPlan

__all__ = ["SCAN_LEAD_S", "LegDrive"]

SCAN_LEAD_S = 0.05
"""References are taken one scan ahead so the drives follow the profile, not lag it; the
path-clear height is given for the next scan (the interlocks read it then)."""


@dataclass
class LegDrive:
    """A leg under way: its plan, when it started, and when travel started."""

    plan: LegPlan
    started_s: float
    travel_started_s: float | None = None

    @classmethod
    def start(
        cls,
        start_xyz: XYZ,
        goal_xyz: XYZ,
        obstacles: Sequence[Footprint],
        params: CraneParams,
        now: float,
        *,
        loaded: bool,
        container_height_m: float,
        container_mass_t: float | None,
        half_size_m: XY,
    ) -> LegDrive:
        """Plan a leg from where the crane is; ``ValueError`` if the path cannot be cleared."""
        plan = LegPlan.plan(
            start_xyz, goal_xyz, obstacles, params, loaded=loaded,
            container_height_m=container_height_m, container_mass_t=container_mass_t,
            half_size_m=half_size_m,
        )  # fmt: skip
        return cls(plan, now)

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

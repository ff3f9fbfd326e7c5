"""One leg of the automatic move as the sequencer drives it, scan by scan, from a LegPlan.

A leg takes the load from hanging free above where it stands to touchdown at its goal: the hoist
rises, gantry and trolley start as soon as the load stays clear of everything within its stopping
distance (while the hoist still rises), the hoist starts lowering before travel ends wherever the
rest of the path is clear, and the last part of the descent is straight down with creep. The plan
(:class:`~crane_ctrl.motion.leg.LegPlan`) keeps the load at least ``safe_clearance_m`` over every
obstacle on the path, and ``approach_clearance_m`` over the places it leaves and lands on (so
travel starts just after lift-off and the landing's creep overlaps its end);
:meth:`LegDrive.clear_below_m` is what the travel-height interlock must accept for the travel
commanded at the next scan, so the interlock never refuses the plan, and the hoist is never
lowered past it. Over the last pendulum period of travel the sway is watched less the swing the
travel itself gives (:attr:`~crane_ctrl.motion.leg.LegPlan.expected_sway`): a load calm on
arrival lands at once, the crane standing still. The sway read over the whole travel, against
the swing planned, shows how far the rope model is off; the next legs plan on the corrected rope
(:mod:`crane_ctrl.motion.rope_calibration`).

:class:`LegSteps` are the sequencer's steps around it: raise (plan the leg; start travel once
the interlock has been told the path-clear height), travel, lower (the landing: the load put on
its goal and its swing damped, :func:`~crane_ctrl.sequencer.sway.land_on_goal`; the creep held
short of touchdown until the load is calm and over its goal, or at the approach height where the
operator lands), and settling sway after a hold.

Times: the leg's clock starts with the rise (``started_s``), travel's when travel starts. After a
hold or any departure from the plan, the sequencer plans the rest again from where the crane is.
Pure: no I/O, time comes in as an argument.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from crane_ctrl.commands import Commands
from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.planner import (
    CREEP_ENTRY_MARGIN_M,
    HOIST_TOLERANCE_M,
    XY,
    XYZ,
    Footprint,
    LegPlan,
    MotionLimits,
    hoist_reference,
)
from crane_ctrl.motion.rope_calibration import Sample, fit_rope_offset
from crane_ctrl.sequencer.base import (
    DAMPING_SPEED_SHARE,
    LAND_CHECK_M,
    OVERSHOOT_M,
    OVERTRAVEL_M,
    REPLAN_M,
    RESETTLES,
    SETTLE_MARGIN_M,
    STILL_MPS,
    Run,
    SequencerBase,
    Step,
    clamp,
    drives_ready,
    position_of,
)
from crane_ctrl.sequencer.sway import land_on_goal, sway_of
from crane_ctrl.sequencer.transfer import all_corners, any_corner
from crane_ctrl.snapshot import Snapshot

__all__ = ["READING_DELAYS_S", "SCAN_LEAD_S", "LegDrive", "LegSteps"]

log = logging.getLogger(__name__)

SCAN_LEAD_S = 0.05
"""References are taken one scan ahead so the drives follow the profile, not lag it; the
path-clear height is given for the next scan (the interlocks read it then)."""

READING_DELAYS_S = (0.0, SCAN_LEAD_S, 2 * SCAN_LEAD_S)
"""How much older than the plan time a sway reading may be (it is read before the scan writes,
and a link adds its latency): the travel's own swing is taken at each, and the one that
explains the readings best is taken off them (see ``SwayWatch.sample``)."""


@dataclass
class LegDrive:
    """A leg under way: its plan, when it started, and when travel started."""

    plan: LegPlan
    started_s: float
    travel_started_s: float | None = None
    sway_log: list[Sample] = field(default_factory=list)
    """The sway sensor's readings during travel (travel time, gantry, trolley), for
    :func:`~crane_ctrl.motion.rope_calibration.fit_rope_offset`."""

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


class LegSteps(SequencerBase):
    """The leg's steps: raise, travel, lower (with the landing), and settling sway after a
    hold."""

    def _settle_sway(self, run: Run, snapshot: Snapshot, now: float) -> Commands:
        """Damp the sway where the crane stands (moving under the load), then go on. Damping
        moves the crane by about the swing: first the hoist lifts the load clear of everything
        within that distance (and a margin) of where it hangs."""
        pos = position_of(snapshot)
        if pos is None or self._calm(run, snapshot, pos[2], now, self.settings.sway_tolerance_m):
            self._enter(run.resume_step or Step.RAISE, now)
            return Commands(drives_enable=True)
        if now - run.since > self.settings.settle_timeout_s:
            self.hold(now, "sway did not settle: check wind and what the crane may reach")
            return Commands(drives_enable=True)
        here = (pos[0], pos[1])
        clear = run.transfer.clear_height_m(
            self.yard, self.params, (here, here), delivering=run.delivering,
            margin_m=SETTLE_MARGIN_M + run.sway.peak_m(),
        )  # fmt: skip
        cleared = self._publish_clear(clear, pos[2])
        if not cleared:
            return self._hoist_to(pos[2], clear + OVERSHOOT_M, snapshot)
        vx, vy = self._damping(run, snapshot, (0.0, 0.0))
        return Commands(drives_enable=True, gantry_speed_ref=vx, trolley_speed_ref=vy)

    _settle = _settle_sway

    def _raise(self, run: Run, snapshot: Snapshot, now: float) -> Commands:
        pos = position_of(snapshot)
        if pos is None or not drives_ready(snapshot):
            return Commands(drives_enable=True)  # the leg's clock starts with the drives
        leg = run.leg or self._plan_leg(run, snapshot, pos, now)
        if leg is None:
            return Commands(drives_enable=True)
        cleared = self._publish_clear(leg.clear_below_m(now), pos[2])
        if cleared and leg.try_start_travel(now, pos[2], snapshot.number("hoist.speed") or 0.0):
            self._enter(Step.TRAVEL, now)
            return self._travel(run, snapshot, now)
        ref = self._gated_hoist(run, leg.hoist_ref(now, pos[2]), pos[2], now, ready=False)
        size = self._size_ref(run, snapshot)
        return Commands(drives_enable=True, hoist_speed_ref=ref, size_ref=size)

    def _plan_leg(self, run: Run, snapshot: Snapshot, pos: XYZ, now: float) -> LegDrive | None:
        """Plan the leg from where the crane is to the landing at the goal."""
        t = run.transfer
        goal = (*self._xy_goal(run), self._landing_height(run))
        size = snapshot.number("spreader.size")
        spreader = None if run.delivering else (45 if size is None else int(size))
        try:
            run.leg = LegDrive.start(
                pos, goal, t.obstacles(self.yard, delivering=run.delivering),
                self._rope_params(run), now,
                loaded=run.delivering, container_height_m=t.box.height_m,
                container_mass_t=run.mass_t, half_size_m=t.half_size_m(spreader),
            )  # fmt: skip
        except ValueError as why:
            self.hold(now, f"no safe path to {goal[0]:.1f}, {goal[1]:.1f}: {why}")
            return None
        return run.leg

    def _travel(self, run: Run, snapshot: Snapshot, now: float) -> Commands:
        pos = position_of(snapshot)
        leg = run.leg
        if pos is None or leg is None:
            if leg is None:
                self._enter(Step.RAISE, now)
            return Commands(drives_enable=True)
        if leg.arrived(now):
            self._learn_rope(run, leg, now)
            self._enter(Step.LOWER, now)
            return self._lower(run, snapshot, now)
        sway, t = sway_of(snapshot), leg.travel_t(now)
        if sway is not None and t is not None:
            leg.sway_log.append((t, *sway))
        self.travel_clear_below_m = clear = leg.clear_below_m(now)
        self._watch_arrival(run, snapshot, pos[2], now)
        vx, vy = leg.travel_refs(now)
        vz = self._gated_hoist(run, leg.hoist_ref(now, pos[2]), pos[2], now, ready=False)
        vz = self._not_below(vz, pos[2], clear + HOIST_TOLERANCE_M, run)
        return Commands(drives_enable=True, gantry_speed_ref=vx, trolley_speed_ref=vy,
                        hoist_speed_ref=vz, size_ref=self._size_ref(run, snapshot))  # fmt: skip

    def _learn_rope(self, run: Run, leg: LegDrive, now: float) -> None:
        """At arrival: how the load swung during the travel, against how the plan expected it
        to, tells how far the rope model is off; the next leg of this kind plans on it
        (:mod:`crane_ctrl.motion.rope_calibration`)."""
        trace = leg.plan.sway_trace
        if trace is None or not leg.sway_log:
            return
        params = self._rope_params(run)
        fit = fit_rope_offset(trace, leg.sway_log, params, READING_DELAYS_S)
        if fit is None:
            return
        learnt = self.rope.learn(run.delivering, fit)
        if learnt is None:
            return
        kind = "loaded" if run.delivering else "empty"
        log.info(
            "rope model (%s) corrected by %+.3f m to %+.3f m: the travel's swing fits "
            "to %.1f mm RMS (%.1f mm as planned)", kind, fit.offset_m, learnt,
            fit.misfit_m * 1000, fit.plain_misfit_m * 1000,
        )  # fmt: skip
        self._emit({"time": now, "job": run.transfer.job_id, "rope": kind,
                    "rope_offset_m": round(learnt, 3), "correction_m": round(fit.offset_m, 3),
                    "misfit_mm": round(fit.misfit_m * 1000, 1),
                    "planned_misfit_mm": round(fit.plain_misfit_m * 1000, 1)})  # fmt: skip

    def _watch_arrival(self, run: Run, snapshot: Snapshot, z: float, now: float) -> None:
        """Over the last pendulum period of travel, watch the sway less what the travel itself
        swings the load by: at arrival a whole window is watched, and a calm load lands on
        without waiting for one."""
        leg = run.leg
        t = None if leg is None else leg.travel_t(now)
        if leg is None or t is None or leg.plan.travel.duration_s - t > self._period(run, z):
            return
        expected = [leg.plan.expected_sway_m(t - d) for d in READING_DELAYS_S]
        self._calm(run, snapshot, z, now, self.settings.landing_sway_tolerance_m, expected)

    def _not_below(self, ref: float, z: float, floor_m: float, run: Run) -> float:
        """``ref``, but not down past ``floor_m`` (the path-clear height): the plan keeps over
        it; a hoist running ahead of the plan waits for the travel instead of being caught
        by the interlock."""
        if ref >= 0.0:
            return ref
        if z <= floor_m:
            return 0.0
        limits = MotionLimits.from_params(self.params, loaded=run.delivering).hoist
        stop = hoist_reference(
            z, floor_m, limits, creep_from_m=None, creep_mps=self.params.creep_speed_mps
        )
        return max(ref, min(stop, 0.0))

    def _lower(self, run: Run, snapshot: Snapshot, now: float) -> Commands:
        pos = position_of(snapshot)
        if pos is None:
            return Commands(drives_enable=True)
        z = pos[2]
        landing = self._landing_height(run)
        if all_corners(snapshot, "landed"):
            return self._landed(run, z, landing, now)
        if self._off_the_landing(run, pos, now):
            return Commands(drives_enable=True)
        if z <= landing + self.params.creep_distance_m and run.creep_since is None:
            run.creep_since = now
        creep_s = self.params.creep_distance_m / self.params.creep_speed_mps
        late = creep_s + self.settings.landed_timeout_s
        if run.creep_since is not None and now - run.creep_since > late:
            return self._not_landed(run, snapshot, z, landing, now)
        if run.leg is not None and run.leg.overdue(
            now, self.settings.travel_timeout_factor, self.settings.settle_timeout_s
        ):
            self.hold(now, "the landing did not come in time")
            return Commands(drives_enable=True)
        limits = self._limits(snapshot)
        ref = hoist_reference(
            z, landing - OVERTRAVEL_M, limits.hoist,
            creep_from_m=self.params.creep_distance_m + OVERTRAVEL_M,  # distance before target
            creep_mps=self.params.creep_speed_mps,
        )  # fmt: skip
        ready = self._ready_to_land(run, snapshot, pos, now)
        if ready and self._operator_lands_here(run):
            near = abs(z - landing - self.settings.approach_m) <= 2 * HOIST_TOLERANCE_M
            if near and abs(snapshot.number("hoist.speed") or 0.0) < STILL_MPS:
                return self._hand_over(run, z, landing, now)
        ref = self._gated_hoist(run, ref, z, now, ready=ready)
        cleared = self._publish_clear(landing, z)
        steer = cleared and not ready  # a calm load over its goal lands as it hangs (still)
        vx, vy = self._fine(run, snapshot, pos, now) if steer else (0.0, 0.0)
        return Commands(drives_enable=True, gantry_speed_ref=vx, trolley_speed_ref=vy,
                        hoist_speed_ref=ref, size_ref=self._size_ref(run, snapshot))  # fmt: skip

    def _off_the_landing(self, run: Run, pos: XYZ, now: float) -> bool:
        """Too far from the goal to trim (a stop left it there, say): plan the leg again; a
        swing too large to land: settle it first; either again and again: hold for the
        operator."""
        goal, lean = self._xy_goal(run), run.sway.lean
        # the crane belongs between the goal (where a plan puts it) and the lean short of it
        # (where the landing law puts it, so that the leaning load is on the goal)
        off = _to_segment((pos[0], pos[1]), goal, (goal[0] - lean[0], goal[1] - lean[1]))
        if run.sway.watched_s < run.sway.window_s:
            return False  # the lean, and so where the crane belongs, is not known yet
        swinging = run.sway.swing_m() > self.settings.landing_swing_limit_m
        if off <= REPLAN_M and not swinging:
            return False
        run.resettles += 1
        if run.resettles > RESETTLES:
            self.hold(now, "the load will not settle over its landing: check the wind")
        elif swinging:  # first calm it: a swinging load's lean, and so "off", is not known
            run.resume_step = Step.LOWER
            self._enter(Step.SETTLE, now, reason="the load swings too much to land")
        else:
            self._enter(Step.RAISE, now, reason=f"{off:.2f} m off the landing: planned again")
        return True

    def _fine(self, run: Run, snapshot: Snapshot, pos: XYZ, now: float) -> tuple[float, float]:
        """Put the load on the goal and damp its swing (:func:`land_on_goal`), within a share
        of the rated speeds."""
        goal = self._xy_goal(run)
        lean = run.sway.steer_lean(now, (goal[0] - pos[0], goal[1] - pos[1]))
        rate = run.sway.rate()
        limits = self._limits(snapshot)
        refs = []
        for k, lim in ((0, limits.gantry), (1, limits.trolley)):
            ref = land_on_goal(goal[k], pos[k], lean[k], rate[k], run.sway.omega)
            refs.append(clamp(ref, lim.vmax_mps * DAMPING_SPEED_SHARE))
        return refs[0], refs[1]

    def _landed(self, run: Run, z: float, landing: float, now: float) -> Commands:
        if abs(z - landing) > self.settings.landing_height_tolerance_m:
            # all pins pressed, but not where the box should stand: something else is there
            self.hold(now, f"landed at {z:.2f} m, expected {landing:.2f} m: check the slot")
            return Commands(drives_enable=True)
        if run.delivering:  # it stands there now, whatever the twistlocks do next
            self.yard.move(run.transfer.box.id, run.transfer.to)
        self._enter(Step.UNLOCK if run.delivering else Step.LOCK, now)
        return Commands(drives_enable=True)

    def _not_landed(
        self, run: Run, snapshot: Snapshot, z: float, landing: float, now: float
    ) -> Commands:
        why = (
            f"landing not confirmed within {self.settings.landed_timeout_s:g} s of creep "
            "(misaligned or obstructed)"
        )
        resting = abs(z - landing) <= self.settings.landing_height_tolerance_m
        if run.delivering and resting:  # it stands in its slot, whatever a pin says
            self.yard.move(run.transfer.box.id, run.transfer.to)
        return self._fail_safe(run, why, now, snapshot)

    def _gated_hoist(self, run: Run, ref: float, z: float, now: float, *, ready: bool) -> float:
        """``ref``, but not down into the creep zone before the spreader is the box's size,
        and not into the last ``LAND_CHECK_M`` before the landing is ``ready`` (over the goal,
        the load calm)."""
        p = self.params
        landing = self._landing_height(run)
        gate = landing + LAND_CHECK_M
        if self._operator_lands_here(run):
            gate = landing + self.settings.approach_m  # the operator takes it from there
        elif not run.delivering and self._size_ref_needed(run):
            gate = landing + max(p.creep_distance_m, p.safe_clearance_m) + CREEP_ENTRY_MARGIN_M
        elif ready:
            return ref  # (the wait is timed from the first arrival at the gate)
        if ref >= 0.0 or z < gate - HOIST_TOLERANCE_M:
            return ref  # not going down, or committed to the touchdown
        if z <= gate + HOIST_TOLERANCE_M:
            run.creep_since = None  # waiting here is no landing failure: timed from release
            run.gated_since = now if run.gated_since is None else run.gated_since
            if now - run.gated_since > self.settings.settle_timeout_s:
                self._not_settled(run, now)
                return 0.0
        limits = MotionLimits.from_params(p, loaded=run.delivering).hoist
        floor = hoist_reference(z, gate, limits, creep_from_m=None, creep_mps=p.creep_speed_mps)
        return max(ref, min(floor, 0.0))

    def _size_ref_needed(self, run: Run) -> bool:
        last = self._last
        size = None if last is None else last.number("spreader.size")
        return size != run.transfer.box.size_ft

    def _not_settled(self, run: Run, now: float) -> None:
        """The landing waited ``settle_timeout_s`` in vain: a box hanging holds for the
        operator; the empty spreader gives the pick up (raise clear, fail the job)."""
        why = "the load did not settle over its landing: check the wind"
        if run.delivering:
            self.hold(now, why)
            return
        run.failure = why
        self._enter(Step.RAISE_CLEAR, now, reason=why)

    def _ready_to_land(self, run: Run, snapshot: Snapshot, pos: XYZ, now: float) -> bool:
        """Sampled every scan of the landing: telescoped, the load calm and over its goal (the
        crane the lean short of it). After ``landing_patience_s`` at the gate (a gusty wind,
        say) the looser ``sway_tolerance_m`` and twice the position tolerance will do: still
        well inside what the landing pins and the stacking accept.

        Once ready (:attr:`Run.released`), the crane stands still while the load comes down,
        and twice the tolerances keep it so: a fit over a window in which the crane stopped
        reads a little swing, and steering again for that would start a real one."""
        s = self.settings
        patient = run.gated_since is not None and now - run.gated_since > s.landing_patience_s
        sway_tol = s.sway_tolerance_m if patient else s.landing_sway_tolerance_m
        if run.released:
            sway_tol = max(sway_tol, 2.0 * s.landing_sway_tolerance_m)
        calm = self._calm(run, snapshot, pos[2], now, sway_tol)
        size_ok = run.delivering or snapshot.number("spreader.size") == run.transfer.box.size_ft
        goal = self._xy_goal(run)
        lean = run.sway.lean
        tol = s.position_tolerance_m * (2.0 if patient or run.released else 1.0)
        there = all(abs(goal[k] - pos[k] - lean[k]) <= tol for k in (0, 1))
        run.released = calm and size_ok and there
        return run.released

    def _size_ref(self, run: Run, snapshot: Snapshot) -> int | None:
        """The telescope target while the empty spreader must change size (and may)."""
        size = run.transfer.box.size_ft
        if run.delivering or snapshot.number("spreader.size") == size:
            return None
        if any_corner(snapshot, "landed") or not all_corners(snapshot, "unlocked"):
            return None  # the interlock would refuse it: the leg rises clear first
        return size


def _to_segment(p: XY, a: XY, b: XY) -> float:
    """Distance from ``p`` to the segment ``a``-``b``, m."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    u = 0.0 if length2 == 0.0 else ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2
    u = min(1.0, max(0.0, u))
    return math.hypot(p[0] - a[0] - u * dx, p[1] - a[1] - u * dy)

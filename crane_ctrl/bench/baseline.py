"""A naive automatic move, the yardstick of ``crane-ctrl bench moves``. Pure.

What a competent driver without anti-sway or overlap does, as a supervisor sequencer hook with
the :class:`~crane_ctrl.sequencer.automatic_move.Sequencer`'s surface (``start()``, ``outcome``,
``on_event``, ``travel_clear_below_m``). Per half of the job (collect, deliver)::

    telescope? -> raise -> gantry -> trolley -> settle -> lower -> lock -> trial lift   (collect)
                  raise -> gantry -> trolley -> settle -> lower -> unlock -> raise clear (deliver)

* One axis at a time, each as a plain time-optimal trapezoid at the rated limits
  (:func:`~crane_ctrl.motion.planner.trapezoid`, no shaping), followed scan by scan and trimmed onto
  its target with the same positioning laws as ours
  (:func:`~crane_ctrl.motion.planner.fine_position`,
  :func:`~crane_ctrl.motion.planner.hoist_reference`).
* The travel height clears every obstacle under its L-shaped path (gantry leg, then trolley leg)
  by ``safe_clearance_m``: the rule ours follows, with the box to collect counted as an obstacle
  on the way to it.
* Settle: before lowering it waits until the sway sensors read under :data:`SWAY_LIMIT_M` (and
  the crane stands within the positioning tolerance) for one whole swing, i.e. the swing's
  amplitude is under the limit, not just its reading at one instant. A driver does not sit and
  watch a 0.5 %-damped pendulum for minutes: while waiting it "catches" the swing, driving
  gantry and trolley after the load (speed proportional to the sway, a damping of about
  :data:`CATCH_DAMPING` of critical) and back onto the slot.
* Lower fast, slow down, creep the last ``creep_distance_m``, land on the pins (or slack rope).
* The same safety steps as ours, with the same settings (:class:`SequencerSettings`): lock and
  unlock confirmed, a trial lift that weighs the load after ``settle_s``, raise clear to the same
  height. So the comparison measures the motion strategy, not skipped checks.

Benchmark code, not a production sequencer: on any failure it stops, makes the load as safe as
the step allows (set back down, unlock, raise empty) and fails the job; it never holds or resumes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from crane_ctrl.commands import Commands
from crane_ctrl.crane import CraneParams
from crane_ctrl.interlocks.evaluate import Permits
from crane_ctrl.motion.planner import (
    AxisLimits,
    MotionLimits,
    Profile1D,
    fine_position,
    hoist_reference,
    pendulum_period_s,
    trapezoid,
)
from crane_ctrl.operation.yard_model import YardModel
from crane_ctrl.sequencer.automatic_move import Outcome, SequencerSettings
from crane_ctrl.sequencer.controller import CraneContext, EventSink, JobSlot
from crane_ctrl.sequencer.readings import carried, seated
from crane_ctrl.sequencer.transfer import Transfer, all_corners
from crane_ctrl.snapshot import Snapshot

__all__ = ["CATCH_DAMPING", "SWAY_LIMIT_M", "NaiveOperator", "NaiveStep"]

SWAY_LIMIT_M = 0.05
"""The sway (load offset from plumb, both directions together) under which it lowers, m."""
CATCH_DAMPING = 0.5
"""Damping ratio the catching adds to the pendulum: travel speed = 2 x this x omega x sway."""
_CATCH_RECENTRE_PER_S = 0.2
"""Gain pulling the crane back onto the slot while catching, 1/s (slow against the swing)."""
_OVERSHOOT_M = 0.05
"""As ours: aim this far above a raise goal so the hoist passes it."""
_LANDING_OVERTRAVEL_M = 0.3
"""As ours: the landing creeps towards this far below the expected touchdown."""
_SCAN_LEAD_S = 0.05
"""As ours: a profile is followed one scan ahead (the drives act a scan later)."""
_STEP_TIMEOUT_S = 300.0
"""A step that takes longer than this has failed (the benchmark has no faults)."""


class NaiveStep(StrEnum):
    TELESCOPE = "telescope"
    RAISE = "raise"
    GANTRY = "gantry"
    TROLLEY = "trolley"
    SETTLE = "settle"
    LOWER = "lower"
    LOCK = "lock"
    TRIAL_LIFT = "trial lift"
    SET_BACK = "set back down"
    UNLOCK = "unlock"
    RAISE_CLEAR = "raise clear"


@dataclass
class _Run:
    transfer: Transfer
    delivering: bool = False
    step: NaiveStep = NaiveStep.TELESCOPE
    since: float = 0.0
    profile: Profile1D | None = None
    travel_z: float = 0.0
    mark_z: float = 0.0
    mark_t: float | None = None
    failure: str | None = None


class NaiveOperator:
    """One axis at a time, plain trapezoids, waits for the sway (a Supervisor sequencer hook).
    Built, like ours, of the crane context and a job slot
    (:mod:`crane_ctrl.sequencer.controller`)."""

    def __init__(
        self,
        params: CraneParams,
        yard: YardModel,
        settings: SequencerSettings | None = None,
        *,
        on_event: EventSink | None = None,
    ) -> None:
        self.crane = CraneContext(params, yard, settings or SequencerSettings(), on_event)
        self.job = JobSlot[_Run](self.crane)

    @property
    def params(self) -> CraneParams:
        return self.crane.params

    @property
    def yard(self) -> YardModel:
        return self.crane.yard

    @property
    def settings(self) -> SequencerSettings:
        return self.crane.settings

    @property
    def run(self) -> _Run | None:
        return self.job.run

    @property
    def outcome(self) -> tuple[str, Outcome, str] | None:
        return self.job.outcome

    @property
    def travel_clear_below_m(self) -> float | None:
        """Read by the supervisor for the travel-height interlock."""
        return self.job.clear_below_m

    def start(self, transfer: Transfer, now: float) -> None:
        if self.run is not None:
            raise ValueError(f"job {self.run.transfer.job_id} is still running")
        self.job.run = _Run(transfer, since=now)
        self.job.outcome = None
        self._enter(NaiveStep.TELESCOPE, now)

    def __call__(self, snapshot: Snapshot, permits: Permits, now: float) -> Commands:
        run = self.run
        if run is None:
            self.job.clear_below_m = None
            return Commands(drives_enable=False)
        if now - run.since > _STEP_TIMEOUT_S:
            why = f"{run.step} did not finish within {_STEP_TIMEOUT_S:g} s"
            if run.failure is not None:
                return self._finish(Outcome.FAILED, f"{run.failure}; {why}", now)
            return self._fail(run, why, now)
        return _STEPS[run.step](self, run, snapshot, now)

    # --- bookkeeping

    def _enter(self, step: NaiveStep, now: float, *, reason: str = "") -> None:
        run = self.run
        assert run is not None
        run.step, run.since, run.profile, run.mark_t = step, now, None, None
        self.job.step_event(run, str(step), now, reason)

    def _finish(self, outcome: Outcome, reason: str, now: float) -> Commands:
        return self.job.finish(outcome, reason, now)

    def _fail(self, run: _Run, reason: str, now: float) -> Commands:
        """Stop what it does and make the load safe, then fail with ``reason``."""
        run.failure = reason
        if run.step in (NaiveStep.LOCK, NaiveStep.UNLOCK):
            self._enter(NaiveStep.UNLOCK, now, reason=reason)
        elif run.step is NaiveStep.TRIAL_LIFT:
            self._enter(NaiveStep.SET_BACK, now, reason=reason)
        elif run.step is NaiveStep.RAISE_CLEAR or not run.delivering:
            self._enter(NaiveStep.RAISE_CLEAR, now, reason=reason)
        else:  # a load in the air: a benchmark stops here and says so
            return self._finish(Outcome.FAILED, f"{reason}; load left hanging", now)
        return Commands(drives_enable=True)

    # --- the steps

    def _telescope(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        size = run.transfer.box.size_ft
        if snapshot.number("spreader.size") == size:
            self._enter(NaiveStep.RAISE, now)
            return Commands(drives_enable=True)
        return Commands(drives_enable=True, size_ref=size)

    def _raise(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        if run.profile is None:
            run.travel_z = self._travel_height(run, snapshot)
        return self._hoist_up(run, snapshot, now, run.travel_z, NaiveStep.GANTRY)

    def _gantry(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        self.job.clear_below_m = run.travel_z
        goal = self._xy_goal(run)[0]
        return self._travel(run, snapshot, now, "gantry", goal, NaiveStep.TROLLEY)

    def _trolley(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        goal = self._xy_goal(run)[1]
        return self._travel(run, snapshot, now, "trolley", goal, NaiveStep.SETTLE)

    def _settle(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        read = _numbers(snapshot, "sway.gantry", "sway.trolley", "gantry.position",
                        "trolley.position", "hoist.position")  # fmt: skip
        if read is None:
            return Commands(drives_enable=True)
        sway, pos, z = read[:2], read[2:4], read[4]
        goal = self._xy_goal(run)
        errors = (goal[0] - pos[0], goal[1] - pos[1])
        box = run.transfer.box
        period = pendulum_period_s(
            z, self.params, loaded=run.delivering, container_height_m=box.height_m
        )
        tol = self.settings.position_tolerance_m
        if math.hypot(*sway) >= SWAY_LIMIT_M or any(abs(e) > tol for e in errors):
            run.mark_t = None
        elif run.mark_t is None:
            run.mark_t = now
        elif now - run.mark_t >= period:  # under the limit for a whole swing: it is settled
            self._enter(NaiveStep.LOWER, now)
            return Commands(drives_enable=True)
        omega = 2.0 * math.pi / period
        limits = self._limits(run)
        vx = _catch(sway[0], errors[0], omega, limits.gantry)
        vy = _catch(sway[1], errors[1], omega, limits.trolley)
        return Commands(drives_enable=True, gantry_speed_ref=vx, trolley_speed_ref=vy)

    def _lower(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        self.job.clear_below_m = None
        z = snapshot.number("hoist.position")
        if z is None:
            return Commands(drives_enable=True)
        landing = self._landing_height(run)
        creep_from = landing + self.params.creep_distance_m
        slack = snapshot.flag("hoist.slack_rope", unsafe=False) and z <= creep_from
        if seated(snapshot) or slack:
            self._enter(NaiveStep.UNLOCK if run.delivering else NaiveStep.LOCK, now)
            return Commands(drives_enable=True)
        if run.mark_t is None and z <= creep_from:
            run.mark_t = now
        creep_s = self.params.creep_distance_m / self.params.creep_speed_mps
        if run.mark_t is not None and now - run.mark_t > creep_s + self.crane.landed_timeout_s:
            return self._fail(run, "landing not confirmed (misaligned or obstructed)", now)
        ref = hoist_reference(
            z, landing - _LANDING_OVERTRAVEL_M, self._limits(run).hoist,
            creep_from_m=self.params.creep_distance_m + _LANDING_OVERTRAVEL_M,
            creep_mps=self.params.creep_speed_mps,
        )  # fmt: skip
        return Commands(drives_enable=True, hoist_speed_ref=ref)

    def _lock(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        if all_corners(snapshot, "locked"):
            self._enter(NaiveStep.TRIAL_LIFT, now)
            run.mark_z = (snapshot.number("hoist.position") or 0.0) + self.crane.trial_lift_m
            return Commands(drives_enable=True)
        if now - run.since > self.crane.lock_timeout_s:
            return self._fail(run, "twistlocks not locked", now)
        return Commands(drives_enable=True, lock=True)

    def _trial_lift(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        load = snapshot.number("hoist.load")
        if load is not None and load > self.params.overload_trip_t:
            return self._fail(run, f"overweight: {load:.1f} t", now)
        if snapshot.flag("lane.truck_lifted", unsafe=False):
            return self._fail(run, "truck lifted with the container", now)
        if run.mark_t is None and carried(snapshot):
            run.mark_t = now  # the ropes take the box: let the load cell settle
        z = snapshot.number("hoist.position")
        if z is not None and z >= run.mark_z:
            if run.mark_t is not None and now - run.mark_t >= self.settings.settle_s:
                run.delivering = True
                self._enter(NaiveStep.RAISE, now)
            return Commands(drives_enable=True)
        return Commands(drives_enable=True, hoist_speed_ref=self.settings.trial_lift_mps)

    def _set_back(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        if seated(snapshot):
            self._enter(NaiveStep.UNLOCK, now, reason=run.failure or "")
            return Commands(drives_enable=True)
        return Commands(drives_enable=True, hoist_speed_ref=-self.params.creep_speed_mps)

    def _unlock(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        if all_corners(snapshot, "unlocked"):
            if run.delivering and run.failure is None:
                self.yard.move(run.transfer.box.id, run.transfer.to)
            self._enter(NaiveStep.RAISE_CLEAR, now, reason=run.failure or "")
            return Commands(drives_enable=True)
        if now - run.since > self.crane.lock_timeout_s:
            return self._finish(Outcome.FAILED, "twistlocks not unlocked", now)
        return Commands(drives_enable=True, unlock=True)

    def _raise_clear(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        goal = self._landing_height(run) + self.params.safe_clearance_m + 1.0
        z = snapshot.number("hoist.position")
        if z is not None and z >= goal:
            if run.failure is not None:
                return self._finish(Outcome.FAILED, run.failure, now)
            return self._finish(Outcome.DONE, "", now)
        return self._hoist_up(run, snapshot, now, goal, None)

    # --- one axis at a time

    def _hoist_up(
        self, run: _Run, snapshot: Snapshot, now: float, goal: float, then: NaiveStep | None
    ) -> Commands:
        """Raise to ``goal`` on a trapezoid, trimmed; then enter ``then`` (None: stay)."""
        z = snapshot.number("hoist.position")
        if z is None:
            return Commands(drives_enable=True)
        if z >= goal:  # aimed past it: the hoist passes the goal
            if then is not None:
                self._enter(then, now)
            return Commands(drives_enable=True)
        limits = self._limits(run).hoist
        if run.profile is None:
            run.profile = trapezoid(goal + _OVERSHOOT_M - z, limits)
        t = now - run.since
        if t < run.profile.duration_s:
            return Commands(
                drives_enable=True, hoist_speed_ref=run.profile.velocity(t + _SCAN_LEAD_S)
            )
        ref = hoist_reference(z, goal + _OVERSHOOT_M, limits, creep_from_m=None,
                              creep_mps=self.params.creep_speed_mps)  # fmt: skip
        return Commands(drives_enable=True, hoist_speed_ref=ref)

    def _travel(
        self, run: _Run, snapshot: Snapshot, now: float, axis: str, goal: float, then: NaiveStep
    ) -> Commands:
        """Move ``axis`` to ``goal`` on a trapezoid, then trim it within the tolerance."""
        x, v = snapshot.number(f"{axis}.position"), snapshot.number(f"{axis}.speed") or 0.0
        if x is None:
            return Commands(drives_enable=True)
        limits: AxisLimits = getattr(self._limits(run), axis)
        if run.profile is None:
            run.profile = trapezoid(goal - x, limits)
        t = now - run.since
        if t < run.profile.duration_s:
            ref = run.profile.velocity(t + _SCAN_LEAD_S)
            return Commands(drives_enable=True).with_speed(axis, ref)
        tol = self.settings.position_tolerance_m
        if abs(goal - x) <= tol:
            self._enter(then, now)
            return Commands(drives_enable=True)
        ref = fine_position(goal - x, v, limits, tolerance_m=tol)
        return Commands(drives_enable=True).with_speed(axis, ref)

    # --- geometry (as ours)

    def _limits(self, run: _Run) -> MotionLimits:
        return MotionLimits.from_params(self.params, loaded=run.delivering)

    def _xy_goal(self, run: _Run) -> tuple[float, float]:
        return run.transfer.goal_xy(self.yard, delivering=run.delivering)

    def _landing_height(self, run: _Run) -> float:
        return run.transfer.landing_height_m(self.yard, delivering=run.delivering)

    def _travel_height(self, run: _Run, snapshot: Snapshot) -> float:
        """Clear of everything under the gantry leg and then the trolley leg, and no lower than
        where the hoist is."""
        x0 = snapshot.number("gantry.position") or 0.0
        y0 = snapshot.number("trolley.position") or 0.0
        x1, y1 = self._xy_goal(run)
        legs = (((x0, y0), (x1, y0)), ((x1, y0), (x1, y1)))
        heights = [
            run.transfer.clear_height_m(self.yard, self.params, leg, delivering=run.delivering)
            for leg in legs
        ]
        return max(*heights, snapshot.number("hoist.position") or 0.0)


_Handler = Callable[[NaiveOperator, _Run, Snapshot, float], Commands]
_STEPS: dict[NaiveStep, _Handler] = {
    NaiveStep.TELESCOPE: NaiveOperator._telescope,
    NaiveStep.RAISE: NaiveOperator._raise,
    NaiveStep.GANTRY: NaiveOperator._gantry,
    NaiveStep.TROLLEY: NaiveOperator._trolley,
    NaiveStep.SETTLE: NaiveOperator._settle,
    NaiveStep.LOWER: NaiveOperator._lower,
    NaiveStep.LOCK: NaiveOperator._lock,
    NaiveStep.TRIAL_LIFT: NaiveOperator._trial_lift,
    NaiveStep.SET_BACK: NaiveOperator._set_back,
    NaiveStep.UNLOCK: NaiveOperator._unlock,
    NaiveStep.RAISE_CLEAR: NaiveOperator._raise_clear,
}
"""Each step's handler; every step has one (checked at import)."""
if set(_STEPS) != set(NaiveStep):
    raise ValueError(f"baseline steps without a handler: {sorted(set(NaiveStep) - set(_STEPS))}")


def _catch(sway_m: float, error_m: float, omega: float, limits: AxisLimits) -> float:
    """Travel speed that damps the swing (follow the load) and drifts back onto the target."""
    speed = 2.0 * CATCH_DAMPING * omega * sway_m + _CATCH_RECENTRE_PER_S * error_m
    return max(-limits.vmax_mps, min(limits.vmax_mps, speed))


def _numbers(snapshot: Snapshot, *names: str) -> tuple[float, ...] | None:
    """The named readings, or None while any of them is missing."""
    values = [snapshot.number(n) for n in names]
    return None if None in values else tuple(v or 0.0 for v in values)

"""The automatic move: a pick-and-drop step machine that proposes commands every scan. Pure.

A job moves one container from one slot to another. The machine walks these steps (DOMAIN.md,
"The automatic move"), each with what it commands, how it ends, how long it may take, and what
happens when it cannot finish::

    collect:  telescope? -> raise -> travel -> lower -> lock -> trial lift
    deliver:  raise -> travel -> lower -> unlock -> raise clear -> done

Never leave a load unsafe. Twistlocks not confirmed locked: unlock, raise empty, fail the job.
Overweight or a lifted truck at the trial lift: set the load back down, unlock, raise empty, fail.
Landing not confirmed in time (misaligned, obstructed): stop, raise, fail. A comms fault or any
trip while moving: everything stops (the interlocks see to that) and the machine holds; it goes
on only when an operator resumes it. The sequencer proposes; the interlocks dispose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from crane_ctrl.commands import AXES, Commands
from crane_ctrl.crane import CraneParams
from crane_ctrl.interlocks import Motion, Permits
from crane_ctrl.motion import (
    MotionLimits,
    TravelPlan,
    fine_position,
    hoist_reference,
    pendulum_period_s,
)
from crane_ctrl.snapshot import Snapshot
from crane_ctrl.transfer import Transfer, all_corners, any_corner
from crane_ctrl.yard_model import YardModel

__all__ = ["Outcome", "Sequencer", "SequencerSettings", "Step", "Transfer"]


_CALM_SHARE = 0.6
"""Sway must stay within tolerance this share of a pendulum period before lowering."""
_DAMPING_SPEED_SHARE = 0.4
"""Sway damping may use this share of an axis's rated speed."""
_OVERTRAVEL_M = 0.3
"""Lowering aims this far below the landing height: the pins stop it, not the target."""
_OVERSHOOT_M = 0.05
"""Aim this far above a raise goal so the hoist passes it rather than creeping up to it."""
_SCAN_LEAD_S = 0.05
"""References are taken one scan ahead so the drives follow the profile, not lag it."""

_STOPS = frozenset(
    {
        "ESTOP", "NOT_REMOTE", "WATCHDOG_TRIP", "WIND_STORM", "WIND_STOP", "COMMS_FAULT",
        "LANE_NOT_CLEAR", "STORM_PINS_DOWN",
    }
)  # fmt: skip
"""Trips that hold a move until an operator has looked and resumed it (wind stop: the load is
held where it is; setting it down elsewhere would land it off any support in that wind)."""


class Step(StrEnum):
    IDLE = "idle"
    TELESCOPE = "telescope"
    RAISE = "raise"
    TRAVEL = "travel"
    LOWER = "lower"
    LOCK = "lock"
    TRIAL_LIFT = "trial lift"
    SET_BACK = "set back down"
    UNLOCK = "unlock"
    RAISE_CLEAR = "raise clear"
    SETTLE = "settle sway"
    HELD = "held"


class Outcome(StrEnum):
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SequencerSettings:
    """Timeouts and tolerances of the automatic move (defaults from DOMAIN.md)."""

    position_tolerance_m: float = 0.02
    lock_timeout_s: float = 3.0
    landed_timeout_s: float = 5.0
    """After creep starts; plus the creep time itself (0.5 m at 0.1 m/s)."""
    telescope_timeout_s: float = 30.0
    trial_lift_m: float = 0.10
    """Drum travel of the slow first lift: beyond rope stretch and the truck-lift trip height."""
    trial_lift_mps: float = 0.05
    settle_s: float = 1.0
    """After lift-off, hold this long before the weight counts (rope stretch, load cell)."""
    sway_tolerance_m: float = 0.04
    """Load offset from plumb allowed before lowering onto a landing (sway sensors, if fitted)."""
    sway_damping_gain: float = 0.5
    """1/s: speed added per metre of sway while holding position (moves under the load)."""
    landing_height_tolerance_m: float = 0.15
    """Landed this far from the expected height means something else is under the spreader."""
    travel_timeout_factor: float = 2.0
    settle_timeout_s: float = 90.0
    """On top of the planned travel: fine positioning and damping sway (after a stop, say)."""
    """A step that takes this many times its planned time has failed."""
    hold_on_trip: bool = True


@dataclass
class _Run:
    """The job being executed: where in it we are."""

    transfer: Transfer
    delivering: bool = False
    step: Step = Step.IDLE
    since: float = 0.0
    plan: TravelPlan | None = None
    target_z: float = 0.0
    creep_since: float | None = None
    failure: str | None = None
    resume_step: Step | None = None
    hold_reason: str = ""
    calm_since: float | None = None
    sway_log: list[tuple[float, float, float]] = field(default_factory=list)
    events: list[dict[str, object]] = field(default_factory=list)


class Sequencer:
    """Proposes one scan's commands for the job at hand (a Supervisor sequencer hook)."""

    def __init__(
        self,
        params: CraneParams,
        yard: YardModel,
        settings: SequencerSettings | None = None,
        *,
        on_event: Callable[[dict[str, object]], None] | None = None,
    ) -> None:
        self.params = params
        self.yard = yard
        self.settings = settings or SequencerSettings()
        self.on_event = on_event
        self.run: _Run | None = None
        self.travel_clear_below_m: float | None = None
        """Read by the supervisor for the travel-height interlock."""
        self._permits: Permits | None = None
        self._last: Snapshot | None = None
        self.outcome: tuple[str, Outcome, str] | None = None
        """(job id, outcome, reason) of the last finished job."""

    # --- the operator's way in

    def start(self, transfer: Transfer, now: float) -> None:
        if self.run is not None:
            raise ValueError(f"job {self.run.transfer.job_id} is still running")
        self.run = _Run(transfer, since=now)
        self.outcome = None
        self._enter(Step.TELESCOPE, now)

    def hold(self, now: float, reason: str) -> None:
        """Stop where it is (the move goes on from here after :meth:`resume`)."""
        run = self.run
        if run is None or run.step is Step.HELD:
            return
        run.resume_step = self._restart_step(run)
        run.hold_reason = reason
        self._enter(Step.HELD, now, reason=reason)

    def resume(self, now: float) -> None:
        """Go on after a hold (the operator has seen why it held)."""
        run = self.run
        if run is not None and run.step is Step.HELD and run.resume_step is not None:
            resting = self._last is not None and any_corner(self._last, "landed")
            # a stop leaves a hanging load swinging: calm it first; a resting one goes straight on
            self._enter(run.resume_step if resting else Step.SETTLE, now)

    # --- one scan

    def __call__(self, snapshot: Snapshot, permits: Permits, now: float) -> Commands:
        run = self.run
        if run is None:
            self.travel_clear_below_m = None
            return Commands(drives_enable=False)
        if run.step is not Step.HELD and self._must_hold(snapshot, permits):
            self.hold(now, snapshot.comms_reason or _trips(permits))
        self._permits = permits
        self._last = snapshot
        lifting = run.delivering and run.failure is None and run.step is Step.RAISE
        if lifting and snapshot.flag("lane.truck_lifted", unsafe=False):
            return self._fail_safe(run, "truck lifted with the container", now, snapshot)
        if run.delivering and run.failure is None and run.step in (Step.RAISE, Step.TRAVEL):
            load = snapshot.number("hoist.load")
            if load is not None and load > self.params.overload_trip_t:
                limit = self.params.overload_trip_t
                return self._fail_safe(
                    run, f"overweight: {load:.1f} t > {limit:.1f} t", now, snapshot
                )
        step = getattr(self, f"_{run.step.name.lower()}")
        commands: Commands = step(run, snapshot, now)
        return commands

    def _must_hold(self, snapshot: Snapshot, permits: Permits) -> bool:
        """A comms fault, a stop trip or a drive fault: hold until the operator resumes."""
        if not snapshot.comms_ok:
            return True
        if any(snapshot.flag(f"{axis}.fault", unsafe=True) for axis in AXES):
            return True
        return self.settings.hold_on_trip and any(
            t.id in _STOPS and not t.fail_safe for t in permits.active
        )

    @staticmethod
    def _restart_step(run: _Run) -> Step:
        """After a hold a motion step is planned again from where the crane is."""
        if run.step is Step.SETTLE:  # a stop while settling: go on with what settling was for
            return run.resume_step or Step.RAISE
        return Step.RAISE if run.step in (Step.TRAVEL,) else run.step

    # --- step bookkeeping

    def _enter(self, step: Step, now: float, *, reason: str = "") -> None:
        run = self.run
        assert run is not None
        run.step, run.since, run.plan, run.creep_since = step, now, None, None
        run.calm_since = None
        run.sway_log.clear()
        event = {"time": now, "job": run.transfer.job_id, "step": str(step), "reason": reason,
                 "phase": "deliver" if run.delivering else "collect"}  # fmt: skip
        run.events.append(event)
        if self.on_event is not None:
            self.on_event(event)

    def _finish(self, outcome: Outcome, reason: str, now: float) -> Commands:
        run = self.run
        assert run is not None
        self.outcome = (run.transfer.job_id, outcome, reason)
        event = {"time": now, "job": run.transfer.job_id, "outcome": str(outcome), "reason": reason}
        if self.on_event is not None:
            self.on_event(event)
        self.run = None
        self.travel_clear_below_m = None
        return Commands(drives_enable=True)

    def _fail_safe(self, run: _Run, reason: str, now: float, snapshot: Snapshot) -> Commands:
        """Start making the load safe, then fail the job with ``reason``."""
        run.failure = reason
        if all_corners(snapshot, "locked") and any_corner(snapshot, "landed"):
            self._enter(Step.UNLOCK, now, reason=reason)
        elif all_corners(snapshot, "locked"):
            self._enter(Step.SET_BACK, now, reason=reason)
        else:
            self._enter(Step.RAISE_CLEAR, now, reason=reason)
        return Commands(drives_enable=True)

    # --- the steps (each returns this scan's proposal)

    def _idle(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        return Commands(drives_enable=True)

    def _held(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        return Commands(drives_enable=True)

    def _settle_sway(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        """Damp the sway where the crane stands (moving under the load), then go on."""
        z = snapshot.number("hoist.position")
        if z is None or self._calm(run, snapshot, z, now):
            self._enter(run.resume_step or Step.RAISE, now)
            return Commands(drives_enable=True)
        if now - run.since > self.settings.settle_timeout_s:
            self.hold(now, "sway did not settle: check wind and what the crane may reach")
            return Commands(drives_enable=True)
        sx, sy = self._swing(run, snapshot)
        limits = self._limits(snapshot)
        gain = self.settings.sway_damping_gain
        vx = _clamp(gain * sx, limits.gantry.vmax_mps * _DAMPING_SPEED_SHARE)
        vy = _clamp(gain * sy, limits.trolley.vmax_mps * _DAMPING_SPEED_SHARE)
        return Commands(drives_enable=True, gantry_speed_ref=vx, trolley_speed_ref=vy)

    _settle = _settle_sway

    def _calm(self, run: _Run, snapshot: Snapshot, z: float, now: float) -> bool:
        """The swing (peak to peak over most of a period) within tolerance; a steady lean in
        the wind is no swing."""
        period = pendulum_period_s(
            z, self.params, loaded=self._loaded(run), container_height_m=run.transfer.box.height_m
        )
        window = _CALM_SHARE * period
        run.sway_log.append((now, *_sway(snapshot)))
        while run.sway_log and run.sway_log[0][0] < now - window:
            run.sway_log.pop(0)
        if run.calm_since is None:
            run.calm_since = now
        if now - run.calm_since < window:
            return False
        xs = [s[1] for s in run.sway_log]
        ys = [s[2] for s in run.sway_log]
        swing = max(max(xs) - min(xs), max(ys) - min(ys)) / 2
        return swing <= self.settings.sway_tolerance_m

    def _swing(self, run: _Run, snapshot: Snapshot) -> tuple[float, float]:
        """Sway less the lean (the mean over the last window): what damping should act on."""
        sx, sy = _sway(snapshot)
        if not run.sway_log:
            return sx, sy
        n = len(run.sway_log)
        return sx - sum(s[1] for s in run.sway_log) / n, sy - sum(s[2] for s in run.sway_log) / n

    def _telescope(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        size = run.transfer.box.size_ft
        if snapshot.number("spreader.size") == size:
            self._enter(Step.RAISE, now)
            return Commands(drives_enable=True)
        if now - run.since > self.settings.telescope_timeout_s:
            return self._finish(Outcome.FAILED, f"spreader did not telescope to {size} ft", now)
        return Commands(drives_enable=True, size_ref=size)

    def _raise(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        z = snapshot.number("hoist.position")
        if z is None:
            return Commands(drives_enable=True)
        goal = self._travel_height(run, snapshot)
        self.travel_clear_below_m = goal
        if z >= goal:
            self._enter(Step.TRAVEL, now)
            return Commands(drives_enable=True)
        return self._hoist_to(z, goal + _OVERSHOOT_M, snapshot)

    def _travel(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        x, y, z = (snapshot.number(f"{a}.position") for a in ("gantry", "trolley", "hoist"))
        if x is None or y is None or z is None:
            return Commands(drives_enable=True)
        goal = self._xy_goal(run)
        limits = self._limits(snapshot)
        if run.plan is None:
            period = pendulum_period_s(z, self.params, loaded=self._loaded(run),
                                       container_height_m=run.transfer.box.height_m)  # fmt: skip
            run.plan = TravelPlan.plan((x, y), goal, limits.gantry, limits.trolley, period)
        t = now - run.since
        allowance = self.settings.settle_timeout_s
        if t > run.plan.duration_s * self.settings.travel_timeout_factor + allowance:
            # never set a load down mid-path: hold where it is for the operator
            self.hold(now, "travel did not arrive in time")
            return Commands(drives_enable=True)
        if t < run.plan.duration_s:
            vx, vy = run.plan.reference(t + _SCAN_LEAD_S)  # the drives act one scan later
            return Commands(drives_enable=True, gantry_speed_ref=vx, trolley_speed_ref=vy)
        ex, ey = goal[0] - x, goal[1] - y
        tol = self.settings.position_tolerance_m
        calm = self._calm(run, snapshot, z, now)
        sx, sy = self._swing(run, snapshot)
        if abs(ex) <= tol and abs(ey) <= tol and calm:
            self._enter(Step.LOWER, now)
            return Commands(drives_enable=True)
        vx = fine_position(
            ex, snapshot.number("gantry.speed") or 0.0, limits.gantry, tolerance_m=tol
        )
        vy = fine_position(
            ey, snapshot.number("trolley.speed") or 0.0, limits.trolley, tolerance_m=tol
        )
        # move the suspension under the swinging load (the sway sensor's offset): damps sway
        gain = self.settings.sway_damping_gain
        vx = _clamp(vx + gain * sx, limits.gantry.vmax_mps * _DAMPING_SPEED_SHARE)
        vy = _clamp(vy + gain * sy, limits.trolley.vmax_mps * _DAMPING_SPEED_SHARE)
        return Commands(drives_enable=True, gantry_speed_ref=vx, trolley_speed_ref=vy)

    def _lower(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        z = snapshot.number("hoist.position")
        if z is None:
            return Commands(drives_enable=True)
        landing = self._landing_height(run)
        creep_from = landing + self.params.creep_distance_m
        if all_corners(snapshot, "landed"):
            if abs(z - landing) > self.settings.landing_height_tolerance_m:
                # all pins pressed, but not where the box should stand: something else is there
                self.hold(now, f"landed at {z:.2f} m, expected {landing:.2f} m: check the slot")
                return Commands(drives_enable=True)
            if run.delivering:  # it stands there now, whatever the twistlocks do next
                self.yard.move(run.transfer.box.id, run.transfer.to)
            self._enter(Step.UNLOCK if run.delivering else Step.LOCK, now)
            return Commands(drives_enable=True)
        if z <= creep_from and run.creep_since is None:
            run.creep_since = now
        creep_s = self.params.creep_distance_m / self.params.creep_speed_mps
        if (
            run.creep_since is not None
            and now - run.creep_since > creep_s + self.settings.landed_timeout_s
        ):
            why = (
                f"landing not confirmed within {self.settings.landed_timeout_s:g} s of creep "
                "(misaligned or obstructed)"
            )
            resting = abs(z - landing) <= self.settings.landing_height_tolerance_m
            if run.delivering and resting:  # it stands in its slot, whatever a pin says
                self.yard.move(run.transfer.box.id, run.transfer.to)
            return self._fail_safe(run, why, now, snapshot)
        limits = self._limits(snapshot)
        ref = hoist_reference(
            z, landing - _OVERTRAVEL_M, limits.hoist,
            creep_from_m=self.params.creep_distance_m + _OVERTRAVEL_M,  # distance before target
            creep_mps=self.params.creep_speed_mps,
        )  # fmt: skip
        return Commands(drives_enable=True, hoist_speed_ref=ref)

    def _lock(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        if all_corners(snapshot, "locked"):
            self._enter(Step.TRIAL_LIFT, now)
            run.target_z = (snapshot.number("hoist.position") or 0.0) + self.settings.trial_lift_m
            return Commands(drives_enable=True)
        if now - run.since > self.settings.lock_timeout_s:
            run.failure = f"twistlocks not locked within {self.settings.lock_timeout_s:g} s"
            self._enter(Step.UNLOCK, now, reason=run.failure)
            return Commands(drives_enable=True)
        return Commands(drives_enable=True, lock=True)

    def _trial_lift(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        load = snapshot.number("hoist.load")
        limit = self.params.overload_trip_t
        if load is not None and load > limit:
            return self._fail_safe(run, f"overweight: {load:.1f} t > {limit:.1f} t", now, snapshot)
        if snapshot.flag("lane.truck_lifted", unsafe=False):
            return self._fail_safe(run, "truck lifted with the container", now, snapshot)
        z = snapshot.number("hoist.position")
        clear = not any_corner(snapshot, "landed")
        if clear and run.creep_since is None:
            run.creep_since = now  # the box has left its support: let the load cell settle
        settled = run.creep_since is not None and now - run.creep_since >= self.settings.settle_s
        if z is not None and z >= run.target_z and settled:
            run.delivering = True
            self._enter(Step.RAISE, now)
            return Commands(drives_enable=True)
        if z is not None and z >= run.target_z:
            return Commands(drives_enable=True)  # hold still while the weight is measured
        return Commands(drives_enable=True, hoist_speed_ref=self.settings.trial_lift_mps)

    def _set_back_down(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        if all_corners(snapshot, "landed"):
            self._enter(Step.UNLOCK, now, reason=run.failure or "")
            return Commands(drives_enable=True)
        return Commands(drives_enable=True, hoist_speed_ref=-self.params.creep_speed_mps)

    _set_back = _set_back_down

    def _unlock(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        if all_corners(snapshot, "unlocked"):
            self._enter(Step.RAISE_CLEAR, now, reason=run.failure or "")
            return Commands(drives_enable=True)
        if now - run.since > self.settings.lock_timeout_s:
            return self._finish(Outcome.FAILED, "twistlocks not unlocked: load left landed, "
                                "spreader stays for the maintenance crew", now)  # fmt: skip
        return Commands(drives_enable=True, unlock=True)

    def _raise_clear(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        z = snapshot.number("hoist.position")
        if z is None:
            return Commands(drives_enable=True)
        latched = self._latched_against(Motion.HOIST_UP)
        if run.failure is not None and latched:
            # the load is safe (set down, unlocked); lifting waits for an operator reset
            why = f"{run.failure}; spreader left landed until {', '.join(latched)} is reset"
            return self._finish(Outcome.FAILED, why, now)
        goal = self._landing_height(run) + self.params.safe_clearance_m + 1.0
        if z >= goal:
            if run.failure is not None:
                return self._finish(Outcome.FAILED, run.failure, now)
            return self._finish(Outcome.DONE, "", now)
        return self._hoist_to(z, goal + _OVERSHOOT_M, snapshot)

    def _latched_against(self, motion: Motion) -> list[str]:
        permits = self._permits
        if permits is None:
            return []
        return [t.id for t in permits.why_not(motion) if t.latched]

    def _hoist_to(self, z: float, goal: float, snapshot: Snapshot) -> Commands:
        limits = self._limits(snapshot).hoist
        creep = self.params.creep_speed_mps
        ref = hoist_reference(z, goal, limits, creep_from_m=None, creep_mps=creep)
        return Commands(drives_enable=True, hoist_speed_ref=ref)

    # --- geometry

    def _loaded(self, run: _Run) -> bool:
        return run.delivering

    def _limits(self, snapshot: Snapshot) -> MotionLimits:
        loaded = self.run is not None and self.run.delivering
        return MotionLimits.from_params(self.params, loaded=loaded)

    def _xy_goal(self, run: _Run) -> tuple[float, float]:
        return run.transfer.goal_xy(self.yard, delivering=run.delivering)

    def _landing_height(self, run: _Run) -> float:
        return run.transfer.landing_height_m(self.yard, delivering=run.delivering)

    def _travel_height(self, run: _Run, snapshot: Snapshot) -> float:
        x, y = snapshot.number("gantry.position"), snapshot.number("trolley.position")
        path = ((x or 0.0, y or 0.0), self._xy_goal(run))
        return run.transfer.clear_height_m(self.yard, self.params, path, delivering=run.delivering)


def _trips(permits: Permits) -> str:
    return "; ".join(str(t) for t in permits.active if t.id in _STOPS and not t.fail_safe)


def _sway(snapshot: Snapshot) -> tuple[float, float]:
    """Load offset from plumb (gantry, trolley), 0 where no sway sensor is fitted."""
    return snapshot.number("sway.gantry") or 0.0, snapshot.number("sway.trolley") or 0.0


def _clamp(value: float, limit: float) -> float:
    return max(-limit, min(limit, value))

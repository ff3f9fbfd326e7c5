"""The automatic move: a pick-and-drop step machine that proposes commands every scan. Pure.

A job moves one container from one slot to another. The machine walks these steps (DOMAIN.md,
"The automatic move"), each with what it commands, how it ends, how long it may take, and what
happens when it cannot finish::

    collect:  raise -> travel -> lower -> lock -> trial lift
    deliver:  raise -> travel -> lower -> unlock -> raise clear -> done

Raise, travel and lower are one leg (:mod:`crane_ctrl.sequencer_leg`): travel starts as soon as
the load stays ``safe_clearance_m`` over everything within its stopping distance while the hoist
still rises, lowering starts before travel ends wherever the rest of the path is clear, and
:attr:`Sequencer.travel_clear_below_m` tells the travel interlock, a scan ahead, the height the
plan needs (travel is commanded only once the interlock has been told). The empty spreader
telescopes while it travels to the box; it does not go down into the creep zone before it is
the box's size. The landing puts the load, not just the crane, on its goal and damps the swing
(:mod:`crane_ctrl.sequencer_sway`); the last :data:`_LAND_CHECK_M` of the creep waits until the
load is calm and over its goal, so the check overlaps the creep instead of delaying it.

Never leave a load unsafe. Twistlocks not confirmed locked: unlock, raise empty, fail the job.
Overweight or a lifted truck at the trial lift: set the load back down, unlock, raise empty, fail.
Landing not confirmed in time (misaligned, obstructed): stop, raise, fail. A comms fault or any
trip while moving: everything stops (the interlocks see to that) and the machine holds; it goes
on only when an operator resumes it, with the swing damped first and the leg planned again
from where the crane stopped. The sequencer proposes; the interlocks dispose."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from crane_ctrl.commands import AXES, Commands
from crane_ctrl.crane import CraneParams
from crane_ctrl.interlocks import Motion, Permits
from crane_ctrl.machine import CommandRefused, ModeSettings
from crane_ctrl.motion import (
    CREEP_ENTRY_MARGIN_M,
    HOIST_TOLERANCE_M,
    XYZ,
    MotionLimits,
    hoist_reference,
    pendulum_period_s,
)
from crane_ctrl.sequencer_leg import LegDrive
from crane_ctrl.sequencer_operator import APPROACH_M, OperatorLanding
from crane_ctrl.sequencer_sway import SwayWatch, land_on_goal, sway_of
from crane_ctrl.sequencer_wind import SetDownPlace, set_down_place
from crane_ctrl.signals import CORNERS
from crane_ctrl.site import Slot
from crane_ctrl.snapshot import Snapshot
from crane_ctrl.transfer import Transfer, all_corners, any_corner
from crane_ctrl.yard_model import YardModel

__all__ = ["Outcome", "Sequencer", "SequencerSettings", "Step", "Transfer"]


_CALM_SHARE = 0.5
"""The sway is judged over this share of a pendulum period (fitted with the pendulum's own
motion, so half a period tells its amplitude); before the last of a landing it is watched while
the hoist creeps down to there."""
_LAND_CHECK_M = 0.1
"""The creep stops this far above touchdown until the load is calm and over its goal, m: the
check overlaps the creep instead of delaying it (at creep speed the hoist stops within 1 cm)."""
_DAMPING_SPEED_SHARE = 0.4
"""Sway damping may use this share of an axis's rated speed."""
_OVERTRAVEL_M = 0.3
"""Lowering aims this far below the landing height: the pins stop it, not the target."""
_OVERSHOOT_M = 0.05
"""Aim this far above a raise goal so the hoist passes it rather than creeping up to it."""
_WIND_STEPS = frozenset({"wind set down", "unlock", "raise clear"})
"""Steps that go on in a wind stop once the box is being set down below it (by their values)."""
_STILL_MPS = 0.01
"""A hoist slower than this counts as stopped (the hand-over waits for it), m/s."""
_SETTLE_MARGIN_M = 0.25
"""Damping sway where the crane stands moves it a little: the path-clear height it gives the
travel interlock covers the load's footprint grown by this, m."""

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
    WIND_SET_DOWN = "wind set down"
    """At the wind stop, the box lowered straight down onto a legal place below it."""
    OPERATOR_LANDING = "operator landing"
    """SEMIAUTOMATIC: over the landing at the approach height, the operator jogs and confirms."""
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
    trial_lift_mps: float = 0.1
    """The slow first lift, m/s: creep speed. The weight counts only after ``settle_s`` off
    the support, and the truck-lift trip (0.05 m) comes within the lift's 0.10 m."""
    settle_s: float = 1.0
    """After lift-off, hold this long before the weight counts (rope stretch, load cell)."""
    sway_tolerance_m: float = 0.04
    """Swing allowed before a move goes on after a hold (sway sensors, if fitted), m."""
    landing_sway_tolerance_m: float = 0.01
    """Swing allowed before the last of a landing, m: with the crane within the position
    tolerance it keeps the box within 20 mm of its slot (sway sensors, if fitted)."""
    sway_damping_gain: float = 0.5
    """1/s: speed added per metre of sway while holding position (moves under the load)."""
    landing_height_tolerance_m: float = 0.15
    """Landed this far from the expected height means something else is under the spreader."""
    travel_timeout_factor: float = 2.0
    """A leg that takes this many times its planned time (plus the settle allowance) holds."""
    settle_timeout_s: float = 90.0
    """On top of the planned leg: fine positioning and damping sway (after a stop, say)."""
    hold_on_trip: bool = True
    jog_speed_factor: float = ModeSettings().manual_speed_factor
    """Operator jogs at this share of rated speed (``ModeSettings.manual_speed_factor``)."""
    jog_hold_s: float = 0.6
    """A jog stops this long after the operator last asked for it (dead-man), s."""
    approach_m: float = APPROACH_M
    """Where the operator lands, the sequencer hands over this far above the landing, m."""
    on_wind_stop: Literal["hold", "set_down"] = "hold"
    """A wind stop with the box hanging: hold it there, or set it down where it may legally
    stand straight below it (travel is blocked; see :mod:`crane_ctrl.sequencer_wind`)."""


@dataclass
class _Run:
    """The job being executed: where in it we are."""

    transfer: Transfer
    started: float = 0.0
    delivering: bool = False
    step: Step = Step.IDLE
    since: float = 0.0
    leg: LegDrive | None = None
    """The leg under way (raise, travel, lower); planned again after any hold."""
    target_z: float = 0.0
    creep_since: float | None = None
    mass_t: float | None = None
    """The box's mass as weighed at the trial lift, t."""
    failure: str | None = None
    resume_step: Step | None = None
    hold_reason: str = ""
    sway: SwayWatch = field(default_factory=SwayWatch)
    gated_since: float | None = None
    """Since when the landing waits above the creep zone (sway, position, telescope)."""
    operator_lands: Callable[[Slot], bool] | None = None
    handover: OperatorLanding | None = None
    wind_place: SetDownPlace | None = None
    """Where a wind stop set (or sets) the box down."""
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

    def start(
        self,
        transfer: Transfer,
        now: float,
        *,
        operator_lands: Callable[[Slot], bool] | None = None,
    ) -> None:
        """Start ``transfer``. ``operator_lands(slot)``: whether the remote operator jogs and
        confirms the landing at ``slot`` (SEMIAUTOMATIC: ``ModeRules.operator_lands``), for
        the pick and the set-down alike; ``None``: the sequencer lands everywhere."""
        if self.run is not None:
            raise ValueError(f"job {self.run.transfer.job_id} is still running")
        self.run = _Run(transfer, started=now, since=now, operator_lands=operator_lands)
        self.outcome = None
        self._enter(Step.RAISE, now)  # telescoping, if needed, goes on during the leg

    def hold(self, now: float, reason: str) -> None:
        """Stop where it is (the move goes on from here after :meth:`resume`)."""
        run = self.run
        if run is None or run.step is Step.HELD:
            return
        run.resume_step = self._restart_step(run)
        run.hold_reason = reason
        run.leg = None  # the rest is planned again from where the crane stops
        if run.handover is not None:
            run.handover.jogs.clear()  # the operator asks again after the resume
        self._enter(Step.HELD, now, reason=reason)

    def resume(self, now: float) -> None:
        """Go on after a hold (the operator has seen why it held)."""
        run = self.run
        if run is not None and run.step is Step.HELD and run.resume_step is not None:
            resting = self._last is not None and any_corner(self._last, "landed")
            # a stop leaves a hanging load swinging: calm it first; a resting one goes straight on
            self._enter(run.resume_step if resting else Step.SETTLE, now)

    @property
    def awaiting_operator(self) -> str | None:
        """What the remote operator must do now ("land J1 on truck lane T1 and confirm"), or
        ``None`` while nothing waits for them."""
        run = self.run
        if run is None or run.step is not Step.OPERATOR_LANDING or run.handover is None:
            return None
        return run.handover.task

    def operator_jog(self, axis: str, direction: int, now: float) -> None:
        """The operator jogs ``axis`` (``gantry``, ``trolley``, ``hoist``) in ``direction`` (+1,
        -1, 0 to stop) during a hand-over; repeat within ``jog_hold_s`` to keep it moving.
        :class:`~crane_ctrl.machine.CommandRefused` outside a hand-over, or a travel jog with
        the load too low to travel."""
        self._handover("jog").jog(axis, direction, now, self.settings.jog_hold_s)

    def confirm_landing(self, now: float) -> None:
        """The operator confirms the landing: go on (lock or unlock) if Landed, all four pins
        at the expected height; else :class:`~crane_ctrl.machine.CommandRefused` says why."""
        handover = self._handover("confirm a landing")
        run, snapshot = self.run, self._last
        assert run is not None
        why = _not_landed_why(snapshot, handover.landing_m, self.settings)
        if why:
            raise CommandRefused(f"landing not confirmed: {why}")
        handover.jogs.clear()
        self._landed(run, handover.landing_m, handover.landing_m, now)

    def _handover(self, what: str) -> OperatorLanding:
        run = self.run
        if run is None or run.step is not Step.OPERATOR_LANDING or run.handover is None:
            step = "no job" if run is None else f"the job is in {run.step.value!r}"
            raise CommandRefused(f"cannot {what}: no landing waits for the operator ({step})")
        return run.handover

    # --- one scan

    def __call__(self, snapshot: Snapshot, permits: Permits, now: float) -> Commands:
        run = self.run
        if run is None:
            self.travel_clear_below_m = None
            return Commands(drives_enable=False)
        self._permits = permits
        self._last = snapshot
        stop = run.step is not Step.HELD and self._must_hold(snapshot, permits)
        if stop and not self._wind_goes_on(run, snapshot, permits, now):
            self.hold(now, snapshot.comms_reason or _trips(permits))
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
        if self._telescope_late(run, snapshot, now):
            size = run.transfer.box.size_ft
            return self._finish(Outcome.FAILED, f"spreader did not telescope to {size} ft", now)
        step = getattr(self, f"_{run.step.name.lower()}")
        commands: Commands = step(run, snapshot, now)
        return commands

    def _wind_goes_on(self, run: _Run, snapshot: Snapshot, permits: Permits, now: float) -> bool:
        """A wind stop (and nothing else) with ``on_wind_stop="set_down"``: go on setting the
        box down below it, or start to if it hangs over a legal place. Otherwise: hold."""
        if not (snapshot.comms_ok and self._stops(permits) == {"WIND_STOP"}):
            return False
        if any(snapshot.flag(f"{axis}.fault", unsafe=True) for axis in AXES):
            return False
        if run.wind_place is not None and run.step in _WIND_STEPS:
            return True
        if self.settings.on_wind_stop != "set_down" or run.failure is not None:
            return False
        hanging = all_corners(snapshot, "locked") and not any_corner(snapshot, "landed")
        pos, sway = _position(snapshot), sway_of(snapshot)
        if not hanging or pos is None or sway is None or not permits.allowed(Motion.HOIST_DOWN):
            return False
        load = (pos[0] + sway[0], pos[1] + sway[1])
        place = set_down_place(self.yard, run.transfer.box, load, self._wind_tolerance_m)
        if place is None:
            return False
        run.wind_place = place
        self._enter(Step.WIND_SET_DOWN, now, reason=f"wind stop: setting it down on {place.slot}")
        return True

    @property
    def _wind_tolerance_m(self) -> float:
        """How far off a place the hanging box may be to go down onto it: half the stacking
        tolerance, the other half for the swing on the way down, m."""
        return self.params.stacking_tolerance_m / 2

    def _stops(self, permits: Permits) -> set[str]:
        return {t.id for t in permits.active if t.id in _STOPS and not t.fail_safe}

    def _wind_set_down(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        """Lower straight down onto the place below (creep over the last of it); landed there,
        record it and unlock; the load swung off the place, or no landing: hold."""
        place, pos, sway = run.wind_place, _position(snapshot), sway_of(snapshot)
        if place is None or pos is None or sway is None:
            self.hold(now, "wind stop: the load cannot be watched: held where it hangs")
            return Commands(drives_enable=True)
        if all_corners(snapshot, "landed"):
            return self._set_down_in_wind(run, place, snapshot, now)
        load = (pos[0] + sway[0], pos[1] + sway[1])
        off = max(abs(load[0] - place.centre[0]), abs(load[1] - place.centre[1]))
        if off > self._wind_tolerance_m:
            self.hold(now, f"wind stop: the load swung {off:.2f} m off {place.slot}: held")
            return Commands(drives_enable=True)
        if pos[2] <= place.landing_m + self.params.creep_distance_m and run.creep_since is None:
            run.creep_since = now
        late = self.params.creep_distance_m / self.params.creep_speed_mps
        late += self.settings.landed_timeout_s
        if run.creep_since is not None and now - run.creep_since > late:
            self.hold(now, f"wind stop: not landed on {place.slot}: held")
            return Commands(drives_enable=True)
        limits = self._limits(snapshot).hoist
        ref = hoist_reference(
            pos[2], place.landing_m - _OVERTRAVEL_M, limits,
            creep_from_m=self.params.creep_distance_m + _OVERTRAVEL_M,
            creep_mps=self.params.creep_speed_mps,
        )  # fmt: skip
        return Commands(drives_enable=True, hoist_speed_ref=min(ref, 0.0))

    def _set_down_in_wind(
        self, run: _Run, place: SetDownPlace, snapshot: Snapshot, now: float
    ) -> Commands:
        why = _not_landed_why(snapshot, place.landing_m, self.settings)
        if why:
            self.hold(now, f"wind stop: {why}")
            return Commands(drives_enable=True)
        self.yard.move(run.transfer.box.id, place.slot)  # it stands there now
        mine = " (its destination)" if place.slot == run.transfer.to else ""
        run.failure = f"wind stop: container {run.transfer.box.id} set down on {place.slot}{mine}"
        self._enter(Step.UNLOCK, now, reason=run.failure)
        return Commands(drives_enable=True)

    def _telescope_late(self, run: _Run, snapshot: Snapshot, now: float) -> bool:
        """The empty spreader still not the box's size ``telescope_timeout_s`` into the job."""
        if run.delivering or run.step in (Step.HELD, Step.LOCK, Step.UNLOCK, Step.RAISE_CLEAR):
            return False
        late = now - run.started > self.settings.telescope_timeout_s
        return late and snapshot.number("spreader.size") != run.transfer.box.size_ft

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
        """After a hold a leg is planned again from where the crane is (a landing under way
        goes on landing: the load is over its goal)."""
        if run.step is Step.SETTLE:  # a stop while settling: go on with what settling was for
            return run.resume_step or Step.RAISE
        if run.step is Step.WIND_SET_DOWN:  # resumed, the wind is gone: deliver after all
            run.wind_place = None
            return Step.RAISE
        return Step.RAISE if run.step is Step.TRAVEL else run.step

    # --- step bookkeeping

    def _enter(self, step: Step, now: float, *, reason: str = "") -> None:
        run = self.run
        assert run is not None
        run.step, run.since, run.creep_since, run.gated_since = step, now, None, None
        if step not in (Step.TRAVEL, Step.LOWER):
            run.leg = None
        run.sway.reset()
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
        """Damp the sway where the crane stands (moving under the load), then go on. Damping
        moves the crane by about the swing: first the hoist lifts the load clear of everything
        within that distance (and a margin) of where it hangs."""
        pos = _position(snapshot)
        if pos is None or self._calm(run, snapshot, pos[2], now, self.settings.sway_tolerance_m):
            self._enter(run.resume_step or Step.RAISE, now)
            return Commands(drives_enable=True)
        if now - run.since > self.settings.settle_timeout_s:
            self.hold(now, "sway did not settle: check wind and what the crane may reach")
            return Commands(drives_enable=True)
        here = (pos[0], pos[1])
        clear = run.transfer.clear_height_m(
            self.yard, self.params, (here, here), delivering=run.delivering,
            margin_m=_SETTLE_MARGIN_M + run.sway.peak_m(),
        )  # fmt: skip
        cleared = self._publish_clear(clear, pos[2])
        if not cleared:
            return self._hoist_to(pos[2], clear + _OVERSHOOT_M, snapshot)
        vx, vy = self._damping(run, snapshot, (0.0, 0.0))
        return Commands(drives_enable=True, gantry_speed_ref=vx, trolley_speed_ref=vy)

    _settle = _settle_sway

    def _calm(
        self, run: _Run, snapshot: Snapshot, z: float, now: float, tolerance_m: float
    ) -> bool:
        """The swing over the last window within ``tolerance_m`` (a steady lean in the wind is
        no swing). Without a sway sensor there is nothing to judge: calm after a window."""
        sway = sway_of(snapshot) or (0.0, 0.0)
        speed = (snapshot.number("gantry.speed") or 0.0, snapshot.number("trolley.speed") or 0.0)
        period = self._period(run, z)
        run.sway.sample(now, sway, speed, _CALM_SHARE * period, 2.0 * math.pi / period)
        return run.sway.calm(tolerance_m)

    def _period(self, run: _Run, z: float) -> float:
        return pendulum_period_s(
            z, self.params, loaded=run.delivering, container_height_m=run.transfer.box.height_m,
            container_mass_t=run.mass_t if run.delivering else None,
        )  # fmt: skip

    def _damping(
        self, run: _Run, snapshot: Snapshot, refs: tuple[float, float]
    ) -> tuple[float, float]:
        """``refs`` plus moving the suspension under the swinging load (the sway sensor's
        offset less the lean), within a share of the rated speeds."""
        sx, sy = run.sway.swing(sway_of(snapshot) or (0.0, 0.0))
        limits = self._limits(snapshot)
        gain = self.settings.sway_damping_gain
        vx = _clamp(refs[0] + gain * sx, limits.gantry.vmax_mps * _DAMPING_SPEED_SHARE)
        vy = _clamp(refs[1] + gain * sy, limits.trolley.vmax_mps * _DAMPING_SPEED_SHARE)
        return vx, vy

    # --- the leg: raise, travel, lower (hoist and travel overlapped)

    def _raise(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        pos = _position(snapshot)
        if pos is None or not _drives_ready(snapshot):
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

    def _plan_leg(self, run: _Run, snapshot: Snapshot, pos: XYZ, now: float) -> LegDrive | None:
        """Plan the leg from where the crane is to the landing at the goal."""
        t = run.transfer
        goal = (*self._xy_goal(run), self._landing_height(run))
        size = snapshot.number("spreader.size")
        spreader = None if run.delivering else (45 if size is None else int(size))
        try:
            run.leg = LegDrive.start(
                pos, goal, t.obstacles(self.yard, delivering=run.delivering), self.params, now,
                loaded=run.delivering, container_height_m=t.box.height_m,
                container_mass_t=run.mass_t, half_size_m=t.half_size_m(spreader),
            )  # fmt: skip
        except ValueError as why:
            self.hold(now, f"no safe path to {goal[0]:.1f}, {goal[1]:.1f}: {why}")
            return None
        return run.leg

    def _travel(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        pos = _position(snapshot)
        leg = run.leg
        if pos is None or leg is None:
            if leg is None:
                self._enter(Step.RAISE, now)
            return Commands(drives_enable=True)
        if leg.arrived(now):
            self._enter(Step.LOWER, now)
            return self._lower(run, snapshot, now)
        self.travel_clear_below_m = leg.clear_below_m(now)
        vx, vy = leg.travel_refs(now)
        vz = self._gated_hoist(run, leg.hoist_ref(now, pos[2]), pos[2], now, ready=False)
        return Commands(drives_enable=True, gantry_speed_ref=vx, trolley_speed_ref=vy,
                        hoist_speed_ref=vz, size_ref=self._size_ref(run, snapshot))  # fmt: skip

    def _lower(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        pos = _position(snapshot)
        if pos is None:
            return Commands(drives_enable=True)
        z = pos[2]
        landing = self._landing_height(run)
        if all_corners(snapshot, "landed"):
            return self._landed(run, z, landing, now)
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
            z, landing - _OVERTRAVEL_M, limits.hoist,
            creep_from_m=self.params.creep_distance_m + _OVERTRAVEL_M,  # distance before target
            creep_mps=self.params.creep_speed_mps,
        )  # fmt: skip
        ready = self._ready_to_land(run, snapshot, pos, now)
        if ready and self._operator_lands_here(run):
            near = abs(z - landing - self.settings.approach_m) <= 2 * HOIST_TOLERANCE_M
            if near and abs(snapshot.number("hoist.speed") or 0.0) < _STILL_MPS:
                return self._hand_over(run, z, landing, now)
        ref = self._gated_hoist(run, ref, z, now, ready=ready)
        cleared = self._publish_clear(landing, z)
        vx, vy = self._fine(run, snapshot, pos) if cleared else (0.0, 0.0)
        return Commands(drives_enable=True, gantry_speed_ref=vx, trolley_speed_ref=vy,
                        hoist_speed_ref=ref, size_ref=self._size_ref(run, snapshot))  # fmt: skip

    def _publish_clear(self, height_m: float, z: float) -> bool:
        """Give the travel interlock ``height_m`` (it reads it at the next scan); whether
        travel may be commanded now: the height it reads this scan (given at the last one)
        and the new one both at or below the hoist."""
        was = self.travel_clear_below_m
        self.travel_clear_below_m = height_m
        return was is not None and z >= max(was, height_m)

    def _fine(self, run: _Run, snapshot: Snapshot, pos: XYZ) -> tuple[float, float]:
        """Put the load on the goal and damp its swing (:func:`land_on_goal`), within a share
        of the rated speeds."""
        goal = self._xy_goal(run)
        lean, rate = run.sway.lean, run.sway.rate()
        limits = self._limits(snapshot)
        refs = []
        for k, lim in ((0, limits.gantry), (1, limits.trolley)):
            ref = land_on_goal(goal[k], pos[k], lean[k], rate[k], run.sway.omega)
            refs.append(_clamp(ref, lim.vmax_mps * _DAMPING_SPEED_SHARE))
        return refs[0], refs[1]

    def _landed(self, run: _Run, z: float, landing: float, now: float) -> Commands:
        if abs(z - landing) > self.settings.landing_height_tolerance_m:
            # all pins pressed, but not where the box should stand: something else is there
            self.hold(now, f"landed at {z:.2f} m, expected {landing:.2f} m: check the slot")
            return Commands(drives_enable=True)
        if run.delivering:  # it stands there now, whatever the twistlocks do next
            self.yard.move(run.transfer.box.id, run.transfer.to)
        self._enter(Step.UNLOCK if run.delivering else Step.LOCK, now)
        return Commands(drives_enable=True)

    def _not_landed(
        self, run: _Run, snapshot: Snapshot, z: float, landing: float, now: float
    ) -> Commands:
        why = (
            f"landing not confirmed within {self.settings.landed_timeout_s:g} s of creep "
            "(misaligned or obstructed)"
        )
        resting = abs(z - landing) <= self.settings.landing_height_tolerance_m
        if run.delivering and resting:  # it stands in its slot, whatever a pin says
            self.yard.move(run.transfer.box.id, run.transfer.to)
        return self._fail_safe(run, why, now, snapshot)

    def _gated_hoist(self, run: _Run, ref: float, z: float, now: float, *, ready: bool) -> float:
        """``ref``, but not down into the creep zone before the spreader is the box's size,
        and not into the last :data:`_LAND_CHECK_M` before the landing is ``ready`` (over
        the goal, the load calm)."""
        p = self.params
        landing = self._landing_height(run)
        gate = landing + _LAND_CHECK_M
        if self._operator_lands_here(run):
            gate = landing + self.settings.approach_m  # the operator takes it from there
        elif not run.delivering and self._size_ref_needed(run):
            gate = landing + max(p.creep_distance_m, p.safe_clearance_m) + CREEP_ENTRY_MARGIN_M
        elif ready:
            run.gated_since = None
            return ref
        if ref >= 0.0 or z < gate - HOIST_TOLERANCE_M:
            return ref  # not going down, or committed to the touchdown
        if z <= gate + HOIST_TOLERANCE_M:
            run.creep_since = None  # waiting here is no landing failure: timed from release
            run.gated_since = now if run.gated_since is None else run.gated_since
            if now - run.gated_since > self.settings.settle_timeout_s:
                self.hold(now, "the load did not settle over its landing: check the wind")
                return 0.0
        limits = MotionLimits.from_params(p, loaded=run.delivering).hoist
        floor = hoist_reference(z, gate, limits, creep_from_m=None, creep_mps=p.creep_speed_mps)
        return max(ref, min(floor, 0.0))

    def _operator_lands_here(self, run: _Run) -> bool:
        slot = run.transfer.to if run.delivering else run.transfer.box.slot
        return run.operator_lands is not None and run.operator_lands(slot)

    def _hand_over(self, run: _Run, z: float, landing: float, now: float) -> Commands:
        """At the approach height, over the goal, calm: the operator lands it."""
        t = run.transfer
        slot = t.to if run.delivering else t.box.slot
        if run.delivering:
            task = f"land {t.job_id} (container {t.box.id}) on {slot} and confirm"
        else:
            task = f"land the spreader on container {t.box.id} on {slot} for {t.job_id} and confirm"
        run.handover = OperatorLanding(slot, landing, task)
        self._enter(Step.OPERATOR_LANDING, now, reason=task)
        return self._operator_landing(run, self._last_snapshot(), now)

    def _operator_landing(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        """The operator's jogs (dead-man, reduced speed, creep near the landing); travel jogs
        only with the load clear of what is around it."""
        pos, handover = _position(snapshot), run.handover
        if pos is None or handover is None:
            return Commands(drives_enable=True)
        here = (pos[0], pos[1])
        clear = run.transfer.clear_height_m(
            self.yard, self.params, (here, here), delivering=run.delivering,
            margin_m=_SETTLE_MARGIN_M,
        )  # fmt: skip
        handover.travel_ok = self._publish_clear(clear, pos[2])
        vx, vy, vz = handover.references(
            now, pos[2], self.params, loaded=run.delivering,
            factor=self.settings.jog_speed_factor, landed=all_corners(snapshot, "landed"),
        )  # fmt: skip
        return Commands(drives_enable=True, gantry_speed_ref=vx, trolley_speed_ref=vy,
                        hoist_speed_ref=vz)  # fmt: skip

    def _last_snapshot(self) -> Snapshot:
        assert self._last is not None
        return self._last

    def _size_ref_needed(self, run: _Run) -> bool:
        last = self._last
        size = None if last is None else last.number("spreader.size")
        return size != run.transfer.box.size_ft

    def _ready_to_land(self, run: _Run, snapshot: Snapshot, pos: XYZ, now: float) -> bool:
        """Sampled every scan of the landing: telescoped, the load calm and over its goal (the
        crane the lean short of it)."""
        calm = self._calm(run, snapshot, pos[2], now, self.settings.landing_sway_tolerance_m)
        size_ok = run.delivering or snapshot.number("spreader.size") == run.transfer.box.size_ft
        goal = self._xy_goal(run)
        lean = run.sway.lean
        tol = self.settings.position_tolerance_m
        there = all(abs(goal[k] - pos[k] - lean[k]) <= tol for k in (0, 1))
        return calm and size_ok and there

    def _size_ref(self, run: _Run, snapshot: Snapshot) -> int | None:
        """The telescope target while the empty spreader must change size (and may)."""
        size = run.transfer.box.size_ft
        if run.delivering or snapshot.number("spreader.size") == size:
            return None
        if any_corner(snapshot, "landed") or not all_corners(snapshot, "unlocked"):
            return None  # the interlock would refuse it: the leg rises clear first
        return size

    def _lock(self, run: _Run, snapshot: Snapshot, now: float) -> Commands:
        if _all_clean(snapshot, "locked", "unlocked"):  # TIC 4.0 Locked: a mixed corner is not
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
            run.mass_t = load  # weighed: the pendulum of the leg to come
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
        if _all_clean(snapshot, "unlocked", "locked"):
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

    def _limits(self, snapshot: Snapshot) -> MotionLimits:
        loaded = self.run is not None and self.run.delivering
        return MotionLimits.from_params(self.params, loaded=loaded)

    def _xy_goal(self, run: _Run) -> tuple[float, float]:
        return run.transfer.goal_xy(self.yard, delivering=run.delivering)

    def _landing_height(self, run: _Run) -> float:
        return run.transfer.landing_height_m(self.yard, delivering=run.delivering)


def _trips(permits: Permits) -> str:
    return "; ".join(str(t) for t in permits.active if t.id in _STOPS and not t.fail_safe)


def _not_landed_why(snapshot: Snapshot | None, landing_m: float, s: SequencerSettings) -> str:
    """Why the spreader is not Landed where it should be ("" when it is)."""
    if snapshot is None:
        return "no reading yet"
    free = [c for c in CORNERS if not snapshot.flag(f"spreader.landed_{c}", unsafe=False)]
    if free:
        return f"landing pin {', '.join(map(str, free))} not pressed"
    z = snapshot.number("hoist.position")
    if z is None:
        return "hoist position unknown"
    if abs(z - landing_m) > s.landing_height_tolerance_m:
        return f"landed at {z:.2f} m, expected {landing_m:.2f} m: check the slot"
    return ""


def _drives_ready(snapshot: Snapshot) -> bool:
    return all(snapshot.flag(f"{axis}.ready", unsafe=False) for axis in AXES)


def _position(snapshot: Snapshot) -> XYZ | None:
    """(gantry, trolley, hoist) positions, if all three are good."""
    x, y, z = (snapshot.number(f"{a}.position") for a in AXES)
    return None if x is None or y is None or z is None else (x, y, z)


def _clamp(value: float, limit: float) -> float:
    return max(-limit, min(limit, value))


def _all_clean(snapshot: Snapshot, state: str, opposite: str) -> bool:
    """Every corner reports ``state`` and none ``opposite`` (a corner reporting both, a stuck
    sensor, is neither: the step waits for a clean report and times out into its fault
    reaction instead of going on on a lock state nobody can trust)."""
    return all_corners(snapshot, state) and not any_corner(snapshot, opposite)

"""The sequencer's shared parts: steps, settings, the job's run, and the base class the step
mixins build on (holding and resuming, step bookkeeping, the fail-safe start, geometry, sway).

:class:`crane_ctrl.sequencer.automatic_move.Sequencer` is this base with its step mixins: the leg
(raise, travel, lower: :mod:`crane_ctrl.sequencer.leg`), the SEMIAUTOMATIC hand-over
(:mod:`crane_ctrl.sequencer.operator`), the wind stop set-down (:mod:`crane_ctrl.sequencer.wind`)
and, in :mod:`crane_ctrl.sequencer.automatic_move`, the spreader's steps. Each step is a method
``_<step>`` that returns the scan's proposal. Pure: time comes in as an argument.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Generic, Literal, Protocol, TypeVar

from crane_ctrl.commands import AXES, Commands
from crane_ctrl.crane import CraneParams
from crane_ctrl.interlocks.evaluate import Motion, Permits
from crane_ctrl.motion.planner import XYZ, MotionLimits, hoist_reference, pendulum_period_s
from crane_ctrl.motion.rope_calibration import RopeCalibration
from crane_ctrl.operation.machine import ModeSettings
from crane_ctrl.operation.yard_model import YardModel
from crane_ctrl.sequencer.safety import (
    HeldState,
    hold_reason,
    resume_refusals,
    unexpected_contact,
)
from crane_ctrl.sequencer.sway import SwayWatch, sway_of
from crane_ctrl.sequencer.transfer import Transfer, all_corners, any_corner
from crane_ctrl.signals import CORNERS
from crane_ctrl.site import Slot
from crane_ctrl.snapshot import Snapshot

if TYPE_CHECKING:
    from crane_ctrl.sequencer.leg import LegDrive
    from crane_ctrl.sequencer.operator import OperatorLanding
    from crane_ctrl.sequencer.wind import SetDownPlace

__all__ = [
    "APPROACH_M",
    "JobController",
    "Outcome",
    "Run",
    "SequencerBase",
    "SequencerSettings",
    "Step",
]

APPROACH_M = 1.0
"""Where the operator lands, the hand-over height over the landing (twistlock plane over its
touchdown height), m."""
CALM_SHARE = 0.5
"""The sway is judged over this share of a pendulum period (fitted with the pendulum's own
motion, so half a period tells its amplitude); before the last of a landing it is watched while
the hoist creeps down to there."""

LAND_CHECK_M = 0.1
"""The creep stops this far above touchdown until the load is calm and over its goal, m: the
check overlaps the creep instead of delaying it (at creep speed the hoist stops within 1 cm)."""

DAMPING_SPEED_SHARE = 0.4
"""Sway damping may use this share of an axis's rated speed."""

OVERTRAVEL_M = 0.3
"""Lowering aims this far below the landing height: the pins stop it, not the target."""

OVERSHOOT_M = 0.05
"""Aim this far above a raise goal so the hoist passes it rather than creeping up to it."""

WIND_STEPS = frozenset({"wind set down", "unlock", "raise clear"})
"""Steps that go on in a wind stop once the box is being set down below it (by their values)."""

HANGING_STEPS = frozenset(
    {"raise", "travel", "lower", "operator landing", "wind set down", "wind raise clear"}
)
"""Steps in which the load hangs from the ropes (by their values)."""
REPLAN_M = 0.15
"""A landing this far off its goal (either direction) is not trimmed but planned again, m: the
landing law trims centimetres; a longer move needs a shaped travel at a clear height."""
RESETTLES = 3
"""Times a landing may go back (plan again, settle a swing) before it holds for the
operator."""
STILL_MPS = 0.01
"""A hoist slower than this counts as stopped (the hand-over waits for it), m/s."""

SETTLE_MARGIN_M = 0.25
"""Damping sway where the crane stands moves it a little: the path-clear height it gives the
travel interlock covers the load's footprint grown by this, m."""


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
    WIND_RAISE = "wind raise clear"
    """At the wind stop, the load raised until its swing envelope clears every neighbour."""
    OPERATOR_LANDING = "operator landing"
    """SEMIAUTOMATIC: over the landing at the approach height, the operator jogs and confirms."""
    HELD = "held"


HANGS = frozenset(
    {
        Step.RAISE, Step.TRAVEL, Step.LOWER, Step.SETTLE, Step.OPERATOR_LANDING,
        Step.WIND_SET_DOWN, Step.WIND_RAISE,
    }
)  # fmt: skip
"""Steps in which the load (or the empty spreader) hangs free: contact is unexpected in them,
but at the landing they make."""
_GROUNDED = frozenset({Step.LOCK, Step.TRIAL_LIFT, Step.SET_BACK, Step.UNLOCK, Step.RAISE_CLEAR})
"""Steps that start with the spreader landed: the leg after them must hang free first."""


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
    landing_patience_s: float = 20.0
    """After this long waiting over the landing for the strict tolerances, the looser ones
    (``sway_tolerance_m``, twice the position tolerance) will do, s."""
    landing_swing_limit_m: float = 0.3
    """A swing larger than this while landing goes back to settling first (the load hoisted
    clear of what is around it, damped where it hangs), m: beyond it the landing law's damping
    would ask for more than its share of the trolley's speed."""
    settle_timeout_s: float = 90.0
    """On top of the planned leg: fine positioning and damping sway (after a stop, say)."""
    hold_on_trip: bool = True
    jog_speed_factor: float = ModeSettings().manual_speed_factor
    """Operator jogs at this share of rated speed (``ModeSettings.manual_speed_factor``)."""
    jog_hold_s: float = 0.6
    """A jog stops this long after the operator last asked for it (dead-man), s."""
    approach_m: float = APPROACH_M
    """Where the operator lands, the sequencer hands over this far above the landing, m."""
    on_wind_stop: Literal["secure", "raise_clear"] = "secure"
    """A wind stop with a load hanging: set it down below if it may stand there, else raise it
    clear of its neighbours (``secure``), or always raise it clear (``raise_clear``); then hold
    (see :mod:`crane_ctrl.sequencer.wind`)."""


@dataclass
class Run:
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
    held: HeldState | None = None
    """What the crane measured when it held: a resume checks against it."""
    interrupted: bool = False
    """Stopped or aborted by the operator (STOP, ABORT): resumed by START, not UNHOLD."""
    sway: SwayWatch = field(default_factory=SwayWatch)
    resettles: int = 0
    """Times this landing went back (planned again, settled a swing); reset by a resume."""
    stalled_since: float | None = None
    """Since when the hoist has stood still while setting the box back down."""
    gated_since: float | None = None
    """Since when the landing waits above the creep zone (sway, position, telescope)."""
    released: bool = False
    """The landing found the load calm over its goal: it lands as it hangs, the crane still,
    until the swing grows past ``sway_tolerance_m`` (see ``LegSteps._ready_to_land``)."""
    operator_lands: Callable[[Slot], bool] | None = None
    handover: OperatorLanding | None = None
    wind_place: SetDownPlace | None = None
    """Where a wind stop (or the operator, after a stop) set or sets the box down."""
    set_down_cause: str = "wind stop"
    """Why the box goes down there, for the job's failure."""
    wind_target_m: float = 0.0
    """Where a wind stop raises the load to: its swing envelope clears every neighbour, m."""
    wind_envelope_m: float = 0.0
    """How far the load may swing in that wind, as last predicted, m."""
    airborne: bool = False
    """The load (or the empty spreader) has hung free in this leg: contact from now on, but at
    the landing, is unexpected."""
    events: list[dict[str, object]] = field(default_factory=list)


class _JobRun(Protocol):
    transfer: Transfer
    delivering: bool


R = TypeVar("R", bound=_JobRun)


class JobController(Generic[R]):
    """The surface every job controller (a Supervisor sequencer hook) shares, ours and the
    benchmark's naive baseline: the crane, the yard, the settings, the run, its step and outcome
    events, and :meth:`_finish`."""

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
        self.run: R | None = None
        self.travel_clear_below_m: float | None = None
        """Read by the supervisor for the travel-height interlock."""
        self.outcome: tuple[str, Outcome, str] | None = None

    def _step_event(self, run: R, step: str, now: float, reason: str) -> dict[str, object]:
        """Announce that ``run`` entered ``step``; the event, for the caller to keep."""
        event: dict[str, object] = {"time": now, "job": run.transfer.job_id, "step": step,
                 "reason": reason, "phase": "deliver" if run.delivering else "collect"}  # fmt: skip
        self._emit(event)
        return event

    def _emit(self, event: dict[str, object]) -> None:
        if self.on_event is not None:
            self.on_event(event)

    def _finish(self, outcome: Outcome, reason: str, now: float) -> Commands:
        run = self.run
        assert run is not None
        self.outcome = (run.transfer.job_id, outcome, reason)
        self._emit({"time": now, "job": run.transfer.job_id, "outcome": str(outcome),
                    "reason": reason})  # fmt: skip
        self.run = None
        self.travel_clear_below_m = None
        return Commands(drives_enable=True)


class SequencerBase(JobController[Run]):
    """What every step shares: besides :class:`JobController`'s, the last snapshot and
    permits, and the bookkeeping of steps and holds."""

    def __init__(
        self,
        params: CraneParams,
        yard: YardModel,
        settings: SequencerSettings | None = None,
        *,
        on_event: Callable[[dict[str, object]], None] | None = None,
    ) -> None:
        super().__init__(params, yard, settings, on_event=on_event)
        self.rope = RopeCalibration()
        """What the sway sensor has shown of the real rope length (kept across jobs)."""
        self._permits: Permits | None = None
        self._last: Snapshot | None = None
        """(job id, outcome, reason) of the last finished job."""

    def hold(self, now: float, reason: str) -> None:
        """Stop where it is (the move goes on from here after :meth:`resume`)."""
        run = self.run
        if run is None or run.step is Step.HELD:
            return
        run.resume_step = self._restart_step(run)
        run.hold_reason = reason
        run.leg = None  # the rest is planned again from where the crane stops
        if self._last is not None:
            run.held = HeldState.of(self._last, carrying=self._carrying(run))
        if run.handover is not None:
            run.handover.jogs.clear()  # the operator asks again after the resume
        self._enter(Step.HELD, now, reason=reason)

    def observe(self, snapshot: Snapshot, permits: Permits) -> None:
        """See this scan even when not asked for commands (the machine stopped, say), so that
        a resume judges the crane as it is now."""
        self._last, self._permits = snapshot, permits
        run = self.run
        if run is not None and run.held is not None:
            run.held = run.held.follow(snapshot)

    def abandon(self, now: float, reason: str) -> None:
        """Forget the interrupted move without an outcome event (the caller ends the job):
        cancelled, or taken over by hand. The load stays where it is."""
        run = self.run
        if run is None:
            return
        self._emit({"time": now, "job": run.transfer.job_id, "abandoned": reason})
        self.run = None
        self.travel_clear_below_m = None

    def interrupt(self, now: float, reason: str) -> None:
        """STOP or ABORT: hold where it is, to be resumed by START (planned again from where the
        crane then is), set down, or taken over by hand."""
        run = self.run
        if run is None:
            return
        self.hold(now, reason)
        run.interrupted = True

    def resume_refusals(self, *, check_jump: bool = True) -> list[str]:
        """Why a held move may not go on now (empty: it may, or nothing is held): see
        :func:`crane_ctrl.sequencer.safety.resume_refusals`."""
        run = self.run
        if run is None or run.step is not Step.HELD:
            return []
        if self._last is None or self._permits is None:
            return ["nothing read from the PLC yet"]
        why = resume_refusals(self._last, self._permits, run.held, check_jump=check_jump)
        step = run.resume_step
        if run.airborne and step in HANGS:
            carrying = self._carrying(run)
            landing = self._landing_in(run, step)
            contact = unexpected_contact(self._last, carrying=carrying, landing_m=landing)
            if contact:
                why.append(f"{contact}: check the spreader; STOP, then set it down or take it "
                           "over in MANUAL")  # fmt: skip
        return why

    def _landing_in(self, run: Run, step: Step | None) -> float | None:
        """The twistlock-plane height of the landing ``step`` makes, if it makes one."""
        if step is Step.LOWER or (step is Step.SETTLE and run.resume_step is Step.LOWER):
            return self._landing_height(run)
        if step is Step.OPERATOR_LANDING and run.handover is not None:
            return run.handover.landing_m
        if step is Step.WIND_SET_DOWN and run.wind_place is not None:
            return run.wind_place.landing_m
        return None

    def resume(self, now: float, *, check_jump: bool = True) -> list[str]:
        """Go on after a hold (the operator has seen why it held), planned again from where
        the crane is; what keeps it held instead (empty: it goes on)."""
        run = self.run
        if run is None or run.step is not Step.HELD or run.resume_step is None:
            return []
        why = self.resume_refusals(check_jump=check_jump)
        if why:
            return why
        # a stop leaves a hanging load swinging: calm it first; a resting one goes straight on.
        # In a leg the load hangs unless all four pins say otherwise (one stuck pin does not)
        last, step = self._last, run.resume_step
        pins = all_corners if step.value in HANGING_STEPS else any_corner
        resting = last is not None and pins(last, "landed")
        run.resettles = 0  # the operator has looked
        run.interrupted, run.held = False, None
        self._enter(step if resting else Step.SETTLE, now)
        return []

    def _must_hold(self, snapshot: Snapshot, permits: Permits) -> str:
        """Why the move must hold now ("" if it need not): comms, a drive fault, a stop trip
        (:func:`~crane_ctrl.sequencer.safety.hold_reason`)."""
        why = hold_reason(snapshot, permits)
        if why and not self.settings.hold_on_trip and snapshot.comms_ok:
            faulted = any(snapshot.flag(f"{a}.fault", unsafe=True) for a in AXES)
            return why if faulted else ""
        return why

    @staticmethod
    def _carrying(run: Run) -> bool:
        """A box hangs on (or is locked to) the spreader in this step."""
        return run.delivering and run.step not in (Step.UNLOCK, Step.RAISE_CLEAR)

    @staticmethod
    def _restart_step(run: Run) -> Step:
        """After a hold a leg is planned again from where the crane is (a landing under way
        goes on landing: the load is over its goal)."""
        if run.step is Step.SETTLE:  # a stop while settling: go on with what settling was for
            return run.resume_step or Step.RAISE
        if run.step in (Step.WIND_SET_DOWN, Step.WIND_RAISE):  # resumed: deliver after all
            run.wind_place = None
            return Step.RAISE
        return Step.RAISE if run.step is Step.TRAVEL else run.step

    def _enter(self, step: Step, now: float, *, reason: str = "") -> None:
        run = self.run
        assert run is not None
        landing_on = run.step is Step.TRAVEL and step is Step.LOWER
        if step in _GROUNDED:
            run.airborne = False
        run.step, run.since, run.creep_since, run.gated_since = step, now, None, None
        run.stalled_since, run.released = None, False
        if step not in (Step.TRAVEL, Step.LOWER):
            run.leg = None
        if not landing_on:  # the landing goes on with the sway watched as travel ended
            run.sway.reset()
        run.events.append(self._step_event(run, str(step), now, reason))

    def _fail_safe(self, run: Run, reason: str, now: float, snapshot: Snapshot) -> Commands:
        """Start making the load safe, then fail the job with ``reason``."""
        run.failure = reason
        if all_corners(snapshot, "locked") and any_corner(snapshot, "landed"):
            self._enter(Step.UNLOCK, now, reason=reason)
        elif all_corners(snapshot, "locked"):
            self._enter(Step.SET_BACK, now, reason=reason)
        else:
            self._enter(Step.RAISE_CLEAR, now, reason=reason)
        return Commands(drives_enable=True)

    def _idle(self, run: Run, snapshot: Snapshot, now: float) -> Commands:
        return Commands(drives_enable=True)

    def _held(self, run: Run, snapshot: Snapshot, now: float) -> Commands:
        if run.held is not None:
            run.held = run.held.follow(snapshot)
        return Commands(drives_enable=True)

    def _calm(
        self,
        run: Run,
        snapshot: Snapshot,
        z: float,
        now: float,
        tolerance_m: float,
        expected: Sequence[tuple[float, float]] = ((0.0, 0.0),),
    ) -> bool:
        """The swing over the last window within ``tolerance_m`` (a steady lean in the wind is
        no swing; nor is ``expected``, what the planned travel swings the load by now, see
        :meth:`SwayWatch.sample`). Without a sway sensor there is nothing to judge: calm after
        a window."""
        sway = sway_of(snapshot) or (0.0, 0.0)
        speed = (snapshot.number("gantry.speed") or 0.0, snapshot.number("trolley.speed") or 0.0)
        period = self._period(run, z)
        run.sway.sample(now, sway, speed, CALM_SHARE * period, 2.0 * math.pi / period, expected)
        return run.sway.calm(tolerance_m)

    def _period(self, run: Run, z: float) -> float:
        return pendulum_period_s(
            z, self._rope_params(run), loaded=run.delivering,
            container_height_m=run.transfer.box.height_m,
            container_mass_t=run.mass_t if run.delivering else None,
        )  # fmt: skip

    def _rope_params(self, run: Run) -> CraneParams:
        """The crane's parameters with the rope as the sway sensor has shown it."""
        return self.rope.params(self.params, run.delivering)

    def _damping(
        self, run: Run, snapshot: Snapshot, refs: tuple[float, float]
    ) -> tuple[float, float]:
        """``refs`` plus moving the suspension under the swinging load (the sway sensor's
        offset less the lean), within a share of the rated speeds."""
        sx, sy = run.sway.swing(sway_of(snapshot) or (0.0, 0.0))
        limits = self._limits(snapshot)
        gain = self.settings.sway_damping_gain
        vx = clamp(refs[0] + gain * sx, limits.gantry.vmax_mps * DAMPING_SPEED_SHARE)
        vy = clamp(refs[1] + gain * sy, limits.trolley.vmax_mps * DAMPING_SPEED_SHARE)
        return vx, vy

    def _publish_clear(self, height_m: float, z: float) -> bool:
        """Give the travel interlock ``height_m`` (it reads it at the next scan); whether
        travel may be commanded now: the height it reads this scan (given at the last one)
        and the new one both at or below the hoist."""
        was = self.travel_clear_below_m
        self.travel_clear_below_m = height_m
        return was is not None and z >= max(was, height_m)

    def _last_snapshot(self) -> Snapshot:
        assert self._last is not None
        return self._last

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

    def _limits(self, snapshot: Snapshot) -> MotionLimits:
        loaded = self.run is not None and self.run.delivering
        return MotionLimits.from_params(self.params, loaded=loaded)

    def _xy_goal(self, run: Run) -> tuple[float, float]:
        return run.transfer.goal_xy(self.yard, delivering=run.delivering)

    def _landing_height(self, run: Run) -> float:
        return run.transfer.landing_height_m(self.yard, delivering=run.delivering)

    # --- implemented by the step mixins (the sequencer has them all)

    def _landed(self, run: Run, z: float, landing: float, now: float) -> Commands:
        raise NotImplementedError

    def _operator_lands_here(self, run: Run) -> bool:
        raise NotImplementedError

    def _hand_over(self, run: Run, z: float, landing: float, now: float) -> Commands:
        raise NotImplementedError


def not_landed_why(snapshot: Snapshot | None, landing_m: float, s: SequencerSettings) -> str:
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


def drives_ready(snapshot: Snapshot) -> bool:
    return all(snapshot.flag(f"{axis}.ready", unsafe=False) for axis in AXES)


def position_of(snapshot: Snapshot) -> XYZ | None:
    """(gantry, trolley, hoist) positions, if all three are good."""
    x, y, z = (snapshot.number(f"{a}.position") for a in AXES)
    return None if x is None or y is None or z is None else (x, y, z)


def clamp(value: float, limit: float) -> float:
    return max(-limit, min(limit, value))


def all_clean(snapshot: Snapshot, state: str, opposite: str) -> bool:
    """Every corner reports ``state`` and none ``opposite`` (a corner reporting both, a stuck
    sensor, is neither: the step waits for a clean report and times out into its fault
    reaction instead of going on on a lock state nobody can trust)."""
    return all_corners(snapshot, state) and not any_corner(snapshot, opposite)

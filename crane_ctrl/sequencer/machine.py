"""The step machine: the step table's shape, and what every step shares. Pure.

A :class:`StepHandler` says everything about one :class:`~crane_ctrl.sequencer.model.Step`: what
it commands each scan, its way out, its timeout, what entering it resets, and what a trip, a hold
and a STOP or ABORT do in it. The table (:mod:`crane_ctrl.sequencer.steps`) maps every step to
one; :func:`complete` checks at import that none is missing.

:class:`StepMachine` walks the table for the job's :class:`~crane_ctrl.sequencer.run.Run`: one
scan of a step (:meth:`StepMachine.scan`) is its way out first (``exit``: on to the next step, or
to making the load safe), then its timeout, then what it commands meanwhile (``scan``). The
handlers are plain functions of (machine, run, snapshot, now); through the machine they reach the
crane context, what it last observed, and the bookkeeping every step shares: entering a step,
holding and resuming, failing safe, finishing the job, telling the travel interlock its height.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from crane_ctrl.commands import AXES, Commands
from crane_ctrl.interlocks.evaluate import Motion, Permits
from crane_ctrl.interlocks.wind_outlook import WindOutlook
from crane_ctrl.motion.planner import MotionLimits, hoist_reference
from crane_ctrl.operation.yard_model import YardModel
from crane_ctrl.sequencer.controller import CraneContext, JobSlot
from crane_ctrl.sequencer.model import Outcome, Step
from crane_ctrl.sequencer.readings import on_support, seated
from crane_ctrl.sequencer.run import Run
from crane_ctrl.sequencer.safety import (
    WIND_TRIPS,
    HeldState,
    hold_reason,
    resume_refusals,
    unexpected_contact,
)
from crane_ctrl.sequencer.transfer import all_corners
from crane_ctrl.snapshot import Snapshot

__all__ = [
    "Exit",
    "Interrupt",
    "Refusal",
    "Scan",
    "StepHandler",
    "StepMachine",
    "Timeout",
    "WindReaction",
    "complete",
    "fresh_watch",
    "holds_in_wind",
    "same_step",
    "with_blocks",
]

Scan = Callable[["StepMachine", Run, Snapshot, float], Commands]
"""What a step commands this scan (it may enter another step and say that one's commands)."""
Exit = Callable[["StepMachine", Run, Snapshot, float], "Commands | None"]
"""A step's way out, checked first each scan: the scan's commands once it has left the step
(on to the next, or to making the load safe); ``None`` while it goes on."""
WindReaction = Callable[["StepMachine", Run, Snapshot, Permits, float], bool]
"""A wind stop (and nothing else) in this step: whether the move goes on (securing the load)
instead of holding (see :mod:`crane_ctrl.sequencer.wind`)."""


class Interrupt(StrEnum):
    """What STOP and ABORT do to the move in a step (alike: STOP ramps the axes to zero and
    ABORT drops the drives, both outside the sequencer; the job is INTERRUPTED either way)."""

    HOLD = "hold where it is; START resumes it"
    MARK = "already held: START, not UNHOLD, resumes it"


class Refusal(StrEnum):
    """What the move does when the interlocks refuse a speed it asks for in a step."""

    HOLD = "hold: the plan and the crane no longer agree"
    LANDING = "hold, but slack ropes or the lower limit stopping the hoist is the landing"
    IGNORED = "nothing: the move is held, or the operator jogs"


@dataclass(frozen=True, slots=True)
class Timeout:
    """How long a step may last after it was entered, and what it does then."""

    limit_s: Callable[[CraneContext], float]
    react: Scan


def same_step(run: Run) -> Step:
    """A resume goes on with the step it held in."""
    return run.step


def fresh_watch(run: Run, came_from: Step) -> None:
    """Entering a step starts a fresh sway watch."""
    run.sway.reset()


def holds_in_wind(
    m: StepMachine, run: Run, snapshot: Snapshot, permits: Permits, now: float
) -> bool:
    """On its support, or making it safe already: a wind stop holds it there."""
    return False


@dataclass(frozen=True, slots=True, kw_only=True)
class StepHandler:
    """Everything about one step, for :class:`StepMachine` to walk. What a hold and what STOP
    and ABORT do are stated for every step; the rest where it applies."""

    scan: Scan
    """What the step commands each scan while it goes on."""
    restart: Callable[[Run], Step] | None
    """A hold in it (a trip, unexpected contact, a refused motion, the operator's HOLD): the
    step a resume goes on with (``None``: already held, a hold changes nothing). Whatever the
    step, the leg is planned again from where the crane stops."""
    interrupt: Interrupt
    """What STOP and ABORT do in it."""
    on_hold: Callable[[Run], None] | None = None
    """What else a hold in it drops (the operator's jogs)."""
    exit: Exit | None = None
    """Its way out, checked before the timeout (``None``: ``scan`` decides it)."""
    timeout: Timeout | None = None
    """How long it may last after it was entered (``None``: ``scan`` watches its own time)."""
    entry: Callable[[Run, Step], None] = fresh_watch
    """What entering it resets, given the step it came from (besides the step's clocks)."""
    keeps_leg: bool = False
    """The leg planned at the rise goes on in it (travel, lower); entering any other drops it."""
    takes_plan: bool = False
    """A plan asked for before it (ahead) is kept on entering it, for it to take if the plan
    still holds for where the crane then is (the rise); entering any other drops it."""
    watches_trips: bool = True
    """A trip, a drive fault or lost comms holds the move in it (unless the wind reaction goes
    on): false where it is held already."""
    wind: WindReaction = holds_in_wind
    """A wind stop in it: go on securing the load, or hold."""
    hangs: bool = False
    """The load (or the empty spreader) hangs free in it: contact is unexpected, but at the
    landing it makes; a resume into it needs all four pins landed to count as resting."""
    landing: Callable[[Run, YardModel], float | None] | None = None
    """The twistlock-plane height of the landing it makes, if it makes one."""
    refusal: Refusal = Refusal.HOLD
    """What a refused motion does in it."""
    telescope_deadline: bool = True
    """The empty spreader must be the box's size ``telescope_timeout_s`` into the job while
    the job is in it."""


def with_blocks(why: str, blocked: str) -> str:
    """``why`` a step timed out, with what blocked it (:meth:`StepMachine.blocked_by`) in
    brackets if anything did: "spreader did not telescope to 20 ft (blocked by ...)"."""
    return f"{why} ({blocked})" if blocked else why


def complete(table: Mapping[Step, StepHandler]) -> Mapping[Step, StepHandler]:
    """``table``, read-only, if every step has a handler; ``ValueError`` naming those without."""
    missing = [str(step) for step in Step if step not in table]
    if missing:
        raise ValueError(f"step table: no handler for step(s) {', '.join(missing)}")
    return MappingProxyType(dict(table))


_STRAIGHT_ON = frozenset({Step.SET_BACK, Step.LOCK, Step.UNLOCK, Step.TRIAL_LIFT})
"""Steps a resume goes straight back into, without settling the swing first: settling lifts the
load clear of what is around it, which an overweight box (OVERLOAD blocks hoisting) or a box on
its support must not do; they lower, turn twistlocks, or lift at creep by their own checks."""


class StepMachine:
    """The job's run walked through the step table, with what the machine last observed."""

    def __init__(self, crane: CraneContext, table: Mapping[Step, StepHandler]) -> None:
        self.crane = crane
        self.table = complete(table)
        self.job = JobSlot[Run](crane)
        self.last: Snapshot | None = None
        """The last snapshot seen (commanding or observing)."""
        self.permits: Permits | None = None
        """The last permits seen with it."""

    @property
    def run(self) -> Run | None:
        return self.job.run

    def scan(self, run: Run, snapshot: Snapshot, now: float) -> Commands:
        """One scan of the step ``run`` is in: its way out, its timeout, else its commands."""
        handler = self.table[run.step]
        if handler.exit is not None:
            commands = handler.exit(self, run, snapshot, now)
            if commands is not None:
                return commands
        timeout = handler.timeout
        if timeout is not None and now - run.since > timeout.limit_s(self.crane):
            return timeout.react(self, run, snapshot, now)
        return handler.scan(self, run, snapshot, now)

    def enter(self, step: Step, now: float, *, reason: str = "") -> None:
        """Enter ``step``: its clocks start, its entry resets what it says; the step event."""
        run = self.run
        assert run is not None
        came_from, handler = run.step, self.table[step]
        run.step, run.since, run.creep_since, run.gated_since = step, now, None, None
        run.stalled_since, run.released, run.lift_waits = None, False, ""
        if not handler.keeps_leg:
            run.drop_leg(keep_plan=handler.takes_plan)
        handler.entry(run, came_from)
        run.events.append(self.job.step_event(run, str(step), now, reason))

    def finish(self, outcome: Outcome, reason: str, now: float) -> Commands:
        return self.job.finish(outcome, reason, now)

    def observe(self, snapshot: Snapshot, permits: Permits) -> None:
        """See this scan even when not asked for commands (the machine stopped, say), so that
        a resume judges the crane as it is now."""
        self.last, self.permits = snapshot, permits
        run = self.run
        if run is not None and run.held is not None:
            run.held = run.held.follow(snapshot)

    def publish_clear(self, height_m: float, z: float) -> bool:
        """Give the travel interlock ``height_m`` (it reads it at the next scan); whether
        travel may be commanded now: the height it reads this scan (given at the last one)
        and the new one both at or below the hoist."""
        was = self.job.clear_below_m
        self.job.clear_below_m = height_m
        return was is not None and z >= max(was, height_m)

    def blocked_by(self, *motions: Motion) -> str:
        """The interlocks that block any of ``motions`` now, with their reasons ("blocked by
        TELESCOPE_NOT_FREE: ..."; "" when none does): what a time-out names when its motion or
        request never reached the PLC (:func:`with_blocks`)."""
        permits = self.permits
        if permits is None:
            return ""
        trips = {t.id: t for motion in motions for t in permits.why_not(motion)}
        return f"blocked by {'; '.join(map(str, trips.values()))}" if trips else ""

    @property
    def wind(self) -> WindOutlook | None:
        """Where the wind was going at this scan (the interlocks' outlook), if known."""
        return None if self.permits is None else self.permits.wind

    def lift_waits(self, run: Run, now: float, why: str) -> None:
        """The lift off the support waits (``why``): the step's clock starts again when it may
        lift, and it is said once in the step's events as it begins to wait (again after it
        lifted, or in a step entered since)."""
        run.since = now
        if not run.lift_waits:
            run.lift_waits = why
            run.events.append(self.job.step_event(run, str(run.step), now,
                                                  f"the lift waits: {why}"))  # fmt: skip

    def latched_against(self, motion: Motion) -> list[str]:
        """The latched trips (they wait for a reset) that block ``motion``."""
        permits = self.permits
        if permits is None:
            return []
        return [t.id for t in permits.why_not(motion) if t.latched]

    def hoist_to(self, run: Run, z: float, goal: float) -> Commands:
        """Hoist from ``z`` to ``goal`` (no creep), at the run's rated limits."""
        limits = MotionLimits.from_params(self.crane.params, loaded=run.delivering).hoist
        creep = self.crane.params.creep_speed_mps
        ref = hoist_reference(z, goal, limits, creep_from_m=None, creep_mps=creep)
        return Commands(drives_enable=True, hoist_speed_ref=ref)

    def landing_in(self, run: Run, step: Step) -> float | None:
        """The twistlock-plane height of the landing ``step`` makes, if it makes one."""
        landing = self.table[step].landing
        return None if landing is None else landing(run, self.crane.yard)

    # --- holding and going on

    def must_hold(self, snapshot: Snapshot, permits: Permits) -> str:
        """Why the move must hold now ("" if it need not): comms, a drive fault, a stop trip
        (:func:`~crane_ctrl.sequencer.safety.hold_reason`)."""
        why = hold_reason(snapshot, permits)
        if why and not self.crane.settings.hold_on_trip and snapshot.comms_ok:
            faulted = any(snapshot.flag(f"{a}.fault", unsafe=True) for a in AXES)
            return why if faulted else ""
        return why

    def hold(self, now: float, reason: str) -> None:
        """Stop where it is (the move goes on from here after :meth:`resume`). A securing that
        was the hold's own wind reaction and is held short of making the load safe, for a reason
        other than a trip (which blocks it only while it lasts), does not start again by itself
        (:attr:`~crane_ctrl.sequencer.run.Run.hold_reaction_off`)."""
        run = self.run
        if run is None:
            return
        handler = self.table[run.step]
        if handler.restart is None:
            return
        if run.secures_in_hold:
            run.secures_in_hold = False
            if not (run.wind_secured or self._tripped()):
                run.hold_reaction_off = reason
        run.resume_step = handler.restart(run)
        run.hold_reason = reason
        run.drop_leg()  # the rest is planned again from where the crane stops
        if self.last is not None:
            run.held = HeldState.of(self.last, carrying=run.carrying)
        if handler.on_hold is not None:
            handler.on_hold(run)
        self.enter(Step.HELD, now, reason=reason)

    def _tripped(self) -> bool:
        """Something besides the wind stops the crane now: comms, a drive fault, a stop trip."""
        last, permits = self.last, self.permits
        return (
            last is not None
            and permits is not None
            and bool(hold_reason(last, permits, besides=WIND_TRIPS))
        )

    def interrupt(self, now: float, reason: str) -> None:
        """STOP or ABORT: hold where it is, to be resumed by START (planned again from where the
        crane then is), set down, or taken over by hand."""
        run = self.run
        if run is None:
            return
        if self.table[run.step].interrupt is Interrupt.HOLD:
            self.hold(now, reason)
        run.interrupted = True

    def resume_refusals(self, *, check_jump: bool = True) -> list[str]:
        """Why a held move may not go on now (empty: it may, or nothing is held): see
        :func:`crane_ctrl.sequencer.safety.resume_refusals`."""
        run = self.run
        if run is not None and run.secures_in_hold:
            return ["the hold's wind reaction is making the load safe (no travel, the hoist "
                    "only): it holds again there; resume then"]  # fmt: skip
        if run is not None and run.sets_back_in_hold and not run.interrupted:
            return ["the hold is setting the box, not yet weighed, back down on its pick place "
                    "(the hoist only, at creep): it holds again there; resume then"]  # fmt: skip
        if run is None or run.step is not Step.HELD:
            return []
        if self.last is None or self.permits is None:
            return ["nothing read from the PLC yet"]
        why = resume_refusals(
            self.last, self.permits, run.held, check_jump=check_jump, to_secure=run.may_be_secured
        )
        step = run.resume_step
        if run.airborne and step is not None and self.table[step].hangs:
            landing = self.landing_in(run, step)
            contact = unexpected_contact(
                self.last, carrying=run.carrying, landing_m=landing, weighed_t=run.mass_t
            )
            if contact:
                why.append(f"{contact}: check the spreader; STOP, then set it down or take it "
                           "over in MANUAL")  # fmt: skip
        return why

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
        # In a leg the load hangs unless it is seated (one stuck pin does not say otherwise)
        last, step = self.last, run.resume_step
        rests = seated if self.table[step].hangs else on_support
        resting = last is not None and rests(last)
        resting |= step in _STRAIGHT_ON  # settling would hoist: these only go down or turn
        run.resettles = 0  # the operator has looked
        run.interrupted, run.held, run.wind_secured = False, None, False
        run.hold_reaction_off, run.sets_back_in_hold, run.set_back_waits = "", False, ""
        self.enter(step if resting else Step.SETTLE, now)
        return []

    def abandon(self, now: float, reason: str) -> None:
        """Forget the interrupted move without an outcome event (the caller ends the job):
        cancelled, or taken over by hand. The load stays where it is."""
        run = self.run
        if run is None:
            return
        self.crane.emit({"time": now, "job": run.transfer.job_id, "abandoned": reason})
        self.job.drop()

    def fail_safe(self, run: Run, reason: str, now: float, snapshot: Snapshot) -> Commands:
        """Start making the load safe, then fail the job with ``reason``."""
        run.failure = reason
        if all_corners(snapshot, "locked") and on_support(snapshot):
            self.enter(Step.UNLOCK, now, reason=reason)
        elif all_corners(snapshot, "locked"):
            self.enter(Step.SET_BACK, now, reason=reason)
        else:
            self.enter(Step.RAISE_CLEAR, now, reason=reason)
        return Commands(drives_enable=True)

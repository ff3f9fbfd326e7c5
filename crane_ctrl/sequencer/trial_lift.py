"""The trial lift cut short: what may hang on the box with it, and how the crane closes that. Pure.

The trial lift (:mod:`~crane_ctrl.sequencer.spreader`) lifts the locked box a few centimetres
off its pick place at creep speed and answers one question before the box goes anywhere: what
hangs on the ropes. The box alone; or with its truck (the chassis twistlocks left locked: the
trailer rises with it, TRUCK_LIFTED past ``truck_lift_threshold_m``); or an overweight box
(OVERLOAD); or a box that does not come clear. Its checks run while its step runs. Cut short
before it has weighed the box (the operator's HOLD, a hold for a trip, STOP, ABORT), the question
stays open (:func:`unanswered`): the box hangs just off its place, and a trailer may hang on it
with nothing tripped yet (bench case 1002968: a HOLD 0.70 s into the trial lift left a trailer
hanging 0.03 m up, under the 0.05 m trip; the job was then cancelled, "container hangs on the
spreader", and nothing said a trailer hung on it).

A held or stopped crane cannot answer the question (that needs lifting on); it closes it the
other way, putting the box back where it was lifted from:

- **held** (HOLDING, HELD: the operator's HOLD, or a refused motion's), the box over its place:
  the hold's own reaction sets it back down there (:func:`sets_back_while_held`), the hoist
  only, straight down at creep speed. Lowering a box onto the place it has just left is the
  safe direction (a wind stop does the same, :func:`~crane_ctrl.sequencer.wind.
  sets_back_on_pick`); the job stays HELD throughout, journaled "... setting it back down on T1,
  the hold's own reaction ...", and holds again with the box standing there locked. Resumed
  (UNHOLD), the trial lift starts again from the lock; if it had seen the truck lift or an
  overweight box (:func:`~crane_ctrl.sequencer.spreader.trial_lift_fault`, watched throughout the
  hold), the box is unlocked there instead and the job fails naming that. Not after a stop trip
  (bad data, the link, a drive fault, the e-stop, a person in the lane; the wind's are the
  wind's reaction, :mod:`~crane_ctrl.sequencer.wind`) that came with the hold or since: after a
  trip nothing moves by itself, and UNHOLD goes on with the trial lift, which answers the
  question; not after STOP or ABORT (nothing moves until START); not after a stall or the box
  swinging off its place (it would land off the castings); and not while the interlocks keep the
  hoist from lowering. UNHOLD is refused while it lowers (it holds again within a second or two).
- **stopped or aborted**: nothing moves by itself; while the question is open the job may be
  neither cancelled nor taken over by hand (:func:`refusal`): SET DOWN (:func:`plan_set_back`)
  then START sets the box back on its pick place, unlocks it and fails the job naming that; START
  alone goes on with the trial lift, which answers its question.

Whatever ends the job, then, the box stands on its place or has been weighed: no job ends with a
trailer (or anything) hanging on its box unsaid.
"""

from __future__ import annotations

from crane_ctrl.commands import Commands
from crane_ctrl.interlocks.evaluate import Motion, Permits
from crane_ctrl.motion.planner import HOIST_TOLERANCE_M
from crane_ctrl.sequencer.machine import StepMachine, with_blocks
from crane_ctrl.sequencer.model import TRIAL_CREEP_ON_M, Step
from crane_ctrl.sequencer.readings import not_seated_why, seated
from crane_ctrl.sequencer.run import Run
from crane_ctrl.sequencer.safety import WIND_TRIPS, hold_reason
from crane_ctrl.sequencer.spreader import off_support, stalled, trial_lift_fault
from crane_ctrl.sequencer.transfer import all_corners
from crane_ctrl.snapshot import Snapshot

__all__ = [
    "SETS_BACK_IN_HOLD",
    "found",
    "plan_set_back",
    "refusal",
    "sets_back_while_held",
    "situation",
    "unanswered",
]

SETS_BACK_IN_HOLD = frozenset({Step.TRIAL_LIFT, Step.SET_BACK})
"""Held in these, the hold's own reaction sets the unweighed box back on its pick place: the
trial lift, and the set-back its own failure started (the truck lift seen, then a HOLD)."""
_TRIAL_TRIPS = frozenset({"TRUCK_LIFTED", "OVERLOAD"})
"""The interlocks of what the trial lift fails a box for: latched, they say it after the
reading has gone (the trailer set back down)."""


def unanswered(run: Run, snapshot: Snapshot) -> bool:
    """The trial lift has lifted the box and not weighed it, and it is not seated on its place
    again (the move in, or held in, the trial lift or a set-back onto the pick place): what
    hangs on the ropes with it is not known. Readings not to be trusted count as open (the
    twistlocks may hold it, the box may hang)."""
    if not run.lifted_unweighed:
        return False
    return not all_corners(snapshot, "unlocked") and not seated(snapshot)


def found(m: StepMachine, run: Run, snapshot: Snapshot, permits: Permits | None) -> str:
    """What the trial lift fails a box for, as seen now ("" if nothing): its failure already,
    overweight or the truck lifted as read (:func:`~crane_ctrl.sequencer.spreader.
    trial_lift_fault`), or their interlocks latched since (the trailer back down, TRUCK_LIFTED
    waits for a reset)."""
    if run.failure is not None:
        return run.failure
    fault = trial_lift_fault(m, snapshot)
    if fault or permits is None:
        return fault
    return "; ".join(str(t) for t in permits.active if t.id in _TRIAL_TRIPS)


def situation(m: StepMachine, run: Run, snapshot: Snapshot, permits: Permits | None) -> str:
    """The open question in words: "container X hangs 0.06 m off truck lane T1, lifted at its
    trial lift and not yet weighed: ...", with what the trial lift found if anything."""
    box, slot = run.transfer.box.id, run.transfer.box.slot
    z = snapshot.number("hoist.position")
    where = f"just off {slot}" if z is None or run.trial_from_m is None else \
        f"{max(0.0, z - run.trial_from_m):.2f} m off {slot}"  # fmt: skip
    seen = found(m, run, snapshot, permits)
    seen = f" ({seen})" if seen else ""
    return (f"container {box} hangs {where}, lifted at its trial lift and not yet weighed{seen}:"
            " a trailer (its chassis twistlocks left locked) or anything caught on it may hang "
            "on it too")  # fmt: skip


def refusal(m: StepMachine, action: str) -> str:
    """Why the job may not be ended by ``action`` ("cancelled", "taken over") now, naming what
    to do instead ("" while it may): the trial lift's question is open (:func:`unanswered`)."""
    run, snapshot = m.run, m.last
    if run is None or snapshot is None or not unanswered(run, snapshot):
        return ""
    slot = run.transfer.box.slot
    now = situation(m, run, snapshot, m.permits)
    return (f"job {run.transfer.job_id} may not be {action} now: {now}. "
            f"SET DOWN, then START, sets it back on {slot} (the job then fails); START alone goes "
            "on with the trial lift, which answers that")  # fmt: skip


def plan_set_back(m: StepMachine, now: float) -> bool:
    """The operator's SET DOWN while the trial lift's question is open (the job stopped or
    aborted there): the box goes back down on its pick place when the move resumes (START),
    is unlocked there and the job fails naming that; whether it applies."""
    run, snapshot = m.run, m.last
    if run is None or snapshot is None or run.step is not Step.HELD:
        return False
    if not unanswered(run, snapshot):
        return False
    slot = run.transfer.box.slot
    if run.failure is None:  # (else it fails with that already: the truck lifted, say)
        seen = found(m, run, snapshot, m.permits)
        why = f"set back down on {slot} by the operator: its trial lift was cut short"
        run.failure = f"{seen}; {why}" if seen else why
    run.resume_step = Step.SET_BACK
    m.crane.emit({"time": now, "job": run.transfer.job_id, "set_down": str(slot)})
    return True


# --- the hold's own reaction


def sets_back_while_held(
    m: StepMachine, run: Run, snapshot: Snapshot, permits: Permits, now: float
) -> Commands | None:
    """The hold's own trial-lift reaction (module docstring): the job HELD in its trial lift
    (or setting the box back after it, :data:`SETS_BACK_IN_HOLD`) with the box off its pick
    place and not weighed: lower it back onto that place at creep speed, then hold again; the
    commands while it lowers (``None``: it does not)."""
    if run.resume_step not in SETS_BACK_IN_HOLD or run.interrupted:
        return None  # (STOP, ABORT: nothing moves until START)
    trip = hold_reason(snapshot, permits, besides=WIND_TRIPS)
    if trip and not run.set_back_waits:  # (in the scan it held, too)
        _give_up(m, run, now, f"{trip} (after a trip nothing moves by itself)")
    if run.sets_back_in_hold and seated(snapshot):
        return _set_back(m, run, found(m, run, snapshot, permits), now)
    if run.since >= now or run.set_back_waits:
        return None
    if not unanswered(run, snapshot):
        return None
    why_not = _not_over_its_place(m, run, snapshot)
    if why_not:
        if run.sets_back_in_hold:  # swung or leaned off it on the way down
            _give_up(m, run, now, why_not)
        return None
    if not permits.allowed(Motion.HOIST_DOWN):
        return None
    return _lower(m, run, snapshot, permits, now)


def _not_over_its_place(m: StepMachine, run: Run, snapshot: Snapshot) -> str:
    """Why the box may not be set straight back down where it hangs ("" if it may): its
    height unknown or beyond the trial lift's, or hanging off its place (it would land off
    the castings)."""
    z, start = snapshot.number("hoist.position"), run.trial_from_m
    if z is None or start is None:
        return "its height is not known"
    if z - start > m.crane.trial_lift_m + TRIAL_CREEP_ON_M + HOIST_TOLERANCE_M:
        return f"it hangs {z - start:.2f} m up, higher than the trial lift lifts"
    off = off_support(m, run, snapshot)
    if off > m.crane.params.stacking_tolerance_m / 2:
        return f"it hangs {off:.2f} m off its place (it would land off the castings)"
    return ""


def _lower(m: StepMachine, run: Run, snapshot: Snapshot, permits: Permits, now: float) -> Commands:
    """Creep down onto the place; the hoist standing still for ``landed_timeout_s`` short of
    seated (slack ropes, a pin that will not press): give up and stay held."""
    if not run.sets_back_in_hold:
        run.sets_back_in_hold, run.stalled_since = True, None
        slot = run.transfer.box.slot
        what = situation(m, run, snapshot, permits)
        why = (f"{run.hold_reason}: {what}; setting it back down on "
               f"{slot}, the hold's own reaction (the hoist only, at creep; held again once it "
               "is down, then waits for the operator)")  # fmt: skip
        run.events.append(m.job.step_event(run, str(run.step), now, why))
    if stalled(run, snapshot, now, m.crane.landed_timeout_s):
        why = with_blocks(not_seated_why(snapshot), m.blocked_by(Motion.HOIST_DOWN))
        _give_up(m, run, now, f"set back down but not seated ({why})")
        return Commands(drives_enable=True)
    return Commands(drives_enable=True, hoist_speed_ref=-m.crane.params.creep_speed_mps)


def _set_back(m: StepMachine, run: Run, fault: str, now: float) -> Commands:
    """Seated on its place again: held, the box locked there. Resumed: the trial lift again
    (from the lock), or, if it found something wrong (``fault``), unlocked there and the job
    fails with that."""
    run.sets_back_in_hold, run.stalled_since = False, None
    box, slot = run.transfer.box.id, run.transfer.box.slot
    if fault:
        run.failure = fault
        run.resume_step = Step.UNLOCK
        then = "resumed, it is unlocked there and the job fails"
    else:
        run.resume_step = Step.LOCK
        then = "resumed, the trial lift starts again"
    run.hold_reason = (f"{run.failure or 'the trial lift cut short'}: container {box} set back "
                       f"down on {slot} before it was weighed, locked; {then}")  # fmt: skip
    run.events.append(m.job.step_event(run, str(run.step), now, run.hold_reason))
    return Commands(drives_enable=True)


def _give_up(m: StepMachine, run: Run, now: float, why: str) -> None:
    """The set-back may not start, or go on: held where it is until the operator resumes (it
    is journaled only if the box hung off its place unweighed, or was being set back)."""
    was_setting_back = run.sets_back_in_hold
    run.sets_back_in_hold, run.stalled_since = False, None
    run.set_back_waits = f"not set back down on {run.transfer.box.slot}: {why}"
    snapshot = m.last
    if was_setting_back or (snapshot is not None and unanswered(run, snapshot)):
        run.events.append(m.job.step_event(run, str(run.step), now, run.set_back_waits))

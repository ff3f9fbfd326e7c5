"""The spreader's steps, with it landed: lock, trial lift, set back down, unlock, raise clear. Pure.

Collect: lock (TIC 4.0 Locked on all four corners, none reporting unlocked, within
``lock_timeout_s``; else unlock and give up), then the trial lift (a slow lift of
``trial_lift_m``, the weight taken ``settle_s`` after the box left its support; overweight or its
truck coming up with it: set it back down). Deliver: unlock (within ``lock_timeout_s``; else the
load stays landed and the job fails), raise clear of the set-down and finish. Never leave a load
unsafe: a failure on the way sets the box back down, unlocks and raises the empty spreader clear
before the job fails with it. The time limits and the trial lift's height are the crane's
(:class:`~crane_ctrl.sequencer.controller.CraneContext`); a time-out whose request the interlocks
kept from the PLC names them (:meth:`~crane_ctrl.sequencer.machine.StepMachine.blocked_by`).
"""

from __future__ import annotations

import math

from crane_ctrl.commands import Commands
from crane_ctrl.interlocks.evaluate import Motion
from crane_ctrl.sequencer.controller import CraneContext
from crane_ctrl.sequencer.lift_swing import (
    SET_BACK_SHARE,
    before_the_lift,
    lifted_off,
    reaches_neighbour,
)
from crane_ctrl.sequencer.machine import StepMachine, with_blocks
from crane_ctrl.sequencer.model import OVERSHOOT_M, STILL_MPS, TRIAL_CREEP_ON_M, Outcome, Step
from crane_ctrl.sequencer.readings import (
    all_clean,
    carried,
    not_seated_why,
    position_of,
    seated,
)
from crane_ctrl.sequencer.run import Run
from crane_ctrl.sequencer.sway import sway_of
from crane_ctrl.sequencer.transfer import all_corners
from crane_ctrl.snapshot import Snapshot
from crane_ctrl.wording import apart

__all__ = [
    "TRIAL_CREEP_ON_M",
    "lock",
    "locked",
    "not_clear",
    "not_locked",
    "not_unlocked",
    "off_support",
    "raise_clear",
    "set_back_down",
    "trial_lift",
    "trial_lift_fault",
    "trial_lift_s",
    "unlock",
    "unlocked",
    "weighed",
]


# --- lock: ends locked, times out after lock_timeout_s


def locked(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands | None:
    """All four locked, none unlocked (TIC 4.0 Locked: a mixed corner is not): the trial lift."""
    if not all_clean(snapshot, "locked", "unlocked"):
        return None
    m.enter(Step.TRIAL_LIFT, now)
    z = snapshot.number("hoist.position")
    box = run.transfer.box
    run.trial_from_m = m.crane.yard.pick_height_m(box) if z is None else z
    run.target_z = (z or 0.0) + m.crane.trial_lift_m
    run.pull = None
    return Commands(drives_enable=True)


def not_locked(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    late = f"twistlocks not locked within {m.crane.lock_timeout_s:g} s"
    run.failure = with_blocks(late, m.blocked_by(Motion.LOCK))
    m.enter(Step.UNLOCK, now, reason=run.failure)
    return Commands(drives_enable=True)


def lock(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """Ask for the lock until locked; a PLC that refuses the request (or never takes it over)
    says why, and the pick up gives up at once, as at the time-out."""
    refused = snapshot.refused.get("spreader.lock")
    if refused:
        run.failure = f"twistlocks not locked: {refused}{_turned_all_the_same(refused, snapshot)}"
        m.enter(Step.UNLOCK, now, reason=run.failure)
        return Commands(drives_enable=True)
    return Commands(drives_enable=True, lock=True)


def _turned_all_the_same(refused: str, snapshot: Snapshot) -> str:
    """An unanswered request whose twistlocks turned anyway: the PLC took it, and only its
    answer was missed (the ack in the profile is the first thing to check)."""
    if refused.startswith("the PLC refused") or all_corners(snapshot, "unlocked"):
        return ""
    return (
        " (the twistlocks turned all the same: the PLC took the request but its answer was not "
        "seen; check spreader.lock's ack in the profile); unlocking, the box stays"
    )


# --- trial lift: ends weighed (or failed), times out after trial_lift_s


def trial_lift_fault(m: StepMachine, snapshot: Snapshot) -> str:
    """What the trial lift finds wrong with what hangs on the ropes now ("" if nothing):
    overweight, or the truck lifted with the box."""
    load = snapshot.number("hoist.load")
    limit = m.crane.params.overload_trip_t
    if load is not None and load > limit:
        shown, trip = apart(load, limit, 1)
        return f"overweight: {shown} t > {trip} t"
    if snapshot.flag("lane.truck_lifted", unsafe=False):
        return "truck lifted with the container"
    return ""


def weighed(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands | None:
    """Overweight, or the truck lifted with the box: set it back down and fail. Lifted
    ``trial_lift_m`` and the weight settled ``settle_s`` off the support: weighed, the rise."""
    fault = trial_lift_fault(m, snapshot)
    if fault:
        return m.fail_safe(run, fault, now, snapshot)
    load = snapshot.number("hoist.load")
    z = snapshot.number("hoist.position")
    if carried(snapshot) and run.creep_since is None:
        run.creep_since = now  # the ropes take the box: let the load cell settle
    s = m.crane.settings
    settled = run.creep_since is not None and now - run.creep_since >= s.settle_s
    if load is not None and lifted_off(run, snapshot):
        why = reaches_neighbour(m.crane, run, snapshot, m.wind, load)
        over = off_support(m, run, snapshot) <= m.crane.params.stacking_tolerance_m / 2
        if why and over:  # (the swing has hardly begun: back down onto its place, and wait)
            run.lift_mass_t, run.wind_set_back = load, why
            m.enter(Step.SET_BACK, now, reason=f"{why}: set back down, the lift waits")
            return Commands(drives_enable=True)
    if z is not None and z >= run.target_z and settled:
        run.delivering = True
        run.airborne = True  # lifted clear on the ropes: a stop from here leaves it hanging
        run.mass_t = load  # weighed: the pendulum of the leg to come
        m.enter(Step.RAISE, now)
        return Commands(drives_enable=True)
    return None


def trial_lift_s(crane: CraneContext) -> float:
    """How long the trial lift may take: the lift at its speed, the settling, a lock's time."""
    s = crane.settings
    return crane.trial_lift_m / s.trial_lift_mps + s.settle_s + crane.lock_timeout_s


def not_clear(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    run.failure = "the box did not come clear at the trial lift: the ropes do not carry it"
    m.enter(Step.SET_BACK, now, reason=run.failure)
    return Commands(drives_enable=True)


def trial_lift(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """Creep up, on a little past the lift's height while the weight is measured; but wait on
    the support while the wind would swing the box, its mass known (declared, or weighed at a
    lift set back down for the wind), into a neighbour
    (:mod:`~crane_ctrl.sequencer.lift_swing`)."""
    if seated(snapshot) and (why := before_the_lift(m.crane, run, snapshot, m.wind)):
        m.lift_waits(run, now, why)
        return Commands(drives_enable=True)
    z = snapshot.number("hoist.position")
    if z is not None and z >= run.target_z + TRIAL_CREEP_ON_M:
        return Commands(drives_enable=True)  # hold still while the weight is measured
    return Commands(drives_enable=True, hoist_speed_ref=m.crane.settings.trial_lift_mps)


# --- set back down: watches its own stall


def set_back_down(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """Lower the locked box at creep speed until it is seated (all four pins pressed, the
    twistlocks carrying nothing); stalled short of that (slack rope, a pin that will not press)
    for ``landed_timeout_s``: hold. A load that hangs off its support (leaning in the wind,
    swinging, or not over it at all) is not set down: it would land off the castings; it holds
    for the operator instead."""
    cause = run.failure or run.wind_set_back
    if seated(snapshot):
        if run.failure is None:  # set back for the wind: lift again once it allows
            m.enter(Step.LOCK, now, reason=f"set back down for the wind: {run.wind_set_back}")
        else:
            m.enter(Step.UNLOCK, now, reason=run.failure)
        return Commands(drives_enable=True)
    off = off_support(m, run, snapshot)
    if run.failure is None and off > SET_BACK_SHARE * m.crane.params.stacking_tolerance_m:
        return _raise_instead(m, run, off, now)
    if run.failure is not None and off > m.crane.params.stacking_tolerance_m / 2:
        m.hold(now, f"{cause}; not set back down: the load hangs {off:.2f} m off its "
                    "support (it would land off the castings)")  # fmt: skip
        return Commands(drives_enable=True)
    if stalled(run, snapshot, now, m.crane.landed_timeout_s):
        why = with_blocks(not_seated_why(snapshot), m.blocked_by(Motion.HOIST_DOWN))
        m.hold(now, f"{cause}; set back down but not seated ({why})")
        return Commands(drives_enable=True)
    return Commands(drives_enable=True, hoist_speed_ref=-m.crane.params.creep_speed_mps)


def _raise_instead(m: StepMachine, run: Run, off: float, now: float) -> Commands:
    """Set back for the wind, the box swung too far off its place to land on it within the
    stacking tolerance (a light box, its swing quicker than the set-back): it hangs, weighed;
    the least exposure left is the rise, as any weighed box's."""
    run.delivering, run.airborne = True, True
    run.mass_t, run.lift_mass_t = run.lift_mass_t, None
    why = (f"{run.wind_set_back}; it swung {off:.2f} m off its place before it was down: "
           "raised clear instead")  # fmt: skip
    run.wind_set_back = ""
    m.enter(Step.RAISE, now, reason=why)
    return Commands(drives_enable=True)


def stalled(run: Run, snapshot: Snapshot, now: float, limit_s: float) -> bool:
    """The hoist, asked to creep down, has stood still longer than ``limit_s`` (the landing's
    time-out): the set-down is stuck, not slow (keeps the time it stopped in ``run``)."""
    if abs(snapshot.number("hoist.speed") or 0.0) >= STILL_MPS:
        run.stalled_since = None
    elif run.stalled_since is None:
        run.stalled_since = now
    return run.stalled_since is not None and now - run.stalled_since > limit_s


# --- unlock: ends unlocked, times out after lock_timeout_s


def unlocked(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands | None:
    """All four unlocked, none locked: raise clear."""
    if not all_clean(snapshot, "unlocked", "locked"):
        return None
    m.enter(Step.RAISE_CLEAR, now, reason=run.failure or "")
    return Commands(drives_enable=True)


def not_unlocked(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    late = with_blocks("twistlocks not unlocked", m.blocked_by(Motion.UNLOCK))
    return m.finish(Outcome.FAILED, f"{late}: load left landed, spreader stays for the "
                    "maintenance crew", now)  # fmt: skip


def unlock(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """Ask for the unlock until unlocked; refused by the PLC: the load stays landed."""
    refused = snapshot.refused.get("spreader.unlock")
    if refused:
        return m.finish(Outcome.FAILED, f"twistlocks not unlocked ({refused}): load left "
                        "landed, spreader stays for the maintenance crew", now)  # fmt: skip
    return Commands(drives_enable=True, unlock=True)


# --- raise clear: the end of the job


def raise_clear(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """Raise the empty spreader clear of the landing, then finish: done, or failed with the
    failure that brought it here (a latch against hoisting up: left landed, failed)."""
    z = snapshot.number("hoist.position")
    if z is None:
        return Commands(drives_enable=True)
    latched = m.latched_against(Motion.HOIST_UP)
    if run.failure is not None and latched:
        # the load is safe (set down, unlocked); lifting waits for an operator reset
        why = f"{run.failure}; spreader left landed until {', '.join(latched)} is reset"
        return m.finish(Outcome.FAILED, why, now)
    goal = run.landing_height_m(m.crane.yard) + m.crane.params.safe_clearance_m + 1.0
    if z >= goal:
        if run.failure is not None:
            return m.finish(Outcome.FAILED, run.failure, now)
        return m.finish(Outcome.DONE, "", now)
    return m.hoist_to(run, z, goal + OVERSHOOT_M)


def off_support(m: StepMachine, run: Run, snapshot: Snapshot) -> float:
    """How far the load hangs from the centre of the place it was lifted from, m (crane
    position and sway, lean included; unknown position: infinitely far)."""
    pos = position_of(snapshot)
    if pos is None:
        return math.inf
    sway = sway_of(snapshot) or (0.0, 0.0)
    box = run.transfer.box
    x, y = m.crane.yard.centre(box, box.slot)
    return max(abs(pos[0] + sway[0] - x), abs(pos[1] + sway[1] - y))

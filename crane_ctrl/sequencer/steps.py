"""The step table: for every step of the automatic move, its handler. Pure.

One :class:`~crane_ctrl.sequencer.machine.StepHandler` per
:class:`~crane_ctrl.sequencer.model.Step`, checked complete at import
(:func:`~crane_ctrl.sequencer.machine.complete`). Read a row for everything about a step: what it
commands (``scan``), how it ends (``exit``) and how long it may take (``timeout``), what entering
it resets (``entry``, ``keeps_leg``), where a resume goes on after a hold in it (``restart``,
``on_hold``), what STOP and ABORT do in it (``interrupt``), and how it meets a trip, a wind stop,
contact and a refused motion. The handlers live in modules named for what they hold: the leg
(:mod:`~crane_ctrl.sequencer.leg`), the landing (:mod:`~crane_ctrl.sequencer.landing`), settling
sway (:mod:`~crane_ctrl.sequencer.settle`), the spreader's steps
(:mod:`~crane_ctrl.sequencer.spreader`), the hand-over (:mod:`~crane_ctrl.sequencer.operator`)
and the wind stop (:mod:`~crane_ctrl.sequencer.wind`).
"""

from __future__ import annotations

from collections.abc import Mapping

from crane_ctrl.commands import Commands
from crane_ctrl.interlocks.evaluate import Permits
from crane_ctrl.operation.yard_model import YardModel
from crane_ctrl.sequencer import landing, leg, operator, settle, spreader, trial_lift, wind
from crane_ctrl.sequencer.controller import CraneContext
from crane_ctrl.sequencer.machine import (
    Interrupt,
    Refusal,
    StepHandler,
    StepMachine,
    Timeout,
    complete,
    same_step,
)
from crane_ctrl.sequencer.model import Step
from crane_ctrl.sequencer.ordered_set_down import ordered_set_down
from crane_ctrl.sequencer.run import BY_THE_OPERATOR, Run
from crane_ctrl.snapshot import Snapshot

__all__ = ["STEPS"]


# --- scans of the steps that only wait


def _idle(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    return Commands(drives_enable=True)


def _held(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """Held: drives on, nothing moves; where the crane comes to rest is followed for the
    resume to check against. But the hold's own reactions, the hoist only, then held again: a
    wind stop with the load hanging where the wind could swing it into a neighbour secures it
    (:func:`~crane_ctrl.sequencer.wind.secures_while_held`); held in the trial lift, the box
    not yet weighed is set back down on its pick place
    (:func:`~crane_ctrl.sequencer.trial_lift.sets_back_while_held`)."""
    if run.held is not None:
        run.held = run.held.follow(snapshot)
    permits = m.permits
    if permits is None:
        return Commands(drives_enable=True)
    if wind.secures_while_held(m, run, snapshot, permits, now):
        return m.scan(run, snapshot, now)
    setting_back = trial_lift.sets_back_while_held(m, run, snapshot, permits, now)
    return setting_back or Commands(drives_enable=True)


def _trial_lift(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """The trial lift, and the loaded leg asked for while it weighs the box."""
    leg.plan_ahead(m, run, snapshot, now)
    return spreader.trial_lift(m, run, snapshot, now)


def _sets_back_for_the_wind(
    m: StepMachine, run: Run, snapshot: Snapshot, permits: Permits, now: float
) -> bool:
    """A wind stop while the box is set back down for the wind (it hangs just off its pick
    place, weighed): the trial lift's own reaction, back onto that place, or raised clear if it
    swung off it (case 1072451: held there by a trip, the box hung in a rising storm). One set
    back for a failure holds: a trailer may hang on it, or an overweight box cannot rise."""
    if run.failure is not None:
        return False
    return wind.sets_back_on_pick(m, run, snapshot, permits, now)


# --- entries


def _on_its_support(run: Run, came_from: Step) -> None:
    """The step starts with the spreader landed: the leg after it must hang free first."""
    run.airborne = False
    run.sway.reset()


def _landing_on(run: Run, came_from: Step) -> None:
    """The landing goes on with the sway watched as travel ended (a fresh watch otherwise)."""
    if came_from is not Step.TRAVEL:
        run.sway.reset()


# --- where a resume goes on


def _from_the_rise(run: Run) -> Step:
    """Travel: the leg is planned again from where the crane is, from the rise."""
    return Step.RAISE


def _what_settling_was_for(run: Run) -> Step:
    """A stop while settling: go on with what settling was for."""
    return run.resume_step or Step.RAISE


def _setting_down(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """The set-down onto the place below: the operator's (SET DOWN) or a wind stop's."""
    if run.set_down_cause == BY_THE_OPERATOR:
        return ordered_set_down(m, run, snapshot, now)
    return wind.wind_set_down(m, run, snapshot, now)


def _after_the_set_down(run: Run) -> Step:
    """A set-down or a wind raise, resumed. The operator's set-down goes on down to the place
    they chose (their order stands: it is checked against where the load hangs again); a wind
    stop's set-down or raise is forgotten and the move delivers after all, from the rise."""
    if run.operator_place is not None:
        run.wind_place, run.set_down_cause = run.operator_place, BY_THE_OPERATOR
        return Step.WIND_SET_DOWN
    run.wind_place = None
    return Step.RAISE


# --- the landings the steps make (contact there is the point)


def _the_goal(run: Run, yard: YardModel) -> float | None:
    return run.landing_height_m(yard)


def _settling_to_land(run: Run, yard: YardModel) -> float | None:
    return run.landing_height_m(yard) if run.resume_step is Step.LOWER else None


def _the_operators(run: Run, yard: YardModel) -> float | None:
    return None if run.handover is None else run.handover.landing_m


def _the_place_below(run: Run, yard: YardModel) -> float | None:
    return None if run.wind_place is None else run.wind_place.landing_m


# --- timeouts


def _lock_s(crane: CraneContext) -> float:
    return crane.lock_timeout_s


def _settle_s(crane: CraneContext) -> float:
    return crane.settings.settle_timeout_s


HOLD = Interrupt.HOLD
"""STOP, ABORT: hold where it is; START resumes it."""

STEPS: Mapping[Step, StepHandler] = complete({
    Step.IDLE: StepHandler(scan=_idle, restart=same_step, interrupt=HOLD),
    Step.TELESCOPE: StepHandler(  # never entered: the spreader telescopes during the leg
        scan=_idle, restart=same_step, interrupt=HOLD,
    ),
    Step.RAISE: StepHandler(
        scan=leg.raise_load, restart=same_step, interrupt=HOLD,
        takes_plan=True, hangs=True, wind=wind.secures,
    ),
    Step.TRAVEL: StepHandler(
        scan=leg.travel, restart=_from_the_rise, interrupt=HOLD,
        keeps_leg=True, hangs=True, wind=wind.secures,
    ),
    Step.LOWER: StepHandler(
        scan=landing.lower, restart=same_step, interrupt=HOLD,
        entry=_landing_on, keeps_leg=True, hangs=True, landing=_the_goal, wind=wind.secures,
        refusal=Refusal.LANDING,
    ),
    Step.LOCK: StepHandler(
        scan=spreader.lock, restart=same_step, interrupt=HOLD,
        exit=spreader.locked, timeout=Timeout(_lock_s, spreader.not_locked),
        entry=_on_its_support, telescope_deadline=False,
    ),
    Step.TRIAL_LIFT: StepHandler(
        scan=_trial_lift, restart=same_step, interrupt=HOLD,
        exit=spreader.weighed, timeout=Timeout(spreader.trial_lift_s, spreader.not_clear),
        entry=_on_its_support, wind=wind.sets_back_on_pick,
    ),
    Step.SET_BACK: StepHandler(
        scan=spreader.set_back_down, restart=same_step, interrupt=HOLD,
        entry=_on_its_support, wind=_sets_back_for_the_wind, refusal=Refusal.LANDING,
    ),
    Step.UNLOCK: StepHandler(
        scan=spreader.unlock, restart=same_step, interrupt=HOLD,
        exit=spreader.unlocked, timeout=Timeout(_lock_s, spreader.not_unlocked),
        entry=_on_its_support, wind=wind.goes_on_setting_down, telescope_deadline=False,
    ),
    Step.RAISE_CLEAR: StepHandler(
        scan=spreader.raise_clear, restart=same_step, interrupt=HOLD,
        entry=_on_its_support, wind=wind.goes_on_setting_down, telescope_deadline=False,
    ),
    Step.SETTLE: StepHandler(
        scan=settle.settle_sway, restart=_what_settling_was_for, interrupt=HOLD,
        exit=settle.settled, timeout=Timeout(_settle_s, settle.not_settled),
        hangs=True, landing=_settling_to_land, wind=wind.secures,
    ),
    Step.WIND_SET_DOWN: StepHandler(
        scan=_setting_down, restart=_after_the_set_down, interrupt=HOLD,
        hangs=True, landing=_the_place_below, wind=wind.sets_down_or_secures,
        refusal=Refusal.LANDING,
    ),
    Step.WIND_RAISE: StepHandler(
        scan=wind.wind_raise, restart=_after_the_set_down, interrupt=HOLD,
        hangs=True, wind=wind.goes_on,
    ),
    Step.OPERATOR_LANDING: StepHandler(
        scan=operator.operator_landing, restart=same_step, interrupt=HOLD,
        on_hold=operator.drop_jogs,
        hangs=True, landing=_the_operators, wind=wind.secures, refusal=Refusal.IGNORED,
    ),
    Step.HELD: StepHandler(
        scan=_held, restart=None, interrupt=Interrupt.MARK,
        watches_trips=False, refusal=Refusal.IGNORED, telescope_deadline=False,
    ),
})  # fmt: skip
"""What every step does, by step. Each row: the scan, then what a hold and what STOP and
ABORT do in the step, then (where they apply) its way out and timeout, its entry, and how it
meets a trip, a wind stop, contact and a refused motion."""

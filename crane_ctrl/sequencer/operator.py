"""The SEMIAUTOMATIC hand-over: the remote operator jogs the last of a landing and confirms it.

Where the operator lands (road trucks: people may be near), the landing
(:mod:`crane_ctrl.sequencer.landing`) brings the load to an approach height over the landing
place (:data:`~crane_ctrl.sequencer.model.APPROACH_M` over the set-down or pick height), over the
goal with the swing settled, and hands over:
:data:`~crane_ctrl.sequencer.model.Step.OPERATOR_LANDING` turns the operator's jogs into speed
references (:class:`~crane_ctrl.sequencer.handover.OperatorLanding`: dead-man, reduced speed,
creep near the landing). Travel jogs only with the load over everything around it by the safe
clearance (the travel interlock gets that height); lower down, only the hoist moves. The operator
then confirms (:func:`confirm_landing`); the sequencer checks Landed before it goes on. A hold
drops the jogs: the operator asks again after the resume. Pure: time comes in as an argument.
"""

from __future__ import annotations

from crane_ctrl.commands import Commands
from crane_ctrl.operation.machine import CommandRefused
from crane_ctrl.sequencer.handover import OperatorLanding
from crane_ctrl.sequencer.landing import landed
from crane_ctrl.sequencer.machine import StepMachine
from crane_ctrl.sequencer.model import SETTLE_MARGIN_M, Step
from crane_ctrl.sequencer.readings import not_landed_why, position_of, seated
from crane_ctrl.sequencer.run import Run
from crane_ctrl.snapshot import Snapshot

__all__ = [
    "OperatorLanding",
    "awaiting_operator",
    "confirm_landing",
    "drop_jogs",
    "operator_jog",
    "operator_landing",
]


def operator_landing(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """The operator's jogs (dead-man, reduced speed, creep near the landing); travel jogs
    only with the load clear of what is around it."""
    pos, handover = position_of(snapshot), run.handover
    if pos is None or handover is None:
        return Commands(drives_enable=True)
    here = (pos[0], pos[1])
    clear = run.transfer.clear_height_m(
        m.crane.yard, m.crane.params, (here, here), delivering=run.delivering,
        margin_m=SETTLE_MARGIN_M,
    )  # fmt: skip
    handover.travel_ok = m.publish_clear(clear, pos[2])
    vx, vy, vz = handover.references(
        now, pos[2], m.crane.params, loaded=run.delivering,
        factor=m.crane.settings.jog_speed_factor, landed=seated(snapshot),
    )  # fmt: skip
    return Commands(drives_enable=True, gantry_speed_ref=vx, trolley_speed_ref=vy,
                    hoist_speed_ref=vz)  # fmt: skip


def drop_jogs(run: Run) -> None:
    """A hold during the hand-over: the operator asks again after the resume."""
    if run.handover is not None:
        run.handover.jogs.clear()


def awaiting_operator(run: Run | None) -> str | None:
    """What the remote operator must do now ("land J1 on truck lane T1 and confirm"), or
    ``None`` while nothing waits for them."""
    if run is None or run.step is not Step.OPERATOR_LANDING or run.handover is None:
        return None
    return run.handover.task


def operator_jog(m: StepMachine, axis: str, direction: int, now: float) -> None:
    """The operator jogs ``axis`` (``gantry``, ``trolley``, ``hoist``) in ``direction`` (+1,
    -1, 0 to stop) during a hand-over; repeat within ``jog_hold_s`` to keep it moving.
    :class:`~crane_ctrl.operation.machine.CommandRefused` outside a hand-over, or a travel jog
    with the load too low to travel."""
    _handover(m.run, "jog").jog(axis, direction, now, m.crane.settings.jog_hold_s)


def confirm_landing(m: StepMachine, now: float) -> None:
    """The operator confirms the landing: go on (lock or unlock) if Landed, all four pins
    at the expected height; else :class:`~crane_ctrl.operation.machine.CommandRefused` says
    why."""
    run = m.run
    handover = _handover(run, "confirm a landing")
    assert run is not None
    why = not_landed_why(m.last, handover.landing_m, m.crane.settings)
    if why:
        raise CommandRefused(f"landing not confirmed: {why}")
    handover.jogs.clear()
    landed(m, run, handover.landing_m, handover.landing_m, now)


def _handover(run: Run | None, what: str) -> OperatorLanding:
    if run is None or run.step is not Step.OPERATOR_LANDING or run.handover is None:
        step = "no job" if run is None else f"the job is in {run.step.value!r}"
        raise CommandRefused(f"cannot {what}: no landing waits for the operator ({step})")
    return run.handover

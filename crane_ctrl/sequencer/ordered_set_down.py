"""The operator's SET DOWN: the held (interrupted) box sent straight down onto the legal place
below it that :func:`~crane_ctrl.sequencer.wind.plan_set_down` chose. Pure.

A stop leaves the crane where its ramp ended, and the settling after it moves the crane under the
swinging load by about the swing: the crane may stand some centimetres off the place. So the
set-down steers the load over its place and damps its swing as a landing steers onto its goal
(:func:`~crane_ctrl.sequencer.sway.steer_onto`), while travel is allowed, and lowers while the
load hangs calm within half the set-down tolerance of the place (the other half for the swing on
the way down); the crane stands still while it goes down. Close above the place it goes on down
while within the tolerance, and holds if the load swung further off. Not over the place within
the settling time: hold, naming what blocks the travel. Landed: as a wind stop's set-down, the box
stands there in the yard model, is unlocked and the job fails (it was not delivered).

The order stands through a hold, STOP or a wind stop's raise on the way
(:attr:`~crane_ctrl.sequencer.run.Run.operator_place`): resumed, the box goes on down there.
"""

from __future__ import annotations

from crane_ctrl.commands import Commands
from crane_ctrl.interlocks.evaluate import TRAVEL
from crane_ctrl.motion.planner import MotionLimits
from crane_ctrl.sequencer.machine import StepMachine, with_blocks
from crane_ctrl.sequencer.readings import position_of, seated
from crane_ctrl.sequencer.run import Run
from crane_ctrl.sequencer.settle import calm
from crane_ctrl.sequencer.sway import steer_onto, sway_of
from crane_ctrl.sequencer.wind import (
    SET_DOWN_COMMIT_M,
    down_onto,
    off_place,
    set_down_there,
    set_down_tolerance_m,
)
from crane_ctrl.snapshot import Snapshot

__all__ = ["ordered_set_down"]


def ordered_set_down(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """One scan of the operator's set-down (module docstring)."""
    place, pos = run.wind_place, position_of(snapshot)
    if place is None or pos is None:
        m.hold(now, f"{run.set_down_cause}: the load cannot be watched: held where it hangs")
        return Commands(drives_enable=True)
    if seated(snapshot):
        return set_down_there(m, run, place, snapshot, now)
    sway = sway_of(snapshot) or (0.0, 0.0)  # no sway sensor: the crane's position is all there is
    off = off_place(place, (pos[0] + sway[0], pos[1] + sway[1]))
    tolerance = set_down_tolerance_m(m.crane)
    # sampled every scan, as a landing samples it: the swing's window and the steering's rate
    is_calm = calm(m.crane, run, snapshot, pos[2], now, m.crane.settings.landing_sway_tolerance_m)
    if pos[2] - place.landing_m <= SET_DOWN_COMMIT_M:
        if off > tolerance:
            m.hold(now, f"the load swung {off:.2f} m off {place.slot}: held")
            return Commands(drives_enable=True)
        return down_onto(m, run, place, pos[2], now, wind=False)
    if is_calm and off <= tolerance / 2:
        return down_onto(m, run, place, pos[2], now, wind=False)
    blocked = m.blocked_by(*TRAVEL)
    if now - run.since > m.crane.settings.settle_timeout_s:
        why = with_blocks(f"the load will not come over {place.slot} ({off:.2f} m off)", blocked)
        m.hold(now, f"{run.set_down_cause}: {why}: held")
        return Commands(drives_enable=True)
    if blocked:  # (low between taller neighbours, say): it waits as it hangs
        return Commands(drives_enable=True)
    limits = MotionLimits.from_params(m.crane.params, loaded=run.delivering)
    vx, vy = steer_onto(run.sway, limits, place.centre, pos, now)
    return Commands(drives_enable=True, gantry_speed_ref=vx, trolley_speed_ref=vy)

"""Settling the load's swing where the crane stands, and judging whether it is calm. Pure.

A stop leaves a hanging load swinging (and a landing may find it swinging too much to land):
:data:`~crane_ctrl.sequencer.model.Step.SETTLE` damps it where the crane stands, moving under
the load (:func:`damping`), having first lifted it clear of everything within its swing; calm, the
move goes on with what settling was for (``Run.resume_step``). :func:`calm` judges the swing for
every step that waits for it (the landing, the end of travel): over a share of a pendulum period,
the steady lean in the wind and the swing the planned travel gives taken off
(:class:`~crane_ctrl.sequencer.sway.SwayWatch`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from crane_ctrl.commands import Commands
from crane_ctrl.motion.planner import MotionLimits, pendulum_period_s
from crane_ctrl.motion.wind_swing import steady_lean_m
from crane_ctrl.sequencer.controller import CraneContext
from crane_ctrl.sequencer.machine import StepMachine
from crane_ctrl.sequencer.model import OVERSHOOT_M, SETTLE_MARGIN_M, Step
from crane_ctrl.sequencer.readings import position_of
from crane_ctrl.sequencer.run import Run
from crane_ctrl.sequencer.sway import DAMPING_SPEED_SHARE, clamp, sway_of
from crane_ctrl.sequencer.wind import rise_margin_m
from crane_ctrl.snapshot import Snapshot

__all__ = [
    "CALM_SHARE",
    "DAMPING_SPEED_SHARE",
    "LEAN_WIND_MARGIN_MPS",
    "calm",
    "clamp",
    "damping",
    "lean_limit_m",
    "not_settled",
    "observe",
    "period_s",
    "settle_sway",
    "settled",
]

CALM_SHARE = 0.5
"""The sway is judged over this share of a pendulum period (fitted with the pendulum's own
motion, so half a period tells its amplitude); before the last of a landing it is watched while
the hoist creeps down to there."""

LEAN_WIND_MARGIN_MPS = 1.0
"""The lean a landing steers by is no more than the wind read plus this leans the load, m/s
(:func:`lean_limit_m`): the anemometer reads the wind where it stands, not at the load. In calm
air that is millimetres: a steady offset beyond it is the sway sensor's own (mounted off plumb)."""


def settled(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands | None:
    """The way out of settling: the load calm (or where it is not known): go on with what
    settling was for."""
    pos = position_of(snapshot)
    if pos is None or calm(m.crane, run, snapshot, pos[2], now, m.crane.settings.sway_tolerance_m):
        m.enter(run.resume_step or Step.RAISE, now)
        return Commands(drives_enable=True)
    return None


def not_settled(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """``settle_timeout_s`` of settling in vain: hold for the operator."""
    m.hold(now, "sway did not settle: check wind and what the crane may reach")
    return Commands(drives_enable=True)


def settle_sway(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """Damp the sway where the crane stands (moving under the load), then go on. Damping
    moves the crane by about the swing: first the hoist lifts the load clear of everything
    within that distance (and a margin) of where it hangs."""
    pos = position_of(snapshot)
    if pos is None:  # (the way out has gone on already)
        return Commands(drives_enable=True)
    here = (pos[0], pos[1])
    margin = SETTLE_MARGIN_M + run.sway.peak_m()
    # wait clear of what the wind, where it is going, may swing it into (rise_margin_m)
    rises = run.resume_step is Step.RAISE
    margin = max(margin, rise_margin_m(m.crane, run, snapshot, pos[2], m.wind, rises_next=rises))
    clear = run.transfer.clear_height_m(
        m.crane.yard, m.crane.params, (here, here), delivering=run.delivering, margin_m=margin
    )
    cleared = m.publish_clear(clear, pos[2])
    if not cleared:
        return m.hoist_to(run, pos[2], clear + OVERSHOOT_M)
    vx, vy = damping(m.crane, run, snapshot, (0.0, 0.0))
    return Commands(drives_enable=True, gantry_speed_ref=vx, trolley_speed_ref=vy)


def calm(
    crane: CraneContext,
    run: Run,
    snapshot: Snapshot,
    z: float,
    now: float,
    tolerance_m: float,
    expected: Sequence[tuple[float, float]] = ((0.0, 0.0),),
) -> bool:
    """The swing over the last window within ``tolerance_m`` (a steady lean in the wind is
    no swing; nor is ``expected``, what the planned travel swings the load by now, see
    :meth:`SwayWatch.sample`); with a coarse sensor within a step of it, but never more than
    ``sway_tolerance_m`` (:meth:`SwayWatch.calm`). Without a sway sensor there is nothing to
    judge: calm after a window."""
    sway = sway_of(snapshot)
    speed = (snapshot.number("gantry.speed") or 0.0, snapshot.number("trolley.speed") or 0.0)
    if sway is None:  # no sensor: no lean either (the crane's own speeds would make one up)
        sway, speed = (0.0, 0.0), (0.0, 0.0)
    period = period_s(crane, run, z)
    omega = 2.0 * math.pi / period
    limit = lean_limit_m(crane, run, snapshot, z)
    run.sway.sample(now, sway, speed, CALM_SHARE * period, omega, expected, lean_limit_m=limit)
    return run.sway.calm(tolerance_m, most_m=crane.settings.sway_tolerance_m)


def lean_limit_m(crane: CraneContext, run: Run, snapshot: Snapshot, z: float) -> float:
    """The most the wind read (plus :data:`LEAN_WIND_MARGIN_MPS`) leans the load with the hoist
    at ``z``, m; without a good wind reading, no limit."""
    wind = snapshot.number("env.wind")
    if wind is None:
        return math.inf
    box = run.transfer.box
    return steady_lean_m(
        crane.params, z, wind + LEAN_WIND_MARGIN_MPS,
        size_ft=box.size_ft if run.delivering else None, height_m=box.height_m, mass_t=run.mass_t,
    )  # fmt: skip


def observe(crane: CraneContext, run: Run, snapshot: Snapshot, now: float) -> None:
    """Every scan: the sway sensor's reading to the watch's observer and step learner."""
    sway, pos = sway_of(snapshot), position_of(snapshot)
    if sway is None or pos is None:
        return
    speed = (snapshot.number("gantry.speed") or 0.0, snapshot.number("trolley.speed") or 0.0)
    run.sway.observe(now, sway, speed, 2.0 * math.pi / period_s(crane, run, pos[2]))


def period_s(crane: CraneContext, run: Run, z: float) -> float:
    """The load's pendulum period with the hoist at ``z``, on the rope as learnt, s."""
    return pendulum_period_s(
        z, crane.rope_params(run.delivering), loaded=run.delivering,
        container_height_m=run.transfer.box.height_m,
        container_mass_t=run.mass_t if run.delivering else None,
    )  # fmt: skip


def damping(
    crane: CraneContext, run: Run, snapshot: Snapshot, refs: tuple[float, float]
) -> tuple[float, float]:
    """``refs`` plus moving the suspension under the swinging load (the sway sensor's
    offset less the lean), within a share of the rated speeds."""
    sx, sy = run.sway.swing(sway_of(snapshot) or (0.0, 0.0))
    limits = MotionLimits.from_params(crane.params, loaded=run.delivering)
    gain = crane.settings.sway_damping_gain
    vx = clamp(refs[0] + gain * sx, limits.gantry.vmax_mps * DAMPING_SPEED_SHARE)
    vy = clamp(refs[1] + gain * sy, limits.trolley.vmax_mps * DAMPING_SPEED_SHARE)
    return vx, vy

"""One leg of the automatic move as the sequencer drives it, scan by scan, from a LegPlan. Pure.

A leg takes the load from hanging free above where it stands to touchdown at its goal: the hoist
rises, gantry and trolley start as soon as the load stays clear of everything within its stopping
distance (while the hoist still rises), the hoist starts lowering before travel ends wherever the
rest of the path is clear, and the last part of the descent is straight down with creep. The plan
(:class:`~crane_ctrl.motion.leg.LegPlan`, followed by
:class:`~crane_ctrl.sequencer.leg_drive.LegDrive`) keeps the load at least ``safe_clearance_m``
over every obstacle on the path, and ``approach_clearance_m`` over the places it leaves and lands
on (so travel starts just after lift-off and the landing's creep overlaps its end);
:meth:`LegDrive.clear_below_m` is what the travel-height interlock must accept for the travel
commanded at the next scan, so the interlock never refuses the plan, and the hoist is never
lowered past it. Over the last pendulum period of travel the sway is watched less the swing the
travel itself gives (:attr:`~crane_ctrl.motion.leg.LegPlan.expected_sway`): a load calm on
arrival lands at once, the crane standing still. The sway read over the whole travel, against
the swing planned, shows how far the rope model is off; the next legs plan on the corrected rope
(:mod:`crane_ctrl.motion.rope_calibration`).

The leg's steps here: raise (plan the leg; start travel once the interlock has been told the
path-clear height; a box just lifted that brings its truck up, or weighs too much, is set back
down) and travel. The landing is :mod:`crane_ctrl.sequencer.landing`, settling sway after a hold
:mod:`crane_ctrl.sequencer.settle`.

Times: the leg's clock starts with the rise (``started_s``), travel's when travel starts. After a
hold or any departure from the plan, the sequencer plans the rest again from where the crane is.
"""

from __future__ import annotations

import logging
from functools import partial

from crane_ctrl.commands import Commands
from crane_ctrl.motion.leg import LegPlan
from crane_ctrl.motion.planner import HOIST_TOLERANCE_M, XYZ, MotionLimits, hoist_reference
from crane_ctrl.motion.rope_calibration import RopeFit, fit_rope_offset
from crane_ctrl.sequencer.controller import CraneContext
from crane_ctrl.sequencer.landing import RESETTLES, gated_hoist, size_ref
from crane_ctrl.sequencer.leg_drive import (
    READING_DELAYS_S,
    SCAN_LEAD_S,
    LegDrive,
    LegRequest,
    plan_leg,
)
from crane_ctrl.sequencer.leg_margin import leg_margin_m, wind_allowed_mps
from crane_ctrl.sequencer.machine import StepMachine
from crane_ctrl.sequencer.model import TRIAL_CREEP_ON_M, Step
from crane_ctrl.sequencer.planning import PLAN_GIVE_UP_S, PendingPlan
from crane_ctrl.sequencer.readings import carried, drives_ready, position_of
from crane_ctrl.sequencer.run import Run
from crane_ctrl.sequencer.settle import calm, period_s
from crane_ctrl.sequencer.sway import sway_of
from crane_ctrl.snapshot import Snapshot
from crane_ctrl.wording import apart

__all__ = ["READING_DELAYS_S", "SCAN_LEAD_S", "LegDrive", "plan_ahead", "raise_load", "travel"]

log = logging.getLogger(__name__)


def raise_load(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """Plan the leg from where the crane is and rise; travel starts once the plan allows it
    and the interlock has been told the path-clear height."""
    lifted = _lift_fault(m, run, snapshot, now)
    if lifted is not None:
        return lifted
    pos = position_of(snapshot)
    if pos is None or not drives_ready(snapshot):
        return Commands(drives_enable=True)  # the leg's clock starts with the drives
    leg = run.leg or _plan_leg(m, run, snapshot, pos, now)
    if leg is None:
        return Commands(drives_enable=True)
    cleared = m.publish_clear(leg.clear_below_m(now), pos[2])
    if cleared and leg.try_start_travel(now, pos[2], snapshot.number("hoist.speed") or 0.0):
        m.enter(Step.TRAVEL, now)
        return m.scan(run, snapshot, now)
    ref = gated_hoist(m, run, leg.hoist_ref(now, pos[2]), pos[2], now, ready=False)
    size = size_ref(run, snapshot)
    return Commands(drives_enable=True, hoist_speed_ref=ref, size_ref=size)


def _lift_fault(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands | None:
    """The box just lifted (the rise with it): its truck coming up with it, or overweight,
    makes it safe and fails the job; ``None`` if neither."""
    if run.delivering and run.failure is None and snapshot.flag("lane.truck_lifted", unsafe=False):
        return m.fail_safe(run, "truck lifted with the container", now, snapshot)
    return _overweight(m, run, snapshot, now)


def _overweight(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands | None:
    """A box on the hook heavier than the overload trip: made safe, the job failed; ``None``
    if it is not (or there is none)."""
    if not run.delivering or run.failure is not None:
        return None
    load, limit = snapshot.number("hoist.load"), m.crane.params.overload_trip_t
    if load is not None and load > limit:
        shown, trip = apart(load, limit, 1)
        return m.fail_safe(run, f"overweight: {shown} t > {trip} t", now, snapshot)
    return None


def _plan_leg(
    m: StepMachine, run: Run, snapshot: Snapshot, pos: XYZ, now: float
) -> LegDrive | None:
    """The leg from where the crane is to the landing at the goal, once its plan is back
    (``None`` until then: the crane waits with zero references). A plan asked for from where
    the crane no longer is goes, and is asked for again."""
    request = _leg_request(m, run, snapshot, pos)
    pending = run.planning
    stale = pending is not None and not pending.request.still_holds_for(request)
    if pending is not None and (stale or pending.future.cancelled()):
        run.drop_leg()  # (cancelled: a pool shutting down) asked for again
        pending = None
    if pending is None:
        future = m.crane.planner.submit(plan_leg, request)
        run.planning = pending = PendingPlan(request, now, future)
    if not pending.future.done():
        if pending.given_up(now):
            m.hold(now, f"no plan for the leg within {PLAN_GIVE_UP_S:.0f} s: the supervisor "
                   "computer is overloaded; UNHOLD to plan again")  # fmt: skip
        return None
    run.planning = None
    return _take_plan(m, run, pending, now)


def plan_ahead(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> None:
    """Ask for the loaded leg while the trial lift weighs the box, so the rise that follows
    finds its plan done instead of waiting for it with zero references: once the ropes have
    carried the box for half the weighing's settling time (the load cell has taken most of it),
    from about where the hoist will stand when it is weighed (the lift's height, then
    it creeps on up to :data:`~crane_ctrl.sequencer.model.TRIAL_CREEP_ON_M`), with the weight
    read now. While the load cell settles, a weight that moves more than
    :data:`~crane_ctrl.sequencer.leg_drive.SAME_MASS_T` from the one asked with asks again.
    The rise takes the plan if it still holds for where the crane then is and what the box
    then weighs (:func:`_plan_leg`), and asks again if not."""
    carrying = run.creep_since
    if run.delivering or run.leg is not None or carrying is None or not carried(snapshot):
        return
    if now - carrying < m.crane.settings.settle_s / 2:
        return
    pos, load = position_of(snapshot), snapshot.number("hoist.load")
    if pos is None or load is None:
        return
    start = (pos[0], pos[1], max(pos[2], run.target_z + TRIAL_CREEP_ON_M / 2))
    request = _leg_request(m, run, snapshot, start, delivering=True, mass_t=load)
    pending = run.planning
    if pending is not None and pending.request.still_holds_for(request):
        return
    if pending is not None:
        pending.drop()
    run.planning = PendingPlan(request, now, m.crane.planner.submit(plan_leg, request))


def _leg_request(
    m: StepMachine,
    run: Run,
    snapshot: Snapshot,
    pos: XYZ,
    *,
    delivering: bool | None = None,
    mass_t: float | None = None,
) -> LegRequest:
    """The request for this half's leg from ``pos`` (``delivering`` and ``mass_t``: the run's,
    unless given: the loaded leg asked for ahead), with the margin the load may stray by
    (:func:`~crane_ctrl.sequencer.leg_margin.leg_margin_m`)."""
    t, yard = run.transfer, m.crane.yard
    loaded = run.delivering if delivering is None else delivering
    mass = run.mass_t if mass_t is None else mass_t
    goal = (*t.goal_xy(yard, delivering=loaded), t.landing_height_m(yard, delivering=loaded))
    size = snapshot.number("spreader.size")
    spreader = None if loaded else (45 if size is None else int(size))
    margin = leg_margin_m(m.crane, run, snapshot, (pos[2], goal[2]), loaded=loaded, mass_t=mass)
    return LegRequest(
        pos, goal, tuple(t.obstacles(yard, delivering=loaded)), m.crane.rope_params(loaded),
        loaded, t.box.height_m, mass, t.half_size_m(spreader), margin, snapshot.number("env.wind"),
    )  # fmt: skip


def _take_plan(
    m: StepMachine, run: Run, pending: PendingPlan[LegRequest, LegPlan], now: float
) -> LegDrive | None:
    """Start the leg on the plan that came back; hold if there is none to be had."""
    goal = pending.request.goal_xyz
    try:
        plan = pending.future.result()
    except ValueError as why:
        m.hold(now, f"no safe path to {goal[0]:.1f}, {goal[1]:.1f}: {why}")
        return None
    except Exception as why:  # a broken worker: the move holds, the operator sees why
        m.hold(now, f"planning the leg to {goal[0]:.1f}, {goal[1]:.1f} failed: {why!r}")
        return None
    run.leg = LegDrive(plan, now, wind_allowed_mps(m.crane, pending.request.wind_mps))
    return run.leg


def travel(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """Follow the plan's travel (the hoist on its profile, not below the path-clear height);
    at its end, learn the rope from the swing and land."""
    weighed = _overweight(m, run, snapshot, now)
    if weighed is not None:
        return weighed
    pos = position_of(snapshot)
    leg = run.leg
    if pos is None or leg is None:
        if leg is None:
            m.enter(Step.RAISE, now)
        return Commands(drives_enable=True)
    if leg.arrived(now):
        _learn_rope(m.crane, run, leg, now)
        m.enter(Step.LOWER, now)
        return m.scan(run, snapshot, now)
    if _wind_past_the_plan(m, run, leg, snapshot, now):
        return Commands(drives_enable=True)
    sway, t = sway_of(snapshot), leg.travel_t(now)
    if sway is not None and t is not None:
        leg.sway_log.append((t, *sway))
    m.job.clear_below_m = clear = leg.clear_below_m(now)
    _watch_arrival(m.crane, run, snapshot, pos[2], now)
    vx, vy = leg.travel_refs(now)
    vz = gated_hoist(m, run, leg.hoist_ref(now, pos[2]), pos[2], now, ready=False)
    vz = _not_below(m.crane, vz, pos[2], clear + HOIST_TOLERANCE_M, run)
    return Commands(drives_enable=True, gantry_speed_ref=vx, trolley_speed_ref=vy,
                    hoist_speed_ref=vz, size_ref=size_ref(run, snapshot))  # fmt: skip


def _wind_past_the_plan(
    m: StepMachine, run: Run, leg: LegDrive, snapshot: Snapshot, now: float
) -> bool:
    """The wind read is past what the travel's clearance was worked out for
    (:func:`~crane_ctrl.sequencer.leg_margin.wind_allowed_mps`): the load leans further than the
    path was cleared by, into what it passes or comes down beside (bench case 1201933: planned
    in calm air, a 16.6 m/s wind with 2 m/s gusts came as the loaded travel began, and the box,
    coming down toward its stack, met the stack beside it). The travel is given up: the crane
    stops under the load and calms it where it stands (lifting it clear of what it could swing
    into first), and the leg is planned again from there for the wind as it is. Again and again
    (a wind that keeps rising, gusts above every plan): hold for the operator. Whether it gave
    the travel up."""
    wind = snapshot.number("env.wind")
    if wind is None or wind <= leg.wind_allowed_mps:
        return False
    why = (
        f"the wind rose to {wind:.1f} m/s, past the {leg.wind_allowed_mps:.1f} m/s the path was "
        "cleared for"
    )
    run.drop_leg()
    run.resettles += 1
    if run.resettles > RESETTLES:
        m.hold(now, f"{why}, again and again: held")
        return True
    run.resume_step = Step.RAISE
    m.enter(Step.SETTLE, now, reason=f"{why}: settle, then plan the leg again")
    return True


def _learn_rope(crane: CraneContext, run: Run, leg: LegDrive, now: float) -> None:
    """At arrival: how the load swung during the travel, against how the plan expected it
    to, tells how far the rope model is off; the next leg of this kind plans on it
    (:mod:`crane_ctrl.motion.rope_calibration`). The fit is worked out away from the scan and
    taken in when it is back."""
    trace = leg.plan.sway_trace
    if trace is None or not leg.sway_log:
        return
    params = crane.rope_params(run.delivering)
    future = crane.planner.submit(
        fit_rope_offset, trace, list(leg.sway_log), params, READING_DELAYS_S
    )
    take = partial(_take_rope_fit, crane, run.transfer.job_id, run.delivering)
    crane.background.then(future, take, now)


def _take_rope_fit(
    crane: CraneContext, job_id: str, loaded: bool, fit: RopeFit | None, now: float
) -> None:
    if fit is None:
        return
    learnt = crane.rope.learn(loaded, fit)
    if learnt is None:
        return
    kind = "loaded" if loaded else "empty"
    log.info(
        "rope model (%s) corrected by %+.3f m to %+.3f m: the travel's swing fits "
        "to %.1f mm RMS (%.1f mm as planned)", kind, fit.offset_m, learnt,
        fit.misfit_m * 1000, fit.plain_misfit_m * 1000,
    )  # fmt: skip
    crane.emit({"time": now, "job": job_id, "rope": kind,
                "rope_offset_m": round(learnt, 3), "correction_m": round(fit.offset_m, 3),
                "misfit_mm": round(fit.misfit_m * 1000, 1),
                "planned_misfit_mm": round(fit.plain_misfit_m * 1000, 1)})  # fmt: skip


def _watch_arrival(crane: CraneContext, run: Run, snapshot: Snapshot, z: float, now: float) -> None:
    """Over the last pendulum period of travel, watch the sway less what the travel itself
    swings the load by: at arrival a whole window is watched, and a calm load lands on
    without waiting for one."""
    leg = run.leg
    t = None if leg is None else leg.travel_t(now)
    if leg is None or t is None or leg.plan.travel.duration_s - t > period_s(crane, run, z):
        return
    expected = [leg.plan.expected_sway_m(t - d) for d in READING_DELAYS_S]
    calm(crane, run, snapshot, z, now, crane.settings.landing_sway_tolerance_m, expected)


def _not_below(crane: CraneContext, ref: float, z: float, floor_m: float, run: Run) -> float:
    """``ref``, but not down past ``floor_m`` (the path-clear height): the plan keeps over
    it; a hoist running ahead of the plan waits for the travel instead of being caught
    by the interlock."""
    if ref >= 0.0:
        return ref
    if z <= floor_m:
        return 0.0
    limits = MotionLimits.from_params(crane.params, loaded=run.delivering).hoist
    stop = hoist_reference(
        z, floor_m, limits, creep_from_m=None, creep_mps=crane.params.creep_speed_mps
    )
    return max(ref, min(stop, 0.0))

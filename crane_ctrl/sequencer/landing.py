"""The landing: the last of a leg, from the end of travel to touchdown on the goal. Pure.

:data:`~crane_ctrl.sequencer.model.Step.LOWER` puts the load, not just the crane, on its goal and
damps its swing while the hoist comes down (:func:`~crane_ctrl.sequencer.sway.land_on_goal`). The
creep is held short of touchdown (:func:`gated_hoist`) until the load is calm and over its goal
(:func:`ready_to_land`): the last ``LAND_CHECK_M`` of the creep waits, so the check overlaps the
creep instead of delaying it; where the operator lands, at the approach height, and there the
landing hands over (:func:`hand_over`). A landing too far off its goal is planned again, a swing
too large to land on is settled first, either again and again holds for the operator.

Its times: touchdown within ``landed_timeout_s`` of creep (else the load is made safe and the job
fails), the leg within ``travel_timeout_factor`` times its plan (else hold), and at most
``settle_timeout_s`` waiting at the gate (a box hanging holds; the empty spreader gives up).
"""

from __future__ import annotations

import math

from crane_ctrl.commands import Commands
from crane_ctrl.interlocks.evaluate import Motion
from crane_ctrl.motion.planner import (
    CREEP_ENTRY_MARGIN_M,
    HOIST_TOLERANCE_M,
    XY,
    XYZ,
    MotionLimits,
    PathClearance,
    hoist_reference,
)
from crane_ctrl.sequencer.controller import CraneContext
from crane_ctrl.sequencer.handover import OperatorLanding
from crane_ctrl.sequencer.leg_margin import landing_margin_m
from crane_ctrl.sequencer.machine import StepMachine
from crane_ctrl.sequencer.model import OVERSHOOT_M, OVERTRAVEL_M, STILL_MPS, Step
from crane_ctrl.sequencer.readings import position_of, seated
from crane_ctrl.sequencer.run import Run
from crane_ctrl.sequencer.settle import calm
from crane_ctrl.sequencer.sway import steer_onto
from crane_ctrl.sequencer.transfer import all_corners, any_corner
from crane_ctrl.snapshot import Snapshot

__all__ = [
    "LAND_CHECK_M",
    "REPLAN_M",
    "RESETTLES",
    "SLACK_M",
    "gated_hoist",
    "hand_over",
    "landed",
    "lower",
    "ready_to_land",
    "size_ref",
]

LAND_CHECK_M = 0.1
"""The creep stops this far above touchdown until the load is calm and over its goal, m: the
check overlaps the creep instead of delaying it (at creep speed the hoist stops within 1 cm)."""
_TALLER_M = 1e-6
"""An obstacle's top this little above the landing place's is no higher (rounding), m."""
REPLAN_M = 0.15
"""A landing this far off its goal (either direction) is not trimmed but planned again, m: the
landing law trims centimetres; a longer move needs a shaped travel at a clear height."""
SLACK_M = 0.05
"""Slack ropes with the drum this far below the landing height are taken up before the height
is judged, m: a creep stopped by the pins leaves the drum a centimetre or two under it."""
RESETTLES = 3
"""Times a landing may go back (plan again, settle a swing) before it holds for the
operator."""


def lower(m: StepMachine, run: Run, snapshot: Snapshot, now: float) -> Commands:
    """Land: creep down onto the goal, the load put on it and its swing damped; landed, go on
    (lock or unlock); over the approach height where the operator lands, hand over."""
    pos = position_of(snapshot)
    if pos is None:
        return Commands(drives_enable=True)
    z = pos[2]
    landing = run.landing_height_m(m.crane.yard)
    if seated(snapshot):
        if _slack_below(m, snapshot, z, landing):
            return _take_up_slack(m, run, snapshot)
        return landed(m, run, z, landing, now)
    if run.taking_up_slack:  # what was "slack" lifted off: the height it read was true
        run.taking_up_slack = False
        m.hold(now, f"lifted off at {z:.2f} m while taking up slack ropes (landing expected at "
                    f"{landing:.2f} m): check the slot and the slack-rope switch")  # fmt: skip
        return Commands(drives_enable=True)
    if _off_the_landing(m, run, pos, now):
        return Commands(drives_enable=True)
    late = _late(m, run, snapshot, z, landing, now)
    if late is not None:
        return late
    p = m.crane.params
    limits = MotionLimits.from_params(p, loaded=run.delivering)
    ref = hoist_reference(
        z, landing - OVERTRAVEL_M, limits.hoist,
        creep_from_m=p.creep_distance_m + OVERTRAVEL_M,  # distance before target
        creep_mps=p.creep_speed_mps,
    )  # fmt: skip
    ready = ready_to_land(m, run, snapshot, pos, now)
    if ready and run.operator_lands_here():
        down = z - landing <= m.crane.settings.approach_m + 2 * HOIST_TOLERANCE_M
        if down and abs(snapshot.number("hoist.speed") or 0.0) < STILL_MPS:
            return hand_over(m, run, snapshot, landing, now)  # (below it: it ran on; from there)
    ref = gated_hoist(m, run, ref, z, now, ready=ready)
    floor = clear_of_taller_m(m, run, snapshot, pos, landing)
    if floor > landing:  # it may swing into something higher beside it: not down there
        if z < floor:  # (lower already: up first, then steer it calm over its goal)
            m.publish_clear(floor, z)
            return m.hoist_to(run, z, floor + OVERSHOOT_M)
        ref = _not_below(m, run, ref, z, floor + HOIST_TOLERANCE_M)
    cleared = m.publish_clear(floor, z)
    steer = cleared and not ready  # a calm load over its goal lands as it hangs (still)
    vx, vy = _fine(m.crane, run, pos, now) if steer else (0.0, 0.0)
    return Commands(drives_enable=True, gantry_speed_ref=vx, trolley_speed_ref=vy,
                    hoist_speed_ref=ref, size_ref=size_ref(run, snapshot))  # fmt: skip


def clear_of_taller_m(
    m: StepMachine, run: Run, snapshot: Snapshot, pos: XYZ, landing: float
) -> float:
    """The height the landing load needs where it hangs, m: the safe clearance over everything
    higher than the place it lands on that its footprint, grown by how far it is off its goal
    now (:func:`~crane_ctrl.sequencer.leg_margin.landing_margin_m`: the crane's offset, the lean,
    the swing), reaches; ``landing`` if nothing does. A calm load over its goal lands as before;
    one that swings or hangs off it does not come down beside a taller neighbour it may swing
    into (the travel interlock is given it too: fine positioning moves the crane)."""
    t, yard, p = run.transfer, m.crane.yard, m.crane.params
    carrying = t.box.height_m if run.delivering else 0.0
    goal = run.goal_xy(yard)
    taller = [
        o for o in t.obstacles(yard, delivering=run.delivering)
        if o.top_m > landing - carrying + _TALLER_M
    ]  # fmt: skip
    if not taller:
        return landing
    margin = landing_margin_m(m.crane, run, snapshot, (pos[0] - goal[0], pos[1] - goal[1]))
    size = snapshot.number("spreader.size")
    spreader = None if run.delivering else (45 if size is None else int(size))
    reach = PathClearance.along(
        (goal, goal), taller, carrying_height_m=carrying, clearance_m=p.safe_clearance_m,
        half_size_m=t.half_size_m(spreader), margin_m=margin,
    )  # fmt: skip
    return max([landing, *(s.height_m for s in reach.spans[1:])])  # (the first: the ground)


def _not_below(m: StepMachine, run: Run, ref: float, z: float, floor_m: float) -> float:
    """``ref``, but not down past ``floor_m``."""
    if ref >= 0.0:
        return ref
    if z <= floor_m:
        return 0.0
    limits = MotionLimits.from_params(m.crane.params, loaded=run.delivering).hoist
    stop = hoist_reference(
        z, floor_m, limits, creep_from_m=None, creep_mps=m.crane.params.creep_speed_mps
    )
    return max(ref, min(stop, 0.0))


def _late(
    m: StepMachine, run: Run, snapshot: Snapshot, z: float, landing: float, now: float
) -> Commands | None:
    """The landing's clocks: touchdown ``landed_timeout_s`` after the creep (plus the creep
    itself), the leg within ``travel_timeout_factor`` of its plan; ``None`` while in time."""
    p, s = m.crane.params, m.crane.settings
    if z <= landing + p.creep_distance_m and run.creep_since is None:
        run.creep_since = now
    creep_s = p.creep_distance_m / p.creep_speed_mps
    late = creep_s + m.crane.landed_timeout_s
    if run.creep_since is not None and now - run.creep_since > late:
        return _not_landed(m, run, snapshot, z, landing, now)
    if run.leg is not None and run.leg.overdue(now, s.travel_timeout_factor, s.settle_timeout_s):
        m.hold(now, "the landing did not come in time")
        return Commands(drives_enable=True)
    return None


def _off_the_landing(m: StepMachine, run: Run, pos: XYZ, now: float) -> bool:
    """Too far from the goal to trim (a stop left it there, say): plan the leg again; a
    swing too large to land: settle it first; either again and again: hold for the
    operator."""
    goal, lean = run.goal_xy(m.crane.yard), run.sway.wind_lean
    # the crane belongs between the goal (where a plan puts it) and the lean short of it
    # (where the landing law puts it, so that the leaning load is on the goal)
    off = _to_segment((pos[0], pos[1]), goal, (goal[0] - lean[0], goal[1] - lean[1]))
    if not run.sway.known():
        return False  # the lean, and so where the crane belongs, is not known yet
    swinging = run.sway.swing_m() > m.crane.settings.landing_swing_limit_m
    if off <= REPLAN_M and not swinging:
        return False
    run.resettles += 1
    if run.resettles > RESETTLES:
        m.hold(now, "the load will not settle over its landing: check the wind")
    elif swinging:  # first calm it: a swinging load's lean, and so "off", is not known
        run.resume_step = Step.LOWER
        m.enter(Step.SETTLE, now, reason="the load swings too much to land")
    else:
        m.enter(Step.RAISE, now, reason=f"{off:.2f} m off the landing: planned again")
    return True


def _fine(crane: CraneContext, run: Run, pos: XYZ, now: float) -> tuple[float, float]:
    """Put the load on the goal and damp its swing (:func:`~.sway.steer_onto`)."""
    limits = MotionLimits.from_params(crane.params, loaded=run.delivering)
    return steer_onto(run.sway, limits, run.goal_xy(crane.yard), pos, now)


def _slack_below(m: StepMachine, snapshot: Snapshot, z: float, landing: float) -> bool:
    """Seated more than :data:`SLACK_M` below the landing height with the ropes slack: the
    drum paid out past touchdown (a hoist that ran on into the landing: its stop ramp, a link
    lost mid-creep), so the hoist's reading is the drum's, and the spreader rests higher, on
    the ropes' slack. An unreadable slack-rope switch is not slack: the height is judged as
    read."""
    return z < landing - SLACK_M and snapshot.flag("hoist.slack_rope", unsafe=False)


def _take_up_slack(m: StepMachine, run: Run, snapshot: Snapshot) -> Commands:
    """Hoist at creep speed until the ropes are taut: then the hoist's reading is where the
    spreader rests, and :func:`landed` judges it. Pulling on slack ropes lifts nothing; should
    the spreader lift off all the same (a slack-rope switch stuck on), :func:`lower` holds."""
    run.taking_up_slack = True
    return Commands(drives_enable=True, hoist_speed_ref=m.crane.params.creep_speed_mps,
                    size_ref=size_ref(run, snapshot))  # fmt: skip


def landed(m: StepMachine, run: Run, z: float, landing: float, now: float) -> Commands:
    """All four pins pressed at ``z``: at the expected height, the box stands there (when
    delivering) and the spreader's steps begin (unlock, or lock); elsewhere, hold."""
    run.taking_up_slack = False
    if abs(z - landing) > m.crane.settings.landing_height_tolerance_m:
        # all pins pressed, but not where the box should stand: something else is there
        m.hold(now, f"landed at {z:.2f} m, expected {landing:.2f} m: check the slot")
        return Commands(drives_enable=True)
    if run.delivering:  # it stands there now, whatever the twistlocks do next
        m.crane.yard.move(run.transfer.box.id, run.transfer.to)
    m.enter(Step.UNLOCK if run.delivering else Step.LOCK, now)
    return Commands(drives_enable=True)


def _not_landed(
    m: StepMachine, run: Run, snapshot: Snapshot, z: float, landing: float, now: float
) -> Commands:
    s = m.crane.settings
    blocked = m.blocked_by(Motion.HOIST_DOWN)  # slack ropes, the lower limit: it rests there
    hint = "misaligned or obstructed" + (f"; lowering {blocked}" if blocked else "")
    why = f"landing not confirmed within {m.crane.landed_timeout_s:g} s of creep ({hint})"
    resting = abs(z - landing) <= s.landing_height_tolerance_m
    if run.delivering and resting:  # it stands in its slot, whatever a pin says
        m.crane.yard.move(run.transfer.box.id, run.transfer.to)
    return m.fail_safe(run, why, now, snapshot)


def hand_over(m: StepMachine, run: Run, snapshot: Snapshot, landing: float, now: float) -> Commands:
    """At the approach height, over the goal, calm: the operator lands it."""
    t = run.transfer
    slot = t.to if run.delivering else t.box.slot
    if run.delivering:
        task = f"land {t.job_id} (container {t.box.id}) on {slot} and confirm"
    else:
        task = f"land the spreader on container {t.box.id} on {slot} for {t.job_id} and confirm"
    run.handover = OperatorLanding(slot, landing, task)
    m.enter(Step.OPERATOR_LANDING, now, reason=task)
    return m.scan(run, snapshot, now)


def gated_hoist(
    m: StepMachine, run: Run, ref: float, z: float, now: float, *, ready: bool
) -> float:
    """``ref``, but not down into the creep zone before the spreader is the box's size,
    and not into the last ``LAND_CHECK_M`` before the landing is ``ready`` (over the goal,
    the load calm); where the operator lands, not below the approach height at all (a hoist
    that ran on past it stops there: the operator lands it from where it stands)."""
    p, s = m.crane.params, m.crane.settings
    landing = run.landing_height_m(m.crane.yard)
    gate = landing + LAND_CHECK_M
    if run.operator_lands_here():
        gate = landing + s.approach_m  # the operator takes it from there
        if ref < 0.0 and z < gate - HOIST_TOLERANCE_M:
            return 0.0  # ran on past it (a late scan): never on down without the operator
    elif not run.delivering and _size_ref_needed(m, run):
        refused = _telescope_refused(m)
        if refused:  # the PLC will not telescope: give the pick up up, with its reason
            run.failure = f"spreader not telescoped to {run.transfer.box.size_ft} ft: {refused}"
            m.enter(Step.RAISE_CLEAR, now, reason=run.failure)
            return 0.0
        gate = landing + max(p.creep_distance_m, p.safe_clearance_m) + CREEP_ENTRY_MARGIN_M
    elif ready:
        return ref  # (the wait is timed from the first arrival at the gate)
    if ref >= 0.0 or z < gate - HOIST_TOLERANCE_M:
        return ref  # not going down, or committed to the touchdown
    if z <= gate + HOIST_TOLERANCE_M:
        run.creep_since = None  # waiting here is no landing failure: timed from release
        run.gated_since = now if run.gated_since is None else run.gated_since
        if now - run.gated_since > s.settle_timeout_s:
            _not_settled(m, run, now)
            return 0.0
    limits = MotionLimits.from_params(p, loaded=run.delivering).hoist
    floor = hoist_reference(z, gate, limits, creep_from_m=None, creep_mps=p.creep_speed_mps)
    return max(ref, min(floor, 0.0))


def _telescope_refused(m: StepMachine) -> str:
    """Why the PLC refused (or never took over) the telescope request, if it did."""
    last = m.last
    if last is None:
        return ""
    return last.refused.get("spreader.size_ref") or last.refused.get("spreader.telescope") or ""


def _size_ref_needed(m: StepMachine, run: Run) -> bool:
    last = m.last
    size = None if last is None else last.number("spreader.size")
    return size != run.transfer.box.size_ft


def _not_settled(m: StepMachine, run: Run, now: float) -> None:
    """The landing waited ``settle_timeout_s`` in vain: a box hanging holds for the
    operator; the empty spreader gives the pick up (raise clear, fail the job)."""
    why = "the load did not settle over its landing: check the wind"
    if run.delivering:
        m.hold(now, why)
        return
    run.failure = why
    m.enter(Step.RAISE_CLEAR, now, reason=why)


def ready_to_land(m: StepMachine, run: Run, snapshot: Snapshot, pos: XYZ, now: float) -> bool:
    """Sampled every scan of the landing: telescoped, the load calm and over its goal (the
    crane the lean short of it). After ``landing_patience_s`` at the gate (a gusty wind,
    say) the looser ``sway_tolerance_m`` and twice the position tolerance will do: still
    well inside what the landing pins and the stacking accept.

    Once ready (:attr:`Run.released`), the crane stands still while the load comes down,
    and twice the tolerances keep it so: a fit over a window in which the crane stopped
    reads a little swing, and steering again for that would start a real one."""
    s = m.crane.settings
    patient = run.gated_since is not None and now - run.gated_since > s.landing_patience_s
    sway_tol = s.sway_tolerance_m if patient else s.landing_sway_tolerance_m
    if run.released:
        sway_tol = max(sway_tol, 2.0 * s.landing_sway_tolerance_m)
    is_calm = calm(m.crane, run, snapshot, pos[2], now, sway_tol)
    size_ok = run.delivering or snapshot.number("spreader.size") == run.transfer.box.size_ft
    goal = run.goal_xy(m.crane.yard)
    lean = run.sway.wind_lean
    tol = s.position_tolerance_m * (2.0 if patient or run.released else 1.0)
    there = all(abs(goal[k] - pos[k] - lean[k]) <= tol for k in (0, 1))
    run.released = is_calm and size_ok and there
    return run.released


def size_ref(run: Run, snapshot: Snapshot) -> int | None:
    """The telescope target while the empty spreader must change size (and may)."""
    size = run.transfer.box.size_ft
    if run.delivering or snapshot.number("spreader.size") == size:
        return None
    if any_corner(snapshot, "landed") or not all_corners(snapshot, "unlocked"):
        return None  # the interlock would refuse it: the leg rises clear first
    return size


def _to_segment(p: XY, a: XY, b: XY) -> float:
    """Distance from ``p`` to the segment ``a``-``b``, m."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    u = 0.0 if length2 == 0.0 else ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2
    u = min(1.0, max(0.0, u))
    return math.hypot(p[0] - a[0] - u * dx, p[1] - a[1] - u * dy)

"""The swing a lift off a support starts in the wind as it blows, and whether it reaches a
neighbour before the box has risen clear. Pure.

A box lifted from rest in a steady wind is a pendulum released from plumb with the wind's force
on it: it swings out toward the steady lean ``a`` and beyond, ``a (1 - cos wt)`` from where it
hung, twice the lean half a period later (about 4 s on these ropes). A lift beside a neighbour is
a race between that swing and the rise: bench case 1042025 lifted a 40-ft box off truck T1 in a
steady 19.5 m/s (under the 20 m/s stop limit, so WIND_NO_LIFT, which looks at the wind still to
come, had nothing to say) and swung it 1.05 m into the box on truck T2, about 1 m away, before
it had risen clear (hostile14 finding 12).

How far it swings depends most on the box's mass (the lean is the wind's force over its weight:
an empty 2.2-t box leans six to eight times as far as a full one), and the mass is known only
for sure once the ropes carry the box: the load cell weighs it as it comes off its support. So:

- **before the lift**, a box whose mass is declared (the yard's, the TOS's VGM figure: taken
  :data:`DECLARED_SHARE` of it) does not leave its support while its swing in the wind ahead (the
  reading or where its trend goes, plus the next gust,
  :data:`~crane_ctrl.motion.wind_swing.GUST_MARGIN_MPS`) would reach a neighbour before it rose
  clear of it (:func:`before_the_lift`, :func:`reaches_neighbour`): the lift waits; so does a
  box whose mass is not known, judged as the lightest there is (an empty one), wherever that
  box would swing off its place faster than a set-back at lift-off lands it
  (:func:`outruns_set_back`);
- **at lift-off** (:func:`lifted_off`), weighed, the box is judged again as it is: one that would
  reach a neighbour goes straight back down onto its place (a few centimetres, within a fraction
  of a second: the swing has hardly begun), and the lift waits, the box known now, while the
  wind would still do that with :data:`WAIT_MARGIN`, then lifts again. A box that swings off its
  place faster than it can be set down (a light one in a strong wind, declared heavier than it
  is) is raised clear instead, as before: the least exposure left (``spreader._raise_instead``).

The swing is taken in every direction (the wind's direction is not measured here), on the rope
as short as it gets on the way up (the fastest pendulum), the box held still for the whole
weighing time before its rise, and the rise from rest at the loaded limits: each errs on the
side of waiting.
"""

from __future__ import annotations

import math

from crane_ctrl.interlocks.wind_outlook import WindOutlook
from crane_ctrl.motion.clearance import HoistMove
from crane_ctrl.motion.planner import XYZ, MotionLimits, pendulum_period_s
from crane_ctrl.motion.wind_swing import GUST_MARGIN_MPS, steady_lean_m
from crane_ctrl.operation.yard_model import Obstacle
from crane_ctrl.sequencer.controller import CraneContext
from crane_ctrl.sequencer.readings import carried, position_of
from crane_ctrl.sequencer.run import Run
from crane_ctrl.sequencer.wind import wind_ahead_mps
from crane_ctrl.snapshot import Snapshot

__all__ = [
    "DECLARED_SHARE",
    "LIFTED_M",
    "LOAD_STEP_T",
    "SET_BACK_S",
    "SET_BACK_SHARE",
    "WAIT_MARGIN",
    "before_the_lift",
    "lifted_off",
    "outruns_set_back",
    "reaches_neighbour",
]

LOAD_STEP_T = 0.2
"""The load cell's reading growing by more than this says the ropes are still taking the box
off its support (they stretch as the hoist pulls), t."""
LIFTED_M = 0.01
"""The hoist risen this far with the load cell's reading no longer growing: the box is off its
support, weighed, m."""
WAIT_MARGIN = 1.2
"""Once set back for the wind, the lift waits until the swing this many times over would not
reach a neighbour: a wind hovering at the limit does not lift and set back again and again."""
SET_BACK_S = 0.8
"""From lift-off to seated again, a set-back for the wind takes about this, s: the lift-off seen
(1 cm at creep speed, a scan or two), the hoist reversed, the centimetre or two back down."""
SET_BACK_SHARE = 0.8
"""A box set back down for the wind goes on down while it hangs within this share of the
stacking tolerance off its place (the rest for its drift in the last centimetres)."""
DECLARED_SHARE = 0.9
"""A declared mass counts for this share of itself before the lift (declarations err, and a
lighter box swings further); weighed at lift-off, the box is judged again as it is."""
_STEP_S = 0.1
"""The race between the swing and the rise is checked at this interval, s."""
_MEASURING_M = 0.05
"""Measuring margin between the swinging box and a neighbour, m (the yard's surveyed positions,
the sway sensor's reading)."""


def before_the_lift(
    crane: CraneContext, run: Run, snapshot: Snapshot, outlook: WindOutlook | None
) -> str:
    """Why the lift may not leave its support now ("" if it may): its swing in the wind ahead,
    the box's mass known (:func:`reaches_neighbour`), would reach a neighbour before it rose
    clear. Known: weighed at a lift set back for the wind (with :data:`WAIT_MARGIN`), else
    declared (the yard's or the TOS's figure, taken :data:`DECLARED_SHARE` of it: a lighter box
    swings further). Not known: the lift-off decides, unless the lightest box there is (an empty
    one) would swing off its place faster than a set-back lands it (:func:`outruns_set_back`):
    then that box is judged."""
    if run.lift_mass_t is not None:
        return reaches_neighbour(crane, run, snapshot, outlook, run.lift_mass_t, margin=WAIT_MARGIN)
    declared = run.transfer.box.mass_t
    if declared is not None:
        return reaches_neighbour(crane, run, snapshot, outlook, DECLARED_SHARE * declared)
    if not outruns_set_back(crane, run, snapshot, outlook):
        return ""
    return reaches_neighbour(crane, run, snapshot, outlook, None)


def outruns_set_back(
    crane: CraneContext, run: Run, snapshot: Snapshot, outlook: WindOutlook | None
) -> bool:
    """The lightest box there is (an empty one), lifted off here in the wind ahead, would swing
    further off its place in :data:`SET_BACK_S` than a set-back lands it within
    (:data:`SET_BACK_SHARE` of the stacking tolerance)."""
    pos = position_of(snapshot)
    wind = wind_ahead_mps(crane, run, snapshot, outlook)
    if pos is None or wind is None:
        return False
    box, p = run.transfer.box, crane.params
    lean = steady_lean_m(
        p, pos[2], wind + GUST_MARGIN_MPS, size_ft=box.size_ft, height_m=box.height_m,
        mass_t=None,
    )  # fmt: skip
    period = pendulum_period_s(
        pos[2], crane.rope_params(True), loaded=True, container_height_m=box.height_m,
        container_mass_t=None,
    )  # fmt: skip
    drift = lean * (1.0 - math.cos(2.0 * math.pi * SET_BACK_S / period))
    return drift > SET_BACK_SHARE * p.stacking_tolerance_m


def lifted_off(run: Run, snapshot: Snapshot) -> bool:
    """The trial lift's box has come off its support: the ropes carry it and the hoist has
    risen :data:`LIFTED_M` since the load cell's reading last grew by :data:`LOAD_STEP_T`
    (keeps that point in ``run.pull``). Unreadable load or height: not known to be off."""
    load, z = snapshot.number("hoist.load"), snapshot.number("hoist.position")
    if load is None or z is None:
        return False
    if run.pull is None or load > run.pull[0] + LOAD_STEP_T or z < run.pull[1]:
        run.pull = (load, z)
    return carried(snapshot) and z - run.pull[1] >= LIFTED_M


def reaches_neighbour(
    crane: CraneContext,
    run: Run,
    snapshot: Snapshot,
    outlook: WindOutlook | None,
    mass_t: float | None,
    *,
    margin: float = 1.0,
) -> str:
    """Why a box of ``mass_t`` (``None``: not known, the lightest there is) lifted off its
    support where the crane stands now would swing into a neighbour in the wind ahead before it
    rose clear of it ("" when it would not; the swing taken ``margin`` times over). The
    position or the wind unknown: "" (their own rules hold the crane)."""
    pos = position_of(snapshot)
    wind = wind_ahead_mps(crane, run, snapshot, outlook)
    if pos is None or wind is None:
        return ""
    box, p = run.transfer.box, crane.params
    gust = wind + GUST_MARGIN_MPS
    lean = margin * steady_lean_m(
        p, pos[2], gust, size_ft=box.size_ft, height_m=box.height_m, mass_t=mass_t
    )
    beside = _beside(crane, run, pos, 2.0 * lean)
    if not beside:
        return ""
    top = max(o.top_m for o, _ in beside) + box.height_m + p.safe_clearance_m
    rise = HoistMove.rise(pos[2], top, MotionLimits.from_params(p, loaded=True).hoist)
    period = pendulum_period_s(
        top, crane.rope_params(True), loaded=True, container_height_m=box.height_m,
        container_mass_t=mass_t,
    )  # fmt: skip
    omega, still_s = 2.0 * math.pi / period, crane.settings.settle_s
    t = 0.0
    while t <= still_s + rise.duration_s:
        swing = lean * (1.0 - math.cos(min(math.pi, omega * t)))
        underside = (pos[2] if t < still_s else rise.height_m(t - still_s)) - box.height_m
        for o, gap in beside:
            if swing >= gap and underside < o.top_m:
                return (
                    f"wind {wind:.1f} m/s and its next gust {gust:.1f} m/s: lifted, the "
                    f"{_mass(mass_t)} box would swing {swing:.2f} m about {t:.1f} s after it "
                    f"came off (up to {2.0 * lean:.2f} m), into what stands {gap:.2f} m beside "
                    f"it (top {o.top_m:.2f} m), before it rose clear{_hint(mass_t)}"
                )
        t += _STEP_S
    return ""


def _hint(mass_t: float | None) -> str:
    if mass_t is not None:
        return ""
    return (" (its mass is not declared, and in this wind a set-back at lift-off would come too "
            "late for a light box: the job's declared mass, the TOS's VGM figure, lets it be "
            "judged by that)")  # fmt: skip


def _mass(mass_t: float | None) -> str:
    return "unweighed (as light as an empty)" if mass_t is None else f"{mass_t:.1f}-t"


def _beside(
    crane: CraneContext, run: Run, pos: XYZ, reach_m: float
) -> list[tuple[Obstacle, float]]:
    """What stands beside the box (not under it: its support) within ``reach_m`` and above its
    underside, with the gap between them less the measuring margin, m."""
    hx, hy = run.transfer.half_size_m()
    x0, x1, y0, y1 = pos[0] - hx, pos[0] + hx, pos[1] - hy, pos[1] + hy
    underside = pos[2] - run.transfer.box.height_m
    found = []
    for o in run.transfer.obstacles(crane.yard, delivering=True):
        gx = max(o.x_min - x1, x0 - o.x_max, 0.0)
        gy = max(o.y_min - y1, y0 - o.y_max, 0.0)
        gap = math.hypot(gx, gy)
        if gap <= 0.0 or o.top_m <= underside:
            continue  # its support (or what it overlaps), or nothing it could swing into
        gap = max(0.0, gap - _MEASURING_M)
        if gap < reach_m:
            found.append((o, gap))
    return found

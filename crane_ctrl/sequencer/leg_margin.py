"""How far the load may stray from where the crane means it to be: the margin a leg's clearance,
and a landing's, grows every obstacle by. Pure.

A leg's plan (:class:`~crane_ctrl.motion.leg.LegPlan`) follows the load's own swing along the
path itself: ahead of the crane while travel slows down, behind it while travel speeds up. What
it cannot know exactly it is given as one margin, any direction (:func:`leg_margin_m`), the sum
of:

- :data:`PATH_TOLERANCE_M`: the crane off its straight line and off its place along it;
- the swing already there: the furthest from plumb the swing the sway sensor shows now takes
  the load (its amplitude about the lean, and the lean), on the leg's longest rope. Without a
  good reading, what a move goes on with after a hold (``sway_tolerance_m``) and the wind's
  lean;
- the next gust (:func:`gust_m`): how much further a gust of
  :data:`~crane_ctrl.motion.wind_swing.GUST_MARGIN_MPS` over the wind read swings the load
  (twice the change of its lean, :mod:`crane_ctrl.motion.wind_swing`); the wind not known (a
  bad reading: travel is blocked until it is good), a gust to the pre-alarm.

Rounded up to :data:`MARGIN_STEP_M`, so that a plan asked for serves while the swing and the
wind stay within what it was planned for
(:meth:`~crane_ctrl.sequencer.leg_drive.LegRequest.still_holds_for`). Bench safety case
1000938: the crane 1.2 cm off its line and a 1.6 cm swing left from a hold put a box on a stack
its path passed 1 cm beside.

A landing knows where the crane is and watches the load every scan: its margin
(:func:`landing_margin_m`) is how far the load is off its goal now (the crane's offset, the
lean, the swing).
"""

from __future__ import annotations

import math

from crane_ctrl.motion.shaping import pendulum_length_m
from crane_ctrl.motion.wind_swing import GUST_MARGIN_MPS, OVERSWING, steady_lean_m
from crane_ctrl.sequencer.controller import CraneContext
from crane_ctrl.sequencer.run import Run
from crane_ctrl.sequencer.sway import sway_of
from crane_ctrl.snapshot import Snapshot

__all__ = [
    "MARGIN_STEP_M",
    "PATH_TOLERANCE_M",
    "gust_m",
    "landing_margin_m",
    "leg_margin_m",
    "wind_allowed_mps",
]

XY = tuple[float, float]

PATH_TOLERANCE_M = 0.02
"""How far the crane may be off its planned straight line, or off its place along it, m: the
drives follow the speed references with a lag that is not the same on both axes (bench moves:
up to 13 mm at full speed), and a plan is taken with the crane up to
:data:`~crane_ctrl.sequencer.leg_drive.STALE_START_XY_M` (5 mm) from where it was asked."""
MARGIN_STEP_M = 0.005
"""A leg's margin is rounded up to this, m: a plan asked for serves a request whose margin is
no larger, and a swing or a wind reading that moves by a millimetre does not ask again."""


def leg_margin_m(
    crane: CraneContext,
    run: Run,
    snapshot: Snapshot,
    levels: tuple[float, float],
    *,
    loaded: bool,
    mass_t: float | None,
) -> float:
    """The margin for the leg from ``levels[0]`` to ``levels[1]`` (twistlock-plane heights at
    its start and goal), loaded or not (``mass_t``: the box's), as the sway sensor and the
    anemometer read now, m (module docstring)."""
    low = min(levels)  # the longest rope on the way: the largest lean and swing
    sway = _sway_now(crane, run, snapshot, loaded=loaded, mass_t=mass_t)
    if sway is None:
        wind = snapshot.number("env.wind")
        lean = _lean_m(crane, run, low, 0.0 if wind is None else wind, loaded, mass_t)
        swing = crane.settings.sway_tolerance_m + lean
    else:
        (leans, swings), now = sway
        furthest = max(abs(lean) + swing for lean, swing in zip(leans, swings, strict=True))
        swing = furthest * max(1.0, _rope_m(crane, run, low, loaded, mass_t) / now)
    margin = PATH_TOLERANCE_M + swing + gust_m(crane, run, snapshot, low, loaded=loaded,
                                               mass_t=mass_t)  # fmt: skip
    return math.ceil(margin / MARGIN_STEP_M - 1e-9) * MARGIN_STEP_M


def wind_allowed_mps(crane: CraneContext, planned_mps: float | None) -> float:
    """The most wind a leg's margin, worked out with ``planned_mps`` read (``None``: not good),
    holds for, m/s: the reading and the next gust (:func:`gust_m`: the gust margin more; a wind
    not known, the pre-alarm). Beyond it the load leans further than the path was cleared for."""
    if planned_mps is None:
        return crane.params.wind_prealarm_mps
    return planned_mps + GUST_MARGIN_MPS


def landing_margin_m(crane: CraneContext, run: Run, snapshot: Snapshot, off: XY) -> float:
    """How far from its goal the landing load is now, either direction, m: the crane ``off``
    its goal and the load's lean, and its swing; without a good sway reading, the crane's
    offset and ``sway_tolerance_m``. No gust: the landing judges the load every scan."""
    loaded = run.delivering
    sway = _sway_now(crane, run, snapshot, loaded=loaded, mass_t=run.mass_t if loaded else None)
    if sway is None:
        return max(abs(off[0]), abs(off[1])) + crane.settings.sway_tolerance_m
    (leans, swings), _ = sway
    return max(abs(off[k] + leans[k]) + swings[k] for k in (0, 1))


def gust_m(
    crane: CraneContext,
    run: Run,
    snapshot: Snapshot,
    z_m: float,
    *,
    loaded: bool,
    mass_t: float | None,
) -> float:
    """How much further than it leans now the next gust may swing the load hanging with the
    twistlock plane at ``z_m``, m: twice the change of its lean from the wind read to that
    plus :data:`~crane_ctrl.motion.wind_swing.GUST_MARGIN_MPS` (a gust arriving at once
    overswings); the wind not known, twice its lean at the pre-alarm."""
    wind = snapshot.number("env.wind")
    if wind is None:
        return OVERSWING * _lean_m(crane, run, z_m, crane.params.wind_prealarm_mps, loaded, mass_t)
    more = _lean_m(crane, run, z_m, wind + GUST_MARGIN_MPS, loaded, mass_t)
    return OVERSWING * (more - _lean_m(crane, run, z_m, wind, loaded, mass_t))


def _lean_m(
    crane: CraneContext, run: Run, z_m: float, wind_mps: float, loaded: bool, mass_t: float | None
) -> float:
    box = run.transfer.box
    return steady_lean_m(
        crane.params, z_m, wind_mps, size_ft=box.size_ft if loaded else None,
        height_m=box.height_m, mass_t=mass_t if loaded else None,
    )  # fmt: skip


def _rope_m(crane: CraneContext, run: Run, z_m: float, loaded: bool, mass_t: float | None) -> float:
    return pendulum_length_m(
        z_m, crane.rope_params(loaded), loaded=loaded,
        container_height_m=run.transfer.box.height_m, container_mass_t=mass_t,
    )  # fmt: skip


def _sway_now(
    crane: CraneContext, run: Run, snapshot: Snapshot, *, loaded: bool, mass_t: float | None
) -> tuple[tuple[XY, XY], float] | None:
    """((lean per axis, swing amplitude about it per axis), the rope it hangs on now), m, as
    the sway observer follows the load (the amplitude at least the reading's offset from the
    lean); ``None`` without a good sway reading."""
    sway, z = sway_of(snapshot), snapshot.number("hoist.position")
    if sway is None or z is None:
        return None
    rope = _rope_m(crane, run, z, loaded, mass_t)
    omega = math.sqrt(crane.params.gravity_mps2 / rope)
    axes = run.sway.observer.axes
    if axes is None:
        return ((0.0, 0.0), (abs(sway[0]), abs(sway[1]))), rope
    leans = (axes[0].lean, axes[1].lean)
    swings = tuple(
        max(math.hypot(a.offset - a.lean, a.rate / omega), abs(reading - a.lean))
        for a, reading in zip(axes, sway, strict=True)
    )
    return (leans, (swings[0], swings[1])), rope

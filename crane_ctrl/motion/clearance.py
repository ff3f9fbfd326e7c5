"""Clearance over obstacles along a travel path, and when the hoist may overlap travel.

:class:`PathClearance` turns the obstacles under a straight x-y path (stack columns, vehicles and
their containers, as :class:`Obstacle` boxes) into spans along the path with the height the
twistlock plane needs there: the obstacle's top, plus the carried container's height, plus the
clearance. :class:`HoistMove` is a predicted hoist motion. :func:`travel_start_s` and
:func:`lowering_start_s` then say how early travel may start behind a rising hoist and how
early lowering may start before travel ends, with the load always at or above every span it is
over. Pure: no I/O, no clock.

The load is not where the crane's straight path puts it. Two things move it:

- the travel's own swing, along the path: the load lags while travel speeds up and leads while
  it slows down, by up to twice ``a / g`` times the rope on some shapings (0.8 m for a gantry
  stop on 19 m of rope). :meth:`PathClearance.swung` turns the spans from where the load is into
  where the crane is: the rise must be over a span when the load, ahead of the crane, reaches
  it, and lowering must wait until the load, behind the crane, has left it;
- everything the plan does not know exactly, in any direction: the drives' lag (not the same on
  both axes: the crane strays from the straight line by a centimetre or so), the swing already
  there when the leg starts, a wind's lean and its next gust. ``margin_m`` of
  :meth:`PathClearance.along` grows every obstacle by it, so the load clears what it passes
  beside, not only what it passes over (bench safety case 1000938: the path passed a stack's
  corner 1 cm off the box's footprint; the crane 1.2 cm off its line and a 1.6 cm swing left
  from a hold put the box's corner on the stack while it lowered).
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from crane_ctrl.motion.profiles import (
    CREEP_ENTRY_MARGIN_M,
    SLOWDOWN_FRACTION,
    AxisLimits,
    Profile1D,
    Pulse,
    reach_pulses,
)
from crane_ctrl.motion.travel import XY, TravelPlan

__all__ = [
    "ClearanceSpan",
    "Footprint",
    "HoistMove",
    "Obstacle",
    "PathClearance",
    "clearance_height_m",
    "lowering_start_s",
    "path_clear_height_m",
    "travel_start_s",
]

STOP_DELAY_S = 0.05
"""Time from the scan that finds the hoist too low to the travel drives braking, s (one scan):
:func:`path_clear_height_m` counts the travel during it into the stopping distance."""
PLAN_STOP_DELAY_S = 0.25
"""The same delay as :func:`travel_start_s` plans with (five scans), so that the planned overlap
keeps a margin over what the interlock checks: the hoist may run a little behind its
prediction without the interlock stopping travel."""
_EPS = 1e-9
"""Numerical zero for distances (not a physical threshold)."""
_END_M = 1e-6
"""A span ending this close to the path's end reaches the goal (a shaped profile's length may
differ from the path's by a rounding error), m."""


class Obstacle(NamedTuple):
    """Something under the crane: a box footprint (x, y in m) with its top height, m."""

    x_min: float
    x_max: float
    y_min: float
    y_max: float
    top_m: float


class Footprint(Protocol):
    """Anything with an obstacle's box and top (an :class:`Obstacle`, a yard model's own)."""

    @property
    def x_min(self) -> float: ...
    @property
    def x_max(self) -> float: ...
    @property
    def y_min(self) -> float: ...
    @property
    def y_max(self) -> float: ...
    @property
    def top_m(self) -> float: ...


class ClearanceSpan(NamedTuple):
    """From ``from_m`` to ``to_m`` along the path (distance from its start, m), the twistlock
    plane must be at or above ``height_m``."""

    from_m: float
    to_m: float
    height_m: float


@dataclass(frozen=True, slots=True)
class PathClearance:
    """The height the twistlock plane needs along a straight x-y path.

    One span for each obstacle the load's footprint (grown by the margin) touches anywhere along
    the path (touching counts), and one for the ground (height 0) under the whole path. Spans
    are where the load is; :meth:`swung` gives them as where the crane is.
    """

    length_m: float
    spans: tuple[ClearanceSpan, ...]

    @classmethod
    def along(
        cls,
        path_xy: tuple[XY, XY],
        obstacles: Sequence[Footprint],
        *,
        carrying_height_m: float,
        clearance_m: float,
        half_size_m: XY = (0.0, 0.0),
        margin_m: float = 0.0,
    ) -> PathClearance:
        """Spans for the load moving from ``path_xy[0]`` to ``path_xy[1]``.

        ``carrying_height_m``: height of the container hanging below the twistlock plane (0 for
        the empty spreader). ``half_size_m``: half the load's footprint in x and y (the
        container's, or the spreader's when empty); obstacles grow by it, so the whole footprint
        clears, not just its centre. ``margin_m``: how far the load may be off the straight
        path (or off its place along it), any direction; obstacles grow by that too (see the
        module docstring).
        """
        (x0, y0), (x1, y1) = path_xy
        length = math.hypot(x1 - x0, y1 - y0)
        extra = carrying_height_m + clearance_m
        spans = [ClearanceSpan(0.0, length, extra)]
        hx, hy = half_size_m[0] + margin_m, half_size_m[1] + margin_m
        for ob in obstacles:
            box = (ob.x_min - hx, ob.x_max + hx, ob.y_min - hy, ob.y_max + hy)
            hit = _segment_in_box((x0, y0), (x1, y1), box)
            if hit is not None:
                spans.append(ClearanceSpan(hit[0] * length, hit[1] * length, ob.top_m + extra))
        return cls(length, tuple(spans))

    def height_m(self, from_m: float = 0.0, to_m: float = math.inf) -> float:
        """The height needed over the part of the path from ``from_m`` to ``to_m``, m."""
        return max(s.height_m for s in self.spans if s.to_m >= from_m and s.from_m <= to_m)

    def swung(self, crane_m: Sequence[float], load_m: Sequence[float]) -> PathClearance:
        """The spans as the crane's positions along the path, for a load that swings along it.

        ``crane_m[k]`` and ``load_m[k]``: where the crane and the load are along the path at
        sample ``k`` of one travel (in time order, the crane never going back; straight lines
        between samples). Each span grows back to where the crane is when the load first
        reaches the span's start (the load ahead of the crane: a rise must be over the span
        that early) and on to where the crane is when the load last is at or before the span's
        end (the load behind: lowering waits until it has left). Never shrinks a span.
        """
        if len(crane_m) < 2:
            return self
        reached = list(itertools.accumulate(load_m, max))  # the furthest it has been by k
        left = list(itertools.accumulate(reversed(load_m), min))[::-1]  # furthest back from k on
        spans = []
        for span in self.spans:
            first = _crane_at_first(reached, crane_m, load_m, span.from_m)
            last = _crane_at_last(left, crane_m, load_m, span.to_m)
            spans.append(ClearanceSpan(min(span.from_m, first), max(span.to_m, last),
                                       span.height_m))  # fmt: skip
        return PathClearance(self.length_m, tuple(spans))


def _crane_at_first(
    reached: Sequence[float], crane_m: Sequence[float], load_m: Sequence[float], at_m: float
) -> float:
    """Where the crane is when the load first reaches ``at_m`` (``math.inf`` if never)."""
    k = bisect.bisect_left(reached, at_m)
    if k >= len(reached):
        return math.inf
    if k == 0:
        return crane_m[0]
    return _between(crane_m, load_m, k - 1, at_m)


def _crane_at_last(
    left: Sequence[float], crane_m: Sequence[float], load_m: Sequence[float], at_m: float
) -> float:
    """Where the crane is when the load is last at or before ``at_m`` (``-math.inf`` if
    never)."""
    k = bisect.bisect_right(left, at_m) - 1
    if k < 0:
        return -math.inf
    if k == len(left) - 1:
        return crane_m[-1]
    return _between(crane_m, load_m, k, at_m)


def _between(crane_m: Sequence[float], load_m: Sequence[float], k: int, at_m: float) -> float:
    """Where the crane is as the load passes ``at_m`` between samples ``k`` and ``k + 1``."""
    step = load_m[k + 1] - load_m[k]
    u = 0.0 if abs(step) < _EPS else min(1.0, max(0.0, (at_m - load_m[k]) / step))
    return crane_m[k] + u * (crane_m[k + 1] - crane_m[k])


def _segment_in_box(
    p0: XY, p1: XY, box: tuple[float, float, float, float]
) -> tuple[float, float] | None:
    """Fractions [u0, u1] of the segment p0-p1 inside the closed box (x0, x1, y0, y1), if any."""
    lo, hi = 0.0, 1.0
    slabs = ((p0[0], p1[0] - p0[0], box[0], box[1]), (p0[1], p1[1] - p0[1], box[2], box[3]))
    for start, delta, low, high in slabs:
        if abs(delta) < _EPS:
            if not low <= start <= high:
                return None
            continue
        u0, u1 = (low - start) / delta, (high - start) / delta
        lo, hi = max(lo, min(u0, u1)), min(hi, max(u0, u1))
    return (lo, hi) if lo <= hi else None


def clearance_height_m(
    path_xy: tuple[XY, XY],
    obstacles: Sequence[Footprint],
    *,
    carrying_height_m: float,
    clearance_m: float,
    half_size_m: XY = (0.0, 0.0),
    margin_m: float = 0.0,
) -> float:
    """The lowest twistlock-plane height at which the load (spreader, and ``carrying_height_m``
    of container below it, footprint ``2 x half_size_m``, anywhere within ``margin_m`` of the
    path) clears every obstacle under the straight path by ``clearance_m``, m (see
    :class:`PathClearance`)."""
    return PathClearance.along(
        path_xy,
        obstacles,
        carrying_height_m=carrying_height_m,
        clearance_m=clearance_m,
        half_size_m=half_size_m,
        margin_m=margin_m,
    ).height_m()


@dataclass(frozen=True, slots=True)
class HoistMove:
    """A hoist motion from ``from_m``: its height over time is ``from_m + profile.position(t)``;
    after the profile ends it stays at :attr:`to_m`."""

    from_m: float
    profile: Profile1D

    @classmethod
    def rise(
        cls, from_m: float, to_m: float, limits: AxisLimits, *, speed_mps: float = 0.0
    ) -> HoistMove:
        """The rise to ``to_m`` under ``hoist_reference`` from ``from_m`` at ``speed_mps``:
        speed up at the limit, cruise, slow down with :data:`SLOWDOWN_FRACTION` of the
        deceleration limit (a hoist still moving down first stops at the deceleration limit)."""
        d = limits.decel_mps2
        stop_s = max(0.0, -speed_mps) / d
        lowest = from_m - max(0.0, -speed_mps) ** 2 / (2 * d)
        pulses = [Pulse(0.0, stop_s, d)] if stop_s > 0.0 else []
        up = reach_pulses(
            max(0.0, to_m - lowest),
            limits,
            brake_mps2=SLOWDOWN_FRACTION * d,
            speed0_mps=max(0.0, speed_mps),
        )
        pulses += [Pulse(p.start_s + stop_s, p.end_s + stop_s, p.accel_mps2) for p in up]
        return cls(from_m, Profile1D.from_pulses(pulses, speed0_mps=speed_mps))

    @classmethod
    def landing(
        cls,
        from_m: float,
        to_m: float,
        limits: AxisLimits,
        *,
        creep_from_m: float,
        creep_mps: float,
    ) -> HoistMove:
        """The descent from rest to ``to_m`` under ``hoist_reference`` with creep: speed up,
        cruise, slow down (:data:`SLOWDOWN_FRACTION`) to ``creep_mps`` by ``creep_from_m`` (plus
        :data:`CREEP_ENTRY_MARGIN_M`) above ``to_m``, creep to ``to_m``. A drop within the creep
        zone first speeds up to creep speed."""
        creep = min(creep_mps, limits.vmax_mps)
        drop = max(0.0, from_m - to_m)
        ramp = min(drop, creep * creep / (2.0 * limits.accel_mps2))  # up to creep speed first
        creep_zone = min(drop - ramp, creep_from_m + CREEP_ENTRY_MARGIN_M)
        fast = reach_pulses(
            drop - creep_zone,
            limits,
            end_mps=creep,
            brake_mps2=SLOWDOWN_FRACTION * limits.decel_mps2,
        )
        end = max((p.end_s for p in fast), default=0.0)
        pulses = [Pulse(p.start_s, p.end_s, -p.accel_mps2) for p in fast]
        pulses.append(Pulse(end, end + creep_zone / creep, 0.0))
        return cls(from_m, Profile1D.from_pulses(pulses))

    @classmethod
    def descent(cls, from_m: float, to_m: float, limits: AxisLimits) -> HoistMove:
        """The fastest the hoist can lower from rest at ``from_m`` to ``to_m``: speed up at the
        limit to rated speed and hold it, never slowing down. A real descent (slow-down, creep)
        is always at or above it, so a clearance check against it is safe."""
        distance = max(0.0, from_m - to_m)
        a, vmax = limits.accel_mps2, limits.vmax_mps
        ramp = min(vmax / a, math.sqrt(2 * distance / a))
        cruise = max(0.0, (distance - 0.5 * a * ramp * ramp) / vmax)
        pulses = [Pulse(0.0, ramp, -a), Pulse(ramp, ramp + cruise, 0.0)]
        return cls(from_m, Profile1D.from_pulses(pulses))

    @property
    def to_m(self) -> float:
        """Where the move ends, m."""
        return self.from_m + self.profile.distance_m

    @property
    def duration_s(self) -> float:
        return self.profile.duration_s

    def height_m(self, t: float) -> float:
        """Twistlock-plane height at time ``t`` after the move started, m."""
        return self.from_m + self.profile.position(t)

    def time_at_height(self, height_m: float) -> float:
        """First time the hoist reaches ``height_m`` in its direction of motion, s: 0 if it is
        already there or past it, ``math.inf`` if it never gets there."""
        return self.profile.time_at(height_m - self.from_m)


def travel_start_s(plan: TravelPlan, clearance: PathClearance, rise: HoistMove) -> float:
    """Earliest time after ``rise`` began at which ``plan`` may start, s.

    At every moment the load must be above every span within its stopping distance (where it
    would stop if travel were stopped now: :data:`PLAN_STOP_DELAY_S` of running on, then
    braking at the path's deceleration limit), so that a hoist that falls behind can still
    stop travel in time (the travel interlock, fed :func:`path_clear_height_m`). The hoist only
    climbs, so each span binds where the stopping point first reaches it: start >= (time the
    hoist reaches its height) - (that time in the plan).
    ``math.inf`` if the rise never gets high enough. Each scan of a rise, a sequencer may call
    it with ``HoistMove.rise`` from the measured height and speed and start travel at 0.
    """
    brake = plan.limits.decel_mps2
    start = 0.0
    for span in clearance.spans:
        reached = rise.time_at_height(span.height_m)
        entered = plan.path.time_at(span.from_m, stop_delay_s=PLAN_STOP_DELAY_S, brake_mps2=brake)
        start = max(start, reached - entered)
    return start


def path_clear_height_m(plan: TravelPlan, clearance: PathClearance, t: float) -> float:
    """The height the twistlock plane needs at plan time ``t``: the highest span between where
    the load is and where it would stop if travel were stopped now (:data:`STOP_DELAY_S`, then
    the path's deceleration), m. For the travel interlock's path-clear height: at or above it,
    travel is safe, and the planned overlap stays at or above it."""
    end = clearance.length_m  # a profile may end a rounding error past it
    here = min(plan.path.position(t), end)
    stop = plan.path.reach(t, stop_delay_s=STOP_DELAY_S, brake_mps2=plan.limits.decel_mps2)
    return clearance.height_m(here, max(here, min(stop, end)))


def lowering_start_s(plan: TravelPlan, clearance: PathClearance, descent: HoistMove) -> float:
    """Earliest plan time at which ``descent`` (from rest) may start, s.

    The hoist only sinks, so the load clears a span if it is not yet below the span's height
    when the plan leaves it; a span that reaches the goal is left when travel ends (the last
    part of a landing is straight down). Use :meth:`HoistMove.descent`, the fastest descent,
    so that any real descent is safe.
    """
    start = 0.0
    for span in clearance.spans:
        if span.height_m <= descent.to_m:
            continue
        if span.to_m >= min(plan.length_m, clearance.length_m) - _END_M:
            left = plan.duration_s
        else:
            left = plan.path.time_at(span.to_m)
        start = max(start, left - descent.time_at_height(span.height_m))
    return start

"""One-axis motion: limits, rest-to-rest profiles and the closed-loop speed laws.

Pure: no I/O, no clock. Time is always an argument, in seconds from the start of a profile.

A :class:`Profile1D` is piecewise-constant acceleration (exactly what the drives in
:mod:`simulators.crane_model` produce when they follow a reference within their limits), built
from rectangular acceleration pulses. :func:`trapezoid` is the time-optimal rest-to-rest profile;
:mod:`crane_ctrl.motion.shaping` convolves pulses with an input shaper's impulses.

The two closed-loop laws run once per scan on measured positions: :func:`hoist_reference` (fast,
slow down, creep the last metres before a landing) and :func:`fine_position` (bring a small
travel error inside the landing tolerance without overshoot). Both slow down with only a share of
the deceleration limit (:data:`SLOWDOWN_FRACTION`): the speed a scan commands reaches the drive a
scan later, and the margin absorbs that delay.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple, Self

from crane_ctrl.crane import CraneParams

__all__ = [
    "CREEP_ENTRY_MARGIN_M",
    "FINE_SETTLE_FRACTION",
    "HOIST_TOLERANCE_M",
    "POSITION_GAIN_PER_S",
    "SLOWDOWN_FRACTION",
    "AxisLimits",
    "MotionLimits",
    "Profile1D",
    "Pulse",
    "fine_position",
    "hoist_reference",
    "landing_descent_s",
    "reach_pulses",
    "trapezoid",
    "trapezoid_pulses",
]

SLOWDOWN_FRACTION = 0.8
"""Share of an axis's deceleration limit the closed-loop laws brake with: the rest is margin
for the scan's delay (a reference takes effect up to one scan after the position was read)."""
CREEP_ENTRY_MARGIN_M = 0.02
"""The hoist slow-down reaches creep speed this far before the creep distance starts, m, so that
the scan's delay still leaves the hoist at creep speed over the whole creep distance (without
it the hoist enters at 0.13 m/s; 5 mm is enough, this leaves a margin). It adds 0.2 s."""
HOIST_TOLERANCE_M = 0.01
"""Default hoist positioning tolerance: the reference is zero within this of the target, m."""
POSITION_GAIN_PER_S = 4.0
"""Speed per metre of error near a target, 1/s: there the positioning laws are linear (speed =
gain x error), because the braking curve's slope grows without bound at the target and a scan's
delay then overshoots. A linear loop with one scan of delay does not overshoot while
gain x scan <= 0.25 (0.2 at 50 ms)."""
FINE_SETTLE_FRACTION = 0.25
"""Fine positioning aims at the target and stops once within this share of the tolerance, so
that the drive's run-out and a scan's delay still end well inside the tolerance."""
_EPS = 1e-9
"""Numerical zero for times and distances (not a physical threshold)."""


class Pulse(NamedTuple):
    """Constant acceleration ``accel_mps2`` from ``start_s`` to ``end_s``."""

    start_s: float
    end_s: float
    accel_mps2: float


@dataclass(frozen=True, slots=True)
class AxisLimits:
    """Rated speed and acceleration limits of one axis (magnitudes)."""

    vmax_mps: float
    accel_mps2: float
    """Limit while speeding up, m/s^2."""
    decel_mps2: float
    """Limit while slowing down, m/s^2."""

    def __post_init__(self) -> None:
        for name in ("vmax_mps", "accel_mps2", "decel_mps2"):
            if not getattr(self, name) > 0.0:
                raise ValueError(f"`{name}` must be positive, not {getattr(self, name)}")


@dataclass(frozen=True, slots=True)
class MotionLimits:
    """The limits of all three axes for one load state (empty spreader or carrying)."""

    gantry: AxisLimits
    trolley: AxisLimits
    hoist: AxisLimits

    @classmethod
    def from_params(cls, params: CraneParams, *, loaded: bool) -> Self:
        """The rated limits of ``params``; gantry and hoist are slower with a container held."""
        p = params
        gantry_v = p.gantry_speed_loaded_mps if loaded else p.gantry_speed_empty_mps
        hoist_v = p.hoist_speed_loaded_mps if loaded else p.hoist_speed_empty_mps
        return cls(
            gantry=AxisLimits(gantry_v, p.gantry_accel_mps2, p.gantry_decel_mps2),
            trolley=AxisLimits(p.trolley_speed_mps, p.trolley_accel_mps2, p.trolley_decel_mps2),
            hoist=AxisLimits(hoist_v, p.hoist_accel_mps2, p.hoist_decel_mps2),
        )


@dataclass(frozen=True, slots=True)
class Profile1D:
    """Piecewise-constant acceleration from ``speed0`` at position 0 and time 0.

    ``times`` are the breakpoints (first 0, last the duration), ``accels`` the acceleration
    between consecutive breakpoints, ``speeds`` and ``positions`` the values at the breakpoints.
    Before 0 the profile stands at its start; after the duration, at its end, still.
    """

    times: tuple[float, ...]
    accels: tuple[float, ...]
    speeds: tuple[float, ...]
    positions: tuple[float, ...]

    @classmethod
    def from_pulses(cls, pulses: Iterable[Pulse], *, speed0_mps: float = 0.0) -> Profile1D:
        """The profile whose acceleration is the sum of ``pulses`` (start times >= 0); it lasts
        until the last pulse ends (a pulse of zero acceleration extends a cruise)."""
        pulses = [p for p in pulses if p.end_s - p.start_s > _EPS]
        edges = sorted({0.0, *(p.start_s for p in pulses), *(p.end_s for p in pulses)})
        times = [edges[0]]
        for t in edges[1:]:
            if t - times[-1] > _EPS:
                times.append(t)
        accels = []
        for t0, t1 in itertools.pairwise(times):
            mid = 0.5 * (t0 + t1)
            accels.append(sum(p.accel_mps2 for p in pulses if p.start_s <= mid < p.end_s))
        speeds, positions = [speed0_mps], [0.0]
        for k, a in enumerate(accels):
            dt = times[k + 1] - times[k]
            v = speeds[-1]
            positions.append(positions[-1] + v * dt + 0.5 * a * dt * dt)
            speeds.append(v + a * dt)
        return cls(tuple(times), tuple(accels), tuple(speeds), tuple(positions))

    @property
    def duration_s(self) -> float:
        return self.times[-1]

    @property
    def distance_m(self) -> float:
        """Signed distance covered by the end, m."""
        return self.positions[-1]

    def _segment(self, t: float) -> int:
        return min(bisect_right(self.times, t), len(self.times) - 1) - 1

    def velocity(self, t: float) -> float:
        """Speed at time ``t``, m/s (0 after the end; the start speed before 0)."""
        if t >= self.duration_s:
            return 0.0
        if t <= 0.0:
            return self.speeds[0]
        k = self._segment(t)
        return self.speeds[k] + self.accels[k] * (t - self.times[k])

    def acceleration(self, t: float) -> float:
        """Acceleration at time ``t``, m/s^2 (0 outside the profile)."""
        if t < 0.0 or t >= self.duration_s:
            return 0.0
        return self.accels[self._segment(t)]

    def position(self, t: float) -> float:
        """Position at time ``t`` relative to the start, m."""
        if t >= self.duration_s:
            return self.distance_m
        if t <= 0.0:
            return 0.0
        k = self._segment(t)
        dt = t - self.times[k]
        return self.positions[k] + self.speeds[k] * dt + 0.5 * self.accels[k] * dt * dt

    def time_at(
        self, distance_m: float, *, stop_delay_s: float = 0.0, brake_mps2: float = math.inf
    ) -> float:
        """First time the profile has covered ``distance_m`` (same sign as its motion), s;
        ``math.inf`` if it never does, 0 for 0 or less.

        With ``stop_delay_s`` or ``brake_mps2``: first time it would cover it if told to stop
        then, running on for the delay and then braking at ``brake_mps2`` (the stopping point
        ``x + v delay + v^2 / (2 brake)``)."""
        sign = 1.0 if self.distance_m >= 0.0 else -1.0
        goal = sign * distance_m
        if goal <= 0.0:
            return 0.0
        inv = 0.0 if math.isinf(brake_mps2) else 1.0 / brake_mps2
        for k, acc in enumerate(self.accels):
            x0, v0, a = sign * self.positions[k], sign * self.speeds[k], sign * acc
            span = self.times[k + 1] - self.times[k]
            # the stopping point over the segment: c + b tau + a2 tau^2 / 2
            c = x0 + v0 * stop_delay_s + 0.5 * v0 * v0 * inv - goal
            b = v0 + a * stop_delay_s + v0 * a * inv
            a2 = a + a * a * inv
            if c >= -_EPS:
                return self.times[k]
            ends = [span]
            if a2 < 0.0 and 0.0 < -b / a2 < span:
                ends.append(-b / a2)
            if max(c + b * t + 0.5 * a2 * t * t for t in ends) >= -_EPS:
                return self.times[k] + _first_root(c, b, a2, span)
        return self.duration_s if sign * self.distance_m >= goal - _EPS else math.inf

    def reach(self, t: float, *, stop_delay_s: float = 0.0, brake_mps2: float = math.inf) -> float:
        """Where the profile would stop if told to at ``t`` (see :meth:`time_at`), m."""
        v = self.velocity(t)
        brake = 0.0 if math.isinf(brake_mps2) else v * abs(v) / (2.0 * brake_mps2)
        return self.position(t) + v * stop_delay_s + brake


def _first_root(c: float, b: float, a: float, span: float) -> float:
    """Smallest tau in [0, span] with c + b tau + a tau^2 / 2 = 0, given c < 0.

    Written as -2c / (b + sqrt(b^2 - 2ac)): the first crossing for either sign of ``a`` (and
    for ``a`` = 0), without the cancellation of the textbook form."""
    root = math.sqrt(max(b * b - 2.0 * a * c, 0.0))
    if b + root <= 0.0:
        return span
    return min(max(-2.0 * c / (b + root), 0.0), span)


def trapezoid(distance_m: float, limits: AxisLimits) -> Profile1D:
    """The time-optimal rest-to-rest profile over ``distance_m`` (signed) under ``limits``.

    Accelerate at the limit to the peak speed, cruise, decelerate at the limit; the peak is the
    rated speed, or lower (a triangle) when the distance is too short to reach it:
    ``v_peak = min(vmax, sqrt(2 D a d / (a + d)))``, duration ``D / v_peak + v_peak / (2 a) +
    v_peak / (2 d)``, which no profile within the limits beats.
    """
    return Profile1D.from_pulses(trapezoid_pulses(distance_m, limits))


def trapezoid_pulses(distance_m: float, limits: AxisLimits) -> tuple[Pulse, Pulse]:
    """The accelerating and the braking pulse of :func:`trapezoid`."""
    a, d = limits.accel_mps2, limits.decel_mps2
    dist = abs(distance_m)
    peak = min(limits.vmax_mps, math.sqrt(2.0 * dist * a * d / (a + d)))
    if peak <= 0.0:
        return Pulse(0.0, 0.0, 0.0), Pulse(0.0, 0.0, 0.0)
    t_brake = dist / peak + peak / (2 * a) - peak / (2 * d)
    sign = 1.0 if distance_m >= 0.0 else -1.0
    return (
        Pulse(0.0, peak / a, sign * a),
        Pulse(t_brake, t_brake + peak / d, -sign * d),
    )


def hoist_reference(
    position_m: float,
    target_m: float,
    limits: AxisLimits,
    *,
    creep_from_m: float | None,
    creep_mps: float,
    tolerance_m: float = HOIST_TOLERANCE_M,
) -> float:
    """Hoist speed reference towards ``target_m`` (positive = up), for one scan.

    Rated speed far away; the slow-down ``sqrt(2 b x)`` (``b`` = :data:`SLOWDOWN_FRACTION` of the
    deceleration limit) near the target, and the last centimetres linear
    (:data:`POSITION_GAIN_PER_S`). With ``creep_from_m`` (a distance before the target,
    e.g. ``creep_distance_m`` for a landing) the slow-down ends at ``creep_mps`` before that
    distance (:data:`CREEP_ENTRY_MARGIN_M`) and the hoist creeps the rest of the way. Zero within
    ``tolerance_m`` of the target.
    """
    error = target_m - position_m
    distance = abs(error)
    if distance <= tolerance_m:
        return 0.0
    braking = SLOWDOWN_FRACTION * limits.decel_mps2
    if creep_from_m is None:
        speed = min(
            limits.vmax_mps, math.sqrt(2.0 * braking * distance), POSITION_GAIN_PER_S * distance
        )
    else:
        creep = min(creep_mps, limits.vmax_mps)
        before_creep = distance - creep_from_m - CREEP_ENTRY_MARGIN_M
        if before_creep <= 0.0:
            speed = creep
        else:
            speed = min(limits.vmax_mps, math.sqrt(creep * creep + 2.0 * braking * before_creep))
    return math.copysign(speed, error)


def fine_position(
    error_m: float, speed_mps: float, limits: AxisLimits, *, tolerance_m: float = 0.02
) -> float:
    """Travel speed reference that brings a small remaining ``error_m`` (target - position)
    inside ``tolerance_m`` without overshoot, for one scan.

    The speed is the least of the rated speed, the braking curve ``sqrt(2 b |e|)`` and the
    linear law ``POSITION_GAIN_PER_S x |e|``; zero once within :data:`FINE_SETTLE_FRACTION` of
    the tolerance, and zero (brake at the limit) when the axis, moving towards the target at
    ``speed_mps``, could not stop within the error otherwise.
    """
    distance = abs(error_m)
    if distance <= FINE_SETTLE_FRACTION * tolerance_m:
        return 0.0
    towards = speed_mps * error_m > 0.0
    if towards and speed_mps * speed_mps / (2.0 * limits.decel_mps2) >= distance:
        return 0.0
    braking = SLOWDOWN_FRACTION * limits.decel_mps2
    speed = min(
        limits.vmax_mps, math.sqrt(2.0 * braking * distance), POSITION_GAIN_PER_S * distance
    )
    return math.copysign(speed, error_m)


def reach_pulses(
    distance_m: float,
    limits: AxisLimits,
    *,
    end_mps: float = 0.0,
    brake_mps2: float | None = None,
    speed0_mps: float = 0.0,
) -> list[Pulse]:
    """Time-optimal pulses covering ``distance_m`` (>= 0, forwards) from ``speed0_mps`` to
    ``end_mps`` (both within the rated speed): speed up at the limit, cruise, brake at
    ``brake_mps2`` (default the deceleration limit). A distance too short to brake from
    ``speed0_mps`` just brakes (and runs over); one too short to reach ``end_mps`` accelerates
    all the way."""
    a = limits.accel_mps2
    b = limits.decel_mps2 if brake_mps2 is None else brake_mps2
    v0, v1 = min(speed0_mps, limits.vmax_mps), min(end_mps, limits.vmax_mps)
    if v0 >= v1 and (v0 * v0 - v1 * v1) / (2 * b) >= distance_m:
        return [Pulse(0.0, (v0 - v1) / b, -b)]
    if v0 < v1 and (v1 * v1 - v0 * v0) / (2 * a) >= distance_m:
        return [Pulse(0.0, (math.sqrt(v0 * v0 + 2 * a * distance_m) - v0) / a, a)]
    peak_sq = (distance_m + v0 * v0 / (2 * a) + v1 * v1 / (2 * b)) * 2 * a * b / (a + b)
    peak = min(limits.vmax_mps, math.sqrt(peak_sq))
    cruise = distance_m - (peak * peak - v0 * v0) / (2 * a) - (peak * peak - v1 * v1) / (2 * b)
    t_brake = (peak - v0) / a + cruise / peak
    return [Pulse(0.0, (peak - v0) / a, a), Pulse(t_brake, t_brake + (peak - v1) / b, -b)]


def landing_descent_s(
    distance_m: float, limits: AxisLimits, *, creep_distance_m: float, creep_mps: float
) -> float:
    """Least time to lower ``distance_m`` from rest and touch down, creeping the last
    ``creep_distance_m`` at no more than ``creep_mps`` (touchdown ends it; no stop needed).

    Fast part: from rest to ``creep_mps`` at the creep point, time-optimal (accelerate, cruise,
    brake at the limits). Creep part: ``creep_distance_m / creep_mps``.
    """
    creep = min(creep_mps, limits.vmax_mps)
    creep_part = min(distance_m, creep_distance_m)
    fast = max(0.0, distance_m - creep_distance_m)
    fast_s = max((p.end_s for p in reach_pulses(fast, limits, end_mps=creep)), default=0.0)
    return fast_s + creep_part / creep

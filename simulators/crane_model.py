"""Drives and load pendulum: the motion half of the physical crane model.

A :class:`Drive` is one travel axis (gantry, trolley or hoist drum) with a speed-controlled
motor: it follows its speed reference within the rated speed and the acceleration and
deceleration limits, stops at its end-of-travel limits, and holds on its brakes when disabled.

A :class:`Pendulum` is the suspended load, two independent small-angle pendulums (gantry x and
trolley y directions) hanging from the trolley, excited by the acceleration of the suspension
point and by wind, lightly damped, with the rope length varying as the hoist moves. It is
integrated with the exact discretisation of a damped harmonic oscillator over each step (length,
length rate and forcing held constant within the step), so its period and amplitude stay right at
dt = 10 ms where explicit Euler would pump energy in.

Per-step code uses plain Python floats: on 2x2 systems numpy's per-call overhead costs more than
the arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.shaping import oscillator_transition

__all__ = ["Drive", "Pendulum", "make_drives", "transition_matrix"]

Matrix2 = tuple[float, float, float, float]
"""A 2x2 matrix in row order (m11, m12, m21, m22)."""


@dataclass(slots=True)
class Drive:
    """One speed-controlled axis with brakes and end-of-travel limits.

    Enabled, the speed moves towards the reference (clamped to +/- ``vmax``) by at most
    ``accel_mps2 * dt`` when speeding up and ``decel_mps2 * dt`` when slowing down or reversing.
    Disabled, the brakes set: a moving axis stops at ``brake_decel_mps2`` and then holds, its
    position fixed whatever the reference says.

    The limit switches sit at ``lo_m`` and ``hi_m`` and are fail-safe (``*_ok`` False = operated
    = the axis is at that end). Reaching an end stops the axis there at once (the buffers); the
    speed it arrived with is kept in ``impact_mps`` for one step so the plant can tell a gentle
    arrival from a buffer hit. At an operated limit, motion towards it is refused and motion away
    is allowed. Position integrates the speed with the trapezoid rule, exact for the
    piecewise-constant acceleration the drive produces.
    """

    lo_m: float
    hi_m: float
    accel_mps2: float
    decel_mps2: float
    brake_decel_mps2: float
    position_m: float
    speed_mps: float = 0.0
    impact_mps: float = 0.0
    """Speed at which the axis hit an end during the last step (0 if it did not)."""

    def __post_init__(self) -> None:
        if not self.lo_m <= self.position_m <= self.hi_m:
            raise ValueError(
                f"start position {self.position_m} m outside travel {self.lo_m}..{self.hi_m} m"
            )

    @property
    def limit_fwd_ok(self) -> bool:
        """Forward (upper) limit not operated."""
        return self.position_m < self.hi_m

    @property
    def limit_rev_ok(self) -> bool:
        """Reverse (lower) limit not operated."""
        return self.position_m > self.lo_m

    def step(self, ref_mps: float, vmax_mps: float, enabled: bool, dt: float) -> float:
        """Advance ``dt`` seconds; return the axis's mean acceleration over the step, m/s^2."""
        v = self.speed_mps
        x = self.position_m
        if enabled:
            target = min(max(ref_mps, -vmax_mps), vmax_mps)
            if (target > 0.0 and x >= self.hi_m) or (target < 0.0 and x <= self.lo_m):
                target = 0.0
            speeding_up = v * target >= 0.0 and abs(target) > abs(v)
            rate = self.accel_mps2 if speeding_up else self.decel_mps2
        else:
            target = 0.0
            rate = self.brake_decel_mps2
        limit = rate * dt
        dv = target - v
        v_new = target if -limit <= dv <= limit else v + (limit if dv > 0.0 else -limit)
        x += 0.5 * (v + v_new) * dt
        self.impact_mps = 0.0
        if x >= self.hi_m and v_new >= 0.0:
            x, self.impact_mps, v_new = self.hi_m, v_new, 0.0
        elif x <= self.lo_m and v_new <= 0.0:
            x, self.impact_mps, v_new = self.lo_m, -v_new, 0.0
        self.position_m = x
        self.speed_mps = v_new
        return (v_new - v) / dt


def make_drives(
    params: CraneParams, gantry_m: float, trolley_m: float, hoist_m: float
) -> tuple[Drive, Drive, Drive]:
    """Gantry, trolley and hoist drives of ``params`` starting at rest at the given positions."""
    p = params
    gantry = Drive(
        0.0,
        p.gantry_travel_m,
        p.gantry_accel_mps2,
        p.gantry_decel_mps2,
        p.gantry_brake_decel_mps2,
        gantry_m,
    )
    trolley = Drive(
        0.0,
        p.trolley_travel_m,
        p.trolley_accel_mps2,
        p.trolley_decel_mps2,
        p.trolley_brake_decel_mps2,
        trolley_m,
    )
    hoist = Drive(
        p.hoist_lowest_m,
        p.hoist_highest_m,
        p.hoist_accel_mps2,
        p.hoist_decel_mps2,
        p.hoist_brake_decel_mps2,
        hoist_m,
    )
    return gantry, trolley, hoist


def transition_matrix(omega2: float, sigma: float, dt: float) -> Matrix2:
    """State transition over ``dt`` of e'' + 2 sigma e' + omega2 e = 0, state (e, e'): the
    motion planner's exact solution (:func:`crane_ctrl.motion.shaping.oscillator_transition`)."""
    return oscillator_transition(omega2, sigma, dt)


@dataclass(slots=True)
class Pendulum:
    """The suspended load as a 2-D small-angle pendulum of varying length.

    For each horizontal direction, with L the length from the sheaves to the load's centre of
    mass, a the suspension point's acceleration and w the wind force per unit load mass::

        L th'' + 2 L' th' + g th = -(a - w)          (+ 2 zeta omega L th' damping)

    i.e. a damped oscillator with omega^2 = g / L, damping sigma = zeta omega + L'/L and the
    equilibrium angle (w - a) / g. The horizontal load offset from plumb (the sway sensor) is
    L th. Angles are small (|th| << 1), so the two directions are independent.
    """

    gravity_mps2: float
    damping_ratio: float
    angle_x: float = 0.0
    """Rope angle in the gantry direction, rad (positive: load ahead of the trolley in +x)."""
    rate_x: float = 0.0
    angle_y: float = 0.0
    """Rope angle in the trolley direction, rad."""
    rate_y: float = 0.0
    _key: tuple[float, float, float] = (0.0, 0.0, 0.0)
    _phi: Matrix2 = field(default=(1.0, 0.0, 0.0, 1.0))

    def step(
        self,
        length_m: float,
        length_rate_mps: float,
        forcing_x: float,
        forcing_y: float,
        dt: float,
    ) -> None:
        """Advance ``dt`` with the length, its rate and the forcing held constant.

        ``forcing_*`` is the net horizontal acceleration driving the sway: the suspension point's
        acceleration minus the wind force per unit load mass, m/s^2.
        """
        key = (length_m, length_rate_mps, dt)
        if key != self._key:
            omega2 = self.gravity_mps2 / length_m
            sigma = self.damping_ratio * math.sqrt(omega2) + length_rate_mps / length_m
            self._phi = transition_matrix(omega2, sigma, dt)
            self._key = key
        p11, p12, p21, p22 = self._phi
        g = self.gravity_mps2
        eq = -forcing_x / g
        e, r = self.angle_x - eq, self.rate_x
        self.angle_x, self.rate_x = eq + p11 * e + p12 * r, p21 * e + p22 * r
        eq = -forcing_y / g
        e, r = self.angle_y - eq, self.rate_y
        self.angle_y, self.rate_y = eq + p11 * e + p12 * r, p21 * e + p22 * r

    def hold(self, offset_x_m: float, offset_y_m: float, length_m: float) -> None:
        """Set the load at rest at the given offsets from plumb (a landed load being lifted)."""
        self.angle_x, self.rate_x = offset_x_m / length_m, 0.0
        self.angle_y, self.rate_y = offset_y_m / length_m, 0.0

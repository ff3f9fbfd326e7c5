"""Following a swinging load between readings that step: a pendulum observer. Pure.

A coarse sway sensor (rope angles in 0.1 degree: 3 cm steps on 17 m of rope) reads a swing as a
staircase. The difference of two successive readings is a whole step or nothing, so a sway rate
taken from them kicks the crane a step's worth at every change; a fit over a window knows the
swing only as it was over that window, and acting on it lags. Both drove the landing's load round
in a swing that grew.

The observer runs the pendulum's own equation, per direction, with the crane's measured speeds
as its input: the offset ``e`` of the load from plumb obeys ``e'' = -w^2 (e - lean) - a`` (``a``,
the crane's acceleration; ``lean``, a wind's steady lean). Between readings it predicts; each
reading corrects the offset, its rate and the lean by how far it is off (its gains put two of
the estimate's error modes at :data:`OBSERVER_SPEED` times ``w``, the lean's at the slower
:data:`LEAN_SPEED`). What the crane does is in the model, so its estimate does not lag the
swing; the steps are noise it averages out. It is fed every scan, whatever the step, from the
job's start (the load still): started on a swinging load, it would take a few periods to trust.
Pure: time comes in as an argument.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["LEAN_SPEED", "OBSERVER_GAP_S", "OBSERVER_SPEED", "SwayObserver"]

XY = tuple[float, float]

OBSERVER_SPEED = 1.0
"""How fast the estimate's errors die away, in units of the pendulum's angular frequency ``w``:
faster follows the swing more closely, slower averages more steps out."""
OBSERVER_GAP_S = 0.5
"""Readings further apart than this start the observer again, s (the pendulum went on unseen)."""
LEAN_SPEED = 0.25
"""How fast the lean's error dies away, in units of ``w``: a wind's lean changes slowly, so its
estimate averages the steps over a few periods."""


@dataclass
class _Axis:
    """One direction's estimate: offset from plumb, m; its rate, m/s; the lean, m."""

    offset: float
    rate: float
    lean: float


@dataclass
class SwayObserver:
    """The load's offset, sway rate and lean, estimated from the readings (module docstring)."""

    axes: tuple[_Axis, _Axis] | None = None
    """Gantry and trolley estimates (``None`` before the first reading)."""
    last: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """Time and crane speeds (gantry, trolley) of the last reading."""

    def reset(self) -> None:
        self.axes = None

    def update(self, now: float, sway: XY, speed: XY, omega: float) -> None:
        """Take a reading of the offsets ``sway``, m, with the crane's ``speed``, m/s (every
        scan: after a gap of :data:`OBSERVER_GAP_S` it starts again, the load as if still)."""
        t0, *speed0 = self.last
        self.last = (now, speed[0], speed[1])
        if self.axes is None or not 0.0 < now - t0 <= OBSERVER_GAP_S:
            self.axes = (_Axis(sway[0], 0.0, sway[0]), _Axis(sway[1], 0.0, sway[1]))
            return
        dt = now - t0
        for k, axis in enumerate(self.axes):
            _predict(axis, (speed[k] - speed0[k]) / dt, omega, dt)
            _correct(axis, sway[k] - axis.offset, omega, dt)

    @property
    def offset(self) -> XY:
        """The load's offset from plumb now, m."""
        return (0.0, 0.0) if self.axes is None else (self.axes[0].offset, self.axes[1].offset)

    @property
    def rate(self) -> XY:
        """The offset's rate of change now, m/s."""
        return (0.0, 0.0) if self.axes is None else (self.axes[0].rate, self.axes[1].rate)

    @property
    def lean(self) -> XY:
        """The steady offset the load swings about, m."""
        return (0.0, 0.0) if self.axes is None else (self.axes[0].lean, self.axes[1].lean)


def _predict(axis: _Axis, accel: float, omega: float, dt: float) -> None:
    """Swing ``dt`` about the lean less ``accel / w^2`` (exactly, for the pendulum)."""
    centre = axis.lean - accel / (omega * omega)
    c, s = math.cos(omega * dt), math.sin(omega * dt)
    off = axis.offset - centre
    axis.offset = centre + off * c + axis.rate * s / omega
    axis.rate = axis.rate * c - off * omega * s


def _correct(axis: _Axis, error: float, omega: float, dt: float) -> None:
    """Move the estimate towards the reading: the error modes of ``e' = v - k1 err, v' = -w^2
    (e - l) - k2 err, l' = -k3 err`` are at ``-p`` (twice) and ``-q`` (the lean's):
    ``(s + p)^2 (s + q) = s^3 + k1 s^2 + (w^2 + k2) s + w^2 k3``."""
    p, q, w2 = OBSERVER_SPEED * omega, LEAN_SPEED * omega, omega * omega
    axis.offset += (2.0 * p + q) * dt * error
    axis.rate += (p * p + 2.0 * p * q - w2) * dt * error
    axis.lean += p * p * q / w2 * dt * error

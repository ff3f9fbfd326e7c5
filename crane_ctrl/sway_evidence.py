"""The crane's pendulum model run beside the sway readings, and fits of the readings by it. Pure.

The sway sensor watch (:mod:`crane_ctrl.sway_sensor_watch`) asks of a stretch of readings: do
they show the swing the crane's own motion must have given the load? The model is the one the
planner and the simulator use: per direction, ``L th'' + 2 L' th' + g th = -a`` with the crane's
light sway damping, stepped exactly between readings
(:func:`~crane_ctrl.motion.shaping.oscillator_transition`), the load's offset ``L th``.

An :class:`Epoch` runs it three ways from one moment on: *forced* by the crane's accelerations
from rest, and *free* twice (from an angle, and from a rate). The equation is linear, so every
free swing of the load is a mix of the two free runs, and the forced run is what the crane's
motion gave it. Each reading adds a row ``(forced, 1, free, free, reading)`` to the epoch's sums
of the normal equations. A :class:`Window` is a stretch of an epoch: the sums now less the sums
when it began (a window's own prediction, from rest at its start, is the forced run less the
free mix it had then, :meth:`Window.own`; the fit is the same either way, as the free mix is
the fit's to choose).

:func:`fit` fits the readings with ``k * prediction + lean + free swing``: how much of the
prediction they follow (``k``), the prediction's RMS that no lean or free swing explains (the
evidence: what the crane did inside the window) and what is left over. :func:`shown` takes the
readings as the truth (``k`` = 1) and gives the lean and the swing as they showed it, run on to
now with the crane's motion since.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = ["Epoch", "Fit", "ModelSwing", "Transition", "Window", "fit", "shown"]

Transition = tuple[float, float, float, float]
"""The model's state transition over one reading's time, ``(angle, rate)`` to ``(angle, rate)``
about the equilibrium angle (:func:`~crane_ctrl.motion.shaping.oscillator_transition`)."""

_UNIT = 0.01
"""The free runs start at a rope angle of 0.01 rad, or the rate that swings to it: offsets of a
few centimetres, like the readings (the fit stays well conditioned)."""
_ROWS = 5
Sums = tuple[float, ...]
"""The upper triangle of the normal equations' sums, row by row (15 numbers)."""


@dataclass(slots=True)
class ModelSwing:
    """One run of the model: rope angle, rad, and its rate, rad/s."""

    angle: float = 0.0
    rate: float = 0.0

    def step(self, phi: Transition, eq: float) -> None:
        """Over one reading's time, about the equilibrium angle ``eq``."""
        off = self.angle - eq
        self.angle = eq + phi[0] * off + phi[1] * self.rate
        self.rate = phi[2] * off + phi[3] * self.rate

    def amplitude(self, omega: float) -> float:
        """Of the swing about plumb, in rope angle, rad."""
        return math.hypot(self.angle, self.rate / omega)


def _mix(c1: float, a: ModelSwing, c2: float, b: ModelSwing) -> ModelSwing:
    return ModelSwing(c1 * a.angle + c2 * b.angle, c1 * a.rate + c2 * b.rate)


@dataclass(slots=True)
class Epoch:
    """The model run forced and free from one moment on, and the fit's sums since."""

    forced: ModelSwing = field(default_factory=ModelSwing)
    free: tuple[ModelSwing, ModelSwing] = field(
        default_factory=lambda: (ModelSwing(), ModelSwing())
    )
    sums: list[float] = field(default_factory=lambda: [0.0] * 15)

    @classmethod
    def at(cls, omega: float) -> Epoch:
        """From now, on a pendulum of angular frequency ``omega``."""
        return cls(free=(ModelSwing(_UNIT, 0.0), ModelSwing(0.0, _UNIT * omega)))

    def step(self, phi: Transition, eq: float, length_m: float, reading: float) -> None:
        """Run the model over one reading's time (``eq``: the crane's acceleration as the
        equilibrium angle) and add the reading (at ``length_m`` of rope) to the sums."""
        self.forced.step(phi, eq)
        self.free[0].step(phi, 0.0)
        self.free[1].step(phi, 0.0)
        row = (
            length_m * self.forced.angle, 1.0,
            length_m * self.free[0].angle, length_m * self.free[1].angle, reading,
        )  # fmt: skip
        sums, k = self.sums, 0
        for i in range(_ROWS):
            for j in range(i, _ROWS):
                sums[k] += row[i] * row[j]
                k += 1

    def matching(self) -> tuple[float, float]:
        """The mix of the free runs that has the forced run's angle and rate now."""
        (a, b), f = self.free, self.forced
        det = a.angle * b.rate - b.angle * a.rate
        if det == 0.0:
            return 0.0, 0.0
        c1 = (f.angle * b.rate - b.angle * f.rate) / det
        return c1, (a.angle * f.rate - f.angle * a.rate) / det

    def swing(self, follows: float, c1: float, c2: float) -> ModelSwing:
        """``follows`` times the forced run plus the free mix ``c1``, ``c2``, now."""
        free = _mix(c1, self.free[0], c2, self.free[1])
        return ModelSwing(
            follows * self.forced.angle + free.angle, follows * self.forced.rate + free.rate
        )


@dataclass(slots=True)
class Window:
    """A stretch of an epoch's readings, and what the crane did in it."""

    epoch: Epoch
    sums: Sums
    """The epoch's sums when the window began."""
    matched: tuple[float, float]
    """The free mix the forced run had then (:meth:`Epoch.matching`)."""
    phase: float = 0.0
    """The pendulum's phase since it began, rad."""
    reading_range: tuple[float, float] = (math.inf, -math.inf)
    peak_accel: float = 0.0
    """The largest acceleration (signed) in the window, m/s^2."""
    braking: bool = False
    """Whether that acceleration slowed the crane."""

    @classmethod
    def of(cls, epoch: Epoch) -> Window:
        """Beginning now, in ``epoch``."""
        return cls(epoch, tuple(epoch.sums), epoch.matching())

    def take(self, turn: float, reading: float, accel: float, *, braking: bool) -> None:
        """One reading's time on: ``turn`` of phase, the reading, the crane's acceleration."""
        self.phase += turn
        low, high = self.reading_range
        self.reading_range = (min(low, reading), max(high, reading))
        if abs(accel) > abs(self.peak_accel):
            self.peak_accel, self.braking = accel, braking

    def own(self) -> ModelSwing:
        """The prediction's own swing now: what the crane's motion gave the load since the
        window began (from rest then)."""
        c1, c2 = self.matched
        return self.epoch.swing(1.0, -c1, -c2)

    def fit(self) -> Fit | None:
        return fit(self.epoch.sums, self.sums)


@dataclass(frozen=True, slots=True)
class Fit:
    """The readings of a window fitted with ``follows * prediction + lean + free swing``."""

    follows: float
    """``k``: the share of the predicted swing the readings follow."""
    evidence_m: float
    """RMS of the prediction that no lean or free swing explains, m."""
    residual_m: float
    """RMS of what the fit leaves over, m."""

    @property
    def missed_m(self) -> float:
        """RMS of the swing the crane's motion gave that the readings do not show, m."""
        return (1.0 - self.follows) * self.evidence_m


def fit(now: list[float] | Sums, start: Sums) -> Fit | None:
    """Least squares over the readings between the sums ``start`` and ``now`` (``None`` if the
    stretch cannot tell the prediction, a lean and a free swing apart)."""
    normal = _normal(now, start)
    n = normal[1, 1]
    try:
        inverse = np.linalg.inv(normal[:4, :4])
    except np.linalg.LinAlgError:
        return None
    if not inverse[0, 0] > 0.0 or n < 1.0:
        return None
    rhs = normal[:4, 4]
    coef = inverse @ rhs
    left_over = max(0.0, float(normal[4, 4] - coef @ rhs))
    return Fit(
        follows=float(coef[0]),
        evidence_m=math.sqrt(1.0 / float(inverse[0, 0]) / n),
        residual_m=math.sqrt(left_over / n),
    )


def shown(window: Window, until: Sums) -> tuple[float, ModelSwing, float] | None:
    """The readings of ``window`` up to the sums ``until`` taken as the truth (the prediction
    followed whole; the lean and a free swing fitted to what it leaves): the lean, the load's
    swing as they showed it run on to now, and the RMS residual (``None``: cannot tell)."""
    normal = _normal(until, window.sums)
    n = normal[1, 1]
    rows, rhs = normal[1:4, 1:4], normal[1:4, 4] - normal[1:4, 0]
    try:
        coef = np.linalg.solve(rows, rhs)
    except np.linalg.LinAlgError:
        return None
    left = normal[4, 4] - 2.0 * normal[0, 4] + normal[0, 0]
    residual = math.sqrt(max(0.0, float(left - coef @ rhs)) / n) if n >= 1.0 else math.inf
    swing = window.epoch.swing(1.0, float(coef[1]), float(coef[2]))
    return float(coef[0]), swing, residual


def _normal(now: list[float] | Sums, start: Sums) -> npt.NDArray[np.float64]:
    """The normal equations of the readings between two sums (rows: prediction, 1, free,
    free, reading)."""
    normal = np.empty((_ROWS, _ROWS))
    k = 0
    for i in range(_ROWS):
        for j in range(i, _ROWS):
            normal[i, j] = normal[j, i] = now[k] - start[k]
            k += 1
    return normal

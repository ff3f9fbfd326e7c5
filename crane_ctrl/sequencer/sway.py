"""Watching the load's sway for the sequencer: how much it swings, how it leans, how to damp it.

The sway sensor (``sway.gantry``, ``sway.trolley``: the load's offset from plumb, optional) is
read every scan. A steady wind leans the load without swinging it. Over the last window (about
half a pendulum period) each direction is fitted, least squares, with the pendulum's own motion
at its known frequency: ``offset = m + a cos(w t) + b sin(w t)``; the swing is the amplitude
``hypot(a, b)`` plus the fit's RMS residual (what the model does not explain counts as swing).
Calm means the swing within a tolerance once a whole window has been seen. The lean comes from
the pendulum's equation over the window (see :meth:`SwayWatch.sample`): the plain mean, or the
fit's constant, would follow the crane's own damping motions and steer by them.

:func:`land_on_goal` is the closed-loop law that puts the load (not the crane) on a goal and
damps its swing while it gets there: the crane aims at the goal less the lean, less the load's
velocity times a damping time. Pure: time comes in as an argument.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from crane_ctrl.snapshot import Snapshot

__all__ = [
    "LEAN_FOLLOW_MPS",
    "LOAD_GAIN_PER_S",
    "SWAY_RATE_GAIN_PER_S",
    "SwayWatch",
    "land_on_goal",
    "sway_of",
]

XY = tuple[float, float]
_Sample = tuple[float, ...]
"""(time, gantry offset, trolley offset, gantry speed, trolley speed, then per expected
offset: gantry and trolley offset less it)."""

LOAD_GAIN_PER_S = 0.8
"""Crane speed per metre between the crane and where it puts the load on the goal, 1/s (see
:func:`land_on_goal`)."""
LEAN_FOLLOW_MPS = 0.05
"""How fast the landing's aim follows a change of the lean, m/s (a speed step of this size
swings the load by under 10 cm, which the landing law damps as it goes)."""
SWAY_RATE_GAIN_PER_S = 0.6
"""Crane speed against the sway rate over the pendulum's ``w``, 1/s. Tried on the plant with
:data:`LOAD_GAIN_PER_S`: 4 to 21 m of rope, 30-80 mm of swing or 50 mm off the goal, load on the
goal within 8 mm and calm in 5-14 s; at 0.7 a long rope rings (the scan's delay)."""
_MIN_FIT_SAMPLES = 8
"""Fewer samples than this give no fit (the mean and half the peak-to-peak instead)."""


def sway_of(snapshot: Snapshot) -> XY | None:
    """Load offset from plumb (gantry, trolley), m; ``None`` without a (good) sway sensor."""
    sx, sy = snapshot.number("sway.gantry"), snapshot.number("sway.trolley")
    if sx is None or sy is None:
        return None
    return sx, sy


@dataclass
class SwayWatch:
    """The sway over the last window, sampled once a scan with the crane's speeds."""

    log: list[_Sample] = field(default_factory=list)
    """The samples (:data:`_Sample`), oldest first."""
    since: float | None = None
    """When watching started (a window must pass before anything counts as calm)."""
    window_s: float = 0.0
    omega: float = 1.0
    """The pendulum's angular frequency at the last sample, rad/s."""
    lean: XY = (0.0, 0.0)
    """The steady offset (a wind's lean), m: see :meth:`sample`."""
    aim: XY | None = None
    """The lean the landing steers by: follows :attr:`lean` at :data:`LEAN_FOLLOW_MPS`."""
    aim_at: float = 0.0
    _swing: tuple[tuple[int, float, float, float], float] | None = field(
        default=None, repr=False, compare=False
    )
    """The last :meth:`swing_m` and the window it was fitted on (several steps ask per scan)."""

    def reset(self) -> None:
        self.log.clear()
        self.since = None
        self.aim = None

    def steer_lean(self, now: float, start: XY) -> XY:
        """The lean to steer by now: from ``start`` (where the crane stands off the goal when
        the landing begins) towards :attr:`lean`, at most :data:`LEAN_FOLLOW_MPS`: moving the
        crane a wind's lean upwind at once would swing the load by as much."""
        if self.aim is None:
            self.aim, self.aim_at = start, now
        step = LEAN_FOLLOW_MPS * max(0.0, now - self.aim_at)
        ax, ay = self.aim
        lx, ly = self.lean
        self.aim = (ax + max(-step, min(step, lx - ax)), ay + max(-step, min(step, ly - ay)))
        self.aim_at = now
        return self.aim

    def sample(
        self,
        now: float,
        sway: XY,
        speed: XY,
        window_s: float,
        omega: float,
        expected: Sequence[XY] = ((0.0, 0.0),),
    ) -> None:
        """Add this scan's reading (once per scan), forget what is older than the window, and
        estimate the lean.

        ``expected``: what the crane's own planned travel swings the load by now (its shaping
        cancels it by the end of the travel), for each delay the reading may have (a scan, a
        link); the swing is judged less the one that explains the window best, so a load can
        be found calm while the travel still brakes. Give as many candidates every sample, or one
        that stands for them all.

        The offset ``e`` of a pendulum over a crane accelerating at ``a`` obeys ``e'' = -w^2 (e
        - lean) - a``; averaged over the window, ``e''`` and ``a`` sum to the change of the
        load's speed ``y' = crane speed + e'``, so ``lean = mean(e) + (y'_end - y'_start) /
        (window w^2)``: exact for the pendulum, whatever the crane does meanwhile."""
        if self.since is None:
            self.since = now
        if self.log and self.log[-1][0] >= now:
            return
        self.window_s, self.omega = window_s, omega
        own = [v for ex in expected for v in (sway[0] - ex[0], sway[1] - ex[1])]
        width = len(self.log[-1]) - 5 if self.log else len(own)
        if width > len(own) and width % len(own) == 0:
            own *= width // len(own)  # one for all (the travel has ended: nothing expected)
        elif width != len(own):
            self.log.clear()  # other candidates: start the window again
        self.log.append((now, sway[0], sway[1], speed[0], speed[1], *own))
        while self.log and self.log[0][0] < now - window_s:
            self.log.pop(0)
        self.lean = _lean(self.log, omega)

    @property
    def watched_s(self) -> float:
        return 0.0 if self.since is None or not self.log else self.log[-1][0] - self.since

    def swing_m(self) -> float:
        """The swing the crane's planned travel does not take away: the larger direction's
        fitted amplitude plus RMS residual, for the expected offset that explains the window
        best, m."""
        if not self.log:
            return 0.0
        window = (len(self.log), self.log[0][0], self.log[-1][0], self.omega)
        if self._swing is not None and self._swing[0] == window:
            return self._swing[1]
        fits = _fits(self.log, self.omega)
        swing = min(max(fits[c], fits[c + 1]) for c in range(0, len(fits), 2))
        self._swing = (window, swing)
        return swing

    def calm(self, tolerance_m: float) -> bool:
        """A whole window watched, and the swing within ``tolerance_m``."""
        return self.watched_s >= self.window_s and self.swing_m() <= tolerance_m

    def rate(self) -> XY:
        """Sway rate from the last two samples, m/s (0 before there are two)."""
        if len(self.log) < 2:
            return 0.0, 0.0
        (t0, x0, y0, *_), (t1, x1, y1, *_) = self.log[-2], self.log[-1]
        dt = t1 - t0
        return ((x1 - x0) / dt, (y1 - y0) / dt) if dt > 0.0 else (0.0, 0.0)

    def peak_m(self) -> float:
        """The largest offset from the lean over the window, either direction, m."""
        lx, ly = self.lean
        return max((max(abs(s[1] - lx), abs(s[2] - ly)) for s in self.log), default=0.0)

    def swing(self, sway: XY) -> XY:
        """``sway`` less the lean: what damping should act on, m."""
        return sway[0] - self.lean[0], sway[1] - self.lean[1]


def _lean(log: list[_Sample], omega: float) -> XY:
    """The lean per direction from the window (see :meth:`SwayWatch.sample`)."""
    n = len(log)
    if n < 3:
        return (log[-1][1], log[-1][2]) if log else (0.0, 0.0)
    span = log[-1][0] - log[0][0]
    out = []
    for k in (1, 2):
        mean = sum(s[k] for s in log) / n
        start = log[0][k + 2] + (log[1][k] - log[0][k]) / (log[1][0] - log[0][0])
        end = log[-1][k + 2] + (log[-1][k] - log[-2][k]) / (log[-1][0] - log[-2][0])
        out.append(mean + (end - start) / (span * omega * omega))
    return out[0], out[1]


_Array = npt.NDArray[np.float64]


def _fits(log: list[_Sample], omega: float) -> list[float]:
    """Amplitude + RMS residual of each offset column of ``log`` (from the sixth on) fitted at
    frequency ``omega``, all at once (one design matrix serves every column)."""
    table = np.asarray(log, dtype=np.float64)
    values = table[:, 5:]
    half_range = (values.max(axis=0) - values.min(axis=0)) / 2
    if len(log) < _MIN_FIT_SAMPLES:
        return [float(v) for v in half_range]
    phase = omega * (table[:, 0] - table[-1, 0])
    rows = np.column_stack((np.ones(len(log)), np.cos(phase), np.sin(phase)))
    coef = _least_squares(rows.T @ rows, rows.T @ values)
    if coef is None:
        return [float(v) for v in half_range]
    residual = values - rows @ coef
    rms = np.sqrt(np.mean(residual * residual, axis=0))
    return [float(v) for v in np.hypot(coef[1], coef[2]) + rms]


def _least_squares(normal: _Array, rhs: _Array) -> _Array | None:
    """Solve the 3x3 normal equations for every column of ``rhs`` (Gaussian elimination,
    partial pivoting); ``None`` if singular (too short a window)."""
    a, b = normal.copy(), rhs.copy()
    for col in range(3):
        pivot = col + int(np.argmax(np.abs(a[col:, col])))
        if abs(a[pivot, col]) < 1e-12:
            return None
        a[[col, pivot]], b[[col, pivot]] = a[[pivot, col]], b[[pivot, col]]
        for r in range(col + 1, 3):
            f = a[r, col] / a[col, col]
            a[r] -= f * a[col]
            b[r] -= f * b[col]
    out = np.zeros_like(b)
    for r in (2, 1, 0):
        out[r] = (b[r] - a[r, r + 1 :] @ out[r + 1 :]) / a[r, r]
    return out


def land_on_goal(
    goal_m: float, crane_m: float, lean_m: float, sway_rate_mps: float, omega: float
) -> float:
    """Speed reference (one axis) that brings the load to rest over ``goal_m``, m/s.

    The load swings towards the crane: ``y'' = w^2 (x - y)``. Aiming the crane at ``goal -
    lean - c y'`` (``y'``, the load's speed) makes that a damped spring onto the goal. With the
    crane following its aim, ``y' = x' + e'`` and ``x'`` solved out of the loop (feeding back
    the crane's measured speed a scan late chatters), that is a position gain on the crane
    (:data:`LOAD_GAIN_PER_S`) and a gain against the sway rate (:data:`SWAY_RATE_GAIN_PER_S`,
    on the rate over ``w``, so it suits every rope length). At rest the crane stands the lean
    short of the goal, so the load, leaning in the wind, is on it."""
    aim = goal_m - lean_m - crane_m
    return LOAD_GAIN_PER_S * aim - SWAY_RATE_GAIN_PER_S * sway_rate_mps / omega

"""The arithmetic of the sway watch: the pendulum fit over a window, and the lean. Pure.

A window is a list of samples ``(time, gantry offset, trolley offset, gantry speed, trolley
speed, then per expected offset: gantry and trolley offset less it)``, oldest first (see
:class:`~crane_ctrl.sequencer.sway.SwayWatch`). Each offset column is fitted, least squares, with
the pendulum's own motion at its known angular frequency ``w``: ``offset = m + a cos(w t) + b
sin(w t)``, the phase ``w t`` zero at the window's last sample.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["lean_of", "swings"]

XY = tuple[float, float]
Sample = tuple[float, ...]
Array = npt.NDArray[np.float64]
Fit = tuple[Array, Array]
"""The coefficients (rows ``m``, ``a``, ``b``; a column per offset) and each column's RMS
residual."""

MIN_FIT_SAMPLES = 8
"""Fewer samples than this give no fit (the mean and half the peak-to-peak instead)."""


def swings(log: list[Sample], omega: float) -> list[float]:
    """Amplitude + RMS residual of each offset column of ``log`` (from the sixth on) fitted at
    frequency ``omega``, all at once (one design matrix serves every column)."""
    table = np.asarray(log, dtype=np.float64)
    values = table[:, 5:]
    fit = _fit(table, values, omega)
    if fit is None:
        half_range = (values.max(axis=0) - values.min(axis=0)) / 2
        return [float(v) for v in half_range]
    coef, rms = fit
    return [float(v) for v in np.hypot(coef[1], coef[2]) + rms]


def lean_of(log: list[Sample], omega: float) -> XY:
    """The lean per direction from the window: ``mean(e) + (y'_end - y'_start) / (window
    w^2)``, the load's speed ``y'`` the crane's plus the offset's rate over the two samples at
    either end (see :meth:`~crane_ctrl.sequencer.sway.SwayWatch.sample`)."""
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


def _fit(table: Array, values: Array, omega: float) -> Fit | None:
    """Fit every column of ``values`` at ``omega`` over the times of ``table``; ``None`` if
    too few samples or singular."""
    if len(table) < MIN_FIT_SAMPLES:
        return None
    phase = omega * (table[:, 0] - table[-1, 0])
    rows = np.column_stack((np.ones(len(table)), np.cos(phase), np.sin(phase)))
    coef = _least_squares(rows.T @ rows, rows.T @ values)
    if coef is None:
        return None
    residual = values - rows @ coef
    return coef, np.sqrt(np.mean(residual * residual, axis=0))


def _least_squares(normal: Array, rhs: Array) -> Array | None:
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

"""An independent check of the planners' swing: the pendulum integrated with a fine RK4, not the
exact discretisation the planners and the plant share."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from crane_ctrl.motion.profiles import Pulse


def swing_m(pulses: Sequence[Pulse], rope: Callable[[float], float], gravity_mps2: float) -> float:
    """Swing amplitude the acceleration ``pulses`` leave half a second after the last ends:
    th'' + 2 (L'/L) th' + (g/L) th = -a/L on the rope ``rope(t)``, m."""
    g = gravity_mps2

    def a(t: float) -> float:
        return sum(p.accel_mps2 for p in pulses if p.start_s <= t < p.end_s)

    def f(t: float, th: float, w: float) -> tuple[float, float]:
        h = 1e-4
        length, rate = rope(t), (rope(t + h) - rope(t - h)) / (2 * h)
        return w, -2 * rate / length * w - g / length * th - a(t) / length

    th = w = t = 0.0
    dt = 0.002
    end = max(p.end_s for p in pulses) + 0.5
    while t < end:
        th, w = _rk4_step(f, t, th, w, dt)
        t += dt
    length = rope(t)
    return length * math.hypot(th, w / math.sqrt(g / length))


def offsets_m(
    accel: Callable[[float], float],
    rope: Callable[[float], float],
    gravity_mps2: float,
    damping_ratio: float,
    until_s: float,
    every_s: float,
) -> list[tuple[float, float]]:
    """The load's offset from plumb (along the acceleration's direction) every ``every_s`` from
    0 to ``until_s``, the load hanging still at 0 and the suspension point accelerating by
    ``accel(t)`` on the rope ``rope(t)``: th'' + 2 (zeta w + L'/L) th' + w^2 th = -a/L, w^2 =
    g/L, integrated with RK4 in 5 ms steps; (time, L th) pairs, m."""
    g, zeta = gravity_mps2, damping_ratio

    def f(t: float, th: float, w: float) -> tuple[float, float]:
        h = 1e-4
        length, rate = rope(t), (rope(t + h) - rope(max(0.0, t - h))) / (h + min(t, h))
        omega2 = g / length
        damping = 2 * (zeta * math.sqrt(omega2) + rate / length)
        return w, -damping * w - omega2 * th - accel(t) / length

    out = [(0.0, 0.0)]
    th = w = 0.0
    dt = 0.005
    per = max(1, round(every_s / dt))
    steps = math.ceil(until_s / dt)
    for k in range(steps):
        t = k * dt
        th, w = _rk4_step(f, t, th, w, dt)
        if (k + 1) % per == 0 or k + 1 == steps:
            t1 = (k + 1) * dt
            out.append((t1, rope(t1) * th))
    return out


def _rk4_step(
    f: Callable[[float, float, float], tuple[float, float]],
    t: float,
    th: float,
    w: float,
    dt: float,
) -> tuple[float, float]:
    """One classical Runge-Kutta step of ``(th, w)' = f(t, th, w)``."""
    k1 = f(t, th, w)
    k2 = f(t + dt / 2, th + dt / 2 * k1[0], w + dt / 2 * k1[1])
    k3 = f(t + dt / 2, th + dt / 2 * k2[0], w + dt / 2 * k2[1])
    k4 = f(t + dt, th + dt * k3[0], w + dt * k3[1])
    return (th + dt / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]),
            w + dt / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]))  # fmt: skip

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
        k1 = f(t, th, w)
        k2 = f(t + dt / 2, th + dt / 2 * k1[0], w + dt / 2 * k1[1])
        k3 = f(t + dt / 2, th + dt / 2 * k2[0], w + dt / 2 * k2[1])
        k4 = f(t + dt, th + dt * k3[0], w + dt * k3[1])
        th += dt / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        w += dt / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
        t += dt
    length = rope(t)
    return length * math.hypot(th, w / math.sqrt(g / length))

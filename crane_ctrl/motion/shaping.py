"""The load pendulum and input shapers: impulses that, convolved with a travel command, leave
the load without sway.

:func:`pendulum_length_m` and :func:`pendulum_period_s` give the pendulum the plant swings:
from the trolley's sheaves to the centre of mass of spreader and container. A change of speed
starts a swing; the same change made in two halves, the second half a half-period after the
first, starts two swings that cancel. That is the ZV (zero vibration) shaper; ZVD spreads the
change over three impulses and a whole period and is far less sensitive to a wrong rope length.
Both come from Singer and Seering, see ``research/domain.md`` section 4.

When the hoist moves while the travel speeds up or slows down, the rope length and so the period
change under the shaper. :func:`varying_zv` then computes the two impulses on the rope length
over time, with the same pendulum equation the plant integrates::

    th'' + 2 (zeta omega + L'/L) th' + (g / L) th = -a / L

so that the swing the first part of the speed change starts is cancelled by the second, whatever
the length does meanwhile. Pure: no I/O, no clock.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Literal, NamedTuple

from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.profiles import Pulse
from crane_ctrl.site import CONTAINER_HEIGHT_M

__all__ = [
    "SWAY_STEP_S",
    "Impulse",
    "PeriodSplit",
    "Shaper",
    "SwayModel",
    "mean_delay_s",
    "pendulum_length_m",
    "pendulum_period_s",
    "shape",
    "shaper_impulses",
    "varying_period_zv",
    "varying_umzv",
    "varying_zv",
]

SWAY_STEP_S = 0.05
"""Time step of the pendulum model :func:`varying_zv` integrates, s. The integration is exact for
a length held over each step; at 50 ms the impulses agree with a 10 ms model to 1e-5."""
_SEARCH_POINTS = 100
"""Candidate delays tried between :data:`_SEARCH_FROM` and :data:`_SEARCH_TO` periods (then
refined)."""
_SEARCH_FROM = 0.25
_SEARCH_TO = 1.25
"""The second impulse's delay is searched over this range of the first period (a constant rope
needs half a period; a rope that lengthens during the change, more)."""
_REFINE_STEPS = 50
_UM_STEPS = 20
"""Most Newton steps solving the unity-magnitude delays (a search bound; 3-5 suffice)."""
_UM_LEFT = 1e-4
"""The unity-magnitude shaper is taken when it leaves under this share of the swing the
unshaped change would: the swing sensor could not tell the rest."""
_UM_PROBE_S = 1e-3
"""Step of the finite differences in the Newton solve, s."""
"""Bisection steps refining the second impulse's delay."""
_NO_SWAY = 0.01
"""A speed change that leaves less than this share of the largest swing a constant acceleration
can leave (``2 a / g``, a step change's worst) needs no shaping: it lasts whole periods."""

Shaper = Literal["zv", "zvd", "none"]
"""Input shaper: zero vibration (2 impulses over half a period), zero vibration and derivative
(3 impulses over one period; robust to a rope length off by 10-20 %), or none."""


class Impulse(NamedTuple):
    """One impulse of an input shaper: the share ``amplitude`` of the command, delayed."""

    delay_s: float
    amplitude: float


class PeriodSplit(NamedTuple):
    """A long speed change made in two parts (:func:`varying_period_zv`): ``whole_s`` at the
    change's own rate, lasting whole periods, so it leaves (almost) no swing of its own; the
    rest shaped by ``impulses`` (from the rest's start), which also cancel what the whole
    periods leave."""

    whole_s: float
    impulses: tuple[Impulse, ...]
    whole_last: bool = False
    """The whole periods come after the rest's last copy (braking), not before the rest."""


class SwayModel:
    """The swing unit acceleration over any stretch of plan time leaves on one rope (length over
    plan time), seen at a common later time ``horizon_s``: built once per plan and shared by
    all its shapers. One horizon serves them all: the swing at a later time is a linear map of
    the swing at an earlier one, and a linear map keeps every cancellation and every ratio of
    parallel swings the shapers solve for."""

    def __init__(
        self,
        rope_length_m: Callable[[float], float],
        horizon_s: float,
        *,
        gravity_mps2: float,
        damping_ratio: float = 0.0,
    ) -> None:
        self.horizon_s = horizon_s
        self.gravity_mps2 = gravity_mps2
        self.damping_ratio = damping_ratio
        self._response = _SwayResponse(0.0, horizon_s, rope_length_m, gravity_mps2,
                                       damping_ratio)  # fmt: skip
        self._omega = math.sqrt(gravity_mps2 / rope_length_m(horizon_s))

    def swing(self, t0: float, t1: float) -> tuple[float, float]:
        """Swing (angle, rate over the pendulum's frequency) unit acceleration from ``t0`` to
        ``t1`` (plan time) leaves."""
        angle, rate = self._response.of_pulse(t0, t1)
        return angle, rate / self._omega


def pendulum_length_m(
    hoist_position_m: float,
    params: CraneParams,
    *,
    loaded: bool,
    container_height_m: float = CONTAINER_HEIGHT_M,
    container_mass_t: float | None = None,
) -> float:
    """Rope length from the sheaves to the centre of mass of what hangs, m.

    ``suspension_height_m - hoist_position_m`` down to the twistlock plane (never shorter than
    the crane's ``min_rope_length_m``); empty, the spreader's
    centre of mass sits ``spreader_cog_above_twistlocks_m`` above it. Loaded, the common centre of
    mass of spreader and container (the container's half its height below the twistlocks) and
    the ropes' stretch under the container (``container_mass_t``: the load cell once it hangs;
    default ``max_container_mass_t``) lengthen it. As the plant: ``simulators.plant``.
    """
    p = params
    rope = p.shortest_rope_m(p.suspension_height_m - hoist_position_m)
    if not loaded:
        length = rope - p.spreader_cog_above_twistlocks_m
    else:
        m_c = p.max_container_mass_t if container_mass_t is None else container_mass_t
        m_s = p.spreader_mass_t
        below = (m_c * container_height_m / 2 - m_s * p.spreader_cog_above_twistlocks_m) / (
            m_s + m_c
        )
        length = rope + m_c / p.rope_stiffness_tpm + below
    if not length > 0.0:
        raise ValueError(f"hoist position {hoist_position_m} m leaves no rope ({length:.3f} m)")
    return length


def pendulum_period_s(
    hoist_position_m: float,
    params: CraneParams,
    *,
    loaded: bool,
    container_height_m: float = CONTAINER_HEIGHT_M,
    container_mass_t: float | None = None,
) -> float:
    """Small-swing period ``2 pi sqrt(L / g)`` of the load at ``hoist_position_m``, s; L from
    :func:`pendulum_length_m` (``container_*`` matter only when ``loaded``)."""
    length = pendulum_length_m(
        hoist_position_m,
        params,
        loaded=loaded,
        container_height_m=container_height_m,
        container_mass_t=container_mass_t,
    )
    return 2.0 * math.pi * math.sqrt(length / params.gravity_mps2)


def shaper_impulses(
    kind: Shaper, period_s: float, damping_ratio: float = 0.0
) -> tuple[Impulse, ...]:
    """The impulses of a ZV or ZVD shaper for a pendulum of ``period_s`` (undamped period).

    ZV: ``1/(1+K), K/(1+K)`` at ``0, Td/2``; ZVD: ``1, 2K, K^2`` over ``(1+K)^2`` at ``0, Td/2,
    Td``, with ``K = exp(-zeta pi / sqrt(1 - zeta^2))`` and the damped period ``Td``. Amplitudes
    are positive and sum to 1, so a shaped command never exceeds the unshaped one's limits.
    """
    if kind == "none":
        return (Impulse(0.0, 1.0),)
    if not period_s > 0.0:
        raise ValueError(f"`period_s` must be positive, not {period_s}")
    if not 0.0 <= damping_ratio < 1.0:
        raise ValueError(f"`damping_ratio` must be in [0, 1), not {damping_ratio}")
    root = math.sqrt(1.0 - damping_ratio**2)
    k = math.exp(-damping_ratio * math.pi / root)
    half = period_s / root / 2
    if kind == "zv":
        return (Impulse(0.0, 1 / (1 + k)), Impulse(half, k / (1 + k)))
    if kind == "zvd":
        n = (1 + k) ** 2
        return (Impulse(0.0, 1 / n), Impulse(half, 2 * k / n), Impulse(2 * half, k * k / n))
    raise ValueError(f"`shaper` must be 'zv', 'zvd' or 'none', not {kind!r}")


def mean_delay_s(impulses: Sequence[Impulse]) -> float:
    """How much a shaper delays a command on average (the impulses' centre of time), s."""
    return sum(i.delay_s * i.amplitude for i in impulses)


def shape(pulses: Iterable[Pulse], impulses: Sequence[Impulse]) -> list[Pulse]:
    """The pulses convolved with the shaper's impulses."""
    return [
        Pulse(p.start_s + i.delay_s, p.end_s + i.delay_s, p.accel_mps2 * i.amplitude)
        for p in pulses
        for i in impulses
    ]


def varying_zv(
    start_s: float,
    duration_s: float,
    rope_length_m: Callable[[float], float],
    period_s: float,
    *,
    gravity_mps2: float,
    damping_ratio: float = 0.0,
    model: SwayModel | None = None,
) -> tuple[Impulse, ...]:
    """ZV impulses for a constant-acceleration speed change from ``start_s`` lasting
    ``duration_s`` on a rope whose length over time is ``rope_length_m(t)``.

    Let r(d) be the swing (angle and rate, seen at a common later time) that the speed change
    delayed by ``d`` leaves. Shaped as ``A r(0) + (1 - A) r(d)``, it leaves none when r(d) points
    opposite to r(0) and ``A = |r(d)| / (|r(0)| + |r(d)|)``. The delay is searched from a
    quarter of ``period_s`` (the period near ``start_s``) to :data:`_SEARCH_TO` periods: a rope
    that lengthens a lot meanwhile (lowering while braking) needs more than half its first
    period. For a constant length the answer is the ZV shaper. Where no delay cancels exactly,
    the one that leaves the least swing; a change that leaves no swing gets no shaping.
    """
    swing = _delayed_swing(start_s, duration_s, rope_length_m, period_s, gravity_mps2,
                           damping_ratio, model)  # fmt: skip
    r0 = swing(0.0)
    if math.hypot(*r0) <= _NO_SWAY * 2.0 / gravity_mps2:
        return (Impulse(0.0, 1.0),)
    span = _SEARCH_TO - _SEARCH_FROM
    delays = [period_s * (_SEARCH_FROM + span * i / _SEARCH_POINTS)
              for i in range(_SEARCH_POINTS + 1)]  # fmt: skip
    swings = [swing(d) for d in delays]
    crosses = [r0[0] * r[1] - r0[1] * r[0] for r in swings]
    for k in range(_SEARCH_POINTS):
        r = swings[k + 1]
        if (crosses[k] > 0.0) != (crosses[k + 1] > 0.0) and r0[0] * r[0] + r0[1] * r[1] < 0.0:
            delay = _refine(swing, r0, delays[k], delays[k + 1], crosses[k] > 0.0)
            return _pair(r0, swing(delay), delay)
    best = min(range(len(delays)), key=lambda k: _left(r0, swings[k]))
    return _pair(r0, swings[best], delays[best])


def varying_umzv(
    start_s: float,
    duration_s: float,
    rope_length_m: Callable[[float], float],
    period_s: float,
    *,
    gravity_mps2: float,
    damping_ratio: float = 0.0,
    model: SwayModel | None = None,
) -> tuple[Impulse, ...]:
    """Unity-magnitude ZV impulses (``+1, -1, +1``) for a constant-acceleration speed change
    from ``start_s`` lasting ``duration_s`` on the rope ``rope_length_m(t)``; ``()`` where none
    is found.

    The change, less itself delayed by ``d1``, plus itself delayed by ``d2``, leaves no swing:
    on a constant undamped rope ``d1, d2`` are a sixth and a third of the period, so the shaped
    command lasts a third of a period longer, not half of one as with ZV. For a change lasting
    at least ``d2`` the shaped acceleration is only ever the change's own or zero (within the
    same limits, never backwards). Less robust to a wrong rope length than ZV; the rope here is
    the model the plant swings on. Solved by Newton's method from the constant-rope answer on
    the same swing response as :func:`varying_zv`."""
    swing = _delayed_swing(start_s, duration_s, rope_length_m, period_s, gravity_mps2,
                           damping_ratio, model)  # fmt: skip
    first = swing(0.0)
    scale = math.hypot(*first)
    if scale <= _NO_SWAY * 2.0 / gravity_mps2:
        return (Impulse(0.0, 1.0),)

    def left(d1: float, d2: float) -> tuple[float, float]:
        a, b = swing(d1), swing(d2)
        return first[0] - a[0] + b[0], first[1] - a[1] + b[1]

    d1, d2 = period_s / 6.0, period_s / 3.0
    for _ in range(_UM_STEPS):
        r = left(d1, d2)
        if math.hypot(*r) <= _UM_LEFT * scale:
            break
        h = _UM_PROBE_S
        r1, r2 = left(d1 + h, d2), left(d1, d2 + h)
        j11, j21 = (r1[0] - r[0]) / h, (r1[1] - r[1]) / h
        j12, j22 = (r2[0] - r[0]) / h, (r2[1] - r[1]) / h
        det = j11 * j22 - j12 * j21
        if abs(det) < 1e-15:
            return ()
        d1 -= (j22 * r[0] - j12 * r[1]) / det
        d2 -= (-j21 * r[0] + j11 * r[1]) / det
    if math.hypot(*left(d1, d2)) > _UM_LEFT * scale or not 0.0 < d1 < d2 < period_s:
        return ()
    return (Impulse(0.0, 1.0), Impulse(d1, -1.0), Impulse(d2, 1.0))


def varying_period_zv(
    start_s: float,
    duration_s: float,
    rope_length_m: Callable[[float], float],
    *,
    gravity_mps2: float,
    damping_ratio: float = 0.0,
    whole_last: bool = False,
    model: SwayModel | None = None,
) -> PeriodSplit | None:
    """A constant-acceleration speed change from ``start_s`` lasting ``duration_s`` (at least
    a period) made sway-free at little cost: part of it lasts whole periods of the rope
    ``rope_length_m(t)``, which on a constant rope leaves no swing at all, and only the rest of
    the change is shaped, by two impulses that also cancel what the whole periods leave where
    the rope changes. The whole periods come first (a speed-up), or with ``whole_last`` after
    the rest's shaped copies (braking: the move then ends with them, not with a delayed copy).
    ``None`` where the change is shorter than a period or no shaping is found.

    Shaping delays a speed change's distance by its mean delay times the change: ZV on all of a
    change costs a quarter period of the whole change; here only the rest (on the gantry, about
    a fifth of its speed change) pays it. This is the structure of the time-optimal sway-free
    move under an acceleration limit: a linear programme over the discretised acceleration of a
    100 m gantry move (speed changes of 10 s, an 8 s period) gives the limit for one period,
    then the rest at a lower rate, mirrored when braking, 0.4 s over the unshaped move; this
    split takes 0.5 s.
    """
    period = 2.0 * math.pi * math.sqrt(rope_length_m(start_s) / gravity_mps2)
    periods = math.floor(duration_s / period)
    if periods < 1:
        return None
    horizon = duration_s + (_SEARCH_TO + 0.5) * period
    swing = _swing_from(start_s, horizon, rope_length_m, gravity_mps2, damping_ratio, model)

    def whole_swing(whole: float, delay: float) -> tuple[float, float]:
        """What the whole periods leave, placed as they run with the rest's copy at ``delay``."""
        begin = delay + duration_s - whole if whole_last else 0.0
        return swing(begin, begin + whole)

    scale = math.hypot(*swing(0.0, duration_s))
    whole = _quietest_length(lambda w: whole_swing(w, period / 2), (periods - 0.5) * period,
                             min(duration_s, (periods + 0.5) * period))  # fmt: skip
    if duration_s - whole <= SWAY_STEP_S:
        quiet = math.hypot(*whole_swing(whole, 0.0)) <= _UM_LEFT * max(scale, 2.0 / gravity_mps2)
        return PeriodSplit(duration_s, (Impulse(0.0, 1.0),), whole_last) if quiet else None
    rest_from = 0.0 if whole_last else whole
    rest_to = rest_from + duration_s - whole

    def cross_and_share(delay: float) -> tuple[float, float]:
        """For the rest's copies at 0 and ``delay`` to cancel what the whole periods leave
        too, ``A r0 + (1 - A) r(delay) = -left``: the cross product that must vanish and the
        share A it gives."""
        r0, rd = swing(rest_from, rest_to), swing(rest_from + delay, rest_to + delay)
        left = whole_swing(whole, delay)
        u = (r0[0] - rd[0], r0[1] - rd[1])
        w = (-left[0] - rd[0], -left[1] - rd[1])
        norm = u[0] * u[0] + u[1] * u[1]
        share = (u[0] * w[0] + u[1] * w[1]) / norm if norm > 0.0 else math.nan
        return u[0] * w[1] - u[1] * w[0], share

    span = _SEARCH_TO - _SEARCH_FROM
    delays = [period * (_SEARCH_FROM + span * i / _SEARCH_POINTS)
              for i in range(_SEARCH_POINTS + 1)]  # fmt: skip
    found = [cross_and_share(d) for d in delays]
    for k in range(_SEARCH_POINTS):
        (c0, _), (c1, a1) = found[k], found[k + 1]
        if (c0 > 0.0) == (c1 > 0.0) or not 0.0 <= a1 <= 1.0:
            continue
        lo, hi = delays[k], delays[k + 1]
        for _ in range(_REFINE_STEPS):
            mid = 0.5 * (lo + hi)
            if (cross_and_share(mid)[0] > 0.0) == (c0 > 0.0):
                lo = mid
            else:
                hi = mid
        delay = 0.5 * (lo + hi)
        share = cross_and_share(delay)[1]
        if 0.0 <= share <= 1.0:
            impulses = (Impulse(0.0, share), Impulse(delay, 1.0 - share))
            return PeriodSplit(whole, impulses, whole_last)
    return None


def _quietest_length(
    swing_of: Callable[[float], tuple[float, float]], lo: float, hi: float
) -> float:
    """The length between ``lo`` and ``hi`` of the whole-period part of a speed change that
    leaves the least swing (whole periods on a constant rope)."""
    grid = [lo + (hi - lo) * i / _SEARCH_POINTS for i in range(_SEARCH_POINTS + 1)]
    best = min(grid, key=lambda t: math.hypot(*swing_of(t)))
    step = (hi - lo) / _SEARCH_POINTS
    a, b = max(lo, best - step), min(hi, best + step)
    for _ in range(_REFINE_STEPS):  # golden-section on the bracket around the best
        m1, m2 = a + 0.382 * (b - a), a + 0.618 * (b - a)
        if math.hypot(*swing_of(m1)) <= math.hypot(*swing_of(m2)):
            b = m2
        else:
            a = m1
    return 0.5 * (a + b)


def _delayed_swing(
    start_s: float,
    duration_s: float,
    rope_length_m: Callable[[float], float],
    period_s: float,
    gravity_mps2: float,
    damping_ratio: float,
    model: SwayModel | None = None,
) -> Callable[[float], tuple[float, float]]:
    """The swing (angle, rate over the pendulum's frequency: both in radians, comparable) a
    unit speed change from ``start_s`` lasting ``duration_s``, delayed by a given time of up to
    :data:`_SEARCH_TO` periods, leaves on the rope ``rope_length_m(t)``."""
    horizon = duration_s + _SEARCH_TO * period_s
    swing = _swing_from(start_s, horizon, rope_length_m, gravity_mps2, damping_ratio, model)

    def delayed(delay: float) -> tuple[float, float]:
        return swing(delay, delay + duration_s)

    return delayed


def _swing_from(
    start_s: float,
    horizon_s: float,
    rope_length_m: Callable[[float], float],
    gravity_mps2: float,
    damping_ratio: float,
    model: SwayModel | None,
) -> Callable[[float, float], tuple[float, float]]:
    """The swing unit acceleration between two times after ``start_s`` leaves: on ``model``
    where it reaches far enough (``horizon_s`` after ``start_s``), else on a model of its own."""
    if model is not None and model.horizon_s >= start_s + horizon_s:
        shared = model

        def swing(t0: float, t1: float) -> tuple[float, float]:
            return shared.swing(start_s + t0, start_s + t1)

        return swing

    def rope(t: float) -> float:
        return rope_length_m(start_s + t)

    own = SwayModel(rope, horizon_s, gravity_mps2=gravity_mps2, damping_ratio=damping_ratio)
    return own.swing


def _refine(
    swing: Callable[[float], tuple[float, float]],
    r0: tuple[float, float],
    lo: float,
    hi: float,
    sign: bool,
) -> float:
    """Bisect the delay at which the swing turns through the direction opposite to ``r0``."""
    for _ in range(_REFINE_STEPS):
        mid = 0.5 * (lo + hi)
        q = swing(mid)
        if (r0[0] * q[1] - r0[1] * q[0] > 0.0) == sign:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _pair(r0: tuple[float, float], r: tuple[float, float], delay: float) -> tuple[Impulse, ...]:
    n0, n1 = math.hypot(*r0), math.hypot(*r)
    first = n1 / (n0 + n1)
    return (Impulse(0.0, first), Impulse(delay, 1.0 - first))


def _left(r0: tuple[float, float], r: tuple[float, float]) -> float:
    """The swing the pair (r0, r) weighted as in :func:`_pair` leaves."""
    n0, n1 = math.hypot(*r0), math.hypot(*r)
    a = n1 / (n0 + n1)
    return math.hypot(a * r0[0] + (1 - a) * r[0], a * r0[1] + (1 - a) * r[1])


class _SwayResponse:
    """The swing, at ``start + horizon``, that unit acceleration over any step leaves.

    Integrated backwards once: with M_k the transition from the end of step k to the horizon,
    constant acceleration a over step k adds ``a M_{k+1} (I - Phi_k) (-1/g, 0)`` to the state
    there (the exact discretisation of the plant's pendulum). Prefix sums make the swing of any
    pulse two look-ups.
    """

    def __init__(
        self,
        start_s: float,
        horizon_s: float,
        rope_length_m: Callable[[float], float],
        gravity_mps2: float,
        damping_ratio: float,
    ) -> None:
        self.step = SWAY_STEP_S
        n = max(1, math.ceil(horizon_s / self.step))
        phis = []
        lengths = [rope_length_m(start_s + k * self.step) for k in range(n + 1)]
        for l0, l1 in itertools.pairwise(lengths):
            length, rate = 0.5 * (l0 + l1), (l1 - l0) / self.step
            omega2 = gravity_mps2 / length
            sigma = damping_ratio * math.sqrt(omega2) + rate / length
            phis.append(oscillator_transition(omega2, sigma, self.step))
        m11, m12, m21, m22 = 1.0, 0.0, 0.0, 1.0
        steps: list[tuple[float, float]] = [(0.0, 0.0)] * n
        g = gravity_mps2
        for k in range(n - 1, -1, -1):
            p11, p12, p21, p22 = phis[k]
            u, w = -(1.0 - p11) / g, p21 / g
            steps[k] = (m11 * u + m12 * w, m21 * u + m22 * w)
            m11, m12, m21, m22 = (
                m11 * p11 + m12 * p21,
                m11 * p12 + m12 * p22,
                m21 * p11 + m22 * p21,
                m21 * p12 + m22 * p22,
            )
        self.cumulative = [(0.0, 0.0)]
        for a, b in steps:
            last = self.cumulative[-1]
            self.cumulative.append((last[0] + a, last[1] + b))

    def _at(self, t: float) -> tuple[float, float]:
        x = t / self.step
        i = int(x)
        if x <= 0.0:
            return self.cumulative[0]
        if i >= len(self.cumulative) - 1:
            return self.cumulative[-1]
        f = x - i
        lo, hi = self.cumulative[i], self.cumulative[i + 1]
        return lo[0] + f * (hi[0] - lo[0]), lo[1] + f * (hi[1] - lo[1])

    def of_pulse(self, t0: float, t1: float) -> tuple[float, float]:
        """Swing (angle, rate) left by unit acceleration from ``t0`` to ``t1`` after start."""
        a, b = self._at(t1), self._at(t0)
        return a[0] - b[0], a[1] - b[1]


def oscillator_transition(
    omega2: float, sigma: float, dt: float
) -> tuple[float, float, float, float]:
    """State transition over ``dt`` of e'' + 2 sigma e' + omega2 e = 0, state (e, e').

    Exact for constant coefficients; handles under-, critically and over-damped cases (the
    pendulum is underdamped except when a short rope is hoisted fast, where 2 L'/L dominates).
    The simulator's pendulum steps with the same function, so plans and plant agree exactly.
    """
    decay = math.exp(-sigma * dt)
    disc = omega2 - sigma * sigma
    if disc > 0.0:
        wd = math.sqrt(disc)
        c, s = math.cos(wd * dt), math.sin(wd * dt) / wd
    elif disc < 0.0:
        wh = math.sqrt(-disc)
        c, s = math.cosh(wh * dt), math.sinh(wh * dt) / wh
    else:
        c, s = 1.0, dt
    return decay * (c + sigma * s), decay * s, -decay * omega2 * s, decay * (c - sigma * s)

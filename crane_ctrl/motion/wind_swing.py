"""How far wind can swing a hanging load: the envelope a wind stop must keep clear. Pure.

A hanging load is a pendulum of rope length ``L`` (suspension point to the load's centre of
mass). Wind of speed ``v`` pushes its exposed face with the drag ``F = 1/2 rho Cd A v^2``; the
load leans by ``L F / (m g)`` in a steady wind, and a gust arriving at once swings it to twice
that before the (lightly damped) pendulum turns back. The supervisor reads the wind's speed
(``env.wind``, a 3-s gust) but not its direction, so the envelope takes the larger face (the
box's side) towards every neighbour, and a gust margin on top of the reading:

    step gust = 2 * L * 1/2 rho Cd A (v + gust margin)^2 / (m g)

Gusts do not only arrive once. Wind whose gusts come and go near the pendulum's own period
``2 pi sqrt(L / g)`` pumps it up, a little more every swing, until damping takes as much as the
gusts give: a swing of ``L dF / (2 zeta m g)`` for a push ``dF`` that comes and goes (the gust
margin's share of the drag) and the pendulum's damping ratio ``zeta``. A crane without active
anti-sway damps its load very lightly (``CraneParams.sway_damping_ratio``, 0.005 by default):
that is tens of times the step gust's swing (bench case 960: 8-s gusts of 6 m/s over 23.7 m/s
swung a box on a 16-m rope 7 m after 45 s). Nothing from a 3-s gust reading bounds which periods
the next minutes bring, so the envelope takes the larger of the two, and no more than the rope
itself: a pendulum's load never leaves the circle of its rope's length.

    envelope = min(L, max(step gust, resonant gust) + the swing already there)

The drag coefficient, the air density and the spreader's own wind area are the crane's data
(:class:`~crane_ctrl.crane.CraneParams`). A higher hoist (shorter rope) swings less: raising the
load is what lets a wind stop hold it clear of its neighbours. With light damping the envelope is
the rope's length, so a wind stop raises the load until nothing within its rope's reach is as
high as its underside.
"""

from __future__ import annotations

import math

from crane_ctrl.crane import CraneParams
from crane_ctrl.site import CONTAINER_WIDTH_M, container_length_m

__all__ = [
    "GUST_MARGIN_MPS",
    "OVERSWING",
    "resonant_swing_m",
    "rope_length_m",
    "steady_lean_m",
    "swing_envelope_m",
    "wind_accel_mps2",
]

G_MPS2 = 9.81
GUST_MARGIN_MPS = 4.0
"""Added to the measured 3-s gust: the next gust may be stronger than the last, m/s."""
OVERSWING = 2.0
"""A gust arriving at once swings a pendulum to twice its steady lean."""


def wind_accel_mps2(
    params: CraneParams,
    wind_mps: float,
    *,
    size_ft: int | None,
    height_m: float,
    mass_t: float | None,
) -> float:
    """The wind's push per unit mass on the hanging assembly, m/s^2 (the larger face).

    ``size_ft``: the box on the spreader (``None``: the empty spreader); ``mass_t``: its mass
    (``None``: unknown, the lightest a box may be, an empty one, counts: it swings most)."""
    return _push_mps2(params, max(0.0, wind_mps) + GUST_MARGIN_MPS, size_ft, height_m, mass_t)


def _push_mps2(
    params: CraneParams, v: float, size_ft: int | None, height_m: float, mass_t: float | None
) -> float:
    """The drag of wind ``v`` per unit mass of the hanging assembly (the larger face), m/s^2."""
    face = params.spreader_wind_area_m2
    mass = params.spreader_mass_t
    if size_ft is not None:
        face += max(container_length_m(size_ft), CONTAINER_WIDTH_M) * height_m
        mass += mass_t if mass_t is not None else _EMPTY_BOX_T
    drag = 0.5 * params.air_density_kgpm3 * params.wind_drag_coefficient * face * v * v
    return drag / (mass * 1000.0)


_EMPTY_BOX_T = 2.2
"""The lightest container (an empty 20 ft), t."""


def rope_length_m(params: CraneParams, z_m: float, *, box_height_m: float | None) -> float:
    """From the suspension point to the hanging assembly's centre of mass, m, with the
    twistlock plane at ``z_m`` (a box of ``box_height_m`` below it, or none); the ropes never
    shorter than the crane's ``min_rope_length_m``."""
    below = box_height_m / 2 if box_height_m is not None else 0.0
    above = 0.0 if box_height_m is not None else params.spreader_cog_above_twistlocks_m
    rope = params.shortest_rope_m(params.suspension_height_m - z_m)
    return max(0.5, rope + below - above)


def steady_lean_m(
    params: CraneParams,
    z_m: float,
    wind_mps: float,
    *,
    size_ft: int | None,
    height_m: float,
    mass_t: float | None,
) -> float:
    """How far a steady wind of ``wind_mps`` leans the hanging load from plumb, m, with the
    twistlock plane at ``z_m``: ``L F / (m g)`` on the larger face."""
    box_height = height_m if size_ft is not None else None
    length = rope_length_m(params, z_m, box_height_m=box_height)
    push = _push_mps2(params, max(0.0, wind_mps), size_ft, height_m, mass_t)
    return length * push / G_MPS2


def resonant_swing_m(
    params: CraneParams,
    length_m: float,
    wind_mps: float,
    *,
    size_ft: int | None,
    height_m: float,
    mass_t: float | None,
) -> float:
    """The swing gusts coming and going at the pendulum's own period pump a load on a rope of
    ``length_m`` up to, m: ``L dF / (2 zeta m g)``, ``dF`` the gust margin's share of the
    drag. Infinite for an undamped pendulum."""
    v = max(0.0, wind_mps)
    gusting = _push_mps2(params, v + GUST_MARGIN_MPS, size_ft, height_m, mass_t) - _push_mps2(
        params, v, size_ft, height_m, mass_t
    )
    zeta = params.sway_damping_ratio
    if zeta <= 0.0:
        return math.inf
    return length_m * gusting / (2.0 * zeta * G_MPS2)


def swing_envelope_m(
    params: CraneParams,
    z_m: float,
    wind_mps: float,
    *,
    size_ft: int | None,
    height_m: float,
    mass_t: float | None,
    swing_now_m: float = 0.0,
) -> float:
    """How far the load may swing from under the suspension point in this wind, m, with the
    twistlock plane at ``z_m``: the larger of twice the steady lean in the wind plus a gust and
    the swing gusts at its own period pump it to, plus the swing already there; never more than
    the rope's length."""
    box_height = height_m if size_ft is not None else None
    length = rope_length_m(params, z_m, box_height_m=box_height)
    accel = wind_accel_mps2(params, wind_mps, size_ft=size_ft, height_m=height_m, mass_t=mass_t)
    step = OVERSWING * length * accel / G_MPS2
    resonant = resonant_swing_m(
        params, length, wind_mps, size_ft=size_ft, height_m=height_m, mass_t=mass_t
    )
    return min(length, max(step, resonant) + max(0.0, swing_now_m))

"""How far wind can swing a hanging load: the envelope a wind stop must keep clear. Pure.

A hanging load is a pendulum of rope length ``L`` (suspension point to the load's centre of
mass). Wind of speed ``v`` pushes its exposed face with the drag ``F = 1/2 rho Cd A v^2``; the
load leans by ``L F / (m g)`` in a steady wind, and a gust arriving at once swings it to twice
that before the (lightly damped) pendulum turns back. The supervisor reads the wind's speed
(``env.wind``, a 3-s gust) but not its direction, so the envelope takes the larger face (the
box's side) towards every neighbour, and a gust margin on top of the reading:

    envelope = 2 * L * 1/2 rho Cd A (v + gust margin)^2 / (m g) + the swing already there

The drag coefficient, the air density and the spreader's own wind area are the crane's data
(:class:`~crane_ctrl.crane.CraneParams`). A higher hoist (shorter rope) swings less: raising the
load is what lets a wind stop hold it clear of its neighbours.
"""

from __future__ import annotations

from crane_ctrl.crane import CraneParams
from crane_ctrl.site import CONTAINER_WIDTH_M, container_length_m

__all__ = ["GUST_MARGIN_MPS", "OVERSWING", "rope_length_m", "swing_envelope_m", "wind_accel_mps2"]

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
    face = params.spreader_wind_area_m2
    mass = params.spreader_mass_t
    if size_ft is not None:
        face += max(container_length_m(size_ft), CONTAINER_WIDTH_M) * height_m
        mass += mass_t if mass_t is not None else _EMPTY_BOX_T
    v = max(0.0, wind_mps) + GUST_MARGIN_MPS
    drag = 0.5 * params.air_density_kgpm3 * params.wind_drag_coefficient * face * v * v
    return drag / (mass * 1000.0)


_EMPTY_BOX_T = 2.2
"""The lightest container (an empty 20 ft), t."""


def rope_length_m(params: CraneParams, z_m: float, *, box_height_m: float | None) -> float:
    """From the suspension point to the hanging assembly's centre of mass, m, with the
    twistlock plane at ``z_m`` (a box of ``box_height_m`` below it, or none)."""
    below = box_height_m / 2 if box_height_m is not None else 0.0
    above = 0.0 if box_height_m is not None else params.spreader_cog_above_twistlocks_m
    return max(0.5, params.suspension_height_m - z_m + below - above)


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
    twistlock plane at ``z_m``: twice the steady lean in the wind plus a gust, plus the swing
    already there."""
    box_height = height_m if size_ft is not None else None
    length = rope_length_m(params, z_m, box_height_m=box_height)
    accel = wind_accel_mps2(params, wind_mps, size_ft=size_ft, height_m=height_m, mass_t=mass_t)
    return OVERSWING * length * accel / G_MPS2 + max(0.0, swing_now_m)

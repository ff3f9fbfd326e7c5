"""The swing envelope a wind stop keeps clear (crane_ctrl.motion.wind_swing): physics, not tuning.

Checked against the pendulum's own law, not against the simulator: a steady lean of
``L F / (m g)``, twice that for a gust arriving at once, ``F`` growing with the square of the wind,
a shorter rope (higher hoist) and a heavier load swinging less.
"""

from __future__ import annotations

import pytest

from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.wind_swing import (
    GUST_MARGIN_MPS,
    OVERSWING,
    rope_length_m,
    swing_envelope_m,
    wind_accel_mps2,
)

P = CraneParams()


def envelope(z: float, wind: float, mass: float | None = 24.5, swing: float = 0.0) -> float:
    return swing_envelope_m(P, z, wind, size_ft=40, height_m=2.591, mass_t=mass, swing_now_m=swing)


def test_the_envelope_is_twice_the_steady_lean_of_a_pendulum_in_that_wind() -> None:
    accel = wind_accel_mps2(P, 22.0, size_ft=40, height_m=2.591, mass_t=24.5)
    face = P.spreader_wind_area_m2 + 12.192 * 2.591
    drag = (
        0.5 * P.air_density_kgpm3 * P.wind_drag_coefficient * face * (22.0 + GUST_MARGIN_MPS) ** 2
    )
    assert accel == pytest.approx(drag / ((24.5 + P.spreader_mass_t) * 1000.0))
    length = rope_length_m(P, 5.0, box_height_m=2.591)
    assert length == pytest.approx(P.suspension_height_m - 5.0 + 2.591 / 2)
    assert envelope(5.0, 22.0) == pytest.approx(OVERSWING * length * accel / 9.81)


def test_a_higher_load_a_heavier_load_and_less_wind_swing_less() -> None:
    assert envelope(12.0, 22.0) < envelope(5.0, 22.0)
    assert envelope(5.0, 22.0, mass=30.0) < envelope(5.0, 22.0, mass=10.0)
    assert envelope(5.0, 18.0) < envelope(5.0, 22.0)


def test_an_unknown_mass_counts_as_the_lightest_box_and_a_swing_already_there_adds() -> None:
    assert envelope(5.0, 22.0, mass=None) > envelope(5.0, 22.0, mass=2.3)
    assert envelope(5.0, 22.0, swing=0.3) == pytest.approx(envelope(5.0, 22.0) + 0.3)


def test_the_empty_spreader_has_its_own_face_and_centre_of_mass() -> None:
    empty = swing_envelope_m(P, 10.0, 22.0, size_ft=None, height_m=2.591, mass_t=None)
    length = P.suspension_height_m - 10.0 - P.spreader_cog_above_twistlocks_m
    accel = wind_accel_mps2(P, 22.0, size_ft=None, height_m=2.591, mass_t=None)
    assert empty == pytest.approx(OVERSWING * length * accel / 9.81)

"""The swing envelope a wind stop keeps clear (crane_ctrl.motion.wind_swing): physics, not tuning.

Checked against the pendulum's own law, not against the simulator: a steady lean of
``L F / (m g)``, twice that for a gust arriving at once, ``F`` growing with the square of the wind,
a shorter rope (higher hoist) and a heavier load swinging less; gusts at the pendulum's own
period pumping it to ``L dF / (2 zeta m g)``; never further than the rope's length.
"""

from __future__ import annotations

import pytest

from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.wind_swing import (
    GUST_MARGIN_MPS,
    OVERSWING,
    resonant_swing_m,
    rope_length_m,
    swing_envelope_m,
    wind_accel_mps2,
)

P = CraneParams(sway_damping_ratio=0.45)
"""A crane whose anti-sway damps its load hard: the step gust, not resonance, sets its envelope."""
LIGHT = CraneParams()
"""The default: a lightly damped load (no active anti-sway)."""


def envelope(z: float, wind: float, mass: float | None = 24.5, swing: float = 0.0) -> float:
    return swing_envelope_m(P, z, wind, size_ft=40, height_m=2.591, mass_t=mass, swing_now_m=swing)


def test_gusts_at_the_pendulums_period_pump_it_to_the_gusts_share_over_twice_the_damping() -> None:
    length = rope_length_m(LIGHT, 5.0, box_height_m=2.591)
    kw = {"size_ft": 40, "height_m": 2.591, "mass_t": 24.5}
    push = wind_accel_mps2(LIGHT, 22.0, **kw)  # at 22 + the gust margin
    calm = push * (22.0 / (22.0 + GUST_MARGIN_MPS)) ** 2  # drag grows with the square
    expected = length * (push - calm) / (2 * LIGHT.sway_damping_ratio * 9.81)
    assert resonant_swing_m(LIGHT, length, 22.0, **kw) == pytest.approx(expected)
    assert expected > 10 * OVERSWING * length * push / 9.81  # far past the step gust's swing


def test_a_lightly_damped_load_may_swing_as_far_as_its_rope_and_no_further() -> None:
    """Bench case 960: 8-s gusts swung a box on a 16-m rope 7 m; the envelope is the rope."""
    for z in (5.0, 10.0, 15.0):
        length = rope_length_m(LIGHT, z, box_height_m=2.591)
        env = swing_envelope_m(LIGHT, z, 21.0, size_ft=40, height_m=2.591, mass_t=24.5)
        assert env == pytest.approx(length)
        with_swing = swing_envelope_m(
            LIGHT, z, 21.0, size_ft=40, height_m=2.591, mass_t=24.5, swing_now_m=3.0
        )
        assert with_swing == pytest.approx(length)


def test_an_undamped_pendulum_has_no_resonant_bound_but_its_rope() -> None:
    still = CraneParams(sway_damping_ratio=0.0)
    kw = {"size_ft": 40, "height_m": 2.591, "mass_t": 24.5}
    assert resonant_swing_m(still, 10.0, 21.0, **kw) == float("inf")
    assert swing_envelope_m(still, 5.0, 21.0, **kw) == pytest.approx(
        rope_length_m(still, 5.0, box_height_m=2.591)
    )


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

"""The simulated sway sensor reads the load's offset as a real one would: the rope's angle in
steps, with noise and a bias; the default reads the true offset."""

from __future__ import annotations

import itertools
import math

import pytest

from simulators.plant import Plant
from simulators.sway_sensor import SwaySensor, SwaySensorReader

ROPE_M = 17.0
STEP_M = ROPE_M * math.radians(0.1)
"""0.1 degree on 17 m of rope: about 3 cm."""


def _swinging_plant(sensor: SwaySensor | None = None) -> Plant:
    """A plant whose empty spreader swings in the trolley direction (a short trolley kick)."""
    plant = Plant(hoist_m=5.0, sway_sensor=sensor)
    plant.inputs.drives_enabled = True
    plant.inputs.trolley_speed_ref_mps = 0.4
    for _ in range(100):
        plant.step(0.01)
    plant.inputs.trolley_speed_ref_mps = 0.0
    for _ in range(300):
        plant.step(0.01)
    return plant


def test_the_ideal_sensor_reads_the_true_offset() -> None:
    plant = _swinging_plant()
    x, y, _ = plant.load_position()
    s = plant.sensors()
    assert s["sway.trolley"] == y - plant.trolley.position_m
    assert s["sway.gantry"] == x - plant.gantry.position_m
    assert abs(float(s["sway.trolley"])) > 0.01, "the kick should leave a swing"


def test_a_stepped_sensor_reads_whole_steps_of_its_angle_times_the_rope() -> None:
    reader = SwaySensorReader(SwaySensor(resolution_deg=0.1))
    x, y = reader.read((0.016, -0.044), ROPE_M)
    assert x == pytest.approx(STEP_M)
    assert y == pytest.approx(-1 * STEP_M)
    assert reader.read((0.014, 0.0), ROPE_M) == (0.0, 0.0)


def test_a_bias_shifts_the_angle_before_it_is_stepped() -> None:
    reader = SwaySensorReader(SwaySensor(resolution_deg=0.1, bias_deg=0.2))
    assert reader.read((0.0, 0.0), ROPE_M) == pytest.approx((2 * STEP_M, 2 * STEP_M))


def test_noise_is_drawn_once_a_plant_step_and_repeats_with_its_seed() -> None:
    sensor = SwaySensor(noise_deg=0.05, seed=7)
    first, second = SwaySensorReader(sensor), SwaySensorReader(sensor)
    readings = []
    for reader in (first, second):
        trace = []
        for _ in range(5):
            reader.step()
            trace.append(reader.read((0.0, 0.0), ROPE_M))
            assert reader.read((0.0, 0.0), ROPE_M) == trace[-1], "the same until the next step"
        readings.append(trace)
    assert readings[0] == readings[1]
    assert len(set(readings[0])) == 5


def test_the_plant_reads_its_swing_through_a_stepped_sensor() -> None:
    plant = _swinging_plant(SwaySensor(resolution_deg=0.1))
    trace = set()
    for _ in range(500):
        plant.step(0.01)
        trace.add(float(plant.sensors()["sway.trolley"]))
    values = sorted(trace)
    assert len(values) > 2, "the swing moves the reading over several steps"
    step = min(b - a for a, b in itertools.pairwise(values))
    p = plant.params
    rope = p.suspension_height_m - plant.load_position()[2] - p.spreader_cog_above_twistlocks_m
    assert step == pytest.approx(rope * math.radians(0.1)), "0.1 degree times the rope"
    for value in values:
        assert value / step == pytest.approx(round(value / step), abs=1e-6)


def test_a_negative_resolution_or_noise_is_refused() -> None:
    with pytest.raises(ValueError, match="resolution_deg"):
        SwaySensor(resolution_deg=-0.1)
    with pytest.raises(ValueError, match="noise_deg"):
        SwaySensor(noise_deg=-0.1)

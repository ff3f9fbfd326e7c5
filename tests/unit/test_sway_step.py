"""The sway sensor's step is learnt from its readings: whole steps of an angle (or a length), at
one rope length, and nothing for a sensor that does not step."""

from __future__ import annotations

import math

import pytest

from crane_ctrl.sway_step import MIN_CHANGES, SensorStep
from tests.unit.sway_readings import SCAN_S, Sensor, omega, step_m

ROPE_M = 17.0


def _swing(
    learner: SensorStep, sensor: Sensor, rope_m: float, amplitude_m: float, seconds: float
) -> None:
    """A load swinging on ``rope_m``, read every scan."""
    w = omega(rope_m)
    for k in range(round(seconds / SCAN_S)):
        t = k * SCAN_S
        learner.see(w, (sensor.read(amplitude_m * math.cos(w * t), rope_m), 0.0))


@pytest.mark.parametrize("resolution_deg", [0.1, 0.2])
def test_the_step_of_an_angle_sensor_is_learnt_from_its_readings(resolution_deg: float) -> None:
    learner = SensorStep()
    _swing(learner, Sensor(resolution_deg), ROPE_M, 0.1, 20.0)
    assert learner.step_m(omega(ROPE_M)) == pytest.approx(step_m(ROPE_M, resolution_deg))


def test_readings_flipping_in_noise_teach_the_step_too() -> None:
    learner = SensorStep()
    _swing(learner, Sensor(0.1, noise_deg=0.03), ROPE_M, 0.0, 30.0)
    assert learner.step_m(omega(ROPE_M)) == pytest.approx(step_m(ROPE_M, 0.1))


def test_a_fine_sensor_has_no_step_however_large_its_changes() -> None:
    learner = SensorStep()
    _swing(learner, Sensor(), ROPE_M, 0.5, 30.0)  # float readings: cm apart every scan
    assert learner.step_m(omega(ROPE_M)) == 0.0


def test_a_noisy_fine_sensor_has_no_step() -> None:
    learner = SensorStep()
    _swing(learner, Sensor(noise_deg=0.05), ROPE_M, 0.0, 30.0)
    assert learner.step_m(omega(ROPE_M)) == 0.0


def test_the_step_is_not_known_before_enough_changes() -> None:
    learner = SensorStep()
    w, step = omega(ROPE_M), step_m(ROPE_M, 0.1)
    for k in range(MIN_CHANGES - 1):
        learner.see(w, (step * (k % 2), 0.0))
    assert learner.step_m(w) == 0.0


def test_changes_while_the_rope_pays_out_are_no_steps() -> None:
    learner = SensorStep()
    sensor = Sensor(0.1)
    for k in range(400):  # lowering at 0.5 m/s: a new rope length every scan
        rope = 8.0 + 0.5 * k * SCAN_S
        learner.see(omega(rope), (sensor.read(0.05 * math.sin(k * 0.1), rope), 0.0))
    assert all(len(seen) == 0 for seen in learner.changes)
    assert learner.step_m(omega(ROPE_M)) == 0.0


def test_a_few_smaller_changes_do_not_shrink_the_step() -> None:
    learner = SensorStep()
    w, step = omega(ROPE_M), step_m(ROPE_M, 0.1)
    for k in range(24):
        reading = step * (k % 2)
        learner.see(w, (reading, 0.0))
        if k % 8 == 0:  # the rope read a centimetre apart: the offset moves by a hair
            learner.see(w, (reading + 0.0004, 0.0))
            learner.see(w, (reading, 0.0))
    assert learner.step_m(w) == pytest.approx(step)


def test_an_angle_step_learnt_on_one_rope_is_scaled_to_another() -> None:
    learner = SensorStep()
    _swing(learner, Sensor(0.1), 8.0, 0.1, 20.0)
    assert learner.step_m(omega(ROPE_M)) == pytest.approx(step_m(ROPE_M, 0.1))


def test_a_length_step_seen_on_several_ropes_is_not_scaled() -> None:
    learner = SensorStep()
    centimetre = 0.01
    for rope in (6.0, 11.0, 16.0):
        w = omega(rope)
        for k in range(12):
            learner.see(w, (centimetre * round(3 * math.sin(k)), 0.0))
        learner.see(omega(rope + 1.0), (0.0, 0.0))  # the hoist moves on
    assert learner.step_m(omega(ROPE_M)) == pytest.approx(centimetre)


def test_the_coarser_direction_gives_the_step() -> None:
    learner = SensorStep()
    w = omega(ROPE_M)
    fine, coarse = step_m(ROPE_M, 0.1), step_m(ROPE_M, 0.2)
    for k in range(20):
        learner.see(w, (fine * (k % 3), coarse * (k % 2)))
    assert learner.step_m(w) == pytest.approx(coarse)

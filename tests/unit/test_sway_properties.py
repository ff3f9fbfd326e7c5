"""Whatever the sway sensor's step (up to 0.2 degree, on 4 to 21 m of rope), its noise and its
bias, the watch never calls calm a load that really swings by more than the tolerance it used
and half a step: the swing no reading of such a sensor can see."""

from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from crane_ctrl.sequencer.model import SequencerSettings
from crane_ctrl.sequencer.sway import SwayWatch
from tests.unit.sway_readings import SCAN_S, Sensor, free_swing, omega, step_m

SETTINGS = SequencerSettings()
LANDING_M = SETTINGS.landing_sway_tolerance_m
MOST_M = SETTINGS.sway_tolerance_m


@st.composite
def sensors_and_swings(draw: st.DrawFn) -> tuple[Sensor, float, float, float, float, bool]:
    """(sensor, rope, amplitude, centre, phase, step learnt beforehand)."""
    resolution = draw(st.floats(0.02, 0.2))
    rope = draw(st.floats(4.0, 21.0))
    step = step_m(rope, resolution)
    noise = draw(st.sampled_from([0.0, 0.0, resolution / 6, resolution / 3]))
    bias = draw(st.floats(-2 * resolution, 2 * resolution))
    sensor = Sensor(resolution, noise, bias, random.Random(draw(st.integers(0, 1000))))
    amplitude = draw(st.floats(0.0, 3 * step))
    centre = draw(st.floats(-step, step))
    phase = draw(st.floats(0.0, 2 * math.pi))
    return sensor, rope, amplitude, centre, phase, draw(st.booleans())


@settings(max_examples=120, deadline=None)
@given(sensors_and_swings())
def test_a_load_judged_calm_swings_by_no_more_than_the_tolerance_and_half_a_step(
    case: tuple[Sensor, float, float, float, float, bool],
) -> None:
    sensor, rope, amplitude, centre, phase, learnt = case
    watch = SwayWatch()
    if learnt:
        learning = Sensor(sensor.resolution_deg, bias_deg=sensor.bias_deg)
        free_swing(watch, learning, rope_m=rope, amplitude_m=0.1, seconds=15.0)
        watch.reset()
    period = 2 * math.pi / omega(rope)
    t = 30.0
    for _ in range(round(2.5 * period / SCAN_S)):
        t = free_swing(watch, sensor, rope_m=rope, amplitude_m=amplitude, centre_m=centre,
                       phase=phase, seconds=SCAN_S, start_s=t)  # fmt: skip
        if watch.calm(LANDING_M, most_m=MOST_M):
            allowed = watch.tolerance_m(LANDING_M, most_m=MOST_M)
            half_step = step_m(rope, sensor.resolution_deg) / 2
            assert amplitude <= allowed + half_step, (amplitude, allowed, half_step)

"""The pendulum observer follows a swinging load between readings that step: its rate is the
load's, not the readings' jumps, whatever the crane does under it."""

from __future__ import annotations

import math

import pytest

from crane_ctrl.sequencer.sway_observer import OBSERVER_GAP_S, SwayObserver
from tests.unit.sway_readings import SCAN_S, Pendulum, Sensor, omega, step_m

ROPE_M = 17.0


def _follow(
    observer: SwayObserver, load: Pendulum, sensor: Sensor, refs: list[float]
) -> list[tuple[float, float]]:
    """Drive ``load`` with one speed reference a scan, the observer reading it every scan;
    (estimated rate, true rate) after each."""
    out = []
    w = omega(load.rope_m)
    for k, ref in enumerate(refs):
        load.run(ref, SCAN_S)
        reading = (sensor.read(load.offset_m, load.rope_m), 0.0)
        observer.update((k + 1) * SCAN_S, reading, (load.speed_mps, 0.0), w)
        out.append((observer.rate[0], load.load_mps - load.speed_mps))
    return out


def test_the_rate_of_a_swing_read_in_3_cm_steps_is_followed_within_centimetres() -> None:
    observer, load = SwayObserver(), Pendulum(ROPE_M, load_m=0.10)
    trace = _follow(observer, load, Sensor(0.1), [0.0] * round(40 / SCAN_S))
    settled = trace[len(trace) // 2 :]  # after 20 s (two and a half periods)
    error = max(abs(est - true) for est, true in settled)
    jump = step_m(ROPE_M, 0.1) / SCAN_S  # what two successive readings say: 0.6 m/s
    assert error < 0.01, f"rate off by {error:.3f} m/s"
    assert error < jump / 30


def test_the_crane_accelerating_under_the_load_is_in_the_model() -> None:
    """The crane brakes from 0.3 m/s: the load swings ahead; the observer, told the crane's
    speed, follows without a reading's worth of lag."""
    observer, load = SwayObserver(), Pendulum(ROPE_M, load_mps=0.3, speed_mps=0.3)
    refs = [0.3] * 40 + [0.0] * round(20 / SCAN_S)
    trace = _follow(observer, load, Sensor(), refs)
    assert max(abs(true) for _, true in trace) > 0.1, "the brake swings the load"
    assert max(abs(est - true) for est, true in trace[40:]) < 0.005


def test_the_lean_is_where_the_load_swings_about() -> None:
    observer, load = SwayObserver(), Pendulum(ROPE_M, load_m=0.08)
    lean = 0.045  # a sensor a little off plumb reads the same as a wind's lean
    sensor = Sensor(0.1, bias_deg=math.degrees(lean / ROPE_M))
    _follow(observer, load, sensor, [0.0] * round(60 / SCAN_S))
    assert observer.lean[0] == pytest.approx(lean, abs=0.01)


def test_a_gap_in_the_readings_starts_the_observer_again_from_the_reading() -> None:
    observer = SwayObserver()
    w = omega(ROPE_M)
    observer.update(0.0, (0.0, 0.0), (0.0, 0.0), w)
    observer.update(SCAN_S, (0.1, 0.0), (0.0, 0.0), w)
    assert observer.rate[0] != 0.0
    observer.update(SCAN_S + OBSERVER_GAP_S + 0.01, (0.2, -0.1), (0.0, 0.0), w)
    assert observer.offset == (0.2, -0.1)
    assert observer.rate == (0.0, 0.0)
    assert observer.lean == (0.2, -0.1)

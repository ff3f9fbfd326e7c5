"""A sway reading that does not show the swing the crane's own motion must give the load is bad.

Found by the hostile set of issue 14 (tests/hostile14, finding 4): with ``sway.trolley`` stuck at
0 and a 12 m/s wind gusting ±2 m/s, the landing took the load for hanging plumb and set the box
down off the castings. The reading was in range, so only the crane's own motion could tell it
from the truth: braking the trolley at 0.5 m/s^2 on 8 m of rope must swing the load by about
``a L / g`` = 0.4 m, and a sensor that shows none of it (stuck at 0 or at another value, frozen
at its last reading), a fifth of it, or the swing backwards is not reading the load.

The plant here is the simulator's own pendulum (:class:`simulators.crane_model.Pendulum`: the
rope length from the hoist, wind as a push on the load), under a trolley that follows a speed
profile at its drive's acceleration; the readings reach the watch as the quality layer hands
them over, once a scan.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from crane_ctrl.crane import CraneParams
from crane_ctrl.interlocks.catalogue import InterlockSettings
from crane_ctrl.interlocks.evaluate import LatchState, evaluate
from crane_ctrl.motion.shaping import pendulum_length_m
from crane_ctrl.signals import CORNERS
from crane_ctrl.snapshot import Quality, Reading, Snapshot
from crane_ctrl.sway_sensor_watch import SwaySensorWatch
from simulators.crane_model import Pendulum

PARAMS = CraneParams()
SCAN_S = 0.05
SUBSTEPS = 5
BOX_T = 24.5
Z_M = 14.0
"""Twistlock plane over the ground: about 8 m of rope to a loaded box's centre of mass."""


def _rope_m(z_m: float) -> float:
    return pendulum_length_m(z_m, PARAMS, loaded=True, container_mass_t=BOX_T)


def _period_s(z_m: float = Z_M) -> float:
    return 2.0 * math.pi * math.sqrt(_rope_m(z_m) / PARAMS.gravity_mps2)


def trapezoid(start_s: float, top_mps: float, accel: float, cruise_s: float, brake: float):
    """A speed profile: from rest at ``start_s`` up to ``top_mps`` at ``accel``, on for
    ``cruise_s``, then down to rest at ``brake`` (m/s^2)."""
    up = abs(top_mps) / accel

    def speed(t: float) -> float:
        s = t - start_s
        if s <= 0.0:
            return 0.0
        if s < up:
            return math.copysign(accel * s, top_mps)
        if s < up + cruise_s:
            return top_mps
        left = max(0.0, abs(top_mps) - brake * (s - up - cruise_s))
        return math.copysign(left, top_mps)

    return speed


def moves(*profiles: Callable[[float], float]) -> Callable[[float], float]:
    """Several speed profiles one after the other (each zero outside its own move)."""
    return lambda t: sum(p(t) for p in profiles)


def gusts(mean_mps: float, gust_mps: float, period_s: float) -> Callable[[float], float]:
    return lambda t: mean_mps + gust_mps * math.sin(2.0 * math.pi * t / period_s)


WIND_ACCEL_AT_12 = 0.1
"""The push of a 12 m/s wind on a 40-ft box of 24.5 t under the spreader, m/s^2 (about)."""


@dataclass
class Crane:
    """The trolley, the load on its ropes and the wind, stepped a scan at a time."""

    trolley_speed: Callable[[float], float]
    wind_mps: Callable[[float], float] = lambda t: 0.0
    hoist_z: Callable[[float], float] = lambda t: Z_M
    rope_off_m: float = 0.0
    """The real ropes this much longer than the crane's model says."""
    pendulum: Pendulum = field(
        default_factory=lambda: Pendulum(PARAMS.gravity_mps2, PARAMS.sway_damping_ratio)
    )
    t: float = 0.0

    def step(self) -> float:
        """One scan on; the load's true offset from plumb in the trolley direction, m."""
        dt = SCAN_S / SUBSTEPS
        for _ in range(SUBSTEPS):
            t0, t1 = self.t, self.t + dt
            accel = (self.trolley_speed(t1) - self.trolley_speed(t0)) / dt
            rope0, rope1 = (_rope_m(self.hoist_z(t)) + self.rope_off_m for t in (t0, t1))
            wind = self.wind_mps(t0)
            push = WIND_ACCEL_AT_12 * (wind / 12.0) ** 2
            self.pendulum.step(rope0, (rope1 - rope0) / dt, 0.0, accel - push, dt)
            self.t = t1
        return self.pendulum.angle_y * (_rope_m(self.hoist_z(self.t)) + self.rope_off_m)


def readings(crane: Crane, trolley_sway: float) -> dict[str, Reading]:
    t = crane.t
    good = {
        "sway.trolley": trolley_sway,
        "sway.gantry": 0.0,
        "trolley.speed": crane.trolley_speed(t),
        "gantry.speed": 0.0,
        "hoist.position": crane.hoist_z(t),
        "hoist.load": BOX_T,
        "hoist.slack_rope": False,
        "env.wind": crane.wind_mps(t),
        **{f"spreader.landed_{c}": True for c in CORNERS},  # a box's roof keeps them pressed
    }
    return {name: Reading(value, Quality.GOOD, t) for name, value in good.items()}


Sensor = Callable[[float, float], float]
"""What the sensor reads at a time, of the load's true offset."""


def run(crane: Crane, sensor: Sensor, seconds: float) -> list[tuple[float, str]]:
    """Every scan's verdict on ``sway.trolley`` (time, why; ``""``: good)."""
    watch = SwaySensorWatch(PARAMS)
    said = []
    while crane.t < seconds - 1e-9:
        true = crane.step()
        bad = watch.check(readings(crane, sensor(crane.t, true)), crane.t)
        assert "sway.gantry" not in bad, "the gantry stood still and its sensor read plumb"
        reading = bad.get("sway.trolley")
        said.append((crane.t, reading.reason if reading else ""))
    return said


def first_bad(said: list[tuple[float, str]]) -> tuple[float, str]:
    return next((t, why) for t, why in said if why)


def sound(t: float, true: float) -> float:
    return true


BRAKING_AT_S = 20.0
UP_MPS2 = 0.67 / _period_s()
TRAVEL = trapezoid(5.0, 0.67, UP_MPS2, BRAKING_AT_S - 5.0 - _period_s(), 0.5)
"""Up to 0.67 m/s over one pendulum period (the load on it hangs plumb again), on to 20 s, then
braking at 0.5 m/s^2 (unshaped: the load swings on)."""


def test_the_crane_model_swings_the_load_by_a_L_over_g_when_the_trolley_brakes() -> None:
    crane = Crane(TRAVEL)
    offsets = [crane.step() for _ in range(round(30.0 / SCAN_S))]
    swing = 0.5 * _rope_m(Z_M) / PARAMS.gravity_mps2
    assert 0.35 < swing < 0.45
    assert swing < max(offsets) < 2.0 * swing  # an unshaped braking: up to twice a L / g


def test_a_sensor_stuck_at_zero_is_bad_within_two_periods_of_the_braking() -> None:
    said = run(Crane(TRAVEL), lambda t, true: 0.0 if t > 10.0 else true, 60.0)
    t, why = first_bad(said)
    assert BRAKING_AT_S < t <= BRAKING_AT_S + 2.0 * _period_s()
    assert why.startswith("sway.trolley reads 0.00 m, unchanged for 10")
    assert "while the load must be at ~" in why
    assert "with the trolley's 0.50 m/s² braking since): a stuck or frozen sway sensor" in why
    assert all(why for s, why in said if s >= t), "bad while it reads none of the swing"
    assert said[-1][1].startswith(
        "sway.trolley reads 0.00 m while the trolley's 0.50 m/s² braking must swing the load "
        "~0.42 m (a stuck or frozen sway sensor)"
    )


def test_a_sensor_stuck_at_zero_from_the_start_is_bad_after_the_first_acceleration() -> None:
    said = run(Crane(TRAVEL), lambda t, true: 0.0, 60.0)
    t, why = first_bad(said)
    assert 5.0 < t <= 5.0 + 2.0 * _period_s()
    assert f"{UP_MPS2:.2f} m/s² acceleration" in why


def test_a_sensor_stuck_at_another_value_is_bad_too() -> None:
    said = run(Crane(TRAVEL), lambda t, true: 0.137 if t > 10.0 else true, 60.0)
    t, why = first_bad(said)
    assert 10.0 < t <= 10.0 + _period_s(), "a jump to a value it then keeps: found at once"
    assert why.startswith("sway.trolley reads 0.14 m, unchanged for ")
    assert said[-1][1].startswith("sway.trolley reads 0.14 m while the trolley's 0.50 m/s²")


def test_a_sensor_frozen_at_its_last_reading_mid_swing_is_bad() -> None:
    frozen: list[float] = []

    def sensor(t: float, true: float) -> float:
        if t > BRAKING_AT_S + 1.0 and not frozen:
            frozen.append(true)  # mid-swing, as the braking swings the load forward
        return frozen[0] if frozen else true

    said = run(Crane(TRAVEL), sensor, 60.0)
    t, _ = first_bad(said)
    assert t <= BRAKING_AT_S + 2.0 * _period_s()
    assert all(why for s, why in said if s >= t), "bad while the load swings and it reads none"
    assert said[-1][1].startswith(f"sway.trolley reads {frozen[0]:.2f} m, unchanged for ")
    assert said[-1][1].endswith("a stuck or frozen sway sensor")


def test_a_sensor_reading_a_fifth_of_the_swing_is_bad() -> None:
    said = run(Crane(TRAVEL), lambda t, true: 0.2 * true, 60.0)
    t, why = first_bad(said)
    assert t <= BRAKING_AT_S + 2.0 * _period_s()
    assert why.startswith("sway.trolley reads 2")  # 20 % of the swing, within a few points
    assert "% of the swing" in why
    assert "scaled wrong" in why


def test_a_sensor_reading_the_swing_backwards_is_bad() -> None:
    said = run(Crane(TRAVEL), lambda t, true: -true, 60.0)
    _, why = first_bad(said)
    assert "reads that swing backwards" in why


def test_found_bad_it_stays_bad_while_stuck_and_good_again_once_it_reads_the_swing() -> None:
    crane = Crane(moves(TRAVEL, trapezoid(60.0, -0.67, 0.5, 10.0, 0.5)))
    said = run(crane, lambda t, true: 0.0 if t < 45.0 else true, 150.0)
    t, _ = first_bad(said)
    still = [why for s, why in said if t <= s < 45.0]
    assert all(still), "bad while it reads nothing of the swing the braking gave"
    assert not any(why for s, why in said if s > 100.0), "good again: it reads the swing"


def test_a_sensor_read_while_nothing_moves_is_not_judged() -> None:
    said = run(Crane(lambda t: 0.0), lambda t, true: 0.0, 60.0)
    assert not any(why for _, why in said)


def test_a_stuck_sensor_on_an_empty_spreader_resting_on_its_pins_is_not_judged() -> None:
    crane = Crane(TRAVEL)
    watch = SwaySensorWatch(PARAMS)
    while crane.t < 60.0:
        crane.step()
        seen = readings(crane, 0.0) | {"hoist.load": Reading(0.0, Quality.GOOD, crane.t)}
        assert watch.check(seen, crane.t) == {}


# --- a sound sensor must never be found wrong -----------------------------------------------


def stepped_and_noisy(resolution_deg: float, noise_deg: float, seed: int = 1) -> Sensor:
    """An angle sensor in steps of ``resolution_deg`` with Gaussian noise, a little off plumb."""
    rng = random.Random(seed)

    def sensor(t: float, true: float) -> float:
        rope = _rope_m(Z_M)
        angle = math.degrees(true / rope) + 0.05 + rng.gauss(0.0, noise_deg)
        return rope * math.radians(round(angle / resolution_deg) * resolution_deg)

    return sensor


WORKING_DAY = moves(
    trapezoid(5.0, 0.67, 0.3, 12.0, 0.3),
    trapezoid(40.0, -0.67, 0.4, 6.0, 0.5),
    trapezoid(70.0, 0.3, 0.2, 2.0, 0.2),
    trapezoid(90.0, -0.5, 0.5, 0.0, 0.5),
    trapezoid(110.0, 0.67, 0.5, 20.0, 0.2),
    trapezoid(150.0, -0.1, 0.1, 3.0, 0.1),
    trapezoid(170.0, 0.67, 0.5, 4.0, 0.5),
)
"""Moves of every size, shaped by nothing: accelerations from 0.1 to 0.5 m/s^2."""


def hoisting(t: float) -> float:
    """Up and down between 5 and 15 m while the trolley travels (0.5 m/s)."""
    return 10.0 + 5.0 * math.sin(2.0 * math.pi * t / 63.0)


def test_a_sound_sensor_in_calm_air_is_never_found_wrong() -> None:
    said = run(Crane(WORKING_DAY, hoist_z=hoisting), sound, 220.0)
    assert not any(why for _, why in said)


def test_a_sound_noisy_stepped_sensor_in_gusty_wind_is_never_found_wrong() -> None:
    for gust_period_s in (4.0, 6.0, 8.0, 12.0):
        for resolution_deg, noise_deg in ((0.01, 0.02), (0.1, 0.05)):
            crane = Crane(
                WORKING_DAY,
                wind_mps=gusts(12.0, 2.0, gust_period_s),
                hoist_z=hoisting,
                rope_off_m=0.5,
            )
            said = run(crane, stepped_and_noisy(resolution_deg, noise_deg), 220.0)
            found = [(t, why) for t, why in said if why]
            assert not found, (gust_period_s, resolution_deg, found[:1])


def test_a_sound_sensor_in_a_strong_gusting_wind_is_never_found_wrong() -> None:
    crane = Crane(WORKING_DAY, wind_mps=gusts(20.0, 6.0, 8.0), hoist_z=hoisting)
    said = run(crane, stepped_and_noisy(0.01, 0.02, seed=7), 220.0)
    assert not any(why for _, why in said)


# --- what follows: SIGNAL_QUALITY names it ----------------------------------------------------


def test_a_stuck_sway_sensor_trips_signal_quality_naming_it_and_why() -> None:
    crane = Crane(TRAVEL)
    watch = SwaySensorWatch(PARAMS)
    while crane.t < 40.0:
        crane.step()
        seen = readings(crane, 0.0)
        bad = watch.check(seen, crane.t)
        if bad:
            break
    snapshot = Snapshot(crane.t, seen | bad, comms_ok=True, comms_reason="")
    permits = evaluate(snapshot, InterlockSettings.from_params(PARAMS), LatchState())
    trip = next(t for t in permits.active if t.id == "SIGNAL_QUALITY")
    assert "sway.trolley reads 0.00 m while the trolley's" in str(trip)

"""What a sway sensor reads of a load swinging under a crane, for the sway watch's pure tests.

:func:`read` is a sensor that reports the rope's angle in steps (with noise and a bias) times the
rope length, as the AC500's 0.1 degree does. :class:`Pendulum` is a load on a rope under a crane
that follows speed references with a limited acceleration: enough to close the landing law's loop
without the simulator.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from crane_ctrl.sequencer.sway import SwayWatch

G = 9.81
SCAN_S = 0.05
CRANE_ACCEL_MPS2 = 0.4
"""The crane's acceleration while it follows a speed reference (a trolley's)."""


def omega(rope_m: float) -> float:
    return math.sqrt(G / rope_m)


def step_m(rope_m: float, resolution_deg: float) -> float:
    """The offset a step of the sensor's angle makes on ``rope_m`` of rope, m."""
    return rope_m * math.radians(resolution_deg)


@dataclass(frozen=True)
class Sensor:
    """A sway sensor reading the rope's angle in steps of ``resolution_deg`` (0: not stepped),
    with Gaussian noise of ``noise_deg`` and a steady ``bias_deg``."""

    resolution_deg: float = 0.0
    noise_deg: float = 0.0
    bias_deg: float = 0.0
    rng: random.Random = field(default_factory=lambda: random.Random(1))

    def read(self, offset_m: float, rope_m: float) -> float:
        angle = math.degrees(offset_m / rope_m) + self.bias_deg
        if self.noise_deg:
            angle += self.rng.gauss(0.0, self.noise_deg)
        if self.resolution_deg:
            angle = round(angle / self.resolution_deg) * self.resolution_deg
        return rope_m * math.radians(angle)


def free_swing(
    watch: SwayWatch,
    sensor: Sensor,
    *,
    rope_m: float,
    amplitude_m: float,
    seconds: float,
    start_s: float = 0.0,
    centre_m: float = 0.0,
    phase: float = 0.0,
) -> float:
    """Feed ``watch`` a load swinging freely (the crane still) in the gantry direction, every
    scan for ``seconds``, as the sequencer does (observe, then sample); the time reached."""
    w = omega(rope_m)
    t = start_s
    while t < start_s + seconds - 1e-9:
        t += SCAN_S
        true = centre_m + amplitude_m * math.cos(w * t + phase)
        reading = (sensor.read(true, rope_m), 0.0)
        watch.observe(t, reading, (0.0, 0.0), w)
        watch.sample(t, reading, (0.0, 0.0), math.pi / w, w)
    return t


@dataclass
class Pendulum:
    """One direction of a load on ``rope_m`` of rope under a crane at ``crane_m`` moving at
    ``speed_mps``, the crane following its speed reference at :data:`CRANE_ACCEL_MPS2`."""

    rope_m: float
    load_m: float = 0.0
    load_mps: float = 0.0
    crane_m: float = 0.0
    speed_mps: float = 0.0

    @property
    def offset_m(self) -> float:
        return self.load_m - self.crane_m

    def run(self, ref_mps: float, seconds: float, dt: float = 0.005) -> None:
        """Follow ``ref_mps`` for ``seconds`` (semi-implicit Euler, fine steps)."""
        w2 = G / self.rope_m
        for _ in range(round(seconds / dt)):
            change = max(
                -CRANE_ACCEL_MPS2 * dt, min(CRANE_ACCEL_MPS2 * dt, ref_mps - self.speed_mps)
            )
            self.speed_mps += change
            self.crane_m += self.speed_mps * dt
            self.load_mps += w2 * (self.crane_m - self.load_m) * dt
            self.load_m += self.load_mps * dt

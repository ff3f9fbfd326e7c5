"""The crane's sway sensor as its PLC reads it: a rope angle in steps, with noise and a bias.

Real sway sensors (a camera on the trolley watching targets on the spreader, an inclinometer on
the headblock) measure the rope's angle from plumb; the PLC hands it over in its own units, often
0.1 degree. The plant knows the load's true offset from plumb; :class:`SwaySensor` turns it into
what such a sensor reads: the angle (offset over rope length) plus a steady bias and noise, in
whole steps of ``resolution_deg``, times the rope length again. The default is the ideal sensor
(the true offset, untouched). Noise is drawn from a generator seeded with ``seed``, once a plant
step, so a run is the same every time.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

__all__ = ["SwaySensor", "SwaySensorReader"]


@dataclass(frozen=True, slots=True)
class SwaySensor:
    """What the sway sensor reads (see the module docstring). All zero: the ideal sensor."""

    resolution_deg: float = 0.0
    """The angle's step, degrees (0.1 on many PLCs); 0: not stepped."""
    noise_deg: float = 0.0
    """Standard deviation of the noise on the angle, degrees (drawn once a plant step)."""
    bias_deg: float = 0.0
    """A steady error of the angle, degrees (a sensor mounted a little off plumb)."""
    seed: int = 0
    """Seed of the noise generator."""

    def __post_init__(self) -> None:
        for name in ("resolution_deg", "noise_deg"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0.0):
                raise ValueError(f"`{name}` must be finite and non-negative, not {value}")
        if not math.isfinite(self.bias_deg):
            raise ValueError(f"`bias_deg` must be finite, not {self.bias_deg}")

    @property
    def ideal(self) -> bool:
        """It reads the true offset."""
        return self.resolution_deg == 0.0 and self.noise_deg == 0.0 and self.bias_deg == 0.0


class SwaySensorReader:
    """One sway sensor at work: the noise of this plant step, and the readings it gives."""

    def __init__(self, sensor: SwaySensor) -> None:
        self.sensor = sensor
        self._random = random.Random(sensor.seed)
        self._noise = (0.0, 0.0)

    def step(self) -> None:
        """A new plant step: draw its noise (gantry, trolley), degrees."""
        sigma = self.sensor.noise_deg
        if sigma > 0.0:
            self._noise = (self._random.gauss(0.0, sigma), self._random.gauss(0.0, sigma))

    def read(self, offset_m: tuple[float, float], rope_m: float) -> tuple[float, float]:
        """The sensor's reading of the load's true offset from plumb (gantry, trolley), m, on
        ``rope_m`` of rope."""
        if self.sensor.ideal:
            return offset_m
        return self._axis(offset_m[0], rope_m, self._noise[0]), self._axis(
            offset_m[1], rope_m, self._noise[1]
        )

    def _axis(self, offset_m: float, rope_m: float, noise_deg: float) -> float:
        s = self.sensor
        angle_deg = math.degrees(offset_m / rope_m) + s.bias_deg + noise_deg
        if s.resolution_deg > 0.0:
            angle_deg = round(angle_deg / s.resolution_deg) * s.resolution_deg
        return rope_m * math.radians(angle_deg)

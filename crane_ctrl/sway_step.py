"""How coarse the sway sensor is: its step, learnt from its readings. Pure.

Sway sensors read in steps. A PLC that reports rope angles in 0.1 degree gives the load's offset
in steps of the rope length times 0.1 degree: about 3 cm on 17 m of rope, 0.9 cm on 5 m. A float
or 1 mm sensor steps by too little to matter. Nothing tells the supervisor which sensor a crane
has (a profile maps the angle, a derived expression turns it into metres), so the step is learnt
from the readings themselves: the smallest change between successive distinct readings of which
the other changes are whole multiples, taken robustly (a few smaller changes do not pass for the
step, and a sensor whose changes are not whole multiples of anything has none).

Only changes at one rope length count. While the rope pays out, an angle sensor's offset changes
by the rope's change times the angle, a change far smaller than a step. And the step grows with
the rope if the sensor reads an angle (most do), not if it reads a length. So every change is
remembered with the pendulum's angular frequency at which it was seen (the rope length, ``L = g
/ w^2``), and the step is asked for at a frequency: from the changes seen at about that rope
length if there are enough; else from all of them, as an angle's step if they are whole
multiples of one (scaled to the rope asked for), or as a length's. Until enough changes have
been seen, the step is not known (0): nothing is loosened on a guess. It is the crane's sensor,
so it is kept across jobs (:attr:`~crane_ctrl.sequencer.controller.CraneContext.sway_step`); the
quality layer's sway sensor watch (:mod:`crane_ctrl.sway_sensor_watch`) learns it the same way.
"""

from __future__ import annotations

import functools
from collections import deque
from dataclasses import dataclass, field

__all__ = ["SensorStep"]

XY = tuple[float, float]

STEP_QUANTILE = 0.25
"""The step is sought among the smallest quarter of the recent changes: a few smaller ones (a
rope length read a centimetre apart, noise) are passed over, and the step is the smallest change
of which most changes are whole multiples (see :data:`WHOLE_SHARE`)."""
WHOLE_SHARE = 0.75
"""A step is one only if at least this share of the changes are whole multiples of it (within
:data:`WHOLE_SLACK`): a stepping sensor's changes all are, a fine sensor's (a smooth swing read
every scan, noise) are spread anywhere, so it is given no step however large its changes."""
WHOLE_SLACK = 0.1
"""A change within this share of a step of a whole number of steps counts as whole."""
STEP_MEMORY = 32
"""Changes remembered per direction (the newest)."""
MIN_CHANGES = 8
"""Fewer changes than this at the rope length asked for: the step is not known (0)."""
SAME_ROPE = 1e-4
"""Successive readings whose angular frequencies differ by more than this share were read at
different rope lengths (the hoist moving): their change is no step (2e-4 of the rope: 3 mm on
17 m)."""
ROPE_MATCH = 0.01
"""A change seen at an angular frequency within this share of the one asked for was seen at its
rope length (within 2 %: an angle sensor's step within 2 %)."""


def _changes() -> tuple[deque[XY], deque[XY]]:
    return deque(maxlen=STEP_MEMORY), deque(maxlen=STEP_MEMORY)


@dataclass
class SensorStep:
    """The sway sensor's step as learnt from its readings (see the module docstring)."""

    changes: tuple[deque[XY], deque[XY]] = field(default_factory=_changes)
    """Per direction (gantry, trolley): (angular frequency, size of the change), newest last."""
    _last: tuple[float, float, float] | None = None
    """The last reading: (angular frequency, gantry offset, trolley offset)."""
    _seen: int = 0
    """Changes seen so far (the cache's version)."""
    _cache: tuple[float, int, float] | None = None
    """The last answer: (angular frequency, changes seen, step)."""

    def see(self, omega: float, sway: XY) -> None:
        """Take one reading (once a scan), at the pendulum's angular frequency ``omega``."""
        last, self._last = self._last, (omega, sway[0], sway[1])
        if last is None or abs(omega - last[0]) > SAME_ROPE * omega:
            return
        for k in (0, 1):
            change = abs(sway[k] - last[k + 1])
            if change > 0.0:
                self.changes[k].append((omega, change))
                self._seen += 1

    def learnt(self) -> bool:
        """Enough changes seen in a direction to tell a stepping sensor from a fine one."""
        return any(len(seen) >= MIN_CHANGES for seen in self.changes)

    def step_m(self, omega: float) -> float:
        """The sensor's step at the rope length of ``omega``, the coarser direction's, m; 0
        until :data:`MIN_CHANGES` changes have been seen in a direction, and for a sensor that
        does not step."""
        cache = self._cache
        if cache is None or cache[:2] != (omega, self._seen):
            step = max(_step_at(seen, omega) for seen in self.changes)
            self._cache = cache = (omega, self._seen, step)
        return cache[2]


def _step_at(seen: deque[XY], omega: float) -> float:
    """The step at the rope length of ``omega``: from the changes seen there if there are
    enough, else from all of them, as an angle's step (it grows with the rope) or else a
    length's; 0 if too few, or if none is one."""
    here = tuple(size for w, size in seen if abs(w - omega) <= ROPE_MATCH * omega)
    if len(here) >= MIN_CHANGES:
        return _step(here)
    if len(seen) < MIN_CHANGES:
        return 0.0
    angle = _step(tuple(size * w * w for w, size in seen))  # g times the angle's step
    if angle > 0.0:
        return angle / (omega * omega)
    return _step(tuple(size for _, size in seen))


@functools.lru_cache(maxsize=64)
def _step(sizes: tuple[float, ...]) -> float:
    """The smallest of the smallest :data:`STEP_QUANTILE` of ``sizes`` of which
    :data:`WHOLE_SHARE` of them are whole multiples; 0 if none is.

    Remembered for the last sizes asked about: the step is asked every scan, and while the rope
    moves (a new angular frequency) the changes it is learnt from mostly stay the same."""
    ordered = sorted(sizes)
    for step in ordered[: int(STEP_QUANTILE * (len(ordered) - 1)) + 1]:
        if _whole_share(ordered, step) >= WHOLE_SHARE:
            return step
    return 0.0


def _whole_share(sizes: list[float], step: float) -> float:
    """The share of ``sizes`` that are a whole number (at least one) of ``step``."""
    whole = 0
    for size in sizes:
        steps = size / step
        nearest = round(steps)
        if nearest >= 1 and abs(steps - nearest) <= WHOLE_SLACK:
            whole += 1
    return whole / len(sizes)

"""A run's samples as stretches of time: each sample's values hold until the next scan, and a
stretch with no scan (the supervisor frozen) is unknown rather than the last value seen."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from crane_ctrl.rig.timeline import Sample

__all__ = ["AXES", "NO_SCAN_PERIODS", "Stretches", "changed", "holding_until", "same", "settled"]

AXES = ("gantry", "trolley", "hoist")


@dataclass(frozen=True, slots=True)
class Stretches:
    """The samples with when each one's values stop holding."""

    samples: Sequence[Sample]
    times: Sequence[float]
    ends: Sequence[float]
    """When each sample's values stop holding: the next sample's time, or a scan period after it
    when no scan came for longer (the supervisor frozen); the last: the run's end."""
    settled: int
    """The first sample after the rig's start-up."""

    def runs(self, values: Sequence[object]) -> list[tuple[float, float, object]]:
        """Stretches of one value: (from, to, value); ``None`` where unknown, or not seen (no
        scan)."""
        out: list[tuple[float, float, object]] = []
        for i, (value, start, end) in enumerate(zip(values, self.times, self.ends, strict=True)):
            if out and same(out[-1][2], value) and out[-1][1] == start:
                out[-1] = (out[-1][0], end, value)
            else:
                out.append((start, end, value))
            if self.unseen_after(i):
                out.append((end, self.times[i + 1], None))
        return out

    def unseen_after(self, i: int) -> bool:
        """No scan came for a while after sample ``i``."""
        return i + 1 < len(self.times) and self.ends[i] < self.times[i + 1]

    def points(self, values: Sequence[float]) -> tuple[float, ...]:
        """A line's values with a NaN (a break in the line) where no scan came for a while."""
        out: list[float] = []
        for i, v in enumerate(values):
            out.append(v)
            if self.unseen_after(i):
                out.append(math.nan)
        return tuple(out)

    def point_times(self) -> tuple[float, ...]:
        """The times of :meth:`points`."""
        out: list[float] = []
        for i, t in enumerate(self.times):
            out.append(t)
            if self.unseen_after(i):
                out.append(self.ends[i])
        return tuple(out)


def same(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b


NO_SCAN_PERIODS = 3.0
"""Samples further apart than this many scan periods (the median) leave a stretch unseen: drawn
as unknown rather than as the last value seen."""


def holding_until(times: Sequence[float], end_s: float) -> list[float]:
    """When the values of the samples taken at ``times`` stop holding (:attr:`Stretches.ends`);
    ``end_s``: when the run ended."""
    if not times:
        return []
    steps = sorted(b - a for a, b in itertools.pairwise(times))
    period = steps[len(steps) // 2] if steps else 0.0
    pairs = itertools.pairwise(times)
    until = [b if b - a <= NO_SCAN_PERIODS * period else a + period for a, b in pairs]
    return [*until, max(end_s, times[-1] + period)]


def settled(samples: Sequence[Sample]) -> int:
    """The first sample at which the PLC is trusted and every drive ready (0 if none is): what
    changes before it is the rig starting the crane."""
    for i, s in enumerate(samples):
        ready = all(s.values.get(f"{axis}.ready") is True for axis in AXES)
        if s.values.get("comms.ok") is True and ready:
            return i
    return 0


def changed(values: Iterable[object]) -> bool:
    """More than one known value (``None``: unknown)."""
    return len({(type(v), v) for v in values if v is not None}) > 1

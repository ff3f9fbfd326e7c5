"""Time, passed in: every module that waits or times out takes a clock, never reads one itself.

:class:`Clock` is what they take. :class:`ManualClock` is moved by hand: lock-step tests and
benchmarks run the supervisor and the simulator together, hundreds of times faster than real
time. The real clock, :class:`~crane_ctrl.realtime.MonotonicClock`, lives in
:mod:`crane_ctrl.realtime` with the rest of what reads or waits on real time, so that the pure
core never can.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["Clock", "ManualClock"]


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a monotonic scale (only differences mean anything)."""
        ...

    def wall(self) -> float:
        """Seconds since the Unix epoch, for records people read."""
        ...


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, start: float = 0.0, wall_start: float = 1_800_000_000.0) -> None:
        self._now = start
        self._wall_offset = wall_start - start

    def now(self) -> float:
        return self._now

    def wall(self) -> float:
        return self._now + self._wall_offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"`seconds` must be non-negative, not {seconds}")
        self._now += seconds

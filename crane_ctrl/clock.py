"""Time, passed in: every module that waits or times out takes a clock, never reads one itself.

``MonotonicClock`` is the real one (``time.monotonic`` for durations, ``time.time`` for the
journal's wall time). ``ManualClock`` is moved by hand: lock-step tests and benchmarks run the
supervisor and the simulator together, hundreds of times faster than real time.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

__all__ = ["Clock", "ManualClock", "MonotonicClock", "sleep_unless"]


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a monotonic scale (only differences mean anything)."""
        ...

    def wall(self) -> float:
        """Seconds since the Unix epoch, for records people read."""
        ...


class MonotonicClock:
    """The real clock."""

    def now(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()


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


async def sleep_unless(stop: asyncio.Event, delay: float) -> None:
    """Sleep ``delay`` seconds of real time, waking early when ``stop`` is set."""
    if delay <= 0:
        await asyncio.sleep(0)
        return
    try:
        async with asyncio.timeout(delay):
            await stop.wait()
    except TimeoutError:
        pass

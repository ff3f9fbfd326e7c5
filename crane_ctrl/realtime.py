"""Real time, for the parts that run on it: the links, the runtime, the simulators' servers.

:class:`MonotonicClock` is the real :class:`~crane_ctrl.clock.Clock` (``time.monotonic`` for
durations, ``time.time`` for the journal's wall time). :func:`sleep_unless` sleeps a stop event
can cut short; :func:`wait_until` waits on a condition with a bound (never a bare sleep). The
pure core imports none of this: its time comes in as an argument.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable

__all__ = ["MonotonicClock", "sleep_unless", "wait_until"]


class MonotonicClock:
    """The real clock."""

    def now(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()


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


async def wait_until(
    condition: Callable[[], bool | Awaitable[bool]],
    *,
    within: float,
    interval: float = 0.01,
    what: str = "condition",
) -> None:
    """Return as soon as ``condition()`` is true; raise ``TimeoutError`` after ``within`` s.

    ``condition`` may be a plain or an async callable. An exception it raises counts as "not
    yet" (a link still reconnecting, say), and the last one is chained to the timeout.
    """
    last: BaseException | None = None
    try:
        async with asyncio.timeout(within):
            while True:
                try:
                    result = condition()
                    if inspect.isawaitable(result):
                        result = await result
                    if result:
                        return
                except Exception as exc:  # the condition is not met yet
                    last = exc
                await asyncio.sleep(interval)
    except TimeoutError:
        raise TimeoutError(f"{what} not met within {within} s") from last

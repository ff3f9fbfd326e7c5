"""Real time, for the parts that run on it: the links, the runtime, the simulators' servers.

:class:`MonotonicClock` is the real :class:`~crane_ctrl.clock.Clock` (``time.monotonic`` for
durations, ``time.time`` for the journal's wall time). :func:`sleep_unless` sleeps a stop event
can cut short; :func:`wait_until` waits on a condition with a bound (never a bare sleep);
:func:`deadline` bounds a network call. The pure core imports none of this: its time comes in
as an argument.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

__all__ = ["MonotonicClock", "deadline", "sleep_unless", "wait_until"]


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


@asynccontextmanager
async def deadline(seconds: float) -> AsyncIterator[None]:
    """``asyncio.timeout(seconds)`` whose expiry is always a ``TimeoutError``.

    ``asyncio.timeout`` turns its own cancellation into ``TimeoutError`` only when the body
    raises exactly ``CancelledError``. asyncua's requests wait with ``wait_for2``, which, when
    the answer arrives in the same instant as the cancellation, raises a *subclass*
    (``CancelledWithResultError``): that escaped the links' handling as a cancellation and took
    the scan with it (a busy machine, an OPC UA read answered just at its timeout). Here such an
    expiry is a timeout like any other; a cancellation from outside (a shutdown) still
    propagates.
    """
    timeout = asyncio.timeout(seconds)
    try:
        async with timeout:
            yield
    except asyncio.CancelledError as exc:
        task = asyncio.current_task()
        if timeout.expired() and (task is None or task.cancelling() == 0):
            raise TimeoutError(f"no answer within {seconds:g} s") from exc
        raise


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

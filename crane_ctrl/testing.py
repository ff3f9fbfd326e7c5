"""Helpers for tests and test rigs: waiting on conditions with a bound, never on bare sleeps."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable

__all__ = ["wait_until"]


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

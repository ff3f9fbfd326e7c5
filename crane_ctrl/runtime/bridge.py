"""How the HMI reaches the station: read its view, call its methods on the station's loop.

The HMI never touches the station's state from its own thread. Reading ``station.view`` is a
plain attribute read of an immutable object (replaced once per scan), so it is safe from any
thread. Every action goes through :meth:`Bridge.call`:

* :class:`ThreadBridge` (real time): the station runs in its own thread and loop
  (:class:`~crane_ctrl.runtime.loop_thread.LoopThread`); a call is marshalled onto that loop with
  ``asyncio.run_coroutine_threadsafe`` and awaited here with ``asyncio.wrap_future`` and a
  timeout, so a Textual frame never delays a scan and a scan never blocks the HMI.
* :class:`DirectBridge` (Pilot tests, lock-step): the station and the app share the test's loop
  and the test drives the scans; a call runs at once.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from crane_ctrl.runtime.station import CraneStation, StationView

__all__ = ["CALL_TIMEOUT_S", "Bridge", "DirectBridge", "ThreadBridge"]

T = TypeVar("T")

CALL_TIMEOUT_S = 5.0
"""Longest wait for the station to carry out one action (a profile swap opens a link)."""


class Bridge(Protocol):
    """The HMI's one way to the station."""

    @property
    def station(self) -> CraneStation:
        """For static facts (site, crane parameters, the profile) and :attr:`view`."""
        ...

    @property
    def view(self) -> StationView: ...

    async def call(
        self,
        fn: Callable[..., T | Awaitable[T]],
        *args: Any,
        timeout_s: float | None = None,
        **kwargs: Any,
    ) -> T:
        """``fn(*args, **kwargs)`` on the station's loop (awaited there if it is a coroutine);
        ``TimeoutError`` after ``timeout_s`` (default :data:`CALL_TIMEOUT_S`)."""
        ...


async def _invoke(fn: Callable[..., T | Awaitable[T]], *args: Any, **kwargs: Any) -> T:
    result = fn(*args, **kwargs)
    if inspect.isawaitable(result):
        awaited: T = await result
        return awaited
    return result


class _Reader:
    """What both bridges share: the station, and its view read as a plain attribute."""

    def __init__(self, station: CraneStation) -> None:
        self._station = station

    @property
    def station(self) -> CraneStation:
        return self._station

    @property
    def view(self) -> StationView:
        return self._station.view


class DirectBridge(_Reader):
    """Lock-step: the station lives on the caller's loop; calls run at once."""

    async def call(
        self,
        fn: Callable[..., T | Awaitable[T]],
        *args: Any,
        timeout_s: float | None = None,
        **kwargs: Any,
    ) -> T:
        del timeout_s  # lock-step: the call runs to its end at once
        return await _invoke(fn, *args, **kwargs)


class ThreadBridge(_Reader):
    """Real time: the station lives on ``loop`` in another thread."""

    def __init__(
        self,
        station: CraneStation,
        loop: asyncio.AbstractEventLoop,
        timeout_s: float = CALL_TIMEOUT_S,
    ) -> None:
        super().__init__(station)
        self._loop = loop
        self.timeout_s = timeout_s

    async def call(
        self,
        fn: Callable[..., T | Awaitable[T]],
        *args: Any,
        timeout_s: float | None = None,
        **kwargs: Any,
    ) -> T:
        limit = self.timeout_s if timeout_s is None else timeout_s
        future = asyncio.run_coroutine_threadsafe(_invoke(fn, *args, **kwargs), self._loop)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), limit)
        except TimeoutError:
            future.cancel()
            raise TimeoutError(f"the station did not answer within {limit:g} s") from None

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
* :class:`~crane_ctrl.runtime.seam.client.RemoteBridge`: the station runs in another process
  and is reached over the seam (:mod:`crane_ctrl.runtime.seam`).

Logging in goes to the station too (:meth:`Bridge.login`): it checks the PIN against its roles
file and issues a session (:class:`~crane_ctrl.runtime.sessions.Sessions`, the station's own).
The station checks the session of every action itself, whoever calls
(:class:`~crane_ctrl.runtime.station.CraneStation`).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol, TypeVar

from crane_ctrl.operation.machine import Role
from crane_ctrl.runtime.sessions import Sessions
from crane_ctrl.runtime.station import CraneStation, StationView, User

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

    @property
    def lost(self) -> str | None:
        """Why the station cannot be reached now (the view is then the last one); ``None``."""
        ...

    async def login(self, role: Role, pin: str) -> User:
        """The station's session for ``role``; :class:`~crane_ctrl.errors.LoginRefused`."""
        ...

    async def logout(self, user: User) -> None:
        """End ``user``'s session at the station; :class:`~crane_ctrl.errors.SessionRefused`
        if it has none (any more)."""
        ...

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
    """What both bridges share: the station, its view read as a plain attribute, sessions."""

    lost: str | None = None
    """In process, the station is always there."""

    def __init__(self, station: CraneStation, sessions: Sessions | None = None) -> None:
        """``sessions``: whose logins (default, and as a rule: the station's own)."""
        self._station = station
        self.sessions = sessions or station.sessions

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

    async def login(self, role: Role, pin: str) -> User:
        return await self.sessions.login(role, pin, client="in-process")

    async def logout(self, user: User) -> None:
        self.sessions.logout(user.session, client="in-process")


class ThreadBridge(_Reader):
    """Real time: the station lives on ``loop`` in another thread."""

    def __init__(
        self,
        station: CraneStation,
        loop: asyncio.AbstractEventLoop,
        timeout_s: float = CALL_TIMEOUT_S,
        sessions: Sessions | None = None,
    ) -> None:
        super().__init__(station, sessions)
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
        work = _invoke(fn, *args, **kwargs)
        return await self._on_station(work, limit)

    async def login(self, role: Role, pin: str) -> User:
        return await self._on_station(self.sessions.login(role, pin, client="in-process"),
                                      self.timeout_s)  # fmt: skip

    async def logout(self, user: User) -> None:
        await self.call(self.sessions.logout, user.session, client="in-process")

    async def _on_station(self, work: Coroutine[Any, Any, T], limit: float) -> T:
        future = asyncio.run_coroutine_threadsafe(work, self._loop)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), limit)
        except TimeoutError:
            future.cancel()
            raise TimeoutError(f"the station did not answer within {limit:g} s") from None

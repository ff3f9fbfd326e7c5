"""An asyncio event loop in a thread of its own, running one main coroutine until stopped.

The supervisor's scan loop must not share a loop with Textual (a frame can take several ms), and
the simulator of the demo must not share one with either; each gets a :class:`LoopThread`::

    thread = LoopThread("station", main)          # main(stop: asyncio.Event, ready) -> None
    value = thread.start(timeout_s=10)            # what main passed to ready(...)
    future = thread.submit(coroutine)             # run on that loop, from any thread
    thread.stop()                                 # sets stop; waits for main to return

``main`` calls ``ready(value)`` once it is up; :meth:`start` returns that value, or raises what
``main`` raised before it got there. No task is fire-and-forget: ``main`` owns everything it
starts and returns when ``stop`` is set.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Generic, TypeVar

__all__ = ["LoopThread", "Main"]

T = TypeVar("T")
R = TypeVar("R")

Main = Callable[[asyncio.Event, Callable[[T], None]], Awaitable[None]]
"""The thread's main coroutine function: runs until the event is set; calls ready(value)."""


class LoopThread(Generic[T]):
    """One thread, one event loop, one main coroutine."""

    def __init__(self, name: str, main: Main[T]) -> None:
        self.name = name
        self._main = main
        self._ready: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.error: BaseException | None = None
        """What ``main`` raised, if it failed."""

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError(f"{self.name} thread is not running")
        return self._loop

    @property
    def ident(self) -> int | None:
        """The thread's id (for per-thread CPU time)."""
        return self._thread.ident

    @property
    def native_id(self) -> int | None:
        """The operating system's id of the thread (its priority is its own on Linux)."""
        return self._thread.native_id

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def start(self, timeout_s: float = 10.0) -> T:
        """Start the thread; the value ``main`` declared ready with, or what it raised."""
        self._thread.start()
        try:
            return self._ready.result(timeout_s)
        except concurrent.futures.TimeoutError:
            self.stop()
            raise TimeoutError(f"{self.name} did not start within {timeout_s:g} s") from None

    def submit(self, coroutine: Coroutine[Any, Any, R]) -> concurrent.futures.Future[R]:
        """Run ``coroutine`` on this thread's loop; the future carries its result or error."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask ``main`` to return and wait for the thread (idempotent)."""
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(stop.set)
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout_s)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:
            self.error = exc
            if not self._ready.done():
                self._ready.set_exception(exc)

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()

        def ready(value: T) -> None:
            if not self._ready.done():
                self._ready.set_result(value)

        await self._main(self._stop, ready)
        if not self._ready.done():
            self._ready.set_exception(RuntimeError(f"{self.name} ended before it was ready"))

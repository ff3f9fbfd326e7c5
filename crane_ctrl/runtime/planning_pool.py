"""Leg plans and rope fits in a process of their own, so the scan's interpreter is never held.

:class:`PlanningPool` is the run-time :class:`~crane_ctrl.sequencer.planning.Planner`: a process
pool owned by an async context manager. It starts its worker and has it import the planner before
the first scan (a plan asked for in the first job is not late for an interpreter starting up),
and it shuts the worker down on the way out. A worker that dies (killed, out of memory) breaks
the pool: the plan it had fails (the move holds with the reason) and the next one is asked of a
new worker.

Processes are spawned, not forked: the station runs its scan loop in a thread, and a fork of a
threaded process may inherit a lock held by another thread.

The worker runs at the priority the station had before it raised its own
(:mod:`crane_ctrl.runtime.scan_priority`): a leg plan never takes a core from a scan.

A worker ends itself when the station's process is gone (killed: SIGKILL, out of memory), within
:data:`PARENT_CHECK_S`: it would otherwise wait forever on a queue it holds both ends of, one more
orphan at every restart of the station.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from types import TracebackType
from typing import ParamSpec, TypeVar

from crane_ctrl.runtime.scan_priority import back_to

__all__ = ["PLANNING_WORKERS", "START_WITHIN_S", "PlanningPool"]

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

PLANNING_WORKERS = 1
"""Worker processes per pool: one crane plans one leg at a time."""
START_WITHIN_S = 30.0
"""A worker must be up and have imported the planner within this long."""
STOP_WITHIN_S = 10.0
"""Shutting the workers down may take this long before they are left to the OS."""
PARENT_CHECK_S = 0.5
"""How often a worker looks whether the process that started it is still there, s."""


def _start_worker(parent: int, nice: int) -> None:
    """In the worker, first: back to nice ``nice``, and end with ``parent``."""
    back_to(nice)
    _end_with(parent)


def _end_with(parent: int) -> None:
    """In the worker: end this process once ``parent`` is no longer its parent (it died)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _warm_up() -> bool:
    """Import what the worker will plan with (in the worker)."""
    import crane_ctrl.motion.leg
    import crane_ctrl.motion.rope_calibration  # noqa: F401

    return True


class PlanningPool:
    """A :class:`~crane_ctrl.sequencer.planning.Planner` of worker processes."""

    def __init__(self, workers: int = PLANNING_WORKERS, *, nice: int | None = None) -> None:
        """``nice``: the workers' priority (the station's before it raised its own: see
        :mod:`crane_ctrl.runtime.scan_priority`); ``None``: this process's main thread's."""
        self._workers = workers
        self._nice = nice
        self._pool: ProcessPoolExecutor | None = None

    async def __aenter__(self) -> PlanningPool:
        self._pool = self._new_pool()
        ready = asyncio.wrap_future(self._pool.submit(_warm_up))
        try:
            await asyncio.wait_for(ready, START_WITHIN_S)
        except BaseException:
            await self._shut_down()
            raise
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self._shut_down()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Run ``fn(*args, **kwargs)`` in a worker; a broken pool is replaced first."""
        if self._pool is None:
            raise RuntimeError("the planning pool is not open")
        try:
            return self._pool.submit(fn, *args, **kwargs)
        except BrokenProcessPool:
            log.warning("planning worker died: starting a new one")
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            return self._pool.submit(fn, *args, **kwargs)

    def _new_pool(self) -> ProcessPoolExecutor:
        parent = os.getpid()
        base = self._nice
        if base is None:
            base = os.getpriority(os.PRIO_PROCESS, parent) if sys.platform == "linux" else 0
        return ProcessPoolExecutor(self._workers, mp_context=get_context("spawn"),
                                   initializer=_start_worker, initargs=(parent, base))  # fmt: skip

    async def _shut_down(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        stopped = asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
        try:
            await asyncio.wait_for(stopped, STOP_WITHIN_S)
        except TimeoutError:
            log.warning("planning workers did not stop within %.0f s", STOP_WITHIN_S)

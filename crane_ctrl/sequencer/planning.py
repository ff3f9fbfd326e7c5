"""Slow work the sequencer asks for and never waits on: leg plans, rope fits. Pure.

Planning a leg (shaping searches over the path) takes tens of milliseconds, a rope fit as much:
too long for a 50 ms scan. The sequencer hands such work to a :class:`Planner` and polls the
:class:`~concurrent.futures.Future` it gets back, one scan after another; it never blocks on
it. At run time the planner is a process pool
(:class:`~crane_ctrl.runtime.planning_pool.PlanningPool`), so the scan's interpreter is never
held; in lock-step tests and benches it is :class:`InlinePlanner`, which does the work at once,
so a plan arrives in the scan that asked for it and every run is the same.

A leg waiting for its plan holds zero references (the step says "planning", see
:class:`PendingPlan`); a plan asked for from a state the crane has since left is thrown away and
asked for again; one later than :data:`PLAN_LATE_S` is reported (the PLANNING_LATE alarm), and
one later than :data:`PLAN_GIVE_UP_S` holds the move for the operator. Work whose result only
improves later jobs (a rope fit) is :class:`Background`: its result is taken in when it comes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Generic, ParamSpec, Protocol, TypeVar

__all__ = [
    "PLAN_GIVE_UP_S",
    "PLAN_LATE_S",
    "Background",
    "InlinePlanner",
    "PendingPlan",
    "Planner",
]

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
K = TypeVar("K")

PLAN_LATE_S = 1.0
"""A plan not back this long after it was asked for is late: the PLANNING_LATE alarm (the crane
waits with zero references meanwhile; a plan takes well under 0.2 s on an idle machine)."""
PLAN_GIVE_UP_S = 10.0
"""A plan not back this long after it was asked for holds the move: the operator sees why and
UNHOLDs to ask again."""


class Planner(Protocol):
    """Runs slow work away from the scan (a :class:`concurrent.futures.Executor` is one)."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]: ...


class InlinePlanner:
    """Does the work at once, in the caller: the future is done when it is returned."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # the caller reads it from the future, as from a pool's
            future.set_exception(error)
        return future


@dataclass(slots=True)
class PendingPlan(Generic[K, T]):
    """A plan asked for and not yet taken: what it was asked from, when, and its future."""

    request: K
    """What the plan was asked from (start, goal, obstacles, rope): a plan is for this only."""
    asked_s: float
    future: Future[T]

    def late(self, now: float) -> bool:
        return not self.future.done() and now - self.asked_s > PLAN_LATE_S

    def given_up(self, now: float) -> bool:
        return not self.future.done() and now - self.asked_s > PLAN_GIVE_UP_S

    def drop(self) -> None:
        """Not wanted any more (the crane held, or left the state it was asked from)."""
        self.future.cancel()


@dataclass(slots=True)
class Background:
    """Work whose result is taken in whenever it comes (a rope fit): polled every scan."""

    _pending: list[tuple[Future[Any], Callable[[Any, float], None]]] = field(default_factory=list)

    def then(self, future: Future[T], take: Callable[[T, float], None], now: float) -> None:
        """Call ``take(result, now)`` once ``future`` is done (at once if it is already)."""
        self._pending.append((future, take))
        self.poll(now)

    def poll(self, now: float) -> None:
        """Take in every result that has come; a failed one is logged and dropped."""
        waiting: list[tuple[Future[Any], Callable[[Any, float], None]]] = []
        for future, take in self._pending:
            if not future.done():
                waiting.append((future, take))
            elif future.cancelled():
                continue
            elif (error := future.exception()) is not None:
                log.warning("background work failed: %s", error)
            else:
                take(future.result(), now)
        self._pending = waiting

    def __len__(self) -> int:
        return len(self._pending)

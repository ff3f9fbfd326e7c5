"""The scan's side of an edge node: where each view is left for the node, in constant time.

::

    handover = Handover[View](keep=256)
    handover.offer(view)                  # the scan: a slot replaced, an event set; never waits
    await handover.ready()                # the node's task, at its own pace:
    older, newest = handover.take()

:meth:`Handover.offer` keeps the view in a bounded ring (a ``deque`` with ``maxlen``) and sets
an event: no allocation that grows, no lock, no await, whatever the node's task is doing (busy
publishing to a slow broker, waiting for one that is away, or not scheduled at all). The node
takes the newest view to read in full and the ones before it, oldest first, whose event-like
metrics it reads so that no alarm change is lost between two of its looks. With ``keep=1``
only the newest is kept. A ring that is full forgets its oldest view (counted in
:attr:`Handover.dropped`): the node was away longer than ``keep`` views.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

__all__ = ["Handover"]

V = TypeVar("V")


class Handover(Generic[V]):
    """The newest view, and the ``keep - 1`` views before it the node has not taken yet."""

    def __init__(self, keep: int) -> None:
        if keep < 1:
            raise ValueError(f"`keep` must be at least 1 (the newest view), not {keep}")
        self._views: deque[V] = deque(maxlen=keep)
        self._fresh = asyncio.Event()
        self.offered = 0
        """Views offered since the start."""
        self.dropped = 0
        """Views pushed out of a full ring before the node took them."""

    def offer(self, view: V) -> None:
        """Leave ``view`` for the node: O(1), never waits, never raises."""
        views = self._views
        if len(views) == views.maxlen:
            self.dropped += 1
        views.append(view)
        self.offered += 1
        self._fresh.set()

    @property
    def fresh(self) -> bool:
        """A view is waiting that the node has not taken."""
        return self._fresh.is_set()

    @property
    def waiting(self) -> int:
        """Views kept for the node now (at most ``keep``)."""
        return len(self._views)

    async def ready(self) -> None:
        """Return once a view is waiting."""
        await self._fresh.wait()

    def take(self) -> tuple[list[V], V]:
        """The views before the newest (oldest first), and the newest; the ring is empty
        after. Only once :meth:`ready` (:attr:`fresh`)."""
        if not self._fresh.is_set():
            raise LookupError("no view waiting: await ready() first")
        self._fresh.clear()
        views = list(self._views)
        self._views.clear()
        return views[:-1], views[-1]

"""A stand-in terminal operating system for a demo block: random valid job orders that keep every
crane at work (``crane-ctrl fleet demo --orders``), over the same TOS interface a real one uses.

Each simulated crane has a yard of its own (the site file's), so each order is pinned to its
crane (the order's ``crane``). Per crane, the boxes that stand on trucks in the site file go to
a random free ground slot of the stack that takes their size and back to their truck, turn about,
one order at a time: the next goes out when the dispatcher reports the last one ``done``. A
refused one is given again to another slot after :data:`RETRY_S` (at most :data:`MAX_REFUSED`
in a row); a ``failed`` one ends that crane's orders (its box may hang on the spreader: the
crane's operator sorts it out), said in :attr:`DemoOrders.notes`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import aiomqtt

from crane_ctrl.fleet.broker import Broker, Credentials
from crane_ctrl.fleet.mqtt_client import mqtt_client
from crane_ctrl.fleet.session import KEEPALIVE_S
from crane_ctrl.fleet.tos_orders import events_topic, orders_topic
from crane_ctrl.site import SiteLayout, Slot, parse_slot

__all__ = ["Box", "DemoOrders"]

log = logging.getLogger(__name__)

RETRY_S = 5.0
"""After a refusal, the crane's next order goes out this much later."""
MAX_REFUSED = 3
"""Refusals in a row after which a crane gets no more orders."""
NETWORK_WITHIN_S = 5.0
ENDED = frozenset({"done", "failed", "refused", "cancelled"})


@dataclass(frozen=True, slots=True)
class Box:
    """A container the demo moves to and fro: where it stands at start (a truck), its size."""

    container: str
    home: str
    size_ft: int


@dataclass
class _Crane:
    """One crane's boxes (where each stands now), its order under way and its refusals."""

    name: str
    at: dict[str, str]
    turn: int = 0
    pending: str | None = None
    target: str = ""
    refused: int = 0
    done: int = 0
    stopped: str = ""


@dataclass
class _Yard:
    """What stands in a crane's stack besides the demo's boxes (ground cells: bay, row)."""

    site: SiteLayout
    fixed: frozenset[tuple[int, int]]
    boxes: dict[str, Box] = field(default_factory=dict)

    def free_slot(self, box: Box, at: dict[str, str], rng: random.Random) -> str:
        """A random ground slot of the stack that takes ``box`` and stands free."""
        taken = set(self.fixed)
        for other, where in at.items():
            if other != box.container:
                taken |= _cells(where, self.boxes[other].size_ft)
        stack = self.site.stack
        free = [f"stack:{bay}:{row}:1" for bay in range(1, stack.bays + 1)
                for row in range(1, stack.rows + 1)
                if stack.holds(bay, row, box.size_ft)
                and not _cells(f"stack:{bay}:{row}:1", box.size_ft) & taken]  # fmt: skip
        return rng.choice(free)


class DemoOrders:
    """The demo's TOS, owned by ``async with``: orders out, events in."""

    def __init__(self, broker: Broker, block: str, cranes: Iterable[str], boxes: Iterable[Box],
                 site: SiteLayout, standing: Iterable[tuple[str, int]], *,
                 credentials: Credentials | None = None,
                 seed: int | None = None) -> None:  # fmt: skip
        """``standing``: the slots (and sizes) of the stack's other boxes, kept clear."""
        self.broker, self.block, self.credentials = broker, block, credentials
        self._boxes = {b.container: b for b in boxes}
        fixed = frozenset(c for slot, size in standing for c in _cells(slot, size))
        self._yard = _Yard(site, fixed, self._boxes)
        self.cranes = {n: _Crane(n, {c: b.home for c, b in self._boxes.items()}) for n in cranes}
        self._rng = random.Random(seed)
        self._count = 0
        self._client: aiomqtt.Client | None = None
        self._task: asyncio.Task[None] | None = None
        self.notes: list[str] = []

    @property
    def done(self) -> int:
        """Orders done, every crane."""
        return sum(c.done for c in self.cranes.values())

    async def __aenter__(self) -> Self:
        client = mqtt_client(self.broker, self.credentials, timeout=NETWORK_WITHIN_S,
                             identifier=f"crane-ctrl-demo-tos-{self.block}",
                             keepalive=KEEPALIVE_S)  # fmt: skip
        async with asyncio.timeout(NETWORK_WITHIN_S * 2):
            await client.__aenter__()
        self._client = client
        try:
            await client.subscribe(events_topic(self.block), qos=1, timeout=NETWORK_WITHIN_S)
            for crane in self.cranes.values():
                await self._next(crane)
        except BaseException:
            await client.__aexit__(None, None, None)
            raise
        self._task = asyncio.create_task(self._events(client), name="demo TOS")
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._client is not None:
            try:
                async with asyncio.timeout(NETWORK_WITHIN_S):
                    await self._client.__aexit__(None, None, None)
            except (aiomqtt.MqttError, TimeoutError) as exc_:
                log.info("demo TOS: disconnect: %s", exc_)

    async def _events(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            try:
                event = json.loads(message.payload if isinstance(message.payload, bytes) else b"")
            except ValueError:
                continue
            if isinstance(event, dict):
                await self._take(event)

    async def _take(self, event: dict[str, Any]) -> None:
        kind, order = event.get("event"), event.get("order")
        crane = next((c for c in self.cranes.values() if c.pending == order), None)
        if crane is None or kind not in ENDED:
            return
        crane.pending = None
        if kind == "done":
            box = self._box_of(crane)
            crane.at[box.container], crane.done, crane.refused = crane.target, crane.done + 1, 0
            crane.turn += 1
        elif kind == "failed":
            crane.stopped = f"{crane.name}: order {order} failed ({event.get('reason')}): no more"
            self.notes.append(crane.stopped)
            return
        else:
            crane.refused += 1
            if crane.refused >= MAX_REFUSED:
                crane.stopped = f"{crane.name}: {MAX_REFUSED} orders refused in a row, the " \
                                f"last {event.get('reason')!r}: no more"  # fmt: skip
                self.notes.append(crane.stopped)
                return
            await asyncio.sleep(RETRY_S)  # the orders of other cranes wait too: a demo's pace
        await self._next(crane)

    def _box_of(self, crane: _Crane) -> Box:
        boxes = sorted(self._boxes)
        return self._boxes[boxes[crane.turn % len(boxes)]]

    async def _next(self, crane: _Crane) -> None:
        """Send ``crane`` its next order: its turn's box to a free slot, or back home."""
        assert self._client is not None
        box = self._box_of(crane)
        where = crane.at[box.container]
        to = self._yard.free_slot(box, crane.at, self._rng) if where == box.home else box.home
        self._count += 1
        order_id = f"DEMO-{crane.name}-{self._count}"
        crane.pending, crane.target = order_id, to
        doc = {"order": order_id, "container": box.container, "from": where, "to": to,
               "size_ft": box.size_ft, "crane": crane.name}  # fmt: skip
        await self._client.publish(orders_topic(self.block), json.dumps(doc), qos=1,
                                   timeout=NETWORK_WITHIN_S)  # fmt: skip


def _cells(slot_text: str, size_ft: int) -> frozenset[tuple[int, int]]:
    """The ground cells (bay, row) a box at ``slot_text`` stands on (none off the stack)."""
    slot: Slot = parse_slot(slot_text)
    if slot.area != "stack" or slot.name:
        return frozenset()
    bays = (slot.bay, slot.bay + 1) if size_ft > 20 else (slot.bay,)
    return frozenset((bay, slot.row) for bay in bays)

"""An edge node fed with a counter: one ``Tick`` per "scan", its ``Counter`` metric one more.

A data point lost anywhere shows as a missing counter value; :func:`counter_values` collects
what a host received of it (NBIRTH, NDATA, historical or not). Given ``events=tick_events`` the
node treats the counter like an alarm's state, whose every change is sent even when the node
reads only the newest of the ticks since its last look.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from crane_ctrl.fleet.broker import Broker
from crane_ctrl.fleet.edge_node import EdgeNode, EdgeNodeConfig
from crane_ctrl.fleet.payload import DataType
from crane_ctrl.fleet.reading import MetricDef, Reading
from crane_ctrl.fleet.topics import NodeTopics
from crane_ctrl.realtime import MonotonicClock
from tests.fleet.host import Received

COUNTER = "Counter"
TICK_DEFS = (MetricDef(COUNTER, DataType.INT64), MetricDef("Crane/Mode", DataType.STRING))
TOPICS = NodeTopics.of("block-A", "ASC-07")


@dataclass(frozen=True)
class Tick:
    n: int
    time_s: float


def tick_reading(tick: Tick) -> Reading:
    return Reading(tick.time_s, TICK_DEFS, {COUNTER: tick.n, "Crane/Mode": "auto"})


def tick_events(tick: Tick) -> Reading:
    """The counter as an event-like metric: every value is sent, none coalesced."""
    return Reading(tick.time_s, TICK_DEFS[:1], {COUNTER: tick.n})


def tick_config(port: int, store: Path | None, **changes: object) -> EdgeNodeConfig:
    """Quick to retry and to give up on a dead broker: the tests restart theirs."""
    settings: dict[str, object] = {"retry_min_s": 0.05, "retry_max_s": 0.2, "keepalive_s": 2,
                                   "replay_tail_s": 1.0, "look_every_s": 0.01,
                                   "network_within_s": 2.0, **changes}  # fmt: skip
    return EdgeNodeConfig(Broker("127.0.0.1", port), TOPICS, store, **settings)  # type: ignore[arg-type]


class Ticker:
    """Offers one tick every ``period_s`` (a scan loop's pace) until stopped."""

    def __init__(self, node: EdgeNode[Tick], clock: MonotonicClock, period_s: float = 0.01) -> None:
        self.node, self.clock, self.period_s = node, clock, period_s
        self.n = -1
        self.running = True

    async def run(self) -> None:
        while self.running:
            self.n += 1
            self.node.offer(Tick(self.n, self.clock.now()))
            await asyncio.sleep(self.period_s)  # the pace of a scan loop, not a wait for anything


@contextlib.asynccontextmanager
async def ticking(node: EdgeNode[Tick], clock: MonotonicClock,
                  period_s: float = 0.01) -> AsyncIterator[Ticker]:  # fmt: skip
    ticker = Ticker(node, clock, period_s)
    task = asyncio.create_task(ticker.run())
    try:
        yield ticker
    finally:
        ticker.running = False
        await task


def counter_values(received: list[Received], *, historical: bool | None = None) -> list[int]:
    """Every ``Counter`` value in NBIRTH and NDATA, in arrival order (``historical``: only
    those flagged so, or only those not)."""
    out: list[int] = []
    for r in received:
        if r.kind not in ("NBIRTH", "NDATA") or r.payload is None:
            continue
        for m in r.payload.metrics:
            if m.name == COUNTER and (historical is None or m.is_historical == historical):
                assert isinstance(m.value, int)
                out.append(m.value)
    return out

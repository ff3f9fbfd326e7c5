"""The scan's hand-over to the edge node: constant time and bounded memory however far behind the
node is, the newest view wins, and no event-like change of the views the ring kept is lost.

The "scan" here hands 10,000 views over in a row without awaiting anything: the node's task
cannot run at all meanwhile (the worst stall there is), while its broker is slow (accepts the
TCP connection, never answers) or, in the second test, a real Mosquitto that has the node born.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import tracemalloc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from crane_ctrl.clock import ManualClock
from crane_ctrl.fleet.edge_node import VIEW_QUEUE, EdgeNode
from crane_ctrl.fleet.payload import DataType
from crane_ctrl.fleet.reading import MetricDef, Reading
from crane_ctrl.realtime import MonotonicClock, wait_until
from tests.fleet.conftest import Mosquitto
from tests.fleet.host import Host, Received
from tests.fleet.ticks import Tick, tick_config, tick_events, tick_reading

BURST = 10_000
BLOCK = 1_000


@asynccontextmanager
async def silent_broker() -> AsyncIterator[int]:
    """A TCP listener on a free loopback port that takes connections and never answers (a
    broker too slow to send a CONNACK); yields its port."""

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.read()  # until the client gives up
        finally:
            writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]


def offer_time(node: EdgeNode[Tick], tick: Tick) -> float:
    started = time.perf_counter()
    node.offer(tick)
    return time.perf_counter() - started


async def test_handing_over_to_a_stalled_node_takes_constant_time_and_bounded_memory() -> None:
    """20,000 views to a node that cannot run: every block of 1,000 hand-overs has the same
    median time (microseconds; a reading takes a hundred), memory stays flat from the 1,000th
    view to the 10,000th, the ring holds ``VIEW_QUEUE`` views and counts those it forgot. Once the
    node runs it reads the newest view in full and the events of those the ring kept."""
    clock = MonotonicClock()
    async with silent_broker() as port:
        config = tick_config(port, None, network_within_s=0.5)  # leaving waits for the CONNECT
        async with EdgeNode(config, tick_reading, clock, events=tick_events) as node:
            times = [offer_time(node, Tick(n, clock.now())) for n in range(BURST)]
            settled = 0
            tracemalloc.start()
            try:
                for n in range(BURST, 2 * BURST):
                    node.offer(Tick(n, clock.now()))
                    if n == BURST + BLOCK:
                        settled, _ = tracemalloc.get_traced_memory()
                grown = tracemalloc.get_traced_memory()[0] - settled
            finally:
                tracemalloc.stop()
            assert node.stats.sessions == 0  # the broker never answered
            await wait_until(lambda: node.stats.stored == VIEW_QUEUE, within=10,
                             what="the ring's views stored")  # fmt: skip
            stats = node.stats
    medians = [statistics.median(times[i : i + BLOCK]) for i in range(0, BURST, BLOCK)]
    assert max(medians) < 50e-6, medians
    assert max(medians) < 5 * min(medians) + 2e-6, medians  # the 10,000th as quick as the 1st
    assert grown < 16_384, f"memory grew {grown} bytes over {BURST - BLOCK} hand-overs"
    assert stats.views_dropped == 2 * BURST - VIEW_QUEUE
    assert stats.views_coalesced == 2 * BURST - 1  # one view read in full: the newest
    # stored: one sample per kept view's event (the counter changes each time), the newest's
    assert stats.stored == VIEW_QUEUE


ALARM = "Alarms/HOIST_OVERLOAD"
MODE = "Crane/Mode"
COUNTER = "Counter"
DEFS = (MetricDef(COUNTER, DataType.INT64), MetricDef(MODE, DataType.STRING),
        MetricDef(ALARM, DataType.STRING))  # fmt: skip


@dataclass(frozen=True)
class View:
    n: int
    mode: str
    alarm: str

    @property
    def time_s(self) -> float:
        return self.n * 0.05  # one scan period apart


def read(view: View) -> Reading:
    return Reading(view.time_s, DEFS, {COUNTER: view.n, MODE: view.mode, ALARM: view.alarm})


def events(view: View) -> Reading:
    """The alarm's state is event-like: every change is sent."""
    return Reading(view.time_s, DEFS[2:], {ALARM: view.alarm})


def alarm_state(n: int) -> str:
    """Raised and cleared long before the burst's end (outside the ring), then raised,
    acknowledged and cleared within the last 256 views (inside it)."""
    if 100 <= n < 200 or 9_900 <= n < 9_950:
        return "unack"
    return "acked" if 9_950 <= n < 9_990 else "normal"


async def test_the_newest_view_wins_and_every_kept_alarm_change_is_sent(
    mosquitto: Mosquitto,
) -> None:
    """The node is born; then 10,000 views in a row. The next NDATA carries the newest view's
    counter and none before it; the mode that changed for one view and changed back is not
    sent (coalesced: the host's value is current again); the alarm's three changes in the
    views the ring kept are sent in order, each with its own view's time; the one outside the
    ring is lost and counted in ``Node Info/Views dropped``."""
    clock = ManualClock()
    async with (
        Host(mosquitto.port) as host,
        EdgeNode(tick_config(mosquitto.port, None), read, clock, events=events) as node,
    ):
        node.offer(View(0, "auto", "normal"))
        await host.until(lambda: bool(host.of("NBIRTH")), what="NBIRTH")
        for n in range(1, BURST + 1):
            node.offer(View(n, "manual" if n == 5_000 else "auto", alarm_state(n)))
        await host.until(lambda: any(not _historical(r) for r in host.of("NDATA")),
                         what="NDATA after the burst")  # fmt: skip
    (ndata,) = [r for r in host.of("NDATA") if not _historical(r)]
    assert ndata.payload is not None
    values = [(m.name, m.value) for m in ndata.payload.metrics]
    assert (COUNTER, BURST) in values
    assert [v for name, v in values if name == COUNTER] == [BURST]
    assert MODE not in {name for name, _ in values}
    alarms = [m for m in ndata.payload.metrics if m.name == ALARM]
    assert [m.value for m in alarms] == ["unack", "acked", "normal"]
    wall_ms = [round((n * 0.05 + clock.wall()) * 1000) for n in (9_900, 9_950, 9_990)]
    assert [m.timestamp_ms for m in alarms] == wall_ms
    assert ("Node Info/Views dropped", BURST - VIEW_QUEUE) in values


def _historical(r: Received) -> bool:
    return r.payload is not None and any(m.is_historical for m in r.payload.metrics)

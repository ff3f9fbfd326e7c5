"""Store and forward against a real Mosquitto: the broker restarted mid-stream, the primary host
away and back. Every counter value the node produced reaches the host (some twice: at least
once), those it could not send live as ``is_historical`` with the time they were taken. The
counter is an event-like metric here (``tick_events``, as an alarm's state is for a station):
none is coalesced away between two looks of the node."""

from __future__ import annotations

from pathlib import Path

from crane_ctrl.fleet.edge_node import EdgeNode
from crane_ctrl.fleet.payload import BD_SEQ
from crane_ctrl.realtime import MonotonicClock
from tests.fleet.conftest import Mosquitto
from tests.fleet.host import Host
from tests.fleet.ticks import counter_values, tick_config, tick_events, tick_reading, ticking

HOST_ID = "ops-centre"


def assert_nothing_lost(host: Host, last: int) -> None:
    values = counter_values(host.received)
    missing = sorted(set(range(last + 1)) - set(values))
    assert missing == [], f"{len(missing)} counter values never arrived: {missing[:20]}"


async def test_nothing_is_lost_across_a_broker_restart(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    """The broker stops while the node publishes; the node stores (on disk) what it cannot send;
    the broker starts again on the same port, the primary host comes back, the node is born
    again (bdSeq one more) and back-fills what it stored, flagged ``is_historical``."""
    clock = MonotonicClock()
    config = tick_config(mosquitto.port, tmp_path / "fleet.sqlite", primary_host=HOST_ID)
    async with (
        Host(mosquitto.port, HOST_ID) as host,
        EdgeNode(config, tick_reading, clock, events=tick_events) as node,
    ):
        async with ticking(node, clock) as ticker:
            await host.until(lambda: len(host.of("NDATA")) >= 20, what="NDATA")
            mosquitto.stop()
            stopped_at = ticker.n
            await host.until(lambda: node.stats.stored >= 30, what="30 samples stored")
            stored, restarted_at = node.stats.stored, ticker.n
            mosquitto.start()
            await host.until(lambda: len(host.of("NBIRTH")) == 2, within_s=15, what="rebirth")
            await host.until(lambda: node.stats.stored == 0 and ticker.n > stopped_at + 60,
                             what="store emptied")  # fmt: skip
        last = ticker.n
        await host.until(lambda: last in counter_values(host.received), what="the last value")
    first, second = host.of("NBIRTH")
    assert second.value(BD_SEQ) == first.value(BD_SEQ) + 1
    assert_nothing_lost(host, last)
    historical = counter_values(host.received, historical=True)
    assert len(historical) >= stored
    assert set(range(stopped_at + 1, restarted_at)) <= set(historical)
    for r in host.of("NDATA"):
        assert r.payload is not None
        stamps = [m.timestamp_ms for m in r.payload.metrics]
        assert None not in stamps
        if r.payload.metrics[0].is_historical:
            assert all(m.is_historical for m in r.payload.metrics)


async def test_a_node_with_a_primary_host_waits_for_it_to_be_online_before_its_birth(
    mosquitto: Mosquitto,
) -> None:
    """tck-id-message-flow-edge-node-birth-publish-phid-wait, -wait-id, -wait-online: no NBIRTH
    while the primary host has no ``STATE`` online (another host's does not count); then the
    NBIRTH, and what the node stored meanwhile as history."""
    clock = MonotonicClock()
    config = tick_config(mosquitto.port, None, primary_host=HOST_ID)
    async with (
        Host(mosquitto.port) as observer,
        Host(mosquitto.port, "someone-else"),
        EdgeNode(config, tick_reading, clock, events=tick_events) as node,
        ticking(node, clock) as ticker,
    ):
        await observer.until(lambda: node.stats.sessions == 1 and node.stats.stored >= 20,
                                 what="connected, storing")  # fmt: skip
        assert observer.of("NBIRTH") == []
        async with Host(mosquitto.port, HOST_ID):
            await observer.until(lambda: bool(observer.of("NBIRTH")), what="NBIRTH")
            await observer.until(lambda: node.stats.stored == 0, what="store emptied")
            last = ticker.n
            await observer.until(lambda: last in counter_values(observer.received),
                                     what="the last value")  # fmt: skip
    assert counter_values(observer.received, historical=True)[:3] == [0, 1, 2]
    assert_nothing_lost(observer, last)


async def test_primary_host_offline_means_ndeath_and_storing_until_it_is_back(
    mosquitto: Mosquitto,
) -> None:
    """tck-id-message-flow-edge-node-birth-publish-phid-offline and operational-behavior-edge-
    node-termination-host-offline: STATE offline (timestamp >= the online one's) -> NDEATH,
    disconnect, connect again (bdSeq one more) and store until the host is online again;
    -host-offline-timestamp: an older offline STATE is ignored."""
    clock = MonotonicClock()
    config = tick_config(mosquitto.port, None, primary_host=HOST_ID)
    async with (
        Host(mosquitto.port, HOST_ID) as host,
        EdgeNode(config, tick_reading, clock, events=tick_events) as node,
    ):
        async with ticking(node, clock) as ticker:
            await host.until(lambda: len(host.of("NDATA")) >= 10, what="NDATA")
            stale = b'{"online": false, "timestamp": 1}'  # older than the host's online STATE
            await host.publish(f"spBv1.0/STATE/{HOST_ID}", stale, qos=1, retain=True)
            await host.go_online()  # a round trip after the stale one: it was seen and ignored
            await host.until(lambda: len(host.of("STATE")) >= 3, what="our STATEs back")
            assert host.of("NDEATH") == []
            await host.go_offline()
            await host.until(lambda: bool(host.of("NDEATH")), what="NDEATH")
            await host.until(lambda: node.stats.sessions == 2 and node.stats.stored >= 20,
                             what="reconnected, storing")  # fmt: skip
            await host.go_online()
            await host.until(lambda: len(host.of("NBIRTH")) == 2, what="NBIRTH again")
            await host.until(lambda: node.stats.stored == 0, what="store emptied")
        last = ticker.n
        await host.until(lambda: last in counter_values(host.received), what="the last value")
    death = host.of("NDEATH")[0]  # (a second one may follow: the node's clean stop)
    first, second = host.of("NBIRTH")
    assert death.value(BD_SEQ) == first.value(BD_SEQ)
    assert second.value(BD_SEQ) == first.value(BD_SEQ) + 1
    assert_nothing_lost(host, last)
    assert node.stats.sessions == 2

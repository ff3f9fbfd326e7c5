"""The operations centre's primary host against a real Mosquitto on a free loopback port: its
STATE birth and will, edge nodes' births, data and deaths in its FleetView, and the rebirths it
asks for. The broker's log and an independent aiomqtt client (tests/fleet/host.py) witness."""

from __future__ import annotations

import json
import re
import statistics
import time
from pathlib import Path

import pytest

from crane_ctrl.errors import BrokerUnreachable
from crane_ctrl.fleet.edge_node import EdgeNode
from crane_ctrl.fleet.fleet_view import CraneKey, Presence
from crane_ctrl.fleet.payload import BD_SEQ, REBIRTH, DataType, HostState, Metric, Payload, encode
from crane_ctrl.fleet.primary_host import PrimaryHost
from crane_ctrl.fleet.topics import NodeTopics
from crane_ctrl.realtime import MonotonicClock, wait_until
from tests.fleet.conftest import Mosquitto, free_port
from tests.fleet.host import Host
from tests.fleet.ops_host_process import host_config, host_process
from tests.fleet.test_death import node_process
from tests.fleet.ticks import COUNTER, TOPICS, tick_config, tick_reading, ticking

STATE = "spBv1.0/STATE/ops"
CRANE = CraneKey(TOPICS.group, TOPICS.node)


def states(host: Host) -> list[HostState]:
    return [HostState.parse(r.data) for r in host.of("STATE") if r.topic == STATE]


async def test_the_host_is_born_online_retained_after_subscribing_and_its_will_says_offline(
    mosquitto: Mosquitto,
) -> None:
    """tck-id-host-topic-phid-birth-qos, -retain, -topic, -payload, -payload-timestamp,
    -birth-sub-required, -birth-required; -death-qos, -retain, -topic, -required, -payload,
    -payload-connect; message-flow-phid-sparkplug-clean-session-311, -subscription,
    -state-publish. The host process is killed (-9): the offline STATE is the will."""
    async with Host(mosquitto.port) as watcher, host_process(mosquitto.port, "ops") as process:
        await watcher.until(lambda: any(s.online for s in states(watcher)), what="STATE online")
        process.kill()
        await watcher.until(lambda: not states(watcher)[-1].online, what="STATE offline (will)")
    online, offline = states(watcher)[-2:]
    assert offline.timestamp_ms == online.timestamp_ms  # the CONNECT's time, in both
    assert abs(online.timestamp_ms - time.time() * 1000) < 60_000
    log = await mosquitto.logged("Received SUBSCRIBE from crane-ctrl-host-ops")
    assert set(mosquitto.published(STATE)) == {(1, 1)}
    assert re.search(r"as crane-ctrl-host-ops \(p2, c1, k2\)", log), log
    assert re.search(r"Will message specified \(\d+ bytes\) \(r1, q1\)\.\n\s*" + STATE, log), log
    subscribed = log.index("Received SUBSCRIBE from crane-ctrl-host-ops")
    assert subscribed < log.index("Received PUBLISH from crane-ctrl-host-ops (d0, q1, r1, m")
    assert json.loads(watcher.of("STATE")[-1].data) == {"online": False,
                                                        "timestamp": offline.timestamp_ms}  # fmt: skip


async def test_a_host_that_stops_says_offline_first_and_answers_an_offline_of_its_own(
    mosquitto: Mosquitto,
) -> None:
    """tck-id-message-flow-hid-sparkplug-state-message-delivered (a STATE offline on its own id:
    online again, same timestamp) and operational-behavior-host-application-termination (STATE
    offline, QoS 1, retained, before the DISCONNECT)."""
    clock = MonotonicClock()
    async with Host(mosquitto.port) as watcher:
        async with PrimaryHost(host_config(mosquitto.port), clock) as host:
            await host.connected(within_s=10)
            await watcher.until(lambda: len(states(watcher)) == 1, what="STATE online")
            stamp = states(watcher)[0].timestamp_ms
            await watcher.publish(STATE, HostState(False, stamp).encode(), qos=1, retain=True)
            await watcher.until(lambda: len(states(watcher)) == 3, what="STATE online again")
        await watcher.until(lambda: len(states(watcher)) == 4, what="STATE offline")
    assert [(s.online, s.timestamp_ms == stamp) for s in states(watcher)[:3]] == [
        (True, True), (False, True), (True, True)]  # fmt: skip
    assert not states(watcher)[3].online
    assert states(watcher)[3].timestamp_ms >= stamp
    log = await mosquitto.logged("Received DISCONNECT from crane-ctrl-host-ops")
    assert log.rindex("Received PUBLISH from crane-ctrl-host-ops") < log.index(
        "Received DISCONNECT from crane-ctrl-host-ops"
    )


async def test_a_node_s_birth_and_data_arrive_in_the_fleet_view(mosquitto: Mosquitto) -> None:
    """The view follows the node's counter; message-to-FleetView latency measured (node's read
    time to the view built after the message; same machine, same wall clock)."""
    clock = MonotonicClock()
    latencies: list[float] = []

    def measure() -> None:
        crane = host.view().crane(CRANE)
        point = None if crane is None else crane.metrics.get(COUNTER)
        if point is not None and point.timestamp_ms is not None:
            latencies.append(clock.wall() * 1000 - point.timestamp_ms)

    async with PrimaryHost(host_config(mosquitto.port), clock, on_message=measure) as host:
        await host.connected(within_s=10)
        async with (
            EdgeNode(tick_config(mosquitto.port, None), tick_reading, clock) as node,
            ticking(node, clock),
        ):
            await wait_until(lambda: len(latencies) >= 100, within=20, what="100 NDATA")
            crane = host.view().crane(CRANE)
    assert crane is not None
    assert (crane.presence, crane.births, crane.seq_gaps) == (Presence.ONLINE, 1, 0)
    assert crane.value("Crane/Mode") == "auto"
    assert isinstance(crane.value(COUNTER), int)
    assert crane.value(COUNTER) >= 90  # type: ignore[operator]
    p50, p99 = statistics.median(latencies), statistics.quantiles(latencies, n=100)[98]
    print(f"\nmessage to FleetView: p50 {p50:.1f} ms, p99 {p99:.1f} ms, n {len(latencies)}")
    assert p50 < 250, (p50, p99)


async def test_a_killed_node_shows_offline_within_its_keepalive(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    """kill -9 of the node's process: the broker publishes its will (NDEATH, bdSeq of its birth)
    and the crane's row goes offline (operational-behavior-edge-node-termination-host-action-
    ndeath-node-offline). Measured from the kill to the FleetView."""
    clock = MonotonicClock()
    keepalive_s = 2  # tick_config's
    async with PrimaryHost(host_config(mosquitto.port), clock) as host:
        await host.connected(within_s=10)
        async with node_process(mosquitto.port, tmp_path / "fleet.sqlite") as process:
            await wait_until(lambda: _presence(host) is Presence.ONLINE, within=20, what="born")
            process.kill()
            killed = time.monotonic()
            await wait_until(lambda: _presence(host) is Presence.OFFLINE, within=1.5 * keepalive_s
                             + 2, what="offline")  # fmt: skip
            seen_s = time.monotonic() - killed
    crane = host.view().crane(CRANE)
    assert crane is not None
    assert crane.why == f"NDEATH (bdSeq {crane.bd_seq})"
    print(f"\nkill -9 to offline in the FleetView: {seen_s * 1000:.0f} ms")
    assert seen_s < 1.5 * keepalive_s


def _presence(host: PrimaryHost) -> Presence | None:
    crane = host.view().crane(CRANE)
    return None if crane is None else crane.presence


async def test_a_seq_gap_or_data_before_a_birth_gets_an_ncmd_rebirth(mosquitto: Mosquitto) -> None:
    """tck-id-operational-behavior-host-reordering-rebirth (reorder timeout 0),
    operational-behavior-data-commands-ncmd-rebirth-verb, -name, -value; payloads-ncmd-qos,
    -retain, -timestamp, -seq (none). A hand-made node: NBIRTH, NDATA seq 1, then seq 3."""
    fake = NodeTopics.of("block-A", "FAKE")
    stranger = NodeTopics.of("block-A", "STRANGER")
    now = int(time.time() * 1000)
    nbirth = Payload(now, 0, (Metric(BD_SEQ, 0, DataType.INT64, timestamp_ms=now),
                              Metric(COUNTER, 0, DataType.INT64, 1, now)))  # fmt: skip

    def ndata(seq: int) -> bytes:
        return encode(
            Payload(now, seq, (Metric(None, seq, DataType.INT64, 1, now),)), datatypes=False
        )

    async with (
        Host(mosquitto.port) as watcher,
        PrimaryHost(host_config(mosquitto.port), MonotonicClock()) as host,
    ):
        await host.connected(within_s=10)
        await watcher.publish(fake.nbirth, encode(nbirth))
        await watcher.publish(fake.ndata, ndata(1))
        await watcher.publish(fake.ndata, ndata(3))
        await watcher.publish(stranger.ndata, ndata(7))
        await watcher.until(lambda: len(watcher.of("NCMD")) == 2, what="two NCMD")
        crane = host.view().crane(CraneKey("block-A", "FAKE"))
    assert crane is not None
    assert (crane.value(COUNTER), crane.seq_gaps) == (3, 1)
    for ncmd, topics in zip(watcher.of("NCMD"), (fake, stranger), strict=True):
        assert ncmd.topic == topics.ncmd
        assert ncmd.payload is not None
        assert ncmd.payload.seq is None
        assert ncmd.payload.timestamp_ms is not None
        assert [(m.name, m.value) for m in ncmd.payload.metrics] == [(REBIRTH, True)]
    assert set(mosquitto.published(fake.ncmd)) == {(0, 0)}


async def test_a_broker_that_is_not_there_is_said_with_the_fix() -> None:
    config = host_config(free_port())
    async with PrimaryHost(config, MonotonicClock()) as host:
        with pytest.raises(BrokerUnreachable, match=r"cannot reach the MQTT broker at mqtt://"
                           r"127\.0\.0\.1:\d+ within 0\.3 s .*start it \(mosquitto -p"):  # fmt: skip
            await host.connected(within_s=0.3)
        view = host.view()
    assert not view.host.connected


async def test_a_lost_broker_makes_every_crane_stale_and_the_host_comes_back_and_asks_them(
    mosquitto: Mosquitto,
) -> None:
    """The broker stops: the host says so and every crane is stale (the values kept, marked);
    the broker is back: the host is online again (STATE) and asks each crane it knew for a
    rebirth (NCMD), as the Sparkplug host rules want after a session is lost."""
    fake = NodeTopics.of("block-A", "FAKE")
    now = int(time.time() * 1000)
    nbirth = Payload(now, 0, (Metric(BD_SEQ, 0, DataType.INT64, timestamp_ms=now),
                              Metric(COUNTER, 5, DataType.INT64, 1, now)))  # fmt: skip
    key = CraneKey("block-A", "FAKE")
    async with PrimaryHost(host_config(mosquitto.port), MonotonicClock()) as host:
        await host.connected(within_s=10)
        async with Host(mosquitto.port) as node:
            await node.publish(fake.nbirth, encode(nbirth))
            await wait_until(lambda: _presence_of(host, key) is Presence.ONLINE, within=10)
        mosquitto.stop()
        await wait_until(lambda: not host.view().host.connected, within=10, what="lost")
        crane = host.view().crane(key)
        assert crane is not None
        assert (crane.presence, crane.value(COUNTER)) == (Presence.STALE, 5)
        assert "lost the broker" in crane.why
        mosquitto.start()  # the broker's log witnesses what the host sends when it is back
        await wait_until(lambda: bool(mosquitto.published(fake.ncmd)), within=10, what="NCMD")
        assert host.view().host.connected
        assert host.stats.sessions == 2
    assert mosquitto.published(fake.ncmd) == [(0, 0)]
    assert mosquitto.published(STATE).count((1, 1)) >= 3  # online, online again, offline


def _presence_of(host: PrimaryHost, key: CraneKey) -> Presence | None:
    crane = host.view().crane(key)
    return None if crane is None else crane.presence

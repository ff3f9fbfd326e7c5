"""An edge node against a real Mosquitto: NBIRTH, NDATA, seq, rebirth. One spec statement (by its
``tck-id``) or a close group of them per test; the host is aiomqtt, the broker's log a witness."""

from __future__ import annotations

import itertools
import re

from crane_ctrl.fleet.edge_node import EdgeNode
from crane_ctrl.fleet.payload import BD_SEQ, REBIRTH, DataType, decode
from crane_ctrl.realtime import MonotonicClock
from tests.fleet.conftest import Mosquitto
from tests.fleet.host import Host
from tests.fleet.ticks import (
    COUNTER,
    TOPICS,
    counter_values,
    tick_config,
    tick_events,
    tick_reading,
    ticking,
)


async def test_nbirth_declares_every_metric_with_bdseq_and_rebirth_false(
    mosquitto: Mosquitto,
) -> None:
    """tck-id-topics-nbirth-topic, -seq-num, -timestamp, -metric-reqs, -metrics,
    -bdseq-included, -rebirth-metric; operational-behavior-data-commands-rebirth-name-aliases,
    -datatype, -value; payloads-alias-birth-requirement."""
    clock = MonotonicClock()
    async with (
        Host(mosquitto.port) as host,
        EdgeNode(tick_config(mosquitto.port, None), tick_reading, clock) as node,
        ticking(node, clock),
    ):
        await host.until(lambda: bool(host.of("NBIRTH")), what="NBIRTH")
    birth = host.of("NBIRTH")[0]
    assert birth.topic == "spBv1.0/block-A/NBIRTH/ASC-07"
    assert birth.payload is not None
    assert birth.payload.seq == 0
    assert birth.payload.timestamp_ms is not None
    metrics = birth.payload.by_name()
    assert metrics[BD_SEQ].datatype is DataType.INT64
    assert metrics[BD_SEQ].value == 0
    rebirth = metrics[REBIRTH]
    assert (rebirth.datatype, rebirth.value, rebirth.alias) == (DataType.BOOLEAN, False, None)
    declared = {"Node Info/Views dropped", "Node Info/Store dropped", COUNTER, "Crane/Mode"}
    assert declared <= set(metrics)
    for name in declared:
        m = metrics[name]
        assert None not in (m.alias, m.datatype, m.value), m
    aliases = [m.alias for m in birth.payload.metrics if m.alias is not None]
    assert len(aliases) == len(set(aliases))  # tck-id-payloads-alias-uniqueness


async def test_nbirth_and_ndata_are_qos_0_not_retained_and_connect_is_clean(
    mosquitto: Mosquitto,
) -> None:
    """tck-id-topics-nbirth-mqtt, -ndata-mqtt, payloads-nbirth-qos/-retain, payloads-ndata-
    qos/-retain; message-flow-edge-node-ncmd-subscribe (QoS 1); the will (message-flow-edge-
    node-birth-publish-will-message-topic/-qos/-will-retained); clean session. Checked in the
    broker's own log, and by a late subscriber that is given no retained birth."""
    clock = MonotonicClock()
    async with (
        Host(mosquitto.port) as host,
        EdgeNode(tick_config(mosquitto.port, None), tick_reading, clock) as node,
        ticking(node, clock),
    ):
        await host.until(lambda: len(host.of("NDATA")) >= 3, what="NDATA")
        async with Host(mosquitto.port) as late:
            await late.until(lambda: bool(late.of("NDATA")), what="late NDATA")
            assert late.of("NBIRTH") == []
    assert set(mosquitto.published(TOPICS.nbirth)) == {(0, 0)}
    assert set(mosquitto.published(TOPICS.ndata)) == {(0, 0)}
    log = mosquitto.log()
    assert re.search(r"as crane-ctrl-block-A-ASC-07 \(p2, c1, k2\)", log), log
    assert re.search(r"Will message specified \(\d+ bytes\) \(r0, q1\)\.\n\s*spBv1.0/block-A/"
                     r"NDEATH/ASC-07", log), log  # fmt: skip
    assert re.search(r"Received SUBSCRIBE from crane-ctrl-block-A-ASC-07\n\s*spBv1.0/block-A/"
                     r"NCMD/ASC-07 \(QoS 1\)", log), log  # fmt: skip
    assert all(r.retain is False for r in host.received)


async def test_ndata_carries_only_changes_by_alias_with_seq_one_more_each_time(
    mosquitto: Mosquitto,
) -> None:
    """tck-id-topics-ndata-seq-num, payloads-sequence-num-incrementing (255 wraps to 0),
    topics-ndata-payload (only what changed), payloads-alias-data-cmd-requirement (alias, no
    name), payloads-metric-datatype-not-req, topics-ndata-timestamp. The counter is event-like
    (every value sent, several to an NDATA when the node looks less often than it ticks)."""
    clock = MonotonicClock()
    async with (
        Host(mosquitto.port) as host,
        EdgeNode(
            tick_config(mosquitto.port, None), tick_reading, clock, events=tick_events
        ) as node,
        ticking(node, clock, period_s=0.002),
    ):
        await host.until(lambda: len(host.of("NDATA")) >= 300, within_s=20, what="300 NDATA")
    seqs = [r.payload.seq for r in host.received if r.kind in ("NBIRTH", "NDATA") and r.payload]
    assert seqs[0] == 0
    assert all(b == (a + 1) % 256 for a, b in itertools.pairwise(seqs)), seqs
    assert 255 in seqs
    assert seqs.count(0) >= 2
    live = [r for r in host.of("NDATA") if r.payload and not r.payload.metrics[0].is_historical]
    for r in live:
        assert r.payload is not None
        assert r.payload.timestamp_ms is not None
        assert {m.name for m in r.payload.metrics} == {COUNTER}  # "Crane/Mode" never changes
        raw = decode(r.data).metrics[0]  # as on the wire, no NBIRTH to name it
        assert (raw.name, raw.datatype) == (None, None)
        assert raw.alias is not None
        assert raw.timestamp_ms is not None
    values = counter_values(host.received, historical=False)
    assert values == list(range(values[0], values[0] + len(values)))


async def test_rebirth_request_gets_a_new_nbirth_with_the_same_bdseq_and_seq_0(
    mosquitto: Mosquitto,
) -> None:
    """tck-id-operational-behavior-data-commands-rebirth-action-1/-2/-3 and payloads-nbirth-
    bdseq-repeat: NCMD ``Node Control/Rebirth`` true; the NBIRTH repeats the session's bdSeq,
    seq starts at 0 again, NDATA go on from 1."""
    clock = MonotonicClock()
    async with (
        Host(mosquitto.port) as host,
        EdgeNode(tick_config(mosquitto.port, None), tick_reading, clock) as node,
        ticking(node, clock),
    ):
        await host.until(lambda: len(host.of("NDATA")) >= 5, what="NDATA")
        await host.rebirth(TOPICS)
        await host.until(lambda: len(host.of("NBIRTH")) == 2, what="a second NBIRTH")
        await host.until(lambda: host.received[-1].kind == "NDATA", what="NDATA after it")
    first, second = host.of("NBIRTH")
    assert first.value(BD_SEQ) == second.value(BD_SEQ)
    assert second.payload is not None
    assert second.payload.seq == 0
    after = host.received[host.received.index(second) + 1]
    assert after.kind == "NDATA"
    assert after.payload is not None
    assert after.payload.seq == 1
    assert node.stats.sessions == 1

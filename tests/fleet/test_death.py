"""NDEATH: the will the broker publishes when a node dies, the one a node publishes when it
stops, and ``bdSeq`` across connects and restarts."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from crane_ctrl.fleet.edge_node import EdgeNode
from crane_ctrl.fleet.payload import BD_SEQ, DataType
from crane_ctrl.fleet.store_forward import NodeStore
from crane_ctrl.realtime import MonotonicClock
from tests.fleet.conftest import Mosquitto
from tests.fleet.host import Host
from tests.fleet.ticks import TOPICS, tick_config, tick_reading, ticking

ROOT = Path(__file__).resolve().parents[2]


@asynccontextmanager
async def node_process(port: int, store: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fleet.node_process", str(port), str(store), cwd=ROOT, env=env
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await asyncio.wait_for(process.wait(), 10)


async def test_a_killed_node_gets_its_ndeath_with_the_bdseq_of_its_nbirth(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    """tck-id-payloads-ndeath-will-message, -will-message-qos (delivered at QoS 1),
    topics-ndeath-topic, topics-ndeath-payload (bdSeq only), topics-ndeath-seq (no seq),
    payloads-ndeath-bdseq and topics-nbirth-bdseq-matching: the process is killed (-9), so
    the NDEATH can only be the will the broker held."""
    store = tmp_path / "fleet.sqlite"
    async with Host(mosquitto.port) as host:
        for round_ in (1, 2):
            async with node_process(mosquitto.port, store) as process:
                await host.until(lambda n=round_: len(host.of("NBIRTH")) == n, within_s=20,
                                 what=f"NBIRTH {round_}")  # fmt: skip
                process.kill()
                await host.until(lambda n=round_: len(host.of("NDEATH")) == n,
                                 what=f"NDEATH {round_}")  # fmt: skip
    births, deaths = host.of("NBIRTH"), host.of("NDEATH")
    for birth, death in zip(births, deaths, strict=True):
        assert death.topic == TOPICS.ndeath
        assert death.qos == 1
        assert not death.retain
        assert death.payload is not None
        assert death.payload.seq is None
        (only,) = death.payload.metrics
        assert (only.name, only.datatype) == (BD_SEQ, DataType.INT64)
        assert only.value == birth.value(BD_SEQ)
    # tck-id-topics-nbirth-bdseq-increment: 0 for the node's first CONNECT, one more after
    assert [b.value(BD_SEQ) for b in births] == [0, 1]


async def test_a_node_that_stops_publishes_its_ndeath_before_disconnecting(
    mosquitto: Mosquitto,
) -> None:
    """tck-id-operational-behavior-edge-node-intentional-disconnect-ndeath and payloads-ndeath-
    will-message-publisher-disconnect-mqtt311: a clean stop sends NDEATH (same bdSeq), then
    DISCONNECT (so the broker drops the will: one NDEATH, not two)."""
    clock = MonotonicClock()
    async with Host(mosquitto.port) as host:
        config = tick_config(mosquitto.port, None)
        async with EdgeNode(config, tick_reading, clock) as node, ticking(node, clock):
            await host.until(lambda: bool(host.of("NDATA")), what="NDATA")
        await host.until(lambda: bool(host.of("NDEATH")), what="NDEATH")
        async with Host(mosquitto.port) as witness:  # its round trip: the broker had time
            await witness.publish("spBv1.0/block-A/NCMD/nobody", b"")
            await witness.until(lambda: bool(witness.received), what="own message back")
    (death,) = host.of("NDEATH")
    assert death.value(BD_SEQ) == host.of("NBIRTH")[0].value(BD_SEQ)
    await mosquitto.logged("Received DISCONNECT from crane-ctrl-block-A-ASC-07")


async def test_bdseq_goes_on_counting_across_restarts_and_wraps_after_255(tmp_path: Path) -> None:
    """tck-id-message-flow-edge-node-birth-publish-will-message-payload-bdSeq: one more per
    CONNECT, 255 wraps to 0, kept in the node's store across processes."""
    path = tmp_path / "fleet.sqlite"

    def connects(store: NodeStore, count: int) -> list[int]:
        out = []
        for _ in range(count):
            out.append(store.next_bd_seq())
            store.used(out[-1])
        return out

    store = NodeStore(path)
    first = connects(store, 3)
    assert store.next_bd_seq() == 3  # until it is used (a refused TCP connect sends no CONNECT)
    store.close()
    store = NodeStore(path)
    later = connects(store, 300)
    store.close()
    assert first == [0, 1, 2]
    assert later[:2] == [3, 4]
    assert later[252:255] == [255, 0, 1]


async def test_a_node_left_by_an_exception_still_says_ndeath_before_it_disconnects(
    mosquitto: Mosquitto,
) -> None:
    """A DISCONNECT makes the broker drop the will, so an ending that is no clean stop (the
    station failed, the task was cancelled) must publish the NDEATH itself too."""
    clock = MonotonicClock()
    config = tick_config(mosquitto.port, None)

    async def fail() -> None:
        async with EdgeNode(config, tick_reading, clock) as node, ticking(node, clock):
            await host.until(lambda: bool(host.of("NDATA")), what="NDATA")
            raise RuntimeError("the station failed")

    async with Host(mosquitto.port) as host:
        with pytest.raises(RuntimeError, match="the station failed"):
            await fail()
        await host.until(lambda: bool(host.of("NDEATH")), what="NDEATH")
    assert host.of("NDEATH")[0].value(BD_SEQ) == host.of("NBIRTH")[0].value(BD_SEQ)

"""The node's store (bounded, oldest first, on disk) and its view ring (the scan never waits)."""

from __future__ import annotations

import inspect
import time
from pathlib import Path

from crane_ctrl.fleet.broker import Broker
from crane_ctrl.fleet.changes import Sample
from crane_ctrl.fleet.edge_node import VIEW_QUEUE, EdgeNode, EdgeNodeConfig
from crane_ctrl.fleet.metrics import station_events, station_reading
from crane_ctrl.fleet.payload import DataType, Metric
from crane_ctrl.fleet.sequence import Seq, next_bd_seq
from crane_ctrl.fleet.store_forward import NodeStore, store_path
from crane_ctrl.fleet.topics import NodeTopics
from crane_ctrl.runtime.station import StationView
from crane_ctrl.testing import StationRig
from tests.fleet.conftest import free_port
from tests.profile_texts import PROFILES


def sample(n: int) -> Sample:
    return Sample(1000 + n, (Metric("Counter", n, DataType.INT64, timestamp_ms=1000 + n),))


def counters(rows: list[tuple[tuple[int, int], Sample]]) -> list[int]:
    return [int(s.metrics[0].value or 0) for _, s in rows]


def test_the_store_gives_samples_back_oldest_first_and_reads_on_from_a_place(
    tmp_path: Path,
) -> None:
    store = NodeStore(tmp_path / "s.sqlite")
    store.put([sample(n) for n in (5, 3, 4)])
    store.put([sample(1)])  # stored late (a lost session's tail): still in time order
    rows = store.oldest(2)
    assert counters(rows) == [1, 3]
    assert counters(store.oldest(10, after=rows[-1][0])) == [4, 5]
    store.remove(place for place, _ in rows)
    assert (store.depth, counters(store.oldest(10))) == (2, [4, 5])
    store.close()
    again = NodeStore(tmp_path / "s.sqlite")  # on disk: a restarted process finds them
    assert counters(again.oldest(10)) == [4, 5]
    again.close()


def test_a_full_store_drops_its_oldest_samples_and_counts_them() -> None:
    store = NodeStore(None, capacity=100)
    store.put([sample(n) for n in range(130)])
    assert (store.depth, store.dropped) == (100, 30)
    assert counters(store.oldest(1)) == [30]


def test_the_store_lives_beside_the_journal_named_for_the_node(tmp_path: Path) -> None:
    path = store_path(tmp_path / "journal.sqlite", "block A", "ASC/7")
    assert path == tmp_path / "fleet-block_A-ASC_7.sqlite"


def test_seq_is_0_in_each_birth_then_one_more_per_message_wrapping_after_255() -> None:
    seq = Seq()
    assert seq.birth() == 0
    numbers = [seq.next() for _ in range(300)]
    assert numbers[:3] == [1, 2, 3]
    assert numbers[254:257] == [255, 0, 1]
    assert seq.birth() == 0
    assert seq.next() == 1
    assert [next_bd_seq(None), next_bd_seq(0), next_bd_seq(255)] == [0, 1, 0]


async def test_the_scan_only_leaves_its_view_in_a_ring_a_full_one_forgets_and_counts() -> None:
    """The edge node here is never entered: nobody takes views from its ring, its broker is a
    closed port. The station scans on regardless; the ring keeps the newest ``VIEW_QUEUE`` views
    (for their alarms' changes) and counts those it forgot."""
    config = EdgeNodeConfig(Broker("127.0.0.1", free_port()), NodeTopics.of("b", "n"))
    async with StationRig(PROFILES / "generic-modbus.toml") as rig:
        node: EdgeNode[StationView] = EdgeNode(
            config, station_reading, rig.lockstep.clock, None, events=station_events
        )
        assert not inspect.iscoroutinefunction(node.offer)
        rig.station.on_view = node.offer
        await rig.scan(VIEW_QUEUE + 40)
        offers = sorted(_offer_time(node, rig.view) for _ in range(1000))
    assert node.views_dropped == 40 + 1000
    assert node.stats.views_dropped == node.views_dropped
    assert offers[500] < 0.001  # the median offer: a slot filled (microseconds), never a publish


def _offer_time(node: EdgeNode[StationView], view: StationView) -> float:
    started = time.perf_counter()
    node.offer(view)
    return time.perf_counter() - started

"""What publishing costs a station's loop: a station's views (recorded on the lock-step rig, a
job running) handed over to an edge node on a real Mosquitto, against the same hand-over to
nothing.

    PYTHONPATH=$PWD python -m tests.fleet.bench_handover [--seconds 30] [--burst 2000]

Two runs of each: ``paced``, one view every 50 ms of real time (a station at work), and ``burst``,
one every 2 ms (views coming faster than the node reads them, as when the station's loop
catches up after a stall, or when lock-step tests scan faster than real time). Both runs of a
kind hand over the same views and do nothing else: the difference in process CPU time (user and
system: the loopback socket's work is counted too) is the node's. Prints one JSON line per run:
the hand-over call (``offer``) median and p99 in µs, the node's CPU per view handed over in µs,
the pacing timer's lateness p99 and max in ms (what the node delays a scan by: paced), NDATA
sent, views dropped, views the node did not read in full. Runs on any version of the edge node (``events`` is given when it takes it;
``--look-every`` only to one that has ``look_every_s``).
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from crane_ctrl.clock import ManualClock
from crane_ctrl.fleet import metrics
from crane_ctrl.fleet.broker import Broker
from crane_ctrl.fleet.edge_node import EdgeNode, EdgeNodeConfig
from crane_ctrl.fleet.topics import NodeTopics
from crane_ctrl.runtime.station import StationView
from crane_ctrl.site import Slot
from crane_ctrl.testing import StationRig
from tests.fleet.conftest import Mosquitto, free_port
from tests.profile_texts import PROFILES

PERIOD_S = 0.05
BURST_EVERY_S = 0.002
"""Views 25 times as often as the scan period: faster than the node looks."""


async def record(scans: int) -> list[StationView]:
    """``scans`` views of a station carrying out a job (the crane moving, its metrics changing)."""
    views: list[StationView] = []
    async with StationRig(PROFILES / "generic-modbus.toml") as rig:
        rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.stack(7, 3, 1), 40)
        await rig.start_automatic()
        rig.station.on_view = views.append
        await rig.scan(scans)
    return views


async def run(kind: str, views: list[StationView], port: int | None,
              look_every_s: float | None = None) -> dict[str, Any]:  # fmt: skip
    """Hand ``views`` over, paced or back to back, to a node on ``port`` (or to nothing)."""
    if port is None:
        return await _hand_over(kind, views, None)
    config = EdgeNodeConfig(Broker("127.0.0.1", port), NodeTopics.of("bench", "ASC-1"))
    if look_every_s is not None:
        config = replace(config, look_every_s=look_every_s)
    extra: dict[str, Any] = {"events": metrics.station_events} if _takes_events() else {}
    node: EdgeNode[StationView] = EdgeNode(config, metrics.station_reading, ManualClock(),
                                           **extra)  # fmt: skip
    async with node:
        await _born(views[0], node)
        result = await _hand_over(kind, views, node)
        stats = node.stats
    result.update(ndata=stats.data_messages, dropped=stats.views_dropped,
                  coalesced=getattr(stats, "views_coalesced", None))  # fmt: skip
    return result


async def _hand_over(
    kind: str, views: list[StationView], node: EdgeNode[StationView] | None
) -> dict[str, Any]:
    offers: list[float] = []
    loop = asyncio.get_running_loop()
    late: list[float] = []
    cpu = os.times()
    due = loop.time()
    for view in views:
        if kind == "paced":
            due += PERIOD_S
            await asyncio.sleep(max(due - loop.time(), 0.0))
            late.append(loop.time() - due)
        else:
            await asyncio.sleep(BURST_EVERY_S)
        if node is not None:
            started = time.perf_counter()
            node.offer(view)
            offers.append(time.perf_counter() - started)
    await asyncio.sleep(PERIOD_S * 2)  # the node's last look
    end = os.times()
    user, system = end.user - cpu.user, end.system - cpu.system
    out: dict[str, Any] = {"kind": kind, "node": node is not None, "views": len(views),
                           "cpu_s": round(user + system, 3), "sys_s": round(system, 3)}  # fmt: skip
    if offers:
        offers.sort()
        out["offer_us_p50"] = round(statistics.median(offers) * 1e6, 2)
        out["offer_us_p99"] = round(offers[int(len(offers) * 0.99)] * 1e6, 2)
    if late:
        late.sort()
        out["late_ms_p99"] = round(late[int(len(late) * 0.99)] * 1000, 2)
        out["late_ms_max"] = round(late[-1] * 1000, 2)
    return out


async def _born(view: StationView, node: EdgeNode[StationView]) -> None:
    """Offer ``view`` until the node is born (10 s at most)."""
    for _ in range(round(10.0 / PERIOD_S)):
        if node.stats.births:
            return
        node.offer(view)
        await asyncio.sleep(PERIOD_S)
    raise TimeoutError("the edge node was not born within 10 s")


def _takes_events() -> bool:
    return "events" in inspect.signature(EdgeNode.__init__).parameters


async def main(seconds: float, burst: int, look_every_s: float | None) -> None:
    views = await record(max(round(seconds / PERIOD_S), burst))
    with tempfile.TemporaryDirectory() as workdir:
        broker = Mosquitto(free_port(), Path(workdir))
        broker.start()
        try:
            for kind, count in (("paced", round(seconds / PERIOD_S)), ("burst", burst)):
                bare = await run(kind, views[:count], None)
                with_node = await run(kind, views[:count], broker.port, look_every_s)
                node_us = (with_node["cpu_s"] - bare["cpu_s"]) / count * 1e6
                print(json.dumps(bare))
                print(json.dumps({**with_node, "node_cpu_us_per_view": round(node_us, 1),
                                  "loadavg": os.getloadavg()[0]}))  # fmt: skip
        finally:
            broker.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--look-every", type=float, default=None,
                        help="the node's EdgeNodeConfig.look_every_s (default: its own)")  # fmt: skip
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.burst, args.look_every))

"""A job order from a TOS to done, over a real Mosquitto: the TOS (a plain aiomqtt client, and
``mosquitto_pub``, a tool we did not write) publishes JSON orders; the dispatcher gives them to
the block's crane (a station in lock-step, an edge node on the broker) as its own user; the TOS
gets accepted, progress by TIC 4.0 step in order, done; the journal shows who added the job."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiomqtt

from crane_ctrl.fleet.broker import Broker
from crane_ctrl.fleet.dispatch_service import DispatchConfig, DispatchService
from crane_ctrl.fleet.dispatcher import Phase
from crane_ctrl.fleet.fleet_view import CraneKey
from crane_ctrl.fleet.order_store import OrderStore
from crane_ctrl.fleet.tos_orders import events_topic, orders_topic
from crane_ctrl.operation.roles import MIN_ITERATIONS, Roles, hash_pin
from crane_ctrl.realtime import MonotonicClock, wait_until
from tests.fleet.conftest import Mosquitto
from tests.fleet.ops import PINS, ROLE_OF, TOPICS, Ops, ops_station

BLOCK = TOPICS.group
USER, PIN = "tos-dispatch", "Dp4-pin-Qv"
ORDER: dict[str, Any] = {"order": "ORD-1", "container": "MSKU1234565", "from": "truck:T1",
                         "to": "stack:1:1:1", "size_ft": 40}  # fmt: skip


class Tos:
    """A terminal operating system's end: publishes orders, collects events."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.events: list[dict[str, Any]] = []
        self._client: aiomqtt.Client | None = None

    @contextlib.asynccontextmanager
    async def connected(self) -> AsyncIterator[Tos]:
        async with aiomqtt.Client("127.0.0.1", self.port, timeout=5, identifier="test-tos",
                                  clean_session=True) as client:  # fmt: skip
            await client.subscribe(events_topic(BLOCK), qos=1, timeout=5)
            self._client = client
            reader = asyncio.create_task(self._read(client))
            try:
                yield self
            finally:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reader

    async def _read(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            assert isinstance(message.payload, bytes)
            self.events.append(json.loads(message.payload))

    async def send(self, doc: dict[str, Any]) -> None:
        assert self._client is not None
        await self._client.publish(orders_topic(BLOCK), json.dumps(doc), qos=1, timeout=5)

    def of(self, order: str, event: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self.events if e["order"] == order and event in (None, e["event"])]


def _with_dispatcher_user(ops: Ops, path: Path) -> None:
    """The station's roles file gets the dispatcher's own operator login."""
    users = {**PINS, USER: PIN}
    text = "\n".join(f'[users.{name}]\nrole = "{ROLE_OF.get(name, "operator")}"\npin_hash = '
                     f'"{hash_pin(pin, iterations=MIN_ITERATIONS)}"\n'
                     for name, pin in users.items())  # fmt: skip
    path.write_text(text)
    ops.rig.station.sessions.roles = Roles.load(path)


async def _scan_until(ops: Ops, condition: Callable[[], bool], *, within_s: float,
                      what: str) -> None:  # fmt: skip
    """Scan the station (lock-step) until ``condition``; each scan yields to the loop, so the
    node, the dispatcher and the broker's clients get their turn. ``within_s`` is crane time;
    what travels over the broker (a login's round trips, an order) takes real time, which a
    lock-step crane can outrun on a busy machine: with the crane time spent, the crane stands
    still and the test waits on, up to :data:`REAL_FLOOR_S` of wall time in all."""
    started, scans = time.monotonic(), round(within_s / ops.rig.lockstep.period_s)
    for _ in range(scans):
        if condition():
            return
        await ops.rig.scan()
        await asyncio.sleep(0)  # (a turn for the node, the dispatcher and the broker's clients)
    left_s = max(0.0, REAL_FLOOR_S - (time.monotonic() - started))
    try:
        await wait_until(condition, within=left_s)
    except TimeoutError:
        raise TimeoutError(f"{what} not within {within_s} s of crane time "
                           f"(and {REAL_FLOOR_S:g} s of wall time)") from None  # fmt: skip


REAL_FLOOR_S = 30.0
"""The least wall time :func:`_scan_until` waits before it gives up."""


async def test_a_tos_order_goes_to_done_with_progress_by_tic_step(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    tos = Tos(mosquitto.port)
    config = DispatchConfig(Broker("127.0.0.1", mosquitto.port), BLOCK, USER, PIN,
                            tmp_path / "orders.sqlite", within_s=5.0, tick_s=0.1)  # fmt: skip
    async with ops_station(mosquitto, tmp_path) as ops, tos.connected():
        _with_dispatcher_user(ops, tmp_path / "roles-dispatch.toml")
        await ops.rig.start_automatic()
        async with DispatchService(config, MonotonicClock()) as service:
            await ops.host.rebirth(TOPICS)  # the dispatcher's host sees the crane born
            crane = CraneKey(BLOCK, TOPICS.node)
            await _scan_until(ops, lambda: _online(service, crane), within_s=10, what="online")
            await tos.send(ORDER)
            await _scan_until(ops, lambda: bool(tos.of("ORD-1", "accepted")), within_s=30,
                              what="accepted")  # fmt: skip
            await _mosquitto_pub(mosquitto.port, {**ORDER, "order": "ORD-2", "from": "truck:T2",
                                                  "to": "stack:9:2:1", "priority": 9})  # fmt: skip
            await _scan_until(ops, lambda: bool(tos.of("ORD-2", "accepted")), within_s=30,
                              what="ORD-2 accepted")  # fmt: skip
            await tos.send({"type": "cancel", "order": "ORD-2"})
            await tos.send(ORDER)  # the same order again: one order
            await tos.send({**ORDER, "size_ft": 20})  # the same id, other content
            await _scan_until(ops, lambda: bool(tos.of("ORD-1", "done")), within_s=400,
                              what="ORD-1 done")  # fmt: skip
            await _scan_until(ops, lambda: bool(tos.of("ORD-2", "cancelled")), within_s=10,
                              what="ORD-2 cancelled")  # fmt: skip
            assert service.dispatcher.orders["ORD-1"].phase is Phase.DONE
    one = [(e["event"], e.get("step")) for e in tos.of("ORD-1")]
    assert one[0] == ("accepted", None)
    assert ("status", None) in one
    assert ("refused", None) in one
    assert [s for e, s in one if e == "progress"] == [
        "movingtocollect",
        "readytocollect",
        "movingtodeliver",
        "readytodeliver",
    ]
    assert one[-1] == ("done", None)
    assert tos.of("ORD-1", "accepted")[0]["crane"] == "ASC-07"
    assert tos.of("ORD-1", "refused")[0]["field"] == "order"
    assert [e["event"] for e in tos.of("ORD-2")] == ["accepted", "cancelled"]
    added = [v for s, v in ops.operator_events(f"ops:{config.host_id}") if s == "add job ORD-1"]
    assert [(v["user"], v["result"], v["container"]) for v in added] == [
        (USER, "done", "MSKU1234565")
    ]
    with OrderStore(config.store) as store:  # a restart would find them
        stored = {t.order.id: t.phase for t in store.load()}
    assert stored == {"ORD-1": Phase.DONE, "ORD-2": Phase.CANCELLED}
    assert PIN not in "".join(mosquitto.log()) + (tmp_path / "orders.sqlite").read_text(
        errors="replace"
    )


def _online(service: DispatchService, crane: CraneKey) -> bool:
    view = service.view().crane(crane)
    return view is not None and view.online


async def _mosquitto_pub(port: int, doc: dict[str, Any]) -> None:
    tool = shutil.which("mosquitto_pub") or "/usr/bin/mosquitto_pub"
    proc = await asyncio.create_subprocess_exec(
        tool, "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-t", orders_topic(BLOCK),
        "-m", json.dumps(doc), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), 10)
    assert proc.returncode == 0, out

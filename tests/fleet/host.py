"""A Sparkplug host application for tests, on aiomqtt (not our edge node's code path).

It subscribes to ``spBv1.0/#`` and decodes every message (NDATA by the aliases of the node's
last NBIRTH). With a ``host_id`` it is a primary host as the spec has it: its will is ``STATE``
offline (QoS 1, retained) with the connect time, and right after subscribing it publishes
``STATE`` online with the same time (QoS 1, retained). It reconnects when the broker comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Self

import aiomqtt

from crane_ctrl.fleet.payload import (
    REBIRTH,
    DataType,
    HostState,
    Metric,
    Payload,
    aliases_of,
    decode,
    encode,
)
from crane_ctrl.fleet.topics import MessageType, NodeTopics, state_topic
from crane_ctrl.realtime import wait_until

RETRY_S = 0.05
"""How soon the host tries the broker again (the test's broker restarts in well under 1 s)."""


@dataclass(frozen=True)
class Received:
    topic: str
    kind: str
    """NBIRTH, NDATA, NDEATH, NCMD, or STATE."""
    payload: Payload | None
    """``None`` for STATE (JSON)."""
    qos: int
    retain: bool
    at: float
    """When it arrived (time.monotonic)."""
    data: bytes = b""
    """The payload as it came (to check what is not on the wire)."""

    def value(self, name: str) -> object:
        return self.payload.by_name()[name].value if self.payload else None


class Host:
    """Collects what arrives; a primary host when given ``host_id``."""

    def __init__(self, port: int, host_id: str | None = None, *, qos: int = 1) -> None:
        self.port = port
        self.host_id = host_id
        self.qos = qos
        self.received: list[Received] = []
        self.connections = 0
        self.online_stamp = 0
        self._aliases: dict[str, dict[int, Metric]] = {}
        self._client: aiomqtt.Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._run())
        await self.connected(within_s=10)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def connected(self, *, within_s: float) -> None:
        await asyncio.wait_for(self._ready.wait(), within_s)

    async def _run(self) -> None:
        while True:
            try:
                await self._session()
            except aiomqtt.MqttError:
                self._ready.clear()
            await asyncio.sleep(RETRY_S)  # the broker is down: try again soon

    async def _session(self) -> None:
        stamp = int(time.time() * 1000)
        will = None
        if self.host_id is not None:
            will = aiomqtt.Will(state_topic(self.host_id), HostState(False, stamp).encode(),
                                qos=1, retain=True)  # fmt: skip
        async with aiomqtt.Client("127.0.0.1", self.port, will=will, clean_session=True,
                                  timeout=5, identifier=f"test-host-{id(self)}") as client:  # fmt: skip
            await client.subscribe("spBv1.0/#", qos=self.qos)
            if self.host_id is not None:
                self.online_stamp = stamp
                await client.publish(state_topic(self.host_id), HostState(True, stamp).encode(),
                                     qos=1, retain=True)  # fmt: skip
            self._client = client
            self.connections += 1
            self._ready.set()
            async for message in client.messages:
                self._take(message)

    def _take(self, message: aiomqtt.Message) -> None:
        topic = message.topic.value
        parts = topic.split("/")
        kind = parts[1] if parts[1] == "STATE" else parts[2]
        data = message.payload if isinstance(message.payload, bytes) else b""
        payload = None
        if kind != "STATE":
            node = "/".join((parts[1], parts[3]))
            payload = decode(data, self._aliases.get(node))
            if kind == "NBIRTH":
                self._aliases[node] = aliases_of(payload)
        self.received.append(Received(topic, kind, payload, message.qos, message.retain,
                                      time.monotonic(), data))  # fmt: skip

    # --- what the tests ask

    def of(self, kind: str, topics: NodeTopics | None = None) -> list[Received]:
        return [r for r in self.received if r.kind == kind and
                (topics is None or kind == "STATE" or r.topic == topics.topic(MessageType(kind)))]  # fmt: skip

    async def until(self, condition: Callable[[], bool], *, within_s: float = 10,
                    what: str = "condition") -> None:  # fmt: skip
        await wait_until(condition, within=within_s, what=what)

    async def publish(self, topic: str, payload: bytes, *, qos: int = 0, retain: bool = False
                      ) -> None:  # fmt: skip
        assert self._client is not None
        await self._client.publish(topic, payload, qos=qos, retain=retain, timeout=5)

    async def rebirth(self, topics: NodeTopics) -> None:
        """NCMD ``Node Control/Rebirth`` = true, as a host asks for it."""
        ncmd = Payload(int(time.time() * 1000), None,
                       (Metric(REBIRTH, True, DataType.BOOLEAN),))  # fmt: skip
        await self.publish(topics.ncmd, encode(ncmd))

    async def go_offline(self) -> None:
        """Publish our own STATE offline (as the broker would our will)."""
        assert self.host_id is not None
        state = HostState(False, self.online_stamp).encode()
        await self.publish(state_topic(self.host_id), state, qos=1, retain=True)

    async def go_online(self) -> None:
        assert self.host_id is not None
        self.online_stamp = int(time.time() * 1000)
        state = HostState(True, self.online_stamp).encode()
        await self.publish(state_topic(self.host_id), state, qos=1, retain=True)

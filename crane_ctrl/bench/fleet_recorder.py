"""Every value of one metric that reaches a host application, live or ``is_historical``: the
bench's count of what crossed a broker outage (``crane-ctrl bench fleet``).

A Sparkplug host application of its own on the broker (not primary: the cranes wait for the
operations centre's host, not for this one), subscribed to the block's NBIRTH and NDATA at QoS 1
(they arrive at the QoS 0 they were sent with), decoding them with the fleet's own payload module
and each node's birth aliases. It connects again at once (:data:`RETRY_S`) after the broker is
lost, so it is back before the cranes are born again and see every back-filled value. The
operations centre's view keeps only a crane's last 500 historical values: a 30 s outage of a
crane at work back-fills thousands, so the count is kept here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import aiomqtt

from crane_ctrl.errors import PayloadError
from crane_ctrl.fleet.broker import Broker
from crane_ctrl.fleet.fleet_model import parse_topic
from crane_ctrl.fleet.mqtt_client import mqtt_client
from crane_ctrl.fleet.payload import Metric, aliases_of, decode
from crane_ctrl.fleet.session import KEEPALIVE_S
from crane_ctrl.fleet.topics import MessageType

__all__ = ["Point", "Recorder", "recording"]

log = logging.getLogger(__name__)

RETRY_S = 0.1
"""Wait before connecting again: shorter than the cranes' first (0.2 s) and the host's."""
NETWORK_WITHIN_S = 5.0


@dataclass(frozen=True, slots=True)
class Point:
    """One value of the metric as a crane read it."""

    value: object
    timestamp_ms: int | None
    historical: bool


@dataclass
class Recorder:
    """What :func:`recording` has seen, per crane (node id)."""

    metric: str
    points: dict[str, list[Point]] = field(default_factory=dict)
    births: dict[str, list[float]] = field(default_factory=dict)
    """The wall time of each NBIRTH seen, per crane."""
    largest_payload: int = 0
    """Bytes of the largest NBIRTH or NDATA seen."""
    _aliases: dict[str, dict[int, Metric]] = field(default_factory=dict)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def until(self, test: Callable[[], bool], *, within_s: float) -> bool:
        """Whether ``test`` came true (looked at after each message) within ``within_s``."""
        try:
            async with asyncio.timeout(within_s):
                while not test():
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            return False
        return True

    def take(self, topic: str, data: bytes) -> None:
        where = parse_topic(topic)
        if where is None or where[0] not in (MessageType.NBIRTH, MessageType.NDATA):
            return
        kind, crane = where[0], where[1].node
        self._changed.set()
        self.largest_payload = max(self.largest_payload, len(data))
        try:
            payload = decode(data, self._aliases.get(crane))
        except PayloadError as exc:
            log.warning("bench recorder: %s: %s", topic, exc)
            return
        if kind is MessageType.NBIRTH:
            self._aliases[crane] = aliases_of(payload)
            self.births.setdefault(crane, []).append(time.time())
        for m in payload.metrics:
            if m.name == self.metric:
                point = Point(m.value, m.timestamp_ms, m.is_historical)
                self.points.setdefault(crane, []).append(point)


@contextlib.asynccontextmanager
async def recording(broker: Broker, group: str, metric: str) -> AsyncIterator[Recorder]:
    """Record ``metric`` of every crane of ``group`` while the block runs."""
    recorder = Recorder(metric)
    task = asyncio.create_task(_sessions(broker, group, recorder), name="bench recorder")
    try:
        yield recorder
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _sessions(broker: Broker, group: str, recorder: Recorder) -> None:
    while True:
        try:
            client = mqtt_client(broker, None, identifier=f"bench-rec-{group}",
                                 keepalive=KEEPALIVE_S, timeout=NETWORK_WITHIN_S)  # fmt: skip
            async with client:
                for kind in ("NBIRTH", "NDATA"):
                    await client.subscribe(f"spBv1.0/{group}/{kind}/+", qos=1,
                                           timeout=NETWORK_WITHIN_S)  # fmt: skip
                async for message in client.messages:
                    data = message.payload if isinstance(message.payload, bytes) else b""
                    recorder.take(message.topic.value, data)
        except aiomqtt.MqttError as exc:
            log.info("bench recorder: %s", exc)
        await asyncio.sleep(RETRY_S)  # the broker is away: try again soon, nothing to wait on

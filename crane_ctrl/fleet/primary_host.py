"""The operations centre as a Sparkplug B primary host application on the MQTT broker.

::

    async with PrimaryHost(config, clock) as host:
        await host.connected(within_s=10)       # BrokerUnreachable if the broker is not there
        view = host.view()                      # the fleet now: an immutable FleetView

One task owns the session. It connects (MQTT 3.1.1, clean session) with its death certificate as
the will: ``spBv1.0/STATE/<host id>`` ``{"online": false, "timestamp": T}``, QoS 1, retained,
T the time of the CONNECT. It subscribes to the fleet's topics (``spBv1.0/#``, or one group's and
its own STATE) at QoS 1, then publishes its birth: the same topic, ``{"online": true,
"timestamp": T}``, QoS 1, retained (``tck-id-host-topic-phid-birth-*``, ``-death-*``,
``tck-id-message-flow-phid-sparkplug-subscription``, ``-state-publish``). Edge nodes waiting for
this primary host are born then. A STATE offline of this session delivered to it is answered
with the birth again (``tck-id-message-flow-hid-sparkplug-state-message-delivered``); leaving the
``async with`` publishes STATE offline before a clean DISCONNECT
(``tck-id-operational-behavior-host-application-termination``).

Every message goes to the :class:`~crane_ctrl.fleet.fleet_model.FleetModel` as it comes; the
rebirths it asks for go out as NCMD ``Node Control/Rebirth`` true (QoS 0, not retained, a
timestamp, no ``seq``). The only NCMD this module sends. A lost broker: every crane is stale,
and the host connects again with a backoff (:class:`~crane_ctrl.fleet.session.Reconnector`,
which the edge node uses too). Every network call has a deadline.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self

import aiomqtt

from crane_ctrl.clock import Clock
from crane_ctrl.errors import BrokerUnreachable, PayloadError
from crane_ctrl.fleet.broker import Broker, Credentials
from crane_ctrl.fleet.fleet_model import REBIRTH_EVERY_S, FleetModel, RebirthAsk
from crane_ctrl.fleet.fleet_view import FleetView
from crane_ctrl.fleet.payload import REBIRTH, DataType, HostState, Metric, Payload, encode
from crane_ctrl.fleet.session import (
    KEEPALIVE_S,
    NETWORK_WITHIN_S,
    RETRY_MAX_S,
    RETRY_MIN_S,
    Reconnector,
)
from crane_ctrl.fleet.topics import NAMESPACE, NodeTopics, check_id, state_topic

__all__ = ["HostStats", "PrimaryHost", "PrimaryHostConfig"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PrimaryHostConfig:
    """Where the broker is, who the host is, which cranes it watches."""

    broker: Broker
    host_id: str
    group: str | None = None
    """Watch one group (yard block) only; ``None``: every group on the broker."""
    credentials: Credentials | None = None
    keepalive_s: int = KEEPALIVE_S
    network_within_s: float = NETWORK_WITHIN_S
    retry_min_s: float = RETRY_MIN_S
    retry_max_s: float = RETRY_MAX_S
    rebirth_every_s: float = REBIRTH_EVERY_S

    def __post_init__(self) -> None:
        check_id(self.host_id, "the host id (--host-id)")
        if self.group is not None:
            check_id(self.group, "the group id (--group)")

    @property
    def state_topic(self) -> str:
        return state_topic(self.host_id)

    @property
    def subscriptions(self) -> tuple[str, ...]:
        """Its own STATE first, then the fleet's messages."""
        fleet = f"{NAMESPACE}/#" if self.group is None else f"{NAMESPACE}/{self.group}/#"
        return self.state_topic, fleet

    @property
    def client_id(self) -> str:
        """Fixed per host id: a new connection of the same host takes over a half-dead one."""
        return f"crane-ctrl-host-{self.host_id}"


@dataclass(frozen=True, slots=True)
class HostStats:
    """What the host has done, for status lines and tests."""

    connected: bool
    sessions: int
    messages: int
    rebirths_asked: int
    ignored: int
    """Messages that were no Sparkplug B payload."""
    last_error: str


class PrimaryHost:
    """The fleet's primary host application, owned by ``async with``."""

    def __init__(self, config: PrimaryHostConfig, clock: Clock,
                 *, on_message: Callable[[], None] | None = None) -> None:  # fmt: skip
        """``on_message``: called after each message has changed the model (tests measure)."""
        self.config = config
        self._clock = clock
        self._on_message = on_message
        self.model = FleetModel(config.host_id, str(config.broker), now_ms=self._now_ms(),
                                rebirth_every_s=config.rebirth_every_s)  # fmt: skip
        self._client: aiomqtt.Client | None = None
        self._stamp = 0
        """The timestamp of this session's CONNECT: its will's and its birth's."""
        self._up = asyncio.Event()
        self._closing = asyncio.Event()
        self._redial = Reconnector(f"primary host {config.host_id}", config, self._closing)
        self._tasks: asyncio.TaskGroup | None = None
        self._task: asyncio.Task[None] | None = None
        self._counts = {"sessions": 0, "messages": 0, "rebirths": 0, "ignored": 0}

    def view(self) -> FleetView:
        """The fleet now."""
        return self.model.view(self._now_ms())

    @property
    def stats(self) -> HostStats:
        c = self._counts
        return HostStats(self._client is not None, c["sessions"], c["messages"], c["rebirths"],
                         c["ignored"], self._redial.last_error)  # fmt: skip

    async def connected(self, *, within_s: float) -> None:
        """Return once the host is online on the broker; :class:`BrokerUnreachable`, saying
        why and what to do, if it is not within ``within_s``."""
        try:
            async with asyncio.timeout(within_s):
                await self._up.wait()
        except TimeoutError:
            b = self.config.broker
            fix = (f"start it (mosquitto -p {b.port}) or give --broker mqtt://host:port"
                   if b.tls is None else "start it (TLS on that port) or give --broker "
                   "mqtts://host:port")  # fmt: skip
            raise BrokerUnreachable(
                f"cannot reach the MQTT broker at {b} within {within_s:g} s"
                f" ({self._redial.last_error or 'no answer'}): {fix} of the one in use"
            ) from None

    # --- lifetime

    async def __aenter__(self) -> Self:
        self._tasks = asyncio.TaskGroup()
        await self._tasks.__aenter__()
        self._task = self._tasks.create_task(self._sessions(), name="primary host")
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """STATE offline (bounded), then the session ends with a clean DISCONNECT."""
        assert self._tasks is not None
        assert self._task is not None
        self._closing.set()
        try:
            await self._say_offline()
        finally:
            self._task.cancel()
            await self._tasks.__aexit__(None, None, None)

    async def _say_offline(self) -> None:
        client = self._client
        if client is None:
            return
        death = HostState(False, max(self._now_ms(), self._stamp)).encode()
        try:
            await client.publish(self.config.state_topic, death, qos=1, retain=True,
                                 timeout=self.config.network_within_s)  # fmt: skip
        except (aiomqtt.MqttError, OSError, TimeoutError) as exc:
            log.info("primary host: STATE offline not published: %s", exc)

    # --- sessions

    async def _sessions(self) -> None:
        await self._redial.run(self._one_session, after=self._disconnected)

    def _disconnected(self) -> None:
        """Every crane is stale until the next session has heard from it."""
        self.model.disconnected(self._now_ms(), self._redial.last_error or "disconnected")

    async def _one_session(self) -> None:
        c = self.config
        self._stamp = self._now_ms()
        will = aiomqtt.Will(c.state_topic, HostState(False, self._stamp).encode(), qos=1,
                            retain=True)  # fmt: skip
        client = self._redial.client(will)
        await self._redial.connect(client)
        try:
            for topic in c.subscriptions:
                await client.subscribe(topic, qos=1, timeout=c.network_within_s)
            await self._say_online(client)
            self._client = client
            self._counts["sessions"] += 1
            self._redial.going()
            self._redial.last_error = ""
            self._up.set()
            await self._ask(client, self.model.connected(self._now_ms()))
            await self._listen(client)
        finally:
            self._client = None
            await self._redial.disconnect(client)

    async def _say_online(self, client: aiomqtt.Client) -> None:
        birth = HostState(True, self._stamp).encode()
        await client.publish(self.config.state_topic, birth, qos=1, retain=True,
                             timeout=self.config.network_within_s)  # fmt: skip

    async def _listen(self, client: aiomqtt.Client) -> None:
        """Every message until the session ends (raises when the connection is lost)."""
        async for message in client.messages:
            payload = message.payload
            data = payload if isinstance(payload, bytes) else str(payload).encode()
            topic = message.topic.value
            if topic == self.config.state_topic:
                await self._own_state(client, data)
                continue
            try:
                asks = self.model.take(topic, data, self._now_ms())
            except PayloadError as exc:
                self._counts["ignored"] += 1
                log.warning("primary host: ignored a message on %s: %s", topic, exc)
                continue
            self._counts["messages"] += 1
            await self._ask(client, asks)
            if self._on_message is not None:
                self._on_message()

    async def _own_state(self, client: aiomqtt.Client, data: bytes) -> None:
        """A STATE offline of this session (or newer) on our own id: say online again (unless
        it is our own, on leaving)."""
        try:
            state = HostState.parse(data)
        except PayloadError as exc:
            log.warning("primary host: ignored our STATE topic: %s", exc)
            return
        if not state.online and state.timestamp_ms >= self._stamp and not self._closing.is_set():
            log.warning("primary host: STATE offline on our own id: online again")
            await self._say_online(client)

    async def _ask(self, client: aiomqtt.Client, asks: tuple[RebirthAsk, ...]) -> None:
        for ask in asks:
            now = self._now_ms()
            ncmd = Payload(now, None, (Metric(REBIRTH, True, DataType.BOOLEAN, timestamp_ms=now),))
            topic = NodeTopics(ask.crane.group, ask.crane.node).ncmd
            log.info("primary host: rebirth asked of %s: %s", ask.crane, ask.why)
            await client.publish(topic, encode(ncmd), qos=0, retain=False,
                                 timeout=self.config.network_within_s)  # fmt: skip
            self._counts["rebirths"] += 1

    # --- time

    def _now_ms(self) -> int:
        """The centre's wall clock in UTC ms: the one place the host reads the time."""
        return round(self._clock.wall() * 1000.0)

"""One MQTT session of an edge node: the messages it publishes, numbered, from CONNECT to its end.

The session was connected with its NDEATH as the will, carrying :attr:`Session.bd_seq`
(:func:`death`); each NBIRTH it publishes repeats that ``bdSeq``, starts ``seq`` at 0, declares
every metric with name, datatype, unit and an alias (``bdSeq`` and ``Node Control/Rebirth``
have none, so any host can ask for a rebirth), and ``Node Control/Rebirth`` false. NDATA name
their metrics by alias only and leave the datatype out. Births and data go at QoS 0, never
retained; an NDEATH published on purpose (before a clean disconnect) at QoS 1, so its PUBACK
says the broker has everything published before it.

MQTT 3.1.1 does not confirm QoS 0 messages, so a session remembers the live samples it published
during the last ``replay_tail_s`` (:meth:`Session.unconfirmed`): if the session is lost, the edge
node stores them again and sends them as history once it is back (at least once: a host may see
a value twice, with the same timestamp; never not at all). Stored samples sent back stay in the
store for as long (the edge node's back-fill).

The caller holds the edge node's send lock around every method: one message at a time, in
``seq`` order.

:class:`Reconnector` is what an edge node and a host application share around their sessions:
the MQTT client (:func:`~crane_ctrl.fleet.mqtt_client.mqtt_client`: clean session, its will,
keepalive, login, TLS), the CONNECT and DISCONNECT each within a deadline, and the loop that
starts one session after another with a backoff. What a session does once connected (subscribe
again, be born, ask for rebirths) stays its owner's.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

import aiomqtt

from crane_ctrl.errors import PayloadError
from crane_ctrl.fleet.broker import Broker, Credentials
from crane_ctrl.fleet.changes import Sample
from crane_ctrl.fleet.mqtt_client import explain, mqtt_client
from crane_ctrl.fleet.payload import BD_SEQ, REBIRTH, DataType, Metric, Payload, encode
from crane_ctrl.fleet.reading import MetricDef, Reading
from crane_ctrl.fleet.sequence import Seq
from crane_ctrl.fleet.topics import NodeTopics
from crane_ctrl.realtime import sleep_unless

__all__ = [
    "KEEPALIVE_S",
    "NETWORK_WITHIN_S",
    "RETRY_MAX_S",
    "RETRY_MIN_S",
    "MqttSettings",
    "Reconnector",
    "Session",
    "death",
]

log = logging.getLogger(__name__)

KEEPALIVE_S = 5
"""MQTT keepalive: the broker sends a silent client's will within 1.5 times this."""
NETWORK_WITHIN_S = 5.0
"""Deadline of each network call: connect (TCP and CONNACK), subscribe, publish, disconnect."""
RETRY_MIN_S = 0.2
"""First wait before connecting again after a lost or failed session ..."""
RETRY_MAX_S = 5.0
"""... doubled after each failure up to this."""


def death(bd_seq: int, time_ms: int) -> bytes:
    """An NDEATH payload: the ``bdSeq`` metric only, no ``seq``."""
    return encode(Payload(time_ms, None, (Metric(BD_SEQ, bd_seq, DataType.INT64),)))


class Session:
    """What one connected MQTT client publishes for the node."""

    def __init__(
        self,
        client: aiomqtt.Client,
        topics: NodeTopics,
        bd_seq: int,
        *,
        now: Callable[[], float],
        wall_ms: Callable[[], int],
        replay_tail_s: float,
        publish_within_s: float,
    ) -> None:
        self.client = client
        self.topics = topics
        self.bd_seq = bd_seq
        self.defs: tuple[MetricDef, ...] | None = None
        """What the last NBIRTH declared (``None``: not born yet)."""
        self.births = 0
        self.data_messages = 0
        self._seq = Seq()
        self._aliases: dict[str, int] = {}
        self._now, self._wall_ms = now, wall_ms
        self._tail_s = replay_tail_s
        self._within_s = publish_within_s
        self._sent: deque[tuple[float, Sample]] = deque()
        self.lost = asyncio.Event()
        """Set once the connection is gone: a publish waiting for the socket gives up then,
        not at its deadline (aiomqtt leaves it waiting)."""

    @property
    def born(self) -> bool:
        return self.defs is not None

    async def birth(self, reading: Reading, time_ms: int) -> None:
        """NBIRTH: every metric of ``reading`` with its value at ``time_ms``."""
        seq = self._seq.birth()
        self._aliases = {d.name: alias for alias, d in enumerate(reading.defs, start=1)}
        metrics = [Metric(BD_SEQ, self.bd_seq, DataType.INT64, timestamp_ms=time_ms),
                   Metric(REBIRTH, False, DataType.BOOLEAN, timestamp_ms=time_ms)]  # fmt: skip
        metrics += [self._declared(d, reading, time_ms) for d in reading.defs]
        await self._publish(self.topics.nbirth, Payload(self._wall_ms(), seq, tuple(metrics)))
        self.defs = reading.defs
        self.births += 1
        values = tuple(Metric(d.name, reading.values.get(d.name), d.datatype, timestamp_ms=time_ms)
                       for d in reading.defs)  # fmt: skip
        self._sent.append((self._now(), Sample(time_ms, values)))  # the birth's values count too

    def _declared(self, d: MetricDef, reading: Reading, time_ms: int) -> Metric:
        value = reading.values.get(d.name)
        return Metric(d.name, value, d.datatype, self._aliases[d.name], time_ms, unit=d.unit)

    async def data(self, samples: Sequence[Sample]) -> None:
        """NDATA: what changed, oldest first (the events of views the node did not read in
        full, then what changed in the one it read)."""
        await self._ndata(samples, historical=False)

    async def history(self, samples: list[Sample]) -> None:
        """NDATA with stored samples, every metric ``is_historical`` at its own time."""
        await self._ndata(samples, historical=True)

    async def death(self) -> None:
        """NDEATH before a clean disconnect, at QoS 1 (its PUBACK confirms all before it)."""
        data = death(self.bd_seq, self._wall_ms())
        topic = self.topics.ndeath
        publish = self.client.publish(topic, data, qos=1, retain=False, timeout=self._within_s)
        await self._unless_lost(publish)
        self._sent.clear()

    async def answer(self, metrics: tuple[Metric, ...], time_ms: int) -> None:
        """NDATA with answers to commands: not kept to send again (an answer's moment is now)."""
        await self._ndata([Sample(time_ms, metrics)], historical=False, kept=False)

    def declared(self) -> dict[int, Metric]:
        """Each alias the last NBIRTH gave, with the metric it stands for (a host may write an
        NCMD by alias)."""
        types = {d.name: d.datatype for d in self.defs or ()}
        return {alias: Metric(name, None, types[name], alias)
                for name, alias in self._aliases.items()}  # fmt: skip

    def unconfirmed(self) -> list[Sample]:
        """What this session published in the last ``replay_tail_s``: perhaps never delivered."""
        self._trim()
        return [sample for _, sample in self._sent]

    async def _ndata(
        self, samples: Sequence[Sample], *, historical: bool, kept: bool = True
    ) -> None:
        metrics = tuple(
            Metric(
                None,
                m.value,
                m.datatype,
                alias=self._aliases[m.name],
                timestamp_ms=m.timestamp_ms,
                is_historical=historical,
            )
            for s in samples
            for m in s.metrics
            if m.name in self._aliases
        )
        if not metrics:
            return
        payload = Payload(self._wall_ms(), self._seq.next(), metrics)
        await self._publish(self.topics.ndata, payload, datatypes=False)
        self.data_messages += 1
        if kept and not historical:  # stored samples stay in the store until old enough
            now = self._now()
            self._sent.extend((now, s) for s in samples)
            self._trim()

    async def _publish(self, topic: str, payload: Payload, *, datatypes: bool = True) -> None:
        data = encode(payload, datatypes=datatypes)
        await self._unless_lost(self.client.publish(topic, data, qos=0, retain=False,
                                                    timeout=self._within_s))  # fmt: skip

    async def _unless_lost(self, publish: Awaitable[None]) -> None:
        """``publish``, or :class:`ConnectionError` as soon as the connection is lost."""
        sending = asyncio.ensure_future(publish)
        lost = asyncio.ensure_future(self.lost.wait())
        try:
            done, _ = await asyncio.wait({sending, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            lost.cancel()
            if not sending.done():
                sending.cancel()
        if sending not in done:
            raise ConnectionError("the connection to the broker is lost")
        sending.result()

    def _trim(self) -> None:
        oldest = self._now() - self._tail_s
        while self._sent and self._sent[0][0] < oldest:
            self._sent.popleft()


class MqttSettings(Protocol):
    """How a client of the fleet reaches its broker (an edge node's or a host's config)."""

    @property
    def broker(self) -> Broker: ...
    @property
    def client_id(self) -> str: ...
    @property
    def credentials(self) -> Credentials | None: ...
    @property
    def keepalive_s(self) -> int: ...
    @property
    def network_within_s(self) -> float:
        """Deadline of each network call: connect (TCP and CONNACK), subscribe, publish,
        disconnect."""
        ...

    @property
    def retry_min_s(self) -> float:
        """First wait before connecting again after a lost or failed session ..."""
        ...

    @property
    def retry_max_s(self) -> float:
        """... doubled after each session that did not get going, up to this."""
        ...


class Reconnector:
    """One MQTT session after another until ``closing`` is set, each connected, with a backoff.

    ::

        redial = Reconnector("fleet block-A/ASC-07", config, closing)
        await redial.run(one_session)           # in the owner's task

        async def one_session() -> None:
            client = redial.client(will)
            await redial.connect(client)        # TCP and CONNACK within the deadline
            try:
                ...                             # subscribe, be born or say online, serve
                redial.going()                  # the next failure waits the shortest again
            finally:
                await redial.disconnect(client)
    """

    def __init__(self, name: str, settings: MqttSettings, closing: asyncio.Event) -> None:
        """``name`` starts every log line (``fleet block-A/ASC-07``, ``primary host ops``)."""
        self.name = name
        self._settings = settings
        self._closing = closing
        self._going = False
        self.last_error = ""
        """Why the last session failed or a publish did not go out (an owner may clear it)."""

    def client(self, will: aiomqtt.Will) -> aiomqtt.Client:
        """A client for one session: MQTT 3.1.1, clean session, ``will``, fixed client id."""
        c = self._settings
        return mqtt_client(c.broker, c.credentials, identifier=c.client_id, will=will,
                           keepalive=c.keepalive_s, timeout=c.network_within_s)  # fmt: skip

    async def connect(self, client: aiomqtt.Client) -> None:
        """CONNECT: the TCP connection, then the CONNACK, each within the network deadline."""
        async with asyncio.timeout(self._settings.network_within_s * 2 + 1):
            await client.__aenter__()

    async def disconnect(self, client: aiomqtt.Client) -> None:
        """A clean DISCONNECT within the deadline; a connection already gone is no error."""
        try:
            async with asyncio.timeout(self._settings.network_within_s):
                await client.__aexit__(None, None, None)
        except (aiomqtt.MqttError, OSError, TimeoutError) as exc:
            log.debug("%s: disconnect: %s", self.name, exc)

    def going(self) -> None:
        """This session got going (born, online): after it the first wait is the shortest."""
        self._going = True

    def note(self, why: str) -> None:
        """Remember (and log once) why something failed."""
        if why != self.last_error:
            log.info("%s: %s", self.name, why)
        self.last_error = why

    async def run(
        self, session: Callable[[], Awaitable[None]], *, after: Callable[[], None] | None = None
    ) -> None:
        """``session()`` again and again until closing; ``after()`` once each has ended. A
        failure of the broker or the network is noted, any other logged with its traceback:
        nothing a session raises (but cancellation) ends the loop."""
        c = self._settings
        delay = c.retry_min_s
        while not self._closing.is_set():
            self._going = False
            try:
                await session()
            except Exception as exc:  # the broker, the network or a bug: never the owner's
                self.note(explain(c.broker, _why(exc)))
                if not _expected(exc):
                    log.exception("%s: session failed", self.name)
            if after is not None:
                after()
            if self._going:
                delay = c.retry_min_s
            if self._closing.is_set():
                return
            await sleep_unless(self._closing, delay)
            delay = min(delay * 2, c.retry_max_s)


def _expected(exc: BaseException) -> bool:
    """A broker or network failure (not a bug worth a traceback)."""
    if isinstance(exc, BaseExceptionGroup):
        return all(_expected(e) for e in exc.exceptions)
    return isinstance(exc, aiomqtt.MqttError | OSError | TimeoutError | PayloadError)


def _why(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_why(e) for e in exc.exceptions)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__

"""The crane station as a Sparkplug B edge node: its views out to an MQTT broker, never in its way.

::

    async with EdgeNode(config, station_reading, clock, journal, events=station_events) as node:
        station.on_view = node.offer        # the scan's only part: O(1), never waits
        await supervisor.run(stop)

:meth:`EdgeNode.offer` is all the scan does: it leaves the view in the node's
:class:`~crane_ctrl.fleet.handover.Handover` (a bounded ring) and sets an event. Two tasks own
the rest. The intake looks at most every :attr:`EdgeNodeConfig.look_every_s`: it reads the
newest view in full (:mod:`crane_ctrl.fleet.metrics`), and of each view before it only the
event-like metrics (``events``: the alarms' states, whose every change counts), keeps what is
worth sending (:mod:`crane_ctrl.fleet.changes`) and publishes it as one NDATA while the node is
born, or stores it (:mod:`crane_ctrl.fleet.store_forward`) while it is not. The other metrics of
the views before the newest are coalesced: the newest view wins. Views pushed out of the full
ring before the intake took them are counted (``Node Info/Views dropped``, :attr:`NodeStats`):
their events are lost. The session task connects with the NDEATH as the will and a new
``bdSeq``, subscribes to its NCMD (and, with a primary host, to the host's ``STATE``), waits
for a first view (and for the host to be online), publishes the NBIRTH, sends back what was
stored as ``is_historical`` NDATA, and answers ``Node Control/Rebirth``. A lost broker ends
the session: the node stores again and reconnects with a backoff
(:class:`~crane_ctrl.fleet.session.Reconnector`). Every network call has a deadline; nothing
the broker does can raise into the scan. Leaving the ``async with`` publishes the NDEATH and
disconnects cleanly.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

import aiomqtt

from crane_ctrl.clock import Clock
from crane_ctrl.errors import PayloadError
from crane_ctrl.fleet.broker import Broker, Credentials
from crane_ctrl.fleet.changes import ChangeFilter, Sample
from crane_ctrl.fleet.handover import Handover
from crane_ctrl.fleet.host_watch import HostVerdict, HostWatch
from crane_ctrl.fleet.payload import REBIRTH, DataType, HostState, Metric, MetricValue, decode
from crane_ctrl.fleet.reading import MetricDef, Reading
from crane_ctrl.fleet.session import (
    KEEPALIVE_S,
    NETWORK_WITHIN_S,
    RETRY_MAX_S,
    RETRY_MIN_S,
    Reconnector,
    Session,
    death,
)
from crane_ctrl.fleet.store_forward import DEFAULT_CAPACITY, Cursor, NodeStore
from crane_ctrl.fleet.topics import NodeTopics, state_topic
from crane_ctrl.realtime import sleep_unless

if TYPE_CHECKING:
    from crane_ctrl.fleet.node_commands import NodeCommands
    from crane_ctrl.runtime.recorder import EventSink

__all__ = ["EdgeNode", "EdgeNodeConfig", "NodeStats"]

log = logging.getLogger(__name__)

V = TypeVar("V")

LOOK_EVERY_S = 0.05
"""The intake reads a view at most this often: one scan period (20 Hz), so that it costs the
station's loop no more than one reading per scan however many views come, and a value reaches
the operations centre at most this much later than the scan read it."""
VIEW_QUEUE = 256
"""Views kept for the intake (with ``events``): 12.8 s at 20 Hz, more than a publish may take
before its deadline (:data:`NETWORK_WITHIN_S`); a full ring forgets its oldest, counted."""
REPLAY_TAIL_S = 30.0
"""Live data published this recently is stored again if the session is lost (QoS 0 has no
acknowledgement): longer than the broker takes to notice a dead host (1.5 x its keepalive)."""
BACKFILL_BATCH = 50
"""Stored samples per historical NDATA."""
ORDER_WITHIN_S = 5.0
"""Longest a write to one of the node's commands may take (:mod:`.node_commands`)."""
ANSWER_QUEUE = 64
"""Answers to commands waiting to be published; beyond, the newest is dropped (logged)."""
STOP_WITHIN_S = 10.0
"""Leaving the context waits this long for the intake and the clean disconnect, then cancels."""

NODE_INFO = (
    MetricDef("Node Info/Views dropped", DataType.INT64),
    MetricDef("Node Info/Store dropped", DataType.INT64),
)
"""The node's own metrics, declared in every NBIRTH before the station's."""


@dataclass(frozen=True, slots=True)
class EdgeNodeConfig:
    """One edge node: where the broker is, who the node is, where it stores."""

    broker: Broker
    topics: NodeTopics
    store_path: Path | None = None
    """The node's store (``bdSeq`` and samples kept while offline); ``None``: in memory."""
    primary_host: str | None = None
    """Publish only while this Sparkplug host application is online (its ``STATE``); store
    meanwhile. ``None``: publish whenever connected."""
    credentials: Credentials | None = None
    keepalive_s: int = KEEPALIVE_S
    network_within_s: float = NETWORK_WITHIN_S
    retry_min_s: float = RETRY_MIN_S
    retry_max_s: float = RETRY_MAX_S
    view_queue: int = VIEW_QUEUE
    look_every_s: float = LOOK_EVERY_S
    replay_tail_s: float = REPLAY_TAIL_S
    store_capacity: int = DEFAULT_CAPACITY
    backfill_batch: int = BACKFILL_BATCH

    @property
    def client_id(self) -> str:
        """Fixed per node: a new connection of the same node takes over a half-dead one."""
        return f"crane-ctrl-{self.topics.group}-{self.topics.node}"


@dataclass(frozen=True, slots=True)
class NodeStats:
    """What the edge node has done, for status lines and tests."""

    online: bool
    """Born in a session now (publishing live)."""
    bd_seq: int | None
    sessions: int
    """MQTT sessions established."""
    births: int
    data_messages: int
    """NDATA published, live and historical."""
    history_samples: int
    """Stored samples sent back (confirmed or not yet)."""
    views_dropped: int
    """Views pushed out of the full ring before the intake took them (their events lost)."""
    stored: int
    """Samples waiting in the store."""
    store_dropped: int
    last_error: str
    views_coalesced: int = 0
    """Views the intake did not read in full: a newer one came before it looked."""


class EdgeNode(Generic[V]):
    """A Sparkplug B edge node fed with one view per scan."""

    def __init__(
        self,
        config: EdgeNodeConfig,
        read: Callable[[V], Reading],
        clock: Clock,
        journal: EventSink | None = None,
        commands: NodeCommands | None = None,
        *,
        events: Callable[[V], Reading] | None = None,
    ) -> None:
        """``commands``: the node's writable metrics (NCMD) beyond ``Node Control/Rebirth``.
        ``events``: the metrics of a view whose every change is sent (a part of what ``read``
        gives), read from each view the intake does not read in full; ``None``: every metric
        is coalesced (the newest view wins)."""
        self.config = config
        self._read = read
        self._events = events
        self._clock = clock
        self._journal_sink = journal
        self._handover: Handover[V] = Handover(config.view_queue if events is not None else 1)
        self._looks = 0
        """Views the intake read in full."""
        self._hurry = asyncio.Event()
        """Set when leaving: the intake takes what is left at once."""
        self._looked = asyncio.Event()
        """Set after each look of the intake (leaving waits on it)."""
        self._looking = False
        self._filter = ChangeFilter()
        self._sending = asyncio.Lock()
        """Held around every publish, store and baseline: one message at a time, in order."""
        self._latest: Reading | None = None
        self._have_reading = asyncio.Event()
        self._session: Session | None = None
        """The session the node is born in, if any."""
        self._host = HostWatch(config.primary_host) if config.primary_host else None
        self._host_online = asyncio.Event()
        self._host_offline = asyncio.Event()
        self._closing = asyncio.Event()
        self._pending: deque[tuple[float, list[Cursor]]] = deque()
        """Stored samples sent back, and when, not yet old enough to forget."""
        self._store: NodeStore | None = None
        self._tasks: asyncio.TaskGroup | None = None
        self._intake_task: asyncio.Task[None] | None = None
        self._session_task: asyncio.Task[None] | None = None
        self._counts = {"sessions": 0, "births": 0, "data": 0, "history": 0}
        self._bd_seq: int | None = None
        self._redial = Reconnector(f"fleet {config.topics}", config, self._closing)
        self._defs_cache: tuple[tuple[MetricDef, ...], tuple[MetricDef, ...]] | None = None
        self._commands = commands
        self._own = NODE_INFO + (commands.defs if commands is not None else ())
        self._answers: asyncio.Queue[tuple[int, dict[str, MetricValue]]] = asyncio.Queue(
            ANSWER_QUEUE
        )

    # --- the scan's side

    def offer(self, view: V) -> None:
        """Leave ``view`` for the intake: O(1), never waits, never raises."""
        self._handover.offer(view)

    @property
    def views_dropped(self) -> int:
        """Views whose events were lost: pushed out of the full ring before the intake took
        them (with no ``events``, a view the intake skipped loses nothing: 0)."""
        return self._handover.dropped if self._events is not None else 0

    @property
    def stats(self) -> NodeStats:
        store = self._store
        session = self._session
        c = self._counts
        data = c["data"] + (session.data_messages if session is not None else 0)
        return NodeStats(session is not None, self._bd_seq, c["sessions"], c["births"],
                         data, c["history"], self.views_dropped,
                         store.depth if store else 0, store.dropped if store else 0,
                         self._redial.last_error, self._coalesced())  # fmt: skip

    def _coalesced(self) -> int:
        handover = self._handover
        return handover.offered - handover.waiting - self._looks

    # --- lifetime

    async def __aenter__(self) -> Self:
        c = self.config
        self._store = await asyncio.to_thread(NodeStore, c.store_path, c.store_capacity)
        self._tasks = asyncio.TaskGroup()
        await self._tasks.__aenter__()
        self._intake_task = self._tasks.create_task(self._intake(), name="fleet intake")
        self._session_task = self._tasks.create_task(self._sessions(), name="fleet sessions")
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Publish what is queued, NDEATH, disconnect (each bounded); close the store. Left by
        an exception (or cancelled): the tasks are cancelled, and still say NDEATH if they can."""
        assert self._tasks is not None
        assert self._store is not None
        try:
            if kind is None:
                await self._drain()
                self._closing.set()
                await self._finish(self._session_task)
        finally:
            self._closing.set()
            for task in (self._intake_task, self._session_task):
                if task is not None and not task.done():
                    task.cancel()  # a session cancelled still says NDEATH (its last words)
            try:
                await self._tasks.__aexit__(None, None, None)
            finally:
                await asyncio.to_thread(self._store.close)

    async def _drain(self) -> None:
        """Let the intake take the views left (at once), within a bound; then stop it."""
        self._hurry.set()
        try:
            async with asyncio.timeout(STOP_WITHIN_S / 2):
                while self._handover.fresh or self._looking:
                    self._looked.clear()
                    await self._looked.wait()
        except TimeoutError:
            log.warning("fleet: %d views not published at stop", self._handover.waiting)
        if self._intake_task is not None:
            self._intake_task.cancel()

    async def _finish(self, task: asyncio.Task[None] | None) -> None:
        if task is None:
            return
        done, _ = await asyncio.wait({task}, timeout=STOP_WITHIN_S / 2)
        if not done:
            task.cancel()

    # --- the intake: views in, NDATA or the store out

    async def _intake(self) -> None:
        """Take the views left since the last look, at most every ``look_every_s`` (a view
        that comes later than that is taken at once: no timer at the station's pace)."""
        loop = asyncio.get_running_loop()
        next_look = loop.time()
        while True:
            await self._handover.ready()
            wait_s = next_look - loop.time()
            if wait_s > 0:
                await sleep_unless(self._hurry, wait_s)
            next_look = loop.time() + self.config.look_every_s
            older, newest = self._handover.take()
            self._looking = True
            try:
                await self._take(older, newest)
            except Exception:  # a bug here must not end the intake (nor reach the scan)
                log.exception("fleet: views lost")
            finally:
                self._looking = False
                self._looked.set()

    async def _take(self, older: list[V], newest: V) -> None:
        """The events of ``older`` (oldest first), then ``newest`` read in full."""
        self._looks += 1
        try:
            reading = self._with_node_info(self._read(newest))
        except Exception:  # a bug in a metric must not stop the others
            log.exception("fleet: a view could not be read as metrics")
            reading = None
        async with self._sending:
            events = self._events
            samples = [] if events is None else self._event_samples(events, older)
            unsent = await self._send(samples, reading)
            if unsent:
                await self._keep(unsent)

    def _event_samples(self, events: Callable[[V], Reading], views: list[V]) -> list[Sample]:
        """What changed in each view's events, oldest first (send lock held)."""
        out: list[Sample] = []
        for view in views:
            try:
                reading = events(view)
            except Exception:  # a bug in a metric must not stop the others
                log.exception("fleet: a view's events could not be read")
                continue
            sample = self._filter.changes(reading, self._wall_ms(reading.time_s))
            if sample is not None:
                out.append(sample)
        return out

    def _with_node_info(self, reading: Reading) -> Reading:
        cached = self._defs_cache
        if cached is None or cached[0] is not reading.defs:
            cached = self._defs_cache = (reading.defs, self._own + reading.defs)
        store = self._store
        info: dict[str, MetricValue] = {
            "Node Info/Views dropped": self.views_dropped,
            "Node Info/Store dropped": store.dropped if store else 0,
        }
        if self._commands is not None:
            info.update(self._commands.values())
        return replace(reading, defs=cached[1], values={**info, **reading.values})

    async def _send(self, samples: list[Sample], reading: Reading | None) -> list[Sample]:
        """Publish ``samples`` and what changed in ``reading`` as one NDATA (send lock held);
        what could not be sent."""
        session = self._session
        if reading is not None:
            self._latest = reading
            self._have_reading.set()
            if session is not None and not _same(session.defs, reading.defs):
                unsent = await self._publish(session, samples)  # under the old birth's aliases
                await self._guarded(self._birth(session), session)  # other alarms: born again
                return unsent
            sample = self._filter.changes(reading, self._wall_ms(reading.time_s))
            if sample is not None:
                samples.append(sample)
        return await self._publish(session, samples)

    async def _publish(self, session: Session | None, samples: list[Sample]) -> list[Sample]:
        """Publish ``samples`` as one NDATA if born; what could not be sent."""
        if not samples or session is None:
            return samples
        return [] if await self._guarded(session.data(samples), session) else samples

    async def _guarded(self, publish: Awaitable[None], session: Session) -> bool:
        """Whether ``publish`` went out; if not, the node is no longer born in ``session``."""
        try:
            await publish
        except (aiomqtt.MqttError, OSError, TimeoutError) as exc:
            self._redial.note(f"publish failed: {exc}")
            if self._session is session:
                self._session = None
            return False
        return True

    async def _keep(self, samples: list[Sample]) -> None:
        assert self._store is not None
        await asyncio.to_thread(self._store.put, samples)

    # --- sessions: connect, birth, back-fill, commands, death

    async def _sessions(self) -> None:
        await self._redial.run(self._one_session)

    async def _one_session(self) -> None:
        assert self._store is not None
        c = self.config
        bd_seq = self._bd_seq = await asyncio.to_thread(self._store.next_bd_seq)
        will = aiomqtt.Will(c.topics.ndeath, death(bd_seq, self._now_ms()), qos=1, retain=False)
        client = self._redial.client(will)
        try:
            await self._redial.connect(client)
        except aiomqtt.MqttError as exc:
            if not isinstance(exc.__context__, OSError):  # the CONNECT went out: bdSeq is used
                await asyncio.to_thread(self._store.used, bd_seq)
            raise
        except BaseException:
            await asyncio.to_thread(self._store.used, bd_seq)
            raise
        await asyncio.to_thread(self._store.used, bd_seq)
        session = Session(client, c.topics, bd_seq, now=self._clock.now,
                          wall_ms=self._now_ms, replay_tail_s=c.replay_tail_s,
                          publish_within_s=c.network_within_s)  # fmt: skip
        clean = False
        try:
            self._connected(bd_seq)
            clean = await self._in_session(session)
        finally:
            if not clean:  # ended by a failure, or cancelled: NDEATH if the connection stands
                clean = await self._last_words(session)
            await self._lost(session, clean=clean)
            await self._redial.disconnect(client)

    async def _last_words(self, session: Session) -> bool:
        """NDEATH before a DISCONNECT that would drop the will (whether it went out)."""
        if session.lost.is_set():
            return False
        try:
            async with asyncio.timeout(self.config.network_within_s):
                await session.death()
        except (aiomqtt.MqttError, OSError, TimeoutError):
            return False
        return True

    async def _in_session(self, session: Session) -> bool:
        """Subscribe, be born, back-fill, listen; whether it ended with a clean NDEATH."""
        c = self.config
        await session.client.subscribe(c.topics.ncmd, qos=1, timeout=c.network_within_s)
        if c.primary_host is not None:
            self._host_online.clear()
            await session.client.subscribe(state_topic(c.primary_host), qos=1,
                                           timeout=c.network_within_s)  # fmt: skip
        async with asyncio.TaskGroup() as tasks:
            listening = tasks.create_task(self._listen(session))
            answering = tasks.create_task(self._answer(session))
            await self._serve(session)
            async with self._sending:
                self._session = None  # no more live NDATA in this session
            await session.death()
            listening.cancel()
            answering.cancel()
        return True

    async def _serve(self, session: Session) -> None:
        """Be born when ready, send back what was stored, until closing or the host is away."""
        if not await self._until_ready():
            return
        async with self._sending:
            await self._birth(session)
            self._session = session
        await self._backfill(session)
        await self._settle()
        await _first(self._closing, self._host_offline)

    async def _until_ready(self) -> bool:
        """Wait for a first view (and an online primary host); ``False`` if closing first."""
        await _first(self._closing, self._have_reading)
        if self._host is not None:
            await _first(self._closing, self._host_online)
        return not self._closing.is_set()

    async def _birth(self, session: Session) -> None:
        """NBIRTH with the latest reading (send lock held); what changes is judged from it."""
        reading = self._latest
        assert reading is not None
        self._filter.baseline(reading)
        await session.birth(reading, self._wall_ms(reading.time_s))
        self._counts["births"] += 1
        self._redial.going()
        self._record("born", bd_seq=session.bd_seq, metrics=len(reading.defs) + 2)

    async def _listen(self, session: Session) -> None:
        """NCMD and the primary host's STATE, until the session ends (raises when it is lost)."""
        try:
            await self._messages(session)
        except Exception:  # the connection is gone (cancelled: it may still stand)
            session.lost.set()
            raise

    async def _messages(self, session: Session) -> None:
        async for message in session.client.messages:
            payload = message.payload
            data = payload if isinstance(payload, bytes) else str(payload).encode()
            try:
                if message.topic.matches(self.config.topics.ncmd):
                    await self._command(session, data)
                else:
                    self._state(HostState.parse(data))
            except PayloadError as exc:
                log.warning("fleet: ignored a message on %s: %s", message.topic, exc)

    async def _command(self, session: Session, data: bytes) -> None:
        """``Node Control/Rebirth`` true: NBIRTH again (same ``bdSeq``); a write to one of the
        commands' metrics (by name or alias): carried out now, its answer queued."""
        metrics = decode(data, session.declared()).metrics
        if any(m.name == REBIRTH and m.value is True for m in metrics):
            self._record("rebirth asked")
            async with self._sending:
                if self._session is session:
                    await self._birth(session)
        ours = {d.name for d in self._commands.defs} if self._commands is not None else set()
        for metric in metrics:
            if metric.name in ours:
                await self._order(metric)
            elif metric.name != REBIRTH:
                log.warning("fleet: NCMD %s not supported", metric.name or metric.alias)

    async def _order(self, metric: Metric) -> None:
        assert self._commands is not None
        assert metric.name is not None
        try:
            async with asyncio.timeout(ORDER_WITHIN_S):
                answer = await self._commands.take(metric.name, metric.value)
        except Exception:  # a bug, or too slow: this command is lost, never the listening
            log.exception("fleet: NCMD %s not carried out", metric.name)
            return
        if answer:
            try:
                self._answers.put_nowait((self._now_ms(), dict(answer)))
            except asyncio.QueueFull:
                log.warning("fleet: an answer to NCMD %s dropped (%d waiting)", metric.name,
                            self._answers.qsize())  # fmt: skip

    async def _answer(self, session: Session) -> None:
        """Publish the commands' answers while born in ``session`` (dropped when not born)."""
        types = {d.name: d.datatype for d in self._own}
        while True:
            time_ms, values = await self._answers.get()
            metrics = tuple(Metric(name, value, types[name], timestamp_ms=time_ms)
                            for name, value in values.items() if name in types)  # fmt: skip
            async with self._sending:
                if self._session is not session:
                    log.warning("fleet: an answer not sent: the node is not born")
                    continue
                await self._guarded(session.answer(metrics, time_ms), session)

    def _state(self, state: HostState) -> None:
        assert self._host is not None
        verdict = self._host.observe(state)
        if verdict is HostVerdict.ONLINE:
            self._host_offline.clear()
            self._host_online.set()
        elif verdict is HostVerdict.OFFLINE:
            self._host_online.clear()
            self._host_offline.set()
            self._record("primary host offline", host=self._host.host_id)

    async def _backfill(self, session: Session) -> None:
        """Send back what was stored, oldest first; forget it once it is old enough."""
        assert self._store is not None
        self._pending.clear()
        cursor: Cursor | None = None
        while not (self._closing.is_set() or self._host_offline.is_set()):
            await self._forget_confirmed()
            rows = await asyncio.to_thread(self._store.oldest, self.config.backfill_batch, cursor)
            if not rows:
                break
            async with self._sending:
                if self._session is not session:
                    return
                if not await self._guarded(session.history([s for _, s in rows]), session):
                    return
            cursor = rows[-1][0]
            self._pending.append((self._clock.now(), [place for place, _ in rows]))
            self._counts["history"] += len(rows)
            await asyncio.sleep(0)  # let a scan in between batches

    async def _settle(self) -> None:
        """Forget the stored samples sent back as each grows old enough, until the session
        ends (closing, or the host away)."""
        while self._pending and not (self._closing.is_set() or self._host_offline.is_set()):
            due_s = self._pending[0][0] + self.config.replay_tail_s - self._clock.now()
            await _first(self._closing, self._host_offline, within_s=max(due_s, 0.0))
            await self._forget_confirmed()

    async def _forget_confirmed(self, *, all_of_them: bool = False) -> None:
        assert self._store is not None
        oldest = self._clock.now() - self.config.replay_tail_s
        places: list[Cursor] = []
        while self._pending and (all_of_them or self._pending[0][0] < oldest):
            places += self._pending.popleft()[1]
        if places:
            await asyncio.to_thread(self._store.remove, places)

    async def _lost(self, session: Session, *, clean: bool) -> None:
        """The session is over: unless a clean NDEATH confirmed everything sent live while the
        host was there, store it again; stored samples sent back are forgotten only then."""
        confirmed = clean and not self._host_offline.is_set()
        session.lost.set()
        async with self._sending:
            if self._session is session:
                self._session = None
            self._counts["data"] += session.data_messages
            if not confirmed:
                await self._keep(session.unconfirmed())
        if confirmed:
            await self._forget_confirmed(all_of_them=True)
        self._pending.clear()
        if clean:
            self._record("disconnected")
        else:
            self._record("lost", reason=self._redial.last_error)

    # --- time, journal

    def _wall_ms(self, time_s: float) -> int:
        """A time on the station's clock as UTC ms (the one place the node converts)."""
        return round((time_s - self._clock.now() + self._clock.wall()) * 1000.0)

    def _now_ms(self) -> int:
        return round(self._clock.wall() * 1000.0)

    def _connected(self, bd_seq: int) -> None:
        self._counts["sessions"] += 1
        self._record("connected", bd_seq=bd_seq)

    def _record(self, event: str, **values: Any) -> None:
        if self._journal_sink is not None:
            self._journal_sink.record("link", f"sparkplug {self.config.topics}", event=event,
                                      broker=str(self.config.broker), **values)  # fmt: skip


async def _first(*events: asyncio.Event, within_s: float | None = None) -> None:
    """Return once any of ``events`` is set (or after ``within_s``)."""
    if any(e.is_set() for e in events):
        return
    waits = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waits, timeout=within_s, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()


def _same(a: tuple[MetricDef, ...] | None, b: tuple[MetricDef, ...]) -> bool:
    return a is b or a == b

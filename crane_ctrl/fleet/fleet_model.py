"""The operations centre's model of the fleet: Sparkplug messages in, a :class:`FleetView` out.
Pure: every time is an argument (UTC ms on the centre's clock), nothing is sent from here.

What a Sparkplug host application must make of what its edge nodes publish:

* NBIRTH: the node is online; its ``bdSeq`` and ``seq`` (0) are remembered, and every metric it
  declares with name, alias, datatype, unit and value (the aliases name the NDATA's metrics).
* NDATA: the next ``seq`` (255 wraps to 0). Another ``seq``, a metric by an alias the birth did
  not declare, or data from a node not born in this session (a message before its birth) asks
  the node for a rebirth (:class:`RebirthAsk`: NCMD ``Node Control/Rebirth``), at most once per
  :data:`REBIRTH_EVERY_S` per node. Reorder timeout 0: one node's messages reach the centre
  through one broker over one TCP connection each way, in order, so a gap is a loss (QoS 0),
  not a reordering worth waiting for (``tck-id-operational-behavior-host-reordering-*``).
* ``is_historical`` metrics (stored while the node could not publish) go to the crane's history,
  never to its live value; so does a live value older than the one held.
* NDEATH with the ``bdSeq`` of the node's birth: offline, its values stale
  (``tck-id-operational-behavior-edge-node-termination-host-action-ndeath-node-offline``,
  ``-tags-stale``). An NDEATH with another ``bdSeq`` is the late will of an earlier session
  (the node reconnected and took over): ignored.
* The centre lost the broker: every crane is stale; connected again: every crane it knew is
  stale until born again, and is asked to be.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from types import MappingProxyType

from crane_ctrl.fleet.fleet_view import (
    CraneKey,
    CraneView,
    FleetView,
    HistoryPoint,
    HostLink,
    MetricPoint,
    Presence,
)
from crane_ctrl.fleet.payload import BD_SEQ, REBIRTH, Metric, Payload, aliases_of, decode
from crane_ctrl.fleet.sequence import SEQ_MODULUS
from crane_ctrl.fleet.topics import NAMESPACE, MessageType

__all__ = ["HISTORY_KEPT", "REBIRTH_EVERY_S", "FleetModel", "RebirthAsk", "parse_topic"]

REBIRTH_EVERY_S = 5.0
"""A node is asked for a rebirth at most this often: a node born again answers in milliseconds;
asking faster would only flood a node (or a broker) that cannot answer."""
HISTORY_KEPT = 500
"""Historical values kept per crane for the operations centre to show (a historian keeps all)."""
_NOT_METRICS = frozenset({BD_SEQ, REBIRTH})


@dataclass(frozen=True, slots=True)
class RebirthAsk:
    """Ask ``crane`` for a new NBIRTH (NCMD ``Node Control/Rebirth`` true), and why."""

    crane: CraneKey
    why: str


def parse_topic(topic: str) -> tuple[MessageType, CraneKey] | None:
    """An edge node's message type and crane from its topic; ``None`` for any other topic
    (STATE, devices, another namespace)."""
    parts = topic.split("/")
    if len(parts) != 4 or parts[0] != NAMESPACE:
        return None
    try:
        kind = MessageType(parts[2])
    except ValueError:
        return None
    return kind, CraneKey(parts[1], parts[3])


@dataclass(slots=True)
class _Node:
    """What the model holds of one node (mutable; :meth:`view` makes it immutable)."""

    key: CraneKey
    presence: Presence
    since_ms: int
    why: str
    bd_seq: int | None = None
    seq: int | None = None
    aliases: dict[int, Metric] = field(default_factory=dict)
    metrics: dict[str, MetricPoint] = field(default_factory=dict)
    heard_ms: int | None = None
    history: deque[HistoryPoint] = field(default_factory=lambda: deque(maxlen=HISTORY_KEPT))
    births: int = 0
    seq_gaps: int = 0
    rebirths_asked: int = 0
    asked_ms: int | None = None
    cached: CraneView | None = None

    def become(self, presence: Presence, now_ms: int, why: str = "") -> None:
        if presence is not self.presence:
            self.since_ms = now_ms
        self.presence, self.why = presence, why

    def view(self) -> CraneView:
        if self.cached is None:
            self.cached = CraneView(
                self.key, self.presence, self.since_ms, self.why, self.bd_seq,
                MappingProxyType(dict(self.metrics)), self.heard_ms, tuple(self.history),
                self.births, self.seq_gaps, self.rebirths_asked,
            )  # fmt: skip
        return self.cached


class FleetModel:
    """Every crane the operations centre has heard of, from the messages in the order they came."""

    def __init__(self, host_id: str, broker: str, *, rebirth_every_s: float = REBIRTH_EVERY_S,
                 now_ms: int = 0) -> None:  # fmt: skip
        self._nodes: dict[CraneKey, _Node] = {}
        self._host = HostLink(host_id, broker, False, now_ms, "not connected yet")
        self._every_ms = round(rebirth_every_s * 1000)
        self._version = 0
        self._built: FleetView | None = None

    # --- what the primary host tells the model

    def take(self, topic: str, data: bytes, now_ms: int) -> tuple[RebirthAsk, ...]:
        """A message as it came off the broker; its NDATA metrics named by the node's birth.
        :class:`~crane_ctrl.errors.PayloadError` if it is no Sparkplug B payload."""
        where = parse_topic(topic)
        if where is None:
            return ()
        kind, key = where
        node = self._nodes.get(key)
        return self.observe(kind, key, decode(data, node.aliases if node else None), now_ms)

    def observe(self, kind: MessageType, key: CraneKey, payload: Payload, now_ms: int
                ) -> tuple[RebirthAsk, ...]:  # fmt: skip
        """One decoded message of node ``key``: what to ask of the nodes because of it."""
        if kind is MessageType.NBIRTH:
            self._birth(key, payload, now_ms)
            return ()
        if kind is MessageType.NDATA:
            return self._data(key, payload, now_ms)
        if kind is MessageType.NDEATH:
            self._death(key, payload, now_ms)
        return ()  # NCMD: a host's (ours, or another's)

    def connected(self, now_ms: int) -> tuple[RebirthAsk, ...]:
        """The centre's session is up: every crane known is stale until born again, and asked."""
        self._host = HostLink(self._host.host_id, self._host.broker, True, now_ms)
        asks: list[RebirthAsk] = []
        for node in self._nodes.values():
            if node.presence is not Presence.OFFLINE:
                node.become(Presence.STALE, now_ms, "not born since the operations centre "
                            "connected")  # fmt: skip
            node.asked_ms = None
            asks += self._ask(node, "the operations centre connected", now_ms)
            node.cached = None
        self._changed()
        return tuple(asks)

    def disconnected(self, now_ms: int, why: str) -> None:
        """The centre lost the broker (or could not reach it): nothing it shows is live."""
        host = self._host
        since = host.since_ms if not host.connected else now_ms  # lost since the first failure
        self._host = HostLink(host.host_id, host.broker, False, since, why)
        for node in self._nodes.values():
            if node.presence is Presence.ONLINE:
                node.become(Presence.STALE, now_ms, f"the operations centre lost the broker: {why}")
                node.cached = None
        self._changed()

    # --- what the HMI asks

    def view(self, now_ms: int) -> FleetView:
        """The fleet at ``now_ms`` (built again only after a change)."""
        built = self._built
        if built is None or built.version != self._version:
            cranes = tuple(self._nodes[k].view() for k in sorted(self._nodes))
            built = self._built = FleetView.of(now_ms, self._host, cranes, self._version)
        if built.time_ms == now_ms:
            return built
        return FleetView(now_ms, built.host, built.cranes, built.alarms, built.queue,
                         built.version)  # fmt: skip

    # --- messages

    def _birth(self, key: CraneKey, payload: Payload, now_ms: int) -> None:
        node = self._node(key, now_ms)
        bd_seq = payload.by_name().get(BD_SEQ)
        node.bd_seq = bd_seq.value if bd_seq is not None and isinstance(bd_seq.value, int) else None
        node.seq = payload.seq
        node.aliases = aliases_of(payload)
        node.metrics = {m.name: MetricPoint(m.value, m.timestamp_ms, m.unit)
                        for m in payload.metrics
                        if m.name is not None and m.name not in _NOT_METRICS}  # fmt: skip
        node.births += 1
        node.become(Presence.ONLINE, now_ms)
        self._heard(node, now_ms)

    def _data(self, key: CraneKey, payload: Payload, now_ms: int) -> tuple[RebirthAsk, ...]:
        node = self._node(key, now_ms)
        self._heard(node, now_ms)
        if node.presence is not Presence.ONLINE:
            return self._ask(node, "data before its birth", now_ms)
        asks = self._check_seq(node, payload.seq, now_ms)
        unknown = [m.alias for m in payload.metrics if m.name is None]
        for metric in payload.metrics:
            if metric.name is not None:
                self._apply(node, metric.name, metric)
        if unknown:
            asks += self._ask(node, f"metric alias {unknown[0]} not in its birth", now_ms)
        return asks

    def _check_seq(self, node: _Node, seq: int | None, now_ms: int) -> tuple[RebirthAsk, ...]:
        expected = None if node.seq is None else (node.seq + 1) % SEQ_MODULUS
        node.seq = seq
        if seq is not None and seq == expected:
            return ()
        node.seq_gaps += 1
        return self._ask(node, f"seq {seq} where {expected} was due", now_ms)

    def _apply(self, node: _Node, name: str, metric: Metric) -> None:
        held = node.metrics.get(name)
        if metric.is_historical or _older(metric.timestamp_ms, held):
            node.history.append(HistoryPoint(name, metric.value, metric.timestamp_ms))
            return
        unit = held.unit if held is not None else metric.unit
        node.metrics[name] = MetricPoint(metric.value, metric.timestamp_ms, unit)

    def _death(self, key: CraneKey, payload: Payload, now_ms: int) -> None:
        node = self._nodes.get(key)
        bd_seq = payload.by_name().get(BD_SEQ)
        if node is None or bd_seq is None or node.births == 0 or bd_seq.value != node.bd_seq:
            return  # a will of another session (or of a node never born here): nothing ends
        node.become(Presence.OFFLINE, now_ms, f"NDEATH (bdSeq {node.bd_seq})")
        self._heard(node, now_ms)

    # --- bookkeeping

    def _node(self, key: CraneKey, now_ms: int) -> _Node:
        node = self._nodes.get(key)
        if node is None:
            node = self._nodes[key] = _Node(key, Presence.STALE, now_ms,
                                            "heard, not born yet: rebirth asked")  # fmt: skip
        return node

    def _heard(self, node: _Node, now_ms: int) -> None:
        node.heard_ms = now_ms
        node.cached = None
        self._changed()

    def _ask(self, node: _Node, why: str, now_ms: int) -> tuple[RebirthAsk, ...]:
        if node.asked_ms is not None and now_ms - node.asked_ms < self._every_ms:
            return ()
        node.asked_ms = now_ms
        node.rebirths_asked += 1
        node.cached = None
        self._changed()
        return (RebirthAsk(node.key, why),)

    def _changed(self) -> None:
        self._version += 1


def _older(timestamp_ms: int | None, held: MetricPoint | None) -> bool:
    """A value read before the one held (a late one: history, not the live value)."""
    if timestamp_ms is None or held is None or held.timestamp_ms is None:
        return False
    return timestamp_ms < held.timestamp_ms

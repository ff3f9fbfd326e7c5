"""What the operations centre knows of its cranes, immutable: :class:`FleetView`. Pure.

One :class:`CraneView` per edge node the primary host has heard of (Sparkplug group: the yard
block, edge node: the crane): whether it is online (born and alive), offline (its NDEATH came)
or stale (not born since the operations centre connected, or the centre lost the broker), since
when and why, and every metric of its last NBIRTH with the latest value and when it was read.
:class:`FleetView` adds what is said across the fleet: every crane's alarms in one list
(:class:`FleetAlarm`), and the remote-operator queue (:class:`Waiting`: cranes whose landing
waits for an operator to confirm). :func:`crane_row` says what the fleet table shows of a crane.

:class:`~crane_ctrl.fleet.fleet_model.FleetModel` makes these views from Sparkplug messages. This
module knows no protobuf, MQTT, asyncio nor clock (every time is an argument, UTC ms): the HMI
imports it, and nothing else of the fleet. The metric names it reads are the edge node's
(:mod:`crane_ctrl.fleet.metrics`; a test checks that a station declares every one).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from types import MappingProxyType

from crane_ctrl.alarms.conditions import supervisor_alarms
from crane_ctrl.alarms.states import UNACKNOWLEDGED, VISIBLE, AlarmDefinition, AlarmState, Priority

__all__ = [
    "ALARMS",
    "DATA_OLD_S",
    "READ",
    "CraneKey",
    "CraneRow",
    "CraneView",
    "FleetAlarm",
    "FleetView",
    "HostLink",
    "MetricPoint",
    "Presence",
    "Urgency",
    "Value",
    "Waiting",
    "crane_alarms",
    "crane_row",
]

Value = bool | int | float | str | None

DATA_OLD_S = 30.0
"""An online crane not heard from for this long shows its data age as abnormal. A node reports
by exception, so a crane at rest is quiet, but its scan time and PLC round trip move every few
seconds; half a minute of silence from a live node means its scan or its intake is stuck."""

STATE, MODE, JOB, STEP = "Operation/State", "Operation/Mode", "Job/Id", "Job/Step"
PROGRESS, LOAD, WHY_NOT_START = "Job/Progress", "Hoist/Load", "Why not/Start"
LINK, COMMS_OK, AWAITING = "Link/State", "Link/Comms ok", "Operation/Awaiting confirm"
ALARMS = "Alarms/"
"""An alarm's metric is ``Alarms/<ID>``; its value the alarm's state (``unack``, ...)."""
_ALARM_COUNTS = frozenset({"Alarms/Annunciated", "Alarms/Unacknowledged", "Alarms/First out"})
READ = (STATE, MODE, JOB, STEP, PROGRESS, LOAD, WHY_NOT_START, LINK, COMMS_OK, AWAITING)
"""Every metric this module reads by name (besides the alarms)."""


class Presence(StrEnum):
    ONLINE = "online"
    """Born in this session of the operations centre, and no NDEATH since: values are live."""
    OFFLINE = "offline"
    """Its NDEATH came (the bdSeq of its birth): the values are the last known, stale."""
    STALE = "stale"
    """Not born since the operations centre connected, or the centre lost the broker: the values
    (if any) are the last known."""


@dataclass(frozen=True, slots=True, order=True)
class CraneKey:
    """A crane by its Sparkplug ids: the group (yard block) and the edge node (crane)."""

    group: str
    node: str

    def __str__(self) -> str:
        return f"{self.group}/{self.node}"


@dataclass(frozen=True, slots=True)
class MetricPoint:
    """A metric's latest value and when the crane read it (UTC ms)."""

    value: Value
    timestamp_ms: int | None
    unit: str = ""


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """A value sent late (``is_historical``: stored while the broker was away)."""

    name: str
    value: Value
    timestamp_ms: int | None


@dataclass(frozen=True, slots=True)
class CraneView:
    """One crane as the operations centre knows it."""

    key: CraneKey
    presence: Presence
    since_ms: int
    """When it became what :attr:`presence` says (the centre's time, UTC ms)."""
    why: str
    """Why it is not online, in words (``""`` while online)."""
    bd_seq: int | None
    """The ``bdSeq`` of its last NBIRTH: the NDEATH that ends that session carries it."""
    metrics: Mapping[str, MetricPoint] = field(default_factory=lambda: MappingProxyType({}))
    heard_ms: int | None = None
    """When the centre last received a message from it (UTC ms)."""
    history: tuple[HistoryPoint, ...] = ()
    """The latest historical values received, oldest first (bounded)."""
    births: int = 0
    seq_gaps: int = 0
    rebirths_asked: int = 0

    @property
    def online(self) -> bool:
        return self.presence is Presence.ONLINE

    def value(self, name: str) -> Value:
        point = self.metrics.get(name)
        return None if point is None else point.value

    def text(self, name: str) -> str | None:
        value = self.value(name)
        return None if value is None else str(value)

    def number(self, name: str) -> float | None:
        value = self.value(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value)


@dataclass(frozen=True, slots=True)
class FleetAlarm:
    """One alarm of one crane, in a state an operator sees (unacknowledged, acknowledged, or
    returned unacknowledged)."""

    crane: CraneKey
    id: str
    state: AlarmState
    priority: Priority | None
    """``None``: not in the supervisor's catalogue (a PLC profile's own alarm): ranked as high."""
    message: str
    since_ms: int | None
    """When the crane read this state (or its last birth, if the state has not changed since)."""
    live: bool
    """The crane is online (else the state is its last known)."""

    @property
    def unacknowledged(self) -> bool:
        return self.state in UNACKNOWLEDGED

    def rank(self) -> tuple[int, int, int, int, CraneKey, str]:
        """Most urgent first: priority (unknown as high), unacknowledged first, newest first,
        a known one before one of unknown priority."""
        priority = int(self.priority or Priority.HIGH)
        return (priority, 0 if self.unacknowledged else 1, -(self.since_ms or 0),
                self.priority is None, self.crane, self.id)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Waiting:
    """A crane in the remote-operator queue: its landing waits for an operator to confirm."""

    crane: CraneKey
    landing: str
    since_ms: int | None
    job: str | None


@dataclass(frozen=True, slots=True)
class HostLink:
    """The operations centre's own session with the broker."""

    host_id: str
    broker: str
    connected: bool
    since_ms: int
    why: str = ""
    """Why it is not connected (``""`` while it is)."""


@dataclass(frozen=True, slots=True)
class FleetView:
    """The whole fleet at :attr:`time_ms`, as one immutable value."""

    time_ms: int
    host: HostLink
    cranes: tuple[CraneView, ...]
    alarms: tuple[FleetAlarm, ...]
    """Every crane's alarms an operator sees, the most urgent first."""
    queue: tuple[Waiting, ...]
    """Cranes waiting for a remote operator, the longest waiting first."""
    version: int = 0
    """One more whenever a crane or the host link changed (time passing alone does not)."""

    @classmethod
    def of(cls, time_ms: int, host: HostLink, cranes: tuple[CraneView, ...], version: int = 0
           ) -> FleetView:  # fmt: skip
        """The view of ``cranes``, with the fleet's alarm list and queue worked out."""
        alarms = sorted((a for c in cranes for a in crane_alarms(c)), key=FleetAlarm.rank)
        waiting = sorted((w for c in cranes if (w := _waiting(c)) is not None),
                         key=lambda w: (w.since_ms or 0, w.crane))  # fmt: skip
        return cls(time_ms, host, cranes, tuple(alarms), tuple(waiting), version)

    def crane(self, key: CraneKey) -> CraneView | None:
        return next((c for c in self.cranes if c.key == key), None)


@functools.cache
def _catalogue() -> Mapping[str, AlarmDefinition]:
    return MappingProxyType({d.id: d for d in supervisor_alarms()})


def crane_alarms(crane: CraneView) -> tuple[FleetAlarm, ...]:
    """The crane's alarms an operator sees (as the local Alarms screen shows them by default),
    the most urgent first; priority and text from the supervisor's alarm catalogue."""
    out = []
    for name, point in crane.metrics.items():
        if not name.startswith(ALARMS) or name in _ALARM_COUNTS:
            continue
        try:
            state = AlarmState(str(point.value))
        except ValueError:
            continue  # no state (null) or one this version does not know
        if state not in VISIBLE:
            continue
        alarm_id = name.removeprefix(ALARMS)
        known = _catalogue().get(alarm_id)
        out.append(FleetAlarm(crane.key, alarm_id, state, known.priority if known else None,
                              known.message if known else "(an alarm of the crane's PLC profile)",
                              point.timestamp_ms, crane.online))  # fmt: skip
    return tuple(sorted(out, key=FleetAlarm.rank))


def _waiting(crane: CraneView) -> Waiting | None:
    point = crane.metrics.get(AWAITING)
    if point is None or point.value is None or not crane.online:
        return None
    return Waiting(crane.key, str(point.value), point.timestamp_ms, crane.text(JOB))


class Urgency(IntEnum):
    """How a crane's row ranks in the fleet table (lower first)."""

    LOST = 0
    """Offline or stale: nothing it shows is live."""
    ALARM = 1
    """An alarm waits to be acknowledged."""
    WAITING = 2
    """A landing waits for a remote operator."""
    ATTENTION = 3
    """Alarms acknowledged but shown, no automatic start, the PLC link not up, or data old."""
    NORMAL = 4


@dataclass(frozen=True, slots=True)
class CraneRow:
    """What the fleet table shows of one crane (plain values; the HMI words and styles them)."""

    key: CraneKey
    presence: Presence
    since_ms: int
    why: str
    state: str | None
    mode: str | None
    job: str | None
    step: str | None
    progress: float | None
    load_t: float | None
    alarms_shown: int
    alarms_unack: int
    top_alarm: FleetAlarm | None
    why_not: str | None
    link: str | None
    comms_ok: bool | None
    awaiting: str | None
    data_age_s: float | None
    data_old: bool
    urgency: Urgency

    def sort_key(self) -> tuple[int, int, CraneKey]:
        top = self.top_alarm
        return int(self.urgency), top.rank()[0] if top else 9, self.key


def crane_row(crane: CraneView, now_ms: int, *, old_after_s: float = DATA_OLD_S) -> CraneRow:
    """The fleet table's row of ``crane`` at ``now_ms``."""
    alarms = crane_alarms(crane)
    age = None if crane.heard_ms is None else max(0.0, (now_ms - crane.heard_ms) / 1000.0)
    old = crane.online and (age is None or age >= old_after_s)
    comms = crane.value(COMMS_OK)
    unack = sum(a.unacknowledged for a in alarms)
    return CraneRow(
        crane.key, crane.presence, crane.since_ms, crane.why, crane.text(STATE),
        crane.text(MODE), crane.text(JOB), crane.text(STEP), crane.number(PROGRESS),
        crane.number(LOAD), len(alarms), unack, alarms[0] if alarms else None,
        crane.text(WHY_NOT_START), crane.text(LINK), comms if isinstance(comms, bool) else None,
        crane.text(AWAITING), age, old, _urgency(crane, alarms, old),
    )  # fmt: skip


def _urgency(crane: CraneView, alarms: tuple[FleetAlarm, ...], old: bool) -> Urgency:
    if not crane.online:
        return Urgency.LOST
    if any(a.unacknowledged for a in alarms):
        return Urgency.ALARM
    if crane.value(AWAITING) is not None:
        return Urgency.WAITING
    if alarms or crane.value(WHY_NOT_START) or crane.value(LINK) != "up" or old:
        return Urgency.ATTENTION
    return Urgency.NORMAL

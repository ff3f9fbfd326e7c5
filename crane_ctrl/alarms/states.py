"""One alarm's ISA-18.2 / IEC 62682 state, and the immutable records the alarm engine hands out.

The state an operator sees is derived from three independent facts about the alarm:

* whether the **alarm is active** (its condition held for ``on_delay_s``; it stays active until
  the condition has been clear for ``off_delay_s``, and a latching alarm until it is reset);
* whether its latest activation is **acknowledged**;
* whether it is hidden, and why: **out of service** (maintenance) before **shelved** (operator,
  with expiry) before **suppressed** by design (another alarm is active).

```
                   active, unacked             active, acked
  NORMAL ------------> UNACK ----- ack ----------> ACKED
    ^  ^                 |  ^                        |
    |  |         clears  |  | condition again        | clears
    |  |                 v  |                        |
    |  +------ ack --- RTN_UNACK                     |
    +------------------------------------------------+
  hidden: OUT_OF_SERVICE > SHELVED > SUPPRESSED; on leaving the last, UNACK if active, else NORMAL
```

:class:`AlarmRecord` is the engine's mutable record of one alarm; every method that changes it
returns the :class:`AlarmEvent` it caused. It checks nothing: :mod:`crane_ctrl.alarms.engine`
decides what is allowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

from crane_ctrl.errors import AlarmError

__all__ = [
    "EVENT_KEYS",
    "AlarmDefinition",
    "AlarmError",
    "AlarmEvent",
    "AlarmEventKind",
    "AlarmRecord",
    "AlarmState",
    "AlarmView",
    "Priority",
]


class Priority(IntEnum):
    """How urgently the operator must respond; lower value = more urgent (sorts first)."""

    HIGH = 1
    MEDIUM = 2
    LOW = 3

    @property
    def label(self) -> str:
        return self.name.lower()


class AlarmState(StrEnum):
    NORMAL = "normal"
    UNACK = "unack"
    """Active, not acknowledged."""
    ACKED = "acked"
    """Active, acknowledged."""
    RTN_UNACK = "rtn_unack"
    """Returned to normal before it was acknowledged."""
    SHELVED = "shelved"
    """Hidden by an operator until an expiry time."""
    SUPPRESSED = "suppressed"
    """Hidden by design while another alarm that makes it meaningless is active."""
    OUT_OF_SERVICE = "out_of_service"
    """Hidden by maintenance until put back in service."""


HIDDEN = frozenset({AlarmState.SHELVED, AlarmState.SUPPRESSED, AlarmState.OUT_OF_SERVICE})
VISIBLE = frozenset({AlarmState.UNACK, AlarmState.ACKED, AlarmState.RTN_UNACK})
UNACKNOWLEDGED = frozenset({AlarmState.UNACK, AlarmState.RTN_UNACK})


class AlarmEventKind(StrEnum):
    ACTIVATED = "activated"
    CLEARED = "cleared"
    """No longer active and nothing left to acknowledge (or hidden)."""
    ACKNOWLEDGED = "acknowledged"
    RETURNED = "returned"
    """No longer active but not yet acknowledged: now RTN_UNACK."""
    SHELVED = "shelved"
    UNSHELVED = "unshelved"
    SUPPRESSED = "suppressed"
    UNSUPPRESSED = "unsuppressed"
    OUT_OF_SERVICE = "out_of_service"
    IN_SERVICE = "in_service"
    FLOOD_START = "flood_start"
    FLOOD_END = "flood_end"


@dataclass(frozen=True, slots=True)
class AlarmDefinition:
    """What an alarm means and how it behaves: rationalised once, never changed at run time."""

    id: str
    message: str
    """The sentence the operator reads, saying what happened and what to do."""
    priority: Priority
    on_delay_s: float = 0.0
    """The condition must hold this long before the alarm activates (against chatter)."""
    off_delay_s: float = 0.0
    """The condition must be clear this long before the alarm stops being active."""
    first_out_group: str | None = None
    """Alarms of one group activating in one burst: the first is marked first-out."""
    suppressed_by: frozenset[str] = frozenset()
    """Alarm ids whose being active makes this one meaningless (suppression by design)."""
    latching: bool = False
    """Stays active after its condition clears, until ``reset``."""

    def __post_init__(self) -> None:
        if not self.id:
            raise AlarmError("an alarm definition needs a non-empty `id`")
        if not self.message:
            raise AlarmError(f"alarm {self.id}: `message` must say what happened, not be empty")
        for name in ("on_delay_s", "off_delay_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0.0):
                raise AlarmError(f"alarm {self.id}: `{name}` must be non-negative, not {value}")
        if not isinstance(self.suppressed_by, frozenset):
            object.__setattr__(self, "suppressed_by", frozenset(self.suppressed_by))
        if self.id in self.suppressed_by:
            raise AlarmError(f"alarm {self.id}: it cannot be suppressed by itself")


EVENT_KEYS = (
    "time",
    "alarm_id",
    "kind",
    "from_state",
    "to_state",
    "priority",
    "user",
    "message",
    "first_out",
    "shelved_until",
)
"""The keys of :meth:`AlarmEvent.as_dict`, in order; the journal may rely on them."""


@dataclass(frozen=True, slots=True)
class AlarmEvent:
    """One thing that happened to one alarm (or, for a flood, to the alarm system)."""

    time: float
    alarm_id: str
    kind: AlarmEventKind
    from_state: AlarmState | None
    """``None`` for flood events, which belong to no alarm."""
    to_state: AlarmState | None
    priority: Priority | None
    user: str | None
    """Who did it; ``None`` when the process or the clock did."""
    message: str
    first_out: bool = False
    """This activation is the first of its group's burst."""
    shelved_until: float | None = None
    """For ``shelved``: when the shelf expires."""

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values under :data:`EVENT_KEYS`."""
        return {
            "time": self.time,
            "alarm_id": self.alarm_id,
            "kind": str(self.kind),
            "from_state": None if self.from_state is None else str(self.from_state),
            "to_state": None if self.to_state is None else str(self.to_state),
            "priority": None if self.priority is None else self.priority.label,
            "user": self.user,
            "message": self.message,
            "first_out": self.first_out,
            "shelved_until": self.shelved_until,
        }


@dataclass(frozen=True, slots=True)
class AlarmView:
    """What the HMI shows of one alarm at one moment."""

    id: str
    message: str
    priority: Priority
    state: AlarmState
    active: bool
    """The alarm is active (delays applied, latch held), whatever it shows."""
    condition: bool
    """The process condition as last reported, before delays."""
    since: float | None
    """When ``state`` was entered; ``None`` if it never changed."""
    activated_at: float | None
    """When it last activated; ``None`` if never."""
    acknowledged_by: str | None
    shelved_until: float | None
    shelved_by: str | None
    suppressed: bool
    out_of_service: bool
    needs_reset: bool
    """A latched alarm whose condition is gone: ``reset`` will clear it."""
    first_out: bool
    activations: int


@dataclass(slots=True)
class AlarmRecord:
    """The engine's mutable record of one alarm. Methods return the event they cause."""

    definition: AlarmDefinition
    index: int
    """Position in the catalogue: the tie-break wherever order matters."""
    condition: bool = False
    condition_since: float = -math.inf
    settled: bool = False
    """The condition after the on/off delays."""
    settled_at: float = -math.inf
    """When ``settled`` last changed (exact time the delay ran out)."""
    active: bool = False
    acked: bool = True
    acked_by: str | None = None
    activated_at: float | None = None
    activations: int = 0
    shelved_until: float | None = None
    shelved_by: str | None = None
    suppressed: bool = False
    out_of_service: bool = False
    since: float | None = None
    detail: str = ""
    """What the condition says about itself (which signal, what value), when it says it."""
    _view: tuple[bool, AlarmView] | None = field(default=None, repr=False, compare=False)
    """The last view made, and whether it was made first-out (see :meth:`view`)."""

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def message(self) -> str:
        """The definition's message, with the latest detail when there is one."""
        d = self.definition
        return f"{d.message.rstrip('.')} ({self.detail})" if self.detail else d.message

    @property
    def hidden(self) -> bool:
        return self.out_of_service or self.shelved_until is not None or self.suppressed

    @property
    def state(self) -> AlarmState:
        if self.out_of_service:
            return AlarmState.OUT_OF_SERVICE
        if self.shelved_until is not None:
            return AlarmState.SHELVED
        if self.suppressed:
            return AlarmState.SUPPRESSED
        return self.base_state

    @property
    def base_state(self) -> AlarmState:
        """The state it would show if nothing hid it."""
        if self.active:
            return AlarmState.ACKED if self.acked else AlarmState.UNACK
        return AlarmState.NORMAL if self.acked else AlarmState.RTN_UNACK

    @property
    def needs_reset(self) -> bool:
        return self.active and not self.settled

    # --- process --------------------------------------------------------------------------------

    def report(self, condition: bool, now: float) -> None:
        if condition != self.condition:
            self.condition = condition
            self.condition_since = now

    def settle(self, now: float) -> None:
        """Apply the on/off delays: ``settled`` follows a condition that held long enough."""
        if self.condition == self.settled:
            return
        d = self.definition
        delay = d.on_delay_s if self.condition else d.off_delay_s
        if now - self.condition_since >= delay:
            self.settled = self.condition
            self.settled_at = self.condition_since + delay

    @property
    def wants_active(self) -> bool:
        """Active as the delays and the latch say; differs from ``active`` until applied."""
        return self.settled or (self.definition.latching and self.active)

    def activate(self, now: float, *, first_out: bool) -> AlarmEvent:
        before = self.state
        self.active = True
        self.acked = False
        self.acked_by = None
        self.activated_at = now
        self.activations += 1
        return self._event(AlarmEventKind.ACTIVATED, before, now, None, first_out=first_out)

    def deactivate(self, now: float, user: str | None = None) -> AlarmEvent:
        before = self.state
        self.active = False
        returned = not self.acked and not self.hidden
        kind = AlarmEventKind.RETURNED if returned else AlarmEventKind.CLEARED
        return self._event(kind, before, now, user)

    # --- operator and maintenance ---------------------------------------------------------------

    def acknowledge(self, now: float, user: str) -> AlarmEvent:
        before = self.state
        self.acked = True
        self.acked_by = user
        return self._event(AlarmEventKind.ACKNOWLEDGED, before, now, user)

    def shelve(self, now: float, until: float, user: str) -> AlarmEvent:
        before = self.state
        self.shelved_until = until
        self.shelved_by = user
        return self._event(AlarmEventKind.SHELVED, before, now, user, shelved_until=until)

    def unshelve(self, now: float, user: str | None) -> AlarmEvent:
        before = self.state
        self.shelved_until = None
        self.shelved_by = None
        self._reveal()
        return self._event(AlarmEventKind.UNSHELVED, before, now, user)

    def set_suppressed(self, on: bool, now: float) -> AlarmEvent:
        before = self.state
        self.suppressed = on
        self._reveal()
        kind = AlarmEventKind.SUPPRESSED if on else AlarmEventKind.UNSUPPRESSED
        return self._event(kind, before, now, None)

    def set_out_of_service(self, on: bool, now: float, user: str) -> AlarmEvent:
        before = self.state
        self.out_of_service = on
        self._reveal()
        kind = AlarmEventKind.OUT_OF_SERVICE if on else AlarmEventKind.IN_SERVICE
        return self._event(kind, before, now, user)

    def _reveal(self) -> None:
        """Leaving the last hidden state: show the true state, UNACK if active (ISA-18.2)."""
        if not self.hidden:
            self.acked = not self.active
            self.acked_by = None

    # --- views ----------------------------------------------------------------------------------

    def _event(
        self,
        kind: AlarmEventKind,
        before: AlarmState,
        now: float,
        user: str | None,
        *,
        first_out: bool = False,
        shelved_until: float | None = None,
    ) -> AlarmEvent:
        after = self.state
        if after != before:
            self.since = now
        d = self.definition
        return AlarmEvent(
            now, d.id, kind, before, after, d.priority, user, self.message, first_out, shelved_until
        )

    def view(self, *, first_out: bool) -> AlarmView:
        """What the HMI shows of this alarm; the last view again while nothing of the record
        has been set since it was made (the HMI asks every scan, and most alarms do not
        change): :meth:`__setattr__` forgets it on any change."""
        last = self._view
        if last is not None and last[0] is first_out:
            return last[1]
        view = self._make_view(first_out=first_out)
        self._view = (first_out, view)
        return view

    def __setattr__(self, name: str, value: object) -> None:
        """Set a field; any but the view forgets the view made before (see :meth:`view`)."""
        object.__setattr__(self, name, value)
        if name != "_view":
            object.__setattr__(self, "_view", None)

    def _make_view(self, *, first_out: bool) -> AlarmView:
        d = self.definition
        return AlarmView(
            id=d.id,
            message=self.message,
            priority=d.priority,
            state=self.state,
            active=self.active,
            condition=self.condition,
            since=self.since,
            activated_at=self.activated_at,
            acknowledged_by=self.acked_by,
            shelved_until=self.shelved_until,
            shelved_by=self.shelved_by,
            suppressed=self.suppressed,
            out_of_service=self.out_of_service,
            needs_reset=self.needs_reset and d.latching,
            first_out=first_out,
            activations=self.activations,
        )

"""The ISA-18.2 / IEC 62682 alarm engine: pure logic, time passed in, events out.

The scan loop calls :meth:`AlarmSystem.update` once per scan with the conditions it knows; the
HMI calls the operator actions; every call returns the :class:`AlarmEvent` list it caused, for
the journal. Nothing here reads a clock: ``now`` is a monotonic time in seconds, and a ``now``
earlier than one already seen is taken as the latest seen (time never runs backwards here).

One :meth:`~AlarmSystem.update` works in this order, so that an alarm and the alarm that
suppresses it may activate in the same scan without the first ever being annunciated:

1. the reported conditions pass their on/off delays; the latch holds latching alarms;
2. suppression by design follows from which alarms are now active; newly suppressed alarms hide;
3. activations and clears, in the order their delays ran out (catalogue order on ties); the
   first visible activation of a first-out group since the group was all-normal is first-out;
4. shelves that expired and suppressions that ended reveal the true state (UNACK if active);
5. flood: more than ``flood_count`` annunciated activations within ``flood_window_s`` starts a
   flood; it ends when fewer than ``flood_end_count`` remain in the window (EEMUA: 10 / 5).

The catalogue (:data:`BASE_DEFINITIONS`, :func:`definitions_from_interlocks`,
:func:`alarm_catalogue`) ties alarms to the interlocks, the link and the PLC.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import replace
from difflib import get_close_matches

from crane_ctrl.alarms.states import (
    EVENT_KEYS,
    UNACKNOWLEDGED,
    VISIBLE,
    AlarmDefinition,
    AlarmError,
    AlarmEvent,
    AlarmEventKind,
    AlarmRecord,
    AlarmState,
    AlarmView,
    Priority,
)

__all__ = [
    "BASE_DEFINITIONS",
    "EVENT_KEYS",
    "FLOOD_ID",
    "TRIP_GROUP",
    "AlarmDefinition",
    "AlarmError",
    "AlarmEvent",
    "AlarmEventKind",
    "AlarmState",
    "AlarmSystem",
    "AlarmView",
    "Priority",
    "alarm_catalogue",
    "definitions_from_interlocks",
]

TRIP_GROUP = "trip"
"""The first-out group of every trip: interlocks and the link alarms that stop the crane."""
FLOOD_ID = "ALARM_FLOOD"
"""The ``alarm_id`` of ``flood_start`` / ``flood_end`` events."""
DEFAULT_MAX_SHELVE_S = 8 * 3600.0
"""Longest an operator may shelve an alarm: one shift."""


class AlarmSystem:
    """Every alarm of one crane: states, operator actions, first-out, flood."""

    def __init__(
        self,
        definitions: Iterable[AlarmDefinition],
        *,
        flood_count: int = 10,
        flood_window_s: float = 600.0,
        flood_end_count: int = 5,
        max_shelve_s: float = DEFAULT_MAX_SHELVE_S,
    ) -> None:
        if flood_count < 1:
            raise AlarmError(f"`flood_count` must be at least 1, not {flood_count}")
        if not (math.isfinite(flood_window_s) and flood_window_s > 0.0):
            raise AlarmError(f"`flood_window_s` must be positive, not {flood_window_s}")
        if not 1 <= flood_end_count <= flood_count + 1:
            raise AlarmError(
                f"`flood_end_count` must be 1..{flood_count + 1} (flood_count + 1), "
                f"not {flood_end_count}"
            )
        if not (math.isfinite(max_shelve_s) and max_shelve_s > 0.0):
            raise AlarmError(f"`max_shelve_s` must be positive, not {max_shelve_s}")
        defs = tuple(definitions)
        _check_catalogue(defs)
        self._records = {d.id: AlarmRecord(d, i) for i, d in enumerate(defs)}
        self._flood_count = flood_count
        self._flood_window_s = flood_window_s
        self._flood_end_count = flood_end_count
        self.max_shelve_s = max_shelve_s
        self._annunciations: deque[float] = deque()
        self._flood = False
        self._first_out: dict[str, str] = {}
        self._now = -math.inf

    # --- the scan -------------------------------------------------------------------------------

    def update(
        self,
        now: float,
        conditions: Mapping[str, bool],
        details: Mapping[str, str] | None = None,
    ) -> list[AlarmEvent]:
        """Take this scan's conditions (missing ids keep their last) and apply the time passed.

        ``details``: what a true condition says about itself (which signal, what value); an
        alarm's message carries the latest one given while its condition held."""
        for alarm_id in conditions:
            self._record(alarm_id)
        for alarm_id, detail in (details or {}).items():
            if conditions.get(alarm_id):
                record = self._record(alarm_id)
                if record.detail != detail:  # (the same words again keep the alarm's view)
                    record.detail = detail
        now = self._tick(now)
        records = self._records.values()
        for alarm_id, condition in conditions.items():
            self._records[alarm_id].report(bool(condition), now)
        wants: dict[str, bool] = {}
        for r in records:
            r.settle(now)
            wants[r.id] = r.wants_active
        suppress = self._suppression(wants)
        events = [
            r.set_suppressed(True, now) for r in records if suppress[r.id] and not r.suppressed
        ]
        changing = sorted(
            (r for r in records if wants[r.id] != r.active), key=lambda r: (r.settled_at, r.index)
        )
        for r in changing:
            events.append(self._activate(r, now) if wants[r.id] else r.deactivate(now))
        for r in records:
            if r.shelved_until is not None and r.shelved_until <= now:
                events.append(r.unshelve(now, None))
        events.extend(self._unsuppress(now, suppress))
        self._end_bursts()
        events.extend(self._check_flood(now))
        return events

    def _activate(self, r: AlarmRecord, now: float) -> AlarmEvent:
        group = r.definition.first_out_group
        visible = not r.hidden
        first = visible and group is not None and group not in self._first_out
        if first and group is not None:
            self._first_out[group] = r.id
        if visible:
            self._annunciations.append(now)
        return r.activate(now, first_out=first)

    # --- operator and maintenance actions -------------------------------------------------------

    def acknowledge(self, alarm_id: str, now: float, user: str) -> list[AlarmEvent]:
        r = self._record(alarm_id)
        state = r.state
        if state not in UNACKNOWLEDGED:
            raise AlarmError(f"alarm {alarm_id} cannot be acknowledged: {_why_no_ack(r)}")
        event = r.acknowledge(self._tick(now), user)
        self._end_bursts()
        return [event]

    def acknowledge_all(self, now: float, user: str) -> list[AlarmEvent]:
        """Acknowledge every annunciated alarm awaiting it; hidden alarms are left alone."""
        now = self._tick(now)
        events = [
            r.acknowledge(now, user) for r in self._records.values() if r.state in UNACKNOWLEDGED
        ]
        self._end_bursts()
        return events

    def shelve(self, alarm_id: str, now: float, duration_s: float, user: str) -> list[AlarmEvent]:
        """Hide an alarm for ``duration_s`` (at most ``max_shelve_s``); shelving again re-times."""
        r = self._record(alarm_id)
        if not (math.isfinite(duration_s) and duration_s > 0.0):
            raise AlarmError(f"alarm {alarm_id}: `duration_s` must be positive, not {duration_s}")
        if duration_s > self.max_shelve_s:
            raise AlarmError(
                f"alarm {alarm_id} cannot be shelved for {_hours(duration_s)}: "
                f"the longest shelve is {_hours(self.max_shelve_s)}"
            )
        if r.out_of_service:
            raise AlarmError(f"alarm {alarm_id} is out of service: there is nothing to shelve")
        now = self._tick(now)
        event = r.shelve(now, now + duration_s, user)
        self._end_bursts()
        return [event]

    def unshelve(self, alarm_id: str, now: float, user: str) -> list[AlarmEvent]:
        r = self._record(alarm_id)
        if r.shelved_until is None:
            raise AlarmError(f"alarm {alarm_id} is not shelved")
        return [r.unshelve(self._tick(now), user)]

    def set_out_of_service(
        self, alarm_id: str, on: bool, now: float, user: str
    ) -> list[AlarmEvent]:
        """Take an alarm out of service (``on``) or put it back; the caller checks the role."""
        r = self._record(alarm_id)
        if on == r.out_of_service:
            where = "out of service" if on else "in service"
            raise AlarmError(f"alarm {alarm_id} is already {where}")
        event = r.set_out_of_service(on, self._tick(now), user)
        self._end_bursts()
        return [event]

    def reset(self, alarm_id: str, now: float, user: str) -> list[AlarmEvent]:
        """Clear a latched alarm whose condition has gone (for ``off_delay_s``).

        Alarms it suppressed by design show their true state at once.
        """
        r = self._record(alarm_id)
        if not r.definition.latching:
            raise AlarmError(f"alarm {alarm_id} does not latch: it clears by itself")
        if not r.active:
            raise AlarmError(f"alarm {alarm_id} is not active: there is nothing to reset")
        if r.settled:
            raise AlarmError(f"alarm {alarm_id} cannot be reset: its condition is still present")
        now = self._tick(now)
        events = [r.deactivate(now, user)]
        suppress = self._suppression({q.id: q.active for q in self._records.values()})
        events.extend(self._unsuppress(now, suppress))
        self._end_bursts()
        return events

    def redefine(self, definitions: Iterable[AlarmDefinition], now: float) -> list[AlarmEvent]:
        """Change the catalogue (a swapped PLC profile brings its own alarms).

        An alarm defined before and after keeps its state (and takes the new definition); one
        that is no longer defined leaves, with a ``cleared`` event if it was not normal; a new
        one starts normal.
        """
        defs = tuple(definitions)
        _check_catalogue(defs)
        now = self._tick(now)
        old = self._records
        ids = {d.id for d in defs}
        events = [
            _removed(r, now)
            for r in old.values()
            if r.id not in ids and r.state is not AlarmState.NORMAL
        ]
        self._records = {}
        for index, d in enumerate(defs):
            record = old.get(d.id) or AlarmRecord(d, index)
            record.definition, record.index = d, index
            self._records[d.id] = record
        self._end_bursts()
        return events

    # --- views ----------------------------------------------------------------------------------

    @property
    def definitions(self) -> tuple[AlarmDefinition, ...]:
        return tuple(r.definition for r in self._records.values())

    def alarm(self, alarm_id: str) -> AlarmView:
        r = self._record(alarm_id)
        return r.view(first_out=self._is_first_out(r))

    def alarms(self) -> list[AlarmView]:
        """Every alarm, in catalogue order."""
        return [r.view(first_out=self._is_first_out(r)) for r in self._records.values()]

    def annunciated(self) -> list[AlarmView]:
        """What the operator must see: UNACK, ACKED, RTN_UNACK; by priority, oldest first."""
        shown = [
            r for r in self._records.values() if (r.active or not r.acked) and r.state in VISIBLE
        ]  # (neither active nor unacknowledged is NORMAL or hidden: not asked for its state)
        shown.sort(key=lambda r: (r.definition.priority, r.activated_at or 0.0, r.index))
        return [r.view(first_out=self._is_first_out(r)) for r in shown]

    @property
    def unacknowledged_count(self) -> int:
        return sum(r.state in UNACKNOWLEDGED for r in self._records.values())

    @property
    def first_out(self) -> str | None:
        """The first trip of the current burst (group ``"trip"``), if any."""
        return self._first_out.get(TRIP_GROUP)

    def first_out_of(self, group: str) -> str | None:
        return self._first_out.get(group)

    @property
    def flood(self) -> bool:
        return self._flood

    def rate(self, now: float) -> float:
        """Annunciated activations per 10 minutes, averaged over the flood window before ``now``."""
        start = now - self._flood_window_s
        count = sum(t > start for t in self._annunciations)
        return count * 600.0 / self._flood_window_s

    # --- internals ------------------------------------------------------------------------------

    def _record(self, alarm_id: str) -> AlarmRecord:
        try:
            return self._records[alarm_id]
        except KeyError:
            close = get_close_matches(alarm_id, self._records, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise AlarmError(f"unknown alarm {alarm_id!r}{hint}") from None

    def _tick(self, now: float) -> float:
        self._now = max(self._now, now)
        return self._now

    def _suppression(self, active: Mapping[str, bool]) -> dict[str, bool]:
        """Which alarms are suppressed by design, given which are active."""
        suppressed: dict[str, bool] = {}
        for r in self._records.values():
            by = r.definition.suppressed_by
            suppressed[r.id] = bool(by) and any(map(active.__getitem__, by))  # (no generator)
        return suppressed

    def _unsuppress(self, now: float, suppress: Mapping[str, bool]) -> list[AlarmEvent]:
        records = self._records.values()
        return [
            r.set_suppressed(False, now) for r in records if r.suppressed and not suppress[r.id]
        ]

    def _is_first_out(self, r: AlarmRecord) -> bool:
        group = r.definition.first_out_group
        return group is not None and self._first_out.get(group) == r.id

    def _end_bursts(self) -> None:
        """A group whose alarms are all normal (or hidden) starts its next burst afresh."""
        for group in list(self._first_out):
            members = (r for r in self._records.values() if r.definition.first_out_group == group)
            if all(r.hidden or r.base_state is AlarmState.NORMAL for r in members):
                del self._first_out[group]

    def _check_flood(self, now: float) -> list[AlarmEvent]:
        start = now - self._flood_window_s
        while self._annunciations and self._annunciations[0] <= start:
            self._annunciations.popleft()
        count = len(self._annunciations)
        if not self._flood and count > self._flood_count:
            self._flood = True
            message = f"Alarm flood: {count} alarms in {self._window}; deal with the highest first"
            return [_flood_event(now, AlarmEventKind.FLOOD_START, message)]
        if self._flood and count < self._flood_end_count:
            self._flood = False
            message = f"Alarm flood over: {count} alarms in the last {self._window}"
            return [_flood_event(now, AlarmEventKind.FLOOD_END, message)]
        return []

    @property
    def _window(self) -> str:
        return f"{self._flood_window_s / 60.0:g} min"


def _flood_event(now: float, kind: AlarmEventKind, message: str) -> AlarmEvent:
    return AlarmEvent(now, FLOOD_ID, kind, None, None, None, None, message)


def _removed(r: AlarmRecord, now: float) -> AlarmEvent:
    """The event of an alarm that leaves the catalogue in state other than normal."""
    d = r.definition
    message = f"{d.message.rstrip('.')} (no longer defined: the PLC profile was swapped)"
    return AlarmEvent(
        now, d.id, AlarmEventKind.CLEARED, r.state, AlarmState.NORMAL, d.priority, None, message
    )


def _why_no_ack(r: AlarmRecord) -> str:
    state = r.state
    if state is AlarmState.NORMAL:
        return "it is normal, there is nothing to acknowledge"
    if state is AlarmState.ACKED:
        return f"it was already acknowledged by {r.acked_by}"
    return f"it is {state.value.replace('_', ' ')}; it shows its state again when it returns"


def _hours(seconds: float) -> str:
    return f"{seconds / 3600.0:g} h" if seconds >= 3600.0 else f"{seconds:g} s"


def _check_catalogue(defs: tuple[AlarmDefinition, ...]) -> None:
    """Unique ids, known suppressors, no suppression cycle (it would hide both alarms)."""
    ids: set[str] = set()
    for d in defs:
        if d.id in ids:
            raise AlarmError(f"alarm {d.id} is defined twice")
        ids.add(d.id)
    by_id = {d.id: d for d in defs}
    for d in defs:
        for s in sorted(d.suppressed_by - ids):
            close = get_close_matches(s, ids, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise AlarmError(f"alarm {d.id}: suppressed by unknown alarm {s!r}{hint}")
    for d in defs:
        seen: set[str] = set()
        todo = list(d.suppressed_by)
        while todo:
            s = todo.pop()
            if s == d.id:
                raise AlarmError(f"alarm {d.id}: suppression cycle, it suppresses itself via {s}")
            if s not in seen:
                seen.add(s)
                todo.extend(by_id[s].suppressed_by)


# --- the catalogue --------------------------------------------------------------------------------

_LINK = frozenset({"LINK_DOWN"})

BASE_DEFINITIONS: tuple[AlarmDefinition, ...] = (
    AlarmDefinition(
        "LINK_DOWN",
        "Link to the PLC lost: the crane stops until the link returns by itself",
        Priority.HIGH,
        first_out_group=TRIP_GROUP,
    ),
    AlarmDefinition(
        "PLC_HEARTBEAT_FROZEN",
        "PLC heartbeat frozen: the PLC program is stopped or not answering; the crane stops",
        Priority.HIGH,
        first_out_group=TRIP_GROUP,
        suppressed_by=_LINK,
    ),
    AlarmDefinition(
        "WIND_PREALARM",
        "Wind above the pre-alarm speed: finish the move and be ready to stop",
        Priority.MEDIUM,
        on_delay_s=3.0,
        off_delay_s=60.0,
    ),
    AlarmDefinition(
        "PLC_FAULT_CODE",
        "The PLC reports a fault code: see the PLC diagnostics",
        Priority.LOW,
        suppressed_by=_LINK,
    ),
    AlarmDefinition(
        "PLC_RESET_IGNORED",
        "The PLC did not act on the reset: its faults are still there; check the reset pulse "
        "against the PLC manual",
        Priority.MEDIUM,
        suppressed_by=_LINK,
    ),
    AlarmDefinition(
        "PLANNING_LATE",
        "Planning the next leg is taking too long: the crane waits with zero references; check "
        "the load on the supervisor computer",
        Priority.MEDIUM,
    ),
    AlarmDefinition(
        "LOAD_EXPOSED_TO_WIND",
        "A box hangs low in a rising wind while the crane waits for the operator: at the stop "
        "limit it could swing into its neighbours; START (UNHOLD if held) to set it down or "
        "raise it clear now",
        Priority.HIGH,
        suppressed_by=_LINK,
    ),
    AlarmDefinition(
        "SCAN_OVERRUN",
        "Supervisor scans are running late: check the load on the supervisor computer",
        Priority.LOW,
        on_delay_s=5.0,
        off_delay_s=30.0,
    ),
)
"""Alarms that are not interlocks: link health, PLC faults, wind pre-alarm, the scan loop, the
planning off it."""

COMMS_FAULT = "COMMS_FAULT"

_INTERLOCK_SUPPRESSION: Mapping[str, frozenset[str]] = {
    "DRIVE_FAULT": frozenset({"ESTOP"}),
    "WIND_STOP": frozenset({"WIND_STORM"}),
    "WIND_NO_LIFT": frozenset({"WIND_STOP", "WIND_STORM"}),
}
"""Design relations among interlocks: the alarm on the left means nothing while one on the
right is active (an open e-stop chain takes the drives' ready; a storm is above the stop)."""

_CROSS_SUPPRESSION: Mapping[str, frozenset[str]] = {
    COMMS_FAULT: frozenset({"LINK_DOWN", "PLC_HEARTBEAT_FROZEN"}),
    "WIND_PREALARM": frozenset({"WIND_STOP", "WIND_STORM"}),
}
"""Between the base alarms and the interlocks: the more specific alarm tells the story."""


def definitions_from_interlocks(
    interlocks: Iterable[tuple[str, str, bool]], priority: Priority = Priority.HIGH
) -> list[AlarmDefinition]:
    """One trip alarm per (interlock id, operator sentence, latches), in first-out group "trip".

    While ``COMMS_FAULT`` is active every other interlock alarm is suppressed: with bad data each
    interlock trips on its unsafe value, and only the comms fault is true. A latching interlock
    gives a latching alarm: the supervisor resets the alarm when it resets the interlock.
    """
    items = list(interlocks)
    ids = {iid for iid, _, _ in items}
    defs = []
    for iid, sentence, latches in items:
        by = set(_INTERLOCK_SUPPRESSION.get(iid, frozenset()) & ids)
        if iid != COMMS_FAULT and COMMS_FAULT in ids:
            by.add(COMMS_FAULT)
        defs.append(
            AlarmDefinition(
                iid,
                sentence,
                priority,
                first_out_group=TRIP_GROUP,
                suppressed_by=frozenset(by),
                latching=latches,
            )
        )
    return defs


def alarm_catalogue(
    interlocks: Iterable[tuple[str, str, bool]], priority: Priority = Priority.HIGH
) -> list[AlarmDefinition]:
    """:data:`BASE_DEFINITIONS` and the interlock alarms, with the suppressions between them."""
    defs = [*BASE_DEFINITIONS, *definitions_from_interlocks(interlocks, priority)]
    ids = {d.id for d in defs}
    out = []
    for d in defs:
        extra = _CROSS_SUPPRESSION.get(d.id, frozenset()) & ids
        out.append(replace(d, suppressed_by=d.suppressed_by | extra) if extra else d)
    return out

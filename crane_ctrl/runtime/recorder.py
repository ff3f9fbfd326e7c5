"""What goes into the journal from each scan: transitions, never states.

The recorder compares one scan with the last and records what changed: the link's state, comms
trusted or not, interlocks tripping and clearing on observed values (not the fail-safe trips that
bad data causes: the comms fault says that once), refusals (a refusal held scan after scan is
recorded once, when it starts), every alarm event, and the changes of the profile's points that
its :class:`~crane_ctrl.runtime.point_log.PointLog` says to journal. Operator actions are
recorded where they are taken (:class:`~crane_ctrl.runtime.supervisor.Supervisor`). The
journal's ``record()`` only queues.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from crane_ctrl.alarms.states import AlarmEvent
from crane_ctrl.interlocks.evaluate import Permits, Refusal
from crane_ctrl.link_report import LinkHealth
from crane_ctrl.runtime.point_log import PointLog
from crane_ctrl.snapshot import Snapshot

__all__ = ["EventSink", "Recorder", "record_alarm"]


class EventSink(Protocol):
    """Anything with the journal's ``record`` (the journal itself, or a list in tests)."""

    def record(self, kind: str, subject: str, **values: Any) -> None: ...


class Recorder:
    """Turns consecutive scans into journal events."""

    def __init__(self, sink: EventSink, points: PointLog | None = None) -> None:
        self.sink = sink
        self.points = points
        """Which point changes to journal (the profile's; replaced when it is swapped)."""
        self._link_state = ""
        self._comms_ok: bool | None = None
        self._trips: dict[str, str] = {}
        self._refused: set[tuple[str, str]] = set()

    def scan(
        self,
        snapshot: Snapshot,
        permits: Permits,
        refusals: Iterable[Refusal],
        link: LinkHealth,
        alarm_events: Iterable[AlarmEvent],
    ) -> None:
        self._link(link)
        self._comms(snapshot)
        self._trip_changes(permits)
        self._refusals(refusals)
        for event in alarm_events:
            record_alarm(self.sink, event)
        if self.points is not None:
            for change in self.points.changes(snapshot.points):
                self.sink.record("point", change.name, **change.values)

    def _link(self, link: LinkHealth) -> None:
        if link.state != self._link_state:
            self._link_state = link.state
            self.sink.record("link", link.name, state=str(link.state), error=link.last_error,
                             reconnects=link.reconnects)  # fmt: skip

    def _comms(self, snapshot: Snapshot) -> None:
        if snapshot.comms_ok != self._comms_ok:
            self._comms_ok = snapshot.comms_ok
            self.sink.record("link", "comms", ok=snapshot.comms_ok, reason=snapshot.comms_reason)

    def _trip_changes(self, permits: Permits) -> None:
        # A trip that exists only because its data is not good is a consequence of the comms or
        # quality problem, which is recorded itself: journal what was observed.
        now = {t.id: t.reason for t in permits.active if not t.fail_safe}
        for iid, reason in now.items():
            if iid not in self._trips:
                self.sink.record("trip", iid, state="tripped", reason=reason)
        for iid in self._trips.keys() - now.keys():
            self.sink.record("trip", iid, state="cleared")
        self._trips = now

    def _refusals(self, refusals: Iterable[Refusal]) -> None:
        now = set()
        for r in refusals:
            key = (str(r.motion), ",".join(r.ids))
            now.add(key)
            if key not in self._refused:
                self.sink.record("refusal", str(r.motion), value=r.value, interlocks=list(r.ids),
                                 reasons=[t.reason for t in r.trips])  # fmt: skip
        self._refused = now


def record_alarm(sink: EventSink, event: AlarmEvent) -> None:
    """One alarm event into the journal (its ``kind`` becomes ``event``: the journal's kind is
    ``alarm``)."""
    values = event.as_dict()
    del values["alarm_id"]
    values["event"] = values.pop("kind")
    sink.record("alarm", event.alarm_id, **values)

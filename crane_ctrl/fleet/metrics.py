"""What a crane station tells the fleet: its views as Sparkplug B metrics, with units. Pure.

:func:`station_reading` turns a :class:`~crane_ctrl.runtime.station.StationView` into a
:class:`Reading`: every metric's definition (name, datatype, unit, deadband) and its value at the
scan's time. :func:`supervisor_reading` does the same for a bare supervisor (``crane-ctrl run``,
which has no jobs, modes or PackML state). :func:`station_events` and :func:`supervisor_events`
read only the metrics whose every change is an event (each alarm's state, the PackML state): the
edge node reads them from each view it does not read in full, so that none is lost between two
of its looks. A value that cannot be trusted (a signal whose quality
is not good) is ``None``, sent as ``is_null``: the operations centre sees "no value", never a
stale number. The definitions depend on the view only through its alarms (a profile swap brings
other alarms), so an edge node compares :attr:`Reading.defs` to know when to be born again.

``docs/fleet.md`` lists every metric with its unit. Numbers are SI as the supervisor holds them,
except times shown to people (ms).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

from crane_ctrl.alarms.states import UNACKNOWLEDGED
from crane_ctrl.fleet.payload import DataType, MetricValue
from crane_ctrl.fleet.reading import MetricDef, Reading
from crane_ctrl.interlocks.catalogue import Motion
from crane_ctrl.runtime.station import StationView
from crane_ctrl.runtime.supervisor import SupervisorView
from crane_ctrl.snapshot import Snapshot

__all__ = [
    "LOAD_DEADBAND_T",
    "POSITION_DEADBAND_M",
    "SPEED_DEADBAND_M_S",
    "TEXT_SETTLE_S",
    "WIND_DEADBAND_M_S",
    "station_events",
    "station_reading",
    "supervisor_events",
    "supervisor_reading",
]

POSITION_DEADBAND_M = 0.01
"""A position is sent again once it moved 1 cm from the value last sent (a spreader placed to a
few cm is what the operations centre follows; finer is noise on the link)."""
SPEED_DEADBAND_M_S = 0.02
"""A speed is sent again once it changed by 0.02 m/s (2 % of a slow gantry's rated speed)."""
LOAD_DEADBAND_T = 0.1
"""The load is sent again once it changed by 100 kg (load cells wander by tens of kg)."""
WIND_DEADBAND_M_S = 0.2
"""The wind is sent again once the 3-s gust changed by 0.2 m/s (limits are whole m/s apart)."""
ROUND_TRIP_DEADBAND_MS = 5.0
"""The PLC link's round trip is sent again once it changed by 5 ms."""
SCAN_DEADBAND_MS = 1.0
"""The scan's p99 is sent again once it changed by 1 ms (the period is 50 ms)."""
PROGRESS_DEADBAND = 0.01
"""A job's progress (0..1) is sent again once it moved by a hundredth."""
TEXT_SETTLE_S = 1.0
"""A sentence that only rewords itself (a reason with a live value in it, "wind 21.3 m/s ...")
is sent at most once a second; one that appears or goes is sent at once."""

_B, _I, _L = DataType.BOOLEAN, DataType.INT32, DataType.INT64
_D, _S = DataType.DOUBLE, DataType.STRING

WHY_NOT = {
    Motion.GANTRY_FWD: "Gantry forward", Motion.GANTRY_REV: "Gantry reverse",
    Motion.TROLLEY_FWD: "Trolley forward", Motion.TROLLEY_REV: "Trolley reverse",
    Motion.HOIST_UP: "Hoist up", Motion.HOIST_DOWN: "Hoist down",
    Motion.LOCK: "Lock", Motion.UNLOCK: "Unlock", Motion.TELESCOPE: "Telescope",
}  # fmt: skip
"""The ``Why not/...`` metric of each motion."""


_Read = Callable[[SupervisorView], MetricValue]
_StationRead = Callable[[StationView], MetricValue]


def _number(signal: str) -> _Read:
    return lambda v: v.snapshot.number(signal)


def _whole(signal: str) -> _Read:
    def read(v: SupervisorView) -> MetricValue:
        value = v.snapshot.number(signal)
        return None if value is None else round(value)

    return read


def _flag(signal: str) -> _Read:
    def read(v: SupervisorView) -> MetricValue:
        r = v.snapshot.reading(signal)
        return bool(r.value) if r.good else None

    return read


def _corners(kind: str) -> _Read:
    """All four twistlock corners (landed, locked, unlocked); ``None`` if one is not trusted."""

    def read(v: SupervisorView) -> MetricValue:
        return _all_corners(v.snapshot, kind)

    return read


def _all_corners(snapshot: Snapshot, kind: str) -> bool | None:
    readings = [snapshot.reading(f"spreader.{kind}_{i}") for i in range(1, 5)]
    if not all(r.good for r in readings):
        return None
    return all(bool(r.value) for r in readings)


def _why_not(motion: Motion) -> _Read:
    def read(v: SupervisorView) -> MetricValue:
        trips = [] if v.permits is None else v.permits.why_not(motion)
        return "; ".join(str(t) for t in trips) or None

    return read


def _blocked(v: SupervisorView) -> MetricValue:
    if v.permits is None:
        return "all (not evaluated yet)"
    return " ".join(sorted(str(m) for m in v.permits.blocked))


def _round_trip(v: SupervisorView) -> MetricValue:
    rtt = v.link.round_trip_s
    return None if rtt is None else rtt * 1000.0


def _unacknowledged(v: SupervisorView) -> MetricValue:
    return sum(1 for a in v.annunciated if a.state in UNACKNOWLEDGED)


_SUPERVISOR: tuple[tuple[MetricDef, _Read], ...] = (
    (MetricDef("Gantry/Position", _D, "m", POSITION_DEADBAND_M), _number("gantry.position")),
    (MetricDef("Trolley/Position", _D, "m", POSITION_DEADBAND_M), _number("trolley.position")),
    (MetricDef("Hoist/Position", _D, "m", POSITION_DEADBAND_M), _number("hoist.position")),
    (MetricDef("Gantry/Speed", _D, "m/s", SPEED_DEADBAND_M_S), _number("gantry.speed")),
    (MetricDef("Trolley/Speed", _D, "m/s", SPEED_DEADBAND_M_S), _number("trolley.speed")),
    (MetricDef("Hoist/Speed", _D, "m/s", SPEED_DEADBAND_M_S), _number("hoist.speed")),
    (MetricDef("Hoist/Load", _D, "t", LOAD_DEADBAND_T), _number("hoist.load")),
    (MetricDef("Environment/Wind", _D, "m/s", WIND_DEADBAND_M_S), _number("env.wind")),
    (MetricDef("Spreader/Size", _I, "ft"), _whole("spreader.size")),
    (MetricDef("Spreader/Landed", _B), _corners("landed")),
    (MetricDef("Spreader/Locked", _B), _corners("locked")),
    (MetricDef("Spreader/Unlocked", _B), _corners("unlocked")),
    (MetricDef("PLC/Remote", _B), _flag("plc.remote")),
    (MetricDef("PLC/E-stop ok", _B), _flag("plc.estop_ok")),
    (MetricDef("Link/State", _S), lambda v: str(v.link.state)),
    (MetricDef("Link/Comms ok", _B), lambda v: v.snapshot.comms_ok),
    (MetricDef("Link/Comms reason", _S, settle_s=TEXT_SETTLE_S),
     lambda v: None if v.snapshot.comms_ok else v.snapshot.comms_reason),
    (MetricDef("Link/Round trip", _D, "ms", ROUND_TRIP_DEADBAND_MS), _round_trip),
    (MetricDef("Link/Reconnects", _L), lambda v: v.link.reconnects),
    (MetricDef("Link/Failures", _L), lambda v: v.link.failures),
    (MetricDef("Scan/P99", _D, "ms", SCAN_DEADBAND_MS), lambda v: v.stats.p99_scan_s * 1000.0),
    (MetricDef("Scan/Overruns", _L), lambda v: v.stats.overruns),
    (MetricDef("Alarms/Annunciated", _I), lambda v: len(v.annunciated)),
    (MetricDef("Alarms/Unacknowledged", _I), _unacknowledged),
    (MetricDef("Alarms/First out", _S), lambda v: v.first_out),
    (MetricDef("Interlocks/Blocked", _S), _blocked),
    *((MetricDef(f"Why not/{name}", _S, settle_s=TEXT_SETTLE_S), _why_not(motion))
      for motion, name in WHY_NOT.items()),
)  # fmt: skip


def _job_id(v: StationView) -> MetricValue:
    return None if v.job is None else v.job.id


def _job_state(v: StationView) -> MetricValue:
    return None if v.job is None else str(v.job.state)


def _job_ended(v: StationView) -> MetricValue:
    """The last job that ended, as JSON text: ``{"job": "J1", "state": "done", "reason": ""}``
    (a dispatcher learns from it how the job it gave ended; ``None``: none yet)."""
    if not v.finished:
        return None
    job = v.finished[-1]
    return json.dumps({"job": job.id, "state": str(job.state), "reason": job.reason},
                      separators=(",", ":"))  # fmt: skip


_OPERATION_STATE = MetricDef("Operation/State", _S)

_STATION: tuple[tuple[MetricDef, _StationRead], ...] = (
    (MetricDef("Crane/Profile", _S), lambda v: v.profile_name),
    (MetricDef("Operation/Mode", _S), lambda v: str(v.mode)),
    (_OPERATION_STATE, lambda v: str(v.machine)),
    (MetricDef("Operation/State reason", _S, settle_s=TEXT_SETTLE_S),
     lambda v: v.machine_reason or None),
    (MetricDef("Operation/Bypass", _S),
     lambda v: None if v.bypass is None else v.bypass.interlock_id),
    (MetricDef("Job/Id", _S), _job_id),
    (MetricDef("Job/State", _S), _job_state),
    (MetricDef("Job/Ended", _S), _job_ended),
    (MetricDef("Job/Step", _S), lambda v: v.step),
    (MetricDef("Job/Detail", _S, settle_s=TEXT_SETTLE_S), lambda v: v.step_detail or None),
    (MetricDef("Job/Progress", _D, "", PROGRESS_DEADBAND), lambda v: v.progress),
    (MetricDef("Job/Queued", _I), lambda v: len(v.queued)),
    (MetricDef("Why not/Start", _S, settle_s=TEXT_SETTLE_S),
     lambda v: "; ".join(v.why_not_start) or None),
    # semiautomatic: the landing waiting for the operator to jog and confirm it (null: none);
    # the operations centre's remote-operator queue is the cranes where it is not null
    (MetricDef("Operation/Awaiting confirm", _S), lambda v: v.awaiting_confirm),
)  # fmt: skip


@functools.lru_cache(maxsize=8)
def _alarm_defs(ids: tuple[str, ...]) -> tuple[MetricDef, ...]:
    return tuple(MetricDef(f"Alarms/{i}", _S) for i in ids)


@functools.lru_cache(maxsize=8)
def _defs(ids: tuple[str, ...], station: bool) -> tuple[MetricDef, ...]:
    """The same tuple for the same alarms (an edge node compares them by identity first);
    cached by the alarms' ids (strings hash once; the definitions would hash every call)."""
    own = tuple(d for d, _ in _STATION) if station else ()
    return own + tuple(d for d, _ in _SUPERVISOR) + _alarm_defs(ids)


@functools.lru_cache(maxsize=8)
def _event_defs(ids: tuple[str, ...], station: bool) -> tuple[MetricDef, ...]:
    return ((_OPERATION_STATE,) if station else ()) + _alarm_defs(ids)


def _supervisor_values(view: SupervisorView) -> dict[str, MetricValue]:
    values = {d.name: read(view) for d, read in _SUPERVISOR}
    values.update(_alarm_states(view))
    return values


def _alarm_states(view: SupervisorView) -> dict[str, MetricValue]:
    return {f"Alarms/{a.id}": str(a.state) for a in view.alarms}


def _ids(view: SupervisorView) -> tuple[str, ...]:
    return tuple(a.id for a in view.alarms)


def supervisor_reading(view: SupervisorView) -> Reading:
    """A bare supervisor's view as metrics: the crane, its link, alarms and interlocks."""
    values = _supervisor_values(view)
    return Reading(view.snapshot.time_s, _defs(_ids(view), False), values)


def station_reading(view: StationView) -> Reading:
    """A station's view as metrics: the supervisor's, and mode, PackML state, job and step."""
    supervisor = view.supervisor
    values = {d.name: read(view) for d, read in _STATION}
    values.update(_supervisor_values(supervisor))
    return Reading(supervisor.snapshot.time_s, _defs(_ids(supervisor), True), values)


def supervisor_events(view: SupervisorView) -> Reading:
    """The metrics of a bare supervisor's view whose every change is sent: each alarm's state."""
    return Reading(view.snapshot.time_s, _event_defs(_ids(view), False), _alarm_states(view))


def station_events(view: StationView) -> Reading:
    """The metrics of a station's view whose every change is sent: each alarm's state and the
    PackML state."""
    supervisor = view.supervisor
    values: dict[str, MetricValue] = {_OPERATION_STATE.name: str(view.machine)}
    values.update(_alarm_states(supervisor))
    return Reading(supervisor.snapshot.time_s, _event_defs(_ids(supervisor), True), values)

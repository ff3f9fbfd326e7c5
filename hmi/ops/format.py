"""Text for the operations centre's screens, from the :class:`FleetView`. Pure: only Rich.

The local HMI's words and cues, for values that came over Sparkplug: ISA-101 calm grey when
normal; the abnormal coloured and always with a text cue (``▲``, ``[!]``, ``?``). Times are the
centre's wall clock, UTC ms in the view, shown as local time of day.
"""

from __future__ import annotations

from rich.text import Text

from crane_ctrl.fleet.fleet_view import (
    CraneRow,
    CraneView,
    FleetAlarm,
    FleetView,
    HostLink,
    MetricPoint,
    Presence,
)
from crane_ctrl.snapshot import Quality, Reading
from hmi.format import ABNORMAL, WARNING, progress_bar, time_of_day
from hmi.screens.alarms import alarm_mark

__all__ = [
    "ROW_COLUMNS",
    "at",
    "banner_text",
    "crane_row_cells",
    "fleet_alarm_cells",
    "host_text",
    "point_reading",
    "presence_text",
]

WHY_NOT_WIDTH = 36
"""A why-not sentence is cut to this many characters in the fleet table (whole on the crane's
Interlocks screen)."""
ROW_COLUMNS = ("crane", "online", "state", "mode", "job", "step", "load", "alarms", "link",
               "data age", "why not")  # fmt: skip
MODES = {"fullautomatic": "auto", "semiautomatic": "semi", "maintenance": "maint."}
"""Modes as the fleet table abbreviates them (the crane's screens say them in full)."""


def at(ms: int | None) -> str:
    """``14:03:27`` for a time in UTC ms; ``""`` for none."""
    return time_of_day(None if ms is None else ms / 1000.0)


def point_reading(point: MetricPoint | None, crane: CraneView) -> Reading:
    """A number or flag metric as a signal reading, for the local HMI's value formatting: a null
    value was not trusted at the crane (bad); a crane not online gives only its last value
    (stale)."""
    if point is None:
        return Reading(None, Quality.MISSING, None, "not published by the crane")
    value = None if isinstance(point.value, str) else point.value
    if not crane.online:
        return Reading(value, Quality.STALE, None, crane.why)
    if value is None:
        return Reading(None, Quality.BAD, None, "not trusted at the crane")
    return Reading(value, Quality.GOOD, None)


def presence_text(presence: Presence, since_ms: int) -> Text:
    """``online``; ``▲ OFFLINE since 14:03:27``; ``? STALE since 14:03:27``."""
    if presence is Presence.ONLINE:
        return Text("online", "dim")
    if presence is Presence.OFFLINE:
        return Text(f"▲ OFFLINE since {at(since_ms)}", ABNORMAL)
    return Text(f"? STALE since {at(since_ms)}", WARNING)


def _alarms_cell(row: CraneRow) -> Text:
    if not row.alarms_shown:
        return Text("none", "dim")
    top = row.top_alarm
    name = "" if top is None else f" {_priority(top)} {top.id}"
    if row.alarms_unack:
        return Text(f"▲ {row.alarms_shown} ({row.alarms_unack} unack){name}", ABNORMAL)
    return Text(f"{row.alarms_shown} acked{name}")


def _priority(alarm: FleetAlarm) -> str:
    return "?" if alarm.priority is None else alarm.priority.name


def _why_not_cell(row: CraneRow) -> Text:
    if row.awaiting is not None:
        return Text(f"[!] operator: confirm {row.awaiting}", WARNING)
    if not row.why_not:
        return Text("—", "dim")
    cut = row.why_not if len(row.why_not) <= WHY_NOT_WIDTH else row.why_not[: WHY_NOT_WIDTH - 1]
    return Text("[!] " + cut + ("…" if cut != row.why_not else ""), WARNING)


def _link_cell(row: CraneRow) -> Text:
    if row.link == "up" and row.comms_ok is not False:
        return Text("up", "dim")
    return Text(f"[!] {(row.link or '?').upper()}" + (" no comms" if row.comms_ok is False else ""),
                ABNORMAL)  # fmt: skip


def _age_cell(row: CraneRow) -> Text:
    if row.data_age_s is None:
        return Text("—", "dim")
    age = f"{row.data_age_s:.0f} s"  # whole seconds: a line repainted at most once a second
    return Text(f"[!] {age} old", WARNING) if row.data_old else Text(age, "dim")


def _step_cell(row: CraneRow) -> str:
    if row.step is None:
        return "—"
    if row.progress is None:
        return row.step
    return f"{row.step} {progress_bar(row.progress, 5)} {row.progress:4.0%}"


def crane_row_cells(row: CraneRow) -> tuple[Text | str, ...]:
    """The fleet table's cells of one crane (:data:`ROW_COLUMNS`); an offline or stale crane's
    values are its last known, shown dim."""
    live = row.presence is Presence.ONLINE
    old = "" if live else "dim"
    load = "?" if row.load_t is None else f"{row.load_t:5.1f} t"
    return (
        Text(str(row.key), "bold"), presence_text(row.presence, row.since_ms),
        Text(row.state or "?", old), Text(MODES.get(row.mode or "?", row.mode or "?"), old),
        Text(row.job or "—", old), Text(_step_cell(row), old), Text(load, old),
        _alarms_cell(row), _link_cell(row), _age_cell(row), _why_not_cell(row),
    )  # fmt: skip


def fleet_alarm_cells(alarm: FleetAlarm) -> tuple[Text | str, ...]:
    """An alarm's cells in the fleet alarm list: state, priority, crane, alarm, since, text."""
    crane = Text(str(alarm.crane)) if alarm.live else Text(f"{alarm.crane} (last known)", "dim")
    return (alarm_mark(alarm.state), _priority(alarm), crane, alarm.id, at(alarm.since_ms),
            alarm.message)  # fmt: skip


def host_text(host: HostLink, view: FleetView) -> tuple[Text, bool]:
    """The centre's own link and the fleet's count; whether that is abnormal."""
    counts = {p: sum(c.presence is p for c in view.cranes) for p in Presence}
    fleet = (f" · {len(view.cranes)} cranes: {counts[Presence.ONLINE]} online, "
             f"{counts[Presence.OFFLINE]} offline, {counts[Presence.STALE]} stale")  # fmt: skip
    if host.connected:
        out = Text(f"primary host {host.host_id} on {host.broker} since {at(host.since_ms)}")
        out.append(fleet, "dim")
        return out, False
    out = Text(f"[!] BROKER LOST since {at(host.since_ms)}: {host.why} · reconnecting", ABNORMAL)
    out.append(fleet)
    return out, True


def banner_text(view: FleetView) -> tuple[Text, bool]:
    """``▲ 3 UNACKNOWLEDGED on 2 crane(s) ... · ▲ 1 crane(s) NOT ONLINE · [!] 1 waiting for an
    operator``; whether that is abnormal."""
    unack = [a for a in view.alarms if a.unacknowledged]
    lost = [c for c in view.cranes if c.presence is not Presence.ONLINE]
    parts = []
    if unack:
        first = unack[0]
        parts.append(f"▲ {len(unack)} UNACKNOWLEDGED on {len({a.crane for a in unack})} "
                     f"crane(s), first {first.crane} {_priority(first)} {first.id}")  # fmt: skip
    if lost:
        parts.append(f"▲ {len(lost)} crane(s) NOT ONLINE")
    if view.queue:
        parts.append(f"[!] {len(view.queue)} waiting for an operator (3 Queue)")
    return Text(" · ".join(parts) or "no alarms to acknowledge, every crane online"), bool(
        unack or lost
    )

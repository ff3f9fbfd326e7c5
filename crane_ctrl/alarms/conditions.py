"""Which alarms the supervisor raises, and their conditions at each scan. Pure.

Interlocks come in two kinds. *Fault* interlocks (e-stop, comms, wind, overload, limits, ...)
are abnormal whenever they trip: their alarm follows the trip (a latched trip keeps its alarm
until the interlock is reset: the interlock latches, the alarm does not latch twice). *Permissive*
interlocks (not landed, mixed lock, below travel height, ...) are simply not met during normal
work: their alarm is raised only when they refuse something asked of the crane, at low priority.
``DRIVE_FAULT`` alarms on a drive's fault bit, not on "not ready" (drives are not ready at rest).
``SLACK_ROPE`` alarms only while the spreader is not seated on all four landing pins: slack ropes
on a seated spreader are every landing's "landed by load", not an abnormal condition (the
interlock still stops lowering either way).
``WRITE_FAILED`` is raised when commands cannot be written while the link is up (an encode error
or an exception reply): the PLC then hears nothing from us and its watchdog will stop the crane.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from crane_ctrl.alarms.engine import AlarmDefinition, Priority, alarm_catalogue
from crane_ctrl.commands import AXES
from crane_ctrl.interlocks.evaluate import CATALOGUE, Permits, Refusal
from crane_ctrl.link_report import LinkHealth, LinkState
from crane_ctrl.snapshot import Snapshot

__all__ = ["PERMISSIVE", "conditions", "details", "supervisor_alarms"]

PERMISSIVE = frozenset(
    {"NOT_LANDED", "MIXED_LOCK", "LOAD_ON_TWISTLOCKS", "TELESCOPE_NOT_FREE", "BELOW_TRAVEL_HEIGHT"}
)
"""Interlocks that are normally not met; they alarm only when they refuse a command."""


def supervisor_alarms() -> list[AlarmDefinition]:
    """The alarm catalogue: base alarms, fault interlocks (high), permissive ones (low)."""
    faults = [(i.id, i.sentence, False) for i in CATALOGUE if i.id not in PERMISSIVE]
    permissive = [(i.id, i.sentence, False) for i in CATALOGUE if i.id in PERMISSIVE]
    low = {d.id: d for d in alarm_catalogue(permissive, Priority.LOW)}
    comms = frozenset({"COMMS_FAULT"})  # with bad data every permissive is unmet: say nothing
    not_ready = AlarmDefinition(
        "DRIVE_NOT_READY",
        "A drive stays not ready although the drives are enabled; see the drive diagnostics.",
        Priority.MEDIUM,
        on_delay_s=2.0,
        suppressed_by=frozenset(
            {
                "COMMS_FAULT",
                "ESTOP",
                "NOT_REMOTE",
                "WATCHDOG_TRIP",
                "DRIVE_FAULT",
                "LINK_DOWN",
                "RESTART_INHIBIT",
            }
        ),
    )
    write_failed = AlarmDefinition(
        "WRITE_FAILED",
        "Commands cannot be written to the PLC; its watchdog will stop the crane.",
        Priority.HIGH,
        on_delay_s=0.2,
        suppressed_by=frozenset({"LINK_DOWN"}),
    )
    return [
        *alarm_catalogue(faults),
        not_ready,
        write_failed,
        *(replace(low[i], suppressed_by=low[i].suppressed_by | comms) for i, _, _ in permissive),
    ]


def conditions(
    snapshot: Snapshot,
    permits: Permits,
    refusals: Iterable[Refusal],
    link: LinkHealth,
    *,
    scan_overrun: bool,
    wind_prealarm_mps: float,
    write_failed: bool = False,
    drives_enabled: bool = False,
    reset_ignored: bool = False,
    planning_late: bool = False,
    load_exposed: bool = False,
) -> Mapping[str, bool]:
    """Every alarm's condition this scan."""
    tripped = {t.id for t in permits.active}
    refused = {i for r in refusals for i in r.ids}
    found: dict[str, bool] = {i.id: i.id in tripped for i in CATALOGUE if i.id not in PERMISSIVE}
    found.update({i: i in refused for i in PERMISSIVE})
    found["DRIVE_FAULT"] = any(snapshot.flag(f"{axis}.fault", unsafe=True) for axis in AXES)
    seated = all(snapshot.flag(f"spreader.landed_{c}", unsafe=False) for c in (1, 2, 3, 4))
    found["SLACK_ROPE"] = "SLACK_ROPE" in tripped and not seated
    wind = snapshot.number("env.wind")
    reason = snapshot.comms_reason
    found.update(
        {
            "LINK_DOWN": link.state is not LinkState.UP,
            "PLC_HEARTBEAT_FROZEN": reason.startswith("PLC heartbeat frozen"),
            "WIND_PREALARM": wind is not None and wind >= wind_prealarm_mps,
            "PLC_FAULT_CODE": bool(snapshot.number("plc.fault_code")),
            "SCAN_OVERRUN": scan_overrun,
            "WRITE_FAILED": write_failed,
            "PLC_RESET_IGNORED": reset_ignored,
            "PLANNING_LATE": planning_late,
            "LOAD_EXPOSED_TO_WIND": load_exposed,
            "DRIVE_NOT_READY": drives_enabled
            and not all(snapshot.flag(f"{axis}.ready", unsafe=False) for axis in AXES),
        }
    )
    return found


def details(
    permits: Permits,
    snapshot: Snapshot | None = None,
    fault_texts: Mapping[int, str] | None = None,
) -> Mapping[str, str]:
    """What each alarm says about itself this scan: a tripped interlock's reason (for
    SIGNAL_QUALITY, each bad signal with its raw value and plausible range); PLC_FAULT_CODE the
    code in the vendor's words, from the profile's ``[plc.fault_texts]``."""
    out = {t.id: t.reason for t in permits.active}
    code = None if snapshot is None else snapshot.number("plc.fault_code")
    if code:
        texts = fault_texts or {}
        text = texts.get(int(code))
        out["PLC_FAULT_CODE"] = (
            f"code {int(code)}: {text}" if text is not None
            else f"code {int(code)} (not in the profile's [plc.fault_texts])"
        )  # fmt: skip
    return out

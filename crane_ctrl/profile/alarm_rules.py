"""The rules for a profile's own alarms (``[alarms.<ID>]``), each finding with its key path.

An alarm id is written in capitals (``PLC_WIND_TRIP``) and is none of the supervisor's built-in
alarm ids (:func:`builtin_alarm_ids`): the operator, the journal and acknowledgement know an
alarm by its id alone. Its condition parses (every name a point or a status signal this profile
maps, derived ones included), gives a bool and reads at least one name. A problem inside a
condition names its column in the file, as for a derived signal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from crane_ctrl.config.file import Finding
from crane_ctrl.profile.derived import input_kinds
from crane_ctrl.profile.derived_rules import (
    ExpressionStart,
    declare_hint,
    expression_column,
    known_names,
    unmapped_inputs,
)
from crane_ctrl.profile.expression import ExpressionProblem, check
from crane_ctrl.profile.expression import Kind as ExpressionKind
from crane_ctrl.profile.model import Profile

__all__ = ["ALARM_ID", "BUILTIN_ALARM_IDS", "builtin_alarm_ids", "check_alarms"]

ALARM_ID = re.compile(r"^[A-Z][A-Z0-9_]*$")
"""What a profile alarm's id looks like: as the built-in ones, ``PLC_WIND_TRIP``."""


BUILTIN_ALARM_IDS: frozenset[str] = frozenset({
    "ALARM_FLOOD", "BELOW_TRAVEL_HEIGHT", "COMMS_FAULT", "DRIVE_FAULT", "DRIVE_NOT_READY",
    "ESTOP", "LANE_NOT_CLEAR", "LIMIT_GANTRY_FWD", "LIMIT_GANTRY_REV", "LIMIT_HOIST_DOWN",
    "LIMIT_HOIST_UP", "LIMIT_TROLLEY_FWD", "LIMIT_TROLLEY_REV", "LINK_DOWN",
    "LOAD_EXPOSED_TO_WIND", "LOAD_ON_TWISTLOCKS", "MIXED_LOCK", "NOT_LANDED", "NOT_REMOTE",
    "OVERLOAD", "PLC_FAULT_CODE",
    "PLANNING_LATE", "PLC_HEARTBEAT_FROZEN", "PLC_RESET_IGNORED", "RESTART_INHIBIT", "SCAN_OVERRUN",
    "SIGNAL_QUALITY", "SLACK_ROPE", "STORM_PINS_DOWN", "TELESCOPE_NOT_FREE", "TRUCK_LIFTED",
    "WATCHDOG_TRIP", "WIND_NO_LIFT", "WIND_PREALARM", "WIND_STOP", "WIND_STORM", "WRITE_FAILED",
})  # fmt: skip
"""Every alarm id the supervisor defines itself (and the flood's), which a profile's alarm may
not take. Written out: the profile layer sits below the alarms (which read the interlocks, which
read profiles), so it cannot ask them; a test holds this to the alarm catalogue."""


def builtin_alarm_ids() -> frozenset[str]:
    """:data:`BUILTIN_ALARM_IDS`."""
    return BUILTIN_ALARM_IDS


def check_alarms(profile: Profile, start: ExpressionStart | None = None) -> Iterator[Finding]:
    """Every rule of every alarm of ``profile``."""
    mapped = input_kinds(profile)
    known = known_names(mapped)
    for alarm_id, alarm in profile.alarms.items():
        yield from _id_rules(alarm_id)
        path = ("alarms", alarm_id, "condition")
        parsed = check(alarm.condition, known)
        if isinstance(parsed, ExpressionProblem):
            where = expression_column(start, path, parsed.column)
            yield Finding(path, f"{where}: {parsed.message}{declare_hint(parsed)}")
            continue
        found = list(unmapped_inputs(parsed, mapped, start, path))
        yield from found
        if found:
            continue
        where = expression_column(start, path, 1)
        if parsed.kind is not ExpressionKind.BOOL:
            yield Finding(
                path,
                f"{where}: an alarm's condition is a bool, but this gives a number; compare it, "
                f"e.g. ({parsed.text}) > 0",
            )
        elif not parsed.inputs:
            yield Finding(
                path,
                f"{where}: the condition reads no point or signal, so it never changes; "
                "write it over [points] and the status signals this profile maps",
            )


def _id_rules(alarm_id: str) -> Iterator[Finding]:
    path = ("alarms", alarm_id)
    if not ALARM_ID.match(alarm_id):
        suggestion = re.sub(r"[^A-Z0-9_]", "_", alarm_id.upper()).lstrip("_0123456789")
        example = f", e.g. {suggestion}" if suggestion and ALARM_ID.match(suggestion) else ""
        yield Finding(
            path,
            "an alarm id is capitals, digits and _ (first a capital), like the built-in "
            f"alarms{example}",
        )
    elif alarm_id in builtin_alarm_ids():
        other = f"{alarm_id}_PLC" if alarm_id.startswith("PLC_") else f"PLC_{alarm_id}"
        yield Finding(
            path,
            f"{alarm_id} is a built-in alarm of the supervisor; give this one an id of its own, "
            f"e.g. {other}",
        )

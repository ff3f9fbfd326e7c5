"""The alarms a PLC profile adds (``[alarms.<ID>]``): their definitions, and their conditions at
each scan from the snapshot's points and status signals. Pure.

A profile alarm is an alarm like the built-in ones: its priority, on and off delays
(``delay_s``, ``off_delay_s``), acknowledgement, shelving, out of service and the journal all
work the same way, through the one :class:`~crane_ctrl.alarms.engine.AlarmSystem`. It is in no
first-out group, never latches, and no interlock reads it: it tells the operator, it does not
stop the crane (the PLC's own trips do that).

Fail safe: the condition is evaluated only when every input it reads is ``GOOD``. When one is
not (stale, bad, missing), or the expression has no value for the inputs (division by zero,
...), the condition is *unknown*, and an unknown condition **raises** the alarm, its message
saying ``condition unknown`` and why: bad data never clears an alarm silently. On a comms loss
every input goes stale at once; the profile's alarms are then suppressed by design
(:data:`SUPPRESSED_BY`), as the permissive interlock alarms are, and the comms alarm tells the
story once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from crane_ctrl.alarms.states import AlarmDefinition, Priority
from crane_ctrl.profile.derived import input_kinds
from crane_ctrl.profile.expression import Expression, Undefined, derived_quality, parse
from crane_ctrl.profile.model import PointInfo, Profile
from crane_ctrl.signals import SIGNALS, Value
from crane_ctrl.snapshot import Quality, Reading, Snapshot

__all__ = ["SUPPRESSED_BY", "UNKNOWN", "ProfileAlarm", "profile_alarms", "profile_conditions"]

SUPPRESSED_BY = frozenset({"LINK_DOWN", "COMMS_FAULT"})
"""While one of these is active a profile alarm is hidden: its inputs are stale then, and an
unknown condition would raise every profile alarm at once."""
UNKNOWN = "condition unknown"
"""How the message of an alarm raised by an unknown condition begins."""


@dataclass(frozen=True, slots=True)
class ProfileAlarm:
    """One alarm of the profile: its definition and its parsed condition."""

    definition: AlarmDefinition
    condition: Expression
    points: Mapping[str, PointInfo]
    """The points the condition reads (the others are status signals), for units and texts."""

    @property
    def id(self) -> str:
        return self.definition.id

    def evaluate(self, snapshot: Snapshot) -> tuple[bool, str]:
        """The condition at ``snapshot`` and what it says about itself: the inputs' values, or,
        when it is unknown, ``True`` (fail safe) and why."""
        readings = {name: self._reading(name, snapshot) for name in self.condition.inputs}
        quality = derived_quality({name: r.quality for name, r in readings.items()})
        if quality.quality is not Quality.GOOD:
            why = "; ".join(r.reason for r in readings.values() if not r.good and r.reason)
            return True, f"{UNKNOWN}: {quality.reason}" + (f" ({why})" if why else "")
        values = {name: r.value for name, r in readings.items() if r.value is not None}
        outcome = self.condition.evaluate(values)
        if isinstance(outcome, Undefined):
            return True, f"{UNKNOWN}: {outcome.reason}"
        return bool(outcome), ", ".join(self._text(name, value) for name, value in values.items())

    def _reading(self, name: str, snapshot: Snapshot) -> Reading:
        return snapshot.point(name) if name in self.points else snapshot.reading(name)

    def _text(self, name: str, value: Value) -> str:
        point = self.points.get(name)
        if point is not None:
            return f"{name} = {point.value_text(value)}"
        unit = SIGNALS[name].unit
        shown = str(value).lower() if isinstance(value, bool) else f"{value:g} {unit}".strip()
        return f"{name} = {shown}"


def profile_alarms(profile: Profile, builtin: Iterable[str] = ()) -> tuple[ProfileAlarm, ...]:
    """The alarms of ``profile`` (one the loader accepted); ``builtin``: the ids of the alarms
    that are defined already, of which those in :data:`SUPPRESSED_BY` suppress these.
    :class:`~crane_ctrl.errors.ConditionError` if a condition was never checked."""
    kinds = input_kinds(profile)
    suppressors = SUPPRESSED_BY & frozenset(builtin)
    alarms = []
    for alarm_id, alarm in profile.alarms.items():
        condition = parse(alarm.condition, kinds)
        definition = AlarmDefinition(
            alarm_id,
            alarm.text,
            Priority[alarm.priority.upper()],
            on_delay_s=alarm.delay_s,
            off_delay_s=alarm.off_delay_s,
            suppressed_by=suppressors,
        )
        points = {n: profile.points[n] for n in condition.inputs if n in profile.points}
        alarms.append(ProfileAlarm(definition, condition, points))
    return tuple(alarms)


def profile_conditions(
    alarms: Iterable[ProfileAlarm], snapshot: Snapshot
) -> tuple[dict[str, bool], dict[str, str]]:
    """Every profile alarm's condition at ``snapshot``, and what each says about itself."""
    conditions: dict[str, bool] = {}
    details: dict[str, str] = {}
    for alarm in alarms:
        conditions[alarm.id], details[alarm.id] = alarm.evaluate(snapshot)
    return conditions, details

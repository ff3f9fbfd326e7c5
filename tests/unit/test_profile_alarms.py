"""A profile's own alarms through the alarm engine: they raise and clear like the built-in ones,
are acknowledged the same way, and fail safe: a condition whose inputs are not good is unknown,
and an unknown condition raises the alarm with the reason (never clears it silently). A comms
loss suppresses them by design. A swapped profile brings its own alarms.

Pure: snapshots are made by hand and time is passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from crane_ctrl.alarms.conditions import supervisor_alarms
from crane_ctrl.alarms.engine import AlarmSystem
from crane_ctrl.alarms.states import AlarmEventKind, AlarmState, Priority
from crane_ctrl.profile.loader import parse_profile
from crane_ctrl.profile.model import Profile
from crane_ctrl.runtime.profile_alarms import ProfileAlarm, profile_alarms, profile_conditions
from crane_ctrl.signals import Value
from crane_ctrl.snapshot import Quality, Reading, Snapshot
from tests.profile_texts import GENERIC_MODBUS

POINTS = """
[points]
plc_wind_trip = { table = "input", address = 24, type = "uint16", bit = 1 }
rope_length_m = { table = "input", address = 25, type = "uint16", scale = 0.001, unit = "m" }
divisor       = { table = "input", address = 26, type = "uint16" }
"""
ALARMS = """
[alarms.PLC_WIND_TRIP]
condition = "plc_wind_trip or rope_length_m < 2.0"
priority = "high"
text = "The PLC stopped the crane for wind, or the rope is too short"
delay_s = 1.0

[alarms.RATIO_HIGH]
condition = "rope_length_m / divisor > 1 and env.wind >= 0"
priority = "low"
text = "The ratio is high"
"""
BUILTIN = [d.id for d in supervisor_alarms()]


def profile(alarms: str = ALARMS) -> Profile:
    return parse_profile(GENERIC_MODBUS + POINTS + alarms, "crane.toml")


def snapshot(
    now: float,
    *,
    wind_trip: bool = False,
    rope_m: float = 12.0,
    divisor: int = 100,
    bad: Mapping[str, Reading] | None = None,
) -> Snapshot:
    """A snapshot with the points good, but for the readings in ``bad``."""
    values: dict[str, Value] = {
        "plc_wind_trip": wind_trip, "rope_length_m": rope_m, "divisor": divisor,
    }  # fmt: skip
    points = {name: Reading(value, Quality.GOOD, now) for name, value in values.items()}
    points.update(bad or {})
    signals = {"env.wind": Reading(3.0, Quality.GOOD, now)}
    return Snapshot(now, MappingProxyType(signals), True, "", points=MappingProxyType(points))


class Alarms:
    """The built-in catalogue and the profile's alarms in one engine, as the supervisor has it."""

    def __init__(self, p: Profile) -> None:
        self.profile_alarms: tuple[ProfileAlarm, ...] = profile_alarms(p, BUILTIN)
        self.system = AlarmSystem(
            [*supervisor_alarms(), *(a.definition for a in self.profile_alarms)]
        )

    def scan(self, s: Snapshot, **builtin: bool) -> list[AlarmState]:
        conditions, details = profile_conditions(self.profile_alarms, s)
        self.system.update(s.time_s, {**builtin, **conditions}, details)
        return [self.system.alarm(a.id).state for a in self.profile_alarms]

    def message(self, alarm_id: str) -> str:
        return self.system.alarm(alarm_id).message


def test_profile_alarms_are_defined_with_their_priority_delay_and_comms_suppression() -> None:
    (wind, ratio) = profile_alarms(profile(), BUILTIN)
    assert wind.definition.priority is Priority.HIGH
    assert wind.definition.on_delay_s == 1.0
    assert wind.definition.suppressed_by == {"LINK_DOWN", "COMMS_FAULT"}
    assert ratio.definition.priority is Priority.LOW
    assert set(wind.points) == {"plc_wind_trip", "rope_length_m"}


def test_a_profile_alarm_raises_after_its_delay_and_clears_when_its_condition_goes() -> None:
    alarms = Alarms(profile())
    assert alarms.scan(snapshot(0.0)) == [AlarmState.NORMAL, AlarmState.NORMAL]
    assert alarms.scan(snapshot(1.0, wind_trip=True))[0] is AlarmState.NORMAL  # on delay
    assert alarms.scan(snapshot(2.0, wind_trip=True))[0] is AlarmState.UNACK
    assert alarms.message("PLC_WIND_TRIP") == (
        "The PLC stopped the crane for wind, or the rope is too short "
        "(plc_wind_trip = true, rope_length_m = 12.000 m)"
    )
    assert alarms.scan(snapshot(3.0))[0] is AlarmState.RTN_UNACK


def test_a_profile_alarm_is_acknowledged_like_a_built_in_one() -> None:
    alarms = Alarms(profile())
    alarms.scan(snapshot(0.0, rope_m=1.5))
    alarms.scan(snapshot(1.0, rope_m=1.5))
    (event,) = alarms.system.acknowledge("PLC_WIND_TRIP", 1.5, "operator")
    assert event.kind is AlarmEventKind.ACKNOWLEDGED
    assert alarms.scan(snapshot(2.0, rope_m=1.5))[0] is AlarmState.ACKED
    assert alarms.scan(snapshot(3.0))[0] is AlarmState.NORMAL
    assert [a.id for a in alarms.system.annunciated()] == []


def test_a_bad_input_raises_the_alarm_as_unknown_with_the_reason() -> None:
    alarms = Alarms(profile())
    alarms.scan(snapshot(0.0))
    why = "rope_length_m unreadable: input 25: exception 2 (illegal data address)"
    bad = {"rope_length_m": Reading(12.0, Quality.BAD, 0.0, why)}
    alarms.scan(snapshot(1.0, bad=bad))
    assert alarms.scan(snapshot(2.0, bad=bad)) == [AlarmState.UNACK] * 2
    assert alarms.message("PLC_WIND_TRIP") == (
        "The PLC stopped the crane for wind, or the rope is too short (condition unknown: "
        f"input rope_length_m is bad ({why}))"
    )


def test_an_expression_without_a_value_raises_the_alarm_as_unknown() -> None:
    alarms = Alarms(profile())
    assert alarms.scan(snapshot(0.0, divisor=0))[1] is AlarmState.UNACK
    assert alarms.message("RATIO_HIGH") == (
        "The ratio is high (condition unknown: 12 / 0 at column 15: division by zero)"
    )
    assert alarms.scan(snapshot(1.0, divisor=100))[1] is AlarmState.RTN_UNACK


def test_a_comms_fault_suppresses_the_profile_alarms_whose_inputs_went_stale() -> None:
    alarms = Alarms(profile())
    alarms.scan(snapshot(0.0))
    stale = Reading(1.0, Quality.STALE, 0.0, "not read: link down")
    s = snapshot(5.0, bad=dict.fromkeys(("plc_wind_trip", "rope_length_m", "divisor"), stale))
    assert alarms.scan(s, COMMS_FAULT=True) == [AlarmState.SUPPRESSED] * 2
    assert alarms.system.alarm("COMMS_FAULT").state is AlarmState.UNACK
    assert {a.id for a in alarms.system.annunciated()} == {"COMMS_FAULT"}
    assert alarms.scan(snapshot(6.0), COMMS_FAULT=False) == [AlarmState.NORMAL] * 2


def test_a_swapped_profile_brings_its_alarms_and_clears_those_that_leave() -> None:
    alarms = Alarms(profile())
    alarms.scan(snapshot(0.0, divisor=1))
    assert alarms.system.alarm("RATIO_HIGH").state is AlarmState.UNACK
    other = profile(ALARMS.split("[alarms.RATIO_HIGH]")[0])  # PLC_WIND_TRIP only
    alarms.profile_alarms = profile_alarms(other, BUILTIN)
    events = alarms.system.redefine(
        [*supervisor_alarms(), *(a.definition for a in alarms.profile_alarms)], 1.0
    )
    assert [(e.alarm_id, e.kind, e.to_state) for e in events] == [
        ("RATIO_HIGH", AlarmEventKind.CLEARED, AlarmState.NORMAL)
    ]
    assert "RATIO_HIGH" not in {a.id for a in alarms.system.alarms()}
    assert alarms.scan(snapshot(2.0, wind_trip=True)) == [AlarmState.NORMAL]
    assert alarms.scan(snapshot(3.0, wind_trip=True)) == [AlarmState.UNACK]


def test_the_profile_layer_knows_every_built_in_alarm_id() -> None:
    from crane_ctrl.alarms.conditions import supervisor_alarms
    from crane_ctrl.alarms.engine import FLOOD_ID
    from crane_ctrl.profile.alarm_rules import BUILTIN_ALARM_IDS

    assert {d.id for d in supervisor_alarms()} | {FLOOD_ID} == BUILTIN_ALARM_IDS

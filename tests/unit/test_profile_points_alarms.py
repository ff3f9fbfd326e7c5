"""What a point says of itself (unit, text, texts, journal, deadband) and the profile's own alarms
(``[alarms.<ID>]``): what loads, and the located message for each mistake.

Every message names the file, the line and the key; a problem inside an alarm's condition names
its column in the file, as for a derived signal.
"""

from __future__ import annotations

import pytest

from crane_ctrl.errors import ProfileError
from crane_ctrl.profile.loader import parse_profile
from crane_ctrl.profile.model import ModbusPoint, ProfileAlarm
from crane_ctrl.profile.point_rules import JournalRule, journal_rule
from tests.profile_texts import GENERIC_MODBUS, line_of

SOURCE = "crane.toml"
POINTS = """
[points]
plc_wind_trip  = { table = "input", address = 24, type = "uint16", bit = 1, text = "PLC wind trip" }
restart_inhibit = { table = "input", address = 24, type = "uint16", bit = 2 }
refusal_reason = { table = "input", address = 24, type = "uint16", bit = 8, width = 4, texts = { 0 = "none", 3 = "wind too high" } }
rope_length_m  = { table = "input", address = 25, type = "uint16", scale = 0.001, unit = "m", text = "rope length", deadband = 0.5 }
heartbeat_age  = { table = "input", address = 26, type = "uint16", unit = "ms" }
landing_speed  = { table = "input", address = 27, type = "int16", scale = 0.001, unit = "m/s", journal = false }
"""
ALARM = """
[alarms.PLC_WIND_TRIP]
condition = "plc_wind_trip or rope_length_m < 2.0"
priority = "high"
text = "The PLC's own anemometer stopped the crane"
delay_s = 1.5
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, SOURCE)
    return [str(p) for p in caught.value.problems]


def column_of(text: str, line: int, fragment: str) -> int:
    return text.splitlines()[line - 1].index(fragment) + 1


def with_alarm(condition: str, alarm_id: str = "PLC_WIND_TRIP", **more: str) -> str:
    extra = "".join(f", {key} = {value}" for key, value in more.items())
    entry = f'{{ condition = "{condition}", priority = "medium", text = "check it"{extra} }}'
    return GENERIC_MODBUS + POINTS + f"\n[alarms]\n{alarm_id} = {entry}\n"


# --- what loads ---------------------------------------------------------------------------------


def test_points_with_unit_text_and_texts_and_an_alarm_load() -> None:
    profile = parse_profile(GENERIC_MODBUS + POINTS + ALARM, SOURCE)
    rope = profile.points["rope_length_m"]
    assert isinstance(rope, ModbusPoint)
    assert (rope.unit, rope.text, rope.deadband) == ("m", "rope length", 0.5)
    reason = profile.points["refusal_reason"]
    assert reason.texts == {0: "none", 3: "wind too high"}
    assert reason.value_text(3) == "3 (wind too high)"
    assert reason.value_text(5) == "5"
    assert rope.value_text(12.5) == "12.500 m"
    assert profile.points["plc_wind_trip"].value_text(True) == "true"
    assert profile.alarms == {
        "PLC_WIND_TRIP": ProfileAlarm(
            condition="plc_wind_trip or rope_length_m < 2.0",
            priority="high",
            text="The PLC's own anemometer stopped the crane",
            delay_s=1.5,
        )
    }


def test_an_alarm_may_read_mapped_status_signals() -> None:
    parse_profile(with_alarm("env.wind > 15 and not plc.remote"), SOURCE)


@pytest.mark.parametrize(
    ("point", "rule"),
    [
        ("plc_wind_trip", JournalRule.EVERY_CHANGE),  # a bool
        ("refusal_reason", JournalRule.EVERY_CHANGE),  # a code with texts
        ("rope_length_m", JournalRule.DEADBAND),  # a number with a deadband
        ("heartbeat_age", JournalRule.NEVER),  # a number without one: never floods the journal
        ("landing_speed", JournalRule.NEVER),  # journal = false
    ],
)
def test_when_a_point_is_journaled_follows_from_its_kind(point: str, rule: JournalRule) -> None:
    profile = parse_profile(GENERIC_MODBUS + POINTS, SOURCE)
    assert journal_rule(point, profile.points[point]) is rule


# --- points: each mistake located -------------------------------------------------------------


def test_texts_on_a_scaled_point_are_refused_at_their_line() -> None:
    text = GENERIC_MODBUS + POINTS.replace('unit = "m", text', 'texts = { 1 = "one" }, text')
    assert problems(text) == [
        f"{SOURCE}:{line_of(text, 'rope_length_m')} points.rope_length_m.texts: texts name whole "
        "values, but rope_length_m decodes as a number with a fraction (it is scaled, or a "
        "float); read the code unscaled from an integer type, or remove `texts`"
    ]


def test_a_text_for_a_code_the_place_cannot_hold_names_the_range() -> None:
    text = GENERIC_MODBUS + POINTS.replace('3 = "wind too high"', '16 = "too wide"')
    assert problems(text) == [
        f"{SOURCE}:{line_of(text, 'refusal_reason')} points.refusal_reason.texts.16: "
        "refusal_reason never reads 16; its codes are 0..15, what input 24 bits 8-11 holds"
    ]


def test_a_bool_has_no_unit_and_no_deadband() -> None:
    text = GENERIC_MODBUS + POINTS.replace("bit = 2 }", 'bit = 2, unit = "s", deadband = 1 }')
    line = line_of(text, "restart_inhibit")
    assert problems(text) == [
        f"{SOURCE}:{line} points.restart_inhibit.unit: a bool has no unit; remove `unit` and "
        "say in `text` what true means",
        f"{SOURCE}:{line} points.restart_inhibit.deadband: restart_inhibit is a bool, journaled "
        "on every change; remove `deadband`",
    ]


def test_journal_true_on_a_number_asks_for_a_deadband() -> None:
    text = GENERIC_MODBUS + POINTS.replace('unit = "ms" }', 'unit = "ms", journal = true }')
    assert problems(text) == [
        f"{SOURCE}:{line_of(text, 'heartbeat_age')} points.heartbeat_age.journal: a number is "
        "journaled when it moves more than `deadband` from the value journaled last; add "
        "deadband = ... (in ms), or deadband = 0 for every change"
    ]


def test_a_negative_deadband_and_an_unknown_point_setting_are_located() -> None:
    text = GENERIC_MODBUS + POINTS.replace("deadband = 0.5", "deadband = -1, txt = 'x'")
    line = line_of(text, "rope_length_m")
    assert problems(text) == [
        f"{SOURCE}:{line} points.rope_length_m.deadband: -1 is out of range; it must be >= 0.0",
        f'{SOURCE}:{line} points.rope_length_m.txt: unknown setting "txt"; did you mean "text"? '
        "settings here: address, bit, deadband, invert, journal, map, offset, scale, table, text, "
        "texts, type, unit, width, word_order",
    ]


# --- alarms: each mistake located ---------------------------------------------------------------


def test_an_alarm_with_a_built_in_id_is_refused_at_its_line() -> None:
    text = with_alarm("plc_wind_trip", alarm_id="WIND_STOP")
    assert problems(text) == [
        f"{SOURCE}:{line_of(text, 'WIND_STOP =')} alarms.WIND_STOP: WIND_STOP is a built-in alarm "
        "of the supervisor; give this one an id of its own, e.g. PLC_WIND_STOP"
    ]


def test_an_alarm_id_in_lower_case_is_refused_with_the_id_to_write() -> None:
    text = with_alarm("plc_wind_trip", alarm_id="plc-wind")
    assert problems(text) == [
        f"{SOURCE}:{line_of(text, 'plc-wind =')} alarms.plc-wind: an alarm id is capitals, "
        "digits and _ (first a capital), like the built-in alarms, e.g. PLC_WIND"
    ]


def test_an_unknown_name_in_a_condition_is_located_at_its_column_in_the_file() -> None:
    text = with_alarm("plc_wind_trip or rope_lenght_m < 2.0")
    line = line_of(text, "rope_lenght_m")
    column = column_of(text, line, "rope_lenght_m")
    assert problems(text) == [
        f"{SOURCE}:{line} alarms.PLC_WIND_TRIP.condition: column {column}: unknown point "
        "'rope_lenght_m'; did you mean 'rope_length_m'? (declare it under [points], or use a "
        "status signal this profile maps)"
    ]


def test_a_condition_in_a_table_of_its_own_is_located_on_its_own_line() -> None:
    text = GENERIC_MODBUS + POINTS + ALARM.replace("plc_wind_trip or", "plc_wind_trip oor")
    line = line_of(text, "condition =")
    column = column_of(text, line, "oor")
    assert problems(text) == [
        f"{SOURCE}:{line} alarms.PLC_WIND_TRIP.condition: column {column}: expected an "
        "operator or the end, found 'oor'; join two values with an operator"
    ]


def test_a_condition_that_gives_a_number_is_refused() -> None:
    text = with_alarm("rope_length_m - 2")
    line = line_of(text, "rope_length_m - 2")
    assert problems(text) == [
        f"{SOURCE}:{line} alarms.PLC_WIND_TRIP.condition: column "
        f"{column_of(text, line, 'rope_length_m - 2')}: an alarm's condition is a bool, but "
        "this gives a number; compare it, e.g. (rope_length_m - 2) > 0"
    ]


def test_a_condition_reading_a_command_or_an_unmapped_signal_is_refused() -> None:
    text = with_alarm("drives.enable and lane.truck_lifted").replace(
        '"lane.truck_lifted"', "# lane.truck_lifted"
    )
    line = line_of(text, "drives.enable and")
    start = column_of(text, line, "drives.enable and")
    assert problems(text) == [
        f"{SOURCE}:{line} alarms.PLC_WIND_TRIP.condition: column {start}: 'drives.enable' is a "
        "command; expressions read points and status signals",
        f"{SOURCE}:{line} alarms.PLC_WIND_TRIP.condition: column {start + 18}: "
        "'lane.truck_lifted' is not mapped by this profile; map it under [signals], or declare "
        "the raw value under [points] and read that",
    ]


def test_a_condition_that_reads_nothing_is_refused() -> None:
    text = with_alarm("true")
    line = line_of(text, 'condition = "true"')
    assert problems(text) == [
        f"{SOURCE}:{line} alarms.PLC_WIND_TRIP.condition: column "
        f"{column_of(text, line, 'true')}: the condition reads no point or signal, so it never "
        "changes; write it over [points] and the status signals this profile maps"
    ]


def test_an_unknown_alarm_setting_and_a_bad_priority_are_located() -> None:
    text = with_alarm("plc_wind_trip", dealy_s="2").replace('"medium"', '"urgent"')
    line = line_of(text, "PLC_WIND_TRIP =")
    assert problems(text) == [
        f"{SOURCE}:{line} alarms.PLC_WIND_TRIP.priority: 'urgent' is not allowed; use one of: "
        "high, medium, low",
        f'{SOURCE}:{line} alarms.PLC_WIND_TRIP.dealy_s: unknown setting "dealy_s"; did you mean '
        '"delay_s"? settings here: condition, delay_s, off_delay_s, priority, text',
    ]


def test_a_text_for_a_code_that_is_no_number_is_located_at_the_code() -> None:
    text = GENERIC_MODBUS + POINTS.replace('0 = "none"', 'none = "none"')
    assert problems(text) == [
        f"{SOURCE}:{line_of(text, 'refusal_reason')} points.refusal_reason.texts.none: a code "
        'is a whole number, not "none"; e.g. 3 = "..."'
    ]

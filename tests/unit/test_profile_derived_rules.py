"""Points and derived signals in a profile: what loads, and the located message for each mistake.

Each malformed profile names the file, the line, the key and, for a problem inside an expression,
the column in the file (where the expression's text starts on that line, plus its own column).
"""

from __future__ import annotations

import pytest

from crane_ctrl.errors import ProfileError
from crane_ctrl.profile.loader import parse_profile
from crane_ctrl.profile.model import ModbusDerived, ModbusProfile, OpcUaDerived, OpcUaProfile
from tests.profile_texts import GENERIC_MODBUS, GENERIC_OPCUA, line_of, with_signal

SOURCE = "crane.toml"
SWAY = "rope_length_m * sin(radians(sway_angle_deg))"
POINTS = """
[points]
sway_angle_deg = { table = "input", address = 24, type = "float32" }
rope_length_m  = { table = "input", address = 26, type = "float32" }
limits_word    = { table = "input", address = 28, type = "uint16" }
"""
UA_POINTS = """
[points]
sway_angle_deg = { node = "s=Crane.Sway.AngleDeg", type = "Double" }
rope_length_m  = { node = "s=Crane.Rope.Length", type = "Double" }
"""


def modbus(signal: str, entry: str, points: str = POINTS) -> str:
    return with_signal(GENERIC_MODBUS, signal, entry) + points


def problems(text: str) -> list[str]:
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, SOURCE)
    return [str(p) for p in caught.value.problems]


def column_of(text: str, line: int, fragment: str) -> int:
    """1-based column of ``fragment`` on ``line`` of ``text``."""
    return text.splitlines()[line - 1].index(fragment) + 1


# --- what loads ---------------------------------------------------------------------------------


def test_a_modbus_signal_derived_from_points_loads_with_its_expression() -> None:
    profile = parse_profile(modbus("sway.trolley", f'{{ derived = "{SWAY}" }}'), SOURCE)
    assert isinstance(profile, ModbusProfile)
    entry = profile.signals["sway.trolley"]
    assert isinstance(entry, ModbusDerived)
    assert entry.derived == SWAY
    assert entry.place() == f"= {SWAY}"
    assert set(profile.points) == {"sway_angle_deg", "rope_length_m", "limits_word"}


def test_an_opcua_signal_derived_from_points_loads() -> None:
    text = with_signal(GENERIC_OPCUA, "sway.gantry", f'{{ derived = "{SWAY}" }}') + UA_POINTS
    profile = parse_profile(text, SOURCE)
    assert isinstance(profile, OpcUaProfile)
    assert isinstance(profile.signals["sway.gantry"], OpcUaDerived)


def test_a_derived_signal_may_read_mapped_status_signals_and_other_derived_ones() -> None:
    text = modbus("sway.trolley", f'{{ derived = "{SWAY}" }}')
    text = with_signal(
        text, "sway.gantry", '{ derived = "sway.trolley * 0.5 + hoist.position * 0" }'
    )
    text = with_signal(text, "hoist.limit_up_ok", '{ derived = "not bit(limits_word, 3)" }')
    parse_profile(text, SOURCE)


def test_a_derived_signal_may_be_written_as_a_table_of_its_own() -> None:
    text = with_signal(GENERIC_MODBUS, "sway.trolley", None) + POINTS
    text += f'\n[signals."sway.trolley"]\nderived = "{SWAY}"\n'
    assert isinstance(parse_profile(text, SOURCE).signals["sway.trolley"], ModbusDerived)


# --- malformed profiles: each message located ---------------------------------------------------


def test_unknown_point_is_located_at_its_column_in_the_file_with_did_you_mean() -> None:
    text = modbus("sway.trolley", '{ derived = "rope_length_m * sin(radians(sway_angel_deg))" }')
    line = line_of(text, "sway_angel_deg")
    column = column_of(text, line, "sway_angel_deg")
    assert problems(text) == [
        f'{SOURCE}:{line} signals."sway.trolley".derived: column {column}: unknown point '
        "'sway_angel_deg'; did you mean 'sway_angle_deg'? (declare it under [points], or use a "
        "status signal this profile maps)"
    ]


def test_parse_error_names_the_column_in_the_file_and_what_was_expected() -> None:
    text = modbus("sway.trolley", '{ derived = "rope_length_m * (2 + " }')
    line = line_of(text, "rope_length_m * (2 + ")
    end = column_of(text, line, '" }')
    assert problems(text) == [
        f'{SOURCE}:{line} signals."sway.trolley".derived: column {end}: expected a value (a '
        "number, a name, true, false, a function call, '(' or '-'), found the end"
    ]


def test_unknown_function_suggests_the_closest_one() -> None:
    text = modbus("sway.trolley", '{ derived = "rope_length_m * sine(radians(sway_angle_deg))" }')
    line = line_of(text, "sine(")
    [problem] = problems(text)
    assert problem.startswith(
        f'{SOURCE}:{line} signals."sway.trolley".derived: column '
        f"{column_of(text, line, 'sine(')}: unknown function 'sine'"
    )
    assert problem.endswith("did you mean 'sin'?)")


def test_bool_expression_for_a_number_signal_says_how_to_make_a_number() -> None:
    text = modbus("sway.trolley", '{ derived = "not bit(limits_word, 3)" }')
    line = line_of(text, "not bit(limits_word, 3)")
    assert problems(text) == [
        f'{SOURCE}:{line} signals."sway.trolley".derived: column '
        f"{column_of(text, line, 'not bit')}: sway.trolley is a float in m, but the expression "
        "gives a bool; for a number write if(not bit(limits_word, 3), 1, 0), or compute the number"
    ]


def test_number_expression_for_a_bool_signal_says_how_to_compare() -> None:
    text = modbus("hoist.limit_up_ok", '{ derived = "limits_word * 2" }')
    line = line_of(text, "limits_word * 2")
    assert problems(text) == [
        f'{SOURCE}:{line} signals."hoist.limit_up_ok".derived: column '
        f"{column_of(text, line, 'limits_word * 2')}: hoist.limit_up_ok is a bool, but the "
        "expression gives a number; for a bool compare it, e.g. (limits_word * 2) != 0"
    ]


def test_a_derived_command_is_refused() -> None:
    text = modbus("drives.enable", '{ derived = "bit(limits_word, 1)" }')
    assert problems(text) == [
        f'{SOURCE}:{line_of(text, "drives.enable")} signals."drives.enable".derived: only status '
        "signals can be derived; a command is written to the PLC, so map it to a place (table "
        "and address, or node)"
    ]


def test_derived_signals_that_read_each_other_in_a_circle_are_refused() -> None:
    text = with_signal(GENERIC_MODBUS, "sway.trolley", '{ derived = "sway.gantry" }')
    text = with_signal(text, "sway.gantry", '{ derived = "-sway.trolley" }')
    assert problems(text) == [
        f'{SOURCE}:{line_of(text, "sway.trolley")} signals."sway.trolley".derived: derived '
        "signals read each other in a circle (sway.trolley -> sway.gantry -> sway.trolley); "
        "compute one of them from points and mapped signals only"
    ]


def test_a_derived_signal_reading_itself_is_a_circle() -> None:
    text = modbus("sway.trolley", '{ derived = "sway.trolley + rope_length_m" }')
    [problem] = problems(text)
    assert "(sway.trolley -> sway.trolley)" in problem


def test_a_signal_the_profile_does_not_map_cannot_be_read() -> None:
    text = with_signal(
        modbus("sway.trolley", '{ derived = "sway.gantry * 2" }'), "sway.gantry", None
    )
    line = line_of(text, "sway.gantry * 2")
    assert problems(text) == [
        f'{SOURCE}:{line} signals."sway.trolley".derived: column '
        f"{column_of(text, line, 'sway.gantry * 2')}: 'sway.gantry' is not mapped by this profile; "
        "map it under [signals], or declare the raw value under [points] and read that"
    ]


def test_a_command_cannot_be_read_by_an_expression() -> None:
    text = modbus("sway.trolley", '{ derived = "rope_length_m + hoist.speed_ref" }')
    [problem] = problems(text)
    assert problem.endswith(
        "'hoist.speed_ref' is a command; expressions read points and status signals"
    )


def test_a_derived_signal_sets_no_place() -> None:
    text = modbus("sway.trolley", f'{{ derived = "{SWAY}", table = "input", scale = 0.001 }}')
    line = line_of(text, "sway.trolley")
    fix = "a derived signal is computed, it has no place: remove `{}` (or remove `derived` to read "
    assert problems(text) == [
        f'{SOURCE}:{line} signals."sway.trolley".{key}: {fix.format(key)}the signal from a place)'
        for key in ("scale", "table")
    ]


def test_an_empty_expression_shows_an_example() -> None:
    text = modbus("sway.trolley", '{ derived = "" }')
    [problem] = problems(text)
    assert problem.endswith(f"empty expression; write e.g. {SWAY}")


def test_a_misspelt_derived_key_suggests_it() -> None:
    text = modbus("sway.trolley", f'{{ derivd = "{SWAY}" }}')
    assert any('unknown setting "derivd"; did you mean "derived"?' in p for p in problems(text))


def test_an_expression_with_escapes_is_located_by_its_own_column() -> None:
    entry = '"sway.trolley" = { derived = "rope_length_m * \\u0073ine(1)" }'
    text = POINTS + GENERIC_MODBUS.replace(
        '"sway.trolley"      = { table = "input", address = 14, type = "float32" }', entry
    )
    assert entry in text
    [problem] = problems(text)
    assert "derived: column 17 of the expression: unknown function 'sine'" in problem


def test_an_expression_in_a_table_of_its_own_is_located_on_its_line() -> None:
    text = with_signal(GENERIC_MODBUS, "sway.trolley", None) + POINTS
    text += '\n[signals."sway.trolley"]\nderived = "rope_length_m * sway_angel_deg"\n'
    line = line_of(text, "sway_angel_deg")
    [problem] = problems(text)
    assert problem.startswith(f'{SOURCE}:{line} signals."sway.trolley".derived: column 28: unknown')


# --- points -------------------------------------------------------------------------------------


def test_a_point_may_not_take_a_canonical_name() -> None:
    text = (
        GENERIC_MODBUS
        + '\n[points]\n"hoist.position" = { table = "input", address = 40, type = "float32" }\n'
    )
    assert problems(text) == [
        f'{SOURCE}:{line_of(text, "address = 40")} points."hoist.position": hoist.position is a '
        "canonical signal; map it under [signals] and read it by that name, or give the point a "
        "name of its own"
    ]


def test_a_point_name_must_be_readable_by_an_expression() -> None:
    text = (
        GENERIC_MODBUS
        + '\n[points]\n"rope-length" = { table = "input", address = 40, type = "float32" }\n'
    )
    [problem] = problems(text)
    assert problem.startswith(
        f"{SOURCE}:{line_of(text, 'rope-length')} points.rope-length: a point name"
    )


def test_a_point_overlapping_a_signal_is_told_so() -> None:
    text = (
        GENERIC_MODBUS
        + '\n[points]\nrope_length_m = { table = "input", address = 5, type = "uint16" }\n'
    )
    assert problems(text) == [
        f"{SOURCE}:{line_of(text, 'rope_length_m')} points.rope_length_m: overlaps "
        'signals."hoist.position" at input 4..5; give each signal its own place (distinct bits of '
        "one register may share it)"
    ]


def test_a_point_follows_the_rules_of_a_mapping() -> None:
    text = (
        GENERIC_MODBUS + '\n[points]\nflag = { table = "holding", address = 40, type = "bool" }\n'
    )
    assert problems(text) == [
        f"{SOURCE}:{line_of(text, 'flag =')} points.flag.bit: a bool in a register needs `bit` "
        "(0..15): which bit of the word"
    ]


def test_a_point_is_not_derived() -> None:
    text = GENERIC_MODBUS + '\n[points]\nx = { derived = "1" }\n'
    assert any(
        "points.x.derived: a point is read from a place; compute values in a derived signal" in p
        for p in problems(text)
    )

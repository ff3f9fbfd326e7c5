"""One test per profile validation rule: each asserts the message a maintenance engineer sees."""

from __future__ import annotations

import pytest

from crane_ctrl.errors import ProfileError
from crane_ctrl.profile.loader import parse_profile
from crane_ctrl.profile.model import ModbusProfile, OpcUaProfile
from tests.profile_texts import (
    GENERIC_MODBUS,
    GENERIC_OPCUA,
    line_of,
    with_setting,
    with_signal,
)

SOURCE = "generic.toml"


def problems(text: str) -> list[str]:
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, SOURCE)
    return [str(p) for p in caught.value.problems]


def first_problem(text: str) -> str:
    return problems(text)[0]


def test_shipped_generic_texts_are_valid() -> None:
    assert isinstance(parse_profile(GENERIC_MODBUS, SOURCE), ModbusProfile)
    assert isinstance(parse_profile(GENERIC_OPCUA, SOURCE), OpcUaProfile)


# --- signal names -------------------------------------------------------------------------------


def test_unknown_signal_suggests_the_closest_name_at_its_line() -> None:
    text = GENERIC_MODBUS.replace('"hoist.position"    =', '"hoist.postion"    =')
    line = line_of(text, "hoist.postion")
    assert first_problem(text) == (
        f'{SOURCE}:{line} signals."hoist.postion": unknown signal; did you mean "hoist.position"?'
    )


def test_unknown_signal_far_from_any_name_points_to_the_schema() -> None:
    text = with_signal(
        GENERIC_MODBUS, "turbo.encabulator", '{ table = "input", address = 99, type = "uint16" }'
    )
    assert first_problem(text).endswith(
        'signals."turbo.encabulator": unknown signal; `crane-ctrl profile schema` lists the canonical names'
    )


def test_missing_required_signal_is_named_with_its_meaning() -> None:
    text = with_signal(GENERIC_MODBUS, "hoist.load", None)
    assert problems(text) == [
        f'{SOURCE}:{line_of(text, "[signals]")} signals."hoist.load": required status signal is '
        "not mapped; add a mapping for it (mass under the spreader (spreader tared out))"
    ]


def test_optional_signal_may_be_left_out() -> None:
    text = with_signal(GENERIC_MODBUS, "sway.trolley", None)
    assert "sway.trolley" not in parse_profile(text, SOURCE).signals


def test_signal_mapped_twice_is_a_toml_error_with_its_line() -> None:
    text = GENERIC_MODBUS + '"plc.reset" = { table = "coil", address = 9 }\n'
    line = len(text.splitlines())
    assert first_problem(text) == (
        f"{SOURCE}:{line}: not valid TOML: column 46: cannot overwrite a value; "
        "each key (and each signal) may appear only once"
    )


def test_toml_syntax_error_names_line_and_column() -> None:
    text = GENERIC_MODBUS.replace("port = 502", "port = 502 502")
    assert first_problem(text).startswith(
        f"{SOURCE}:{line_of(text, 'port = 502')}: not valid TOML:"
    )


# --- structure and field values -----------------------------------------------------------------


def test_unknown_setting_suggests_the_closest_setting() -> None:
    text = with_setting(GENERIC_MODBUS, "timeout_s", "0.25\ntimeot = 1")
    line = line_of(text, "timeot")
    assert first_problem(text).startswith(
        f'{SOURCE}:{line} link.timeot: unknown setting "timeot"; did you mean "timeout_s"? '
        "settings here: address_base, host,"
    )


def test_unknown_table_lists_the_tables_a_profile_has() -> None:
    text = GENERIC_MODBUS + "\n[interlocks]\nx = 1\n"
    assert first_problem(text) == (
        f"{SOURCE}:{line_of(text, '[interlocks]')} interlocks: unknown table; a profile has "
        "[profile], [link], [signals] (and may have [points], [alarms], [plc], [validity.<block>])"
    )


def test_misspelt_table_name_suggests_the_right_one() -> None:
    text = with_signal(GENERIC_MODBUS, "plc.reset", '{ table = "coils", address = 3 }')
    assert first_problem(text).endswith(
        'signals."plc.reset".table: \'coils\' is not allowed; did you mean "coil"? '
        "use one of: coil, discrete_input, holding, input"
    )


def test_quoted_number_is_refused_with_the_fix() -> None:
    text = with_signal(
        GENERIC_MODBUS, "spreader.size", '{ table = "input", address = "22", type = "uint16" }'
    )
    assert first_problem(text).endswith(
        'signals."spreader.size".address: must be a whole number, not the text "22" '
        "(remove the quotes if it is a number)"
    )


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            '{ table = "input", address = 70000, type = "uint16" }',
            "address: 70000 is out of range; it must be <= 65535",
        ),
        (
            '{ table = "input", address = -1, type = "uint16" }',
            "address: -1 is out of range; it must be >= 0",
        ),
        (
            '{ table = "input", address = 60, type = "uint16", bit = 16 }',
            "bit: 16 is out of range; it must be <= 15",
        ),
    ],
    ids=["address-above-65535", "negative-address", "bit-above-15"],
)
def test_address_and_bit_ranges(mapping: str, message: str) -> None:
    text = with_signal(GENERIC_MODBUS, "spreader.size", mapping)
    assert first_problem(text).endswith(f'signals."spreader.size".{message}')


def test_one_based_addressing_is_refused_with_how_to_convert() -> None:
    text = with_setting(GENERIC_MODBUS, "address_base", "1")
    assert first_problem(text).endswith(
        "link.address_base: 1 is not supported; set address_base = 0 and write every address as "
        "the zero-based PDU address (holding register 40001 / %MW0 is address 0)"
    )


def test_addressing_base_must_be_stated() -> None:
    text = with_setting(GENERIC_MODBUS, "address_base", None)
    assert first_problem(text).endswith(
        "link.address_base: required setting is missing; add address_base = ..."
    )


def test_missing_link_protocol_is_named() -> None:
    text = with_setting(GENERIC_MODBUS, "protocol", None)
    assert first_problem(text).endswith(
        'link: missing protocol; add protocol = "modbus" or "opcua"'
    )


def test_unknown_protocol_is_named() -> None:
    text = with_setting(GENERIC_MODBUS, "protocol", '"profinet"')
    assert first_problem(text).endswith(
        'link.protocol: unknown protocol \'profinet\'; use "modbus" or "opcua"'
    )


# --- where commands may live --------------------------------------------------------------------


def test_command_in_a_read_only_modbus_table_is_refused() -> None:
    text = with_signal(GENERIC_MODBUS, "plc.reset", '{ table = "discrete_input", address = 40 }')
    assert first_problem(text) == (
        f'{SOURCE}:{line_of(text, "plc.reset")} signals."plc.reset".table: command signal in a '
        "read-only table (discrete_input); commands go in a coil or a holding register"
    )


def test_command_in_a_read_only_node_is_refused() -> None:
    text = with_signal(GENERIC_OPCUA, "plc.reset", '{ node = "s=Crane.Reset", type = "Boolean" }')
    assert first_problem(text).endswith(
        'signals."plc.reset".access: command signal in a read-only node; set access = '
        '"read_write" if the PLC lets the supervisor write it'
    )


def test_command_in_an_array_element_is_refused() -> None:
    text = with_signal(
        GENERIC_OPCUA,
        "plc.reset",
        '{ node = "s=Cmd", type = "Boolean", index = 2, access = "read_write" }',
    )
    assert 'signals."plc.reset".index: commands are written to whole nodes' in first_problem(text)


# --- types, bits and kinds ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            '{ table = "discrete_input", address = 40, type = "uint16" }',
            'type: a discrete_input holds one bit; use type = "bool" or leave type out',
        ),
        (
            '{ table = "discrete_input", address = 40, bit = 2 }',
            "bit: a discrete_input is already a single bit; remove `bit`",
        ),
        (
            '{ table = "discrete_input", address = 40, word_order = "CDAB" }',
            "word_order: a discrete_input has no words to order; remove word_order",
        ),
        (
            '{ table = "input", address = 40 }',
            "type: a input register needs a type: one of bool, int16, uint16, int32, uint32, float32, float64",
        ),
        (
            '{ table = "input", address = 40, type = "bool" }',
            "bit: a bool in a register needs `bit` (0..15): which bit of the word",
        ),
        (
            '{ table = "input", address = 40, type = "uint16", width = 2 }',
            "width: a bit field needs its first bit; add `bit`",
        ),
        (
            '{ table = "input", address = 40, type = "float32", bit = 2 }',
            "bit: bits can only be taken from an integer type, not float32",
        ),
        (
            '{ table = "input", address = 40, type = "bool", bit = 2, width = 2 }',
            'width: type "bool" is one bit; remove `width` or use type "uint16"',
        ),
        (
            '{ table = "input", address = 40, type = "float32" }',
            "type: plc.remote is a bool; a float32 cannot carry it. Use a bit, a coil or an integer (0 = false)",
        ),
    ],
    ids=[
        "bit-table-typed",
        "bit-table-bit",
        "bit-table-word-order",
        "register-untyped",
        "bool-without-bit",
        "width-without-bit",
        "bit-of-float",
        "wide-bool",
        "bool-from-float",
    ],
)
def test_type_and_bit_rules(mapping: str, message: str) -> None:
    text = with_signal(GENERIC_MODBUS, "plc.remote", mapping)
    assert first_problem(text).endswith(f'signals."plc.remote".{message}')


def test_bit_field_must_fit_its_register() -> None:
    text = with_signal(
        GENERIC_MODBUS,
        "spreader.size",
        '{ table = "input", address = 40, type = "int16", bit = 3, width = 14 }',
    )
    assert first_problem(text).endswith(
        'signals."spreader.size".width: bits 3..16 do not fit in 16-bit int16; use at most 13 bits'
    )


def test_float_signal_cannot_come_from_one_bit() -> None:
    text = with_signal(GENERIC_MODBUS, "hoist.load", '{ table = "coil", address = 40 }')
    assert first_problem(text).endswith(
        'signals."hoist.load".type: hoist.load is a float (t); a single bit cannot carry it. '
        "Use a numeric type or a bit field (bit + width)"
    )


def test_integer_signal_needs_an_integer_type() -> None:
    text = with_signal(
        GENERIC_MODBUS, "plc.heartbeat", '{ table = "input", address = 40, type = "float32" }'
    )
    assert first_problem(text).endswith(
        'signals."plc.heartbeat".type: plc.heartbeat is an integer; use an integer type (int16, uint16, ...) for it'
    )


def test_multi_register_value_must_end_by_65535() -> None:
    text = with_signal(
        GENERIC_MODBUS, "sup.heartbeat", '{ table = "holding", address = 65535, type = "uint32" }'
    )
    assert first_problem(text).endswith(
        'signals."sup.heartbeat".address: uint32 at 65535 spans registers 65535..65536, past 65535; move it lower'
    )


# --- overlaps -----------------------------------------------------------------------------------


def test_overlapping_registers_name_both_signals() -> None:
    text = with_signal(
        GENERIC_MODBUS, "hoist.position", '{ table = "input", address = 3, type = "float32" }'
    )
    assert first_problem(text).endswith(
        'signals."trolley.position": overlaps signals."hoist.position" at input 3..4; give each '
        "signal its own place (distinct bits of one register may share it)"
    )


def test_distinct_bits_of_one_register_may_share_it() -> None:
    text = with_signal(
        GENERIC_MODBUS, "plc.remote", '{ table = "input", address = 40, type = "bool", bit = 0 }'
    )
    text = with_signal(
        text, "plc.estop_ok", '{ table = "input", address = 40, type = "bool", bit = 1 }'
    )
    text = with_signal(
        text,
        "spreader.size",
        '{ table = "input", address = 40, type = "uint16", bit = 2, width = 2, map = { "0" = 0, "1" = 20, "2" = 40, "3" = 45 } }',
    )
    profile = parse_profile(text, SOURCE)
    assert profile.signals["plc.estop_ok"].bit == 1


def test_same_bit_twice_is_an_overlap() -> None:
    text = with_signal(
        GENERIC_MODBUS, "plc.remote", '{ table = "input", address = 40, type = "bool", bit = 3 }'
    )
    text = with_signal(
        text,
        "plc.estop_ok",
        '{ table = "input", address = 40, type = "uint16", bit = 2, width = 2 }',
    )
    assert (
        'signals."plc.remote": overlaps signals."plc.estop_ok" at input 40 bits 2-3'
        in first_problem(text)
    )


def test_same_opcua_node_twice_is_an_overlap() -> None:
    text = with_signal(
        GENERIC_OPCUA, "plc.remote", '{ node = "s=Crane.plc.estop_ok", type = "Boolean" }'
    )
    assert 'overlaps signals."plc.estop_ok" at s=Crane.plc.estop_ok' in first_problem(text)


def test_status_bit_in_a_command_word_is_refused() -> None:
    text = with_signal(
        GENERIC_MODBUS, "plc.reset", '{ table = "holding", address = 100, type = "bool", bit = 0 }'
    )
    text = with_signal(
        text, "plc.remote", '{ table = "holding", address = 100, type = "bool", bit = 1 }'
    )
    assert first_problem(text).endswith(
        'signals."plc.remote": status bit in holding 100, which also carries command '
        'signals."plc.reset"; the supervisor writes command words whole, so move the status bit '
        "to another register"
    )


# --- scaling, invert and value maps -------------------------------------------------------------


@pytest.mark.parametrize(
    ("signal", "mapping", "message"),
    [
        (
            "hoist.load",
            '{ table = "input", address = 40, type = "int16", scale = 0.0 }',
            "scale: scale must be a finite number other than 0, not 0.0",
        ),
        (
            "hoist.load",
            '{ table = "input", address = 40, type = "int16", offset = nan }',
            "offset: offset must be a finite number, not nan",
        ),
        (
            "hoist.load",
            '{ table = "input", address = 40, type = "int16", invert = true }',
            "invert: invert applies to bools only; hoist.load is a float",
        ),
        (
            "plc.remote",
            '{ table = "discrete_input", address = 40, scale = 2.0 }',
            "scale: a bool is not scaled; remove scale and offset",
        ),
        (
            "spreader.size",
            '{ table = "input", address = 40, type = "float32", map = { "1" = 20 } }',
            "map: a value map needs integer raw codes; float32 is not an integer type",
        ),
        (
            "spreader.size",
            '{ table = "input", address = 40, type = "uint16", scale = 2.0, map = { "1" = 20 } }',
            "map: use either a value map or scale/offset/invert, not both",
        ),
        (
            "spreader.size",
            '{ table = "input", address = 40, type = "uint16", map = { "one" = 20 } }',
            'map.one: raw codes are integers; "one" is not one',
        ),
        (
            "spreader.size",
            '{ table = "input", address = 40, type = "uint16", bit = 0, width = 2, map = { "4" = 20 } }',
            "map.4: raw code 4 does not fit the place (0..3)",
        ),
        (
            "spreader.size",
            '{ table = "input", address = 40, type = "uint16", map = { "1" = 30 } }',
            "map.1: spreader.size cannot be 30; it takes one of 0, 20, 40, 45",
        ),
        (
            "spreader.size_ref",
            '{ table = "holding", address = 40, type = "uint16", map = { "1" = 20, "2" = 20, "3" = 40, "4" = 45 } }',
            "map: a command's value map must give each value one raw code only",
        ),
        (
            "spreader.size_ref",
            '{ table = "holding", address = 40, type = "uint16", map = { "1" = 20, "2" = 40 } }',
            "map: no raw code for 45; add one for each",
        ),
    ],
    ids=[
        "zero-scale",
        "nan-offset",
        "invert-number",
        "scaled-bool",
        "map-on-float",
        "map-and-scale",
        "map-key-text",
        "map-key-range",
        "map-value-implausible",
        "command-map-ambiguous",
        "command-map-incomplete",
    ],
)
def test_scaling_rules(signal: str, mapping: str, message: str) -> None:
    text = with_signal(GENERIC_MODBUS, signal, mapping)
    assert first_problem(text).endswith(f'signals."{signal}".{message}')


# --- OPC UA link and node ids -------------------------------------------------------------------


def test_opcua_node_id_with_namespace_index_is_refused_with_the_reason() -> None:
    text = with_signal(GENERIC_OPCUA, "hoist.load", '{ node = "ns=3;s=Load", type = "Double" }')
    assert first_problem(text).endswith(
        "signals.\"hoist.load\".node: 'ns=3;s=Load' is not an OPC UA node identifier; write "
        "i=<number>, s=<string>, g=<guid> or b=<base64>, without ns= (the index is looked up "
        "from namespace_uri at connect)"
    )


def test_opcua_endpoint_syntax_is_checked() -> None:
    text = with_setting(GENERIC_OPCUA, "endpoint", '"http://plc:4840"')
    assert first_problem(text).endswith(
        "link.endpoint: 'http://plc:4840' is not an OPC UA endpoint; write opc.tcp://host:port/path"
    )


def test_inline_password_is_refused_pointing_to_references() -> None:
    text = with_setting(GENERIC_OPCUA, "namespace_uri", '"urn:test"\npassword = "hunter2"')
    assert first_problem(text).endswith(
        "link.password: credentials are never written into a profile; name an environment "
        "variable (username_env, password_env) or a file (password_file)"
    )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            'security_policy = "Basic256Sha256"',
            "link.security_mode: security_policy and security_mode go together",
        ),
        (
            'security_policy = "Basic256Sha256"\nsecurity_mode = "Sign"',
            "link.certificate: a secure link needs `certificate` (a file or folder path)",
        ),
        (
            'username_env = "U"\npassword_env = "P"\npassword_file = "/etc/pw"',
            "link.password_file: give password_env or password_file, not both",
        ),
        ('password_env = "P"', "link.username_env: user name and password go together"),
    ],
    ids=[
        "policy-without-mode",
        "secure-without-certificate",
        "two-password-sources",
        "password-without-user",
    ],
)
def test_opcua_security_rules(settings: str, message: str) -> None:
    text = with_setting(GENERIC_OPCUA, "namespace_uri", f'"urn:test"\n{settings}')
    assert message in first_problem(text)


def test_every_problem_is_reported_first_round_together() -> None:
    text = with_signal(GENERIC_MODBUS, "plc.reset", '{ table = "coils", address = 3 }')
    text = with_signal(text, "hoist.load", None)
    found = problems(text)
    assert len(found) == 2
    assert "coils" in found[0]
    assert "hoist.load" in found[1]


def test_read_limit_must_hold_the_widest_value() -> None:
    text = GENERIC_MODBUS.replace("address_base = 0", "address_base = 0\nmax_read_registers = 1")
    assert first_problem(text).endswith(
        "link.max_read_registers: gantry.position (float32) spans 2 registers, more than one read "
        "may take (1); raise max_read_registers to at least 2"
    )


def test_value_map_codes_may_be_written_in_hex() -> None:
    text = with_signal(
        GENERIC_MODBUS,
        "spreader.size",
        '{ table = "input", address = 22, type = "uint16", map = { "0x0" = 0, "0x1" = 20, "0x2" = 40, "0x3" = 45 } }',
    )
    assert parse_profile(text, SOURCE).signals["spreader.size"].codes == {0: 0, 1: 20, 2: 40, 3: 45}


@pytest.mark.parametrize(
    "extra",
    ["scale = 0.5", "offset = 1.0", 'map = { "0" = 0 }'],
    ids=["scaled", "offset", "mapped"],
)
def test_supervisor_heartbeat_place_is_not_scaled(extra: str) -> None:
    text = with_signal(
        GENERIC_MODBUS,
        "sup.heartbeat",
        f'{{ table = "holding", address = 6, type = "uint16", {extra} }}',
    )
    assert first_problem(text).endswith(
        'signals."sup.heartbeat".scale: sup.heartbeat is written as it counts, wrapping at its '
        "place's range; remove scale, offset and map"
    )

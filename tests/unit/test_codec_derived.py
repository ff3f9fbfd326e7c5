"""Both codecs decode a profile's points as signals and compute its derived signals from them.

A derived signal is good only when every input decoded this scan (the worst of its inputs'
qualities); an expression without a value for the inputs makes it bad, with the expression and
why, exactly as an undecodable raw value is reported.
"""

from __future__ import annotations

import math

import pytest

from crane_ctrl.errors import EncodeError
from crane_ctrl.profile.codec import to_words
from crane_ctrl.profile.loader import parse_profile
from crane_ctrl.profile.modbus_map import ModbusCodec, RegisterImage
from crane_ctrl.profile.model import ModbusProfile, OpcUaProfile
from crane_ctrl.profile.opcua_map import NodeRef, OpcUaCodec
from tests.profile_texts import GENERIC_MODBUS, GENERIC_OPCUA, with_signal

SWAY_T = "rope_length_m * sin(radians(sway_angle_deg))"
MODBUS_POINTS = """
[points]
sway_angle_deg = { table = "input", address = 24, type = "float32" }
rope_length_m  = { table = "input", address = 26, type = "float32" }
limits_word    = { table = "input", address = 28, type = "uint16" }
divisor        = { table = "input", address = 29, type = "int16" }
"""
UA_NS = "urn:test"
UA_POINTS = """
[points]
sway_angle_deg = { node = "s=Sway.AngleDeg", type = "Double" }
rope_length_m  = { node = "s=Rope.LengthMm", type = "UInt32", scale = 0.001 }
limits         = { node = "s=Limits", type = "Boolean", index = 1 }
"""


def modbus_codec(**derived: str) -> ModbusCodec:
    text = GENERIC_MODBUS
    for name, expression in derived.items():
        text = with_signal(text, name.replace("__", "."), f'{{ derived = "{expression}" }}')
    profile = parse_profile(text + MODBUS_POINTS, "derived-modbus.toml")
    assert isinstance(profile, ModbusProfile)
    return ModbusCodec(profile)


def opcua_codec(**derived: str) -> OpcUaCodec:
    text = GENERIC_OPCUA
    for name, expression in derived.items():
        text = with_signal(text, name.replace("__", "."), f'{{ derived = "{expression}" }}')
    profile = parse_profile(text + UA_POINTS, "derived-opcua.toml")
    assert isinstance(profile, OpcUaProfile)
    return OpcUaCodec(profile)


def image_with(
    *, angle: float = 2.0, rope: float = 12.0, word: int = 0, divisor: int = 1
) -> RegisterImage:
    image = RegisterImage()
    image.put("input", 0, [0] * 23)
    image.put("discrete_input", 0, [1] * 31)
    image.put("input", 24, to_words(angle, "float32"))
    image.put("input", 26, to_words(rope, "float32"))
    image.put("input", 28, [word])
    image.put("input", 29, to_words(divisor, "int16"))
    return image


def ua_values(**points: object) -> dict[NodeRef, object]:
    values: dict[NodeRef, object] = {
        NodeRef(UA_NS, f"s=Crane.{n}"): 0.0 for n in ("hoist.position",)
    }
    nodes = {"angle": "s=Sway.AngleDeg", "rope": "s=Rope.LengthMm", "limits": "s=Limits"}
    values.update({NodeRef(UA_NS, nodes[k]): v for k, v in points.items()})
    return values


# --- Modbus -------------------------------------------------------------------------------------


def test_points_are_read_with_the_status_in_the_same_plan() -> None:
    codec = modbus_codec(sway__trolley=SWAY_T)
    assert [str(b) for b in codec.read_plan()] == ["discrete_input 0..30", "input 0..29"]


def test_sway_in_metres_from_an_angle_and_a_rope_length() -> None:
    decoded = modbus_codec(sway__trolley=SWAY_T).decode(image_with(angle=2.0, rope=12.0))
    assert decoded.values["sway.trolley"] == pytest.approx(12.0 * math.sin(math.radians(2.0)))
    assert decoded.points == pytest.approx(
        {"sway_angle_deg": 2.0, "rope_length_m": 12.0, "limits_word": 0, "divisor": 1}
    )
    assert "sway.trolley" not in decoded.problems


def test_an_integer_point_keeps_its_bits_for_an_ok_signal_from_two_at_limit_bits() -> None:
    codec = modbus_codec(hoist__limit_up_ok="not bit(limits_word, 3) and not bit(limits_word, 4)")
    assert codec.decode(image_with(word=0)).values["hoist.limit_up_ok"] is True
    assert codec.decode(image_with(word=1 << 4)).values["hoist.limit_up_ok"] is False
    assert codec.decode(image_with(word=1 << 5)).values["hoist.limit_up_ok"] is True


def test_a_derived_signal_reads_mapped_and_derived_signals_by_name() -> None:
    codec = modbus_codec(sway__trolley=SWAY_T, sway__gantry="sway.trolley * 2 + hoist.position")
    image = image_with(angle=1.0, rope=10.0)
    image.put("input", 4, to_words(0.5, "float32"))  # hoist.position
    values = codec.decode(image).values
    assert values["sway.gantry"] == pytest.approx(2 * values["sway.trolley"] + 0.5)


def test_an_input_not_read_makes_the_derived_signal_bad_naming_the_input_and_why() -> None:
    codec = modbus_codec(sway__trolley=SWAY_T)
    image = RegisterImage()
    image.put("input", 26, to_words(12.0, "float32"))  # the rope length, not the angle
    decoded = codec.decode(image)
    assert "sway.trolley" not in decoded.values
    assert decoded.problems["sway.trolley"] == (
        f'derived "{SWAY_T}": input sway_angle_deg is bad (sway_angle_deg: input 24..25: was not read)'
    )


def test_an_undecodable_input_makes_the_derived_signal_bad_with_the_raw_problem() -> None:
    decoded = modbus_codec(sway__trolley=SWAY_T).decode(image_with(angle=math.nan))
    assert decoded.problems["sway.trolley"] == (
        f'derived "{SWAY_T}": input sway_angle_deg is bad '
        "(sway_angle_deg: input 24..25: raw value nan is not a finite number)"
    )


def test_division_by_zero_makes_the_derived_signal_bad_naming_the_expression() -> None:
    decoded = modbus_codec(sway__trolley="rope_length_m / divisor").decode(image_with(divisor=0))
    assert "sway.trolley" not in decoded.values
    assert decoded.problems["sway.trolley"] == (
        'derived "rope_length_m / divisor": 12 / 0 at column 15: division by zero'
    )


def test_asin_outside_its_domain_makes_the_derived_signal_bad() -> None:
    codec = modbus_codec(sway__trolley="degrees(asin(rope_length_m / 10))")
    decoded = codec.decode(image_with(rope=12.0))
    assert decoded.problems["sway.trolley"] == (
        'derived "degrees(asin(rope_length_m / 10))": asin(1.2) at column 9: '
        "defined only for -1 <= x <= 1"
    )


def test_a_bad_derived_signal_makes_the_ones_that_read_it_bad_too() -> None:
    codec = modbus_codec(sway__trolley="rope_length_m / divisor", sway__gantry="sway.trolley")
    problem = codec.decode(image_with(divisor=0)).problems["sway.gantry"]
    assert problem.startswith('derived "sway.trolley": input sway.trolley is bad (sway.trolley: ')


def test_a_derived_signal_has_no_raw_value_to_encode() -> None:
    codec = modbus_codec(sway__trolley=SWAY_T)
    with pytest.raises(EncodeError, match=r"sway.trolley is derived \(rope_length_m"):
        codec.encode({"sway.trolley": 0.1})


# --- OPC UA -------------------------------------------------------------------------------------


def test_opcua_points_are_read_as_nodes_and_laid_out_as_the_profile_says() -> None:
    codec = opcua_codec(sway__gantry=SWAY_T)
    assert NodeRef(UA_NS, "s=Sway.AngleDeg") in codec.nodes()
    assert NodeRef(UA_NS, "s=Crane.sway.gantry") not in codec.nodes()
    assert codec.node_types()[NodeRef(UA_NS, "s=Limits")] == ("Boolean", 2)


def test_opcua_sway_from_a_double_angle_and_a_rope_length_in_mm() -> None:
    decoded = opcua_codec(sway__gantry=SWAY_T).decode(ua_values(angle=-3.0, rope=15000))
    assert decoded.values["sway.gantry"] == pytest.approx(15.0 * math.sin(math.radians(-3.0)))
    assert decoded.points["rope_length_m"] == pytest.approx(15.0)


def test_opcua_bool_from_an_array_element() -> None:
    codec = opcua_codec(lane__clear="not limits")
    assert codec.decode(ua_values(limits=[True, False])).values["lane.clear"] is True


def test_opcua_node_not_read_makes_the_derived_signal_bad() -> None:
    decoded = opcua_codec(sway__gantry=SWAY_T).decode(ua_values(rope=15000))
    assert decoded.problems["sway.gantry"] == (
        f'derived "{SWAY_T}": input sway_angle_deg is bad '
        "(sway_angle_deg: s=Sway.AngleDeg: was not read)"
    )


def test_opcua_node_of_the_wrong_type_makes_the_derived_signal_bad() -> None:
    decoded = opcua_codec(sway__gantry=SWAY_T).decode(ua_values(angle="2", rope=15000))
    assert decoded.problems["sway.gantry"].endswith(
        "(sway_angle_deg: s=Sway.AngleDeg: expected a Double, got '2')"
    )


def test_opcua_undefined_value_makes_the_derived_signal_bad() -> None:
    codec = opcua_codec(sway__gantry="sqrt(rope_length_m - 20)")
    decoded = codec.decode(ua_values(rope=15000))
    assert decoded.problems["sway.gantry"] == (
        'derived "sqrt(rope_length_m - 20)": sqrt(-5) at column 1: defined only for x >= 0'
    )

"""The OPC UA map at work: which nodes to read, decoding their values, encoding commands."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crane_ctrl.errors import EncodeError
from crane_ctrl.profile.loader import parse_profile
from crane_ctrl.profile.model import OpcUaProfile
from crane_ctrl.profile.opcua_map import NodeRef, NodeWrite, OpcUaCodec
from crane_ctrl.profile.rawtypes import RAW_TYPES
from crane_ctrl.signals import Direction, Value
from tests.profile_texts import GENERIC_OPCUA, with_signal

NS = "urn:test"


@cache
def opcua_profile(*overrides: tuple[str, str | None]) -> OpcUaProfile:
    """The generated OPC UA test profile with some signals' mappings replaced (TOML inline)."""
    text = GENERIC_OPCUA
    for name, mapping in overrides:
        text = with_signal(text, name, mapping)
    profile = parse_profile(text, "test-opcua.toml")
    assert isinstance(profile, OpcUaProfile)
    return profile


def codec(*overrides: tuple[str, str | None]) -> OpcUaCodec:
    return OpcUaCodec(opcua_profile(*overrides))


def node(identifier: str) -> NodeRef:
    return NodeRef(NS, identifier)


def default_values(c: OpcUaCodec) -> dict[NodeRef, object]:
    """A zero of the right variant type for every node of the profile (arrays at full length)."""
    zero: dict[str, object] = {"bool": False, "int": 0, "float": 0.0}
    values: dict[NodeRef, object] = {}
    for ref, (ua_type, length) in c.node_types().items():
        value = zero[RAW_TYPES[ua_type].family]
        values[ref] = value if length is None else [value] * length
    return values


ARRAY_SENSORS = tuple(
    (f"spreader.locked_{corner}", f'{{ node = "s=Crane.Locked", type = "Boolean", index = {i} }}')
    for i, corner in enumerate((1, 2, 3, 4))
)
STATUS_BITS = (
    ("plc.remote", '{ node = "s=Crane.Status", type = "Int16", bit = 0 }'),
    (
        "spreader.size",
        '{ node = "s=Crane.Status", type = "Int16", bit = 4, width = 2, '
        'map = { "0" = 0, "1" = 20, "2" = 40, "3" = 45 } }',
    ),
    ("plc.estop_ok", '{ node = "s=Crane.Status", type = "Int16", bit = 15, invert = true }'),
)


def command_bits(ua_type: str) -> tuple[tuple[str, str], ...]:
    """Every discrete command and the telescope code packed into one control word node."""
    where = f'node = "s=Crane.Cmd", type = "{ua_type}", access = "read_write"'
    return (
        ("drives.enable", f"{{ {where}, bit = 0 }}"),
        ("spreader.lock", f"{{ {where}, bit = 1 }}"),
        ("spreader.unlock", f"{{ {where}, bit = 2 }}"),
        (
            "spreader.size_ref",
            f'{{ {where}, bit = 4, width = 2, map = {{ "1" = 20, "2" = 40, "3" = 45 }} }}',
        ),
        ("plc.reset", f"{{ {where}, bit = 15 }}"),
    )


COMMAND_BITS = command_bits("UInt16")


# --- nodes ---------------------------------------------------------------------------------------


def test_every_node_is_listed_once_in_profile_order() -> None:
    c = codec(*ARRAY_SENSORS, *STATUS_BITS)
    nodes = c.nodes()
    assert len(nodes) == len(set(nodes))
    assert nodes.count(node("s=Crane.Locked")) == 1
    assert nodes.count(node("s=Crane.Status")) == 1
    assert nodes[0] == node("s=Crane.plc.heartbeat")
    assert len(nodes) == len(c.status) - len(ARRAY_SENSORS) - len(STATUS_BITS) + 2


def test_command_nodes_are_listed_apart_from_status_nodes() -> None:
    c = codec(*COMMAND_BITS)
    commands = c.nodes(Direction.COMMAND)
    assert node("s=Crane.Cmd") in commands
    assert not set(commands) & set(c.nodes())
    assert len(commands) == len(c.commands) - len(COMMAND_BITS) + 1


def test_array_node_type_gives_the_length_the_profile_needs() -> None:
    types = codec(*ARRAY_SENSORS[:3]).node_types()
    assert types[node("s=Crane.Locked")] == ("Boolean", 3)
    assert types[node("s=Crane.plc.heartbeat")] == ("UInt32", None)


def test_mapping_in_another_namespace_is_named_by_its_uri() -> None:
    c = codec(("plc.remote", '{ node = "i=42", namespace_uri = "urn:other", type = "Boolean" }'))
    assert NodeRef("urn:other", "i=42") in c.nodes()
    assert str(NodeRef("urn:other", "i=42")) == "nsu=urn:other;i=42"


# --- decode --------------------------------------------------------------------------------------


def test_array_elements_decode_to_their_signals() -> None:
    c = codec(*ARRAY_SENSORS)
    values = default_values(c) | {node("s=Crane.Locked"): [True, False, True, True]}
    decoded = c.decode(values)
    assert not decoded.problems
    assert [decoded.values[f"spreader.locked_{i}"] for i in (1, 2, 3, 4)] == [
        True,
        False,
        True,
        True,
    ]


def test_index_past_the_end_of_an_array_is_a_problem_for_that_signal_only() -> None:
    c = codec(*ARRAY_SENSORS)
    values = default_values(c) | {node("s=Crane.Locked"): (True, False)}
    decoded = c.decode(values)
    assert decoded.problems == {
        "spreader.locked_3": "s=Crane.Locked[2]: array has 2 elements, index 2 is past its end",
        "spreader.locked_4": "s=Crane.Locked[3]: array has 2 elements, index 3 is past its end",
    }
    assert decoded.values["spreader.locked_2"] is False


def test_scalar_where_an_array_is_expected_is_a_problem() -> None:
    c = codec(*ARRAY_SENSORS)
    decoded = c.decode(default_values(c) | {node("s=Crane.Locked"): True})
    assert decoded.problems["spreader.locked_1"] == "s=Crane.Locked[0]: expected an array, got bool"


@pytest.mark.parametrize(
    ("signal", "value", "problem"),
    [
        ("plc.remote", 1, "expected a Boolean, got 1"),
        ("hoist.position", True, "expected a Double, got True"),
        ("hoist.position", "12.5", "expected a Double, got '12.5'"),
        ("plc.heartbeat", 1.0, "expected a UInt32, got 1.0"),
        ("plc.heartbeat", False, "expected a UInt32, got False"),
    ],
)
def test_value_of_the_wrong_variant_type_is_a_problem(
    signal: str, value: object, problem: str
) -> None:
    c = codec()
    decoded = c.decode(default_values(c) | {node(f"s=Crane.{signal}"): value})
    assert decoded.problems == {signal: f"s=Crane.{signal}: {problem}"}


def test_integer_value_of_a_double_node_decodes_as_float() -> None:
    c = codec()
    decoded = c.decode(default_values(c) | {node("s=Crane.hoist.position"): 12})
    assert decoded.values["hoist.position"] == 12.0
    assert isinstance(decoded.values["hoist.position"], float)


def test_node_not_read_is_a_problem() -> None:
    c = codec()
    values = default_values(c)
    del values[node("s=Crane.env.wind")]
    assert c.decode(values).problems == {"env.wind": "s=Crane.env.wind: was not read"}


@pytest.mark.parametrize(
    ("word", "remote", "size", "estop_ok"),
    [
        (0, False, 0, True),
        (0b0010_0001, True, 40, True),
        (-32768 | 0b0011_0000, False, 45, False),
        (-1, True, 45, False),
    ],
)
def test_bit_fields_of_a_signed_integer_node_decode(
    word: int, remote: bool, size: int, estop_ok: bool
) -> None:
    c = codec(*STATUS_BITS)
    decoded = c.decode(default_values(c) | {node("s=Crane.Status"): word})
    assert not decoded.problems
    assert decoded.values["plc.remote"] is remote
    assert decoded.values["spreader.size"] == size
    assert decoded.values["plc.estop_ok"] is estop_ok


def test_scaled_node_decodes_to_si_units() -> None:
    c = codec(
        ("hoist.position", '{ node = "s=Crane.hoist.position", type = "Int32", scale = 0.001 }')
    )
    decoded = c.decode(default_values(c) | {node("s=Crane.hoist.position"): 12345})
    assert decoded.values["hoist.position"] == pytest.approx(12.345)


# --- encode --------------------------------------------------------------------------------------


def test_command_bits_of_one_node_are_merged_into_one_write_of_its_type() -> None:
    c = codec(*COMMAND_BITS)
    writes = c.encode(
        {
            "drives.enable": True,
            "spreader.lock": False,
            "spreader.unlock": True,
            "spreader.size_ref": 45,
        }
    )
    assert writes == [NodeWrite(node("s=Crane.Cmd"), 0b11_0101, "UInt16")]
    assert type(writes[0].value) is int


@given(
    ua_type=st.sampled_from(("UInt16", "Int16", "Int32", "UInt64")),
    flags=st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans()),
    size=st.sampled_from((20, 40, 45)),
)
def test_merged_command_word_fits_its_type_and_decodes_back(
    ua_type: str, flags: tuple[bool, bool, bool, bool], size: int
) -> None:
    c = codec(*command_bits(ua_type))
    enable, lock, unlock, reset = flags
    values: dict[str, Value] = {
        "drives.enable": enable,
        "spreader.lock": lock,
        "spreader.unlock": unlock,
        "spreader.size_ref": size,
        "plc.reset": reset,
    }
    (write,) = c.encode(values)
    assert write.ua_type == ua_type
    assert RAW_TYPES[ua_type].minimum <= int(write.value) <= RAW_TYPES[ua_type].maximum
    decoded = c.decode({write.node: write.value}, Direction.COMMAND)
    assert {name: decoded.values[name] for name in values} == values


def test_bit_15_of_a_signed_command_word_is_written_as_a_negative_int16() -> None:
    c = codec(*command_bits("Int16"))
    writes = c.encode({"drives.enable": True, "plc.reset": True})
    assert writes == [NodeWrite(node("s=Crane.Cmd"), -32767, "Int16")]


def test_each_command_node_gets_its_own_write_of_its_own_type() -> None:
    c = codec()
    writes = c.encode({"drives.enable": True, "sup.heartbeat": 41, "hoist.speed_ref": -0.5})
    assert writes == [
        NodeWrite(node("s=Crane.drives.enable"), True, "Boolean"),
        NodeWrite(node("s=Crane.sup.heartbeat"), 41, "UInt32"),
        NodeWrite(node("s=Crane.hoist.speed_ref"), -0.5, "Double"),
    ]


@pytest.mark.parametrize(
    ("ua_type", "written"), [("Int32", 1500), ("Float", 1500.0), ("Double", -250.0)]
)
def test_scaled_speed_command_is_written_in_mm_per_s(ua_type: str, written: float) -> None:
    c = codec(
        (
            "hoist.speed_ref",
            f'{{ node = "s=Crane.Hoist.SpeedRef", type = "{ua_type}", scale = 0.001, '
            'access = "read_write" }',
        )
    )
    speed = written / 1000
    (write,) = c.encode({"hoist.speed_ref": speed})
    assert write == NodeWrite(node("s=Crane.Hoist.SpeedRef"), written, ua_type)
    assert type(write.value) is type(written)


def test_command_that_does_not_fit_its_node_is_an_encode_error() -> None:
    c = codec(
        (
            "hoist.speed_ref",
            '{ node = "s=Crane.Hoist.SpeedRef", type = "Int16", scale = 0.001, '
            'access = "read_write" }',
        )
    )
    with pytest.raises(EncodeError, match=r"hoist\.speed_ref = 40\.0 is raw 40000, outside"):
        c.encode({"hoist.speed_ref": 40.0})


def test_status_array_elements_are_encoded_into_one_whole_array_write() -> None:
    from crane_ctrl.profile.loader import parse_profile
    from crane_ctrl.profile.opcua_map import OpcUaCodec
    from tests.profile_texts import GENERIC_OPCUA, with_signal

    text = GENERIC_OPCUA
    for corner in (1, 2, 3, 4):
        text = with_signal(
            text,
            f"spreader.locked_{corner}",
            f'{{ node = "s=Locked", type = "Boolean", index = {corner - 1} }}',
        )
    codec = OpcUaCodec(parse_profile(text, "t.toml"))  # type: ignore[arg-type]
    writes = codec.encode({f"spreader.locked_{c}": c % 2 == 0 for c in (1, 2, 3, 4)})
    [array] = [w for w in writes if w.node.identifier == "s=Locked"]
    assert (array.value, array.ua_type) == ([False, True, False, True], "Boolean")
    assert codec.decode({array.node: array.value}).values["spreader.locked_2"] is True

"""OPC UA method calls as command targets (issue 15): ``"plc.reset" = { method = "s=Crane.Reset",
object = "s=Crane" }``. The profile accepts them for bool commands only, locating every mistake;
the codec neither reads nor writes them; a call is due once per rising edge.
"""

from __future__ import annotations

import re
import tomllib

import jsonschema
import pytest

from crane_ctrl.errors import ProfileError
from crane_ctrl.profile.loader import parse_profile
from crane_ctrl.profile.model import OpcUaMethod, OpcUaProfile
from crane_ctrl.profile.opcua_map import MethodCall, NodeRef, OpcUaCodec, RisingEdges
from crane_ctrl.profile.schema import profile_json_schema
from crane_ctrl.signals import Direction
from tests.profile_texts import PROFILES

GENERIC_OPCUA = (PROFILES / "generic-opcua.toml").read_text(encoding="utf-8")
RESET_METHOD = '{ method = "s=Crane.Reset", object = "s=Crane" }'


def with_mapping(signal: str, mapping: str, text: str = GENERIC_OPCUA) -> str:
    """``text`` with ``signal`` mapped to ``mapping`` (on the line that maps it)."""
    lines = text.splitlines()
    (index,) = [i for i, line in enumerate(lines) if line.startswith(f'"{signal}"')]
    lines[index] = f'"{signal}" = {mapping}'
    return "\n".join(lines) + "\n"


def method_profile(mapping: str = RESET_METHOD) -> OpcUaProfile:
    """The generic OPC UA profile with ``plc.reset`` as a method call."""
    profile = parse_profile(with_mapping("plc.reset", mapping), "generic-opcua-method.toml")
    assert isinstance(profile, OpcUaProfile)
    return profile


def line_of(signal: str) -> int:
    return next(
        i for i, line in enumerate(GENERIC_OPCUA.splitlines(), 1) if line.startswith(f'"{signal}"')
    )


def problem(signal: str, mapping: str) -> str:
    with pytest.raises(ProfileError) as caught:
        parse_profile(with_mapping(signal, mapping), "x.toml")
    return str(caught.value)


def test_a_bool_command_may_be_a_method_call_with_literal_arguments() -> None:
    profile = method_profile(
        '{ method = "s=Crane.Reset", object = "s=Crane", arguments = [1, true, 2.5, "all"] }'
    )
    m = profile.signals["plc.reset"]
    assert isinstance(m, OpcUaMethod)
    assert m.arguments == [1, True, 2.5, "all"]
    assert m.place() == 'call s=Crane.Reset(1, true, 2.5, "all") on s=Crane'


def test_a_method_on_a_status_signal_is_a_located_error() -> None:
    text = problem("plc.watchdog_trip", RESET_METHOD)
    assert f'x.toml:{line_of("plc.watchdog_trip")} signals."plc.watchdog_trip".method:' in text
    assert "only commands can be method calls" in text


def test_a_method_on_a_float_command_is_a_located_error() -> None:
    text = problem("hoist.speed_ref", RESET_METHOD)
    assert f'x.toml:{line_of("hoist.speed_ref")} signals."hoist.speed_ref".method:' in text
    assert "only bool commands can be method calls" in text
    assert 'access = "read_write"' in text


def test_an_unknown_field_of_a_method_call_names_the_closest_one() -> None:
    text = problem("plc.reset", '{ method = "s=Crane.Reset", object = "s=Crane", argument = [] }')
    assert f'x.toml:{line_of("plc.reset")} signals."plc.reset".argument:' in text
    assert 'did you mean "arguments"?' in text


def test_a_method_call_has_no_node_fields_and_needs_its_object() -> None:
    text = problem(
        "plc.reset", '{ method = "s=Crane.Reset", object = "s=Crane", type = "Boolean" }'
    )
    assert 'signals."plc.reset".type: a method call has no node: remove `type`' in text
    text = problem("plc.reset", '{ method = "s=Crane.Reset" }')
    assert 'signals."plc.reset".object: required setting is missing' in text


def test_two_commands_may_not_call_one_method() -> None:
    text = with_mapping("spreader.lock", RESET_METHOD, with_mapping("plc.reset", RESET_METHOD))
    with pytest.raises(ProfileError, match=re.escape("already calls s=Crane.Reset on s=Crane")):
        parse_profile(text, "x.toml")


def test_the_codec_neither_reads_nor_writes_a_method_command() -> None:
    profile = method_profile()
    codec = OpcUaCodec(profile)
    uri = profile.link.namespace_uri
    assert codec.method_commands == {
        "plc.reset": MethodCall(
            "plc.reset", NodeRef(uri, "s=Crane"), NodeRef(uri, "s=Crane.Reset"), ()
        )
    }
    assert "plc.reset" not in codec.commands
    nodes = {*codec.nodes(Direction.STATUS), *codec.nodes(Direction.COMMAND), *codec.node_types()}
    assert not {r.identifier for r in nodes} & {"s=Crane", "s=Crane.Reset", "s=(method)"}
    writes = codec.encode({"plc.reset": True, "drives.enable": True})
    assert [w.node.identifier for w in writes] == ["s=Crane.Cmd.DrivesEnable"]
    decoded = codec.decode({w.node: w.value for w in writes}, Direction.COMMAND)
    assert "plc.reset" not in decoded.values
    assert "plc.reset" not in decoded.problems


def test_a_call_is_due_once_per_rising_edge_again_after_a_miss_or_a_reconnect() -> None:
    call = MethodCall("plc.reset", NodeRef("u", "s=Crane"), NodeRef("u", "s=Crane.Reset"))
    edges = RisingEdges({"plc.reset": call})
    due = [bool(edges.due({"plc.reset": v})) for v in (False, True, True, False, True, True)]
    assert due == [False, True, False, False, True, False]
    assert edges.due({"drives.enable": True}) == []  # not written: no edge either way
    edges.missed(call)
    assert edges.due({"plc.reset": True}) == [call]
    edges.forget()
    assert edges.due({"plc.reset": True}) == [call]


def test_the_json_schema_takes_a_method_for_a_bool_command_only() -> None:
    schema = profile_json_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    data = tomllib.loads(with_mapping("plc.reset", RESET_METHOD))
    assert validator.is_valid(data)
    data["signals"]["hoist.speed_ref"] = {"method": "s=Crane.Speed", "object": "s=Crane"}
    assert not validator.is_valid(data)

"""The shipped PLC profiles load clean and carry each PLC's conventions as their comments claim."""

from __future__ import annotations

import pytest

from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.modbus_map import ModbusCodec, RegisterImage
from crane_ctrl.profile.model import ModbusProfile, OpcUaProfile
from crane_ctrl.profile.opcua_map import NodeRef, OpcUaCodec
from crane_ctrl.signals import DIRECTION_COMMANDS, SIGNALS, spec
from tests.profile_texts import PROFILES

SHIPPED = sorted(PROFILES.glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_profile_is_valid_and_named_after_its_file(path: object) -> None:
    profile = load_profile(path)  # type: ignore[arg-type]
    assert profile.name == path.stem  # type: ignore[attr-defined]
    some_plcs = {f"{axis}.enable" for axis in ("gantry", "trolley", "hoist")} | {
        "spreader.telescope",  # a target and a start
        "plc.restart_inhibit",
        *(d for pair in DIRECTION_COMMANDS.values() for d in pair),  # magnitude + direction
    }  # signals only some PLCs have
    assert set(SIGNALS) - some_plcs == set(profile.signals) - some_plcs, (
        "shipped profiles map optional signals too"
    )


def test_at_least_the_four_required_profiles_ship() -> None:
    assert {p.stem for p in SHIPPED} >= {
        "generic-modbus",
        "generic-opcua",
        "siemens-s7-1500-opcua",
        "modicon-m580-modbus",
    }


def modbus(name: str) -> ModbusCodec:
    profile = load_profile(PROFILES / f"{name}.toml")
    assert isinstance(profile, ModbusProfile)
    return ModbusCodec(profile)


def opcua(name: str) -> OpcUaCodec:
    profile = load_profile(PROFILES / f"{name}.toml")
    assert isinstance(profile, OpcUaProfile)
    return OpcUaCodec(profile)


def test_generic_modbus_is_read_in_two_requests() -> None:
    assert [str(b) for b in modbus("generic-modbus").read_plan()] == [
        "discrete_input 0..30",
        "input 0..22",
    ]


def test_modicon_speed_reference_is_percent_of_rated_times_100() -> None:
    image = modbus("modicon-m580-modbus").encode(
        {"gantry.speed_ref": 1.1, "trolley.speed_ref": -0.8}
    )
    assert image.get("holding", 102, 2) == [5000, (-10000) & 0xFFFF]


def test_modicon_estop_bit_is_normally_closed_via_invert() -> None:
    codec = modbus("modicon-m580-modbus")
    open_chain = codec.encode({"plc.estop_ok": False})
    assert open_chain.get("holding", 0, 1) == [0b10]
    closed = RegisterImage()
    closed.put("holding", 0, [0])
    assert codec.decode(closed).values["plc.estop_ok"] is True


def test_modicon_positions_are_word_swapped_floats() -> None:
    codec = modbus("modicon-m580-modbus")
    image = codec.encode({"hoist.position": 12.5})
    assert image.get("holding", 14, 2) == [0x0000, 0x4148]
    assert codec.decode(image).values["hoist.position"] == 12.5


def test_modicon_commands_share_one_control_word_written_once() -> None:
    codec = modbus("modicon-m580-modbus")
    image = codec.encode(
        {
            "drives.enable": True,
            "spreader.lock": True,
            "spreader.unlock": False,
            "plc.reset": False,
            "spreader.size_ref": 40,
        }
    )
    [block] = codec.write_blocks(image)
    assert (block.table, block.start, block.values) == ("holding", 100, (0b10_0011,))


def test_s7_positions_in_mm_and_speed_references_in_mm_per_s() -> None:
    codec = opcua("siemens-s7-1500-opcua")
    ns = "http://www.siemens.com/simatic-s7-opcua"
    pos = NodeRef(ns, 's="DB_Crane"."Hoist"."ActPos"')
    assert pos in codec.nodes()
    decoded = codec.decode({pos: 12500.0})
    assert decoded.values["hoist.position"] == pytest.approx(12.5)
    [write] = codec.encode({"hoist.speed_ref": 0.5})
    assert (write.value, write.ua_type) == (pytest.approx(500.0), "Double")


def test_s7_twistlock_sensors_are_elements_of_one_array_node() -> None:
    codec = opcua("siemens-s7-1500-opcua")
    node = NodeRef("http://www.siemens.com/simatic-s7-opcua", 's="DB_Crane"."Spreader"."Locked"')
    assert codec.node_types()[node] == ("Boolean", 4)
    values = codec.decode({node: [True, True, False, True]}).values
    assert [values[f"spreader.locked_{c}"] for c in (1, 2, 3, 4)] == [True, True, False, True]


def test_s7_size_code_maps_to_feet_both_ways() -> None:
    codec = opcua("siemens-s7-1500-opcua")
    size = NodeRef("http://www.siemens.com/simatic-s7-opcua", 's="DB_Crane"."Spreader"."SizeCode"')
    assert codec.decode({size: 3}).values["spreader.size"] == 45
    [write] = codec.encode({"spreader.size_ref": 40})
    assert (write.value, write.ua_type) == (2, "Int16")


def test_s7_link_is_secure_and_credentials_are_referenced() -> None:
    profile = load_profile(PROFILES / "siemens-s7-1500-opcua.toml")
    assert isinstance(profile, OpcUaProfile)
    assert profile.link.namespace_uri == "http://www.siemens.com/simatic-s7-opcua"
    assert (profile.link.security_policy, profile.link.security_mode) == (
        "Basic256Sha256",
        "SignAndEncrypt",
    )
    assert profile.link.password_env is not None


def test_signed_plc_counter_that_wrapped_is_still_plausible() -> None:
    assert spec("plc.heartbeat").plausible(-32768)


def test_generic_opcua_commands_are_writable_nodes() -> None:
    codec = opcua("generic-opcua")
    assert all(m.access == "read_write" for m in codec.commands.values())
    assert len(codec.nodes()) == len(codec.status)

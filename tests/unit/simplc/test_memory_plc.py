"""The in-memory PLC is the simulator seen through a profile: raw registers or node values that
decode to the simulator's own status, and commands that reach its PLC as the wire would carry."""

from __future__ import annotations

import pytest

from crane_ctrl.profile.modbus_map import ModbusCodec, RegisterImage
from crane_ctrl.profile.model import ModbusProfile, OpcUaProfile, Profile
from crane_ctrl.profile.opcua_map import OpcUaCodec
from crane_ctrl.profile.rawtypes import RAW_TYPES
from crane_ctrl.signals import SIGNALS, Direction, Kind, Value
from simulators.memory import ExceptionReply, MemoryPlc
from simulators.simulator import CraneSimulator
from tests.unit.simplc.driver import ModbusWire, OpcUaWire, shipped_profile, wire_for

PROFILE_NAMES = ["generic-modbus", "modicon-m580-modbus", "generic-opcua", "siemens-s7-1500-opcua"]
MODBUS_NAMES = ["generic-modbus", "modicon-m580-modbus"]

COMMANDS: dict[str, Value] = {
    "sup.heartbeat": 4242,
    "drives.enable": True,
    "gantry.speed_ref": -1.1,
    "trolley.speed_ref": 0.4,
    "hoist.speed_ref": -0.35,
    "spreader.lock": True,
    "spreader.unlock": False,
    "spreader.size_ref": 45,
    "plc.reset": True,
}
"""A command of every kind, each unlike its default."""


def busy_simulator() -> CraneSimulator:
    """Every axis moving (some backwards), wind, a drive fault, a person in the lane, a load."""
    sim = CraneSimulator(hoist_m=8.0)
    sim.command(
        {
            "drives.enable": True,
            "gantry.speed_ref": -1.0,
            "trolley.speed_ref": 0.6,
            "hoist.speed_ref": 0.3,
        }
    )
    sim.faults.inject("wind", speed_mps=13.7)
    sim.faults.inject("person_in_lane")
    sim.faults.inject("force", signal="hoist.load", value=12.3)
    for beat in range(1, 81):
        sim.command({"sup.heartbeat": beat})
        sim.run(0.05)
    sim.faults.inject("drive_fault", axis="trolley")
    sim.step(0.01)
    return sim


def resolution(profile: Profile, name: str, value: Value) -> float:
    """What the profile's encoding of ``name`` can resolve around ``value``."""
    m = profile.signals[name]
    raw = RAW_TYPES[m.raw_type]
    if SIGNALS[name].kind is not Kind.FLOAT:
        return 0.0
    if raw.is_int:
        return abs(m.scale) / 2 + 1e-9
    relative = 2**-23 if raw.bits == 32 else 2**-52
    return abs(float(value)) * relative + 1e-12


def assert_carried(profile: Profile, got: dict[str, Value], expected: dict[str, Value]) -> None:
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, abs=resolution(profile, name, value)), name
        assert type(got[name]) is type(value), name


@pytest.mark.parametrize("profile_name", PROFILE_NAMES)
def test_status_read_through_every_profile_is_the_simulators_status(profile_name: str) -> None:
    sim = busy_simulator()
    wire = wire_for(sim, profile_name)
    decoded = wire.read_status()
    mapped = wire.plc.profile.signals
    status = {n: v for n, v in sim.status().items() if n in mapped or SIGNALS[n].required}
    assert set(decoded) == set(status)
    assert_carried(wire.plc.profile, decoded, status)
    assert decoded["trolley.fault"] is True
    assert decoded["lane.clear"] is False
    assert float(decoded["gantry.speed"]) < -0.5


@pytest.mark.parametrize("profile_name", PROFILE_NAMES)
def test_commands_written_through_every_profile_reach_the_plc(profile_name: str) -> None:
    sim = CraneSimulator()
    wire = wire_for(sim, profile_name)
    wire.write_commands(COMMANDS)
    got = {name: sim.plc.commands[name] for name in COMMANDS}
    assert_carried(wire.plc.profile, got, COMMANDS)


@pytest.mark.parametrize("profile_name", MODBUS_NAMES)
def test_command_registers_read_back_what_was_written(profile_name: str) -> None:
    sim = CraneSimulator()
    wire = wire_for(sim, profile_name)
    assert isinstance(wire, ModbusWire)
    wire.write_commands(COMMANDS)
    image = RegisterImage()
    for block in wire.codec.read_plan(Direction.COMMAND):
        image.put(block.table, block.start, wire.plc.read(block.table, block.start, block.count))
    decoded = wire.codec.decode(image, Direction.COMMAND)
    assert decoded.problems == {}
    assert_carried(wire.plc.profile, decoded.values, COMMANDS)


@pytest.mark.parametrize("profile_name", ["generic-opcua", "siemens-s7-1500-opcua"])
def test_command_nodes_read_back_what_was_written(profile_name: str) -> None:
    sim = CraneSimulator()
    wire = wire_for(sim, profile_name)
    assert isinstance(wire, OpcUaWire)
    wire.write_commands(COMMANDS)
    nodes = wire.codec.nodes(Direction.COMMAND)
    decoded = wire.codec.decode(
        dict(zip(nodes, wire.plc.read_nodes(nodes), strict=True)), Direction.COMMAND
    )
    assert decoded.problems == {}
    assert_carried(wire.plc.profile, decoded.values, COMMANDS)


def test_holding_registers_keep_what_was_last_written() -> None:
    sim = CraneSimulator()
    wire = wire_for(sim, "generic-modbus")
    assert isinstance(wire, ModbusWire)
    wire.write_commands(COMMANDS)
    only_hoist = wire.codec.encode({"hoist.speed_ref": 0.25})
    for block in wire.codec.write_blocks(only_hoist):
        wire.plc.write(block.table, block.start, block.values)
    assert sim.plc.commands["hoist.speed_ref"] == 0.25
    assert sim.plc.commands["gantry.speed_ref"] == pytest.approx(-1.1, abs=1e-6)
    assert sim.plc.commands["drives.enable"] is True


@pytest.mark.parametrize(("table", "start"), [("input", 0), ("discrete_input", 16)])
def test_writing_a_read_only_table_is_an_illegal_function(table: str, start: int) -> None:
    sim = CraneSimulator()
    plc = MemoryPlc(sim, shipped_profile("generic-modbus"))
    before = dict(sim.plc.commands)
    with pytest.raises(ExceptionReply) as refused:
        plc.write(table, start, [1])
    assert refused.value.code == 1
    assert sim.plc.commands == before


def test_a_profile_is_spoken_only_in_its_own_protocol() -> None:
    sim = CraneSimulator()
    modbus = shipped_profile("generic-modbus")
    opcua = shipped_profile("generic-opcua")
    assert isinstance(modbus, ModbusProfile)
    assert isinstance(opcua, OpcUaProfile)
    with pytest.raises(TypeError, match="generic-opcua is not a Modbus profile"):
        MemoryPlc(sim, opcua).read("input", 0, 1)
    with pytest.raises(TypeError, match="generic-modbus is not an OPC UA profile"):
        MemoryPlc(sim, modbus).read_nodes(OpcUaCodec(opcua).nodes())


def test_the_status_image_is_what_the_codec_encodes_from_the_simulator() -> None:
    sim = busy_simulator()
    profile = shipped_profile("generic-modbus")
    assert isinstance(profile, ModbusProfile)
    codec = ModbusCodec(profile)
    plc = MemoryPlc(sim, profile)
    expected = codec.encode(sim.status())
    for block in codec.read_plan():
        assert plc.read(block.table, block.start, block.count) == expected.get(
            block.table, block.start, block.count
        )

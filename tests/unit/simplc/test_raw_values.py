"""Values a profile cannot encode, and raw content forced past the codec, seen in memory.

``force`` with NaN, inf or a value beyond the raw type is served as the nearest raw the place can
hold (the rule in :mod:`simulators.served_status`), never an exception; ``force_raw`` puts exactly
the raw it is given into the signal's register, bit, field or node (what each can hold is in
:mod:`simulators.raw_places`), and refuses, by signal, place and fix, what cannot exist there.
Every other signal keeps decoding to the simulator's status. Through the real servers:
``tests/integration/test_sim_raw_values.py``.
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path

import pytest

from crane_ctrl.profile.codec import Raw, from_words, to_words
from crane_ctrl.profile.modbus_map import Decoded, ModbusCodec, RegisterImage
from crane_ctrl.profile.model import ModbusMapping, ModbusProfile, OpcUaProfile, Profile
from crane_ctrl.profile.opcua_map import OpcUaCodec
from crane_ctrl.signals import SIGNALS, Kind, Value
from simulators.control import ControlChannel
from simulators.fault_schedule import load_schedule
from simulators.faults import FaultError
from simulators.memory import MemoryPlc
from simulators.served_status import nearest_raw
from simulators.simulator import CraneSimulator
from tests.unit.simplc.raw_profiles import SHIPPED, profile

NAN, INF = math.nan, math.inf


def served(profile_name: str) -> tuple[CraneSimulator, MemoryPlc]:
    """A simulator after half a second with wind, seen through a memory PLC with the profile."""
    sim = CraneSimulator()
    sim.faults.inject("wind", speed_mps=7.5)
    sim.run(0.5)
    return sim, MemoryPlc(sim, profile(profile_name))


def place_content(plc: MemoryPlc, signal: str) -> object:
    """The raw content of ``signal``'s place: its registers (or bit), or its node's value."""
    m = plc.profile.signals[signal]
    if isinstance(m, ModbusMapping):
        return plc.read(m.table, m.address, m.register_count)
    assert isinstance(plc.profile, OpcUaProfile)
    return plc.read_nodes([OpcUaCodec(plc.profile).ref(m)])[0]


def registers(plc: MemoryPlc, signal: str) -> list[int]:
    """The registers (or the bit) of ``signal``'s Modbus place."""
    content = place_content(plc, signal)
    assert isinstance(content, list)
    return content


def decode_all(plc: MemoryPlc) -> Decoded:
    """Every status signal decoded from what the memory PLC serves, as a supervisor reads it."""
    if isinstance(plc.profile, ModbusProfile):
        codec = ModbusCodec(plc.profile)
        image = RegisterImage()
        for block in codec.read_plan():
            image.put(block.table, block.start, plc.read(block.table, block.start, block.count))
        return codec.decode(image)
    ua = OpcUaCodec(plc.profile)
    nodes = ua.nodes()
    return ua.decode(dict(zip(nodes, plc.read_nodes(nodes), strict=True)))


def assert_others_served(decoded: Decoded, status: dict[str, Value], forced: set[str]) -> None:
    """Every signal but ``forced`` decodes, to the simulator's own value."""
    assert set(decoded.problems) <= forced, decoded.problems
    for name, value in status.items():
        if name in forced or (name not in decoded.values and not SIGNALS[name].required):
            continue  # an optional signal this profile leaves out
        if SIGNALS[name].kind is Kind.FLOAT:
            assert decoded.values[name] == pytest.approx(value, abs=0.01), name
        else:
            assert decoded.values[name] == value, name


def sharing(p: Profile, signal: str) -> set[str]:
    """The signals packed in the same Modbus register as ``signal`` (itself included)."""
    target = p.signals[signal]
    assert isinstance(target, ModbusMapping)
    return {
        name
        for name, m in p.signals.items()
        if isinstance(m, ModbusMapping) and (m.table, m.address) == (target.table, target.address)
    }


def same_raw(got: object, expected: object) -> bool:
    """Equal, NaN included (element by element for arrays)."""
    if isinstance(got, list) and isinstance(expected, list):
        return len(got) == len(expected) and all(map(same_raw, got, expected))
    if isinstance(got, float) and isinstance(expected, float) and math.isnan(expected):
        return math.isnan(got)
    return got == expected and type(got) is type(expected)


# --- the rule for values the codec cannot encode -------------------------------------------------


@pytest.mark.parametrize(
    ("profile_name", "signal", "value", "raw"),
    [
        ("generic-modbus", "hoist.load", NAN, NAN),
        ("generic-modbus", "env.wind", INF, INF),
        ("generic-modbus", "env.wind", 1e39, INF),
        ("generic-modbus", "sway.gantry", -1e39, -INF),
        ("generic-modbus", "spreader.size", 70000, 65535),
        ("generic-modbus", "plc.heartbeat", -3, 0),
        ("modicon-m580-modbus", "gantry.speed", INF, 32767),
        ("modicon-m580-modbus", "gantry.speed", -INF, -32768),
        ("modicon-m580-modbus", "gantry.speed", NAN, -32768),
        ("modicon-m580-modbus", "hoist.load", 1e9, 32767),
        ("modicon-m580-modbus", "env.wind", -5.0, 0),
        ("modicon-m580-modbus", "hoist.speed", True, 10000),
        ("modicon-m580-modbus", "spreader.size", 33, 2),
        ("modicon-m580-modbus", "spreader.size", 43, 3),
        ("modicon-m580-modbus", "spreader.size", 30, 1),
        ("modicon-m580-modbus", "spreader.size", INF, 3),
        ("modicon-m580-modbus", "spreader.size", -INF, 0),
        ("modicon-m580-modbus", "spreader.size", NAN, 0),
        ("modicon-m580-modbus", "spreader.size", True, 0),
        ("generic-opcua", "gantry.position", NAN, NAN),
        ("generic-opcua", "plc.fault_code", -1, 0),
        ("siemens-s7-1500-opcua", "hoist.load", 1e36, INF),
        ("siemens-s7-1500-opcua", "spreader.size", 33, 2),
    ],
)
def test_an_unencodable_value_has_a_nearest_raw(
    profile_name: str, signal: str, value: Value, raw: Raw
) -> None:
    assert same_raw(nearest_raw(value, profile(profile_name).signals[signal]), raw)


UNENCODABLE: dict[str, Value] = {
    "hoist.load": NAN,
    "env.wind": INF,
    "gantry.speed": 1e9,
    "sway.trolley": -INF,
    "spreader.size": 33,
    "plc.fault_code": -7,
}
"""Forced engineering values of every kind; each is beyond what some shipped profile encodes."""


@pytest.mark.parametrize("profile_name", SHIPPED)
def test_forced_unencodable_values_are_served_and_every_other_signal_too(
    profile_name: str,
) -> None:
    sim, plc = served(profile_name)
    status = dict(sim.status())
    for signal, value in UNENCODABLE.items():
        sim.faults.inject("force", signal=signal, value=value)
    decoded = decode_all(plc)
    assert_others_served(decoded, status, set(UNENCODABLE))
    sim.faults.clear()
    assert_others_served(decode_all(plc), dict(sim.status()), set())


def test_a_forced_nan_reads_as_an_ieee_nan_in_its_float_register() -> None:
    sim, plc = served("generic-modbus")
    sim.faults.inject("force", signal="hoist.load", value="nan")
    assert math.isnan(from_words(registers(plc, "hoist.load"), "float32"))
    assert decode_all(plc).problems == {
        "hoist.load": "input 12..13: raw value nan is not a finite number"
    }


def test_a_value_that_starts_falling_back_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sim, plc = served("modicon-m580-modbus")
    sim.faults.inject("force", signal="gantry.speed", value=INF)
    with caplog.at_level(logging.WARNING, logger="simulators.served_status"):
        for _ in range(3):
            plc.read("holding", 20, 1)
    assert [r.getMessage() for r in caplog.records if r.name == "simulators.served_status"] == [
        "profile modicon-m580-modbus: gantry.speed = inf cannot be encoded; serving raw 32767 "
        "at holding 20 (int16) (nearest)"
    ]


def test_force_refuses_a_value_that_is_no_number() -> None:
    sim = CraneSimulator()
    with pytest.raises(FaultError, match="fault force: value must be a number, true or false"):
        sim.faults.inject("force", signal="hoist.load", value="heavy")


# --- force_raw: exactly that raw in the place ---------------------------------------------------


@pytest.mark.parametrize(
    ("profile_name", "signal", "raw", "word", "content"),
    [
        ("generic-modbus", "hoist.load", "nan", False, [0x7FC0, 0x0000]),
        ("generic-modbus", "env.wind", "-inf", False, [0xFF80, 0x0000]),
        ("generic-modbus", "spreader.size", 33, False, [33]),
        ("generic-modbus", "plc.heartbeat", 65535, False, [65535]),
        ("generic-modbus", "plc.estop_ok", "false", False, [0]),
        ("modicon-m580-modbus", "hoist.load", -5, False, [65531]),
        ("modicon-m580-modbus", "gantry.position", "inf", False, to_words(INF, "float32", "CDAB")),
        ("modicon-m580-modbus", "spreader.size", 0xFFFF, True, [0xFFFF]),
        ("wide-code-modbus", "spreader.size", 5, False, None),
        ("bool-register-modbus", "plc.estop_ok", 2, False, [2]),
        ("generic-opcua", "hoist.load", "nan", False, NAN),
        ("generic-opcua", "gantry.position", 1e9, False, 1e9),
        ("generic-opcua", "spreader.size", 33, False, 33),
        ("generic-opcua", "plc.estop_ok", 0, False, False),
        ("siemens-s7-1500-opcua", "spreader.size", 33, False, 33),
        ("siemens-s7-1500-opcua", "spreader.size", 32767, False, 32767),
        ("siemens-s7-1500-opcua", "hoist.load", "-inf", False, -INF),
        ("int-bool-opcua", "plc.estop_ok", 2, False, 2),
    ],
)
def test_force_raw_serves_exactly_that_raw_and_every_other_signal(
    profile_name: str, signal: str, raw: object, word: bool, content: object
) -> None:
    sim, plc = served(profile_name)
    status = dict(sim.status())
    key = sim.faults.inject("force_raw", signal=signal, raw=raw, word=word)
    assert key == f"force_raw:{signal}"
    if content is not None:
        assert same_raw(place_content(plc, signal), content), place_content(plc, signal)
    assert_others_served(
        decode_all(plc), status, sharing(plc.profile, signal) if word else {signal}
    )
    sim.faults.clear(key)
    assert_others_served(decode_all(plc), dict(sim.status()), set())


def test_a_bit_forced_raw_leaves_the_other_bits_of_its_word() -> None:
    sim, plc = served("modicon-m580-modbus")
    before = registers(plc, "plc.remote")
    sim.faults.inject("force_raw", signal="plc.estop_ok", raw=1)
    assert registers(plc, "plc.remote") == [before[0] | 0b10]
    decoded = decode_all(plc)
    assert decoded.values["plc.estop_ok"] is False, "ESTOP_ACTIVE set: the inverted bit reads open"
    assert decoded.values["plc.remote"] is True


def test_a_code_outside_the_value_map_reaches_the_supervisor_undecodable() -> None:
    sim, plc = served("wide-code-modbus")
    sim.faults.inject("force_raw", signal="spreader.size", raw=5)
    assert (registers(plc, "spreader.size")[0] >> 12) & 0b111 == 5
    assert decode_all(plc).problems == {
        "spreader.size": "holding 2 bits 12-14: raw code 5 is not in the value map (0, 1, 2, 3)"
    }


def test_a_bool_register_reading_2_is_undecodable_but_served() -> None:
    sim, plc = served("bool-register-modbus")
    sim.faults.inject("force_raw", signal="plc.estop_ok", raw="2")
    assert decode_all(plc).problems == {
        "plc.estop_ok": "input 23: raw 2 is neither 0 nor 1 for a bool (map other codes with `codes`)"
    }


def test_force_raw_outranks_force_and_clearing_it_leaves_the_force() -> None:
    sim, plc = served("generic-opcua")
    sim.faults.inject("force", signal="hoist.load", value=3.0)
    sim.faults.inject("force_raw", signal="hoist.load", raw=-1.5)
    assert place_content(plc, "hoist.load") == -1.5
    sim.faults.clear("force_raw:hoist.load")
    assert place_content(plc, "hoist.load") == 3.0


@pytest.mark.parametrize(
    ("profile_name", "signal", "raw", "word", "message"),
    [
        (
            "generic-modbus",
            "plc.heartbeat",
            70000,
            False,
            "force_raw plc.heartbeat: input 20 (uint16) holds 0..65535, not 70000; give a raw in that range",
        ),
        (
            "modicon-m580-modbus",
            "hoist.load",
            1.5,
            False,
            "force_raw hoist.load: holding 23 (int16) holds whole numbers, not 1.5; give an integer",
        ),
        (
            "modicon-m580-modbus",
            "env.wind",
            -5,
            False,
            "force_raw env.wind: holding 24 (uint16) holds 0..65535, not -5",
        ),
        (
            "modicon-m580-modbus",
            "plc.estop_ok",
            2,
            False,
            "force_raw plc.estop_ok: holding 0 bit 1 (bool) holds 0..1, not 2; give a raw in that "
            "range, or word = true to set the whole register or node",
        ),
        (
            "modicon-m580-modbus",
            "plc.estop_ok",
            65536,
            True,
            "force_raw plc.estop_ok: holding 0 (whole, uint16) holds 0..65535, not 65536",
        ),
        (
            "generic-modbus",
            "plc.estop_ok",
            2,
            False,
            "force_raw plc.estop_ok: discrete_input 1 holds only true or false, not 2; give true, "
            "false, 0 or 1",
        ),
        (
            "generic-modbus",
            "hoist.load",
            1e39,
            False,
            "force_raw hoist.load: input 12..13 (float32) holds at most +-3.403e+38, not 1e+39; "
            "give inf or -inf for an overflow",
        ),
        (
            "generic-modbus",
            "hoist.load",
            1.0,
            True,
            "force_raw hoist.load: input 12..13 (float32) is not a bit or bit field; leave out word",
        ),
        (
            "generic-opcua",
            "plc.estop_ok",
            2,
            False,
            "force_raw plc.estop_ok: node s=Crane.Plc.EStopOk (Boolean) holds only true or false, "
            "not 2; give true, false, 0 or 1 (only an integer node can hold other codes)",
        ),
        (
            "siemens-s7-1500-opcua",
            "spreader.size",
            40000,
            False,
            'force_raw spreader.size: node s="DB_Crane"."Spreader"."SizeCode" (Int16) holds '
            "-32768..32767, not 40000",
        ),
        (
            "generic-opcua",
            "hoist.load",
            True,
            False,
            "force_raw hoist.load: node s=Crane.Hoist.Load (Double) holds numbers, not True",
        ),
        (
            "generic-opcua",
            "hoist.load",
            "heavy",
            False,
            "force_raw hoist.load: raw must be a number, true, false, nan, inf or -inf, not 'heavy'",
        ),
    ],
    ids=[
        "register-above-65535",
        "float-into-int16",
        "negative-into-uint16",
        "2-into-a-bit",
        "word-above-65535",
        "2-into-a-discrete-input",
        "beyond-float32",
        "word-of-a-whole-register",
        "2-into-a-boolean-node",
        "beyond-int16-node",
        "bool-into-a-double-node",
        "not-a-number",
    ],
)
def test_force_raw_refuses_what_the_place_cannot_hold(
    profile_name: str, signal: str, raw: object, word: bool, message: str
) -> None:
    sim, _ = served(profile_name)
    with pytest.raises(FaultError, match=re.escape(message)):
        sim.faults.inject("force_raw", signal=signal, raw=raw, word=word)
    assert sim.faults.active == {"wind": {"speed_mps": 7.5, "gust_mps": 0.0, "gust_period_s": 8.0}}
    assert sim.link_faults.raw == {}


def test_force_raw_of_a_command_or_an_unknown_signal_is_refused() -> None:
    sim, _ = served("generic-modbus")
    with pytest.raises(FaultError, match=re.escape("'hoist.speed_ref' is not a status signal")):
        sim.faults.inject("force_raw", signal="hoist.speed_ref", raw=1.0)
    with pytest.raises(FaultError, match=re.escape("did you mean 'spreader.size'")):
        sim.faults.inject("force_raw", signal="spreader.sise", raw=1)


def test_a_raw_force_no_server_could_check_is_skipped_where_it_does_not_fit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sim = CraneSimulator()
    sim.faults.inject("force_raw", signal="plc.estop_ok", raw=2)
    plc = MemoryPlc(sim, profile("generic-modbus"))
    with caplog.at_level(logging.WARNING, logger="simulators.served_status"):
        assert decode_all(plc).values["plc.estop_ok"] is True
    assert "discrete_input 1 holds only true or false, not 2" in caplog.text
    assert "not served" in caplog.text


# --- the other ways in: control channel text and fault schedule files ---------------------------


def test_the_control_channel_takes_force_raw_with_text_parameters() -> None:
    sim, plc = served("modicon-m580-modbus")
    channel = ControlChannel(sim)
    answer = channel.handle(
        b'{"op": "inject", "fault": "force_raw", "params": '
        b'{"signal": "spreader.size", "raw": "3", "word": "false"}}'
    )
    assert answer == {"ok": True, "key": "force_raw:spreader.size"}
    assert channel.handle(
        b'{"op": "inject", "fault": "force_raw", "params": {"signal": "hoist.speed", "raw": "-32768"}}'
    ) == {"ok": True, "key": "force_raw:hoist.speed"}
    decoded = decode_all(plc)
    assert decoded.values["spreader.size"] == 45
    assert decoded.values["hoist.speed"] == pytest.approx(-3.2768)
    refused = channel.handle(
        b'{"op": "inject", "fault": "force_raw", "params": {"signal": "env.wind", "raw": "nan"}}'
    )
    assert refused == {
        "ok": False,
        "error": "force_raw env.wind: holding 24 (uint16) holds whole numbers, not nan; give an "
        "integer",
    }
    assert channel.handle(b'{"op": "clear", "key": "force_raw:spreader.size"}') == {"ok": True}
    assert list(sim.link_faults.raw) == ["hoist.speed"]


def test_a_fault_schedule_forces_raw_nan_and_inf_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "raw.toml"
    path.write_text(
        "[[faults]]\n"
        'at_s = 0.6\nfault = "force_raw"\nparams = { signal = "hoist.load", raw = nan }\n'
        "clear_at_s = 0.8\n"
        "[[faults]]\n"
        'at_s = 0.6\nfault = "force_raw"\nparams = { signal = "env.wind", raw = "-inf" }\n'
    )
    schedule = load_schedule(path)
    sim, plc = served("generic-modbus")
    for _ in range(20):
        sim.step(0.01)
        schedule.apply(sim)
    problems = decode_all(plc).problems
    assert set(problems) == {"hoist.load", "env.wind"}
    for _ in range(25):
        sim.step(0.01)
        schedule.apply(sim)
    assert set(decode_all(plc).problems) == {"env.wind"}
    assert from_words(registers(plc, "env.wind"), "float32") == -INF

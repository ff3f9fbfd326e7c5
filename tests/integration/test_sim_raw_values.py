"""Raw values no codec would write, served by the real simulator over loopback to raw clients.

The crane simulator behind its real Modbus TCP or OPC UA server (``simulators.runner.serve``),
faults injected by name as a rig would: ``force_raw`` puts a NaN REAL, an inf, a negative load,
a size code outside the value map or a bool register reading 2 on the wire, exactly, and a raw
client (pymodbus, asyncua, mbpoll; never our link code) reads it back while every other signal is
still served and the server keeps answering; ``force`` with NaN or inf no longer stops the
simulator's publishing loop. The same in memory: ``tests/unit/simplc/test_raw_values.py``.
"""

from __future__ import annotations

import asyncio
import math
import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager

import pytest
from asyncua import Client
from pymodbus.client import AsyncModbusTcpClient

from crane_ctrl.profile.codec import from_words
from crane_ctrl.profile.modbus_map import Decoded, ModbusCodec
from crane_ctrl.profile.model import ModbusProfile, OpcUaProfile
from crane_ctrl.profile.opcua_map import OpcUaCodec
from crane_ctrl.signals import SIGNALS, Kind, Value
from crane_ctrl.testing import wait_until
from simulators.control import request
from simulators.faults import FaultError
from simulators.runner import run_realtime, serve
from simulators.simulator import CraneSimulator
from tests.integration.test_sim_servers import read_image, read_nodes, ua_node
from tests.unit.simplc.raw_profiles import profile

NAN, INF = math.nan, math.inf
LOOPBACK = "127.0.0.1"


def windy_crane() -> CraneSimulator:
    """A crane half a second into a 7.5 m/s wind: every status signal has a value of its own."""
    sim = CraneSimulator()
    sim.faults.inject("wind", speed_mps=7.5)
    sim.run(0.5)
    return sim


@asynccontextmanager
async def modbus_client(port: int) -> AsyncIterator[AsyncModbusTcpClient]:
    client = AsyncModbusTcpClient(LOOPBACK, port=port, timeout=2, retries=0)
    assert await client.connect()
    try:
        yield client
    finally:
        client.close()


async def place_registers(client: AsyncModbusTcpClient, p: ModbusProfile, signal: str) -> list[int]:
    """The raw registers (or bit) of ``signal``'s place, read with a plain Modbus request."""
    m = p.signals[signal]
    read = {
        "coil": client.read_coils,
        "discrete_input": client.read_discrete_inputs,
        "holding": client.read_holding_registers,
        "input": client.read_input_registers,
    }[m.table]
    response = await read(m.address, count=m.register_count, device_id=p.link.unit_id)
    assert not response.isError(), response
    data = response.bits if m.is_bit_table else response.registers
    return [int(v) for v in data[: m.register_count]]


async def modbus_decoded(client: AsyncModbusTcpClient, p: ModbusProfile) -> Decoded:
    codec = ModbusCodec(p)
    return codec.decode(await read_image(client, codec, p.link.unit_id))


async def opcua_decoded(client: Client, p: OpcUaProfile) -> Decoded:
    codec = OpcUaCodec(p)
    return codec.decode(await read_nodes(client, codec.nodes()))


async def node_value(client: Client, p: OpcUaProfile, signal: str) -> object:
    m = p.signals[signal]
    return await (await ua_node(client, OpcUaCodec(p).ref(m))).read_value()


def assert_served(decoded: Decoded, status: Mapping[str, Value], *, but: set[str]) -> None:
    """Every signal except ``but`` decodes without a problem, to the simulator's own value."""
    assert set(decoded.problems) <= but, decoded.problems
    for name, value in status.items():
        if name in but or (name not in decoded.values and not SIGNALS[name].required):
            continue  # forced, or an optional signal the profile leaves out
        if SIGNALS[name].kind is Kind.FLOAT:
            assert decoded.values[name] == pytest.approx(value, abs=0.01), name
        else:
            assert decoded.values[name] == value, name


def assert_reads(decoded: Decoded, signal: str, reads: Value | str) -> None:
    """``reads``: the value the supervisor decodes, or (text) part of why it cannot."""
    if isinstance(reads, str):
        assert reads in decoded.problems[signal]
    else:
        assert decoded.values[signal] == pytest.approx(reads)


def same(got: object, expected: object) -> bool:
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(got, float) and math.isnan(got)
    return got == expected


# --- force_raw over Modbus TCP ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile_name", "signal", "raw", "registers", "reads"),
    [
        pytest.param(
            "generic-modbus", "hoist.load", "nan", [0x7FC0, 0], "not a finite", id="nan-real"
        ),
        pytest.param(
            "modicon-m580-modbus", "gantry.position", "inf", [0, 0x7F80], "not a finite",
            id="inf-real-cdab",
        ),
        pytest.param(
            "generic-modbus", "spreader.size", 33, [33], 33, id="size-33-out-of-range"
        ),
        pytest.param(
            "modicon-m580-modbus", "env.wind", 65535, [65535], 6553.5, id="wind-at-full-scale"
        ),
        pytest.param(
            "modicon-m580-modbus", "hoist.load", -5, [65531], -0.5, id="negative-load-int16"
        ),
        pytest.param(
            "wide-code-modbus", "spreader.size", 5, None, "raw code 5 is not in the value map",
            id="code-outside-value-map",
        ),
        pytest.param(
            "bool-register-modbus", "plc.estop_ok", 2, [2], "raw 2 is neither 0 nor 1",
            id="bool-register-reads-2",
        ),
    ],
)  # fmt: skip
async def test_force_raw_reaches_a_raw_modbus_client_and_the_rest_is_served(
    profile_name: str, signal: str, raw: object, registers: list[int] | None, reads: Value | str
) -> None:
    p = profile(profile_name)
    assert isinstance(p, ModbusProfile)
    sim = windy_crane()
    async with serve(sim, p) as served, modbus_client(served.port) as client:
        sim.faults.inject("force_raw", signal=signal, raw=raw)
        await served.server.publish()
        if registers is not None:
            assert await place_registers(client, p, signal) == registers
        decoded = await modbus_decoded(client, p)
        assert_reads(decoded, signal, reads)
        assert_served(decoded, sim.status(), but={signal})

        sim.faults.clear(f"force_raw:{signal}")
        await served.server.publish()
        assert_served(await modbus_decoded(client, p), sim.status(), but=set())


async def test_a_bit_forced_raw_keeps_the_rest_of_its_modbus_word() -> None:
    p = profile("modicon-m580-modbus")
    assert isinstance(p, ModbusProfile)
    sim = windy_crane()
    async with serve(sim, p) as served, modbus_client(served.port) as client:
        before = await place_registers(client, p, "plc.estop_ok")
        sim.faults.inject("force_raw", signal="plc.estop_ok", raw=1)
        await served.server.publish()
        assert await place_registers(client, p, "plc.estop_ok") == [before[0] | 0b10]
        decoded = await modbus_decoded(client, p)
        assert decoded.values["plc.estop_ok"] is False
        assert_served(decoded, sim.status(), but={"plc.estop_ok"})

        sim.faults.inject("force_raw", signal="lane.clear", raw=0xFFFF, word=True)
        await served.server.publish()
        assert await place_registers(client, p, "lane.clear") == [0xFFFF]


async def test_mbpoll_reads_a_forced_nan_real_and_a_bool_register_holding_2() -> None:
    mbpoll = shutil.which("mbpoll")
    if mbpoll is None:
        pytest.skip("mbpoll is not installed (apt-get install mbpoll)")
    p = profile("bool-register-modbus")
    sim = windy_crane()
    async with serve(sim, p) as served:
        sim.faults.inject("force_raw", signal="hoist.load", raw="nan")
        sim.faults.inject("force_raw", signal="plc.estop_ok", raw=2)
        await served.server.publish()
        common = ["-m", "tcp", "-p", str(served.port), "-a", "1", "-1", "-o", "2"]
        floats = await run(mbpoll, *common, "-t", "3:float", "-B", "-r", "13", "-c", "1", LOOPBACK)
        words = await run(mbpoll, *common, "-t", "3", "-r", "21", "-c", "4", LOOPBACK)
    # Input registers 12..13 (PDU) are 13..14 in mbpoll's 1-based references.
    assert "[13]: \tnan" in floats.lower()
    assert "[24]: \t2" in words, "input 23 holds plc.estop_ok: a bool register reading 2"
    assert f"[21]: \t{sim.plc.heartbeat}" in words, "the heartbeat next to it is still served"


async def run(*args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=10)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_the_control_channel_forces_raw_with_text_over_its_socket() -> None:
    p = profile("generic-modbus")
    assert isinstance(p, ModbusProfile)
    sim = windy_crane()
    async with serve(sim, p) as served, modbus_client(served.port) as client:
        inject = {"op": "inject", "fault": "force_raw"}
        answer = await request(
            LOOPBACK,
            served.control_port,
            {**inject, "params": {"signal": "env.wind", "raw": "inf"}},
        )
        assert answer == {"ok": True, "key": "force_raw:env.wind"}
        refused = await request(
            LOOPBACK,
            served.control_port,
            {**inject, "params": {"signal": "plc.heartbeat", "raw": "-1"}},
        )
        assert refused["ok"] is False
        assert "input 20 (uint16) holds 0..65535, not -1" in refused["error"]
        await served.server.publish()
        assert from_words(await place_registers(client, p, "env.wind"), "float32") == INF

        cleared = await request(
            LOOPBACK, served.control_port, {"op": "clear", "key": "force_raw:env.wind"}
        )
        assert cleared == {"ok": True}
        await served.server.publish()
        assert_served(await modbus_decoded(client, p), sim.status(), but=set())


# --- force_raw over OPC UA ----------------------------------------------------------------------


Case = tuple[str, object, object, Value | str]
"""One raw force: signal, raw, the node's content read back (``None``: not checked), and what the
supervisor decodes (text: part of why it cannot)."""

OPCUA_CASES: dict[str, list[Case]] = {
    "generic-opcua": [
        ("hoist.load", "nan", NAN, "not a finite"),
        ("gantry.position", 1e9, 1e9, 1e9),
        ("spreader.size", 33, 33, 33),
    ],
    "siemens-insecure": [
        ("hoist.load", "-inf", -INF, "not a finite"),
        ("plc.heartbeat", 65535, 65535, 65535),
        ("spreader.size", 33, 33, "raw code 33 is not in the value map"),
        ("spreader.landed_3", "true", None, True),
    ],
    "int-bool-opcua": [("plc.estop_ok", 2, 2, "raw 2 is neither 0 nor 1")],
}
"""By profile, as an OPC UA server takes seconds to start: a NaN and a -inf Float/Double, 1e9,
integers beyond the signal's range, a code outside the value map, one element of a Bool array,
and a bool in an Int16 node reading 2."""


@pytest.mark.parametrize("profile_name", sorted(OPCUA_CASES))
async def test_force_raw_reaches_a_raw_opcua_client_and_the_rest_is_served(
    profile_name: str,
) -> None:
    p = profile(profile_name)
    assert isinstance(p, OpcUaProfile)
    cases = OPCUA_CASES[profile_name]
    forced = {signal for signal, *_ in cases}
    sim = windy_crane()
    async with serve(sim, p) as served, Client(served.endpoint, timeout=5) as client:
        for signal, raw, _, _ in cases:
            sim.faults.inject("force_raw", signal=signal, raw=raw)
        await served.server.publish()
        decoded = await opcua_decoded(client, p)
        for signal, _, content, reads in cases:
            if content is not None:
                assert same(await node_value(client, p, signal), content), signal
            assert_reads(decoded, signal, reads)
        assert_served(decoded, sim.status(), but=forced)

        sim.faults.clear()
        await served.server.publish()
        assert_served(await opcua_decoded(client, p), sim.status(), but=set())


async def test_force_raw_2_into_a_boolean_node_is_refused_by_name() -> None:
    p = profile("generic-opcua")
    sim = windy_crane()
    async with serve(sim, p):
        with pytest.raises(FaultError) as refused:
            sim.faults.inject("force_raw", signal="plc.estop_ok", raw=2)
    assert str(refused.value) == (
        "force_raw plc.estop_ok: node s=Crane.Plc.EStopOk (Boolean) holds only true or false, "
        "not 2; give true, false, 0 or 1 (only an integer node can hold other codes)"
    )
    assert sim.faults.active.keys() == {"wind"}


# --- force with values no codec can encode: the simulator keeps serving -------------------------

UNENCODABLE: dict[str, Value] = {
    "hoist.load": NAN,
    "env.wind": INF,
    "gantry.speed": 1e9,
    "sway.trolley": -INF,
    "spreader.size": 33,
}
"""Engineering values each beyond some shipped profile: the publish loop used to die of them."""


@asynccontextmanager
async def raw_reader(
    p: ModbusProfile | OpcUaProfile, port: int, endpoint: str
) -> AsyncIterator[Callable[[], Awaitable[Decoded]]]:
    """A raw client of either protocol, as one call: read and decode every status signal."""
    if isinstance(p, ModbusProfile):
        async with modbus_client(port) as client:
            yield lambda: modbus_decoded(client, p)
    else:
        async with Client(endpoint, timeout=5) as ua:
            yield lambda: opcua_decoded(ua, p)


@pytest.mark.parametrize(
    "profile_name", ["generic-modbus", "modicon-m580-modbus", "generic-opcua", "siemens-insecure"]
)
async def test_force_with_nan_and_inf_keeps_the_simulator_serving(profile_name: str) -> None:
    p = profile(profile_name)
    sim = windy_crane()
    for signal, value in UNENCODABLE.items():
        sim.faults.inject("force", signal=signal, value=value)
    stop = asyncio.Event()
    async with (
        serve(sim, p) as served,
        raw_reader(p, served.port, served.endpoint) as read,
        asyncio.TaskGroup() as tasks,
    ):
        tasks.create_task(run_realtime(sim, served, stop=stop))
        try:
            first = (await read()).values["plc.heartbeat"]

            async def beats_on() -> bool:
                return (await read()).values["plc.heartbeat"] != first

            await wait_until(beats_on, within=5, what="the PLC's heartbeat served on")
            decoded = await read()
        finally:
            stop.set()
    assert set(decoded.problems) <= set(UNENCODABLE), decoded.problems
    served = {n for n in sim.status() if n in p.signals}
    assert set(decoded.values) | set(UNENCODABLE) == served

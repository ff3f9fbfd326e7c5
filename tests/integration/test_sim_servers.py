"""The simulator's protocol servers, checked from outside with raw clients over loopback.

A scripted PLC process stands in for the crane model, so these tests are about the wire: every
shipped profile is served and a raw client (pymodbus, asyncua, mbpoll; never our link code)
reads back the values the PLC holds and writes commands that reach it. Link faults too.
"""

from __future__ import annotations

import asyncio
import shlex
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest
from asyncua import Client, ua
from asyncua.crypto.cert_gen import setup_self_signed_certificate
from asyncua.crypto.security_policies import SecurityPolicyBasic256Sha256
from cryptography.x509.oid import ExtendedKeyUsageOID
from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ModbusIOException

from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.modbus_map import ModbusCodec, RegisterImage
from crane_ctrl.profile.model import ModbusProfile, OpcUaProfile
from crane_ctrl.profile.opcua_map import NodeRef, OpcUaCodec
from crane_ctrl.signals import SIGNALS, STATUS, Kind, Value
from crane_ctrl.testing import wait_until
from simulators.modbus_server import ModbusPlcServer
from simulators.opcua_server import OpcUaPlcServer
from tests.profile_texts import PROFILES, ROOT

README = ROOT / "README.md"

MODBUS = ["generic-modbus", "modicon-m580-modbus"]
OPCUA = ["generic-opcua", "siemens-s7-1500-opcua"]


class ScriptedPlc:
    """A PLC process whose status is set by the test and which records commands."""

    def __init__(self) -> None:
        self.values: dict[str, Value] = sample_status()
        self.commands: dict[str, Value] = {}

    def status(self) -> Mapping[str, Value]:
        return self.values

    def command(self, values: Mapping[str, Value]) -> None:
        self.commands.update(values)


def sample_status() -> dict[str, Value]:
    """A plausible value for every status signal, distinct enough to catch mix-ups."""
    values: dict[str, Value] = {}
    for i, spec in enumerate(STATUS):
        if spec.kind is Kind.BOOL:
            values[spec.name] = i % 3 != 0
        elif spec.allowed is not None:
            values[spec.name] = 40
        elif spec.kind is Kind.INT:
            values[spec.name] = 7 + i
        else:
            values[spec.name] = round(0.5 + 0.3 * (i % 6), 2)  # whole tenths, as 0.1-t loads
    return values


def assert_decoded(decoded: Mapping[str, Value], expected: Mapping[str, Value]) -> None:
    for name, value in expected.items():
        if name not in decoded and not SIGNALS[name].required:
            continue  # an optional signal the profile leaves out (restart inhibit, ...)
        if SIGNALS[name].kind is Kind.FLOAT:
            assert decoded[name] == pytest.approx(value, abs=0.01), name
        else:
            assert decoded[name] == value, name


def modbus_profile(name: str) -> ModbusProfile:
    profile = load_profile(PROFILES / f"{name}.toml")
    assert isinstance(profile, ModbusProfile)
    return profile


def opcua_profile(name: str) -> OpcUaProfile:
    profile = load_profile(PROFILES / f"{name}.toml")
    assert isinstance(profile, OpcUaProfile)
    return profile


async def read_image(client: AsyncModbusTcpClient, codec: ModbusCodec, unit: int) -> RegisterImage:
    readers = {
        "coil": client.read_coils,
        "discrete_input": client.read_discrete_inputs,
        "holding": client.read_holding_registers,
        "input": client.read_input_registers,
    }
    image = RegisterImage()
    for block in codec.read_plan():
        response = await readers[block.table](block.start, count=block.count, device_id=unit)
        assert not response.isError(), response
        data = response.bits if block.table in ("coil", "discrete_input") else response.registers
        image.put(block.table, block.start, data[: block.count])
    return image


@pytest.mark.parametrize("name", MODBUS)
async def test_raw_modbus_client_reads_status_and_writes_commands(name: str) -> None:
    profile = modbus_profile(name)
    plc = ScriptedPlc()
    async with ModbusPlcServer(profile, plc) as server:
        client = AsyncModbusTcpClient("127.0.0.1", port=server.port, timeout=2, retries=0)
        assert await client.connect()
        try:
            codec = ModbusCodec(profile)
            image = await read_image(client, codec, profile.link.unit_id)
            assert_decoded(codec.decode(image).values, plc.values)

            plc.values["hoist.position"] = 11.5
            await server.publish()
            image = await read_image(client, codec, profile.link.unit_id)
            assert codec.decode(image).values["hoist.position"] == pytest.approx(11.5, abs=0.001)

            commands: dict[str, Value] = {
                "drives.enable": True,
                "hoist.speed_ref": -0.5,
                "spreader.size_ref": 45,
            }
            for block in codec.write_blocks(codec.encode(commands)):
                if block.table == "coil":
                    await client.write_coils(
                        block.start, [bool(v) for v in block.values], device_id=profile.link.unit_id
                    )
                else:
                    await client.write_registers(
                        block.start, list(block.values), device_id=profile.link.unit_id
                    )
            assert_decoded(plc.commands, commands)
        finally:
            client.close()


async def test_mbpoll_reads_live_input_registers_from_the_generic_simulator() -> None:
    mbpoll = shutil.which("mbpoll")
    if mbpoll is None:
        pytest.fail("mbpoll is not installed: .ci/run installs it (apt-get install mbpoll)")
    plc = ScriptedPlc()
    plc.values["gantry.position"] = 42.0
    async with ModbusPlcServer(modbus_profile("generic-modbus"), plc) as server:
        args = [
            mbpoll,
            "-m",
            "tcp",
            "-p",
            str(server.port),
            "-a",
            "1",
            "-t",
            "3",
            "-r",
            "1",
            "-c",
            "10",
            "-1",
            "127.0.0.1",
        ]
        process = await asyncio.create_subprocess_exec(
            *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=10)
    text = out.decode()
    assert process.returncode == 0, err.decode()
    # 42.0 as float32 ABCD is 0x4228 0x0000: register 1 (1-based) holds 16936.
    assert "[1]: \t16936" in text
    assert text.count("]: \t") == 10


def readme_mbpoll() -> list[str]:
    """The README's one mbpoll line, as words (its comment left off)."""
    lines = [line for line in README.read_text(encoding="utf-8").splitlines()
             if line.startswith("mbpoll ")]  # fmt: skip
    assert len(lines) == 1, lines
    return shlex.split(lines[0].split("#")[0])


async def test_the_readme_mbpoll_line_prints_the_simulators_floats_as_numbers() -> None:
    """Issue 18: the README's example printed raw half-words of the float32 inputs. Its exact
    line, only its port swapped for the test server's, reads the ten floats (gantry.position
    .. env.wind, input registers 0..19, big-endian words) as numbers."""
    mbpoll = shutil.which("mbpoll")
    if mbpoll is None:
        pytest.skip("mbpoll is not installed (apt-get install mbpoll)")
    args = readme_mbpoll()
    assert args[0] == "mbpoll"
    plc = ScriptedPlc()
    plc.values.update({"gantry.position": 42.5, "hoist.load": 21.75, "env.wind": 7.25})
    async with ModbusPlcServer(modbus_profile("generic-modbus"), plc) as server:
        args[args.index("-p") + 1] = str(server.port)
        process = await asyncio.create_subprocess_exec(
            mbpoll, *args[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=10)
    text = out.decode()
    assert process.returncode == 0, err.decode()
    # mbpoll counts registers from 1: input register 0 (PDU) is its [1], 12 is [13], 18 is [19].
    for register, value in ((1, "42.5"), (13, "21.75"), (19, "7.25")):
        assert f"[{register}]: \t{value}" in text, text
    assert text.count("]: \t") == 10


async def test_modbus_link_faults_exception_freeze_and_drop() -> None:
    profile = modbus_profile("generic-modbus")
    async with ModbusPlcServer(profile, ScriptedPlc()) as server:
        client = AsyncModbusTcpClient(
            "127.0.0.1",
            port=server.port,
            timeout=0.3,
            retries=0,
            reconnect_delay=0.05,
            reconnect_delay_max=0.2,
        )
        assert await client.connect()
        try:
            server.faults.exception_code = 4
            response = await client.read_input_registers(0, count=2, device_id=1)
            assert response.isError()
            assert response.exception_code == 4
            server.faults.clear()

            server.faults.freeze()
            with pytest.raises(ModbusIOException):
                await client.read_input_registers(0, count=2, device_id=1)
            server.faults.thaw()

            server.drop_connections()

            async def answers() -> bool:
                response = await client.read_input_registers(0, count=2, device_id=1)
                return not response.isError()

            await wait_until(answers, within=5, what="reconnected read")
        finally:
            client.close()


async def client_certificate(folder: Path) -> tuple[Path, Path]:
    key, cert = folder / "client-key.pem", folder / "client-cert.der"
    await setup_self_signed_certificate(
        key, cert, "urn:crane-ctrl:test-client", "127.0.0.1",
        [ExtendedKeyUsageOID.CLIENT_AUTH], {"organizationName": "crane-ctrl tests"},
    )  # fmt: skip
    return key, cert


@pytest.mark.parametrize("name", OPCUA)
async def test_raw_opcua_client_reads_status_and_writes_commands(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = opcua_profile(name)
    link = profile.link
    if link.username_env and link.password_env:
        monkeypatch.setenv(link.username_env, "crane")
        monkeypatch.setenv(link.password_env, "s3cret")
    plc = ScriptedPlc()
    async with OpcUaPlcServer(profile, plc, pki_dir=tmp_path / "server") as server:
        client = Client(server.endpoint, timeout=5)
        if link.security_policy != "None":
            key, cert = await client_certificate(tmp_path)
            client.application_uri = "urn:crane-ctrl:test-client"
            mode = getattr(ua.MessageSecurityMode, link.security_mode)
            await client.set_security(
                SecurityPolicyBasic256Sha256, certificate=str(cert), private_key=str(key), mode=mode
            )
            client.set_user("crane")
            client.set_password("s3cret")
        async with client:
            codec = OpcUaCodec(profile)
            decoded = codec.decode(await read_nodes(client, codec.nodes())).values
            assert_decoded(decoded, plc.values)

            commands: dict[str, Value] = {
                "drives.enable": True,
                "hoist.speed_ref": -0.5,
                "spreader.size_ref": 45,
            }
            for write in codec.encode(commands):
                node = await ua_node(client, write.node)
                await node.write_value(
                    ua.DataValue(ua.Variant(write.value, ua.VariantType[write.ua_type]))
                )
            await wait_until(lambda: set(commands) <= set(plc.commands), within=2, what="commands")
            assert_decoded(plc.commands, commands)


async def ua_node(client: Client, ref: NodeRef):  # type: ignore[no-untyped-def]
    index = await client.get_namespace_index(ref.namespace_uri)
    return client.get_node(f"ns={index};{ref.identifier}")


async def read_nodes(client: Client, refs: list[NodeRef]) -> dict[NodeRef, object]:
    nodes = [await ua_node(client, ref) for ref in refs]
    return dict(zip(refs, await client.read_values(nodes), strict=True))


async def test_opcua_link_faults_freeze_and_drop() -> None:
    profile = opcua_profile("generic-opcua")
    async with OpcUaPlcServer(profile, ScriptedPlc()) as server:
        async with Client(server.endpoint, timeout=0.5) as client:
            node = await ua_node(client, OpcUaCodec(profile).nodes()[0])
            await node.read_value()
            server.faults.freeze()
            await server.publish()
            with pytest.raises((TimeoutError, ConnectionError)):
                await node.read_value()
            server.faults.thaw()
            await server.publish()
        async with Client(server.endpoint, timeout=2) as client:
            node = await ua_node(client, OpcUaCodec(profile).nodes()[0])
            await node.read_value()
            server.drop_connections()

            async def refused() -> bool:
                try:
                    await node.read_value()
                except (ConnectionError, TimeoutError):
                    return True
                return False

            await wait_until(refused, within=3, what="dropped connection noticed")


@pytest.mark.parametrize("name", MODBUS + OPCUA)
async def test_every_shipped_profile_serves_the_crane_simulator_to_a_raw_client(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real simulator (site defaults), not a stand-in: raw reads decode to its status."""
    from simulators.runner import serve
    from simulators.simulator import CraneSimulator

    profile = load_profile(PROFILES / f"{name}.toml")
    sim = CraneSimulator()
    sim.faults.inject("wind", speed_mps=7.5)
    sim.run(0.5)
    async with serve(sim, profile) as served:
        await served.server.publish()
        if isinstance(profile, ModbusProfile):
            client = AsyncModbusTcpClient("127.0.0.1", port=served.port, timeout=2, retries=0)
            assert await client.connect()
            try:
                decoded = ModbusCodec(profile).decode(
                    await read_image(client, ModbusCodec(profile), profile.link.unit_id)
                )
            finally:
                client.close()
        else:
            assert isinstance(profile, OpcUaProfile)
            client_ua = Client(served.endpoint, timeout=5)
            if profile.link.security_policy != "None":
                key, cert = await client_certificate(tmp_path)
                client_ua.application_uri = "urn:crane-ctrl:test-client"
                mode = getattr(ua.MessageSecurityMode, profile.link.security_mode)
                await client_ua.set_security(
                    SecurityPolicyBasic256Sha256,
                    certificate=str(cert),
                    private_key=str(key),
                    mode=mode,
                )
                client_ua.set_user("any")
                client_ua.set_password("any")
            async with client_ua:
                codec = OpcUaCodec(profile)
                decoded = codec.decode(await read_nodes(client_ua, codec.nodes()))
    assert not decoded.problems
    assert_decoded(decoded.values, sim.status())
    assert decoded.values["env.wind"] == pytest.approx(7.5, abs=0.1)

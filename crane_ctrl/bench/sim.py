"""``crane-ctrl bench sim``: how fast the lock-step simulator runs and how many requests its
servers answer on loopback. Figures go to stdout; the last line is one JSON object.

Lock-step: one crane (PLC program + plant) carrying a 24.5 t container, gantry and trolley
reversing and the hoist moving (so the pendulum's step matrix is recomputed every step), gusty
wind: the expensive case. Every step also builds the PLC's status, as a served PLC does.
Servers: a separate ``crane-ctrl sim`` process serves the generic profiles; one client issues
the profile's read plan (Modbus) or one batched Read of every status node (OPC UA), back to back.
"""

from __future__ import annotations

import asyncio
import math
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.modbus_map import ModbusCodec
from crane_ctrl.profile.model import ModbusProfile, OpcUaProfile
from crane_ctrl.profile.opcua_map import OpcUaCodec
from crane_ctrl.profile.shipped import PROFILES_DIR
from simulators.simulator import CraneSimulator
from simulators.site_file import load_site

__all__ = ["bench_sim"]

DT = 0.01
PROFILES = PROFILES_DIR
TARGET_STEPS_PER_S = 20_000


def _carrying_simulator() -> CraneSimulator:
    """The default site's crane with the truck-lane 40 ft container hanging from the spreader."""
    site = load_site()
    start = site.start.model_copy(update={"trolley_m": 2.0, "hoist_m": 8.0})
    sim = site.model_copy(update={"start": start}).simulator()
    beat = 0

    def command(seconds: float, **refs: Any) -> None:
        nonlocal beat
        for _ in range(round(seconds / 0.05)):
            beat += 1
            sim.command({"sup.heartbeat": beat, "drives.enable": True, **refs})
            sim.run(0.05, DT)

    while not sim.status()["spreader.landed_1"]:
        command(0.05, **{"hoist.speed_ref": -0.3})
    command(2.0, **{"hoist.speed_ref": 0.0, "spreader.lock": True})
    command(8.0, **{"spreader.lock": False, "hoist.speed_ref": 0.5})
    if not sim.plant.carrying or sim.model_faults:
        raise RuntimeError(f"bench set-up failed to lift the container: {sim.model_faults}")
    sim.faults.inject("wind", speed_mps=12.0, gust_mps=3.0)
    return sim


def lockstep_rate(steps: int = 100_000) -> float:
    """Steps per second of PLC + plant + status at dt = 10 ms, best of three runs."""
    sim = _carrying_simulator()
    best = 0.0
    for run in range(3):
        started = time.perf_counter()
        for k in range(steps):
            if k % 5 == 0:  # a 50 ms supervisor scan writes new references
                phase = (run * steps + k) * 0.0005
                sim.plc.commands["sup.heartbeat"] = k
                sim.plc.commands["gantry.speed_ref"] = 2.0 * math.sin(phase)
                sim.plc.commands["trolley.speed_ref"] = 0.8 * math.sin(1.3 * phase)
                sim.plc.commands["hoist.speed_ref"] = 0.4 * math.sin(0.7 * phase)
            sim.step(DT)
            sim.status()
        best = max(best, steps / (time.perf_counter() - started))
    if not sim.plant.carrying:
        raise RuntimeError("the load must hang for a worst-case figure")
    return best


async def _start_sim(profile: Path) -> tuple[asyncio.subprocess.Process, int]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "crane_ctrl", "sim", "--profile", str(profile), "--port", "0",
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert process.stdout is not None
    async with asyncio.timeout(30):
        line = (await process.stdout.readline()).decode()
    found = re.search(r":(\d+)", line.split(" at ", 1)[-1])
    if found is None:
        raise RuntimeError(f"crane-ctrl sim did not start: {line!r}")
    return process, int(found[1])


async def _stop(process: asyncio.subprocess.Process) -> None:
    process.terminate()
    await asyncio.wait_for(process.wait(), timeout=15)


async def modbus_rate(seconds: float = 3.0) -> tuple[float, int]:
    """Read-plan requests per second from one pymodbus client, and requests per scan."""
    from pymodbus.client import AsyncModbusTcpClient

    profile = load_profile(PROFILES / "generic-modbus.toml")
    assert isinstance(profile, ModbusProfile)
    plan = ModbusCodec(profile).read_plan()
    process, port = await _start_sim(PROFILES / "generic-modbus.toml")
    client = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=1, retries=0)
    try:
        await client.connect()
        readers = {
            "discrete_input": client.read_discrete_inputs,
            "input": client.read_input_registers,
        }
        done = 0
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            for block in plan:
                await readers[block.table](block.start, count=block.count, device_id=1)
                done += 1
        return done / seconds, len(plan)
    finally:
        client.close()
        await _stop(process)


async def opcua_rate(seconds: float = 3.0) -> tuple[float, int]:
    """Batched Read requests (every status node) per second from one asyncua client."""
    from asyncua.client.client import Client

    profile = load_profile(PROFILES / "generic-opcua.toml")
    assert isinstance(profile, OpcUaProfile)
    refs = OpcUaCodec(profile).nodes()
    process, port = await _start_sim(PROFILES / "generic-opcua.toml")
    try:
        client = Client(f"opc.tcp://127.0.0.1:{port}/crane-ctrl/", timeout=5)
        client.session_timeout = 600_000  # the server's cap; asking for more logs a warning
        async with client:
            index = await client.get_namespace_index(profile.link.namespace_uri)
            nodes = [client.get_node(f"ns={index};{ref.identifier}") for ref in refs]
            done = 0
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                await client.read_values(nodes)
                done += 1
        return done / seconds, len(nodes)
    finally:
        await _stop(process)


def bench_sim() -> dict[str, Any]:
    """Run the simulator benchmarks, print the figures, and return them."""
    print("lock-step simulator, one crane, dt = 10 ms (3 runs of 100,000 steps) ...", flush=True)
    rate = lockstep_rate()
    ratio = rate / TARGET_STEPS_PER_S
    print(f"  {rate:,.0f} steps/s = {rate * DT:,.0f}x real time")
    print(f"  target {TARGET_STEPS_PER_S:,} steps/s: {ratio:.1f}x the target")
    print("Modbus server on loopback (separate process), read plan back to back ...", flush=True)
    mb_rate, mb_blocks = asyncio.run(modbus_rate())
    print(f"  {mb_rate:,.0f} requests/s ({mb_blocks} requests per full status read)")
    print(
        "OPC UA server on loopback (separate process), one Read of all status nodes ...", flush=True
    )
    ua_rate, ua_nodes = asyncio.run(opcua_rate())
    print(f"  {ua_rate:,.0f} requests/s ({ua_nodes} nodes per Read)")
    return {
        "bench": "sim",
        "lockstep_steps_per_s": round(rate),
        "lockstep_realtime_factor": round(rate * DT),
        "lockstep_target_ratio": round(rate / TARGET_STEPS_PER_S, 2),
        "modbus_requests_per_s": round(mb_rate),
        "modbus_requests_per_status_read": mb_blocks,
        "opcua_reads_per_s": round(ua_rate),
        "opcua_nodes_per_read": ua_nodes,
    }

"""``crane-ctrl bench scan``: what a scan costs on the wire, how many cranes one process holds,
and how fast a fault becomes zero references. Figures to stdout; the last line is one JSON object.

* Scan I/O: the link's read + write of one scan against a simulator in another process, p50/p99,
  and the same requests by a bare pymodbus / asyncua loop; the ratio is our overhead.
* Cranes per process: N supervisors (Modbus, 20 Hz) in this process against N simulated PLCs in
  another; p99 lateness of the scans and the CPU share of this process.
* Cranes per host: N supervisors spread over P processes (one per core), each at the scan's
  priority as a station runs it (nice -10 where the process may raise it), against N simulated
  PLCs spread over P more; the worst crane's p99 lateness, and the CPU per crane of the
  supervisors and of the simulators, each process's user + system time over the same window.
* Reaction: a fault appears in the simulated PLC (shown at once, as a PLC updates its image every
  cycle); time until the simulator receives zero references. Target: one scan + one round trip.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from crane_ctrl.commands import Commands
from crane_ctrl.links.modbus import ModbusLink
from crane_ctrl.links.opcua import OpcUaLink
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.modbus_map import ModbusCodec
from crane_ctrl.profile.model import ModbusProfile, OpcUaProfile
from crane_ctrl.profile.opcua_map import OpcUaCodec
from crane_ctrl.profile.shipped import GENERIC_MODBUS, GENERIC_OPCUA
from crane_ctrl.realtime import MonotonicClock, wait_until
from crane_ctrl.runtime.scan_priority import SCAN_NICE, raise_process
from crane_ctrl.runtime.supervisor import Supervisor

__all__ = ["bench_scan"]

MODBUS = GENERIC_MODBUS
OPCUA = GENERIC_OPCUA
PERIOD_S = 0.05


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def _fleet(count: int, profile: Path) -> tuple[asyncio.subprocess.Process, list[int]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "simulators.fleet", str(count), str(profile),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert process.stdout is not None
    async with asyncio.timeout(60):
        line = (await process.stdout.readline()).decode()
    if not line.startswith("ports:"):
        raise RuntimeError(f"simulator fleet did not start: {line!r}")
    return process, [int(p) for p in line.split()[1:]]


async def _stop(process: asyncio.subprocess.Process) -> None:
    process.terminate()
    await asyncio.wait_for(process.wait(), timeout=30)


async def _timed(action: Callable[[], Awaitable[Any]], scans: int) -> list[float]:
    times = []
    for _ in range(scans):
        started = time.perf_counter()
        await action()
        times.append(time.perf_counter() - started)
    return times


COMMANDS = Commands(drives_enable=True).signals(1, 40)


async def modbus_io(scans: int = 2000) -> dict[str, float]:
    """p50/p99 of one scan's read + write through our link and through bare pymodbus."""
    from pymodbus.client import AsyncModbusTcpClient

    profile = load_profile(MODBUS)
    assert isinstance(profile, ModbusProfile)
    process, [port] = await _fleet(1, MODBUS)
    try:
        async with ModbusLink(profile, MonotonicClock(), port=port) as link:
            await wait_until(lambda: link.health.state == "up", within=10, what="link up")

            async def ours() -> None:
                await link.read()
                await link.write(COMMANDS)

            await _timed(ours, 200)
            our = await _timed(ours, scans)
        codec = ModbusCodec(profile)
        plan, writes = codec.read_plan(), codec.write_blocks(codec.encode(COMMANDS))
        client = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=1, retries=0)
        await client.connect()
        readers = {
            "discrete_input": client.read_discrete_inputs,
            "input": client.read_input_registers,
        }

        async def bare() -> None:
            for block in plan:
                await readers[block.table](block.start, count=block.count, device_id=1)
            for w in writes:
                if w.table == "coil":
                    await client.write_coils(w.start, [bool(v) for v in w.values], device_id=1)
                else:
                    await client.write_registers(w.start, list(w.values), device_id=1)

        await _timed(bare, 200)
        raw = await _timed(bare, scans)
        client.close()
    finally:
        await _stop(process)
    return _io_figures(our, raw)


async def opcua_io(scans: int = 1000) -> dict[str, float]:
    """p50/p99 of one scan's read + write through our link and through bare asyncua."""
    from asyncua import ua
    from asyncua.client.client import Client

    profile = load_profile(OPCUA)
    assert isinstance(profile, OpcUaProfile)
    process, [port] = await _fleet(1, OPCUA)
    endpoint = f"opc.tcp://127.0.0.1:{port}/crane-ctrl/"
    try:
        async with OpcUaLink(profile, MonotonicClock(), endpoint=endpoint) as link:
            await wait_until(lambda: link.health.state == "up", within=10, what="link up")

            async def ours() -> None:
                await link.read()
                await link.write(COMMANDS)

            await _timed(ours, 100)
            our = await _timed(ours, scans)
        codec = OpcUaCodec(profile)
        writes = codec.encode(COMMANDS)
        client = Client(endpoint, timeout=5)
        client.session_timeout = 600_000
        async with client:
            index = await client.get_namespace_index(profile.link.namespace_uri)
            status = [client.get_node(f"ns={index};{r.identifier}") for r in codec.nodes()]
            targets = [client.get_node(f"ns={index};{w.node.identifier}") for w in writes]
            values = [ua.DataValue(ua.Variant(w.value, ua.VariantType[w.ua_type])) for w in writes]

            async def bare() -> None:
                await client.read_attributes(status)
                await client.write_values(targets, values, raise_on_partial_error=False)

            await _timed(bare, 100)
            raw = await _timed(bare, scans)
    finally:
        await _stop(process)
    return _io_figures(our, raw)


def _io_figures(our: list[float], raw: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(_pct(our, 0.5) * 1000, 3),
        "p99_ms": round(_pct(our, 0.99) * 1000, 3),
        "bare_p50_ms": round(_pct(raw, 0.5) * 1000, 3),
        "bare_p99_ms": round(_pct(raw, 0.99) * 1000, 3),
        "ratio_p50": round(statistics.median(our) / statistics.median(raw), 3),
    }


async def cranes_per_process(count: int, seconds: float = 8.0) -> dict[str, float]:
    """``count`` Modbus supervisors at 20 Hz in this process: p99 lateness and CPU share."""
    profile = load_profile(MODBUS)
    assert isinstance(profile, ModbusProfile)
    process, ports = await _fleet(count, MODBUS)
    clock = MonotonicClock()
    stop = asyncio.Event()
    try:
        links = [ModbusLink(profile, clock, port=p) for p in ports]
        supervisors = [Supervisor(profile, link, clock) for link in links]
        for link in links:
            await link.__aenter__()
        try:
            await wait_until(
                lambda: all(link.health.state == "up" for link in links), within=20, what="links"
            )
            cpu0, wall0 = time.process_time(), time.perf_counter()
            async with asyncio.TaskGroup() as tasks:
                for i, s in enumerate(supervisors):
                    tasks.create_task(s.run(stop, phase_s=i * PERIOD_S / count))
                asyncio.get_running_loop().call_later(seconds, stop.set)
            cpu = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
        finally:
            for link in links:
                await link.__aexit__(None, None, None)
    finally:
        await _stop(process)
    lateness = [s.view.stats.p99_lateness_s for s in supervisors]
    comms = sum(1 for s in supervisors if s.view.stats.scans > seconds / PERIOD_S * 0.9)
    return {
        "cranes": count,
        "p99_lateness_ms": round(max(lateness) * 1000, 2),
        "cpu_share": round(cpu, 3),
        "full_rate_cranes": comms,
    }


HOST_SETTLE_S = 3.0
"""The supervisor processes start scanning together this long after they are handed their
ports (their links come up meanwhile); the window is measured from there."""


def _cpu_s(pid: int) -> float:
    """A process's user + system time so far, s (Linux ``/proc``)."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _supervise_share(ports: list[int], start_at: float, seconds: float) -> dict[str, Any]:
    """One supervisor process of :func:`cranes_per_host` (a pool worker: runs its own loop), at
    the scan's priority as a station runs (:mod:`crane_ctrl.runtime.scan_priority`)."""
    priority = raise_process(SCAN_NICE).priority
    return {**asyncio.run(_supervised(ports, start_at, seconds)), "nice": priority.now}


async def _supervised(ports: list[int], start_at: float, seconds: float) -> dict[str, Any]:
    profile = load_profile(MODBUS)
    assert isinstance(profile, ModbusProfile)
    clock, stop = MonotonicClock(), asyncio.Event()
    links = [ModbusLink(profile, clock, port=p) for p in ports]
    supervisors = [Supervisor(profile, link, clock) for link in links]
    async with contextlib.AsyncExitStack() as stack:
        for link in links:
            await stack.enter_async_context(link)
        await wait_until(lambda: all(k.health.state == "up" for k in links), within=20, what="up")
        await asyncio.sleep(max(0.0, start_at - time.time()))  # start together: a set time
        cpu0, wall0 = time.process_time(), time.perf_counter()
        async with asyncio.TaskGroup() as tasks:
            for i, s in enumerate(supervisors):
                tasks.create_task(s.run(stop, phase_s=i * PERIOD_S / len(supervisors)))
            asyncio.get_running_loop().call_later(seconds, stop.set)
        cpu_s, wall_s = time.process_time() - cpu0, time.perf_counter() - wall0
    return {
        "p99_lateness_ms": [round(s.view.stats.p99_lateness_s * 1000, 2) for s in supervisors],
        "full_rate": sum(1 for s in supervisors if s.view.stats.scans > seconds / PERIOD_S * 0.9),
        "cpu_s": cpu_s,
        "wall_s": wall_s,
    }


async def cranes_per_host(count: int, processes: int, seconds: float = 8.0) -> dict[str, Any]:
    """``count`` Modbus supervisors at 20 Hz in ``processes`` processes, against ``count``
    simulated PLCs in ``processes`` more: the worst p99 lateness, CPU per crane of each side."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    shares = [count // processes + (i < count % processes) for i in range(processes)]
    sims = [await _fleet(n, MODBUS) for n in shares]
    try:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(processes, mp_context=context) as pool:
            loop, start_at = asyncio.get_running_loop(), time.time() + HOST_SETTLE_S + 2.0
            sims_cpu0 = sum(_cpu_s(p.pid) for p, _ in sims)
            runs = [
                loop.run_in_executor(pool, _supervise_share, ports, start_at, seconds)
                for _, ports in sims
            ]
            done = await asyncio.wait_for(asyncio.gather(*runs), timeout=seconds + 60)
            sims_cpu = sum(_cpu_s(p.pid) for p, _ in sims) - sims_cpu0
    finally:
        for process, _ in sims:
            await _stop(process)
    wall = max(d["wall_s"] for d in done)
    lateness = [x for d in done for x in d["p99_lateness_ms"]]
    return {
        "cranes": count,
        "processes": processes,
        "p99_lateness_ms": max(lateness),
        "full_rate_cranes": sum(d["full_rate"] for d in done),
        "supervisor_nice": sorted({d["nice"] for d in done}, key=str),
        "supervisor_cpu_per_crane": round(sum(d["cpu_s"] for d in done) / wall / count, 4),
        "simulator_cpu_per_crane": round(sims_cpu / (wall + HOST_SETTLE_S + 2.0) / count, 4),
    }


async def reaction(trials: int = 40) -> dict[str, float]:
    """Fault in the PLC -> zero references received by the PLC, in one process, real time."""
    from simulators.runner import run_realtime, serve
    from simulators.simulator import CraneSimulator

    profile = load_profile(MODBUS)
    assert isinstance(profile, ModbusProfile)
    sim = CraneSimulator(hoist_m=17.95)
    received: list[float] = []
    command = sim.command

    def timestamped(values: Any) -> None:
        if values.get("trolley.speed_ref") == 0.0 and sim.plc.commands["trolley.speed_ref"] != 0.0:
            received.append(time.perf_counter())
        command(values)

    sim.command = timestamped  # type: ignore[method-assign]
    stop = asyncio.Event()
    delays: list[float] = []
    rtts: list[float] = []
    async with serve(sim, profile) as served, asyncio.TaskGroup() as tasks:
        tasks.create_task(run_realtime(sim, served, stop=stop))
        clock = MonotonicClock()
        async with ModbusLink(profile, clock, port=served.port) as link:
            supervisor = Supervisor(profile, link, clock)
            tasks.create_task(supervisor.run(stop))
            await wait_until(lambda: supervisor.view.snapshot.comms_ok, within=10, what="comms")
            supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=0.2))
            for trial in range(trials):
                await wait_until(lambda: sim.plc.commands["trolley.speed_ref"] != 0.0, within=5)
                await asyncio.sleep(0.013 * (trial % 4))  # fault at varied phases of the scan
                received.clear()
                sim.faults.inject("force", signal="plc.remote", value=False)
                injected = time.perf_counter()
                await served.server.publish()  # the PLC shows the fault in its next image
                await wait_until(lambda: bool(received), within=2, what="zero references")
                delays.append(received[0] - injected)
                rtts.append(link.health.round_trip_s or 0.0)
                sim.faults.clear()
            stop.set()
    rtt = statistics.median(rtts)
    return {
        "p50_ms": round(_pct(delays, 0.5) * 1000, 1),
        "p99_ms": round(_pct(delays, 0.99) * 1000, 1),
        "target_ms": round((PERIOD_S + rtt) * 1000, 1),
        "trials": trials,
    }


def bench_scan() -> dict[str, Any]:
    print("scan I/O, Modbus (read plan + writes), ours vs bare pymodbus ...", flush=True)
    mb = asyncio.run(modbus_io())
    print(f"  ours p50 {mb['p50_ms']} ms p99 {mb['p99_ms']} ms; bare p50 {mb['bare_p50_ms']} ms "
          f"p99 {mb['bare_p99_ms']} ms; ratio {mb['ratio_p50']} (target <= 1.2)")  # fmt: skip
    print("scan I/O, OPC UA (one Read + one Write), ours vs bare asyncua ...", flush=True)
    ua = asyncio.run(opcua_io())
    print(f"  ours p50 {ua['p50_ms']} ms p99 {ua['p99_ms']} ms; bare p50 {ua['bare_p50_ms']} ms "
          f"p99 {ua['bare_p99_ms']} ms; ratio {ua['ratio_p50']} (target <= 1.2)")  # fmt: skip
    fleet = []
    for count in (1, 10, 25, 50):
        print(f"{count} Modbus cranes at 20 Hz in one process (8 s) ...", flush=True)
        figures = asyncio.run(cranes_per_process(count))
        fleet.append(figures)
        print(f"  p99 lateness {figures['p99_lateness_ms']} ms, CPU {figures['cpu_share']:.0%} "
              f"of a core, {figures['full_rate_cranes']}/{count} at full rate")  # fmt: skip
    host = []
    for count, processes in ((50, 2), (50, 3)):
        print(f"{count} Modbus cranes at 20 Hz in {processes} processes, their simulators in "
              f"{processes} more (8 s) ...", flush=True)  # fmt: skip
        figures = asyncio.run(cranes_per_host(count, processes))
        host.append(figures)
        print(f"  p99 lateness {figures['p99_lateness_ms']} ms (worst crane), CPU per crane "
              f"{figures['supervisor_cpu_per_crane']:.1%} of a core (supervisor) + "
              f"{figures['simulator_cpu_per_crane']:.1%} (simulator), "
              f"{figures['full_rate_cranes']}/{count} at full rate")  # fmt: skip
    print("fault -> zero references at the PLC (40 trials) ...", flush=True)
    react = asyncio.run(reaction())
    print(f"  p50 {react['p50_ms']} ms, p99 {react['p99_ms']} ms "
          f"(target: one scan + one round trip = {react['target_ms']} ms)")  # fmt: skip
    return {
        "bench": "scan", "modbus_io": mb, "opcua_io": ua, "cranes": fleet, "host": host,
        "reaction": react,
    }  # fmt: skip

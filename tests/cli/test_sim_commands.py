"""``crane-ctrl sim`` and ``crane-ctrl fault`` as processes, checked from outside with mbpoll."""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crane_ctrl.testing import wait_until
from tests.cli.test_profile_commands import CRANE_CTRL
from tests.profile_texts import PROFILES, ROOT


@dataclass
class RunningSim:
    process: asyncio.subprocess.Process
    port: int
    control: str
    banner: str


async def _read_banner(process: asyncio.subprocess.Process) -> str:
    assert process.stdout is not None
    lines = []
    while not any(line.startswith("site:") for line in lines):
        line = await process.stdout.readline()
        if not line:
            raise RuntimeError("crane-ctrl sim exited before it was ready")
        lines.append(line.decode())
    return "".join(lines)


@pytest.fixture
async def running_sim(request: pytest.FixtureRequest) -> AsyncIterator[RunningSim]:
    profile = getattr(request, "param", "generic-modbus")
    process = await asyncio.create_subprocess_exec(
        CRANE_CTRL, "sim", "--profile", str(PROFILES / f"{profile}.toml"), "--port", "0",
        "--speed", "4", cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        banner = await asyncio.wait_for(_read_banner(process), timeout=30)
        port = int(re.search(r"at (?:127\.0\.0\.1:|opc\.tcp://127\.0\.0\.1:)(\d+)", banner)[1])  # type: ignore[index]
        control = re.search(r"control: (127\.0\.0\.1:\d+)", banner)[1]  # type: ignore[index]
        yield RunningSim(process, port, control, banner)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            await asyncio.wait_for(process.wait(), timeout=15)


async def fault(control: str, *args: str) -> subprocess.CompletedProcess[str]:
    process = await asyncio.create_subprocess_exec(
        CRANE_CTRL, "fault", "--control", control, *args,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert "Traceback" not in out.decode() + err.decode()
    return subprocess.CompletedProcess(args, process.returncode or 0, out.decode(), err.decode())


async def mbpoll(port: int) -> list[int]:
    tool = shutil.which("mbpoll")
    if tool is None:
        pytest.fail("mbpoll is not installed: .ci/run installs it (apt-get install mbpoll)")
    args = [
        tool,
        "-m",
        "tcp",
        "-p",
        str(port),
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
    out, err = await asyncio.wait_for(process.communicate(), timeout=15)
    assert process.returncode == 0, err.decode()
    return [int(v) for v in re.findall(r"^\[\d+\]:\s+(-?\d+)", out.decode(), re.MULTILINE)]


async def test_mbpoll_reads_live_values_from_crane_ctrl_sim(running_sim: RunningSim) -> None:
    assert "simulator: generic-modbus (modbus)" in running_sim.banner
    first = await mbpoll(running_sim.port)
    assert len(first) == 10
    # gantry 30.0 m, trolley 10.0 m, hoist 15.0 m at the start (float32 ABCD high words)
    assert first[0:6:2] == [0x41F0, 0x4120, 0x4170]


async def test_fault_injected_over_the_control_channel_shows_in_the_plc(
    running_sim: RunningSim,
) -> None:
    result = await fault(running_sim.control, "inject", "wind", "speed_mps=22")
    assert result.returncode == 0, result.stderr
    assert '"key": "wind"' in result.stdout

    async def windy() -> bool:
        status = await fault(running_sim.control, "status")
        return '"env.wind": 22.0' in status.stdout

    await wait_until(windy, within=10, what="wind in the PLC status")
    assert (await fault(running_sim.control, "clear", "wind")).returncode == 0


async def test_unknown_fault_is_one_line_with_a_suggestion(running_sim: RunningSim) -> None:
    result = await fault(running_sim.control, "inject", "wnd")
    assert result.returncode == 2
    assert result.stderr.startswith("crane-ctrl: unknown fault 'wnd'; did you mean 'wind'?")


@pytest.mark.parametrize("running_sim", ["generic-opcua"], indirect=True)
async def test_sim_serves_an_opcua_profile(running_sim: RunningSim) -> None:
    assert "simulator: generic-opcua (opcua) at opc.tcp://127.0.0.1:" in running_sim.banner


async def test_sim_stops_cleanly_on_sigint(running_sim: RunningSim) -> None:
    running_sim.process.send_signal(signal.SIGINT)
    assert await asyncio.wait_for(running_sim.process.wait(), timeout=15) == 0


def test_sim_refuses_a_bad_profile_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[profile]\n", encoding="utf-8")
    result = subprocess.run(
        [CRANE_CTRL, "sim", "--profile", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"crane-ctrl: {bad}")


async def test_headless_run_supervises_journals_and_leaves_the_plc_watchdog_to_trip(
    running_sim: RunningSim, tmp_path: Path
) -> None:
    journal = tmp_path / "journal.sqlite"
    process = await asyncio.create_subprocess_exec(
        CRANE_CTRL, "run", "--profile", str(PROFILES / "generic-modbus.toml"),
        "--plc", f"modbus://127.0.0.1:{running_sim.port}", "--seconds", "1.5", "--journal", str(journal),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()
    assert "Traceback" not in out.decode() + err.decode()

    reader = await asyncio.create_subprocess_exec(
        CRANE_CTRL, "events", "--journal", str(journal), "--csv",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    listed, problems = await asyncio.wait_for(reader.communicate(), timeout=30)
    assert reader.returncode == 0, problems.decode()
    rows = [line.split(",")[2:4] for line in listed.decode().splitlines()[1:]]
    assert ["profile", "generic-modbus"] in rows
    assert ["trip", "COMMS_FAULT"] in rows
    assert ["system", "supervisor"] in rows

    async def watchdog_tripped() -> bool:
        status = await fault(running_sim.control, "status")
        return '"plc.watchdog_trip": true' in status.stdout

    await wait_until(watchdog_tripped, within=10, what="PLC watchdog after the supervisor stopped")

"""The station killed (SIGKILL) mid-travel with a box hanging, as processes over real sockets.

``crane-ctrl sim`` serves the PLC (with its 1-s heartbeat watchdog) on a port chosen at run
time; ``crane-ctrl station`` supervises it over Modbus TCP and serves the seam; the test is the
HMI (a :class:`RemoteBridge`, logged in with the demo PIN). The job carries its box along the
block; the station process is killed; the PLC alone must stop the crane (its watchdog), read
here over Modbus by a link that writes nothing. The station started again on the same journal
finds the box on the spreader, says so, and moves nothing by itself, whatever the operator's
RESET and START. The lock-step twin of this, at every step of a job, is
``test_station_restart.py``; this one proves it of the real processes, sockets and journal.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from crane_ctrl.clock import ManualClock
from crane_ctrl.links.modbus import ModbusLink
from crane_ctrl.operation.machine import PackCommand, PackState, Role
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.model import ModbusProfile
from crane_ctrl.runtime.seam.client import RemoteBridge
from crane_ctrl.runtime.station import StationView
from crane_ctrl.signals import Value
from crane_ctrl.site import Slot
from crane_ctrl.testing import wait_until
from tests.cli.test_profile_commands import CRANE_CTRL
from tests.integration.test_foreign_crane_over_sockets import simulator
from tests.profile_texts import PROFILES, ROOT

FULL = os.environ.get("HOSTILE_FULL") == "1"
PROFILE = PROFILES / "generic-modbus.toml"
SITE = ROOT / "simulators" / "sites" / "border-gate.toml"
WITHIN_S = 30.0
"""Bound on every wait for a process or the station (real time)."""
JOB_WITHIN_S = 150.0
"""Bound on the job's way to its loaded travel (real time: to the truck, lock, lift)."""
STOPPED_WITHIN_S = 6.0
"""The PLC's watchdog (1 s) and the longest ramp down (gantry, 4 s) and a margin."""
QUIET_VIEWS = 40
"""Views (10 a second) the restarted station must show nothing moving in."""


@pytest.fixture
def socket_dir() -> Iterator[Path]:
    """A short directory for the seam's socket (a Unix socket path holds at most 107 bytes)."""
    where = Path(tempfile.mkdtemp(prefix="kill-"))
    yield where
    shutil.rmtree(where, ignore_errors=True)


@asynccontextmanager
async def station(url: str, journal: Path, sock: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await asyncio.create_subprocess_exec(
        CRANE_CTRL, "station", "--profile", str(PROFILE), "--plc", url, "--site", str(SITE),
        "--journal", str(journal), "--socket", str(sock), cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.communicate(), timeout=WITHIN_S)


async def until_view(
    bridge: RemoteBridge, ok: object, what: str, within: float = WITHIN_S
) -> StationView:
    assert callable(ok)
    async with asyncio.timeout(within):
        while not ok(bridge.view):
            await bridge.changed(within=WITHIN_S)
    return bridge.view


async def plc_reads(url: str) -> AsyncIterator[dict[str, Value]]:
    """The PLC's status, read again and again by a link that writes nothing."""
    profile = load_profile(PROFILE)
    assert isinstance(profile, ModbusProfile)
    port = int(url.rsplit(":", 1)[1])
    async with ModbusLink(profile, ManualClock(), port=port) as link:
        while True:
            await wait_until(lambda: link.health.state == "up", within=WITHIN_S, what="the link")
            result = await link.read()
            if result.ok:
                yield dict(result.values)


def moving(view: StationView) -> bool:
    snap = view.supervisor.snapshot
    return any(abs(snap.number(f"{a}.speed") or 0.0) > 0.05 for a in ("gantry", "trolley"))


@pytest.mark.skipif(not FULL, reason="real time over sockets, ~40 s: set HOSTILE_FULL=1")
async def test_station_killed_mid_travel_the_plc_stops_the_crane_and_the_restart_moves_nothing(
    tmp_path: Path, socket_dir: Path
) -> None:
    journal, sock = tmp_path / "journal.sqlite", socket_dir / "station.sock"
    async with simulator(PROFILE, SITE) as url:
        async with (
            station(url, journal, sock) as first,
            RemoteBridge(sock, silence_s=None) as bridge,
        ):
            await bridge.connected(within=WITHIN_S)
            op = await bridge.login(Role.OPERATOR, "1111")
            job = await bridge.call(bridge.station.add_job, op, Slot.truck("T1"),
                                    Slot.stack(7, 3, 1), 40)  # fmt: skip
            await until_view(bridge, lambda v: v.supervisor.snapshot.comms_ok, "comms")
            await bridge.call(bridge.station.pack, op, PackCommand.RESET)
            await until_view(bridge, lambda v: v.machine is PackState.IDLE, "IDLE")
            await bridge.call(bridge.station.pack, op, PackCommand.START)
            carrying = await until_view(
                bridge, lambda v: moving(v) and (v.supervisor.snapshot.number(
                    "hoist.load") or 0.0) > 20.0, "travelling with the box", JOB_WITHIN_S)  # fmt: skip
            first.kill()  # SIGKILL: no goodbye, nothing written after it
            await first.wait()
        stopped: dict[str, Value] = {}
        async with asyncio.timeout(STOPPED_WITHIN_S):
            async for status in plc_reads(url):
                speeds = [abs(float(status[f"{a}.speed"])) for a in ("gantry", "trolley", "hoist")]
                if status["plc.watchdog_trip"] and max(speeds) < 0.01:
                    stopped = status
                    break
        async with station(url, journal, sock), RemoteBridge(sock, silence_s=None) as bridge:
            await bridge.connected(within=WITHIN_S)
            found = await until_view(bridge, lambda v: v.hanging is not None, "the box found")
            op = await bridge.login(Role.OPERATOR, "1111")
            await bridge.call(bridge.station.pack, op, PackCommand.RESET)
            await until_view(bridge, lambda v: v.machine is PackState.IDLE, "IDLE")
            await bridge.call(bridge.station.pack, op, PackCommand.START)
            views = []
            for _ in range(QUIET_VIEWS):
                await bridge.changed(within=WITHIN_S)
                views.append(bridge.view)
    assert carrying.job is not None
    assert float(stopped["hoist.load"]) > 20.0  # the box still hangs, held by the brakes
    assert found.hanging is not None
    assert job.id in found.found_at_start
    assert "MANUAL" in found.found_at_start  # what to do
    for view in views:
        commands = view.supervisor.commands
        assert (commands.gantry_speed_ref, commands.trolley_speed_ref,
                commands.hoist_speed_ref) == (0.0, 0.0, 0.0)  # fmt: skip
        assert not moving(view)
    assert views[-1].hanging is not None  # still known after RESET and START

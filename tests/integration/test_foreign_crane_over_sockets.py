"""A crane nobody here designed, end to end over loopback sockets, as processes.

``crane-ctrl sim`` serves a profile without any optional signal for a crane that lifts 15.5 m
(``--site``); ``crane-ctrl run --site`` supervises it over real Modbus TCP and OPC UA on ports
chosen at run time, and its journal says the travel height it checks is the site's (14.98 m),
not the default site's (17.88 m). ``crane-ctrl demo`` runs the same crane and site. No sleeps:
every wait is on a condition, bounded.
"""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from crane_ctrl.runtime.journal import JournalReader
from crane_ctrl.testing import wait_until
from tests.cli.test_profile_commands import CRANE_CTRL
from tests.profile_texts import ROOT
from tests.unit.foreign_crane import low_lift_site, text_without_optional

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0
HOIST_M = 14.0
"""Where the spreader starts: below the low crane's safe travel height (14.98 m)."""


def write_inputs(tmp_path: Path, profile_name: str) -> tuple[Path, Path]:
    profile = tmp_path / f"{profile_name}-minimal.toml"
    profile.write_text(text_without_optional(profile_name), encoding="utf-8")
    site = tmp_path / "low-lift.toml"
    site.write_text(low_lift_site(hoist_m=HOIST_M), encoding="utf-8")
    return profile, site


async def _banner(process: asyncio.subprocess.Process) -> str:
    assert process.stdout is not None
    lines: list[str] = []
    while not any(line.startswith("site:") for line in lines):
        line = await process.stdout.readline()
        if not line:
            raise RuntimeError("crane-ctrl sim exited before it was ready")
        lines.append(line.decode())
    return "".join(lines)


async def _stop(process: asyncio.subprocess.Process) -> tuple[int, str]:
    """SIGINT, then its exit code and what it wrote to stderr."""
    if process.returncode is None:
        process.send_signal(signal.SIGINT)
    _, err = await asyncio.wait_for(process.communicate(), timeout=STOP_TIMEOUT_S)
    assert process.returncode is not None
    return process.returncode, err.decode()


@asynccontextmanager
async def simulator(profile: Path, site: Path) -> AsyncIterator[str]:
    """``crane-ctrl sim`` on a free port; yields the PLC's URL."""
    process = await asyncio.create_subprocess_exec(
        CRANE_CTRL, "sim", "--profile", str(profile), "--site", str(site), "--port", "0",
        "--control-port", "0", cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        banner = await asyncio.wait_for(_banner(process), timeout=START_TIMEOUT_S)
        where = re.search(r" at (?:(?P<modbus>127\.0\.0\.1:\d+)|(?P<opcua>opc\.tcp://\S+))", banner)
        assert where is not None, banner
        yield where["opcua"] or f"modbus://{where['modbus']}"
    finally:
        code, err = await _stop(process)
        assert "Traceback" not in err
        assert code == 0, err


def events(journal: Path, kind: str, subject: str | None = None) -> list[dict[str, object]]:
    with JournalReader(journal) as reader:
        return [dict(e.values) for e in reader.events(kind=kind, subject=subject)]


def comms_ok(journal: Path) -> bool:
    """The supervisor has trusted the PLC's data at least once."""
    return any(e["ok"] is True for e in events(journal, "link", "comms"))


@pytest.mark.parametrize("profile_name", ["generic-modbus", "generic-opcua"])
async def test_run_supervises_a_low_crane_without_optional_signals_by_its_site(
    profile_name: str, tmp_path: Path
) -> None:
    profile, site = write_inputs(tmp_path, profile_name)
    journal = tmp_path / "journal.sqlite"
    async with simulator(profile, site) as url:
        run = await asyncio.create_subprocess_exec(
            CRANE_CTRL, "run", "--profile", str(profile), "--site", str(site), "--plc", url,
            "--journal", str(journal), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            await wait_until(lambda: comms_ok(journal), within=START_TIMEOUT_S, what="comms ok")
            await wait_until(lambda: bool(events(journal, "trip", "BELOW_TRAVEL_HEIGHT")),
                             within=5, what="the travel-height trip")  # fmt: skip
        finally:
            code, err = await _stop(run)
    assert code == 0, err
    assert "Traceback" not in err
    (trip, *_) = events(journal, "trip", "BELOW_TRAVEL_HEIGHT")
    assert trip["reason"] == f"hoist at {HOIST_M:.2f} m < safe travel height 14.98 m"
    (started,) = [e for e in events(journal, "system", "supervisor") if e["event"] == "started"]
    assert started["site"] == str(site)


async def test_the_demo_runs_a_low_crane_without_optional_signals_over_sockets(
    tmp_path: Path,
) -> None:
    profile, site = write_inputs(tmp_path, "generic-modbus")
    journal = tmp_path / "journal.sqlite"
    demo = await asyncio.create_subprocess_exec(
        CRANE_CTRL, "demo", "--headless", "--seconds", "3", "--port", "0", "--profile",
        str(profile), "--site", str(site), "--journal", str(journal), cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(demo.communicate(), timeout=START_TIMEOUT_S + 3)
    assert demo.returncode == 0, err.decode()
    assert "internal error" not in err.decode() + out.decode()
    assert comms_ok(journal)

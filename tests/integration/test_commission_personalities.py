"""``crane-ctrl commission --profile P --plc URL --yes`` against each vendor profile's PLC
personality (TwinCAT over OPC UA, S7 MB_SERVER over Modbus), on loopback, in real time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from crane_ctrl.profile.loader import load_profile
from simulators.personality import PERSONALITIES
from simulators.runner import Served, run_realtime, serve
from simulators.simulator import CraneSimulator
from simulators.site_file import load_site
from tests.integration.test_commission_over_sockets import SITE, _url, run_command
from tests.profile_texts import PROFILES

PAIRS = [("siemens-s7-1200-mbserver", "s7-mbserver"), ("beckhoff-twincat-opcua", "twincat")]


@asynccontextmanager
async def personality_plc(
    name: str, personality: str, site: Path
) -> AsyncIterator[tuple[CraneSimulator, Served]]:
    sim = load_site(site).simulator(personality=PERSONALITIES[personality])
    stop = asyncio.Event()
    profile = load_profile(PROFILES / f"{name}.toml")
    async with serve(sim, profile) as served, asyncio.TaskGroup() as tasks:
        tasks.create_task(run_realtime(sim, served, stop=stop))
        try:
            yield sim, served
        finally:
            stop.set()


@pytest.mark.parametrize(("name", "personality"), PAIRS)
async def test_commission_passes_against_the_vendor_personality(
    name: str, personality: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site.toml"
    site.write_text(SITE, encoding="utf-8")
    async with personality_plc(name, personality, site) as (_sim, served):
        run = await run_command(
            capsys, tmp_path / "report", "--profile", str(PROFILES / f"{name}.toml"),
            "--plc", _url(served), "--site", str(site), "--yes",
        )  # fmt: skip
    assert run.code == 0, run.out + run.err
    assert run.report["verdict"] == "pass", run.out
    assert run.report["counts"]["fail"] == 0
    plc_refused = run.check("commands", "PLC refuses a lock unless seated")
    assert plc_refused["status"] == "pass", plc_refused
    assert plc_refused["reason"].startswith("the PLC refused it: 3"), plc_refused

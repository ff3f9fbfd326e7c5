"""``crane-ctrl commission`` against the simulator's real Modbus and OPC UA servers on loopback.

The simulator runs in real time in the test's event loop; the command runs through the real
entry point (``main``) in a worker thread, as an integrator runs it, and talks to the simulator
over sockets. The crane starts just above the safe travel height, so every jog is allowed.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from crane_ctrl.cli.main import main
from crane_ctrl.commission.outcome import StageId, Status
from crane_ctrl.commission.runner import Options, Target, commission
from crane_ctrl.commission.safety_inputs import SafetyInput
from crane_ctrl.commission.settings import CommissionSettings
from crane_ctrl.profile.loader import load_profile, parse_profile
from crane_ctrl.profile.model import ModbusProfile
from crane_ctrl.runtime.supervisor import SupervisorSettings
from simulators.runner import Served, run_realtime, serve
from simulators.simulator import CraneSimulator
from simulators.site_file import load_site
from tests.profile_texts import PROFILES, with_signal

SHIPPED = ["generic-modbus", "generic-opcua"]
SITE = """\
[start]        # just above the border-gate site's safe travel height (17.88 m): travel allowed
gantry_m = 30.0
trolley_m = 10.0
hoist_m = 17.95
spreader_ft = 40
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(SITE, encoding="utf-8")
    return path


def _url(served: Served) -> str:
    return f"modbus://127.0.0.1:{served.port}" if served.protocol == "modbus" else served.endpoint


@asynccontextmanager
async def simulated_plc(name: str, site: Path) -> AsyncIterator[tuple[CraneSimulator, Served]]:
    """The site's crane behind the profile's server, stepping in real time."""
    sim = load_site(site).simulator()
    stop = asyncio.Event()
    profile = load_profile(PROFILES / f"{name}.toml")
    async with serve(sim, profile) as served, asyncio.TaskGroup() as tasks:
        tasks.create_task(run_realtime(sim, served, stop=stop))
        try:
            yield sim, served
        finally:
            stop.set()


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float
    report: dict[str, Any] = field(default_factory=dict)

    def stage(self, stage: str) -> dict[str, Any]:
        found: dict[str, Any] = next(s for s in self.report["stages"] if s["id"] == stage)
        return found

    def check(self, stage: str, check: str) -> dict[str, Any]:
        found: dict[str, Any] = next(c for c in self.stage(stage)["checks"] if c["id"] == check)
        return found


async def run_command(capsys: pytest.CaptureFixture[str], report: Path, *args: str) -> Run:
    started = time.monotonic()
    code = await asyncio.to_thread(main, ["commission", "--report", str(report), *args])
    seconds = time.monotonic() - started
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    run = Run(code, out, err, seconds)
    if (report / "commission.json").exists():
        run.report = json.loads((report / "commission.json").read_text(encoding="utf-8"))
    return run


@pytest.mark.parametrize("name", SHIPPED)
async def test_commission_passes_every_stage_against_the_healthy_simulator(
    name: str, site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = PROFILES / f"{name}.toml"
    async with simulated_plc(name, site) as (sim, served):
        run = await run_command(
            capsys, tmp_path / "report", "--profile", str(profile), "--plc", _url(served),
            "--site", str(site), "--yes",
        )  # fmt: skip
    assert run.code == 0, run.out + run.err
    assert run.report["verdict"] == "pass"
    assert [s["status"] for s in run.report["stages"]] == ["pass"] * 5, run.out
    assert run.report["counts"]["fail"] == 0
    for axis in ("gantry", "trolley", "hoist"):
        out = run.check("commands", f"jog {axis} out")
        back = run.check("commands", f"jog {axis} back")
        assert (out["status"], back["status"]) == ("pass", "pass"), (out, back)
        assert abs(out["measured"]["moved_m"]) >= 0.05
        assert out["measured"]["direction"] != back["measured"]["direction"]
        # out and back: the crane ends about where it was
        assert abs(out["measured"]["start_m"] - back["measured"]["end_m"]) < 0.1
    assert "NOT_LANDED" in run.check("commands", "lock refused unless seated")["reason"]
    plc_refused = run.check("commands", "PLC refuses a lock unless seated")
    assert plc_refused["status"] == "pass", plc_refused
    assert "no twistlock turned" in plc_refused["reason"]
    assert run.check("failsafe", "plc.estop_ok")["status"] == "assumed"
    assert run.check("watchdog", "trip")["measured"]["tripped_after_s"] >= 0.9
    assert run.check("watchdog", "reset")["status"] == "pass"
    markdown = (tmp_path / "report" / "commission.md").read_text(encoding="utf-8")
    assert "**Verdict: PASS:" in markdown
    place = load_profile(profile).signals["plc.estop_ok"].place()
    assert f"| plc.estop_ok | {place} | true | good | pass |" in markdown
    assert "assumed (--yes)" in markdown
    assert "verdict: PASS" in run.out
    assert sim.model_faults == ()
    if name == "generic-opcua":  # the simulator declares the units the profile reads in
        assert run.check("io", "hoist.position units")["status"] == "pass"
        assert run.check("io", "hoist.position units")["measured"]["value"] == "m (MTR)"


@pytest.mark.parametrize("name", SHIPPED)
async def test_commission_with_the_estop_open_skips_the_commands_and_exits_nonzero(
    name: str, site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with simulated_plc(name, site) as (sim, served):
        sim.faults.inject("estop")
        run = await run_command(
            capsys, tmp_path / "report", "--profile", str(PROFILES / f"{name}.toml"),
            "--plc", _url(served), "--site", str(site), "--yes",
        )  # fmt: skip
        position = sim.plant.gantry.position_m
    assert run.code == 1
    assert run.report["verdict"] == "fail"
    estop = run.check("failsafe", "plc.estop_ok")
    assert estop["status"] == "fail"
    assert "e-stop chain open" in estop["reason"]
    assert run.stage("commands")["status"] == "skip"
    assert {c["status"] for c in run.stage("commands")["checks"]} == {"skip"}
    assert "did not pass" in run.check("commands", "PLC refuses a lock unless seated")["reason"]
    for check in ("jog gantry out", "jog hoist back", "lock refused unless seated"):
        assert "e-stop chain open (plc.estop_ok false)" in run.check("commands", check)["reason"]
    assert run.stage("watchdog")["status"] == "skip"
    assert position == 30.0  # nothing moved
    assert "verdict: FAIL" in run.out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("generic-modbus", "modbus://127.0.0.1:{port}"),
        ("generic-opcua", "opc.tcp://127.0.0.1:{port}/crane-ctrl/"),
    ],
)
async def test_unreachable_plc_is_a_clear_error_and_a_quick_nonzero_exit(
    name: str, url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = await run_command(
        capsys, tmp_path / "report", "--profile", str(PROFILES / f"{name}.toml"),
        "--plc", url.format(port=_free_port()), "--yes", "--connect-timeout", "1",
    )  # fmt: skip
    assert run.code == 1
    assert run.seconds < 10
    assert "crane-ctrl: commission: cannot use the PLC: link" in run.err
    assert "not up within 1 s" in run.err
    assert run.check("link", "connect")["status"] == "fail"
    assert {s["status"] for s in run.report["stages"][1:]} == {"skip"}
    assert run.stage("io")["reason"] == "no link to the PLC: the link stage failed"


def test_bad_profile_path_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["commission", "--profile", str(tmp_path / "nope.toml"), "--plc",
                 "modbus://127.0.0.1:1", "--yes", "--report", str(tmp_path / "r")])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2
    assert err.startswith("crane-ctrl: ")
    assert "nope.toml: cannot read the file" in err
    assert "Traceback" not in out + err
    assert not (tmp_path / "r").exists()


def test_wrong_url_for_the_profile_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["commission", "--profile", str(PROFILES / "generic-modbus.toml"), "--plc",
                 "opc.tcp://127.0.0.1:4840", "--yes", "--report", str(tmp_path / "r")])  # fmt: skip
    _, err = capsys.readouterr()
    assert code == 2
    assert "--plc for a Modbus profile is modbus://host:port" in err


def test_failsafe_stage_without_yes_needs_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code = main(["commission", "--profile", str(PROFILES / "generic-modbus.toml"), "--plc",
                 "modbus://127.0.0.1:1", "--report", str(tmp_path / "r")])  # fmt: skip
    _, err = capsys.readouterr()
    assert code == 2
    assert "stdin is not a terminal" in err
    assert "pass --yes on a test rig" in err


@dataclass
class ScriptedEngineer:
    """Operates some devices on the simulator as an engineer would; skips the others."""

    sim: CraneSimulator
    faults: dict[str, tuple[str, dict[str, object]]]
    """signal -> the simulator fault operating it does."""
    asked: list[str] = field(default_factory=list)

    async def operate(self, device: SafetyInput) -> bool:
        self.sim.faults.clear()
        self.asked.append(device.signal)
        if device.signal not in self.faults:
            return False
        fault, params = self.faults[device.signal]
        self.sim.faults.inject(fault, **params)
        return True

    async def restore(self, device: SafetyInput) -> None:
        self.sim.faults.clear()


async def test_engineer_operates_fail_safe_inputs_and_a_crossed_wire_is_named(
    site: Path,
) -> None:
    name = "generic-modbus"
    profile = load_profile(PROFILES / f"{name}.toml")
    assert isinstance(profile, ModbusProfile)
    crane = load_site(site)
    async with simulated_plc(name, site) as (sim, served):
        engineer = ScriptedEngineer(sim, {
            "plc.estop_ok": ("estop", {}),
            "gantry.limit_fwd_ok": ("force", {"signal": "gantry.limit_fwd_ok", "value": False}),
            # the reverse limit switch wired to the trolley's input
            "gantry.limit_rev_ok": ("force", {"signal": "trolley.limit_rev_ok", "value": False}),
        })  # fmt: skip
        target = Target(
            profile, PROFILES / f"{name}.toml", _url(served),
            SupervisorSettings(crane=crane.crane, site=crane.site), site,
        )  # fmt: skip
        options = Options(CommissionSettings(operate_timeout_s=1.0), frozenset({StageId.FAILSAFE}))
        report = await commission(target, options, engineer=engineer, progress=lambda _: None)
    checks = {c.id: c for c in report.stages[2].checks}
    assert checks["plc.estop_ok"].status is Status.PASS, checks["plc.estop_ok"]
    assert "read false" in checks["plc.estop_ok"].reason
    assert checks["gantry.limit_fwd_ok"].status is Status.PASS
    crossed = checks["gantry.limit_rev_ok"]
    assert crossed.status is Status.FAIL
    assert "trolley.limit_rev_ok read false instead" in crossed.reason
    assert checks["plc.remote"].status is Status.SKIP
    assert checks["plc.remote"].reason == "skipped by the engineer"
    # the e-stop was reset after its check: the drives come ready again
    assert checks["hoist.ready"].status is Status.PASS, checks["hoist.ready"]
    assert [s.status for s in report.stages[1:]] == [
        Status.SKIP, Status.FAIL, Status.SKIP, Status.SKIP,
    ]  # fmt: skip
    assert report.exit_code == 1


async def test_a_plc_declaring_millimetres_against_a_profile_reading_metres_names_the_fix(
    site: Path,
) -> None:
    """The simulated PLC holds the hoist position in mm (and declares MMT); the profile under
    test reads that node with scale 1, as if in m: the I/O check says so, with the scale to set."""
    shipped = PROFILES / "generic-opcua.toml"
    text = with_signal(
        shipped.read_text(encoding="utf-8"), "hoist.position",
        '{ node = "s=Crane.Hoist.Position", type = "Double", scale = 0.001 }',
    )  # fmt: skip
    plc_side = parse_profile(text, "plc-in-mm.toml")
    crane = load_site(site)
    sim, stop, lines = crane.simulator(), asyncio.Event(), []
    async with serve(sim, plc_side) as served, asyncio.TaskGroup() as tasks:
        tasks.create_task(run_realtime(sim, served, stop=stop))
        try:
            target = Target(
                load_profile(shipped), shipped, _url(served),
                SupervisorSettings(crane=crane.crane, site=crane.site), site,
            )  # fmt: skip
            options = Options(stages=frozenset({StageId.IO}))
            report = await commission(target, options, engineer=None, progress=lines.append)
        finally:
            stop.set()
    checks = {c.id: c for c in report.stages[1].checks}
    units = checks["hoist.position units"]
    assert units.status is Status.FAIL
    assert units.reason == (
        "the PLC declares mm (MMT) at s=Crane.Hoist.Position, but the profile's scale 1 reads "
        "the node as m (MTR): set scale = 0.001"
    )
    assert units.measured["fix"] == "scale = 0.001"
    assert checks["hoist.position"].status is Status.FAIL  # 17950 m: implausible, as it reads
    for agreeing in ("trolley.position", "hoist.load", "env.wind", "hoist.speed_ref"):
        assert checks[f"{agreeing} units"].status is Status.PASS, checks[f"{agreeing} units"]
    assert checks["trolley.position"].status is Status.PASS
    assert any("hoist.position units" in line and "set scale = 0.001" in line for line in lines)
    assert report.exit_code == 1


async def test_a_plc_that_locks_an_unseated_spreader_fails_and_is_unlocked_again(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The spreader's own landed interlock missing (jumpered out): past the supervisor's
    NOT_LANDED the twistlocks turn in the air. The check fails, naming it, and unlocks them."""
    async with simulated_plc("generic-modbus", site) as (sim, served):
        sim.plant.spreader.interlock_bypassed = True
        run = await run_command(
            capsys, tmp_path / "report", "--profile", str(PROFILES / "generic-modbus.toml"),
            "--plc", _url(served), "--site", str(site), "--yes", "--only", "commands",
        )  # fmt: skip
        unlocked = sim.plant.spreader.all_free()
    check = run.check("commands", "PLC refuses a lock unless seated")
    assert check["status"] == "fail", check
    assert run.code == 1
    assert "no landed interlock of their own" in check["reason"]
    assert "unlocked again" in check["reason"]
    assert "NOT unlocked" not in check["reason"]
    assert unlocked
    assert run.check("commands", "lock refused unless seated")["status"] == "pass"

"""``crane-ctrl rig run`` through the installed console script, as a test rig or CI runs it."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.cli.test_profile_commands import CRANE_CTRL
from tests.profile_texts import ROOT

SCENARIOS = ROOT / "simulators" / "scenarios"
TIMEOUT_S = 60


def rig(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CRANE_CTRL, "rig", "run", *map(str, args)],
        capture_output=True, text=True, timeout=TIMEOUT_S, check=False, cwd=ROOT,
    )  # fmt: skip


def test_scenarios_run_with_progress_summary_junit_and_exit_1_when_one_fails(
    tmp_path: Path,
) -> None:
    failing = tmp_path / "expects-a-wind-stop.toml"
    text = (SCENARIOS / "estop-at-standstill.toml").read_text(encoding="utf-8")
    failing.write_text(
        text.replace('name = "e-stop at standstill"', 'name = "expects a wind stop"')
        + '\n[[expect.trips]]\nid = "WIND_STOP"\n',
        encoding="utf-8",
    )
    junit = tmp_path / "rig.xml"
    done = rig(SCENARIOS / "estop-at-standstill.toml", SCENARIOS / "overweight-container.toml",
               failing, "--junit", junit, "--csv", tmp_path / "csv")  # fmt: skip
    assert done.returncode == 1, done.stderr
    progress = sorted(line.split("] ", 1)[1] for line in done.stderr.splitlines())
    assert [p.split(" (")[0] for p in progress] == [
        "e-stop at standstill: PASS", "expects a wind stop: FAIL", "overweight container: PASS",
    ]  # fmt: skip
    out = done.stdout.splitlines()
    assert out[0].startswith("PASS  e-stop at standstill  (")
    assert "first failure: interlock WIND_STOP trips: never active; active trips seen: " in (
        done.stdout
    )
    assert out[-1] == "2 passed, 1 failed"
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("3", "1")
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [
        "estop-at-standstill.csv", "expects-a-wind-stop.csv", "overweight-container.csv",
    ]  # fmt: skip


def test_a_bad_scenario_file_is_refused_before_anything_runs_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('profile = "generic-modbus.toml"\nduration_s = 10\nstop_when = "time >"\n')
    done = rig(SCENARIOS / "truck-to-stack.toml", bad)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"ERROR {bad}:3 stop_when: column 7: expected a name, a number, a 'text', true or "
        "false, found the end (in 'time >')\n"
    )


def test_real_and_plc_exclude_each_other() -> None:
    done = rig(SCENARIOS / "truck-to-stack.toml", "--real", "--plc", "modbus://127.0.0.1:1")
    assert done.returncode == 2
    assert "not allowed with argument" in done.stderr

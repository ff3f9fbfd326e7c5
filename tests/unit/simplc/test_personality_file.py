"""A PLC personality from a file: a test rig models its own PLC without Python."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crane_ctrl.errors import ConfigError
from simulators.personality import S7_MB_SERVER, RequestPoints
from simulators.personality_file import load_personality
from simulators.simulator import CraneSimulator

AC500 = """
based_on = "s7-mbserver"
name = "ac500-gateway"
description = "ABB AC500 behind a Modbus gateway"
clears_requests = false
answers_kept = true
min_reset_pulse_s = 0.3
life_bit = "St.Life"
watchdog_s = 1.5

[codes]
not_seated = 12

[fault_codes]
estop = 1001
gantry_drive = 2001
trolley_drive = 2002
hoist_drive = 2003
watchdog = 3001

[requests."spreader.lock"]
busy = "Lock.Busy"
done = "Lock.Done"
error = "Lock.Err"
code = "Lock.ErrNo"
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "plc.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_file_starts_from_its_preset_and_says_what_differs(tmp_path: Path) -> None:
    p = load_personality(write(tmp_path, AC500))
    assert p.name == "ac500-gateway"
    assert p.edge_triggered  # from the preset
    assert p.telescope_start
    assert not p.clears_requests
    assert p.answers_kept
    assert p.min_reset_pulse_s == 0.3
    assert p.life_bit == "St.Life"
    assert p.codes.not_seated == 12
    assert p.codes.loaded == S7_MB_SERVER.codes.loaded
    assert p.params.watchdog_s == 1.5
    assert p.params.restart_delay_s == S7_MB_SERVER.params.restart_delay_s
    assert dict(p.requests) == {
        "spreader.lock": RequestPoints("Lock.Busy", "Lock.Done", "Lock.Err", "Lock.ErrNo")
    }


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ('based_on = "s7-mbserver"', 'based_on = "s7"'),
        ("min_reset_pulse_s = 0.3", "min_reset_pulse_s = -1"),
        ('busy = "Lock.Busy"', 'bsy = "Lock.Busy"'),
        ('[requests."spreader.lock"]', '[requests."spreader.lok"]'),
        ("gantry_drive = 2001", "gantry_drive = 0"),
        ("gantry_drive = 2001", "gantry = 2001"),
        ("watchdog = 3001", 'watchdog = "3001"'),
    ],
)
def test_a_bad_file_is_refused_at_its_line(tmp_path: Path, change: str, says: str) -> None:
    text = AC500.replace(change, says)
    line = text.splitlines().index(says) + 1
    with pytest.raises(ConfigError) as caught:
        load_personality(write(tmp_path, text))
    assert f"plc.toml:{line}" in str(caught.value), str(caught.value)


@pytest.mark.parametrize(
    ("fault", "params", "number"),
    [
        ("estop", {}, 1001),
        ("drive_fault", {"axis": "gantry"}, 2001),
        ("drive_fault", {"axis": "trolley"}, 2002),
        ("drive_fault", {"axis": "hoist"}, 2003),
    ],
)
def test_the_plc_reports_its_faults_by_the_files_numbers(
    tmp_path: Path, fault: str, params: dict[str, str], number: int
) -> None:
    sim = CraneSimulator(personality=load_personality(write(tmp_path, AC500)))
    sim.run(0.1)
    assert sim.status()["plc.fault_code"] == 0
    sim.faults.inject(fault, **params)
    sim.run(0.1)
    assert sim.status()["plc.fault_code"] == number


def test_the_watchdog_trip_is_the_files_number_and_unset_numbers_keep_the_presets(
    tmp_path: Path,
) -> None:
    p = load_personality(write(tmp_path, AC500.replace("hoist_drive = 2003\n", "")))
    assert p.params.fault_code_watchdog == 3001
    assert p.params.fault_code_hoist_drive == S7_MB_SERVER.params.fault_code_hoist_drive
    sim = CraneSimulator(personality=p)
    sim.plc.watchdog_trip = True
    sim.run(0.1)
    assert sim.status()["plc.fault_code"] == 3001


def test_the_sim_refuses_an_unknown_personality_with_the_known_ones() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "crane_ctrl", "sim", "--personality", "siemens"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "no PLC personality 'siemens'; use one of level, twincat, s7-mbserver" in run.stderr

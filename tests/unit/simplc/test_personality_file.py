"""A PLC personality from a file: a test rig models its own PLC without Python."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crane_ctrl.errors import ConfigError
from simulators.personality import S7_MB_SERVER, RequestPoints
from simulators.personality_file import load_personality

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
    ],
)
def test_a_bad_file_is_refused_at_its_line(tmp_path: Path, change: str, says: str) -> None:
    text = AC500.replace(change, says)
    line = text.splitlines().index(says) + 1
    with pytest.raises(ConfigError) as caught:
        load_personality(write(tmp_path, text))
    assert f"plc.toml:{line}" in str(caught.value), str(caught.value)


def test_the_sim_refuses_an_unknown_personality_with_the_known_ones() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "crane_ctrl", "sim", "--personality", "siemens"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "no PLC personality 'siemens'; use one of level, twincat, s7-mbserver" in run.stderr

"""``crane-ctrl run`` says what it does without ``-v``: a start line, a status line every
``--status-every`` seconds (time of day, link, comms, scans, alarms, what blocks motion) and the
stop; ``--quiet`` prints none of them. In process, against the demo's simulator on a free port."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from crane_ctrl.cli.main import main
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.runtime.loop_thread import LoopThread
from crane_ctrl.runtime.sim_service import SimService, plc_url
from simulators.runner import Served
from simulators.site_file import load_site
from tests.profile_texts import PROFILES

GENERIC = PROFILES / "generic-modbus.toml"
STATUS = re.compile(r"^\d\d:\d\d:\d\d link (up|connecting|down) · comms .* · scans \d+, p99 "
                    r"[\d.]+ ms, overruns \d+ · alarms \d+ active, \d+ unacknowledged · "
                    r"blocking: .+$")  # fmt: skip


@pytest.fixture(scope="module")
def plc() -> Iterator[str]:
    """The simulated crane PLC served over Modbus TCP on a free port (its URL)."""
    service = SimService(load_site().simulator(), load_profile(GENERIC))
    thread: LoopThread[Served] = LoopThread("simulator", service.main)
    served = thread.start()
    try:
        yield plc_url(served)
    finally:
        thread.stop()


def _run(plc: str, tmp_path: Path, *args: str) -> int:
    return main(["run", "--profile", str(GENERIC), "--plc", plc, "--journal",
                 str(tmp_path / "journal.sqlite"), *args])  # fmt: skip


def test_run_prints_a_status_line_every_few_seconds(
    plc: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run(plc, tmp_path, "--seconds", "1.5", "--status-every", "0.25")
    out, err = capsys.readouterr()
    assert code == 0, err
    first, *status, last = out.splitlines()
    assert first.startswith("supervising generic-modbus (modbus 127.0.0.1:")
    assert "a status line every 0.25 s (--quiet: none); Ctrl-C stops" in first
    assert status, out
    assert all(STATUS.match(line) for line in status), out
    assert any(" link up · comms ok · " in line for line in status), out
    assert last == "stopped: references zero, drives disabled"


def test_quiet_run_prints_nothing(
    plc: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run(plc, tmp_path, "--quiet", "--seconds", "0.5", "--status-every", "0.1")
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out == ""

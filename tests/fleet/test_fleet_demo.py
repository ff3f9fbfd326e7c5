"""``crane-ctrl fleet demo`` as a user runs it: a crane of the block gets a TOS order through the
dispatcher and works it; SIGINT stops everything cleanly: exit 0, no process of the run left, the
broker's port free again, the dispatcher's PIN file gone."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crane_ctrl.runtime.children import processes

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")

UP_WITHIN_S = 60.0
WORKING_WITHIN_S = 60.0
STOP_WITHIN_S = 40.0


def _line(process: subprocess.Popen[str], pattern: str, within_s: float, said: list[str]) -> str:
    """The first line of the demo's output matching ``pattern`` (bounded: the demo prints a
    status line every 5 s, so a read never waits long)."""
    deadline = time.monotonic() + within_s
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        said.append(line)
        if re.search(pattern, line):
            return line
    raise AssertionError(f"no line matching {pattern!r} within {within_s} s: {''.join(said)}")


def _left(workdir: Path) -> list[int]:
    """Processes whose command line names the run's folder."""
    found = []
    for pid, state, _, _ in processes():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if str(workdir).encode() in cmdline.read() and state != "Z":
                    found.append(pid)
        except OSError:
            continue
    return found


def test_the_demo_works_an_order_and_sigint_leaves_nothing_running(tmp_path: Path) -> None:
    workdir = tmp_path / "run"
    said: list[str] = []
    with subprocess.Popen(
        [sys.executable, "-m", "crane_ctrl", "fleet", "demo", "--cranes", "1", "--headless",
         "--workdir", str(workdir)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    ) as process:  # fmt: skip
        try:
            broker = _line(process, r"^broker: Mosquitto at", UP_WITHIN_S, said)
            _line(process, r"^headless:", UP_WITHIN_S, said)
            working = _line(process, r"ASC-01 (moving|ready)_to_", WORKING_WITHIN_S, said)
            pin_file_left = (workdir / "logins" / "dispatch.pin").exists()
            process.send_signal(signal.SIGINT)
            code = process.wait(STOP_WITHIN_S)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        rest = process.stdout.read() if process.stdout else ""
    port = int(broker.rsplit(":", 1)[1].split()[0])
    assert code == 0, "".join(said) + rest
    assert "1/1 online" in working
    assert "stopping: every crane left safe" in rest
    assert not pin_file_left
    assert _left(workdir) == []
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0  # the broker's port is closed

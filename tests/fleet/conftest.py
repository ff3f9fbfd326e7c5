"""A real Mosquitto on a free loopback port, started by the test, logging every packet.

The broker's own log (``log_type all``) is a witness we did not write: it shows each client's
CONNECT flags (``p2, c1, k5``: MQTT 3.1.1, clean session, keepalive), its will's QoS and retain
flag and topic, and every PUBLISH it received with QoS and retain.
"""

from __future__ import annotations

import getpass
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from crane_ctrl.realtime import wait_until

UP_WITHIN_S = 10.0
"""Mosquitto must listen within this long (a busy machine)."""
STOP_WITHIN_S = 5.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Mosquitto:
    """One broker process on ``port``; :meth:`stop` and :meth:`start` again on the same port."""

    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None
    runs: int = 0
    logs: list[Path] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        tool = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not Path(tool).exists():
            pytest.fail(
                "mosquitto is not installed: .ci/run installs it (apt-get install mosquitto)"
            )
        self.runs += 1
        log = self.workdir / f"mosquitto-{self.runs}.log"
        self.logs.append(log)
        config = self.workdir / "mosquitto.conf"
        config.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
                          f"user {getpass.getuser()}\nlog_dest file {log}\nlog_type all\n"
                          "log_timestamp false\n")  # fmt: skip
        with (self.workdir / "mosquitto.out").open("ab") as out:
            self.process = subprocess.Popen([tool, "-c", str(config)], stdout=out,
                                            stderr=subprocess.STDOUT)  # fmt: skip
        deadline = time.monotonic() + UP_WITHIN_S
        while not _listening(self.port):
            if self.process.poll() is not None:
                out = (self.workdir / "mosquitto.out").read_text(errors="replace")
                pytest.fail(f"mosquitto exited: {out}")
            if time.monotonic() > deadline:
                pytest.fail(f"mosquitto not listening on {self.port} within {UP_WITHIN_S} s")
            time.sleep(0.02)  # polling a port that is not up yet: there is nothing to wait on

    def stop(self, *, kill: bool = False) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        if kill:
            process.kill()
        else:
            process.terminate()
        try:
            process.wait(STOP_WITHIN_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_WITHIN_S)

    def log(self) -> str:
        """Everything every run of the broker logged so far."""
        return "".join(p.read_text(errors="replace") for p in self.logs if p.exists())

    async def logged(self, *texts: str, within_s: float = 5.0) -> str:
        """The log once it holds every one of ``texts`` (the broker writes its log file after it
        acted: on a busy machine a line can lag the message it tells of), within a bound."""
        try:
            await wait_until(lambda: all(t in self.log() for t in texts), within=within_s,
                             interval=0.02)  # fmt: skip
        except TimeoutError:
            missing = [t for t in texts if t not in self.log()]
            raise AssertionError(f"the broker logged no {missing} within {within_s} s") from None
        return self.log()

    def published(self, topic: str) -> list[tuple[int, int]]:
        """(QoS, retain) of every PUBLISH the broker received on ``topic``."""
        pattern = re.compile(r"Received PUBLISH from \S+ \(d\d, q(\d), r(\d), m\d+, '([^']*)'")
        return [(int(q), int(r)) for q, r, t in pattern.findall(self.log()) if t == topic]


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    broker = Mosquitto(free_port(), tmp_path)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()

"""A Mosquitto broker on loopback for one machine's fleet (``crane-ctrl fleet demo``, ``bench
fleet``), owned by ``async with``: started on a free port (or the one given), stopped on the
way out whatever the way.

::

    async with MosquittoProcess(workdir) as broker:
        broker.url                       # mqtt://127.0.0.1:PORT
        await broker.kill()              # the bench: the broker dies (kill -9) ...
        await broker.start()             # ... and comes back on the same port
        broker.freeze() / broker.thaw()  # SIGSTOP / SIGCONT: a stalled broker

    tls = ListenerTls(ca, cert, key, require_certificate=True)
    async with MosquittoProcess(workdir, tls=tls) as broker:
        broker.url                       # mqtts://127.0.0.1:PORT (TLS only on that port)

Mosquitto from Debian (``apt-get install mosquitto``; ``scripts/`` installs it for ``make
test``). It listens on 127.0.0.1 only, anonymous (nothing but this machine reaches it), keeps
nothing on disk (no persistence: a restart starts empty, as the edge nodes' store and forward
expects of any broker), and logs to ``mosquitto.log`` in ``workdir``. With a
:class:`ListenerTls` its one listener speaks TLS with the certificate given, and with
``require_certificate`` takes only clients whose certificate its CA file signed.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import shutil
import signal
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from crane_ctrl.errors import FleetError
from crane_ctrl.fleet.broker import Broker, BrokerTls

__all__ = ["LISTEN_WITHIN_S", "ListenerTls", "MosquittoProcess", "free_port", "mosquitto_path"]

LISTEN_WITHIN_S = 10.0
"""The broker must listen within this long of its start (a busy machine)."""
STOP_WITHIN_S = 5.0
"""After SIGTERM the broker has this long to exit before SIGKILL."""
POLL_S = 0.02
"""How often a starting broker's port is tried (nothing else says when it listens)."""
HOST = "127.0.0.1"


def mosquitto_path() -> Path:
    """Where ``mosquitto`` is; :class:`FleetError` saying how to get it."""
    found = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(found).exists():
        raise FleetError("mosquitto is not installed: apt-get install mosquitto (make test's "
                         "set-up installs it), or give --broker mqtt://host:port")  # fmt: skip
    return Path(found)


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class ListenerTls:
    """The broker's side of TLS: files in PEM, as Mosquitto's options of the same names."""

    cafile: Path
    """The CA(s) whose client certificates the broker takes (and, for :attr:`broker`'s
    clients, the one that signed ``certfile``)."""
    certfile: Path
    keyfile: Path
    require_certificate: bool = False
    """Take only clients that show a certificate ``cafile`` signed."""

    def options(self) -> str:
        """The lines of ``mosquitto.conf`` under the listener."""
        required = "true" if self.require_certificate else "false"
        return (f"cafile {self.cafile}\ncertfile {self.certfile}\nkeyfile {self.keyfile}\n"
                f"require_certificate {required}\n")  # fmt: skip


class MosquittoProcess:
    """One Mosquitto process on ``port`` (0: a free one, kept across :meth:`kill`/:meth:`start`),
    speaking TLS there if given ``tls``."""

    def __init__(self, workdir: Path, *, port: int = 0, tls: ListenerTls | None = None) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.tls = tls
        self.log = workdir / "mosquitto.log"
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    @property
    def broker(self) -> Broker:
        """How to reach it; over TLS, trusting the listener's CA file, no client certificate."""
        if self.tls is None:
            return Broker(HOST, self.port)
        return Broker(HOST, self.port, BrokerTls.load(ca_file=self.tls.cafile))

    @property
    def url(self) -> str:
        return str(self.broker)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start the broker and wait (bounded) until it listens."""
        tool = mosquitto_path()
        config = self.workdir / "mosquitto.conf"
        tls = self.tls.options() if self.tls else ""
        config.write_text(f"listener {self.port} {HOST}\n{tls}allow_anonymous true\n"
                          f"user {getpass.getuser()}\n"  # root's mosquitto would become mosquitto
                          f"persistence false\nlog_dest file {self.log}\n"
                          "log_type error\nlog_type warning\nlog_type notice\n")  # fmt: skip
        with (self.workdir / "mosquitto.out").open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                str(tool), "-c", str(config), stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self.starts += 1
        try:
            async with asyncio.timeout(LISTEN_WITHIN_S):
                await self._listening()
        except TimeoutError:
            await self.stop()
            raise FleetError(f"mosquitto did not listen on {HOST}:{self.port} within "
                             f"{LISTEN_WITHIN_S:g} s; its log: {self.log}") from None  # fmt: skip

    async def _listening(self) -> None:
        assert self.process is not None
        while not _accepts(self.port):
            if self.process.returncode is not None:
                text = (self.workdir / "mosquitto.out").read_text(errors="replace").strip()
                raise FleetError(f"mosquitto stopped at start on {HOST}:{self.port}: "
                                 f"{text or 'no output'}")  # fmt: skip
            await asyncio.sleep(POLL_S)

    async def kill(self) -> None:
        """The broker dies at once (SIGKILL): no DISCONNECT to anyone, no will sent."""
        await self._end(signal.SIGKILL)

    async def stop(self) -> None:
        """SIGTERM (after SIGCONT, should it be frozen), bounded wait, then SIGKILL."""
        await self._end(signal.SIGTERM)

    def freeze(self) -> None:
        """SIGSTOP: the broker stalls; connections stay open, nothing moves."""
        self._signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal(signal.SIGCONT)

    def _signal(self, signum: signal.Signals) -> None:
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signum)

    async def _end(self, signum: signal.Signals) -> None:
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGCONT)
            process.send_signal(signum)
        try:
            await asyncio.wait_for(process.wait(), STOP_WITHIN_S)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await asyncio.wait_for(process.wait(), STOP_WITHIN_S)


def _accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((HOST, port)) == 0

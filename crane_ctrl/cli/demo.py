"""``crane-ctrl demo``: the simulator, the supervisor and the HMI in one command (``make run``).

The simulated crane PLC is served over real Modbus TCP (or OPC UA, with ``--profile``) on
loopback and the station scans it at 20 Hz, both in a child process (``--station-only``) that
serves the seam; the HMI (or the headless printer) runs in this process, attached over the seam,
and stops the child on every way out, three demo jobs are queued and the
machine is RESET and STARTed in FULLAUTOMATIC, so the crane works within a minute. ``--headless``
prints a line per job step instead of the HMI (CI, machines without a terminal); Ctrl-C (or
SIGTERM) stops either way, the crane left safe, and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from crane_ctrl.cli.fleet_options import add_fleet_options, fleet_attach, fleet_flags
from crane_ctrl.errors import CraneCtrlError
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.shipped import GENERIC_MODBUS

__all__ = ["add_parser"]

GENERIC_PROFILE = GENERIC_MODBUS
DEFAULT_PORTS = {"modbus": 15020, "opcua": 14840}
"""The simulator's ports unless ``--port`` says otherwise (0: any free port)."""
STATION_UP_WITHIN_S = 60.0
"""The demo's station process must serve its first view within this long."""
CHILD_POLL_S = 0.1
"""While the station process starts, the launcher looks this often whether it stopped."""
CHILD_STOP_S = 15.0
"""The station process has this long to leave the crane safe and exit before it is killed."""
DEMO_LOGIN = ("operator", "1111")
"""With the demo roles, the HMI logs in as operator at start (the PIN is in the README)."""


def add_parser(commands: Any) -> None:
    demo = commands.add_parser(
        "demo", help="simulated crane + supervisor + HMI in one command, demo jobs running",
        description="Serve a simulated crane PLC on loopback, supervise it, queue demo jobs and "
        "start the crane in FULLAUTOMATIC; show the HMI (or, --headless, print job progress).",
    )  # fmt: skip
    demo.add_argument("--profile", type=Path, default=GENERIC_PROFILE, help="a shipped profile")
    demo.add_argument("--site", type=Path, help="site file (default: the border-gate site)")
    demo.add_argument("--port", type=int, help="simulator port (default 15020 Modbus, "
                      "14840 OPC UA; 0 = any free port)")  # fmt: skip
    demo.add_argument("--journal", type=Path, help="event journal (default: a new temp dir)")
    demo.add_argument("--roles", type=Path, help="HMI roles file (default: the demo PINs)")
    demo.add_argument("--headless", action="store_true", help="no HMI: print job progress")
    demo.add_argument("--seconds", type=float, help="stop after this long (default: Ctrl-C)")
    demo.add_argument("--no-jobs", action="store_true", help="queue no demo jobs, start nothing")
    demo.add_argument("--station-only", action="store_true", help=argparse.SUPPRESS)
    demo.add_argument("--socket", type=Path, help=argparse.SUPPRESS)
    demo.add_argument("--parent", type=int, help=argparse.SUPPRESS)
    add_fleet_options(demo)
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    if args.station_only:
        return _station_only(args, _journal(args))
    _check_port(args)
    journal = _journal(args)
    with _station_child(args, journal, quiet=not args.headless) as child:
        child.serving(within=STATION_UP_WITHIN_S)
        socket = child.socket
        if args.headless:
            return asyncio.run(_headless(socket, args.seconds, sys.stdout))
        from crane_ctrl.cli.hmi import attach, logging_to

        login = None if args.roles else DEMO_LOGIN  # the demo starts logged in as operator
        with logging_to(journal.with_suffix(".log")):
            return attach(socket, journal=journal, login=login, within_s=STATION_UP_WITHIN_S)


def _journal(args: argparse.Namespace) -> Path:
    if args.journal is not None:
        return Path(args.journal)
    return Path(tempfile.mkdtemp(prefix="crane-ctrl-demo-")) / "journal.sqlite"


def _check_port(args: argparse.Namespace) -> None:
    """:class:`~crane_ctrl.errors.PortInUse` at once if the simulator's port is taken (rather
    than from the station process, seconds later)."""
    from simulators.listening import check_free

    port = args.port
    if port is None:
        port = DEFAULT_PORTS[load_profile(args.profile).protocol]
    check_free("127.0.0.1", port)


@dataclass(frozen=True, slots=True)
class _StationChild:
    """The demo's station process: it serves ``socket``; its stderr goes to ``log``."""

    process: subprocess.Popen[bytes]
    socket: Path
    log: Path

    def serving(self, within: float) -> None:
        """Wait (bounded) until the station serves its socket; the station's own error (a
        :class:`CraneCtrlError`) if it stopped first."""
        deadline = time.monotonic() + within
        while not self.socket.exists():
            if time.monotonic() > deadline:
                raise CraneCtrlError(f"the demo's station did not come up within {within:g} s; "
                                     f"its log: {self.log}")  # fmt: skip
            try:
                code = self.process.wait(CHILD_POLL_S)
            except subprocess.TimeoutExpired:
                continue
            raise CraneCtrlError(self._why(code))

    def _why(self, code: int) -> str:
        """The station's own error line (``crane-ctrl: ...``), or where to look."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        said = [line.removeprefix("crane-ctrl: ") for line in text.splitlines()
                if line.startswith("crane-ctrl: ")]  # fmt: skip
        if said:
            return said[-1]
        return f"the demo's station stopped (exit {code}) before it served; its log: {self.log}"


@contextmanager
def _station_child(
    args: argparse.Namespace, journal: Path, *, quiet: bool
) -> Iterator[_StationChild]:
    """The simulator and the station in a child process serving the seam; stopped on the way
    out, whatever the way (SIGTERM, then SIGKILL after :data:`CHILD_STOP_S`). Its errors go to
    the station log beside the journal; ``quiet``: its output too (the HMI owns the terminal)."""
    where = Path(tempfile.mkdtemp(prefix="crane-ctrl-seam-"))  # mode 0700
    socket = where / "run" / "station.sock"
    command = [sys.executable, "-m", "crane_ctrl", "demo", "--station-only", "--socket",
               str(socket), "--parent", str(os.getpid()), "--journal", str(journal),
               "--profile", str(args.profile)]  # fmt: skip
    for flag, value in (("--site", args.site), ("--port", args.port), ("--roles", args.roles)):
        if value is not None:
            command += [flag, str(value)]
    command += ["--no-jobs"] if args.no_jobs else []
    command += fleet_flags(args)
    journal.parent.mkdir(parents=True, exist_ok=True)
    log_path = journal.with_suffix(".station.log")
    with contextlib.ExitStack() as owned:
        log = owned.enter_context(log_path.open("w"))
        child = subprocess.Popen(command, stdout=log if quiet else None, stderr=log)
        try:
            yield _StationChild(child, socket, log_path)
        finally:
            _stop_child(child)
            shutil.rmtree(where, ignore_errors=True)


def _stop_child(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
    try:
        child.wait(CHILD_STOP_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait(CHILD_STOP_S)


def _station_only(args: argparse.Namespace, journal: Path) -> int:
    """The demo's station process: simulator + station serving ``--socket`` until stopped."""
    from crane_ctrl.cli.station import until_stopped
    from crane_ctrl.operation.roles import DEMO_ROLES, Roles
    from crane_ctrl.runtime.demo import DEMO_JOBS, Demo, DemoOptions
    from simulators.site_file import DEFAULT_SITE, load_site

    profile = load_profile(args.profile)
    port = DEFAULT_PORTS[profile.protocol] if args.port is None else args.port
    options = DemoOptions(profile, args.profile, load_site(args.site or DEFAULT_SITE), journal,
                          port=port, jobs=() if args.no_jobs else DEMO_JOBS,
                          start=not args.no_jobs, roles=Roles.load(args.roles or DEMO_ROLES),
                          serve=args.socket, attach=fleet_attach(args, journal))  # fmt: skip
    demo = Demo(options)
    try:
        demo.start()
    except OSError as exc:
        raise CraneCtrlError(
            f"cannot start the demo on port {port}: {exc.strerror or exc}"
        ) from None
    try:
        _introduce(demo, journal)
        with until_stopped(parent=args.parent) as stop:
            stop.wait()
    finally:
        demo.stop()
    return 0


def _introduce(demo: Any, journal: Path) -> None:
    served = demo.served
    print(f"simulator: {served.protocol} {served.endpoint}; control {served.host}:"
          f"{served.control_port}; journal {journal}", flush=True)  # fmt: skip
    for note in demo.notes:
        print(f"note: {note}", flush=True)


async def _headless(socket: Path, seconds: float | None, out: TextIO) -> int:
    from crane_ctrl.realtime import sleep_unless
    from crane_ctrl.runtime.seam.client import RemoteBridge
    from hmi.progress import Progress

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    progress = Progress()
    async with RemoteBridge(socket, client="demo --headless") as bridge:
        await _connected(bridge)
        started = loop.time()
        print("headless: a line per job step; Ctrl-C stops (the crane is left safe)", file=out)
        while not stop.is_set():
            elapsed = loop.time() - started
            for line in progress.update(bridge.view):
                print(f"{elapsed:7.1f} s  {line}", file=out, flush=True)
            if seconds is not None and elapsed >= seconds:
                break
            await sleep_unless(stop, 0.1)
    print("stopping: references zero, drives disabled", file=out, flush=True)
    return 0


async def _connected(bridge: Any) -> None:
    try:
        await bridge.connected(within=STATION_UP_WITHIN_S)
    except TimeoutError:
        raise CraneCtrlError(f"the demo's station did not come up within "
                             f"{STATION_UP_WITHIN_S:g} s: {bridge.lost}") from None  # fmt: skip

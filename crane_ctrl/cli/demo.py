"""``crane-ctrl demo``: the simulator, the supervisor and the HMI in one command (``make run``).

The simulated crane PLC is served over real Modbus TCP (or OPC UA, with ``--profile``) on
loopback, the station scans it at 20 Hz in its own thread, three demo jobs are queued and the
machine is RESET and STARTed in FULLAUTOMATIC, so the crane works within a minute. ``--headless``
prints a line per job step instead of the HMI (CI, machines without a terminal); Ctrl-C (or
SIGTERM) stops either way, the crane left safe, and exits 0.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from crane_ctrl.errors import CraneCtrlError
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.shipped import GENERIC_MODBUS

__all__ = ["add_parser"]

GENERIC_PROFILE = GENERIC_MODBUS
DEFAULT_PORTS = {"modbus": 15020, "opcua": 14840}
"""The simulator's ports unless ``--port`` says otherwise (0: any free port)."""


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
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    from crane_ctrl.runtime.demo import DEMO_JOBS, Demo, DemoOptions
    from simulators.site_file import DEFAULT_SITE, load_site

    profile = load_profile(args.profile)
    port = DEFAULT_PORTS[profile.protocol] if args.port is None else args.port
    journal = args.journal or Path(tempfile.mkdtemp(prefix="crane-ctrl-demo-")) / "journal.sqlite"
    options = DemoOptions(profile, args.profile, load_site(args.site or DEFAULT_SITE), journal,
                          port=port, jobs=() if args.no_jobs else DEMO_JOBS,
                          start=not args.no_jobs)  # fmt: skip
    demo = Demo(options)
    try:
        bridge = demo.start()
    except OSError as exc:
        raise CraneCtrlError(
            f"cannot start the demo on port {port}: {exc.strerror or exc}"
        ) from None
    try:
        _introduce(demo, journal)
        if args.headless:
            return _headless(bridge, args.seconds, sys.stdout)
        return _with_hmi(bridge, args, journal)
    finally:
        demo.stop()


def _introduce(demo: Any, journal: Path) -> None:
    served = demo.served
    print(f"simulator: {served.protocol} {served.endpoint}; control {served.host}:"
          f"{served.control_port}; journal {journal}", flush=True)  # fmt: skip
    for note in demo.notes:
        print(f"note: {note}", flush=True)


def _with_hmi(bridge: Any, args: argparse.Namespace, journal: Path) -> int:
    from crane_ctrl.cli.hmi import logging_to
    from crane_ctrl.operation.machine import Role
    from crane_ctrl.operation.roles import DEMO_ROLES, Roles
    from crane_ctrl.runtime.station import User
    from hmi.app import CraneHmi

    roles = Roles.load(args.roles or DEMO_ROLES)
    operator = User("operator", Role.OPERATOR)  # the demo starts logged in as operator
    with logging_to(journal.with_suffix(".log")):
        CraneHmi(bridge, roles, user=operator, journal_path=journal).run()
    return 0


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM, for as long as the block runs."""
    stop = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _headless(bridge: Any, seconds: float | None, out: TextIO) -> int:
    from hmi.progress import Progress

    progress = Progress()
    started = time.monotonic()
    print("headless: a line per job step; Ctrl-C stops (the crane is left safe)", file=out)
    with _stop_on_signals() as stop:
        while not stop.wait(0.1):
            elapsed = time.monotonic() - started
            for line in progress.update(bridge.view):
                print(f"{elapsed:7.1f} s  {line}", file=out, flush=True)
            if seconds is not None and elapsed >= seconds:
                break
    print("stopping: references zero, drives disabled", file=out, flush=True)
    return 0

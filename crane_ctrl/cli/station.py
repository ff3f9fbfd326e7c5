"""``crane-ctrl station``: the station headless, serving the seam for HMIs to attach to.

``crane-ctrl station --profile P --plc URL [--socket PATH]`` scans the PLC and serves the seam
(:mod:`crane_ctrl.runtime.seam`) until Ctrl-C or SIGTERM, then leaves the crane safe;
``crane-ctrl hmi --connect PATH`` attaches an HMI to it. The station holds the roles file: every
PIN and every session is checked here, never in the HMI.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from crane_ctrl.cli.fleet_options import add_fleet_options, fleet_attach
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.runtime.scan_priority import (
    SCAN_NICE,
    SCAN_NICE_ENV,
    default_scan_nice,
    parse_nice,
)

__all__ = ["PARENT_POLL_S", "add_parser", "add_scan_nice", "scan_nice", "until_stopped"]

PARENT_POLL_S = 0.5
"""How often a station started by another process checks that its parent still runs."""


def add_parser(commands: Any) -> None:
    station = commands.add_parser("station", help="the station headless, serving HMIs over "
                                  "the seam (crane-ctrl hmi --connect)")  # fmt: skip
    station.add_argument("--profile", type=Path, required=True, help="the PLC's profile")
    station.add_argument("--plc", metavar="URL", required=True,
                         help="modbus://host:port or opc.tcp://host:port/path")  # fmt: skip
    station.add_argument("--site", type=Path, help="site file: crane, layout, yard at start")
    station.add_argument("--journal", type=Path, help="event journal (default "
                         "$CRANE_CTRL_JOURNAL or ~/.local/state/crane-ctrl/)")  # fmt: skip
    station.add_argument("--roles", type=Path, help="roles file with hashed PINs (default: demo)")
    station.add_argument("--socket", type=Path, help="the seam's socket (default "
                         "$XDG_RUNTIME_DIR/crane-ctrl/station.sock)")  # fmt: skip
    add_scan_nice(station)
    add_fleet_options(station)
    station.set_defaults(handler=_station)


def add_scan_nice(parser: Any) -> None:
    """``--scan-nice N``: the scan thread's priority (:mod:`crane_ctrl.runtime.scan_priority`)."""
    parser.add_argument("--scan-nice", type=_nice, metavar="N",
                        help=f"the scan's nice value, -20..19 (default {SCAN_NICE} or "
                        f"${SCAN_NICE_ENV}: ahead of ordinary work, where the process may "
                        "raise it; 0 keeps the priority it was started with)")  # fmt: skip


def scan_nice(args: argparse.Namespace) -> int:
    """``--scan-nice``, else the default (:func:`~crane_ctrl.runtime.scan_priority.
    default_scan_nice`)."""
    return args.scan_nice if args.scan_nice is not None else default_scan_nice()


def _nice(text: str) -> int:
    try:
        return parse_nice(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _station(args: argparse.Namespace) -> int:
    from crane_ctrl.operation.roles import DEMO_ROLES, Roles
    from crane_ctrl.runtime.host import StationConfig, StationRuntime
    from crane_ctrl.runtime.journal import default_path
    from crane_ctrl.runtime.seam import default_socket
    from simulators.site_file import DEFAULT_SITE, load_site

    socket = args.socket or default_socket()
    journal = args.journal or default_path()
    config = StationConfig(
        load_profile(args.profile), args.profile, load_site(args.site or DEFAULT_SITE),
        journal, plc=args.plc, roles=Roles.load(args.roles or DEMO_ROLES), serve=socket,
        attach=fleet_attach(args, journal), scan_nice=scan_nice(args),
    )  # fmt: skip
    runtime = StationRuntime(config)
    runtime.start()
    try:
        print(f"station: serving {socket}; Ctrl-C stops (the crane is left safe)", flush=True)
        with until_stopped() as stop:
            stop.wait()
    finally:
        runtime.stop()
    return 0


@contextmanager
def until_stopped(parent: int | None = None) -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM (or, with ``parent``, when that process is gone)."""
    stop = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGINT, signal.SIGTERM)}
    watcher = threading.Thread(target=_watch_parent, args=(parent, stop), daemon=True)
    if parent is not None:
        watcher.start()
    try:
        yield stop
    finally:
        stop.set()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if watcher.is_alive():
            watcher.join(2 * PARENT_POLL_S)


def _watch_parent(parent: int, stop: threading.Event) -> None:
    while not stop.wait(PARENT_POLL_S):
        if os.getppid() != parent:
            stop.set()

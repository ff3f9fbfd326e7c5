"""``crane-ctrl hmi``: the station and the HMI on a real PLC.

``crane-ctrl hmi --profile P --plc URL`` scans the PLC from a thread of its own and runs the
Textual HMI in the foreground; a profile swap from the HMI links to the same ``--plc`` with the
new profile. ``crane-ctrl hmi --connect PATH`` attaches the HMI to a station running in another
process (``crane-ctrl station``) over the seam; a lost station shows on every screen and the HMI
reconnects when it is back. Users and their PINs: ``crane-ctrl roles`` (:mod:`.roles`).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from crane_ctrl import log_redaction
from crane_ctrl.errors import CraneCtrlError
from crane_ctrl.profile.loader import load_profile

__all__ = ["add_parsers", "attach", "logging_to", "read_pin"]


def add_parsers(commands: Any) -> None:
    hmi = commands.add_parser("hmi", help="the operator and maintenance HMI on a real PLC, or "
                              "attached to a running station (--connect)")  # fmt: skip
    hmi.add_argument("--connect", metavar="PATH", type=Path,
                     help="attach to the station serving this socket")  # fmt: skip
    hmi.add_argument("--profile", type=Path, help="the PLC's profile (without --connect)")
    hmi.add_argument("--plc", metavar="URL",
                     help="modbus://host:port or opc.tcp://... (without --connect)")  # fmt: skip
    hmi.add_argument("--site", type=Path, help="site file: crane, layout, yard at start")
    hmi.add_argument("--journal", type=Path, help="event journal (default $CRANE_CTRL_JOURNAL "
                     "or ~/.local/state/crane-ctrl/journal.sqlite)")  # fmt: skip
    hmi.add_argument("--roles", type=Path, help="roles file with hashed PINs (default: demo)")
    hmi.set_defaults(handler=_hmi)


def _hmi(args: argparse.Namespace) -> int:
    if args.connect is not None:
        with logging_to((args.journal or args.connect).with_suffix(".hmi.log")):
            return attach(args.connect, journal=args.journal)
    if args.profile is None or args.plc is None:
        raise CraneCtrlError("crane-ctrl hmi needs --profile and --plc, or --connect PATH")
    from crane_ctrl.operation.roles import DEMO_ROLES, Roles
    from crane_ctrl.runtime.host import StationConfig, StationRuntime
    from crane_ctrl.runtime.journal import default_path
    from hmi.app import CraneHmi
    from simulators.site_file import DEFAULT_SITE, load_site

    profile = load_profile(args.profile)
    roles = Roles.load(args.roles or DEMO_ROLES)
    journal = args.journal or default_path()
    site = load_site(args.site or DEFAULT_SITE)
    config = StationConfig(profile, args.profile, site, journal, plc=args.plc, roles=roles)
    runtime = StationRuntime(config)
    bridge = runtime.start()
    try:
        app = CraneHmi(bridge, journal_path=journal)
        with logging_to(journal.with_suffix(".log")):
            app.run()
    finally:
        runtime.stop()
    return app.return_code or 0


def attach(
    socket: Path, *, journal: Path | None = None, login: tuple[str, str] | None = None,
    within_s: float = 30.0,
) -> int:  # fmt: skip
    """The HMI on the station serving ``socket`` until the operator quits (Ctrl-Q): 0, or the
    app's own exit status (1 when it stopped on an error); ``login`` (role, PIN): log in at
    start (the demo's operator)."""
    from crane_ctrl.operation.machine import Role
    from crane_ctrl.runtime.seam.client import RemoteBridge
    from hmi.app import CraneHmi

    async def main() -> int:
        async with RemoteBridge(socket) as bridge:
            try:
                await bridge.connected(within=within_s)
            except TimeoutError:
                raise CraneCtrlError(f"no station at {socket} within {within_s:g} s: "
                                     f"{bridge.lost}") from None  # fmt: skip
            user = None if login is None else await bridge.login(Role(login[0]), login[1])
            hmi = CraneHmi(bridge, user=user, journal_path=journal, notes=bridge.notes)
            await hmi.run_async()
            return hmi.return_code or 0

    return asyncio.run(main())


@contextmanager
def logging_to(path: Path) -> Iterator[None]:
    """Log lines go to ``path`` while the HMI owns the terminal (they would tear its screen)."""
    root = logging.getLogger()
    saved = root.handlers[:]
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.handlers = [handler]
    log_redaction.install(root)
    try:
        yield
    finally:
        root.handlers = saved
        handler.close()


def read_pin(prompt: str = "PIN: ") -> str:
    """A PIN typed twice without echo; ``CraneCtrlError`` if the two differ."""
    pin = getpass.getpass(prompt)
    if getpass.getpass("again: ") != pin:
        raise CraneCtrlError("the two PINs differ; nothing printed")
    return pin

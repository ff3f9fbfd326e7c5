"""``crane-ctrl dispatch``: the TOS dispatcher of one yard block.

``crane-ctrl dispatch --broker mqtt://host:port --block B --user U --pin-file F [--site S]``
takes job orders from a terminal operating system on ``crane-ctrl/tos/v1/B/orders`` and gives
them to the cranes of block ``B`` (their Sparkplug group), logged in at each station as ``U``
(an operator of the stations' roles files), and publishes what becomes of each order on
``crane-ctrl/tos/v1/B/events`` (docs/fleet.md, "Job orders from a TOS"). The PIN comes from a
file (``--pin-file``, or ``$CRANE_CTRL_DISPATCH_PIN_FILE``), never the command line, and is
never logged. The orders are kept in ``--store`` (default ``dispatch-B.sqlite`` beside the
journal) so a restart loses none. It runs until interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from pathlib import Path
from typing import Any

from crane_ctrl.errors import FleetError
from crane_ctrl.fleet.broker import URL_HELP

__all__ = ["PIN_FILE_ENV", "add_parser"]

PIN_FILE_ENV = "CRANE_CTRL_DISPATCH_PIN_FILE"
"""A file holding the dispatcher user's PIN (its first line), when ``--pin-file`` is not given."""

HELP = "the TOS dispatcher of a yard block: job orders in, jobs to its cranes, events out"


def add_parser(commands: Any) -> None:
    p = commands.add_parser("dispatch", help=HELP)
    p.add_argument("--broker", metavar="URL", required=True, help=URL_HELP)
    p.add_argument("--block", metavar="ID", required=True,
                   help="the yard block: the cranes' Sparkplug group")  # fmt: skip
    p.add_argument("--user", metavar="U", required=True,
                   help="the dispatcher's login at the stations (an operator)")  # fmt: skip
    p.add_argument("--pin-file", metavar="F", type=Path,
                   help=f"a file holding the user's PIN (default: ${PIN_FILE_ENV})")  # fmt: skip
    p.add_argument("--site", metavar="FILE", type=Path,
                   help="the block's site file: slots checked on intake, the nearest crane "
                   "by gantry position (default: any slot, any crane of the block)")  # fmt: skip
    p.add_argument("--store", metavar="FILE", type=Path,
                   help="the orders' SQLite file (default: dispatch-BLOCK.sqlite beside the "
                   "journal)")  # fmt: skip
    p.set_defaults(handler=_dispatch)


def read_pin(path: Path | None) -> str:
    """The PIN from ``path`` or :data:`PIN_FILE_ENV`; :class:`FleetError` saying what to do."""
    where = path or (Path(os.environ[PIN_FILE_ENV]) if os.environ.get(PIN_FILE_ENV) else None)
    if where is None:
        raise FleetError(f"--pin-file: give the file holding the dispatcher's PIN (or set "
                         f"{PIN_FILE_ENV}); never the PIN itself")  # fmt: skip
    try:
        lines = where.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise FleetError(f"--pin-file: cannot read {where}: {exc.strerror}") from None
    if not lines or not lines[0].strip():
        raise FleetError(f"--pin-file: {where} is empty: its first line is the PIN")
    return lines[0].strip()


def _dispatch(args: argparse.Namespace) -> int:
    import logging

    from crane_ctrl.fleet.broker import Broker, Credentials
    from crane_ctrl.fleet.dispatch_service import DispatchConfig
    from crane_ctrl.runtime.journal import default_path

    site = None
    if args.site is not None:
        from simulators.site_file import load_site

        site = load_site(args.site).site
    store = args.store or default_path().with_name(f"dispatch-{args.block}.sqlite")
    store.parent.mkdir(parents=True, exist_ok=True)
    config = DispatchConfig(Broker.parse(args.broker), args.block, args.user,
                            read_pin(args.pin_file), store, site,
                            Credentials.from_env())  # fmt: skip
    logging.getLogger("crane_ctrl").setLevel(logging.INFO)
    try:
        asyncio.run(_run(config))
    except KeyboardInterrupt:
        return 0
    return 0


async def _run(config: Any) -> None:
    """Until Ctrl-C or SIGTERM (``crane-ctrl fleet demo`` stops it so): the service leaves
    the broker cleanly either way."""
    from crane_ctrl.fleet.dispatch_service import DispatchService
    from crane_ctrl.realtime import MonotonicClock

    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with DispatchService(config, MonotonicClock()):
        print(f"crane-ctrl dispatch: block {config.block} on {config.broker}, orders on "
              f"crane-ctrl/tos/v1/{config.block}/orders (Ctrl-C stops)", flush=True)  # fmt: skip
        await stop.wait()

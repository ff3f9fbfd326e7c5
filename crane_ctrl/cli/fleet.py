"""``crane-ctrl fleet demo``: a yard block of simulated cranes on one machine, the dispatcher, a
stand-in TOS and the operations centre's HMI, in one command.

``crane-ctrl fleet demo [--cranes N] [--broker URL] [--no-orders] [--headless]`` starts
Mosquitto on a free loopback port (or uses ``--broker``), N cranes (each a process: a simulated
PLC and its station, a Sparkplug B edge node of the block), the dispatcher, random valid TOS
orders that keep every crane at work, and the operations-centre HMI in the foreground. Ctrl-Q
(or SIGINT, SIGTERM) stops everything, each crane left safe; ``--headless`` prints a line every
few seconds instead of the HMI. A broker login comes from the environment
(``CRANE_CTRL_MQTT_USERNAME``, ``CRANE_CTRL_MQTT_PASSWORD_FILE``), for every process alike.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from pathlib import Path
from typing import Any, TextIO

from crane_ctrl.cli.fleet_crane import add_crane_parser

__all__ = ["add_parser"]

STATUS_EVERY_S = 5.0
"""``--headless`` prints the block's state this often."""


def add_parser(commands: Any) -> None:
    from crane_ctrl.fleet.fleet_demo import DEFAULT_CRANES, MAX_CRANES

    fleet = commands.add_parser("fleet", help="a yard block of simulated cranes on one machine")
    sub = fleet.add_subparsers(dest="fleet", metavar="WHAT", required=True)
    demo = sub.add_parser(
        "demo", help="broker, N simulated cranes, dispatcher, TOS orders and the ops HMI",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    demo.add_argument("--cranes", type=int, default=DEFAULT_CRANES, metavar="N",
                      help=f"cranes of the block, 1 to {MAX_CRANES} (default %(default)s: what "
                      "two busy cores keep on time)")  # fmt: skip
    demo.add_argument("--broker", metavar="URL", help="use this broker (default: start "
                      "Mosquitto on a free loopback port)")  # fmt: skip
    demo.add_argument("--block", default="block-A", help="the yard block: the Sparkplug group")
    demo.add_argument("--site", type=Path, help="the block's site file (default: border-gate)")
    demo.add_argument("--no-orders", action="store_true", help="no TOS orders: the cranes wait "
                      "for yours on crane-ctrl/tos/v1/BLOCK/orders")  # fmt: skip
    demo.add_argument("--semiautomatic", type=int, default=0, metavar="K",
                      help="the last K cranes in SEMIAUTOMATIC: their truck landings wait in "
                      "the remote-operator queue")  # fmt: skip
    demo.add_argument("--headless", action="store_true", help="no HMI: a status line every "
                      f"{STATUS_EVERY_S:g} s")  # fmt: skip
    demo.add_argument("--seconds", type=float, help="stop after this long (default: Ctrl-Q)")
    demo.add_argument("--workdir", type=Path, help="journals, logs and sockets (default: a "
                      "new private temporary folder)")  # fmt: skip
    demo.set_defaults(handler=_demo)
    add_crane_parser(sub)


def _demo(args: argparse.Namespace) -> int:
    import sys

    from crane_ctrl.cli.hmi import logging_to
    from crane_ctrl.fleet.fleet_demo import private_workdir

    options = _options(args, private_workdir(args.workdir))
    if args.headless:
        return asyncio.run(_run(options, args.seconds, sys.stdout, hmi=False))
    with logging_to(options.workdir / "fleet-demo.log"):
        return asyncio.run(_run(options, args.seconds, sys.stdout, hmi=True))


def _options(args: argparse.Namespace, workdir: Path) -> Any:
    from crane_ctrl.fleet.broker import Broker, Credentials
    from crane_ctrl.fleet.demo_orders import Box
    from crane_ctrl.fleet.fleet_demo import FleetDemoOptions
    from crane_ctrl.fleet.topics import check_id
    from simulators.site_file import load_site

    check_id(args.block, "the block (--block)")
    site = load_site(args.site) if args.site else load_site()
    boxes = tuple(Box(c.id, c.slot, c.size_ft) for c in site.containers
                  if c.slot.startswith("truck:"))  # fmt: skip
    standing = tuple((c.slot, c.size_ft) for c in site.containers if c.slot.startswith("stack:"))
    return FleetDemoOptions(
        args.cranes, workdir, site.site, boxes, standing, args.site,
        Broker.parse(args.broker) if args.broker else None, Credentials.from_env(), args.block,
        orders=not args.no_orders and bool(boxes),
        semiautomatic=min(args.semiautomatic, args.cranes),
    )  # fmt: skip


async def _run(options: Any, seconds: float | None, out: TextIO, *, hmi: bool) -> int:
    from crane_ctrl.fleet.fleet_demo import fleet_demo
    from crane_ctrl.realtime import MonotonicClock

    def say(line: str) -> None:
        print(line, file=out, flush=True)

    async with fleet_demo(options, MonotonicClock(), say=say) as fleet:
        if hmi:
            code = await _hmi(fleet, seconds)
        else:
            code = await _headless(fleet, seconds, say)
        say("stopping: every crane left safe, the broker last")
    return code


async def _hmi(fleet: Any, seconds: float | None) -> int:
    from hmi.ops.app import OpsHmi

    app = OpsHmi(fleet.host.view)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, app.exit)
    if seconds is not None:
        loop.call_later(seconds, app.exit)
    await app.run_async()
    return app.return_code or 0


async def _headless(fleet: Any, seconds: float | None, say: Any) -> int:
    from crane_ctrl.realtime import sleep_unless

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    if seconds is not None:
        loop.call_later(seconds, stop.set)
    started = loop.time()
    say("headless: a line every few seconds; Ctrl-C stops")
    while not stop.is_set():
        await sleep_unless(stop, STATUS_EVERY_S)
        say(f"{loop.time() - started:7.1f} s  {_status(fleet)}")
    return 0


def _status(fleet: Any) -> str:
    view = fleet.host.view()
    online = sum(1 for c in view.cranes if c.online)
    jobs = ", ".join(f"{c.key.node} {c.text('Job/State') or c.text('Operation/State') or '-'}"
                     for c in view.cranes)  # fmt: skip
    done = f"; orders done {fleet.orders.done}" if fleet.orders is not None else ""
    return f"{online}/{len(fleet.block.cranes)} online{done}; {jobs}"

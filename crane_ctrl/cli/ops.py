"""``crane-ctrl ops``: the operations centre, a Sparkplug B primary host with its HMI.

``crane-ctrl ops --broker mqtt://host:port [--group G] [--host-id ID]`` connects to the broker
as the primary host application ``ID`` (its ``STATE`` online; edge nodes started with
``--primary-host ID`` wait for it and are born then) and shows every crane of the fleet (or of
group ``G``) in the Textual HMI until the operator quits (Ctrl-Q). A broker not reachable at
start stops it with one line saying so and what to do; a broker lost later shows on every
screen, every crane stale, while the host connects again. Log lines go to a file (``--log``):
the HMI owns the terminal. A broker login comes from the environment, as for an edge node.

The operator logs in inside the HMI (``L``: user, role, PIN in a masked field; never on the
command line, never logged); the HMI's commands go to each crane as that operator, from
``ops:ID`` (:class:`~crane_ctrl.fleet.remote_operator.RemoteOperator`).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crane_ctrl.fleet.broker import URL_HELP

if TYPE_CHECKING:
    from crane_ctrl.fleet.primary_host import PrimaryHostConfig

__all__ = ["BROKER_WAIT_S", "DEFAULT_HOST_ID", "add_parser"]

DEFAULT_HOST_ID = "ops"
"""The operations centre's Sparkplug host id unless ``--host-id`` names another."""
BROKER_WAIT_S = 5.0
"""How long ``crane-ctrl ops`` waits for the broker at start before it says it is not there (a
broker started at the same time gets that long to listen)."""


HELP = (
    "the operations centre: every crane of the fleet from its Sparkplug B edge node (a "
    "primary host application and its HMI)"
)


def add_parser(commands: Any) -> None:
    ops = commands.add_parser("ops", help=HELP)
    ops.add_argument("--broker", metavar="URL", required=True, help=URL_HELP)
    ops.add_argument("--group", metavar="ID", help="watch this Sparkplug group (yard block) "
                     "only (default: every group on the broker)")  # fmt: skip
    ops.add_argument("--host-id", metavar="ID", default=DEFAULT_HOST_ID,
                     help="the Sparkplug host id (default %(default)s): nodes started with "
                     "--primary-host ID publish while it is online")  # fmt: skip
    ops.add_argument(
        "--broker-wait",
        metavar="S",
        type=float,
        default=BROKER_WAIT_S,
        help="how long to wait for the broker at start (default %(default)s s)",
    )
    ops.add_argument("--log", type=Path, help="log file (default: ops.log beside the journal, "
                     "~/.local/state/crane-ctrl/)")  # fmt: skip
    ops.set_defaults(handler=_ops)


def _ops(args: argparse.Namespace) -> int:
    from crane_ctrl.cli.hmi import logging_to
    from crane_ctrl.fleet.broker import Broker, Credentials
    from crane_ctrl.fleet.primary_host import PrimaryHostConfig
    from crane_ctrl.runtime.journal import default_path

    config = PrimaryHostConfig(Broker.parse(args.broker), args.host_id, args.group,
                               Credentials.from_env())  # fmt: skip
    with logging_to(args.log or default_path().with_name("ops.log")):
        return asyncio.run(_run(config, args.broker_wait))


async def _run(config: PrimaryHostConfig, wait_s: float) -> int:
    from crane_ctrl.fleet.primary_host import PrimaryHost
    from crane_ctrl.fleet.remote_operator import RemoteOperator
    from crane_ctrl.realtime import MonotonicClock
    from hmi.ops.app import OpsHmi

    remote = RemoteOperator(config.broker, config.host_id, credentials=config.credentials)
    async with PrimaryHost(config, MonotonicClock()) as host, remote:
        await host.connected(within_s=wait_s)
        app = OpsHmi(host.view, commands=remote)
        await app.run_async()
        return app.return_code or 0

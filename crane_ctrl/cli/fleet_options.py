"""``--broker``, ``--group``, ``--node``, ``--primary-host``: the options that make a station a
Sparkplug B edge node (``crane-ctrl run``, ``crane-ctrl station``, ``crane-ctrl demo``).

A broker login comes from the environment only (:mod:`crane_ctrl.fleet.broker`), never from the
command line. The node's store goes beside the journal.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crane_ctrl.errors import FleetError
from crane_ctrl.fleet.broker import PASSWORD_FILE_ENV, URL_HELP, USERNAME_ENV

if TYPE_CHECKING:
    from crane_ctrl.fleet.edge_node import EdgeNodeConfig
    from crane_ctrl.runtime.host import Attach

__all__ = ["add_fleet_options", "fleet_attach", "fleet_config", "fleet_flags"]


def add_fleet_options(parser: Any) -> None:
    fleet = parser.add_argument_group(
        "fleet", f"be a Sparkplug B edge node (broker login: ${USERNAME_ENV}, ${PASSWORD_FILE_ENV})"
    )
    fleet.add_argument("--broker", metavar="URL", help=URL_HELP)
    fleet.add_argument("--group", metavar="ID", help="Sparkplug group id: the yard block")
    fleet.add_argument("--node", metavar="ID", help="Sparkplug edge node id: the crane")
    fleet.add_argument("--primary-host", metavar="ID", help="publish only while this "
                       "host application is online (its STATE); store meanwhile")  # fmt: skip


def fleet_config(args: argparse.Namespace, journal: Path) -> EdgeNodeConfig | None:
    """The edge node the options ask for (``None`` without ``--broker``); its store beside
    ``journal``. :class:`FleetError` naming the option that is wrong or missing."""
    from crane_ctrl.fleet.broker import Broker, Credentials
    from crane_ctrl.fleet.edge_node import EdgeNodeConfig
    from crane_ctrl.fleet.store_forward import store_path
    from crane_ctrl.fleet.topics import NodeTopics, state_topic

    if args.broker is None:
        given = [f for f in ("group", "node", "primary_host") if getattr(args, f) is not None]
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise FleetError(f"{flag} needs --broker mqtt://host:port")
        return None
    for flag in ("group", "node"):
        if getattr(args, flag) is None:
            raise FleetError(f"--broker needs --{flag} (the Sparkplug {flag} id)")
    topics = NodeTopics.of(args.group, args.node)
    if args.primary_host is not None:
        state_topic(args.primary_host)  # checks the id
    return EdgeNodeConfig(Broker.parse(args.broker), topics,
                          store_path(journal, topics.group, topics.node),
                          primary_host=args.primary_host,
                          credentials=Credentials.from_env())  # fmt: skip


def fleet_attach(args: argparse.Namespace, journal: Path) -> tuple[Attach, ...]:
    """What :attr:`~crane_ctrl.runtime.host.StationConfig.attach` takes for these options."""
    from crane_ctrl.fleet.station_node import station_edge_node

    config = fleet_config(args, journal)
    return () if config is None else (station_edge_node(config),)


def fleet_flags(args: argparse.Namespace) -> list[str]:
    """The options again, for a child process (``crane-ctrl demo``'s station)."""
    out: list[str] = []
    for flag in ("broker", "group", "node", "primary_host"):
        value = getattr(args, flag)
        if value is not None:
            out += ["--" + flag.replace("_", "-"), str(value)]
    return out

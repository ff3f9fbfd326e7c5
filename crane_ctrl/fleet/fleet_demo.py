"""``crane-ctrl fleet demo``: a whole yard block on one machine, owned by one ``async with``.

::

    async with fleet_demo(options, clock, say=print) as fleet:
        app = OpsHmi(fleet.host.view)     # the operations centre's view of the block
        ...

In order: a Mosquitto on a free loopback port (:class:`~crane_ctrl.fleet.mosquitto.
MosquittoProcess`; or the broker given), the operations centre's primary host (this process), the
block's cranes (:class:`~crane_ctrl.fleet.demo_block.DemoBlock`: each a process with its
simulated PLC and its station, an edge node waiting for the primary host), the dispatcher
(``crane-ctrl dispatch`` in a process of its own, logged in at every crane as a user of the
run's roles file, its PIN from a private file, deleted once it has read it) and, with
``orders``, a stand-in TOS that keeps every crane at work
(:class:`~crane_ctrl.fleet.demo_orders.DemoOrders`). Leaving the block stops them in the reverse
order, each bounded; nothing is left running and every port is closed.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from crane_ctrl.clock import Clock
from crane_ctrl.errors import FleetError
from crane_ctrl.fleet.broker import Broker, Credentials
from crane_ctrl.fleet.demo_block import CODE_ROOT, BlockPlan, DemoBlock, node_id
from crane_ctrl.fleet.demo_logins import DemoLogins, demo_logins
from crane_ctrl.fleet.demo_orders import Box, DemoOrders
from crane_ctrl.fleet.mosquitto import MosquittoProcess
from crane_ctrl.fleet.primary_host import PrimaryHost, PrimaryHostConfig
from crane_ctrl.runtime.children import ChildGroup
from crane_ctrl.site import SiteLayout

__all__ = [
    "DEFAULT_CRANES",
    "MAX_CRANES",
    "FleetDemoOptions",
    "RunningFleet",
    "fleet_demo",
    "private_workdir",
]

DEFAULT_CRANES = 4
"""Cranes of the demo unless ``--cranes`` says otherwise: each is 9-15 % of a core at work, and
two busy cores kept 8 on time (``crane-ctrl bench fleet``); 4 leave room for the HMI."""
MAX_CRANES = 20
"""More cranes than this on one machine are refused (20 already overload two cores: a
terminal's fleet runs each crane on its own computer, the broker on a cluster)."""
BROKER_WITHIN_S = 10.0
"""The operations centre's host must be online on the broker within this long."""
DISPATCHER_UP_WITHIN_S = 60.0


@dataclass(frozen=True, slots=True)
class FleetDemoOptions:
    cranes: int
    workdir: Path
    site: SiteLayout
    boxes: tuple[Box, ...]
    """What the stand-in TOS moves (the site's boxes on trucks)."""
    standing: tuple[tuple[str, int], ...]
    """The site's other boxes in the stack (slot, size): the TOS keeps clear of them."""
    site_file: Path | None = None
    broker: Broker | None = None
    """``None``: start a Mosquitto on loopback."""
    credentials: Credentials | None = None
    group: str = "block-A"
    host_id: str = "ops"
    orders: bool = True
    semiautomatic: int = 0
    """The last this many cranes start in SEMIAUTOMATIC: their truck landings wait for a remote
    operator (the operations centre's queue)."""

    def __post_init__(self) -> None:
        if not 1 <= self.cranes <= MAX_CRANES:
            raise FleetError(f"--cranes: 1 to {MAX_CRANES} on one machine, not {self.cranes}")


@dataclass(frozen=True, slots=True)
class RunningFleet:
    broker: Broker
    host: PrimaryHost
    block: DemoBlock
    orders: DemoOrders | None
    logins: DemoLogins
    workdir: Path


@asynccontextmanager
async def fleet_demo(options: FleetDemoOptions, clock: Clock, *,
                     say: Callable[[str], None]) -> AsyncIterator[RunningFleet]:  # fmt: skip
    """Everything up (``say`` tells each step), then the block; everything down after."""
    o = options
    async with AsyncExitStack() as owned:
        broker = o.broker
        if broker is None:
            broker = (await owned.enter_async_context(MosquittoProcess(o.workdir))).broker
            say(f"broker: Mosquitto at {broker} (log {o.workdir / 'mosquitto.log'})")
        logins = demo_logins(o.workdir / "logins")
        host = PrimaryHost(PrimaryHostConfig(broker, o.host_id, o.group, o.credentials), clock)
        await owned.enter_async_context(host)
        await host.connected(within_s=BROKER_WITHIN_S)
        say(f"operations centre: primary host {o.host_id!r} online; starting {o.cranes} "
            f"crane(s) of {o.group} ...")  # fmt: skip
        block = await owned.enter_async_context(DemoBlock(_plan(o, broker, logins)))
        say(f"cranes: {', '.join(c.name for c in block.cranes)} running (logs in {o.workdir})")
        await owned.enter_async_context(_dispatcher(o, broker, logins))
        say(f"dispatcher: {logins.dispatcher.user} at every crane of {o.group}")
        orders = None
        if o.orders:
            orders = DemoOrders(broker, o.group, [c.name for c in block.cranes], o.boxes,
                                o.site, o.standing, credentials=o.credentials)  # fmt: skip
            await owned.enter_async_context(orders)
            say("TOS: an order at a time for every crane, on crane-ctrl/tos/v1/"
                f"{o.group}/orders")  # fmt: skip
        yield RunningFleet(broker, host, block, orders, logins, o.workdir)


def _plan(o: FleetDemoOptions, broker: Broker, logins: DemoLogins) -> BlockPlan:
    semi = frozenset(node_id(i) for i in range(o.cranes - o.semiautomatic + 1, o.cranes + 1))
    return BlockPlan(o.cranes, o.workdir, logins.roles, o.group, broker, o.host_id, o.site_file,
                     semiautomatic=semi)  # fmt: skip


@asynccontextmanager
async def _dispatcher(o: FleetDemoOptions, broker: Broker, logins: DemoLogins
                      ) -> AsyncIterator[None]:  # fmt: skip
    """``crane-ctrl dispatch`` for the block, up (its line said so) until the block ends."""
    argv = [sys.executable, "-m", "crane_ctrl", "dispatch", "--broker", str(broker), "--block",
            o.group, "--user", logins.dispatcher.user, "--pin-file",
            str(logins.dispatcher_pin_file), "--store",
            str(o.workdir / "dispatch.sqlite")]  # fmt: skip
    argv += ["--site", str(o.site_file)] if o.site_file is not None else []
    log_path = o.workdir / "dispatch.log"
    with log_path.open("ab") as log:
        async with ChildGroup(name="dispatcher") as group:
            process = await group.spawn(*argv, stdout=subprocess.PIPE, stderr=log, cwd=CODE_ROOT)
            await _said(process, "crane-ctrl dispatch: block", log_path)
            logins.dispatcher_pin_file.unlink()  # read at its start: no PIN left on disk
            yield


async def _said(process: asyncio.subprocess.Process, start: str, log: Path) -> None:
    assert process.stdout is not None
    try:
        async with asyncio.timeout(DISPATCHER_UP_WITHIN_S):
            while line := (await process.stdout.readline()).decode():
                if line.startswith(start):
                    return
    except TimeoutError:
        raise FleetError(f"the dispatcher did not come up within {DISPATCHER_UP_WITHIN_S:g} "
                         f"s; its log: {log}") from None  # fmt: skip
    await process.wait()
    raise FleetError(f"the dispatcher stopped at start (exit {process.returncode}): {log}")


def private_workdir(given: Path | None) -> Path:
    """The run's folder: ``given`` (made private), or a new one in the temporary folder."""
    import tempfile

    where = given or Path(tempfile.mkdtemp(prefix="crane-ctrl-fleet-"))
    where.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(where, 0o700)
    return where

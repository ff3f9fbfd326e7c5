"""``crane-ctrl run``: supervise a real or simulated PLC headless, with logging.

``--plc`` overrides where the profile says the PLC is: ``modbus://host:port`` or an
``opc.tcp://host:port/path`` endpoint. ``--site`` is the site file (the simulator's format:
``[crane]`` and ``[site]``; default the shipped border-gate site): every speed, height and
clearance the supervisor checks comes from its crane and layout. Ctrl-C (or SIGTERM) ends the
scan loop, which writes zero references and disables the drives before the process exits.

It prints a status line every :data:`STATUS_EVERY_S` (``--status-every``): time of day, link and
comms, scan count and p99, alarms, what blocks motion (and, as an edge node, the node's state).
``--quiet`` prints none (``-v`` logs the start and the stop instead).

``--broker mqtt://host:port --group BLOCK --node CRANE`` makes the supervisor a Sparkplug B edge
node (:mod:`crane_ctrl.fleet`): each scan's view is left in its hand-over slot (constant time);
the broker never delays a scan, and safety never depends on it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crane_ctrl.cli.fleet_options import add_fleet_options, fleet_config
from crane_ctrl.cli.station import add_scan_nice, scan_nice
from crane_ctrl.errors import CraneCtrlError
from crane_ctrl.links.url import make_link
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.model import Profile
from crane_ctrl.realtime import MonotonicClock

if TYPE_CHECKING:
    from crane_ctrl.fleet.edge_node import EdgeNode, EdgeNodeConfig, NodeStats
    from crane_ctrl.runtime.supervisor import Supervisor, SupervisorSettings, SupervisorView

__all__ = ["STATUS_EVERY_S", "Supervision", "add_parser", "status_line", "supervision"]

log = logging.getLogger("crane_ctrl.run")

STATUS_EVERY_S = 5.0
"""Seconds between two status lines unless ``--status-every`` says otherwise."""


def add_parser(commands: Any) -> None:
    run = commands.add_parser("run", help="supervise a PLC headless (logs to stderr)")
    run.add_argument("--profile", type=Path, required=True, help="the PLC's profile")
    run.add_argument("--plc", metavar="URL", help="modbus://host:port or opc.tcp://host:port/path")
    run.add_argument("--site", type=Path, metavar="FILE", help="site file: the crane's parameters "
                     "and the site layout (default: the border-gate site)")  # fmt: skip
    run.add_argument("--seconds", type=float, help="stop after this long (default: until Ctrl-C)")
    run.add_argument("--journal", type=Path, help="event journal (default $CRANE_CTRL_JOURNAL or "
                     "~/.local/state/crane-ctrl/journal.sqlite)")  # fmt: skip
    run.add_argument("--status-every", type=float, default=STATUS_EVERY_S, metavar="S",
                     help=f"seconds between status lines (default {STATUS_EVERY_S:g})")  # fmt: skip
    run.add_argument("--quiet", action="store_true", help="no status lines (-v still logs)")
    add_scan_nice(run)
    add_fleet_options(run)
    run.set_defaults(handler=_run)


@dataclass(frozen=True, slots=True)
class Supervision:
    """What ``crane-ctrl run`` supervises: the PLC's profile and the crane and site in use."""

    profile: Profile
    profile_path: Path
    settings: SupervisorSettings
    """The crane's parameters and the site layout, from :attr:`site_path`."""
    site_path: Path
    plc: str | None = None
    """Where the PLC is, if not where the profile says."""


def supervision(profile: Path, site: Path | None, plc: str | None = None) -> Supervision:
    """Load the profile, and the site file ``site`` (default: the shipped border-gate site),
    whose crane and layout the supervisor checks every speed, height and clearance against.
    A broken file, or a site whose crane cannot lift over its own yard, is a located
    :class:`~crane_ctrl.errors.ConfigError`."""
    from crane_ctrl.runtime.supervisor import SupervisorSettings
    from simulators.site_file import DEFAULT_SITE, load_site

    loaded = load_profile(profile)
    site_path = site or DEFAULT_SITE
    site_file = load_site(site_path)
    settings = SupervisorSettings(crane=site_file.crane, site=site_file.site)
    return Supervision(loaded, profile, settings, site_path, plc)


def _run(args: argparse.Namespace) -> int:
    from crane_ctrl.profile.loader import fingerprint
    from crane_ctrl.runtime.journal import default_path

    setup = supervision(args.profile, args.site, args.plc)
    loaded = {
        "event": "loaded",
        "file": str(args.profile),
        "fingerprint": fingerprint(args.profile.read_text(encoding="utf-8")),
        "version": setup.profile.profile.version,
    }
    if not args.status_every > 0:
        raise CraneCtrlError(f"--status-every must be positive, not {args.status_every:g}")
    every = None if args.quiet else args.status_every
    fleet = fleet_config(args, args.journal or default_path())
    asyncio.run(_supervise(setup, args.seconds, args.journal, loaded, status_every_s=every,
                           fleet=fleet, scan_nice=scan_nice(args)))  # fmt: skip
    return 0


async def _supervise(
    setup: Supervision,
    seconds: float | None,
    journal_path: Path | None,
    loaded: dict[str, str],
    *,
    status_every_s: float | None = STATUS_EVERY_S,
    fleet: EdgeNodeConfig | None = None,
    scan_nice: int | None = None,
) -> None:
    """Supervise until stopped; ``status_every_s`` ``None``: log, rather than print, the start,
    the stop and no status line. ``fleet``: be that Sparkplug B edge node too. ``scan_nice``:
    the priority the scan's thread (this one) asks for (:mod:`crane_ctrl.runtime.scan_priority`)."""
    from crane_ctrl.runtime.journal import Journal
    from crane_ctrl.runtime.scan_priority import raised, report
    from crane_ctrl.runtime.supervisor import Supervisor

    profile, settings = setup.profile, setup.settings
    clock = MonotonicClock()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    if seconds is not None:
        loop.call_later(seconds, stop.set)
    say = log.info if status_every_s is None else _print
    try:
        with (
            raised(scan_nice) as priority,
            Journal(journal_path, clock=clock, crane=profile.name) as journal,
        ):
            journal.record("profile", profile.name, **loaded)
            report(priority, journal)
            async with make_link(profile, setup.profile_path, clock, setup.plc) as link:
                supervisor = Supervisor(profile, link, clock, settings, journal=journal)
                journal.record("system", "supervisor", event="started", link=link.name,
                               site=str(setup.site_path))  # fmt: skip
                say(f"supervising {link.name}, site {setup.site_path}; journal {journal.path}"
                    + ("" if fleet is None else f"; Sparkplug B edge node {fleet.topics} on "
                       f"{fleet.broker}")
                    + ("" if status_every_s is None else f"; a status line every "
                       f"{status_every_s:g} s (--quiet: none); Ctrl-C stops"))  # fmt: skip
                async with contextlib.AsyncExitStack() as beside:
                    node = await _edge_node(beside, fleet, supervisor, journal)
                    async with asyncio.TaskGroup() as tasks:
                        tasks.create_task(supervisor.run(stop))
                        if status_every_s is not None:
                            tasks.create_task(_report(supervisor, stop, status_every_s, node))
                journal.record("system", "supervisor", event="stopped")
                say("stopped: references zero, drives disabled")
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def _print(line: str) -> None:
    print(line, flush=True)


async def _edge_node(
    beside: contextlib.AsyncExitStack,
    fleet: EdgeNodeConfig | None,
    supervisor: Supervisor,
    journal: Any,
) -> EdgeNode[SupervisorView] | None:
    """The Sparkplug B edge node fed with every scan's view, open until ``beside`` closes."""
    if fleet is None:
        return None
    from crane_ctrl.fleet.edge_node import EdgeNode
    from crane_ctrl.fleet.metrics import supervisor_events, supervisor_reading

    node: EdgeNode[SupervisorView] = EdgeNode(
        fleet, supervisor_reading, supervisor.clock, journal, events=supervisor_events
    )
    await beside.enter_async_context(node)
    supervisor.on_view = node.offer
    return node


async def _report(
    supervisor: Supervisor, stop: asyncio.Event, every_s: float, node: Any = None
) -> None:
    """A status line every ``every_s`` until ``stop`` (reads the supervisor's view: no part
    of the scan)."""
    from crane_ctrl.realtime import sleep_unless

    while not stop.is_set():
        await sleep_unless(stop, every_s)
        if not stop.is_set():
            fleet = None if node is None else node.stats
            _print(status_line(supervisor.view, datetime.now(), fleet))


def status_line(view: SupervisorView, now: datetime, fleet: NodeStats | None = None) -> str:
    """One line of what ``crane-ctrl run`` supervises: time of day, link, comms, scans, alarms,
    what blocks motion (and the edge node: born or not, stored, views dropped)."""
    from crane_ctrl.alarms.states import UNACKNOWLEDGED

    s, stats = view.snapshot, view.stats
    comms = "comms ok" if s.comms_ok else f"comms NOT TRUSTED ({s.comms_reason})"
    active = [a for a in view.alarms if a.active]
    unacked = sum(1 for a in view.annunciated if a.state in UNACKNOWLEDGED)
    blocked = sorted({t.interlock.id for t in view.permits.active}) if view.permits else []
    return (
        f"{now:%H:%M:%S} link {view.link.state} · {comms} · scans {stats.scans}, p99 "
        f"{stats.p99_scan_s * 1000:.1f} ms, overruns {stats.overruns} · alarms {len(active)} "
        f"active, {unacked} unacknowledged · blocking: {', '.join(blocked) or 'nothing'}"
        + ("" if fleet is None else f" · sparkplug {'born' if fleet.online else 'offline'}, "
           f"bdSeq {fleet.bd_seq}, {fleet.stored} stored, {fleet.views_dropped} views dropped")
    )  # fmt: skip

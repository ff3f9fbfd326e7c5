"""``crane-ctrl run``: supervise a real or simulated PLC headless, with logging.

``--plc`` overrides where the profile says the PLC is: ``modbus://host:port`` or an
``opc.tcp://host:port/path`` endpoint. ``--site`` is the site file (the simulator's format:
``[crane]`` and ``[site]``; default the shipped border-gate site): every speed, height and
clearance the supervisor checks comes from its crane and layout. Ctrl-C (or SIGTERM) ends the
scan loop, which writes zero references and disables the drives before the process exits.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crane_ctrl.links.url import make_link
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.model import Profile
from crane_ctrl.realtime import MonotonicClock

if TYPE_CHECKING:
    from crane_ctrl.runtime.supervisor import SupervisorSettings

__all__ = ["Supervision", "add_parser", "supervision"]

log = logging.getLogger("crane_ctrl.run")


def add_parser(commands: Any) -> None:
    run = commands.add_parser("run", help="supervise a PLC headless (logs to stderr)")
    run.add_argument("--profile", type=Path, required=True, help="the PLC's profile")
    run.add_argument("--plc", metavar="URL", help="modbus://host:port or opc.tcp://host:port/path")
    run.add_argument("--site", type=Path, metavar="FILE", help="site file: the crane's parameters "
                     "and the site layout (default: the border-gate site)")  # fmt: skip
    run.add_argument("--seconds", type=float, help="stop after this long (default: until Ctrl-C)")
    run.add_argument("--journal", type=Path, help="event journal (default $CRANE_CTRL_JOURNAL or "
                     "~/.local/state/crane-ctrl/journal.sqlite)")  # fmt: skip
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

    setup = supervision(args.profile, args.site, args.plc)
    loaded = {
        "event": "loaded",
        "file": str(args.profile),
        "fingerprint": fingerprint(args.profile.read_text(encoding="utf-8")),
        "version": setup.profile.profile.version,
    }
    asyncio.run(_supervise(setup, args.seconds, args.journal, loaded))
    return 0


async def _supervise(
    setup: Supervision,
    seconds: float | None,
    journal_path: Path | None,
    loaded: dict[str, str],
) -> None:
    from crane_ctrl.runtime.journal import Journal
    from crane_ctrl.runtime.supervisor import Supervisor

    profile, settings = setup.profile, setup.settings
    clock = MonotonicClock()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    if seconds is not None:
        loop.call_later(seconds, stop.set)
    try:
        with Journal(journal_path, clock=clock, crane=profile.name) as journal:
            journal.record("profile", profile.name, **loaded)
            async with make_link(profile, setup.profile_path, clock, setup.plc) as link:
                supervisor = Supervisor(profile, link, clock, settings, journal=journal)
                journal.record("system", "supervisor", event="started", link=link.name,
                               site=str(setup.site_path))  # fmt: skip
                log.info("supervising %s, site %s; journal %s", link.name, setup.site_path,
                         journal.path)  # fmt: skip
                async with asyncio.TaskGroup() as tasks:
                    tasks.create_task(supervisor.run(stop))
                    tasks.create_task(_report(supervisor, stop))
                journal.record("system", "supervisor", event="stopped")
                log.info("stopped: references zero, drives disabled")
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def _report(supervisor: Any, stop: asyncio.Event, every_s: float = 5.0) -> None:
    """A log line every few seconds: link, comms, what blocks motion, scan figures."""
    from crane_ctrl.realtime import sleep_unless

    while not stop.is_set():
        await sleep_unless(stop, every_s)
        view = supervisor.view
        blocked = sorted({t.interlock.id for t in view.permits.active}) if view.permits else []
        stats = view.stats
        log.info(
            "link %s; comms %s; blocking: %s; scans %d, p99 %.1f ms, overruns %d",
            view.link.state, "ok" if view.snapshot.comms_ok else view.snapshot.comms_reason,
            ", ".join(blocked) or "nothing", stats.scans, stats.p99_scan_s * 1000, stats.overruns,
        )  # fmt: skip

"""The station in real time, in a thread and an event loop of its own: link, journal, supervisor.

:class:`StationRuntime` opens the journal and the link, builds the supervisor and the
:class:`~crane_ctrl.runtime.station.CraneStation` on its own loop, scans on deadlines until stopped,
and then leaves the crane safe. :meth:`StationRuntime.start` returns the HMI's
:class:`~crane_ctrl.runtime.bridge.ThreadBridge`. A profile swap opens the new link through
:meth:`_relink` (``endpoint`` says where the PLC for the new profile is: the demo re-serves its
simulator); the station keeps the old link open while the new profile is on trial and then has
:meth:`_release` close the one it no longer uses (the old one, or the new one after a rollback).
A probe (:meth:`_probe`) opens a link of its own beside the running one, reads once and closes it.

Two things keep another thread (Textual drawing a frame) from delaying a scan through the GIL:
the thread switch interval is made small (:data:`SWITCH_INTERVAL_S`), so a busy thread yields
the GIL within a fraction of a millisecond, not five; and garbage is collected on the scan's
schedule (:class:`~crane_ctrl.runtime.gc_pacing.GcPacer`), not in whichever thread allocates.
And the process asks the operating system for a higher priority than ordinary processes
(:mod:`crane_ctrl.runtime.scan_priority`) as the station starts, so a busy host does not make a
scan late; the journal says what it got, and :meth:`StationRuntime.stop` gives it back.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

from crane_ctrl.link_report import LinkState, ReadResult
from crane_ctrl.links.base import Link
from crane_ctrl.links.url import make_link
from crane_ctrl.operation.machine import CommandRefused
from crane_ctrl.operation.roles import Roles
from crane_ctrl.profile.model import Profile
from crane_ctrl.realtime import MonotonicClock, wait_until
from crane_ctrl.runtime.bridge import ThreadBridge
from crane_ctrl.runtime.gc_pacing import GcPacer
from crane_ctrl.runtime.journal import Journal
from crane_ctrl.runtime.loop_thread import LoopThread
from crane_ctrl.runtime.planning_pool import PlanningPool
from crane_ctrl.runtime.run_record import journal_unclean_shutdown
from crane_ctrl.runtime.scan_priority import Raised, default_scan_nice, raise_process, report
from crane_ctrl.runtime.seam.server import StationServer
from crane_ctrl.runtime.sessions import Sessions
from crane_ctrl.runtime.sim_faults import FaultChannel
from crane_ctrl.runtime.station import CraneStation
from crane_ctrl.runtime.supervisor import Supervisor, SupervisorSettings
from crane_ctrl.runtime.yard_record import kept_yard
from simulators.site_file import SiteFile

__all__ = ["SWITCH_INTERVAL_S", "Attach", "Endpoint", "StationConfig", "StationRuntime"]


SWITCH_INTERVAL_S = 0.0001
"""``sys.setswitchinterval`` while a station runs: a busy thread yields the GIL this often."""
LINK_UP_WITHIN_S = 10.0
"""A swapped-in profile's link must come up within this long, or the crane keeps the old one."""
PROBE_WITHIN_S = 5.0
"""A probe's link must come up, and its one read answer, each within this long (s)."""

Endpoint = Callable[[Profile, Path], Awaitable[str | None]]
"""Where the PLC is for a profile (``modbus://host:port`` or an ``opc.tcp://`` URL)."""
Attach = Callable[[CraneStation, AsyncExitStack], Awaitable[None]]
"""Something that runs beside the station for as long as it scans (the fleet's Sparkplug B edge
node, :func:`crane_ctrl.fleet.station_node.station_edge_node`): it is given the station once it
is built, before the first scan, and the stack that closes what it opens after the last."""


@dataclass(frozen=True, slots=True)
class StationConfig:
    profile: Profile
    profile_path: Path
    site: SiteFile
    """The crane's parameters, the site layout and the yard the supervisor starts from."""
    journal_path: Path | None
    plc: str | None = None
    """Where the PLC is; ``None``: where the profile says."""
    endpoint: Endpoint | None = None
    """Where the PLC is for a swapped-in profile; ``None``: ``plc`` again."""
    probe_endpoint: Endpoint | None = None
    """Where the PLC is for a probe of another profile, beside the running link; ``None``:
    ``plc`` again (a real PLC answers a second client)."""
    gc_pacing: bool = True
    """Collect garbage on the scan's schedule (:class:`~crane_ctrl.runtime.gc_pacing.GcPacer`);
    ``False`` leaves Python's automatic collection as it is (``crane-ctrl bench realtime``
    measures both)."""
    keep_yard: bool = True
    """Take back the yard inventory last journaled (:mod:`crane_ctrl.runtime.yard_record`);
    ``False``: start from the site file's (the demo, whose simulated yard starts from it too)."""
    roles: Roles | None = None
    """Who may log in (the station checks every PIN and session); ``None``: nobody."""
    serve: Path | None = None
    """Serve the seam (:class:`~crane_ctrl.runtime.seam.server.StationServer`) at this Unix
    socket path; ``None``: only the in-process bridge reaches the station."""
    notes: tuple[str, ...] = ()
    """Lines for every HMI that attaches over the seam, in its hello's facts (the demo: where
    the simulator's fault channel and the journal are)."""
    attach: tuple[Attach, ...] = ()
    """What runs beside the station (the fleet's edge node), in this order."""
    fault_channel: FaultChannel | None = None
    """Where the simulated PLC's fault channel is (the demo): the station's fault actions and
    the HMI's fault panel use it; ``None``: a real PLC, no fault actions."""
    planning_pool: bool = True
    """Plan legs and fit the rope in a worker process
    (:class:`~crane_ctrl.runtime.planning_pool.PlanningPool`); ``False``: in the scan that asks
    (``crane-ctrl bench realtime`` measures both)."""
    scan_nice: int | None = field(default_factory=default_scan_nice)
    """The nice value the station's process asks for while it scans
    (:mod:`crane_ctrl.runtime.scan_priority`: -10, or ``$CRANE_CTRL_SCAN_NICE``); ``None``: it
    keeps the priority it was started with (``crane-ctrl bench realtime`` measures both)."""


class _Links:
    """The open links, each kept open by its own exit stack until closed."""

    def __init__(self) -> None:
        self._open: list[tuple[Link, AsyncExitStack]] = []

    async def open(self, link: Link) -> Link:
        stack = AsyncExitStack()
        await stack.enter_async_context(link)
        self._open.append((link, stack))
        return link

    async def close(self, link: Link) -> None:
        for held, stack in list(self._open):
            if held is link:
                self._open.remove((held, stack))
                await stack.aclose()

    async def close_all_but(self, keep: Link | None) -> None:
        for link, stack in list(self._open):
            if link is not keep:
                self._open.remove((link, stack))
                await stack.aclose()


class StationRuntime:
    """One crane station scanning in real time in its own thread."""

    def __init__(self, config: StationConfig) -> None:
        self.config = config
        self.clock = MonotonicClock()
        self.thread: LoopThread[ThreadBridge] = LoopThread("station", self._main)
        self._links = _Links()
        self.server: StationServer | None = None
        """The seam's server, while one serves (``config.serve``)."""
        self._raised: Raised | None = None

    def start(self, timeout_s: float = 15.0) -> ThreadBridge:
        """Start scanning, the process at the scan's priority (:attr:`StationConfig.scan_nice`);
        the bridge the HMI uses. Raises what went wrong on the way up."""
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        if self.config.scan_nice is not None:
            self._raised = raise_process(self.config.scan_nice)
        return self.thread.start(timeout_s)

    def stop(self) -> None:
        """Stop scanning: zero references, drives disabled, journal closed; the process back
        at the priority it had."""
        try:
            self.thread.stop()
        finally:
            if self._raised is not None:
                self._raised.restore()
                self._raised = None

    async def _main(self, stop: asyncio.Event, ready: Callable[[ThreadBridge], None]) -> None:
        c = self.config
        loaded = {"event": "loaded", "file": str(c.profile_path)}
        with Journal(c.journal_path, clock=self.clock, crane=c.profile.name) as journal:
            await journal_unclean_shutdown(c.journal_path, journal)
            journal.record("profile", c.profile.name, **loaded)
            report(None if self._raised is None else self._raised.priority, journal)
            try:
                async with AsyncExitStack() as owned:
                    planner = await self._open_planner(owned)
                    link = await self._links.open(self._link(c.profile, c.profile_path, c.plc))
                    settings = SupervisorSettings(crane=c.site.crane, site=c.site.site)
                    supervisor = Supervisor(c.profile, link, self.clock, settings, journal=journal)
                    sessions = Sessions(c.roles, self.clock, journal)
                    station = await self._build_station(supervisor, journal, planner, sessions)
                    for attach in c.attach:
                        await attach(station, owned)
                    journal.record("system", "supervisor", event="started", link=link.name)
                    if c.serve is not None:
                        self.server = await owned.enter_async_context(
                            StationServer(station, sessions, c.serve, notes=c.notes)
                        )
                    pacer = GcPacer(supervisor, asyncio.get_running_loop())
                    if c.gc_pacing:
                        pacer.install()
                    ready(ThreadBridge(station, asyncio.get_running_loop(), sessions=sessions))
                    try:
                        await supervisor.run(stop)
                    finally:
                        if c.gc_pacing:
                            pacer.uninstall()
            finally:
                await self._links.close_all_but(None)
                journal.record("system", "supervisor", event="stopped")

    async def _build_station(
        self,
        supervisor: Supervisor,
        journal: Journal,
        planner: PlanningPool | None,
        sessions: Sessions,
    ) -> CraneStation:
        """The station on ``supervisor``, its yard as the last run left it (if kept)."""
        c = self.config
        yard = await kept_yard(c.site, c.journal_path if c.keep_yard else None, journal)
        return CraneStation(supervisor, c.site.site, yard, profile_path=c.profile_path,
                            relink=self._relink, release=self._release, probe=self._probe,
                            planner=planner, sessions=sessions,
                            fault_channel=c.fault_channel)  # fmt: skip

    async def _open_planner(self, owned: AsyncExitStack) -> PlanningPool | None:
        """The worker process leg plans are worked out in, open until ``owned`` closes
        (``None``: they are worked out in the scan)."""
        if not self.config.planning_pool:
            return None
        base = None if self._raised is None else self._raised.base
        return await owned.enter_async_context(PlanningPool(nice=base))

    def _link(self, profile: Profile, path: Path, plc: str | None) -> Link:
        return make_link(profile, path, self.clock, plc)

    async def _relink(self, profile: Profile, path: Path) -> Link:
        """The link for a swapped-in profile, up; the old one stays open until the station
        releases it (:meth:`_release`) after the new profile's trial."""
        where = self.config.plc
        if self.config.endpoint is not None:
            where = await self.config.endpoint(profile, path)
        link = await self._links.open(self._link(profile, path, where))
        try:
            await wait_until(lambda: link.health.state is LinkState.UP, within=LINK_UP_WITHIN_S,
                             what=f"link {link.name} up")  # fmt: skip
        except TimeoutError:
            error = link.health.last_error or "no answer"
            await self._links.close(link)
            raise CommandRefused(
                f"cannot reach the PLC for {path.name} ({error}); the crane keeps its profile"
            ) from None
        return link

    async def _release(self, link: Link) -> None:
        """Close a link the station no longer uses."""
        await self._links.close(link)

    async def _probe(self, profile: Profile, path: Path) -> ReadResult:
        """One read of every signal over a link of its own with ``profile``, opened beside the
        running one and closed again; :class:`CommandRefused` when it cannot reach the PLC."""
        where = self.config.plc
        if self.config.probe_endpoint is not None:
            where = await self.config.probe_endpoint(profile, path)
        async with self._link(profile, path, where) as link:
            try:
                await wait_until(lambda: link.health.state is LinkState.UP, within=PROBE_WITHIN_S,
                                 what=f"probe link {link.name} up")  # fmt: skip
                async with asyncio.timeout(PROBE_WITHIN_S):
                    return await link.read()
            except TimeoutError:
                error = link.health.last_error or f"no answer within {PROBE_WITHIN_S:g} s"
                raise CommandRefused(
                    f"the probe cannot reach the PLC for {path.name} ({error}); the crane keeps "
                    "its profile and link"
                ) from None

"""Helpers for tests and test rigs: a lock-step rig, bounded waits, the yard of a site file.

Test support, not the supervisor's core: it may import the simulators, and only tests, the
rig and the benchmarks import it. :func:`wait_until` (never a bare sleep) is
:func:`crane_ctrl.realtime.wait_until` and :func:`yard_model_of` is
:func:`simulators.site_file.yard_model_of`, re-exported here for test rigs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from crane_ctrl.clock import ManualClock
from crane_ctrl.profile.model import Profile
from crane_ctrl.realtime import wait_until
from simulators.site_file import yard_model_of

if TYPE_CHECKING:
    from crane_ctrl.link_report import ReadResult
    from crane_ctrl.links.base import Link
    from crane_ctrl.operation.machine import Mode
    from crane_ctrl.runtime.recorder import EventSink
    from crane_ctrl.runtime.sessions import User
    from crane_ctrl.runtime.station import StationView
    from crane_ctrl.runtime.supervisor import Sequencer, SupervisorSettings, SupervisorView
    from crane_ctrl.sequencer.planning import Planner
    from simulators.simulator import CraneSimulator
    from simulators.site_file import SiteFile

__all__ = ["LockStep", "StationRig", "interlock_disabled", "wait_until", "yard_model_of"]

SWAP_LOAD_WITHIN_S = 30.0
"""Real time a lock-step swap may take to load and read its file (worker threads), s."""


class LockStep:
    """A supervisor and a simulated crane in lock-step on a manual clock: no sockets, no waits.

    Each :meth:`scan` runs one supervisor scan, then steps the simulator by one scan period and
    moves the clock by as much, so a minute of crane time takes well under a second::

        async with LockStep(profile) as rig:
            rig.supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=0.5))
            await rig.until(lambda view: view.snapshot.number("trolley.speed") == 0.5, within_s=5)

    Without ``settings`` the supervisor supervises the simulated crane over its site (the
    simulator's crane parameters and layout), never a default crane under another one.
    """

    def __init__(
        self,
        profile: Profile,
        sim: CraneSimulator | None = None,
        settings: SupervisorSettings | None = None,
        *,
        sequencer: Sequencer | None = None,
        journal: EventSink | None = None,
        sim_dt: float = 0.01,
        clock: ManualClock | None = None,
    ) -> None:
        """``clock``: the crane time to go on from (a second supervisor on the same crane, as
        after a restart of the station); default a new one from 0."""
        from crane_ctrl.links.memory import MemoryLink
        from crane_ctrl.runtime.supervisor import Supervisor, SupervisorSettings
        from simulators.memory import MemoryPlc
        from simulators.simulator import CraneSimulator

        self.clock = clock or ManualClock()
        self.sim = sim or CraneSimulator()
        settings = settings or SupervisorSettings(crane=self.sim.params, site=self.sim.site)
        self.plc = MemoryPlc(self.sim, profile)
        self.link = MemoryLink(profile, self.plc, self.clock)
        self.supervisor = Supervisor(
            profile, self.link, self.clock, settings, sequencer=sequencer, journal=journal
        )
        self.sim_dt = sim_dt

    @property
    def period_s(self) -> float:
        return self.supervisor.settings.scan_period_s

    async def __aenter__(self) -> LockStep:
        await self.link.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.link.__aexit__(None, None, None)

    async def scan(self, count: int = 1) -> SupervisorView:
        """Run ``count`` scans, the crane moving one scan period after each."""
        view = self.supervisor.view
        for _ in range(count):
            view = await self.supervisor.scan_once()
            self.sim.run(self.period_s, self.sim_dt)
            self.clock.advance(self.period_s)
        return view

    async def run_for(self, seconds: float) -> SupervisorView:
        return await self.scan(max(1, round(seconds / self.period_s)))

    async def until(
        self,
        condition: Callable[[SupervisorView], bool],
        *,
        within_s: float,
        what: str = "condition",
    ) -> SupervisorView:
        """Scan until ``condition(view)``; ``TimeoutError`` after ``within_s`` of crane time."""
        for _ in range(max(1, round(within_s / self.period_s))):
            view = await self.scan()
            if condition(view):
                return view
        raise TimeoutError(f"{what} not met within {within_s} s of crane time")


class StationRig:
    """A :class:`~crane_ctrl.runtime.station.CraneStation` on a :class:`LockStep` rig, default site.

    ::

        async with StationRig(profile) as rig:
            rig.station.pack(rig.operator, PackCommand.RESET)
            await rig.until(lambda view: view.machine is PackState.IDLE, within_s=1)

    ``until`` waits on the station's view (crane time). The rig starts with comms up (it scans
    until the first trusted snapshot) and the machine STOPPED. A profile swapped in or probed is
    read from the same simulated PLC, which keeps serving the rig's first profile (a real PLC's
    map does not change with the profile): :meth:`swap_profile` scans through the swap's trial.
    """

    def __init__(
        self,
        profile: Profile | Path,
        site: SiteFile | None = None,
        settings: SupervisorSettings | None = None,
        *,
        mode: Mode | None = None,
        journal: EventSink | None = None,
        planner: Planner | None = None,
    ) -> None:
        """``planner``: where the sequencer's leg plans are worked out (``None``: at once, in
        the scan that asks)."""
        from crane_ctrl.operation.machine import Mode, Role
        from crane_ctrl.operation.roles import DEMO_ROLES, Roles
        from crane_ctrl.profile.loader import load_profile
        from crane_ctrl.runtime.sessions import Sessions
        from crane_ctrl.runtime.station import CraneStation
        from simulators.site_file import load_site

        path = profile if isinstance(profile, Path) else None
        loaded = load_profile(profile) if isinstance(profile, Path) else profile
        from crane_ctrl.runtime.supervisor import SupervisorSettings

        self.site = site or load_site()
        settings = settings or SupervisorSettings(crane=self.site.crane, site=self.site.site)
        self.lockstep = LockStep(loaded, self.site.simulator(), settings, journal=journal)
        self.sim = self.lockstep.sim
        supervisor = self.lockstep.supervisor
        sessions = Sessions(Roles.load(DEMO_ROLES), supervisor.clock, supervisor.journal)
        self.station = CraneStation(
            supervisor, self.site.site, yard_model_of(self.site),
            mode=mode or Mode.FULLAUTOMATIC, profile_path=path, planner=planner,
            sessions=sessions, relink=self._relink, probe=self._probe, release=self._release,
        )  # fmt: skip
        self.released: list[str] = []
        """The names of the links the station released, in order."""
        self.operator = sessions.issue("operator", Role.OPERATOR, client="test rig")
        """The rig's operator, with a session the station issued (the demo roles' PINs log in
        others through ``station.sessions``)."""
        self.maintenance = sessions.issue("maintenance", Role.MAINTENANCE, client="test rig")

    @property
    def view(self) -> StationView:
        return self.station.view

    async def __aenter__(self) -> StationRig:
        await self.lockstep.__aenter__()
        await self.until(lambda v: v.supervisor.snapshot.comms_ok, within_s=2, what="comms")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.lockstep.__aexit__(*exc)

    async def scan(self, count: int = 1) -> StationView:
        await self.lockstep.scan(count)
        return self.station.view

    async def until(
        self, condition: Callable[[StationView], bool], *, within_s: float, what: str = "condition"
    ) -> StationView:
        """Scan until ``condition(view)``; ``TimeoutError`` after ``within_s`` of crane time."""
        for _ in range(max(1, round(within_s / self.lockstep.period_s))):
            view = await self.scan()
            if condition(view):
                return view
        raise TimeoutError(f"{what} not met within {within_s} s of crane time")

    async def swap_profile(self, user: User, path: Path, *, within_s: float = 2.0) -> Profile:
        """``station.swap_profile`` in lock-step: the swap waits for its trial scans, so scan
        through the trial until it is over (what it returns or raises); ``TimeoutError`` after
        ``within_s`` of crane time. The swap loads and reads its file in worker threads, in
        real time: no scan runs before it is on trial (a busy machine once let the scans run
        out while the file was still loading)."""
        from crane_ctrl.realtime import wait_until

        station = self.station
        swap = asyncio.ensure_future(station.swap_profile(user, path))
        try:
            await wait_until(lambda: swap.done() or station.swap_on_trial,
                             within=SWAP_LOAD_WITHIN_S, what=f"{path.name} loaded")  # fmt: skip
            for _ in range(max(1, round(within_s / self.lockstep.period_s))):
                if swap.done() or not station.swap_on_trial:
                    break
                await self.scan()
                await asyncio.sleep(0)  # no time passes: the swap takes the trial's verdict
            else:
                raise TimeoutError(f"the swap of {path} not over within {within_s} s of crane "
                                   "time")  # fmt: skip
            await wait_until(swap.done, within=SWAP_LOAD_WITHIN_S, what=f"{path.name} swapped")
            return swap.result()
        finally:
            swap.cancel()

    def _memory_link(self, profile: Profile) -> Link:
        from crane_ctrl.links.memory import MemoryLink

        return MemoryLink(profile, self.lockstep.plc, self.lockstep.clock)

    async def _relink(self, profile: Profile, path: Path) -> Link:
        del path
        link = self._memory_link(profile)
        await link.__aenter__()
        return link

    async def _release(self, link: Link) -> None:
        self.released.append(link.name)
        await link.__aexit__(None, None, None)

    async def _probe(self, profile: Profile, path: Path) -> ReadResult:
        del path
        async with self._memory_link(profile) as link:
            return await link.read()

    async def start_automatic(self) -> StationView:
        """RESET, wait for IDLE, START: the crane takes queued jobs."""
        from crane_ctrl.operation.machine import PackCommand, PackState

        self.station.pack(self.operator, PackCommand.RESET)
        await self.until(lambda v: v.machine is PackState.IDLE, within_s=2, what="IDLE")
        self.station.pack(self.operator, PackCommand.START)
        running = (PackState.EXECUTE, PackState.SUSPENDING, PackState.SUSPENDED)
        return await self.until(lambda v: v.machine in running, within_s=2,
                                what="EXECUTE (or SUSPENDED: no job to start)")  # fmt: skip


class interlock_disabled:
    """TEST ONLY: the supervisor evaluates its interlocks without ``interlock_id``.

    Proves that a test or a rig scenario can fail: with the interlock its expectations rest on
    gone, it must. Python only, on purpose: no profile, site, scenario file, environment variable
    or command-line option can reach it. Unlike a maintenance bypass (keyed, time-limited, logged,
    slow), the trip simply vanishes from the permits, so nothing blocks, journals or alarms it::

        with interlock_disabled("WIND_STOP"):
            result = run_one("simulators/scenarios/wind-stop-mid-lift.toml", Options())
        assert not result.passed

    In this process only (run scenarios in-process inside it), until the block ends.
    """

    def __init__(self, interlock_id: str) -> None:
        from crane_ctrl.interlocks.evaluate import INTERLOCKS

        if interlock_id not in INTERLOCKS:
            raise ValueError(f"no interlock {interlock_id!r}; interlocks: {', '.join(INTERLOCKS)}")
        self.interlock_id = interlock_id
        self._undo: Callable[[], None] | None = None

    def __enter__(self) -> None:
        from crane_ctrl.interlocks.evaluate import Permits
        from crane_ctrl.runtime import supervisor

        namespace = vars(supervisor)  # the name the scan loop calls
        real: Callable[..., Permits] = namespace["evaluate"]
        gone = self.interlock_id

        def without(*args: object, **kwargs: object) -> Permits:
            permits = real(*args, **kwargs)
            kept = tuple(t for t in permits.active if t.id != gone)
            return Permits(kept, permits.latched, permits.unchecked, permits.wind)

        def undo() -> None:
            namespace["evaluate"] = real

        namespace["evaluate"] = without
        self._undo = undo

    def __exit__(self, *exc: object) -> None:
        if self._undo is not None:
            self._undo()
            self._undo = None

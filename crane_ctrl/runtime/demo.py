"""The one-command demo: a simulated crane PLC on loopback, the station scanning it, demo jobs.

Three threads, three event loops: the simulator
(:class:`~crane_ctrl.runtime.sim_service.SimService`), the station
(:class:`~crane_ctrl.runtime.host.StationRuntime`) and whatever watches (the HMI, or the headless
progress printer). :meth:`Demo.start` serves the simulator, starts the station over a real socket to
it, queues :data:`DEMO_JOBS` and RESETs and STARTs the machine in FULLAUTOMATIC, so the crane starts
working at once. A profile swap re-serves the same simulated crane over the new profile and the
station links to it there.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from crane_ctrl.operation.machine import CommandRefused, Mode, PackCommand, PackState, Role
from crane_ctrl.operation.roles import Roles
from crane_ctrl.profile.model import Profile
from crane_ctrl.realtime import wait_until
from crane_ctrl.runtime.bridge import ThreadBridge
from crane_ctrl.runtime.host import Attach, StationConfig, StationRuntime
from crane_ctrl.runtime.loop_thread import LoopThread
from crane_ctrl.runtime.sim_faults import FaultChannel
from crane_ctrl.runtime.sim_service import SIM_DT_S, SimService, plc_url
from crane_ctrl.runtime.station import CraneStation, User
from crane_ctrl.site import parse_slot
from simulators.command_stamps import CommandStamps
from simulators.runner import Served
from simulators.site_file import SiteFile

__all__ = ["DEMO_JOBS", "DEMO_USER", "Demo", "DemoOptions", "station_notes"]

DEMO_JOBS: tuple[tuple[str, str], ...] = (
    ("truck:T1", "stack:7:3:1"),
    ("truck:T2", "stack:11:1:1"),
    ("stack:3:2:2", "agv:A1"),
)
"""From slot, to slot: boxes that stand there in the shipped border-gate site."""
DEMO_USER = User("demo", Role.OPERATOR)
"""Who queues the demo jobs and starts the machine (the journal says so)."""
COMMS_WITHIN_S = 20.0
"""The station must trust the simulator's data within this long of starting."""


@dataclass(frozen=True, slots=True)
class DemoOptions:
    profile: Profile
    profile_path: Path
    site: SiteFile
    journal_path: Path
    port: int = 0
    jobs: Sequence[tuple[str, str]] = DEMO_JOBS
    start: bool = True
    """RESET and START the machine in FULLAUTOMATIC once comms are up."""
    roles: Roles | None = None
    """Who may log in (the station checks PINs and sessions)."""
    serve: Path | None = None
    """Serve the seam at this socket path (``crane-ctrl demo`` runs the HMI in another process)."""
    attach: tuple[Attach, ...] = ()
    """What runs beside the station (``--broker``: the fleet's edge node)."""
    mode: Mode = Mode.FULLAUTOMATIC
    """The mode the machine is started in (``crane-ctrl fleet``: SEMIAUTOMATIC cranes hand
    their truck landings to a remote operator)."""
    sim_dt: float = SIM_DT_S
    """The simulated PLC's cycle, s (a fleet of many cranes on one machine takes 0.05)."""
    stamp_commands: bool = False
    """Note when the simulated PLC sees its references change (``crane-ctrl bench fleet``)."""


def station_notes(served: Served, journal: Path) -> tuple[str, ...]:
    """What the demo's station tells every HMI that attaches: where the simulator's fault
    channel and the journal are, and how to inject a fault (the HMI's fault panel, or the
    command line)."""
    control = f"{served.host}:{served.control_port}"
    return (
        f"fault control {control}",
        f"journal {journal}",
        f"inject a fault: f on 7 Comms (maintenance), or crane-ctrl fault --control {control} "
        "inject wind speed_mps=22 (list, clear)",
    )


class Demo:
    """The simulator and the station, each in its own thread, until :meth:`stop`."""

    def __init__(self, options: DemoOptions) -> None:
        self.options = options
        sim = options.site.simulator()
        stamps = CommandStamps(sim, time.time) if options.stamp_commands else None
        self.sim = SimService(sim, options.profile, port=options.port, dt=options.sim_dt,
                              stamps=stamps)  # fmt: skip
        self.sim_thread: LoopThread[Served] = LoopThread("simulator", self.sim.main)
        self.runtime: StationRuntime | None = None
        self.notes: list[str] = []
        """What the start-up did or could not do (a job the site cannot take, say)."""

    def start(self) -> ThreadBridge:
        """Serve, scan, queue the jobs, start the machine; the bridge to the station."""
        o = self.options
        served = self.sim_thread.start()
        config = StationConfig(
            o.profile, o.profile_path, o.site, o.journal_path, plc=plc_url(served),
            endpoint=self._reserve, keep_yard=False, roles=o.roles, serve=o.serve,
            notes=station_notes(served, o.journal_path), attach=o.attach,
            fault_channel=FaultChannel(served.host, served.control_port),
        )  # fmt: skip
        self.runtime = StationRuntime(config)
        try:
            bridge = self.runtime.start()
            future = self.runtime.thread.submit(self._begin(bridge.station))
            self.notes = future.result(COMMS_WITHIN_S + 10)
        except BaseException:
            self.stop()
            raise
        return bridge

    @property
    def served(self) -> Served | None:
        return self.sim.served

    def stop(self) -> None:
        """Stop the station (it leaves the crane safe), then the simulator."""
        if self.runtime is not None:
            self.runtime.stop()
        self.sim_thread.stop()

    async def _reserve(self, profile: Profile, path: Path) -> str:
        """Where the simulated PLC is for a swapped-in profile (runs on the station's loop)."""
        del path
        from asyncio import wrap_future

        served = await wrap_future(self.sim_thread.submit(self.sim.reserve(profile)))
        return plc_url(served)

    async def _begin(self, station: CraneStation) -> list[str]:
        """On the station's loop: wait for comms, queue the jobs, RESET and START."""
        await wait_until(lambda: station.view.supervisor.snapshot.comms_ok,
                         within=COMMS_WITHIN_S, what="trusted data from the simulator")  # fmt: skip
        user = station.sessions.issue(DEMO_USER.name, DEMO_USER.role, client="demo start-up")
        notes = [self._queue(station, user, *job) for job in self.options.jobs]
        if self.options.mode is not station.view.mode:
            station.set_mode(user, self.options.mode)
        if self.options.start:
            station.reset(user)
            station.pack(user, PackCommand.RESET, "demo start")
            await wait_until(lambda: station.view.machine is PackState.IDLE, within=5.0,
                             what="machine IDLE")  # fmt: skip
            station.pack(user, PackCommand.START, "demo start")
        return [note for note in notes if note]

    def _queue(self, station: CraneStation, user: User, source: str, target: str) -> str:
        """Queue one demo job; what went wrong, or an empty string."""
        sizes = {c.slot: c.size_ft for c in self.options.site.containers}
        if source not in sizes:
            return f"demo job {source} -> {target} left out: no container at {source}"
        try:
            station.add_job(user, parse_slot(source), parse_slot(target), sizes[source])
        except CommandRefused as exc:
            return f"demo job {source} -> {target} refused: {exc}"
        return ""

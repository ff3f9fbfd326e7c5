"""The demo's simulated crane PLC, served over real sockets from a thread and loop of its own.

One :class:`~simulators.simulator.CraneSimulator` is stepped in real time behind the protocol
server its profile asks for (:func:`simulators.runner.serve`: Modbus TCP, or OPC UA through
``simulators.opcua_server``). :meth:`SimService.reserve` serves the same crane over another
profile (a profile swap in the demo): the crane, its yard and its faults carry over, only the
server changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from crane_ctrl.profile.model import Profile
from simulators.command_stamps import CommandStamps
from simulators.runner import Served, run_realtime, serve
from simulators.simulator import CraneSimulator

__all__ = ["SIM_DT_S", "SimService", "plc_url"]

SIM_DT_S = 0.01
"""The simulated PLC's cycle unless told otherwise: 100 Hz, finer than the scan's 20 Hz."""


def plc_url(served: Served) -> str:
    """The ``--plc`` URL of a served simulator."""
    if served.protocol == "modbus":
        return f"modbus://{served.host}:{served.port}"
    return served.endpoint


class SimService:
    """Serve ``sim`` over ``profile`` until stopped; re-serve over another profile on request."""

    def __init__(
        self,
        sim: CraneSimulator,
        profile: Profile,
        *,
        port: int = 0,
        dt: float = SIM_DT_S,
        stamps: CommandStamps | None = None,
    ) -> None:
        """``dt``: the simulated PLC's cycle, s; ``stamps``: note when written commands change
        (the control channel's ``commands``)."""
        self.sim = sim
        self.profile = profile
        self.port = port
        self.dt = dt
        self.stamps = stamps
        self.control_port = 0
        """The fault channel's port: any free one at first, then the same on every re-serve (what
        the station told its HMIs stays true)."""
        self.served: Served | None = None
        self._leave = asyncio.Event()
        self._waiting: list[asyncio.Future[Served]] = []

    async def main(self, stop: asyncio.Event, ready: Callable[[Served], None]) -> None:
        """The :class:`~crane_ctrl.runtime.loop_thread.LoopThread` main: serve until ``stop``."""
        try:
            while not stop.is_set():
                await self._serve_once(stop, ready)
        except BaseException as exc:
            for waiter in self._waiting:
                waiter.set_exception(RuntimeError(f"the simulator stopped serving: {exc}"))
            raise

    async def _serve_once(self, stop: asyncio.Event, ready: Callable[[Served], None]) -> None:
        self._leave = asyncio.Event()
        async with serve(self.sim, self.profile, port=self.port, control_port=self.control_port,
                         stamps=self.stamps) as served:  # fmt: skip
            self.served = served
            self.control_port = served.control_port
            ready(served)
            for waiter in self._waiting:
                waiter.set_result(served)
            self._waiting.clear()
            async with asyncio.TaskGroup() as tasks:
                forward = tasks.create_task(_set_when(stop, self._leave))
                await run_realtime(self.sim, served, dt=self.dt, stop=self._leave)
                forward.cancel()
        self.port = 0  # a re-serve takes any free port

    async def reserve(self, profile: Profile) -> Served:
        """Serve the crane over ``profile`` instead (run on this service's loop)."""
        waiter: asyncio.Future[Served] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        self.profile = profile
        self._leave.set()
        return await waiter


async def _set_when(source: asyncio.Event, target: asyncio.Event) -> None:
    await source.wait()
    target.set()

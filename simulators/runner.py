"""Run a simulator in (scaled) real time behind its protocol server and control channel.

Structured: one ``async with`` owns the protocol server and the control channel, one loop steps
the simulator on deadlines (no drift) and publishes the PLC's status after every tick. At
``speed`` K, one second of wall time is K seconds of crane time; when the loop falls behind it
catches up by stepping more (bounded), so crane time stays true to the wall clock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from crane_ctrl.errors import CraneCtrlError
from crane_ctrl.profile.model import ModbusProfile, Profile
from crane_ctrl.realtime import sleep_unless
from simulators.command_stamps import CommandStamps
from simulators.control import ControlChannel
from simulators.modbus_server import ModbusPlcServer
from simulators.opcua_server import OpcUaPlcServer
from simulators.simulator import CraneSimulator

__all__ = ["Served", "run_realtime", "serve"]

log = logging.getLogger(__name__)

MAX_CATCH_UP_STEPS = 50
"""At most this many steps in one tick when the loop fell behind (then it skips ahead)."""


@dataclass(frozen=True, slots=True)
class Served:
    """Where a running simulator can be reached."""

    protocol: str
    host: str
    port: int
    endpoint: str
    """``host:port`` for Modbus, the ``opc.tcp://`` URL for OPC UA."""
    control_port: int
    server: ModbusPlcServer | OpcUaPlcServer


@asynccontextmanager
async def serve(
    sim: CraneSimulator,
    profile: Profile,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    control_port: int = 0,
    pki_dir: Path | None = None,
    trust_dir: Path | None = None,
    stamps: CommandStamps | None = None,
) -> AsyncIterator[Served]:
    """Serve ``sim`` over the profile's protocol, with a control channel, until the block ends.
    ``pki_dir``, ``trust_dir``: the OPC UA server's own certificate folder, and the folder of
    the client certificates it accepts (:class:`~simulators.opcua_server.OpcUaPlcServer`);
    a Modbus profile takes neither. ``stamps``: ``sim`` as the server sees it, noting when the
    written commands change (the control channel's ``commands``)."""
    server: ModbusPlcServer | OpcUaPlcServer
    plc = sim if stamps is None else stamps
    if isinstance(profile, ModbusProfile):
        if pki_dir is not None or trust_dir is not None:
            raise CraneCtrlError(
                f"{profile.name} is a Modbus profile: certificates are for OPC UA profiles"
            )
        server = ModbusPlcServer(profile, plc, host=host, port=port, faults=sim.link_faults)
    else:
        server = OpcUaPlcServer(
            profile, plc, host=host, port=port, faults=sim.link_faults, crane=sim.params,
            pki_dir=pki_dir, trust_dir=trust_dir,
        )  # fmt: skip
    channel = ControlChannel(sim, host=host, port=control_port, stamps=stamps)
    async with server, channel as control:
        sim.attach(server)
        try:
            endpoint = (
                f"{host}:{server.port}" if isinstance(server, ModbusPlcServer) else server.endpoint
            )
            yield Served(profile.protocol, host, server.port, endpoint, control.port, server)
        finally:
            sim.detach(server)


async def run_realtime(
    sim: CraneSimulator,
    served: Served,
    *,
    speed: float = 1.0,
    dt: float = 0.01,
    stop: asyncio.Event | None = None,
    on_tick: Callable[[], None] | None = None,
) -> None:
    """Step ``sim`` at ``dt`` crane-seconds per step, ``speed`` times real time, until ``stop``."""
    if not speed > 0:
        raise ValueError(f"speed must be positive, not {speed}")
    loop = asyncio.get_running_loop()
    stop = stop or asyncio.Event()
    start = loop.time()
    steps = 0
    while not stop.is_set():
        owed = int((loop.time() - start) * speed / dt) - steps
        if owed > MAX_CATCH_UP_STEPS:
            log.warning("simulator %d steps behind real time; skipping ahead", owed)
            steps += owed - MAX_CATCH_UP_STEPS
            owed = MAX_CATCH_UP_STEPS
        for _ in range(max(owed, 0)):
            sim.step(dt)
        steps += max(owed, 0)
        await served.server.publish()
        if on_tick is not None:
            on_tick()
        next_tick = start + (steps + 1) * dt / speed
        await sleep_unless(stop, next_tick - loop.time())

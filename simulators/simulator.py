"""One simulated crane PLC: plant + PLC program + faults, stepped in lock-step.

``CraneSimulator`` is the test rig's handle: ``step(dt)`` advances simulated time (no wall clock),
``status()`` / ``command()`` are what its protocol servers and the in-memory link serve, and
``faults`` injects and clears faults by name; :meth:`restart_plc` restarts the PLC program (fault
``plc_restart``). ``personality`` is how its PLC program takes
commands (:mod:`simulators.personality`; default: as held). Protocol servers register themselves
so link faults (drop, freeze, latency, exceptions) reach them, and so a raw force is checked
against the place each one's profile gives the signal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from crane_ctrl.crane import CraneParams
from crane_ctrl.errors import FaultError
from crane_ctrl.signals import SIGNALS, Value
from crane_ctrl.site import SiteLayout
from simulators.faults import FaultInjector
from simulators.personality import PlcPersonality
from simulators.plant import Plant
from simulators.plc_logic import CranePlc, PlcParams
from simulators.served import LinkFaults, RawForce
from simulators.sway_sensor import SwaySensor
from simulators.yard import ModelFault, YardContents

__all__ = ["CraneSimulator"]


class _Server(Protocol):
    """A protocol server (or the in-memory PLC) serving this simulator."""

    def drop_connections(self) -> None: ...

    def check_raw(self, force: RawForce) -> None: ...


class CraneSimulator:
    """A crane PLC and the crane it drives, in lock-step."""

    def __init__(
        self,
        params: CraneParams | None = None,
        site: SiteLayout | None = None,
        contents: YardContents | None = None,
        *,
        plc_params: PlcParams | None = None,
        personality: PlcPersonality | None = None,
        gantry_m: float = 30.0,
        trolley_m: float = 10.0,
        hoist_m: float = 15.0,
        spreader_ft: int = 40,
        sway_sensor: SwaySensor | None = None,
    ) -> None:
        """``sway_sensor``: what the crane's sway sensor reads (default: the true offset)."""
        self.plant = Plant(
            params,
            site,
            contents,
            gantry_m=gantry_m,
            trolley_m=trolley_m,
            hoist_m=hoist_m,
            spreader_ft=spreader_ft,
            sway_sensor=sway_sensor,
        )
        self.plc = CranePlc(self.plant, plc_params, personality=personality)
        self.link_faults = LinkFaults()
        self.faults = FaultInjector(self)
        self._servers: list[_Server] = []

    @property
    def params(self) -> CraneParams:
        """The crane simulated (its drives, ropes, spreader and limits)."""
        return self.plant.params

    @property
    def site(self) -> SiteLayout:
        """The site under it (lanes and stack block)."""
        return self.plant.site

    @property
    def time_s(self) -> float:
        """Simulated time since start, s."""
        return self.plant.time_s

    @property
    def model_faults(self) -> tuple[ModelFault, ...]:
        """Dropped or damaged loads, collisions: what the supervisor must never cause."""
        return self.plant.faults

    def step(self, dt: float) -> None:
        """Advance the PLC and the crane by ``dt`` seconds."""
        self.plc.step(dt)
        if self.link_faults.plc_down and not self.plc.down:
            self.link_faults.come_up()

    def run(self, seconds: float, dt: float = 0.01) -> None:
        """Step for ``seconds`` of simulated time at ``dt``."""
        for _ in range(round(seconds / dt)):
            self.step(dt)

    def restart_plc(self, down_s: float) -> None:
        """A warm restart of the PLC (:meth:`~simulators.plc_logic.CranePlc.restart`): every
        client connection closed now, nothing answered for ``down_s`` seconds of crane time,
        then the PLC comes up initialised and its servers answer again (clients reconnect)."""
        self.plc.restart(down_s)
        self.link_faults.go_down()
        self.drop_connections()

    def status(self) -> Mapping[str, Value]:
        return self.plc.status()

    def command(self, values: Mapping[str, Value]) -> None:
        self.plc.command(values)

    def written_back(self) -> tuple[int, Mapping[str, Value]]:
        """Commands the PLC wrote back into their places (:class:`~.served.WritesBack`)."""
        return self.plc.written_back()

    def attach(self, server: _Server) -> None:
        """Let link faults reach a protocol server serving this simulator."""
        self._servers.append(server)

    def detach(self, server: _Server) -> None:
        self._servers.remove(server)

    def drop_connections(self) -> None:
        for server in self._servers:
            server.drop_connections()

    def check_raw(self, force: RawForce) -> None:
        """:class:`~crane_ctrl.errors.FaultError` unless every server attached can serve it (a
        name that is no status signal, a point, needs a server whose profile has it)."""
        if not self._servers and force.signal not in SIGNALS:
            raise FaultError(
                f"force_raw {force.signal}: not a status signal, and no PLC server is attached "
                "whose profile could have it as a point"
            )
        for server in self._servers:
            server.check_raw(force)

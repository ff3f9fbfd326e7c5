"""Where a scenario's faults go: the bundled simulator, a simulator's control channel, or nowhere.

The bundled simulator (lock-step and ``--real``) takes them directly. An external simulator
given with ``--plc URL --control HOST:PORT`` takes them over its JSON-lines control channel
(:mod:`simulators.control`). A real PLC has none: every injection is reported as skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from simulators.faults import FaultError
from simulators.simulator import CraneSimulator

__all__ = ["ControlChannelInjector", "Injector", "NoInjector", "SimulatorInjector"]


class Injector(Protocol):
    skipped: str | None
    """Why injections are skipped (``None``: they are not)."""

    async def inject(self, name: str, params: Mapping[str, object]) -> str:
        """Inject; the key to clear it with. :class:`FaultError` when it cannot be."""
        ...

    async def clear(self, key: str) -> None: ...


class SimulatorInjector:
    """Into the simulator this process runs."""

    skipped: str | None = None

    def __init__(self, sim: CraneSimulator) -> None:
        self.sim = sim

    async def inject(self, name: str, params: Mapping[str, object]) -> str:
        return self.sim.faults.inject(name, **params)

    async def clear(self, key: str) -> None:
        self.sim.faults.clear(key)


class ControlChannelInjector:
    """Over a simulator's control channel (``crane-ctrl sim`` prints where it is)."""

    skipped: str | None = None

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    async def inject(self, name: str, params: Mapping[str, object]) -> str:
        answer = await self._ask({"op": "inject", "fault": name, "params": dict(params)})
        return str(answer["key"])

    async def clear(self, key: str) -> None:
        await self._ask({"op": "clear", "key": key})

    async def _ask(self, message: dict[str, object]) -> dict[str, object]:
        from simulators.control import request

        try:
            answer = await request(self.host, self.port, message)
        except (OSError, TimeoutError) as exc:
            raise FaultError(f"control channel {self.host}:{self.port}: {exc}") from None
        if not answer.get("ok"):
            raise FaultError(f"control channel {self.host}:{self.port}: {answer.get('error')}")
        return answer


class NoInjector:
    """A PLC the rig cannot reach inside: every injection is skipped, and says so."""

    skipped: str | None = (
        "skipped: the external PLC has no control channel (give --control HOST:PORT for a "
        "crane-ctrl simulator)"
    )

    async def inject(self, name: str, params: Mapping[str, object]) -> str:
        raise FaultError(str(self.skipped))

    async def clear(self, key: str) -> None:
        raise FaultError(str(self.skipped))

"""What a simulated PLC's protocol servers serve, and the link faults they can inject.

A server (Modbus or OPC UA) knows nothing of cranes: it publishes a :class:`PlcProcess`'s status
signals through the profile's codec (:mod:`simulators.served_status` says what it serves when a
value cannot be encoded) and hands every command the client writes back to it. Link faults live
here because they belong to the wire, not to the crane; so do raw forces, which set what the wire
carries for a signal whatever the PLC program holds. A PLC that writes into a command place
itself (:class:`WritesBack`: a request it clears) has that value served in the place on publish.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from crane_ctrl.signals import Value
from simulators.raw_places import RawForce

__all__ = ["LinkFaults", "PlcProcess", "RawForce", "WriteBackSeen", "WritesBack"]


class PlcProcess(Protocol):
    """The PLC program behind a server: its status signals and a sink for written commands."""

    def status(self) -> Mapping[str, Value]:
        """Every status signal the PLC exposes now (engineering values)."""
        ...

    def command(self, values: Mapping[str, Value]) -> None:
        """Commands the client wrote (engineering values); may be a subset."""
        ...


@runtime_checkable
class WritesBack(Protocol):
    """A PLC program that writes into command places itself (a request bit it clears once it
    took the request over): its servers serve those values in the command places."""

    def written_back(self) -> tuple[int, Mapping[str, Value]]:
        """How many write-backs so far, and each command's latest value written back."""
        ...


class WriteBackSeen:
    """What one server has applied of a PLC's write-backs: :meth:`new` gives the commands to
    serve again when the PLC wrote back since the last call (nothing for other PLCs)."""

    def __init__(self, plc: PlcProcess) -> None:
        self._plc = plc if isinstance(plc, WritesBack) else None
        self._count = 0

    def new(self) -> Mapping[str, Value]:
        if self._plc is None:
            return {}
        count, values = self._plc.written_back()
        if count == self._count:
            return {}
        self._count = count
        return values


@dataclass
class LinkFaults:
    """Faults of the link itself, shared by a server's request handler. Clear with ``clear()``."""

    latency_s: float = 0.0
    """Extra delay before every answer."""
    exception_code: int | None = None
    """Modbus only: answer every request with this exception code (e.g. 4, device failure)."""
    raw: dict[str, RawForce] = field(default_factory=dict)
    """Status signals whose place serves this raw content, past the codec (fault ``force_raw``)."""
    _answering: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    _running: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    """Clear while the PLC behind the server restarts (fault ``plc_restart``)."""

    def __post_init__(self) -> None:
        self._answering.set()
        self._running.set()

    @property
    def frozen(self) -> bool:
        """Whether the server has stopped answering (the connection stays open): frozen, or
        the PLC behind it restarting."""
        return not (self._answering.is_set() and self._running.is_set())

    @property
    def plc_down(self) -> bool:
        """The PLC behind the server is restarting: nothing is answered until it is up."""
        return not self._running.is_set()

    def go_down(self) -> None:
        self._running.clear()

    def come_up(self) -> None:
        self._running.set()

    def freeze(self) -> None:
        self._answering.clear()

    def thaw(self) -> None:
        self._answering.set()

    def clear(self) -> None:
        self.latency_s = 0.0
        self.exception_code = None
        self.raw.clear()
        self.thaw()

    async def before_answer(self) -> None:
        """Wait as the faults say before a request is answered."""
        await self._answering.wait()
        await self._running.wait()
        if self.latency_s > 0:
            await asyncio.sleep(self.latency_s)

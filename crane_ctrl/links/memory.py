"""A link to a PLC that lives in the same process: lock-step tests with no sockets.

It speaks to anything with the raw interface of a PLC seen through a profile (register reads and
writes for Modbus profiles, node reads and writes for OPC UA ones): in practice
``simulators.memory.MemoryPlc``. The same codec decodes and encodes as on the wire; whatever the
PLC raises (no answer, exception reply, dropped link) becomes a failed result, as on a socket.
Method-mapped commands are called on their rising edges as the OPC UA link calls them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from types import TracebackType
from typing import Protocol, Self

from crane_ctrl.clock import Clock
from crane_ctrl.errors import CraneCtrlError, EncodeError, LinkLost, PlcRefused
from crane_ctrl.link_report import LinkHealth, LinkState, ReadResult, WriteResult
from crane_ctrl.links.base import HealthBook
from crane_ctrl.profile.modbus_map import Decoded, ModbusCodec, RegisterImage
from crane_ctrl.profile.model import ModbusProfile, Profile
from crane_ctrl.profile.opcua_map import MethodCall, NodeRef, NodeWrite, OpcUaCodec, RisingEdges
from crane_ctrl.signals import Direction, Value
from crane_ctrl.units import DeclaredUnits

__all__ = ["MemoryLink", "RawPlc"]


class RawPlc(Protocol):
    """A PLC's raw data as a profile lays it out (``simulators.memory.MemoryPlc``)."""

    def read(self, table: str, start: int, count: int) -> list[int]: ...

    def write(self, table: str, start: int, values: Sequence[int]) -> None: ...

    def read_nodes(self, refs: Sequence[NodeRef]) -> list[object]: ...

    def write_nodes(self, writes: Sequence[NodeWrite]) -> None: ...

    def call_method(self, call: MethodCall) -> None: ...


class MemoryLink:
    """In-process link; reads and writes complete at once (no awaits), for lock-step loops."""

    def __init__(self, profile: Profile, plc: RawPlc, clock: Clock) -> None:
        self.profile = profile
        self.plc = plc
        self.clock = clock
        self._modbus = ModbusCodec(profile) if isinstance(profile, ModbusProfile) else None
        self._opcua = None if isinstance(profile, ModbusProfile) else OpcUaCodec(profile)
        self._plan = self._modbus.read_plan() if self._modbus else []
        self._refs = self._opcua.nodes(Direction.STATUS) if self._opcua else []
        self._edges = RisingEdges(self._opcua.method_commands if self._opcua else {})
        self._book = HealthBook(self.name, clock, self.FAILURES_TO_DROP)

    FAILURES_TO_DROP = 3
    """Failed requests in a row after which the link counts as down (as the socket links)."""

    @property
    def name(self) -> str:
        return f"{self.profile.name} (memory)"

    @property
    def health(self) -> LinkHealth:
        return self._book.health

    @property
    def declared_units(self) -> Mapping[str, DeclaredUnits] | None:
        """The in-memory PLC declares no units: always ``None``."""
        return None

    async def __aenter__(self) -> Self:
        self._book.set(LinkState.UP)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._book.set(LinkState.CLOSED)

    async def read(self) -> ReadResult:
        try:
            if self._modbus is not None:
                decoded = self._read_modbus(self._modbus)
            else:
                assert self._opcua is not None
                values = dict(zip(self._refs, self.plc.read_nodes(self._refs), strict=True))
                decoded = self._opcua.decode(values)
        except CraneCtrlError as exc:
            return ReadResult(False, error=self._failed(exc))
        if self._book.state is not LinkState.UP:  # (up, it keeps its last error, as on a socket)
            self._book.set(LinkState.UP, reconnected=self._book.state is LinkState.DOWN)
        self._book.success(0.0)
        return ReadResult(
            True,
            decoded.values,
            decoded.problems,
            points=decoded.points,
            point_problems=decoded.point_problems,
            proofs=decoded.proofs,
        )

    def _read_modbus(self, codec: ModbusCodec) -> Decoded:
        """The read plan; a refused block (exception reply) is a problem of its signals only."""
        image = RegisterImage()
        refused = []
        for block in self._plan:
            try:
                image.put(
                    block.table, block.start, self.plc.read(block.table, block.start, block.count)
                )
            except PlcRefused as exc:  # the PLC answered, with an error: the link is fine
                refused.append(f"read {block}: {exc}")
                self._book.failure(f"link {self.name}: read {block}: {exc}", toward_drop=False)
        decoded = codec.decode(image)
        if not refused:
            return decoded
        why = "; ".join(refused)
        return replace(
            decoded,
            problems=dict.fromkeys(decoded.problems, why),
            point_problems=dict.fromkeys(decoded.point_problems, why),
        )

    async def write(self, values: Mapping[str, Value]) -> WriteResult:
        try:
            if self._modbus is not None:
                for block in self._modbus.write_blocks(self._modbus.encode(values)):
                    self.plc.write(block.table, block.start, block.values)
            else:
                assert self._opcua is not None
                self.plc.write_nodes(self._opcua.encode(values))
        except EncodeError as exc:
            return WriteResult(False, f"link {self.name}: cannot encode: {exc}")
        except CraneCtrlError as exc:
            return WriteResult(False, self._failed(exc))
        errors = [e for call in self._edges.due(values) if (e := self._call(call)) is not None]
        return WriteResult(False, "; ".join(errors)) if errors else WriteResult(True)

    def _call(self, call: MethodCall) -> str | None:
        try:
            self.plc.call_method(call)
        except CraneCtrlError as exc:
            self._edges.missed(call)
            return self._failed(exc, f"call of {call} for {call.signal} failed: ")
        return None

    def _failed(self, exc: CraneCtrlError, what: str = "") -> str:
        """A lost connection is down at once; no answer, after a few in a row; a refusal never
        (the PLC answered). Down, the link forgets the commands' edges (a reconnect starts
        afresh)."""
        error = f"link {self.name}: {what}{exc}"
        refused = isinstance(exc, PlcRefused)
        if self._book.failure(error, toward_drop=not refused) or isinstance(exc, LinkLost):
            self._book.set(LinkState.DOWN, error)
            self._edges.forget()
        return error

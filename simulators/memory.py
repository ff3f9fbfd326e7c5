"""The simulator's PLC in memory, seen through a profile: exactly the raw data a wire would carry.

For fast, deterministic lock-step tests: the supervisor's in-memory link reads and writes raw
registers or node values here instead of over a socket, through the same codec, with the
simulator's link faults applied (a frozen PLC does not answer, a dropped link is gone once), and
status served as the servers serve it (:mod:`simulators.served_status`: fallback and raw forces).
An OPC UA method call presses its command as the simulator's OPC UA server does
(:class:`simulators.plc_logic.MethodPresses`), on the simulator's time. A command the PLC wrote
back itself (a request it cleared) is served in its place, as the servers do.
"""

from __future__ import annotations

from collections.abc import Sequence

from crane_ctrl.errors import (
    Disconnected,
    ExceptionReply,
    NoAnswer,
    PlcRefused,
    SimulatedLinkError,
)
from crane_ctrl.profile.modbus_map import ModbusCodec, RegisterImage
from crane_ctrl.profile.model import ModbusProfile, Profile
from crane_ctrl.profile.opcua_map import MethodCall, NodeRef, NodeWrite, OpcUaCodec
from crane_ctrl.signals import Direction
from simulators.modbus_server import write_back as modbus_write_back
from simulators.opcua_server import write_back as opcua_write_back
from simulators.plc_logic import MethodPresses
from simulators.raw_places import RawForce
from simulators.served import WriteBackSeen
from simulators.served_status import ModbusStatus, OpcUaStatus
from simulators.simulator import CraneSimulator

__all__ = ["Disconnected", "ExceptionReply", "MemoryPlc", "NoAnswer", "SimulatedLinkError"]


class MemoryPlc:
    """Raw reads and writes of one simulator through one profile, in memory."""

    def __init__(self, sim: CraneSimulator, profile: Profile) -> None:
        self.sim = sim
        self.profile = profile
        self._served: ModbusStatus | OpcUaStatus = (
            ModbusStatus(ModbusCodec(profile))
            if isinstance(profile, ModbusProfile)
            else OpcUaStatus(OpcUaCodec(profile))
        )
        self._commands = RegisterImage()
        self._node_values: dict[NodeRef, object] = {}
        self._dropped = False
        self._presses = MethodPresses(sim.command)
        self._written_back = WriteBackSeen(sim)
        self.calls: list[str] = []
        """The commands whose method was called, in order (as the OPC UA server keeps them)."""
        self.requests = 0
        self._ends = _table_ends(profile) if isinstance(profile, ModbusProfile) else {}
        sim.attach(self)

    def drop_connections(self) -> None:
        self._dropped = True

    def check_raw(self, force: RawForce) -> None:
        """:class:`~crane_ctrl.errors.FaultError` unless this profile's place can hold the raw."""
        self._served.check(force)

    def _gate(self, *, modbus: bool = False) -> None:
        self.requests += 1
        self._presses.release(self.sim.time_s)
        self._serve_written_back()
        faults = self.sim.link_faults
        if self._dropped:
            self._dropped = False
            raise Disconnected("connection reset by the simulated PLC")
        if faults.frozen:
            raise NoAnswer("the simulated PLC does not answer")
        if modbus and faults.exception_code is not None:
            raise ExceptionReply(faults.exception_code)

    def _serve_written_back(self) -> None:
        """Command places the PLC wrote itself (requests it cleared), as the servers serve them."""
        values = self._written_back.new()
        if not values:
            return
        if isinstance(self._served, ModbusStatus):
            modbus_write_back(self._served.codec, self._commands, values)
            return
        for write in opcua_write_back(self._served.codec, self._node_values, values):
            self._node_values[write.node] = write.value

    # --- Modbus -----------------------------------------------------------------------------------

    def read(self, table: str, start: int, count: int) -> list[int]:
        """Registers (or 0/1 bits) ``start .. start+count-1`` of ``table``, as a PLC answers."""
        self._gate(modbus=True)
        served = self._require_modbus()
        if start + count > self._ends.get(table, 0):  # as the server: sized to the profile's map
            raise ExceptionReply(2)
        codec = served.codec
        image = served.image(self.sim.status(), self.sim.link_faults.raw)
        if table in ("coil", "holding"):
            image = codec.encode(codec.decode(self._commands, Direction.COMMAND).values, image)
        return image.get_or_zero(table, start, count)

    def write(self, table: str, start: int, values: Sequence[int]) -> None:
        """Write registers or coils, as Write Multiple Registers / Coils would."""
        self._gate(modbus=True)
        codec = self._require_modbus().codec
        if table not in ("coil", "holding"):
            raise ExceptionReply(1)  # illegal function: read-only tables cannot be written
        self._commands.put(table, start, list(values))
        self.sim.command(codec.decode(self._commands, Direction.COMMAND).values)

    def _require_modbus(self) -> ModbusStatus:
        if not isinstance(self._served, ModbusStatus):
            raise TypeError(f"profile {self.profile.name} is not a Modbus profile")
        return self._served

    # --- OPC UA -----------------------------------------------------------------------------------

    def read_nodes(self, refs: Sequence[NodeRef]) -> list[object]:
        """The values of ``refs`` (whole arrays for array nodes), as a Read service returns."""
        self._gate()
        writes = self._require_opcua().writes(self.sim.status(), self.sim.link_faults.raw)
        values: dict[NodeRef, object] = {w.node: w.value for w in writes}
        values.update(self._node_values)
        return [values.get(ref) for ref in refs]

    def write_nodes(self, writes: Sequence[NodeWrite]) -> None:
        """Write node values, as a Write service would (types as the writes carry them)."""
        self._gate()
        codec = self._require_opcua().codec
        for w in writes:
            self._node_values[w.node] = w.value
        self.sim.command(codec.decode(self._node_values, Direction.COMMAND).values)

    def call_method(self, call: MethodCall) -> None:
        """Call a method, as the Call service would: the command it carries is pressed."""
        self._gate()
        codec = self._require_opcua().codec
        for name, known in codec.method_commands.items():
            if (known.object, known.method) == (call.object, call.method):
                self.calls.append(name)
                self._presses.call(name, self.sim.time_s)
                return
        raise PlcRefused(f"BadMethodInvalid: no method {call.method} on {call.object}")

    def _require_opcua(self) -> OpcUaStatus:
        if not isinstance(self._served, OpcUaStatus):
            raise TypeError(f"profile {self.profile.name} is not an OPC UA profile")
        return self._served


def _table_ends(profile: ModbusProfile) -> dict[str, int]:
    """Per table, the first address past the PLC's map, as
    :class:`simulators.modbus_server.ModbusPlcServer` sizes its tables (reads beyond it answer
    exception 2, illegal address)."""
    ends = dict.fromkeys(("coil", "discrete_input", "holding", "input"), 0)
    for m in (*profile.signals.values(), *profile.points.values()):
        ends[m.table] = max(ends[m.table], m.address + m.register_count)
    return {t: max(16 if t in ("coil", "discrete_input") else 1, end) for t, end in ends.items()}

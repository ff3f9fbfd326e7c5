"""A simulated PLC served over Modbus TCP with the pymodbus 3.16 server, laid out by a profile.

The four tables are sized to the profile's map; addresses outside it answer exception 2 as a real
PLC would. :meth:`ModbusPlcServer.publish` encodes the status signals into the datastore (only
the blocks that changed; values the codec cannot encode, and raw forces, as
:mod:`simulators.served_status` says); every client write goes through the SimDevice action hook,
is decoded with the same codec and handed to the PLC process. Link faults (latency, no answer,
exception responses, dropped connections) are injected in that same hook. A command the PLC
wrote back itself (a request it cleared) is put into its holding register or coil on publish.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

from pymodbus.constants import ExcCodes
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from crane_ctrl.profile.modbus_map import TABLES, ModbusCodec, RegisterImage, WriteBlock
from crane_ctrl.profile.model import ModbusMapping, ModbusProfile
from crane_ctrl.signals import Direction, Value
from simulators.listening import listen_failure
from simulators.served import LinkFaults, PlcProcess, RawForce, WriteBackSeen
from simulators.served_status import ModbusStatus

__all__ = ["ModbusPlcServer", "write_back"]

log = logging.getLogger(__name__)

_FUNCTION_TABLE = {5: "coil", 15: "coil", 6: "holding", 16: "holding", 23: "holding"}
"""Write function codes and the table they write."""
_SET_FC = {"coil": 1, "discrete_input": 2, "holding": 3, "input": 4}
"""The function code ``server.async_setValues`` uses to address each table."""


class ModbusPlcServer:
    """One simulated PLC on a Modbus TCP socket (127.0.0.1 unless told otherwise)."""

    def __init__(
        self,
        profile: ModbusProfile,
        plc: PlcProcess,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: LinkFaults | None = None,
    ) -> None:
        self.codec = ModbusCodec(profile)
        self.served = ModbusStatus(self.codec)
        self.plc = plc
        self.faults = faults or LinkFaults()
        self._unit = profile.link.unit_id
        self._address = (host, port)
        self._commands = RegisterImage()
        self._written_back = WriteBackSeen(plc)
        self._published: dict[tuple[str, int], tuple[int, ...]] = {}
        self._server: ModbusTcpServer | None = None
        self._internal = False
        """True while we update the datastore ourselves (the action hook sees those calls too)."""
        self.requests = 0
        """Requests answered (for benchmarks and tests)."""

    async def __aenter__(self) -> Self:
        device = SimDevice(id=self._unit, simdata=self._tables(), action=self._on_request)
        self._server = ModbusTcpServer(device, address=self._address)
        try:
            await self._server.serve_forever(background=True)
        except RuntimeError as exc:  # pymodbus says "Could not start listen" and keeps the why
            self._server = None
            raise listen_failure(*self._address, exc) from None
        await self.publish()
        log.info("modbus PLC simulator listening on %s:%d", self._address[0], self.port)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.faults.thaw()
        if self._server is not None:
            await self._server.shutdown()  # type: ignore[no-untyped-call]
            self._server = None

    @property
    def port(self) -> int:
        """The TCP port actually bound (useful after asking for port 0)."""
        assert self._server is not None, "use `async with` first"
        listener: Any = self._server.transport
        port: int = listener.sockets[0].getsockname()[1]
        return port

    def _tables(self) -> tuple[list[SimData], list[SimData], list[SimData], list[SimData]]:
        """One block per table from address 0 to the last one the profile maps (its signals and
        its raw points; a derived signal has no place of its own)."""
        ends = dict.fromkeys(TABLES, 0)
        profile = self.codec.profile
        for m in (*profile.signals.values(), *profile.points.values()):
            ends[m.table] = max(ends[m.table], m.address + m.register_count)
        blocks: list[list[SimData]] = []
        for table in TABLES:
            if table in ("coil", "discrete_input"):  # count is in bits here
                bits = max(16, ends[table])
                blocks.append([SimData(0, count=bits, values=False, datatype=DataType.BITS)])
            else:
                count = max(1, ends[table])
                blocks.append([SimData(0, count=count, values=0, datatype=DataType.REGISTERS)])
        return blocks[0], blocks[1], blocks[2], blocks[3]

    async def publish(self) -> None:
        """Encode the PLC's status into the datastore; write only blocks that changed."""
        assert self._server is not None
        image = self.served.image(self.plc.status(), self.faults.raw)
        for table in ("discrete_input", "input", "holding", "coil"):
            for block in image.write_blocks(table, 10_000):
                await self._set(block)
        for block in write_back(self.codec, self._commands, self._written_back.new()):
            await self._set(block, again=True)

    async def _set(self, block: WriteBlock, *, again: bool = False) -> None:
        """Put ``block`` into the datastore unless it is there already as we last put it;
        ``again``: whatever we put last (a command place a client may have written since)."""
        key = (block.table, block.start)
        if self._published.get(key) == block.values and not again:
            return
        assert self._server is not None
        self._published[key] = block.values
        fc = _SET_FC[block.table]
        self._internal = True
        try:
            values: list[int] | list[bool] = list(block.values)
            if block.table in ("coil", "discrete_input"):
                values = [bool(v) for v in block.values]
            await self._server.async_setValues(self._unit, fc, block.start, values)
        finally:
            self._internal = False

    async def _on_request(
        self,
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> ExcCodes | None:
        """The SimDevice action: link faults, then client writes into the PLC's commands."""
        del start_address, count, registers
        if self._internal:
            return None
        self.requests += 1
        await self.faults.before_answer()
        if self.faults.exception_code is not None:
            return ExcCodes(self.faults.exception_code)
        table = _FUNCTION_TABLE.get(function_code)
        if table is not None and set_values is not None:
            # FC15 passes count in words, not bits: take every value written.
            self._commands.put(table, address, [int(v) for v in set_values])
            decoded = self.codec.decode(self._commands, Direction.COMMAND)
            self.plc.command(decoded.values)
        return None

    def check_raw(self, force: RawForce) -> None:
        """:class:`~crane_ctrl.errors.FaultError` unless this profile's place can hold the raw."""
        self.served.check(force)

    def drop_connections(self) -> None:
        """Close every client connection now (the listener stays up, clients may reconnect)."""
        assert self._server is not None
        for connection in list(self._server.active_connections.values()):
            connection.close()


def write_back(
    codec: ModbusCodec, commands: RegisterImage, values: Mapping[str, Value]
) -> list[WriteBlock]:
    """Put what the PLC wrote back into the command image (other bits of a word kept) and give
    the whole places to serve (commands the profile does not map are not served)."""
    values = {name: v for name, v in values.items() if name in codec.profile.signals}
    codec.encode(values, commands)
    blocks = []
    for name in values:
        m = codec.profile.signals[name]
        assert isinstance(m, ModbusMapping)
        words = commands.get_or_zero(m.table, m.address, m.register_count)
        blocks.append(WriteBlock(m.table, m.address, tuple(words)))
    return blocks

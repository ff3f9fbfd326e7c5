"""Link to a Modbus TCP PLC through one pymodbus ``AsyncModbusTcpClient``.

Reads follow the profile's read plan (fewest requests); writes carry only command signals, with
contiguous registers (and command bits packed into one word) batched. Every request has a short
timeout and no retry: a missed poll is cheaper than a late scan, and the snapshot builder
tolerates one. The link keeps itself connected with its own task and capped backoff, also when
the very first connect fails (pymodbus only reconnects links that were once up, so its own
reconnect is switched off). After ``failures_to_drop`` failed requests in a row the connection is
dropped and made again. Nothing raises into the scan loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException

from crane_ctrl.clock import Clock
from crane_ctrl.errors import EncodeError
from crane_ctrl.link_report import LinkHealth, LinkState, ReadResult, WriteResult
from crane_ctrl.links.base import Backoff, HealthBook
from crane_ctrl.profile.modbus_map import Block, ModbusCodec, RegisterImage
from crane_ctrl.profile.model import ModbusProfile
from crane_ctrl.realtime import deadline
from crane_ctrl.signals import Value
from crane_ctrl.units import DeclaredUnits

__all__ = ["ModbusLink"]

log = logging.getLogger(__name__)

_BIT_TABLES = ("coil", "discrete_input")
_EXCEPTIONS = {1: "illegal function", 2: "illegal address", 3: "illegal value", 4: "device failure"}


class ModbusLink:
    """One Modbus TCP PLC. ``async with`` owns the client and the reconnect task."""

    def __init__(
        self,
        profile: ModbusProfile,
        clock: Clock,
        *,
        host: str | None = None,
        port: int | None = None,
        backoff: Backoff | None = None,
        failures_to_drop: int = 3,
    ) -> None:
        self.codec = ModbusCodec(profile)
        self.clock = clock
        self.host = host or profile.link.host
        self.port = port or profile.link.port
        self.unit = profile.link.unit_id
        self.timeout_s = profile.link.timeout_s
        self._plan = self.codec.read_plan()
        self._block_of = _block_of_signal(self.codec, self._plan)
        self._backoff = backoff or Backoff(0.1, 2.0)
        self._client: AsyncModbusTcpClient | None = None
        self._task: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()
        self._book = HealthBook(self.name, clock, failures_to_drop)

    @property
    def name(self) -> str:
        return f"{self.codec.profile.name} (modbus {self.host}:{self.port} unit {self.unit})"

    @property
    def health(self) -> LinkHealth:
        return self._book.health

    @property
    def declared_units(self) -> Mapping[str, DeclaredUnits] | None:
        """Modbus declares no units: always ``None``."""
        return None

    async def __aenter__(self) -> Self:
        self._client = AsyncModbusTcpClient(
            self.host, port=self.port, timeout=self.timeout_s, retries=0, reconnect_delay=0
        )
        self._task = asyncio.create_task(self._keep_connected(), name=f"link {self.name}")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._client is not None:
            self._client.close()
        self._book.set(LinkState.CLOSED)

    # --- connection -------------------------------------------------------------------------------

    async def _keep_connected(self) -> None:
        client = self._client
        assert client is not None
        while True:
            if not client.connected:
                if self._book.state is LinkState.UP:
                    self._book.set(LinkState.DOWN, self.health.last_error or "connection closed")
                try:
                    async with deadline(self.timeout_s * 4):
                        await client.connect()
                except Exception as exc:  # whatever pymodbus raises, keep trying
                    log.debug("%s: connect failed: %s", self.name, exc)
                if client.connected:
                    self._backoff.reset()
                    self._book.set(LinkState.UP, reconnected=True)
                else:
                    self._book.set(LinkState.DOWN, f"cannot connect to {self.host}:{self.port}")
                    await asyncio.sleep(self._backoff.next())
                    continue
            self._lost.clear()
            try:
                async with asyncio.timeout(self._backoff.cap_s):
                    await self._lost.wait()
            except TimeoutError:
                continue  # look at the socket again: pymodbus may have closed it itself
            client.close()

    def _failed(self, error: str) -> None:
        dead = self._client is None or not self._client.connected
        if self._book.failure(error) or dead:
            self._lost.set()

    # --- reads and writes -------------------------------------------------------------------------

    def _unusable(self) -> str | None:
        """Why no request can be sent now (and wake the reconnect task if the socket died)."""
        client = self._client
        if client is None:
            return f"link {self.name} is not open"
        if self._book.state is LinkState.UP and not client.connected:
            self._lost.set()
            return f"link {self.name}: connection lost, reconnecting"
        if self._book.state is not LinkState.UP:
            return f"link {self.name} is {self._book.state}: {self.health.last_error}"
        return None

    async def read(self) -> ReadResult:
        client = self._client
        why = self._unusable()
        if why is not None or client is None:
            return ReadResult(False, error=why or "")
        started = time.perf_counter()
        image = RegisterImage()
        failed: dict[Block, str] = {}
        block = self._plan[0] if self._plan else None
        try:
            # pymodbus bounds each request by timeout_s; this bounds the whole read as well
            async with deadline(self.timeout_s * (len(self._plan) + 1)):
                for block in self._plan:
                    response = await _reader(client, block.table)(
                        block.start, count=block.count, device_id=self.unit
                    )
                    if response.isError():
                        code = getattr(response, "exception_code", 0)
                        failed[block] = f"exception {code} ({_EXCEPTIONS.get(code, 'exception')})"
                        continue
                    data = response.bits if block.table in _BIT_TABLES else response.registers
                    image.put(block.table, block.start, data[: block.count])
        except (TimeoutError, ModbusException, OSError) as exc:
            error = f"link {self.name}: read {block} failed: {_describe(exc, self.timeout_s)}"
            self._failed(error)
            return ReadResult(False, error=error, duration_s=time.perf_counter() - started)
        return self._decoded(image, failed, time.perf_counter() - started)

    def _decoded(self, image: RegisterImage, failed: dict[Block, str], took: float) -> ReadResult:
        decoded = self.codec.decode(image)
        problems = self._refused(decoded.problems, failed)
        point_problems = self._refused(decoded.point_problems, failed)
        for block, why in failed.items():  # answered, with an error: a failure, not a drop
            self._book.failure(f"link {self.name}: read {block}: {why}", toward_drop=False)
        self._book.success(took)
        return ReadResult(True, decoded.values, problems, duration_s=took, points=decoded.points,
                          point_problems=point_problems, proofs=decoded.proofs)  # fmt: skip

    def _refused(self, problems: Mapping[str, str], failed: dict[Block, str]) -> dict[str, str]:
        """``problems``, each one of a refused block saying so (not "was not read")."""
        out = dict(problems)
        for name in out:
            block = self._block_of.get(name)
            if block in failed:
                out[name] = f"read {block}: {failed[block]}"
        return out

    async def write(self, values: Mapping[str, Value]) -> WriteResult:
        client = self._client
        why = self._unusable()
        if why is not None or client is None:
            return WriteResult(False, why or "")
        started = time.perf_counter()
        try:
            blocks = self.codec.write_blocks(self.codec.encode(values))
        except EncodeError as exc:
            return WriteResult(False, f"link {self.name}: cannot encode: {exc}")
        block = blocks[0] if blocks else None
        try:
            async with deadline(self.timeout_s * (len(blocks) + 1)):
                for block in blocks:
                    if block.table == "coil":
                        bits = [bool(v) for v in block.values]
                        response = await client.write_coils(block.start, bits, device_id=self.unit)
                    else:
                        regs = list(block.values)
                        response = await client.write_registers(
                            block.start, regs, device_id=self.unit
                        )
                    if response.isError():
                        code = getattr(response, "exception_code", 0)
                        error = (
                            f"link {self.name}: write {block.table} {block.start}: exception {code}"
                        )
                        return WriteResult(False, error)
        except (TimeoutError, ModbusException, OSError) as exc:
            where = f"{block.table} {block.start}" if block else "nothing"
            error = f"link {self.name}: write {where} failed: {_describe(exc, self.timeout_s)}"
            self._failed(error)
            return WriteResult(False, error, time.perf_counter() - started)
        return WriteResult(True, duration_s=time.perf_counter() - started)


def _reader(client: AsyncModbusTcpClient, table: str) -> Any:
    return {
        "coil": client.read_coils,
        "discrete_input": client.read_discrete_inputs,
        "holding": client.read_holding_registers,
        "input": client.read_input_registers,
    }[table]


def _describe(exc: BaseException, timeout_s: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"timed out after {timeout_s} s"
    return f"{type(exc).__name__}: {exc}"


def _block_of_signal(codec: ModbusCodec, plan: list[Block]) -> dict[str, Block]:
    """The read request that carries each status signal and each point."""
    found = {}
    for name, m in [*codec.status.items(), *codec.points.items()]:
        for block in plan:
            if block.table == m.table and block.start <= m.address < block.end:
                found[name] = block
                break
    return found

"""The bundled simulator served by ``crane-ctrl sim`` in a process of its own, on loopback.

It stands in for the PLC, which has a CPU of its own: where the benchmark may (root), the process
runs at a higher priority (:data:`SIM_NICE`) so that stressing the supervisor's machine does not
stall the simulated PLC program as well. Its fault channel answers :meth:`watchdog_tripped`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Self

import crane_ctrl
from crane_ctrl.runtime.children import ChildGroup

__all__ = ["SIM_NICE", "START_WITHIN_S", "SimulatorProcess"]

START_WITHIN_S = 30.0
"""The simulator must say where it serves within this long."""
SIM_NICE = -5
"""The simulator's nice value where it may be lowered (the supervisor and stressors keep 0)."""
_CODE = Path(crane_ctrl.__file__).resolve().parent.parent
"""Where the ``crane_ctrl`` package this process runs lies: ``-m`` in the child finds the same."""
_SERVED = re.compile(r"^simulator: .* at (?P<host>[\d.]+):(?P<port>\d+)")
_CONTROL = re.compile(r"^control: (?P<host>[\d.]+):(?P<port>\d+)")


class SimulatorProcess:
    """``async with SimulatorProcess(profile, personality) as sim``: :attr:`plc` is the
    ``--plc`` URL, :attr:`control` the fault channel."""

    def __init__(self, profile: Path, personality: Path) -> None:
        self.profile = profile
        self.personality = personality
        self.group = ChildGroup(name="simulator")
        self.plc = ""
        self.control = ("", 0)
        self.nice = 0
        """The simulator's nice value."""

    async def __aenter__(self) -> Self:
        try:
            await self._start()
        except BaseException:
            await self.group.stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.group.stop()

    async def _start(self) -> None:
        process = await self.group.spawn(
            sys.executable, "-m", "crane_ctrl", "sim", "--profile", str(self.profile),
            "--port", "0", "--control-port", "0", "--personality", str(self.personality),
            stdout=subprocess.PIPE, cwd=_CODE,
        )  # fmt: skip
        assert process.stdout is not None
        said: list[str] = []
        async with asyncio.timeout(START_WITHIN_S):
            while not self.control[1]:
                line = (await process.stdout.readline()).decode()
                if not line:
                    raise RuntimeError(f"simulator ended before serving: {''.join(said)!r}")
                said.append(line)
                self._parse(line)
        with contextlib.suppress(PermissionError):
            os.setpriority(os.PRIO_PROCESS, process.pid, SIM_NICE)
        self.nice = os.getpriority(os.PRIO_PROCESS, process.pid)

    def _parse(self, line: str) -> None:
        if served := _SERVED.match(line):
            self.plc = f"modbus://{served['host']}:{served['port']}"
        elif control := _CONTROL.match(line):
            self.control = (control["host"], int(control["port"]))

    async def watchdog_tripped(self) -> bool:
        """Whether the simulated PLC's watchdog has tripped (latched until a reset)."""
        from simulators.control import request

        answer = await request(*self.control, {"op": "status"}, timeout_s=2.0)
        return bool(answer.get("status", {}).get("plc.watchdog_trip"))

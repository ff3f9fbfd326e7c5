"""A yard block of simulated cranes on one machine, each crane a process of its own: its
simulated PLC and its station, an edge node of the block (``crane-ctrl fleet demo``, ``bench
fleet``).

::

    async with DemoBlock(plan) as block:          # every crane up and running, or an error
        block.cranes[0].control                   # its simulator's control channel
        block.kill("ASC-03")                      # kill -9 (the bench)

Each crane runs ``crane-ctrl fleet crane`` (:mod:`crane_ctrl.cli.fleet_crane`) in a session
of its own, its errors in ``NAME.log`` in the run folder; :data:`START_TOGETHER` start at a time
(a crane's start-up is a second or two of CPU: twenty at once on two cores would keep each
other from their first scans). Leaving the block stops them all (SIGTERM, each leaves its crane
safe and sends its NDEATH; SIGKILL for any still there after :data:`STOP_WITHIN_S`), and
everything they started.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import crane_ctrl
from crane_ctrl.errors import FleetError
from crane_ctrl.fleet.broker import Broker
from crane_ctrl.runtime.children import ChildGroup

__all__ = [
    "CODE_ROOT",
    "CRANE_UP_WITHIN_S",
    "BlockPlan",
    "CraneProcess",
    "DemoBlock",
    "node_id",
]

CRANE_UP_WITHIN_S = 120.0
"""A crane must be running within this long of its start (twenty on a busy two-core machine)."""
START_TOGETHER = 2
"""Cranes starting at one time."""
STOP_WITHIN_S = 20.0
"""After SIGTERM, the cranes have this long to stop their scans and leave."""
CODE_ROOT = Path(crane_ctrl.__file__).resolve().parent.parent
"""Where the ``crane_ctrl`` this process runs lies: ``-m`` in a child finds the same one."""
_READY = re.compile(r"^crane (?P<name>\S+): control (?P<host>[\d.]+):(?P<port>\d+)$")


def node_id(index: int) -> str:
    """The ``index``-th crane's name and Sparkplug edge node id (``ASC-01`` ...)."""
    return f"ASC-{index:02d}"


@dataclass(frozen=True, slots=True)
class BlockPlan:
    """What cranes to start, and how."""

    cranes: int
    workdir: Path
    """The run's folder: journals, logs, seam sockets (made private)."""
    roles: Path
    """The roles file every crane loads."""
    group: str = "block-A"
    broker: Broker | None = None
    """``None``: cranes that are no edge nodes (the bench's run without publishing)."""
    primary_host: str | None = None
    site: Path | None = None
    demo_jobs: bool = False
    """Each crane queues the demo's own jobs (else it waits for the dispatcher's)."""
    semiautomatic: frozenset[str] = frozenset()
    """Cranes started in SEMIAUTOMATIC (their truck landings wait for a remote operator)."""

    def names(self) -> tuple[str, ...]:
        return tuple(node_id(i) for i in range(1, self.cranes + 1))


@dataclass(frozen=True, slots=True)
class CraneProcess:
    """One crane of the block, running."""

    name: str
    process: asyncio.subprocess.Process
    control: tuple[str, int]
    """Its simulator's control channel (faults, the bench's stamps)."""
    seam: Path
    journal: Path
    log: Path


class DemoBlock:
    """The block's cranes, owned by ``async with``."""

    def __init__(self, plan: BlockPlan) -> None:
        if plan.cranes < 1:
            raise FleetError(f"--cranes must be at least 1, not {plan.cranes}")
        self.plan = plan
        self.cranes: list[CraneProcess] = []
        self._group = ChildGroup(name="cranes", stop_within_s=STOP_WITHIN_S)
        self._logs = ExitStack()

    def crane(self, name: str) -> CraneProcess:
        return next(c for c in self.cranes if c.name == name)

    def kill(self, name: str) -> None:
        """``kill -9`` the crane's process and all it started."""
        self._group.kill(self.crane(name).process)

    async def __aenter__(self) -> Self:
        for folder in (self.plan.workdir, self.plan.workdir / "run"):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(folder, 0o700)
        gate = asyncio.Semaphore(START_TOGETHER)
        try:
            async with asyncio.TaskGroup() as tasks:
                started = [tasks.create_task(self._start(name, gate)) for name in self.plan.names()]
            self.cranes = [task.result() for task in started]
        except BaseException as exc:
            await self._stop()
            raise _first_error(exc) from None
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._stop()

    async def _stop(self) -> None:
        try:
            await self._group.stop()
        finally:
            self._logs.close()

    async def _start(self, name: str, gate: asyncio.Semaphore) -> CraneProcess:
        paths = self._paths(name)
        log = self._logs.enter_context(paths["log"].open("ab"))
        async with gate:
            process = await self._spawn(name, paths, log)
            control = await _ready(process, name, paths["log"])
        return CraneProcess(name, process, control, paths["socket"], paths["journal"],
                            paths["log"])  # fmt: skip

    def _paths(self, name: str) -> dict[str, Path]:
        where = self.plan.workdir
        return {"journal": where / f"{name}.sqlite", "socket": where / "run" / f"{name}.sock",
                "log": where / f"{name}.log"}  # fmt: skip

    async def _spawn(self, name: str, paths: dict[str, Path], log: IO[Any]
                     ) -> asyncio.subprocess.Process:  # fmt: skip
        p = self.plan
        argv = [sys.executable, "-m", "crane_ctrl", "fleet", "crane", "--name", name,
                "--journal", str(paths["journal"]), "--socket", str(paths["socket"]),
                "--roles", str(p.roles), "--parent", str(os.getpid()), "--mode",
                "semiautomatic" if name in p.semiautomatic else "fullautomatic"]  # fmt: skip
        argv += ["--site", str(p.site)] if p.site is not None else []
        argv += ["--demo-jobs"] if p.demo_jobs else []
        if p.broker is not None:
            argv += ["--broker", str(p.broker), "--group", p.group, "--node", name]
            argv += ["--primary-host", p.primary_host] if p.primary_host else []
        return await self._group.spawn(*argv, stdout=subprocess.PIPE, stderr=log, cwd=CODE_ROOT)


async def _ready(process: asyncio.subprocess.Process, name: str, log: Path) -> tuple[str, int]:
    """Wait (bounded) for the crane's ready line; its control channel."""
    assert process.stdout is not None
    try:
        async with asyncio.timeout(CRANE_UP_WITHIN_S):
            while line := (await process.stdout.readline()).decode():
                if ready := _READY.match(line.strip()):
                    return ready["host"], int(ready["port"])
    except TimeoutError:
        raise FleetError(f"crane {name} did not come up within {CRANE_UP_WITHIN_S:g} s; its "
                         f"log: {log}") from None  # fmt: skip
    await process.wait()
    raise FleetError(f"crane {name} stopped at start: {_why(log, process.returncode)}")


def _why(log: Path, code: int | None) -> str:
    """The crane's own error line (``crane-ctrl: ...``), or where to look."""
    said = [s.removeprefix("crane-ctrl: ") for s in log.read_text(errors="replace").splitlines()
            if s.startswith("crane-ctrl: ")]  # fmt: skip
    return said[-1] if said else f"exit {code}; its log: {log}"


def _first_error(exc: BaseException) -> BaseException:
    """The first real error out of a task group (not the others' cancellations)."""
    while isinstance(exc, BaseExceptionGroup):
        exc = exc.exceptions[0]
    return exc

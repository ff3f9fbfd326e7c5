"""Child processes a benchmark owns: each started in a session of its own, stopped with all it
started (its process group), whatever ends the benchmark (an error, Ctrl-C).

::

    async with ChildGroup(name="stress") as group:
        await group.spawn("stress-ng", "--cpu", "2")
        ...                                   # on the way out: SIGTERM, bounded wait, SIGKILL

A process that forks workers (``stress-ng``) keeps them in its group, so killing the group
leaves none behind even if the parent dies first.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = ["STOP_WITHIN_S", "ChildGroup", "group_alive", "processes"]

STOP_WITHIN_S = 5.0
"""How long a child may take to end after SIGTERM before it (and its group) gets SIGKILL."""


class ChildGroup:
    """Processes started by :meth:`spawn`; all of them, and their process groups, stopped on
    exit."""

    def __init__(self, *, name: str) -> None:
        self.name = name
        self.processes: list[asyncio.subprocess.Process] = []

    @property
    def pids(self) -> tuple[int, ...]:
        """The children's ids (each one is also its process group's id)."""
        return tuple(p.pid for p in self.processes)

    async def spawn(
        self, *argv: str, stdout: int | None = subprocess.DEVNULL, cwd: Path | None = None
    ) -> asyncio.subprocess.Process:
        """Start ``argv`` in a new session; ``stdout=subprocess.PIPE`` to read what it says."""
        process = await asyncio.create_subprocess_exec(
            *argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.DEVNULL,
            cwd=cwd, start_new_session=True,
        )  # fmt: skip
        self.processes.append(process)
        return process

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def stop(self) -> None:
        """SIGTERM to every group, wait up to :data:`STOP_WITHIN_S`, then SIGKILL what is left."""
        for process in self.processes:
            _signal_group(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                await asyncio.wait_for(process.wait(), STOP_WITHIN_S)
            except TimeoutError:
                _signal_group(process.pid, signal.SIGKILL)
                await asyncio.wait_for(process.wait(), STOP_WITHIN_S)
            _signal_group(process.pid, signal.SIGKILL)  # workers its parent left behind
        self.processes.clear()


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def group_alive(pgid: int) -> bool:
    """Whether any process of group ``pgid`` still exists (a zombie does not count)."""
    return any(state != "Z" and group == pgid for _, state, _, group in processes())


def processes() -> list[tuple[int, str, int, int]]:
    """Every process now: (pid, state, parent pid, process group), from ``/proc`` (Linux)."""
    found = []
    with os.scandir("/proc") as entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", encoding="ascii") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:  # it ended meanwhile
                continue
            found.append((int(entry.name), fields[0], int(fields[1]), int(fields[2])))
    return found

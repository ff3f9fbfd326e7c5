"""Child processes a benchmark or a launcher (``crane-ctrl fleet demo``) owns: each started in a
session of its own, stopped with all it started (its process group), whatever ends the owner (an
error, Ctrl-C).

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
from typing import IO, Any, Self

__all__ = ["STOP_WITHIN_S", "ChildGroup", "group_alive", "processes"]

STOP_WITHIN_S = 5.0
"""How long a child may take to end after SIGTERM before it (and its group) gets SIGKILL."""


class ChildGroup:
    """Processes started by :meth:`spawn`; all of them, and their process groups, stopped on
    exit."""

    def __init__(self, *, name: str, stop_within_s: float = STOP_WITHIN_S) -> None:
        """``stop_within_s``: how long each child may take to end after SIGTERM."""
        self.name = name
        self.stop_within_s = stop_within_s
        self.processes: list[asyncio.subprocess.Process] = []

    @property
    def pids(self) -> tuple[int, ...]:
        """The children's ids (each one is also its process group's id)."""
        return tuple(p.pid for p in self.processes)

    async def spawn(
        self,
        *argv: str,
        stdout: int | IO[Any] | None = subprocess.DEVNULL,
        stderr: int | IO[Any] | None = subprocess.DEVNULL,
        cwd: Path | None = None,
    ) -> asyncio.subprocess.Process:
        """Start ``argv`` in a new session; ``stdout=subprocess.PIPE`` to read what it says,
        ``stderr``: a file to keep its errors in."""
        process = await asyncio.create_subprocess_exec(
            *argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
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
        """SIGTERM to every group, wait up to ``stop_within_s``, then SIGKILL what is left."""
        for process in self.processes:
            _signal_group(process.pid, signal.SIGTERM)
        deadline = asyncio.get_running_loop().time() + self.stop_within_s
        for process in self.processes:
            try:
                left = deadline - asyncio.get_running_loop().time()
                await asyncio.wait_for(process.wait(), max(left, 0.1))
            except TimeoutError:
                _signal_group(process.pid, signal.SIGKILL)
                await asyncio.wait_for(process.wait(), STOP_WITHIN_S)
            _signal_group(process.pid, signal.SIGKILL)  # workers its parent left behind
        self.processes.clear()

    def kill(self, process: asyncio.subprocess.Process) -> None:
        """SIGKILL ``process`` and all it started (its group) at once; :meth:`stop` reaps it."""
        _signal_group(process.pid, signal.SIGKILL)


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

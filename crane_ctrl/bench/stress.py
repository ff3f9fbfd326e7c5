"""Every core kept busy by other processes, for as long as a ``with`` block runs.

``stress-ng --cpu N`` (Debian package ``stress-ng``) when it is installed, else N Python
processes that spin; N is the number of cores this process may run on. They run at the
benchmark's own priority, as a busy machine's other work would. :class:`~crane_ctrl.runtime.
children.ChildGroup` stops them, and everything they started, on the way out.
"""

from __future__ import annotations

import os
import shutil
import sys
from types import TracebackType
from typing import Self

from crane_ctrl.runtime.children import ChildGroup

__all__ = ["BUSY_LOOP", "Stress", "cores"]

BUSY_LOOP = "while True: pass"
"""What a Python stressor runs when stress-ng is not installed."""


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0))


class Stress:
    """``async with Stress():`` every core busy inside the block; :attr:`how` says with what."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or cores()
        self.group = ChildGroup(name="stress")
        stress_ng = shutil.which("stress-ng")
        if stress_ng is not None:
            self._argv = [[stress_ng, "--cpu", str(self.workers), "--quiet"]]
            self.how = f"stress-ng --cpu {self.workers}"
        else:
            self._argv = [[sys.executable, "-c", BUSY_LOOP]] * self.workers
            self.how = f"{self.workers} busy Python processes"

    async def __aenter__(self) -> Self:
        try:
            for argv in self._argv:
                await self.group.spawn(*argv)
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

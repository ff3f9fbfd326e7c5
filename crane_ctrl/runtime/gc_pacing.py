"""Garbage collection on the scan's schedule, not in the middle of it.

Python's cyclic collector runs in whichever thread happens to allocate, and holds the GIL for
the whole pass: with Textual in the same process a full pass took 60-100 ms, and a young one up
to 9 ms, stalling the scan loop's thread for as long (measured with ``crane-ctrl bench hmi``).
:class:`GcPacer` turns automatic collection off, freezes what start-up built (never collected
again), and collects from the station's own loop right after each scan, in the idle part of the
period: the young generation every scan, the middle one every second, the old one every minute.
"""

from __future__ import annotations

import asyncio
import gc

from crane_ctrl.runtime.supervisor import Supervisor, SupervisorView

__all__ = ["GcPacer"]

MIDDLE_EVERY = 20
"""Scans between collections of generation 1 (1 s at 20 Hz)."""
OLD_EVERY = 1200
"""Scans between full collections (1 min at 20 Hz)."""


class GcPacer:
    """Installed on one supervisor; :meth:`uninstall` gives automatic collection back."""

    installed = 0
    """Pacers installed in this process (:meth:`freeze` acts only while one is)."""

    def __init__(self, supervisor: Supervisor, loop: asyncio.AbstractEventLoop) -> None:
        self.supervisor = supervisor
        self.loop = loop
        self.scans = 0
        self._publish = supervisor.on_view
        self._was_enabled = gc.isenabled()

    def install(self) -> None:
        gc.disable()
        gc.freeze()
        self.supervisor.on_view = self._after_scan
        GcPacer.installed += 1

    def uninstall(self) -> None:
        self.supervisor.on_view = self._publish
        GcPacer.installed -= 1
        gc.unfreeze()
        if self._was_enabled:
            gc.enable()

    @staticmethod
    def freeze() -> None:
        """Move everything alive now out of the collector's sight (call after start-up); only
        while a pacer collects (a test process keeps its collector as it is)."""
        if GcPacer.installed:
            gc.freeze()

    def _after_scan(self, view: SupervisorView) -> None:
        if self._publish is not None:
            self._publish(view)
        self.loop.call_soon(self._collect)

    def _collect(self) -> None:
        self.scans += 1
        if self.scans % OLD_EVERY == 0:
            gc.collect(2)
        elif self.scans % MIDDLE_EVERY == 0:
            gc.collect(1)
        else:
            gc.collect(0)

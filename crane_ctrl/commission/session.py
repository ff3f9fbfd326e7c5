"""The crane under test: the supervisor scanning the PLC in the background while the stages
watch its views, ask for commands and wait on what the PLC answers.

Every command a stage asks for goes through :meth:`ScanSession.propose` to the supervisor, whose
interlocks filter it every scan exactly as in ``crane-ctrl run``: commissioning never writes
around them. The one exception is the watchdog stage, which must stop the heartbeat: it pauses
the supervisor (:meth:`ScanSession.pause`; its shutdown writes zero references and drives off),
writes zero references with a frozen heartbeat itself, and resumes it.

Waits are bounded and driven by the scans: :meth:`ScanSession.until` looks at every view the
supervisor publishes after the last proposal and returns the first that meets the condition, or
``None`` when the time is up.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from crane_ctrl.clock import Clock
from crane_ctrl.commands import Commands
from crane_ctrl.links.base import Link
from crane_ctrl.runtime.supervisor import Supervisor, SupervisorView

__all__ = ["ScanSession", "scanning"]

Condition = Callable[[SupervisorView], bool]


class ScanSession:
    """A supervisor scanning in real time, pausable, watched scan by scan."""

    def __init__(self, supervisor: Supervisor, tasks: asyncio.TaskGroup) -> None:
        self.supervisor = supervisor
        self._tasks = tasks
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._watchers: list[asyncio.Queue[SupervisorView]] = []
        self._fresh_after = -1
        supervisor.on_view = self._publish

    @property
    def clock(self) -> Clock:
        return self.supervisor.clock

    @property
    def link(self) -> Link:
        return self.supervisor.link

    @property
    def view(self) -> SupervisorView:
        """The latest scan's view."""
        return self.supervisor.view

    @property
    def period_s(self) -> float:
        return self.supervisor.settings.scan_period_s

    @property
    def scanning(self) -> bool:
        return self._task is not None

    def propose(self, commands: Commands) -> None:
        """Ask for ``commands`` from the next scan on (the interlocks filter them); waits see
        only views scanned after this."""
        self.supervisor.propose(commands)
        self._fresh_after = self.view.snapshot.scan

    def request_reset(self) -> None:
        """Reset latched interlocks and pulse ``plc.reset`` on the next scan."""
        self.supervisor.request_reset("commissioning")
        self._fresh_after = self.view.snapshot.scan

    async def until(self, condition: Condition, *, within_s: float) -> SupervisorView | None:
        """The first view scanned after the last proposal that meets ``condition`` (which sees
        every such view, in order), or ``None`` after ``within_s``."""
        if self.view.snapshot.scan > self._fresh_after and condition(self.view):
            return self.view
        queue: asyncio.Queue[SupervisorView] = asyncio.Queue()
        self._watchers.append(queue)
        try:
            async with asyncio.timeout(within_s):
                while True:
                    view = await queue.get()
                    if view.snapshot.scan > self._fresh_after and condition(view):
                        return view
        except TimeoutError:
            return None
        finally:
            self._watchers.remove(queue)

    async def collect(self, seconds: float) -> list[SupervisorView]:
        """Every view scanned in the next ``seconds``."""
        views: list[SupervisorView] = []

        def keep(view: SupervisorView) -> bool:
            views.append(view)
            return False

        await self.until(keep, within_s=seconds)
        return views

    async def next_scan(self) -> SupervisorView | None:
        """The next fresh view (``None`` if the supervisor does not scan within a second)."""
        return await self.until(lambda view: True, within_s=max(1.0, 10 * self.period_s))

    def resume(self) -> None:
        """Start (or restart) the supervisor's scan loop."""
        if self._task is None:
            self._stop = asyncio.Event()
            self._task = self._tasks.create_task(self.supervisor.run(self._stop))

    async def pause(self) -> None:
        """Stop the scan loop; the supervisor writes zero references and drives off on its
        way out, and nothing writes the heartbeat until :meth:`resume`."""
        task, self._task = self._task, None
        if task is not None:
            self._stop.set()
            await task

    def _publish(self, view: SupervisorView) -> None:
        for queue in self._watchers:
            queue.put_nowait(view)


@asynccontextmanager
async def scanning(supervisor: Supervisor) -> AsyncIterator[ScanSession]:
    """The supervisor scanning until the block ends; then it leaves the crane safe (zero
    references, drives off) and stops."""
    async with asyncio.TaskGroup() as tasks:
        session = ScanSession(supervisor, tasks)
        session.resume()
        try:
            yield session
        finally:
            await session.pause()

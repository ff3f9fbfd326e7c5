"""Continuous reference jobs for ``crane-ctrl bench realtime``, and the operator who keeps them
going.

The two boxes that arrive on road trucks in the shipped border-gate site (:data:`HOMES`) go
truck -> stack and back, turn about, for as long as the run lasts (a job is about 70-105 s of
crane time): 40 ft and 20 ft, so the spreader telescopes between jobs, and every job plans a
collect leg and a deliver leg. :class:`JobCycle` is called from the benchmark's thread every
:data:`TEND_EVERY_S`: it counts finished jobs, queues the next one once nothing is queued or
running, and acts as a reasonable operator: a held move (a PLC watchdog trip holds it) gets an
interlock and PLC reset, then UNHOLD (a watchdog tripped between jobs gets the reset), at most
once per :data:`RECOVER_EVERY_S`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

from crane_ctrl.operation.jobs import JobState
from crane_ctrl.operation.machine import CommandRefused, PackCommand, PackState, Role
from crane_ctrl.runtime.bridge import Bridge
from crane_ctrl.runtime.station import StationView, User
from crane_ctrl.site import Slot, parse_slot

__all__ = ["BENCH_USER", "HOMES", "RECOVER_EVERY_S", "TEND_EVERY_S", "Home", "JobCycle"]


@dataclass(frozen=True, slots=True)
class Home:
    """Where a reference box goes to and fro."""

    truck: Slot
    stack: Slot
    size_ft: int

    def next_move(self, at: Slot | None) -> tuple[Slot, Slot] | None:
        """(from, to) for the box standing ``at``; ``None`` if it is in neither place."""
        if at == self.truck:
            return self.truck, self.stack
        if at == self.stack:
            return self.stack, self.truck
        return None


HOMES: dict[str, Home] = {
    "MSKU1234565": Home(parse_slot("truck:T1"), parse_slot("stack:7:3:1"), 40),
    "TGHU7654321": Home(parse_slot("truck:T2"), parse_slot("stack:11:1:1"), 20),
}
"""The demo's two truck -> stack jobs, and back."""
BENCH_USER = User("bench", Role.OPERATOR)
TEND_EVERY_S = 0.25
"""How often the benchmark looks at the station."""
RECOVER_EVERY_S = 2.0
"""The operator tries a reset and UNHOLD of a held move at most this often."""


@dataclass
class JobCycle:
    """Queues the reference jobs one after the other; counts how they ended."""

    bridge: Bridge
    done: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    recoveries: int = 0
    """Resets and UNHOLDs the operator gave a held move."""
    stuck: str = ""
    """Why no further job could be queued (a box neither on its truck nor in its slot)."""
    _pending: str | None = None
    """The job queued last, until it has ended."""
    _turn: int = 0
    _recovered_at: float = -RECOVER_EVERY_S
    _user: User | None = None
    """The bench's operator, with the session the station issued it at :meth:`start`."""

    @property
    def user(self) -> User:
        if self._user is None:
            raise RuntimeError("JobCycle.start() first: the bench's operator has no session")
        return self._user

    async def start(self) -> None:
        """RESET, wait for IDLE, START (the crane takes queued jobs in FULLAUTOMATIC)."""
        station = self.bridge.station
        self._user = await self.bridge.call(station.sessions.issue, BENCH_USER.name,
                                            BENCH_USER.role, client="bench")  # fmt: skip
        await self.bridge.call(station.reset, self.user)
        await self.bridge.call(station.pack, self.user, PackCommand.RESET, "bench start")
        deadline = time.monotonic() + 5.0
        while self.bridge.view.machine is not PackState.IDLE:
            if time.monotonic() > deadline:
                raise TimeoutError(f"machine not IDLE within 5 s: {self.bridge.view.machine}")
            await asyncio.sleep(0.05)
        await self.bridge.call(station.pack, self.user, PackCommand.START, "bench start")

    async def tend(self) -> None:
        view = self.bridge.view
        for job in view.finished:
            if job.state is JobState.DONE:
                self.done.add(job.id)
            else:
                self.failed.add(job.id)
        if self._pending in self.done | self.failed:
            self._pending = None
        held = view.machine is PackState.HELD
        if held or view.supervisor.snapshot.flag("plc.watchdog_trip", unsafe=False):
            await self._recover(held)
        elif self._pending is None and not self.stuck:
            await self._queue_next(view)

    async def _recover(self, held: bool) -> None:
        """Reset interlocks and the PLC; UNHOLD a held move."""
        now = time.monotonic()
        if now - self._recovered_at < RECOVER_EVERY_S:
            return
        self._recovered_at = now
        self.recoveries += 1
        station = self.bridge.station
        await self.bridge.call(station.reset, self.user)
        if held:
            with contextlib.suppress(CommandRefused):  # still tripped: try again later
                await self.bridge.call(station.pack, self.user, PackCommand.UNHOLD, "bench")

    async def _queue_next(self, view: StationView) -> None:
        where = {box.id: box.slot for box in view.boxes}
        boxes = list(HOMES)
        for _ in boxes:
            box = boxes[self._turn % len(boxes)]
            self._turn += 1
            move = HOMES[box].next_move(where.get(box))
            if move is not None:
                job = await self.bridge.call(self.bridge.station.add_job, self.user, *move,
                                             HOMES[box].size_ft)  # fmt: skip
                self._pending = job.id
                return
        self.stuck = f"no reference box where a job starts: {where}"

"""Bench instrumentation of a running supervisor, from outside its code.

:class:`ScanProbe` wraps one supervisor's ``scan_once`` (each scan's lateness, as ``run`` passes
it, and its duration), its link's ``read`` and ``write`` (their time in each scan; when each
successful write ended) and its sequencer hook (the hook's time in each scan).
:func:`timed_leg_plans` times every :meth:`~crane_ctrl.motion.leg.LegPlan.plan` in the process,
so that a scan in which a leg was planned is known. Install the probe on the supervisor's own
loop; read the samples once :meth:`ScanProbe.stop` has been called (they are plain lists,
appended to by the scan's thread).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Coroutine, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from crane_ctrl.commands import Commands
from crane_ctrl.interlocks.evaluate import Permits
from crane_ctrl.link_report import ReadResult, WriteResult
from crane_ctrl.motion.leg import LegPlan
from crane_ctrl.runtime.supervisor import Sequencer, Supervisor, SupervisorView
from crane_ctrl.signals import Value
from crane_ctrl.snapshot import Snapshot

_Scan = Callable[[float], Coroutine[Any, Any, SupervisorView]]
_Read = Callable[[], Coroutine[Any, Any, ReadResult]]
_Write = Callable[[Mapping[str, Value]], Coroutine[Any, Any, WriteResult]]

__all__ = ["Samples", "ScanProbe", "percentiles", "timed_leg_plans"]


@dataclass
class Samples:
    """What the probe saw while recording, seconds (times: ``time.perf_counter``)."""

    lateness_s: list[float] = field(default_factory=list)
    """As ``Supervisor.run`` measures it, on its loop's clock (uvloop's counts whole ms)."""
    started_at: list[float] = field(default_factory=list)
    """When each scan started."""
    scan_s: list[float] = field(default_factory=list)
    io_s: list[float] = field(default_factory=list)
    """The link's read and write time in each scan (the rest of the scan is this process's)."""
    written_at: list[float] = field(default_factory=list)
    """When each successful write to the PLC ended."""
    sequencer_s: list[float] = field(default_factory=list)
    """The sequencer hook's time, every scan that called it."""
    planning_scan_s: list[float] = field(default_factory=list)
    """The sequencer hook's time in the scans in which it planned a leg."""
    plan_s: list[float] = field(default_factory=list)
    """Each ``LegPlan.plan`` call, in any thread."""

    def longest_write_gap_s(self) -> float:
        return max(_gaps(self.written_at), default=0.0)

    def scan_intervals_s(self) -> list[float]:
        """From each scan's start to the next one's (the period, if every scan is on time)."""
        return _gaps(self.started_at)


def _gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


class ScanProbe:
    """Records one supervisor's scans between :meth:`start` and :meth:`stop`."""

    def __init__(self, supervisor: Supervisor) -> None:
        self.supervisor = supervisor
        self.samples = Samples()
        self.recording = False
        self._io_s = 0.0

    def install(self) -> None:
        """Wrap the scan, the link's write and the sequencer hook (call on the scan's loop)."""
        s = self.supervisor
        s.scan_once = self._timed_scan(s.scan_once)  # type: ignore[method-assign, assignment]
        s.link.read = self._timed_read(s.link.read)  # type: ignore[method-assign]
        s.link.write = self._timed_write(s.link.write)  # type: ignore[method-assign, assignment]
        if s.sequencer is not None:
            s.sequencer = _TimedSequencer(s.sequencer, self)

    def start(self) -> None:
        self.recording = True

    def stop(self) -> None:
        self.recording = False

    def plan_done(self, seconds: float) -> None:
        if self.recording:
            self.samples.plan_s.append(seconds)

    def _timed_scan(self, scan_once: _Scan) -> _Scan:
        async def scan(lateness_s: float = 0.0) -> SupervisorView:
            started, self._io_s = time.perf_counter(), 0.0
            view = await scan_once(lateness_s)
            if self.recording:
                self.samples.lateness_s.append(lateness_s)
                self.samples.started_at.append(started)
                self.samples.scan_s.append(time.perf_counter() - started)
                self.samples.io_s.append(self._io_s)
            return view

        return scan

    def _timed_read(self, read: _Read) -> _Read:
        async def timed() -> ReadResult:
            started = time.perf_counter()
            result = await read()
            self._io_s += time.perf_counter() - started
            return result

        return timed

    def _timed_write(self, write: _Write) -> _Write:
        async def timed(values: Mapping[str, Value]) -> WriteResult:
            started = time.perf_counter()
            result = await write(values)
            ended = time.perf_counter()
            self._io_s += ended - started
            if result.ok and self.recording:
                self.samples.written_at.append(ended)
            return result

        return timed


class _TimedSequencer:
    """The supervisor's sequencer hook, timed; a leg planned during the call marks the scan."""

    def __init__(self, inner: Sequencer, probe: ScanProbe) -> None:
        self.inner = inner
        self.probe = probe

    @property
    def travel_clear_below_m(self) -> float | None:
        clear: float | None = getattr(self.inner, "travel_clear_below_m", None)
        return clear

    def __call__(self, snapshot: Snapshot, permits: Permits, now: float) -> Commands:
        samples = self.probe.samples
        plans = len(samples.plan_s)
        started = time.perf_counter()
        commands = self.inner(snapshot, permits, now)
        took = time.perf_counter() - started
        if self.probe.recording:
            samples.sequencer_s.append(took)
            if len(samples.plan_s) > plans:
                samples.planning_scan_s.append(took)
        return commands


@contextmanager
def timed_leg_plans(sink: Callable[[float], None]) -> Iterator[None]:
    """Every ``LegPlan.plan`` in this process calls ``sink(seconds)`` while inside the block."""
    original = LegPlan.__dict__["plan"]

    def plan(cls: type[LegPlan], *args: Any, **kwargs: Any) -> LegPlan:
        started = time.perf_counter()
        try:
            planned: LegPlan = original.__func__(cls, *args, **kwargs)
            return planned
        finally:
            sink(time.perf_counter() - started)

    setattr(LegPlan, "plan", classmethod(plan))  # noqa: B010 (a method, not a field)
    try:
        yield
    finally:
        setattr(LegPlan, "plan", original)  # noqa: B010


def percentiles(values: list[float], *, scale: float = 1000.0) -> dict[str, float]:
    """p50, p99 and max (nearest rank), times ``scale`` (seconds -> ms), rounded; zeros if none."""
    ordered = sorted(values)
    if not ordered:
        return {"p50": 0.0, "p99": 0.0, "max": 0.0}

    def rank(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * scale, 3)

    return {"p50": rank(0.5), "p99": rank(0.99), "max": round(ordered[-1] * scale, 3)}

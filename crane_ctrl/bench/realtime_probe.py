"""Bench instrumentation of a running supervisor, from outside its code.

:class:`ScanProbe` wraps one supervisor's ``scan_once`` (each scan's lateness, as ``run`` passes
it, and its duration), its link's ``read`` and ``write`` (their time in each scan; when each
successful write ended) and its sequencer hook (the hook's time in each scan, and in the scans
in which a leg's plan was asked for or taken). Each plan's latency is timed from the scan that
asked for it to when its future is done, wherever it was worked out (in the scan, or in the
planning worker). Install the probe on the supervisor's own loop; read the samples once
:meth:`ScanProbe.stop` has been called (they are plain lists, appended to by the scan's thread
and the planner's).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Coroutine, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from crane_ctrl.commands import Commands
from crane_ctrl.interlocks.evaluate import Permits
from crane_ctrl.link_report import ReadResult, WriteResult
from crane_ctrl.runtime.supervisor import Sequencer, Supervisor, SupervisorView
from crane_ctrl.signals import Value
from crane_ctrl.snapshot import Snapshot

_Scan = Callable[[float], Coroutine[Any, Any, SupervisorView]]
_Read = Callable[[], Coroutine[Any, Any, ReadResult]]
_Write = Callable[[Mapping[str, Value]], Coroutine[Any, Any, WriteResult]]

__all__ = ["Samples", "ScanProbe", "percentiles"]


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
    """The sequencer hook's time in the scans in which a leg's plan was asked for or taken."""
    plan_s: list[float] = field(default_factory=list)
    """Each leg plan, from the scan that asked for it to its answer."""

    def longest_write_gap_s(self) -> float:
        return max(_gaps(self.written_at), default=0.0)

    def work_s(self) -> list[float]:
        """Each scan's own work: its duration less the link's read and write (awaiting the
        PLC's answer holds no interpreter: other tasks run meanwhile)."""
        return [scan - io for scan, io in zip(self.scan_s, self.io_s, strict=True)]

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

    def plan_asked(self, future: Future[Any]) -> None:
        """Time the plan ``future`` will answer, from now."""
        if not self.recording:
            return
        asked = time.perf_counter()

        def done(_: Future[Any]) -> None:
            if not future.cancelled():
                self.samples.plan_s.append(time.perf_counter() - asked)

        future.add_done_callback(done)

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
    """The supervisor's sequencer hook, timed; a leg's plan asked for or taken during the call
    marks the scan."""

    def __init__(self, inner: Sequencer, probe: ScanProbe) -> None:
        self.inner = inner
        self.probe = probe
        self._pending: object = None
        self._leg: object = None

    @property
    def travel_clear_below_m(self) -> float | None:
        clear: float | None = getattr(self.inner, "travel_clear_below_m", None)
        return clear

    @property
    def planning_late(self) -> str:
        late: str = getattr(self.inner, "planning_late", "")
        return late

    def __call__(self, snapshot: Snapshot, permits: Permits, now: float) -> Commands:
        started = time.perf_counter()
        commands = self.inner(snapshot, permits, now)
        took = time.perf_counter() - started
        if self.probe.recording:
            self.probe.samples.sequencer_s.append(took)
            if self._planned(took):
                self.probe.samples.planning_scan_s.append(took)
        return commands

    def _planned(self, took: float) -> bool:
        """A leg's plan was asked for or taken in this call (the run's pending plan, or its
        leg, is a new one); ``took``: the call's time."""
        run = getattr(getattr(self.inner, "sequencer", None), "run", None)
        pending: Any = getattr(run, "planning", None)
        leg: Any = getattr(run, "leg", None)
        asked = pending is not None and pending is not self._pending
        taken = leg is not None and leg is not self._leg
        if asked:
            self.probe.plan_asked(pending.future)
        elif taken and self._pending is None:
            self.probe.samples.plan_s.append(took)  # asked and answered in this call (inline)
        self._pending, self._leg = pending, leg
        return asked or taken


def percentiles(values: list[float], *, scale: float = 1000.0) -> dict[str, float]:
    """p50, p99 and max (nearest rank), times ``scale`` (seconds -> ms), rounded; zeros if none."""
    ordered = sorted(values)
    if not ordered:
        return {"p50": 0.0, "p99": 0.0, "max": 0.0}

    def rank(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * scale, 3)

    return {"p50": rank(0.5), "p99": rank(0.99), "max": round(ordered[-1] * scale, 3)}

"""The broker killed mid-job (``crane-ctrl bench fleet``): does every crane keep its job safely,
is every value back-filled, is every crane born again?

Every second the bench forces the next anemometer value at every crane's PLC (a value no motion
depends on at these speeds: :func:`~crane_ctrl.bench.fleet_probes.wind_value`), from a few
seconds before the broker is killed (``kill -9``) until a few seconds after it is back on the same
port. Each forced value, held for a second, is a data point every crane must deliver, live or
``is_historical``: it counts as received when the recorder (:mod:`.fleet_recorder`) has that
value of that crane, read while it was forced. Then the PLCs are asked what went wrong (a dropped
load, a collision, a watchdog trip) and the operations centre's view what became of each job.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from crane_ctrl.bench.fleet_probes import force_wind, plc_faults, wind_value
from crane_ctrl.bench.fleet_recorder import Recorder
from crane_ctrl.fleet.demo_block import CraneProcess
from crane_ctrl.fleet.fleet_view import CraneView
from crane_ctrl.realtime import sleep_unless

__all__ = ["Forced", "WindSteps", "historical_points", "job_kept", "lost_points", "safety"]

STEP_S = 1.0
"""A forced value is held this long: twenty scans read it, whatever the load."""
LATE_S = 0.5
"""A received value still counts if the crane read it this long after the next was forced (the
PLC's cycle and the scan's period)."""
ENDED_BADLY = ("failed", "cancelled")
WORKING = ("execute", "completing", "complete")
"""PackML states of a crane still at its jobs (or done with all of them)."""


@dataclass(frozen=True, slots=True)
class Forced:
    """``value`` forced at the crane's PLC from ``since`` (wall s) to ``until``."""

    crane: str
    value: float
    since: float
    until: float


@dataclass
class WindSteps:
    """The values forced at each crane, in order; each crane's counter (shared with the latency
    probe, so the next value always differs from the one before)."""

    counters: dict[str, int] = field(default_factory=dict)
    forced: list[Forced] = field(default_factory=list)

    def next_value(self, crane: str) -> float:
        k = self.counters.get(crane, 0) + 1
        self.counters[crane] = k
        return wind_value(k)

    async def run(self, cranes: list[CraneProcess], stop: asyncio.Event) -> None:
        """A new value at every crane each :data:`STEP_S` until ``stop``."""
        held: dict[str, tuple[float, float]] = {}
        while not stop.is_set():
            for crane in cranes:
                value = self.next_value(crane.name)
                since = await force_wind(crane, value)
                if crane.name in held:
                    before, at = held[crane.name]
                    self.forced.append(Forced(crane.name, before, at, since))
                held[crane.name] = (value, since)
            await sleep_unless(stop, STEP_S)
        end = time.time()
        self.forced += [Forced(name, v, at, end) for name, (v, at) in held.items()]


def lost_points(steps: WindSteps, recorder: Recorder) -> list[Forced]:
    """The forced values no host received (live or historical) while they stood."""
    return [f for f in steps.forced if not _received(f, recorder)]


def _received(forced: Forced, recorder: Recorder) -> bool:
    for point in recorder.points.get(forced.crane, ()):
        if point.timestamp_ms is None or not isinstance(point.value, float):
            continue
        read_s = point.timestamp_ms / 1000.0
        if abs(point.value - forced.value) < 1e-6 and forced.since <= read_s + 0.005 \
                and read_s <= forced.until + LATE_S:  # fmt: skip
            return True
    return False


def historical_points(recorder: Recorder) -> int:
    return sum(1 for points in recorder.points.values() for p in points if p.historical)


async def safety(cranes: list[CraneProcess]) -> dict[str, Any]:
    """What the simulated PLCs say went wrong: model faults and watchdog trips, every crane."""
    faults = await asyncio.gather(*(plc_faults(c) for c in cranes))
    return {
        "model_faults": [f"{c.name}: {m}" for c, f in zip(cranes, faults, strict=True)
                         for m in f.model_faults],
        "watchdog_trips": [c.name for c, f in zip(cranes, faults, strict=True) if f.watchdog_trip],
    }  # fmt: skip


def job_kept(before: CraneView | None, after: CraneView | None, since_ms: int) -> str:
    """Why ``after`` shows the crane did not keep its job across the outage ("": it did): it
    is not executing, or a job of its failed or was cancelled since ``since_ms``."""
    if after is None or not after.online:
        return "not online after the outage"
    state = after.text("Operation/State")
    if state not in WORKING:
        return f"state {state} (before: {before.text('Operation/State') if before else '?'})"
    ended = after.metrics.get("Job/Ended")
    if ended is not None and isinstance(ended.value, str) and (ended.timestamp_ms or 0) >= since_ms:
        doc = json.loads(ended.value)
        if doc.get("state") in ENDED_BADLY:
            return f"job {doc.get('job')} {doc.get('state')}: {doc.get('reason')}"
    return ""

"""What ``crane-ctrl bench realtime`` runs (its cases) and what it holds the figures to (the
issue's targets). Light: the command line reads it without loading the station."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

__all__ = [
    "CONDITIONS",
    "GC_MODES",
    "IDLE_SCAN_TARGET_S",
    "LATENESS_TARGET_S",
    "LOOPS",
    "PLANNING",
    "PRIORITIES",
    "TRIP_FREE_S",
    "WATCHDOG_S",
    "WRITE_GAP_TARGET_S",
    "Case",
    "RealtimeOptions",
    "targets",
    "uvloop_installed",
]

CONDITIONS = ("idle", "stress", "stress+hmi")
"""Nothing else running; every core kept busy by other processes; and the HMI in this process."""
GC_MODES = ("paced", "paced+freeze", "auto", "auto+freeze")
"""The station's GC pacing (as it runs), with ``gc.freeze()`` after start-up, Python's automatic
collection, and that with ``gc.freeze()`` after start-up."""
LOOPS = ("asyncio", "uvloop")
PLANNING = ("pool", "inline")
"""Leg plans and rope fits in the planning worker process (as the station runs), or in the scan
that asks for them (as before issue 16)."""
PRIORITIES = ("raised", "normal")
"""The station's loop thread at nice :data:`~crane_ctrl.runtime.scan_priority.SCAN_NICE` (as the
station runs, where the process may raise it), or at the priority it was started with."""
WATCHDOG_S = 0.5
"""The simulated PLC's watchdog: our heartbeat unchanged this long stops the crane."""
WRITE_GAP_TARGET_S = 0.150
"""Longest gap between two writes under full stress: three scans."""
LATENESS_TARGET_S = 0.010
"""p99 scan lateness under full stress."""
IDLE_SCAN_TARGET_S = 0.010
"""Longest scan on an idle machine across the reference moves (nothing slow in the scan)."""
TRIP_FREE_S = 1800.0
"""The issue asks for no watchdog trip in this long of continuous jobs."""


@dataclass(frozen=True, slots=True)
class Case:
    condition: str
    gc: str = "paced"
    loop: str = "asyncio"
    planning: str = "pool"
    priority: str = "raised"

    def __str__(self) -> str:
        return (f"{self.condition}, gc {self.gc}, {self.loop}, planning {self.planning}, "
                f"priority {self.priority}")  # fmt: skip


@dataclass(frozen=True, slots=True)
class RealtimeOptions:
    seconds: float = 120.0
    """Length of each case."""
    conditions: tuple[str, ...] = CONDITIONS
    gc_modes: tuple[str, ...] = GC_MODES[:1]
    loops: tuple[str, ...] = LOOPS[:1]
    planning: tuple[str, ...] = PLANNING[:1]
    priorities: tuple[str, ...] = PRIORITIES[:1]

    def cases(self) -> list[Case]:
        """Every combination, the priority outermost, then the planning, then the event loop;
        uvloop left out if not installed."""
        loops = [loop for loop in self.loops if loop != "uvloop" or uvloop_installed()]
        return [Case(c, g, loop, p, r) for r in self.priorities for p in self.planning
                for loop in loops for g in self.gc_modes for c in self.conditions]  # fmt: skip


def uvloop_installed() -> bool:
    return importlib.util.find_spec("uvloop") is not None


def targets(
    case: Case, *, write_gap_s: float, p99_lateness_s: float, max_scan_s: float,
    max_work_s: float, trips: int, run_s: float,
) -> dict[str, bool | None]:  # fmt: skip
    """Each of the issue's targets met or not (``None``: it does not apply to this case)."""
    return {
        "write_gap_le_150ms": write_gap_s <= WRITE_GAP_TARGET_S,
        "p99_lateness_le_10ms": p99_lateness_s <= LATENESS_TARGET_S,
        "no_watchdog_trip_in_run": trips == 0,
        "no_watchdog_trip_in_30_min": trips == 0 if run_s >= TRIP_FREE_S else None,
        "max_scan_le_10ms_idle": (
            max_scan_s <= IDLE_SCAN_TARGET_S if case.condition == "idle" else None
        ),
        "max_scan_work_le_10ms_idle": (
            max_work_s <= IDLE_SCAN_TARGET_S if case.condition == "idle" else None
        ),
    }

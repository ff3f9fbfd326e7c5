"""What ``crane-ctrl bench fleet`` reads and does at each crane: through its simulated PLC's
control channel (force a value, the written references' stamps, the PLC's own faults), through
its seam (the scan's lateness), and its processes' CPU time.

Times are wall-clock seconds (``time.time``): the bench, the simulated PLCs and the stations run
on one machine, so one clock stamps a change at the PLC and its arrival at the operations
centre.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from crane_ctrl.fleet.demo_block import CraneProcess
from crane_ctrl.fleet.fleet_view import CraneKey, CraneView, FleetView
from crane_ctrl.runtime.children import processes
from simulators.control import request

__all__ = [
    "CONTROL_WITHIN_S",
    "WIND",
    "CraneFault",
    "ViewWatch",
    "commands_changed",
    "force_wind",
    "group_cpu_s",
    "plc_faults",
    "scan_lateness_p99_s",
    "wind_value",
]

CONTROL_WITHIN_S = 2.0
"""Deadline of one request on a simulator's control channel."""
WIND = "Environment/Wind"
"""The metric the bench changes at the PLC: ``env.wind``, a status signal no motion depends on
below the wind limits (the values stay under 11 m/s, the pre-alarm is 14)."""
SEAM_WITHIN_S = 10.0
"""Attaching to a crane's seam to read its scan figures must succeed within this long."""
_TICKS = os.sysconf("SC_CLK_TCK")


def wind_value(k: int) -> float:
    """The ``k``-th value the bench forces: 1.0 to 10.75 m/s in steps of 0.25 m/s (more than the
    0.2 m/s deadband), 40 apart before one comes again."""
    return 1.0 + (k % 40) * 0.25


async def force_wind(crane: CraneProcess, value: float) -> float:
    """Force the crane's anemometer to ``value`` at its PLC; the wall time just before asking
    (the change can be no older than that)."""
    sent = time.time()
    answer = await request(*crane.control, {"op": "inject", "fault": "force",
                           "params": {"signal": "env.wind", "value": value}},
                           timeout_s=CONTROL_WITHIN_S)  # fmt: skip
    if not answer.get("ok"):
        raise RuntimeError(f"{crane.name}: cannot force env.wind: {answer.get('error')}")
    return sent


async def commands_changed(crane: CraneProcess) -> list[tuple[str, object, float]]:
    """The watched commands' changes the crane's PLC saw since the last ask: (name, value,
    wall time)."""
    answer = await request(*crane.control, {"op": "commands"}, timeout_s=CONTROL_WITHIN_S)
    return [(str(n), v, float(t)) for n, v, t in answer.get("changes", [])]


@dataclass(frozen=True, slots=True)
class CraneFault:
    """What the simulated PLC says went wrong at a crane: its model's faults (a dropped load, a
    collision) and whether its watchdog tripped."""

    model_faults: tuple[str, ...]
    watchdog_trip: bool


async def plc_faults(crane: CraneProcess) -> CraneFault:
    answer = await request(*crane.control, {"op": "status"}, timeout_s=CONTROL_WITHIN_S)
    status = answer.get("status", {})
    return CraneFault(tuple(answer.get("model_faults", [])), bool(status.get("plc.watchdog_trip")))


async def scan_lateness_p99_s(crane: CraneProcess) -> float:
    """The crane's scan lateness p99 over its last minute (the supervisor's own figure), read
    over its seam."""
    from crane_ctrl.runtime.seam.client import RemoteBridge

    async with RemoteBridge(crane.seam, client="bench fleet", view_hz=1.0) as bridge:
        await bridge.connected(within=SEAM_WITHIN_S)
        return bridge.view.supervisor.stats.p99_lateness_s


def group_cpu_s(pgid: int) -> float:
    """CPU seconds so far of every process in group ``pgid`` (a crane and its planning worker)."""
    total = 0
    for pid, _, _, group in processes():
        if group != pgid:
            continue
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICKS


class ViewWatch:
    """Waits until the primary host's fleet view shows something: woken by each message the
    host takes (:meth:`poke`), it builds the view only while someone waits."""

    def __init__(self, view: Callable[[], FleetView]) -> None:
        self._view = view
        self._changed = asyncio.Event()

    def crane(self, name: str, group: str) -> CraneView | None:
        return self._view().crane(CraneKey(group, name))

    def poke(self) -> None:
        """The host's ``on_message``."""
        self._changed.set()

    async def until(self, crane: str, group: str, test: Callable[[CraneView], bool], *,
                    within_s: float) -> float | None:  # fmt: skip
        """The wall time the view first showed ``test`` true of ``crane``; ``None`` if not
        within ``within_s``."""
        key = CraneKey(group, crane)
        try:
            async with asyncio.timeout(within_s):
                while True:
                    self._changed.clear()
                    found = self._view().crane(key)
                    if found is not None and test(found):
                        return time.time()
                    await self._changed.wait()
        except TimeoutError:
            return None

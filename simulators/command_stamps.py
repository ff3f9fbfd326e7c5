"""When the simulated PLC saw each written command change, on the wall clock: a benchmark's
witness (``crane-ctrl bench fleet``: an operations-centre command to the PLC's reference).

:class:`CommandStamps` stands between a protocol server and the PLC program (it is a
:class:`~simulators.served.PlcProcess` itself): every write passes through unchanged, and a
change of a watched command is noted with the time it arrived. The control channel's
``{"op": "commands"}`` hands the changes noted since the last ask (:meth:`CommandStamps.take`).
The stamp is taken as the server hands the write to the PLC, before the PLC's next cycle: what
a real PLC would see at the start of its next cycle.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from crane_ctrl.signals import Value
from simulators.simulator import CraneSimulator

__all__ = ["KEPT", "WATCHED", "CommandChange", "CommandStamps"]

WATCHED = ("drives.enable", "gantry.speed_ref", "trolley.speed_ref", "hoist.speed_ref")
"""The commands whose changes are noted by default: the motions' references and the drives."""
KEPT = 500
"""Changes kept until asked for (the oldest go first): a few seconds of a crane at work, and an
answer well inside the control channel's line limit (64 kB)."""


@dataclass(frozen=True, slots=True)
class CommandChange:
    """A watched command took ``value`` at ``wall_s`` (seconds since the Unix epoch)."""

    name: str
    value: Value
    wall_s: float


class CommandStamps:
    """The simulator's PLC program as its servers see it, noting when watched commands change."""

    def __init__(
        self,
        sim: CraneSimulator,
        wall: Callable[[], float],
        *,
        watched: tuple[str, ...] = WATCHED,
    ) -> None:
        """``wall``: the wall clock (``time.time``), the one time this module reads."""
        self._sim = sim
        self._wall = wall
        self._watched = frozenset(watched)
        self._held: dict[str, Value] = {}
        self._changes: deque[CommandChange] = deque(maxlen=KEPT)

    def status(self) -> Mapping[str, Value]:
        return self._sim.status()

    def command(self, values: Mapping[str, Value]) -> None:
        now = self._wall()
        for name in self._watched.intersection(values):
            value = values[name]
            if self._held.get(name) != value:
                self._held[name] = value
                self._changes.append(CommandChange(name, value, now))
        self._sim.command(values)

    def written_back(self) -> tuple[int, Mapping[str, Value]]:
        return self._sim.written_back()

    def take(self) -> list[CommandChange]:
        """The changes noted since the last call, oldest first."""
        changes = list(self._changes)
        self._changes.clear()
        return changes

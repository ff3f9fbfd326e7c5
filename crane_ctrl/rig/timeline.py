"""What a scenario run observed: one sample per scan, the journal, the faults and actions fired,
and how things stood at the end. Plain data: the expectations are judged on it alone.

Times are crane seconds since the scenario started (the supervisor's clock minus its value at
the start), in lock-step and in real time alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crane_ctrl.rig.conditions import Scalar

__all__ = ["EventLog", "Firing", "JournalEntry", "Observed", "Sample", "shown"]


def shown(value: Scalar | None, *, quote: bool = True) -> str:
    """A value as the report and the CSV show it: ``true``, ``0.125``, ``'lower'``; ``unknown``
    (in the CSV: empty) when it is not known."""
    if value is None:
        return "unknown" if quote else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.3f}"
    return repr(value) if quote and isinstance(value, str) else str(value)


@dataclass(frozen=True, slots=True)
class Sample:
    """One scan: every value a condition can name, and what the invariant oracles found."""

    time_s: float
    values: Mapping[str, Scalar | None]
    """Canonical signals (good readings; commands as written) and the derived names."""
    trips: frozenset[str] = frozenset()
    """Active interlocks tripped on observed values (not those that only a signal's bad quality
    implies: the comms fault says that), from the first scan with trusted data on (connecting
    at the start is no trip)."""
    alarms: frozenset[str] = frozenset()
    """Active alarms."""
    broken: tuple[str, ...] = ()
    """Invariants the written commands broke at this scan
    (:mod:`crane_ctrl.interlocks.invariants`)."""
    plc_refs: tuple[float, float, float] | None = None
    """Gantry, trolley, hoist speed references the PLC holds after the scan (bundled simulator
    only: ``None`` when the rig cannot see inside the PLC)."""

    def value(self, name: str) -> Scalar | None:
        """A name's value, for conditions (``trip.ID`` and ``alarm.ID`` included)."""
        if name.startswith("trip."):
            return name[5:] in self.trips
        if name.startswith("alarm."):
            return name[6:] in self.alarms
        return self.values.get(name)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One journal event, as :class:`~crane_ctrl.runtime.recorder.EventSink` receives it."""

    time_s: float
    kind: str
    subject: str
    values: Mapping[str, Any]


class EventLog:
    """An in-memory journal (an :class:`~crane_ctrl.runtime.recorder.EventSink`) stamped in crane
    time."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self.entries: list[JournalEntry] = []

    def record(self, kind: str, subject: str, **values: Any) -> None:
        self.entries.append(JournalEntry(self._now(), kind, subject, values))

    def of(self, kind: str, subject: str | None = None) -> list[JournalEntry]:
        return [e for e in self.entries if e.kind == kind and subject in (None, e.subject)]


@dataclass(frozen=True, slots=True)
class Firing:
    """A fault injected or cleared, or an operator action taken, or why not."""

    what: str
    """``fault 1 (wind)``, ``clear fault 1 (wind)``, ``action 2 (reset)``,
    ``action 3 (cancel J2)``."""
    time_s: float | None
    """When it fired; ``None`` if it never did."""
    note: str = ""
    """Why it never fired or was skipped, or how the PLC took it (``refused: ...``)."""

    @property
    def skipped(self) -> bool:
        return self.time_s is None and self.note.startswith("skipped")


@dataclass
class Observed:
    """Everything one run saw, for the expectations, the report, the CSV and the plot."""

    samples: list[Sample] = field(default_factory=list)
    journal: list[JournalEntry] = field(default_factory=list)
    faults: list[Firing] = field(default_factory=list)
    """One per scenario fault, in file order: when it was injected (or why not)."""
    clears: list[Firing] = field(default_factory=list)
    actions: list[Firing] = field(default_factory=list)
    jobs: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Job id -> (state, reason) at the end."""
    containers: dict[str, str] | None = None
    """Container id -> where it stands at the end (slot text, or ``spreader``); ``None`` when
    the rig cannot see the yard (an external PLC)."""
    model_faults: list[tuple[float, str]] | None = None
    """(time, what) of each model fault (dropped, damaged, collided); ``None`` when unknown."""
    end_s: float = 0.0
    """Crane time when the run ended."""
    ended_by: str = ""
    """Why it ended: ``every job ended``, ``stop_when held``, ``duration 300 s``."""

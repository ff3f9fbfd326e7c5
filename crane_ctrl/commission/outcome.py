"""What commissioning finds: a :class:`Check` per thing tested, grouped in :class:`StageResult`
per stage, and the verdict over all of them. Pure: no I/O, no clock.

Every check ends in one :class:`Status` with a reason in words and the values it measured. The
verdict is ``fail`` as soon as one check failed, else ``pass``: a skipped check (its
precondition did not hold, or the stage was not selected) and a check accepted from the current
reading under ``--yes`` (``assumed``) are listed and counted, never passed off as tested.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "STAGE_TITLES",
    "Check",
    "Measured",
    "StageId",
    "StageResult",
    "Status",
    "measured_text",
    "tally",
    "verdict",
]

Measured = bool | int | float | str | None
"""A value a check measured (a position, a time, a signal's reading, where it is mapped)."""


class Status(StrEnum):
    """How one check (or a stage, or the whole run) ended."""

    PASS = "pass"
    """Tested, and the PLC answered as it must."""
    ASSUMED = "assumed"
    """Not operated: the current healthy reading was accepted as the check (``--yes``)."""
    FAIL = "fail"
    """Tested, and the PLC did not answer as it must (or could not be tested when it must)."""
    SKIP = "skip"
    """Not tested: a precondition did not hold, or the stage was not selected; the reason says."""


class StageId(StrEnum):
    """The stages, in the order they run."""

    LINK = "link"
    IO = "io"
    FAILSAFE = "failsafe"
    COMMANDS = "commands"
    WATCHDOG = "watchdog"


STAGE_TITLES: Mapping[StageId, str] = MappingProxyType(
    {
        StageId.LINK: "link: connect, PLC heartbeat advancing",
        StageId.IO: "I/O check: every canonical status signal",
        StageId.FAILSAFE: "fail-safe sense: each fail-safe input reads false when operated",
        StageId.COMMANDS: "commands: reset, jogs, lock refused unless seated (supervisor, PLC)",
        StageId.WATCHDOG: "watchdog: heartbeat paused, trip, reset",
    }
)
"""What each stage tests, in one line."""


@dataclass(frozen=True, slots=True)
class Check:
    """One thing tested: a signal, a command, a device."""

    id: str
    """What was tested: a signal name (``plc.estop_ok``) or a command (``jog hoist``)."""
    status: Status
    reason: str
    """Why it ended so, with the values that decided it."""
    measured: Mapping[str, Measured] = field(default_factory=lambda: MappingProxyType({}))
    """What was measured, by name (units in the name: ``moved_m``, ``stop_s``)."""


@dataclass(frozen=True, slots=True)
class StageResult:
    """One stage's checks; a stage that did not run has none and says why in ``reason``."""

    id: StageId
    checks: tuple[Check, ...] = ()
    reason: str = ""
    """Why the stage did not run (not selected, no link), or a note on the whole stage."""

    @property
    def title(self) -> str:
        return STAGE_TITLES[self.id]

    @property
    def status(self) -> Status:
        """``fail`` if a check failed; ``skip`` if none was tested; else ``pass``."""
        statuses = {c.status for c in self.checks}
        if Status.FAIL in statuses:
            return Status.FAIL
        if statuses <= {Status.SKIP}:
            return Status.SKIP
        return Status.PASS

    @classmethod
    def skipped(cls, stage: StageId, reason: str) -> StageResult:
        return cls(stage, (), reason)


def tally(stages: Iterable[StageResult]) -> dict[Status, int]:
    """How many checks ended in each status (every status present, zero if none)."""
    counts = Counter(c.status for s in stages for c in s.checks)
    return {status: counts.get(status, 0) for status in Status}


def verdict(stages: Iterable[StageResult]) -> Status:
    """``fail`` if any check failed, else ``pass`` (skipped and assumed checks are counted, not
    failed: the report lists them)."""
    failed = any(c.status is Status.FAIL for s in stages for c in s.checks)
    return Status.FAIL if failed else Status.PASS


def measured_text(value: Measured) -> str:
    """A measured value as the report shows it: floats to 3 decimals, ``-`` for none."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.3f}" if math.isfinite(value) else str(value)
    return str(value)

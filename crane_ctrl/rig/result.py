"""One scenario's run, judged: what the runner returns and the report writes out."""

from __future__ import annotations

from dataclasses import dataclass

from crane_ctrl.rig.expectations import Verdict

__all__ = ["RunResult"]


@dataclass(frozen=True, slots=True)
class RunResult:
    """One scenario's run, judged: what the report, the JUnit file and the exit code need."""

    path: str
    name: str
    verdicts: tuple[Verdict, ...]
    crane_s: float
    wall_s: float
    ended_by: str
    files: tuple[str, ...] = ()
    """The CSV and PNG written for it."""
    notes: tuple[str, ...] = ()
    """What the reader must know to judge the verdicts (injections skipped, say)."""

    @property
    def passed(self) -> bool:
        return not any(v.failed for v in self.verdicts)

    @property
    def first_failure(self) -> Verdict | None:
        return next((v for v in self.verdicts if v.failed), None)

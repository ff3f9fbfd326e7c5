"""What every stage works with: the scanning session, the settings, the crane, the profile and
its mapped signals, the engineer (or ``--yes``) and the terminal progress."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from crane_ctrl.commission.outcome import Check, Status
from crane_ctrl.commission.safety_inputs import Engineer
from crane_ctrl.commission.session import ScanSession
from crane_ctrl.commission.settings import CommissionSettings
from crane_ctrl.crane import CraneParams
from crane_ctrl.profile.model import Profile

__all__ = ["Progress", "StageContext", "StageLog", "check_line"]

Progress = Callable[[str], None]
"""Where progress lines go (the terminal)."""


@dataclass(frozen=True, slots=True)
class StageContext:
    session: ScanSession
    settings: CommissionSettings
    crane: CraneParams
    """The crane under test (from the site file): rated speeds, travel, lift height."""
    profile: Profile
    """The profile under test (its scaling, for the engineering-units check)."""
    places: Mapping[str, str]
    """Where the profile maps each signal it maps (``holding 14 float32 CDAB``)."""
    engineer: Engineer | None
    """Who operates the fail-safe inputs; ``None`` with ``--yes``."""
    progress: Progress

    def mapped(self, signal: str) -> bool:
        return signal in self.places


@dataclass
class StageLog:
    """A stage's checks as they end, each shown on the terminal at once (unless ``quiet``)."""

    progress: Progress
    quiet: bool = False
    checks: list[Check] = field(default_factory=list)

    def add(self, check: Check) -> Check:
        self.checks.append(check)
        if not self.quiet:
            self.progress(check_line(check))
        return check


_MARK = {Status.PASS: "pass", Status.ASSUMED: "assumed", Status.FAIL: "FAIL", Status.SKIP: "skip"}


def check_line(check: Check) -> str:
    """One check on one terminal line: ``  pass     jog hoist: moved -0.061 m ...``."""
    return f"  {_MARK[check.status]:<8} {check.id}: {check.reason}"

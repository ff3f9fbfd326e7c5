"""A profile swap as a maintenance engineer expects it: probe first, then a swap on trial.

:func:`probe_report` sets what a second link read once with another profile beside what the
running profile reads now, signal by signal, with both qualities (the
:meth:`~crane_ctrl.runtime.station.CraneStation.probe_profile` answer). :func:`trial_verdict`
judges a swapped-in profile after its first scans: every signal that was good under the old
profile must be good under the new one, and the comms trusted; otherwise the station rolls back
to the old profile and link, and this says why (which signals went bad, with their error).
Pure: snapshots in, words out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crane_ctrl.signals import STATUS, Value
from crane_ctrl.snapshot import Quality, Reading, Snapshot

__all__ = [
    "PROBE_TOLERANCE",
    "SWAP_TRIAL_SCANS",
    "ProbeLine",
    "ProbeReport",
    "probe_report",
    "trial_verdict",
]

SWAP_TRIAL_SCANS = 10
"""A swapped-in profile is on trial for this many scans (0.5 s at 20 Hz); then it is kept, or
rolled back if signals good under the old profile are not good under it, or comms are not ok."""
PROBE_TOLERANCE = 0.01
"""Numbers read under the old and the new profile that differ by more than this (in their SI
unit: 1 cm, 0.01 m/s, 10 kg) are marked as differing."""
UNCOMPARED = frozenset({"plc.heartbeat"})
"""Signals whose values always differ from one read to the next (a life counter)."""


@dataclass(frozen=True, slots=True)
class ProbeLine:
    """One canonical status signal, as the running profile reads it and as the probed one did."""

    signal: str
    old: Value | None
    old_quality: Quality
    new: Value | None
    new_quality: Quality
    new_reason: str
    """Why the new reading is not good (empty when it is)."""
    differs: bool
    """Both good and their values differ beyond :data:`PROBE_TOLERANCE`."""

    @property
    def lost(self) -> bool:
        """Good under the old profile, not under the new."""
        return self.old_quality is Quality.GOOD and self.new_quality is not Quality.GOOD


@dataclass(frozen=True, slots=True)
class ProbeReport:
    """What a probe of another profile read, beside what the crane reads now."""

    profile_name: str
    path: Path
    lines: tuple[ProbeLine, ...]
    error: str = ""
    """Why the probe's read failed as a whole (empty when the PLC answered)."""

    @property
    def differing(self) -> tuple[str, ...]:
        return tuple(line.signal for line in self.lines if line.differs)

    @property
    def bad(self) -> tuple[str, ...]:
        """Signals the new profile did not read good (bad, stale or missing)."""
        return tuple(line.signal for line in self.lines if line.new_quality is not Quality.GOOD)

    @property
    def good(self) -> tuple[str, ...]:
        return tuple(line.signal for line in self.lines if line.new_quality is Quality.GOOD)

    def summary(self) -> str:
        """One line: how many read good, which differ, which are bad (with why)."""
        out = f"probe of {self.profile_name}: {len(self.good)} of {len(self.lines)} signals good"
        if self.differing:
            out += f"; {len(self.differing)} differ ({', '.join(self.differing)})"
        if self.bad:
            out += f"; bad in the new: {_grouped(self._bad_readings())}"
        return out

    def _bad_readings(self) -> list[tuple[str, str]]:
        return [(line.signal, line.new_reason or str(line.new_quality))
                for line in self.lines if line.new_quality is not Quality.GOOD]  # fmt: skip


def probe_report(
    profile_name: str, path: Path, old: Snapshot, new: Snapshot, error: str = ""
) -> ProbeReport:
    """Every canonical status signal either profile maps: ``old`` (what the crane reads now)
    beside ``new`` (the probe's one read)."""
    lines = []
    for spec in STATUS:
        before, after = old.reading(spec.name), new.reading(spec.name)
        if not _mapped(before, after):
            continue
        lines.append(ProbeLine(
            spec.name, before.value, before.quality, after.value, after.quality,
            "" if after.good else after.reason, _differs(spec.name, before, after),
        ))  # fmt: skip
    return ProbeReport(profile_name, path, tuple(lines), error)


def trial_verdict(good_before: frozenset[str], snapshot: Snapshot) -> str:
    """Why a swapped-in profile must be rolled back after its trial scans (empty: keep it)."""
    readings = {name: snapshot.reading(name) for name in sorted(good_before)}
    lost = [(name, r.reason or str(r.quality)) for name, r in readings.items() if not r.good]
    why = []
    if lost:
        why.append(f"{len(lost)} signals good under the old profile are not under the new: "
                   f"{_grouped(lost)}")  # fmt: skip
    if not snapshot.comms_ok:
        why.append(f"comms not ok: {snapshot.comms_reason}")
    return "; ".join(why)


def _mapped(*readings: Reading) -> bool:
    """Whether either reading belongs to a signal a profile maps (unmapped ones say so)."""
    return any(
        r.quality is not Quality.MISSING or r.reason != "not mapped by the profile"
        for r in readings
    )


def _differs(name: str, before: Reading, after: Reading) -> bool:
    if name in UNCOMPARED or not (before.good and after.good):
        return False
    a, b = before.value, after.value
    if a is None or b is None:
        return a is not b
    if isinstance(a, bool) or isinstance(b, bool) or (isinstance(a, int) and isinstance(b, int)):
        return a != b
    return abs(float(a) - float(b)) > PROBE_TOLERANCE


def _grouped(problems: list[tuple[str, str]]) -> str:
    """``a, b (why); c (other why)``: signals grouped by their error."""
    by_why: dict[str, list[str]] = {}
    for name, why in problems:
        by_why.setdefault(why, []).append(name)
    return "; ".join(f"{', '.join(names)} ({why})" for why, names in by_why.items())

"""What the supervisor knows of the crane at one scan: every status signal with its quality.

A :class:`Reading` keeps the last good value and its time even when the signal goes stale or bad,
so the HMI can show "12.31 m, 3 s old" and the interlocks can refuse to use it. Quality:

* ``GOOD``    read this scan, decoded, plausible;
* ``STALE``   the last good value is older than the allowed age (link slow, PLC frozen);
* ``BAD``     read but meaningless (undecodable, implausible, or in a status block the profile's
  ``[validity]`` does not prove alive) or the link failed this scan;
* ``MISSING`` never read: an optional signal the profile does not map, or nothing read yet.

Fail safe: any quality but ``GOOD`` counts as the unsafe value wherever a decision is made
(:meth:`Snapshot.flag`). Snapshots are immutable; the HMI may hold one as long as it likes.

A snapshot also carries the profile's **points** (``[points]``: raw vendor points that are no
canonical signal, such as a restart-inhibit bit or a refusal code), read in the same scan and
given their quality by the same rules, in :attr:`Snapshot.points`, apart from the signals:
:meth:`Snapshot.reading`, :meth:`~Snapshot.flag` and :meth:`~Snapshot.number` never see them, so
no interlock depends on a point. The HMI shows them, the journal records their changes and the
profile's own alarms read them (:mod:`crane_ctrl.runtime.profile_alarms`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from crane_ctrl.signals import Value

__all__ = ["Quality", "Reading", "Snapshot", "good_reading"]


class Quality(StrEnum):
    GOOD = "good"
    STALE = "stale"
    BAD = "bad"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Reading:
    """One signal: its last good value (if any), quality now, and when it was last good."""

    value: Value | None
    quality: Quality
    time_s: float | None = None
    """Clock time of the last good value."""
    reason: str = ""
    """Why the quality is not good, in words."""

    @property
    def good(self) -> bool:
        return self.quality is Quality.GOOD

    @property
    def bad(self) -> bool:
        """Read this scan but undecodable, implausible or not proven alive (not stale, not
        missing)."""
        return self.quality is Quality.BAD


_SETTERS: tuple[Any, ...] = tuple(getattr(Reading, f.name).__set__ for f in fields(Reading))
"""The slots' own setters, in field order (see :func:`good_reading`)."""


def good_reading(value: Value, time_s: float) -> Reading:
    """``Reading(value, Quality.GOOD, time_s)``, built by the slots' setters: a third of the
    frozen dataclass's ``__init__`` (every scan builds one for nearly every signal)."""
    reading = object.__new__(Reading)
    set_value, set_quality, set_time, set_reason = _SETTERS
    set_value(reading, value)
    set_quality(reading, Quality.GOOD)
    set_time(reading, time_s)
    set_reason(reading, "")
    return reading


_MISSING = Reading(None, Quality.MISSING, None, "not mapped by the profile")
_NO_POINT = Reading(None, Quality.MISSING, None, "no such point in the profile")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Every status signal at one scan, and whether the link to the PLC can be trusted."""

    time_s: float
    readings: Mapping[str, Reading] = field(default_factory=lambda: MappingProxyType({}))
    comms_ok: bool = False
    """Link up, PLC heartbeat alive and data fresh."""
    comms_reason: str = "not connected yet"
    scan: int = 0
    refused: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Commands written as a handshake that the PLC refused or did not take over in time, and
    why, while they are still asked for (:mod:`crane_ctrl.profile.command_writes`)."""
    points: Mapping[str, Reading] = field(default_factory=lambda: MappingProxyType({}))
    """The profile's points, by name: no canonical signals, read by no interlock."""

    def reading(self, name: str) -> Reading:
        return self.readings.get(name, _MISSING)

    def point(self, name: str) -> Reading:
        """A point of the profile (``MISSING`` for a name the profile has no point for)."""
        return self.points.get(name, _NO_POINT)

    def good(self, name: str) -> bool:
        return self.reading(name).good

    def flag(self, name: str, *, unsafe: bool) -> bool:
        """A bool signal's value if good, else ``unsafe``: the fail-safe way to ask."""
        r = self.reading(name)
        return bool(r.value) if r.good else unsafe

    def number(self, name: str) -> float | None:
        """A numeric signal's value if good, else ``None`` (the caller decides what is safe)."""
        r = self.reading(name)
        if not r.good or r.value is None or isinstance(r.value, bool):
            return None
        return float(r.value)

    def not_good(self) -> list[str]:
        """Names of the signals present in the snapshot whose quality is not good."""
        return [name for name, r in self.readings.items() if not r.good]

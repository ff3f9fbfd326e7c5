"""Which changes of the profile's points go into the journal, as ``point`` events. Pure.

Each point is journaled as :func:`~crane_ctrl.profile.point_rules.journal_rule` says: a bool or
a code (a point with ``texts``) on every change of its value; a number only when it moves more
than its ``deadband`` from the value journaled last (a noisy analog point never floods the
journal: without a deadband it is not journaled at all); nothing with ``journal = false``.

Only what was read counts: a value is compared when the point is ``GOOD``. A point read but
undecodable (``BAD``) is journaled once when it turns bad (with the reason), and its next good
value once it decodes again. Stale or missing points are not journaled: the link and comms
events say that once for all of them. The first good value after a start (or a profile swap) is
journaled too, with ``previous`` null: the journal then knows each point's state from the start.

An event's values, always the same keys: ``value`` (as read; null when bad), ``previous`` (the
value journaled last, or null), ``text`` (the value in words, with its unit or its code's text),
``quality`` (``good`` or ``bad``) and ``reason`` (why it is bad; empty when good).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from crane_ctrl.profile.model import PointMapping, Profile
from crane_ctrl.profile.point_rules import JournalRule, journal_rule
from crane_ctrl.signals import Value
from crane_ctrl.snapshot import Quality, Reading

__all__ = ["PointChange", "PointLog"]


@dataclass(frozen=True, slots=True)
class PointChange:
    """One ``point`` event: the point's name (its subject) and its values."""

    name: str
    values: dict[str, Any]


class PointLog:
    """Remembers what was journaled of each point, and says what to journal next."""

    def __init__(self, profile: Profile) -> None:
        self._watched: dict[str, tuple[PointMapping, float | None]] = {}
        """Journaled points: their mapping and deadband (``None``: every change)."""
        for name, m in profile.points.items():
            rule = journal_rule(name, m)
            if rule is not JournalRule.NEVER:
                deadband = m.deadband if rule is JournalRule.DEADBAND else None
                self._watched[name] = (m, deadband)
        self._last: dict[str, Value] = {}
        self._bad: set[str] = set()

    @property
    def watched(self) -> frozenset[str]:
        """The points whose changes are journaled."""
        return frozenset(self._watched)

    def changes(self, points: Mapping[str, Reading]) -> list[PointChange]:
        """What to journal of this scan's ``points`` (the snapshot's)."""
        return list(self._changes(points))

    def _changes(self, points: Mapping[str, Reading]) -> Iterator[PointChange]:
        for name, (m, deadband) in self._watched.items():
            reading = points.get(name)
            if reading is None:
                continue
            if reading.quality is Quality.BAD:
                if name not in self._bad:
                    self._bad.add(name)
                    yield PointChange(name, {
                        "value": None, "previous": self._last.get(name), "text": "",
                        "quality": "bad", "reason": reading.reason,
                    })  # fmt: skip
                continue
            if not reading.good or reading.value is None:
                continue
            was_bad = name in self._bad
            self._bad.discard(name)
            value = reading.value
            if was_bad or _moved(self._last.get(name), value, deadband):
                previous = self._last.get(name)
                self._last[name] = value
                yield PointChange(name, {
                    "value": value, "previous": previous, "text": m.value_text(value),
                    "quality": "good", "reason": "",
                })  # fmt: skip


def _moved(last: Value | None, value: Value, deadband: float | None) -> bool:
    """A change to journal: the first value, any change (no deadband), or a move of more than
    the deadband from the value journaled last."""
    if last is None:
        return True
    if deadband is None or isinstance(value, bool) or isinstance(last, bool):
        return value != last
    return abs(float(value) - float(last)) > deadband

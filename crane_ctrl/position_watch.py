"""Whether each axis's position agrees with its own speed, scan by scan. Pure: time comes in.

A position inside the crane's travel can still be wrong: an encoder that freezes (its value
held while the axis runs on), or a word that jumps half a metre for a scan and back. Each is in
range, so :class:`~crane_ctrl.quality.SnapshotBuilder`'s range check passes it, yet every
clearance over the stacks is judged on it. The axis's measured speed says where it must be:
from an anchor taken while both are good, the position must have moved by the integral of the
speed, within :attr:`PositionWatchSettings.slip_m` and :attr:`PositionWatchSettings.slip_fraction`
of the distance run (speed and position come from different sensors); and from one scan to the
next, within :attr:`PositionWatchSettings.slip_m` alone (a jump). Off by more, the position
is bad in that scan, naming what it moved and what the speed says; it stays bad for
:attr:`PositionWatchSettings.suspect_s` (the jump back of a one-scan glitch, an encoder that
sticks again) and the anchor is taken again where it reads. The anchor is also taken again
while the axis stands still (only a jump to compare), or whenever either reading is not good.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from crane_ctrl.snapshot import Quality, Reading

__all__ = ["WATCHED_AXES", "PositionWatch", "PositionWatchSettings"]

WATCHED_AXES = ("gantry", "trolley", "hoist")


@dataclass(frozen=True, slots=True)
class PositionWatchSettings:
    slip_m: float = 0.25
    """A position this far from where its speed puts it is wrong, m: over a beacon's correction
    (10 mm), an encoder's step and a scan's worth of full speed read a little apart (0.11 m)."""
    slip_fraction: float = 0.05
    """Plus this fraction of the distance run since the anchor: a speed signal's scaling error."""
    still_mps: float = 0.01
    """Under this speed the axis stands: the anchor is taken again where it reads, m/s."""
    suspect_s: float = 1.0
    """A position found wrong stays bad this long after it was last found wrong, s."""


@dataclass(slots=True)
class _Anchor:
    position: float
    last_s: float
    """When the last reading compared was read, s."""
    last_speed: float
    last_position: float
    run_m: float = 0.0
    """The speed's integral since the anchor, m."""
    distance_m: float = 0.0
    """The distance run since the anchor (the integral of ``|speed|``), m."""


class PositionWatch:
    """Checks each axis's position against the integral of its speed (module docstring)."""

    def __init__(self, settings: PositionWatchSettings | None = None) -> None:
        self.settings = settings or PositionWatchSettings()
        self._anchors: dict[str, _Anchor | None] = dict.fromkeys(WATCHED_AXES)
        self._bad: dict[str, tuple[float, str]] = {}
        """Per axis: when it was last found wrong, and why."""

    def check(self, readings: Mapping[str, Reading], now: float) -> dict[str, Reading]:
        """The readings of positions found wrong now (or still suspect), as BAD readings that
        keep their last value and say why; an empty dict when every position agrees."""
        out: dict[str, Reading] = {}
        for axis in WATCHED_AXES:
            why = self._axis(axis, readings, now)
            if why:
                reading = readings[f"{axis}.position"]
                out[f"{axis}.position"] = Reading(reading.value, Quality.BAD, reading.time_s, why)
        return out

    def _axis(self, axis: str, readings: Mapping[str, Reading], now: float) -> str:
        reading = readings.get(f"{axis}.position")
        position = _number(reading)
        speed = _number(readings.get(f"{axis}.speed"))
        if reading is None or reading.time_s is None or position is None or speed is None:
            self._anchors[axis] = None
            return ""
        read_s = reading.time_s  # not read again this scan: nothing new to compare
        anchor = self._anchors[axis]
        why = (
            ""
            if anchor and anchor.last_s == read_s
            else self._compare(axis, position, speed, read_s)
        )
        if why:
            self._bad[axis] = (now, why)
            self._anchors[axis] = _Anchor(position, read_s, speed, position)
            return why
        since = self._bad.get(axis)
        if since is not None and now - since[0] < self.settings.suspect_s:
            return f"{since[1]} (suspect for {self.settings.suspect_s:g} s)"
        return ""

    def _compare(self, axis: str, position: float, speed: float, read_s: float) -> str:
        s = self.settings
        anchor = self._anchors[axis]
        if anchor is None:
            self._anchors[axis] = _Anchor(position, read_s, speed, position)
            return ""
        if abs(speed) < s.still_mps and abs(anchor.last_speed) < s.still_mps:
            stepped = position - anchor.last_position
            self._anchors[axis] = _Anchor(position, read_s, speed, position)
            if abs(stepped) > s.slip_m:
                return _disagrees(axis, position, stepped, 0.0, "since the last scan")
            return ""
        step = _mean_speed(speed, anchor.last_speed) * max(0.0, read_s - anchor.last_s)
        stepped = position - anchor.last_position
        anchor.run_m += step
        anchor.distance_m += abs(step)
        anchor.last_s, anchor.last_speed, anchor.last_position = read_s, speed, position
        if abs(stepped - step) > s.slip_m:
            return _disagrees(axis, position, stepped, step, "since the last scan")
        moved = position - anchor.position
        if abs(moved - anchor.run_m) > s.slip_m + s.slip_fraction * anchor.distance_m:
            return _disagrees(axis, position, moved, anchor.run_m, "since it last stood or agreed")
        return ""


def _mean_speed(now: float, before: float) -> float:
    """The mean speed between two readings (the drive ramps in between), m/s."""
    return (now + before) / 2.0


def _disagrees(axis: str, position: float, moved: float, run: float, since: str) -> str:
    return (
        f"{axis}.position = {position:.3f} m disagrees with {axis}.speed: it moved {moved:+.2f} m "
        f"{since} where the speed says {run:+.2f} m (a frozen or jumping encoder)"
    )


def _number(reading: Reading | None) -> float | None:
    if reading is None or not reading.good or isinstance(reading.value, bool):
        return None
    value = reading.value
    return float(value) if isinstance(value, int | float) else None

"""From link results to a :class:`~crane_ctrl.snapshot.Snapshot`: every signal's quality, pure.

Each scan the builder takes the link's :class:`~crane_ctrl.link_report.ReadResult` (or ``None``
when nothing could be read) and the time, and decides per signal:

* read, decoded and plausible: ``GOOD`` (remembered as the last good value);
* read but undecodable or implausible: ``BAD`` in that very scan, keeping the last good value
  and saying why (the raw value and the plausible range); implausible is the signal's own range
  (:meth:`~crane_ctrl.signals.SignalSpec.plausible`: bools that are neither 0 nor 1, codes
  outside their set, NaN, inf) narrowed to this crane by :func:`crane_ranges` (positions outside
  its travel plus a margin, a load below minus the tare and its tolerance, speeds far past
  rated);
* read and in range, but a position that disagrees with its axis's speed (a frozen or jumping
  encoder, :mod:`crane_ctrl.position_watch`): ``BAD`` in that scan, keeping the last value;
* read and in range, but a sway reading that does not show the swing the crane's own
  accelerations must give the load (a stuck, frozen, scaled or sign-flipped sway sensor,
  :mod:`crane_ctrl.sway_sensor_watch`; only given the crane's parameters): ``BAD``, keeping the
  value, until a stuck one reads a swing again (a scaled one: ``suspect_s`` after);
* read, but in a status block the profile's ``[validity]`` does not prove alive this scan (its
  life bit or counter unchanged too long or not seen to change yet, its words all zero):
  ``BAD`` too, naming the block and the proof that failed (:mod:`crane_ctrl.validity`; a dead
  word of inverted "at limit" bits would otherwise read safe);
* not read this scan: still ``GOOD`` while the last good value is younger than ``max_age_s``
  (one missed poll is not a fault), then ``STALE`` with the last good value and its age;
* never read, or not mapped by the profile: ``MISSING``.

The profile's points (``[points]``) get their quality by the same rules, in
:attr:`~crane_ctrl.snapshot.Snapshot.points`; a point has no plausible range of its own (it is
whatever the PLC says), so only an undecodable one is ``BAD``.

Comms are trusted only while data is younger than ``max_age_s``, ``plc.heartbeat`` is good and
has changed within ``heartbeat_timeout_s`` (PLCs count at their own pace; a first change must be
seen before comms are trusted at all). A frozen heartbeat marks every reading ``STALE``: a frozen
PLC's data is old, however recently it was read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from crane_ctrl.crane import CraneParams, rated_speeds
from crane_ctrl.link_report import ReadResult
from crane_ctrl.position_watch import PositionWatch, PositionWatchSettings
from crane_ctrl.signals import SIGNALS, STATUS, Kind, Value
from crane_ctrl.snapshot import Quality, Reading, Snapshot, good_reading
from crane_ctrl.sway_sensor_watch import SwaySensorWatch, SwaySensorWatchSettings
from crane_ctrl.validity import StatusBlock, ValidityTracker

__all__ = ["QualitySettings", "Range", "SnapshotBuilder", "crane_ranges"]

Range = tuple[float, float]

_UNMAPPED = Reading(None, Quality.MISSING, None, "not mapped by the profile")


@dataclass(frozen=True, slots=True)
class QualitySettings:
    heartbeat_timeout_s: float = 1.0
    """``plc.heartbeat`` unchanged this long is a comms fault."""
    max_age_s: float = 0.3
    """Data older than this is stale and a comms fault (6 scans at 20 Hz)."""
    position_margin_m: float = 2.0
    """A position this far beyond the crane's travel is implausible, m (limit switches and end
    stops sit within it)."""
    tare_tolerance_t: float = 2.0
    """How far below minus the tare (the spreader's mass) a load may read, t: the spreader is
    tared out, so a landed spreader on slack ropes reads down to about minus its own mass; a
    load cell reading far below that is broken, not light."""
    speed_factor: float = 1.5
    """An actual speed beyond this many times the axis's rated speed is implausible."""
    positions: PositionWatchSettings = field(default_factory=PositionWatchSettings)
    """How far a position may stray from where its axis's speed puts it
    (:mod:`crane_ctrl.position_watch`): further, it is bad (a frozen or jumping encoder)."""
    sway: SwaySensorWatchSettings = field(default_factory=SwaySensorWatchSettings)
    """When a sway reading that does not follow the swing the crane's accelerations must give
    the load is bad (:mod:`crane_ctrl.sway_sensor_watch`)."""


def crane_ranges(params: CraneParams, settings: QualitySettings | None = None) -> dict[str, Range]:
    """The plausible range of each measured value on the crane ``params``: narrower than the
    catalogue's (which fits every crane), so a value no sensor on this crane can show is bad."""
    s = settings or QualitySettings()
    margin = s.position_margin_m
    rated = rated_speeds(params)
    ranges: dict[str, Range] = {
        "gantry.position": (-margin, params.gantry_travel_m + margin),
        "trolley.position": (-margin, params.trolley_travel_m + margin),
        "hoist.position": (params.hoist_lowest_m - margin, params.hoist_highest_m + margin),
        "hoist.load": (
            -(params.spreader_mass_t + s.tare_tolerance_t),
            SIGNALS["hoist.load"].maximum or 150.0,
        ),
    }
    for axis, speed in rated.items():
        top = speed * s.speed_factor
        ranges[f"{axis}.speed"] = (-top, top)
    return ranges


class SnapshotBuilder:
    """Keeps the last good value of each signal and builds one snapshot per scan."""

    def __init__(
        self,
        mapped: Iterable[str],
        settings: QualitySettings | None = None,
        *,
        ranges: Mapping[str, Range] | None = None,
        blocks: Iterable[StatusBlock] = (),
        points: Iterable[str] = (),
        crane: CraneParams | None = None,
    ) -> None:
        """``ranges``: per signal, a narrower plausible range (:func:`crane_ranges`);
        ``blocks``: the profile's status blocks and what proves each alive
        (:func:`crane_ctrl.profile.validity.status_blocks`); ``points``: the names of the
        profile's points (never a signal's name); ``crane``: the crane's parameters, for the
        load's pendulum the sway readings are checked against (``None``: not checked)."""
        self.settings = settings or QualitySettings()
        self._points = tuple(points)
        self._mapped = frozenset(mapped) | frozenset(self._points)
        self._ranges = dict(ranges or {})
        self._status = tuple(
            (s.name, s, s.kind is Kind.BOOL, self._ranges.get(s.name))
            for s in STATUS
            if s.name in self._mapped
        )
        """The mapped status signals, each with what its plausibility check needs (worked out
        once: every scan checks every one)."""
        self._all_unmapped = dict.fromkeys((s.name for s in STATUS), _UNMAPPED)
        """Every status signal, unmapped: a scan's readings start as a copy (in this order)."""
        self._validity = ValidityTracker(blocks)
        self._positions = PositionWatch(self.settings.positions)
        self._sway = None if crane is None else SwaySensorWatch(crane, self.settings.sway)
        self._last: dict[str, Reading] = {}
        self._last_ok: float | None = None
        self._last_error = "nothing read yet"
        self._beat: Value | None = None
        self._beat_changed: float | None = None
        self._scan = 0

    def update(self, result: ReadResult | None, now: float, *, link_up: bool = True) -> Snapshot:
        """The snapshot for this scan; ``link_up`` false (the link declared itself down) is a
        comms fault at once, without waiting for the data to age."""
        self._scan += 1
        if result is not None and result.ok:
            self._last_ok = now
            dead = self._validity.update(result.proofs, now)
            readings = self._fresh_status(result, now, dead)
            readings.update(self._positions.check(readings, now))
            if self._sway is not None:
                readings.update(self._sway.check(readings, now))
            points = {n: self._fresh(n, result.points, result.point_problems, now, dead)
                      for n in self._points}  # fmt: skip
        else:
            self._last_error = result.error if result is not None else "not read"
            readings = {s.name: self._aged(s.name, now) for s in STATUS}
            points = {n: self._aged(n, now) for n in self._points}
        self._last.update(readings)
        self._last.update(points)
        comms_ok, reason = self._comms(readings, now)
        if comms_ok and not link_up:
            comms_ok, reason = False, f"link down: {self._last_error}"
        if not comms_ok and self._beat_changed is not None and reason.startswith("PLC heartbeat"):
            # a frozen PLC's data is as old as its last heartbeat change
            readings = {n: self._stale(n, reason, self._beat_changed) for n in readings}
            points = {n: self._stale(n, reason, self._beat_changed) for n in points}
        return Snapshot(now, MappingProxyType(readings), comms_ok, reason, self._scan,
                        points=MappingProxyType(points))  # fmt: skip

    def _fresh_status(
        self, result: ReadResult, now: float, dead: Mapping[str, str]
    ) -> dict[str, Reading]:
        """Every status signal's reading (as :meth:`_fresh` decides it): read, plausible and
        alive is ``GOOD`` here at once (nearly every signal, every scan); the rest is
        :meth:`_fresh`'s."""
        values, problems = result.values, result.problems
        readings = self._all_unmapped.copy()  # (the keys keep their order when set)
        for name, spec, flag, bounds in self._status:
            value = values.get(name)  # (None, not read or not a value: _fresh says which)
            if (
                value is not None
                and (isinstance(value, bool) if flag else spec.plausible(value))
                and (bounds is None or bounds[0] <= float(value) <= bounds[1])
                and name not in dead
            ):
                readings[name] = good_reading(value, now)
            else:
                readings[name] = self._fresh(name, values, problems, now, dead)
        return readings

    def _fresh(
        self,
        name: str,
        values: Mapping[str, Value],
        problems: Mapping[str, str],
        now: float,
        dead: Mapping[str, str],
    ) -> Reading:
        """``dead``: signals and points of status blocks not proven alive, with why."""
        if name not in self._mapped:
            return _UNMAPPED
        if name in values:
            value = values[name]
            why = (self._implausible(name, value) if name in SIGNALS else None) or dead.get(name)
            if why is None:
                return Reading(value, Quality.GOOD, now)
            return self._bad(name, why)
        problem = problems.get(name, "not in the read result")
        return self._bad(name, f"{name} unreadable: {problem}")

    def _implausible(self, name: str, value: Value) -> str | None:
        """Why ``value`` cannot be real for ``name`` (``None``: it can)."""
        spec = SIGNALS[name]
        if not spec.plausible(value):
            return f"{name} = {value!r} is implausible (plausible: {spec.describe_range()})"
        bounds = self._ranges.get(name)
        if bounds is None or bounds[0] <= float(value) <= bounds[1]:
            return None
        unit = f" {spec.unit}" if spec.unit else ""
        return (
            f"{name} = {value!r} is implausible on this crane "
            f"(plausible: {bounds[0]:g} to {bounds[1]:g}{unit})"
        )

    def _bad(self, name: str, why: str) -> Reading:
        last = self._last.get(name)
        return Reading(
            last.value if last else None, Quality.BAD, last.time_s if last else None, why
        )

    def _aged(self, name: str, now: float) -> Reading:
        last = self._last.get(name)
        fresh = last is not None and last.good and last.time_s is not None
        if fresh and last is not None and now - (last.time_s or 0.0) <= self.settings.max_age_s:
            return last
        return self._stale(name, f"not read: {self._last_error}")

    def _stale(self, name: str, why: str, since: float | None = None) -> Reading:
        if name not in self._mapped:
            return _UNMAPPED
        last = self._last.get(name)
        if last is None or last.time_s is None:
            return Reading(None, Quality.MISSING, None, why)
        time_s = last.time_s if since is None else min(last.time_s, since)
        return Reading(last.value, Quality.STALE, time_s, why)

    def _comms(self, readings: dict[str, Reading], now: float) -> tuple[bool, str]:
        if self._last_ok is None or now - self._last_ok > self.settings.max_age_s:
            age = "never" if self._last_ok is None else f"{now - self._last_ok:.2f} s ago"
            return False, f"no data from the PLC (last read {age}): {self._last_error}"
        beat = readings["plc.heartbeat"]
        if not beat.good:
            return False, f"plc.heartbeat is {beat.quality}: {beat.reason}"
        if self._beat is None:
            self._beat = beat.value
        elif beat.value != self._beat:
            self._beat = beat.value
            self._beat_changed = now
        if self._beat_changed is None:
            return False, "waiting for the PLC heartbeat to change"
        frozen_s = now - self._beat_changed
        if frozen_s > self.settings.heartbeat_timeout_s:
            return False, f"PLC heartbeat frozen at {self._beat} for {frozen_s:.1f} s"
        return True, ""

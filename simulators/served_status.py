"""What the simulator's servers serve for the PLC's status: the codec's encoding, never a crash.

Every server (Modbus, OPC UA, the in-memory PLC) builds what it serves here, signal by signal,
so that one value the codec cannot encode never stops the others from being served, and never
stops the simulator: a forced NaN must reach the supervisor the way a real PLC would show it.

The rule for an engineering value the profile's codec cannot encode (NaN, inf, beyond the raw
type's range, a value the value map has no code for): serve the nearest raw the place can hold.

* Float place (float32/float64 registers, Float/Double nodes): ``(value - offset) / scale`` in
  IEEE arithmetic. NaN stays NaN, +-inf stays +-inf, and a finite value beyond float32's range
  becomes +-inf (as a PLC's REAL overflows).
* Integer place (whole registers, a bit field, an integer node or element): the same, rounded and
  saturated to the place's range (+-inf to its ends). NaN has no nearest integer: it takes the
  lowest value of the range.
* Value map: the code whose meaning is nearest in value (ties: the lower code); +-inf the code of
  the largest or smallest meaning; NaN, or a value of another kind than every meaning (a bool
  for numbers), the lowest code.
* A bool where a number is expected counts as 0 or 1.

A signal that starts falling back is logged once as a warning, naming the value and the raw
served; it is logged again only after it has been encoded normally in between.

Raw forces (fault ``force_raw``, :class:`~simulators.raw_places.RawForce`) go on top of all
that, past the codec. The fault is checked against every server attached when it is injected;
one that a server attached later cannot hold is skipped there with a warning, not served. A
point (``[points]``) can be forced by its name too.

Derived signals: the PLC program knows the canonical values, not the profile's raw points, so the
points a derived signal reads are worked back from the value the signal must read
(:class:`~simulators.point_solver.PointSolver`): a rope length and an angle for a sway, and
all the signals that read one point together (``twl_1 == 2`` and ``twl_1 == 1``; the bits of a
status word). A status that no point values can show through the profile's expressions (locked
and unlocked at once through one enumeration) is served as near as it goes and logged once as a
warning that names the signals, the points and the values; it is logged again only after it
could be shown in between.

Inputs that are canonical status signals take the PLC's values. A point whose name the PLC's
status provides (a personality's vendor-named answer bits, error code, life bit:
:mod:`simulators.personality`) is served from it, before any rule below. A point that is a
status block's life counter or life bit (``[validity.<block>]``) is kept going as the PLC program
would: the counter counts with ``plc.heartbeat`` (wrapping at its place's range), the bit
toggles with each of its counts, so the proof holds while the PLC runs and freezes with it. A
point no derived signal determines (or one whose expression the simulator cannot invert: logged
once) serves raw 0. A Modbus point outside the registers the protocol server lays out for
``[signals]`` is not served (logged once); the in-memory PLC follows the same rule.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Generic, TypeVar

from crane_ctrl.crane import CraneParams
from crane_ctrl.errors import EncodeError, FaultError
from crane_ctrl.profile.codec import Raw, to_raw
from crane_ctrl.profile.derived import point_spec
from crane_ctrl.profile.modbus_map import TABLES, ModbusCodec, RegisterImage
from crane_ctrl.profile.model import ModbusPoint, OpcUaMapping, OpcUaPoint, SignalMapping
from crane_ctrl.profile.opcua_map import NodeRef, NodeWrite, OpcUaCodec
from crane_ctrl.profile.rawtypes import RAW_TYPES, field_range
from crane_ctrl.signals import SIGNALS, Value
from crane_ctrl.validity import Proof
from simulators.point_solver import Conflict, PointSolver
from simulators.raw_places import FLOAT32_MAX, ModbusPlace, OpcUaPlace, RawForce

__all__ = ["ModbusStatus", "OpcUaStatus", "PointSolver", "nearest_raw"]

log = logging.getLogger(__name__)


def nearest_raw(value: Value, m: SignalMapping) -> Raw:
    """The raw value nearest to engineering ``value`` that ``m``'s place can hold (rule above)."""
    codes = m.codes
    if codes is not None:
        return _nearest_code(value, codes)
    raw = (float(value) - m.offset) / m.scale
    if RAW_TYPES[m.raw_type].is_float:
        beyond = RAW_TYPES[m.raw_type].bits == 32 and abs(raw) > FLOAT32_MAX
        return math.copysign(math.inf, raw) if beyond else raw
    low, high = field_range(m.raw_type, m.bit_width)
    if math.isnan(raw):
        return low
    return round(min(max(raw, low), high))


def _nearest_code(value: Value, codes: Mapping[int, Value]) -> int:
    target = float(value)
    meanings = {
        code: float(meaning)
        for code, meaning in sorted(codes.items())
        if isinstance(meaning, bool) == isinstance(value, bool)
    }
    if not meanings or math.isnan(target):
        return min(codes)
    if math.isinf(target):
        pick = max if target > 0 else min
        return pick(meanings, key=meanings.__getitem__)
    return min(meanings, key=lambda code: abs(meanings[code] - target))


class _Warnings:
    """Logs each signal once when it starts falling back (or its points cannot be worked back),
    and each skipped raw force once."""

    def __init__(self, profile: str) -> None:
        self._profile = profile
        self._falling_back: set[str] = set()
        self._not_inverted: set[str] = set()
        self._conflicting: set[tuple[str, ...]] = set()
        self._skipped: set[str] = set()

    def falling_back(self, served: Mapping[str, tuple[Value, Raw, object]]) -> None:
        """``served``: every signal served by the fallback this time, with value, raw, place."""
        for name, (value, raw, place) in served.items():
            if name not in self._falling_back:
                message = "profile %s: %s = %r cannot be encoded; serving raw %r at %s (nearest)"
                log.warning(message, self._profile, name, value, raw, place)
        self._falling_back = set(served)

    def not_inverted(self, names: Sequence[str]) -> None:
        """``names``: the derived signals whose points could not be worked back this time."""
        for name in names:
            if name not in self._not_inverted:
                message = "profile %s: cannot work back the points of %s; serving them as 0"
                log.warning(message, self._profile, name)
        self._not_inverted = set(names)

    def conflicting(self, conflicts: Sequence[Conflict]) -> None:
        """``conflicts``: the signals reading the same points that cannot all read what the PLC
        holds this time."""
        now = {tuple(c.wanted) for c in conflicts}
        for conflict in conflicts:
            if tuple(conflict.wanted) not in self._conflicting:
                log.warning("profile %s: %s", self._profile, conflict)
        self._conflicting = now

    def skipped(self, force: RawForce, why: FaultError) -> None:
        if repr(force) not in self._skipped:
            self._skipped.add(repr(force))
            log.warning("profile %s: %s; not served", self._profile, why)


def _named_values(m: ModbusPoint | OpcUaPoint) -> list[Value]:
    """The values a point's ``texts`` and value map name (an enumeration's codes)."""
    return [*(m.texts or {}), *(m.codes or {}).values()]


_Place = TypeVar("_Place", ModbusPlace, OpcUaPlace)


class _Served(Generic[_Place]):
    """The places of one profile's status signals and points, and the raw forces they can hold."""

    def __init__(
        self,
        codec: ModbusCodec | OpcUaCodec,
        places: dict[str, _Place],
        points: dict[str, _Place],
        suspension_height_m: float | None,
    ) -> None:
        self._profile = codec.profile.name
        self._places: dict[str, _Place] = places
        self._points: dict[str, _Place] = points
        """Places of the points served (a Modbus one the server has no register for is not)."""
        specs = {name: point_spec(name, m) for name, m in codec.points.items()}
        self._specs = specs
        self._derived = {d.name: d.expression.text for d in codec.derived}
        self._life = {
            b.source: b.proof
            for b in codec.blocks
            if b.proof is not Proof.NEVER_ALL_ZERO and b.source in points
        }
        """Points that are a status block's life bit or counter, and which."""
        height = suspension_height_m or CraneParams().suspension_height_m
        codes = {name: _named_values(m) for name, m in codec.profile.points.items()}
        self.solver = PointSolver(codec.derived, specs, suspension_height_m=height, codes=codes)
        self._warnings = _Warnings(self._profile)

    def place(self, signal: str) -> _Place:
        """Where ``signal`` (or a point) lives; :class:`FaultError` when this profile does not
        map it."""
        place = self._places.get(signal) or self._points.get(signal)
        if place is not None:
            return place
        if signal in self._derived:
            raise FaultError(
                f"force_raw {signal}: profile {self._profile} derives it from points "
                f"({self._derived[signal]}); force one of them instead"
            )
        raise FaultError(
            f"force_raw {signal}: profile {self._profile} does not map it; nothing to force"
        )

    def check(self, force: RawForce) -> None:
        """:class:`FaultError` unless this profile's place for the signal can hold the raw."""
        self.place(force.signal).check(force.raw, word=force.word)

    def _point_raws(self, status: Mapping[str, Value]) -> Iterator[tuple[_Place, Raw]]:
        """Each served point's place and raw: the PLC's status of that name, else worked back
        from the derived signals, else 0."""
        if not self._points:
            return
        named = {name: status[name] for name in self._points if name in status}
        solution = self.solver.solve(status, {**self._life_values(status), **named})
        self._warnings.not_inverted(solution.failed)
        self._warnings.conflicting(solution.conflicts)
        values = solution.values
        for name, place in self._points.items():
            raw: Raw = 0
            if name in values:
                try:
                    raw = to_raw(values[name], place.mapping, self._specs[name])
                except EncodeError:
                    raw = nearest_raw(values[name], place.mapping)
            try:
                yield place, place.check(raw)
            except FaultError:
                yield place, place.check(0)

    def _life_values(self, status: Mapping[str, Value]) -> dict[str, Value]:
        """The life counters and bits the PLC program keeps, from its heartbeat count."""
        beat = status.get("plc.heartbeat", 0)
        count = int(beat) if isinstance(beat, int | float) and math.isfinite(beat) else 0
        values: dict[str, Value] = {}
        for name, proof in self._life.items():
            if proof is Proof.LIFE_BIT:
                values[name] = bool(count % 2)
                continue
            m = self._points[name].mapping
            low, high = field_range(m.raw_type, m.bit_width)
            values[name] = low + (count - low) % (high - low + 1) if high > low else low
        return values

    def _checked(self, forced: Mapping[str, RawForce]) -> Iterator[tuple[_Place, Raw, bool]]:
        """Each raw force with its place and checked raw; one that does not fit is skipped."""
        for force in forced.values():
            try:
                place = self.place(force.signal)
                raw = place.check(force.raw, word=force.word)
            except FaultError as exc:
                self._warnings.skipped(force, exc)
                continue
            yield place, raw, force.word


class ModbusStatus(_Served[ModbusPlace]):
    """What a Modbus PLC serves for a status: a register image, whatever the values.

    ``suspension_height_m``: of the crane simulated, for the rope length a sway angle is served
    with (default: the default crane's).
    """

    def __init__(self, codec: ModbusCodec, *, suspension_height_m: float | None = None) -> None:
        self.codec = codec
        places = {name: ModbusPlace(name, m) for name, m in codec.status.items()}
        extent = _server_extent(codec)
        points: dict[str, ModbusPlace] = {}
        for name, m in codec.points.items():
            if m.address + m.register_count <= extent[m.table]:
                points[name] = ModbusPlace(name, m)
            else:
                log.warning(
                    "profile %s: point %s at %s lies outside the %s addresses 0..%d the "
                    "simulator lays out for [signals]; not served",
                    codec.profile.name, name, m.place(), m.table, extent[m.table] - 1,
                )  # fmt: skip
        super().__init__(codec, places, points, suspension_height_m)

    def image(self, status: Mapping[str, Value], forced: Mapping[str, RawForce]) -> RegisterImage:
        """``status`` encoded (unencodable values as the rule says), the points behind derived
        signals, then the raw forces."""
        image = RegisterImage()
        served: dict[str, tuple[Value, Raw, object]] = {}
        for name, value in status.items():
            place = self._places.get(name)
            if place is None:
                continue
            try:
                self.codec.put(name, value, image)
            except EncodeError:
                raw = place.check(nearest_raw(value, place.mapping))
                place.put(image, raw)
                served[name] = (value, raw, place)
        self._warnings.falling_back(served)
        for point, raw in self._point_raws(status):
            point.put(image, raw)
        for place, raw, word in self._checked(forced):
            place.put(image, raw, word=word)
        return image


def _server_extent(codec: ModbusCodec) -> dict[str, int]:
    """How many addresses of each table the simulator's Modbus server has: up to the last one
    ``[signals]`` maps (at least 16 bits of the bit tables, one register of the others)."""
    ends = dict.fromkeys(TABLES, 0)
    for m in codec.profile.signals.values():
        ends[m.table] = max(ends[m.table], m.address + m.register_count)
    return {t: max(16 if t in ("coil", "discrete_input") else 1, end) for t, end in ends.items()}


class OpcUaStatus(_Served[OpcUaPlace]):
    """What an OPC UA PLC serves for a status: node values, whatever the values.

    ``suspension_height_m``: as for :class:`ModbusStatus`.
    """

    def __init__(self, codec: OpcUaCodec, *, suspension_height_m: float | None = None) -> None:
        self.codec = codec
        types = codec.node_types()

        def place(name: str, m: OpcUaMapping) -> OpcUaPlace:
            return OpcUaPlace(name, m, codec.ref(m), types[codec.ref(m)][1])

        places = {name: place(name, m) for name, m in codec.status.items()}
        points = {name: place(name, m) for name, m in codec.points.items()}
        super().__init__(codec, places, points, suspension_height_m)

    def writes(
        self, status: Mapping[str, Value], forced: Mapping[str, RawForce]
    ) -> list[NodeWrite]:
        """``status`` encoded (unencodable values as the rule says), then the raw forces."""
        values = {name: value for name, value in status.items() if name in self._places}
        try:
            nodes, unencodable = self._encode(values), {}
        except EncodeError:
            unencodable = {n: v for n, v in values.items() if not self._encodes(n, v)}
            nodes = self._encode({n: v for n, v in values.items() if n not in unencodable})
        served: dict[str, tuple[Value, Raw, object]] = {}
        for name, value in unencodable.items():
            place = self._places[name]
            raw = place.check(nearest_raw(value, place.mapping))
            place.put(nodes, raw)
            served[name] = (value, raw, place)
        self._warnings.falling_back(served)
        for point, raw in self._point_raws(status):
            point.put(nodes, raw)
        for place, raw, word in self._checked(forced):
            place.put(nodes, raw, word=word)
        return list(nodes.values())

    def _encode(self, values: Mapping[str, Value]) -> dict[NodeRef, NodeWrite]:
        return {write.node: write for write in self.codec.encode(values)}

    def _encodes(self, name: str, value: Value) -> bool:
        try:
            to_raw(value, self._places[name].mapping, SIGNALS[name])
        except EncodeError:
            return False
        return True

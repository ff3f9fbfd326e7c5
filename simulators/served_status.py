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
(:class:`PointSolver`), for the kinds of expression the simulator knows:

* a length times the sine of an angle, ``rope_length_m * sin(radians(sway_angle_deg))`` (degrees
  or radians, the length in any unit the expression scales): the length point serves the rope
  length the plant has (suspension height of the sheaves less ``hoist.position``), the angle
  point ``asin(value / rope length)``;
* one point not yet served, any expression monotonic near the answer (``sway_mm / 1000``, the
  angle of the other sway direction once the rope length is served, a bool or a status word for
  a bool signal): solved numerically, the answer checked by evaluating the expression.

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
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Generic, TypeVar

from crane_ctrl.crane import CraneParams
from crane_ctrl.errors import EncodeError, FaultError
from crane_ctrl.profile.codec import Raw, to_raw
from crane_ctrl.profile.derived import DerivedSignal, point_spec
from crane_ctrl.profile.expression import Kind as ExpressionKind
from crane_ctrl.profile.expression import Undefined
from crane_ctrl.profile.modbus_map import TABLES, ModbusCodec, RegisterImage, encode_one
from crane_ctrl.profile.model import OpcUaMapping, SignalMapping
from crane_ctrl.profile.opcua_map import NodeRef, NodeWrite, OpcUaCodec
from crane_ctrl.profile.rawtypes import RAW_TYPES, field_range
from crane_ctrl.signals import SIGNALS, SignalSpec, Value
from crane_ctrl.signals import Kind as SignalKind
from crane_ctrl.validity import Proof
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

    def skipped(self, force: RawForce, why: FaultError) -> None:
        if repr(force) not in self._skipped:
            self._skipped.add(repr(force))
            log.warning("profile %s: %s; not served", self._profile, why)


# --- the points behind derived signals ----------------------------------------------------------

Number = bool | int | float
_PROBES = ((7.0, 3.0), (13.0, 11.0), (21.0, -5.0))
"""(length, angle) pairs on which an expression of two points is tried, to tell a length times
the sine of an angle (and the factor between the length point's unit and the result's)."""
_SINES: tuple[Callable[[float], float], ...] = (lambda a: math.sin(math.radians(a)), math.sin)
"""The sine of an angle in degrees, and in radians."""
_CLOSE = 1e-9
"""Relative tolerance: what counts as the same value when an answer is checked."""
_SECANT_STEPS = 60
_STARTS = ((0.0, 1.0), (1.0, 2.0))
_WORDS = (0, *(1 << bit for bit in range(32)))
"""Numbers tried for a bool signal computed from a number point: 0 and each single bit."""


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= _CLOSE * max(1.0, abs(a), abs(b))


class PointSolver:
    """The point values that make each derived signal read what the PLC program holds.

    Derived signals are taken in reading order; a point one of them determined is known to the
    next (both sway directions share one rope length). See the module docstring for the kinds of
    expression it inverts.
    """

    def __init__(
        self,
        derived: Sequence[DerivedSignal],
        points: Mapping[str, SignalSpec],
        *,
        suspension_height_m: float,
    ) -> None:
        self._derived = derived
        self._points = points
        self._suspension_m = suspension_height_m
        """Height of the rope sheaves: the rope length is this less ``hoist.position``."""
        self._shapes: dict[str, tuple[str, float] | None] = {}
        """Per derived signal: its length point and the factor to metres, or ``None``."""

    def solve(
        self, status: Mapping[str, Value], known: Mapping[str, Value] | None = None
    ) -> tuple[dict[str, Value], list[str]]:
        """The points' values for ``status`` (with the ``known`` ones as they are), and the
        derived signals that could not be inverted (their points left out)."""
        assigned: dict[str, Value] = dict(known or {})
        failed = [d.name for d in self._derived if not self._solve(d, status, assigned)]
        return assigned, failed

    def rope_m(self, status: Mapping[str, Value]) -> float:
        """The rope length the plant has: sheaves to twistlock plane, m."""
        rope = self._suspension_m - float(status.get("hoist.position", 0.0))
        return rope if math.isfinite(rope) and rope > 0.0 else self._suspension_m

    def _solve(
        self, d: DerivedSignal, status: Mapping[str, Value], assigned: dict[str, Value]
    ) -> bool:
        target = status.get(d.name)
        if target is None:
            return True  # the PLC program does not give it: its points serve 0
        known: dict[str, Number] = {}
        unknown: list[str] = []
        for name, kind in d.expression.inputs.items():
            if name in assigned:
                known[name] = assigned[name]
            elif name in self._points:
                unknown.append(name)
            elif name in status:
                known[name] = _as_kind(status[name], kind)
            else:
                return False
        if len(unknown) == 2 and (shape := self._shape(d, known, unknown)) is not None:
            length, per_metre = shape
            assigned[length] = known[length] = self._quantized(
                length, self.rope_m(status) / per_metre
            )
            unknown.remove(length)
        if not unknown:
            return True
        if len(unknown) > 1:
            return False
        name = unknown[0]
        found = self._one(d, known, name, target)
        if found is not None:
            assigned[name] = found
        return found is not None

    def _shape(
        self, d: DerivedSignal, known: Mapping[str, Number], unknown: list[str]
    ) -> tuple[str, float] | None:
        """Which point is a length that the expression multiplies by the sine of the other, and
        by how much (``rope_mm / 1000 * ...``: 0.001); found once per signal."""
        if d.name not in self._shapes:
            self._shapes[d.name] = next(
                (
                    (length, factor)
                    for length, angle in (unknown, unknown[::-1])
                    for sine in _SINES
                    if (factor := _length_factor(d, known, length, angle, sine)) is not None
                ),
                None,
            )
        return self._shapes[d.name]

    def _one(
        self, d: DerivedSignal, known: Mapping[str, Number], name: str, target: Value
    ) -> Value | None:
        """The value of point ``name`` that gives ``target``, checked; ``None`` if none is found."""
        kind = self._points[name].kind

        def f(x: Number) -> float | bool | None:
            return _evaluate(d, {**known, name: x})

        if isinstance(target, bool) or kind is SignalKind.BOOL:
            tries: Sequence[Number] = (False, True) if kind is SignalKind.BOOL else _WORDS
            return next((x for x in tries if _matches(f(x), target)), None)
        x = _secant(f, float(target))
        if x is None:
            return None
        value = self._quantized(name, x)
        return value if kind is SignalKind.INT or _matches(f(value), target) else None

    def _quantized(self, name: str, x: float) -> Value:
        """``x`` as the point decodes: an integer point reads whole numbers."""
        return round(x) if self._points[name].kind is SignalKind.INT else x


def _length_factor(
    d: DerivedSignal,
    known: Mapping[str, Number],
    length: str,
    angle: str,
    sine: Callable[[float], float],
) -> float | None:
    """``k`` when ``d`` is ``k * length * sine(angle)`` on every probe, else ``None``."""
    ratios = []
    for n, a in _PROBES:
        outcome = _evaluate(d, {**known, length: n, angle: a})
        if not isinstance(outcome, float):
            return None
        ratios.append(outcome / (n * sine(a)))
    same = ratios[0] != 0.0 and all(_close(r, ratios[0]) for r in ratios)
    return ratios[0] if same else None


def _as_kind(value: Value, kind: ExpressionKind) -> Number:
    if kind is ExpressionKind.BOOL:
        return bool(value)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else float(value)


def _evaluate(d: DerivedSignal, values: Mapping[str, Number]) -> float | bool | None:
    """The expression's value, or ``None`` where it has none (or a value has the wrong kind)."""
    try:
        outcome = d.expression.evaluate(values)
    except (KeyError, TypeError, OverflowError):
        return None
    return None if isinstance(outcome, Undefined) else outcome


def _matches(outcome: float | bool | None, target: Value) -> bool:
    if outcome is None or isinstance(outcome, bool) != isinstance(target, bool):
        return False
    return outcome == target if isinstance(target, bool) else _close(float(outcome), float(target))


def _secant(f: Callable[[float], float | bool | None], target: float) -> float | None:
    """An ``x`` with ``f(x)`` = ``target``, by the secant method from 0 and 1 (or from 1 and 2
    where ``f`` has no value at 0); ``None`` when it does not converge (no answer, or an
    expression that is flat or undefined there)."""
    if not math.isfinite(target):
        return None
    for x0, x1 in _STARTS:
        y0, y1 = f(x0), f(x1)
        for _ in range(_SECANT_STEPS):
            if not isinstance(y0, float) or not isinstance(y1, float):
                break
            if _close(y1, target):
                return x1
            if y1 == y0:
                return None
            x0, x1 = x1, x1 - (y1 - target) * (x1 - x0) / (y1 - y0)
            if not math.isfinite(x1):
                return None
            y0, y1 = y1, f(x1)
        else:
            return None
    return None


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
        self.solver = PointSolver(codec.derived, specs, suspension_height_m=height)
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
        values, failed = self.solver.solve(status, {**self._life_values(status), **named})
        self._warnings.not_inverted(failed)
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
                encode_one(name, place.mapping, value, image)
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

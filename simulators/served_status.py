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
one that a server attached later cannot hold is skipped there with a warning, not served.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Mapping
from typing import Generic, TypeVar

from crane_ctrl.errors import EncodeError, FaultError
from crane_ctrl.profile.codec import Raw, to_raw
from crane_ctrl.profile.modbus_map import ModbusCodec, RegisterImage, encode_one
from crane_ctrl.profile.model import SignalMapping
from crane_ctrl.profile.opcua_map import NodeRef, NodeWrite, OpcUaCodec
from crane_ctrl.profile.rawtypes import RAW_TYPES, field_range
from crane_ctrl.signals import SIGNALS, Value
from simulators.raw_places import FLOAT32_MAX, ModbusPlace, OpcUaPlace, RawForce

__all__ = ["ModbusStatus", "OpcUaStatus", "nearest_raw"]

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
    """Logs each signal once when it starts falling back, and each skipped raw force once."""

    def __init__(self, profile: str) -> None:
        self._profile = profile
        self._falling_back: set[str] = set()
        self._skipped: set[str] = set()

    def falling_back(self, served: Mapping[str, tuple[Value, Raw, object]]) -> None:
        """``served``: every signal served by the fallback this time, with value, raw, place."""
        for name, (value, raw, place) in served.items():
            if name not in self._falling_back:
                message = "profile %s: %s = %r cannot be encoded; serving raw %r at %s (nearest)"
                log.warning(message, self._profile, name, value, raw, place)
        self._falling_back = set(served)

    def skipped(self, force: RawForce, why: FaultError) -> None:
        if repr(force) not in self._skipped:
            self._skipped.add(repr(force))
            log.warning("profile %s: %s; not served", self._profile, why)


_Place = TypeVar("_Place", ModbusPlace, OpcUaPlace)


class _Served(Generic[_Place]):
    """The places of one profile's status signals, and the raw forces they can hold."""

    def __init__(self, profile: str, places: dict[str, _Place]) -> None:
        self._profile = profile
        self._places: dict[str, _Place] = places
        self._warnings = _Warnings(profile)

    def place(self, signal: str) -> _Place:
        """Where ``signal`` lives; :class:`FaultError` when this profile does not map it."""
        if signal not in self._places:
            raise FaultError(
                f"force_raw {signal}: profile {self._profile} does not map it; nothing to force"
            )
        return self._places[signal]

    def check(self, force: RawForce) -> None:
        """:class:`FaultError` unless this profile's place for the signal can hold the raw."""
        self.place(force.signal).check(force.raw, word=force.word)

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
    """What a Modbus PLC serves for a status: a register image, whatever the values."""

    def __init__(self, codec: ModbusCodec) -> None:
        self.codec = codec
        places = {name: ModbusPlace(name, m) for name, m in codec.status.items()}
        super().__init__(codec.profile.name, places)

    def image(self, status: Mapping[str, Value], forced: Mapping[str, RawForce]) -> RegisterImage:
        """``status`` encoded (unencodable values as the rule says), then the raw forces."""
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
        for place, raw, word in self._checked(forced):
            place.put(image, raw, word=word)
        return image


class OpcUaStatus(_Served[OpcUaPlace]):
    """What an OPC UA PLC serves for a status: node values, whatever the values."""

    def __init__(self, codec: OpcUaCodec) -> None:
        self.codec = codec
        types = codec.node_types()
        places = {
            name: OpcUaPlace(name, m, codec.ref(m), types[codec.ref(m)][1])
            for name, m in codec.status.items()
        }
        super().__init__(codec.profile.name, places)

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

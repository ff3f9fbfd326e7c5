"""Raw PLC data <-> engineering values, as a profile mapping says. Pure: no I/O, no clock.

Three steps, each a small function, used by both sides of the wire (the supervisor decodes status
and encodes commands; the simulator does the opposite):

* words: 16-bit registers <-> one raw number, for every register type and word order;
* bits: a single bit or a bit field <-> part of a raw integer;
* scaling: raw number <-> engineering value by scale and offset, invert, or a value map.

Word orders name the bytes of a 32-bit value ``ABCD`` (A most significant) as they arrive:
``ABCD`` big-endian, ``CDAB`` word-swapped, ``BADC`` byte-swapped, ``DCBA`` little-endian. For
64-bit values the same rule extends: word swap reverses the register order, byte swap swaps the
two bytes of every register.
"""

from __future__ import annotations

import functools
import math
import struct
from collections.abc import Sequence

from crane_ctrl.errors import DecodeError, EncodeError
from crane_ctrl.profile.model import Profile, SignalMapping, derived_text
from crane_ctrl.profile.rawtypes import RAW_TYPES, field_range
from crane_ctrl.signals import SIGNALS, Kind, SignalSpec, Value

__all__ = [
    "Raw",
    "Scaling",
    "WordFormat",
    "from_words",
    "get_bits",
    "set_bits",
    "to_engineering",
    "to_raw",
    "to_words",
    "unmapped_optional",
    "word_format",
]

Raw = bool | int | float
"""A raw value as the PLC holds it, before scaling."""

_FORMAT = {
    "int16": ">h",
    "uint16": ">H",
    "int32": ">i",
    "uint32": ">I",
    "float32": ">f",
    "float64": ">d",
}
_FLOAT32_MAX = 3.4028234663852886e38


def _reorder(data: bytes, word_order: str) -> bytes:
    """Convert between wire order and big-endian; every order is its own inverse."""
    if word_order == "ABCD":
        return data
    if word_order == "DCBA":
        return data[::-1]
    if word_order == "BADC":
        return bytes(b for i in range(0, len(data), 2) for b in (data[i + 1], data[i]))
    words = [data[i : i + 2] for i in range(0, len(data), 2)]
    return b"".join(reversed(words))


class WordFormat:
    """Registers -> raw number for one type and word order, with the formats worked out once.

    Word swap (``CDAB``, ``DCBA``) reverses the registers; byte swap (``BADC``, ``DCBA``) packs
    each register little-endian; what comes out is the value's big-endian bytes.
    """

    __slots__ = ("_reverse", "_value", "_words", "count", "raw_type")

    def __init__(self, raw_type: str, word_order: str) -> None:
        self.raw_type = raw_type
        self._value = struct.Struct(_FORMAT[raw_type])
        self.count = self._value.size // 2
        little = word_order in ("BADC", "DCBA")
        self._reverse = word_order in ("CDAB", "DCBA")
        self._words = struct.Struct(("<" if little else ">") + "H" * self.count)

    def unpack(self, words: Sequence[int]) -> int | float:
        if len(words) != self.count:
            raise DecodeError(f"{self.raw_type} needs {self.count} registers, got {len(words)}")
        try:
            data = self._words.pack(*(reversed(words) if self._reverse else words))
        except struct.error:
            raise DecodeError(f"register values must be 0..65535, got {list(words)}") from None
        value: int | float = self._value.unpack(data)[0]
        return value


@functools.cache
def word_format(raw_type: str, word_order: str = "ABCD") -> WordFormat:
    return WordFormat(raw_type, word_order)


def from_words(words: Sequence[int], raw_type: str, word_order: str = "ABCD") -> int | float:
    """The raw number held in ``words`` (16-bit registers as read from the PLC)."""
    return word_format(raw_type, word_order).unpack(words)


def to_words(value: int | float, raw_type: str, word_order: str = "ABCD") -> list[int]:
    """The registers that carry raw ``value`` as ``raw_type`` in ``word_order``."""
    fmt = _FORMAT[raw_type]
    try:
        if RAW_TYPES[raw_type].is_int:
            value = int(value)
        data = _reorder(struct.pack(fmt, value), word_order)
    except (struct.error, OverflowError, ValueError):
        raise EncodeError(f"{value!r} does not fit in {raw_type}") from None
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


def get_bits(raw: int, raw_bits: int, bit: int, width: int) -> int:
    """Bits ``bit .. bit+width-1`` of an integer of ``raw_bits`` bits (two's complement)."""
    unsigned = raw & ((1 << raw_bits) - 1)
    return (unsigned >> bit) & ((1 << width) - 1)


def set_bits(raw: int, raw_bits: int, bit: int, width: int, field: int) -> int:
    """``raw`` (as unsigned) with bits ``bit .. bit+width-1`` replaced by ``field``."""
    mask = ((1 << width) - 1) << bit
    unsigned = raw & ((1 << raw_bits) - 1)
    return (unsigned & ~mask) | ((field << bit) & mask)


def unmapped_optional(profile: Profile, name: str) -> bool:
    """``name`` is an optional canonical signal this profile leaves out (writers skip it; a
    required one left out never gets past the profile's validation)."""
    spec = SIGNALS.get(name)
    return name not in profile.signals and spec is not None and not spec.required


class Scaling:
    """One signal's scaling (raw <-> engineering value), worked out once from its mapping and
    spec: a codec keeps one per signal, as every scan converts every signal."""

    __slots__ = (
        "_codes",
        "_derived",
        "_float32",
        "_high",
        "_invert",
        "_kind",
        "_low",
        "_offset",
        "_raw_bool",
        "_raw_float",
        "_scale",
        "mapping",
        "spec",
    )

    def __init__(self, m: SignalMapping, spec: SignalSpec) -> None:
        self.mapping = m
        self.spec = spec
        self._derived = derived_text(m)
        self._codes = m.codes
        self._kind = spec.kind
        self._invert = m.invert
        self._scale = m.scale
        self._offset = m.offset
        raw_type = RAW_TYPES[m.raw_type]
        self._raw_bool = raw_type.is_bool
        self._raw_float = raw_type.is_float
        self._float32 = raw_type.is_float and raw_type.bits == 32
        self._low, self._high = field_range(m.raw_type, m.bit_width)

    def to_engineering(self, raw: Raw) -> Value:
        """Engineering value of ``raw`` (already cut to its bit or field) by the scaling."""
        codes = self._codes
        if codes is not None:
            try:
                return codes[int(raw)]
            except KeyError:
                known = ", ".join(str(c) for c in sorted(codes))
                raise DecodeError(
                    f"raw code {int(raw)} is not in the value map ({known})"
                ) from None
        kind = self._kind
        if kind is Kind.BOOL:
            if not isinstance(raw, bool) and raw not in (0, 1):
                raise DecodeError(
                    f"raw {raw!r} is neither 0 nor 1 for a bool (map other codes with `codes`)"
                )
            return bool(raw) != self._invert
        value = float(raw) * self._scale + self._offset
        if not math.isfinite(value):
            raise DecodeError(f"raw value {raw!r} is not a finite number")
        if kind is Kind.INT:
            return round(value)
        return value

    def to_raw(self, value: Value) -> Raw:
        """The raw value (before word/bit packing) that carries engineering ``value``; a
        derived signal has none (:class:`EncodeError`)."""
        m, name = self.mapping, self.spec.name
        if self._derived is not None:
            raise EncodeError(
                f"{name} is derived ({self._derived}); it has no raw value of its own"
            )
        codes = self._codes
        if codes is not None:
            for code, meaning in codes.items():
                if meaning == value and isinstance(meaning, bool) == isinstance(value, bool):
                    return code
            raise EncodeError(f"{name} = {value!r} has no raw code in the value map")
        if self._kind is Kind.BOOL:
            flag = bool(value) != self._invert
            return flag if self._raw_bool else int(flag)
        if isinstance(value, bool) or not math.isfinite(value):
            raise EncodeError(f"{name} = {value!r} is not a finite number")
        raw = (float(value) - self._offset) / self._scale
        if not math.isfinite(raw):
            raise EncodeError(f"{name} = {value!r} does not fit in {m.raw_type}")
        if self._raw_float:
            if self._float32 and abs(raw) > _FLOAT32_MAX:
                raise EncodeError(f"{name} = {value!r} does not fit in {m.raw_type}")
            return raw
        code = round(raw)
        if not self._low <= code <= self._high:
            raise EncodeError(
                f"{name} = {value!r} is raw {code}, outside {self._low}..{self._high} "
                f"of {m.place()}"
            )
        return code


def to_engineering(raw: Raw, m: SignalMapping, spec: SignalSpec) -> Value:
    """Engineering value of ``raw`` (already cut to its bit or field) by the mapping's scaling."""
    return Scaling(m, spec).to_engineering(raw)


def to_raw(value: Value, m: SignalMapping, spec: SignalSpec) -> Raw:
    """The raw value (before word/bit packing) that carries engineering ``value``; a derived
    signal has none (:class:`EncodeError`): it is computed, never written or served itself."""
    return Scaling(m, spec).to_raw(value)

"""Where a status signal's raw value lives on the wire, and putting a raw value there as it is.

A profile maps each signal to a *place*: a coil or discrete input, a bit or bit field of a
register, whole registers, an OPC UA node, an element of an array node or bits of an integer
node. Two things put raw values straight into a place, past the codec's scaling and value maps:
the ``force_raw`` fault (a test wants the supervisor to see exactly that raw content) and the
fallback for engineering values the codec cannot encode (:mod:`simulators.served_status`).

What a place can hold; anything else is a :class:`FaultError` that names the signal, the place
and the fix::

    coil, discrete input        true, false, 0 or 1
    bit of a register           0 or 1          with word: the whole register(s), unsigned
    bit field (bit + width)     0 .. 2**width-1  with word: the whole register(s), unsigned
    integer register(s)         an integer in the type's range (int16 -32768..32767, ...)
    float32 / float64 registers any number, nan, inf, -inf (float32 up to +-3.4e38, or inf)
    Boolean node or element     true, false, 0 or 1
    integer node or element     an integer in the variant type's range
    Float / Double node         any number, nan, inf, -inf (Float up to +-3.4e38, or inf)
    bits of an integer node     0 .. 2**width-1  with word: the whole node value

``word`` (only for bits) sets every bit of the register(s) or node the signal's bits live in,
so the other signals packed there read what that word says too.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

from crane_ctrl.errors import FaultError, RawUnfitError
from crane_ctrl.profile.codec import Raw, from_words, set_bits, to_words
from crane_ctrl.profile.modbus_map import RegisterImage
from crane_ctrl.profile.model import ModbusMapping, OpcUaMapping
from crane_ctrl.profile.opcua_map import NodeRef, NodeWrite
from crane_ctrl.profile.rawtypes import RAW_TYPES, RawType

__all__ = ["FLOAT32_MAX", "ModbusPlace", "OpcUaPlace", "RawForce", "raw_value"]

FLOAT32_MAX = 3.4028234663852886e38
"""The largest finite float32 (IEEE single): beyond it a PLC's REAL holds inf."""
_PACKED = {"bool": "uint16", "int16": "uint16", "uint16": "uint16", "int32": "uint32"}
"""The unsigned word a bit or bit field is taken from (as the codec reads it)."""


@dataclass(frozen=True, slots=True)
class RawForce:
    """A status signal's place forced to raw content, bypassing the codec (fault ``force_raw``)."""

    signal: str
    raw: Raw
    word: bool = False
    """Set the whole register(s) or node the signal's bit or bit field lives in."""


def raw_value(signal: str, raw: object) -> Raw:
    """``raw`` as a raw value (text was converted already), or a :class:`FaultError`."""
    if isinstance(raw, bool | int | float):
        return raw
    raise FaultError(
        f"force_raw {signal}: raw must be a number, true, false, nan, inf or -inf, not {raw!r}"
    )


def _fit(raw: Raw, t: RawType) -> Raw:
    """``raw`` as the Python value a place of type ``t`` holds, or :class:`RawUnfitError`."""
    if t.is_bool:
        if raw in (0, 1) and not isinstance(raw, float):
            return bool(raw)
        raise RawUnfitError(f"holds only true or false, not {raw!r}; give true, false, 0 or 1")
    if t.is_int:
        if isinstance(raw, float):
            raise RawUnfitError(f"holds whole numbers, not {raw!r}; give an integer")
        if not t.minimum <= raw <= t.maximum:
            raise RawUnfitError(
                f"holds {t.minimum}..{t.maximum}, not {raw}; give a raw in that range"
            )
        return int(raw)
    if isinstance(raw, bool):
        raise RawUnfitError(f"holds numbers, not {raw!r}; give a number, nan, inf or -inf")
    limit = FLOAT32_MAX if t.bits == 32 else sys.float_info.max
    if math.isfinite(raw) and abs(raw) > limit:
        raise RawUnfitError(
            f"holds at most +-{limit:.4g}, not {raw!r}; give inf or -inf for an overflow"
        )
    return float(raw)


def _field(width: int) -> RawType:
    return RawType(f"{width}-bit field", "int", width, 0, 2**width - 1)


_WORD_HINT = ", or word = true to set the whole register or node"
_BOOLEAN_HINT = " (only an integer node can hold other codes)"


def _fail(signal: str, where: str, why: str) -> FaultError:
    return FaultError(f"force_raw {signal}: {where} {why}")


class ModbusPlace:
    """One signal's place in a Modbus PLC: checks and puts raw values into a register image."""

    def __init__(self, signal: str, mapping: ModbusMapping) -> None:
        self.signal = signal
        self.mapping = mapping
        self._packed = _PACKED.get(mapping.raw_type, mapping.raw_type)

    def __str__(self) -> str:
        m = self.mapping
        return m.place() if m.is_bit_table else f"{m.place()} ({m.raw_type})"

    def check(self, raw: Raw, *, word: bool = False) -> Raw:
        """``raw`` as this place holds it; :class:`FaultError` naming signal, place and fix."""
        m = self.mapping
        if word and m.bit is None:
            raise _fail(self.signal, str(self), "is not a bit or bit field; leave out word")
        if m.is_bit_table:
            t = RAW_TYPES["bool"]
        elif word:
            t = RAW_TYPES[self._packed]
        elif m.bit is not None:
            t = _field(m.bit_width or 1)
        else:
            t = RAW_TYPES[m.raw_type]
        try:
            return _fit(raw, t)
        except RawUnfitError as why:
            where = f"{m.table} {m.address} (whole, {self._packed})" if word else str(self)
            hint = _WORD_HINT if m.bit is not None and not word else ""
            raise _fail(self.signal, where, f"{why}{hint}") from None

    def put(self, image: RegisterImage, raw: Raw, *, word: bool = False) -> None:
        """Write a checked ``raw`` into ``image``; the other bits of a word keep their content."""
        m = self.mapping
        if m.is_bit_table:
            image.put(m.table, m.address, [int(raw)])
        elif word:
            image.put(m.table, m.address, to_words(raw, self._packed, m.word_order))
        elif m.bit is None:
            image.put(m.table, m.address, to_words(raw, m.raw_type, m.word_order))
        else:
            bits = RAW_TYPES[self._packed].bits
            words = image.get_or_zero(m.table, m.address, m.register_count)
            whole = int(from_words(words, self._packed, m.word_order))
            whole = set_bits(whole, bits, m.bit, m.bit_width or 1, int(raw))
            image.put(m.table, m.address, to_words(whole, self._packed, m.word_order))


class OpcUaPlace:
    """One signal's place in an OPC UA PLC: checks and puts raw values into node writes."""

    def __init__(self, signal: str, mapping: OpcUaMapping, ref: NodeRef, length: int | None):
        self.signal = signal
        self.mapping = mapping
        self.ref = ref
        self._length = length or 0
        self._type = RAW_TYPES[mapping.type]

    def __str__(self) -> str:
        return f"node {self.mapping.place()} ({self.mapping.type})"

    def check(self, raw: Raw, *, word: bool = False) -> Raw:
        """``raw`` as this place holds it; :class:`FaultError` naming signal, place and fix."""
        m = self.mapping
        if word and m.bit is None:
            raise _fail(self.signal, str(self), "is not a bit or bit field; leave out word")
        bits = m.bit is not None and not word
        t = _field(m.bit_width or 1) if bits else self._type
        try:
            return _fit(raw, t)
        except RawUnfitError as why:
            hint = _WORD_HINT if bits else _BOOLEAN_HINT if t.is_bool else ""
            raise _fail(self.signal, str(self), f"{why}{hint}") from None

    def put(self, nodes: dict[NodeRef, NodeWrite], raw: Raw, *, word: bool = False) -> None:
        """Set a checked ``raw`` in ``nodes``; other elements and bits keep their content."""
        m = self.mapping
        current = nodes.get(self.ref)
        value: bool | int | float | list[bool | int | float] = raw
        if m.index is not None:
            zero = _fit(0, self._type)
            array = list(current.value) if current and isinstance(current.value, list) else []
            array += [zero] * (self._length - len(array))
            array[m.index] = raw
            value = array
        elif m.bit is not None and not word:
            held = current.value if current and isinstance(current.value, int) else 0
            whole = set_bits(held, self._type.bits, m.bit, m.bit_width or 1, int(raw))
            value = whole - (1 << self._type.bits) if whole > self._type.maximum else whole
        nodes[self.ref] = NodeWrite(self.ref, value, m.type)

"""Facts about the raw PLC data types a profile names: Modbus register types, OPC UA variants."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["RAW_TYPES", "RawType", "field_range"]


@dataclass(frozen=True, slots=True)
class RawType:
    """A raw type: its family and, for integers, its range."""

    name: str
    family: str
    """``"bool"``, ``"int"`` or ``"float"``."""
    bits: int
    minimum: int = 0
    maximum: int = 0

    @property
    def is_int(self) -> bool:
        return self.family == "int"

    @property
    def is_float(self) -> bool:
        return self.family == "float"

    @property
    def is_bool(self) -> bool:
        return self.family == "bool"


def _int(name: str, bits: int, *, signed: bool) -> RawType:
    if signed:
        return RawType(name, "int", bits, -(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    return RawType(name, "int", bits, 0, 2**bits - 1)


def _table() -> Mapping[str, RawType]:
    types = [
        RawType("bool", "bool", 1, 0, 1),
        _int("int16", 16, signed=True),
        _int("uint16", 16, signed=False),
        _int("int32", 32, signed=True),
        _int("uint32", 32, signed=False),
        RawType("float32", "float", 32),
        RawType("float64", "float", 64),
        RawType("Boolean", "bool", 1, 0, 1),
        _int("SByte", 8, signed=True),
        _int("Byte", 8, signed=False),
        _int("Int16", 16, signed=True),
        _int("UInt16", 16, signed=False),
        _int("Int32", 32, signed=True),
        _int("UInt32", 32, signed=False),
        _int("Int64", 64, signed=True),
        _int("UInt64", 64, signed=False),
        RawType("Float", "float", 32),
        RawType("Double", "float", 64),
    ]
    return MappingProxyType({t.name: t for t in types})


RAW_TYPES: Mapping[str, RawType] = _table()
"""Every raw type by the name a profile uses for it."""


def field_range(raw_type: str, bit_width: int | None) -> tuple[int, int]:
    """The integer range of a whole raw integer type, or of a bit field of ``bit_width`` bits."""
    if bit_width is not None:
        return 0, 2**bit_width - 1
    t = RAW_TYPES[raw_type]
    return t.minimum, t.maximum

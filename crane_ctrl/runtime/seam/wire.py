"""Station values as plain JSON: one encoder and one decoder per type, worked out from its hints.

The seam carries :class:`~crane_ctrl.runtime.station.StationView` (a tree of frozen dataclasses,
named tuples, enums, tuples, frozensets and read-only mappings), the arguments of the station's
actions and what they return. Rather than a second, hand-kept schema of every one of those types,
:func:`encoder` and :func:`decoder` read a type's hints once and build a function for it, so the
wire form follows the types as they change:

=====================================  ==============================================
type                                   JSON
=====================================  ==============================================
``str``, ``int``, ``bool``, ``None``   themselves
``float``                              a number; ``"nan"``, ``"inf"``, ``"-inf"`` when not finite
``Path``                               a string
an enum                                its value
a dataclass, a named tuple             an object by field name (a field left out takes its default;
                                       an unknown one is ignored: a newer peer may add fields)
``tuple[X, ...]``, ``frozenset[X]``    an array (a frozenset sorted)
``tuple[A, B]``                        an array of two
``Mapping[str, X]``                    an object (decoded read-only)
``X | None``                           ``null`` or X
a pydantic model (the profile, ...)    its ``model_dump(mode="json")`` (validated again)
a catalogued interlock                 its id (the definition holds code; both ends have it)
=====================================  ==============================================

A value that does not fit its type on decoding raises :class:`~crane_ctrl.errors.SeamError`
naming the place (``view.supervisor.snapshot.time_s: expected a number, got 'x'``).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import math
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from crane_ctrl.errors import SeamError
from crane_ctrl.interlocks.catalogue import Interlock
from crane_ctrl.interlocks.evaluate import INTERLOCKS

__all__ = ["Decode", "Encode", "decoder", "encoder"]

Encode = Callable[[Any], Any]
"""A Python value to a JSON-able one."""
Decode = Callable[[Any, str], Any]
"""A JSON-able value (and where it is, for messages) to the Python value."""

_PRIMITIVES: frozenset[object] = frozenset({str, int, float, bool, type(None)})
_NOT_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _reference_id(interlock: Interlock) -> str:
    return interlock.id


def _interlock(value: Any, where: str) -> Interlock:
    found = INTERLOCKS.get(value) if isinstance(value, str) else None
    if found is None:
        raise SeamError(f"{where}: no interlock {value!r} in the catalogue")
    return found


_REFERENCES: Mapping[object, tuple[Encode, Decode]] = {Interlock: (_reference_id, _interlock)}
"""Types sent by id: both ends hold the same catalogue (its definitions hold code)."""


def _same(value: Any) -> Any:
    return value


def _float_out(value: float) -> float | str:
    if math.isfinite(value):
        return value
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _primitive_out(value: Any) -> Any:
    return _float_out(value) if type(value) is float else value


@functools.cache
def encoder(hint: Any) -> Encode:
    """The encoder for values of type ``hint`` (built once per type)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint in _REFERENCES:
        return _REFERENCES[hint][0]
    if hint is float:
        return _float_out
    if hint in _PRIMITIVES or origin is typing.Literal:
        return _same
    if origin is None and isinstance(hint, type):
        return _class_encoder(hint)
    if origin in (types.UnionType, typing.Union):
        return _union_encoder(args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = encoder(args[0])
        return lambda value: [item(x) for x in value]
    if origin is tuple:
        items = tuple(encoder(a) for a in args)
        return lambda value: [e(x) for e, x in zip(items, value, strict=True)]
    if origin in (frozenset, set):
        item = encoder(args[0])
        return lambda value: sorted(item(x) for x in value)
    if origin in (Mapping, dict) and args[0] is str:
        item = encoder(args[1])
        return lambda value: {k: item(v) for k, v in value.items()}
    raise TypeError(f"no wire form for {hint!r}")


def _class_encoder(cls: type) -> Encode:
    if issubclass(cls, enum.Enum):
        return lambda value: value.value
    if issubclass(cls, Path):
        return str
    if issubclass(cls, BaseModel):
        return lambda value: value.model_dump(mode="json")
    fields = _fields(cls)
    if fields is None:
        raise TypeError(f"no wire form for {cls.__qualname__}")
    pairs = tuple((name, encoder(hint)) for name, hint, _ in fields)
    return lambda value: {name: enc(getattr(value, name)) for name, enc in pairs}


def _union_encoder(args: tuple[Any, ...]) -> Encode:
    if all(a in _PRIMITIVES for a in args):
        return _primitive_out
    rest = [a for a in args if a is not type(None)]
    if any(isinstance(a, type) and issubclass(a, BaseModel) for a in rest):
        return lambda value: None if value is None else value.model_dump(mode="json")
    if len(rest) == 1:
        inner = encoder(rest[0])
        return lambda value: None if value is None else inner(value)
    raise TypeError(f"no wire form for the union of {args!r}")


_Field = tuple[str, Any, bool]
"""A field's name, type, and whether it may be left out (it has a default)."""


def _fields(cls: type) -> tuple[_Field, ...] | None:
    """A dataclass's or a named tuple's fields; ``None`` for other classes (read once per type:
    :func:`encoder` and :func:`decoder` cache what they build)."""
    if dataclasses.is_dataclass(cls):
        hints = typing.get_type_hints(cls)
        return tuple(
            (f.name, hints[f.name], _has_default(f)) for f in dataclasses.fields(cls) if f.init
        )
    names = getattr(cls, "_fields", None)
    if issubclass(cls, tuple) and isinstance(names, tuple):
        hints = typing.get_type_hints(cls)
        defaults: Mapping[str, Any] = getattr(cls, "_field_defaults", {})
        return tuple((n, hints[n], n in defaults) for n in names)
    return None


def _has_default(field: dataclasses.Field[Any]) -> bool:
    missing = dataclasses.MISSING
    return field.default is not missing or field.default_factory is not missing


# --- decoding


def _wrong(where: str, expected: str, value: Any) -> SeamError:
    return SeamError(f"{where}: expected {expected}, got {value!r}"[:300])


def _str_in(value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    raise _wrong(where, "a string", value)


def _int_in(value: Any, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _wrong(where, "an integer", value)


def _bool_in(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    raise _wrong(where, "true or false", value)


def _float_in(value: Any, where: str) -> float:
    if isinstance(value, float):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value in _NOT_FINITE:
        return _NOT_FINITE[value]
    raise _wrong(where, "a number", value)


def _none_in(value: Any, where: str) -> None:
    if value is not None:
        raise _wrong(where, "null", value)


_PRIMITIVE_IN: Mapping[object, Decode] = {
    str: _str_in, int: _int_in, bool: _bool_in, float: _float_in, type(None): _none_in,
}  # fmt: skip


@functools.cache
def decoder(hint: Any) -> Decode:
    """The decoder for values of type ``hint`` (built once per type)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint in _REFERENCES:
        return _REFERENCES[hint][1]
    if hint in _PRIMITIVE_IN:
        return _PRIMITIVE_IN[hint]
    if origin is typing.Literal:
        return _literal_decoder(args)
    if origin is None and isinstance(hint, type):
        return _class_decoder(hint)
    if origin in (types.UnionType, typing.Union):
        return _union_decoder(hint, args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _sequence_decoder(decoder(args[0]), tuple)
    if origin is tuple:
        return _fixed_decoder(tuple(decoder(a) for a in args))
    if origin in (frozenset, set):
        return _sequence_decoder(decoder(args[0]), frozenset)
    if origin in (Mapping, dict) and args[0] is str:
        return _mapping_decoder(decoder(args[1]), read_only=origin is Mapping)
    raise TypeError(f"no wire form for {hint!r}")


def _literal_decoder(args: tuple[Any, ...]) -> Decode:
    def decode(value: Any, where: str) -> Any:
        if value in args:
            return value
        raise _wrong(where, " or ".join(repr(a) for a in args), value)

    return decode


def _class_decoder(cls: type) -> Decode:
    if issubclass(cls, enum.Enum):
        return _enum_decoder(cls)
    if issubclass(cls, Path):
        return lambda value, where: Path(_str_in(value, where))
    if issubclass(cls, BaseModel):
        return _model_decoder(cls)
    fields = _fields(cls)
    if fields is None:
        raise TypeError(f"no wire form for {cls.__qualname__}")
    return _record_decoder(cls, fields)


def _enum_decoder(cls: type[enum.Enum]) -> Decode:
    def decode(value: Any, where: str) -> enum.Enum:
        try:
            return cls(value)
        except ValueError:
            choices = ", ".join(repr(m.value) for m in cls)
            raise _wrong(where, f"one of {choices}", value) from None

    return decode


def _model_decoder(hint: Any) -> Decode:
    adapter: TypeAdapter[Any] = TypeAdapter(hint)

    def decode(value: Any, where: str) -> Any:
        try:  # as JSON: strict models take an array for a tuple, a string for an enum
            return adapter.validate_json(json.dumps(value))
        except ValidationError as exc:
            raise SeamError(f"{where}: {exc.error_count()} problem(s): {exc}"[:500]) from None

    return decode


def _record_decoder(cls: type, fields: tuple[_Field, ...]) -> Decode:
    parts = tuple((name, decoder(hint), optional) for name, hint, optional in fields)

    def decode(value: Any, where: str) -> Any:
        if not isinstance(value, dict):
            raise _wrong(where, f"an object ({cls.__name__})", value)
        kwargs = {}
        for name, dec, optional in parts:
            if name in value:
                kwargs[name] = dec(value[name], f"{where}.{name}")
            elif not optional:
                raise SeamError(f"{where}.{name}: missing")
        return cls(**kwargs)

    return decode


def _union_decoder(hint: Any, args: tuple[Any, ...]) -> Decode:
    if all(a in _PRIMITIVES for a in args):
        return _primitive_union_decoder(args)
    rest = [a for a in args if a is not type(None)]
    if any(isinstance(a, type) and issubclass(a, BaseModel) for a in rest):
        return _optional(_model_decoder(hint if len(rest) == len(args) else rest[0]))
    if len(rest) == 1:
        return _optional(decoder(rest[0]))
    raise TypeError(f"no wire form for the union of {args!r}")


def _optional(inner: Decode) -> Decode:
    return lambda value, where: None if value is None else inner(value, where)


def _primitive_union_decoder(args: tuple[Any, ...]) -> Decode:
    names = " or ".join(getattr(a, "__name__", str(a)) for a in args)

    def decode(value: Any, where: str) -> Any:
        kind = type(value)
        if kind in args:
            return value
        if kind is int and float in args:
            return float(value)
        if kind is str and float in args and value in _NOT_FINITE:
            return _NOT_FINITE[value]
        raise _wrong(where, names, value)

    return decode


def _sequence_decoder(item: Decode, build: Callable[[Any], Any]) -> Decode:
    def decode(value: Any, where: str) -> Any:
        if not isinstance(value, list):
            raise _wrong(where, "an array", value)
        return build(item(x, f"{where}[{i}]") for i, x in enumerate(value))

    return decode


def _fixed_decoder(items: tuple[Decode, ...]) -> Decode:
    def decode(value: Any, where: str) -> tuple[Any, ...]:
        if not isinstance(value, list) or len(value) != len(items):
            raise _wrong(where, f"an array of {len(items)}", value)
        return tuple(
            d(x, f"{where}[{i}]") for i, (d, x) in enumerate(zip(items, value, strict=True))
        )

    return decode


def _mapping_decoder(item: Decode, *, read_only: bool) -> Decode:
    def decode(value: Any, where: str) -> Any:
        if not isinstance(value, dict):
            raise _wrong(where, "an object", value)
        out = {_str_in(k, where): item(v, f"{where}.{k}") for k, v in value.items()}
        return types.MappingProxyType(out) if read_only else out

    return decode

"""Sparkplug B payloads, typed: metrics in and out of the spec's protobuf (``sparkplug_b.proto``).

:class:`Metric` and :class:`Payload` are plain frozen values; :func:`encode` and :func:`decode`
are the only code that touches the generated :mod:`crane_ctrl.fleet.sparkplug_b_pb2`. A value is
carried in the field its :class:`DataType` names (Sparkplug B 3.0, section 6.4.16): signed
integers as two's complement in ``int_value`` (32 bit) or ``long_value`` (64 bit), a ``None``
value as ``is_null`` with no value at all (``tck-id-operational-behavior-data-publish-nbirth-
values``). NDATA names its metrics by alias only; :func:`decode` takes what the NBIRTH said
(:func:`aliases_of`) to give them their names and types back.

The host's ``STATE`` message is JSON, not protobuf: :class:`HostState`. Pure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TypeVar

from google.protobuf.message import DecodeError

from crane_ctrl.errors import PayloadError
from crane_ctrl.fleet import sparkplug_b_pb2 as pb

__all__ = [
    "BD_SEQ",
    "REBIRTH",
    "DataType",
    "HostState",
    "Metric",
    "MetricValue",
    "Payload",
    "aliases_of",
    "decode",
    "encode",
]

BD_SEQ = "bdSeq"
"""The birth/death sequence metric of NBIRTH and NDEATH (INT64)."""
REBIRTH = "Node Control/Rebirth"
"""The metric a host writes ``true`` to (NCMD) to ask for a new NBIRTH; false in every NBIRTH."""
ENG_UNIT = "engUnit"
"""The metric property that carries a unit (the name Ignition and others read)."""

MetricValue = bool | int | float | str | None
_T = TypeVar("_T", bool, int, str)


class DataType(IntEnum):
    """Sparkplug B datatypes (the scalar ones; the rest decode as ``UNKNOWN``)."""

    UNKNOWN = 0
    INT8 = 1
    INT16 = 2
    INT32 = 3
    INT64 = 4
    UINT8 = 5
    UINT16 = 6
    UINT32 = 7
    UINT64 = 8
    FLOAT = 9
    DOUBLE = 10
    BOOLEAN = 11
    STRING = 12
    DATETIME = 13
    TEXT = 14
    UUID = 15


_INT32 = frozenset({DataType.INT8, DataType.INT16, DataType.INT32, DataType.UINT8,
                    DataType.UINT16, DataType.UINT32})  # fmt: skip
_INT64 = frozenset({DataType.INT64, DataType.UINT64, DataType.DATETIME})
_TEXT = frozenset({DataType.STRING, DataType.TEXT, DataType.UUID})
_KNOWN = frozenset(int(t) for t in DataType)
_SIGNED_BITS = {DataType.INT8: 8, DataType.INT16: 16, DataType.INT32: 32, DataType.INT64: 64}


@dataclass(frozen=True, slots=True)
class Metric:
    """One metric of a payload. ``name`` and ``datatype`` go in births; NDATA uses ``alias``."""

    name: str | None
    value: MetricValue
    datatype: DataType | None = None
    alias: int | None = None
    timestamp_ms: int | None = None
    """When the value was taken (UTC ms since the epoch)."""
    is_historical: bool = False
    """A stored value sent late (store and forward): not the metric's current value."""
    unit: str = ""
    """Engineering unit, sent as the ``engUnit`` property (births only)."""


@dataclass(frozen=True, slots=True)
class Payload:
    """A Sparkplug B payload: when it was sent, its ``seq`` (none in NDEATH), its metrics."""

    timestamp_ms: int | None
    seq: int | None
    metrics: tuple[Metric, ...] = field(default=())

    def by_name(self) -> dict[str, Metric]:
        return {m.name: m for m in self.metrics if m.name is not None}


def encode(payload: Payload, *, datatypes: bool = True) -> bytes:
    """The payload's protobuf bytes; :class:`PayloadError` for a value its datatype cannot
    carry. ``datatypes`` ``False``: each value goes where its datatype says, but the datatype
    is left out (NDATA: ``tck-id-payloads-metric-datatype-not-req``)."""
    out = pb.Payload()
    if payload.timestamp_ms is not None:
        out.timestamp = payload.timestamp_ms
    if payload.seq is not None:
        out.seq = payload.seq
    for metric in payload.metrics:
        _encode_metric(metric, out.metrics.add(), datatypes)
    return out.SerializeToString()


def _encode_metric(metric: Metric, out: pb.Payload.Metric, datatypes: bool) -> None:
    if metric.name is not None:
        out.name = metric.name
    if metric.alias is not None:
        out.alias = metric.alias
    if metric.timestamp_ms is not None:
        out.timestamp = metric.timestamp_ms
    if metric.datatype is not None and datatypes:
        out.datatype = metric.datatype
    if metric.is_historical:
        out.is_historical = True
    if metric.unit:
        out.properties.keys.append(ENG_UNIT)
        unit = out.properties.values.add()
        unit.type, unit.string_value = DataType.STRING, metric.unit
    if metric.value is None:
        out.is_null = True
        return
    _set_value(out, metric)


def _set_value(out: pb.Payload.Metric, metric: Metric) -> None:
    kind, value = metric.datatype, metric.value
    try:
        if kind is DataType.BOOLEAN:
            out.boolean_value = _exact(value, bool)
        elif kind in _TEXT:
            out.string_value = _exact(value, str)
        elif kind is DataType.DOUBLE:
            out.double_value = float(_number(value))
        elif kind is DataType.FLOAT:
            out.float_value = float(_number(value))
        elif kind in _INT32:
            out.int_value = _exact(value, int) % (1 << 32)
        elif kind in _INT64:
            out.long_value = _exact(value, int) % (1 << 64)
        else:
            raise TypeError(f"datatype {kind!r} is not one this node sends")
    except (TypeError, ValueError) as exc:
        raise PayloadError(f"metric {metric.name or metric.alias}: {exc}") from None


def _exact(value: MetricValue, kind: type[_T]) -> _T:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{value!r} is no {kind.__name__}")
    return value


def _number(value: MetricValue) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{value!r} is no number")
    return value


def decode(data: bytes, aliases: Mapping[int, Metric] | None = None) -> Payload:
    """The payload in ``data``; metrics sent by alias get the name and datatype their NBIRTH
    gave them (``aliases``, from :func:`aliases_of`). :class:`PayloadError` if ``data`` is no
    Sparkplug B payload."""
    message = pb.Payload()
    try:
        message.ParseFromString(data)
    except DecodeError as exc:
        raise PayloadError(f"not a Sparkplug B payload ({len(data)} bytes): {exc}") from None
    metrics = tuple(_decode_metric(m, aliases or {}) for m in message.metrics)
    return Payload(
        message.timestamp if message.HasField("timestamp") else None,
        message.seq if message.HasField("seq") else None,
        metrics,
    )


def _decode_metric(m: pb.Payload.Metric, aliases: Mapping[int, Metric]) -> Metric:
    alias = m.alias if m.HasField("alias") else None
    known = aliases.get(alias) if alias is not None else None
    name = m.name if m.HasField("name") else (known.name if known else None)
    datatype: DataType | None
    if m.HasField("datatype"):
        datatype = DataType(m.datatype) if m.datatype in _KNOWN else DataType.UNKNOWN
    else:
        datatype = known.datatype if known else None
    unit = ""
    for key, prop in zip(m.properties.keys, m.properties.values, strict=False):
        if key == ENG_UNIT:
            unit = prop.string_value
    value = None if m.is_null else _value_of(m, datatype)
    return Metric(name, value, datatype, alias,
                  m.timestamp if m.HasField("timestamp") else None,
                  m.is_historical, unit)  # fmt: skip


def _value_of(m: pb.Payload.Metric, datatype: DataType | None) -> MetricValue:
    field_name = m.WhichOneof("value")
    if field_name is None:
        return None
    raw: MetricValue = getattr(m, field_name)
    if isinstance(raw, int) and not isinstance(raw, bool) and datatype in _SIGNED_BITS:
        bits = 64 if field_name == "long_value" else 32
        narrow = _SIGNED_BITS[datatype]
        if raw >= 1 << (bits - 1):
            raw -= 1 << bits
        elif narrow < bits and (1 << (narrow - 1)) <= raw < (1 << narrow):
            raw -= 1 << narrow
    if isinstance(raw, float) and field_name == "float_value" and math.isfinite(raw):
        raw = float(f"{raw:.7g}")  # a float32's digits, not its binary tail
    return raw


def aliases_of(birth: Payload) -> dict[int, Metric]:
    """Each alias an NBIRTH defined, with the metric it stands for."""
    return {m.alias: m for m in birth.metrics if m.alias is not None}


@dataclass(frozen=True, slots=True)
class HostState:
    """A Sparkplug host application's ``STATE`` message: online or not, since when."""

    online: bool
    timestamp_ms: int

    @classmethod
    def parse(cls, data: bytes) -> HostState:
        """:class:`PayloadError` unless ``data`` is the JSON ``{"online": bool, "timestamp":
        ms}``."""
        try:
            doc = json.loads(data.decode("utf-8"))
            online, stamp = doc["online"], doc["timestamp"]
        except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise PayloadError(f"not a Sparkplug STATE payload: {exc}") from None
        if not isinstance(online, bool) or isinstance(stamp, bool) or not isinstance(stamp, int):
            raise PayloadError(f"not a Sparkplug STATE payload: {doc!r}")
        return cls(online, stamp)

    def encode(self) -> bytes:
        return json.dumps({"online": self.online, "timestamp": self.timestamp_ms}).encode()

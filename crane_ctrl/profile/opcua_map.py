"""A profile's OPC UA map at work: which nodes to read, decoding their values, encoding commands.

Pure: the supervisor's OPC UA link and the simulator's OPC UA server both use it. Nodes are named
by namespace URI and identifier (``NodeRef``); each side resolves the URI to its index at run
time. Command signals that share one integer node (a packed control word) are encoded into one
value and written together. The profile's points are read and decoded with the status; its
derived signals are computed from them after decoding (:mod:`crane_ctrl.profile.derived`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from crane_ctrl.errors import CodecError, DecodeError
from crane_ctrl.profile.codec import (
    Raw,
    get_bits,
    set_bits,
    to_engineering,
    to_raw,
    unmapped_optional,
)
from crane_ctrl.profile.derived import derived_signals, evaluate, point_spec
from crane_ctrl.profile.modbus_map import Decoded
from crane_ctrl.profile.model import OpcUaMapping, OpcUaProfile, derived_text
from crane_ctrl.profile.rawtypes import RAW_TYPES
from crane_ctrl.signals import SIGNALS, Direction, SignalSpec, Value

__all__ = ["NodeRef", "NodeWrite", "OpcUaCodec"]


@dataclass(frozen=True, slots=True, order=True)
class NodeRef:
    """A node named independently of any server's namespace table."""

    namespace_uri: str
    identifier: str
    """``i=42``, ``s="DB_Crane"."Hoist"."ActPos"``, ``g=...`` or ``b=...``."""

    def __str__(self) -> str:
        return f"nsu={self.namespace_uri};{self.identifier}"


@dataclass(frozen=True, slots=True)
class NodeWrite:
    """One value to write to one node, with the exact variant type it must carry."""

    node: NodeRef
    value: bool | int | float | list[bool | int | float]
    ua_type: str


class OpcUaCodec:
    """Decode and encode the canonical signals of one OPC UA profile."""

    def __init__(self, profile: OpcUaProfile) -> None:
        self.profile = profile
        self.status = _by_direction(profile, Direction.STATUS)
        """Status signals read from a node (not the derived ones)."""
        self.commands = _by_direction(profile, Direction.COMMAND)
        self.points: dict[str, OpcUaMapping] = dict(profile.points)
        self.derived = derived_signals(profile)
        """Derived status signals, in the order they are computed."""
        self._refs = {name: self.ref(m) for name, m in {**self.status, **self.commands}.items()}
        """Each signal's node (built once: every scan asks for every one)."""
        self._point_refs = {name: self.ref(m) for name, m in self.points.items()}
        self._point_specs = {name: point_spec(name, m) for name, m in self.points.items()}
        self._types = self.node_types()

    def ref(self, m: OpcUaMapping) -> NodeRef:
        return NodeRef(m.namespace_uri or self.profile.link.namespace_uri, m.node)

    def nodes(self, direction: Direction = Direction.STATUS) -> list[NodeRef]:
        """Every node carrying a signal of ``direction`` (and, for the status, every point's),
        each once, in profile order."""
        mappings = list(self.commands.values())
        if direction is Direction.STATUS:
            mappings = [*self.status.values(), *self.points.values()]
        return list(dict.fromkeys(self.ref(m) for m in mappings))

    def node_types(self) -> dict[NodeRef, tuple[str, int | None]]:
        """Each node's variant type and, for array nodes, the length the profile needs."""
        types: dict[NodeRef, tuple[str, int | None]] = {}
        for m in [*self.status.values(), *self.commands.values(), *self.points.values()]:
            ref = self.ref(m)
            _, length = types.get(ref, (m.type, None))
            if m.index is not None:
                length = max(length or 0, m.index + 1)
            types[ref] = (m.type, length)
        return types

    def decode(
        self, values: Mapping[NodeRef, object], direction: Direction = Direction.STATUS
    ) -> Decoded:
        """Every signal whose node value is known, and a reason for every other; for the
        status, the points and then the derived signals too."""
        result = Decoded()
        mappings = self.status if direction is Direction.STATUS else self.commands
        for name, m in mappings.items():
            node_value = values.get(self._refs[name], _NOT_READ)
            _decode_into(result.values, result.problems, name, m, node_value)
        if direction is Direction.STATUS and (self.points or self.derived):
            point_problems: dict[str, str] = {}
            for name, m in self.points.items():
                node_value = values.get(self._point_refs[name], _NOT_READ)
                spec = self._point_specs[name]
                _decode_into(result.points, point_problems, name, m, node_value, spec)
            evaluate(
                self.derived,
                values=result.values,
                problems=result.problems,
                points=result.points,
                point_problems=point_problems,
            )
        return result

    def encode(self, values: Mapping[str, Value]) -> list[NodeWrite]:
        """Writes for ``values``: one per node, bit fields of one node merged into one value.

        An array node is written whole: elements not among ``values`` are left at their type's
        zero (the simulator publishes every status element at once, so none are left out).
        """
        merged: dict[NodeRef, NodeWrite] = {}
        arrays: dict[NodeRef, list[bool | int | float]] = {}
        words: dict[NodeRef, int] = {}
        for name, value in values.items():
            if unmapped_optional(self.profile, name):
                continue  # this PLC has no such node (a per-axis enable, ...): nothing to write
            m = self.profile.signals[name]
            ref = self._refs[name]
            raw = to_raw(value, m, SIGNALS[name])
            if m.index is not None:
                array = arrays.setdefault(ref, self._zero_array(ref, m.type))
                array[m.index] = _as_variant(raw, m.type)
                continue
            if m.bit is not None:
                word = RAW_TYPES[m.type]
                raw = set_bits(words.get(ref, 0), word.bits, m.bit, m.bit_width or 1, int(raw))
                if raw > word.maximum:  # a signed type carries its top bit as a negative value
                    raw -= 1 << word.bits
                words[ref] = raw
            merged[ref] = NodeWrite(ref, _as_variant(raw, m.type), m.type)
        return [*merged.values(), *(NodeWrite(r, a, self._types[r][0]) for r, a in arrays.items())]

    def _zero_array(self, ref: NodeRef, ua_type: str) -> list[bool | int | float]:
        length = self._types[ref][1] or 0
        return [_as_variant(0, ua_type)] * length


_NOT_READ = object()
"""A node that is not among the values read."""


def _by_direction(profile: OpcUaProfile, direction: Direction) -> dict[str, OpcUaMapping]:
    return {
        name: m
        for name, m in profile.signals.items()
        if name in SIGNALS and SIGNALS[name].direction is direction and derived_text(m) is None
    }


def _decode_into(
    values: dict[str, Value],
    problems: dict[str, str],
    name: str,
    m: OpcUaMapping,
    node_value: object,
    spec: SignalSpec | None = None,
) -> None:
    try:
        if node_value is _NOT_READ:
            raise DecodeError("was not read")
        values[name] = decode_value(name, m, node_value, spec)
    except CodecError as exc:
        problems[name] = f"{m.place()}: {exc}"


def decode_value(
    name: str, m: OpcUaMapping, value: object, spec: SignalSpec | None = None
) -> Value:
    """Decode one signal (or a point, given its ``spec``) from its node's value (the whole array
    for an array node)."""
    if m.index is not None:
        if not isinstance(value, list | tuple):
            raise DecodeError(f"expected an array, got {type(value).__name__}")
        if m.index >= len(value):
            raise DecodeError(f"array has {len(value)} elements, index {m.index} is past its end")
        value = value[m.index]
    raw = _as_raw(value, m.type)
    if m.bit is not None:
        raw = get_bits(int(raw), RAW_TYPES[m.type].bits, m.bit, m.bit_width or 1)
    return to_engineering(raw, m, spec or SIGNALS[name])


def _as_raw(value: object, ua_type: str) -> Raw:
    family = RAW_TYPES[ua_type].family
    if family == "bool" and isinstance(value, bool):
        return value
    if family == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if family == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise DecodeError(f"expected a {ua_type}, got {value!r}")


def _as_variant(raw: Raw, ua_type: str) -> bool | int | float:
    family = RAW_TYPES[ua_type].family
    if family == "bool":
        return bool(raw)
    if family == "int":
        return int(raw)
    return float(raw)

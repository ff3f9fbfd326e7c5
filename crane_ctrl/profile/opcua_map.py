"""A profile's OPC UA map at work: which nodes to read, decoding their values, encoding commands.

Pure: the supervisor's OPC UA link and the simulator's OPC UA server both use it. Nodes are named
by namespace URI and identifier (``NodeRef``); each side resolves the URI to its index at run
time. Command signals that share one integer node (a packed control word) are encoded into one
value and written together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from crane_ctrl.errors import CodecError, DecodeError
from crane_ctrl.profile.codec import Raw, get_bits, set_bits, to_engineering, to_raw
from crane_ctrl.profile.modbus_map import Decoded
from crane_ctrl.profile.model import OpcUaMapping, OpcUaProfile
from crane_ctrl.profile.rawtypes import RAW_TYPES
from crane_ctrl.signals import SIGNALS, Direction, Value

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
        self.commands = _by_direction(profile, Direction.COMMAND)
        self._refs = {name: self.ref(m) for name, m in profile.signals.items()}
        """Each signal's node (built once: every scan asks for every one)."""
        self._types = self.node_types()

    def ref(self, m: OpcUaMapping) -> NodeRef:
        return NodeRef(m.namespace_uri or self.profile.link.namespace_uri, m.node)

    def nodes(self, direction: Direction = Direction.STATUS) -> list[NodeRef]:
        """Every node carrying a signal of ``direction``, each once, in profile order."""
        mappings = self.status if direction is Direction.STATUS else self.commands
        return list(dict.fromkeys(self.ref(m) for m in mappings.values()))

    def node_types(self) -> dict[NodeRef, tuple[str, int | None]]:
        """Each node's variant type and, for array nodes, the length the profile needs."""
        types: dict[NodeRef, tuple[str, int | None]] = {}
        for m in self.profile.signals.values():
            ref = self.ref(m)
            _, length = types.get(ref, (m.type, None))
            if m.index is not None:
                length = max(length or 0, m.index + 1)
            types[ref] = (m.type, length)
        return types

    def decode(
        self, values: Mapping[NodeRef, object], direction: Direction = Direction.STATUS
    ) -> Decoded:
        """Every signal whose node value is known, and a reason for every other."""
        result = Decoded()
        mappings = self.status if direction is Direction.STATUS else self.commands
        for name, m in mappings.items():
            ref = self._refs[name]
            try:
                if ref not in values:
                    raise DecodeError("was not read")
                result.values[name] = decode_value(name, m, values[ref])
            except CodecError as exc:
                result.problems[name] = f"{m.place()}: {exc}"
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


def _by_direction(profile: OpcUaProfile, direction: Direction) -> dict[str, OpcUaMapping]:
    return {
        name: m
        for name, m in profile.signals.items()
        if name in SIGNALS and SIGNALS[name].direction is direction
    }


def decode_value(name: str, m: OpcUaMapping, value: object) -> Value:
    """Decode one signal from its node's value (the whole array for an array node)."""
    if m.index is not None:
        if not isinstance(value, list | tuple):
            raise DecodeError(f"expected an array, got {type(value).__name__}")
        if m.index >= len(value):
            raise DecodeError(f"array has {len(value)} elements, index {m.index} is past its end")
        value = value[m.index]
    raw = _as_raw(value, m.type)
    if m.bit is not None:
        raw = get_bits(int(raw), RAW_TYPES[m.type].bits, m.bit, m.bit_width or 1)
    return to_engineering(raw, m, SIGNALS[name])


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

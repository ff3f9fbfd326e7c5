"""A profile's OPC UA map at work: which nodes to read, decoding their values, encoding commands.

Pure: the supervisor's OPC UA link and the simulator's OPC UA server both use it. Nodes are named
by namespace URI and identifier (``NodeRef``); each side resolves the URI to its index at run
time. Command signals that share one integer node (a packed control word) are encoded into one
value and written together. The profile's points are read and decoded with the status; its
derived signals are computed from them after decoding (:mod:`crane_ctrl.profile.derived`); then
each status block's proof (:mod:`crane_ctrl.profile.validity`): its life bit or counter, or
whether its nodes are all zero (false, 0, or arrays of them).
Bool commands mapped to a method (:class:`~crane_ctrl.profile.model.OpcUaMethod`) are neither
read nor written: :attr:`OpcUaCodec.method_commands` names their calls and :class:`RisingEdges`
tells a link which are due, one call per rising edge.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from crane_ctrl.errors import CodecError, DecodeError
from crane_ctrl.profile.codec import (
    Raw,
    Scaling,
    get_bits,
    set_bits,
    unmapped_optional,
)
from crane_ctrl.profile.derived import derived_signals, evaluate, point_spec
from crane_ctrl.profile.modbus_map import Decoded
from crane_ctrl.profile.model import OpcUaMapping, OpcUaProfile, derived_text, method_of
from crane_ctrl.profile.rawtypes import RAW_TYPES, RawType
from crane_ctrl.profile.validity import checked_places, life_proofs, status_blocks
from crane_ctrl.signals import SIGNALS, Direction, SignalSpec, Value
from crane_ctrl.validity import Proof

__all__ = ["MethodCall", "NodeRef", "NodeWrite", "OpcUaCodec", "RisingEdges"]


@dataclass(frozen=True, slots=True, order=True)
class NodeRef:
    """A node named independently of any server's namespace table."""

    namespace_uri: str
    identifier: str
    """``i=42``, ``s="DB_Crane"."Hoist"."ActPos"``, ``g=...`` or ``b=...``."""
    _hash: int = field(init=False, repr=False, compare=False)
    """The hash, worked out once: every scan looks every node up in a few dicts."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.namespace_uri, self.identifier)))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[type[NodeRef], tuple[str, str]]:
        """Pickled by its fields alone: another process hashes text differently."""
        return NodeRef, (self.namespace_uri, self.identifier)

    def __str__(self) -> str:
        return f"nsu={self.namespace_uri};{self.identifier}"


@dataclass(frozen=True, slots=True)
class NodeWrite:
    """One value to write to one node, with the exact variant type it must carry."""

    node: NodeRef
    value: bool | int | float | list[bool | int | float]
    ua_type: str


Argument = bool | int | float | str
"""A literal input argument of a method call."""


@dataclass(frozen=True, slots=True)
class MethodCall:
    """The method call that carries one bool command: ``method`` called on ``object``."""

    signal: str
    object: NodeRef
    method: NodeRef
    arguments: tuple[Argument, ...] = ()

    def __str__(self) -> str:
        args = ", ".join(repr(a) for a in self.arguments)
        return f"{self.method}({args}) on {self.object}"


@dataclass
class RisingEdges:
    """Which method-mapped commands rose from false to true since the last values written.

    A link asks :meth:`due` on every write and calls what it returns; a call that fails is
    :meth:`missed`, so the next write while the command is still true calls it again. After a
    reconnect the link calls :meth:`forget`: a command true then is a new edge.
    """

    calls: Mapping[str, MethodCall]
    _last: dict[str, bool] = field(default_factory=dict)

    def due(self, values: Mapping[str, Value]) -> list[MethodCall]:
        """The calls whose command is true in ``values`` and was not before."""
        rising = []
        for name, call in self.calls.items():
            if name not in values:
                continue
            now = bool(values[name])
            if now and not self._last.get(name, False):
                rising.append(call)
            self._last[name] = now
        return rising

    def missed(self, call: MethodCall) -> None:
        """``call`` failed: its edge is still to come."""
        self._last[call.signal] = False

    def forget(self) -> None:
        self._last.clear()


class OpcUaCodec:
    """Decode and encode the canonical signals of one OPC UA profile."""

    def __init__(self, profile: OpcUaProfile) -> None:
        self.profile = profile
        self._nodes: dict[NodeRef, NodeRef] = {}
        """Each node once: every ref of one node is the same object (a dict finds it at once)."""
        self.status = _by_direction(profile, Direction.STATUS)
        """Status signals read from a node (not the derived ones)."""
        self.commands = _by_direction(profile, Direction.COMMAND)
        """Command signals written to a node (not the method-mapped ones)."""
        self.method_commands = self._method_calls()
        """Bool commands carried out by a method call, never read nor written as a node."""
        self.points: dict[str, OpcUaMapping] = dict(profile.points)
        self.echoes = {n: m for n, m in self.commands.items() if m.cleared_by_plc}
        """Requests the PLC clears itself: read back with the status, into the points."""
        self.derived = derived_signals(profile)
        """Derived status signals, in the order they are computed."""
        self._refs = {name: self.ref(m) for name, m in {**self.status, **self.commands}.items()}
        """Each signal's node (built once: every scan asks for every one)."""
        self._types = self.node_types()
        self._places = {
            name: _Place(name, m, self._refs[name], SIGNALS[name])
            for name, m in {**self.status, **self.commands}.items()
        }
        """Each signal's way into and out of its node, worked out once."""
        self._points = [
            _Place(name, m, self.ref(m), point_spec(name, m)) for name, m in self.points.items()
        ]
        self._decoders = {
            Direction.STATUS: [self._places[name] for name in self.status],
            Direction.COMMAND: [self._places[name] for name in self.commands],
        }
        self._echoes = [self._places[name] for name in self.echoes]
        self.blocks = status_blocks(profile)
        """The status blocks and what proves each alive."""
        self._words = {
            b.name: list(
                dict.fromkeys(
                    self.ref(m)
                    for m in checked_places(profile, profile.validity[b.name])
                    if isinstance(m, OpcUaMapping)
                )
            )
            for b in self.blocks
            if b.proof is Proof.NEVER_ALL_ZERO
        }

    def ref(self, m: OpcUaMapping, identifier: str | None = None) -> NodeRef:
        """The node of ``m`` (or ``identifier`` in its namespace)."""
        ref = NodeRef(m.namespace_uri or self.profile.link.namespace_uri, identifier or m.node)
        return self._nodes.setdefault(ref, ref)

    def _method_calls(self) -> dict[str, MethodCall]:
        calls = {}
        for name, m in self.profile.signals.items():
            method = method_of(m)
            if method is not None:
                obj, target = self.ref(m, method.object), self.ref(m, method.method)
                calls[name] = MethodCall(name, obj, target, tuple(method.arguments))
        return calls

    def nodes(self, direction: Direction = Direction.STATUS) -> list[NodeRef]:
        """Every node carrying a signal of ``direction`` (and, for the status, every point's),
        each once, in profile order."""
        mappings = list(self.commands.values())
        if direction is Direction.STATUS:
            mappings = [*self.status.values(), *self.points.values(), *self.echoes.values()]
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
        status, the points, the derived signals and the status blocks' proofs too."""
        result = Decoded()
        _decode_all(self._decoders[direction], values, result.values, result.problems)
        if direction is Direction.STATUS:
            _decode_all(self._echoes, values, result.points, {})
        if direction is Direction.STATUS and (self.points or self.derived):
            _decode_all(self._points, values, result.points, result.point_problems)
            evaluate(
                self.derived,
                values=result.values,
                problems=result.problems,
                points=result.points,
                point_problems=result.point_problems,
            )
        if direction is Direction.STATUS and self.blocks:
            result.proofs.update(life_proofs(self.blocks, result.values, result.points))
            for name, refs in self._words.items():
                if all(ref in values for ref in refs):
                    result.proofs[name] = any(_not_zero(values[ref]) for ref in refs)
        return result

    def encode(self, values: Mapping[str, Value]) -> list[NodeWrite]:
        """Writes for ``values``: one per node, bit fields of one node merged into one value.

        An array node is written whole: elements not among ``values`` are left at their type's
        zero (the simulator publishes every status element at once, so none are left out).
        """
        merged: dict[NodeRef, NodeWrite] = {}
        arrays: dict[NodeRef, list[bool | int | float]] = {}
        words: dict[NodeRef, int] = {}
        places = self._places
        for name, value in values.items():
            place = places.get(name)
            if place is None:
                if unmapped_optional(self.profile, name) or name in self.method_commands:
                    continue  # no such node (a per-axis enable, a method call): nothing to write
                raise KeyError(name)  # not a signal this codec writes (a derived one, say)
            ref = place.ref
            if place.index is None and place.bits is None:
                merged[ref] = place.write_value(value)
                continue
            raw = place.scaling.to_raw(value)
            if place.index is not None:
                array = arrays.get(ref)
                if array is None:
                    array = arrays[ref] = self._zero_array(ref, place.type)
                array[place.index] = place.variant(raw)
                continue
            if place.bits is not None:
                raw = place.put_bits(words.get(ref, 0), int(raw))
                words[ref] = raw
            merged[ref] = place.write(raw)
        return [*merged.values(), *(NodeWrite(r, a, self._types[r][0]) for r, a in arrays.items())]

    def _zero_array(self, ref: NodeRef, ua_type: str) -> list[bool | int | float]:
        length = self._types[ref][1] or 0
        return [_VARIANTS[RAW_TYPES[ua_type].family](0)] * length


def _not_zero(value: object) -> bool:
    """Whether a node's value has any bit set (an array: any element)."""
    if isinstance(value, list | tuple):
        return any(_not_zero(v) for v in value)
    return bool(value)


_NOT_READ = object()
"""A node that is not among the values read."""


def _by_direction(profile: OpcUaProfile, direction: Direction) -> dict[str, OpcUaMapping]:
    return {
        name: m
        for name, m in profile.signals.items()
        if name in SIGNALS
        and SIGNALS[name].direction is direction
        and derived_text(m) is None
        and method_of(m) is None
    }


class _Place:
    """One signal's (or point's) node and the conversions between its value there and its
    engineering value, worked out once (every scan encodes or decodes every signal)."""

    __slots__ = (
        "_last",
        "_last_put",
        "_last_read",
        "bits",
        "index",
        "mapping",
        "name",
        "raw_type",
        "ref",
        "scaling",
        "type",
        "variant",
    )

    def __init__(self, name: str, m: OpcUaMapping, ref: NodeRef, spec: SignalSpec) -> None:
        self.name = name
        self.mapping = m
        self.ref = ref
        self.scaling = Scaling(m, spec)
        self.type = m.type
        self.raw_type = RAW_TYPES[m.type]
        self.index = m.index
        self.variant = _VARIANTS[self.raw_type.family]
        """``raw`` as the node's variant type carries it."""
        self._last: NodeWrite | None = None
        self._last_put: tuple[Value, NodeWrite] | None = None
        """The last engineering value written whole and its write."""
        self._last_read: tuple[object, Value] | None = None
        """The last node value decoded (a scalar node's) and its engineering value."""
        self.bits: tuple[int, int] | None = None
        if m.bit is not None:
            self.bits = (m.bit, m.bit_width or 1)

    def decode(self, value: object) -> Value:
        """The engineering value in a node's value (the whole array for an array node); a
        scalar node's value that is the very object decoded last decodes as then (a flag's
        True or False: most values of a scan are as in the last)."""
        last = self._last_read
        if last is not None and last[0] is value:
            return last[1]
        if self.index is not None:
            if not isinstance(value, list | tuple):
                raise DecodeError(f"expected an array, got {type(value).__name__}")
            if self.index >= len(value):
                raise DecodeError(
                    f"array has {len(value)} elements, index {self.index} is past its end"
                )
            value = value[self.index]
        raw = _as_raw(value, self.raw_type)
        if self.bits is not None:
            raw = get_bits(int(raw), self.raw_type.bits, *self.bits)
        decoded = self.scaling.to_engineering(raw)
        if self.index is None:  # (an array may change in place: never taken as the last)
            self._last_read = (value, decoded)
        return decoded

    def write(self, raw: Raw) -> NodeWrite:
        """The write of ``raw`` to this node: the last one again while its value is the very
        same object (a flag's True or False: most values of a scan are as in the last)."""
        value = self.variant(raw)
        last = self._last
        if last is None or last.value is not value:
            last = self._last = NodeWrite(self.ref, value, self.type)
        return last

    def write_value(self, value: Value) -> NodeWrite:
        """The write of engineering ``value`` to this (whole, not array or bit field) node: the
        last one again while the value is the same (most values of a scan are as in the last)."""
        last = self._last_put
        if last is not None and type(last[0]) is type(value) and last[0] == value:
            return last[1]
        write = self.write(self.scaling.to_raw(value))
        self._last_put = (value, write)
        return write

    def put_bits(self, word: int, field: int) -> int:
        """``word`` with this signal's bits set to ``field`` (a signed type carries its top bit
        as a negative value)."""
        assert self.bits is not None
        word_type = self.raw_type
        raw = set_bits(word, word_type.bits, *self.bits, field)
        if raw > word_type.maximum:
            raw -= 1 << word_type.bits
        return raw


def _decode_all(
    places: list[_Place],
    values: Mapping[NodeRef, object],
    decoded: dict[str, Value],
    problems: dict[str, str],
) -> None:
    """Decode every place's value into ``decoded``; why any could not be, into ``problems``."""
    for place in places:
        node_value = values.get(place.ref, _NOT_READ)
        try:
            if node_value is _NOT_READ:
                raise DecodeError("was not read")
            decoded[place.name] = place.decode(node_value)
        except CodecError as exc:
            problems[place.name] = f"{place.mapping.place()}: {exc}"


def decode_value(
    name: str, m: OpcUaMapping, value: object, spec: SignalSpec | None = None
) -> Value:
    """Decode one signal (or a point, given its ``spec``) from its node's value (the whole array
    for an array node)."""
    ref = NodeRef(m.namespace_uri or "", m.node)  # (unused here: only the value is decoded)
    return _Place(name, m, ref, spec or SIGNALS[name]).decode(value)


def _as_raw(value: object, raw_type: RawType) -> Raw:
    family = raw_type.family
    if family == "bool" and isinstance(value, bool):
        return value
    if family == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if family == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise DecodeError(f"expected a {raw_type.name}, got {value!r}")


Variant = bool | int | float
"""A scalar value as a node carries it."""

_VARIANTS: Mapping[str, Callable[[Raw], Variant]] = {"bool": bool, "int": int, "float": float}
"""How each raw type family makes a raw value its node's variant."""

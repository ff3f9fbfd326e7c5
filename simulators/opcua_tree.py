"""Where the simulator's OPC UA server puts each node of a profile, so that a generic client
(UaExpert, a node-opcua browser) finds a crane when it browses, not a flat list of tags.

::

    Objects/Crane                        the crane, in the server's own namespace (index 1)
      Plc/Heartbeat, Plc/EStopOk ...     one object per group of canonical signals
      Gantry/Position, Gantry/Speed ...  (AnalogItemType: EngineeringUnits, EURange)
      Trolley/...  Hoist/...  Sway/...
      Spreader/Landed ...                an array node: one variable, one element per corner
      Environment/Wind  Lane/Clear
      Supervisor/Heartbeat  Drives/DrivesEnable
      Points/...                         nodes that carry only the profile's raw points
      <a status word>                    a node whose bits belong to several groups

Each node's group comes from the canonical signals it carries, by their name's prefix
(``hoist.position`` in Hoist, ``env.wind`` in Environment, ``sup.heartbeat`` in Supervisor).
Node ids are exactly the profile's (clients address nodes by id); only the organisation is the
simulator's: HasComponent references from the group objects, browse and display names (the last
member of a string id, ``Position`` or ``ActPos``, else named after the signal) and a
description naming the signals. An object the profile names for a method call sits in the group
of its command (``plc.reset``'s object in Plc), the method under it.

A node is analog when it carries float signals in a measured unit (m, m/s, t) by scale and
offset alone: its ``EngineeringUnits`` are the unit it holds (the canonical unit over the
profile's scale: mm for m with scale 0.001; left out when no UNECE unit fits the scale), its
``EURange`` the signal's plausible range on this crane (:func:`crane_ctrl.quality.crane_ranges`,
else the catalogue's) in those units. Pure: :mod:`simulators.opcua_server` builds it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from crane_ctrl.crane import CraneParams
from crane_ctrl.profile.model import OpcUaMapping
from crane_ctrl.profile.opcua_map import NodeRef, OpcUaCodec
from crane_ctrl.quality import Range, crane_ranges
from crane_ctrl.signals import SIGNALS, Kind, SignalSpec
from crane_ctrl.units import CANONICAL_UNITS, Unit, node_unit

__all__ = ["CRANE", "GROUPS", "POINTS", "Analog", "PlacedNode", "PlacedObject", "Tree", "plan"]

CRANE = "Crane"
"""The browse name of the crane object under Objects, and the root of the group ids."""

GROUPS: Mapping[str, str] = {
    "plc": "Plc",
    "gantry": "Gantry",
    "trolley": "Trolley",
    "hoist": "Hoist",
    "sway": "Sway",
    "spreader": "Spreader",
    "env": "Environment",
    "lane": "Lane",
    "sup": "Supervisor",
    "drives": "Drives",
}
"""The group object of each signal name prefix (another prefix: itself, capitalised)."""

POINTS = "Points"
"""The group of nodes that carry only raw points."""


@dataclass(frozen=True, slots=True)
class Analog:
    """What an analog node declares, in the units it holds."""

    unit: Unit | None
    """Its ``EngineeringUnits``; ``None`` when no known unit fits the profile's scale."""
    low: float
    """``EURange``: the lowest value likely in normal operation."""
    high: float


@dataclass(frozen=True, slots=True)
class PlacedNode:
    """One profile node in the tree."""

    ref: NodeRef
    group: str
    """The group object it is a component of; ``""`` for the crane object itself."""
    name: str
    """Browse and display name."""
    description: str
    analog: Analog | None = None


@dataclass(frozen=True, slots=True)
class PlacedObject:
    """An object the profile names for method calls."""

    ref: NodeRef
    group: str
    name: str


@dataclass(frozen=True, slots=True)
class Tree:
    """Every profile node and method object, placed; the groups in the order they appear."""

    groups: tuple[str, ...]
    nodes: tuple[PlacedNode, ...]
    objects: Mapping[NodeRef, PlacedObject] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Carried:
    """One signal or point a node carries."""

    name: str
    mapping: OpcUaMapping
    spec: SignalSpec | None
    """``None`` for a point."""


def plan(codec: OpcUaCodec, crane: CraneParams | None = None) -> Tree:
    """The tree of ``codec``'s profile; ``crane`` narrows each analog node's range to it."""
    ranges = crane_ranges(crane) if crane is not None else {}
    carried: dict[NodeRef, list[_Carried]] = {}
    for name, m in {**codec.status, **codec.commands}.items():
        carried.setdefault(codec.ref(m), []).append(_Carried(name, m, SIGNALS[name]))
    for name, m in codec.points.items():
        carried.setdefault(codec.ref(m), []).append(_Carried(name, m, None))
    names = _Names()
    nodes = []
    for ref, items in carried.items():
        group = _group(items)
        nodes.append(
            PlacedNode(
                ref,
                group,
                names.take(group, ref, _own_name(ref) or _signal_name(ref, items)),
                "; ".join(_describe(c) for c in items),
                _analog(items, ranges),
            )
        )
    objects: dict[NodeRef, PlacedObject] = {}
    for call in codec.method_commands.values():
        if call.object not in carried and call.object not in objects:
            group = _group_of(call.signal)
            name = names.take(group, call.object, member_name(call.object))
            objects[call.object] = PlacedObject(call.object, group, name)
    used = {n.group for n in nodes} | {o.group for o in objects.values()}
    order = [*GROUPS.values(), POINTS]
    groups = sorted(used - {""}, key=lambda g: (order.index(g) if g in order else len(order), g))
    return Tree(tuple(groups), tuple(nodes), objects)


def member_name(ref: NodeRef) -> str:
    """A method's browse name: the last member of its string id, else the id itself."""
    return _own_name(ref) or ref.identifier


def _group_of(signal: str) -> str:
    prefix = signal.split(".", 1)[0]
    return GROUPS.get(prefix, prefix.capitalize())


def _group(items: list[_Carried]) -> str:
    groups = {_group_of(c.name) for c in items if c.spec is not None}
    if not groups:
        return POINTS
    return groups.pop() if len(groups) == 1 else ""


_MEMBER = re.compile(r'"([^"]*)"|([^."]+)')


def _own_name(ref: NodeRef) -> str | None:
    """The last member of a string id: ``Position`` of ``s=Crane.Hoist.Position``, ``ActPos``
    of ``s="DB_Crane"."Hoist"."ActPos"``; ``None`` for numeric, GUID and opaque ids."""
    kind, _, text = ref.identifier.partition("=")
    if kind != "s":
        return None
    members = [quoted or bare for quoted, bare in _MEMBER.findall(text)]
    return members[-1] if members and members[-1] else None


def _signal_name(ref: NodeRef, items: list[_Carried]) -> str:
    """A name after what the node carries: ``Position``, ``Landed`` for an array of corners;
    the id itself when it carries things of different names (a status word)."""
    names = set()
    for c in items:
        if c.spec is None:
            names.add(c.name)
            continue
        member = c.name.split(".", 1)[1]
        if c.mapping.index is not None:
            member = re.sub(r"_\d+$", "", member)
        names.add("".join(part.capitalize() for part in member.split("_")))
    return names.pop() if len(names) == 1 else ref.identifier


def _describe(c: _Carried) -> str:
    where = ""
    if c.mapping.index is not None:
        where = f"[{c.mapping.index}]"
    elif c.mapping.bit is not None:
        width = c.mapping.bit_width or 1
        where = f" bit {c.mapping.bit}" if width == 1 else f" bits {c.mapping.bit}+{width}"
    if c.spec is None:
        return f"point {c.name}{where}"
    unit = f" ({c.spec.unit})" if c.spec.unit else ""
    return f"{c.name}{where}: {c.spec.meaning}{unit}"


def _analog(items: list[_Carried], ranges: Mapping[str, Range]) -> Analog | None:
    """What the node declares, if every signal it carries is a measured float by scale."""
    units: set[Unit | None] = set()
    lows, highs = [], []
    for c in items:
        spec, m = c.spec, c.mapping
        if spec is None or spec.kind is not Kind.FLOAT or spec.unit not in CANONICAL_UNITS:
            return None
        if m.codes is not None or m.invert or m.bit is not None or m.scale == 0:
            return None
        units.add(node_unit(spec.unit, m.scale))
        low, high = ranges.get(c.name, (spec.minimum, spec.maximum))
        if low is None or high is None:
            return None
        ends = sorted(((low - m.offset) / m.scale, (high - m.offset) / m.scale))
        lows.append(ends[0])
        highs.append(ends[1])
    if len(units) != 1:
        return None
    return Analog(units.pop(), _tidy(min(lows)), _tidy(max(highs)))


def _tidy(x: float) -> float:
    """``x`` without the float noise of the division (-1.2, not -1.2000000000000002)."""
    return float(f"{x:.12g}")


class _Names:
    """Browse names taken in each group: a second node of the same name gets its id added."""

    def __init__(self) -> None:
        self._taken: dict[str, set[str]] = {}

    def take(self, group: str, ref: NodeRef, name: str) -> str:
        taken = self._taken.setdefault(group, set())
        if name in taken:
            name = f"{name} ({ref.identifier})"
        taken.add(name)
        return name

"""Where one container goes: a lane's vehicle deck, or a stack slot and tier; written as text.

A stack slot is addressed on the bay grid (``stack:BAY:ROW:TIER``: bay and row from 1, the
first of the two 20-ft bays for a 40/45-ft box) or by the name a site file gives a slot it
places by its real centre (``stack:NAME:TIER``, e.g. ``stack:A40-2:1``). The tier counts from 1
at the ground; written without it, it is 1.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

__all__ = ["SLOT_NAME", "Area", "Slot", "parse_slot", "slot_text"]

Area = Literal["truck", "agv", "stack"]
"""Where a slot is: a road-truck lane, an AGV lane or the stack."""

SLOT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
"""A named stack slot: a letter, then letters, digits, ``-``, ``_`` or ``.`` (no ``:``)."""
_NUMBER = re.compile(r"[0-9]{1,6}")
"""A bay, row or tier as a slot names it: ASCII digits, no more than any yard has."""


class Slot(NamedTuple):
    """A place for one container: a lane's vehicle deck, or a stack position and tier.

    Build with :meth:`truck`, :meth:`agv`, :meth:`stack` (bay grid) or :meth:`named` (a slot
    the site file places by its centre). ``bay`` is the first 20-ft bay the container occupies;
    ``tier`` counts from 1 at the ground; ``name`` is set for named stack slots only.
    """

    area: Area
    lane: str = ""
    bay: int = 0
    row: int = 0
    tier: int = 1
    name: str = ""

    @classmethod
    def truck(cls, lane: str) -> Slot:
        """The deck of the road truck in ``lane``."""
        return cls("truck", lane=lane)

    @classmethod
    def agv(cls, lane: str) -> Slot:
        """The deck of the AGV in ``lane``."""
        return cls("agv", lane=lane)

    @classmethod
    def stack(cls, bay: int, row: int, tier: int = 1) -> Slot:
        """Stack position ``bay`` (first 20-ft bay), ``row``, ``tier`` (all from 1)."""
        return cls("stack", bay=bay, row=row, tier=tier)

    @classmethod
    def named(cls, name: str, tier: int = 1) -> Slot:
        """Tier ``tier`` of the named stack slot ``name``."""
        return cls("stack", tier=tier, name=name)

    @property
    def ground(self) -> Slot:
        """The same place at tier 1."""
        return self._replace(tier=1)

    def __str__(self) -> str:
        if self.area == "stack" and self.name:
            return f"stack slot {self.name} tier {self.tier}"
        if self.area == "stack":
            return f"stack bay {self.bay} row {self.row} tier {self.tier}"
        return f"{self.area} lane {self.lane}"


def parse_slot(text: str) -> Slot:
    """``truck:T1``, ``agv:A1``, ``stack:BAY:ROW[:TIER]`` or ``stack:NAME[:TIER]`` (tier
    default 1)."""
    parts = text.split(":")
    if parts[0] in ("truck", "agv") and len(parts) == 2 and parts[1]:
        return Slot.truck(parts[1]) if parts[0] == "truck" else Slot.agv(parts[1])
    if parts[0] == "stack" and len(parts) in (3, 4) and all(map(_NUMBER.fullmatch, parts[1:])):
        return Slot.stack(*(int(p) for p in parts[1:]))
    named = len(parts) in (2, 3) and SLOT_NAME.fullmatch(parts[1] if len(parts) > 1 else "")
    if parts[0] == "stack" and named and (len(parts) == 2 or _NUMBER.fullmatch(parts[2])):
        return Slot.named(parts[1], int(parts[2]) if len(parts) == 3 else 1)
    raise ValueError(
        f"slot {text!r} is not truck:LANE, agv:LANE, stack:BAY:ROW[:TIER] or stack:NAME[:TIER] "
        "(e.g. stack:3:2:1, stack:A40-2:1)"
    )


def slot_text(slot: Slot) -> str:
    """A slot as site, scenario and job files write it: ``truck:T1``, ``stack:7:3:1``,
    ``stack:A40-2:1``."""
    if slot.area == "stack" and slot.name:
        return f"stack:{slot.name}:{slot.tier}"
    if slot.area == "stack":
        return f"stack:{slot.bay}:{slot.row}:{slot.tier}"
    return f"{slot.area}:{slot.lane}"

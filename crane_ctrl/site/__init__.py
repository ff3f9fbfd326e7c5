"""The site under one crane: truck lanes, AGV lanes and a stack, and slot addressing.

Coordinates are the crane's (see :mod:`crane_ctrl.crane`): x along the rails (gantry), y across
the span (trolley), z up from the ground. Containers lie with their length along x.

One concept per module: :mod:`~crane_ctrl.site.containers` (sizes and footprints),
:mod:`~crane_ctrl.site.slot` (a slot and how it is written: ``truck:T1``, ``agv:A1``,
``stack:BAY:ROW:TIER`` on a bay grid, ``stack:NAME:TIER`` for a slot placed by its centre),
:mod:`~crane_ctrl.site.lane` (a lane by its real position, with a stop per container size),
:mod:`~crane_ctrl.site.stack` (the bay grid and named slots) and
:mod:`~crane_ctrl.site.layout` (:class:`SiteLayout`, the whole site).

Lanes: a vehicle (road truck trailer or AGV) stands in a lane with its deck centre at the
lane's stop for the container it brings or comes for, or where it is told, anywhere within
``x_min_m .. x_max_m``. A vehicle carries one container (tier 1), centred on its deck.

Stack: where a bay grid fits, rows run along x at a row pitch and 20-ft bays at a bay pitch; a
40/45-ft container takes two adjacent bays. Where it does not (a 20-ft and a 40-ft slot centred
at the same gantry position), the site file lists named slots by their real centres and the
sizes each takes. Either way, what stands where is judged on footprints: a 20-ft and a 40-ft
slot at the same x are the same ground, and a container stands only on one of its own size.
"""

from crane_ctrl.site.containers import (
    CONTAINER_HEIGHT_HC_M,
    CONTAINER_HEIGHT_M,
    CONTAINER_LENGTH_M,
    CONTAINER_SIZES,
    CONTAINER_WIDTH_M,
    Footprint,
    container_length_m,
)
from crane_ctrl.site.lane import Lane
from crane_ctrl.site.layout import SiteLayout
from crane_ctrl.site.slot import Area, Slot, parse_slot, slot_text
from crane_ctrl.site.stack import NamedSlot, SlotRow, StackBlock

__all__ = [
    "CONTAINER_HEIGHT_HC_M",
    "CONTAINER_HEIGHT_M",
    "CONTAINER_LENGTH_M",
    "CONTAINER_SIZES",
    "CONTAINER_WIDTH_M",
    "Area",
    "Footprint",
    "Lane",
    "NamedSlot",
    "SiteLayout",
    "Slot",
    "SlotRow",
    "StackBlock",
    "container_length_m",
    "parse_slot",
    "slot_text",
]

"""Where a hanging box may go straight down: a legal place below it. Pure.

A legal place (:func:`set_down_place`): a stack slot (bay grid or named) whose ground is empty
or topped by one box of the same size centred on the slot, below the top tier, with nothing
else under the box's footprint (footprints, not slot names, decide what is under it); or the
deck of a vehicle in a lane with no box on it (the one the box was lifted from counts as free).
Straight down there breaks no clearance: the box is over that place's support and nothing else
is under its footprint. Used by the wind stop and by the operator's set-down
(:mod:`crane_ctrl.sequencer.wind`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from crane_ctrl.operation.yard_model import Box, Obstacle, YardModel
from crane_ctrl.site import CONTAINER_WIDTH_M, Slot, container_length_m

__all__ = ["SetDownPlace", "set_down_place"]

XY = tuple[float, float]
_TOUCH_M = 1e-6
"""Footprints that only touch do not overlap (numerical zero, not a physical margin)."""


@dataclass(frozen=True, slots=True)
class SetDownPlace:
    """Where the box goes down: the slot, its centre and the twistlock-plane landing height."""

    slot: Slot
    centre: XY
    landing_m: float


def set_down_place(
    yard: YardModel, box: Box, load_xy: XY, tolerance_m: float
) -> SetDownPlace | None:
    """The nearest legal place for ``box`` whose centre is within ``tolerance_m`` (each
    direction) of where the load hangs, or ``None``."""
    found = [p for p in _candidates(yard, box, load_xy) if _within(p.centre, load_xy, tolerance_m)]
    return min(found, key=lambda p: _distance(p.centre, load_xy), default=None)


def _candidates(yard: YardModel, box: Box, load_xy: XY) -> Iterator[SetDownPlace]:
    for ground in yard.site.stack_slots_near(load_xy[0], load_xy[1], box.size_ft):
        place = _stack_place(yard, box, ground)
        if place is not None:
            yield place
    for area, lane in yard.site.lanes():
        slot = Slot(area, lane=lane.id)
        standing = yard.at(slot)
        if slot in yard.vehicles and (standing is None or standing.id == box.id):
            yield SetDownPlace(slot, yard.centre(box, slot), yard.drop_height_m(slot, box))


def _stack_place(yard: YardModel, box: Box, ground: Slot) -> SetDownPlace | None:
    """The slot on top of what stands at ``ground`` if ``box`` may stand there."""
    top_tier = yard.site.stack.max_tiers
    column = [b for b in yard.below(ground._replace(tier=top_tier + 1), box.size_ft)
              if b.id != box.id]  # fmt: skip
    tier = len(column) + 1
    if tier > top_tier or [b.slot.tier for b in column] != list(range(1, tier)):
        return None
    slot = ground._replace(tier=tier)
    if yard.support_problem(slot, box.size_ft, moving=box.id) is not None:
        return None
    centre = yard.centre(box, slot)
    under = [ob for ob in yard.obstacles(exclude=box.id) if _overlaps(ob, box, centre)]
    if column:
        if len(under) != 1 or under[0].top_m > _top(yard, column[-1]):
            return None
    elif under:
        return None
    return SetDownPlace(slot, centre, yard.drop_height_m(slot, box))


def _top(yard: YardModel, box: Box) -> float:
    return yard.pick_height_m(box) + _TOUCH_M


def _overlaps(ob: Obstacle, box: Box, centre: XY) -> bool:
    half_l, half_w = container_length_m(box.size_ft) / 2, CONTAINER_WIDTH_M / 2
    return (
        ob.x_min < centre[0] + half_l - _TOUCH_M
        and ob.x_max > centre[0] - half_l + _TOUCH_M
        and ob.y_min < centre[1] + half_w - _TOUCH_M
        and ob.y_max > centre[1] - half_w + _TOUCH_M
    )


def _within(a: XY, b: XY, tolerance_m: float) -> bool:
    return abs(a[0] - b[0]) <= tolerance_m and abs(a[1] - b[1]) <= tolerance_m


def _distance(a: XY, b: XY) -> float:
    return float(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5)

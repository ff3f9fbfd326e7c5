"""What the supervisor believes stands where: the yard inventory a terminal system would supply.

Pure bookkeeping over the site layout: which container is in which slot, how high each stack
column is, where a job's spreader must land, and the obstacles under a path (for the clearance
height of travel). It is updated when a job picks or sets down a container, never from sensors:
the sensors (landing pins, load cell) confirm each step instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from crane_ctrl.site import (
    CONTAINER_HEIGHT_HC_M,
    CONTAINER_HEIGHT_M,
    CONTAINER_WIDTH_M,
    SiteLayout,
    Slot,
    container_length_m,
)

__all__ = ["Box", "Obstacle", "YardModel"]


@dataclass(frozen=True, slots=True)
class Box:
    """One container as the yard inventory knows it."""

    id: str
    size_ft: int
    slot: Slot
    mass_t: float | None = None
    high_cube: bool = False

    @property
    def height_m(self) -> float:
        return CONTAINER_HEIGHT_HC_M if self.high_cube else CONTAINER_HEIGHT_M


@dataclass(frozen=True, slots=True)
class Obstacle:
    """Something standing up from the ground: a footprint and the height of its top."""

    x_min: float
    x_max: float
    y_min: float
    y_max: float
    top_m: float

    def under(self, x0: float, y0: float, x1: float, y1: float, margin_m: float) -> bool:
        """Whether the straight segment (x0,y0)-(x1,y1), widened by ``margin_m``, crosses it."""
        lo_x, hi_x = min(x0, x1) - margin_m, max(x0, x1) + margin_m
        lo_y, hi_y = min(y0, y1) - margin_m, max(y0, y1) + margin_m
        return (
            lo_x <= self.x_max and self.x_min <= hi_x and lo_y <= self.y_max and self.y_min <= hi_y
        )


class YardModel:
    """The inventory: boxes by slot, vehicles by lane."""

    def __init__(
        self, site: SiteLayout, boxes: Iterable[Box] = (), vehicles: Iterable[Slot] = ()
    ) -> None:
        self.site = site
        self.boxes: dict[str, Box] = {b.id: b for b in boxes}
        self.vehicles: set[Slot] = {Slot(v.area, lane=v.lane) for v in vehicles}
        self.vehicles |= {Slot(b.slot.area, lane=b.slot.lane) for b in self.boxes.values()
                          if b.slot.area != "stack"}  # fmt: skip

    def at(self, slot: Slot) -> Box | None:
        for box in self.boxes.values():
            if box.slot == slot:
                return box
        return None

    def below(self, slot: Slot) -> list[Box]:
        """The boxes under ``slot`` in its stack column (tiers 1 .. slot.tier-1)."""
        if slot.area != "stack":
            return []
        column = [
            b
            for b in self.boxes.values()
            if b.slot.area == "stack"
            and (b.slot.bay, b.slot.row) == (slot.bay, slot.row)
            and b.slot.tier < slot.tier
        ]
        return sorted(column, key=lambda b: b.slot.tier)

    def floor_m(self, slot: Slot) -> float:
        """Height of the surface a container in ``slot`` stands on (ground, deck, box below)."""
        return self.site.base_height(slot) + sum(b.height_m for b in self.below(slot))

    def pick_height_m(self, box: Box) -> float:
        """Twistlock-plane height of the spreader landed on ``box`` where it stands."""
        return self.floor_m(box.slot) + box.height_m

    def drop_height_m(self, slot: Slot, box: Box) -> float:
        """Twistlock-plane height of the spreader when ``box`` is set down in ``slot``."""
        return self.floor_m(slot) + box.height_m

    def centre(self, box: Box, slot: Slot | None = None) -> tuple[float, float]:
        return self.site.slot_centre(slot or box.slot, box.size_ft)

    def move(self, box_id: str, to: Slot) -> Box:
        """Record that the box now stands in ``to`` (after a confirmed set-down)."""
        box = replace(self.boxes[box_id], slot=to)
        self.boxes[box_id] = box
        return box

    def lift(self, box_id: str) -> Box:
        """Take the box out of the inventory: it hangs on the spreader with no job to say where
        it goes (a cancelled or taken-over job); it is placed again by hand."""
        return self.boxes.pop(box_id)

    def obstacles(self, exclude: str | None = None) -> Iterator[Obstacle]:
        """Stack columns and vehicles with what they carry, as footprints with tops; ``exclude``
        a box (the one on the spreader)."""
        tops: dict[tuple[str, int, int, str], Obstacle] = {}
        for box in self.boxes.values():
            if box.id == exclude:
                continue
            x, y = self.centre(box)
            half_l, half_w = container_length_m(box.size_ft) / 2, CONTAINER_WIDTH_M / 2
            top = self.pick_height_m(box)
            key = (box.slot.area, box.slot.bay, box.slot.row, box.slot.lane)
            old = tops.get(key)
            if old is None or top > old.top_m:
                tops[key] = Obstacle(x - half_l, x + half_l, y - half_w, y + half_w, top)
        yield from tops.values()
        for vehicle in self.vehicles:
            lane = self.site.lane(vehicle.area, vehicle.lane)
            deck = self.site.base_height(vehicle)
            half_l, half_w = lane.deck_length_m / 2, CONTAINER_WIDTH_M / 2
            x, y = lane.stop_x_m, lane.y_m
            yield Obstacle(x - half_l, x + half_l, y - half_w, y + half_w, deck)

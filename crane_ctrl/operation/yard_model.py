"""What the supervisor believes stands where: the yard inventory a terminal system would supply.

Pure bookkeeping over the site layout: which container is in which slot, how high each stack
column is, where a job's spreader must land, and the obstacles under a path (for the clearance
height of travel). It is updated when a job picks or sets down a container, never from sensors:
the sensors (landing pins, load cell) confirm each step instead.

What is in whose way is judged on footprints (x and y extent), never on slot names or bay
numbers: two stack containers whose footprints overlap at the same tier take the same place (a
20-ft and a 40-ft slot centred at the same x are one stack position), and a container stands only
on one container of its own size centred under it (:meth:`YardModel.support_problem`): a 40-ft
box on a single 20-ft one would rest on air at both ends. Each vehicle stands where it was told,
else at its lane's stop for the container it carries (:attr:`YardModel.vehicle_x`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from crane_ctrl.site import (
    CONTAINER_HEIGHT_HC_M,
    CONTAINER_HEIGHT_M,
    CONTAINER_WIDTH_M,
    Footprint,
    SiteLayout,
    Slot,
)
from crane_ctrl.site.containers import TOUCH_M

__all__ = ["Box", "InHand", "Obstacle", "YardModel"]


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
class InHand:
    """The box the crane has in hand: a job's, from its start until it ends (the box still booked
    to its slot until the set-down moves it), or one left hanging on the spreader with no job
    (:meth:`YardModel.lift`: out of the slots). Kept with the inventory, so a station started
    again after a kill knows which box may hang on the spreader, and which job had it."""

    box: Box
    """The box, as the yard had it (its slot: where the job took it from)."""
    job: str = ""
    """The job moving it ("": none, it hangs out of the slots)."""
    to: Slot | None = None
    """Where the job was taking it."""


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
    """The inventory: boxes by slot, vehicles by lane (with where each stands along x)."""

    def __init__(
        self,
        site: SiteLayout,
        boxes: Iterable[Box] = (),
        vehicles: Iterable[Slot] = (),
        *,
        vehicle_x: Mapping[str, float] | None = None,
    ) -> None:
        self.site = site
        self.boxes: dict[str, Box] = {b.id: b for b in boxes}
        self.vehicles: set[Slot] = {Slot(v.area, lane=v.lane) for v in vehicles}
        self.vehicles |= {Slot(b.slot.area, lane=b.slot.lane) for b in self.boxes.values()
                          if b.slot.area != "stack"}  # fmt: skip
        given = vehicle_x or {}
        self.vehicle_x: dict[str, float] = {
            v.lane: given[v.lane] if v.lane in given else self._stop_x(v) for v in self.vehicles
        }
        """Deck centre x of the vehicle in each lane, m: as given, else the lane's stop for the
        container it carries (or its default stop when it stands empty)."""
        self._footprints: dict[tuple[Slot, int], Footprint] = {}
        self.in_hand: InHand | None = None
        """The box the crane has in hand, if any (:class:`InHand`)."""
        self.on_change: Callable[[YardModel], None] | None = None
        """Told after every change (:meth:`move`, :meth:`lift`): the station's host writes the
        inventory down, so a restart knows it (:mod:`crane_ctrl.operation.yard_inventory`)."""

    def _stop_x(self, vehicle: Slot) -> float:
        lane = self.site.lane(vehicle.area, vehicle.lane)
        on_it = self.at(vehicle)
        return lane.stop_x(None if on_it is None else on_it.size_ft)

    def at(self, slot: Slot) -> Box | None:
        for box in self.boxes.values():
            if box.slot == slot:
                return box
        return None

    # --- footprints -----------------------------------------------------------------------------

    def footprint(self, slot: Slot, size_ft: int) -> Footprint:
        """The ground a ``size_ft`` container in ``slot`` covers (on a lane: on its vehicle)."""
        key = (slot, size_ft)
        found = self._footprints.get(key)
        if found is None:
            x = None if slot.area == "stack" else self.vehicle_x.get(slot.lane)
            found = self._footprints[key] = self.site.footprint(slot, size_ft, vehicle_x_m=x)
        return found

    def in_stack_at(self, slot: Slot, size_ft: int, tier: int) -> list[Box]:
        """The stack boxes at ``tier`` whose footprints overlap a ``size_ft`` box in ``slot``."""
        if slot.area != "stack":
            return []
        mine = self.footprint(slot, size_ft)
        return [
            b for b in self.boxes.values()
            if b.slot.area == "stack" and b.slot.tier == tier
            and self.footprint(b.slot, b.size_ft).overlaps(mine)
        ]  # fmt: skip

    def below(self, slot: Slot, size_ft: int) -> list[Box]:
        """The boxes under a ``size_ft`` box in ``slot``: stack boxes whose footprints overlap
        it at a lower tier, lowest first."""
        if slot.area != "stack":
            return []
        mine = self.footprint(slot, size_ft)
        column = [
            b for b in self.boxes.values()
            if b.slot.area == "stack" and b.slot.tier < slot.tier
            and self.footprint(b.slot, b.size_ft).overlaps(mine)
        ]  # fmt: skip
        return sorted(column, key=lambda b: b.slot.tier)

    def occupant(self, slot: Slot, size_ft: int, *, moving: str | None = None) -> Box | None:
        """A box that takes the place a ``size_ft`` box in ``slot`` would: the one on the
        vehicle, or a stack box overlapping it at the same tier (``moving``: the box being
        moved, which leaves its place)."""
        if slot.area != "stack":
            box = self.at(Slot(slot.area, lane=slot.lane))
            return None if box is None or box.id == moving else box
        others = (b for b in self.in_stack_at(slot, size_ft, slot.tier) if b.id != moving)
        return next(others, None)

    def support_problem(self, slot: Slot, size_ft: int, *, moving: str | None = None) -> str | None:
        """Why a ``size_ft`` box cannot stand in stack ``slot`` above tier 1, or ``None``: it
        stands on exactly one box of its own size centred under it (``moving``: the box being
        moved, which is no support)."""
        if slot.area != "stack" or slot.tier == 1:
            return None
        under = [b for b in self.in_stack_at(slot, size_ft, slot.tier - 1) if b.id != moving]
        if not under:
            return f"nothing to stack on (tier {slot.tier - 1} under it is empty)"
        if len(under) > 1:
            names = ", ".join(f"{b.id} at {b.slot}" for b in under)
            return (
                f"a {size_ft}-ft container would rest on {len(under)} containers ({names}): a "
                "container stands on one container of its own size, centred under it"
            )
        return self._on_one(self.footprint(slot, size_ft), size_ft, under[0])

    def _on_one(self, mine: Footprint, size_ft: int, box: Box) -> str | None:
        theirs = self.footprint(box.slot, box.size_ft)
        where = f"{box.size_ft}-ft container {box.id} at {box.slot}"
        if size_ft > box.size_ft:
            ends = (mine.x_min < theirs.x_min - TOUCH_M) + (mine.x_max > theirs.x_max + TOUCH_M)
            air = "both ends" if ends == 2 else "one end"
            return f"a {size_ft}-ft container cannot stand on the single {where}: it would " \
                f"rest on air at {air}"  # fmt: skip
        if size_ft < box.size_ft:
            return (
                f"a {size_ft}-ft container cannot stand on the {where}: its corners would land "
                "on that box's roof, not on its corner castings"
            )
        (x, y), (bx, by) = mine.centre, theirs.centre
        if abs(x - bx) > TOUCH_M or abs(y - by) > TOUCH_M:
            return (
                f"not centred on container {box.id} at {box.slot} ({x - bx:+.2f} m along x, "
                f"{y - by:+.2f} m along y): its corners would miss the castings"
            )
        return None

    # --- heights --------------------------------------------------------------------------------

    def floor_m(self, slot: Slot, size_ft: int) -> float:
        """Height of the surface a ``size_ft`` container in ``slot`` stands on (ground, deck,
        the highest box under it)."""
        return self._floor(slot, size_ft, {})

    def _floor(self, slot: Slot, size_ft: int, tops: dict[str, float]) -> float:
        base = self.site.base_height(slot)
        return max([base, *(self._top(b, tops) for b in self.below(slot, size_ft))])

    def _top(self, box: Box, tops: dict[str, float]) -> float:
        top = tops.get(box.id)
        if top is None:
            top = tops[box.id] = self._floor(box.slot, box.size_ft, tops) + box.height_m
        return top

    def pick_height_m(self, box: Box) -> float:
        """Twistlock-plane height of the spreader landed on ``box`` where it stands."""
        return self.floor_m(box.slot, box.size_ft) + box.height_m

    def drop_height_m(self, slot: Slot, box: Box) -> float:
        """Twistlock-plane height of the spreader when ``box`` is set down in ``slot``."""
        return self.floor_m(slot, box.size_ft) + box.height_m

    def centre(self, box: Box, slot: Slot | None = None) -> tuple[float, float]:
        return self.footprint(slot or box.slot, box.size_ft).centre

    # --- changes --------------------------------------------------------------------------------

    def move(self, box_id: str, to: Slot) -> Box:
        """Record that the box now stands in ``to`` (after a confirmed set-down)."""
        box = replace(self.boxes[box_id], slot=to)
        self.boxes[box_id] = box
        if self.in_hand is not None and self.in_hand.box.id == box_id:
            self.in_hand = None
        self._changed()
        return box

    def lift(self, box_id: str) -> Box:
        """Take the box out of the inventory: it hangs on the spreader with no job to say where
        it goes (a cancelled or taken-over job); it is placed again by hand."""
        box = self.boxes.pop(box_id)
        self.in_hand = InHand(box)
        self._changed()
        return box

    def take_in_hand(self, box_id: str, job: str, to: Slot) -> None:
        """Job ``job`` starts to move the box to ``to`` (it stays booked to its slot)."""
        self.in_hand = InHand(self.boxes[box_id], job, to)
        self._changed()

    def out_of_hand(self) -> None:
        """The crane has no box in hand any more (the job ended with the box where the yard
        has it; a hanging box set down by hand, out of the slots until placed)."""
        if self.in_hand is not None:
            self.in_hand = None
            self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self)

    # --- obstacles ------------------------------------------------------------------------------

    def obstacles(self, exclude: str | None = None) -> Iterator[Obstacle]:
        """Stack columns and vehicles with what they carry, as footprints with tops; ``exclude``
        a box (the one on the spreader)."""
        tops: dict[str, float] = {}
        highest: dict[tuple[str, str, Footprint], Obstacle] = {}
        for box in self.boxes.values():
            if box.id == exclude:
                continue
            f = self.footprint(box.slot, box.size_ft)
            top = self._top(box, tops)
            key = (box.slot.area, box.slot.lane, f)
            old = highest.get(key)
            if old is None or top > old.top_m:
                highest[key] = Obstacle(f.x_min, f.x_max, f.y_min, f.y_max, top)
        yield from highest.values()
        for vehicle in self.vehicles:
            lane = self.site.lane(vehicle.area, vehicle.lane)
            deck = self.site.base_height(vehicle)
            half_l, half_w = lane.deck_length_m / 2, CONTAINER_WIDTH_M / 2
            x, y = self.vehicle_x[vehicle.lane], lane.y_m
            yield Obstacle(x - half_l, x + half_l, y - half_w, y + half_w, deck)

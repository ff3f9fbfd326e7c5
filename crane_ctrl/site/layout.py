"""The site under one crane: its lanes and its stack, and where a container in a slot stands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crane_ctrl.config.messages import close_matches
from crane_ctrl.errors import SettingsError
from crane_ctrl.site.containers import TOUCH_M, Footprint, container_length_m
from crane_ctrl.site.lane import Lane
from crane_ctrl.site.slot import Area, Slot
from crane_ctrl.site.stack import StackBlock

__all__ = ["SiteLayout"]

_CONFIG = ConfigDict(strict=True, frozen=True, extra="forbid")


def _truck_lane(lane_id: str, y_m: float) -> Lane:
    return Lane(id=lane_id, y_m=y_m, deck_height_m=1.4, x_min_m=15.0, x_max_m=290.0, stop_x_m=30.0)


def _default_truck_lanes() -> tuple[Lane, ...]:
    return (_truck_lane("T1", 2.0), _truck_lane("T2", 5.5))


def _default_agv_lanes() -> tuple[Lane, ...]:
    return (
        Lane(
            id="A1",
            y_m=10.5,
            deck_height_m=1.6,
            x_min_m=15.0,
            x_max_m=290.0,
            stop_x_m=30.0,
            deck_length_m=14.8,
            deck_width_m=2.6,
        ),
    )


def _lane_on_the_stack(
    lane: Lane, deck: Footprint, what: str, ground: Footprint, default: bool
) -> str:
    across = min(deck.y_max, ground.y_max) - max(deck.y_min, ground.y_min)
    along = min(deck.x_max, ground.x_max) - max(deck.x_min, ground.x_min)
    which = f"default lane {lane.id} (the file lists no lanes)" if default else f"lane {lane.id}"
    fix = (
        "list the yard's lanes ([[site.truck_lanes]], [[site.agv_lanes]]), or move the stack"
        if default
        else "move the lane (y_m, or x_min_m/x_max_m), narrow its deck_width_m, or move the stack"
    )
    return (
        f"{which}: its vehicles' decks ({_area(deck)}) overlap stack {what} ({_area(ground)}) "
        f"by {across:.2f} m across and {along:.2f} m along the rails: a vehicle there would "
        f"stand in the stack; {fix}"
    )


def _area(ground: Footprint) -> str:
    return f"y {ground.y_min:.2f}..{ground.y_max:.2f} m, x {ground.x_min:.2f}..{ground.x_max:.2f} m"


class SiteLayout(BaseModel):
    """Lanes and stack under one crane (default: a border-gate ARMG).

    The default: two truck lanes under the 8 m cantilever (y 2.0 and 5.5 m), one AGV lane just
    inside the landside rail (y 10.5 m), and a block of 20 bays x 6 rows x 5 tiers starting at
    x 40 m, rows from y 14.0 m. Vehicles stop at x 30 m by default. A site that lists lanes of
    either kind has exactly the lanes it lists (truck lanes only: no AGV lane, and the other
    way round); the default lanes are for a site that lists none.

    No lane's decks may stand on the stack's ground (a row of the bay grid, a named slot).
    """

    model_config = _CONFIG

    name: str = "border-gate ARMG"
    """A name for messages."""
    truck_lanes: tuple[Lane, ...] = Field(default_factory=_default_truck_lanes, strict=False)
    """Road-truck lanes (a list is accepted so sites load from TOML/JSON)."""
    agv_lanes: tuple[Lane, ...] = Field(default_factory=_default_agv_lanes, strict=False)
    """AGV lanes."""
    stack: StackBlock = Field(default_factory=StackBlock)
    """The stack: a bay grid and/or named slots."""

    @model_validator(mode="before")
    @classmethod
    def _listed_lanes_only(cls, data: Any) -> Any:
        """A site that lists lanes of one kind has none of the other unless it lists them."""
        listed = isinstance(data, Mapping) and ("truck_lanes" in data or "agv_lanes" in data)
        if not listed:
            return data
        return {"truck_lanes": (), "agv_lanes": (), **data}

    @model_validator(mode="after")
    def _lanes_off_the_stack(self) -> Self:
        problems: list[tuple[tuple[str, ...], str]] = []
        for key, lanes in (("truck_lanes", self.truck_lanes), ("agv_lanes", self.agv_lanes)):
            for i, lane in enumerate(lanes):
                problem = self._on_the_stack(lane)
                if problem is not None:
                    problems.append(((key, str(i), "y_m"), problem))
        if problems:
            raise SettingsError(problems)
        return self

    def _on_the_stack(self, lane: Lane) -> str | None:
        """What of the stack's ground ``lane``'s decks would stand on, with the fix."""
        deck = lane.deck_ground()
        for what, ground in self.stack.grounds():
            if deck.overlaps(ground):
                return _lane_on_the_stack(lane, deck, what, ground, self.default_lanes)
        return None

    @model_validator(mode="after")
    def _unique_lanes(self) -> Self:
        ids = [lane.id for lane in (*self.truck_lanes, *self.agv_lanes)]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if not duplicates:
            return self
        message = f"lane ids must be unique; repeated: {', '.join(duplicates)}"
        seen: set[str] = set()
        problems = []
        for key, lanes in (("truck_lanes", self.truck_lanes), ("agv_lanes", self.agv_lanes)):
            for i, lane in enumerate(lanes):
                if lane.id in seen:
                    problems.append(((key, str(i), "id"), message))
                seen.add(lane.id)
        raise SettingsError(problems)

    @property
    def default_lanes(self) -> bool:
        """Whether the lanes are the default ones (the site lists none)."""
        return not {"truck_lanes", "agv_lanes"} & self.model_fields_set

    # --- lanes ----------------------------------------------------------------------------------

    def lanes(self) -> tuple[tuple[Area, Lane], ...]:
        """Every lane with its area, truck lanes first."""
        trucks: tuple[tuple[Area, Lane], ...] = tuple(("truck", lane) for lane in self.truck_lanes)
        agvs: tuple[tuple[Area, Lane], ...] = tuple(("agv", lane) for lane in self.agv_lanes)
        return trucks + agvs

    def lane(self, area: Area, lane_id: str) -> Lane:
        """The lane ``lane_id`` of ``area``; ``KeyError`` lists the lanes that exist."""
        lanes = self.truck_lanes if area == "truck" else self.agv_lanes
        for lane in lanes:
            if lane.id == lane_id:
                return lane
        known = ", ".join(lane.id for lane in lanes) or "none"
        raise KeyError(f"site {self.name!r} has no {area} lane {lane_id!r} (known: {known})")

    # --- slots ----------------------------------------------------------------------------------

    def check_slot(self, slot: Slot, size_ft: int) -> None:
        """Raise ``ValueError`` (or ``KeyError`` for a lane) unless ``slot`` can hold the size."""
        container_length_m(size_ft)
        if slot.area != "stack":
            self.lane(slot.area, slot.lane)
            if slot.tier != 1:
                raise ValueError(f"{slot}: a vehicle carries one container (tier 1)")
            return
        if slot.name:
            self._check_named(slot, size_ft)
        elif not self.stack.has_grid:
            example = next(iter(self.stack.named_slots()), "NAME")
            raise ValueError(
                f"{slot}: site {self.name!r} has no bay grid; name its stack slots "
                f"(e.g. stack:{example}:1)"
            )
        elif not self.stack.holds(slot.bay, slot.row, size_ft):
            raise ValueError(f"{slot}: a {size_ft}-ft container does not fit in the block")
        if not 1 <= slot.tier <= self.stack.max_tiers:
            raise ValueError(f"{slot}: tier must be 1..{self.stack.max_tiers}")

    def _check_named(self, slot: Slot, size_ft: int) -> None:
        named = self.stack.named(slot.name)
        if named is None:
            names = list(self.stack.named_slots())
            close = close_matches(slot.name, names, n=1, cutoff=0.6)
            hint = f'did you mean "{close[0]}"? ' if close else ""
            shown = ", ".join(names[:12]) + (" ..." if len(names) > 12 else "")
            raise ValueError(
                f"{slot}: site {self.name!r} has no stack slot {slot.name!r}; {hint}"
                f"slots: {shown or 'none (the stack is a bay grid: stack:BAY:ROW:TIER)'}"
            )
        if size_ft not in named.sizes:
            takes = " or ".join(f"{s}-ft" for s in named.sizes)
            raise ValueError(f"{slot}: slot {slot.name} takes {takes} containers, not {size_ft} ft")

    def slot_centre(
        self, slot: Slot, size_ft: int, *, vehicle_x_m: float | None = None
    ) -> tuple[float, float]:
        """(x, y) of a ``size_ft`` container's centre in ``slot``; on a lane, the vehicle's deck
        centre (``vehicle_x_m``, else the lane's stop for that size)."""
        if slot.area == "stack" and slot.name:
            named = self.stack.named(slot.name)
            if named is None:
                raise KeyError(f"site {self.name!r} has no stack slot {slot.name!r}")
            return named.x_m, named.y_m
        if slot.area == "stack":
            return self.stack.centre(slot.bay, slot.row, size_ft)
        lane = self.lane(slot.area, slot.lane)
        return (lane.stop_x(size_ft) if vehicle_x_m is None else vehicle_x_m), lane.y_m

    def footprint(self, slot: Slot, size_ft: int, *, vehicle_x_m: float | None = None) -> Footprint:
        """The ground a ``size_ft`` container in ``slot`` covers."""
        return Footprint.of_box(*self.slot_centre(slot, size_ft, vehicle_x_m=vehicle_x_m), size_ft)

    def base_height(self, slot: Slot) -> float:
        """Height of the ground (stack) or vehicle deck (lanes) under tier 1 of ``slot``, m."""
        if slot.area == "stack":
            return self.stack.ground_height_m
        return self.lane(slot.area, slot.lane).deck_height_m

    def stack_slots_near(self, x: float, y: float, size_ft: int) -> list[Slot]:
        """The stack slots (tier 1) a ``size_ft`` container hanging at (x, y) could go down
        into: the nearest bay-grid position inside the grid, and every named slot taking it."""
        found = []
        if self.stack.has_grid:
            bay, row = self.stack.nearest(x, y, size_ft)
            if self.stack.holds(bay, row, size_ft):
                found.append(Slot.stack(bay, row))
        found += [
            Slot.named(s.name) for s in self.stack.named_slots().values() if size_ft in s.sizes
        ]
        return found

    def stack_slot_at(self, x: float, y: float, size_ft: int, tolerance_m: float) -> Slot | None:
        """The stack slot (tier 1) whose centre is within ``tolerance_m`` of (x, y), if any."""
        best: tuple[float, Slot] | None = None
        for slot in self.stack_slots_near(x, y, size_ft):
            cx, cy = self.slot_centre(slot, size_ft)
            off = max(abs(x - cx), abs(y - cy))
            if off <= tolerance_m and (best is None or off < best[0]):
                best = (off, slot)
        return None if best is None else best[1]

    def shares_place(self, a: Slot, a_ft: int, b: Slot, b_ft: int) -> bool:
        """Whether a ``a_ft`` box in ``a`` and a ``b_ft`` box in ``b`` would be in each other's
        way: the same vehicle, or stack footprints that overlap at the same tier."""
        if a.area != b.area:
            return False
        if a.area != "stack":
            return a.lane == b.lane
        if a.tier != b.tier:
            return False
        return self.footprint(a, a_ft).overlaps(self.footprint(b, b_ft))

    def reach_problems(
        self, gantry_travel_m: float, trolley_travel_m: float
    ) -> list[tuple[tuple[str, ...], str]]:
        """Each lane and stack slot a crane of this travel cannot reach, with its key path."""

        def inside(value: float, travel: float) -> bool:
            return -TOUCH_M <= value <= travel + TOUCH_M

        problems: list[tuple[tuple[str, ...], str]] = []
        for key, lanes in (("truck_lanes", self.truck_lanes), ("agv_lanes", self.agv_lanes)):
            for i, lane in enumerate(lanes):
                xs = (lane.x_min_m, lane.x_max_m)
                if not inside(lane.y_m, trolley_travel_m) or not all(
                    inside(x, gantry_travel_m) for x in xs
                ):
                    where = f"lane {lane.id} (y {lane.y_m} m, x {lane.x_min_m}..{lane.x_max_m} m)"
                    problems.append(((key, str(i)), where))
        for what, x, y in self.stack.centres():
            if not (inside(x, gantry_travel_m) and inside(y, trolley_travel_m)):
                problems.append((("stack",), f"stack {what} (x {x} m, y {y} m)"))
        return problems

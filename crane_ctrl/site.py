"""The site under one crane: truck lanes, AGV lanes and a stack block, and slot addressing.

Coordinates are the crane's (see :mod:`crane_ctrl.crane`): x along the rails (gantry), y across
the span (trolley), z up from the ground. Containers lie with their length along x.

Stack addressing: rows run along x at a row pitch across y; bays are 20-ft bays at a bay pitch
along x. A 20-ft container occupies one bay; a 40-ft or 45-ft container occupies two adjacent
20-ft bays and is addressed by the first of them (``bay`` and ``bay + 1``), centred between the
two. A 45-ft container overhangs that pair (13.716 m against 12.192 m) and can touch a container
in the neighbouring bay: keep 45-ft boxes where their neighbours allow it, as real blocks do.

Lanes: a vehicle (road truck trailer or AGV) stands in a lane with its deck centre at the lane's
``stop_x_m`` unless told otherwise, anywhere within ``x_min_m .. x_max_m``. A vehicle carries one
container (tier 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, NamedTuple, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "CONTAINER_HEIGHT_HC_M",
    "CONTAINER_HEIGHT_M",
    "CONTAINER_LENGTH_M",
    "CONTAINER_SIZES",
    "CONTAINER_WIDTH_M",
    "Area",
    "Lane",
    "SiteLayout",
    "Slot",
    "StackBlock",
    "container_length_m",
    "parse_slot",
]

CONTAINER_SIZES: tuple[int, ...] = (20, 40, 45)
"""ISO container lengths in feet that the spreader handles."""
CONTAINER_LENGTH_M: Mapping[int, float] = MappingProxyType({20: 6.058, 40: 12.192, 45: 13.716})
"""External length of a container by size in feet, m."""
CONTAINER_WIDTH_M = 2.438
"""External width of every ISO container, m."""
CONTAINER_HEIGHT_M = 2.591
"""Standard container height (8'6"), m."""
CONTAINER_HEIGHT_HC_M = 2.896
"""High-cube container height (9'6"), m."""

Area = Literal["truck", "agv", "stack"]
"""Where a slot is: a road-truck lane, an AGV lane or the stack block."""

_CONFIG = ConfigDict(strict=True, frozen=True, extra="forbid")


def container_length_m(size_ft: int) -> float:
    """The external length of a ``size_ft`` container, m; ``ValueError`` for unknown sizes."""
    try:
        return CONTAINER_LENGTH_M[size_ft]
    except KeyError:
        raise ValueError(f"container size must be 20, 40 or 45 ft, not {size_ft!r}") from None


class Slot(NamedTuple):
    """A place for one container: a lane's vehicle deck, or a stack position and tier.

    Build with :meth:`truck`, :meth:`agv` or :meth:`stack`. ``bay`` is the first 20-ft bay the
    container occupies (see the module docstring); ``tier`` counts from 1 at the ground.
    """

    area: Area
    lane: str = ""
    bay: int = 0
    row: int = 0
    tier: int = 1

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

    def __str__(self) -> str:
        if self.area == "stack":
            return f"stack bay {self.bay} row {self.row} tier {self.tier}"
        return f"{self.area} lane {self.lane}"


def parse_slot(text: str) -> Slot:
    """``truck:T1``, ``agv:A1`` or ``stack:BAY:ROW:TIER`` (tier optional, default 1)."""
    parts = text.split(":")
    if parts[0] in ("truck", "agv") and len(parts) == 2 and parts[1]:
        return Slot.truck(parts[1]) if parts[0] == "truck" else Slot.agv(parts[1])
    if parts[0] == "stack" and len(parts) in (3, 4) and all(p.isdigit() for p in parts[1:]):
        return Slot.stack(*(int(p) for p in parts[1:]))
    raise ValueError(
        f"slot {text!r} is not truck:LANE, agv:LANE or stack:BAY:ROW[:TIER] (e.g. stack:3:2:1)"
    )


class Lane(BaseModel):
    """A lane under the crane where a road truck or an AGV stands."""

    model_config = _CONFIG

    id: str = Field(min_length=1)
    """Lane name, unique on the site (e.g. ``T1``)."""
    y_m: float
    """Trolley coordinate of the lane centre, m."""
    deck_height_m: float = Field(gt=0)
    """Height of the vehicle's deck (container underside) above ground, m (A)."""
    x_min_m: float
    """Lowest gantry coordinate of a vehicle's deck centre in this lane, m."""
    x_max_m: float
    """Highest gantry coordinate of a vehicle's deck centre in this lane, m."""
    stop_x_m: float
    """The marked stop position: where a vehicle's deck centre stands by default, m."""
    deck_length_m: float = Field(default=13.6, gt=0)
    """Length of the vehicle's deck along x, m (A)."""
    deck_width_m: float = Field(default=2.5, gt=0)
    """Width of the vehicle's deck along y, m (A)."""

    @model_validator(mode="after")
    def _stop_in_range(self) -> Self:
        if not self.x_min_m <= self.stop_x_m <= self.x_max_m:
            raise ValueError(
                f"lane {self.id}: stop_x_m {self.stop_x_m} must lie in "
                f"x_min_m..x_max_m ({self.x_min_m}..{self.x_max_m})"
            )
        return self


class StackBlock(BaseModel):
    """A block of ``bays`` x ``rows`` ground slots, stacked up to ``max_tiers`` high."""

    model_config = _CONFIG

    bays: int = Field(default=20, gt=0)
    """Number of 20-ft bays along x."""
    rows: int = Field(default=6, gt=0)
    """Number of rows across y."""
    max_tiers: int = Field(default=5, gt=0)
    """Highest tier allowed (1-over-5 crane: 5)."""
    bay_pitch_m: float = Field(default=6.5, gt=0)
    """Distance between 20-ft bay centres along x, m."""
    row_pitch_m: float = Field(default=2.8, gt=0)
    """Distance between row centres along y, m."""
    origin_x_m: float = 40.0
    """Gantry coordinate of the centre of bay 1, m."""
    origin_y_m: float = 14.0
    """Trolley coordinate of the centre of row 1, m."""
    ground_height_m: float = Field(default=0.0, ge=0)
    """Height of the block's ground (tier 1 underside), m."""

    @model_validator(mode="after")
    def _pitches_fit(self) -> Self:
        if self.bay_pitch_m < CONTAINER_LENGTH_M[20]:
            raise ValueError("bay_pitch_m must be at least a 20-ft container's length (6.058 m)")
        if self.row_pitch_m < CONTAINER_WIDTH_M:
            raise ValueError("row_pitch_m must be at least a container's width (2.438 m)")
        return self

    def centre(self, bay: int, row: int, size_ft: int) -> tuple[float, float]:
        """(x, y) of the centre of a ``size_ft`` container at ``bay``, ``row``, m."""
        span = 1 if size_ft == 20 else 2
        x = self.origin_x_m + (bay - 1 + (span - 1) / 2) * self.bay_pitch_m
        return x, self.origin_y_m + (row - 1) * self.row_pitch_m

    def nearest(self, x: float, y: float, size_ft: int) -> tuple[int, int]:
        """The (bay, row) whose ``size_ft`` centre is nearest to (x, y); may lie outside."""
        span = 1 if size_ft == 20 else 2
        bay = round((x - self.origin_x_m) / self.bay_pitch_m - (span - 1) / 2) + 1
        row = round((y - self.origin_y_m) / self.row_pitch_m) + 1
        return bay, row

    def holds(self, bay: int, row: int, size_ft: int) -> bool:
        """Whether a ``size_ft`` container at ``bay``, ``row`` lies inside the block."""
        last_bay = bay + (0 if size_ft == 20 else 1)
        return bay >= 1 and last_bay <= self.bays and 1 <= row <= self.rows


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


class SiteLayout(BaseModel):
    """Lanes and stack block under one crane (default: a border-gate ARMG).

    The default: two truck lanes under the 8 m cantilever (y 2.0 and 5.5 m), one AGV lane just
    inside the landside rail (y 10.5 m), and a block of 20 bays x 6 rows x 5 tiers starting at
    x 40 m, rows from y 14.0 m. Vehicles stop at x 30 m by default.
    """

    model_config = _CONFIG

    name: str = "border-gate ARMG"
    """A name for messages."""
    truck_lanes: tuple[Lane, ...] = Field(default_factory=_default_truck_lanes, strict=False)
    """Road-truck lanes (a list is accepted so sites load from TOML/JSON)."""
    agv_lanes: tuple[Lane, ...] = Field(default_factory=_default_agv_lanes, strict=False)
    """AGV lanes."""
    stack: StackBlock = Field(default_factory=StackBlock)
    """The stack block."""

    @model_validator(mode="after")
    def _unique_lanes(self) -> Self:
        ids = [lane.id for lane in (*self.truck_lanes, *self.agv_lanes)]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"lane ids must be unique; repeated: {', '.join(duplicates)}")
        return self

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

    def check_slot(self, slot: Slot, size_ft: int) -> None:
        """Raise ``ValueError`` (or ``KeyError`` for a lane) unless ``slot`` can hold the size."""
        container_length_m(size_ft)
        if slot.area != "stack":
            self.lane(slot.area, slot.lane)
            if slot.tier != 1:
                raise ValueError(f"{slot}: a vehicle carries one container (tier 1)")
            return
        if not self.stack.holds(slot.bay, slot.row, size_ft):
            raise ValueError(f"{slot}: a {size_ft}-ft container does not fit in the block")
        if not 1 <= slot.tier <= self.stack.max_tiers:
            raise ValueError(f"{slot}: tier must be 1..{self.stack.max_tiers}")

    def slot_centre(self, slot: Slot, size_ft: int) -> tuple[float, float]:
        """(x, y) of a ``size_ft`` container's centre in ``slot``; lanes at their stop position."""
        if slot.area == "stack":
            return self.stack.centre(slot.bay, slot.row, size_ft)
        lane = self.lane(slot.area, slot.lane)
        return lane.stop_x_m, lane.y_m

    def base_height(self, slot: Slot) -> float:
        """Height of the ground (stack) or vehicle deck (lanes) under tier 1 of ``slot``, m."""
        if slot.area == "stack":
            return self.stack.ground_height_m
        return self.lane(slot.area, slot.lane).deck_height_m

    def stack_slot_at(self, x: float, y: float, size_ft: int, tolerance_m: float) -> Slot | None:
        """The stack slot (tier 1) whose centre is within ``tolerance_m`` of (x, y), if any."""
        bay, row = self.stack.nearest(x, y, size_ft)
        if not self.stack.holds(bay, row, size_ft):
            return None
        cx, cy = self.stack.centre(bay, row, size_ft)
        if abs(x - cx) > tolerance_m or abs(y - cy) > tolerance_m:
            return None
        return Slot.stack(bay, row)

"""The yard: containers and vehicles under the crane, and what holds each container up.

Every container has a physical pose (centre x, y and underside z) and, when it stands where the
site expects one, a :class:`~crane_ctrl.site.Slot`. What a container stands on (the ground, a
vehicle deck or another container) is its ``support``. A container in the spreader's twistlocks
is ``attached`` and no longer an obstacle for the spreader's own load; once lifted it has no slot
and no support (its location reads ``"spreader"``) until it is landed again.

Landing classification: a container is set down properly when it rests on exactly one support
and that support is (a) the stack's ground with the container within ``stacking_tolerance_m`` of
a stack slot centre (bay grid, or a named slot that takes its size), (b) a vehicle deck with
the container within that tolerance of the deck centre, or (c) a stacked container of the same
size within that tolerance of its castings and below the block's top tier. Anything else
damages the load: :meth:`Yard.land` returns the reason.

Support queries run every step, so the yard keeps its obstacle rectangles in a numpy table and
caches the few near the load; the per-step test is plain float comparisons over that short list.

Fault hooks: :meth:`Yard.override_mass` (overweight container), :meth:`Yard.misalign` (container
off its slot), :meth:`Yard.lock_chassis` (a trailer's chassis lock left engaged: the trailer rises
with the container on the first lift).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from crane_ctrl.crane import CraneParams
from crane_ctrl.site import (
    CONTAINER_HEIGHT_HC_M,
    CONTAINER_HEIGHT_M,
    CONTAINER_WIDTH_M,
    Area,
    SiteLayout,
    Slot,
    container_length_m,
)

__all__ = [
    "GROUND",
    "Container",
    "ContainerSpec",
    "FaultKind",
    "ModelFault",
    "Support",
    "Vehicle",
    "VehicleSpec",
    "Yard",
    "YardContents",
]

EPS_M = 1e-6
"""Numerical tolerance for comparing heights, m (not a physical threshold)."""
_REGION_MARGIN_M = 2.0
"""How far around the load the cached obstacle list reaches (a speed knob, not physics), m."""
_HALF_WIDTH_M = CONTAINER_WIDTH_M / 2

GROUND: Literal["ground"] = "ground"
"""The support of a container standing on the ground."""


class FaultKind(StrEnum):
    """What the physical model records when something a real crane must never do happened."""

    DROPPED_LOAD = "dropped_load"
    """A suspended container was released and fell."""
    DAMAGED_LOAD = "damaged_load"
    """A container was set down badly, lifted on too few twistlocks, or torn by the spreader."""
    COLLISION = "collision"
    """The load or spreader ran into a container or vehicle."""
    TRUCK_LIFTED = "truck_lifted"
    """A trailer came up with its container beyond the damage height."""
    END_STOP_IMPACT = "end_stop_impact"
    """An axis hit its end of travel faster than the buffers allow."""


@dataclass(frozen=True, slots=True)
class ModelFault:
    """One recorded model fault, with the reason in words for the test that finds it."""

    kind: FaultKind
    reason: str
    time_s: float
    container: str | None = None


class ContainerSpec(NamedTuple):
    """A container to place in the yard at the start."""

    id: str
    size_ft: int
    mass_t: float
    slot: Slot
    high_cube: bool = False


class VehicleSpec(NamedTuple):
    """An (empty or loaded) vehicle standing in a lane at the start; x defaults to the lane's
    default stop (a vehicle placed with a container stops where its lane says for its size)."""

    area: Area
    lane: str
    x_m: float | None = None


@dataclass(frozen=True, slots=True)
class YardContents:
    """What stands under the crane at the start. Lanes holding a container get a vehicle."""

    containers: tuple[ContainerSpec, ...] = ()
    vehicles: tuple[VehicleSpec, ...] = ()


@dataclass(slots=True, eq=False)
class Vehicle:
    """A road truck trailer or an AGV standing in a lane; its deck is a flat slab."""

    area: Area
    lane: str
    x_m: float
    y_m: float
    deck_height_m: float
    deck_length_m: float
    deck_width_m: float
    chassis_locked: bool = False
    """Fault hook: the chassis twistlocks still hold the container (truck lift on first lift)."""
    rise_m: float = 0.0
    """How far the trailer has come up with its container, m."""

    def rect(self) -> tuple[float, float, float, float]:
        """Deck footprint (x0, x1, y0, y1), m."""
        hl, hw = self.deck_length_m / 2, self.deck_width_m / 2
        return self.x_m - hl, self.x_m + hl, self.y_m - hw, self.y_m + hw

    def __str__(self) -> str:
        return f"{'truck' if self.area == 'truck' else 'AGV'} in lane {self.lane}"


@dataclass(slots=True, eq=False)
class Container:
    """One container: identity, mass, size and where it physically is."""

    id: str
    size_ft: int
    mass_t: float
    height_m: float
    length_m: float
    x_m: float
    y_m: float
    z_m: float
    """Height of the underside above ground, m."""
    slot: Slot | None = None
    support: Support | None = None
    attached: bool = False
    """In the spreader's twistlocks (not an obstacle for the spreader's own load)."""
    mass_override_t: float | None = None
    """Fault hook: the real gross mass when it differs from the declared one, t."""

    @property
    def gross_mass_t(self) -> float:
        """The mass the load cell sees, t."""
        return self.mass_t if self.mass_override_t is None else self.mass_override_t

    @property
    def top_m(self) -> float:
        """Height of the roof (corner casting tops) above ground, m."""
        return self.z_m + self.height_m

    @property
    def location(self) -> Slot | Literal["spreader"] | None:
        """The slot it stands in, ``"spreader"`` while lifted, None when loose (set down badly)."""
        if self.attached and self.support is None:
            return "spreader"
        return self.slot

    def rect(self) -> tuple[float, float, float, float]:
        """Footprint (x0, x1, y0, y1), m."""
        hl = self.length_m / 2
        return self.x_m - hl, self.x_m + hl, self.y_m - _HALF_WIDTH_M, self.y_m + _HALF_WIDTH_M


Support = Container | Vehicle | Literal["ground"]
"""What a container stands on."""
_Obstacle = tuple[float, float, float, float, float, Support]


class Yard:
    """Containers and vehicles on one site, with support queries for the plant."""

    def __init__(
        self, site: SiteLayout, params: CraneParams, contents: YardContents | None = None
    ) -> None:
        self.site = site
        self.tolerance_m = params.stacking_tolerance_m
        self.containers: dict[str, Container] = {}
        self.vehicles: dict[str, Vehicle] = {}
        """Vehicles by lane id."""
        self.lifting: Vehicle | None = None
        """The trailer coming up with the lifted container (truck lift), if any."""
        self._version = 0
        self._built = -1
        self._objects: list[_Obstacle] = []
        self._table: npt.NDArray[np.float64] = np.zeros((0, 5))
        self._region = (0.0, -1.0, 0.0, -1.0, -1)
        self._near: list[_Obstacle] = []
        self._near_top = 0.0
        contents = contents or YardContents()
        for vehicle in contents.vehicles:
            self.add_vehicle(vehicle.area, vehicle.lane, vehicle.x_m)
        # vehicles' boxes first, then the stack tier by tier, each tier in the order given
        for spec in sorted(
            contents.containers, key=lambda s: (s.slot.area == "stack", s.slot.tier)
        ):
            self.place(spec)

    # --- support queries (per step) -------------------------------------------------------------

    def clear_below(self, x0: float, x1: float, y0: float, y1: float, bottom_m: float) -> bool:
        """True if nothing (not even the ground) under the rectangle reaches ``bottom_m``."""
        r = self._region
        if r[4] != self._version or not (r[0] <= x0 and x1 <= r[1] and r[2] <= y0 and y1 <= r[3]):
            self._refresh(x0, x1, y0, y1)
        return bottom_m > self._near_top

    def support(self, x0: float, x1: float, y0: float, y1: float) -> float:
        """Height of the highest top under the rectangle (ground 0), m."""
        self.clear_below(x0, x1, y0, y1, 0.0)
        height = 0.0
        for a0, a1, b0, b1, top, _ in self._near:
            if top > height and a0 < x1 and x0 < a1 and b0 < y1 and y0 < b1:
                height = top
        return height

    def supporters(self, x0: float, x1: float, y0: float, y1: float) -> tuple[float, list[Support]]:
        """The highest top under the rectangle and everything whose top is at that height."""
        height = self.support(x0, x1, y0, y1)
        found: list[Support] = [
            obj
            for a0, a1, b0, b1, top, obj in self._near
            if abs(top - height) <= EPS_M and a0 < x1 and x0 < a1 and b0 < y1 and y0 < b1
        ]
        return height, (found or [GROUND])

    def _refresh(self, x0: float, x1: float, y0: float, y1: float) -> None:
        if self._built != self._version:
            self._objects = list(self._all_obstacles())
            self._table = np.array([o[:5] for o in self._objects], dtype=np.float64).reshape(-1, 5)
            self._built = self._version
        m = _REGION_MARGIN_M
        rx0, rx1, ry0, ry1 = x0 - m, x1 + m, y0 - m, y1 + m
        t = self._table
        mask = (t[:, 0] < rx1) & (rx0 < t[:, 1]) & (t[:, 2] < ry1) & (ry0 < t[:, 3])
        self._near = [self._objects[i] for i in np.flatnonzero(mask)]
        self._near_top = max((o[4] for o in self._near), default=0.0)
        self._region = (rx0, rx1, ry0, ry1, self._version)

    def _all_obstacles(self) -> Iterable[_Obstacle]:
        stack = self.site.stack
        if stack.ground_height_m > 0.0:
            yield (*stack.extent(), stack.ground_height_m, GROUND)
        for v in self.vehicles.values():
            yield (*v.rect(), v.deck_height_m, v)
        for c in self.containers.values():
            if not c.attached:
                yield (*c.rect(), c.top_m, c)

    def _changed(self) -> None:
        self._version += 1

    # --- vehicles and initial placement ---------------------------------------------------------

    def add_vehicle(self, area: Area, lane_id: str, x_m: float | None = None) -> Vehicle:
        """Bring an empty vehicle into a lane (at the lane's stop position unless ``x_m``)."""
        if area == "stack":
            raise ValueError("vehicles stand in truck or agv lanes, not in the stack")
        lane = self.site.lane(area, lane_id)
        if lane_id in self.vehicles:
            raise ValueError(f"lane {lane_id} already has a vehicle")
        x = lane.stop_x_m if x_m is None else x_m
        if not lane.x_min_m <= x <= lane.x_max_m:
            raise ValueError(
                f"lane {lane_id}: vehicle at x {x} m outside {lane.x_min_m}..{lane.x_max_m} m"
            )
        vehicle = Vehicle(
            area, lane_id, x, lane.y_m, lane.deck_height_m, lane.deck_length_m, lane.deck_width_m
        )
        self.vehicles[lane_id] = vehicle
        self._changed()
        return vehicle

    def remove_vehicle(self, lane_id: str) -> tuple[str, ...]:
        """A vehicle drives away with whatever stands on it; returns those container ids."""
        vehicle = self.vehicles[lane_id]
        if self.lifting is vehicle:
            raise ValueError(f"the {vehicle} is hanging on the crane")
        gone = tuple(c.id for c in self.containers.values() if c.support is vehicle)
        for cid in gone:
            del self.containers[cid]
        del self.vehicles[lane_id]
        self._changed()
        return gone

    def place(self, spec: ContainerSpec) -> Container:
        """Put a container in its slot at the start; ``ValueError`` if it cannot stand there."""
        if spec.id in self.containers:
            raise ValueError(f"container id {spec.id!r} used twice")
        if not spec.mass_t > 0:
            raise ValueError(f"container {spec.id}: mass_t must be positive, not {spec.mass_t}")
        self.site.check_slot(spec.slot, spec.size_ft)
        if spec.slot.area == "stack":
            x, y = self.site.slot_centre(spec.slot, spec.size_ft)
        else:
            vehicle = self.vehicles.get(spec.slot.lane)
            if vehicle is None:
                lane = self.site.lane(spec.slot.area, spec.slot.lane)
                stop = lane.stop_x(spec.size_ft)
                vehicle = self.add_vehicle(spec.slot.area, spec.slot.lane, stop)
            x, y = vehicle.x_m, vehicle.y_m
        height = CONTAINER_HEIGHT_HC_M if spec.high_cube else CONTAINER_HEIGHT_M
        length = container_length_m(spec.size_ft)
        c = Container(spec.id, spec.size_ft, spec.mass_t, height, length, x, y, 0.0)
        reason = self._settle(c)
        if reason is None and c.slot != spec.slot:
            reason = f"it would stand at {c.slot}"
        if reason is not None:
            raise ValueError(f"cannot place container {spec.id} at {spec.slot}: {reason}")
        self.containers[c.id] = c
        self._changed()
        return c

    # --- the spreader's load --------------------------------------------------------------------

    def attach(self, c: Container) -> None:
        """The twistlocks start to hold ``c``: it becomes part of the spreader's load."""
        c.attached = True
        self._changed()

    def detach(self, c: Container) -> None:
        """The twistlocks let go of ``c`` where it stands (landed)."""
        c.attached = False
        self._changed()

    def lift(self, c: Container) -> None:
        """``c`` leaves its support on the spreader; a chassis-locked trailer comes with it."""
        if isinstance(c.support, Vehicle) and c.support.chassis_locked:
            self.lifting = c.support
        c.support = None
        c.slot = None

    def carry(self, c: Container, x_m: float, y_m: float, z_m: float) -> None:
        """Move the lifted ``c`` with the spreader (underside at ``z_m``)."""
        c.x_m, c.y_m, c.z_m = x_m, y_m, z_m
        trailer = self.lifting
        if trailer is not None:
            if trailer.chassis_locked:
                trailer.rise_m = max(0.0, z_m - trailer.deck_height_m)
            else:
                trailer.rise_m, self.lifting = 0.0, None

    def land(self, c: Container) -> str | None:
        """``c`` touched down where it hangs; returns why that damages it, or None if proper."""
        if self.lifting is not None:
            self.lifting.rise_m, self.lifting = 0.0, None
        return self._settle(c)

    def drop(self, c: Container) -> float:
        """``c`` falls from the spreader onto whatever is below; returns the fall height, m."""
        was = c.z_m
        self.land(c)
        c.attached = False
        self._changed()
        return was - c.z_m

    def trailer_rise_m(self) -> float:
        """How far a trailer has come up with its container (0 if none), m."""
        return 0.0 if self.lifting is None else self.lifting.rise_m

    def _settle(self, c: Container) -> str | None:
        height, found = self.supporters(*c.rect())
        c.z_m = height
        c.slot, c.support, reason = self._classify(c, found)
        return reason

    def _classify(
        self, c: Container, found: list[Support]
    ) -> tuple[Slot | None, Support | None, str | None]:
        if len(found) != 1:
            names = ", ".join(_name(s) for s in found)
            return None, found[0], f"set down across {len(found)} supports ({names})"
        below = found[0]
        tol = self.tolerance_m
        if isinstance(below, str):
            slot = self.site.stack_slot_at(c.x_m, c.y_m, c.size_ft, tol)
            reason = None if slot else "set down on the ground outside the stack slots"
            return slot, GROUND, reason
        dx, dy = c.x_m - below.x_m, c.y_m - below.y_m
        off = f"{dx:+.3f} m along x, {dy:+.3f} m along y"
        if isinstance(below, Vehicle):
            if abs(dx) > tol or abs(dy) > tol:
                return None, below, f"set down {off} off the deck centre of the {below}"
            return Slot(below.area, lane=below.lane), below, None
        return self._classify_on_container(c, below, off, abs(dx) > tol or abs(dy) > tol)

    def _classify_on_container(
        self, c: Container, below: Container, off: str, misaligned: bool
    ) -> tuple[Slot | None, Container, str | None]:
        if below.slot is None or below.slot.area != "stack":
            return None, below, f"set down on container {below.id}, which is not in the stack"
        if below.size_ft != c.size_ft:
            return None, below, f"a {c.size_ft}-ft set down on {below.size_ft}-ft {below.id}"
        if misaligned:
            return None, below, f"set down {off} off the castings of {below.id}"
        tier = below.slot.tier + 1
        if tier > self.site.stack.max_tiers:
            return None, below, f"set down on {below.id} above the top tier"
        return below.slot._replace(tier=tier), below, None

    # --- fault hooks ----------------------------------------------------------------------------

    def override_mass(self, container_id: str, mass_t: float | None) -> None:
        """Make a container's real mass ``mass_t`` (overweight fault); None restores it."""
        if mass_t is not None and not mass_t > 0:
            raise ValueError(f"mass_t must be positive, not {mass_t}")
        self.containers[container_id].mass_override_t = mass_t

    def misalign(self, container_id: str, dx_m: float, dy_m: float) -> None:
        """Shift a standing container off its slot (its slot stays what the job believes)."""
        c = self.containers[container_id]
        if c.attached:
            raise ValueError(f"container {container_id} is in the spreader")
        if any(other.support is c for other in self.containers.values()):
            raise ValueError(f"container {container_id} has a container on top")
        c.x_m += dx_m
        c.y_m += dy_m
        self._changed()

    def lock_chassis(self, lane_id: str, locked: bool = True) -> None:
        """Leave (or release) the chassis twistlocks of the trailer in ``lane_id`` engaged."""
        self.vehicles[lane_id].chassis_locked = locked


def _name(support: Support) -> str:
    if isinstance(support, Container):
        return f"container {support.id}"
    return str(support)

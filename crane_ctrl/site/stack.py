"""The stack: ground slots on a bay grid, or named slots placed by their real centres.

**Bay grid** (the border-gate block): rows run along x at a row pitch across y; bays are 20-ft
bays at a bay pitch along x. A 20-ft container occupies one bay; a 40-ft or 45-ft container
occupies two adjacent 20-ft bays and is addressed by the first of them (``bay`` and
``bay + 1``), centred between the two. A 45-ft container overhangs that pair (13.716 m against
12.192 m) and can touch a container in the neighbouring bay.

**Named slots** (yards a bay grid does not describe): each slot has a name the jobs use, a
real centre (x along the rails, y across) and the container sizes it takes; a slot row lists
several at one y. Listing named slots replaces the bay grid unless ``bays`` and ``rows`` are
given as well (then the two must not share ground). A 20-ft slot and a 40-ft slot centred at the
same x cover the same ground: a 20-ft box stands in the middle of the 40-ft footprint.

Occupancy and support work from footprints, never from names or bay numbers: containers whose
footprints overlap at the same tier are in each other's way, and a container stands only on one
container of its own size centred under it (see :mod:`crane_ctrl.operation.yard_model`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

from crane_ctrl.errors import SettingsError
from crane_ctrl.site.containers import (
    CONTAINER_LENGTH_M,
    CONTAINER_SIZES,
    CONTAINER_WIDTH_M,
    Footprint,
)
from crane_ctrl.site.slot import SLOT_NAME

__all__ = ["NamedSlot", "SlotRow", "StackBlock"]

_CONFIG = ConfigDict(strict=True, frozen=True, extra="forbid")
Sizes = tuple[Annotated[int, Strict()], ...]
Problems = list[tuple[tuple[str, ...], str]]


def _size_problems(sizes: Sizes) -> Problems:
    if not sizes:
        return [(("sizes",), "give the container sizes the slot takes, e.g. sizes = [20, 40]")]
    wrong = [s for s in sizes if s not in CONTAINER_SIZES]
    if wrong:
        return [(("sizes",), f"sizes must be 20, 40 or 45 ft, not {', '.join(map(str, wrong))}")]
    if len(set(sizes)) != len(sizes):
        return [(("sizes",), f"each size once: {list(sizes)}")]
    return []


def _name_problem(name: str, what: str) -> str | None:
    if SLOT_NAME.fullmatch(name):
        return None
    return (
        f"{what} {name!r} must start with a letter, then letters, digits, '-', '_' or '.' "
        "(jobs write it as stack:NAME:TIER, so no ':'), e.g. \"A40\""
    )


class NamedSlot(BaseModel):
    """A stack slot placed by its real centre, with the name jobs use (``stack:NAME:TIER``)."""

    model_config = _CONFIG

    name: str
    """The slot's name, unique on the site, e.g. ``A40-2``."""
    x_m: float
    """Gantry coordinate of the centre of a container in this slot, m."""
    y_m: float
    """Trolley coordinate of that centre, m."""
    sizes: Sizes = Field(strict=False)
    """The container sizes the slot takes, ft (e.g. ``[20, 40]``), centred at (x, y)."""

    @model_validator(mode="after")
    def _valid(self) -> Self:
        problems = _size_problems(self.sizes)
        named = _name_problem(self.name, "slot name")
        if named is not None:
            problems.insert(0, (("name",), named))
        if problems:
            raise SettingsError(problems)
        return self

    def footprint(self, size_ft: int) -> Footprint:
        return Footprint.of_box(self.x_m, self.y_m, size_ft)


class SlotRow(BaseModel):
    """Named slots at one y, one per x: ``NAME-1``, ``NAME-2`` ... unless ``names`` says."""

    model_config = _CONFIG

    name: str
    """The row's name; its slots are named ``<name>-1``, ``<name>-2`` ... in the order of
    ``x_m`` (unless ``names`` lists them)."""
    y_m: float
    """Trolley coordinate of the row's centre line, m."""
    x_m: tuple[Annotated[float, Strict()], ...] = Field(strict=False, min_length=1)
    """Gantry coordinates of the slot centres, m."""
    sizes: Sizes = Field(strict=False)
    """The container sizes every slot of the row takes, ft."""
    names: tuple[Annotated[str, Strict()], ...] | None = Field(default=None, strict=False)
    """The slot names, one per ``x_m``, instead of the numbered ones."""

    @model_validator(mode="after")
    def _valid(self) -> Self:
        problems = _size_problems(self.sizes)
        named = _name_problem(self.name, "row name")
        if named is not None:
            problems.insert(0, (("name",), named))
        if self.names is not None and len(self.names) != len(self.x_m):
            problems.append(
                (("names",), f"give one name per x_m: {len(self.names)} names, "
                             f"{len(self.x_m)} positions")
            )  # fmt: skip
        for i, name in enumerate(self.names or ()):
            wrong = _name_problem(name, "slot name")
            if wrong is not None:
                problems.append((("names", str(i)), wrong))
        if problems:
            raise SettingsError(problems)
        return self

    def slot_names(self) -> tuple[str, ...]:
        return self.names or tuple(f"{self.name}-{i}" for i in range(1, len(self.x_m) + 1))

    def slots(self) -> tuple[NamedSlot, ...]:
        return tuple(
            NamedSlot(name=name, x_m=x, y_m=self.y_m, sizes=self.sizes)
            for name, x in zip(self.slot_names(), self.x_m, strict=True)
        )


class StackBlock(BaseModel):
    """The stack: a bay grid of ``bays`` x ``rows`` ground slots, and/or named slots, stacked up
    to ``max_tiers`` high."""

    model_config = _CONFIG

    bays: int = Field(default=20, ge=0)
    """Number of 20-ft bays along x (0: no bay grid)."""
    rows: int = Field(default=6, ge=0)
    """Number of rows across y (0: no bay grid)."""
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
    """Height of the stack's ground (tier 1 underside), m."""
    slots: tuple[NamedSlot, ...] = Field(default=(), strict=False)
    """Named slots, each at its own centre (``[[site.stack.slots]]``)."""
    slot_rows: tuple[SlotRow, ...] = Field(default=(), strict=False)
    """Rows of named slots (``[[site.stack.slot_rows]]``)."""

    @model_validator(mode="before")
    @classmethod
    def _named_slots_replace_the_grid(cls, data: Any) -> Any:
        named = isinstance(data, Mapping) and (data.get("slots") or data.get("slot_rows"))
        if named and "bays" not in data and "rows" not in data:
            return {**data, "bays": 0, "rows": 0}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems: Problems = []
        if self.has_grid and self.bay_pitch_m < CONTAINER_LENGTH_M[20]:
            problems.append(
                (("bay_pitch_m",),
                 "bay_pitch_m must be at least a 20-ft container's length (6.058 m)")
            )  # fmt: skip
        if self.has_grid and self.row_pitch_m < CONTAINER_WIDTH_M:
            problems.append(
                (("row_pitch_m",), "row_pitch_m must be at least a container's width (2.438 m)")
            )
        if not self.has_grid and not self.slots and not self.slot_rows:
            problems.append(
                ((), "the stack has no slots: give bays and rows (a bay grid), or list "
                     "[[site.stack.slots]] / [[site.stack.slot_rows]]")
            )  # fmt: skip
        problems += _named_problems(self)
        if problems:
            raise SettingsError(problems)
        return self

    # --- the bay grid ----------------------------------------------------------------------------

    @property
    def has_grid(self) -> bool:
        return self.bays > 0 and self.rows > 0

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
        """Whether a ``size_ft`` container at ``bay``, ``row`` lies inside the bay grid."""
        last_bay = bay + (0 if size_ft == 20 else 1)
        return bay >= 1 and last_bay <= self.bays and 1 <= row <= self.rows

    def grid_extent(self) -> Footprint | None:
        """The ground of the bay grid (bay and row pitches around the outer centres)."""
        if not self.has_grid:
            return None
        x_first, y_first = self.centre(1, 1, 20)
        x_last, y_last = self.centre(self.bays, self.rows, 20)
        half_bay, half_row = self.bay_pitch_m / 2, self.row_pitch_m / 2
        return Footprint(x_first - half_bay, x_last + half_bay, y_first - half_row,
                         y_last + half_row)  # fmt: skip

    # --- named slots ----------------------------------------------------------------------------

    def named_slots(self) -> Mapping[str, NamedSlot]:
        """Every named slot (single ones, then the rows'), by name."""
        return _expand(self.slots, self.slot_rows)

    def named(self, name: str) -> NamedSlot | None:
        return self.named_slots().get(name)

    # --- the whole stack ------------------------------------------------------------------------

    def extent(self) -> Footprint:
        """The ground under every slot of the stack (grid and named)."""
        parts = [self.grid_extent()] + [
            s.footprint(max(s.sizes, key=CONTAINER_LENGTH_M.__getitem__))
            for s in self.named_slots().values()
        ]
        return _around([p for p in parts if p is not None])

    def grounds(self) -> Iterator[tuple[str, Footprint]]:
        """The ground each row of the bay grid and each named slot covers with its boxes (every
        size it takes, a 45-ft box's overhang included): ("row 2", footprint), ("slot Q1", ...)."""
        if self.has_grid:
            sizes = [s for s in CONTAINER_SIZES if self.holds(1, 1, s)]
            for row in range(1, self.rows + 1):
                ends = [(1, s) for s in sizes] + [(self.bays - (s != 20), s) for s in sizes]
                parts = [Footprint.of_box(*self.centre(bay, row, s), s) for bay, s in ends]
                yield f"row {row}", _around(parts)
        for slot in self.named_slots().values():
            yield f"slot {slot.name}", _around([slot.footprint(s) for s in slot.sizes])

    def row_ys(self) -> tuple[float, ...]:
        """The y of every row of slots, across the span (grid rows, then named slots' y)."""
        grid = [self.origin_y_m + (r - 1) * self.row_pitch_m for r in range(1, self.rows + 1)]
        named = {s.y_m for s in self.named_slots().values()}
        return tuple(sorted(set(grid if self.has_grid else []) | named))

    def centres(self) -> Iterator[tuple[str, float, float]]:
        """Where every slot's containers are centred: (what, x, y), for reach checks."""
        if self.has_grid:
            for bay, row in ((1, 1), (self.bays, self.rows)):
                yield (f"bay {bay} row {row}", *self.centre(bay, row, 20))
        for s in self.named_slots().values():
            yield f"slot {s.name}", s.x_m, s.y_m


def _around(parts: list[Footprint]) -> Footprint:
    ground = parts[0]
    for part in parts[1:]:
        ground = ground.around(part)
    return ground


@lru_cache(maxsize=64)
def _expand(slots: tuple[NamedSlot, ...], rows: tuple[SlotRow, ...]) -> Mapping[str, NamedSlot]:
    found = {s.name: s for s in slots}
    for row in rows:
        found.update({s.name: s for s in row.slots() if s.name not in found})
    return MappingProxyType(found)


def _named_places(stack: StackBlock) -> Iterator[tuple[tuple[str, ...], NamedSlot]]:
    """Each named slot with the key path where the file gives it."""
    for i, s in enumerate(stack.slots):
        yield ("slots", str(i)), s
    for i, row in enumerate(stack.slot_rows):
        for j, s in enumerate(row.slots()):
            yield ("slot_rows", str(i), "x_m", str(j)), s


def _named_problems(stack: StackBlock) -> Problems:
    """Names unique; no two slots for the same size sharing ground; none on the bay grid."""
    problems: Problems = []
    seen: list[tuple[tuple[str, ...], NamedSlot]] = []
    grid = stack.grid_extent()
    for path, slot in _named_places(stack):
        for _, other in seen:
            problem = _clash(slot, other)
            if problem is not None:
                problems.append((path, problem))
                break
        else:
            seen.append((path, slot))
        if grid is not None and any(slot.footprint(s).overlaps(grid) for s in slot.sizes):
            problems.append(
                (path, f"slot {slot.name} at x {slot.x_m} m, y {slot.y_m} m lies on the bay grid "
                       f"(bays 1..{stack.bays}, rows 1..{stack.rows}): describe that ground "
                       "with the grid or with named slots, not both (bays = 0 drops the grid)")
            )  # fmt: skip
    return problems


def _clash(slot: NamedSlot, other: NamedSlot) -> str | None:
    if slot.name == other.name:
        return f"slot name {slot.name!r} is used twice; give each slot its own name"
    for size in set(slot.sizes) & set(other.sizes):
        if slot.footprint(size).overlaps(other.footprint(size)):
            return (
                f"slots {other.name} and {slot.name} both take {size}-ft containers and their "
                f"footprints overlap (x {other.x_m} and {slot.x_m} m, y {other.y_m} and "
                f"{slot.y_m} m): a box in one would stand in the other; move one, or take "
                f"{size} ft out of its sizes"
            )
    return None

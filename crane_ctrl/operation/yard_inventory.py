"""The yard inventory as data: what survives a restart of the supervisor. Pure.

The supervisor's yard model starts from the site file and is updated as jobs set boxes down or
lift them off for good (:class:`~crane_ctrl.operation.yard_model.YardModel`). Restarted from the
site file alone, it would believe every box stands where the day began: the next job would
plan its path over stacks lower than they are, and pick from a truck that left. So every change
is written down (:func:`inventory_of`, journaled by the station's host), and a restart takes the
last record back (:func:`restored`) after checking it against the site: every slot in the
layout, one box per place, sizes the site takes. A record that does not fit the site is not
taken, and says why. The box the crane has in hand
(:class:`~crane_ctrl.operation.yard_model.InHand`) is part of the record: a station killed
while a job moved it knows, started again, which box may hang on its spreader.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crane_ctrl.operation.yard_model import Box, InHand, YardModel
from crane_ctrl.site import Slot, parse_slot, slot_text

__all__ = ["INVENTORY_VERSION", "inventory_of", "restored"]

INVENTORY_VERSION = 1
"""The record's layout; a record of another version is not taken."""


def inventory_of(yard: YardModel) -> dict[str, Any]:
    """The boxes and where each stands, as JSON-able data (boxes in id order)."""
    boxes = [_box_of(b) for b in sorted(yard.boxes.values(), key=lambda b: b.id)]
    record: dict[str, Any] = {"version": INVENTORY_VERSION, "boxes": boxes}
    hand = yard.in_hand
    if hand is not None:
        to = None if hand.to is None else slot_text(hand.to)
        record["in_hand"] = {"box": _box_of(hand.box), "job": hand.job, "to": to}
    return record


def _box_of(b: Box) -> dict[str, Any]:
    return {"id": b.id, "size_ft": b.size_ft, "slot": slot_text(b.slot), "mass_t": b.mass_t,
            "high_cube": b.high_cube}  # fmt: skip


def restored(start: YardModel, record: Mapping[str, Any]) -> tuple[YardModel, str]:
    """The yard of ``start`` (the site file's: its layout, its vehicles) with the boxes of
    ``record``; and "" if taken, else why not (then ``start`` itself)."""
    try:
        boxes = _boxes(record)
        yard = YardModel(start.site, boxes, start.vehicles, vehicle_x=_vehicle_x(start, boxes))
        _check(yard, boxes)
        yard.in_hand = _in_hand(record.get("in_hand"))
    except (KeyError, TypeError, ValueError) as why:
        return start, f"the last yard inventory does not fit the site ({why}): the site file's"
    return yard, ""


def _boxes(record: Mapping[str, Any]) -> list[Box]:
    if record.get("version") != INVENTORY_VERSION:
        raise ValueError(f"version {record.get('version')!r}, not {INVENTORY_VERSION}")
    return [_box(item) for item in record["boxes"]]


def _box(item: Mapping[str, Any]) -> Box:
    mass = item.get("mass_t")
    slot = parse_slot(str(item["slot"]))
    mass_t = None if mass is None else float(mass)
    return Box(str(item["id"]), int(item["size_ft"]), slot, mass_t,
               bool(item.get("high_cube", False)))  # fmt: skip


def _in_hand(item: Mapping[str, Any] | None) -> InHand | None:
    if item is None:
        return None
    to = item.get("to")
    return InHand(_box(item["box"]), str(item.get("job", "")),
                  None if to is None else parse_slot(str(to)))  # fmt: skip


def _vehicle_x(start: YardModel, boxes: Sequence[Box]) -> dict[str, float]:
    """Where each vehicle stands: as at the start, unless it carries another box now (then at
    its lane's stop for that box, as the model places it)."""
    moved = {b.slot.lane for b in boxes if b.slot.area != "stack"}
    return {lane: x for lane, x in start.vehicle_x.items() if lane not in moved}


def _check(yard: YardModel, boxes: Sequence[Box]) -> None:
    """Every slot in the layout, one box per place, sizes the place takes."""
    seen: dict[Slot, str] = {}
    for box in boxes:
        if box.slot in seen:
            raise ValueError(f"{box.id} and {seen[box.slot]} both at {box.slot}")
        seen[box.slot] = box.id
        yard.site.check_slot(box.slot, box.size_ft)
        problem = yard.support_problem(box.slot, box.size_ft, moving=box.id)
        if problem is not None and box.slot.area == "stack":
            raise ValueError(f"{box.id} at {box.slot}: {problem}")

"""The yard inventory survives a restart: what the jobs moved is where a restarted station
believes it stands; a record that does not fit the site is not taken, and says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crane_ctrl.clock import ManualClock
from crane_ctrl.operation.yard_inventory import inventory_of, restored
from crane_ctrl.operation.yard_model import YardModel
from crane_ctrl.runtime.journal import Journal, JournalReader
from crane_ctrl.runtime.yard_record import kept_yard, last_inventory
from crane_ctrl.site import parse_slot
from simulators.site_file import load_site, yard_model_of

SITE = load_site()
BOX = "MSKU1234565"
"""On truck T1 in the shipped site."""


def _yard() -> YardModel:
    return yard_model_of(SITE)


def _slots(yard: YardModel) -> dict[str, str]:
    return {b.id: str(b.slot) for b in yard.boxes.values()}


def test_an_inventory_taken_back_is_the_yard_it_was_taken_from() -> None:
    yard = _yard()
    yard.move(BOX, parse_slot("stack:7:3:1"))
    yard.lift("TGHU7654321")
    back, why = restored(_yard(), inventory_of(yard))
    assert why == ""
    assert back.boxes == yard.boxes


def _record(**change: Any) -> dict[str, Any]:
    record = inventory_of(_yard())
    boxes = [dict(b) for b in record["boxes"]]
    first = next(b for b in boxes if b["id"] == BOX)
    first.update(change)
    return {**record, "boxes": boxes}


@pytest.mark.parametrize(
    ("record", "says"),
    [
        (_record(slot="stack:99:1:1"), "does not fit in the block"),
        (_record(slot="truck:Z9"), "no truck lane 'Z9'"),
        (_record(slot="stack:7:3:3"), "nothing to stack on"),
        (_record(slot="stack:3:2:1"), "both at stack bay 3 row 2 tier 1"),
        (_record(slot="somewhere"), "is not truck:LANE"),
        (_record(size_ft="forty"), "invalid literal"),
        ({**_record(), "version": 99}, "version 99"),
        ({"version": 1}, "boxes"),
    ],
)
def test_a_record_that_does_not_fit_the_site_is_not_taken_and_says_why(
    record: dict[str, Any], says: str
) -> None:
    start = _yard()
    yard, why = restored(start, record)
    assert yard is start
    assert says in why, why
    assert why.endswith("the site file's")


async def test_a_restarted_station_keeps_what_the_last_run_moved(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    with Journal(path, clock=ManualClock(), crane="crane-1") as journal:
        yard = await kept_yard(SITE, path, journal)
        assert _slots(yard) == _slots(_yard())  # nothing journaled yet: the site file's
        yard.move(BOX, parse_slot("stack:7:3:1"))
    with Journal(path, clock=ManualClock(), crane="crane-1") as journal:
        again = await kept_yard(SITE, path, journal)
    assert again.boxes[BOX].slot == parse_slot("stack:7:3:1")
    assert _slots(again) == {**_slots(_yard()), BOX: "stack bay 7 row 3 tier 1"}
    with JournalReader(path) as reader:
        started = reader.events(kind="yard")[-1].values
    assert started["restored"] is True  # and the start's own record keeps it fresh


async def test_a_record_that_does_not_fit_is_journaled_and_the_site_file_taken(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.sqlite"
    with Journal(path, clock=ManualClock(), crane="crane-1") as journal:
        journal.record("yard", "inventory", **_record(slot="stack:7:3:3"))
    with Journal(path, clock=ManualClock(), crane="crane-1") as journal:
        yard = await kept_yard(SITE, path, journal)
    assert _slots(yard) == _slots(_yard())
    with JournalReader(path) as reader:
        [note] = reader.events(kind="system", subject="yard")
    assert "nothing to stack on" in note.values["reason"]
    assert last_inventory(path) is not None
    assert last_inventory(tmp_path / "none") is None

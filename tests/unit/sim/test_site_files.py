"""Site files: named slots, lanes with a stop per size, the shortest rope; every problem located.

Each bad file is the shipped mixed-slots site with one change; the error names the file, the line
of the key to change, its key path, what is wrong and the fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from crane_ctrl.errors import ConfigError
from crane_ctrl.site import NamedSlot, SiteLayout, Slot, StackBlock, parse_slot, slot_text
from simulators.site_file import DEFAULT_SITE, load_site

MIXED = DEFAULT_SITE.parent / "mixed-slots.toml"
TEXT = MIXED.read_text(encoding="utf-8")


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_site(path)
    return [str(p).removeprefix(f"{path}:") for p in caught.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "at", "expected"),
    [
        ("x_m = [10.0, 30.0, 50.0, 70.0]\nsizes = [40]", "x_m = [10.0, 20.0, 50.0, 70.0]\nsizes = [40]",
         "x_m = [10.0, 20.0", "site.stack.slot_rows.0.x_m.1: slots A40-1 and A40-2 both take 40-ft containers and "
         "their footprints overlap (x 10.0 and 20.0 m, y 14.0 and 14.0 m): a box in one would stand in the other; "
         "move one, or take 40 ft out of its sizes"),
        ('name = "Q1"', 'name = "A40-2"', "x_m = [10.0, 30.0, 50.0, 70.0]",
         "site.stack.slot_rows.0.x_m.1: slot name 'A40-2' is used twice; give each slot its own name"),
        ("sizes = [20, 40, 45]", "sizes = [20, 30]", "sizes = [20, 30]",
         "site.stack.slots.0.sizes: sizes must be 20, 40 or 45 ft, not 30"),
        ('name = "B20"', 'name = "B:20"', 'name = "B:20"',
         "site.stack.slot_rows.3.name: row name 'B:20' must start with a letter, then letters, digits, '-', '_' "
         "or '.' (jobs write it as stack:NAME:TIER, so no ':'), e.g. \"A40\""),
        ("stop_x_20ft_m = 27.0", "stop_x_20ft_m = 2.0", "stop_x_20ft_m = 2.0",
         "site.truck_lanes.0.stop_x_20ft_m: lane T1: stop_x_20ft_m 2.0 must lie in x_min_m..x_max_m (5.0..120.0); "
         "move the stop or widen the lane"),
        ('slot = "stack:B20-2:1"', 'slot = "stack:B20-9:1"', "stack:B20-9:1",
         "containers.4.slot: stack slot B20-9 tier 1: site 'mixed-slots yard' has no stack slot 'B20-9'; "
         'did you mean "B20-4"? slots: Q1, A40-1, A40-2, A40-3, A40-4, A20-1, A20-2, A20-3, A20-4, B40-1, '
         "B40-2, B40-3 ..."),
        ('slot = "stack:B20-2:1"', 'slot = "stack:B40-2:1"', "stack:B40-2:1",
         "containers.4.slot: stack slot B40-2 tier 1: slot B40-2 takes 40-ft containers, not 20 ft"),
        ('slot = "stack:B20-2:1"', 'slot = "stack:3:2:1"', "stack:3:2:1",
         "containers.4.slot: stack bay 3 row 2 tier 1: site 'mixed-slots yard' has no bay grid; name its stack "
         "slots (e.g. stack:Q1:1)"),
        ('slot = "stack:B20-2:1"', 'slot = "stack:A20-1:1"', "stack:A20-1:1",
         "containers.4.slot: the yard cannot be laid out: cannot place container TCNU9081726 at stack slot A20-1 "
         "tier 1: a 20-ft set down on 40-ft CSQU3054383"),
        ('lane = "A1"', 'lane = "A7"', 'lane = "A7"',
         "vehicles.0.lane: site 'mixed-slots yard' has no agv lane 'A7' (known: A1)"),
        ("x_m = 90.0", "x_m = 390.0", "[site.stack]",
         "site.stack: stack slot Q1 (x 390.0 m, y 14.0 m) lies outside the crane's reach (gantry 0..300.0 m, "
         "trolley 0..38.0 m); move it, or correct [crane] gantry_travel_m, span_m or cantilever_m"),
        ("min_rope_length_m = 4.0 ", "min_rope_length_m = 8.0 ", "min_rope_length_m",
         "crane.min_rope_length_m: site 'mixed-slots yard': travel over its highest obstacle (11.58 m) needs the "
         "spreader at 14.98 m, above the lift height 13.50 m (the shortest rope, 8.0 m, stops the hoist there); "
         "shorten [crane] min_rope_length_m if the ropes allow, or lower what stands highest ([site.stack] max_tiers)"),
        ("min_rope_length_m = 4.0 ", "min_rope_length_m = 23.0 ", "min_rope_length_m",
         "crane.min_rope_length_m: min_rope_length_m leaves the hoist no travel: suspension_height_m - "
         "min_rope_length_m must be above hoist_lowest_m"),
        ("wind_stop_mps = 18.0", "wind_stop_mps = 24.0", "wind_stop_mps",
         "crane.wind_stop_mps: wind thresholds must rise: wind_prealarm_mps < wind_stop_mps < wind_storm_mps"),
        ("y_m = 10.5", "y_m = 12.5", "y_m = 12.5",
         "site.agv_lanes.0.y_m: lane A1: its vehicles' decks (y 11.20..13.80 m, x -2.40..127.40 m) overlap "
         "stack slot Q1 (y 12.78..15.22 m, x 83.14..96.86 m) by 1.02 m across and 13.72 m along the rails: a "
         "vehicle there would stand in the stack; move the lane (y_m, or x_min_m/x_max_m), narrow its "
         "deck_width_m, or move the stack"),
    ],
    ids=["same-size-overlap", "name-twice", "bad-size", "colon-in-name", "stop-off-lane", "unknown-slot",
         "size-not-taken", "grid-slot-on-named-site", "20-on-40-at-start", "unknown-lane", "out-of-reach",
         "rope-too-long-for-the-yard", "rope-leaves-no-travel", "wind-limits", "lane-on-the-stack"],
)  # fmt: skip
def test_a_bad_site_file_is_refused_at_the_line_to_change(
    tmp_path: Path, old: str, new: str, at: str, expected: str
) -> None:
    assert old in TEXT
    text = TEXT.replace(old, new, 1)
    assert problems_of(tmp_path, text) == [f"{line_of(text, at)} {expected}"]


LANE = {"deck_height_m": 1.4, "x_min_m": 5.0, "x_max_m": 120.0, "stop_x_m": 30.0}


def test_a_site_that_lists_lanes_of_one_kind_has_none_of_the_other() -> None:
    trucks = SiteLayout.model_validate({"truck_lanes": [{"id": "T1", "y_m": 2.0, **LANE}]})
    assert [lane.id for _, lane in trucks.lanes()] == ["T1"]
    agvs = SiteLayout.model_validate({"agv_lanes": [{"id": "A1", "y_m": 9.0, **LANE}]})
    assert [lane.id for _, lane in agvs.lanes()] == ["A1"]
    assert not trucks.default_lanes
    assert [lane.id for _, lane in SiteLayout().lanes()] == ["T1", "T2", "A1"]
    assert SiteLayout().default_lanes


@pytest.mark.parametrize(
    ("lane", "stack", "on"),
    [
        ({"y_m": 12.0}, {}, "row 1"),  # row 1 at y 14.0 m: 12.78..15.22 m
        ({"y_m": 26.0}, {}, "row 5"),  # between rows 4 and 5 (22.4 and 25.2 m)
        ({"y_m": 14.0, "x_min_m": 5.0, "x_max_m": 28.0}, {}, None),  # ends before bay 1 (x 40 m)
        ({"y_m": 14.0, "x_min_m": 5.0, "x_max_m": 33.0}, {}, "row 1"),  # a deck reaches bay 1
        ({"y_m": 12.0}, {"slots": [{"name": "Q1", "x_m": 60.0, "y_m": 13.5, "sizes": [20]}]},
         "slot Q1"),
        ({"y_m": 11.5, "deck_width_m": 2.6}, {}, "row 1"),  # 0.02 m over row 1's boxes
        ({"y_m": 11.5, "deck_width_m": 2.5}, {}, None),  # 0.03 m short of them
    ],
)  # fmt: skip
def test_a_lane_whose_decks_stand_on_the_stacks_ground_is_refused(
    lane: dict[str, float], stack: dict[str, object], on: str | None
) -> None:
    data = {"agv_lanes": [{"id": "A9", **LANE, "stop_x_m": lane.get("x_min_m", 5.0), **lane}],
            "stack": stack}  # fmt: skip
    if on is None:
        SiteLayout.model_validate(data)
        return
    with pytest.raises(ValidationError, match=f"lane A9: .* overlap stack {on} "):
        SiteLayout.model_validate(data)


def test_the_default_lanes_on_a_stack_moved_over_them_say_they_are_the_defaults(
    tmp_path: Path,
) -> None:
    text = "[site.stack]\norigin_y_m = 11.0\n"
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith("1 site.agv_lanes.0.y_m: default lane A1 (the file lists no lanes): ")
    assert problem.endswith("list the yard's lanes ([[site.truck_lanes]], [[site.agv_lanes]]), or "
                            "move the stack")  # fmt: skip


def test_the_shipped_sites_load() -> None:
    assert load_site().site.stack.has_grid
    assert load_site(MIXED).site.name == "mixed-slots yard"


def test_named_slots_are_written_and_read_back() -> None:
    for text in ("stack:A40-2:1", "stack:Q1:3", "stack:7:3:1", "truck:T1", "agv:A1"):
        assert slot_text(parse_slot(text)) == text
    assert parse_slot("stack:A40-2") == Slot.named("A40-2", 1)
    assert str(Slot.named("A40-2", 2)) == "stack slot A40-2 tier 2"
    with pytest.raises(ValueError, match=r"stack:NAME\[:TIER\]"):
        parse_slot("stack:4A:1")


@pytest.mark.parametrize("text", ["stack:²:1:1", "stack:١:1:1", "stack:1:1:" + "9" * 5000,
                                  "stack:A40-2:٣", "stack:1234567:1:1"])  # fmt: skip
def test_a_slot_number_is_ascii_digits_no_longer_than_any_yard_needs(text: str) -> None:
    """Issue 18: Unicode digits passed the check and failed int() ('invalid literal'), 5000
    digits hit Python's int limit: both said nothing a person could act on."""
    with pytest.raises(ValueError, match=r"is not truck:LANE, agv:LANE, stack:BAY:ROW\[:TIER\]"):
        parse_slot(text)
    assert parse_slot("stack:999999:1:1") == Slot.stack(999999, 1, 1)


def test_listing_slots_drops_the_bay_grid_unless_it_is_given_too() -> None:
    q1 = NamedSlot(name="Q1", x_m=300.0, y_m=14.0, sizes=(40,))
    assert not StackBlock(slots=(q1,)).has_grid
    both = StackBlock(bays=4, rows=2, slots=(q1,))
    assert both.has_grid
    assert both.extent().x_max == pytest.approx(300.0 + 12.192 / 2)
    with pytest.raises(
        ValidationError, match=r"slots\.0: slot Q1 at x 45\.0 m, y 14\.0 m lies on the bay grid"
    ):
        StackBlock(bays=4, rows=2, slots=(q1.model_copy(update={"x_m": 45.0}),))
    with pytest.raises(ValidationError, match="the stack has no slots"):
        StackBlock(bays=0)


def test_a_20ft_and_a_40ft_slot_at_one_x_are_one_place() -> None:
    site = load_site(MIXED).site
    assert site.shares_place(Slot.named("A20-3"), 20, Slot.named("A40-3"), 40)
    assert not site.shares_place(Slot.named("A20-3"), 20, Slot.named("A40-3", 2), 40)
    assert not site.shares_place(Slot.named("A20-3"), 20, Slot.named("A40-2"), 40)
    assert not site.shares_place(Slot.named("A20-3"), 20, Slot.named("B40-3"), 40)
    assert site.stack_slot_at(50.03, 14.0, 20, 0.05) == Slot.named("A20-3")
    assert site.stack_slot_at(50.03, 14.0, 40, 0.05) == Slot.named("A40-3")
    assert site.stack_slot_at(50.03, 14.0, 45, 0.05) is None


def test_lanes_stop_per_size_and_a_site_may_have_several_of_each_kind() -> None:
    lane = {"deck_height_m": 1.4, "x_min_m": 5.0, "x_max_m": 120.0, "stop_x_m": 30.0}
    site = SiteLayout.model_validate({
        "truck_lanes": [{"id": "T1", "y_m": 2.0, **lane, "stop_x_20ft_m": 27.0},
                        {"id": "T2", "y_m": 5.5, **lane}],
        "agv_lanes": [{"id": "A1", "y_m": 9.0, **lane, "stop_x_45ft_m": 31.0},
                      {"id": "A2", "y_m": 11.5, **lane}],
    })  # fmt: skip
    assert [lane.id for _, lane in site.lanes()] == ["T1", "T2", "A1", "A2"]
    assert site.slot_centre(Slot.truck("T1"), 20) == (27.0, 2.0)
    assert site.slot_centre(Slot.truck("T1"), 40) == (30.0, 2.0)
    assert site.slot_centre(Slot.agv("A1"), 45) == (31.0, 9.0)
    assert site.slot_centre(Slot.agv("A2"), 20, vehicle_x_m=44.0) == (44.0, 11.5)

"""The supervisor's yard inventory: landing heights, obstacles, moves."""

from __future__ import annotations

import pytest

from crane_ctrl.operation.yard_model import Box, YardModel
from crane_ctrl.sequencer.places import set_down_place
from crane_ctrl.site import CONTAINER_HEIGHT_HC_M, CONTAINER_HEIGHT_M, SiteLayout, Slot
from simulators.site_file import DEFAULT_SITE, load_site, yard_model_of

SITE = SiteLayout()


def test_pick_height_is_the_top_of_the_box_where_it_stands() -> None:
    lower = Box("A", 40, Slot.stack(3, 2, 1))
    upper = Box("B", 40, Slot.stack(3, 2, 2), high_cube=True)
    yard = YardModel(SITE, [lower, upper])
    ground = SITE.base_height(Slot.stack(3, 2, 1))
    assert yard.pick_height_m(lower) == pytest.approx(ground + CONTAINER_HEIGHT_M)
    assert yard.pick_height_m(upper) == pytest.approx(
        ground + CONTAINER_HEIGHT_M + CONTAINER_HEIGHT_HC_M
    )


def test_drop_height_counts_the_boxes_below_the_target_tier() -> None:
    yard = YardModel(SITE, [Box("A", 40, Slot.stack(3, 2, 1), high_cube=True)])
    box = Box("T", 40, Slot.truck("T1"))
    ground = SITE.base_height(Slot.stack(3, 2, 1))
    assert yard.drop_height_m(Slot.stack(3, 2, 2), box) == pytest.approx(
        ground + CONTAINER_HEIGHT_HC_M + CONTAINER_HEIGHT_M
    )


def test_truck_deck_is_under_a_box_on_a_truck() -> None:
    box = Box("T", 20, Slot.truck("T2"))
    yard = YardModel(SITE, [box])
    assert yard.pick_height_m(box) == pytest.approx(
        SITE.base_height(Slot.truck("T2")) + CONTAINER_HEIGHT_M
    )
    assert Slot("truck", lane="T2") in yard.vehicles


def test_obstacles_leave_out_the_box_on_the_spreader_and_show_the_column_top() -> None:
    yard = YardModel(SITE, [Box("A", 40, Slot.stack(3, 2, 1)), Box("B", 40, Slot.stack(3, 2, 2))])
    tops = [o.top_m for o in yard.obstacles()]
    assert max(tops) == pytest.approx(yard.pick_height_m(yard.boxes["B"]))
    assert max(o.top_m for o in yard.obstacles(exclude="B")) == pytest.approx(
        yard.pick_height_m(yard.boxes["A"])
    )


def test_move_records_where_a_box_was_set_down() -> None:
    yard = YardModel(SITE, [Box("A", 20, Slot.truck("T2"))])
    yard.move("A", Slot.stack(9, 1, 1))
    assert yard.at(Slot.stack(9, 1, 1)) is yard.boxes["A"]
    assert yard.at(Slot.truck("T2")) is None


def test_yard_model_of_the_shipped_site_matches_the_simulator() -> None:
    site = load_site()
    yard = yard_model_of(site)
    sim = site.simulator()
    assert set(yard.boxes) == set(sim.plant.yard.containers)


# --- named slots: what is in whose way, by footprint ---------------------------------------------

MIXED = DEFAULT_SITE.parent / "mixed-slots.toml"


def mixed(*boxes: Box) -> YardModel:
    return YardModel(load_site(MIXED).site, boxes, [Slot.agv("A1")])


def test_a_20ft_and_a_40ft_slot_at_one_x_are_one_stack_position() -> None:
    small = Box("S", 20, Slot.named("A20-3"))
    yard = mixed(small)
    assert yard.occupant(Slot.named("A40-3"), 40) == small
    assert yard.occupant(Slot.named("A40-2"), 40) is None
    assert yard.occupant(Slot.named("B40-3"), 40) is None
    assert yard.support_problem(Slot.named("A40-3", 2), 40) == (
        "a 40-ft container cannot stand on the single 20-ft container S at stack slot A20-3 tier 1:"
        " it would rest on air at both ends"
    )
    assert yard.support_problem(Slot.named("A20-3", 2), 20) is None
    assert yard.floor_m(Slot.named("A40-3", 2), 40) == pytest.approx(CONTAINER_HEIGHT_M)


def test_a_20ft_box_cannot_stand_on_the_roof_of_a_40ft_one() -> None:
    yard = mixed(Box("L", 40, Slot.named("A40-2")))
    assert yard.occupant(Slot.named("A20-2"), 20) == yard.boxes["L"]
    assert yard.support_problem(Slot.named("A20-2", 2), 20) == (
        "a 20-ft container cannot stand on the 40-ft container L at stack slot A40-2 tier 1: its "
        "corners would land on that box's roof, not on its corner castings"
    )
    assert yard.support_problem(Slot.named("A40-2", 2), 40) is None
    assert yard.support_problem(Slot.named("A40-2", 2), 40, moving="L") == (
        "nothing to stack on (tier 1 under it is empty)"
    )


def test_each_vehicle_stands_at_its_lanes_stop_for_its_box() -> None:
    yard = yard_model_of(load_site(MIXED))
    assert yard.vehicle_x == {"T1": 30.0, "T2": 47.0, "A1": 30.0}
    assert yard.centre(yard.boxes["TGHU7654321"]) == (47.0, 5.5)
    deck = next(o for o in yard.obstacles() if o.y_min < 5.5 < o.y_max and o.top_m < 2.0)
    assert (deck.x_min + deck.x_max) / 2 == pytest.approx(47.0)
    moved = YardModel(load_site(MIXED).site, [], [Slot.truck("T2")], vehicle_x={"T2": 60.0})
    assert moved.centre(Box("X", 20, Slot.truck("T2"))) == (60.0, 5.5)


def test_a_hanging_box_goes_down_only_where_a_box_of_its_size_may_stand() -> None:
    yard = mixed(Box("S", 20, Slot.named("A20-3")), Box("C", 40, Slot.truck("T1")))
    carried = yard.boxes["C"]
    assert set_down_place(yard, carried, (50.02, 14.01), 0.05) is None, "40 ft over a 20 ft"
    place = set_down_place(yard, carried, (30.02, 14.01), 0.05)
    assert place is not None
    assert place.slot == Slot.named("A40-2", 1)
    small = Box("T", 20, Slot.truck("T2"))
    yard = mixed(Box("S", 20, Slot.named("A20-3")), small)
    place = set_down_place(yard, small, (50.0, 14.0), 0.05)
    assert place is not None
    assert place.slot == Slot.named("A20-3", 2)
    assert place.landing_m == pytest.approx(2 * CONTAINER_HEIGHT_M)

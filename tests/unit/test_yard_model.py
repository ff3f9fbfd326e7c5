"""The supervisor's yard inventory: landing heights, obstacles, moves."""

from __future__ import annotations

import pytest

from crane_ctrl.operation.yard_model import Box, YardModel
from crane_ctrl.site import CONTAINER_HEIGHT_HC_M, CONTAINER_HEIGHT_M, SiteLayout, Slot
from simulators.site_file import load_site, yard_model_of

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

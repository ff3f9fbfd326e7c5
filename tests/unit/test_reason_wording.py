"""Reasons people read: compared numbers that never print equal, repeated reasons said once."""

from __future__ import annotations

from crane_ctrl.interlocks.evaluate import NO_LATCHES, Motion, evaluate
from crane_ctrl.signals import CORNERS
from crane_ctrl.snapshot import Quality
from crane_ctrl.wording import apart
from tests.unit.test_interlocks import LANDED, LOCKED, SETTINGS, snap


def test_compared_numbers_that_would_print_equal_get_the_digits_to_tell_them_apart() -> None:
    assert apart(3.9851, 3.9938, 2) == ("3.985", "3.994")
    assert apart(3.5, 3.99, 2) == ("3.50", "3.99")  # apart already: rounded alike
    assert apart(4.0, 4.0, 2) == ("4.00", "4.00")  # equal: nothing to add
    assert apart(20.04, 20.0, 1) == ("20.04", "20.00")


def test_path_clear_height_reason_shows_the_hoist_below_it() -> None:
    permits = evaluate(snap({"hoist.position": 3.9851}), SETTINGS, NO_LATCHES,
                       travel_clear_below_m=3.9938)  # fmt: skip
    (trip,) = permits.why_not(Motion.GANTRY_FWD)
    assert trip.reason.startswith("hoist at 3.985 m < path-clear height 3.994 m")


def test_telescope_reasons_are_grouped_by_corner() -> None:
    locked_landed = {**LOCKED, **LANDED, "hoist.load": 0.0}
    (trip,) = evaluate(snap(locked_landed), SETTINGS, NO_LATCHES).why_not(Motion.TELESCOPE)
    assert trip.reason == (
        "twistlock not unlocked on corners 1-4; twistlock locked on corners 1-4; "
        "landing pin pressed on corners 1-4"
    )
    two = {"spreader.landed_1": True, "spreader.landed_3": True}
    (trip,) = evaluate(snap(two), SETTINGS, NO_LATCHES).why_not(Motion.TELESCOPE)
    assert trip.reason == "landing pin pressed on corners 1, 3"


def test_signals_untrusted_for_one_reason_are_named_in_one_reason() -> None:
    stale = {f"spreader.landed_{c}": Quality.STALE for c in CORNERS}
    (trip,) = evaluate(snap(stale), SETTINGS, NO_LATCHES).why_not(Motion.TELESCOPE)
    assert trip.reason.count("stale") == 1
    assert all(f"spreader.landed_{c}" in trip.reason for c in CORNERS)

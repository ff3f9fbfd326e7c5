"""Spreader: telescope timing, twistlocks that turn only when landed, pins that press only on a
matching, aligned container, and the fault hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from crane_ctrl.crane import CraneParams
from crane_ctrl.site import CONTAINER_LENGTH_M, SiteLayout, Slot
from simulators.spreader import Spreader
from simulators.yard import ContainerSpec, FaultKind

if TYPE_CHECKING:
    from conftest import Rig

DT = 0.01
PINS = (True, True, True, True)


def _steps_until(spreader: Spreader, size_ref: int, size: int) -> tuple[int, set[int]]:
    """Steps until the spreader reads ``size``, and every size it read on the way."""
    seen: set[int] = set()
    for n in range(1, 10_000):
        spreader.step(False, False, size_ref, DT)
        seen.add(spreader.size_ft)
        if spreader.size_ft == size:
            return n, seen
    raise AssertionError("telescope never arrived")


@pytest.mark.parametrize(("start", "target"), [(40, 20), (20, 40), (40, 45), (45, 20)])
def test_telescope_takes_its_travel_time_and_reads_0_while_moving(
    params: CraneParams, start: int, target: int
) -> None:
    sp = Spreader.from_params(params, start)
    steps, seen = _steps_until(sp, target, target)
    stroke_20_40 = CONTAINER_LENGTH_M[40] - CONTAINER_LENGTH_M[20]
    share = abs(CONTAINER_LENGTH_M[target] - CONTAINER_LENGTH_M[start]) / stroke_20_40
    assert steps * DT == pytest.approx(params.telescope_time_s * share, abs=DT)
    assert seen == {0, target}


def test_telescope_holds_on_a_size_reference_that_is_no_size(params: CraneParams) -> None:
    sp = Spreader.from_params(params, 40)
    for _ in range(100):
        assert sp.step(False, False, 0, DT) is False
    assert sp.size_ft == 40


def test_twistlocks_do_not_turn_unless_all_four_pins_read_landed(params: CraneParams) -> None:
    sp = Spreader.from_params(params, 40)
    sp.pins = (True, True, True, False)
    for _ in range(300):
        sp.step(True, False, 40, DT)
    assert sp.unlocked() == (True, True, True, True)
    assert sp.locked() == (False, False, False, False)


def test_twistlocks_turn_in_the_turn_time_and_read_neither_while_turning(
    params: CraneParams,
) -> None:
    sp = Spreader.from_params(params, 40)
    sp.pins = PINS
    steps = 0
    while not all(sp.locked()):
        sp.step(True, False, 40, DT)
        steps += 1
        if not all(sp.locked()):
            assert sp.locked() == sp.unlocked() == (False, False, False, False)
    assert steps * DT == pytest.approx(params.twistlock_turn_time_s, abs=DT)


def test_twistlocks_stop_midway_when_the_command_drops_or_both_are_given(
    params: CraneParams,
) -> None:
    sp = Spreader.from_params(params, 40)
    sp.pins = PINS
    for _ in range(50):
        sp.step(True, False, 40, DT)
    midway = list(sp.twistlocks)
    for _ in range(50):
        sp.step(False, False, 40, DT)
        sp.step(True, True, 40, DT)
    assert sp.twistlocks == midway
    assert 0.0 < midway[0] < 1.0


def test_a_jammed_twistlock_stays_put(params: CraneParams) -> None:
    sp = Spreader.from_params(params, 40)
    sp.pins = PINS
    sp.jammed.add(3)
    for _ in range(300):
        sp.step(True, False, 40, DT)
    assert sp.locked() == (True, True, False, True)
    assert sp.unlocked() == (False, False, True, False)


def test_a_pin_stuck_released_blocks_the_twistlocks(params: CraneParams) -> None:
    sp = Spreader.from_params(params, 40)
    sp.pins = PINS
    sp.stuck_pins[2] = False
    assert sp.landed_sensed() == (True, False, True, True)
    for _ in range(300):
        sp.step(True, False, 40, DT)
    assert all(sp.unlocked())


def test_pins_stuck_pressed_defeat_the_hardwired_interlock(params: CraneParams) -> None:
    sp = Spreader.from_params(params, 40)
    sp.stuck_pins.update({1: True, 2: True, 3: True, 4: True})
    for _ in range(300):
        sp.step(True, False, 40, DT)
    assert all(sp.locked())


# --- pins on the plant: only on a container of the spreader's size, within tolerance ----------

BOX = ContainerSpec("BOX", 40, 20.0, Slot.stack(3, 2, 1))
BOX_X, BOX_Y = SiteLayout().slot_centre(BOX.slot, 40)


@pytest.mark.parametrize(
    ("spreader_ft", "dx", "dy", "pressed"),
    [
        (40, 0.0, 0.0, True),
        (40, 0.04, -0.04, True),
        (40, 0.06, 0.0, False),
        (40, 0.0, -0.06, False),
        (20, 0.0, 0.0, False),
        (45, 0.0, 0.0, False),
    ],
)
def test_pins_press_only_on_a_matching_aligned_container(
    make_rig: Callable[..., Rig],
    spreader_ft: int,
    dx: float,
    dy: float,
    pressed: bool,
) -> None:
    rig = make_rig(
        (BOX,), gantry_m=BOX_X + dx, trolley_m=BOX_Y + dy, hoist_m=3.5, spreader_ft=spreader_ft
    )
    rig.land()
    s = rig.s
    assert [s[f"spreader.landed_{k}"] for k in (1, 2, 3, 4)] == [pressed] * 4
    assert rig.plant.load_position()[2] == pytest.approx(2.591), "resting on the roof"
    assert s["hoist.load"] == 0.0
    if not pressed:
        assert s["hoist.slack_rope"] is True
        rig.plant.inputs.lock = True
        rig.run(3.0)
        assert all(rig.s[f"spreader.unlocked_{k}"] for k in (1, 2, 3, 4)), "must not turn"
    assert not rig.plant.faults


@pytest.mark.parametrize(
    ("gantry_m", "trolley_m"),
    [(250.0, 20.0), (30.0, 2.0)],  # open ground; empty truck deck
)
def test_pins_do_not_press_on_the_ground_or_a_bare_deck(
    make_rig: Callable[..., Rig], gantry_m: float, trolley_m: float
) -> None:
    rig = make_rig(gantry_m=gantry_m, trolley_m=trolley_m, hoist_m=3.0)
    if trolley_m == 2.0:
        rig.plant.yard.add_vehicle("truck", "T1")
    rig.land()
    assert not rig.landed()
    assert rig.s["hoist.slack_rope"] is True


def test_telescoping_while_seated_on_a_container_damages_it(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig((BOX,), gantry_m=BOX_X, trolley_m=BOX_Y, hoist_m=3.5)
    rig.land()
    assert rig.landed()
    rig.plant.inputs.size_ref_ft = 20
    rig.run(1.0)
    assert [f.kind for f in rig.plant.faults] == [FaultKind.DAMAGED_LOAD]
    assert not rig.landed()

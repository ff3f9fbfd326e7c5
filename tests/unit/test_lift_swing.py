"""A lift off a truck in a steady wind under the stop limit, beside the next truck's box (hostile14
finding 12, bench case 1042025).

The box on truck T1 (24.5 t) stands 1 m from the box on truck T2. Lifted in a steady 19.5 m/s, it
swung 1.05 m into T2's box before it had risen clear. Now (:mod:`crane_ctrl.sequencer.lift_swing`)
a box whose mass is declared waits on its support while its swing in the wind ahead would reach
a neighbour before it rose clear; one lighter than declared, or of unknown mass, is weighed as
it comes off and set straight back down if so, and then waits, its mass known (unless the wind
is such that an empty box would swing off its place faster than a set-back lands it: then a box
of unknown mass waits as if it were empty); when the wind drops it lifts, and the job goes on.

J1 (truck T1 -> stack 7:3:1) in lock-step through the automation, on the generic Modbus profile.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from crane_ctrl.operation.machine import PackState
from crane_ctrl.runtime.automation import Automation
from crane_ctrl.sequencer.automatic_move import Step
from crane_ctrl.site import Slot
from crane_ctrl.testing import LockStep
from tests.unit.automation_rig import BOX, in_step, refs, rig_with_j1, start

DECK_TOLERANCE_M = 0.05
"""How far off its place on the trailer the box may stand once set back (the stacking tolerance
is twice this)."""


async def _lift_in(rig: LockStep, wind_mps: float) -> None:
    """A steady ``wind_mps`` for 12 s before J1 starts."""
    rig.sim.faults.inject("wind", speed_mps=wind_mps)
    await rig.run_for(12.0)


def _undeclared(automation: Automation) -> None:
    """The yard does not know the box's mass: the lift-off weighs it."""
    yard = automation.yard
    yard.boxes[BOX] = replace(yard.boxes[BOX], mass_t=None)


async def _until_the_lift_waits(rig: LockStep, automation: Automation) -> list[Step]:
    """Scan until the trial lift waits for the wind; the steps the move went through."""
    steps: list[Step] = []

    def waits(_: object) -> bool:
        run = automation.sequencer.run
        if run is not None and (not steps or steps[-1] is not run.step):
            steps.append(run.step)
        return run is not None and run.step is Step.TRIAL_LIFT and bool(run.lift_waits)

    await rig.until(waits, within_s=200, what="the lift waits")
    return steps


async def _waits_then_goes_on(rig: LockStep, automation: Automation) -> None:
    """The box on its trailer, on its place; 20 s of waiting with the hoist still and nothing
    hit; then the wind drops to 5 m/s and the job is done."""
    box = rig.sim.plant.yard.containers[BOX]
    assert not rig.sim.plant.carrying
    assert box.location == Slot.truck("T1")
    centre_y = automation.yard.centre(automation.yard.boxes[BOX])[1]
    assert abs(box.y_m - centre_y) <= DECK_TOLERANCE_M
    for _ in range(round(20.0 / rig.period_s)):
        view = await rig.scan()
        assert refs(view)[2] == 0.0
        assert automation.machine.state is PackState.EXECUTE
    assert rig.sim.model_faults == ()
    rig.sim.faults.inject("wind", speed_mps=5.0)
    await rig.until(in_step(automation, Step.TRAVEL, delivering=True), within_s=60)
    await rig.until(lambda v: automation.queue.get("J1").final, within_s=300)
    assert automation.queue.get("J1").state.name == "DONE"
    assert rig.sim.model_faults == ()


@pytest.mark.parametrize("wind_mps", [17.0, 19.5])
async def test_a_declared_box_that_would_swing_into_the_next_trucks_box_waits_on_its_trailer(
    wind_mps: float,
) -> None:
    """The yard declares it 24.5 t: the lift waits before the box leaves the trailer."""
    rig, automation = rig_with_j1()
    async with rig:
        await _lift_in(rig, wind_mps)
        await start(rig, automation)
        steps = await _until_the_lift_waits(rig, automation)
        assert Step.SET_BACK not in steps, steps
        assert rig.sim.plant.hoist.position_m < automation.sequencer.run.trial_from_m + 0.01
        await _waits_then_goes_on(rig, automation)


async def test_a_box_of_unknown_mass_waits_where_a_set_back_would_come_too_late() -> None:
    """12 m/s: the declared 24.5-t box lifts (its swing stays short of T2's box), but a box whose
    mass is not known might be an empty one, which would swing off its place faster than a
    set-back at lift-off could land it: it waits, saying how to let it be judged."""
    rig, automation = rig_with_j1()
    async with rig:
        _undeclared(automation)
        await _lift_in(rig, 12.0)
        await start(rig, automation)
        steps = await _until_the_lift_waits(rig, automation)
        assert Step.SET_BACK not in steps, steps
        run = automation.sequencer.run
        assert run is not None
        assert "its mass is not declared" in run.lift_waits
        await _waits_then_goes_on(rig, automation)


async def test_a_box_lighter_than_declared_is_judged_again_as_it_comes_off() -> None:
    """Declared 24.5 t, really 12 t, in 14 m/s: the declared box may lift (its swing stays short
    of T2's box); weighed at lift-off, the 12-t box would not: set back, and it waits."""
    rig, automation = rig_with_j1()
    async with rig:
        rig.sim.faults.inject("overweight", container=BOX, mass_t=12.0)
        await _lift_in(rig, 14.0)
        await start(rig, automation)
        steps = await _until_the_lift_waits(rig, automation)
        assert Step.SET_BACK in steps, steps
        run = automation.sequencer.run
        assert run is not None
        assert run.lift_mass_t is not None
        assert abs(run.lift_mass_t - 12.0) < 0.5
        await _waits_then_goes_on(rig, automation)


@pytest.mark.parametrize(
    ("declared", "wind_mps"), [(True, 12.0), (False, 5.0)], ids=["declared 12", "unknown 5"]
)
async def test_in_a_wind_whose_swing_stays_short_of_the_neighbour_the_box_lifts_at_once(
    declared: bool, wind_mps: float
) -> None:
    """The declared 24.5-t box in 12 m/s (and its next gust 16) leans too little to reach T2's
    box; so does a box of unknown mass in 5 m/s, whatever it weighs."""
    rig, automation = rig_with_j1()
    async with rig:
        if not declared:
            _undeclared(automation)
        await _lift_in(rig, wind_mps)
        await start(rig, automation)
        await rig.until(in_step(automation, Step.RAISE, delivering=True), within_s=200)
        run = automation.sequencer.run
        assert run is not None
        assert run.wind_set_back == ""
        assert run.lift_waits == ""

"""A lift off a truck in a steady wind under the stop limit, beside the next truck's box (hostile14
finding 12, bench case 1042025).

The box on truck T1 (24.5 t) stands 1 m from the box on truck T2. Lifted in a steady 19.5 m/s, it
swung 1.05 m into T2's box before it had risen clear. Now (:mod:`crane_ctrl.sequencer.lift_swing`)
the trial lift weighs it as it comes off, sets it straight back down if its swing in the wind
ahead would reach a neighbour first, and the lift waits on its support, the mass known, while the
wind would still do that; then it lifts, and the job goes on.

J1 (truck T1 -> stack 7:3:1) in lock-step through the automation, on the generic Modbus profile.
"""

from __future__ import annotations

import pytest

from crane_ctrl.operation.machine import PackState
from crane_ctrl.sequencer.automatic_move import Step
from crane_ctrl.site import Slot
from crane_ctrl.testing import LockStep
from tests.unit.automation_rig import BOX, in_step, refs, rig_with_j1, start

DECK_TOLERANCE_M = 0.05
"""How far off its place on the trailer the box may stand once set back (the stacking tolerance
is twice this)."""


async def _lift_in(rig: LockStep, wind_mps: float) -> None:
    """J1 to its lock on T1, then a steady ``wind_mps`` for 12 s before the lift."""
    rig.sim.faults.inject("wind", speed_mps=wind_mps)
    await rig.run_for(12.0)


@pytest.mark.parametrize("wind_mps", [17.0, 19.5])
async def test_a_box_that_would_swing_into_the_next_trucks_box_is_set_back_and_waits(
    wind_mps: float,
) -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await _lift_in(rig, wind_mps)
        await start(rig, automation)
        steps: list[Step] = []

        def note(_: object) -> bool:
            run = automation.sequencer.run
            if run is not None and (not steps or steps[-1] is not run.step):
                steps.append(run.step)
            return run is not None and run.step is Step.TRIAL_LIFT and bool(run.lift_waits)

        await rig.until(note, within_s=200, what="the lift waits")
        assert Step.SET_BACK in steps, steps
        assert steps[steps.index(Step.SET_BACK) :] == [Step.SET_BACK, Step.LOCK, Step.TRIAL_LIFT]
        box = rig.sim.plant.yard.containers[BOX]
        assert not rig.sim.plant.carrying
        assert box.location == Slot.truck("T1")
        centre_y = automation.yard.centre(automation.yard.boxes[BOX])[1]
        assert abs(box.y_m - centre_y) <= DECK_TOLERANCE_M
        for _ in range(round(20.0 / rig.period_s)):  # waits: the hoist still, nothing hit
            view = await rig.scan()
            assert refs(view)[2] == 0.0
            assert automation.machine.state is PackState.EXECUTE
        assert rig.sim.model_faults == ()
        rig.sim.faults.inject("wind", speed_mps=5.0)
        await rig.until(in_step(automation, Step.TRAVEL, delivering=True), within_s=60)
        await rig.until(lambda v: automation.queue.get("J1").final, within_s=300)
        assert automation.queue.get("J1").state.name == "DONE"
        assert rig.sim.model_faults == ()


async def test_in_a_wind_whose_swing_stays_short_of_the_neighbour_the_box_lifts_at_once() -> None:
    """10 m/s (and its next gust 14): the 24.5-t box leans too little to reach T2's box."""
    rig, automation = rig_with_j1()
    async with rig:
        await _lift_in(rig, 10.0)
        await start(rig, automation)
        await rig.until(in_step(automation, Step.RAISE, delivering=True), within_s=200)
        run = automation.sequencer.run
        assert run is not None
        assert run.wind_set_back == ""

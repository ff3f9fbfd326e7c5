"""A wind stop while the job is held in its trial lift, the box a few centimetres off its pick
place and not weighed (bench case 1020586, seeds 1,020,000+ on e183d4b).

A bad trolley position held the move 1.1 s into the trial lift (a stop trip: nothing moves by
itself, the trial lift's own set-back included); a 23 m/s wind came while it was held. Once the
data was good again only the wind stopped the crane, and the hold's own wind reaction should
have made the box safe; it did nothing: a resume in wind counts the wind as no cause only while
the load "has hung free in this leg" (``Run.airborne``), which the trial lift's box had not (it
is set only once weighed). So WIND_STOP counted as a cause still there, the resume was refused,
and the hold's reaction with it: the box hung over its truck in the storm, leaning, until it hit
the next truck's box 1.8 s later. Now a box lifted at its trial lift and not weighed may be
secured as any hanging load (``Run.lifted_unweighed``): the hold's wind reaction sets it back
on its truck (over its place) or raises it clear, the hoist only, and holds again.
"""

from __future__ import annotations

from crane_ctrl.operation.machine import PackState
from crane_ctrl.sequencer.automatic_move import Step
from tests.unit.automation_rig import in_step, refs, rig_with_j1, start, trips

SECURING = (Step.WIND_SET_DOWN, Step.WIND_RAISE)


async def test_held_by_bad_data_in_the_trial_lift_a_wind_stop_is_secured_once_the_data_is_good(
) -> None:  # fmt: skip
    rig, automation = rig_with_j1()
    async with rig:
        await start(rig, automation)
        await rig.until(in_step(automation, Step.TRIAL_LIFT, delivering=False), within_s=200)
        await rig.until(lambda v: (v.snapshot.number("hoist.load") or 0.0) > 20.0, within_s=5,
                        what="the box lifted off T1 on the ropes")  # fmt: skip
        rig.sim.faults.inject("force", signal="trolley.position", value=1e9)
        await rig.until(lambda v: automation.machine.state is PackState.HELD, within_s=1)
        rig.sim.faults.inject("wind", speed_mps=24.0)
        view = await rig.until(lambda v: "WIND_STOP" in trips(v), within_s=2, what="WIND_STOP")
        for _ in range(4):  # the data still bad: nothing moves
            view = await rig.scan()
            assert refs(view) == (0.0, 0.0, 0.0)
        rig.sim.faults.clear("force")
        run = automation.sequencer.run
        assert run is not None
        for _ in range(3):
            view = await rig.scan()
            if run.step in SECURING:
                break
        assert run.step in SECURING, (run.step, automation.sequencer.resume_refusals())
        for _ in range(round(20.0 / rig.period_s)):
            gantry, trolley, _ = refs(view)
            assert (gantry, trolley) == (0.0, 0.0), "the hoist only"
            assert automation.machine.state in (PackState.HOLDING, PackState.HELD)
            if run.step is Step.HELD:
                break
            view = await rig.scan()
        assert run.step is Step.HELD, "held again once the box is safe"
        assert rig.sim.model_faults == ()
        said = [str(e["reason"]) for e in run.events]
        assert any("the hold's own reaction" in r for r in said), said

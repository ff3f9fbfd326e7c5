"""A wind stop while the job waits for the operator (hostile14 finding 3, issue 14).

Held by the operator 1.5 m over truck T1, below the top of the box on truck T2 beside it, a
22 m/s wind used to find the crane doing nothing (the wind's securing ran only while the move
ran) and swung the box into T2's box. The two rules of issue 14, reconciled
(:mod:`crane_ctrl.sequencer.wind`): the securing is the crane's own reaction to the wind trip,
never a resumption of the job, so

- HELD (drives on), the load exposed (:func:`~crane_ctrl.sequencer.wind.exposure`): the hold's
  own reaction sets it down on a place within reach below or raises it clear, the hoist only,
  the job still HELD, journaled "wind stop while held", and holds again for the operator;
- HELD, not exposed (the empty spreader): nothing moves;
- STOPPED (the operator's STOP: drives off), exposed or not: nothing moves by itself, the wind's
  securing included, until START; the exposure alarm's text tells the operator so;
- a trip that waits for a reset (the e-stop) while held: the reaction waits for the operator's
  resume (a reset starts nothing).

STOP, ABORT, HOLD and bad data during the hold's own securing: ``test_wind_securing.py`` (its
storm comes while the job is held, so the raise there is this reaction).
"""

from __future__ import annotations

from crane_ctrl.operation.jobs import JobState
from crane_ctrl.operation.machine import PackCommand, PackState
from crane_ctrl.runtime.automation import Automation
from crane_ctrl.sequencer.automatic_move import Step
from crane_ctrl.testing import LockStep
from tests.unit.automation_rig import (
    BOX,
    DESTINATION,
    held,
    in_step,
    nothing_moves,
    refs,
    rig_with_j1,
    rising_past,
    start,
    trips,
)
from tests.unit.test_wind_securing import storm_builds_up

LOW_M = 5.5
"""J1's box rising past this over T1: 1.5 m above the trailer, below the top of T2's box."""
GALE_MPS = 22.0


def _reasons(automation: Automation) -> list[str]:
    run = automation.sequencer.run
    assert run is not None
    return [str(e["reason"]) for e in run.events]


async def _held_low(rig: LockStep, automation: Automation) -> None:
    await start(rig, automation)
    await rig.until(lambda v: rising_past(v, automation, LOW_M), within_s=200)
    await held(rig, automation)
    await rig.run_for(2.0)  # travel and hoist at rest


async def wind_stop_reset(rig: LockStep) -> None:
    """The operator resets WIND_STOP once its cause is gone (the 3-s gust reading below it)."""
    for _ in range(round(10.0 / rig.period_s)):
        view = await rig.scan()
        if "WIND_STOP" not in trips(view):
            return
        rig.supervisor.request_reset()
    raise AssertionError("WIND_STOP not reset within 10 s of the calm")


async def _empty_travel(rig: LockStep, automation: Automation) -> None:
    await start(rig, automation)
    await rig.until(in_step(automation, Step.TRAVEL, delivering=False), within_s=10)
    await rig.run_for(2.0)


async def test_a_wind_stop_while_held_raises_the_exposed_box_clear_and_holds_again() -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await _held_low(rig, automation)
        xy = (rig.sim.plant.gantry.position_m, rig.sim.plant.trolley.position_m)
        rig.sim.faults.inject("wind", speed_mps=GALE_MPS)
        await rig.until(in_step(automation, Step.WIND_RAISE, delivering=True), within_s=0.5,
                        what="the hold's own wind raise")  # fmt: skip
        assert any(r.startswith("wind stop while held: raising it clear") for r in _reasons(
            automation))  # fmt: skip
        raised = in_step(automation, Step.HELD, delivering=True)
        for _ in range(round(15.0 / rig.period_s)):
            view = await rig.scan()
            gantry, trolley, hoist = refs(view)
            assert (gantry, trolley) == (0.0, 0.0), "the hoist only"
            assert hoist >= 0.0, "straight up"
            assert automation.machine.state is PackState.HELD, "the job still held"
            assert automation.queue.get("J1").state is JobState.MOVING_TO_DELIVER
            if raised(view):
                break
        run = automation.sequencer.run
        assert run is not None
        assert run.step is Step.HELD
        assert run.wind_secured
        assert "clear of every neighbour" in _reasons(automation)[-1]
        assert rig.sim.plant.hoist.position_m > 7.0, "above the top of T2's box (3.99 m)"
        assert (rig.sim.plant.gantry.position_m, rig.sim.plant.trolley.position_m) == xy
        assert rig.sim.model_faults == ()
        await nothing_moves(rig, 3.0)  # then it waits for the operator
        (why,) = automation.sequencer.resume_refusals()
        assert why.startswith("still: WIND_STOP")


async def test_held_just_over_its_place_the_box_is_set_down_there_and_stays_locked() -> None:
    """Held 8 cm over its destination as it landed: the hold's own reaction sets it down there
    (straight down, within reach), then holds, the box locked on it; the operator's UNHOLD
    after the wind unlocks it there and the job fails naming the place, as a wind stop's
    set-down does."""
    rig, automation = rig_with_j1()
    async with rig:
        await start(rig, automation)
        await rig.until(in_step(automation, Step.LOWER, delivering=True), within_s=300)
        run = automation.sequencer.run
        assert run is not None
        landing = run.landing_height_m(automation.yard)
        await rig.until(lambda v: rig.sim.plant.hoist.position_m < landing + 0.08, within_s=60)
        automation.command(PackCommand.HOLD, rig.clock.now(), "test")
        await rig.run_for(2.0)
        rig.sim.faults.inject("wind", speed_mps=20.3)
        await rig.until(in_step(automation, Step.WIND_SET_DOWN, delivering=True), within_s=0.5,
                        what="the hold's own set-down")  # fmt: skip
        await rig.until(in_step(automation, Step.HELD, delivering=True), within_s=5)
        assert "set down on stack bay 7 row 3 tier 1 (its destination), locked" in _reasons(
            automation)[-1]  # fmt: skip
        assert automation.machine.state is PackState.HELD
        assert rig.sim.plant.spreader.all_locked(), "held locked: the job waits"
        assert rig.sim.plant.yard.containers[BOX].location == DESTINATION
        await nothing_moves(rig, 2.0)
        rig.sim.faults.clear("wind")
        await wind_stop_reset(rig)
        automation.command(PackCommand.UNHOLD, rig.clock.now(), "test")
        await rig.until(lambda v: automation.queue.get("J1").final, within_s=30)
        job = automation.queue.get("J1")
        assert job.state is JobState.FAILED
        assert "set down on stack bay 7 row 3 tier 1" in job.reason
        assert automation.yard.boxes[BOX].slot == DESTINATION
        assert rig.sim.model_faults == ()


async def test_an_empty_spreader_held_in_a_wind_stop_stays_where_it_is() -> None:
    """Not exposed (nothing hangs on it that the wind could swing into a neighbour): the hold
    holds."""
    rig, automation = rig_with_j1()
    async with rig:
        await _empty_travel(rig, automation)
        await held(rig, automation)
        await rig.run_for(6.0)  # at rest
        rig.sim.faults.inject("wind", speed_mps=GALE_MPS)
        await rig.until(lambda v: "WIND_STOP" in trips(v), within_s=1, what="WIND_STOP")
        await nothing_moves(rig, 5.0)
        run = automation.sequencer.run
        assert run is not None
        assert run.step is Step.HELD
        assert automation.wind_exposure == ""


async def test_stopped_nothing_moves_by_itself_in_a_wind_stop_until_start() -> None:
    """The operator's STOP with the box low beside T2's box, then a gale: STOP is the operator's
    "nothing moves" (the drives off); the crane does not secure the load by itself. The alarm's
    text tells the operator to START (in a step of 22 m/s the box still reaches T2's box: the
    STOP's, beyond the crane's control; the safety bench counts it so)."""
    rig, automation = rig_with_j1()
    async with rig:
        await start(rig, automation)
        await rig.until(lambda v: rising_past(v, automation, LOW_M), within_s=200)
        automation.command(PackCommand.STOP, rig.clock.now(), "test")
        await rig.until(lambda v: automation.machine.state is PackState.STOPPED, within_s=5)
        rig.sim.faults.inject("wind", speed_mps=GALE_MPS)
        for _ in range(round(2.0 / rig.period_s)):
            view = await rig.scan()
            assert refs(view) == (0.0, 0.0, 0.0)
            assert not view.commands.drives_enable
        assert "WIND_STOP" in trips(rig.supervisor.view)
        assert "START" in automation.wind_exposure
        run = automation.sequencer.run
        assert run is not None
        assert (run.step, run.interrupted) == (Step.HELD, True)


async def test_an_empty_spreader_stopped_in_a_wind_stop_stays_where_it_is() -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await _empty_travel(rig, automation)
        automation.command(PackCommand.STOP, rig.clock.now(), "test")
        await rig.until(lambda v: automation.machine.state is PackState.STOPPED, within_s=5)
        rig.sim.faults.inject("wind", speed_mps=GALE_MPS)
        await rig.until(lambda v: "WIND_STOP" in trips(v), within_s=1, what="WIND_STOP")
        await nothing_moves(rig, 3.0)
        assert automation.wind_exposure == ""


async def test_after_an_estop_while_held_the_wind_stop_waits_for_the_operators_resume() -> None:
    """The e-stop while held, the chain closed and reset: a reset starts nothing, so the storm's
    wind stop finds the job waiting for the operator; the UNHOLD (a resume in wind is for
    making the load safe) raises it clear."""
    rig, automation = rig_with_j1()
    async with rig:
        await start(rig, automation)
        await rig.until(in_step(automation, Step.TRAVEL, delivering=True), within_s=200)
        await held(rig, automation)
        rig.sim.faults.inject("estop")
        await rig.run_for(0.5)
        rig.sim.faults.clear("estop")
        rig.supervisor.request_reset()
        await rig.until(lambda v: "ESTOP" not in trips(v), within_s=2, what="ESTOP reset")
        await storm_builds_up(rig)
        await rig.until(lambda v: "WIND_STOP" in trips(v), within_s=2, what="WIND_STOP")
        await nothing_moves(rig, 0.5)
        automation.command(PackCommand.UNHOLD, rig.clock.now(), "make it safe")
        await rig.until(in_step(automation, Step.WIND_RAISE, delivering=True), within_s=1)
        await rig.until(in_step(automation, Step.HELD, delivering=True), within_s=15)
        run = automation.sequencer.run
        assert run is not None
        assert run.wind_secured
        assert rig.sim.model_faults == ()

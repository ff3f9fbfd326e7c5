"""SEMIAUTOMATIC hand-over at truck lanes, in lock-step: the sequencer stops over the truck, the
remote operator jogs the landing (reduced speed, dead-man, creep near the landing) and confirms;
a confirm without Landed is refused with the reason, a confirm when Landed goes on to the end."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from crane_ctrl.operation.machine import CommandRefused, ModeRules, ModeSettings
from crane_ctrl.operation.machine import Mode as OperatingMode
from crane_ctrl.sequencer.automatic_move import Outcome, Step
from crane_ctrl.site import Slot
from tests.unit.sequencer_rig import BOX, DESTINATION, SOURCE, JobRig

RULES = ModeRules.of(OperatingMode.SEMIAUTOMATIC)
JOG_FACTOR = ModeSettings().manual_speed_factor


async def jog_until(
    job: JobRig, axis: str, direction: int, done: Callable[[], bool], within_s: float
) -> None:
    """Hold the jog (ask again every scan) until ``done()``."""
    for _ in range(round(within_s / job.rig.period_s)):
        job.sequencer.operator_jog(axis, direction, job.rig.clock.now())
        await job.scan()
        if done():
            return
    raise TimeoutError(f"{axis} jog did not get there within {within_s} s ({job.where})")


async def land_by_hand(job: JobRig) -> None:
    """The operator lowers at creep near the landing until it is seated; checks the creep."""
    run = job.sequencer.run
    assert run is not None
    assert run.handover is not None
    landing = run.handover.landing_m
    creep = job.sim.plant.params.creep_speed_mps
    for _ in range(round(60 / job.rig.period_s)):
        job.sequencer.operator_jog("hoist", -1, job.rig.clock.now())
        await job.scan()
        if job.hoist_m() <= landing + job.sim.plant.params.creep_distance_m - 0.05:
            assert abs(job.sim.plant.hoist.speed_mps) <= creep + 1e-6, job.where
        if all(job.sim.plant.spreader.landed_sensed()) and not job.sim.plant.carrying:
            break  # seated (a box's roof keeps the pins pressed while it still hangs)
    await job.run_for(0.5)
    assert job.written_refs()[2] == 0.0


async def test_pick_from_a_truck_is_handed_over_jogged_refused_until_landed_then_finishes() -> None:
    async with JobRig() as job:
        job.start(operator_lands=RULES.operator_lands)
        await job.until_step(Step.OPERATOR_LANDING, delivering=False, within_s=120)
        task = job.sequencer.awaiting_operator
        assert task is not None
        assert task == f"land the spreader on container {BOX} on {SOURCE} for J1 and confirm"
        pick = job.yard.pick_height_m(job.yard.boxes[BOX])
        assert job.hoist_m() == pytest.approx(pick + 1.0, abs=0.03), "approach height"
        await job.run_for(2.0)
        assert job.written_refs() == (0.0, 0.0, 0.0), "nothing moves without the operator"

        with pytest.raises(CommandRefused, match="landing pin 1, 2, 3, 4 not pressed"):
            job.sequencer.confirm_landing(job.rig.clock.now())

        # a travel jog at reduced speed; released, it stops within the dead-man time
        x0 = job.xy()[0]
        job.sequencer.operator_jog("gantry", +1, job.rig.clock.now())
        await job.scan()
        rated = job.sim.plant.params.gantry_speed_empty_mps
        assert job.written_refs()[0] == pytest.approx(JOG_FACTOR * rated)
        await job.run_for(0.7)
        assert job.written_refs()[0] == 0.0, "dead-man: the jog ran out"
        await job.until(job.at_rest, within_s=5, what="gantry at rest")
        job.sequencer.operator_jog("gantry", -1, job.rig.clock.now())
        await job.run_for(0.7)
        await job.until(job.at_rest, within_s=5, what="gantry at rest")
        assert job.xy()[0] == pytest.approx(x0, abs=0.01)

        await jog_until(job, "hoist", -1, lambda: job.hoist_m() < pick + 0.3, within_s=30)
        with pytest.raises(CommandRefused, match="too low"):
            job.sequencer.operator_jog("trolley", +1, job.rig.clock.now())
        await land_by_hand(job)
        assert job.step is Step.OPERATOR_LANDING, "landed, but it waits for the confirm"

        job.sequencer.confirm_landing(job.rig.clock.now())
        assert str(job.step) == str(Step.LOCK)
        assert job.sequencer.awaiting_operator is None
        outcome, reason = await job.until_finished()
        assert (outcome, reason) == (Outcome.DONE, "")
        assert job.box.location == DESTINATION
        assert job.sim.model_faults == ()


async def test_set_down_on_a_truck_is_handed_over_and_the_yard_model_follows_the_confirm() -> None:
    async with JobRig() as job:
        job.start()  # FULLAUTOMATIC: truck to stack, nobody asked
        assert (await job.until_finished())[0] is Outcome.DONE
        job.start(to=SOURCE, job_id="J2", operator_lands=RULES.operator_lands)
        await job.until_step(Step.OPERATOR_LANDING, delivering=True, within_s=150)
        assert (
            job.sequencer.awaiting_operator == f"land J2 (container {BOX}) on {SOURCE} and confirm"
        )
        with pytest.raises(CommandRefused, match=r"still carry .* not set down"):
            job.sequencer.confirm_landing(job.rig.clock.now())
        await land_by_hand(job)
        assert job.yard.boxes[BOX].slot == DESTINATION, "not moved before the confirm"
        job.sequencer.confirm_landing(job.rig.clock.now())
        assert job.yard.boxes[BOX].slot == SOURCE
        outcome, _ = await job.until_finished()
        assert outcome is Outcome.DONE
        assert job.box.location == SOURCE
        assert job.sim.model_faults == ()


async def test_operator_commands_are_refused_outside_a_hand_over() -> None:
    async with JobRig() as job:
        with pytest.raises(CommandRefused, match="no job"):
            job.sequencer.confirm_landing(job.rig.clock.now())
        job.start(operator_lands=RULES.operator_lands)
        await job.scan()
        with pytest.raises(CommandRefused, match="no landing waits"):
            job.sequencer.operator_jog("hoist", -1, job.rig.clock.now())


async def test_a_stop_during_the_hand_over_holds_and_resume_hands_over_again() -> None:
    async with JobRig() as job:
        job.start(operator_lands=RULES.operator_lands)
        await job.until_step(Step.OPERATOR_LANDING, delivering=False, within_s=120)
        job.sequencer.operator_jog("hoist", -1, job.rig.clock.now())
        job.inject("estop")
        await job.until_held(within_s=1.0)
        assert job.sequencer.awaiting_operator is None
        with pytest.raises(CommandRefused):
            job.sequencer.operator_jog("hoist", -1, job.rig.clock.now())
        job.clear("estop")
        await job.reset_until_clear("ESTOP", "DRIVE_FAULT")
        job.resume()
        await job.until_step(Step.OPERATOR_LANDING, delivering=False, within_s=60)
        assert job.sequencer.awaiting_operator is not None
        run = job.sequencer.run
        assert run is not None
        assert run.handover is not None
        assert run.handover.jogs == {}


def test_the_mode_rules_say_where_the_operator_lands() -> None:
    assert RULES.operator_lands(Slot.truck("T1"))
    assert not RULES.operator_lands(Slot.agv("A1"))
    assert not RULES.operator_lands(DESTINATION)


async def test_a_hoist_that_ran_on_past_the_approach_height_never_lands_by_itself() -> None:
    """A late scan (a busy supervisor computer) lets the hoist run on past the approach height
    with its last reference: the crane stops where it is and hands the landing over from
    there; it never lands by itself (found by ``bench fleet`` under load: a semiautomatic truck
    landing went straight on to lock). The scan stalls 0.45 s as the hoist slows to the approach
    height, the PLC going on with the last references."""
    async with JobRig() as job:
        job.start(operator_lands=RULES.operator_lands)
        pick = job.yard.pick_height_m(job.yard.boxes[BOX])
        approach = pick + 1.0

        def nearly_at_the_approach_height() -> bool:
            run = job.sequencer.run
            return (run is not None and not run.delivering and run.step is Step.TRAVEL
                    and job.hoist_m() < approach + 0.12 and job.sim.plant.hoist.speed_mps < -0.3)  # fmt: skip

        await job.until(nearly_at_the_approach_height, within_s=120, what="nearly there")
        stall_s = 0.45  # (within the PLC's 0.5 s watchdog: a longer one trips it)
        job.sim.run(stall_s, job.rig.sim_dt)  # the PLC goes on with the last references
        job.rig.clock.advance(stall_s)
        assert job.hoist_m() < approach - 0.03, "the stall carried it past the approach height"
        await job.until_step(Step.OPERATOR_LANDING, delivering=False, within_s=30)
        await job.run_for(2.0)
        assert job.written_refs() == (0.0, 0.0, 0.0), "nothing moves without the operator"
        assert not any(job.sim.plant.spreader.landed_sensed()), "it landed by itself"

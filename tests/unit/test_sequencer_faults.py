"""Faults during an automatic move, in lock-step: each one ends safe, with the reason in the journal.

Every scenario runs the default job (box MSKU1234565 from truck T1 to stack 7:3:1) on the
generic Modbus profile and injects its fault at a moment chosen from the sequencer's steps or the
crane's state. Safe means: no model fault (never dropped, damaged or collided), the load either
set down on a support or hanging on four locked twistlocks with the sequencer HELD and every
speed reference zero, the job's outcome and reason from the sequencer, and the reason in the
journal (trips, refusals and alarms from the supervisor, steps and outcome from the sequencer).
After a hold nothing moves until the operator resumes: an interlock reset alone restarts nothing.
"""

from __future__ import annotations

import re

from crane_ctrl.interlocks.evaluate import Motion
from crane_ctrl.sequencer.automatic_move import Outcome, Step
from crane_ctrl.site import Slot
from tests.unit.sequencer_rig import BOX, DESTINATION, SOURCE, JobRig

HOLD_WITHIN_S = 1.0
"""A stop trip puts the sequencer in HELD within this (a few scans)."""
STOP_WITHIN_S = 15.0
"""Travel at full speed ramps to rest within this (2 m/s at 0.2 m/s^2 is 10 s)."""
FAIL_AT_SOURCE_S = 120.0
"""A job that fails at the truck ends within this (the whole move takes some 160 s)."""
STILL_M = 1e-3


# --- what safe looks like ---------------------------------------------------------------------


def held_reason(job: JobRig) -> str:
    held = [e for e in job.steps() if e["step"] == str(Step.HELD)]
    assert held, f"no hold in the journal ({job.where})"
    return str(held[-1]["reason"])


def assert_no_model_fault(job: JobRig) -> None:
    assert job.sim.model_faults == (), job.where


def assert_load_never_loose(job: JobRig) -> None:
    """A hanging box hangs on four locked twistlocks."""
    plant = job.sim.plant
    if plant.carrying:
        assert plant.spreader.all_locked(), job.where


def assert_held_safely(job: JobRig, *why: str) -> None:
    """HELD, at rest, nothing asked of the drives, the load hanging locked or standing, and
    ``why`` (any one of the words) in the reason the hold was journaled with."""
    assert job.step is Step.HELD, job.where
    assert job.sequencer.outcome is None
    assert_no_model_fault(job)
    assert_load_never_loose(job)
    assert job.written_refs() == (0.0, 0.0, 0.0), job.where
    assert job.view.refusals == (), "a held sequencer asks for nothing the interlocks refuse"
    assert job.at_rest(), job.where
    reason = held_reason(job)
    assert any(w in reason for w in why), reason


def assert_set_down(job: JobRig) -> None:
    """The box stands on a support in a slot and the spreader does not hold it up."""
    assert not job.sim.plant.carrying, job.where
    assert isinstance(job.box.location, Slot), job.where


def assert_left_empty_at_source(job: JobRig) -> None:
    """The job failed before the box left: it stands on T1 and the spreader lets go of it."""
    assert job.box.location == SOURCE, job.where
    assert not job.sim.plant.carrying
    assert job.sim.plant.spreader.all_free(), job.twistlocks()
    assert job.sim.plant.yard.trailer_rise_m() == 0.0
    assert job.yard.boxes[BOX].slot == SOURCE
    assert_no_model_fault(job)


def assert_done(job: JobRig) -> None:
    assert job.sequencer.outcome is not None
    assert job.sequencer.outcome[1] is Outcome.DONE, job.sequencer.outcome
    assert job.box.location == DESTINATION, job.where
    assert job.yard.boxes[BOX].slot == DESTINATION
    assert not job.sim.plant.carrying
    assert_no_model_fault(job)


def failed_step_events(job: JobRig, reason_part: str) -> list[str]:
    """The steps the sequencer journaled with a reason containing ``reason_part``."""
    return [str(e["step"]) for e in job.steps() if reason_part in str(e["reason"])]


def journal_outcome(job: JobRig) -> dict[str, object]:
    (outcome,) = [v for k, _, v in job.journal.events if k == "sequencer" and "outcome" in v]
    return outcome


def pose(job: JobRig) -> tuple[float, ...]:
    return (*job.xy(), job.hoist_m(), *job.twistlocks())


async def assert_nothing_moves(job: JobRig, seconds: float) -> None:
    """For ``seconds`` no axis and no twistlock moves, and the job stays where it is."""
    before, step = pose(job), job.step
    for _ in range(round(seconds / job.rig.period_s)):
        await job.scan()
        assert job.written_refs() == (0.0, 0.0, 0.0), job.where
        assert not job.sim.plc.commands["spreader.lock"]
        assert not job.sim.plc.commands["spreader.unlock"]
    assert job.step is step, job.where
    assert all(abs(a - b) <= STILL_M for a, b in zip(pose(job), before, strict=True)), job.where
    assert_no_model_fault(job)


async def mid_travel_with_the_box(job: JobRig) -> None:
    """Half way from the truck to the stack, the box hanging, at full travel speed."""
    job.start()
    await job.until_step(Step.TRAVEL, delivering=True, within_s=120)
    box = job.yard.boxes[BOX]
    half_way = (job.yard.centre(box, SOURCE)[0] + job.yard.centre(box, DESTINATION)[0]) / 2
    await job.until(lambda: job.xy()[0] >= half_way, within_s=60, what="half way")
    assert job.sim.plant.carrying
    assert job.sim.plant.gantry.speed_mps > 1.0  # moving, not creeping


async def finish_after_resume(job: JobRig) -> None:
    """The resumed job completes, or fails with the box set down safely and a reason."""
    outcome, reason = await job.until_finished()
    if outcome is Outcome.DONE:
        assert_done(job)
    else:
        assert reason, "a failed job says why"
        assert_set_down(job)
        assert_no_model_fault(job)


async def ramp_wind(job: JobRig, to_mps: float, over_s: float) -> float | None:
    """The wind rises steadily from calm to ``to_mps`` (a front arriving), then blows on; the
    hoist's speed at the scan WIND_STOP tripped (None if it did not)."""
    start = job.rig.clock.now()
    hoist_at_trip = None
    while True:
        share = min(1.0, (job.rig.clock.now() - start) / over_s)
        job.inject("wind", speed_mps=to_mps * share)
        await job.scan()
        if hoist_at_trip is None and job.trips("WIND_STOP"):
            hoist_at_trip = job.sim.plant.hoist.speed_mps
        if share >= 1.0:
            return hoist_at_trip


# --- the scenarios ----------------------------------------------------------------------------


async def test_wind_to_the_stop_limit_mid_lift_holds_or_sets_the_box_down_safely() -> None:
    async with JobRig() as job:
        job.start()
        await job.until_step(Step.RAISE, delivering=True, within_s=120)
        pick = job.yard.pick_height_m(job.yard.boxes[BOX])
        await job.until(lambda: job.hoist_m() >= pick + 0.5, within_s=5, what="box clear")
        rising = await ramp_wind(job, 21.0, over_s=6.0)  # 20 m/s some 2.5 m above the truck

        events = [(k, s, v.get("phase")) for k, s, v in job.journal.events]
        tripped = events.index(("trip", "WIND_STOP", None))
        wind_steps = {str(Step.HELD), str(Step.WIND_RAISE), str(Step.WIND_SET_DOWN)}
        steps = [e for e in events[:tripped] if e[0] == "sequencer" and e[1] not in wind_steps]
        # travel starts while the hoist still rises (overlap): mid-lift is the hoist going up;
        # the wind past what the travel was cleared for gives the travel up to settle first
        mid_lift = (str(Step.RAISE), str(Step.TRAVEL), str(Step.SETTLE))
        assert steps[-1][1:] in {(step, "deliver") for step in mid_lift}, steps[-3:]
        assert rising is not None, "WIND_STOP did not trip"
        assert rising > 0.0, "not mid-lift"
        (trip,) = job.trips("WIND_STOP")
        assert re.fullmatch(r"wind 2\d\.\d m/s >= stop limit 20\.0 m/s", str(trip["reason"]))
        assert job.alarms("WIND_STOP"), "the wind stop is annunciated"

        await job.until(
            lambda: job.sequencer.outcome is not None or (job.step is Step.HELD and job.at_rest()),
            within_s=60, what="held at rest or the box set down",
        )  # fmt: skip
        await job.run_for(10.0)  # the wind blows on; the load swings in it
        if job.sequencer.outcome is None:  # hold per configuration: hanging, locked, still
            assert_held_safely(job, "WIND_STOP", "wind")
        else:  # set down at the nearest safe place
            _, outcome, reason = job.sequencer.outcome
            assert outcome is Outcome.FAILED
            assert "wind" in reason.lower(), reason
            assert_set_down(job)
            assert_no_model_fault(job)
            assert "wind" in str(journal_outcome(job)["reason"]).lower()

        job.clear("wind")
        await job.reset_until_clear("WIND_STOP")
        await assert_nothing_moves(job, 2.0)  # a reset is not a resume


async def test_estop_mid_travel_holds_the_box_hanging_then_reset_and_resume_finish_it() -> None:
    async with JobRig() as job:
        await mid_travel_with_the_box(job)
        job.inject("estop")
        await job.until_held(within_s=HOLD_WITHIN_S)
        await job.until(job.at_rest, within_s=STOP_WITHIN_S, what="crane at rest")
        await job.run_for(5.0)
        assert_held_safely(job, "ESTOP")
        (trip,) = job.trips("ESTOP")
        assert trip["reason"] == "emergency-stop chain open"
        assert job.alarms("ESTOP"), "the e-stop is annunciated"

        job.clear("estop")
        await job.reset_until_clear("ESTOP", "DRIVE_FAULT")
        await assert_nothing_moves(job, 2.0)  # drives back, but nothing until resumed
        job.resume()
        await finish_after_resume(job)


async def test_comms_drop_while_locking_holds_and_nothing_moves_until_resumed() -> None:
    async with JobRig() as job:
        job.start()
        await job.until_step(Step.LOCK, delivering=False, within_s=120)
        await job.until(lambda: 0.0 < min(job.twistlocks()) < 0.5, within_s=2, what="turning")
        job.inject("link_freeze")
        await job.until_held(within_s=HOLD_WITHIN_S)
        assert "link down" in held_reason(job) or "comms" in held_reason(job)
        await job.run_for(2.0)  # the PLC's watchdog stops what we last asked for
        assert job.sim.plc.watchdog_trip
        frozen = pose(job)
        await job.run_for(2.0)
        assert pose(job) == frozen, "nothing moves while the PLC cannot be reached"
        assert not job.sim.plant.carrying  # still landed on the truck: never lifted blind

        job.clear("link_freeze")
        await job.until(lambda: job.view.snapshot.comms_ok, within_s=3, what="comms back")
        assert job.step is Step.HELD
        await assert_nothing_moves(job, 2.0)  # comms back, but nothing until resumed
        await job.reset_until_clear("WATCHDOG_TRIP")
        await assert_nothing_moves(job, 1.0)
        assert any("link down" in str(t["reason"]) for t in job.trips("COMMS_FAULT"))
        assert job.trips("WATCHDOG_TRIP")

        job.resume()
        await job.until_finished()
        assert_done(job)
        resumed = [e["step"] for e in job.steps()]
        held_at = resumed.index(str(Step.HELD))
        assert resumed[held_at + 1] == str(Step.LOCK), "the lock step goes on after the hold"


async def test_twistlock_that_will_not_lock_fails_the_job_and_says_why_in_the_journal() -> None:
    async with JobRig() as job:
        job.inject("twistlock_jammed", corner=2)
        job.start()
        outcome, reason = await job.until_finished(within_s=FAIL_AT_SOURCE_S)
    assert outcome is Outcome.FAILED
    assert reason == "twistlocks not locked within 3 s"
    assert_left_empty_at_source(job)
    assert str(Step.UNLOCK) in failed_step_events(job, reason)
    assert journal_outcome(job)["reason"] == reason
    mixed = job.trips("MIXED_LOCK")
    assert any("2 unlocked" in str(t["reason"]) for t in mixed), mixed
    lifts = job.journal.of("refusal", str(Motion.HOIST_UP))
    assert not [r for r in lifts if "MIXED_LOCK" in str(r["interlocks"])], "lift on three locks"


async def test_overweight_container_is_set_back_down_and_the_journal_says_overweight() -> None:
    async with JobRig() as job:
        job.inject("overweight", container=BOX, mass_t=48.0)
        job.start()
        outcome, reason = await job.until_finished(within_s=FAIL_AT_SOURCE_S)
    assert outcome is Outcome.FAILED
    assert re.match(r"overweight: \d+\.\d t > 44\.0 t", reason), reason
    assert_left_empty_at_source(job)
    assert str(Step.SET_BACK) in failed_step_events(job, "overweight")
    assert journal_outcome(job)["reason"] == reason
    (trip,) = job.trips("OVERLOAD")
    assert re.fullmatch(r"load \d+\.\d\d t > overload trip 44\.00 t", str(trip["reason"]))
    assert job.alarms("OVERLOAD")


async def test_misaligned_box_on_the_truck_fails_the_landing_without_trying_to_lock() -> None:
    async with JobRig() as job:
        job.inject("misaligned", container=BOX, dx_m=0.3)  # off its castings by 0.3 m
        job.start()
        outcome, reason = await job.until_finished(within_s=FAIL_AT_SOURCE_S)
    assert outcome is Outcome.FAILED
    assert "landing not confirmed" in reason, reason
    assert_left_empty_at_source(job)
    assert job.journal.of("refusal", str(Motion.LOCK)) == [], "lock asked without all landed"
    assert failed_step_events(job, "landing not confirmed")
    assert "landing not confirmed" in str(journal_outcome(job)["reason"])


async def test_truck_lifted_with_the_container_is_set_back_down_and_the_job_fails() -> None:
    async with JobRig() as job:
        job.inject("truck_lifted", lane="T1")  # chassis twistlocks left locked
        job.start()
        outcome, reason = await job.until_finished(within_s=FAIL_AT_SOURCE_S)
    assert outcome is Outcome.FAILED
    assert reason.startswith("truck lifted with the container"), reason
    assert_left_empty_at_source(job)
    assert str(Step.SET_BACK) in failed_step_events(job, "truck lifted")
    (trip,) = job.trips("TRUCK_LIFTED")
    assert trip["reason"] == "truck lifted with the container"
    assert "truck lifted" in str(journal_outcome(job)["reason"])


async def test_person_in_the_lane_mid_travel_holds_until_cleared_and_resumed() -> None:
    async with JobRig() as job:
        await mid_travel_with_the_box(job)
        job.inject("person_in_lane")
        await job.until_held(within_s=HOLD_WITHIN_S)
        await job.until(job.at_rest, within_s=STOP_WITHIN_S, what="crane at rest")
        assert_held_safely(job, "LANE_NOT_CLEAR", "person in the lane")
        (trip,) = job.trips("LANE_NOT_CLEAR")
        assert trip["reason"] == "person in the lane or light curtain broken"

        job.clear("person_in_lane")
        await assert_nothing_moves(job, 1.0)  # the lane trip latches: clear is not enough
        await job.reset_until_clear("LANE_NOT_CLEAR")
        await assert_nothing_moves(job, 2.0)  # a reset is not a resume
        job.resume()
        await finish_after_resume(job)

"""The automatic crane in lock-step: queued jobs run in EXECUTE, hold and resume, why no start."""

from __future__ import annotations

from crane_ctrl.operation.jobs import JobQueue, JobState
from crane_ctrl.operation.machine import Mode, PackCommand, PackState
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.runtime.automation import Automation
from crane_ctrl.sequencer.automatic_move import Step
from crane_ctrl.site import Slot
from crane_ctrl.testing import LockStep
from simulators.site_file import load_site, yard_model_of
from tests.profile_texts import PROFILES


def rig_with_jobs(
    mode: Mode = Mode.FULLAUTOMATIC,
) -> tuple[LockStep, Automation, list[dict[str, object]]]:
    site = load_site()
    yard = yard_model_of(site)
    queue = JobQueue(site.site, site.crane)
    events: list[dict[str, object]] = []
    automation = Automation(site.crane, yard, queue, mode=mode, on_event=events.append)
    queue.add(Slot.truck("T1"), Slot.stack(7, 3, 1), 40, 0.0, job_id="J1")
    queue.add(Slot.truck("T2"), Slot.stack(11, 1, 1), 20, 0.0, job_id="J2")
    rig = LockStep(
        load_profile(PROFILES / "generic-modbus.toml"), site.simulator(), sequencer=automation
    )
    return rig, automation, events


async def start(rig: LockStep, automation: Automation) -> None:
    await rig.until(lambda v: v.snapshot.comms_ok, within_s=2, what="comms")
    automation.command(PackCommand.RESET, rig.clock.now())
    await rig.scan()
    automation.command(PackCommand.START, rig.clock.now())


async def test_queued_jobs_run_one_after_the_other_through_their_tic_states() -> None:
    rig, automation, events = rig_with_jobs()
    async with rig:
        await start(rig, automation)
        await rig.until(
            lambda v: len(automation.queue.finished()) == 2, within_s=800, what="two jobs"
        )
    states = [j.state for j in automation.queue.finished()]
    assert states == [JobState.DONE, JobState.DONE]
    j1 = automation.queue.get("J1")
    assert [s.state for s in j1.history] == [
        JobState.QUEUED, JobState.MOVING_TO_COLLECT, JobState.READY_TO_COLLECT,
        JobState.MOVING_TO_DELIVER, JobState.READY_TO_DELIVER, JobState.DONE,
    ]  # fmt: skip
    assert rig.sim.plant.yard.containers["TGHU7654321"].location == Slot.stack(11, 1, 1)
    assert rig.sim.model_faults == ()
    assert any(e["kind"] == "job" for e in events)


async def test_operator_hold_stops_the_move_and_unhold_finishes_it() -> None:
    rig, automation, _ = rig_with_jobs()
    async with rig:
        await start(rig, automation)
        await rig.until(lambda v: automation.sequencer.run is not None
                        and automation.sequencer.run.step is Step.TRAVEL, within_s=60)  # fmt: skip
        automation.command(PackCommand.HOLD, rig.clock.now(), "operator")
        view = await rig.until(lambda v: automation.machine.state is PackState.HELD, within_s=2)
        view = await rig.run_for(3.0)
        assert view.commands.moving is False
        assert abs(rig.sim.plant.gantry.speed_mps) < 1e-6
        automation.command(PackCommand.UNHOLD, rig.clock.now())
        await rig.until(lambda v: automation.queue.get("J1").state is JobState.DONE, within_s=400)
    assert rig.sim.model_faults == ()


async def test_manual_mode_says_why_no_automatic_start() -> None:
    rig, automation, _ = rig_with_jobs(Mode.MANUAL)
    async with rig:
        await start(rig, automation)
        await rig.run_for(1.0)
    assert automation.sequencer.run is None
    assert any("MANUAL" in reason for reason in automation.why_not_start)
    assert automation.queue.get("J1").state is JobState.QUEUED

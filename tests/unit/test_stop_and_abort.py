"""Issue 14, finding 3: STOP and ABORT always finish, and the operator always gets the crane back.

Before: STOP while the loaded crane travelled left the machine STOPPING for good with the box
hanging locked (STOPPING waited for a job that the station would not cancel); ABORT wedged in
ABORTING the same way. Now:

- STOP: every reference 0 at once (the drives ramp), STOPPED within the longest ramp plus a scan,
  the box where it is, locked, the job INTERRUPTED;
- ABORT: references 0 and the drives off in the next scan, ABORTED; CLEAR -> STOPPED;
- from STOPPED with the job interrupted: RESET + START resumes it (planned again from where the
  crane is), or the operator sets the box down below it, or takes it over in MANUAL;
- STOP + RESET (or ABORT + CLEAR + RESET) reaches IDLE from any step of the job.
"""

from __future__ import annotations

import pytest

from crane_ctrl.operation.jobs import JobState
from crane_ctrl.operation.machine import Mode, PackCommand, PackState, Role
from crane_ctrl.runtime.automation import Automation, _stop_time_s
from crane_ctrl.sequencer.automatic_move import Step
from crane_ctrl.signals import CORNERS
from crane_ctrl.site import Slot
from crane_ctrl.testing import LockStep
from tests.unit.automation_rig import (
    BOX,
    in_step,
    loaded_travel,
    nothing_moves,
    refs,
    rig_with_j1,
    start,
    unhold_and_finish,
)


def stop_bound_s(automation: Automation, rig: LockStep) -> float:
    return _stop_time_s(automation.params) + 2 * rig.period_s


def locked_hanging(rig: LockStep) -> bool:
    """Locked, and the ropes carry the box (its roof may keep the pins pressed as it hangs)."""
    s = rig.supervisor.view.snapshot
    locked = all(s.flag(f"spreader.locked_{c}", unsafe=False) for c in CORNERS)
    load = s.number("hoist.load")
    slack = s.flag("hoist.slack_rope", unsafe=True)
    return locked and load is not None and load > 1.0 and not slack


async def reset_to_idle(rig: LockStep, automation: Automation) -> None:
    automation.command(PackCommand.RESET, rig.clock.now())
    await rig.until(lambda v: automation.machine.state is PackState.IDLE, within_s=1)


async def test_stop_mid_travel_with_the_box_reaches_stopped_then_start_finishes_the_job() -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await loaded_travel(rig, automation)
        automation.command(PackCommand.STOP, rig.clock.now(), "test")
        view = await rig.scan()
        assert refs(view) == (0.0, 0.0, 0.0)
        await rig.until(
            lambda v: automation.machine.state is PackState.STOPPED,
            within_s=stop_bound_s(automation, rig),
            what="STOPPED within the ramp time plus a scan",
        )
        assert automation.queue.get("J1").state is JobState.INTERRUPTED
        assert locked_hanging(rig)
        await nothing_moves(rig, 3.0)
        assert not rig.supervisor.view.commands.drives_enable  # brakes on while STOPPED
        await reset_to_idle(rig, automation)
        await unhold_and_finish(rig, automation, PackCommand.START)


async def test_abort_mid_travel_drops_the_drives_at_once_and_clear_reset_start_finish() -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await loaded_travel(rig, automation)
        automation.command(PackCommand.ABORT, rig.clock.now(), "test")
        view = await rig.scan()
        assert refs(view) == (0.0, 0.0, 0.0)
        assert not view.commands.drives_enable
        await rig.until(lambda v: automation.machine.state is PackState.ABORTED, within_s=0.2)
        await rig.run_for(5.0)  # the PLC brakes the crane to a stop
        assert locked_hanging(rig)
        automation.command(PackCommand.CLEAR, rig.clock.now())
        await rig.until(lambda v: automation.machine.state is PackState.STOPPED, within_s=1)
        await reset_to_idle(rig, automation)
        await unhold_and_finish(rig, automation, PackCommand.START)


async def test_stopped_with_the_box_the_operator_takes_it_over_in_manual() -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await loaded_travel(rig, automation)
        automation.command(PackCommand.STOP, rig.clock.now(), "test")
        await rig.until(lambda v: automation.machine.state is PackState.STOPPED, within_s=10)
        automation.set_mode(Mode.MANUAL, Role.OPERATOR, rig.clock.now(), "op")
        job = automation.queue.get("J1")
        assert job.state is JobState.FAILED
        assert "taken over in MANUAL" in job.reason
        assert automation.sequencer.run is None
        assert automation.carried == BOX  # no job starts until it is set down by hand
        await reset_to_idle(rig, automation)


async def test_stopped_just_after_lift_off_the_box_is_set_down_on_its_pick_place() -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await start(rig, automation)
        await rig.until(in_step(automation, Step.RAISE, delivering=True), within_s=200)
        await rig.run_for(0.5)
        automation.command(PackCommand.STOP, rig.clock.now(), "test")
        await rig.until(lambda v: automation.machine.state is PackState.STOPPED, within_s=10)
        automation.set_down(rig.clock.now())
        await reset_to_idle(rig, automation)
        automation.command(PackCommand.START, rig.clock.now())
        await rig.until(lambda v: automation.queue.get("J1").final, within_s=120)
        job = automation.queue.get("J1")
        assert job.state is JobState.FAILED
        assert "set down on truck lane T1" in job.reason or "T1" in job.reason
        assert rig.sim.plant.yard.containers[BOX].location == Slot.truck("T1")
        assert rig.sim.model_faults == ()


@pytest.mark.parametrize(
    ("step", "delivering"),
    [(Step.LOWER, False), (Step.LOCK, False), (Step.TRAVEL, True), (Step.UNLOCK, True)],
    ids=["collect lower", "lock", "deliver travel", "unlock"],
)
@pytest.mark.parametrize("stop", [PackCommand.STOP, PackCommand.ABORT])
async def test_stop_or_abort_in_any_step_then_reset_reaches_idle_and_the_job_finishes(
    step: Step, delivering: bool, stop: PackCommand
) -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await start(rig, automation)
        await rig.until(in_step(automation, step, delivering=delivering), within_s=300)
        automation.command(stop, rig.clock.now(), "test")
        done = PackState.STOPPED if stop is PackCommand.STOP else PackState.ABORTED
        await rig.until(lambda v: automation.machine.state is done, within_s=10)
        if stop is PackCommand.ABORT:
            await rig.run_for(3.0)
            automation.command(PackCommand.CLEAR, rig.clock.now())
            await rig.until(lambda v: automation.machine.state is PackState.STOPPED, within_s=1)
        await reset_to_idle(rig, automation)
        await unhold_and_finish(rig, automation, PackCommand.START)

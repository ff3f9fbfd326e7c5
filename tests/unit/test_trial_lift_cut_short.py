"""The trial lift cut short before it weighed the box (hostile14 finding 7, bench case 1002968).

The trial lift's checks (the truck lifted, overweight) ran only while its step ran: a HOLD 0.70 s
into it left a trailer hanging 0.03 m up on the box (under the 0.05 m truck-lift trip), and STOP,
RESET, CANCEL ended the job "cancelled" with nothing saying a trailer hung on it. Now
(:mod:`crane_ctrl.sequencer.trial_lift`): held there, the hold's own reaction sets the box back
down on its pick place (the hoist only, at creep, the job HELD throughout) and holds again,
naming what the trial lift found; stopped or aborted there, the job may be neither cancelled nor
taken over by hand until SET DOWN (then START) or START has closed the question.

Every test runs J1 (truck T1 -> stack 7:3:1) in lock-step through the automation.
"""

from __future__ import annotations

import pytest

from crane_ctrl.operation.jobs import JobState
from crane_ctrl.operation.machine import CommandRefused, Mode, PackCommand, PackState, Role
from crane_ctrl.runtime.automation import Automation
from crane_ctrl.runtime.supervisor import SupervisorView
from crane_ctrl.sequencer.automatic_move import Step
from crane_ctrl.site import Slot
from crane_ctrl.testing import LockStep
from tests.unit.automation_rig import (
    BOX,
    held,
    in_step,
    nothing_moves,
    refs,
    rig_with_j1,
    start,
    unhold_and_finish,
)

SOURCE = Slot.truck("T1")
CREEP_MPS = 0.1
"""The crane's creep speed: the set-back is no faster."""


def _reasons(automation: Automation) -> list[str]:
    run = automation.sequencer.run
    assert run is not None
    return [str(e["reason"]) for e in run.events]


def _rise(rig: LockStep) -> float:
    return rig.sim.plant.yard.trailer_rise_m()


async def _trailer_coming_up(rig: LockStep, automation: Automation) -> None:
    """J1 with T1's chassis twistlocks left locked, into its trial lift until the trailer has
    come up 1 cm with the box: well under the 0.05 m truck-lift trip, nothing tripped yet."""
    rig.sim.faults.inject("truck_lifted", lane="T1")
    await start(rig, automation)
    await rig.until(in_step(automation, Step.TRIAL_LIFT, delivering=False), within_s=200)
    await rig.until(lambda v: _rise(rig) > 0.01, within_s=2, what="the trailer coming up")
    assert _rise(rig) < 0.03


async def _set_back_while_held(rig: LockStep, automation: Automation) -> None:
    """Scan until the hold's own set-back has put the box down; every scan of it: the job HELD,
    the hoist only, down, at creep at most."""
    for _ in range(round(5.0 / rig.period_s)):
        view = await rig.scan()
        gantry, trolley, hoist = refs(view)
        assert (gantry, trolley) == (0.0, 0.0), "the hoist only"
        assert -CREEP_MPS - 1e-9 <= hoist <= 0.0, "straight down, at creep"
        assert automation.machine.state in (PackState.HOLDING, PackState.HELD)
        if "set back down on" in _reasons(automation)[-1]:
            return
    raise AssertionError(f"not set back down within 5 s: {_reasons(automation)}")


def _standing_on_its_truck(rig: LockStep) -> None:
    assert _rise(rig) == 0.0, "the trailer back on its wheels"
    assert not rig.sim.plant.carrying
    assert rig.sim.plant.yard.containers[BOX].location == SOURCE
    assert rig.sim.model_faults == ()


async def _resumed_it_fails_on_the_truck_lift(rig: LockStep, automation: Automation) -> None:
    """UNHOLD after the hold's set-back: the job ends FAILED naming the truck lift, the box
    unlocked where it stands."""
    automation.command(PackCommand.UNHOLD, rig.clock.now())
    await rig.until(lambda v: automation.queue.get("J1").final, within_s=60, what="J1 ends")
    job = automation.queue.get("J1")
    assert job.state is JobState.FAILED
    assert job.reason.startswith("truck lifted with the container"), job.reason
    assert rig.sim.plant.spreader.all_free()


async def test_held_in_the_trial_lift_with_a_trailer_coming_up_the_box_is_set_back_and_held(
) -> None:  # fmt: skip
    rig, automation = rig_with_j1()
    async with rig:
        await _trailer_coming_up(rig, automation)
        await held(rig, automation)
        await _set_back_while_held(rig, automation)
        _standing_on_its_truck(rig)
        setting_back, done = _reasons(automation)[-2:]
        assert "not yet weighed" in setting_back, setting_back
        assert "a trailer" in setting_back, setting_back
        assert "the hold's own reaction" in setting_back
        assert done.endswith("locked; resumed, the trial lift starts again"), done
        await nothing_moves(rig, 3.0)  # then it waits for the operator
        assert automation.machine.state is PackState.HELD
        # resumed, the trial lift runs again and sees the truck lift this time
        await _resumed_it_fails_on_the_truck_lift(rig, automation)
    _standing_on_its_truck(rig)


async def test_a_truck_lift_seen_while_held_is_named_and_the_box_unlocked_after_the_set_back(
) -> None:  # fmt: skip
    """The PLC's truck-lift detection trips while the job is held in the trial lift: the hold's
    set-back names it, and the resume unlocks the box there and fails the job with it."""
    rig, automation = rig_with_j1()
    async with rig:
        await _trailer_coming_up(rig, automation)
        rig.sim.faults.inject("force", signal="lane.truck_lifted", value=True)
        await held(rig, automation)
        await _set_back_while_held(rig, automation)
        _standing_on_its_truck(rig)
        done = _reasons(automation)[-1]
        assert done.startswith("truck lifted with the container: container"), done
        assert done.endswith("resumed, it is unlocked there and the job fails"), done
        await _resumed_it_fails_on_the_truck_lift(rig, automation)


async def test_held_as_the_box_goes_back_after_the_truck_lift_the_hold_sets_it_back_naming_it(
) -> None:  # fmt: skip
    """The trial lift saw the truck lift and started setting the box back; the operator's HOLD
    then: the hold's own reaction sets it down all the same, naming the truck lift."""
    rig, automation = rig_with_j1()
    async with rig:
        rig.sim.faults.inject("truck_lifted", lane="T1")
        await start(rig, automation)
        await rig.until(in_step(automation, Step.SET_BACK, delivering=False), within_s=200)
        assert _rise(rig) > 0.05, "the trailer up past the truck-lift trip"
        await held(rig, automation)
        await _set_back_while_held(rig, automation)
        _standing_on_its_truck(rig)
        done = _reasons(automation)[-1]
        assert done.startswith("truck lifted with the container: container"), done
        await _resumed_it_fails_on_the_truck_lift(rig, automation)


async def test_held_by_bad_data_in_the_trial_lift_nothing_moves_until_the_operator_resumes(
) -> None:  # fmt: skip
    """A trip's hold is no operator's HOLD: after bad data (a NaN load for 0.5 s) nothing moves
    by itself, the set-back included; the journal says the box hangs unweighed and is not set
    back; UNHOLD goes on with the trial lift, which sees the truck lift and fails the job."""
    rig, automation = rig_with_j1()
    async with rig:
        await _trailer_coming_up(rig, automation)
        rig.sim.faults.inject("force", signal="hoist.load", value=float("nan"))
        await rig.until(lambda v: automation.machine.state is PackState.HELD, within_s=1)
        await rig.run_for(0.5)
        rig.sim.faults.clear("force")
        await nothing_moves(rig, 3.0)
        assert _rise(rig) > 0.0, "the trailer still hangs: held, nothing moves by itself"
        (why,) = [r for r in _reasons(automation) if "not set back" in r]
        assert "SIGNAL_QUALITY" in why, why
        automation.command(PackCommand.UNHOLD, rig.clock.now())
        await rig.until(lambda v: automation.queue.get("J1").final, within_s=60, what="J1 ends")
    job = automation.queue.get("J1")
    assert job.state is JobState.FAILED
    assert job.reason.startswith("truck lifted with the container"), job.reason
    _standing_on_its_truck(rig)


@pytest.mark.parametrize("command", [PackCommand.STOP, PackCommand.ABORT])
async def test_stopped_in_the_trial_lift_a_cancel_or_a_take_over_is_refused_naming_set_down(
    command: PackCommand,
) -> None:
    """STOP or ABORT just off the truck, a trailer on the box: nothing moves by itself; the
    cancel and the take-over in MANUAL are refused naming SET DOWN; SET DOWN then START set the
    box back on T1, unlock it, and the job fails saying so."""
    rig, automation = rig_with_j1()
    async with rig:
        await _trailer_coming_up(rig, automation)
        automation.command(command, rig.clock.now())
        await rig.run_for(0.5)
        if command is PackCommand.ABORT:
            automation.command(PackCommand.CLEAR, rig.clock.now())
        await rig.until(lambda v: automation.machine.state is PackState.STOPPED, within_s=3)
        automation.command(PackCommand.RESET, rig.clock.now())
        await rig.until(lambda v: automation.machine.state is PackState.IDLE, within_s=3)
        await nothing_moves(rig, 2.0)
        assert _rise(rig) > 0.0, "the trailer still hangs: stopped, nothing moves by itself"
        with pytest.raises(CommandRefused) as cancel:
            automation.cancel("J1", rig.clock.now(), "test")
        why = str(cancel.value)
        assert "may not be cancelled" in why, why
        assert "SET DOWN" in why, why
        assert "trailer" in why, why
        with pytest.raises(CommandRefused, match="SET DOWN"):
            automation.set_mode(Mode.MANUAL, Role.OPERATOR, rig.clock.now())
        assert automation.queue.get("J1").state is JobState.INTERRUPTED
        automation.set_down(rig.clock.now())
        automation.command(PackCommand.START, rig.clock.now())
        await rig.until(lambda v: automation.queue.get("J1").final, within_s=60, what="J1 ends")
    job = automation.queue.get("J1")
    assert job.state is JobState.FAILED
    assert "set back down on truck lane T1 by the operator" in job.reason, job.reason
    _standing_on_its_truck(rig)
    assert rig.sim.plant.spreader.all_free()
    assert automation.yard.boxes[BOX].slot == SOURCE


async def test_held_in_a_normal_trial_lift_the_box_is_set_back_and_the_job_still_done() -> None:
    """No trailer: the hold sets the unweighed box back all the same (what hangs on it is not
    known until it is weighed); UNHOLD lifts it again and the job is done."""
    rig, automation = rig_with_j1()
    async with rig:
        await start(rig, automation)
        await rig.until(in_step(automation, Step.TRIAL_LIFT, delivering=False), within_s=200)
        await rig.until(_off_the_truck(automation), within_s=2, what="the box off the truck")
        await held(rig, automation)
        await _set_back_while_held(rig, automation)
        _standing_on_its_truck(rig)
        await unhold_and_finish(rig, automation)


async def test_a_trial_lift_nobody_interrupts_weighs_the_box_and_sets_nothing_back() -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await start(rig, automation)
        await rig.until(in_step(automation, Step.RAISE, delivering=True), within_s=200)
        assert not any("set back" in r for r in _reasons(automation))
        run = automation.sequencer.run
        assert run is not None
        assert run.mass_t is not None
        assert run.mass_t > 20.0


def _off_the_truck(automation: Automation) -> object:
    def off(view: SupervisorView) -> bool:
        load = view.snapshot.number("hoist.load")
        return load is not None and load > 20.0

    return off


# --- the safety bench's oracle allows the set-back, and nothing more


def test_the_bench_takes_the_holds_set_back_for_the_crane_s_own_reaction() -> None:
    from crane_ctrl.bench.safety import run_seed

    result = run_seed(1002968)  # HOLD 0.70 s into the trial lift, a trailer on the box
    assert result.ok, [v.message.splitlines()[0] for v in result.violations]


def test_a_faster_set_back_or_a_lowering_held_elsewhere_is_motion_without_the_operator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The oracle allows the hold's set-back narrowly: at creep speed at most, held in the
    trial lift. Five times faster, it is caught; so is a crane lowering while held in travel."""
    from crane_ctrl.bench.safety import JOBS, Case, Command, Event, When, run_case, run_seed
    from crane_ctrl.bench.safety.bench import PROFILE
    from crane_ctrl.commands import Commands
    from crane_ctrl.profile.loader import load_profile
    from crane_ctrl.sequencer import trial_lift

    reaction = trial_lift.sets_back_while_held

    def faster(*args: object) -> Commands | None:
        commands = reaction(*args)  # type: ignore[arg-type]
        return None if commands is None else commands.with_speed("hoist", -0.5)

    with monkeypatch.context() as patch:
        patch.setattr(trial_lift, "sets_back_while_held", faster)
        result = run_seed(1002968)
    assert [v.kind for v in result.violations] == ["motion_without_operator"]

    def lowers(self: Automation, *args: object) -> Commands:
        return Commands(drives_enable=True, hoist_speed_ref=-0.05)

    monkeypatch.setattr(Automation, "_hold", lowers)
    held_in_travel = Case(JOBS[3], (Event(When("collect", "travel", 1.0), Command("hold")),))
    result = run_case(held_in_travel, load_profile(PROFILE))
    assert [v.kind for v in result.violations] == ["motion_without_operator"]

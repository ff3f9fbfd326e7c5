"""The automatic crane in lock-step for safety tests: one job, the operator's PackML commands.

The default site, the shipped truck -> stack job (J1: MSKU1234565 from truck T1 to stack 7:3:1)
on the generic Modbus profile (or another), with the :class:`Automation` (PackML machine, job
queue, modes) as the supervisor's sequencer hook, as the station has it.
"""

from __future__ import annotations

from collections.abc import Callable

from crane_ctrl.operation.jobs import JobQueue, JobState
from crane_ctrl.operation.machine import PackCommand, PackState
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.model import Profile
from crane_ctrl.runtime.automation import Automation
from crane_ctrl.runtime.supervisor import SupervisorView
from crane_ctrl.sequencer.automatic_move import Step
from crane_ctrl.site import Slot
from crane_ctrl.testing import LockStep
from simulators.site_file import load_site, yard_model_of
from tests.profile_texts import PROFILES

__all__ = [
    "BOX",
    "DESTINATION",
    "held",
    "in_step",
    "loaded_travel",
    "nothing_moves",
    "refs",
    "rig_with_j1",
    "rising_past",
    "start",
    "trips",
    "unhold_and_finish",
]

BOX = "MSKU1234565"
DESTINATION = Slot.stack(7, 3, 1)
TRAVEL_S = 3.0
"""Into the loaded travel before the value is forced (gantry and trolley both moving)."""


def rig_with_j1(profile: Profile | None = None) -> tuple[LockStep, Automation]:
    site = load_site()
    queue = JobQueue(site.site, site.crane)
    automation = Automation(site.crane, yard_model_of(site), queue)
    queue.add(Slot.truck("T1"), DESTINATION, 40, 0.0, job_id="J1")
    profile = profile or load_profile(PROFILES / "generic-modbus.toml")
    return LockStep(profile, site.simulator(), sequencer=automation), automation


async def start(rig: LockStep, automation: Automation) -> None:
    await rig.until(lambda v: v.snapshot.comms_ok, within_s=2, what="comms")
    automation.command(PackCommand.RESET, rig.clock.now())
    await rig.scan()
    automation.command(PackCommand.START, rig.clock.now())


def in_step(automation: Automation, step: Step, *, delivering: bool) -> Callable[..., bool]:
    def check(view: SupervisorView) -> bool:
        run = automation.sequencer.run
        return run is not None and run.step is step and run.delivering is delivering

    return check


def rising_past(view: SupervisorView, automation: Automation, z: float) -> bool:
    """J1's box rising past ``z`` (its twistlock plane), m: over T1, past 5.5 m it is 1.5 m
    above the trailer and still below the top of the box on T2 in the next lane."""
    run, s = automation.sequencer.run, view.snapshot
    hoist, speed = s.number("hoist.position"), s.number("hoist.speed")
    if run is None or not run.delivering or hoist is None or speed is None:
        return False
    return hoist > z and speed > 0.2


async def held(rig: LockStep, automation: Automation) -> None:
    """The operator's HOLD, and the machine HELD."""
    automation.command(PackCommand.HOLD, rig.clock.now(), "test")
    await rig.until(lambda v: automation.machine.state is PackState.HELD, within_s=1, what="HELD")


def trips(view: SupervisorView) -> set[str]:
    """The interlocks active at this scan."""
    return {t.id for t in view.permits.active} if view.permits else set()


def refs(view: SupervisorView) -> tuple[float, float, float]:
    c = view.commands
    return c.gantry_speed_ref, c.trolley_speed_ref, c.hoist_speed_ref


async def loaded_travel(rig: LockStep, automation: Automation) -> SupervisorView:
    await start(rig, automation)
    await rig.until(in_step(automation, Step.TRAVEL, delivering=True), within_s=200)
    view = await rig.run_for(TRAVEL_S)
    assert any(refs(view)), "travelling"
    return view


async def nothing_moves(rig: LockStep, seconds: float) -> None:
    for _ in range(round(seconds / rig.period_s)):
        view = await rig.scan()
        assert refs(view) == (0.0, 0.0, 0.0), f"moved while held at {view.snapshot.time_s}"


async def unhold_and_finish(
    rig: LockStep, automation: Automation, command: PackCommand = PackCommand.UNHOLD
) -> None:
    """Resume (UNHOLD, or START for an interrupted job) and see J1 done, the box in place."""
    automation.command(command, rig.clock.now())
    await rig.until(lambda v: automation.queue.get("J1").final, within_s=400, what="job J1 ends")
    assert automation.queue.get("J1").state is JobState.DONE, automation.queue.get("J1")
    assert rig.sim.model_faults == ()
    assert rig.sim.plant.yard.containers[BOX].location == DESTINATION

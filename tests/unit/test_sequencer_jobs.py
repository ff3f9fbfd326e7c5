"""Full automatic jobs in lock-step: the sequencer, the supervisor and the simulated crane."""

from __future__ import annotations

from typing import Literal

import pytest

from crane_ctrl.profile.loader import load_profile
from crane_ctrl.sequencer.automatic_move import Outcome, Sequencer, Step, Transfer
from crane_ctrl.signals import CORNERS
from crane_ctrl.site import Slot
from crane_ctrl.testing import LockStep
from simulators.site_file import load_site, yard_model_of
from tests.profile_texts import PROFILES
from tests.unit.sequencer_rig import JobRig

ALL = ["generic-modbus", "modicon-m580-modbus", "generic-opcua", "siemens-s7-1500-opcua"]
JOB_LIMIT_S = 400.0


async def run_job(
    profile_name: str, box_id: str, to: Slot, *, inject: str | None = None, **params: object
) -> tuple[LockStep, Sequencer]:
    site = load_site()
    sim = site.simulator()
    yard = yard_model_of(site)
    sequencer = Sequencer(site.crane, yard)
    rig = LockStep(load_profile(PROFILES / f"{profile_name}.toml"), sim, sequencer=sequencer)
    async with rig:
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=2, what="comms")
        if inject is not None:
            sim.faults.inject(inject, **params)
        sequencer.start(Transfer("J1", yard.boxes[box_id], to), rig.clock.now())
        await rig.until(
            lambda v: sequencer.outcome is not None, within_s=JOB_LIMIT_S, what="job end"
        )
    return rig, sequencer


@pytest.mark.parametrize("name", ALL)
async def test_truck_to_stack_job_completes_on_every_profile(name: str) -> None:
    rig, sequencer = await run_job(name, "MSKU1234565", Slot.stack(7, 3, 1))
    assert sequencer.outcome is not None
    assert sequencer.outcome[1] is Outcome.DONE, sequencer.outcome
    box = rig.sim.plant.yard.containers["MSKU1234565"]
    assert box.location == Slot.stack(7, 3, 1)
    assert rig.sim.model_faults == ()
    assert sequencer.yard.boxes["MSKU1234565"].slot == Slot.stack(7, 3, 1)


async def test_overweight_container_is_set_back_down_and_the_job_fails() -> None:
    rig, sequencer = await run_job("generic-modbus", "MSKU1234565", Slot.stack(7, 3, 1),
                                   inject="overweight", container="MSKU1234565", mass_t=48.0)  # fmt: skip
    assert sequencer.outcome is not None
    assert sequencer.outcome[1] is Outcome.FAILED
    assert sequencer.outcome[2].startswith("overweight")
    assert rig.sim.plant.yard.containers["MSKU1234565"].location == Slot.truck("T1")
    assert rig.sim.model_faults == ()


async def test_twistlock_that_will_not_lock_fails_the_job_with_the_spreader_empty() -> None:
    rig, sequencer = await run_job("generic-modbus", "MSKU1234565", Slot.stack(7, 3, 1),
                                   inject="twistlock_jammed", corner=2)  # fmt: skip
    assert sequencer.outcome is not None
    assert sequencer.outcome[1] is Outcome.FAILED
    assert "not locked" in sequencer.outcome[2]
    assert not rig.sim.plant.carrying
    assert rig.sim.model_faults == ()


@pytest.mark.parametrize("pins", ["pressed", "released"])
@pytest.mark.parametrize("name", ["generic-modbus", "siemens-s7-1500-opcua"])
async def test_the_job_completes_whatever_the_landing_pins_do_while_the_box_hangs(
    name: str, pins: Literal["pressed", "released"]
) -> None:
    """Issue 15: most spreaders keep the pins pressed while a box hangs (its roof), some release
    them. The sequencer reads lift-off and set-down off the ropes, so both finish, and the pins
    are seen doing what that spreader does."""
    async with JobRig(name, pins=pins) as job:
        job.start()
        await job.until_step(Step.RAISE, delivering=True, within_s=150)
        pressed = all(job.view.snapshot.flag(f"spreader.landed_{c}", unsafe=False) for c in CORNERS)
        assert pressed is (pins == "pressed"), "the box hangs: what the pins read"
        outcome, reason = await job.until_finished(within_s=JOB_LIMIT_S)
        assert (outcome, reason) == (Outcome.DONE, "")
        assert job.box.location == Slot.stack(7, 3, 1)
        assert job.sim.model_faults == ()

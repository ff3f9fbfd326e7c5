"""A box the trial lift has lifted clear hangs on the ropes from the first scan of its leg: a
stop in that very scan leaves it hanging, and the operator's resume in wind is for making it
safe (safety bench case 3280: START was refused for the wind stop, the box left leaning beside
the next truck's box)."""

from __future__ import annotations

from crane_ctrl.sequencer.model import Step
from crane_ctrl.site import Slot
from crane_ctrl.testing import StationRig
from tests.profile_texts import PROFILES


async def test_the_box_hangs_free_from_the_first_scan_after_the_trial_lift() -> None:
    async with StationRig(PROFILES / "generic-modbus.toml") as rig:
        rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.agv("A1"), 40)
        await rig.start_automatic()
        sequencer = rig.station.automation.sequencer

        def delivering(_: object) -> bool:
            run = sequencer.run
            return run is not None and run.delivering and run.step is Step.RAISE

        await rig.until(delivering, within_s=120, what="the deliver leg's rise")
        run = sequencer.run
        assert run is not None
        assert run.airborne
        assert run.may_be_secured

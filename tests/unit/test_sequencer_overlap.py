"""The automatic move overlaps what it can, in lock-step: the empty spreader telescopes while it
travels to the pick, the hoist rises and lowers while gantry and trolley travel, and the travel
interlock never refuses the plan (it is told the path-clear height a scan ahead)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from crane_ctrl.sequencer.automatic_move import Outcome, Step
from crane_ctrl.site import Slot
from tests.unit.sequencer_rig import JobRig

BOX_20 = "TGHU7654321"
"""A 20-ft box on truck T2; the spreader starts at 40 ft."""
TO = Slot.stack(9, 1, 2)
MOVING_MPS = 0.05


@dataclass
class Seen:
    telescoping_while_travelling: bool = False
    rising_while_travelling: bool = False
    lowering_while_travelling: bool = False
    lowest_while_telescoping_m: float = float("inf")


async def test_telescope_and_hoist_overlap_travel_and_the_interlock_never_refuses() -> None:
    seen = Seen()
    async with JobRig() as job:
        box = job.yard.boxes[BOX_20]
        pick = job.yard.pick_height_m(box)
        job.start(BOX_20, TO)
        while job.sequencer.outcome is None:
            await job.scan()
            plant = job.sim.plant
            travelling = max(abs(plant.gantry.speed_mps), abs(plant.trolley.speed_mps))
            travelling_now = travelling > MOVING_MPS
            if plant.spreader.size_ft != box.size_ft:
                seen.lowest_while_telescoping_m = min(seen.lowest_while_telescoping_m,
                                                      job.hoist_m())  # fmt: skip
                seen.telescoping_while_travelling |= travelling_now and plant.spreader.size_ft == 0
            if travelling_now and plant.hoist.speed_mps > MOVING_MPS:
                seen.rising_while_travelling = True
            if travelling_now and plant.hoist.speed_mps < -MOVING_MPS:
                seen.lowering_while_travelling = True
            assert job.rig.clock.now() < 400.0, job.where
        outcome = job.sequencer.outcome
        assert outcome[1] is Outcome.DONE, outcome
        assert job.sim.plant.yard.containers[BOX_20].location == TO
        assert job.sim.model_faults == ()
        assert [e for e in job.journal.events if e[0] == "refusal"] == []
        steps = job.steps()
        assert str(Step.TELESCOPE) not in [e["step"] for e in steps]
        # the set-down creeps into the creep zone while travel finishes over the landing place
        # and, the load calm on arrival, lands without waiting a sway window (the pick waits
        # above the creep zone for the telescope here)
        params = job.sim.plant.params
        full_creep_s = params.creep_distance_m / params.creep_speed_mps
        lowers = [
            float(str(b["time"])) - float(str(a["time"]))
            for a, b in itertools.pairwise(steps)
            if a["step"] == str(Step.LOWER)
        ]
        assert len(lowers) == 2
        assert lowers[-1] < 0.5 * full_creep_s, lowers
    assert seen.telescoping_while_travelling
    assert seen.lowest_while_telescoping_m >= pick + job.sim.plant.params.creep_distance_m
    assert seen.rising_while_travelling
    assert seen.lowering_while_travelling


async def test_a_spreader_that_does_not_telescope_stops_short_of_the_box_and_fails_the_job() -> (
    None
):
    async with JobRig() as job:
        box = job.yard.boxes[BOX_20]
        pick = job.yard.pick_height_m(box)
        job.inject("force", signal="spreader.size", value=40)  # never reads 20 ft
        job.start(BOX_20, TO)
        lowest = float("inf")
        while job.sequencer.outcome is None:
            await job.scan()
            lowest = min(lowest, job.hoist_m())
            assert job.rig.clock.now() < 120.0, job.where
        outcome = job.sequencer.outcome
        assert outcome[1:] == (Outcome.FAILED, "spreader did not telescope to 20 ft")
        assert job.at_rest(), "failed with the crane stopped"
        assert lowest >= pick + job.sim.plant.params.creep_distance_m
        assert job.sim.model_faults == ()

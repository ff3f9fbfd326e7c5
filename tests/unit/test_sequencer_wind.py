"""Wind stop with the box hanging (``on_wind_stop="secure"``, the default): set straight down onto
a legal place within reach below it (travel is blocked at the wind stop) and the job failed
naming the wind and the place; anywhere else raised until its swing envelope clears every
neighbour, then held."""

from __future__ import annotations

import pytest

from crane_ctrl.operation.yard_model import Box, YardModel
from crane_ctrl.sequencer.automatic_move import Outcome, SequencerSettings, Step
from crane_ctrl.sequencer.wind import set_down_place
from crane_ctrl.site import SiteLayout, Slot
from tests.unit.sequencer_rig import SOURCE, JobRig

SET_DOWN = SequencerSettings(on_wind_stop="secure")
TOL = 0.05


def yard() -> YardModel:
    boxes = [
        Box("CARRIED", 40, Slot.truck("T1")),
        Box("LOW40", 40, Slot.stack(3, 2, 1)),
        Box("LOW20", 20, Slot.stack(9, 1, 1)),
        *(Box(f"T{t}", 40, Slot.stack(5, 4, t)) for t in range(1, 6)),
        Box("ON_T2", 20, Slot.truck("T2")),
    ]
    return YardModel(SiteLayout(), boxes, vehicles=[Slot.agv("A1")])


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        (Slot.stack(7, 3, 1), Slot.stack(7, 3, 1)),  # empty ground slot
        (Slot.stack(3, 2, 1), Slot.stack(3, 2, 2)),  # on a 40-ft box of its size
        (Slot.stack(5, 4, 1), None),  # the column is full (five high)
        (Slot.agv("A1"), Slot.agv("A1")),  # an empty AGV
        (Slot.truck("T1"), Slot.truck("T1")),  # back onto the truck it came from
        (Slot.truck("T2"), None),  # a truck with a box on it
    ],
)
def test_a_set_down_place_is_a_legal_slot_straight_below(over: Slot, expected: Slot | None) -> None:
    model = yard()
    box = model.boxes["CARRIED"]
    x, y = model.centre(box, over)
    place = set_down_place(model, box, (x + 0.03, y - 0.02), TOL)
    assert (place.slot if place else None) == expected
    if place is not None:
        assert place.landing_m == pytest.approx(model.drop_height_m(place.slot, box))


def test_no_set_down_off_a_slot_or_on_a_box_of_another_size() -> None:
    model = yard()
    box = model.boxes["CARRIED"]
    x, y = model.centre(box, Slot.stack(7, 3, 1))
    assert set_down_place(model, box, (x + 0.2, y), TOL) is None, "too far off the slot"
    x, y = model.site.stack.centre(9, 1, 20)
    assert set_down_place(model, box, (x + 3.25, y), TOL) is None, "40 ft over a 20-ft column"


async def gust_once(job: JobRig) -> None:
    """A gust over the stop limit for one scan: WIND_STOP trips and latches; the wind drops."""
    job.inject("wind", speed_mps=21.0)
    await job.scan()
    job.clear("wind")
    await job.until(lambda: bool(job.trips("WIND_STOP")), within_s=1, what="WIND_STOP")


async def test_a_box_just_lifted_is_set_back_on_its_trailer_held_locked_then_resumed() -> None:
    async with JobRig(settings=SET_DOWN) as job:
        job.start()
        await job.until_step(Step.RAISE, delivering=True, within_s=120)
        await gust_once(job)
        await job.until_held(within_s=10)
        assert "set back down on" in str(job.steps()[-1]["reason"])
        assert job.box.location == SOURCE
        assert job.sim.plant.spreader.all_locked(), "kept locked: the job only waits"
        assert job.sim.model_faults == ()
        assert str(Step.WIND_SET_DOWN) in [str(e["step"]) for e in job.steps()]
        await job.reset_until_clear("WIND_STOP")
        job.resume()
        outcome, reason = await job.until_finished(within_s=200)
        assert (outcome, reason) == (Outcome.DONE, "")
        assert job.sim.model_faults == ()


async def test_mid_travel_nothing_legal_below_so_the_box_is_held_hanging() -> None:
    async with JobRig(settings=SET_DOWN) as job:
        job.start()
        await job.until_step(Step.TRAVEL, delivering=True, within_s=120)
        await job.run_for(4.0)
        await gust_once(job)
        await job.until_held(within_s=30.0)
        assert job.sim.plant.carrying
        assert job.sim.plant.spreader.all_locked()
        assert "clear of every neighbour" in str(job.steps()[-1]["reason"])
        assert str(Step.WIND_RAISE) in [str(e["step"]) for e in job.steps()]
        assert job.sim.model_faults == ()


async def test_wind_that_comes_while_held_is_met_by_the_holds_own_reaction() -> None:
    """Held by the operator mid-travel (the load low beside its neighbours), then the wind stop:
    the hold's own wind reaction raises the load clear, the hoist only, and holds again (hostile14
    finding 3: held low, it was left to swing into its neighbour); only then does the wind
    refuse a resume (bench cases 198, 737)."""
    async with JobRig(settings=SET_DOWN) as job:
        job.start()
        await job.until_step(Step.TRAVEL, delivering=True, within_s=120)
        await job.run_for(4.0)
        job.sequencer.hold(job.rig.clock.now(), "held by the operator")
        await job.until_held(within_s=1.0)
        await job.until(job.at_rest, within_s=5.0, what="at rest after the hold")
        xy_held, z_held = job.xy(), job.hoist_m()
        job.inject("wind", speed_mps=21.0)
        await job.until(lambda: bool(job.trips("WIND_STOP")), within_s=1, what="WIND_STOP")
        await job.until_step(Step.WIND_RAISE, delivering=True, within_s=1.0)
        assert "wind stop while held: raising it clear" in str(job.steps()[-1]["reason"])
        await job.until_held(within_s=60.0)
        assert "clear of every neighbour" in str(job.steps()[-1]["reason"])
        assert job.hoist_m() > z_held + 0.5
        assert job.xy() == pytest.approx(xy_held, abs=0.01), "the hoist only"
        assert job.sequencer.run is not None
        assert job.sequencer.run.wind_secured
        (why,) = job.sequencer.resume_refusals()
        assert why.startswith("still: WIND_STOP")
        assert job.sim.model_faults == ()

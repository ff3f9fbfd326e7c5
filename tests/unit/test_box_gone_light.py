"""A carried box that goes light on the load cell rests on something: the move stops in that scan.

Found by the hostile set of issue 14 (tests/hostile14, ``load-drifts-away-in-travel``): the 24.5 t
box of J1 read 10, 6, 3 and then 1.0 t on the load cell while the crane travelled at full speed,
and every reference stayed at full speed until the reading fell under the fixed 1 t of an empty
spreader. A box that weighs half of what it weighed at the trial lift is resting with one end on
something (a stack's edge, a trailer's chassis) and is being dragged, or the cell lies: either way
it is unexpected contact, and the move holds in that scan until the operator has looked.
"""

from __future__ import annotations

import pytest

from crane_ctrl.sequencer.automatic_move import Step
from tests.unit.automation_rig import loaded_travel, nothing_moves, refs, rig_with_j1

WEIGHED_T = 24.5
"""What J1's box weighs at its trial lift, t."""


@pytest.mark.parametrize("reading_t", [10.0, 6.0, 1.0])
async def test_a_carried_box_gone_light_stops_every_axis_in_that_scan(reading_t: float) -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await loaded_travel(rig, automation)
        run = automation.sequencer.run
        assert run is not None
        assert run.mass_t == pytest.approx(WEIGHED_T, abs=0.5)
        rig.sim.faults.inject("force", signal="hoist.load", value=reading_t)
        view = await rig.scan()  # the scan that reads it
        assert refs(view) == (0.0, 0.0, 0.0)
        assert run.step is Step.HELD
        assert "unexpected contact" in run.hold_reason
        assert f"load {reading_t:.2f} t" in run.hold_reason
        rig.sim.faults.clear("force:hoist.load")
        await nothing_moves(rig, 3.0)  # the reading back: still held until the operator


async def test_a_box_that_only_swings_on_its_ropes_travels_on() -> None:
    """The reading a hoist's acceleration or a swing gives (a tenth off) is no contact."""
    rig, automation = rig_with_j1()
    async with rig:
        await loaded_travel(rig, automation)
        rig.sim.faults.inject("force", signal="hoist.load", value=WEIGHED_T * 0.9)
        view = await rig.run_for(1.0)
        run = automation.sequencer.run
        assert run is not None
        assert run.step is Step.TRAVEL
        assert any(refs(view))

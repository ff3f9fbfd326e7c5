"""Issue 14, finding 4: a sway sensor stuck at 0 holds the automatic move, naming the sensor and
why, and it stays held while the sensor shows nothing of the swing the load must have.

Lock-step, the default site, the shipped truck -> stack job (J1) on the generic Modbus profile,
with the automation as the operator has it (tests/unit/automation_rig.py). The simulator forces
``sway.trolley`` to 0.0 as the loaded travel begins. Before, the travel and the landing went on
on it (in a gusty wind the box was set down off the castings: tests/hostile14, finding 4). Now the
quality layer's sway watch (crane_ctrl/sway_sensor_watch.py) finds it within two pendulum periods
of the first acceleration that must swing the load visibly: SIGNAL_QUALITY stops every motion and
alarms by name; the move holds; nothing moves while the sensor stays stuck; once it reads again
the operator resumes and the job ends done.
"""

from __future__ import annotations

from crane_ctrl.operation.machine import PackState
from crane_ctrl.sequencer.automatic_move import Step
from tests.unit.automation_rig import in_step, nothing_moves, rig_with_j1, start, unhold_and_finish

STUCK = "sway.trolley reads 0.00 m while the trolley's"


async def test_a_sway_sensor_stuck_at_zero_holds_the_move_until_it_reads_again() -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await start(rig, automation)
        await rig.until(in_step(automation, Step.TRAVEL, delivering=True), within_s=200)
        rig.sim.faults.inject("force", signal="sway.trolley", value=0.0)
        view = await rig.until(
            lambda v: "SIGNAL_QUALITY" in {a.id for a in v.alarms if a.active},
            within_s=16.0,  # two periods of the pendulum on this rope
            what="SIGNAL_QUALITY",
        )
        alarm = next(a for a in view.alarms if a.id == "SIGNAL_QUALITY")
        assert STUCK in alarm.message
        assert "must swing the load" in alarm.message
        reading = view.snapshot.reading("sway.trolley")
        assert reading.bad
        assert "a stuck or frozen sway sensor" in reading.reason
        await rig.until(lambda v: automation.machine.state is PackState.HELD, within_s=1)
        run = automation.sequencer.run
        assert run is not None
        assert STUCK in run.hold_reason
        await nothing_moves(rig, 20.0)  # stuck, while the braking's swing goes on unseen
        assert rig.supervisor.view.snapshot.reading("sway.trolley").bad
        rig.sim.faults.clear("force:sway.trolley")
        await rig.until(lambda v: v.snapshot.reading("sway.trolley").good, within_s=15)
        await unhold_and_finish(rig, automation)

"""Issue 14, findings 1, 2 and 6: bad data and unexpected contact stop the move in the same scan,
and it stays held until the operator resumes it.

Lock-step, the default site, the shipped truck -> stack job (J1: MSKU1234565 from truck T1 to stack
7:3:1) on the generic Modbus profile, with the automation (PackML machine, job queue) as the
operator has it. The simulator forces one status signal to a value no sensor on this crane can
show, for a few seconds of the loaded travel, then lets it go. What must hold (and did not before):

- the scan that reads the value writes every speed reference 0 (no waiting for an alarm delay);
- SIGNAL_QUALITY trips and alarms in that scan, naming the signal, the value and the range;
  a wind of -5 m/s is not a storm, a load of -50 t not an overload;
- the move holds and stays held after the value is good again: nothing moves until the operator
  resumes it; then it goes on from where the crane is and the job ends done, with no collision.
"""

from __future__ import annotations

import pytest

from crane_ctrl.operation.machine import PackState
from crane_ctrl.profile.loader import parse_profile
from crane_ctrl.sequencer.automatic_move import Step
from crane_ctrl.signals import Value
from tests.unit.automation_rig import (
    loaded_travel,
    nothing_moves,
    refs,
    rig_with_j1,
    unhold_and_finish,
)
from tests.unit.simplc.raw_profiles import VARIANTS

FINDING_1 = [
    ("gantry.position", 1e9),
    ("trolley.position", 1e6),
    ("hoist.position", -40.0),
    ("env.wind", -5.0),
    ("hoist.load", -50.0),
]


@pytest.mark.parametrize(("signal", "value"), FINDING_1, ids=[s for s, _ in FINDING_1])
async def test_a_transient_implausible_value_mid_travel_holds_until_the_operator_resumes(
    signal: str, value: Value
) -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await loaded_travel(rig, automation)
        rig.sim.faults.inject("force", signal=signal, value=value)
        view = await rig.scan()  # the scan that reads it
        assert refs(view) == (0.0, 0.0, 0.0)
        assert "SIGNAL_QUALITY" in {t.id for t in view.permits.active} if view.permits else False
        await rig.run_for(4.0)
        rig.sim.faults.clear(f"force:{signal}")
        await rig.until(lambda v: automation.machine.state is PackState.HELD, within_s=1)
        await nothing_moves(rig, 10.0)  # good again: still held, nothing moves by itself
        run = automation.sequencer.run
        assert run is not None
        assert signal in run.hold_reason
        await unhold_and_finish(rig, automation)


FINDING_2 = [
    ("sway.trolley", 100.0, "sway.trolley = 100.0"),
    ("spreader.size", 33, "spreader.size = 33"),
    ("hoist.load", -50.0, "hoist.load = -50.0"),
    ("env.wind", -5.0, "env.wind = -5.0"),
]


@pytest.mark.parametrize(("signal", "value", "named"), FINDING_2, ids=[s for s, _, _ in FINDING_2])
async def test_an_implausible_value_stops_motion_in_its_scan_and_alarms_by_name(
    signal: str, value: Value, named: str
) -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await loaded_travel(rig, automation)
        rig.sim.faults.inject("force", signal=signal, value=value)
        view = await rig.scan()
        assert refs(view) == (0.0, 0.0, 0.0)
        alarms = {a.id: a for a in view.alarms if a.active}
        assert "SIGNAL_QUALITY" in alarms, "no alarm delay before the quality alarm"
        assert named in alarms["SIGNAL_QUALITY"].message
        assert "plausible" in alarms["SIGNAL_QUALITY"].message
        view = await rig.run_for(3.0)
        assert not {"WIND_STORM", "WIND_STOP", "OVERLOAD"} & {a.id for a in view.alarms if a.active}


async def test_a_bool_register_reading_2_is_bad_data_not_a_closed_chain() -> None:
    profile = parse_profile(VARIANTS["bool-register-modbus"], "bool-register-modbus.toml")
    rig, automation = rig_with_j1(profile)
    async with rig:
        await loaded_travel(rig, automation)
        rig.sim.faults.inject("force_raw", signal="plc.estop_ok", raw=2)
        view = await rig.scan()
        assert refs(view) == (0.0, 0.0, 0.0)
        reading = view.snapshot.reading("plc.estop_ok")
        assert reading.bad
        assert "neither 0 nor 1" in reading.reason


async def test_unexpected_touch_down_while_carrying_stops_every_axis_in_that_scan() -> None:
    """Finding 6: the loaded spreader sets down on something the yard model does not know
    (slack ropes, load gone, pins pressed) while the trolley travels."""
    rig, automation = rig_with_j1()
    async with rig:
        await loaded_travel(rig, automation)
        for name, value in (("hoist.slack_rope", True), ("hoist.load", 0.0)):
            rig.sim.faults.inject("force", signal=name, value=value)
        for corner in (1, 2, 3, 4):
            rig.sim.faults.inject("landed_pin_stuck", corner=corner, value=True)
        view = await rig.scan()
        assert refs(view) == (0.0, 0.0, 0.0)
        run = automation.sequencer.run
        assert run is not None
        assert run.step is Step.HELD
        assert "unexpected contact" in run.hold_reason
        await nothing_moves(rig, 3.0)

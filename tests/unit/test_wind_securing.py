"""The wind stop's securing move under STOP, HOLD, bad data and faults (bench cases 2318, 1632).

A wind stop with a box hanging low beside its neighbours raises it until its swing envelope
clears them (or sets it straight down on a legal place within reach below it). That securing is
the crane's own reaction to the wind trip, never a resumption of the job: the hoist only, and it
ends in a hold (:mod:`crane_ctrl.sequencer.wind`, issue 14's decisions):

- a wind stop while the job is HELD: the hold's own reaction secures the load, and holds again
  (hostile14 finding 3: held low beside a loaded truck, the box was left to swing into it);
- STOP: the hoist ramps to zero, the load stays where it is, the job is interrupted, STOPPED
  within the ramp time plus a scan, and nothing moves by itself; START from there plans the
  securing again from where the load hangs;
- HOLD during it: it goes on, as the hold's own reaction, and holds once the load is safe;
- bad data (a bad wind reading included) or a comms fault: every reference 0 in that scan; once
  the data is good again, the hold's own reaction secures the load (the wind trip still there);
- ABORT: references 0 and the drives off in the next scan; the e-stop: held until the operator
  resumes it (no motion after the chain closes and the reset: a reset starts nothing);
- a box the wind leaned off its trailer while it was held just above it (case 1632) is not set
  back down off the castings: it is raised clear instead;
- settling the swing before the rise, in a wind whose next gust may reach the pre-alarm, waits
  clear of the neighbours (case 2318 settled low as the storm built up: when the wind stop came,
  no hoist could have outrun the lean, and a STOP or bad data during the raise then left it
  low).

The storm: 21 m/s gusting 3 m/s near the pendulum's own period (8.5 s with the box low), built
up over 10 s while the move was held by the operator at the start of the loaded travel (the box
over truck lane T1, 1.7 m below the top of the box on the truck in lane T2). Left low, the gusts
swing it into that box within 11 s; raised, it clears it in 7 s.
"""

from __future__ import annotations

import contextlib

import pytest

from crane_ctrl.errors import CommandRefused
from crane_ctrl.operation.jobs import JobState
from crane_ctrl.operation.machine import PackCommand, PackState
from crane_ctrl.runtime.automation import Automation, _stop_time_s
from crane_ctrl.sequencer import trial_lift
from crane_ctrl.sequencer.automatic_move import Step
from crane_ctrl.testing import LockStep
from tests.unit.automation_rig import (
    held,
    in_step,
    refs,
    rig_with_j1,
    rising_past,
    start,
    trips,
)

WIND_MPS = 21.0
GUST_MPS = 3.0
GUST_PERIOD_S = 8.5
"""Near the pendulum's own period with the box low over the trailer (17.9 m to its centre)."""
BUILD_UP_S = 10.0
WATCH_S = 40.0
"""How long the box is watched after the raise started: left low, it hits within 11 s."""


async def storm_builds_up(rig: LockStep) -> None:
    """The storm builds up from calm over :data:`BUILD_UP_S`, then blows on."""
    steps = round(BUILD_UP_S / rig.period_s)
    for i in range(1, steps + 1):
        share = i / steps
        rig.sim.faults.inject(
            "wind", speed_mps=WIND_MPS * share, gust_mps=GUST_MPS * share,
            gust_period_s=GUST_PERIOD_S,
        )  # fmt: skip
        await rig.scan()


async def wind_raise_under_way(rig: LockStep, automation: Automation) -> float:
    """J1 held at the start of the loaded travel (the box low beside the next truck's box), the
    storm built up: at the wind stop the hold's own reaction starts the wind raise, the job still
    HELD. The hoist's height then, m."""
    await start(rig, automation)
    await rig.until(in_step(automation, Step.TRAVEL, delivering=True), within_s=200)
    await held(rig, automation)
    await storm_builds_up(rig)
    await rig.until(in_step(automation, Step.WIND_RAISE, delivering=True), within_s=2,
                    what="the hold's own wind raise")  # fmt: skip
    assert "WIND_STOP" in trips(rig.supervisor.view)
    assert automation.machine.state is PackState.HELD
    return rig.sim.plant.hoist.position_m


def target_m(automation: Automation) -> float:
    run = automation.sequencer.run
    assert run is not None
    return run.wind_target_m


async def secured_and_nothing_hit(rig: LockStep, automation: Automation, target: float) -> None:
    """Within :data:`WATCH_S` of the raise's start: the box raised to ``target`` and held there,
    only the hoist moved, and nothing hit anything."""
    for _ in range(round(WATCH_S / rig.period_s)):
        view = await rig.scan()
        gantry, trolley, _ = refs(view)
        assert (gantry, trolley) == (0.0, 0.0), "securing moves the hoist only"
        assert rig.sim.model_faults == ()
    run = automation.sequencer.run
    assert run is not None
    assert run.step is Step.HELD
    assert run.wind_secured
    assert rig.sim.plant.hoist.position_m >= target - 0.05
    assert refs(rig.supervisor.view) == (0.0, 0.0, 0.0)


async def no_motion_until_the_operator(rig: LockStep, automation: Automation, for_s: float) -> None:
    """For ``for_s``: every reference 0, the move held (the operator has not resumed it)."""
    for _ in range(round(for_s / rig.period_s)):
        view = await rig.scan()
        assert refs(view) == (0.0, 0.0, 0.0), "no motion after a trip without the operator"
        run = automation.sequencer.run
        assert run is not None
        assert run.step is Step.HELD


async def ramps_to_zero(rig: LockStep, within_s: float) -> None:
    """The hoist's reference ramps down (never up) to 0 within ``within_s``; travel stays 0."""
    last = abs(refs(rig.supervisor.view)[2])
    for _ in range(round(within_s / rig.period_s) + 1):
        view = await rig.scan()
        gantry, trolley, hoist = refs(view)
        assert (gantry, trolley) == (0.0, 0.0)
        assert abs(hoist) <= last + 1e-9, "ramping down, not on"
        last = abs(hoist)
        if last == 0.0:
            return
    raise AssertionError(f"the hoist still at {last} m/s after {within_s} s")


async def test_stop_during_the_wind_raise_ramps_the_hoist_to_zero_and_start_secures_again() -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await wind_raise_under_way(rig, automation)
        await rig.run_for(0.5)  # raising
        assert refs(rig.supervisor.view)[2] > 0.0
        automation.command(PackCommand.STOP, rig.clock.now(), "test")
        bound = _stop_time_s(automation.params) + 2 * rig.period_s
        await ramps_to_zero(rig, bound)
        await rig.until(lambda v: automation.machine.state is PackState.STOPPED, within_s=bound,
                        what="STOPPED within the ramp time plus a scan")  # fmt: skip
        assert automation.queue.get("J1").state is JobState.INTERRUPTED
        await no_motion_until_the_operator(rig, automation, 0.5)
        automation.command(PackCommand.RESET, rig.clock.now())
        await rig.until(lambda v: automation.machine.state is PackState.IDLE, within_s=1)
        await no_motion_until_the_operator(rig, automation, 0.2)
        automation.command(PackCommand.START, rig.clock.now(), "make it safe")
        await rig.until(lambda v: refs(v)[2] > 0.0, within_s=2.0, what="raising again")
        await secured_and_nothing_hit(rig, automation, target_m(automation))


async def test_the_hold_secures_the_load_by_itself_and_an_unhold_waits_for_it() -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await wind_raise_under_way(rig, automation)
        await rig.run_for(0.5)
        assert refs(rig.supervisor.view)[2] > 0.0
        with pytest.raises(CommandRefused, match="making the load safe"):
            automation.command(PackCommand.UNHOLD, rig.clock.now(), "test")
        await secured_and_nothing_hit(rig, automation, target_m(automation))
        assert automation.machine.state is PackState.HELD
        run = automation.sequencer.run
        assert run is not None
        reasons = [str(e["reason"]) for e in run.events]
        assert any(r.startswith("wind stop while held: raising it clear") for r in reasons)


async def test_hold_during_a_wind_stops_securing_lets_it_go_on_and_holds_when_safe() -> None:
    """The wind stop comes at once as the box rises past 5.5 m over T1, 1.5 m below the top
    of the box on T2 (``wind-stop-over-a-truck-lane``): the operator's HOLD during the raise does
    not leave the box low; the raise goes on as the hold's own reaction."""
    rig, automation = rig_with_j1()
    async with rig:
        await start(rig, automation)
        await rig.until(lambda v: rising_past(v, automation, 5.5), within_s=200)
        rig.sim.faults.inject("wind", speed_mps=22.0)
        await rig.until(in_step(automation, Step.WIND_RAISE, delivering=True), within_s=2,
                        what="the wind stop's raise")  # fmt: skip
        target = target_m(automation)
        await rig.run_for(0.5)
        automation.command(PackCommand.HOLD, rig.clock.now(), "test")
        for _ in range(round(1.0 / rig.period_s)):
            view = await rig.scan()
            assert refs(view)[2] > 0.0, "the raise goes on"
            assert automation.machine.state in (PackState.HOLDING, PackState.HELD)
        await secured_and_nothing_hit(rig, automation, target)
        await rig.until(lambda v: automation.machine.state is PackState.HELD, within_s=1)


@pytest.mark.parametrize(
    ("signal", "value"), [("trolley.position", 1e6), ("env.wind", -5.0)], ids=["position", "wind"]
)
async def test_bad_data_stops_the_wind_raise_in_its_scan_until_the_data_is_good_again(
    signal: str, value: float
) -> None:
    """A bad wind reading blocks the raise like any bad data: hoist up included. Good again,
    the wind trip still there, the hold's own reaction goes on making the load safe: it is the
    wind's reaction, not the job resumed (that waits for the operator)."""
    rig, automation = rig_with_j1()
    async with rig:
        await wind_raise_under_way(rig, automation)
        await rig.run_for(0.5)
        assert refs(rig.supervisor.view)[2] > 0.0
        rig.sim.faults.inject("force", signal=signal, value=value)
        view = await rig.scan()
        assert "SIGNAL_QUALITY" in trips(view)
        assert refs(view) == (0.0, 0.0, 0.0), "bad data: nothing moves, in that scan"
        await no_motion_until_the_operator(rig, automation, 0.5)
        rig.sim.faults.clear(f"force:{signal}")
        z = rig.sim.plant.hoist.position_m
        await rig.until(lambda v: refs(v)[2] > 0.0, within_s=2.0, what="raising again")
        assert "SIGNAL_QUALITY" not in trips(rig.supervisor.view)
        assert automation.machine.state is PackState.HELD, "the job still held"
        run = automation.sequencer.run
        assert run is not None
        assert run.step is Step.WIND_RAISE, "planned again from where it hangs"
        assert rig.sim.plant.hoist.position_m >= z - 0.05
        await secured_and_nothing_hit(rig, automation, target_m(automation))


async def test_abort_during_the_wind_raise_drops_the_drives_at_once() -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await wind_raise_under_way(rig, automation)
        automation.command(PackCommand.ABORT, rig.clock.now(), "test")
        view = await rig.scan()
        assert refs(view) == (0.0, 0.0, 0.0)
        assert not view.commands.drives_enable
        await rig.until(lambda v: automation.machine.state is PackState.ABORTED, within_s=0.2)
        for _ in range(round(3.0 / rig.period_s)):
            view = await rig.scan()
            assert refs(view) == (0.0, 0.0, 0.0)
            assert not view.commands.drives_enable


async def test_the_estop_stops_the_wind_raise_until_the_operator_resumes_it() -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await wind_raise_under_way(rig, automation)
        target = target_m(automation)
        rig.sim.faults.inject("estop")
        view = await rig.scan()
        assert refs(view) == (0.0, 0.0, 0.0)
        await rig.run_for(0.5)
        rig.sim.faults.clear("estop")
        rig.supervisor.request_reset()
        await rig.until(lambda v: "ESTOP" not in trips(v), within_s=2, what="ESTOP reset")
        for _ in range(round(1.0 / rig.period_s)):
            view = await rig.scan()
            assert refs(view) == (0.0, 0.0, 0.0), "no motion by itself after the e-stop"
        automation.command(PackCommand.UNHOLD, rig.clock.now(), "make it safe")
        await rig.until(lambda v: refs(v)[2] > 0.0, within_s=1.0, what="raising again")
        await secured_and_nothing_hit(rig, automation, target)


async def blow(rig: LockStep, speed_mps: float, over_s: float) -> None:
    """The wind goes from what it is to ``speed_mps`` (no gusts) over ``over_s``."""
    start_mps = rig.sim.plc.faults.wind_mps
    steps = round(over_s / rig.period_s)
    for i in range(1, steps + 1):
        rig.sim.faults.inject("wind", speed_mps=start_mps + (speed_mps - start_mps) * i / steps)
        await rig.scan()


async def test_a_box_the_wind_leaned_off_its_trailer_is_not_set_back_down_off_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Case 1632: held by bad data 5 cm over its trailer at the trial lift while the wind rose
    to 19 m/s, the box leaned 0.6 m off the deck; resumed, the wind stop came and the box was
    set back down 0.75 m off the deck's castings (damaged). Off its place, it is raised clear.
    Held here by the operator's HOLD with the hold's trial-lift set-back off (finding 7 sets
    the unweighed box back at once; a hold by bad data that lasts leaves it hanging so)."""
    monkeypatch.setattr(trial_lift, "sets_back_while_held", lambda *args: None)
    rig, automation = rig_with_j1()
    async with rig:
        await start(rig, automation)
        await rig.until(in_step(automation, Step.TRIAL_LIFT, delivering=False), within_s=200)
        await rig.run_for(0.8)  # off the deck, weighing
        await held(rig, automation)
        await blow(rig, 19.0, over_s=10.0)
        await rig.run_for(4.0)
        sway = rig.sim.plant.load_position()[1] - rig.sim.plant.trolley.position_m
        assert abs(sway) > 0.3, "leaning off the deck"
        # the hold's own reaction may be making it safe already: the wind ahead (19 m/s in 10 s)
        # reached the stop limit (finding 18); then the UNHOLD waits, and changes nothing here
        with contextlib.suppress(CommandRefused):
            automation.command(PackCommand.UNHOLD, rig.clock.now(), "test")
        await blow(rig, 22.0, over_s=2.0)
        for _ in range(round(30.0 / rig.period_s)):
            await rig.scan()
            assert rig.sim.model_faults == ()
        assert rig.sim.plant.carrying, "not set down off the castings"
        run = automation.sequencer.run
        assert run is not None
        assert run.step is Step.HELD
        assert run.wind_secured


@pytest.mark.parametrize(("wind_mps", "raised"), [(0.0, False), (12.0, True)], ids=["calm", "12"])
async def test_settling_before_the_rise_in_a_wind_near_the_pre_alarm_waits_clear_of_neighbours(
    wind_mps: float, raised: bool
) -> None:
    """Case 2318: resumed low beside the next truck's box as a storm built up, the box settled
    its swing where it hung; when the wind stop came, the lean already reached most of the way
    to that box and no hoist could outrun the rising wind. In a wind whose next gust may reach
    the pre-alarm (12 m/s and 4 m/s more: 16), settling for the rise first raises the load clear
    of what the wind may swing it into; in calm air it settles where it hangs."""
    rig, automation = rig_with_j1()
    async with rig:
        await start(rig, automation)
        await rig.until(in_step(automation, Step.TRAVEL, delivering=True), within_s=200)
        await held(rig, automation)
        # slowly (0.6 m/s a second): a faster rise sees the stop limit ahead and the hold's own
        # reaction raises the load before the UNHOLD (finding 18)
        await blow(rig, wind_mps, over_s=20.0)
        z_held = rig.sim.plant.hoist.position_m
        automation.command(PackCommand.UNHOLD, rig.clock.now(), "test")
        settling = in_step(automation, Step.SETTLE, delivering=True)
        await rig.until(settling, within_s=1)
        await rig.until(lambda v: not settling(v), within_s=60, what="settled")
        rose = rig.sim.plant.hoist.position_m - z_held
        assert (rose > 1.0) is raised, f"rose {rose:.2f} m while settling"
        assert rig.sim.model_faults == ()

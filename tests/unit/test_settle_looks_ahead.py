"""A load that settles low beside its neighbours looks at where the wind is going (hostile14
findings 13 and 14, bench cases 1042079 and 1044519).

Settling the swing a stop left, the box hangs where it was stopped: over truck lane T1, just after
lift-off, its underside below the top of the box on the truck in lane T2. Before, the settle
waited clear of what the wind may swing it into only before a rise, and only once the wind's
reading plus the 4 m/s gust margin reached the pre-alarm: a front rising 3 m/s a second was met
2 s late (case 1044519), and a settle before the operator's SET DOWN waited low while a front
rose to the stop limit (case 1042079); both swung the box into T2's box. Now
(:func:`crane_ctrl.sequencer.wind.rise_margin_m`) the settle takes the wind ahead: the reading, or
where the wind outlook (the trend WIND_NO_LIFT judges by) takes it over the time a raise from
there needs, whichever is more; before a rise it waits clear once that wind's next gust may
reach the pre-alarm, before anything else once it may reach the stop limit (a wind stop may
then come while it waits). In a steady wind below that, a settle before a set-down stays where
it hangs.

J1 (truck T1 -> stack 7:3:1) in lock-step through the automation, on the generic Modbus profile.
"""

from __future__ import annotations

from crane_ctrl.motion.wind_swing import GUST_MARGIN_MPS
from crane_ctrl.operation.machine import PackCommand, PackState
from crane_ctrl.runtime.automation import Automation
from crane_ctrl.sequencer.automatic_move import Step
from crane_ctrl.testing import LockStep
from tests.unit.automation_rig import held, in_step, refs, rig_with_j1, start
from tests.unit.test_stop_and_abort import reset_to_idle

WATCH_S = 40.0
"""How long the box is watched once the front has come (it leans into T2's box within 10 s when
left low)."""


async def _front(rig: LockStep, rate_mps2: float, until_mps: float, settling: object) -> float:
    """The wind rises ``rate_mps2`` a second from what it is, scan by scan, up to ``until_mps``
    or until the settle's hoist rises: the wind read (the 3-s gust) when it began to rise
    (``inf``: it did not)."""
    wind = rig.sim.plc.faults.wind_mps
    while wind < until_mps:
        wind = min(until_mps, wind + rate_mps2 * rig.period_s)
        rig.sim.faults.inject("wind", speed_mps=wind)
        view = await rig.scan()
        if refs(view)[2] > 0.0 and callable(settling) and settling(view):
            return view.snapshot.number("env.wind") or 0.0
    return float("inf")


async def _watch(rig: LockStep, seconds: float) -> None:
    for _ in range(round(seconds / rig.period_s)):
        await rig.scan()
        assert rig.sim.model_faults == (), rig.sim.model_faults


async def _at_travel_start(rig: LockStep, automation: Automation) -> None:
    """J1 at the start of its loaded travel: the box low over T1, beside T2's box."""
    await start(rig, automation)
    await rig.until(in_step(automation, Step.TRAVEL, delivering=True), within_s=200)


async def _steady(rig: LockStep, wind_mps: float) -> None:
    """The wind blowing ``wind_mps`` steady for 12 s (the outlook sees it steady)."""
    rig.sim.faults.inject("wind", speed_mps=wind_mps)
    await rig.run_for(12.0)


async def test_the_settle_before_a_rise_meets_a_front_by_its_rise_not_its_reading() -> None:
    """Case 1044519's front (3 m/s a second out of a light wind): the settle begins to raise the
    box clear while the reading and its gust margin are still under the pre-alarm."""
    rig, automation = rig_with_j1()
    async with rig:
        await _at_travel_start(rig, automation)
        await held(rig, automation)
        await _steady(rig, 5.0)
        automation.command(PackCommand.UNHOLD, rig.clock.now(), "test")
        settling = in_step(automation, Step.SETTLE, delivering=True)
        await rig.until(settling, within_s=1)
        read = await _front(rig, 3.0, 22.0, settling)
        prealarm = rig.sim.plant.params.wind_prealarm_mps
        assert read + GUST_MARGIN_MPS < prealarm, f"rose only at {read:.1f} m/s"
        await _front(rig, 3.0, 22.0, None)
        await _watch(rig, WATCH_S)


async def _set_down_ordered(rig: LockStep, automation: Automation, wind_mps: float) -> None:
    """STOP, the operator's SET DOWN (onto T1, below the box), a steady ``wind_mps``, RESET,
    START: the settle first."""
    await _at_travel_start(rig, automation)
    automation.command(PackCommand.STOP, rig.clock.now(), "test")
    await rig.until(lambda v: automation.machine.state is PackState.STOPPED, within_s=10)
    automation.set_down(rig.clock.now())
    await _steady(rig, wind_mps)
    await reset_to_idle(rig, automation)
    automation.command(PackCommand.START, rig.clock.now())
    await rig.until(in_step(automation, Step.SETTLE, delivering=True), within_s=1)


async def test_the_settle_before_a_set_down_rises_clear_of_a_front_coming_to_the_stop_limit() -> (
    None
):
    """Case 1042079's front (8 to 20 m/s, 1.4 m/s a second) while the box settles before the
    operator's set-down: it is raised clear before the wind stop comes, and nothing is hit."""
    rig, automation = rig_with_j1()
    async with rig:
        await _set_down_ordered(rig, automation, 8.0)
        z_stopped = rig.sim.plant.hoist.position_m
        settling = in_step(automation, Step.SETTLE, delivering=True)
        read = await _front(rig, 1.4, 21.0, settling)
        assert read < rig.sim.plant.params.wind_stop_mps - GUST_MARGIN_MPS, read
        assert rig.sim.plant.hoist.position_m > z_stopped
        await _front(rig, 1.4, 21.0, None)
        await _watch(rig, WATCH_S)


async def test_in_a_steady_wind_under_the_stop_limit_the_settle_before_a_set_down_stays_low() -> (
    None
):
    """12 m/s, steady: no wind stop is coming, so the box settles where it hangs (before a rise,
    the same wind would send it up first: its next gust may reach the pre-alarm,
    tests/unit/test_wind_securing.py). Then the set-down finds it leaning 0.2 m off T1's
    castings and holds, as it did before (not set down off them)."""
    rig, automation = rig_with_j1()
    async with rig:
        await _set_down_ordered(rig, automation, 12.0)
        z_stopped = rig.sim.plant.hoist.position_m
        settling = in_step(automation, Step.SETTLE, delivering=True)
        await rig.until(lambda v: not settling(v), within_s=30, what="settled")
        assert rig.sim.plant.hoist.position_m < z_stopped + 0.1
        await rig.run_for(5.0)
        assert rig.sim.plant.carrying
        assert rig.sim.model_faults == ()

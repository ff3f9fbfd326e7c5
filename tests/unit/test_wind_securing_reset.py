"""The hold's own wind securing when the operator resets the wind trip (hostile14 finding 8, bench
case 1003634), decided in :mod:`crane_ctrl.sequencer.wind`:

- reset in a gust's trough (the 3-s gust under the stop limit, the storm still gusting over it):
  the securing begun under the trip finishes, the box raised clear and held; stopped there it
  would be left lower, raised again at the next gust's trip;
- once the storm is over (no wind trip, the wind and its next gust under the pre-alarm): it holds
  where it is and waits for the operator; a later wind trip starts the hold's reaction again.

And the safety bench's oracle agrees: a securing begun under a wind trip may go on after the
reset while the storm lasts; it is not motion without the operator.
"""

from __future__ import annotations

import pytest

from crane_ctrl.bench.safety import JOBS, Case, Command, Event, FaultPlan, When, harness, run_case
from crane_ctrl.bench.safety.bench import PROFILE
from crane_ctrl.operation.machine import PackState
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.runtime.automation import Automation
from crane_ctrl.runtime.supervisor import SupervisorView
from crane_ctrl.sequencer.automatic_move import Step
from crane_ctrl.sequencer.run import Run
from crane_ctrl.testing import LockStep
from tests.unit.automation_rig import held, in_step, refs, rig_with_j1, start, trips

STORM_MPS, GUST_MPS, GUST_PERIOD_S = 18.0, 5.0, 8.0
"""Over the stop limit (20 m/s) in every gust, under it in every trough."""
BUILD_UP_S = 10.0


async def _storm_builds_up(rig: LockStep) -> None:
    steps = round(BUILD_UP_S / rig.period_s)
    for i in range(1, steps + 1):
        share = i / steps
        rig.sim.faults.inject(
            "wind", speed_mps=STORM_MPS * share, gust_mps=GUST_MPS * share,
            gust_period_s=GUST_PERIOD_S,
        )  # fmt: skip
        await rig.scan()


async def _raise_under_way(rig: LockStep, automation: Automation) -> None:
    """J1 held at the start of the loaded travel, low beside the next truck's box; the gusting
    storm builds up: the hold's own wind raise starts at the first gust's trip."""
    await start(rig, automation)
    await rig.until(in_step(automation, Step.TRAVEL, delivering=True), within_s=200)
    await held(rig, automation)
    await _storm_builds_up(rig)
    await rig.until(in_step(automation, Step.WIND_RAISE, delivering=True), within_s=10,
                    what="the hold's own wind raise")  # fmt: skip


async def _reset_in_a_trough(rig: LockStep) -> SupervisorView:
    """The operator's INTERLOCK_RESET, asked for until it takes (the gust reading under the
    stop limit): the view of the scan with no wind trip."""
    for _ in range(round(2 * GUST_PERIOD_S / rig.period_s)):
        view = await rig.scan()
        if not trips(view) & {"WIND_STOP", "WIND_STORM"}:
            return view
        rig.supervisor.request_reset()
    raise AssertionError("WIND_STOP not reset within two gusts")


def _run(automation: Automation) -> Run:
    run = automation.sequencer.run
    assert run is not None
    return run


async def test_a_wind_trip_reset_in_a_gusts_trough_lets_the_holds_securing_finish() -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await _raise_under_way(rig, automation)
        await _reset_in_a_trough(rig)
        z = rig.sim.plant.hoist.position_m
        assert z < _run(automation).wind_target_m - 0.5, "reset well short of its height"
        moved_untripped = 0
        for _ in range(round(30.0 / rig.period_s)):
            view = await rig.scan()
            gantry, trolley, hoist = refs(view)
            assert (gantry, trolley) == (0.0, 0.0)
            assert automation.machine.state is PackState.HELD
            if hoist > 0.0 and not trips(view) & {"WIND_STOP", "WIND_STORM"}:
                moved_untripped += 1
            if _run(automation).step is Step.HELD:
                break
        assert moved_untripped, "the raise went on with no wind trip active"
        run = _run(automation)
        assert run.step is Step.HELD
        assert run.wind_secured
        assert "clear of every neighbour" in str(run.events[-1]["reason"])
        assert rig.sim.plant.hoist.position_m >= run.wind_target_m - 0.05
        assert rig.sim.model_faults == ()


async def test_the_holds_securing_ends_once_the_storm_is_over_and_starts_again_at_a_trip() -> None:
    rig, automation = rig_with_j1()
    async with rig:
        await _raise_under_way(rig, automation)
        rig.sim.faults.inject("wind", speed_mps=5.0, gust_mps=0.0, gust_period_s=GUST_PERIOD_S)
        await _reset_in_a_trough(rig)
        await rig.until(lambda v: _run(automation).step is Step.HELD, within_s=1.0,
                        what="held once the storm is over")  # fmt: skip
        run = _run(automation)
        assert not run.wind_secured
        assert rig.sim.plant.hoist.position_m < run.wind_target_m - 0.5
        said = str(run.events[-1]["reason"])
        assert said.startswith("wind stop while held: the storm is over (no wind trip, 5.0 m/s"), (
            said
        )
        assert run.hold_reaction_off == "", "the storm's return starts it again"
        for _ in range(round(3.0 / rig.period_s)):
            view = await rig.scan()
            assert refs(view) == (0.0, 0.0, 0.0), "no motion without the operator"
        assert automation.machine.state is PackState.HELD
        rig.sim.faults.inject("wind", speed_mps=22.0, gust_mps=0.0, gust_period_s=GUST_PERIOD_S)
        await rig.until(in_step(automation, Step.WIND_RAISE, delivering=True), within_s=1.0,
                        what="the hold's own wind raise again")  # fmt: skip
        assert rig.sim.model_faults == ()


def _held_low_in_a_gusting_storm(*then: Event) -> Case:
    """Truck T1 -> stack: HOLD as the loaded travel starts, the box low beside T2's box; a storm
    over the stop limit in every gust and under it in every trough builds up while held; the
    operator looks away (reacts in 60 s); the random operator resets the interlocks at the
    given steps."""
    storm = FaultPlan("wind", (("speed_mps", STORM_MPS), ("gust_mps", GUST_MPS),
                               ("gust_period_s", GUST_PERIOD_S)))  # fmt: skip
    return Case(JOBS[0], (
        Event(When("deliver", "travel", 1.7), Command("hold")),
        Event(When("deliver", "held", 0.0), storm),
        *then,
    ), reaction_s=60.0)  # fmt: skip


def _resets() -> tuple[Event, ...]:
    """The random operator's INTERLOCK_RESET every half second of the hold's wind raise: one
    comes in a gust's trough."""
    return tuple(
        Event(When("deliver", "wind raise clear", 0.5 * k), Command("interlock_reset"))
        for k in range(1, 17)
    )


def test_the_oracle_lets_a_securing_begun_under_a_wind_trip_finish_after_its_reset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Finding 8's oracle rule: the raise after the reset is the hold's own reaction, not motion
    without the operator (it was, on the code of 838d9d4, case 1003634)."""
    seen: list[bool] = []
    tripped = harness._wind_tripped

    def watching(view: SupervisorView) -> bool:
        wind = tripped(view)
        if view.commands.hoist_speed_ref > 0.0:
            seen.append(wind)
        return wind

    monkeypatch.setattr(harness, "_wind_tripped", watching)
    result = run_case(_held_low_in_a_gusting_storm(*_resets()), load_profile(PROFILE), trace=True)
    assert result.ok, [v.message for v in result.violations]
    assert result.beyond_control is None
    assert False in seen, "the raise went on after a reset took the wind trip away"
    assert any("wind stop while held: raising it clear" in line for line in result.trace)
    assert any("clear of every neighbour" in line for line in result.trace)


def test_without_that_rule_the_raise_after_the_reset_is_motion_without_the_operator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The oracle of 838d9d4 (a wind trip required at every scan of the securing) on the same
    run: what case 1003634 found. (The storm as it blows, or building up, lets the hold's own
    reaction begin ahead of its trip since finding 18: taken away too.)"""
    monkeypatch.setattr(harness._CaseRun, "_storm_lasts", lambda self, view: False)
    monkeypatch.setattr(harness._CaseRun, "_storm_blows", lambda self: False)
    result = run_case(_held_low_in_a_gusting_storm(*_resets()), load_profile(PROFILE))
    assert [v.kind for v in result.violations] == ["motion_without_operator"]

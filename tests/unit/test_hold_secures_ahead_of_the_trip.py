"""The hold's own wind reaction starts when the wind stop is coming, not only at its trip
(hostile14 finding 18, case 1101076): held for a bad load reading as a storm built up, the box
low over truck T1 beside T2's box, the reaction began at the wind trip 1.9 s after the reading
came back, and the box met T2's box 2.5 s later. Now, once nothing stops the crane, the wind
ahead (the outlook over the time a raise needs) at the stop limit starts it.

The oracle's side: the hold's reaction may begin before the trip only while the wind as it
blows (the simulator's truth) is at the pre-alarm or rising; a crane that raised a held load on
a forecast in a wind that does not rise moves without its operator, and is caught."""

from __future__ import annotations

import pytest

from crane_ctrl.bench.safety.bench import PROFILE, _profile, run_seed
from crane_ctrl.bench.safety.cases import JOBS, Case, Command, Event, FaultPlan, When
from crane_ctrl.bench.safety.harness import run_case
from crane_ctrl.interlocks.evaluate import Permits
from crane_ctrl.sequencer import wind
from crane_ctrl.sequencer.machine import StepMachine
from crane_ctrl.sequencer.run import Run
from crane_ctrl.snapshot import Snapshot


def test_case_1101076_raises_clear_as_the_reading_comes_back_and_hits_nothing() -> None:
    result = run_seed(1101076, trace=True)
    assert result.ok, [v.message for v in result.violations]
    assert result.beyond_control is None
    said = "\n".join(result.trace)
    back = said.index("force hoist.load=nan for 5.59 s cleared")
    raise_ = said.index("step deliver 'wind raise clear' (wind stop while held")
    assert back < raise_
    assert said[back:raise_].count("\n") <= 2, said[back:raise_]  # in the scan it came back


def _held_low_in_a_fresh_wind() -> Case:
    """Truck T1 -> stack: HOLD as the loaded travel starts, the box low beside T2's box; a
    12 m/s wind (no gust: never near the pre-alarm) while held, built up over the bench's 10-s
    ramp, then steady; the operator away."""
    fresh = FaultPlan("wind", (("speed_mps", 12.0), ("gust_mps", 0.0), ("gust_period_s", 8.0)))
    return Case(JOBS[0], (
        Event(When("deliver", "travel", 1.7), Command("hold")),
        Event(When("deliver", "held", 0.0), fresh),
    ), reaction_s=60.0)  # fmt: skip


def test_a_held_crane_raising_on_a_forecast_with_no_storm_coming_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not vacuous: the same reaction started on a wrong forecast, once the wind blows steady,
    is motion without the operator (the load is exposed to the reading's next gust, but the wind
    does not rise)."""
    original = wind._wind_coming
    steady_since: list[float] = []

    def steady_then_wrong(m: StepMachine, run: Run, snapshot: Snapshot, permits: Permits) -> bool:
        if (snapshot.number("env.wind") or 0.0) >= 11.95 and not steady_since:  # the 3-s reading
            steady_since.append(snapshot.time_s)
        # wrong once the reading has stood steady for longer than its own 3-s window (until then
        # the gust average may still be rising after the wind's peak: the oracle allows for it)
        wrong = bool(steady_since) and snapshot.time_s - steady_since[0] >= 3.5
        return True if wrong else original(m, run, snapshot, permits)

    monkeypatch.setattr(wind, "_wind_coming", steady_then_wrong)
    result = run_case(_held_low_in_a_fresh_wind(), _profile(str(PROFILE)))
    assert [v.kind for v in result.violations] == ["motion_without_operator"]


def test_in_a_fresh_wind_that_stays_under_the_pre_alarm_the_held_load_stays() -> None:
    result = run_case(_held_low_in_a_fresh_wind(), _profile(str(PROFILE)), trace=True)
    assert result.ok, [v.message for v in result.violations]
    assert not any("wind raise clear" in line for line in result.trace)

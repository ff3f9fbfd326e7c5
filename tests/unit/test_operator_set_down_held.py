"""The operator's SET DOWN stands through a hold: a job the operator sent down onto the place
below it, held on its way down (a HOLD, a trip) and resumed, goes on down to that place; it
does not set off for its destination after all (a move the operator had called off). Held
before it went down, a wind stop makes the load safe as for any hanging box.

A wind stop's own set-down, resumed, still delivers (the wind that sent it down has dropped)."""

from __future__ import annotations

from crane_ctrl.bench.safety.bench import PROFILE, _profile
from crane_ctrl.bench.safety.cases import JOBS, Case, Command, Event, FaultPlan, When
from crane_ctrl.bench.safety.harness import run_case

RESTACK = JOBS[6]
"""The 20-ft restack 9:1:1 -> 11:2:1: stopped as its loaded travel starts, the place below is
its pick place."""
PICK = "stack bay 9 row 1 tier 1"
DESTINATION = "stack bay 11 row 2 tier 1"


def _stopped_and_sent_down(*then: Event) -> Case:
    return Case(RESTACK, (
        Event(When("deliver", "travel", 0.3), Command("stop")),
        Event(When("deliver", "held", 1.5), Command("set_down")),
        *then,
    ), reaction_s=3.0)  # fmt: skip


def _said(case: Case) -> str:
    result = run_case(case, _profile(str(PROFILE)), trace=True)
    assert result.ok, [v.message for v in result.violations]
    return "\n".join(result.trace)


def test_held_on_its_way_down_and_resumed_it_goes_on_down_where_the_operator_chose() -> None:
    said = _said(_stopped_and_sent_down(Event(When("deliver", "wind set down", 0.8),
                                              Command("hold"))))  # fmt: skip
    assert "random: HOLD" in said, said
    assert "operator: UNHOLD" in said, said
    assert f"set down by the operator: container TCNU9081726 set down on {PICK}" in said, said
    assert "outcome failed: set down by the operator" in said, said
    assert f"set down on {DESTINATION}" not in said, said


def test_stopped_on_its_way_down_and_started_again_it_goes_on_down_where_the_operator_chose() -> (
    None
):
    said = _said(_stopped_and_sent_down(Event(When("deliver", "wind set down", 0.8),
                                              Command("stop"))))  # fmt: skip
    assert f"set down by the operator: container TCNU9081726 set down on {PICK}" in said, said
    assert f"set down on {DESTINATION}" not in said, said


def test_a_wind_stop_while_the_ordered_set_down_waits_held_makes_the_load_safe() -> None:
    """SET DOWN ordered, then a wind stop before START: the hold's own wind reaction sets the
    box down on the place below (it hung there exposed), not left hanging in the storm."""
    storm = FaultPlan(
        "wind", (("speed_mps", 24.0), ("gust_mps", 0.0), ("gust_period_s", 8.0)), 40.0
    )
    case = Case(RESTACK, (
        Event(When("deliver", "travel", 0.3), Command("stop")),
        Event(When("deliver", "held", 1.5), Command("set_down")),
        Event(When("deliver", "held", 1.6), storm),
    ), reaction_s=3.0)  # fmt: skip
    said = _said(case)
    assert "wind stop" in said.lower(), said
    assert f"set down on {PICK}" in said, said

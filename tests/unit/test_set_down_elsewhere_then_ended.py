"""A box the operator (or a wind stop) set down somewhere other than its destination, and the
job then ended before the empty spreader was clear: the yard model keeps the box where it was
set down (case 1100517, ``crane-ctrl bench safety``: STOP in the loaded travel of the 20-ft
restack 9:1:1 -> 11:2:1, SET DOWN, START: set back down on 9:1:1 and unlocked; ABORT and MANUAL
as the spreader rose from it, and the yard model moved the box to 11:2:1, where nothing stood).

A job dropped in its set-down (unlocking, raising the empty spreader clear, or resting
unconfirmed) has its box where the set-down put it: the place below, once one was chosen, not
the job's destination."""

from __future__ import annotations

import pytest

from crane_ctrl.bench.safety.bench import PROFILE, _profile
from crane_ctrl.bench.safety.cases import JOBS, Case, Command, Event, When
from crane_ctrl.bench.safety.harness import run_case
from crane_ctrl.operation.machine import Mode

RESTACK = JOBS[6]
"""The 20-ft restack 9:1:1 -> 11:2:1 (both ground tier: one landing height for both)."""
PICK = "stack bay 9 row 1 tier 1"


def _set_down_then(step: str, after_s: float, *ending: Command) -> Case:
    """STOP as the loaded travel starts, SET DOWN once stopped (straight below: its pick
    place), START;
    then ``ending``, from ``after_s`` into ``step`` of the set-down, a tenth of a second apart."""
    return Case(RESTACK, (
        Event(When("deliver", "travel", 0.3), Command("stop")),
        Event(When("deliver", "held", 1.5), Command("set_down")),
        *(Event(When("deliver", step, after_s + 0.1 * i), c) for i, c in enumerate(ending)),
    ), reaction_s=3.0)  # fmt: skip


ENDINGS = {
    "abort, manual": (Command("abort"), Command("mode", Mode.MANUAL)),
    "stop, cancel": (Command("stop"), Command("cancel")),
}


@pytest.mark.parametrize(("step", "after_s"), [("unlock", 0.0), ("raise clear", 0.3)])
@pytest.mark.parametrize("ending", list(ENDINGS))
def test_the_box_stays_in_the_yard_model_where_it_was_set_down(
    step: str, after_s: float, ending: str
) -> None:
    result = run_case(_set_down_then(step, after_s, *ENDINGS[ending]), _profile(str(PROFILE)),
                      trace=True)  # fmt: skip
    assert result.ok, [v.message for v in result.violations]
    said = "\n".join(result.trace)
    assert f"set down on {PICK}" in said, said
    assert f"stands on {PICK}" in said or "hangs on the spreader" not in said, said


def test_set_down_is_refused_while_the_crane_still_moves_and_taken_once_it_stands() -> None:
    """The place below is judged once the crane stands (the load settles under it before it
    goes down): ordered while STOP still ramps the travel down, it is refused, saying so."""
    case = Case(RESTACK, (
        Event(When("deliver", "travel", 0.3), Command("stop")),
        Event(When("deliver", "held", 0.1), Command("set_down")),
        Event(When("deliver", "held", 1.5), Command("set_down")),
    ), reaction_s=3.0)  # fmt: skip
    result = run_case(case, _profile(str(PROFILE)), trace=True)
    assert result.ok, [v.message for v in result.violations]
    said = "\n".join(result.trace)
    assert "SET_DOWN refused: the crane is still moving (gantry" in said, said
    assert f"set down by the operator: container TCNU9081726 set down on {PICK}" in said, said

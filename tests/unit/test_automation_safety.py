"""The randomized safety proof of the automatic crane, as the operator really runs it (issue 14).

Random jobs of the default site run in lock-step through the automation (PackML machine, job
queue, modes), the supervisor and the simulated crane (:mod:`crane_ctrl.bench.safety`), while
faults, transient bad values (a forced implausible value, or raw content past the codec that the
profile's place can hold, for 0.1-10 s) and operator commands (HOLD, UNHOLD, STOP, ABORT, CLEAR,
RESET, START, mode changes, cancel, set down, interlock reset; refused ones are fine) hit them at
random steps, wedge checks (STOP + RESET, or ABORT + CLEAR + RESET, must reach IDLE within the
longest ramp plus 2 s) come at random steps and at the end of every run, and a reasonable operator
resets and resumes. At every scan: the supervisor's invariants, the PLC's commands only what was
written, no model fault (collision, damaged or dropped load, truck lifted, end stop), no unlock
under a hanging box, and no speed reference after a hold or stop before the operator's UNHOLD or
START. At the end: every box where the yard model says, the job ended or held for a fault that
persists. The harness's docstrings say each rule exactly.

Two runs of it here, together within the budget the single random test had before (about 60 s
of one core; a case costs about 3 s of one core, so 16 bench cases over two processes take about
27 s when the second core is free, and the 5 Hypothesis cases about 14 s):

- a Hypothesis property: cases drawn by Hypothesis (derandomized, no database, no shrinking: a
  failure prints the case, the scan and the trace);
- the CI-sized bench: ``crane-ctrl bench safety`` on fixed seeds over two processes, through the
  command line, its JSON line asserted clean (a failing seed replays with ``--case SEED``).

And checks that the new checks are not vacuous: a crane that creeps while held, and a machine
that never finishes STOPPING, are caught.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from crane_ctrl.bench.safety import (
    JOBS,
    BadValue,
    Case,
    Command,
    Event,
    FaultPlan,
    WedgeCheck,
    When,
    bad_value_menu,
    case_of,
    draw_case,
    run_case,
)
from crane_ctrl.bench.safety.bench import PROFILE
from crane_ctrl.cli.main import main
from crane_ctrl.commands import Commands
from crane_ctrl.profile.loader import load_profile, parse_profile
from crane_ctrl.runtime.automation import Automation
from crane_ctrl.sequencer import wind
from tests.unit.simplc.raw_profiles import VARIANTS

T = TypeVar("T")

CI_JOBS = 16
"""Cases of the CI bench run (two processes): see the module docstring for the budget. The
issue's 500 would take about 25 minutes of one core: ``crane-ctrl bench safety --jobs 500``."""
CI_SEED = 1000
"""Its first seed (cases CI_SEED .. CI_SEED + CI_JOBS - 1)."""
EXAMPLES = 5
"""Hypothesis examples of the property."""
OPCUA = load_profile(PROFILE)
MENU = bad_value_menu(OPCUA)


class HypothesisDraw:
    """:class:`crane_ctrl.bench.safety.Draw` from Hypothesis."""

    def __init__(self, draw: st.DrawFn) -> None:
        self._draw = draw

    def integer(self, low: int, high: int) -> int:
        return self._draw(st.integers(low, high))

    def real(self, low: float, high: float) -> float:
        return self._draw(st.floats(low, high, allow_nan=False, allow_infinity=False))

    def pick(self, options: Sequence[T]) -> T:
        return self._draw(st.sampled_from(options))


@st.composite
def cases(draw: st.DrawFn) -> Case:
    return draw_case(HypothesisDraw(draw), MENU)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cases())
def test_random_jobs_faults_bad_values_and_operator_commands_stay_safe(case: Case) -> None:
    """No shrinking: each example is a whole job (2-3 s); the failure names the case, the scan,
    the faults, the commands and the trace, and ``run_case(case, OPCUA, trace=True)`` replays
    it."""
    result = run_case(case, OPCUA)
    assert result.ok, "\n\n".join(v.message for v in result.violations)


def test_the_ci_bench_run_finds_no_violation_no_wedge_no_collision(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["bench", "safety", "--jobs", str(CI_JOBS), "--seed", str(CI_SEED), "--workers", "2"]
    code = main(argv)
    out = capsys.readouterr().out
    figures = json.loads(out.strip().splitlines()[-1])
    failing = json.dumps(figures["failing"], indent=1)
    assert figures["jobs"] == CI_JOBS
    assert (figures["violations"], figures["wedges"], figures["collisions"]) == ({}, 0, 0), failing
    assert code == 0
    assert figures["wedge_checks"] >= CI_JOBS  # one at the end of every run, at least
    assert figures["faults"]
    assert figures["bad_values"]
    assert figures["commands"]


def test_a_case_is_drawn_the_same_from_its_seed() -> None:
    assert case_of(7) == case_of(7)
    assert str(case_of(7)) == str(case_of(7))
    assert case_of(7) != case_of(8)


def test_bad_raw_values_are_drawn_from_what_the_profiles_places_can_hold() -> None:
    raw = {(b.signal, str(b.value)) for b in MENU if b.kind == "force_raw"}
    assert ("hoist.load", "nan") in raw  # a Double node holds a NaN
    assert ("spreader.size", "33") in raw  # a size code outside the sizes
    assert not any(signal.startswith("plc.estop") for signal, _ in raw)  # a Boolean node: 0/1
    variant = parse_profile(VARIANTS["bool-register-modbus"], "bool-register-modbus.toml")
    assert BadValue("force_raw", "plc.estop_ok", 2) in bad_value_menu(variant)


def _held_case(*actions: Command | WedgeCheck) -> Case:
    """Stack -> AGV, the actions a second into the empty travel to the pick."""
    return Case(JOBS[3], tuple(Event(When("collect", "travel", 1.0), a) for a in actions))


@pytest.mark.parametrize("axis", ["trolley", "hoist"])
def test_a_crane_that_creeps_while_held_is_caught(
    monkeypatch: pytest.MonkeyPatch, axis: str
) -> None:
    """The hoist too: only the hold's own wind reaction may move it (a wind trip, the load
    exposed), and here no wind blows."""

    def creep(self: Automation, *args: object) -> Commands:
        return Commands(drives_enable=True).with_speed(axis, 0.05)

    monkeypatch.setattr(Automation, "_hold", creep)
    result = run_case(_held_case(Command("hold")), OPCUA)
    assert [v.kind for v in result.violations] == ["motion_without_operator"]


def _held_low_in_a_gale(*then: Event) -> Case:
    """Truck T1 -> stack: HOLD as the loaded travel starts, the box 1.5 m over T1 and below
    the top of the box on T2 beside it; a 24 m/s wind builds up (never to calm) while held;
    the operator looks away (reacts in 60 s)."""
    gale = FaultPlan("wind", (("speed_mps", 24.0), ("gust_mps", 0.0), ("gust_period_s", 8.0)))
    return Case(JOBS[0], (
        Event(When("deliver", "travel", 1.7), Command("hold")),
        Event(When("deliver", "held", 0.0), gale),
        *then,
    ), reaction_s=60.0)  # fmt: skip


def test_the_holds_own_wind_reaction_is_the_one_motion_allowed_while_held() -> None:
    """Hostile14 finding 3: the hold's own reaction raises the box clear, the job still HELD;
    the oracle takes it for the crane's reaction to the wind trip, not motion without the
    operator, and nothing is hit."""
    result = run_case(_held_low_in_a_gale(), OPCUA, trace=True)
    assert result.ok, [v.message for v in result.violations]
    assert result.beyond_control is None
    assert any("wind stop while held: raising it clear" in line for line in result.trace)


def test_a_held_load_left_to_swing_into_its_neighbour_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The old behaviour (no wind reaction while HELD): with the drives on and only the wind
    tripped, the collision is the crane's, a violation, not beyond its control."""
    monkeypatch.setattr(wind, "secures_while_held", lambda *args: False)
    result = run_case(_held_low_in_a_gale(), OPCUA)
    assert [v.kind for v in result.violations] == ["collision"]
    assert result.beyond_control is None


@pytest.mark.parametrize("command", ["stop", "abort"])
def test_stop_or_abort_during_the_holds_wind_raise_is_beyond_control(command: str) -> None:
    """The operator's STOP (ramps to zero, drives off once stopped) or ABORT (drives off) half a
    second into the raise: the box, still low, swings into T2's box; the operator had the crane
    stopped: beyond its control."""
    stop = Event(When("deliver", "wind raise clear", 0.5), Command(command))
    result = run_case(_held_low_in_a_gale(stop), OPCUA)
    assert result.ok, [v.message for v in result.violations]
    assert result.beyond_control is not None
    assert "collision" in result.beyond_control.message


def test_a_machine_that_never_finishes_stopping_is_a_wedge(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Automation, "_stopped", lambda self, now, snapshot: False)
    result = run_case(_held_case(WedgeCheck("stop")), OPCUA)
    assert [v.kind for v in result.violations] == ["wedge"]
    assert "STOPPING" in result.violations[0].message


FOUND_BY_THE_BENCH = {
    106: "a box set back down in a 10 m/s wind landed 0.14-1.0 m off the castings below it",
    95: "held in raise clear, then in settle sway: every resume refused (box said to be carried)",
    47: "STOP as START resumed an unlock: the twistlocks' part-way turn refused every resume",
    138: "overweight, set back down, held: settling on resume asked to hoist, OVERLOAD refused it",
    381: "taken over in MAINTENANCE in raise clear: the box, set down, was said to hang and left "
    "the yard model",
    960: "held in a wind stop at the height the step-gust envelope said was clear, 8-s gusts "
    "pumped the swing to 7 m into a stack (resonance); the storm then blocked the raise",
    2816: "cancelled while the link was frozen just after lift-off: the box was taken for set "
    "down (locks unreadable) and left hanging with no one knowing it was carried",
    1000427: "the PLC went to local control as the box touched down on its stack: held, the box "
    "standing locked to the spreader is the job's, not a box the yard model lost (the oracle)",
    1001193: "cancelled with the box set down on its AGV but one landing pin never pressed: "
    "the yard model kept it where it was lifted from; it stands where it was set down",
    1003383: "taken over in MAINTENANCE during a link freeze as the empty spreader rose from the "
    "box it had unlocked on its stack: the box was said to hang, and the yard model lost it",
    1010461: "cancelled during a link freeze that began as the box, set down on its stack, was "
    "to be unlocked: the box was said to hang on the spreader, and the yard model lost it",
    1002968: "held 0.70 s into the trial lift, a trailer 0.03 m up on the box (under the truck-"
    "lift trip), then STOP, RESET, CANCEL: cancelled with the trailer hanging, unsaid",
    1002675: "lifted off its truck beside a loaded truck as the wind, its reading just back from "
    "a NaN, rose 2 m/s a second through the pre-alarm; the wind stop came 1.7 s into the rise, "
    "too late to raise it clear (hostile14 finding 6)",
    1003634: "the hold's own wind raise went on after the operator reset the wind trip in a "
    "gust's trough (the oracle: a securing begun under a wind trip finishes while the storm "
    "lasts; hostile14 finding 8)",
    1012446: "lifted off its truck beside a loaded truck 1.5 s into a wind front rising 2.5 m/s "
    "a second out of calm, which the 10-s trend took for 0.7; the wind stop's raise then cut "
    "short by a link drop and a bad gantry speed (hostile14 finding 9)",
    3280: "lifted off its truck as a wind front came (then e-stop, STOP, RESET: idle while the "
    "wind rose, leaning 0.89 m toward the next truck's box, beyond the crane's control): since "
    "finding 9's fix the lift waits for the front",
    1001638: "lifted off its truck as a storm came (then held by a NaN hoist position, the wind "
    "raise 1.4 s too late, beyond the crane's control): since finding 9's fix the lift waits",
    1040794: "the trial lift found the trailer coming up with the box (3 cm) and began setting "
    "them back down; the e-stop opened for good 0.05 s later: held, the trailer stays up while "
    "the crane cannot lower (the oracle)",
    1042079: "stopped just after lift-off, SET DOWN ordered: settling low beside the next "
    "truck's box before setting it down while a front rose 8 to 20 m/s; the wind stop's raise "
    "came too late (hostile14 finding 13)",
    1044519: "settling low beside the next truck's box after a hoist drive fault as a front rose "
    "5 to 20 m/s in 5 s: the settle's rise began on the reading, 2 s late; a bad wind reading "
    "then stopped the wind stop's raise short (hostile14 finding 14)",
    198: "lifted off its truck as a storm came, beside the next truck's box (then the e-stop, "
    "never closed, with the box low beside a stack: beyond the crane's control): since finding "
    "12's fix the lift is set back down and waits",
    1042025: "lifted off its truck in a steady 19.5 m/s, under the stop limit: the box swung 1 m "
    "into the next truck's box before it rose clear (hostile14 finding 12); 9 s of CI",
    1060054: "set back for the wind at lift-off in 19.7 m/s, the box drifted 5 cm off its trailer "
    "before it was down: held hanging low beside the next truck's box for good (a first version "
    "of finding 12's fix)",
    1046740: "a link freeze as the empty spreader came down onto its box: the PLC lowered on "
    "until its watchdog stopped it, 0.2 m past touchdown, the ropes slack; every resume held "
    "'landed at 3.78 m, expected 3.99 m: check the slot' (hostile14 finding 15)",
    1100517: "STOP in the loaded travel, SET DOWN onto its pick place, START, then ABORT and "
    "MANUAL as the empty spreader rose from it: the yard model moved the box to its destination, "
    "where nothing stood (hostile14 finding 17)",
    1201933: "planned in calm air, a 16.6 m/s wind with 2 m/s gusts came as the loaded travel "
    "began: the box, coming down toward its stack, leaned into the stack beside it (the travel "
    "now gives up for a wind past what its path was cleared for, and plans again)",
    1201829: "held by a link drop in the loaded travel as a short wind front rose; the hold's wind "
    "raise began as the gust average still rose, just past the wind's peak (the oracle: the "
    "anemometer's window lags the wind)",
}
"""Cases ``crane-ctrl bench safety`` found (issue 14), each a defect since fixed (of the crane,
or of the oracle where it says so). Case 1000238 (a gusty storm that never calms stops the empty
move every 12 s and the operator resumes it each time: the run may end between two stops, the
oracle) is not here: its 266 s of crane time cost too much of CI; ``crane-ctrl bench safety
--case 1000238`` replays it."""


@pytest.mark.parametrize("seed", list(FOUND_BY_THE_BENCH), ids=FOUND_BY_THE_BENCH.values())
def test_cases_the_bench_found_now_pass(seed: int) -> None:
    from crane_ctrl.bench.safety.bench import run_seed

    result = run_seed(seed)
    assert result.ok, [v.message for v in result.violations]
    assert result.beyond_control is None


def test_a_trailer_the_trial_lift_raised_is_set_back_down_once_the_crane_can_lower() -> None:
    """Case 1040794 with its e-stop closing again after 5 s: the operator resets and resumes,
    and the crane sets the box and its trailer back down. The oracle's rule is not vacuous: a
    trailer still up with the crane free to lower would be a violation."""
    from crane_ctrl.bench.safety.bench import case_of

    case = case_of(1040794)
    events = tuple(
        Event(e.when, FaultPlan("estop", (), 5.0))
        if isinstance(e.action, FaultPlan) and e.action.name == "estop"
        else e
        for e in case.events
    )
    assert events != case.events
    result = run_case(replace(case, events=events), OPCUA)
    assert result.ok, [v.message for v in result.violations]
    assert result.beyond_control is None


BEYOND_CONTROL = {
    737: "ABORTED with the box low beside a stack; the wind stop came before CLEAR, RESET, START",
    1020586: "held 4 cm off its truck in its trial lift by a bad trolley position as a 23 m/s wind "
    "came; the data good again 9 s later, the hold's wind raise began in that scan, 1.8 s before "
    "the leaning box reached the next truck's box (before the fix the crane did nothing then: "
    "tests/unit/test_trial_lift_wind_in_hold.py)",
    1072451: "set back for the wind at lift-off as a storm came; a bad trolley speed 0.05 s "
    "later held it a few cm off its trailer (after a trip nothing moves by itself); the wind "
    "stop's raise, the hold's own reaction once the data was good, came too late (before, a "
    "set-back held for a trip had no wind reaction at all: the box hung there)",
    2318: "(found as: settling low beside the next truck's box as a storm built up, the wind "
    "stop's raise cut short by a bad wind reading and a STOP.) Since the travel gives up for a "
    "wind past what its path was cleared for (case 1201933), the case's STOP and bad wind reading "
    "come before the wind raise: STOPped, START refused while the wind reads -5, the storm leaned "
    "the box into the next truck's box",
    1632: "held a few cm off its truck by a bad wind reading while the wind rose unseen; resumed "
    "leaning 0.52 m toward the next truck's box 0.6 m away: the raise could not be in time",
}
"""Cases where the wind swung a box into a neighbour while the crane could not act on it."""


@pytest.mark.parametrize("seed", list(BEYOND_CONTROL), ids=BEYOND_CONTROL.values())
def test_a_collision_the_crane_had_no_say_in_is_kept_apart_not_hidden(seed: int) -> None:
    from crane_ctrl.bench.safety.bench import run_seed, summarise

    result = run_seed(seed)
    assert result.ok
    assert result.beyond_control is not None
    assert "collision" in result.beyond_control.message
    figures = summarise([result], 1.0)
    assert (figures["collisions"], figures["beyond_control"]) == (0, 1)


def test_a_campaign_cut_short_reports_the_cases_done() -> None:
    """``--minutes`` (or Ctrl-C): no case starts once it is up; those under way finish and are
    counted, the rest are not run."""
    from crane_ctrl.bench.safety.bench import run_seeds

    seeds = range(CI_SEED, CI_SEED + 12)
    results = run_seeds(seeds, PROFILE, 2, stop=lambda: True)
    assert 1 <= len(results) < len(seeds), len(results)
    assert [r.seed for r in results] == sorted({r.seed for r in results})
    assert all(r.seed in seeds for r in results)
    assert main(["bench", "safety", "--jobs", "3", "--minutes", "0"]) == 2

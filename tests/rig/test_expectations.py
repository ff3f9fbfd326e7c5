"""Each kind of expectation passes and fails on a recorded run, and says what it saw. Pure."""

from __future__ import annotations

from pathlib import Path

import pytest

from crane_ctrl.rig.conditions import Scalar
from crane_ctrl.rig.expectations import Verdict, judge
from crane_ctrl.rig.loading import Scenario, load_scenario
from crane_ctrl.rig.timeline import Firing, JournalEntry, Observed, Sample

HEAD = """\
profile = "generic-modbus.toml"
duration_s = 60
[expect]
invariants = false
no_model_fault = false

[[jobs]]
id = "J1"
from = "truck:T1"
to = "stack:7:3:1"

[[faults]]
at_s = 1.0
fault = "estop"
"""


def scenario(tmp_path: Path, expect: str, head: str = HEAD) -> Scenario:
    path = tmp_path / "s.toml"
    path.write_text(head + expect, encoding="utf-8")
    return load_scenario(path)


def sample(
    t: float,
    refs: tuple[float, float, float] = (0.0, 0.0, 0.0),
    plc: tuple[float, float, float] | None = (0.0, 0.0, 0.0),
    trips: frozenset[str] = frozenset(),
    broken: tuple[str, ...] = (),
    **values: Scalar | None,
) -> Sample:
    named: dict[str, Scalar | None] = {k.replace("__", "."): v for k, v in values.items()}
    named.update(
        zip(("gantry.speed_ref", "trolley.speed_ref", "hoist.speed_ref"), refs, strict=True)
    )
    return Sample(t, named, trips, frozenset(), broken, plc)


def run(samples: list[Sample], **more: object) -> Observed:
    observed = Observed(samples=samples, end_s=samples[-1].time_s if samples else 0.0)
    observed.faults = [Firing("fault 1 (estop)", 1.0)]
    for name, value in more.items():
        setattr(observed, name, value)
    return observed


def verdicts(tmp_path: Path, expect: str, observed: Observed, head: str = HEAD) -> list[Verdict]:
    s = scenario(tmp_path, expect, head)
    found = judge(s.spec, s.conditions, observed)
    return [v for v in found if not v.what.endswith("happened")]  # the script's own checks


def only(tmp_path: Path, expect: str, observed: Observed) -> Verdict:
    (verdict,) = verdicts(tmp_path, expect, observed)
    return verdict


TICKS = [0.5 + 0.25 * i for i in range(20)]  # 0.5 .. 5.25 s


# --- safety -------------------------------------------------------------------------------------


def test_invariants_pass_when_no_scan_broke_one_and_fail_naming_the_first(tmp_path: Path) -> None:
    head = HEAD.replace("invariants = false", "invariants = true")
    clean = run([sample(t) for t in TICKS])
    broken = run([sample(1.0), sample(1.25, broken=("hoist up written with a mixed lock",))])
    ok = verdicts(tmp_path, "", clean, head)[0]
    bad = verdicts(tmp_path, "", broken, head)[0]
    assert ok.passed
    assert ok.seen == "20 scans checked"
    assert not bad.passed
    assert bad.seen == "at 1.25 s: hoist up written with a mixed lock (1 scans broke one)"


def test_model_faults_pass_fail_or_are_skipped_when_the_simulator_is_out_of_sight(
    tmp_path: Path,
) -> None:
    head = HEAD.replace("no_model_fault = false", "no_model_fault = true")
    samples = [sample(t) for t in TICKS]
    judged = [
        verdicts(tmp_path, "", run(samples, model_faults=faults), head)[0]
        for faults in ([], [(3.0, "collision: box into box")], None)
    ]
    assert [v.passed for v in judged] == [True, False, None]
    assert judged[1].seen == "at 3.00 s: collision: box into box"


STOP = "\n[[expect.stops]]\nafter_fault = 1\nwithin_s = 0.5\nfor_s = 2\n"


def test_stops_pass_when_every_reference_is_zero_in_the_window(tmp_path: Path) -> None:
    samples = [sample(t, refs=(1.0, 0, 0) if t < 1.5 else (0, 0, 0)) for t in TICKS]
    verdict = only(tmp_path, STOP, run(samples))
    assert verdict.passed, verdict
    assert verdict.seen == "trigger at 1.00 s; 9 scans all 0"


def test_stops_fail_on_a_reference_written_too_late_with_its_value(tmp_path: Path) -> None:
    samples = [sample(t, refs=(0, 0, 0.3) if t < 1.75 else (0, 0, 0)) for t in TICKS]
    verdict = only(tmp_path, STOP, run(samples))
    assert not verdict.passed
    assert verdict.seen == (
        "at 1.50 s (0.50 s after the trigger at 1.00 s) hoist.speed_ref written 0.300 m/s"
    )


def test_stops_fail_when_the_plc_still_holds_a_reference_unless_told_not_to_look(
    tmp_path: Path,
) -> None:
    samples = [sample(t, plc=(0.5, 0, 0)) for t in TICKS]
    verdict = only(tmp_path, STOP, run(samples))
    assert "the PLC holds gantry.speed_ref = 0.500 m/s" in verdict.seen
    assert only(tmp_path, STOP + "at_plc = false\n", run(samples)).passed


def test_stops_after_a_condition_start_at_its_first_true_scan(tmp_path: Path) -> None:
    expect = '\n[[expect.stops]]\nafter = "trip.ESTOP"\nwithin_s = 0.25\nfor_s = 1\n'
    samples = [
        sample(t, refs=(0, 0, 0) if t >= 2.25 else (1, 0, 0),
               trips=frozenset({"ESTOP"}) if t >= 2.0 else frozenset())
        for t in TICKS
    ]  # fmt: skip
    verdict = only(tmp_path, expect, run(samples))
    assert verdict.passed, verdict
    assert verdict.seen.startswith("trigger at 2.00 s")
    never = [sample(t) for t in TICKS]
    assert only(tmp_path, expect, run(never)).seen == "the condition never held"


def test_stops_after_a_fault_that_never_came_fail_and_after_a_skipped_one_are_skipped(
    tmp_path: Path,
) -> None:
    samples = [sample(t) for t in TICKS]
    never = run(samples, faults=[Firing("fault 1 (estop)", None, "never injected")])
    skipped = run(samples, faults=[Firing("fault 1 (estop)", None, "skipped: no channel")])
    assert only(tmp_path, STOP, never).passed is False
    assert only(tmp_path, STOP, skipped).passed is None


def test_stops_fail_when_the_run_ended_before_the_window(tmp_path: Path) -> None:
    verdict = only(tmp_path, STOP, run([sample(0.5), sample(1.25)]))
    assert verdict.seen == "no scan from 1.50 s (run ended at 1.25 s)"


# --- what happened ------------------------------------------------------------------------------


def test_trips_pass_when_active_at_some_scan_and_never_trips_fails_then(tmp_path: Path) -> None:
    samples = [sample(t, trips=frozenset({"ESTOP"}) if t == 2.0 else frozenset()) for t in TICKS]
    journal = [JournalEntry(2.0, "trip", "ESTOP", {"reason": "emergency-stop chain open"})]
    observed = run(samples, journal=journal)
    tripped = only(tmp_path, '\n[[expect.trips]]\nid = "ESTOP"\n', observed)
    assert tripped.passed
    assert tripped.seen == "active from 2.00 s: emergency-stop chain open"
    never = only(tmp_path, '\n[[expect.trips]]\nid = "ESTOP"\ntripped = false\n', observed)
    assert never.passed is False
    other = only(tmp_path, '\n[[expect.trips]]\nid = "WIND_STOP"\n', observed)
    assert other.passed is False
    assert other.seen == "never active; active trips seen: ESTOP"


def test_alarms_pass_only_when_journaled_as_activated(tmp_path: Path) -> None:
    expect = '\n[[expect.alarms]]\nid = "ESTOP"\n'
    activated = JournalEntry(2.0, "alarm", "ESTOP", {"event": "activated"})
    cleared = JournalEntry(2.0, "alarm", "ESTOP", {"event": "cleared"})
    samples = [sample(t) for t in TICKS]
    assert only(tmp_path, expect, run(samples, journal=[activated])).seen == "journaled at 2.00 s"
    not_raised = only(tmp_path, expect, run(samples, journal=[cleared]))
    assert not_raised.passed is False
    assert not_raised.seen == "never journaled; alarms raised: none"
    assert only(tmp_path, expect + "raised = false\n", run(samples, journal=[])).passed


@pytest.mark.parametrize(
    ("state", "reason", "passed"),
    [
        ("failed", "Wind 22 m/s: set down", True),
        ("failed", "overweight", False),
        ("done", "", False),
    ],
)
def test_jobs_end_in_a_state_with_words_in_the_reason(
    tmp_path: Path, state: str, reason: str, passed: bool
) -> None:
    expect = '\n[[expect.jobs]]\nid = "J1"\nends = "failed"\nreason_contains = "wind"\n'
    observed = run([sample(t) for t in TICKS], jobs={"J1": (state, reason)})
    verdict = only(tmp_path, expect, observed)
    assert verdict.passed is passed
    assert verdict.seen == state + (f": {reason!r}" if reason else "")


def test_containers_end_at_a_slot_or_are_skipped_when_the_yard_is_out_of_sight(
    tmp_path: Path,
) -> None:
    expect = '\n[[expect.containers]]\nid = "MSKU1234565"\nat = "stack:7:3"\n'
    samples = [sample(t) for t in TICKS]
    there = run(samples, containers={"MSKU1234565": "stack:7:3:1"})
    elsewhere = run(samples, containers={"MSKU1234565": "spreader"})
    assert only(tmp_path, expect, there).passed
    assert only(tmp_path, expect, elsewhere).seen == "at spreader"
    assert only(tmp_path, expect, run(samples)).passed is None


@pytest.mark.parametrize(
    ("when", "passed", "seen"),
    [
        ('at = "end"', True, "at 5.25 s: hoist.position = 5.250"),
        ('at = "always"', False, "at 0.50 s: hoist.position = 0.500"),
        ('at = "ever"', True, "first at 1.25 s"),
        ('at = "never"', False, "at 1.25 s: hoist.position = 1.250"),
        ("at_s = 1.1", True, "at 1.25 s: hoist.position = 1.250"),
        ("at_s = 0.9", False, "at 1.00 s: hoist.position = 1.000"),
        ("at_s = 9", False, "the run ended at 5.25 s"),
    ],
)
def test_conditions_hold_at_the_end_always_ever_never_or_at_a_time(
    tmp_path: Path, when: str, passed: bool, seen: str
) -> None:
    expect = f'\n[[expect.conditions]]\nholds = "hoist.position > 1.1"\n{when}\n'
    observed = run([sample(t, hoist__position=t) for t in TICKS])
    verdict = only(tmp_path, expect, observed)
    assert (verdict.passed, verdict.seen) == (passed, seen)


def test_every_fault_and_action_of_the_script_must_have_happened(tmp_path: Path) -> None:
    s = scenario(tmp_path, "")
    observed = run([sample(t) for t in TICKS])
    observed.faults = [Firing("fault 1 (estop)", None, "never injected: its time never came")]
    (script,) = judge(s.spec, s.conditions, observed)
    assert str(script) == ("FAILED: fault 1 (estop) happened (never injected: its time never came)")

"""Commissioning's pure parts: the verdict, the report files, the I/O judgement, the jog plan."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import MappingProxyType

import pytest

from crane_ctrl.commission.io_check import judge, judge_signal
from crane_ctrl.commission.jog import JogPlan, plan_jog
from crane_ctrl.commission.outcome import Check, StageId, StageResult, Status, tally, verdict
from crane_ctrl.commission.preconditions import blockers
from crane_ctrl.commission.report import CommissionReport, io_rows, text_table
from crane_ctrl.commission.safety_inputs import SAFETY_INPUTS
from crane_ctrl.commission.settings import CommissionSettings
from crane_ctrl.crane import CraneParams
from crane_ctrl.interlocks.evaluate import Motion
from crane_ctrl.signals import SIGNALS, STATUS
from crane_ctrl.snapshot import Quality, Reading, Snapshot

PASS, FAIL, SKIP, ASSUMED = Status.PASS, Status.FAIL, Status.SKIP, Status.ASSUMED


def stage(stage_id: StageId, *statuses: Status) -> StageResult:
    return StageResult(stage_id, tuple(Check(f"c{i}", s, "why") for i, s in enumerate(statuses)))


def report(*stages: StageResult) -> CommissionReport:
    return CommissionReport(
        profile_path="plc_profiles/generic-modbus.toml", profile_name="generic-modbus",
        profile_version="1.0.0", protocol="modbus", plc="modbus://127.0.0.1:5020",
        link="generic-modbus (modbus 127.0.0.1:5020 unit 1)", site="border-gate.toml",
        started=1_800_000_000.0, finished=1_800_000_012.5, assume_yes=True,
        selected=tuple(StageId), stages=stages,
    )  # fmt: skip


# --- verdict -------------------------------------------------------------------------------------


def test_one_failed_check_fails_the_stage_and_the_verdict() -> None:
    stages = [stage(StageId.LINK, PASS, PASS), stage(StageId.IO, PASS, FAIL, SKIP)]
    assert stages[1].status is FAIL
    assert verdict(stages) is FAIL
    assert report(*stages).exit_code == 1


def test_skipped_and_assumed_checks_pass_the_verdict_but_are_counted() -> None:
    stages = [stage(StageId.LINK, PASS), stage(StageId.FAILSAFE, ASSUMED, SKIP)]
    assert verdict(stages) is PASS
    assert tally(stages) == {PASS: 1, ASSUMED: 1, FAIL: 0, SKIP: 1}
    assert report(*stages).exit_code == 0
    assert report(*stages).summary() == "PASS: 1 passed, 1 assumed (--yes), 0 failed, 1 skipped"


def test_a_stage_with_nothing_tested_is_skipped() -> None:
    assert StageResult.skipped(StageId.WATCHDOG, "not selected").status is SKIP
    assert stage(StageId.COMMANDS, SKIP, SKIP).status is SKIP
    assert stage(StageId.COMMANDS, SKIP, PASS).status is PASS
    assert stage(StageId.FAILSAFE, ASSUMED).status is PASS


# --- report files --------------------------------------------------------------------------------


def test_report_writes_json_and_markdown_with_every_check(tmp_path: Path) -> None:
    jog = Check("jog hoist", PASS, "moved -0.061 m", MappingProxyType({"moved_m": -0.061}))
    odd = Check("odd | name", FAIL, "a | in text", MappingProxyType({"x": math.nan}))
    skipped = StageResult.skipped(StageId.WATCHDOG, "not selected (--only link commands)")
    json_path, md_path = report(
        StageResult(StageId.LINK, (Check("connect", PASS, "up after 0.05 s"),)),
        StageResult(StageId.COMMANDS, (jog, odd)),
        skipped,
    ).write(tmp_path / "out")
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["verdict"] == "fail"
    assert data["plc"] == "modbus://127.0.0.1:5020"
    assert data["started"] == "2027-01-15T08:00:00+00:00"
    assert data["counts"] == {"pass": 2, "assumed": 0, "fail": 1, "skip": 0}
    commands = data["stages"][1]
    assert commands["status"] == "fail"
    assert commands["checks"][0] == {
        "id": "jog hoist", "status": "pass", "reason": "moved -0.061 m",
        "measured": {"moved_m": -0.061},
    }  # fmt: skip
    assert commands["checks"][1]["measured"] == {"x": "nan"}  # JSON has no NaN
    assert data["stages"][2]["reason"] == "not selected (--only link commands)"
    markdown = md_path.read_text(encoding="utf-8")
    assert "**Verdict: FAIL: 2 passed, 0 assumed (--yes), 1 failed, 0 skipped**" in markdown
    assert "| jog hoist | pass | moved_m=-0.061 | moved -0.061 m |" in markdown
    assert "| odd \\| name | fail | x=nan | a \\| in text |" in markdown
    assert "## 3. watchdog: heartbeat paused, trip, reset: skip" in markdown
    assert "| PLC | `modbus://127.0.0.1:5020` |" in markdown


def test_assumed_checks_are_marked_assumed_yes_in_the_markdown() -> None:
    markdown = report(stage(StageId.FAILSAFE, ASSUMED)).to_markdown()
    assert "| c0 | assumed (--yes) |" in markdown


def test_text_table_pads_every_column_but_the_last() -> None:
    table = text_table(("a", "bb", "c"), [("long", "x", "end"), ("y", "z", "")])
    assert table.splitlines() == ["  a     bb  c", "  long  x   end", "  y     z"]


# --- the I/O check -------------------------------------------------------------------------------


def snapshots(name: str, *readings: Reading) -> list[Snapshot]:
    return [
        Snapshot(0.05 * i, MappingProxyType({name: r}), comms_ok=True, scan=i)
        for i, r in enumerate(readings)
    ]


def good(value: bool | float) -> Reading:
    return Reading(value, Quality.GOOD, 0.0)


def test_unmapped_optional_signal_is_skipped_and_unmapped_required_fails() -> None:
    optional = judge_signal(SIGNALS["sway.trolley"], None, [], 1.0)
    assert (optional.status, optional.reason) == (SKIP, "not mapped (optional)")
    required = judge_signal(SIGNALS["hoist.position"], None, [], 1.0)
    assert (required.status, required.reason) == (FAIL, "not mapped (required)")


def test_bad_reading_fails_with_the_snapshots_reason() -> None:
    why = "hoist.position = nan is implausible (plausible: -2 to 60 m)"
    readings = [good(12.0), Reading(12.0, Quality.BAD, 0.0, why), good(12.0)]
    check = judge_signal(SIGNALS["hoist.position"], "input 4..5", readings, 0.1)
    assert check.status is FAIL
    assert check.reason == f"bad in 1 of 3 scans: {why}"
    assert check.measured["quality"] == "bad"


def test_stale_and_never_read_signals_fail() -> None:
    stale = Reading(1.0, Quality.STALE, 0.0, "not read: timed out")
    check = judge_signal(SIGNALS["env.wind"], "input 18..19", [good(1.0), stale], 0.05)
    assert (check.status, check.reason) == (FAIL, "stale in 1 of 2 scans: not read: timed out")
    never = Reading(None, Quality.MISSING, None, "not read: link down")
    check = judge_signal(SIGNALS["env.wind"], "input 18..19", [never], 0.0)
    assert check.reason == "never read in 1 of 1 scans: not read: link down"


def test_frozen_life_counter_fails_and_an_advancing_one_passes() -> None:
    spec = SIGNALS["plc.heartbeat"]
    frozen = judge_signal(spec, "input 20", [good(7), good(7), good(7)], 1.5)
    assert frozen.status is FAIL
    assert frozen.reason.startswith("frozen at 7 for 1.5 s")
    counting = judge_signal(spec, "input 20", [good(7), good(8), good(9)], 0.2)
    assert counting.status is PASS
    assert counting.reason == "advancing: 2 changes in 0.2 s (10.0/s)"
    assert (counting.measured["min"], counting.measured["max"]) == (7, 9)


def test_judge_gives_one_check_per_status_signal_in_catalogue_order() -> None:
    checks = judge(snapshots("hoist.load", good(0.5), good(0.7)), {"hoist.load": "input 12..13"})
    assert [c.id for c in checks] == [s.name for s in STATUS]
    load = next(c for c in checks if c.id == "hoist.load")
    assert load.status is PASS
    rows = io_rows(StageResult(StageId.IO, (load,)))
    assert rows == [("hoist.load", "input 12..13", "0.700 (0.500..0.700)", "good", "pass",
                     "good in all 2 scans")]  # fmt: skip


# --- what may be tested, and how ----------------------------------------------------------------


def test_every_fail_safe_signal_of_the_catalogue_is_checked() -> None:
    fail_safe = {s.name for s in STATUS if s.fail_safe}
    assert fail_safe <= {d.signal for d in SAFETY_INPUTS}
    assert all(not SIGNALS[d.signal].is_command for d in SAFETY_INPUTS)


def test_crane_is_not_tested_with_the_estop_open_or_moving() -> None:
    readings = {
        "plc.estop_ok": good(False), "plc.remote": good(True), "plc.watchdog_trip": good(False),
        "gantry.fault": good(False), "trolley.fault": good(False), "hoist.fault": good(False),
        "hoist.speed": good(0.2),
    }  # fmt: skip
    found = blockers(Snapshot(1.0, MappingProxyType(readings), comms_ok=True), standstill_mps=0.01)
    assert found == [
        "e-stop chain open (plc.estop_ok false)",
        "crane not idle: hoist moving at +0.200 m/s",
    ]
    lost = Snapshot(1.0, MappingProxyType(readings), comms_ok=False, comms_reason="link down")
    assert blockers(lost, standstill_mps=0.01) == ["no trusted data from the PLC: link down"]


def test_hoist_jogs_up_where_it_has_room_and_down_near_the_top() -> None:
    crane = CraneParams()  # lift height 18 m
    kw = {"fraction": 0.1, "distance_m": 0.05, "clearance_m": 0.5}
    assert plan_jog("hoist", 12.0, crane, **kw) == JogPlan("hoist", 1, 0.1, 0.05)
    down = plan_jog("hoist", 17.95, crane, **kw)
    assert isinstance(down, JogPlan)
    assert (down.motion, down.reference) == (Motion.HOIST_DOWN, -0.1)


def test_travel_jogs_toward_the_end_with_more_room() -> None:
    crane = CraneParams()
    kw = {"fraction": 0.1, "distance_m": 0.05, "clearance_m": 0.5}
    gantry = plan_jog("gantry", 290.0, crane, **kw)
    assert isinstance(gantry, JogPlan)
    assert gantry.motion is Motion.GANTRY_REV
    assert gantry.speed_mps == pytest.approx(0.22)
    no_room = plan_jog("trolley", 0.2, CraneParams(span_m=0.6, cantilever_m=0.0), **kw)
    assert isinstance(no_room, str)
    assert no_room.startswith("no room for 0.05 m")


def test_settings_refuse_fast_jogs_and_nonsense_times() -> None:
    with pytest.raises(ValueError, match=r"`jog_speed_fraction` must be at most 0\.25"):
        CommissionSettings(jog_speed_fraction=0.5)
    with pytest.raises(ValueError, match="`connect_timeout_s` must be positive and finite"):
        CommissionSettings(connect_timeout_s=0)

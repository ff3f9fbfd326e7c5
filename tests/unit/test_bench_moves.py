"""``crane-ctrl bench moves`` smoke test: one reference move of each kind through the bench's own
code path (fresh lock-step rig, both controllers, the bounds, the report). No timing assertions."""

from __future__ import annotations

import json
import math

import pytest

from crane_ctrl.bench.baseline import NaiveOperator
from crane_ctrl.bench.moves import (
    MOVES,
    PROFILE,
    Conditions,
    Controller,
    RunResult,
    bench_site,
    bounds_of,
    make_row,
    report,
    run_one,
    start_pose,
)
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.sequencer.automatic_move import Outcome, Transfer
from crane_ctrl.site import Slot
from crane_ctrl.testing import LockStep
from simulators.site_file import yard_model_of

# the shortest move of each kind (crane time), so the smoke test stays fast
ONE_OF_EACH = {"truck->stack": 1, "stack->AGV": 14, "restack": 16}


def test_the_move_list_covers_every_kind_and_is_long_enough() -> None:
    assert len(MOVES) >= 20
    assert {m.kind for m in MOVES} == set(ONE_OF_EACH)
    assert all(MOVES[i].kind == kind for kind, i in ONE_OF_EACH.items())
    tiers = {m.to.tier for m in MOVES if m.to.area == "stack"}
    rows = {m.to.row for m in MOVES if m.to.area == "stack"}
    assert len(tiers) >= 3
    assert len(rows) >= 4


def test_every_start_pose_hangs_free_and_the_clearance_aware_bound_is_the_higher() -> None:
    site = bench_site()
    yard = yard_model_of(site)
    for i, move in enumerate(MOVES):
        start = start_pose(i)
        bench_site(start).simulator()  # raises if the spreader starts on or in something
        bounds = bounds_of(move, start, site.crane, yard)
        assert 0.0 < bounds.issue_s <= bounds.clearance_s, move


@pytest.fixture(scope="module")
def runs() -> dict[tuple[int, Controller], RunResult]:
    return {
        (i, which): run_one(i, which)[2]
        for i in ONE_OF_EACH.values()
        for which in ("ours", "baseline")
    }


@pytest.mark.parametrize("kind", list(ONE_OF_EACH))
def test_one_move_of_each_kind_gives_sane_figures(
    kind: str, runs: dict[tuple[int, Controller], RunResult]
) -> None:
    index = ONE_OF_EACH[kind]
    ours, baseline = runs[(index, "ours")], runs[(index, "baseline")]
    row = make_row(index, {"ours": ours, "baseline": baseline})
    assert ours.done, (ours.outcome, ours.reason, ours.faults)
    assert ours.faults == []
    assert row.ratio() >= 1.0
    assert row.ratio("ours", "clearance_s") >= 1.0
    assert math.isfinite(ours.sway_mm)
    assert ours.sway_mm >= 0.0
    assert math.isfinite(ours.error_mm)
    assert ours.error_mm >= 0.0
    assert baseline.done, (baseline.outcome, baseline.reason, baseline.faults)
    assert baseline.faults == []
    assert baseline.cycle_s >= row.bounds.issue_s
    assert math.isfinite(baseline.sway_mm)
    assert math.isfinite(baseline.error_mm)
    assert any(k.endswith("settle") for k in baseline.steps_s)


def test_the_report_prints_a_table_and_returns_plain_json(
    runs: dict[tuple[int, Controller], RunResult], capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [make_row(i, {"ours": runs[(i, "ours")], "baseline": runs[(i, "baseline")]})
            for i in ONE_OF_EACH.values()]  # fmt: skip
    figures = report(rows)
    text = json.dumps(figures, allow_nan=False)
    assert json.loads(text)["summary"]["moves"] == len(ONE_OF_EACH)
    out = capsys.readouterr().out
    assert "mean cycle / bound" in out
    assert "moves/h" in out
    assert len([line for line in out.splitlines() if "->" in line]) == len(ONE_OF_EACH)


async def test_the_baseline_fails_safe_on_a_twistlock_that_will_not_lock() -> None:
    site = bench_site()
    sim = site.simulator()
    yard = yard_model_of(site)
    operator = NaiveOperator(site.crane, yard)
    rig = LockStep(load_profile(PROFILE), sim, sequencer=operator)
    async with rig:
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=2, what="comms")
        sim.faults.inject("twistlock_jammed", corner=2)
        box = yard.boxes["MSKU1234565"]
        operator.start(Transfer("J1", box, Slot.stack(7, 3, 1)), rig.clock.now())
        await rig.until(lambda v: operator.outcome is not None, within_s=400, what="job end")
    assert operator.outcome is not None
    assert operator.outcome[1] is Outcome.FAILED
    assert "not locked" in operator.outcome[2]
    assert not sim.plant.carrying
    assert sim.plant.yard.containers["MSKU1234565"].location == Slot.truck("T1")
    assert sim.model_faults == ()


def test_the_bench_can_run_a_crane_whose_ropes_are_longer_than_its_model() -> None:
    """``--rope-off-m``: the plant's pendulum longer than the one the controllers plan on. Our
    controller still lands the box, and the arrival swing it did not expect shows: landing
    takes longer than on the exact model, but not forever."""
    index = ONE_OF_EACH["restack"]
    exact = run_one(index, "ours")[2]
    off = run_one(index, "ours", Conditions(rope_off_m=0.5, anti_sway="zv"))[2]
    assert exact.done
    assert off.done, (off.outcome, off.reason, off.faults)
    assert off.faults == []
    assert exact.cycle_s < off.cycle_s < 2 * exact.cycle_s
    row = make_row(index, {"ours": off, "baseline": off})
    figures = report([row], Conditions(rope_off_m=0.5, anti_sway="zv"))
    assert figures["conditions"] == {"rope_off_m": 0.5, "anti_sway": "zv", "learnt": ()}

"""Drives follow their references within rated speed and acceleration, stop at end limits, and
hold on their brakes when disabled."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crane_ctrl.crane import CraneParams
from simulators.crane_model import Drive, make_drives
from simulators.plant import Plant
from simulators.yard import FaultKind

if TYPE_CHECKING:
    from conftest import Rig

DT = 0.01
TINY = 1e-9


def _drive(position: float = 50.0) -> Drive:
    return Drive(0.0, 100.0, 0.4, 0.5, 1.0, position)


def test_drive_ramps_at_the_acceleration_limit_to_rated_speed() -> None:
    d = _drive()
    speeds = []
    for _ in range(400):
        d.step(5.0, 0.8, True, DT)
        speeds.append(d.speed_mps)
    steps = [b - a for a, b in zip([0.0, *speeds], speeds, strict=False)]
    assert max(steps) <= 0.4 * DT + TINY
    assert max(speeds) == pytest.approx(0.8)
    assert speeds.index(0.8) + 1 == round(0.8 / 0.4 / DT)


def test_drive_slows_down_at_the_deceleration_limit_and_reverses() -> None:
    d = _drive()
    d.speed_mps = 0.8
    d.step(-0.8, 0.8, True, DT)
    assert d.speed_mps == pytest.approx(0.8 - 0.5 * DT)
    for _ in range(1000):
        d.step(-0.8, 0.8, True, DT)
    assert d.speed_mps == pytest.approx(-0.8)


def test_drive_position_integrates_speed_exactly() -> None:
    d = _drive(10.0)
    for _ in range(200):  # 2 s at 0.4 m/s^2 -> 0.8 m/s, 0.8 m covered
        d.step(0.8, 0.8, True, DT)
    assert d.position_m == pytest.approx(10.8, abs=1e-9)


def test_hoist_runs_at_empty_speed_without_a_container(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(hoist_m=2.0)
    rig.plant.inputs.hoist_speed_ref_mps = 3.0
    rig.run(4.0)
    assert rig.s["hoist.speed"] == pytest.approx(rig.plant.params.hoist_speed_empty_mps)


def test_gantry_runs_at_empty_speed_without_a_container(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(gantry_m=20.0)
    rig.plant.inputs.gantry_speed_ref_mps = 5.0
    rig.run(15.0)
    assert rig.s["gantry.speed"] == pytest.approx(rig.plant.params.gantry_speed_empty_mps)


def test_trolley_stops_at_its_forward_limit_and_only_moves_away(
    make_rig: Callable[..., Rig], params: CraneParams
) -> None:
    end = params.trolley_travel_m
    rig = make_rig(trolley_m=end - 0.3)
    rig.plant.inputs.trolley_speed_ref_mps = 0.1
    rig.run(5.0)
    s = rig.s
    assert s["trolley.position"] == end
    assert s["trolley.speed"] == 0.0
    assert s["trolley.limit_fwd_ok"] is False
    assert s["trolley.limit_rev_ok"] is True
    rig.run(1.0)
    assert rig.s["trolley.position"] == end
    rig.plant.inputs.trolley_speed_ref_mps = -0.1
    rig.run(1.0)
    assert rig.s["trolley.position"] < end
    assert rig.s["trolley.limit_fwd_ok"] is True
    assert not rig.plant.faults


def test_hoist_lower_limit_reads_operated_at_the_bottom(
    make_rig: Callable[..., Rig], params: CraneParams
) -> None:
    rig = make_rig(hoist_m=0.5, trolley_m=20.0, gantry_m=250.0)  # open ground
    rig.plant.inputs.hoist_speed_ref_mps = -0.1
    rig.run(12.0)
    assert rig.s["hoist.position"] == params.hoist_lowest_m
    assert rig.s["hoist.limit_down_ok"] is False
    assert rig.s["hoist.limit_up_ok"] is True
    assert rig.plant.load_position()[2] == 0.0, "the spreader sits on the ground"
    assert rig.s["hoist.slack_rope"] is True


def test_hitting_an_end_at_full_speed_is_a_model_fault(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(gantry_m=5.0)
    rig.plant.inputs.gantry_speed_ref_mps = -2.0
    rig.run(10.0)  # reaches the end after ~7 s at ~1.4 m/s
    assert rig.s["gantry.position"] == 0.0
    kinds = [f.kind for f in rig.plant.faults]
    assert kinds == [FaultKind.END_STOP_IMPACT]
    assert "gantry hit its lower end" in rig.plant.faults[0].reason


def test_brakes_hold_a_standing_crane_whatever_the_references(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig()
    inp = rig.plant.inputs
    inp.drives_enabled = False
    inp.gantry_speed_ref_mps, inp.trolley_speed_ref_mps, inp.hoist_speed_ref_mps = 1.0, -0.5, 1.0
    before = rig.s
    rig.run(3.0)
    after = rig.s
    for axis in ("gantry", "trolley", "hoist"):
        assert after[f"{axis}.position"] == before[f"{axis}.position"]
        assert after[f"{axis}.speed"] == 0.0


def test_brakes_stop_a_moving_axis_at_the_brake_rate_then_hold(
    make_rig: Callable[..., Rig], params: CraneParams
) -> None:
    rig = make_rig(gantry_m=20.0)
    inp = rig.plant.inputs
    inp.gantry_speed_ref_mps = 2.0
    rig.run(12.0)
    assert rig.s["gantry.speed"] == pytest.approx(2.0)
    inp.drives_enabled = False
    speeds = rig.trace(5.0, "gantry.speed")
    stop_steps = next(i for i, v in enumerate(speeds) if v == 0.0) + 1
    assert stop_steps == pytest.approx(2.0 / params.gantry_brake_decel_mps2 / DT, abs=1)
    held_at = rig.s["gantry.position"]
    rig.run(2.0)
    assert rig.s["gantry.position"] == held_at


_refs = st.tuples(
    st.floats(-5.0, 5.0),  # gantry ref
    st.floats(-5.0, 5.0),  # trolley ref
    st.floats(-5.0, 5.0),  # hoist ref
    st.booleans(),  # drives enabled
    st.integers(1, 400),  # steps to hold these
)


@settings(max_examples=40, deadline=None)
@given(st.lists(_refs, min_size=1, max_size=8))
def test_no_reference_sequence_breaks_speed_acceleration_or_end_limits(
    sequence: list[tuple[float, float, float, bool, int]],
) -> None:
    p = CraneParams()
    plant = Plant(p, gantry_m=2.0, trolley_m=1.0, hoist_m=17.0)  # near three ends
    inp = plant.inputs
    drives = {"gantry": plant.gantry, "trolley": plant.trolley, "hoist": plant.hoist}
    rated = {
        "gantry": p.gantry_speed_empty_mps,
        "trolley": p.trolley_speed_mps,
        "hoist": p.hoist_speed_empty_mps,
    }
    worst_rate = {
        "gantry": max(p.gantry_accel_mps2, p.gantry_decel_mps2, p.gantry_brake_decel_mps2),
        "trolley": max(p.trolley_accel_mps2, p.trolley_decel_mps2, p.trolley_brake_decel_mps2),
        "hoist": max(p.hoist_accel_mps2, p.hoist_decel_mps2, p.hoist_brake_decel_mps2),
    }
    for g, t, h, enabled, steps in sequence:
        inp.gantry_speed_ref_mps, inp.trolley_speed_ref_mps, inp.hoist_speed_ref_mps = g, t, h
        inp.drives_enabled = enabled
        for _ in range(steps):
            before = {name: d.speed_mps for name, d in drives.items()}
            plant.step(DT)
            for name, d in drives.items():
                assert abs(d.speed_mps) <= rated[name] + TINY
                assert d.lo_m <= d.position_m <= d.hi_m
                hit_end = d.impact_mps > 0.0
                if not hit_end:
                    assert abs(d.speed_mps - before[name]) <= worst_rate[name] * DT + TINY
                if not enabled:
                    assert abs(d.speed_mps) <= abs(before[name]) + TINY


def test_make_drives_rejects_a_start_outside_travel(params: CraneParams) -> None:
    with pytest.raises(ValueError, match="outside travel"):
        make_drives(params, -1.0, 5.0, 5.0)

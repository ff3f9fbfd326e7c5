"""The sway sensor teaches the crane its pendulum: a rope model off by a few per cent is found from
how the load swung during one travel, and the next legs plan on the corrected rope (pure fit,
then a lock-step job on a plant whose ropes are longer than the crane model)."""

from __future__ import annotations

import pytest

from crane_ctrl.bench.moves import Conditions, learn_first
from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.planner import LegPlan
from crane_ctrl.motion.rope_calibration import (
    MAX_ROPE_OFFSET_M,
    RopeCalibration,
    RopeFit,
    Sample,
    fit_rope_offset,
)
from crane_ctrl.motion.shaping import SWAY_STEP_S
from crane_ctrl.site import CONTAINER_HEIGHT_M, CONTAINER_LENGTH_M, CONTAINER_WIDTH_M

P = CraneParams()
TIER = CONTAINER_HEIGHT_M
HALF_40 = (CONTAINER_LENGTH_M[40] / 2, CONTAINER_WIDTH_M / 2)
DELAYS = (0.0, 0.05, 0.1)


def _leg(distance: float) -> LegPlan:
    return LegPlan.plan((0.0, 10.0, TIER + 0.3), (distance, 10.0, TIER), (), P, loaded=True,
                        half_size_m=HALF_40)  # fmt: skip


def _readings(leg: LegPlan, offset_m: float, *, delay_s: float, lean_m: float) -> list[Sample]:
    """What a sway sensor reads, a scan apart, if the rope is ``offset_m`` longer than planned."""
    assert leg.sway_trace is not None
    truth = leg.sway_trace.swing(P, offset_m)
    out: list[Sample] = []
    for k in range(int(leg.travel.duration_s / 0.05)):
        t = k * 0.05
        i = max(0, min(len(truth) - 1, round((t - delay_s) / SWAY_STEP_S)))
        out.append((t, truth[i][0] + lean_m, truth[i][1]))
    return out


@pytest.mark.parametrize("distance", [15.0, 40.0, 100.0])
@pytest.mark.parametrize("offset", [-0.6, 0.4, 1.2])
def test_the_travel_shows_how_far_the_rope_model_is_off(distance: float, offset: float) -> None:
    """Whatever the reading's delay and a steady lean (wind), the fit finds the offset."""
    leg = _leg(distance)
    assert leg.sway_trace is not None
    readings = _readings(leg, offset, delay_s=0.05, lean_m=0.03)
    fit = fit_rope_offset(leg.sway_trace, readings, P, DELAYS)
    assert fit is not None
    assert fit.offset_m == pytest.approx(offset, abs=0.02)
    assert fit.misfit_m < 0.1 * fit.plain_misfit_m
    assert fit.convincing


def test_readings_the_plan_explains_change_nothing() -> None:
    leg = _leg(60.0)
    assert leg.sway_trace is not None
    fit = fit_rope_offset(leg.sway_trace, _readings(leg, 0.0, delay_s=0.0, lean_m=0.0), P)
    assert fit is not None
    assert abs(fit.offset_m) < 1e-3
    assert not fit.convincing


def test_a_travel_that_hardly_swings_tells_nothing() -> None:
    leg = LegPlan.plan((0.0, 10.0, 8.0), (0.03, 10.0, 8.0), (), P, loaded=False)
    assert leg.sway_trace is not None
    assert fit_rope_offset(leg.sway_trace, _readings(leg, 0.5, delay_s=0.0, lean_m=0.0), P) is None


def test_the_calibration_keeps_empty_and_loaded_apart_within_bounds() -> None:
    rope = RopeCalibration()
    good = RopeFit(0.4, 0.001, 0.02, 0.05)
    assert rope.learn(False, good) == pytest.approx(0.4)
    assert rope.offset_m(True) == pytest.approx(0.4)  # loaded, nothing learnt yet: the crane's
    assert rope.learn(True, RopeFit(0.3, 0.001, 0.02, 0.05)) == pytest.approx(0.7)
    assert rope.offset_m(False) == pytest.approx(0.4)
    assert rope.learn(True, RopeFit(0.2, 0.015, 0.02, 0.05)) is None  # does not explain enough
    assert rope.learn(True, RopeFit(1.4, 0.001, 0.02, 0.05)) == MAX_ROPE_OFFSET_M
    moved = rope.params(P, loaded=False)
    assert moved.suspension_height_m == pytest.approx(P.suspension_height_m + 0.4)
    assert RopeCalibration().params(P, loaded=True) is P


def test_a_crane_whose_ropes_are_longer_than_its_model_learns_them_on_the_first_leg() -> None:
    """The plant's ropes 0.5 m longer than the crane model (a lock-step job, T1 -> 7:3:1): the
    empty leg's travel shows it; the loaded leg plans on the corrected rope and confirms it."""
    learnt = dict(learn_first(Conditions(rope_off_m=0.5)).learnt)
    assert learnt[False] == pytest.approx(0.5, abs=0.05)
    assert learnt.get(True, learnt[False]) == pytest.approx(0.5, abs=0.05)


def test_on_the_exact_model_nothing_is_learnt() -> None:
    assert learn_first(Conditions()).learnt == ()

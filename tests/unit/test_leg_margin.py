"""How far a leg's load may stray, as the sequencer asks for its plan: the drives' lag, the swing
already there, the next gust; a plan serves only a request it has the margin for; and a jog's
path clears what it passes beside by the swing read."""

from __future__ import annotations

import dataclasses
from typing import cast

import pytest

from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.clearance import Obstacle
from crane_ctrl.motion.wind_swing import GUST_MARGIN_MPS, OVERSWING, steady_lean_m
from crane_ctrl.operation.manual import ManualControl
from crane_ctrl.operation.yard_model import YardModel
from crane_ctrl.sequencer.controller import CraneContext
from crane_ctrl.sequencer.leg_drive import STALE_START_XY_M, LegRequest
from crane_ctrl.sequencer.leg_margin import (
    MARGIN_STEP_M,
    PATH_TOLERANCE_M,
    gust_m,
    leg_margin_m,
)
from crane_ctrl.sequencer.model import SequencerSettings
from crane_ctrl.sequencer.run import Run
from crane_ctrl.sequencer.transfer import Transfer
from crane_ctrl.site import CONTAINER_HEIGHT_M, CONTAINER_WIDTH_M, Slot
from crane_ctrl.snapshot import Quality, Reading, Snapshot
from simulators.site_file import load_site, yard_model_of

P = CraneParams()
SITE = load_site()
YARD = yard_model_of(SITE)
BOX = YARD.boxes["MSKU1234565"]
LEVELS = (8.0, 2.6)


def _crane() -> CraneContext:
    return CraneContext(P, YARD, SequencerSettings())


def _run() -> Run:
    return Run(Transfer("J1", BOX, Slot.stack(7, 3, 1)), delivering=True, mass_t=24.5)


def _snapshot(
    *, wind: float | None = 0.0, sway: tuple[float, float] | None = (0.0, 0.0)
) -> Snapshot:
    values: dict[str, float] = {"hoist.position": 8.0}
    if wind is not None:
        values["env.wind"] = wind
    if sway is not None:
        values["sway.gantry"], values["sway.trolley"] = sway
    return Snapshot(0.0, {n: Reading(v, Quality.GOOD, 0.0) for n, v in values.items()})


def _margin(snapshot: Snapshot) -> float:
    return leg_margin_m(_crane(), _run(), snapshot, LEVELS, loaded=True, mass_t=24.5)


def test_a_calm_still_load_strays_by_the_drives_lag_and_a_gust_rounded_up_to_a_step() -> None:
    margin = _margin(_snapshot())
    gust = gust_m(_crane(), _run(), _snapshot(), min(LEVELS), loaded=True, mass_t=24.5)
    assert PATH_TOLERANCE_M + gust <= margin < PATH_TOLERANCE_M + gust + MARGIN_STEP_M
    assert margin / MARGIN_STEP_M == pytest.approx(round(margin / MARGIN_STEP_M))


def test_the_gust_is_twice_the_change_of_the_lean_on_the_longest_rope() -> None:
    def lean(wind: float) -> float:
        return steady_lean_m(P, 2.6, wind, size_ft=40, height_m=BOX.height_m, mass_t=24.5)

    got = gust_m(_crane(), _run(), _snapshot(wind=10.0), 2.6, loaded=True, mass_t=24.5)
    assert got == pytest.approx(OVERSWING * (lean(10.0 + GUST_MARGIN_MPS) - lean(10.0)))
    unknown = gust_m(_crane(), _run(), _snapshot(wind=None), 2.6, loaded=True, mass_t=24.5)
    assert unknown == pytest.approx(OVERSWING * lean(P.wind_prealarm_mps))


def test_a_swing_already_there_and_a_stronger_wind_widen_the_margin() -> None:
    calm = _margin(_snapshot())
    swinging = _margin(_snapshot(sway=(0.0, 0.1)))
    assert swinging >= calm + 0.1, "the swing read now, at least, on a rope no shorter"
    windy = _margin(_snapshot(wind=10.0))
    assert windy > calm + 0.1


def test_without_a_sway_reading_the_swing_a_move_goes_on_with_counts() -> None:
    blind = _margin(_snapshot(sway=None))
    assert blind >= _margin(_snapshot()) + SequencerSettings().sway_tolerance_m - MARGIN_STEP_M


def test_a_plan_serves_a_request_only_with_the_margin_it_asks_for_from_where_it_was_asked() -> None:
    asked = LegRequest(
        (40.0, 10.0, 8.0), (82.25, 19.6, 2.6), (), P, True, BOX.height_m, 24.5, (6.1, 1.2), 0.08
    )
    assert asked.still_holds_for(dataclasses.replace(asked, margin_m=0.07))
    assert not asked.still_holds_for(dataclasses.replace(asked, margin_m=0.085))
    moved = (40.0, 10.0 + 1.2 * STALE_START_XY_M, 8.0)
    assert not asked.still_holds_for(dataclasses.replace(asked, start_xyz=moved))
    assert asked.still_holds_for(dataclasses.replace(asked, start_xyz=(40.0, 10.0, 8.04)))


class _Yard:
    """A yard of one 2-high column, for the jog's clearance."""

    def __init__(self, *obstacles: Obstacle) -> None:
        self._obstacles = obstacles

    def obstacles(self, exclude: str | None = None) -> tuple[Obstacle, ...]:
        return self._obstacles


def test_a_jog_clears_a_stack_beside_it_by_the_swing_read_as_well() -> None:
    """A gantry jog passing 3 cm beside a column: low is fine while the load hangs plumb, not
    while it hangs 5 cm off plumb (either way: the swing may turn towards it)."""
    half_y = CONTAINER_WIDTH_M / 2
    column = Obstacle(60.0, 72.0, 10.0 + half_y + 0.03, 13.0, 2 * CONTAINER_HEIGHT_M)
    yard = cast(YardModel, _Yard(column))
    manual = ManualControl(P)
    manual.jog("gantry", 1, 0.0)

    def clear(sway: tuple[float, float] | None) -> float | None:
        values = {"gantry.position": 50.0, "trolley.position": 10.0, "spreader.size": 40.0,
                  "hoist.load": 0.0}  # fmt: skip
        if sway is not None:
            values["sway.gantry"], values["sway.trolley"] = sway
        readings = {n: Reading(v, Quality.GOOD, 0.0) for n, v in values.items()}
        return manual.clear_below_m(Snapshot(0.0, readings), yard, 1.0)

    assert clear((0.0, 0.0)) == pytest.approx(P.safe_clearance_m), "3 cm beside: not over it"
    assert clear((0.0, -0.05)) == pytest.approx(column.top_m + P.safe_clearance_m)
    assert clear(None) == pytest.approx(column.top_m + P.safe_clearance_m), "swing unseen"

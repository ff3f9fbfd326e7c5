"""Crane parameters and site layout: DOMAIN.md defaults, strict validation, slot geometry; and the
plant's sensors keyed by canonical signal names."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from crane_ctrl.crane import CraneParams
from crane_ctrl.signals import SIGNALS, Kind
from crane_ctrl.site import (
    CONTAINER_HEIGHT_HC_M,
    CONTAINER_HEIGHT_M,
    CONTAINER_LENGTH_M,
    CONTAINER_WIDTH_M,
    Lane,
    SiteLayout,
    Slot,
)
from simulators.plant import Plant
from simulators.yard import ContainerSpec, YardContents


def test_crane_defaults_are_the_domain_figures() -> None:
    p = CraneParams()
    assert (p.swl_t, p.spreader_mass_t, p.lift_height_m) == (40.0, 10.0, 18.0)
    assert (p.hoist_speed_loaded_mps, p.hoist_speed_empty_mps) == (0.5, 1.0)
    assert (p.hoist_accel_mps2, p.hoist_decel_mps2) == (0.5, 0.6)
    assert (p.trolley_speed_mps, p.trolley_accel_mps2) == (0.8, 0.4)
    assert (p.gantry_speed_loaded_mps, p.gantry_speed_empty_mps, p.gantry_accel_mps2) == (
        2.0,
        2.2,
        0.2,
    )
    assert (p.creep_speed_mps, p.creep_distance_m) == (0.1, 0.5)
    assert (p.twistlock_turn_time_s, p.landing_tolerance_m) == (1.5, 0.05)
    assert (p.wind_prealarm_mps, p.wind_stop_mps, p.wind_storm_mps) == (15.0, 20.0, 25.0)
    assert p.overload_trip_t == pytest.approx(44.0)
    assert (p.truck_lift_threshold_m, p.slack_rope_fraction) == (0.05, 0.5)
    assert (p.span_m, p.gantry_travel_m) == (30.0, 300.0)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"swl_t": "40"}, "valid number"),
        ({"swl_t": -1.0}, "greater than 0"),
        ({"lift_heigth_m": 18.0}, "Extra inputs"),
        ({"hoist_speed_loaded_mps": 1.5}, "hoist_speed_loaded_mps must not exceed"),
        ({"wind_stop_mps": 30.0}, "wind thresholds must rise"),
        ({"suspension_height_m": 18.2}, "suspension_height_m must be above"),
    ],
)
def test_crane_params_are_validated(fields: dict[str, object], error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        CraneParams.model_validate(fields)


def test_crane_params_are_frozen() -> None:
    with pytest.raises(ValidationError, match="frozen"):
        CraneParams().swl_t = 50.0  # type: ignore[misc]


def test_container_constants() -> None:
    assert dict(CONTAINER_LENGTH_M) == {20: 6.058, 40: 12.192, 45: 13.716}
    assert (CONTAINER_WIDTH_M, CONTAINER_HEIGHT_M, CONTAINER_HEIGHT_HC_M) == (2.438, 2.591, 2.896)


def test_default_site_is_a_border_gate_block() -> None:
    site = SiteLayout()
    assert [lane.id for _, lane in site.lanes()] == ["T1", "T2", "A1"]
    assert (site.stack.bays, site.stack.rows, site.stack.max_tiers) == (20, 6, 5)


@pytest.mark.parametrize(
    ("slot", "size", "centre"),
    [
        (Slot.stack(1, 1), 20, (40.0, 14.0)),
        (Slot.stack(1, 1), 40, (43.25, 14.0)),
        (Slot.stack(1, 1), 45, (43.25, 14.0)),
        (Slot.stack(4, 3, 2), 20, (59.5, 19.6)),
        (Slot.truck("T2"), 40, (30.0, 5.5)),
        (Slot.agv("A1"), 20, (30.0, 10.5)),
    ],
)
def test_slot_centres(slot: Slot, size: int, centre: tuple[float, float]) -> None:
    site = SiteLayout()
    assert site.slot_centre(slot, size) == pytest.approx(centre)
    if slot.area == "stack":
        assert site.stack_slot_at(*centre, size, 0.05) == slot._replace(tier=1)
        assert site.stack_slot_at(centre[0] + 0.2, centre[1], size, 0.05) is None


def test_base_heights() -> None:
    site = SiteLayout()
    assert site.base_height(Slot.stack(1, 1)) == 0.0
    assert site.base_height(Slot.truck("T1")) == 1.4
    assert site.base_height(Slot.agv("A1")) == 1.6


def test_a_site_loads_from_plain_data_with_lists() -> None:
    lane = {"id": "X", "y_m": 3.0, "deck_height_m": 1.3, "x_min_m": 10.0, "x_max_m": 50.0}
    site = SiteLayout.model_validate(
        {
            "name": "test gate",
            "truck_lanes": [{**lane, "stop_x_m": 20.0}],
            "agv_lanes": [],
            "stack": {"bays": 4, "rows": 2, "max_tiers": 3},
        }
    )
    assert site.truck_lanes[0].id == "X"
    assert site.stack.rows == 2


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"truck_lanes": [], "agv_lanes": [], "stack": {"bay_pitch_m": 5.0}}, "bay_pitch_m"),
        (
            {
                "truck_lanes": [
                    {"id": "T", "y_m": 1.0, "deck_height_m": 1.0, "x_min_m": 0.0, "x_max_m": 5.0,
                     "stop_x_m": 9.0}
                ]
            },
            "stop_x_m 9.0 must lie",
        ),
        (
            {
                "truck_lanes": [
                    {"id": "A1", "y_m": 1.0, "deck_height_m": 1.0, "x_min_m": 0.0,
                     "x_max_m": 50.0, "stop_x_m": 9.0}
                ],
                "agv_lanes": [
                    {"id": "A1", "y_m": 9.0, "deck_height_m": 1.0, "x_min_m": 0.0,
                     "x_max_m": 50.0, "stop_x_m": 9.0}
                ],
            },
            "repeated: A1",
        ),
    ],
)  # fmt: skip
def test_bad_sites_are_refused(data: dict[str, object], error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        SiteLayout.model_validate(data)


def test_a_site_out_of_the_cranes_reach_is_refused() -> None:
    far = Lane(id="T9", y_m=60.0, deck_height_m=1.4, x_min_m=15.0, x_max_m=90.0, stop_x_m=30.0)
    with pytest.raises(ValueError, match=r"outside the crane's reach.*lane T9"):
        Plant(site=SiteLayout(truck_lanes=(far,)))


def test_the_spreader_must_start_hanging_free() -> None:
    box = ContainerSpec("B", 40, 20.0, Slot.truck("T1"))
    with pytest.raises(ValueError, match="start it hanging free"):
        Plant(contents=YardContents(containers=(box,)), trolley_m=2.0, hoist_m=3.0)


def test_sensors_are_canonical_status_signals_with_plausible_values() -> None:
    plant = Plant()
    plant.inputs.drives_enabled = True
    plant.inputs.trolley_speed_ref_mps = 0.5
    plant.step(0.01)
    sensors = plant.sensors()
    for name, value in sensors.items():
        spec = SIGNALS[name]
        assert not spec.is_command, name
        assert spec.plausible(value), (name, value)
        if spec.kind is Kind.BOOL:
            assert type(value) is bool, name
        elif spec.kind is Kind.INT:
            assert type(value) is int, name
    physical = {
        "gantry.position", "hoist.load", "hoist.slack_rope", "sway.trolley", "sway.gantry",
        "spreader.size", "env.wind", "lane.truck_lifted",
        *(f"spreader.{w}_{k}" for w in ("landed", "locked", "unlocked") for k in (1, 2, 3, 4)),
        *(f"{a}.limit_{e}_ok" for a in ("gantry", "trolley") for e in ("fwd", "rev")),
    }  # fmt: skip
    assert physical <= sensors.keys()


def test_time_advances_only_by_dt() -> None:
    plant = Plant()
    for _ in range(250):
        plant.step(0.004)
    assert plant.time_s == pytest.approx(1.0)
    with pytest.raises(ValueError, match="dt must be positive"):
        plant.step(0.0)

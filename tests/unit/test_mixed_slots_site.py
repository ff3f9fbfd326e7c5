"""The shipped mixed-slots site: a yard no bay grid describes, run in lock-step.

Its 20-ft and 40-ft slots are centred at the same gantry positions, its trucks stop 3 m short
for a 20-ft box, and its crane has a shortest rope and wind limits of its own. A full truck ->
stack job puts a 20-ft box into the 20-ft slot under a 40-ft position; a 40-ft box is then
refused on top of it (it would rest on air at both ends), and the 40-ft slot at the same x
counts as occupied. Every limit the supervisor checks is this site's, never the default's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from crane_ctrl.interlocks.catalogue import InterlockSettings
from crane_ctrl.motion.shaping import pendulum_length_m
from crane_ctrl.operation.jobs import JobState
from crane_ctrl.operation.machine import PackState
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.quality import QualitySettings, crane_ranges
from crane_ctrl.runtime.station import StationView
from crane_ctrl.runtime.supervisor import SupervisorView
from crane_ctrl.site import Slot
from crane_ctrl.testing import LockStep, StationRig
from simulators.site_file import DEFAULT_SITE, load_site
from tests.profile_texts import PROFILES, with_signal

MODBUS = PROFILES / "generic-modbus.toml"
MIXED = DEFAULT_SITE.parent / "mixed-slots.toml"
BOX_20 = "TGHU7654321"
"""The 20-ft box on truck T2."""
BOX_40 = "MSKU1234565"
"""The 40-ft box on truck T1."""
HIGHEST_M = 21.5 - 4.0
"""The sheaves at 21.5 m less the shortest rope, 4 m: below the 18 m lift height."""


def test_the_site_describes_its_slots_lanes_rope_and_wind() -> None:
    site = load_site(MIXED)
    stack = site.site.stack
    assert not stack.has_grid
    slots = stack.named_slots()
    assert (slots["A40-3"].x_m, slots["A20-3"].x_m) == (50.0, 50.0)
    assert (slots["A40-3"].sizes, slots["A20-3"].sizes, slots["Q1"].sizes) == (
        (40,),
        (20,),
        (20, 40, 45),
    )
    t1, t2 = site.site.truck_lanes
    assert (t1.stop_x(40), t1.stop_x(20), t2.stop_x(20)) == (30.0, 27.0, 47.0)
    assert len(site.site.agv_lanes) == 1
    assert site.crane.hoist_highest_m == pytest.approx(HIGHEST_M)
    limits = InterlockSettings.from_params(site.crane, site.site)
    assert (limits.wind_stop_mps, limits.wind_storm_mps) == (18.0, 23.0)
    margin = QualitySettings().position_margin_m
    assert crane_ranges(site.crane)["hoist.position"][1] == pytest.approx(HIGHEST_M + margin)


def test_the_simulated_crane_stands_its_vehicles_and_boxes_where_the_site_says() -> None:
    sim = load_site(MIXED).simulator()
    yard = sim.plant.yard
    assert (yard.vehicles["T1"].x_m, yard.vehicles["T2"].x_m, yard.vehicles["A1"].x_m) == (
        30.0,
        47.0,
        30.0,
    )
    assert yard.containers["OOLU1548092"].slot == Slot.named("A40-1", 2)
    assert sim.plant.hoist.hi_m == pytest.approx(HIGHEST_M)


def test_the_shortest_rope_bounds_the_sway_model() -> None:
    crane = load_site(MIXED).crane
    at_top = pendulum_length_m(HIGHEST_M, crane, loaded=False)
    assert pendulum_length_m(HIGHEST_M + 0.4, crane, loaded=False) == pytest.approx(at_top)
    assert pendulum_length_m(HIGHEST_M - 1.0, crane, loaded=False) == pytest.approx(at_top + 1.0)


async def test_a_wind_below_the_default_stop_stops_this_sites_crane() -> None:
    site = load_site(MIXED)
    async with LockStep(load_profile(MODBUS), site.simulator()) as rig:
        view = await rig.until(lambda v: v.snapshot.comms_ok, within_s=2, what="comms")
        assert not trips(view, "WIND_STOP")
        rig.sim.faults.inject("wind", speed_mps=19.0)  # the border gate stops at 20 m/s
        view = await rig.until(lambda v: trips(v, "WIND_STOP"), within_s=5, what="WIND_STOP")
        assert view.permits is not None
        reason = next(t.reason for t in view.permits.active if t.id == "WIND_STOP")
        assert "18" in reason, reason


def trips(view: SupervisorView, interlock: str) -> bool:
    return view.permits is not None and any(t.id == interlock for t in view.permits.active)


def blocked_by(text: str) -> Callable[[StationView], bool]:
    def condition(view: StationView) -> bool:
        return view.machine is PackState.SUSPENDED and any(text in w for w in view.why_not_start)

    return condition


async def test_a_20ft_box_goes_under_a_40ft_position_and_no_40ft_box_goes_on_top_of_it() -> None:
    async with StationRig(MODBUS, load_site(MIXED)) as rig:
        job = rig.station.add_job(rig.operator, Slot.truck("T2"), Slot.named("A20-3"), 20)
        await rig.start_automatic()
        view = await rig.until(lambda v: bool(v.finished), within_s=400, what="job done")
        assert view.finished[0].id == job.id
        assert view.finished[0].state is JobState.DONE, view.finished[0].reason
        box = rig.sim.plant.yard.containers[BOX_20]
        assert box.slot == Slot.named("A20-3", 1)
        assert (box.x_m, box.y_m, box.z_m) == pytest.approx((50.0, 14.0, 0.0), abs=0.05)
        assert not rig.sim.plant.faults
        assert any(b.id == BOX_20 and b.slot == Slot.named("A20-3") for b in view.boxes)

        on_top = rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.named("A40-3", 2), 40)
        view = await rig.until(blocked_by("rest on air"), within_s=5, what="refused on a 20-ft")
        assert view.why_not_start == (
            "destination stack slot A40-3 tier 2: a 40-ft container cannot stand on the single "
            f"20-ft container {BOX_20} at stack slot A20-3 tier 1: it would rest on air at both ends",
        )
        rig.station.cancel_job(rig.operator, on_top.id)

        beside = rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.named("A40-3", 1), 40)
        view = await rig.until(blocked_by("occupied"), within_s=5, what="refused over a 20-ft")
        assert view.why_not_start == (
            f"destination stack slot A40-3 tier 1 is occupied by stack slot A20-3 tier 1 "
            f"(container {BOX_20})",
        )
        rig.station.cancel_job(rig.operator, beside.id)
        await rig.scan(20)

    assert rig.sim.plant.yard.containers[BOX_40].slot == Slot.truck("T1")
    assert not rig.sim.plant.faults


async def test_a_telescope_the_plc_never_takes_over_gives_the_pick_up_up_with_the_reason(
    tmp_path: Path,
) -> None:
    """A PLC that takes the telescope target as a request and never answers it (its refusal
    bit stuck on from before counts for nothing: it never fell): the request times out, the job
    fails with that reason, the spreader rises clear, nothing waits for a landing that cannot
    come."""
    text = with_signal(
        MODBUS.read_text(encoding="utf-8"),
        "spreader.size_ref",
        '{ table = "holding", address = 104, type = "uint16", write = "request", '
        'ack = "tele_done", refused = "not tele_done", reason = "tele_code", '
        'reason_texts = { 0 = "twin-lift cassette fitted" } }',
    )
    text += (
        "\n[points]\n"
        'tele_done = { table = "discrete_input", address = 90 }\n'
        'tele_code = { table = "input", address = 90, type = "uint16" }\n'
    )
    profile = tmp_path / "refuses-telescope.toml"
    profile.write_text(text, encoding="utf-8")
    async with StationRig(profile, load_site(MIXED)) as rig:
        rig.station.add_job(rig.operator, Slot.truck("T2"), Slot.named("A20-3"), 20)
        await rig.start_automatic()
        view = await rig.until(lambda v: bool(v.finished), within_s=200, what="job over")
        (job,) = view.finished
        assert job.state is JobState.FAILED
        assert job.reason == (
            "spreader not telescoped to 20 ft: the PLC did not take it over within 2 s"
        )
        assert rig.sim.plant.yard.containers[BOX_20].slot == Slot.truck("T2")
        assert not rig.sim.plant.faults

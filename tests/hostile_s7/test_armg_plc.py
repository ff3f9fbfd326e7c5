"""The ARMG-S7 PLC's conventions (MANUAL.md, chapter 1) read through the engineer's profiles, in
lock-step (no sockets): the simulated PLC (the personality file) against the supervisor."""

from __future__ import annotations

from pathlib import Path

import pytest

from crane_ctrl.profile.loader import load_profile
from crane_ctrl.runtime.supervisor import SupervisorSettings
from crane_ctrl.sequencer.automatic_move import Outcome, Sequencer, Transfer
from crane_ctrl.sequencer.model import SequencerSettings, Step
from crane_ctrl.site import parse_slot
from crane_ctrl.testing import LockStep
from simulators.raw_places import RawForce
from simulators.site_file import load_site, yard_model_of
from tests.hostile_s7.armg import (
    BOX,
    DESTINATION,
    PROFILES,
    SITE,
    TWISTLOCK_CODES,
    personality,
    serve_twistlock_states,
    simulator,
)

BOTH = pytest.mark.parametrize("protocol", ["opcua", "modbus"])


@BOTH
async def test_lifecnt_wraps_to_0_and_the_echo_keeps_the_watchdog_quiet(protocol: str) -> None:
    """LifeCnt counts 0..32767 then 0 (an S7 Int); the supervisor echoes it into LifeEcho, which
    is all the PLC's 0.8 s watchdog accepts."""
    sim = simulator()
    async with LockStep(load_profile(PROFILES[protocol]), sim) as rig:
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=3, what="comms")
        sim.plc.heartbeat = 32_750
        for _ in range(60):  # 3 s: through the wrap
            view = await rig.scan()
            assert view.snapshot.comms_ok, view.snapshot.comms_reason
            assert not sim.plc.watchdog_trip
        assert 0 < sim.plc.heartbeat < 100
        assert view.snapshot.good("plc.heartbeat")


@BOTH
async def test_km_per_h_wind_and_signed_100_kg_load_read_in_si(protocol: str) -> None:
    sim = simulator()
    async with LockStep(load_profile(PROFILES[protocol]), sim) as rig:
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=3, what="comms")
        sim.link_faults.raw["hoist.load"] = RawForce("hoist.load", -3)  # the manual's noise
        sim.faults.inject("wind", speed_mps=21)
        view = await rig.run_for(2.0)
        assert view.snapshot.number("hoist.load") == pytest.approx(-0.3)
        assert view.snapshot.number("env.wind") == pytest.approx(21.0, abs=0.01)
        assert view.snapshot.comms_ok, view.snapshot.comms_reason
        assert view.permits is not None
        assert "WIND_STOP" in {t.id for t in view.permits.active}


@BOTH
async def test_the_twistlock_enumeration_reads_unlocked_at_the_start(protocol: str) -> None:
    """The spreader starts unlocked: TwlState must be 1 on each corner. No stand-in here."""
    sim = simulator()
    async with LockStep(load_profile(PROFILES[protocol]), sim) as rig:
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=3, what="comms")
        assert sim.plant.spreader.all_free()
        snapshot = rig.supervisor.view.snapshot
        assert [snapshot.point(f"twl_{c}").value for c in range(1, 5)] == [1, 1, 1, 1]
        assert all(snapshot.flag(f"spreader.unlocked_{c}", unsafe=False) for c in range(1, 5))


async def test_a_gantry_drive_fault_is_fault_2001_with_the_manuals_text() -> None:
    sim = simulator()
    async with LockStep(load_profile(PROFILES["modbus"]), sim) as rig:
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=3, what="comms")
        sim.faults.inject("drive_fault", axis="gantry")
        view = await rig.run_for(1.0)
        alarm = next(a for a in view.alarms if a.id == "PLC_FAULT_CODE")
        assert view.snapshot.number("plc.fault_code") == 2001, alarm.message
        assert "gantry drive fault: see the SINAMICS fault buffer" in alarm.message


async def _job_without_the_stand_in(
    site_path: Path, settings: SequencerSettings | None = None, *, within_s: float
) -> tuple[str, float]:
    """The job with the twistlocks reading neither locked nor unlocked (each ``TwlState`` forced
    to 0, unknown, as F2 served them), so TELESCOPE_NOT_FREE blocks the telescope; (why it
    failed, crane seconds it took)."""
    site = load_site(site_path)
    yard = yard_model_of(site)
    sim = site.simulator(personality=personality())
    for point in (f"twl_{corner}" for corner in range(1, 5)):
        sim.link_faults.raw[point] = RawForce(point, TWISTLOCK_CODES["unknown"])
    sequencer = Sequencer(site.crane, yard, settings)
    supervisor = SupervisorSettings(crane=site.crane, site=site.site)
    async with LockStep(
        load_profile(PROFILES["modbus"]), sim, supervisor, sequencer=sequencer
    ) as rig:
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=3, what="comms")
        started = rig.clock.now()
        sequencer.start(Transfer("J1", yard.boxes[BOX], parse_slot(DESTINATION)), started)
        await rig.until(lambda _: sequencer.outcome is not None, within_s=within_s, what="job end")
        assert sequencer.outcome is not None
        _, outcome, reason = sequencer.outcome
        assert outcome is Outcome.FAILED
        return reason, rig.clock.now() - started


async def test_a_job_the_interlocks_keep_from_telescoping_says_which_one() -> None:
    """What the engineer sees of F2 when running a job. (The sequencer's own telescope time-out
    cut to 5 s to keep the test short.)"""
    reason, _ = await _job_without_the_stand_in(
        SITE, SequencerSettings(telescope_timeout_s=5.0), within_s=10
    )
    assert "TELESCOPE_NOT_FREE" in reason or "not unlocked" in reason, reason


async def test_the_sites_telescope_timeout_bounds_an_automatic_telescope(tmp_path: Path) -> None:
    text = SITE.read_text(encoding="utf-8").replace(
        "[crane]\n", "[crane]\ntelescope_timeout_s = 5.0\n"
    )
    site_path = tmp_path / "site.toml"
    site_path.write_text(text, encoding="utf-8")
    assert load_site(site_path).crane.telescope_timeout_s == 5.0
    _, took_s = await _job_without_the_stand_in(site_path, within_s=12)  # today: 30 s
    assert took_s < 6.0


async def test_with_the_stand_in_the_twistlocks_read_as_the_plant_has_them() -> None:
    """The stand-in for F2 (``serve_twistlock_states``) serves what the PLC program would."""
    sim = simulator()
    async with LockStep(load_profile(PROFILES["opcua"]), sim) as rig:
        serve_twistlock_states(sim)
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=3, what="comms")
        snapshot = rig.supervisor.view.snapshot
        assert [snapshot.point(f"twl_{c}").value for c in range(1, 5)] == [1, 1, 1, 1]
        assert all(snapshot.flag(f"spreader.unlocked_{c}", unsafe=False) for c in range(1, 5))
        assert not any(snapshot.flag(f"spreader.locked_{c}", unsafe=True) for c in range(1, 5))


async def test_a_job_starting_with_the_empty_spreader_swinging_lands() -> None:
    """0.03 rad on 3.8 m of rope (11 cm; commissioning leaves about 0.06 rad: see
    test_armg_flow.py). The lowering onto the truck must end within 20 s (it takes 8 s without
    the swing, and 12.5 s with it behind the shipped generic-modbus profile's sway in metres);
    today it hangs there for 90 s until it gives up. Over Modbus only: OPC UA reads the same
    angle and rope length (it fails alike)."""
    site = load_site(SITE)
    yard = yard_model_of(site)
    sim = site.simulator(personality=personality())
    sequencer = Sequencer(site.crane, yard)
    settings = SupervisorSettings(crane=site.crane, site=site.site)
    profile = load_profile(PROFILES["modbus"])
    async with LockStep(profile, sim, settings, sequencer=sequencer) as rig:
        serve_twistlock_states(sim)
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=3, what="comms")
        sim.plant.pendulum.angle_x = 0.03
        sequencer.start(Transfer("J1", yard.boxes[BOX], parse_slot(DESTINATION)), rig.clock.now())
        lowering_since: float | None = None
        for _ in range(round(90 / rig.period_s)):
            await rig.scan()
            serve_twistlock_states(sim)
            run, now = sequencer.run, rig.clock.now()
            if run is None or run.step is Step.LOCK:
                break
            if run.step is not Step.LOWER:
                lowering_since = None
            elif lowering_since is None:
                lowering_since = now
            else:
                assert now - lowering_since < 20.0, "lowering onto the truck for 20 s"
    assert sequencer.outcome is None, sequencer.outcome
    assert sequencer.run is not None
    assert sequencer.run.step is Step.LOCK

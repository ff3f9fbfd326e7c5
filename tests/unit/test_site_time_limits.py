"""The crane's own time limits in the site file (``[crane] telescope_timeout_s``,
``twistlock_confirm_timeout_s``, ``landed_confirm_timeout_s``) bound automatic jobs, in lock-step.

A slow spreader (``telescope_time_s``, ``twistlock_turn_time_s``: the simulated plant) with
longer limits in the site finishes the job the sequencer's former fixed limits (30 s, 3 s, 5 s)
failed; a limit shortened in the site fails the job sooner, saying so. A figure the site file
accepts but nothing reads is refused where it stands (:data:`crane_ctrl.crane.NOT_USED`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crane_ctrl.crane import CraneParams
from crane_ctrl.errors import ConfigError
from crane_ctrl.operation.yard_model import YardModel
from crane_ctrl.sequencer.automatic_move import Outcome, Sequencer, SequencerSettings, Step
from crane_ctrl.site import Slot
from crane_ctrl.testing import StationRig
from simulators.site_file import DEFAULT_SITE, SiteFile, load_site
from tests.profile_texts import PROFILES
from tests.unit.sequencer_rig import BOX, JobRig

BOX_20 = "TGHU7654321"
"""The 20-ft box on truck T2: the 40-ft spreader telescopes before it picks it up."""
TO_20 = Slot.stack(9, 1, 2)


def site_with(tmp_path: Path, crane: str) -> SiteFile:
    """The border-gate site file with ``crane`` as its ``[crane]`` table, as a file."""
    path = tmp_path / "site.toml"
    text = DEFAULT_SITE.read_text(encoding="utf-8")
    path.write_text(f"[crane]\n{crane}\n{text}", encoding="utf-8")
    return load_site(path)


async def telescope_job(site: SiteFile, *, within_s: float) -> JobRig:
    """The 20-ft box's job on ``site``, run until it locks onto the box or ends."""
    job = JobRig(site=site)
    async with job:
        job.start(BOX_20, TO_20)
        await job.until(
            lambda: job.step is Step.LOCK or job.sequencer.outcome is not None,
            within_s=within_s,
            what="lock or the job's end",
        )
    return job


# --- the telescope ---------------------------------------------------------------------------


SLOW_SPREADER = "telescope_time_s = 40.0"
"""A spreader that takes 40 s from 40 ft to 20 ft (the default crane's: 12 s)."""


async def test_a_slow_spreader_fails_the_job_within_the_default_telescope_timeout(
    tmp_path: Path,
) -> None:
    job = await telescope_job(site_with(tmp_path, SLOW_SPREADER), within_s=45)
    assert job.sequencer.outcome is not None
    assert job.sequencer.outcome[1:] == (Outcome.FAILED, "spreader did not telescope to 20 ft")


async def test_a_slow_spreader_picks_its_box_up_within_the_sites_longer_telescope_timeout(
    tmp_path: Path,
) -> None:
    site = site_with(tmp_path, f"{SLOW_SPREADER}\ntelescope_timeout_s = 60.0")
    job = await telescope_job(site, within_s=90)
    assert job.sequencer.outcome is None, job.sequencer.outcome
    assert job.step is Step.LOCK
    assert job.sim.plant.spreader.size_ft == 20
    assert job.sim.model_faults == ()


async def test_a_shorter_site_telescope_timeout_fails_the_job_sooner_and_stopped(
    tmp_path: Path,
) -> None:
    job = await telescope_job(site_with(tmp_path, "telescope_timeout_s = 5.0"), within_s=12)
    assert job.sequencer.outcome is not None
    assert job.sequencer.outcome[1:] == (Outcome.FAILED, "spreader did not telescope to 20 ft")
    assert job.at_rest()
    assert job.sim.model_faults == ()


# --- the twistlocks and the landing ----------------------------------------------------------


async def until_trial_lift_or_end(job: JobRig, *, within_s: float) -> None:
    job.start(BOX)
    await job.until(
        lambda: job.step is Step.TRIAL_LIFT or job.sequencer.outcome is not None,
        within_s=within_s,
        what="the trial lift or the job's end",
    )


async def test_slow_twistlocks_lock_within_the_sites_longer_confirm_timeout(
    tmp_path: Path,
) -> None:
    """Twistlocks that turn in 4 s: the default 3 s gives the pick up; the site's 6 s does not."""
    for confirm, locks in (("", False), ("twistlock_confirm_timeout_s = 6.0", True)):
        site = site_with(tmp_path, f"twistlock_turn_time_s = 4.0\n{confirm}")
        async with JobRig(site=site) as job:
            await until_trial_lift_or_end(job, within_s=120)
            if locks:
                assert job.sequencer.outcome is None, job.sequencer.outcome
            else:
                outcome, reason = await job.until_finished(within_s=60)
                assert (outcome, reason) == (Outcome.FAILED, "twistlocks not locked within 3 s")


async def test_a_shorter_site_twistlock_timeout_gives_a_jammed_pick_up_up_sooner(
    tmp_path: Path,
) -> None:
    """A turn takes 1.5 s: 2 s lets the three good corners lock, and unlock again in time."""
    site = site_with(tmp_path, "twistlock_confirm_timeout_s = 2.0")
    async with JobRig(site=site) as job:
        job.inject("twistlock_jammed", corner=2)
        await until_trial_lift_or_end(job, within_s=120)
        locking = next(e for e in job.steps() if e["step"] == str(Step.LOCK))
        outcome, reason = await job.until_finished(within_s=60)
    assert (outcome, reason) == (Outcome.FAILED, "twistlocks not locked within 2 s")
    gave_up = next(e for e in job.steps() if e["step"] == str(Step.UNLOCK))
    assert float(str(gave_up["time"])) - float(str(locking["time"])) < 2.2
    assert job.sim.model_faults == ()


async def test_a_shorter_site_landed_timeout_fails_a_misaligned_landing_sooner(
    tmp_path: Path,
) -> None:
    site = site_with(tmp_path, "landed_confirm_timeout_s = 1.5")
    async with JobRig(site=site) as job:
        job.inject("misaligned", container=BOX, dx_m=0.3)
        job.start(BOX)
        outcome, reason = await job.until_finished(within_s=120)
    assert outcome is Outcome.FAILED
    assert reason.startswith("landing not confirmed within 1.5 s of creep"), reason


# --- who gets the crane's figures ------------------------------------------------------------


def test_a_sequencer_keeps_the_cranes_time_limits_unless_its_settings_override_one() -> None:
    crane = CraneParams(
        telescope_timeout_s=45.0, twistlock_confirm_timeout_s=4.0, landed_confirm_timeout_s=7.0,
        wind_stop_reaction="raise_clear",
    )  # fmt: skip
    yard = YardModel(load_site().site, [])
    own = Sequencer(crane, yard).crane
    assert (own.telescope_timeout_s, own.lock_timeout_s, own.landed_timeout_s) == (45, 4, 7)
    assert own.on_wind_stop == "raise_clear"
    overridden = Sequencer(crane, yard, SequencerSettings(telescope_timeout_s=5.0)).crane
    assert (overridden.telescope_timeout_s, overridden.lock_timeout_s) == (5, 4)


async def test_the_station_runs_jobs_with_the_site_files_time_limits(tmp_path: Path) -> None:
    site = site_with(tmp_path, "telescope_timeout_s = 45.0\ntwistlock_confirm_timeout_s = 4.0")
    async with StationRig(PROFILES / "generic-modbus.toml", site) as rig:
        crane = rig.station.automation.sequencer.crane
        assert (crane.telescope_timeout_s, crane.lock_timeout_s) == (45.0, 4.0)


def test_the_trial_lift_rises_past_the_cranes_truck_lift_trip() -> None:
    """A truck lifted with its box must rise past the trip before the trial lift ends: rope
    stretch plus the trip height, if more than the sequencer's 0.10 m."""
    yard = YardModel(load_site().site, [])
    assert Sequencer(CraneParams(), yard).crane.trial_lift_m == pytest.approx(0.10)
    high_trip = CraneParams(truck_lift_threshold_m=0.12)
    assert Sequencer(high_trip, yard).crane.trial_lift_m == pytest.approx(0.17)


@pytest.mark.parametrize("figure", ["sway_acceptance_m = 0.04", "sway_settle_time_s = 4.0"])
def test_a_crane_figure_nothing_reads_is_refused_where_it_stands(
    figure: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError) as refused:
        site_with(tmp_path, f"lift_height_m = 18.0\n{figure}")
    key = figure.split(" ")[0]
    assert f"site.toml:3 crane.{key}: not used: " in str(refused.value)
    assert "remove it" in str(refused.value)

"""Every height, speed and clearance the supervisor checks comes from the site file in use.

A crane that lifts 15.5 m (the default crane lifts 18 m) over a stack of four tiers: the default
site would need the spreader at 17.88 m to travel, above its lift height. ``crane-ctrl run
--site`` takes it; the supervisor built for it by ``run``, the lock-step rigs and the rig runner
checks its travel height, wind limits and rated speeds, and never the default site's.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from crane_ctrl.cli.main import EXIT_USAGE, build_parser, main
from crane_ctrl.cli.run import supervision
from crane_ctrl.commands import Commands
from crane_ctrl.interlocks.catalogue import InterlockSettings
from crane_ctrl.rig.runner import Options, run_one
from crane_ctrl.runtime.supervisor import SupervisorView
from crane_ctrl.testing import LockStep, StationRig
from simulators.site_file import load_site
from tests.cli.test_profile_commands import CRANE_CTRL
from tests.profile_texts import PROFILES
from tests.unit.foreign_crane import (
    DEFAULT_TRAVEL_HEIGHT_M,
    LOW_LIFT_M,
    LOW_TRAVEL_HEIGHT_M,
    low_lift_site,
)

GENERIC = PROFILES / "generic-modbus.toml"
BETWEEN_M = 15.2
"""Above the low crane's safe travel height (14.98 m), below the default site's (17.88 m)."""
LOW_GANTRY_MPS = 1.8
"""The low crane's rated gantry speed (empty); the default crane's is 2.2 m/s."""


@pytest.fixture
def low_site(tmp_path: Path) -> Path:
    path = tmp_path / "low-lift.toml"
    path.write_text(low_lift_site(hoist_m=BETWEEN_M), encoding="utf-8")
    return path


def travel_trip(view: SupervisorView) -> str | None:
    assert view.permits is not None
    found = [t for t in view.permits.active if t.id == "BELOW_TRAVEL_HEIGHT"]
    return found[0].reason if found else None


def test_run_help_lists_site() -> None:
    done = subprocess.run([CRANE_CTRL, "run", "--help"], capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "--site FILE" in done.stdout


def test_the_low_crane_cannot_travel_over_the_default_site() -> None:
    site = load_site()
    low = site.crane.model_copy(update={"lift_height_m": LOW_LIFT_M})
    with pytest.raises(ValueError, match=r"above the lift height 15\.50 m"):
        InterlockSettings.from_params(low, site.site)


def test_run_takes_a_site_whose_crane_lifts_below_the_default_and_checks_its_heights(
    low_site: Path,
) -> None:
    args = build_parser().parse_args(["run", "--profile", str(GENERIC), "--site", str(low_site)])
    assert args.site == low_site
    setup = supervision(args.profile, args.site, args.plc)
    assert setup.site_path == low_site
    assert setup.settings.crane.lift_height_m == LOW_LIFT_M
    assert setup.settings.site.name == "low-lift yard"
    rig = LockStep(setup.profile, load_site(low_site).simulator(), setup.settings)
    limits = rig.supervisor.interlock_settings
    assert limits.safe_travel_height_m == pytest.approx(LOW_TRAVEL_HEIGHT_M)
    assert limits.safe_travel_height_m < LOW_LIFT_M < DEFAULT_TRAVEL_HEIGHT_M
    assert (limits.wind_stop_mps, limits.wind_storm_mps) == (16.0, 22.0)


async def test_a_supervisor_for_the_low_crane_travels_above_its_height_at_its_rated_speed(
    low_site: Path,
) -> None:
    setup = supervision(GENERIC, low_site)
    async with LockStep(setup.profile, load_site(low_site).simulator(), setup.settings) as rig:
        view = await rig.until(lambda v: v.snapshot.comms_ok, within_s=2, what="comms")
        assert travel_trip(view) is None  # the default site would hold it below 17.88 m
        rig.supervisor.propose(Commands(drives_enable=True, gantry_speed_ref=2.2))
        view = await rig.until(lambda v: v.commands.gantry_speed_ref != 0.0, within_s=2,
                               what="gantry reference written")  # fmt: skip
        assert view.commands.gantry_speed_ref == pytest.approx(LOW_GANTRY_MPS)
        assert rig.sim.plc.commands["gantry.speed_ref"] == pytest.approx(LOW_GANTRY_MPS)


async def test_below_its_travel_height_the_trip_names_the_sites_height(tmp_path: Path) -> None:
    path = tmp_path / "low-lift.toml"
    path.write_text(low_lift_site(hoist_m=14.0), encoding="utf-8")
    setup = supervision(GENERIC, path)
    async with LockStep(setup.profile, load_site(path).simulator(), setup.settings) as rig:
        view = await rig.until(lambda v: v.snapshot.comms_ok, within_s=2, what="comms")
    assert travel_trip(view) == "hoist at 14.00 m < safe travel height 14.98 m"


async def test_every_rig_built_for_a_site_file_supervises_its_crane(low_site: Path) -> None:
    site = load_site(low_site)
    profile = supervision(GENERIC, low_site).profile
    lockstep = LockStep(profile, site.simulator())
    async with StationRig(profile, site) as station:
        rigs = (lockstep.supervisor, station.lockstep.supervisor)
        for supervisor in rigs:
            assert supervisor.settings.crane == site.crane
            assert supervisor.settings.site == site.site
            height = supervisor.interlock_settings.safe_travel_height_m
            assert height == pytest.approx(LOW_TRAVEL_HEIGHT_M)
        assert station.station.site == site.site


def test_the_rig_runs_a_scenario_on_the_low_crane(low_site: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "estop.toml"
    text = (PROFILES.parent / "simulators/scenarios/estop-at-standstill.toml").read_text("utf-8")
    scenario.write_text(f'site = "{low_site}"\n' + text, encoding="utf-8")
    result = run_one(str(scenario), Options())
    assert result.passed, [str(v) for v in result.verdicts if v.failed]


def test_a_site_whose_crane_cannot_lift_over_its_yard_is_refused_in_one_located_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "too-low.toml"
    bad.write_text(low_lift_site().replace("max_tiers = 4", "max_tiers = 5"), encoding="utf-8")
    code = main(["run", "--profile", str(GENERIC), "--site", str(bad), "--seconds", "0"])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE, err
    assert err.startswith(f"crane-ctrl: {bad}:2 crane.lift_height_m: site 'low-lift yard'")
    assert "needs the spreader at 17.88 m, above the lift height 15.50 m" in err
    assert "internal error" not in err

"""A profile may leave out every optional canonical signal (README, ``plc_profiles/README.md``).

Each shipped profile less its optional signals (``SignalSpec.required`` false: fault code, slack
rope, sway sensor, storm pins, lane) is served by the simulator, scanned by the supervisor, shown
by the HMI's I/O check and run by the rig, all in lock-step, with faults that move exactly those
signals in the simulated PLC: nothing may index a signal the profile does not map.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from crane_ctrl.clock import ManualClock
from crane_ctrl.commands import Commands
from crane_ctrl.errors import FaultError
from crane_ctrl.links.memory import MemoryLink
from crane_ctrl.operation.jobs import JobState
from crane_ctrl.profile.loader import parse_profile
from crane_ctrl.profile.model import Profile
from crane_ctrl.rig.runner import Options, run_one
from crane_ctrl.signals import SIGNALS
from crane_ctrl.site import Slot
from crane_ctrl.snapshot import Quality
from crane_ctrl.testing import LockStep, StationRig
from hmi.screens.io_check import io_rows
from simulators.memory import MemoryPlc
from simulators.simulator import CraneSimulator
from simulators.site_file import load_site
from tests.profile_texts import PROFILES
from tests.unit.foreign_crane import OPTIONAL, text_without_optional

PROFILE_NAMES = ("generic-modbus", "modicon-m580-modbus", "generic-opcua", "siemens-s7-1500-opcua")
TRAVEL_HEIGHT_M = 17.95
"""Above the default site's safe travel height (17.876 m): travel is allowed."""
SCENARIOS = PROFILES.parent / "simulators" / "scenarios"

shipped_profiles = pytest.mark.parametrize("name", PROFILE_NAMES)


@functools.cache
def without_optional(name: str) -> Profile:
    return parse_profile(text_without_optional(name), f"{name} less its optional signals")


def faults_on_optional_signals(lockstep: LockStep) -> None:
    """Faults that change exactly what the profile does not map, in the simulated PLC."""
    faults = lockstep.sim.faults
    faults.inject("person_in_lane")
    faults.inject("storm_pins")
    faults.inject("wind", speed_mps=12.0, gust_mps=4.0)
    faults.inject("force", signal="plc.fault_code", value=7)
    faults.inject("stuck", signal="sway.trolley")


def test_a_profile_may_leave_out_these_signals() -> None:
    assert {"sway.trolley", "sway.gantry", "lane.clear", "hoist.slack_rope"} <= set(OPTIONAL)


@shipped_profiles
def test_each_shipped_profile_less_its_optional_signals_still_loads(name: str) -> None:
    profile = without_optional(name)
    assert not set(OPTIONAL) & set(profile.signals)
    assert {n for n, s in SIGNALS.items() if s.required} <= set(profile.signals)


@shipped_profiles
async def test_the_simulator_serves_a_profile_without_optional_signals(name: str) -> None:
    profile = without_optional(name)
    sim = load_site().simulator()
    link = MemoryLink(profile, MemoryPlc(sim, profile), ManualClock())
    async with link:
        for fault, params in (("person_in_lane", {}), ("storm_pins", {}),
                              ("truck_lifted", {"lane": "T1"}), ("stuck", {"signal": "sway.gantry"}),
                              ("force", {"signal": "lane.clear", "value": False})):  # fmt: skip
            sim.faults.inject(fault, **params)
            sim.run(0.5)
            result = await link.read()
            assert result.ok, result.error
            assert not result.problems
            mapped = {n for n in profile.signals if not SIGNALS[n].is_command}
            assert set(result.values) == mapped
    with pytest.raises(FaultError, match="does not map it"):
        sim.faults.inject("force_raw", signal="sway.trolley", raw=1.0)


@shipped_profiles
async def test_a_supervisor_scan_loop_runs_on_a_profile_without_optional_signals(
    name: str,
) -> None:
    profile = without_optional(name)
    async with LockStep(profile, CraneSimulator(hoist_m=TRAVEL_HEIGHT_M)) as rig:
        view = await rig.until(lambda v: v.snapshot.comms_ok, within_s=2, what="comms")
        for signal in OPTIONAL:
            assert view.snapshot.reading(signal).quality is Quality.MISSING
        assert view.permits is not None
        assert {u.signal for u in view.permits.unchecked} <= set(OPTIONAL)
        assert view.permits.unchecked
        rig.supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=0.4))
        await rig.until(lambda v: (v.snapshot.number("trolley.speed") or 0.0) > 0.3,
                        within_s=10, what="trolley moving")  # fmt: skip
        faults_on_optional_signals(rig)
        view = await rig.run_for(3.0)
    assert view.snapshot.comms_ok
    assert (view.snapshot.number("env.wind") or 0.0) > 8.0
    assert all(view.snapshot.reading(s).quality is Quality.MISSING for s in OPTIONAL)


@shipped_profiles
async def test_the_station_and_its_io_check_run_a_job_without_optional_signals(
    name: str,
) -> None:
    profile = without_optional(name)
    async with StationRig(profile) as rig:
        rows = io_rows(profile, rig.view)
        assert set(rows) == set(profile.signals)
        rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.agv("A1"), 40)
        await rig.start_automatic()
        view = await rig.until(
            lambda v: v.job is not None and v.job.state is JobState.MOVING_TO_DELIVER,
            within_s=120, what="the box locked and lifted",
        )  # fmt: skip
        assert set(io_rows(profile, view)) == set(profile.signals)


@pytest.mark.parametrize("scenario", ["estop-at-standstill", "stack-to-agv"])
def test_the_rig_runs_scenarios_on_a_profile_without_optional_signals(
    scenario: str, tmp_path: Path
) -> None:
    text = (SCENARIOS / f"{scenario}.toml").read_text(encoding="utf-8")
    given = re.search(r'^profile = "(?P<name>[^"]+)\.toml"$', text, re.MULTILINE)
    assert given is not None
    (tmp_path / "minimal.toml").write_text(text_without_optional(given["name"]), "utf-8")
    path = tmp_path / f"{scenario}.toml"
    path.write_text(text.replace(given[0], 'profile = "minimal.toml"'), "utf-8")
    result = run_one(str(path), Options())
    assert result.passed, [str(v) for v in result.verdicts if v.failed]
    assert result.ended_by

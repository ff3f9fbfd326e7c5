"""Reset pulses against the AC500's 300 ms on-delay (tests/hostile/ac500.py), in lock-step."""

from __future__ import annotations

from pathlib import Path

from crane_ctrl.testing import LockStep
from simulators.site_file import load_site
from tests.hostile.ac500 import AC500, SITE_PATH, Journal, fine_sway_profile


async def _tripped_then_reset(profile_dir: Path, pulse: str) -> tuple[LockStep, Journal, bool]:
    profile = fine_sway_profile(
        profile_dir,
        **{"reset_pulse_s = 0.4": f"reset_pulse_s = {pulse}",
           "watchdog_auto_reset = true": "watchdog_auto_reset = false"},
    )  # fmt: skip
    journal = Journal()
    site = load_site(SITE_PATH)
    async with LockStep(profile, site.simulator(personality=AC500), journal=journal) as rig:
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=3, what="comms")
        rig.sim.plc.watchdog_trip = True
        await rig.until(lambda v: v.snapshot.flag("plc.watchdog_trip", unsafe=False),
                        within_s=1, what="watchdog seen")  # fmt: skip
        rig.supervisor.request_reset("engineer")
        await rig.run_for(3.0)
        return rig, journal, rig.sim.plc.watchdog_trip


async def test_a_reset_pulse_as_long_as_the_plcs_minimum_resets_it(tmp_path: Path) -> None:
    _, _, still_tripped = await _tripped_then_reset(tmp_path, "0.3")
    assert not still_tripped


async def test_a_reset_pulse_shorter_than_the_plcs_minimum_is_ignored_and_said(
    tmp_path: Path,
) -> None:
    rig, journal, still_tripped = await _tripped_then_reset(tmp_path, "0.1")
    assert still_tripped  # the PLC's on-delay filtered the 100 ms pulse, as its manual says
    pressed = next(i for i, e in enumerate(journal.events) if e[:2] == ("operator", "reset"))
    after = journal.events[pressed + 1 :]
    said = [e for e in after if "did not act on the reset" in repr(e)]
    assert said, journal.events
    assert "reset_pulse_s" in repr(said[0])
    alarms = {a.id: a for a in rig.supervisor.view.alarms}
    assert "PLC_RESET_IGNORED" in alarms, alarms

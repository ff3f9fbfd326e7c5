"""``plc.reset`` as PLCs want it (issue 15, items 2 and 10): a pulse of a length the engineer
sets, re-armed by a scan low; a watchdog that latched while no supervisor was there reset once,
automatically, after a start or a reconnect, and only when it is the PLC's only fault; journaled.

Against the simulated PLC: its watchdog latches and clears only on a reset's rising edge while
the heartbeat runs (:mod:`simulators.plc_logic`), as the manuals of the PLCs tried describe.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from crane_ctrl.commands import Commands
from crane_ctrl.profile.loader import parse_profile
from crane_ctrl.profile.model import Profile
from crane_ctrl.runtime.plc_reset import (
    HEALTHY_SCANS,
    ResetEffect,
    ResetPulse,
    RestartHold,
    WatchdogRecovery,
)
from crane_ctrl.runtime.supervisor import SupervisorSettings
from crane_ctrl.signals import Value
from crane_ctrl.snapshot import Quality, Reading, Snapshot
from crane_ctrl.testing import LockStep
from simulators.plc_logic import PlcParams
from simulators.simulator import CraneSimulator
from tests.profile_texts import GENERIC_MODBUS, with_signal
from tests.unit.test_supervisor_lockstep import EventList, shipped


def test_a_pulse_lasts_its_scans_and_rearms_only_after_a_scan_low() -> None:
    pulse = ResetPulse.of(0.1, 0.05)  # a 100 ms minimum at 20 Hz: two scans
    assert pulse.scans == 2
    assert [pulse.step(w) for w in (True, True, True, True, False, True)] == [
        True, True, False, True, True, False,
    ]  # fmt: skip
    assert ResetPulse.of(0.0, 0.05).scans == 1
    assert ResetPulse.of(0.12, 0.05).scans == 3


def _snap(comms: bool = True, **flags: bool) -> Snapshot:
    values: dict[str, Value] = {
        "plc.watchdog_trip": True, "plc.estop_ok": True,
        "gantry.fault": False, "trolley.fault": False, "hoist.fault": False,
    }  # fmt: skip
    values.update(flags)
    readings = {n: Reading(v, Quality.GOOD, 0.0) for n, v in values.items()}
    return Snapshot(time_s=0.0, readings=readings, comms_ok=comms)


def _first_due(recovery: WatchdogRecovery, snapshot: Snapshot, scans: int) -> list[bool]:
    return [bool(recovery.due(snapshot)) for _ in range(scans)]


def test_the_watchdog_alone_is_reset_once_after_healthy_scans_and_again_after_a_reconnect() -> None:
    recovery = WatchdogRecovery()
    due = _first_due(recovery, _snap(), HEALTHY_SCANS + 5)
    assert due == [False] * (HEALTHY_SCANS - 1) + [True] + [False] * 5
    recovery.due(_snap(comms=False))  # the link drops and comes back
    assert _first_due(recovery, _snap(), HEALTHY_SCANS) == [False] * (HEALTHY_SCANS - 1) + [True]


@pytest.mark.parametrize(
    "other",
    [{"plc.estop_ok": False}, {"hoist.fault": True}, {"plc.watchdog_trip": False}],
    ids=["e-stop open", "drive fault", "no watchdog trip"],
)
def test_no_automatic_reset_for_any_other_fault_nor_when_disabled(other: dict[str, bool]) -> None:
    assert not any(_first_due(WatchdogRecovery(), _snap(**other), 3 * HEALTHY_SCANS))
    assert not any(_first_due(WatchdogRecovery(enabled=False), _snap(), 3 * HEALTHY_SCANS))


async def test_a_plc_whose_watchdog_latched_before_the_start_is_reset_and_journaled() -> None:
    journal = EventList()
    settings = SupervisorSettings(reset_pulse_s=0.12)
    async with LockStep(shipped("generic-modbus"), settings=settings, journal=journal) as rig:
        rig.sim.plc.watchdog_trip = True  # left latched by the supervisor that stopped before
        pulses: list[bool] = []
        for _ in range(40):
            view = await rig.scan()
            pulses.append(bool(rig.sim.plc.commands["plc.reset"]))
            if not view.snapshot.flag("plc.watchdog_trip", unsafe=True) and sum(pulses) >= 3:
                break
        assert not rig.sim.plc.watchdog_trip
        assert sum(pulses) == 3, "one pulse of three scans (120 ms at 20 Hz)"
        (event,) = journal.of("plc", "automatic PLC reset")
        assert "only fault" in str(event["reason"])
        for _ in range(60):
            await rig.scan()
            assert not rig.sim.plc.commands["plc.reset"], "once: not again"


async def test_an_estop_is_never_reset_automatically() -> None:
    journal = EventList()
    async with LockStep(shipped("generic-modbus"), journal=journal) as rig:
        rig.sim.plc.watchdog_trip = True
        rig.sim.faults.inject("estop")
        for _ in range(40):
            await rig.scan()
            assert not rig.sim.plc.commands["plc.reset"]
        assert rig.sim.plc.watchdog_trip
        assert not journal.of("plc", "automatic PLC reset")


async def test_the_machines_reset_resets_the_plc_when_it_reports_a_fault_a_reset_clears() -> None:
    """RESET of the PackML machine writes the PLC reset (the rig and ``run`` never did); with no
    PLC fault it writes none (nothing to reset, no needless edge)."""
    from crane_ctrl.operation.jobs import JobQueue
    from crane_ctrl.operation.machine import PackCommand, PackState
    from crane_ctrl.runtime.automation import Automation
    from simulators.site_file import load_site, yard_model_of

    site = load_site()
    automation = Automation(site.crane, yard_model_of(site), JobQueue(site.site, site.crane))
    settings = SupervisorSettings(crane=site.crane, site=site.site, watchdog_auto_reset=False)
    profile = shipped("generic-modbus")
    async with LockStep(profile, site.simulator(), settings, sequencer=automation) as rig:
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=2, what="comms")
        automation.command(PackCommand.RESET, rig.clock.now())
        await rig.scan()
        assert not rig.sim.plc.commands["plc.reset"]
        rig.sim.plc.watchdog_trip = True
        await rig.until(lambda v: v.snapshot.flag("plc.watchdog_trip", unsafe=False),
                        within_s=1, what="watchdog seen")  # fmt: skip
        await rig.scan(10)
        assert rig.sim.plc.watchdog_trip, "auto reset is off: nothing resets it by itself"
        automation.command(PackCommand.STOP, rig.clock.now())
        await rig.until(lambda v: automation.machine.state is PackState.STOPPED,
                        within_s=5, what="STOPPED")  # fmt: skip
        automation.command(PackCommand.RESET, rig.clock.now())
        await rig.scan()
        assert rig.sim.plc.commands["plc.reset"]
        await rig.until(lambda v: not v.snapshot.flag("plc.watchdog_trip", unsafe=True),
                        within_s=1, what="watchdog cleared")  # fmt: skip


def _with_plc_table(text: str) -> str:
    return text.replace("[signals]", "[plc]\nreset_pulse_s = 0.1\nwatchdog_auto_reset = false\n"
                        "watchdog_s = 0.5\n\n[signals]", 1)  # fmt: skip


async def test_the_profile_says_how_long_the_pulse_and_whether_to_reset_by_itself() -> None:
    from crane_ctrl.profile.loader import parse_profile
    from tests.profile_texts import PROFILES

    text = _with_plc_table((PROFILES / "generic-modbus.toml").read_text())
    profile = parse_profile(text, "generic-modbus-plc.toml")
    assert (profile.plc.reset_pulse_s, profile.plc.watchdog_auto_reset) == (0.1, False)
    journal = EventList()
    async with LockStep(profile, journal=journal) as rig:
        rig.sim.plc.watchdog_trip = True
        for _ in range(3 * HEALTHY_SCANS):
            await rig.scan()
            assert not rig.sim.plc.commands["plc.reset"], "no automatic reset: the profile says"
        rig.supervisor.request_reset("engineer")
        pulses = []
        for _ in range(6):
            await rig.scan()
            pulses.append(bool(rig.sim.plc.commands["plc.reset"]))
        assert pulses == [True, True, False, False, False, False], "100 ms: two scans"
        assert not rig.sim.plc.watchdog_trip


def test_a_scan_near_half_the_plc_watchdog_is_warned_once_each_time() -> None:
    from crane_ctrl.runtime.supervisor import ScanStats, Supervisor

    journal = EventList()
    supervisor = Supervisor.__new__(Supervisor)  # only the warning's own state
    supervisor.plc_watchdog_s, supervisor._watchdog_near, supervisor.journal = 0.5, False, journal
    slow = ScanStats(scans=100, p99_scan_s=0.2, p99_lateness_s=0.06)
    fine = ScanStats(scans=100, p99_scan_s=0.01, p99_lateness_s=0.0)
    for stats in (fine, slow, slow, fine, slow):
        supervisor._watch_watchdog_margin(stats)
    warned = journal.of("system", "scan near the PLC watchdog")
    assert len(warned) == 2
    assert "half the PLC's watchdog (0.5 s)" in str(warned[0]["reason"])


async def test_a_plc_fault_code_is_shown_in_the_vendors_words_from_the_profile() -> None:
    """``[plc.fault_texts]``: the PLC_FAULT_CODE alarm names the code and its text (the
    simulated PLC reports code 30 for its watchdog)."""
    from crane_ctrl.profile.loader import parse_profile
    from tests.profile_texts import PROFILES

    text = (
        (PROFILES / "generic-modbus.toml")
        .read_text()
        .replace(
            "[signals]",
            '[plc]\nwatchdog_auto_reset = false\n\n[plc.fault_texts]\n30 = "supervisor heartbeat '
            'frozen: PLC watchdog"\n\n[signals]',
            1,
        )
    )
    profile = parse_profile(text, "generic-modbus-texts.toml")
    assert profile.plc.fault_texts == {30: "supervisor heartbeat frozen: PLC watchdog"}
    async with LockStep(profile) as rig:
        rig.sim.plc.watchdog_trip = True
        view = await rig.until(
            lambda v: any(a.id == "PLC_FAULT_CODE" and a.active for a in v.alarms),
            within_s=5, what="PLC_FAULT_CODE",
        )  # fmt: skip
        (alarm,) = (a for a in view.alarms if a.id == "PLC_FAULT_CODE")
        assert "code 30: supervisor heartbeat frozen: PLC watchdog" in alarm.message


def test_restart_hold_keeps_references_zero_until_a_read_after_the_pulse_shows_ready() -> None:
    hold = RestartHold()
    ready = _ready_snap(ready=True, inhibit=False)
    assert not hold.holding(False, ready)  # no reset: nothing held
    assert hold.holding(True, ready)  # the pulse
    assert hold.holding(False, ready)  # this scan's read came before the pulse fell
    assert hold.holding(False, _ready_snap(ready=True, inhibit=True))  # the PLC restarting
    assert hold.holding(False, _ready_snap(ready=False, inhibit=False))
    assert not hold.holding(False, ready)
    assert not hold.holding(False, _ready_snap(ready=False, inhibit=True))  # the hold is over


def test_restart_hold_without_a_restart_inhibit_signal_waits_for_ready_only() -> None:
    hold = RestartHold()
    hold.holding(True, _ready_snap(ready=True, inhibit=None))
    hold.holding(False, _ready_snap(ready=True, inhibit=None))
    assert not hold.holding(False, _ready_snap(ready=True, inhibit=None))


def _ready_snap(*, ready: bool, inhibit: bool | None) -> Snapshot:
    values: dict[str, Value] = {f"{axis}.ready": ready for axis in ("gantry", "trolley", "hoist")}
    if inhibit is not None:
        values["plc.restart_inhibit"] = inhibit
    readings = {n: Reading(v, Quality.GOOD, 0.0) for n, v in values.items()}
    return Snapshot(time_s=0.0, readings=readings, comms_ok=True)


async def test_after_a_reset_nothing_moves_until_the_plc_ends_its_restart_inhibit() -> None:
    sim = CraneSimulator(hoist_m=17.95, plc_params=PlcParams(restart_delay_s=1.0))
    profile = with_restart_inhibit()
    async with LockStep(profile, sim) as rig:
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=2.0, what="comms")
        rig.supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=0.5))
        await rig.until(lambda v: v.commands.trolley_speed_ref == 0.5, within_s=2.0, what="go")
        rig.supervisor.request_reset()
        held = await rig.until(
            lambda v: v.snapshot.flag("plc.restart_inhibit", unsafe=False),
            within_s=1.0, what="the PLC's restart inhibit after the reset",
        )  # fmt: skip
        assert held.commands.trolley_speed_ref == 0.0
        assert "RESTART_INHIBIT" in {t.interlock.id for t in held.permits.active}  # type: ignore[union-attr]
        start = held.snapshot.time_s
        moving = await rig.until(
            lambda v: v.commands.trolley_speed_ref == 0.5, within_s=2.0, what="moving again"
        )
        assert moving.snapshot.time_s - start >= 0.9  # the PLC's 1 s restart sequence


def with_restart_inhibit() -> Profile:
    text = with_signal(
        GENERIC_MODBUS, "plc.restart_inhibit", '{ table = "discrete_input", address = 60 }'
    )
    return parse_profile(text, "restart-inhibit.toml")


def _at(t: float, comms: bool = True, **flags: bool) -> Snapshot:
    return replace(_snap(comms, **flags), time_s=t)


def _follow(effect: ResetEffect, scans: list[tuple[bool, Snapshot]]) -> list[str]:
    return [said for reset, snap in scans if (said := effect.observe(reset, snap))]


def test_a_reset_the_plc_ignored_is_said_after_the_answer_time_and_stands_until_the_fault_falls() -> (
    None
):
    effect = ResetEffect(pulse_s=0.1)
    scans = [(t < 0.1, _at(t)) for t in (0.0, 0.05, 0.1, 0.15, 1.0, 2.05, 2.1, 2.15)]
    said = _follow(effect, scans)
    assert len(said) == 1
    assert "did not act on the reset" in said[0]
    assert "plc.watchdog_trip" in said[0]
    assert "reset_pulse_s" in said[0]
    assert "0.1 s pulse" in said[0]
    assert effect.ignored == said[0]
    effect.observe(False, _at(3.0, **{"plc.watchdog_trip": False}))
    assert effect.ignored == ""


def test_a_reset_that_cleared_its_faults_says_nothing() -> None:
    effect = ResetEffect(pulse_s=0.05)
    clear = {"plc.watchdog_trip": False}
    said = _follow(effect, [(True, _at(0.0)), (False, _at(0.05, **clear)),
                            (False, _at(2.1, **clear))])  # fmt: skip
    assert said == []
    assert effect.ignored == ""


def test_a_reset_that_cleared_one_fault_of_two_names_both_but_is_no_alarm() -> None:
    effect = ResetEffect(pulse_s=0.05)
    both = {"hoist.fault": True}
    still = {"hoist.fault": True, "plc.watchdog_trip": False}
    said = _follow(effect, [(True, _at(0.0, **both)), (False, _at(0.05, **still)),
                            (False, _at(2.1, **still))])  # fmt: skip
    assert said == [
        "the reset cleared plc.watchdog_trip; hoist.fault remain: their cause is still there"
    ]
    assert effect.ignored == ""


def test_nothing_is_judged_with_the_link_down_or_without_a_fault_to_clear() -> None:
    effect = ResetEffect(pulse_s=0.05)
    assert (
        _follow(effect, [(True, _at(0.0)), (False, _at(0.05)), (False, _at(2.1, comms=False))])
        == []
    )
    calm = {"plc.watchdog_trip": False}
    assert _follow(effect, [(True, _at(3.0, **calm)), (False, _at(3.05, **calm)),
                            (False, _at(5.1, **calm))]) == []  # fmt: skip
    assert effect.ignored == ""


def test_a_new_reset_withdraws_the_last_verdict() -> None:
    effect = ResetEffect(pulse_s=0.05)
    _follow(effect, [(True, _at(0.0)), (False, _at(0.05)), (False, _at(2.1))])
    assert effect.ignored
    effect.observe(True, _at(2.2))
    assert effect.ignored == ""

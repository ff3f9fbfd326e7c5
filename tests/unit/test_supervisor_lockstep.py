"""The supervisor's scan loop in lock-step with the simulated crane: no sockets, a manual clock.

Every scan reads the simulator's PLC through a shipped profile (in memory, through the same codec
as on the wire), filters what was proposed through the interlocks and writes it back; what the
PLC received is asserted at the simulator (``sim.plc.commands``). One test runs ``run()`` in real
time, bounded by an ``asyncio`` timeout.
"""

from __future__ import annotations

import asyncio
import functools
import logging

import pytest

from crane_ctrl.commands import Commands
from crane_ctrl.interlocks.evaluate import Motion, Permits, Trip
from crane_ctrl.link_report import LinkState
from crane_ctrl.links.memory import MemoryLink
from crane_ctrl.profile.loader import load_profile, parse_profile
from crane_ctrl.profile.model import Profile
from crane_ctrl.realtime import MonotonicClock
from crane_ctrl.runtime.journal import EventKind
from crane_ctrl.runtime.recorder import EventSink
from crane_ctrl.runtime.supervisor import Sequencer, Supervisor, SupervisorSettings, SupervisorView
from crane_ctrl.signals import Value
from crane_ctrl.snapshot import Quality, Snapshot
from crane_ctrl.testing import LockStep
from simulators.memory import MemoryPlc
from simulators.simulator import CraneSimulator
from tests.profile_texts import PROFILES, with_signal

PROFILE_NAMES = ("generic-modbus", "modicon-m580-modbus", "generic-opcua", "siemens-s7-1500-opcua")

TRAVEL_HEIGHT_M = 17.95
"""Just above the default safe travel height (17.876 m): gantry and trolley may travel."""
LOW_HOIST_M = 15.0
"""Below the safe travel height: travel is refused, hoisting is not."""
TROLLEY_MPS = 0.5
REF_TOLERANCE = 1e-3
"""What the profiles' encodings of a speed reference resolve (the M580 writes % of rated x100)."""
SPEEDS = ("gantry.speed_ref", "trolley.speed_ref", "hoist.speed_ref")

shipped_profiles = pytest.mark.parametrize("name", PROFILE_NAMES)


@functools.cache
def shipped(name: str) -> Profile:
    return load_profile(PROFILES / f"{name}.toml")


class EventList:
    """A journal that keeps events in a list: ``(kind, subject, values)``."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict[str, object]]] = []

    def record(self, kind: str, subject: str, **values: object) -> None:
        if kind != "sequencer":  # (the sequencer rig's own story, kept beside the journal's)
            EventKind(kind)  # the journal refuses a kind it does not know: so does its stand-in
        self.events.append((kind, subject, values))

    def of(self, kind: str, subject: str | None = None) -> list[dict[str, object]]:
        return [v for k, s, v in self.events if k == kind and subject in (None, s)]


def make_rig(
    profile: Profile,
    sim: CraneSimulator | None = None,
    *,
    sequencer: Sequencer | None = None,
    journal: EventSink | None = None,
    settings: SupervisorSettings | None = None,
) -> LockStep:
    """A lock-step rig over ``profile``; the crane hangs at travel height unless ``sim`` says."""
    return LockStep(
        profile,
        sim or CraneSimulator(hoist_m=TRAVEL_HEIGHT_M),
        settings,
        sequencer=sequencer,
        journal=journal,
    )


def trips(view: SupervisorView) -> set[str]:
    assert view.permits is not None
    return {t.id for t in view.permits.active}


def trip(view: SupervisorView, interlock: str) -> Trip:
    assert view.permits is not None
    (found,) = [t for t in view.permits.active if t.id == interlock]
    return found


def refused(view: SupervisorView) -> dict[Motion, tuple[str, ...]]:
    """Each refused motion of this scan and the interlocks that refused it."""
    return {r.motion: r.ids for r in view.refusals}


def annunciated(view: SupervisorView) -> list[str]:
    return [a.id for a in view.annunciated]


def written(rig: LockStep, name: str) -> Value:
    """What the simulated PLC last received for command ``name``."""
    return rig.sim.plc.commands[name]


def zero_references(rig: LockStep) -> bool:
    return all(written(rig, name) == 0.0 for name in SPEEDS)


async def ready(rig: LockStep) -> SupervisorView:
    """Scan until comms are trusted and the drives are enabled and ready."""
    rig.supervisor.propose(Commands(drives_enable=True))
    return await rig.until(
        lambda v: v.snapshot.comms_ok and "DRIVE_FAULT" not in trips(v),
        within_s=2.0,
        what="comms trusted and drives ready",
    )


async def moving_trolley(rig: LockStep, speed: float = TROLLEY_MPS) -> SupervisorView:
    """Enable the drives, then drive the trolley forward until it runs at ``speed``."""
    await ready(rig)
    rig.supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=speed))
    view = await rig.until(
        lambda v: rig.sim.plant.trolley.speed_mps >= speed - 0.01,
        within_s=3.0,
        what=f"trolley at {speed} m/s",
    )
    assert written(rig, "trolley.speed_ref") == pytest.approx(speed, abs=REF_TOLERANCE)
    return view


async def fault_after_scan(rig: LockStep, fault: str, **params: object) -> SupervisorView:
    """A scan, ``fault`` injected just after it, one scan period of crane time, the next scan."""
    await rig.supervisor.scan_once()
    rig.sim.faults.inject(fault, **params)
    rig.sim.run(rig.period_s, rig.sim_dt)
    rig.clock.advance(rig.period_s)
    return await rig.scan()


async def until_link_down(rig: LockStep) -> tuple[SupervisorView, list[SupervisorView]]:
    """Scan until the link declares itself down; the view then and the views before it.

    The in-memory link, like the socket links, drops after ``FAILURES_TO_DROP`` failed requests
    in a row (each scan reads and writes): within that many scans at the latest.
    """
    views: list[SupervisorView] = []
    for _ in range(MemoryLink.FAILURES_TO_DROP):
        view = await rig.scan()
        if view.link.state is LinkState.DOWN:
            return view, views
        views.append(view)
    raise AssertionError(f"link still {view.link.state} after {len(views)} scans")


def heartbeat_variant(name: str, mapping: str) -> Profile:
    """Shipped profile ``name`` with ``sup.heartbeat`` mapped as ``mapping``."""
    text = (PROFILES / f"{name}.toml").read_text(encoding="utf-8")
    return parse_profile(with_signal(text, "sup.heartbeat", mapping), f"{name} (variant)")


# --- the supervisor's heartbeat --------------------------------------------------------------------


@shipped_profiles
async def test_sup_heartbeat_is_written_every_scan_counting_up_by_one(name: str) -> None:
    async with make_rig(shipped(name)) as rig:
        beats = []
        for _ in range(40):
            view = await rig.scan()
            beats.append((view.heartbeat, written(rig, "sup.heartbeat")))
        assert beats == [(n, n) for n in range(1, 41)]
        assert not rig.sim.plc.watchdog_trip


@pytest.mark.parametrize(
    ("name", "mapping", "modulus"),
    [
        (
            "generic-modbus",
            '{ table = "holding", address = 6, type = "uint16", bit = 0, width = 4 }',
            16,
        ),
        (
            "generic-opcua",
            '{ node = "s=Crane.Cmd.Heartbeat", type = "Byte", access = "read_write" }',
            256,
        ),
        (
            "generic-opcua",
            '{ node = "s=Crane.Cmd.Heartbeat", type = "SByte", access = "read_write" }',
            128,
        ),
    ],
    ids=["modbus-4-bit-field", "opcua-byte", "opcua-sbyte"],
)
async def test_sup_heartbeat_wraps_to_zero_at_the_range_of_its_plc_place(
    name: str, mapping: str, modulus: int
) -> None:
    async with make_rig(heartbeat_variant(name, mapping)) as rig:
        beats = []
        for _ in range(modulus + 5):
            await rig.scan()
            beats.append(written(rig, "sup.heartbeat"))
        assert beats == [n % modulus for n in range(1, modulus + 6)]
        assert not rig.sim.plc.watchdog_trip  # the wrap is a change like any other


# --- motion: the sequencer proposes, the interlocks dispose -------------------------------------


@shipped_profiles
async def test_proposed_trolley_motion_moves_the_crane_and_is_written_as_proposed(
    name: str,
) -> None:
    async with make_rig(shipped(name)) as rig:
        await ready(rig)
        start = rig.sim.plant.trolley.position_m
        proposal = Commands(drives_enable=True, trolley_speed_ref=TROLLEY_MPS)
        rig.supervisor.propose(proposal)
        view = await rig.run_for(3.0)
        assert view.commands == proposal
        assert view.refusals == ()
        assert written(rig, "drives.enable") is True
        assert written(rig, "trolley.speed_ref") == pytest.approx(TROLLEY_MPS, abs=REF_TOLERANCE)
        assert rig.sim.plant.trolley.speed_mps == pytest.approx(TROLLEY_MPS, abs=0.01)
        assert rig.sim.plant.trolley.position_m > start + 0.5
        assert view.snapshot.number("trolley.speed") == pytest.approx(TROLLEY_MPS, abs=0.01)


@shipped_profiles
async def test_written_commands_are_the_filtered_ones_and_refusals_name_the_interlocks(
    name: str,
) -> None:
    async with make_rig(shipped(name), CraneSimulator(hoist_m=LOW_HOIST_M)) as rig:
        await ready(rig)
        start = rig.sim.plant.trolley.position_m
        rig.supervisor.propose(
            Commands(drives_enable=True, trolley_speed_ref=0.5, hoist_speed_ref=0.2, lock=True)
        )
        view = await rig.scan()
        assert view.commands == Commands(drives_enable=True, hoist_speed_ref=0.2)
        assert refused(view) == {
            Motion.TROLLEY_FWD: ("BELOW_TRAVEL_HEIGHT",),
            Motion.LOCK: ("NOT_LANDED",),
        }
        (travel,) = [r for r in view.refusals if r.motion is Motion.TROLLEY_FWD]
        assert travel.value == 0.5
        assert travel.trips[0].reason == "hoist at 15.00 m < safe travel height 17.88 m"
        assert written(rig, "trolley.speed_ref") == 0.0
        assert written(rig, "hoist.speed_ref") == pytest.approx(0.2, abs=REF_TOLERANCE)
        assert written(rig, "spreader.lock") is False
        await rig.run_for(1.0)
        assert rig.sim.plant.trolley.position_m == start
        assert rig.sim.plant.hoist.position_m > LOW_HOIST_M + 0.05


async def test_nothing_moves_before_comms_are_trusted() -> None:
    async with make_rig(shipped("generic-modbus")) as rig:
        rig.supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=TROLLEY_MPS))
        view = await rig.scan()
        assert not view.snapshot.comms_ok
        assert view.snapshot.comms_reason == "waiting for the PLC heartbeat to change"
        assert "COMMS_FAULT" in refused(view)[Motion.TROLLEY_FWD]
        assert written(rig, "trolley.speed_ref") == 0.0


# --- faults in the simulator: zero references and the right interlock and alarm -------------------

FAULTS = [
    pytest.param("estop", {}, "ESTOP", id="estop"),
    pytest.param("local", {}, "NOT_REMOTE", id="local"),
    pytest.param("drive_fault", {"axis": "trolley"}, "DRIVE_FAULT", id="drive_fault"),
    pytest.param("wind", {"speed_mps": 22.0}, "WIND_STOP", id="wind-22"),
    pytest.param("person_in_lane", {}, "LANE_NOT_CLEAR", id="person_in_lane"),
    pytest.param(
        "force", {"signal": "trolley.limit_fwd_ok", "value": False}, "LIMIT_TROLLEY_FWD",
        id="forced-limit",
    ),
]  # fmt: skip


@shipped_profiles
@pytest.mark.parametrize(("fault", "params", "interlock"), FAULTS)
async def test_fault_in_the_crane_zeroes_the_references_within_one_scan_and_alarms(
    name: str, fault: str, params: dict[str, object], interlock: str
) -> None:
    async with make_rig(shipped(name)) as rig:
        await moving_trolley(rig)
        view = await fault_after_scan(rig, fault, **params)
        assert interlock in trips(view)
        assert interlock in refused(view)[Motion.TROLLEY_FWD]
        assert view.commands.trolley_speed_ref == 0.0
        assert zero_references(rig)
        assert interlock in annunciated(view)
        assert view.first_out == interlock
        assert next(a for a in view.alarms if a.id == interlock).first_out


@shipped_profiles
async def test_fault_injected_just_after_a_scan_gives_zero_references_at_the_very_next_scan(
    name: str,
) -> None:
    async with make_rig(shipped(name)) as rig:
        await moving_trolley(rig)
        rig.sim.faults.inject("estop")  # after the scan and the crane's step: no PLC cycle between
        view = await rig.supervisor.scan_once()
        assert written(rig, "trolley.speed_ref") == 0.0
        assert zero_references(rig)
        assert trips(view) >= {"ESTOP"}


@pytest.mark.parametrize(
    ("fault", "params"),
    [
        ("local", {}),
        ("person_in_lane", {}),
        ("force", {"signal": "trolley.limit_fwd_ok", "value": False}),
    ],
)
async def test_status_fault_read_at_the_very_next_scan_zeroes_the_reference(
    fault: str, params: dict[str, object]
) -> None:
    async with make_rig(shipped("modicon-m580-modbus")) as rig:
        await moving_trolley(rig)
        rig.sim.faults.inject(fault, **params)
        await rig.supervisor.scan_once()
        assert written(rig, "trolley.speed_ref") == 0.0


async def test_wind_at_storm_limit_stops_all_motion_and_shows_storm_first() -> None:
    async with make_rig(shipped("generic-opcua")) as rig:
        await moving_trolley(rig)
        view = await fault_after_scan(rig, "wind", speed_mps=26.0)
        assert {"WIND_STORM", "WIND_STOP"} <= trips(view)
        assert view.first_out == "WIND_STORM"
        assert "WIND_STOP" not in annunciated(view)  # suppressed by design under the storm
        assert zero_references(rig)


@shipped_profiles
async def test_link_freeze_drops_the_link_within_three_scans_alarming_and_stopping_motion(
    name: str,
) -> None:
    async with make_rig(shipped(name)) as rig:
        await moving_trolley(rig)
        rig.sim.faults.inject("link_freeze")
        view, before = await until_link_down(rig)
        assert before, "one unanswered scan is not yet a lost link"
        for tolerated in before:  # unanswered while the link still counts as up: a missed read
            assert tolerated.snapshot.comms_ok
            assert tolerated.link.failures > 0
        assert "the simulated PLC does not answer" in view.link.last_error
        assert not view.snapshot.comms_ok
        assert view.snapshot.comms_reason == f"link down: {view.link.last_error}"
        assert "COMMS_FAULT" in trips(view)
        assert view.commands == Commands()  # the proposal is cleared; nothing is asked to move
        assert annunciated(view) == ["LINK_DOWN"]
        assert view.first_out == "LINK_DOWN"
        assert view.snapshot.reading("trolley.speed").good  # younger than max_age_s still
        max_age = rig.supervisor.settings.quality.max_age_s
        view = await rig.until(
            lambda v: v.snapshot.reading("trolley.speed").quality is Quality.STALE,
            within_s=max_age + 2 * rig.period_s,
        )
        assert view.snapshot.comms_reason.startswith("no data from the PLC (last read 0.3")
        assert view.commands == Commands()
        comms = next(a for a in view.alarms if a.id == "COMMS_FAULT")
        assert comms.active
        assert comms.suppressed  # LINK_DOWN tells the story
        await rig.run_for(2.5)  # nothing reaches the PLC: its watchdog ramps the crane to rest
        assert rig.sim.plc.watchdog_trip
        assert rig.sim.plant.trolley.speed_mps == 0.0


@shipped_profiles
async def test_comms_lost_forgets_the_proposal_so_nothing_moves_again_until_asked(
    name: str,
) -> None:
    async with make_rig(shipped(name)) as rig:
        await moving_trolley(rig)
        rig.sim.faults.inject("link_freeze")
        await rig.run_for(0.5)
        rig.sim.faults.clear("link_freeze")
        view = await rig.until(lambda v: v.snapshot.comms_ok, within_s=1.0)
        view = await rig.run_for(1.0)
        assert view.commands == Commands()
        assert written(rig, "drives.enable") is False
        assert zero_references(rig)
        rig.supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=TROLLEY_MPS))
        rig.supervisor.request_reset()  # the PLC's watchdog may have tripped meanwhile
        await rig.until(lambda v: rig.sim.plant.trolley.speed_mps > 0.1, within_s=3.0)


async def test_one_shot_link_drop_is_a_comms_fault_that_clears_the_proposal_and_reconnects() -> (
    None
):
    async with make_rig(shipped("generic-modbus")) as rig:
        await moving_trolley(rig)
        view = await fault_after_scan(rig, "link_drop")
        assert view.link.state is LinkState.DOWN  # a lost connection is down at once
        assert not view.snapshot.comms_ok
        assert view.snapshot.comms_reason == (
            f"link down: link {rig.link.name}: connection reset by the simulated PLC"
        )
        assert view.snapshot.reading("trolley.speed").good  # younger than max_age_s
        assert "COMMS_FAULT" in trips(view)
        assert view.commands == Commands()
        assert annunciated(view) == ["LINK_DOWN"]
        view = await rig.scan()
        assert view.link.state is LinkState.UP
        assert view.link.reconnects == 1
        assert view.snapshot.comms_ok, view.snapshot.comms_reason
        assert view.commands == Commands()  # nothing moves again until asked again
        assert written(rig, "drives.enable") is False
        assert zero_references(rig)
        link_down = next(a for a in view.alarms if a.id == "LINK_DOWN")
        assert link_down.state == "rtn_unack"
        rig.supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=TROLLEY_MPS))
        await rig.until(lambda v: rig.sim.plant.trolley.speed_mps > 0.1, within_s=3.0)


async def test_frozen_plc_heartbeat_stops_motion_after_the_heartbeat_timeout() -> None:
    async with make_rig(shipped("siemens-s7-1500-opcua")) as rig:
        await moving_trolley(rig)
        rig.sim.faults.inject("stuck", signal="plc.heartbeat")
        timeout = rig.supervisor.settings.quality.heartbeat_timeout_s
        view = await rig.until(lambda v: not v.snapshot.comms_ok, within_s=timeout + 0.5)
        assert view.snapshot.comms_reason.startswith("PLC heartbeat frozen at")
        speed = view.snapshot.reading("trolley.speed")
        assert speed.quality is Quality.STALE
        assert speed.time_s is not None
        assert view.snapshot.time_s - speed.time_s > timeout  # as old as the frozen heartbeat
        assert zero_references(rig)
        assert "PLC_HEARTBEAT_FROZEN" in annunciated(view)
        assert view.first_out == "PLC_HEARTBEAT_FROZEN"


# --- the sequencer hook --------------------------------------------------------------------------


class Recording:
    """A sequencer that proposes ``commands`` and remembers what it was given."""

    def __init__(self, commands: Commands) -> None:
        self.commands = commands
        self.calls: list[tuple[Snapshot, Permits, float]] = []

    def __call__(self, snapshot: Snapshot, permits: Permits, now: float) -> Commands:
        self.calls.append((snapshot, permits, now))
        return self.commands


async def test_sequencer_is_called_every_scan_with_the_snapshot_permits_and_time() -> None:
    sequencer = Recording(Commands(drives_enable=True, trolley_speed_ref=TROLLEY_MPS))
    async with make_rig(shipped("generic-modbus"), sequencer=sequencer) as rig:
        views = [await rig.scan() for _ in range(5)]
        assert len(sequencer.calls) == 5
        for view, (snapshot, permits, now) in zip(views, sequencer.calls, strict=True):
            assert snapshot is view.snapshot
            assert permits is view.permits
            assert now == snapshot.time_s
        await rig.until(lambda v: rig.sim.plant.trolley.speed_mps > 0.1, within_s=3.0)


async def test_sequencer_proposals_override_the_operators() -> None:
    sequencer = Recording(Commands(drives_enable=True))
    async with make_rig(shipped("generic-modbus"), sequencer=sequencer) as rig:
        rig.supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=TROLLEY_MPS))
        await rig.run_for(2.0)
        assert written(rig, "trolley.speed_ref") == 0.0


async def test_sequencer_asking_to_unlock_a_suspended_load_is_refused() -> None:
    sim = CraneSimulator(hoist_m=LOW_HOIST_M)
    sim.faults.inject("force", signal="hoist.load", value=25.0)
    sequencer = Recording(Commands(drives_enable=True, unlock=True))
    async with make_rig(shipped("generic-opcua"), sim, sequencer=sequencer) as rig:
        view = await ready(rig)
        view = await rig.scan()
        assert set(refused(view)[Motion.UNLOCK]) == {"NOT_LANDED", "LOAD_ON_TWISTLOCKS"}
        assert view.commands.unlock is False
        assert written(rig, "spreader.unlock") is False


async def test_sequencer_asking_to_hoist_up_in_overload_is_refused_but_may_lower() -> None:
    sim = CraneSimulator(hoist_m=LOW_HOIST_M)
    sim.faults.inject("force", signal="hoist.load", value=50.0)
    sequencer = Recording(Commands(drives_enable=True, hoist_speed_ref=0.3))
    async with make_rig(shipped("modicon-m580-modbus"), sim, sequencer=sequencer) as rig:
        view = await ready(rig)
        view = await rig.run_for(1.0)
        assert "OVERLOAD" in refused(view)[Motion.HOIST_UP]
        assert written(rig, "hoist.speed_ref") == 0.0
        assert rig.sim.plant.hoist.position_m == LOW_HOIST_M
        sequencer.commands = Commands(drives_enable=True, hoist_speed_ref=-0.3)
        view = await rig.run_for(1.0)
        assert view.refusals == ()
        assert rig.sim.plant.hoist.position_m < LOW_HOIST_M - 0.05


# --- latches and the reset pulse -------------------------------------------------------------------


@shipped_profiles
async def test_estop_keeps_blocking_after_the_chain_closes_until_reset_and_the_plc_needs_it_too(
    name: str,
) -> None:
    async with make_rig(shipped(name)) as rig:
        await moving_trolley(rig)
        await fault_after_scan(rig, "estop")
        rig.sim.faults.clear("estop")
        view = await rig.run_for(1.0)
        estop = trip(view, "ESTOP")
        assert estop.latched
        assert estop.cause_gone
        assert "ESTOP" in refused(view)[Motion.TROLLEY_FWD]
        assert written(rig, "trolley.speed_ref") == 0.0
        assert rig.sim.plc.estop_latched  # the PLC holds its drives off as well
        assert not rig.sim.plc.ready("trolley")

        rig.supervisor.request_reset()
        pulses = []
        for _ in range(4):
            view = await rig.scan()
            pulses.append((view.commands.reset, written(rig, "plc.reset")))
        assert pulses == [(True, True), (False, False), (False, False), (False, False)]
        assert not rig.sim.plc.estop_latched
        await rig.until(lambda v: rig.sim.plant.trolley.speed_mps > 0.1, within_s=3.0)
        assert "ESTOP" not in trips(rig.supervisor.view)


async def test_reset_pulses_plc_reset_for_exactly_one_scan() -> None:
    async with make_rig(shipped("generic-modbus")) as rig:
        await ready(rig)
        rig.supervisor.request_reset()
        pulse = []
        for _ in range(5):
            await rig.scan()
            pulse.append(written(rig, "plc.reset"))
        assert pulse == [True, False, False, False, False]


async def test_reset_does_not_clear_a_latch_whose_cause_is_still_present() -> None:
    async with make_rig(shipped("generic-opcua")) as rig:
        await moving_trolley(rig)
        await fault_after_scan(rig, "estop")
        rig.supervisor.request_reset()
        view = await rig.run_for(1.0)
        assert not trip(view, "ESTOP").cause_gone
        assert rig.sim.plc.estop_latched  # the PLC ignores a reset with the chain open
        assert zero_references(rig)


async def test_overload_latch_blocks_hoisting_up_after_the_load_is_gone_until_reset() -> None:
    sim = CraneSimulator(hoist_m=LOW_HOIST_M)
    async with make_rig(shipped("generic-modbus"), sim) as rig:
        await ready(rig)
        rig.sim.faults.inject("force", signal="hoist.load", value=50.0)
        await rig.scan(2)
        rig.sim.faults.clear("force")
        rig.supervisor.propose(Commands(drives_enable=True, hoist_speed_ref=0.3))
        view = await rig.run_for(1.0)
        assert view.snapshot.number("hoist.load") == pytest.approx(0.0, abs=0.1)
        assert refused(view) == {Motion.HOIST_UP: ("OVERLOAD",)}
        assert rig.sim.plant.hoist.position_m == LOW_HOIST_M
        rig.supervisor.request_reset()
        view = await rig.scan()
        assert "OVERLOAD" not in trips(view)
        assert view.commands.hoist_speed_ref == 0.0  # held while the PLC takes its reset
        await rig.until(lambda v: v.commands.hoist_speed_ref == 0.3, within_s=0.5,
                        what="the reference once the PLC reports ready after its reset")  # fmt: skip
        await rig.run_for(1.0)
        assert rig.sim.plant.hoist.position_m > LOW_HOIST_M + 0.05


async def test_plc_watchdog_trip_after_a_link_freeze_blocks_until_reset() -> None:
    async with make_rig(shipped("generic-modbus")) as rig:
        await moving_trolley(rig)
        rig.sim.faults.inject("link_freeze")
        await rig.run_for(1.5)
        rig.sim.faults.clear("link_freeze")
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=1.0)
        rig.supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=TROLLEY_MPS))
        view = await rig.scan()
        assert "WATCHDOG_TRIP" in refused(view)[Motion.TROLLEY_FWD]
        assert zero_references(rig)
        rig.supervisor.request_reset()
        await rig.until(lambda v: rig.sim.plant.trolley.speed_mps > 0.1, within_s=3.0)
        assert not rig.sim.plc.watchdog_trip


# --- leaving the crane safe ---------------------------------------------------------------------


@shipped_profiles
async def test_shutdown_writes_zero_references_and_disables_the_drives(name: str) -> None:
    async with make_rig(shipped(name)) as rig:
        view = await moving_trolley(rig)
        await rig.supervisor.shutdown()
        assert zero_references(rig)
        assert written(rig, "drives.enable") is False
        assert written(rig, "sup.heartbeat") == view.heartbeat + 1
        rig.sim.run(3.0)
        assert rig.sim.plant.trolley.speed_mps == 0.0
        assert not rig.sim.plc.ready("trolley")


async def test_after_shutdown_the_plc_watchdog_trips_on_the_silent_heartbeat() -> None:
    async with make_rig(shipped("generic-opcua")) as rig:
        await moving_trolley(rig)
        await rig.supervisor.shutdown()
        rig.sim.run(rig.sim.plc.params.watchdog_s + 0.1)
        assert rig.sim.plc.watchdog_trip


async def test_shutdown_with_the_link_down_does_not_raise_nor_try_to_write() -> None:
    async with make_rig(shipped("generic-modbus")) as rig:
        await moving_trolley(rig)
        rig.sim.faults.inject("link_freeze")
        await until_link_down(rig)
        requests = rig.plc.requests
        await rig.supervisor.shutdown()
        assert rig.plc.requests == requests


async def test_shutdown_whose_write_is_not_answered_warns_and_does_not_raise(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with make_rig(shipped("generic-modbus")) as rig:
        await moving_trolley(rig)
        rig.sim.faults.inject("link_freeze")  # not yet noticed: the link still counts as up
        assert rig.link.health.state is LinkState.UP
        with caplog.at_level(logging.WARNING, logger="crane_ctrl.runtime.supervisor"):
            await rig.supervisor.shutdown()
        assert "could not leave the crane safe on shutdown" in caplog.text
        assert "the simulated PLC does not answer" in caplog.text


# --- real time ---------------------------------------------------------------------------------

RUN_S = 0.5
"""How long the real-time test runs the loop."""


async def test_run_scans_on_deadlines_in_real_time_and_shuts_down_on_stop() -> None:
    profile = shipped("generic-modbus")
    sim = CraneSimulator(hoist_m=TRAVEL_HEIGHT_M)
    clock = MonotonicClock()
    link = MemoryLink(profile, MemoryPlc(sim, profile), clock)
    supervisor = Supervisor(profile, link, clock)
    supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=TROLLEY_MPS))
    period = supervisor.settings.scan_period_s
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    async with link:
        started = loop.time()
        timer = loop.call_later(RUN_S, stop.set)
        try:
            async with asyncio.timeout(RUN_S + 2.0):
                await supervisor.run(stop)
        finally:
            timer.cancel()
        elapsed = loop.time() - started
    stats = supervisor.view.stats
    assert abs(stats.scans - elapsed / period) <= 2, (stats.scans, elapsed)
    assert stats.p50_scan_s > 0.0
    assert stats.p99_scan_s >= stats.p50_scan_s
    assert stats.last_scan_s > 0.0
    assert stats.p99_lateness_s >= 0.0
    assert supervisor.view.commands.drives_enable  # what the last scan wrote
    assert written_to(sim, "drives.enable") is False  # what shutdown wrote after it
    assert all(written_to(sim, name) == 0.0 for name in SPEEDS)
    assert written_to(sim, "sup.heartbeat") == stats.scans + 1


def written_to(sim: CraneSimulator, name: str) -> Value:
    return sim.plc.commands[name]

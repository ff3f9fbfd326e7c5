"""The station, the HMI's one interface, in lock-step: jobs, modes, jogs, bypass, profile swap."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crane_ctrl.bench.moves import bench_site
from crane_ctrl.errors import ProfileError, SessionRefused
from crane_ctrl.interlocks.evaluate import Motion
from crane_ctrl.links.base import Link
from crane_ctrl.links.memory import MemoryLink
from crane_ctrl.operation.jobs import JobRefused, JobState
from crane_ctrl.operation.machine import CommandRefused, Mode, PackCommand, PackState, Role
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.model import Profile
from crane_ctrl.runtime.station import StationView
from crane_ctrl.runtime.supervisor import SupervisorSettings
from crane_ctrl.site import Slot, container_length_m
from crane_ctrl.testing import StationRig
from simulators.memory import MemoryPlc
from simulators.site_file import StartPose, load_site, yard_model_of
from tests.profile_texts import PROFILES
from tests.unit.test_supervisor_lockstep import EventList

MODBUS = PROFILES / "generic-modbus.toml"


def refused_ids(view: StationView, motion: Motion) -> set[str]:
    return {i for r in view.supervisor.refusals if r.motion is motion for i in r.ids}


async def manual_rig(rig: StationRig, mode: Mode = Mode.MANUAL) -> None:
    user = rig.maintenance if mode is Mode.MAINTENANCE else rig.operator
    rig.station.set_mode(user, mode)
    rig.station.pack(user, PackCommand.RESET)
    await rig.until(lambda v: v.machine is PackState.IDLE, within_s=2, what="IDLE")


async def test_a_job_added_through_the_station_runs_to_done_and_is_journaled() -> None:
    journal = EventList()
    async with StationRig(MODBUS, journal=journal) as rig:
        job = rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.stack(7, 3, 1), 40)
        await rig.start_automatic()
        progress: list[float] = []

        def done(view: StationView) -> bool:
            if view.progress is not None:
                progress.append(view.progress)
            return bool(view.finished)

        view = await rig.until(done, within_s=400, what="job done")
    assert view.finished[0].id == job.id
    assert view.finished[0].state is JobState.DONE
    assert progress == sorted(progress)
    assert progress[-1] > 0.8
    assert any(b.id == "MSKU1234565" and b.slot == Slot.stack(7, 3, 1) for b in view.boxes)
    operator = [s for k, s, _ in journal.events if k == "operator"]
    assert f"add job {job.id}" in operator
    assert "reset" in operator
    assert "start" in operator
    assert any(k == "mode" and s == "execute" for k, s, _ in journal.events)


async def test_a_bad_job_is_refused_with_every_reason() -> None:
    async with StationRig(MODBUS) as rig:
        with pytest.raises(JobRefused) as caught:
            rig.station.add_job(rig.operator, Slot.truck("T9"), Slot.truck("T9"), 30)
    text = str(caught.value)
    assert "20, 40 or 45" in text
    assert "same slot" in text


async def test_manual_jog_moves_at_reduced_speed_and_stops_by_itself() -> None:
    async with StationRig(MODBUS) as rig:
        await manual_rig(rig)
        z0 = rig.sim.plant.hoist.position_m
        for _ in range(40):  # key repeat: two seconds of jog
            rig.station.jog(rig.operator, "hoist", +1)
            view = await rig.scan()
        assert view.jog == ("hoist", 1)
        rated = rig.station.params.hoist_speed_loaded_mps
        assert view.supervisor.commands.hoist_speed_ref == pytest.approx(0.25 * rated)
        assert rig.sim.plant.hoist.position_m > z0 + 0.1
        view = await rig.until(lambda v: v.supervisor.commands.hoist_speed_ref == 0.0,
                               within_s=1.0, what="dead-man stop")  # fmt: skip
        assert view.jog is None


async def test_a_jog_into_an_interlock_is_refused_with_its_reason() -> None:
    async with StationRig(MODBUS) as rig:
        await manual_rig(rig)
        rig.sim.faults.inject("person_in_lane")
        await rig.scan(3)
        rig.station.jog(rig.operator, "hoist", -1)
        view = await rig.scan()
        assert view.supervisor.commands.hoist_speed_ref == 0.0
        assert "LANE_NOT_CLEAR" in refused_ids(view, Motion.HOIST_DOWN)
        refusal = next(r for r in view.supervisor.refusals if r.motion is Motion.HOIST_DOWN)
        assert "lane" in str(refusal).lower()


async def test_jogging_needs_a_jog_mode_and_a_reset_machine() -> None:
    async with StationRig(MODBUS) as rig:
        with pytest.raises(CommandRefused, match="MANUAL or MAINTENANCE"):
            rig.station.jog(rig.operator, "hoist", 1)
        rig.station.set_mode(rig.operator, Mode.MANUAL)
        with pytest.raises(CommandRefused, match="reset first"):
            rig.station.jog(rig.operator, "hoist", 1)


async def test_mode_changes_only_when_nothing_runs_and_maintenance_needs_its_role() -> None:
    async with StationRig(MODBUS) as rig:
        with pytest.raises(CommandRefused, match="maintenance role"):
            rig.station.set_mode(rig.operator, Mode.MAINTENANCE)
        await rig.start_automatic()
        with pytest.raises(CommandRefused, match="not SUSPEND"):
            rig.station.set_mode(rig.operator, Mode.MANUAL)
        assert rig.view.mode is Mode.FULLAUTOMATIC


async def test_comms_loss_forgets_the_jog() -> None:
    async with StationRig(MODBUS) as rig:
        await manual_rig(rig)
        rig.station.jog(rig.operator, "hoist", +1)
        await rig.scan(2)
        rig.sim.faults.inject("link_freeze")
        view = await rig.until(lambda v: not v.supervisor.snapshot.comms_ok, within_s=3)
        assert view.jog is None
        assert view.supervisor.commands.hoist_speed_ref == 0.0


async def test_operator_is_refused_maintenance_actions_with_a_message() -> None:
    async with StationRig(MODBUS) as rig:
        with pytest.raises(CommandRefused, match="maintenance role"):
            rig.station.bypass(rig.operator, "LANE_NOT_CLEAR", 60, "sensor work")
        with pytest.raises(CommandRefused, match="maintenance role"):
            rig.station.set_out_of_service(rig.operator, "WIND_PREALARM", True)
        with pytest.raises(CommandRefused, match="maintenance role"):
            await rig.station.swap_profile(rig.operator, MODBUS)


async def test_a_bypass_lifts_one_interlock_at_maintenance_speed_until_it_expires() -> None:
    journal = EventList()
    async with StationRig(MODBUS, journal=journal) as rig:
        await manual_rig(rig, Mode.MAINTENANCE)
        rig.sim.faults.inject("person_in_lane")
        rig.station.bypass(rig.maintenance, "LANE_NOT_CLEAR", 3.0, "light curtain alignment")
        rig.station.jog(rig.maintenance, "hoist", -1)
        view = await rig.scan(2)
        rated = rig.station.params.hoist_speed_loaded_mps
        assert view.bypass is not None
        assert view.bypass.interlock_id == "LANE_NOT_CLEAR"
        assert view.supervisor.commands.hoist_speed_ref == pytest.approx(-0.10 * rated)
        trip = next(t for t in view.supervisor.permits.active if t.id == "LANE_NOT_CLEAR")
        assert trip.bypassed
        assert "BYPASSED" in trip.reason
        for _ in range(70):  # keep jogging past the bypass's end
            rig.station.jog(rig.maintenance, "hoist", -1)
            view = await rig.scan()
        assert view.bypass is None
        assert view.supervisor.commands.hoist_speed_ref == 0.0
        assert "LANE_NOT_CLEAR" in refused_ids(view, Motion.HOIST_DOWN)
    bypass = [v for k, s, v in journal.events if k == "operator" and s.startswith("bypass ")]
    assert [v["event"] for v in bypass if "event" in v] == ["granted", "expired"]


async def test_overload_and_safety_functions_are_never_bypassed() -> None:
    async with StationRig(MODBUS) as rig:
        await manual_rig(rig, Mode.MAINTENANCE)
        for interlock in ("OVERLOAD", "ESTOP", "COMMS_FAULT"):
            with pytest.raises(CommandRefused, match="cannot be bypassed"):
                rig.station.bypass(rig.maintenance, interlock, 60, "test")
        with pytest.raises(CommandRefused, match="cannot be bypassed"):
            rig.station.supervisor.set_bypass("OVERLOAD", 1e9)


async def test_a_bad_profile_swap_is_rejected_and_the_crane_keeps_its_profile(
    tmp_path: Path,
) -> None:
    journal = EventList()
    async with StationRig(MODBUS, journal=journal) as rig:
        old = rig.station.profile
        relinked: list[Profile] = []

        async def relink(profile: Profile, path: Path) -> Link:
            relinked.append(profile)
            plc = MemoryPlc(rig.sim, profile)
            link = MemoryLink(profile, plc, rig.lockstep.clock)
            await link.__aenter__()
            return link

        rig.station.relink = relink
        bad = tmp_path / "bad.toml"
        bad.write_text(MODBUS.read_text().replace('"hoist.position"', '"hoist.postion"'))
        with pytest.raises(ProfileError, match=r"hoist\.postion"):
            await rig.station.swap_profile(rig.maintenance, bad)
        view = await rig.scan(3)
        assert rig.station.profile is old
        assert not relinked
        assert view.supervisor.snapshot.comms_ok
        other = PROFILES / "modicon-m580-modbus.toml"
        await rig.swap_profile(rig.maintenance, other)
        view = await rig.until(lambda v: v.supervisor.snapshot.comms_ok, within_s=2)
        assert view.profile_name == load_profile(other).name
        assert view.profile_path == other
    profile_events = [v["event"] for k, _, v in journal.events if k == "profile"]
    assert profile_events == ["rejected", "swapped"]


def _copy(tmp_path: Path, name: str, *replacements: tuple[str, str]) -> Path:
    """generic-modbus under another name, with ``replacements`` made (each must be there)."""
    text = MODBUS.read_text(encoding="utf-8").replace('name = "generic-modbus"', f'name = "{name}"')
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


MOVED = ("address = 1 }", "address = 301 }")
"""plc.estop_ok moved past the end of the PLC's discrete inputs: an illegal address."""


async def test_a_probe_sets_the_new_profiles_readings_beside_the_old(tmp_path: Path) -> None:
    journal = EventList()
    async with StationRig(MODBUS, journal=journal) as rig:
        link = rig.station.supervisor.link
        report = await rig.station.probe_profile(rig.maintenance, _copy(tmp_path, "copy"))
        assert rig.station.supervisor.link is link  # the running link is not touched
        line = {ln.signal: ln for ln in report.lines}["gantry.position"]
        assert (line.old_quality, line.new_quality) == ("good", "good")
        assert line.new == pytest.approx(line.old)
        assert not line.differs
        assert not report.bad
        assert not report.differing
        assert len(report.lines) > 40
        with pytest.raises(CommandRefused, match="maintenance role"):
            await rig.station.probe_profile(rig.operator, MODBUS)
    assert journal.of("profile", "copy")[0]["event"] == "probed"
    assert [v["result"] for v in journal.of("operator", "probe profile")] == ["done", "refused"]


async def test_a_swap_whose_first_scans_go_bad_is_rolled_back(tmp_path: Path) -> None:
    """The finding: one address moved validates and swaps in, then its reads fail; now the
    probe shows it, and a swap of it is rolled back, journaled with the signals that went bad."""
    journal = EventList()
    async with StationRig(MODBUS, journal=journal) as rig:
        old, link = rig.station.profile, rig.station.supervisor.link
        unmapped = rig.view.supervisor.snapshot.not_good()
        moved = _copy(tmp_path, "moved", ('"plc.estop_ok"          = { table = "discrete_input", '
                                          + MOVED[0], '"plc.estop_ok"          = { table = '
                                          '"discrete_input", ' + MOVED[1]))  # fmt: skip
        report = await rig.station.probe_profile(rig.maintenance, moved)
        assert "plc.estop_ok" in report.bad
        assert "gantry.position" not in report.bad
        assert "exception 2" in {ln.signal: ln for ln in report.lines}["plc.estop_ok"].new_reason
        with pytest.raises(CommandRefused, match=r"rolled back to generic-modbus: .*plc\.estop_ok"):
            await rig.swap_profile(rig.maintenance, moved)
        assert rig.station.profile is old
        assert rig.station.supervisor.link is link
        assert rig.released == ["moved (memory)"]
        view = await rig.until(lambda v: v.supervisor.snapshot.comms_ok, within_s=1)
        assert view.supervisor.snapshot.not_good() == unmapped  # every mapped signal good again
        assert view.profile_name == "generic-modbus"
    rolled = journal.of("profile", "moved")
    assert [v["event"] for v in rolled] == ["probed", "rolled back"]
    assert "plc.estop_ok" in str(rolled[1]["reason"])
    assert "swapped" not in [v["event"] for k, _, v in journal.events if k == "profile"]


async def test_a_good_swap_is_kept_and_the_old_link_released(tmp_path: Path) -> None:
    async with StationRig(MODBUS) as rig:
        old_link = rig.station.supervisor.link
        profile = await rig.swap_profile(rig.maintenance, _copy(tmp_path, "copy"))
        assert rig.station.profile is profile
        assert profile.name == "copy"
        assert rig.released == [old_link.name]


async def test_failed_reads_count_as_link_failures(tmp_path: Path) -> None:
    """The Comms screen said `failures 0` while every read of a block failed."""
    async with StationRig(MODBUS) as rig:
        moved = load_profile(_copy(tmp_path, "moved", MOVED))
        async with MemoryLink(moved, rig.lockstep.plc, rig.lockstep.clock) as link:
            for _ in range(3):
                assert (await link.read()).ok
            assert link.health.failures == 3
            assert "exception 2" in link.health.last_error


async def test_a_profile_swap_waits_for_the_machine_to_stop() -> None:
    """Only STOPPED, as the footer says: not IDLE (one START from moving), not running."""
    async with StationRig(MODBUS) as rig:
        rig.station.pack(rig.operator, PackCommand.RESET)
        await rig.until(lambda v: v.machine is PackState.IDLE, within_s=2, what="IDLE")
        with pytest.raises(CommandRefused, match="only when the machine is STOPPED, not IDLE"):
            await rig.station.swap_profile(rig.maintenance, MODBUS)
        rig.station.pack(rig.operator, PackCommand.START)
        await rig.scan(2)
        with pytest.raises(CommandRefused, match=r"STOPPED, not (EXECUTE|SUSPENDED)"):
            await rig.station.swap_profile(rig.maintenance, MODBUS)


async def test_cancel_a_queued_job_but_not_a_running_one() -> None:
    async with StationRig(MODBUS) as rig:
        j1 = rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.stack(7, 3, 1), 40)
        j2 = rig.station.add_job(rig.operator, Slot.truck("T2"), Slot.stack(11, 1, 1), 20)
        await rig.start_automatic()
        await rig.until(lambda v: v.job is not None, within_s=2, what="a job runs")
        with pytest.raises(CommandRefused, match="running"):
            rig.station.cancel_job(rig.operator, j1.id)
        assert rig.station.cancel_job(rig.operator, j2.id).state is JobState.CANCELLED


async def test_a_low_gantry_jog_runs_where_the_path_is_clear_and_stops_short_of_a_stack() -> None:
    site = bench_site()
    yard = yard_model_of(site)
    column = yard.boxes["BMOU1100033"]  # the top of a three-high 40 ft column
    x_box, y_box = yard.centre(column)
    stack_x_min = x_box - container_length_m(40) / 2
    spreader_half = container_length_m(40) / 2
    start = StartPose(gantry_m=stack_x_min - spreader_half - 3.0, trolley_m=y_box, hoist_m=6.0)
    async with StationRig(MODBUS, site.model_copy(update={"start": start})) as rig:
        await manual_rig(rig)
        rig.station.jog(rig.operator, "gantry", +1)
        view = await rig.scan()
        assert view.supervisor.commands.gantry_speed_ref > 0.0  # clear ahead: it moves low

        def refused(v: StationView) -> bool:
            rig.station.jog(rig.operator, "gantry", +1)  # the operator keeps the key down
            return "BELOW_TRAVEL_HEIGHT" in refused_ids(v, Motion.GANTRY_FWD)

        await rig.until(refused, within_s=60, what="stopped short of the stack")
        await rig.scan(40)
    front = rig.sim.plant.gantry.position_m + spreader_half
    assert front < stack_x_min  # it never reached over the column
    assert rig.sim.model_faults == ()


_JOGS = st.lists(
    st.tuples(st.sampled_from(["gantry", "trolley", "hoist"]), st.sampled_from([-1, 1]),
              st.integers(min_value=1, max_value=120)),
    min_size=1, max_size=6,
)  # fmt: skip


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    jogs=_JOGS,
    x=st.floats(min_value=20.0, max_value=150.0),
    y=st.floats(min_value=2.0, max_value=28.0),
    z=st.floats(min_value=3.0, max_value=17.0),
)
async def test_no_jog_sequence_runs_into_the_yard_or_past_manual_speed(
    jogs: list[tuple[str, int, int]], x: float, y: float, z: float
) -> None:
    """Random jogs from random low poses in the benchmark yard: nothing is ever hit (the yard
    model matches the simulated yard) and no reference exceeds a quarter of rated speed."""
    site = bench_site()
    yard = yard_model_of(site)
    if any(o.x_min - 8 < x < o.x_max + 8 and o.y_min - 2 < y < o.y_max + 2 and o.top_m > z - 1
           for o in yard.obstacles()):  # fmt: skip
        return  # a start pose inside or against the yard is not a pose a crane can be in
    start = StartPose(gantry_m=x, trolley_m=y, hoist_m=z)
    params = site.crane
    limit = {"gantry": 0.25 * params.gantry_speed_loaded_mps,
             "trolley": 0.25 * params.trolley_speed_mps,
             "hoist": 0.25 * params.hoist_speed_loaded_mps}  # fmt: skip
    async with StationRig(MODBUS, site.model_copy(update={"start": start})) as rig:
        await manual_rig(rig)
        for axis, direction, scans in jogs:
            for _ in range(scans):
                rig.station.jog(rig.operator, axis, direction)
                view = await rig.scan()
                for name, top in limit.items():
                    assert abs(view.supervisor.commands.speed(name)) <= top + 1e-9
        await rig.scan(60)
    assert rig.sim.model_faults == ()


async def test_an_overload_trip_ends_any_bypass_and_hoisting_stays_blocked() -> None:
    journal = EventList()
    async with StationRig(MODBUS, journal=journal) as rig:
        await manual_rig(rig, Mode.MAINTENANCE)
        rig.station.bypass(rig.maintenance, "MIXED_LOCK", 600.0, "twistlock sensor swap")
        rig.sim.faults.inject("force", signal="hoist.load", value=48.0)
        view = await rig.scan(3)
        assert view.bypass is None
        assert not rig.station.supervisor.bypassed(rig.station.now)
        rig.station.jog(rig.maintenance, "hoist", +1)
        view = await rig.scan()
        assert view.supervisor.commands.hoist_speed_ref == 0.0
        assert "OVERLOAD" in refused_ids(view, Motion.HOIST_UP)
    revoked = [v for k, s, v in journal.events if k == "operator" and s == "bypass revoked"]
    assert "overload" in str(revoked[0]["reason"])


async def test_semiautomatic_hands_the_truck_landing_to_the_operator_who_jogs_and_confirms() -> (
    None
):
    journal = EventList()
    async with StationRig(MODBUS, mode=Mode.SEMIAUTOMATIC, journal=journal) as rig:
        rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.stack(7, 3, 1), 40)
        await rig.start_automatic()
        view = await rig.until(lambda v: v.awaiting_confirm is not None, within_s=200,
                               what="the hand-over over truck T1")  # fmt: skip
        assert "T1" in str(view.awaiting_confirm)
        await rig.scan(20)
        assert not view.supervisor.commands.moving  # it waits for the operator
        with pytest.raises(CommandRefused, match="landing not confirmed"):
            rig.station.confirm_landing(rig.operator)

        def landed(v: StationView) -> bool:
            rig.station.jog(rig.operator, "hoist", -1)  # key held down
            snapshot = v.supervisor.snapshot
            return all(snapshot.flag(f"spreader.landed_{c}", unsafe=False) for c in range(1, 5))

        await rig.until(landed, within_s=60, what="landed by the operator's jog")
        rig.station.stop_jog(rig.operator)
        await rig.scan(2)
        rig.station.confirm_landing(rig.operator)
        view = await rig.until(lambda v: bool(v.finished), within_s=400, what="job done")
    assert view.finished[0].state is JobState.DONE
    assert rig.sim.model_faults == ()
    assert "confirm landing" in [s for k, s, _ in journal.events if k == "operator"]


async def test_a_taken_landing_is_released_and_its_jog_stopped_when_the_holders_session_ends() -> (
    None
):
    journal = EventList()
    async with StationRig(MODBUS, mode=Mode.SEMIAUTOMATIC, journal=journal) as rig:
        rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.stack(7, 3, 1), 40)
        await rig.start_automatic()
        await rig.until(lambda v: v.awaiting_confirm is not None, within_s=200,
                        what="the hand-over over truck T1")  # fmt: skip
        kim = rig.station.sessions.issue("kim", Role.OPERATOR, client="ops:test")
        rig.station.take_landing(kim)
        rig.station.jog(kim, "hoist", -1)
        jogging = await rig.scan()
        rig.station.sessions.end(kim.session, client="ops:test", reason="connection closed")
        released = await rig.scan(2)  # seen after the scan that ended it: zero in the next
        with pytest.raises(SessionRefused):
            rig.station.jog(kim, "hoist", -1)
        rig.station.take_landing(rig.operator)  # the landing is free to take
    assert jogging.supervisor.commands.hoist_speed_ref < 0.0
    assert released.supervisor.commands.hoist_speed_ref == 0.0  # the jog stopped with it
    assert rig.station.landing_holder is not None
    assert rig.station.landing_holder.name == rig.operator.name
    ended = [(v["user"], v["reason"]) for k, s, v in journal.events if s == "landing released"]
    assert ended == [("kim", "the holder's session ended")]
    logouts = [v for k, s, v in journal.events if s == "logout"]
    assert [(v["user"], v["reason"]) for v in logouts] == [("kim", "connection closed")]


async def test_the_wind_stop_reaction_comes_from_the_crane_configuration() -> None:
    site = load_site()
    crane = site.crane.model_copy(update={"wind_stop_reaction": "raise_clear"})
    async with StationRig(MODBUS, site.model_copy(update={"crane": crane})) as rig:
        assert rig.station.automation.sequencer.crane.on_wind_stop == "raise_clear"
    async with StationRig(MODBUS) as rig:
        assert rig.station.automation.sequencer.crane.on_wind_stop == "secure"


def test_the_old_wind_stop_reaction_names_still_load() -> None:
    crane = load_site().crane
    assert crane.model_validate({"wind_stop_reaction": "set_down"}).wind_stop_reaction == "secure"
    old = crane.model_validate({"wind_stop_reaction": "hold"})
    assert old.wind_stop_reaction == "raise_clear"


async def test_with_no_job_the_crane_suspends_and_a_new_job_takes_it_back_to_execute() -> None:
    async with StationRig(MODBUS) as rig:
        await rig.start_automatic()
        view = await rig.until(lambda v: v.machine is PackState.SUSPENDED, within_s=1)
        assert view.machine_reason == "waiting for a job"
        with pytest.raises(CommandRefused, match="crane's own"):
            rig.station.pack(rig.operator, PackCommand.UNSUSPEND)
        rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.stack(7, 3, 1), 40)
        view = await rig.until(lambda v: v.job is not None, within_s=1, what="the job starts")
        assert view.machine is PackState.EXECUTE
        view = await rig.until(lambda v: bool(v.finished), within_s=400, what="job done")
        view = await rig.until(lambda v: v.machine is PackState.SUSPENDED, within_s=1)
    assert view.finished[0].state is JobState.DONE


async def test_the_station_journals_what_the_sway_sensor_teaches_of_the_rope() -> None:
    """The crane's ropes 0.5 m longer than its model: the first travel's swing shows it, and
    the maintenance engineer finds the correction in the journal."""
    journal = EventList()
    site = load_site()
    model = site.crane
    longer = model.model_copy(update={"suspension_height_m": model.suspension_height_m + 0.5})
    plant_site = site.model_copy(update={"crane": longer})
    settings = SupervisorSettings(crane=model)
    async with StationRig(MODBUS, plant_site, settings, journal=journal) as rig:
        rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.stack(7, 3, 1), 40)
        await rig.start_automatic()
        await rig.until(lambda v: bool(v.finished), within_s=400, what="job done")
    learnt = journal.of("system", "rope model empty")
    assert learnt
    assert learnt[0]["rope_offset_m"] == pytest.approx(0.5, abs=0.05)
    assert rig.station.automation.sequencer.rope.offset_m(False) == pytest.approx(0.5, abs=0.05)

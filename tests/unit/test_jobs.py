"""Jobs, the job queue, and the "why no automatic start" sentences."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pytest

from crane_ctrl.interlocks.evaluate import (
    CATALOGUE,
    NO_LATCHES,
    Latch,
    LatchState,
    Permits,
    evaluate,
)
from crane_ctrl.operation.jobs import (
    START_BLOCKING,
    Job,
    JobQueue,
    JobRefused,
    JobState,
    JobStep,
    StartCheck,
    check_start,
    start_blockers,
)
from crane_ctrl.operation.machine import CommandRefused, Mode, PackState
from crane_ctrl.operation.yard_model import Box, YardModel
from crane_ctrl.signals import Value
from crane_ctrl.site import SiteLayout, Slot
from crane_ctrl.snapshot import Quality, Snapshot
from tests.unit.test_interlocks import SETTINGS, snap

J = JobState
TRUCK = Slot.truck("T1")
BASE = Slot.stack(3, 2, 1)
ON_TOP = Slot.stack(3, 2, 2)
SITE = SiteLayout()


def refusals(queue: JobQueue, from_slot: Slot, to_slot: Slot, size_ft: int = 40,
             **kwargs: Any) -> list[str]:  # fmt: skip
    """The reasons ``add`` gives (empty when it queued the job)."""
    try:
        queue.add(from_slot, to_slot, size_ft, 5.0, **kwargs)
    except JobRefused as refused:
        return list(refused.reasons)
    return []


# --- the queue ----------------------------------------------------------------------------------


def test_added_job_is_queued_with_its_history_and_an_event() -> None:
    queue = JobQueue()
    job = queue.add(TRUCK, ON_TOP, 40, 5.0, declared_mass_t=28.5, container_id="MSCU1234565")
    assert (job.id, job.state, job.size_ft, job.declared_mass_t, job.container_id, job.created) == (
        "J1", J.QUEUED, 40, 28.5, "MSCU1234565", 5.0)  # fmt: skip
    assert job.history == (JobStep(5.0, J.QUEUED, "queued"),)
    assert str(job) == "job J1: 40-ft from truck lane T1 to stack bay 3 row 2 tier 2"
    assert queue.take_events() == [
        {"time": 5.0, "job": "J1", "from": None, "to": J.QUEUED, "reason": "queued"}
    ]


@pytest.mark.parametrize(
    ("from_slot", "to_slot", "size_ft", "kwargs", "reasons"),
    [
        (TRUCK, BASE, 30, {}, ["container size must be 20, 40 or 45 ft, not 30"]),
        (Slot.truck("T9"), BASE, 40, {},
         ["from: site 'border-gate ARMG' has no truck lane 'T9' (known: T1, T2)"]),
        (TRUCK, Slot.agv("A7"), 40, {}, ["to: site 'border-gate ARMG' has no agv lane 'A7' (known: A1)"]),
        (TRUCK, Slot.stack(20, 1), 40, {},
         ["to: stack bay 20 row 1 tier 1: a 40-ft container does not fit in the block"]),
        (TRUCK, Slot.stack(3, 2, 6), 40, {}, ["to: stack bay 3 row 2 tier 6: tier must be 1..5"]),
        (Slot("truck", lane="T1", tier=2), BASE, 40, {},
         ["from: truck lane T1: a vehicle carries one container (tier 1)"]),
        (BASE, BASE, 40, {}, ["from and to are the same slot (stack bay 3 row 2 tier 1)"]),
        (TRUCK, BASE, 40, {"declared_mass_t": 42.0},
         ["declared mass 42 t is above the safe working load 40 t"]),
        (TRUCK, BASE, 40, {"declared_mass_t": 0.0},
         ["declared mass must be a positive number of tonnes, not 0.0"]),
        (TRUCK, BASE, 40, {"declared_mass_t": math.nan},
         ["declared mass must be a positive number of tonnes, not nan"]),
        (TRUCK, BASE, 40, {"job_id": " "}, ["job id ' ' is empty"]),
        (Slot.truck("T9"), Slot.stack(3, 2, 9), 30, {"declared_mass_t": 50.0}, [
            "container size must be 20, 40 or 45 ft, not 30",
            "from: site 'border-gate ARMG' has no truck lane 'T9' (known: T1, T2)",
            "to: stack bay 3 row 2 tier 9: tier must be 1..5",
            "declared mass 50 t is above the safe working load 40 t",
        ]),
    ],
    ids=["size", "no-lane", "no-agv-lane", "off-block", "tier", "vehicle-tier", "same",
         "over-swl", "zero-mass", "nan-mass", "empty-id", "all-at-once"],
)  # fmt: skip
def test_add_refuses_an_invalid_job_with_every_reason(
    from_slot: Slot, to_slot: Slot, size_ft: int, kwargs: dict[str, Any], reasons: list[str]
) -> None:
    queue = JobQueue()
    assert refusals(queue, from_slot, to_slot, size_ft, **kwargs) == reasons
    assert queue.jobs() == ()
    assert queue.take_events() == []


def test_declared_mass_up_to_the_safe_working_load_is_accepted() -> None:
    assert refusals(JobQueue(), TRUCK, BASE, declared_mass_t=40.0) == []


def test_a_job_id_may_not_be_used_twice() -> None:
    queue = JobQueue()
    queue.add(TRUCK, BASE, 40, 1.0, job_id="TOS-17")
    assert refusals(queue, Slot.truck("T2"), ON_TOP, job_id="TOS-17") == [
        "job id 'TOS-17' is in use"
    ]


def test_automatic_ids_skip_ids_in_use() -> None:
    queue = JobQueue()
    queue.add(TRUCK, BASE, 40, 1.0, job_id="J2")
    assert queue.add(Slot.truck("T2"), Slot.stack(5, 1), 40, 1.0).id == "J1"
    assert queue.add(Slot.agv("A1"), Slot.stack(7, 1), 40, 1.0).id == "J3"


def test_no_two_queued_jobs_deliver_to_the_same_slot() -> None:
    queue = JobQueue()
    queue.add(TRUCK, BASE, 40, 1.0)
    assert refusals(queue, Slot.truck("T2"), BASE) == [
        "destination stack bay 3 row 2 tier 1 is already taken by job J1 (to stack bay 3 row 2 tier 1)"
    ]


def test_a_20_ft_destination_inside_a_queued_40_ft_destination_is_taken() -> None:
    queue = JobQueue()
    queue.add(TRUCK, BASE, 40, 1.0)
    assert refusals(queue, Slot.truck("T2"), Slot.stack(4, 2), 20) == [
        "destination stack bay 4 row 2 tier 1 is already taken by job J1 (to stack bay 3 row 2 tier 1)"
    ]
    assert refusals(queue, Slot.truck("T2"), Slot.stack(5, 2), 20) == []


def test_a_finished_jobs_destination_is_free_for_the_next_job() -> None:
    queue = JobQueue()
    queue.add(TRUCK, BASE, 40, 1.0)
    queue.cancel("J1", 2.0, "truck left")
    assert refusals(queue, Slot.truck("T2"), BASE) == []


def test_the_sequencer_moves_a_job_through_the_tic_states_to_done() -> None:
    queue = JobQueue()
    queue.add(TRUCK, BASE, 40, 1.0)
    path = [
        J.MOVING_TO_COLLECT,
        J.READY_TO_COLLECT,
        J.MOVING_TO_DELIVER,
        J.READY_TO_DELIVER,
        J.DONE,
    ]
    for t, state in enumerate(path, start=2):
        job = queue.advance("J1", state, float(t))
        assert queue.get("J1") is job
    assert [step.state for step in job.history] == [J.QUEUED, *path]
    assert job.final
    assert not job.active
    assert queue.finished() == (job,)
    assert queue.active() is None
    events = queue.take_events()
    assert [(e["from"], e["to"]) for e in events] == [
        (None, J.QUEUED), *zip([J.QUEUED, *path[:-1]], path, strict=True)]  # fmt: skip
    assert json.loads(json.dumps(events))[-1] == {
        "time": 6.0, "job": "J1", "from": "ready_to_deliver", "to": "done", "reason": ""}  # fmt: skip
    assert queue.take_events() == []


@pytest.mark.parametrize(
    ("start", "to", "message"),
    [
        (J.QUEUED, J.DONE, "job J1 cannot go from QUEUED to DONE (next: MOVING_TO_COLLECT, CANCELLED)"),
        (J.QUEUED, J.FAILED, "job J1 cannot go from QUEUED to FAILED (next: MOVING_TO_COLLECT, CANCELLED)"),
        (J.MOVING_TO_COLLECT, J.MOVING_TO_DELIVER,
         "job J1 cannot go from MOVING_TO_COLLECT to MOVING_TO_DELIVER "
         "(next: READY_TO_COLLECT, INTERRUPTED, FAILED, CANCELLED)"),
        (J.READY_TO_COLLECT, J.MOVING_TO_COLLECT,
         "job J1 cannot go from READY_TO_COLLECT to MOVING_TO_COLLECT "
         "(next: MOVING_TO_DELIVER, INTERRUPTED, FAILED, CANCELLED)"),
        (J.DONE, J.FAILED, "job J1 cannot go from DONE to FAILED (next: none)"),
    ],
)  # fmt: skip
def test_job_states_only_move_forward(start: JobState, to: JobState, message: str) -> None:
    job = Job("J1", TRUCK, BASE, 40, None, None, 0.0, state=start)
    with pytest.raises(JobRefused) as info:
        job.moved(to, 1.0, "why")
    assert str(info.value) == message


@pytest.mark.parametrize("end", [J.FAILED, J.CANCELLED])
def test_failing_or_cancelling_an_active_job_needs_a_reason(end: JobState) -> None:
    queue = JobQueue()
    queue.add(TRUCK, BASE, 40, 1.0)
    queue.advance("J1", J.MOVING_TO_COLLECT, 2.0)
    with pytest.raises(JobRefused, match=f"^job J1: {end.name} needs a reason$"):
        queue.advance("J1", end, 3.0)
    job = queue.advance("J1", end, 3.0, "twistlocks not confirmed locked within 3.0 s")
    assert (job.state, job.reason) == (end, "twistlocks not confirmed locked within 3.0 s")


def test_the_operator_cancels_a_queued_job() -> None:
    queue = JobQueue()
    queue.add(TRUCK, BASE, 40, 1.0)
    job = queue.cancel("J1", 2.0, "truck left the gate")
    assert (job.state, job.reason) == (J.CANCELLED, "truck left the gate")
    assert queue.next() is None


def test_an_active_job_is_cancelled_only_through_the_sequencer() -> None:
    queue = JobQueue()
    queue.add(TRUCK, BASE, 40, 1.0)
    queue.advance("J1", J.MOVING_TO_COLLECT, 2.0)
    with pytest.raises(JobRefused) as info:
        queue.cancel("J1", 3.0, "operator")
    assert str(info.value) == (
        "job J1 is MOVING_TO_COLLECT: an active job is cancelled through the sequencer, "
        "which makes the load safe first"
    )
    assert isinstance(info.value, CommandRefused)
    assert queue.advance("J1", J.CANCELLED, 4.0, "operator; spreader raised empty").final


def test_cancelling_an_unknown_or_finished_job_is_refused() -> None:
    queue = JobQueue()
    with pytest.raises(JobRefused, match=r"^no job 'J9'$"):
        queue.cancel("J9", 1.0, "why")
    queue.add(TRUCK, BASE, 40, 1.0)
    queue.cancel("J1", 2.0, "first")
    with pytest.raises(JobRefused, match=r"^job J1 cannot go from CANCELLED to CANCELLED"):
        queue.cancel("J1", 3.0, "again")


def test_next_is_the_oldest_queued_job_and_only_one_job_is_active() -> None:
    queue = JobQueue()
    first = queue.add(TRUCK, BASE, 40, 1.0)
    second = queue.add(Slot.truck("T2"), Slot.stack(5, 1), 40, 1.5)
    assert queue.next() is first
    queue.advance(first.id, J.MOVING_TO_COLLECT, 2.0)
    assert queue.next() is second
    assert queue.active() is queue.get(first.id)
    with pytest.raises(JobRefused, match=r"^cannot start job J2: job J1 is MOVING_TO_COLLECT$"):
        queue.advance(second.id, J.MOVING_TO_COLLECT, 3.0)
    assert queue.queued() == (second,)


def test_only_the_newest_finished_jobs_are_kept() -> None:
    queue = JobQueue(keep_finished=2)
    for bay in (1, 5, 9):
        job = queue.add(TRUCK, Slot.stack(bay, 1), 40, float(bay))
        queue.cancel(job.id, float(bay), "test")
    assert [j.id for j in queue.finished()] == ["J2", "J3"]
    assert [j.id for j in queue.jobs()] == ["J2", "J3"]


# --- why no automatic start ---------------------------------------------------------------------


def yard(*boxes: Box, vehicles: tuple[Slot, ...] = ()) -> YardModel:
    return YardModel(SITE, boxes, vehicles)


BOX_ON_TRUCK = Box("MSCU1234565", 40, TRUCK)
BOX_IN_STACK = Box("TGHU7654321", 40, BASE)
READY_YARD = yard(BOX_ON_TRUCK, BOX_IN_STACK)
JOB = Job("J1", TRUCK, ON_TOP, 40, 28.5, "MSCU1234565", 0.0)
"""Truck T1 to stack bay 3 row 2 tier 2, on top of a 40-ft box."""


def permits_of(snapshot: Snapshot, latched: LatchState = NO_LATCHES) -> Permits:
    return evaluate(snapshot, SETTINGS, latched)


def check(
    job: Job = JOB,
    changes: Mapping[str, Value | Quality] | None = None,
    *,
    comms_ok: bool = True,
    mode: Mode = Mode.FULLAUTOMATIC,
    machine_state: PackState = PackState.EXECUTE,
    spreader_size_ft: int | None = 40,
    carrying: bool = False,
    yard_model: YardModel = READY_YARD,
    permits: Permits | None = None,
) -> StartCheck:
    snapshot = snap(changes, comms_ok=comms_ok)
    return check_start(
        job, mode=mode, machine_state=machine_state, snapshot=snapshot,
        permits=permits or permits_of(snapshot), spreader_size_ft=spreader_size_ft,
        carrying=carrying, yard=yard_model,
    )  # fmt: skip


def test_a_ready_crane_may_start_the_job() -> None:
    assert check() == StartCheck((), ())
    assert check().ok


@pytest.mark.parametrize("state", [PackState.IDLE, PackState.EXECUTE, PackState.SUSPENDED])
def test_a_job_starts_from_idle_execute_or_suspended(state: PackState) -> None:
    assert check(machine_state=state).blockers == ()


@pytest.mark.parametrize(
    ("kwargs", "blockers"),
    [
        ({"mode": Mode.MANUAL},
         ["mode is MANUAL: automatic moves need SEMIAUTOMATIC or FULLAUTOMATIC"]),
        ({"mode": Mode.MAINTENANCE},
         ["mode is MAINTENANCE: automatic moves need SEMIAUTOMATIC or FULLAUTOMATIC"]),
        ({"machine_state": PackState.HELD},
         ["machine is HELD: a move starts in IDLE, EXECUTE or SUSPENDED; UNHOLD first"]),
        ({"machine_state": PackState.STOPPED},
         ["machine is STOPPED: a move starts in IDLE, EXECUTE or SUSPENDED; RESET first"]),
        ({"machine_state": PackState.ABORTED},
         ["machine is ABORTED: a move starts in IDLE, EXECUTE or SUSPENDED; CLEAR first"]),
        ({"machine_state": PackState.HOLDING},
         ["machine is HOLDING: a move starts in IDLE, EXECUTE or SUSPENDED; wait until it is HELD"]),
        ({"changes": {"env.wind": 21.0}}, ["WIND_STOP: wind 21.0 m/s >= stop limit 20.0 m/s"]),
        ({"changes": {"env.wind": 26.0}}, ["WIND_STORM: wind 26.0 m/s >= storm limit 25.0 m/s",
                                           "WIND_STOP: wind 26.0 m/s >= stop limit 20.0 m/s"]),
        ({"changes": {"env.wind": Quality.STALE}},
         ["WIND_STORM: env.wind is stale", "WIND_STOP: env.wind is stale"]),
        ({"changes": {"plc.estop_ok": False}}, ["ESTOP: emergency-stop chain open"]),
        ({"comms_ok": False}, ["COMMS_FAULT: comms fault: link down"]),
        ({"comms_ok": False, "changes": {"plc.estop_ok": Quality.STALE, "env.wind": Quality.BAD}},
         ["COMMS_FAULT: comms fault: link down"]),
        ({"changes": {"plc.remote": False}}, ["NOT_REMOTE: PLC not in remote mode"]),
        ({"changes": {"plc.watchdog_trip": True}}, ["WATCHDOG_TRIP: PLC watchdog tripped"]),
        ({"changes": {"trolley.fault": True}}, ["DRIVE_FAULT: trolley drive fault"]),
        ({"changes": {"lane.clear": False}},
         ["LANE_NOT_CLEAR: person in the lane or light curtain broken"]),
        ({"changes": {"lane.truck_lifted": True}},
         ["TRUCK_LIFTED: truck lifted with the container"]),
        ({"changes": {"gantry.storm_pins_up": False}}, ["STORM_PINS_DOWN: storm pins down"]),
        ({"changes": {"hoist.load": 45.0}}, ["OVERLOAD: load 45.00 t > overload trip 44.00 t"]),
        ({"changes": {"spreader.locked_1": True}},
         ["MIXED_LOCK: twistlocks neither all locked nor all unlocked: "
          "corner 1 both locked and unlocked, 2 unlocked, 3 unlocked, 4 unlocked"]),
        ({"carrying": True},
         ["a container hangs on the spreader: a move starts with it empty"]),
        ({"spreader_size_ft": None}, ["spreader size unknown: spreader.size is not good"]),
        ({"spreader_size_ft": 0}, ["spreader is telescoping: wait until it reports its size"]),
        ({"spreader_size_ft": 20, "carrying": True},
         ["a container hangs on the spreader: a move starts with it empty",
          "spreader is 20 ft, job needs 40 ft and it cannot telescope: a container hangs on it"]),
        ({"spreader_size_ft": 20, "changes": {"spreader.landed_1": True}},
         ["spreader is 20 ft, job needs 40 ft and it cannot telescope: "
          "TELESCOPE_NOT_FREE: corner 1 landing pin pressed"]),
        ({"job": Job("J1", TRUCK, ON_TOP, 40, None, None, 0.0, state=J.MOVING_TO_COLLECT)},
         ["job J1 is MOVING_TO_COLLECT: only a queued job can start"]),
    ],
    ids=lambda v: str(v)[:40] if isinstance(v, dict) else "",
)  # fmt: skip
def test_each_blocker_is_a_sentence_the_operator_understands(
    kwargs: dict[str, Any], blockers: list[str]
) -> None:
    assert list(check(**kwargs).blockers) == blockers


def test_a_latched_trip_whose_cause_is_gone_still_blocks_and_says_reset() -> None:
    latched = LatchState(MappingProxyType({"ESTOP": Latch(90.0, "emergency-stop chain open")}))
    permits = permits_of(snap(), latched)
    assert list(check(permits=permits).blockers) == [
        "ESTOP: emergency-stop chain open (latched; cause gone, reset to clear)"
    ]


def test_comms_fault_in_the_snapshot_blocks_even_if_the_permits_missed_it() -> None:
    assert list(check(comms_ok=False, permits=permits_of(snap())).blockers) == [
        "COMMS_FAULT: comms fault: link down"
    ]


def test_trips_that_belong_to_the_move_itself_do_not_block_a_start() -> None:
    # Spreader low and landed with slack ropes, gantry at its forward limit: the move hoists
    # first and the planner moves away from the limit.
    changes: dict[str, Value | Quality] = {
        "hoist.position": 3.0, "hoist.slack_rope": True, "gantry.limit_fwd_ok": False,
        **{f"spreader.landed_{c}": True for c in (1, 2, 3, 4)},
    }  # fmt: skip
    result = check(changes=changes)
    assert {t.id for t in permits_of(snap(changes)).active} >= {
        "SLACK_ROPE", "BELOW_TRAVEL_HEIGHT", "LIMIT_GANTRY_FWD", "TELESCOPE_NOT_FREE"}  # fmt: skip
    assert result.blockers == ()


def test_every_interlock_is_either_a_start_blocker_or_part_of_a_move() -> None:
    part_of_a_move = {"SLACK_ROPE", "NOT_LANDED", "LOAD_ON_TWISTLOCKS", "TELESCOPE_NOT_FREE",
                      "BELOW_TRAVEL_HEIGHT"}  # fmt: skip
    ids = {i.id for i in CATALOGUE}
    assert ids >= START_BLOCKING
    limits = {i for i in ids if i.startswith("LIMIT_")}
    assert ids - START_BLOCKING == part_of_a_move | limits


def test_a_spreader_of_the_wrong_size_telescopes_first_when_it_can() -> None:
    result = check(spreader_size_ft=20)
    assert result.blockers == ()
    assert result.notes == ("spreader is 20 ft, job needs 40 ft: telescoping first",)


def test_semiautomatic_notes_that_the_operator_lands_at_the_truck() -> None:
    result = check(mode=Mode.SEMIAUTOMATIC)
    assert result.blockers == ()
    assert result.notes == ("the remote operator jogs and confirms the landing at truck lane T1",)


@pytest.mark.parametrize(
    ("job", "yard_model", "blockers"),
    [
        (JOB, yard(BOX_IN_STACK, vehicles=(TRUCK,)),
         ["source truck lane T1 is empty: no container to collect"]),
        (JOB, yard(BOX_IN_STACK),
         ["no vehicle ready in truck lane T1", "source truck lane T1 is empty: no container to collect"]),
        (JOB, yard(Box("MSCU1234565", 20, TRUCK), BOX_IN_STACK),
         ["source truck lane T1 holds a 20-ft container, the job says 40 ft"]),
        (JOB, yard(Box("OOLU0000001", 40, TRUCK), BOX_IN_STACK),
         ["source truck lane T1 holds container OOLU0000001, the job says MSCU1234565"]),
        (JOB, yard(BOX_ON_TRUCK, BOX_IN_STACK, Box("X", 40, ON_TOP)),
         ["destination stack bay 3 row 2 tier 2 is occupied (container X)"]),
        (JOB, yard(BOX_ON_TRUCK, BOX_IN_STACK, Box("X", 20, Slot.stack(4, 2, 2))),
         ["destination stack bay 3 row 2 tier 2 is occupied by stack bay 4 row 2 tier 2 (container X)"]),
        (JOB, yard(BOX_ON_TRUCK),
         ["destination stack bay 3 row 2 tier 2: nothing to stack on (tier 1 under it is empty)"]),
        (JOB, yard(BOX_ON_TRUCK, Box("A", 20, Slot.stack(3, 2, 1))),
         ["destination stack bay 3 row 2 tier 2: a 40-ft container cannot stand on the single 20-ft "
          "container A at stack bay 3 row 2 tier 1: it would rest on air at one end"]),
        (JOB, yard(BOX_ON_TRUCK, Box("A", 20, Slot.stack(3, 2, 1)), Box("B", 20, Slot.stack(4, 2, 1))),
         ["destination stack bay 3 row 2 tier 2: a 40-ft container would rest on 2 containers (A at "
          "stack bay 3 row 2 tier 1, B at stack bay 4 row 2 tier 1): a container stands on one "
          "container of its own size, centred under it"]),
        (JOB, yard(BOX_ON_TRUCK, Box("A", 45, Slot.stack(1, 2, 1))),
         ["destination stack bay 3 row 2 tier 2: nothing to stack on (tier 1 under it is empty)"]),
        (Job("J4", TRUCK, Slot.stack(3, 2, 1), 20, None, None, 0.0),
         yard(Box("T", 20, TRUCK), Box("A", 45, Slot.stack(1, 2, 1))),
         ["destination stack bay 3 row 2 tier 1 is occupied by stack bay 1 row 2 tier 1 (container A)"]),
        (Job("J2", BASE, Slot.agv("A1"), 40, None, None, 0.0), yard(BOX_IN_STACK, Box("Y", 20, Slot.stack(4, 2, 2))),
         ["no vehicle ready in agv lane A1", "container Y at stack bay 4 row 2 tier 2 sits on the source: move it first"]),
        (Job("J2", BASE, Slot.agv("A1"), 40, None, None, 0.0), yard(BOX_IN_STACK, vehicles=(Slot.agv("A1"),)), []),
        (Job("J3", BASE, Slot.stack(4, 2, 1), 40, None, None, 0.0), yard(BOX_IN_STACK), []),
    ],
    ids=["source-empty", "no-truck", "source-size", "container-id", "occupied", "overlapped",
         "no-support", "half-support", "on-two-20s", "beside-a-45", "under-a-45s-overhang",
         "covered-source", "to-agv", "shift-within-own-footprint"],
)  # fmt: skip
def test_the_yard_must_allow_the_move(job: Job, yard_model: YardModel, blockers: list[str]) -> None:
    assert list(check(job, yard_model=yard_model).blockers) == blockers


def test_blockers_come_in_the_order_an_operator_fixes_them() -> None:
    result = check(
        changes={"plc.estop_ok": False}, mode=Mode.MANUAL, machine_state=PackState.ABORTED,
        carrying=True, yard_model=yard(BOX_IN_STACK, Box("X", 40, ON_TOP)),
    )  # fmt: skip
    assert list(result.blockers) == [
        "mode is MANUAL: automatic moves need SEMIAUTOMATIC or FULLAUTOMATIC",
        "machine is ABORTED: a move starts in IDLE, EXECUTE or SUSPENDED; CLEAR first",
        "ESTOP: emergency-stop chain open",
        "a container hangs on the spreader: a move starts with it empty",
        "no vehicle ready in truck lane T1",
        "source truck lane T1 is empty: no container to collect",
        "destination stack bay 3 row 2 tier 2 is occupied (container X)",
    ]


def test_start_blockers_is_the_list_of_check_start_blockers() -> None:
    snapshot = snap({"env.wind": 21.0})
    kwargs: dict[str, Any] = {
        "mode": Mode.MANUAL, "machine_state": PackState.EXECUTE, "snapshot": snapshot,
        "permits": permits_of(snapshot), "spreader_size_ft": 40, "carrying": False,
        "yard": READY_YARD,
    }  # fmt: skip
    assert start_blockers(JOB, **kwargs) == list(check_start(JOB, **kwargs).blockers)
    assert len(start_blockers(JOB, **kwargs)) == 2

"""Hostile variations of the AC500 job's lock request over real sockets (tests/hostile/ac500.py).

Each runs the mixed-slots job (20-ft box, truck T2 -> A20-3) with the AC500 personality and the
AC500 profile (sway sensor at 0.01 degree: see finding F2 in test_ac500_job.py).
"""

from __future__ import annotations

from pathlib import Path

from crane_ctrl.sequencer.automatic_move import Outcome
from crane_ctrl.sequencer.model import Step
from crane_ctrl.site import parse_slot
from simulators.raw_places import RawForce
from tests.hostile.ac500 import Job, fine_sway_profile, run_job


def _lock_requested(job: Job) -> bool:
    return bool(job.journal.plc("spreader.lock", "requested"))


async def test_stop_in_the_middle_of_the_lock_request_then_start_finishes_the_job(
    tmp_path: Path,
) -> None:
    """The machine's STOP (what it does to the move: ``Sequencer.interrupt``) one scan after the
    lock request: the request is withdrawn; this PLC runs a started turn to its end (its manual),
    so the twistlocks end up locked; START (``resume``) goes on from there with no second lock."""
    seen: dict[str, int] = {}

    def hook(job: Job) -> None:
        if "stop" not in seen and _lock_requested(job):
            job.sequencer.interrupt(job.clock.now(), "STOP")
            seen["stop"] = job.scans
        elif "stop" in seen and "start" not in seen and job.scans - seen["stop"] == 100:
            assert job.sim.plant.spreader.all_locked()
            assert job.sequencer.resume(job.clock.now()) == []
            seen["start"] = job.scans

    job = await run_job(profile=fine_sway_profile(tmp_path), on_scan=hook)
    assert job.journal.plc("spreader.lock", "withdrawn")
    assert len(job.journal.plc("spreader.lock", "requested")) == 1
    assert job.sequencer.outcome is not None
    assert job.sequencer.outcome[1] is Outcome.DONE, job.sequencer.outcome
    assert job.sim.plant.yard.containers["TGHU7654321"].location == parse_slot("stack:A20-3:1")
    assert job.sim.model_faults == ()


def _unseat_corner_1_for_the_plc(job: Job) -> None:
    run = job.sequencer.run
    if run is not None and run.step is Step.LOCK and 1 not in job.sim.plant.spreader.stuck_pins:
        job.sim.plant.spreader.stuck_pins[1] = False
        job.sim.link_faults.raw["spreader.landed_1"] = RawForce("spreader.landed_1", True)


async def test_the_plc_refusing_the_lock_gives_the_pick_up_up_with_its_reason(
    tmp_path: Path,
) -> None:
    job = await run_job(profile=fine_sway_profile(tmp_path), on_scan=_unseat_corner_1_for_the_plc)
    refused = job.journal.plc("spreader.lock", "refused")
    assert [r["detail"] for r in refused] == ["3 (spreader not seated)"]
    assert len(job.journal.plc("spreader.lock", "requested")) == 1
    assert job.sequencer.outcome is not None
    assert job.sequencer.outcome[1] is Outcome.FAILED
    assert "spreader not seated" in job.sequencer.outcome[2]
    assert job.sim.plant.spreader.all_free()
    assert job.sim.model_faults == ()


def _answer_word_dead(job: Job) -> None:
    for point in ("Lock.Ack", "Lock.Done", "Lock.Refused"):
        job.sim.link_faults.raw[point] = RawForce(point, False)


async def test_an_unanswered_lock_times_out_and_leaves_the_box_on_the_truck(
    tmp_path: Path,
) -> None:
    """The lock's answer bits never come (the PLC locks all the same: its answer word is
    broken): the request times out after its 1 s, the job fails, the spreader is unlocked
    again and the box stays on the truck."""
    job = await run_job(profile=fine_sway_profile(tmp_path), on_scan=_answer_word_dead)
    assert [e["detail"] for e in job.journal.plc("spreader.lock", "timed out")] == [
        "the PLC did not take it over within 1 s"
    ]
    assert job.sequencer.outcome is not None
    assert job.sequencer.outcome[1] is Outcome.FAILED
    assert (
        "the twistlocks turned all the same" in job.sequencer.outcome[2]
    )  # F6: not "not locked" alone
    assert "check spreader.lock's ack" in job.sequencer.outcome[2]
    assert job.sim.plant.yard.containers["TGHU7654321"].location == parse_slot("truck:T2")
    assert job.sim.plant.spreader.all_free()
    assert job.sim.model_faults == ()


async def test_an_answer_left_on_from_the_last_request_does_not_fail_the_new_one(
    tmp_path: Path,
) -> None:
    released: dict[str, int] = {}

    def stale_done(job: Job) -> None:
        if not _lock_requested(job):
            job.sim.link_faults.raw["Lock.Done"] = RawForce("Lock.Done", True)
        elif "at" not in released:  # the new request's edge reaches the PLC this cycle
            released["at"] = job.scans
            job.sim.link_faults.raw.pop("Lock.Done", None)

    job = await run_job(profile=fine_sway_profile(tmp_path), on_scan=stale_done)
    assert job.journal.plc("spreader.lock", "taken over"), job.journal.plc(
        "spreader.lock", "timed out"
    )
    assert job.sequencer.outcome is not None
    assert job.sequencer.outcome[1] is Outcome.DONE, job.sequencer.outcome


async def test_the_link_dropped_while_the_lock_is_pending_and_restored(tmp_path: Path) -> None:
    """Every client connection closed one scan after the lock request; the link reconnects
    (real-time backoff: the harness yields 5 ms a scan) and the job finishes, one lock only."""
    seen: dict[str, int] = {}

    def drop(job: Job) -> None:
        if "drop" not in seen and _lock_requested(job):
            job.sim.faults.inject("link_drop")
            seen["drop"] = job.scans

    job = await run_job(profile=fine_sway_profile(tmp_path), on_scan=drop, yield_s=0.005)
    assert "drop" in seen
    assert len(job.journal.plc("spreader.lock", "requested")) == 1
    assert job.sequencer.outcome is not None
    assert job.sequencer.outcome[1] is Outcome.DONE, job.sequencer.outcome
    assert job.sim.model_faults == ()

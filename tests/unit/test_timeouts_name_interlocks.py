"""A sequencer time-out whose request the interlocks kept from the PLC names them, in lock-step.

The telescope, the lock and the unlock are requests the interlock filter drops while an
interlock blocks them: nothing reaches the PLC, and the step times out. The job's failure (the
outcome, and so the journal's sequencer events) says which interlocks blocked it and why, not
only that it timed out. A telescope the interlocks block also stops the crane in time to be at
rest by its deadline, and fails there.
"""

from __future__ import annotations

from pathlib import Path

from crane_ctrl.sequencer.automatic_move import Outcome, Step
from crane_ctrl.sequencer.machine import with_blocks
from crane_ctrl.site import Slot
from simulators.site_file import DEFAULT_SITE, load_site
from tests.unit.sequencer_rig import JobRig

BOX_20 = "TGHU7654321"
"""The 20-ft box on truck T2: the 40-ft spreader telescopes before it picks it up."""
TELESCOPE_LIMIT_S = 5.0


def journal_outcome(job: JobRig) -> str:
    (event,) = [v for k, _, v in job.journal.events if k == "sequencer" and "outcome" in v]
    return str(event["reason"])


async def test_a_telescope_the_interlocks_block_fails_at_its_deadline_naming_them(
    tmp_path: Path,
) -> None:
    """A twistlock sensor that never reads unlocked: TELESCOPE_NOT_FREE all along, so no
    telescope request is ever sent. (The crane starts above its travel height, where the leg
    needs no rise: MIXED_LOCK blocks hoisting up.)"""
    path = tmp_path / "site.toml"
    text = DEFAULT_SITE.read_text(encoding="utf-8").replace("hoist_m = 15.0", "hoist_m = 17.95")
    path.write_text(f"[crane]\ntelescope_timeout_s = {TELESCOPE_LIMIT_S}\n{text}", "utf-8")
    async with JobRig(site=load_site(path)) as job:
        job.inject("force", signal="spreader.unlocked_2", value=False)
        await job.scan(2)
        started = job.rig.clock.now()
        job.start(BOX_20, Slot.stack(9, 1, 2))
        outcome, reason = await job.until_finished(within_s=2 * TELESCOPE_LIMIT_S)
        took_s = job.rig.clock.now() - started
    assert outcome is Outcome.FAILED
    assert reason.startswith("spreader did not telescope to 20 ft (blocked by TELESCOPE_NOT_FREE: ")
    assert "corner 2 twistlock not unlocked)" in reason, reason
    assert journal_outcome(job) == reason
    assert TELESCOPE_LIMIT_S - 0.5 < took_s < TELESCOPE_LIMIT_S + 0.5, took_s
    assert job.at_rest(), "failed with the crane stopped"
    assert job.sim.plant.spreader.size_ft == 40
    assert job.sim.model_faults == ()


async def test_a_lock_the_interlocks_block_times_out_naming_them() -> None:
    """Landed, then a landing pin reads released: NOT_LANDED keeps the lock from the PLC."""
    async with JobRig() as job:
        job.start()
        await job.until_step(Step.LOCK, within_s=120)
        job.inject("force", signal="spreader.landed_3", value=False)
        outcome, reason = await job.until_finished(within_s=30)
    assert outcome is Outcome.FAILED
    assert reason.startswith("twistlocks not locked within 3 s (blocked by NOT_LANDED: "), reason
    assert journal_outcome(job) == reason
    assert job.twistlocks() == (0.0, 0.0, 0.0, 0.0), "no twistlock turned"
    assert job.sim.model_faults == ()


async def test_an_unlock_the_interlocks_block_times_out_naming_them() -> None:
    async with JobRig() as job:
        job.start()
        await job.until_step(Step.UNLOCK, delivering=True, within_s=300)
        job.inject("force", signal="spreader.landed_1", value=False)
        outcome, reason = await job.until_finished(within_s=30)
    assert outcome is Outcome.FAILED
    assert reason.startswith("twistlocks not unlocked (blocked by NOT_LANDED: "), reason
    assert reason.endswith("): load left landed, spreader stays for the maintenance crew")
    assert job.sim.model_faults == ()


def test_a_time_out_nothing_blocked_reads_as_before() -> None:
    assert with_blocks("spreader did not telescope to 20 ft", "") == (
        "spreader did not telescope to 20 ft"
    )
    assert with_blocks("twistlocks not locked within 3 s", "blocked by X: y") == (
        "twistlocks not locked within 3 s (blocked by X: y)"
    )

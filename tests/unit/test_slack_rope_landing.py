"""A landing whose hoist ran on past touchdown: slack ropes, taken up (hostile14 finding 15).

Bench case 1046740: the empty spreader came down onto its box when the link froze; the PLC
kept lowering until its own watchdog ramped the hoist down, and the drum paid out 0.2 m past
touchdown. The spreader stood on the box with its ropes slack, the hoist's reading (the drum's)
0.2 m below the box's top, so the landing judged "landed at 3.78 m, expected 3.99 m: check the
slot" at every resume, for good. Slack ropes mean the spreader rests higher than the drum reads:
the landing now takes the slack up at creep speed (pulling slack ropes lifts nothing) and then
judges the height where the ropes are taut. Should the spreader lift off all the same (a
slack-rope switch stuck on), the landing holds: the height it read was true.

The case's job (the 20-ft box on truck T2 -> stack 9:1 tier 2) in lock-step on the generic OPC UA
profile, as the bench runs it.
"""

from __future__ import annotations

from crane_ctrl.sequencer.automatic_move import Outcome, Step
from crane_ctrl.sequencer.landing import SLACK_M
from crane_ctrl.site import Slot
from simulators.site_file import load_site
from tests.unit.sequencer_rig import JobRig

BOX = "TGHU7654321"
"""The 20-ft box on truck T2."""
TOLERANCE_M = SLACK_M
"""How far from its landing height the hoist may read once the slack is taken up (rope
stretch, the creep's last scan)."""


def _job() -> JobRig:
    """The border gate, the spreader already a 20-footer (as in the case, where it had landed
    on that box once before): it comes down at speed and lands on the box."""
    site = load_site()
    start = site.start.model_copy(update={"spreader_ft": 20})
    return JobRig("generic-opcua", site=site.model_copy(update={"start": start}))


async def _slack_after_a_freeze(job: JobRig) -> float:
    """The empty spreader coming down onto the box on T2 at speed, a link freeze until the PLC
    has stopped the hoist past touchdown: the landing height, with the ropes slack and the drum
    below it."""
    job.start(BOX, Slot.stack(9, 1, 2))
    await job.until_step(Step.LOWER, delivering=False)
    run = job.sequencer.run
    assert run is not None
    landing = run.landing_height_m(job.yard)
    plant = job.sim.plant

    def fast_and_near() -> bool:  # (the spreader its size: it lands on the box, not beside)
        near = job.hoist_m() < landing + 1.6 and plant.hoist.speed_mps < -0.5
        return near and plant.spreader.size_ft == 20

    await job.until(fast_and_near, within_s=30, what="coming down fast near the box")
    job.inject("link_freeze")
    await job.until(job.at_rest, within_s=10, what="the PLC stopped the hoist")
    assert plant.spreader.landed_sensed() == (True,) * 4, job.where
    assert job.hoist_m() < landing - 0.1, f"the drum did not run on past the box: {job.where}"
    job.clear("link_freeze")
    await job.until_held()
    # the operator resets what the freeze tripped (the PLC's watchdog, the encoder's jump)
    await job.reset_until_clear("WATCHDOG_TRIP", "SIGNAL_QUALITY", "COMMS")
    await job.until(lambda: not job.sequencer.resume_refusals(), within_s=5, what="resumable")
    assert job.view.snapshot.flag("hoist.slack_rope", unsafe=False)
    return landing


async def test_slack_ropes_below_the_landing_are_taken_up_and_the_job_goes_on() -> None:
    async with _job() as job:
        landing = await _slack_after_a_freeze(job)
        job.resume()
        await job.until_step(Step.LOCK, delivering=False, within_s=10)
        assert abs(job.hoist_m() - landing) <= TOLERANCE_M, job.where
        assert job.sim.plant.spreader.landed_sensed() == (True,) * 4
        assert not any("check the slot" in r for r in job.sequencer_reasons())
        outcome, why = await job.until_finished()
        assert outcome is Outcome.DONE, why


async def test_a_spreader_that_lifts_off_while_taking_up_slack_holds() -> None:
    """A pin reads free while the slack is taken up (the spreader came off what it stood on:
    it stood where the drum read, and the switch said slack wrongly): the landing holds at
    once, naming the slot and the switch, and does not lower it again by itself."""
    async with _job() as job:
        landing = await _slack_after_a_freeze(job)
        job.resume()
        await job.until(lambda: job.written_refs()[2] > 0.0, within_s=2, what="taking up")
        job.inject("landed_pin_stuck", corner=1, value=False)
        await job.until(lambda: job.step is not Step.LOWER, within_s=2, what="left the landing")
        assert job.step is Step.HELD, job.where
        reason = job.sequencer_reasons()[-1]
        assert "while taking up slack ropes" in reason, reason
        assert "slack-rope switch" in reason, reason
        await job.until(job.at_rest, within_s=3, what="at rest")
        assert job.hoist_m() < landing - SLACK_M, job.where
        await job.run_for(3.0)
        assert job.written_refs() == (0.0, 0.0, 0.0)

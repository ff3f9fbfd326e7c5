"""What a station finds on the crane when it starts, against what the last run left in hand.

A station killed mid-job (SIGKILL, a power cut, a crash) leaves the crane as it was: a box locked
on the spreader still hangs, on the brakes, wherever the move was; the yard inventory it kept
(:mod:`crane_ctrl.operation.yard_inventory`) still books that box to the slot it came from, and
names the box the crane had in hand and its job (:class:`~crane_ctrl.operation.yard_model.InHand`).
The job itself does not survive: the queue starts empty and the move's plan is gone, so nothing
here resumes it. :func:`found_at_start` judges the first trusted reading of the load against
that record and says, in the operator's words, what was found and what to do: a load hanging is
taken over in MANUAL and set down by hand (the box is then out of the slots until placed), and
its job queued again; a job that was unfinished with nothing hanging leaves its box to be checked
where the yard has it. Nothing here moves the crane: the machine starts STOPPED. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from crane_ctrl.operation.yard_model import InHand
from crane_ctrl.site import slot_text

__all__ = ["StartFinding", "found_at_start"]


@dataclass(frozen=True, slots=True)
class StartFinding:
    """What the station found at its start, and what it does with the yard."""

    note: str
    """For the operator (and the journal); "" when there is nothing to say."""
    hanging: bool
    """A box hangs on the spreader: the yard takes it out of its slot (it is not there)."""


def found_at_start(hand: InHand | None, load_t: float, *, hangs: bool) -> StartFinding:
    """Judge the crane at a station's start: ``hand``, the box the last run had in hand (the
    kept inventory's); ``load_t`` the load cell now; ``hangs`` whether that is a load hanging."""
    if hand is None and not hangs:
        return StartFinding("", hanging=False)
    todo = ("nothing moves by itself: take it over in MANUAL, set it down and unlock it by hand "
            "(then queue its job again)")  # fmt: skip
    if hand is None:
        return StartFinding(f"found at start: a load of {load_t:.1f} t hangs on the spreader and "
                            f"the last run had no box in hand: {todo}", hanging=True)  # fmt: skip
    box = hand.box
    job = f"job {hand.job}" if hand.job else "no job (left hanging by hand)"
    where = "" if hand.to is None else f" to {slot_text(hand.to)}"
    moving = f"container {box.id} of {job}, moving from {slot_text(box.slot)}{where}"
    if hangs:
        return StartFinding(f"found at start: {moving}, hangs on the spreader ({load_t:.1f} t); "
                            f"the station had stopped mid-job, the job is gone and the yard no "
                            f"longer books the box to {slot_text(box.slot)}: {todo}",
                            hanging=True)  # fmt: skip
    if not hand.job:
        return StartFinding(f"found at start: container {box.id}, left hanging, is no longer on "
                            "the spreader: it was set down by hand, out of the yard's slots "
                            "until placed", hanging=False)  # fmt: skip
    return StartFinding(f"found at start: {moving}, was unfinished when the station stopped; "
                        f"nothing hangs on the spreader: check that the box stands at "
                        f"{slot_text(box.slot)} and that the twistlocks are unlocked (MANUAL), "
                        f"then queue the job again", hanging=False)  # fmt: skip

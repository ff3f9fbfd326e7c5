"""The validity tracker (issue 15, deliverable 4): which status signals a read proves alive.

Pure and on a clock passed in: a life counter or life bit must change within its timeout and
must be seen to change once before its block counts as alive; a never-all-zero block is dead in
the very read whose words are all zero; a proof that could not be read proves nothing.
"""

from __future__ import annotations

from crane_ctrl.validity import Proof, StatusBlock, ValidityTracker

LIMITS = frozenset({"gantry.limit_fwd_ok", "gantry.limit_rev_ok"})
COUNTER = StatusBlock("limits", Proof.LIFE_COUNTER, LIMITS, source="limits_life", timeout_s=0.5)
BIT = StatusBlock("limits", Proof.LIFE_BIT, LIMITS, source="limits_alive", timeout_s=1.0)
NONZERO = StatusBlock(
    "status", Proof.NEVER_ALL_ZERO, frozenset({"plc.estop_ok"}), words="holding 0"
)


def running(tracker: ValidityTracker, values: list[object], *, period_s: float) -> float:
    """Feed ``values`` of the only block's proof, one read per ``period_s`` from 0; the time of
    the last read."""
    now = 0.0
    for i, value in enumerate(values):
        now = i * period_s
        tracker.update({tracker.blocks[0].name: value}, now)  # type: ignore[dict-item]
    return now


def test_a_counter_that_keeps_changing_proves_its_block_alive() -> None:
    tracker = ValidityTracker([COUNTER])
    now = running(tracker, list(range(20)), period_s=0.1)
    assert tracker.update({"limits": 20}, now + 0.1) == {}


def test_a_stuck_counter_makes_every_signal_of_its_block_bad_after_the_timeout_not_before() -> None:
    tracker = ValidityTracker([COUNTER])
    now = running(tracker, [1, 2, 3], period_s=0.1)  # last change at 0.2 s
    assert tracker.update({"limits": 3}, 0.7) == {}  # unchanged for 0.5 s: the timeout itself
    dead = tracker.update({"limits": 3}, 0.75)
    assert set(dead) == LIMITS
    assert dead["gantry.limit_fwd_ok"] == (
        'status block "limits" is not proven alive: its life counter limits_life has not '
        "changed for 0.6 s (at 3; timeout 0.5 s)"
    )
    assert now == 0.2
    assert tracker.update({"limits": 4}, 0.8) == {}  # counting again: alive again at once


def test_a_life_bit_that_toggles_within_its_timeout_is_good_and_one_that_stops_is_bad() -> None:
    tracker = ValidityTracker([BIT])
    now = running(tracker, [False, True] * 10, period_s=0.5)
    assert tracker.update({"limits": False}, now + 0.5) == {}
    for t in (1.0, 1.5):
        assert tracker.update({"limits": False}, now + t) == {}  # toggled at now + 0.5
    dead = tracker.update({"limits": False}, now + 1.6)
    assert dead["gantry.limit_rev_ok"].endswith(
        "its life bit limits_alive has not toggled for 1.1 s (at False; timeout 1 s)"
    )


def test_at_start_a_block_is_unproven_until_its_life_counter_is_seen_to_change() -> None:
    tracker = ValidityTracker([COUNTER])
    for now in (0.0, 0.1, 0.2):
        dead = tracker.update({"limits": 7}, now)
        assert dead["gantry.limit_fwd_ok"] == (
            'status block "limits" is not proven alive: its life counter limits_life has not '
            "changed yet (at 7)"
        )
    assert tracker.update({"limits": 8}, 0.3) == {}


def test_a_life_bit_must_be_seen_to_toggle_once_too() -> None:
    tracker = ValidityTracker([BIT])
    assert (
        "has not toggled yet (at True)"
        in tracker.update({"limits": True}, 0.0)["gantry.limit_fwd_ok"]
    )
    assert tracker.update({"limits": False}, 0.5) == {}


def test_a_word_that_reads_all_zero_is_dead_in_that_very_read() -> None:
    tracker = ValidityTracker([NONZERO])
    assert tracker.update({"status": True}, 0.0) == {}
    assert tracker.update({"status": False}, 0.05) == {
        "plc.estop_ok": 'status block "status" is not proven alive: holding 0 reads all zero'
    }
    assert tracker.update({"status": True}, 0.1) == {}


def test_a_proof_that_could_not_be_read_proves_nothing() -> None:
    tracker = ValidityTracker([COUNTER, NONZERO])
    running(tracker, [1, 2], period_s=0.1)
    dead = tracker.update({}, 0.2)
    assert dead["gantry.limit_fwd_ok"].endswith("its life counter limits_life could not be read")
    assert dead["plc.estop_ok"].endswith("its words (holding 0) could not be read")
    assert tracker.update({"limits": 3, "status": True}, 0.3) == {}  # it changed meanwhile


def test_a_signal_in_two_dead_blocks_names_both() -> None:
    other = StatusBlock(
        "card", Proof.NEVER_ALL_ZERO, frozenset({"gantry.limit_fwd_ok"}), words="input 3"
    )
    tracker = ValidityTracker([COUNTER, other])
    reason = tracker.update({"limits": 1, "card": False}, 0.0)["gantry.limit_fwd_ok"]
    assert 'status block "limits"' in reason
    assert reason.endswith('; status block "card" is not proven alive: input 3 reads all zero')


def test_without_blocks_nothing_is_dead() -> None:
    assert ValidityTracker([]).update({}, 0.0) == {}


def test_a_block_describes_its_proof() -> None:
    assert COUNTER.describe() == "life counter limits_life (timeout 0.5 s)"
    assert NONZERO.describe() == "never all zero (holding 0)"

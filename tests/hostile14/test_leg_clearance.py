"""Finding 5 (open): a leg planned past a stack whose corner lies within millimetres of the
box's footprint on the straight path lowers the box into that corner (``bench safety`` case
1000938, seeds 1,000,500-999).

After a 40-s link freeze mid-travel the crane coasts 7 m; on the final code the operator's
UNHOLD is refused (the crane is 7.03 m from where it held), but a crane displaced within
``RESUME_JUMP_M`` resumes and plans the leg again from where it stands. Here the two checks are
relaxed so the resume goes through, as it did on the code of ``80a199e``: the leg planned from
(42.81, 4.60, 8.28) to stack 7:3 grows each obstacle by the box's half size only (no margin for
the lean the travel's deceleration gives the load while it lowers), passes 2 mm beside a 2-high
stack's corner, and the box, leaning 0.06-0.13 m, hits it (see FINDINGS.md, finding 5). Run with
``HOSTILE_FULL=1``; strict: it must be moved out once fixed.
"""

from __future__ import annotations

import os

import pytest

import crane_ctrl.position_watch as position_watch
import crane_ctrl.sequencer.safety as sequencer_safety

FULL = os.environ.get("HOSTILE_FULL") == "1"


@pytest.mark.skipif(not FULL, reason="long: set HOSTILE_FULL=1")
@pytest.mark.xfail(reason="FINDINGS.md, finding 5: no sway margin in the leg's clearance",
                   strict=True)  # fmt: skip
def test_a_leg_planned_again_after_a_coast_clears_every_stack(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from crane_ctrl.bench.safety.bench import run_seed

    blind = position_watch.PositionWatchSettings(slip_m=1000.0, slip_fraction=10.0)
    original = position_watch.PositionWatch.__init__

    def trusting(self: position_watch.PositionWatch, settings: object = None) -> None:
        original(self, blind)

    monkeypatch.setattr(position_watch.PositionWatch, "__init__", trusting)
    monkeypatch.setattr(sequencer_safety, "RESUME_JUMP_M", 1000.0)
    result = run_seed(1000938)
    assert result.collisions == 0, [v.message.splitlines()[0] for v in result.violations]

"""The step table: every step has one handler, and a table missing one is refused at import."""

from __future__ import annotations

import pytest

from crane_ctrl.sequencer.machine import Interrupt, StepHandler, complete, same_step
from crane_ctrl.sequencer.model import Step
from crane_ctrl.sequencer.steps import STEPS


def test_every_step_has_a_handler() -> None:
    assert set(STEPS) == set(Step)


def test_a_table_missing_a_step_is_refused_naming_it() -> None:
    partial: dict[Step, StepHandler] = {
        step: STEPS[step] for step in Step if step is not Step.UNLOCK
    }
    with pytest.raises(ValueError, match=r"no handler for step\(s\) unlock$"):
        complete(partial)


def test_only_the_held_step_ignores_a_hold_and_marks_a_stop() -> None:
    ignoring = {step for step, handler in STEPS.items() if handler.restart is None}
    marking = {step for step, handler in STEPS.items() if handler.interrupt is Interrupt.MARK}
    assert ignoring == marking == {Step.HELD}


def test_the_table_cannot_be_changed_after_import() -> None:
    with pytest.raises(TypeError):
        STEPS[Step.IDLE] = StepHandler(  # type: ignore[index]
            scan=STEPS[Step.IDLE].scan, restart=same_step, interrupt=Interrupt.HOLD
        )

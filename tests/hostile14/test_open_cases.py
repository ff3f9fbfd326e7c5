"""Open findings: cases of ``crane-ctrl bench safety`` on the final code that still fail, kept
as strict expected failures so that a fix shows here (see FINDINGS.md, finding 12): each
takes a few seconds, so they run in CI, and a fix turns its expected failure into an unexpected
pass that fails the run until the mark goes (then the case moves to FOUND_BY_THE_BENCH in
tests/unit/test_automation_safety.py)."""

from __future__ import annotations

import pytest

OPEN = {
    1042025: "finding 12: lifted off truck T1 in a steady 19.5 m/s (under the stop limit): the "
    "box swung 1 m into the next truck's box, 0.6 m away, before it rose clear",
}


@pytest.mark.xfail(
    strict=True, reason="open crane defects, finding 12 of tests/hostile14/FINDINGS.md"
)
@pytest.mark.parametrize("seed", list(OPEN), ids=OPEN.values())
def test_an_open_case_ends_safe(seed: int) -> None:
    from crane_ctrl.bench.safety.bench import run_seed

    result = run_seed(seed)
    assert result.ok, [v.message.splitlines()[0] for v in result.violations]

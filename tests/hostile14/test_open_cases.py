"""Open findings: cases of ``crane-ctrl bench safety`` on the final code that still fail, kept
as strict expected failures so that a fix shows here (see FINDINGS.md, findings 12 to 14): each
takes a few seconds, so they run in CI, and a fix turns its expected failure into an unexpected
pass that fails the run until the mark goes (then the case moves to FOUND_BY_THE_BENCH in
tests/unit/test_automation_safety.py)."""

from __future__ import annotations

import pytest

OPEN = {
    1042025: "finding 12: lifted off truck T1 in a steady 19.5 m/s (under the stop limit): the "
    "box swung 1 m into the next truck's box, 0.6 m away, before it rose clear",
    1042079: "finding 13: settling low beside the next truck's box before setting it down while "
    "a front rose 8 to 20 m/s; the wind stop's raise came too late",
    1044519: "finding 14: settling low beside the next truck's box after a hoist drive fault "
    "as a front rose 5 to 20 m/s in 5 s: the settle's rise began 3 s late, a bad wind reading "
    "then stopped the wind stop's raise 12 cm short",
}


@pytest.mark.xfail(
    strict=True, reason="open crane defects, findings 12-14 of tests/hostile14/FINDINGS.md"
)
@pytest.mark.parametrize("seed", list(OPEN), ids=OPEN.values())
def test_an_open_case_ends_safe(seed: int) -> None:
    from crane_ctrl.bench.safety.bench import run_seed

    result = run_seed(seed)
    assert result.ok, [v.message.splitlines()[0] for v in result.violations]

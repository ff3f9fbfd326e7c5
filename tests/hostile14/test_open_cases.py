"""Findings 6 and 7 (open): cases of ``crane-ctrl bench safety`` on the final code of 2026-12-07
(seeds 1,002,000-1,002,999) that still fail, kept as strict expected failures so that the fix
shows here (see FINDINGS.md): each takes about a second, so they run in CI, and a fix turns
its expected failure into an unexpected pass that fails the run until the mark goes."""

from __future__ import annotations

import pytest

OPEN = {
    1002968: "finding 7: held inside the trial lift before the truck lift was seen, then "
    "cancelled: a trailer hangs 0.03 m up on the box",
}


@pytest.mark.xfail(
    strict=True, reason="open crane defects, findings 6 and 7 of tests/hostile14/FINDINGS.md"
)
@pytest.mark.parametrize("seed", list(OPEN), ids=OPEN.values())
def test_an_open_case_ends_safe(seed: int) -> None:
    from crane_ctrl.bench.safety.bench import run_seed

    result = run_seed(seed)
    assert result.ok, [v.message.splitlines()[0] for v in result.violations]

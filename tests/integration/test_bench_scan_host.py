"""``crane-ctrl bench scan``'s cranes-per-host case, small: supervisors in two processes against
simulated PLCs in two more, over real Modbus TCP on loopback. Its figures are the benchmark's
(issue 16: 50 cranes on a 2-core host); here only that they are whole and sane."""

from __future__ import annotations

import asyncio
import os

from crane_ctrl.bench.scan import cranes_per_host
from crane_ctrl.runtime.scan_priority import SCAN_NICE


def test_cranes_spread_over_processes_all_scan_at_full_rate_and_report_their_cpu() -> None:
    figures = asyncio.run(cranes_per_host(3, 2, seconds=2.0))
    assert figures["cranes"] == 3
    assert figures["processes"] == 2
    assert figures["full_rate_cranes"] == 3, figures
    assert 0.0 < figures["supervisor_cpu_per_crane"] < 1.0
    assert 0.0 < figures["simulator_cpu_per_crane"] < 1.0
    assert 0.0 <= figures["p99_lateness_ms"] < 1000.0
    base = os.getpriority(os.PRIO_PROCESS, os.getpid())
    assert figures["supervisor_nice"] in ([SCAN_NICE], [base])  # [base]: no CAP_SYS_NICE

"""``crane-ctrl bench fleet``, small: two cranes (one at a SEMIAUTOMATIC landing), short windows
and a short broker outage. Every figure is there; the safety and loss targets hold (the timing
targets are for the full benchmark on a quiet machine, not for a test)."""

from __future__ import annotations

import json
import sys

import pytest

from crane_ctrl.bench.fleet import SAFETY_TARGETS, FleetBenchOptions, bench_fleet

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")


def test_a_small_run_reports_every_figure_and_meets_the_safety_and_loss_targets() -> None:
    figures = bench_fleet(FleetBenchOptions(cranes=2, seconds=3.0, outage_s=2.0,
                                            landing_cranes=1, jogs=1))  # fmt: skip
    json.dumps(figures)  # the command prints it as its last line
    for name in ("plc_to_view_ms", "command_to_plc_ms"):
        assert figures[name]["samples"] > 0, name
        assert 0 < figures[name]["p50"] <= figures[name]["p99"] <= figures[name]["max"], name
    assert figures["command_to_plc_ms"]["refused"] == []
    late = figures["scan_lateness_p99_ms"]
    assert set(late["publishing"]) == set(late["without"]) == {"ASC-01", "ASC-02"}
    outage = figures["broker_outage"]
    assert outage["forced"] > 0
    assert outage["historical_received"] > 0  # what the cranes stored came back as history
    assert outage["model_faults"] == []
    assert outage["watchdog_trips"] == []
    assert figures["crane_killed"]["why"].startswith("NDEATH")
    assert figures["dead_man"]["stop_after_deadline_ms"] is not None
    assert figures["dead_man"]["stop_after_deadline_ms"] > -5  # never before the deadline
    failed = {t: figures["targets"][t] for t in SAFETY_TARGETS if figures["targets"][t] is not True}
    assert failed == {}, json.dumps(figures)

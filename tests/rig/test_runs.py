"""Running scenarios: the shipped library passes; with an interlock disabled its scenario fails;
the same scenario runs in real time over loopback sockets and against an external simulator."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from crane_ctrl.rig.expectations import judge
from crane_ctrl.rig.loading import load_scenario
from crane_ctrl.rig.report import summary
from crane_ctrl.rig.runner import Options, run_many, run_observed, run_one
from crane_ctrl.testing import interlock_disabled, wait_until
from simulators.runner import run_realtime, serve
from tests.profile_texts import ROOT

SCENARIOS = ROOT / "simulators" / "scenarios"
LIBRARY = sorted(SCENARIOS.glob("*.toml"))
SHORT = SCENARIOS / "estop-at-standstill.toml"
REAL_LIMIT_S = 30.0
"""The short scenario takes 5 s of crane time; in real time it must end well inside this."""


@pytest.mark.parametrize("path", LIBRARY, ids=[p.stem for p in LIBRARY])
def test_every_shipped_scenario_passes_in_lock_step(path: Path) -> None:
    """One test per scenario, so the test runner spreads the library over its workers."""
    result = run_one(str(path), Options())
    assert result.passed, summary(result, details=True)
    assert result.name == load_scenario(path).name


def test_scenarios_run_in_parallel_processes_come_back_in_order_and_as_alone() -> None:
    """``crane-ctrl rig run`` runs a library in worker processes, each as deterministic as
    alone: the results in the order asked, each the same as its run in this process."""
    paths = [str(SHORT), str(SCENARIOS / "wind-stop-mid-lift.toml")]
    results = run_many(paths, Options(), workers=min(2, os.cpu_count() or 1))
    assert [r.name for r in results] == [load_scenario(p).name for p in paths]
    alone = run_one(paths[0], Options())
    assert [(v.what, v.seen, v.failed) for v in results[0].verdicts] == [
        (v.what, v.seen, v.failed) for v in alone.verdicts
    ]


def test_with_the_wind_stop_interlock_disabled_the_wind_scenario_fails_and_says_why() -> None:
    with interlock_disabled("WIND_STOP"):
        result = run_one(str(SCENARIOS / "wind-stop-mid-lift.toml"), Options())
    assert not result.passed
    failed = {v.what: v.seen for v in result.verdicts if v.failed}
    assert "interlock WIND_STOP trips" in failed
    assert failed["interlock WIND_STOP trips"].startswith("never active")
    assert "alarm WIND_STOP raised and journaled" in failed
    first = result.first_failure
    assert first is not None
    assert first.what == "no safety invariant broken at any scan"
    assert "written with the wind at 22.0 m/s" in first.seen


def test_the_disabled_interlock_is_back_after_the_block() -> None:
    with interlock_disabled("ESTOP"):
        pass
    result = run_one(str(SHORT), Options())
    assert result.passed, summary(result, details=True)


def test_disabling_an_unknown_interlock_is_refused() -> None:
    with pytest.raises(ValueError, match="no interlock 'WIND_STOPP'"):
        interlock_disabled("WIND_STOPP")


async def test_a_short_scenario_passes_in_real_time_over_loopback_sockets() -> None:
    scenario = load_scenario(SHORT)
    run = asyncio.create_task(run_observed(scenario, Options(mode="real")))
    await wait_until(run.done, within=REAL_LIMIT_S, interval=0.1, what="the real-time run")
    observed = run.result()
    verdicts = judge(scenario.spec, scenario.conditions, observed)
    assert not [v for v in verdicts if not v.passed], [str(v) for v in verdicts]
    assert observed.end_s == pytest.approx(5.0, abs=0.5)
    assert observed.model_faults == []


async def test_against_an_external_simulator_faults_go_over_its_control_channel() -> None:
    scenario = load_scenario(SHORT)
    sim = scenario.site.simulator()
    profile_path = scenario.profile_path
    from crane_ctrl.profile.loader import load_profile

    stop = asyncio.Event()
    async with serve(sim, load_profile(profile_path)) as served, asyncio.TaskGroup() as tasks:
        tasks.create_task(run_realtime(sim, served, stop=stop))
        options = Options("plc", f"modbus://{served.endpoint}", ("127.0.0.1", served.control_port))
        run = tasks.create_task(run_observed(scenario, options))
        try:
            await wait_until(run.done, within=REAL_LIMIT_S, interval=0.1, what="the PLC run")
        finally:
            stop.set()
    verdicts = judge(scenario.spec, scenario.conditions, run.result())
    assert not [v for v in verdicts if v.failed], [str(v) for v in verdicts]
    stops = next(v for v in verdicts if v.what.startswith("within"))
    assert stops.what.endswith("(written) for 1.5 s")  # the PLC's own are out of sight
    assert sim.faults.active == {}  # injected and cleared over the channel
    assert sim.plc.estop_latched is False  # and the rig's reset reached the PLC


async def test_against_a_plc_without_a_control_channel_injections_are_skipped(
    tmp_path: Path,
) -> None:
    text = SHORT.read_text(encoding="utf-8").replace("duration_s = 6", "duration_s = 2")
    text = text.replace('stop_when = "time > 5"', 'stop_when = "time > 1.8"')
    path = tmp_path / "short.toml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario(path)
    sim = scenario.site.simulator()
    from crane_ctrl.profile.loader import load_profile

    stop = asyncio.Event()
    async with serve(sim, load_profile(scenario.profile_path)) as served, asyncio.TaskGroup() as tg:
        tg.create_task(run_realtime(sim, served, stop=stop))
        run = tg.create_task(run_observed(scenario, Options("plc", f"modbus://{served.endpoint}")))
        try:
            await wait_until(run.done, within=REAL_LIMIT_S, interval=0.1, what="the PLC run")
        finally:
            stop.set()
    observed = run.result()
    assert observed.faults[0].time_s is None
    assert observed.faults[0].note.startswith("skipped: the external PLC has no control channel")
    verdicts = judge(scenario.spec, scenario.conditions, observed)
    skipped = [v.what for v in verdicts if v.passed is None]
    assert "fault 1 (estop) happened" in skipped
    assert "clearing of fault 1 (estop) happened" in skipped
    stops = next(v for v in verdicts if v.what.startswith("within"))
    assert "(written)" in stops.what  # the PLC's own references are out of sight
    assert "no model fault (nothing dropped, damaged or collided)" in skipped


async def test_a_plc_that_never_answers_ends_the_run_early_saying_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A wrong URL (nothing listens there): the run ends once the limit passes with no trusted
    data, naming the link's error, instead of waiting out the scenario's duration."""
    import socket

    from crane_ctrl.rig import session

    monkeypatch.setattr(session, "UNTRUSTED_LIMIT_S", 1.0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens
    scenario = load_scenario(SHORT)
    observed = await asyncio.wait_for(
        run_observed(scenario, Options("plc", f"modbus://127.0.0.1:{port}")), REAL_LIMIT_S
    )
    assert observed.ended_by.startswith("no trusted data from the PLC within 1 s ("), observed
    assert "check the URL, the profile and the PLC" in observed.ended_by

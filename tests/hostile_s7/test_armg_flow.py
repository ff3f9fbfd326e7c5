"""The promise end to end for the ARMG-S7 PLC (MANUAL.md), over both of its interfaces: the
engineer's profiles and site file, ``crane-ctrl commission --profile P --plc URL --site F
--yes`` against the simulated PLC, and a full truck -> stack job over real sockets.

One run (``armg.commission_and_jobs``) serves every test here: commissioning both interfaces
at once takes its crane time in wall time (about 15 s) while a child process runs both jobs in
socket lock-step (about 45 s of crane time each)."""

from __future__ import annotations

import asyncio

import pytest

from tests.hostile_s7.armg import PROFILES, Results, commission_and_jobs

PROTOCOLS = list(PROFILES)


@pytest.fixture(scope="module")
def done(tmp_path_factory: pytest.TempPathFactory) -> Results:
    return asyncio.run(commission_and_jobs(tmp_path_factory.mktemp("armg")))


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_commission_passes_every_stage(protocol: str, done: Results) -> None:
    run = done.commissioned[protocol]
    assert run.code == 0, run.markdown
    assert run.report["verdict"] == "pass", run.markdown
    assert run.report["counts"]["fail"] == 0, run.markdown
    assert [s["status"] for s in run.report["stages"]] == ["pass"] * 5, run.markdown
    checks = run.checks
    for axis in ("gantry", "trolley", "hoist"):  # speed magnitudes + direction bits
        out, back = checks[f"commands/jog {axis} out"], checks[f"commands/jog {axis} back"]
        assert (out["status"], back["status"]) == ("pass", "pass"), (out, back)
        assert out["measured"]["direction"] != back["measured"]["direction"]
    refused = checks["commands/PLC refuses a lock unless seated"]
    assert refused["status"] == "pass", refused
    assert refused["reason"].startswith(
        "the PLC refused it: 12 (spreader not landed on four pins)"
    ), refused
    assert checks["watchdog/trip"]["status"] == "pass"  # the echo frozen: LifeEcho
    assert checks["watchdog/reset"]["status"] == "pass"  # a 0.3 s pulse for its 200 ms
    assert checks["link/heartbeat"]["status"] == "pass"  # an S7 Int life counter


def test_commission_over_opcua_checks_the_plcs_declared_units(done: Results) -> None:
    checks = done.commissioned["opcua"].checks
    declared = {"gantry.speed": "m/min", "env.wind": "km/h", "hoist.position": "mm"}
    for signal, unit in declared.items():
        check = checks[f"io/{signal} units"]
        assert check["status"] == "pass", check
        assert check["measured"]["value"].startswith(unit), check


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_commission_takes_the_plcs_watchdog_time_from_the_profile(
    protocol: str, done: Results
) -> None:
    """The profile says ``[plc] watchdog_s = 0.8`` (the manual's 0.8 s); the report says
    "watchdog 1 s". A PLC whose manual says 3.5 s fails the stage ("the PLC does not watch
    sup.heartbeat": 1 s + 2 s margin) unless the engineer repeats it on the command line."""
    trip = done.commissioned[protocol].checks["watchdog/trip"]
    assert trip["measured"]["plc_watchdog_s"] == 0.8, trip["reason"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_truck_to_stack_job(protocol: str, done: Results) -> None:
    """The 20-ft box from truck T2 to stack bay 6 row 1, the spreader telescoping 40 -> 20 ft
    first: one request each for telescope, lock and unlock through the one command word, each
    cleared by the PLC and answered busy/done; the watchdog latched at the start (as any stop of
    a supervisor leaves it) reset by the supervisor with its 0.3 s pulse."""
    job = done.jobs[protocol]
    assert job["outcome"] == ["J1", "done", ""], job
    assert job["box_at"] == "stack bay 6 row 1 tier 1"
    assert job["model_faults"] == []
    for command in ("spreader.telescope", "spreader.lock", "spreader.unlock"):
        assert job["plc_events"][f"{command} requested"] == 1, job["plc_events"]
        assert job["plc_events"][f"{command} taken over"] == 1, job["plc_events"]
    assert job["written_back"] == 3  # the PLC cleared each request bit itself
    assert job["plc_events"]["automatic PLC reset None"] == 1, job["plc_events"]
    assert not job["watchdog_trip_at_end"]
    assert {"trolley.forward", "hoist.up", "hoist.down"} <= set(job["directions"]), job
    assert job["negative_magnitudes"] == 0  # magnitudes only: the sign is in the bits


def test_commissioning_leaves_the_empty_spreader_swinging(done: Results) -> None:
    """What F1's job starts from when it follows commissioning (see test_armg_plc.py): the
    gantry jog at 10 % leaves the empty spreader on its 3.8 m of rope swinging."""
    for protocol in PROTOCOLS:
        gantry_rad, _ = done.after_commissioning[protocol]
        assert gantry_rad > 0.02, done.after_commissioning

"""A dead status word reads safe (issue 15, deliverable 4): in lock-step with the simulated crane,
a status block the profile's ``[validity]`` no longer proves alive stops motion.

The simulated PLC keeps the profiles' life bits and counters going (they count with its own
heartbeat), so each block is proven alive while it runs. A test then kills one block as a dead
card or a PLC section that stopped writing would: its word forced to 0 past the codec
(``force_raw`` with ``word``), or its life counter frozen. The PLC heartbeat keeps running, so
comms stay trusted: what stops the crane is SIGNAL_QUALITY, naming the block and its proof.
"""

from __future__ import annotations

from crane_ctrl.commands import Commands
from crane_ctrl.profile.loader import load_profile, parse_profile
from crane_ctrl.profile.model import Profile
from crane_ctrl.runtime.supervisor import SupervisorView
from crane_ctrl.testing import LockStep
from simulators.raw_places import RawForce
from simulators.simulator import CraneSimulator
from tests.profile_texts import PROFILES, with_signal
from tests.unit.automation_rig import loaded_travel, refs, rig_with_j1

TRAVEL_HEIGHT_M = 17.95
"""Above the default safe travel height: the trolley may travel."""
M580 = (PROFILES / "modicon-m580-modbus.toml").read_text(encoding="utf-8")
LIMITS = (
    "gantry.limit_fwd_ok",
    "gantry.limit_rev_ok",
    "trolley.limit_fwd_ok",
    "trolley.limit_rev_ok",
    "hoist.limit_up_ok",
    "hoist.limit_down_ok",
)


def at_limit_word() -> Profile:
    """The M580 whose %MW1 holds "at limit" bits (1 = operated), inverted to the ``*_ok``
    signals, with a life bit in bit 15 that proves the word alive: a dead %MW1 reads "no limit
    operated" and only the life bit tells."""
    text = M580
    for bit, name in enumerate(LIMITS):
        mapping = f'{{ table = "holding", address = 1, type = "bool", bit = {bit}, invert = true }}'
        text = with_signal(text, name, mapping)
    text = text.replace(
        "\n[signals]",
        '\n[points]\nlimits_alive = { table = "holding", address = 1, type = "bool", bit = 15 }\n'
        "\n[signals]",
        1,
    )
    text += (
        '\n[validity.limit_word]\nregisters = ["holding 1"]\nlife_bit = "limits_alive"\n'
        "timeout_s = 1.0\n"
    )
    return parse_profile(text, "m580-at-limit.toml")


def trips(view: SupervisorView) -> dict[str, str]:
    assert view.permits is not None
    return {t.id: t.reason for t in view.permits.active}


async def trolley_running(rig: LockStep) -> SupervisorView:
    rig.supervisor.propose(Commands(drives_enable=True))
    await rig.until(
        lambda v: v.snapshot.comms_ok and not {"SIGNAL_QUALITY", "DRIVE_FAULT"} & set(trips(v)),
        within_s=3,
        what="comms trusted, every block proven alive, drives ready",
    )
    rig.supervisor.propose(Commands(drives_enable=True, trolley_speed_ref=0.5))
    return await rig.until(lambda v: rig.sim.plant.trolley.speed_mps > 0.4, within_s=3)


async def test_the_shipped_m580_status_block_is_proven_alive_by_the_simulated_plc() -> None:
    async with LockStep(load_profile(PROFILES / "modicon-m580-modbus.toml")) as rig:
        view = await rig.until(lambda v: v.snapshot.comms_ok, within_s=2, what="comms")
        assert not any(r.bad for r in view.snapshot.readings.values())
        assert view.snapshot.good("plc.estop_ok")


async def test_a_dead_limit_word_reads_safe_but_its_frozen_life_bit_stops_the_job() -> None:
    rig, automation = rig_with_j1(at_limit_word())
    async with rig:
        await loaded_travel(rig, automation)
        rig.sim.faults.inject("force_raw", signal="gantry.limit_fwd_ok", raw=0, word=True)
        view = await rig.run_for(0.5)  # within the timeout the dead word reads safe ...
        assert all(view.snapshot.flag(name, unsafe=False) for name in LIMITS)
        assert any(refs(view)), "still travelling"
        view = await rig.until(lambda v: "SIGNAL_QUALITY" in trips(v), within_s=1.0)
        assert refs(view) == (0.0, 0.0, 0.0)  # ... and not a scan longer
        assert view.snapshot.comms_ok
        reason = view.snapshot.reading("gantry.limit_fwd_ok").reason
        assert reason.startswith(
            'status block "limit_word" is not proven alive: its life bit limits_alive has not '
            "toggled for 1."
        )
        assert trips(view)["SIGNAL_QUALITY"] == (
            f"{reason} (gantry.limit_fwd_ok, gantry.limit_rev_ok, trolley.limit_fwd_ok, "
            "trolley.limit_rev_ok and 2 more)"
        )
        run = automation.sequencer.run
        assert run is not None
        assert "limit_word" in run.hold_reason


async def test_a_frozen_life_counter_blocks_motion_while_the_plc_heartbeat_runs() -> None:
    text = (PROFILES / "generic-opcua.toml").read_text(encoding="utf-8")
    text = text.replace(
        "\n[signals]",
        '\n[points]\nlimits_life = { node = "s=Crane.Limits.Life", type = "UInt16" }\n\n[signals]',
        1,
    )
    text += (
        '\n[validity.limits]\nsignals = ["*.limit_*_ok"]\nlife_counter = "limits_life"\n'
        "timeout_s = 0.5\n"
    )
    async with LockStep(
        parse_profile(text, "opcua-life.toml"), CraneSimulator(hoist_m=17.95)
    ) as rig:
        await trolley_running(rig)
        rig.sim.link_faults.raw["limits_life"] = RawForce("limits_life", 7)  # the section stops
        view = await rig.until(lambda v: "SIGNAL_QUALITY" in trips(v), within_s=1.0)
        assert view.commands.trolley_speed_ref == 0.0
        assert view.snapshot.comms_ok
        assert "its life counter limits_life has not changed for" in trips(view)["SIGNAL_QUALITY"]
        del rig.sim.link_faults.raw["limits_life"]  # counting again: trusted again
        view = await rig.until(lambda v: "SIGNAL_QUALITY" not in trips(v), within_s=0.5)
        assert view.snapshot.good("trolley.limit_fwd_ok")


async def test_a_status_word_that_reads_all_zero_blocks_motion_in_that_scan() -> None:
    text = M580 + '\n[validity.status_word]\nregisters = ["holding 0"]\nnever_all_zero = true\n'
    async with LockStep(
        parse_profile(text, "m580-nonzero.toml"), CraneSimulator(hoist_m=17.95)
    ) as rig:
        await trolley_running(rig)
        await rig.supervisor.scan_once()
        rig.sim.faults.inject("force_raw", signal="plc.estop_ok", raw=0, word=True)
        view = await rig.scan()
        assert view.commands.trolley_speed_ref == 0.0
        assert trips(view)["SIGNAL_QUALITY"].startswith(
            'status block "status_word" is not proven alive: holding 0 reads all zero (plc.remote'
        )
        estop = view.snapshot.reading("plc.estop_ok")
        assert estop.bad
        assert estop.value is True  # the last good value, not trusted

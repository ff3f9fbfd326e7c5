"""Per-axis drive enables (issue 15, item 9): a PLC with one enable bit per axis gets them in its
profile as the optional commands ``gantry.enable``, ``trolley.enable``, ``hoist.enable``; the
supervisor writes them with ``drives.enable``. A profile without them writes nothing for them
(no error: the codec skips optional commands a PLC has not). The simulated PLC moves an axis only
while its own enable is set, when the profile has one.
"""

from __future__ import annotations

from crane_ctrl.commands import Commands
from crane_ctrl.profile.loader import parse_profile
from crane_ctrl.profile.model import Profile
from crane_ctrl.testing import LockStep
from tests.profile_texts import PROFILES
from tests.unit.sequencer_rig import JobRig

ENABLES = """
"gantry.enable"    = { table = "coil", address = 4 }
"trolley.enable"   = { table = "coil", address = 5 }
"hoist.enable"     = { table = "coil", address = 6 }
"""


def per_axis_profile() -> Profile:
    text = (PROFILES / "generic-modbus.toml").read_text(encoding="utf-8")
    anchor = '"plc.reset"        = { table = "coil", address = 3 }\n'
    assert anchor in text
    return parse_profile(text.replace(anchor, anchor + ENABLES), "per-axis-modbus.toml")


async def test_the_enables_are_written_with_drives_enable_and_each_axis_obeys_its_own() -> None:
    profile = per_axis_profile()
    async with LockStep(profile) as rig:
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=2, what="comms")
        rig.supervisor.propose(Commands(drives_enable=True, hoist_speed_ref=0.2))
        await rig.until(lambda v: (v.snapshot.number("hoist.speed") or 0.0) > 0.15,
                        within_s=5, what="hoist moving")  # fmt: skip
        plc = rig.sim.plc.commands
        assert [plc[f"{a}.enable"] for a in ("gantry", "trolley", "hoist")] == [True] * 3
        rig.supervisor.propose(Commands())
        await rig.run_for(3.0)
        assert [plc[f"{a}.enable"] for a in ("gantry", "trolley", "hoist")] == [False] * 3
        rig.sim.plc.commands.update({"drives.enable": True, "gantry.enable": True})
        assert rig.sim.plc.ready("gantry")
        assert not rig.sim.plc.ready("hoist"), "its own enable is off"


async def test_a_full_job_on_a_plc_with_one_enable_per_axis() -> None:
    from crane_ctrl.sequencer.automatic_move import Outcome
    from crane_ctrl.site import Slot

    async with JobRig(per_axis_profile()) as job:
        job.start()
        outcome, reason = await job.until_finished(within_s=400)
        assert (outcome, reason) == (Outcome.DONE, "")
        assert job.box.location == Slot.stack(7, 3, 1)
        assert job.sim.model_faults == ()

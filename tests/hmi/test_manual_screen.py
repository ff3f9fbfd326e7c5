"""Manual: jogs go through the interlocks; a blocked jog shows the interlock and its reason;
maintenance functions are refused to the operator."""

from __future__ import annotations

from crane_ctrl.operation.machine import Mode, PackCommand, PackState
from crane_ctrl.testing import StationRig
from tests.hmi.conftest import GENERIC, hmi_on


async def _manual_idle(rig: StationRig) -> None:
    rig.station.set_mode(rig.operator, Mode.MANUAL)
    rig.station.pack(rig.operator, PackCommand.RESET)
    await rig.until(lambda v: v.machine is PackState.IDLE, within_s=2, what="IDLE")


async def test_jog_blocked_by_an_interlock_shows_why() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        await _manual_idle(rig)
        rig.sim.faults.inject("estop")
        await hmi.step(5)
        await hmi.press("5", "up")  # jog the hoist up
        assert "jog hoist +1" in hmi.message  # accepted by the station ...
        view = await hmi.step()
        assert any(r.motion == "hoist+" for r in view.supervisor.refusals)  # ... refused by ESTOP
        permits = hmi.text("#permits")
        assert "hoist+     [!] BLOCKED by ESTOP" in permits
        assert "ESTOP: All motion stops while the emergency-stop chain is open" in permits
        assert "(emergency-stop chain open)" in permits
        assert permits.count("ESTOP: All motion stops") == 1  # each interlock said once
        assert "✗ refused: hoist+" in permits
        assert "refused by ESTOP" in permits
        assert view.supervisor.commands.hoist_speed_ref == 0.0


async def test_jog_moves_the_hoist_when_nothing_blocks_it() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        await _manual_idle(rig)
        await hmi.press("5", "down")
        view = await hmi.until(lambda v: v.supervisor.commands.hoist_speed_ref < 0, within_s=1)
        assert view.jog == ("hoist", -1)
        stopped = await hmi.until(lambda v: v.jog is None, within_s=2, what="dead-man stop")
        assert stopped.supervisor.commands.hoist_speed_ref == 0.0


async def test_jog_refused_in_automatic_says_why() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        await hmi.press("5", "left")
        assert "jogging needs MANUAL or MAINTENANCE mode, not FULLAUTOMATIC" in hmi.message


async def test_operator_is_refused_a_bypass() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        await hmi.press("5", "b")
        assert hmi.message.startswith("✗ REFUSED")
        assert "a bypass needs the maintenance role" in hmi.message
        assert hmi.screen.NAME == "manual"  # no form opened

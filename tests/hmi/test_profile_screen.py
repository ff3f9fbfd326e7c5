"""Profile: a bad profile is rejected with its located error and the crane keeps scanning on the
one it has; swapping is for maintenance only."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from crane_ctrl.testing import StationRig
from tests.hmi.conftest import GENERIC, Hmi, hmi_on


def _bad_profile(tmp_path: Path) -> Path:
    text = GENERIC.read_text(encoding="utf-8").replace('"hoist.position"', '"hoist.postion"', 1)
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    return bad


async def _swap(hmi: Hmi, path: Path) -> None:
    await hmi.press("9")
    hmi.screen.query_one("#path", Input).value = str(path)
    await hmi.press("escape", "w")  # out of the path field: there, w is typed


async def test_bad_profile_rejected_and_the_crane_keeps_running(tmp_path: Path) -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.maintenance) as hmi:
        before = rig.station.profile
        bad = _bad_profile(tmp_path)
        await _swap(hmi, bad)
        verdict = hmi.text("#verdict")
        assert "REJECTED" in verdict
        assert f"{bad}:" in verdict
        assert 'unknown signal; did you mean "hoist.position"' in verdict
        assert hmi.message.startswith("✗ REFUSED")
        assert "the crane keeps generic-modbus" in hmi.message
        view = await hmi.step(20)
        assert rig.station.profile is before
        assert view.supervisor.snapshot.comms_ok
        assert view.profile_name == "generic-modbus"
        assert "generic-modbus" in hmi.text("#loaded")


async def test_operator_is_refused_a_profile_swap() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        await _swap(hmi, GENERIC.parent / "modicon-m580-modbus.toml")
        assert "swapping the PLC profile needs the maintenance role" in hmi.message
        assert rig.station.profile.name == "generic-modbus"


async def test_validate_shows_ok_for_a_shipped_profile() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        await hmi.press("9")
        hmi.screen.query_one("#path", Input).value = str(GENERIC.parent / "generic-opcua.toml")
        await hmi.press("enter")  # Enter in the path field validates; so does v outside it
        assert hmi.text("#verdict").startswith("OK ")

"""Profile: a bad profile is rejected with its located error and the crane keeps scanning on the
one it has; a probe sets another profile's readings beside the running one's; swapping is for
maintenance only."""

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


async def test_probe_sets_old_and_new_side_by_side_and_marks_the_bad(tmp_path: Path) -> None:
    """One address moved past the PLC's map: the probe already shows the signal bad, beside
    its good reading under the running profile; the crane's own link is not touched."""
    moved = tmp_path / "moved.toml"
    moved.write_text(
        GENERIC.read_text(encoding="utf-8")
        .replace('name = "generic-modbus"', 'name = "moved"')
        .replace('"discrete_input", address = 1 }', '"discrete_input", address = 301 }'),
        encoding="utf-8",
    )
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.maintenance) as hmi:
        link = rig.station.supervisor.link
        await hmi.press("9")
        hmi.screen.query_one("#path", Input).value = str(moved)
        await hmi.press("escape", "p")
        probe = hmi.text("#probe").splitlines()
        assert probe[0].startswith("probe of moved:")
        assert "old: generic-modbus" in probe[1]
        assert "new: moved" in probe[1]
        bad = probe[2]  # marked lines first
        assert bad.startswith("! plc.estop_ok")
        assert "True good" in bad
        assert "— BAD: plc.estop_ok unreadable" in bad
        assert "exception 2" in bad
        assert any(line.startswith("  gantry.position") for line in probe)
        assert "plc.estop_ok not good in the new profile" in hmi.message
        assert rig.station.supervisor.link is link

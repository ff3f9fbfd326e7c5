"""Roles: PINs stored as salted hashes, checked in constant time; the roles file; the log-in."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Select

from crane_ctrl.cli.main import main
from crane_ctrl.errors import ConfigError
from crane_ctrl.operation.machine import Role
from crane_ctrl.operation.roles import DEMO_ROLES, LoginRefused, Roles, hash_pin, verify_pin
from crane_ctrl.testing import StationRig, wait_until
from tests.hmi.conftest import GENERIC, hmi_on

FAST = 1000
"""PBKDF2 rounds for tests (the shipped hashes use 200 000)."""


def test_pin_hash_is_salted_and_verifies() -> None:
    first, second = hash_pin("4711", iterations=FAST), hash_pin("4711", iterations=FAST)
    assert first != second
    assert "4711" not in first
    assert verify_pin("4711", first)
    assert not verify_pin("4712", first)


def test_short_pin_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 4"):
        hash_pin("12")


def test_demo_roles_log_in_with_the_documented_pins() -> None:
    roles = Roles.load(DEMO_ROLES)
    assert roles.login(Role.OPERATOR, "1111") == "operator"
    assert roles.login(Role.MAINTENANCE, "2222") == "maintenance"
    with pytest.raises(LoginRefused, match="wrong PIN for maintenance"):
        roles.login(Role.MAINTENANCE, "1111")


def test_roles_file_problems_are_located(tmp_path: Path) -> None:
    path = tmp_path / "roles.toml"
    path.write_text('[roles.operator]\npin_hash = "1111"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"roles.toml:2 .*pin_hash must be pbkdf2-sha256"):
        Roles.load(path)


def test_roles_hash_command_prints_a_line_that_verifies(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "9876")
    assert main(["roles", "hash"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith('pin_hash = "pbkdf2-sha256$')
    assert verify_pin("9876", line.split('"')[1])


async def test_login_modal_switches_to_maintenance_and_refuses_a_wrong_pin() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        await hmi.press("L")
        modal = hmi.app.screen
        modal.query_one("#role", Select).value = Role.MAINTENANCE  # the focus starts here
        await hmi.press("tab")  # to the PIN
        modal.query_one("#pin", Input).value = "1111"
        await hmi.press("enter")
        assert hmi.app.screen is modal
        assert hmi.app.user == rig.operator
        modal.query_one("#pin", Input).value = "2222"
        await hmi.pilot.press("enter")
        for _ in range(50):  # the PIN check runs in a worker thread (PBKDF2)
            if hmi.app.screen is not modal:
                break
            await hmi.pilot.pause(0.02)
        assert hmi.app.user is not None
        assert hmi.app.user.role is Role.MAINTENANCE
        assert "logged in as maintenance" in hmi.message
        sessions = rig.station.sessions  # the operator's session ends with the new log-in
        await wait_until(lambda: not sessions.is_open(rig.operator.session), within=10,
                         what="the replaced session logged out")  # fmt: skip
        assert sessions.is_open(hmi.app.user.session)


async def test_a_wrong_pin_is_not_left_standing_for_the_next_user_or_role() -> None:
    """Issue 18: a stale 'wrong PIN' stayed after switching user. Switching the role by keys,
    or typing a new PIN, clears it; a new log-in starts clean."""
    async with StationRig(GENERIC) as rig, hmi_on(rig, None) as hmi:
        modal = hmi.app.screen  # the log-in opens at start with nobody logged in
        why = modal.query_one("#why")

        async def refused() -> None:
            await hmi.press("tab", *"9999", "enter")  # from the role to the PIN, a wrong one
            await wait_until(lambda: "[!]" in str(why.render()), within=10, what="the refusal")

        await refused()
        await hmi.press("shift+tab", "enter", "down", "enter")  # the next role, by keys
        assert modal.query_one("#role", Select).value is Role.MAINTENANCE
        assert str(why.render()) == ""
        await refused()
        await hmi.press("1")  # the next person starts typing their PIN
        assert str(why.render()) == ""
        await hmi.press("escape", "L")
        assert str(hmi.app.screen.query_one("#why").render()) == ""

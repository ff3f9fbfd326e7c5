"""Logins resist guessing (issue 17, deliver 1): wrong PINs make the next try wait longer and
longer, then lock the role; a try in the wait is refused without the PIN being looked at; all is
journaled; a roles file with weak hash settings is refused where it loads, with the place."""

from __future__ import annotations

from pathlib import Path

import pytest

from crane_ctrl.clock import ManualClock
from crane_ctrl.errors import ConfigError, LoginRefused
from crane_ctrl.operation.login_guard import MAX_LOCKOUT_S, LoginGuard, LoginPolicy
from crane_ctrl.operation.machine import Role
from crane_ctrl.operation.roles import DEMO_ROLES, Roles
from crane_ctrl.runtime.sessions import Sessions
from tests.unit.test_supervisor_lockstep import EventList


def test_two_mistypes_cost_nothing_then_each_wrong_pin_doubles_the_wait_then_locks() -> None:
    guard = LoginGuard()
    waits = [guard.failed("operator", 0.0).wait_s for _ in range(9)]
    assert waits == [0.0, 0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0]
    tenth = guard.failed("operator", 0.0)
    assert (tenth.failures, tenth.wait_s, tenth.locked) == (10, 300.0, True)
    assert guard.failed("operator", 0.0).wait_s == 600.0  # each one more: twice as long
    for _ in range(20):
        last = guard.failed("operator", 0.0)
    assert last.wait_s == MAX_LOCKOUT_S
    assert guard.wait_s("maintenance", 0.0) == 0.0  # per role
    guard.succeeded("operator")
    assert guard.wait_s("operator", 0.0) == 0.0


def test_ten_thousand_guesses_would_take_decades() -> None:
    guard, now = LoginGuard(), 0.0
    for _ in range(10_000):
        now += guard.wait_s("operator", now)
        guard.failed("operator", now)
    assert now > 20 * 365 * 86400


async def test_the_station_refuses_a_try_in_the_wait_without_checking_the_pin() -> None:
    clock, journal = ManualClock(), EventList()
    sessions = Sessions(Roles.load(DEMO_ROLES), clock, journal)
    for _ in range(3):
        with pytest.raises(LoginRefused, match="wrong PIN"):
            await sessions.login(Role.OPERATOR, "0000", client="script")
    with pytest.raises(LoginRefused, match="try again in 1 s"):
        await sessions.login(Role.OPERATOR, "1111", client="script")  # the right PIN, too soon
    clock.advance(1.0)
    user = await sessions.login(Role.OPERATOR, "1111", client="hmi")
    assert user.role is Role.OPERATOR
    refused = journal.of("operator", "login refused")
    assert [r.get("failures") for r in refused] == [1, 2, 3, None]
    assert all(r["client"] in ("script",) for r in refused)
    assert "1111" not in repr(journal.events)
    assert "0000" not in repr(journal.events)


async def test_a_lockout_is_journaled_and_said() -> None:
    clock, journal = ManualClock(), EventList()
    sessions = Sessions(Roles.load(DEMO_ROLES), clock, journal)
    for _ in range(10):
        clock.advance(sessions.guard.wait_s("maintenance", clock.now()))
        with pytest.raises(LoginRefused) as refused:
            await sessions.login(Role.MAINTENANCE, "9999", client="script")
    assert "maintenance locked for 300 s after 10 in a row" in str(refused.value)
    [locked] = journal.of("operator", "login locked out")
    assert (locked["role"], locked["seconds"], locked["failures"]) == ("maintenance", 300.0, 10)
    assert (await sessions.login(Role.OPERATOR, "1111", client="hmi")).role is Role.OPERATOR


@pytest.mark.parametrize(
    ("pin_hash", "says"),
    [
        ("pbkdf2-sha256$1$" + "00" * 16 + "$" + "00" * 32, "1 rounds, at least 100000"),
        ("pbkdf2-sha256$0$" + "00" * 16 + "$" + "00" * 32, "0 rounds"),
        ("pbkdf2-sha256$200000$00$" + "00" * 32, "a salt of 1 bytes"),
        ("pbkdf2-sha256$200000$" + "00" * 16 + "$00", "a hash of 1 bytes"),
    ],
)
def test_a_roles_file_with_weak_hash_settings_is_refused_where_it_loads(
    tmp_path: Path, pin_hash: str, says: str
) -> None:
    path = tmp_path / "roles.toml"
    path.write_text(f'[roles.operator]\npin_hash = "{pin_hash}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"roles.toml:2 .*too weak: {says}"):
        Roles.load(path)


def test_the_login_policy_is_the_roles_files_login_table(tmp_path: Path) -> None:
    shipped = DEMO_ROLES.read_text(encoding="utf-8")
    path = tmp_path / "roles.toml"
    path.write_text(shipped + "\n[login]\nlockout_after = 5\nlockout_s = 900.0\n", "utf-8")
    assert Roles.load(path).policy == LoginPolicy(lockout_after=5, lockout_s=900.0)
    path.write_text(shipped + "\n[login]\nlockout_after = 0\n", "utf-8")
    with pytest.raises(ConfigError, match=r"lockout_after"):
        Roles.load(path)

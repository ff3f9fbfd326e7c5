"""``crane-ctrl roles add/change/remove/list``: users kept by the maintenance engineer (issue 17)."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from crane_ctrl.cli.main import main
from crane_ctrl.errors import LoginRefused
from crane_ctrl.operation.machine import Role
from crane_ctrl.operation.roles import DEMO_ROLES, Roles


def _roles(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str, pin: str = ""
) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(pin + "\n"))
    code = main(["roles", *argv, *(["--pin-stdin"] if pin else [])])
    out = capsys.readouterr()
    return code, out.out + out.err


# PINs with letters that are not hex digits: a digits-only PIN can turn up by chance in a hash's
# hex salt, and the file must be shown to hold no PIN


def test_users_are_added_changed_and_removed_and_log_in_by_their_own_pin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "roles.toml"
    f = str(path)
    assert _roles(monkeypatch, capsys, "add", f, "--user", "kim", "--role", "operator",
                  pin="kim-4321")[0] == 0  # fmt: skip
    assert _roles(monkeypatch, capsys, "add", f, "--user", "lee", "--role", "operator",
                  pin="lee-8765")[0] == 0  # fmt: skip
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "kim-4321" not in text
    assert "lee-8765" not in text
    roles = Roles.load(path)
    assert roles.login(Role.OPERATOR, "kim-4321") == "kim"
    assert roles.login(Role.OPERATOR, "lee-8765") == "lee"
    with pytest.raises(LoginRefused, match="no maintenance login"):
        roles.login(Role.MAINTENANCE, "kim-4321")

    assert _roles(monkeypatch, capsys, "change", f, "--user", "kim", pin="kim-2468")[0] == 0
    assert _roles(monkeypatch, capsys, "change", f, "--user", "lee", "--role", "maintenance",
                  "--keep-pin")[0] == 0  # fmt: skip
    roles = Roles.load(path)
    assert roles.login(Role.OPERATOR, "kim-2468") == "kim"
    with pytest.raises(LoginRefused, match="wrong PIN"):
        roles.login(Role.OPERATOR, "kim-4321")
    assert roles.login(Role.MAINTENANCE, "lee-8765") == "lee"

    assert _roles(monkeypatch, capsys, "remove", f, "--user", "lee")[0] == 0
    code, listed = _roles(monkeypatch, capsys, "list", f)
    assert code == 0
    assert listed.split() == ["kim", "operator"]


def test_what_would_make_logins_ambiguous_or_wrong_is_refused_and_the_file_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "roles.toml"
    f = str(path)
    _roles(monkeypatch, capsys, "add", f, "--user", "kim", "--role", "operator", pin="kim-4321")
    before = path.read_text()
    refusals = [
        (("add", f, "--user", "lee", "--role", "operator"), "kim-4321", "kim has that PIN"),
        (("add", f, "--user", "kim", "--role", "operator"), "new-1357", "is there already"),
        (("add", f, "--user", "Kim Lee", "--role", "operator"), "new-1357", "lower case letters"),
        (("add", f, "--user", "lee", "--role", "operator"), "12", "at least 4"),
        (("change", f, "--user", "nobody"), "new-1357", "no user 'nobody' (users: kim)"),
        (("remove", f, "--user", "nobody"), "", "no user 'nobody'"),
    ]
    for argv, pin, why in refusals:
        code, said = _roles(monkeypatch, capsys, *argv, pin=pin)
        assert code == 2, argv
        assert why in said, (argv, said)
        assert "Traceback" not in said
    assert path.read_text() == before


def test_a_file_that_does_not_load_is_named_and_never_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "roles.toml"
    broken = '[users.kim]\nrole = "driver"\npin_hash = "x"\n'
    path.write_text(broken)
    code, said = _roles(monkeypatch, capsys, "add", str(path), "--user", "lee", "--role",
                        "operator", pin="new-1357")  # fmt: skip
    assert code == 2
    assert "roles.toml" in said
    assert "line 2" in said or ":2" in said
    assert path.read_text() == broken


def test_the_demo_roles_shared_logins_still_work() -> None:
    roles = Roles.load(DEMO_ROLES)
    assert roles.login(Role.OPERATOR, "1111") == "operator"
    assert roles.login(Role.MAINTENANCE, "2222") == "maintenance"


def test_a_shared_login_name_with_quotes_and_a_newline_is_written_back_as_it_was() -> None:
    import tomllib

    from crane_ctrl.operation.roles import RoleEntry, roles_toml

    demo = Roles.load(DEMO_ROLES)
    odd = 'night "B"\nshift \\ ü'
    entry = RoleEntry(pin_hash=demo.roles["operator"].pin_hash, user=odd)
    text = roles_toml(demo.model_copy(update={"roles": {"operator": entry}}))
    assert tomllib.loads(text)["roles"]["operator"]["user"] == odd

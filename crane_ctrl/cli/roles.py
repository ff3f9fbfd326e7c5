"""``crane-ctrl roles``: who may log in, kept in a roles file by the maintenance engineer.

``roles add FILE --user NAME --role ROLE`` reads the new user's PIN twice without echo (or one
line from standard input with ``--pin-stdin``, for scripts), refuses a PIN another user of that
role already has (a login is a role and a PIN), and writes the file anew: only hashes, mode
0600, replaced in one step so that a station reading it never sees half a file. ``change`` gives
a user a new PIN or role, ``remove`` takes a user out, ``list`` shows who may log in (never a
hash), ``hash`` prints a ``pin_hash`` line for a hand-written file. A file that does not load is
never written: its located problems are printed and nothing changes. A running station reads
its roles file when it starts.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any, Literal, cast

from crane_ctrl.errors import CraneCtrlError

__all__ = ["add_parsers"]

_HEADER = "crane-ctrl roles file: written by `crane-ctrl roles`; it holds PIN hashes, never a PIN."


def add_parsers(commands: Any) -> None:
    roles = commands.add_parser("roles", help="who may log in: add, change, remove, list users")
    sub = roles.add_subparsers(dest="roles_command", metavar="ACTION", required=True)
    sub.add_parser("hash", help="read a PIN without echo; print its pin_hash line")
    for action, what in (("add", "add a user"), ("change", "give a user a new PIN or role"),
                         ("remove", "take a user out")):  # fmt: skip
        one = sub.add_parser(action, help=what)
        one.add_argument("file", type=Path, help="the roles file (add: created if missing)")
        one.add_argument("--user", required=True, help="the user's name (lower case)")
        if action != "remove":
            one.add_argument("--role", choices=("operator", "maintenance"),
                             required=action == "add", help="what the user may do")  # fmt: skip
            one.add_argument("--pin-stdin", action="store_true",
                             help="read the PIN from one line of standard input")  # fmt: skip
        if action == "change":
            one.add_argument("--keep-pin", action="store_true", help="change only the role")
    listed = sub.add_parser("list", help="who may log in, and as what")
    listed.add_argument("file", type=Path)
    roles.set_defaults(handler=_roles)


def _roles(args: argparse.Namespace) -> int:
    from crane_ctrl.operation.roles import hash_pin

    if args.roles_command == "hash":
        print(f'pin_hash = "{_checked(hash_pin, _pin(args))}"')
        return 0
    if args.roles_command == "list":
        return _list(args.file)
    return _edit(args)


def _list(path: Path) -> int:
    from crane_ctrl.operation.roles import Roles

    roles = Roles.load(path)
    for name, entry in sorted(roles.users.items()):
        print(f"{name:<24} {entry.role}")
    for role, shared in sorted(roles.roles.items()):
        print(f"{shared.user or role:<24} {role} (shared login)")
    return 0


def _edit(args: argparse.Namespace) -> int:
    from crane_ctrl.operation.roles import USER_NAME, Roles, UserEntry, hash_pin

    path: Path = args.file
    if not re.fullmatch(USER_NAME, args.user):
        raise CraneCtrlError(f"user name {args.user!r}: lower case letters, digits, '.', '_' "
                             "and '-', a letter first, at most 32 characters")  # fmt: skip
    roles = Roles.load(path) if path.exists() or args.roles_command != "add" else Roles()
    users = dict(roles.users)
    name: str = args.user
    if args.roles_command == "add" and name in users:
        raise CraneCtrlError(f"{path}: user {name!r} is there already: `roles change` changes it")
    if args.roles_command != "add" and name not in users:
        known = ", ".join(sorted(users)) or "none"
        raise CraneCtrlError(f"{path}: no user {name!r} (users: {known})")
    if args.roles_command == "remove":
        del users[name]
        _write(path, roles.model_copy(update={"users": users}))
        print(f"{name} removed from {path}")
        return 0
    role = cast(Literal["operator", "maintenance"], args.role or users[name].role)
    if getattr(args, "keep_pin", False):
        pin_hash = users[name].pin_hash
    else:
        pin = _pin(args)
        taken = roles.pin_taken(role, pin, but=name)
        if taken:
            raise CraneCtrlError(f"{taken} has that PIN as {role}: a login is a role and a "
                                 "PIN, so each user of a role needs their own; choose "
                                 "another")  # fmt: skip
        pin_hash = _checked(hash_pin, pin)
    users[name] = _checked(lambda: UserEntry(role=role, pin_hash=pin_hash))
    updated = _checked(lambda: Roles.model_validate(
        {**roles.model_dump(by_alias=True), "users": {k: v.model_dump() for k, v in users.items()}}
    ))  # fmt: skip
    _write(path, updated)
    print(f"{name} ({role}) {'added to' if args.roles_command == 'add' else 'changed in'} {path}")
    return 0


def _checked(fn: Any, *args: Any) -> Any:
    """``fn(*args)``, a ``ValueError`` (a short PIN, a bad user name) as a plain message."""
    try:
        return fn(*args)
    except ValueError as exc:
        raise CraneCtrlError(str(exc).strip()) from None


def _pin(args: argparse.Namespace) -> str:
    if getattr(args, "pin_stdin", False):
        return sys.stdin.readline().rstrip("\n")
    from crane_ctrl.cli.hmi import read_pin

    return read_pin("new PIN: ")


def _write(path: Path, roles: Any) -> None:
    """The file anew, mode 0600, replaced in one step (never half written)."""
    from crane_ctrl.operation.roles import roles_toml

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(roles_toml(roles, _HEADER))
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise

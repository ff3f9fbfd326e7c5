"""The logins of a demo block (``crane-ctrl fleet demo``, ``bench fleet``): the shipped demo
roles, and a user of its own for each program that logs in over the broker, each with a fresh
random PIN.

The roles file every crane of the block loads is written to the run's private folder: the
shipped demo roles (:data:`~crane_ctrl.operation.roles.DEMO_ROLES`: the operator and maintenance
PINs the README gives, for the people at the HMIs) and one operator login per program. The
dispatcher's PIN goes to a file of its own (mode 0600) that ``crane-ctrl dispatch --pin-file``
reads (``crane-ctrl fleet demo`` deletes it once the dispatcher is up); a PIN stays off every
command line, log and shipped file.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from crane_ctrl.operation.machine import Role
from crane_ctrl.operation.roles import (
    DEMO_ROLES,
    MIN_ITERATIONS,
    RoleName,
    Roles,
    UserEntry,
    hash_pin,
    roles_toml,
)

__all__ = ["BENCH_USER", "DISPATCH_USER", "DemoLogins", "Login", "demo_logins"]

DISPATCH_USER = "tos-dispatch"
"""The dispatcher's login at every crane of a demo block."""
BENCH_USER = "ops-bench"
"""``crane-ctrl bench fleet``'s remote operator."""
PIN_BYTES = 12
"""Random bytes in a generated PIN (16 URL-safe characters)."""
HEADER = (
    "crane-ctrl fleet demo: the shipped demo roles (operator PIN 1111, maintenance PIN 2222,\n"
    "see the README) and a login for each program of the demo, its PIN random for this run."
)


@dataclass(frozen=True, slots=True)
class Login:
    """A user of the roles file and the PIN it logs in with (never shown)."""

    user: str
    role: Role
    pin: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class DemoLogins:
    roles: Path
    """The roles file the block's cranes load."""
    dispatcher: Login
    dispatcher_pin_file: Path
    """The dispatcher's PIN, alone in a file only this user may read."""
    operator: Login
    """A remote operator (the benchmark's)."""


def demo_logins(where: Path) -> DemoLogins:
    """Write the roles file and the dispatcher's PIN file into ``where`` (made private)."""
    where.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(where, 0o700)
    dispatcher = Login(DISPATCH_USER, Role.OPERATOR, _pin())
    operator = Login(BENCH_USER, Role.OPERATOR, _pin())
    shipped = Roles.load(DEMO_ROLES)
    users = {**shipped.users, **{login.user: _entry(login) for login in (dispatcher, operator)}}
    roles = shipped.model_copy(update={"users": users})
    roles_path = _private(where / "roles.toml", roles_toml(roles, HEADER))
    pin_file = _private(where / "dispatch.pin", dispatcher.pin + "\n")
    return DemoLogins(roles_path, dispatcher, pin_file, operator)


def _pin() -> str:
    return secrets.token_urlsafe(PIN_BYTES)


def _entry(login: Login) -> UserEntry:
    """The fewest PBKDF2 rounds a roles file takes: a remote login computes them at each
    crane (a demo's PINs are random and live one run)."""
    role: RoleName = "operator" if login.role is Role.OPERATOR else "maintenance"
    return UserEntry(role=role, pin_hash=hash_pin(login.pin, iterations=MIN_ITERATIONS))


def _private(path: Path, text: str) -> Path:
    """``text`` into a new file only this user may read or write."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)
    return path

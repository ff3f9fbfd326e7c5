"""Who may log in to the HMI, and as what: PINs from a roles file, stored only as salted hashes.

```toml
[users.kim]                    # one table per person: crane-ctrl roles add FILE --user kim ...
role = "operator"
pin_hash = "pbkdf2-sha256$200000$<salt hex>$<hash hex>"
[users.lee]
role = "maintenance"
pin_hash = "pbkdf2-sha256$200000$..."
[roles.operator]               # or one shared login per role (the demo's)
pin_hash = "pbkdf2-sha256$200000$..."                     # crane-ctrl roles hash
user = "operator"                                         # optional: the name in the journal
[login]                        # optional: how wrong PINs slow and lock the next tries
delay_after = 3                # (crane_ctrl.operation.login_guard.LoginPolicy; these are defaults)
lockout_after = 10
lockout_s = 300
```

A login names a role and a PIN; it is the user of that role whose PIN it is (each person's PIN
is unique within their role: ``crane-ctrl roles add`` refuses a PIN another user of the role has),
or the role's shared login. A PIN is hashed with PBKDF2-HMAC-SHA256 and a random salt
(:func:`hash_pin`); a login compares hashes in constant time (:func:`verify_pin`), trying each
user of the role (about 0.1 s each: a few dozen people per crane stay under a few seconds).
The file never holds a PIN. The rules of what each
role may do live with the station (:class:`~crane_ctrl.operation.machine.Role`); this module only
says who someone is.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crane_ctrl.config.file import load_model
from crane_ctrl.config.file_kinds import ROLES
from crane_ctrl.errors import LoginRefused
from crane_ctrl.operation.login_guard import LoginPolicy
from crane_ctrl.operation.machine import Role

__all__ = [
    "DEMO_ROLES",
    "USER_NAME",
    "LoginRefused",
    "PinKey",
    "RoleEntry",
    "Roles",
    "UserEntry",
    "hash_pin",
    "pin_key",
    "roles_toml",
    "verify_pin",
]

DEMO_ROLES = Path(__file__).resolve().parents[2] / "hmi" / "demo-roles.toml"
"""The shipped demo roles: operator PIN 1111, maintenance PIN 2222 (see the README)."""

_SCHEME = "pbkdf2-sha256"
ITERATIONS = 200_000
"""PBKDF2 rounds for new hashes (about 0.1 s per login on a small machine)."""
MIN_ITERATIONS = 100_000
"""Fewer PBKDF2 rounds than this in a roles file is refused when it loads: such a hash is
cheap to try PINs against offline."""
MIN_SALT_BYTES = 16
_DIGEST_BYTES = 32
_MIN_PIN = 4
USER_NAME = r"^[a-z][a-z0-9._-]{0,31}$"
"""A user's name: lower case, a letter first, at most 32 characters (it goes in the journal)."""
RoleName = Literal["operator", "maintenance"]


def hash_pin(pin: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """``pbkdf2-sha256$ITERATIONS$SALT$HASH`` (hex) for ``pin``; ``ValueError`` if too short."""
    if len(pin) < _MIN_PIN or not pin.isprintable() or pin.strip() != pin:
        raise ValueError(f"a PIN has at least {_MIN_PIN} printable characters, no outer spaces")
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = pin_key(pin, salt, iterations)
    return f"{_SCHEME}${iterations}${salt.hex()}${digest.hex()}"


def _parse(pin_hash: str) -> tuple[int, bytes, bytes]:
    scheme, iterations, salt, digest = pin_hash.split("$")
    if scheme != _SCHEME:
        raise ValueError(f"unknown hash scheme {scheme!r}; expected {_SCHEME}")
    return int(iterations), bytes.fromhex(salt), bytes.fromhex(digest)


@dataclass(frozen=True, slots=True)
class PinKey:
    """A PIN's PBKDF2 key and how it was made: what a login that proves its PIN without
    sending it needs (:mod:`crane_ctrl.fleet.srp`). ``key`` never shows in ``repr``."""

    iterations: int
    salt: bytes
    key: bytes = field(repr=False)


def pin_key(pin: str, salt: bytes, iterations: int) -> bytes:
    """The PBKDF2-HMAC-SHA256 key of ``pin`` (the digest :func:`hash_pin` keeps)."""
    return hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)


def verify_pin(pin: str, pin_hash: str) -> bool:
    """Whether ``pin`` matches ``pin_hash`` (constant-time comparison)."""
    iterations, salt, digest = _parse(pin_hash)
    candidate = pin_key(pin, salt, iterations)
    return hmac.compare_digest(candidate, digest)


def _weakness(iterations: int, salt: bytes, digest: bytes) -> str:
    """What makes a stored hash too weak to keep ("" if nothing)."""
    if iterations < MIN_ITERATIONS:
        return f"{iterations} rounds, at least {MIN_ITERATIONS} are needed"
    if len(salt) < MIN_SALT_BYTES:
        return f"a salt of {len(salt)} bytes, at least {MIN_SALT_BYTES} are needed"
    if len(digest) != _DIGEST_BYTES:
        return f"a hash of {len(digest)} bytes, SHA-256 gives {_DIGEST_BYTES}"
    return ""


def _well_formed(value: str) -> str:
    try:
        iterations, salt, digest = _parse(value)
    except ValueError as exc:
        raise ValueError(
            f"pin_hash must be {_SCHEME}$ROUNDS$SALT$HASH from `crane-ctrl roles hash` ({exc})"
        ) from None
    weak = _weakness(iterations, salt, digest)
    if weak:
        raise ValueError(f"pin_hash is too weak: {weak}; make a new one with "
                         "`crane-ctrl roles hash`")  # fmt: skip
    return value


class RoleEntry(BaseModel):
    """One role's shared login."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    pin_hash: Annotated[str, Field(min_length=1)]
    """From ``crane-ctrl roles hash``; never the PIN itself."""
    user: str = ""
    """The name the journal records for this login (default: the role's name)."""

    _pin_hash = field_validator("pin_hash")(_well_formed)


class UserEntry(BaseModel):
    """One person's login (``[users.NAME]``)."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    role: RoleName
    pin_hash: Annotated[str, Field(min_length=1)]
    """From ``crane-ctrl roles add`` or ``change``; never the PIN itself."""

    _pin_hash = field_validator("pin_hash")(_well_formed)


class Roles(BaseModel):
    """The roles file: which roles can log in, each with its hashed PIN."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    roles: dict[RoleName, RoleEntry] = Field(default_factory=dict)
    """Shared logins by role name (:class:`~crane_ctrl.operation.machine.Role` values)."""
    users: dict[Annotated[str, Field(pattern=USER_NAME)], UserEntry] = Field(default_factory=dict)
    """Each person's login, by user name."""
    policy: LoginPolicy = Field(default_factory=LoginPolicy, alias="login")
    """The file's ``[login]``: how wrong PINs slow and lock the next tries (the station keeps
    the count)."""

    @classmethod
    def load(cls, path: str | Path) -> Roles:
        """Read a roles file; :class:`~crane_ctrl.errors.ConfigError` locates every problem."""
        return load_model(path, cls, ROLES)

    def login(self, role: Role, pin: str) -> str:
        """The name of the user of ``role`` whose PIN ``pin`` is (else the role's shared
        login's); :class:`LoginRefused` if none."""
        name: RoleName = "operator" if role is Role.OPERATOR else "maintenance"
        people = [(user, e.pin_hash) for user, e in self.users.items() if e.role == name]
        shared = self.roles.get(name)
        if shared is not None:
            people.append((shared.user or name, shared.pin_hash))
        if not people:
            raise LoginRefused(f"the roles file has no {role} login")
        for user, pin_hash in people:
            if verify_pin(pin, pin_hash):
                return user
        raise LoginRefused(f"wrong PIN for {role}")

    def key_of(self, user: str, role: Role) -> PinKey | None:
        """The stored key of ``user`` of ``role`` (a person's, or the shared login's name);
        ``None`` if there is no such login."""
        name: RoleName = "operator" if role is Role.OPERATOR else "maintenance"
        entry = self.users.get(user)
        pin_hash = entry.pin_hash if entry is not None and entry.role == name else None
        shared = self.roles.get(name)
        if pin_hash is None and shared is not None and (shared.user or name) == user:
            pin_hash = shared.pin_hash
        if pin_hash is None:
            return None
        iterations, salt, digest = _parse(pin_hash)
        return PinKey(iterations, salt, digest)

    def pin_taken(self, role: RoleName, pin: str, *, but: str = "") -> str:
        """Who of ``role`` (other than user ``but``) already has ``pin``: "" if nobody."""
        for user, entry in self.users.items():
            if user != but and entry.role == role and verify_pin(pin, entry.pin_hash):
                return user
        shared = self.roles.get(role)
        if shared is not None and verify_pin(pin, shared.pin_hash):
            return f"the shared {role} login"
        return ""


def roles_toml(roles: Roles, header: str = "") -> str:
    """``roles`` as a roles file's text (what ``crane-ctrl roles add/change/remove`` write)."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    for name, entry in sorted(roles.users.items()):
        lines += ["", f"[users.{name}]", f'role = "{entry.role}"', f'pin_hash = "{entry.pin_hash}"']
    for role, shared in sorted(roles.roles.items()):
        lines += ["", f"[roles.{role}]", f'pin_hash = "{shared.pin_hash}"']
        if shared.user:
            lines.append(f"user = {json.dumps(shared.user)}")  # a TOML basic string too
    policy = roles.policy.model_dump()
    if policy != LoginPolicy().model_dump():
        lines += ["", "[login]", *(f"{k} = {v!r}" for k, v in policy.items())]
    return "\n".join(lines).lstrip("\n") + "\n"

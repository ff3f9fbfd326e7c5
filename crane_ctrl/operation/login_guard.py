"""Logins that resist guessing: a growing wait after wrong PINs, and a lockout. Pure.

Four-digit PINs are 10,000 guesses; unchecked, a script finds one in minutes. So a role's wrong
PINs count (a right one clears the count): from the ``delay_after``-th on, the next try must wait
``first_delay_s``, then twice as long each time up to ``max_delay_s``; at ``lockout_after`` the
role is locked for ``lockout_s``, and each wrong PIN after that locks it twice as long again (at
most a day). A try in the wait is refused without the PIN being looked at. With the defaults the
first ten guesses take seven minutes and the twentieth waits a day: 10,000 would take decades,
while an operator who mistypes twice never waits. The count is per role (a PIN belongs to a
role), so a script cannot spread its guesses over clients. The policy is the roles file's
``[login]`` table (:class:`LoginPolicy`); time comes in as an argument.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MAX_LOCKOUT_S", "LoginGuard", "LoginPolicy", "Verdict"]

MAX_LOCKOUT_S = 86400.0
"""The longest a role is ever locked by one wrong PIN, s."""


class LoginPolicy(BaseModel):
    """How wrong PINs slow and stop the next tries (the roles file's ``[login]``)."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    delay_after: int = Field(default=3, ge=1, le=100)
    """Wrong PINs in a row before the next try must wait."""
    first_delay_s: float = Field(default=1.0, gt=0.0, le=3600.0)
    max_delay_s: float = Field(default=60.0, gt=0.0, le=86400.0)
    lockout_after: int = Field(default=10, ge=1, le=1000)
    """Wrong PINs in a row that lock the role."""
    lockout_s: float = Field(default=300.0, gt=0.0, le=86400.0)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a wrong PIN did: the count so far, and how long the role now waits (locked: the
    lockout's length)."""

    failures: int
    wait_s: float
    locked: bool


@dataclass(slots=True)
class _Count:
    failures: int = 0
    until: float = 0.0
    """No try before this time."""


class LoginGuard:
    """Wrong PINs per role, and until when each role must wait."""

    def __init__(self, policy: LoginPolicy | None = None) -> None:
        self.policy = policy or LoginPolicy()
        self._counts: dict[str, _Count] = {}

    def wait_s(self, role: str, now: float) -> float:
        """How long before ``role`` may try again (0: now)."""
        count = self._counts.get(role)
        return 0.0 if count is None else max(0.0, count.until - now)

    def failed(self, role: str, now: float) -> Verdict:
        """Count a wrong PIN for ``role`` at ``now``."""
        p = self.policy
        count = self._counts.setdefault(role, _Count())
        count.failures += 1
        if count.failures >= p.lockout_after:
            locked = min(p.lockout_s * _doubled(count.failures - p.lockout_after), MAX_LOCKOUT_S)
            count.until = now + locked
            return Verdict(count.failures, locked, locked=True)
        wait = 0.0
        if count.failures >= p.delay_after:
            wait = min(p.first_delay_s * _doubled(count.failures - p.delay_after), p.max_delay_s)
        count.until = now + wait
        return Verdict(count.failures, wait, locked=False)

    def succeeded(self, role: str) -> None:
        """A right PIN: the count starts again."""
        self._counts.pop(role, None)


def _doubled(times: int) -> float:
    """2 to the ``times``, no larger than any wait can grow (beyond that the cap holds)."""
    return 2.0 ** min(times, 40)

"""Who is logged in to the station: sessions the station issues and resolves itself.

A client logs in with a role and its PIN; the station checks the PIN against its own roles file
(:class:`~crane_ctrl.operation.roles.Roles`) and answers a session token
(``secrets.token_urlsafe``). Every action names its session, never a role: the station turns the
session into the :class:`User` (name and role) it issued, so a client cannot declare its own
role. The station checks it itself on every action, whoever calls
(:class:`~crane_ctrl.runtime.station.CraneStation`): the HMI in process, the seam, a later
operations centre. A session unknown to this station (forged, logged out, idle longer
than :data:`SESSION_IDLE_S`, or from before a restart) is refused with
:class:`~crane_ctrl.errors.SessionRefused` and journaled, as is every wrong PIN. A session opened
over a connection of the seam ends when that connection closes (:meth:`Sessions.end`): an HMI
that died, or that the station dropped, leaves no session behind, and its next one logs in
again.

Time is the station's clock; the PIN is hashed in a worker thread (PBKDF2 takes about 0.1 s and
releases the GIL), so a login never delays a scan.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import secrets
from dataclasses import dataclass, field, replace

from crane_ctrl.clock import Clock
from crane_ctrl.errors import LoginRefused, SessionRefused
from crane_ctrl.operation.login_guard import LoginGuard
from crane_ctrl.operation.machine import Role
from crane_ctrl.operation.roles import Roles
from crane_ctrl.runtime.recorder import EventSink

__all__ = ["SESSION_IDLE_S", "Sessions", "User", "session_tag"]

SESSION_IDLE_S = 8 * 3600.0
"""A session unused this long (a shift) expires: the next action is refused, log in again."""
TOKEN_BYTES = 32
"""Random bytes in a session token (``secrets.token_urlsafe``)."""


@dataclass(frozen=True, slots=True)
class User:
    """Who acts: a name for the journal and the role the station authenticated."""

    name: str
    role: Role = Role.OPERATOR
    session: str = field(default="", repr=False, compare=False)
    """The station's session token for this login; every action carries it, and the station
    acts only for the user it issued the session to (:meth:`Sessions.resolve`)."""
    source: str = field(default="", compare=False)
    """Where the session was opened from: the seam client, ``in-process``, or what the
    station's own process named (``demo start-up``, ``test rig``)."""

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


@dataclass(frozen=True, slots=True)
class _Session:
    user: User
    last_used: float


class Sessions:
    """The station's logins: PINs checked against ``roles``, sessions resolved to users."""

    def __init__(self, roles: Roles | None, clock: Clock, journal: EventSink | None) -> None:
        """``roles`` ``None``: nobody can log in (a view-only station)."""
        self.roles = roles
        self.clock = clock
        self.journal = journal
        self._open: dict[str, _Session] = {}
        self.guard = LoginGuard(roles.policy if roles is not None else None)
        """Wrong PINs per role: the growing wait and the lockout (:mod:`.login_guard`)."""

    async def login(self, role: Role, pin: str, *, client: str) -> User:
        """A new session for ``role``; :class:`LoginRefused` (journaled) on a wrong PIN."""
        roles = self.admit(role, client=client)
        try:
            name = await asyncio.to_thread(roles.login, role, pin)
        except LoginRefused as exc:
            raise self.wrong_pin(role, client, exc) from None
        return self.proven(name, role, client=client, how="pin")

    def admit(self, role: Role, *, client: str) -> Roles:
        """The roles file to check a PIN for ``role`` against now; :class:`LoginRefused`
        (journaled) without one, or while wrong PINs make ``role`` wait. A login that proves
        its PIN elsewhere (the operations centre's, :mod:`crane_ctrl.fleet.operator_logins`)
        goes through here, :meth:`wrong_pin` and :meth:`proven` like one typed at the HMI."""
        if self.roles is None:
            self._record("login refused", client, role=str(role), reason="no roles file")
            raise LoginRefused("this station takes no logins (it has no roles file)")
        wait = self.guard.wait_s(str(role), self.clock.now())
        if wait > 0.0:
            why = f"too many wrong PINs for {role}: try again in {math.ceil(wait)} s"
            self._record("login refused", client, role=str(role), reason=why)
            raise LoginRefused(why)
        return self.roles

    def proven(self, name: str, role: Role, *, client: str, how: str) -> User:
        """A new session for ``name``, whose PIN for ``role`` was just proven (``how``)."""
        self.guard.succeeded(str(role))
        return self._open_session(name, role, client, how=how)

    def issue(self, name: str, role: Role, *, client: str) -> User:
        """A session for a user the station's own process acts for (the demo's start-up, a
        bench, a lock-step test's operator), journaled like a login. Only code in the station's
        process can call it: a client of the seam logs in with a PIN."""
        return self._open_session(name, role, client, how="station")

    def _open_session(self, name: str, role: Role, client: str, *, how: str) -> User:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        user = User(name, role, session=token, source=client)
        self._open[token] = _Session(user, self.clock.now())
        self._record("login", client, user=name, role=str(role), session=session_tag(token),
                     how=how)  # fmt: skip
        return user

    def wrong_pin(self, role: Role, client: str, refused: LoginRefused) -> LoginRefused:
        """Count a wrong PIN, journal it (and a lockout); the refusal to raise."""
        verdict = self.guard.failed(str(role), self.clock.now())
        why = str(refused)
        if verdict.locked:
            why += f"; {role} locked for {verdict.wait_s:.0f} s after {verdict.failures} in a row"
        elif verdict.wait_s > 0.0:
            why += f"; wait {verdict.wait_s:.0f} s before the next try"
        self._record("login refused", client, role=str(role), reason=why,
                     failures=verdict.failures)  # fmt: skip
        if verdict.locked:
            self._record("login locked out", client, role=str(role), seconds=verdict.wait_s,
                         failures=verdict.failures)  # fmt: skip
        return LoginRefused(why)

    def logout(self, session: str, *, client: str) -> None:
        """End ``session`` (an unknown one is refused like any other use of it)."""
        user = self.resolve(session, client=client, action="logout")
        del self._open[session]
        self._record(
            "logout", client, user=user.name, role=str(user.role), session=session_tag(session)
        )

    def end(self, session: str, *, client: str, reason: str) -> None:
        """End ``session`` if it is still open (journaled as a logout with ``reason``), as
        when the connection it was opened over closes: nothing is refused, nothing raised."""
        held = self._open.pop(session, None)
        if held is not None:
            self._record("logout", client, user=held.user.name, role=str(held.user.role),
                         session=session_tag(session), reason=reason)  # fmt: skip

    def is_open(self, session: str) -> bool:
        """Whether ``session`` is one this station issued and has not ended (idle expiry is
        judged when it is next used)."""
        return session in self._open

    def resolve(self, session: str, *, client: str, action: str) -> User:
        """The user ``session`` was issued to; :class:`SessionRefused` (journaled) if none."""
        if not session:
            self._record("session refused", client, action=action, reason="no session")
            raise SessionRefused(f"{action} needs a session: log in first")
        held = self._open.get(session)
        now = self.clock.now()
        if held is not None and now - held.last_used > SESSION_IDLE_S:
            del self._open[session]
            self._record("session refused", client, action=action, session=session_tag(session),
                         reason="expired", user=held.user.name)  # fmt: skip
            raise SessionRefused(
                f"session expired after {SESSION_IDLE_S / 3600:g} h idle; log in again"
            )
        if held is None:
            self._record("session refused", client, action=action, session=session_tag(session),
                         reason="unknown")  # fmt: skip
            raise SessionRefused("this station issued no such session; log in again")
        self._open[session] = replace(held, last_used=now)
        return held.user

    def _record(self, subject: str, client: str, **values: object) -> None:
        if self.journal is not None:
            self.journal.record("operator", subject, client=client, **values)


def session_tag(token: str) -> str:
    """What the journal keeps of a session: enough to tell sessions apart, not to use one."""
    return hashlib.sha256(token.encode()).hexdigest()[:12] if token else "(none)"

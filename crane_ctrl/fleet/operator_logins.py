"""The station's side of the operations centre's logins, and of every command's authentication.

A remote operator logs in once per station with SRP (:mod:`crane_ctrl.fleet.srp`): the
station proves nothing to a listener and learns no PIN; its roles file already holds what it
needs (each login's PBKDF2 key). The station's own :class:`~crane_ctrl.runtime.sessions.Sessions`
guards the login like one typed at the HMI (the growing wait and the lockout after wrong PINs,
per role) and issues the session, with source ``ops:HOST``. The session's token stays in the
station; the operations centre knows the session by its tag (what the journal shows) and signs
every command with the login's key (:func:`crane_ctrl.fleet.operator_wire.keys`) and a counter
that must grow: :meth:`Logins.verify` refuses an unknown session, a MAC that does not match, a
command naming another user, and a counter not above the last (a replayed message), each
journaled and counted (``Operator/Refused``).

An unknown user, or a user of another role, gets a made-up salt and fails at the proof exactly
like a wrong PIN (and is counted as one): the broker cannot tell who exists.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from crane_ctrl.errors import LoginRefused, OrderError, SessionRefused
from crane_ctrl.fleet.operator_wire import (
    COMMAND,
    LOGIN,
    Keys,
    LoginProof,
    LoginStart,
    Order,
    Outcome,
    Result,
    authentic,
    keys,
    opened,
    parse_order,
    request_of,
)
from crane_ctrl.fleet.srp import GROUP, ServerHandshake, x_of
from crane_ctrl.operation.machine import Role
from crane_ctrl.operation.roles import ITERATIONS, PinKey
from crane_ctrl.runtime.sessions import Sessions, User, session_tag

__all__ = ["LOGIN_WITHIN_S", "MAX_PENDING", "MAX_REMOTE", "Logins", "Remote"]

log = logging.getLogger(__name__)

LOGIN_WITHIN_S = 30.0
"""A login's proof must come this long after its start at most (the client's PBKDF2 takes
a fraction of a second)."""
MAX_PENDING = 4
"""Logins under way at once; more are refused without any arithmetic (a flood of logins must
not take the scan's thread: each costs two 2048-bit modular powers)."""
MAX_REMOTE = 32
"""Remote sessions held; the one unused longest is logged out to make room."""
ID_CHARS = 64
"""Longest user name or operations-centre id a login may give (they go in the journal)."""


@dataclass(slots=True)
class Remote:
    """One remote operator's login at this station."""

    user: User
    """With the station's session token (never leaves the station)."""
    tag: str
    keys: Keys
    host: str
    last_n: int = 0
    """The highest command counter accepted so far."""


@dataclass(slots=True)
class _Pending:
    start: LoginStart
    role: Role
    handshake: ServerHandshake
    name: str | None
    """The user to log in if the proof holds (``None``: there is no such login)."""
    since: float


class Logins:
    """Remote logins and sessions of one station (``node``: its Sparkplug id, in every MAC)."""

    def __init__(self, sessions: Sessions, node: str) -> None:
        self.sessions = sessions
        self.node = node
        self.refused = 0
        """Commands refused before they reached the station (``Operator/Refused``)."""
        self._pending: dict[str, _Pending] = {}
        self._remote: dict[str, Remote] = {}
        self._verifiers: dict[tuple[str, str, bytes], int] = {}
        self._made_up = secrets.token_bytes(32)
        """Made-up salts and keys for logins that do not exist come from this."""

    # --- logging in

    async def start(self, start: LoginStart) -> Result:
        """The station's SRP values for a login, or why not."""
        try:
            role = _role_of(start)
            roles = self.sessions.admit(role, client=_source(start.host))
        except (OrderError, LoginRefused) as exc:
            return _refused(start.id, str(exc))
        self._expire()
        if len(self._pending) >= MAX_PENDING:
            return _refused(start.id, "too many logins under way: try again in a few seconds")
        stored = roles.key_of(start.user, role)
        pin = stored or self._invented(start.user, role)
        verifier = await self._verifier(start.user, role, pin)
        await asyncio.sleep(0)  # a scan may run between the two modular powers
        try:
            handshake = ServerHandshake(GROUP, start.user.encode(), pin.salt, verifier,
                                        start.a_pub)  # fmt: skip
        except ValueError as exc:
            return _refused(start.id, f"A: {exc}")
        login = secrets.token_hex(8)
        name = start.user if stored is not None else None
        self._pending[login] = _Pending(start, role, handshake, name, self._now())
        return Result(start.id, Outcome.CHALLENGE, values={
            "login": login, "salt": pin.salt.hex(), "iterations": pin.iterations,
            "B": f"{handshake.b_pub:x}"})  # fmt: skip

    async def prove(self, proof: LoginProof) -> tuple[Result, Keys | None]:
        """A session for a login whose proof holds (and the M2 that proves the station), or
        why not; the answer's key."""
        self._expire()
        pending = self._pending.pop(proof.login, None)
        if pending is None:
            why = f"no login {proof.login} under way (each lasts {LOGIN_WITHIN_S:g} s): start again"
            return _refused(proof.id, why), None
        start, source = pending.start, _source(pending.start.host)
        try:
            self.sessions.admit(pending.role, client=source)
        except LoginRefused as exc:
            return _refused(proof.id, str(exc)), None
        await asyncio.sleep(0)
        checked = pending.handshake.check(proof.m1, pending.handshake.premaster())
        if checked is None or pending.name is None:
            wrong = LoginRefused(f"wrong user or PIN for {pending.role} (user {start.user})")
            counted = self.sessions.wrong_pin(pending.role, source, wrong)
            return _refused(proof.id, str(counted)), None
        session_key, m2 = checked
        user = self.sessions.proven(pending.name, pending.role, client=source, how="srp")
        remote = Remote(user, session_tag(user.session), keys(session_key), start.host)
        self._hold(remote)
        return Result(proof.id, Outcome.DONE, values={
            "session": remote.tag, "user": user.name, "role": str(user.role),
            "M2": m2.hex()}), remote.keys  # fmt: skip

    def logout(self, remote: Remote) -> None:
        self._remote.pop(remote.tag, None)
        self.sessions.logout(remote.user.session, client=_source(remote.host))

    def forget(self, remote: Remote) -> None:
        """Forget a remote session the station no longer knows (expired)."""
        self._remote.pop(remote.tag, None)

    # --- every command

    def verify(self, text: str) -> tuple[Remote, Order]:
        """The remote session and order of an ``Operator/Command`` value, if its MAC, user and
        counter hold; :class:`OrderError` or :class:`SessionRefused` (journaled, counted)."""
        try:
            body_text, tag, body = opened(text, COMMAND)
            order = parse_order(body)
        except OrderError as exc:
            self._refuse(str(exc), request=request_of(text))
            raise
        remote = self._remote.get(order.session)
        if remote is None:
            raise self._refuse("this station has no such session: log in again", order=order)
        if not authentic(remote.keys.command, self.node, body_text, tag):
            raise self._refuse("the MAC does not match the session's key (forged, or another "
                               "session's)", order=order, remote=remote)  # fmt: skip
        if order.user != remote.user.name:
            raise self._refuse(f"the session is {remote.user.name}'s, not {order.user}'s",
                               order=order, remote=remote)  # fmt: skip
        if order.n <= remote.last_n:
            raise self._refuse(f"replayed: counter {order.n} is not above the last one taken, "
                               f"{remote.last_n}", order=order, remote=remote)  # fmt: skip
        remote.last_n = order.n
        self._remote[remote.tag] = self._remote.pop(remote.tag)  # the most recently used last
        return remote, order

    def _refuse(self, why: str, *, order: Order | None = None, remote: Remote | None = None,
                request: str = "") -> SessionRefused:  # fmt: skip
        self.refused += 1
        values: dict[str, Any] = {"reason": why, "request": order.id if order else request}
        if order is not None:
            values.update(cmd=order.cmd, claimed=order.user, session=order.session, n=order.n)
        source = _source(remote.host) if remote is not None else "ops (unauthenticated)"
        self._journal("command refused", source=source, **values)
        return SessionRefused(why)

    # --- inside

    def _hold(self, remote: Remote) -> None:
        while len(self._remote) >= MAX_REMOTE:
            oldest = next(iter(self._remote.values()))
            try:
                self.logout(oldest)
            except SessionRefused:
                self.forget(oldest)
        self._remote[remote.tag] = remote

    async def _verifier(self, user: str, role: Role, pin: PinKey) -> int:
        key = (user, str(role), pin.salt)
        if key not in self._verifiers:
            await asyncio.sleep(0)
            self._verifiers[key] = ServerHandshake.verifier(GROUP, x_of(pin.key))
        return self._verifiers[key]

    def _invented(self, user: str, role: Role) -> PinKey:
        """The same made-up salt every time for a login that does not exist."""
        seed = hmac.digest(self._made_up, f"{user}\n{role}".encode(), hashlib.sha256)
        return PinKey(ITERATIONS, seed[:16], hmac.digest(seed, b"key", hashlib.sha256))

    def _expire(self) -> None:
        oldest = self._now() - LOGIN_WITHIN_S
        for login in [k for k, p in self._pending.items() if p.since < oldest]:
            del self._pending[login]

    def _now(self) -> float:
        return self.sessions.clock.now()

    def _journal(self, subject: str, **values: Any) -> None:
        journal = self.sessions.journal
        if journal is not None:
            journal.record("operator", subject, **values)


def _source(host: str) -> str:
    return f"ops:{host}"


def _role_of(start: LoginStart) -> Role:
    """The role a login asks for; :class:`OrderError` for a role, user or host no login has."""
    _check_id(start.host, "host", "the operations centre's id")
    _check_id(start.user, "user", "the user's name")
    try:
        return Role(start.role)
    except ValueError:
        raise OrderError(f"{LOGIN} role: operator or maintenance, not {start.role!r}") from None


def _check_id(text: str, name: str, what: str) -> None:
    if not 0 < len(text) <= ID_CHARS or not text.isprintable() or any(c in text for c in "+/#"):
        raise OrderError(f"{LOGIN} {name}: {what}, 1 to {ID_CHARS} printable characters but "
                         f"+ / #, not {text[:ID_CHARS]!r}")  # fmt: skip


def _refused(request: str, why: str) -> Result:
    return Result(request, Outcome.REFUSED, why)

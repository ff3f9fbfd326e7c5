"""What the operations centre and a station say to each other over Sparkplug B: the ``Operator/...``
metrics, their JSON, and the MACs that tie a command to a login. Pure.

Three String metrics, declared in every NBIRTH (so any Sparkplug host may write them, by alias or
by name): ``Operator/Login`` and ``Operator/Command`` (written by NCMD) and ``Operator/Result``
(the station's answers, in NDATA). Each value is JSON text; ``docs/fleet.md`` shows every field.

A command is an envelope ``{"body": "<JSON text>", "mac": "<hex>"}``: the MAC is an HMAC-SHA256
over the node's id and the body's exact text, under a key only the station and the operator's
login hold (:func:`keys`, from the SRP login's key), so nothing is canonicalised and any language
can produce it. An answer to an authenticated command carries a MAC too, under a second key: a
broker client cannot make the operations centre believe a STOP was done.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from crane_ctrl.errors import OrderError
from crane_ctrl.fleet.payload import DataType
from crane_ctrl.fleet.reading import MetricDef

__all__ = [
    "COMMAND",
    "LANDING",
    "LOGIN",
    "MAX_TEXT",
    "REFUSED",
    "RESULT",
    "Keys",
    "LoginProof",
    "LoginStart",
    "Order",
    "Outcome",
    "Result",
    "keys",
    "parse_login",
    "parse_order",
    "parse_result",
    "request_of",
    "seal",
]

LOGIN = "Operator/Login"
COMMAND = "Operator/Command"
RESULT = "Operator/Result"
REFUSED = "Operator/Refused"
"""Commands refused before they reached the station: unreadable, an unknown session, a MAC
that does not match, a counter not above the last (a replay)."""
LANDING = "Operator/Landing"
"""Who holds the SEMIAUTOMATIC landing waiting for an operator (null: nobody)."""
METRICS = (
    MetricDef(LOGIN, DataType.STRING),
    MetricDef(COMMAND, DataType.STRING),
    MetricDef(RESULT, DataType.STRING),
    MetricDef(REFUSED, DataType.INT64),
    MetricDef(LANDING, DataType.STRING),
)
"""The node's ``Operator/...`` metrics, as every NBIRTH declares them."""
VERSION = 1
MAX_TEXT = 8192
"""Longest ``Operator/...`` value read, characters (a command is a few hundred)."""

_T = TypeVar("_T")


class Outcome(StrEnum):
    DONE = "done"
    REFUSED = "refused"
    FAILED = "failed"
    CHALLENGE = "challenge"
    """The first answer to a login: the station's SRP values."""


@dataclass(frozen=True, slots=True)
class Keys:
    """A login's two MAC keys (never in ``repr``)."""

    command: bytes = field(repr=False)
    result: bytes = field(repr=False)


def keys(session_key: bytes) -> Keys:
    """The command and answer keys of an SRP session key (one key per direction)."""
    return Keys(hmac.digest(session_key, b"crane-ctrl ops command", hashlib.sha256),
                hmac.digest(session_key, b"crane-ctrl ops result", hashlib.sha256))  # fmt: skip


def mac(key: bytes, node: str, body: str) -> str:
    return hmac.new(key, f"{node}\n{body}".encode(), hashlib.sha256).hexdigest()


def seal(body: Mapping[str, Any], key: bytes | None, node: str) -> str:
    """``body`` as an envelope's text, with its MAC under ``key`` (none without a key)."""
    text = json.dumps({"v": VERSION, **body}, separators=(",", ":"))
    return json.dumps({"body": text, "mac": mac(key, node, text) if key else ""})


def opened(text: str, what: str) -> tuple[str, str, dict[str, Any]]:
    """(body text, MAC, body) of an envelope; :class:`OrderError` if it is none."""
    doc = _json(text, what)
    body, tag = _get(doc, "body", str, what), _get(doc, "mac", str, what)
    return body, tag, _json(body, f"{what} body")


def authentic(key: bytes, node: str, body: str, tag: str) -> bool:
    return hmac.compare_digest(mac(key, node, body), tag)


@dataclass(frozen=True, slots=True)
class LoginStart:
    """``{"step": "start", "id", "user", "role", "host", "A"}``: a login begins."""

    id: str
    user: str
    role: str
    host: str
    a_pub: int


@dataclass(frozen=True, slots=True)
class LoginProof:
    """``{"step": "proof", "id", "login", "M1"}``: the client's SRP proof."""

    id: str
    login: str
    m1: bytes


def parse_login(text: str) -> LoginStart | LoginProof:
    """An ``Operator/Login`` value; :class:`OrderError` naming what is wrong."""
    doc = _json(text, LOGIN)
    step, rid = _get(doc, "step", str, LOGIN), _get(doc, "id", str, LOGIN)
    if step == "start":
        return LoginStart(rid, _get(doc, "user", str, LOGIN), _get(doc, "role", str, LOGIN),
                          _get(doc, "host", str, LOGIN), _hex_int(doc, "A", LOGIN))  # fmt: skip
    if step == "proof":
        return LoginProof(rid, _get(doc, "login", str, LOGIN), _hex(doc, "M1", LOGIN))
    raise OrderError(f"{LOGIN} step: 'start' or 'proof', not {step!r}")


def login_text(doc: Mapping[str, Any]) -> str:
    return json.dumps({"v": VERSION, **doc}, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Order:
    """An ``Operator/Command`` body: who (user, session tag), which (request id, counter),
    what (``cmd``, ``args``)."""

    id: str
    user: str
    session: str
    n: int
    cmd: str
    args: Mapping[str, Any]


def parse_order(body: Mapping[str, Any]) -> Order:
    """The order in an opened envelope's body; :class:`OrderError` naming what is wrong."""
    n = _get(body, "n", int, COMMAND)
    if isinstance(n, bool) or n < 1:
        raise OrderError(f"{COMMAND} n: a counter from 1 up, not {n!r}")
    args = body.get("args", {})
    if not isinstance(args, dict):
        raise OrderError(f"{COMMAND} args: an object, not {type(args).__name__}")
    return Order(_get(body, "id", str, COMMAND), _get(body, "user", str, COMMAND),
                 _get(body, "session", str, COMMAND), n, _get(body, "cmd", str, COMMAND),
                 args)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Result:
    """An ``Operator/Result``: the answer to request ``id``. ``authentic``: its MAC was checked
    under the login's key (a refusal of an unknown session or a bad MAC cannot carry one)."""

    id: str
    outcome: Outcome
    why: str = ""
    values: Mapping[str, Any] = field(default_factory=dict)
    """What else the station said (a job's id, the login's SRP values)."""
    authentic: bool = False

    @property
    def done(self) -> bool:
        return self.outcome is Outcome.DONE

    def body(self) -> dict[str, Any]:
        return {"id": self.id, "result": str(self.outcome), "why": self.why, **self.values}


def parse_result(text: str, node: str, key: Callable[[str], bytes | None] | None = None) -> Result:
    """An ``Operator/Result`` value; ``key(id)`` gives the answer key of the login that asked
    request ``id`` (if any), to check its MAC. :class:`OrderError` if it is none."""
    body_text, tag, body = opened(text, RESULT)
    rid = _get(body, "id", str, RESULT)
    outcome = _get(body, "result", str, RESULT)
    if outcome not in set(Outcome):
        raise OrderError(f"{RESULT} result: one of {', '.join(Outcome)}, not {outcome!r}")
    secret = key(rid) if key is not None else None
    checked = bool(tag) and secret is not None and authentic(secret, node, body_text, tag)
    values = {k: v for k, v in body.items() if k not in ("v", "id", "result", "why")}
    return Result(rid, Outcome(outcome), str(body.get("why", "")), values, checked)


def request_of(text: str) -> str:
    """The request id of a message that cannot be read whole, if it has one ("" if not): the
    refusal is addressed to it."""
    try:
        doc = json.loads(text)
        if isinstance(doc, dict) and isinstance(doc.get("body"), str):
            doc = json.loads(doc["body"])
    except ValueError:
        return ""
    value = doc.get("id") if isinstance(doc, dict) else None
    return value if isinstance(value, str) else ""


def _json(text: str, what: str) -> dict[str, Any]:
    if len(text) > MAX_TEXT:
        raise OrderError(f"{what}: {len(text)} characters, at most {MAX_TEXT}")
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise OrderError(f"{what}: not JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise OrderError(f"{what}: a JSON object, not {type(doc).__name__}")
    return doc


def _get(doc: Mapping[str, Any], name: str, kind: type[_T], what: str) -> _T:
    value = doc.get(name)
    if not isinstance(value, kind):
        got = "nothing" if value is None else repr(value)[:40]
        raise OrderError(f"{what} {name}: {_KINDS.get(kind, kind.__name__)}, not {got}")
    return value


_KINDS: dict[type, str] = {str: "text", int: "a whole number"}


def _hex(doc: Mapping[str, Any], name: str, what: str) -> bytes:
    text = _get(doc, name, str, what)
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise OrderError(f"{what} {name}: hex digits, not {text[:40]!r}") from None


def _hex_int(doc: Mapping[str, Any], name: str, what: str) -> int:
    text = _get(doc, name, str, what)
    if not 0 < len(text) <= 1024 or any(c not in string.hexdigits for c in text):
        raise OrderError(f"{what} {name}: a number in hex digits, not {text[:40]!r}")
    return int(text, 16)

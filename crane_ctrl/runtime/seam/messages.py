"""The seam's messages and their framing: one JSON object per line, a ``type`` key in each.

The schema is the pydantic models below (``messages_schema()`` prints it as JSON Schema);
:func:`parse_client` and :func:`parse_station` check every message that arrives. A view's
``view`` object and an action's ``args``, ``kwargs`` and ``result`` are JSON whose form follows
the station's types (:mod:`.wire`, :mod:`.actions`).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, TypeAdapter, ValidationError

from crane_ctrl.errors import SeamError
from crane_ctrl.operation.machine import Role

__all__ = [
    "MAX_REQUEST_BYTES",
    "MAX_VIEW_BYTES",
    "PROTOCOL",
    "ClientHello",
    "Login",
    "Logout",
    "Reply",
    "Request",
    "StationHello",
    "frame",
    "messages_schema",
    "parse_client",
    "parse_station",
]

PROTOCOL = 1
"""The seam's protocol version: both hellos carry it; a station refuses a client of another."""
MAX_REQUEST_BYTES = 64 * 1024
"""The longest line a client may send (a request is small); a longer one ends the connection."""
MAX_VIEW_BYTES = 16 * 1024 * 1024
"""The longest line a client accepts from the station (a view is some tens of kB)."""


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ClientHello(_Message):
    """Client -> station, first: who it is, its protocol version, how many views a second."""

    type: Literal["hello"] = "hello"
    protocol: int
    client: Annotated[str, Field(min_length=1, max_length=80)]
    """For the journal: ``hmi``, ``ops-centre``, ..."""
    view_hz: Annotated[float, Field(ge=0, le=10)] = 10.0
    """Views a second, at most 10; 0: no views (a client that only acts)."""


class Login(_Message):
    """Client -> station: a role and its PIN; answered with the session (or refused)."""

    type: Literal["login"] = "login"
    id: int
    role: Role
    pin: Annotated[str, Field(max_length=64)]


class Logout(_Message):
    """Client -> station: end a session."""

    type: Literal["logout"] = "logout"
    id: int
    session: str


class Request(_Message):
    """Client -> station: an action (:data:`~.actions.ACTION_NAMES`) as a session's user."""

    type: Literal["request"] = "request"
    id: int
    session: str
    action: str
    args: list[JsonValue] = []
    kwargs: dict[str, JsonValue] = {}


class StationHello(_Message):
    """Station -> client, first: its protocol version, which station (a new id each start), and
    the static facts (crane parameters, site layout, profile); sent again with ``type`` "facts"
    whenever the profile changes."""

    type: Literal["hello", "facts"] = "hello"
    protocol: int
    station: str
    """This station process's id: a new one means sessions of the old one are gone."""
    crane: str
    facts: dict[str, JsonValue]
    """``params``, ``site``, ``profile``, ``profile_path`` (their pydantic JSON forms),
    ``notes`` (lines for whoever attaches: the demo says where its fault channel and journal
    are), ``wall_offset_s`` (:attr:`CraneStation.wall_offset_s`: the station's times as wall
    time) and ``fault_channel`` (``HOST:PORT`` of the simulator's fault channel, or ``null``:
    the HMI offers its fault panel only with one)."""


class View(_Message):
    """Station -> client, at most ``view_hz`` a second: the latest view (latest wins)."""

    type: Literal["view"] = "view"
    seq: int
    """The station's scan count at this view."""
    view: dict[str, JsonValue]


class Reply(_Message):
    """Station -> client: the answer to a login, logout or request with the same ``id``."""

    type: Literal["reply"] = "reply"
    id: int
    ok: bool
    result: JsonValue = None
    """``ok``: what the action returned (a login: ``{session, user, role}``)."""
    error: str = ""
    """Refused: the error's class (``CommandRefused``, ``JobRefused``, ``SessionRefused``,
    ``LoginRefused``, ``ProfileError``, ``SeamError``, ``TimeoutError``, ``InternalError``)."""
    reasons: list[str] = []
    """Refused: every reason, as the station words it."""


class Bye(_Message):
    """Station -> client, last: why the station ends this connection."""

    type: Literal["bye"] = "bye"
    reason: str


ClientMessage = Annotated[ClientHello | Login | Logout | Request, Field(discriminator="type")]
StationMessage = Annotated[StationHello | View | Reply | Bye, Field(discriminator="type")]
_CLIENT: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)
_STATION_SMALL: TypeAdapter[StationHello | Reply | Bye] = TypeAdapter(
    Annotated[StationHello | Reply | Bye, Field(discriminator="type")]
)


def frame(message: BaseModel | dict[str, Any]) -> bytes:
    """One message as its line."""
    if isinstance(message, BaseModel):
        return message.model_dump_json().encode() + b"\n"
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def parse_client(line: bytes) -> ClientHello | Login | Logout | Request:
    """A client's line; :class:`SeamError` saying what is wrong with it."""
    try:
        return _CLIENT.validate_json(line)
    except ValidationError as exc:
        raise SeamError(f"not a seam message: {_first(exc)}") from None


def parse_station(line: bytes) -> StationHello | Reply | Bye | dict[str, Any]:
    """A station's line: a view stays a dict (its ``view`` is decoded by :mod:`.wire`)."""
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise SeamError(f"not JSON from the station: {exc}") from None
    if not isinstance(data, dict):
        raise SeamError("not a seam message from the station: not an object")
    if data.get("type") == "view":
        return data
    try:
        return _STATION_SMALL.validate_python(data)
    except ValidationError as exc:
        raise SeamError(f"not a seam message from the station: {_first(exc)}") from None


def messages_schema() -> dict[str, Any]:
    """The JSON Schema of every message, both ways (for the documentation and other clients)."""
    return {
        "client_to_station": _CLIENT.json_schema(),
        "station_to_client": TypeAdapter(StationMessage).json_schema(),
    }


def _first(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"]) or "message"
    return f"{where}: {error['msg']} ({exc.error_count()} problem(s))"

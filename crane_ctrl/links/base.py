"""The seam between the supervisor and a PLC: what every link does, and what it reports.

A link owns its client and its reconnect task (``async with link:``). ``read()`` returns every
status signal it could decode and a reason for every one it could not; ``write()`` writes command
signals. Neither ever raises into the scan loop: a failure is a result (``ok=False`` with the
reason), which the snapshot builder turns into signal quality. ``health`` says how the link is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import Protocol, Self

from crane_ctrl.signals import Value

__all__ = ["Backoff", "Link", "LinkHealth", "LinkState", "ReadResult", "WriteResult"]


class LinkState(StrEnum):
    CONNECTING = "connecting"
    """Never connected yet, or reconnecting after a loss."""
    UP = "up"
    DOWN = "down"
    """Lost; the reconnect task is waiting to try again."""
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class ReadResult:
    """One read of every status signal."""

    ok: bool
    """The PLC answered (some signals may still have problems)."""
    values: Mapping[str, Value] = field(default_factory=dict)
    problems: Mapping[str, str] = field(default_factory=dict)
    """Signal -> why it has no value this time (exception response, undecodable, ...)."""
    error: str = ""
    """Why the read failed as a whole (``ok`` false)."""
    duration_s: float = 0.0


@dataclass(frozen=True, slots=True)
class WriteResult:
    ok: bool
    error: str = ""
    duration_s: float = 0.0


@dataclass(frozen=True, slots=True)
class LinkHealth:
    """How a link is, for the HMI's comms screen and the journal."""

    name: str
    state: LinkState
    since: float
    """Clock time of the last state change."""
    reconnects: int = 0
    last_error: str = ""
    round_trip_s: float | None = None
    """Duration of the last successful read."""
    requests: int = 0
    failures: int = 0


class Link(Protocol):
    """What the scan loop needs of a link to one PLC."""

    @property
    def name(self) -> str: ...

    @property
    def health(self) -> LinkHealth: ...

    async def read(self) -> ReadResult: ...

    async def write(self, values: Mapping[str, Value]) -> WriteResult: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class Backoff:
    """Reconnect delays: ``first_s``, doubling, capped at ``cap_s``; ``reset()`` after success."""

    def __init__(self, first_s: float = 0.1, cap_s: float = 2.0) -> None:
        if not 0 < first_s <= cap_s:
            raise ValueError(f"need 0 < `first_s` <= `cap_s`, got {first_s} and {cap_s}")
        self.first_s = first_s
        self.cap_s = cap_s
        self._next = first_s

    def next(self) -> float:
        delay = self._next
        self._next = min(self.cap_s, self._next * 2)
        return delay

    def reset(self) -> None:
        self._next = self.first_s

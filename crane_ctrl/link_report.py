"""What a link to the PLC reports to the core: each read's and write's result, and its health.

Defined here, below the links, so that the core (signal quality, alarm conditions, the recorder)
can take a link's reports without importing a link; :mod:`crane_ctrl.links.base` re-exports
them beside the :class:`~crane_ctrl.links.base.Link` protocol that returns them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from crane_ctrl.signals import Value

__all__ = ["LinkHealth", "LinkState", "ReadResult", "WriteResult"]


class LinkState(StrEnum):
    CONNECTING = "connecting"
    """Never connected yet, or reconnecting after a loss."""
    UP = "up"
    DOWN = "down"
    """Lost; the reconnect task is waiting to try again."""
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class ReadResult:
    """One read of every status signal (and of the profile's points)."""

    ok: bool
    """The PLC answered (some signals may still have problems)."""
    values: Mapping[str, Value] = field(default_factory=dict)
    problems: Mapping[str, str] = field(default_factory=dict)
    """Signal -> why it has no value this time (exception response, undecodable, ...)."""
    error: str = ""
    """Why the read failed as a whole (``ok`` false)."""
    duration_s: float = 0.0
    points: Mapping[str, Value] = field(default_factory=dict)
    """The profile's ``[points]`` that decoded, and the read-back of each request the PLC
    clears itself (``cleared_by_plc``), under the command's name."""
    point_problems: Mapping[str, str] = field(default_factory=dict)
    """Point -> why it has no value this time."""
    proofs: Mapping[str, Value] = field(default_factory=dict)
    """Status block -> what this read shows of the proof that it is alive (the profile's
    ``[validity]``; :class:`~crane_ctrl.validity.ValidityTracker`); a block whose proof could not
    be read is left out."""


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
    """Requests that failed, and every read the PLC answered with an error (a refused block,
    an illegal address, bad status codes): a read that decodes nothing is never counted good."""

"""The operations centre's command path as its HMI sees it: what the HMI asks of it
(:class:`CommandPath`) and what comes back (:class:`Answer`). Pure: no MQTT, no event loop.

:class:`~crane_ctrl.fleet.remote_operator.RemoteOperator` is the path on a broker; the HMI
imports only this module of it (the ``ops-hmi`` import contract), so a screen can be tested with
any object of this shape. Every method answers: nothing the station or the network does comes
back as an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from crane_ctrl.fleet.fleet_view import CraneKey
from crane_ctrl.operation.machine import Role

__all__ = ["Answer", "CommandPath", "Verdict"]


class Verdict(StrEnum):
    DONE = "done"
    """The station did it."""
    REFUSED = "refused"
    """The station (or its login) refused it, in its own words; or the path refused it before
    asking (nobody logged in)."""
    FAILED = "failed"
    """The station tried and failed."""
    NO_ANSWER = "no answer"
    """No answer within the deadline, or the broker cannot be reached: whether it was done is
    not known (the crane's view says)."""


@dataclass(frozen=True, slots=True)
class Answer:
    """What one command to one crane came to."""

    verdict: Verdict
    why: str = ""
    """The station's words (refused, failed), or what kept the answer away."""
    values: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    """What a done command answers beyond done (``job.add``: the job's id)."""

    @property
    def done(self) -> bool:
        return self.verdict is Verdict.DONE


class CommandPath(Protocol):
    """One operator's line to every crane of the fleet."""

    @property
    def operator(self) -> tuple[str, Role] | None:
        """Who gave their login for this ops session (user, role); ``None``: nobody."""

    @property
    def sessions(self) -> tuple[CraneKey, ...]:
        """The cranes at which that operator is logged in now."""

    async def log_in(self, user: str, role: Role, pin: str) -> None:
        """Keep the login (in memory only) for the cranes to check at the first action on each;
        the sessions of the login before end (logged out)."""

    async def log_out(self) -> Answer:
        """Log out at every crane and forget the login."""

    async def command(self, crane: CraneKey, cmd: str, args: Mapping[str, object]) -> Answer:
        """``cmd`` with ``args`` at ``crane`` (logged in there first, if not yet)."""

    async def jog(self, crane: CraneKey, axis: str, direction: int) -> Answer | None:
        """``landing.jog``, paced: ``None`` when a repeat of the same jog is not due yet (one
        is on its way, or went less than the repeat time ago)."""

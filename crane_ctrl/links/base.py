"""The seam between the supervisor and a PLC: what every link does, and what it reports.

A link owns its client and its reconnect task (``async with link:``). ``read()`` returns every
status signal it could decode and a reason for every one it could not; ``write()`` writes command
signals. Neither ever raises into the scan loop: a failure is a result (``ok=False`` with the
reason), which the snapshot builder turns into signal quality. ``health`` says how the link is;
``declared_units`` what the PLC itself declares of its analog values' units and ranges (OPC UA's
``EngineeringUnits`` and ``EURange``; Modbus has no such thing), for commissioning.
What a link reports (:class:`ReadResult`, :class:`WriteResult`, :class:`LinkHealth`) is the
core's vocabulary, defined in :mod:`crane_ctrl.link_report` and re-exported here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from types import TracebackType
from typing import Protocol, Self

from crane_ctrl.clock import Clock
from crane_ctrl.link_report import LinkHealth, LinkState, ReadResult, WriteResult
from crane_ctrl.signals import Value
from crane_ctrl.units import DeclaredUnits

log = logging.getLogger("crane_ctrl.links")

__all__ = ["Backoff", "HealthBook", "Link", "LinkHealth", "LinkState", "ReadResult", "WriteResult"]


class Link(Protocol):
    """What the scan loop needs of a link to one PLC."""

    @property
    def name(self) -> str: ...

    @property
    def health(self) -> LinkHealth: ...

    @property
    def declared_units(self) -> Mapping[str, DeclaredUnits] | None:
        """Per analog signal, what the PLC declares of its node's unit and range; a signal whose
        node declares nothing is not in it. ``None``: the protocol declares nothing, or the
        link has not asked yet."""
        ...

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


class HealthBook:
    """Keeps a link's :class:`LinkHealth`: state changes (logged once), failures in a row."""

    def __init__(self, name: str, clock: Clock, failures_to_drop: int = 3) -> None:
        self.clock = clock
        self.failures_to_drop = failures_to_drop
        self._in_a_row = 0
        self.health = LinkHealth(name, LinkState.CONNECTING, clock.now())

    @property
    def state(self) -> LinkState:
        return self.health.state

    def set(self, state: LinkState, error: str = "", *, reconnected: bool = False) -> None:
        h = self.health
        if state is h.state and error == h.last_error:
            return
        if state is not h.state:
            log.info("%s: %s%s", h.name, state, f" ({error})" if error else "")
        back = reconnected and h.requests > 0
        self.health = replace(
            h,
            state=state,
            since=self.clock.now() if state is not h.state else h.since,
            reconnects=h.reconnects + back,
            last_error=error,
        )
        if state is LinkState.UP:
            self._in_a_row = 0

    def failure(self, error: str, *, toward_drop: bool = True) -> bool:
        """Count a failed request; true when that makes ``failures_to_drop`` in a row.

        ``toward_drop=False`` for a request the PLC answered with an error: the link is fine.
        """
        self.health = replace(self.health, last_error=error, failures=self.health.failures + 1)
        if not toward_drop:
            return False
        self._in_a_row += 1
        if self._in_a_row < self.failures_to_drop:
            return False
        self._in_a_row = 0
        return True

    def success(self, round_trip_s: float | None = None) -> None:
        self._in_a_row = 0
        h = self.health
        self.health = replace(h, requests=h.requests + 1, round_trip_s=round_trip_s)

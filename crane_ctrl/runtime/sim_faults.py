"""The station's client of a simulator's fault channel (the demo's, a test rig's).

A station that supervises the bundled simulator knows where its line-JSON control channel is
(``simulators.control.ControlChannel``; its protocol is spoken here, not imported: the station
and the HMI import no simulator): a :class:`FaultChannel`. The station's fault
actions (:meth:`~crane_ctrl.runtime.station.CraneStation.sim_faults`, ``inject_fault``,
``clear_fault``) go through it, so each is checked and journaled by the station like any other
operator action. Every request has a deadline (:data:`FAULT_CHANNEL_TIMEOUT_S`); a channel that
is gone, refuses, or answers nonsense is a :class:`~crane_ctrl.errors.CommandRefused` saying so,
and what the simulator refuses (an unknown fault, a parameter that is not a number) comes back in
the simulator's own words.

The catalogue of faults and their parameters is the simulator's (its ``faults`` answer), never a
second list kept here: :class:`SimFaults` is that answer in the station's types.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crane_ctrl.errors import CommandRefused

__all__ = [
    "FAULT_CHANNEL_TIMEOUT_S",
    "ActiveFault",
    "FaultChannel",
    "FaultKind",
    "FaultParam",
    "SimFaults",
]

FAULT_CHANNEL_TIMEOUT_S = 2.0
"""Longest wait for one answer of the fault channel (connect, ask, read), s: well inside the
HMI's and the seam's 5 s for an action, which may ask twice."""
_ANSWER_LIMIT = 1024 * 1024
"""The longest answer line taken (the catalogue is a few kB)."""


@dataclass(frozen=True, slots=True)
class FaultChannel:
    """Where a simulator's fault channel listens (loopback, as a rule)."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"

    @classmethod
    def parse(cls, text: str) -> FaultChannel:
        """``HOST:PORT``; ``ValueError`` saying what is wrong."""
        host, _, port = text.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"a fault channel is HOST:PORT, not {text!r}")
        return cls(host, int(port))

    async def ask(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """The channel's answer to ``message`` (its ``ok`` true); :class:`CommandRefused` with
        why when it cannot be reached within :data:`FAULT_CHANNEL_TIMEOUT_S`, or refuses."""
        try:
            answer = await _request(self.host, self.port, message)
        except TimeoutError:
            raise CommandRefused(
                f"the simulator's fault channel at {self} did not answer within "
                f"{FAULT_CHANNEL_TIMEOUT_S:g} s"
            ) from None
        except OSError as exc:
            raise CommandRefused(
                f"the simulator's fault channel at {self} cannot be reached: {exc.strerror or exc}"
            ) from None
        except ValueError:  # the channel closed without an answer, or sent something else
            raise CommandRefused(
                f"the simulator's fault channel at {self} gave no answer"
            ) from None
        if not isinstance(answer, dict):
            raise CommandRefused(f"the simulator's fault channel at {self} answered {answer!r}")
        if not answer.get("ok"):
            raise CommandRefused(str(answer.get("error") or "the simulator refused it"))
        return answer


async def _request(host: str, port: int, message: Mapping[str, Any]) -> object:
    """One request line, one answer line (the channel's protocol, spoken here rather than
    imported: the station and the HMI import no simulator)."""
    async with asyncio.timeout(FAULT_CHANNEL_TIMEOUT_S):
        reader, writer = await asyncio.open_connection(host, port, limit=_ANSWER_LIMIT)
        try:
            writer.write(json.dumps(dict(message)).encode() + b"\n")
            await writer.drain()
            return json.loads(await reader.readline())
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


@dataclass(frozen=True, slots=True)
class FaultParam:
    """One parameter of a fault kind, as the simulator's catalogue describes it."""

    name: str
    kind: str
    """``float``, ``int``, ``str``, ``bool``, or ``value`` (a number, true or false)."""
    default: str
    """Its default as text; empty when it must be given."""
    help: str
    low: float | None = None
    high: float | None = None
    """A number's range (inclusive), where the simulator bounds it."""

    @property
    def required(self) -> bool:
        return not self.default

    def describe(self) -> str:
        """``speed_mps: steady wind, m/s, float 0..80, needed``."""
        what = f"{self.help}, " if self.help else ""
        kind = self.kind or "text"
        if self.low is not None or self.high is not None:
            low = "" if self.low is None else f"{self.low:g}"
            high = "" if self.high is None else f"{self.high:g}"
            kind += f" {low}..{high}"
        given = "needed" if self.required else f"default {self.default}"
        return f"{self.name}: {what}{kind}, {given}"


@dataclass(frozen=True, slots=True)
class FaultKind:
    """One fault the simulator can inject: what it does, its parameters, whether it clears."""

    name: str
    help: str
    params: tuple[FaultParam, ...] = ()
    clears: bool = True
    """False: a one-shot fault (it acts once and is never active)."""


@dataclass(frozen=True, slots=True)
class ActiveFault:
    """A fault active in the simulator now: its key (``drive_fault:hoist``) and parameters."""

    key: str
    params: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        return " ".join(f"{name}={value}" for name, value in self.params)


@dataclass(frozen=True, slots=True)
class SimFaults:
    """The simulator's fault catalogue and the faults active in it, from its channel."""

    channel: str
    kinds: tuple[FaultKind, ...]
    active: tuple[ActiveFault, ...]

    @classmethod
    def from_answer(cls, channel: FaultChannel, answer: Mapping[str, Any]) -> SimFaults:
        """The channel's ``faults`` answer; :class:`CommandRefused` when it is not one."""
        try:
            catalogue = answer["catalogue"]
            active = answer["active"]
            kinds = tuple(_kind(name, entry) for name, entry in catalogue.items())
            now = tuple(
                ActiveFault(str(key), tuple((str(k), _text(v)) for k, v in values.items()))
                for key, values in active.items()
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise CommandRefused(
                f"the simulator's fault channel at {channel} answered no fault catalogue "
                f"({type(exc).__name__}: {exc})"
            ) from None
        return cls(str(channel), kinds, now)

    def kind(self, name: str) -> FaultKind | None:
        return next((k for k in self.kinds if k.name == name), None)


def _kind(name: str, entry: Mapping[str, Any]) -> FaultKind:
    described = entry.get("parameters")
    if isinstance(described, list):
        params = tuple(
            FaultParam(
                str(p["name"]),
                str(p.get("kind", "")),
                _text(p.get("default")),
                str(p.get("help", "")),
                _number(p.get("low")),
                _number(p.get("high")),
            )
            for p in described
        )
    else:  # a simulator that names its parameters only
        params = tuple(FaultParam(str(p), "", "", "") for p in entry.get("params", ()))
    return FaultKind(str(name), str(entry.get("help", "")), params, bool(entry.get("clears", True)))


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _text(value: object) -> str:
    """A parameter's value as the fields take it (``None``: empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

"""The simulator's control channel: inject and clear faults from another process, on loopback.

One JSON object per line each way. Requests::

    {"op": "inject", "fault": "wind", "params": {"speed_mps": 22}}   -> {"ok": true, "key": "wind"}
    {"op": "clear", "key": "wind"}          (no key: clear all)        -> {"ok": true}
    {"op": "faults"}     -> {"ok": true, "active": {...}, "catalogue": {...}}
    {"op": "status"}     -> {"ok": true, "time_s": ..., "status": {...}, "model_faults": [...]}
    {"op": "commands"}   -> {"ok": true, "changes": [[name, value, wall_s], ...]}

``commands`` answers only where the simulator is served with
:class:`~simulators.command_stamps.CommandStamps` (the changes since the last ask, oldest first).

Any problem answers ``{"ok": false, "error": "..."}`` and leaves the connection open. Bound to
127.0.0.1 unless told otherwise: it is a test-rig tool, not a plant interface.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from types import TracebackType
from typing import Any, Self

from crane_ctrl.errors import CraneCtrlError
from simulators.command_stamps import CommandStamps
from simulators.faults import FAULTS, Param
from simulators.listening import listen_failure
from simulators.simulator import CraneSimulator

__all__ = ["ControlChannel", "request"]

log = logging.getLogger(__name__)
_LINE_LIMIT = 64 * 1024


class ControlChannel:
    """A line-JSON server that drives one simulator's fault injector."""

    def __init__(
        self,
        sim: CraneSimulator,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        stamps: CommandStamps | None = None,
    ) -> None:
        self.sim = sim
        self.stamps = stamps
        self._address = (host, port)
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> Self:
        try:
            self._server = await asyncio.start_server(self._serve, *self._address,
                                                      limit=_LINE_LIMIT)  # fmt: skip
        except OSError as exc:
            raise listen_failure(*self._address, exc, flag="--control-port") from None
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    @property
    def port(self) -> int:
        assert self._server is not None, "use `async with` first"
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                writer.write(json.dumps(self.handle(line)).encode() + b"\n")
                await writer.drain()
        except (ConnectionError, asyncio.LimitOverrunError, ValueError) as exc:
            log.info("control channel client gone: %s", exc)
        finally:
            writer.close()

    def handle(self, line: bytes) -> dict[str, Any]:
        """Answer one request line (also usable without a socket)."""
        try:
            message = json.loads(line)
            if not isinstance(message, dict):
                raise CraneCtrlError("a request is a JSON object with an 'op'")
            return {"ok": True, **self._dispatch(message)}
        except json.JSONDecodeError as exc:
            return {"ok": False, "error": f"not JSON: {exc.msg}"}
        except RecursionError:
            return {"ok": False, "error": "not a request: nested too deep"}
        except CraneCtrlError as exc:
            return {"ok": False, "error": str(exc)}

    def _dispatch(self, message: dict[str, Any]) -> dict[str, Any]:
        op = message.get("op")
        faults = self.sim.faults
        if op == "inject":
            params = message.get("params") or {}
            if not isinstance(params, dict):
                raise CraneCtrlError("params must be an object")
            return {"key": faults.inject(str(message.get("fault")), **params)}
        if op == "clear":
            key = message.get("key")
            faults.clear(None if key is None else str(key))
            return {}
        if op == "faults":
            return {"active": faults.active, "catalogue": _catalogue()}
        if op == "status":
            return {
                "time_s": self.sim.time_s,
                "status": dict(self.sim.status()),
                "model_faults": [f"{f.kind}: {f.reason}" for f in self.sim.model_faults],
            }
        if op == "commands" and self.stamps is not None:
            return {"changes": [[c.name, c.value, c.wall_s] for c in self.stamps.take()]}
        raise CraneCtrlError(f"unknown op {op!r}; use inject, clear, faults or status")


def _catalogue() -> dict[str, Any]:
    """Every fault by name: what it does, its parameters' names (``params``) and each one's
    kind, default (``null``: it must be given), help and finite range (``parameters``), and
    whether it can be cleared (a one-shot fault cannot)."""
    return {
        name: {
            "help": f.help,
            "params": [p.name for p in f.params],
            "parameters": [_parameter(p) for p in f.params],
            "clears": f.clear is not None,
        }
        for name, f in FAULTS.items()
    }


def _parameter(param: Param) -> dict[str, Any]:
    kind = "value" if param.kind is object else param.kind.__name__
    out: dict[str, Any] = {"name": param.name, "kind": kind, "default": param.default,
                           "help": param.help}  # fmt: skip
    if math.isfinite(param.low):
        out["low"] = param.low
    if math.isfinite(param.high):
        out["high"] = param.high
    return out


async def request(
    host: str, port: int, message: dict[str, Any], *, timeout_s: float = 5.0
) -> dict[str, Any]:
    """Send one request to a control channel and return its answer."""
    async with asyncio.timeout(timeout_s):
        reader, writer = await asyncio.open_connection(host, port, limit=_LINE_LIMIT)
        try:
            writer.write(json.dumps(message).encode() + b"\n")
            await writer.drain()
            answer: dict[str, Any] = json.loads(await reader.readline())
            return answer
        finally:
            writer.close()
            await writer.wait_closed()

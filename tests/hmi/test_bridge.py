"""The thread bridge runs station calls on the station's own loop, in its own thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

import pytest

from crane_ctrl.operation.machine import CommandRefused
from crane_ctrl.runtime.bridge import ThreadBridge
from crane_ctrl.runtime.loop_thread import LoopThread
from crane_ctrl.runtime.station import CraneStation


async def _idle(stop: asyncio.Event, ready: Callable[[asyncio.AbstractEventLoop], None]) -> None:
    ready(asyncio.get_running_loop())
    await stop.wait()


def _where() -> str:
    return threading.current_thread().name


def _refuse() -> None:
    raise CommandRefused("not now", "and not so")


async def _never() -> None:
    """A station call that never answers (waits on a future nobody resolves)."""
    await asyncio.get_running_loop().create_future()


async def test_calls_run_on_the_station_thread_and_refusals_come_back() -> None:
    thread: LoopThread[asyncio.AbstractEventLoop] = LoopThread("station", _idle)
    loop = thread.start()
    try:
        station = cast(CraneStation, SimpleNamespace(sessions=None))  # calls only: no station
        bridge = ThreadBridge(station, loop, timeout_s=0.2)
        assert await bridge.call(_where) == "station"
        with pytest.raises(CommandRefused) as refused:
            await bridge.call(_refuse)
        assert refused.value.reasons == ("not now", "and not so")
        with pytest.raises(TimeoutError, match=r"did not answer within 0\.2 s"):
            await bridge.call(cast(Any, _never))
    finally:
        thread.stop()
    assert not thread.alive


def test_a_thread_that_fails_to_start_says_why() -> None:
    async def broken(stop: asyncio.Event, ready: Callable[[int], None]) -> None:
        raise OSError("port taken")

    with pytest.raises(OSError, match="port taken"):
        LoopThread("station", broken).start(timeout_s=2)

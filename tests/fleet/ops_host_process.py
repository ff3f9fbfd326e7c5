"""The operations centre's primary host in a process of its own, so a test can kill it abruptly
(``kill -9``): the broker then publishes its will, ``STATE`` offline.

    python -m tests.fleet.ops_host_process PORT HOST_ID
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from crane_ctrl.fleet.broker import Broker
from crane_ctrl.fleet.primary_host import PrimaryHost, PrimaryHostConfig
from crane_ctrl.realtime import MonotonicClock

ROOT = Path(__file__).resolve().parents[2]


def host_config(port: int, host_id: str = "ops", **changes: object) -> PrimaryHostConfig:
    """Quick to retry and to notice a dead broker: the tests restart theirs."""
    settings: dict[str, object] = {"keepalive_s": 2, "retry_min_s": 0.05, "retry_max_s": 0.2,
                                   "network_within_s": 2.0, **changes}  # fmt: skip
    return PrimaryHostConfig(Broker("127.0.0.1", port), host_id, **settings)  # type: ignore[arg-type]


@asynccontextmanager
async def host_process(port: int, host_id: str) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fleet.ops_host_process", str(port), host_id, cwd=ROOT,
        env=env,
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await asyncio.wait_for(process.wait(), 10)


async def main(port: int, host_id: str) -> None:
    async with PrimaryHost(host_config(port, host_id), MonotonicClock()) as host:
        await host.connected(within_s=10)
        await asyncio.Event().wait()  # until killed


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))

"""Many simulated crane PLCs in one process, for benchmarks: ``python -m simulators.fleet N P``.

Serves ``N`` independent simulators over the profile ``P``'s protocol on free loopback ports,
prints one line ``ports: p1 p2 ...`` once all listen, and runs until SIGTERM/SIGINT. Each crane
is stepped at the scan rate (dt 50 ms), which is plenty for a supervisor reading it at 20 Hz.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from contextlib import AsyncExitStack
from pathlib import Path

from crane_ctrl.profile.loader import load_profile
from simulators.runner import run_realtime, serve
from simulators.simulator import CraneSimulator

__all__ = ["serve_fleet"]


async def serve_fleet(count: int, profile_path: Path, dt: float = 0.05) -> None:
    profile = load_profile(profile_path)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with AsyncExitStack() as stack, asyncio.TaskGroup() as tasks:
        ports = []
        for _ in range(count):
            sim = CraneSimulator()
            served = await stack.enter_async_context(serve(sim, profile))
            ports.append(served.port)
            tasks.create_task(run_realtime(sim, served, dt=dt, stop=stop))
        print("ports:", *ports, flush=True)
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(serve_fleet(int(sys.argv[1]), Path(sys.argv[2])))
